//! The `/_emulator/` control path (unsigned, for tests and scripts).
//!
//! - `GET /_emulator/info`: tenancy, user, fingerprint, namespace, region.
//! - `POST /_emulator/reset`: a freshly seeded state; faults and journal cleared.
//! - `GET|POST|DELETE /_emulator/faults`: list, add (a [`Fault`](crate::Fault) as JSON; answers
//!   `{"id": n}`), clear; `DELETE /_emulator/faults/{id}` removes one.
//! - `GET|DELETE /_emulator/journal`: list, clear.
//! - Workload identity (mint an RPST, list and revoke tokens, ...): see
//!   `services::workload::control`.

use serde::Serialize;

use crate::error::ApiError;
use crate::faults::Fault;
use crate::http::{self as h, Reply};
use crate::shared::{Call, Shared};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Info {
    tenancy: String,
    user: String,
    fingerprint: String,
    namespace: String,
    region: String,
}

#[derive(Serialize)]
struct Id {
    id: u64,
}

/// Handles one control request.
pub(crate) async fn handle(shared: &Shared, call: Call) -> Reply {
    match call.op {
        "GetInfo" => {
            let state = shared.lock();
            h::json(
                200,
                &Info {
                    tenancy: state.tenancy.id.clone(),
                    user: state.seeded_user_id.clone(),
                    fingerprint: shared.settings.seeded_key.fingerprint.clone(),
                    namespace: state.namespace.clone(),
                    region: state.region.clone(),
                },
            )
        }
        "Reset" => {
            shared
                .reset()
                .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))?;
            h::no_content(204)
        }
        "ListFaults" => h::json(200, &shared.faults().list()),
        "AddFault" => {
            let fault: Fault = h::parse_json(call.body.bytes())?;
            let id = shared.faults().add(fault);
            h::json(200, &Id { id })
        }
        "ClearFaults" => {
            shared.faults().clear();
            h::no_content(204)
        }
        "RemoveFault" => {
            let id: u64 = call
                .param(0)
                .parse()
                .map_err(|_| ApiError::invalid("the fault id is a number"))?;
            if shared.faults().remove(id) {
                h::no_content(204)
            } else {
                Err(ApiError::new(404, "NotFound", format!("no fault #{id}")))
            }
        }
        "ListJournal" => h::json(200, &*shared.journal()),
        "ClearJournal" => {
            shared.journal().clear();
            h::no_content(204)
        }
        _ => super::workload::control::handle(shared, &call)
            .unwrap_or_else(|| Err(no_endpoint(call.method.as_str(), &call.path))),
    }
}

/// 404 for a control path that names no endpoint.
pub(crate) fn no_endpoint(method: &str, path: &str) -> ApiError {
    ApiError::new(
        404,
        "NotFound",
        format!("no control endpoint {method} {path}"),
    )
}
