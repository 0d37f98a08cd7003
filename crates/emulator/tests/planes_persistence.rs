//! The data planes' state survives a restart with a data directory: KMS key material (a
//! ciphertext made before decrypts after) and queued messages.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use common::*;
use oci_emulator::Emulator;
use oci_keymanagement::models::{
    CreateKeyDetails, CreateVaultDetails, DecryptDataDetails, EncryptDataDetails,
};
use oci_keymanagement::KmsVaultClient;
use oci_queue::models::{CreateQueueDetails, PutMessagesDetails, PutMessagesDetailsEntry};
use oci_queue::QueueAdminClient;

#[tokio::test]
async fn keys_and_messages_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let c = client(&emu);
    let t = emu.tenancy_id().to_owned();
    let vaults = KmsVaultClient::new(c.clone());
    let details: CreateVaultDetails = serde_json::from_value(
        serde_json::json!({ "compartmentId": t, "displayName": "v", "vaultType": "DEFAULT" }),
    )
    .unwrap();
    let vault = vaults
        .create_vault()
        .create_vault_details(details)
        .send()
        .await
        .unwrap()
        .body;
    let key_details: CreateKeyDetails = serde_json::from_value(serde_json::json!({
        "compartmentId": t, "displayName": "k", "keyShape": { "algorithm": "AES", "length": 32 }
    }))
    .unwrap();
    let mgmt = vault.management_client(&vaults).unwrap();
    let key = mgmt
        .create_key()
        .create_key_details(key_details)
        .send()
        .await
        .unwrap()
        .body;
    let mut enc = EncryptDataDetails {
        key_id: key.id.clone(),
        ..Default::default()
    };
    enc.set_plaintext_bytes(b"kept");
    let crypto = vault.crypto_client(&vaults).unwrap();
    let ct = crypto
        .encrypt()
        .encrypt_data_details(enc)
        .send()
        .await
        .unwrap()
        .body
        .ciphertext;

    let admin = QueueAdminClient::new(c.clone());
    let wr = admin
        .create_queue()
        .create_queue_details(CreateQueueDetails {
            display_name: "q".into(),
            compartment_id: t.clone(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .opc_work_request_id
        .unwrap();
    let wr = admin
        .get_work_request()
        .work_request_id(wr)
        .send()
        .await
        .unwrap()
        .body;
    let queue_id = wr.resources[0].identifier.clone();
    let q = admin
        .get_queue()
        .queue_id(queue_id.clone())
        .send()
        .await
        .unwrap()
        .body;
    q.messages_client(&admin)
        .unwrap()
        .put_messages()
        .queue_id(queue_id.clone())
        .put_messages_details(PutMessagesDetails {
            messages: vec![PutMessagesDetailsEntry {
                content: "durable".into(),
                ..Default::default()
            }],
        })
        .send()
        .await
        .unwrap();
    emu.shutdown().await;

    let emu = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let c = client(&emu);
    let vaults = KmsVaultClient::new(c.clone());
    let vault = vaults
        .get_vault()
        .vault_id(vault.id.clone())
        .send()
        .await
        .unwrap()
        .body;
    let back = vault
        .crypto_client(&vaults)
        .unwrap()
        .decrypt()
        .decrypt_data_details(DecryptDataDetails {
            key_id: key.id.clone(),
            ciphertext: ct,
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(back.plaintext_bytes().unwrap().unwrap(), b"kept");
    let admin = QueueAdminClient::new(c);
    let q = admin
        .get_queue()
        .queue_id(queue_id.clone())
        .send()
        .await
        .unwrap()
        .body;
    let got = q
        .messages_client(&admin)
        .unwrap()
        .get_messages()
        .queue_id(queue_id)
        .timeout_in_seconds(0)
        .send()
        .await
        .unwrap()
        .body
        .messages;
    assert_eq!(got[0].content, "durable");
    emu.shutdown().await;
}
