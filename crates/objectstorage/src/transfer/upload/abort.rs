//! Aborting a multipart upload that failed or was dropped.

use crate::transfer::target::Target;
use crate::ObjectStorageClient;

/// The `AbortMultipartUpload` call for `upload_id`.
pub(crate) fn abort_request(
    client: &ObjectStorageClient,
    t: &Target,
    upload_id: &str,
) -> crate::Fluent<crate::operations::AbortMultipartUpload> {
    client
        .abort_multipart_upload()
        .namespace_name(&t.namespace)
        .bucket_name(&t.bucket)
        .object_name(&t.object)
        .upload_id(upload_id)
}

/// Aborts the multipart upload when the upload future is dropped before it finished.
pub(crate) struct AbortOnDrop {
    pending: Option<crate::Fluent<crate::operations::AbortMultipartUpload>>,
}

impl AbortOnDrop {
    /// Armed: dropping it aborts `upload_id`.
    pub(crate) fn new(client: &ObjectStorageClient, t: &Target, upload_id: &str) -> Self {
        AbortOnDrop {
            pending: Some(abort_request(client, t, upload_id)),
        }
    }
    /// The upload finished (or was aborted already): nothing to do on drop.
    pub(crate) fn disarm(&mut self) {
        self.pending = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(abort) = self.pending.take() {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    let _ = abort.send().await;
                });
            }
        }
    }
}
