//! [`CircuitBreakerFuture`]: runs an admitted call and reports its outcome to the breaker.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use pin_project::pin_project;

use super::registry::{Admission, CircuitBreakers};
use crate::{Body, Error};

/// A call let through; reports its outcome, or its cancellation when dropped unfinished.
pub(super) struct Permit {
    breakers: CircuitBreakers,
    host: Arc<str>,
    admission: Admission,
    done: bool,
}

impl Permit {
    /// A permit for a call to `host` admitted as `admission`.
    pub(super) fn new(breakers: CircuitBreakers, host: Arc<str>, admission: Admission) -> Self {
        Permit {
            breakers,
            host,
            admission,
            done: false,
        }
    }

    /// Records the outcome: `Some(failed)`, or `None` for one that says nothing about the host
    /// (the caller's request body failed), which counts like a call the caller dropped.
    fn finish(&mut self, outcome: Option<bool>) {
        self.done = true;
        self.breakers.record(&self.host, self.admission, outcome);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.done {
            self.breakers.record(&self.host, self.admission, None);
        }
    }
}

/// The future of [`CircuitBreakerService`](super::CircuitBreakerService).
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

impl<F> CircuitBreakerFuture<F> {
    /// An admitted call: `fut` runs and its outcome is recorded through `permit`.
    pub(super) fn admitted(fut: F, permit: Permit) -> Self {
        CircuitBreakerFuture {
            state: FutState::Inner { fut, permit },
        }
    }

    /// A call refused with `error`.
    pub(super) fn rejected(error: Error) -> Self {
        CircuitBreakerFuture {
            state: FutState::Rejected(Some(error)),
        }
    }
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
                    permit.finish(class.breaker_outcome());
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
