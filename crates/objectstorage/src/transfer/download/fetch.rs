//! One range of a download: a `GetObject` with `If-Match`, resumed when its body breaks.

use futures_util::StreamExt;
use oci_core::{Error, ErrorKind};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::transfer::error::local_io;
use crate::transfer::progress::Tracker;
use crate::transfer::target::Target;
use crate::ObjectStorageClient;

/// What every range request of one download shares.
pub(crate) struct Fetch {
    pub(crate) client: ObjectStorageClient,
    pub(crate) target: Target,
    pub(crate) etag: Option<String>,
    pub(crate) retries: u32,
}

impl Fetch {
    /// Streams `len` bytes from `start` into `out`; `whole` asks for the whole object without a
    /// range header on the first request. A broken body is resumed from the last byte received.
    pub(crate) async fn range<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        start: u64,
        len: u64,
        whole: bool,
        out: &mut W,
        tracker: Option<&Tracker>,
    ) -> Result<(), Error> {
        let t = &self.target;
        let mut pos = 0u64;
        let mut resumed = 0u32;
        loop {
            let mut req = self
                .client
                .get_object()
                .namespace_name(&t.namespace)
                .bucket_name(&t.bucket)
                .object_name(&t.object);
            if let Some(etag) = &self.etag {
                req = req.if_match(etag);
            }
            if !(whole && pos == 0) {
                req = req.range(format!("bytes={}-{}", start + pos, start + len - 1));
            }
            let resp = req.send().await?;
            let expected = len - pos;
            if let Some(n) = resp.content_length {
                if n != expected {
                    return Err(Error::with_kind(
                        ErrorKind::Body,
                        format!(
                            "GetObject sent {n} bytes where {expected} were expected (from byte {})",
                            start + pos
                        ),
                    )
                    .with_opc_request_id_if_missing(|| resp.opc_request_id.clone()));
                }
            }
            let request_id = resp.opc_request_id.clone();
            let mut body = resp.body.into_data_stream();
            let mut failure = None;
            while let Some(item) = body.next().await {
                match item {
                    Ok(bytes) => {
                        let n = bytes.len() as u64;
                        if pos + n > len {
                            return Err(Error::with_kind(
                                ErrorKind::Body,
                                format!("GetObject sent more than the {len} bytes expected"),
                            )
                            .with_opc_request_id_if_missing(|| request_id.clone()));
                        }
                        out.write_all(&bytes)
                            .await
                            .map_err(|e| local_io("cannot write the download".into(), e))?;
                        pos += n;
                        if let Some(tr) = tracker {
                            tr.add(n);
                        }
                    }
                    Err(e) => {
                        failure = Some(Error::body(e));
                        break;
                    }
                }
            }
            let failure = match failure {
                None if pos == len => return Ok(()),
                None => Error::with_kind(
                    ErrorKind::Body,
                    format!("GetObject ended after {pos} of {len} bytes (from byte {start})"),
                ),
                Some(e) => e,
            };
            if resumed >= self.retries {
                return Err(failure.with_opc_request_id_if_missing(|| request_id.clone()));
            }
            resumed += 1;
            tracing::debug!(
                start = start + pos,
                resumed,
                "object body broke mid-way; resuming the range"
            );
        }
    }
}
