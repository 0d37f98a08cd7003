//! Secrets: requests as they go on the wire (no I/O), the region endpoint, and the emulator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use oci_core::{Endpoint, Region, Request};
use oci_secrets::models::{Base64SecretBundleContentDetails, SecretBundleContentDetails};
use oci_secrets::operations::{GetSecretBundle, GetSecretBundleByName, OPERATIONS};
use oci_secrets::{SecretsClient, SERVICE};

fn endpoint() -> Endpoint {
    Endpoint::parse("https://secrets.vaults.us-ashburn-1.oci.oraclecloud.com/20190301").unwrap()
}

#[test]
fn get_secret_bundle_by_name_puts_everything_in_the_query() {
    let req = GetSecretBundleByName::new()
        .secret_name("db password")
        .vault_id("ocid1.vault.oc1..v")
        .version_number(3)
        .opc_request_id("rid")
        .into_http(&endpoint())
        .unwrap();
    assert_eq!(req.method(), "POST");
    assert_eq!(
        req.uri().path_and_query().unwrap().as_str(),
        "/20190301/secretbundles/actions/getByName?secretName=db+password&vaultId=ocid1.vault.oc1..v&versionNumber=3"
    );
    assert_eq!(req.headers()["opc-request-id"], "rid");
    assert_eq!(GetSecretBundleByName::OPERATION, "GetSecretBundleByName");
}

#[test]
fn get_secret_bundle_checks_its_path_before_any_io() {
    let req = GetSecretBundle::new()
        .secret_id("ocid1.secret.oc1..s")
        .secret_version_name("v/2")
        .into_http(&endpoint())
        .unwrap();
    assert_eq!(req.method(), "GET");
    assert_eq!(
        req.uri().to_string(),
        "https://secrets.vaults.us-ashburn-1.oci.oraclecloud.com/20190301/secretbundles/ocid1.secret.oc1..s?secretVersionName=v%2F2"
    );
    let err = GetSecretBundle::new().into_http(&endpoint()).unwrap_err();
    assert!(err.to_string().contains("secretId"), "{err}");
}

#[test]
fn the_region_endpoint_and_the_operation_table() {
    let region: Region = "us-phoenix-1".parse().unwrap();
    assert_eq!(
        region.endpoint(&SERVICE).unwrap().to_string(),
        "https://secrets.vaults.us-phoenix-1.oci.oraclecloud.com/20190301"
    );
    let names: Vec<&str> = OPERATIONS.iter().map(|o| o.name).collect();
    assert_eq!(
        names,
        [
            "GetSecretBundle",
            "GetSecretBundleByName",
            "ListSecretBundleVersions"
        ]
    );
}

#[test]
fn base64_content_is_decoded_with_a_typed_error() {
    let body = r#"{"contentType":"BASE64","content":"aGVsbG8="}"#;
    let content: SecretBundleContentDetails = serde_json::from_str(body).unwrap();
    let SecretBundleContentDetails::Base64(b) = content else {
        panic!("not base64: {content:?}");
    };
    assert_eq!(b.content_bytes().unwrap().as_deref(), Some(&b"hello"[..]));
    let mut bad = Base64SecretBundleContentDetails {
        content: Some("%%%".into()),
    };
    let err = bad.content_bytes().unwrap_err();
    assert!(err.to_string().contains("content"), "{err}");
    bad.set_content_bytes(b"\x00\xff");
    assert_eq!(bad.content.as_deref(), Some("AP8="));
}

#[tokio::test]
async fn an_unknown_secret_is_a_typed_not_found() {
    let (emu, client) = emulator().await;
    let err = SecretsClient::new(client)
        .list_secret_bundle_versions()
        .secret_id("ocid1.secret.oc1..s")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");
    assert_eq!(err.code(), Some("NotAuthorizedOrNotFound"), "{err}");
    assert!(err.opc_request_id().is_some(), "{err}");
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
