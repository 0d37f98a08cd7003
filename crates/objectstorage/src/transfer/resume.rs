//! Resuming an interrupted multipart upload: the parts the service already holds
//! (`ListMultipartUploadParts`) and the upload id a kept failure names.

use std::collections::HashMap;

use oci_core::Error;

use super::target::Target;
use crate::ObjectStorageClient;

/// The words a failed upload's note uses for an upload kept for resume; see
/// [`resumable_upload_id`].
pub(crate) const KEPT: &str = "kept for resume";

/// One part the service already stores.
#[derive(Debug, Clone)]
pub(crate) struct ListedPart {
    pub(crate) etag: String,
    pub(crate) md5: String,
    pub(crate) size: u64,
}

/// An existing multipart upload to finish, with the parts it already holds by part number.
#[derive(Debug, Clone, Default)]
pub(crate) struct Resumed {
    pub(crate) upload_id: String,
    pub(crate) parts: HashMap<u64, ListedPart>,
}

impl Resumed {
    /// Lists every part of `upload_id` (all pages).
    pub(crate) async fn list(
        client: &ObjectStorageClient,
        t: &Target,
        upload_id: &str,
    ) -> Result<Self, Error> {
        let mut parts = HashMap::new();
        let mut page: Option<String> = None;
        loop {
            let mut req = client
                .list_multipart_upload_parts()
                .namespace_name(&t.namespace)
                .bucket_name(&t.bucket)
                .object_name(&t.object)
                .upload_id(upload_id);
            if let Some(p) = page.take() {
                req = req.page(p);
            }
            let out = req.send().await?;
            for p in out.body {
                if let (Ok(n), Ok(size)) = (u64::try_from(p.part_number), u64::try_from(p.size)) {
                    parts.insert(
                        n,
                        ListedPart {
                            etag: p.etag,
                            md5: p.md5,
                            size,
                        },
                    );
                }
            }
            match out.opc_next_page {
                Some(next) if !next.is_empty() => page = Some(next),
                _ => break,
            }
        }
        Ok(Resumed {
            upload_id: upload_id.to_owned(),
            parts,
        })
    }

    /// The listed part `number` when it has `size` bytes and the MD5 `md5` (base64): the part
    /// need not be sent again.
    pub(crate) fn reusable(&self, number: u64, size: u64, md5: &str) -> Option<&ListedPart> {
        self.parts
            .get(&number)
            .filter(|p| p.size == size && p.md5 == md5)
    }
}

/// The multipart upload id a failed upload kept for resume (see [`Upload::keep_on_failure`]),
/// read from the error's note; `None` when the error names none (or the upload was aborted).
///
/// ```
/// use oci_objectstorage::transfer::resumable_upload_id;
/// let err = oci_core::Error::invalid_request("boom")
///     .with_note("part 3 failed; multipart upload abc-123 kept for resume");
/// assert_eq!(resumable_upload_id(&err).as_deref(), Some("abc-123"));
/// assert_eq!(resumable_upload_id(&oci_core::Error::invalid_request("boom")), None);
/// ```
///
/// Pass it to [`Upload::resume`] with the same source and part size to send only the parts the
/// service does not hold yet.
///
/// [`Upload::keep_on_failure`]: crate::transfer::Upload::keep_on_failure
/// [`Upload::resume`]: crate::transfer::Upload::resume
pub fn resumable_upload_id(err: &Error) -> Option<String> {
    let note = err.note()?;
    let end = note.rfind(KEPT)?;
    let head = note[..end].trim_end();
    let start = head.rfind("multipart upload ")? + "multipart upload ".len();
    let id = head[start..].trim();
    (!id.is_empty()).then(|| id.to_owned())
}
