//! A local Oracle Cloud Infrastructure emulator that verifies request signatures and injects
//! faults: Identity, Object Storage and Delegate Access Control work requests on one listener.
//!
//! ```no_run
//! use oci_emulator::{Emulator, Fault};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = Emulator::builder().seed(7).start().await?;
//! let client = emulator.client_builder().build()?;           // signed with the seeded user's key
//! emulator.add_fault(Fault::status(503, "ServiceUnavailable").operation("ListUsers").nth(1));
//! # let _ = client;
//! for entry in emulator.journal() {
//!     println!("{} {} {:?} {:?}", entry.opc_request_id, entry.operation, entry.status, entry.fault);
//! }
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Paths choose the service: `/20160918/...` Identity, `/n...` Object Storage, `/20230801/...`
//! Delegate Access Control. Every request must carry a valid OCI signature from a registered
//! API key (the seeded user's, or one added with `UploadApiKey`), or it gets 401
//! `NotAuthenticated`; [`EmulatorBuilder::explain`] makes that message say what differed.
//! `/_emulator/` is an unsigned control path (reset, faults, journal).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use oci_core::auth::{ApiKeyCredentials, Credentials, PrivateKey};
use oci_core::clock::{Clock, SystemClock};
use oci_core::{ClientBuilder, Endpoint};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

// The layers, top to bottom (a module imports only modules below it, or the leaves):
//   server -> services/* -> shared -> state (-> planes), blobs, faults, persist
//   leaves used by all: route, http, auth, keys, util, error
mod answers;
mod auth;
mod blobs;
mod builder;
mod drain;
mod error;
mod faults;
mod http;
mod keys;
mod persist;
mod planes;
mod planes_api;
mod route;
mod server;
mod services;
mod shared;
mod state;
mod util;
mod workload;

pub use answers::is_not_emulated;
pub use builder::EmulatorBuilder;
pub use faults::{Fault, FaultAction, FaultMatch, FaultStatus, JournalEntry, Trigger};
pub use planes_api::{IngestedLogEntry, PublishedMessage};
pub use workload::{IssuedToken, ResourcePrincipalSession, TokenKind, DEFAULT_TOKEN_LIFETIME};

use shared::{SeededKey, Settings, Shared};
use state::State;

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// Listening, or reading and writing the data directory, failed.
    #[error("emulator I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The private key could not be generated or read.
    #[error("emulator key: {0}")]
    Key(String),
    /// The saved state in the data directory could not be read.
    #[error("emulator state in {path}: {message}")]
    State {
        /// The state file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
}

#[derive(Debug, Clone)]
struct Info {
    tenancy: String,
    user: String,
    fingerprint: String,
    namespace: String,
    region: String,
}

/// A running emulator. Dropping it stops the server; [`Emulator::shutdown`] waits for that.
///
/// ```no_run
/// use oci_emulator::Emulator;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = Emulator::builder().start().await?;
/// // Our client, already pointed at the emulator and signing as the seeded user:
/// let client = emulator.client_builder().build()?;
/// // Or a config file for any OCI SDK (profile DEFAULT, with key.pem next to it):
/// let dir = std::env::temp_dir().join("oci-emulator-example");
/// let config = emulator.write_config(&dir)?;
/// println!("{} {}", emulator.endpoint(), config.display());
/// # let _ = client;
/// emulator.shutdown().await;
/// # Ok(()) }
/// ```
///
/// The seeded tenancy has one user (an administrator) whose API key signs for the client above;
/// more keys can be registered with Identity's `UploadApiKey`.
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    endpoint: Endpoint,
    credentials: Arc<ApiKeyCredentials>,
    key_pem: String,
    info: Info,
    clock: Arc<dyn Clock>,
    workload: Arc<workload::Workload>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("endpoint", &self.endpoint)
            .field("tenancy", &self.info.tenancy)
            .field("user", &self.info.user)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// A builder.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The endpoint every service is served from, e.g. `http://127.0.0.1:41234`.
    pub fn endpoint(&self) -> Endpoint {
        self.endpoint.clone()
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Credentials of the seeded user (tenancy, user, fingerprint and private key).
    pub fn credentials(&self) -> Arc<dyn Credentials> {
        self.credentials.clone()
    }

    /// A client builder with the credentials, the endpoint and the emulator's clock set.
    pub fn client_builder(&self) -> ClientBuilder {
        oci_core::Client::builder()
            .credentials(self.credentials())
            .endpoint(self.endpoint())
            .clock(self.clock.clone())
    }

    /// The tenancy OCID (also the root compartment).
    pub fn tenancy_id(&self) -> &str {
        &self.info.tenancy
    }

    /// The seeded user's OCID.
    pub fn user_id(&self) -> &str {
        &self.info.user
    }

    /// The seeded key's fingerprint.
    pub fn fingerprint(&self) -> &str {
        &self.info.fingerprint
    }

    /// The Object Storage namespace.
    pub fn namespace(&self) -> &str {
        &self.info.namespace
    }

    /// The region written to config files.
    pub fn region(&self) -> &str {
        &self.info.region
    }

    /// The seeded user's private key as PEM (a local test key; keep it out of logs anyway).
    pub fn private_key_pem(&self) -> &str {
        &self.key_pem
    }

    /// Writes `dir/config` (profile DEFAULT: user, fingerprint, key_file, tenancy, region) and
    /// `dir/key.pem` (mode 0600), and returns the config's path.
    pub fn write_config(&self, dir: impl AsRef<Path>) -> std::io::Result<PathBuf> {
        write_config(dir.as_ref(), &self.info, &self.key_pem)
    }

    /// Adds a fault rule; returns its id.
    pub fn add_fault(&self, fault: Fault) -> u64 {
        self.shared.faults().add(fault)
    }

    /// Removes a fault rule by id; `false` if there was none.
    pub fn remove_fault(&self, id: u64) -> bool {
        self.shared.faults().remove(id)
    }

    /// Removes every fault rule (and re-seeds their RNG).
    pub fn clear_faults(&self) {
        self.shared.faults().clear()
    }

    /// The fault rules with their match and fire counts.
    pub fn faults(&self) -> Vec<FaultStatus> {
        self.shared.faults().list()
    }

    /// Every request so far (except the control path), oldest first.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.shared.journal().clone()
    }

    /// Empties the journal.
    pub fn clear_journal(&self) {
        self.shared.journal().clear()
    }

    /// Back to the freshly seeded state; faults and journal cleared.
    pub fn reset(&self) -> std::io::Result<()> {
        self.shared.reset()
    }

    /// The IMDS base URL to give a client, `<endpoint>/opc/v2` (what `OCI_METADATA_BASE_URL`
    /// holds): the instance's certificate, key, intermediate, region and metadata, served on
    /// the emulator's listener to requests with `Authorization: Bearer Oracle`.
    pub fn imds_base_url(&self) -> String {
        format!("http://{}/opc/v2", self.addr)
    }

    /// The federation (token) URL, `<endpoint>/v1/x509`.
    pub fn federation_url(&self) -> String {
        format!("http://{}/v1/x509", self.addr)
    }

    /// The emulated instance's OCID (the subject of its certificate and tokens).
    pub fn instance_id(&self) -> &str {
        &self.workload.config().instance
    }

    /// A service-account token the OKE proxymux (`POST /resourcePrincipalSessionTokens`)
    /// accepts as `Authorization: Bearer <token>`.
    pub fn service_account_token(&self) -> &str {
        &self.workload.config().service_account_token
    }

    /// Makes the proxymux accept another service-account token.
    pub fn add_service_account_token(&self, token: &str) {
        self.workload.add_service_account_token(token)
    }

    /// The emulator CA's root certificate (PEM).
    pub fn root_ca_pem(&self) -> Result<String, EmulatorError> {
        self.workload.root_pem().map_err(EmulatorError::Key)
    }

    /// Mints a resource-principal session (RPST + private key, RP v2.2) for the tenancy's
    /// root compartment, valid for the token lifetime on the emulator's clock.
    pub fn mint_resource_principal(&self) -> Result<ResourcePrincipalSession, EmulatorError> {
        self.workload
            .mint_resource_principal()
            .map_err(EmulatorError::Key)
    }

    /// Changes the lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.workload.set_token_lifetime(lifetime)
    }

    /// Issues the instance a new leaf certificate with a new key (IMDS rotation).
    pub fn rotate_instance_certificate(&self) -> Result<(), EmulatorError> {
        self.workload.rotate_leaf().map_err(EmulatorError::Key)
    }

    /// Answers a workload-identity operation with 200 and `body` instead of the real answer
    /// (`None`: normally again), to test clients against malformed certificates, keys and
    /// tokens. Operations: `GetInstanceCertificate`, `GetInstanceKey`,
    /// `GetIntermediateCertificate`, `GetInstanceRegion`, `GetInstanceMetadata`,
    /// `X509Federation`, `GetPodResourcePrincipalSessionToken`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), oci_emulator::EmulatorError> {
    /// let emulator = oci_emulator::Emulator::builder().start().await?;
    /// emulator.override_workload_response("X509Federation", Some(r#"{"token":"not-a-jwt"}"#));
    /// # Ok(()) }
    /// ```
    pub fn override_workload_response(&self, operation: &str, body: Option<&str>) {
        self.workload.set_override(operation, body)
    }

    /// Every security token issued so far, oldest first (without the tokens themselves).
    pub fn issued_tokens(&self) -> Vec<IssuedToken> {
        self.workload.issued()
    }

    /// Revokes one issued token by its `jti`: requests signed with it get 401
    /// `NotAuthenticated`. `false` if no such token was issued.
    pub fn revoke_token(&self, jti: &str) -> bool {
        self.workload.revoke(jti)
    }

    /// Revokes every token issued so far; returns how many.
    pub fn revoke_all_tokens(&self) -> usize {
        self.workload.revoke_all()
    }

    /// How many `/v1/x509` federation requests the journal holds (whatever their outcome).
    pub fn federation_calls(&self) -> usize {
        self.shared
            .journal()
            .iter()
            .filter(|e| e.operation == "X509Federation")
            .count()
    }

    /// Stops accepting, drops open connections and waits for the server task.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

fn write_config(dir: &Path, info: &Info, key_pem: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let dir = std::fs::canonicalize(dir)?;
    let key = dir.join("key.pem");
    persist::write_private(&key, key_pem.as_bytes())?;
    let config = dir.join("config");
    let text = format!(
        "[DEFAULT]\nuser={}\nfingerprint={}\nkey_file={}\ntenancy={}\nregion={}\n",
        info.user,
        info.fingerprint,
        key.display(),
        info.tenancy,
        info.region
    );
    persist::write_private(&config, text.as_bytes())?;
    Ok(config)
}
