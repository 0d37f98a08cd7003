//! Writing your own tower layers and adding them to the oci-tower stack.
//!
//! Two layers, in plain tower style (layer, service, named future):
//! - `AddHeaderLayer` adds a header to every attempt (it runs inside retries, just above
//!   signing, so every attempt carries it and the signer sees the request as it will be sent);
//! - `LatencyLayer` records how long each whole call took, retries included (it runs once per
//!   call, outside retries).
//!
//! Run with `cargo run --example custom_layer`. It starts the emulator in-process and makes it
//! answer the first attempt with 503, so you can see the header layer run twice (once per
//! attempt), the latency layer once (per call), and the emulator verify the signature of the
//! attempt that carries the added header.
//!
//! See `crates/core/src/stack.rs` for where `ClientBuilder::layer` and
//! `ClientBuilder::attempt_layer` put a layer in the stack.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use http::header::{HeaderName, HeaderValue};
use oci_emulator::{Emulator, Fault};
use oci_tower::identity::IdentityClient;
use oci_tower::layers::retry::{AttemptInfo, Jitter, RetryPolicy};
use oci_tower::{Body, OperationInfo};
use pin_project::pin_project;
use tower::{Layer, Service};

/// Adds `name: value` to every request that does not have it yet.
#[derive(Clone)]
struct AddHeaderLayer {
    name: HeaderName,
    value: HeaderValue,
}

impl<S> Layer<S> for AddHeaderLayer {
    type Service = AddHeader<S>;
    fn layer(&self, inner: S) -> AddHeader<S> {
        AddHeader {
            inner,
            name: self.name.clone(),
            value: self.value.clone(),
        }
    }
}

#[derive(Clone)]
struct AddHeader<S> {
    inner: S,
    name: HeaderName,
    value: HeaderValue,
}

impl<S> Service<http::Request<Body>> for AddHeader<S>
where
    S: Service<http::Request<Body>>,
{
    type Response = S::Response;
    type Error = S::Error;
    // Nothing to do afterwards, so the inner future is returned unchanged.
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<Body>) -> S::Future {
        // The retry layer puts an AttemptInfo into every attempt's extensions.
        if let Some(info) = req.extensions().get::<AttemptInfo>() {
            let why = info
                .retry_reason
                .map(|c| format!(" (retrying: {c})"))
                .unwrap_or_default();
            println!("attempt {}: adding {}{why}", info.attempt, self.name);
        }
        if !req.headers().contains_key(&self.name) {
            req.headers_mut()
                .insert(self.name.clone(), self.value.clone());
        }
        self.inner.call(req)
    }
}

/// Records each call's latency, labelled with the operation name.
#[derive(Clone, Default)]
struct LatencyLayer {
    samples: Arc<Mutex<Vec<(&'static str, Duration)>>>,
}

impl<S> Layer<S> for LatencyLayer {
    type Service = Latency<S>;
    fn layer(&self, inner: S) -> Latency<S> {
        Latency {
            inner,
            samples: self.samples.clone(),
        }
    }
}

#[derive(Clone)]
struct Latency<S> {
    inner: S,
    samples: Arc<Mutex<Vec<(&'static str, Duration)>>>,
}

impl<S> Service<http::Request<Body>> for Latency<S>
where
    S: Service<http::Request<Body>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = LatencyFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        // Every request sent by the client carries its OperationInfo.
        let operation = req
            .extensions()
            .get::<OperationInfo>()
            .map_or("unknown", |i| i.operation);
        LatencyFuture {
            inner: self.inner.call(req),
            started: tokio::time::Instant::now(),
            operation,
            samples: self.samples.clone(),
        }
    }
}

#[pin_project]
struct LatencyFuture<F> {
    #[pin]
    inner: F,
    started: tokio::time::Instant,
    operation: &'static str,
    samples: Arc<Mutex<Vec<(&'static str, Duration)>>>,
}

impl<F: Future> Future for LatencyFuture<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let out = std::task::ready!(this.inner.poll(cx));
        let took = this.started.elapsed();
        if let Ok(mut samples) = this.samples.lock() {
            samples.push((this.operation, took));
        }
        Poll::Ready(out)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::builder().start().await?;
    // The first GetUser attempt gets a 503; the retry succeeds.
    emulator.add_fault(
        Fault::status(503, "ServiceUnavailable")
            .operation("GetUser")
            .first(1),
    );

    let latency = LatencyLayer::default();
    let client = emulator
        .client_builder()
        .retry_policy(
            RetryPolicy::builder()
                .base_delay(Duration::from_millis(50))
                .jitter(Jitter::None)
                .build(),
        )
        // Once per call, outside retries.
        .layer(latency.clone())
        // Once per attempt, inside retries and the breaker, just above signing.
        .attempt_layer(AddHeaderLayer {
            name: HeaderName::from_static("x-team"),
            value: HeaderValue::from_static("storage"),
        })
        .build()?;

    let identity = IdentityClient::new(client);
    let user = identity
        .get_user()
        .user_id(emulator.user_id())
        .send()
        .await?
        .body;
    println!("got user {} ({})", user.name, user.lifecycle_state);

    for e in emulator.journal() {
        let status = e.status.map_or("no answer".to_owned(), |s| s.to_string());
        let how = match (&e.fault, &e.key_id) {
            (Some(fault), _) => format!("answered by fault {fault}"),
            (None, Some(key)) => format!("signature verified (user {})", short_key(key)),
            (None, None) => "unsigned".to_owned(),
        };
        println!(
            "emulator saw: {} {} -> {status}, {how}",
            e.method, e.operation
        );
    }
    if let Ok(samples) = latency.samples.lock() {
        for (op, took) in samples.iter() {
            println!("{op} took {took:?} (retries included)");
        }
    }
    emulator.shutdown().await;
    Ok(())
}

/// The user part of a `tenancy/user/fingerprint` key id, for printing.
fn short_key(key_id: &str) -> &str {
    key_id.split('/').nth(1).unwrap_or(key_id)
}
