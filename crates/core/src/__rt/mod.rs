//! The runtime of generated service crates: not public API.
//!
//! `oci-codegen` writes each service crate (`oci-identity`, `oci-objectstorage`, ...) against
//! this module, as google-cloud-rust's generated crates are written against `gax-internal`:
//! helpers that every operation's `into_http` and `parse` share, the [`fluent!`] macro that
//! declares each crate's `Fluent` request builder and the [`client!`] macro that gives its
//! service client the common constructors. It lives here, compiled and tested once,
//! rather than copied into every crate. It is `#[doc(hidden)]` and may change in any release:
//! call the generated API, not this.

use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;

use http::response::Parts;

use crate::{encode, Body, Error};

mod fluent;

pub use crate::{__client as client, __fluent as fluent};

/// A required field, or a typed error naming it.
pub fn required<T>(v: Option<T>, name: &str) -> Result<T, Error> {
    v.ok_or_else(|| Error::invalid_request(format!("missing required parameter `{name}`")))
}

/// A path parameter, checked present and non-empty, then percent-encoded as one segment
/// (`strict`: also the sub-delimiters, as Object Storage's object names need).
pub fn path_param<'a>(
    name: &str,
    value: Option<&'a str>,
    strict: bool,
) -> Result<Cow<'a, str>, Error> {
    let value = encode::require_path_param(name, value.unwrap_or_default())?;
    Ok(if strict {
        encode::path_segment_strict(value)
    } else {
        encode::path_segment(value)
    })
}

/// A header value marked sensitive (never logged by hyper or tracing layers).
pub fn sensitive(v: &str, name: &str) -> Result<http::HeaderValue, Error> {
    let mut hv = http::HeaderValue::from_str(v)
        .map_err(|_| Error::invalid_request(format!("header `{name}` is not a valid value")))?;
    hv.set_sensitive(true);
    Ok(hv)
}

/// A JSON request body.
pub fn json_body<T: serde::Serialize>(v: &T) -> Result<Body, Error> {
    serde_json::to_vec(v)
        .map(Body::from)
        .map_err(|e| Error::invalid_request(format!("cannot serialize the request body: {e}")))
}

/// Finishes a request builder.
pub fn finish(b: http::request::Builder, body: Body) -> Result<http::Request<Body>, Error> {
    b.body(body)
        .map_err(|e| Error::invalid_request(format!("invalid request: {e}")))
}

/// Finishes a request builder with an optional JSON body (none: an empty body).
pub fn finish_json<T: serde::Serialize>(
    b: http::request::Builder,
    body: Option<&T>,
) -> Result<http::Request<Body>, Error> {
    let body = match body {
        Some(v) => json_body(v)?,
        None => Body::empty(),
    };
    finish(b, body)
}

/// Finishes a request builder with a binary body (an upload).
///
/// With no `content-type` set, it gets `application/json` for an in-memory body and
/// `application/octet-stream` for a stream, as the official SDKs' signers do. `content-length`
/// is the body's own length ([`Body::content_length`]; the only place an upload's length is
/// set): a stream without one is refused by the signer, since OCI rejects chunked uploads.
pub fn finish_binary(
    mut b: http::request::Builder,
    body: Body,
) -> Result<http::Request<Body>, Error> {
    let has_type = b
        .headers_ref()
        .is_some_and(|h| h.contains_key(http::header::CONTENT_TYPE));
    if !has_type {
        let ct = if body.as_bytes().is_some() {
            "application/json"
        } else {
            "application/octet-stream"
        };
        b = b.header(http::header::CONTENT_TYPE, ct);
    }
    if let Some(n) = body.content_length() {
        b = b.header(http::header::CONTENT_LENGTH, n);
    }
    finish(b, body)
}

/// Appends a list query parameter with its collection format (`csv`, `tsv`, `ssv`, `pipes`:
/// one joined value; anything else, e.g. `multi`: the name repeated once per value).
pub fn query_list(
    q: &mut encode::Query,
    name: &str,
    values: impl Iterator<Item = String>,
    format: &str,
) {
    let sep = match format {
        "csv" => ",",
        "tsv" => "\t",
        "ssv" => " ",
        "pipes" => "|",
        _ => {
            for v in values {
                q.push(name, &v);
            }
            return;
        }
    };
    let joined: Vec<String> = values.collect();
    q.push(name, &joined.join(sep));
}

/// Appends a map query parameter as `name.key=value` pairs.
pub fn query_map<V: ToString>(q: &mut encode::Query, name: &str, values: &HashMap<String, V>) {
    for (k, v) in values {
        q.push(&format!("{name}.{k}"), &v.to_string());
    }
}

/// Adds one header per entry of `values`, each named `prefix` + its key (e.g. `opc-meta-`).
pub fn prefixed_headers(
    mut b: http::request::Builder,
    prefix: &str,
    values: Option<&HashMap<String, String>>,
) -> http::request::Builder {
    for (k, v) in values.into_iter().flatten() {
        b = b.header(format!("{prefix}{k}"), v.as_str());
    }
    b
}

/// Reads a response that has no body worth keeping, to its end.
pub async fn drain(response: http::Response<Body>) -> Result<Parts, Error> {
    let (parts, body) = response.into_parts();
    body.collect().await?;
    Ok(parts)
}

/// A response header as text (`None` when absent or not visible ASCII).
pub fn header(parts: &Parts, name: &str) -> Option<String> {
    crate::request::header_string(&parts.headers, name)
}

/// A response header parsed as `T` (`None` when absent or unparsable), e.g. `content-length`.
pub fn header_as<T: FromStr>(parts: &Parts, name: &str) -> Option<T> {
    header(parts, name).and_then(|v| v.parse().ok())
}

/// A 304 answered as a success, or an explicit `is-not-modified: true` header.
pub fn not_modified(parts: &Parts) -> bool {
    parts.status == http::StatusCode::NOT_MODIFIED
        || header(parts, "is-not-modified").is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The headers starting with `prefix`, keyed without it.
pub fn prefixed(parts: &Parts, prefix: &str) -> HashMap<String, String> {
    parts
        .headers
        .iter()
        .filter_map(|(k, v)| {
            let key = k.as_str().strip_prefix(prefix)?;
            Some((key.to_owned(), v.to_str().ok()?.to_owned()))
        })
        .collect()
}

/// Serializes a polymorphic model's variant with its discriminator field.
pub fn tagged<S: serde::Serializer, T: serde::Serialize>(
    s: S,
    field: &str,
    value: &str,
    v: &T,
) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    let mut m = serde_json::to_value(v).map_err(serde::ser::Error::custom)?;
    if let serde_json::Value::Object(o) = &mut m {
        o.insert(field.to_owned(), value.into());
    }
    m.serialize(s)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
