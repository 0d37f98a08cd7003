//! The workload-identity endpoints, on the emulator's one listener:
//!
//! - IMDS v2 (`GET /opc/v2/identity/{cert,key,intermediate}.pem`, `/opc/v2/instance/region`,
//!   `/opc/v2/instance/` and its fields): 401 without `Authorization: Bearer Oracle`.
//! - The auth service's federation, `POST /v1/x509` ([`federation`]).
//! - The OKE proxymux, `POST /resourcePrincipalSessionTokens`: a known service-account bearer
//!   token and a pod key give an RPST, answered as base64 of `{"token":"ST$<jwt>"}`.
//! - Their `/_emulator/` control endpoints ([`control`]).
//!
//! The routes are observed: faults and the journal apply as to every service.

pub(crate) mod control;
mod federation;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::auth::{KeyResolver, Resolved};
use crate::error::ApiError;
use crate::http::{self as h, Reply};
use crate::shared::{Call, Shared};
use crate::workload::{token, TokenError, Workload};

/// Handles a workload-identity request.
pub(crate) async fn handle(shared: &Shared, call: Call) -> Reply {
    let w = &shared.settings.workload;
    if let Some(body) = w.override_for(call.op) {
        return text(body);
    }
    match call.op {
        "X509Federation" => federation::handle(shared, &call),
        "GetPodResourcePrincipalSessionToken" => proxymux(w, &call),
        op => imds(w, op, &call),
    }
}

fn internal(e: String) -> ApiError {
    ApiError::new(500, "InternalServerError", e)
}

fn text(body: String) -> Reply {
    h::finish(
        h::response(200).header(http::header::CONTENT_TYPE, "text/plain"),
        h::full(body),
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Instance<'a> {
    id: &'a str,
    display_name: &'a str,
    compartment_id: &'a str,
    tenant_id: &'a str,
    region: &'a str,
    canonical_region_name: &'a str,
    availability_domain: String,
    fault_domain: &'a str,
    shape: &'a str,
    state: &'a str,
}

/// Serves an IMDS v2 document.
fn imds(w: &Workload, op: &str, call: &Call) -> Reply {
    if h::header(&call.headers, "authorization") != Some("Bearer Oracle") {
        return Err(ApiError::new(
            401,
            "NotAuthenticated",
            "IMDS v2 requires the header `Authorization: Bearer Oracle`",
        ));
    }
    let c = w.config();
    let leaf = || w.leaf().map_err(internal);
    match op {
        "GetInstanceCertificate" => text(leaf()?.cert_pem),
        "GetInstanceKey" => text(leaf()?.key_pem),
        "GetIntermediateCertificate" => text(leaf()?.intermediate_pem),
        "GetInstanceRegion" => text(c.region.clone()),
        _ => {
            let region = oci_core::Region::new(&c.region);
            let short = region.short_code().unwrap_or(&c.region).to_owned();
            let doc = Instance {
                id: &c.instance,
                display_name: "oci-emulator-instance",
                compartment_id: &c.compartment,
                tenant_id: &c.tenancy,
                region: &short,
                canonical_region_name: &c.region,
                availability_domain: format!("Uocm:{}-AD-1", short.to_uppercase()),
                fault_domain: "FAULT-DOMAIN-1",
                shape: "VM.Standard.E4.Flex",
                state: "Running",
            };
            if op == "GetInstanceMetadataField" {
                let v = serde_json::to_value(&doc).map_err(|e| internal(e.to_string()))?;
                match v.get(call.param(0)).and_then(|v| v.as_str()) {
                    Some(s) => text(s.to_owned()),
                    None => Err(ApiError::not_found("instance metadata field")),
                }
            } else {
                h::json(200, &doc)
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PodKeyBody {
    pod_key: String,
}

#[derive(Serialize)]
pub(crate) struct TokenBody<'a> {
    pub token: &'a str,
}

fn refuse(message: impl Into<String>) -> ApiError {
    ApiError::new(401, "NotAuthenticated", message)
}

/// `POST /resourcePrincipalSessionTokens` (OKE proxymux).
fn proxymux(w: &Workload, call: &Call) -> Reply {
    let bearer = h::header(&call.headers, "authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if bearer.is_empty() || !w.knows_service_account(bearer) {
        return Err(refuse(
            "the proxymux needs `Authorization: Bearer <service-account token>` of a known service account",
        ));
    }
    let req: PodKeyBody = h::parse_json(call.body.bytes())?;
    let session =
        token::key_of_spki(&req.pod_key).map_err(|e| ApiError::invalid(format!("podKey: {e}")))?;
    let sa = crate::util::derived_text(0, bearer, 0, 52);
    let resource = format!("ocid1.workload.oc1..aaaaaaaa{sa}");
    let (jwt, _) = w
        .issue_resource_token("workload", &resource, &session, "proxymux")
        .map_err(internal)?;
    let json = serde_json::to_vec(&TokenBody {
        token: &format!("ST${jwt}"),
    })
    .map_err(|e| internal(e.to_string()))?;
    h::finish(
        h::response(200).header(http::header::CONTENT_TYPE, "application/json"),
        h::full(B64.encode(json)),
    )
}

/// Resolves `ST$<token>` keyIds to the session key in a token this emulator issued, unexpired
/// on its clock and not revoked. The journal names the principal and the token's `jti`.
pub(crate) struct SessionTokens<'a>(pub &'a Shared);

impl KeyResolver for SessionTokens<'_> {
    fn resolve(&self, key_id: &str) -> Option<Result<Resolved, String>> {
        let token = key_id.strip_prefix("ST$")?;
        Some(match self.0.settings.workload.verify_token(token) {
            Ok((key, claims)) => Ok(Resolved {
                key,
                principal: format!("ST$<{} {} jti={}>", claims.ptype, claims.sub, claims.jti),
            }),
            Err(e @ (TokenError::Expired | TokenError::Revoked | TokenError::Forged)) => {
                Err(format!("{e}."))
            }
        })
    }
}
