//! The default credentials chain. It reads the process environment, so this file holds one test
//! that walks the chain step by step (its own process: nothing else races on the variables).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use oci_core::auth::default_credentials;
use oci_core::ErrorKind;

const KEY: &str = include_str!("fixtures/signing/key.pem");

const VARS: &[&str] = &[
    "OCI_CLI_AUTH",
    "OCI_CLI_PROFILE",
    "OCI_CONFIG_FILE",
    "OCI_RESOURCE_PRINCIPAL_VERSION",
    "OCI_RESOURCE_PRINCIPAL_RPST",
    "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM",
    "OCI_RESOURCE_PRINCIPAL_REGION",
    "KUBERNETES_SERVICE_HOST",
    "OCI_METADATA_BASE_URL",
];

#[tokio::test]
async fn the_chain_picks_the_first_source_that_applies() {
    for v in VARS {
        std::env::remove_var(v);
    }
    let home = tempfile::tempdir().unwrap();
    std::env::set_var("HOME", home.path());
    // Nothing reachable: IMDS on a closed local port fails fast and in bounded time.
    std::env::set_var("OCI_METADATA_BASE_URL", "http://127.0.0.1:1/opc/v2");

    // 5. Instance principal (last resort).
    let start = Instant::now();
    let err = default_credentials().await.expect_err("no IMDS here");
    assert_eq!(err.kind(), ErrorKind::Auth, "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );

    // 3. A config file wins over instance principals.
    let key = home.path().join("key.pem");
    std::fs::write(&key, KEY).unwrap();
    let cfg = home.path().join("config");
    std::fs::write(
        &cfg,
        format!(
            "[DEFAULT]\nuser=ocid1.user.oc1..u\ntenancy=ocid1.tenancy.oc1..t\n\
             fingerprint=20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34\nkey_file={}\nregion=us-ashburn-1\n",
            key.display()
        ),
    )
    .unwrap();
    std::env::set_var("OCI_CONFIG_FILE", &cfg);
    let found = default_credentials().await.unwrap();
    assert_eq!(found.source, "api_key");
    assert_eq!(found.region.unwrap().id(), "us-ashburn-1");
    assert!(found
        .credentials
        .key_id()
        .unwrap()
        .starts_with("ocid1.tenancy.oc1..t/"));

    // 2. Resource principals win over the config file.
    let p = URL_SAFE_NO_PAD.encode(r#"{"exp":2000000000,"res_tenant":"t"}"#);
    let rpst = format!("e30.{p}.sig");
    std::env::set_var("OCI_RESOURCE_PRINCIPAL_VERSION", "2.2");
    std::env::set_var("OCI_RESOURCE_PRINCIPAL_RPST", &rpst);
    std::env::set_var("OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM", KEY);
    std::env::set_var("OCI_RESOURCE_PRINCIPAL_REGION", "fra");
    let found = default_credentials().await.unwrap();
    assert_eq!(found.source, "resource_principal");
    assert_eq!(found.region.unwrap().id(), "eu-frankfurt-1");
    let id = found.credentials.identity().await.unwrap();
    assert_eq!(id.key_id(), format!("ST${rpst}"));

    // 1. An explicit choice wins over everything, and a bad one is a config error.
    std::env::set_var("OCI_CLI_AUTH", "api_key");
    assert_eq!(default_credentials().await.unwrap().source, "api_key");
    std::env::set_var("OCI_CLI_AUTH", "telepathy");
    assert_eq!(
        default_credentials().await.unwrap_err().kind(),
        ErrorKind::Config
    );

    // An invalid config file is an error, not a reason to fall through.
    std::env::remove_var("OCI_CLI_AUTH");
    std::env::remove_var("OCI_RESOURCE_PRINCIPAL_VERSION");
    std::fs::write(&cfg, "[DEFAULT]\nuser=nope\n").unwrap();
    assert_eq!(
        default_credentials().await.unwrap_err().kind(),
        ErrorKind::Config
    );

    // The client builder takes the region from the chain.
    std::env::set_var("OCI_RESOURCE_PRINCIPAL_VERSION", "2.2");
    let client = oci_core::Client::builder()
        .default_credentials()
        .await
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(client.region().unwrap().id(), "eu-frankfurt-1");
}
