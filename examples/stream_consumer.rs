//! A stream consumer: cursors per partition, reads that hand back the next cursor, resuming.
//!
//! Run with `cargo run --example stream_consumer --features streaming`. Against the in-process
//! emulator: a producer puts ten events keyed by user into a stream with two partitions (one
//! user's events stay in order on one partition). The consumer reads each partition from the
//! oldest retained message (`TRIM_HORIZON`), following `opc-next-cursor` until it is caught
//! up, and remembers the last offset it processed; then, after more events arrive, it resumes
//! with an `AFTER_OFFSET` cursor and sees only the new ones.

use std::collections::BTreeMap;

use oci_emulator::Emulator;
use oci_tower::streaming::models::{
    CreateCursorDetails, CreateCursorDetailsType, CreateStreamDetails, PutMessagesDetails,
    PutMessagesDetailsEntry,
};
use oci_tower::streaming::{StreamAdminClient, StreamClient};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const PARTITIONS: i64 = 2;

async fn produce(c: &StreamClient, id: &str, events: &[(&str, String)]) -> Result<(), BoxError> {
    let messages = events
        .iter()
        .map(|(user, event)| PutMessagesDetailsEntry {
            key: Some(oci_tower::b64::encode(user)),
            value: oci_tower::b64::encode(event),
        })
        .collect();
    let put = c
        .put_messages()
        .stream_id(id)
        .put_messages_details(PutMessagesDetails { messages })
        .send()
        .await?
        .body;
    if put.failures > 0 {
        return Err(format!("{} messages failed", put.failures).into());
    }
    Ok(())
}

/// Reads one partition from a cursor until caught up; the last offset read, if any.
async fn consume(
    c: &StreamClient,
    id: &str,
    partition: &str,
    start: CreateCursorDetailsType,
    offset: Option<i64>,
) -> Result<(Option<i64>, usize), BoxError> {
    let mut cursor = c
        .create_cursor()
        .stream_id(id)
        .create_cursor_details(CreateCursorDetails {
            partition: partition.into(),
            r#type: start,
            offset,
            time: None,
        })
        .send()
        .await?
        .body
        .value;
    let (mut last, mut count) = (offset, 0);
    loop {
        let page = c
            .get_messages()
            .stream_id(id)
            .cursor(cursor.clone())
            .limit(3)
            .send()
            .await?;
        if page.body.is_empty() {
            return Ok((last, count));
        }
        for m in &page.body {
            // A message put without a key comes back with none.
            let user = match &m.key {
                Some(key) => String::from_utf8(oci_tower::b64::decode_field(key, "key")?)?,
                None => "(no key)".to_owned(),
            };
            let event = String::from_utf8(oci_tower::b64::decode_field(&m.value, "value")?)?;
            println!(
                "  partition {partition} offset {}: {user} {event}",
                m.offset
            );
            last = Some(m.offset);
            count += 1;
        }
        cursor = page.opc_next_cursor.ok_or("no opc-next-cursor")?;
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let emulator = Emulator::builder().start().await?;
    let admin = StreamAdminClient::new(emulator.client_builder().build()?);
    let stream = admin
        .create_stream()
        .create_stream_details(CreateStreamDetails {
            name: "user-events".into(),
            partitions: PARTITIONS,
            compartment_id: Some(emulator.tenancy_id().into()),
            ..Default::default()
        })
        .send()
        .await?
        .body;
    // The stream's data plane, at its messagesEndpoint, with the same stack and credentials.
    let c = stream.messages_client(&admin)?;
    let id = stream.id.clone();

    let users = ["ana", "bo", "cy"];
    let events: Vec<(&str, String)> = (0..10)
        .map(|i| (users[i % users.len()], format!("click-{i}")))
        .collect();
    produce(&c, &id, &events).await?;

    println!("catching up from TRIM_HORIZON:");
    let mut committed = BTreeMap::new();
    let mut total = 0;
    for p in 0..PARTITIONS {
        let p = p.to_string();
        let (last, n) = consume(&c, &id, &p, CreateCursorDetailsType::TrimHorizon, None).await?;
        committed.insert(p, last);
        total += n;
    }
    assert_eq!(total, events.len());

    produce(
        &c,
        &id,
        &[("ana", "logout".into()), ("bo", "logout".into())],
    )
    .await?;
    println!("resuming after the committed offsets {committed:?}:");
    let mut resumed = 0;
    for (p, last) in &committed {
        let (kind, offset) = match last {
            Some(o) => (CreateCursorDetailsType::AfterOffset, Some(*o)),
            None => (CreateCursorDetailsType::TrimHorizon, None),
        };
        resumed += consume(&c, &id, p, kind, offset).await?.1;
    }
    assert_eq!(resumed, 2, "only the new events are read again");
    println!("consumed {total} events, then {resumed} new ones");
    emulator.shutdown().await;
    Ok(())
}
