//! Base64 payloads: OCI sends bytes in JSON as standard base64 strings (KMS plaintexts and
//! signatures, secret contents, stream message keys and values).
//!
//! ```
//! let text = oci_core::b64::encode(b"hello");
//! assert_eq!(text, "aGVsbG8=");
//! assert_eq!(oci_core::b64::decode(&text)?, b"hello");
//! assert!(oci_core::b64::decode("not base64!").is_err());
//! # Ok::<(), oci_core::Error>(())
//! ```
//!
//! The generated models keep such fields as the `String`s that are on the wire, say so in
//! their docs, and add typed helpers built on these functions: `<field>_bytes()` decodes (a
//! typed error for bad base64, never a panic) and `set_<field>_bytes(bytes)` encodes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::Error;

/// `bytes` as standard base64, with padding.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

/// Standard base64 (with padding) to bytes; bad input is an
/// [`ErrorKind::Deserialize`](crate::ErrorKind::Deserialize) error.
pub fn decode(text: &str) -> Result<Vec<u8>, Error> {
    decode_field(text, "value")
}

/// As [`decode`], naming the field in the error.
pub fn decode_field(text: &str, field: &str) -> Result<Vec<u8>, Error> {
    STANDARD.decode(text.trim()).map_err(|e| {
        Error::deserialize(
            format!("field `{field}` is not valid base64: {e}"),
            http::StatusCode::OK,
            None,
        )
    })
}
