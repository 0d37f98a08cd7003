//! Reading what a request body still holds before an early answer.
//!
//! An answer sent while the client is still sending its body (an injected fault, a refused
//! signature, a missing upload) is followed by hyper closing the connection with unread bytes
//! in it, which makes the kernel reset it: the client, still writing, sees the reset instead of
//! the status. So the server reads the rest of the body first (up to [`MAX_DRAIN`] bytes; past
//! that the connection is closed as before), as a real service behind a load balancer does.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::{Buf as _, Bytes};
use http::HeaderMap;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;

/// The most of a request body read (and dropped) before an early answer.
pub(crate) const MAX_DRAIN: u64 = 64 * 1024 * 1024;

/// A streamed request body a handler reads, whose unread rest the server can still drain once
/// the handler has answered (the handle is shared).
#[derive(Clone)]
pub(crate) struct Streamed(Arc<Mutex<Incoming>>);

impl Streamed {
    pub(crate) fn new(body: Incoming) -> Self {
        Streamed(Arc::new(Mutex::new(body)))
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Incoming> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Body for Streamed {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        Pin::new(&mut *self.inner()).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner().is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner().size_hint()
    }
}

/// Whether the client waits for `100 Continue` before sending its body: then an early answer
/// needs no draining (hyper sends the `100` only when the body is read, so the client never
/// sends it).
pub(crate) fn expects_continue(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
}

/// Reads and drops what `body` still holds, up to [`MAX_DRAIN`] bytes; stops at the first error.
pub(crate) async fn drain<B>(mut body: B)
where
    B: Body + Unpin,
{
    let mut read = 0u64;
    while read <= MAX_DRAIN && !body.is_end_stream() {
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    read += data.remaining() as u64;
                }
            }
            Some(Err(_)) | None => break,
        }
    }
}
