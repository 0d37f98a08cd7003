//! Logging ingestion (`/20200831`): `PutLogs` keeps the entries it receives
//! (`Emulator::log_entries`).

use serde::Deserialize;

use crate::error::ApiError;
use crate::http::{self as h, Reply};
use crate::planes::logging::Ingested;
use crate::shared::{Call, Shared};

#[derive(Deserialize)]
struct Entry {
    data: String,
    id: String,
    time: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Batch {
    entries: Vec<Entry>,
    source: String,
    #[serde(rename = "type")]
    kind: String,
    subject: Option<String>,
    defaultlogentrytime: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutLogs {
    specversion: String,
    log_entry_batches: Vec<Batch>,
}

/// Handles one authenticated Logging ingestion request.
pub(crate) async fn handle(shared: &Shared, call: Call) -> Reply {
    if call.op != "PutLogs" {
        return Err(super::not_implemented("Logging Ingestion", call.op));
    }
    let b: PutLogs = h::parse_json(call.body.bytes())?;
    if b.specversion != "1.0" {
        return Err(ApiError::invalid("specversion must be 1.0"));
    }
    let log_id = call.param(0).to_owned();
    let mut entries = Vec::new();
    for batch in b.log_entry_batches {
        for e in batch.entries {
            entries.push(Ingested {
                log_id: log_id.clone(),
                source: batch.source.clone(),
                kind: batch.kind.clone(),
                subject: batch.subject.clone(),
                id: e.id,
                time: e.time.unwrap_or_else(|| batch.defaultlogentrytime.clone()),
                data: e.data,
                received_ms: call.now_ms,
            });
        }
    }
    shared.lock().planes.logs.extend(entries);
    h::no_content(200)
}
