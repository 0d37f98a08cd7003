//! Delegate Access Control work requests (`/20230801/workRequests...`): seeded work requests
//! whose status moves on the emulator's clock.
//!
//! Work request `i` (of [`COUNT`]) is accepted `COUNT - i` seconds before the state's epoch,
//! starts one step after the epoch, and finishes `i + 2` steps after it; its percentage grows
//! linearly in between. Work request 2 fails (with an error); the others succeed. Logs appear
//! as their moments pass.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::shared::{Call, Shared};
use crate::state::State;
use crate::util;

/// How many work requests are seeded.
pub(crate) const COUNT: u64 = 6;
/// The work request that fails.
const FAILING: u64 = 2;

const OPERATION_TYPES: [&str; 6] = [
    "CREATE_DELEGATION_CONTROL",
    "APPROVE_DELEGATED_RESOURCE_ACCESS_REQUEST",
    "UPDATE_DELEGATION_CONTROL",
    "CREATE_DELEGATED_RESOURCE_ACCESS_REQUEST",
    "DELETE_DELEGATION_SUBSCRIPTION",
    "REVOKE_DELEGATED_RESOURCE_ACCESS_REQUEST",
];

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Resource {
    entity_type: &'static str,
    action_type: &'static str,
    identifier: String,
    entity_uri: String,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct WorkRequest {
    operation_type: &'static str,
    status: &'static str,
    id: String,
    compartment_id: String,
    resources: Vec<Resource>,
    percent_complete: f32,
    time_accepted: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_started: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_finished: Option<String>,
}

#[derive(Serialize, Clone)]
struct LogEntry {
    message: String,
    timestamp: String,
}

#[derive(Serialize, Clone)]
struct ErrorEntry {
    code: &'static str,
    message: String,
    timestamp: String,
}

#[derive(Serialize)]
struct Collection<T> {
    items: Vec<T>,
}

/// The timeline of one work request, in milliseconds.
struct Timeline {
    accepted: u64,
    started: u64,
    finished: u64,
}

fn timeline(state: &State, step_ms: u64, i: u64) -> Timeline {
    Timeline {
        accepted: state.epoch_ms.saturating_sub((COUNT - i) * 1000),
        started: state.epoch_ms + step_ms,
        finished: state.epoch_ms + (i + 2) * step_ms,
    }
}

fn work_request(state: &State, step_ms: u64, now: u64, i: u64) -> (WorkRequest, Timeline) {
    let t = timeline(state, step_ms, i);
    let failing = i == FAILING;
    let (status, percent) = if now < t.started {
        ("ACCEPTED", 0.0)
    } else if now < t.finished {
        let p = (now - t.started) as f32 * 100.0 / (t.finished - t.started).max(1) as f32;
        ("IN_PROGRESS", p.min(99.0))
    } else if failing {
        ("FAILED", 100.0)
    } else {
        ("SUCCEEDED", 100.0)
    };
    let resource_id = util::ocid("delegationcontrol", state.seed, i);
    let action = match status {
        "SUCCEEDED" => "CREATED",
        "FAILED" => "FAILED",
        _ => "IN_PROGRESS",
    };
    let wr = WorkRequest {
        operation_type: OPERATION_TYPES[(i as usize) % OPERATION_TYPES.len()],
        status,
        id: util::ocid("delegateaccesscontrolworkrequest", state.seed, i),
        compartment_id: state.tenancy.id.clone(),
        resources: vec![Resource {
            entity_type: "delegationControl",
            action_type: action,
            entity_uri: format!("/20230801/delegationControls/{resource_id}"),
            identifier: resource_id,
        }],
        percent_complete: percent,
        time_accepted: util::rfc3339(t.accepted),
        time_started: (now >= t.started).then(|| util::rfc3339(t.started)),
        time_finished: (now >= t.finished).then(|| util::rfc3339(t.finished)),
    };
    (wr, t)
}

/// Handles one authenticated DAC request.
pub(crate) async fn handle(shared: &Shared, call: Call) -> Reply {
    let guard = shared.lock();
    let state: &State = &guard;
    let (step_ms, now, q) = (shared.settings.step_ms, call.now_ms, &call.query);
    let find = |id: &str| {
        (0..COUNT)
            .map(|i| work_request(state, step_ms, now, i))
            .find(|(w, _)| w.id == id)
            .ok_or_else(|| ApiError::not_found("WorkRequest"))
    };
    let desc = util::sort_desc(q, false)?;
    match call.op {
        "GetWorkRequest" => {
            let (wr, _) = find(call.param(0))?;
            h::json(200, &wr)
        }
        "ListWorkRequests" => {
            let compartment = h::required(q, "compartmentId")?;
            if let Some(by) = q.get("sortBy") {
                if by != "timeAccepted" {
                    return Err(ApiError::invalid("sortBy must be timeAccepted"));
                }
            }
            let mut items: Vec<WorkRequest> = (0..COUNT)
                .map(|i| work_request(state, step_ms, now, i).0)
                .filter(|w| w.compartment_id == compartment)
                .filter(|w| q.get("workRequestId").map_or(true, |id| &w.id == id))
                .filter(|w| q.get("status").map_or(true, |s| w.status == s))
                .filter(|w| {
                    q.get("resourceId")
                        .map_or(true, |r| w.resources.iter().any(|x| &x.identifier == r))
                })
                .collect();
            if desc {
                items.reverse();
            }
            page(state, q, items)
        }
        "ListWorkRequestLogs" => {
            let (wr, t) = find(call.param(0))?;
            let mut items = vec![LogEntry {
                message: format!("Work request {} accepted", wr.operation_type),
                timestamp: util::rfc3339(t.accepted),
            }];
            if now >= t.started {
                items.push(LogEntry {
                    message: "Work request started".into(),
                    timestamp: util::rfc3339(t.started),
                });
            }
            if now >= t.finished {
                items.push(LogEntry {
                    message: format!("Work request {}", wr.status.to_lowercase()),
                    timestamp: util::rfc3339(t.finished),
                });
            }
            check_sort_by(q)?;
            if desc {
                items.reverse();
            }
            page(state, q, items)
        }
        "ListWorkRequestErrors" => {
            let (wr, t) = find(call.param(0))?;
            let mut items = Vec::new();
            if wr.status == "FAILED" {
                items.push(ErrorEntry {
                    code: "InternalError",
                    message: "The delegation control could not be created (seeded failure)".into(),
                    timestamp: util::rfc3339(t.finished),
                });
            }
            check_sort_by(q)?;
            if desc {
                items.reverse();
            }
            page(state, q, items)
        }
        other => Err(super::not_implemented("Delegate Access Control", other)),
    }
}

fn check_sort_by(q: &HashMap<String, String>) -> ApiResult<()> {
    match q.get("sortBy").map(String::as_str) {
        None | Some("timestamp") => Ok(()),
        Some(other) => Err(ApiError::invalid(format!(
            "sortBy must be timestamp, got `{other}`"
        ))),
    }
}

fn page<T: Serialize + Clone>(state: &State, q: &HashMap<String, String>, items: Vec<T>) -> Reply {
    let (page, next) = util::paginate(state.seed, &items, q, 100)?;
    h::json_page(&Collection { items: page }, next)
}
