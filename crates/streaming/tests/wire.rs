//! Streaming: requests on the wire (no I/O), cursors, base64 messages, a stream's messages
//! endpoint, the emulator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use oci_core::testing::MockTransport;
use oci_core::{Endpoint, Request};
use oci_streaming::models::{Message, PutMessagesDetails, PutMessagesDetailsEntry, Stream};
use oci_streaming::stream::operations::{GetMessages, PutMessages};
use oci_streaming::{stream, StreamAdminClient};

fn endpoint() -> Endpoint {
    Endpoint::parse("https://cell-1.streaming.us-ashburn-1.oci.oraclecloud.com/20180418").unwrap()
}

#[test]
fn put_messages_base64_and_get_messages_cursor() {
    let mut entry = PutMessagesDetailsEntry::default();
    entry.set_key_bytes(b"k");
    entry.set_value_bytes(b"hello");
    let req = PutMessages::new()
        .stream_id("ocid1.stream.oc1..s")
        .put_messages_details(PutMessagesDetails {
            messages: vec![entry],
        })
        .into_http(&endpoint())
        .unwrap();
    assert_eq!(
        req.uri().path(),
        "/20180418/streams/ocid1.stream.oc1..s/messages"
    );
    let body: serde_json::Value = serde_json::from_slice(req.body().as_bytes().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"messages": [{"key": "aw==", "value": "aGVsbG8="}]})
    );

    let req = GetMessages::new()
        .stream_id("ocid1.stream.oc1..s")
        .cursor("eyJjIjoxfQ==")
        .limit(100)
        .into_http(&endpoint())
        .unwrap();
    assert_eq!(req.uri().query(), Some("cursor=eyJjIjoxfQ%3D%3D&limit=100"));
    let err = GetMessages::new()
        .stream_id("s")
        .into_http(&endpoint())
        .unwrap_err();
    assert!(err.to_string().contains("cursor"), "{err}");

    let m: Message = serde_json::from_value(serde_json::json!({
        "stream": "s", "partition": "0", "key": null, "value": "aGVsbG8=",
        "offset": 7, "timestamp": "2024-01-02T03:04:05Z"
    }))
    .unwrap();
    assert_eq!(m.value_bytes().unwrap().as_deref(), Some(&b"hello"[..]));
    assert_eq!(m.key_bytes().unwrap(), None);
}

#[tokio::test]
async fn the_next_cursor_comes_back_and_the_stream_has_its_endpoint() {
    let mock = MockTransport::new();
    mock.push_with(200, &[("opc-next-cursor", "next-1")], "[]");
    let admin = StreamAdminClient::new(mock.client().unwrap());
    let s: Stream = serde_json::from_value(serde_json::json!({
        "name": "events", "id": "ocid1.stream.oc1..s", "partitions": 1,
        "retentionInHours": 24, "compartmentId": "c", "streamPoolId": "p",
        "lifecycleState": "ACTIVE", "timeCreated": "2024-01-02T03:04:05Z",
        "messagesEndpoint": "https://cell-1.streaming.us-ashburn-1.oci.oraclecloud.com"
    }))
    .unwrap();
    let messages = s.messages_client(&admin).unwrap();
    let page = messages
        .get_messages()
        .stream_id(s.id.clone())
        .cursor("c0")
        .send()
        .await
        .unwrap();
    assert_eq!(page.opc_next_cursor.as_deref(), Some("next-1"));
    assert!(page.body.is_empty());
    assert_eq!(
        mock.requests()[0].uri.to_string(),
        "https://cell-1.streaming.us-ashburn-1.oci.oraclecloud.com/20180418/streams/ocid1.stream.oc1..s/messages?cursor=c0"
    );
    assert_eq!(stream::SERVICE.name, "stream");
}

#[tokio::test]
async fn the_emulator_answers_a_call_it_does_not_emulate() {
    let (emu, client) = emulator().await;
    let err = StreamAdminClient::new(client)
        .get_connect_harness()
        .connect_harness_id("ocid1.ch.oc1..h")
        .send()
        .await
        .unwrap_err();
    assert!(
        oci_emulator::is_not_emulated(&err, "GetConnectHarness"),
        "{err}"
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
