//! Object lifecycle policies (`/n/{ns}/b/{bucket}/l`) and their enforcement on the emulator's
//! clock. The rules run lazily: before every request that names a bucket, the objects whose
//! age (since last modified) has reached an enabled rule's `timeAmount` are deleted (`DELETE`),
//! archived (`ARCHIVE`) or moved to `InfrequentAccess` (`INFREQUENT_ACCESS`); for the target
//! `previous-object-versions`, noncurrent versions are deleted (`DELETE`), archived (`ARCHIVE`:
//! reading such a version by `versionId` is 409 `NotRestored`) or moved to `InfrequentAccess`
//! (a version's age counts from its own last write); for `multipart-uploads`,
//! uncommitted uploads are aborted (`ABORT`). `objectNameFilter` (inclusion prefixes, inclusion
//! and exclusion patterns with `*` and `?`) selects objects. A retained object (see
//! `retention.rs`) is never deleted by a rule.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::shared::Shared;
use crate::state::*;
use crate::util;

use super::*;
use super::{retention, tiers};

const DAY_MS: u64 = 86_400_000;

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Rule {
    name: String,
    action: String,
    time_amount: u64,
    time_unit: String,
    #[serde(default)]
    target: Option<String>,
    is_enabled: bool,
    #[serde(default)]
    object_name_filter: Option<Filter>,
}

#[derive(Deserialize, Clone, Default)]
#[serde(rename_all = "camelCase")]
struct Filter {
    #[serde(default)]
    inclusion_prefixes: Vec<String>,
    #[serde(default)]
    inclusion_patterns: Vec<String>,
    #[serde(default)]
    exclusion_patterns: Vec<String>,
}

#[derive(Deserialize)]
struct PolicyDetails {
    #[serde(default)]
    items: Vec<Value>,
}

fn parse_rules(items: &[Value]) -> ApiResult<Vec<Rule>> {
    items
        .iter()
        .map(|v| {
            let r: Rule = serde_json::from_value(v.clone())
                .map_err(|e| ApiError::invalid(format!("invalid lifecycle rule: {e}")))?;
            let target = r.target.as_deref().unwrap_or("objects");
            let ok_action = match target {
                "objects" => matches!(
                    r.action.as_str(),
                    "DELETE" | "ARCHIVE" | "INFREQUENT_ACCESS"
                ),
                "previous-object-versions" => matches!(
                    r.action.as_str(),
                    "DELETE" | "ARCHIVE" | "INFREQUENT_ACCESS"
                ),
                "multipart-uploads" => r.action == "ABORT",
                _ => false,
            };
            if !ok_action || !matches!(r.time_unit.as_str(), "DAYS" | "YEARS") {
                return Err(ApiError::invalid(format!(
                    "lifecycle rule `{}`: action {} / target {target} / timeUnit {} is not valid",
                    r.name, r.action, r.time_unit
                )));
            }
            Ok(r)
        })
        .collect()
}

/// `*` any run of characters, `?` one character.
fn glob(pattern: &[u8], name: &[u8]) -> bool {
    match (pattern.split_first(), name.split_first()) {
        (None, None) => true,
        (Some((b'*', rest)), _) => {
            glob(rest, name) || (!name.is_empty() && glob(pattern, &name[1..]))
        }
        (Some((b'?', rest)), Some((_, n))) => glob(rest, n),
        (Some((p, rest)), Some((c, n))) if p == c => glob(rest, n),
        _ => false,
    }
}

impl Filter {
    fn selects(&self, name: &str) -> bool {
        let included = (self.inclusion_prefixes.is_empty() && self.inclusion_patterns.is_empty())
            || self
                .inclusion_prefixes
                .iter()
                .any(|p| name.starts_with(p.as_str()))
            || self
                .inclusion_patterns
                .iter()
                .any(|p| glob(p.as_bytes(), name.as_bytes()));
        included
            && !self
                .exclusion_patterns
                .iter()
                .any(|p| glob(p.as_bytes(), name.as_bytes()))
    }
}

impl Rule {
    fn age_ms(&self) -> u64 {
        let days = if self.time_unit == "YEARS" {
            self.time_amount * 365
        } else {
            self.time_amount
        };
        days.saturating_mul(DAY_MS)
    }
    fn due(&self, modified_ms: u64, now: u64) -> bool {
        modified_ms.saturating_add(self.age_ms()) <= now
    }
    fn selects(&self, name: &str) -> bool {
        self.object_name_filter
            .as_ref()
            .map_or(true, |f| f.selects(name))
    }
}

/// `PutObjectLifecyclePolicy`, `GetObjectLifecyclePolicy`, `DeleteObjectLifecyclePolicy`.
pub(super) fn handle(shared: &Shared, route: &Route, body: &[u8]) -> Reply {
    let now = shared.now_ms();
    let mut state = shared.lock();
    bucket(&state, &route.bucket)?;
    let view = |items: &Value, created: u64| json!({"timeCreated": util::rfc3339(created), "items": items});
    match route.op {
        "PutObjectLifecyclePolicy" => {
            let d: PolicyDetails = h::parse_json(body)?;
            parse_rules(&d.items)?;
            let items = Value::Array(d.items);
            let rules = state.bucket_rules.entry(route.bucket.clone()).or_default();
            rules.lifecycle = Some(items.clone());
            rules.lifecycle_created_ms = now;
            h::json(200, &view(&items, now))
        }
        "GetObjectLifecyclePolicy" => {
            let rules = state.bucket_rules.get(&route.bucket);
            match rules.and_then(|r| r.lifecycle.as_ref().map(|l| (l, r.lifecycle_created_ms))) {
                Some((items, created)) => h::json(200, &view(items, created)),
                None => Err(ApiError::new(
                    404,
                    "LifecyclePolicyNotFound",
                    format!(
                        "There is no lifecycle policy for the bucket '{}'",
                        route.bucket
                    ),
                )),
            }
        }
        "DeleteObjectLifecyclePolicy" => {
            if let Some(r) = state.bucket_rules.get_mut(&route.bucket) {
                r.lifecycle = None;
            }
            h::no_content(204)
        }
        other => Err(crate::services::not_implemented("Object Storage", other)),
    }
}

/// Whether a rule moving objects to `tier` applies to `meta`: to Archive from any other tier,
/// to InfrequentAccess only from Standard.
fn moves_to(meta: &ObjectMeta, tier: &str) -> bool {
    match tier {
        "Archive" => tiers::tier(meta) != "Archive",
        _ => tiers::tier(meta) == "Standard",
    }
}

enum Due {
    Delete(String),
    Tier(String, &'static str),
    DropVersions(String, u64),
    TierVersions(String, u64, &'static str),
    Abort(String),
}

fn due_actions(state: &State, bucket_name: &str, rules: &[Rule], now: u64) -> Vec<Due> {
    let mut due = Vec::new();
    let objects = state.objects.get(bucket_name);
    for rule in rules.iter().filter(|r| r.is_enabled) {
        match rule.target.as_deref().unwrap_or("objects") {
            "objects" => {
                for (name, meta) in objects.into_iter().flatten() {
                    if !rule.selects(name) || !rule.due(meta.modified_ms, now) {
                        continue;
                    }
                    match rule.action.as_str() {
                        "DELETE"
                            if retention::check_not_retained(
                                state,
                                bucket_name,
                                meta,
                                name,
                                now,
                            )
                            .is_ok() =>
                        {
                            due.push(Due::Delete(name.clone()))
                        }
                        "ARCHIVE" if moves_to(meta, "Archive") => {
                            due.push(Due::Tier(name.clone(), "Archive"))
                        }
                        "INFREQUENT_ACCESS" if moves_to(meta, "InfrequentAccess") => {
                            due.push(Due::Tier(name.clone(), "InfrequentAccess"))
                        }
                        _ => {}
                    }
                }
            }
            "previous-object-versions" => {
                let cutoff = now.saturating_sub(rule.age_ms());
                let tier = match rule.action.as_str() {
                    "ARCHIVE" => Some("Archive"),
                    "INFREQUENT_ACCESS" => Some("InfrequentAccess"),
                    _ => None,
                };
                for (name, old) in state.versions.get(bucket_name).into_iter().flatten() {
                    let due_version = |v: &OldVersion| {
                        v.modified_ms <= cutoff
                            && tier
                                .map_or(true, |t| v.meta.as_ref().is_some_and(|m| moves_to(m, t)))
                    };
                    if rule.selects(name) && old.iter().any(due_version) {
                        due.push(match tier {
                            Some(t) => Due::TierVersions(name.clone(), cutoff, t),
                            None => Due::DropVersions(name.clone(), cutoff),
                        });
                    }
                }
            }
            "multipart-uploads" => {
                for u in state.uploads.iter().filter(|u| u.bucket == bucket_name) {
                    let created = humantime::parse_rfc3339_weak(&u.time_created)
                        .map(util::millis)
                        .unwrap_or(now);
                    if rule.selects(&u.object) && rule.due(created, now) {
                        due.push(Due::Abort(u.upload_id.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    due
}

/// Runs the bucket's lifecycle rules that are due at the emulator's clock.
pub(super) fn apply(shared: &Shared, bucket_name: &str) -> ApiResult<()> {
    let now = shared.now_ms();
    let mut state = shared.lock();
    let Some(items) = state
        .bucket_rules
        .get(bucket_name)
        .and_then(|r| r.lifecycle.as_ref())
        .and_then(Value::as_array)
    else {
        return Ok(());
    };
    let rules = parse_rules(items)?;
    let due = due_actions(&state, bucket_name, &rules, now);
    if due.is_empty() {
        return Ok(());
    }
    let mut dropped = Vec::new();
    for d in due {
        match d {
            Due::Delete(name) => {
                if let Ok(gone) =
                    super::versions::delete_current(&mut state, bucket_name, &name, now)
                {
                    dropped.extend(gone.blobs);
                }
            }
            Due::Tier(name, tier) => {
                if let Some(m) = state
                    .objects
                    .get_mut(bucket_name)
                    .and_then(|o| o.get_mut(&name))
                {
                    m.archived_ms = (tier == "Archive").then_some(now);
                    m.restore = None;
                    m.storage_tier = Some(tier.to_owned());
                }
            }
            Due::DropVersions(name, cutoff) => {
                if let Some(old) = state
                    .versions
                    .get_mut(bucket_name)
                    .and_then(|v| v.get_mut(&name))
                {
                    old.retain(|v| {
                        let keep = v.modified_ms > cutoff;
                        if !keep {
                            dropped.extend(v.meta.as_ref().map(|m| m.blob.clone()));
                        }
                        keep
                    });
                }
            }
            Due::TierVersions(name, cutoff, tier) => {
                let old = state
                    .versions
                    .get_mut(bucket_name)
                    .and_then(|v| v.get_mut(&name));
                for v in old.into_iter().flatten() {
                    if v.modified_ms > cutoff {
                        continue;
                    }
                    if let Some(m) = v.meta.as_mut().filter(|m| moves_to(m, tier)) {
                        m.archived_ms = (tier == "Archive").then_some(now);
                        m.restore = None;
                        m.storage_tier = Some(tier.to_owned());
                    }
                }
            }
            Due::Abort(id) => {
                if let Some(pos) = state.uploads.iter().position(|u| u.upload_id == id) {
                    let u = state.uploads.remove(pos);
                    dropped.extend(u.parts.into_values().map(|p| p.blob));
                }
            }
        }
    }
    drop(state);
    for blob in dropped {
        shared.discard(blob);
    }
    Ok(())
}
