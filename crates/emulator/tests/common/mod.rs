//! Shared helpers for the emulator's integration tests.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http::{Method, Request, Response};
use oci_core::auth::PrivateKey;
use oci_core::transport::HttpTransport;
use oci_core::{Body, Client, Error, OperationInfo};
use oci_emulator::{Emulator, EmulatorBuilder};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

pub const IDENTITY: &str = "/20160918";

/// A builder with a fixed seed and `--explain` on.
pub fn builder() -> EmulatorBuilder {
    Emulator::builder().seed(11).explain(true)
}

pub async fn start() -> Emulator {
    builder().start().await.expect("emulator starts")
}

/// A client that shows the emulator's raw answers: no retries and no circuit breaker, which
/// would otherwise hide injected faults behind a successful retry.
pub fn client(emu: &Emulator) -> Client {
    emu.client_builder()
        .retry_policy(oci_core::layers::retry::RetryPolicy::none())
        .circuit_breaker(None)
        .build()
        .expect("client builds")
}

/// A second RSA key (generated once per test binary), PKCS#8 PEM.
pub fn other_key_pem() -> &'static str {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| {
        use rsa::pkcs8::{EncodePrivateKey, LineEnding};
        let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("keygen");
        key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string()
    })
}

/// The public PEM of a private PEM.
pub fn public_pem(private_pem: &str) -> String {
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(private_pem).expect("pkcs8");
    key.to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("public pem")
}

pub fn url(emu: &Emulator, path: &str) -> String {
    format!("{}{path}", emu.endpoint())
}

pub fn request(emu: &Emulator, method: Method, path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(url(emu, path))
        .header("content-type", "application/json")
        .body(body.into())
        .expect("request")
}

pub fn json_request(emu: &Emulator, method: Method, path: &str, body: &Value) -> Request<Body> {
    request(emu, method, path, Body::from(body.to_string()))
}

/// An exclude-body request (PutObject, UploadPart) for the client's signer.
pub fn exclude_body(mut req: Request<Body>, operation: &'static str) -> Request<Body> {
    req.extensions_mut().insert(OperationInfo {
        service: "objectstorage",
        operation,
        exclude_body: true,
        retry_token: false,
        streaming_response: false,
        not_modified_ok: false,
    });
    req
}

pub async fn call(client: &Client, req: Request<Body>) -> Result<Response<Body>, Error> {
    client.call(req).await
}

pub async fn get(client: &Client, emu: &Emulator, path: &str) -> Result<Response<Body>, Error> {
    client
        .call(request(emu, Method::GET, path, Body::empty()))
        .await
}

pub async fn delete(client: &Client, emu: &Emulator, path: &str) -> Result<Response<Body>, Error> {
    client
        .call(request(emu, Method::DELETE, path, Body::empty()))
        .await
}

pub async fn post(
    client: &Client,
    emu: &Emulator,
    path: &str,
    body: Value,
) -> Result<Response<Body>, Error> {
    client
        .call(json_request(emu, Method::POST, path, &body))
        .await
}

pub async fn put(
    client: &Client,
    emu: &Emulator,
    path: &str,
    body: Value,
) -> Result<Response<Body>, Error> {
    client
        .call(json_request(emu, Method::PUT, path, &body))
        .await
}

pub async fn bytes(resp: Response<Body>) -> Bytes {
    resp.into_body().collect().await.expect("body")
}

pub async fn json(resp: Response<Body>) -> Value {
    serde_json::from_slice(&bytes(resp).await).expect("json body")
}

pub fn header<'a>(resp: &'a Response<Body>, name: &str) -> Option<&'a str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A user in the tenancy; returns its id.
pub async fn create_user(client: &Client, emu: &Emulator, name: &str) -> String {
    let resp = post(
        client,
        emu,
        "/20160918/users",
        serde_json::json!({"compartmentId": emu.tenancy_id(), "name": name, "description": "d"}),
    )
    .await
    .expect("create user");
    json(resp).await["id"].as_str().expect("id").to_owned()
}

/// An unsigned transport, for hand-signed requests and the control path.
pub fn raw() -> HttpTransport {
    HttpTransport::new(Duration::from_secs(5)).expect("transport")
}

pub async fn send_raw(req: Request<Body>) -> Result<Response<Body>, Error> {
    raw().oneshot(req).await
}

/// A hand-made signature: signs `list` (header names, `(request-target)`) over `req` as it is.
pub fn sign_raw(req: &mut Request<Body>, key_id: &str, key: &PrivateKey, list: &[&str]) {
    let host = req
        .uri()
        .authority()
        .expect("authority")
        .as_str()
        .to_owned();
    req.headers_mut()
        .insert("host", host.parse().expect("host"));
    let target = req.uri().path_and_query().expect("pq").as_str().to_owned();
    let lines: Vec<String> = list
        .iter()
        .map(|name| {
            if *name == "(request-target)" {
                format!(
                    "(request-target): {} {target}",
                    req.method().as_str().to_lowercase()
                )
            } else {
                let v = req
                    .headers()
                    .get(*name)
                    .map(|v| v.to_str().expect("ascii"))
                    .unwrap_or("");
                format!("{name}: {v}")
            }
        })
        .collect();
    let sig = key.sign_sha256(lines.join("\n").as_bytes()).expect("sign");
    let sig = base64::engine::general_purpose::STANDARD.encode(sig);
    let auth = format!(
        "Signature version=\"1\",keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{sig}\"",
        list.join(" ")
    );
    req.headers_mut()
        .insert("authorization", auth.parse().expect("auth"));
}

/// Adds `date`, and for a body: content-length, content-type and x-content-sha256.
pub fn body_headers(req: &mut Request<Body>, date: std::time::SystemTime, body: &[u8]) {
    req.headers_mut()
        .insert("date", httpdate::fmt_http_date(date).parse().expect("date"));
    req.headers_mut().insert(
        "content-length",
        body.len().to_string().parse().expect("len"),
    );
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body));
    req.headers_mut()
        .insert("x-content-sha256", hash.parse().expect("hash"));
}

pub fn seeded_key(emu: &Emulator) -> PrivateKey {
    PrivateKey::from_pem(emu.private_key_pem().as_bytes(), None).expect("key")
}

pub fn key_id(emu: &Emulator) -> String {
    format!(
        "{}/{}/{}",
        emu.tenancy_id(),
        emu.user_id(),
        emu.fingerprint()
    )
}

pub fn manual_clock() -> Arc<oci_core::clock::ManualClock> {
    Arc::new(oci_core::clock::ManualClock::new(
        std::time::SystemTime::now(),
    ))
}
