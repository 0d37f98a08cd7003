//! Byte-exact conformance of `RequestSigner` with the official OCI Python SDK.
//!
//! `tests/fixtures/signing/vectors.json` is produced by `scripts/gen_signing_vectors.py`, which
//! signs each request with `oci.signer.Signer` (SDK 2.189.0) at a fixed `date`. RSA PKCS#1 v1.5
//! is deterministic, so an equal `authorization` header means an identical signing string and key.
//!
//! Run with the default (ring) backend and with the pure-Rust one:
//! `cargo test -p oci-core --test signing_conformance` and
//! `cargo test -p oci-core --features rsa-signer --test signing_conformance`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use oci_core::auth::{ApiKeyCredentials, PrivateKey, RequestSigner};
use oci_core::clock::ManualClock;
use oci_core::Body;
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signing")
}

fn load() -> (Value, RequestSigner, ManualClock) {
    let dir = fixtures();
    let doc: Value =
        serde_json::from_slice(&std::fs::read(dir.join("vectors.json")).expect("vectors.json"))
            .expect("vectors.json is JSON");
    let pem = std::fs::read(dir.join(doc["key_file"].as_str().expect("key_file"))).expect("key");
    let key = PrivateKey::from_pem(&pem, None).expect("test key parses");
    let creds = ApiKeyCredentials::new(
        doc["tenancy"].as_str().expect("tenancy"),
        doc["user"].as_str().expect("user"),
        doc["fingerprint"].as_str().expect("fingerprint"),
        key,
    );
    let clock = ManualClock::new(std::time::UNIX_EPOCH);
    let signer = RequestSigner::new(Arc::new(creds), Arc::new(clock.clone()));
    (doc, signer, clock)
}

fn opt(v: &Value) -> Option<&str> {
    v.as_str()
}

/// Builds the request exactly as the vector describes it. The URL string is parsed by
/// `http::Uri`, which keeps the percent-encoded path and query byte-for-byte.
fn build(v: &Value) -> Result<http::Request<Body>, String> {
    let mut b = http::Request::builder()
        .method(v["method"].as_str().ok_or("method")?)
        .uri(v["url"].as_str().ok_or("url")?);
    for (name, value) in v["headers"].as_object().ok_or("headers")? {
        b = b.header(name.as_str(), value.as_str().ok_or("header value")?);
    }
    let body = match (opt(&v["body"]), v["body_encoding"].as_str()) {
        (None, _) => Body::empty(),
        (Some(s), Some("utf8")) => Body::from_bytes(s.as_bytes().to_vec()),
        (Some(s), Some("base64")) => {
            Body::from_bytes(B64.decode(s).map_err(|e| format!("base64 body: {e}"))?)
        }
        (Some(_), other) => return Err(format!("unknown body_encoding {other:?}")),
    };
    b.body(body)
        .map_err(|e| format!("building the request: {e}"))
}

fn check(v: &Value, signer: &RequestSigner, clock: &ManualClock) -> Result<(), String> {
    let date = v["date"].as_str().ok_or("date")?;
    clock.set(httpdate::parse_http_date(date).map_err(|e| format!("date: {e}"))?);
    let mut req = build(v)?;
    let exclude_body = v["exclude_body"].as_bool().ok_or("exclude_body")?;
    signer
        .sign(&mut req, exclude_body)
        .map_err(|e| format!("sign failed: {e}"))?;

    let exp = &v["expected"];
    let ours = |name: &str| -> Result<Option<String>, String> {
        req.headers()
            .get(name)
            .map(|h| {
                h.to_str()
                    .map(str::to_owned)
                    .map_err(|_| format!("{name} is not ASCII"))
            })
            .transpose()
    };
    let mut diffs = Vec::new();
    let same = |diffs: &mut Vec<String>, what: &str, ours: Option<String>, python: Option<&str>| {
        if ours.as_deref() != python {
            diffs.push(format!(
                "  {what}:\n    rust:   {ours:?}\n    python: {python:?}"
            ));
        }
    };

    same(&mut diffs, "date", ours("date")?, Some(date));
    same(
        &mut diffs,
        "authorization",
        ours("authorization")?,
        opt(&exp["authorization"]),
    );
    same(
        &mut diffs,
        "x-content-sha256",
        ours("x-content-sha256")?,
        opt(&exp["x_content_sha256"]),
    );

    let method = v["method"].as_str().ok_or("method")?;
    let body_verb = matches!(method, "POST" | "PUT" | "PATCH");
    let signed = exp["signed_headers"].as_str().ok_or("signed_headers")?;

    // content-length: equal wherever the request has a body (signed or, for exclude-body
    // uploads, sent unsigned). Bodyless verbs get none from us; `requests` (not the signer)
    // adds `Content-Length: 0` to a bodyless DELETE.
    let python_len = opt(&exp["content_length"]);
    if body_verb {
        same(
            &mut diffs,
            "content-length",
            ours("content-length")?,
            python_len,
        );
    } else {
        same(&mut diffs, "content-length", ours("content-length")?, None);
        if !(python_len.is_none() || (method == "DELETE" && python_len == Some("0"))) {
            diffs.push(format!(
                "  python content-length on {method}: {python_len:?}"
            ));
        }
    }

    // content-type: equal when it is signed or the caller set it. Otherwise it is unsigned and
    // the SDK's `setdefault("content-type", "application/json")` is a Python default we do not
    // copy (it would mislabel object uploads): we send none.
    let caller_type = v["headers"]
        .as_object()
        .ok_or("headers")?
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    let python_type = opt(&exp["content_type"]);
    if signed.split(' ').any(|h| h == "content-type") || caller_type {
        same(
            &mut diffs,
            "content-type",
            ours("content-type")?,
            python_type,
        );
    } else {
        same(&mut diffs, "content-type", ours("content-type")?, None);
        same(
            &mut diffs,
            "python default content-type (unsigned)",
            python_type.map(str::to_owned),
            Some("application/json"),
        );
    }

    if req.headers().contains_key(http::header::TRANSFER_ENCODING) {
        diffs.push("  transfer-encoding must not be sent".into());
    }

    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("\n"))
    }
}

#[test]
fn every_vector_matches_the_python_sdk_byte_for_byte() {
    let (doc, signer, clock) = load();
    let vectors = doc["vectors"].as_array().expect("vectors");
    assert!(
        vectors.len() >= 30,
        "expected at least 30 vectors, found {}",
        vectors.len()
    );
    let mut failures = Vec::new();
    // Forwards, then backwards: the signer keeps the last host's header and its signing-string
    // buffer per thread, so each vector is also signed after a different one than before.
    for v in vectors.iter().chain(vectors.iter().rev()) {
        let name = v["name"].as_str().unwrap_or("<unnamed>");
        if let Err(e) = check(v, &signer, &clock) {
            failures.push(format!(
                "vector `{name}` ({} {}):\n{e}",
                v["method"], v["url"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors differ from the Python SDK:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
}

#[test]
fn vectors_cover_every_category_and_verb() {
    let (doc, _, _) = load();
    let vectors = doc["vectors"].as_array().expect("vectors");
    for verb in ["GET", "HEAD", "DELETE", "POST", "PUT", "PATCH"] {
        assert!(
            vectors.iter().any(|v| v["method"] == verb),
            "no {verb} vector"
        );
    }
    for cat in [
        "verb",
        "empty-body",
        "unicode-body",
        "encoding",
        "host-port",
        "exclude-body",
        "caller-headers",
        "random",
    ] {
        assert!(
            vectors.iter().any(|v| v["category"] == cat),
            "no `{cat}` vector"
        );
    }
    assert!(vectors.iter().filter(|v| v["category"] == "random").count() >= 10);
}

/// A vector whose expected signature is tampered with must fail: the check is not vacuous.
#[test]
fn a_changed_byte_is_detected() {
    let (doc, signer, clock) = load();
    let mut v = doc["vectors"][0].clone();
    let auth = v["expected"]["authorization"]
        .as_str()
        .expect("auth")
        .replace("signature=\"", "signature=\"A");
    v["expected"]["authorization"] = Value::String(auth);
    assert!(check(&v, &signer, &clock).is_err());

    let mut v = doc["vectors"][0].clone();
    let url = v["url"].as_str().expect("url").to_owned() + "x";
    v["url"] = Value::String(url);
    assert!(check(&v, &signer, &clock).is_err());
}

/// CI runs this file once per backend with `OCI_EXPECT_SIGNING_BACKEND` set to the backend the
/// features should have chosen, so a feature mix-up (e.g. unification turning aws-lc back on)
/// cannot make one backend's run silently test another.
#[test]
fn the_expected_backend_signs() {
    let backend = oci_core::auth::SIGNING_BACKEND;
    assert!(["aws-lc-rs", "ring", "rsa"].contains(&backend), "{backend}");
    if let Ok(expected) = std::env::var("OCI_EXPECT_SIGNING_BACKEND") {
        assert_eq!(backend, expected, "features chose another signing backend");
    }
}
