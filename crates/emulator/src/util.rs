//! Small shared helpers: OCIDs, etags, times, page tokens, query strings, JSON responses.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use http_body_util::BodyExt;
use serde::Serialize;
use sha2::{Digest, Sha256};

use oci_core::OperationRoute;

use crate::error::{ApiError, ApiResult};
use crate::RespBody;

/// A request matched to one operation of a service's table, with its path parameters decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    /// The operation name, e.g. `GetUser`.
    pub op: &'static str,
    /// The path parameters, in template order, percent-decoded.
    pub params: Vec<String>,
}

impl Route {
    /// The `i`th path parameter, or `""` when the template has fewer.
    pub fn param(&self, i: usize) -> &str {
        self.params.get(i).map_or("", String::as_str)
    }
}

/// Matches a method and path (below the service's base path) against a generated operation
/// table (`oci_*::operations::OPERATIONS`); of several matches, the one with the most literal
/// segments wins (`/tagDefaults/actions/x` over `/tagDefaults/{id}/x`). Empty parameters never
/// match.
pub(crate) fn route(table: &'static [OperationRoute], method: &str, path: &str) -> Option<Route> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut best: Option<(usize, Route)> = None;
    for op in table.iter().filter(|op| op.method == method) {
        if op.path_segments().count() != segs.len() {
            continue;
        }
        let mut literal = 0;
        let mut params = Vec::new();
        let matched = op.path_segments().zip(&segs).all(|(t, s)| {
            if t.starts_with('{') {
                params.push(percent_decode(s));
                !s.is_empty()
            } else if t == *s {
                literal += 1;
                true
            } else {
                false
            }
        });
        if matched && best.as_ref().map_or(true, |(l, _)| literal > *l) {
            best = Some((
                literal,
                Route {
                    op: op.name,
                    params,
                },
            ));
        }
    }
    best.map(|(_, r)| r)
}

/// Milliseconds since the Unix epoch.
pub(crate) fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A time from milliseconds since the epoch.
pub(crate) fn from_millis(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

/// RFC 3339 with milliseconds, as OCI sends (`2016-08-25T21:10:29.600Z`).
pub(crate) fn rfc3339(ms: u64) -> String {
    humantime::format_rfc3339_millis(from_millis(ms)).to_string()
}

/// An HTTP date (`last-modified`).
pub(crate) fn http_date(ms: u64) -> String {
    httpdate::fmt_http_date(from_millis(ms))
}

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// Deterministic pseudo-random lowercase base32 text from a seed, a purpose and a counter.
pub(crate) fn derived_text(seed: u64, purpose: &str, counter: u64, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut block = 0u64;
    while out.len() < len {
        let mut h = Sha256::new();
        h.update(seed.to_le_bytes());
        h.update(purpose.as_bytes());
        h.update(counter.to_le_bytes());
        h.update(block.to_le_bytes());
        for b in h.finalize() {
            if out.len() == len {
                break;
            }
            out.push(BASE32[(b & 31) as usize] as char);
        }
        block += 1;
    }
    out
}

/// An OCID such as `ocid1.user.oc1..aaaaaaaa<52 base32>`.
pub(crate) fn ocid(kind: &str, seed: u64, counter: u64) -> String {
    format!(
        "ocid1.{kind}.oc1..aaaaaaaa{}",
        derived_text(seed, kind, counter, 52)
    )
}

/// A UUID-shaped etag.
pub(crate) fn etag(seed: u64, counter: u64) -> String {
    let h = Sha256::new()
        .chain_update(seed.to_le_bytes())
        .chain_update(b"etag")
        .chain_update(counter.to_le_bytes())
        .finalize();
    let hex: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A fresh opc-request-id part: 32 uppercase hex characters.
pub(crate) fn request_id(seed: u64, counter: u64) -> String {
    let h = Sha256::new()
        .chain_update(seed.to_le_bytes())
        .chain_update(b"request")
        .chain_update(counter.to_le_bytes())
        .finalize();
    h.iter().take(16).map(|b| format!("{b:02X}")).collect()
}

/// Standard base64.
pub(crate) fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// An opaque page token for an offset into a listing.
pub(crate) fn page_token(seed: u64, offset: usize) -> String {
    let check = derived_text(seed, "page", offset as u64, 6);
    B64URL.encode(format!("{offset}.{check}"))
}

/// Decodes a page token made by [`page_token`].
pub(crate) fn parse_page_token(seed: u64, token: &str) -> ApiResult<usize> {
    let bad = || ApiError::invalid(format!("invalid page token `{token}`"));
    let raw = B64URL.decode(token).map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let (offset, check) = raw.split_once('.').ok_or_else(bad)?;
    let offset: usize = offset.parse().map_err(|_| bad())?;
    if derived_text(seed, "page", offset as u64, 6) != check {
        return Err(bad());
    }
    Ok(offset)
}

/// Decoded query parameters (last value wins).
pub(crate) fn query_map(query: Option<&str>) -> HashMap<String, String> {
    let mut map = HashMap::new();
    if let Some(q) = query {
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            map.insert(decode_component(k), decode_component(v));
        }
    }
    map
}

/// Percent-decodes one query component (`+` is a space).
pub(crate) fn decode_component(s: &str) -> String {
    let replaced = s.replace('+', " ");
    percent_decode(&replaced)
}

/// Percent-decodes a path segment (`+` stays `+`).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `limit` (1..=1000), with a default.
pub(crate) fn limit(q: &HashMap<String, String>, default: usize) -> ApiResult<usize> {
    match q.get("limit") {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid(format!(
                "limit must be an integer from 1 to 1000, got `{v}`"
            ))),
        },
    }
}

/// One page of `items` from `page`/`limit`, and the next page token if more remain.
pub(crate) fn paginate<T: Clone>(
    seed: u64,
    items: &[T],
    q: &HashMap<String, String>,
    default_limit: usize,
) -> ApiResult<(Vec<T>, Option<String>)> {
    let limit = limit(q, default_limit)?;
    let offset = match q.get("page") {
        Some(p) => parse_page_token(seed, p)?,
        None => 0,
    };
    let end = offset.saturating_add(limit).min(items.len());
    let page = items
        .get(offset.min(items.len())..end)
        .unwrap_or(&[])
        .to_vec();
    let next = (end < items.len()).then(|| page_token(seed, end));
    Ok((page, next))
}

/// Sort order from `sortOrder` (ASC/DESC), or `default_desc`.
pub(crate) fn sort_desc(q: &HashMap<String, String>, default_desc: bool) -> ApiResult<bool> {
    match q.get("sortOrder").map(String::as_str) {
        None => Ok(default_desc),
        Some("ASC") => Ok(false),
        Some("DESC") => Ok(true),
        Some(other) => Err(ApiError::invalid(format!(
            "sortOrder must be ASC or DESC, got `{other}`"
        ))),
    }
}

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
pub(crate) fn json<T: Serialize>(status: u16, value: &T) -> ApiResult<Response<RespBody>> {
    let body = serde_json::to_vec(value)
        .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))?;
    finish(
        response(status).header(http::header::CONTENT_TYPE, "application/json"),
        full(body),
    )
}

/// A JSON response with an etag header.
pub(crate) fn json_etag<T: Serialize>(
    status: u16,
    value: &T,
    etag: &str,
) -> ApiResult<Response<RespBody>> {
    let mut resp = json(status, value)?;
    set_header(&mut resp, "etag", etag);
    Ok(resp)
}

/// A 200 JSON response with `opc-next-page` when there is a next page.
pub(crate) fn json_page<T: Serialize>(
    value: &T,
    next_page: Option<String>,
) -> ApiResult<Response<RespBody>> {
    let mut resp = json(200, value)?;
    if let Some(n) = next_page {
        set_header(&mut resp, "opc-next-page", &n);
    }
    Ok(resp)
}

/// Sets `field` when an update carries a value for it.
pub(crate) fn set_some<T>(field: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *field = v;
    }
}

/// A response with no body.
pub(crate) fn no_content(status: u16) -> ApiResult<Response<RespBody>> {
    finish(response(status), empty())
}

/// Builds a response, mapping builder errors.
pub(crate) fn finish(
    builder: http::response::Builder,
    body: RespBody,
) -> ApiResult<Response<RespBody>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_the_generated_table_and_decodes_parameters() {
        let dac = oci_delegateaccesscontrol::operations::OPERATIONS;
        let r = route(dac, "GET", "/workRequests/");
        assert_eq!(r.map(|r| r.op), Some("ListWorkRequests"));
        let r = route(dac, "GET", "/workRequests/ocid1.wr%2Fx/logs");
        assert_eq!(r.as_ref().map(|r| r.op), Some("ListWorkRequestLogs"));
        assert_eq!(r.as_ref().map(|r| r.param(0)), Some("ocid1.wr/x"));
        assert_eq!(r.as_ref().map(|r| r.param(1)), Some(""));
        assert!(route(dac, "POST", "/workRequests").is_none());
        assert!(route(dac, "GET", "/workRequests//logs").is_none());
    }

    #[test]
    fn page_tokens_round_trip_and_reject_forgeries() {
        let t = page_token(7, 42);
        assert_eq!(parse_page_token(7, &t).ok(), Some(42));
        assert!(parse_page_token(8, &t).is_err());
        assert!(parse_page_token(7, "bm9wZQ").is_err());
    }

    #[test]
    fn decodes_percent_and_plus() {
        assert_eq!(decode_component("a+b%2Fc%2Bd"), "a b/c+d");
        assert_eq!(percent_decode("a+b%2F%zz"), "a+b/%zz");
    }

    #[test]
    fn ocids_are_deterministic() {
        assert_eq!(ocid("user", 1, 2), ocid("user", 1, 2));
        assert_ne!(ocid("user", 1, 2), ocid("user", 1, 3));
        assert!(ocid("user", 1, 2).starts_with("ocid1.user.oc1..aaaaaaaa"));
    }
}
