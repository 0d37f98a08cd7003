//! Helpers shared by the Object Storage semantics tests: buckets, raw PUTs, reads.
#![allow(dead_code)]

use bytes::Bytes;
use http::Method;
use oci_core::{Body, Client};
use oci_emulator::Emulator;
use serde_json::json;

use crate::common::*;

pub const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub async fn bucket_in(emu: &Emulator, c: &Client, name: &str) -> String {
    let ns = emu.namespace().to_owned();
    post(
        c,
        emu,
        &format!("/n/{ns}/b"),
        json!({"name": name, "compartmentId": emu.tenancy_id()}),
    )
    .await
    .expect("bucket");
    format!("/n/{ns}/b/{name}")
}

pub fn put_with(
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

pub async fn put_obj(
    c: &Client,
    emu: &Emulator,
    path: &str,
    body: &'static str,
) -> http::Response<Body> {
    c.call(put_with(emu, path, body, &[])).await.expect("put")
}

pub async fn text(c: &Client, emu: &Emulator, path: &str) -> String {
    String::from_utf8(bytes(get(c, emu, path).await.expect(path)).await.to_vec()).unwrap()
}

pub fn status(e: &oci_core::Error) -> Option<u16> {
    e.status().map(|s| s.as_u16())
}
