//! Request and response bodies.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::BodyExt;
use sync_wrapper::SyncWrapper;

use crate::BoxError;

type Boxed = SyncWrapper<UnsyncBoxBody<Bytes, BoxError>>;
type Factory = Arc<dyn Fn() -> Body + Send + Sync>;

/// The body of a request or a response.
///
/// ```
/// use oci_core::Body;
///
/// let body = Body::from("{\"name\":\"ops\"}");
/// assert_eq!(body.content_length(), Some(14));
/// // Bytes bodies are cheap to clone, so retries can replay them.
/// assert!(body.try_clone().is_some());
/// ```
///
/// A body is one of:
/// - empty;
/// - bytes in memory ([`Bytes`]): cloning is a reference-count bump, so the retry layer replays it;
/// - a stream of frames with an optional known length: sent once, never buffered whole. A stream is
///   replayable only when built with [`Body::from_factory`], which makes a fresh stream per attempt.
pub struct Body {
    kind: Kind,
}

enum Kind {
    Empty,
    Bytes(Bytes),
    Stream {
        body: Boxed,
        len: Option<u64>,
    },
    Factory {
        factory: Factory,
        current: Box<Body>,
        len: Option<u64>,
    },
}

impl Body {
    /// An empty body.
    pub const fn empty() -> Self {
        Body { kind: Kind::Empty }
    }

    /// A body held in memory.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        if bytes.is_empty() {
            Body::empty()
        } else {
            Body {
                kind: Kind::Bytes(bytes),
            }
        }
    }

    /// A streaming body from any [`http_body::Body`] whose data is [`Bytes`].
    ///
    /// `len` is the exact length in bytes when known. Operations that stream an upload (such as
    /// Object Storage `put_object`) require it: OCI rejects chunked transfer encoding.
    pub fn from_http_body<B>(body: B, len: Option<u64>) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        Body {
            kind: Kind::Stream {
                body: SyncWrapper::new(body.map_err(Into::into).boxed_unsync()),
                len,
            },
        }
    }

    /// A streaming body from a [`futures_core::Stream`] of byte chunks.
    pub fn from_stream<S, E>(stream: S, len: Option<u64>) -> Self
    where
        S: futures_core::Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        use futures_util::TryStreamExt;
        let frames = stream.map_ok(Frame::data).map_err(Into::into);
        Body::from_http_body(http_body_util::StreamBody::new(frames), len)
    }

    /// A replayable streaming body: `factory` is called once now and again for every retry.
    ///
    /// Use it for bodies that can be produced again, such as a file opened afresh per attempt.
    pub fn from_factory<F>(len: Option<u64>, factory: F) -> Self
    where
        F: Fn() -> Body + Send + Sync + 'static,
    {
        let current = Box::new(factory());
        Body {
            kind: Kind::Factory {
                factory: Arc::new(factory),
                current,
                len,
            },
        }
    }

    /// A second body with the same content, when this body can be replayed.
    ///
    /// `None` for a one-shot stream: the retry layer then sends a single attempt.
    pub fn try_clone(&self) -> Option<Body> {
        match &self.kind {
            Kind::Empty => Some(Body::empty()),
            Kind::Bytes(b) => Some(Body {
                kind: Kind::Bytes(b.clone()),
            }),
            Kind::Stream { .. } => None,
            Kind::Factory { factory, len, .. } => Some(Body {
                kind: Kind::Factory {
                    factory: factory.clone(),
                    current: Box::new(factory()),
                    len: *len,
                },
            }),
        }
    }

    /// Whether [`Body::try_clone`] succeeds.
    pub fn is_replayable(&self) -> bool {
        !matches!(self.kind, Kind::Stream { .. })
    }

    /// The body's bytes when it is held in memory (`Some(b"")` for an empty body).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.kind {
            Kind::Empty => Some(&[]),
            Kind::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The exact length in bytes, when known.
    pub fn content_length(&self) -> Option<u64> {
        match &self.kind {
            Kind::Empty => Some(0),
            Kind::Bytes(b) => Some(b.len() as u64),
            Kind::Stream { len, .. } | Kind::Factory { len, .. } => *len,
        }
    }

    /// Reads the whole body into memory.
    ///
    /// Meant for JSON responses; object downloads should be read as a stream instead.
    pub async fn collect(self) -> Result<Bytes, crate::Error> {
        match self.kind {
            Kind::Empty => Ok(Bytes::new()),
            Kind::Bytes(b) => Ok(b),
            _ => BodyExt::collect(self)
                .await
                .map(|c| c.to_bytes())
                .map_err(crate::Error::body),
        }
    }

    /// The body as a stream of byte chunks.
    pub fn into_data_stream(self) -> impl futures_core::Stream<Item = Result<Bytes, BoxError>> {
        BodyExt::into_data_stream(self)
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Empty => f.write_str("Body::Empty"),
            Kind::Bytes(b) => write!(f, "Body::Bytes({} bytes)", b.len()),
            Kind::Stream { len, .. } => write!(f, "Body::Stream(len: {len:?})"),
            Kind::Factory { len, .. } => write!(f, "Body::Replayable(len: {len:?})"),
        }
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Self {
        Body::from_bytes(b)
    }
}
impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Self {
        Body::from_bytes(b)
    }
}
impl From<String> for Body {
    fn from(s: String) -> Self {
        Body::from_bytes(s)
    }
}
impl From<&'static str> for Body {
    fn from(s: &'static str) -> Self {
        Body::from_bytes(Bytes::from_static(s.as_bytes()))
    }
}
impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Self {
        Body::from_bytes(Bytes::from_static(s))
    }
}
impl From<()> for Body {
    fn from(_: ()) -> Self {
        Body::empty()
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        match &mut this.kind {
            Kind::Empty => Poll::Ready(None),
            Kind::Bytes(b) => {
                let b = std::mem::take(b);
                this.kind = Kind::Empty;
                Poll::Ready(Some(Ok(Frame::data(b))))
            }
            Kind::Stream { body, .. } => Pin::new(body.get_mut()).poll_frame(cx),
            Kind::Factory { current, .. } => Pin::new(current.as_mut()).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Bytes(b) => b.is_empty(),
            _ => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self.content_length() {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bytes_body_replays_and_collects() {
        let body = Body::from("hello");
        let copy = body.try_clone().map(|b| b.as_bytes().map(<[u8]>::to_vec));
        assert_eq!(copy, Some(Some(b"hello".to_vec())));
        assert_eq!(
            body.collect().await.ok(),
            Some(Bytes::from_static(b"hello"))
        );
    }

    #[tokio::test]
    async fn one_shot_stream_is_not_replayable() {
        let chunks = vec![
            Ok::<_, std::io::Error>(Bytes::from("ab")),
            Ok(Bytes::from("c")),
        ];
        let body = Body::from_stream(futures_util::stream::iter(chunks), Some(3));
        assert!(!body.is_replayable());
        assert!(body.try_clone().is_none());
        assert_eq!(http_body::Body::size_hint(&body).exact(), Some(3));
        assert_eq!(body.collect().await.ok(), Some(Bytes::from("abc")));
    }

    #[tokio::test]
    async fn factory_body_replays_fresh_streams() {
        let body = Body::from_factory(Some(2), || {
            Body::from_stream(
                futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from("xy"))]),
                Some(2),
            )
        });
        let again = body.try_clone();
        assert_eq!(body.collect().await.ok(), Some(Bytes::from("xy")));
        let again = match again {
            Some(b) => b.collect().await.ok(),
            None => None,
        };
        assert_eq!(again, Some(Bytes::from("xy")));
    }
}
