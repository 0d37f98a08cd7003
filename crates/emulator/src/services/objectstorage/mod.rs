//! Object Storage (`/n/...`): namespace, buckets, objects (streamed), multipart uploads. Every
//! other operation of the route table answers 501 naming itself.

mod buckets;
mod checksums;
mod copy;
mod lifecycle;
mod objects;
mod pars;
mod retention;
mod sse;
mod tiers;
mod uploads;
mod versions;
mod workrequests;

use std::collections::BTreeMap;

use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::shared::{Call, Shared};
use crate::state::*;

use buckets::*;
use objects::*;
use uploads::*;

/// What an Object Storage path names (percent-decoded; empty when the path has no such part).
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub op: &'static str,
    pub namespace: String,
    pub bucket: String,
    pub object: String,
}

impl Route {
    /// From the path parameters, which the templates name in this order.
    fn of(call: &Call) -> Route {
        Route {
            op: call.op,
            namespace: call.param(0).to_owned(),
            bucket: call.param(1).to_owned(),
            object: call.param(2).to_owned(),
        }
    }
}

pub(crate) async fn handle(shared: &Shared, mut call: Call) -> Reply {
    let route = &Route::of(&call);
    if route.op == "GetNamespace" {
        let ns = shared.lock().namespace.clone();
        return h::json(200, &ns);
    }
    if call.path.starts_with("/n/") {
        let state = shared.lock();
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
    if call.path.starts_with("/n/") && !route.bucket.is_empty() {
        lifecycle::apply(shared, &route.bucket)?;
    }
    let (q, headers) = (&call.query, &call.headers);
    match route.op {
        "ListBuckets" => list_buckets(shared, q),
        "CreateBucket" => create_bucket(shared, call.body.bytes()),
        "GetBucket" | "HeadBucket" => get_bucket(shared, route, q, headers),
        "UpdateBucket" => update_bucket(shared, route, headers, call.body.bytes()),
        "DeleteBucket" => delete_bucket(shared, route, headers),
        "ListReplicationPolicies" => list_replication_policies(shared, route),
        "ListObjects" => list_objects(shared, route, q),
        "PutObject" => {
            let body = call.take_body();
            put_object(shared, route, &call.headers, body).await
        }
        "GetObject" | "HeadObject" => get_object(shared, route, q, headers).await,
        "DeleteObject" => delete_object(shared, route, q, headers),
        "ListObjectVersions" => versions::list_object_versions(shared, route, q),
        "CopyObject" => copy::copy_object(shared, route, call.body.bytes()).await,
        "RenameObject" => copy::rename_object(shared, route, call.body.bytes()).await,
        "GetWorkRequest"
        | "ListWorkRequests"
        | "ListWorkRequestErrors"
        | "ListWorkRequestLogs"
        | "CancelWorkRequest" => workrequests::handle(shared, &call),
        "CreatePreauthenticatedRequest" => pars::create(shared, route, headers, call.body.bytes()),
        "ListPreauthenticatedRequests" => pars::list(shared, route, q),
        "GetPreauthenticatedRequest" | "DeletePreauthenticatedRequest" => {
            pars::get_or_delete(shared, route, call.param(2))
        }
        "RestoreObjects" => tiers::restore_objects(shared, route, call.body.bytes()),
        "UpdateObjectStorageTier" => tiers::update_tier(shared, route, call.body.bytes()),
        "PutObjectLifecyclePolicy" | "GetObjectLifecyclePolicy" | "DeleteObjectLifecyclePolicy" => {
            lifecycle::handle(shared, route, call.body.bytes())
        }
        "CreateRetentionRule"
        | "ListRetentionRules"
        | "GetRetentionRule"
        | "UpdateRetentionRule"
        | "DeleteRetentionRule" => {
            retention::handle(shared, route, call.param(2), call.body.bytes())
        }
        "CreateMultipartUpload" => create_upload(shared, route, call.body.bytes()),
        "ListMultipartUploads" => list_uploads(shared, route, q),
        "UploadPart" => {
            let body = call.take_body();
            upload_part(shared, route, &call.query, &call.headers, body).await
        }
        "CommitMultipartUpload" => {
            commit_upload(shared, route, q, headers, call.body.bytes()).await
        }
        "AbortMultipartUpload" => abort_upload(shared, route, q),
        "ListMultipartUploadParts" => list_parts(shared, route, q),
        other => Err(super::not_implemented("Object Storage", other)),
    }
}

pub(crate) use pars::handle_par;

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
