//! The stalled-body guard: a response body that produces no bytes for too long fails.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::Frame;
use pin_project::pin_project;
use tokio::time::{Instant, Sleep};
use tower::{Layer, Service};

use crate::{Body, BoxError, Error, TimeoutScope};

/// Adds a [`StallGuardService`]: response bodies that produce no bytes for too long fail.
///
/// ```
/// use std::time::Duration;
/// use oci_core::layers::timeout::StallGuardLayer;
/// use oci_core::{Body, Error, TimeoutScope};
/// use tower::{Service, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() -> Result<(), Error> {
/// let stalls = tower::service_fn(|_req: http::Request<Body>| async {
///     // A body that never sends a byte.
///     let never = futures_util::stream::pending::<Result<bytes::Bytes, std::io::Error>>();
///     Ok::<_, Error>(http::Response::new(Body::from_stream(never, None)))
/// });
/// let mut svc = tower::ServiceBuilder::new()
///     .layer(StallGuardLayer::new(Duration::from_secs(30)))
///     .service(stalls);
/// let resp = svc.ready().await?.call(http::Request::new(Body::empty())).await?;
/// let err = resp.into_body().collect().await.err();
/// assert_eq!(err.and_then(|e| e.timeout_scope()), Some(TimeoutScope::BodyStall));
/// # Ok(()) }
/// ```
///
/// The clock runs only while the reader waits for the next chunk: it restarts each time the
/// reader asks for more, so a reader that takes its time between chunks (a slow consumer) never
/// trips it, while a server that goes silent mid-download does, with
/// [`TimeoutScope::BodyStall`]. Bodies already in memory are left as they are. The client's
/// default is 60 s (like the official SDKs' per-read timeout).
#[derive(Debug, Clone, Copy)]
pub struct StallGuardLayer {
    after: Duration,
}

impl StallGuardLayer {
    /// Fails a body that sends nothing for `after` while being read.
    pub fn new(after: Duration) -> Self {
        StallGuardLayer { after }
    }
}

impl<S> Layer<S> for StallGuardLayer {
    type Service = StallGuardService<S>;
    fn layer(&self, inner: S) -> StallGuardService<S> {
        StallGuardService {
            inner,
            after: self.after,
        }
    }
}

/// The service made by [`StallGuardLayer`].
#[derive(Debug, Clone)]
pub struct StallGuardService<S> {
    inner: S,
    after: Duration,
}

impl<S> Service<http::Request<Body>> for StallGuardService<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>,
{
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = StallGuardFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        StallGuardFuture {
            inner: self.inner.call(req),
            after: self.after,
        }
    }
}

/// The future of [`StallGuardService`].
#[pin_project]
#[derive(Debug)]
pub struct StallGuardFuture<F> {
    #[pin]
    inner: F,
    after: Duration,
}

impl<F> Future for StallGuardFuture<F>
where
    F: Future<Output = Result<http::Response<Body>, Error>>,
{
    type Output = Result<http::Response<Body>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let resp = ready!(this.inner.poll(cx))?;
        let after = *this.after;
        Poll::Ready(Ok(resp.map(|body| {
            if body.as_bytes().is_some() {
                body
            } else {
                let len = body.content_length();
                Body::from_http_body(StallGuardBody::new(body, after), len)
            }
        })))
    }
}

/// A body wrapper that fails when the inner body sends nothing for a while as it is read.
///
/// ```
/// use std::time::Duration;
/// use oci_core::layers::timeout::StallGuardBody;
/// use oci_core::Body;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() -> Result<(), oci_core::Error> {
/// let guarded = StallGuardBody::new(Body::from("data"), Duration::from_secs(5));
/// let body = Body::from_http_body(guarded, Some(4));
/// assert_eq!(body.collect().await?, "data");
/// # Ok(()) }
/// ```
#[pin_project]
pub struct StallGuardBody<B> {
    #[pin]
    inner: B,
    after: Duration,
    #[pin]
    sleep: Option<Sleep>,
    waiting: bool,
}

impl<B> fmt::Debug for StallGuardBody<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StallGuardBody")
            .field("after", &self.after)
            .finish_non_exhaustive()
    }
}

impl<B> StallGuardBody<B> {
    /// Guards `inner`: no bytes for `after` while the reader waits fails the body.
    pub fn new(inner: B, after: Duration) -> Self {
        StallGuardBody {
            inner,
            after,
            sleep: None,
            waiting: false,
        }
    }
}

impl<B> http_body::Body for StallGuardBody<B>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let mut this = self.project();
        match this.inner.poll_frame(cx) {
            Poll::Ready(frame) => {
                *this.waiting = false;
                Poll::Ready(frame.map(|r| r.map_err(Into::into)))
            }
            Poll::Pending => {
                if !*this.waiting {
                    // The reader asked for the next chunk and it is not there: the clock starts
                    // now, not at the last chunk (a chunk already there needs no timer).
                    let deadline = Instant::now() + *this.after;
                    match this.sleep.as_mut().as_pin_mut() {
                        Some(s) => s.reset(deadline),
                        None => this.sleep.set(Some(tokio::time::sleep_until(deadline))),
                    }
                    *this.waiting = true;
                }
                let fired = match this.sleep.as_pin_mut() {
                    Some(s) => s.poll(cx).is_ready(),
                    None => false,
                };
                if fired {
                    *this.waiting = false;
                    let err = Error::timeout(TimeoutScope::BodyStall, Some(*this.after));
                    Poll::Ready(Some(Err(Box::new(err))))
                } else {
                    Poll::Pending
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn chunks_every(gap: Duration, n: usize) -> Body {
        let s = futures_util::stream::iter(0..n).then(move |i| async move {
            tokio::time::sleep(gap).await;
            Ok::<_, std::io::Error>(Bytes::from(format!("{i}")))
        });
        Body::from_stream(s, None)
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_body_fails_with_body_stall() {
        let body = chunks_every(Duration::from_secs(31), 3);
        let guarded =
            Body::from_http_body(StallGuardBody::new(body, Duration::from_secs(30)), None);
        let err = guarded.collect().await.err();
        assert_eq!(
            err.and_then(|e| e.timeout_scope()),
            Some(TimeoutScope::BodyStall)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_consumer_does_not_trip_the_guard() {
        // The server sends a chunk every 10 s; the reader waits 5 minutes between reads.
        let body = chunks_every(Duration::from_secs(10), 3);
        let guarded =
            Body::from_http_body(StallGuardBody::new(body, Duration::from_secs(30)), None);
        let mut stream = std::pin::pin!(guarded.into_data_stream());
        let mut got = Vec::new();
        while let Some(chunk) = stream.next().await {
            got.push(chunk.map_err(|e| e.to_string()));
            tokio::time::sleep(Duration::from_secs(300)).await;
        }
        assert_eq!(
            got,
            vec![
                Ok(Bytes::from("0")),
                Ok(Bytes::from("1")),
                Ok(Bytes::from("2"))
            ]
        );
    }
}
