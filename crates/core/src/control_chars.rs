//! Control characters in response JSON (`allow_control_chars`): by default a raw control
//! character (U+0000–U+001F) inside a JSON string is a typed error naming the field; allowed,
//! the value comes through as sent.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project::pin_project;
use tower::{Layer, Service};

use crate::layers::CallOptions;
use crate::{Body, Error};

/// Whether a response may carry raw control characters in its JSON strings: a response
/// extension that [`parse_json`](crate::request::parse_json) reads (set by the client from
/// `ClientBuilder::allow_control_chars` and `CallOptionsBuilder::allow_control_chars`).
///
/// ```
/// use oci_core::control_chars::AllowControlChars;
/// let mut resp = http::Response::new(oci_core::Body::from("{\"a\":\"x\u{1}y\"}"));
/// resp.extensions_mut().insert(AllowControlChars(true));
/// # let _ = resp;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AllowControlChars(pub bool);

/// The field (the nearest object key) of the first raw control character inside a JSON
/// string, if there is one: `Some("")` when the string is not inside an object.
pub(crate) fn find_raw_control_char(json: &[u8]) -> Option<String> {
    let mut in_string = false;
    let mut escaped = false;
    let mut start = 0;
    let mut last_string: Option<(usize, usize)> = None;
    let mut key: Option<(usize, usize)> = None;
    for (i, &b) in json.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                last_string = Some((start, i));
            } else if b < 0x20 {
                // The key before the value (empty outside any object).
                let name = key.map_or(&b""[..], |(s, e)| &json[s..e]);
                return Some(String::from_utf8_lossy(name).into_owned());
            }
        } else if b == b'"' {
            in_string = true;
            start = i + 1;
        } else if b == b':' {
            key = last_string;
        }
    }
    None
}

/// `json` with every raw control character inside a string written as a `\u00XX` escape, so
/// a strict parser reads the value as sent.
pub(crate) fn escape_raw(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() + 16);
    let (mut in_string, mut escaped) = (false, false);
    for &b in json {
        if in_string && !escaped && b < 0x20 {
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        }
        out.push(b);
    }
    out
}

/// Marks each response with the call's [`AllowControlChars`]: the call's
/// [`CallOptions`] if it sets one, else the client's. Absent means not allowed, so a response
/// is marked only when they are allowed (or when it already carries a mark to overrule): the
/// default call allocates nothing for it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ControlCharsLayer {
    pub allow: bool,
}

impl<S> Layer<S> for ControlCharsLayer {
    type Service = ControlChars<S>;
    fn layer(&self, inner: S) -> ControlChars<S> {
        ControlChars {
            allow: self.allow,
            inner,
        }
    }
}

/// The service of [`ControlCharsLayer`].
#[derive(Clone, Debug)]
pub(crate) struct ControlChars<S> {
    allow: bool,
    inner: S,
}

impl<S> Service<http::Request<Body>> for ControlChars<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>,
{
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = ControlCharsFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let allow = req
            .extensions()
            .get::<CallOptions>()
            .and_then(|o| o.allow_control_chars)
            .unwrap_or(self.allow);
        ControlCharsFuture {
            inner: self.inner.call(req),
            allow,
        }
    }
}

/// The future of [`ControlChars`].
#[pin_project]
pub(crate) struct ControlCharsFuture<F> {
    #[pin]
    inner: F,
    allow: bool,
}

impl<F> Future for ControlCharsFuture<F>
where
    F: Future<Output = Result<http::Response<Body>, Error>>,
{
    type Output = Result<http::Response<Body>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut resp = ready!(this.inner.poll(cx))?;
        let allow = *this.allow;
        if allow || resp.extensions().get::<AllowControlChars>().is_some() {
            resp.extensions_mut().insert(AllowControlChars(allow));
        }
        Poll::Ready(Ok(resp))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_field_and_escapes() {
        let raw = b"{\"id\":\"u1\",\"description\":\"a\x01b\",\"n\":1}";
        assert_eq!(find_raw_control_char(raw).as_deref(), Some("description"));
        assert_eq!(find_raw_control_char(b"{\"a\":\"x\\u0001\"}"), None);
        assert_eq!(find_raw_control_char(b"[\"x\ty\"]").as_deref(), Some(""));
        let v: serde_json::Value = serde_json::from_slice(&escape_raw(raw)).unwrap();
        assert_eq!(v["description"], "a\u{1}b");
        assert_eq!(
            escape_raw(b"{\"a\":\"q\\\"\n\"}"),
            b"{\"a\":\"q\\\"\\u000a\"}"
        );
    }
}
