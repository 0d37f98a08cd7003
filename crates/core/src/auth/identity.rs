//! The credentials provider trait: an async source of signing identities.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use crate::auth::PrivateKey;
use crate::region::Region;
use crate::Error;

/// What a request is signed as: a `keyId`, the private key that goes with it, and how long the
/// pair may be used.
///
/// ```
/// use std::sync::Arc;
/// use std::time::{Duration, UNIX_EPOCH};
/// use oci_core::auth::{Identity, PrivateKey};
/// # fn key() -> Result<PrivateKey, oci_core::Error> { unimplemented!() }
/// # fn run() -> Result<(), oci_core::Error> {
/// let exp = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
/// let id = Identity::new("ST$eyJ...", Arc::new(key()?))
///     .with_expiry(exp)
///     .with_refresh_at(exp - Duration::from_secs(60));
/// assert_eq!(id.expires_at(), Some(exp));
/// assert!(format!("{id:?}").contains("ST$<redacted>"));
/// # Ok(()) }
/// ```
///
/// Cloning is two reference-count increments (no allocation), so a cache can hand one out per
/// request. `Debug` never shows a session token (`ST$...`) or the key.
#[derive(Clone)]
pub struct Identity {
    key_id: Arc<str>,
    key: Arc<PrivateKey>,
    expires_at: Option<SystemTime>,
    refresh_at: Option<SystemTime>,
    obo_token: Option<Arc<str>>,
}

impl Identity {
    /// An identity that never expires (an API key).
    pub fn new(key_id: impl Into<Arc<str>>, key: Arc<PrivateKey>) -> Self {
        Identity {
            key_id: key_id.into(),
            key,
            expires_at: None,
            refresh_at: None,
            obo_token: None,
        }
    }

    /// Adds a delegation token: the signer sends it as `opc-obo-token` and signs that header
    /// (Cloud Shell, acting on behalf of a user).
    pub fn with_obo_token(mut self, token: impl Into<Arc<str>>) -> Self {
        self.obo_token = Some(token.into());
        self
    }

    /// The delegation token, if any. Never log it.
    pub fn obo_token(&self) -> Option<&str> {
        self.obo_token.as_deref()
    }

    /// The instant after which the identity must not sign (a token's `exp`).
    pub fn with_expiry(mut self, at: SystemTime) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// The instant from which a cache should fetch a new identity in the background (the
    /// provider's refresh rule: `exp - 60 s` for instance principals, half the lifetime for OKE).
    pub fn with_refresh_at(mut self, at: SystemTime) -> Self {
        self.refresh_at = Some(at);
        self
    }

    /// The `keyId` of the Authorization header. It may hold a session token: never log it.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The key that signs.
    pub fn private_key(&self) -> &Arc<PrivateKey> {
        &self.key
    }

    /// When the identity expires, if it does.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// When a refresh is due: the value given, else 60 s before expiry, else never.
    pub fn refresh_at(&self) -> Option<SystemTime> {
        self.refresh_at.or_else(|| {
            self.expires_at
                .map(|e| e.checked_sub(DEFAULT_REFRESH_AHEAD).unwrap_or(e))
        })
    }

    /// Usable at `now`: before its expiry less a small safety margin.
    ///
    /// A request signed in a token's last moment can reach the service after the token expired
    /// (network time, clock skew) and be refused, so an expiring identity stops being used
    /// [`EXPIRY_MARGIN`] (5 s) before `exp`, or half the time between its refresh point and
    /// `exp` when that is shorter (very short tokens stay usable for most of their life).
    pub fn is_valid_at(&self, now: SystemTime) -> bool {
        let Some(exp) = self.expires_at else {
            return true;
        };
        let ahead = self
            .refresh_at()
            .and_then(|r| exp.duration_since(r).ok())
            .unwrap_or_default();
        let margin = EXPIRY_MARGIN.min(ahead / 2);
        now < exp.checked_sub(margin).unwrap_or(exp)
    }

    /// Whether `other` is this very identity (same key object and keyId).
    pub fn same_as(&self, other: &Identity) -> bool {
        Arc::ptr_eq(&self.key, &other.key) && self.key_id == other.key_id
    }
}

/// How long before `exp` an expiring identity stops signing (see [`Identity::is_valid_at`]).
pub const EXPIRY_MARGIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Python's `DEFAULT_EXPIRY_JITTER_SECONDS`: refresh 60 s before a token expires.
pub(crate) const DEFAULT_REFRESH_AHEAD: std::time::Duration = std::time::Duration::from_secs(60);

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key_id: &dyn fmt::Debug = if self.key_id.starts_with("ST$") {
            &"ST$<redacted>"
        } else {
            &self.key_id
        };
        f.debug_struct("Identity")
            .field("key_id", key_id)
            .field("key", &self.key)
            .field("expires_at", &self.expires_at)
            .field("refresh_at", &self.refresh_at)
            .field("obo_token", &self.obo_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

type BoxIdentityFuture<'a> = Pin<Box<dyn Future<Output = Result<Identity, Error>> + Send + 'a>>;

/// The future of [`Credentials::identity`]: either ready (no allocation: API keys, a cached
/// token) or boxed (a token fetch).
///
/// ```
/// # async fn run(creds: &dyn oci_core::auth::Credentials) -> Result<(), oci_core::Error> {
/// let mut fut = creds.identity();
/// let identity = match fut.take_ready() {
///     Some(ready) => ready?,        // signed synchronously
///     None => fut.await?,           // a token must be fetched first
/// };
/// # let _ = identity; Ok(()) }
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct IdentityFuture<'a>(Inner<'a>);

enum Inner<'a> {
    Ready(Option<Result<Identity, Error>>),
    Later(BoxIdentityFuture<'a>),
}

impl<'a> IdentityFuture<'a> {
    /// A future that is already complete.
    pub fn ready(result: Result<Identity, Error>) -> Self {
        IdentityFuture(Inner::Ready(Some(result)))
    }

    /// A future that completes later (boxed).
    pub fn new(fut: impl Future<Output = Result<Identity, Error>> + Send + 'a) -> Self {
        IdentityFuture(Inner::Later(Box::pin(fut)))
    }

    /// The result, if it is ready without polling; `None` (and the future untouched) otherwise.
    pub fn take_ready(&mut self) -> Option<Result<Identity, Error>> {
        match &mut self.0 {
            Inner::Ready(r) => r.take(),
            Inner::Later(_) => None,
        }
    }

    /// True when [`take_ready`](Self::take_ready) would give the result.
    pub fn is_ready(&self) -> bool {
        matches!(&self.0, Inner::Ready(Some(_)))
    }
}

impl Future for IdentityFuture<'_> {
    type Output = Result<Identity, Error>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.0 {
            Inner::Ready(r) => {
                Poll::Ready(r.take().unwrap_or_else(|| {
                    Err(Error::signing("IdentityFuture polled after completion"))
                }))
            }
            Inner::Later(f) => f.as_mut().poll(cx),
        }
    }
}

impl fmt::Debug for IdentityFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Inner::Ready(_) => "IdentityFuture::Ready",
            Inner::Later(_) => "IdentityFuture::Later",
        })
    }
}

/// Who signs: an async source of [`Identity`] values (keyId, key, expiry).
///
/// ```
/// use oci_core::auth::{ApiKeyCredentials, Credentials, PrivateKey};
/// # fn key() -> Result<PrivateKey, oci_core::Error> { unimplemented!() }
/// # fn run() -> Result<(), oci_core::Error> {
/// let creds = ApiKeyCredentials::new("ocid1.tenancy.oc1..t", "ocid1.user.oc1..u",
///     "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34", key()?);
/// assert_eq!(creds.key_id()?, "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34");
/// # Ok(()) }
/// ```
///
/// The sign layer calls [`identity`](Self::identity) once per attempt. When the future is
/// ready at once (API keys, session-token files, a [`CredentialsCache`](crate::auth::CredentialsCache)
/// holding a valid token) the request is signed synchronously, at no extra cost; otherwise the
/// layer awaits it. Token providers (instance principals, resource principals, OKE) fetch on
/// every call to `identity` and are meant to sit behind a `CredentialsCache`, which refreshes
/// ahead of expiry in the background.
pub trait Credentials: Send + Sync + fmt::Debug {
    /// The identity to sign the next request with.
    fn identity(&self) -> IdentityFuture<'_>;

    /// A short name for errors and traces, e.g. `instance_principal`.
    fn provider_name(&self) -> &'static str {
        "credentials"
    }

    /// The region this identity belongs to, when the provider knows it.
    fn region(&self) -> Option<Region> {
        None
    }

    /// True for token principals: a 401 from a service means the token may have been revoked,
    /// so the sign layer calls [`invalidate`](Self::invalidate) and resends the request once.
    fn refreshes_on_unauthorized(&self) -> bool {
        false
    }

    /// Drops `rejected` (a service answered 401 to it) so the next call fetches a new identity.
    /// Does nothing when the current identity is already another one.
    fn invalidate(&self, rejected: &Identity) {
        let _ = rejected;
    }

    /// The `keyId`, when the identity is ready without waiting (always for API keys).
    fn key_id(&self) -> Result<String, Error> {
        ready_identity(self).map(|i| i.key_id().to_owned())
    }

    /// The signing key, when the identity is ready without waiting (always for API keys).
    fn private_key(&self) -> Result<Arc<PrivateKey>, Error> {
        ready_identity(self).map(|i| i.private_key().clone())
    }
}

/// The identity of `creds` if it is ready now, else a signing error telling the caller to await.
pub(crate) fn ready_identity<C: Credentials + ?Sized>(creds: &C) -> Result<Identity, Error> {
    creds.identity().take_ready().unwrap_or_else(|| {
        Err(Error::signing(format!(
            "the {} credentials must fetch a token first: await Credentials::identity \
             (the sign layer does) instead of signing synchronously",
            creds.provider_name()
        )))
    })
}

impl<C: Credentials + ?Sized> Credentials for Arc<C> {
    fn identity(&self) -> IdentityFuture<'_> {
        (**self).identity()
    }
    fn provider_name(&self) -> &'static str {
        (**self).provider_name()
    }
    fn region(&self) -> Option<Region> {
        (**self).region()
    }
    fn refreshes_on_unauthorized(&self) -> bool {
        (**self).refreshes_on_unauthorized()
    }
    fn invalidate(&self, rejected: &Identity) {
        (**self).invalidate(rejected)
    }
}
