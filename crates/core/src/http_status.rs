//! What an [`Error`] answers to the caller of a service that proxies OCI.
//!
//! ```
//! use http::StatusCode;
//! use oci_core::Error;
//!
//! // OCI refused *our* credentials: the caller gets a 502, never a 401 of its own.
//! let refused = Error::service(StatusCode::UNAUTHORIZED, Some("NotAuthenticated".into()),
//!     "The required information to complete authentication was not provided.".into(), None);
//! assert_eq!(refused.http_status(), StatusCode::BAD_GATEWAY);
//!
//! // The caller asked for something that does not exist: its own 404.
//! let missing = Error::service(StatusCode::NOT_FOUND, Some("ObjectNotFound".into()),
//!     "The object 'a.txt' was not found".into(), Some("R1".into()));
//! let answer = missing.http_answer();
//! assert_eq!(answer.status(), StatusCode::NOT_FOUND);
//! assert_eq!(answer.code(), "ObjectNotFound");
//! assert_eq!(answer.opc_request_id(), Some("R1"));
//! ```
//!
//! A service built on oci-tower talks to two parties: its own callers, and OCI. When a call to
//! OCI fails, the caller should learn whether *it* did something wrong (a name that does not
//! exist, an etag that no longer matches: a 4xx it can act on) or whether the service's upstream
//! failed (a 5xx: retry later, page the operator). [`Error::http_status`] draws that line once,
//! for everyone; [`Error::http_answer`] adds a JSON body and `Retry-After`.
//!
//! | The error | Status | Body `code` / `message` |
//! |---|---|---|
//! | OCI 400 (bad parameter), 413 (too large), 416 (bad range), 422 | the same | OCI's |
//! | OCI 404 | 404 | OCI's |
//! | OCI 409 (conflict, `IncorrectState`, already exists) | 409 | OCI's |
//! | OCI 412 (`if-match` / `if-none-match` failed) | 412 | OCI's |
//! | OCI 304 (a conditional read the SDK left an error, e.g. `GetBucket`) | 304 | none (empty body) |
//! | OCI 401, 403: OCI refused *the service's* credentials | 502 | `UpstreamAuthFailed` / generic |
//! | OCI 429 (throttled) | 503 + `Retry-After` when known | `UpstreamThrottled` / generic |
//! | OCI 503 | 503 + `Retry-After` when known | `UpstreamUnavailable` / generic |
//! | OCI 504 | 504 | `UpstreamTimeout` / generic |
//! | OCI 500, 502, 501 and any other status | 502 | `UpstreamError` / generic |
//! | [`ErrorKind::Timeout`] (connect, attempt, operation, body stalls) | 504 | `UpstreamTimeout` / generic |
//! | [`ErrorKind::Transport`] (refused, reset, TLS) | 502 | `UpstreamUnreachable` / generic |
//! | [`ErrorKind::CircuitOpen`] | 503 + `Retry-After` (time until a probe) | `UpstreamUnavailable` / generic |
//! | [`ErrorKind::Deserialize`], [`ErrorKind::Body`] (OCI's answer broke off or did not parse) | 502 | `UpstreamError` / generic |
//! | [`ErrorKind::Auth`] (a credentials provider could not get a token) | 502 | `UpstreamAuthFailed` / generic |
//! | [`ErrorKind::RequestBody`] (the caller's own upload stream failed) | 400 | `RequestBodyFailed` / generic |
//! | [`ErrorKind::InvalidRequest`] (rejected before any I/O, e.g. an empty object name) | 400 | `InvalidParameter` / ours |
//! | [`ErrorKind::Config`], [`ErrorKind::Credentials`], [`ErrorKind::Signing`], [`ErrorKind::Other`] | 500 | `InternalServerError` / generic |
//!
//! "Generic" messages say what class of failure it was and nothing else: an upstream fault's own
//! text (a host name, a file path, a reason a key did not load) is for the service's logs, not
//! its callers. The caller's own problems keep OCI's code and message, which are about the
//! caller's request. The `opc-request-id` is kept in every case: it is what Oracle support asks
//! for, and it reveals nothing. No answer ever holds a header or a secret of the request.

use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;

use crate::{Error, ErrorKind};

/// The HTTP answer for an [`Error`]: status, `code`, `message`, `opcRequestId`, `Retry-After`.
///
/// ```
/// use http::StatusCode;
/// use oci_core::Error;
///
/// let throttled = Error::service(StatusCode::TOO_MANY_REQUESTS, Some("TooManyRequests".into()),
///     "slow down".into(), Some("R7".into()));
/// let answer = throttled.http_answer();
/// assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
/// let response: http::Response<bytes::Bytes> = answer.into_response();
/// assert_eq!(response.headers()["content-type"], "application/json");
/// let body: serde_json::Value = serde_json::from_slice(response.body())?;
/// assert_eq!(body["code"], "UpstreamThrottled");
/// assert_eq!(body["opcRequestId"], "R7");
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// Made by [`Error::http_answer`]; see the [module docs](self) for the table it follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    status: StatusCode,
    code: String,
    message: String,
    opc_request_id: Option<String>,
    retry_after: Option<Duration>,
}

/// The JSON body of an [`HttpAnswer`].
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct AnswerBody<'a> {
    code: &'a str,
    message: &'a str,
    opc_request_id: Option<&'a str>,
}

impl HttpAnswer {
    /// The status to answer with.
    pub fn status(&self) -> StatusCode {
        self.status
    }
    /// The body's `code`: OCI's for the caller's own problems, ours (e.g. `UpstreamThrottled`)
    /// for upstream faults.
    pub fn code(&self) -> &str {
        &self.code
    }
    /// The body's `message`; never an upstream fault's own text.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// OCI's `opc-request-id`, when there was one.
    pub fn opc_request_id(&self) -> Option<&str> {
        self.opc_request_id.as_deref()
    }
    /// How long the caller should wait before retrying (for 503s), when known.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The JSON body `{"code", "message", "opcRequestId"}` (empty for a 304).
    pub fn body_json(&self) -> Bytes {
        if self.status == StatusCode::NOT_MODIFIED {
            return Bytes::new();
        }
        let body = AnswerBody {
            code: &self.code,
            message: &self.message,
            opc_request_id: self.opc_request_id.as_deref(),
        };
        // Serializing three strings cannot fail; an empty body would still be a valid answer.
        serde_json::to_vec(&body)
            .map(Bytes::from)
            .unwrap_or_default()
    }

    /// The whole answer as an `http::Response`, for any body type made from [`Bytes`]: the
    /// status, `content-type: application/json`, `Retry-After` in whole seconds (rounded up)
    /// when known, and [`HttpAnswer::body_json`].
    pub fn into_response<B: From<Bytes>>(self) -> http::Response<B> {
        let mut response = http::Response::new(B::from(self.body_json()));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        if self.status != StatusCode::NOT_MODIFIED {
            headers.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
        }
        if let Some(after) = self.retry_after {
            let secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        }
        response
    }
}

/// An upstream fault: our code, a generic message.
fn upstream(status: StatusCode, code: &str, message: &str) -> (StatusCode, String, String) {
    (status, code.to_owned(), message.to_owned())
}

impl Error {
    /// The HTTP status a service that proxies OCI should answer its caller with.
    ///
    /// ```
    /// use http::StatusCode;
    /// use oci_core::{Error, TimeoutScope};
    ///
    /// let timeout = Error::timeout(TimeoutScope::Attempt, None);
    /// assert_eq!(timeout.http_status(), StatusCode::GATEWAY_TIMEOUT);
    /// ```
    ///
    /// Upstream faults are 502, 503 or 504; the caller's own problems keep OCI's 4xx. The
    /// [`http_status`](self) module documents the whole table.
    pub fn http_status(&self) -> StatusCode {
        self.http_parts().0
    }

    /// The whole HTTP answer for this error: status, JSON body and `Retry-After`.
    ///
    /// ```
    /// use http::StatusCode;
    /// use oci_core::Error;
    ///
    /// let conflict = Error::service(StatusCode::CONFLICT, Some("BucketAlreadyExists".into()),
    ///     "Either the bucket 'b' already exists or you are not authorized".into(), None);
    /// let answer = conflict.http_answer();
    /// assert_eq!((answer.status(), answer.code()), (StatusCode::CONFLICT, "BucketAlreadyExists"));
    /// ```
    ///
    /// See the [`http_status`](self) module for the table and what the message may say.
    pub fn http_answer(&self) -> HttpAnswer {
        let (status, code, message) = self.http_parts();
        let retry_after = if status == StatusCode::SERVICE_UNAVAILABLE {
            self.retry_after()
        } else {
            None
        };
        HttpAnswer {
            status,
            code,
            message,
            opc_request_id: self.opc_request_id().map(str::to_owned),
            retry_after,
        }
    }

    fn http_parts(&self) -> (StatusCode, String, String) {
        match self.kind() {
            ErrorKind::Service => self.service_parts(),
            ErrorKind::Timeout => upstream(
                StatusCode::GATEWAY_TIMEOUT,
                "UpstreamTimeout",
                "the upstream service did not answer in time",
            ),
            ErrorKind::Transport => upstream(
                StatusCode::BAD_GATEWAY,
                "UpstreamUnreachable",
                "the upstream service could not be reached",
            ),
            ErrorKind::CircuitOpen => upstream(
                StatusCode::SERVICE_UNAVAILABLE,
                "UpstreamUnavailable",
                "the upstream service is unavailable; try again later",
            ),
            ErrorKind::Deserialize | ErrorKind::Body => upstream(
                StatusCode::BAD_GATEWAY,
                "UpstreamError",
                "the upstream service's answer was broken off or unreadable",
            ),
            // A credentials provider (instance metadata, federation...) could not get a token:
            // the service's own credentials failing upstream, as OCI's 401 is.
            ErrorKind::Auth => upstream(
                StatusCode::BAD_GATEWAY,
                "UpstreamAuthFailed",
                "the upstream service refused this service's credentials",
            ),
            // The caller's own upload stream failed (it went away mid-body, say).
            ErrorKind::RequestBody => upstream(
                StatusCode::BAD_REQUEST,
                "RequestBodyFailed",
                "the request body could not be read to its end",
            ),
            ErrorKind::InvalidRequest => (
                StatusCode::BAD_REQUEST,
                "InvalidParameter".to_owned(),
                self.message().to_owned(),
            ),
            // Config, Credentials, Signing, Other, and kinds added later: the service's own
            // fault, whose details are for its logs.
            _ => upstream(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerError",
                "internal error",
            ),
        }
    }

    fn service_parts(&self) -> (StatusCode, String, String) {
        let Some(status) = self.status() else {
            return upstream(StatusCode::BAD_GATEWAY, "UpstreamError", "upstream error");
        };
        match status.as_u16() {
            304 => (status, String::new(), String::new()),
            400 | 404 | 409 | 412 | 413 | 416 | 422 => {
                let code = self.code().or(status.canonical_reason()).unwrap_or("Error");
                (status, code.to_owned(), self.message().to_owned())
            }
            401 | 403 => upstream(
                StatusCode::BAD_GATEWAY,
                "UpstreamAuthFailed",
                "the upstream service refused this service's credentials",
            ),
            429 => upstream(
                StatusCode::SERVICE_UNAVAILABLE,
                "UpstreamThrottled",
                "the upstream service is throttling requests; try again later",
            ),
            503 => upstream(
                StatusCode::SERVICE_UNAVAILABLE,
                "UpstreamUnavailable",
                "the upstream service is unavailable; try again later",
            ),
            504 => upstream(
                StatusCode::GATEWAY_TIMEOUT,
                "UpstreamTimeout",
                "the upstream service did not answer in time",
            ),
            _ => upstream(
                StatusCode::BAD_GATEWAY,
                "UpstreamError",
                "the upstream service failed",
            ),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "http_status_tests.rs"]
mod tests;
