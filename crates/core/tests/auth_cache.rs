//! The credentials cache and the sign layer's token handling: refresh ahead of expiry without
//! blocking, single-flight, failure handling, 401 → one refresh and one resend.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use oci_core::auth::{
    Credentials, CredentialsCache, Identity, IdentityFuture, PrivateKey, RequestSigner,
};
use oci_core::clock::{Clock, ManualClock};
use oci_core::layers::SignLayer;
use oci_core::{Body, Error, ErrorKind};
use tower::{Layer, Service, ServiceExt};

const T0: u64 = 1_800_000_000;
const LIFETIME: Duration = Duration::from_secs(3600);

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(T0 + secs)
}

fn key() -> Arc<PrivateKey> {
    oci_core::testing::credentials().private_key().unwrap()
}

/// A token provider that counts fetches, takes `delay` (tokio time) per fetch, can be made to
/// fail, and issues `ST$token-<n>` valid for an hour from the clock's now.
#[derive(Debug)]
struct FakeProvider {
    clock: ManualClock,
    key: Arc<PrivateKey>,
    fetches: AtomicU32,
    fail: AtomicBool,
    delay: Duration,
}

impl FakeProvider {
    fn new(clock: &ManualClock, delay: Duration) -> Arc<Self> {
        Arc::new(FakeProvider {
            clock: clock.clone(),
            key: key(),
            fetches: AtomicU32::new(0),
            fail: AtomicBool::new(false),
            delay,
        })
    }
}

impl Credentials for FakeProvider {
    fn identity(&self) -> IdentityFuture<'_> {
        IdentityFuture::new(async move {
            let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(self.delay).await;
            if self.fail.load(Ordering::SeqCst) {
                return Err(Error::auth(
                    "fake",
                    "https://auth.example/v1/x509",
                    "the token endpoint answered 503",
                )
                .with_auth_status(http::StatusCode::SERVICE_UNAVAILABLE)
                .with_opc_request_id_if_missing(|| Some("REQ-503".into())));
            }
            let exp = self.clock.now() + LIFETIME;
            Ok(Identity::new(format!("ST$token-{n}"), self.key.clone())
                .with_expiry(exp)
                .with_refresh_at(exp - Duration::from_secs(60)))
        })
    }
    fn provider_name(&self) -> &'static str {
        "fake"
    }
    fn refreshes_on_unauthorized(&self) -> bool {
        true
    }
}

fn cache(provider: &Arc<FakeProvider>, clock: &ManualClock) -> CredentialsCache {
    CredentialsCache::with_clock(provider.clone(), Arc::new(clock.clone()))
}

/// Lets spawned tasks run (the paused clock advances only when everything is idle).
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn refreshes_ahead_of_expiry_in_the_background_without_blocking() {
    let clock = ManualClock::new(at(0));
    let provider = FakeProvider::new(&clock, Duration::from_secs(5));
    let creds = cache(&provider, &clock);

    let first = creds.identity().await.unwrap();
    assert_eq!(first.key_id(), "ST$token-1");
    assert_eq!(creds.fetch_count(), 1);

    // Before the refresh point: ready at once, no fetch.
    clock.set(at(3000));
    let mut fut = creds.identity();
    assert!(fut.is_ready());
    assert_eq!(fut.take_ready().unwrap().unwrap().key_id(), "ST$token-1");
    settle().await;
    assert_eq!(creds.fetch_count(), 1);

    // Past exp - 60 s: still ready with the old token, and one background fetch starts.
    clock.set(at(3550));
    for _ in 0..20 {
        let mut fut = creds.identity();
        let id = fut
            .take_ready()
            .expect("never waits while the token is valid")
            .unwrap();
        assert_eq!(id.key_id(), "ST$token-1");
    }
    settle().await;
    assert_eq!(
        provider.fetches.load(Ordering::SeqCst),
        2,
        "one background fetch"
    );
    // The fetch takes 5 s of tokio time; the paused clock jumps there once idle.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let mut fut = creds.identity();
    assert_eq!(fut.take_ready().unwrap().unwrap().key_id(), "ST$token-2");
    assert_eq!(creds.fetch_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn one_hundred_concurrent_callers_at_expiry_cause_one_fetch() {
    let clock = ManualClock::new(at(0));
    let provider = FakeProvider::new(&clock, Duration::from_secs(1));
    let creds = Arc::new(cache(&provider, &clock));

    let mut tasks = Vec::new();
    for _ in 0..100 {
        let c = creds.clone();
        tasks.push(tokio::spawn(async move {
            c.identity().await.map(|i| i.key_id().to_owned())
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), "ST$token-1");
    }
    assert_eq!(provider.fetches.load(Ordering::SeqCst), 1);

    // The token expires (no background refresh ran: no call was made in the window).
    clock.set(at(LIFETIME.as_secs() + 1));
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let c = creds.clone();
        tasks.push(tokio::spawn(async move {
            c.identity().await.map(|i| i.key_id().to_owned())
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), "ST$token-2");
    }
    assert_eq!(provider.fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_keeps_the_old_token_while_valid_then_is_a_typed_error() {
    let clock = ManualClock::new(at(0));
    let provider = FakeProvider::new(&clock, Duration::from_millis(10));
    let creds = cache(&provider, &clock);
    creds.identity().await.unwrap();

    provider.fail.store(true, Ordering::SeqCst);
    clock.set(at(3550));
    for step in 0..30 {
        let mut fut = creds.identity();
        let id = fut.take_ready().expect("old token served").unwrap();
        assert_eq!(id.key_id(), "ST$token-1", "step {step}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Background refreshes failed, but are not retried on every call (5 s back-off).
    let tried = provider.fetches.load(Ordering::SeqCst);
    assert!((2..=3).contains(&tried), "{tried}");

    // Expired: the caller gets the provider's typed error.
    clock.set(at(LIFETIME.as_secs()));
    let err = creds
        .identity()
        .await
        .expect_err("expired and refresh fails");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(err.is_auth());
    assert_eq!(err.opc_request_id(), Some("REQ-503"));
    assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    let text = err.to_string();
    assert!(
        text.contains("fake") && text.contains("https://auth.example/v1/x509"),
        "{text}"
    );

    // Recovery: the next call fetches again.
    provider.fail.store(false, Ordering::SeqCst);
    assert!(creds
        .identity()
        .await
        .unwrap()
        .key_id()
        .starts_with("ST$token-"));
}

#[tokio::test(start_paused = true)]
async fn a_token_is_not_used_in_its_last_seconds() {
    let clock = ManualClock::new(at(0));
    let provider = FakeProvider::new(&clock, Duration::from_millis(10));
    let creds = cache(&provider, &clock);
    creds.identity().await.unwrap();
    // Refreshes fail, so the old token is kept as long as it may be used.
    provider.fail.store(true, Ordering::SeqCst);
    let margin = oci_core::auth::EXPIRY_MARGIN.as_secs();

    // One second before the margin: still served.
    clock.set(at(LIFETIME.as_secs() - margin - 1));
    let id = creds.identity().take_ready().expect("served").unwrap();
    assert_eq!(id.key_id(), "ST$token-1");

    // Inside the margin (exp not reached yet): not served; the caller waits for a fetch, which
    // fails here, so it gets the typed error instead of a token about to expire.
    clock.set(at(LIFETIME.as_secs() - margin + 1));
    let err = creds
        .identity()
        .await
        .expect_err("no token in its last seconds");
    assert!(err.is_auth(), "{err}");

    // A fetch that works gives a fresh token.
    provider.fail.store(false, Ordering::SeqCst);
    let id = creds.identity().await.unwrap();
    assert_ne!(id.key_id(), "ST$token-1");
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_one_failure() {
    let clock = ManualClock::new(at(0));
    let provider = FakeProvider::new(&clock, Duration::from_secs(1));
    provider.fail.store(true, Ordering::SeqCst);
    let creds = Arc::new(cache(&provider, &clock));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let c = creds.clone();
        tasks.push(tokio::spawn(async move { c.identity().await.map(|_| ()) }));
    }
    for t in tasks {
        let e = t.await.unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert_eq!(e.opc_request_id(), Some("REQ-503"));
    }
    assert_eq!(provider.fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn invalidate_drops_only_the_rejected_identity() {
    let clock = ManualClock::new(at(0));
    let provider = FakeProvider::new(&clock, Duration::ZERO);
    let creds = cache(&provider, &clock);
    let one = creds.identity().await.unwrap();
    creds.invalidate(&one);
    let two = creds.identity().await.unwrap();
    assert_eq!(two.key_id(), "ST$token-2");
    // A late 401 for the old token does not throw the new one away.
    creds.invalidate(&one);
    assert_eq!(creds.identity().await.unwrap().key_id(), "ST$token-2");
    assert_eq!(creds.fetch_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn debug_shows_no_token_or_key() {
    let clock = ManualClock::new(at(0));
    let provider = FakeProvider::new(&clock, Duration::ZERO);
    let creds = cache(&provider, &clock);
    let id = creds.identity().await.unwrap();
    for text in [
        format!("{id:?}"),
        format!("{creds:?}"),
        format!("{:?}", creds.identity()),
    ] {
        assert!(!text.contains("token-1"), "{text}");
        assert!(!text.contains("PRIVATE"), "{text}");
    }
}

// ---- the sign layer ----

type Seen = Arc<Mutex<Vec<(String, Option<Bytes>)>>>;

/// A service answering 401 `NotAuthenticated` to the first `fail` calls, then 200; records each
/// request's keyId and body.
fn server(
    fail: u32,
) -> (
    Seen,
    impl Service<
            http::Request<Body>,
            Response = http::Response<Body>,
            Error = Error,
            Future = impl std::future::Future<Output = Result<http::Response<Body>, Error>> + Send,
        > + Clone
        + Send
        + 'static,
) {
    let seen: Seen = Arc::default();
    let calls = Arc::new(AtomicU32::new(0));
    let s = seen.clone();
    let svc = tower::service_fn(move |req: http::Request<Body>| {
        let seen = s.clone();
        let calls = calls.clone();
        async move {
            let auth = req.headers()["authorization"].to_str().unwrap().to_owned();
            let key_id = auth
                .split("keyId=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_owned();
            let body = req.body().as_bytes().map(Bytes::copy_from_slice);
            seen.lock().unwrap().push((key_id, body));
            if calls.fetch_add(1, Ordering::SeqCst) < fail {
                return Err(Error::service(
                    http::StatusCode::UNAUTHORIZED,
                    Some("NotAuthenticated".into()),
                    "The required information to complete authentication was not provided.".into(),
                    Some("SVC-401".into()),
                ));
            }
            Ok(http::Response::new(Body::empty()))
        }
    });
    (seen, svc)
}

fn signer(creds: Arc<dyn Credentials>, clock: &ManualClock) -> RequestSigner {
    RequestSigner::new(creds, Arc::new(clock.clone()))
}

#[tokio::test(start_paused = true)]
async fn a_401_for_a_token_principal_refreshes_once_and_resends_once() {
    let clock = ManualClock::new(at(0));
    let provider = FakeProvider::new(&clock, Duration::ZERO);
    let creds = Arc::new(cache(&provider, &clock));
    let (seen, inner) = server(1);
    let mut svc = SignLayer::new(signer(creds.clone(), &clock)).layer(inner);

    let req = http::Request::post("https://objectstorage.example/n/ns/b/b/o/x")
        .body(Body::from_bytes(&b"payload"[..]))
        .unwrap();
    svc.ready()
        .await
        .unwrap()
        .call(req)
        .await
        .expect("resent after a refresh");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "one send and one resend");
    assert_eq!(seen[0].0, "ST$token-1");
    assert_eq!(seen[1].0, "ST$token-2");
    assert_eq!(
        seen[1].1.as_deref(),
        Some(&b"payload"[..]),
        "the body is replayed"
    );
    assert_eq!(creds.fetch_count(), 2, "exactly one refresh");
}

#[tokio::test(start_paused = true)]
async fn a_second_401_is_returned_not_retried_again() {
    let clock = ManualClock::new(at(0));
    let provider = FakeProvider::new(&clock, Duration::ZERO);
    let creds = Arc::new(cache(&provider, &clock));
    let (seen, inner) = server(10);
    let mut svc = SignLayer::new(signer(creds.clone(), &clock)).layer(inner);
    let req = http::Request::get("https://identity.example/x")
        .body(Body::empty())
        .unwrap();
    let err = svc
        .ready()
        .await
        .unwrap()
        .call(req)
        .await
        .expect_err("still 401");
    assert_eq!(err.status(), Some(http::StatusCode::UNAUTHORIZED));
    assert_eq!(seen.lock().unwrap().len(), 2);
    assert_eq!(creds.fetch_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_401_with_a_one_shot_body_is_a_typed_error() {
    let clock = ManualClock::new(at(0));
    let provider = FakeProvider::new(&clock, Duration::ZERO);
    let creds = Arc::new(cache(&provider, &clock));
    let (seen, inner) = server(1);
    let mut svc = SignLayer::new(signer(creds.clone(), &clock)).layer(inner);
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![Ok(Bytes::from_static(b"hello"))];
    let body = Body::from_stream(futures_util::stream::iter(chunks), Some(5));
    let mut req = http::Request::put("https://objectstorage.example/n/ns/b/b/o/x")
        .body(body)
        .unwrap();
    req.extensions_mut()
        .insert(oci_core::OperationInfo::new("objectstorage", "PutObject").exclude_body(true));
    let err = svc
        .ready()
        .await
        .unwrap()
        .call(req)
        .await
        .expect_err("cannot resend");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.status(), Some(http::StatusCode::UNAUTHORIZED));
    assert_eq!(err.opc_request_id(), Some("SVC-401"));
    assert!(err.to_string().contains("one-shot"), "{err}");
    assert_eq!(seen.lock().unwrap().len(), 1, "not resent");
    // The rejected token was dropped: the next call uses a new one.
    assert_eq!(creds.identity().await.unwrap().key_id(), "ST$token-2");
}

#[tokio::test(start_paused = true)]
async fn api_keys_sign_synchronously_and_a_401_is_not_resent() {
    let clock = ManualClock::new(at(0));
    let creds = oci_core::testing::credentials();
    assert!(creds.identity().is_ready());
    let (seen, inner) = server(1);
    let mut svc = SignLayer::new(signer(creds, &clock)).layer(inner);
    let req = http::Request::get("https://identity.example/x")
        .body(Body::empty())
        .unwrap();
    let err = svc.ready().await.unwrap().call(req).await.expect_err("401");
    assert!(err.is_auth());
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_first_call_waits_for_the_token_then_signs() {
    let clock = ManualClock::new(at(0));
    let provider = FakeProvider::new(&clock, Duration::from_secs(2));
    let creds = Arc::new(cache(&provider, &clock));
    let (seen, inner) = server(0);
    let mut svc = SignLayer::new(signer(creds.clone(), &clock)).layer(inner);
    // Synchronous signing cannot fetch: a clear error.
    let mut req = http::Request::get("https://identity.example/x")
        .body(Body::empty())
        .unwrap();
    let sync = signer(creds.clone(), &clock)
        .sign(&mut req, false)
        .expect_err("not ready");
    assert_eq!(sync.kind(), ErrorKind::Signing);
    let req = http::Request::get("https://identity.example/x")
        .body(Body::empty())
        .unwrap();
    svc.ready().await.unwrap().call(req).await.unwrap();
    assert_eq!(seen.lock().unwrap()[0].0, "ST$token-1");
}
