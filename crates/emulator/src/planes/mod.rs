//! The state of the data-plane services (Vault secrets, KMS, Queue, Streaming, Notifications,
//! Monitoring, Logging ingestion): serde records kept in [`crate::state::State`] (so they are
//! persisted with it), and their logic as plain functions of the emulator's clock (no I/O), so
//! visibility timeouts, cursors, stages and AES-GCM are unit-tested here.

pub(crate) mod kms;
pub(crate) mod logging;
pub(crate) mod monitoring;
pub(crate) mod ons;
pub(crate) mod queue;
pub(crate) mod secrets;
pub(crate) mod streaming;

use serde::{Deserialize, Serialize};

/// Everything the data-plane services keep.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Planes {
    pub vaults: Vec<kms::Vault>,
    pub keys: Vec<kms::KeyData>,
    pub secrets: Vec<secrets::SecretData>,
    pub queues: Vec<queue::QueueData>,
    pub queue_work_requests: Vec<queue::WorkRequest>,
    pub stream_pools: Vec<streaming::StreamPool>,
    pub streams: Vec<streaming::StreamData>,
    pub notifications: ons::Notifications,
    pub metrics: Vec<monitoring::Point>,
    pub logs: Vec<logging::Ingested>,
}
