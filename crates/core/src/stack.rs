//! Assembles the default tower stack, in one readable place (the crate-private `assemble`).
//!
//! ```text
//! Client::send(op)
//!   └─ Trace (operation)         span per operation                      once per call
//!   └─ OperationTimeout          whole call, backoff included (off by default)
//!   └─ ControlChars              marks responses whose JSON may hold raw control characters
//!   └─ [user operation layers]   ClientBuilder::layer
//!   └─ RetryToken                one opc-retry-token per call, for ops that declare it
//!   └─ Retry                     policy, backoff + jitter, Retry-After, retry budget
//!       └─ Trace (attempt)       span per attempt                        once per attempt
//!       └─ CircuitBreaker        per client and host; open => fails fast
//!       └─ AttemptTimeout        from the request body sent to the response read (60 s)
//!       └─ [user attempt layers] ClientBuilder::attempt_layer
//!       └─ Sign                  credentials (cached, refreshed early), date, opc-request-id, signature
//!       └─ StatusError           any non-2xx becomes a typed Error
//!       └─ ReadBody              non-streaming response bodies are read inside the attempt
//!       └─ StallGuard            response bodies that go silent fail (60 s)
//!       └─ RequestBody           caller's stream failures typed; uploads that stop moving fail (60 s)
//!       └─ Transport             hyper-util + rustls (connect timeout 10 s), or your Service
//! ```
//!
//! Each default layer can be replaced or disabled through [`ClientBuilder`](crate::ClientBuilder)
//! (e.g. `.retry_policy(RetryPolicy::none())`, `.circuit_breaker(None)`,
//! `.attempt_timeout(None)`, `.tracing(false)`); every layer is also public in
//! [`crate::layers`] for building stacks of your own. To replace a default layer with one of
//! yours, disable ours and add yours: with `ClientBuilder::layer` it runs once per call, just
//! above the retry token and retry (e.g. your own retry); with `ClientBuilder::attempt_layer`
//! it runs once per attempt, just above signing (e.g. your own breaker or rate limiter).
//!
//! Our layers compose into one concrete service type, so a call through them allocates no boxed
//! service or future. A [`BoxStack`] is used only where the type cannot be known: a transport
//! given to `ClientBuilder::transport` (shared by the stack's clones, so only the clone that is
//! used boxes a copy; the default transport is not boxed), the stack below each place user
//! layers plug in (only when there are some there), and the whole stack once, on top (what
//! [`Client::stack`](crate::Client::stack) returns). `Client::send` and `::call` do not go
//! through that box: each call clones the concrete stack into the one future it boxes.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tower::util::{BoxCloneSyncService, Either};
use tower::{Layer, Service, ServiceBuilder, ServiceExt};

use crate::auth::Signer;
use crate::control_chars::ControlCharsLayer;
use crate::layers::breaker::{CircuitBreakerLayer, CircuitBreakers};
use crate::layers::classify::SharedClassifier;
use crate::layers::read_body::ReadBodyLayer;
use crate::layers::request_body::RequestBodyLayer;
use crate::layers::retry::{RetryBudget, RetryLayer, RetryPolicy};
use crate::layers::retry_token::RetryTokenLayer;
use crate::layers::timeout::{StallGuardLayer, TimeoutLayer};
use crate::layers::trace::TraceLayer;
use crate::layers::{SignLayer, StatusErrorLayer};
use crate::{Body, BoxError, Error};

/// The boxed stack (or part of it): `http::Request<Body>` in, `http::Response<Body>` or
/// [`Error`] out. [`Client::stack`](crate::Client::stack) returns one, and the layers added with
/// `ClientBuilder::layer` and `::attempt_layer` wrap one.
pub type BoxStack = BoxCloneSyncService<http::Request<Body>, http::Response<Body>, Error>;

/// A type-erased layer: takes the stack below and returns it wrapped.
pub(crate) type LayerFn = Arc<dyn Fn(BoxStack) -> BoxStack + Send + Sync>;

/// A tower layer that can be added to a client's stack with `ClientBuilder::layer` or
/// `::attempt_layer`: the bounds of both, named once.
///
/// ```
/// use oci_core::stack::StackLayer;
/// use oci_core::Body;
///
/// fn accepts<L: StackLayer>(_layer: L) {}
/// accepts(tower::layer::layer_fn(|s| s)); // any tower layer over a `BoxStack` qualifies
/// accepts(tower::util::MapRequestLayer::new(|req: http::Request<Body>| req));
/// ```
///
/// It is implemented for every `L: Layer<BoxStack> + Send + Sync + 'static` whose service is a
/// `Service<http::Request<Body>, Response = http::Response<Body>> + Clone + Send + Sync +
/// 'static` with an error convertible into a [`BoxError`] and a `Send + 'static` future; you
/// never implement it yourself. Errors of the layer's service are converted back into
/// [`Error`] (ours unchanged, others wrapped).
pub trait StackLayer: Send + Sync + 'static {
    /// Wraps `inner` in this layer and boxes the result.
    #[doc(hidden)]
    fn layer_boxed(&self, inner: BoxStack) -> BoxStack;
}

impl<L> StackLayer for L
where
    L: Layer<BoxStack> + Send + Sync + 'static,
    L::Service: Service<http::Request<Body>, Response = http::Response<Body>>
        + Clone
        + Send
        + Sync
        + 'static,
    <L::Service as Service<http::Request<Body>>>::Error: Into<BoxError>,
    <L::Service as Service<http::Request<Body>>>::Future: Send + 'static,
{
    fn layer_boxed(&self, inner: BoxStack) -> BoxStack {
        BoxCloneSyncService::new(self.layer(inner).map_err(|e| Error::from_boxed(e.into())))
    }
}

/// Any service that can be the transport (or the bottom of a stack): the bounds, named once.
///
/// It is implemented for every `Service` of `http::Request<Body>` answering
/// `http::Response<Body>` that is `Clone + Send + Sync + 'static`, with an error convertible
/// into a [`BoxError`] and a `Send + 'static` future; you never implement it yourself. `ClientBuilder::transport` and the
/// token providers' `transport` take one.
pub trait StackService: Send + Sync + 'static {
    /// Boxes this service into a [`BoxStack`], its errors converted into [`Error`].
    #[doc(hidden)]
    fn into_stack(self) -> BoxStack;
}

impl<S> StackService for S
where
    S: Service<http::Request<Body>, Response = http::Response<Body>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    fn into_stack(self) -> BoxStack {
        BoxCloneSyncService::new(self.map_err(|e| Error::from_boxed(e.into())))
    }
}

/// Boxes any [`StackLayer`] into a [`LayerFn`].
pub(crate) fn layer_fn(layer: impl StackLayer) -> LayerFn {
    Arc::new(move |inner: BoxStack| layer.layer_boxed(inner))
}

/// The transport at the bottom of the stack: ours unboxed (a clone of it copies a few `Arc`s),
/// or the one given to `ClientBuilder::transport`, shared.
pub(crate) type Transport = Either<crate::transport::HttpTransport, SharedTransport>;

/// A boxed transport shared by every clone of the stack. Layers clone the stack below them as
/// tower does (the retry layer once per call, to keep a service for the next one), and most
/// of those clones are never used; a clone of a [`BoxStack`] is a new box. A clone of this is
/// a reference count: it gets its own boxed copy only when it is first polled for readiness
/// (or called), so each clone is readied and called on its own as before, and the clones
/// that are never used cost nothing.
pub(crate) struct SharedTransport {
    shared: Arc<BoxStack>,
    own: Option<BoxStack>,
}

impl SharedTransport {
    pub(crate) fn new(transport: BoxStack) -> Self {
        SharedTransport {
            shared: Arc::new(transport),
            own: None,
        }
    }

    fn own(&mut self) -> &mut BoxStack {
        let shared = &self.shared;
        self.own.get_or_insert_with(|| BoxStack::clone(shared))
    }
}

impl Clone for SharedTransport {
    fn clone(&self) -> Self {
        SharedTransport {
            shared: self.shared.clone(),
            own: None,
        }
    }
}

impl Service<http::Request<Body>> for SharedTransport {
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = <BoxStack as Service<http::Request<Body>>>::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Error>> {
        self.own().poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        self.own().call(req)
    }
}

/// The whole stack as [`Client`](crate::Client) calls it: each call clones the stack (our
/// layers' concrete type) into the one future it boxes, where a [`BoxStack`] would box a
/// clone of the service and then the future.
pub(crate) trait CallStack: Send + Sync {
    /// Sends `req` through a clone of the stack.
    fn call(
        &self,
        req: http::Request<Body>,
    ) -> BoxFuture<'static, Result<http::Response<Body>, Error>>;
}

impl<S> CallStack for S
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    fn call(
        &self,
        req: http::Request<Body>,
    ) -> BoxFuture<'static, Result<http::Response<Body>, Error>> {
        Box::pin(self.clone().oneshot(req))
    }
}

/// The assembled stack: boxed (what [`Client::stack`](crate::Client::stack) returns), and as
/// the client's calls go through it.
pub(crate) struct Assembled {
    pub stack: BoxStack,
    pub call: Arc<dyn CallStack>,
}

/// Everything the stack is built from.
pub(crate) struct StackParts {
    pub transport: Transport,
    pub signer: Arc<dyn Signer>,
    pub user_agent: http::HeaderValue,
    /// The client's `allow_control_chars` (a call's `CallOptions` may overrule it).
    pub allow_control_chars: bool,
    pub operation_layers: Vec<LayerFn>,
    pub attempt_layers: Vec<LayerFn>,
    /// Trace spans on, with this classifier.
    pub trace: Option<SharedClassifier>,
    pub operation_timeout: Option<Duration>,
    pub retry_tokens: bool,
    pub retry_policy: RetryPolicy,
    pub retry_budget: Option<RetryBudget>,
    pub breakers: Option<CircuitBreakers>,
    pub attempt_timeout: Option<Duration>,
    pub body_stall_timeout: Option<Duration>,
}

/// Builds the stack: the layers are listed outermost first, in the order of the diagram above.
///
/// Our layers compose into one concrete type (a layer that is off is tower's `Identity`), so a
/// call allocates no boxed service or future for them; the stack is boxed once, on top.
pub(crate) fn assemble(parts: StackParts) -> Assembled {
    let StackParts {
        transport,
        signer,
        user_agent,
        allow_control_chars,
        operation_layers,
        attempt_layers,
        trace,
        operation_timeout,
        retry_tokens,
        retry_policy,
        retry_budget,
        breakers,
        attempt_timeout,
        body_stall_timeout,
    } = parts;

    let stack = ServiceBuilder::new()
        // Once per call.
        .option_layer(
            trace
                .clone()
                .map(|c| TraceLayer::operation().shared_classifier(c)),
        )
        // Always present (even when off) so a per-call CallOptions can switch it on.
        .layer(TimeoutLayer::operation(operation_timeout))
        .layer(ControlCharsLayer {
            allow: allow_control_chars,
        })
        .layer(UserLayers(operation_layers))
        .option_layer(retry_tokens.then_some(RetryTokenLayer))
        .layer(RetryLayer::new(retry_policy).budget(retry_budget))
        // Once per attempt.
        .option_layer(trace.map(|c| TraceLayer::attempt().shared_classifier(c)))
        .option_layer(breakers.map(CircuitBreakerLayer::with_breakers))
        .layer(TimeoutLayer::attempt(attempt_timeout))
        .layer(UserLayers(attempt_layers))
        .layer(SignLayer::with_signer(signer).user_agent(user_agent))
        .layer(StatusErrorLayer)
        .layer(ReadBodyLayer)
        .option_layer(body_stall_timeout.map(StallGuardLayer::new))
        .layer(RequestBodyLayer::new(body_stall_timeout))
        .service(transport);
    Assembled {
        stack: BoxCloneSyncService::new(stack.clone()),
        call: Arc::new(stack),
    }
}

/// The user's layers at one place in the stack, the first added outermost. The stack below is
/// boxed (into a [`BoxStack`], which is what they wrap) only when there are some.
struct UserLayers(Vec<LayerFn>);

impl<S> Layer<S> for UserLayers
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    type Service = Either<BoxStack, S>;

    fn layer(&self, inner: S) -> Self::Service {
        if self.0.is_empty() {
            return Either::Right(inner);
        }
        let boxed = BoxCloneSyncService::new(inner);
        Either::Left(self.0.iter().rev().fold(boxed, |inner, layer| layer(inner)))
    }
}
