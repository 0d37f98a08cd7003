//! Eventual consistency after Identity writes: the Go SDK's window and retry policy, opt-in.
//!
//! After a write to Identity (a user, group, policy, compartment... created, changed or
//! deleted), OCI may answer other calls for a while as if the write had not happened: a new
//! user is `404 NotAuthorizedOrNotFound`, a new policy does not yet grant access. The Go SDK
//! (`common/eventual_consistency.go`, `common/retry.go`) handles this:
//!
//! - every successful Identity write moves the end of an *eventual-consistency window* to
//!   240 s from now ([`EC_WINDOW`]);
//! - a call that starts inside the window also retries the errors in [`EC_ERRORS`] while the
//!   window lasts, and sleeps on a longer schedule: 9 attempts, `min(3.52^(n-1), 45)` s
//!   scaled so the sleeps end with the window, never shorter than the normal policy's, plus
//!   jitter. When the window ends sooner than the normal retries would, the normal timing is
//!   kept and only the extra errors are retried.
//!
//! Here it is off by default and turned on with `ClientBuilder::eventual_consistency(true)`.
//! The window is measured on the client's clock (`ClientBuilder::clock`), and shared by every
//! clone of the client (so by every service client built on it).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use tower::{Layer, Service};

use super::policy::RetryPolicy;
use crate::clock::Clock;
use crate::layers::classify::{Class, Classify, SharedClassifier};
use crate::layers::CallOptions;
use crate::{Body, Error, OperationInfo};

/// How long after an Identity write its effects may not be visible yet (Go's
/// `UpdateEndOfWindow(240 s)` in every Identity write operation).
pub const EC_WINDOW: Duration = Duration::from_secs(240);

/// The `(status, code)` errors retried inside the window (Go's
/// `affectedByEventualConsistencyRetryStatusCodeMap`, with `409 ResourceAlreadyExists` as the
/// protocol facts list it).
pub const EC_ERRORS: &[(u16, &str)] = &[
    (400, "RelatedResourceNotAuthorizedOrNotFound"),
    (404, "NotAuthorizedOrNotFound"),
    (409, "NotAuthorizedOrResourceAlreadyExists"),
    (409, "ResourceAlreadyExists"),
    (400, "InsufficientServicePermissions"),
    (400, "ResourceDisabled"),
];

/// Go's eventual-consistency schedule: attempts in all, base, growth and cap of the sleeps.
const EC_ATTEMPTS: u32 = 9;
const EC_BASE: Duration = Duration::from_secs(1);
const EC_GROWTH: f64 = 3.52;
const EC_MAX: Duration = Duration::from_secs(45);

/// Whether `error` is one the window may explain ([`EC_ERRORS`]).
///
/// ```
/// use oci_core::layers::retry::is_affected_by_eventual_consistency;
/// use oci_core::Error;
///
/// let e = Error::service(http::StatusCode::NOT_FOUND, Some("NotAuthorizedOrNotFound".into()), "x".into(), None);
/// assert!(is_affected_by_eventual_consistency(&e));
/// let other = Error::service(http::StatusCode::NOT_FOUND, Some("NotFound".into()), "x".into(), None);
/// assert!(!is_affected_by_eventual_consistency(&other));
/// ```
pub fn is_affected_by_eventual_consistency(error: &Error) -> bool {
    let (Some(status), Some(code)) = (error.status(), error.code()) else {
        return false;
    };
    EC_ERRORS
        .iter()
        .any(|(s, c)| *s == status.as_u16() && *c == code)
}

/// The eventual-consistency window of a client: when it ends, on the client's clock.
///
/// ```
/// use std::sync::Arc;
/// use std::time::{Duration, UNIX_EPOCH};
/// use oci_core::clock::ManualClock;
/// use oci_core::layers::retry::{EventualConsistency, EC_WINDOW};
///
/// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_000));
/// let ec = EventualConsistency::new(Arc::new(clock.clone()));
/// assert!(!ec.is_active());
/// ec.record_write(); // what a successful Identity write does
/// assert_eq!(ec.end_of_window(), Some(UNIX_EPOCH + Duration::from_secs(1_000) + EC_WINDOW));
/// clock.advance(EC_WINDOW);
/// assert!(!ec.is_active());
/// ```
///
/// Cheap to clone; clones share the window. A client with eventual consistency on holds one
/// (`Client::eventual_consistency`).
#[derive(Debug, Clone)]
pub struct EventualConsistency {
    end: Arc<Mutex<Option<SystemTime>>>,
    clock: Arc<dyn Clock>,
    window: Duration,
}

impl EventualConsistency {
    /// A closed window, measured on `clock`, opened for [`EC_WINDOW`] by each write.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        EventualConsistency {
            end: Arc::new(Mutex::new(None)),
            clock,
            window: EC_WINDOW,
        }
    }

    /// The end of the window, if a write ever opened one (it may be in the past).
    pub fn end_of_window(&self) -> Option<SystemTime> {
        *self.end.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the window is open now.
    pub fn is_active(&self) -> bool {
        self.remaining().is_some()
    }

    /// What is left of the window, if it is open.
    fn remaining(&self) -> Option<Duration> {
        let end = self.end_of_window()?;
        end.duration_since(self.clock.now())
            .ok()
            .filter(|d| !d.is_zero())
    }

    /// Moves the end of the window to `now + 240 s` (never earlier than it was).
    pub fn record_write(&self) {
        let candidate = self.clock.now() + self.window;
        let mut end = self.end.lock().unwrap_or_else(|p| p.into_inner());
        if end.map_or(true, |e| e < candidate) {
            *end = Some(candidate);
        }
    }

    /// The policy for a call starting now, given the client's `policy`: `None` outside the
    /// window (use `policy` as it is). Go's `determinePolicyToUse`.
    pub(crate) fn policy_for_call(&self, policy: &RetryPolicy) -> Option<RetryPolicy> {
        let left = self.remaining()?;
        let classifier: SharedClassifier = Arc::new(EcClassifier {
            inner: policy.classifier().clone(),
            window: self.clone(),
        });
        let normal = policy.clone().with_classifier(classifier);
        if left.as_secs_f64() <= policy.cumulative_backoff() {
            // The window ends before the normal retries would: normal timing, EC errors.
            return Some(normal);
        }
        let ec = normal.eventually_consistent(EC_ATTEMPTS, EC_BASE, EC_GROWTH, EC_MAX);
        let full = ec.cumulative_backoff();
        let scale = if full > 0.0 {
            left.as_secs_f64() / full
        } else {
            1.0
        };
        Some(ec.scaled(scale))
    }
}

/// Retries [`EC_ERRORS`] while the window is open; defers to the client's classifier otherwise.
#[derive(Debug)]
struct EcClassifier {
    inner: SharedClassifier,
    window: EventualConsistency,
}

impl Classify for EcClassifier {
    fn classify(&self, outcome: Result<&http::Response<Body>, &Error>) -> Class {
        match outcome {
            Err(e) if is_affected_by_eventual_consistency(e) && self.window.is_active() => {
                Class::Transient
            }
            other => self.inner.classify(other),
        }
    }
}

/// Adds an [`EventualConsistencyService`]: opens the window after Identity writes and gives
/// calls inside it the eventual-consistency retry policy. It sits above the retry layer (the
/// client adds it with `ClientBuilder::eventual_consistency(true)`).
#[derive(Debug, Clone)]
pub struct EventualConsistencyLayer {
    window: EventualConsistency,
    policy: RetryPolicy,
}

impl EventualConsistencyLayer {
    /// `window` opened by writes; `policy` is the client's retry policy, extended in the window.
    pub fn new(window: EventualConsistency, policy: RetryPolicy) -> Self {
        EventualConsistencyLayer { window, policy }
    }
}

impl<S> Layer<S> for EventualConsistencyLayer {
    type Service = EventualConsistencyService<S>;
    fn layer(&self, inner: S) -> EventualConsistencyService<S> {
        EventualConsistencyService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service made by [`EventualConsistencyLayer`].
#[derive(Debug, Clone)]
pub struct EventualConsistencyService<S> {
    inner: S,
    layer: EventualConsistencyLayer,
}

type EcFuture = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Error>> + Send>>;

/// A write to Identity: what opens the window.
fn is_identity_write(req: &http::Request<Body>) -> bool {
    let identity = req
        .extensions()
        .get::<OperationInfo>()
        .is_some_and(|i| i.service == "identity");
    identity && !matches!(*req.method(), http::Method::GET | http::Method::HEAD)
}

impl<S> Service<http::Request<Body>> for EventualConsistencyService<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = EcFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<Body>) -> EcFuture {
        let write = is_identity_write(&req);
        let own_policy = req
            .extensions()
            .get::<CallOptions>()
            .is_some_and(|o| o.retry_policy.is_some());
        if !own_policy {
            if let Some(policy) = self.layer.window.policy_for_call(&self.layer.policy) {
                let exts = req.extensions_mut();
                match exts.get_mut::<CallOptions>() {
                    Some(o) => o.retry_policy = Some(policy),
                    None => {
                        exts.insert(CallOptions::builder().retry_policy(policy).build());
                    }
                }
            }
        }
        let window = self.layer.window.clone();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let result = fut.await;
            if write && result.is_ok() {
                window.record_write();
            }
            result
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::backoff::FixedRandom;
    use super::*;
    use crate::clock::ManualClock;
    use std::time::UNIX_EPOCH;

    fn setup() -> (ManualClock, EventualConsistency) {
        let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(10_000));
        let ec = EventualConsistency::new(Arc::new(clock.clone()));
        (clock, ec)
    }

    fn not_found() -> Error {
        Error::service(
            http::StatusCode::NOT_FOUND,
            Some("NotAuthorizedOrNotFound".into()),
            "x".into(),
            None,
        )
    }

    #[test]
    fn no_window_keeps_the_policy() {
        let (_, ec) = setup();
        assert!(ec.policy_for_call(&RetryPolicy::default()).is_none());
    }

    #[test]
    fn right_after_a_write_the_go_schedule_fills_the_window() {
        let (_, ec) = setup();
        ec.record_write();
        let base = RetryPolicy::builder().random(FixedRandom(0.0)).build();
        let p = ec.policy_for_call(&base).expect("in the window");
        assert_eq!(p.max_attempts(), 9);
        // Go: 1, 3.52, 12.39, 43.61, 45, 45, 45, 45 s (sum ~240.5 s), scaled to 240 s.
        let sleeps: Vec<f64> = (1..9).map(|n| p.delay_for(n).as_secs_f64()).collect();
        let total: f64 = sleeps.iter().sum();
        assert!((total - 240.0).abs() < 0.01, "{sleeps:?} sum {total}");
        assert!(
            sleeps[0] >= 1.0 && (sleeps[1] - 3.52).abs() < 0.05,
            "{sleeps:?}"
        );
        assert!(sleeps[7] <= 45.0, "{sleeps:?}");
        assert_eq!(p.classifier().classify(Err(&not_found())), Class::Transient);
        assert!(
            p.classifier()
                .classify(Ok(&http::Response::new(Body::empty())))
                == Class::Success
        );
    }

    #[test]
    fn late_in_the_window_the_normal_timing_is_kept_with_the_extra_errors() {
        let (clock, ec) = setup();
        ec.record_write();
        clock.advance(EC_WINDOW - Duration::from_secs(30));
        let base = RetryPolicy::builder().random(FixedRandom(0.0)).build();
        let p = ec.policy_for_call(&base).expect("still open");
        assert_eq!(p.max_attempts(), base.max_attempts());
        assert_eq!(p.delay_for(3), base.delay_for(3));
        assert_eq!(p.classifier().classify(Err(&not_found())), Class::Transient);
        // Once the window closes, the same error is the client's again: not retried.
        clock.advance(Duration::from_secs(30));
        assert_eq!(
            p.classifier().classify(Err(&not_found())),
            Class::ClientError
        );
        assert!(ec.policy_for_call(&base).is_none());
    }

    #[test]
    fn only_identity_writes_open_the_window_and_only_listed_errors_qualify() {
        let info = |service| OperationInfo {
            service,
            operation: "X",
            exclude_body: false,
            retry_token: false,
            streaming_response: false,
            not_modified_ok: false,
        };
        let mut req = http::Request::post("http://h/")
            .body(Body::empty())
            .unwrap();
        req.extensions_mut().insert(info("identity"));
        assert!(is_identity_write(&req));
        req.extensions_mut().insert(info("objectstorage"));
        assert!(!is_identity_write(&req));
        let mut get = http::Request::get("http://h/").body(Body::empty()).unwrap();
        get.extensions_mut().insert(info("identity"));
        assert!(!is_identity_write(&get));
        for (status, code) in EC_ERRORS {
            let e = Error::service(
                http::StatusCode::from_u16(*status).unwrap(),
                Some((*code).into()),
                "x".into(),
                None,
            );
            assert!(is_affected_by_eventual_consistency(&e), "{status} {code}");
        }
    }
}
