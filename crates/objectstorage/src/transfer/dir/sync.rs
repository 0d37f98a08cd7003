//! Sync, like `oci os object sync`: a directory and a prefix brought in step in one direction,
//! new and changed files transferred (by the upload and download code), and with `delete`
//! what the source no longer has deleted once every transfer succeeded.

use std::collections::HashSet;
use std::path::PathBuf;

use futures_util::StreamExt;
use oci_core::Error;

use super::download::{DirDownload, DirDownloadOutput};
use super::local::walk;
use super::upload::{DirUpload, DirUploadOutput};
use super::{IfExists, DEFAULT_FILES_IN_FLIGHT};
use crate::transfer::cancel::{cancelled, CancellationToken};
use crate::transfer::error::local_io;
use crate::transfer::manager::TransferManager;

/// Which way a [`DirSync`] copies.
///
/// ```
/// use oci_objectstorage::transfer::SyncDirection;
/// assert_ne!(SyncDirection::Up, SyncDirection::Down);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyncDirection {
    /// From the directory to the bucket ([`TransferManager::sync_dir_up`]).
    Up,
    /// From the bucket to the directory ([`TransferManager::sync_dir_down`]).
    Down,
}

/// One object (up) or file (down) a [`DirSync`] deleted, or tried to.
///
/// ```
/// use oci_objectstorage::transfer::{Deletions, SyncOutput};
/// fn report(out: &SyncOutput) {
///     if let Deletions::Done(all) = &out.deletions {
///         for d in all.iter().filter(|d| d.error.is_some()) {
///             eprintln!("could not delete {}", d.name);
///         }
///     }
/// }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Deleted {
    /// The object's name (up), or the file's `/`-separated path relative to the directory
    /// (down).
    pub name: String,
    /// Why the deletion failed; `None` when it succeeded.
    pub error: Option<Error>,
}

/// What a [`DirSync`] did about deletions.
///
/// ```
/// use oci_objectstorage::transfer::Deletions;
/// let d = Deletions::Withheld { failed: 2 };
/// assert!(matches!(d, Deletions::Withheld { failed } if failed == 2));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Deletions {
    /// `delete` was off.
    NotRequested,
    /// Nothing was deleted because `failed` transfers failed (or were refused or cancelled):
    /// deletions happen only after every transfer succeeded.
    Withheld {
        /// The transfers that failed.
        failed: usize,
    },
    /// Every destination entry without a source was deleted (or tried).
    Done(Vec<Deleted>),
}

/// The result of a [`DirSync`]: the transfers, then the deletions.
///
/// ```no_run
/// use oci_objectstorage::transfer::{Deletions, TransferManager};
/// # async fn run(tm: TransferManager) -> Result<(), oci_core::Error> {
/// let out = tm.sync_dir_up("ns", "bucket", "./site").prefix("www/").delete(true).send().await?;
/// println!(
///     "{} sent, {} unchanged, {} deleted, {} failed",
///     out.transferred(), out.skipped(), out.deleted(), out.failed()
/// );
/// if let Deletions::Withheld { failed } = out.deletions {
///     eprintln!("{failed} uploads failed: nothing was deleted");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct SyncOutput {
    /// Which way it copied.
    pub direction: SyncDirection,
    /// The uploads ([`SyncDirection::Up`]).
    pub uploads: Option<DirUploadOutput>,
    /// The downloads ([`SyncDirection::Down`]).
    pub downloads: Option<DirDownloadOutput>,
    /// The deletions.
    pub deletions: Deletions,
}

impl SyncOutput {
    /// Files uploaded or objects downloaded.
    pub fn transferred(&self) -> usize {
        self.uploads.as_ref().map_or(0, DirUploadOutput::uploaded)
            + self
                .downloads
                .as_ref()
                .map_or(0, DirDownloadOutput::downloaded)
    }
    /// Entries left alone because the destination already had them.
    pub fn skipped(&self) -> usize {
        self.uploads.as_ref().map_or(0, DirUploadOutput::skipped)
            + self
                .downloads
                .as_ref()
                .map_or(0, DirDownloadOutput::skipped)
    }
    /// Objects or files deleted.
    pub fn deleted(&self) -> usize {
        match &self.deletions {
            Deletions::Done(all) => all.iter().filter(|d| d.error.is_none()).count(),
            _ => 0,
        }
    }
    /// Transfers that failed (refused names included) plus deletions that failed.
    pub fn failed(&self) -> usize {
        let deletions = match &self.deletions {
            Deletions::Done(all) => all.iter().filter(|d| d.error.is_some()).count(),
            _ => 0,
        };
        self.failed_transfers() + deletions
    }
    fn failed_transfers(&self) -> usize {
        self.uploads.as_ref().map_or(0, |u| u.failed().count())
            + self
                .downloads
                .as_ref()
                .map_or(0, |d| d.failed().count() + d.refused().count())
    }
}

/// A sync, being configured; finish with [`DirSync::send`].
///
/// ```no_run
/// use oci_objectstorage::transfer::TransferManager;
/// # async fn run(tm: TransferManager) -> Result<(), oci_core::Error> {
/// // Mirror ./site to bucket/www/, removing objects whose files are gone.
/// tm.sync_dir_up("ns", "bucket", "./site").prefix("www/").delete(true).send().await?;
/// // Mirror bucket/www/ to ./copy, removing local files whose objects are gone.
/// let out = tm.sync_dir_down("ns", "bucket", "./copy").prefix("www/").delete(true).send().await?;
/// assert_eq!(out.failed(), 0);
/// # Ok(()) }
/// ```
///
/// **Transfers.** Up, it is [`TransferManager::upload_dir`]; down,
/// [`TransferManager::download_dir`]; both with [`IfExists::SkipIdentical`], so only new and
/// changed files move. The names map as for those: object = prefix + relative path.
///
/// **Deletions** (opt-in with [`DirSync::delete`]). Up, every object listed under the prefix
/// (listed before the uploads) whose name no local file maps to is deleted; down, every local
/// file (walked before the downloads) that no listed object maps to is removed (directories
/// are left in place). They happen only after every transfer succeeded: one failed, refused or
/// cancelled transfer and nothing is deleted ([`Deletions::Withheld`]). A cancelled token stops
/// the deletions not yet made. The call itself fails only when the directory cannot be walked
/// or the bucket listed, before anything is transferred.
#[derive(Debug, Clone)]
pub struct DirSync {
    tm: TransferManager,
    namespace: String,
    bucket: String,
    dir: PathBuf,
    prefix: String,
    direction: SyncDirection,
    files_in_flight: usize,
    delete: bool,
    cancel: Option<CancellationToken>,
    page_size: Option<u32>,
}

impl TransferManager {
    /// Starts a sync from `dir` to `namespace/bucket` (see [`DirSync`]); finish with
    /// `.send().await`.
    pub fn sync_dir_up(
        &self,
        namespace: impl Into<String>,
        bucket: impl Into<String>,
        dir: impl Into<PathBuf>,
    ) -> DirSync {
        self.sync(namespace, bucket, dir, SyncDirection::Up)
    }

    /// Starts a sync from `namespace/bucket` to `dir` (see [`DirSync`]); finish with
    /// `.send().await`.
    pub fn sync_dir_down(
        &self,
        namespace: impl Into<String>,
        bucket: impl Into<String>,
        dir: impl Into<PathBuf>,
    ) -> DirSync {
        self.sync(namespace, bucket, dir, SyncDirection::Down)
    }

    fn sync(
        &self,
        namespace: impl Into<String>,
        bucket: impl Into<String>,
        dir: impl Into<PathBuf>,
        direction: SyncDirection,
    ) -> DirSync {
        DirSync {
            tm: self.clone(),
            namespace: namespace.into(),
            bucket: bucket.into(),
            dir: dir.into(),
            prefix: String::new(),
            direction,
            files_in_flight: DEFAULT_FILES_IN_FLIGHT,
            delete: false,
            cancel: None,
            page_size: None,
        }
    }
}

impl DirSync {
    /// The object name prefix (as is: add the `/` yourself).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }
    /// Files transferred (and entries deleted) at once (default [`DEFAULT_FILES_IN_FLIGHT`]).
    pub fn files_in_flight(mut self, n: usize) -> Self {
        self.files_in_flight = n;
        self
    }
    /// Deletes what the destination has and the source does not, once every transfer
    /// succeeded (default off).
    pub fn delete(mut self, on: bool) -> Self {
        self.delete = on;
        self
    }
    /// Cancels the transfers in flight and the deletions not yet made when `token` is
    /// cancelled.
    pub fn cancel_token(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }
    /// Objects per `ListObjects` page (default: the service's, 1000).
    pub fn list_page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// Runs the transfers, then the deletions.
    pub async fn send(self) -> Result<SyncOutput, Error> {
        if self.files_in_flight == 0 {
            return Err(Error::invalid_request("files_in_flight must be at least 1"));
        }
        match self.direction {
            SyncDirection::Up => self.up().await,
            SyncDirection::Down => self.down().await,
        }
    }

    fn downloader(&self) -> DirDownload {
        let mut d = self
            .tm
            .download_dir(&self.namespace, &self.bucket, &self.dir)
            .prefix(&self.prefix)
            .files_in_flight(self.files_in_flight)
            .if_exists(IfExists::SkipIdentical);
        if let Some(t) = &self.cancel {
            d = d.cancel_token(t.clone());
        }
        if let Some(n) = self.page_size {
            d = d.list_page_size(n);
        }
        d
    }

    async fn up(self) -> Result<SyncOutput, Error> {
        let mut uploader: DirUpload = self
            .tm
            .upload_dir(&self.namespace, &self.bucket, &self.dir)
            .prefix(&self.prefix)
            .files_in_flight(self.files_in_flight)
            .if_exists(IfExists::SkipIdentical);
        if let Some(t) = &self.cancel {
            uploader = uploader.cancel_token(t.clone());
        }
        let files = walk(&self.dir).await?;
        // The listing uses the download side's (same prefix, same pages).
        let listed = if self.delete {
            self.downloader().list().await?
        } else {
            Vec::new()
        };
        let local: HashSet<String> = files.iter().map(|(_, r)| uploader.object_name(r)).collect();
        let uploads = uploader.upload_files(files).await;
        let mut out = SyncOutput {
            direction: SyncDirection::Up,
            uploads: Some(uploads),
            downloads: None,
            deletions: Deletions::NotRequested,
        };
        if self.delete {
            let gone = listed
                .into_iter()
                .map(|o| o.name)
                .filter(|n| !local.contains(n))
                .collect();
            out.deletions = self.deletions(&out, gone, |n| self.delete_object(n)).await;
        }
        Ok(out)
    }

    async fn down(self) -> Result<SyncOutput, Error> {
        let downloader = self.downloader();
        let listed = downloader.list().await?;
        let local = if self.delete && tokio::fs::try_exists(&self.dir).await.unwrap_or(false) {
            walk(&self.dir).await?
        } else {
            Vec::new()
        };
        let names: HashSet<&str> = listed.iter().map(|o| o.name.as_str()).collect();
        let gone: Vec<String> = local
            .into_iter()
            .map(|(_, rel)| rel)
            .filter(|rel| !names.contains(format!("{}{rel}", self.prefix).as_str()))
            .collect();
        let downloads = downloader.download_objects(listed).await?;
        let mut out = SyncOutput {
            direction: SyncDirection::Down,
            uploads: None,
            downloads: Some(downloads),
            deletions: Deletions::NotRequested,
        };
        if self.delete {
            let dir = downloader.dir();
            out.deletions = self
                .deletions(&out, gone, |rel| remove_file(dir, rel))
                .await;
        }
        Ok(out)
    }

    /// Deletes `gone` with `delete`, unless a transfer failed.
    async fn deletions<F, Fut>(&self, out: &SyncOutput, gone: Vec<String>, delete: F) -> Deletions
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<(), Error>>,
    {
        let failed = out.failed_transfers();
        if failed > 0 {
            return Deletions::Withheld { failed };
        }
        let delete = &delete;
        let mut done: Vec<Deleted> = futures_util::stream::iter(gone)
            .map(|name| async move {
                let result = if self
                    .cancel
                    .as_ref()
                    .is_some_and(CancellationToken::is_cancelled)
                {
                    Err(cancelled(&format!("the deletion of {name}")))
                } else {
                    delete(name.clone()).await
                };
                Deleted {
                    name,
                    error: result.err(),
                }
            })
            .buffer_unordered(self.files_in_flight)
            .collect()
            .await;
        done.sort_by(|a, b| a.name.cmp(&b.name));
        Deletions::Done(done)
    }

    async fn delete_object(&self, name: String) -> Result<(), Error> {
        let deleted = self
            .tm
            .client()
            .delete_object()
            .namespace_name(&self.namespace)
            .bucket_name(&self.bucket)
            .object_name(&name)
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(()),
            // Already gone: what the sync wanted.
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// Removes the file at `rel` (`/`-separated, from a walk of `dir`).
async fn remove_file(dir: &std::path::Path, rel: String) -> Result<(), Error> {
    let path = rel.split('/').fold(dir.to_path_buf(), |p, seg| p.join(seg));
    match tokio::fs::remove_file(&path).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(local_io(format!("cannot remove {}", path.display()), e)),
    }
}
