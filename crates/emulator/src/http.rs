//! Response helpers and request-header readers shared by every service.

use std::collections::HashMap;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use http_body_util::BodyExt;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};

/// The response body type of the server.
pub(crate) type RespBody = http_body_util::combinators::UnsyncBoxBody<Bytes, std::io::Error>;

/// The result of a handler: a response, or an OCI error.
pub(crate) type Reply = ApiResult<Response<RespBody>>;

/// A full body, boxed.
pub(crate) fn full(bytes: impl Into<Bytes>) -> RespBody {
    http_body_util::Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// An empty body.
pub(crate) fn empty() -> RespBody {
    full(Bytes::new())
}

/// A response builder with a status.
pub(crate) fn response(status: u16) -> http::response::Builder {
    Response::builder().status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
}

/// A JSON response.
pub(crate) fn json<T: Serialize>(status: u16, value: &T) -> Reply {
    let body = serde_json::to_vec(value)
        .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))?;
    finish(
        response(status).header(http::header::CONTENT_TYPE, "application/json"),
        full(body),
    )
}

/// A JSON response with an etag header.
pub(crate) fn json_etag<T: Serialize>(status: u16, value: &T, etag: &str) -> Reply {
    let mut resp = json(status, value)?;
    set_header(&mut resp, "etag", etag);
    Ok(resp)
}

/// A 200 JSON response with `opc-next-page` when there is a next page.
pub(crate) fn json_page<T: Serialize>(value: &T, next_page: Option<String>) -> Reply {
    let mut resp = json(200, value)?;
    if let Some(n) = next_page {
        set_header(&mut resp, "opc-next-page", &n);
    }
    Ok(resp)
}

/// A response with no body.
pub(crate) fn no_content(status: u16) -> Reply {
    finish(response(status), empty())
}

/// Builds a response, mapping builder errors.
pub(crate) fn finish(builder: http::response::Builder, body: RespBody) -> Reply {
    builder
        .body(body)
        .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))
}

/// Sets a header when the value is valid.
pub(crate) fn set_header<B>(resp: &mut Response<B>, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut()
            .insert(http::HeaderName::from_static(name), v);
    }
}

/// A request header as text.
pub(crate) fn header<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Checks `if-match` against the current etag (absent or `*` passes).
pub(crate) fn check_if_match(headers: &http::HeaderMap, current: &str) -> ApiResult<()> {
    match header(headers, "if-match") {
        None | Some("*") => Ok(()),
        Some(v) if v.trim_matches('"') == current => Ok(()),
        Some(_) => Err(ApiError::etag_mismatch()),
    }
}

/// Parses a JSON request body into `T`, with OCI-shaped errors.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    if body.is_empty() {
        return Err(ApiError::invalid("the request body is required"));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid(format!("invalid request body: {e}")))
}

/// Requires a non-empty query parameter.
pub(crate) fn required<'a>(q: &'a HashMap<String, String>, name: &str) -> ApiResult<&'a str> {
    q.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::missing(name))
}

/// An OCI error response.
pub(crate) fn error_response(e: &ApiError) -> Response<RespBody> {
    let mut resp = Response::new(full(e.body()));
    *resp.status_mut() = e.status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in &e.headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            resp.headers_mut().insert(name.clone(), v);
        }
    }
    resp
}
