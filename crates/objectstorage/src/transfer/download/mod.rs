//! Downloads: [`Download`] (the request being configured) heads the object, then fetches it in
//! ranges (`fetch`) into a file (`file`) or a writer (`writer`).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use oci_core::{Error, ErrorKind};
use tokio::io::AsyncWrite;

use super::cancel::{cancelled, or_cancelled, CancellationToken};
use super::config::Config;
use super::progress::{Progress, ProgressFn, Tracker};
use super::target::Target;
use crate::operations::HeadObjectResponse;
use crate::ObjectStorageClient;

mod fetch;
mod file;
mod writer;

use fetch::Fetch;
#[cfg(test)]
pub(crate) use file::rand_suffix;
use file::{download_file, fill_file};
use writer::download_writer;

/// Where a download goes.
pub(crate) enum Sink<'w> {
    /// A file, replaced once every byte has arrived.
    File(PathBuf),
    /// Any writer, in order.
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
    client: ObjectStorageClient,
    config: Config,
    target: Target,
    sink: Sink<'w>,
    progress: Option<ProgressFn>,
    cancel: Option<CancellationToken>,
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
            .field("cancel", &self.cancel)
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
    /// A download of `target` into `sink` with `config`'s settings.
    pub(crate) fn new(
        client: ObjectStorageClient,
        config: Config,
        target: Target,
        sink: Sink<'w>,
    ) -> Self {
        Download {
            client,
            config,
            target,
            sink,
            progress: None,
            cancel: None,
        }
    }

    /// Called with the bytes written so far, as they are written (for a writer: per range).
    /// Calls come from several tasks but are serialized, and their totals only grow; keep the
    /// callback quick.
    pub fn progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Stops the download when `token` is cancelled: the ranges in flight are dropped, a
    /// download to a file removes its temporary file and leaves the target untouched, and the
    /// download fails with an error for which [`is_cancelled`](crate::transfer::is_cancelled)
    /// is true.
    ///
    /// ```no_run
    /// use oci_objectstorage::transfer::{is_cancelled, CancellationToken, TransferManager};
    /// # async fn run(tm: TransferManager) -> Result<(), oci_core::Error> {
    /// let token = CancellationToken::new();
    /// let download = tm
    ///     .download_to_file("ns", "bucket", "big.bin", "big.bin")
    ///     .cancel_token(token.clone())
    ///     .send();
    /// token.cancel(); // e.g. from a shutdown signal handler
    /// match download.await {
    ///     Err(e) if is_cancelled(&e) => println!("cancelled; big.bin untouched"),
    ///     other => { other?; }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// Bytes already written to a writer stay written.
    pub fn cancel_token(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Runs the download.
    pub async fn send(self) -> Result<DownloadOutput, Error> {
        let Download {
            client,
            config,
            target,
            sink,
            progress,
            cancel,
        } = self;
        target.check()?;
        let cancel = cancel.as_ref();
        if cancel.is_some_and(CancellationToken::is_cancelled) {
            return stopped();
        }
        let t = &target;
        let head = client
            .head_object()
            .namespace_name(&t.namespace)
            .bucket_name(&t.bucket)
            .object_name(&t.object)
            .send();
        let head = or_cancelled(cancel, head, stopped).await?;
        let size = head.content_length.ok_or_else(|| {
            Error::with_kind(
                ErrorKind::Deserialize,
                "HeadObject answered without a content-length",
            )
            .with_opc_request_id_if_missing(|| head.opc_request_id.clone())
        })?;
        let chunk = config.download_chunk_size;
        let ctx = Arc::new(Fetch {
            client: client.clone(),
            target: target.clone(),
            etag: head.etag.clone(),
            retries: config.download_body_retries,
        });
        let tracker = Tracker::new(size, progress);
        let count = if size <= chunk {
            1
        } else {
            size.div_ceil(chunk)
        };
        let parallelism = config.parallelism;
        match sink {
            Sink::File(path) => {
                let fill = |tmp: PathBuf| async move {
                    let fill = fill_file(&ctx, &tmp, size, chunk, count, parallelism, &tracker);
                    or_cancelled(cancel, fill, stopped).await
                };
                download_file(&path, fill).await?
            }
            Sink::Writer(mut w) => {
                let fill = download_writer(&ctx, &mut w, size, chunk, count, parallelism, &tracker);
                or_cancelled(cancel, fill, stopped).await?
            }
        }
        Ok(DownloadOutput {
            bytes: size,
            chunks: u32::try_from(count).unwrap_or(u32::MAX),
            object: head,
        })
    }
}

/// The result of a cancelled download.
fn stopped<T>() -> Result<T, Error> {
    Err(cancelled("the download"))
}

impl<'w> IntoFuture for Download<'w> {
    type Output = Result<DownloadOutput, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'w>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
