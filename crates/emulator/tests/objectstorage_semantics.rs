//! Object Storage semantics backends rely on: copy (a work request) and rename, object versions
//! and delete markers, pre-authenticated requests (checksums and preconditions:
//! `objectstorage_checksums.rs`). Each is also checked with the OCI CLI by `.ci/oci-cli.sh`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;
mod os_support;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use http::Method;
use oci_core::Body;
use os_support::*;
use serde_json::{json, Value};

#[tokio::test]
async fn copy_is_a_work_request_and_rename_moves_the_object() {
    let clock = manual_clock();
    let emu = builder()
        .clock(clock.clone())
        .lifecycle_delay(Duration::from_secs(10))
        .start()
        .await
        .unwrap();
    let c = client(&emu);
    let src = bucket_in(&emu, &c, "src").await;
    let dst = bucket_in(&emu, &c, "dst").await;
    let put = c
        .call(put_with(
            &emu,
            &format!("{src}/o/a.txt"),
            "copy me",
            &[("opc-meta-k", "v")],
        ))
        .await
        .unwrap();
    let src_etag = header(&put, "etag").unwrap().to_owned();
    let details = |dest_name: &str, extra: Value| {
        let mut d = json!({
            "sourceObjectName": "a.txt", "destinationRegion": "us-ashburn-1",
            "destinationNamespace": emu.namespace(), "destinationBucket": "dst",
            "destinationObjectName": dest_name, "sourceObjectIfMatchETag": src_etag,
        });
        for (k, v) in extra.as_object().unwrap() {
            d[k] = v.clone();
        }
        d
    };
    let resp = post(
        &c,
        &emu,
        &format!("{src}/actions/copyObject"),
        details("b.txt", json!({})),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 202);
    let wr = header(&resp, "opc-work-request-id").unwrap().to_owned();
    let w = json(get(&c, &emu, &format!("/workRequests/{wr}")).await.unwrap()).await;
    assert_eq!(
        (w["status"].as_str(), w["operationType"].as_str()),
        (Some("IN_PROGRESS"), Some("COPY_OBJECT"))
    );
    clock.advance(Duration::from_secs(11));
    let w = json(get(&c, &emu, &format!("/workRequests/{wr}")).await.unwrap()).await;
    assert_eq!(w["status"], "COMPLETED");
    assert_eq!(w["resources"][1]["identifier"], "dst/b.txt");
    let listed = json(
        get(
            &c,
            &emu,
            &format!("/workRequests?compartmentId={}", emu.tenancy_id()),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(listed[0]["id"].as_str(), Some(wr.as_str()));
    assert_eq!(text(&c, &emu, &format!("{dst}/o/b.txt")).await, "copy me");
    let head = c
        .call(request(
            &emu,
            Method::HEAD,
            &format!("{dst}/o/b.txt"),
            Body::empty(),
        ))
        .await
        .unwrap();
    assert_eq!(header(&head, "opc-meta-k"), Some("v"));
    assert_ne!(header(&head, "etag"), Some(src_etag.as_str()));

    // A copy whose destination precondition fails: the work request fails and says why.
    let resp = post(
        &c,
        &emu,
        &format!("{src}/actions/copyObject"),
        details("b.txt", json!({"destinationObjectIfNoneMatchETag": "*", "destinationObjectMetadata": {"opc-meta-n": "1"}})),
    )
    .await
    .unwrap();
    let wr = header(&resp, "opc-work-request-id").unwrap().to_owned();
    clock.advance(Duration::from_secs(11));
    let w = json(get(&c, &emu, &format!("/workRequests/{wr}")).await.unwrap()).await;
    assert_eq!(w["status"], "FAILED");
    let errors = json(
        get(&c, &emu, &format!("/workRequests/{wr}/errors"))
            .await
            .unwrap(),
    )
    .await;
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("already exists"));
    // A stale source etag is refused at once.
    let err = post(
        &c,
        &emu,
        &format!("{src}/actions/copyObject"),
        details("c.txt", json!({"sourceObjectIfMatchETag": "nope"})),
    )
    .await
    .expect_err("412");
    assert_eq!(status(&err), Some(412));
    let err = post(
        &c,
        &emu,
        &format!("{src}/actions/copyObject"),
        details("c.txt", json!({"destinationRegion": "eu-frankfurt-1"})),
    )
    .await
    .expect_err("501");
    assert_eq!(
        (status(&err), err.code()),
        (Some(501), Some("NotImplemented"))
    );

    // Rename.
    let rename_path = format!("{dst}/actions/renameObject");
    let rename = |body: Value| post(&c, &emu, &rename_path, body);
    let resp = rename(json!({"sourceName": "b.txt", "newName": "dir/c.txt"}))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        text(&c, &emu, &format!("{dst}/o/dir/c.txt")).await,
        "copy me"
    );
    let err = get(&c, &emu, &format!("{dst}/o/b.txt"))
        .await
        .expect_err("moved");
    assert_eq!(status(&err), Some(404));
    put_obj(&c, &emu, &format!("{dst}/o/x"), "x").await;
    let err =
        rename(json!({"sourceName": "x", "newName": "dir/c.txt", "newObjIfNoneMatchETag": "*"}))
            .await
            .expect_err("exists");
    assert_eq!(status(&err), Some(412));
    let err = rename(json!({"sourceName": "missing", "newName": "y"}))
        .await
        .expect_err("404");
    assert_eq!(status(&err), Some(404));
    assert_eq!(text(&c, &emu, &format!("{dst}/o/x")).await, "x");
}

#[tokio::test]
async fn versions_delete_markers_and_version_ids() {
    let emu = start().await;
    let c = client(&emu);
    let b = bucket_in(&emu, &c, "vb").await;
    post(&c, &emu, &b, json!({"versioning": "Enabled"}))
        .await
        .unwrap();
    let v1 = header(
        &put_obj(&c, &emu, &format!("{b}/o/k"), "one").await,
        "version-id",
    )
    .unwrap()
    .to_owned();
    let v2 = header(
        &put_obj(&c, &emu, &format!("{b}/o/k"), "two").await,
        "version-id",
    )
    .unwrap()
    .to_owned();
    assert_ne!(v1, v2);
    assert_eq!(text(&c, &emu, &format!("{b}/o/k")).await, "two");
    assert_eq!(
        text(&c, &emu, &format!("{b}/o/k?versionId={v1}")).await,
        "one"
    );
    let head = c
        .call(request(
            &emu,
            Method::HEAD,
            &format!("{b}/o/k"),
            Body::empty(),
        ))
        .await
        .unwrap();
    assert_eq!(header(&head, "version-id"), Some(v2.as_str()));

    // Delete without versionId: a delete marker; the object is gone, its versions stay.
    let del = delete(&c, &emu, &format!("{b}/o/k")).await.unwrap();
    assert_eq!(header(&del, "is-delete-marker"), Some("true"));
    let marker = header(&del, "version-id").unwrap().to_owned();
    assert_eq!(
        status(&get(&c, &emu, &format!("{b}/o/k")).await.expect_err("gone")),
        Some(404)
    );
    let listed = json(get(&c, &emu, &format!("{b}/o")).await.unwrap()).await;
    assert_eq!(listed["objects"], json!([]));
    let versions = json(get(&c, &emu, &format!("{b}/objectversions")).await.unwrap()).await;
    let ids: Vec<(&str, bool)> = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["versionId"].as_str().unwrap(),
                v["isDeleteMarker"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            (marker.as_str(), true),
            (v2.as_str(), false),
            (v1.as_str(), false)
        ]
    );
    let page = get(&c, &emu, &format!("{b}/objectversions?limit=2"))
        .await
        .unwrap();
    assert!(header(&page, "opc-next-page").is_some());

    // Deleting the marker brings v2 back; deleting v2 by id makes v1 current.
    delete(&c, &emu, &format!("{b}/o/k?versionId={marker}"))
        .await
        .unwrap();
    assert_eq!(text(&c, &emu, &format!("{b}/o/k")).await, "two");
    let del = delete(&c, &emu, &format!("{b}/o/k?versionId={v2}"))
        .await
        .unwrap();
    assert_eq!(header(&del, "is-delete-marker"), Some("false"));
    assert_eq!(text(&c, &emu, &format!("{b}/o/k")).await, "one");
    let err = get(&c, &emu, &format!("{b}/o/k?versionId={v2}"))
        .await
        .expect_err("gone");
    assert_eq!(status(&err), Some(404));

    // Suspended: writes replace the current version; kept versions stay addressable.
    put_obj(&c, &emu, &format!("{b}/o/k"), "kept while enabled").await;
    post(&c, &emu, &b, json!({"versioning": "Suspended"}))
        .await
        .unwrap();
    put_obj(&c, &emu, &format!("{b}/o/k"), "three").await;
    put_obj(&c, &emu, &format!("{b}/o/k"), "four").await;
    let versions = json(get(&c, &emu, &format!("{b}/objectversions")).await.unwrap()).await;
    assert_eq!(versions["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        text(&c, &emu, &format!("{b}/o/k?versionId={v1}")).await,
        "one"
    );
    // A bucket with versions left is not empty.
    delete(&c, &emu, &format!("{b}/o/k")).await.unwrap();
    let err = delete(&c, &emu, &b).await.expect_err("versions left");
    assert_eq!(status(&err), Some(409));
}

#[tokio::test]
async fn pre_authenticated_requests_grant_what_they_say_until_they_expire() {
    let clock = manual_clock();
    let emu = builder().clock(clock.clone()).start().await.unwrap();
    let c = client(&emu);
    let b = bucket_in(&emu, &c, "pb").await;
    put_obj(&c, &emu, &format!("{b}/o/dir/a%20b.txt"), "shared").await;
    put_obj(&c, &emu, &format!("{b}/o/other"), "private").await;
    let expires = |secs: u64| {
        humantime::format_rfc3339(clock_now(&clock) + Duration::from_secs(secs)).to_string()
    };
    let par = json(
        post(
            &c,
            &emu,
            &format!("{b}/p/"),
            json!({"name": "read-a", "objectName": "dir/a b.txt",
            "accessType": "ObjectRead", "timeExpires": expires(60)}),
        )
        .await
        .unwrap(),
    )
    .await;
    let uri = par["accessUri"].as_str().unwrap().to_owned();
    assert!(uri.ends_with("/o/dir/a%20b.txt"), "{uri}");
    assert!(par["fullPath"].as_str().unwrap().ends_with(&uri));
    let unsigned = |method: Method, path: &str, body: &'static str| {
        send_raw(request(
            &emu,
            method,
            path,
            Body::from(Bytes::from_static(body.as_bytes())),
        ))
    };
    let resp = unsigned(Method::GET, &uri, "").await.unwrap();
    assert_eq!(bytes(resp).await, "shared");
    let resp = unsigned(Method::PUT, &uri, "overwrite").await.unwrap();
    assert_eq!(resp.status(), 404, "a read PAR does not write");
    let other = uri.replace("dir/a%20b.txt", "other");
    assert_eq!(
        unsigned(Method::GET, &other, "").await.unwrap().status(),
        404
    );

    // A bucket-wide read-write PAR that allows listing.
    let any = json(
        post(
            &c,
            &emu,
            &format!("{b}/p/"),
            json!({"name": "rw", "accessType": "AnyObjectReadWrite",
            "bucketListingAction": "ListObjects", "timeExpires": expires(30)}),
        )
        .await
        .unwrap(),
    )
    .await;
    let base = any["accessUri"].as_str().unwrap().to_owned();
    assert!(base.ends_with("/o/"));
    let resp = unsigned(Method::PUT, &format!("{base}new.txt"), "via par")
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(text(&c, &emu, &format!("{b}/o/new.txt")).await, "via par");
    let listed: Value =
        serde_json::from_slice(&bytes(unsigned(Method::GET, &base, "").await.unwrap()).await)
            .unwrap();
    let names: Vec<&str> = listed["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dir/a b.txt", "new.txt", "other"]);
    // The first PAR denies listing.
    let first_base = uri.trim_end_matches("dir/a%20b.txt").to_owned();
    assert_eq!(
        unsigned(Method::GET, &first_base, "")
            .await
            .unwrap()
            .status(),
        404
    );

    // List, get, expiry on the emulator clock, delete.
    let pars = json(get(&c, &emu, &format!("{b}/p/")).await.unwrap()).await;
    assert_eq!(pars.as_array().unwrap().len(), 2);
    assert!(pars[0].get("accessUri").is_none());
    let got = json(
        get(&c, &emu, &format!("{b}/p/{}", any["id"].as_str().unwrap()))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(got["accessType"], "AnyObjectReadWrite");
    clock.advance(Duration::from_secs(31));
    assert_eq!(
        unsigned(Method::GET, &format!("{base}new.txt"), "")
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        unsigned(Method::GET, &uri, "").await.unwrap().status(),
        200,
        "not expired yet"
    );
    delete(&c, &emu, &format!("{b}/p/{}", par["id"].as_str().unwrap()))
        .await
        .unwrap();
    assert_eq!(unsigned(Method::GET, &uri, "").await.unwrap().status(), 404);
    let err = post(
        &c,
        &emu,
        &format!("{b}/p/"),
        json!({"name": "late", "objectName": "x",
        "accessType": "ObjectRead", "timeExpires": "2000-01-01T00:00:00Z"}),
    )
    .await
    .expect_err("past");
    assert_eq!(status(&err), Some(400));
}

fn clock_now(clock: &oci_core::clock::ManualClock) -> std::time::SystemTime {
    use oci_core::clock::Clock as _;
    clock.now()
}
