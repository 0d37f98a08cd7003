//! Fault injection, the journal and the `/_emulator/` control path.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::*;
use http::Method;
use oci_core::Body;
use oci_emulator::{Emulator, Fault};
use serde_json::json;

fn control(
    emu: &Emulator,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> http::Request<Body> {
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    http::Request::builder()
        .method(method)
        .uri(url(emu, path))
        .body(body)
        .unwrap()
}

#[tokio::test]
async fn a_status_fault_answers_with_code_and_retry_after_and_is_journaled() {
    let emu = start().await;
    let c = client(&emu);
    emu.add_fault(
        Fault::status(429, "TooManyRequests")
            .operation("ListRegions")
            .nth(2)
            .retry_after(3),
    );
    assert!(get(&c, &emu, "/20160918/regions").await.is_ok());
    let err = get(&c, &emu, "/20160918/regions")
        .await
        .expect_err("throttled");
    assert_eq!(
        (err.status().map(|s| s.as_u16()), err.code()),
        (Some(429), Some("TooManyRequests"))
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
    assert!(
        get(&c, &emu, "/20160918/regions").await.is_ok(),
        "only the 2nd call"
    );

    let journal = emu.journal();
    assert_eq!(journal.len(), 3);
    assert_eq!(journal[1].status, Some(429));
    assert!(journal[1]
        .fault
        .as_deref()
        .is_some_and(|f| f.contains("429")));
    assert!(journal[0].fault.is_none() && journal[2].fault.is_none());
    assert_eq!(
        err.opc_request_id(),
        Some(journal[1].opc_request_id.as_str())
    );
    let status = &emu.faults()[0];
    assert_eq!((status.matched, status.fired), (3, 1));
}

#[tokio::test]
async fn first_n_and_path_and_method_matching() {
    let emu = start().await;
    let c = client(&emu);
    emu.add_fault(
        Fault::status(503, "ServiceUnavailable")
            .path("/n/*/b*")
            .method("GET")
            .first(2),
    );
    for _ in 0..2 {
        let err = get(
            &c,
            &emu,
            &format!(
                "/n/{}/b?compartmentId={}",
                emu.namespace(),
                emu.tenancy_id()
            ),
        )
        .await
        .expect_err("503");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    }
    assert!(get(
        &c,
        &emu,
        &format!(
            "/n/{}/b?compartmentId={}",
            emu.namespace(),
            emu.tenancy_id()
        )
    )
    .await
    .is_ok());
    assert!(
        get(&c, &emu, "/n").await.is_ok(),
        "the pattern does not match /n"
    );
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let emu = start().await;
    let c = client(&emu);
    emu.add_fault(Fault::latency(Duration::from_millis(150)).service("identity"));
    let started = Instant::now();
    assert!(get(&c, &emu, "/20160918/regions").await.is_ok());
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn reset_drops_the_connection() {
    let emu = start().await;
    let c = client(&emu);
    emu.add_fault(Fault::reset().operation("GetTenancy").nth(1));
    let err = get(
        &c,
        &emu,
        &format!("/20160918/tenancies/{}", emu.tenancy_id()),
    )
    .await
    .expect_err("reset");
    assert!(err.is_transport(), "{err:?}");
    assert_eq!(emu.journal()[0].status, None);
    assert!(get(
        &c,
        &emu,
        &format!("/20160918/tenancies/{}", emu.tenancy_id())
    )
    .await
    .is_ok());
}

#[tokio::test]
async fn hang_never_answers() {
    let emu = start().await;
    let c = client(&emu);
    emu.add_fault(Fault::hang().operation("ListRegions"));
    let r = tokio::time::timeout(
        Duration::from_millis(300),
        get(&c, &emu, "/20160918/regions"),
    )
    .await;
    assert!(r.is_err(), "still waiting after 300 ms");
    assert!(get(
        &c,
        &emu,
        &format!("/20160918/tenancies/{}", emu.tenancy_id())
    )
    .await
    .is_ok());
}

#[tokio::test]
async fn a_body_can_stall_mid_way() {
    let emu = start().await;
    let c = client(&emu);
    let bucket = format!("/n/{}/b/bk", emu.namespace());
    post(
        &c,
        &emu,
        &format!("/n/{}/b", emu.namespace()),
        json!({"name": "bk", "compartmentId": emu.tenancy_id()}),
    )
    .await
    .unwrap();
    let req = exclude_body(
        request(
            &emu,
            Method::PUT,
            &format!("{bucket}/o/obj"),
            Body::from(vec![1u8; 10_000]),
        ),
        "PutObject",
    );
    c.call(req).await.unwrap();
    emu.add_fault(Fault::stall_body(4000).operation("GetObject"));
    let resp = get(&c, &emu, &format!("{bucket}/o/obj"))
        .await
        .expect("head arrives");
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-length"), Some("10000"));
    let body = tokio::time::timeout(Duration::from_millis(300), resp.into_body().collect()).await;
    assert!(body.is_err(), "the body stalls");
}

#[tokio::test]
async fn probability_faults_repeat_with_the_seed() {
    let run = || async {
        let emu = builder().seed(5).start().await.unwrap();
        let c = client(&emu);
        emu.add_fault(Fault::status(500, "InternalServerError").probability(0.5));
        let mut outcome = Vec::new();
        for _ in 0..24 {
            outcome.push(get(&c, &emu, "/20160918/regions").await.is_ok());
        }
        outcome
    };
    let a = run().await;
    assert_eq!(a, run().await);
    let failures = a.iter().filter(|ok| !**ok).count();
    assert!((3..=21).contains(&failures), "{failures} of 24");
}

#[tokio::test]
async fn the_control_path_adds_faults_lists_the_journal_and_resets() {
    let emu = start().await;
    let c = client(&emu);
    let resp = send_raw(control(&emu, Method::POST, "/_emulator/faults", Some(json!({
        "name": "busy",
        "match": {"operation": "ListRegions"},
        "trigger": {"type": "nth", "n": 1},
        "action": {"type": "status", "status": 503, "code": "ServiceUnavailable", "retryAfterSecs": 1}
    })))).await.unwrap();
    assert_eq!(resp.status(), 200);
    let id = json(resp).await["id"].as_u64().unwrap();
    let err = get(&c, &emu, "/20160918/regions").await.expect_err("503");
    assert_eq!(err.code(), Some("ServiceUnavailable"));

    let faults = json(
        send_raw(control(&emu, Method::GET, "/_emulator/faults", None))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (faults[0]["id"].as_u64(), faults[0]["fired"].as_u64()),
        (Some(id), Some(1))
    );
    let bad = send_raw(control(
        &emu,
        Method::POST,
        "/_emulator/faults",
        Some(json!({"action": {"type": "explode"}})),
    ))
    .await
    .unwrap();
    assert_eq!(bad.status(), 400);

    create_user(&c, &emu, "temp").await;
    let journal = json(
        send_raw(control(&emu, Method::GET, "/_emulator/journal", None))
            .await
            .unwrap(),
    )
    .await;
    let ops: Vec<&str> = journal
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["ListRegions", "CreateUser"]);
    assert_eq!(journal[0]["fault"], "#1 busy");

    let info = json(
        send_raw(control(&emu, Method::GET, "/_emulator/info", None))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(info["tenancy"], emu.tenancy_id());

    assert_eq!(
        send_raw(control(&emu, Method::POST, "/_emulator/reset", None))
            .await
            .unwrap()
            .status(),
        204
    );
    assert!(emu.journal().is_empty() && emu.faults().is_empty());
    let users = json(
        get(
            &c,
            &emu,
            &format!("/20160918/users?compartmentId={}", emu.tenancy_id()),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        users.as_array().unwrap().len(),
        1,
        "only the seeded user after reset"
    );

    emu.add_fault(Fault::reset());
    assert_eq!(
        send_raw(control(
            &emu,
            Method::DELETE,
            &format!("/_emulator/faults/{}", emu.faults()[0].id),
            None
        ))
        .await
        .unwrap()
        .status(),
        204
    );
    assert!(get(&c, &emu, "/20160918/regions").await.is_ok());
}

/// A streamed body of `mib` MiB in 64 KiB chunks (one-shot: sent once, never retried).
fn streamed_body(mib: usize) -> Body {
    let chunks =
        (0..mib * 16).map(|i| Ok::<_, std::io::Error>(Bytes::from(vec![i as u8; 1 << 16])));
    Body::from_stream(futures_util::stream::iter(chunks), Some((mib as u64) << 20))
}

/// An answer given before the body is read (an injected fault, a handler refusing early) used to
/// close the connection with the body unread: the kernel reset it, and the client, still
/// writing, saw a broken pipe instead of the status (most rounds, on two threads). The emulator
/// now reads the rest of the body first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_early_error_answering_a_streamed_upload_reaches_the_client_as_its_status() {
    let emu = start().await;
    let c = client(&emu);
    let ns = emu.namespace().to_owned();
    emu.add_fault(Fault::status(400, "InvalidParameter").operation("PutObject"));
    for round in 0..10 {
        let path = format!("/n/{ns}/b/any/o/big-{round}");
        let req = exclude_body(
            request(&emu, Method::PUT, &path, streamed_body(16)),
            "PutObject",
        );
        let err = call(&c, req).await.expect_err("the fault answers");
        assert_eq!(
            err.kind(),
            oci_core::ErrorKind::Service,
            "round {round}: {err:?}"
        );
        assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
        assert_eq!(err.code(), Some("InvalidParameter"));
    }
    // No such upload: the handler refuses before reading the body.
    for round in 0..10 {
        let path = format!("/n/{ns}/b/any/u/big?uploadId=none-{round}&uploadPartNum=1");
        let req = exclude_body(
            request(&emu, Method::PUT, &path, streamed_body(16)),
            "UploadPart",
        );
        let err = call(&c, req).await.expect_err("no such upload");
        assert_eq!(
            err.kind(),
            oci_core::ErrorKind::Service,
            "round {round}: {err:?}"
        );
        assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    }
    let statuses: Vec<_> = emu.journal().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [[Some(400); 10], [Some(404); 10]].concat());
}
