//! Signing micro-benchmarks: the RSA primitive and the whole `RequestSigner::sign`.
//!
//! `cargo bench --bench signing` (add `-- --measurement-time 2 --warm-up-time 1` for a quick run).
//!
//! Every iteration signs a different message or URL, rotating over 1,000 distinct user OCIDs:
//! RSA PKCS#1 v1.5 is deterministic and `date` has one-second resolution, so a loop over one URL
//! would let any signature cache look far faster than signing is. Requests are built in the
//! untimed setup (`iter_batched`), so the figures are signing alone.

// A benchmark is test code: a failed setup should stop it loudly, and criterion's macros
// generate undocumented functions.
#![allow(missing_docs, clippy::expect_used)]

use std::sync::Arc;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use oci_tower::auth::{ApiKeyCredentials, PrivateKey, RequestSigner};
use oci_tower::clock::SystemClock;
use oci_tower::Body;

const USERS: usize = 1_000;
const HOST: &str = "https://identity.us-ashburn-1.oci.oraclecloud.com";

fn user(i: usize) -> String {
    format!("ocid1.user.oc1..aaaaaaaa{i:0>52}")
}

fn key() -> PrivateKey {
    let rsa = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("RSA-2048 key");
    PrivateKey::from_rsa(rsa).expect("ring accepts the key")
}

fn signer() -> RequestSigner {
    let creds = ApiKeyCredentials::new(
        "ocid1.tenancy.oc1..aaaaaaaabenchtenancy",
        "ocid1.user.oc1..aaaaaaaabenchuser",
        "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34",
        key(),
    );
    RequestSigner::new(Arc::new(creds), Arc::new(SystemClock))
}

fn bench_primitive(c: &mut Criterion) {
    let key = key();
    let messages: Vec<String> = (0..USERS)
        .map(|i| {
            format!(
                "date: Sat, 21 Nov 2026 14:16:13 GMT\n(request-target): get /20160918/users/{}\n\
                 host: identity.us-ashburn-1.oci.oraclecloud.com",
                user(i)
            )
        })
        .collect();
    let mut g = c.benchmark_group("rsa2048");
    g.throughput(Throughput::Elements(1));
    let mut i = 0;
    g.bench_function("PrivateKey::sign_sha256", |b| {
        b.iter(|| {
            i = (i + 1) % USERS;
            key.sign_sha256(messages[i].as_bytes()).expect("sign")
        })
    });
    g.finish();
}

fn bench_request_signer(c: &mut Criterion) {
    let signer = signer();
    let users: Vec<String> = (0..USERS).map(user).collect();
    let body = Bytes::from(vec![b'x'; 1024]);
    let mut g = c.benchmark_group("RequestSigner::sign");
    g.throughput(Throughput::Elements(1));

    let mut i = 0;
    g.bench_function("GET get_user", |b| {
        b.iter_batched(
            || {
                i = (i + 1) % USERS;
                http::Request::get(format!("{HOST}/20160918/users/{}", users[i]))
                    .body(Body::empty())
                    .expect("request")
            },
            |mut req| {
                signer.sign(&mut req, false).expect("signed");
                req
            },
            BatchSize::SmallInput,
        )
    });

    let mut i = 0;
    g.bench_function("POST 1 KiB body", |b| {
        b.iter_batched(
            || {
                i = (i + 1) % USERS;
                http::Request::post(format!("{HOST}/20160918/users/{}/apiKeys/", users[i]))
                    .body(Body::from_bytes(body.clone()))
                    .expect("request")
            },
            |mut req| {
                signer.sign(&mut req, false).expect("signed");
                req
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// The whole sign layer (request id, user-agent, credentials, signature) over an inner service
/// that answers at once: the per-attempt cost of signing in the stack, API-key path.
fn bench_sign_service(c: &mut Criterion) {
    use futures_util::FutureExt as _;
    use tower::{Layer as _, Service as _};
    let inner = tower::service_fn(|_req: http::Request<Body>| {
        std::future::ready(Ok::<_, oci_tower::Error>(
            http::Response::new(Body::empty()),
        ))
    });
    let mut svc = oci_tower::layers::SignLayer::new(signer()).layer(inner);
    let users: Vec<String> = (0..USERS).map(user).collect();
    let mut g = c.benchmark_group("SignService::call");
    g.throughput(Throughput::Elements(1));
    let mut i = 0;
    g.bench_function("GET get_user (API key)", |b| {
        b.iter_batched(
            || {
                i = (i + 1) % USERS;
                http::Request::get(format!("{HOST}/20160918/users/{}", users[i]))
                    .body(Body::empty())
                    .expect("request")
            },
            |req| {
                svc.call(req)
                    .now_or_never()
                    .expect("ready")
                    .expect("signed")
            },
            BatchSize::SmallInput,
        )
    });

    // A token principal behind the cache, token valid: the identity is ready (no await), but
    // the request is kept for a possible 401 resend, so the call takes the boxed path.
    let provider = Arc::new(FixedToken(Arc::new(key())));
    let cache = oci_tower::auth::CredentialsCache::new(provider);
    futures_util::FutureExt::now_or_never(oci_tower::auth::Credentials::identity(&cache))
        .expect("ready")
        .expect("identity");
    let token_signer = RequestSigner::new(Arc::new(cache), Arc::new(SystemClock));
    let mut svc = oci_tower::layers::SignLayer::new(token_signer).layer(inner);
    let mut i = 0;
    g.bench_function("GET get_user (cached session token)", |b| {
        b.iter_batched(
            || {
                i = (i + 1) % USERS;
                http::Request::get(format!("{HOST}/20160918/users/{}", users[i]))
                    .body(Body::empty())
                    .expect("request")
            },
            |req| {
                svc.call(req)
                    .now_or_never()
                    .expect("ready")
                    .expect("signed")
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// A token provider whose token is valid for a day: what a cache holds between refreshes.
#[derive(Debug)]
struct FixedToken(Arc<PrivateKey>);

impl oci_tower::auth::Credentials for FixedToken {
    fn identity(&self) -> oci_tower::auth::IdentityFuture<'_> {
        let exp = std::time::SystemTime::now() + std::time::Duration::from_secs(86_400);
        oci_tower::auth::IdentityFuture::ready(Ok(oci_tower::auth::Identity::new(
            "ST$eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjJ9.c2ln",
            self.0.clone(),
        )
        .with_expiry(exp)))
    }
    fn refreshes_on_unauthorized(&self) -> bool {
        true
    }
}

/// What the signer asks the credentials for, per signature (API key): the keyId and the key.
fn bench_credentials_lookup(c: &mut Criterion) {
    #[allow(unused_imports)]
    use oci_tower::auth::Credentials as _;
    let creds: Arc<dyn oci_tower::auth::Credentials> = Arc::new(ApiKeyCredentials::new(
        "ocid1.tenancy.oc1..aaaaaaaabenchtenancy",
        "ocid1.user.oc1..aaaaaaaabenchuser",
        "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34",
        key(),
    ));
    let mut g = c.benchmark_group("credentials per signature");
    g.bench_function("API key", |b| {
        b.iter(|| {
            let id = creds
                .identity()
                .take_ready()
                .expect("ready")
                .expect("identity");
            (id.key_id().len(), id.private_key().bits())
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_primitive,
    bench_request_signer,
    bench_sign_service,
    bench_credentials_lookup
);
criterion_main!(benches);
