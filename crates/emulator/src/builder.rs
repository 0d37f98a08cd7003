//! [`EmulatorBuilder`]: what an emulator starts with, and starting it.

use super::*;

/// Configures and starts an [`Emulator`].
///
/// ```no_run
/// use std::time::Duration;
/// use oci_emulator::Emulator;
///
/// # async fn run() -> Result<(), oci_emulator::EmulatorError> {
/// let emulator = Emulator::builder()
///     .seed(42)                                       // deterministic OCIDs
///     .explain(true)                                  // say why a signature was rejected
///     .lifecycle_delay(Duration::from_millis(50))     // CREATING, then ACTIVE
///     .start()
///     .await?;
/// # let _ = emulator; Ok(()) }
/// ```
pub struct EmulatorBuilder {
    listen: SocketAddr,
    seed: Option<u64>,
    key_pem: Option<String>,
    fresh_key: bool,
    data_dir: Option<PathBuf>,
    explain: bool,
    clock: Arc<dyn Clock>,
    lifecycle_delay: Duration,
    work_request_step: Duration,
    region: String,
    token_lifetime: Duration,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("listen", &self.listen)
            .field("seed", &self.seed)
            .field("key_pem", &self.key_pem.as_ref().map(|_| "<redacted>"))
            .field("fresh_key", &self.fresh_key)
            .field("data_dir", &self.data_dir)
            .field("explain", &self.explain)
            .field("lifecycle_delay", &self.lifecycle_delay)
            .field("work_request_step", &self.work_request_step)
            .field("region", &self.region)
            .field("token_lifetime", &self.token_lifetime)
            .finish()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: None,
            key_pem: None,
            fresh_key: false,
            data_dir: None,
            explain: false,
            clock: Arc::new(SystemClock),
            lifecycle_delay: Duration::ZERO,
            work_request_step: Duration::from_secs(30),
            region: "us-ashburn-1".to_owned(),
            token_lifetime: workload::DEFAULT_TOKEN_LIFETIME,
        }
    }
}

impl EmulatorBuilder {
    /// The address to listen on (default `127.0.0.1:0`, an ephemeral port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Seeds OCIDs, the namespace, page tokens and fault probabilities: the same seed gives the
    /// same tenancy and user OCIDs. Without one, a random seed is used.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The seeded user's private key (PEM, PKCS#1 or PKCS#8, RSA ≥ 2048 bits). Without one, the
    /// key in the data directory is used; else the built-in test key (see
    /// [`EmulatorBuilder::fresh_key`]).
    pub fn private_key_pem(mut self, pem: impl Into<String>) -> Self {
        self.key_pem = Some(pem.into());
        self
    }

    /// Generates a new RSA-2048 key for the seeded user (once per process; seconds in a debug
    /// build) instead of using the built-in test key, when no key is given or found in the data
    /// directory. Default `false`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), oci_emulator::EmulatorError> {
    /// let emulator = oci_emulator::Emulator::builder().fresh_key(true).start().await?;
    /// # let _ = emulator; Ok(()) }
    /// ```
    ///
    /// The built-in key is published in this crate's source (`keys/builtin-test-key.pem`), so
    /// anyone can sign as the seeded user of an emulator that uses it: fine for tests on
    /// `127.0.0.1`, and it must never be used for anything but the emulator. An emulator that
    /// listens on a non-loopback address always generates a fresh key.
    pub fn fresh_key(mut self, fresh: bool) -> Self {
        self.fresh_key = fresh;
        self
    }

    /// Keeps state and object bytes in this directory, so they survive a restart.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Authentication failures name what differed (a missing signed header, the skew, the
    /// signing-string line...), instead of OCI's terse message.
    pub fn explain(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    /// The clock for `date` checks, timestamps, lifecycle delays and work-request progress.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// How long new Identity resources stay CREATING before they are ACTIVE (default 0).
    pub fn lifecycle_delay(mut self, delay: Duration) -> Self {
        self.lifecycle_delay = delay;
        self
    }

    /// The step of the seeded work requests' timeline (default 30 s): all start one step after
    /// the emulator's first start, and work request `i` finishes `i + 2` steps after it.
    pub fn work_request_step(mut self, step: Duration) -> Self {
        self.work_request_step = step;
        self
    }

    /// The region written to the config file (default `us-ashburn-1`).
    pub fn region(mut self, region: &str) -> Self {
        self.region = region.to_owned();
        self
    }

    /// The lifetime of the security tokens the emulator issues (instance-principal tokens from
    /// `/v1/x509`, RPSTs from the proxymux and the control API), counted on the emulator's
    /// clock. Default [`DEFAULT_TOKEN_LIFETIME`] (20 minutes).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Starts the emulator on its listener.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        if let Some(dir) = &self.data_dir {
            std::fs::create_dir_all(dir)?;
        }
        let key_pem = match (&self.key_pem, &self.data_dir) {
            (Some(pem), _) => pem.clone(),
            (None, Some(dir)) if dir.join("key.pem").exists() => {
                std::fs::read_to_string(dir.join("key.pem"))?
            }
            (None, dir) => {
                // The published key only where nobody else can reach the emulator.
                let pem = if self.fresh_key || !self.listen.ip().is_loopback() {
                    keys::generated_private_pem().map_err(EmulatorError::Key)?
                } else {
                    keys::BUILT_IN_PRIVATE_PEM.to_owned()
                };
                if let Some(dir) = dir {
                    persist::write_private(&dir.join("key.pem"), pem.as_bytes())?;
                }
                pem
            }
        };
        let public = keys::public_of_private_pem(&key_pem).map_err(EmulatorError::Key)?;
        let private = PrivateKey::from_pem(key_pem.as_bytes(), None)
            .map_err(|e| EmulatorError::Key(e.to_string()))?;

        let now_ms = util::millis(self.clock.now());
        let state_path = self.data_dir.as_ref().map(|d| d.join(persist::STATE_FILE));
        let mut state = match &state_path {
            Some(p) if p.exists() => {
                let bytes = std::fs::read(p)?;
                serde_json::from_slice::<State>(&bytes).map_err(|e| EmulatorError::State {
                    path: p.clone(),
                    message: e.to_string(),
                })?
            }
            _ => State::seeded(
                self.seed.unwrap_or_else(rand::random),
                now_ms,
                &self.region,
                &public.pem,
                &public.fingerprint,
            ),
        };
        ensure_seeded_key(&mut state, &public);

        let blobs = blobs::Blobs::new(self.data_dir.as_deref())?;
        if let Some(dir) = &self.data_dir {
            // What a crash (or an undone write) left behind.
            persist::remove_stale_temporaries(dir);
            blobs.retain(&state.blob_ids());
        }
        let listener = TcpListener::bind(self.listen).await?;
        let addr = listener.local_addr()?;
        let credentials = Arc::new(ApiKeyCredentials::new(
            &state.tenancy.id,
            &state.seeded_user_id,
            &public.fingerprint,
            private,
        ));
        let info = Info {
            tenancy: state.tenancy.id.clone(),
            user: state.seeded_user_id.clone(),
            fingerprint: public.fingerprint.clone(),
            namespace: state.namespace.clone(),
            region: state.region.clone(),
        };
        let workload = Arc::new(workload::Workload::new(
            workload::WorkloadConfig {
                tenancy: state.tenancy.id.clone(),
                compartment: state.tenancy.id.clone(),
                instance: util::ocid("instance", state.seed, 0),
                region: state.region.clone(),
                token_lifetime: self.token_lifetime,
                service_account_token: util::derived_text(state.seed, "sa-token", 0, 48),
            },
            self.clock.clone(),
            state.seed,
        ));
        let shared = Arc::new(Shared::new(
            Settings {
                seed: state.seed,
                region: state.region.clone(),
                data_dir: self.data_dir.clone(),
                clock: self.clock.clone(),
                explain: self.explain,
                lifecycle_delay_ms: self.lifecycle_delay.as_millis() as u64,
                step_ms: self.work_request_step.as_millis().max(1) as u64,
                seeded_key: SeededKey {
                    public_pem: public.pem.clone(),
                    fingerprint: public.fingerprint.clone(),
                },
                workload: workload.clone(),
            },
            blobs,
            state,
        ));
        shared.commit(shared.version())?;
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(server::run(listener, shared.clone(), stop_rx));
        let endpoint = Endpoint::parse(&format!("http://{addr}"))
            .map_err(|e| EmulatorError::Io(std::io::Error::other(e.to_string())))?;
        Ok(Emulator {
            shared,
            addr,
            endpoint,
            credentials,
            key_pem,
            info,
            clock: self.clock,
            workload,
            stop,
            task,
        })
    }
}

/// Registers the seeded user's current key if the loaded state lacks it.
fn ensure_seeded_key(state: &mut State, public: &keys::PublicKey) {
    let user = state.seeded_user_id.clone();
    let present = state
        .api_keys
        .iter()
        .any(|k| k.item.user_id == user && k.item.fingerprint == public.fingerprint);
    if !present {
        let etag = state.next_etag();
        let time = util::rfc3339(state.epoch_ms);
        state.api_keys.push(state::Rec {
            etag,
            created_ms: 0,
            item: state::ApiKey {
                key_id: format!("{}/{user}/{}", state.tenancy.id, public.fingerprint),
                key_value: public.pem.clone(),
                fingerprint: public.fingerprint.clone(),
                user_id: user,
                time_created: time,
                lifecycle_state: "ACTIVE".to_owned(),
            },
        });
    }
}
