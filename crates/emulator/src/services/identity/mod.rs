//! Identity (`/20160918`): tenancy, users, groups, memberships, compartments, policies, API keys,
//! regions and availability domains. Every other operation answers 501 naming itself.

mod api_keys;
mod compartments;
mod resource;
mod tenancy;
mod users;

use std::collections::HashMap;

use http::HeaderMap;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::shared::{Call, Shared};
use crate::state::*;
use crate::util;

pub(crate) use api_keys::ApiKeys;
use api_keys::*;
use compartments::*;
use resource::*;
use tenancy::*;
use users::*;

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
    fn into_response(self) -> Reply {
        let mut resp = match &self.body {
            Some(b) => h::finish(
                h::response(self.status).header(http::header::CONTENT_TYPE, "application/json"),
                h::full(b.clone()),
            )?,
            None => h::no_content(self.status)?,
        };
        if let Some(e) = &self.etag {
            h::set_header(&mut resp, "etag", e);
        }
        if let Some(p) = &self.next_page {
            h::set_header(&mut resp, "opc-next-page", p);
        }
        Ok(resp)
    }
}

fn to_json<T: Serialize>(v: &T) -> ApiResult<String> {
    serde_json::to_string(v).map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))
}

/// Handles one authenticated Identity request.
pub(crate) async fn handle(shared: &Shared, call: Call) -> Reply {
    let ctx = Ctx {
        seed: shared.seed,
        now_ms: call.now_ms,
        delay_ms: shared.lifecycle_delay_ms,
    };
    let mut state = shared.lock();
    handle_in(&mut state, &ctx, &call)
}

/// Handles a request on the locked state, replaying `opc-retry-token`s.
fn handle_in(state: &mut State, ctx: &Ctx, call: &Call) -> Reply {
    let (route, headers, body) = (call, &call.headers, call.body.bytes());
    let q = &call.query;
    let token = h::header(headers, "opc-retry-token").filter(|t| !t.is_empty());
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
    route: &Call,
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

        other => Err(super::not_implemented("Identity", other)),
    }
}
