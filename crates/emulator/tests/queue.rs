//! Queue against the emulator with the generated clients: at-least-once delivery with a
//! visibility timeout and receipts, visibility updates, deletes, and long polls that end when a
//! message arrives or when the timeout passes on the emulator's clock.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::time::Duration;

use common::*;
use oci_emulator::Emulator;
use oci_queue::models::{
    CreateQueueDetails, PutMessagesDetails, PutMessagesDetailsEntry, UpdateMessageDetails,
};
use oci_queue::{QueueAdminClient, QueueClient};

/// Creates a queue (202 + work request) and returns its messages client and id.
async fn queue(emu: &Emulator, visibility: i64) -> (QueueClient, String) {
    let admin = QueueAdminClient::new(client(emu));
    let created = admin
        .create_queue()
        .create_queue_details(CreateQueueDetails {
            display_name: "jobs".into(),
            compartment_id: emu.tenancy_id().into(),
            visibility_in_seconds: Some(visibility),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.status, 202);
    let wr = admin
        .get_work_request()
        .work_request_id(created.opc_work_request_id.unwrap())
        .send()
        .await
        .unwrap()
        .body;
    let id = wr.resources[0].identifier.clone();
    let q = admin
        .get_queue()
        .queue_id(id.clone())
        .send()
        .await
        .unwrap()
        .body;
    let endpoint = q.messages_endpoint.clone();
    assert!(endpoint.contains(&id), "{endpoint}");
    (q.messages_client(&admin).unwrap(), id)
}

async fn put(c: &QueueClient, id: &str, contents: &[&str]) {
    let messages = contents
        .iter()
        .map(|c| PutMessagesDetailsEntry {
            content: (*c).into(),
            ..Default::default()
        })
        .collect();
    c.put_messages()
        .queue_id(id)
        .put_messages_details(PutMessagesDetails { messages })
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn unacknowledged_messages_come_back_after_their_visibility_timeout() {
    let clock = manual_clock();
    let emu = builder().clock(clock.clone()).start().await.unwrap();
    let (c, id) = queue(&emu, 30).await;
    put(&c, &id, &["a"]).await;
    let get = || {
        c.get_messages()
            .queue_id(id.clone())
            .timeout_in_seconds(0)
            .send()
    };
    let first = get().await.unwrap().body.messages;
    assert_eq!(
        (first[0].content.as_str(), first[0].delivery_count),
        ("a", 1)
    );
    assert!(
        get().await.unwrap().body.messages.is_empty(),
        "hidden while in flight"
    );

    clock.advance(Duration::from_secs(31));
    let again = get().await.unwrap().body.messages;
    assert_eq!(
        (again[0].content.as_str(), again[0].delivery_count),
        ("a", 2)
    );
    assert_ne!(again[0].receipt, first[0].receipt);
    // The first delivery's receipt no longer deletes it; the second one does.
    let stale = c
        .delete_message()
        .queue_id(id.clone())
        .message_receipt(first[0].receipt.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(stale.status().map(|s| s.as_u16()), Some(404));
    c.delete_message()
        .queue_id(id.clone())
        .message_receipt(again[0].receipt.clone())
        .send()
        .await
        .unwrap();
    clock.advance(Duration::from_secs(60));
    assert!(
        get().await.unwrap().body.messages.is_empty(),
        "deleted for good"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn update_message_extends_visibility() {
    let clock = manual_clock();
    let emu = builder().clock(clock.clone()).start().await.unwrap();
    let (c, id) = queue(&emu, 10).await;
    put(&c, &id, &["slow"]).await;
    let get = || {
        c.get_messages()
            .queue_id(id.clone())
            .timeout_in_seconds(0)
            .send()
    };
    let m = get().await.unwrap().body.messages.remove(0);
    c.update_message()
        .queue_id(id.clone())
        .message_receipt(m.receipt.clone())
        .update_message_details(UpdateMessageDetails {
            visibility_in_seconds: 120,
        })
        .send()
        .await
        .unwrap();
    clock.advance(Duration::from_secs(60));
    assert!(
        get().await.unwrap().body.messages.is_empty(),
        "still in flight at 60 s"
    );
    clock.advance(Duration::from_secs(61));
    assert_eq!(get().await.unwrap().body.messages[0].content, "slow");
    let stats = c
        .get_stats()
        .queue_id(id.clone())
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(stats.queue.in_flight_messages, 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn long_poll_answers_when_a_message_arrives_or_the_clock_passes_the_timeout() {
    let clock = manual_clock();
    let emu = builder().clock(clock.clone()).start().await.unwrap();
    let (c, id) = queue(&emu, 30).await;

    // A message put while the poll waits ends it.
    let waiting = tokio::spawn({
        let (c, id) = (c.clone(), id.clone());
        async move {
            c.get_messages()
                .queue_id(id)
                .timeout_in_seconds(20)
                .send()
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!waiting.is_finished(), "the poll waits for a message");
    put(&c, &id, &["late"]).await;
    let got = waiting.await.unwrap().unwrap().body.messages;
    assert_eq!(got[0].content, "late");

    // With no message, it ends when the emulator's clock passes the timeout.
    let waiting = tokio::spawn({
        let (c, id) = (c.clone(), id.clone());
        async move {
            c.get_messages()
                .queue_id(id)
                .timeout_in_seconds(20)
                .send()
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!waiting.is_finished());
    clock.advance(Duration::from_secs(21));
    let got = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .unwrap();
    assert!(got.unwrap().unwrap().body.messages.is_empty());
    emu.shutdown().await;
}
