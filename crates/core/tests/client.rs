//! The client end to end over real TCP: `HttpTransport` → a local hyper server on 127.0.0.1 that
//! verifies each request's signature on its own (ring, with a signing string rebuilt from what it
//! received), so the client's signer is not checking itself.

#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use oci_core::auth::{ApiKeyCredentials, PrivateKey};
use oci_core::layers::retry::RetryPolicy;
use oci_core::{Body, Client, Endpoint, Error, Region, Request, ServiceInfo};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::DecodePrivateKey;
use sha2::{Digest, Sha256};

const KEY_PEM: &str = include_str!("fixtures/signing/key.pem");
const TENANCY: &str = "ocid1.tenancy.oc1..aaaaclienttest";
const USER: &str = "ocid1.user.oc1..aaaaclienttest";
const FINGERPRINT: &str = "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99";

const THINGS: ServiceInfo = ServiceInfo {
    name: "things",
    endpoint_template: "https://things.{region}.oci.{secondLevelDomain}",
    base_path: "/20160918",
};

/// `GET /things/{id}` answering `{"id": ..., "name": ...}`.
struct GetThing(String);

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Thing {
    id: String,
    name: String,
}

impl Request for GetThing {
    type Output = Thing;
    const SERVICE: ServiceInfo = THINGS;
    const OPERATION: &'static str = "GetThing";

    fn into_http(self, endpoint: &Endpoint) -> Result<http::Request<Body>, Error> {
        let path = format!("/things/{}", oci_core::encode::path_segment(&self.0));
        oci_core::request::builder(http::Method::GET, endpoint, &path)?
            .body(Body::empty())
            .map_err(|e| Error::invalid_request(e.to_string()))
    }

    async fn parse(response: http::Response<Body>) -> Result<Thing, Error> {
        Ok(oci_core::request::parse_json(response).await?.0)
    }
}

/// `POST /things` with a JSON body, answering the created thing.
struct CreateThing(serde_json::Value);

impl Request for CreateThing {
    type Output = Thing;
    const SERVICE: ServiceInfo = THINGS;
    const OPERATION: &'static str = "CreateThing";

    fn into_http(self, endpoint: &Endpoint) -> Result<http::Request<Body>, Error> {
        oci_core::request::builder(http::Method::POST, endpoint, "/things?kind=a+b")?
            .body(Body::from(self.0.to_string()))
            .map_err(|e| Error::invalid_request(e.to_string()))
    }

    async fn parse(response: http::Response<Body>) -> Result<Thing, Error> {
        Ok(oci_core::request::parse_json(response).await?.0)
    }
}

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: http::HeaderMap,
    verified: Result<(), String>,
}

/// Verifies an OCI signature the way a server would.
fn verify(parts: &http::request::Parts, body: &[u8], public_der: &[u8]) -> Result<(), String> {
    let auth = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or("no authorization")?;
    let params = auth.strip_prefix("Signature ").ok_or("not a Signature")?;
    let mut headers_list = None;
    let mut key_id = None;
    let mut signature = None;
    for p in params.split(',') {
        let (k, v) = p.split_once('=').ok_or("bad param")?;
        let v = v.trim_matches('"');
        match k {
            "headers" => headers_list = Some(v.to_owned()),
            "keyId" => key_id = Some(v.to_owned()),
            "signature" => signature = Some(v.to_owned()),
            _ => {}
        }
    }
    if key_id.as_deref() != Some(&format!("{TENANCY}/{USER}/{FINGERPRINT}")) {
        return Err(format!("unexpected keyId {key_id:?}"));
    }
    let headers_list = headers_list.ok_or("no headers")?;
    let expected_list = match parts.method.as_str() {
        "POST" | "PUT" | "PATCH" => {
            "date (request-target) host content-length content-type x-content-sha256"
        }
        _ => "date (request-target) host",
    };
    if headers_list != expected_list {
        return Err(format!("headers list {headers_list}"));
    }
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut lines = Vec::new();
    for name in headers_list.split(' ') {
        let value = if name == "(request-target)" {
            format!("{} {target}", parts.method.as_str().to_lowercase())
        } else {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .ok_or(format!("missing {name}"))?
                .to_owned()
        };
        lines.push(format!("{name}: {value}"));
    }
    if headers_list.contains("x-content-sha256") {
        let sent = parts
            .headers
            .get("x-content-sha256")
            .and_then(|v| v.to_str().ok());
        if sent != Some(B64.encode(Sha256::digest(body)).as_str()) {
            return Err("x-content-sha256 does not match the body".into());
        }
        let len = parts
            .headers
            .get("content-length")
            .and_then(|v| v.to_str().ok());
        if len != Some(body.len().to_string().as_str()) {
            return Err("content-length does not match the body".into());
        }
    }
    let sig = B64
        .decode(signature.ok_or("no signature")?)
        .map_err(|e| e.to_string())?;
    // Verified with whichever crypto library this build of oci-core compiles.
    #[cfg(feature = "aws-lc")]
    use aws_lc_rs::signature as rsa_verify;
    #[cfg(not(feature = "aws-lc"))]
    use ring::signature as rsa_verify;
    rsa_verify::UnparsedPublicKey::new(&rsa_verify::RSA_PKCS1_2048_8192_SHA256, public_der)
        .verify(lines.join("\n").as_bytes(), &sig)
        .map_err(|_| "signature does not verify".to_owned())
}

struct Server {
    endpoint: Endpoint,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// Serves: `/20160918/things/missing` → 404 JSON error; `/20160918/things/html` → 502 HTML;
/// everything else echoes a thing. Every request is verified and recorded.
async fn start_server() -> Server {
    let public_der = rsa::RsaPrivateKey::from_pkcs8_pem(KEY_PEM)
        .unwrap()
        .to_public_key()
        .to_pkcs1_der()
        .unwrap()
        .as_bytes()
        .to_vec();
    let public_der = Arc::new(public_der);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let seen2 = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let seen = seen2.clone();
            let public_der = public_der.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let seen = seen.clone();
                    let public_der = public_der.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body.collect().await.unwrap().to_bytes();
                        let verified = verify(&parts, &body, &public_der);
                        let target = parts.uri.path_and_query().unwrap().to_string();
                        seen.lock().unwrap().push(Seen {
                            method: parts.method.to_string(),
                            target: target.clone(),
                            headers: parts.headers.clone(),
                            verified: verified.clone(),
                        });
                        let resp = hyper::Response::builder().header("opc-request-id", "SRV-1");
                        let resp = if let Err(why) = verified {
                            resp.status(401).body(Full::new(Bytes::from(format!(
                                r#"{{"code":"NotAuthenticated","message":"{why}"}}"#
                            ))))
                        } else if target.ends_with("/missing") {
                            resp.status(404).body(Full::new(Bytes::from_static(
                                br#"{"code":"NotAuthorizedOrNotFound","message":"no such thing"}"#,
                            )))
                        } else if target.ends_with("/html") {
                            resp.status(502)
                                .body(Full::new(Bytes::from_static(b"<html>bad gateway</html>")))
                        } else {
                            let name = if body.is_empty() {
                                "fetched".to_owned()
                            } else {
                                let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                                v["name"].as_str().unwrap_or_default().to_owned()
                            };
                            resp.status(200).body(Full::new(Bytes::from(
                                serde_json::json!({"id": target, "name": name, "extra": 1})
                                    .to_string(),
                            )))
                        };
                        Ok::<_, Infallible>(resp.unwrap())
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Server {
        endpoint: Endpoint::parse(&format!("http://{addr}")).unwrap(),
        seen,
    }
}

fn client(endpoint: Endpoint) -> Client {
    let key = PrivateKey::from_pem(KEY_PEM.as_bytes(), None).unwrap();
    Client::builder()
        .credentials(Arc::new(ApiKeyCredentials::new(
            TENANCY,
            USER,
            FINGERPRINT,
            key,
        )))
        .endpoint(endpoint)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn get_is_signed_verified_and_parsed() {
    let server = start_server().await;
    let client = client(server.endpoint.clone());
    let thing = client.send(GetThing("a b/c".into())).await.unwrap();
    assert_eq!(
        thing,
        Thing {
            id: "/20160918/things/a%20b/c".into(),
            name: "fetched".into()
        }
    );
    let seen = server.seen.lock().unwrap()[0].clone();
    assert_eq!(seen.verified, Ok(()));
    assert_eq!(seen.method, "GET");
    let h = &seen.headers;
    assert_eq!(h["host"], server.endpoint.host_header());
    assert!(
        h["host"].to_str().unwrap().contains(':'),
        "host keeps the port"
    );
    assert_eq!(h["accept"], "application/json");
    assert!(h["user-agent"].to_str().unwrap().starts_with("oci-tower/"));
    let id = h["opc-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 32);
    assert!(id
        .chars()
        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
    assert!(httpdate::parse_http_date(h["date"].to_str().unwrap()).is_ok());
}

#[tokio::test]
async fn post_body_headers_are_signed_and_match() {
    let server = start_server().await;
    let client = client(server.endpoint.clone());
    let body = serde_json::json!({"name": "zoë ☃"});
    let thing = client.send(CreateThing(body)).await.unwrap();
    assert_eq!(thing.name, "zoë ☃");
    let seen = server.seen.lock().unwrap()[0].clone();
    assert_eq!(seen.verified, Ok(()));
    assert_eq!(seen.target, "/20160918/things?kind=a+b");
    assert_eq!(seen.headers["content-type"], "application/json");
}

#[tokio::test]
async fn service_errors_carry_code_message_and_request_id() {
    let server = start_server().await;
    let client = client(server.endpoint.clone());
    let err = client.send(GetThing("missing".into())).await.unwrap_err();
    assert!(err.is_service() && err.is_not_found());
    assert_eq!(err.code(), Some("NotAuthorizedOrNotFound"));
    assert_eq!(err.message(), "no such thing");
    assert_eq!(err.opc_request_id(), Some("SRV-1"));
    assert_eq!(
        err.to_string(),
        "NotAuthorizedOrNotFound: no such thing (status 404, opc-request-id SRV-1)"
    );

    let err = client.send(GetThing("html".into())).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(err.code(), None);
    assert_eq!(err.message(), "<html>bad gateway</html>");
}

#[tokio::test]
async fn a_wrong_key_is_rejected_by_the_verifying_server() {
    let server = start_server().await;
    let other = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
    let client = Client::builder()
        .credentials(Arc::new(ApiKeyCredentials::new(
            TENANCY,
            USER,
            FINGERPRINT,
            PrivateKey::from_rsa(other).unwrap(),
        )))
        .endpoint(server.endpoint.clone())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.send(GetThing("x".into())).await.unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.code(), Some("NotAuthenticated"));
}

#[tokio::test]
async fn a_per_call_endpoint_overrides_the_clients() {
    let server = start_server().await;
    // The client's own endpoint has nothing listening.
    let client = client(Endpoint::parse("http://127.0.0.1:1").unwrap());
    let opts = oci_core::layers::CallOptions::builder()
        .endpoint(server.endpoint.clone())
        .build();
    let thing = client.send_with(GetThing("x".into()), opts).await.unwrap();
    assert_eq!(thing.id, "/20160918/things/x", "the base path is appended");
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].verified, Ok(()), "signed for the overriding host");
    let err = client.send(GetThing("x".into())).await.unwrap_err();
    assert!(err.is_transport(), "without the override: {err}");
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    // Bind then drop a listener so the port is (very likely) closed.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let client = client(Endpoint::parse(&format!("http://{addr}")).unwrap());
    let err = client.send(GetThing("x".into())).await.unwrap_err();
    assert!(err.is_transport(), "{err:?}");
    assert_eq!(err.attempts(), Some(1));
}

#[test]
fn endpoints_resolve_from_overrides_then_region() {
    let key = PrivateKey::from_pem(KEY_PEM.as_bytes(), None).unwrap();
    let creds = Arc::new(ApiKeyCredentials::new(TENANCY, USER, FINGERPRINT, key));
    let regional = Client::builder()
        .credentials(creds.clone())
        .region(Region::new("phx"))
        .build()
        .unwrap();
    assert_eq!(
        regional.endpoint_for(&THINGS).unwrap().to_string(),
        "https://things.us-phoenix-1.oci.oraclecloud.com/20160918"
    );

    let overridden = Client::builder()
        .credentials(creds.clone())
        .region(Region::new("phx"))
        .endpoint(Endpoint::parse("http://127.0.0.1:9").unwrap())
        .service_endpoint("things", Endpoint::parse("http://localhost:8").unwrap())
        .build()
        .unwrap();
    assert_eq!(
        overridden.endpoint_for(&THINGS).unwrap().to_string(),
        "http://localhost:8/20160918"
    );
    let other = ServiceInfo {
        name: "other",
        ..THINGS
    };
    assert_eq!(
        overridden.endpoint_for(&other).unwrap().to_string(),
        "http://127.0.0.1:9/20160918"
    );

    let nowhere = Client::builder().credentials(creds).build().unwrap();
    assert!(nowhere.endpoint_for(&THINGS).unwrap_err().is_config());
}

#[test]
fn building_without_credentials_is_a_config_error() {
    let err = Client::builder().build().unwrap_err();
    assert!(err.is_config(), "{err:?}");
}

#[tokio::test]
async fn a_replaced_signer_is_used_instead_of_the_oci_one() {
    let server = start_server().await;
    let client = Client::builder()
        .signer(oci_core::auth::NoSigning)
        .endpoint(server.endpoint.clone())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.send(GetThing("x".into())).await.unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.message(), "no authorization");
    let seen = server.seen.lock().unwrap()[0].clone();
    assert!(!seen.headers.contains_key("authorization"));
    // The sign layer still stamps the per-attempt headers.
    assert!(seen.headers.contains_key("opc-request-id"));
}
