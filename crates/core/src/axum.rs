//! `IntoResponse` for [`Error`] (feature `axum`): a handler returns `Result<_, oci_core::Error>`
//! and every failure answers as the [`http_status`](crate::http_status) table says.
//!
//! ```
//! use axum_core::response::IntoResponse;
//! use http::StatusCode;
//!
//! // OCI throttled us: the caller sees a 503 with Retry-After, not OCI's 429.
//! let throttled = oci_core::Error::service(StatusCode::TOO_MANY_REQUESTS,
//!     Some("TooManyRequests".into()), "slow down".into(), None)
//!     .with_retry_after(Some(std::time::Duration::from_secs(3)));
//! let response = throttled.into_response();
//! assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
//! assert_eq!(response.headers()["retry-after"], "3");
//! ```

use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};

use crate::http_status::HttpAnswer;
use crate::Error;

impl IntoResponse for Error {
    /// [`Error::http_answer`] as a response: the mapped status, `Retry-After` when known and the
    /// JSON body `{code, message, opcRequestId}`.
    fn into_response(self) -> Response {
        self.http_answer().into_response()
    }
}

impl IntoResponse for HttpAnswer {
    /// The answer's status, `Retry-After` and JSON body.
    fn into_response(self) -> Response {
        HttpAnswer::into_response::<Body>(self)
    }
}
