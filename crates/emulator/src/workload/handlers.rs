//! The workload-identity endpoints: IMDS (`/opc/v2/...`), federation (`POST /v1/x509`), the
//! resource-principal session token exchange (`POST /v1/resourcePrincipalSessionToken`) and the
//! OKE proxymux (`POST /resourcePrincipalSessionTokens`).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use http::{HeaderMap, Method, Response};
use serde::{Deserialize, Serialize};

use super::{ca, token, Workload};
use crate::error::{ApiError, ApiResult};
use crate::keys::PublicKey;
use crate::util;
use crate::RespBody;

/// A workload-identity operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WorkloadRoute {
    /// An IMDS v2 read; the payload is the path below `/opc/v2/`.
    Imds(Imds),
    /// `POST /v1/x509`.
    Federation,
    /// `POST /resourcePrincipalSessionTokens` (OKE proxymux).
    Proxymux,
}

/// The IMDS documents served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Imds {
    Cert,
    Key,
    Intermediate,
    Region,
    Instance,
    InstanceField(&'static str),
}

impl WorkloadRoute {
    /// The journal's service name.
    pub fn service(&self) -> &'static str {
        match self {
            WorkloadRoute::Imds(_) => "imds",
            WorkloadRoute::Federation => "auth",
            WorkloadRoute::Proxymux => "proxymux",
        }
    }

    /// The journal's (and faults') operation name.
    pub fn operation(&self) -> &'static str {
        match self {
            WorkloadRoute::Imds(Imds::Cert) => "GetInstanceCertificate",
            WorkloadRoute::Imds(Imds::Key) => "GetInstanceKey",
            WorkloadRoute::Imds(Imds::Intermediate) => "GetIntermediateCertificate",
            WorkloadRoute::Imds(Imds::Region) => "GetInstanceRegion",
            WorkloadRoute::Imds(_) => "GetInstanceMetadata",
            WorkloadRoute::Federation => "X509Federation",
            WorkloadRoute::Proxymux => "GetPodResourcePrincipalSessionToken",
        }
    }
}

/// Routes workload-identity paths; `None` for every other path.
pub(crate) fn route(method: &Method, path: &str) -> Option<WorkloadRoute> {
    if let Some(rest) = path.strip_prefix("/opc/v2/") {
        if method != Method::GET {
            return None;
        }
        let imds = match rest.trim_end_matches('/') {
            "identity/cert.pem" => Imds::Cert,
            "identity/key.pem" => Imds::Key,
            "identity/intermediate.pem" => Imds::Intermediate,
            "instance/region" => Imds::Region,
            "instance" => Imds::Instance,
            "instance/id" => Imds::InstanceField("id"),
            "instance/compartmentId" => Imds::InstanceField("compartmentId"),
            "instance/tenantId" => Imds::InstanceField("tenantId"),
            "instance/canonicalRegionName" => Imds::InstanceField("canonicalRegionName"),
            "instance/displayName" => Imds::InstanceField("displayName"),
            _ => return None,
        };
        return Some(WorkloadRoute::Imds(imds));
    }
    match (method, path) {
        (&Method::POST, "/v1/x509") => Some(WorkloadRoute::Federation),
        (&Method::POST, "/resourcePrincipalSessionTokens") => Some(WorkloadRoute::Proxymux),
        _ => None,
    }
}

fn internal(e: String) -> ApiError {
    ApiError::new(500, "InternalServerError", e)
}

fn text(body: String) -> ApiResult<Response<RespBody>> {
    util::response(200)
        .header(http::header::CONTENT_TYPE, "text/plain")
        .body(util::full(body))
        .map_err(|e| internal(e.to_string()))
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

/// Serves an IMDS v2 document; 401 without `Authorization: Bearer Oracle`.
pub(crate) fn imds(w: &Workload, what: Imds, headers: &HeaderMap) -> ApiResult<Response<RespBody>> {
    if util::header(headers, "authorization") != Some("Bearer Oracle") {
        return Err(ApiError::new(
            401,
            "NotAuthenticated",
            "IMDS v2 requires the header `Authorization: Bearer Oracle`",
        ));
    }
    let c = w.config();
    let region = oci_core::Region::new(&c.region);
    let short = region.short_code().unwrap_or(&c.region).to_owned();
    match what {
        Imds::Cert => text(w.leaf().map_err(internal)?.cert_pem),
        Imds::Key => text(w.leaf().map_err(internal)?.key_pem),
        Imds::Intermediate => text(w.leaf().map_err(internal)?.intermediate_pem),
        Imds::Region => text(c.region.clone()),
        Imds::Instance | Imds::InstanceField(_) => {
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
            match what {
                Imds::InstanceField(field) => {
                    let v = serde_json::to_value(&doc).map_err(|e| internal(e.to_string()))?;
                    let s = v.get(field).and_then(|v| v.as_str()).unwrap_or_default();
                    text(s.to_owned())
                }
                _ => util::json(200, &doc),
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FederationBody {
    certificate: String,
    public_key: String,
    #[serde(default)]
    intermediate_certificates: Vec<String>,
    #[serde(default)]
    fingerprint_algorithm: Option<String>,
}

#[derive(Serialize)]
struct TokenBody<'a> {
    token: &'a str,
}

/// The keyId of a federation request: `<tenancy>/fed-x509/<SHA-1>` (Python) or
/// `<tenancy>/fed-x509-sha256/<sha256>` (Go).
fn parse_fed_key_id(key_id: &str) -> Option<(&str, bool, &str)> {
    let (tenancy, rest) = key_id.split_once('/')?;
    if let Some(fp) = rest.strip_prefix("fed-x509-sha256/") {
        return Some((tenancy, true, fp));
    }
    rest.strip_prefix("fed-x509/").map(|fp| (tenancy, false, fp))
}

fn refuse(message: impl Into<String>) -> ApiError {
    ApiError::new(401, "NotAuthenticated", message)
}

/// `POST /v1/x509`: checks the chain to the emulator's CA, that the keyId names the leaf, and
/// (through `verify`, the server's signature check without `host`) that the leaf's key signed
/// the request; answers `{"token": <JWT>}`.
pub(crate) fn federation(
    w: &Workload,
    key_id: &str,
    body: &[u8],
    verify: impl FnOnce(&PublicKey) -> ApiResult<()>,
) -> ApiResult<Response<RespBody>> {
    let req: FederationBody = util::parse_json(body)?;
    let (tenancy, sha256, fingerprint) = parse_fed_key_id(key_id).ok_or_else(|| {
        refuse("the keyId of a federation request is <tenancy>/fed-x509/<SHA-1> or <tenancy>/fed-x509-sha256/<SHA-256>")
    })?;
    let leaf_der = ca::der_of(&req.certificate)
        .map_err(|e| ApiError::invalid(format!("certificate: {e}")))?;
    let inters = req
        .intermediate_certificates
        .iter()
        .map(|c| ca::der_of(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::invalid(format!("intermediateCertificates: {e}")))?;
    let made = w.made().map_err(internal)?;
    let leaf = made
        .ca
        .verify_chain(&leaf_der, &inters, w.now())
        .map_err(refuse)?;
    let expected = if sha256 { &leaf.sha256 } else { &leaf.sha1 };
    let same = if sha256 {
        fingerprint.eq_ignore_ascii_case(expected)
    } else {
        fingerprint == expected
    };
    if !same {
        return Err(refuse(
            "the keyId's fingerprint does not match the certificate sent",
        ));
    }
    if sha256 && req.fingerprint_algorithm.as_deref().is_some_and(|a| a != "SHA256") {
        return Err(ApiError::invalid("fingerprintAlgorithm must be SHA256"));
    }
    if tenancy != leaf.tenancy {
        return Err(refuse(
            "the keyId's tenancy is not the certificate's opc-tenant",
        ));
    }
    verify(&leaf.key)?;
    let session = token::key_of_spki(&req.public_key)
        .map_err(|e| ApiError::invalid(format!("publicKey: {e}")))?;
    let jwt = w
        .issue_instance_token(&leaf, &session)
        .map_err(internal)?;
    util::json(200, &TokenBody { token: &jwt })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PodKeyBody {
    pod_key: String,
}

/// `POST /resourcePrincipalSessionTokens`: a known service-account bearer token and a pod key
/// give an RPST, answered as base64 of `{"token":"ST$<jwt>"}`.
pub(crate) fn proxymux(
    w: &Workload,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Response<RespBody>> {
    let bearer = util::header(headers, "authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if bearer.is_empty() || !w.knows_service_account(bearer) {
        return Err(refuse(
            "the proxymux needs `Authorization: Bearer <service-account token>` of a known service account",
        ));
    }
    let req: PodKeyBody = util::parse_json(body)?;
    let session = token::key_of_spki(&req.pod_key)
        .map_err(|e| ApiError::invalid(format!("podKey: {e}")))?;
    let sa = crate::util::derived_text(0, bearer, 0, 12).to_lowercase();
    let resource = format!("ocid1.workload.oc1..{sa}");
    let (jwt, _) = w
        .issue_resource_token("workload", &resource, &session, "proxymux")
        .map_err(internal)?;
    let json = serde_json::to_vec(&TokenBody {
        token: &format!("ST${jwt}"),
    })
    .map_err(|e| internal(e.to_string()))?;
    util::response(200)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(util::full(B64.encode(json)))
        .map_err(|e| internal(e.to_string()))
}
