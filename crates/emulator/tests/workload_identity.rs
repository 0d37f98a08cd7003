//! End to end: oci-core's workload-identity providers against the emulator playing IMDS, the
//! federation service and the services, with no real sleeps (the emulator's and the client's
//! clock are one `ManualClock`, or tokio's paused clock drives retries and the breaker).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use common::*;
use http::Method;
use oci_core::auth::{
    Credentials, CredentialsCache, Identity, IdentityFuture, InstancePrincipal,
    OkeWorkloadIdentity, ResourcePrincipal,
};
use oci_core::clock::{Clock, ManualClock};
use oci_core::{Body, Client, Region};
use oci_emulator::{Emulator, Fault};
use serde_json::json;

/// An instance principal (uncached) reading IMDS and federating at the emulator.
async fn instance_provider(emu: &Emulator, clock: Arc<dyn Clock>) -> InstancePrincipal {
    InstancePrincipal::builder()
        .metadata_base_url(emu.imds_base_url())
        .federation_endpoint(emu.endpoint().to_string())
        .clock(clock)
        .build_provider()
        .await
        .expect("instance principal")
}

fn client_with(emu: &Emulator, creds: Arc<dyn Credentials>) -> Client {
    emu.client_builder()
        .credentials(creds)
        .build()
        .expect("client")
}

fn list_users_path(emu: &Emulator) -> String {
    format!("/20160918/users?compartmentId={}", emu.tenancy_id())
}

/// The `jti` of the token in an identity's `ST$<jwt>` keyId.
fn jti_of(identity: &Identity) -> String {
    let token = identity
        .key_id()
        .strip_prefix("ST$")
        .expect("a token keyId");
    let payload = token.split('.').nth(1).expect("a JWT");
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url"),
    )
    .expect("claims");
    claims["jti"].as_str().expect("jti").to_owned()
}

/// Identity, then Object Storage: list users, read the namespace, create a bucket, put an
/// object and read it back.
async fn identity_and_object_storage(emu: &Emulator, client: &Client, bucket: &str) {
    let resp = get(client, emu, &list_users_path(emu))
        .await
        .expect("ListUsers");
    let users = json(resp).await;
    assert!(users
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["id"] == emu.user_id()));
    let resp = get(client, emu, "/n").await.expect("GetNamespace");
    let ns: String = serde_json::from_slice(&bytes(resp).await).unwrap();
    assert_eq!(ns, emu.namespace());
    post(
        client,
        emu,
        &format!("/n/{ns}/b"),
        json!({"name": bucket, "compartmentId": emu.tenancy_id()}),
    )
    .await
    .expect("CreateBucket");
    let path = format!("/n/{ns}/b/{bucket}/o/hello.txt");
    let req = exclude_body(
        request(emu, Method::PUT, &path, Body::from("hello")),
        "PutObject",
    );
    client.call(req).await.expect("PutObject");
    let resp = get(client, emu, &path).await.expect("GetObject");
    assert_eq!(&bytes(resp).await[..], b"hello");
}

#[tokio::test]
async fn instance_principal_calls_identity_and_object_storage() {
    let emu = builder().start().await.unwrap();
    let creds = InstancePrincipal::builder()
        .metadata_base_url(emu.imds_base_url())
        .federation_endpoint(emu.endpoint().to_string())
        .build()
        .await
        .unwrap();
    assert_eq!(creds.region(), Some(Region::new(emu.region())));
    let client = client_with(&emu, Arc::new(creds.clone()));
    identity_and_object_storage(&emu, &client, "ip").await;
    assert_eq!(emu.federation_calls(), 1);
    assert_eq!(creds.fetch_count(), 1);
    // Every service call was signed by the instance, and the journal shows who, not the token.
    let signed: Vec<String> = emu.journal().into_iter().filter_map(|e| e.key_id).collect();
    assert!(signed.len() >= 5);
    assert!(signed
        .iter()
        .all(|k| k.contains(emu.instance_id()) && !k.contains("eyJ")));
}

#[tokio::test]
async fn resource_principal_v22_calls_identity_and_object_storage_and_rereads_its_files() {
    let emu = builder().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (rpst_path, key_path) = (dir.path().join("rpst"), dir.path().join("key.pem"));
    let session = emu.mint_resource_principal().unwrap();
    std::fs::write(&rpst_path, &session.rpst).unwrap();
    std::fs::write(&key_path, &session.private_pem).unwrap();
    let provider = Arc::new(
        ResourcePrincipal::builder()
            .rpst(rpst_path.to_str().unwrap())
            .private_pem(key_path.to_str().unwrap())
            .region(Region::new(&session.region))
            .build_provider()
            .unwrap(),
    );
    assert_eq!(provider.tenancy_id().as_deref(), Some(emu.tenancy_id()));
    assert_eq!(
        provider.compartment_id().as_deref(),
        Some(session.compartment_id.as_str())
    );
    let cache = CredentialsCache::new(provider.clone());
    let client = client_with(&emu, Arc::new(cache.clone()));
    identity_and_object_storage(&emu, &client, "rp").await;
    let signed: Vec<String> = emu.journal().into_iter().filter_map(|e| e.key_id).collect();
    assert!(signed.iter().all(|k| k.contains(&session.resource_id)));

    // The platform rotates the files and the old RPST is revoked: the 401 makes the provider
    // read the files again, and the call is resent with the new session.
    let next = emu.mint_resource_principal().unwrap();
    std::fs::write(&rpst_path, &next.rpst).unwrap();
    std::fs::write(&key_path, &next.private_pem).unwrap();
    assert!(emu.revoke_token(&session.jti));
    emu.clear_journal();
    get(&client, &emu, &list_users_path(&emu))
        .await
        .expect("resent");
    let statuses: Vec<_> = emu.journal().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Some(401), Some(200)]);
    assert!(emu.journal()[1]
        .key_id
        .as_deref()
        .unwrap()
        .contains(&next.resource_id));
}

#[tokio::test]
async fn oke_workload_identity_calls_identity_and_object_storage_and_refreshes_at_half_life() {
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let emu = builder()
        .clock(clock.clone())
        .token_lifetime(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (sa, ca) = (dir.path().join("token"), dir.path().join("ca.crt"));
    std::fs::write(&sa, emu.service_account_token()).unwrap();
    std::fs::write(&ca, emu.root_ca_pem().unwrap()).unwrap();
    let creds = OkeWorkloadIdentity::builder()
        .endpoint(emu.endpoint().to_string())
        .service_account_token_path(&sa)
        .ca_cert_path(&ca)
        .region(Region::new(emu.region()))
        .clock(clock.clone())
        .build()
        .unwrap();
    let client = client_with(&emu, Arc::new(creds.clone()));
    identity_and_object_storage(&emu, &client, "oke").await;
    let exchanges = || {
        emu.journal()
            .iter()
            .filter(|e| e.operation == "GetPodResourcePrincipalSessionToken")
            .count()
    };
    assert_eq!(exchanges(), 1);
    // Before half the lifetime: no refresh; from half of it: one, in the background.
    clock.advance(Duration::from_secs(29));
    get(&client, &emu, &list_users_path(&emu)).await.unwrap();
    assert_eq!(exchanges(), 1);
    clock.advance(Duration::from_secs(2));
    get(&client, &emu, &list_users_path(&emu)).await.unwrap();
    until("the half-life refresh", || exchanges() == 2).await;
    assert_eq!(creds.fetch_count(), 2);

    // An unknown service account is refused: a typed error naming the provider.
    std::fs::write(&sa, "someone-else").unwrap();
    let other = OkeWorkloadIdentity::builder()
        .endpoint(emu.endpoint().to_string())
        .service_account_token_path(&sa)
        .ca_cert_path(&ca)
        .build()
        .unwrap();
    let err = other.identity().await.expect_err("unknown service account");
    assert!(err.is_auth(), "{err}");
}

/// The instance principal with its refresh point moved: Python's rule (exp - 60 s) makes a 60 s
/// token due at once, so every call would refresh and "refreshes due" would be every call.
/// Here a token is due 40 s after it was issued (20 s before it expires); everything else
/// (IMDS, federation, the cache, signing) is the real provider's.
#[derive(Debug)]
struct DueAfter40s(InstancePrincipal);

impl Credentials for DueAfter40s {
    fn identity(&self) -> IdentityFuture<'_> {
        IdentityFuture::new(async move {
            let id = self.0.identity().await?;
            let exp = id.expires_at().expect("tokens expire");
            Ok(id.with_refresh_at(exp - Duration::from_secs(20)))
        })
    }
    fn provider_name(&self) -> &'static str {
        self.0.provider_name()
    }
    fn region(&self) -> Option<Region> {
        self.0.region()
    }
    fn refreshes_on_unauthorized(&self) -> bool {
        true
    }
}

/// Waits (briefly, in real time: the refresh does real I/O to the emulator) until `cond`.
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..20_000 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_minutes_eight_callers_one_federation_call_per_refresh_due() {
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let emu = builder()
        .clock(clock.clone())
        .token_lifetime(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let provider = DueAfter40s(instance_provider(&emu, clock.clone()).await);
    let cache = CredentialsCache::with_clock(Arc::new(provider), clock.clone());
    let client = Arc::new(client_with(&emu, Arc::new(cache.clone())));
    let path = list_users_path(&emu);
    let start = clock.now();
    let step = Duration::from_secs(5);

    let mut expected = 0usize; // federation calls due so far
    let mut due_at: Option<SystemTime> = None; // when the current token is due for refresh
    let mut calls = 0usize;
    for i in 0..=120u32 {
        let now = start + step * i;
        clock.set(now);
        let due = due_at.is_none_or(|d| now >= d);
        if due {
            expected += 1;
            due_at = Some(now + Duration::from_secs(40));
        }
        let federation_before = emu.federation_calls();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let client = client.clone();
                let emu_path = format!("{}{}", emu.endpoint(), path);
                tokio::spawn(async move {
                    let req = http::Request::get(emu_path).body(Body::empty()).unwrap();
                    client.call(req).await.map(|r| r.status().as_u16())
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(
                t.await.unwrap().expect("no call fails"),
                200,
                "at +{}s",
                i * 5
            );
            calls += 1;
        }
        if due {
            // The refresh ran (in the background after the first token) and is in place.
            until("the refresh", || emu.federation_calls() == expected).await;
            let latest = emu.issued_tokens().last().unwrap().jti.clone();
            let mut current = String::new();
            for _ in 0..20_000 {
                current = jti_of(&cache.identity().await.unwrap());
                if current == latest {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            assert_eq!(current, latest);
            if i > 0 {
                // No caller waited: this step's calls were signed with the previous token.
                let step_entries: Vec<_> = emu
                    .journal()
                    .into_iter()
                    .filter(|e| e.operation == "ListUsers")
                    .rev()
                    .take(8)
                    .collect();
                assert!(step_entries.iter().all(|e| !e
                    .key_id
                    .as_deref()
                    .unwrap_or("")
                    .contains(&latest)));
            }
        } else {
            assert_eq!(emu.federation_calls(), federation_before, "at +{}s", i * 5);
        }
    }
    // 1 initial token + one refresh every 40 s over 600 s.
    assert_eq!(expected, 16);
    assert_eq!(emu.federation_calls(), expected);
    assert_eq!(cache.fetch_count() as usize, expected);
    assert_eq!(calls, 121 * 8);
    let failed = emu
        .journal()
        .iter()
        .filter(|e| e.status != Some(200))
        .count();
    assert_eq!(failed, 0);
}

#[tokio::test]
async fn a_token_revoked_mid_run_gives_one_refresh_and_one_resend() {
    let emu = builder().start().await.unwrap();
    let creds = InstancePrincipal::builder()
        .metadata_base_url(emu.imds_base_url())
        .federation_endpoint(emu.endpoint().to_string())
        .build()
        .await
        .unwrap();
    let client = client_with(&emu, Arc::new(creds.clone()));
    let path = list_users_path(&emu);
    get(&client, &emu, &path).await.unwrap();
    assert_eq!(emu.federation_calls(), 1);
    emu.clear_journal();

    assert_eq!(emu.revoke_all_tokens(), 1);
    let resp = get(&client, &emu, &path)
        .await
        .expect("resent after a refresh");
    assert_eq!(resp.status(), 200);
    let journal = emu.journal();
    let list: Vec<_> = journal
        .iter()
        .filter(|e| e.operation == "ListUsers")
        .map(|e| e.status)
        .collect();
    assert_eq!(list, [Some(401), Some(200)], "one 401, one resend");
    assert_eq!(emu.federation_calls(), 1, "one refresh");
    assert_eq!(creds.fetch_count(), 2);
    // A body is replayed on the resend too.
    emu.revoke_all_tokens();
    emu.clear_journal();
    post(
        &client,
        &emu,
        "/20160918/groups",
        json!({"compartmentId": emu.tenancy_id(), "name": "g", "description": "d"}),
    )
    .await
    .expect("CreateGroup resent");
    let statuses: Vec<_> = emu
        .journal()
        .iter()
        .filter(|e| e.operation == "CreateGroup")
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses, [Some(401), Some(200)]);
}

#[tokio::test(start_paused = true)]
async fn imds_unreachable_is_a_typed_error_within_a_bounded_time() {
    // A port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}/opc/v2");
    let started = tokio::time::Instant::now();
    let err = InstancePrincipal::builder()
        .metadata_base_url(&base)
        .federation_endpoint("http://127.0.0.1:1")
        .build()
        .await
        .expect_err("no IMDS");
    let took = started.elapsed();
    assert!(err.is_auth(), "{err}");
    assert!(err.to_string().contains(&base), "{err}");
    // The IMDS retry: 8 attempts within 180 s (each attempt bounded too).
    assert!(took <= Duration::from_secs(180 + 60), "{took:?}");
}

#[tokio::test(start_paused = true)]
async fn federation_5xx_is_retried_then_trips_the_breaker() {
    let emu = builder().start().await.unwrap();
    emu.add_fault(Fault::status(503, "ServiceUnavailable").operation("X509Federation"));
    let creds = InstancePrincipal::builder()
        .metadata_base_url(emu.imds_base_url())
        .federation_endpoint(emu.endpoint().to_string())
        .build()
        .await
        .unwrap();
    let err = creds.identity().await.expect_err("503s");
    assert!(err.is_auth(), "{err}");
    assert_eq!(emu.federation_calls(), 3, "3 attempts: {err}");
    let err = creds.identity().await.expect_err("breaker open");
    assert!(err.to_string().contains("circuit breaker"), "{err}");
    assert_eq!(emu.federation_calls(), 3, "no request while open");
    // The service recovers; after the open window the breaker lets a call through.
    emu.clear_faults();
    tokio::time::advance(Duration::from_secs(50)).await;
    creds.identity().await.expect("recovered");
    assert_eq!(emu.federation_calls(), 4);
}

#[tokio::test]
async fn malformed_certificate_key_or_token_is_a_typed_error() {
    let emu = builder().start().await.unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "GetInstanceCertificate",
            "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
        ),
        ("GetInstanceCertificate", ""),
        (
            "GetInstanceKey",
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        ),
        ("GetIntermediateCertificate", "garbage"),
        ("X509Federation", "not json"),
        ("X509Federation", r#"{"token": "not-a-jwt"}"#),
        ("X509Federation", r#"{"token": "a.e30.c"}"#),
        ("X509Federation", r#"{"nothing": 1}"#),
    ];
    for (operation, body) in cases {
        emu.override_workload_response(operation, Some(body));
        let creds = InstancePrincipal::builder()
            .metadata_base_url(emu.imds_base_url())
            .federation_endpoint(emu.endpoint().to_string())
            .build()
            .await
            .unwrap();
        let err = creds
            .identity()
            .await
            .expect_err(&format!("{operation} answering {body:?}"));
        assert!(err.is_auth(), "{operation}: {err}");
        emu.override_workload_response(operation, None);
    }
    // The proxymux's answer: not base64, base64 of no token, a token that is no JWT.
    let dir = tempfile::tempdir().unwrap();
    let (sa, ca) = (dir.path().join("token"), dir.path().join("ca.crt"));
    std::fs::write(&sa, emu.service_account_token()).unwrap();
    std::fs::write(&ca, emu.root_ca_pem().unwrap()).unwrap();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for body in [
        "%%% not base64".to_owned(),
        b64("{}"),
        b64(r#"{"token":"ST$not.a.jwt"}"#),
        b64("not json"),
    ] {
        emu.override_workload_response("GetPodResourcePrincipalSessionToken", Some(&body));
        let creds = OkeWorkloadIdentity::builder()
            .endpoint(emu.endpoint().to_string())
            .service_account_token_path(&sa)
            .ca_cert_path(&ca)
            .build()
            .unwrap();
        let err = creds.identity().await.expect_err(&body);
        assert!(err.is_auth(), "{body}: {err}");
    }
    emu.override_workload_response("GetPodResourcePrincipalSessionToken", None);
    // A malformed RPST or key for resource principals fails when built.
    for (rpst, key) in [
        ("not-a-jwt", other_key_pem()),
        ("a.e30.c", other_key_pem()),
        (
            emu.mint_resource_principal().unwrap().rpst.as_str(),
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        ),
    ]
    .map(|(r, k)| (r.to_owned(), k.to_owned()))
    {
        let result = ResourcePrincipal::builder()
            .rpst(&rpst)
            .private_pem(&key)
            .region(Region::new(emu.region()))
            .build_provider();
        assert!(result.is_err(), "{rpst}");
    }

    emu.override_workload_response("GetInstanceRegion", Some("no such region!"));
    let err = InstancePrincipal::builder()
        .metadata_base_url(emu.imds_base_url())
        .federation_endpoint(emu.endpoint().to_string())
        .build()
        .await
        .expect_err("bad region");
    assert!(err.is_auth(), "{err}");
}

#[tokio::test]
async fn no_token_key_or_signature_in_debug_output() {
    let emu = builder().start().await.unwrap();
    let creds = InstancePrincipal::builder()
        .metadata_base_url(emu.imds_base_url())
        .federation_endpoint(emu.endpoint().to_string())
        .build()
        .await
        .unwrap();
    let client = client_with(&emu, Arc::new(creds.clone()));
    get(&client, &emu, &list_users_path(&emu)).await.unwrap();
    let identity = creds.identity().await.unwrap();
    let token = identity.key_id().strip_prefix("ST$").unwrap().to_owned();
    let signature = token.rsplit('.').next().unwrap().to_owned();
    let rp = emu.mint_resource_principal().unwrap();
    let shown = [
        format!("{creds:?}"),
        format!("{identity:?}"),
        format!("{client:?}"),
        format!("{:?}", creds.provider()),
        format!("{rp:?}"),
        format!("{:?}", emu.journal()),
        format!("{:?}", emu.issued_tokens()),
        format!("{emu:?}"),
    ];
    for s in &shown {
        assert!(!s.contains(&token), "token in {s}");
        assert!(!s.contains(&signature), "signature in {s}");
        assert!(!s.contains(&rp.rpst), "RPST in {s}");
        assert!(!s.contains("PRIVATE KEY"), "key in {s}");
    }
}
