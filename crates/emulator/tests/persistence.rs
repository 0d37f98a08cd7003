//! Persistence: with a data directory, state and object bytes survive a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use common::*;
use http::Method;
use oci_core::Body;
use oci_emulator::Emulator;
use serde_json::json;

#[tokio::test]
async fn state_and_objects_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (user, tenancy, etag) = {
        let emu = Emulator::builder()
            .seed(21)
            .data_dir(dir.path())
            .start()
            .await
            .unwrap();
        let c = client(&emu);
        let user = create_user(&c, &emu, "persisted").await;
        let ns = emu.namespace().to_owned();
        post(
            &c,
            &emu,
            &format!("/n/{ns}/b"),
            json!({"name": "bk", "compartmentId": emu.tenancy_id()}),
        )
        .await
        .unwrap();
        let req = exclude_body(
            request(
                &emu,
                Method::PUT,
                &format!("/n/{ns}/b/bk/o/file"),
                Body::from("kept bytes"),
            ),
            "PutObject",
        );
        let resp = c.call(req).await.unwrap();
        let etag = header(&resp, "etag").unwrap().to_owned();
        let tenancy = emu.tenancy_id().to_owned();
        emu.shutdown().await;
        (user, tenancy, etag)
    };
    // Restarted without a key or seed: both come from the data directory.
    let emu = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    assert_eq!(emu.tenancy_id(), tenancy);
    let c = client(&emu);
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
    let emu = Emulator::builder()
        .seed(22)
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let c = client(&emu);
    let ns = emu.namespace().to_owned();
    post(
        &c,
        &emu,
        &format!("/n/{ns}/b"),
        json!({"name": "bk", "compartmentId": emu.tenancy_id()}),
    )
    .await
    .unwrap();
    for (name, body) in [("a", "one"), ("a", "two"), ("b", "three")] {
        let req = exclude_body(
            request(
                &emu,
                Method::PUT,
                &format!("/n/{ns}/b/bk/o/{name}"),
                Body::from(body),
            ),
            "PutObject",
        );
        c.call(req).await.unwrap();
    }
    delete(&c, &emu, &format!("/n/{ns}/b/bk/o/b"))
        .await
        .unwrap();
    let blobs = std::fs::read_dir(dir.path().join("blobs")).unwrap().count();
    assert_eq!(blobs, 1, "only the live blob of `a` remains");
    emu.shutdown().await;

    let emu = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let c = client(&emu);
    let resp = get(&c, &emu, &format!("/n/{ns}/b/bk/o/a")).await.unwrap();
    assert_eq!(&bytes(resp).await[..], b"two");
    let err = get(&c, &emu, &format!("/n/{ns}/b/bk/o/b"))
        .await
        .expect_err("deleted");
    assert_eq!(err.code(), Some("ObjectNotFound"));
}
