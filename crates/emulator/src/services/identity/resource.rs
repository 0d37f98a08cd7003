//! The parts every Identity resource shares: lookup with 404, `if-match` with 412, fresh etags,
//! the CREATING view, list filters, sorting, paging, name checks, and the common create and
//! update fields.

use std::collections::HashMap;

use http::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::http as h;
use crate::state::*;
use crate::util;

use super::{Ctx, Out};

/// An Identity resource kept in the state: what it is called and where its records live.
///
/// The generic handlers below (`get`, `insert`, `update`, `delete`, `list_named`) do the parts
/// every resource shares: lookup by id with 404, `if-match` with 412, a fresh etag on change,
/// the CREATING view while the lifecycle delay runs, list filters, sorting and paging.
pub(super) trait Resource: Lifecycle + Serialize + Sized {
    /// The name used in errors, e.g. `User` in "User not found or not authorized" (404).
    const KIND: &'static str;
    fn records(state: &State) -> &Vec<Rec<Self>>;
    fn records_mut(state: &mut State) -> &mut Vec<Rec<Self>>;
    /// The id the operations address the record by.
    fn id(&self) -> &str;
}

macro_rules! resource {
    ($($t:ty: $kind:literal in $field:ident by $id:ident;)*) => {$(
        impl Resource for $t {
            const KIND: &'static str = $kind;
            fn records(state: &State) -> &Vec<Rec<Self>> { &state.$field }
            fn records_mut(state: &mut State) -> &mut Vec<Rec<Self>> { &mut state.$field }
            fn id(&self) -> &str { &self.$id }
        }
    )*};
}
resource! {
    User: "User" in users by id;
    Group: "Group" in groups by id;
    Membership: "UserGroupMembership" in memberships by id;
    Compartment: "Compartment" in compartments by id;
    Policy: "Policy" in policies by id;
    // An API key is addressed by its keyId, `tenancy/user/fingerprint`.
    ApiKey: "ApiKey" in api_keys by key_id;
}

impl Out {
    /// A record as seen now (CREATING during the lifecycle delay), with its etag.
    fn record<T: Lifecycle + Serialize>(rec: &Rec<T>, ctx: &Ctx) -> ApiResult<Out> {
        Out::json(&rec.view(ctx.now_ms, ctx.delay_ms), Some(&rec.etag))
    }
}

/// The record with `id`, or 404.
pub(super) fn find<'a, T: Resource>(state: &'a State, id: &str) -> ApiResult<&'a Rec<T>> {
    T::records(state)
        .iter()
        .find(|r| r.item.id() == id)
        .ok_or_else(|| ApiError::not_found(T::KIND))
}

/// 404 unless a record with `id` exists.
pub(super) fn must_exist<T: Resource>(state: &State, id: &str) -> ApiResult<()> {
    find::<T>(state, id).map(|_| ())
}

pub(super) fn get<T: Resource>(state: &State, ctx: &Ctx, id: &str) -> ApiResult<Out> {
    Out::record(find::<T>(state, id)?, ctx)
}

/// Stores a new record (fresh etag, created now) and answers with it.
pub(super) fn insert<T: Resource>(state: &mut State, ctx: &Ctx, item: T) -> ApiResult<Out> {
    let rec = Rec {
        etag: state.next_etag(),
        created_ms: ctx.now_ms,
        item,
    };
    let out = Out::record(&rec, ctx);
    T::records_mut(state).push(rec);
    out
}

/// Finds the record (404), checks `if-match` (412), lets `change` edit it (its error aborts),
/// gives it a fresh etag and answers with it.
pub(super) fn update<T: Resource>(
    state: &mut State,
    ctx: &Ctx,
    id: &str,
    headers: &HeaderMap,
    change: impl FnOnce(&mut T) -> ApiResult<()>,
) -> ApiResult<Out> {
    let etag = state.next_etag();
    let rec = T::records_mut(state)
        .iter_mut()
        .find(|r| r.item.id() == id)
        .ok_or_else(|| ApiError::not_found(T::KIND))?;
    h::check_if_match(headers, &rec.etag)?;
    change(&mut rec.item)?;
    rec.etag = etag;
    Out::record(rec, ctx)
}

/// Finds the record (404), checks `if-match` (412), asks `still_used` whether something still
/// depends on it (its error, a 409, aborts), then deletes it.
pub(super) fn delete<T: Resource>(
    state: &mut State,
    id: &str,
    headers: &HeaderMap,
    still_used: impl FnOnce(&State) -> ApiResult<()>,
) -> ApiResult<Out> {
    h::check_if_match(headers, &find::<T>(state, id)?.etag)?;
    still_used(state)?;
    T::records_mut(state).retain(|r| r.item.id() != id);
    Out::deleted()
}

/// A 409 `IncorrectState` when `busy`.
pub(super) fn not_while(busy: bool, message: &str) -> ApiResult<()> {
    if busy {
        return Err(ApiError::new(409, "IncorrectState", message));
    }
    Ok(())
}

/// The list's `compartmentId` (required), which must exist (404).
pub(super) fn listed_compartment<'q>(
    state: &State,
    q: &'q HashMap<String, String>,
) -> ApiResult<&'q str> {
    let compartment = h::required(q, "compartmentId")?;
    if !state.compartment_exists(compartment) {
        return Err(ApiError::not_found("Compartment"));
    }
    Ok(compartment)
}

/// List with `compartmentId` (required), `name`, `lifecycleState`, `sortBy`, `sortOrder`, paging.
pub(super) fn list_named<T: Resource + Named>(
    state: &State,
    ctx: &Ctx,
    q: &HashMap<String, String>,
) -> ApiResult<Out> {
    let compartment = listed_compartment(state, q)?;
    list_filtered(T::records(state), ctx, q, |t| {
        t.compartment_id() == compartment
    })
}

/// Filters (`name`, `lifecycleState`, `in_scope`), sorts and pages.
pub(super) fn list_filtered<T: Named + Serialize>(
    recs: &[Rec<T>],
    ctx: &Ctx,
    q: &HashMap<String, String>,
    in_scope: impl Fn(&T) -> bool,
) -> ApiResult<Out> {
    let mut items: Vec<(u64, T)> = recs
        .iter()
        .map(|r| (r.created_ms, r.view(ctx.now_ms, ctx.delay_ms)))
        .filter(|(_, t)| in_scope(t))
        .filter(|(_, t)| q.get("name").map_or(true, |n| t.name() == n))
        .filter(|(_, t)| {
            q.get("lifecycleState")
                .map_or(true, |s| t.lifecycle_state() == s)
        })
        .collect();
    sort(&mut items, q)?;
    let items: Vec<T> = items.into_iter().map(|(_, t)| t).collect();
    let (page, next) = util::paginate(ctx.seed, &items, q, 100)?;
    Out::list(&page, next)
}

pub(super) fn sort<T: Named>(items: &mut [(u64, T)], q: &HashMap<String, String>) -> ApiResult<()> {
    match q.get("sortBy").map(String::as_str) {
        None => {
            if util::sort_desc(q, false)? {
                items.reverse();
            }
        }
        Some("TIMECREATED") => {
            items.sort_by_key(|(t, _)| *t);
            if util::sort_desc(q, true)? {
                items.reverse();
            }
        }
        Some("NAME") => {
            items.sort_by_key(|a| a.1.name().to_lowercase());
            if util::sort_desc(q, false)? {
                items.reverse();
            }
        }
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "sortBy must be TIMECREATED or NAME, got `{other}`"
            )))
        }
    }
    Ok(())
}

/// A valid name (1 to 100 characters, else 400) that no record `in_scope` already has (409).
pub(super) fn check_new_name<T: Resource + Named>(
    state: &State,
    name: &str,
    in_scope: impl Fn(&T) -> bool,
) -> ApiResult<()> {
    if name.trim().is_empty() || name.len() > 100 {
        return Err(ApiError::invalid(format!(
            "{} name must be 1 to 100 characters",
            T::KIND
        )));
    }
    if T::records(state)
        .iter()
        .any(|r| r.item.name() == name && in_scope(&r.item))
    {
        return Err(ApiError::new(
            409,
            "EntityAlreadyExists",
            format!("{} `{name}` already exists", T::KIND),
        ));
    }
    Ok(())
}

pub(super) fn in_tenancy(state: &State, compartment: &str, what: &str) -> ApiResult<()> {
    if compartment != state.tenancy.id {
        return Err(ApiError::invalid(format!(
            "{what}s must be created in the tenancy (root compartment) `{}`",
            state.tenancy.id
        )));
    }
    Ok(())
}

/// The fields every create of a user, group, compartment or policy takes (the whole body of
/// `CreateGroup` and `CreateCompartment`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CreateDetails {
    pub(super) compartment_id: String,
    pub(super) name: String,
    pub(super) description: String,
    #[serde(default)]
    pub(super) freeform_tags: Tags,
    #[serde(default)]
    pub(super) defined_tags: DefinedTags,
}

/// The fields every update of a user, group, compartment or policy may change.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UpdateCommon {
    pub(super) description: Option<String>,
    pub(super) freeform_tags: Option<Tags>,
    pub(super) defined_tags: Option<DefinedTags>,
}

impl UpdateCommon {
    /// Sets the fields that are present.
    pub(super) fn apply(self, item: &mut impl Named) {
        let (description, freeform, defined) = item.description_and_tags_mut();
        util::set_some(description, self.description);
        util::set_some(freeform, self.freeform_tags);
        util::set_some(defined, self.defined_tags);
    }
}
