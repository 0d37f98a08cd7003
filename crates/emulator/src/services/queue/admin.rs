//! Queue admin: create (202 with a work request, finished at once), get, list, delete, and the
//! work requests.

use serde::{Deserialize, Serialize};

use super::super::common::{check_compartment, TagsIn};
use super::find;
use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::planes::queue::{check_visibility, Queue, QueueData, WorkRequest, MAX_TIMEOUT_SECS};
use crate::route::mount_url;
use crate::shared::{Call, Shared};
use crate::util;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateQueue {
    display_name: String,
    compartment_id: String,
    retention_in_seconds: Option<u64>,
    visibility_in_seconds: Option<u64>,
    timeout_in_seconds: Option<u64>,
    dead_letter_queue_delivery_count: Option<u32>,
    channel_consumption_limit: Option<u32>,
    #[serde(flatten)]
    tags: TagsIn,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QueueOut<'a> {
    #[serde(flatten)]
    queue: &'a Queue,
    messages_endpoint: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkRequestResource<'a> {
    entity_type: &'static str,
    action_type: &'static str,
    identifier: &'a str,
    entity_uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkRequestOut<'a> {
    operation_type: &'a str,
    status: &'static str,
    id: &'a str,
    compartment_id: &'a str,
    resources: Vec<WorkRequestResource<'a>>,
    percent_complete: f32,
    time_accepted: &'a str,
    time_started: &'a str,
    time_finished: &'a str,
}

fn view<'a>(call: &Call, queue: &'a Queue) -> QueueOut<'a> {
    QueueOut {
        queue,
        messages_endpoint: mount_url(&call.origin(), "queue", &queue.id),
    }
}

fn in_range(name: &str, v: u64, min: u64, max: u64) -> ApiResult<u64> {
    if !(min..=max).contains(&v) {
        return Err(ApiError::invalid(format!(
            "{name} must be from {min} to {max}, got {v}"
        )));
    }
    Ok(v)
}

fn work_request(shared: &Shared, call: &Call, op: &str, queue: &Queue) -> ApiResult<String> {
    let mut state = shared.lock();
    let id = state.next_ocid("queueworkrequest");
    state.planes.queue_work_requests.push(WorkRequest {
        id: id.clone(),
        operation_type: op.to_owned(),
        compartment_id: queue.compartment_id.clone(),
        queue_id: queue.id.clone(),
        time: util::rfc3339(call.now_ms),
    });
    Ok(id)
}

fn accepted(wr: &str) -> Reply {
    let mut resp = h::no_content(202)?;
    h::set_header(&mut resp, "opc-work-request-id", wr);
    Ok(resp)
}

pub(super) fn handle(shared: &Shared, call: &Call) -> Reply {
    match call.op {
        "CreateQueue" => {
            let b: CreateQueue = h::parse_json(call.body.bytes())?;
            let queue = {
                let mut state = shared.lock();
                check_compartment(&state, &b.compartment_id)?;
                let visibility = b.visibility_in_seconds.unwrap_or(30);
                check_visibility(visibility)?;
                let time = util::rfc3339(call.now_ms);
                let queue = Queue {
                    id: state.next_ocid("queue"),
                    display_name: b.display_name,
                    compartment_id: b.compartment_id,
                    time_created: time.clone(),
                    time_updated: time,
                    lifecycle_state: "ACTIVE".to_owned(),
                    retention_in_seconds: in_range(
                        "retentionInSeconds",
                        b.retention_in_seconds.unwrap_or(86_400),
                        10,
                        604_800,
                    )?,
                    visibility_in_seconds: visibility,
                    timeout_in_seconds: in_range(
                        "timeoutInSeconds",
                        b.timeout_in_seconds.unwrap_or(30),
                        0,
                        MAX_TIMEOUT_SECS,
                    )?,
                    dead_letter_queue_delivery_count: b
                        .dead_letter_queue_delivery_count
                        .unwrap_or(0),
                    channel_consumption_limit: b.channel_consumption_limit.unwrap_or(100),
                    freeform_tags: b.tags.freeform_tags,
                    defined_tags: b.tags.defined_tags,
                };
                state.planes.queues.push(QueueData::new(queue.clone()));
                queue
            };
            accepted(&work_request(shared, call, "CREATE_QUEUE", &queue)?)
        }
        "DeleteQueue" => {
            let queue = {
                let mut state = shared.lock();
                let queue = find(&state.planes.queues, call.param(0))?.queue.clone();
                state.planes.queues.retain(|q| q.queue.id != queue.id);
                queue
            };
            accepted(&work_request(shared, call, "DELETE_QUEUE", &queue)?)
        }
        "GetQueue" => {
            let state = shared.lock();
            h::json(
                200,
                &view(call, &find(&state.planes.queues, call.param(0))?.queue),
            )
        }
        "ListQueues" => {
            let state = shared.lock();
            let q = &call.query;
            let items: Vec<QueueOut<'_>> = state
                .planes
                .queues
                .iter()
                .map(|d| &d.queue)
                .filter(|x| {
                    q.get("compartmentId")
                        .map_or(true, |c| &x.compartment_id == c)
                })
                .filter(|x| q.get("displayName").map_or(true, |n| &x.display_name == n))
                .filter(|x| q.get("id").map_or(true, |i| &x.id == i))
                .map(|x| view(call, x))
                .collect();
            let index: Vec<usize> = (0..items.len()).collect();
            let (page, next) = util::paginate(state.seed, &index, q, 100)?;
            let page: Vec<&QueueOut<'_>> = page.into_iter().map(|i| &items[i]).collect();
            h::json_page(&serde_json::json!({ "items": page }), next)
        }
        _ => {
            let state = shared.lock();
            let wr = state
                .planes
                .queue_work_requests
                .iter()
                .find(|w| w.id == call.param(0))
                .ok_or_else(|| ApiError::not_found("WorkRequest"))?;
            let action = if wr.operation_type == "DELETE_QUEUE" {
                "DELETED"
            } else {
                "CREATED"
            };
            h::json(
                200,
                &WorkRequestOut {
                    operation_type: &wr.operation_type,
                    status: "SUCCEEDED",
                    id: &wr.id,
                    compartment_id: &wr.compartment_id,
                    resources: vec![WorkRequestResource {
                        entity_type: "queue",
                        action_type: action,
                        identifier: &wr.queue_id,
                        entity_uri: format!("/queues/{}", wr.queue_id),
                    }],
                    percent_complete: 100.0,
                    time_accepted: &wr.time,
                    time_started: &wr.time,
                    time_finished: &wr.time,
                },
            )
        }
    }
}
