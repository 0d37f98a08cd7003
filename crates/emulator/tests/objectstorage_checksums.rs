//! Object Storage integrity and preconditions: sha256 / crc32c / md5 checks on put and parts
//! (a mismatch is a 400 that stores nothing), crc32c kept on commit and HEAD, and conditional
//! HEAD and DELETE. Each is also checked with the OCI CLI by `.ci/oci-cli.sh`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;
mod os_support;

use base64::Engine as _;
use bytes::Bytes;
use common::*;
use http::Method;
use oci_core::Body;
use os_support::*;
use serde_json::json;
use sha2::{Digest as _, Sha256};

#[tokio::test]
async fn checksums_are_checked_and_crc32c_is_kept() {
    let emu = start().await;
    let c = client(&emu);
    let b = bucket_in(&emu, &c, "cb").await;
    let sha = B64.encode(Sha256::digest(b"payload"));
    let crc = B64.encode(crc32c::crc32c(b"payload").to_be_bytes());
    for (name, value) in [
        ("opc-content-sha256", B64.encode(Sha256::digest(b"other"))),
        ("opc-content-crc32c", B64.encode(7u32.to_be_bytes())),
        ("content-md5", B64.encode([0u8; 16])),
    ] {
        let err = c
            .call(put_with(
                &emu,
                &format!("{b}/o/bad"),
                "payload",
                &[(name, value.as_str())],
            ))
            .await
            .expect_err(name);
        assert_eq!(
            (status(&err), err.code()),
            (Some(400), Some("InvalidParameter")),
            "{name}"
        );
        assert_eq!(
            status(
                &get(&c, &emu, &format!("{b}/o/bad"))
                    .await
                    .expect_err("not stored")
            ),
            Some(404)
        );
    }
    let resp = c
        .call(put_with(
            &emu,
            &format!("{b}/o/good"),
            "payload",
            &[
                ("opc-content-sha256", sha.as_str()),
                ("opc-content-crc32c", crc.as_str()),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(header(&resp, "opc-content-crc32c"), Some(crc.as_str()));
    assert_eq!(header(&resp, "opc-content-sha256"), Some(sha.as_str()));
    let head = c
        .call(request(
            &emu,
            Method::HEAD,
            &format!("{b}/o/good"),
            Body::empty(),
        ))
        .await
        .unwrap();
    assert_eq!(header(&head, "opc-content-crc32c"), Some(crc.as_str()));

    // Multipart: parts with crc32c, the commit and HEAD carry the whole object's CRC32C.
    let created = json(
        post(&c, &emu, &format!("{b}/u"), json!({"object": "mp"}))
            .await
            .unwrap(),
    )
    .await;
    let id = created["uploadId"].as_str().unwrap().to_owned();
    let mut parts = Vec::new();
    for (n, part) in ["abc", "def"].iter().enumerate() {
        let path = format!("{b}/u/mp?uploadId={id}&uploadPartNum={}", n + 1);
        let mut req = request(
            &emu,
            Method::PUT,
            &path,
            Body::from(Bytes::from_static(part.as_bytes())),
        );
        req.headers_mut()
            .insert("opc-checksum-algorithm", "CRC32C".parse().unwrap());
        let resp = c.call(exclude_body(req, "UploadPart")).await.unwrap();
        let want = B64.encode(crc32c::crc32c(part.as_bytes()).to_be_bytes());
        assert_eq!(header(&resp, "opc-content-crc32c"), Some(want.as_str()));
        parts.push(json!({"partNum": n + 1, "etag": header(&resp, "etag").unwrap()}));
    }
    let whole = B64.encode(crc32c::crc32c(b"abcdef").to_be_bytes());
    put_obj(&c, &emu, &format!("{b}/o/mp"), "old").await;
    // if-none-match: * on commit when the object exists: 412, nothing committed.
    let mut req = json_request(
        &emu,
        Method::POST,
        &format!("{b}/u/mp?uploadId={id}"),
        &json!({"partsToCommit": parts}),
    );
    req.headers_mut()
        .insert("if-none-match", "*".parse().unwrap());
    let err = c.call(req).await.expect_err("412");
    assert_eq!(status(&err), Some(412));
    assert_eq!(text(&c, &emu, &format!("{b}/o/mp")).await, "old");
    let resp = post(
        &c,
        &emu,
        &format!("{b}/u/mp?uploadId={id}"),
        json!({"partsToCommit": parts}),
    )
    .await
    .unwrap();
    assert_eq!(header(&resp, "opc-content-crc32c"), Some(whole.as_str()));
    assert!(header(&resp, "version-id").is_some());
    let head = c
        .call(request(
            &emu,
            Method::HEAD,
            &format!("{b}/o/mp"),
            Body::empty(),
        ))
        .await
        .unwrap();
    assert_eq!(header(&head, "opc-content-crc32c"), Some(whole.as_str()));
    assert_eq!(text(&c, &emu, &format!("{b}/o/mp")).await, "abcdef");
}

#[tokio::test]
async fn conditional_head_and_delete() {
    let emu = start().await;
    let c = client(&emu);
    let b = bucket_in(&emu, &c, "ib").await;
    let etag = header(&put_obj(&c, &emu, &format!("{b}/o/k"), "v").await, "etag")
        .unwrap()
        .to_owned();
    let mut req = request(&emu, Method::HEAD, &format!("{b}/o/k"), Body::empty());
    req.headers_mut()
        .insert("if-none-match", etag.parse().unwrap());
    // Not modified: our client reports the 304 as an answer without a body.
    assert_eq!(status(&c.call(req).await.expect_err("304")), Some(304));
    let mut req = request(&emu, Method::HEAD, &format!("{b}/o/k"), Body::empty());
    req.headers_mut()
        .insert("if-match", "\"other\"".parse().unwrap());
    assert_eq!(status(&c.call(req).await.expect_err("412")), Some(412));
    let mut req = request(&emu, Method::DELETE, &format!("{b}/o/k"), Body::empty());
    req.headers_mut()
        .insert("if-match", "other".parse().unwrap());
    assert_eq!(status(&c.call(req).await.expect_err("412")), Some(412));
    let mut req = request(&emu, Method::DELETE, &format!("{b}/o/k"), Body::empty());
    req.headers_mut().insert("if-match", etag.parse().unwrap());
    assert_eq!(c.call(req).await.unwrap().status(), 204);
}
