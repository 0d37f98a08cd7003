//! A circuit breaker per client and endpoint host: fails fast while a host keeps failing.
//!
//! This module holds the layer and the service; [`CircuitBreakerConfig`] and [`BreakerState`]
//! are in `config`, the per-host state machine ([`CircuitBreakers`]) in `registry`, and
//! [`CircuitBreakerFuture`], which reports each call's outcome, in `future`.

use std::task::{Context, Poll};

use tower::{Layer, Service};

use crate::{Body, Error};

mod config;
mod future;
mod registry;

pub use config::{BreakerState, CircuitBreakerConfig, CircuitBreakerConfigBuilder};
pub use future::CircuitBreakerFuture;
pub use registry::{BreakerSnapshot, CircuitBreakers};

use future::Permit;

/// Adds a [`CircuitBreakerService`]: per-host breakers that fail fast while a host is failing.
///
/// ```
/// use oci_core::layers::breaker::{BreakerState, CircuitBreakerConfig, CircuitBreakerLayer};
/// use oci_core::{Body, Error};
/// use tower::{Service, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() -> Result<(), Error> {
/// let down = tower::service_fn(|_req: http::Request<Body>| async {
///     Err::<http::Response<Body>, _>(Error::service(http::StatusCode::SERVICE_UNAVAILABLE, None, "down".into(), None))
/// });
/// let layer = CircuitBreakerLayer::new(CircuitBreakerConfig::builder().min_calls(2).build());
/// let breakers = layer.breakers().clone();
/// let mut svc = tower::ServiceBuilder::new().layer(layer).service(down);
/// for _ in 0..2 {
///     let req = http::Request::get("https://objectstorage.example").body(Body::empty()).unwrap_or_default();
///     let _ = svc.ready().await?.call(req).await;
/// }
/// assert_eq!(breakers.state("objectstorage.example"), BreakerState::Open);
/// let req = http::Request::get("https://objectstorage.example").body(Body::empty()).unwrap_or_default();
/// let err = svc.ready().await?.call(req).await.err();
/// assert!(err.is_some_and(|e| e.is_circuit_open()));
/// # Ok(()) }
/// ```
///
/// It belongs inside the retry layer, so each attempt counts. Breakers are keyed by the request
/// URI's `host[:port]` and live in the layer (one [`CircuitBreakers`] per client, never
/// process-wide). An open breaker answers at once with a typed error
/// ([`Error::is_circuit_open`]) that the classifier never retries. `poll_ready` only asks the
/// inner service: an open breaker never makes it pending. No lock is held across an await. The
/// breaker's state at admission is recorded in the current span's `breaker_state` field when it
/// has one (the attempt span of the trace layer does).
#[derive(Debug, Clone)]
pub struct CircuitBreakerLayer {
    breakers: CircuitBreakers,
}

impl CircuitBreakerLayer {
    /// New breakers with `config`.
    pub fn new(config: CircuitBreakerConfig) -> Self {
        CircuitBreakerLayer {
            breakers: CircuitBreakers::new(config),
        }
    }

    /// A layer sharing existing breakers.
    pub fn with_breakers(breakers: CircuitBreakers) -> Self {
        CircuitBreakerLayer { breakers }
    }

    /// The breakers' handle, to read their states.
    pub fn breakers(&self) -> &CircuitBreakers {
        &self.breakers
    }
}

impl<S> Layer<S> for CircuitBreakerLayer {
    type Service = CircuitBreakerService<S>;
    fn layer(&self, inner: S) -> CircuitBreakerService<S> {
        CircuitBreakerService {
            inner,
            breakers: self.breakers.clone(),
        }
    }
}

/// The service made by [`CircuitBreakerLayer`].
#[derive(Debug, Clone)]
pub struct CircuitBreakerService<S> {
    inner: S,
    breakers: CircuitBreakers,
}

/// The key of a request's breaker: its URI's `host[:port]`.
fn host_of(req: &http::Request<Body>) -> &str {
    match req.uri().authority() {
        Some(a) => a.as_str(),
        None => req
            .headers()
            .get(http::header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    }
}

impl<S> Service<http::Request<Body>> for CircuitBreakerService<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>,
{
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = CircuitBreakerFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        match self.breakers.admit(host_of(&req)) {
            Ok((admission, state, host)) => {
                tracing::Span::current().record("breaker_state", state.as_str());
                let permit = Permit::new(self.breakers.clone(), host, admission);
                CircuitBreakerFuture::admitted(self.inner.call(req), permit)
            }
            Err(e) => {
                tracing::Span::current().record("breaker_state", BreakerState::Open.as_str());
                CircuitBreakerFuture::rejected(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    use tower::ServiceExt;

    fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        Pin::new(f).poll(&mut cx)
    }

    fn req() -> http::Request<Body> {
        let mut r = http::Request::new(Body::empty());
        *r.uri_mut() = http::Uri::from_static("https://h.example/x");
        r
    }

    #[tokio::test(start_paused = true)]
    async fn closed_open_half_open_closed_and_open_again() {
        let failing = Arc::new(AtomicBool::new(true));
        let f = failing.clone();
        let inner = tower::service_fn(move |_r: http::Request<Body>| {
            let fail = f.load(Ordering::SeqCst);
            async move {
                if fail {
                    Err(Error::service(
                        http::StatusCode::BAD_GATEWAY,
                        None,
                        "x".into(),
                        None,
                    ))
                } else {
                    Ok(http::Response::new(Body::empty()))
                }
            }
        });
        let changes = Arc::new(Mutex::new(Vec::new()));
        let seen = changes.clone();
        let layer = CircuitBreakerLayer::new(
            CircuitBreakerConfig::builder()
                .on_state_change(move |h, from, to| {
                    seen.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((h.to_owned(), from, to))
                })
                .build(),
        );
        let b = layer.breakers().clone();
        let svc = layer.layer(inner);
        // 9 failures: not enough calls yet.
        for _ in 0..9 {
            let e = svc.clone().oneshot(req()).await.err();
            assert!(e.is_some_and(|e| e.is_service()));
        }
        assert_eq!(b.state("h.example"), BreakerState::Closed);
        let _ = svc.clone().oneshot(req()).await;
        assert_eq!(b.state("h.example"), BreakerState::Open);
        let e = svc.clone().oneshot(req()).await.err();
        assert!(e.as_ref().is_some_and(Error::is_circuit_open), "{e:?}");
        tokio::time::advance(Duration::from_secs(30)).await;
        assert_eq!(b.state("h.example"), BreakerState::HalfOpen);
        // The probe fails: open again.
        assert!(svc.clone().oneshot(req()).await.is_err());
        assert_eq!(b.state("h.example"), BreakerState::Open);
        tokio::time::advance(Duration::from_secs(30)).await;
        failing.store(false, Ordering::SeqCst);
        assert!(svc.clone().oneshot(req()).await.is_ok());
        assert_eq!(b.state("h.example"), BreakerState::Closed);
        let snap = b.snapshot();
        assert_eq!(snap.len(), 1);
        assert_eq!((snap[0].calls, snap[0].failures), (0, 0));
        use BreakerState::*;
        let got: Vec<_> = changes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|c| (c.1, c.2))
            .collect();
        assert_eq!(
            got,
            vec![
                (Closed, Open),
                (Open, HalfOpen),
                (HalfOpen, Open),
                (Open, HalfOpen),
                (HalfOpen, Closed)
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn only_one_probe_and_a_dropped_probe_frees_the_slot() {
        let inner = tower::service_fn(|_r: http::Request<Body>| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Err::<http::Response<Body>, _>(Error::service(
                http::StatusCode::SERVICE_UNAVAILABLE,
                None,
                "x".into(),
                None,
            ))
        });
        let layer = CircuitBreakerLayer::new(CircuitBreakerConfig::builder().min_calls(1).build());
        let b = layer.breakers().clone();
        let svc = layer.layer(inner);
        let _ = svc.clone().oneshot(req()).await;
        assert_eq!(b.state("h.example"), BreakerState::Open);
        tokio::time::advance(Duration::from_secs(30)).await;
        let probe = svc.clone().oneshot(req());
        let mut probe = Box::pin(probe);
        // Start the probe, then ask again while it is in flight.
        assert!(poll_once(&mut probe).is_pending());
        let e = svc.clone().oneshot(req()).await.err();
        assert!(e.is_some_and(|e| e.is_circuit_open()));
        drop(probe);
        // The dropped probe frees the slot: the next call is the probe.
        let mut next = Box::pin(svc.clone().oneshot(req()));
        assert!(poll_once(&mut next).is_pending());
    }

    #[tokio::test(start_paused = true)]
    async fn the_callers_failures_are_not_counted_and_a_probe_failing_so_frees_the_slot() {
        let fail_host = Arc::new(AtomicBool::new(true));
        let f = fail_host.clone();
        let inner = tower::service_fn(move |_r: http::Request<Body>| {
            let host_fails = f.load(Ordering::SeqCst);
            async move {
                Err::<http::Response<Body>, _>(if host_fails {
                    Error::service(http::StatusCode::BAD_GATEWAY, None, "x".into(), None)
                } else {
                    Error::request_body(std::io::Error::other("the caller went away"))
                })
            }
        });
        let layer = CircuitBreakerLayer::new(CircuitBreakerConfig::builder().min_calls(1).build());
        let b = layer.breakers().clone();
        let svc = layer.layer(inner);
        fail_host.store(false, Ordering::SeqCst);
        for _ in 0..20 {
            let _ = svc.clone().oneshot(req()).await;
        }
        assert_eq!(b.state("h.example"), BreakerState::Closed);
        assert_eq!((b.snapshot()[0].calls, b.snapshot()[0].failures), (0, 0));
        // Open it, then let the probe fail on the caller's side: still half-open, and the next
        // call may probe.
        fail_host.store(true, Ordering::SeqCst);
        let _ = svc.clone().oneshot(req()).await;
        assert_eq!(b.state("h.example"), BreakerState::Open);
        tokio::time::advance(Duration::from_secs(30)).await;
        fail_host.store(false, Ordering::SeqCst);
        let e = svc.clone().oneshot(req()).await.unwrap_err();
        assert!(e.is_request_body());
        assert_eq!(b.state("h.example"), BreakerState::HalfOpen);
        let e = svc.clone().oneshot(req()).await.unwrap_err();
        assert!(
            !e.is_circuit_open(),
            "the next call is let through as the probe"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn breakers_are_per_host_and_client_errors_count_as_healthy() {
        let inner = tower::service_fn(|r: http::Request<Body>| async move {
            let status = if r.uri().host() == Some("bad.example") {
                http::StatusCode::INTERNAL_SERVER_ERROR
            } else {
                http::StatusCode::NOT_FOUND
            };
            Err::<http::Response<Body>, _>(Error::service(status, None, "x".into(), None))
        });
        let layer = CircuitBreakerLayer::new(CircuitBreakerConfig::builder().min_calls(3).build());
        let b = layer.breakers().clone();
        let svc = layer.layer(inner);
        for host in ["bad.example", "good.example"] {
            for _ in 0..5 {
                let mut r = req();
                *r.uri_mut() = format!("https://{host}/").parse().unwrap_or_default();
                let _ = svc.clone().oneshot(r).await;
            }
        }
        assert_eq!(b.state("bad.example"), BreakerState::Open);
        assert_eq!(b.state("good.example"), BreakerState::Closed);
        // A second set of breakers (another client) knows nothing of these hosts.
        let other = CircuitBreakers::new(CircuitBreakerConfig::default());
        assert_eq!(other.state("bad.example"), BreakerState::Closed);
    }
}
