//! Vault secrets: retrieval (`/20190301`, the Secrets service: bundles by id or by name, by
//! version number, version name or stage) here; management (`/20180608/secrets`, the Vault
//! service: create, update with a new version or a promotion, get, list) in `manage`.

pub(crate) mod manage;

use serde::Serialize;
use serde_json::Value;

use super::common::query_num;
use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::planes::secrets::{SecretData, SecretVersion, Selector};
use crate::shared::{Call, Shared};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BundleContent<'a> {
    content_type: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bundle<'a> {
    secret_id: &'a str,
    time_created: &'a str,
    version_number: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_name: Option<&'a str>,
    secret_bundle_content: BundleContent<'a>,
    stages: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BundleVersion<'a> {
    secret_id: &'a str,
    time_created: &'a str,
    version_number: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_name: Option<&'a str>,
    stages: &'a [String],
}

fn selector(call: &Call) -> ApiResult<Selector> {
    Ok(Selector {
        version_number: query_num(&call.query, "versionNumber")?,
        version_name: call.query.get("secretVersionName").cloned(),
        stage: call.query.get("stage").cloned(),
    })
}

fn bundle<'a>(data: &'a SecretData, v: &'a SecretVersion) -> Bundle<'a> {
    Bundle {
        secret_id: &data.secret.id,
        time_created: &v.time_created,
        version_number: v.version_number,
        version_name: v.version_name.as_deref(),
        secret_bundle_content: BundleContent {
            content_type: "BASE64",
            content: &v.content,
        },
        stages: &v.stages,
        metadata: data.secret.metadata.as_ref(),
    }
}

fn active(data: &SecretData) -> ApiResult<&SecretData> {
    if data.secret.lifecycle_state != "ACTIVE" {
        return Err(ApiError::not_found("Secret"));
    }
    Ok(data)
}

/// Handles one authenticated Secrets request.
pub(crate) async fn handle(shared: &Shared, call: Call) -> Reply {
    let state = shared.lock();
    let secrets = &state.planes.secrets;
    match call.op {
        "GetSecretBundle" => {
            let data = active(manage::find(secrets, call.param(0))?)?;
            let v = data.select(&selector(&call)?)?;
            h::json(200, &bundle(data, v))
        }
        "GetSecretBundleByName" => {
            let name = h::required(&call.query, "secretName")?;
            let vault = h::required(&call.query, "vaultId")?;
            let data = secrets
                .iter()
                .find(|s| s.secret.secret_name == name && s.secret.vault_id == vault)
                .ok_or_else(|| ApiError::not_found("Secret"))?;
            let data = active(data)?;
            let v = data.select(&selector(&call)?)?;
            h::json(200, &bundle(data, v))
        }
        "ListSecretBundleVersions" => {
            let data = active(manage::find(secrets, call.param(0))?)?;
            let items: Vec<BundleVersion<'_>> = data
                .versions
                .iter()
                .rev()
                .map(|v| BundleVersion {
                    secret_id: &data.secret.id,
                    time_created: &v.time_created,
                    version_number: v.version_number,
                    version_name: v.version_name.as_deref(),
                    stages: &v.stages,
                })
                .collect();
            h::json(200, &items)
        }
        other => Err(super::not_implemented("Secrets", other)),
    }
}
