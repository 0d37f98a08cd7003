//! A cache in front of a token provider: background refresh ahead of expiry, single-flight.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use crate::auth::{Credentials, Identity, IdentityFuture};
use crate::clock::{Clock, SystemClock};
use crate::region::Region;
use crate::Error;

/// How long a failed background refresh waits before the next one is tried.
const BACKGROUND_RETRY: Duration = Duration::from_secs(5);

/// Caches the identity of a token provider and refreshes it before it expires.
///
/// ```
/// use std::sync::Arc;
/// use oci_core::auth::{CredentialsCache, Credentials};
/// # fn provider() -> Arc<dyn Credentials> { oci_core::testing::credentials() }
/// let creds = CredentialsCache::new(provider());
/// let creds: Arc<dyn Credentials> = Arc::new(creds);
/// # let _ = creds;
/// ```
///
/// - While the cached identity is valid, [`identity`](Credentials::identity) is ready at once:
///   a read lock and two reference-count increments, no await and no allocation.
/// - From the identity's [`refresh_at`](Identity::refresh_at) on (the provider's rule) a call
///   starts one background fetch (`tokio::spawn`) and keeps serving the current identity, so no
///   request waits while the old token is valid.
/// - When there is no valid identity, callers wait for one fetch (single-flight: 100 concurrent
///   callers cause one token request); if it fails, all of them get the error.
/// - A failed background refresh keeps the old identity until it expires, retrying at most
///   every 5 s; after expiry the provider's typed error is returned.
/// - [`invalidate`](Credentials::invalidate) (a 401 from a service) drops the identity, so the
///   next call fetches a new one.
///
/// Time is read from the injected [`Clock`] ([`with_clock`](Self::with_clock)).
#[derive(Clone)]
pub struct CredentialsCache {
    inner: Arc<Shared>,
}

struct Shared {
    provider: Arc<dyn Credentials>,
    clock: Arc<dyn Clock>,
    current: RwLock<Option<Identity>>,
    /// Bumped after every finished fetch (success or failure).
    generation: AtomicU64,
    /// Serializes fetches; holds the last failure for callers that waited on it.
    fetch: tokio::sync::Mutex<Option<Arc<Error>>>,
    background: AtomicBool,
    /// No background refresh before this instant (after a failure).
    not_before: Mutex<Option<SystemTime>>,
    fetches: AtomicU64,
}

impl CredentialsCache {
    /// A cache in front of `provider`, reading time from the system clock.
    pub fn new(provider: Arc<dyn Credentials>) -> Self {
        CredentialsCache::with_clock(provider, Arc::new(SystemClock))
    }

    /// A cache reading time from `clock`.
    pub fn with_clock(provider: Arc<dyn Credentials>, clock: Arc<dyn Clock>) -> Self {
        CredentialsCache {
            inner: Arc::new(Shared {
                provider,
                clock,
                current: RwLock::new(None),
                generation: AtomicU64::new(0),
                fetch: tokio::sync::Mutex::new(None),
                background: AtomicBool::new(false),
                not_before: Mutex::new(None),
                fetches: AtomicU64::new(0),
            }),
        }
    }

    /// How many times the provider was asked for a new identity (for tests and measurements).
    pub fn fetch_count(&self) -> u64 {
        self.inner.fetches.load(Ordering::Relaxed)
    }

    /// The provider behind the cache.
    pub fn provider(&self) -> &Arc<dyn Credentials> {
        &self.inner.provider
    }

    /// Fetches a new identity now (waiting for it), whatever the cached one.
    pub async fn refresh(&self) -> Result<Identity, Error> {
        let seen = self.inner.generation.load(Ordering::Acquire);
        self.inner.clone().fetch(seen, true).await
    }
}

impl Shared {
    fn cached(&self) -> Option<Identity> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// One fetch at a time. A caller that waited while another fetch finished (the generation
    /// moved on since it looked) takes that result instead of fetching again.
    async fn fetch(self: Arc<Self>, seen: u64, force: bool) -> Result<Identity, Error> {
        let mut last_error = self.fetch.lock().await;
        if self.generation.load(Ordering::Acquire) != seen {
            let now = self.clock.now();
            match self.cached() {
                Some(id) if id.is_valid_at(now) && !force => return Ok(id),
                Some(id) if force => return Ok(id),
                _ => {
                    if let Some(e) = last_error.as_ref() {
                        return Err(Error::shared(e.clone()));
                    }
                }
            }
        }
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let result = self.provider.identity().await;
        let out = match result {
            Ok(id) => {
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(id.clone());
                *last_error = None;
                Ok(id)
            }
            Err(e) => {
                tracing::warn!(
                    provider = self.provider.provider_name(),
                    error = %e,
                    "credentials refresh failed"
                );
                let e = Arc::new(e);
                *last_error = Some(e.clone());
                Err(Error::shared(e))
            }
        };
        self.generation.fetch_add(1, Ordering::AcqRel);
        out
    }

    /// Starts one background refresh unless one runs, or a failed one is too recent.
    fn spawn_refresh(self: &Arc<Self>, now: SystemTime) {
        {
            let not_before = self.not_before.lock().unwrap_or_else(|p| p.into_inner());
            if not_before.is_some_and(|t| now < t) {
                return;
            }
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return; // No runtime: the refresh happens in the foreground once the token expires.
        };
        if self
            .background
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return;
        }
        let me = self.clone();
        let seen = self.generation.load(Ordering::Acquire);
        handle.spawn(async move {
            // Whatever the outcome, the next background attempt waits a little: after a failure
            // so the endpoint is not hammered, after a success in case the provider handed back
            // a token that is already due (a fixed resource-principal token, say).
            let _ = me.clone().fetch(seen, false).await;
            let next = me.clock.now() + BACKGROUND_RETRY;
            *me.not_before.lock().unwrap_or_else(|p| p.into_inner()) = Some(next);
            me.background.store(false, Ordering::Release);
        });
    }
}

impl Credentials for CredentialsCache {
    fn identity(&self) -> IdentityFuture<'_> {
        let seen = self.inner.generation.load(Ordering::Acquire);
        let now = self.inner.clock.now();
        if let Some(id) = self
            .inner
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            if id.is_valid_at(now) {
                if id.refresh_at().is_some_and(|r| now >= r) {
                    self.inner.spawn_refresh(now);
                }
                return IdentityFuture::ready(Ok(id.clone()));
            }
        }
        IdentityFuture::new(self.inner.clone().fetch(seen, false))
    }

    fn provider_name(&self) -> &'static str {
        self.inner.provider.provider_name()
    }

    fn region(&self) -> Option<Region> {
        self.inner.provider.region()
    }

    fn refreshes_on_unauthorized(&self) -> bool {
        self.inner.provider.refreshes_on_unauthorized()
    }

    fn invalidate(&self, rejected: &Identity) {
        let mut current = self
            .inner
            .current
            .write()
            .unwrap_or_else(|p| p.into_inner());
        if current.as_ref().is_some_and(|c| c.same_as(rejected)) {
            *current = None;
        }
    }
}

impl fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let current = self.inner.cached();
        f.debug_struct("CredentialsCache")
            .field("provider", &self.inner.provider)
            .field(
                "expires_at",
                &current.as_ref().and_then(Identity::expires_at),
            )
            .field("fetches", &self.fetch_count())
            .finish()
    }
}
