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
use crate::{Body, Error};

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
    let body = req.body().try_clone()?;
    let mut out = http::Request::new(body);
    *out.method_mut() = req.method().clone();
    *out.uri_mut() = req.uri().clone();
    *out.version_mut() = req.version();
    *out.headers_mut() = req.headers().clone();
    *out.extensions_mut() = req.extensions().clone();
    Some(out)
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

/// The future of [`RetryService`](super::RetryService).
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
        let first = next_request(
            &mut template,
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
