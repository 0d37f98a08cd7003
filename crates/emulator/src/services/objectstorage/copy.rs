//! `CopyObject` (202 with `opc-work-request-id`; the copy is done before the answer and its
//! work request reports it) and `RenameObject`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::shared::Shared;
use crate::state::*;
use crate::util;

use super::versions::{delete_current, find_version, store_current};
use super::workrequests;
use super::*;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CopyObjectDetails {
    source_object_name: String,
    source_object_if_match_e_tag: Option<String>,
    source_version_id: Option<String>,
    destination_region: String,
    destination_namespace: String,
    destination_bucket: String,
    destination_object_name: String,
    destination_object_if_match_e_tag: Option<String>,
    destination_object_if_none_match_e_tag: Option<String>,
    destination_object_metadata: Option<BTreeMap<String, String>>,
    destination_object_storage_tier: Option<String>,
}

/// A source object's current (or given) version, checked against an expected etag.
fn source(
    state: &State,
    bucket: &str,
    name: &str,
    version: Option<&str>,
    if_match: Option<&str>,
) -> ApiResult<ObjectMeta> {
    bucket_objects(state, bucket)?;
    let meta = match version.filter(|v| !v.is_empty()) {
        Some(v) => find_version(state, bucket, name, v)?,
        None => state
            .objects
            .get(bucket)
            .and_then(|o| o.get(name))
            .cloned()
            .ok_or_else(|| object_not_found(name))?,
    };
    if let Some(e) = if_match {
        if e != "*" && e.trim_matches('"') != meta.etag {
            return Err(ApiError::etag_mismatch());
        }
    }
    Ok(meta)
}

/// `if-match` / `if-none-match: *` of a destination.
fn destination(
    state: &State,
    bucket: &str,
    name: &str,
    if_match: Option<&str>,
    if_none_match: Option<&str>,
) -> ApiResult<Option<ObjectMeta>> {
    let existing = bucket_objects(state, bucket)?.get(name).cloned();
    if let Some(m) = if_match {
        match &existing {
            Some(o) if m == "*" || o.etag == m.trim_matches('"') => {}
            _ => return Err(ApiError::etag_mismatch()),
        }
    }
    if let Some(n) = if_none_match {
        if n != "*" {
            return Err(ApiError::invalid("if-none-match only accepts `*`"));
        }
        if existing.is_some() {
            return Err(ApiError::new(
                412,
                "IfNoneMatchFailed",
                format!("The object '{name}' already exists"),
            ));
        }
    }
    Ok(existing)
}

/// Applies `destinationObjectMetadata` (`opc-meta-*` and content headers) to a copy.
fn apply_metadata(meta: &mut ObjectMeta, given: BTreeMap<String, String>) {
    meta.metadata.clear();
    meta.content_language = None;
    meta.content_encoding = None;
    meta.content_disposition = None;
    meta.cache_control = None;
    for (k, v) in given {
        match k.to_ascii_lowercase().as_str() {
            "content-type" => meta.content_type = v,
            "content-language" => meta.content_language = Some(v),
            "content-encoding" => meta.content_encoding = Some(v),
            "content-disposition" => meta.content_disposition = Some(v),
            "cache-control" => meta.cache_control = Some(v),
            key => {
                let key = key.strip_prefix("opc-meta-").unwrap_or(key).to_owned();
                meta.metadata.insert(key, v);
            }
        }
    }
}

pub(super) async fn copy_object(shared: &Shared, route: &Route, body: &[u8]) -> Reply {
    let d: CopyObjectDetails = h::parse_json(body)?;
    if let Some(t) = d.destination_object_storage_tier.as_deref() {
        if t != "Standard" {
            return Err(crate::services::not_implemented(
                "Object Storage",
                "CopyObject to a storage tier other than Standard",
            ));
        }
    }
    let (src, compartment) = {
        let state = shared.lock();
        if !d.destination_region.eq_ignore_ascii_case(&state.region) {
            return Err(crate::services::not_implemented(
                "Object Storage",
                "CopyObject across regions",
            ));
        }
        if d.destination_namespace != state.namespace {
            return Err(ApiError::new(
                404,
                "NamespaceNotFound",
                format!("The namespace '{}' does not exist", d.destination_namespace),
            ));
        }
        let src = source(
            &state,
            &route.bucket,
            &d.source_object_name,
            d.source_version_id.as_deref(),
            d.source_object_if_match_e_tag.as_deref(),
        )?;
        bucket_objects(&state, &d.destination_bucket)?;
        (src, bucket(&state, &route.bucket)?.compartment_id.clone())
    };
    let (blob, _, _) = shared.blobs.concat(std::slice::from_ref(&src.blob)).await?;
    let now = shared.now_ms();
    let mut state = shared.lock();
    let ns = state.namespace.clone();
    let uri = |b: &str, o: &str| format!("/n/{ns}/b/{b}/o/{o}");
    let resources = vec![
        (
            "READ".to_owned(),
            format!("{}/{}", route.bucket, d.source_object_name),
            uri(&route.bucket, &d.source_object_name),
        ),
        (
            "WRITTEN".to_owned(),
            format!("{}/{}", d.destination_bucket, d.destination_object_name),
            uri(&d.destination_bucket, &d.destination_object_name),
        ),
    ];
    let delay = shared.settings.lifecycle_delay_ms;
    let checked = destination(
        &state,
        &d.destination_bucket,
        &d.destination_object_name,
        d.destination_object_if_match_e_tag.as_deref(),
        d.destination_object_if_none_match_e_tag.as_deref(),
    );
    let error = match checked {
        Err(e) => {
            shared.blobs.remove(&blob);
            Some(e.message.clone())
        }
        Ok(previous) => {
            let mut meta = src;
            meta.blob = blob;
            meta.etag = state.next_etag();
            meta.version_id = state.next_version_id();
            meta.created_ms = previous.map_or(now, |p| p.created_ms);
            meta.modified_ms = now;
            if let Some(m) = d.destination_object_metadata {
                apply_metadata(&mut meta, m);
            }
            let dest = (
                d.destination_bucket.clone(),
                d.destination_object_name.clone(),
            );
            for b in store_current(&mut state, &dest.0, &dest.1, meta) {
                shared.discard(b);
            }
            None
        }
    };
    let id = workrequests::record(
        &mut state,
        "COPY_OBJECT",
        &compartment,
        resources,
        error,
        now,
        delay,
    );
    drop(state);
    let mut resp = h::no_content(202)?;
    h::set_header(&mut resp, "opc-work-request-id", &id);
    Ok(resp)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RenameObjectDetails {
    source_name: String,
    new_name: String,
    src_obj_if_match_e_tag: Option<String>,
    new_obj_if_match_e_tag: Option<String>,
    new_obj_if_none_match_e_tag: Option<String>,
}

/// `RenameObject`: the current version moves to the new name (in a versioned bucket the source
/// gets a delete marker and the new name a new version of a copy of the bytes).
pub(super) async fn rename_object(shared: &Shared, route: &Route, body: &[u8]) -> Reply {
    let d: RenameObjectDetails = h::parse_json(body)?;
    if d.new_name.is_empty() || d.source_name.is_empty() {
        return Err(ApiError::invalid("sourceName and newName are required"));
    }
    if d.new_name == d.source_name {
        return Err(ApiError::invalid("newName is the same as sourceName"));
    }
    let check = |state: &State| -> ApiResult<ObjectMeta> {
        let src = source(
            state,
            &route.bucket,
            &d.source_name,
            None,
            d.src_obj_if_match_e_tag.as_deref(),
        )?;
        destination(
            state,
            &route.bucket,
            &d.new_name,
            d.new_obj_if_match_e_tag.as_deref(),
            d.new_obj_if_none_match_e_tag.as_deref(),
        )?;
        Ok(src)
    };
    let (src, versioned) = {
        let state = shared.lock();
        let src = check(&state)?;
        (src, bucket(&state, &route.bucket)?.versioning == "Enabled")
    };
    // A versioned source keeps its bytes as a noncurrent version: the new name gets a copy.
    let copied = if versioned {
        Some(
            shared
                .blobs
                .concat(std::slice::from_ref(&src.blob))
                .await?
                .0,
        )
    } else {
        None
    };
    let now = shared.now_ms();
    let mut state = shared.lock();
    let src = match check(&state) {
        Ok(s) => s,
        Err(e) => {
            if let Some(b) = copied {
                shared.blobs.remove(&b);
            }
            return Err(e);
        }
    };
    let mut meta = src.clone();
    meta.blob = copied.unwrap_or(src.blob);
    meta.etag = state.next_etag();
    meta.version_id = state.next_version_id();
    let (etag, version_id) = (meta.etag.clone(), meta.version_id.clone());
    let deleted = delete_current(&mut state, &route.bucket, &d.source_name, now)?;
    let mut dropped = store_current(&mut state, &route.bucket, &d.new_name, meta);
    if versioned {
        dropped.extend(deleted.blobs);
    }
    drop(state);
    for b in dropped {
        shared.discard(b);
    }
    let mut resp = h::no_content(200)?;
    h::set_header(&mut resp, "etag", &etag);
    h::set_header(&mut resp, "version-id", &version_id);
    h::set_header(&mut resp, "last-modified", &util::http_date(now));
    Ok(resp)
}
