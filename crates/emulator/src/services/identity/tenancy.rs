//! Identity: the tenancy, regions and availability domains.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::http as h;
use crate::state::*;
use crate::util;

use super::Out;

pub(super) fn get_tenancy(state: &State, id: &str) -> ApiResult<Out> {
    if id != state.tenancy.id {
        return Err(ApiError::not_found("Tenancy"));
    }
    Out::json(&state.tenancy, None)
}

#[derive(Serialize, Clone)]
pub(super) struct Region {
    key: &'static str,
    name: &'static str,
}

pub(super) fn regions() -> Vec<Region> {
    [
        ("IAD", "us-ashburn-1"),
        ("PHX", "us-phoenix-1"),
        ("FRA", "eu-frankfurt-1"),
        ("LHR", "uk-london-1"),
        ("NRT", "ap-tokyo-1"),
    ]
    .into_iter()
    .map(|(key, name)| Region { key, name })
    .collect()
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub(super) struct RegionSubscription {
    region_key: String,
    region_name: String,
    status: &'static str,
    is_home_region: bool,
}

pub(super) fn list_region_subscriptions(state: &State, tenancy: &str) -> ApiResult<Out> {
    if tenancy != state.tenancy.id {
        return Err(ApiError::not_found("Tenancy"));
    }
    let key = regions()
        .into_iter()
        .find(|r| r.name == state.region)
        .map_or("IAD", |r| r.key);
    Out::list(
        &[RegionSubscription {
            region_key: key.to_owned(),
            region_name: state.region.clone(),
            status: "READY",
            is_home_region: true,
        }],
        None,
    )
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub(super) struct AvailabilityDomain {
    name: String,
    id: String,
    compartment_id: String,
}

pub(super) fn list_ads(state: &State, q: &HashMap<String, String>) -> ApiResult<Out> {
    let compartment = h::required(q, "compartmentId")?;
    if !state.compartment_exists(compartment) {
        return Err(ApiError::not_found("Compartment"));
    }
    let prefix = util::derived_text(state.seed, "ad-prefix", 0, 4).to_uppercase();
    let region = state.region.to_uppercase();
    let ads: Vec<_> = (1..=3)
        .map(|i| AvailabilityDomain {
            name: format!("{prefix}:{region}-AD-{i}"),
            id: util::ocid("availabilitydomain", state.seed, i),
            compartment_id: state.tenancy.id.clone(),
        })
        .collect();
    Out::list(&ads, None)
}
