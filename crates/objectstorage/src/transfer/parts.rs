//! Planning and cutting parts: the part size used, each part's replayable body and its MD5.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use md5::{Digest, Md5};
use oci_core::{Body, Error, ErrorKind};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::config::{MAX_PARTS, MIB, READ_BUFFER};
use super::error::local_io;
use super::source::ByteStream;

/// The part size actually used: large enough for [`MAX_PARTS`] parts, rounded up to a MiB.
pub(crate) fn effective_part_size(len: u64, part_size: u64) -> u64 {
    let needed = len.div_ceil(MAX_PARTS);
    if needed > part_size {
        needed.div_ceil(MIB) * MIB
    } else {
        part_size
    }
}

/// The body of one part, made replayable.
pub(crate) enum PartBody {
    Bytes(Bytes),
    File {
        path: Arc<PathBuf>,
        offset: u64,
        len: u64,
    },
    /// A body whose MD5 was already computed (a resumed upload checks it against the listed part).
    Ready(Body, String),
}

impl PartBody {
    /// The replayable body and its base64 MD5.
    pub(crate) async fn into_body(self) -> Result<(Body, String), Error> {
        match self {
            PartBody::Bytes(b) => {
                // Hashing a large part takes a while: keep it off the async workers.
                let md5 = if b.len() > 64 * 1024 {
                    let part = b.clone();
                    tokio::task::spawn_blocking(move || b64_md5(&part))
                        .await
                        .map_err(|e| {
                            Error::with_kind(
                                ErrorKind::Other,
                                format!("hashing a part failed: {e}"),
                            )
                        })?
                } else {
                    b64_md5(&b)
                };
                Ok((Body::from_bytes(b), md5))
            }
            PartBody::File { path, offset, len } => {
                let md5 = md5_of_file_range(&path, offset, len).await?;
                Ok((file_range_body(path, offset, len), md5))
            }
            PartBody::Ready(body, md5) => Ok((body, md5)),
        }
    }
}

/// The base64 MD5 of `bytes`, as `Content-MD5` carries it.
pub(crate) fn b64_md5(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(bytes))
}

async fn open_range(path: &Path, offset: u64) -> std::io::Result<tokio::fs::File> {
    let mut f = tokio::fs::File::open(path).await?;
    f.seek(SeekFrom::Start(offset)).await?;
    Ok(f)
}

/// The MD5 of `len` bytes of `path` from `offset`, read in small buffers.
pub(crate) async fn md5_of_file_range(path: &Path, offset: u64, len: u64) -> Result<String, Error> {
    let what = || format!("cannot read {} at {offset}", path.display());
    let mut f = open_range(path, offset)
        .await
        .map_err(|e| local_io(what(), e))?
        .take(len);
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; READ_BUFFER];
    let mut seen = 0u64;
    loop {
        let n = f.read(&mut buf).await.map_err(|e| local_io(what(), e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        seen += n as u64;
    }
    if seen != len {
        return Err(Error::with_kind(
            ErrorKind::Body,
            format!(
                "{} ended after {} of the {len} bytes expected at {offset}: it changed during the upload",
                path.display(),
                seen
            ),
        ));
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(hasher.finalize()))
}

/// A replayable body streaming `len` bytes of `path` from `offset`: every attempt re-opens the
/// file and seeks, so a retry re-reads only this range. Nothing is read until the body is polled.
pub(crate) fn file_range_body(path: Arc<PathBuf>, offset: u64, len: u64) -> Body {
    Body::from_factory(Some(len), move || {
        let path = path.clone();
        let state = (None::<tokio::io::Take<tokio::fs::File>>, len);
        let stream = futures_util::stream::try_unfold(state, move |(file, left)| {
            let path = path.clone();
            async move {
                if left == 0 {
                    return Ok(None);
                }
                let mut file = match file {
                    Some(f) => f,
                    None => open_range(&path, offset).await?.take(left),
                };
                let cap = usize::try_from(left)
                    .unwrap_or(READ_BUFFER)
                    .min(READ_BUFFER);
                let mut buf = BytesMut::with_capacity(cap);
                let n = file.read_buf(&mut buf).await?;
                if n == 0 {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        format!("{} is shorter than when the upload started", path.display()),
                    ));
                }
                Ok(Some((buf.freeze(), (Some(file), left - n as u64))))
            }
        });
        Body::from_stream(stream, Some(len))
    })
}

/// Reads exactly `size` bytes from `stream` (keeping any surplus in `rest`).
pub(crate) async fn read_part(
    stream: &mut ByteStream,
    rest: &mut Bytes,
    size: u64,
    offset: u64,
) -> Result<Bytes, Error> {
    let want = usize::try_from(size).map_err(|_| Error::invalid_request("part too large"))?;
    if rest.len() >= want {
        return Ok(rest.split_to(want));
    }
    let mut buf = BytesMut::with_capacity(want);
    while buf.len() < want {
        if rest.is_empty() {
            match stream.next().await {
                Some(Ok(chunk)) => *rest = chunk,
                Some(Err(e)) => return Err(Error::body(e)),
                None => {
                    return Err(Error::with_kind(
                        ErrorKind::Body,
                        format!(
                            "the upload stream ended after {} bytes; its declared length is larger",
                            offset + buf.len() as u64
                        ),
                    ))
                }
            }
            continue;
        }
        let take = (want - buf.len()).min(rest.len());
        buf.extend_from_slice(&rest.split_to(take));
    }
    Ok(buf.freeze())
}

/// Fails when the stream has more bytes than its declared length.
pub(crate) async fn expect_end(
    stream: &mut ByteStream,
    rest: &Bytes,
    len: u64,
) -> Result<(), Error> {
    let mut extra = rest.len() as u64;
    while extra == 0 {
        match stream.next().await {
            Some(Ok(chunk)) => extra += chunk.len() as u64,
            Some(Err(e)) => return Err(Error::body(e)),
            None => return Ok(()),
        }
    }
    Err(Error::with_kind(
        ErrorKind::Body,
        format!("the upload stream is longer than its declared length of {len} bytes"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::config::DEFAULT_PART_SIZE;
    use crate::transfer::download::rand_suffix;
    use oci_core::BoxError;

    #[test]
    fn part_size_grows_to_stay_within_max_parts() {
        assert_eq!(effective_part_size(100 * MIB, 10 * MIB), 10 * MIB);
        // 10,000 parts of 1 MiB hold 10,000 MiB; one byte more needs bigger parts.
        assert_eq!(effective_part_size(10_000 * MIB, MIB), MIB);
        assert_eq!(effective_part_size(10_000 * MIB + 1, MIB), 2 * MIB);
        let big = 5 * 1024 * 1024 * MIB; // 5 TiB at 128 MiB would be 40,960 parts
        let p = effective_part_size(big, DEFAULT_PART_SIZE);
        assert!(big.div_ceil(p) <= MAX_PARTS);
        assert_eq!(p % MIB, 0);
    }

    #[tokio::test]
    async fn stream_parts_are_cut_exactly() {
        let chunks: Vec<Result<Bytes, BoxError>> = vec![
            Ok(Bytes::from_static(b"abc")),
            Ok(Bytes::from_static(b"defgh")),
            Ok(Bytes::from_static(b"ij")),
        ];
        let mut s: ByteStream = futures_util::stream::iter(chunks).boxed();
        let mut rest = Bytes::new();
        assert_eq!(
            read_part(&mut s, &mut rest, 4, 0).await.ok(),
            Some(Bytes::from("abcd"))
        );
        assert_eq!(
            read_part(&mut s, &mut rest, 4, 4).await.ok(),
            Some(Bytes::from("efgh"))
        );
        assert_eq!(
            read_part(&mut s, &mut rest, 2, 8).await.ok(),
            Some(Bytes::from("ij"))
        );
        assert!(expect_end(&mut s, &rest, 10).await.is_ok());
    }

    #[tokio::test]
    async fn a_stream_of_the_wrong_length_is_an_error() {
        let short: Vec<Result<Bytes, BoxError>> = vec![Ok(Bytes::from_static(b"abc"))];
        let mut s: ByteStream = futures_util::stream::iter(short).boxed();
        let mut rest = Bytes::new();
        let e = read_part(&mut s, &mut rest, 4, 0).await.err();
        assert_eq!(e.map(|e| e.kind()), Some(ErrorKind::Body));

        let long: Vec<Result<Bytes, BoxError>> = vec![Ok(Bytes::from_static(b"abcdef"))];
        let mut s: ByteStream = futures_util::stream::iter(long).boxed();
        let mut rest = Bytes::new();
        assert!(read_part(&mut s, &mut rest, 4, 0).await.is_ok());
        assert!(expect_end(&mut s, &rest, 4).await.is_err());
    }

    #[tokio::test]
    async fn file_range_body_replays_only_its_range() {
        let dir = std::env::temp_dir().join(format!("oci-transfer-unit-{}", rand_suffix()));
        std::fs::create_dir_all(&dir).ok();
        let path = dir.join("f.bin");
        std::fs::write(&path, b"0123456789").ok();
        let body = file_range_body(Arc::new(path.clone()), 3, 4);
        assert_eq!(body.content_length(), Some(4));
        assert!(body.as_bytes().is_none(), "streamed, not buffered");
        let again = body.try_clone();
        assert_eq!(body.collect().await.ok(), Some(Bytes::from("3456")));
        let again = match again {
            Some(b) => b.collect().await.ok(),
            None => None,
        };
        assert_eq!(again, Some(Bytes::from("3456")));
        assert_eq!(
            md5_of_file_range(&path, 3, 4).await.ok(),
            Some(b64_md5(b"3456"))
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
