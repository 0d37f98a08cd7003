//! Retention rules (`/n/{ns}/b/{bucket}/retentionRules`) and their enforcement on the emulator's
//! clock: while any rule retains an object (an indefinite rule, or one whose duration has not
//! passed since the object was last modified), deleting or overwriting it is 409 `Conflict`, as
//! on OCI. A rule whose `timeRuleLocked` has passed cannot be deleted, and only its duration may
//! grow; an indefinite rule cannot be locked, and a lock must be at least 14 days away when it
//! is set (the service's mandatory delay; our 400's wording is the emulator's own).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::shared::Shared;
use crate::state::*;
use crate::util;

use super::*;

const DAY_MS: u64 = 86_400_000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Duration {
    time_amount: u64,
    time_unit: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Details {
    display_name: Option<String>,
    duration: Option<Duration>,
    time_rule_locked: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleView<'a> {
    id: &'a str,
    display_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<Value>,
    etag: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_rule_locked: Option<String>,
    time_created: String,
    time_modified: String,
}

fn view(r: &RetentionRule) -> RuleView<'_> {
    RuleView {
        id: &r.id,
        display_name: &r.display_name,
        duration: r
            .duration
            .as_ref()
            .map(|(n, u)| serde_json::json!({"timeAmount": n, "timeUnit": u})),
        etag: &r.etag,
        time_rule_locked: r.time_rule_locked_ms.map(util::rfc3339),
        time_created: util::rfc3339(r.created_ms),
        time_modified: util::rfc3339(r.modified_ms),
    }
}

fn duration_ms(d: &(u64, String)) -> u64 {
    let days = if d.1 == "YEARS" { d.0 * 365 } else { d.0 };
    days.saturating_mul(DAY_MS)
}

fn parse_duration(d: Option<Duration>) -> ApiResult<Option<(u64, String)>> {
    d.map(|d| {
        if d.time_amount == 0 || !matches!(d.time_unit.as_str(), "DAYS" | "YEARS") {
            return Err(ApiError::invalid(
                "duration needs a positive timeAmount and timeUnit DAYS or YEARS",
            ));
        }
        Ok((d.time_amount, d.time_unit))
    })
    .transpose()
}

fn parse_lock(v: Option<String>) -> ApiResult<Option<u64>> {
    v.map(|t| {
        humantime::parse_rfc3339_weak(&t)
            .ok()
            .map(util::millis)
            .ok_or_else(|| ApiError::invalid(format!("timeRuleLocked `{t}` is not RFC 3339")))
    })
    .transpose()
}

/// The service's mandatory delay before a retention rule's lock takes effect: 14 days.
pub(super) const LOCK_DELAY_MS: u64 = 14 * 86_400_000;

/// A lock time closer than [`LOCK_DELAY_MS`] is refused (400), so a test meets the rule
/// before a rule is locked for good.
fn check_lock_delay(lock: Option<u64>, now: u64) -> ApiResult<()> {
    match lock {
        Some(at) if at < now.saturating_add(LOCK_DELAY_MS) => Err(ApiError::invalid(
            "timeRuleLocked must be at least 14 days after now (the mandatory delay before a \
             retention rule is locked)",
        )),
        _ => Ok(()),
    }
}

fn rule_not_found(id: &str) -> ApiError {
    ApiError::new(
        404,
        "RetentionRuleNotFound",
        format!("The retention rule `{id}` does not exist"),
    )
}

/// 409 `Conflict` when a retention rule of `bucket` retains `meta` at `now`.
pub(super) fn check_not_retained(
    state: &State,
    bucket: &str,
    meta: &ObjectMeta,
    name: &str,
    now: u64,
) -> ApiResult<()> {
    let Some(rules) = state.bucket_rules.get(bucket) else {
        return Ok(());
    };
    let retained = rules.retention.iter().find(|r| match &r.duration {
        None => true,
        Some(d) => meta.modified_ms.saturating_add(duration_ms(d)) > now,
    });
    match retained {
        None => Ok(()),
        Some(r) => Err(ApiError::new(
            409,
            "Conflict",
            format!(
                "The object '{name}' is retained by the retention rule '{}' and cannot be deleted or overwritten",
                r.display_name
            ),
        )),
    }
}

/// Create, list, get, update and delete.
pub(super) fn handle(shared: &Shared, route: &Route, id: &str, body: &[u8]) -> Reply {
    let now = shared.now_ms();
    let mut state = shared.lock();
    bucket(&state, &route.bucket)?;
    match route.op {
        "ListRetentionRules" => {
            let rules = state.bucket_rules.get(&route.bucket);
            let items: Vec<RuleView<'_>> = rules
                .map(|r| r.retention.iter().map(view).collect())
                .unwrap_or_default();
            h::json(200, &serde_json::json!({ "items": items }))
        }
        "GetRetentionRule" => {
            let rules = state.bucket_rules.get(&route.bucket);
            let rule = rules
                .and_then(|r| r.retention.iter().find(|x| x.id == id))
                .ok_or_else(|| rule_not_found(id))?;
            h::json_etag(200, &view(rule), &rule.etag)
        }
        "CreateRetentionRule" => {
            let d: Details = h::parse_json(body)?;
            let duration = parse_duration(d.duration)?;
            let lock = parse_lock(d.time_rule_locked)?;
            check_lock_delay(lock, now)?;
            if lock.is_some() && duration.is_none() {
                return Err(ApiError::invalid(
                    "an indefinite retention rule cannot be locked",
                ));
            }
            let id = state.next_ocid("retentionrule");
            let etag = state.next_etag();
            let display_name = d.display_name.unwrap_or_else(|| id.clone());
            let rule = RetentionRule {
                id,
                display_name,
                duration,
                etag,
                time_rule_locked_ms: lock,
                created_ms: now,
                modified_ms: now,
            };
            let out = h::json_etag(200, &view(&rule), &rule.etag);
            let rules = state.bucket_rules.entry(route.bucket.clone()).or_default();
            rules.retention.push(rule);
            out
        }
        "UpdateRetentionRule" | "DeleteRetentionRule" => {
            let etag = state.next_etag();
            let rules = state.bucket_rules.entry(route.bucket.clone()).or_default();
            let pos = rules
                .retention
                .iter()
                .position(|x| x.id == id)
                .ok_or_else(|| rule_not_found(id))?;
            let rule = &mut rules.retention[pos];
            let locked = rule.time_rule_locked_ms.is_some_and(|t| t <= now);
            if route.op == "DeleteRetentionRule" {
                if locked {
                    return Err(ApiError::new(
                        409,
                        "Conflict",
                        "A locked retention rule cannot be deleted",
                    ));
                }
                rules.retention.remove(pos);
                return h::no_content(204);
            }
            let d: Details = h::parse_json(body)?;
            let duration = parse_duration(d.duration)?;
            if locked {
                let shorter = match (&duration, &rule.duration) {
                    (Some(new), Some(old)) => duration_ms(new) < duration_ms(old),
                    (None, _) => false,
                    (Some(_), None) => true,
                };
                if shorter || d.time_rule_locked.is_some() {
                    return Err(ApiError::new(
                        409,
                        "Conflict",
                        "A locked retention rule only accepts a longer duration",
                    ));
                }
            }
            if let Some(n) = d.display_name {
                rule.display_name = n;
            }
            if duration.is_some() {
                rule.duration = duration;
            }
            if let Some(l) = parse_lock(d.time_rule_locked)? {
                check_lock_delay(Some(l), now)?;
                rule.time_rule_locked_ms = Some(l);
            }
            rule.etag = etag;
            rule.modified_ms = now;
            h::json_etag(200, &view(rule), &rule.etag)
        }
        other => Err(crate::services::not_implemented("Object Storage", other)),
    }
}
