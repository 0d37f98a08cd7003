//! OKE workload identity: a pod's service-account token exchanged at the proxymux for an RPST.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::Engine as _;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::HeaderValue;
use x509_cert::der::Encode;

use crate::auth::federation::{self, token_identity};
use crate::auth::token_http::{self as th, Breaker, Retry, TokenTransport};
use crate::auth::{jwt, Credentials, CredentialsCache, Identity, IdentityFuture};
use crate::clock::{Clock, SystemClock};
use crate::region::Region;
use crate::transport::HttpTransport;
use crate::{Body, Error};

const PROVIDER: &str = "oke_workload_identity";
/// The service-account token Kubernetes mounts in every pod.
pub const DEFAULT_SA_TOKEN_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount/token";
/// The cluster CA Kubernetes mounts in every pod (`OCI_KUBERNETES_SERVICE_ACCOUNT_CERT_PATH`).
pub const DEFAULT_SA_CERT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
/// The proxymux port on `KUBERNETES_SERVICE_HOST`.
pub const PROXYMUX_PORT: u16 = 12250;

/// Signs as a Kubernetes workload on an OKE enhanced cluster.
///
/// ```no_run
/// use std::sync::Arc;
/// use oci_core::auth::OkeWorkloadIdentity;
/// let creds = OkeWorkloadIdentity::builder().build()?; // a CredentialsCache
/// let client = oci_core::Client::builder()
///     .credentials(Arc::new(creds))
///     .region(oci_core::Region::new("us-ashburn-1"))
///     .build()?;
/// # let _ = client; Ok::<(), oci_core::Error>(())
/// ```
///
/// Each refresh makes a fresh RSA-2048 session key and posts `{"podKey": <public key>}` to
/// `https://$KUBERNETES_SERVICE_HOST:12250/resourcePrincipalSessionTokens` with
/// `Authorization: Bearer <service-account token>` (the token file is read each time), trusting
/// only the cluster CA (`OCI_KUBERNETES_SERVICE_ACCOUNT_CERT_PATH`, default
/// `/var/run/secrets/kubernetes.io/serviceaccount/ca.crt`). The answer is base64 of
/// `{"token":"ST$<jwt>"}`. Refresh is due at half the token's lifetime; the SDK default retry
/// (8 attempts, 429 and 5xx) applies. A 403 means the cluster is not an enhanced cluster.
pub struct OkeWorkloadIdentity {
    endpoint: String,
    sa_token_path: PathBuf,
    transport: TokenTransport,
    region: Option<Region>,
    key_bits: usize,
}

impl fmt::Debug for OkeWorkloadIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OkeWorkloadIdentity")
            .field("endpoint", &self.endpoint)
            .field("service_account_token", &self.sa_token_path)
            .field("region", &self.region.as_ref().map(Region::id))
            .finish()
    }
}

/// Builds an [`OkeWorkloadIdentity`].
pub struct OkeWorkloadIdentityBuilder {
    endpoint: Option<String>,
    sa_token_path: PathBuf,
    ca_path: Option<PathBuf>,
    transport: Option<TokenTransport>,
    region: Option<Region>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for OkeWorkloadIdentityBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OkeWorkloadIdentityBuilder")
            .field("endpoint", &self.endpoint)
            .field("service_account_token", &self.sa_token_path)
            .field("ca", &self.ca_path)
            .finish_non_exhaustive()
    }
}

impl OkeWorkloadIdentity {
    /// A builder with the pod defaults above.
    pub fn builder() -> OkeWorkloadIdentityBuilder {
        OkeWorkloadIdentityBuilder {
            endpoint: None,
            sa_token_path: PathBuf::from(DEFAULT_SA_TOKEN_PATH),
            ca_path: None,
            transport: None,
            region: None,
            clock: Arc::new(SystemClock),
        }
    }

    async fn fetch(&self) -> Result<Identity, Error> {
        let sa = std::fs::read_to_string(&self.sa_token_path).map_err(|e| {
            Error::auth(
                PROVIDER,
                &self.endpoint,
                format!(
                    "cannot read the service-account token {}: {e}",
                    self.sa_token_path.display()
                ),
            )
        })?;
        let sa = sa.trim();
        let mut bearer = HeaderValue::from_str(&format!("Bearer {sa}")).map_err(|_| {
            Error::auth(
                PROVIDER,
                &self.endpoint,
                "the service-account token is not a header value",
            )
        })?;
        bearer.set_sensitive(true);
        let (key, public) = federation::session_key(self.key_bits).await?;
        let body = serde_json::to_vec(&serde_json::json!({ "podKey": public }))
            .map_err(|e| Error::signing(e.to_string()))?;
        let make = || {
            http::Request::post(&self.endpoint)
                .header(AUTHORIZATION, bearer.clone())
                .header(CONTENT_TYPE, "application/json")
                .header("opc-request-id", crate::layers::sign::new_request_id())
                .body(Body::from_bytes(body.clone()))
                .map_err(|e| Error::auth(PROVIDER, &self.endpoint, format!("bad endpoint: {e}")))
        };
        let reply = th::send_with_retry(
            &self.transport,
            &make,
            Retry::DEFAULT,
            &Breaker::off(),
            Duration::from_secs(60),
            PROVIDER,
            &self.endpoint,
        )
        .await?;
        if reply.status == http::StatusCode::FORBIDDEN {
            return Err(th::status_error(
                PROVIDER,
                &self.endpoint,
                &reply,
                "please ensure the cluster type is enhanced",
            ));
        }
        if !reply.status.is_success() {
            return Err(th::status_error(
                PROVIDER,
                &self.endpoint,
                &reply,
                "failed to get an RPST from the proxymux",
            ));
        }
        let token = decode_token(&reply.body).map_err(|m| {
            Error::auth(PROVIDER, &self.endpoint, m)
                .with_opc_request_id_if_missing(|| reply.request_id())
        })?;
        let claims = jwt::parse(&token).map_err(|e| {
            Error::auth(PROVIDER, &self.endpoint, e.to_string())
                .with_opc_request_id_if_missing(|| reply.request_id())
        })?;
        let id = token_identity(
            &token,
            key,
            crate::auth::identity::DEFAULT_REFRESH_AHEAD,
            PROVIDER,
            &self.endpoint,
        )?;
        // Half the lifetime (valid_with_half_expiration_time).
        Ok(match (claims.issued_at, claims.lifetime()) {
            (Some(iat), Some(life)) => id.with_refresh_at(iat + life / 2),
            _ => id,
        })
    }
}

/// The proxymux answer: base64 of `{"token":"ST$<jwt>"}` (quotes and whitespace tolerated).
fn decode_token(body: &[u8]) -> Result<String, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the answer is not text".to_owned())?;
    let text = text.trim().trim_matches('"');
    let json = STANDARD
        .decode(text)
        .or_else(|_| URL_SAFE.decode(text))
        .map_err(|_| "the answer is not base64".to_owned())?;
    let v: serde_json::Value =
        serde_json::from_slice(&json).map_err(|_| "the decoded answer is not JSON".to_owned())?;
    let token = v
        .get("token")
        .and_then(|t| t.as_str())
        .ok_or_else(|| "could not find token in the decoded answer".to_owned())?;
    Ok(token.strip_prefix("ST$").unwrap_or(token).to_owned())
}

impl Credentials for OkeWorkloadIdentity {
    fn identity(&self) -> IdentityFuture<'_> {
        IdentityFuture::new(self.fetch())
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

impl OkeWorkloadIdentityBuilder {
    /// The proxymux base URL, without `/resourcePrincipalSessionTokens` (default
    /// `https://$KUBERNETES_SERVICE_HOST:12250`); plain `http://` works for tests.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }
    /// The service-account token file.
    pub fn service_account_token_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.sa_token_path = path.into();
        self
    }
    /// The CA file the proxymux certificate must chain to.
    pub fn ca_cert_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_path = Some(path.into());
        self
    }
    /// The region (default: `OCI_RESOURCE_PRINCIPAL_REGION` when set).
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }
    /// The clock of the cache [`build`](Self::build) puts in front.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
    /// The transport (default: hyper-util + rustls trusting only the cluster CA).
    pub fn transport(mut self, transport: impl crate::stack::StackService) -> Self {
        self.transport = Some(transport.into_stack());
        self
    }

    /// The provider, uncached (no network yet; the CA file is read now).
    pub fn build_provider(self) -> Result<OkeWorkloadIdentity, Error> {
        let base = match self.endpoint {
            Some(e) => e,
            None => {
                let host = std::env::var("KUBERNETES_SERVICE_HOST")
                    .ok()
                    .filter(|h| !h.is_empty())
                    .ok_or_else(|| Error::config("KUBERNETES_SERVICE_HOST is not set"))?;
                let host = if host.contains(':') && !host.starts_with('[') {
                    format!("[{host}]")
                } else {
                    host
                };
                format!("https://{host}:{PROXYMUX_PORT}")
            }
        };
        let endpoint = format!(
            "{}/resourcePrincipalSessionTokens",
            base.trim_end_matches('/')
        );
        let transport = match self.transport {
            Some(t) => t,
            None => {
                let ca = self
                    .ca_path
                    .or_else(|| {
                        std::env::var_os("OCI_KUBERNETES_SERVICE_ACCOUNT_CERT_PATH")
                            .map(PathBuf::from)
                    })
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_SA_CERT_PATH));
                th::boxed(HttpTransport::with_roots(
                    Duration::from_secs(10),
                    load_roots(&ca)?,
                )?)
            }
        };
        let region = self.region.or_else(|| {
            std::env::var(crate::auth::resource::ENV_REGION)
                .ok()
                .filter(|r| !r.trim().is_empty())
                .map(|r| Region::new(r.trim()))
        });
        Ok(OkeWorkloadIdentity {
            endpoint,
            sa_token_path: self.sa_token_path,
            transport,
            region,
            key_bits: 2048,
        })
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

/// The certificates of a PEM CA file as rustls roots.
fn load_roots(path: &std::path::Path) -> Result<rustls::RootCertStore, Error> {
    let bad = |m: String| Error::config(format!("the CA file {}: {m}", path.display()));
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let certs = x509_cert::Certificate::load_pem_chain(&pem).map_err(|e| bad(e.to_string()))?;
    let mut roots = rustls::RootCertStore::empty();
    for c in certs {
        let der = c.to_der().map_err(|e| bad(e.to_string()))?;
        roots
            .add(rustls::pki_types::CertificateDer::from(der))
            .map_err(|e| bad(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(bad("no certificate in it".into()));
    }
    Ok(roots)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn proxymux_answers_decode_or_fail_typed() {
        let inner = r#"{"token":"ST$a.b.c"}"#;
        let good = STANDARD.encode(inner);
        assert_eq!(decode_token(good.as_bytes()).unwrap(), "a.b.c");
        assert_eq!(
            decode_token(format!("\"{good}\"\n").as_bytes()).unwrap(),
            "a.b.c"
        );
        for bad in [
            &b"\xff\xfe"[..],
            b"!!!",
            STANDARD.encode("nope").as_bytes(),
            STANDARD.encode("{}").as_bytes(),
        ] {
            assert!(decode_token(bad).is_err());
        }
    }

    #[test]
    fn a_missing_or_bad_ca_file_is_a_config_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = load_roots(&dir.path().join("none")).unwrap_err();
        assert!(e.is_config());
        let p = dir.path().join("ca.crt");
        std::fs::write(&p, "not a cert").unwrap();
        assert!(load_roots(&p).unwrap_err().is_config());
    }
}
