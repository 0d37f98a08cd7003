//! Storage tiers and archive + restore, on the emulator's clock.
//!
//! An object is `Standard`, `InfrequentAccess` or `Archive` (the `storage-tier` header on put, the
//! bucket's tier otherwise, `UpdateObjectStorageTier` later). An archived object answers GET with
//! 409 `NotRestored` until a `RestoreObjects` has finished: it is `Restoring` for
//! [`RESTORE_DELAY_MS`] of emulator time, then `Restored` for the requested `hours` (default 24),
//! then `Archived` again. HEAD always answers, with `archival-state`.

use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::shared::Shared;
use crate::state::*;

use super::*;

/// How long a restore takes on the emulator's clock (the service says "up to an hour").
pub(super) const RESTORE_DELAY_MS: u64 = 60 * 60 * 1000;
const TIERS: [&str; 3] = ["Standard", "InfrequentAccess", "Archive"];

/// The tier an object is written to: the `storage-tier` header, else the bucket's tier.
pub(super) fn tier_for_write(bucket_tier: &str, header: Option<&str>) -> ApiResult<String> {
    match header {
        Some(t) => TIERS
            .iter()
            .find(|x| x.eq_ignore_ascii_case(t))
            .map(|t| (*t).to_owned())
            .ok_or_else(|| ApiError::invalid(format!("unknown storage-tier `{t}`"))),
        None => Ok(if bucket_tier == "Archive" {
            "Archive".to_owned()
        } else {
            "Standard".to_owned()
        }),
    }
}

/// An object's tier.
pub(super) fn tier(meta: &ObjectMeta) -> &str {
    meta.storage_tier.as_deref().unwrap_or("Standard")
}

/// `Archived`, `Restoring` or `Restored` for an archived object at `now`; `None` otherwise.
pub(super) fn archival_state(meta: &ObjectMeta, now: u64) -> Option<&'static str> {
    if tier(meta) != "Archive" {
        return None;
    }
    Some(match meta.restore {
        Some(r) if now < r.available_ms => "Restoring",
        Some(r) if now < r.until_ms => "Restored",
        _ => "Archived",
    })
}

/// 409 `NotRestored` for a read of an archived object that is not restored.
pub(super) fn check_readable(meta: &ObjectMeta, now: u64, name: &str) -> ApiResult<()> {
    match archival_state(meta, now) {
        None | Some("Restored") => Ok(()),
        Some(s) => Err(ApiError::new(
            409,
            "NotRestored",
            format!("The object '{name}' is archived ({s}); restore it before reading it"),
        )),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RestoreDetails {
    object_name: String,
    hours: Option<u64>,
    version_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TierDetails {
    object_name: String,
    storage_tier: String,
    version_id: Option<String>,
}

/// The current version of `name`, or the version `version_id` when it is the current one.
fn current_mut<'a>(
    state: &'a mut State,
    bucket_name: &str,
    name: &str,
    version_id: Option<&str>,
) -> ApiResult<&'a mut ObjectMeta> {
    bucket(state, bucket_name)?;
    state
        .objects
        .get_mut(bucket_name)
        .and_then(|o| o.get_mut(name))
        .filter(|m| version_id.map_or(true, |v| v.is_empty() || v == m.version_id))
        .ok_or_else(|| object_not_found(name))
}

/// `RestoreObjects`: 202; the object is readable once the restore has finished.
pub(super) fn restore_objects(shared: &Shared, route: &Route, body: &[u8]) -> Reply {
    let d: RestoreDetails = h::parse_json(body)?;
    let hours = d.hours.unwrap_or(24);
    if !(1..=240).contains(&hours) {
        return Err(ApiError::invalid("hours must be from 1 to 240"));
    }
    let now = shared.now_ms();
    let mut state = shared.lock();
    let meta = current_mut(
        &mut state,
        &route.bucket,
        &d.object_name,
        d.version_id.as_deref(),
    )?;
    match archival_state(meta, now) {
        None => {
            return Err(ApiError::invalid(format!(
                "The object '{}' is not archived",
                d.object_name
            )))
        }
        Some("Restoring") => {}
        Some(_) => {
            let available_ms = now + RESTORE_DELAY_MS;
            meta.restore = Some(Restore {
                available_ms,
                until_ms: available_ms + hours * 3_600_000,
            });
        }
    }
    h::no_content(202)
}

/// `UpdateObjectStorageTier`: moves the object between tiers (an archived one loses its restore).
pub(super) fn update_tier(shared: &Shared, route: &Route, body: &[u8]) -> Reply {
    let d: TierDetails = h::parse_json(body)?;
    let target = tier_for_write("Standard", Some(&d.storage_tier))?;
    let now = shared.now_ms();
    let mut state = shared.lock();
    let meta = current_mut(
        &mut state,
        &route.bucket,
        &d.object_name,
        d.version_id.as_deref(),
    )?;
    if tier(meta) == "Archive" && target != "Archive" {
        check_readable(meta, now, &d.object_name)?;
    }
    if tier(meta) != target {
        meta.archived_ms = (target == "Archive").then_some(now);
        meta.restore = None;
        meta.storage_tier = Some(target);
    }
    h::no_content(200)
}
