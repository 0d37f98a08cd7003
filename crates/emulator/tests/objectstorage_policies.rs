//! Object Storage rules on the emulator's clock: retention rules (a delete or overwrite of a
//! retained object is 409), lifecycle policies (delete, archive, abort), storage tiers with
//! archive + restore (GET of an archived object is 409 until restored), and SSE-C keys.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use common::*;
use http::Method;
use oci_core::{Body, Client};
use oci_emulator::Emulator;
use serde_json::json;
use sha2::{Digest as _, Sha256};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const DAY: Duration = Duration::from_secs(86_400);

async fn bucket_in(emu: &Emulator, c: &Client, name: &str, extra: serde_json::Value) -> String {
    let ns = emu.namespace().to_owned();
    let mut details = json!({"name": name, "compartmentId": emu.tenancy_id()});
    for (k, v) in extra.as_object().unwrap() {
        details[k] = v.clone();
    }
    post(c, emu, &format!("/n/{ns}/b"), details)
        .await
        .expect("bucket");
    format!("/n/{ns}/b/{name}")
}

fn put_req(
    emu: &Emulator,
    path: &str,
    body: &'static str,
    headers: &[(&str, &str)],
) -> http::Request<Body> {
    let mut req = request(
        emu,
        Method::PUT,
        path,
        Body::from(Bytes::from_static(body.as_bytes())),
    );
    for (k, v) in headers {
        req.headers_mut().insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    exclude_body(req, "PutObject")
}

fn get_req(
    emu: &Emulator,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> http::Request<Body> {
    let mut req = request(emu, method, path, Body::empty());
    for (k, v) in headers {
        req.headers_mut().insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    req
}

fn status(e: &oci_core::Error) -> Option<u16> {
    e.status().map(|s| s.as_u16())
}

async fn start_with_clock() -> (
    Emulator,
    Client,
    std::sync::Arc<oci_core::clock::ManualClock>,
) {
    let clock = manual_clock();
    let emu = builder().clock(clock.clone()).start().await.unwrap();
    let c = client(&emu);
    (emu, c, clock)
}

#[tokio::test]
async fn a_retention_rule_blocks_delete_and_overwrite_until_its_duration_passes() {
    let (emu, c, clock) = start_with_clock().await;
    let b = bucket_in(&emu, &c, "keep", json!({})).await;
    c.call(put_req(&emu, &format!("{b}/o/doc"), "v1", &[]))
        .await
        .unwrap();
    let rule = json(
        post(
            &c,
            &emu,
            &format!("{b}/retentionRules"),
            json!({"displayName": "two-days", "duration": {"timeAmount": 2, "timeUnit": "DAYS"}}),
        )
        .await
        .unwrap(),
    )
    .await;
    let id = rule["id"].as_str().unwrap().to_owned();
    assert_eq!(rule["duration"]["timeAmount"], 2);
    let listed = json(get(&c, &emu, &format!("{b}/retentionRules")).await.unwrap()).await;
    assert_eq!(listed["items"][0]["id"], id.as_str());

    let err = delete(&c, &emu, &format!("{b}/o/doc")).await.unwrap_err();
    assert_eq!((status(&err), err.code()), (Some(409), Some("Conflict")));
    let err = c
        .call(put_req(&emu, &format!("{b}/o/doc"), "v2", &[]))
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(409), "an overwrite is blocked too");
    let body = bytes(get(&c, &emu, &format!("{b}/o/doc")).await.unwrap()).await;
    assert_eq!(&body[..], b"v1", "nothing changed");
    // A new object is not blocked.
    c.call(put_req(&emu, &format!("{b}/o/new"), "n", &[]))
        .await
        .unwrap();

    clock.advance(2 * DAY + Duration::from_secs(1));
    c.call(put_req(&emu, &format!("{b}/o/doc"), "v2", &[]))
        .await
        .expect("the retention period has passed");
    // The overwrite is modified now, so it is retained again.
    let err = delete(&c, &emu, &format!("{b}/o/doc")).await.unwrap_err();
    assert_eq!(status(&err), Some(409));

    // An unlocked rule can be deleted; then the delete works.
    delete(&c, &emu, &format!("{b}/retentionRules/{id}"))
        .await
        .unwrap();
    delete(&c, &emu, &format!("{b}/o/doc")).await.unwrap();
    let err = get(&c, &emu, &format!("{b}/retentionRules/{id}"))
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
}

#[tokio::test]
async fn a_locked_retention_rule_cannot_be_deleted_or_shortened_and_indefinite_rules_hold_forever()
{
    let (emu, c, clock) = start_with_clock().await;
    let b = bucket_in(&emu, &c, "locked", json!({})).await;
    let too_soon = humantime::format_rfc3339(std::time::SystemTime::now() + 13 * DAY).to_string();
    let err = post(
        &c,
        &emu,
        &format!("{b}/retentionRules"),
        json!({"duration": {"timeAmount": 10, "timeUnit": "DAYS"}, "timeRuleLocked": too_soon}),
    )
    .await
    .unwrap_err();
    assert_eq!(status(&err), Some(400), "a lock needs the 14-day delay");
    let lock_at = humantime::format_rfc3339(std::time::SystemTime::now() + 15 * DAY).to_string();
    let create_locked = || async {
        let rule = json(
            post(
                &c,
                &emu,
                &format!("{b}/retentionRules"),
                json!({"duration": {"timeAmount": 10, "timeUnit": "DAYS"}, "timeRuleLocked": lock_at}),
            )
            .await
            .unwrap(),
        )
        .await;
        rule["id"].as_str().unwrap().to_owned()
    };
    let id = create_locked().await;
    clock.advance(DAY);
    delete(&c, &emu, &format!("{b}/retentionRules/{id}"))
        .await
        .expect("before its lock time a rule can still be deleted");
    let id = create_locked().await;
    clock.advance(15 * DAY);
    let err = delete(&c, &emu, &format!("{b}/retentionRules/{id}"))
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(409), "locked");
    let err = put(
        &c,
        &emu,
        &format!("{b}/retentionRules/{id}"),
        json!({"duration": {"timeAmount": 5, "timeUnit": "DAYS"}}),
    )
    .await
    .unwrap_err();
    assert_eq!(status(&err), Some(409), "shorter");
    let longer = json(
        put(
            &c,
            &emu,
            &format!("{b}/retentionRules/{id}"),
            json!({"duration": {"timeAmount": 1, "timeUnit": "YEARS"}}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(longer["duration"]["timeUnit"], "YEARS");

    let b2 = bucket_in(&emu, &c, "forever", json!({})).await;
    let far = humantime::format_rfc3339(std::time::SystemTime::now() + 100 * DAY).to_string();
    c.call(put_req(&emu, &format!("{b2}/o/x"), "x", &[]))
        .await
        .unwrap();
    let err = post(
        &c,
        &emu,
        &format!("{b2}/retentionRules"),
        json!({"timeRuleLocked": far}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        status(&err),
        Some(400),
        "an indefinite rule cannot be locked"
    );
    post(&c, &emu, &format!("{b2}/retentionRules"), json!({}))
        .await
        .unwrap();
    clock.advance(3650 * DAY);
    let err = delete(&c, &emu, &format!("{b2}/o/x")).await.unwrap_err();
    assert_eq!(status(&err), Some(409), "indefinite");
}

#[tokio::test]
async fn lifecycle_rules_delete_archive_and_abort_on_the_emulator_clock() {
    let (emu, c, clock) = start_with_clock().await;
    let b = bucket_in(&emu, &c, "life", json!({})).await;
    for name in ["logs/a", "logs/b.tmp", "data/c", "keep/d"] {
        c.call(put_req(&emu, &format!("{b}/o/{name}"), "x", &[]))
            .await
            .unwrap();
    }
    let upload = json(
        post(&c, &emu, &format!("{b}/u"), json!({"object": "big"}))
            .await
            .unwrap(),
    )
    .await;
    let policy = json!({"items": [
        {"name": "expire-logs", "action": "DELETE", "timeAmount": 1, "timeUnit": "DAYS",
         "isEnabled": true, "objectNameFilter": {"inclusionPrefixes": ["logs/"], "exclusionPatterns": ["*.tmp"]}},
        {"name": "archive-data", "action": "ARCHIVE", "timeAmount": 2, "timeUnit": "DAYS",
         "isEnabled": true, "objectNameFilter": {"inclusionPatterns": ["data/*"]}},
        {"name": "off", "action": "DELETE", "timeAmount": 1, "timeUnit": "DAYS", "isEnabled": false},
        {"name": "abort", "action": "ABORT", "timeAmount": 1, "timeUnit": "DAYS",
         "isEnabled": true, "target": "multipart-uploads"},
    ]});
    put(&c, &emu, &format!("{b}/l"), policy).await.unwrap();
    let got = json(get(&c, &emu, &format!("{b}/l")).await.unwrap()).await;
    assert_eq!(got["items"].as_array().unwrap().len(), 4);
    let err = put(
        &c,
        &emu,
        &format!("{b}/l"),
        json!({"items": [{"name": "x", "action": "EXPLODE", "timeAmount": 1, "timeUnit": "DAYS", "isEnabled": true}]}),
    )
    .await
    .unwrap_err();
    assert_eq!(status(&err), Some(400));

    let names = |v: serde_json::Value| -> Vec<String> {
        v["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let listed = json(get(&c, &emu, &format!("{b}/o")).await.unwrap()).await;
    assert_eq!(names(listed).len(), 4, "nothing is due yet");

    clock.advance(DAY + Duration::from_secs(1));
    let listed = json(get(&c, &emu, &format!("{b}/o")).await.unwrap()).await;
    assert_eq!(names(listed), ["data/c", "keep/d", "logs/b.tmp"]);
    let uploads = json(get(&c, &emu, &format!("{b}/u")).await.unwrap()).await;
    assert_eq!(uploads.as_array().unwrap().len(), 0, "{upload}");

    clock.advance(DAY);
    let listed = json(
        get(
            &c,
            &emu,
            &format!("{b}/o?fields=name,storageTier,archivalState"),
        )
        .await
        .unwrap(),
    )
    .await;
    let data = &listed["objects"][0];
    assert_eq!(
        (
            data["name"].as_str(),
            data["storageTier"].as_str(),
            data["archivalState"].as_str()
        ),
        (Some("data/c"), Some("Archive"), Some("Archived"))
    );
    assert_eq!(listed["objects"][1]["storageTier"], "Standard");

    delete(&c, &emu, &format!("{b}/l")).await.unwrap();
    let err = get(&c, &emu, &format!("{b}/l")).await.unwrap_err();
    assert_eq!(status(&err), Some(404));
}

#[tokio::test]
async fn a_lifecycle_delete_skips_retained_objects() {
    let (emu, c, clock) = start_with_clock().await;
    let b = bucket_in(&emu, &c, "both", json!({})).await;
    c.call(put_req(&emu, &format!("{b}/o/a"), "x", &[]))
        .await
        .unwrap();
    post(
        &c,
        &emu,
        &format!("{b}/retentionRules"),
        json!({"duration": {"timeAmount": 5, "timeUnit": "DAYS"}}),
    )
    .await
    .unwrap();
    put(
        &c,
        &emu,
        &format!("{b}/l"),
        json!({"items": [{"name": "d", "action": "DELETE", "timeAmount": 1, "timeUnit": "DAYS", "isEnabled": true}]}),
    )
    .await
    .unwrap();
    clock.advance(2 * DAY);
    get(&c, &emu, &format!("{b}/o/a")).await.expect("retained");
    clock.advance(4 * DAY);
    let err = get(&c, &emu, &format!("{b}/o/a")).await.unwrap_err();
    assert_eq!(status(&err), Some(404), "deleted once no longer retained");
}

#[tokio::test]
async fn an_archived_object_is_409_until_restored_then_readable_for_the_hours_asked() {
    let (emu, c, clock) = start_with_clock().await;
    let b = bucket_in(&emu, &c, "cold", json!({})).await;
    let a = bucket_in(&emu, &c, "archive", json!({"storageTier": "Archive"})).await;
    c.call(put_req(
        &emu,
        &format!("{b}/o/x"),
        "frozen",
        &[("storage-tier", "Archive")],
    ))
    .await
    .unwrap();
    c.call(put_req(&emu, &format!("{a}/o/y"), "by bucket", &[]))
        .await
        .unwrap();
    c.call(put_req(
        &emu,
        &format!("{b}/o/ia"),
        "ia",
        &[("storage-tier", "InfrequentAccess")],
    ))
    .await
    .unwrap();
    let ia = get(&c, &emu, &format!("{b}/o/ia")).await.unwrap();
    assert_eq!(header(&ia, "storage-tier"), Some("InfrequentAccess"));

    for path in [format!("{b}/o/x"), format!("{a}/o/y")] {
        let err = get(&c, &emu, &path).await.unwrap_err();
        assert_eq!(
            (status(&err), err.code()),
            (Some(409), Some("NotRestored")),
            "{path}"
        );
        let head = c
            .call(get_req(&emu, Method::HEAD, &path, &[]))
            .await
            .unwrap();
        assert_eq!(header(&head, "storage-tier"), Some("Archive"));
        assert_eq!(header(&head, "archival-state"), Some("Archived"));
    }
    let err = post(
        &c,
        &emu,
        &format!("{b}/actions/restoreObjects"),
        json!({"objectName": "ia"}),
    )
    .await
    .unwrap_err();
    assert_eq!(status(&err), Some(400), "not archived");

    let resp = post(
        &c,
        &emu,
        &format!("{b}/actions/restoreObjects"),
        json!({"objectName": "x", "hours": 2}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 202);
    let head = c
        .call(get_req(&emu, Method::HEAD, &format!("{b}/o/x"), &[]))
        .await
        .unwrap();
    assert_eq!(header(&head, "archival-state"), Some("Restoring"));
    let err = get(&c, &emu, &format!("{b}/o/x")).await.unwrap_err();
    assert_eq!(status(&err), Some(409), "still restoring");

    clock.advance(Duration::from_secs(3601));
    let body = bytes(get(&c, &emu, &format!("{b}/o/x")).await.unwrap()).await;
    assert_eq!(&body[..], b"frozen");
    clock.advance(Duration::from_secs(2 * 3600));
    let err = get(&c, &emu, &format!("{b}/o/x")).await.unwrap_err();
    assert_eq!(
        status(&err),
        Some(409),
        "archived again after the restore window"
    );

    // UpdateObjectStorageTier: Standard -> InfrequentAccess, and an archived object out only
    // once restored.
    post(
        &c,
        &emu,
        &format!("{b}/actions/updateObjectStorageTier"),
        json!({"objectName": "ia", "storageTier": "Standard"}),
    )
    .await
    .unwrap();
    let ia = get(&c, &emu, &format!("{b}/o/ia")).await.unwrap();
    assert_eq!(header(&ia, "storage-tier"), Some("Standard"));
    let err = post(
        &c,
        &emu,
        &format!("{b}/actions/updateObjectStorageTier"),
        json!({"objectName": "x", "storageTier": "Standard"}),
    )
    .await
    .unwrap_err();
    assert_eq!(status(&err), Some(409));
}

fn sse_headers(key: &[u8; 32]) -> [(String, String); 3] {
    [
        ("opc-sse-customer-algorithm".into(), "AES256".into()),
        ("opc-sse-customer-key".into(), B64.encode(key)),
        (
            "opc-sse-customer-key-sha256".into(),
            B64.encode(Sha256::digest(key)),
        ),
    ]
}

#[tokio::test]
async fn an_sse_c_object_needs_its_key_to_be_read() {
    let (emu, c, _clock) = start_with_clock().await;
    let b = bucket_in(&emu, &c, "secret", json!({})).await;
    let key = [7u8; 32];
    let h = sse_headers(&key);
    let hs: Vec<(&str, &str)> = h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.call(put_req(&emu, &format!("{b}/o/s"), "sealed", &hs))
        .await
        .unwrap();

    let body = bytes(
        c.call(get_req(&emu, Method::GET, &format!("{b}/o/s"), &hs))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(&body[..], b"sealed");
    let head = c
        .call(get_req(&emu, Method::HEAD, &format!("{b}/o/s"), &hs))
        .await
        .unwrap();
    assert_eq!(header(&head, "opc-sse-customer-key-sha256"), Some(hs[2].1));

    let err = get(&c, &emu, &format!("{b}/o/s")).await.unwrap_err();
    assert_eq!(status(&err), Some(400), "missing key");
    let err = c
        .call(get_req(&emu, Method::HEAD, &format!("{b}/o/s"), &[]))
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(400), "missing key on HEAD");
    let other = sse_headers(&[8u8; 32]);
    let os: Vec<(&str, &str)> = other
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let err = c
        .call(get_req(&emu, Method::GET, &format!("{b}/o/s"), &os))
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(403), "wrong key");

    // Malformed headers are 400 and store nothing.
    let bad_sha = [hs[0], hs[1], ("opc-sse-customer-key-sha256", os[2].1)];
    let err = c
        .call(put_req(&emu, &format!("{b}/o/t"), "t", &bad_sha))
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(400));
    let short = [hs[0], ("opc-sse-customer-key", "c2hvcnQ="), hs[2]];
    let err = c
        .call(put_req(&emu, &format!("{b}/o/t"), "t", &short))
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(400));
    let err = get(&c, &emu, &format!("{b}/o/t")).await.unwrap_err();
    assert_eq!(status(&err), Some(404));
    // A key for an object written without one is 400.
    c.call(put_req(&emu, &format!("{b}/o/plain"), "p", &[]))
        .await
        .unwrap();
    let err = c
        .call(get_req(&emu, Method::GET, &format!("{b}/o/plain"), &hs))
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(400));
}

#[tokio::test]
async fn operations_not_emulated_answer_501_naming_themselves() {
    let (emu, c, _clock) = start_with_clock().await;
    let b = bucket_in(&emu, &c, "r", json!({})).await;
    let err = post(
        &c,
        &emu,
        &format!("{b}/replicationPolicies"),
        json!({"name": "p"}),
    )
    .await
    .unwrap_err();
    assert_eq!(status(&err), Some(501));
    assert!(
        err.message().contains("CreateReplicationPolicy"),
        "{}",
        err.message()
    );
}
