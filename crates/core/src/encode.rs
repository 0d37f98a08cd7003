//! Percent-encoding for paths and queries, exactly as the official SDKs put them on the wire.
//!
//! The signature covers the encoded bytes, so what is built here is what gets signed and sent.

use std::borrow::Cow;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::Error;

/// Characters never escaped: `A-Z a-z 0-9 _ . - ~` (RFC 3986 unreserved).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~');
/// As [`UNRESERVED`], but keeps `/` (the default for path parameters).
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// Encodes a path parameter, keeping `/` (the default for every service but Object Storage).
///
/// ```
/// assert_eq!(oci_core::encode::path_segment("a b/c"), "a%20b/c");
/// ```
pub fn path_segment(value: &str) -> Cow<'_, str> {
    utf8_percent_encode(value, PATH).into()
}

/// Encodes a path parameter strictly: everything but unreserved characters is escaped, and the
/// segments `.` and `..` become `%2E` and `%2E%2E` (Object Storage object names).
///
/// ```
/// assert_eq!(oci_core::encode::path_segment_strict("dir/a b.txt"), "dir%2Fa%20b.txt");
/// assert_eq!(oci_core::encode::path_segment_strict(".."), "%2E%2E");
/// ```
pub fn path_segment_strict(value: &str) -> Cow<'_, str> {
    match value {
        "." => Cow::Borrowed("%2E"),
        ".." => Cow::Borrowed("%2E%2E"),
        _ => utf8_percent_encode(value, UNRESERVED).into(),
    }
}

/// Rejects an empty or whitespace-only path parameter before any I/O.
///
/// ```
/// assert!(oci_core::encode::require_path_param("userId", " ").is_err());
/// assert!(oci_core::encode::require_path_param("userId", "ocid1.user").is_ok());
/// ```
pub fn require_path_param<'a>(name: &str, value: &'a str) -> Result<&'a str, Error> {
    if value.trim().is_empty() {
        Err(Error::invalid_request(format!(
            "path parameter `{name}` cannot be empty or whitespace"
        )))
    } else {
        Ok(value)
    }
}

/// Encodes a query key or value as HTML forms do (`quote_plus`): space becomes `+`.
///
/// ```
/// assert_eq!(oci_core::encode::query_value("a b/c+d~*"), "a+b%2Fc%2Bd~%2A");
/// ```
pub fn query_value(value: &str) -> Cow<'_, str> {
    let encoded: Cow<'_, str> = utf8_percent_encode(value, UNRESERVED).into();
    if encoded.contains("%20") {
        Cow::Owned(encoded.replace("%20", "+"))
    } else {
        encoded
    }
}

/// Builds a query string from pairs, in order, skipping nothing: `k=v&k2=v2`.
#[derive(Debug, Default, Clone)]
pub struct Query {
    buf: String,
}

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Query::default()
    }
    /// Appends `key=value`.
    pub fn push(&mut self, key: &str, value: &str) -> &mut Self {
        if !self.buf.is_empty() {
            self.buf.push('&');
        }
        self.buf.push_str(&query_value(key));
        self.buf.push('=');
        self.buf.push_str(&query_value(value));
        self
    }
    /// Appends `key=value` when `value` is `Some`.
    pub fn push_opt(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.push(key, v);
        }
        self
    }
    /// `path?query`, or just `path` when the query is empty.
    pub fn append_to(&self, path: &str) -> String {
        if self.buf.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", self.buf)
        }
    }
    /// The encoded query, without `?`.
    pub fn as_str(&self) -> &str {
        &self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_builds_in_insertion_order() {
        let mut q = Query::new();
        q.push("compartmentId", "ocid1.tenancy.oc1..aaaa")
            .push("name", "a b/c+d~*")
            .push_opt("page", None)
            .push("limit", "10");
        assert_eq!(
            q.append_to("/20160918/users/"),
            "/20160918/users/?compartmentId=ocid1.tenancy.oc1..aaaa&name=a+b%2Fc%2Bd~%2A&limit=10"
        );
    }

    #[test]
    fn unicode_is_utf8_percent_encoded() {
        assert_eq!(path_segment("é"), "%C3%A9");
        assert_eq!(query_value("日本"), "%E6%97%A5%E6%9C%AC");
    }
}
