//! Vault secret management (`/20180608/secrets`): create (with its first version), update (a
//! new version, a promotion with `currentVersionNumber`, description and tags), get, list.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::super::common::{b64_field, check_compartment, TagsIn};
use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::planes::secrets::{Secret, SecretData, SecretVersion};
use crate::shared::{Call, Shared};
use crate::state::{DefinedTags, Tags};
use crate::util;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Content {
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    stage: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateSecret {
    compartment_id: String,
    vault_id: String,
    #[serde(default)]
    key_id: Option<String>,
    secret_name: String,
    secret_content: Option<Content>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    metadata: Option<Value>,
    #[serde(flatten)]
    tags: TagsIn,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateSecret {
    #[serde(default)]
    current_version_number: Option<u64>,
    #[serde(default)]
    secret_content: Option<Content>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    metadata: Option<Value>,
    #[serde(default)]
    freeform_tags: Option<Tags>,
    #[serde(default)]
    defined_tags: Option<DefinedTags>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionOut<'a> {
    secret_id: &'a str,
    version_number: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    content_type: &'static str,
    stages: &'a [String],
    time_created: &'a str,
}

/// A secret by id.
pub(crate) fn find<'a>(secrets: &'a [SecretData], id: &str) -> ApiResult<&'a SecretData> {
    secrets
        .iter()
        .find(|s| s.secret.id == id)
        .ok_or_else(|| ApiError::not_found("Secret"))
}

/// The new version's content (base64, checked), name and stage.
fn version_of(c: Content) -> ApiResult<(String, Option<String>, String)> {
    if let Some(t) = c.content_type.as_deref() {
        if t != "BASE64" {
            return Err(ApiError::invalid(format!(
                "secretContent.contentType must be BASE64, got `{t}`"
            )));
        }
    }
    let content = c
        .content
        .ok_or_else(|| ApiError::missing("secretContent.content"))?;
    b64_field("secretContent.content", &content)?;
    Ok((
        content,
        c.name,
        c.stage.unwrap_or_else(|| "CURRENT".to_owned()),
    ))
}

fn version_out<'a>(data: &'a SecretData, v: &'a SecretVersion) -> VersionOut<'a> {
    VersionOut {
        secret_id: &data.secret.id,
        version_number: v.version_number,
        name: v.version_name.as_deref(),
        content_type: "BASE64",
        stages: &v.stages,
        time_created: &v.time_created,
    }
}

/// Handles one authenticated Vault (secret management) request.
pub(crate) async fn handle(shared: &Shared, call: Call) -> Reply {
    match call.op {
        "CreateSecret" => {
            let mut body: CreateSecret = h::parse_json(call.body.bytes())?;
            body.key_id = body.key_id.filter(|k| !k.is_empty());
            let mut state = shared.lock();
            check_compartment(&state, &body.compartment_id)?;
            if !state.planes.vaults.iter().any(|v| v.id == body.vault_id) {
                return Err(ApiError::not_found("Vault"));
            }
            if let Some(k) = &body.key_id {
                if !state
                    .planes
                    .keys
                    .iter()
                    .any(|d| &d.key.id == k && d.key.vault_id == body.vault_id)
                {
                    return Err(ApiError::not_found("Key"));
                }
            }
            if body.secret_name.is_empty() {
                return Err(ApiError::missing("secretName"));
            }
            if state.planes.secrets.iter().any(|s| {
                s.secret.vault_id == body.vault_id && s.secret.secret_name == body.secret_name
            }) {
                return Err(ApiError::new(
                    409,
                    "Conflict",
                    format!(
                        "the vault already has a secret named `{}`",
                        body.secret_name
                    ),
                ));
            }
            let content = body
                .secret_content
                .ok_or_else(|| ApiError::missing("secretContent"))?;
            let (content, name, stage) = version_of(content)?;
            if stage != "CURRENT" {
                return Err(ApiError::invalid("a new secret's first version is CURRENT"));
            }
            let mut data = SecretData {
                secret: Secret {
                    id: state.next_ocid("vaultsecret"),
                    compartment_id: body.compartment_id,
                    current_version_number: 0,
                    description: body.description,
                    key_id: body.key_id,
                    lifecycle_state: "ACTIVE".to_owned(),
                    metadata: body.metadata,
                    secret_name: body.secret_name,
                    time_created: util::rfc3339(call.now_ms),
                    vault_id: body.vault_id,
                    freeform_tags: body.tags.freeform_tags,
                    defined_tags: body.tags.defined_tags,
                },
                versions: Vec::new(),
            };
            data.add_version(call.now_ms, content, name, &stage)?;
            let out = data.secret.clone();
            state.planes.secrets.push(data);
            h::json(200, &out)
        }
        "UpdateSecret" => {
            let body: UpdateSecret = h::parse_json(call.body.bytes())?;
            let mut state = shared.lock();
            let data = state
                .planes
                .secrets
                .iter_mut()
                .find(|s| s.secret.id == call.param(0))
                .ok_or_else(|| ApiError::not_found("Secret"))?;
            // Work on a copy: a failing update changes nothing.
            let mut next = data.clone();
            if let Some(c) = body.secret_content {
                let (content, name, stage) = version_of(c)?;
                next.add_version(call.now_ms, content, name, &stage)?;
            }
            if let Some(n) = body.current_version_number {
                next.promote(n)?;
            }
            util::set_some(&mut next.secret.description, body.description.map(Some));
            util::set_some(&mut next.secret.metadata, body.metadata.map(Some));
            util::set_some(&mut next.secret.freeform_tags, body.freeform_tags);
            util::set_some(&mut next.secret.defined_tags, body.defined_tags);
            *data = next;
            h::json(200, &data.secret)
        }
        "GetSecret" => {
            let state = shared.lock();
            h::json(200, &find(&state.planes.secrets, call.param(0))?.secret)
        }
        "ListSecrets" => {
            let state = shared.lock();
            let compartment = h::required(&call.query, "compartmentId")?;
            let items: Vec<Secret> = state
                .planes
                .secrets
                .iter()
                .map(|s| &s.secret)
                .filter(|s| s.compartment_id == compartment)
                .filter(|s| call.query.get("name").map_or(true, |n| &s.secret_name == n))
                .filter(|s| call.query.get("vaultId").map_or(true, |v| &s.vault_id == v))
                .cloned()
                .collect();
            let (page, next) = util::paginate(state.seed, &items, &call.query, 100)?;
            h::json_page(&page, next)
        }
        "ListSecretVersions" => {
            let state = shared.lock();
            let data = find(&state.planes.secrets, call.param(0))?;
            let items: Vec<VersionOut<'_>> = data
                .versions
                .iter()
                .rev()
                .map(|v| version_out(data, v))
                .collect();
            h::json(200, &items)
        }
        "GetSecretVersion" => {
            let state = shared.lock();
            let data = find(&state.planes.secrets, call.param(0))?;
            let n: u64 = call
                .param(1)
                .parse()
                .map_err(|_| ApiError::invalid("secretVersionNumber must be a number"))?;
            let v = data
                .versions
                .iter()
                .find(|v| v.version_number == n)
                .ok_or_else(|| ApiError::not_found("SecretVersion"))?;
            h::json(200, &version_out(data, v))
        }
        other => Err(super::super::not_implemented("Vault", other)),
    }
}
