//! Retries failed attempts with backoff, a total-time cap, `Retry-After` and a retry budget.
//!
//! Laid out as tower's `retry`: this module holds the layer and the service; [`RetryFuture`]
//! runs one call's attempts (`future`), [`RetryPolicy`] says when to retry (`policy`), the
//! sleeps come from `backoff` and the client-wide [`RetryBudget`] from `budget`.

use std::task::{Context, Poll};

use tower::{Layer, Service};

use crate::layers::options::CallOptions;
use crate::{Body, Error};

mod backoff;
mod budget;
mod future;
pub(crate) mod policy;

pub use backoff::{FixedRandom, Jitter, RandomSource, SeededRandom, ThreadRandom};
pub use budget::{RetryBudget, RetryBudgetBuilder};
pub use future::{AttemptInfo, RetryFuture};
pub use policy::{RetryPolicy, RetryPolicyBuilder};

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
        let svc = std::mem::replace(&mut self.inner, clone);

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
        RetryFuture::start(svc, req, nested, policy, self.budget.clone())
    }
}
