//! Wire tests: the requests our generated builders make equal what the official OCI Python SDK
//! makes for the same arguments (fixtures captured by scripts/capture_wire_fixtures.py).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use oci_core::{Endpoint, Request};
use oci_delegateaccesscontrol::models::*;
use oci_delegateaccesscontrol::operations::*;
use serde_json::Value;

fn check<R: Request>(endpoint: &Endpoint, fixture: &Value, req: R) {
    let name = fixture["name"].as_str().unwrap();
    let http = req
        .into_http(endpoint)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(http.method().as_str(), fixture["method"], "{name}: method");
    assert_eq!(http.uri().path(), fixture["path"], "{name}: path");
    assert_eq!(
        http.uri().query().unwrap_or(""),
        fixture["query"],
        "{name}: query"
    );
    let ours: BTreeMap<String, String> = http
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    let theirs: BTreeMap<String, String> = fixture["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(ours, theirs, "{name}: headers");
    assert!(fixture["body"].is_null() && http.body().as_bytes() == Some(b""));
}

#[test]
fn requests_match_the_python_sdk() {
    let file: Value = serde_json::from_str(include_str!("fixtures/wire.json")).unwrap();
    let endpoint =
        Endpoint::parse(&format!("{}/20230801", file["endpoint"].as_str().unwrap())).unwrap();
    let e = &endpoint;
    for f in file["fixtures"].as_array().unwrap() {
        match f["name"].as_str().unwrap() {
            "get_work_request" => check(
                e,
                f,
                GetWorkRequest::new().work_request_id("ocid1.dacworkrequest.oc1..w"),
            ),
            "list_work_requests" => check(
                e,
                f,
                ListWorkRequests::new()
                    .compartment_id("ocid1.compartment.oc1..aaaacomp")
                    .status(Status::InProgress)
                    .limit(3)
                    .sort_order(SortOrder::Asc)
                    .sort_by("timeAccepted"),
            ),
            "list_work_request_errors" => check(
                e,
                f,
                ListWorkRequestErrors::new()
                    .work_request_id("w")
                    .page("p")
                    .sort_by("timestamp"),
            ),
            "list_work_request_logs" => check(
                e,
                f,
                ListWorkRequestLogs::new()
                    .work_request_id("w")
                    .limit(1)
                    .sort_order("DESC"),
            ),
            other => panic!("fixture {other} has no Rust counterpart"),
        }
    }
}
