//! Turns every non-2xx response into a typed [`Error`].

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use http_body_util::{BodyExt, Limited};
use pin_project::pin_project;
use tower::{Layer, Service};

use crate::error::service_error_from_parts;
use crate::{Body, Error, OperationInfo};

/// Error bodies are read up to this size; the rest is dropped (OCI error bodies are tiny).
const MAX_ERROR_BODY: usize = 1 << 20;

/// Makes any non-2xx response an [`Error`] with the service's code, message and opc-request-id.
///
/// ```
/// use oci_core::layers::StatusErrorLayer;
/// use oci_core::{Body, Error};
/// use tower::{Service, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Error> {
/// let server = tower::service_fn(|_req: http::Request<Body>| async {
///     Ok::<_, Error>(http::Response::builder().status(404).header("opc-request-id", "R1")
///         .body(Body::from(r#"{"code":"NotAuthorizedOrNotFound","message":"no"}"#)).unwrap_or_default())
/// });
/// let mut svc = tower::ServiceBuilder::new().layer(StatusErrorLayer).service(server);
/// let err = svc.ready().await?.call(http::Request::new(Body::empty())).await.err();
/// assert_eq!(err.as_ref().and_then(Error::code), Some("NotAuthorizedOrNotFound"));
/// assert_eq!(err.as_ref().and_then(Error::opc_request_id), Some("R1"));
/// # Ok(()) }
/// ```
///
/// It sits just above the transport (below signing), so every layer above (retry, breaker, trace, yours)
/// sees typed errors, and 2xx responses are all that `Request::parse` ever gets, with one
/// exception: a 304 passes as a success when the request's [`OperationInfo::not_modified_ok`]
/// says the operation has a "not modified" answer (`GetObject`, `HeadObject`: their output's
/// `is_not_modified`, as in the Java and Python SDKs). Any other 304 is an error
/// ([`Error::is_not_modified`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct StatusErrorLayer;

impl<S> Layer<S> for StatusErrorLayer {
    type Service = StatusErrorService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        StatusErrorService { inner }
    }
}

/// The service made by [`StatusErrorLayer`].
#[derive(Debug, Clone)]
pub struct StatusErrorService<S> {
    inner: S,
}

impl<S> Service<http::Request<Body>> for StatusErrorService<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>,
{
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = StatusErrorFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let request_id = req
            .headers()
            .get("opc-request-id")
            .and_then(|v| v.to_str().ok())
            .map(RequestId::new);
        let not_modified_ok = req
            .extensions()
            .get::<OperationInfo>()
            .is_some_and(|i| i.not_modified_ok);
        StatusErrorFuture {
            not_modified_ok,
            state: State::Head {
                fut: self.inner.call(req),
                request_id,
            },
        }
    }
}

/// Ids up to this long are kept in place; the SDKs' own are 32 characters.
const INLINE_ID: usize = 48;

/// The request's `opc-request-id`, for an error answer that does not echo one: kept in place
/// (a call that succeeds allocates nothing for it), a longer one in a `String`.
enum RequestId {
    Inline { len: u8, bytes: [u8; INLINE_ID] },
    Heap(String),
}

impl RequestId {
    fn new(id: &str) -> Self {
        match u8::try_from(id.len()) {
            Ok(len) if id.len() <= INLINE_ID => {
                let mut bytes = [0; INLINE_ID];
                bytes[..id.len()].copy_from_slice(id.as_bytes());
                RequestId::Inline { len, bytes }
            }
            _ => RequestId::Heap(id.to_owned()),
        }
    }

    fn into_string(self) -> String {
        match self {
            // The bytes are those of a `&str`, cut at its end: always UTF-8.
            RequestId::Inline { len, bytes } => {
                String::from_utf8_lossy(&bytes[..usize::from(len)]).into_owned()
            }
            RequestId::Heap(s) => s,
        }
    }
}

/// The future of [`StatusErrorService`].
#[pin_project]
pub struct StatusErrorFuture<F> {
    not_modified_ok: bool,
    #[pin]
    state: State<F>,
}

#[pin_project(project = StateProj)]
enum State<F> {
    Head {
        #[pin]
        fut: F,
        request_id: Option<RequestId>,
    },
    Body(BoxFuture<'static, Error>),
}

impl<F> Future for StatusErrorFuture<F>
where
    F: Future<Output = Result<http::Response<Body>, Error>>,
{
    type Output = Result<http::Response<Body>, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let this = self.as_mut().project();
            let not_modified_ok = *this.not_modified_ok;
            match this.state.project() {
                StateProj::Head { fut, request_id } => {
                    let resp = match std::task::ready!(fut.poll(cx)) {
                        Ok(r) => r,
                        Err(e) => return Poll::Ready(Err(e)),
                    };
                    let status = resp.status();
                    if status.is_success()
                        || (not_modified_ok && status == http::StatusCode::NOT_MODIFIED)
                    {
                        return Poll::Ready(Ok(resp));
                    }
                    let request_id = request_id.take().map(RequestId::into_string);
                    let (parts, body) = resp.into_parts();
                    let read = async move {
                        let bytes = Limited::new(body, MAX_ERROR_BODY)
                            .collect()
                            .await
                            .map(|c| c.to_bytes())
                            .unwrap_or_default();
                        service_error_from_parts(&parts, &bytes)
                            .with_opc_request_id_if_missing(|| request_id)
                    };
                    self.as_mut()
                        .project()
                        .state
                        .set(State::Body(Box::pin(read)));
                }
                StateProj::Body(fut) => return fut.as_mut().poll(cx).map(Err),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use tower::ServiceExt;

    use super::*;

    /// An error answer that does not echo the request id gets the request's own, short or long.
    #[tokio::test]
    async fn an_error_without_an_id_takes_the_requests() {
        let long = "A".repeat(INLINE_ID + 1);
        for id in ["0123456789ABCDEF0123456789ABCDEF", "", long.as_str()] {
            let server = tower::service_fn(|_r: http::Request<Body>| async {
                let resp = http::Response::builder()
                    .status(503)
                    .body(Body::from(r#"{"code":"Busy","message":"later"}"#))
                    .unwrap();
                Ok::<_, Error>(resp)
            });
            let req = http::Request::builder()
                .header("opc-request-id", id)
                .body(Body::empty())
                .unwrap();
            let err = StatusErrorLayer
                .layer(server)
                .oneshot(req)
                .await
                .unwrap_err();
            assert_eq!(err.code(), Some("Busy"));
            assert_eq!(err.opc_request_id(), Some(id));
        }
    }
}
