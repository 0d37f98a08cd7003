//! Object Storage multipart uploads: create, upload parts (streamed), commit, abort, list.

use std::collections::{BTreeMap, HashMap};

use http::HeaderMap;
use md5::{Digest as _, Md5};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::shared::{ReqBody, Shared};
use crate::state::*;
use crate::util;

use super::checksums;
use super::objects::{existing_object, object_stored, writable_existing};
use super::versions::store_current;
use super::*;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateMultipartUploadDetails {
    object: String,
    content_type: Option<String>,
    storage_tier: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct MultipartUpload {
    namespace: String,
    bucket: String,
    object: String,
    upload_id: String,
    time_created: String,
    storage_tier: String,
}

fn upload_view(u: &Upload) -> MultipartUpload {
    MultipartUpload {
        namespace: u.namespace.clone(),
        bucket: u.bucket.clone(),
        object: u.object.clone(),
        upload_id: u.upload_id.clone(),
        time_created: u.time_created.clone(),
        storage_tier: u.storage_tier.clone(),
    }
}

pub(super) fn create_upload(shared: &Shared, route: &Route, body: &[u8]) -> Reply {
    let d: CreateMultipartUploadDetails = h::parse_json(body)?;
    if d.object.is_empty() {
        return Err(ApiError::invalid("the object name is empty"));
    }
    let now = shared.now_ms();
    let mut state = shared.lock();
    existing_object(&state, route)?;
    let metadata = d
        .metadata
        .into_iter()
        .map(|(k, v)| {
            (
                k.strip_prefix("opc-meta-").map(str::to_owned).unwrap_or(k),
                v,
            )
        })
        .collect();
    let n = state.next();
    let upload = Upload {
        namespace: state.namespace.clone(),
        bucket: route.bucket.clone(),
        object: d.object,
        upload_id: format!(
            "{}-{}",
            util::derived_text(state.seed, "upload", n, 8),
            util::etag(state.seed, n)
        ),
        time_created: util::rfc3339(now),
        storage_tier: d.storage_tier.unwrap_or_else(|| "Standard".into()),
        content_type: d.content_type,
        metadata,
        parts: BTreeMap::new(),
    };
    let view = upload_view(&upload);
    state.uploads.push(upload);
    let mut resp = h::json(200, &view)?;
    h::set_header(
        &mut resp,
        "location",
        &format!(
            "/n/{}/b/{}/u/{}?uploadId={}",
            view.namespace, view.bucket, view.object, view.upload_id
        ),
    );
    Ok(resp)
}

pub(super) fn list_uploads(shared: &Shared, route: &Route, q: &HashMap<String, String>) -> Reply {
    let state = shared.lock();
    existing_object(&state, route)?;
    let items: Vec<MultipartUpload> = state
        .uploads
        .iter()
        .filter(|u| u.bucket == route.bucket)
        .map(upload_view)
        .collect();
    let (page, next) = util::paginate(state.seed, &items, q, 1000)?;
    h::json_page(&page, next)
}

pub(super) fn find_upload<'a>(
    state: &'a mut State,
    route: &Route,
    upload_id: &str,
) -> ApiResult<&'a mut Upload> {
    state
        .uploads
        .iter_mut()
        .find(|u| u.bucket == route.bucket && u.object == route.object && u.upload_id == upload_id)
        .ok_or_else(|| no_upload(upload_id))
}

pub(super) async fn upload_part(
    shared: &Shared,
    route: &Route,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: ReqBody,
) -> Reply {
    let upload_id = h::required(q, "uploadId")?.to_owned();
    let num: u32 = h::required(q, "uploadPartNum")?
        .parse()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| ApiError::invalid("uploadPartNum must be an integer from 1 to 10000"))?;
    if h::header(headers, "content-length").is_none() {
        return Err(ApiError::new(
            411,
            "LengthRequired",
            "UploadPart needs a content-length header",
        ));
    }
    {
        let mut state = shared.lock();
        find_upload(&mut state, route, &upload_id)?;
    }
    let written = body
        .write_to(&shared.blobs, checksums::wants_sha256(headers))
        .await?;
    let crc32c = match checksums::check(headers, &written) {
        Ok(c) => c,
        Err(e) => {
            shared.blobs.remove(&written.id);
            return Err(e);
        }
    };
    let md5 = util::b64(&written.md5);
    let mut state = shared.lock();
    let etag = state.next_etag();
    let upload = match find_upload(&mut state, route, &upload_id) {
        Ok(u) => u,
        Err(e) => {
            shared.blobs.remove(&written.id);
            return Err(e);
        }
    };
    let old = upload.parts.insert(
        num,
        Part {
            blob: written.id,
            size: written.size,
            md5: md5.clone(),
            etag: etag.clone(),
        },
    );
    drop(state);
    if let Some(old) = old {
        shared.discard(old.blob.clone());
    }
    let mut resp = h::no_content(200)?;
    h::set_header(&mut resp, "etag", &etag);
    h::set_header(&mut resp, "opc-content-md5", &md5);
    if let Some(c) = &crc32c {
        h::set_header(&mut resp, "opc-content-crc32c", c);
    }
    Ok(resp)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PartToCommit {
    part_num: u32,
    etag: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommitDetails {
    parts_to_commit: Vec<PartToCommit>,
    #[serde(default)]
    parts_to_exclude: Vec<u32>,
}

pub(super) async fn commit_upload(
    shared: &Shared,
    route: &Route,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    let upload_id = h::required(q, "uploadId")?.to_owned();
    let d: CommitDetails = h::parse_json(body)?;
    writable_existing(&shared.lock(), route, headers, shared.now_ms())?;
    if d.parts_to_commit.is_empty() {
        return Err(ApiError::invalid("partsToCommit is empty"));
    }
    let (blobs, md5s, upload) = {
        let mut state = shared.lock();
        let upload = find_upload(&mut state, route, &upload_id)?.clone();
        let mut parts: Vec<&PartToCommit> = d.parts_to_commit.iter().collect();
        parts.sort_by_key(|p| p.part_num);
        let mut blobs = Vec::new();
        let mut md5s = Vec::new();
        for p in parts {
            if d.parts_to_exclude.contains(&p.part_num) {
                continue;
            }
            let part = upload.parts.get(&p.part_num).ok_or_else(|| {
                ApiError::invalid(format!("part {} was not uploaded", p.part_num))
            })?;
            if part.etag != p.etag.trim_matches('"') {
                return Err(ApiError::invalid(format!(
                    "the etag for part {} does not match the uploaded part",
                    p.part_num
                )));
            }
            blobs.push(part.blob.clone());
            md5s.push(part.md5.clone());
        }
        (blobs, md5s, upload)
    };
    let (blob, size, crc) = shared.blobs.concat(&blobs).await?;
    let mut hasher = Md5::new();
    for m in &md5s {
        use base64::Engine as _;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(m)
            .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))?;
        hasher.update(&raw);
    }
    let multipart_md5 = format!("{}-{}", util::b64(&hasher.finalize()), md5s.len());
    let now = shared.now_ms();
    let mut state = shared.lock();
    if find_upload(&mut state, route, &upload_id).is_err() {
        shared.blobs.remove(&blob);
        return Err(no_upload(&upload_id));
    }
    let previous = match writable_existing(&state, route, headers, now) {
        Ok(e) => e.cloned(),
        Err(err) => {
            shared.blobs.remove(&blob);
            return Err(err);
        }
    };
    let etag = state.next_etag();
    let version_id = state.next_version_id();
    let crc32c = checksums::crc32c_b64(crc);
    let meta = ObjectMeta {
        blob,
        size,
        md5: None,
        multipart_md5: Some(multipart_md5.clone()),
        etag: etag.clone(),
        created_ms: previous.as_ref().map_or(now, |p| p.created_ms),
        modified_ms: now,
        content_type: upload
            .content_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into()),
        content_language: None,
        content_encoding: None,
        content_disposition: None,
        cache_control: None,
        metadata: upload.metadata.clone(),
        version_id: version_id.clone(),
        crc32c: Some(crc32c.clone()),
        sse_key_sha256: None,
        archived_ms: (upload.storage_tier == "Archive").then_some(now),
        storage_tier: Some(upload.storage_tier.clone()),
        restore: None,
    };
    let dropped = store_current(&mut state, &route.bucket, &route.object, meta);
    state.uploads.retain(|u| u.upload_id != upload_id);
    drop(state);
    for part in upload.parts.values() {
        shared.discard(part.blob.clone());
    }
    for blob in dropped {
        shared.discard(blob);
    }
    let mut resp = object_stored(
        &etag,
        ("opc-multipart-md5", &multipart_md5),
        now,
        &version_id,
    )?;
    h::set_header(&mut resp, "opc-content-crc32c", &crc32c);
    Ok(resp)
}

pub(super) fn abort_upload(shared: &Shared, route: &Route, q: &HashMap<String, String>) -> Reply {
    let upload_id = h::required(q, "uploadId")?.to_owned();
    let mut state = shared.lock();
    let upload = find_upload(&mut state, route, &upload_id)?.clone();
    state.uploads.retain(|u| u.upload_id != upload_id);
    drop(state);
    for part in upload.parts.values() {
        shared.discard(part.blob.clone());
    }
    h::no_content(204)
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct PartSummary {
    etag: String,
    md5: String,
    size: u64,
    part_number: u32,
}

pub(super) fn list_parts(shared: &Shared, route: &Route, q: &HashMap<String, String>) -> Reply {
    let upload_id = h::required(q, "uploadId")?.to_owned();
    let state = shared.lock();
    let upload = state
        .uploads
        .iter()
        .find(|u| u.bucket == route.bucket && u.object == route.object && u.upload_id == upload_id)
        .ok_or_else(|| no_upload(&upload_id))?;
    let seed = state.seed;
    let items: Vec<PartSummary> = upload
        .parts
        .iter()
        .map(|(n, p)| PartSummary {
            etag: p.etag.clone(),
            md5: p.md5.clone(),
            size: p.size,
            part_number: *n,
        })
        .collect();
    let (page, next) = util::paginate(seed, &items, q, 1000)?;
    h::json_page(&page, next)
}
