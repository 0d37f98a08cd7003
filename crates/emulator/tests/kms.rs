//! KMS against the emulator with the generated clients: a vault's endpoints point back at the
//! emulator, keys are made at the management endpoint, and AES-GCM at the crypto endpoint
//! binds the key, the key version and the associated data.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::collections::HashMap;

use base64::Engine as _;
use common::*;
use oci_keymanagement::models::{
    CreateKeyDetails, CreateVaultDetails, CreateVaultDetailsVaultType, DecryptDataDetails,
    EncryptDataDetails, GenerateKeyDetails, KeyShape, KeyShapeAlgorithm, Vault,
};
use oci_keymanagement::{KmsCryptoClient, KmsManagementClient, KmsVaultClient};

fn aes() -> KeyShape {
    serde_json::from_value(serde_json::json!({ "algorithm": "AES", "length": 32 })).unwrap()
}

async fn vault(vaults: &KmsVaultClient, compartment: &str, name: &str) -> Vault {
    let details: CreateVaultDetails = serde_json::from_value(serde_json::json!({
        "compartmentId": compartment, "displayName": name, "vaultType": "DEFAULT"
    }))
    .unwrap();
    assert_eq!(details.vault_type, CreateVaultDetailsVaultType::Default);
    vaults
        .create_vault()
        .create_vault_details(details)
        .send()
        .await
        .unwrap()
        .body
}

async fn key(mgmt: &KmsManagementClient, compartment: &str, name: &str) -> String {
    let mut details: CreateKeyDetails = serde_json::from_value(serde_json::json!({
        "compartmentId": compartment, "displayName": name,
        "keyShape": { "algorithm": "AES", "length": 32 }
    }))
    .unwrap();
    assert_eq!(details.key_shape.algorithm, KeyShapeAlgorithm::Aes);
    details.key_shape = aes();
    mgmt.create_key()
        .create_key_details(details)
        .send()
        .await
        .unwrap()
        .body
        .id
}

async fn encrypt(
    crypto: &KmsCryptoClient,
    key_id: &str,
    plain: &[u8],
    aad: Option<&str>,
) -> String {
    let mut details = EncryptDataDetails {
        key_id: key_id.into(),
        associated_data: aad.map(|a| HashMap::from([("ctx".to_owned(), a.to_owned())])),
        ..Default::default()
    };
    details.set_plaintext_bytes(plain);
    let out = crypto
        .encrypt()
        .encrypt_data_details(details)
        .send()
        .await
        .unwrap();
    out.body.ciphertext
}

fn decrypt_details(key_id: &str, ciphertext: &str, aad: Option<&str>) -> DecryptDataDetails {
    DecryptDataDetails {
        key_id: key_id.into(),
        ciphertext: ciphertext.into(),
        associated_data: aad.map(|a| HashMap::from([("ctx".to_owned(), a.to_owned())])),
        ..Default::default()
    }
}

#[tokio::test]
async fn aes_gcm_binds_key_version_and_associated_data() {
    let emu = start().await;
    let c = client(&emu);
    let t = emu.tenancy_id().to_owned();
    let vaults = KmsVaultClient::new(c.clone());
    let v = vault(&vaults, &t, "v1").await;
    let base = emu.endpoint().to_string();
    let crypto_endpoint = v.crypto_endpoint.clone();
    assert!(
        crypto_endpoint.starts_with(base.trim_end_matches('/')),
        "{crypto_endpoint}"
    );
    assert!(crypto_endpoint.contains(&v.id));

    let mgmt = v.management_client(&vaults).unwrap();
    let crypto = v.crypto_client(&vaults).unwrap();
    let k1 = key(&mgmt, &t, "k1").await;
    let k2 = key(&mgmt, &t, "k2").await;

    let ct = encrypt(&crypto, &k1, b"attack at dawn", Some("a")).await;
    let back = crypto
        .decrypt()
        .decrypt_data_details(decrypt_details(&k1, &ct, Some("a")))
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(back.plaintext_bytes().unwrap().unwrap(), b"attack at dawn");

    // Another key, other associated data, a changed byte: all fail with 400.
    for (key_id, ct, aad) in [
        (&k2, ct.clone(), Some("a")),
        (&k1, ct.clone(), Some("b")),
        (&k1, ct.clone(), None),
        (
            &k1,
            {
                let mut raw = base64::engine::general_purpose::STANDARD
                    .decode(&ct)
                    .unwrap();
                raw[20] ^= 0x40;
                base64::engine::general_purpose::STANDARD.encode(raw)
            },
            Some("a"),
        ),
    ] {
        let err = crypto
            .decrypt()
            .decrypt_data_details(decrypt_details(key_id, &ct, aad))
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");
    }

    // A new key version becomes current; the old ciphertext still decrypts.
    let v2 = mgmt
        .create_key_version()
        .key_id(k1.clone())
        .send()
        .await
        .unwrap()
        .body;
    let got = mgmt.get_key().key_id(k1.clone()).send().await.unwrap().body;
    assert_eq!(got.current_key_version, v2.id);
    let new_ct = encrypt(&crypto, &k1, b"x", None).await;
    let new_back = crypto
        .decrypt()
        .decrypt_data_details(decrypt_details(&k1, &new_ct, None))
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(new_back.key_version_id.as_deref(), Some(v2.id.as_str()));
    let old_back = crypto
        .decrypt()
        .decrypt_data_details(decrypt_details(&k1, &ct, Some("a")))
        .send()
        .await
        .unwrap()
        .body;
    assert_ne!(old_back.key_version_id.as_deref(), Some(v2.id.as_str()));

    // A data key: its ciphertext unwraps to its plaintext.
    let dek = crypto
        .generate_data_encryption_key()
        .generate_key_details(GenerateKeyDetails {
            key_id: k1.clone(),
            include_plaintext_key: true,
            key_shape: aes(),
            associated_data: None,
            logging_context: None,
        })
        .send()
        .await
        .unwrap()
        .body;
    let unwrapped = crypto
        .decrypt()
        .decrypt_data_details(decrypt_details(&k1, &dek.ciphertext, None))
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(Some(unwrapped.plaintext), dek.plaintext);

    // Keys belong to their vault: another vault's crypto endpoint does not know k1.
    let other = vault(&vaults, &t, "v2").await;
    let err = other
        .crypto_client(&vaults)
        .unwrap()
        .decrypt()
        .decrypt_data_details(decrypt_details(&k1, &ct, Some("a")))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    emu.shutdown().await;
}
