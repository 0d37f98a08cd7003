//! Work request waiters and paginators against a canned transport.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt;
use oci_core::auth::{ApiKeyCredentials, PrivateKey};
use oci_core::{Body, Client, Endpoint, Error};
use oci_delegateaccesscontrol::models::*;
use oci_delegateaccesscontrol::WorkRequestClient;

fn client(
    answers: Vec<(Vec<(&'static str, &'static str)>, String)>,
) -> (WorkRequestClient, Arc<Mutex<Vec<String>>>) {
    let queue = Arc::new(Mutex::new(VecDeque::from(answers)));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let transport = tower::service_fn(move |req: http::Request<Body>| {
        let queue = queue.clone();
        let seen = seen2.clone();
        async move {
            seen.lock()
                .unwrap()
                .push(req.uri().path_and_query().unwrap().to_string());
            let (headers, body) = queue
                .lock()
                .unwrap()
                .pop_front()
                .expect("unexpected request");
            let mut b = http::Response::builder().status(200);
            for (k, v) in headers {
                b = b.header(k, v);
            }
            Ok::<_, Error>(b.body(Body::from(body)).unwrap())
        }
    });
    let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
    let creds = ApiKeyCredentials::new(
        "ocid1.tenancy.oc1..t",
        "ocid1.user.oc1..u",
        "11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff",
        PrivateKey::from_rsa(key).unwrap(),
    );
    let client = Client::builder()
        .credentials(Arc::new(creds))
        .endpoint(Endpoint::parse("http://127.0.0.1:1").unwrap())
        .transport(transport)
        .build()
        .unwrap();
    (WorkRequestClient::new(client), seen)
}

fn work_request(status: &str, pct: f64) -> String {
    format!(
        r#"{{"operationType":"CREATE_DELEGATION_CONTROL","status":"{status}","id":"w","compartmentId":"c",
        "resources":[{{"entityType":"x","actionType":"IN_PROGRESS","identifier":"r"}}],
        "percentComplete":{pct},"timeAccepted":"2024-01-02T03:04:05Z"}}"#
    )
}

#[tokio::test(start_paused = true)]
async fn waits_for_a_work_request_to_succeed() {
    let (wr, seen) = client(vec![
        (vec![], work_request("ACCEPTED", 0.0)),
        (vec![], work_request("IN_PROGRESS", 50.0)),
        (vec![], work_request("SUCCEEDED", 100.0)),
    ]);
    let done = wr
        .get_work_request()
        .work_request_id("w")
        .wait_for([WorkRequestStatus::Succeeded])
        .failure([WorkRequestStatus::Failed, WorkRequestStatus::Canceled])
        .max_wait(Duration::from_secs(60))
        .wait()
        .await
        .unwrap();
    assert_eq!(done.body.percent_complete, 100.0);
    assert_eq!(seen.lock().unwrap()[0], "/20230801/workRequests/w");
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_failed_work_request_ends_the_wait() {
    let (wr, _) = client(vec![(vec![], work_request("FAILED", 10.0))]);
    let err = wr
        .get_work_request()
        .work_request_id("w")
        .wait_for([WorkRequestStatus::Succeeded])
        .failure([WorkRequestStatus::Failed])
        .wait()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("FAILED"), "{err}");
}

#[tokio::test]
async fn collections_paginate_through_their_items_field() {
    let (wr, seen) = client(vec![
        (
            vec![("opc-next-page", "n2")],
            r#"{"items":[{"message":"m1","timestamp":"2024-01-02T03:04:05Z"}]}"#.into(),
        ),
        (vec![], r#"{"items":[]}"#.into()),
    ]);
    let logs: Vec<WorkRequestLogEntry> = wr
        .list_work_request_logs()
        .work_request_id("w")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].message, "m1");
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "/20230801/workRequests/w/logs",
            "/20230801/workRequests/w/logs?page=n2"
        ]
    );
}
