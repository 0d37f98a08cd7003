//! Work request waiters and paginators against a canned transport.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures_util::TryStreamExt;
use oci_core::testing::MockTransport;
use oci_delegateaccesscontrol::models::*;
use oci_delegateaccesscontrol::WorkRequestClient;

fn client(
    answers: Vec<(Vec<(&'static str, &'static str)>, String)>,
) -> (WorkRequestClient, MockTransport) {
    let mock = MockTransport::new();
    for (headers, body) in answers {
        mock.push_with(200, &headers, body);
    }
    (WorkRequestClient::new(mock.client().unwrap()), mock)
}

/// The path and query of every request the mock received, in order.
fn paths(mock: &MockTransport) -> Vec<String> {
    mock.requests()
        .iter()
        .map(|r| r.uri.path_and_query().unwrap().to_string())
        .collect()
}

fn work_request(status: &str, pct: f64) -> String {
    format!(
        r#"{{"operationType":"CREATE_DELEGATION_CONTROL","status":"{status}","id":"w","compartmentId":"c",
        "resources":[{{"entityType":"x","actionType":"IN_PROGRESS","identifier":"r"}}],
        "percentComplete":{pct},"timeAccepted":"2024-01-02T03:04:05Z"}}"#
    )
}

#[tokio::test(start_paused = true)]
async fn waits_for_a_work_request_to_succeed() {
    let (wr, seen) = client(vec![
        (vec![], work_request("ACCEPTED", 0.0)),
        (vec![], work_request("IN_PROGRESS", 50.0)),
        (vec![], work_request("SUCCEEDED", 100.0)),
    ]);
    let done = wr
        .get_work_request()
        .work_request_id("w")
        .wait_for([WorkRequestStatus::Succeeded])
        .failure([WorkRequestStatus::Failed, WorkRequestStatus::Canceled])
        .max_wait(Duration::from_secs(60))
        .wait()
        .await
        .unwrap();
    assert_eq!(done.body.percent_complete, 100.0);
    assert_eq!(paths(&seen)[0], "/20230801/workRequests/w");
    assert_eq!(paths(&seen).len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_failed_work_request_ends_the_wait() {
    let (wr, _) = client(vec![(vec![], work_request("FAILED", 10.0))]);
    let err = wr
        .get_work_request()
        .work_request_id("w")
        .wait_for([WorkRequestStatus::Succeeded])
        .failure([WorkRequestStatus::Failed])
        .wait()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("FAILED"), "{err}");
}

#[tokio::test]
async fn collections_paginate_through_their_items_field() {
    let (wr, seen) = client(vec![
        (
            vec![("opc-next-page", "n2")],
            r#"{"items":[{"message":"m1","timestamp":"2024-01-02T03:04:05Z"}]}"#.into(),
        ),
        (vec![], r#"{"items":[]}"#.into()),
    ]);
    let logs: Vec<WorkRequestLogEntry> = wr
        .list_work_request_logs()
        .work_request_id("w")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].message, "m1");
    assert_eq!(
        paths(&seen),
        [
            "/20230801/workRequests/w/logs",
            "/20230801/workRequests/w/logs?page=n2"
        ]
    );
}
