//! The small HTTP client token providers use: one transport, a timeout, retries and a breaker.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use http_body_util::{BodyExt, Limited};
use tower::util::BoxCloneSyncService;
use tower::ServiceExt;

use crate::transport::HttpTransport;
use crate::{Body, Error};

/// The transport a token provider sends its requests through: any
/// `Service<http::Request<Body>>`, so tests can point it at a local server or a mock.
pub type TokenTransport = BoxCloneSyncService<http::Request<Body>, http::Response<Body>, Error>;

/// Boxes any service into a [`TokenTransport`].
pub(crate) fn boxed(svc: impl crate::stack::StackService) -> TokenTransport {
    svc.into_stack()
}

/// The default transport (hyper-util + rustls, Mozilla roots), 10 s connect timeout.
pub(crate) fn default_transport() -> Result<TokenTransport, Error> {
    Ok(boxed(HttpTransport::new(Duration::from_secs(10))?))
}

/// Token bodies are tiny; anything larger is refused.
const MAX_BODY: usize = 1 << 20;

/// An answer: status, headers and the whole body.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn request_id(&self) -> Option<String> {
        self.headers
            .get("opc-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// Sends one request with a deadline (up to the end of the body) and reads the body.
pub(crate) async fn send(
    transport: &TokenTransport,
    req: http::Request<Body>,
    timeout: Duration,
) -> Result<Reply, Error> {
    let fut = async {
        let resp = transport.clone().oneshot(req).await?;
        let (parts, body) = resp.into_parts();
        let body = Limited::new(body, MAX_BODY)
            .collect()
            .await
            .map_err(Error::body)?
            .to_bytes();
        Ok(Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    };
    tokio::time::timeout(timeout, fut)
        .await
        .unwrap_or_else(|_| Err(Error::timeout(crate::TimeoutScope::Attempt, Some(timeout))))
}

/// How a token client retries: attempts, the first backoff (doubled each time, capped at 30 s),
/// the total-time cap, and which statuses are retried.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retry {
    pub attempts: u32,
    pub first_backoff: Duration,
    pub total: Duration,
    pub retry_404: bool,
    pub retry_429: bool,
}

impl Retry {
    /// Federation (A.10.7): 3 attempts, 1 s / 2 s backoff, 5xx except 501, timeouts, connection errors.
    pub const FEDERATION: Retry = Retry {
        attempts: 3,
        first_backoff: Duration::from_secs(1),
        total: Duration::from_secs(100),
        retry_404: false,
        retry_429: false,
    };
    /// IMDS (A.10.2): 8 attempts in at most 180 s; also 404 and 429.
    pub const IMDS: Retry = Retry {
        attempts: 8,
        first_backoff: Duration::from_secs(1),
        total: Duration::from_secs(180),
        retry_404: true,
        retry_429: true,
    };
    /// The SDK default (D.1) for the OKE proxymux: 8 attempts within 600 s; 429, 5xx but 501.
    pub const DEFAULT: Retry = Retry {
        attempts: 8,
        first_backoff: Duration::from_secs(1),
        total: Duration::from_secs(600),
        retry_404: false,
        retry_429: true,
    };

    fn retries_status(&self, s: StatusCode) -> bool {
        (s.is_server_error() && s != StatusCode::NOT_IMPLEMENTED)
            || (self.retry_404 && s == StatusCode::NOT_FOUND)
            || (self.retry_429 && s == StatusCode::TOO_MANY_REQUESTS)
    }
}

/// Whether an error of a sent request is worth another attempt.
fn retries_error(e: &Error) -> bool {
    e.is_transport() || e.is_timeout()
}

/// A small circuit breaker for a token endpoint: `threshold` consecutive failures open it for a
/// random 30–49 s (A.10.7); while open, calls fail fast.
#[derive(Clone)]
pub(crate) struct Breaker {
    state: Arc<Mutex<BreakerState>>,
    threshold: u32,
    enabled: bool,
}

#[derive(Default)]
struct BreakerState {
    failures: u32,
    open_until: Option<tokio::time::Instant>,
}

impl fmt::Debug for Breaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f.debug_struct("Breaker")
            .field("enabled", &self.enabled)
            .field("failures", &s.failures)
            .field("open", &s.open_until.is_some())
            .finish()
    }
}

impl Breaker {
    /// Threshold 3; disabled when `OCI_SDK_AUTH_CLIENT_CIRCUIT_BREAKER_ENABLED=false`.
    pub fn federation() -> Breaker {
        let enabled = std::env::var("OCI_SDK_AUTH_CLIENT_CIRCUIT_BREAKER_ENABLED")
            .map(|v| !v.eq_ignore_ascii_case("false"))
            .unwrap_or(true);
        Breaker {
            state: Arc::default(),
            threshold: 3,
            enabled,
        }
    }

    /// No breaker.
    pub fn off() -> Breaker {
        Breaker {
            state: Arc::default(),
            threshold: u32::MAX,
            enabled: false,
        }
    }

    fn check(&self) -> Result<(), Duration> {
        if !self.enabled {
            return Ok(());
        }
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match s.open_until {
            Some(t) if tokio::time::Instant::now() < t => Err(t - tokio::time::Instant::now()),
            Some(_) => {
                // Half-open: let this call probe; one more failure re-opens at once.
                s.open_until = None;
                s.failures = self.threshold.saturating_sub(1);
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn record(&self, ok: bool) {
        if !self.enabled {
            return;
        }
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if ok {
            s.failures = 0;
            return;
        }
        s.failures += 1;
        if s.failures >= self.threshold {
            let secs = 30 + rand::random::<u64>() % 20;
            s.open_until = Some(tokio::time::Instant::now() + Duration::from_secs(secs));
        }
    }
}

/// Sends `make()` with retries and the breaker; returns the last reply (which may be an error
/// status: the caller decides) or the last error. `provider` and `endpoint` name the failure.
pub(crate) async fn send_with_retry(
    transport: &TokenTransport,
    make: &(dyn Fn() -> Result<http::Request<Body>, Error> + Send + Sync),
    retry: Retry,
    breaker: &Breaker,
    timeout: Duration,
    provider: &str,
    endpoint: &str,
) -> Result<Reply, Error> {
    let start = tokio::time::Instant::now();
    let mut backoff = retry.first_backoff;
    let mut attempt = 0;
    loop {
        attempt += 1;
        if let Err(left) = breaker.check() {
            return Err(Error::auth(
                provider,
                endpoint,
                format!(
                    "the token endpoint's circuit breaker is open ({} s left) after repeated failures",
                    left.as_secs()
                ),
            ));
        }
        // An attempt never runs past the total-time cap.
        let left = retry
            .total
            .saturating_sub(start.elapsed())
            .max(Duration::from_millis(1));
        let result = send(transport, make()?, timeout.min(left)).await;
        let retryable = match &result {
            Ok(r) => retry.retries_status(r.status),
            Err(e) => retries_error(e),
        };
        let server_failed = match &result {
            Ok(r) => r.status.is_server_error(),
            Err(e) => retries_error(e),
        };
        breaker.record(!server_failed);
        let out_of_time = start.elapsed() + backoff > retry.total;
        if !retryable || attempt >= retry.attempts || out_of_time {
            return match result {
                Ok(r) => Ok(r),
                Err(e) => Err(Error::auth(
                    provider,
                    endpoint,
                    format!(
                        "the token endpoint could not be reached after {attempt} attempts: {e}"
                    ),
                )
                .with_source(e)),
            };
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

/// The auth error for a non-2xx answer: status, the service's message and opc-request-id.
pub(crate) fn status_error(provider: &str, endpoint: &str, reply: &Reply, hint: &str) -> Error {
    let text = String::from_utf8_lossy(&reply.body[..reply.body.len().min(300)]).into_owned();
    let message = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or_default();
    let mut msg = format!("the token endpoint answered {}", reply.status.as_u16());
    if !message.is_empty() {
        msg.push_str(": ");
        msg.push_str(&message);
    }
    if !hint.is_empty() {
        msg.push_str(" (");
        msg.push_str(hint);
        msg.push(')');
    }
    Error::auth(provider, endpoint, msg)
        .with_auth_status(reply.status)
        .with_opc_request_id_if_missing(|| reply.request_id())
}
