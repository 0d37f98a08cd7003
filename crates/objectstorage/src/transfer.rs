//! The transfer manager: large uploads in parallel parts, large downloads in parallel ranges.
//!
//! ```no_run
//! use oci_objectstorage::transfer::{Progress, TransferManager, UploadSource};
//! use oci_objectstorage::ObjectStorageClient;
//!
//! # async fn run(os: ObjectStorageClient) -> Result<(), oci_core::Error> {
//! let tm = TransferManager::builder(os)
//!     .part_size(64 * 1024 * 1024) // default: 128 MiB for files and bytes, 10 MiB for streams
//!     .parallelism(4)              // default: 3
//!     .build()?;
//! let done = tm
//!     .upload("ns", "bucket", "backup.tar", UploadSource::file("backup.tar"))
//!     .content_type("application/x-tar")
//!     .progress(|p: Progress| eprintln!("{} / {} bytes", p.bytes_done, p.total_bytes))
//!     .send()
//!     .await?;
//! println!("etag {:?} in {} part(s)", done.etag, done.parts);
//! tm.download_to_file("ns", "bucket", "backup.tar", "restored.tar").send().await?;
//! # Ok(()) }
//! ```
//!
//! # Uploads
//!
//! Content of at most one part size goes up in a single `PutObject`. Larger content goes up as a
//! multipart upload: `CreateMultipartUpload`, then `UploadPart` for each part with at most
//! `parallelism` parts in flight, then `CommitMultipartUpload` with every part's etag in order.
//! Every part (and a single put) carries `Content-MD5`, so the service rejects corrupted bytes.
//!
//! **Per-part retry.** Each `UploadPart` is one call through the client's stack, so the client's
//! retry policy applies to each part on its own. Part bodies are replayable: a part of a byte
//! source is a cheap slice of the same buffer, a part of a file is a [`Body::from_factory`] that
//! re-opens the file and seeks to the part's range on every attempt. A failed part is retried
//! without re-reading (or re-sending) the rest of the object. A part of a one-shot stream is read
//! into memory once, which makes it replayable too.
//!
//! **Failure.** When a part (or the commit) fails for good, the parts still in flight are
//! cancelled, the multipart upload is aborted (`AbortMultipartUpload`), and the part's own error
//! is returned, with a note naming the upload id (and whether the abort failed too). If the
//! upload future is dropped mid-way, the abort is spawned on the current tokio runtime.
//!
//! **Memory.** At most `parallelism` × part size bytes are held: files are never read into
//! memory (each part streams from disk, after a first pass over the same range computes its
//! MD5), byte sources are sliced, and a stream is read one part at a time, only when a slot is
//! free. Bounds are checked before any I/O: part size from [`MIN_PART_SIZE`] to
//! [`MAX_PART_SIZE`], parallelism from 1 to [`MAX_PARALLELISM`]. Content that would need more than
//! [`MAX_PARTS`] parts gets a larger part size (rounded up to a MiB) rather than an error.
//!
//! **Integrity.** A file is hashed part by part just before the part is sent; if the file
//! changes in between, the service rejects the part (MD5 mismatch) and the upload is aborted
//! rather than committed with mixed content. A file or stream that turns out shorter or longer
//! than its length fails the upload the same way.
//!
//! **Progress** is reported after each part is stored, so a retried part is never counted twice.
//!
//! # Downloads
//!
//! A `HeadObject` gives the length and etag. An object of at most one chunk
//! ([`TransferManagerBuilder::download_chunk_size`], default 16 MiB) is read with one streamed
//! `GetObject`; a larger one with ranged `GetObject`s (`Range: bytes=a-b`, at most `parallelism`
//! at once), each with `If-Match` on the etag so a concurrent overwrite fails the download
//! instead of mixing two versions. [`TransferManager::download_to_file`] writes each range at its
//! offset in a temporary file next to the target and renames it into place once the length is
//! verified against the head's `Content-Length`; [`TransferManager::download_to_writer`] writes
//! ranges in order to any [`AsyncWrite`], holding at most `parallelism` chunks. A body that breaks
//! mid-way is resumed from the last byte received (up to
//! [`TransferManagerBuilder::download_body_retries`] times per range).

use std::collections::HashMap;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt, TryStreamExt};
use md5::{Digest, Md5};
use oci_core::{Body, BoxError, Error, ErrorKind};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWrite, AsyncWriteExt};
use tokio::task::JoinSet;

use crate::operations::HeadObjectResponse;
use crate::{models, ObjectStorageClient};

/// One mebibyte.
pub const MIB: u64 = 1024 * 1024;
/// Default part size for files and in-memory bytes (as the Python SDK's `upload_file`).
pub const DEFAULT_PART_SIZE: u64 = 128 * MIB;
/// Default part size for streams and readers (as the Python SDK's `upload_stream`).
pub const DEFAULT_STREAM_PART_SIZE: u64 = 10 * MIB;
/// Default size of one ranged GET when downloading.
pub const DEFAULT_DOWNLOAD_CHUNK_SIZE: u64 = 16 * MIB;
/// Default number of parts (or ranges) in flight.
pub const DEFAULT_PARALLELISM: usize = 3;
/// Smallest accepted part (and download chunk) size.
pub const MIN_PART_SIZE: u64 = MIB;
/// Largest part Object Storage accepts (50 GiB).
pub const MAX_PART_SIZE: u64 = 50 * 1024 * MIB;
/// Most parts one multipart upload may have.
pub const MAX_PARTS: u64 = 10_000;
/// Largest accepted parallelism.
pub const MAX_PARALLELISM: usize = 128;
/// Default number of times a broken download body is resumed, per range.
pub const DEFAULT_DOWNLOAD_BODY_RETRIES: u32 = 3;

const READ_BUFFER: usize = 256 * 1024;
const WRITE_BUFFER: usize = 1024 * 1024;

/// How far a transfer has got.
///
/// ```
/// use oci_objectstorage::transfer::Progress;
/// let p = Progress { bytes_done: 25, total_bytes: 100 };
/// assert_eq!(p.fraction(), 0.25);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes stored (uploads: in completed parts) or written (downloads) so far.
    pub bytes_done: u64,
    /// The object's length.
    pub total_bytes: u64,
}

impl Progress {
    /// `bytes_done / total_bytes`, `1.0` for an empty object.
    pub fn fraction(&self) -> f64 {
        if self.total_bytes == 0 {
            1.0
        } else {
            self.bytes_done as f64 / self.total_bytes as f64
        }
    }
}

type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Counts bytes and calls the callback with a monotonic total (under a lock, so keep it quick).
struct Tracker {
    total: u64,
    done: Mutex<u64>,
    callback: Option<ProgressFn>,
}

impl Tracker {
    fn new(total: u64, callback: Option<ProgressFn>) -> Arc<Self> {
        Arc::new(Tracker {
            total,
            done: Mutex::new(0),
            callback,
        })
    }

    fn add(&self, n: u64) {
        let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        *done += n;
        if let Some(f) = &self.callback {
            f(Progress {
                bytes_done: *done,
                total_bytes: self.total,
            });
        }
    }
}

/// Uploads and downloads large objects in parallel parts; cheap to clone.
///
/// ```no_run
/// use oci_objectstorage::transfer::{TransferManager, UploadSource};
/// # async fn run(os: oci_objectstorage::ObjectStorageClient) -> Result<(), oci_core::Error> {
/// let tm = TransferManager::new(os); // defaults: 128 MiB parts (10 MiB for streams), 3 in flight
/// tm.upload("ns", "bucket", "hello.txt", UploadSource::bytes("hello")).send().await?;
/// # Ok(()) }
/// ```
///
/// See the [module docs](self) for how parts are sent, retried and aborted.
#[derive(Clone)]
pub struct TransferManager {
    client: ObjectStorageClient,
    config: Config,
}

#[derive(Debug, Clone, Copy)]
struct Config {
    part_size: Option<u64>,
    parallelism: usize,
    download_chunk_size: u64,
    download_body_retries: u32,
}

impl fmt::Debug for TransferManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransferManager")
            .field("part_size", &self.config.part_size)
            .field("parallelism", &self.config.parallelism)
            .field("download_chunk_size", &self.config.download_chunk_size)
            .field("download_body_retries", &self.config.download_body_retries)
            .finish_non_exhaustive()
    }
}

/// Configures a [`TransferManager`].
///
/// ```
/// use oci_objectstorage::transfer::TransferManager;
/// # fn run(os: oci_objectstorage::ObjectStorageClient) -> Result<(), oci_core::Error> {
/// let tm = TransferManager::builder(os.clone()).part_size(8 * 1024 * 1024).parallelism(8).build()?;
/// assert!(TransferManager::builder(os).parallelism(0).build().is_err());
/// # let _ = tm; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct TransferManagerBuilder {
    client: ObjectStorageClient,
    config: Config,
}

impl TransferManagerBuilder {
    /// The part size for every upload (default: [`DEFAULT_PART_SIZE`] for files and bytes,
    /// [`DEFAULT_STREAM_PART_SIZE`] for streams and readers).
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.config.part_size = Some(bytes);
        self
    }

    /// How many parts (uploads) or ranges (downloads) are in flight at once (default 3).
    pub fn parallelism(mut self, n: usize) -> Self {
        self.config.parallelism = n;
        self
    }

    /// The size of one ranged GET (default [`DEFAULT_DOWNLOAD_CHUNK_SIZE`]); objects of at most
    /// this size are read with a single GET.
    pub fn download_chunk_size(mut self, bytes: u64) -> Self {
        self.config.download_chunk_size = bytes;
        self
    }

    /// How many times a download body that breaks mid-way is resumed, per range (default 3).
    pub fn download_body_retries(mut self, n: u32) -> Self {
        self.config.download_body_retries = n;
        self
    }

    /// The manager, or an [`ErrorKind::InvalidRequest`] error for a size or parallelism out of
    /// bounds.
    pub fn build(self) -> Result<TransferManager, Error> {
        if let Some(p) = self.config.part_size {
            check_part_size(p, "part size")?;
        }
        check_part_size(self.config.download_chunk_size, "download chunk size")?;
        if !(1..=MAX_PARALLELISM).contains(&self.config.parallelism) {
            return Err(Error::invalid_request(format!(
                "parallelism must be from 1 to {MAX_PARALLELISM}, not {}",
                self.config.parallelism
            )));
        }
        Ok(TransferManager {
            client: self.client,
            config: self.config,
        })
    }
}

fn check_part_size(bytes: u64, what: &str) -> Result<(), Error> {
    if (MIN_PART_SIZE..=MAX_PART_SIZE).contains(&bytes) {
        Ok(())
    } else {
        Err(Error::invalid_request(format!(
            "{what} must be from {MIN_PART_SIZE} bytes (1 MiB) to {MAX_PART_SIZE} bytes (50 GiB), not {bytes}"
        )))
    }
}

impl TransferManager {
    /// A manager with the default settings.
    pub fn new(client: ObjectStorageClient) -> Self {
        TransferManager {
            client,
            config: Config {
                part_size: None,
                parallelism: DEFAULT_PARALLELISM,
                download_chunk_size: DEFAULT_DOWNLOAD_CHUNK_SIZE,
                download_body_retries: DEFAULT_DOWNLOAD_BODY_RETRIES,
            },
        }
    }

    /// A builder starting from the defaults.
    pub fn builder(client: ObjectStorageClient) -> TransferManagerBuilder {
        TransferManagerBuilder {
            config: TransferManager::new(client.clone()).config,
            client,
        }
    }

    /// The Object Storage client the manager sends through.
    pub fn client(&self) -> &ObjectStorageClient {
        &self.client
    }

    /// Starts an upload of `source` to `namespace/bucket/object`; finish with `.send().await`.
    pub fn upload(
        &self,
        namespace: impl Into<String>,
        bucket: impl Into<String>,
        object: impl Into<String>,
        source: UploadSource,
    ) -> Upload {
        Upload {
            manager: self.clone(),
            target: Target {
                namespace: namespace.into(),
                bucket: bucket.into(),
                object: object.into(),
            },
            source,
            part_size: None,
            headers: ContentHeaders::default(),
            metadata: HashMap::new(),
            progress: None,
        }
    }

    /// Starts a download of `namespace/bucket/object` into the file at `path` (replaced only
    /// once every byte has arrived); finish with `.send().await`.
    pub fn download_to_file(
        &self,
        namespace: impl Into<String>,
        bucket: impl Into<String>,
        object: impl Into<String>,
        path: impl Into<PathBuf>,
    ) -> Download<'static> {
        self.download(namespace, bucket, object, Sink::File(path.into()))
    }

    /// Starts a download of `namespace/bucket/object` into `writer`, in order; finish with
    /// `.send().await`. The writer is flushed at the end, not shut down.
    pub fn download_to_writer<'w, W>(
        &self,
        namespace: impl Into<String>,
        bucket: impl Into<String>,
        object: impl Into<String>,
        writer: W,
    ) -> Download<'w>
    where
        W: AsyncWrite + Unpin + Send + 'w,
    {
        self.download(namespace, bucket, object, Sink::Writer(Box::new(writer)))
    }

    fn download<'w>(
        &self,
        namespace: impl Into<String>,
        bucket: impl Into<String>,
        object: impl Into<String>,
        sink: Sink<'w>,
    ) -> Download<'w> {
        Download {
            manager: self.clone(),
            target: Target {
                namespace: namespace.into(),
                bucket: bucket.into(),
                object: object.into(),
            },
            sink,
            progress: None,
        }
    }
}

#[derive(Debug, Clone)]
struct Target {
    namespace: String,
    bucket: String,
    object: String,
}

impl Target {
    /// Rejects an empty name before any I/O.
    fn check(&self) -> Result<(), Error> {
        for (name, v) in [
            ("namespaceName", &self.namespace),
            ("bucketName", &self.bucket),
            ("objectName", &self.object),
        ] {
            if v.is_empty() {
                return Err(Error::invalid_request(format!(
                    "path parameter `{name}` must not be empty"
                )));
            }
        }
        Ok(())
    }
}

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
    kind: SourceKind,
}

enum SourceKind {
    Bytes(Bytes),
    File(PathBuf),
    Stream { stream: ByteStream, len: u64 },
}

type ByteStream = BoxStream<'static, Result<Bytes, BoxError>>;

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

#[derive(Debug, Clone, Default)]
struct ContentHeaders {
    content_type: Option<String>,
    content_language: Option<String>,
    content_encoding: Option<String>,
    content_disposition: Option<String>,
    cache_control: Option<String>,
}

/// One upload, being configured; finish with [`Upload::send`] (or `.await` it).
///
/// ```no_run
/// use oci_objectstorage::transfer::{TransferManager, UploadSource};
/// # async fn run(tm: TransferManager) -> Result<(), oci_core::Error> {
/// let out = tm
///     .upload("ns", "bucket", "logs/today.log", UploadSource::file("today.log"))
///     .part_size(16 * 1024 * 1024)
///     .content_type("text/plain")
///     .metadata("source", "app-1")
///     .await?;
/// assert!(out.parts >= 1);
/// # Ok(()) }
/// ```
pub struct Upload {
    manager: TransferManager,
    target: Target,
    source: UploadSource,
    part_size: Option<u64>,
    headers: ContentHeaders,
    metadata: HashMap<String, String>,
    progress: Option<ProgressFn>,
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("target", &self.target)
            .field("source", &self.source)
            .field("part_size", &self.part_size)
            .field("headers", &self.headers)
            .field("metadata", &self.metadata)
            .finish_non_exhaustive()
    }
}

impl Upload {
    /// This upload's part size, overriding the manager's (checked against the same bounds).
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.part_size = Some(bytes);
        self
    }
    /// The object's `Content-Type` (default `application/octet-stream`).
    pub fn content_type(mut self, v: impl Into<String>) -> Self {
        self.headers.content_type = Some(v.into());
        self
    }
    /// The object's `Content-Language`.
    pub fn content_language(mut self, v: impl Into<String>) -> Self {
        self.headers.content_language = Some(v.into());
        self
    }
    /// The object's `Content-Encoding`.
    pub fn content_encoding(mut self, v: impl Into<String>) -> Self {
        self.headers.content_encoding = Some(v.into());
        self
    }
    /// The object's `Content-Disposition`.
    pub fn content_disposition(mut self, v: impl Into<String>) -> Self {
        self.headers.content_disposition = Some(v.into());
        self
    }
    /// The object's `Cache-Control`.
    pub fn cache_control(mut self, v: impl Into<String>) -> Self {
        self.headers.cache_control = Some(v.into());
        self
    }
    /// One user metadata entry (`opc-meta-{key}`; a key given with the prefix keeps it once).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        let key = key
            .strip_prefix("opc-meta-")
            .map(str::to_owned)
            .unwrap_or(key);
        self.metadata.insert(key, value.into());
        self
    }
    /// Called with the bytes stored so far after each part (once for a single put). Calls are
    /// serialized and their totals only grow; keep the callback quick.
    pub fn progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Runs the upload.
    pub async fn send(self) -> Result<UploadOutput, Error> {
        let Upload {
            manager,
            target,
            source,
            part_size,
            headers,
            metadata,
            progress,
        } = self;
        target.check()?;
        if let Some(p) = part_size {
            check_part_size(p, "part size")?;
        }
        let (len, default_part) = match &source.kind {
            SourceKind::Bytes(b) => (b.len() as u64, DEFAULT_PART_SIZE),
            SourceKind::File(p) => {
                let meta = tokio::fs::metadata(p).await.map_err(|e| {
                    Error::invalid_request(format!("cannot upload {}: {e}", p.display()))
                        .with_source(e)
                })?;
                if !meta.is_file() {
                    return Err(Error::invalid_request(format!(
                        "cannot upload {}: not a regular file",
                        p.display()
                    )));
                }
                (meta.len(), DEFAULT_PART_SIZE)
            }
            SourceKind::Stream { len, .. } => (*len, DEFAULT_STREAM_PART_SIZE),
        };
        let part_size = part_size
            .or(manager.config.part_size)
            .unwrap_or(default_part);
        let part_size = effective_part_size(len, part_size);
        if part_size > MAX_PART_SIZE {
            return Err(Error::invalid_request(format!(
                "{len} bytes do not fit in {MAX_PARTS} parts of at most {MAX_PART_SIZE} bytes"
            )));
        }
        let tracker = Tracker::new(len, progress);
        let job = Job {
            client: manager.client.clone(),
            target: Arc::new(target),
            headers,
            metadata,
        };
        if len <= part_size {
            job.single(source.kind, len, &tracker).await
        } else {
            job.multipart(
                source.kind,
                len,
                part_size,
                manager.config.parallelism,
                tracker,
            )
            .await
        }
    }
}

impl IntoFuture for Upload {
    type Output = Result<UploadOutput, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The part size actually used: large enough for [`MAX_PARTS`] parts, rounded up to a MiB.
fn effective_part_size(len: u64, part_size: u64) -> u64 {
    let needed = len.div_ceil(MAX_PARTS);
    if needed > part_size {
        needed.div_ceil(MIB) * MIB
    } else {
        part_size
    }
}

/// What an upload did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadOutput {
    /// The new object's etag.
    pub etag: Option<String>,
    /// The `opc-request-id` of the final call (`PutObject` or `CommitMultipartUpload`).
    pub opc_request_id: Option<String>,
    /// Bytes uploaded.
    pub bytes: u64,
    /// The part size used (after any increase to stay within [`MAX_PARTS`]); the content
    /// length for a single `PutObject`.
    pub part_size: u64,
    /// Parts sent: 1 for a single `PutObject`.
    pub parts: u32,
    /// The multipart upload's id; `None` for a single `PutObject`.
    pub upload_id: Option<String>,
    /// The base64 MD5 the service computed (`opc-content-md5`) for a single put.
    pub content_md5: Option<String>,
    /// The service's `opc-multipart-md5` (`base64-of-md5s-N`) for a multipart upload.
    pub multipart_md5: Option<String>,
}

struct Job {
    client: ObjectStorageClient,
    target: Arc<Target>,
    headers: ContentHeaders,
    metadata: HashMap<String, String>,
}

/// The body of one part, made replayable.
enum PartBody {
    Bytes(Bytes),
    File {
        path: Arc<PathBuf>,
        offset: u64,
        len: u64,
    },
}

impl Job {
    async fn single(
        self,
        source: SourceKind,
        len: u64,
        tracker: &Tracker,
    ) -> Result<UploadOutput, Error> {
        let part = match source {
            SourceKind::Bytes(b) => PartBody::Bytes(b),
            SourceKind::File(path) => PartBody::File {
                path: Arc::new(path),
                offset: 0,
                len,
            },
            SourceKind::Stream { mut stream, len } => {
                let mut rest = Bytes::new();
                let b = read_part(&mut stream, &mut rest, len, 0).await?;
                expect_end(&mut stream, &rest, len).await?;
                PartBody::Bytes(b)
            }
        };
        let (body, md5) = part.into_body().await?;
        let t = &self.target;
        let h = self.headers;
        let mut req = self
            .client
            .put_object()
            .namespace_name(&t.namespace)
            .bucket_name(&t.bucket)
            .object_name(&t.object)
            .content_md5(md5)
            .content_type(
                h.content_type
                    .unwrap_or_else(|| "application/octet-stream".into()),
            )
            .put_object_body(body);
        let r = req.request_mut();
        r.content_language = h.content_language;
        r.content_encoding = h.content_encoding;
        r.content_disposition = h.content_disposition;
        r.cache_control = h.cache_control;
        if !self.metadata.is_empty() {
            r.opc_meta = Some(self.metadata);
        }
        let out = req.send().await?;
        tracker.add(len);
        Ok(UploadOutput {
            etag: out.etag,
            opc_request_id: out.opc_request_id,
            bytes: len,
            part_size: len,
            parts: 1,
            upload_id: None,
            content_md5: out.opc_content_md5,
            multipart_md5: None,
        })
    }

    async fn multipart(
        self,
        source: SourceKind,
        len: u64,
        part_size: u64,
        parallelism: usize,
        tracker: Arc<Tracker>,
    ) -> Result<UploadOutput, Error> {
        let t = self.target.clone();
        let h = self.headers.clone();
        let details = models::CreateMultipartUploadDetails {
            object: t.object.clone(),
            content_type: Some(
                h.content_type
                    .unwrap_or_else(|| "application/octet-stream".into()),
            ),
            content_language: h.content_language,
            content_encoding: h.content_encoding,
            content_disposition: h.content_disposition,
            cache_control: h.cache_control,
            metadata: (!self.metadata.is_empty()).then(|| {
                self.metadata
                    .iter()
                    .map(|(k, v)| (format!("opc-meta-{k}"), v.clone()))
                    .collect()
            }),
            ..Default::default()
        };
        let created = self
            .client
            .create_multipart_upload()
            .namespace_name(&t.namespace)
            .bucket_name(&t.bucket)
            .create_multipart_upload_details(details)
            .send()
            .await?;
        let upload_id = created.body.upload_id;
        let mut guard = AbortOnDrop::new(&self.client, &t, &upload_id);
        let count = len.div_ceil(part_size);
        let result = self
            .upload_parts(
                source,
                len,
                part_size,
                count,
                parallelism,
                &upload_id,
                &tracker,
            )
            .await;
        let result = match result {
            Ok(etags) => self.commit(&upload_id, etags).await.map_err(|e| (None, e)),
            Err(e) => Err(e),
        };
        match result {
            Ok(out) => {
                guard.disarm();
                Ok(UploadOutput {
                    etag: out.etag,
                    opc_request_id: out.opc_request_id,
                    bytes: len,
                    part_size,
                    parts: u32::try_from(count).unwrap_or(u32::MAX),
                    upload_id: Some(upload_id),
                    content_md5: None,
                    multipart_md5: out.opc_multipart_md5,
                })
            }
            Err((part, err)) => {
                let what = match part {
                    Some(n) => format!("part {n} failed"),
                    None => "the commit failed".to_owned(),
                };
                // The guard stays armed until the abort answers: dropping this future while it
                // waits still aborts (a second abort of the same upload is harmless).
                let abort = abort_request(&self.client, &t, &upload_id).send().await;
                guard.disarm();
                let note = match abort {
                    Ok(_) => format!("{what}; multipart upload {upload_id} aborted"),
                    Err(e) => format!(
                        "{what}; aborting multipart upload {upload_id} failed too ({e}): abort it to free its parts"
                    ),
                };
                let note = match err.note() {
                    Some(prev) => format!("{prev}; {note}"),
                    None => note,
                };
                Err(err.with_note(note))
            }
        }
    }

    /// Sends every part with at most `parallelism` in flight; the etags in part order, or the
    /// first failure with its part number.
    #[allow(clippy::too_many_arguments)]
    async fn upload_parts(
        &self,
        source: SourceKind,
        len: u64,
        part_size: u64,
        count: u64,
        parallelism: usize,
        upload_id: &str,
        tracker: &Tracker,
    ) -> Result<Vec<String>, (Option<u64>, Error)> {
        let mut etags: Vec<Option<String>> = vec![None; usize::try_from(count).unwrap_or(0)];
        let mut tasks = PartTasks::new();
        let mut source = source;
        let mut rest = Bytes::new();
        let path = match &source {
            SourceKind::File(p) => Some(Arc::new(p.clone())),
            _ => None,
        };
        for index in 0..count {
            while tasks.len() >= parallelism {
                if let Err(e) = join_one(&mut tasks, &mut etags, tracker).await {
                    tasks.shutdown().await;
                    return Err(e);
                }
            }
            let number = index + 1;
            let offset = index * part_size;
            let size = part_size.min(len - offset);
            let part = match (&mut source, &path) {
                (SourceKind::Bytes(b), _) => {
                    // Bounds hold: offset + size <= len == b.len().
                    let start = usize::try_from(offset).unwrap_or(usize::MAX);
                    let end = usize::try_from(offset + size).unwrap_or(usize::MAX);
                    PartBody::Bytes(b.slice(start..end))
                }
                (SourceKind::File(_), Some(path)) => PartBody::File {
                    path: path.clone(),
                    offset,
                    len: size,
                },
                (SourceKind::Stream { stream, .. }, _) => {
                    match read_part(stream, &mut rest, size, offset).await {
                        Ok(b) => PartBody::Bytes(b),
                        Err(e) => {
                            tasks.shutdown().await;
                            return Err((Some(number), e));
                        }
                    }
                }
                (SourceKind::File(_), None) => {
                    return Err((
                        Some(number),
                        Error::with_kind(ErrorKind::Other, "file source without a path"),
                    ))
                }
            };
            let client = self.client.clone();
            let target = self.target.clone();
            let upload_id = upload_id.to_owned();
            tasks.spawn(async move {
                upload_part(client, &target, &upload_id, number, part)
                    .await
                    .map(|etag| (number, etag, size))
                    .map_err(|e| (number, e))
            });
        }
        while !tasks.is_empty() {
            if let Err(e) = join_one(&mut tasks, &mut etags, tracker).await {
                tasks.shutdown().await;
                return Err(e);
            }
        }
        if let SourceKind::Stream { stream, .. } = &mut source {
            if let Err(e) = expect_end(stream, &rest, len).await {
                return Err((None, e));
            }
        }
        etags
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                e.ok_or_else(|| {
                    (
                        Some(i as u64 + 1),
                        Error::with_kind(ErrorKind::Other, "a part finished without an etag"),
                    )
                })
            })
            .collect()
    }

    async fn commit(
        &self,
        upload_id: &str,
        etags: Vec<String>,
    ) -> Result<crate::operations::CommitMultipartUploadResponse, Error> {
        let t = &self.target;
        let parts = etags
            .into_iter()
            .enumerate()
            .map(|(i, etag)| models::CommitMultipartUploadPartDetails {
                part_num: i as i64 + 1,
                etag,
            })
            .collect();
        self.client
            .commit_multipart_upload()
            .namespace_name(&t.namespace)
            .bucket_name(&t.bucket)
            .object_name(&t.object)
            .upload_id(upload_id)
            .commit_multipart_upload_details(models::CommitMultipartUploadDetails {
                parts_to_commit: parts,
                ..Default::default()
            })
            .send()
            .await
    }
}

/// Part uploads in flight: each ends with (part number, etag, size) or (part number, error).
type PartTasks = JoinSet<Result<(u64, String, u64), (u64, Error)>>;

/// Waits for one part task; records its etag and progress, or returns its error.
async fn join_one(
    tasks: &mut PartTasks,
    etags: &mut [Option<String>],
    tracker: &Tracker,
) -> Result<(), (Option<u64>, Error)> {
    match tasks.join_next().await {
        None => Ok(()),
        Some(Ok(Ok((number, etag, size)))) => {
            if let Some(slot) = usize::try_from(number - 1)
                .ok()
                .and_then(|i| etags.get_mut(i))
            {
                *slot = Some(etag);
            }
            tracker.add(size);
            Ok(())
        }
        Some(Ok(Err((number, e)))) => Err((Some(number), e)),
        Some(Err(join)) => Err((
            None,
            Error::with_kind(
                ErrorKind::Other,
                format!("a part upload task failed: {join}"),
            ),
        )),
    }
}

async fn upload_part(
    client: ObjectStorageClient,
    t: &Target,
    upload_id: &str,
    number: u64,
    part: PartBody,
) -> Result<String, Error> {
    let (body, md5) = part.into_body().await?;
    let out = client
        .upload_part()
        .namespace_name(&t.namespace)
        .bucket_name(&t.bucket)
        .object_name(&t.object)
        .upload_id(upload_id)
        .upload_part_num(i64::try_from(number).unwrap_or(i64::MAX))
        .content_md5(md5)
        .upload_part_body(body)
        .send()
        .await?;
    out.etag.ok_or_else(|| {
        Error::with_kind(
            ErrorKind::Deserialize,
            format!("UploadPart for part {number} answered without an etag"),
        )
        .with_opc_request_id_if_missing(|| out.opc_request_id.clone())
    })
}

impl PartBody {
    /// The replayable body and its base64 MD5.
    async fn into_body(self) -> Result<(Body, String), Error> {
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
        }
    }
}

fn b64_md5(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(bytes))
}

fn local_io(what: String, e: std::io::Error) -> Error {
    Error::with_kind(ErrorKind::Body, format!("{what}: {e}")).with_source(e)
}

async fn open_range(path: &Path, offset: u64) -> std::io::Result<tokio::fs::File> {
    let mut f = tokio::fs::File::open(path).await?;
    f.seek(SeekFrom::Start(offset)).await?;
    Ok(f)
}

/// The MD5 of `len` bytes of `path` from `offset`, read in small buffers.
async fn md5_of_file_range(path: &Path, offset: u64, len: u64) -> Result<String, Error> {
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
fn file_range_body(path: Arc<PathBuf>, offset: u64, len: u64) -> Body {
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
async fn read_part(
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
async fn expect_end(stream: &mut ByteStream, rest: &Bytes, len: u64) -> Result<(), Error> {
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

fn abort_request(
    client: &ObjectStorageClient,
    t: &Target,
    upload_id: &str,
) -> crate::Fluent<crate::operations::AbortMultipartUpload> {
    client
        .abort_multipart_upload()
        .namespace_name(&t.namespace)
        .bucket_name(&t.bucket)
        .object_name(&t.object)
        .upload_id(upload_id)
}

/// Aborts the multipart upload when the upload future is dropped before it finished.
struct AbortOnDrop {
    pending: Option<crate::Fluent<crate::operations::AbortMultipartUpload>>,
}

impl AbortOnDrop {
    fn new(client: &ObjectStorageClient, t: &Target, upload_id: &str) -> Self {
        AbortOnDrop {
            pending: Some(abort_request(client, t, upload_id)),
        }
    }
    fn disarm(&mut self) {
        self.pending = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(abort) = self.pending.take() {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    let _ = abort.send().await;
                });
            }
        }
    }
}

// ----------------------------------------------------------------------------------------------
// Downloads

enum Sink<'w> {
    File(PathBuf),
    Writer(Box<dyn AsyncWrite + Unpin + Send + 'w>),
}

/// One download, being configured; finish with [`Download::send`] (or `.await` it).
///
/// ```no_run
/// use oci_objectstorage::transfer::TransferManager;
/// # async fn run(tm: TransferManager) -> Result<(), oci_core::Error> {
/// let mut out = Vec::new();
/// let done = tm
///     .download_to_writer("ns", "bucket", "report.csv", &mut out)
///     .progress(|p| eprintln!("{:.0}%", p.fraction() * 100.0))
///     .await?;
/// assert_eq!(done.bytes, out.len() as u64);
/// # Ok(()) }
/// ```
pub struct Download<'w> {
    manager: TransferManager,
    target: Target,
    sink: Sink<'w>,
    progress: Option<ProgressFn>,
}

impl fmt::Debug for Download<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sink = match &self.sink {
            Sink::File(p) => format!("file {p:?}"),
            Sink::Writer(_) => "writer".to_owned(),
        };
        f.debug_struct("Download")
            .field("target", &self.target)
            .field("sink", &sink)
            .finish_non_exhaustive()
    }
}

/// What a download did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DownloadOutput {
    /// Bytes written (equal to the object's `Content-Length`).
    pub bytes: u64,
    /// The number of ranges the object was read in (1: a single GET).
    pub chunks: u32,
    /// The object's metadata from `HeadObject` (etag, content type, `opc-meta-*`...).
    pub object: HeadObjectResponse,
}

impl<'w> Download<'w> {
    /// Called with the bytes written so far, as they are written (for a writer: per range).
    /// Calls come from several tasks but are serialized, and their totals only grow; keep the
    /// callback quick.
    pub fn progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Runs the download.
    pub async fn send(self) -> Result<DownloadOutput, Error> {
        let Download {
            manager,
            target,
            sink,
            progress,
        } = self;
        target.check()?;
        let t = &target;
        let head = manager
            .client
            .head_object()
            .namespace_name(&t.namespace)
            .bucket_name(&t.bucket)
            .object_name(&t.object)
            .send()
            .await?;
        let size = head.content_length.ok_or_else(|| {
            Error::with_kind(
                ErrorKind::Deserialize,
                "HeadObject answered without a content-length",
            )
            .with_opc_request_id_if_missing(|| head.opc_request_id.clone())
        })?;
        let chunk = manager.config.download_chunk_size;
        let ctx = Arc::new(Fetch {
            client: manager.client.clone(),
            target: target.clone(),
            etag: head.etag.clone(),
            retries: manager.config.download_body_retries,
        });
        let tracker = Tracker::new(size, progress);
        let count = if size <= chunk {
            1
        } else {
            size.div_ceil(chunk)
        };
        let parallelism = manager.config.parallelism;
        match sink {
            Sink::File(path) => {
                download_file(&ctx, &path, size, chunk, count, parallelism, &tracker).await?
            }
            Sink::Writer(mut w) => {
                download_writer(&ctx, &mut w, size, chunk, count, parallelism, &tracker).await?
            }
        }
        Ok(DownloadOutput {
            bytes: size,
            chunks: u32::try_from(count).unwrap_or(u32::MAX),
            object: head,
        })
    }
}

impl<'w> IntoFuture for Download<'w> {
    type Output = Result<DownloadOutput, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'w>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

struct Fetch {
    client: ObjectStorageClient,
    target: Target,
    etag: Option<String>,
    retries: u32,
}

impl Fetch {
    /// Streams `len` bytes from `start` into `out`; `whole` asks for the whole object without a
    /// range header on the first request. A broken body is resumed from the last byte received.
    async fn range<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        start: u64,
        len: u64,
        whole: bool,
        out: &mut W,
        tracker: Option<&Tracker>,
    ) -> Result<(), Error> {
        let t = &self.target;
        let mut pos = 0u64;
        let mut resumed = 0u32;
        loop {
            let mut req = self
                .client
                .get_object()
                .namespace_name(&t.namespace)
                .bucket_name(&t.bucket)
                .object_name(&t.object);
            if let Some(etag) = &self.etag {
                req = req.if_match(etag);
            }
            if !(whole && pos == 0) {
                req = req.range(format!("bytes={}-{}", start + pos, start + len - 1));
            }
            let resp = req.send().await?;
            let expected = len - pos;
            if let Some(n) = resp.content_length {
                if n != expected {
                    return Err(Error::with_kind(
                        ErrorKind::Body,
                        format!(
                            "GetObject sent {n} bytes where {expected} were expected (from byte {})",
                            start + pos
                        ),
                    )
                    .with_opc_request_id_if_missing(|| resp.opc_request_id.clone()));
                }
            }
            let request_id = resp.opc_request_id.clone();
            let mut body = resp.body.into_data_stream();
            let mut failure = None;
            while let Some(item) = body.next().await {
                match item {
                    Ok(bytes) => {
                        let n = bytes.len() as u64;
                        if pos + n > len {
                            return Err(Error::with_kind(
                                ErrorKind::Body,
                                format!("GetObject sent more than the {len} bytes expected"),
                            )
                            .with_opc_request_id_if_missing(|| request_id.clone()));
                        }
                        out.write_all(&bytes)
                            .await
                            .map_err(|e| local_io("cannot write the download".into(), e))?;
                        pos += n;
                        if let Some(tr) = tracker {
                            tr.add(n);
                        }
                    }
                    Err(e) => {
                        failure = Some(Error::body(e));
                        break;
                    }
                }
            }
            let failure = match failure {
                None if pos == len => return Ok(()),
                None => Error::with_kind(
                    ErrorKind::Body,
                    format!("GetObject ended after {pos} of {len} bytes (from byte {start})"),
                ),
                Some(e) => e,
            };
            if resumed >= self.retries {
                return Err(failure.with_opc_request_id_if_missing(|| request_id.clone()));
            }
            resumed += 1;
            tracing::debug!(
                start = start + pos,
                resumed,
                "object body broke mid-way; resuming the range"
            );
        }
    }
}

async fn download_file(
    ctx: &Arc<Fetch>,
    path: &Path,
    size: u64,
    chunk: u64,
    count: u64,
    parallelism: usize,
    tracker: &Arc<Tracker>,
) -> Result<(), Error> {
    let tmp = temp_path(path);
    let result = fill_file(ctx, &tmp, size, chunk, count, parallelism, tracker).await;
    let result = match result {
        Ok(()) => tokio::fs::rename(&tmp, path).await.map_err(|e| {
            local_io(
                format!("cannot move the download into {}", path.display()),
                e,
            )
        }),
        Err(e) => Err(e),
    };
    if result.is_err() {
        let _ = tokio::fs::remove_file(&tmp).await;
    }
    result
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "download".into());
    let unique = rand_suffix();
    path.with_file_name(format!(".{name}.{unique}.part"))
}

fn rand_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(u64::from(std::process::id()));
    format!("{:016x}", h.finish())
}

async fn fill_file(
    ctx: &Arc<Fetch>,
    tmp: &Path,
    size: u64,
    chunk: u64,
    count: u64,
    parallelism: usize,
    tracker: &Arc<Tracker>,
) -> Result<(), Error> {
    let what = || format!("cannot write {}", tmp.display());
    let file = tokio::fs::File::create(tmp)
        .await
        .map_err(|e| local_io(what(), e))?;
    file.set_len(size).await.map_err(|e| local_io(what(), e))?;
    if count == 1 {
        let mut w = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
        ctx.range(0, size, true, &mut w, Some(tracker)).await?;
        w.flush().await.map_err(|e| local_io(what(), e))?;
    } else {
        drop(file);
        let mut tasks: JoinSet<Result<(), Error>> = JoinSet::new();
        for index in 0..count {
            while tasks.len() >= parallelism {
                join_range(&mut tasks).await?;
            }
            let start = index * chunk;
            let len = chunk.min(size - start);
            let ctx = ctx.clone();
            let tracker = tracker.clone();
            let tmp = tmp.to_owned();
            tasks.spawn(async move {
                let what = || format!("cannot write {}", tmp.display());
                let mut f = tokio::fs::OpenOptions::new()
                    .write(true)
                    .open(&tmp)
                    .await
                    .map_err(|e| local_io(what(), e))?;
                f.seek(SeekFrom::Start(start))
                    .await
                    .map_err(|e| local_io(what(), e))?;
                let mut w = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, f);
                ctx.range(start, len, false, &mut w, Some(&tracker)).await?;
                w.flush().await.map_err(|e| local_io(what(), e))
            });
        }
        while !tasks.is_empty() {
            join_range(&mut tasks).await?;
        }
    }
    let written = tokio::fs::metadata(tmp)
        .await
        .map_err(|e| local_io(what(), e))?
        .len();
    if written != size {
        return Err(Error::with_kind(
            ErrorKind::Body,
            format!("the download has {written} bytes where HeadObject said {size}"),
        ));
    }
    Ok(())
}

async fn join_range(tasks: &mut JoinSet<Result<(), Error>>) -> Result<(), Error> {
    match tasks.join_next().await {
        None | Some(Ok(Ok(()))) => Ok(()),
        Some(Ok(Err(e))) => {
            tasks.shutdown().await;
            Err(e)
        }
        Some(Err(join)) => {
            tasks.shutdown().await;
            Err(Error::with_kind(
                ErrorKind::Other,
                format!("a range download task failed: {join}"),
            ))
        }
    }
}

async fn download_writer(
    ctx: &Arc<Fetch>,
    out: &mut (dyn AsyncWrite + Unpin + Send + '_),
    size: u64,
    chunk: u64,
    count: u64,
    parallelism: usize,
    tracker: &Tracker,
) -> Result<(), Error> {
    let flush_err = |e| local_io("cannot flush the download".into(), e);
    if count == 1 {
        ctx.range(0, size, true, out, Some(tracker)).await?;
        return out.flush().await.map_err(flush_err);
    }
    let mut ranges = futures_util::stream::iter(0..count)
        .map(|index| {
            let ctx = ctx.clone();
            async move {
                let start = index * chunk;
                let len = chunk.min(size - start);
                let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
                ctx.range(start, len, false, &mut buf, None).await?;
                Ok::<_, Error>(buf)
            }
        })
        .buffered(parallelism);
    let mut written = 0u64;
    while let Some(buf) = ranges.next().await {
        let buf = buf?;
        out.write_all(&buf)
            .await
            .map_err(|e| local_io("cannot write the download".into(), e))?;
        written += buf.len() as u64;
        tracker.add(buf.len() as u64);
    }
    out.flush().await.map_err(flush_err)?;
    if written != size {
        return Err(Error::with_kind(
            ErrorKind::Body,
            format!("the download has {written} bytes where HeadObject said {size}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn bounds_are_checked() {
        assert!(check_part_size(MIB - 1, "p").is_err());
        assert!(check_part_size(MIB, "p").is_ok());
        assert!(check_part_size(MAX_PART_SIZE, "p").is_ok());
        assert!(check_part_size(MAX_PART_SIZE + 1, "p").is_err());
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
