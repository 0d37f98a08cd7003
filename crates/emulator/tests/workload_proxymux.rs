//! The OKE proxymux (a known service account exchanged for a resource-principal session token)
//! and minted resource-principal sessions signing requests, driven by hand-made requests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;
mod workload_support;

use std::time::SystemTime;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use common::*;
use http::Method;
use oci_core::auth::PrivateKey;
use oci_core::Body;
use serde_json::{json, Value};
use workload_support::*;

#[tokio::test]
async fn proxymux_exchanges_a_known_service_account_for_an_rpst() {
    let emu = start().await;
    let (session, spki) = session_key();
    let body = json!({ "podKey": spki }).to_string();
    let post = |bearer: Option<&str>, body: &str| {
        let mut req = request(
            &emu,
            Method::POST,
            "/resourcePrincipalSessionTokens",
            Body::from(body.to_owned()),
        );
        if let Some(b) = bearer {
            req.headers_mut()
                .insert("authorization", format!("Bearer {b}").parse().unwrap());
        }
        req
    };
    assert_eq!(send_raw(post(None, &body)).await.unwrap().status(), 401);
    assert_eq!(
        send_raw(post(Some("unknown"), &body))
            .await
            .unwrap()
            .status(),
        401
    );
    let bad = send_raw(post(
        Some(emu.service_account_token()),
        "{\"podKey\":\"AAAA\"}",
    ))
    .await
    .unwrap();
    assert_eq!(bad.status(), 400);

    let resp = send_raw(post(Some(emu.service_account_token()), &body))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let decoded = B64.decode(bytes(resp).await).unwrap();
    let answer: Value = serde_json::from_slice(&decoded).unwrap();
    let token = answer["token"]
        .as_str()
        .unwrap()
        .strip_prefix("ST$")
        .unwrap();
    let c = claims(token);
    assert_eq!(c["res_tenant"], emu.tenancy_id());
    assert_eq!(c["res_compartment"], emu.tenancy_id());
    assert_eq!(
        status_and_body(token_request(&emu, token, &session, SystemTime::now()))
            .await
            .0,
        200
    );
    emu.add_service_account_token("second");
    assert_eq!(
        send_raw(post(Some("second"), &body))
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn minted_resource_principal_sessions_sign_requests() {
    let emu = start().await;
    let rp = emu.mint_resource_principal().unwrap();
    let shown = format!("{rp:?}");
    assert!(
        !shown.contains(&rp.rpst) && !shown.contains("PRIVATE KEY"),
        "{shown}"
    );
    let c = claims(&rp.rpst);
    assert_eq!(c["res_tenant"], emu.tenancy_id());
    assert_eq!(c["res_compartment"], rp.compartment_id);
    let key = PrivateKey::from_pem(rp.private_pem.as_bytes(), None).unwrap();
    assert_eq!(
        status_and_body(token_request(&emu, &rp.rpst, &key, SystemTime::now()))
            .await
            .0,
        200
    );
    // The same over the control API.
    let resp = send_raw(request(
        &emu,
        Method::POST,
        "/_emulator/resource-principals",
        Body::from("{}"),
    ))
    .await
    .unwrap();
    let minted = json(resp).await;
    let key =
        PrivateKey::from_pem(minted["privatePem"].as_str().unwrap().as_bytes(), None).unwrap();
    let rpst = minted["rpst"].as_str().unwrap();
    assert_eq!(
        status_and_body(token_request(&emu, rpst, &key, SystemTime::now()))
            .await
            .0,
        200
    );
    // Revoke everything over the control API.
    let resp = send_raw(request(
        &emu,
        Method::POST,
        "/_emulator/tokens/revoke",
        Body::empty(),
    ))
    .await
    .unwrap();
    assert_eq!(json(resp).await["revoked"], 2);
    assert_eq!(
        status_and_body(token_request(&emu, rpst, &key, SystemTime::now()))
            .await
            .0,
        401
    );
}
