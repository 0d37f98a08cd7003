//! [`RetryFuture`]: runs the attempts of one call, sleeping between them, and [`AttemptInfo`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use pin_project::pin_project;
use tokio::time::{Instant, Sleep};
use tower::Service;

use super::budget::RetryBudget;
use super::policy::RetryPolicy;
use crate::layers::classify::Class;
use crate::layers::options::CallOptions;
use crate::layers::timeout::LongPoll;
use crate::{Body, Error, OperationInfo};

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

/// A copy of `req` for one more attempt, when its body can be replayed.
fn clone_request(req: &http::Request<Body>) -> Option<http::Request<Body>> {
    let mut out = copy_without_extensions(req)?;
    *out.extensions_mut() = req.extensions().clone();
    Some(out)
}

/// A copy of `req` with empty extensions, when its body can be replayed.
fn copy_without_extensions(req: &http::Request<Body>) -> Option<http::Request<Body>> {
    let body = req.body().try_clone()?;
    let mut out = http::Request::new(body);
    *out.method_mut() = req.method().clone();
    *out.uri_mut() = req.uri().clone();
    *out.version_mut() = req.version();
    *out.headers_mut() = req.headers().clone();
    Some(out)
}

/// The extensions of a request when every one of them is of a type the client itself puts
/// there, kept typed for the later attempts: the first attempt then takes the request's own
/// extensions map instead of a copy (a map and a box per entry), and a map is built again only
/// when there is a retry.
#[derive(Clone, Default)]
struct KnownExtensions {
    info: Option<OperationInfo>,
    options: Option<CallOptions>,
    long_poll: Option<LongPoll>,
}

impl KnownExtensions {
    /// `Some` when every entry of `ext` is one of the known types.
    fn of(ext: &http::Extensions) -> Option<Self> {
        let kept = KnownExtensions {
            info: ext.get::<OperationInfo>().copied(),
            long_poll: ext.get::<LongPoll>().copied(),
            options: None,
        };
        let found = usize::from(kept.info.is_some())
            + usize::from(kept.long_poll.is_some())
            + usize::from(ext.get::<CallOptions>().is_some());
        (found == ext.len()).then(|| KnownExtensions {
            options: ext.get::<CallOptions>().cloned(),
            ..kept
        })
    }

    /// Puts the kept values into `ext` (the extensions of a copy of the template).
    fn restore(&self, ext: &mut http::Extensions) {
        if let Some(info) = self.info {
            ext.insert(info);
        }
        if let Some(options) = &self.options {
            ext.insert(options.clone());
        }
        if let Some(long_poll) = self.long_poll {
            ext.insert(long_poll);
        }
    }
}

/// The request of attempt `attempt`, made from `template` (the original request). The first of
/// several possible attempts takes the original's extensions when they are all
/// [`KnownExtensions`] (kept in `kept` for the later attempts), else a copy of them.
fn next_request(
    template: &mut Option<http::Request<Body>>,
    kept: &mut Option<KnownExtensions>,
    replayable: bool,
    attempt: u32,
    max_attempts: u32,
    reason: Option<Class>,
    nested: bool,
) -> Option<http::Request<Body>> {
    // The last possible attempt takes the original itself: no copy (and, for a factory body,
    // no extra stream) is made that could never be used.
    let mut req = if replayable && attempt < max_attempts {
        let original = template.as_mut()?;
        if attempt == 1 {
            let mut first = copy_without_extensions(original)?;
            match KnownExtensions::of(original.extensions()) {
                Some(known) => {
                    *first.extensions_mut() = std::mem::take(original.extensions_mut());
                    *kept = Some(known);
                }
                None => *first.extensions_mut() = original.extensions().clone(),
            }
            first
        } else {
            let mut copy = clone_request(original)?;
            if let Some(known) = kept.as_ref() {
                known.restore(copy.extensions_mut());
            }
            copy
        }
    } else {
        let mut last = template.take()?;
        if let Some(known) = kept.as_ref() {
            known.restore(last.extensions_mut());
        }
        last
    };
    if !nested {
        req.extensions_mut().insert(AttemptInfo {
            attempt,
            retry_reason: reason,
        });
    }
    Some(req)
}

/// The future of [`RetryService`](super::RetryService).
#[pin_project]
pub struct RetryFuture<S>
where
    S: Service<http::Request<Body>>,
{
    svc: S,
    template: Option<http::Request<Body>>,
    /// The template's extensions, when the first attempt took its map (see [`next_request`]).
    kept: Option<KnownExtensions>,
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

impl<S> RetryFuture<S>
where
    S: Service<http::Request<Body>>,
{
    /// Starts the first attempt of `req` on `svc` (already ready). `nested`: the request is
    /// already inside another retry layer, so it gets one attempt and no [`AttemptInfo`].
    pub(super) fn start(
        mut svc: S,
        req: http::Request<Body>,
        nested: bool,
        policy: RetryPolicy,
        budget: Option<RetryBudget>,
    ) -> Self {
        let replayable = !nested && req.body().is_replayable();
        let mut template = Some(req);
        let mut kept = None;
        let first = next_request(
            &mut template,
            &mut kept,
            replayable,
            1,
            policy.max_attempts(),
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
            kept,
            replayable,
            nested,
            policy,
            budget,
            attempt: 1,
            reason: None,
            started: Instant::now(),
            last_cost: 0,
            state,
        }
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
                        this.kept,
                        *this.replayable,
                        *this.attempt,
                        this.policy.max_attempts(),
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
                    let class = this.policy.classifier().classify(result.as_ref());
                    let attempt = *this.attempt;
                    if !class.is_retryable() {
                        this.state.set(State::Done);
                        return Poll::Ready(match result {
                            Ok(mut resp) => {
                                if let Some(b) = this.budget {
                                    b.refund(if attempt == 1 {
                                        b.success_refund()
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
    if attempt >= policy.max_attempts() {
        return Err(Stop::MaxAttempts);
    }
    if !replayable {
        return Err(Stop::OneShot);
    }
    // The server's Retry-After replaces the backoff, capped at the policy's max delay; one
    // that points past the total-time cap still ends the call (the server asked for more).
    let wanted = retry_after.unwrap_or_else(|| policy.delay_for(attempt));
    if let Some(total) = policy.total_timeout() {
        if started.elapsed() + wanted > total {
            return Err(Stop::TotalTime(total));
        }
    }
    let delay = match retry_after {
        Some(d) => d.min(policy.max_delay()),
        None => wanted,
    };
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
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use tower::{Layer, ServiceExt};

    use super::*;
    use crate::layers::retry::{RetryLayer, RetryPolicy};

    #[derive(Debug, Clone, PartialEq)]
    struct Mine(&'static str);

    /// What each attempt's request carried: the operation, the call's options (by their
    /// attempt timeout), a long poll, a type of the caller's own, and the attempt number.
    type Seen = (
        Option<OperationInfo>,
        Option<Option<Duration>>,
        Option<LongPoll>,
        Option<Mine>,
        u32,
    );

    /// Fails the first two attempts with a 503, recording every attempt's extensions.
    async fn attempts(req: http::Request<Body>) -> Vec<Seen> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let svc = tower::service_fn(move |r: http::Request<Body>| {
            let e = r.extensions();
            let mut log = log.lock().unwrap();
            log.push((
                e.get::<OperationInfo>().copied(),
                e.get::<CallOptions>().and_then(|o| o.attempt_timeout),
                e.get::<LongPoll>().copied(),
                e.get::<Mine>().cloned(),
                e.get::<AttemptInfo>().map_or(0, |a| a.attempt),
            ));
            let n = log.len();
            async move {
                if n < 3 {
                    Err(Error::service(
                        http::StatusCode::SERVICE_UNAVAILABLE,
                        None,
                        "busy".into(),
                        None,
                    ))
                } else {
                    Ok(http::Response::new(Body::empty()))
                }
            }
        });
        let policy = RetryPolicy::builder()
            .max_attempts(3)
            .base_delay(Duration::from_millis(1))
            .build();
        RetryLayer::new(policy)
            .layer(svc)
            .oneshot(req)
            .await
            .unwrap();
        let out = seen.lock().unwrap().clone();
        out
    }

    fn request(mine: bool) -> http::Request<Body> {
        let mut req = http::Request::new(Body::from("x"));
        let e = req.extensions_mut();
        e.insert(OperationInfo::new("identity", "GetUser"));
        e.insert(
            CallOptions::builder()
                .attempt_timeout(Duration::from_secs(7))
                .build(),
        );
        e.insert(LongPoll(Duration::from_secs(20)));
        if mine {
            e.insert(Mine("mine"));
        }
        req
    }

    #[tokio::test(start_paused = true)]
    async fn every_attempt_carries_the_requests_extensions() {
        for mine in [false, true] {
            let seen = attempts(request(mine)).await;
            assert_eq!(seen.len(), 3, "mine: {mine}");
            for (i, (info, timeout, poll, own, attempt)) in seen.into_iter().enumerate() {
                assert_eq!(info, Some(OperationInfo::new("identity", "GetUser")));
                assert_eq!(timeout, Some(Some(Duration::from_secs(7))));
                assert_eq!(poll, Some(LongPoll(Duration::from_secs(20))));
                assert_eq!(own, mine.then_some(Mine("mine")));
                assert_eq!(attempt, i as u32 + 1);
            }
        }
    }

    #[test]
    fn only_known_types_are_kept_typed() {
        let req = request(false);
        assert!(KnownExtensions::of(req.extensions()).is_some());
        assert!(KnownExtensions::of(&http::Extensions::new()).is_some());
        let req = request(true);
        assert!(KnownExtensions::of(req.extensions()).is_none());
    }
}
