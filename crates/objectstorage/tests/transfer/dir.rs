//! Directory upload: a tree becomes objects under a prefix; existing identical objects are
//! skipped; a result per file.

use crate::env::*;
use oci_objectstorage::transfer::{FileOutcome, IfExists};

/// Writes `files` (relative path, content) under a new temporary directory.
fn tree(files: &[(&str, Bytes)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, data) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    dir
}

fn sent(env: &Env) -> usize {
    env.ops("PutObject").len() + env.ops("CreateMultipartUpload").len()
}

#[tokio::test]
async fn a_tree_uploads_under_a_prefix_and_identical_files_are_skipped_next_time() {
    let env = env().await;
    let files = [
        ("index.html", content(1000, 51)),
        ("css/site.css", content(20, 52)),
        ("img/deep/big.bin", content(2 * MIB as usize + 7, 53)),
        ("empty", Bytes::new()),
    ];
    let dir = tree(&files);
    let tm = env.tm(2);
    let out = tm
        .upload_dir(&env.ns, BUCKET, dir.path())
        .prefix("site/")
        .files_in_flight(2)
        .send()
        .await
        .unwrap();
    assert_eq!(out.uploaded(), 4);
    assert_eq!(out.skipped(), 0);
    assert_eq!(out.failed().count(), 0);
    let names: Vec<&str> = out.files.iter().map(|f| f.object.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "site/css/site.css",
            "site/empty",
            "site/img/deep/big.bin",
            "site/index.html"
        ]
    );
    for (rel, data) in &files {
        assert_eq!(
            sha(&env.get(&format!("site/{rel}")).await),
            sha(data),
            "{rel}"
        );
    }
    let big = out
        .files
        .iter()
        .find(|f| f.object.ends_with("big.bin"))
        .unwrap();
    assert!(matches!(&big.outcome, FileOutcome::Uploaded(o) if o.parts == 3));

    // Again: nothing changed, nothing is sent.
    env.emu.clear_journal();
    let out = tm
        .upload_dir(&env.ns, BUCKET, dir.path())
        .prefix("site/")
        .send()
        .await
        .unwrap();
    assert_eq!((out.uploaded(), out.skipped()), (0, 4));
    assert_eq!(sent(&env), 0);

    // One file changes (same length), one is new: only those two go up.
    let mut changed = files[2].1.to_vec();
    changed[MIB as usize + 1] ^= 1;
    std::fs::write(dir.path().join("img/deep/big.bin"), &changed).unwrap();
    std::fs::write(dir.path().join("new.txt"), b"new").unwrap();
    env.emu.clear_journal();
    let out = tm
        .upload_dir(&env.ns, BUCKET, dir.path())
        .prefix("site/")
        .send()
        .await
        .unwrap();
    assert_eq!((out.uploaded(), out.skipped()), (2, 3));
    assert_eq!(sent(&env), 2);
    assert_eq!(sha(&env.get("site/img/deep/big.bin").await), sha(&changed));
    assert_eq!(&env.get("site/new.txt").await[..], b"new");
}

#[tokio::test]
async fn skip_keeps_changed_objects_and_overwrite_sends_everything() {
    let env = env().await;
    let dir = tree(&[("a.txt", content(10, 54)), ("b/c.txt", content(30, 55))]);
    let tm = env.tm(1);
    tm.upload_dir(&env.ns, BUCKET, dir.path())
        .send()
        .await
        .unwrap();
    std::fs::write(dir.path().join("a.txt"), b"changed").unwrap();
    let out = tm
        .upload_dir(&env.ns, BUCKET, dir.path())
        .if_exists(IfExists::Skip)
        .send()
        .await
        .unwrap();
    assert_eq!((out.uploaded(), out.skipped()), (0, 2));
    assert_eq!(sha(&env.get("a.txt").await), sha(&content(10, 54)));
    env.emu.clear_journal();
    let out = tm
        .upload_dir(&env.ns, BUCKET, dir.path())
        .if_exists(IfExists::Overwrite)
        .send()
        .await
        .unwrap();
    assert_eq!((out.uploaded(), out.skipped()), (2, 0));
    assert!(
        env.ops("HeadObject").is_empty(),
        "overwrite does not look first"
    );
    assert_eq!(&env.get("a.txt").await[..], b"changed");
}

#[tokio::test]
async fn a_failing_file_is_reported_and_the_others_go_on() {
    let env = env().await;
    env.emu.add_fault(
        Fault::status(400, "InvalidParameter")
            .operation("PutObject")
            .nth(2),
    );
    let dir = tree(&[
        ("1", content(5, 56)),
        ("2", content(5, 57)),
        ("3", content(5, 58)),
    ]);
    let out = env
        .tm(1)
        .upload_dir(&env.ns, BUCKET, dir.path())
        .files_in_flight(1)
        .send()
        .await
        .unwrap();
    assert_eq!((out.uploaded(), out.failed().count()), (2, 1));
    let failed = out.failed().next().unwrap();
    assert!(
        matches!(&failed.outcome, FileOutcome::Failed(e) if e.code() == Some("InvalidParameter"))
    );
}

#[tokio::test]
async fn bad_input_is_a_clear_error() {
    let env = env().await;
    let err = env
        .tm(1)
        .upload_dir(&env.ns, BUCKET, "/no/such/dir/here")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("/no/such/dir/here"), "{err}");
    let dir = tree(&[("a", content(1, 59))]);
    let err = env
        .tm(1)
        .upload_dir(&env.ns, BUCKET, dir.path())
        .files_in_flight(0)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(env.emu.journal().is_empty());
}

#[tokio::test]
async fn a_cancelled_directory_upload_stores_nothing() {
    let env = env().await;
    let dir = tree(&[("a", content(5, 60)), ("b", content(2 * MIB as usize, 61))]);
    let token = oci_objectstorage::transfer::CancellationToken::new();
    token.cancel();
    let out = env
        .tm(1)
        .upload_dir(&env.ns, BUCKET, dir.path())
        .if_exists(IfExists::Overwrite)
        .cancel_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed().count(), 2);
    assert!(out.failed().all(|f| matches!(
        &f.outcome,
        FileOutcome::Failed(e) if oci_objectstorage::transfer::is_cancelled(e)
    )));
    assert!(env.emu.journal().is_empty());
}
