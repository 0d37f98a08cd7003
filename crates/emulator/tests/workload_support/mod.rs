//! Helpers shared by the workload-identity endpoint tests: session keys, JWT claims, requests
//! signed with a session token.
#![allow(dead_code)]

use std::time::SystemTime;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use http::Method;
use oci_core::auth::PrivateKey;
use oci_core::Body;
use oci_emulator::Emulator;
use serde_json::Value;

use crate::common::*;

pub fn der(pem: &str) -> Vec<u8> {
    let b64: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("");
    B64.decode(b64).unwrap()
}

pub fn bare(pem: &str) -> String {
    B64.encode(der(pem))
}

/// A session key pair: the private key and its SPKI as bare base64.
pub fn session_key() -> (PrivateKey, String) {
    let pem = other_key_pem();
    let key = PrivateKey::from_pem(pem.as_bytes(), None).unwrap();
    (key, bare(&public_pem(pem)))
}

pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// ListUsers signed with `ST$<token>` and the session key, at `date`.
pub fn token_request(
    emu: &Emulator,
    token: &str,
    key: &PrivateKey,
    date: SystemTime,
) -> http::Request<Body> {
    let path = format!("/20160918/users?compartmentId={}", emu.tenancy_id());
    let mut req = request(emu, Method::GET, &path, Body::empty());
    req.headers_mut()
        .insert("date", httpdate::fmt_http_date(date).parse().unwrap());
    sign_raw(
        &mut req,
        &format!("ST${token}"),
        key,
        &["date", "(request-target)", "host"],
    );
    req
}

pub async fn status_and_body(req: http::Request<Body>) -> (u16, Value) {
    let resp = send_raw(req).await.unwrap();
    let status = resp.status().as_u16();
    (status, json(resp).await)
}
