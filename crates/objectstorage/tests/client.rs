//! Object Storage responses, streaming and pagination against a canned transport.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use oci_core::testing::MockTransport;
use oci_core::Body;
use oci_objectstorage::ObjectStorageClient;

enum Answer {
    Json(u16, Vec<(&'static str, &'static str)>, String),
    Stream(Vec<(&'static str, &'static str)>, Vec<&'static str>),
}

fn client(answers: Vec<Answer>) -> (ObjectStorageClient, MockTransport) {
    let mock = MockTransport::new();
    for answer in answers {
        match answer {
            Answer::Json(status, headers, body) => {
                mock.push_with(status, &headers, body);
            }
            Answer::Stream(headers, chunks) => {
                let len = chunks.iter().map(|c| c.len() as u64).sum();
                let chunks: Vec<Result<Bytes, std::io::Error>> =
                    chunks.into_iter().map(|c| Ok(Bytes::from(c))).collect();
                let body = Body::from_stream(futures_util::stream::iter(chunks), Some(len));
                mock.push_with(200, &headers, body);
            }
        }
    }
    (ObjectStorageClient::new(mock.client().unwrap()), mock)
}

/// The path and query of every request the mock received, in order.
fn paths(mock: &MockTransport) -> Vec<String> {
    mock.requests()
        .iter()
        .map(|r| r.uri.path_and_query().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn get_namespace_returns_the_json_string() {
    let (os, _) = client(vec![Answer::Json(200, vec![], "\"mynamespace\"".into())]);
    assert_eq!(os.get_namespace().send().await.unwrap().body, "mynamespace");
}

#[tokio::test]
async fn get_object_streams_the_body_and_reads_object_headers() {
    let headers = vec![
        ("content-length", "11"),
        ("content-range", "bytes 0-10/100"),
        ("etag", "E"),
        ("opc-meta-owner", "alice"),
        ("opc-meta-k2", "v2"),
        ("content-type", "text/plain"),
        ("opc-request-id", "R"),
    ];
    let (os, seen) = client(vec![Answer::Stream(headers, vec!["hello ", "world"])]);
    let out = os
        .get_object()
        .namespace_name("ns")
        .bucket_name("b")
        .object_name("dir/a b.txt")
        .range("bytes=0-10")
        .send()
        .await
        .unwrap();
    assert_eq!(paths(&seen)[0], "/n/ns/b/b/o/dir%2Fa%20b.txt");
    assert_eq!(out.content_length, Some(11));
    assert_eq!(out.content_range.as_deref(), Some("bytes 0-10/100"));
    assert_eq!(out.etag.as_deref(), Some("E"));
    assert_eq!(out.opc_meta.get("owner").map(String::as_str), Some("alice"));
    assert_eq!(out.opc_meta.len(), 2);
    // The body arrives chunk by chunk, as sent.
    let chunks: Vec<Bytes> = out.body.into_data_stream().try_collect().await.unwrap();
    assert_eq!(chunks, [Bytes::from("hello "), Bytes::from("world")]);
}

#[tokio::test]
async fn head_object_has_headers_and_no_body() {
    let (os, _) = client(vec![Answer::Json(
        200,
        vec![
            ("content-length", "42"),
            ("storage-tier", "Archive"),
            ("archival-state", "Archived"),
        ],
        String::new(),
    )]);
    let out = os
        .head_object()
        .namespace_name("ns")
        .bucket_name("b")
        .object_name("o")
        .send()
        .await
        .unwrap();
    assert_eq!(out.content_length, Some(42));
    assert_eq!(out.storage_tier.as_deref(), Some("Archive"));
    assert_eq!(out.archival_state.as_deref(), Some("Archived"));
}

#[tokio::test]
async fn list_objects_follows_next_start_with_and_unions_prefixes() {
    let (os, seen) = client(vec![
        Answer::Json(
            200,
            vec![],
            r#"{"objects":[{"name":"a"},{"name":"b","size":3}],"prefixes":["d1/","d2/"],"nextStartWith":"c d"}"#.into(),
        ),
        Answer::Json(
            200,
            vec![],
            r#"{"objects":[{"name":"c d"}],"prefixes":["d2/","d3/"]}"#.into(),
        ),
    ]);
    let all = os
        .list_objects()
        .namespace_name("ns")
        .bucket_name("b")
        .delimiter("/")
        .collect_all()
        .await
        .unwrap();
    let names: Vec<&str> = all.objects.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c d"]);
    assert_eq!(all.objects[1].size, Some(3));
    assert_eq!(
        all.prefixes.unwrap_or_default(),
        ["d1/", "d2/", "d3/"].map(String::from)
    );
    assert_eq!(all.next_start_with, None);
    assert_eq!(
        paths(&seen),
        [
            "/n/ns/b/b/o?delimiter=%2F",
            "/n/ns/b/b/o?start=c+d&delimiter=%2F"
        ]
    );
}

#[tokio::test]
async fn list_objects_items_stop_at_the_first_error() {
    let (os, seen) = client(vec![
        Answer::Json(
            200,
            vec![],
            r#"{"objects":[{"name":"a"}],"nextStartWith":"b"}"#.into(),
        ),
        Answer::Json(
            404,
            vec![("opc-request-id", "R2")],
            r#"{"code":"BucketNotFound","message":"gone"}"#.into(),
        ),
    ]);
    let items: Vec<_> = os
        .list_objects()
        .namespace_name("ns")
        .bucket_name("b")
        .items()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().map(|o| o.name.as_str()).ok(), Some("a"));
    let err = items[1].as_ref().unwrap_err();
    assert_eq!(err.code(), Some("BucketNotFound"));
    assert_eq!(paths(&seen).len(), 2);
}

#[tokio::test]
async fn bucket_with_unknown_enum_values_parses() {
    let body = r#"{"namespace":"ns","name":"b","compartmentId":"c","metadata":{},"createdBy":"u",
        "timeCreated":"2024-01-02T03:04:05.123Z","etag":"E","publicAccessType":"SomethingNew",
        "storageTier":"Standard","newField":1}"#;
    let (os, _) = client(vec![Answer::Json(200, vec![("etag", "E")], body.into())]);
    let out = os
        .get_bucket()
        .namespace_name("ns")
        .bucket_name("b")
        .send()
        .await
        .unwrap();
    use oci_objectstorage::models::{BucketPublicAccessType, BucketStorageTier};
    assert_eq!(
        out.body.public_access_type,
        Some(BucketPublicAccessType::Unknown("SomethingNew".into()))
    );
    assert_eq!(out.body.storage_tier, Some(BucketStorageTier::Standard));
    assert_eq!(out.body.approximate_count, None);
}
