//! The `oci-emulator` binary: writes a config and key, prints and writes the endpoint, serves
//! signed requests, and keeps state in `--data-dir` across restarts.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use oci_core::auth::{ApiKeyCredentials, PrivateKey};
use oci_core::{Body, Client, Endpoint};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn launch(config_dir: &std::path::Path, data_dir: &std::path::Path) -> (Running, Endpoint) {
    let _ = std::fs::remove_file(config_dir.join("endpoint"));
    let child = Command::new(env!("CARGO_BIN_EXE_oci-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--seed",
            "3",
            "--explain",
            "--config-dir",
        ])
        .arg(config_dir)
        .arg("--data-dir")
        .arg(data_dir)
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let running = Running(child);
    for _ in 0..200 {
        if let Ok(text) = std::fs::read_to_string(config_dir.join("endpoint")) {
            if text.ends_with('\n') {
                return (running, Endpoint::parse(text.trim()).unwrap());
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the emulator did not write its endpoint");
}

/// A client from the written config file (parsed here, independently of oci-core's loader).
fn client_from_config(
    config_dir: &std::path::Path,
    endpoint: &Endpoint,
) -> (Client, HashMap<String, String>) {
    let text = std::fs::read_to_string(config_dir.join("config")).unwrap();
    assert!(text.starts_with("[DEFAULT]"));
    let values: HashMap<String, String> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let key = std::fs::read(&values["key_file"]).unwrap();
    let key = PrivateKey::from_pem(&key, None).unwrap();
    let creds = ApiKeyCredentials::new(
        &values["tenancy"],
        &values["user"],
        &values["fingerprint"],
        key,
    );
    let client = Client::builder()
        .credentials(Arc::new(creds))
        .endpoint(endpoint.clone())
        .build()
        .unwrap();
    (client, values)
}

#[tokio::test]
async fn the_binary_serves_the_config_it_writes_and_keeps_state() {
    let dir = tempfile::tempdir().unwrap();
    let (config_dir, data_dir) = (dir.path().join("cfg"), dir.path().join("data"));
    let (running, endpoint) = launch(&config_dir, &data_dir).await;
    let (client, values) = client_from_config(&config_dir, &endpoint);
    assert_eq!(values["region"], "us-ashburn-1");
    let body = serde_json::json!({"compartmentId": values["tenancy"], "name": "from-binary", "description": "d"});
    let req = http::Request::post(format!("{endpoint}/20160918/groups"))
        .body(Body::from(body.to_string()))
        .unwrap();
    let group: serde_json::Value = serde_json::from_slice(
        &client
            .call(req)
            .await
            .expect("created")
            .into_body()
            .collect()
            .await
            .unwrap(),
    )
    .unwrap();
    drop(running);

    // Restarted on the same directories: the same key signs, and the group is still there.
    let (_running, endpoint) = launch(&config_dir, &data_dir).await;
    let (client, _) = client_from_config(&config_dir, &endpoint);
    let req = http::Request::get(format!(
        "{endpoint}/20160918/groups/{}",
        group["id"].as_str().unwrap()
    ))
    .body(Body::empty())
    .unwrap();
    let again: serde_json::Value = serde_json::from_slice(
        &client
            .call(req)
            .await
            .expect("found")
            .into_body()
            .collect()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(again["name"], "from-binary");
}
