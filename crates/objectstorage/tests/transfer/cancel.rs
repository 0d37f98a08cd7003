//! Cancellation: a cancelled upload stops its parts, aborts (or keeps) its multipart upload and
//! fails with a typed error; nothing is committed.

use crate::env::*;
use oci_objectstorage::transfer::{is_cancelled, resumable_upload_id, CancellationToken};

/// Cancels `token` at the start of the `n`th `UploadPart` attempt.
pub(crate) fn cancel_at_part(env: &Env, token: &CancellationToken, n: usize) {
    let seen = AtomicUsize::new(0);
    let t = token.clone();
    *env.probe.on_part.lock().unwrap() = Some(Box::new(move || {
        if seen.fetch_add(1, Ordering::SeqCst) + 1 == n {
            t.cancel();
        }
    }));
}

#[tokio::test]
async fn cancelling_midway_aborts_the_upload_and_commits_nothing() {
    let env = env().await;
    let token = CancellationToken::new();
    cancel_at_part(&env, &token, 3);
    let err = env
        .tm(1)
        .upload(
            &env.ns,
            BUCKET,
            "cancelled.bin",
            UploadSource::bytes(content(5 * MIB as usize, 41)),
        )
        .cancel_token(token)
        .await
        .unwrap_err();
    assert!(is_cancelled(&err), "{err}");
    assert_eq!(err.kind(), ErrorKind::Other);
    assert!(
        err.note().unwrap_or_default().contains("cancelled"),
        "{err:?}"
    );
    assert!(
        err.note().unwrap_or_default().contains("aborted"),
        "{err:?}"
    );
    // Parts 4 and 5 were never started; the upload was aborted, not committed.
    assert!(
        env.ops("UploadPart").len() <= 3,
        "{:?}",
        env.ops("UploadPart")
    );
    assert_eq!(env.ops("AbortMultipartUpload"), vec![Some(204)]);
    assert!(env.ops("CommitMultipartUpload").is_empty());
    assert_eq!(env.open_uploads().await, 0);
    let head = env
        .os
        .head_object()
        .namespace_name(&env.ns)
        .bucket_name(BUCKET)
        .object_name("cancelled.bin")
        .send()
        .await;
    assert!(head.unwrap_err().is_not_found());
}

#[tokio::test]
async fn a_token_cancelled_before_the_start_sends_nothing() {
    let env = env().await;
    let token = CancellationToken::new();
    token.cancel();
    for (name, len) in [("small.bin", 10usize), ("large.bin", 3 * MIB as usize)] {
        let err = env
            .tm(2)
            .upload(&env.ns, BUCKET, name, UploadSource::bytes(content(len, 42)))
            .cancel_token(token.clone())
            .await
            .unwrap_err();
        assert!(is_cancelled(&err), "{err}");
    }
    assert!(env.emu.journal().is_empty(), "{:?}", env.emu.journal());
}

#[tokio::test]
async fn a_cancelled_upload_kept_for_resume_can_be_finished() {
    let env = env().await;
    let token = CancellationToken::new();
    cancel_at_part(&env, &token, 3);
    let data = content(4 * MIB as usize, 43);
    let err = env
        .tm(1)
        .upload(
            &env.ns,
            BUCKET,
            "paused.bin",
            UploadSource::bytes(data.clone()),
        )
        .cancel_token(token)
        .keep_on_failure()
        .await
        .unwrap_err();
    assert!(is_cancelled(&err), "{err}");
    let id = resumable_upload_id(&err).unwrap();
    assert!(env.ops("AbortMultipartUpload").is_empty());
    assert_eq!(env.open_uploads().await, 1);
    *env.probe.on_part.lock().unwrap() = None;
    let out = env
        .tm(1)
        .upload(
            &env.ns,
            BUCKET,
            "paused.bin",
            UploadSource::bytes(data.clone()),
        )
        .resume(id)
        .await
        .unwrap();
    assert!(out.reused_parts >= 2, "{out:?}");
    assert_eq!(sha(&env.get("paused.bin").await), sha(&data));
    assert_eq!(env.open_uploads().await, 0);
}
