//! The handlers, one module per service, all with one signature:
//! `async fn handle(shared: &Shared, call: Call) -> Reply`.

mod control;
mod dac;
mod identity;
mod objectstorage;
pub(crate) mod workload;

use crate::auth::Resolvers;
use crate::error::ApiError;
use crate::http::Reply;
use crate::route::Service;
use crate::shared::{Call, Shared};

/// Hands a routed, authenticated request to its service.
pub(crate) async fn handle(shared: &Shared, service: Service, call: Call) -> Reply {
    match service {
        Service::Control => control::handle(shared, call).await,
        Service::Identity => identity::handle(shared, call).await,
        Service::ObjectStorage => objectstorage::handle(shared, call).await,
        Service::Dac => dac::handle(shared, call).await,
        Service::Workload => workload::handle(shared, call).await,
    }
}

/// The key resolvers for signed routes, tried in order: session tokens (`ST$<jwt>`), then API
/// keys (which take every other keyId).
pub(crate) fn key_resolvers(shared: &Shared) -> Resolvers<'_> {
    Resolvers(vec![
        Box::new(workload::SessionTokens(shared)),
        Box::new(identity::ApiKeys(shared)),
    ])
}

/// The answer when a service has no operation at a method and path (after authentication).
pub(crate) fn unmatched(
    service: Option<Service>,
    name: &str,
    method: &str,
    path: &str,
) -> ApiError {
    match service {
        Some(Service::Control) => control::no_endpoint(method, path),
        _ => ApiError::new(
            404,
            "NotAuthorizedOrNotFound",
            format!("No {name} operation matches {method} {path}"),
        ),
    }
}

/// 501 `NotImplemented` naming an operation the emulator routes but does not emulate.
pub(crate) fn not_implemented(service: &str, op: &str) -> ApiError {
    ApiError::new(
        501,
        "NotImplemented",
        format!("The emulator does not implement the {service} operation {op}."),
    )
}
