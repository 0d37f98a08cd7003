//! Signature verification: a valid request passes; each mutation is rejected with 401
//! NotAuthenticated in OCI's shape, and `explain` names what differed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use http::Method;
use oci_core::auth::PrivateKey;
use oci_core::Body;

const GENERIC: &[&str] = &["date", "(request-target)", "host"];
const WITH_BODY: &[&str] = &[
    "date",
    "(request-target)",
    "host",
    "content-length",
    "content-type",
    "x-content-sha256",
];

fn create_group_body(emu: &oci_emulator::Emulator, name: &str) -> String {
    serde_json::json!({"compartmentId": emu.tenancy_id(), "name": name, "description": "d"})
        .to_string()
}

/// A correctly hand-signed CreateGroup request.
fn signed_post(emu: &oci_emulator::Emulator, body: &str, list: &[&str]) -> http::Request<Body> {
    let mut req = request(
        emu,
        Method::POST,
        "/20160918/groups",
        Body::from(body.to_owned()),
    );
    body_headers(&mut req, SystemTime::now(), body.as_bytes());
    sign_raw(&mut req, &key_id(emu), &seeded_key(emu), list);
    req
}

/// Sends a request and expects 401 NotAuthenticated with an opc-request-id; returns the message.
async fn rejected(req: http::Request<Body>) -> String {
    let resp = send_raw(req).await.expect("sent");
    assert_eq!(resp.status(), 401);
    assert!(header(&resp, "opc-request-id").is_some_and(|v| v.len() >= 32));
    let body = json(resp).await;
    assert_eq!(body["code"], "NotAuthenticated");
    body["message"].as_str().expect("message").to_owned()
}

#[tokio::test]
async fn a_hand_signed_request_is_accepted() {
    let emu = start().await;
    let body = create_group_body(&emu, "g1");
    let resp = send_raw(signed_post(&emu, &body, WITH_BODY))
        .await
        .expect("sent");
    assert_eq!(resp.status(), 200);
    assert_eq!(json(resp).await["name"], "g1");
    let journal = emu.journal();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].operation, "CreateGroup");
    assert_eq!(journal[0].key_id.as_deref(), Some(key_id(&emu).as_str()));
}

#[tokio::test]
async fn parameters_in_any_order_and_the_client_signer_are_accepted() {
    let emu = start().await;
    // sign_raw writes version first and headers last, unlike oci-core's signer.
    let mut req = request(
        &emu,
        Method::GET,
        "/20160918/users/?compartmentId=x&limit=1",
        Body::empty(),
    );
    req.headers_mut().insert(
        "date",
        httpdate::fmt_http_date(SystemTime::now()).parse().unwrap(),
    );
    sign_raw(&mut req, &key_id(&emu), &seeded_key(&emu), GENERIC);
    let resp = send_raw(req).await.expect("sent");
    // Authenticated: the compartment does not exist, so 404, not 401.
    assert_eq!(resp.status(), 404);
    let c = client(&emu);
    let resp = get(
        &c,
        &emu,
        &format!("/20160918/tenancies/{}", emu.tenancy_id()),
    )
    .await
    .expect("ok");
    assert_eq!(json(resp).await["id"], emu.tenancy_id());
}

#[tokio::test]
async fn a_body_header_dropped_from_the_list_is_rejected() {
    let emu = start().await;
    let body = create_group_body(&emu, "g");
    // A valid signature, but over the generic headers only: POST requires the body headers.
    let msg = rejected(signed_post(&emu, &body, GENERIC)).await;
    assert!(msg.contains("does not include `content-length`"), "{msg}");
    let msg = rejected(signed_post(&emu, &body, &WITH_BODY[..5])).await;
    assert!(msg.contains("does not include `x-content-sha256`"), "{msg}");
    let msg = rejected(signed_post(&emu, &body, &["date", "host"])).await;
    assert!(msg.contains("(request-target)"), "{msg}");
}

#[tokio::test]
async fn a_changed_body_is_rejected() {
    let emu = start().await;
    let body = create_group_body(&emu, "g1");
    let mut req = signed_post(&emu, &body, WITH_BODY);
    // Same length, different bytes, sent after signing.
    *req.body_mut() = Body::from(create_group_body(&emu, "g2"));
    let msg = rejected(req).await;
    assert!(msg.contains("x-content-sha256"), "{msg}");
    assert!(emu.journal().iter().all(|e| e.status == Some(401)));
}

#[tokio::test]
async fn a_skewed_date_is_rejected_and_a_small_skew_is_not() {
    let emu = start().await;
    let body = create_group_body(&emu, "late");
    let mut req = request(
        &emu,
        Method::POST,
        "/20160918/groups",
        Body::from(body.clone()),
    );
    body_headers(
        &mut req,
        SystemTime::now() - Duration::from_secs(360),
        body.as_bytes(),
    );
    sign_raw(&mut req, &key_id(&emu), &seeded_key(&emu), WITH_BODY);
    let msg = rejected(req).await;
    assert!(msg.contains("off the emulator's clock"), "{msg}");

    let mut req = request(
        &emu,
        Method::POST,
        "/20160918/groups",
        Body::from(body.clone()),
    );
    body_headers(
        &mut req,
        SystemTime::now() + Duration::from_secs(200),
        body.as_bytes(),
    );
    sign_raw(&mut req, &key_id(&emu), &seeded_key(&emu), WITH_BODY);
    assert_eq!(send_raw(req).await.expect("sent").status(), 200);
}

#[tokio::test]
async fn a_signature_from_another_key_is_rejected() {
    let emu = start().await;
    let body = create_group_body(&emu, "g");
    let wrong = PrivateKey::from_pem(other_key_pem().as_bytes(), None).expect("key");
    let mut req = request(
        &emu,
        Method::POST,
        "/20160918/groups",
        Body::from(body.clone()),
    );
    body_headers(&mut req, SystemTime::now(), body.as_bytes());
    sign_raw(&mut req, &key_id(&emu), &wrong, WITH_BODY);
    let msg = rejected(req).await;
    assert!(
        msg.contains("not made by the private key registered"),
        "{msg}"
    );
}

#[tokio::test]
async fn an_unknown_key_id_is_rejected() {
    let emu = start().await;
    let mut req = request(&emu, Method::GET, "/20160918/regions", Body::empty());
    req.headers_mut().insert(
        "date",
        httpdate::fmt_http_date(SystemTime::now()).parse().unwrap(),
    );
    let unknown = format!(
        "{}/{}/00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff",
        emu.tenancy_id(),
        emu.user_id()
    );
    sign_raw(&mut req, &unknown, &seeded_key(&emu), GENERIC);
    let msg = rejected(req).await;
    assert!(msg.contains("does not name a registered API key"), "{msg}");
}

#[tokio::test]
async fn a_changed_path_is_rejected() {
    let emu = start().await;
    let mut req = request(&emu, Method::GET, "/20160918/regions", Body::empty());
    req.headers_mut().insert(
        "date",
        httpdate::fmt_http_date(SystemTime::now()).parse().unwrap(),
    );
    sign_raw(&mut req, &key_id(&emu), &seeded_key(&emu), GENERIC);
    // Same signature, sent to another path.
    let other: http::Uri = url(&emu, &format!("/20160918/tenancies/{}", emu.tenancy_id()))
        .parse()
        .unwrap();
    *req.uri_mut() = other;
    let msg = rejected(req).await;
    assert!(
        msg.contains("different signing string")
            && msg.contains("(request-target): get /20160918/tenancies/"),
        "{msg}"
    );
}

#[tokio::test]
async fn a_changed_query_is_rejected_and_explained_line_by_line() {
    let emu = start().await;
    // Signed with an upper-case method in the request-target: the explanation names the line.
    let mut req = request(&emu, Method::GET, "/20160918/regions", Body::empty());
    req.headers_mut().insert(
        "date",
        httpdate::fmt_http_date(SystemTime::now()).parse().unwrap(),
    );
    let host = req.uri().authority().unwrap().as_str().to_owned();
    req.headers_mut().insert("host", host.parse().unwrap());
    let date = req.headers()["date"].to_str().unwrap().to_owned();
    let signing = format!("date: {date}\n(request-target): GET /20160918/regions\nhost: {host}");
    let sig = seeded_key(&emu).sign_sha256(signing.as_bytes()).unwrap();
    use base64::Engine as _;
    let auth = format!(
        "Signature keyId=\"{}\",headers=\"date (request-target) host\",signature=\"{}\"",
        key_id(&emu),
        base64::engine::general_purpose::STANDARD.encode(sig)
    );
    req.headers_mut()
        .insert("authorization", auth.parse().unwrap());
    let msg = rejected(req).await;
    assert!(
        msg.contains("differs at line 2") && msg.contains("GET /20160918/regions"),
        "{msg}"
    );
}

#[tokio::test]
async fn missing_or_malformed_authorization_is_rejected() {
    let emu = start().await;
    let req = request(&emu, Method::GET, "/20160918/regions", Body::empty());
    let msg = rejected(req).await;
    assert!(msg.contains("no Authorization header"), "{msg}");
    let mut req = request(&emu, Method::GET, "/20160918/regions", Body::empty());
    req.headers_mut()
        .insert("authorization", "Bearer abc".parse().unwrap());
    let msg = rejected(req).await;
    assert!(msg.contains("Signature"), "{msg}");
}

#[tokio::test]
async fn without_explain_the_message_is_oci_s_terse_one() {
    let emu = oci_emulator::Emulator::builder()
        .seed(3)
        .start()
        .await
        .expect("starts");
    let req = request(&emu, Method::GET, "/20160918/regions", Body::empty());
    let msg = rejected(req).await;
    assert_eq!(
        msg,
        "The required information to complete authentication was not provided or was incorrect."
    );
}

#[tokio::test]
async fn exclude_body_operations_sign_only_generic_headers() {
    let emu = start().await;
    let c = client(&emu);
    post(
        &c,
        &emu,
        &format!("/n/{}/b", emu.namespace()),
        serde_json::json!({"name": "b", "compartmentId": emu.tenancy_id()}),
    )
    .await
    .expect("bucket");
    let path = format!("/n/{}/b/b/o/x", emu.namespace());
    let mut req = request(&emu, Method::PUT, &path, Body::from("hello"));
    req.headers_mut().insert(
        "date",
        httpdate::fmt_http_date(SystemTime::now()).parse().unwrap(),
    );
    req.headers_mut()
        .insert("content-length", "5".parse().unwrap());
    sign_raw(&mut req, &key_id(&emu), &seeded_key(&emu), GENERIC);
    let resp = send_raw(req).await.expect("sent");
    assert_eq!(resp.status(), 200);
    assert!(header(&resp, "etag").is_some());
}

#[tokio::test]
async fn a_deleted_or_uploaded_api_key_changes_who_can_sign() {
    let emu = start().await;
    let c = client(&emu);
    let user = create_user(&c, &emu, "alice").await;
    let resp = post(
        &c,
        &emu,
        &format!("/20160918/users/{user}/apiKeys"),
        serde_json::json!({"key": public_pem(other_key_pem())}),
    )
    .await
    .expect("upload");
    let key = json(resp).await;
    let fingerprint = key["fingerprint"].as_str().expect("fp").to_owned();
    assert_eq!(
        key["keyId"].as_str(),
        Some(format!("{}/{user}/{fingerprint}", emu.tenancy_id()).as_str())
    );

    let alice = PrivateKey::from_pem(other_key_pem().as_bytes(), None).expect("key");
    let creds =
        oci_core::auth::ApiKeyCredentials::new(emu.tenancy_id(), &user, &fingerprint, alice);
    let alice_client = oci_core::Client::builder()
        .credentials(std::sync::Arc::new(creds))
        .endpoint(emu.endpoint())
        .build()
        .expect("client");
    let resp = get(&alice_client, &emu, "/20160918/regions")
        .await
        .expect("alice signs");
    assert_eq!(resp.status(), 200);

    delete(
        &c,
        &emu,
        &format!("/20160918/users/{user}/apiKeys/{fingerprint}"),
    )
    .await
    .expect("deleted");
    let err = get(&alice_client, &emu, "/20160918/regions")
        .await
        .expect_err("rejected");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.code(), Some("NotAuthenticated"));
}

/// Issue 12: a second `authorization`, `date`, `host` or `x-content-sha256` header makes what was
/// signed ambiguous: 401, even when the first one is valid.
#[tokio::test]
async fn a_repeated_security_header_is_rejected_even_when_the_first_is_valid() {
    let emu = start().await;
    let body = create_group_body(&emu, "dup");
    let valid = signed_post(&emu, &body, WITH_BODY);
    let auth = valid.headers()["authorization"].clone();
    let date = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(3600));
    for (name, second) in [
        ("authorization", auth.to_str().unwrap().to_owned()),
        ("authorization", "Signature keyId=\"x\"".to_owned()),
        ("date", date),
        ("host", "elsewhere.example".to_owned()),
        ("x-content-sha256", "AAAA".to_owned()),
    ] {
        let mut req = signed_post(&emu, &body, WITH_BODY);
        req.headers_mut().append(name, second.parse().unwrap());
        let msg = rejected(req).await;
        assert!(msg.contains(&format!("`{name}` headers")), "{name}: {msg}");
    }
    // Nothing was created, and the unrepeated request still works.
    let journal = emu.journal();
    assert!(journal.iter().all(|e| e.status == Some(401)), "{journal:?}");
    let resp = send_raw(signed_post(&emu, &body, WITH_BODY)).await.unwrap();
    assert_eq!(resp.status(), 200);
}
