//! Faults: a part retried alone, a part or commit failing for good aborts the upload, a short
//! stream, a dropped upload.

use crate::env::*;

#[tokio::test]
async fn a_part_failing_once_is_retried_alone_and_the_upload_succeeds() {
    let env = env().await;
    env.emu.add_fault(
        Fault::status(503, "ServiceUnavailable")
            .operation("UploadPart")
            .nth(2),
    );
    let data = content(4 * MIB as usize, 6);
    let out = env
        .tm(2)
        .upload(
            &env.ns,
            BUCKET,
            "retried.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    assert_eq!(out.parts, 4);
    let statuses = env.ops("UploadPart");
    assert_eq!(statuses.len(), 5, "4 parts + 1 retry: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == Some(503)).count(), 1);
    assert!(env.ops("AbortMultipartUpload").is_empty());
    assert_eq!(sha(&env.get("retried.bin").await), sha(&data));
}

#[tokio::test]
async fn a_part_failing_for_good_aborts_the_upload_and_returns_the_part_error() {
    let env = env().await;
    env.emu.add_fault(
        Fault::status(400, "InvalidParameter")
            .operation("UploadPart")
            .nth(3),
    );
    let err = env
        .tm(1)
        .upload(
            &env.ns,
            BUCKET,
            "doomed.bin",
            UploadSource::bytes(content(5 * MIB as usize, 7)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.status(), Some(http::StatusCode::BAD_REQUEST));
    assert_eq!(err.code(), Some("InvalidParameter"));
    let created = env.ops("CreateMultipartUpload");
    assert_eq!(created, vec![Some(200)]);
    let note = err.note().unwrap_or_default().to_owned();
    assert!(note.contains("part 3 failed"), "{note}");
    assert!(note.contains("aborted"), "{note}");
    // The note names the upload id the emulator created.
    let upload_id = env
        .emu
        .journal()
        .into_iter()
        .find(|e| e.operation == "AbortMultipartUpload")
        .map(|e| e.path)
        .and_then(|p| p.split("uploadId=").nth(1).map(str::to_owned))
        .unwrap();
    assert!(note.contains(&upload_id), "{note} / {upload_id}");
    assert_eq!(env.ops("AbortMultipartUpload"), vec![Some(204)]);
    assert!(env.ops("CommitMultipartUpload").is_empty());
    // No part runs after the failure with parallelism 1, and nothing is left behind.
    assert_eq!(env.ops("UploadPart").len(), 3);
    assert_eq!(env.open_uploads().await, 0);
    let head = env
        .os
        .head_object()
        .namespace_name(&env.ns)
        .bucket_name(BUCKET)
        .object_name("doomed.bin")
        .send()
        .await;
    assert!(head.unwrap_err().is_not_found());
}

#[tokio::test]
async fn retries_exhausted_on_a_part_abort_the_upload() {
    let env = env().await;
    env.emu.add_fault(
        Fault::status(503, "ServiceUnavailable")
            .operation("UploadPart")
            .first(4),
    );
    let err = env
        .tm(1)
        .upload(
            &env.ns,
            BUCKET,
            "flaky.bin",
            UploadSource::bytes(content(3 * MIB as usize, 8)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(err.attempts(), Some(4));
    assert!(
        err.note().unwrap_or_default().contains("part 1 failed"),
        "{err}"
    );
    assert_eq!(env.ops("UploadPart"), vec![Some(503); 4]);
    assert_eq!(env.ops("AbortMultipartUpload"), vec![Some(204)]);
    assert_eq!(env.open_uploads().await, 0);
}

#[tokio::test]
async fn a_stream_shorter_than_declared_fails_and_aborts() {
    let env = env().await;
    let data = content(2 * MIB as usize + 10, 11);
    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(data.clone())]);
    let err = env
        .tm(2)
        .upload(
            &env.ns,
            BUCKET,
            "short.bin",
            UploadSource::stream(stream, 3 * MIB),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Body);
    assert!(err.to_string().contains("ended after"), "{err}");
    assert_eq!(env.ops("AbortMultipartUpload"), vec![Some(204)]);
    assert!(env.ops("CommitMultipartUpload").is_empty());
    assert_eq!(env.open_uploads().await, 0);
}

#[tokio::test]
async fn a_failed_commit_aborts_the_upload() {
    let env = env().await;
    env.emu
        .add_fault(Fault::status(400, "InvalidParameter").operation("CommitMultipartUpload"));
    let err = env
        .tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "uncommitted.bin",
            UploadSource::bytes(content(2 * MIB as usize + 1, 18)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::BAD_REQUEST));
    assert!(
        err.note().unwrap_or_default().contains("the commit failed"),
        "{err}"
    );
    assert_eq!(env.ops("AbortMultipartUpload"), vec![Some(204)]);
    assert_eq!(env.open_uploads().await, 0);
}

#[tokio::test]
async fn dropping_an_upload_midway_aborts_it() {
    let env = env().await;
    env.emu
        .add_fault(Fault::latency(Duration::from_millis(400)).operation("UploadPart"));
    let upload = env
        .tm(2)
        .upload(
            &env.ns,
            BUCKET,
            "dropped.bin",
            UploadSource::bytes(content(4 * MIB as usize, 19)),
        )
        .send();
    // Give up once the multipart upload exists and its parts are in flight.
    let r = tokio::time::timeout(Duration::from_millis(150), upload).await;
    assert!(r.is_err(), "the upload should still be running");
    assert_eq!(env.ops("CreateMultipartUpload"), vec![Some(200)]);
    // The abort runs on a spawned task: wait for it (bounded).
    for _ in 0..100 {
        if !env.ops("AbortMultipartUpload").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(env.ops("AbortMultipartUpload"), vec![Some(204)]);
    assert_eq!(env.open_uploads().await, 0);
    assert!(env.ops("CommitMultipartUpload").is_empty());
}
