//! Streaming messages: put (base64 key and value, partitioned by key), cursors, get with the
//! next cursor in `opc-next-cursor`.

use serde::{Deserialize, Serialize};

use super::super::common::{b64_field, query_num};
use super::find_mut;
use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::planes::streaming::{CursorStart, MAX_LIMIT};
use crate::shared::{Call, Shared};
use crate::util;

/// The largest message value (bytes, decoded).
const MAX_VALUE: usize = 1024 * 1024;

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    key: Option<String>,
    value: String,
}

#[derive(Deserialize)]
struct PutMessages {
    messages: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateCursor {
    partition: String,
    #[serde(rename = "type")]
    kind: String,
    offset: Option<u64>,
    time: Option<String>,
}

#[derive(Serialize)]
struct Message<'a> {
    stream: &'a str,
    partition: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    value: &'a str,
    offset: u64,
    timestamp: String,
}

fn parse_time(t: &str) -> ApiResult<u64> {
    let t = t.trim().replace("+00:00", "Z");
    let t = if t.ends_with('Z') { t } else { format!("{t}Z") };
    humantime::parse_rfc3339_weak(&t)
        .map(util::millis)
        .map_err(|_| ApiError::invalid(format!("time `{t}` is not an RFC 3339 time")))
}

fn start(c: &CreateCursor) -> ApiResult<CursorStart> {
    let offset = || c.offset.ok_or_else(|| ApiError::missing("offset"));
    Ok(match c.kind.as_str() {
        "TRIM_HORIZON" => CursorStart::TrimHorizon,
        "LATEST" => CursorStart::Latest,
        "AT_OFFSET" => CursorStart::AtOffset(offset()?),
        "AFTER_OFFSET" => CursorStart::AfterOffset(offset()?),
        "AT_TIME" => CursorStart::AtTime(parse_time(
            c.time.as_deref().ok_or_else(|| ApiError::missing("time"))?,
        )?),
        other => {
            return Err(ApiError::invalid(format!(
            "type must be AFTER_OFFSET, AT_OFFSET, AT_TIME, LATEST or TRIM_HORIZON, got `{other}`"
        )))
        }
    })
}

pub(super) fn handle(shared: &Shared, call: &Call) -> Reply {
    let mut state = shared.lock();
    let stream = find_mut(&mut state.planes.streams, call.param(0))?;
    match call.op {
        "PutMessages" => {
            let body: PutMessages = h::parse_json(call.body.bytes())?;
            if body.messages.is_empty() {
                return Err(ApiError::invalid("messages must not be empty"));
            }
            for m in &body.messages {
                if b64_field("value", &m.value)?.len() > MAX_VALUE {
                    return Err(ApiError::invalid("a message value is limited to 1 MiB"));
                }
                if let Some(k) = &m.key {
                    b64_field("key", k)?;
                }
            }
            let time = util::rfc3339(call.now_ms);
            let entries: Vec<serde_json::Value> = body
                .messages
                .into_iter()
                .map(|m| {
                    let (partition, offset) = stream.put(call.now_ms, m.key, m.value);
                    serde_json::json!({
                        "partition": partition.to_string(), "offset": offset, "timestamp": time
                    })
                })
                .collect();
            h::json(
                200,
                &serde_json::json!({ "failures": 0, "entries": entries }),
            )
        }
        "CreateCursor" => {
            let body: CreateCursor = h::parse_json(call.body.bytes())?;
            let value = stream.cursor(call.now_ms, &body.partition, start(&body)?)?;
            h::json(200, &serde_json::json!({ "value": value }))
        }
        _ => {
            let cursor = h::required(&call.query, "cursor")?;
            let limit = query_num(&call.query, "limit")?.unwrap_or(MAX_LIMIT as u64);
            if !(1..=MAX_LIMIT as u64).contains(&limit) {
                return Err(ApiError::invalid(format!(
                    "limit must be from 1 to {MAX_LIMIT}"
                )));
            }
            let (partition, messages, next) = stream.read(call.now_ms, cursor, limit as usize)?;
            let name = stream.stream.name.clone();
            let out: Vec<Message<'_>> = messages
                .iter()
                .map(|m| Message {
                    stream: &name,
                    partition: partition.to_string(),
                    key: m.key.as_deref(),
                    value: &m.value,
                    offset: m.offset,
                    timestamp: util::rfc3339(m.timestamp_ms),
                })
                .collect();
            let mut resp = h::json(200, &out)?;
            h::set_header(&mut resp, "opc-next-cursor", &next);
            Ok(resp)
        }
    }
}
