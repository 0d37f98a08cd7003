//! What goes into an upload job besides the bytes ([`ContentHeaders`]) and what comes out
//! ([`UploadOutput`]).

#[cfg(doc)]
use crate::transfer::config::MAX_PARTS;

#[derive(Debug, Clone, Default)]
/// The object's content headers, as the upload sets them.
pub(crate) struct ContentHeaders {
    pub(crate) content_type: Option<String>,
    pub(crate) content_language: Option<String>,
    pub(crate) content_encoding: Option<String>,
    pub(crate) content_disposition: Option<String>,
    pub(crate) cache_control: Option<String>,
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
    /// Parts of a resumed upload the service already held (same size and MD5), not sent again.
    pub reused_parts: u32,
}
