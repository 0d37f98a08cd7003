//! Directory upload, like `oci os object bulk-upload`: every regular file under a directory
//! becomes an object under a prefix, a few files in flight, with a result per file.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use futures_util::StreamExt;
use md5::{Digest, Md5};
use oci_core::Error;

use super::cancel::CancellationToken;
use super::config::DEFAULT_PART_SIZE;
use super::manager::TransferManager;
use super::parts::{effective_part_size, md5_of_file_range};
use super::source::UploadSource;
use super::upload::UploadOutput;

/// The default number of files uploaded at once by [`DirUpload`].
pub const DEFAULT_FILES_IN_FLIGHT: usize = 4;

/// What [`DirUpload`] does with a file whose object already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IfExists {
    /// Skip it when the object has the file's content: same length and the same MD5
    /// (`Content-MD5`, or `opc-multipart-md5` computed with the manager's part size);
    /// upload it otherwise. The default.
    #[default]
    SkipIdentical,
    /// Skip it whatever its content (like `bulk-upload --no-overwrite`).
    Skip,
    /// Upload it without looking (like `bulk-upload --overwrite`).
    Overwrite,
}

/// What happened to one file.
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
        let this = &self;
        let mut results: Vec<FileResult> = futures_util::stream::iter(files)
            .map(|(path, rel)| async move {
                let object = format!("{}{rel}", this.prefix);
                let outcome = this.one(&path, &object).await;
                FileResult {
                    path,
                    object,
                    outcome,
                }
            })
            .buffer_unordered(self.files_in_flight)
            .collect()
            .await;
        results.sort_by(|a, b| a.object.cmp(&b.object));
        Ok(DirUploadOutput { files: results })
    }

    async fn one(&self, path: &Path, object: &str) -> FileOutcome {
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
        if head.content_length != Some(len) {
            return Ok(None);
        }
        let part_size =
            effective_part_size(len, self.tm.config().part_size.unwrap_or(DEFAULT_PART_SIZE));
        let same = if let Some(mp) = &head.opc_multipart_md5 {
            *mp == multipart_md5(path, len, part_size).await?
        } else if let Some(md5) = &head.content_md5 {
            *md5 == md5_of_file_range(path, 0, len).await?
        } else {
            false
        };
        Ok(same.then_some(head.etag))
    }
}

/// The `opc-multipart-md5` of `path` cut in parts of `part_size`: base64 of the MD5 of the
/// parts' MD5s, then `-` and the part count.
async fn multipart_md5(path: &Path, len: u64, part_size: u64) -> Result<String, Error> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut all = Md5::new();
    let count = len.div_ceil(part_size).max(1);
    for i in 0..count {
        let offset = i * part_size;
        let part = md5_of_file_range(path, offset, part_size.min(len - offset)).await?;
        let raw = b64
            .decode(part)
            .map_err(|e| Error::with_kind(oci_core::ErrorKind::Other, e.to_string()))?;
        all.update(raw);
    }
    Ok(format!("{}-{count}", b64.encode(all.finalize())))
}

/// Every regular file under `dir` with its `/`-separated path relative to `dir`, sorted.
async fn walk(dir: &Path) -> Result<Vec<(PathBuf, String)>, Error> {
    let io = |p: &Path, e: std::io::Error| {
        Error::invalid_request(format!("cannot read directory {}: {e}", p.display())).with_source(e)
    };
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, rel)) = stack.pop() {
        let mut entries = tokio::fs::read_dir(&d).await.map_err(|e| io(&d, e))?;
        while let Some(entry) = entries.next_entry().await.map_err(|e| io(&d, e))? {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(Error::invalid_request(format!(
                    "{} is not a UTF-8 name: it cannot be an object name",
                    entry.path().display()
                )));
            };
            let rel = format!("{rel}{name}");
            let kind = entry.file_type().await.map_err(|e| io(&d, e))?;
            if kind.is_dir() {
                stack.push((entry.path(), format!("{rel}/")));
            } else if kind.is_file() {
                out.push((entry.path(), rel));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}
