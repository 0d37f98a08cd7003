//! `POST /v1/x509`: the auth service's X.509 federation. The request is signed with the leaf
//! certificate's key (keyId `<tenancy>/fed-x509/<SHA-1, uppercase>` as Python signs it, or
//! `<tenancy>/fed-x509-sha256/<sha256>` as Go does) over `date (request-target) content-length
//! content-type x-content-sha256` (no `host`). The leaf must chain through one of the
//! `intermediateCertificates` to the emulator's root; the answer is `{"token": <JWT>}` carrying
//! the session `publicKey` as its `jwk` claim.

use serde::Deserialize;

use super::{internal, refuse, TokenBody};
use crate::auth::{self, Head, KeyResolver, Resolved};
use crate::error::ApiError;
use crate::http::{self as h, Reply};
use crate::shared::{Call, Shared};
use crate::workload::{ca, token};

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

/// The keyId of a federation request: `(tenancy, sha256?, fingerprint)`.
fn parse_key_id(key_id: &str) -> Option<(&str, bool, &str)> {
    let (tenancy, rest) = key_id.split_once('/')?;
    if let Some(fp) = rest.strip_prefix("fed-x509-sha256/") {
        return Some((tenancy, true, fp));
    }
    rest.strip_prefix("fed-x509/")
        .map(|fp| (tenancy, false, fp))
}

/// Accepts exactly the federation keyId of the leaf sent in the body.
struct Leaf<'a> {
    leaf: &'a ca::VerifiedLeaf,
}

impl KeyResolver for Leaf<'_> {
    fn resolve(&self, key_id: &str) -> Option<Result<Resolved, String>> {
        let Some((tenancy, sha256, fingerprint)) = parse_key_id(key_id) else {
            return Some(Err(format!("The keyId `{}` is not a federation keyId (<tenancy>/fed-x509/<SHA-1> or <tenancy>/fed-x509-sha256/<SHA-256>).", auth::shown_key_id(key_id))));
        };
        let matches = if sha256 {
            fingerprint.eq_ignore_ascii_case(&self.leaf.sha256)
        } else {
            fingerprint == self.leaf.sha1
        };
        if !matches {
            return Some(Err(
                "The keyId's fingerprint is not the certificate's.".to_owned()
            ));
        }
        if tenancy != self.leaf.tenancy {
            return Some(Err(
                "The keyId's tenancy is not the certificate's opc-tenant.".to_owned(),
            ));
        }
        Some(Ok(Resolved {
            key: self.leaf.key.clone(),
            principal: key_id.to_owned(),
        }))
    }
}

/// Handles `POST /v1/x509`.
pub(super) fn handle(shared: &Shared, call: &Call) -> Reply {
    let w = &shared.settings.workload;
    let body = call.body.bytes();
    let req: FederationBody = h::parse_json(body)?;
    let leaf_der =
        ca::der_of(&req.certificate).map_err(|e| ApiError::invalid(format!("certificate: {e}")))?;
    let inters = req
        .intermediate_certificates
        .iter()
        .map(|c| ca::der_of(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::invalid(format!("intermediateCertificates: {e}")))?;
    let made = w.made().map_err(internal)?;
    let now = crate::util::from_millis(call.now_ms);
    let leaf = made
        .ca
        .verify_chain(&leaf_der, &inters, now)
        .map_err(refuse)?;
    if req
        .fingerprint_algorithm
        .as_deref()
        .is_some_and(|a| !a.eq_ignore_ascii_case("SHA256"))
    {
        return Err(ApiError::invalid("fingerprintAlgorithm is SHA256 when set"));
    }
    // Federation clients send no query string.
    let target = call.path.clone();
    auth::verify_head(
        &Head {
            method: &call.method,
            target: &target,
            headers: &call.headers,
            exclude_body: false,
            sign_host: false,
        },
        now,
        shared.settings.explain,
        &Leaf { leaf: &leaf },
    )?;
    auth::verify_body(&call.headers, body, shared.settings.explain)?;
    let session = token::key_of_spki(&req.public_key)
        .map_err(|e| ApiError::invalid(format!("publicKey: {e}")))?;
    let jwt = w.issue_instance_token(&leaf, &session).map_err(internal)?;
    h::json(200, &TokenBody { token: &jwt })
}
