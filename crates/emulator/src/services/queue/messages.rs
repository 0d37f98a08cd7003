//! Queue messages: put, get (visibility timeout; long poll up to `timeoutInSeconds` on the
//! emulator's clock), update visibility, delete (one or many), stats.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::super::common::query_num;
use super::{find, find_mut};
use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::planes::queue::{check_visibility, MAX_TIMEOUT_SECS};
use crate::shared::{Call, Shared};

/// How often a waiting `GetMessages` looks again (tokio time).
const POLL: Duration = Duration::from_millis(20);
/// The largest message (bytes of content).
const MAX_CONTENT: usize = 128 * 1024;

#[derive(Deserialize)]
struct PutEntry {
    content: String,
    #[serde(default)]
    metadata: Option<Value>,
}

#[derive(Deserialize)]
struct PutMessages {
    messages: Vec<PutEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateMessage {
    visibility_in_seconds: u64,
}

#[derive(Deserialize)]
struct Receipt {
    receipt: String,
}

#[derive(Deserialize)]
struct DeleteMessages {
    entries: Vec<Receipt>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EntryResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
}

fn get_params(call: &Call, default_timeout: u64) -> ApiResult<(usize, Option<u64>, u64)> {
    let limit = query_num(&call.query, "limit")?.unwrap_or(10);
    if !(1..=32).contains(&limit) {
        return Err(ApiError::invalid("limit must be from 1 to 32"));
    }
    let visibility = query_num(&call.query, "visibilityInSeconds")?;
    if let Some(v) = visibility {
        check_visibility(v)?;
    }
    let timeout = query_num(&call.query, "timeoutInSeconds")?.unwrap_or(default_timeout);
    if timeout > MAX_TIMEOUT_SECS {
        return Err(ApiError::invalid(format!(
            "timeoutInSeconds must be from 0 to {MAX_TIMEOUT_SECS}"
        )));
    }
    Ok((limit as usize, visibility, timeout))
}

/// `GetMessages`: answers as soon as a message is visible, or empty once the timeout has
/// passed on the emulator's clock.
async fn get_messages(shared: &Shared, call: &Call) -> Reply {
    let id = call.param(0);
    let (limit, visibility, timeout) = {
        let state = shared.lock();
        get_params(
            call,
            find(&state.planes.queues, id)?.queue.timeout_in_seconds,
        )?
    };
    let deadline = call.now_ms.saturating_add(timeout * 1000);
    loop {
        let now = shared.now_ms().max(call.now_ms);
        {
            let state = shared.lock();
            let q = find(&state.planes.queues, id)?;
            let ready = q
                .messages
                .iter()
                .any(|m| m.visible_after_ms <= now && m.expire_after_ms > now);
            if ready || now >= deadline {
                drop(state);
                let mut state = shared.lock();
                let seed = state.seed;
                let got = find_mut(&mut state.planes.queues, id)?.get(now, limit, visibility, seed);
                return h::json(200, &serde_json::json!({ "messages": got }));
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

pub(super) async fn handle(shared: &Shared, call: Call) -> Reply {
    let id = call.param(0);
    match call.op {
        "GetMessages" => get_messages(shared, &call).await,
        "PutMessages" => {
            let body: PutMessages = h::parse_json(call.body.bytes())?;
            if body.messages.is_empty() {
                return Err(ApiError::invalid("messages must not be empty"));
            }
            if body
                .messages
                .iter()
                .any(|m| m.content.is_empty() || m.content.len() > MAX_CONTENT)
            {
                return Err(ApiError::invalid(format!(
                    "each message's content must be 1 to {MAX_CONTENT} bytes"
                )));
            }
            let mut state = shared.lock();
            let q = find_mut(&mut state.planes.queues, id)?;
            let put = q.put(
                call.now_ms,
                body.messages
                    .into_iter()
                    .map(|m| (m.content, m.metadata))
                    .collect(),
            );
            let messages: Vec<Value> = put
                .into_iter()
                .map(|(id, expire)| serde_json::json!({ "id": id, "expireAfter": expire }))
                .collect();
            h::json(200, &serde_json::json!({ "messages": messages }))
        }
        "UpdateMessage" => {
            let body: UpdateMessage = h::parse_json(call.body.bytes())?;
            let mut state = shared.lock();
            let q = find_mut(&mut state.planes.queues, id)?;
            let (msg, visible_after) =
                q.update(call.now_ms, call.param(1), body.visibility_in_seconds)?;
            h::json(
                200,
                &serde_json::json!({ "id": msg, "visibleAfter": visible_after }),
            )
        }
        "DeleteMessage" => {
            let mut state = shared.lock();
            find_mut(&mut state.planes.queues, id)?.delete(call.now_ms, call.param(1))?;
            h::no_content(200)
        }
        "DeleteMessages" => {
            let body: DeleteMessages = h::parse_json(call.body.bytes())?;
            let mut state = shared.lock();
            let q = find_mut(&mut state.planes.queues, id)?;
            let entries: Vec<EntryResult> = body
                .entries
                .iter()
                .map(|e| match q.delete(call.now_ms, &e.receipt) {
                    Ok(()) => EntryResult {
                        error_code: None,
                        error_message: None,
                    },
                    Err(err) => EntryResult {
                        error_code: Some(err.code),
                        error_message: Some(err.message),
                    },
                })
                .collect();
            let failures = entries.iter().filter(|e| e.error_code.is_some()).count();
            h::json(
                200,
                &serde_json::json!({
                    "serverFailures": 0, "clientFailures": failures, "entries": entries
                }),
            )
        }
        _ => {
            let state = shared.lock();
            let q = find(&state.planes.queues, id)?;
            let (visible, in_flight) = q.stats(call.now_ms);
            let size: usize = q.messages.iter().map(|m| m.content.len()).sum();
            let stats = serde_json::json!({
                "visibleMessages": visible, "inFlightMessages": in_flight, "sizeInBytes": size
            });
            h::json(
                200,
                &serde_json::json!({ "queue": stats, "dlq": {
                "visibleMessages": 0, "inFlightMessages": 0, "sizeInBytes": 0 } }),
            )
        }
    }
}
