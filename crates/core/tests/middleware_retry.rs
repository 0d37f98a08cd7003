//! Retry and retry-token behaviour through the whole client stack, on tokio's paused clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod middleware_support;

use std::collections::HashSet;
use std::time::Duration;

use middleware_support::{builder, create, get, Canned, Mock};
use oci_core::layers::retry::{FixedRandom, RetryBudget, RetryLayer, RetryPolicy};
use oci_core::layers::CallOptions;
use oci_core::Body;
use tower::ServiceExt;

/// A streamed upload, signed without its body (as Object Storage's PutObject is).
fn put_object(body: Body) -> http::Request<Body> {
    let mut req = http::Request::put(format!("{}/n/ns/b/bucket/o/obj", middleware_support::HOST))
        .header("content-length", "2")
        .body(body)
        .unwrap();
    req.extensions_mut().insert(oci_core::OperationInfo {
        service: "objectstorage",
        operation: "PutObject",
        exclude_body: true,
        retry_token: false,
        streaming_response: false,
        not_modified_ok: false,
    });
    req
}

/// OCI's default policy with U(0,1) fixed at 0.5: sleeps 1.5, 2.5, 4.5, 8.5, 16.5, 30, 30 s.
fn policy() -> RetryPolicy {
    RetryPolicy::builder().random(FixedRandom(0.5)).build()
}

#[tokio::test(start_paused = true)]
async fn every_retryable_class_is_retried_with_oci_backoff() {
    let classes = [
        ("429", Canned::status(429)),
        ("500", Canned::status(500)),
        ("502", Canned::status(502)),
        ("503", Canned::status(503)),
        ("504", Canned::status(504)),
        ("505", Canned::status(505)),
        ("409 IncorrectState", Canned::coded(409, "IncorrectState")),
        ("409 LockConflict", Canned::coded(409, "LockConflict")),
        ("connection reset", Canned::Reset),
        ("connect timeout", Canned::ConnectTimeout),
    ];
    for (name, failure) in classes {
        let mock = Mock::new([failure.clone(), failure, Canned::ok()]);
        let client = builder(&mock).retry_policy(policy()).build().unwrap();
        let resp = client.call(get("/users/u")).await;
        assert!(resp.is_ok(), "{name}: {resp:?}");
        assert_eq!(mock.count(), 3, "{name}");
        assert_eq!(mock.gaps_ms(), vec![1500, 2500], "{name}");
    }
}

#[tokio::test(start_paused = true)]
async fn an_attempt_timeout_is_retried() {
    let mock = Mock::new([
        Canned::Hang(Duration::from_secs(100)),
        Canned::Hang(Duration::from_secs(100)),
        Canned::ok(),
    ]);
    let client = builder(&mock)
        .retry_policy(policy())
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    assert!(client.call(get("/users/u")).await.is_ok());
    // Each gap: the 5 s timeout, then the backoff sleep.
    assert_eq!(mock.gaps_ms(), vec![6500, 7500]);
}

#[tokio::test(start_paused = true)]
async fn a_persistent_failure_gets_eight_attempts_and_the_full_sleep_sequence() {
    let mock = Mock::new([Canned::status(503)]);
    let client = builder(&mock).retry_policy(policy()).build().unwrap();
    let start = tokio::time::Instant::now();
    let err = client.call(get("/users/u")).await.unwrap_err();
    assert_eq!(mock.count(), 8);
    assert_eq!(
        mock.gaps_ms(),
        vec![1500, 2500, 4500, 8500, 16500, 30000, 30000]
    );
    assert_eq!(start.elapsed(), Duration::from_millis(93_500));
    assert_eq!(err.attempts(), Some(8));
    assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(err.code(), Some("C503"));
    assert!(err.to_string().contains("after 8 attempts"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn client_errors_auth_and_501_are_never_retried() {
    for failure in [
        Canned::status(400),
        Canned::status(401),
        Canned::status(403),
        Canned::status(404),
        Canned::status(412),
        Canned::status(501),
        Canned::coded(409, "Conflict"),
    ] {
        let mock = Mock::new([failure.clone(), Canned::ok()]);
        let client = builder(&mock).retry_policy(policy()).build().unwrap();
        let err = client.call(get("/users/u")).await.unwrap_err();
        assert_eq!(mock.count(), 1, "{failure:?}");
        assert_eq!(err.attempts(), Some(1));
        assert!(err.is_service());
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_replaces_the_backoff() {
    let mock = Mock::new([Canned::retry_after(7), Canned::retry_after(0), Canned::ok()]);
    let client = builder(&mock).retry_policy(policy()).build().unwrap();
    assert!(client.call(get("/users/u")).await.is_ok());
    assert_eq!(mock.gaps_ms(), vec![7000, 0]);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_capped_at_the_max_delay_and_read_as_an_http_date() {
    // 120 s asked, 30 s max delay: 30 s.
    let mock = Mock::new([Canned::retry_after(120), Canned::ok()]);
    let client = builder(&mock).retry_policy(policy()).build().unwrap();
    assert!(client.call(get("/users/u")).await.is_ok());
    assert_eq!(mock.gaps_ms(), vec![30_000]);

    // An HTTP-date 5 s after the response's Date; then one 90 s after it, capped at 10 s.
    let dated = |secs: u64| {
        let date = std::time::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        Canned::Status(
            429,
            vec![
                ("date", httpdate::fmt_http_date(date)),
                (
                    "retry-after",
                    httpdate::fmt_http_date(date + Duration::from_secs(secs)),
                ),
            ],
            r#"{"code":"TooManyRequests","message":"slow down"}"#.into(),
        )
    };
    let mock = Mock::new([dated(5), dated(90), Canned::ok()]);
    let p = RetryPolicy::builder()
        .random(FixedRandom(0.5))
        .max_delay(Duration::from_secs(10))
        .build();
    let client = builder(&mock).retry_policy(p).build().unwrap();
    assert!(client.call(get("/users/u")).await.is_ok());
    assert_eq!(mock.gaps_ms(), vec![5_000, 10_000]);
}

#[tokio::test(start_paused = true)]
async fn retry_after_beyond_the_total_cap_stops_retrying() {
    let mock = Mock::new([Canned::retry_after(700), Canned::ok()]);
    let client = builder(&mock).retry_policy(policy()).build().unwrap();
    let err = client.call(get("/users/u")).await.unwrap_err();
    assert_eq!(mock.count(), 1);
    assert!(err.is_throttled());
    assert!(err.note().unwrap().contains("total-time cap"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn the_total_time_cap_stops_retrying_before_it_is_exceeded() {
    let mock = Mock::new([Canned::status(500)]);
    let p = RetryPolicy::builder()
        .random(FixedRandom(0.5))
        .total_timeout(Some(Duration::from_secs(10)))
        .build();
    let client = builder(&mock).retry_policy(p).build().unwrap();
    let start = tokio::time::Instant::now();
    let err = client.call(get("/users/u")).await.unwrap_err();
    // 1.5 + 2.5 + 4.5 = 8.5 s; the next sleep (8.5 s) would pass 10 s.
    assert_eq!(mock.count(), 4);
    assert_eq!(start.elapsed(), Duration::from_millis(8500));
    assert_eq!(err.attempts(), Some(4));
    assert!(err.note().unwrap().contains("total-time cap"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn an_exhausted_budget_stops_retries_across_calls() {
    let mock = Mock::new([Canned::status(503)]);
    let client = builder(&mock)
        .retry_policy(policy())
        .retry_budget(
            RetryBudget::builder()
                .capacity(10)
                .retry_cost(5)
                .timeout_cost(10)
                .success_refund(1)
                .build(),
        )
        .circuit_breaker(None)
        .build()
        .unwrap();
    let err = client.call(get("/users/u")).await.unwrap_err();
    // Two retries of 5 tokens each empty the bucket; the third retry is refused.
    assert_eq!(mock.count(), 3);
    assert_eq!(err.attempts(), Some(3));
    assert!(err.note().unwrap().contains("retry budget"), "{err}");
    assert_eq!(client.retry_budget().unwrap().available(), 0);
    // The next call gets a single attempt.
    let err = client.call(get("/users/u")).await.unwrap_err();
    assert_eq!(mock.count(), 4);
    assert_eq!(err.attempts(), Some(1));
    // Successes refill the bucket, one token each.
    mock.script([Canned::ok()]);
    for _ in 0..5 {
        client.call(get("/users/u")).await.unwrap();
    }
    assert_eq!(client.retry_budget().unwrap().available(), 5);
}

#[tokio::test(start_paused = true)]
async fn without_a_budget_retries_are_unlimited() {
    let mock = Mock::new([Canned::status(503)]);
    let client = builder(&mock)
        .retry_policy(policy())
        .retry_budget(None)
        .circuit_breaker(None)
        .build()
        .unwrap();
    for _ in 0..3 {
        let _ = client.call(get("/users/u")).await;
    }
    assert_eq!(mock.count(), 24);
}

#[tokio::test(start_paused = true)]
async fn a_one_shot_stream_body_gets_one_attempt_and_the_error_says_why() {
    let mock = Mock::new([Canned::status(503), Canned::ok()]);
    let client = builder(&mock).retry_policy(policy()).build().unwrap();
    let chunks = [Ok::<_, std::io::Error>(bytes::Bytes::from("{}"))];
    let req = put_object(Body::from_stream(
        futures_util::stream::iter(chunks),
        Some(2),
    ));
    let err = client.call(req).await.unwrap_err();
    assert_eq!(mock.count(), 1);
    assert_eq!(err.attempts(), Some(1));
    assert_eq!(
        err.note(),
        Some("not retried: the request body is a one-shot stream")
    );
}

#[tokio::test(start_paused = true)]
async fn bytes_and_factory_bodies_are_replayed() {
    let mock = Mock::new([Canned::status(503), Canned::status(503), Canned::ok()]);
    let client = builder(&mock).retry_policy(policy()).build().unwrap();
    client.call(create(r#"{"name":"ops"}"#)).await.unwrap();
    let bodies: Vec<_> = mock.seen().into_iter().map(|s| s.body).collect();
    assert_eq!(bodies, vec![Some(br#"{"name":"ops"}"#.to_vec()); 3]);

    let mock = Mock::new([Canned::status(503), Canned::ok()]);
    let client = builder(&mock).retry_policy(policy()).build().unwrap();
    let req = put_object(Body::from_factory(Some(2), || {
        let chunks = [Ok::<_, std::io::Error>(bytes::Bytes::from("{}"))];
        Body::from_stream(futures_util::stream::iter(chunks), Some(2))
    }));
    client.call(req).await.unwrap();
    assert_eq!(mock.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_per_call_policy_overrides_the_clients() {
    let mock = Mock::new([Canned::status(503)]);
    let client = builder(&mock).retry_policy(policy()).build().unwrap();
    let mut req = get("/users/u");
    CallOptions::builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .apply(&mut req);
    let err = client.call(req).await.unwrap_err();
    assert_eq!(mock.count(), 1);
    assert_eq!(err.attempts(), Some(1));

    let mut req = get("/users/u");
    let three = RetryPolicy::builder()
        .max_attempts(3)
        .random(FixedRandom(0.0))
        .build();
    CallOptions::builder()
        .retry_policy(three)
        .build()
        .apply(&mut req);
    let _ = client.call(req).await;
    assert_eq!(mock.count(), 4);
    assert_eq!(&mock.gaps_ms()[1..], &[1000, 2000]);
}

#[tokio::test(start_paused = true)]
async fn retry_none_on_the_client_makes_one_attempt() {
    let mock = Mock::new([Canned::status(503)]);
    let client = builder(&mock)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(client.call(get("/users/u")).await.is_err());
    assert_eq!(mock.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_retry_token_is_the_same_on_every_attempt_and_date_and_signature_are_fresh() {
    let mock = Mock::new([Canned::status(503), Canned::Reset, Canned::ok()]);
    let client = builder(&mock).retry_policy(policy()).build().unwrap();
    client.call(create(r#"{"name":"ops"}"#)).await.unwrap();
    let seen = mock.seen();
    assert_eq!(seen.len(), 3);
    let tokens: HashSet<_> = seen
        .iter()
        .map(|s| s.header("opc-retry-token").unwrap())
        .collect();
    assert_eq!(tokens.len(), 1, "one token for the call: {tokens:?}");
    let token = tokens.into_iter().next().unwrap();
    assert_eq!(token.len(), 30);
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric()));
    for field in ["date", "authorization", "opc-request-id"] {
        let values: HashSet<_> = seen.iter().map(|s| s.header(field).unwrap()).collect();
        assert_eq!(
            values.len(),
            3,
            "{field} must differ per attempt: {values:?}"
        );
    }
    // The dates follow the backoff: 1.5 s then 2.5 s later (whole seconds on the wire).
    let dates: Vec<_> = seen
        .iter()
        .map(|s| httpdate::parse_http_date(&s.header("date").unwrap()).unwrap())
        .collect();
    assert!(dates[0] < dates[1] && dates[1] < dates[2]);
    // The retry token is signed along with the other headers of a POST.
    assert!(seen[0]
        .header("authorization")
        .unwrap()
        .contains("x-content-sha256"));

    // A second call gets a new token.
    mock.script([Canned::ok()]);
    client.call(create("{}")).await.unwrap();
    let again = mock.seen()[3].header("opc-retry-token").unwrap();
    assert_ne!(again, token);
}

#[tokio::test(start_paused = true)]
async fn the_callers_retry_token_is_never_replaced() {
    let mock = Mock::new([Canned::status(503), Canned::ok()]);
    let client = builder(&mock).retry_policy(policy()).build().unwrap();
    let mut req = create("{}");
    req.headers_mut()
        .insert("opc-retry-token", "my-own-token".parse().unwrap());
    client.call(req).await.unwrap();
    for s in mock.seen() {
        assert_eq!(s.header("opc-retry-token").as_deref(), Some("my-own-token"));
    }
}

#[tokio::test(start_paused = true)]
async fn operations_without_the_flag_get_no_retry_token() {
    let mock = Mock::new([Canned::ok()]);
    let client = builder(&mock).build().unwrap();
    client.call(get("/users/u")).await.unwrap();
    let mut req = create("{}");
    req.extensions_mut()
        .insert(middleware_support::op_info("CreateGroup", false));
    client.call(req).await.unwrap();
    assert!(mock
        .seen()
        .iter()
        .all(|s| s.header("opc-retry-token").is_none()));
}

#[tokio::test(start_paused = true)]
async fn retries_never_nest() {
    // A retry layer around the client's stack (as a paginator or a user's stack might add)
    // must not multiply attempts: the inner retry passes nested requests through once.
    let mock = Mock::new([Canned::status(503)]);
    let client = builder(&mock)
        .retry_policy(policy())
        .circuit_breaker(None)
        .build()
        .unwrap();
    let outer = tower::Layer::layer(&RetryLayer::new(policy()), client.stack());
    let err = outer.oneshot(get("/users/u")).await.unwrap_err();
    assert_eq!(mock.count(), 8);
    assert_eq!(err.attempts(), Some(8));
}

#[tokio::test(start_paused = true)]
async fn the_last_possible_attempt_sends_the_original_body() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let made = Arc::new(AtomicUsize::new(0));
    let factory_body = |made: Arc<AtomicUsize>| {
        Body::from_factory(Some(2), move || {
            made.fetch_add(1, Ordering::SeqCst);
            let chunks = [Ok::<_, std::io::Error>(bytes::Bytes::from("{}"))];
            Body::from_stream(futures_util::stream::iter(chunks), Some(2))
        })
    };
    // One attempt allowed: the stream made at construction is the one sent.
    let mock = Mock::new([Canned::ok()]);
    let client = builder(&mock)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    client
        .call(put_object(factory_body(made.clone())))
        .await
        .unwrap();
    assert_eq!(made.load(Ordering::SeqCst), 1);
    // Two attempts allowed, both used: one copy for attempt 1, the original for attempt 2.
    made.store(0, Ordering::SeqCst);
    mock.script([Canned::status(503), Canned::ok()]);
    let two = RetryPolicy::builder().max_attempts(2).build();
    let client = builder(&mock).retry_policy(two).build().unwrap();
    client
        .call(put_object(factory_body(made.clone())))
        .await
        .unwrap();
    assert_eq!(made.load(Ordering::SeqCst), 2);
}

/// A typed operation, to go through `Client::send` and `Client::send_with`.
struct CreateGroup;

impl oci_core::Request for CreateGroup {
    type Output = String;
    const SERVICE: oci_core::ServiceInfo = oci_core::ServiceInfo {
        name: "identity",
        endpoint_template: "https://identity.{region}.oci.{secondLevelDomain}",
        base_path: "/20160918",
    };
    const OPERATION: &'static str = "CreateGroup";
    const RETRY_TOKEN: bool = true;

    fn into_http(
        self,
        endpoint: &oci_core::Endpoint,
    ) -> Result<http::Request<Body>, oci_core::Error> {
        oci_core::request::builder(http::Method::POST, endpoint, "/groups")?
            .header("content-type", "application/json")
            .body(Body::from(r#"{"name":"ops"}"#))
            .map_err(|e| oci_core::Error::invalid_request(e.to_string()))
    }

    async fn parse(response: http::Response<Body>) -> Result<String, oci_core::Error> {
        let bytes = response.into_body().collect().await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

#[tokio::test(start_paused = true)]
async fn send_and_send_with_use_the_stack_and_the_overrides() {
    let mock = Mock::new([Canned::status(503), Canned::ok()]);
    let client = builder(&mock).retry_policy(policy()).build().unwrap();
    assert_eq!(client.send(CreateGroup).await.unwrap(), "{}");
    let seen = mock.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].uri.path(), "/20160918/groups");
    assert_eq!(
        seen[0].header("opc-retry-token"),
        seen[1].header("opc-retry-token")
    );

    mock.script([Canned::status(503)]);
    let err = client
        .send_with(
            CreateGroup,
            CallOptions::builder()
                .retry_policy(RetryPolicy::none())
                .build(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), Some(1));
    assert_eq!(mock.count(), 3);
}

#[tokio::test(start_paused = true)]
async fn one_custom_classifier_drives_retry_and_breaker() {
    use oci_core::layers::classify::{Class, Classify, OciClassifier};

    /// 404 is transient (e.g. read-after-create); everything else as OCI says.
    #[derive(Debug)]
    struct NotFoundIsTransient;
    impl Classify for NotFoundIsTransient {
        fn classify(&self, outcome: Result<&http::Response<Body>, &oci_core::Error>) -> Class {
            match outcome {
                Err(e) if e.is_not_found() => Class::Transient,
                other => OciClassifier.classify(other),
            }
        }
    }

    let mock = Mock::new([Canned::status(404), Canned::status(404), Canned::ok()]);
    let client = builder(&mock)
        .retry_policy(policy())
        .classifier(NotFoundIsTransient)
        .circuit_breaker(
            oci_core::layers::CircuitBreakerConfig::builder()
                .min_calls(3)
                .build(),
        )
        .build()
        .unwrap();
    client.call(get("/users/u")).await.unwrap();
    assert_eq!(mock.count(), 3);
    // The breaker counted the two 404s as failures too (2 of 3 is under 80%, so still closed).
    let snap = client.circuit_breakers().unwrap().snapshot();
    assert_eq!((snap[0].calls, snap[0].failures), (3, 2));
}
