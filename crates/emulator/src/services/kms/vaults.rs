//! KMS vaults: create, get, list. Vaults are ACTIVE at once.

use serde::{Deserialize, Serialize};

use super::super::common::{check_compartment, TagsIn};
use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::planes::kms::Vault;
use crate::route::mount_url;
use crate::shared::{Call, Shared};
use crate::util;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateVault {
    compartment_id: String,
    display_name: String,
    #[serde(default)]
    vault_type: Option<String>,
    #[serde(flatten)]
    tags: TagsIn,
}

/// A vault as answered: with its endpoints on the host the client used.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VaultOut<'a> {
    #[serde(flatten)]
    vault: &'a Vault,
    crypto_endpoint: String,
    management_endpoint: String,
    wrappingkey_id: String,
}

pub(super) fn view<'a>(call: &Call, vault: &'a Vault) -> VaultOut<'a> {
    let origin = call.origin();
    VaultOut {
        vault,
        crypto_endpoint: mount_url(&origin, "kms-crypto", &vault.id),
        management_endpoint: mount_url(&origin, "kms-management", &vault.id),
        wrappingkey_id: format!("{}.wrappingkey", vault.id),
    }
}

pub(super) fn handle(shared: &Shared, call: &Call) -> Reply {
    match call.op {
        "CreateVault" => {
            let body: CreateVault = h::parse_json(call.body.bytes())?;
            let mut state = shared.lock();
            check_compartment(&state, &body.compartment_id)?;
            let vault_type = body.vault_type.unwrap_or_else(|| "DEFAULT".to_owned());
            if !matches!(
                vault_type.as_str(),
                "DEFAULT" | "VIRTUAL_PRIVATE" | "EXTERNAL"
            ) {
                return Err(ApiError::invalid(format!(
                    "unknown vaultType `{vault_type}`"
                )));
            }
            let vault = Vault {
                id: state.next_ocid("vault"),
                compartment_id: body.compartment_id,
                display_name: body.display_name,
                lifecycle_state: "ACTIVE".to_owned(),
                time_created: util::rfc3339(call.now_ms),
                vault_type,
                is_primary: true,
                freeform_tags: body.tags.freeform_tags,
                defined_tags: body.tags.defined_tags,
            };
            state.planes.vaults.push(vault.clone());
            h::json(200, &view(call, &vault))
        }
        "GetVault" => {
            let state = shared.lock();
            let vault = find(&state.planes.vaults, call.param(0))?;
            h::json(200, &view(call, vault))
        }
        _ => {
            let state = shared.lock();
            let compartment = h::required(&call.query, "compartmentId")?;
            let items: Vec<VaultOut<'_>> = state
                .planes
                .vaults
                .iter()
                .filter(|v| v.compartment_id == compartment)
                .map(|v| view(call, v))
                .collect();
            let (page, next) = util::paginate(state.seed, &items_index(&items), &call.query, 100)?;
            let page: Vec<&VaultOut<'_>> = page.into_iter().map(|i| &items[i]).collect();
            h::json_page(&page, next)
        }
    }
}

/// Indices of a list, to page through items that are not `Clone`.
pub(super) fn items_index<T>(items: &[T]) -> Vec<usize> {
    (0..items.len()).collect()
}

pub(super) fn find<'a>(vaults: &'a [Vault], id: &str) -> ApiResult<&'a Vault> {
    vaults
        .iter()
        .find(|v| v.id == id)
        .ok_or_else(|| ApiError::not_found("Vault"))
}
