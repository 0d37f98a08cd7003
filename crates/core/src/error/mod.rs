//! The one error type of oci-tower.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use http::StatusCode;

use crate::BoxError;

/// What went wrong, in broad classes. Use the predicates on [`Error`] for common checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service answered with a non-2xx status.
    Service,
    /// A timeout fired; [`Error::timeout_scope`] says which one.
    Timeout,
    /// The connection could not be made, or broke (reset, refused, TLS, protocol).
    Transport,
    /// The circuit breaker is open for this endpoint: the call failed fast without I/O.
    CircuitOpen,
    /// The config file or profile is missing or invalid.
    Config,
    /// A private key or credential could not be loaded or used.
    Credentials,
    /// The request could not be signed.
    Signing,
    /// A credentials provider failed to get a token (instance metadata, federation, resource
    /// principal or OKE endpoint), or a token principal was refused after one refresh. The
    /// message names the provider and the endpoint; [`Error::opc_request_id`] is the endpoint's.
    Auth,
    /// The request is invalid and was rejected before any I/O (e.g. an empty path parameter).
    InvalidRequest,
    /// A 2xx response body could not be parsed into the operation's output.
    Deserialize,
    /// Reading or writing a streamed body failed.
    Body,
    /// The request body stream failed or stopped producing data on the caller's side (e.g. the
    /// client of a service that forwards its upload went away). The call is not retried and the
    /// circuit breaker does not count it: the host is not at fault.
    RequestBody,
    /// Anything else, such as an error from a user's tower layer.
    Other,
}

/// Which timeout fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutScope {
    /// Establishing the TCP/TLS connection.
    Connect,
    /// One attempt, up to the response head.
    Attempt,
    /// The whole operation, every attempt and backoff sleep included.
    Operation,
    /// A streamed response body produced no bytes for too long.
    BodyStall,
    /// No request body bytes could be sent for too long: the server or the network stopped
    /// taking them (a caller's stream that stops producing is [`ErrorKind::RequestBody`]).
    RequestBodyStall,
}

impl fmt::Display for TimeoutScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutScope::Connect => "connect",
            TimeoutScope::Attempt => "attempt",
            TimeoutScope::Operation => "operation",
            TimeoutScope::BodyStall => "body stall",
            TimeoutScope::RequestBodyStall => "request body stall",
        })
    }
}

/// The error of every oci-tower call.
///
/// ```
/// use oci_core::{Error, ErrorKind};
/// use http::StatusCode;
///
/// let err = Error::service(StatusCode::NOT_FOUND, Some("NotAuthorizedOrNotFound".into()),
///     "Authorization failed or requested resource not found.".into(), Some("AB12".into()));
/// assert_eq!(err.kind(), ErrorKind::Service);
/// assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
/// assert_eq!(err.code(), Some("NotAuthorizedOrNotFound"));
/// assert_eq!(err.to_string(), "NotAuthorizedOrNotFound: Authorization failed or requested \
///     resource not found. (status 404, opc-request-id AB12)");
/// ```
///
/// The type is opaque: ask it with [`Error::kind`], the predicates (`is_*`) and the accessors.
/// [`std::error::Error::source`] gives the underlying cause, such as an I/O error.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    status: Option<StatusCode>,
    code: Option<String>,
    message: Cow<'static, str>,
    opc_request_id: Option<String>,
    timeout: Option<(TimeoutScope, Option<Duration>)>,
    attempts: Option<u32>,
    note: Option<Cow<'static, str>>,
    retry_after: Option<Duration>,
    source: Option<BoxError>,
}

impl Error {
    fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                status: None,
                code: None,
                message: message.into(),
                opc_request_id: None,
                timeout: None,
                attempts: None,
                note: None,
                retry_after: None,
                source: None,
            }),
        }
    }

    /// An error with the given kind and message.
    pub fn with_kind(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(kind, message)
    }

    /// A service error from a non-2xx response.
    pub fn service(
        status: StatusCode,
        code: Option<String>,
        message: String,
        opc_request_id: Option<String>,
    ) -> Self {
        let mut e = Error::new(ErrorKind::Service, message);
        e.inner.status = Some(status);
        e.inner.code = code;
        e.inner.opc_request_id = opc_request_id;
        e
    }

    /// A timeout of the given scope; `after` is the configured duration when known.
    pub fn timeout(scope: TimeoutScope, after: Option<Duration>) -> Self {
        let msg = match after {
            Some(d) => format!("{scope} timeout of {d:?} elapsed"),
            None => format!("{scope} timeout elapsed"),
        };
        let mut e = Error::new(ErrorKind::Timeout, msg);
        e.inner.timeout = Some((scope, after));
        e
    }

    /// A transport failure (connect, reset, TLS, protocol).
    pub fn transport(source: impl Into<BoxError>) -> Self {
        let source = source.into();
        Error::new(ErrorKind::Transport, format!("transport error: {source}")).with_source(source)
    }

    /// The circuit breaker is open for `host`.
    pub(crate) fn circuit_open(host: &str, remaining: Option<Duration>) -> Self {
        let msg = match remaining {
            Some(d) => format!(
                "circuit breaker open for {host} ({} ms until a probe is allowed)",
                d.as_millis()
            ),
            None => format!("circuit breaker open for {host}"),
        };
        Error::new(ErrorKind::CircuitOpen, msg).with_retry_after(remaining)
    }

    /// A config error, from a typed cause that names the file, profile and key.
    pub fn config(source: impl Into<BoxError>) -> Self {
        let source = source.into();
        Error::new(ErrorKind::Config, source.to_string()).with_source(source)
    }

    /// A credentials error (key file, passphrase, token).
    pub fn credentials(source: impl Into<BoxError>) -> Self {
        let source = source.into();
        Error::new(ErrorKind::Credentials, source.to_string()).with_source(source)
    }

    /// A credentials provider's failure: `provider` (e.g. `instance_principal`), the `endpoint`
    /// it called and what went wrong. Never put a token or key in `message`.
    ///
    /// ```
    /// let err = oci_core::Error::auth("instance_principal", "https://auth.example/v1/x509", "the token endpoint answered 500");
    /// assert!(err.is_auth());
    /// assert_eq!(err.kind(), oci_core::ErrorKind::Auth);
    /// assert!(err.to_string().contains("instance_principal"));
    /// ```
    pub fn auth(provider: &str, endpoint: &str, message: impl fmt::Display) -> Self {
        Error::new(
            ErrorKind::Auth,
            format!("{provider} credentials: {message} (endpoint {endpoint})"),
        )
    }

    /// Records the HTTP status of the endpoint that failed (for [`ErrorKind::Auth`] errors).
    pub fn with_auth_status(mut self, status: StatusCode) -> Self {
        self.inner.status = Some(status);
        self
    }

    /// A copy of a shared error (one failure handed to many waiters): same kind, status, code,
    /// message and opc-request-id; the shared error is its source.
    pub fn shared(err: std::sync::Arc<Error>) -> Self {
        let i = &err.inner;
        let mut e = Error::new(i.kind, i.message.clone());
        e.inner.status = i.status;
        e.inner.code = i.code.clone();
        e.inner.opc_request_id = i.opc_request_id.clone();
        e.inner.timeout = i.timeout;
        e.inner.note = i.note.clone();
        e.inner.source = Some(Box::new(SharedSource(err)));
        e
    }

    /// The request could not be signed.
    pub fn signing(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::Signing, message)
    }

    /// The request is invalid and was not sent.
    pub fn invalid_request(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::InvalidRequest, message)
    }

    /// A 2xx body did not parse; keeps the status and opc-request-id of the response.
    pub fn deserialize(
        source: impl Into<BoxError>,
        status: StatusCode,
        opc_request_id: Option<String>,
    ) -> Self {
        let source = source.into();
        let mut e = Error::new(
            ErrorKind::Deserialize,
            format!("could not parse the response body: {source}"),
        )
        .with_source(source);
        e.inner.status = Some(status);
        e.inner.opc_request_id = opc_request_id;
        e
    }

    /// A body stream failed.
    pub fn body(source: impl Into<BoxError>) -> Self {
        let source = source.into();
        // A body error may wrap one of ours (a stall guard, say): keep it as it is.
        match source.downcast::<Error>() {
            Ok(e) => *e,
            Err(source) => {
                Error::new(ErrorKind::Body, format!("body error: {source}")).with_source(source)
            }
        }
    }

    /// The request body stream failed on the caller's side: `source` is the body's own error,
    /// which the message names.
    ///
    /// ```
    /// use oci_core::{Error, ErrorKind};
    /// let gone = std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "client went away");
    /// let err = Error::request_body(gone);
    /// assert_eq!(err.kind(), ErrorKind::RequestBody);
    /// assert_eq!(err.to_string(), "the request body failed: client went away");
    /// ```
    pub fn request_body(source: impl Into<BoxError>) -> Self {
        let source = source.into();
        // A body error may already be one of ours (a stall detected upstream): keep it.
        match source.downcast::<Error>() {
            Ok(e) if e.kind() == ErrorKind::RequestBody => *e,
            Ok(e) => {
                let msg = format!("the request body failed: {e}");
                Error::new(ErrorKind::RequestBody, msg).with_source(e)
            }
            Err(source) => {
                let msg = format!("the request body failed: {source}");
                Error::new(ErrorKind::RequestBody, msg).with_source(source)
            }
        }
    }

    /// Converts any boxed error into an [`Error`]: ours come back unchanged, others are wrapped
    /// as [`ErrorKind::Other`] (or [`ErrorKind::Transport`] for hyper and I/O errors).
    pub fn from_boxed(err: BoxError) -> Self {
        match err.downcast::<Error>() {
            Ok(e) => *e,
            Err(err) => {
                if err.is::<std::io::Error>() || err.is::<hyper::Error>() {
                    Error::transport(err)
                } else {
                    Error::new(ErrorKind::Other, err.to_string()).with_source(err)
                }
            }
        }
    }

    /// Attaches a cause.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// Records how many attempts were made.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = Some(attempts);
        self
    }

    /// Adds a note shown after the message, such as why a call was not retried.
    pub fn with_note(mut self, note: impl Into<Cow<'static, str>>) -> Self {
        self.inner.note = Some(note.into());
        self
    }

    /// Records the server's `Retry-After`.
    #[doc(hidden)]
    pub fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.inner.retry_after = after;
        self
    }

    /// Sets the opc-request-id when the error has none (e.g. from the request that was sent).
    #[doc(hidden)]
    pub fn with_opc_request_id_if_missing(mut self, id: impl FnOnce() -> Option<String>) -> Self {
        if self.inner.opc_request_id.is_none() {
            self.inner.opc_request_id = id();
        }
        self
    }

    /// The broad class of the error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }
    /// The HTTP status, for service and deserialize errors.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }
    /// The service's error code, e.g. `NotAuthorizedOrNotFound`.
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }
    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.inner.message
    }
    /// The `opc-request-id` to quote to Oracle support.
    pub fn opc_request_id(&self) -> Option<&str> {
        self.inner.opc_request_id.as_deref()
    }
    /// How many attempts were made, when the retry layer ran.
    pub fn attempts(&self) -> Option<u32> {
        self.inner.attempts
    }
    /// The note attached by a layer, such as why no retry happened.
    pub fn note(&self) -> Option<&str> {
        self.inner.note.as_deref()
    }
    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }
    /// Which timeout fired.
    pub fn timeout_scope(&self) -> Option<TimeoutScope> {
        self.inner.timeout.map(|t| t.0)
    }

    /// A non-2xx answer from the service.
    pub fn is_service(&self) -> bool {
        self.inner.kind == ErrorKind::Service
    }
    /// Any timeout.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }
    /// HTTP 429.
    pub fn is_throttled(&self) -> bool {
        self.inner.status == Some(StatusCode::TOO_MANY_REQUESTS)
    }
    /// HTTP 401, or a credentials provider failed to get a token ([`ErrorKind::Auth`]).
    pub fn is_auth(&self) -> bool {
        self.inner.status == Some(StatusCode::UNAUTHORIZED) || self.inner.kind == ErrorKind::Auth
    }
    /// HTTP 404.
    pub fn is_not_found(&self) -> bool {
        self.inner.status == Some(StatusCode::NOT_FOUND)
    }
    /// HTTP 304 from an operation whose response has no "not modified" form (e.g. `GetBucket`
    /// with `if-none-match`); `GetObject` and `HeadObject` answer it as a success instead.
    pub fn is_not_modified(&self) -> bool {
        self.inner.status == Some(StatusCode::NOT_MODIFIED)
    }
    /// The circuit breaker refused the call.
    pub fn is_circuit_open(&self) -> bool {
        self.inner.kind == ErrorKind::CircuitOpen
    }
    /// A connection-level failure.
    pub fn is_transport(&self) -> bool {
        self.inner.kind == ErrorKind::Transport
    }
    /// A config-file problem.
    pub fn is_config(&self) -> bool {
        self.inner.kind == ErrorKind::Config
    }
    /// A key or credential problem.
    pub fn is_credentials(&self) -> bool {
        self.inner.kind == ErrorKind::Credentials
    }
    /// Rejected before any I/O.
    pub fn is_invalid_request(&self) -> bool {
        self.inner.kind == ErrorKind::InvalidRequest
    }
    /// The response body did not parse.
    pub fn is_deserialize(&self) -> bool {
        self.inner.kind == ErrorKind::Deserialize
    }
    /// The request body failed on the caller's side ([`ErrorKind::RequestBody`]).
    pub fn is_request_body(&self) -> bool {
        self.inner.kind == ErrorKind::RequestBody
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        match (&i.code, i.kind) {
            (Some(code), _) => write!(f, "{code}: {}", i.message)?,
            (None, ErrorKind::Service) => write!(f, "{}", i.message)?,
            (None, _) => f.write_str(&i.message)?,
        }
        if i.status.is_some() || i.opc_request_id.is_some() {
            f.write_str(" (")?;
            if let Some(s) = i.status {
                write!(f, "status {}", s.as_u16())?;
                if i.opc_request_id.is_some() {
                    f.write_str(", ")?;
                }
            }
            if let Some(id) = &i.opc_request_id {
                write!(f, "opc-request-id {id}")?;
            }
            f.write_str(")")?;
        }
        if let Some(n) = i.attempts {
            if n > 1 {
                write!(f, " after {n} attempts")?;
            }
        }
        if let Some(note) = &i.note {
            write!(f, "; {note}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind);
        if let Some(s) = i.status {
            d.field("status", &s.as_u16());
        }
        if let Some(c) = &i.code {
            d.field("code", c);
        }
        d.field("message", &i.message);
        if let Some(id) = &i.opc_request_id {
            d.field("opc_request_id", id);
        }
        if let Some(t) = &i.timeout {
            d.field("timeout", t);
        }
        if let Some(a) = i.attempts {
            d.field("attempts", &a);
        }
        if let Some(n) = &i.note {
            d.field("note", n);
        }
        if let Some(s) = &i.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// The source of an [`Error::shared`] copy: the shared error's own cause (the copy already
/// carries its message).
struct SharedSource(std::sync::Arc<Error>);

impl fmt::Debug for SharedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}
impl fmt::Display for SharedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}
impl std::error::Error for SharedSource {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.0)
    }
}

/// The JSON error body OCI services return.
#[derive(serde::Deserialize)]
struct ErrorBody {
    code: Option<String>,
    message: Option<String>,
}

/// Builds a service [`Error`] from a non-2xx response's parts and body.
///
/// A JSON `{code, message}` body gives the code and message; any other body is kept whole as the
/// message, so nothing the service said is lost.
#[doc(hidden)] // parsing of error bodies; public for the fuzz tests, not a stable API
pub fn service_error_from_parts(parts: &http::response::Parts, body: &[u8]) -> Error {
    let request_id = parts
        .headers
        .get("opc-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let retry_after = retry_after(&parts.headers);
    let (code, message) = match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody { code, message }) if code.is_some() || message.is_some() => {
            (code, message.unwrap_or_default())
        }
        _ => {
            let text = String::from_utf8_lossy(body).into_owned();
            let text = if text.is_empty() {
                parts
                    .status
                    .canonical_reason()
                    .unwrap_or("no message")
                    .to_owned()
            } else {
                text
            };
            (None, text)
        }
    };
    Error::service(parts.status, code, message, request_id).with_retry_after(retry_after)
}

/// `Retry-After` as seconds, or as an HTTP-date taken against the response's own `Date` (the
/// server's clock, so our clock's skew does not matter; without a `Date` the date is ignored).
/// A date in the past is zero.
fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let now = headers
        .get(http::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v.trim()).ok())?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests;
