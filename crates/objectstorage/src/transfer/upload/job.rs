//! The upload job: one `PutObject`, or a multipart upload with at most `parallelism` parts in
//! flight, committed in order.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use oci_core::{Error, ErrorKind};
use tokio::task::JoinSet;

use super::abort::{abort_request, AbortOnDrop};
use super::output::{ContentHeaders, UploadOutput};
use crate::transfer::error::task_failed;
use crate::transfer::parts::{expect_end, read_part, PartBody};
use crate::transfer::progress::Tracker;
use crate::transfer::source::SourceKind;
use crate::transfer::target::Target;
use crate::{models, ObjectStorageClient};

/// One upload's fixed parts: where to, with which headers.
pub(crate) struct Job {
    pub(crate) client: ObjectStorageClient,
    pub(crate) target: Arc<Target>,
    pub(crate) headers: ContentHeaders,
    pub(crate) metadata: HashMap<String, String>,
}

impl Job {
    /// One `PutObject` of the whole content.
    pub(crate) async fn single(
        self,
        source: SourceKind,
        len: u64,
        tracker: &Tracker,
    ) -> Result<UploadOutput, Error> {
        let part = match source {
            SourceKind::Bytes(b) => PartBody::Bytes(b),
            SourceKind::File(path) => PartBody::File {
                path: Arc::new(path),
                offset: 0,
                len,
            },
            SourceKind::Stream { mut stream, len } => {
                let mut rest = Bytes::new();
                let b = read_part(&mut stream, &mut rest, len, 0).await?;
                expect_end(&mut stream, &rest, len).await?;
                PartBody::Bytes(b)
            }
        };
        let (body, md5) = part.into_body().await?;
        let t = &self.target;
        let h = self.headers;
        let mut req = self
            .client
            .put_object()
            .namespace_name(&t.namespace)
            .bucket_name(&t.bucket)
            .object_name(&t.object)
            .content_md5(md5)
            .content_type(
                h.content_type
                    .unwrap_or_else(|| "application/octet-stream".into()),
            )
            .put_object_body(body);
        let r = req.request_mut();
        r.content_language = h.content_language;
        r.content_encoding = h.content_encoding;
        r.content_disposition = h.content_disposition;
        r.cache_control = h.cache_control;
        if !self.metadata.is_empty() {
            r.opc_meta = Some(self.metadata);
        }
        let out = req.send().await?;
        tracker.add(len);
        Ok(UploadOutput {
            etag: out.etag,
            opc_request_id: out.opc_request_id,
            bytes: len,
            part_size: len,
            parts: 1,
            upload_id: None,
            content_md5: out.opc_content_md5,
            multipart_md5: None,
        })
    }

    /// A multipart upload: create, parts, commit (abort on failure).
    pub(crate) async fn multipart(
        self,
        source: SourceKind,
        len: u64,
        part_size: u64,
        parallelism: usize,
        tracker: Arc<Tracker>,
    ) -> Result<UploadOutput, Error> {
        let t = self.target.clone();
        let h = self.headers.clone();
        let details = models::CreateMultipartUploadDetails {
            object: t.object.clone(),
            content_type: Some(
                h.content_type
                    .unwrap_or_else(|| "application/octet-stream".into()),
            ),
            content_language: h.content_language,
            content_encoding: h.content_encoding,
            content_disposition: h.content_disposition,
            cache_control: h.cache_control,
            metadata: (!self.metadata.is_empty()).then(|| {
                self.metadata
                    .iter()
                    .map(|(k, v)| (format!("opc-meta-{k}"), v.clone()))
                    .collect()
            }),
            ..Default::default()
        };
        let created = self
            .client
            .create_multipart_upload()
            .namespace_name(&t.namespace)
            .bucket_name(&t.bucket)
            .create_multipart_upload_details(details)
            .send()
            .await?;
        let upload_id = created.body.upload_id;
        let mut guard = AbortOnDrop::new(&self.client, &t, &upload_id);
        let count = len.div_ceil(part_size);
        let result = self
            .upload_parts(
                source,
                len,
                part_size,
                count,
                parallelism,
                &upload_id,
                &tracker,
            )
            .await;
        let result = match result {
            Ok(etags) => self
                .commit(&upload_id, etags, len)
                .await
                .map_err(|e| (None, e)),
            Err(e) => Err(e),
        };
        match result {
            Ok(out) => {
                guard.disarm();
                Ok(UploadOutput {
                    etag: out.etag,
                    opc_request_id: out.opc_request_id,
                    bytes: len,
                    part_size,
                    parts: u32::try_from(count).unwrap_or(u32::MAX),
                    upload_id: Some(upload_id),
                    content_md5: None,
                    multipart_md5: out.opc_multipart_md5,
                })
            }
            Err((part, err)) => {
                let what = match part {
                    Some(n) => format!("part {n} failed"),
                    None => "the commit failed".to_owned(),
                };
                // The guard stays armed until the abort answers: dropping this future while it
                // waits still aborts (a second abort of the same upload is harmless).
                let abort = abort_request(&self.client, &t, &upload_id).send().await;
                guard.disarm();
                let note = match abort {
                    Ok(_) => format!("{what}; multipart upload {upload_id} aborted"),
                    Err(e) => format!(
                        "{what}; aborting multipart upload {upload_id} failed too ({e}): abort it to free its parts"
                    ),
                };
                let note = match err.note() {
                    Some(prev) => format!("{prev}; {note}"),
                    None => note,
                };
                Err(err.with_note(note))
            }
        }
    }

    /// Sends every part with at most `parallelism` in flight; the etags in part order, or the
    /// first failure with its part number.
    #[allow(clippy::too_many_arguments)]
    async fn upload_parts(
        &self,
        source: SourceKind,
        len: u64,
        part_size: u64,
        count: u64,
        parallelism: usize,
        upload_id: &str,
        tracker: &Tracker,
    ) -> Result<Vec<String>, (Option<u64>, Error)> {
        let mut etags: Vec<Option<String>> = vec![None; usize::try_from(count).unwrap_or(0)];
        let mut tasks = PartTasks::new();
        let mut source = source;
        let mut rest = Bytes::new();
        let path = match &source {
            SourceKind::File(p) => Some(Arc::new(p.clone())),
            _ => None,
        };
        for index in 0..count {
            while tasks.len() >= parallelism {
                if let Err(e) = join_one(&mut tasks, &mut etags, tracker).await {
                    tasks.shutdown().await;
                    return Err(e);
                }
            }
            let number = index + 1;
            let offset = index * part_size;
            let size = part_size.min(len - offset);
            let part = match (&mut source, &path) {
                (SourceKind::Bytes(b), _) => {
                    // Bounds hold: offset + size <= len == b.len().
                    let start = usize::try_from(offset).unwrap_or(usize::MAX);
                    let end = usize::try_from(offset + size).unwrap_or(usize::MAX);
                    PartBody::Bytes(b.slice(start..end))
                }
                (SourceKind::File(_), Some(path)) => PartBody::File {
                    path: path.clone(),
                    offset,
                    len: size,
                },
                (SourceKind::Stream { stream, .. }, _) => {
                    match read_part(stream, &mut rest, size, offset).await {
                        Ok(b) => PartBody::Bytes(b),
                        Err(e) => {
                            tasks.shutdown().await;
                            return Err((Some(number), e));
                        }
                    }
                }
                (SourceKind::File(_), None) => {
                    return Err((
                        Some(number),
                        Error::with_kind(ErrorKind::Other, "file source without a path"),
                    ))
                }
            };
            let client = self.client.clone();
            let target = self.target.clone();
            let upload_id = upload_id.to_owned();
            tasks.spawn(async move {
                upload_part(client, &target, &upload_id, number, part)
                    .await
                    .map(|etag| (number, etag, size))
                    .map_err(|e| (number, e))
            });
        }
        while !tasks.is_empty() {
            if let Err(e) = join_one(&mut tasks, &mut etags, tracker).await {
                tasks.shutdown().await;
                return Err(e);
            }
        }
        if let SourceKind::Stream { stream, .. } = &mut source {
            if let Err(e) = expect_end(stream, &rest, len).await {
                return Err((None, e));
            }
        }
        etags
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                e.ok_or_else(|| {
                    (
                        Some(i as u64 + 1),
                        Error::with_kind(ErrorKind::Other, "a part finished without an etag"),
                    )
                })
            })
            .collect()
    }

    /// Commits the parts. When an attempt committed but its answer was lost (the connection
    /// dropped) the retry finds no such upload (404 `NoSuchUpload`): then, if the object is there
    /// as a multipart object of exactly `len` bytes, the commit landed and that is the answer.
    async fn commit(
        &self,
        upload_id: &str,
        etags: Vec<String>,
        len: u64,
    ) -> Result<crate::operations::CommitMultipartUploadResponse, Error> {
        let t = &self.target;
        let parts = etags
            .into_iter()
            .enumerate()
            .map(|(i, etag)| models::CommitMultipartUploadPartDetails {
                part_num: i as i64 + 1,
                etag,
            })
            .collect();
        let result = self
            .client
            .commit_multipart_upload()
            .namespace_name(&t.namespace)
            .bucket_name(&t.bucket)
            .object_name(&t.object)
            .upload_id(upload_id)
            .commit_multipart_upload_details(models::CommitMultipartUploadDetails {
                parts_to_commit: parts,
                ..Default::default()
            })
            .send()
            .await;
        let err = match result {
            Err(e) if e.code() == Some("NoSuchUpload") && e.attempts().is_some_and(|n| n > 1) => e,
            other => return other,
        };
        let head = self
            .client
            .head_object()
            .namespace_name(&t.namespace)
            .bucket_name(&t.bucket)
            .object_name(&t.object)
            .send()
            .await;
        match head {
            Ok(h) if h.content_length == Some(len) && h.opc_multipart_md5.is_some() => {
                Ok(crate::operations::CommitMultipartUploadResponse {
                    status: 200,
                    opc_request_id: h.opc_request_id,
                    etag: h.etag,
                    opc_client_request_id: h.opc_client_request_id,
                    opc_multipart_md5: h.opc_multipart_md5,
                    opc_content_crc32c: h.opc_content_crc32c,
                    opc_multipart_sha256: None,
                    opc_multipart_sha384: None,
                    last_modified: None,
                    version_id: None,
                })
            }
            _ => Err(err),
        }
    }
}

/// Part uploads in flight: each ends with (part number, etag, size) or (part number, error).
type PartTasks = JoinSet<Result<(u64, String, u64), (u64, Error)>>;

/// Waits for one part task; records its etag and progress, or returns its error.
async fn join_one(
    tasks: &mut PartTasks,
    etags: &mut [Option<String>],
    tracker: &Tracker,
) -> Result<(), (Option<u64>, Error)> {
    match tasks.join_next().await {
        None => Ok(()),
        Some(Ok(Ok((number, etag, size)))) => {
            if let Some(slot) = usize::try_from(number - 1)
                .ok()
                .and_then(|i| etags.get_mut(i))
            {
                *slot = Some(etag);
            }
            tracker.add(size);
            Ok(())
        }
        Some(Ok(Err((number, e)))) => Err((Some(number), e)),
        Some(Err(join)) => Err((None, task_failed("part upload", join))),
    }
}

async fn upload_part(
    client: ObjectStorageClient,
    t: &Target,
    upload_id: &str,
    number: u64,
    part: PartBody,
) -> Result<String, Error> {
    let (body, md5) = part.into_body().await?;
    let out = client
        .upload_part()
        .namespace_name(&t.namespace)
        .bucket_name(&t.bucket)
        .object_name(&t.object)
        .upload_id(upload_id)
        .upload_part_num(i64::try_from(number).unwrap_or(i64::MAX))
        .content_md5(md5)
        .upload_part_body(body)
        .send()
        .await?;
    out.etag.ok_or_else(|| {
        Error::with_kind(
            ErrorKind::Deserialize,
            format!("UploadPart for part {number} answered without an etag"),
        )
        .with_opc_request_id_if_missing(|| out.opc_request_id.clone())
    })
}
