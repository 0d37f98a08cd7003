//! Streaming admin: stream pools (a `DefaultPool` per compartment when a stream names none)
//! and streams; both ACTIVE at once.

use serde::{Deserialize, Serialize};

use super::super::common::{check_compartment, TagsIn};
use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::planes::streaming::{
    custom_encryption_key, kafka_settings, Stream, StreamData, StreamPool,
};
use crate::route::mount_url;
use crate::shared::{Call, Shared};
use crate::state::State;
use crate::util;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatePool {
    compartment_id: String,
    name: String,
    #[serde(flatten)]
    tags: TagsIn,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateStream {
    name: String,
    partitions: u32,
    compartment_id: Option<String>,
    stream_pool_id: Option<String>,
    retention_in_hours: Option<u32>,
    #[serde(flatten)]
    tags: TagsIn,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StreamOut<'a> {
    #[serde(flatten)]
    stream: &'a Stream,
    messages_endpoint: String,
}

fn view<'a>(call: &Call, stream: &'a Stream) -> StreamOut<'a> {
    StreamOut {
        stream,
        messages_endpoint: mount_url(&call.origin(), "streaming", &stream.stream_pool_id),
    }
}

fn new_pool(
    state: &mut State,
    now_ms: u64,
    compartment: String,
    name: String,
    tags: TagsIn,
) -> StreamPool {
    let pool = StreamPool {
        id: state.next_ocid("streampool"),
        compartment_id: compartment,
        name,
        lifecycle_state: "ACTIVE".to_owned(),
        time_created: util::rfc3339(now_ms),
        is_private: false,
        kafka_settings: kafka_settings(),
        custom_encryption_key: custom_encryption_key(),
        freeform_tags: tags.freeform_tags,
        defined_tags: tags.defined_tags,
    };
    state.planes.stream_pools.push(pool.clone());
    pool
}

fn pool_of(state: &mut State, call: &Call, b: &CreateStream) -> ApiResult<StreamPool> {
    if let Some(id) = &b.stream_pool_id {
        return state
            .planes
            .stream_pools
            .iter()
            .find(|p| &p.id == id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("StreamPool"));
    }
    let compartment = b
        .compartment_id
        .clone()
        .ok_or_else(|| ApiError::invalid("either streamPoolId or compartmentId is required"))?;
    check_compartment(state, &compartment)?;
    let existing = state
        .planes
        .stream_pools
        .iter()
        .find(|p| p.compartment_id == compartment && p.name == "DefaultPool")
        .cloned();
    Ok(match existing {
        Some(p) => p,
        None => new_pool(
            state,
            call.now_ms,
            compartment,
            "DefaultPool".into(),
            TagsIn::default(),
        ),
    })
}

pub(super) fn handle(shared: &Shared, call: &Call) -> Reply {
    let q = &call.query;
    match call.op {
        "CreateStreamPool" => {
            let b: CreatePool = h::parse_json(call.body.bytes())?;
            let mut state = shared.lock();
            check_compartment(&state, &b.compartment_id)?;
            let pool = new_pool(&mut state, call.now_ms, b.compartment_id, b.name, b.tags);
            h::json(200, &pool)
        }
        "GetStreamPool" => {
            let state = shared.lock();
            let pool = state
                .planes
                .stream_pools
                .iter()
                .find(|p| p.id == call.param(0));
            h::json(200, &pool.ok_or_else(|| ApiError::not_found("StreamPool"))?)
        }
        "ListStreamPools" => {
            let state = shared.lock();
            let compartment = h::required(q, "compartmentId")?;
            let items: Vec<StreamPool> = state
                .planes
                .stream_pools
                .iter()
                .filter(|p| p.compartment_id == compartment)
                .filter(|p| q.get("name").map_or(true, |n| &p.name == n))
                .cloned()
                .collect();
            let (page, next) = util::paginate(state.seed, &items, q, 100)?;
            h::json_page(&page, next)
        }
        "CreateStream" => {
            let b: CreateStream = h::parse_json(call.body.bytes())?;
            if !(1..=50).contains(&b.partitions) {
                return Err(ApiError::invalid("partitions must be from 1 to 50"));
            }
            let retention = b.retention_in_hours.unwrap_or(24);
            if !(24..=168).contains(&retention) {
                return Err(ApiError::invalid("retentionInHours must be from 24 to 168"));
            }
            let mut state = shared.lock();
            let pool = pool_of(&mut state, call, &b)?;
            if state
                .planes
                .streams
                .iter()
                .any(|s| s.stream.stream_pool_id == pool.id && s.stream.name == b.name)
            {
                return Err(ApiError::new(
                    409,
                    "Conflict",
                    format!("stream `{}` exists", b.name),
                ));
            }
            let stream = Stream {
                name: b.name,
                id: state.next_ocid("stream"),
                partitions: b.partitions,
                retention_in_hours: retention,
                compartment_id: b.compartment_id.unwrap_or(pool.compartment_id),
                stream_pool_id: pool.id,
                lifecycle_state: "ACTIVE".to_owned(),
                time_created: util::rfc3339(call.now_ms),
                freeform_tags: b.tags.freeform_tags,
                defined_tags: b.tags.defined_tags,
            };
            state.planes.streams.push(StreamData::new(stream.clone()));
            h::json(200, &view(call, &stream))
        }
        "GetStream" => {
            let state = shared.lock();
            let s = state
                .planes
                .streams
                .iter()
                .find(|s| s.stream.id == call.param(0));
            h::json(
                200,
                &view(
                    call,
                    &s.ok_or_else(|| ApiError::not_found("Stream"))?.stream,
                ),
            )
        }
        "DeleteStream" => {
            let mut state = shared.lock();
            let before = state.planes.streams.len();
            state
                .planes
                .streams
                .retain(|s| s.stream.id != call.param(0));
            if state.planes.streams.len() == before {
                return Err(ApiError::not_found("Stream"));
            }
            h::no_content(202)
        }
        _ => {
            let state = shared.lock();
            let items: Vec<StreamOut<'_>> = state
                .planes
                .streams
                .iter()
                .map(|s| &s.stream)
                .filter(|s| {
                    q.get("compartmentId")
                        .map_or(true, |c| &s.compartment_id == c)
                })
                .filter(|s| {
                    q.get("streamPoolId")
                        .map_or(true, |p| &s.stream_pool_id == p)
                })
                .filter(|s| q.get("name").map_or(true, |n| &s.name == n))
                .map(|s| view(call, s))
                .collect();
            if q.get("compartmentId").is_none() && q.get("streamPoolId").is_none() {
                return Err(ApiError::invalid(
                    "compartmentId or streamPoolId is required",
                ));
            }
            let index: Vec<usize> = (0..items.len()).collect();
            let (page, next) = util::paginate(state.seed, &index, q, 100)?;
            let page: Vec<&StreamOut<'_>> = page.into_iter().map(|i| &items[i]).collect();
            h::json_page(&page, next)
        }
    }
}
