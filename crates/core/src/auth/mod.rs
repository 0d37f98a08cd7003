//! Authentication: credentials providers, their cache, private keys and the OCI request signer.
//!
//! # Which provider to use where
//!
//! | Where the code runs | Provider | Set up with |
//! |---|---|---|
//! | A laptop or CI with an API key | [`ApiKeyCredentials`] | `~/.oci/config` ([`Config`](crate::Config)) |
//! | A laptop after `oci session authenticate` | [`SessionTokenCredentials`] | the profile's `security_token_file` |
//! | A compute instance (VM, bare metal) | [`InstancePrincipal`] | a dynamic group + policy for the instance; nothing on the host |
//! | OCI Functions, other resources with resource principals | [`ResourcePrincipal`] (v2.2) | the `OCI_RESOURCE_PRINCIPAL_*` environment the service sets |
//! | Cloud Shell (instance principal acting for the user) | [`DelegationToken`] over [`InstancePrincipal`] | the profile's `delegation_token_file` (`OCI_CLI_AUTH=instance_obo_user`) |
//! | A pod on an OKE enhanced cluster | [`OkeWorkloadIdentity`] | a policy for the workload (namespace + service account) |
//! | Not sure / all of the above | [`default_credentials`] | nothing: it picks the first that applies |
//!
//! [`default_credentials`] tries, in order: an explicit choice (`OCI_CLI_AUTH`:
//! `api_key`, `security_token`, `instance_principal`, `resource_principal`,
//! `oke_workload_identity`), resource principals (`OCI_RESOURCE_PRINCIPAL_VERSION` is set), the
//! config file (`OCI_CONFIG_FILE` or `~/.oci/config`), OKE workload identity (a service-account
//! token and `KUBERNETES_SERVICE_HOST`), and instance principals (IMDS).
//!
//! ```no_run
//! # async fn run() -> Result<(), oci_core::Error> {
//! let client = oci_core::Client::builder()
//!     .default_credentials()
//!     .await? // credentials and, where the provider knows it, the region
//!     .build()?;
//!
//! // Or name one explicitly:
//! use std::sync::Arc;
//! let creds = oci_core::auth::InstancePrincipal::builder().build().await?;
//! let client = oci_core::Client::builder()
//!     .credentials(Arc::new(creds)) // the region comes from the provider
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! Token principals (instance, resource, OKE) come wrapped in a [`CredentialsCache`]: the token
//! is refreshed in the background before it expires (60 s before for instance principals, at
//! half its lifetime for OKE), one fetch serves every concurrent caller, a failed refresh keeps
//! the old token while it is valid, and a 401 from a service triggers one refresh and one
//! resend. A failing token endpoint is an [`ErrorKind::Auth`](crate::ErrorKind::Auth) error
//! ([`Error::is_auth`](crate::Error::is_auth)) naming the provider, the endpoint and its opc-request-id.

use std::fmt;
use std::sync::Arc;

pub mod cache;
pub mod chain;
pub mod delegation;
pub(crate) mod federation;
pub mod identity;
pub mod instance;
pub mod jwt;
pub mod key;
pub mod oke;
pub mod resource;
pub mod session;
pub mod signer;
pub mod token_http;

pub use cache::CredentialsCache;
pub use chain::{default_credentials, ResolvedCredentials};
pub use delegation::DelegationToken;
pub use identity::{Credentials, Identity, IdentityFuture, EXPIRY_MARGIN};
pub use instance::{InstancePrincipal, InstancePrincipalBuilder};
pub use key::{KeyError, PrivateKey, SIGNING_BACKEND};
pub use oke::{OkeWorkloadIdentity, OkeWorkloadIdentityBuilder};
pub use resource::{ResourcePrincipal, ResourcePrincipalBuilder};
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

/// API-key credentials: `keyId = tenancy/user/fingerprint`.
///
/// ```
/// use oci_core::auth::{ApiKeyCredentials, Credentials, PrivateKey};
/// # fn key() -> Result<PrivateKey, oci_core::Error> { unimplemented!() }
/// # fn run() -> Result<(), oci_core::Error> {
/// let creds = ApiKeyCredentials::new("ocid1.tenancy.oc1..t", "ocid1.user.oc1..u", "aa:bb", key()?);
/// assert_eq!(creds.key_id()?, "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/aa:bb");
/// # Ok(()) }
/// ```
///
/// Its [`identity`](Credentials::identity) is always ready: signing with it costs two
/// reference-count increments more than the RSA signature, nothing else.
#[derive(Clone)]
pub struct ApiKeyCredentials {
    identity: Identity,
}

impl ApiKeyCredentials {
    /// Credentials for a user's API key.
    pub fn new(tenancy: &str, user: &str, fingerprint: &str, key: PrivateKey) -> Self {
        ApiKeyCredentials {
            identity: Identity::new(format!("{tenancy}/{user}/{fingerprint}"), Arc::new(key)),
        }
    }
}

impl fmt::Debug for ApiKeyCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyCredentials")
            .field("key_id", &self.identity.key_id())
            .field("key", self.identity.private_key())
            .finish()
    }
}

impl Credentials for ApiKeyCredentials {
    fn identity(&self) -> IdentityFuture<'_> {
        IdentityFuture::ready(Ok(self.identity.clone()))
    }
    fn provider_name(&self) -> &'static str {
        "api_key"
    }
}
