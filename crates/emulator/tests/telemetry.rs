//! Notifications, Monitoring and Logging ingestion against the emulator with the generated
//! clients: published messages are recorded with the subscriptions they reached, metrics are
//! summarized by an MQL subset, ingested logs are readable.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use common::*;
use oci_core::DateTime;
use oci_loggingingestion::models::{LogEntry, LogEntryBatch, PutLogsDetails};
use oci_loggingingestion::LoggingClient;
use oci_monitoring::models::{
    Datapoint, MetricDataDetails, PostMetricDataDetails, SummarizeMetricsDataDetails,
};
use oci_monitoring::MonitoringClient;
use oci_ons::models::{CreateSubscriptionDetails, CreateTopicDetails, MessageDetails};
use oci_ons::{NotificationControlPlaneClient, NotificationDataPlaneClient};

fn at(secs: i64) -> DateTime {
    DateTime::from_unix_timestamp(secs).unwrap()
}

#[tokio::test]
async fn publish_is_recorded_with_its_deliveries_and_journaled() {
    let emu = start().await;
    let c = client(&emu);
    let t = emu.tenancy_id().to_owned();
    let topic = NotificationControlPlaneClient::new(c.clone())
        .create_topic()
        .create_topic_details(CreateTopicDetails {
            name: "deploys".into(),
            compartment_id: t.clone(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .body;
    let ons = NotificationDataPlaneClient::new(c.clone());
    let sub = ons
        .create_subscription()
        .create_subscription_details(CreateSubscriptionDetails {
            topic_id: topic.topic_id.clone(),
            compartment_id: t.clone(),
            protocol: "HTTPS".into(),
            endpoint: "https://example.invalid/hook".into(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .body;
    let sent = ons
        .publish_message()
        .topic_id(topic.topic_id.clone())
        .message_details(MessageDetails {
            title: Some("release".into()),
            body: "v1.2 deployed".into(),
        })
        .send()
        .await
        .unwrap()
        .body;
    let published = emu.published_messages();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].message_id, sent.message_id);
    assert_eq!(published[0].body, "v1.2 deployed");
    assert_eq!(published[0].delivered_to, [sub.id]);
    assert!(emu
        .journal()
        .iter()
        .any(|e| e.operation == "PublishMessage" && e.status == Some(202)));
    let missing = ons
        .publish_message()
        .topic_id("ocid1.onstopic.oc1..nope")
        .message_details(MessageDetails {
            body: "x".into(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404));
    emu.shutdown().await;
}

#[tokio::test]
async fn metrics_are_summarized_by_interval_and_dimensions() {
    let emu = start().await;
    let mon = MonitoringClient::new(client(&emu));
    let t = emu.tenancy_id().to_owned();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let minute = now / 60 * 60 - 600;
    let metric = |host: &str, points: &[(i64, f64)]| MetricDataDetails {
        namespace: "app".into(),
        compartment_id: t.clone(),
        name: "latency".into(),
        dimensions: HashMap::from([("host".to_owned(), host.to_owned())]),
        datapoints: points
            .iter()
            .map(|(s, v)| Datapoint {
                timestamp: at(minute + s),
                value: *v,
                count: None,
            })
            .collect(),
        ..Default::default()
    };
    let posted = mon
        .post_metric_data()
        .post_metric_data_details(PostMetricDataDetails {
            metric_data: vec![
                metric("a", &[(0, 1.0), (30, 3.0), (60, 10.0)]),
                metric("b", &[(5, 7.0)]),
            ],
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(posted.failed_metrics_count, 0);
    let summarize = |query: &str| {
        mon.summarize_metrics_data()
            .compartment_id(t.clone())
            .summarize_metrics_data_details(SummarizeMetricsDataDetails {
                namespace: "app".into(),
                query: query.into(),
                start_time: Some(at(minute - 60)),
                end_time: Some(at(minute + 300)),
                ..Default::default()
            })
            .send()
    };
    let values = |data: &[oci_monitoring::models::MetricData], host: &str| -> Vec<f64> {
        data.iter()
            .find(|d| d.dimensions["host"] == host)
            .unwrap()
            .aggregated_datapoints
            .iter()
            .map(|p| p.value)
            .collect()
    };
    let mean = summarize("latency[1m].mean()").await.unwrap().body;
    assert_eq!(mean.len(), 2);
    assert_eq!(values(&mean, "a"), [2.0, 10.0]);
    assert_eq!(values(&mean, "b"), [7.0]);
    let sum = summarize(r#"latency[5m]{host = "a"}.sum()"#)
        .await
        .unwrap()
        .body;
    assert_eq!(sum.len(), 1);
    assert_eq!(values(&sum, "a").iter().sum::<f64>(), 14.0);
    let count = summarize("latency[1m].count()").await.unwrap().body;
    assert_eq!(values(&count, "a"), [2.0, 1.0]);
    let max = summarize("latency[1h].max()").await.unwrap().body;
    assert_eq!(values(&max, "a").iter().cloned().fold(0.0, f64::max), 10.0);
    let bad = summarize("latency.p99()").await.unwrap_err();
    assert_eq!(bad.status().map(|s| s.as_u16()), Some(400));
    emu.shutdown().await;
}

#[tokio::test]
async fn put_logs_entries_are_readable() {
    let emu = start().await;
    let logging = LoggingClient::new(client(&emu));
    let log_id = "ocid1.log.oc1..app";
    logging
        .put_logs()
        .log_id(log_id)
        .put_logs_details(PutLogsDetails {
            specversion: "1.0".into(),
            log_entry_batches: vec![LogEntryBatch {
                entries: vec![
                    LogEntry {
                        data: "started".into(),
                        id: "1".into(),
                        time: None,
                    },
                    LogEntry {
                        data: "ready".into(),
                        id: "2".into(),
                        time: Some(at(1_700_000_000)),
                    },
                ],
                source: "web-1".into(),
                r#type: "app.log".into(),
                subject: None,
                defaultlogentrytime: at(1_600_000_000),
            }],
        })
        .send()
        .await
        .unwrap();
    let entries = emu.log_entries(Some(log_id));
    let data: Vec<&str> = entries.iter().map(|e| e.data.as_str()).collect();
    assert_eq!(data, ["started", "ready"]);
    assert_eq!(entries[0].source, "web-1");
    assert!(
        entries[0].time.starts_with("2020-09-13"),
        "{}",
        entries[0].time
    );
    assert!(
        entries[1].time.starts_with("2023-11-14"),
        "{}",
        entries[1].time
    );
    assert!(emu.log_entries(Some("ocid1.log.oc1..other")).is_empty());
    emu.shutdown().await;
}
