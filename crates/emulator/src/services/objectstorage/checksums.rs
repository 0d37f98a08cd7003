//! Request checksums on put and parts: `content-md5`, `opc-content-sha256`,
//! `opc-content-crc32c` (a mismatch is 400 and nothing is stored), and what `opc-checksum-algorithm`
//! asks the service to keep.

use http::HeaderMap;

use crate::blobs::Written;
use crate::error::{ApiError, ApiResult};
use crate::http as h;
use crate::util;

/// Base64 of a CRC32C as OCI sends it (4 bytes, big-endian).
pub(super) fn crc32c_b64(crc: u32) -> String {
    util::b64(&crc.to_be_bytes())
}

/// Whether the request carries an `opc-content-sha256` (so the body must be hashed with SHA-256).
pub(super) fn wants_sha256(headers: &HeaderMap) -> bool {
    h::header(headers, "opc-content-sha256").is_some()
}

fn mismatch(header: &str, what: &str, expected: &str, actual: &str) -> ApiError {
    ApiError::new(
        400,
        "InvalidParameter",
        format!("The computed {what} of the request body ({actual}) does not match the {header} header ({expected})"),
    )
}

/// Checks every checksum header against the written bytes; on success, the CRC32C to keep with
/// the object (when the request sent one or asked for `opc-checksum-algorithm: CRC32C`).
pub(super) fn check(headers: &HeaderMap, written: &Written) -> ApiResult<Option<String>> {
    if let Some(expected) = h::header(headers, "content-md5") {
        let actual = util::b64(&written.md5);
        if expected != actual {
            return Err(ApiError::new(
                400,
                "InvalidParameter",
                format!("The value of the Content-MD5 header '{expected}' was not the same as the computed MD5 '{actual}'"),
            ));
        }
    }
    if let Some(expected) = h::header(headers, "opc-content-sha256") {
        let actual = written.sha256.map(|s| util::b64(&s)).unwrap_or_default();
        if expected != actual {
            return Err(mismatch("opc-content-sha256", "SHA256", expected, &actual));
        }
    }
    if h::header(headers, "opc-content-sha384").is_some() {
        return Err(ApiError::new(
            501,
            "NotImplemented",
            "The emulator does not check opc-content-sha384.",
        ));
    }
    let crc = crc32c_b64(written.crc32c);
    if let Some(expected) = h::header(headers, "opc-content-crc32c") {
        if expected != crc {
            return Err(mismatch("opc-content-crc32c", "CRC32C", expected, &crc));
        }
        return Ok(Some(crc));
    }
    let algorithm = h::header(headers, "opc-checksum-algorithm");
    Ok(algorithm
        .is_some_and(|a| a.eq_ignore_ascii_case("crc32c"))
        .then_some(crc))
}
