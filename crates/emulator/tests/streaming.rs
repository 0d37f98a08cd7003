//! Streaming against the emulator with the generated clients: partitions by key, cursors of
//! every type, reads that hand back the next cursor.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use common::*;
use oci_streaming::models::{
    CreateCursorDetails, CreateCursorDetailsType, CreateStreamDetails, PutMessagesDetails,
    PutMessagesDetailsEntry,
};
use oci_streaming::{StreamAdminClient, StreamClient};

fn b64(s: &str) -> String {
    oci_core::b64::encode(s.as_bytes())
}

fn text(s: &str) -> String {
    String::from_utf8(oci_core::b64::decode_field(s, "value").unwrap()).unwrap()
}

async fn cursor(
    c: &StreamClient,
    id: &str,
    partition: &str,
    kind: CreateCursorDetailsType,
    offset: Option<i64>,
) -> String {
    c.create_cursor()
        .stream_id(id)
        .create_cursor_details(CreateCursorDetails {
            partition: partition.into(),
            r#type: kind,
            offset,
            time: None,
        })
        .send()
        .await
        .unwrap()
        .body
        .value
}

#[tokio::test]
async fn put_and_read_with_partitions_and_cursors() {
    let emu = start().await;
    let admin = StreamAdminClient::new(client(&emu));
    let stream = admin
        .create_stream()
        .create_stream_details(CreateStreamDetails {
            name: "events".into(),
            partitions: 2,
            compartment_id: Some(emu.tenancy_id().into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .body;
    let endpoint = stream.messages_endpoint.clone();
    assert!(endpoint.contains(&stream.stream_pool_id), "{endpoint}");
    let c = stream.messages_client(&admin).unwrap();
    let id = stream.id.clone();

    let put = |key: &str, values: &[&str]| {
        let messages = values
            .iter()
            .map(|v| PutMessagesDetailsEntry {
                key: Some(b64(key)),
                value: b64(v),
            })
            .collect();
        c.put_messages()
            .stream_id(id.clone())
            .put_messages_details(PutMessagesDetails { messages })
            .send()
    };
    let first = put("user-1", &["a", "b", "c"]).await.unwrap().body;
    assert_eq!(first.failures, 0);
    let partition = first.entries[0].partition.clone().unwrap();
    assert!(first
        .entries
        .iter()
        .all(|e| e.partition.as_ref() == Some(&partition)));
    let offsets: Vec<i64> = first.entries.iter().map(|e| e.offset.unwrap()).collect();
    assert_eq!(offsets, [0, 1, 2]);

    let read = |cur: String, limit: i64| {
        c.get_messages()
            .stream_id(id.clone())
            .cursor(cur)
            .limit(limit)
            .send()
    };
    let trim = cursor(
        &c,
        &id,
        &partition,
        CreateCursorDetailsType::TrimHorizon,
        None,
    )
    .await;
    let page = read(trim, 2).await.unwrap();
    assert_eq!(
        page.body.iter().map(|m| text(&m.value)).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(text(page.body[0].key.as_deref().expect("a key")), "user-1");
    let next = page.opc_next_cursor.clone().unwrap();
    let page = read(next, 10).await.unwrap();
    assert_eq!(
        page.body.iter().map(|m| text(&m.value)).collect::<Vec<_>>(),
        ["c"]
    );

    let at = cursor(
        &c,
        &id,
        &partition,
        CreateCursorDetailsType::AtOffset,
        Some(1),
    )
    .await;
    assert_eq!(read(at, 10).await.unwrap().body[0].offset, 1);
    let after = cursor(
        &c,
        &id,
        &partition,
        CreateCursorDetailsType::AfterOffset,
        Some(1),
    )
    .await;
    assert_eq!(read(after, 10).await.unwrap().body[0].offset, 2);

    let latest = cursor(&c, &id, &partition, CreateCursorDetailsType::Latest, None).await;
    let empty = read(latest.clone(), 10).await.unwrap();
    assert!(empty.body.is_empty());
    put("user-1", &["d"]).await.unwrap();
    let page = read(empty.opc_next_cursor.unwrap(), 10).await.unwrap();
    assert_eq!(
        page.body.iter().map(|m| text(&m.value)).collect::<Vec<_>>(),
        ["d"]
    );

    // Bad cursors and partitions are 400.
    let bad = read("garbage".into(), 10).await.unwrap_err();
    assert_eq!(bad.status().map(|s| s.as_u16()), Some(400));
    let err = c
        .create_cursor()
        .stream_id(id.clone())
        .create_cursor_details(CreateCursorDetails {
            partition: "7".into(),
            r#type: CreateCursorDetailsType::Latest,
            offset: None,
            time: None,
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    emu.shutdown().await;
}
