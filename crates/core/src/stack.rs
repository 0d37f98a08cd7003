//! Assembles the default tower stack, in one readable place.
//!
//! ```text
//! Client::send(op)
//!   └─ [user operation layers]   once per call
//!   └─ [user attempt layers]     once per attempt
//!   └─ Sign                      fresh date, opc-request-id and signature per attempt
//!   └─ StatusError               any non-2xx becomes a typed Error
//!   └─ Transport                 hyper-util + rustls, or your own Service
//! ```

use std::sync::Arc;

use tower::util::BoxCloneSyncService;
use tower::{Layer, Service, ServiceExt};

use crate::auth::RequestSigner;
use crate::layers::{SignLayer, StatusErrorLayer};
use crate::{Body, BoxError, Error};

/// The boxed service every layer of the stack wraps: `http::Request<Body>` in,
/// `http::Response<Body>` or [`Error`] out.
pub type BoxStack = BoxCloneSyncService<http::Request<Body>, http::Response<Body>, Error>;

/// A type-erased layer: takes the stack below and returns it wrapped.
pub(crate) type LayerFn = Arc<dyn Fn(BoxStack) -> BoxStack + Send + Sync>;

/// Boxes any tower layer into a [`LayerFn`], mapping its errors back to [`Error`].
pub(crate) fn layer_fn<L>(layer: L) -> LayerFn
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
    Arc::new(move |inner: BoxStack| {
        BoxCloneSyncService::new(layer.layer(inner).map_err(|e| Error::from_boxed(e.into())))
    })
}

/// Everything the stack is built from.
pub(crate) struct StackParts {
    pub transport: BoxStack,
    pub signer: RequestSigner,
    pub user_agent: http::HeaderValue,
    pub operation_layers: Vec<LayerFn>,
    pub attempt_layers: Vec<LayerFn>,
}

/// Builds the stack from the inside out. Layers given first end up outermost, as with
/// `tower::ServiceBuilder`.
pub(crate) fn assemble(parts: StackParts) -> BoxStack {
    let StackParts {
        transport,
        signer,
        user_agent,
        operation_layers,
        attempt_layers,
    } = parts;

    let mut svc = BoxCloneSyncService::new(StatusErrorLayer.layer(transport));
    svc = BoxCloneSyncService::new(SignLayer::new(signer).user_agent(user_agent).layer(svc));
    for layer in attempt_layers.iter().rev() {
        svc = layer(svc);
    }
    for layer in operation_layers.iter().rev() {
        svc = layer(svc);
    }
    svc
}
