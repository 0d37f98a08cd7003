//! Timeouts: per attempt (inside retry), per operation (outside retry), and a stalled-body guard.
//!
//! [`TimeoutLayer`] is one type with two scopes (this module); the stalled-body guard
//! ([`StallGuardLayer`], [`StallGuardBody`]) is in `stall`.
//!
//! The connect timeout belongs to the transport (`ClientBuilder::connect_timeout`). Every
//! timeout fails with [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) and
//! [`Error::timeout_scope`] says which one fired.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use pin_project::pin_project;
use tokio::time::Sleep;
use tower::{Layer, Service};

use crate::layers::options::CallOptions;
use crate::layers::request_body::{is_tracked, Deadline, RequestProgress};
use crate::{Body, Error, TimeoutScope};

mod stall;

pub use stall::{StallGuardBody, StallGuardFuture, StallGuardLayer, StallGuardService};

/// Adds a [`TimeoutService`]: fails a call that takes longer than a duration.
///
/// ```
/// use std::time::Duration;
/// use oci_core::layers::timeout::TimeoutLayer;
/// use oci_core::{Body, Error, TimeoutScope};
/// use tower::{Service, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() -> Result<(), Error> {
/// let slow = tower::service_fn(|_req: http::Request<Body>| async {
///     tokio::time::sleep(Duration::from_secs(120)).await;
///     Ok::<_, Error>(http::Response::new(Body::empty()))
/// });
/// let mut svc = tower::ServiceBuilder::new()
///     .layer(TimeoutLayer::attempt(Duration::from_secs(60)))
///     .service(slow);
/// let err = svc.ready().await?.call(http::Request::new(Body::empty())).await.err();
/// assert_eq!(err.and_then(|e| e.timeout_scope()), Some(TimeoutScope::Attempt));
/// # Ok(()) }
/// ```
///
/// - [`TimeoutLayer::attempt`] goes inside the retry layer and bounds one attempt: the wait for
///   the response head and the reading of the bodies read inside the attempt (error bodies,
///   and in the default stack every response that is not a streaming download); a timed-out
///   attempt is retried. Default 60 s. For a streamed request body (an upload) it counts from
///   the moment the body has been sent, not from the start: the upload itself is bounded by
///   the progress-based stall guard of
///   [`RequestBodyLayer`](crate::layers::request_body::RequestBodyLayer) instead, so an upload
///   at a steady rate may take as long as it takes. (That needs the request-body layer below it,
///   as in the default stack; without it, or for a small body in memory, the attempt counts
///   from the start.)
/// - [`TimeoutLayer::operation`] goes outside the retry layer and bounds the whole call,
///   backoff sleeps included; it is never retried. Off by default: the retry policy's total-time
///   cap bounds a call.
///
/// A [`CallOptions`] in the request's extensions overrides the duration for one call (`None`
/// there disables the timeout).
#[derive(Debug, Clone, Copy)]
pub struct TimeoutLayer {
    scope: TimeoutScope,
    after: Option<Duration>,
}

impl TimeoutLayer {
    /// A per-attempt timeout (`None`: only calls with an override are bounded).
    pub fn attempt(after: impl Into<Option<Duration>>) -> Self {
        TimeoutLayer {
            scope: TimeoutScope::Attempt,
            after: after.into(),
        }
    }

    /// A whole-operation timeout (`None`: only calls with an override are bounded).
    pub fn operation(after: impl Into<Option<Duration>>) -> Self {
        TimeoutLayer {
            scope: TimeoutScope::Operation,
            after: after.into(),
        }
    }

    /// The scope this layer reports when it fires.
    pub fn scope(&self) -> TimeoutScope {
        self.scope
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = TimeoutService<S>;
    fn layer(&self, inner: S) -> TimeoutService<S> {
        TimeoutService {
            inner,
            scope: self.scope,
            after: self.after,
        }
    }
}

/// The service made by [`TimeoutLayer`].
#[derive(Debug, Clone)]
pub struct TimeoutService<S> {
    inner: S,
    scope: TimeoutScope,
    after: Option<Duration>,
}

impl<S> Service<http::Request<Body>> for TimeoutService<S>
where
    S: Service<http::Request<Body>, Error = Error>,
{
    type Response = S::Response;
    type Error = Error;
    type Future = TimeoutFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let overridden = req.extensions().get::<CallOptions>().and_then(|o| {
            if self.scope == TimeoutScope::Operation {
                o.operation_timeout
            } else {
                o.attempt_timeout
            }
        });
        let after = overridden.unwrap_or(self.after);
        let mut req = req;
        // An upload: the attempt's time counts from when the body has been sent.
        let progress =
            (self.scope == TimeoutScope::Attempt && after.is_some() && is_tracked(req.body()))
                .then(|| {
                    let progress = RequestProgress::new();
                    req.extensions_mut().insert(progress.clone());
                    progress
                });
        TimeoutFuture {
            inner: self.inner.call(req),
            sleep: after.map(tokio::time::sleep),
            scope: self.scope,
            after,
            progress,
        }
    }
}

/// The future of [`TimeoutService`].
#[pin_project]
pub struct TimeoutFuture<F> {
    #[pin]
    inner: F,
    #[pin]
    sleep: Option<Sleep>,
    scope: TimeoutScope,
    after: Option<Duration>,
    /// The request body's progress, for an attempt with a streamed body.
    progress: Option<RequestProgress>,
}

impl<F> fmt::Debug for TimeoutFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimeoutFuture")
            .field("scope", &self.scope)
            .field("after", &self.after)
            .finish_non_exhaustive()
    }
}

impl<F, T> Future for TimeoutFuture<F>
where
    F: Future<Output = Result<T, Error>>,
{
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(out) = this.inner.poll(cx) {
            return Poll::Ready(out);
        }
        let Some(mut sleep) = this.sleep.as_pin_mut() else {
            return Poll::Pending;
        };
        loop {
            ready!(sleep.as_mut().poll(cx));
            let (Some(progress), Some(after)) = (this.progress.as_ref(), *this.after) else {
                return Poll::Ready(Err(Error::timeout(*this.scope, *this.after)));
            };
            match progress.on_deadline(after, cx) {
                Deadline::Expired => {
                    return Poll::Ready(Err(Error::timeout(*this.scope, *this.after)))
                }
                // Counted from the end of the upload: wait until then.
                Deadline::ResetTo(at) => sleep.as_mut().reset(at),
                // Still uploading (its stall guard watches it): woken when it is sent.
                Deadline::Wait => return Poll::Pending,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    #[tokio::test(start_paused = true)]
    async fn per_call_override_wins() {
        let slow = tower::service_fn(|_r: http::Request<Body>| async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            Ok::<_, Error>(http::Response::new(Body::empty()))
        });
        let svc = TimeoutLayer::attempt(Duration::from_secs(60)).layer(slow);
        let mut r = http::Request::new(Body::empty());
        CallOptions::builder()
            .attempt_timeout(Duration::from_secs(1))
            .build()
            .apply(&mut r);
        let e = svc.clone().oneshot(r).await.err();
        assert_eq!(
            e.and_then(|e| e.timeout_scope()),
            Some(TimeoutScope::Attempt)
        );
        let mut r = http::Request::new(Body::empty());
        CallOptions::builder()
            .attempt_timeout(None)
            .build()
            .apply(&mut r);
        assert!(svc.clone().oneshot(r).await.is_ok());
        assert!(svc.oneshot(http::Request::new(Body::empty())).await.is_ok());
    }
}
