//! The table of [`super`], case by case.

use std::time::Duration;

use http::StatusCode;

use crate::{Error, ErrorKind, TimeoutScope};

fn oci(status: u16, code: &str, message: &str) -> Error {
    let status = StatusCode::from_u16(status).unwrap();
    Error::service(
        status,
        Some(code.to_owned()),
        message.to_owned(),
        Some("REQ-1".to_owned()),
    )
}

fn json(answer: &super::HttpAnswer) -> serde_json::Value {
    serde_json::from_slice(&answer.body_json()).unwrap()
}

#[test]
fn the_callers_own_problems_keep_ocis_status_code_and_message() {
    for (status, code) in [
        (400, "InvalidParameter"),
        (404, "ObjectNotFound"),
        (409, "BucketAlreadyExists"),
        (409, "IncorrectState"),
        (412, "IfMatchFailed"),
        (413, "PayloadTooLarge"),
        (416, "InvalidRange"),
        (422, "UnprocessableEntity"),
    ] {
        let e = oci(status, code, "about the caller's request");
        let a = e.http_answer();
        assert_eq!(a.status().as_u16(), status, "{code}");
        assert_eq!(e.http_status().as_u16(), status, "{code}");
        assert_eq!(a.code(), code);
        assert_eq!(a.message(), "about the caller's request");
        assert_eq!(a.opc_request_id(), Some("REQ-1"));
        assert_eq!(a.retry_after(), None);
        let body = json(&a);
        assert_eq!(body["code"], code);
        assert_eq!(body["message"], "about the caller's request");
        assert_eq!(body["opcRequestId"], "REQ-1");
    }
}

#[test]
fn a_caller_error_without_a_code_uses_the_reason_phrase() {
    let e = Error::service(StatusCode::NOT_FOUND, None, "gone".into(), None);
    let a = e.http_answer();
    assert_eq!(a.code(), "Not Found");
    assert_eq!(json(&a)["opcRequestId"], serde_json::Value::Null);
}

#[test]
fn ocis_401_and_403_are_our_credentials_failing_never_the_callers_401() {
    for status in [401, 403] {
        let e = oci(
            status,
            "NotAuthenticated",
            "key ocid1.tenancy/fingerprint aa:bb refused",
        );
        let a = e.http_answer();
        assert_eq!(a.status(), StatusCode::BAD_GATEWAY, "{status}");
        assert_eq!(a.code(), "UpstreamAuthFailed");
        assert!(!a.message().contains("fingerprint"), "{}", a.message());
        assert_eq!(a.opc_request_id(), Some("REQ-1"));
    }
}

#[test]
fn throttling_and_503_are_503_with_retry_after_when_known() {
    let e = oci(429, "TooManyRequests", "slow").with_retry_after(Some(Duration::from_secs(7)));
    let a = e.http_answer();
    assert_eq!(a.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(a.code(), "UpstreamThrottled");
    assert_eq!(a.retry_after(), Some(Duration::from_secs(7)));
    let r: http::Response<bytes::Bytes> = a.into_response();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "7");
    assert_eq!(r.headers()["content-type"], "application/json");

    let no_hint = oci(429, "TooManyRequests", "slow").http_answer();
    assert_eq!(no_hint.retry_after(), None);
    let r: http::Response<bytes::Bytes> = no_hint.into_response();
    assert!(r.headers().get("retry-after").is_none());

    let unavailable = oci(503, "ServiceUnavailable", "internal detail")
        .with_retry_after(Some(Duration::from_millis(1500)))
        .http_answer();
    assert_eq!(unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(unavailable.code(), "UpstreamUnavailable");
    // Whole seconds, rounded up.
    let r: http::Response<bytes::Bytes> = unavailable.into_response();
    assert_eq!(r.headers()["retry-after"], "2");
}

#[test]
fn other_oci_5xx_are_502_and_504_is_504() {
    for status in [500, 501, 502, 507] {
        let a = oci(status, "InternalServerError", "stack trace here").http_answer();
        assert_eq!(a.status(), StatusCode::BAD_GATEWAY, "{status}");
        assert_eq!(a.code(), "UpstreamError");
        assert!(!a.message().contains("stack trace"));
        assert_eq!(a.retry_after(), None);
    }
    let a = oci(504, "GatewayTimeout", "x").http_answer();
    assert_eq!(a.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(a.code(), "UpstreamTimeout");
    // An unusual 4xx (our integration's fault, not the caller's) is an upstream error too.
    for status in [405, 411] {
        assert_eq!(
            oci(status, "X", "y").http_status(),
            StatusCode::BAD_GATEWAY,
            "{status}"
        );
    }
}

#[test]
fn every_timeout_is_504() {
    for scope in [
        TimeoutScope::Connect,
        TimeoutScope::Attempt,
        TimeoutScope::Operation,
        TimeoutScope::BodyStall,
    ] {
        let a = Error::timeout(scope, Some(Duration::from_secs(60))).http_answer();
        assert_eq!(a.status(), StatusCode::GATEWAY_TIMEOUT, "{scope}");
        assert_eq!(a.code(), "UpstreamTimeout");
    }
}

#[test]
fn transport_failures_are_502_without_their_details() {
    let io = std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        "connect to objectstorage.internal.example:443 refused",
    );
    let a = Error::transport(io).http_answer();
    assert_eq!(a.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(a.code(), "UpstreamUnreachable");
    assert!(!a.message().contains("internal.example"), "{}", a.message());
}

#[test]
fn an_open_circuit_is_503_with_the_time_until_a_probe() {
    let e = Error::circuit_open("objectstorage.example", Some(Duration::from_secs(12)));
    assert_eq!(e.retry_after(), Some(Duration::from_secs(12)));
    let a = e.http_answer();
    assert_eq!(a.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(a.code(), "UpstreamUnavailable");
    assert_eq!(a.retry_after(), Some(Duration::from_secs(12)));
    assert!(!a.message().contains("objectstorage.example"));
}

#[test]
fn broken_or_unreadable_answers_are_502() {
    let parse = Error::deserialize("expected value", StatusCode::OK, Some("R2".into()));
    let a = parse.http_answer();
    assert_eq!(a.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(a.opc_request_id(), Some("R2"));
    let body = Error::body(std::io::Error::other("connection reset mid-body"));
    assert_eq!(body.kind(), ErrorKind::Body);
    assert_eq!(body.http_status(), StatusCode::BAD_GATEWAY);
}

#[test]
fn a_credentials_provider_failing_is_502_and_the_callers_broken_upload_400() {
    let auth = Error::auth(
        "instance_principal",
        "http://169.254.169.254/",
        "answered 500",
    );
    let a = auth.http_answer();
    assert_eq!(a.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(a.code(), "UpstreamAuthFailed");
    assert!(!a.message().contains("169.254"), "{}", a.message());

    let gone = std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "client went away");
    let a = Error::request_body(gone).http_answer();
    assert_eq!(a.status(), StatusCode::BAD_REQUEST);
    assert_eq!(a.code(), "RequestBodyFailed");
    let stalled = Error::timeout(TimeoutScope::RequestBodyStall, None);
    assert_eq!(stalled.http_status(), StatusCode::GATEWAY_TIMEOUT);
}

#[test]
fn a_request_rejected_before_io_is_the_callers_400() {
    let e = Error::invalid_request("path parameter `objectName` is empty");
    let a = e.http_answer();
    assert_eq!(a.status(), StatusCode::BAD_REQUEST);
    assert_eq!(a.code(), "InvalidParameter");
    assert_eq!(a.message(), "path parameter `objectName` is empty");
}

#[test]
fn our_own_configuration_faults_are_500_and_say_nothing_more() {
    let secret_path = "/home/svc/.oci/secret_key.pem: bad passphrase";
    for e in [
        Error::config(secret_path),
        Error::credentials(secret_path),
        Error::signing(secret_path),
        Error::with_kind(ErrorKind::Other, secret_path),
    ] {
        let a = e.http_answer();
        assert_eq!(a.status(), StatusCode::INTERNAL_SERVER_ERROR, "{e}");
        assert_eq!(a.code(), "InternalServerError");
        let body = String::from_utf8(a.body_json().to_vec()).unwrap();
        assert!(!body.contains("secret_key"), "{body}");
    }
}

#[test]
fn a_304_left_as_an_error_is_answered_as_304_without_a_body() {
    let e = Error::service(StatusCode::NOT_MODIFIED, None, "Not Modified".into(), None);
    assert!(e.is_not_modified());
    let a = e.http_answer();
    assert_eq!(a.status(), StatusCode::NOT_MODIFIED);
    let r: http::Response<bytes::Bytes> = a.into_response();
    assert!(r.body().is_empty());
    assert!(r.headers().get("content-type").is_none());
}
