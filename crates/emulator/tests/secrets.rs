//! Vault secrets against the emulator with the generated clients: create a secret in a KMS
//! vault, add versions, read bundles by id and by name, by version and by stage.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use common::*;
use oci_keymanagement::models::{CreateVaultDetails, CreateVaultDetailsVaultType};
use oci_keymanagement::KmsVaultClient;
use oci_secrets::models::{SecretBundle, SecretBundleContentDetails, Stage};
use oci_secrets::SecretsClient;
use oci_vault::models::{
    Base64SecretContentDetails, CreateSecretDetails, SecretContentDetails,
    SecretContentDetailsStage, UpdateSecretDetails,
};
use oci_vault::VaultsClient;

fn content(bundle: &SecretBundle) -> String {
    match bundle.secret_bundle_content.as_ref() {
        Some(SecretBundleContentDetails::Base64(c)) => {
            let bytes = oci_core::b64::decode_field(c.content.as_deref().unwrap_or(""), "content");
            String::from_utf8(bytes.unwrap()).unwrap()
        }
        other => panic!("unexpected content {other:?}"),
    }
}

fn version(
    text: &str,
    name: Option<&str>,
    stage: Option<SecretContentDetailsStage>,
) -> SecretContentDetails {
    SecretContentDetails::Base64(Base64SecretContentDetails {
        name: name.map(str::to_owned),
        stage,
        content: Some(oci_core::b64::encode(text.as_bytes())),
    })
}

#[tokio::test]
async fn bundles_by_id_name_version_and_stage() {
    let emu = start().await;
    let c = client(&emu);
    let t = emu.tenancy_id().to_owned();
    let vault = KmsVaultClient::new(c.clone())
        .create_vault()
        .create_vault_details(CreateVaultDetails {
            compartment_id: t.clone(),
            display_name: "app".into(),
            vault_type: CreateVaultDetailsVaultType::Default,
            defined_tags: None,
            freeform_tags: None,
            external_key_manager_metadata: None,
        })
        .send()
        .await
        .unwrap()
        .body;
    let vaults = VaultsClient::new(c.clone());
    let secret = vaults
        .create_secret()
        .create_secret_details(CreateSecretDetails {
            compartment_id: t.clone(),
            vault_id: vault.id.clone(),
            secret_name: "db-password".into(),
            secret_content: Some(version("one", Some("v1"), None)),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .body;
    let update = |details: UpdateSecretDetails| {
        vaults
            .update_secret()
            .secret_id(secret.id.clone())
            .update_secret_details(details)
            .send()
    };
    update(UpdateSecretDetails {
        secret_content: Some(version("two", None, None)),
        ..Default::default()
    })
    .await
    .unwrap();
    let pending = update(UpdateSecretDetails {
        secret_content: Some(version(
            "three",
            None,
            Some(SecretContentDetailsStage::Pending),
        )),
        ..Default::default()
    })
    .await
    .unwrap()
    .body;
    assert_eq!(pending.current_version_number, Some(2));

    let secrets = SecretsClient::new(c.clone());
    let current = secrets
        .get_secret_bundle()
        .secret_id(secret.id.clone())
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(
        (current.version_number, content(&current).as_str()),
        (2, "two")
    );
    let by_name = |stage: Stage| {
        secrets
            .get_secret_bundle_by_name()
            .secret_name("db-password")
            .vault_id(vault.id.clone())
            .stage(stage)
            .send()
    };
    let b = by_name(Stage::Pending).await.unwrap().body;
    assert_eq!((b.version_number, content(&b).as_str()), (3, "three"));
    assert_eq!(
        by_name(Stage::Previous).await.unwrap().body.version_number,
        1
    );
    assert_eq!(by_name(Stage::Latest).await.unwrap().body.version_number, 3);
    let v1 = secrets
        .get_secret_bundle()
        .secret_id(secret.id.clone())
        .secret_version_name("v1")
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(content(&v1), "one");
    let v2 = secrets
        .get_secret_bundle()
        .secret_id(secret.id.clone())
        .version_number(2)
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(content(&v2), "two");

    // Promoting the pending version: it becomes CURRENT, 2 becomes PREVIOUS.
    update(UpdateSecretDetails {
        current_version_number: Some(3),
        ..Default::default()
    })
    .await
    .unwrap();
    let now = secrets
        .get_secret_bundle()
        .secret_id(secret.id.clone())
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(content(&now), "three");
    assert_eq!(
        by_name(Stage::Previous).await.unwrap().body.version_number,
        2
    );
    let listed = secrets
        .list_secret_bundle_versions()
        .secret_id(secret.id.clone())
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(listed.len(), 3);

    // Unknown names and versions are 404; a duplicate name in the vault is 409.
    let missing = secrets
        .get_secret_bundle_by_name()
        .secret_name("nope")
        .vault_id(vault.id.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404));
    let dup = vaults
        .create_secret()
        .create_secret_details(CreateSecretDetails {
            compartment_id: t.clone(),
            vault_id: vault.id.clone(),
            secret_name: "db-password".into(),
            secret_content: Some(version("x", None, None)),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(dup.status().map(|s| s.as_u16()), Some(409));
    emu.shutdown().await;
}
