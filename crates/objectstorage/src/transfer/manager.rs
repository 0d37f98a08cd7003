//! [`TransferManager`] and its builder: the settings, and where each transfer starts.

use std::fmt;
use std::path::PathBuf;

use oci_core::Error;
use tokio::io::AsyncWrite;

use super::config::{check_part_size, Config, MAX_PARALLELISM};
use super::download::{Download, Sink};
use super::source::UploadSource;
use super::target::Target;
use super::upload::Upload;
use crate::ObjectStorageClient;

#[cfg(doc)]
use super::config::{DEFAULT_DOWNLOAD_CHUNK_SIZE, DEFAULT_PART_SIZE, DEFAULT_STREAM_PART_SIZE};
#[cfg(doc)]
use oci_core::ErrorKind;

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
/// See the [module docs](crate::transfer) for how parts are sent, retried and aborted.
#[derive(Clone)]
pub struct TransferManager {
    client: ObjectStorageClient,
    config: Config,
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

impl TransferManager {
    /// A manager with the default settings.
    pub fn new(client: ObjectStorageClient) -> Self {
        TransferManager {
            client,
            config: Config::default(),
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

    /// The manager's settings.
    pub(crate) fn config(&self) -> Config {
        self.config
    }

    /// Starts an upload of `source` to `namespace/bucket/object`; finish with `.send().await`.
    pub fn upload(
        &self,
        namespace: impl Into<String>,
        bucket: impl Into<String>,
        object: impl Into<String>,
        source: UploadSource,
    ) -> Upload {
        let target = Target {
            namespace: namespace.into(),
            bucket: bucket.into(),
            object: object.into(),
        };
        Upload::new(self.client.clone(), self.config, target, source)
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
        let target = Target {
            namespace: namespace.into(),
            bucket: bucket.into(),
            object: object.into(),
        };
        Download::new(self.client.clone(), self.config, target, sink)
    }
}
