//! Directory upload, like `oci os object bulk-upload`: every regular file under a directory
//! becomes an object under a prefix, a few files in flight, with a result per file.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use oci_core::Error;

use super::local::{same_content, walk};
use super::{IfExists, DEFAULT_FILES_IN_FLIGHT};
use crate::transfer::cancel::{cancelled, CancellationToken};
use crate::transfer::manager::TransferManager;
use crate::transfer::source::UploadSource;
use crate::transfer::upload::UploadOutput;

/// What happened to one file of a [`DirUpload`].
///
/// ```
/// use oci_objectstorage::transfer::FileOutcome;
/// let skipped = FileOutcome::Skipped { etag: None };
/// assert!(matches!(skipped, FileOutcome::Skipped { .. }));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum FileOutcome {
    /// Uploaded.
    Uploaded(UploadOutput),
    /// Not uploaded: the object exists (with the same content under [`IfExists::SkipIdentical`]).
    Skipped {
        /// The existing object's etag.
        etag: Option<String>,
    },
    /// The upload (or the check before it) failed; the other files went on.
    Failed(Error),
}

/// One file of a [`DirUpload`] and what happened to it.
///
/// ```
/// use oci_objectstorage::transfer::{DirUploadOutput, FileOutcome};
/// fn report(out: &DirUploadOutput) {
///     for f in &out.files {
///         if let FileOutcome::Failed(e) = &f.outcome {
///             eprintln!("{} -> {}: {e}", f.path.display(), f.object);
///         }
///     }
/// }
/// # report(&DirUploadOutput::default());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct FileResult {
    /// The file.
    pub path: PathBuf,
    /// Its object name (prefix + path relative to the directory, `/`-separated).
    pub object: String,
    /// What happened.
    pub outcome: FileOutcome,
}

/// The result of a [`DirUpload`]: one entry per file, sorted by object name.
///
/// ```
/// use oci_objectstorage::transfer::DirUploadOutput;
/// let out = DirUploadOutput::default();
/// assert_eq!((out.uploaded(), out.skipped(), out.failed().count()), (0, 0, 0));
/// ```
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct DirUploadOutput {
    /// Every file found.
    pub files: Vec<FileResult>,
}

impl DirUploadOutput {
    /// How many files were uploaded.
    pub fn uploaded(&self) -> usize {
        self.count(|o| matches!(o, FileOutcome::Uploaded(_)))
    }
    /// How many files were skipped because their object exists.
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, FileOutcome::Skipped { .. }))
    }
    /// The files that failed.
    pub fn failed(&self) -> impl Iterator<Item = &FileResult> {
        self.files
            .iter()
            .filter(|f| matches!(f.outcome, FileOutcome::Failed(_)))
    }
    fn count(&self, f: impl Fn(&FileOutcome) -> bool) -> usize {
        self.files.iter().filter(|r| f(&r.outcome)).count()
    }
}

/// A directory upload, being configured; finish with [`DirUpload::send`].
///
/// ```no_run
/// use oci_objectstorage::transfer::{IfExists, TransferManager};
/// # async fn run(tm: TransferManager) -> Result<(), oci_core::Error> {
/// let out = tm
///     .upload_dir("ns", "bucket", "./site")
///     .prefix("www/")
///     .files_in_flight(8)
///     .if_exists(IfExists::SkipIdentical)
///     .send()
///     .await?;
/// println!("{} uploaded, {} unchanged", out.uploaded(), out.skipped());
/// for f in out.failed() {
///     eprintln!("{}: {:?}", f.path.display(), f.outcome);
/// }
/// # Ok(()) }
/// ```
///
/// Each file is one [`TransferManager::upload`] (parts in parallel when it is large), so at
/// most `files_in_flight` × parallelism parts are in flight. Symbolic links are not followed.
/// The call fails only when the directory cannot be walked; a file that fails is reported in
/// its [`FileResult`] and the others go on.
#[derive(Debug)]
pub struct DirUpload {
    tm: TransferManager,
    namespace: String,
    bucket: String,
    dir: PathBuf,
    prefix: String,
    files_in_flight: usize,
    if_exists: IfExists,
    cancel: Option<CancellationToken>,
}

impl TransferManager {
    /// Starts an upload of every regular file under `dir` to `namespace/bucket` (see
    /// [`DirUpload`]); finish with `.send().await`.
    pub fn upload_dir(
        &self,
        namespace: impl Into<String>,
        bucket: impl Into<String>,
        dir: impl Into<PathBuf>,
    ) -> DirUpload {
        DirUpload {
            tm: self.clone(),
            namespace: namespace.into(),
            bucket: bucket.into(),
            dir: dir.into(),
            prefix: String::new(),
            files_in_flight: DEFAULT_FILES_IN_FLIGHT,
            if_exists: IfExists::default(),
            cancel: None,
        }
    }
}

impl DirUpload {
    /// Prepended to every object name as is (add the `/` yourself).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }
    /// Files uploaded at once (default [`DEFAULT_FILES_IN_FLIGHT`]; at least 1).
    pub fn files_in_flight(mut self, n: usize) -> Self {
        self.files_in_flight = n;
        self
    }
    /// What to do with a file whose object exists (default [`IfExists::SkipIdentical`]).
    pub fn if_exists(mut self, v: IfExists) -> Self {
        self.if_exists = v;
        self
    }
    /// Cancels every file's upload when `token` is cancelled (see
    /// [`Upload::cancel_token`](crate::transfer::Upload::cancel_token)).
    pub fn cancel_token(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Walks the directory and uploads its files.
    pub async fn send(self) -> Result<DirUploadOutput, Error> {
        if self.files_in_flight == 0 {
            return Err(Error::invalid_request("files_in_flight must be at least 1"));
        }
        let files = walk(&self.dir).await?;
        Ok(self.upload_files(files).await)
    }

    /// The object name a file at `rel` (relative to the directory, `/`-separated) goes to.
    pub(super) fn object_name(&self, rel: &str) -> String {
        format!("{}{rel}", self.prefix)
    }

    /// Uploads `files` (path, relative name) as [`DirUpload::send`] does after its walk.
    pub(super) async fn upload_files(&self, files: Vec<(PathBuf, String)>) -> DirUploadOutput {
        let this = self;
        let mut results: Vec<FileResult> = futures_util::stream::iter(files)
            .map(|(path, rel)| async move {
                let object = this.object_name(&rel);
                let outcome = this.one(&path, &object).await;
                FileResult {
                    path,
                    object,
                    outcome,
                }
            })
            .buffer_unordered(self.files_in_flight.max(1))
            .collect()
            .await;
        results.sort_by(|a, b| a.object.cmp(&b.object));
        DirUploadOutput { files: results }
    }

    async fn one(&self, path: &Path, object: &str) -> FileOutcome {
        if self
            .cancel
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
        {
            return FileOutcome::Failed(cancelled(&format!("the upload of {object}")));
        }
        if self.if_exists != IfExists::Overwrite {
            match self.existing(path, object).await {
                Ok(Some(etag)) => return FileOutcome::Skipped { etag },
                Ok(None) => {}
                Err(e) => return FileOutcome::Failed(e),
            }
        }
        let mut up = self.tm.upload(
            &self.namespace,
            &self.bucket,
            object,
            UploadSource::file(path),
        );
        if let Some(t) = &self.cancel {
            up = up.cancel_token(t.clone());
        }
        match up.send().await {
            Ok(out) => FileOutcome::Uploaded(out),
            Err(e) => FileOutcome::Failed(e),
        }
    }

    /// `Some(etag)` when the object exists and is to be skipped.
    async fn existing(&self, path: &Path, object: &str) -> Result<Option<Option<String>>, Error> {
        let head = self
            .tm
            .client()
            .head_object()
            .namespace_name(&self.namespace)
            .bucket_name(&self.bucket)
            .object_name(object)
            .send()
            .await;
        let head = match head {
            Ok(h) => h,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        if self.if_exists == IfExists::Skip {
            return Ok(Some(head.etag));
        }
        let len = tokio::fs::metadata(path)
            .await
            .map_err(|e| {
                Error::invalid_request(format!("cannot upload {}: {e}", path.display()))
                    .with_source(e)
            })?
            .len();
        let same = same_content(&self.tm, path, len, &head).await?;
        Ok(same.then_some(head.etag))
    }
}
