//! The `/_emulator/` control path (unsigned, for tests and scripts).
//!
//! - `GET /_emulator/info`: tenancy, user, fingerprint, namespace, region.
//! - `POST /_emulator/reset`: a freshly seeded state; faults and journal cleared.
//! - `GET|POST|DELETE /_emulator/faults`: list, add (a [`Fault`](crate::Fault) as JSON; answers
//!   `{"id": n}`), clear; `DELETE /_emulator/faults/{id}` removes one.
//! - `GET|DELETE /_emulator/journal`: list, clear.

use http::{Method, Request, Response};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::faults::Fault;
use crate::server::Inner;
use crate::util;
use crate::RespBody;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Info {
    tenancy: String,
    user: String,
    fingerprint: String,
    namespace: String,
    region: String,
}

#[derive(Serialize)]
struct Id {
    id: u64,
}

pub(crate) async fn handle(inner: &Inner, req: Request<Incoming>) -> ApiResult<Response<RespBody>> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().trim_end_matches('/');
    let segs: Vec<&str> = path
        .trim_start_matches("/_emulator")
        .trim_start_matches('/')
        .split('/')
        .collect();
    match (&parts.method, segs.as_slice()) {
        (&Method::GET, ["info"]) => {
            let state = inner.lock();
            util::json(
                200,
                &Info {
                    tenancy: state.tenancy.id.clone(),
                    user: state.seeded_user_id.clone(),
                    fingerprint: inner.seeded_key.fingerprint.clone(),
                    namespace: state.namespace.clone(),
                    region: state.region.clone(),
                },
            )
        }
        (&Method::POST, ["reset"]) => {
            inner
                .reset()
                .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))?;
            util::no_content(204)
        }
        (&Method::GET, ["faults"]) => util::json(200, &inner.faults().list()),
        (&Method::POST, ["faults"]) => {
            let bytes = Limited::new(body, 1024 * 1024)
                .collect()
                .await
                .map_err(|e| ApiError::invalid(format!("could not read the body: {e}")))?
                .to_bytes();
            let fault: Fault = util::parse_json(&bytes)?;
            let id = inner.faults().add(fault);
            util::json(200, &Id { id })
        }
        (&Method::DELETE, ["faults"]) => {
            inner.faults().clear();
            util::no_content(204)
        }
        (&Method::DELETE, ["faults", id]) => {
            let id: u64 = id
                .parse()
                .map_err(|_| ApiError::invalid("the fault id is a number"))?;
            if inner.faults().remove(id) {
                util::no_content(204)
            } else {
                Err(ApiError::new(404, "NotFound", format!("no fault #{id}")))
            }
        }
        (&Method::GET, ["journal"]) => util::json(200, &*inner.journal()),
        (&Method::DELETE, ["journal"]) => {
            inner.journal().clear();
            util::no_content(204)
        }
        _ => Err(ApiError::new(
            404,
            "NotFound",
            format!("no control endpoint {} {}", parts.method, parts.uri.path()),
        )),
    }
}
