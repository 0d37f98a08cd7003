//! Instance principals and OKE workload identity against a fake IMDS / federation / proxymux,
//! injected as the providers' transport (and once over a real local socket).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use oci_core::auth::{Credentials, InstancePrincipal, OkeWorkloadIdentity};
use oci_core::clock::{Clock, ManualClock};
use oci_core::{Body, Error, ErrorKind};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::Verifier;
use sha2::{Digest, Sha256};

const LEAF: &str = include_str!("fixtures/auth/leaf.pem");
const LEAF_KEY: &str = include_str!("fixtures/auth/leaf.key");
const INTERMEDIATE: &str = include_str!("fixtures/auth/intermediate.pem");
const OTHER_TENANT: &str = include_str!("fixtures/auth/other-tenant.pem");
const TENANCY: &str = "ocid1.tenancy.oc1..test";
const LEAF_SHA1: &str = "9E:BC:25:08:05:F7:93:54:55:41:BB:0B:11:EB:1A:D8:C7:5B:61:B7";
const T0: u64 = 1_800_000_000;
const SA_TOKEN: &str = "k8s-sa-token-value";

/// What the fake identity services serve, and what they saw.
struct Fake {
    clock: ManualClock,
    cert: Mutex<String>,
    key: Mutex<String>,
    region: Mutex<String>,
    token_answer: Mutex<Option<String>>,
    fed_errors: AtomicU32,
    fed_calls: AtomicU32,
    imds_calls: AtomicU32,
    oke_status: Mutex<u16>,
    public_keys: Mutex<Vec<String>>,
    lifetime: u64,
}

impl Fake {
    fn new() -> Arc<Fake> {
        Arc::new(Fake {
            clock: ManualClock::new(UNIX_EPOCH + Duration::from_secs(T0)),
            cert: Mutex::new(LEAF.into()),
            key: Mutex::new(LEAF_KEY.into()),
            region: Mutex::new("phx\n".into()),
            token_answer: Mutex::new(None),
            fed_errors: AtomicU32::new(0),
            fed_calls: AtomicU32::new(0),
            imds_calls: AtomicU32::new(0),
            oke_status: Mutex::new(200),
            public_keys: Mutex::new(Vec::new()),
            lifetime: 1200,
        })
    }

    fn jwt(&self) -> String {
        let now = self
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#);
        let p = URL_SAFE_NO_PAD.encode(
            serde_json::json!({"iat": now, "exp": now + self.lifetime, "sub": "x"}).to_string(),
        );
        format!("{h}.{p}.sig")
    }

    fn handle(
        &self,
        method: &http::Method,
        path: &str,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> (u16, String) {
        if let Some(rest) = path.strip_prefix("/opc/v2/") {
            self.imds_calls.fetch_add(1, Ordering::SeqCst);
            if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer Oracle") {
                return (401, "{}".into());
            }
            return match rest {
                "identity/cert.pem" => (200, self.cert.lock().unwrap().clone()),
                "identity/key.pem" => (200, self.key.lock().unwrap().clone()),
                "identity/intermediate.pem" => (200, INTERMEDIATE.into()),
                "instance/region" => (200, self.region.lock().unwrap().clone()),
                _ => (404, "{}".into()),
            };
        }
        if path == "/v1/x509" && method == http::Method::POST {
            self.fed_calls.fetch_add(1, Ordering::SeqCst);
            if let Err(why) = verify_federation(headers, body) {
                return (
                    401,
                    serde_json::json!({"code": "NotAuthenticated", "message": why}).to_string(),
                );
            }
            let v: serde_json::Value = serde_json::from_slice(body).unwrap();
            self.public_keys
                .lock()
                .unwrap()
                .push(v["publicKey"].as_str().unwrap().to_owned());
            if self
                .fed_errors
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return (500, r#"{"code":"InternalError","message":"boom"}"#.into());
            }
            if let Some(answer) = self.token_answer.lock().unwrap().clone() {
                return (200, answer);
            }
            return (200, serde_json::json!({"token": self.jwt()}).to_string());
        }
        if path == "/resourcePrincipalSessionTokens" && method == http::Method::POST {
            self.fed_calls.fetch_add(1, Ordering::SeqCst);
            assert_eq!(
                headers["authorization"],
                format!("Bearer {SA_TOKEN}").as_str()
            );
            assert!(headers.contains_key("opc-request-id"));
            let v: serde_json::Value = serde_json::from_slice(body).unwrap();
            self.public_keys
                .lock()
                .unwrap()
                .push(v["podKey"].as_str().unwrap().to_owned());
            let status = *self.oke_status.lock().unwrap();
            if status != 200 {
                return (status, "{}".into());
            }
            let inner = serde_json::json!({"token": format!("ST${}", self.jwt())}).to_string();
            return (200, STANDARD.encode(inner));
        }
        (404, "{}".into())
    }
}

/// Checks a `/v1/x509` request as the federation service does: keyId, header list, signature
/// with the leaf key, body hash, certificate in the body.
fn verify_federation(headers: &http::HeaderMap, body: &[u8]) -> Result<(), String> {
    let auth = headers
        .get("authorization")
        .ok_or("no authorization")?
        .to_str()
        .unwrap();
    let field = |name: &str| -> Result<String, String> {
        let start = auth
            .find(&format!("{name}=\""))
            .ok_or(format!("no {name}"))?
            + name.len()
            + 2;
        Ok(auth[start..start + auth[start..].find('"').unwrap()].to_owned())
    };
    if field("keyId")? != format!("{TENANCY}/fed-x509/{LEAF_SHA1}") {
        return Err(format!("bad keyId {}", field("keyId")?));
    }
    let list = field("headers")?;
    if list != "date (request-target) content-length content-type x-content-sha256" {
        return Err(format!("bad header list {list}"));
    }
    if headers["x-content-sha256"] != STANDARD.encode(Sha256::digest(body)).as_str() {
        return Err("bad body hash".into());
    }
    let h = |n: &str| headers[n].to_str().unwrap().to_owned();
    let signing = format!(
        "date: {}\n(request-target): post /v1/x509\ncontent-length: {}\ncontent-type: {}\nx-content-sha256: {}",
        h("date"), h("content-length"), h("content-type"), h("x-content-sha256")
    );
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(LEAF_KEY)
        .unwrap()
        .to_public_key();
    let verifier = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key);
    let sig = rsa::pkcs1v15::Signature::try_from(
        STANDARD.decode(field("signature")?).unwrap().as_slice(),
    )
    .unwrap();
    verifier
        .verify(signing.as_bytes(), &sig)
        .map_err(|_| "bad signature".to_owned())?;
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let leaf_b64: String = LEAF.lines().filter(|l| !l.starts_with("-----")).collect();
    if v["certificate"] != leaf_b64.as_str() {
        return Err("certificate is not the leaf without armor".into());
    }
    let inter_b64: String = INTERMEDIATE
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    if v["intermediateCertificates"] != serde_json::json!([inter_b64]) {
        return Err("bad intermediates".into());
    }
    Ok(())
}

/// The fake as an injected transport.
fn transport(
    fake: &Arc<Fake>,
) -> impl tower::Service<
    http::Request<Body>,
    Response = http::Response<Body>,
    Error = Error,
    Future = impl Send,
> + Clone
       + Send
       + Sync
       + 'static {
    let fake = fake.clone();
    tower::service_fn(move |req: http::Request<Body>| {
        let fake = fake.clone();
        async move {
            if req.uri().host() == Some("unreachable.invalid") {
                return Err(Error::transport(std::io::Error::from(
                    std::io::ErrorKind::ConnectionRefused,
                )));
            }
            let body = req.body().as_bytes().unwrap_or_default().to_vec();
            let (status, text) = fake.handle(req.method(), req.uri().path(), req.headers(), &body);
            Ok(http::Response::builder()
                .status(status)
                .header("opc-request-id", "FAKE-REQ-1")
                .body(Body::from(text))
                .unwrap())
        }
    })
}

fn instance(fake: &Arc<Fake>) -> oci_core::auth::InstancePrincipalBuilder {
    InstancePrincipal::builder()
        .metadata_base_url("http://imds.test/opc/v2")
        .federation_endpoint("https://auth.test")
        .transport(transport(fake))
        .clock(Arc::new(fake.clock.clone()))
}

#[tokio::test(start_paused = true)]
async fn instance_principal_federates_and_signs_as_the_session_token() {
    let fake = Fake::new();
    let creds = instance(&fake).build().await.unwrap();
    assert_eq!(creds.region().unwrap().id(), "us-phoenix-1");
    let id = creds.identity().await.unwrap();
    assert!(id.key_id().starts_with("ST$"));
    assert_eq!(&id.key_id()[3..], fake.jwt());
    assert_eq!(
        id.expires_at(),
        Some(fake.clock.now() + Duration::from_secs(1200))
    );
    assert_eq!(
        id.refresh_at(),
        Some(fake.clock.now() + Duration::from_secs(1140))
    );
    assert_eq!(fake.fed_calls.load(Ordering::SeqCst), 1);

    // A refresh re-fetches the certificates and makes a new session key.
    fake.clock.advance(Duration::from_secs(1150));
    let mut fut = creds.identity();
    assert!(
        fut.take_ready().is_some(),
        "the old token is served during the refresh"
    );
    while fake.fed_calls.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let keys = fake.public_keys.lock().unwrap().clone();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1], "a fresh session key per refresh");

    // Debug shows neither the token nor the keys.
    let debug = format!("{creds:?} {id:?}");
    assert!(
        !debug.contains(&fake.jwt()[..30]) && !debug.contains("PRIVATE"),
        "{debug}"
    );
}

#[tokio::test(start_paused = true)]
async fn federation_5xx_is_retried_then_trips_the_breaker() {
    let fake = Fake::new();
    fake.fed_errors.store(2, Ordering::SeqCst);
    let provider = instance(&fake).build_provider().await.unwrap();
    provider.identity().await.expect("third attempt succeeds");
    assert_eq!(fake.fed_calls.load(Ordering::SeqCst), 3);

    fake.fed_errors.store(100, Ordering::SeqCst);
    let err = provider.identity().await.expect_err("all 3 attempts fail");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.status(), Some(http::StatusCode::INTERNAL_SERVER_ERROR));
    assert_eq!(err.opc_request_id(), Some("FAKE-REQ-1"));
    assert!(
        err.to_string().contains("https://auth.test/v1/x509"),
        "{err}"
    );
    assert_eq!(fake.fed_calls.load(Ordering::SeqCst), 6);

    // Three failures in a row opened the breaker: the next call fails without I/O.
    let err = provider.identity().await.expect_err("breaker open");
    assert!(err.to_string().contains("circuit breaker"), "{err}");
    assert_eq!(fake.fed_calls.load(Ordering::SeqCst), 6);
    // After 30–49 s it lets a probe through.
    fake.fed_errors.store(0, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(50)).await;
    provider.identity().await.expect("probe succeeds");
}

#[tokio::test(start_paused = true)]
async fn imds_unreachable_is_a_typed_error_in_bounded_time() {
    let fake = Fake::new();
    let start = tokio::time::Instant::now();
    let err = InstancePrincipal::builder()
        .metadata_base_url("http://unreachable.invalid/opc/v2")
        .transport(transport(&fake))
        .build()
        .await
        .expect_err("no IMDS");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(err.to_string().contains("instance/region"), "{err}");
    assert!(
        start.elapsed() <= Duration::from_secs(180),
        "{:?}",
        start.elapsed()
    );

    let start = tokio::time::Instant::now();
    let err = InstancePrincipal::builder()
        .metadata_base_url("http://unreachable.invalid/opc/v2")
        .imds_retry(2, Duration::from_secs(5))
        .transport(transport(&fake))
        .build()
        .await
        .expect_err("no IMDS");
    assert!(err.is_auth());
    assert!(
        start.elapsed() <= Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn malformed_certificates_keys_tokens_and_regions_are_typed_errors() {
    type Setup = fn(&Fake);
    let cases: Vec<(&str, Setup)> = vec![
        ("garbage cert", |f| {
            *f.cert.lock().unwrap() = "garbage".into()
        }),
        ("bad DER cert", |f| {
            *f.cert.lock().unwrap() =
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n".into()
        }),
        ("intermediate as leaf (no tenancy)", |f| {
            *f.cert.lock().unwrap() = INTERMEDIATE.into()
        }),
        ("garbage key", |f| {
            *f.key.lock().unwrap() =
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".into()
        }),
        ("no token", |f| {
            *f.token_answer.lock().unwrap() = Some(r#"{"nope":1}"#.into())
        }),
        ("not json", |f| {
            *f.token_answer.lock().unwrap() = Some("<html>".into())
        }),
        ("bad jwt", |f| {
            *f.token_answer.lock().unwrap() = Some(r#"{"token":"a.b"}"#.into())
        }),
        ("jwt without exp", |f| {
            let p = URL_SAFE_NO_PAD.encode(r#"{"iat":1}"#);
            *f.token_answer.lock().unwrap() = Some(format!(r#"{{"token":"e30.{p}.x"}}"#))
        }),
    ];
    for (name, setup) in cases {
        let fake = Fake::new();
        setup(&fake);
        let provider = instance(&fake).build_provider().await.unwrap();
        let err = provider.identity().await.expect_err(name);
        assert_eq!(err.kind(), ErrorKind::Auth, "{name}: {err}");
        assert!(!err.to_string().contains("MII"), "{name}: {err}");
    }

    let fake = Fake::new();
    *fake.region.lock().unwrap() = "<html>no</html>".into();
    let err = instance(&fake).build().await.expect_err("bad region");
    assert_eq!(err.kind(), ErrorKind::Auth);
}

#[tokio::test(start_paused = true)]
async fn a_changed_tenancy_in_the_certificate_is_refused() {
    let fake = Fake::new();
    let provider = instance(&fake).build_provider().await.unwrap();
    provider.identity().await.unwrap();
    assert_eq!(provider.tenancy_id().as_deref(), Some(TENANCY));
    *fake.cert.lock().unwrap() = OTHER_TENANT.into();
    let err = provider.identity().await.expect_err("tenancy changed");
    assert!(
        err.to_string().contains("unexpected update of tenancy"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn imds_calls_carry_bearer_oracle() {
    // The fake answers 401 without it; a successful build proves the header is sent.
    let fake = Fake::new();
    instance(&fake).build().await.unwrap();
    assert!(fake.imds_calls.load(Ordering::SeqCst) >= 1);
}

// ---- OKE workload identity ----

fn oke(fake: &Arc<Fake>, dir: &tempfile::TempDir) -> oci_core::auth::OkeWorkloadIdentityBuilder {
    let sa = dir.path().join("token");
    std::fs::write(&sa, format!("{SA_TOKEN}\n")).unwrap();
    OkeWorkloadIdentity::builder()
        .endpoint("https://proxymux.test:12250")
        .service_account_token_path(sa)
        .transport(transport(fake))
        .clock(Arc::new(fake.clock.clone()))
}

#[tokio::test(start_paused = true)]
async fn oke_exchanges_the_service_account_token_and_refreshes_at_half_life() {
    let fake = Fake::new();
    let dir = tempfile::tempdir().unwrap();
    let creds = oke(&fake, &dir).build().unwrap();
    let id = creds.identity().await.unwrap();
    assert_eq!(id.key_id(), format!("ST${}", fake.jwt()));
    assert_eq!(
        id.refresh_at(),
        Some(fake.clock.now() + Duration::from_secs(600))
    );
    assert!(!format!("{creds:?}").contains(SA_TOKEN));

    *fake.oke_status.lock().unwrap() = 403;
    let provider = oke(&fake, &dir).build_provider().unwrap();
    let err = provider.identity().await.expect_err("403");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(err.to_string().contains("enhanced"), "{err}");
    assert!(!err.to_string().contains(SA_TOKEN));
}

#[tokio::test(start_paused = true)]
async fn oke_without_a_service_account_token_is_a_typed_error() {
    let fake = Fake::new();
    let provider = OkeWorkloadIdentity::builder()
        .endpoint("https://proxymux.test:12250")
        .service_account_token_path("/nonexistent/token")
        .transport(transport(&fake))
        .build_provider()
        .unwrap();
    let err = provider.identity().await.expect_err("no token file");
    assert_eq!(err.kind(), ErrorKind::Auth);
}

// ---- over a real socket, with the default transport ----

async fn serve(fake: Arc<Fake>) -> std::net::SocketAddr {
    use http_body_util::BodyExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let fake = fake.clone();
            tokio::spawn(async move {
                let svc =
                    hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let fake = fake.clone();
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body.collect().await.unwrap().to_bytes();
                            let (status, text) =
                                fake.handle(&parts.method, parts.uri.path(), &parts.headers, &body);
                            Ok::<_, std::convert::Infallible>(
                                http::Response::builder()
                                    .status(status)
                                    .body(http_body_util::Full::new(bytes::Bytes::from(text)))
                                    .unwrap(),
                            )
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn instance_principal_and_oke_over_a_local_http_server() {
    let fake = Fake::new();
    let addr = serve(fake.clone()).await;
    let creds = InstancePrincipal::builder()
        .metadata_base_url(format!("http://{addr}/opc/v2"))
        .federation_endpoint(format!("http://{addr}"))
        .build()
        .await
        .unwrap();
    assert!(creds.identity().await.unwrap().key_id().starts_with("ST$"));

    let dir = tempfile::tempdir().unwrap();
    let sa = dir.path().join("token");
    std::fs::write(&sa, SA_TOKEN).unwrap();
    let creds = OkeWorkloadIdentity::builder()
        .endpoint(format!("http://{addr}"))
        .service_account_token_path(sa)
        .ca_cert_path(dir.path().join("no-ca-needed-for-http"))
        .build();
    // The default transport needs the CA file even for an http endpoint: a typed error.
    assert!(creds.unwrap_err().is_config());
    let ca = dir.path().join("ca.crt");
    std::fs::write(&ca, INTERMEDIATE).unwrap();
    let creds = OkeWorkloadIdentity::builder()
        .endpoint(format!("http://{addr}"))
        .service_account_token_path(dir.path().join("token"))
        .ca_cert_path(ca)
        .build()
        .unwrap();
    assert!(creds.identity().await.unwrap().key_id().starts_with("ST$"));
}
