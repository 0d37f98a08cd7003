//! OCI-shaped error responses: `{"code": ..., "message": ...}` with a status.

use http::StatusCode;
use serde::Serialize;

/// An error a handler answers with; becomes an OCI error body.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub headers: Vec<(http::HeaderName, String)>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: code.to_owned(),
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: http::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// 404 NotAuthorizedOrNotFound, as Identity answers for a missing resource.
    pub fn not_found(what: &str) -> Self {
        ApiError::new(
            404,
            "NotAuthorizedOrNotFound",
            format!("{what} not found or not authorized"),
        )
    }

    /// 400 InvalidParameter.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(400, "InvalidParameter", message)
    }

    /// 400 MissingParameter.
    pub fn missing(name: &str) -> Self {
        ApiError::new(
            400,
            "MissingParameter",
            format!("the parameter `{name}` is required"),
        )
    }

    /// 412 NoEtagMatch.
    pub fn etag_mismatch() -> Self {
        ApiError::new(
            412,
            "NoEtagMatch",
            "the if-match etag does not match the resource's current etag",
        )
    }

    /// 401 NotAuthenticated.
    pub fn not_authenticated(message: impl Into<String>) -> Self {
        ApiError::new(401, "NotAuthenticated", message)
    }

    /// The JSON body.
    pub fn body(&self) -> String {
        serde_json::to_string(&ErrorBody {
            code: &self.code,
            message: &self.message,
        })
        .unwrap_or_else(|_| "{}".to_owned())
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;
