//! Tracing spans: one per operation and one per attempt ([`TraceLayer`], one type with two
//! scopes), with no secrets in them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use pin_project::pin_project;
use tower::{Layer, Service};
use tracing::field::Empty;
use tracing::Span;

use super::classify::{Classify, OciClassifier, SharedClassifier};
use super::retry::AttemptInfo;
use crate::{Body, Error, OperationInfo};

fn op_names(req: &http::Request<Body>) -> (&'static str, &'static str) {
    match req.extensions().get::<OperationInfo>() {
        Some(i) => (i.service, i.operation),
        None => ("unknown", "unknown"),
    }
}

fn host(req: &http::Request<Body>) -> &str {
    req.uri().authority().map_or("", |a| a.as_str())
}

fn response_request_id(resp: &http::Response<Body>) -> Option<&str> {
    resp.headers()
        .get("opc-request-id")
        .and_then(|v| v.to_str().ok())
}

/// Which span a [`TraceLayer`] opens: one per call, or one per attempt.
///
/// ```
/// use oci_core::layers::{TraceLayer, TraceScope};
///
/// assert_eq!(TraceLayer::operation().scope(), TraceScope::Operation);
/// assert_eq!(TraceLayer::default().scope(), TraceScope::Operation);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TraceScope {
    /// An `oci.operation` span (level INFO) per call: put the layer outside the retry layer.
    Operation,
    /// An `oci.attempt` span (level DEBUG) per attempt: put the layer just inside the retry
    /// layer.
    Attempt,
}

/// Adds a [`TraceService`]: one tracing span per call ([`TraceLayer::operation`]) or per
/// attempt ([`TraceLayer::attempt`]).
///
/// ```
/// use oci_core::layers::retry::{RetryLayer, RetryPolicy};
/// use oci_core::layers::trace::{TraceLayer, TraceScope};
/// use oci_core::{Body, Error};
/// use tower::{Service, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Error> {
/// let ok = tower::service_fn(|_req: http::Request<Body>| async {
///     Ok::<_, Error>(http::Response::new(Body::empty()))
/// });
/// let mut svc = tower::ServiceBuilder::new()
///     .layer(TraceLayer::operation())
///     .layer(RetryLayer::new(RetryPolicy::default()))
///     .layer(TraceLayer::attempt())
///     .service(ok);
/// svc.ready().await?.call(http::Request::new(Body::empty())).await?;
/// assert_eq!(TraceLayer::attempt().scope(), TraceScope::Attempt);
/// # Ok(()) }
/// ```
///
/// As [`TimeoutLayer`](crate::layers::TimeoutLayer), one type with two scopes:
///
/// - [`TraceLayer::operation`] goes outside the retry layer. Its `oci.operation` span (level
///   INFO, target `oci_tower`) has the fields `service`, `operation`, `method`, `host` at once,
///   and `status`, `opc_request_id`, `attempts`, `class` (the [classifier](super::classify)'s
///   verdict) and `error_kind` when the call ends. Layers below run inside the span.
/// - [`TraceLayer::attempt`] goes just inside the retry layer. Its `oci.attempt` span (level
///   DEBUG, target `oci_tower`) has `service`, `operation`, `method`, `host`, `attempt` and
///   `retry_reason` (why the previous attempt was retried) at once; `breaker_state` when the
///   circuit breaker below admits or refuses the attempt; `status`, `opc_request_id`, `class`
///   and `error_kind` when it ends.
///
/// Only those fields are recorded: never headers, so `authorization`, session tokens and keys
/// never reach a subscriber.
#[derive(Debug, Clone)]
pub struct TraceLayer {
    scope: TraceScope,
    classifier: SharedClassifier,
}

impl Default for TraceLayer {
    /// [`TraceLayer::operation`].
    fn default() -> Self {
        TraceLayer::operation()
    }
}

impl TraceLayer {
    /// One `oci.operation` span per call, classified with the [`OciClassifier`].
    pub fn operation() -> Self {
        TraceLayer {
            scope: TraceScope::Operation,
            classifier: Arc::new(OciClassifier),
        }
    }

    /// One `oci.attempt` span per attempt, classified with the [`OciClassifier`].
    pub fn attempt() -> Self {
        TraceLayer {
            scope: TraceScope::Attempt,
            classifier: Arc::new(OciClassifier),
        }
    }

    /// Uses `classifier` for the `class` field (use the same one as retry and the breaker).
    pub fn classifier(mut self, classifier: impl Classify) -> Self {
        self.classifier = Arc::new(classifier);
        self
    }

    /// Uses an already shared classifier (the client shares one between its layers).
    pub(crate) fn shared_classifier(mut self, classifier: SharedClassifier) -> Self {
        self.classifier = classifier;
        self
    }

    /// The span this layer opens.
    pub fn scope(&self) -> TraceScope {
        self.scope
    }
}

impl<S> Layer<S> for TraceLayer {
    type Service = TraceService<S>;
    fn layer(&self, inner: S) -> TraceService<S> {
        TraceService {
            inner,
            scope: self.scope,
            classifier: self.classifier.clone(),
        }
    }
}

/// The service made by [`TraceLayer`].
#[derive(Debug, Clone)]
pub struct TraceService<S> {
    inner: S,
    scope: TraceScope,
    classifier: SharedClassifier,
}

impl<S> Service<http::Request<Body>> for TraceService<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>,
{
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = TraceFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let span = match self.scope {
            TraceScope::Operation => operation_span(&req),
            TraceScope::Attempt => attempt_span(&req),
        };
        let inner = span.in_scope(|| self.inner.call(req));
        TraceFuture {
            inner,
            span,
            classifier: self.classifier.clone(),
            scope: self.scope,
        }
    }
}

fn operation_span(req: &http::Request<Body>) -> Span {
    let (service, operation) = op_names(req);
    tracing::info_span!(
        target: "oci_tower",
        "oci.operation",
        service,
        operation,
        method = %req.method(),
        host = host(req),
        status = Empty,
        opc_request_id = Empty,
        attempts = Empty,
        class = Empty,
        error_kind = Empty,
    )
}

fn attempt_span(req: &http::Request<Body>) -> Span {
    let (service, operation) = op_names(req);
    let info = req.extensions().get::<AttemptInfo>().copied();
    tracing::debug_span!(
        target: "oci_tower",
        "oci.attempt",
        service,
        operation,
        method = %req.method(),
        host = host(req),
        attempt = info.map_or(1, |i| i.attempt),
        retry_reason = info.and_then(|i| i.retry_reason).map(|c| c.as_str()),
        breaker_state = Empty,
        status = Empty,
        opc_request_id = Empty,
        class = Empty,
        error_kind = Empty,
    )
}

/// The future of [`TraceService`]: runs the call inside its span
/// and records the outcome.
#[pin_project]
pub struct TraceFuture<F> {
    #[pin]
    inner: F,
    span: Span,
    classifier: SharedClassifier,
    scope: TraceScope,
}

impl<F> fmt::Debug for TraceFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceFuture")
            .field("span", &self.span)
            .finish_non_exhaustive()
    }
}

impl<F> Future for TraceFuture<F>
where
    F: Future<Output = Result<http::Response<Body>, Error>>,
{
    type Output = Result<http::Response<Body>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let result = ready!(this.inner.poll(cx));
        let span = &*this.span;
        let class = this.classifier.classify(result.as_ref());
        span.record("class", class.as_str());
        match &result {
            Ok(resp) => {
                span.record("status", resp.status().as_u16());
                if let Some(id) = response_request_id(resp) {
                    span.record("opc_request_id", id);
                }
                if *this.scope == TraceScope::Operation {
                    let attempts = resp
                        .extensions()
                        .get::<AttemptInfo>()
                        .map_or(1, |i| i.attempt);
                    span.record("attempts", attempts);
                }
            }
            Err(e) => {
                if let Some(s) = e.status() {
                    span.record("status", s.as_u16());
                }
                if let Some(id) = e.opc_request_id() {
                    span.record("opc_request_id", id);
                }
                span.record("error_kind", tracing::field::debug(e.kind()));
                if *this.scope == TraceScope::Operation {
                    span.record("attempts", e.attempts().unwrap_or(1));
                    tracing::info!(target: "oci_tower", class = class.as_str(), error = %e, "operation failed");
                } else {
                    tracing::debug!(target: "oci_tower", class = class.as_str(), error = %e, "attempt failed");
                }
            }
        }
        Poll::Ready(result)
    }
}
