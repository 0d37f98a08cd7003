//! Object versions: the current version lives in `State::objects`, noncurrent versions and
//! delete markers in `State::versions` (oldest first). A bucket whose `versioning` is `Enabled`
//! keeps the version a write replaces and answers a delete without `versionId` with a delete
//! marker; `Suspended` and `Disabled` buckets replace and delete in place (versions kept while
//! enabled stay listed and addressable).

use std::collections::HashMap;

use serde::Serialize;

use crate::error::ApiResult;
use crate::http::{self as h, Reply};
use crate::shared::Shared;
use crate::state::*;
use crate::util;

use super::*;

fn versioned(state: &State, bucket: &str) -> bool {
    state
        .buckets
        .iter()
        .any(|b| b.name == bucket && b.versioning == "Enabled")
}

fn push_old(state: &mut State, bucket: &str, name: &str, old: OldVersion) {
    state
        .versions
        .entry(bucket.to_owned())
        .or_default()
        .entry(name.to_owned())
        .or_default()
        .push(old);
}

/// Makes `meta` the current version of `name`; the blobs no longer referenced.
pub(super) fn store_current(
    state: &mut State,
    bucket: &str,
    name: &str,
    meta: ObjectMeta,
) -> Vec<String> {
    let keep = versioned(state, bucket);
    let previous = state
        .objects
        .entry(bucket.to_owned())
        .or_default()
        .insert(name.to_owned(), meta);
    match previous {
        Some(p) if keep => {
            let old = OldVersion {
                version_id: p.version_id.clone(),
                modified_ms: p.modified_ms,
                meta: Some(p),
            };
            push_old(state, bucket, name, old);
            Vec::new()
        }
        Some(p) => vec![p.blob],
        None => Vec::new(),
    }
}

/// What a delete did.
pub(super) struct Deleted {
    pub blobs: Vec<String>,
    /// The version removed, or the delete marker made.
    pub version_id: String,
    pub delete_marker: bool,
}

/// Deletes the current version of `name` (a delete marker when the bucket is versioned).
pub(super) fn delete_current(
    state: &mut State,
    bucket: &str,
    name: &str,
    now_ms: u64,
) -> ApiResult<Deleted> {
    let current = state
        .objects
        .get_mut(bucket)
        .and_then(|o| o.remove(name))
        .ok_or_else(|| object_not_found(name))?;
    if versioned(state, bucket) {
        let marker = state.next_version_id();
        let old = OldVersion {
            version_id: current.version_id.clone(),
            modified_ms: current.modified_ms,
            meta: Some(current),
        };
        push_old(state, bucket, name, old);
        let m = OldVersion {
            version_id: marker.clone(),
            modified_ms: now_ms,
            meta: None,
        };
        push_old(state, bucket, name, m);
        return Ok(Deleted {
            blobs: Vec::new(),
            version_id: marker,
            delete_marker: true,
        });
    }
    Ok(Deleted {
        blobs: vec![current.blob],
        version_id: current.version_id,
        delete_marker: false,
    })
}

/// Deletes one version (or delete marker) of `name`; deleting the current version makes the
/// newest noncurrent one current unless that is a delete marker.
pub(super) fn delete_version(
    state: &mut State,
    bucket: &str,
    name: &str,
    version_id: &str,
) -> ApiResult<Deleted> {
    let is_current = state
        .objects
        .get(bucket)
        .and_then(|o| o.get(name))
        .is_some_and(|m| m.version_id == version_id);
    let olds = state.versions.get_mut(bucket).and_then(|o| o.get_mut(name));
    if is_current {
        let mut promoted = None;
        if let Some(olds) = olds {
            if olds.last().is_some_and(|v| v.meta.is_some()) {
                promoted = olds.pop().and_then(|v| v.meta);
            }
        }
        let objects = state.objects.entry(bucket.to_owned()).or_default();
        let removed = match promoted {
            Some(p) => objects.insert(name.to_owned(), p),
            None => objects.remove(name),
        };
        return Ok(Deleted {
            blobs: removed.map(|m| m.blob).into_iter().collect(),
            version_id: version_id.to_owned(),
            delete_marker: false,
        });
    }
    let olds = olds.ok_or_else(|| version_not_found(name, version_id))?;
    let i = olds
        .iter()
        .position(|v| v.version_id == version_id)
        .ok_or_else(|| version_not_found(name, version_id))?;
    let removed = olds.remove(i);
    // Removing the newest delete marker of a deleted object brings the version under it back.
    let has_current = state
        .objects
        .get(bucket)
        .is_some_and(|o| o.contains_key(name));
    let olds = state.versions.get_mut(bucket).and_then(|o| o.get_mut(name));
    if let Some(olds) = olds {
        if !has_current && i == olds.len() && olds.last().is_some_and(|v| v.meta.is_some()) {
            if let Some(meta) = olds.pop().and_then(|v| v.meta) {
                state
                    .objects
                    .entry(bucket.to_owned())
                    .or_default()
                    .insert(name.to_owned(), meta);
            }
        }
    }
    Ok(Deleted {
        delete_marker: removed.meta.is_none(),
        blobs: removed.meta.map(|m| m.blob).into_iter().collect(),
        version_id: version_id.to_owned(),
    })
}

/// The version `version_id` of `name` (current or not); a delete marker is not found.
pub(super) fn find_version(
    state: &State,
    bucket: &str,
    name: &str,
    version_id: &str,
) -> ApiResult<ObjectMeta> {
    if let Some(m) = state
        .objects
        .get(bucket)
        .and_then(|o| o.get(name))
        .filter(|m| m.version_id == version_id)
    {
        return Ok(m.clone());
    }
    state
        .versions
        .get(bucket)
        .and_then(|o| o.get(name))
        .and_then(|v| v.iter().find(|v| v.version_id == version_id))
        .and_then(|v| v.meta.clone())
        .ok_or_else(|| version_not_found(name, version_id))
}

fn version_not_found(name: &str, version_id: &str) -> ApiError {
    ApiError::new(
        404,
        "ObjectNotFound",
        format!("The version '{version_id}' of the object '{name}' was not found in the bucket"),
    )
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct ObjectVersionSummary {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    md5: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_created: Option<String>,
    time_modified: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    storage_tier: Option<String>,
    version_id: String,
    is_delete_marker: bool,
}

fn summary(
    name: &str,
    version_id: &str,
    modified_ms: u64,
    meta: Option<&ObjectMeta>,
) -> ObjectVersionSummary {
    ObjectVersionSummary {
        name: name.to_owned(),
        size: meta.map(|m| m.size),
        md5: meta.and_then(|m| m.md5.clone().or_else(|| m.multipart_md5.clone())),
        etag: meta.map(|m| m.etag.clone()),
        time_created: meta.map(|m| util::rfc3339(m.created_ms)),
        time_modified: util::rfc3339(modified_ms),
        storage_tier: meta.map(|_| "Standard".to_owned()),
        version_id: version_id.to_owned(),
        is_delete_marker: meta.is_none(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectVersionCollection {
    items: Vec<ObjectVersionSummary>,
    prefixes: Vec<String>,
}

/// `ListObjectVersions`: every version and delete marker, by name, newest first; `prefix`,
/// `start`, `end`, `startAfter`, `delimiter=/`, `limit` and `page`.
pub(super) fn list_object_versions(
    shared: &Shared,
    route: &Route,
    q: &HashMap<String, String>,
) -> Reply {
    let prefix = q.get("prefix").map(String::as_str).unwrap_or("");
    let start = q.get("start").map(String::as_str).unwrap_or("");
    let start_after = q.get("startAfter").map(String::as_str);
    let end = q.get("end").map(String::as_str);
    let delimiter = q.get("delimiter").filter(|d| !d.is_empty());
    if delimiter.is_some_and(|d| d != "/") {
        return Err(ApiError::invalid("the only supported delimiter is '/'"));
    }
    let state = shared.lock();
    let current = bucket_objects(&state, &route.bucket)?;
    let empty = Default::default();
    let olds = state.versions.get(&route.bucket).unwrap_or(&empty);
    let mut names: Vec<&String> = current.keys().chain(olds.keys()).collect();
    names.sort();
    names.dedup();
    let mut items = Vec::new();
    let mut prefixes = std::collections::BTreeSet::new();
    for name in names {
        let n = name.as_str();
        if !n.starts_with(prefix)
            || n < start
            || start_after.is_some_and(|s| n <= s)
            || end.is_some_and(|e| n >= e)
        {
            continue;
        }
        if delimiter.is_some() {
            if let Some(i) = n[prefix.len()..].find('/') {
                prefixes.insert(n[..prefix.len() + i + 1].to_owned());
                continue;
            }
        }
        if let Some(m) = current.get(name) {
            items.push(summary(n, &m.version_id, m.modified_ms, Some(m)));
        }
        for v in olds.get(name).into_iter().flatten().rev() {
            items.push(summary(n, &v.version_id, v.modified_ms, v.meta.as_ref()));
        }
    }
    let (page, next) = util::paginate(state.seed, &items, q, 1000)?;
    h::json_page(
        &ObjectVersionCollection {
            items: page,
            prefixes: prefixes.into_iter().collect(),
        },
        next,
    )
}
