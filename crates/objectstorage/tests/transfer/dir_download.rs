//! Directory download: a prefix becomes a tree of files; identical files are skipped; names
//! that would escape the directory are refused; a failure leaves no half-written file.

use std::collections::BTreeMap;
use std::path::Path;

use crate::env::*;
use oci_objectstorage::transfer::{
    is_cancelled, CancellationToken, IfExists, ObjectOutcome, UnsafeReason,
};

/// Writes `files` (relative path, content) under `dir`.
pub(crate) fn write_tree(dir: &Path, files: &[(&str, Bytes)]) {
    for (rel, data) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
}

/// Every regular file under `dir`: `/`-separated relative path → content.
pub(crate) fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn go(dir: &Path, rel: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let name = format!("{rel}{}", e.file_name().to_str().unwrap());
            let kind = e.file_type().unwrap();
            if kind.is_dir() {
                go(&e.path(), &format!("{name}/"), out);
            } else if kind.is_file() {
                out.insert(name, std::fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    go(dir, "", &mut out);
    out
}

/// Stores `data` as `name` (multipart when over 1 MiB: the manager's part size is 1 MiB).
pub(crate) async fn put(env: &Env, name: &str, data: &Bytes) {
    env.tm(2)
        .upload(&env.ns, BUCKET, name, UploadSource::bytes(data.clone()))
        .await
        .unwrap();
}

/// Every object name in the bucket.
pub(crate) async fn names(env: &Env) -> Vec<String> {
    let all = env
        .os
        .list_objects()
        .namespace_name(&env.ns)
        .bucket_name(BUCKET)
        .collect_all()
        .await
        .unwrap();
    all.objects.into_iter().map(|o| o.name).collect()
}

#[tokio::test]
async fn a_nested_prefix_downloads_as_a_tree_and_identical_files_are_skipped_next_time() {
    let env = env().await;
    let files = [
        ("a.txt", content(1000, 71)),
        ("d1/big.bin", content(2 * MIB as usize + 5, 72)),
        ("d1/d2/c", content(17, 73)),
        ("empty", Bytes::new()),
    ];
    for (rel, data) in &files {
        put(&env, &format!("p/{rel}"), data).await;
    }
    put(&env, "other/x", &content(3, 74)).await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dl");
    let tm = env.tm(2);
    env.emu.clear_journal();
    let out = tm
        .download_dir(&env.ns, BUCKET, &dir)
        .prefix("p/")
        .files_in_flight(2)
        .list_page_size(2)
        .send()
        .await
        .unwrap();
    assert_eq!((out.downloaded(), out.skipped()), (4, 0));
    assert_eq!(out.failed().count() + out.refused().count(), 0);
    assert_eq!(env.ops("ListObjects").len(), 2, "4 objects, 2 per page");
    let names: Vec<&str> = out.objects.iter().map(|o| o.object.as_str()).collect();
    assert_eq!(names, ["p/a.txt", "p/d1/big.bin", "p/d1/d2/c", "p/empty"]);
    let want: BTreeMap<String, Vec<u8>> = files
        .iter()
        .map(|(r, d)| ((*r).to_owned(), d.to_vec()))
        .collect();
    assert_eq!(
        read_tree(&dir),
        want,
        "exactly the prefix's objects, no temp files"
    );
    let big = &out.objects[1];
    assert_eq!(
        big.path.as_deref(),
        Some(dir.join("d1").join("big.bin").as_path())
    );

    // Again: every file has its object's content (the multipart one by its multipart MD5).
    env.emu.clear_journal();
    let out = tm
        .download_dir(&env.ns, BUCKET, &dir)
        .prefix("p/")
        .send()
        .await
        .unwrap();
    assert_eq!((out.downloaded(), out.skipped()), (0, 4));
    assert!(env.ops("GetObject").is_empty());

    // A local change (same length) is undone; `Skip` would have kept it, `Overwrite` fetches all.
    let mut changed = files[0].1.to_vec();
    changed[10] ^= 1;
    std::fs::write(dir.join("a.txt"), &changed).unwrap();
    let out = tm
        .download_dir(&env.ns, BUCKET, &dir)
        .prefix("p/")
        .if_exists(IfExists::Skip)
        .send()
        .await
        .unwrap();
    assert_eq!((out.downloaded(), out.skipped()), (0, 4));
    assert_eq!(std::fs::read(dir.join("a.txt")).unwrap(), changed);
    let out = tm
        .download_dir(&env.ns, BUCKET, &dir)
        .prefix("p/")
        .send()
        .await
        .unwrap();
    assert_eq!((out.downloaded(), out.skipped()), (1, 3));
    assert_eq!(read_tree(&dir), want);
    let out = tm
        .download_dir(&env.ns, BUCKET, &dir)
        .prefix("p/")
        .if_exists(IfExists::Overwrite)
        .send()
        .await
        .unwrap();
    assert_eq!(out.downloaded(), 4);
}

#[tokio::test]
async fn names_that_would_escape_the_directory_are_refused() {
    let env = env().await;
    for name in [
        "p/../escape.txt",
        "p//abs.txt",
        "p/a//b",
        "p/./dot",
        "p/ok/fine.txt",
    ] {
        put(&env, name, &content(4, 75)).await;
    }
    put(&env, "p/folder/", &Bytes::new()).await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dl");
    let out = env
        .tm(1)
        .download_dir(&env.ns, BUCKET, &dir)
        .prefix("p/")
        .send()
        .await
        .unwrap();
    let reasons: Vec<(&str, UnsafeReason)> = out
        .refused()
        .map(|o| match &o.outcome {
            ObjectOutcome::Refused(why) => (why.name.as_str(), why.reason),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("p/../escape.txt", UnsafeReason::DotSegment),
            ("p/./dot", UnsafeReason::DotSegment),
            ("p//abs.txt", UnsafeReason::Absolute),
            ("p/a//b", UnsafeReason::EmptySegment),
        ]
    );
    assert!(out.refused().all(|o| o.path.is_none()));
    assert_eq!(out.downloaded(), 1);
    let folder = out
        .objects
        .iter()
        .find(|o| o.object == "p/folder/")
        .unwrap();
    assert!(matches!(folder.outcome, ObjectOutcome::Folder));
    assert!(dir.join("folder").is_dir());
    // Nothing outside the directory, nothing but the one file inside it.
    let all = read_tree(tmp.path());
    assert_eq!(all.keys().collect::<Vec<_>>(), ["dl/ok/fine.txt"]);
}

#[cfg(unix)]
#[tokio::test]
async fn a_symbolic_link_out_of_the_directory_is_not_followed() {
    let env = env().await;
    put(&env, "link/x.txt", &content(4, 76)).await;
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    let dir = tmp.path().join("dl");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("link")).unwrap();
    let out = env
        .tm(1)
        .download_dir(&env.ns, BUCKET, &dir)
        .send()
        .await
        .unwrap();
    assert!(matches!(
        &out.objects[0].outcome,
        ObjectOutcome::Refused(why) if why.reason == UnsafeReason::OutsideDir
    ));
    assert!(read_tree(&outside).is_empty());
}

#[tokio::test]
async fn a_failed_download_leaves_neither_the_file_nor_a_temporary_file() {
    let env = env().await;
    put(&env, "p/big.bin", &content(3 * MIB as usize, 77)).await;
    put(&env, "p/small", &content(10, 78)).await;
    // The 2nd ranged GET of big.bin fails for good (a 400 is not retried).
    env.emu.add_fault(
        Fault::status(400, "InvalidParameter")
            .operation("GetObject")
            .path("*big.bin")
            .nth(2),
    );
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("big.bin"), b"old").unwrap();
    let out = env
        .tm(1)
        .download_dir(&env.ns, BUCKET, tmp.path())
        .prefix("p/")
        .if_exists(IfExists::Overwrite)
        .files_in_flight(1)
        .send()
        .await
        .unwrap();
    assert_eq!((out.downloaded(), out.failed().count()), (1, 1));
    let failed = out.failed().next().unwrap();
    assert!(
        matches!(&failed.outcome, ObjectOutcome::Failed(e) if e.code() == Some("InvalidParameter"))
    );
    let files = read_tree(tmp.path());
    assert_eq!(files.keys().collect::<Vec<_>>(), ["big.bin", "small"]);
    assert_eq!(files["big.bin"], b"old", "the old file is untouched");
}

#[tokio::test]
async fn a_cancelled_directory_download_writes_nothing() {
    let env = env().await;
    put(&env, "a", &content(5, 79)).await;
    put(&env, "b", &content(5, 80)).await;
    let token = CancellationToken::new();
    token.cancel();
    let tmp = tempfile::tempdir().unwrap();
    env.emu.clear_journal();
    let out = env
        .tm(1)
        .download_dir(&env.ns, BUCKET, tmp.path())
        .cancel_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed().count(), 2);
    assert!(out
        .failed()
        .all(|o| matches!(&o.outcome, ObjectOutcome::Failed(e) if is_cancelled(e))));
    assert!(read_tree(tmp.path()).is_empty());
    assert!(env.ops("GetObject").is_empty());
}
