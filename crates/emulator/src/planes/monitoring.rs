//! Monitoring: posted datapoints, and `SummarizeMetricsData` for a subset of MQL:
//! `name[interval]{dim = "value", ...}.stat()` with `stat` one of `mean`, `sum`, `count`, `max`,
//! `min`, the interval `<n>m`, `<n>h` or `<n>d`, and the dimension filter optional. Results are
//! grouped by dimension set and by interval (windows aligned to the epoch; each aggregated
//! datapoint is stamped with its window's start).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};

/// One stored datapoint of a metric stream.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Point {
    pub namespace: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group: Option<String>,
    pub compartment_id: String,
    pub name: String,
    pub dimensions: BTreeMap<String, String>,
    pub timestamp_ms: u64,
    pub value: f64,
    pub count: u64,
}

/// An aggregation function.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Stat {
    Mean,
    Sum,
    Count,
    Max,
    Min,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    pub name: String,
    pub interval_ms: u64,
    pub filter: Vec<(String, String)>,
    pub stat: Stat,
}

/// One summarized series: its dimensions and `(window start, value)`s.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    pub compartment_id: String,
    pub resource_group: Option<String>,
    pub dimensions: BTreeMap<String, String>,
    pub points: Vec<(u64, f64)>,
}

fn bad(q: &str, why: &str) -> ApiError {
    ApiError::invalid(format!("unsupported MQL query `{q}`: {why}"))
}

/// Parses `<n>m|h|d`.
fn interval(q: &str, s: &str) -> ApiResult<u64> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.len().saturating_sub(1));
    let n: u64 = n
        .parse()
        .map_err(|_| bad(q, "the interval must be like 1m, 5m, 1h or 1d"))?;
    let unit_ms = match unit {
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(bad(q, "the interval unit must be m, h or d")),
    };
    if n == 0 {
        return Err(bad(q, "the interval must be positive"));
    }
    Ok(n * unit_ms)
}

/// Parses the supported MQL subset.
pub(crate) fn parse(q: &str) -> ApiResult<Query> {
    let t = q.trim();
    let open = t
        .find('[')
        .ok_or_else(|| bad(q, "an interval like [1m] is required"))?;
    let name = t[..open].trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(bad(q, "the metric name must be letters, digits and _"));
    }
    let close = t[open..]
        .find(']')
        .map(|i| open + i)
        .ok_or_else(|| bad(q, "unclosed ["))?;
    let interval_ms = interval(q, &t[open + 1..close])?;
    let mut rest = t[close + 1..].trim_start();
    let mut filter = Vec::new();
    if let Some(body) = rest.strip_prefix('{') {
        let end = body.find('}').ok_or_else(|| bad(q, "unclosed {"))?;
        for clause in body[..end].split(',').filter(|c| !c.trim().is_empty()) {
            let (k, v) = clause
                .split_once('=')
                .ok_or_else(|| bad(q, "filters are dim = \"value\""))?;
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .ok_or_else(|| bad(q, "filter values are double-quoted"))?;
            filter.push((k.trim().to_owned(), v.to_owned()));
        }
        rest = body[end + 1..].trim_start();
    }
    let stat = match rest {
        ".mean()" => Stat::Mean,
        ".sum()" => Stat::Sum,
        ".count()" => Stat::Count,
        ".max()" => Stat::Max,
        ".min()" => Stat::Min,
        _ => {
            return Err(bad(
                q,
                "end with .mean(), .sum(), .count(), .max() or .min()",
            ))
        }
    };
    Ok(Query {
        name: name.to_owned(),
        interval_ms,
        filter,
        stat,
    })
}

fn aggregate(stat: Stat, points: &[&Point]) -> f64 {
    let values = points.iter().map(|p| p.value);
    match stat {
        Stat::Sum => values.sum(),
        Stat::Mean => values.sum::<f64>() / points.len().max(1) as f64,
        Stat::Count => points.iter().map(|p| p.count.max(1)).sum::<u64>() as f64,
        Stat::Max => values.fold(f64::MIN, f64::max),
        Stat::Min => values.fold(f64::MAX, f64::min),
    }
}

/// Summarizes the points of one namespace (and compartment) in `[start, end)`.
pub(crate) fn summarize(
    points: &[Point],
    namespace: &str,
    compartment_id: &str,
    resource_group: Option<&str>,
    query: &Query,
    start_ms: u64,
    end_ms: u64,
) -> Vec<Series> {
    type Group<'a> = BTreeMap<u64, Vec<&'a Point>>;
    let mut groups: BTreeMap<(BTreeMap<String, String>, Option<String>), Group<'_>> =
        BTreeMap::new();
    for p in points.iter().filter(|p| {
        p.namespace == namespace
            && p.compartment_id == compartment_id
            && p.name == query.name
            && resource_group.map_or(true, |g| p.resource_group.as_deref() == Some(g))
            && (start_ms..end_ms).contains(&p.timestamp_ms)
            && query
                .filter
                .iter()
                .all(|(k, v)| p.dimensions.get(k) == Some(v))
    }) {
        let window = p.timestamp_ms / query.interval_ms * query.interval_ms;
        groups
            .entry((p.dimensions.clone(), p.resource_group.clone()))
            .or_default()
            .entry(window)
            .or_default()
            .push(p);
    }
    groups
        .into_iter()
        .map(|((dimensions, resource_group), windows)| Series {
            compartment_id: compartment_id.to_owned(),
            resource_group,
            dimensions,
            points: windows
                .into_iter()
                .map(|(w, ps)| (w, aggregate(query.stat, &ps)))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn point(name: &str, host: &str, t: u64, v: f64) -> Point {
        Point {
            namespace: "app".into(),
            resource_group: None,
            compartment_id: "c".into(),
            name: name.into(),
            dimensions: [("host".to_owned(), host.to_owned())].into(),
            timestamp_ms: t,
            value: v,
            count: 1,
        }
    }

    #[test]
    fn parses_the_subset() {
        let q = parse(r#"latency[5m]{host = "a", az="1"}.max()"#).unwrap();
        assert_eq!(q.name, "latency");
        assert_eq!(q.interval_ms, 300_000);
        assert_eq!(
            q.filter,
            [("host".into(), "a".into()), ("az".into(), "1".into())]
        );
        assert_eq!(q.stat, Stat::Max);
        assert_eq!(parse("x[1h].count()").unwrap().interval_ms, 3_600_000);
        for bad in [
            "x.mean()",
            "x[1s].mean()",
            "x[1m].p99()",
            "x[1m]{a=b}.sum()",
            "[1m].sum()",
        ] {
            assert_eq!(parse(bad).unwrap_err().status, 400, "{bad}");
        }
    }

    #[test]
    fn groups_by_dimensions_and_interval() {
        let pts = vec![
            point("lat", "a", 0, 1.0),
            point("lat", "a", 30_000, 3.0),
            point("lat", "a", 60_000, 10.0),
            point("lat", "b", 10_000, 7.0),
            point("other", "a", 0, 100.0),
        ];
        let run = |q: &str| summarize(&pts, "app", "c", None, &parse(q).unwrap(), 0, 120_000);
        let mean = run("lat[1m].mean()");
        assert_eq!(mean.len(), 2);
        assert_eq!(mean[0].dimensions["host"], "a");
        assert_eq!(mean[0].points, [(0, 2.0), (60_000, 10.0)]);
        assert_eq!(mean[1].points, [(0, 7.0)]);
        assert_eq!(run("lat[1m].sum()")[0].points, [(0, 4.0), (60_000, 10.0)]);
        assert_eq!(run("lat[1m].count()")[0].points, [(0, 2.0), (60_000, 1.0)]);
        assert_eq!(run("lat[1m].max()")[0].points[0], (0, 3.0));
        assert_eq!(run("lat[1m].min()")[0].points[0], (0, 1.0));
        let filtered = run(r#"lat[2m]{host = "b"}.sum()"#);
        assert_eq!(filtered.len(), 1);
        assert_eq!(filtered[0].points, [(0, 7.0)]);
        let window = summarize(
            &pts,
            "app",
            "c",
            None,
            &parse("lat[1m].sum()").unwrap(),
            60_000,
            120_000,
        );
        assert_eq!(window[0].points, [(60_000, 10.0)]);
        assert!(summarize(
            &pts,
            "other",
            "c",
            None,
            &parse("lat[1m].sum()").unwrap(),
            0,
            1 << 40
        )
        .is_empty());
    }
}
