//! Key Management (`/20180608`): vaults (`vaults`), keys and key versions (`keys`, through a
//! vault's management endpoint), and encrypt / decrypt / generate-data-key (`crypto`, through a
//! vault's crypto endpoint).
//!
//! A vault's endpoints are `<origin>/endpoints/kms-crypto/<vaultId>` and
//! `<origin>/endpoints/kms-management/<vaultId>` (`route::MOUNT`): key operations apply to the
//! vault whose endpoint they came through.

mod crypto;
mod keys;
mod vaults;

use crate::error::{ApiError, ApiResult};
use crate::http::Reply;
use crate::shared::{Call, Shared};

/// Handles one authenticated KMS request.
pub(crate) async fn handle(shared: &Shared, call: Call) -> Reply {
    match call.op {
        "CreateVault" | "GetVault" | "ListVaults" => vaults::handle(shared, &call),
        "CreateKey" | "GetKey" | "ListKeys" | "CreateKeyVersion" | "ListKeyVersions"
        | "GetKeyVersion" => keys::handle(shared, &call),
        "Encrypt" | "Decrypt" | "GenerateDataEncryptionKey" => crypto::handle(shared, &call),
        other => Err(super::not_implemented("Key Management", other)),
    }
}

/// The vault a request's endpoint belongs to (`kind`: `kms-crypto` or `kms-management`).
fn endpoint_vault<'c>(call: &'c Call, kind: &str) -> ApiResult<&'c str> {
    match &call.mount {
        Some((k, id)) if k == kind => Ok(id),
        _ => Err(ApiError::new(
            404,
            "NotAuthorizedOrNotFound",
            format!(
                "{} is served on a vault's {} endpoint (see the vault's {})",
                call.op,
                kind.trim_start_matches("kms-"),
                if kind == "kms-crypto" {
                    "cryptoEndpoint"
                } else {
                    "managementEndpoint"
                }
            ),
        )),
    }
}
