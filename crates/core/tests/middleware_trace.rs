//! Trace spans through the whole client stack, captured by a small in-test subscriber.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod middleware_support;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use middleware_support::{builder, create, Canned, Mock};
use oci_core::layers::retry::{FixedRandom, RetryPolicy};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[derive(Debug, Clone, Default)]
struct SpanData {
    name: String,
    meta: Option<&'static Metadata<'static>>,
    fields: HashMap<String, String>,
}

/// Records every span's fields and every event's fields.
#[derive(Default, Clone)]
struct Capture {
    next: Arc<AtomicU64>,
    spans: Arc<Mutex<Vec<SpanData>>>,
    events: Arc<Mutex<Vec<HashMap<String, String>>>>,
    /// The entered spans (the tests run on one thread).
    stack: Arc<Mutex<Vec<Id>>>,
}

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut s = String::new();
        let _ = write!(s, "{value:?}");
        self.0.insert(field.name().to_owned(), s);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut data = SpanData {
            name: attrs.metadata().name().to_owned(),
            meta: Some(attrs.metadata()),
            ..SpanData::default()
        };
        attrs.record(&mut Fields(&mut data.fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push(data);
        self.next.fetch_add(1, Ordering::SeqCst);
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let data = &mut spans[span.into_u64() as usize - 1];
        values.record(&mut Fields(&mut data.fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = HashMap::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(fields);
    }
    fn enter(&self, id: &Id) {
        self.stack.lock().unwrap().push(id.clone());
    }
    fn exit(&self, id: &Id) {
        let mut stack = self.stack.lock().unwrap();
        if let Some(pos) = stack.iter().rposition(|i| i == id) {
            stack.remove(pos);
        }
    }
    fn current_span(&self) -> tracing_core::span::Current {
        let stack = self.stack.lock().unwrap();
        match stack.last() {
            Some(id) => {
                let spans = self.spans.lock().unwrap();
                match spans[id.into_u64() as usize - 1].meta {
                    Some(meta) => tracing_core::span::Current::new(id.clone(), meta),
                    None => tracing_core::span::Current::none(),
                }
            }
            None => tracing_core::span::Current::none(),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn operation_and_attempt_spans_carry_the_fields_and_no_secrets() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());

    let mock = Mock::new([Canned::status(503), Canned::retry_after(1), Canned::ok()]);
    let client = builder(&mock)
        .retry_policy(RetryPolicy::builder().random(FixedRandom(0.5)).build())
        .build()
        .unwrap();
    let mut req = create(r#"{"name":"ops"}"#);
    req.headers_mut()
        .insert("x-security-token", "SESSION-TOKEN-SECRET".parse().unwrap());
    client.call(req).await.unwrap();

    let spans = capture.spans.lock().unwrap().clone();
    let ops: Vec<_> = spans.iter().filter(|s| s.name == "oci.operation").collect();
    assert_eq!(ops.len(), 1);
    let op = &ops[0].fields;
    assert_eq!(op["service"], "identity");
    assert_eq!(op["operation"], "CreateGroup");
    assert_eq!(op["method"], "POST");
    assert_eq!(op["host"], "identity.test.example");
    assert_eq!(op["status"], "200");
    assert_eq!(op["opc_request_id"], "OK-1");
    assert_eq!(op["attempts"], "3");
    assert_eq!(op["class"], "success");

    let attempts: Vec<_> = spans.iter().filter(|s| s.name == "oci.attempt").collect();
    assert_eq!(attempts.len(), 3);
    let field = |i: usize, k: &str| attempts[i].fields.get(k).cloned();
    assert_eq!(field(0, "attempt").as_deref(), Some("1"));
    assert_eq!(field(0, "retry_reason"), None);
    assert_eq!(field(0, "status").as_deref(), Some("503"));
    assert_eq!(field(0, "class").as_deref(), Some("transient"));
    assert_eq!(field(1, "attempt").as_deref(), Some("2"));
    assert_eq!(field(1, "retry_reason").as_deref(), Some("transient"));
    assert_eq!(field(1, "status").as_deref(), Some("429"));
    assert_eq!(field(1, "class").as_deref(), Some("throttled"));
    assert_eq!(field(2, "retry_reason").as_deref(), Some("throttled"));
    assert_eq!(field(2, "status").as_deref(), Some("200"));
    for i in 0..3 {
        assert_eq!(field(i, "breaker_state").as_deref(), Some("closed"));
        assert_eq!(field(i, "operation").as_deref(), Some("CreateGroup"));
        // The failed attempts carry the request id the signer set.
        assert!(field(i, "opc_request_id").is_some(), "attempt {i}");
    }

    // Nothing secret reached the subscriber: not the Authorization header (nor its signature),
    // not the session token, not the key.
    let mut everything = String::new();
    for s in &spans {
        for (k, v) in &s.fields {
            let _ = writeln!(everything, "{k}={v}");
        }
    }
    for e in capture.events.lock().unwrap().iter() {
        for (k, v) in e {
            let _ = writeln!(everything, "{k}={v}");
        }
    }
    for seen in mock.seen() {
        let auth = seen.header("authorization").unwrap();
        let signature = auth.split("signature=\"").nth(1).unwrap();
        assert!(!everything.contains(signature));
        assert!(!everything.contains(&auth));
    }
    for secret in [
        "authorization",
        "Signature",
        "SESSION-TOKEN-SECRET",
        "keyId",
        middleware_support::KEY_ID_TENANCY,
        "PRIVATE KEY",
    ] {
        assert!(
            !everything.contains(secret),
            "{secret} leaked:\n{everything}"
        );
    }
    // The retries were reported as events with their reason.
    assert!(everything.contains("reason=transient"));
    assert!(everything.contains("reason=throttled"));
}

#[tokio::test(start_paused = true)]
async fn breaker_events_and_open_state_in_the_attempt_span() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let mock = Mock::new([Canned::status(503)]);
    let client = builder(&mock)
        .retry_policy(RetryPolicy::none())
        .circuit_breaker(
            oci_core::layers::CircuitBreakerConfig::builder()
                .min_calls(2)
                .build(),
        )
        .build()
        .unwrap();
    for _ in 0..3 {
        let _ = client.call(middleware_support::get("/users/u")).await;
    }
    let events = capture.events.lock().unwrap().clone();
    let change = events
        .iter()
        .find(|e| {
            e.get("message")
                .is_some_and(|m| m.contains("state changed"))
        })
        .expect("a state-change event");
    assert_eq!(change["from"], "closed");
    assert_eq!(change["to"], "open");
    assert_eq!(change["host"], "identity.test.example");
    let spans = capture.spans.lock().unwrap().clone();
    let last_attempt = spans
        .iter()
        .rev()
        .find(|s| s.name == "oci.attempt")
        .unwrap();
    assert_eq!(last_attempt.fields["breaker_state"], "open");
    let last_op = spans
        .iter()
        .rev()
        .find(|s| s.name == "oci.operation")
        .unwrap();
    assert_eq!(last_op.fields["error_kind"], "CircuitOpen");
    assert_eq!(last_op.fields["class"], "fatal");
}

#[tokio::test(start_paused = true)]
async fn tracing_can_be_turned_off() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let mock = Mock::new([Canned::ok()]);
    let client = builder(&mock).tracing(false).build().unwrap();
    client
        .call(middleware_support::get("/users/u"))
        .await
        .unwrap();
    assert!(capture.spans.lock().unwrap().is_empty());
}
