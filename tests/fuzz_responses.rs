//! Property ("fuzz") tests of what the client reads from responses: error bodies
//! (`service_error_from_parts`), the common headers (`opc-next-page`, `retry-after`, `etag`,
//! `opc-request-id`, dates), and whole responses (status, headers, body) through the default
//! stack (retry, breaker, signing) and a generated operation's parser, on tokio's paused clock
//! so `Retry-After: 99999999` costs no real time.
//!
//! Bounded by `OCI_FUZZ_MS` (see `tests/fuzz_support/mod.rs`); `scripts/fuzz.sh` runs it longer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fuzz_support;

use std::time::Duration;

use futures_util::TryStreamExt;
use fuzz_support::{fuzz, text, ArbResult, Unstructured};
use oci_tower::error::service_error_from_parts;
use oci_tower::identity::IdentityClient;
use oci_tower::layers::RetryPolicy;
use oci_tower::testing::MockTransport;
use oci_tower::{Body, DateTime, ResponseMeta};

const HEADERS: &[&str] = &[
    "opc-next-page",
    "retry-after",
    "etag",
    "opc-request-id",
    "date",
    "content-type",
    "content-length",
    "last-modified",
    "opc-content-md5",
];

fn header_value(u: &mut Unstructured<'_>) -> ArbResult<Vec<u8>> {
    Ok(match u.int_in_range(0..=7)? {
        0 => u.arbitrary::<u64>()?.to_string().into_bytes(),
        1 => b"99999999999999999999999".to_vec(),
        2 => b"Wed, 21 Oct 2015 07:28:00 GMT".to_vec(),
        3 => format!("{}", u.arbitrary::<i64>()?).into_bytes(),
        4 => b"-1".to_vec(),
        5 => text(u, 30)?.into_bytes(),
        6 => u.arbitrary::<Vec<u8>>()?,
        _ => b"\"etag-1\"".to_vec(),
    })
}

fn body(u: &mut Unstructured<'_>) -> ArbResult<Vec<u8>> {
    Ok(match u.int_in_range(0..=6)? {
        0 => Vec::new(),
        1 => br#"{"code":"NotAuthorizedOrNotFound","message":"no"}"#.to_vec(),
        2 => format!(r#"{{"code":{},"message":{}}}"#, u.arbitrary::<i64>()?, text(u, 5)?.len())
            .into_bytes(),
        3 => serde_json::json!({"code": text(u, 12)?, "message": text(u, 40)?})
            .to_string()
            .into_bytes(),
        4 => br#"[{"id":"ocid1.user.oc1..a","name":"n","description":"d","compartmentId":"c","lifecycleState":"ACTIVE","timeCreated":"2026-01-01T00:00:00Z"}]"#.to_vec(),
        5 => b"[]".to_vec(),
        _ => u.arbitrary::<Vec<u8>>()?,
    })
}

fn response(u: &mut Unstructured<'_>) -> ArbResult<http::Response<Body>> {
    let status = match u.int_in_range(0..=4)? {
        0 => 200,
        1 => *u.choose(&[400u16, 401, 404, 409, 429, 500, 502, 503, 504])?,
        _ => u.int_in_range(100..=599)?,
    };
    let mut r = http::Response::new(Body::from(body(u)?));
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
    for _ in 0..u.int_in_range(0..=6)? {
        let name = http::HeaderName::from_static(u.choose(HEADERS)?);
        if let Ok(v) = http::HeaderValue::from_bytes(&header_value(u)?) {
            r.headers_mut().append(name, v);
        }
    }
    Ok(r)
}

#[test]
fn fuzz_error_body_and_headers() {
    fuzz("error_body_and_headers", |u| {
        let (parts, _) = response(u)?.into_parts();
        let raw = body(u)?;
        let e = service_error_from_parts(&parts, &raw);
        // Whatever the body, the error names the status (the message may be the server's empty
        // `message`).
        assert!(e.to_string().contains(parts.status.as_str()), "{e}");
        assert_eq!(e.status(), Some(parts.status));
        let _ = (e.to_string(), format!("{e:?}"), e.retry_after());
        let meta = ResponseMeta::from_parts(parts.status, &parts.headers);
        assert_eq!(meta.status, parts.status.as_u16());
        if let Some(date) = parts.headers.get("date").and_then(|v| v.to_str().ok()) {
            let _ = DateTime::parse(date);
        }
        let _ = DateTime::parse(&text(u, 40)?);
        Ok(())
    });
}

/// Whole responses through the default stack and ListUsers' parser, page by page.
#[test]
fn fuzz_responses_through_the_stack() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    fuzz("responses_through_stack", |u| {
        let mock = MockTransport::new();
        let n = u.int_in_range(1..=6)?;
        for _ in 0..n {
            mock.push(response(u)?);
        }
        let pages = u.arbitrary::<bool>()?;
        let client = mock
            .client_builder()
            .retry_policy(
                RetryPolicy::builder()
                    .max_attempts(u.int_in_range(1..=4)?)
                    .total_timeout(Some(Duration::from_secs(600)))
                    .build(),
            )
            .build()
            .unwrap();
        let identity = IdentityClient::new(client);
        rt.block_on(async {
            // Any answer ends in a value or a typed error in bounded (virtual) time.
            let run = async {
                if pages {
                    let mut items = identity.list_users().compartment_id("c").items();
                    let mut seen = 0;
                    while let Some(user) = items.try_next().await? {
                        let _ = format!("{user:?}");
                        seen += 1;
                        if seen > 100 {
                            break;
                        }
                    }
                    Ok::<_, oci_tower::Error>(())
                } else {
                    let r = identity.list_users().compartment_id("c").send().await?;
                    assert!((200..300).contains(&r.status));
                    Ok(())
                }
            };
            match tokio::time::timeout(Duration::from_secs(3600), run).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    assert!(!e.to_string().is_empty());
                    if let Some(s) = e.status() {
                        // A 2xx is an error only when its body does not parse.
                        assert!(!s.is_success() || e.is_deserialize(), "a 2xx became {e}");
                    }
                }
                Err(_) => panic!("a call did not finish in an hour of virtual time"),
            }
        });
        Ok(())
    });
}
