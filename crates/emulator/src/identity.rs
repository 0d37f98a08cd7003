//! Identity (`/20160918`): tenancy, users, groups, memberships, compartments, policies, API keys,
//! regions and availability domains. Every other operation answers 501 naming itself.

use std::collections::HashMap;

use http::{HeaderMap, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::keys::PublicKey;
use crate::state::*;
use crate::util::{self, header, Route};
use crate::RespBody;

/// Routes a method and path (below `/20160918`) by the spec's table of every Identity operation.
pub(crate) fn route(method: &str, path: &str) -> Option<Route> {
    util::route(oci_identity::operations::OPERATIONS, method, path)
}

/// Operations that declare `opc-retry-token` among those implemented.
const RETRY_TOKEN_OPS: &[&str] = &[
    "CreateUser",
    "CreateGroup",
    "AddUserToGroup",
    "CreateCompartment",
    "CreatePolicy",
    "UploadApiKey",
];

/// Per-request context.
pub(crate) struct Ctx {
    pub seed: u64,
    pub now_ms: u64,
    pub delay_ms: u64,
}

/// A handler's answer before it becomes a response (so retry-token replays can store it).
struct Out {
    status: u16,
    etag: Option<String>,
    body: Option<String>,
    next_page: Option<String>,
}

impl Out {
    fn json<T: Serialize>(value: &T, etag: Option<&str>) -> ApiResult<Out> {
        Ok(Out {
            status: 200,
            etag: etag.map(str::to_owned),
            body: Some(to_json(value)?),
            next_page: None,
        })
    }
    fn list<T: Serialize>(items: &[T], next_page: Option<String>) -> ApiResult<Out> {
        Ok(Out {
            status: 200,
            etag: None,
            body: Some(to_json(&items)?),
            next_page,
        })
    }
    fn deleted() -> ApiResult<Out> {
        Ok(Out {
            status: 204,
            etag: None,
            body: None,
            next_page: None,
        })
    }
    fn into_response(self) -> ApiResult<Response<RespBody>> {
        let mut resp = match &self.body {
            Some(b) => util::finish(
                util::response(self.status).header(http::header::CONTENT_TYPE, "application/json"),
                util::full(b.clone()),
            )?,
            None => util::no_content(self.status)?,
        };
        if let Some(e) = &self.etag {
            util::set_header(&mut resp, "etag", e);
        }
        if let Some(p) = &self.next_page {
            util::set_header(&mut resp, "opc-next-page", p);
        }
        Ok(resp)
    }
}

fn to_json<T: Serialize>(v: &T) -> ApiResult<String> {
    serde_json::to_string(v).map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))
}

/// Handles one authenticated Identity request.
pub(crate) fn handle(
    state: &mut State,
    ctx: &Ctx,
    route: &Route,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Response<RespBody>> {
    let token = header(headers, "opc-retry-token").filter(|t| !t.is_empty());
    if let (Some(token), true) = (token, RETRY_TOKEN_OPS.contains(&route.op)) {
        let hash = util::b64(&Sha256::digest(body));
        if let Some(stored) = state
            .retry_responses
            .iter()
            .find(|s| s.operation == route.op && s.token == token)
        {
            if stored.body_sha256 != hash {
                return Err(ApiError::new(
                    409,
                    "InvalidatedRetryToken",
                    format!(
                        "the opc-retry-token `{token}` was already used for a different {} request",
                        route.op
                    ),
                ));
            }
            return Out {
                status: stored.status,
                etag: stored.etag.clone(),
                body: Some(stored.body.clone()),
                next_page: None,
            }
            .into_response();
        }
        let out = dispatch(state, ctx, route, q, headers, body)?;
        if (200..300).contains(&out.status) {
            state.retry_responses.push(StoredResponse {
                operation: route.op.to_owned(),
                token: token.to_owned(),
                body_sha256: hash,
                status: out.status,
                etag: out.etag.clone(),
                body: out.body.clone().unwrap_or_default(),
            });
        }
        return out.into_response();
    }
    dispatch(state, ctx, route, q, headers, body)?.into_response()
}

fn dispatch(
    state: &mut State,
    ctx: &Ctx,
    route: &Route,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Out> {
    let p = |i: usize| route.param(i);
    match route.op {
        "GetTenancy" => get_tenancy(state, p(0)),
        "ListRegions" => Out::list(&regions(), None),
        "ListRegionSubscriptions" => list_region_subscriptions(state, p(0)),
        "ListAvailabilityDomains" => list_ads(state, q),

        "CreateUser" => create_user(state, ctx, body),
        "GetUser" => get::<User>(state, ctx, p(0)),
        "ListUsers" => list_named::<User>(state, ctx, q),
        "UpdateUser" => update_user(state, ctx, p(0), headers, body),
        "DeleteUser" => delete_user(state, p(0), headers),

        "CreateGroup" => create_group(state, ctx, body),
        "GetGroup" => get::<Group>(state, ctx, p(0)),
        "ListGroups" => list_named::<Group>(state, ctx, q),
        "UpdateGroup" => update_group(state, ctx, p(0), headers, body),
        "DeleteGroup" => delete_group(state, p(0), headers),

        "AddUserToGroup" => add_user_to_group(state, ctx, body),
        "GetUserGroupMembership" => get::<Membership>(state, ctx, p(0)),
        "ListUserGroupMemberships" => list_memberships(state, ctx, q),
        "RemoveUserFromGroup" => delete::<Membership>(state, p(0), headers, |_| Ok(())),

        "CreateCompartment" => create_compartment(state, ctx, body),
        "GetCompartment" => get_compartment(state, ctx, p(0)),
        "ListCompartments" => list_compartments(state, ctx, q),
        "UpdateCompartment" => update_compartment(state, ctx, p(0), headers, body),
        "DeleteCompartment" => delete_compartment(state, p(0), headers),

        "CreatePolicy" => create_policy(state, ctx, body),
        "GetPolicy" => get::<Policy>(state, ctx, p(0)),
        "ListPolicies" => list_named::<Policy>(state, ctx, q),
        "UpdatePolicy" => update_policy(state, ctx, p(0), headers, body),
        "DeletePolicy" => delete::<Policy>(state, p(0), headers, |_| Ok(())),

        "UploadApiKey" => upload_api_key(state, ctx, p(0), body),
        "ListApiKeys" => list_api_keys(state, ctx, p(0)),
        "DeleteApiKey" => delete_api_key(state, p(0), p(1), headers),

        other => Err(ApiError::new(
            501,
            "NotImplemented",
            format!("The emulator does not implement the Identity operation {other}."),
        )),
    }
}

// ---- tenancy, regions, availability domains ----

fn get_tenancy(state: &State, id: &str) -> ApiResult<Out> {
    if id != state.tenancy.id {
        return Err(ApiError::not_found("Tenancy"));
    }
    Out::json(&state.tenancy, None)
}

#[derive(Serialize, Clone)]
struct Region {
    key: &'static str,
    name: &'static str,
}

fn regions() -> Vec<Region> {
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
struct RegionSubscription {
    region_key: String,
    region_name: String,
    status: &'static str,
    is_home_region: bool,
}

fn list_region_subscriptions(state: &State, tenancy: &str) -> ApiResult<Out> {
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
struct AvailabilityDomain {
    name: String,
    id: String,
    compartment_id: String,
}

fn list_ads(state: &State, q: &HashMap<String, String>) -> ApiResult<Out> {
    let compartment = util::required(q, "compartmentId")?;
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

// ---- generic helpers ----

/// An Identity resource kept in the state: what it is called and where its records live.
///
/// The generic handlers below (`get`, `insert`, `update`, `delete`, `list_named`) do the parts
/// every resource shares: lookup by id with 404, `if-match` with 412, a fresh etag on change,
/// the CREATING view while the lifecycle delay runs, list filters, sorting and paging.
trait Resource: Lifecycle + Serialize + Sized {
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
fn find<'a, T: Resource>(state: &'a State, id: &str) -> ApiResult<&'a Rec<T>> {
    T::records(state)
        .iter()
        .find(|r| r.item.id() == id)
        .ok_or_else(|| ApiError::not_found(T::KIND))
}

/// 404 unless a record with `id` exists.
fn must_exist<T: Resource>(state: &State, id: &str) -> ApiResult<()> {
    find::<T>(state, id).map(|_| ())
}

fn get<T: Resource>(state: &State, ctx: &Ctx, id: &str) -> ApiResult<Out> {
    Out::record(find::<T>(state, id)?, ctx)
}

/// Stores a new record (fresh etag, created now) and answers with it.
fn insert<T: Resource>(state: &mut State, ctx: &Ctx, item: T) -> ApiResult<Out> {
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
fn update<T: Resource>(
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
    util::check_if_match(headers, &rec.etag)?;
    change(&mut rec.item)?;
    rec.etag = etag;
    Out::record(rec, ctx)
}

/// Finds the record (404), checks `if-match` (412), asks `still_used` whether something still
/// depends on it (its error, a 409, aborts), then deletes it.
fn delete<T: Resource>(
    state: &mut State,
    id: &str,
    headers: &HeaderMap,
    still_used: impl FnOnce(&State) -> ApiResult<()>,
) -> ApiResult<Out> {
    util::check_if_match(headers, &find::<T>(state, id)?.etag)?;
    still_used(state)?;
    T::records_mut(state).retain(|r| r.item.id() != id);
    Out::deleted()
}

/// A 409 `IncorrectState` when `busy`.
fn not_while(busy: bool, message: &str) -> ApiResult<()> {
    if busy {
        return Err(ApiError::new(409, "IncorrectState", message));
    }
    Ok(())
}

/// The list's `compartmentId` (required), which must exist (404).
fn listed_compartment<'q>(state: &State, q: &'q HashMap<String, String>) -> ApiResult<&'q str> {
    let compartment = util::required(q, "compartmentId")?;
    if !state.compartment_exists(compartment) {
        return Err(ApiError::not_found("Compartment"));
    }
    Ok(compartment)
}

/// List with `compartmentId` (required), `name`, `lifecycleState`, `sortBy`, `sortOrder`, paging.
fn list_named<T: Resource + Named>(
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
fn list_filtered<T: Named + Serialize>(
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

fn sort<T: Named>(items: &mut [(u64, T)], q: &HashMap<String, String>) -> ApiResult<()> {
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
fn check_new_name<T: Resource + Named>(
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

fn in_tenancy(state: &State, compartment: &str, what: &str) -> ApiResult<()> {
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
struct CreateDetails {
    compartment_id: String,
    name: String,
    description: String,
    #[serde(default)]
    freeform_tags: Tags,
    #[serde(default)]
    defined_tags: DefinedTags,
}

/// The fields every update of a user, group, compartment or policy may change.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateCommon {
    description: Option<String>,
    freeform_tags: Option<Tags>,
    defined_tags: Option<DefinedTags>,
}

impl UpdateCommon {
    /// Sets the fields that are present.
    fn apply(self, item: &mut impl Named) {
        let (description, freeform, defined) = item.description_and_tags_mut();
        util::set_some(description, self.description);
        util::set_some(freeform, self.freeform_tags);
        util::set_some(defined, self.defined_tags);
    }
}

// ---- users ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateUserDetails {
    email: Option<String>,
    #[serde(flatten)]
    common: CreateDetails,
}

fn create_user(state: &mut State, ctx: &Ctx, body: &[u8]) -> ApiResult<Out> {
    let CreateUserDetails { email, common: d } = util::parse_json(body)?;
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
struct UpdateUserDetails {
    email: Option<String>,
    db_user_name: Option<String>,
    #[serde(flatten)]
    common: UpdateCommon,
}

fn update_user(
    state: &mut State,
    ctx: &Ctx,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Out> {
    let d: UpdateUserDetails = util::parse_json(body)?;
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

fn delete_user(state: &mut State, id: &str, headers: &HeaderMap) -> ApiResult<Out> {
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

fn create_group(state: &mut State, ctx: &Ctx, body: &[u8]) -> ApiResult<Out> {
    let d: CreateDetails = util::parse_json(body)?;
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

fn update_group(
    state: &mut State,
    ctx: &Ctx,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Out> {
    let d: UpdateCommon = util::parse_json(body)?;
    update(state, ctx, id, headers, |g: &mut Group| {
        d.apply(g);
        Ok(())
    })
}

fn delete_group(state: &mut State, id: &str, headers: &HeaderMap) -> ApiResult<Out> {
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
struct AddUserToGroupDetails {
    user_id: String,
    group_id: String,
}

fn add_user_to_group(state: &mut State, ctx: &Ctx, body: &[u8]) -> ApiResult<Out> {
    let d: AddUserToGroupDetails = util::parse_json(body)?;
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

fn list_memberships(state: &State, ctx: &Ctx, q: &HashMap<String, String>) -> ApiResult<Out> {
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

// ---- compartments ----

fn root_compartment(state: &State) -> Compartment {
    Compartment {
        id: state.tenancy.id.clone(),
        compartment_id: state.tenancy.id.clone(),
        name: state.tenancy.name.clone(),
        description: state.tenancy.description.clone(),
        time_created: util::rfc3339(state.epoch_ms),
        lifecycle_state: "ACTIVE".to_owned(),
        is_accessible: true,
        freeform_tags: Tags::new(),
        defined_tags: DefinedTags::new(),
    }
}

fn create_compartment(state: &mut State, ctx: &Ctx, body: &[u8]) -> ApiResult<Out> {
    let d: CreateDetails = util::parse_json(body)?;
    if !state.compartment_exists(&d.compartment_id) {
        return Err(ApiError::not_found("Parent compartment"));
    }
    check_new_name::<Compartment>(state, &d.name, |c| c.compartment_id == d.compartment_id)?;
    let c = Compartment {
        id: state.next_ocid("compartment"),
        compartment_id: d.compartment_id,
        name: d.name,
        description: d.description,
        time_created: util::rfc3339(ctx.now_ms),
        lifecycle_state: "ACTIVE".to_owned(),
        is_accessible: true,
        freeform_tags: d.freeform_tags,
        defined_tags: d.defined_tags,
    };
    insert(state, ctx, c)
}

fn get_compartment(state: &State, ctx: &Ctx, id: &str) -> ApiResult<Out> {
    if id == state.tenancy.id {
        return Out::json(&root_compartment(state), None);
    }
    get::<Compartment>(state, ctx, id)
}

fn list_compartments(state: &State, ctx: &Ctx, q: &HashMap<String, String>) -> ApiResult<Out> {
    if q.get("compartmentIdInSubtree").map(String::as_str) != Some("true") {
        return list_named::<Compartment>(state, ctx, q);
    }
    let root = listed_compartment(state, q)?;
    // Every descendant of `root`.
    let mut scope: Vec<String> = vec![root.to_owned()];
    let mut i = 0;
    while i < scope.len() {
        let parent = scope[i].clone();
        scope.extend(
            state
                .compartments
                .iter()
                .filter(|c| c.item.compartment_id == parent && c.item.id != parent)
                .map(|c| c.item.id.clone()),
        );
        i += 1;
    }
    list_filtered(&state.compartments, ctx, q, |c| {
        c.id != root && scope.iter().any(|s| s == &c.id)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateCompartmentDetails {
    name: Option<String>,
    #[serde(flatten)]
    common: UpdateCommon,
}

fn update_compartment(
    state: &mut State,
    ctx: &Ctx,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Out> {
    let d: UpdateCompartmentDetails = util::parse_json(body)?;
    let parent = find::<Compartment>(state, id)?.item.compartment_id.clone();
    if let Some(name) = &d.name {
        check_new_name::<Compartment>(state, name, |c| c.compartment_id == parent && c.id != id)?;
    }
    update(state, ctx, id, headers, |c: &mut Compartment| {
        util::set_some(&mut c.name, d.name);
        d.common.apply(c);
        Ok(())
    })
}

fn delete_compartment(state: &mut State, id: &str, headers: &HeaderMap) -> ApiResult<Out> {
    delete::<Compartment>(state, id, headers, |state| {
        not_while(
            state
                .compartments
                .iter()
                .any(|c| c.item.compartment_id == id)
                || state.policies.iter().any(|p| p.item.compartment_id == id)
                || state.buckets.iter().any(|b| b.compartment_id == id),
            "the compartment is not empty: delete its compartments, policies and buckets first",
        )
    })
}

// ---- policies ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatePolicyDetails {
    statements: Vec<String>,
    version_date: Option<String>,
    #[serde(flatten)]
    common: CreateDetails,
}

/// A policy needs at least one statement.
fn check_statements(statements: &[String]) -> ApiResult<()> {
    if statements.is_empty() {
        return Err(ApiError::invalid("a policy needs at least one statement"));
    }
    Ok(())
}

fn create_policy(state: &mut State, ctx: &Ctx, body: &[u8]) -> ApiResult<Out> {
    let CreatePolicyDetails {
        statements,
        version_date,
        common: d,
    } = util::parse_json(body)?;
    if !state.compartment_exists(&d.compartment_id) {
        return Err(ApiError::not_found("Compartment"));
    }
    check_statements(&statements)?;
    check_new_name::<Policy>(state, &d.name, |p| p.compartment_id == d.compartment_id)?;
    let p = Policy {
        id: state.next_ocid("policy"),
        compartment_id: d.compartment_id,
        name: d.name,
        statements,
        description: d.description,
        time_created: util::rfc3339(ctx.now_ms),
        lifecycle_state: "ACTIVE".to_owned(),
        version_date,
        freeform_tags: d.freeform_tags,
        defined_tags: d.defined_tags,
    };
    insert(state, ctx, p)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdatePolicyDetails {
    statements: Option<Vec<String>>,
    version_date: Option<String>,
    #[serde(flatten)]
    common: UpdateCommon,
}

fn update_policy(
    state: &mut State,
    ctx: &Ctx,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Out> {
    let d: UpdatePolicyDetails = util::parse_json(body)?;
    update(state, ctx, id, headers, |p: &mut Policy| {
        if let Some(v) = d.statements {
            check_statements(&v)?;
            p.statements = v;
        }
        if d.version_date.is_some() {
            p.version_date = d.version_date;
        }
        d.common.apply(p);
        Ok(())
    })
}

// ---- API keys ----

#[derive(Deserialize)]
struct CreateApiKeyDetails {
    key: String,
}

/// The most API keys one user may have, as in OCI.
const MAX_API_KEYS: usize = 3;

fn upload_api_key(state: &mut State, ctx: &Ctx, user_id: &str, body: &[u8]) -> ApiResult<Out> {
    let d: CreateApiKeyDetails = util::parse_json(body)?;
    must_exist::<User>(state, user_id)?;
    let key = PublicKey::from_pem(&d.key).map_err(ApiError::invalid)?;
    let mine: Vec<_> = state
        .api_keys
        .iter()
        .filter(|k| k.item.user_id == user_id)
        .collect();
    if mine.iter().any(|k| k.item.fingerprint == key.fingerprint) {
        return Err(ApiError::new(
            409,
            "EntityAlreadyExists",
            format!("the user already has the API key {}", key.fingerprint),
        ));
    }
    if mine.len() >= MAX_API_KEYS {
        return Err(ApiError::new(
            409,
            "LimitExceeded",
            format!("a user may have at most {MAX_API_KEYS} API keys"),
        ));
    }
    let api_key = ApiKey {
        key_id: api_key_id(state, user_id, &key.fingerprint),
        key_value: key.pem.clone(),
        fingerprint: key.fingerprint.clone(),
        user_id: user_id.to_owned(),
        time_created: util::rfc3339(ctx.now_ms),
        lifecycle_state: "ACTIVE".to_owned(),
    };
    insert(state, ctx, api_key)
}

/// An API key's keyId: `tenancy/user/fingerprint`.
fn api_key_id(state: &State, user_id: &str, fingerprint: &str) -> String {
    format!("{}/{user_id}/{fingerprint}", state.tenancy.id)
}

fn list_api_keys(state: &State, ctx: &Ctx, user_id: &str) -> ApiResult<Out> {
    must_exist::<User>(state, user_id)?;
    let items: Vec<ApiKey> = state
        .api_keys
        .iter()
        .filter(|k| k.item.user_id == user_id)
        .map(|k| k.view(ctx.now_ms, ctx.delay_ms))
        .collect();
    Out::list(&items, None)
}

fn delete_api_key(
    state: &mut State,
    user_id: &str,
    fingerprint: &str,
    headers: &HeaderMap,
) -> ApiResult<Out> {
    let key_id = api_key_id(state, user_id, fingerprint);
    delete::<ApiKey>(state, &key_id, headers, |_| Ok(()))
}

/// The active API key registered under a keyId (`tenancy/user/fingerprint`).
pub(crate) fn key_pem_for(state: &State, key_id: &str) -> Option<String> {
    let mut parts = key_id.splitn(3, '/');
    let (tenancy, user, fp) = (parts.next()?, parts.next()?, parts.next()?);
    if tenancy != state.tenancy.id {
        return None;
    }
    state
        .api_keys
        .iter()
        .find(|k| {
            k.item.user_id == user && k.item.fingerprint == fp && k.item.lifecycle_state == "ACTIVE"
        })
        .map(|k| k.item.key_value.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_most_literal_segments() {
        let r = route("GET", "/users/").map(|r| r.op);
        assert_eq!(r, Some("ListUsers"));
        let r = route("GET", "/users/ocid1.user.oc1..x");
        assert_eq!(r.as_ref().map(|r| r.op), Some("GetUser"));
        assert_eq!(
            r.map(|r| r.params),
            Some(vec!["ocid1.user.oc1..x".to_owned()])
        );
        let r = route("GET", "/tagDefaults/actions/assembleEffectiveTagSet").map(|r| r.op);
        assert_eq!(r, Some("AssembleEffectiveTagSet"));
        assert!(route("GET", "/nope").is_none());
    }
}
