//! SSE-C: objects written with `opc-sse-customer-algorithm` / `-key` / `-key-sha256`. The
//! emulator keeps the bytes as they are and remembers the key's SHA-256; a GET or HEAD of such an
//! object needs the same key. Malformed headers (an algorithm other than `AES256`, a key that is
//! not 32 bytes of base64, a `-key-sha256` that does not match the key) are 400
//! `InvalidParameter`; a GET or HEAD of an SSE-C object without the key is 400 `MissingParameter`,
//! with a different key 403 `NotAuthorized`; a key sent for an object written without one is 400.

use base64::Engine as _;
use http::HeaderMap;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::http as h;
use crate::util;

const ALGORITHM: &str = "opc-sse-customer-algorithm";
const KEY: &str = "opc-sse-customer-key";
const KEY_SHA256: &str = "opc-sse-customer-key-sha256";

/// The base64 SHA-256 of the request's customer key, when it sends one (checked).
pub(super) fn customer_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let (alg, key, sha) = (
        h::header(headers, ALGORITHM),
        h::header(headers, KEY),
        h::header(headers, KEY_SHA256),
    );
    if alg.is_none() && key.is_none() && sha.is_none() {
        return Ok(None);
    }
    let (Some(alg), Some(key), Some(sha)) = (alg, key, sha) else {
        return Err(ApiError::invalid(format!(
            "SSE-C needs all of {ALGORITHM}, {KEY} and {KEY_SHA256}"
        )));
    };
    if alg != "AES256" {
        return Err(ApiError::invalid(format!(
            "{ALGORITHM} `{alg}` is not supported (only AES256)"
        )));
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(key)
        .ok()
        .filter(|k| k.len() == 32)
        .ok_or_else(|| ApiError::invalid(format!("{KEY} must be a base64-encoded 256-bit key")))?;
    let actual = util::b64(&Sha256::digest(&raw));
    if actual != sha {
        return Err(ApiError::invalid(format!(
            "{KEY_SHA256} does not match the SHA-256 of {KEY}"
        )));
    }
    Ok(Some(actual))
}

/// Checks a read of an object stored with `stored` (the key's SHA-256, if any).
pub(super) fn check_read(headers: &HeaderMap, stored: Option<&str>) -> ApiResult<()> {
    let sent = customer_key(headers)?;
    match (stored, sent.as_deref()) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(ApiError::invalid(
            "The object is not encrypted with a customer-provided key; do not send SSE-C headers",
        )),
        (Some(_), None) => Err(ApiError::new(
            400,
            "MissingParameter",
            format!("The object is encrypted with a customer-provided key: {ALGORITHM}, {KEY} and {KEY_SHA256} are required"),
        )),
        (Some(s), Some(k)) if s == k => Ok(()),
        (Some(_), Some(_)) => Err(ApiError::new(
            403,
            "NotAuthorized",
            "The customer-provided key does not match the key the object was written with",
        )),
    }
}
