//! Logging Ingestion: the request on the wire (no I/O), the emulator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use oci_core::{DateTime, Endpoint, Request};
use oci_loggingingestion::models::{LogEntry, LogEntryBatch, PutLogsDetails};
use oci_loggingingestion::operations::{PutLogs, OPERATIONS};
use oci_loggingingestion::LoggingClient;

fn details() -> PutLogsDetails {
    PutLogsDetails {
        specversion: "1.0".into(),
        log_entry_batches: vec![LogEntryBatch {
            entries: vec![LogEntry {
                data: "started".into(),
                id: "e1".into(),
                time: None,
            }],
            source: "worker-1".into(),
            r#type: "app.log".into(),
            subject: None,
            defaultlogentrytime: "2024-01-02T03:04:05Z".parse::<DateTime>().unwrap(),
        }],
    }
}

#[test]
fn put_logs_path_headers_and_body() {
    let ep = Endpoint::parse("https://ingestion.logging.us-ashburn-1.oci.oraclecloud.com/20200831")
        .unwrap();
    let req = PutLogs::new()
        .log_id("ocid1.log.oc1..l")
        .opc_agent_version("1")
        .put_logs_details(details())
        .into_http(&ep)
        .unwrap();
    assert_eq!(req.method(), "POST");
    assert_eq!(
        req.uri().path(),
        "/20200831/logs/ocid1.log.oc1..l/actions/push"
    );
    assert_eq!(req.headers()["opc-agent-version"], "1");
    let body: serde_json::Value = serde_json::from_slice(req.body().as_bytes().unwrap()).unwrap();
    assert_eq!(body["logEntryBatches"][0]["entries"][0]["data"], "started");
    assert_eq!(body["logEntryBatches"][0]["type"], "app.log");
    assert_eq!(OPERATIONS.len(), 1);
}

/// `PutLogs` is the service's one operation, and the emulator emulates it: the call succeeds
/// and the emulator's journal has it.
#[tokio::test]
async fn the_emulator_sees_put_logs() {
    let (emu, client) = emulator().await;
    let out = LoggingClient::new(client)
        .put_logs()
        .log_id("ocid1.log.oc1..l")
        .put_logs_details(details())
        .send()
        .await;
    out.expect("PutLogs is emulated");
    let journal = emu.journal();
    assert!(
        journal.iter().any(|e| e
            .path
            .contains("/20200831/logs/ocid1.log.oc1..l/actions/push")),
        "{journal:?}"
    );
    emu.shutdown().await;
}

async fn emulator() -> (oci_emulator::Emulator, oci_core::Client) {
    let emu = oci_emulator::Emulator::builder().start().await.unwrap();
    let client = emu
        .client_builder()
        .retry_policy(oci_core::layers::RetryPolicy::none())
        .build()
        .unwrap();
    (emu, client)
}
