//! Tests of error construction, Display and error-body parsing.

use super::*;

fn parts(status: u16, headers: &[(&str, &str)]) -> http::response::Parts {
    let mut b = http::Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    match b.body(()) {
        Ok(r) => r.into_parts().0,
        Err(e) => panic!("bad test response: {e}"),
    }
}

#[test]
fn json_error_body_gives_code_message_and_request_id() {
    let p = parts(409, &[("opc-request-id", "REQ1")]);
    let e = service_error_from_parts(&p, br#"{"code":"IncorrectState","message":"busy"}"#);
    assert_eq!(e.code(), Some("IncorrectState"));
    assert_eq!(e.message(), "busy");
    assert_eq!(e.opc_request_id(), Some("REQ1"));
    assert_eq!(
        e.to_string(),
        "IncorrectState: busy (status 409, opc-request-id REQ1)"
    );
}

#[test]
fn non_json_error_body_is_kept_as_message() {
    let p = parts(502, &[]);
    let e = service_error_from_parts(&p, b"<html>Bad Gateway</html>");
    assert_eq!(e.code(), None);
    assert_eq!(e.message(), "<html>Bad Gateway</html>");
    assert_eq!(e.to_string(), "<html>Bad Gateway</html> (status 502)");
}

#[test]
fn empty_error_body_uses_reason_phrase() {
    let e = service_error_from_parts(&parts(304, &[]), b"");
    assert_eq!(e.status(), Some(StatusCode::NOT_MODIFIED));
    assert_eq!(e.message(), "Not Modified");
}

#[test]
fn retry_after_is_read() {
    let p = parts(429, &[("retry-after", "7")]);
    let e = service_error_from_parts(&p, br#"{"code":"TooManyRequests","message":"slow"}"#);
    assert!(e.is_throttled());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
}

#[test]
fn retry_after_as_an_http_date_is_read_against_the_response_date() {
    let date = "Wed, 02 Dec 2026 02:00:00 GMT";
    let p = parts(
        503,
        &[
            ("retry-after", "Wed, 02 Dec 2026 02:02:00 GMT"),
            ("date", date),
        ],
    );
    let e = service_error_from_parts(&p, b"");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
    let past = parts(
        503,
        &[
            ("retry-after", "Wed, 02 Dec 2026 01:59:00 GMT"),
            ("date", date),
        ],
    );
    assert_eq!(
        service_error_from_parts(&past, b"").retry_after(),
        Some(Duration::ZERO)
    );
    // No Date to read it against, or not a date at all: no Retry-After.
    let no_date = parts(503, &[("retry-after", "Wed, 02 Dec 2026 02:02:00 GMT")]);
    assert_eq!(service_error_from_parts(&no_date, b"").retry_after(), None);
    let junk = parts(503, &[("retry-after", "soon"), ("date", date)]);
    assert_eq!(service_error_from_parts(&junk, b"").retry_after(), None);
}

#[test]
fn boxed_errors_round_trip() {
    let e = Error::timeout(TimeoutScope::Attempt, Some(Duration::from_secs(1)));
    let back = Error::from_boxed(Box::new(e));
    assert_eq!(back.timeout_scope(), Some(TimeoutScope::Attempt));
    let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
    assert!(Error::from_boxed(Box::new(io)).is_transport());
}
