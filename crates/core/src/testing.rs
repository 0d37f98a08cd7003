//! Test doubles for code that uses oci-tower: a scripted transport and throwaway credentials.
//!
//! Compiled only with the `testing` cargo feature (`oci-core = { version = "...", features =
//! ["testing"] }` in your `[dev-dependencies]`; `oci-tower` forwards it).
//!
//! ```
//! use oci_core::testing::MockTransport;
//! use oci_core::{Body, Endpoint, OperationInfo};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), oci_core::Error> {
//! let mock = MockTransport::new();
//! mock.push_json(200, r#"{"id":"ocid1.user.oc1..u","name":"alice"}"#);
//! let client = mock.client()?;
//!
//! let req = http::Request::get("http://127.0.0.1:1/20160918/users/ocid1.user.oc1..u")
//!     .body(Body::empty()).map_err(|e| oci_core::Error::invalid_request(e.to_string()))?;
//! let resp = client.call(req).await?;
//! assert_eq!(resp.status(), 200);
//!
//! let seen = mock.requests();
//! assert_eq!(seen[0].uri.path(), "/20160918/users/ocid1.user.oc1..u");
//! assert!(seen[0].headers.contains_key("authorization")); // signed like any request
//! # Ok(()) }
//! ```
//!
//! The mock plugs in where the HTTP transport would ([`ClientBuilder::transport`]), so the
//! whole stack above it runs for real: signing, status-to-error mapping, retries (use tokio's
//! paused clock to skip their sleeps), the breaker, tracing. For tests against a server that
//! behaves like OCI (signature checks, lifecycle states, faults), use the `oci-emulator` crate.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use tower::Service;

use crate::auth::{ApiKeyCredentials, Credentials, IdentityFuture, PrivateKey};
use crate::{Body, Client, ClientBuilder, Endpoint, Error};

/// One request the mock received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// Method.
    pub method: http::Method,
    /// Full URI, as sent.
    pub uri: http::Uri,
    /// Headers, as sent (the `authorization` value is marked sensitive).
    pub headers: http::HeaderMap,
    /// The body, read to the end.
    pub body: Bytes,
}

enum Answer {
    Response(http::Response<Body>),
    Error(Error),
}

#[derive(Default)]
struct State {
    answers: VecDeque<Answer>,
    seen: Vec<RecordedRequest>,
}

/// A transport that answers from a queue and records every request it receives.
///
/// Clones share the queue and the record. When the queue is empty the mock answers with a
/// transport error naming the request, so a test that sends more than it scripted fails clearly.
#[derive(Clone, Default)]
pub struct MockTransport {
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.lock();
        f.debug_struct("MockTransport")
            .field("queued", &s.answers.len())
            .field("received", &s.seen.len())
            .finish()
    }
}

impl MockTransport {
    /// An empty mock.
    pub fn new() -> Self {
        MockTransport::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a response.
    pub fn push(&self, response: http::Response<Body>) -> &Self {
        self.lock().answers.push_back(Answer::Response(response));
        self
    }

    /// Queues a response with `status`, the given headers, and a body.
    pub fn push_with(&self, status: u16, headers: &[(&str, &str)], body: impl Into<Body>) -> &Self {
        let mut response = http::Response::new(body.into());
        *response.status_mut() =
            http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in headers {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_str(value),
            ) {
                response.headers_mut().append(name, value);
            }
        }
        self.push(response)
    }

    /// Queues a JSON response (an OCI error body for a non-2xx status, e.g.
    /// `{"code":"NotAuthorizedOrNotFound","message":"..."}`).
    pub fn push_json(&self, status: u16, json: impl Into<String>) -> &Self {
        self.push_with(
            status,
            &[("content-type", "application/json")],
            Body::from(json.into()),
        )
    }

    /// Queues a transport-level failure (e.g. `Error::transport(...)` for a reset connection).
    pub fn push_error(&self, error: Error) -> &Self {
        self.lock().answers.push_back(Answer::Error(error));
        self
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().seen.clone()
    }

    /// How many scripted answers are still queued.
    pub fn remaining(&self) -> usize {
        self.lock().answers.len()
    }

    /// A client builder with this transport, [`credentials`] and the endpoint
    /// `http://127.0.0.1:1`: add layers or policies, then `build()`.
    pub fn client_builder(&self) -> ClientBuilder {
        let endpoint = Endpoint::parse("http://127.0.0.1:1");
        let builder = Client::builder()
            .credentials(credentials())
            .transport(self.clone());
        match endpoint {
            Ok(e) => builder.endpoint(e),
            Err(_) => builder,
        }
    }

    /// A client with this transport and the default stack.
    pub fn client(&self) -> Result<Client, Error> {
        self.client_builder().build()
    }
}

impl Service<http::Request<Body>> for MockTransport {
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let state = self.state.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let body = body.collect().await?;
            let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
            let answer = s.answers.pop_front();
            let target = format!("{} {}", parts.method, parts.uri);
            s.seen.push(RecordedRequest {
                method: parts.method,
                uri: parts.uri,
                headers: parts.headers,
                body,
            });
            match answer {
                Some(Answer::Response(r)) => Ok(r),
                Some(Answer::Error(e)) => Err(e),
                None => Err(Error::transport(format!(
                    "MockTransport: no response queued for {target}"
                ))),
            }
        })
    }
}

/// Throwaway API-key credentials for tests: a fresh RSA-2048 key made once per process (never
/// a real key), with tenancy `ocid1.tenancy.oc1..test` and user `ocid1.user.oc1..test`.
///
/// ```
/// let creds = oci_core::testing::credentials();
/// assert!(creds.key_id()?.starts_with("ocid1.tenancy.oc1..test/"));
/// # Ok::<(), oci_core::Error>(())
/// ```
pub fn credentials() -> Arc<dyn Credentials> {
    static CREDS: OnceLock<Result<Arc<ApiKeyCredentials>, String>> = OnceLock::new();
    let made = CREDS.get_or_init(|| {
        let key =
            rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).map_err(|e| e.to_string())?;
        let key = PrivateKey::from_rsa(key).map_err(|e| e.to_string())?;
        Ok(Arc::new(ApiKeyCredentials::new(
            "ocid1.tenancy.oc1..test",
            "ocid1.user.oc1..test",
            "11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff",
            key,
        )))
    });
    match made {
        Ok(c) => c.clone(),
        // Key generation does not fail in practice; if it ever did, signing fails loudly.
        Err(why) => Arc::new(Unusable(why.clone())),
    }
}

#[derive(Debug)]
struct Unusable(String);

impl Credentials for Unusable {
    fn identity(&self) -> IdentityFuture<'_> {
        IdentityFuture::ready(Err(Error::credentials(format!(
            "test key generation failed: {}",
            self.0
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::retry::RetryPolicy;

    fn get() -> http::Request<Body> {
        http::Request::get("http://127.0.0.1:1/x")
            .body(Body::from("payload"))
            .unwrap()
    }

    #[tokio::test]
    async fn answers_in_order_records_bodies_and_fails_clearly_when_empty() {
        let mock = MockTransport::new();
        mock.push_json(
            404,
            r#"{"code":"NotAuthorizedOrNotFound","message":"gone"}"#,
        )
        .push_error(Error::transport("connection reset"));
        let client = mock
            .client_builder()
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();

        let err = client.call(get()).await.unwrap_err();
        assert_eq!(err.code(), Some("NotAuthorizedOrNotFound"));
        let err = client.call(get()).await.unwrap_err();
        assert!(err.is_transport());
        let err = client.call(get()).await.unwrap_err();
        assert!(
            err.message().contains("no response queued for GET"),
            "{err}"
        );

        let seen = mock.requests();
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].body, Bytes::from_static(b"payload"));
        assert_eq!(mock.remaining(), 0);
    }
}
