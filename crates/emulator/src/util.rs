//! Leaf helpers with no HTTP in them: OCIDs, etags, request ids, times, page tokens, paging,
//! percent-decoding and query strings.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};

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

/// Sets `field` when an update carries a value for it.
pub(crate) fn set_some<T>(field: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *field = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
