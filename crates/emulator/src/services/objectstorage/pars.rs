//! Pre-authenticated requests: create, list, get, delete, and the unauthenticated
//! `/p/<token>/n/<ns>/b/<bucket>/o[/<object>]` access they grant (by access type, until they
//! expire on the emulator's clock, listing only when `bucketListingAction` is `ListObjects`).

use std::collections::HashMap;

use http::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::shared::{Call, Shared};
use crate::state::*;
use crate::util;

use super::objects::{get_object, list_objects, put_object};
use super::*;

const ACCESS_TYPES: &[&str] = &[
    "ObjectRead",
    "ObjectWrite",
    "ObjectReadWrite",
    "AnyObjectWrite",
    "AnyObjectRead",
    "AnyObjectReadWrite",
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateDetails {
    name: String,
    bucket_listing_action: Option<String>,
    object_name: Option<String>,
    access_type: String,
    time_expires: String,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct ParView {
    id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object_name: Option<String>,
    bucket_listing_action: String,
    access_type: String,
    time_expires: String,
    time_created: String,
}

fn view(p: &Par, uri: Option<(String, String)>) -> ParView {
    let (access_uri, full_path) = uri.unzip();
    ParView {
        id: p.id.clone(),
        name: p.name.clone(),
        access_uri,
        full_path,
        object_name: p.object_name.clone(),
        bucket_listing_action: p.bucket_listing_action.clone(),
        access_type: p.access_type.clone(),
        time_expires: util::rfc3339(p.time_expires_ms),
        time_created: util::rfc3339(p.time_created_ms),
    }
}

/// Percent-encodes an object name for a URL path, keeping `/`.
fn encode_path(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Parses an RFC 3339 instant with `Z` or a numeric offset (as the SDKs send `timeExpires`).
fn parse_time(s: &str) -> ApiResult<u64> {
    let bad = || ApiError::invalid(format!("timeExpires `{s}` is not an RFC 3339 date-time"));
    let s = s.trim();
    let (base, offset_secs) = match s.get(s.len().saturating_sub(6)..) {
        Some(tail)
            if (tail.starts_with('+') || tail.starts_with('-')) && tail.get(3..4) == Some(":") =>
        {
            let sign = if tail.starts_with('-') { -1i64 } else { 1 };
            let hh: i64 = tail
                .get(1..3)
                .and_then(|x| x.parse().ok())
                .ok_or_else(bad)?;
            let mm: i64 = tail
                .get(4..6)
                .and_then(|x| x.parse().ok())
                .ok_or_else(bad)?;
            (
                format!("{}Z", &s[..s.len() - 6]),
                sign * (hh * 3600 + mm * 60),
            )
        }
        _ => (s.to_owned(), 0),
    };
    let t = humantime::parse_rfc3339_weak(base.trim_end_matches('Z')).map_err(|_| bad())?;
    let ms = util::millis(t) as i64 - offset_secs * 1000;
    u64::try_from(ms).map_err(|_| bad())
}

pub(super) fn create(shared: &Shared, route: &Route, headers: &HeaderMap, body: &[u8]) -> Reply {
    let d: CreateDetails = h::parse_json(body)?;
    if !ACCESS_TYPES.contains(&d.access_type.as_str()) {
        return Err(ApiError::invalid(format!(
            "accessType must be one of {}",
            ACCESS_TYPES.join(", ")
        )));
    }
    let listing = d.bucket_listing_action.unwrap_or_else(|| "Deny".into());
    if !matches!(listing.as_str(), "Deny" | "ListObjects") {
        return Err(ApiError::invalid(
            "bucketListingAction must be Deny or ListObjects",
        ));
    }
    let object_name = d.object_name.filter(|o| !o.is_empty());
    if d.access_type.starts_with("Object") && object_name.is_none() {
        return Err(ApiError::invalid(format!(
            "objectName is required for accessType {}",
            d.access_type
        )));
    }
    let expires = parse_time(&d.time_expires)?;
    let now = shared.now_ms();
    if expires <= now {
        return Err(ApiError::invalid("timeExpires must be in the future"));
    }
    let mut state = shared.lock();
    bucket(&state, &route.bucket)?;
    let n = state.next();
    let par = Par {
        id: util::derived_text(state.seed, "par-id", n, 44),
        token: format!(
            "{:032x}{:032x}",
            rand::random::<u128>(),
            rand::random::<u128>()
        ),
        name: d.name,
        bucket: route.bucket.clone(),
        object_name,
        access_type: d.access_type,
        bucket_listing_action: listing,
        time_expires_ms: expires,
        time_created_ms: now,
    };
    let object_part = match (&par.object_name, par.access_type.starts_with("Object")) {
        (Some(o), true) => encode_path(o),
        _ => String::new(),
    };
    let access_uri = format!(
        "/p/{}/n/{}/b/{}/o/{}",
        par.token, state.namespace, par.bucket, object_part
    );
    let host = h::header(headers, "host").unwrap_or("localhost");
    let full_path = format!("http://{host}{access_uri}");
    let out = view(&par, Some((access_uri, full_path)));
    state.pars.push(par);
    h::json(200, &out)
}

pub(super) fn list(shared: &Shared, route: &Route, q: &HashMap<String, String>) -> Reply {
    let prefix = q.get("objectNamePrefix").map(String::as_str).unwrap_or("");
    let state = shared.lock();
    bucket(&state, &route.bucket)?;
    let items: Vec<ParView> = state
        .pars
        .iter()
        .filter(|p| p.bucket == route.bucket)
        .filter(|p| p.object_name.as_deref().unwrap_or("").starts_with(prefix))
        .map(|p| view(p, None))
        .collect();
    let (page, next) = util::paginate(state.seed, &items, q, 1000)?;
    h::json_page(&page, next)
}

pub(super) fn get_or_delete(shared: &Shared, route: &Route, id: &str) -> Reply {
    let not_found = || ApiError::not_found("Pre-authenticated request");
    if route.op == "GetPreauthenticatedRequest" {
        let state = shared.lock();
        bucket(&state, &route.bucket)?;
        let p = state
            .pars
            .iter()
            .find(|p| p.bucket == route.bucket && p.id == id)
            .ok_or_else(not_found)?;
        return h::json(200, &view(p, None));
    }
    let mut state = shared.lock();
    bucket(&state, &route.bucket)?;
    let i = state
        .pars
        .iter()
        .position(|p| p.bucket == route.bucket && p.id == id)
        .ok_or_else(not_found)?;
    state.pars.remove(i);
    h::no_content(204)
}

/// Serves `/p/<token>/n/<ns>/b/<bucket>/o[/<object>]` (no signature: the token is the key).
pub(crate) async fn handle_par(shared: &Shared, mut call: Call) -> Reply {
    let denied = || {
        ApiError::new(
            404,
            "NotAuthorizedOrNotFound",
            "The pre-authenticated request does not exist, has expired or does not allow this",
        )
    };
    let now = shared.now_ms();
    let (par, namespace) = {
        let state = shared.lock();
        let par = state
            .pars
            .iter()
            .find(|p| p.token == call.param(0))
            .filter(|p| now < p.time_expires_ms)
            .cloned()
            .ok_or_else(denied)?;
        (par, state.namespace.clone())
    };
    if call.param(1) != namespace || call.param(2) != par.bucket {
        return Err(denied());
    }
    let object = call.param(3).to_owned();
    let (read, write) = (
        par.access_type.contains("Read"),
        par.access_type.contains("Write"),
    );
    let object_ok = match (&par.object_name, par.access_type.starts_with("Any")) {
        (Some(o), false) => *o == object,
        (Some(prefix), true) => object.starts_with(prefix.as_str()),
        (None, _) => true,
    };
    let op = match call.op {
        "ParGetObject" if read && object_ok => "GetObject",
        "ParHeadObject" if read && object_ok => "HeadObject",
        "ParPutObject" if write && object_ok => "PutObject",
        "ParListObjects" if par.bucket_listing_action == "ListObjects" => "ListObjects",
        _ => return Err(denied()),
    };
    let route = Route {
        op,
        namespace,
        bucket: par.bucket.clone(),
        object,
    };
    match op {
        "GetObject" | "HeadObject" => {
            get_object(shared, &route, &HashMap::new(), &call.headers).await
        }
        "PutObject" => {
            let body = call.take_body();
            put_object(shared, &route, &call.headers, body).await
        }
        _ => {
            let mut q = call.query.clone();
            if let Some(prefix) = par
                .object_name
                .as_ref()
                .filter(|_| par.access_type.starts_with("Any"))
            {
                let asked = q.get("prefix").cloned().unwrap_or_default();
                if !asked.starts_with(prefix.as_str()) {
                    q.insert("prefix".into(), prefix.clone());
                }
            }
            list_objects(shared, &route, &q)
        }
    }
}
