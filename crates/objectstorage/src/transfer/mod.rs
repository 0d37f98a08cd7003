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
//! **Resume.** With [`Upload::keep_on_failure`] a failed (or cancelled, or dropped) upload leaves
//! its multipart upload in place and the error's note names it ([`resumable_upload_id`]; it is
//! also listed by `ListMultipartUploads`). [`Upload::resume`] with that id, the same source and
//! part size lists the parts the service holds (`ListMultipartUploadParts`), sends only the
//! parts that are missing or whose size or MD5 differs from the source's, and commits all of
//! them; [`UploadOutput::reused_parts`] counts the parts not sent again.
//!
//! **Cancellation.** [`Upload::cancel_token`] takes a [`CancellationToken`]: when it fires the
//! parts in flight are dropped, the multipart upload is aborted (kept under
//! `keep_on_failure`), nothing is committed, and the error satisfies [`is_cancelled`] (its
//! source is [`Cancelled`]).
//!
//! **Directories.** [`TransferManager::upload_dir`] uploads every regular file under a directory
//! to objects under a prefix, [`DirUpload::files_in_flight`] at a time, skipping objects that
//! already hold the file's content by default ([`IfExists`]), with a [`FileResult`] per file.
//! [`TransferManager::download_dir`] is the reverse (like `oci os object bulk-download`): every
//! object under a prefix to a file, with an [`ObjectResult`] per object; a name that would land
//! outside the directory is refused ([`UnsafeName`]). [`TransferManager::sync_dir_up`] and
//! [`TransferManager::sync_dir_down`] (like `oci os object sync`) transfer new and changed
//! files one way and, with [`DirSync::delete`], delete what the source no longer has, only
//! once every transfer succeeded ([`Deletions`]).
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
//! [`TransferManagerBuilder::download_body_retries`] times per range). [`Download::cancel_token`]
//! stops a download; a download to a file then removes its temporary file.

mod cancel;
mod config;
mod dir;
mod download;
mod error;
mod manager;
mod parts;
mod progress;
mod resume;
mod source;
mod target;
mod upload;

pub use cancel::{is_cancelled, CancellationToken, Cancelled};
pub use config::{
    DEFAULT_DOWNLOAD_BODY_RETRIES, DEFAULT_DOWNLOAD_CHUNK_SIZE, DEFAULT_PARALLELISM,
    DEFAULT_PART_SIZE, DEFAULT_STREAM_PART_SIZE, MAX_PARALLELISM, MAX_PARTS, MAX_PART_SIZE, MIB,
    MIN_PART_SIZE,
};
pub use dir::{
    Deleted, Deletions, DirDownload, DirDownloadOutput, DirSync, DirUpload, DirUploadOutput,
    FileOutcome, FileResult, IfExists, ObjectOutcome, ObjectResult, SyncDirection, SyncOutput,
    UnsafeName, UnsafeReason, DEFAULT_FILES_IN_FLIGHT,
};
pub use download::{Download, DownloadOutput};
pub use manager::{TransferManager, TransferManagerBuilder};
pub use progress::Progress;
pub use resume::resumable_upload_id;
pub use source::UploadSource;
pub use upload::{Upload, UploadOutput};

#[cfg(doc)]
use oci_core::Body;
#[cfg(doc)]
use tokio::io::AsyncWrite;
