//! Directory download, like `oci os object bulk-download`: every object under a prefix becomes a
//! file under a directory, a few objects in flight, with a result per object.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use oci_core::Error;

use super::local::same_content;
use super::names::{local_path, Local, UnsafeName, UnsafeReason};
use super::{IfExists, DEFAULT_FILES_IN_FLIGHT};
use crate::models::{ListObjectsFields, ObjectSummary};
use crate::transfer::cancel::{cancelled, CancellationToken};
use crate::transfer::download::DownloadOutput;
use crate::transfer::error::local_io;
use crate::transfer::manager::TransferManager;

/// What happened to one object of a [`DirDownload`].
///
/// ```
/// use oci_objectstorage::transfer::ObjectOutcome;
/// let o = ObjectOutcome::Folder;
/// assert!(!matches!(o, ObjectOutcome::Failed(_) | ObjectOutcome::Refused(_)));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ObjectOutcome {
    /// Written to its file (through a temporary file renamed into place); boxed, as it holds
    /// the object's whole `HeadObject` answer.
    Downloaded(Box<DownloadOutput>),
    /// Not downloaded: the file exists (with the same content under
    /// [`IfExists::SkipIdentical`]).
    Skipped {
        /// The object's etag.
        etag: Option<String>,
    },
    /// An empty object whose name ends with `/` (a console "folder"): its directory was created.
    Folder,
    /// Not written: its name is not a safe relative path (nothing was written anywhere).
    Refused(UnsafeName),
    /// The download (or the check before it) failed; the other objects went on. No file is
    /// left half-written under the object's name.
    Failed(Error),
}

/// One object of a [`DirDownload`] and what happened to it.
///
/// ```
/// use oci_objectstorage::transfer::{DirDownloadOutput, ObjectOutcome};
/// fn report(out: &DirDownloadOutput) {
///     for o in &out.objects {
///         if let ObjectOutcome::Refused(why) = &o.outcome {
///             eprintln!("{why}");
///         }
///     }
/// }
/// # report(&DirDownloadOutput::default());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct ObjectResult {
    /// The object's name.
    pub object: String,
    /// Its file (the directory joined with the name less the prefix); `None` when refused.
    pub path: Option<PathBuf>,
    /// What happened.
    pub outcome: ObjectOutcome,
}

/// The result of a [`DirDownload`]: one entry per object listed, sorted by object name.
///
/// ```
/// use oci_objectstorage::transfer::DirDownloadOutput;
/// let out = DirDownloadOutput::default();
/// assert_eq!((out.downloaded(), out.skipped(), out.failed().count()), (0, 0, 0));
/// ```
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct DirDownloadOutput {
    /// Every object listed under the prefix.
    pub objects: Vec<ObjectResult>,
}

impl DirDownloadOutput {
    /// How many objects were downloaded.
    pub fn downloaded(&self) -> usize {
        self.count(|o| matches!(o, ObjectOutcome::Downloaded(_)))
    }
    /// How many objects were skipped because their file exists.
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, ObjectOutcome::Skipped { .. }))
    }
    /// The objects whose download failed.
    pub fn failed(&self) -> impl Iterator<Item = &ObjectResult> {
        self.objects
            .iter()
            .filter(|r| matches!(r.outcome, ObjectOutcome::Failed(_)))
    }
    /// The objects refused for their names.
    pub fn refused(&self) -> impl Iterator<Item = &ObjectResult> {
        self.objects
            .iter()
            .filter(|r| matches!(r.outcome, ObjectOutcome::Refused(_)))
    }
    fn count(&self, f: impl Fn(&ObjectOutcome) -> bool) -> usize {
        self.objects.iter().filter(|r| f(&r.outcome)).count()
    }
}

/// A directory download, being configured; finish with [`DirDownload::send`].
///
/// ```no_run
/// use oci_objectstorage::transfer::{IfExists, ObjectOutcome, TransferManager};
/// # async fn run(tm: TransferManager) -> Result<(), oci_core::Error> {
/// let out = tm
///     .download_dir("ns", "bucket", "./restore")
///     .prefix("www/") // www/css/site.css -> ./restore/css/site.css
///     .files_in_flight(8)
///     .if_exists(IfExists::SkipIdentical)
///     .send()
///     .await?;
/// println!("{} downloaded, {} unchanged", out.downloaded(), out.skipped());
/// for o in out.failed().chain(out.refused()) {
///     eprintln!("{}: {:?}", o.object, o.outcome);
/// }
/// # Ok(()) }
/// ```
///
/// Every object under the prefix is listed (`ListObjects`, page by page), then each is one
/// [`TransferManager::download_to_file`] to the directory joined with its name less the
/// prefix, subdirectories created as needed: at most `files_in_flight` objects × parallelism
/// ranges in flight. Each file is written to a temporary file in its own directory and renamed
/// into place once complete, so a failure never leaves a half-written file under the final name.
///
/// A name that is not a plain relative path once the prefix is removed (a `.` or `..` segment,
/// a leading `/`, an empty segment, a `\`) is refused with [`ObjectOutcome::Refused`] and
/// nothing is written for it; so is a name whose directory resolves outside the directory
/// through a symbolic link. The call fails only when the listing fails or the directory cannot
/// be created; an object that fails is reported in its [`ObjectResult`] and the others go on.
#[derive(Debug, Clone)]
pub struct DirDownload {
    tm: TransferManager,
    namespace: String,
    bucket: String,
    dir: PathBuf,
    prefix: String,
    files_in_flight: usize,
    if_exists: IfExists,
    cancel: Option<CancellationToken>,
    page_size: Option<u32>,
}

impl TransferManager {
    /// Starts a download of every object of `namespace/bucket` (under a prefix, see
    /// [`DirDownload::prefix`]) into `dir`; finish with `.send().await`.
    pub fn download_dir(
        &self,
        namespace: impl Into<String>,
        bucket: impl Into<String>,
        dir: impl Into<PathBuf>,
    ) -> DirDownload {
        DirDownload {
            tm: self.clone(),
            namespace: namespace.into(),
            bucket: bucket.into(),
            dir: dir.into(),
            prefix: String::new(),
            files_in_flight: DEFAULT_FILES_IN_FLIGHT,
            if_exists: IfExists::default(),
            cancel: None,
            page_size: None,
        }
    }
}

impl DirDownload {
    /// Only objects whose names start with `prefix`, which is removed from each name to make
    /// its path (as is: add the `/` yourself, as for [`DirUpload::prefix`](crate::transfer::DirUpload::prefix)).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }
    /// Objects downloaded at once (default [`DEFAULT_FILES_IN_FLIGHT`]; at least 1).
    pub fn files_in_flight(mut self, n: usize) -> Self {
        self.files_in_flight = n;
        self
    }
    /// What to do with an object whose file exists (default [`IfExists::SkipIdentical`]).
    pub fn if_exists(mut self, v: IfExists) -> Self {
        self.if_exists = v;
        self
    }
    /// Cancels every object's download when `token` is cancelled (see
    /// [`Download::cancel_token`](crate::transfer::Download::cancel_token)): each fails with an
    /// error for which [`is_cancelled`](crate::transfer::is_cancelled) is true.
    pub fn cancel_token(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }
    /// Objects per `ListObjects` page (default: the service's, 1000).
    pub fn list_page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// Lists the objects under the prefix and downloads them.
    pub async fn send(self) -> Result<DirDownloadOutput, Error> {
        self.check()?;
        let objects = self.list().await?;
        self.download_objects(objects).await
    }

    pub(super) fn check(&self) -> Result<(), Error> {
        if self.files_in_flight == 0 {
            return Err(Error::invalid_request("files_in_flight must be at least 1"));
        }
        Ok(())
    }

    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every object under the prefix (name, size and etag), following `nextStartWith`.
    pub(super) async fn list(&self) -> Result<Vec<ObjectSummary>, Error> {
        let mut req = self
            .tm
            .client()
            .list_objects()
            .namespace_name(&self.namespace)
            .bucket_name(&self.bucket)
            .fields(vec![
                ListObjectsFields::Name,
                ListObjectsFields::Size,
                ListObjectsFields::Etag,
            ]);
        if !self.prefix.is_empty() {
            req = req.prefix(&self.prefix);
        }
        if let Some(n) = self.page_size {
            req = req.limit(i64::from(n));
        }
        Ok(req.collect_all().await?.objects)
    }

    /// Downloads `objects` as [`DirDownload::send`] does after its listing.
    pub(super) async fn download_objects(
        &self,
        objects: Vec<ObjectSummary>,
    ) -> Result<DirDownloadOutput, Error> {
        let io = |e| local_io(format!("cannot create {}", self.dir.display()), e);
        tokio::fs::create_dir_all(&self.dir).await.map_err(io)?;
        let root = tokio::fs::canonicalize(&self.dir).await.map_err(io)?;
        let root = &root;
        let mut results: Vec<ObjectResult> = futures_util::stream::iter(objects)
            .map(|o| async move { self.one(root, o).await })
            .buffer_unordered(self.files_in_flight.max(1))
            .collect()
            .await;
        results.sort_by(|a, b| a.object.cmp(&b.object));
        Ok(DirDownloadOutput { objects: results })
    }

    async fn one(&self, root: &Path, o: ObjectSummary) -> ObjectResult {
        let size = o.size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0);
        let rel = match local_path(&o.name, &self.prefix, size) {
            Ok(rel) => rel,
            Err(why) => {
                return ObjectResult {
                    object: o.name,
                    path: None,
                    outcome: ObjectOutcome::Refused(why),
                }
            }
        };
        let (path, outcome) = match rel {
            Local::Folder(rel) => {
                let path = self.dir.join(rel);
                let outcome = match self.inside(root, &o.name, &path).await {
                    Ok(()) => ObjectOutcome::Folder,
                    Err(o) => o,
                };
                (path, outcome)
            }
            Local::File(rel) => {
                let path = self.dir.join(rel);
                let outcome = self.fetch(root, &o, &path).await;
                (path, outcome)
            }
        };
        ObjectResult {
            object: o.name,
            path: Some(path),
            outcome,
        }
    }

    /// Creates `dir` and checks that it resolves inside `root`.
    async fn inside(&self, root: &Path, name: &str, dir: &Path) -> Result<(), ObjectOutcome> {
        let io = |e| ObjectOutcome::Failed(local_io(format!("cannot create {}", dir.display()), e));
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
        let real = tokio::fs::canonicalize(dir).await.map_err(io)?;
        if real.starts_with(root) {
            Ok(())
        } else {
            Err(ObjectOutcome::Refused(UnsafeName {
                name: name.to_owned(),
                reason: UnsafeReason::OutsideDir,
            }))
        }
    }

    async fn fetch(&self, root: &Path, o: &ObjectSummary, path: &Path) -> ObjectOutcome {
        if self
            .cancel
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
        {
            return ObjectOutcome::Failed(cancelled(&format!("the download of {}", o.name)));
        }
        if let Some(parent) = path.parent() {
            if let Err(outcome) = self.inside(root, &o.name, parent).await {
                return outcome;
            }
        }
        if self.if_exists != IfExists::Overwrite {
            match self.existing(o, path).await {
                Ok(Some(etag)) => return ObjectOutcome::Skipped { etag },
                Ok(None) => {}
                Err(e) => return ObjectOutcome::Failed(e),
            }
        }
        let mut down = self
            .tm
            .download_to_file(&self.namespace, &self.bucket, &o.name, path);
        if let Some(t) = &self.cancel {
            down = down.cancel_token(t.clone());
        }
        match down.send().await {
            Ok(out) => ObjectOutcome::Downloaded(Box::new(out)),
            Err(e) => ObjectOutcome::Failed(e),
        }
    }

    /// `Some(etag)` when the file exists and the object is to be skipped.
    async fn existing(
        &self,
        o: &ObjectSummary,
        path: &Path,
    ) -> Result<Option<Option<String>>, Error> {
        let meta = match tokio::fs::metadata(path).await {
            Ok(m) if m.is_file() => m,
            // Not there (or not a file: the download fails at the rename and says so).
            _ => return Ok(None),
        };
        if self.if_exists == IfExists::Skip {
            return Ok(Some(o.etag.clone()));
        }
        if o.size.and_then(|s| u64::try_from(s).ok()) != Some(meta.len()) {
            return Ok(None);
        }
        let head = self
            .tm
            .client()
            .head_object()
            .namespace_name(&self.namespace)
            .bucket_name(&self.bucket)
            .object_name(&o.name)
            .send()
            .await?;
        let same = same_content(&self.tm, path, meta.len(), &head).await?;
        Ok(same.then_some(head.etag))
    }
}
