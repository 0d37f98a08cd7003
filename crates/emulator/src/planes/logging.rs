//! Logging ingestion: the entries `PutLogs` received, by log.

use serde::{Deserialize, Serialize};

/// One ingested log entry with its batch's fields.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Ingested {
    pub log_id: String,
    pub source: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub id: String,
    pub time: String,
    pub data: String,
    /// When the emulator received it (ms since the epoch).
    pub received_ms: u64,
}
