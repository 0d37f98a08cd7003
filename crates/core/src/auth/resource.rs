//! Resource principals v2.2 (OCI Functions and other resources): an RPST and a private key
//! handed to the process as values or file paths.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::auth::federation::token_identity;
use crate::auth::identity::DEFAULT_REFRESH_AHEAD;
use crate::auth::{
    jwt, Credentials, CredentialsCache, Identity, IdentityFuture, PrivateKey, Secret,
};
use crate::clock::{Clock, SystemClock};
use crate::region::Region;
use crate::Error;

const PROVIDER: &str = "resource_principal";

/// `OCI_RESOURCE_PRINCIPAL_VERSION`.
pub const ENV_VERSION: &str = "OCI_RESOURCE_PRINCIPAL_VERSION";
/// `OCI_RESOURCE_PRINCIPAL_RPST`: the token, or an absolute path to a file holding it.
pub const ENV_RPST: &str = "OCI_RESOURCE_PRINCIPAL_RPST";
/// `OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM`: the PEM key, or an absolute path to it.
pub const ENV_PRIVATE_PEM: &str = "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM";
/// `OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM_PASSPHRASE`: optional, a value or an absolute path.
pub const ENV_PASSPHRASE: &str = "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM_PASSPHRASE";
/// `OCI_RESOURCE_PRINCIPAL_REGION`: a region id or short code.
pub const ENV_REGION: &str = "OCI_RESOURCE_PRINCIPAL_REGION";

/// A value given directly, or an absolute path to a file holding it (read on every refresh).
#[derive(Clone)]
enum Source {
    Value(Secret),
    File(PathBuf),
}

impl Source {
    /// Python's rule: an absolute path is a file, anything else the value itself.
    fn parse(s: &str) -> Source {
        if Path::new(s).is_absolute() {
            Source::File(PathBuf::from(s))
        } else {
            Source::Value(Secret::new(s))
        }
    }

    fn read(&self, what: &str) -> Result<String, Error> {
        match self {
            Source::Value(v) => Ok(v.expose().to_owned()),
            Source::File(p) => std::fs::read_to_string(p).map_err(|e| {
                Error::auth(
                    PROVIDER,
                    &p.display().to_string(),
                    format!("cannot read the {what} file: {e}"),
                )
            }),
        }
    }

    fn describe(&self) -> String {
        match self {
            Source::Value(_) => "environment".to_owned(),
            Source::File(p) => p.display().to_string(),
        }
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Value(_) => f.write_str("<value redacted>"),
            Source::File(p) => write!(f, "file {}", p.display()),
        }
    }
}

/// Resource principals v2.2: signs with keyId `ST$<RPST>` and the resource's private key.
///
/// ```no_run
/// use std::sync::Arc;
/// use oci_core::auth::ResourcePrincipal;
/// // In an OCI Function: the platform sets OCI_RESOURCE_PRINCIPAL_* for the process.
/// let creds = ResourcePrincipal::from_env()?; // a CredentialsCache
/// let client = oci_core::Client::builder().credentials(Arc::new(creds)).build()?;
/// # let _ = client; Ok::<(), oci_core::Error>(())
/// ```
///
/// Configuration (environment, or the same strings through [`ResourcePrincipal::builder`]):
/// `OCI_RESOURCE_PRINCIPAL_VERSION=2.2`; `OCI_RESOURCE_PRINCIPAL_RPST` and
/// `OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM`, each the value itself or an absolute path to a file;
/// optional `OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM_PASSPHRASE` (value or path);
/// `OCI_RESOURCE_PRINCIPAL_REGION` (id or short code). Files are read again on each refresh
/// (60 s before the token expires, or after a 401), so a platform that rotates them is
/// followed. The token's `res_tenant` and `res_compartment` claims are
/// [`tenancy_id`](Self::tenancy_id) and [`compartment_id`](Self::compartment_id).
/// Versions 1.1, 2.1.x and 3.0 are not supported yet: they fail with a config error.
pub struct ResourcePrincipal {
    rpst: Source,
    key: Source,
    passphrase: Option<Source>,
    region: Option<Region>,
    claims: Mutex<(Option<String>, Option<String>)>,
}

impl fmt::Debug for ResourcePrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourcePrincipal")
            .field("rpst", &self.rpst)
            .field("private_pem", &self.key)
            .field(
                "passphrase",
                &self.passphrase.as_ref().map(|_| "<redacted>"),
            )
            .field("region", &self.region.as_ref().map(Region::id))
            .finish()
    }
}

/// Builds a [`ResourcePrincipal`] from explicit values (each a value or an absolute path).
#[derive(Debug)]
pub struct ResourcePrincipalBuilder {
    rpst: Option<Source>,
    key: Option<Source>,
    passphrase: Option<Source>,
    region: Option<Region>,
    clock: Arc<dyn Clock>,
}

impl ResourcePrincipal {
    /// A builder; nothing is read until [`build`](ResourcePrincipalBuilder::build).
    pub fn builder() -> ResourcePrincipalBuilder {
        ResourcePrincipalBuilder {
            rpst: None,
            key: None,
            passphrase: None,
            region: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// From the `OCI_RESOURCE_PRINCIPAL_*` environment, behind a [`CredentialsCache`].
    pub fn from_env() -> Result<CredentialsCache, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())?.build()
    }

    /// The builder the environment describes; `lookup` reads a variable.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<ResourcePrincipalBuilder, Error> {
        let version = lookup(ENV_VERSION)
            .ok_or_else(|| Error::config(format!("{ENV_VERSION} is not defined")))?;
        if version.trim() != "2.2" {
            return Err(Error::config(format!(
                "unsupported {ENV_VERSION}: {version} (oci-tower supports 2.2)"
            )));
        }
        let mut b = ResourcePrincipal::builder();
        if let Some(v) = lookup(ENV_RPST) {
            b = b.rpst(&v);
        }
        if let Some(v) = lookup(ENV_PRIVATE_PEM) {
            b = b.private_pem(&v);
        }
        if let Some(v) = lookup(ENV_PASSPHRASE).filter(|v| !v.is_empty()) {
            b = b.passphrase(&v);
        }
        if let Some(v) = lookup(ENV_REGION).filter(|v| !v.trim().is_empty()) {
            b = b.region(Region::new(v.trim()));
        }
        Ok(b)
    }

    /// The tenancy OCID (`res_tenant` claim of the last token read).
    pub fn tenancy_id(&self) -> Option<String> {
        self.claims
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .clone()
    }

    /// The compartment OCID (`res_compartment` claim of the last token read).
    pub fn compartment_id(&self) -> Option<String> {
        self.claims
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clone()
    }

    fn load(&self) -> Result<Identity, Error> {
        let where_ = self.rpst.describe();
        let token = self.rpst.read("RPST")?;
        let token = token.trim();
        let claims = jwt::parse(token)
            .map_err(|e| Error::auth(PROVIDER, &where_, format!("the RPST is unusable: {e}")))?;
        let passphrase = match &self.passphrase {
            Some(p) => Some(
                p.read("passphrase")?
                    .trim_end_matches(['\r', '\n'])
                    .to_owned(),
            ),
            None => None,
        };
        let pem = self.key.read("private key")?;
        let key = PrivateKey::from_pem(pem.as_bytes(), passphrase.as_deref()).map_err(|e| {
            Error::auth(
                PROVIDER,
                &self.key.describe(),
                format!("the private key is unusable: {e}"),
            )
        })?;
        *self.claims.lock().unwrap_or_else(|p| p.into_inner()) = (
            claims.string("res_tenant").map(str::to_owned),
            claims.string("res_compartment").map(str::to_owned),
        );
        token_identity(
            token,
            Arc::new(key),
            DEFAULT_REFRESH_AHEAD,
            PROVIDER,
            &where_,
        )
    }
}

impl Credentials for ResourcePrincipal {
    /// Reads (and parses) the token and key: ready at once, no network.
    fn identity(&self) -> IdentityFuture<'_> {
        IdentityFuture::ready(self.load())
    }
    fn provider_name(&self) -> &'static str {
        PROVIDER
    }
    fn region(&self) -> Option<Region> {
        self.region.clone()
    }
    fn refreshes_on_unauthorized(&self) -> bool {
        true
    }
}

impl ResourcePrincipalBuilder {
    /// The RPST, or an absolute path to a file holding it.
    pub fn rpst(mut self, value_or_path: &str) -> Self {
        self.rpst = Some(Source::parse(value_or_path.trim()));
        self
    }
    /// The PEM private key, or an absolute path to it.
    pub fn private_pem(mut self, value_or_path: &str) -> Self {
        self.key = Some(Source::parse(value_or_path.trim()));
        self
    }
    /// The key's passphrase, or an absolute path to a file holding it.
    pub fn passphrase(mut self, value_or_path: &str) -> Self {
        self.passphrase = Some(Source::parse(value_or_path));
        self
    }
    /// The region.
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }
    /// The clock of the cache [`build`](Self::build) puts in front.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The provider, uncached. Reads and checks the token and key once, so bad input fails here.
    pub fn build_provider(self) -> Result<ResourcePrincipal, Error> {
        let missing = |name: &str| Error::config(format!("{name} is not defined"));
        let p = ResourcePrincipal {
            rpst: self.rpst.ok_or_else(|| missing(ENV_RPST))?,
            key: self.key.ok_or_else(|| missing(ENV_PRIVATE_PEM))?,
            passphrase: self.passphrase,
            region: self.region,
            claims: Mutex::new((None, None)),
        };
        p.load()?;
        Ok(p)
    }

    /// [`build_provider`](Self::build_provider) behind a [`CredentialsCache`].
    pub fn build(self) -> Result<CredentialsCache, Error> {
        let clock = self.clock.clone();
        Ok(CredentialsCache::with_clock(
            Arc::new(self.build_provider()?),
            clock,
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::auth::jwt::tests::jwt;
    use crate::ErrorKind;

    const KEY: &str = include_str!("../../tests/fixtures/signing/key.pem");

    fn token() -> String {
        jwt(
            &serde_json::json!({"exp": 2_000_000_000u64, "iat": 1_999_990_000u64,
            "res_tenant": "ocid1.tenancy.oc1..rt", "res_compartment": "ocid1.compartment.oc1..rc"}),
        )
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[tokio::test]
    async fn values_from_the_environment() {
        let t = token();
        let b = ResourcePrincipal::from_lookup(env(&[
            (ENV_VERSION, "2.2"),
            (ENV_RPST, &t),
            (ENV_PRIVATE_PEM, KEY),
            (ENV_REGION, "phx"),
        ]))
        .unwrap();
        let p = b.build_provider().unwrap();
        assert_eq!(p.region().unwrap().id(), "us-phoenix-1");
        let id = p.identity().await.unwrap();
        assert_eq!(id.key_id(), format!("ST${t}"));
        assert_eq!(p.tenancy_id().as_deref(), Some("ocid1.tenancy.oc1..rt"));
        assert_eq!(
            p.compartment_id().as_deref(),
            Some("ocid1.compartment.oc1..rc")
        );
        let debug = format!("{p:?} {id:?}");
        assert!(
            !debug.contains(&t) && !debug.contains("PRIVATE KEY"),
            "{debug}"
        );
    }

    #[tokio::test]
    async fn files_are_read_again_on_refresh() {
        let dir = tempfile::tempdir().unwrap();
        let tok = dir.path().join("rpst");
        let key = dir.path().join("key.pem");
        std::fs::write(&tok, token()).unwrap();
        std::fs::write(&key, KEY).unwrap();
        let p = ResourcePrincipal::builder()
            .rpst(tok.to_str().unwrap())
            .private_pem(key.to_str().unwrap())
            .build_provider()
            .unwrap();
        let second = jwt(&serde_json::json!({"exp": 2_100_000_000u64, "res_tenant": "t2"}));
        std::fs::write(&tok, &second).unwrap();
        let id = p.identity().await.unwrap();
        assert_eq!(id.key_id(), format!("ST${second}"));
        assert_eq!(p.tenancy_id().as_deref(), Some("t2"));
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let t = token();
        let cases: Vec<(Vec<(&str, &str)>, ErrorKind)> = vec![
            (vec![], ErrorKind::Config),
            (vec![(ENV_VERSION, "1.1")], ErrorKind::Config),
            (
                vec![(ENV_VERSION, "2.2"), (ENV_PRIVATE_PEM, KEY)],
                ErrorKind::Config,
            ),
            (
                vec![
                    (ENV_VERSION, "2.2"),
                    (ENV_RPST, "not-a-jwt"),
                    (ENV_PRIVATE_PEM, KEY),
                ],
                ErrorKind::Auth,
            ),
            (
                vec![
                    (ENV_VERSION, "2.2"),
                    (ENV_RPST, &t),
                    (ENV_PRIVATE_PEM, "garbage"),
                ],
                ErrorKind::Auth,
            ),
            (
                vec![
                    (ENV_VERSION, "2.2"),
                    (ENV_RPST, "/nonexistent/rpst"),
                    (ENV_PRIVATE_PEM, KEY),
                ],
                ErrorKind::Auth,
            ),
        ];
        for (vars, kind) in cases {
            let err = ResourcePrincipal::from_lookup(env(&vars))
                .and_then(ResourcePrincipalBuilder::build_provider)
                .expect_err("bad input");
            assert_eq!(err.kind(), kind, "{vars:?}: {err}");
            assert!(!err.to_string().contains("MII"), "no key material: {err}");
            assert!(!err.to_string().contains(&t[..20]), "no token: {err}");
        }
    }
}
