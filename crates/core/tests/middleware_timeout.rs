//! Each timeout scope through the whole client stack, on tokio's paused clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod middleware_support;

use std::time::Duration;

use middleware_support::{builder, download, get, Canned, Mock};
use oci_core::layers::retry::{FixedRandom, RetryPolicy};
use oci_core::layers::CallOptions;
use oci_core::{ErrorKind, TimeoutScope};
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn the_attempt_timeout_fires_alone() {
    let mock = Mock::new([Canned::Hang(Duration::from_secs(3600))]);
    let client = builder(&mock)
        .retry_policy(RetryPolicy::none())
        .attempt_timeout(Duration::from_secs(60))
        .operation_timeout(Duration::from_secs(600))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = client.call(get("/users/u")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.timeout_scope(), Some(TimeoutScope::Attempt));
    assert!(err.to_string().contains("attempt timeout of 60s"), "{err}");
    assert_eq!(start.elapsed(), Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn the_operation_timeout_fires_alone_and_includes_backoff() {
    let mock = Mock::new([Canned::status(503)]);
    let client = builder(&mock)
        .retry_policy(RetryPolicy::builder().random(FixedRandom(0.5)).build())
        .attempt_timeout(Duration::from_secs(60))
        .operation_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = client.call(get("/users/u")).await.unwrap_err();
    assert_eq!(err.timeout_scope(), Some(TimeoutScope::Operation));
    assert!(
        err.to_string().contains("operation timeout of 10s"),
        "{err}"
    );
    assert_eq!(start.elapsed(), Duration::from_secs(10));
    // Attempts at 0, 1.5, 4 and 8.5 s; the sleep after that is cut short.
    assert_eq!(mock.count(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_per_call_operation_timeout() {
    let mock = Mock::new([Canned::Hang(Duration::from_secs(30))]);
    let client = builder(&mock).build().unwrap();
    let mut req = get("/users/u");
    CallOptions::builder()
        .operation_timeout(Duration::from_secs(2))
        .build()
        .apply(&mut req);
    let err = client.call(req).await.unwrap_err();
    assert_eq!(err.timeout_scope(), Some(TimeoutScope::Operation));
    // Without the override: the call just takes 30 s.
    client.call(get("/users/u")).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_connect_timeout_from_the_transport_keeps_its_scope() {
    let mock = Mock::new([Canned::ConnectTimeout]);
    let client = builder(&mock)
        .retry_policy(RetryPolicy::builder().max_attempts(2).build())
        .build()
        .unwrap();
    let err = client.call(get("/users/u")).await.unwrap_err();
    assert_eq!(err.timeout_scope(), Some(TimeoutScope::Connect));
    assert_eq!(err.attempts(), Some(2));
}

#[tokio::test(start_paused = true)]
async fn a_stalled_body_fires_and_a_slow_consumer_does_not() {
    // The server sends a chunk every 45 s: over the 30 s guard.
    let mock = Mock::new([Canned::Stream {
        n: 3,
        gap: Duration::from_secs(45),
    }]);
    let client = builder(&mock)
        .body_stall_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let resp = client.call(download("/o/big")).await.unwrap();
    let err = resp.into_body().collect().await.unwrap_err();
    assert_eq!(err.timeout_scope(), Some(TimeoutScope::BodyStall));
    assert!(
        err.to_string().contains("body stall timeout of 30s"),
        "{err}"
    );

    // The server sends a chunk every 20 s; the reader dawdles 10 minutes between chunks.
    mock.script([Canned::Stream {
        n: 3,
        gap: Duration::from_secs(20),
    }]);
    let resp = client.call(download("/o/big")).await.unwrap();
    let mut stream = std::pin::pin!(resp.into_body().into_data_stream());
    let mut got = String::new();
    use futures_util::StreamExt;
    while let Some(chunk) = stream.next().await {
        got.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
    assert_eq!(got, "chunk0;chunk1;chunk2;");

    // Disabled: the 45 s gaps are fine.
    let client = builder(&mock).body_stall_timeout(None).build().unwrap();
    mock.script([Canned::Stream {
        n: 2,
        gap: Duration::from_secs(45),
    }]);
    let resp = client.call(download("/o/big")).await.unwrap();
    assert_eq!(resp.into_body().collect().await.unwrap(), "chunk0;chunk1;");
}
