//! Object Storage buckets: create, list, get/head, update, delete.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use http::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::http::{self as h, Reply};
use crate::shared::Shared;
use crate::state::*;
use crate::util;

use super::*;

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

pub(super) fn valid_bucket_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

pub(super) fn create_bucket(shared: &Shared, body: &[u8]) -> Reply {
    let d: CreateBucketDetails = h::parse_json(body)?;
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
    let now = shared.now_ms();
    let mut state = shared.lock();
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
    let mut resp = h::json_etag(200, &bucket, &bucket.etag)?;
    h::set_header(
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

pub(super) fn list_buckets(shared: &Shared, q: &HashMap<String, String>) -> Reply {
    let compartment = h::required(q, "compartmentId")?;
    let tags = q
        .get("fields")
        .is_some_and(|f| f.split(',').any(|x| x == "tags"));
    let state = shared.lock();
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
    h::json_page(&page, next)
}

pub(super) fn get_bucket(
    shared: &Shared,
    route: &Route,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Reply {
    let state = shared.lock();
    let b = bucket(&state, &route.bucket)?;
    h::check_if_match(headers, &b.etag)?;
    if h::header(headers, "if-none-match").is_some_and(|v| v == "*" || v == b.etag) {
        let mut resp = h::no_content(304)?;
        h::set_header(&mut resp, "etag", &b.etag);
        return Ok(resp);
    }
    if route.op == "HeadBucket" {
        let mut resp = h::no_content(200)?;
        h::set_header(&mut resp, "etag", &b.etag);
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
    h::json_etag(200, &value, &b.etag)
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

pub(super) fn update_bucket(
    shared: &Shared,
    route: &Route,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    let d: UpdateBucketDetails = h::parse_json(body)?;
    let mut state = shared.lock();
    let etag = state.next_etag();
    let b = bucket_mut(&mut state, &route.bucket)?;
    h::check_if_match(headers, &b.etag)?;
    util::set_some(&mut b.metadata, d.metadata);
    util::set_some(&mut b.public_access_type, d.public_access_type);
    util::set_some(&mut b.object_events_enabled, d.object_events_enabled);
    util::set_some(&mut b.freeform_tags, d.freeform_tags);
    util::set_some(&mut b.defined_tags, d.defined_tags);
    util::set_some(&mut b.versioning, d.versioning);
    util::set_some(&mut b.auto_tiering, d.auto_tiering);
    b.etag = etag;
    let b = b.clone();
    h::json_etag(200, &b, &b.etag)
}

pub(super) fn delete_bucket(shared: &Shared, route: &Route, headers: &HeaderMap) -> Reply {
    let mut state = shared.lock();
    let b = bucket(&state, &route.bucket)?;
    h::check_if_match(headers, &b.etag)?;
    let has_objects = state
        .objects
        .get(&route.bucket)
        .is_some_and(|o| !o.is_empty());
    let has_uploads = state.uploads.iter().any(|u| u.bucket == route.bucket);
    let has_versions = state
        .versions
        .get(&route.bucket)
        .is_some_and(|v| v.values().any(|v| !v.is_empty()));
    if has_objects || has_uploads || has_versions {
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
    state.versions.remove(&route.bucket);
    state.pars.retain(|p| p.bucket != route.bucket);
    state.bucket_rules.remove(&route.bucket);
    h::no_content(204)
}

/// No bucket replicates: an empty list (the OCI CLI lists them before deleting a bucket).
pub(super) fn list_replication_policies(shared: &Shared, route: &Route) -> Reply {
    bucket(&shared.lock(), &route.bucket)?;
    h::json(200, &Vec::<()>::new())
}
