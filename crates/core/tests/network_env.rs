//! The default transport (used by clients and by token providers) reads `https_proxy` /
//! `NO_PROXY` and `OCI_DEFAULT_CERTS_PATH` from the environment. One test per process: it sets
//! environment variables.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "network_support/mod.rs"]
mod support;

use std::time::Duration;

use oci_core::transport::HttpTransport;
use support::{get, test_pki, ConnectProxy, TlsServer};

#[tokio::test]
async fn env_proxy_and_env_ca_bundle_are_used_by_the_default_transport() {
    let pki = test_pki();
    let server = TlsServer::start(&pki).await;
    let proxy = ConnectProxy::start(None).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    // Lower-case proxy variable, upper-case no-proxy list that does not match `localhost`.
    std::env::set_var("https_proxy", proxy.url());
    std::env::set_var("NO_PROXY", "example.com,10.0.0.0/8");
    std::env::set_var("OCI_DEFAULT_CERTS_PATH", &ca);

    // What `ClientBuilder::build` and the token providers' default transport construct.
    let transport = HttpTransport::new(Duration::from_secs(5)).unwrap();
    let (status, body) = get(&transport, &server.url("localhost")).await.unwrap();
    assert_eq!((status, body.as_str()), (200, "hello over tls"));
    assert_eq!(proxy.tunnels(), 1);

    // NO_PROXY naming the host bypasses the proxy.
    std::env::set_var("NO_PROXY", "localhost");
    let direct = HttpTransport::new(Duration::from_secs(5)).unwrap();
    let (status, _) = get(&direct, &server.url("localhost")).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(proxy.tunnels(), 1, "no new tunnel");
    assert_eq!(server.accepted(), 2);
}
