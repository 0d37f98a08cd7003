//! Vault (secret management): requests on the wire (no I/O), base64 content, the emulator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use oci_core::{Endpoint, Request};
use oci_vault::models::{Base64SecretContentDetails, CreateSecretDetails, SecretContentDetails};
use oci_vault::operations::{CreateSecret, ListSecrets, OPERATIONS};
use oci_vault::VaultsClient;

fn endpoint() -> Endpoint {
    Endpoint::parse("https://vaults.us-ashburn-1.oci.oraclecloud.com/20180608").unwrap()
}

#[test]
fn create_secret_sends_base64_content_and_a_retry_token() {
    let mut content = Base64SecretContentDetails::default();
    content.set_content_bytes(b"s3cret");
    let details = CreateSecretDetails {
        compartment_id: "ocid1.compartment.oc1..c".into(),
        key_id: "ocid1.key.oc1..k".into(),
        secret_name: "db".into(),
        vault_id: "ocid1.vault.oc1..v".into(),
        secret_content: Some(SecretContentDetails::Base64(content)),
        ..Default::default()
    };
    let req = CreateSecret::new()
        .create_secret_details(details)
        .opc_retry_token("t1")
        .into_http(&endpoint())
        .unwrap();
    assert_eq!(req.method(), "POST");
    assert_eq!(req.uri().path(), "/20180608/secrets");
    assert_eq!(req.headers()["opc-retry-token"], "t1");
    assert!(<CreateSecret as Request>::info().retry_token);
    let body: serde_json::Value = serde_json::from_slice(req.body().as_bytes().unwrap()).unwrap();
    assert_eq!(body["secretName"], "db");
    assert_eq!(body["secretContent"]["contentType"], "BASE64");
    assert_eq!(body["secretContent"]["content"], "czNjcmV0");
}

#[test]
fn list_secrets_query_and_table() {
    let req = ListSecrets::new()
        .compartment_id("ocid1.compartment.oc1..c")
        .limit(5)
        .page("p2")
        .into_http(&endpoint())
        .unwrap();
    assert_eq!(
        req.uri().path_and_query().unwrap().as_str(),
        "/20180608/secrets?compartmentId=ocid1.compartment.oc1..c&limit=5&page=p2"
    );
    assert_eq!(OPERATIONS.len(), 13);
    assert!(OPERATIONS
        .iter()
        .any(|o| o.name == "RotateSecret" && o.method == "POST"));
}

#[tokio::test]
async fn the_emulator_answers_a_call_it_does_not_emulate() {
    let (emu, client) = emulator().await;
    let err = VaultsClient::new(client)
        .cancel_secret_rotation()
        .secret_id("ocid1.secret.oc1..s")
        .send()
        .await
        .unwrap_err();
    assert!(
        oci_emulator::is_not_emulated(&err, "CancelSecretRotation"),
        "{err}"
    );
    emu.shutdown().await;
}

async fn emulator() -> (oci_emulator::Emulator, oci_core::Client) {
    let emu = oci_emulator::Emulator::builder().start().await.unwrap();
    let client = emu
        .client_builder()
        .retry_policy(oci_core::layers::RetryPolicy::none())
        .build()
        .unwrap();
    (emu, client)
}
