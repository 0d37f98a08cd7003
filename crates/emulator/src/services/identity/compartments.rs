//! Identity: compartments and policies.

use std::collections::HashMap;

use http::HeaderMap;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::http as h;
use crate::state::*;
use crate::util;

use super::resource::*;
use super::{Ctx, Out};

// ---- compartments ----

pub(super) fn root_compartment(state: &State) -> Compartment {
    Compartment {
        id: state.tenancy.id.clone(),
        compartment_id: state.tenancy.id.clone(),
        name: state.tenancy.name.clone(),
        description: state.tenancy.description.clone(),
        time_created: util::rfc3339(state.epoch_ms),
        lifecycle_state: "ACTIVE".to_owned(),
        is_accessible: true,
        freeform_tags: Tags::new(),
        defined_tags: DefinedTags::new(),
    }
}

pub(super) fn create_compartment(state: &mut State, ctx: &Ctx, body: &[u8]) -> ApiResult<Out> {
    let d: CreateDetails = h::parse_json(body)?;
    if !state.compartment_exists(&d.compartment_id) {
        return Err(ApiError::not_found("Parent compartment"));
    }
    check_new_name::<Compartment>(state, &d.name, |c| c.compartment_id == d.compartment_id)?;
    let c = Compartment {
        id: state.next_ocid("compartment"),
        compartment_id: d.compartment_id,
        name: d.name,
        description: d.description,
        time_created: util::rfc3339(ctx.now_ms),
        lifecycle_state: "ACTIVE".to_owned(),
        is_accessible: true,
        freeform_tags: d.freeform_tags,
        defined_tags: d.defined_tags,
    };
    insert(state, ctx, c)
}

pub(super) fn get_compartment(state: &State, ctx: &Ctx, id: &str) -> ApiResult<Out> {
    if id == state.tenancy.id {
        return Out::json(&root_compartment(state), None);
    }
    get::<Compartment>(state, ctx, id)
}

pub(super) fn list_compartments(
    state: &State,
    ctx: &Ctx,
    q: &HashMap<String, String>,
) -> ApiResult<Out> {
    if q.get("compartmentIdInSubtree").map(String::as_str) != Some("true") {
        return list_named::<Compartment>(state, ctx, q);
    }
    let root = listed_compartment(state, q)?;
    // Every descendant of `root`.
    let mut scope: Vec<String> = vec![root.to_owned()];
    let mut i = 0;
    while i < scope.len() {
        let parent = scope[i].clone();
        scope.extend(
            state
                .compartments
                .iter()
                .filter(|c| c.item.compartment_id == parent && c.item.id != parent)
                .map(|c| c.item.id.clone()),
        );
        i += 1;
    }
    list_filtered(&state.compartments, ctx, q, |c| {
        c.id != root && scope.iter().any(|s| s == &c.id)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UpdateCompartmentDetails {
    name: Option<String>,
    #[serde(flatten)]
    common: UpdateCommon,
}

pub(super) fn update_compartment(
    state: &mut State,
    ctx: &Ctx,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Out> {
    let d: UpdateCompartmentDetails = h::parse_json(body)?;
    let parent = find::<Compartment>(state, id)?.item.compartment_id.clone();
    if let Some(name) = &d.name {
        check_new_name::<Compartment>(state, name, |c| c.compartment_id == parent && c.id != id)?;
    }
    update(state, ctx, id, headers, |c: &mut Compartment| {
        util::set_some(&mut c.name, d.name);
        d.common.apply(c);
        Ok(())
    })
}

/// Deletes a compartment: 202 with `opc-work-request-id` (a DELETE_COMPARTMENT work request,
/// SUCCEEDED once the lifecycle delay has passed), as OCI answers.
pub(super) fn delete_compartment(
    state: &mut State,
    ctx: &Ctx,
    id: &str,
    headers: &HeaderMap,
) -> ApiResult<Out> {
    let compartment_id = find::<Compartment>(state, id)?.item.compartment_id.clone();
    let mut out = delete::<Compartment>(state, id, headers, |state| {
        not_while(
            state
                .compartments
                .iter()
                .any(|c| c.item.compartment_id == id)
                || state.policies.iter().any(|p| p.item.compartment_id == id)
                || state.buckets.iter().any(|b| b.compartment_id == id),
            "the compartment is not empty: delete its compartments, policies and buckets first",
        )
    })?;
    let wr = state.next_ocid("workrequest");
    state.work_requests.push(WorkRequest {
        id: wr.clone(),
        service: "identity".into(),
        operation_type: "DELETE_COMPARTMENT".into(),
        compartment_id,
        resources: vec![(
            "DELETED".into(),
            id.to_owned(),
            format!("/20160918/compartments/{id}"),
        )],
        error: None,
        accepted_ms: ctx.now_ms,
        finished_ms: ctx.now_ms.saturating_add(ctx.delay_ms),
    });
    out.status = 202;
    out.work_request = Some(wr);
    Ok(out)
}

/// An Identity work request (compartment deletions): IN_PROGRESS, then SUCCEEDED.
pub(super) fn get_work_request(state: &State, ctx: &Ctx, id: &str) -> ApiResult<Out> {
    let w = state
        .work_requests
        .iter()
        .find(|w| w.id == id && w.service == "identity")
        .ok_or_else(|| ApiError::not_found("Work request"))?;
    let done = ctx.now_ms >= w.finished_ms;
    let resources: Vec<serde_json::Value> = w
        .resources
        .iter()
        .map(|(action, id, uri)| {
            serde_json::json!({"entityType": "Compartment", "actionType": action,
                "identifier": id, "entityUri": uri})
        })
        .collect();
    let value = serde_json::json!({
        "id": w.id,
        "operationType": w.operation_type,
        "compartmentId": w.compartment_id,
        "status": if done { "SUCCEEDED" } else { "IN_PROGRESS" },
        "resources": resources,
        "errors": [],
        "logs": [],
        "timeAccepted": util::rfc3339(w.accepted_ms),
        "timeStarted": util::rfc3339(w.accepted_ms),
        "timeFinished": if done { serde_json::Value::from(util::rfc3339(w.finished_ms)) } else { serde_json::Value::Null },
        "percentComplete": if done { 100.0 } else { 50.0 },
    });
    Out::json(&value, None)
}

// ---- policies ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CreatePolicyDetails {
    statements: Vec<String>,
    version_date: Option<String>,
    #[serde(flatten)]
    common: CreateDetails,
}

/// A policy needs at least one statement.
pub(super) fn check_statements(statements: &[String]) -> ApiResult<()> {
    if statements.is_empty() {
        return Err(ApiError::invalid("a policy needs at least one statement"));
    }
    Ok(())
}

pub(super) fn create_policy(state: &mut State, ctx: &Ctx, body: &[u8]) -> ApiResult<Out> {
    let CreatePolicyDetails {
        statements,
        version_date,
        common: d,
    } = h::parse_json(body)?;
    if !state.compartment_exists(&d.compartment_id) {
        return Err(ApiError::not_found("Compartment"));
    }
    check_statements(&statements)?;
    check_new_name::<Policy>(state, &d.name, |p| p.compartment_id == d.compartment_id)?;
    let p = Policy {
        id: state.next_ocid("policy"),
        compartment_id: d.compartment_id,
        name: d.name,
        statements,
        description: d.description,
        time_created: util::rfc3339(ctx.now_ms),
        lifecycle_state: "ACTIVE".to_owned(),
        version_date,
        freeform_tags: d.freeform_tags,
        defined_tags: d.defined_tags,
    };
    insert(state, ctx, p)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UpdatePolicyDetails {
    statements: Option<Vec<String>>,
    version_date: Option<String>,
    #[serde(flatten)]
    common: UpdateCommon,
}

pub(super) fn update_policy(
    state: &mut State,
    ctx: &Ctx,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Out> {
    let d: UpdatePolicyDetails = h::parse_json(body)?;
    update(state, ctx, id, headers, |p: &mut Policy| {
        if let Some(v) = d.statements {
            check_statements(&v)?;
            p.statements = v;
        }
        if d.version_date.is_some() {
            p.version_date = d.version_date;
        }
        d.common.apply(p);
        Ok(())
    })
}
