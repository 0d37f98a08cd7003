//! Instance principals: the instance's certificate from IMDS, exchanged for a session token.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::header::AUTHORIZATION;
use http::HeaderValue;

use crate::auth::federation::{self, Cert, FederationRequest};
use crate::auth::token_http::{self as th, Breaker, Retry, TokenTransport};
use crate::auth::{Credentials, CredentialsCache, Identity, IdentityFuture, PrivateKey};
use crate::clock::{Clock, SystemClock};
use crate::region::Region;
use crate::{Body, Error};

/// IMDS v2, IPv4 (A.10.1).
pub const DEFAULT_METADATA_BASE_URL: &str = "http://169.254.169.254/opc/v2";
/// IMDS v2 over IPv6, used when the host has no IPv4 route to IMDS.
pub const IPV6_METADATA_BASE_URL: &str = "http://[fd00:c1::a9fe:a9fe]/opc/v2";
const PROVIDER: &str = "instance_principal";

/// Signs as the compute instance: a session token from the federation service, exchanged for
/// the instance's X.509 certificate, which IMDS serves.
///
/// ```no_run
/// use std::sync::Arc;
/// use oci_core::auth::InstancePrincipal;
/// # async fn run() -> Result<(), oci_core::Error> {
/// let creds = InstancePrincipal::builder().build().await?; // a CredentialsCache
/// let client = oci_core::Client::builder().credentials(Arc::new(creds)).build()?;
/// # let _ = client; Ok(()) }
/// ```
///
/// - IMDS: `OCI_METADATA_BASE_URL` or [`metadata_base_url`](InstancePrincipalBuilder::metadata_base_url),
///   default `http://169.254.169.254/opc/v2` (`http://[fd00:c1::a9fe:a9fe]/opc/v2` when the host
///   has no IPv4 route to it); every call sends `Authorization: Bearer Oracle`;
///   up to 8 attempts in at most 180 s (404, 429, 5xx, connection errors), each bounded by 60 s.
/// - Federation: `https://auth.{region}.{domain}/v1/x509`, or `OCI_SDK_AUTH_CLIENT_REGION_URL`,
///   or [`federation_endpoint`](InstancePrincipalBuilder::federation_endpoint); 3 attempts
///   (5xx but 501, timeouts, connection errors) and a breaker (3 failures open it for 30–49 s;
///   `OCI_SDK_AUTH_CLIENT_CIRCUIT_BREAKER_ENABLED=false` turns it off).
/// - Each refresh fetches the certificates again, makes a fresh RSA-2048 session key, and fails
///   if the tenancy in the certificate changed. Refresh is due 60 s before the token expires.
pub struct InstancePrincipal {
    imds: String,
    federation: String,
    region: Region,
    transport: TokenTransport,
    breaker: Breaker,
    clock: Arc<dyn Clock>,
    imds_retry: Retry,
    refresh_ahead: Duration,
    tenancy: Mutex<Option<String>>,
}

impl fmt::Debug for InstancePrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstancePrincipal")
            .field("metadata_base_url", &self.imds)
            .field("federation_endpoint", &self.federation)
            .field("region", &self.region.id())
            .field("breaker", &self.breaker)
            .finish_non_exhaustive()
    }
}

/// Builds an [`InstancePrincipal`].
pub struct InstancePrincipalBuilder {
    imds: Option<String>,
    federation: Option<String>,
    region: Option<Region>,
    transport: Option<TokenTransport>,
    clock: Arc<dyn Clock>,
    imds_retry: Retry,
    breaker: bool,
}

impl fmt::Debug for InstancePrincipalBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstancePrincipalBuilder")
            .field("metadata_base_url", &self.imds)
            .field("federation_endpoint", &self.federation)
            .finish_non_exhaustive()
    }
}

impl InstancePrincipal {
    /// A builder with the defaults and environment variables above.
    pub fn builder() -> InstancePrincipalBuilder {
        InstancePrincipalBuilder {
            imds: None,
            federation: None,
            region: None,
            transport: None,
            clock: Arc::new(SystemClock),
            imds_retry: Retry::IMDS,
            breaker: true,
        }
    }

    /// The region (from IMDS unless set on the builder).
    pub fn region_of(&self) -> &Region {
        &self.region
    }

    /// The tenancy OCID of the last certificate fetched.
    pub fn tenancy_id(&self) -> Option<String> {
        self.tenancy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    async fn fetch(&self) -> Result<Identity, Error> {
        let leaf_pem = imds_get(
            &self.transport,
            &self.imds,
            "identity/cert.pem",
            self.imds_retry,
        )
        .await?;
        let key_pem = imds_get(
            &self.transport,
            &self.imds,
            "identity/key.pem",
            self.imds_retry,
        )
        .await?;
        let inter_pem = imds_get(
            &self.transport,
            &self.imds,
            "identity/intermediate.pem",
            self.imds_retry,
        )
        .await?;
        let bad =
            |path: &str, msg: String| Error::auth(PROVIDER, &format!("{}/{path}", self.imds), msg);
        let leaf = Cert::from_pem(leaf_pem.as_bytes(), "leaf certificate")
            .map_err(|m| bad("identity/cert.pem", m))?;
        let inter = Cert::from_pem(inter_pem.as_bytes(), "intermediate certificate")
            .map_err(|m| bad("identity/intermediate.pem", m))?;
        let leaf_key = PrivateKey::from_pem(key_pem.as_bytes(), None).map_err(|e| {
            bad(
                "identity/key.pem",
                format!("the leaf private key is unusable: {e}"),
            )
        })?;
        let tenancy = leaf.tenancy().ok_or_else(|| {
            bad(
                "identity/cert.pem",
                "the leaf certificate's subject has no opc-tenant: or opc-identity: attribute"
                    .into(),
            )
        })?;
        {
            let mut known = self.tenancy.lock().unwrap_or_else(|p| p.into_inner());
            match known.as_deref() {
                Some(t) if t != tenancy => {
                    return Err(bad(
                        "identity/cert.pem",
                        "unexpected update of tenancy OCID in the leaf certificate".into(),
                    ))
                }
                _ => *known = Some(tenancy.clone()),
            }
        }
        let (session_key, public) = federation::session_key(2048).await?;
        federation::federate(
            &self.transport,
            &self.breaker,
            &self.clock,
            FederationRequest {
                endpoint: &self.federation,
                tenancy: &tenancy,
                leaf: &leaf,
                leaf_key: &leaf_key,
                intermediates: std::slice::from_ref(&inter),
                session_public_key: &public,
                purpose: None,
            },
            session_key,
            self.refresh_ahead,
            PROVIDER,
        )
        .await
    }
}

impl Credentials for InstancePrincipal {
    fn identity(&self) -> IdentityFuture<'_> {
        IdentityFuture::new(self.fetch())
    }
    fn provider_name(&self) -> &'static str {
        PROVIDER
    }
    fn region(&self) -> Option<Region> {
        Some(self.region.clone())
    }
    fn refreshes_on_unauthorized(&self) -> bool {
        true
    }
}

/// The IPv4 IMDS unless the host has no IPv4 route to it (a UDP connect sends nothing and fails
/// at once without a route), then the IPv6 one, as the Python SDK chooses.
fn default_imds() -> String {
    let ipv4_route = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("169.254.169.254:80"))
        .is_ok();
    if ipv4_route {
        DEFAULT_METADATA_BASE_URL.to_owned()
    } else {
        IPV6_METADATA_BASE_URL.to_owned()
    }
}

/// `GET {base}/{path}` with `Authorization: Bearer Oracle` and the IMDS retry; the body as text.
pub(crate) async fn imds_get(
    transport: &TokenTransport,
    base: &str,
    path: &str,
    retry: Retry,
) -> Result<String, Error> {
    let url = format!("{}/{path}", base.trim_end_matches('/'));
    let make = || {
        http::Request::get(&url)
            .header(AUTHORIZATION, HeaderValue::from_static("Bearer Oracle"))
            .body(Body::empty())
            .map_err(|e| Error::auth(PROVIDER, &url, format!("bad metadata URL: {e}")))
    };
    let reply = th::send_with_retry(
        transport,
        &make,
        retry,
        &Breaker::off(),
        Duration::from_secs(60),
        "instance_metadata",
        &url,
    )
    .await?;
    if !reply.status.is_success() {
        return Err(th::status_error("instance_metadata", &url, &reply, ""));
    }
    String::from_utf8(reply.body.to_vec())
        .map_err(|_| Error::auth("instance_metadata", &url, "the answer is not UTF-8 text"))
}

impl InstancePrincipalBuilder {
    /// The IMDS base URL (default: `OCI_METADATA_BASE_URL`, else `http://169.254.169.254/opc/v2`).
    pub fn metadata_base_url(mut self, url: impl Into<String>) -> Self {
        self.imds = Some(url.into());
        self
    }

    /// The federation endpoint, without `/v1/x509` (default: `OCI_SDK_AUTH_CLIENT_REGION_URL`,
    /// else `https://auth.{region}.{domain}`).
    pub fn federation_endpoint(mut self, url: impl Into<String>) -> Self {
        self.federation = Some(url.into());
        self
    }

    /// The region (default: asked from IMDS `instance/region`).
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// The transport for IMDS and federation calls (default: hyper-util + rustls).
    pub fn transport(mut self, transport: impl crate::stack::StackService) -> Self {
        self.transport = Some(transport.into_stack());
        self
    }

    /// The clock the federation request's `date` and the cache read.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// IMDS attempts and total time (default 8 attempts within 180 s).
    pub fn imds_retry(mut self, attempts: u32, total: Duration) -> Self {
        self.imds_retry = Retry {
            attempts: attempts.max(1),
            total,
            ..Retry::IMDS
        };
        self
    }

    /// Turns the federation circuit breaker off (it is on by default).
    pub fn circuit_breaker(mut self, on: bool) -> Self {
        self.breaker = on;
        self
    }

    /// Resolves the region (asking IMDS when not set) and returns the provider, uncached.
    pub async fn build_provider(self) -> Result<InstancePrincipal, Error> {
        let transport = match self.transport {
            Some(t) => t,
            None => th::default_transport()?,
        };
        let imds = self
            .imds
            .or_else(|| {
                std::env::var("OCI_METADATA_BASE_URL")
                    .ok()
                    .filter(|s| !s.is_empty())
            })
            .unwrap_or_else(default_imds);
        let region = match self.region {
            Some(r) => r,
            None => {
                let text = imds_get(&transport, &imds, "instance/region", self.imds_retry).await?;
                let code = text.trim().to_ascii_lowercase();
                if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                {
                    return Err(Error::auth(
                        "instance_metadata",
                        &format!("{imds}/instance/region"),
                        "the region answer is not a region code or id",
                    ));
                }
                Region::new(&code)
            }
        };
        let federation = match self.federation.or_else(|| {
            std::env::var("OCI_SDK_AUTH_CLIENT_REGION_URL")
                .ok()
                .filter(|s| !s.is_empty())
        }) {
            Some(f) => f,
            None => {
                let sld = region.second_level_domain().ok_or_else(|| {
                    Error::config(format!(
                        "region {} has no known domain: set the federation endpoint",
                        region.id()
                    ))
                })?;
                format!("https://auth.{}.{sld}", region.id())
            }
        };
        Ok(InstancePrincipal {
            imds,
            federation,
            region,
            transport,
            breaker: if self.breaker {
                Breaker::federation()
            } else {
                Breaker::off()
            },
            clock: self.clock,
            imds_retry: self.imds_retry,
            refresh_ahead: crate::auth::identity::DEFAULT_REFRESH_AHEAD,
            tenancy: Mutex::new(None),
        })
    }

    /// [`build_provider`](Self::build_provider) behind a [`CredentialsCache`] on the same clock.
    pub async fn build(self) -> Result<CredentialsCache, Error> {
        let clock = self.clock.clone();
        let provider = self.build_provider().await?;
        Ok(CredentialsCache::with_clock(Arc::new(provider), clock))
    }
}
