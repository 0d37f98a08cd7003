//! Writing your own tower layers and adding them to the oci-tower stack.
//!
//! Two layers, in plain tower style (layer, service, named future):
//! - `AddHeaderLayer` adds a header to every attempt (it runs inside retries, just above signing,
//!   so every attempt carries it and the signer sees the request as it will be sent);
//! - `LatencyLayer` records how long each whole call took, retries included (it runs once per
//!   call, outside retries).
//!
//! Run with `cargo run --example custom_layer`. It talks to a local stand-in transport that
//! fails the first attempt with 503, so you can see the retry in the output.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use http::header::{HeaderName, HeaderValue};
use oci_tower::auth::{ApiKeyCredentials, PrivateKey};
use oci_tower::layers::retry::{Jitter, RetryPolicy};
use oci_tower::{Body, Client, Endpoint, Error, OperationInfo};
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
    let key = PrivateKey::from_rsa(rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048)?)?;
    let credentials = ApiKeyCredentials::new(
        "ocid1.tenancy.oc1..aaaaexample",
        "ocid1.user.oc1..aaaaexample",
        "11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff",
        key,
    );

    // A stand-in for OCI: the first attempt gets a 503, the next one succeeds.
    let attempts = Arc::new(AtomicU32::new(0));
    let seen = attempts.clone();
    let transport = tower::service_fn(move |req: http::Request<Body>| {
        let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
        let team = req.headers().get("x-team").cloned();
        let signed_headers = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|a| a.split("headers=\"").nth(1))
            .and_then(|h| h.split('"').next())
            .unwrap_or_default()
            .to_owned();
        async move {
            println!("attempt {n}: x-team = {team:?}; signed headers: {signed_headers}");
            let status = if n == 1 { 503 } else { 200 };
            http::Response::builder()
                .status(status)
                .body(Body::from(r#"{"id":"ocid1.user.oc1..aaaaexample"}"#))
                .map_err(|e| Error::invalid_request(e.to_string()))
        }
    });

    let latency = LatencyLayer::default();
    let client = Client::builder()
        .credentials(Arc::new(credentials))
        .endpoint(Endpoint::parse("http://127.0.0.1:1")?)
        .transport(transport)
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

    let mut req =
        http::Request::get("http://127.0.0.1:1/20160918/users/ocid1.user.oc1..aaaaexample")
            .body(Body::empty())?;
    req.extensions_mut().insert(OperationInfo {
        service: "identity",
        operation: "GetUser",
        exclude_body: false,
        retry_token: false,
    });
    let resp = client.call(req).await?;
    println!("status {}", resp.status());
    if let Ok(samples) = latency.samples.lock() {
        for (op, took) in samples.iter() {
            println!("{op} took {took:?} (retries included)");
        }
    }
    Ok(())
}
