//! Retries failed attempts with backoff, a total-time cap, `Retry-After` and a retry budget.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::Duration;

use pin_project::pin_project;
use rand::{Rng, SeedableRng};
use tokio::time::{Instant, Sleep};
use tower::{Layer, Service};

use super::classify::{Class, Classify, OciClassifier, SharedClassifier};
use super::CallOptions;
use crate::{Body, Error};

/// A source of uniform random numbers in `[0, 1)` for backoff jitter.
///
/// ```
/// use oci_core::layers::retry::{RandomSource, SeededRandom};
/// let a = SeededRandom::new(7);
/// let b = SeededRandom::new(7);
/// assert_eq!(a.unit(), b.unit()); // same seed, same sequence: deterministic sleeps in tests
/// ```
///
/// The default is [`ThreadRandom`]; tests inject [`SeededRandom`] or [`FixedRandom`] so the
/// sleep sequence is known in advance.
pub trait RandomSource: Send + Sync + fmt::Debug + 'static {
    /// A number in `[0, 1)`.
    fn unit(&self) -> f64;
}

/// Jitter from the thread-local random generator.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadRandom;

impl RandomSource for ThreadRandom {
    fn unit(&self) -> f64 {
        rand::thread_rng().gen::<f64>()
    }
}

/// A seeded generator: the same seed gives the same sequence.
#[derive(Debug)]
pub struct SeededRandom(Mutex<rand::rngs::StdRng>);

impl SeededRandom {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SeededRandom(Mutex::new(rand::rngs::StdRng::seed_from_u64(seed)))
    }
}

impl RandomSource for SeededRandom {
    fn unit(&self) -> f64 {
        let mut rng = self.0.lock().unwrap_or_else(|p| p.into_inner());
        rng.gen::<f64>()
    }
}

/// Always the same number (clamped to `[0, 1)`): for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedRandom(pub f64);

impl RandomSource for FixedRandom {
    fn unit(&self) -> f64 {
        self.0.clamp(0.0, 0.999_999_999)
    }
}

/// How randomness is mixed into the exponential backoff `e = base * 2^(n-1)` before retry `n`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Jitter {
    /// `min(e, max)`: no randomness.
    None,
    /// `min(e + U(0, j), max)`: OCI's default, with `j` = 1 s.
    Additive(Duration),
    /// `U(0, min(e, max))` ("full jitter").
    Full,
    /// `c/2 + U(0, c/2)` with `c = min(e, max)` ("equal jitter").
    Equal,
}

/// When and how often to retry.
///
/// ```
/// use std::time::Duration;
/// use oci_core::layers::retry::{FixedRandom, Jitter, RetryPolicy};
///
/// let oci = RetryPolicy::default(); // 8 attempts, 600 s total, min(2^(n-1) + U(0,1), 30) s
/// assert_eq!(oci.max_attempts(), 8);
///
/// let quick = RetryPolicy::builder()
///     .max_attempts(3)
///     .base_delay(Duration::from_millis(10))
///     .max_delay(Duration::from_millis(50))
///     .jitter(Jitter::None)
///     .total_timeout(Some(Duration::from_secs(5)))
///     .build();
/// assert_eq!(quick.delay_for(1), Duration::from_millis(10));
/// assert_eq!(quick.delay_for(2), Duration::from_millis(20));
/// assert_eq!(quick.delay_for(4), Duration::from_millis(50)); // capped
///
/// let seeded = RetryPolicy::builder().random(FixedRandom(0.5)).build();
/// assert_eq!(seeded.delay_for(1), Duration::from_millis(1500)); // 2^0 s + 0.5 * 1 s
/// assert_eq!(RetryPolicy::none().max_attempts(), 1);
/// ```
///
/// The default follows the official SDKs (reference D.1): 8 attempts in all, sleep
/// `min(2^(n-1) + U(0,1), 30)` s before retry `n`, no new attempt once 600 s would be exceeded
/// (checked before sleeping, so unlike the Python SDK the cap is never overrun by a sleep).
/// A `Retry-After` from the server replaces the computed sleep. What is retried is decided by
/// the policy's [classifier](super::classify): [`OciClassifier`] unless replaced.
///
/// Set a client-wide policy with `ClientBuilder::retry_policy` and a per-call one with
/// [`CallOptions::retry_policy`].
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: Jitter,
    total_timeout: Option<Duration>,
    classifier: SharedClassifier,
    random: Arc<dyn RandomSource>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::builder().build()
    }
}

impl RetryPolicy {
    /// OCI's default policy (same as [`Default`]).
    pub fn oci_default() -> Self {
        RetryPolicy::default()
    }

    /// One attempt, never retried.
    pub fn none() -> Self {
        RetryPolicy::builder().max_attempts(1).build()
    }

    /// A builder starting from OCI's defaults.
    pub fn builder() -> RetryPolicyBuilder {
        RetryPolicyBuilder {
            policy: RetryPolicy {
                max_attempts: 8,
                base_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(30),
                jitter: Jitter::Additive(Duration::from_secs(1)),
                total_timeout: Some(Duration::from_secs(600)),
                classifier: Arc::new(OciClassifier),
                random: Arc::new(ThreadRandom),
            },
            jitter_set: false,
        }
    }

    /// Attempts in all, the first included (1 means no retry).
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The cap on the whole call: no attempt starts after it.
    pub fn total_timeout(&self) -> Option<Duration> {
        self.total_timeout
    }

    /// The classifier that decides what is retried.
    pub fn classifier(&self) -> &SharedClassifier {
        &self.classifier
    }

    /// The sleep before retry `retry` (1 for the first retry, after attempt 1), drawing jitter
    /// from the policy's random source.
    pub fn delay_for(&self, retry: u32) -> Duration {
        let base = self.base_delay.as_secs_f64();
        let cap = self.max_delay.as_secs_f64();
        let exp = base * 2f64.powi(retry.saturating_sub(1).min(1000) as i32);
        let secs = match self.jitter {
            Jitter::None => exp.min(cap),
            Jitter::Additive(j) => (exp + self.unit() * j.as_secs_f64()).min(cap),
            Jitter::Full => self.unit() * exp.min(cap),
            Jitter::Equal => {
                let c = exp.min(cap);
                c / 2.0 + self.unit() * c / 2.0
            }
        };
        Duration::try_from_secs_f64(secs).unwrap_or(self.max_delay)
    }

    /// This policy with another classifier (the client applies its shared one this way).
    pub fn with_classifier(mut self, classifier: SharedClassifier) -> Self {
        self.classifier = classifier;
        self
    }

    fn unit(&self) -> f64 {
        let u = self.random.unit();
        if u.is_finite() {
            u.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// Builds a [`RetryPolicy`]; see there.
#[derive(Debug, Clone)]
pub struct RetryPolicyBuilder {
    policy: RetryPolicy,
    /// `jitter` was set explicitly; otherwise it follows `base_delay`.
    jitter_set: bool,
}

impl RetryPolicyBuilder {
    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.policy.max_attempts = n.max(1);
        self
    }
    /// The first sleep before jitter (1 s by default). Unless [`jitter`](Self::jitter) is set,
    /// the additive jitter follows it (up to one base delay), so short test delays stay short.
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.policy.base_delay = d;
        self
    }
    /// The largest sleep (30 s by default).
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.policy.max_delay = d;
        self
    }
    /// The jitter kind (by default additive, up to one base delay: 1 s).
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.policy.jitter = jitter;
        self.jitter_set = true;
        self
    }
    /// No attempt starts after this much time since the call began (600 s by default; `None`
    /// for no cap).
    pub fn total_timeout(mut self, d: Option<Duration>) -> Self {
        self.policy.total_timeout = d;
        self
    }
    /// The classifier deciding what is retried ([`OciClassifier`] by default).
    pub fn classifier(mut self, classifier: impl Classify) -> Self {
        self.policy.classifier = Arc::new(classifier);
        self
    }
    /// The random source for jitter ([`ThreadRandom`] by default).
    pub fn random(mut self, random: impl RandomSource) -> Self {
        self.policy.random = Arc::new(random);
        self
    }
    /// The policy.
    pub fn build(mut self) -> RetryPolicy {
        if !self.jitter_set {
            self.policy.jitter = Jitter::Additive(self.policy.base_delay);
        }
        self.policy
    }
}

/// A token bucket that limits retries across all calls of a client.
///
/// ```
/// use oci_core::layers::retry::RetryBudget;
/// let budget = RetryBudget::standard();
/// assert_eq!(budget.available(), 500);
/// ```
///
/// Every retry takes tokens (5, or 10 after a timeout) and every successful call puts some back
/// (1 when it succeeded first time, else the cost of its last retry), up to the capacity (500).
/// These are smithy-rs's standard retry-quota numbers: a healthy client never notices the
/// budget, while against a service that fails everything a client stops retrying after about
/// 100 retries, so the service sees about one request per call instead of eight. When the
/// bucket is empty, failures are returned at once with a note saying so.
///
/// Clones share the bucket; the client builds one and shares it between all its calls.
#[derive(Debug, Clone)]
pub struct RetryBudget {
    inner: Arc<BudgetInner>,
}

#[derive(Debug)]
struct BudgetInner {
    tokens: AtomicU32,
    capacity: u32,
    retry_cost: u32,
    timeout_cost: u32,
    success_refund: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget::standard()
    }
}

impl RetryBudget {
    /// Capacity 500, retry cost 5, retry-after-timeout cost 10, success refund 1.
    pub fn standard() -> Self {
        RetryBudget::new(500, 5, 10, 1)
    }

    /// A full bucket of `capacity` tokens with the given costs and refund.
    pub fn new(capacity: u32, retry_cost: u32, timeout_cost: u32, success_refund: u32) -> Self {
        RetryBudget {
            inner: Arc::new(BudgetInner {
                tokens: AtomicU32::new(capacity),
                capacity,
                retry_cost,
                timeout_cost,
                success_refund,
            }),
        }
    }

    /// Tokens left now.
    pub fn available(&self) -> u32 {
        self.inner.tokens.load(Ordering::Relaxed)
    }

    /// The bucket's size.
    pub fn capacity(&self) -> u32 {
        self.inner.capacity
    }

    fn cost(&self, after_timeout: bool) -> u32 {
        if after_timeout {
            self.inner.timeout_cost
        } else {
            self.inner.retry_cost
        }
    }

    fn try_acquire(&self, cost: u32) -> bool {
        self.inner
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .is_ok()
    }

    fn refund(&self, n: u32) {
        let cap = self.inner.capacity;
        let _ = self
            .inner
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_add(n).min(cap))
            });
    }
}

/// Which attempt this is, in each attempt's request extensions (and the final response's).
///
/// ```
/// use oci_core::layers::retry::AttemptInfo;
/// let first = AttemptInfo { attempt: 1, retry_reason: None };
/// assert_eq!(first.attempt, 1);
/// ```
///
/// Attempt layers (yours too) can read it; the trace layers record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptInfo {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Why the previous attempt was retried.
    pub retry_reason: Option<Class>,
}

/// Adds a [`RetryService`]: retries failed attempts according to a [`RetryPolicy`].
///
/// ```
/// use std::time::Duration;
/// use oci_core::layers::retry::{RetryBudget, RetryLayer, RetryPolicy};
/// use oci_core::{Body, Error};
/// use tower::{Service, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() -> Result<(), Error> {
/// let calls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
/// let seen = calls.clone();
/// let flaky = tower::service_fn(move |_req: http::Request<Body>| {
///     let n = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
///     async move {
///         if n < 2 {
///             Err(Error::service(http::StatusCode::SERVICE_UNAVAILABLE, None, "busy".into(), None))
///         } else {
///             Ok(http::Response::new(Body::from("ok")))
///         }
///     }
/// });
/// let mut svc = tower::ServiceBuilder::new()
///     .layer(RetryLayer::new(RetryPolicy::default()).budget(Some(RetryBudget::standard())))
///     .service(flaky);
/// let resp = svc.ready().await?.call(http::Request::new(Body::empty())).await?;
/// assert_eq!(resp.status(), 200);
/// assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);
/// # Ok(()) }
/// ```
///
/// Each attempt gets a copy of the original request (bytes and factory bodies are replayed), so
/// layers below (signing) start from the same request every time. A request whose body is a
/// one-shot stream gets one attempt; if that attempt fails in a retryable way, the error's note
/// says so. The final error carries the attempt count ([`Error::attempts`]) and is the last
/// attempt's error. A request that already carries an [`AttemptInfo`] (it is inside another
/// retry layer) is passed through once, so retries never nest.
#[derive(Debug, Clone)]
pub struct RetryLayer {
    policy: RetryPolicy,
    budget: Option<RetryBudget>,
}

impl RetryLayer {
    /// Retries with `policy` and no budget.
    pub fn new(policy: RetryPolicy) -> Self {
        RetryLayer {
            policy,
            budget: None,
        }
    }

    /// Shares `budget` between every call through this layer (`None`: unlimited retries).
    pub fn budget(mut self, budget: Option<RetryBudget>) -> Self {
        self.budget = budget;
        self
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = RetryService<S>;
    fn layer(&self, inner: S) -> RetryService<S> {
        RetryService {
            inner,
            policy: self.policy.clone(),
            budget: self.budget.clone(),
        }
    }
}

/// The service made by [`RetryLayer`].
#[derive(Debug, Clone)]
pub struct RetryService<S> {
    inner: S,
    policy: RetryPolicy,
    budget: Option<RetryBudget>,
}

/// A copy of `req` for one more attempt, when its body can be replayed.
pub(crate) fn clone_request(req: &http::Request<Body>) -> Option<http::Request<Body>> {
    let body = req.body().try_clone()?;
    let mut out = http::Request::new(body);
    *out.method_mut() = req.method().clone();
    *out.uri_mut() = req.uri().clone();
    *out.version_mut() = req.version();
    *out.headers_mut() = req.headers().clone();
    *out.extensions_mut() = req.extensions().clone();
    Some(out)
}

impl<S> Service<http::Request<Body>> for RetryService<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error> + Clone,
{
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = RetryFuture<S>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        // The ready service goes with this call; a fresh clone waits for the next one.
        let clone = self.inner.clone();
        let mut svc = std::mem::replace(&mut self.inner, clone);

        let nested = req.extensions().get::<AttemptInfo>().is_some();
        let policy = match (nested, req.extensions().get::<CallOptions>()) {
            (true, _) => RetryPolicy::none(),
            (
                false,
                Some(CallOptions {
                    retry_policy: Some(p),
                    ..
                }),
            ) => p.clone(),
            _ => self.policy.clone(),
        };
        let replayable = !nested && req.body().is_replayable();
        let mut template = Some(req);
        let first = next_request(
            &mut template,
            replayable,
            1,
            policy.max_attempts,
            None,
            nested,
        );
        let state = match first {
            Some(r) => State::Calling(svc.call(r)),
            None => State::Done,
        };
        RetryFuture {
            svc,
            template,
            replayable,
            nested,
            policy,
            budget: self.budget.clone(),
            attempt: 1,
            reason: None,
            started: Instant::now(),
            last_cost: 0,
            state,
        }
    }
}

fn next_request(
    template: &mut Option<http::Request<Body>>,
    replayable: bool,
    attempt: u32,
    max_attempts: u32,
    reason: Option<Class>,
    nested: bool,
) -> Option<http::Request<Body>> {
    // The last possible attempt takes the original itself: no copy (and, for a factory body,
    // no extra stream) is made that could never be used.
    let mut req = if replayable && attempt < max_attempts {
        template.as_ref().and_then(clone_request)?
    } else {
        template.take()?
    };
    if !nested {
        req.extensions_mut().insert(AttemptInfo {
            attempt,
            retry_reason: reason,
        });
    }
    Some(req)
}

/// The future of [`RetryService`].
#[pin_project]
pub struct RetryFuture<S>
where
    S: Service<http::Request<Body>>,
{
    svc: S,
    template: Option<http::Request<Body>>,
    replayable: bool,
    nested: bool,
    policy: RetryPolicy,
    budget: Option<RetryBudget>,
    attempt: u32,
    reason: Option<Class>,
    started: Instant,
    last_cost: u32,
    #[pin]
    state: State<S::Future>,
}

impl<S> fmt::Debug for RetryFuture<S>
where
    S: Service<http::Request<Body>>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryFuture")
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

#[pin_project(project = StateProj)]
enum State<F> {
    Ready,
    Calling(#[pin] F),
    Sleeping(#[pin] Sleep),
    Done,
}

/// Why a retryable failure is returned instead of retried.
enum Stop {
    OneShot,
    MaxAttempts,
    TotalTime(Duration),
    Budget,
}

impl<S> Future for RetryFuture<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>,
{
    type Output = Result<http::Response<Body>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Ready => {
                    if let Err(e) = ready!(this.svc.poll_ready(cx)) {
                        this.state.set(State::Done);
                        return Poll::Ready(Err(e.with_attempts(*this.attempt - 1)));
                    }
                    let req = next_request(
                        this.template,
                        *this.replayable,
                        *this.attempt,
                        this.policy.max_attempts,
                        *this.reason,
                        *this.nested,
                    );
                    match req {
                        Some(r) => {
                            let fut = this.svc.call(r);
                            this.state.set(State::Calling(fut));
                        }
                        None => {
                            this.state.set(State::Done);
                            return Poll::Ready(Err(Error::invalid_request(
                                "the request could not be copied for another attempt",
                            )
                            .with_attempts(*this.attempt - 1)));
                        }
                    }
                }
                StateProj::Calling(fut) => {
                    let result = ready!(fut.poll(cx));
                    let class = this.policy.classifier.classify(result.as_ref());
                    let attempt = *this.attempt;
                    if !class.is_retryable() {
                        this.state.set(State::Done);
                        return Poll::Ready(match result {
                            Ok(mut resp) => {
                                if let Some(b) = this.budget {
                                    b.refund(if attempt == 1 {
                                        b.inner.success_refund
                                    } else {
                                        *this.last_cost
                                    });
                                }
                                if !*this.nested {
                                    resp.extensions_mut().insert(AttemptInfo {
                                        attempt,
                                        retry_reason: *this.reason,
                                    });
                                }
                                Ok(resp)
                            }
                            Err(e) => Err(e.with_attempts(attempt)),
                        });
                    }
                    let (retry_after, after_timeout) = match &result {
                        Err(e) => (e.retry_after(), e.is_timeout()),
                        Ok(_) => (None, false),
                    };
                    let decision = decide(
                        this.policy,
                        this.budget.as_ref(),
                        *this.replayable,
                        attempt,
                        *this.started,
                        retry_after,
                        after_timeout,
                    );
                    match decision {
                        Ok((delay, cost)) => {
                            tracing::debug!(
                                target: "oci_tower::retry",
                                attempt,
                                reason = class.as_str(),
                                delay_ms = delay.as_millis() as u64,
                                "attempt failed; retrying"
                            );
                            *this.last_cost = cost;
                            *this.reason = Some(class);
                            *this.attempt += 1;
                            this.state.set(State::Sleeping(tokio::time::sleep(delay)));
                        }
                        Err(stop) => {
                            this.state.set(State::Done);
                            let e = match result {
                                Ok(resp) => return Poll::Ready(Ok(resp)),
                                Err(e) => e.with_attempts(attempt),
                            };
                            let e = match stop {
                                Stop::MaxAttempts => e,
                                Stop::OneShot if *this.nested => e,
                                Stop::OneShot => e.with_note(
                                    "not retried: the request body is a one-shot stream",
                                ),
                                Stop::TotalTime(total) => e.with_note(format!(
                                    "not retried: the next attempt would start after the \
                                     {total:?} total-time cap"
                                )),
                                Stop::Budget => e.with_note(
                                    "not retried: the client's retry budget is exhausted",
                                ),
                            };
                            return Poll::Ready(Err(e));
                        }
                    }
                }
                StateProj::Sleeping(sleep) => {
                    ready!(sleep.poll(cx));
                    this.state.set(State::Ready);
                }
                StateProj::Done => {
                    return Poll::Ready(Err(Error::with_kind(
                        crate::ErrorKind::Other,
                        "RetryFuture polled after completion",
                    )));
                }
            }
        }
    }
}

/// The sleep and budget cost of the next retry, or why there is none.
fn decide(
    policy: &RetryPolicy,
    budget: Option<&RetryBudget>,
    replayable: bool,
    attempt: u32,
    started: Instant,
    retry_after: Option<Duration>,
    after_timeout: bool,
) -> Result<(Duration, u32), Stop> {
    if attempt >= policy.max_attempts {
        return Err(Stop::MaxAttempts);
    }
    if !replayable {
        return Err(Stop::OneShot);
    }
    let delay = retry_after.unwrap_or_else(|| policy.delay_for(attempt));
    if let Some(total) = policy.total_timeout {
        if started.elapsed() + delay > total {
            return Err(Stop::TotalTime(total));
        }
    }
    let cost = match budget {
        Some(b) => {
            let cost = b.cost(after_timeout);
            if !b.try_acquire(cost) {
                return Err(Stop::Budget);
            }
            cost
        }
        None => 0,
    };
    Ok((delay, cost))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oci_default_sleeps() {
        let p = RetryPolicy::builder().random(FixedRandom(0.25)).build();
        let sleeps: Vec<f64> = (1..8).map(|n| p.delay_for(n).as_secs_f64()).collect();
        assert_eq!(sleeps, vec![1.25, 2.25, 4.25, 8.25, 16.25, 30.0, 30.0]);
    }

    #[test]
    fn default_jitter_follows_the_base_delay() {
        let p = RetryPolicy::builder()
            .base_delay(Duration::from_millis(10))
            .random(FixedRandom(0.999))
            .build();
        assert!(
            p.delay_for(1) < Duration::from_millis(20),
            "{:?}",
            p.delay_for(1)
        );
        let oci = RetryPolicy::builder().random(FixedRandom(0.5)).build();
        assert_eq!(oci.delay_for(1), Duration::from_millis(1500));
    }

    #[test]
    fn jitter_kinds() {
        let b = |j| {
            RetryPolicy::builder()
                .jitter(j)
                .random(FixedRandom(0.5))
                .build()
        };
        assert_eq!(b(Jitter::None).delay_for(3), Duration::from_secs(4));
        assert_eq!(b(Jitter::Full).delay_for(3), Duration::from_secs(2));
        assert_eq!(b(Jitter::Equal).delay_for(3), Duration::from_secs(3));
        assert_eq!(b(Jitter::Full).delay_for(40), Duration::from_secs(15));
    }

    #[test]
    fn budget_acquires_and_refunds_up_to_capacity() {
        let b = RetryBudget::new(12, 5, 10, 1);
        assert!(b.try_acquire(b.cost(false)));
        assert!(!b.try_acquire(b.cost(true)));
        assert_eq!(b.available(), 7);
        b.refund(100);
        assert_eq!(b.available(), 12);
    }
}
