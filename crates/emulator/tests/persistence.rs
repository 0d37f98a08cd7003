//! Persistence: with a data directory, state and object bytes survive a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use common::*;
use http::Method;
use oci_core::{Body, Client};
use oci_emulator::Emulator;
use serde_json::json;

/// An emulator keeping its data in `dir` (seeded when `seed` is given).
async fn in_dir(dir: &std::path::Path, seed: Option<u64>) -> (Emulator, Client) {
    let mut builder = Emulator::builder().data_dir(dir);
    if let Some(seed) = seed {
        builder = builder.seed(seed);
    }
    let emu = builder.start().await.unwrap();
    let c = client(&emu);
    (emu, c)
}

/// Creates bucket `bk`.
async fn make_bucket(c: &Client, emu: &Emulator) {
    post(
        c,
        emu,
        &format!("/n/{}/b", emu.namespace()),
        json!({"name": "bk", "compartmentId": emu.tenancy_id()}),
    )
    .await
    .unwrap();
}

/// A PutObject request for `bk/name`.
fn put_req(emu: &Emulator, name: &str, body: impl Into<Body>) -> http::Request<Body> {
    let path = format!("/n/{}/b/bk/o/{name}", emu.namespace());
    exclude_body(request(emu, Method::PUT, &path, body), "PutObject")
}

#[tokio::test]
async fn state_and_objects_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (user, tenancy, etag) = {
        let (emu, c) = in_dir(dir.path(), Some(21)).await;
        let user = create_user(&c, &emu, "persisted").await;
        make_bucket(&c, &emu).await;
        let req = put_req(&emu, "file", Body::from("kept bytes"));
        let resp = c.call(req).await.unwrap();
        let etag = header(&resp, "etag").unwrap().to_owned();
        let tenancy = emu.tenancy_id().to_owned();
        emu.shutdown().await;
        (user, tenancy, etag)
    };
    // Restarted without a key or seed: both come from the data directory.
    let (emu, c) = in_dir(dir.path(), None).await;
    assert_eq!(emu.tenancy_id(), tenancy);

    let u = json(
        get(&c, &emu, &format!("/20160918/users/{user}"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(u["name"], "persisted");
    let resp = get(&c, &emu, &format!("/n/{}/b/bk/o/file", emu.namespace()))
        .await
        .unwrap();
    assert_eq!(header(&resp, "etag"), Some(etag.as_str()));
    assert_eq!(&bytes(resp).await[..], b"kept bytes");
    // Ids keep counting from where they were: a new user does not reuse an OCID.
    let again = create_user(&c, &emu, "second").await;
    assert_ne!(again, user);
}

#[tokio::test]
async fn overwritten_and_deleted_objects_leave_only_live_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let (emu, c) = in_dir(dir.path(), Some(22)).await;
    let ns = emu.namespace().to_owned();
    make_bucket(&c, &emu).await;
    for (name, body) in [("a", "one"), ("a", "two"), ("b", "three")] {
        let req = put_req(&emu, name, Body::from(body));
        c.call(req).await.unwrap();
    }
    delete(&c, &emu, &format!("/n/{ns}/b/bk/o/b"))
        .await
        .unwrap();
    let blobs = std::fs::read_dir(dir.path().join("blobs")).unwrap().count();
    assert_eq!(blobs, 1, "only the live blob of `a` remains");
    emu.shutdown().await;

    let (emu, c) = in_dir(dir.path(), None).await;

    let resp = get(&c, &emu, &format!("/n/{ns}/b/bk/o/a")).await.unwrap();
    assert_eq!(&bytes(resp).await[..], b"two");
    let err = get(&c, &emu, &format!("/n/{ns}/b/bk/o/b"))
        .await
        .expect_err("deleted");
    assert_eq!(err.code(), Some("ObjectNotFound"));
}

/// Issue 15: 300 concurrent puts with a data directory used to answer ~1/3 of them 500 ("could
/// not persist the state") while storing them anyway.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_all_succeed_and_every_acknowledged_object_survives_a_restart() {
    const N: usize = 300;
    let dir = tempfile::tempdir().unwrap();
    let (emu, c) = in_dir(dir.path(), Some(23)).await;
    let ns = emu.namespace().to_owned();
    make_bucket(&c, &emu).await;
    let body = |i: usize| format!("object {i} ").repeat(1 + i % 7);
    let puts = (0..N).map(|i| {
        let req = put_req(&emu, &format!("dir/{i}"), Body::from(body(i)));
        let c = c.clone();
        tokio::spawn(async move { c.call(req).await })
    });
    let results = futures_util::future::join_all(puts).await;
    let failed: Vec<String> = results
        .into_iter()
        .filter_map(|r| match r.unwrap() {
            Ok(_) => None,
            Err(e) => Some(e.to_string()),
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} failed: {:?}",
        failed.len(),
        failed.first()
    );
    emu.shutdown().await;

    let (emu, c) = in_dir(dir.path(), None).await;

    for i in 0..N {
        let resp = get(&c, &emu, &format!("/n/{ns}/b/bk/o/dir/{i}"))
            .await
            .unwrap();
        assert_eq!(&bytes(resp).await[..], body(i).as_bytes(), "object {i}");
    }
    let blobs = std::fs::read_dir(dir.path().join("blobs")).unwrap().count();
    assert_eq!(blobs, N, "one blob per object, nothing left over");
}

/// A write answered with an error did not happen: when the state cannot be saved, the write is
/// undone, and later writes work again once the directory is back.
#[tokio::test]
async fn a_write_that_could_not_be_saved_is_answered_500_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (emu, c) = in_dir(&data, Some(24)).await;
    let kept = create_user(&c, &emu, "kept").await;
    std::fs::remove_dir_all(&data).unwrap();
    let err = post(
        &c,
        &emu,
        "/20160918/users",
        json!({"compartmentId": emu.tenancy_id(), "name": "lost", "description": "d"}),
    )
    .await
    .expect_err("cannot be saved");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(
        err.message().contains("could not persist"),
        "{}",
        err.message()
    );
    let users = json(
        get(
            &c,
            &emu,
            &format!("/20160918/users?compartmentId={}", emu.tenancy_id()),
        )
        .await
        .unwrap(),
    )
    .await;
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["name"].as_str())
        .collect();
    assert!(
        names.contains(&"kept") && !names.contains(&"lost"),
        "{names:?}"
    );

    std::fs::create_dir_all(&data).unwrap();
    let again = create_user(&c, &emu, "lost").await;
    emu.shutdown().await;
    let (emu, c) = in_dir(&data, None).await;
    for id in [&kept, &again] {
        get(&c, &emu, &format!("/20160918/users/{id}"))
            .await
            .unwrap();
    }
}

/// After a crash (SIGKILL mid-write), a restart removes what was half-written: temporary state
/// files and blobs the saved state does not refer to; the live blobs stay.
#[tokio::test]
async fn a_restart_sweeps_what_a_crash_left_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let (emu, c) = in_dir(dir.path(), Some(25)).await;
    let ns = emu.namespace().to_owned();
    make_bucket(&c, &emu).await;
    let req = put_req(&emu, "kept", Body::from("kept"));
    c.call(req).await.unwrap();
    emu.shutdown().await;
    let leftovers = [
        dir.path().join(".state-crash.tmp"),
        dir.path().join("blobs").join("tmp-crash"),
        dir.path()
            .join("blobs")
            .join("0123456789abcdef0123456789abcdef"),
    ];
    for f in &leftovers {
        std::fs::write(f, "half").unwrap();
    }

    let (emu, _) = in_dir(dir.path(), None).await;
    for f in &leftovers {
        assert!(!f.exists(), "{} removed", f.display());
    }
    let blobs = std::fs::read_dir(dir.path().join("blobs")).unwrap().count();
    assert_eq!(blobs, 1);
    let c = client(&emu);
    let resp = get(&c, &emu, &format!("/n/{ns}/b/bk/o/kept"))
        .await
        .unwrap();
    assert_eq!(&bytes(resp).await[..], b"kept");
}

/// Issue 15, the other half: an answer must agree with what was stored. 240 concurrent puts race
/// for 60 names with `if-none-match: *` (4 writers per name, each with its own body): exactly one
/// per name is answered success and its body is the one stored; every other is answered 412 and
/// left no trace. A restart reads back exactly the acknowledged state, with no stray blob.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_creates_store_exactly_what_was_acknowledged_and_a_restart_agrees() {
    const NAMES: usize = 60;
    const WRITERS: usize = 4;
    let dir = tempfile::tempdir().unwrap();
    let (emu, c) = in_dir(dir.path(), Some(25)).await;
    let ns = emu.namespace().to_owned();
    make_bucket(&c, &emu).await;
    let body =
        |name: usize, writer: usize| format!("name {name} writer {writer} ").repeat(1 + writer);
    let puts = (0..NAMES * WRITERS).map(|i| {
        let (name, writer) = (i % NAMES, i / NAMES);
        let mut req = put_req(
            &emu,
            &format!("race/{name}"),
            Body::from(body(name, writer)),
        );
        req.headers_mut()
            .insert("if-none-match", http::HeaderValue::from_static("*"));
        let c = c.clone();
        tokio::spawn(async move { (name, writer, c.call(req).await) })
    });
    let mut winners = vec![Vec::new(); NAMES];
    for r in futures_util::future::join_all(puts).await {
        let (name, writer, answer) = r.unwrap();
        match answer {
            Ok(resp) => {
                let etag = header(&resp, "etag").unwrap().to_owned();
                winners[name].push((writer, etag));
            }
            Err(e) => assert_eq!(
                (e.status().map(|s| s.as_u16()), e.code()),
                (Some(412), Some("IfNoneMatchFailed")),
                "a losing writer is answered 412, nothing else: {e}"
            ),
        }
    }
    let check = |winners: &Vec<Vec<(usize, String)>>| {
        for (name, w) in winners.iter().enumerate() {
            assert_eq!(
                w.len(),
                1,
                "race/{name}: exactly one writer wins, got {w:?}"
            );
        }
    };
    check(&winners);
    let verify = |c: Client, emu_ns: String, winners: Vec<Vec<(usize, String)>>, emu: &Emulator| {
        let reqs: Vec<_> = (0..NAMES)
            .map(|name| {
                request(
                    emu,
                    Method::GET,
                    &format!("/n/{emu_ns}/b/bk/o/race/{name}"),
                    Body::empty(),
                )
            })
            .collect();
        async move {
            for (name, req) in reqs.into_iter().enumerate() {
                let resp = c.call(req).await.unwrap();
                let (writer, etag) = &winners[name][0];
                assert_eq!(header(&resp, "etag"), Some(etag.as_str()), "race/{name}");
                assert_eq!(
                    &bytes(resp).await[..],
                    body(name, *writer).as_bytes(),
                    "race/{name}"
                );
            }
        }
    };
    verify(c.clone(), ns.clone(), winners.clone(), &emu).await;
    emu.shutdown().await;

    let (emu, c) = in_dir(dir.path(), None).await;
    verify(c.clone(), ns.clone(), winners, &emu).await;
    let listed = json(
        get(&c, &emu, &format!("/n/{ns}/b/bk/o?prefix=race/"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(listed["objects"].as_array().unwrap().len(), NAMES);
    let blobs = std::fs::read_dir(dir.path().join("blobs")).unwrap().count();
    assert_eq!(blobs, NAMES, "the losers' bytes were removed");
}
