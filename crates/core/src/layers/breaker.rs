//! A circuit breaker per client and endpoint host: fails fast while a host keeps failing.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{ready, Context, Poll};
use std::time::Duration;

use pin_project::pin_project;
use tokio::time::Instant;
use tower::{Layer, Service};

use super::classify::{Classify, OciClassifier, SharedClassifier};
use crate::{Body, Error};

/// The state of one host's breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BreakerState {
    /// Calls go through and are counted.
    Closed,
    /// Calls fail fast with [`Error::is_circuit_open`] until the open period ends.
    Open,
    /// The open period ended: one probe call goes through and decides.
    HalfOpen,
}

impl BreakerState {
    /// `closed`, `open` or `half_open`.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

impl fmt::Display for BreakerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

type StateListener = Arc<dyn Fn(&str, BreakerState, BreakerState) + Send + Sync>;

/// When a breaker opens and for how long.
///
/// ```
/// use std::time::Duration;
/// use oci_core::layers::breaker::CircuitBreakerConfig;
///
/// let config = CircuitBreakerConfig::default()       // 80% of >= 10 calls in 120 s, open 30 s
///     .failure_rate(0.5)
///     .min_calls(20)
///     .window(Duration::from_secs(60))
///     .open_for(Duration::from_secs(10))
///     .on_state_change(|host, from, to| println!("{host}: {from} -> {to}"));
/// # let _ = config;
/// ```
///
/// The defaults are the Go SDK's (reference E.2): the breaker opens when at least 80% of at
/// least 10 calls in the current 120 s window failed, stays open 30 s, then lets one probe
/// through: a success closes it, a failure opens it again. What counts as a failure is the
/// classifier's call ([`Class::is_breaker_failure`](super::classify::Class::is_breaker_failure):
/// throttling, 5xx, transport errors and attempt timeouts); 4xx answers show a healthy host.
#[derive(Clone)]
pub struct CircuitBreakerConfig {
    failure_rate: f64,
    min_calls: u32,
    window: Duration,
    open_for: Duration,
    classifier: SharedClassifier,
    listener: Option<StateListener>,
}

impl fmt::Debug for CircuitBreakerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreakerConfig")
            .field("failure_rate", &self.failure_rate)
            .field("min_calls", &self.min_calls)
            .field("window", &self.window)
            .field("open_for", &self.open_for)
            .field("classifier", &self.classifier)
            .finish_non_exhaustive()
    }
}

impl Default for CircuitBreakerConfig {
    fn default() -> Self {
        CircuitBreakerConfig {
            failure_rate: 0.8,
            min_calls: 10,
            window: Duration::from_secs(120),
            open_for: Duration::from_secs(30),
            classifier: Arc::new(OciClassifier),
            listener: None,
        }
    }
}

impl CircuitBreakerConfig {
    /// The share of failed calls, in `[0, 1]`, that opens the breaker (0.8).
    pub fn failure_rate(mut self, rate: f64) -> Self {
        self.failure_rate = if rate.is_finite() {
            rate.clamp(0.0, 1.0)
        } else {
            1.0
        };
        self
    }
    /// Calls needed in a window before the breaker may open (10; at least 1).
    pub fn min_calls(mut self, n: u32) -> Self {
        self.min_calls = n.max(1);
        self
    }
    /// The counting window while closed (120 s): counts restart when it ends.
    pub fn window(mut self, d: Duration) -> Self {
        self.window = d;
        self
    }
    /// How long the breaker stays open before a probe (30 s).
    pub fn open_for(mut self, d: Duration) -> Self {
        self.open_for = d;
        self
    }
    /// The classifier deciding what is a failure ([`OciClassifier`]).
    pub fn classifier(mut self, classifier: impl Classify) -> Self {
        self.classifier = Arc::new(classifier);
        self
    }
    /// Uses an already shared classifier.
    pub fn shared_classifier(mut self, classifier: SharedClassifier) -> Self {
        self.classifier = classifier;
        self
    }
    /// Called with `(host, from, to)` on every state change, e.g. to feed your metrics. It runs
    /// on the calling task with no lock held; keep it quick.
    pub fn on_state_change(
        mut self,
        f: impl Fn(&str, BreakerState, BreakerState) + Send + Sync + 'static,
    ) -> Self {
        self.listener = Some(Arc::new(f));
        self
    }
}

/// One host's breaker, as [`CircuitBreakers::snapshot`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakerSnapshot {
    /// The endpoint host (`host[:port]`).
    pub host: String,
    /// The current state.
    pub state: BreakerState,
    /// Calls counted in the current window.
    pub calls: u32,
    /// Failures counted in the current window.
    pub failures: u32,
    /// While open: how long until a probe is allowed.
    pub open_remaining: Option<Duration>,
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    Closed,
    Open { until: Instant },
    HalfOpen { probing: bool },
}

impl Phase {
    fn state(self) -> BreakerState {
        match self {
            Phase::Closed => BreakerState::Closed,
            Phase::Open { .. } => BreakerState::Open,
            Phase::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }
}

#[derive(Debug)]
struct HostState {
    phase: Phase,
    window_start: Instant,
    calls: u32,
    failures: u32,
}

impl HostState {
    fn reset_counts(&mut self, now: Instant) {
        self.window_start = now;
        self.calls = 0;
        self.failures = 0;
    }
}

struct Registry {
    config: CircuitBreakerConfig,
    hosts: Mutex<HashMap<Arc<str>, HostState>>,
}

/// The breakers of one client, one per endpoint host: a handle to read their state.
///
/// ```
/// use oci_core::layers::breaker::{BreakerState, CircuitBreakerConfig, CircuitBreakers};
///
/// let breakers = CircuitBreakers::new(CircuitBreakerConfig::default());
/// assert_eq!(breakers.state("identity.us-ashburn-1.oci.oraclecloud.com"), BreakerState::Closed);
/// for b in breakers.snapshot() {
///     println!("{} {} {}/{}", b.host, b.state, b.failures, b.calls);
/// }
/// ```
///
/// Clones share the state. `Client::circuit_breakers()` returns the client's handle; hosts
/// never seen are closed.
#[derive(Clone)]
pub struct CircuitBreakers {
    inner: Arc<Registry>,
}

impl fmt::Debug for CircuitBreakers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreakers")
            .field("config", &self.inner.config)
            .field("hosts", &self.snapshot())
            .finish()
    }
}

/// What a call was admitted as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Admission {
    Normal,
    Probe,
}

enum Change {
    None,
    Changed(BreakerState, BreakerState),
}

impl CircuitBreakers {
    /// Breakers with `config`, all closed.
    pub fn new(config: CircuitBreakerConfig) -> Self {
        CircuitBreakers {
            inner: Arc::new(Registry {
                config,
                hosts: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &CircuitBreakerConfig {
        &self.inner.config
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Arc<str>, HostState>> {
        self.inner.hosts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The state of `host`'s breaker (`Open` turns into `HalfOpen` when the open period is over).
    pub fn state(&self, host: &str) -> BreakerState {
        let now = Instant::now();
        match self.lock().get(host) {
            None => BreakerState::Closed,
            Some(h) => Self::visible(h.phase, now),
        }
    }

    fn visible(phase: Phase, now: Instant) -> BreakerState {
        match phase {
            Phase::Open { until } if now >= until => BreakerState::HalfOpen,
            p => p.state(),
        }
    }

    /// Every host seen so far, sorted by host.
    pub fn snapshot(&self) -> Vec<BreakerSnapshot> {
        let now = Instant::now();
        let mut out: Vec<BreakerSnapshot> = self
            .lock()
            .iter()
            .map(|(host, h)| BreakerSnapshot {
                host: host.to_string(),
                state: Self::visible(h.phase, now),
                calls: h.calls,
                failures: h.failures,
                open_remaining: match h.phase {
                    Phase::Open { until } if until > now => Some(until - now),
                    _ => None,
                },
            })
            .collect();
        out.sort_by(|a, b| a.host.cmp(&b.host));
        out
    }

    /// Admits a call to `host` or fails fast; an admitted call gets the host's key, which its
    /// permit keeps (shared with the map: no copy of the host per call).
    fn admit(&self, host: &str) -> Result<(Admission, BreakerState, Arc<str>), Error> {
        let now = Instant::now();
        let cfg = &self.inner.config;
        let (result, change) = {
            let mut hosts = self.lock();
            let key = hosts
                .get_key_value(host)
                .map_or_else(|| Arc::from(host), |(k, _)| Arc::clone(k));
            let h = hosts.entry(Arc::clone(&key)).or_insert_with(|| HostState {
                phase: Phase::Closed,
                window_start: now,
                calls: 0,
                failures: 0,
            });
            match h.phase {
                Phase::Closed => {
                    if now.duration_since(h.window_start) >= cfg.window {
                        h.reset_counts(now);
                    }
                    (
                        Ok((Admission::Normal, BreakerState::Closed, key)),
                        Change::None,
                    )
                }
                Phase::Open { until } if now < until => (
                    Err(Error::circuit_open(host, Some(until - now))),
                    Change::None,
                ),
                Phase::Open { .. } | Phase::HalfOpen { probing: false } => {
                    let from = h.phase.state();
                    h.phase = Phase::HalfOpen { probing: true };
                    let change = if from == BreakerState::HalfOpen {
                        Change::None
                    } else {
                        Change::Changed(from, BreakerState::HalfOpen)
                    };
                    (Ok((Admission::Probe, BreakerState::HalfOpen, key)), change)
                }
                Phase::HalfOpen { probing: true } => (
                    Err(Error::circuit_open(host, None).with_note("a half-open probe is in flight")),
                    Change::None,
                ),
            }
        };
        self.notify(host, change);
        result
    }

    fn record(&self, host: &str, admission: Admission, failure: Option<bool>) {
        let now = Instant::now();
        let cfg = &self.inner.config;
        let change = {
            let mut hosts = self.lock();
            let Some(h) = hosts.get_mut(host) else {
                return;
            };
            match (admission, h.phase, failure) {
                // A probe that was dropped before it finished: let another one through.
                (Admission::Probe, Phase::HalfOpen { .. }, None) => {
                    h.phase = Phase::HalfOpen { probing: false };
                    Change::None
                }
                (Admission::Probe, Phase::HalfOpen { .. }, Some(true)) => {
                    h.phase = Phase::Open {
                        until: now + cfg.open_for,
                    };
                    Change::Changed(BreakerState::HalfOpen, BreakerState::Open)
                }
                (Admission::Probe, Phase::HalfOpen { .. }, Some(false)) => {
                    h.phase = Phase::Closed;
                    h.reset_counts(now);
                    Change::Changed(BreakerState::HalfOpen, BreakerState::Closed)
                }
                (Admission::Normal, Phase::Closed, Some(failed)) => {
                    if now.duration_since(h.window_start) >= cfg.window {
                        h.reset_counts(now);
                    }
                    h.calls += 1;
                    if failed {
                        h.failures += 1;
                    }
                    let rate = f64::from(h.failures) / f64::from(h.calls);
                    if h.calls >= cfg.min_calls && rate >= cfg.failure_rate {
                        h.phase = Phase::Open {
                            until: now + cfg.open_for,
                        };
                        Change::Changed(BreakerState::Closed, BreakerState::Open)
                    } else {
                        Change::None
                    }
                }
                // A call admitted in an earlier state finished late: it no longer counts.
                _ => Change::None,
            }
        };
        self.notify(host, change);
    }

    fn notify(&self, host: &str, change: Change) {
        let Change::Changed(from, to) = change else {
            return;
        };
        if to == BreakerState::Open {
            tracing::warn!(
                target: "oci_tower::circuit_breaker",
                host,
                from = from.as_str(),
                to = to.as_str(),
                "circuit breaker state changed"
            );
        } else {
            tracing::info!(
                target: "oci_tower::circuit_breaker",
                host,
                from = from.as_str(),
                to = to.as_str(),
                "circuit breaker state changed"
            );
        }
        if let Some(listener) = &self.inner.config.listener {
            listener(host, from, to);
        }
    }
}

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
/// let layer = CircuitBreakerLayer::new(CircuitBreakerConfig::default().min_calls(2));
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
                CircuitBreakerFuture {
                    state: FutState::Inner {
                        fut: self.inner.call(req),
                        permit: Permit {
                            breakers: self.breakers.clone(),
                            host,
                            admission,
                            done: false,
                        },
                    },
                }
            }
            Err(e) => {
                tracing::Span::current().record("breaker_state", BreakerState::Open.as_str());
                CircuitBreakerFuture {
                    state: FutState::Rejected(Some(e)),
                }
            }
        }
    }
}

/// A call let through; reports its outcome, or its cancellation when dropped unfinished.
struct Permit {
    breakers: CircuitBreakers,
    host: Arc<str>,
    admission: Admission,
    done: bool,
}

impl Permit {
    fn finish(&mut self, failure: bool) {
        self.done = true;
        self.breakers
            .record(&self.host, self.admission, Some(failure));
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.done {
            self.breakers.record(&self.host, self.admission, None);
        }
    }
}

/// The future of [`CircuitBreakerService`].
#[pin_project]
pub struct CircuitBreakerFuture<F> {
    #[pin]
    state: FutState<F>,
}

impl<F> fmt::Debug for CircuitBreakerFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreakerFuture")
            .finish_non_exhaustive()
    }
}

#[pin_project(project = FutStateProj)]
enum FutState<F> {
    Inner {
        #[pin]
        fut: F,
        permit: Permit,
    },
    Rejected(Option<Error>),
}

impl<F> Future for CircuitBreakerFuture<F>
where
    F: Future<Output = Result<http::Response<Body>, Error>>,
{
    type Output = Result<http::Response<Body>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            FutStateProj::Inner { fut, permit } => {
                let result = ready!(fut.poll(cx));
                if !permit.done {
                    let class = permit
                        .breakers
                        .inner
                        .config
                        .classifier
                        .classify(result.as_ref());
                    permit.finish(class.is_breaker_failure());
                }
                Poll::Ready(result)
            }
            FutStateProj::Rejected(e) => Poll::Ready(Err(e.take().unwrap_or_else(|| {
                Error::with_kind(
                    crate::ErrorKind::Other,
                    "CircuitBreakerFuture polled after completion",
                )
            }))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
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
        let layer = CircuitBreakerLayer::new(CircuitBreakerConfig::default().on_state_change(
            move |h, from, to| {
                seen.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((h.to_owned(), from, to))
            },
        ));
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
        let layer = CircuitBreakerLayer::new(CircuitBreakerConfig::default().min_calls(1));
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
    async fn breakers_are_per_host_and_client_errors_count_as_healthy() {
        let inner = tower::service_fn(|r: http::Request<Body>| async move {
            let status = if r.uri().host() == Some("bad.example") {
                http::StatusCode::INTERNAL_SERVER_ERROR
            } else {
                http::StatusCode::NOT_FOUND
            };
            Err::<http::Response<Body>, _>(Error::service(status, None, "x".into(), None))
        });
        let layer = CircuitBreakerLayer::new(CircuitBreakerConfig::default().min_calls(3));
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
