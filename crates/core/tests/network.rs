//! Corporate networks: an explicit proxy (CONNECT tunnel, basic auth, no-proxy list) and extra
//! trust roots, against a local CONNECT proxy and a local TLS server with a test CA.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "network_support/mod.rs"]
mod support;

use oci_core::transport::{HttpTransport, Proxy};
use support::{get, test_pki, ConnectProxy, TlsServer};

#[tokio::test]
async fn explicit_proxy_tunnels_https_with_basic_auth_and_test_ca() {
    let pki = test_pki();
    let server = TlsServer::start(&pki).await;
    let proxy = ConnectProxy::start(Some("Basic c3ZjOnMzY3JldA==")).await; // svc:s3cret
    let transport = HttpTransport::builder()
        .system_roots(false)
        .ca_certificates([pki.ca_der.clone()])
        .proxy(
            Proxy::new(&proxy.url())
                .unwrap()
                .basic_auth("svc", "s3cret"),
        )
        .build()
        .unwrap();
    let (status, body) = get(&transport, &server.url("localhost")).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(body, "hello over tls");
    assert_eq!(proxy.tunnels(), 1, "one CONNECT tunnel");
    assert_eq!(proxy.targets(), vec![format!("localhost:{}", server.port)]);
}

#[tokio::test]
async fn proxy_rejects_wrong_credentials_as_a_transport_error() {
    let pki = test_pki();
    let server = TlsServer::start(&pki).await;
    let proxy = ConnectProxy::start(Some("Basic c3ZjOnMzY3JldA==")).await;
    let transport = HttpTransport::builder()
        .system_roots(false)
        .ca_certificates([pki.ca_der.clone()])
        .proxy(Proxy::new(&proxy.url()).unwrap().basic_auth("svc", "wrong"))
        .build()
        .unwrap();
    let err = get(&transport, &server.url("localhost")).await.unwrap_err();
    assert!(err.is_transport(), "{err}");
    assert_eq!(server.accepted(), 0, "the proxy refused before connecting");
}

#[tokio::test]
async fn no_proxy_list_bypasses_the_proxy() {
    let pki = test_pki();
    let server = TlsServer::start(&pki).await;
    let proxy = ConnectProxy::start(None).await;
    let transport = HttpTransport::builder()
        .system_roots(false)
        .ca_certificates([pki.ca_der.clone()])
        .proxy(
            Proxy::new(&proxy.url())
                .unwrap()
                .no_proxy("example.com, localhost"),
        )
        .build()
        .unwrap();
    let (status, _) = get(&transport, &server.url("localhost")).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(proxy.tunnels(), 0);
    assert_eq!(server.accepted(), 1);
}

#[tokio::test]
async fn plain_http_targets_tunnel_to_port_80_style_ports() {
    // An http:// endpoint through the proxy is tunnelled to its own port, not 443.
    let pki = test_pki();
    let server = TlsServer::start(&pki).await;
    let proxy = ConnectProxy::start(None).await;
    let transport = HttpTransport::builder()
        .proxy(Proxy::new(&proxy.url()).unwrap())
        .build()
        .unwrap();
    // Plain HTTP to a TLS port fails, but the CONNECT must name that port.
    let _ = get(&transport, &format!("http://127.0.0.1:{}/", server.port)).await;
    assert_eq!(proxy.targets(), vec![format!("127.0.0.1:{}", server.port)]);
}

#[tokio::test]
async fn a_server_signed_by_an_unknown_ca_is_refused() {
    let pki = test_pki();
    let server = TlsServer::start(&pki).await;
    let other = test_pki();
    let transport = HttpTransport::builder()
        .system_roots(false)
        .ca_certificates([other.ca_der.clone()])
        .proxy_mode(oci_core::transport::ProxyMode::Direct)
        .build()
        .unwrap();
    let err = get(&transport, &server.url("localhost")).await.unwrap_err();
    assert!(err.is_transport(), "{err}");
}

#[tokio::test]
async fn ca_bundle_file_is_trusted_on_top_of_system_roots() {
    let pki = test_pki();
    let server = TlsServer::start(&pki).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corp-ca.pem");
    std::fs::write(&path, &pki.ca_pem).unwrap();
    let transport = HttpTransport::builder()
        .ca_bundle(&path)
        .proxy_mode(oci_core::transport::ProxyMode::Direct)
        .build()
        .unwrap();
    let (status, _) = get(&transport, &server.url("localhost")).await.unwrap();
    assert_eq!(status, 200);
    // Without it the same server is refused by the system roots.
    let plain = HttpTransport::builder()
        .proxy_mode(oci_core::transport::ProxyMode::Direct)
        .build()
        .unwrap();
    assert!(get(&plain, &server.url("localhost")).await.is_err());
}

#[test]
fn a_bad_ca_bundle_is_a_config_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not-a-bundle.pem");
    std::fs::write(
        &path,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let err = HttpTransport::builder()
        .ca_bundle(&path)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("not-a-bundle.pem"), "{err}");
    let missing = HttpTransport::builder()
        .ca_bundle(dir.path().join("missing.pem"))
        .build()
        .unwrap_err();
    assert!(missing.to_string().contains("missing.pem"), "{missing}");
}

#[test]
fn proxy_debug_never_shows_the_password() {
    let p = Proxy::new("http://alice:hunter2@proxy.example:3128")
        .unwrap()
        .basic_auth("bob", "pa55word");
    let shown = format!("{p:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("pa55word"),
        "{shown}"
    );
    assert!(shown.contains("proxy.example:3128"), "{shown}");
    let from_url = format!(
        "{:?}",
        Proxy::new("http://alice:hunter2@proxy.example:3128").unwrap()
    );
    assert!(!from_url.contains("hunter2"), "{from_url}");
    assert!(Proxy::new("socks5://proxy.example:1080").is_err());
}
