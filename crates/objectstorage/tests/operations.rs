//! Operations beyond buckets and objects (namespace metadata, versions, work requests,
//! replication): their typed answers against a canned transport, and paging and the 501 of an
//! operation the emulator does not emulate against the in-process emulator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures_util::TryStreamExt;
use oci_core::testing::MockTransport;
use oci_emulator::Emulator;
use oci_objectstorage::models::{CreateBucketDetails, WorkRequestStatus};
use oci_objectstorage::ObjectStorageClient;

/// A canned answer: status, headers, body.
type Answer = (u16, Vec<(&'static str, &'static str)>, String);

/// A client over a mock transport answering `answers` in order.
fn mocked(answers: Vec<Answer>) -> (ObjectStorageClient, MockTransport) {
    let mock = MockTransport::new();
    for (status, headers, body) in answers {
        mock.push_with(status, &headers, body);
    }
    (ObjectStorageClient::new(mock.client().unwrap()), mock)
}

fn work_request(status: &str) -> String {
    format!(
        r#"{{"id":"wr1","operationType":"COPY_OBJECT","status":"{status}","compartmentId":"c",
            "percentComplete":50.0,"timeAccepted":"2024-01-02T03:04:05.600Z"}}"#
    )
}

#[tokio::test]
async fn get_namespace_metadata_is_typed() {
    let body = r#"{"namespace":"ns1","defaultS3CompartmentId":"ocid1.c.s3",
                   "defaultSwiftCompartmentId":"ocid1.c.swift"}"#;
    let headers = vec![("opc-request-id", "R1"), ("opc-client-request-id", "C1")];
    let (os, mock) = mocked(vec![(200, headers, body.into())]);
    let out = os
        .get_namespace_metadata()
        .namespace_name("ns1")
        .send()
        .await
        .unwrap();
    assert_eq!(out.body.namespace, "ns1");
    assert_eq!(out.body.default_s3_compartment_id, "ocid1.c.s3");
    assert_eq!(out.body.default_swift_compartment_id, "ocid1.c.swift");
    assert_eq!(out.opc_request_id.as_deref(), Some("R1"));
    assert_eq!(out.opc_client_request_id.as_deref(), Some("C1"));
    let req = &mock.requests()[0];
    assert_eq!((req.method.as_str(), req.uri.path()), ("GET", "/n/ns1"));
}

#[tokio::test]
async fn delete_object_reads_the_version_headers() {
    let headers = vec![
        ("opc-request-id", "R"),
        ("version-id", "v7"),
        ("is-delete-marker", "true"),
        ("last-modified", "Tue, 02 Jan 2024 03:04:05 GMT"),
    ];
    let (os, _) = mocked(vec![(204, headers, String::new())]);
    let out = os
        .delete_object()
        .namespace_name("ns")
        .bucket_name("b")
        .object_name("a/b")
        .send()
        .await
        .unwrap();
    assert_eq!(out.version_id.as_deref(), Some("v7"));
    assert_eq!(out.is_delete_marker.as_deref(), Some("true"));
    assert_eq!(
        out.last_modified.as_deref(),
        Some("Tue, 02 Jan 2024 03:04:05 GMT")
    );
}

#[tokio::test]
async fn copy_object_returns_the_work_request_id() {
    let (os, mock) = mocked(vec![(
        202,
        vec![("opc-work-request-id", "wr1")],
        String::new(),
    )]);
    let out = os
        .copy_object()
        .namespace_name("ns")
        .bucket_name("b")
        .copy_object_details(oci_objectstorage::models::CopyObjectDetails {
            source_object_name: "src".into(),
            destination_region: "us-ashburn-1".into(),
            destination_namespace: "ns".into(),
            destination_bucket: "b2".into(),
            destination_object_name: "dst".into(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(out.opc_work_request_id.as_deref(), Some("wr1"));
    let req = &mock.requests()[0];
    assert_eq!(req.uri.path(), "/n/ns/b/b/actions/copyObject");
    let sent: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(sent["sourceObjectName"], "src");
    assert_eq!(sent["destinationObjectName"], "dst");
}

#[tokio::test]
async fn list_object_versions_pages_by_the_next_page_header() {
    let page = |name: &str| {
        format!(
            r#"{{"items":[{{"name":"{name}","versionId":"v","timeModified":"2024-01-02T03:04:05Z","isDeleteMarker":false}}]}}"#
        )
    };
    let (os, mock) = mocked(vec![
        (200, vec![("opc-next-page", "P2")], page("a")),
        (200, vec![], page("b")),
    ]);
    let names: Vec<String> = os
        .list_object_versions()
        .namespace_name("ns")
        .bucket_name("b")
        .items()
        .map_ok(|v| v.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "b"]);
    let queries: Vec<Option<String>> = mock
        .requests()
        .iter()
        .map(|r| r.uri.query().map(str::to_owned))
        .collect();
    assert_eq!(queries, [None, Some("page=P2".to_owned())]);
}

#[tokio::test(start_paused = true)]
async fn a_work_request_waiter_ends_at_a_terminal_status() {
    let ok = |s: &str| (200, vec![], work_request(s));
    let (os, mock) = mocked(vec![ok("ACCEPTED"), ok("IN_PROGRESS"), ok("COMPLETED")]);
    let out = os
        .get_work_request()
        .work_request_id("wr1")
        .wait_until_done()
        .max_interval(Duration::from_secs(2))
        .wait()
        .await
        .unwrap();
    assert_eq!(out.body.status, Some(WorkRequestStatus::Completed));
    assert_eq!(mock.requests().len(), 3);
    assert!(mock
        .requests()
        .iter()
        .all(|r| r.uri.path() == "/workRequests/wr1"));

    let (os, mock) = mocked(vec![ok("IN_PROGRESS"), ok("FAILED"), ok("COMPLETED")]);
    let err = os
        .get_work_request()
        .work_request_id("wr1")
        .wait_until_done()
        .wait()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("FAILED"), "{err}");
    assert_eq!(mock.remaining(), 1, "stops at the failure state");
}

/// An emulator and a client for it.
async fn emulated() -> (Emulator, ObjectStorageClient) {
    let emu = Emulator::builder().seed(15).start().await.unwrap();
    let os = ObjectStorageClient::new(emu.client_builder().build().unwrap());
    (emu, os)
}

#[tokio::test]
async fn list_buckets_pages_through_the_emulator() {
    let (emu, os) = emulated().await;
    let ns = emu.namespace().to_owned();
    let mut made: Vec<String> = (0..5).map(|i| format!("bucket-{i}")).collect();
    for name in &made {
        os.create_bucket()
            .namespace_name(&ns)
            .create_bucket_details(CreateBucketDetails {
                name: name.clone(),
                compartment_id: emu.tenancy_id().into(),
                ..Default::default()
            })
            .send()
            .await
            .unwrap();
    }
    let list = || {
        os.list_buckets()
            .namespace_name(&ns)
            .compartment_id(emu.tenancy_id())
            .limit(2)
    };
    let pages: Vec<usize> = list()
        .pages()
        .map_ok(|p| p.body.len())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages, [2, 2, 1]);
    let mut listed: Vec<String> = list()
        .items()
        .map_ok(|b| b.name)
        .try_collect()
        .await
        .unwrap();
    listed.sort();
    made.sort();
    assert_eq!(listed, made);
}

#[tokio::test]
async fn an_operation_the_emulator_does_not_emulate_is_a_typed_501() {
    let (emu, os) = emulated().await;
    let ns = emu.namespace().to_owned();
    os.create_bucket()
        .namespace_name(&ns)
        .create_bucket_details(CreateBucketDetails {
            name: "replicated".into(),
            compartment_id: emu.tenancy_id().into(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let err = os
        .get_replication_policy()
        .namespace_name(&ns)
        .bucket_name("replicated")
        .replication_id("ocid1.replicationpolicy.x")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_service(), "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(501));
    assert_eq!(err.code(), Some("NotImplemented"));
    assert!(
        err.message().contains("GetReplicationPolicy"),
        "{}",
        err.message()
    );
    let id = err.opc_request_id().expect("the emulator's opc-request-id");
    assert!(!id.is_empty());
    let journal = emu.journal();
    let last = journal.last().expect("journalled");
    assert_eq!(
        (
            last.operation.as_str(),
            last.status,
            last.opc_request_id.as_str()
        ),
        ("GetReplicationPolicy", Some(501), id)
    );
}
