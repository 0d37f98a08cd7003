//! KMS: requests on the wire (no I/O), a vault's crypto and management endpoints, the
//! emulator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use oci_core::testing::MockTransport;
use oci_core::{Endpoint, Request};
use oci_keymanagement::models::{DecryptedData, EncryptDataDetails, Vault, VaultSummary};
use oci_keymanagement::{kms_crypto, kms_management, kms_vault, KmsVaultClient};

fn vault_json(crypto: &str) -> serde_json::Value {
    serde_json::json!({
        "compartmentId": "ocid1.compartment.oc1..c",
        "cryptoEndpoint": crypto,
        "displayName": "v",
        "id": "ocid1.vault.oc1..v",
        "lifecycleState": "ACTIVE",
        "managementEndpoint": "https://abc-management.kms.us-ashburn-1.oraclecloud.com",
        "timeCreated": "2024-01-02T03:04:05Z",
        "vaultType": "DEFAULT",
        "wrappingkeyId": "ocid1.key.oc1..w"
    })
}

#[test]
fn encrypt_sends_base64_plaintext_to_the_crypto_endpoint() {
    let mut details = EncryptDataDetails {
        key_id: "ocid1.key.oc1..k".into(),
        ..Default::default()
    };
    details.set_plaintext_bytes(b"hello");
    let ep = Endpoint::parse("https://abc-crypto.kms.us-ashburn-1.oraclecloud.com").unwrap();
    let req = kms_crypto::operations::Encrypt::new()
        .encrypt_data_details(details)
        .into_http(&ep)
        .unwrap();
    assert_eq!(req.method(), "POST");
    assert_eq!(
        req.uri().to_string(),
        "https://abc-crypto.kms.us-ashburn-1.oraclecloud.com/20180608/encrypt"
    );
    let body: serde_json::Value = serde_json::from_slice(req.body().as_bytes().unwrap()).unwrap();
    assert_eq!(body["plaintext"], "aGVsbG8=");
    assert_eq!(body["keyId"], "ocid1.key.oc1..k");

    let out: DecryptedData =
        serde_json::from_str(r#"{"plaintext":"aGVsbG8=","plaintextChecksum":"1"}"#).unwrap();
    assert_eq!(
        out.plaintext_bytes().unwrap().as_deref(),
        Some(&b"hello"[..])
    );
}

#[test]
fn list_vaults_query_and_each_clients_table() {
    let ep = Endpoint::parse("https://kms.us-ashburn-1.oraclecloud.com").unwrap();
    let req = kms_vault::operations::ListVaults::new()
        .compartment_id("ocid1.compartment.oc1..c")
        .limit(2)
        .into_http(&ep)
        .unwrap();
    assert_eq!(
        req.uri().path_and_query().unwrap().as_str(),
        "/20180608/vaults?compartmentId=ocid1.compartment.oc1..c&limit=2"
    );
    assert_eq!(kms_crypto::operations::OPERATIONS.len(), 6);
    assert_eq!(kms_management::operations::OPERATIONS.len(), 21);
    assert_eq!(kms_vault::operations::OPERATIONS.len(), 15);
    let names = [
        kms_crypto::SERVICE.name,
        kms_management::SERVICE.name,
        kms_vault::SERVICE.name,
    ];
    assert_eq!(names, ["kms_crypto", "kms_management", "kms_vault"]);
}

#[tokio::test]
async fn a_vaults_data_plane_clients_use_its_endpoints_and_the_same_stack() {
    let mock = MockTransport::new();
    mock.push_json(
        200,
        vault_json("https://abc-crypto.kms.us-ashburn-1.oraclecloud.com").to_string(),
    );
    mock.push_json(200, r#"{"ciphertext":"c2VhbGVk"}"#);
    mock.push_json(200, "[]");
    let vaults = KmsVaultClient::new(mock.client().unwrap());
    let vault: Vault = vaults
        .get_vault()
        .vault_id("ocid1.vault.oc1..v")
        .send()
        .await
        .unwrap()
        .body;

    let crypto = vault.crypto_client(&vaults).unwrap();
    let mut details = EncryptDataDetails {
        key_id: "ocid1.key.oc1..k".into(),
        ..Default::default()
    };
    details.set_plaintext_bytes(b"x");
    let sealed = crypto
        .encrypt()
        .encrypt_data_details(details)
        .send()
        .await
        .unwrap();
    assert_eq!(sealed.body.ciphertext, "c2VhbGVk");

    let management = vault.management_client(vaults.client()).unwrap();
    management
        .list_keys()
        .compartment_id("c")
        .send()
        .await
        .unwrap();

    let seen = mock.requests();
    assert_eq!(
        seen[0].uri.to_string(),
        "http://127.0.0.1:1/20180608/vaults/ocid1.vault.oc1..v"
    );
    assert_eq!(
        seen[1].uri.to_string(),
        "https://abc-crypto.kms.us-ashburn-1.oraclecloud.com/20180608/encrypt"
    );
    assert_eq!(
        seen[2].uri.host(),
        Some("abc-management.kms.us-ashburn-1.oraclecloud.com")
    );
    // One signer for all three.
    assert!(seen.iter().all(|r| r.headers.contains_key("authorization")));

    // A summary has the endpoints too; a bad one is a typed error, before any I/O.
    let mut json = vault_json("not a url");
    json.as_object_mut().unwrap().remove("wrappingkeyId");
    let summary: VaultSummary = serde_json::from_value(json).unwrap();
    let err = summary.crypto_client(&vaults).unwrap_err();
    assert!(
        err.to_string().contains("VaultSummary.cryptoEndpoint"),
        "{err}"
    );
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test]
async fn the_emulator_answers_a_call_it_does_not_emulate() {
    let (emu, client) = emulator().await;
    let err = kms_management::KmsManagementClient::new(client)
        .get_wrapping_key()
        .send()
        .await
        .unwrap_err();
    assert!(
        oci_emulator::is_not_emulated(&err, "GetWrappingKey"),
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
