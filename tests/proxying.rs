//! What a service that proxies Object Storage relies on, against the in-process emulator: a
//! conditional GET's 304 is a success, errors map to the right HTTP status, a listing's first
//! page decides the status, `fields` is a typed list.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures_util::TryStreamExt;
use http::StatusCode;
use oci_emulator::{Emulator, Fault};
use oci_tower::objectstorage::models::{CreateBucketDetails, ListObjectsFields};
use oci_tower::objectstorage::ObjectStorageClient;
use oci_tower::Body;

async fn setup(objects: usize) -> (Emulator, ObjectStorageClient, String) {
    let emulator = Emulator::builder().start().await.unwrap();
    let os = ObjectStorageClient::new(emulator.client_builder().build().unwrap());
    let ns = emulator.namespace().to_owned();
    os.create_bucket()
        .namespace_name(&ns)
        .create_bucket_details(CreateBucketDetails {
            compartment_id: emulator.tenancy_id().to_owned(),
            name: "files".into(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    for i in 0..objects {
        os.put_object()
            .namespace_name(&ns)
            .bucket_name("files")
            .object_name(format!("f{i}.txt"))
            .put_object_body(Body::from(format!("content {i}")))
            .send()
            .await
            .unwrap();
    }
    (emulator, os, ns)
}

#[tokio::test]
async fn a_conditional_get_that_matches_is_a_successful_not_modified() {
    let (emulator, os, ns) = setup(1).await;
    let head = os
        .head_object()
        .namespace_name(&ns)
        .bucket_name("files")
        .object_name("f0.txt")
        .send()
        .await
        .unwrap();
    assert!(!head.is_not_modified);
    let etag = head.etag.unwrap();

    let get = os
        .get_object()
        .namespace_name(&ns)
        .bucket_name("files")
        .object_name("f0.txt")
        .if_none_match(&etag)
        .send()
        .await
        .expect("a 304 is a success for GetObject");
    assert_eq!(get.status, 304);
    assert!(get.is_not_modified);
    assert!(get.body.collect().await.unwrap().is_empty());

    let head = os
        .head_object()
        .namespace_name(&ns)
        .bucket_name("files")
        .object_name("f0.txt")
        .if_none_match(&etag)
        .send()
        .await
        .expect("a 304 is a success for HeadObject");
    assert!(head.is_not_modified);

    // Another etag: the object, as usual.
    let get = os
        .get_object()
        .namespace_name(&ns)
        .bucket_name("files")
        .object_name("f0.txt")
        .if_none_match("\"not-the-etag\"")
        .send()
        .await
        .unwrap();
    assert!(!get.is_not_modified);
    assert_eq!(&get.body.collect().await.unwrap()[..], b"content 0");

    // An operation without a "not modified" answer keeps the 304 as an error.
    let bucket_etag = os
        .get_bucket()
        .namespace_name(&ns)
        .bucket_name("files")
        .send()
        .await
        .unwrap()
        .etag
        .unwrap();
    let err = os
        .get_bucket()
        .namespace_name(&ns)
        .bucket_name("files")
        .if_none_match(bucket_etag)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_modified(), "{err}");
    assert_eq!(err.http_status(), StatusCode::NOT_MODIFIED);
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_first_page_decides_the_status_and_the_rest_streams() {
    let (emulator, os, ns) = setup(5).await;
    emulator.clear_journal();
    let items = os
        .list_objects()
        .namespace_name(&ns)
        .bucket_name("files")
        .limit(2)
        .fields(vec![ListObjectsFields::Name, ListObjectsFields::Size])
        .first_page_then_rest()
        .await
        .unwrap();
    // Only the first page has been fetched so far.
    let listed = emulator
        .journal()
        .iter()
        .filter(|e| e.operation == "ListObjects")
        .count();
    assert_eq!(listed, 1);
    let objects: Vec<_> = items.try_collect().await.unwrap();
    let names: Vec<&str> = objects.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["f0.txt", "f1.txt", "f2.txt", "f3.txt", "f4.txt"]);
    // `fields` went out as one typed csv list: sizes came back.
    assert!(objects.iter().all(|o| o.size == Some(9)), "{objects:?}");
    let query = emulator
        .journal()
        .into_iter()
        .find(|e| e.operation == "ListObjects")
        .map(|e| e.path)
        .unwrap();
    assert!(
        query.contains("fields=name%2Csize") || query.contains("fields=name,size"),
        "{query}"
    );

    // A missing bucket: the call itself fails, as the caller's 404.
    let err = os
        .list_objects()
        .namespace_name(&ns)
        .bucket_name("no-such-bucket")
        .first_page_then_rest()
        .await
        .map(|_| ())
        .expect_err("the first page's error is the call's");
    assert_eq!(err.http_status(), StatusCode::NOT_FOUND);
    emulator.shutdown().await;
}

#[tokio::test]
async fn ocis_auth_failures_and_throttling_are_not_passed_through() {
    let (emulator, os, ns) = setup(1).await;
    emulator.add_fault(Fault::status(401, "NotAuthenticated").operation("GetObject"));
    let err = os
        .get_object()
        .namespace_name(&ns)
        .bucket_name("files")
        .object_name("f0.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(err.http_status(), StatusCode::BAD_GATEWAY);
    emulator.clear_faults();

    emulator.add_fault(
        Fault::status(429, "TooManyRequests")
            .retry_after(4)
            .operation("HeadObject"),
    );
    let err = os
        .head_object()
        .namespace_name(&ns)
        .bucket_name("files")
        .object_name("f0.txt")
        .send_with(
            oci_tower::layers::CallOptions::builder()
                .retry_policy(oci_tower::layers::RetryPolicy::none())
                .build(),
        )
        .await
        .unwrap_err();
    assert!(err.is_throttled());
    let answer = err.http_answer();
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        answer.retry_after(),
        Some(std::time::Duration::from_secs(4))
    );
    emulator.shutdown().await;
}
