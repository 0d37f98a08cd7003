//! Identity: API keys, and the resolver that turns an API key's keyId into its public key.

use http::HeaderMap;
use serde::Deserialize;

use crate::auth::{KeyResolver, Resolved};
use crate::error::{ApiError, ApiResult};
use crate::http as h;
use crate::keys::PublicKey;
use crate::shared::Shared;
use crate::state::*;
use crate::util;

use super::resource::*;
use super::{Ctx, Out};

// ---- API keys ----

#[derive(Deserialize)]
pub(super) struct CreateApiKeyDetails {
    key: String,
}

/// The most API keys one user may have, as in OCI.
pub(super) const MAX_API_KEYS: usize = 3;

pub(super) fn upload_api_key(
    state: &mut State,
    ctx: &Ctx,
    user_id: &str,
    body: &[u8],
) -> ApiResult<Out> {
    let d: CreateApiKeyDetails = h::parse_json(body)?;
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
pub(super) fn api_key_id(state: &State, user_id: &str, fingerprint: &str) -> String {
    format!("{}/{user_id}/{fingerprint}", state.tenancy.id)
}

pub(super) fn list_api_keys(state: &State, ctx: &Ctx, user_id: &str) -> ApiResult<Out> {
    must_exist::<User>(state, user_id)?;
    let items: Vec<ApiKey> = state
        .api_keys
        .iter()
        .filter(|k| k.item.user_id == user_id)
        .map(|k| k.view(ctx.now_ms, ctx.delay_ms))
        .collect();
    Out::list(&items, None)
}

pub(super) fn delete_api_key(
    state: &mut State,
    user_id: &str,
    fingerprint: &str,
    headers: &HeaderMap,
) -> ApiResult<Out> {
    let key_id = api_key_id(state, user_id, fingerprint);
    delete::<ApiKey>(state, &key_id, headers, |_| Ok(()))
}

/// The active API key registered under a keyId (`tenancy/user/fingerprint`).
fn key_pem_for(state: &State, key_id: &str) -> Option<String> {
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

/// Resolves API keys' keyIds (`tenancy/user/fingerprint`) to the active uploaded key. It accepts
/// every keyId no earlier resolver took, so it goes last.
pub(crate) struct ApiKeys<'a>(pub &'a Shared);

impl KeyResolver for ApiKeys<'_> {
    fn resolve(&self, key_id: &str) -> Option<Result<Resolved, String>> {
        let unknown = || {
            format!("The keyId `{}` does not name a registered API key (expected tenancy/user/fingerprint of an uploaded key).", crate::auth::shown_key_id(key_id))
        };
        let Some(pem) = key_pem_for(&self.0.lock(), key_id) else {
            return Some(Err(unknown()));
        };
        let mut cache = self.0.key_cache();
        let key = match cache.get(&pem) {
            Some(k) => k.clone(),
            None => match PublicKey::from_pem(&pem) {
                Ok(k) => {
                    cache.insert(pem, k.clone());
                    k
                }
                Err(_) => return Some(Err(unknown())),
            },
        };
        Some(Ok(Resolved {
            key,
            principal: key_id.to_owned(),
        }))
    }
}
