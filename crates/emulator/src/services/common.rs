//! Small helpers the data-plane handlers share: compartment checks, tags, lists.

use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::state::{DefinedTags, State, Tags};

/// Fails with 404 unless `id` is the tenancy or an existing compartment.
pub(crate) fn check_compartment(state: &State, id: &str) -> ApiResult<()> {
    if id.is_empty() {
        return Err(ApiError::missing("compartmentId"));
    }
    if !state.compartment_exists(id) {
        return Err(ApiError::not_found("Compartment"));
    }
    Ok(())
}

/// The tags every create body may carry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct TagsIn {
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
}

/// A query parameter parsed as a number, when present.
pub(crate) fn query_num(
    q: &std::collections::HashMap<String, String>,
    name: &str,
) -> ApiResult<Option<u64>> {
    q.get(name)
        .map(|v| {
            v.parse::<u64>()
                .map_err(|_| ApiError::invalid(format!("{name} must be a non-negative integer")))
        })
        .transpose()
}

/// Decodes base64 (standard alphabet) or fails naming the field.
pub(crate) fn b64_field(field: &str, value: &str) -> ApiResult<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|_| ApiError::invalid(format!("{field} must be base64")))
}
