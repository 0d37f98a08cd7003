//! Monitoring: requests on the wire (no I/O), the ingestion endpoint, the emulator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use oci_core::testing::MockTransport;
use oci_core::{DateTime, Endpoint, Request};
use oci_monitoring::models::{
    Datapoint, MetricDataDetails, PostMetricDataDetails, SummarizeMetricsDataDetails,
};
use oci_monitoring::operations::{PostMetricData, SummarizeMetricsData};
use oci_monitoring::MonitoringClient;

fn metric() -> PostMetricDataDetails {
    PostMetricDataDetails {
        metric_data: vec![MetricDataDetails {
            namespace: "my_app".into(),
            compartment_id: "ocid1.compartment.oc1..c".into(),
            name: "jobs_done".into(),
            dimensions: HashMap::from([("host".to_owned(), "a".to_owned())]),
            datapoints: vec![Datapoint {
                timestamp: "2024-01-02T03:04:05Z".parse::<DateTime>().unwrap(),
                value: 3.0,
                count: None,
            }],
            resource_group: None,
            metadata: None,
        }],
        batch_atomicity: None,
    }
}

#[test]
fn post_and_summarize_metric_data() {
    let ep = Endpoint::parse("https://telemetry.us-ashburn-1.oraclecloud.com/20180401").unwrap();
    let req = PostMetricData::new()
        .post_metric_data_details(metric())
        .into_http(&ep)
        .unwrap();
    assert_eq!(req.uri().path(), "/20180401/metrics");
    let body: serde_json::Value = serde_json::from_slice(req.body().as_bytes().unwrap()).unwrap();
    assert_eq!(body["metricData"][0]["datapoints"][0]["value"], 3.0);
    assert_eq!(body["metricData"][0]["dimensions"]["host"], "a");

    let req = SummarizeMetricsData::new()
        .compartment_id("ocid1.compartment.oc1..c")
        .summarize_metrics_data_details(SummarizeMetricsDataDetails {
            namespace: "my_app".into(),
            query: "jobs_done[1m].sum()".into(),
            ..Default::default()
        })
        .into_http(&ep)
        .unwrap();
    assert_eq!(
        req.uri().path_and_query().unwrap().as_str(),
        "/20180401/metrics/actions/summarizeMetricsData?compartmentId=ocid1.compartment.oc1..c"
    );
}

#[tokio::test]
async fn post_metric_data_goes_to_the_ingestion_endpoint() {
    let mock = MockTransport::new();
    mock.push_json(200, r#"{"failedMetricsCount":0}"#);
    let monitoring = MonitoringClient::new(mock.client().unwrap());
    let ingestion = monitoring.with_endpoint(
        Endpoint::parse("https://telemetry-ingestion.us-ashburn-1.oraclecloud.com").unwrap(),
    );
    let out = ingestion
        .post_metric_data()
        .post_metric_data_details(metric())
        .send()
        .await
        .unwrap();
    assert_eq!(out.body.failed_metrics_count, 0);
    assert_eq!(
        mock.requests()[0].uri.to_string(),
        "https://telemetry-ingestion.us-ashburn-1.oraclecloud.com/20180401/metrics"
    );
}

#[tokio::test]
async fn the_emulator_answers_a_call_it_does_not_emulate() {
    let (emu, client) = emulator().await;
    let err = MonitoringClient::new(client)
        .list_alarms_status()
        .compartment_id("ocid1.compartment.oc1..c")
        .send()
        .await
        .unwrap_err();
    assert!(
        oci_emulator::is_not_emulated(&err, "ListAlarmsStatus"),
        "{err}"
    );
    emu.shutdown().await;
}

async fn emulator() -> (oci_emulator::Emulator, oci_core::Client) {
    let emu = oci_emulator::Emulator::builder().start().await.unwrap();
    let client = emu
        .client_builder()
        .retry_policy(oci_core::layers::RetryPolicy::none())
        .build()
        .unwrap();
    (emu, client)
}
