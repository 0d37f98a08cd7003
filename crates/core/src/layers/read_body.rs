//! Reads the body of a non-streaming response inside the attempt, so that a body that stalls,
//! breaks off or comes short is a retryable attempt failure rather than the caller's problem.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use http_body_util::BodyExt;
use pin_project::pin_project;
use tower::{Layer, Service};

use crate::{Body, Error, ErrorKind, OperationInfo};

/// Adds a [`ReadBodyService`]: the whole body of a non-streaming response is read before the
/// attempt ends.
///
/// ```
/// use oci_core::layers::read_body::ReadBodyLayer;
/// use oci_core::{Body, Error, ErrorKind, OperationInfo};
/// use tower::{Service, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Error> {
/// // The head arrives, then the connection breaks inside the body.
/// let server = tower::service_fn(|_req: http::Request<Body>| async {
///     let chunks = vec![
///         Ok(bytes::Bytes::from(r#"{"id":"#)),
///         Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset")),
///     ];
///     Ok::<_, Error>(http::Response::new(Body::from_stream(futures_util::stream::iter(chunks), None)))
/// });
/// let mut svc = tower::ServiceBuilder::new().layer(ReadBodyLayer).service(server);
/// let mut req = http::Request::new(Body::empty());
/// req.extensions_mut().insert(OperationInfo {
///     service: "identity", operation: "CreateGroup", exclude_body: false, retry_token: true,
///     streaming_response: false, not_modified_ok: false,
/// });
/// let err = svc.ready().await?.call(req).await.err();
/// // A transport error of this attempt: the retry layer above tries again.
/// assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Transport));
/// # Ok(()) }
/// ```
///
/// Without it, the stack's answer is the response head, and the body (a few hundred bytes of
/// JSON) is read afterwards, outside the attempt: a server that commits a create, sends the head
/// and then stalls or drops the connection left the caller with a body error after the stall
/// timeout, although the create's `opc-retry-token` made a retry safe. With it, in the default
/// stack (below the retry layer and the attempt timeout), such a body is an attempt failure:
/// a stall is bounded by the attempt timeout (and the body stall guard), a reset or a body
/// shorter than its `content-length` is a transport error, and the retry sends the same request
/// with the same retry token.
///
/// Only responses of operations that are not streaming downloads are read (the request's
/// [`OperationInfo`] says which); a download such as Object Storage `GetObject` is handed to the
/// caller as a stream as soon as its head arrives, and its body keeps the stall guard: a download
/// that stalls fails with a [`TimeoutScope::BodyStall`](crate::TimeoutScope::BodyStall) error
/// while the caller reads it, and is not retried by the stack. Requests without an
/// [`OperationInfo`] (raw calls) are passed through as they are.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadBodyLayer;

impl<S> Layer<S> for ReadBodyLayer {
    type Service = ReadBodyService<S>;
    fn layer(&self, inner: S) -> ReadBodyService<S> {
        ReadBodyService { inner }
    }
}

/// The service made by [`ReadBodyLayer`].
#[derive(Debug, Clone)]
pub struct ReadBodyService<S> {
    inner: S,
}

/// Whether the response to `req` is read inside the attempt.
fn reads_body(req: &http::Request<Body>) -> bool {
    match req.extensions().get::<OperationInfo>() {
        Some(info) => !streams_response(info),
        None => false,
    }
}

/// The operation hands its response body to the caller as a stream (a download).
fn streams_response(info: &OperationInfo) -> bool {
    info.streaming_response
}

impl<S> Service<http::Request<Body>> for ReadBodyService<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>,
{
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = ReadBodyFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let read = reads_body(&req);
        ReadBodyFuture {
            state: State::Head {
                fut: self.inner.call(req),
                read,
            },
        }
    }
}

/// The future of [`ReadBodyService`].
#[pin_project]
pub struct ReadBodyFuture<F> {
    #[pin]
    state: State<F>,
}

impl<F> fmt::Debug for ReadBodyFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadBodyFuture").finish_non_exhaustive()
    }
}

#[pin_project(project = StateProj)]
enum State<F> {
    Head {
        #[pin]
        fut: F,
        read: bool,
    },
    Body(BoxFuture<'static, Result<http::Response<Body>, Error>>),
}

impl<F> Future for ReadBodyFuture<F>
where
    F: Future<Output = Result<http::Response<Body>, Error>>,
{
    type Output = Result<http::Response<Body>, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            match self.as_mut().project().state.project() {
                StateProj::Head { fut, read } => {
                    let resp = std::task::ready!(fut.poll(cx))?;
                    if !*read || resp.body().as_bytes().is_some() {
                        return Poll::Ready(Ok(resp));
                    }
                    let (parts, body) = resp.into_parts();
                    let collect = async move {
                        match BodyExt::collect(body).await {
                            Ok(c) => Ok(http::Response::from_parts(
                                parts,
                                Body::from_bytes(c.to_bytes()),
                            )),
                            Err(e) => Err(read_error(e)),
                        }
                    };
                    self.as_mut()
                        .project()
                        .state
                        .set(State::Body(Box::pin(collect)));
                }
                StateProj::Body(fut) => return fut.as_mut().poll(cx),
            }
        }
    }
}

/// A body that broke while read inside the attempt: our own errors (a stall guard's timeout)
/// stay as they are, anything else (a reset, a body cut short) is a transport error.
fn read_error(e: crate::BoxError) -> Error {
    match e.downcast::<Error>() {
        Ok(e) if e.kind() != ErrorKind::Body && e.kind() != ErrorKind::Other => *e,
        Ok(e) => Error::transport(e),
        Err(e) => Error::transport(e),
    }
    .with_note("the response body broke off while it was read")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use tower::ServiceExt;

    fn info(streaming_response: bool) -> OperationInfo {
        OperationInfo {
            service: "objectstorage",
            operation: if streaming_response {
                "GetObject"
            } else {
                "GetBucket"
            },
            exclude_body: false,
            retry_token: false,
            streaming_response,
            not_modified_ok: false,
        }
    }

    fn streamed(chunks: Vec<Result<Bytes, std::io::Error>>) -> Body {
        Body::from_stream(futures_util::stream::iter(chunks), None)
    }

    #[tokio::test]
    async fn non_streaming_bodies_arrive_in_memory() {
        let server = tower::service_fn(|_r: http::Request<Body>| async {
            Ok::<_, Error>(http::Response::new(streamed(vec![
                Ok(Bytes::from("{\"a\":")),
                Ok(Bytes::from("1}")),
            ])))
        });
        let mut req = http::Request::new(Body::empty());
        req.extensions_mut().insert(info(false));
        let resp = ReadBodyLayer.layer(server).oneshot(req).await.unwrap();
        assert_eq!(resp.body().as_bytes(), Some(&b"{\"a\":1}"[..]));
    }

    #[tokio::test]
    async fn downloads_and_raw_calls_stay_streams() {
        let server = tower::service_fn(|_r: http::Request<Body>| async {
            Ok::<_, Error>(http::Response::new(streamed(vec![Ok(Bytes::from("x"))])))
        });
        let svc = ReadBodyLayer.layer(server);
        let mut req = http::Request::new(Body::empty());
        req.extensions_mut().insert(info(true));
        let resp = svc.clone().oneshot(req).await.unwrap();
        assert!(resp.body().as_bytes().is_none());
        let resp = svc
            .oneshot(http::Request::new(Body::empty()))
            .await
            .unwrap();
        assert!(resp.body().as_bytes().is_none());
    }

    #[tokio::test]
    async fn a_broken_body_is_a_transport_error_and_a_stall_keeps_its_scope() {
        let server = tower::service_fn(|_r: http::Request<Body>| async {
            Ok::<_, Error>(http::Response::new(streamed(vec![
                Ok(Bytes::from("{")),
                Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "cut",
                )),
            ])))
        });
        let mut req = http::Request::new(Body::empty());
        req.extensions_mut().insert(info(false));
        let err = ReadBodyLayer.layer(server).oneshot(req).await.unwrap_err();
        assert!(err.is_transport(), "{err:?}");

        let stall = Error::timeout(crate::TimeoutScope::BodyStall, None);
        assert_eq!(
            read_error(Box::new(stall)).timeout_scope(),
            Some(crate::TimeoutScope::BodyStall)
        );
    }
}
