//! Notifications: requests on the wire (no I/O), the emulator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use oci_core::{Endpoint, Request};
use oci_ons::models::MessageDetails;
use oci_ons::notification_data_plane::operations::PublishMessage;
use oci_ons::{notification_control_plane, notification_data_plane, NotificationDataPlaneClient};

#[test]
fn publish_message_path_header_and_body() {
    let ep = Endpoint::parse("https://notification.us-ashburn-1.oraclecloud.com/20181201").unwrap();
    let req = PublishMessage::new()
        .topic_id("ocid1.onstopic.oc1..t")
        .message_type("RAW_TEXT")
        .message_details(MessageDetails {
            title: Some("deploy".into()),
            body: "done".into(),
        })
        .into_http(&ep)
        .unwrap();
    assert_eq!(req.method(), "POST");
    assert_eq!(
        req.uri().path(),
        "/20181201/topics/ocid1.onstopic.oc1..t/messages"
    );
    assert_eq!(req.headers()["messagetype"], "RAW_TEXT");
    let body: serde_json::Value = serde_json::from_slice(req.body().as_bytes().unwrap()).unwrap();
    assert_eq!(body, serde_json::json!({"title": "deploy", "body": "done"}));
    assert_eq!(notification_data_plane::operations::OPERATIONS.len(), 10);
    assert_eq!(notification_control_plane::operations::OPERATIONS.len(), 6);
}

#[tokio::test]
async fn the_emulator_answers_a_call_it_does_not_emulate() {
    let (emu, client) = emulator().await;
    let err = NotificationDataPlaneClient::new(client)
        .resend_subscription_confirmation()
        .id("ocid1.onssubscription.oc1..s")
        .send()
        .await
        .unwrap_err();
    assert!(
        oci_emulator::is_not_emulated(&err, "ResendSubscriptionConfirmation"),
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
