//! Identity (`/20160918`): tenancy, users, groups, memberships, compartments, policies, API keys,
//! regions and availability domains. Every other operation answers 501 naming itself.

mod api_keys;
mod compartments;
mod resource;
mod tenancy;
mod users;

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
    /// `opc-work-request-id` of an asynchronous operation.
    work_request: Option<String>,
}

impl Out {
    fn json<T: Serialize>(value: &T, etag: Option<&str>) -> ApiResult<Out> {
        Ok(Out {
            status: 200,
            etag: etag.map(str::to_owned),
            body: Some(to_json(value)?),
            next_page: None,
            work_request: None,
        })
    }
    fn list<T: Serialize>(items: &[T], next_page: Option<String>) -> ApiResult<Out> {
        Ok(Out {
            status: 200,
            etag: None,
            body: Some(to_json(&items)?),
            next_page,
            work_request: None,
        })
    }
    fn deleted() -> ApiResult<Out> {
        Ok(Out {
            status: 204,
            etag: None,
            body: None,
            next_page: None,
            work_request: None,
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
        if let Some(w) = &self.work_request {
            h::set_header(&mut resp, "opc-work-request-id", w);
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
        seed: shared.settings.seed,
        now_ms: call.now_ms,
        delay_ms: shared.settings.lifecycle_delay_ms,
    };
    // Reads lock the state immutably, so they are not writes to save.
    if let Some(out) = read(&shared.lock(), &ctx, &call) {
        return out?.into_response();
    }
    let Some(write) = write(call.op) else {
        return Err(super::not_implemented("Identity", call.op));
    };
    let mut state = shared.lock();
    handle_in(&mut state, &ctx, &call, write)
}

/// Handles a request on the locked state, replaying `opc-retry-token`s.
fn handle_in(state: &mut State, ctx: &Ctx, call: &Call, write: Write) -> Reply {
    let (route, headers, body) = (call, &call.headers, call.body.bytes());
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
                work_request: None,
            }
            .into_response();
        }
        let out = write(state, ctx, call)?;
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
    write(state, ctx, call)?.into_response()
}

/// The operations that only read: `None` when `call` is not one of them.
fn read(state: &State, ctx: &Ctx, call: &Call) -> Option<ApiResult<Out>> {
    let p = |i: usize| call.param(i);
    let q = &call.query;
    Some(match call.op {
        "GetTenancy" => get_tenancy(state, p(0)),
        "ListRegions" => Out::list(&regions(), None),
        "ListRegionSubscriptions" => list_region_subscriptions(state, p(0)),
        "ListAvailabilityDomains" => list_ads(state, q),
        "GetUser" => get::<User>(state, ctx, p(0)),
        "ListUsers" => list_named::<User>(state, ctx, q),
        "GetGroup" => get::<Group>(state, ctx, p(0)),
        "ListGroups" => list_named::<Group>(state, ctx, q),
        "GetUserGroupMembership" => get::<Membership>(state, ctx, p(0)),
        "ListUserGroupMemberships" => list_memberships(state, ctx, q),
        "GetCompartment" => get_compartment(state, ctx, p(0)),
        "GetWorkRequest" => get_work_request(state, ctx, p(0)),
        "ListCompartments" => list_compartments(state, ctx, q),
        "GetPolicy" => get::<Policy>(state, ctx, p(0)),
        "ListPolicies" => list_named::<Policy>(state, ctx, q),
        "ListApiKeys" => list_api_keys(state, ctx, p(0)),
        _ => return None,
    })
}

/// A write operation's handler.
type Write = fn(&mut State, &Ctx, &Call) -> ApiResult<Out>;

/// The handler of a write operation: `None` when the emulator does not implement `op`.
fn write(op: &str) -> Option<Write> {
    let w: Write = match op {
        "CreateUser" => |state, ctx, c| create_user(state, ctx, c.body.bytes()),
        "UpdateUser" => {
            |state, ctx, c| update_user(state, ctx, c.param(0), &c.headers, c.body.bytes())
        }
        "DeleteUser" => |state, _, c| delete_user(state, c.param(0), &c.headers),
        "CreateGroup" => |state, ctx, c| create_group(state, ctx, c.body.bytes()),
        "UpdateGroup" => {
            |state, ctx, c| update_group(state, ctx, c.param(0), &c.headers, c.body.bytes())
        }
        "DeleteGroup" => |state, _, c| delete_group(state, c.param(0), &c.headers),
        "AddUserToGroup" => |state, ctx, c| add_user_to_group(state, ctx, c.body.bytes()),
        "RemoveUserFromGroup" => {
            |state, _, c| delete::<Membership>(state, c.param(0), &c.headers, |_| Ok(()))
        }
        "CreateCompartment" => |state, ctx, c| create_compartment(state, ctx, c.body.bytes()),
        "UpdateCompartment" => {
            |state, ctx, c| update_compartment(state, ctx, c.param(0), &c.headers, c.body.bytes())
        }
        "DeleteCompartment" => {
            |state, ctx, c| delete_compartment(state, ctx, c.param(0), &c.headers)
        }
        "CreatePolicy" => |state, ctx, c| create_policy(state, ctx, c.body.bytes()),
        "UpdatePolicy" => {
            |state, ctx, c| update_policy(state, ctx, c.param(0), &c.headers, c.body.bytes())
        }
        "DeletePolicy" => |state, _, c| delete::<Policy>(state, c.param(0), &c.headers, |_| Ok(())),
        "UploadApiKey" => |state, ctx, c| upload_api_key(state, ctx, c.param(0), c.body.bytes()),
        "DeleteApiKey" => |state, _, c| delete_api_key(state, c.param(0), c.param(1), &c.headers),
        _ => return None,
    };
    Some(w)
}
