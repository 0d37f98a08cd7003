//! Secrets never leak: the quickstart's flow and the retry example's flow run against the
//! emulator with `tracing` at TRACE captured to a buffer, every public type they touch is
//! Debug-printed (and errors Displayed) into the same buffer, and then no private key material,
//! passphrase, signature, session token or `Authorization` value may appear in it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oci_emulator::{Emulator, Fault};
use oci_tower::auth::{PrivateKey, RequestSigner, SessionTokenCredentials};
use oci_tower::clock::SystemClock;
use oci_tower::identity::models::{AddUserToGroupDetails, CreateGroupDetails, CreateUserDetails};
use oci_tower::identity::IdentityClient;
use oci_tower::layers::{CircuitBreakerConfig, RetryPolicy};
use oci_tower::objectstorage::models::CreateBucketDetails;
use oci_tower::objectstorage::ObjectStorageClient;
use oci_tower::{Body, Client, Config};
use tracing_core::field::{Field, Visit};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Metadata, Subscriber};

/// A subscriber that writes every span field and event at every level to a buffer.
struct Capture {
    out: Arc<Mutex<String>>,
    next: AtomicU64,
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing_core::LevelFilter> {
        Some(tracing_core::LevelFilter::TRACE)
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut out = self.out.lock().unwrap();
        let _ = write!(out, "\nspan {}:", span.metadata().name());
        span.record(&mut Fields(&mut out));
        Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed))
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&mut self.out.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut out = self.out.lock().unwrap();
        let _ = write!(out, "\nevent {}:", event.metadata().target());
        event.record(&mut Fields(&mut out));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

const PASSPHRASE: &str = "test-passphrase";
const SESSION_TOKEN: &str =
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtc2Vzc2lvbiJ9.c2lnbmF0dXJlLXNlY3JldA";

#[test]
fn no_secret_in_traces_debug_or_errors() {
    let out = Arc::new(Mutex::new(String::new()));
    let subscriber = Capture {
        out: out.clone(),
        next: AtomicU64::new(1),
    };
    let mut secrets: Vec<String> = vec![PASSPHRASE.into(), SESSION_TOKEN.into()];
    tracing::subscriber::with_default(subscriber, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(flows(&out, &mut secrets));
    });
    let text = out.lock().unwrap().clone();
    assert!(
        text.len() > 10_000,
        "too little captured to mean anything: {} bytes",
        text.len()
    );
    assert!(text.contains("event"), "no trace event captured");
    let mut checked = 0;
    for secret in &secrets {
        assert!(secret.len() >= 12, "too short to search for: {secret:?}");
        assert!(
            !text.contains(secret.as_str()),
            "a secret leaked: {secret:.24}..."
        );
        checked += 1;
    }
    eprintln!(
        "secrets: {checked} secret strings absent from {} bytes of traces and Debug output",
        text.len()
    );
}

/// Private key material as it appears in files: every 16-character piece of the PEM's base64.
fn key_pieces(pem: &str) -> Vec<String> {
    let b64: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----") && !l.contains(':'))
        .collect();
    b64.as_bytes()
        .chunks(16)
        .filter(|c| c.len() == 16)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect()
}

fn authorization_parts(req: &http::Request<Body>, secrets: &mut Vec<String>) {
    let auth = req
        .headers()
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let sig = auth
        .split("signature=\"")
        .nth(1)
        .unwrap()
        .trim_end_matches('"')
        .to_owned();
    secrets.push(auth);
    secrets.push(sig);
}

async fn flows(out: &Arc<Mutex<String>>, secrets: &mut Vec<String>) {
    let log = |s: String| out.lock().unwrap().push_str(&format!("\n{s}"));
    let emu = Emulator::builder().start().await.unwrap();
    secrets.extend(key_pieces(emu.private_key_pem()));

    // Config file, key (plain and encrypted), credentials, signer, builder, client.
    let dir = tempfile::tempdir().unwrap();
    let path = emu.write_config(dir.path()).unwrap();
    let config = Config::from_file(Some(&path), None).unwrap();
    log(format!(
        "{config:?} {:?} {:?}",
        config.private_key().map(|_| ()),
        config.credentials().map(|_| ())
    ));
    let keys = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/core/tests/fixtures/keys/"
    );
    let enc = std::fs::read_to_string(format!("{keys}rsa_pkcs8_aes256.pem")).unwrap();
    let plain = std::fs::read_to_string(format!("{keys}rsa_pkcs8.pem")).unwrap();
    secrets.extend(key_pieces(&plain));
    let enc_config = Config::from_text(
        &format!("[DEFAULT]\nuser=ocid1.user.oc1..u\ntenancy=ocid1.tenancy.oc1..t\nfingerprint=20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34\nkey_file={keys}rsa_pkcs8_aes256.pem\npass_phrase={PASSPHRASE}\nregion=us-ashburn-1\n"),
        None,
    )
    .unwrap();
    let key = enc_config.private_key().unwrap();
    log(format!(
        "{enc_config:?} {key:?} {:?}",
        PrivateKey::from_pem(enc.as_bytes(), Some("wrong-passphrase"))
    ));
    log(format!("{:?}", PrivateKey::from_pem(enc.as_bytes(), None)));
    let creds = emu.credentials();
    log(format!("{creds:?}"));
    let signer = RequestSigner::new(creds.clone(), Arc::new(SystemClock));
    let mut req = http::Request::get(format!("{}/n/", emu.endpoint()))
        .body(Body::empty())
        .unwrap();
    signer.sign(&mut req, false).unwrap();
    authorization_parts(&req, secrets);
    log(format!("{signer:?} {req:?}"));

    // Session token credentials.
    let token = dir.path().join("token");
    std::fs::write(&token, SESSION_TOKEN).unwrap();
    let st = SessionTokenCredentials::from_file(&token, key).unwrap();
    let st_signer = RequestSigner::new(Arc::new(st), Arc::new(SystemClock));
    let mut req = http::Request::put(format!("{}/n/ns/b/b/o/x", emu.endpoint()))
        .body(Body::from("body"))
        .unwrap();
    st_signer.sign(&mut req, false).unwrap();
    authorization_parts(&req, secrets);
    log(format!("{st_signer:?} {req:?}"));

    let builder = emu.client_builder();
    log(format!("{builder:?}"));
    let client = builder.build().unwrap();
    log(format!("{client:?}"));

    quickstart(&emu, &client, &log).await;
    retry_flow(&emu, &log).await;
    // What the emulator saw, as a user would print it.
    log(format!("{:?}", emu.journal()));
    log(format!("{emu:?}"));
}

async fn quickstart(emu: &Emulator, client: &Client, log: &impl Fn(String)) {
    let identity = IdentityClient::new(client.clone());
    let c = emu.tenancy_id().to_owned();
    let group = identity
        .create_group()
        .create_group_details(CreateGroupDetails {
            compartment_id: c.clone(),
            name: "g".into(),
            description: "d".into(),
            ..Default::default()
        });
    log(format!("{:?}", group.request()));
    let group = group.send().await.unwrap();
    log(format!("{group:?}"));
    let user = identity
        .create_user()
        .create_user_details(CreateUserDetails {
            compartment_id: c.clone(),
            name: "u".into(),
            description: "d".into(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    log(format!("{user:?}"));
    let m = identity
        .add_user_to_group()
        .add_user_to_group_details(AddUserToGroupDetails {
            user_id: user.body.id.clone(),
            group_id: group.body.id.clone(),
        })
        .send()
        .await
        .unwrap();
    log(format!("{m:?}"));
    let users = identity
        .list_users()
        .compartment_id(&c)
        .limit(1)
        .send()
        .await
        .unwrap();
    log(format!("{users:?}"));
    let missing = identity
        .get_user()
        .user_id("ocid1.user.oc1..missing")
        .send()
        .await
        .unwrap_err();
    log(format!("{missing} {missing:?}"));
    let os = ObjectStorageClient::new(client.clone());
    let ns = os.get_namespace().send().await.unwrap().body;
    os.create_bucket()
        .namespace_name(&ns)
        .create_bucket_details(CreateBucketDetails {
            name: "b".into(),
            compartment_id: c.clone(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let put = os
        .put_object()
        .namespace_name(&ns)
        .bucket_name("b")
        .object_name("o")
        .put_object_body(Body::from("hello"))
        .send()
        .await
        .unwrap();
    log(format!("{put:?}"));
    let got = os
        .get_object()
        .namespace_name(&ns)
        .bucket_name("b")
        .object_name("o")
        .send()
        .await
        .unwrap();
    log(format!("{got:?}"));
    identity
        .remove_user_from_group()
        .user_group_membership_id(&m.body.id)
        .send()
        .await
        .unwrap();
    identity
        .delete_user()
        .user_id(&user.body.id)
        .send()
        .await
        .unwrap();
    identity
        .delete_group()
        .group_id(&group.body.id)
        .send()
        .await
        .unwrap();
}

async fn retry_flow(emu: &Emulator, log: &impl Fn(String)) {
    let retry = RetryPolicy::builder()
        .max_attempts(3)
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
        .build();
    let breaker = CircuitBreakerConfig::builder()
        .min_calls(2)
        .failure_rate(0.5)
        .open_for(Duration::from_millis(50))
        .build();
    log(format!("{retry:?} {breaker:?}"));
    let client = emu
        .client_builder()
        .retry_policy(retry)
        .circuit_breaker(breaker)
        .attempt_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let identity = IdentityClient::new(client.clone());
    let user = emu.user_id().to_owned();
    emu.add_fault(
        Fault::status(503, "ServiceUnavailable")
            .operation("GetUser")
            .first(1),
    );
    emu.add_fault(
        Fault::status(429, "TooManyRequests")
            .operation("GetUser")
            .first(1)
            .retry_after(0),
    );
    log(format!(
        "{:?}",
        identity.get_user().user_id(&user).send().await
    ));
    emu.add_fault(Fault::hang().operation("GetUser").first(1));
    log(format!(
        "{:?}",
        identity.get_user().user_id(&user).send().await
    ));
    emu.add_fault(Fault::status(500, "InternalServerError").operation("GetUser"));
    for _ in 0..4 {
        let e = identity.get_user().user_id(&user).send().await.unwrap_err();
        log(format!("{e} {e:?}"));
    }
    log(format!(
        "{:?}",
        client.circuit_breakers().map(|b| b.snapshot())
    ));
    emu.clear_faults();
}
