//! KMS keys and key versions, through a vault's management endpoint: create, get, list; a new
//! key version becomes the key's current version (older versions still decrypt).

use serde::Deserialize;

use super::super::common::{check_compartment, TagsIn};
use super::endpoint_vault;
use super::vaults::{find as find_vault, items_index};
use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::planes::kms::{check_shape, new_material, Key, KeyData, KeyShape, KeyVersion};
use crate::shared::{Call, Shared};
use crate::state::State;
use crate::util;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateKey {
    compartment_id: String,
    display_name: String,
    key_shape: KeyShape,
    #[serde(default)]
    protection_mode: Option<String>,
    #[serde(flatten)]
    tags: TagsIn,
}

/// The key a request names, in the vault whose endpoint it came through.
pub(super) fn find<'a>(state: &'a State, vault_id: &str, key_id: &str) -> ApiResult<&'a KeyData> {
    state
        .planes
        .keys
        .iter()
        .find(|k| k.key.id == key_id && k.key.vault_id == vault_id)
        .ok_or_else(|| ApiError::not_found("Key"))
}

fn new_version(state: &mut State, key: &Key, now_ms: u64) -> (KeyVersion, String) {
    let version = KeyVersion {
        id: state.next_ocid("keyversion"),
        key_id: key.id.clone(),
        compartment_id: key.compartment_id.clone(),
        vault_id: key.vault_id.clone(),
        lifecycle_state: "ENABLED".to_owned(),
        origin: "INTERNAL".to_owned(),
        time_created: util::rfc3339(now_ms),
        is_primary: true,
    };
    (version, new_material(key.key_shape.length))
}

pub(super) fn handle(shared: &Shared, call: &Call) -> Reply {
    let vault_id = endpoint_vault(call, "kms-management")?.to_owned();
    match call.op {
        "CreateKey" => {
            let body: CreateKey = h::parse_json(call.body.bytes())?;
            check_shape(&body.key_shape)?;
            let mut state = shared.lock();
            find_vault(&state.planes.vaults, &vault_id)?;
            check_compartment(&state, &body.compartment_id)?;
            let protection_mode = body.protection_mode.unwrap_or_else(|| "HSM".to_owned());
            if !matches!(protection_mode.as_str(), "HSM" | "SOFTWARE" | "EXTERNAL") {
                return Err(ApiError::invalid(format!(
                    "unknown protectionMode `{protection_mode}`"
                )));
            }
            let mut key = Key {
                id: state.next_ocid("key"),
                compartment_id: body.compartment_id,
                display_name: body.display_name,
                current_key_version: String::new(),
                key_shape: body.key_shape,
                protection_mode,
                lifecycle_state: "ENABLED".to_owned(),
                time_created: util::rfc3339(call.now_ms),
                vault_id,
                is_primary: true,
                freeform_tags: body.tags.freeform_tags,
                defined_tags: body.tags.defined_tags,
            };
            let version = new_version(&mut state, &key, call.now_ms);
            key.current_key_version = version.0.id.clone();
            state.planes.keys.push(KeyData {
                key: key.clone(),
                versions: vec![version],
            });
            h::json(200, &key)
        }
        "GetKey" => {
            let state = shared.lock();
            h::json(200, &find(&state, &vault_id, call.param(0))?.key)
        }
        "ListKeys" => {
            let state = shared.lock();
            let compartment = h::required(&call.query, "compartmentId")?;
            let items: Vec<&Key> = state
                .planes
                .keys
                .iter()
                .map(|k| &k.key)
                .filter(|k| k.vault_id == vault_id && k.compartment_id == compartment)
                .collect();
            let (page, next) = util::paginate(state.seed, &items_index(&items), &call.query, 100)?;
            let page: Vec<&Key> = page.into_iter().map(|i| items[i]).collect();
            h::json_page(&page, next)
        }
        "CreateKeyVersion" => {
            let mut state = shared.lock();
            let key = find(&state, &vault_id, call.param(0))?.key.clone();
            let version = new_version(&mut state, &key, call.now_ms);
            let out = version.0.clone();
            let data = state
                .planes
                .keys
                .iter_mut()
                .find(|k| k.key.id == key.id)
                .ok_or_else(|| ApiError::not_found("Key"))?;
            data.key.current_key_version = out.id.clone();
            data.versions.push(version);
            h::json(200, &out)
        }
        "ListKeyVersions" => {
            let state = shared.lock();
            let key = find(&state, &vault_id, call.param(0))?;
            let items: Vec<&KeyVersion> = key.versions.iter().map(|(v, _)| v).collect();
            let (page, next) = util::paginate(state.seed, &items_index(&items), &call.query, 100)?;
            let page: Vec<&KeyVersion> = page.into_iter().map(|i| items[i]).collect();
            h::json_page(&page, next)
        }
        _ => {
            let state = shared.lock();
            let key = find(&state, &vault_id, call.param(0))?;
            let (version, _) = key
                .versions
                .iter()
                .find(|(v, _)| v.id == call.param(1))
                .ok_or_else(|| ApiError::not_found("KeyVersion"))?;
            h::json(200, version)
        }
    }
}
