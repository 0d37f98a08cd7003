//! A service reads its secrets from OCI Vault when it starts.
//!
//! Run with `cargo run --example secrets_at_startup --features secrets,vault,keymanagement`.
//! Against the in-process emulator: an operator step creates a KMS vault and two secrets (and
//! rotates one, staging a PENDING version); then the service starts, reads each secret's
//! CURRENT version by name (vault id + secret name, as a deployment would configure it), and
//! builds its configuration. The values never reach the output: only their lengths.

use oci_emulator::Emulator;
use oci_tower::keymanagement::models::{CreateVaultDetails, CreateVaultDetailsVaultType};
use oci_tower::keymanagement::KmsVaultClient;
use oci_tower::secrets::models::{SecretBundleContentDetails, Stage};
use oci_tower::secrets::SecretsClient;
use oci_tower::vault::models::{
    Base64SecretContentDetails, CreateSecretDetails, SecretContentDetails,
    SecretContentDetailsStage, UpdateSecretDetails,
};
use oci_tower::vault::VaultsClient;
use oci_tower::Client;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the service needs from Vault.
struct AppConfig {
    db_password: String,
    api_token: String,
}

fn content(text: &str, stage: Option<SecretContentDetailsStage>) -> SecretContentDetails {
    SecretContentDetails::Base64(Base64SecretContentDetails {
        name: None,
        stage,
        content: Some(oci_tower::b64::encode(text)),
    })
}

/// The operator's part: a vault with the service's secrets.
async fn provision(client: &Client, compartment: &str) -> Result<String, BoxError> {
    let vault = KmsVaultClient::new(client.clone())
        .create_vault()
        .create_vault_details(CreateVaultDetails {
            compartment_id: compartment.into(),
            display_name: "app-vault".into(),
            vault_type: CreateVaultDetailsVaultType::Default,
            defined_tags: None,
            freeform_tags: None,
            external_key_manager_metadata: None,
        })
        .send()
        .await?
        .body;
    let vaults = VaultsClient::new(client.clone());
    let mut ids = Vec::new();
    for (name, value) in [
        ("db-password", "correct horse battery"),
        ("api-token", "tok-1"),
    ] {
        let secret = vaults
            .create_secret()
            .create_secret_details(CreateSecretDetails {
                compartment_id: compartment.into(),
                vault_id: vault.id.clone(),
                secret_name: name.into(),
                secret_content: Some(content(value, None)),
                ..Default::default()
            })
            .send()
            .await?
            .body;
        ids.push(secret.id);
    }
    // A rotation in progress: a PENDING token the service must not pick up yet.
    vaults
        .update_secret()
        .secret_id(ids[1].clone())
        .update_secret_details(UpdateSecretDetails {
            secret_content: Some(content("tok-2", Some(SecretContentDetailsStage::Pending))),
            ..Default::default()
        })
        .send()
        .await?;
    Ok(vault.id)
}

/// Reads one secret's CURRENT version by name.
async fn read_secret(
    secrets: &SecretsClient,
    vault_id: &str,
    name: &str,
) -> Result<String, BoxError> {
    let bundle = secrets
        .get_secret_bundle_by_name()
        .vault_id(vault_id)
        .secret_name(name)
        .stage(Stage::Current)
        .send()
        .await?
        .body;
    let Some(SecretBundleContentDetails::Base64(c)) = bundle.secret_bundle_content else {
        return Err(format!("secret {name} has no base64 content").into());
    };
    let bytes = oci_tower::b64::decode_field(c.content.as_deref().unwrap_or(""), name)?;
    println!(
        "  {name}: version {} ({} bytes)",
        bundle.version_number,
        bytes.len()
    );
    Ok(String::from_utf8(bytes)?)
}

/// The service's start: every secret it needs, or it does not start.
async fn load_config(client: &Client, vault_id: &str) -> Result<AppConfig, BoxError> {
    let secrets = SecretsClient::new(client.clone());
    let (db_password, api_token) = tokio::try_join!(
        read_secret(&secrets, vault_id, "db-password"),
        read_secret(&secrets, vault_id, "api-token"),
    )?;
    Ok(AppConfig {
        db_password,
        api_token,
    })
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client_builder().build()?;
    let vault_id = provision(&client, emulator.tenancy_id()).await?;

    println!("starting: reading secrets from vault {vault_id}");
    let config = load_config(&client, &vault_id).await?;
    assert_eq!(config.db_password, "correct horse battery");
    assert_eq!(
        config.api_token, "tok-1",
        "the PENDING rotation is not CURRENT yet"
    );
    println!("started with {} secrets loaded", 2);

    // A missing secret stops the start with a typed error (404).
    match read_secret(&SecretsClient::new(client.clone()), &vault_id, "missing").await {
        Ok(_) => return Err("a missing secret was found".into()),
        Err(e) => println!("a missing secret fails the start: {e}"),
    }
    emulator.shutdown().await;
    Ok(())
}
