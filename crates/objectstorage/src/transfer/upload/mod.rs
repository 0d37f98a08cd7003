//! Uploads: [`Upload`] (the request being configured) runs a job (`job`): one `PutObject`, or
//! a multipart upload whose parts are cut by `parts` and aborted on failure (`abort`).

use std::collections::HashMap;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

use oci_core::Error;

use super::cancel::CancellationToken;
use super::config::{
    check_part_size, Config, DEFAULT_PART_SIZE, DEFAULT_STREAM_PART_SIZE, MAX_PARTS, MAX_PART_SIZE,
};
use super::parts::effective_part_size;
use super::progress::{Progress, ProgressFn, Tracker};
use super::resume::Resumed;
use super::source::{SourceKind, UploadSource};
use super::target::Target;
use crate::ObjectStorageClient;

mod abort;
mod job;
mod output;

use job::Job;
use output::ContentHeaders;
pub use output::UploadOutput;

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
    client: ObjectStorageClient,
    config: Config,
    target: Target,
    source: UploadSource,
    part_size: Option<u64>,
    headers: ContentHeaders,
    metadata: HashMap<String, String>,
    progress: Option<ProgressFn>,
    resume: Option<String>,
    keep_on_failure: bool,
    cancel: Option<CancellationToken>,
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("target", &self.target)
            .field("source", &self.source)
            .field("part_size", &self.part_size)
            .field("headers", &self.headers)
            .field("metadata", &self.metadata)
            .field("resume", &self.resume)
            .field("keep_on_failure", &self.keep_on_failure)
            .field("cancel", &self.cancel)
            .finish_non_exhaustive()
    }
}

impl Upload {
    /// An upload of `source` to `target` with `config`'s settings.
    pub(crate) fn new(
        client: ObjectStorageClient,
        config: Config,
        target: Target,
        source: UploadSource,
    ) -> Self {
        Upload {
            client,
            config,
            target,
            source,
            part_size: None,
            headers: ContentHeaders::default(),
            metadata: HashMap::new(),
            progress: None,
            resume: None,
            keep_on_failure: false,
            cancel: None,
        }
    }

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

    /// Finishes the existing multipart upload `upload_id` instead of starting one: its parts
    /// are listed (`ListMultipartUploadParts`) and only the parts it does not hold with the same
    /// size and MD5 are sent, then all are committed. Give the same source and part size as the
    /// interrupted upload; a part that differs is sent again.
    ///
    /// ```no_run
    /// use oci_objectstorage::transfer::{resumable_upload_id, TransferManager, UploadSource};
    /// # async fn run(tm: TransferManager) -> Result<(), oci_core::Error> {
    /// let first = tm
    ///     .upload("ns", "bucket", "big.bin", UploadSource::file("big.bin"))
    ///     .keep_on_failure()
    ///     .await;
    /// if let Err(e) = first {
    ///     if let Some(id) = resumable_upload_id(&e) {
    ///         let out = tm
    ///             .upload("ns", "bucket", "big.bin", UploadSource::file("big.bin"))
    ///             .resume(id)
    ///             .await?;
    ///         println!("{} of {} parts were already there", out.reused_parts, out.parts);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// A resumed upload always commits as a multipart upload, even of one part.
    pub fn resume(mut self, upload_id: impl Into<String>) -> Self {
        self.resume = Some(upload_id.into());
        self
    }

    /// When the upload fails (or is dropped), leave its multipart upload in place instead of
    /// aborting it, so it can be [resumed](Upload::resume); the error's note names it (see
    /// [`resumable_upload_id`](crate::transfer::resumable_upload_id)). Uncommitted parts are
    /// billed until the upload is committed or aborted.
    pub fn keep_on_failure(mut self) -> Self {
        self.keep_on_failure = true;
        self
    }

    /// Stops the upload when `token` is cancelled: the parts in flight are dropped, the
    /// multipart upload is aborted (kept with [`Upload::keep_on_failure`], so it can be resumed),
    /// nothing is committed, and the upload fails with an error for which
    /// [`is_cancelled`](crate::transfer::is_cancelled) is true.
    ///
    /// ```no_run
    /// use oci_objectstorage::transfer::{is_cancelled, CancellationToken, TransferManager, UploadSource};
    /// # async fn run(tm: TransferManager) -> Result<(), oci_core::Error> {
    /// let token = CancellationToken::new();
    /// let upload = tm
    ///     .upload("ns", "bucket", "big.bin", UploadSource::file("big.bin"))
    ///     .cancel_token(token.clone())
    ///     .send();
    /// token.cancel(); // e.g. from a shutdown signal handler
    /// match upload.await {
    ///     Err(e) if is_cancelled(&e) => println!("cancelled; nothing committed"),
    ///     other => { other?; }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// A single `PutObject` (content of at most one part) whose body was already sent when the
    /// token fires may still be stored; a cancelled token before the upload starts sends nothing.
    pub fn cancel_token(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Runs the upload.
    pub async fn send(self) -> Result<UploadOutput, Error> {
        let Upload {
            client,
            config,
            target,
            source,
            part_size,
            headers,
            metadata,
            progress,
            resume,
            keep_on_failure,
            cancel,
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
        let part_size = part_size.or(config.part_size).unwrap_or(default_part);
        let part_size = effective_part_size(len, part_size);
        if part_size > MAX_PART_SIZE {
            return Err(Error::invalid_request(format!(
                "{len} bytes do not fit in {MAX_PARTS} parts of at most {MAX_PART_SIZE} bytes"
            )));
        }
        let tracker = Tracker::new(len, progress);
        let resume = match resume {
            Some(id) if id.is_empty() => {
                return Err(Error::invalid_request("the upload id to resume is empty"))
            }
            Some(id) => Some(Resumed::list(&client, &target, &id).await?),
            None => None,
        };
        let job = Job {
            client,
            target: Arc::new(target),
            headers,
            metadata,
            resume,
            keep_on_failure,
            cancel,
        };
        if len <= part_size && job.resume.is_none() {
            job.single(source.kind, len, &tracker).await
        } else {
            job.multipart(source.kind, len, part_size, config.parallelism, tracker)
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
