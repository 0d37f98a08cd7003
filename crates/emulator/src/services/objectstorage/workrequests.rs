//! Object Storage work requests (copies): get, list, errors, logs, cancel. A work request is
//! IN_PROGRESS until the emulator's lifecycle delay has passed on its clock, then COMPLETED (or
//! FAILED with its error).

use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::shared::{Call, Shared};
use crate::state::*;
use crate::util;

/// Records a finished Object Storage work request; its id.
pub(super) fn record(
    state: &mut State,
    operation_type: &str,
    compartment_id: &str,
    resources: Vec<(String, String, String)>,
    error: Option<String>,
    now_ms: u64,
    delay_ms: u64,
) -> String {
    let id = state.next_ocid("objectstorageworkrequest");
    state.work_requests.push(WorkRequest {
        id: id.clone(),
        service: "objectstorage".into(),
        operation_type: operation_type.into(),
        compartment_id: compartment_id.into(),
        resources,
        error,
        accepted_ms: now_ms,
        finished_ms: now_ms.saturating_add(delay_ms),
    });
    id
}

fn status(w: &WorkRequest, now_ms: u64) -> &'static str {
    match (now_ms >= w.finished_ms, &w.error) {
        (false, _) => "IN_PROGRESS",
        (true, None) => "COMPLETED",
        (true, Some(_)) => "FAILED",
    }
}

fn view(w: &WorkRequest, now_ms: u64) -> Value {
    let done = now_ms >= w.finished_ms;
    let resources: Vec<Value> = w
        .resources
        .iter()
        .map(|(action, id, uri)| {
            json!({"actionType": action, "entityType": "object", "identifier": id, "entityUri": uri})
        })
        .collect();
    json!({
        "operationType": w.operation_type,
        "status": status(w, now_ms),
        "id": w.id,
        "compartmentId": w.compartment_id,
        "resources": resources,
        "percentComplete": if done { 100.0 } else { 50.0 },
        "timeAccepted": util::rfc3339(w.accepted_ms),
        "timeStarted": util::rfc3339(w.accepted_ms),
        "timeFinished": if done { Value::from(util::rfc3339(w.finished_ms)) } else { Value::Null },
    })
}

fn find<'a>(state: &'a State, id: &str) -> ApiResult<&'a WorkRequest> {
    state
        .work_requests
        .iter()
        .find(|w| w.id == id && w.service == "objectstorage")
        .ok_or_else(|| ApiError::not_found("Work request"))
}

/// The Object Storage work-request operations.
pub(super) fn handle(shared: &Shared, call: &Call) -> Reply {
    let now = shared.now_ms();
    let state = shared.lock();
    match call.op {
        "ListWorkRequests" => {
            let compartment = h::required(&call.query, "compartmentId")?;
            let items: Vec<Value> = state
                .work_requests
                .iter()
                .filter(|w| w.service == "objectstorage" && w.compartment_id == compartment)
                .map(|w| view(w, now))
                .collect();
            let (page, next) = util::paginate(state.seed, &items, &call.query, 100)?;
            h::json_page(&page, next)
        }
        "GetWorkRequest" => {
            let w = find(&state, call.param(0))?;
            let mut resp = h::json(200, &view(w, now))?;
            if now < w.finished_ms {
                h::set_header(&mut resp, "retry-after", "1");
            }
            Ok(resp)
        }
        "ListWorkRequestErrors" => {
            let w = find(&state, call.param(0))?;
            let errors: Vec<Value> = match (&w.error, now >= w.finished_ms) {
                (Some(e), true) => vec![json!({"code": "CopyFailed", "message": e,
                    "timestamp": util::rfc3339(w.finished_ms)})],
                _ => Vec::new(),
            };
            h::json_page(&errors, None)
        }
        "ListWorkRequestLogs" => {
            let w = find(&state, call.param(0))?;
            let mut logs = vec![json!({"message": format!("{} accepted", w.operation_type),
                "timestamp": util::rfc3339(w.accepted_ms)})];
            if now >= w.finished_ms {
                logs.push(json!({"message": format!("{} {}", w.operation_type, status(w, now).to_lowercase()),
                    "timestamp": util::rfc3339(w.finished_ms)}));
            }
            h::json_page(&logs, None)
        }
        "CancelWorkRequest" => {
            let w = find(&state, call.param(0))?;
            let _ = w;
            Err(ApiError::new(
                409,
                "Conflict",
                "the work request has already been carried out and cannot be canceled",
            ))
        }
        other => Err(crate::services::not_implemented("Object Storage", other)),
    }
}
