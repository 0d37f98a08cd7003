//! Object Storage: namespace, buckets, objects (streamed, etags, preconditions, md5, metadata,
//! ranges), listing, multipart uploads.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use bytes::Bytes;
use common::*;
use http::Method;
use md5::{Digest as _, Md5};
use oci_core::{Body, Client};
use oci_emulator::Emulator;
use serde_json::json;

async fn with_bucket() -> (Emulator, Client, String) {
    let emu = start().await;
    let c = client(&emu);
    let ns = emu.namespace().to_owned();
    post(
        &c,
        &emu,
        &format!("/n/{ns}/b"),
        json!({"name": "bk", "compartmentId": emu.tenancy_id()}),
    )
    .await
    .expect("bucket");
    (emu, c, format!("/n/{ns}/b/bk"))
}

fn put_req(emu: &Emulator, path: &str, body: impl Into<Bytes>) -> http::Request<Body> {
    let body: Bytes = body.into();
    let mut req = request(emu, Method::PUT, path, Body::from(body));
    req.headers_mut()
        .insert("content-type", "text/plain".parse().unwrap());
    exclude_body(req, "PutObject")
}

async fn put_object(c: &Client, emu: &Emulator, path: &str, body: &'static str) -> String {
    let resp = c.call(put_req(emu, path, body)).await.expect("put");
    header(&resp, "etag").expect("etag").to_owned()
}

#[tokio::test]
async fn namespace_and_buckets() {
    let emu = start().await;
    let c = client(&emu);
    let ns = json(get(&c, &emu, "/n").await.unwrap()).await;
    assert_eq!(ns.as_str(), Some(emu.namespace()));
    let base = format!("/n/{}/b", emu.namespace());
    let resp = post(
        &c,
        &emu,
        &base,
        json!({"name": "b1", "compartmentId": emu.tenancy_id()}),
    )
    .await
    .unwrap();
    let etag = header(&resp, "etag").unwrap().to_owned();
    let b = json(resp).await;
    assert_eq!(
        (
            b["name"].as_str(),
            b["etag"].as_str(),
            b["storageTier"].as_str()
        ),
        (Some("b1"), Some(etag.as_str()), Some("Standard"))
    );
    let err = post(
        &c,
        &emu,
        &base,
        json!({"name": "b1", "compartmentId": emu.tenancy_id()}),
    )
    .await
    .expect_err("dup");
    assert_eq!(
        (err.status().map(|s| s.as_u16()), err.code()),
        (Some(409), Some("BucketAlreadyExists"))
    );
    let err = post(
        &c,
        &emu,
        &base,
        json!({"name": "bad name", "compartmentId": emu.tenancy_id()}),
    )
    .await
    .expect_err("name");
    assert_eq!(err.code(), Some("InvalidBucketName"));
    post(
        &c,
        &emu,
        &base,
        json!({"name": "b2", "compartmentId": emu.tenancy_id()}),
    )
    .await
    .unwrap();

    let first = get(
        &c,
        &emu,
        &format!("{base}?compartmentId={}&limit=1", emu.tenancy_id()),
    )
    .await
    .unwrap();
    let next = header(&first, "opc-next-page").expect("more").to_owned();
    assert_eq!(json(first).await[0]["name"], "b1");
    let second = get(
        &c,
        &emu,
        &format!(
            "{base}?compartmentId={}&limit=1&page={next}",
            emu.tenancy_id()
        ),
    )
    .await
    .unwrap();
    assert!(header(&second, "opc-next-page").is_none());
    assert_eq!(json(second).await[0]["name"], "b2");

    let err = get(&c, &emu, &format!("/n/{}/b/none", emu.namespace()))
        .await
        .expect_err("404");
    assert_eq!(err.code(), Some("BucketNotFound"));
    let err = get(&c, &emu, "/n/wrongns/b/b1").await.expect_err("404");
    assert_eq!(err.code(), Some("NamespaceNotFound"));

    let mut req = json_request(
        &emu,
        Method::POST,
        &format!("{base}/b1"),
        &json!({"metadata": {"k": "v"}}),
    );
    req.headers_mut()
        .insert("if-match", "stale".parse().unwrap());
    assert_eq!(
        c.call(req)
            .await
            .expect_err("412")
            .status()
            .map(|s| s.as_u16()),
        Some(412)
    );
    let updated = json(
        post(
            &c,
            &emu,
            &format!("{base}/b1"),
            json!({"metadata": {"k": "v"}}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(updated["metadata"]["k"], "v");
    assert_ne!(updated["etag"].as_str(), Some(etag.as_str()));

    put_object(&c, &emu, &format!("{base}/b1/o/x"), "x").await;
    let with_counts = json(
        get(
            &c,
            &emu,
            &format!("{base}/b1?fields=approximateCount,approximateSize"),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (
            with_counts["approximateCount"].as_u64(),
            with_counts["approximateSize"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let err = delete(&c, &emu, &format!("{base}/b1"))
        .await
        .expect_err("not empty");
    assert_eq!(err.code(), Some("BucketNotEmpty"));
    delete(&c, &emu, &format!("{base}/b1/o/x")).await.unwrap();
    assert_eq!(
        delete(&c, &emu, &format!("{base}/b1"))
            .await
            .unwrap()
            .status(),
        204
    );
}

#[tokio::test]
async fn objects_round_trip_with_etags_metadata_and_preconditions() {
    let (emu, c, bucket) = with_bucket().await;
    let path = format!("{bucket}/o/dir%2Fa%20b.txt");
    let mut req = put_req(&emu, &path, "Hello, World!");
    req.headers_mut()
        .insert("opc-meta-color", "blue".parse().unwrap());
    let md5 = util_b64(&Md5::digest(b"Hello, World!"));
    req.headers_mut()
        .insert("content-md5", md5.parse().unwrap());
    let resp = c.call(req).await.expect("put");
    let etag = header(&resp, "etag").unwrap().to_owned();
    assert_eq!(header(&resp, "opc-content-md5"), Some(md5.as_str()));

    let resp = get(&c, &emu, &path).await.expect("get");
    assert_eq!(header(&resp, "etag"), Some(etag.as_str()));
    assert_eq!(header(&resp, "opc-meta-color"), Some("blue"));
    assert_eq!(header(&resp, "content-type"), Some("text/plain"));
    assert_eq!(header(&resp, "content-md5"), Some(md5.as_str()));
    assert_eq!(&bytes(resp).await[..], b"Hello, World!");

    let resp = c
        .call(request(&emu, Method::HEAD, &path, Body::empty()))
        .await
        .expect("head");
    assert_eq!(header(&resp, "content-length"), Some("13"));
    assert!(bytes(resp).await.is_empty());

    // The name decodes: listing shows `dir/a b.txt`.
    let listed = json(get(&c, &emu, &format!("{bucket}/o")).await.unwrap()).await;
    assert_eq!(listed["objects"][0]["name"], "dir/a b.txt");

    // if-match on GET and PUT; if-none-match: * refuses to overwrite.
    let mut req = request(&emu, Method::GET, &path, Body::empty());
    req.headers_mut()
        .insert("if-match", "nope".parse().unwrap());
    assert_eq!(
        c.call(req).await.expect_err("412").code(),
        Some("NoEtagMatch")
    );
    let mut req = put_req(&emu, &path, "again");
    req.headers_mut()
        .insert("if-none-match", "*".parse().unwrap());
    assert_eq!(
        c.call(req).await.expect_err("exists").code(),
        Some("IfNoneMatchFailed")
    );
    let mut req = put_req(&emu, &path, "again");
    req.headers_mut().insert("if-match", etag.parse().unwrap());
    let new_etag = header(&c.call(req).await.expect("overwrite"), "etag")
        .unwrap()
        .to_owned();
    assert_ne!(new_etag, etag);
    let mut req = request(&emu, Method::GET, &path, Body::empty());
    req.headers_mut()
        .insert("if-none-match", new_etag.parse().unwrap());
    assert_eq!(
        c.call(req)
            .await
            .expect_err("304")
            .status()
            .map(|s| s.as_u16()),
        Some(304)
    );

    // A wrong content-md5 is refused and stores nothing.
    let mut req = put_req(&emu, &format!("{bucket}/o/bad"), "data");
    req.headers_mut()
        .insert("content-md5", md5.parse().unwrap());
    assert_eq!(
        c.call(req)
            .await
            .expect_err("md5")
            .status()
            .map(|s| s.as_u16()),
        Some(400)
    );
    assert_eq!(
        get(&c, &emu, &format!("{bucket}/o/bad"))
            .await
            .expect_err("absent")
            .code(),
        Some("ObjectNotFound")
    );

    let mut req = request(&emu, Method::DELETE, &path, Body::empty());
    req.headers_mut().insert("if-match", etag.parse().unwrap());
    assert_eq!(
        c.call(req)
            .await
            .expect_err("stale")
            .status()
            .map(|s| s.as_u16()),
        Some(412)
    );
    assert_eq!(delete(&c, &emu, &path).await.unwrap().status(), 204);
    assert_eq!(
        get(&c, &emu, &path)
            .await
            .expect_err("gone")
            .status()
            .map(|s| s.as_u16()),
        Some(404)
    );
}

fn util_b64(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[tokio::test]
async fn range_gets() {
    let (emu, c, bucket) = with_bucket().await;
    let path = format!("{bucket}/o/r");
    put_object(&c, &emu, &path, "0123456789").await;
    for (range, want, content_range) in [
        ("bytes=2-5", "2345", "bytes 2-5/10"),
        ("bytes=7-", "789", "bytes 7-9/10"),
        ("bytes=-3", "789", "bytes 7-9/10"),
        ("bytes=8-100", "89", "bytes 8-9/10"),
    ] {
        let mut req = request(&emu, Method::GET, &path, Body::empty());
        req.headers_mut().insert("range", range.parse().unwrap());
        let resp = c.call(req).await.expect("range");
        assert_eq!(resp.status(), 206, "{range}");
        assert_eq!(header(&resp, "content-range"), Some(content_range));
        assert_eq!(&bytes(resp).await[..], want.as_bytes(), "{range}");
    }
    let mut req = request(&emu, Method::GET, &path, Body::empty());
    req.headers_mut()
        .insert("range", "bytes=10-".parse().unwrap());
    let err = c.call(req).await.expect_err("416");
    assert_eq!(
        (err.status().map(|s| s.as_u16()), err.code()),
        (Some(416), Some("InvalidRange"))
    );
}

#[tokio::test]
async fn large_objects_stream_both_ways() {
    let (emu, c, bucket) = with_bucket().await;
    let path = format!("{bucket}/o/big");
    let chunk = Bytes::from(vec![7u8; 64 * 1024]);
    let n = 128; // 8 MiB, sent as a stream of chunks
    let stream =
        futures_util::stream::iter((0..n).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
    let req = request(
        &emu,
        Method::PUT,
        &path,
        Body::from_stream(stream, Some(64 * 1024 * n)),
    );
    let resp = c.call(exclude_body(req, "PutObject")).await.expect("put");
    let mut md5 = Md5::new();
    for _ in 0..n {
        md5.update(vec![7u8; 64 * 1024]);
    }
    assert_eq!(
        header(&resp, "opc-content-md5"),
        Some(util_b64(&md5.finalize()).as_str())
    );
    let resp = get(&c, &emu, &path).await.expect("get");
    assert_eq!(
        header(&resp, "content-length"),
        Some((64 * 1024 * n).to_string().as_str())
    );
    let body = bytes(resp).await;
    assert_eq!(body.len() as u64, 64 * 1024 * n);
    assert!(body.iter().all(|b| *b == 7));
}

#[tokio::test]
async fn listing_with_prefix_delimiter_start_end_limit_and_fields() {
    let (emu, c, bucket) = with_bucket().await;
    for name in ["a/1", "a/2", "a/b/3", "b", "c/4", "d"] {
        put_object(
            &c,
            &emu,
            &format!("{bucket}/o/{}", name.replace('/', "%2F")),
            "xy",
        )
        .await;
    }
    let list = |q: &str| {
        let c = c.clone();
        let path = format!("{bucket}/o?{q}");
        let emu = &emu;
        async move { json(get(&c, emu, &path).await.expect("list")).await }
    };
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = list("").await;
    assert_eq!(names(&all), ["a/1", "a/2", "a/b/3", "b", "c/4", "d"]);
    assert!(
        all["objects"][0].get("size").is_none(),
        "only name by default"
    );

    let top = list("delimiter=%2F").await;
    assert_eq!(names(&top), ["b", "d"]);
    assert_eq!(top["prefixes"], json!(["a/", "c/"]));
    let under_a = list("prefix=a%2F&delimiter=%2F").await;
    assert_eq!(names(&under_a), ["a/1", "a/2"]);
    assert_eq!(under_a["prefixes"], json!(["a/b/"]));
    assert_eq!(
        names(&list("start=a%2F2&end=c").await),
        ["a/2", "a/b/3", "b"]
    );

    let page1 = list("limit=2&fields=name,size,etag,md5,timeCreated").await;
    assert_eq!(names(&page1), ["a/1", "a/2"]);
    assert_eq!(page1["nextStartWith"], "a/b/3");
    assert_eq!(page1["objects"][0]["size"], 2);
    assert!(page1["objects"][0]["etag"].is_string() && page1["objects"][0]["md5"].is_string());
    let page2 = list("limit=10&start=a%2Fb%2F3").await;
    assert_eq!(names(&page2), ["a/b/3", "b", "c/4", "d"]);
    assert!(page2.get("nextStartWith").is_none());
    let err = get(&c, &emu, &format!("{bucket}/o?fields=bogus"))
        .await
        .expect_err("field");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
}

#[tokio::test]
async fn multipart_uploads() {
    let (emu, c, bucket) = with_bucket().await;
    let created = json(post(&c, &emu, &format!("{bucket}/u"), json!({"object": "mp", "contentType": "application/x-test", "metadata": {"opc-meta-k": "v"}})).await.unwrap()).await;
    let upload_id = created["uploadId"].as_str().unwrap().to_owned();
    assert_eq!(created["object"], "mp");

    let mut etags = Vec::new();
    let parts = ["first-", "second-", "third"];
    for (i, part) in parts.iter().enumerate() {
        let path = format!("{bucket}/u/mp?uploadId={upload_id}&uploadPartNum={}", i + 1);
        let req = exclude_body(
            request(&emu, Method::PUT, &path, Body::from(*part)),
            "UploadPart",
        );
        let resp = c.call(req).await.expect("part");
        assert_eq!(
            header(&resp, "opc-content-md5"),
            Some(util_b64(&Md5::digest(part.as_bytes())).as_str())
        );
        etags.push(header(&resp, "etag").unwrap().to_owned());
    }
    let listed = json(
        get(&c, &emu, &format!("{bucket}/u/mp?uploadId={upload_id}"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 3);
    assert_eq!(listed[1]["partNumber"], 2);
    let uploads = json(get(&c, &emu, &format!("{bucket}/u")).await.unwrap()).await;
    assert_eq!(uploads[0]["uploadId"], upload_id.as_str());

    let commit_path = format!("{bucket}/u/mp?uploadId={upload_id}");
    let commit =
        |parts: serde_json::Value| post(&c, &emu, &commit_path, json!({"partsToCommit": parts}));
    let err = commit(json!([{"partNum": 1, "etag": "wrong"}]))
        .await
        .expect_err("etag");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let resp = commit(json!([
        {"partNum": 2, "etag": etags[1]}, {"partNum": 1, "etag": etags[0]}, {"partNum": 3, "etag": etags[2]}
    ]))
    .await
    .expect("commit");
    let mut expected = Md5::new();
    for p in parts {
        expected.update(Md5::digest(p.as_bytes()));
    }
    let want = format!("{}-3", util_b64(&expected.finalize()));
    assert_eq!(header(&resp, "opc-multipart-md5"), Some(want.as_str()));

    let obj = get(&c, &emu, &format!("{bucket}/o/mp")).await.unwrap();
    assert_eq!(header(&obj, "opc-multipart-md5"), Some(want.as_str()));
    assert_eq!(header(&obj, "content-type"), Some("application/x-test"));
    assert_eq!(header(&obj, "opc-meta-k"), Some("v"));
    assert_eq!(&bytes(obj).await[..], b"first-second-third");
    assert!(json(get(&c, &emu, &format!("{bucket}/u")).await.unwrap())
        .await
        .as_array()
        .unwrap()
        .is_empty());

    // Abort.
    let created = json(
        post(&c, &emu, &format!("{bucket}/u"), json!({"object": "gone"}))
            .await
            .unwrap(),
    )
    .await;
    let id = created["uploadId"].as_str().unwrap();
    assert_eq!(
        delete(&c, &emu, &format!("{bucket}/u/gone?uploadId={id}"))
            .await
            .unwrap()
            .status(),
        204
    );
    let err = get(&c, &emu, &format!("{bucket}/u/gone?uploadId={id}"))
        .await
        .expect_err("aborted");
    assert_eq!(err.code(), Some("NoSuchUpload"));
}

#[tokio::test]
async fn an_empty_bucket_deletes_the_way_the_cli_does_it() {
    let (emu, c, bucket) = with_bucket().await;
    // `oci os bucket delete` lists the replication policies first.
    let policies = json(
        get(&c, &emu, &format!("{bucket}/replicationPolicies"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(policies, json!([]));
    assert_eq!(delete(&c, &emu, &bucket).await.unwrap().status(), 204);
    let err = get(&c, &emu, &format!("{bucket}/replicationPolicies"))
        .await
        .expect_err("bucket gone");
    assert_eq!(err.code(), Some("BucketNotFound"));
}

#[tokio::test]
async fn other_object_storage_operations_answer_501_naming_the_operation() {
    let (emu, c, bucket) = with_bucket().await;
    for (path, op) in [
        (format!("{bucket}/actions/reencrypt"), "ReencryptBucket"),
        // RestoreObjects and CreateRetentionRule, listed here before, are emulated now
        // (objectstorage_policies.rs).
        (
            format!("{bucket}/actions/makeBucketWritable"),
            "MakeBucketWritable",
        ),
        (
            format!("{bucket}/replicationPolicies"),
            "CreateReplicationPolicy",
        ),
    ] {
        let err = post(&c, &emu, &path, json!({"sourceName": "a", "newName": "b"}))
            .await
            .expect_err("501");
        assert_eq!(
            (err.status().map(|s| s.as_u16()), err.code()),
            (Some(501), Some("NotImplemented")),
            "{path}"
        );
        assert!(err.message().contains(op), "{}", err.message());
    }
    let err = get(&c, &emu, &format!("{bucket}/nothingHere"))
        .await
        .expect_err("404");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}
