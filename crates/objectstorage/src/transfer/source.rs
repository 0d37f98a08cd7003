//! [`UploadSource`]: what an upload reads from (a file, bytes, a stream or a reader).

use std::fmt;
use std::path::PathBuf;

use bytes::{Bytes, BytesMut};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt, TryStreamExt};
use oci_core::BoxError;
use tokio::io::{AsyncRead, AsyncReadExt};

use super::config::READ_BUFFER;

/// What to upload: a file, bytes in memory, or a stream or reader of known length.
///
/// ```
/// use oci_objectstorage::transfer::UploadSource;
/// let a = UploadSource::bytes("hello");
/// let b = UploadSource::file("/var/backups/db.dump");
/// let c = UploadSource::reader(tokio::io::empty(), 0);
/// # let _ = (a, b, c);
/// ```
pub struct UploadSource {
    pub(crate) kind: SourceKind,
}

/// Where an upload's bytes come from.
pub(crate) enum SourceKind {
    Bytes(Bytes),
    File(PathBuf),
    Stream { stream: ByteStream, len: u64 },
}

/// A boxed stream of chunks.
pub(crate) type ByteStream = BoxStream<'static, Result<Bytes, BoxError>>;

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SourceKind::Bytes(b) => write!(f, "UploadSource::Bytes({} bytes)", b.len()),
            SourceKind::File(p) => write!(f, "UploadSource::File({p:?})"),
            SourceKind::Stream { len, .. } => write!(f, "UploadSource::Stream({len} bytes)"),
        }
    }
}

impl UploadSource {
    /// A file, read part by part from disk (never whole into memory).
    pub fn file(path: impl Into<PathBuf>) -> Self {
        UploadSource {
            kind: SourceKind::File(path.into()),
        }
    }

    /// Bytes in memory; parts are zero-copy slices.
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        UploadSource {
            kind: SourceKind::Bytes(bytes.into()),
        }
    }

    /// A stream of chunks that yields exactly `len` bytes (a different length fails the upload
    /// before it is committed). Read one part at a time.
    pub fn stream<S, E>(stream: S, len: u64) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        UploadSource {
            kind: SourceKind::Stream {
                stream: stream.map_err(Into::into).boxed(),
                len,
            },
        }
    }

    /// An [`AsyncRead`] that yields exactly `len` bytes. Read one part at a time.
    pub fn reader<R>(reader: R, len: u64) -> Self
    where
        R: AsyncRead + Send + 'static,
    {
        let reader = Box::pin(reader);
        let stream = futures_util::stream::try_unfold(reader, |mut r| async move {
            let mut buf = BytesMut::with_capacity(READ_BUFFER);
            let n = r.read_buf(&mut buf).await?;
            Ok::<_, std::io::Error>(if n == 0 {
                None
            } else {
                Some((buf.freeze(), r))
            })
        });
        UploadSource::stream(stream, len)
    }
}
