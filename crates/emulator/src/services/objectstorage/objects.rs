//! Object Storage objects: list, put (streamed), get/head (ranges), delete.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use http::HeaderMap;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::shared::{ReqBody, Shared};
use crate::state::*;
use crate::util;

use super::versions::*;
use super::*;
use super::{checksums, retention, sse, tiers};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectSummary {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    md5: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    storage_tier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    archival_state: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListObjects {
    objects: Vec<ObjectSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prefixes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_start_with: Option<String>,
}

pub(super) fn list_objects(shared: &Shared, route: &Route, q: &HashMap<String, String>) -> Reply {
    let now = shared.now_ms();
    let limit = util::limit(q, 1000)?;
    let prefix = q.get("prefix").map(String::as_str).unwrap_or("");
    let start = q.get("start").map(String::as_str);
    let start_after = q.get("startAfter").map(String::as_str);
    let end = q.get("end").map(String::as_str);
    let delimiter = q
        .get("delimiter")
        .map(String::as_str)
        .filter(|d| !d.is_empty());
    if delimiter.is_some_and(|d| d != "/") {
        return Err(ApiError::invalid("the only supported delimiter is '/'"));
    }
    let fields: BTreeSet<&str> = q
        .get("fields")
        .map(|f| f.split(',').map(str::trim).collect())
        .unwrap_or_default();
    for f in &fields {
        if !matches!(
            *f,
            "name"
                | "size"
                | "md5"
                | "etag"
                | "timeCreated"
                | "timeModified"
                | "storageTier"
                | "archivalState"
        ) {
            return Err(ApiError::invalid(format!("unknown field `{f}` in fields")));
        }
    }
    let state = shared.lock();
    let objects = bucket_objects(&state, &route.bucket)?;
    let mut out = Vec::new();
    let mut prefixes: BTreeSet<String> = BTreeSet::new();
    let mut next = None;
    let lower = start.unwrap_or("").max(prefix);
    for (name, meta) in
        objects.range::<str, _>((std::ops::Bound::Included(lower), std::ops::Bound::Unbounded))
    {
        if start_after.is_some_and(|s| name.as_str() <= s) {
            continue;
        }
        if end.is_some_and(|e| name.as_str() >= e) {
            break;
        }
        if !name.starts_with(prefix) {
            // Names with the prefix are contiguous and sort after it: past them, stop.
            if name.as_str() > prefix {
                break;
            }
            continue;
        }
        if let Some(d) = delimiter {
            let rest = &name[prefix.len()..];
            if let Some(i) = rest.find(d) {
                let p = format!("{prefix}{}", &rest[..i + d.len()]);
                if !prefixes.contains(&p) {
                    if out.len() + prefixes.len() >= limit {
                        next = Some(name.clone());
                        break;
                    }
                    prefixes.insert(p);
                }
                continue;
            }
        }
        if out.len() + prefixes.len() >= limit {
            next = Some(name.clone());
            break;
        }
        let has = |f: &str| fields.contains(f);
        out.push(ObjectSummary {
            name: name.clone(),
            size: has("size").then_some(meta.size),
            md5: if has("md5") {
                meta.md5.clone().or_else(|| meta.multipart_md5.clone())
            } else {
                None
            },
            etag: has("etag").then(|| meta.etag.clone()),
            time_created: has("timeCreated").then(|| util::rfc3339(meta.created_ms)),
            time_modified: has("timeModified").then(|| util::rfc3339(meta.modified_ms)),
            storage_tier: has("storageTier").then(|| tiers::tier(meta).to_owned()),
            archival_state: if has("archivalState") {
                tiers::archival_state(meta, now).map(str::to_owned)
            } else {
                None
            },
        });
    }
    h::json(
        200,
        &ListObjects {
            objects: out,
            prefixes: delimiter.map(|_| prefixes.into_iter().collect()),
            next_start_with: next,
        },
    )
}

/// Headers stored with an object.
pub(super) fn content_headers(
    headers: &HeaderMap,
) -> (BTreeMap<String, String>, [Option<String>; 5]) {
    let mut meta = BTreeMap::new();
    for (name, value) in headers {
        if let Some(key) = name.as_str().strip_prefix("opc-meta-") {
            if let Ok(v) = value.to_str() {
                meta.insert(key.to_owned(), v.to_owned());
            }
        }
    }
    let h = |n: &str| h::header(headers, n).map(str::to_owned);
    (
        meta,
        [
            h("content-type"),
            h("content-language"),
            h("content-encoding"),
            h("content-disposition"),
            h("cache-control"),
        ],
    )
}

/// `if-match` / `if-none-match: *` for writes.
pub(super) fn check_write_preconditions(
    headers: &HeaderMap,
    existing: Option<&ObjectMeta>,
) -> ApiResult<()> {
    if let Some(m) = h::header(headers, "if-match") {
        match existing {
            Some(o) if o.etag == m.trim_matches('"') || m == "*" => {}
            _ => return Err(ApiError::etag_mismatch()),
        }
    }
    if let Some(n) = h::header(headers, "if-none-match") {
        if n != "*" {
            return Err(ApiError::invalid(
                "if-none-match on writes only accepts `*`",
            ));
        }
        if existing.is_some() {
            return Err(ApiError::new(
                412,
                "IfNoneMatchFailed",
                "The object already exists and if-none-match is `*`",
            ));
        }
    }
    Ok(())
}

/// The object a write replaces, after `if-match` / `if-none-match` and the retention rules.
pub(super) fn writable_existing<'a>(
    state: &'a State,
    route: &Route,
    headers: &HeaderMap,
    now: u64,
) -> ApiResult<Option<&'a ObjectMeta>> {
    let existing = existing_object(state, route)?;
    check_write_preconditions(headers, existing)?;
    if let Some(e) = existing {
        retention::check_not_retained(state, &route.bucket, e, &route.object, now)?;
    }
    Ok(existing)
}

pub(super) fn existing_object<'a>(
    state: &'a State,
    route: &Route,
) -> ApiResult<Option<&'a ObjectMeta>> {
    let objects = bucket_objects(state, &route.bucket)?;
    Ok(objects.get(&route.object))
}

pub(super) async fn put_object(
    shared: &Shared,
    route: &Route,
    headers: &HeaderMap,
    body: ReqBody,
) -> Reply {
    if route.object.is_empty() {
        return Err(ApiError::invalid("the object name is empty"));
    }
    if h::header(headers, "content-length").is_none() {
        return Err(ApiError::new(
            411,
            "LengthRequired",
            "PutObject needs a content-length header",
        ));
    }
    let sse_key = sse::customer_key(headers)?;
    let tier = {
        let state = shared.lock();
        writable_existing(&state, route, headers, shared.now_ms())?;
        tiers::tier_for_write(
            &bucket(&state, &route.bucket)?.storage_tier,
            h::header(headers, "storage-tier"),
        )?
    };
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
    let now = shared.now_ms();
    let (metadata, [ct, cl, ce, cd, cc]) = content_headers(headers);
    let mut state = shared.lock();
    let previous = match writable_existing(&state, route, headers, now) {
        Ok(e) => e.cloned(),
        Err(err) => {
            shared.blobs.remove(&written.id);
            return Err(err);
        }
    };
    let etag = state.next_etag();
    let version_id = state.next_version_id();
    let md5 = util::b64(&written.md5);
    let meta = ObjectMeta {
        blob: written.id,
        size: written.size,
        md5: Some(md5.clone()),
        multipart_md5: None,
        etag: etag.clone(),
        created_ms: previous.as_ref().map_or(now, |p| p.created_ms),
        modified_ms: now,
        content_type: ct.unwrap_or_else(|| "application/octet-stream".into()),
        content_language: cl,
        content_encoding: ce,
        content_disposition: cd,
        cache_control: cc,
        metadata,
        version_id: version_id.clone(),
        crc32c: crc32c.clone(),
        sse_key_sha256: sse_key,
        archived_ms: (tier == "Archive").then_some(now),
        storage_tier: Some(tier),
        restore: None,
    };
    let dropped = store_current(&mut state, &route.bucket, &route.object, meta);
    drop(state);
    for blob in dropped {
        shared.discard(blob);
    }
    let mut resp = object_stored(&etag, ("opc-content-md5", &md5), now, &version_id)?;
    if let Some(c) = &crc32c {
        h::set_header(&mut resp, "opc-content-crc32c", c);
    }
    if let Some(s) = written.sha256 {
        h::set_header(&mut resp, "opc-content-sha256", &util::b64(&s));
    }
    Ok(resp)
}

/// The answer to a stored object: 200 with its etag, its checksum header and last-modified.
pub(super) fn object_stored(
    etag: &str,
    checksum: (&'static str, &str),
    now_ms: u64,
    version_id: &str,
) -> Reply {
    let mut resp = h::no_content(200)?;
    h::set_header(&mut resp, "etag", etag);
    h::set_header(&mut resp, "version-id", version_id);
    h::set_header(&mut resp, checksum.0, checksum.1);
    h::set_header(&mut resp, "last-modified", &util::http_date(now_ms));
    Ok(resp)
}

/// A parsed single byte range: `(start, end_inclusive)`.
pub(super) fn parse_range(value: &str, size: u64) -> ApiResult<(u64, u64)> {
    let bad = || {
        ApiError::new(
            416,
            "InvalidRange",
            format!("The range `{value}` cannot be satisfied for an object of {size} bytes"),
        )
    };
    let spec = value.trim().strip_prefix("bytes=").ok_or_else(bad)?;
    if spec.contains(',') {
        return Err(ApiError::invalid("only a single byte range is supported"));
    }
    let (a, b) = spec.split_once('-').ok_or_else(bad)?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().map_err(|_| bad())?;
            if n == 0 {
                return Err(bad());
            }
            (size.saturating_sub(n), size.saturating_sub(1))
        }
        (s, "") => (s.parse().map_err(|_| bad())?, size.saturating_sub(1)),
        (s, e) => {
            let s: u64 = s.parse().map_err(|_| bad())?;
            let e: u64 = e.parse().map_err(|_| bad())?;
            if e < s {
                return Err(bad());
            }
            (s, e.min(size.saturating_sub(1)))
        }
    };
    if size == 0 || start >= size {
        return Err(bad());
    }
    Ok((start, end))
}

pub(super) async fn get_object(
    shared: &Shared,
    route: &Route,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Reply {
    let meta = {
        let state = shared.lock();
        match q.get("versionId").filter(|v| !v.is_empty()) {
            Some(v) => {
                bucket_objects(&state, &route.bucket)?;
                find_version(&state, &route.bucket, &route.object, v)?
            }
            None => existing_object(&state, route)?
                .cloned()
                .ok_or_else(|| object_not_found(&route.object))?,
        }
    };
    sse::check_read(headers, meta.sse_key_sha256.as_deref())?;
    let now = shared.now_ms();
    if route.op == "GetObject" {
        tiers::check_readable(&meta, now, &route.object)?;
    }
    h::check_if_match(headers, &meta.etag)?;
    let not_modified = h::header(headers, "if-none-match")
        .is_some_and(|v| v == "*" || v.trim_matches('"') == meta.etag);
    let range = match h::header(headers, "range") {
        Some(r) if route.op == "GetObject" => Some(parse_range(r, meta.size)?),
        _ => None,
    };
    let status = if not_modified {
        304
    } else if range.is_some() {
        206
    } else {
        200
    };
    let (start, len) = match range {
        Some((s, e)) => (s, e - s + 1),
        None => (0, meta.size),
    };
    let mut b = h::response(status)
        .header("etag", meta.etag.as_str())
        .header("last-modified", util::http_date(meta.modified_ms))
        .header("accept-ranges", "bytes")
        .header("storage-tier", tiers::tier(&meta))
        .header("version-id", meta.version_id.as_str())
        .header(http::header::CONTENT_TYPE, meta.content_type.as_str());
    if let Some(c) = &meta.crc32c {
        b = b.header("opc-content-crc32c", c.as_str());
    }
    if let Some(a) = tiers::archival_state(&meta, now) {
        b = b.header("archival-state", a);
    }
    if let Some(a) = meta.archived_ms {
        b = b.header("time-of-archival", util::rfc3339(a));
    }
    if let Some(k) = &meta.sse_key_sha256 {
        b = b.header("opc-sse-customer-algorithm", "AES256");
        b = b.header("opc-sse-customer-key-sha256", k.as_str());
    }
    if !not_modified {
        b = b.header(http::header::CONTENT_LENGTH, len);
    }
    if let Some(m) = &meta.md5 {
        b = b.header("content-md5", m.as_str());
    }
    if let Some(m) = &meta.multipart_md5 {
        b = b.header("opc-multipart-md5", m.as_str());
    }
    for (name, v) in [
        ("content-language", &meta.content_language),
        ("content-encoding", &meta.content_encoding),
        ("content-disposition", &meta.content_disposition),
        ("cache-control", &meta.cache_control),
    ] {
        if let Some(v) = v {
            b = b.header(name, v.as_str());
        }
    }
    for (k, v) in &meta.metadata {
        b = b.header(format!("opc-meta-{k}").as_str(), v.as_str());
    }
    if let Some((s, e)) = range {
        b = b.header("content-range", format!("bytes {s}-{e}/{}", meta.size));
    }
    let body = if route.op == "HeadObject" || not_modified || len == 0 {
        h::empty()
    } else {
        shared.blobs.read(&meta.blob, start, len).await?
    };
    h::finish(b, body)
}

pub(super) fn delete_object(
    shared: &Shared,
    route: &Route,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Reply {
    let now = shared.now_ms();
    let mut state = shared.lock();
    bucket_objects(&state, &route.bucket)?;
    let deleted = match q.get("versionId").filter(|v| !v.is_empty()) {
        Some(v) => {
            if let Ok(m) = find_version(&state, &route.bucket, &route.object, v) {
                h::check_if_match(headers, &m.etag)?;
                retention::check_not_retained(&state, &route.bucket, &m, &route.object, now)?;
            }
            delete_version(&mut state, &route.bucket, &route.object, v)?
        }
        None => {
            let meta =
                existing_object(&state, route)?.ok_or_else(|| object_not_found(&route.object))?;
            h::check_if_match(headers, &meta.etag)?;
            retention::check_not_retained(&state, &route.bucket, meta, &route.object, now)?;
            delete_current(&mut state, &route.bucket, &route.object, now)?
        }
    };
    drop(state);
    for blob in deleted.blobs {
        shared.discard(blob);
    }
    let mut resp = h::no_content(204)?;
    h::set_header(&mut resp, "last-modified", &util::http_date(now));
    h::set_header(&mut resp, "version-id", &deleted.version_id);
    h::set_header(
        &mut resp,
        "is-delete-marker",
        if deleted.delete_marker {
            "true"
        } else {
            "false"
        },
    );
    Ok(resp)
}
