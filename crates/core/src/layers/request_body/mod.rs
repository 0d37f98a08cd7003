//! The request body's side of an attempt: a failure of the caller's stream is kept apart from a
//! failure of the host, uploads get a progress-based stall guard, and the attempt timeout learns
//! when the body has been sent.
//!
//! [`RequestBodyLayer`] sits just above the transport. It wraps a streamed request body (one
//! that is not in memory) so that:
//!
//! - when the caller's stream fails (say, the client of a service that forwards its upload went
//!   away), the attempt fails with [`ErrorKind::RequestBody`](crate::ErrorKind::RequestBody),
//!   whose message is the stream's own error, whatever the transport made of it. The classifier
//!   calls it [`Class::Caller`](super::classify::Class::Caller): never retried, never counted by
//!   the circuit breaker;
//! - when no byte of the body moves for the stall timeout, the attempt fails: with
//!   [`ErrorKind::RequestBody`](crate::ErrorKind::RequestBody) when the caller's stream was the
//!   one that had nothing to give, with a [`TimeoutScope::RequestBodyStall`] timeout (transient)
//!   when the server or the network stopped taking bytes. A slow but steady upload never trips
//!   it, however long it takes;
//! - its [`RequestProgress`] (from the request's extensions, where the attempt timeout puts one)
//!   records when the body has been sent, so that the attempt timeout counts from there: it
//!   bounds the wait for the answer, not the upload.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use pin_project::pin_project;
use tokio::time::{Instant, Sleep};
use tower::{Layer, Service};

use crate::{Body, BoxError, Error, TimeoutScope};

mod progress;

pub(crate) use progress::Deadline;
use progress::Phase;
pub use progress::RequestProgress;

/// The marker error the transport sees when the caller's stream failed; the original error is
/// kept for [`RequestBodyLayer`] to report.
#[derive(Debug)]
struct StreamFailed(String);

impl fmt::Display for StreamFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StreamFailed {}

/// A request body that reports its progress and keeps its stream's failure.
#[pin_project]
struct TrackedBody {
    #[pin]
    inner: Body,
    progress: RequestProgress,
    /// The exact length, when known: the transport may stop asking once it has it all.
    len: Option<u64>,
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        let now = Instant::now();
        let mut s = this.progress.lock();
        if s.phase == Phase::Idle {
            s.phase = Phase::Sending;
            s.last_moved = Some(now);
        }
        match polled {
            Poll::Pending => {
                s.waiting_on_source = true;
                Poll::Pending
            }
            Poll::Ready(Some(Ok(frame))) => {
                s.waiting_on_source = false;
                if let Some(data) = frame.data_ref() {
                    s.bytes += data.len() as u64;
                    s.last_moved = Some(now);
                }
                if this.len.is_some_and(|len| s.bytes >= len) {
                    RequestProgress::finish(&mut s, now);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(None) => {
                RequestProgress::finish(&mut s, now);
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => {
                let marker = StreamFailed(e.to_string());
                s.failure = Some(e);
                s.failed = true;
                RequestProgress::finish(&mut s, now);
                Poll::Ready(Some(Err(Box::new(marker))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Adds a [`RequestBodyService`]: caller-side body failures become
/// [`ErrorKind::RequestBody`](crate::ErrorKind::RequestBody), uploads that stop moving fail, and
/// the attempt timeout learns when the body was sent.
///
/// ```
/// use std::time::Duration;
/// use oci_core::layers::request_body::RequestBodyLayer;
/// use oci_core::{Body, Error, ErrorKind};
/// use http_body_util::BodyExt;
/// use tower::{Service, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() -> Result<(), Error> {
/// // A transport that reads the whole body, and says only "send failed" when it breaks.
/// let transport = tower::service_fn(|req: http::Request<Body>| async move {
///     match req.into_body().collect().await {
///         Ok(_) => Ok(http::Response::new(Body::empty())),
///         Err(_) => Err(Error::transport("send failed")),
///     }
/// });
/// let mut svc = tower::ServiceBuilder::new()
///     .layer(RequestBodyLayer::new(Some(Duration::from_secs(60))))
///     .service(transport);
/// let chunks = vec![
///     Ok(bytes::Bytes::from("part 1")),
///     Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "client went away")),
/// ];
/// let body = Body::from_stream(futures_util::stream::iter(chunks), Some(12));
/// let err = svc.ready().await?.call(http::Request::new(body)).await.err();
/// assert_eq!(err.as_ref().map(Error::kind), Some(ErrorKind::RequestBody));
/// assert_eq!(err.map(|e| e.to_string()).as_deref(), Some("the request body failed: client went away"));
/// # Ok(()) }
/// ```
///
/// It belongs just above the transport (the default stack puts it there), so every layer above
/// sees the typed error. Small bodies held in memory (under 256 KiB: JSON) are passed on
/// untouched; a larger one (an in-memory part of a multipart upload, say) is handed to the
/// transport in 64 KiB chunks (no copy of the bytes) so that its progress is seen like a
/// stream's. `stall` is the client's body stall timeout
/// (`ClientBuilder::body_stall_timeout`, 60 s); `None` turns the upload stall guard off (failures
/// are still typed). The guard's clock starts when the attempt starts and restarts each time a
/// byte moves, so connecting counts too (the connect timeout is shorter).
#[derive(Debug, Clone, Copy)]
pub struct RequestBodyLayer {
    stall: Option<Duration>,
}

impl RequestBodyLayer {
    /// Tracks streamed request bodies; fails an upload when no byte moves for `stall`.
    pub fn new(stall: Option<Duration>) -> Self {
        RequestBodyLayer { stall }
    }
}

impl<S> Layer<S> for RequestBodyLayer {
    type Service = RequestBodyService<S>;
    fn layer(&self, inner: S) -> RequestBodyService<S> {
        RequestBodyService {
            inner,
            stall: self.stall,
        }
    }
}

/// The service made by [`RequestBodyLayer`].
#[derive(Debug, Clone)]
pub struct RequestBodyService<S> {
    inner: S,
    stall: Option<Duration>,
}

impl<S> Service<http::Request<Body>> for RequestBodyService<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>,
{
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = RequestBodyFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        if !is_tracked(req.body()) {
            return RequestBodyFuture {
                inner: self.inner.call(req),
                progress: None,
                stall: None,
                sleep: None,
            };
        }
        let progress = req
            .extensions()
            .get::<RequestProgress>()
            .cloned()
            .unwrap_or_default();
        progress.start_clock(Instant::now());
        let (parts, body) = req.into_parts();
        let len = body.content_length();
        let body = if body.as_bytes().is_some() {
            // A large body in memory goes in chunks, so that its progress can be seen. Taking
            // its bytes out is immediate and copies nothing (a reference count).
            let bytes = body
                .try_clone()
                .and_then(|b| futures_util::FutureExt::now_or_never(b.collect()));
            match bytes {
                Some(Ok(bytes)) => chunked(bytes),
                _ => body,
            }
        } else {
            body
        };
        let tracked = TrackedBody {
            inner: body,
            progress: progress.clone(),
            len,
        };
        let req = http::Request::from_parts(parts, Body::from_http_body(tracked, len));
        RequestBodyFuture {
            inner: self.inner.call(req),
            progress: Some(progress),
            stall: self.stall,
            sleep: None,
        }
    }
}

/// Bodies in memory below this size are handed to the transport whole and not tracked.
const TRACK_IN_MEMORY_FROM: usize = 256 * 1024;
/// The chunk size a large body in memory is handed over in.
const CHUNK: usize = 64 * 1024;

/// Whether [`RequestBodyLayer`] tracks this body: a stream, or a large body in memory.
pub(crate) fn is_tracked(body: &Body) -> bool {
    body.as_bytes()
        .map_or(true, |b| b.len() >= TRACK_IN_MEMORY_FROM)
}

fn chunked(bytes: Bytes) -> Body {
    let len = bytes.len();
    let chunks = (0..len.div_ceil(CHUNK)).map(move |i| {
        Ok::<_, std::convert::Infallible>(bytes.slice(i * CHUNK..((i + 1) * CHUNK).min(len)))
    });
    Body::from_stream(futures_util::stream::iter(chunks), Some(len as u64))
}

/// The future of [`RequestBodyService`].
#[pin_project]
pub struct RequestBodyFuture<F> {
    #[pin]
    inner: F,
    progress: Option<RequestProgress>,
    stall: Option<Duration>,
    #[pin]
    sleep: Option<Sleep>,
}

impl<F> fmt::Debug for RequestBodyFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBodyFuture")
            .field("progress", &self.progress)
            .field("stall", &self.stall)
            .finish_non_exhaustive()
    }
}

impl<F> Future for RequestBodyFuture<F>
where
    F: Future<Output = Result<http::Response<Body>, Error>>,
{
    type Output = Result<http::Response<Body>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Poll::Ready(out) = this.inner.poll(cx) {
            // The caller's stream failed: that is the cause, whatever the transport reported.
            if let Some(e) = this
                .progress
                .as_ref()
                .and_then(RequestProgress::take_failure)
            {
                return Poll::Ready(Err(Error::request_body(e)));
            }
            return Poll::Ready(out);
        }
        let (Some(progress), Some(after)) = (this.progress.as_ref(), *this.stall) else {
            return Poll::Pending;
        };
        loop {
            let Some((moved, on_source)) = progress.stall_view() else {
                return Poll::Pending;
            };
            let deadline = moved + after;
            if Instant::now() >= deadline {
                return Poll::Ready(Err(stall_error(on_source, after)));
            }
            match this.sleep.as_mut().as_pin_mut() {
                Some(s) => s.reset(deadline),
                None => this.sleep.set(Some(tokio::time::sleep_until(deadline))),
            }
            if let Some(s) = this.sleep.as_mut().as_pin_mut() {
                if s.poll(cx).is_pending() {
                    return Poll::Pending;
                }
            }
        }
    }
}

fn stall_error(on_source: bool, after: Duration) -> Error {
    if on_source {
        Error::request_body(format!(
            "the request body stream produced no data for {after:?}"
        ))
    } else {
        Error::timeout(TimeoutScope::RequestBodyStall, Some(after))
            .with_note("the server or the network stopped taking the request body")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::layers::classify::{Class, Classify, OciClassifier};
    use crate::ErrorKind;
    use futures_util::StreamExt;
    use http_body_util::BodyExt;
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt;

    /// A transport that reads the body at its own pace: `gap` between chunks it asks for.
    fn reader(
        gap: Duration,
    ) -> impl Service<
        http::Request<Body>,
        Response = http::Response<Body>,
        Error = Error,
        Future = impl Future<Output = Result<http::Response<Body>, Error>> + Send,
    > + Clone {
        tower::service_fn(move |req: http::Request<Body>| async move {
            let mut body = req.into_body();
            while let Some(frame) = body.frame().await {
                if frame.is_err() {
                    return Err(Error::transport("client error (SendRequest)"));
                }
                tokio::time::sleep(gap).await;
            }
            Ok(http::Response::new(Body::empty()))
        })
    }

    fn chunks_every(gap: Duration, n: usize, size: usize) -> Body {
        let s = futures_util::stream::iter(0..n).then(move |_| async move {
            tokio::time::sleep(gap).await;
            Ok::<_, std::io::Error>(Bytes::from(vec![7u8; size]))
        });
        Body::from_stream(s, Some((n * size) as u64))
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_stream_is_the_callers_error_with_its_cause() {
        let chunks = vec![
            Ok(Bytes::from("abc")),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "peer closed the upload",
            )),
        ];
        let body = Body::from_stream(futures_util::stream::iter(chunks), Some(10));
        let svc =
            RequestBodyLayer::new(Some(Duration::from_secs(60))).layer(reader(Duration::ZERO));
        let err = svc.oneshot(http::Request::new(body)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RequestBody);
        assert!(err.to_string().contains("peer closed the upload"), "{err}");
        assert_eq!(OciClassifier.classify(Err(&err)), Class::Caller);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_steady_upload_never_stalls_and_records_when_it_was_sent() {
        let progress = RequestProgress::new();
        let mut req = http::Request::new(chunks_every(Duration::from_secs(50), 12, 1000));
        req.extensions_mut().insert(progress.clone());
        let svc =
            RequestBodyLayer::new(Some(Duration::from_secs(60))).layer(reader(Duration::ZERO));
        let start = Instant::now();
        svc.oneshot(req).await.unwrap();
        assert_eq!(progress.bytes_sent(), 12_000);
        assert!(progress.is_sent());
        assert_eq!(progress.sent_at(), Some(start + Duration::from_secs(600)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_source_that_stops_is_the_caller_and_a_sink_that_stops_is_a_timeout() {
        // The caller's stream sends one chunk, then nothing.
        let stuck = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from("x"))])
            .chain(futures_util::stream::pending());
        let svc =
            RequestBodyLayer::new(Some(Duration::from_secs(60))).layer(reader(Duration::ZERO));
        let start = Instant::now();
        let err = svc
            .oneshot(http::Request::new(Body::from_stream(stuck, Some(5))))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RequestBody, "{err}");
        assert_eq!(start.elapsed(), Duration::from_secs(60));

        // The transport takes one chunk, then stops reading for 10 minutes.
        let svc = RequestBodyLayer::new(Some(Duration::from_secs(60)))
            .layer(reader(Duration::from_secs(600)));
        let start = Instant::now();
        let err = svc
            .oneshot(http::Request::new(chunks_every(Duration::ZERO, 3, 10)))
            .await
            .unwrap_err();
        assert_eq!(
            err.timeout_scope(),
            Some(TimeoutScope::RequestBodyStall),
            "{err}"
        );
        assert_eq!(OciClassifier.classify(Err(&err)), Class::Transient);
        assert_eq!(start.elapsed(), Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn a_large_body_in_memory_goes_in_chunks_and_is_tracked() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let transport = tower::service_fn(move |req: http::Request<Body>| {
            let s = s.clone();
            async move {
                assert!(req.body().as_bytes().is_none());
                let mut body = req.into_body();
                while let Some(frame) = body.frame().await {
                    let data = frame.unwrap().into_data().unwrap();
                    s.lock().unwrap().push(data.len());
                    tokio::time::sleep(Duration::from_secs(10)).await;
                }
                Ok::<_, Error>(http::Response::new(Body::empty()))
            }
        });
        let progress = RequestProgress::new();
        let mut req = http::Request::new(Body::from(vec![3u8; 300 * 1024]));
        req.extensions_mut().insert(progress.clone());
        let start = Instant::now();
        RequestBodyLayer::new(Some(Duration::from_secs(60)))
            .layer(transport)
            .oneshot(req)
            .await
            .unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen, vec![65536, 65536, 65536, 65536, 45056]);
        assert_eq!(progress.bytes_sent(), 300 * 1024);
        // Sent when the last chunk was taken, after 4 gaps of 10 s.
        assert_eq!(progress.sent_at(), Some(start + Duration::from_secs(40)));
    }

    #[tokio::test(start_paused = true)]
    async fn bodies_in_memory_are_passed_on_untouched() {
        let transport = tower::service_fn(|req: http::Request<Body>| async move {
            assert_eq!(req.body().as_bytes(), Some(&b"json"[..]));
            Ok::<_, Error>(http::Response::new(Body::empty()))
        });
        let progress = RequestProgress::new();
        let mut req = http::Request::new(Body::from("json"));
        req.extensions_mut().insert(progress.clone());
        RequestBodyLayer::new(None)
            .layer(transport)
            .oneshot(req)
            .await
            .unwrap();
        assert_eq!(progress.sent_at(), None);
    }
}
