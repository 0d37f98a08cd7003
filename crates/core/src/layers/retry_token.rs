//! Adds one `opc-retry-token` per call, reused by every attempt.

use std::task::{Context, Poll};

use http::header::{HeaderName, HeaderValue};
use rand::distributions::Alphanumeric;
use rand::Rng;
use tower::{Layer, Service};

use crate::{Body, OperationInfo};

/// `opc-retry-token`.
pub static OPC_RETRY_TOKEN: HeaderName = HeaderName::from_static("opc-retry-token");

/// A fresh retry token: 30 characters from `[A-Za-z0-9]`, as the Python SDK sends.
pub fn new_retry_token() -> HeaderValue {
    let s: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(30)
        .map(char::from)
        .collect();
    // Alphanumeric characters always make a valid header value.
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("oci-tower-retry"))
}

/// Adds a [`RetryTokenService`]: an `opc-retry-token` for operations that declare one.
///
/// ```
/// use oci_core::layers::retry_token::RetryTokenLayer;
/// use oci_core::{Body, Error, OperationInfo};
/// use tower::{Service, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Error> {
/// let echo = tower::service_fn(|req: http::Request<Body>| async move {
///     let token = req.headers().get("opc-retry-token").cloned();
///     Ok::<_, Error>(http::Response::new(Body::from(token.map(|t| t.as_bytes().to_vec()).unwrap_or_default())))
/// });
/// let mut svc = tower::ServiceBuilder::new().layer(RetryTokenLayer).service(echo);
/// let mut req = http::Request::new(Body::empty());
/// req.extensions_mut().insert(OperationInfo {
///     service: "identity", operation: "CreateGroup", exclude_body: false, retry_token: true,
///     streaming_response: false, not_modified_ok: false,
/// });
/// let resp = svc.ready().await?.call(req).await?;
/// assert_eq!(resp.into_body().collect().await?.len(), 30);
/// # Ok(()) }
/// ```
///
/// It belongs outside the retry layer: the token is made once per call, so every attempt carries
/// the same one and the service can recognise a replayed create. A token the caller set is never
/// replaced. Operations whose [`OperationInfo::retry_token`] is false are left alone. Unlike the
/// Python SDK, the token is added even when retries are off (as the Go SDK does): it costs
/// nothing and makes a caller's own re-send safe.
#[derive(Debug, Clone, Copy, Default)]
pub struct RetryTokenLayer;

impl<S> Layer<S> for RetryTokenLayer {
    type Service = RetryTokenService<S>;
    fn layer(&self, inner: S) -> RetryTokenService<S> {
        RetryTokenService { inner }
    }
}

/// The service made by [`RetryTokenLayer`].
#[derive(Debug, Clone)]
pub struct RetryTokenService<S> {
    inner: S,
}

impl<S> Service<http::Request<Body>> for RetryTokenService<S>
where
    S: Service<http::Request<Body>>,
{
    type Response = S::Response;
    type Error = S::Error;
    // Nothing to do after the call: the inner future is returned as it is.
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<Body>) -> S::Future {
        let declares = req
            .extensions()
            .get::<OperationInfo>()
            .is_some_and(|i| i.retry_token);
        if declares && !req.headers().contains_key(&OPC_RETRY_TOKEN) {
            req.headers_mut()
                .insert(OPC_RETRY_TOKEN.clone(), new_retry_token());
        }
        self.inner.call(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_30_alphanumerics_and_differ() {
        let a = new_retry_token();
        let b = new_retry_token();
        assert_eq!(a.len(), 30);
        assert!(a.as_bytes().iter().all(u8::is_ascii_alphanumeric));
        assert_ne!(a, b);
    }
}
