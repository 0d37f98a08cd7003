//! The default transport: a pooled hyper-util client with rustls.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tower::Service;

use crate::{Body, Error, TimeoutScope};

type Inner = hyper_util::client::legacy::Client<hyper_rustls::HttpsConnector<HttpConnector>, Body>;

/// The default HTTP transport: hyper-util's pooled client over rustls (aws-lc-rs provider, or
/// ring when oci-core's `aws-lc` feature is off; Mozilla's root certificates, verification on),
/// HTTP/1.1 and HTTP/2.
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
/// [`TimeoutScope::Connect`]).
#[derive(Clone)]
pub struct HttpTransport {
    client: Inner,
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
    /// A transport whose TCP connect gives up after `connect_timeout`.
    pub fn new(connect_timeout: Duration) -> Result<Self, Error> {
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
            .with_root_certificates(rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            })
            .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(http);
        let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(https);
        Ok(HttpTransport {
            client,
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
    Error::transport(e)
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
