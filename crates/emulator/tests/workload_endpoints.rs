//! The emulator's workload-identity endpoints, driven by hand-made requests (no SDK provider):
//! IMDS, `/v1/x509` federation with both keyId forms, `ST$` session tokens (valid, expired,
//! revoked, forged), faults, the journal. The OKE proxymux and minted resource-principal
//! sessions: `workload_proxymux.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;
mod workload_support;

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use common::*;
use http::Method;
use oci_core::auth::PrivateKey;
use oci_core::clock::Clock as _;
use oci_core::Body;
use oci_emulator::{Emulator, Fault};
use serde_json::{json, Value};
use sha2::Digest as _;
use workload_support::*;

const FEDERATION_HEADERS: &[&str] = &[
    "date",
    "(request-target)",
    "content-length",
    "content-type",
    "x-content-sha256",
];

async fn imds_get(emu: &Emulator, path: &str, bearer: bool) -> http::Response<Body> {
    let mut req = request(emu, Method::GET, &format!("/opc/v2{path}"), Body::empty());
    if bearer {
        req.headers_mut()
            .insert("authorization", "Bearer Oracle".parse().unwrap());
    }
    send_raw(req).await.unwrap()
}

async fn imds_text(emu: &Emulator, path: &str) -> String {
    let resp = imds_get(emu, path, true).await;
    assert_eq!(resp.status(), 200, "{path}");
    String::from_utf8(bytes(resp).await.to_vec()).unwrap()
}

/// Colon-separated hex, as the federation keyId writes a certificate's fingerprint. The emulator
/// has the same few lines (`workload::ca`, private); this test keeps its own on purpose, so the
/// keyIds it signs with come from the protocol, not from the code under test.
fn colon_hex(bytes: &[u8], upper: bool) -> String {
    bytes
        .iter()
        .map(|b| {
            if upper {
                format!("{b:02X}")
            } else {
                format!("{b:02x}")
            }
        })
        .collect::<Vec<_>>()
        .join(":")
}

/// What IMDS serves.
struct Imds {
    cert: String,
    key: PrivateKey,
    intermediate: String,
}

async fn imds(emu: &Emulator) -> Imds {
    Imds {
        cert: imds_text(emu, "/identity/cert.pem").await,
        key: PrivateKey::from_pem(imds_text(emu, "/identity/key.pem").await.as_bytes(), None)
            .unwrap(),
        intermediate: imds_text(emu, "/identity/intermediate.pem").await,
    }
}

/// A hand-signed `POST /v1/x509` (Python's keyId form unless `sha256`).
fn federation_request(
    emu: &Emulator,
    id: &Imds,
    session_spki: &str,
    sha256: bool,
    date: SystemTime,
) -> http::Request<Body> {
    let mut body = json!({
        "certificate": bare(&id.cert),
        "publicKey": session_spki,
        "intermediateCertificates": [bare(&id.intermediate)],
    });
    let fingerprint = if sha256 {
        body["fingerprintAlgorithm"] = json!("SHA256");
        colon_hex(&sha2::Sha256::digest(der(&id.cert)), false)
    } else {
        colon_hex(&sha1::Sha1::digest(der(&id.cert)), true)
    };
    let form = if sha256 {
        "fed-x509-sha256"
    } else {
        "fed-x509"
    };
    let key_id = format!("{}/{form}/{fingerprint}", emu.tenancy_id());
    let body = body.to_string();
    let mut req = request(emu, Method::POST, "/v1/x509", Body::from(body.clone()));
    body_headers(&mut req, date, body.as_bytes());
    sign_raw(&mut req, &key_id, &id.key, FEDERATION_HEADERS);
    req
}

async fn federate(emu: &Emulator, sha256: bool) -> (String, PrivateKey) {
    let id = imds(emu).await;
    let (session, spki) = session_key();
    let resp = send_raw(federation_request(
        emu,
        &id,
        &spki,
        sha256,
        SystemTime::now(),
    ))
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    let token = json(resp).await["token"].as_str().unwrap().to_owned();
    (token, session)
}

#[tokio::test]
async fn imds_requires_bearer_oracle_and_describes_the_instance() {
    let emu = start().await;
    for path in [
        "/identity/cert.pem",
        "/identity/key.pem",
        "/identity/intermediate.pem",
        "/instance/region",
        "/instance/",
    ] {
        let resp = imds_get(&emu, path, false).await;
        assert_eq!(resp.status(), 401, "{path} without Authorization");
    }
    let id = imds(&emu).await;
    assert!(id.cert.starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(id.intermediate.starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(id.key.bits(), 2048);
    assert_ne!(der(&id.cert), der(&id.intermediate));
    assert_eq!(imds_text(&emu, "/instance/region").await, emu.region());
    let resp = imds_get(&emu, "/instance/", true).await;
    let doc = json(resp).await;
    assert_eq!(doc["id"], emu.instance_id());
    assert_eq!(doc["tenantId"], emu.tenancy_id());
    assert_eq!(doc["compartmentId"], emu.tenancy_id());
    assert_eq!(doc["canonicalRegionName"], emu.region());
    assert_eq!(doc["region"], "iad");
    assert_eq!(imds_text(&emu, "/instance/id").await, emu.instance_id());
    // The tenancy is in the leaf's subject as opc-tenant:<ocid>.
    let needle = format!("opc-tenant:{}", emu.tenancy_id());
    assert!(der(&id.cert)
        .windows(needle.len())
        .any(|w| w == needle.as_bytes()));
}

#[tokio::test]
async fn federation_accepts_python_and_go_key_ids_and_issues_a_jwt() {
    let emu = builder()
        .token_lifetime(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    for sha256 in [false, true] {
        let (token, session) = federate(&emu, sha256).await;
        let c = claims(&token);
        assert_eq!(c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(), 60);
        assert_eq!(c["opc-tenant"], emu.tenancy_id());
        assert_eq!(c["sub"], emu.instance_id());
        assert_eq!(c["ptype"], "instance");
        let jwk: Value = serde_json::from_str(c["jwk"].as_str().unwrap()).unwrap();
        assert_eq!(jwk["kty"], "RSA");
        let header: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(token.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], "RS256");
        // The token signs calls to Identity and Object Storage with the session key.
        let (status, _) =
            status_and_body(token_request(&emu, &token, &session, SystemTime::now())).await;
        assert_eq!(status, 200);
        let mut req = request(&emu, Method::GET, "/n", Body::empty());
        req.headers_mut().insert(
            "date",
            httpdate::fmt_http_date(SystemTime::now()).parse().unwrap(),
        );
        sign_raw(
            &mut req,
            &format!("ST${token}"),
            &session,
            &["date", "(request-target)", "host"],
        );
        let resp = send_raw(req).await.unwrap();
        assert_eq!(resp.status(), 200);
    }
    assert_eq!(emu.federation_calls(), 2);
    assert_eq!(emu.issued_tokens().len(), 2);
    // The journal names the principal and the jti, never the token.
    let journal = emu.journal();
    let signed: Vec<_> = journal.iter().filter_map(|e| e.key_id.clone()).collect();
    assert!(signed.iter().any(|k| k.contains(emu.instance_id())));
    assert!(signed.iter().all(|k| !k.contains("eyJ")), "{signed:?}");
}

#[tokio::test]
async fn federation_refuses_what_does_not_chain_or_match() {
    let emu = start().await;
    let id = imds(&emu).await;
    let (_, spki) = session_key();
    let now = SystemTime::now();

    // Signed by another key than the certificate's.
    let mut req = federation_request(&emu, &id, &spki, false, now);
    let key_id = format!(
        "{}/fed-x509/{}",
        emu.tenancy_id(),
        colon_hex(&sha1::Sha1::digest(der(&id.cert)), true)
    );
    sign_raw(&mut req, &key_id, &seeded_key(&emu), FEDERATION_HEADERS);
    let (status, body) = status_and_body(req).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("NotAuthenticated"))
    );

    // A keyId naming another certificate's fingerprint.
    let mut req = federation_request(&emu, &id, &spki, false, now);
    let wrong = format!(
        "{}/fed-x509/{}",
        emu.tenancy_id(),
        colon_hex(&[0xab; 20], true)
    );
    sign_raw(&mut req, &wrong, &id.key, FEDERATION_HEADERS);
    let (status, body) = status_and_body(req).await;
    assert_eq!(status, 401);
    assert!(
        body["message"].as_str().unwrap().contains("fingerprint"),
        "{body}"
    );

    // A keyId naming another tenancy.
    let mut req = federation_request(&emu, &id, &spki, false, now);
    let other = key_id.replacen(emu.tenancy_id(), "ocid1.tenancy.oc1..other", 1);
    sign_raw(&mut req, &other, &id.key, FEDERATION_HEADERS);
    assert_eq!(status_and_body(req).await.0, 401);

    // No intermediate: the leaf does not chain to the emulator's CA.
    let body =
        json!({"certificate": bare(&id.cert), "publicKey": spki, "intermediateCertificates": []})
            .to_string();
    let mut req = request(&emu, Method::POST, "/v1/x509", Body::from(body.clone()));
    body_headers(&mut req, now, body.as_bytes());
    sign_raw(&mut req, &key_id, &id.key, FEDERATION_HEADERS);
    let (status, body) = status_and_body(req).await;
    assert_eq!(status, 401);
    assert!(
        body["message"].as_str().unwrap().contains("intermediate"),
        "{body}"
    );

    // Malformed certificate, intermediate and public key: typed 400s, not a crash.
    for (cert, inter, public) in [
        ("bm90IGEgY2VydA==", bare(&id.intermediate), spki.clone()),
        ("%%%", bare(&id.intermediate), spki.clone()),
        (&*bare(&id.cert), "AAAA".to_owned(), spki.clone()),
        (&*bare(&id.cert), bare(&id.intermediate), "AAAA".to_owned()),
    ] {
        let body =
            json!({"certificate": cert, "publicKey": public, "intermediateCertificates": [inter]})
                .to_string();
        let mut req = request(&emu, Method::POST, "/v1/x509", Body::from(body.clone()));
        body_headers(&mut req, now, body.as_bytes());
        sign_raw(&mut req, &key_id, &id.key, FEDERATION_HEADERS);
        let (status, body) = status_and_body(req).await;
        assert!(status == 400 || status == 401, "{status} {body}");
        assert!(body["code"].is_string());
    }
    let (status, _) =
        status_and_body(request(&emu, Method::POST, "/v1/x509", Body::from("{"))).await;
    assert_eq!(status, 400);
    // The signed body must be the body sent.
    let mut req = federation_request(&emu, &id, &spki, false, now);
    req.headers_mut()
        .insert("x-content-sha256", B64.encode([0u8; 32]).parse().unwrap());
    assert_eq!(status_and_body(req).await.0, 401);
    assert!(emu.issued_tokens().is_empty());
}

#[tokio::test]
async fn expired_revoked_and_forged_tokens_are_not_authenticated() {
    let clock = manual_clock();
    let emu = builder()
        .clock(clock.clone())
        .token_lifetime(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let id = imds(&emu).await;
    let (session, spki) = session_key();
    let resp = send_raw(federation_request(&emu, &id, &spki, true, clock.now()))
        .await
        .unwrap();
    let token = json(resp).await["token"].as_str().unwrap().to_owned();
    let ok = |at| token_request(&emu, &token, &session, at);
    assert_eq!(status_and_body(ok(clock.now())).await.0, 200);

    // Forged: the payload changed (a longer exp), the signature kept.
    let parts: Vec<&str> = token.split('.').collect();
    let mut c = claims(&token);
    c["exp"] = json!(c["exp"].as_u64().unwrap() + 3600);
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(c.to_string()),
        parts[2]
    );
    let (status, body) = status_and_body(token_request(&emu, &forged, &session, clock.now())).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("NotAuthenticated"))
    );
    // A real token with another private key.
    let wrong = PrivateKey::from_pem(emu.private_key_pem().as_bytes(), None).unwrap();
    assert_eq!(
        status_and_body(token_request(&emu, &token, &wrong, clock.now()))
            .await
            .0,
        401
    );
    // Garbage after ST$.
    assert_eq!(
        status_and_body(token_request(&emu, "x.y.z", &session, clock.now()))
            .await
            .0,
        401
    );

    // Expired on the emulator's clock.
    clock.advance(Duration::from_secs(61));
    let (status, body) = status_and_body(ok(clock.now())).await;
    assert_eq!(status, 401);
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );

    // A fresh token, then revoked.
    let resp = send_raw(federation_request(&emu, &id, &spki, false, clock.now()))
        .await
        .unwrap();
    let token = json(resp).await["token"].as_str().unwrap().to_owned();
    assert_eq!(
        status_and_body(token_request(&emu, &token, &session, clock.now()))
            .await
            .0,
        200
    );
    let jti = claims(&token)["jti"].as_str().unwrap().to_owned();
    assert!(emu.revoke_token(&jti));
    let (status, body) = status_and_body(token_request(&emu, &token, &session, clock.now())).await;
    assert_eq!(status, 401);
    assert!(
        body["message"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    let issued = emu.issued_tokens();
    assert_eq!(issued.len(), 2);
    assert!(issued[1].revoked && !issued[0].revoked);
    assert!(!emu.revoke_token("no-such-jti"));
}

#[tokio::test]
async fn faults_and_the_journal_apply_to_imds_and_federation() {
    let emu = start().await;
    emu.add_fault(
        Fault::status(503, "ServiceUnavailable")
            .operation("X509Federation")
            .nth(1),
    );
    emu.add_fault(
        Fault::status(500, "InternalServerError")
            .service("imds")
            .operation("GetInstanceKey")
            .nth(1),
    );
    let resp = imds_get(&emu, "/identity/key.pem", true).await;
    assert_eq!(resp.status(), 500);
    let id = imds(&emu).await; // the second key.pem succeeds
    let (_, spki) = session_key();
    let resp = send_raw(federation_request(
        &emu,
        &id,
        &spki,
        false,
        SystemTime::now(),
    ))
    .await
    .unwrap();
    assert_eq!(resp.status(), 503);
    let resp = send_raw(federation_request(
        &emu,
        &id,
        &spki,
        false,
        SystemTime::now(),
    ))
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(emu.federation_calls(), 2);
    let journal = emu.journal();
    let fed: Vec<_> = journal
        .iter()
        .filter(|e| e.operation == "X509Federation")
        .collect();
    assert_eq!(fed[0].status, Some(503));
    assert!(fed[0].fault.is_some());
    assert_eq!(fed[1].status, Some(200));
    assert!(journal
        .iter()
        .any(|e| e.service == "imds" && e.status == Some(500)));
}
