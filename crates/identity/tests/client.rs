//! Responses, paginators and waiters against a canned transport.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures_util::TryStreamExt;
use oci_core::testing::MockTransport;
use oci_core::waiter::WaitError;
use oci_core::ErrorKind;
use oci_identity::models::*;
use oci_identity::IdentityClient;

type Canned = (u16, Vec<(&'static str, String)>, String);

/// A client whose transport answers from `responses` in order and records each request.
fn client(responses: Vec<Canned>) -> (IdentityClient, MockTransport) {
    let mock = MockTransport::new();
    for (status, headers, body) in responses {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        mock.push_with(status, &headers, body);
    }
    (IdentityClient::new(mock.client().unwrap()), mock)
}

/// The path and query of every request the mock received, in order.
fn paths(mock: &MockTransport) -> Vec<String> {
    mock.requests()
        .iter()
        .map(|r| r.uri.path_and_query().unwrap().to_string())
        .collect()
}

fn user_json(id: &str, state: &str) -> String {
    format!(
        r#"{{"id":"{id}","compartmentId":"ocid1.tenancy.oc1..t","name":"n-{id}","description":"d",
        "timeCreated":"2016-08-25T21:10:29.600Z","lifecycleState":"{state}","isMfaActivated":false}}"#
    )
}

fn ok(body: String, headers: Vec<(&'static str, String)>) -> Canned {
    (200, headers, body)
}

#[tokio::test]
async fn responses_parse_with_unknown_enums_missing_optionals_and_extra_fields() {
    let body = r#"{"id":"ocid1.user.oc1..u","compartmentId":"c","name":"alice","description":"d",
        "timeCreated":"2016-08-25T21:10:29.600Z","lifecycleState":"SOMETHING_NEW",
        "isMfaActivated":true,"aFieldFromTheFuture":{"x":1}}"#;
    let (identity, seen) = client(vec![ok(
        body.into(),
        vec![("opc-request-id", "REQ1".into()), ("etag", "E1".into())],
    )]);
    let out = identity
        .get_user()
        .user_id("ocid1.user.oc1..u")
        .send()
        .await
        .unwrap();
    assert_eq!(paths(&seen)[0], "/20160918/users/ocid1.user.oc1..u");
    assert_eq!(out.status, 200);
    assert_eq!(out.opc_request_id.as_deref(), Some("REQ1"));
    assert_eq!(out.etag.as_deref(), Some("E1"));
    let user = out.body;
    assert_eq!(user.name, "alice");
    assert_eq!(
        user.lifecycle_state,
        UserLifecycleState::Unknown("SOMETHING_NEW".into())
    );
    assert_eq!(user.email, None);
    assert_eq!(user.time_created.to_string(), "2016-08-25T21:10:29.600000Z");
    // The unknown value goes back out unchanged; None fields are omitted.
    let json = serde_json::to_value(&user).unwrap();
    assert_eq!(json["lifecycleState"], "SOMETHING_NEW");
    assert!(json.get("email").is_none());
    // Constants as the Python SDK names them.
    assert_eq!(User::LIFECYCLE_STATE_ACTIVE, UserLifecycleState::Active);
    assert_eq!(Group::LIFECYCLE_STATE_DELETED.as_str(), "DELETED");
}

#[tokio::test]
async fn polymorphic_models_dispatch_on_their_discriminator() {
    let saml = r#"{"id":"i1","compartmentId":"c","name":"n","description":"d","productType":"IDCS",
        "timeCreated":"2024-01-02T03:04:05Z","lifecycleState":"ACTIVE","protocol":"SAML2",
        "metadataUrl":"https://m","signingCertificate":"cert","redirectUrl":"https://r"}"#;
    let other = r#"{"id":"i2","compartmentId":"c","name":"n","description":"d","productType":"X",
        "timeCreated":"2024-01-02T03:04:05Z","lifecycleState":"ACTIVE","protocol":"OIDC"}"#;
    let (identity, _) = client(vec![
        ok(saml.into(), vec![]),
        ok(format!("[{saml},{other}]"), vec![]),
    ]);
    let out = identity
        .get_identity_provider()
        .identity_provider_id("i1")
        .send()
        .await
        .unwrap();
    match &out.body {
        IdentityProvider::Saml2(p) => assert_eq!(p.redirect_url, "https://r"),
        other => panic!("expected SAML2, got {other:?}"),
    }
    // The discriminator is written back on serialization.
    assert_eq!(
        serde_json::to_value(&out.body).unwrap()["protocol"],
        "SAML2"
    );
    let list = identity
        .list_identity_providers()
        .protocol("SAML2")
        .compartment_id("c")
        .send()
        .await
        .unwrap();
    assert!(matches!(list.body[0], IdentityProvider::Saml2(_)));
    match &list.body[1] {
        IdentityProvider::Other(p) => assert_eq!(p.protocol, "OIDC"),
        other => panic!("expected the fallback, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unparseable_body_is_a_typed_error_that_keeps_the_request_id() {
    let (identity, _) = client(vec![ok(
        "{\"id\": tru".into(),
        vec![("opc-request-id", "REQ-BAD".into())],
    )]);
    let err = identity.get_user().user_id("u").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Deserialize);
    assert_eq!(err.opc_request_id(), Some("REQ-BAD"));
}

#[tokio::test]
async fn paginator_follows_opc_next_page_to_an_empty_last_page() {
    let (identity, seen) = client(vec![
        ok(
            format!(
                "[{},{}]",
                user_json("u1", "ACTIVE"),
                user_json("u2", "ACTIVE")
            ),
            vec![("opc-next-page", "p/2".into())],
        ),
        ok(
            format!("[{}]", user_json("u3", "ACTIVE")),
            vec![("opc-next-page", "p3".into())],
        ),
        ok("[]".into(), vec![]),
    ]);
    let users: Vec<User> = identity
        .list_users()
        .compartment_id("t")
        .limit(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["u1", "u2", "u3"]);
    assert_eq!(
        paths(&seen),
        [
            "/20160918/users?compartmentId=t&limit=2",
            "/20160918/users?compartmentId=t&page=p%2F2&limit=2",
            "/20160918/users?compartmentId=t&page=p3&limit=2",
        ]
    );
}

#[tokio::test]
async fn paginator_yields_pages_then_stops_at_the_first_error() {
    let (identity, seen) = client(vec![
        ok(
            format!("[{}]", user_json("u1", "ACTIVE")),
            vec![("opc-next-page", "p2".into())],
        ),
        (
            404,
            vec![("opc-request-id", "R404".into())],
            r#"{"code":"NotAuthorizedOrNotFound","message":"gone"}"#.into(),
        ),
    ]);
    let mut pages = identity.list_users().compartment_id("t").pages();
    let first = pages.try_next().await.unwrap().unwrap();
    assert_eq!(first.body.len(), 1);
    assert_eq!(first.opc_next_page.as_deref(), Some("p2"));
    let err = pages.try_next().await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.opc_request_id(), Some("R404"));
    assert!(pages.try_next().await.unwrap().is_none());
    // One send per page: nothing retried inside the paginator.
    assert_eq!(paths(&seen).len(), 2);
}

#[tokio::test(start_paused = true)]
async fn waiter_polls_with_doubling_intervals_until_a_target_state() {
    let (identity, seen) = client(vec![
        ok(user_json("u1", "CREATING"), vec![]),
        ok(user_json("u1", "CREATING"), vec![]),
        ok(user_json("u1", "ACTIVE"), vec![]),
    ]);
    let start = tokio::time::Instant::now();
    let out = identity
        .get_user()
        .user_id("u1")
        .wait_for([UserLifecycleState::Active])
        .wait()
        .await
        .unwrap();
    assert_eq!(out.body.lifecycle_state, User::LIFECYCLE_STATE_ACTIVE);
    assert_eq!(paths(&seen).len(), 3);
    // Slept 1 s then 2 s.
    assert_eq!(start.elapsed(), Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn waiter_times_out_with_a_typed_error() {
    let responses = (0..10)
        .map(|_| ok(user_json("u1", "CREATING"), vec![]))
        .collect();
    let (identity, seen) = client(responses);
    let err = identity
        .get_user()
        .user_id("u1")
        .wait_for([UserLifecycleState::Active])
        .max_wait(Duration::from_secs(10))
        .max_interval(Duration::from_secs(4))
        .wait()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    let cause = std::error::Error::source(&err)
        .and_then(|s| s.downcast_ref::<WaitError>())
        .cloned();
    match cause {
        Some(WaitError::Timeout { waited, last_state }) => {
            assert_eq!(waited, Duration::from_secs(10));
            assert_eq!(last_state.as_deref(), Some("CREATING"));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    // Polls at 0, 1, 3, 7 (interval capped at 4) and 10 (capped by max_wait).
    assert_eq!(paths(&seen).len(), 5);
}

#[tokio::test(start_paused = true)]
async fn waiter_stops_on_a_failure_state() {
    let (identity, _) = client(vec![
        ok(user_json("u1", "CREATING"), vec![]),
        ok(user_json("u1", "DELETED"), vec![]),
    ]);
    let err = identity
        .get_user()
        .user_id("u1")
        .wait_for([UserLifecycleState::Active])
        .failure([UserLifecycleState::Deleted])
        .wait()
        .await
        .unwrap_err();
    assert!(!err.is_timeout());
    assert!(err.to_string().contains("DELETED"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn waiting_for_a_deletion_accepts_a_404() {
    let (identity, seen) = client(vec![
        ok(user_json("u1", "DELETING"), vec![]),
        (
            404,
            vec![],
            r#"{"code":"NotAuthorizedOrNotFound","message":"gone"}"#.into(),
        ),
    ]);
    let gone = identity
        .get_user()
        .user_id("u1")
        .wait_for([UserLifecycleState::Deleted])
        .wait_or_gone()
        .await
        .unwrap();
    assert!(gone.is_none());
    assert_eq!(paths(&seen).len(), 2);
}

#[tokio::test(start_paused = true)]
async fn fluent_send_with_applies_per_call_overrides() {
    let unavailable = (
        503,
        vec![],
        r#"{"code":"ServiceUnavailable","message":"busy"}"#.into(),
    );
    // With the default policy a 503 is retried...
    let (identity, seen) = client(vec![
        unavailable.clone(),
        ok(user_json("ocid1.user.oc1..u", "ACTIVE"), vec![]),
    ]);
    let out = identity
        .get_user()
        .user_id("ocid1.user.oc1..u")
        .send()
        .await;
    assert!(out.is_ok());
    assert_eq!(paths(&seen).len(), 2);

    // ...and with retries turned off for this call only, the 503 comes straight back.
    let (identity, seen) = client(vec![unavailable]);
    let err = identity
        .get_user()
        .user_id("ocid1.user.oc1..u")
        .send_with(
            oci_core::layers::CallOptions::builder()
                .retry_policy(oci_core::layers::retry::RetryPolicy::none())
                .build(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(paths(&seen).len(), 1);
}
