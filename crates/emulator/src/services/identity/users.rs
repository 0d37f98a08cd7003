//! Identity: users, groups and group memberships.

use std::collections::HashMap;

use http::HeaderMap;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::http as h;
use crate::state::*;
use crate::util;

use super::resource::*;
use super::{Ctx, Out};

// ---- users ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CreateUserDetails {
    email: Option<String>,
    #[serde(flatten)]
    common: CreateDetails,
}

pub(super) fn create_user(state: &mut State, ctx: &Ctx, body: &[u8]) -> ApiResult<Out> {
    let CreateUserDetails { email, common: d } = h::parse_json(body)?;
    in_tenancy(state, &d.compartment_id, "User")?;
    check_new_name::<User>(state, &d.name, |_| true)?;
    let user = User {
        id: state.next_ocid("user"),
        compartment_id: d.compartment_id,
        name: d.name,
        description: d.description,
        email,
        email_verified: false,
        db_user_name: None,
        time_created: util::rfc3339(ctx.now_ms),
        lifecycle_state: "ACTIVE".to_owned(),
        is_mfa_activated: false,
        capabilities: Capabilities::default(),
        freeform_tags: d.freeform_tags,
        defined_tags: d.defined_tags,
    };
    insert(state, ctx, user)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UpdateUserDetails {
    email: Option<String>,
    db_user_name: Option<String>,
    #[serde(flatten)]
    common: UpdateCommon,
}

pub(super) fn update_user(
    state: &mut State,
    ctx: &Ctx,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Out> {
    let d: UpdateUserDetails = h::parse_json(body)?;
    update(state, ctx, id, headers, |u: &mut User| {
        if d.email.is_some() {
            u.email = d.email;
        }
        if d.db_user_name.is_some() {
            u.db_user_name = d.db_user_name;
        }
        d.common.apply(u);
        Ok(())
    })
}

pub(super) fn delete_user(state: &mut State, id: &str, headers: &HeaderMap) -> ApiResult<Out> {
    let out = delete::<User>(state, id, headers, |state| {
        not_while(
            id == state.seeded_user_id,
            "the emulator's seeded administrator cannot be deleted",
        )?;
        not_while(
            state.memberships.iter().any(|m| m.item.user_id == id),
            "the user is still a member of a group: remove the memberships first",
        )
    })?;
    state.api_keys.retain(|k| k.item.user_id != id);
    Ok(out)
}

// ---- groups ----

pub(super) fn create_group(state: &mut State, ctx: &Ctx, body: &[u8]) -> ApiResult<Out> {
    let d: CreateDetails = h::parse_json(body)?;
    in_tenancy(state, &d.compartment_id, "Group")?;
    check_new_name::<Group>(state, &d.name, |_| true)?;
    let group = Group {
        id: state.next_ocid("group"),
        compartment_id: d.compartment_id,
        name: d.name,
        description: d.description,
        time_created: util::rfc3339(ctx.now_ms),
        lifecycle_state: "ACTIVE".to_owned(),
        freeform_tags: d.freeform_tags,
        defined_tags: d.defined_tags,
    };
    insert(state, ctx, group)
}

pub(super) fn update_group(
    state: &mut State,
    ctx: &Ctx,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Out> {
    let d: UpdateCommon = h::parse_json(body)?;
    update(state, ctx, id, headers, |g: &mut Group| {
        d.apply(g);
        Ok(())
    })
}

pub(super) fn delete_group(state: &mut State, id: &str, headers: &HeaderMap) -> ApiResult<Out> {
    delete::<Group>(state, id, headers, |state| {
        not_while(
            state.memberships.iter().any(|m| m.item.group_id == id),
            "the group still has members: remove them first",
        )
    })
}

// ---- memberships ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AddUserToGroupDetails {
    user_id: String,
    group_id: String,
}

pub(super) fn add_user_to_group(state: &mut State, ctx: &Ctx, body: &[u8]) -> ApiResult<Out> {
    let d: AddUserToGroupDetails = h::parse_json(body)?;
    must_exist::<User>(state, &d.user_id)?;
    must_exist::<Group>(state, &d.group_id)?;
    if state
        .memberships
        .iter()
        .any(|m| m.item.user_id == d.user_id && m.item.group_id == d.group_id)
    {
        return Err(ApiError::new(
            409,
            "EntityAlreadyExists",
            "the user is already a member of the group",
        ));
    }
    let m = Membership {
        id: state.next_ocid("groupmembership"),
        compartment_id: state.tenancy.id.clone(),
        group_id: d.group_id,
        user_id: d.user_id,
        time_created: util::rfc3339(ctx.now_ms),
        lifecycle_state: "ACTIVE".to_owned(),
    };
    insert(state, ctx, m)
}

pub(super) fn list_memberships(
    state: &State,
    ctx: &Ctx,
    q: &HashMap<String, String>,
) -> ApiResult<Out> {
    let compartment = listed_compartment(state, q)?;
    let items: Vec<Membership> = state
        .memberships
        .iter()
        .map(|r| r.view(ctx.now_ms, ctx.delay_ms))
        .filter(|m| m.compartment_id == compartment)
        .filter(|m| q.get("userId").map_or(true, |u| &m.user_id == u))
        .filter(|m| q.get("groupId").map_or(true, |g| &m.group_id == g))
        .collect();
    let (page, next) = util::paginate(ctx.seed, &items, q, 100)?;
    Out::list(&page, next)
}
