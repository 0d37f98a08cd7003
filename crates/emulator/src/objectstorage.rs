//! Object Storage (`/n/...`): namespace, buckets, objects (streamed), multipart uploads.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use http::{HeaderMap, Method, Response};
use md5::{Digest as _, Md5};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::server::{Inner, ReqBody};
use crate::state::*;
use crate::util::{self, header};
use crate::RespBody;

/// A routed Object Storage request.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub op: &'static str,
    pub namespace: String,
    pub bucket: String,
    pub object: String,
}

/// Routes `/n/...` paths. Object names are the rest of the path, percent-decoded.
pub(crate) fn route(method: &Method, path: &str) -> Option<Route> {
    let rest = path.strip_prefix("/n")?;
    let segs: Vec<&str> = if rest.is_empty() || rest == "/" {
        Vec::new()
    } else {
        rest.strip_prefix('/')?.split('/').collect()
    };
    let d = |s: &str| util::percent_decode(s);
    let m = method.as_str();
    let (op, ns, bucket, object) = match segs.as_slice() {
        [] => (
            if m == "GET" {
                "GetNamespace"
            } else {
                return None;
            },
            "",
            "",
            String::new(),
        ),
        [ns] => (
            match m {
                "GET" => "GetNamespaceMetadata",
                "PUT" => "UpdateNamespaceMetadata",
                _ => return None,
            },
            *ns,
            "",
            String::new(),
        ),
        [ns, "b"] | [ns, "b", ""] => (
            match m {
                "GET" => "ListBuckets",
                "POST" => "CreateBucket",
                _ => return None,
            },
            *ns,
            "",
            String::new(),
        ),
        [ns, "b", b] => (
            match m {
                "GET" => "GetBucket",
                "HEAD" => "HeadBucket",
                "POST" => "UpdateBucket",
                "DELETE" => "DeleteBucket",
                _ => return None,
            },
            *ns,
            *b,
            String::new(),
        ),
        [ns, "b", b, "o"] | [ns, "b", b, "o", ""] => (
            if m == "GET" {
                "ListObjects"
            } else {
                return None;
            },
            *ns,
            *b,
            String::new(),
        ),
        [ns, "b", b, "o", obj @ ..] => (
            match m {
                "GET" => "GetObject",
                "HEAD" => "HeadObject",
                "PUT" => "PutObject",
                "DELETE" => "DeleteObject",
                _ => return None,
            },
            *ns,
            *b,
            obj.iter().map(|s| d(s)).collect::<Vec<_>>().join("/"),
        ),
        [ns, "b", b, "u"] | [ns, "b", b, "u", ""] => (
            match m {
                "GET" => "ListMultipartUploads",
                "POST" => "CreateMultipartUpload",
                _ => return None,
            },
            *ns,
            *b,
            String::new(),
        ),
        [ns, "b", b, "u", obj @ ..] => (
            match m {
                "GET" => "ListMultipartUploadParts",
                "PUT" => "UploadPart",
                "POST" => "CommitMultipartUpload",
                "DELETE" => "AbortMultipartUpload",
                _ => return None,
            },
            *ns,
            *b,
            obj.iter().map(|s| d(s)).collect::<Vec<_>>().join("/"),
        ),
        _ => return None,
    };
    Some(Route {
        op,
        namespace: d(ns),
        bucket: d(bucket),
        object,
    })
}

/// Whether an operation signs only the generic headers (its body streams unhashed).
pub(crate) fn is_exclude_body(op: &str) -> bool {
    matches!(op, "PutObject" | "UploadPart")
}

/// Handles one authenticated Object Storage request.
pub(crate) async fn handle(
    inner: &Inner,
    route: &Route,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: ReqBody,
) -> ApiResult<Response<RespBody>> {
    if route.op == "GetNamespace" {
        let ns = inner.lock().namespace.clone();
        return util::json(200, &ns);
    }
    {
        let state = inner.lock();
        if route.namespace != state.namespace {
            return Err(ApiError::new(
                404,
                "NamespaceNotFound",
                format!(
                    "Either the namespace `{}` does not exist or you are not authorized to view it",
                    route.namespace
                ),
            ));
        }
    }
    match route.op {
        "ListBuckets" => list_buckets(inner, q),
        "CreateBucket" => create_bucket(inner, body.bytes()),
        "GetBucket" | "HeadBucket" => get_bucket(inner, route, q, headers),
        "UpdateBucket" => update_bucket(inner, route, headers, body.bytes()),
        "DeleteBucket" => delete_bucket(inner, route, headers),
        "ListObjects" => list_objects(inner, route, q),
        "PutObject" => put_object(inner, route, headers, body).await,
        "GetObject" | "HeadObject" => get_object(inner, route, headers).await,
        "DeleteObject" => delete_object(inner, route, headers),
        "CreateMultipartUpload" => create_upload(inner, route, body.bytes()),
        "ListMultipartUploads" => list_uploads(inner, route, q),
        "UploadPart" => upload_part(inner, route, q, headers, body).await,
        "CommitMultipartUpload" => commit_upload(inner, route, q, body.bytes()).await,
        "AbortMultipartUpload" => abort_upload(inner, route, q),
        "ListMultipartUploadParts" => list_parts(inner, route, q),
        other => Err(ApiError::new(
            501,
            "NotImplemented",
            format!("The emulator does not implement the Object Storage operation {other}."),
        )),
    }
}

fn bucket_not_found(name: &str) -> ApiError {
    ApiError::new(
        404,
        "BucketNotFound",
        format!("Either the bucket named '{name}' does not exist in the namespace or you are not authorized to access it"),
    )
}

/// The bucket named `name`, or 404 `BucketNotFound`.
fn bucket<'a>(state: &'a State, name: &str) -> ApiResult<&'a Bucket> {
    state
        .buckets
        .iter()
        .find(|b| b.name == name)
        .ok_or_else(|| bucket_not_found(name))
}

/// The bucket named `name` for a change, or 404 `BucketNotFound`.
fn bucket_mut<'a>(state: &'a mut State, name: &str) -> ApiResult<&'a mut Bucket> {
    state
        .buckets
        .iter_mut()
        .find(|b| b.name == name)
        .ok_or_else(|| bucket_not_found(name))
}

/// The objects of the bucket named `name`, or 404 `BucketNotFound`.
fn bucket_objects<'a>(state: &'a State, name: &str) -> ApiResult<&'a BTreeMap<String, ObjectMeta>> {
    state
        .objects
        .get(name)
        .ok_or_else(|| bucket_not_found(name))
}

fn object_not_found(name: &str) -> ApiError {
    ApiError::new(
        404,
        "ObjectNotFound",
        format!("The object '{name}' was not found in the bucket"),
    )
}

fn no_upload(id: &str) -> ApiError {
    ApiError::new(
        404,
        "NoSuchUpload",
        format!("The upload `{id}` does not exist"),
    )
}

// ---- buckets ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBucketDetails {
    name: String,
    compartment_id: String,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    public_access_type: Option<String>,
    storage_tier: Option<String>,
    object_events_enabled: Option<bool>,
    #[serde(default)]
    freeform_tags: Tags,
    #[serde(default)]
    defined_tags: DefinedTags,
    versioning: Option<String>,
    auto_tiering: Option<String>,
}

fn valid_bucket_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn create_bucket(inner: &Inner, body: &[u8]) -> ApiResult<Response<RespBody>> {
    let d: CreateBucketDetails = util::parse_json(body)?;
    if !valid_bucket_name(&d.name) {
        return Err(ApiError::new(
            400,
            "InvalidBucketName",
            format!(
                "The bucket name `{}` is not valid: use letters, digits, '-', '_' and '.'",
                d.name
            ),
        ));
    }
    let now = inner.now_ms();
    let mut state = inner.lock();
    if !state.compartment_exists(&d.compartment_id) {
        return Err(ApiError::not_found("Compartment"));
    }
    if state.buckets.iter().any(|b| b.name == d.name) {
        return Err(ApiError::new(
            409,
            "BucketAlreadyExists",
            format!("Either the bucket '{}' in namespace '{}' already exists or you are not authorized to create it", d.name, state.namespace),
        ));
    }
    let bucket = Bucket {
        namespace: state.namespace.clone(),
        name: d.name.clone(),
        compartment_id: d.compartment_id,
        metadata: d.metadata,
        created_by: state.seeded_user_id.clone(),
        time_created: util::rfc3339(now),
        etag: state.next_etag(),
        public_access_type: d
            .public_access_type
            .unwrap_or_else(|| "NoPublicAccess".into()),
        storage_tier: d.storage_tier.unwrap_or_else(|| "Standard".into()),
        object_events_enabled: d.object_events_enabled.unwrap_or(false),
        freeform_tags: d.freeform_tags,
        defined_tags: d.defined_tags,
        versioning: d.versioning.unwrap_or_else(|| "Disabled".into()),
        id: state.next_ocid("bucket"),
        replication_enabled: false,
        is_read_only: false,
        auto_tiering: d.auto_tiering.unwrap_or_else(|| "Disabled".into()),
    };
    state.buckets.push(bucket.clone());
    state.objects.insert(d.name.clone(), BTreeMap::new());
    let mut resp = util::json_etag(200, &bucket, &bucket.etag)?;
    util::set_header(
        &mut resp,
        "location",
        &format!("/n/{}/b/{}", bucket.namespace, bucket.name),
    );
    Ok(resp)
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct BucketSummary {
    namespace: String,
    name: String,
    compartment_id: String,
    created_by: String,
    time_created: String,
    etag: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    freeform_tags: Option<Tags>,
    #[serde(skip_serializing_if = "Option::is_none")]
    defined_tags: Option<DefinedTags>,
}

fn list_buckets(inner: &Inner, q: &HashMap<String, String>) -> ApiResult<Response<RespBody>> {
    let compartment = util::required(q, "compartmentId")?;
    let tags = q
        .get("fields")
        .is_some_and(|f| f.split(',').any(|x| x == "tags"));
    let state = inner.lock();
    let items: Vec<BucketSummary> = state
        .buckets
        .iter()
        .filter(|b| b.compartment_id == compartment)
        .map(|b| BucketSummary {
            namespace: b.namespace.clone(),
            name: b.name.clone(),
            compartment_id: b.compartment_id.clone(),
            created_by: b.created_by.clone(),
            time_created: b.time_created.clone(),
            etag: b.etag.clone(),
            freeform_tags: tags.then(|| b.freeform_tags.clone()),
            defined_tags: tags.then(|| b.defined_tags.clone()),
        })
        .collect();
    let (page, next) = util::paginate(state.seed, &items, q, 1000)?;
    util::json_page(&page, next)
}

fn get_bucket(
    inner: &Inner,
    route: &Route,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
) -> ApiResult<Response<RespBody>> {
    let state = inner.lock();
    let b = bucket(&state, &route.bucket)?;
    util::check_if_match(headers, &b.etag)?;
    if header(headers, "if-none-match").is_some_and(|v| v == "*" || v == b.etag) {
        let mut resp = util::no_content(304)?;
        util::set_header(&mut resp, "etag", &b.etag);
        return Ok(resp);
    }
    if route.op == "HeadBucket" {
        let mut resp = util::no_content(200)?;
        util::set_header(&mut resp, "etag", &b.etag);
        return Ok(resp);
    }
    let mut value = serde_json::to_value(b)
        .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))?;
    let fields: BTreeSet<&str> = q
        .get("fields")
        .map(|f| f.split(',').collect())
        .unwrap_or_default();
    let objects = state.objects.get(&b.name);
    if fields.contains("approximateCount") {
        value["approximateCount"] = objects.map_or(0, |o| o.len()).into();
    }
    if fields.contains("approximateSize") {
        value["approximateSize"] = objects
            .map_or(0, |o| o.values().map(|m| m.size).sum::<u64>())
            .into();
    }
    util::json_etag(200, &value, &b.etag)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBucketDetails {
    metadata: Option<BTreeMap<String, String>>,
    public_access_type: Option<String>,
    object_events_enabled: Option<bool>,
    freeform_tags: Option<Tags>,
    defined_tags: Option<DefinedTags>,
    versioning: Option<String>,
    auto_tiering: Option<String>,
}

fn update_bucket(
    inner: &Inner,
    route: &Route,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Response<RespBody>> {
    let d: UpdateBucketDetails = util::parse_json(body)?;
    let mut state = inner.lock();
    let etag = state.next_etag();
    let b = bucket_mut(&mut state, &route.bucket)?;
    util::check_if_match(headers, &b.etag)?;
    util::set_some(&mut b.metadata, d.metadata);
    util::set_some(&mut b.public_access_type, d.public_access_type);
    util::set_some(&mut b.object_events_enabled, d.object_events_enabled);
    util::set_some(&mut b.freeform_tags, d.freeform_tags);
    util::set_some(&mut b.defined_tags, d.defined_tags);
    util::set_some(&mut b.versioning, d.versioning);
    util::set_some(&mut b.auto_tiering, d.auto_tiering);
    b.etag = etag;
    let b = b.clone();
    util::json_etag(200, &b, &b.etag)
}

fn delete_bucket(
    inner: &Inner,
    route: &Route,
    headers: &HeaderMap,
) -> ApiResult<Response<RespBody>> {
    let mut state = inner.lock();
    let b = bucket(&state, &route.bucket)?;
    util::check_if_match(headers, &b.etag)?;
    let has_objects = state
        .objects
        .get(&route.bucket)
        .is_some_and(|o| !o.is_empty());
    let has_uploads = state.uploads.iter().any(|u| u.bucket == route.bucket);
    if has_objects || has_uploads {
        return Err(ApiError::new(
            409,
            "BucketNotEmpty",
            format!(
                "Bucket named '{}' is not empty. Delete all objects and uploads first.",
                route.bucket
            ),
        ));
    }
    state.buckets.retain(|b| b.name != route.bucket);
    state.objects.remove(&route.bucket);
    util::no_content(204)
}

// ---- objects ----

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

fn list_objects(
    inner: &Inner,
    route: &Route,
    q: &HashMap<String, String>,
) -> ApiResult<Response<RespBody>> {
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
    let state = inner.lock();
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
            storage_tier: has("storageTier").then(|| "Standard".to_owned()),
        });
    }
    util::json(
        200,
        &ListObjects {
            objects: out,
            prefixes: delimiter.map(|_| prefixes.into_iter().collect()),
            next_start_with: next,
        },
    )
}

/// Headers stored with an object.
fn content_headers(headers: &HeaderMap) -> (BTreeMap<String, String>, [Option<String>; 5]) {
    let mut meta = BTreeMap::new();
    for (name, value) in headers {
        if let Some(key) = name.as_str().strip_prefix("opc-meta-") {
            if let Ok(v) = value.to_str() {
                meta.insert(key.to_owned(), v.to_owned());
            }
        }
    }
    let h = |n: &str| header(headers, n).map(str::to_owned);
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

/// Checks `content-md5` (base64) against a computed digest.
fn check_md5(headers: &HeaderMap, md5: &[u8; 16]) -> ApiResult<()> {
    if let Some(expected) = header(headers, "content-md5") {
        let actual = util::b64(md5);
        if expected != actual {
            return Err(ApiError::new(
                400,
                "InvalidParameter",
                format!("The value of the Content-MD5 header '{expected}' was not the same as the computed MD5 '{actual}'"),
            ));
        }
    }
    Ok(())
}

/// `if-match` / `if-none-match: *` for writes.
fn check_write_preconditions(headers: &HeaderMap, existing: Option<&ObjectMeta>) -> ApiResult<()> {
    if let Some(m) = header(headers, "if-match") {
        match existing {
            Some(o) if o.etag == m.trim_matches('"') || m == "*" => {}
            _ => return Err(ApiError::etag_mismatch()),
        }
    }
    if let Some(n) = header(headers, "if-none-match") {
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

fn existing_object<'a>(state: &'a State, route: &Route) -> ApiResult<Option<&'a ObjectMeta>> {
    let objects = bucket_objects(state, &route.bucket)?;
    Ok(objects.get(&route.object))
}

async fn put_object(
    inner: &Inner,
    route: &Route,
    headers: &HeaderMap,
    body: ReqBody,
) -> ApiResult<Response<RespBody>> {
    if route.object.is_empty() {
        return Err(ApiError::invalid("the object name is empty"));
    }
    if header(headers, "content-length").is_none() {
        return Err(ApiError::new(
            411,
            "LengthRequired",
            "PutObject needs a content-length header",
        ));
    }
    {
        let state = inner.lock();
        check_write_preconditions(headers, existing_object(&state, route)?)?;
    }
    let written = body.write_to(&inner.blobs).await?;
    if let Err(e) = check_md5(headers, &written.md5) {
        inner.blobs.remove(&written.id);
        return Err(e);
    }
    let now = inner.now_ms();
    let (metadata, [ct, cl, ce, cd, cc]) = content_headers(headers);
    let mut state = inner.lock();
    let etag = state.next_etag();
    let previous = match existing_object(&state, route)
        .and_then(|e| check_write_preconditions(headers, e).map(|_| e))
    {
        Ok(e) => e.cloned(),
        Err(err) => {
            inner.blobs.remove(&written.id);
            return Err(err);
        }
    };
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
    };
    if let Some(objects) = state.objects.get_mut(&route.bucket) {
        objects.insert(route.object.clone(), meta);
    }
    drop(state);
    if let Some(p) = previous {
        inner.discard(p.blob.clone());
    }
    object_stored(&etag, ("opc-content-md5", &md5), now)
}

/// The answer to a stored object: 200 with its etag, its checksum header and last-modified.
fn object_stored(
    etag: &str,
    checksum: (&'static str, &str),
    now_ms: u64,
) -> ApiResult<Response<RespBody>> {
    let mut resp = util::no_content(200)?;
    util::set_header(&mut resp, "etag", etag);
    util::set_header(&mut resp, checksum.0, checksum.1);
    util::set_header(&mut resp, "last-modified", &util::http_date(now_ms));
    Ok(resp)
}

/// A parsed single byte range: `(start, end_inclusive)`.
fn parse_range(value: &str, size: u64) -> ApiResult<(u64, u64)> {
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

async fn get_object(
    inner: &Inner,
    route: &Route,
    headers: &HeaderMap,
) -> ApiResult<Response<RespBody>> {
    let meta = {
        let state = inner.lock();
        existing_object(&state, route)?
            .cloned()
            .ok_or_else(|| object_not_found(&route.object))?
    };
    util::check_if_match(headers, &meta.etag)?;
    let not_modified = header(headers, "if-none-match")
        .is_some_and(|v| v == "*" || v.trim_matches('"') == meta.etag);
    let range = match header(headers, "range") {
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
    let mut b = util::response(status)
        .header("etag", meta.etag.as_str())
        .header("last-modified", util::http_date(meta.modified_ms))
        .header("accept-ranges", "bytes")
        .header("storage-tier", "Standard")
        .header(http::header::CONTENT_TYPE, meta.content_type.as_str());
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
        util::empty()
    } else {
        inner.blobs.read(&meta.blob, start, len).await?
    };
    util::finish(b, body)
}

fn delete_object(
    inner: &Inner,
    route: &Route,
    headers: &HeaderMap,
) -> ApiResult<Response<RespBody>> {
    let mut state = inner.lock();
    let meta = existing_object(&state, route)?
        .cloned()
        .ok_or_else(|| object_not_found(&route.object))?;
    util::check_if_match(headers, &meta.etag)?;
    if let Some(objects) = state.objects.get_mut(&route.bucket) {
        objects.remove(&route.object);
    }
    drop(state);
    inner.discard(meta.blob.clone());
    let mut resp = util::no_content(204)?;
    util::set_header(&mut resp, "last-modified", &util::http_date(inner.now_ms()));
    Ok(resp)
}

// ---- multipart uploads ----

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

fn create_upload(inner: &Inner, route: &Route, body: &[u8]) -> ApiResult<Response<RespBody>> {
    let d: CreateMultipartUploadDetails = util::parse_json(body)?;
    if d.object.is_empty() {
        return Err(ApiError::invalid("the object name is empty"));
    }
    let now = inner.now_ms();
    let mut state = inner.lock();
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
    let mut resp = util::json(200, &view)?;
    util::set_header(
        &mut resp,
        "location",
        &format!(
            "/n/{}/b/{}/u/{}?uploadId={}",
            view.namespace, view.bucket, view.object, view.upload_id
        ),
    );
    Ok(resp)
}

fn list_uploads(
    inner: &Inner,
    route: &Route,
    q: &HashMap<String, String>,
) -> ApiResult<Response<RespBody>> {
    let state = inner.lock();
    existing_object(&state, route)?;
    let items: Vec<MultipartUpload> = state
        .uploads
        .iter()
        .filter(|u| u.bucket == route.bucket)
        .map(upload_view)
        .collect();
    let (page, next) = util::paginate(state.seed, &items, q, 1000)?;
    util::json_page(&page, next)
}

fn find_upload<'a>(
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

async fn upload_part(
    inner: &Inner,
    route: &Route,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: ReqBody,
) -> ApiResult<Response<RespBody>> {
    let upload_id = util::required(q, "uploadId")?.to_owned();
    let num: u32 = util::required(q, "uploadPartNum")?
        .parse()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| ApiError::invalid("uploadPartNum must be an integer from 1 to 10000"))?;
    if header(headers, "content-length").is_none() {
        return Err(ApiError::new(
            411,
            "LengthRequired",
            "UploadPart needs a content-length header",
        ));
    }
    {
        let mut state = inner.lock();
        find_upload(&mut state, route, &upload_id)?;
    }
    let written = body.write_to(&inner.blobs).await?;
    if let Err(e) = check_md5(headers, &written.md5) {
        inner.blobs.remove(&written.id);
        return Err(e);
    }
    let md5 = util::b64(&written.md5);
    let mut state = inner.lock();
    let etag = state.next_etag();
    let upload = match find_upload(&mut state, route, &upload_id) {
        Ok(u) => u,
        Err(e) => {
            inner.blobs.remove(&written.id);
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
        inner.discard(old.blob.clone());
    }
    let mut resp = util::no_content(200)?;
    util::set_header(&mut resp, "etag", &etag);
    util::set_header(&mut resp, "opc-content-md5", &md5);
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

async fn commit_upload(
    inner: &Inner,
    route: &Route,
    q: &HashMap<String, String>,
    body: &[u8],
) -> ApiResult<Response<RespBody>> {
    let upload_id = util::required(q, "uploadId")?.to_owned();
    let d: CommitDetails = util::parse_json(body)?;
    if d.parts_to_commit.is_empty() {
        return Err(ApiError::invalid("partsToCommit is empty"));
    }
    let (blobs, md5s, upload) = {
        let mut state = inner.lock();
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
    let (blob, size) = inner.blobs.concat(&blobs).await?;
    let mut hasher = Md5::new();
    for m in &md5s {
        use base64::Engine as _;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(m)
            .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))?;
        hasher.update(&raw);
    }
    let multipart_md5 = format!("{}-{}", util::b64(&hasher.finalize()), md5s.len());
    let now = inner.now_ms();
    let mut state = inner.lock();
    if find_upload(&mut state, route, &upload_id).is_err() {
        inner.blobs.remove(&blob);
        return Err(no_upload(&upload_id));
    }
    let etag = state.next_etag();
    let previous = state
        .objects
        .get(&route.bucket)
        .and_then(|o| o.get(&route.object))
        .cloned();
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
    };
    state
        .objects
        .entry(route.bucket.clone())
        .or_default()
        .insert(route.object.clone(), meta);
    state.uploads.retain(|u| u.upload_id != upload_id);
    drop(state);
    for part in upload.parts.values() {
        inner.discard(part.blob.clone());
    }
    if let Some(p) = previous {
        inner.discard(p.blob.clone());
    }
    object_stored(&etag, ("opc-multipart-md5", &multipart_md5), now)
}

fn abort_upload(
    inner: &Inner,
    route: &Route,
    q: &HashMap<String, String>,
) -> ApiResult<Response<RespBody>> {
    let upload_id = util::required(q, "uploadId")?.to_owned();
    let mut state = inner.lock();
    let upload = find_upload(&mut state, route, &upload_id)?.clone();
    state.uploads.retain(|u| u.upload_id != upload_id);
    drop(state);
    for part in upload.parts.values() {
        inner.discard(part.blob.clone());
    }
    util::no_content(204)
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct PartSummary {
    etag: String,
    md5: String,
    size: u64,
    part_number: u32,
}

fn list_parts(
    inner: &Inner,
    route: &Route,
    q: &HashMap<String, String>,
) -> ApiResult<Response<RespBody>> {
    let upload_id = util::required(q, "uploadId")?.to_owned();
    let mut state = inner.lock();
    let seed = state.seed;
    let upload = find_upload(&mut state, route, &upload_id)?;
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
    util::json_page(&page, next)
}
