//! The default stack (real hyper transport) against a local HTTP server on 127.0.0.1 that
//! fails on purpose. Real sockets need real time, so the retry delays are a few milliseconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod middleware_support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use oci_core::layers::breaker::BreakerState;
use oci_core::layers::retry::{Jitter, RetryPolicy};
use oci_core::{Body, Client, Endpoint};

#[derive(Debug, Clone, Copy)]
enum Step {
    Unavailable,
    ThrottledRetryAfterZero,
    Reset,
    Ok,
}

struct Server {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    request_ids: Arc<Mutex<Vec<Option<String>>>>,
}

/// Serves `script[n]` to the n-th request (the last step repeats).
async fn serve(script: Vec<Step>) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let request_ids = Arc::new(Mutex::new(Vec::new()));
    let script = Arc::new(script);
    let (h, ids) = (hits.clone(), request_ids.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (h, ids, script) = (h.clone(), ids.clone(), script.clone());
            tokio::spawn(async move {
                let svc =
                    hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let n = h.fetch_add(1, Ordering::SeqCst);
                        assert!(
                            req.headers().contains_key("authorization"),
                            "unsigned request"
                        );
                        ids.lock().unwrap().push(
                            req.headers()
                                .get("opc-request-id")
                                .and_then(|v| v.to_str().ok())
                                .map(str::to_owned),
                        );
                        let step = script[n.min(script.len() - 1)];
                        async move {
                            let resp = |status: u16, extra: Option<(&str, &str)>, body: &str| {
                                let mut b = http::Response::builder()
                                    .status(status)
                                    .header("content-type", "application/json")
                                    .header("opc-request-id", format!("SRV-{n}"));
                                if let Some((k, v)) = extra {
                                    b = b.header(k, v);
                                }
                                b.body(Full::new(Bytes::from(body.to_owned()))).unwrap()
                            };
                            match step {
                                Step::Unavailable => Ok(resp(
                                    503,
                                    None,
                                    r#"{"code":"ServiceUnavailable","message":"try later"}"#,
                                )),
                                Step::ThrottledRetryAfterZero => Ok(resp(
                                    429,
                                    Some(("retry-after", "0")),
                                    r#"{"code":"TooManyRequests","message":"slow down"}"#,
                                )),
                                // The server drops the connection without answering.
                                Step::Reset => Err(std::io::Error::new(
                                    std::io::ErrorKind::ConnectionReset,
                                    "dropping the connection",
                                )),
                                Step::Ok => Ok(resp(200, None, r#"{"id":"ocid1.user.oc1..u"}"#)),
                            }
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Server {
        addr,
        hits,
        request_ids,
    }
}

fn quick_policy(attempts: u32) -> RetryPolicy {
    RetryPolicy::builder()
        .max_attempts(attempts)
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
        .jitter(Jitter::None)
        .build()
}

fn client(addr: SocketAddr, policy: RetryPolicy) -> Client {
    Client::builder()
        .credentials(middleware_support::credentials())
        .endpoint(Endpoint::parse(&format!("http://{addr}")).unwrap())
        .retry_policy(policy)
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn get(addr: SocketAddr) -> http::Request<Body> {
    let mut req = http::Request::get(format!("http://{addr}/20160918/users/u"))
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(middleware_support::op_info("GetUser", false));
    req
}

#[tokio::test]
async fn recovers_from_503_then_429_with_retry_after_then_a_connection_reset() {
    let server = serve(vec![
        Step::Unavailable,
        Step::ThrottledRetryAfterZero,
        Step::Reset,
        Step::Ok,
    ])
    .await;
    let client = client(server.addr, quick_policy(8));
    let resp = client.call(get(server.addr)).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers().get("opc-request-id").unwrap(),
        "SRV-3",
        "the fourth request answered"
    );
    let body = resp.into_body().collect().await.unwrap();
    assert_eq!(body, r#"{"id":"ocid1.user.oc1..u"}"#);
    assert_eq!(server.hits.load(Ordering::SeqCst), 4);
    // Every attempt was signed afresh with its own opc-request-id.
    let ids = server.request_ids.lock().unwrap().clone();
    let distinct: std::collections::HashSet<_> = ids.iter().flatten().collect();
    assert_eq!(distinct.len(), 4, "{ids:?}");
}

#[tokio::test]
async fn a_reset_alone_is_a_retryable_transport_error() {
    let server = serve(vec![Step::Reset]).await;
    let client = client(server.addr, quick_policy(3));
    let err = client.call(get(server.addr)).await.unwrap_err();
    assert!(err.is_transport(), "{err:?}");
    assert_eq!(err.attempts(), Some(3));
    assert_eq!(server.hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_breaker_opens_against_a_server_that_always_fails() {
    let server = serve(vec![Step::Unavailable]).await;
    let client = client(server.addr, quick_policy(3));
    let host = server.addr.to_string();
    let breakers = client.circuit_breakers().unwrap().clone();

    // Calls 1-3: 3 attempts each, 9 failures: not yet 10 calls.
    for _ in 0..3 {
        let err = client.call(get(server.addr)).await.unwrap_err();
        assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(err.code(), Some("ServiceUnavailable"));
        assert_eq!(err.attempts(), Some(3));
    }
    assert_eq!(breakers.state(&host), BreakerState::Closed);
    // Call 4: the 10th failure opens the breaker; its next attempt fails fast.
    let err = client.call(get(server.addr)).await.unwrap_err();
    assert!(err.is_circuit_open(), "{err}");
    assert_eq!(breakers.state(&host), BreakerState::Open);
    assert_eq!(server.hits.load(Ordering::SeqCst), 10);
    // From now on no request reaches the server.
    for _ in 0..5 {
        let err = client.call(get(server.addr)).await.unwrap_err();
        assert!(err.is_circuit_open());
        assert_eq!(err.attempts(), Some(1));
    }
    assert_eq!(server.hits.load(Ordering::SeqCst), 10);
    let snap = breakers.snapshot();
    assert_eq!(snap.len(), 1);
    assert_eq!(snap[0].host, host);
    assert_eq!(snap[0].state, BreakerState::Open);
}
