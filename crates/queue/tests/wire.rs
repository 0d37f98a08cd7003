//! Queue: requests on the wire (no I/O), the long poll's timeouts, a queue's messages
//! endpoint, the emulator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use oci_core::layers::{LongPoll, RetryPolicy};
use oci_core::testing::MockTransport;
use oci_core::{Body, Endpoint, Error, Request};
use oci_queue::models::{PutMessagesDetails, PutMessagesDetailsEntry, Queue};
use oci_queue::queue::operations::{GetMessages, PutMessages};
use oci_queue::{queue, queue_admin, QueueAdminClient, QueueClient};

fn endpoint() -> Endpoint {
    Endpoint::parse("https://cell-1.queue.messaging.us-ashburn-1.oci.oraclecloud.com/20210201")
        .unwrap()
}

#[test]
fn put_messages_body_and_get_messages_query() {
    let details = PutMessagesDetails {
        messages: vec![PutMessagesDetailsEntry {
            content: "job 1".into(),
            ..Default::default()
        }],
    };
    let req = PutMessages::new()
        .queue_id("ocid1.queue.oc1..q")
        .put_messages_details(details)
        .into_http(&endpoint())
        .unwrap();
    assert_eq!(req.method(), "POST");
    assert_eq!(
        req.uri().path(),
        "/20210201/queues/ocid1.queue.oc1..q/messages"
    );
    let body: serde_json::Value = serde_json::from_slice(req.body().as_bytes().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"messages": [{"content": "job 1"}]})
    );

    let req = GetMessages::new()
        .queue_id("ocid1.queue.oc1..q")
        .visibility_in_seconds(30)
        .timeout_in_seconds(20)
        .limit(10)
        .into_http(&endpoint())
        .unwrap();
    assert_eq!(
        req.uri().path_and_query().unwrap().as_str(),
        "/20210201/queues/ocid1.queue.oc1..q/messages?visibilityInSeconds=30&timeoutInSeconds=20&limit=10"
    );
    // The long poll travels with the request, for the timeout layers.
    assert_eq!(
        req.extensions().get::<LongPoll>(),
        Some(&LongPoll::seconds(20))
    );
    // Unset: the queue's default polling timeout, at most 30 s.
    let req = GetMessages::new()
        .queue_id("q")
        .into_http(&endpoint())
        .unwrap();
    assert_eq!(
        req.extensions().get::<LongPoll>(),
        Some(&LongPoll::seconds(30))
    );
    // Other operations are not long polls.
    let req = PutMessages::new()
        .queue_id("q")
        .put_messages_details(PutMessagesDetails::default())
        .into_http(&endpoint())
        .unwrap();
    assert_eq!(req.extensions().get::<LongPoll>(), None);
}

/// A queue with no message: the server holds `GetMessages` for the poll, then answers empty.
fn quiet_queue() -> oci_core::Client {
    let held = tower::service_fn(|req: http::Request<Body>| async move {
        let poll = req
            .uri()
            .query()
            .unwrap_or_default()
            .contains("timeoutInSeconds=20");
        tokio::time::sleep(Duration::from_secs(if poll { 20 } else { 1 })).await;
        let resp = http::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(Body::from(r#"{"messages":[]}"#))
            .unwrap();
        Ok::<_, Error>(resp)
    });
    oci_core::Client::builder()
        .credentials(oci_core::testing::credentials())
        .transport(held)
        .endpoint(Endpoint::parse("http://127.0.0.1:1").unwrap())
        .attempt_timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_long_poll_outlasts_the_attempt_timeout() {
    let messages = QueueClient::new(quiet_queue());
    let got = messages
        .get_messages()
        .queue_id("ocid1.queue.oc1..q")
        .timeout_in_seconds(20)
        .send()
        .await
        .unwrap();
    assert!(got.body.messages.is_empty());

    // Without the poll's raise, a 20 s hold would be a 5 s attempt timeout: a held answer to
    // a non-polling call still times out.
    let slow = tower::service_fn(|_req: http::Request<Body>| async {
        tokio::time::sleep(Duration::from_secs(20)).await;
        Ok::<_, Error>(http::Response::new(Body::empty()))
    });
    let client = oci_core::Client::builder()
        .credentials(oci_core::testing::credentials())
        .transport(slow)
        .endpoint(Endpoint::parse("http://127.0.0.1:1").unwrap())
        .attempt_timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = QueueClient::new(client)
        .get_stats()
        .queue_id("q")
        .send()
        .await
        .unwrap_err();
    assert!(err.timeout_scope().is_some(), "{err}");
}

#[tokio::test]
async fn a_queues_messages_client_uses_its_messages_endpoint() {
    let mock = MockTransport::new();
    mock.push_json(200, r#"{"messages":[]}"#);
    let admin = QueueAdminClient::new(mock.client().unwrap());
    let queue: Queue = serde_json::from_value(serde_json::json!({
        "id": "ocid1.queue.oc1..q", "compartmentId": "c",
        "timeCreated": "2024-01-02T03:04:05Z", "timeUpdated": "2024-01-02T03:04:05Z",
        "lifecycleState": "ACTIVE",
        "messagesEndpoint": "https://cell-1.queue.messaging.us-ashburn-1.oci.oraclecloud.com",
        "retentionInSeconds": 3600, "visibilityInSeconds": 30, "timeoutInSeconds": 20,
        "deadLetterQueueDeliveryCount": 0
    }))
    .unwrap();
    let messages = queue.messages_client(&admin).unwrap();
    messages
        .get_messages()
        .queue_id(queue.id.clone())
        .timeout_in_seconds(0)
        .send()
        .await
        .unwrap();
    assert_eq!(
        mock.requests()[0].uri.to_string(),
        "https://cell-1.queue.messaging.us-ashburn-1.oci.oraclecloud.com/20210201/queues/ocid1.queue.oc1..q/messages?timeoutInSeconds=0"
    );
    assert_eq!(queue::SERVICE.name, "queue");
    assert_eq!(queue_admin::SERVICE.base_path, "/20210201");
}

#[tokio::test]
async fn the_emulator_answers_a_call_it_does_not_emulate() {
    let (emu, client) = emulator().await;
    let err = QueueAdminClient::new(client)
        .list_work_request_logs()
        .work_request_id("ocid1.wr.oc1..w")
        .send()
        .await
        .unwrap_err();
    assert!(
        oci_emulator::is_not_emulated(&err, "ListWorkRequestLogs"),
        "{err}"
    );
    emu.shutdown().await;
}

async fn emulator() -> (oci_emulator::Emulator, oci_core::Client) {
    let emu = oci_emulator::Emulator::builder().start().await.unwrap();
    let client = emu
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    (emu, client)
}
