//! Authentication: private keys, credentials and the OCI request signer.

use std::fmt;
use std::sync::Arc;

use crate::Error;

pub mod key;
pub mod session;
pub mod signer;

pub use key::{KeyError, PrivateKey, SIGNING_BACKEND};
pub use session::{SessionTokenCredentials, SessionTokenError};
pub use signer::{NoSigning, RequestSigner, Signer};

/// A secret string (passphrase, token): its `Debug` never shows the value.
///
/// ```
/// use oci_core::auth::Secret;
/// let s = Secret::new("hunter2");
/// assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
/// assert_eq!(s.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret value. Name the place you use it; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}
impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// Who signs: a `keyId` and the private key that goes with it.
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
/// Implement it for other credential sources (instance principals, a vault); the signer only
/// asks for these two things, on every attempt, so a provider may refresh between calls.
pub trait Credentials: Send + Sync + fmt::Debug {
    /// The `keyId` of the Authorization header.
    fn key_id(&self) -> Result<String, Error>;
    /// The key that signs.
    fn private_key(&self) -> Result<Arc<PrivateKey>, Error>;
}

/// API-key credentials: `keyId = tenancy/user/fingerprint`.
#[derive(Clone)]
pub struct ApiKeyCredentials {
    key_id: String,
    key: Arc<PrivateKey>,
}

impl ApiKeyCredentials {
    /// Credentials for a user's API key.
    pub fn new(tenancy: &str, user: &str, fingerprint: &str, key: PrivateKey) -> Self {
        ApiKeyCredentials {
            key_id: format!("{tenancy}/{user}/{fingerprint}"),
            key: Arc::new(key),
        }
    }
}

impl fmt::Debug for ApiKeyCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyCredentials")
            .field("key_id", &self.key_id)
            .field("key", &self.key)
            .finish()
    }
}

impl Credentials for ApiKeyCredentials {
    fn key_id(&self) -> Result<String, Error> {
        Ok(self.key_id.clone())
    }
    fn private_key(&self) -> Result<Arc<PrivateKey>, Error> {
        Ok(self.key.clone())
    }
}
