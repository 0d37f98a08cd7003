//! What every handler shares: the state handle ([`Shared`]), the request a handler gets
//! ([`Call`], [`ReqBody`]), and the persistence that makes a write durable before it is answered.
//!
//! Writes are tracked: every lock of the state that is used mutably ([`StateGuard`]) gets a
//! version number, and a request that wrote is answered only after [`Shared::commit`] has saved
//! a snapshot holding its version (group commit: one save covers every write before it). If a
//! save fails, the state goes back to the last saved snapshot and every write after it fails, so
//! an answer never disagrees with what a restart sees.

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::ops::{Deref, DerefMut, RangeInclusive};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http::{HeaderMap, Method};
use oci_core::clock::Clock;

use crate::blobs::{Blobs, Written};
use crate::drain::Streamed;
use crate::error::ApiResult;
use crate::faults::{Faults, JournalEntry};
use crate::keys::PublicKey;
use crate::persist;
use crate::state::State;
use crate::util;
use crate::workload::Workload;

/// The seeded user's key, kept for resets.
#[derive(Clone)]
pub(crate) struct SeededKey {
    pub public_pem: String,
    pub fingerprint: String,
}

/// Everything the request handlers share.
pub(crate) struct Shared {
    pub settings: Settings,
    pub blobs: Blobs,
    pub seq: AtomicU64,
    pub salt: u64,
    state: Mutex<State>,
    /// The version of the latest write (changed only while the state is locked).
    version: AtomicU64,
    durable: Mutex<Durable>,
    /// Versions of writes undone by a failed save.
    lost: Mutex<Vec<RangeInclusive<u64>>>,
    faults: Mutex<Faults>,
    journal: Mutex<Vec<JournalEntry>>,
    key_cache: Mutex<HashMap<String, PublicKey>>,
    /// Blobs no longer referenced, with the version of the write that dropped them: removed
    /// once a snapshot at or after that version is saved.
    garbage: Mutex<Vec<(u64, String)>>,
}

/// What has been saved.
struct Durable {
    /// The version of the last saved snapshot.
    saved: u64,
    /// That snapshot (the state to go back to when a save fails).
    last_saved: State,
}

// Lock order: durable, state, lost, garbage.

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

tokio::task_local! {
    /// The highest write version of the request being handled.
    static WRITES: Cell<u64>;
}

/// Runs a handler, returning its output and the highest version it wrote (0: it did not write).
pub(crate) async fn tracking_writes<F: Future>(f: F) -> (F::Output, u64) {
    WRITES
        .scope(Cell::new(0), async {
            let out = f.await;
            (out, WRITES.with(Cell::get))
        })
        .await
}

/// The state, locked; using it mutably makes the lock a write (versioned on release).
pub(crate) struct StateGuard<'a> {
    guard: MutexGuard<'a, State>,
    version: &'a AtomicU64,
    wrote: bool,
}

impl Deref for StateGuard<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        &self.guard
    }
}

impl DerefMut for StateGuard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        self.wrote = true;
        &mut self.guard
    }
}

impl Drop for StateGuard<'_> {
    fn drop(&mut self) {
        if self.wrote {
            let v = self.version.fetch_add(1, Ordering::SeqCst) + 1;
            let _ = WRITES.try_with(|w| w.set(w.get().max(v)));
        }
    }
}

/// How the emulator was configured.
pub(crate) struct Settings {
    pub seed: u64,
    pub region: String,
    pub data_dir: Option<PathBuf>,
    pub clock: Arc<dyn Clock>,
    pub explain: bool,
    pub lifecycle_delay_ms: u64,
    pub step_ms: u64,
    pub seeded_key: SeededKey,
    /// Workload identity: the CA, issued tokens, revocations.
    pub workload: Arc<Workload>,
}

impl Shared {
    /// Shares a state (not saved yet: call [`Shared::commit`] with [`Shared::version`]).
    pub fn new(settings: Settings, blobs: Blobs, state: State) -> Self {
        Shared {
            faults: Mutex::new(Faults::new(settings.seed)),
            durable: Mutex::new(Durable {
                saved: 0,
                last_saved: state.clone(),
            }),
            lost: Mutex::new(Vec::new()),
            state: Mutex::new(state),
            version: AtomicU64::new(1),
            settings,
            blobs,
            seq: AtomicU64::new(0),
            salt: rand::random(),
            journal: Mutex::new(Vec::new()),
            key_cache: Mutex::new(HashMap::new()),
            garbage: Mutex::new(Vec::new()),
        }
    }

    /// The state, locked.
    pub fn lock(&self) -> StateGuard<'_> {
        StateGuard {
            guard: lock(&self.state),
            version: &self.version,
            wrote: false,
        }
    }

    /// The version of the latest write.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    /// The faults, locked.
    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.faults)
    }

    /// The journal, locked.
    pub fn journal(&self) -> MutexGuard<'_, Vec<JournalEntry>> {
        lock(&self.journal)
    }

    /// Parsed public keys by PEM (parsing RSA keys is slow in debug builds).
    pub fn key_cache(&self) -> MutexGuard<'_, HashMap<String, PublicKey>> {
        lock(&self.key_cache)
    }

    /// The emulator's clock, in milliseconds.
    pub fn now_ms(&self) -> u64 {
        util::millis(self.settings.clock.now())
    }

    /// Marks a blob for removal once the write that dropped it is saved.
    pub fn discard(&self, blob: String) {
        let v = WRITES
            .try_with(Cell::get)
            .ok()
            .filter(|v| *v > 0)
            .unwrap_or_else(|| self.version());
        let lost = lock(&self.lost);
        if lost.iter().any(|r| r.contains(&v)) {
            return; // the write was undone: the saved state still refers to the blob
        }
        lock(&self.garbage).push((v, blob));
    }

    /// Makes the write with version `v` durable (a no-op without a data directory, except for
    /// removing discarded blobs): saves a snapshot unless one holding `v` already is. Blocking.
    pub fn commit(&self, v: u64) -> io::Result<()> {
        let Some(dir) = &self.settings.data_dir else {
            self.collect(u64::MAX);
            return Ok(());
        };
        let mut durable = lock(&self.durable);
        if lock(&self.lost).iter().any(|r| r.contains(&v)) {
            return Err(io::Error::other(
                "an earlier save failed and this write was undone",
            ));
        }
        if v > durable.saved {
            let (json, snapshot, version) = {
                let state = lock(&self.state);
                let json = serde_json::to_vec_pretty(&*state).map_err(io::Error::other)?;
                (json, state.clone(), self.version())
            };
            if let Err(e) = persist::write_atomic(&dir.join(persist::STATE_FILE), &json) {
                let mut state = lock(&self.state);
                let current = self.version();
                *state = durable.last_saved.clone();
                let saved = durable.saved;
                let mut lost = lock(&self.lost);
                lost.push(saved + 1..=current);
                lock(&self.garbage).retain(|(g, _)| *g <= saved);
                return Err(e);
            }
            durable.saved = version;
            durable.last_saved = snapshot;
        }
        let saved = durable.saved;
        drop(durable);
        self.collect(saved);
        Ok(())
    }

    /// Removes the discarded blobs whose writes are saved (up to `saved`).
    fn collect(&self, saved: u64) {
        let done: Vec<String> = {
            let mut garbage = lock(&self.garbage);
            let (done, keep): (Vec<_>, Vec<_>) = garbage.drain(..).partition(|(v, _)| *v <= saved);
            *garbage = keep;
            done.into_iter().map(|(_, b)| b).collect()
        };
        for blob in done {
            self.blobs.remove(&blob);
        }
    }

    /// Back to a freshly seeded state; faults and journal cleared; saved. Blocking.
    pub fn reset(&self) -> io::Result<()> {
        let fresh = State::seeded(
            self.settings.seed,
            self.now_ms(),
            &self.settings.region,
            &self.settings.seeded_key.public_pem,
            &self.settings.seeded_key.fingerprint,
        );
        let old = {
            let mut state = self.lock();
            std::mem::replace(&mut *state, fresh)
        };
        for objects in old.objects.values() {
            for meta in objects.values() {
                self.discard(meta.blob.clone());
            }
        }
        for v in old.versions.values().flat_map(|o| o.values().flatten()) {
            if let Some(m) = &v.meta {
                self.discard(m.blob.clone());
            }
        }
        for upload in &old.uploads {
            for part in upload.parts.values() {
                self.discard(part.blob.clone());
            }
        }
        self.faults().clear();
        self.journal().clear();
        self.commit(self.version())
    }
}

/// A request body after authentication: read (for JSON operations) or still streaming.
pub(crate) enum ReqBody {
    Bytes(Bytes),
    Stream(Streamed),
}

impl ReqBody {
    /// The bytes of a read body (empty for a stream).
    pub fn bytes(&self) -> &[u8] {
        match self {
            ReqBody::Bytes(b) => b,
            ReqBody::Stream(_) => &[],
        }
    }

    /// Reads the whole body (a streamed one up to `limit` bytes).
    pub async fn read(self, limit: usize) -> ApiResult<Bytes> {
        use http_body_util::BodyExt as _;
        match self {
            ReqBody::Bytes(b) => Ok(b),
            ReqBody::Stream(s) => http_body_util::Limited::new(s, limit)
                .collect()
                .await
                .map(|c| c.to_bytes())
                .map_err(|e| {
                    crate::error::ApiError::invalid(format!("could not read the request body: {e}"))
                }),
        }
    }

    /// Streams the body into a new blob (hashing SHA-256 too when `sha256`).
    pub async fn write_to(self, blobs: &Blobs, sha256: bool) -> ApiResult<Written> {
        match self {
            ReqBody::Bytes(b) => blobs.write(http_body_util::Full::new(b), sha256).await,
            ReqBody::Stream(s) => blobs.write(s, sha256).await,
        }
    }
}

/// One routed, authenticated request: what every handler gets.
pub(crate) struct Call {
    /// The operation, e.g. `GetUser`.
    pub op: &'static str,
    /// The path parameters, in template order, percent-decoded.
    pub params: Vec<String>,
    pub method: Method,
    /// The path as received (not decoded).
    pub path: String,
    /// Decoded query parameters (last value wins).
    pub query: HashMap<String, String>,
    pub headers: HeaderMap,
    pub body: ReqBody,
    /// The emulator's clock when the request was authenticated.
    pub now_ms: u64,
    /// Who signed (see `auth::Caller::principal`); `None` for unsigned routes.
    #[allow(dead_code)] // for handlers that answer per principal (workload identity)
    pub principal: Option<String>,
    /// The per-resource endpoint the request came through: `(kind, id)` (see `route::MOUNT`).
    pub mount: Option<(String, String)>,
}

impl Call {
    /// The `i`th path parameter, or `""` when the template has fewer.
    pub fn param(&self, i: usize) -> &str {
        self.params.get(i).map_or("", String::as_str)
    }

    /// `http://<host>` as the client addressed the emulator (for endpoints in answers).
    pub fn origin(&self) -> String {
        let host = self
            .headers
            .get(http::header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("localhost");
        format!("http://{host}")
    }

    /// Takes the body out (for handlers that stream it), leaving an empty one.
    pub fn take_body(&mut self) -> ReqBody {
        std::mem::replace(&mut self.body, ReqBody::Bytes(Bytes::new()))
    }
}
