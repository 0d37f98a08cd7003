//! The default transport: a pooled hyper-util client with rustls.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tower::Service;

use std::error::Error as _;

use crate::{Body, Error, ErrorKind, TimeoutScope};

mod options;
mod proxy;
mod tls;

pub use options::HttpTransportBuilder;
pub use proxy::{Proxy, ProxyMode};
pub use tls::{parse_ca_bundle, read_ca_bundle, CA_BUNDLE_ENV};

type Inner =
    hyper_util::client::legacy::Client<hyper_rustls::HttpsConnector<proxy::ProxyConnector>, Body>;

/// The default HTTP transport: hyper-util's pooled client over rustls (aws-lc-rs provider, or
/// ring when oci-core's `aws-lc` feature is off; the operating system's trust roots,
/// verification on), HTTP/1.1 and HTTP/2, through the proxy `HTTPS_PROXY` / `HTTP_PROXY` /
/// `NO_PROXY` name (see [`HttpTransport::builder`]).
///
/// ```
/// use std::time::Duration;
/// let transport = oci_core::transport::HttpTransport::new(Duration::from_secs(10))?;
/// # Ok::<(), oci_core::Error>(())
/// ```
///
/// It is a `Service<http::Request<Body>>` like any other: replace it with your own through
/// [`ClientBuilder::transport`](crate::ClientBuilder::transport). Connect failures and the
/// connect timeout come back as typed errors ([`Error::is_transport`],
/// [`TimeoutScope::Connect`]). When the request body's stream fails, hyper's error is walked
/// down to the stream's own error, and the call fails with
/// [`ErrorKind::RequestBody`] naming it (not
/// "client error (SendRequest)"): the caller's failure, which is never retried and never counts
/// against the circuit breaker.
#[derive(Clone)]
pub struct HttpTransport {
    /// Shared: the stack clones its services for every call, and hyper-util's client is a
    /// large struct holding several `Arc`s; one `Arc` makes each clone one increment.
    client: std::sync::Arc<Inner>,
    connect_timeout: Duration,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// A transport whose TCP connect gives up after `connect_timeout`, with the defaults of
    /// [`HttpTransport::builder`]: proxies and an extra CA bundle (`OCI_DEFAULT_CERTS_PATH`)
    /// from the environment, the operating system's trust roots.
    pub fn new(connect_timeout: Duration) -> Result<Self, Error> {
        Self::builder().connect_timeout(connect_timeout).build()
    }

    /// Configures a transport: proxy, extra CA certificates, connect timeout.
    ///
    /// ```
    /// use oci_core::transport::{HttpTransport, Proxy};
    /// let transport = HttpTransport::builder()
    ///     .proxy(Proxy::new("http://proxy.corp.example:3128")?)
    ///     .build()?;
    /// # let _ = transport; Ok::<(), oci_core::Error>(())
    /// ```
    pub fn builder() -> HttpTransportBuilder {
        HttpTransportBuilder::default()
    }

    /// A transport that trusts only `roots` (e.g. a Kubernetes service-account CA); proxies
    /// from the environment.
    pub(crate) fn with_roots(
        connect_timeout: Duration,
        roots: rustls::RootCertStore,
    ) -> Result<Self, Error> {
        let route = ProxyMode::Env.route(&|k| std::env::var(k).ok());
        Self::from_parts(connect_timeout, roots, route)
    }

    pub(crate) fn from_parts(
        connect_timeout: Duration,
        roots: rustls::RootCertStore,
        route: proxy::Route,
    ) -> Result<Self, Error> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        #[cfg(feature = "aws-lc")]
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        #[cfg(all(feature = "ring", not(feature = "aws-lc")))]
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::transport(format!("TLS setup failed: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(proxy::ProxyConnector::new(http, route));
        let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(https);
        Ok(HttpTransport {
            client: std::sync::Arc::new(client),
            connect_timeout,
        })
    }
}

impl Service<http::Request<Body>> for HttpTransport {
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let fut = self.client.request(req);
        let connect_timeout = self.connect_timeout;
        Box::pin(async move {
            match fut.await {
                Ok(resp) => {
                    let len = resp
                        .headers()
                        .get(http::header::CONTENT_LENGTH)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok());
                    Ok(resp.map(|b| Body::from_http_body(b, len)))
                }
                Err(e) => Err(map_client_error(e, connect_timeout)),
            }
        })
    }
}

fn map_client_error(e: hyper_util::client::legacy::Error, connect_timeout: Duration) -> Error {
    if e.is_connect() && chain_has_timeout(&e) {
        return Error::timeout(TimeoutScope::Connect, Some(connect_timeout)).with_source(e);
    }
    if let Some(cause) = request_body_cause(&e) {
        let msg = format!("the request body failed: {cause}");
        return Error::with_kind(ErrorKind::RequestBody, msg).with_source(e);
    }
    Error::transport(e)
}

/// When hyper gave up because the request body's stream failed ("client error (SendRequest)"
/// wrapping "error from user's Body stream"), the stream's own error, from the source chain.
fn request_body_cause(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(h) = err.downcast_ref::<hyper::Error>() {
            // A user error with a cause is the body's: hyper's other user errors carry none.
            if h.is_user() && !h.is_body_write_aborted() {
                let cause = h.source()?;
                return Some(root_cause(cause));
            }
        }
        cur = err.source();
    }
    None
}

/// The messages of `e` and its sources, each once (an error that repeats its source's message
/// in its own is not repeated).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(err) = cur {
        let msg = err.to_string();
        if !out.contains(&msg) {
            out.push_str(": ");
            out.push_str(&msg);
        }
        cur = err.source();
    }
    out
}

fn chain_has_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return true;
            }
        }
        cur = err.source();
    }
    false
}
