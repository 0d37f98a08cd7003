//! Directories: upload a tree (`upload`, like `oci os object bulk-upload`), download a prefix
//! (`download`, like `bulk-download`), and keep the two in step (`sync`, like `oci os object
//! sync`). Object names become safe relative paths in `names`; walking a directory and the
//! "same content" rule shared by both directions are in `local`.

mod download;
mod local;
mod names;
mod sync;
mod upload;

pub use download::{DirDownload, DirDownloadOutput, ObjectOutcome, ObjectResult};
pub use names::{UnsafeName, UnsafeReason};
pub use sync::{Deleted, Deletions, DirSync, SyncDirection, SyncOutput};
pub use upload::{DirUpload, DirUploadOutput, FileOutcome, FileResult};

/// The default number of files transferred at once by [`DirUpload`], [`DirDownload`] and
/// [`DirSync`].
pub const DEFAULT_FILES_IN_FLIGHT: usize = 4;

/// What a directory transfer does when its destination (the object for an upload, the local
/// file for a download) already exists.
///
/// ```
/// use oci_objectstorage::transfer::IfExists;
/// assert_eq!(IfExists::default(), IfExists::SkipIdentical);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IfExists {
    /// Skip it when the object and the file have the same content: same length and the same
    /// MD5 (the object's `Content-MD5`, or its `opc-multipart-md5` computed over the file with
    /// the manager's part size); transfer it otherwise. The default.
    #[default]
    SkipIdentical,
    /// Skip it whatever its content (like `bulk-upload --no-overwrite`).
    Skip,
    /// Transfer it without looking (like `bulk-upload --overwrite`).
    Overwrite,
}
