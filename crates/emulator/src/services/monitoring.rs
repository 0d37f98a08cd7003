//! Monitoring (`/20180401`): `PostMetricData` stores datapoints; `SummarizeMetricsData`
//! answers the MQL subset of `planes::monitoring` over them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::common::check_compartment;
use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::planes::monitoring::{parse, summarize, Point};
use crate::shared::{Call, Shared};
use crate::util;

#[derive(Deserialize)]
struct Datapoint {
    timestamp: String,
    value: f64,
    count: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetricDataIn {
    namespace: String,
    resource_group: Option<String>,
    compartment_id: String,
    name: String,
    dimensions: BTreeMap<String, String>,
    datapoints: Vec<Datapoint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostMetricData {
    metric_data: Vec<MetricDataIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Summarize {
    namespace: String,
    resource_group: Option<String>,
    query: String,
    start_time: Option<String>,
    end_time: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MetricDataOut {
    namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_group: Option<String>,
    compartment_id: String,
    name: String,
    dimensions: BTreeMap<String, String>,
    resolution: String,
    aggregated_datapoints: Vec<serde_json::Value>,
}

fn time(field: &str, t: &str) -> ApiResult<u64> {
    let t = t.trim().replace("+00:00", "Z");
    let t = if t.ends_with('Z') { t } else { format!("{t}Z") };
    humantime::parse_rfc3339_weak(&t)
        .map(util::millis)
        .map_err(|_| ApiError::invalid(format!("{field} `{t}` is not an RFC 3339 time")))
}

fn check_name(what: &str, v: &str) -> ApiResult<()> {
    let ok = !v.is_empty()
        && v.len() <= 255
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
    if !ok {
        return Err(ApiError::invalid(format!("invalid {what} `{v}`")));
    }
    Ok(())
}

/// Handles one authenticated Monitoring request.
pub(crate) async fn handle(shared: &Shared, call: Call) -> Reply {
    match call.op {
        "PostMetricData" => {
            let b: PostMetricData = h::parse_json(call.body.bytes())?;
            let mut points = Vec::new();
            let state = shared.lock();
            for m in b.metric_data {
                check_name("namespace", &m.namespace)?;
                if m.namespace.starts_with("oci_") || m.namespace.starts_with("oracle_") {
                    return Err(ApiError::invalid(
                        "namespaces oci_ and oracle_ are reserved",
                    ));
                }
                check_name("metric name", &m.name)?;
                check_compartment(&state, &m.compartment_id)?;
                if m.dimensions.is_empty() {
                    return Err(ApiError::invalid("a metric needs at least one dimension"));
                }
                for d in m.datapoints {
                    points.push(Point {
                        namespace: m.namespace.clone(),
                        resource_group: m.resource_group.clone(),
                        compartment_id: m.compartment_id.clone(),
                        name: m.name.clone(),
                        dimensions: m.dimensions.clone(),
                        timestamp_ms: time("timestamp", &d.timestamp)?,
                        value: d.value,
                        count: d.count.unwrap_or(1),
                    });
                }
            }
            drop(state);
            shared.lock().planes.metrics.extend(points);
            h::json(
                200,
                &serde_json::json!({ "failedMetricsCount": 0, "failedMetrics": [] }),
            )
        }
        "SummarizeMetricsData" => {
            let compartment = h::required(&call.query, "compartmentId")?;
            let b: Summarize = h::parse_json(call.body.bytes())?;
            let query = parse(&b.query)?;
            let end = match &b.end_time {
                Some(t) => time("endTime", t)?,
                None => call.now_ms,
            };
            let start = match &b.start_time {
                Some(t) => time("startTime", t)?,
                None => end.saturating_sub(3_600_000),
            };
            let state = shared.lock();
            let series = summarize(
                &state.planes.metrics,
                &b.namespace,
                compartment,
                b.resource_group.as_deref(),
                &query,
                start,
                end,
            );
            let resolution = format!("{}m", query.interval_ms / 60_000);
            let out: Vec<MetricDataOut> = series
                .into_iter()
                .map(|s| MetricDataOut {
                    namespace: b.namespace.clone(),
                    resource_group: s.resource_group,
                    compartment_id: s.compartment_id,
                    name: query.name.clone(),
                    dimensions: s.dimensions,
                    resolution: resolution.clone(),
                    aggregated_datapoints: s
                        .points
                        .into_iter()
                        .map(|(t, v)| serde_json::json!({ "timestamp": util::rfc3339(t), "value": v }))
                        .collect(),
                })
                .collect();
            h::json(200, &out)
        }
        other => Err(super::not_implemented("Monitoring", other)),
    }
}
