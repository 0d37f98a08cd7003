//! The one classifier of call outcomes, shared by retry, the circuit breaker and trace.

use std::fmt;
use std::sync::Arc;

use http::StatusCode;

use crate::{Body, Error, ErrorKind, TimeoutScope};

/// What an attempt's outcome means for retrying and for the circuit breaker.
///
/// ```
/// use oci_core::layers::classify::{Class, Classify, OciClassifier};
/// use oci_core::Error;
/// use http::StatusCode;
///
/// let err = Error::service(StatusCode::TOO_MANY_REQUESTS, None, "slow down".into(), None);
/// assert_eq!(OciClassifier.classify(Err(&err)), Class::Throttled);
/// assert!(Class::Throttled.is_retryable());
/// assert!(!Class::ClientError.is_retryable());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Class {
    /// A 2xx response.
    Success,
    /// HTTP 429: retried, and a failure for the breaker.
    Throttled,
    /// A 5xx other than 501, a 409 `IncorrectState`/`LockConflict`, a transport error or an
    /// attempt/connect/body-stall timeout: retried, and a failure for the breaker.
    Transient,
    /// Any other 4xx: never retried; the host is healthy, so a success for the breaker.
    ClientError,
    /// HTTP 401: never retried; a success for the breaker.
    Auth,
    /// Anything else that must not be retried: 501, an open circuit, an operation timeout, a
    /// signing or invalid-request error, an error from a user's layer.
    Fatal,
    /// The caller's side failed, not the host: the request body stream failed or stopped
    /// producing data ([`ErrorKind::RequestBody`]). Never retried, and the circuit breaker does
    /// not count it at all (as for a call the caller dropped), so no caller can trip a breaker
    /// shared with others.
    Caller,
}

impl Class {
    /// Whether the retry layer may try again.
    pub fn is_retryable(self) -> bool {
        matches!(self, Class::Throttled | Class::Transient)
    }

    /// Whether the circuit breaker counts this outcome as a failure of the host.
    pub fn is_breaker_failure(self) -> bool {
        matches!(self, Class::Throttled | Class::Transient)
    }

    /// What the circuit breaker records: `Some(true)` a failure of the host, `Some(false)` a
    /// healthy answer, `None` nothing at all ([`Class::Caller`]: the host's health is unknown).
    ///
    /// ```
    /// use oci_core::layers::classify::Class;
    /// assert_eq!(Class::Transient.breaker_outcome(), Some(true));
    /// assert_eq!(Class::ClientError.breaker_outcome(), Some(false));
    /// assert_eq!(Class::Caller.breaker_outcome(), None);
    /// ```
    pub fn breaker_outcome(self) -> Option<bool> {
        match self {
            Class::Caller => None,
            c => Some(c.is_breaker_failure()),
        }
    }

    /// A short lowercase name for traces and notes: `success`, `throttled`, `transient`,
    /// `client_error`, `auth`, `fatal`, `caller`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Success => "success",
            Class::Throttled => "throttled",
            Class::Transient => "transient",
            Class::ClientError => "client_error",
            Class::Auth => "auth",
            Class::Fatal => "fatal",
            Class::Caller => "caller",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Classifies the outcome of one attempt.
///
/// ```
/// use oci_core::layers::classify::{Class, Classify, OciClassifier};
/// use oci_core::{Body, Error};
///
/// /// Treats 404 as transient (e.g. just after creating a resource), else defers to OCI's rules.
/// #[derive(Debug)]
/// struct EventuallyConsistent;
///
/// impl Classify for EventuallyConsistent {
///     fn classify(&self, outcome: Result<&http::Response<Body>, &Error>) -> Class {
///         match outcome {
///             Err(e) if e.is_not_found() => Class::Transient,
///             other => OciClassifier.classify(other),
///         }
///     }
/// }
///
/// let err = Error::service(http::StatusCode::NOT_FOUND, None, "not yet".into(), None);
/// assert_eq!(EventuallyConsistent.classify(Err(&err)), Class::Transient);
/// ```
///
/// The stack's [`StatusErrorLayer`](crate::layers::StatusErrorLayer) turns every non-2xx
/// response into an [`Error`], so in the default stack `Ok` is always a 2xx; a classifier used
/// elsewhere should still look at the status of an `Ok` response.
pub trait Classify: Send + Sync + fmt::Debug + 'static {
    /// The class of one attempt's outcome.
    fn classify(&self, outcome: Result<&http::Response<Body>, &Error>) -> Class;
}

impl<C: Classify + ?Sized> Classify for Arc<C> {
    fn classify(&self, outcome: Result<&http::Response<Body>, &Error>) -> Class {
        (**self).classify(outcome)
    }
}

/// A shared, type-erased classifier, as the layers hold it.
pub type SharedClassifier = Arc<dyn Classify>;

/// OCI's rules, as the official SDKs apply them (reference D.1, D.2).
///
/// ```
/// use oci_core::layers::classify::{Class, Classify, OciClassifier};
/// use oci_core::Error;
/// use http::StatusCode;
///
/// let conflict = Error::service(StatusCode::CONFLICT, Some("IncorrectState".into()), "busy".into(), None);
/// assert_eq!(OciClassifier.classify(Err(&conflict)), Class::Transient);
/// let exists = Error::service(StatusCode::CONFLICT, Some("AlreadyExists".into()), "no".into(), None);
/// assert_eq!(OciClassifier.classify(Err(&exists)), Class::ClientError);
/// let not_implemented = Error::service(StatusCode::NOT_IMPLEMENTED, None, "no".into(), None);
/// assert_eq!(OciClassifier.classify(Err(&not_implemented)), Class::Fatal);
/// ```
///
/// - 2xx: [`Class::Success`].
/// - 429 (any code): [`Class::Throttled`].
/// - 5xx except 501, and 409 with code `IncorrectState` or `LockConflict`: [`Class::Transient`].
/// - Transport errors (connect, reset, TLS, a response body cut short or stalled while read
///   inside the attempt) and connect, attempt, body-stall and request-body-stall timeouts:
///   [`Class::Transient`].
/// - A request body that failed on the caller's side ([`ErrorKind::RequestBody`]):
///   [`Class::Caller`].
/// - 401: [`Class::Auth`]; any other 4xx (and 3xx): [`Class::ClientError`].
/// - 501, an open circuit, an operation timeout and every other error: [`Class::Fatal`].
#[derive(Debug, Clone, Copy, Default)]
pub struct OciClassifier;

impl OciClassifier {
    fn classify_status(status: StatusCode, code: Option<&str>) -> Class {
        match status.as_u16() {
            200..=299 => Class::Success,
            429 => Class::Throttled,
            401 => Class::Auth,
            409 if matches!(code, Some("IncorrectState" | "LockConflict")) => Class::Transient,
            501 => Class::Fatal,
            500..=599 => Class::Transient,
            _ => Class::ClientError,
        }
    }
}

impl Classify for OciClassifier {
    fn classify(&self, outcome: Result<&http::Response<Body>, &Error>) -> Class {
        match outcome {
            Ok(resp) => Self::classify_status(resp.status(), None),
            Err(e) => match e.kind() {
                ErrorKind::Service => match e.status() {
                    Some(s) => Self::classify_status(s, e.code()),
                    None => Class::Fatal,
                },
                ErrorKind::Transport => Class::Transient,
                ErrorKind::RequestBody => Class::Caller,
                ErrorKind::Timeout => match e.timeout_scope() {
                    Some(TimeoutScope::Operation) | None => Class::Fatal,
                    Some(_) => Class::Transient,
                },
                _ => Class::Fatal,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn svc(status: u16, code: Option<&str>) -> Class {
        let s = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let e = Error::service(s, code.map(str::to_owned), "m".into(), None);
        OciClassifier.classify(Err(&e))
    }

    #[test]
    fn statuses_are_classified_as_oci_does() {
        assert_eq!(svc(429, None), Class::Throttled);
        assert_eq!(svc(429, Some("TooManyRequests")), Class::Throttled);
        for s in [500, 502, 503, 504, 505, 599] {
            assert_eq!(svc(s, None), Class::Transient, "{s}");
        }
        assert_eq!(svc(501, None), Class::Fatal);
        assert_eq!(svc(409, Some("IncorrectState")), Class::Transient);
        assert_eq!(svc(409, Some("LockConflict")), Class::Transient);
        assert_eq!(svc(409, Some("Conflict")), Class::ClientError);
        assert_eq!(svc(409, None), Class::ClientError);
        for s in [400, 403, 404, 412] {
            assert_eq!(svc(s, None), Class::ClientError, "{s}");
        }
        assert_eq!(svc(401, None), Class::Auth);
    }

    #[test]
    fn transport_and_timeouts() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(
            OciClassifier.classify(Err(&Error::transport(io))),
            Class::Transient
        );
        for scope in [
            TimeoutScope::Connect,
            TimeoutScope::Attempt,
            TimeoutScope::BodyStall,
            TimeoutScope::RequestBodyStall,
        ] {
            let e = Error::timeout(scope, Some(Duration::from_secs(1)));
            assert_eq!(OciClassifier.classify(Err(&e)), Class::Transient);
        }
        let op = Error::timeout(TimeoutScope::Operation, None);
        assert_eq!(OciClassifier.classify(Err(&op)), Class::Fatal);
        let open = Error::circuit_open("h", None);
        assert_eq!(OciClassifier.classify(Err(&open)), Class::Fatal);
        assert_eq!(
            OciClassifier.classify(Err(&Error::signing("x"))),
            Class::Fatal
        );
    }

    #[test]
    fn a_failed_request_body_is_the_callers_and_never_counts() {
        let gone = std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "client gone");
        let class = OciClassifier.classify(Err(&Error::request_body(gone)));
        assert_eq!(class, Class::Caller);
        assert!(!class.is_retryable());
        assert!(!class.is_breaker_failure());
        assert_eq!(class.breaker_outcome(), None);
    }

    #[test]
    fn ok_responses_use_their_status() {
        let ok = http::Response::new(Body::empty());
        assert_eq!(OciClassifier.classify(Ok(&ok)), Class::Success);
        let mut bad = http::Response::new(Body::empty());
        *bad.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        assert_eq!(OciClassifier.classify(Ok(&bad)), Class::Transient);
    }
}
