//! The circuit breaker through the whole client stack, on tokio's paused clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod middleware_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use middleware_support::{builder, get, Canned, Mock};
use oci_core::layers::breaker::{BreakerState, CircuitBreakerConfig};
use oci_core::layers::retry::{FixedRandom, RetryPolicy};

const HOST: &str = "identity.test.example";

fn policy() -> RetryPolicy {
    RetryPolicy::builder().random(FixedRandom(0.5)).build()
}

#[tokio::test(start_paused = true)]
async fn closed_open_half_open_closed_then_open_again() {
    let changes = Arc::new(Mutex::new(Vec::new()));
    let seen = changes.clone();
    let mock = Mock::new([Canned::status(503)]);
    let client = builder(&mock)
        .retry_policy(policy())
        .circuit_breaker(
            CircuitBreakerConfig::builder()
                .on_state_change(move |_, from, to| seen.lock().unwrap().push((from, to)))
                .build(),
        )
        .build()
        .unwrap();
    let breakers = client.circuit_breakers().unwrap().clone();
    assert_eq!(breakers.state(HOST), BreakerState::Closed);

    // Call 1: 8 failed attempts (8 of 8 failed, but fewer than 10 calls: still closed).
    let err = client.call(get("/users/u")).await.unwrap_err();
    assert_eq!(err.attempts(), Some(8));
    assert_eq!(mock.count(), 8);
    assert_eq!(breakers.state(HOST), BreakerState::Closed);

    // Call 2: attempts 9 and 10 reach the server, the 10th failure opens the breaker, and the
    // third attempt fails fast with a typed error that is not retried.
    let err = client.call(get("/users/u")).await.unwrap_err();
    assert!(err.is_circuit_open(), "{err}");
    assert_eq!(err.attempts(), Some(3));
    assert_eq!(mock.count(), 10);
    assert_eq!(breakers.state(HOST), BreakerState::Open);
    let snap = breakers.snapshot();
    assert_eq!(snap[0].host, HOST);
    assert!(snap[0].open_remaining.unwrap() <= Duration::from_secs(30));

    // While open: no I/O at all.
    let err = client.call(get("/users/u")).await.unwrap_err();
    assert!(err.is_circuit_open());
    assert_eq!(err.attempts(), Some(1));
    assert_eq!(mock.count(), 10);

    // After 30 s: half-open; the probe succeeds and closes the breaker.
    tokio::time::advance(Duration::from_secs(30)).await;
    assert_eq!(breakers.state(HOST), BreakerState::HalfOpen);
    mock.script([Canned::ok()]);
    client.call(get("/users/u")).await.unwrap();
    assert_eq!(breakers.state(HOST), BreakerState::Closed);
    assert_eq!(mock.count(), 11);

    // Failing again opens it again: 10 failed calls in the window.
    mock.script([Canned::status(500)]);
    let one = RetryPolicy::none();
    for _ in 0..10 {
        let mut req = get("/users/u");
        oci_core::layers::CallOptions::builder()
            .retry_policy(one.clone())
            .build()
            .apply(&mut req);
        let err = client.call(req).await.unwrap_err();
        assert!(err.is_service());
    }
    assert_eq!(breakers.state(HOST), BreakerState::Open);

    // A failed probe re-opens at once.
    tokio::time::advance(Duration::from_secs(30)).await;
    let err = client.call(get("/users/u")).await.unwrap_err();
    assert!(
        err.is_circuit_open(),
        "probe fails, then the retry is refused: {err}"
    );
    assert_eq!(err.attempts(), Some(2));
    assert_eq!(breakers.state(HOST), BreakerState::Open);

    use BreakerState::*;
    assert_eq!(
        *changes.lock().unwrap(),
        vec![
            (Closed, Open),
            (Open, HalfOpen),
            (HalfOpen, Closed),
            (Closed, Open),
            (Open, HalfOpen),
            (HalfOpen, Open),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_healthy_mix_keeps_the_breaker_closed_and_the_window_resets() {
    let mock = Mock::new([]);
    let client = builder(&mock)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let breakers = client.circuit_breakers().unwrap().clone();
    // 7 failures in 10 calls is 70%: below 80%.
    let mut script = vec![Canned::status(503); 7];
    script.extend(vec![Canned::ok(); 3]);
    mock.script(script);
    for _ in 0..10 {
        let _ = client.call(get("/users/u")).await;
    }
    assert_eq!(breakers.state(HOST), BreakerState::Closed);
    // 404s are a healthy host answering.
    mock.script([Canned::status(404)]);
    for _ in 0..20 {
        let _ = client.call(get("/users/u")).await;
    }
    assert_eq!(breakers.state(HOST), BreakerState::Closed);
    // A new window forgets old counts: 9 failures, wait 120 s, 9 more: never 10 in a window.
    mock.script([Canned::status(503)]);
    for round in 0..2 {
        for _ in 0..9 {
            let _ = client.call(get("/users/u")).await;
        }
        assert_eq!(breakers.state(HOST), BreakerState::Closed, "round {round}");
        tokio::time::advance(Duration::from_secs(121)).await;
    }
}

#[tokio::test(start_paused = true)]
async fn breakers_are_per_client_and_can_be_disabled() {
    let mock = Mock::new([Canned::status(503)]);
    let a = builder(&mock)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let b = builder(&mock)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    for _ in 0..10 {
        let _ = a.call(get("/users/u")).await;
    }
    assert_eq!(
        a.circuit_breakers().unwrap().state(HOST),
        BreakerState::Open
    );
    assert_eq!(
        b.circuit_breakers().unwrap().state(HOST),
        BreakerState::Closed
    );
    assert!(b.call(get("/users/u")).await.unwrap_err().is_service());

    let off = builder(&mock)
        .retry_policy(RetryPolicy::none())
        .circuit_breaker(None)
        .build()
        .unwrap();
    assert!(off.circuit_breakers().is_none());
    let before = mock.count();
    for _ in 0..30 {
        assert!(off.call(get("/users/u")).await.unwrap_err().is_service());
    }
    assert_eq!(mock.count(), before + 30);
}

#[tokio::test(start_paused = true)]
async fn poll_ready_stays_ready_while_open() {
    use tower::Service;
    let mock = Mock::new([Canned::status(503)]);
    let client = builder(&mock)
        .retry_policy(RetryPolicy::none())
        .circuit_breaker(CircuitBreakerConfig::builder().min_calls(1).build())
        .build()
        .unwrap();
    let _ = client.call(get("/users/u")).await;
    assert_eq!(
        client.circuit_breakers().unwrap().state(HOST),
        BreakerState::Open
    );
    let mut stack = client.stack();
    let waker = futures_util::task::noop_waker_ref();
    let mut cx = std::task::Context::from_waker(waker);
    assert!(matches!(
        stack.poll_ready(&mut cx),
        std::task::Poll::Ready(Ok(()))
    ));
}
