//! The workload-identity part of the `/_emulator/` control path.
//!
//! - `GET /_emulator/workload`: instance id, IMDS, federation and proxymux paths, the
//!   service-account token the proxymux accepts, the root CA (PEM), the token lifetime.
//! - `POST /_emulator/resource-principals`: mints an RPST + private key (RP v2.2), answers
//!   `{"rpst","privatePem","jti","resourceId","compartmentId","region"}`.
//! - `GET /_emulator/tokens`: every token issued (`jti`, kind, via, subject, times, revoked).
//! - `POST /_emulator/tokens/revoke`: `{"jti": "..."}` revokes one, `{}` (or no body) all;
//!   answers `{"revoked": n}`.
//! - `PUT /_emulator/token-lifetime`: `{"seconds": n}`, for tokens issued from now on.
//! - `POST /_emulator/instance-certificate/rotate`: a new leaf with a new key.
//! - `POST /_emulator/service-accounts`: `{"token": "..."}` is accepted by the proxymux too.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::internal;
use crate::error::ApiError;
use crate::http::{self as h, Reply};
use crate::shared::{Call, Shared};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Info<'a> {
    instance_id: &'a str,
    imds_base_path: &'static str,
    federation_path: &'static str,
    proxymux_path: &'static str,
    service_account_token: &'a str,
    root_ca_pem: String,
    token_lifetime_seconds: u64,
}

#[derive(Deserialize, Default)]
struct Revoke {
    #[serde(default)]
    jti: Option<String>,
}

#[derive(Serialize)]
struct Revoked {
    revoked: usize,
}

#[derive(Deserialize)]
struct Lifetime {
    seconds: u64,
}

#[derive(Deserialize)]
struct ServiceAccount {
    token: String,
}

/// Handles a workload control operation; `None` when `call.op` is not one.
pub(crate) fn handle(shared: &Shared, call: &Call) -> Option<Reply> {
    let w = &shared.settings.workload;
    let body = call.body.bytes();
    Some(match call.op {
        "GetWorkload" => (|| {
            let c = w.config();
            h::json(
                200,
                &Info {
                    instance_id: &c.instance,
                    imds_base_path: "/opc/v2",
                    federation_path: "/v1/x509",
                    proxymux_path: "/resourcePrincipalSessionTokens",
                    service_account_token: &c.service_account_token,
                    root_ca_pem: w.root_pem().map_err(internal)?,
                    token_lifetime_seconds: w.token_lifetime().as_secs(),
                },
            )
        })(),
        "MintResourcePrincipal" => w
            .mint_resource_principal()
            .map_err(internal)
            .and_then(|s| h::json(200, &s)),
        "ListTokens" => h::json(200, &w.issued()),
        "RevokeTokens" => (|| {
            let req: Revoke = if body.is_empty() {
                Revoke::default()
            } else {
                h::parse_json(body)?
            };
            let revoked = match req.jti {
                Some(jti) if w.revoke(&jti) => 1,
                Some(jti) => {
                    return Err(ApiError::new(
                        404,
                        "NotFound",
                        format!("no token with jti {jti}"),
                    ))
                }
                None => w.revoke_all(),
            };
            h::json(200, &Revoked { revoked })
        })(),
        "SetTokenLifetime" => h::parse_json::<Lifetime>(body).and_then(|l| {
            w.set_token_lifetime(Duration::from_secs(l.seconds.max(1)));
            h::no_content(204)
        }),
        "RotateInstanceCertificate" => w
            .rotate_leaf()
            .map_err(internal)
            .and_then(|()| h::no_content(204)),
        "AddServiceAccount" => h::parse_json::<ServiceAccount>(body).and_then(|s| {
            w.add_service_account_token(&s.token);
            h::no_content(204)
        }),
        _ => return None,
    })
}
