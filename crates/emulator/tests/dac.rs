//! Delegate Access Control work requests: statuses move on the emulator's clock.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::time::Duration;

use common::*;

#[tokio::test]
async fn work_requests_move_on_the_clock_with_filters_sorting_paging_errors_and_logs() {
    let clock = manual_clock();
    let emu = builder()
        .clock(clock.clone())
        .work_request_step(Duration::from_secs(10))
        .start()
        .await
        .unwrap();
    let c = client(&emu);
    let list = |q: String| {
        let c = c.clone();
        let emu = &emu;
        async move {
            get(
                &c,
                emu,
                &format!(
                    "/20230801/workRequests?compartmentId={t}{q}",
                    t = emu.tenancy_id()
                ),
            )
            .await
            .unwrap()
        }
    };

    let all = json(list(String::new()).await).await;
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 6);
    assert!(items.iter().all(|w| w["status"] == "ACCEPTED"));
    let ids: Vec<String> = items
        .iter()
        .map(|w| w["id"].as_str().unwrap().to_owned())
        .collect();
    let desc = json(list("&sortBy=timeAccepted&sortOrder=DESC".into()).await).await;
    assert_eq!(desc["items"][0]["id"], ids[5].as_str());

    clock.advance(Duration::from_secs(15));
    let wr = json(
        get(&c, &emu, &format!("/20230801/workRequests/{}", ids[0]))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(wr["status"], "IN_PROGRESS");
    assert!(wr["percentComplete"].as_f64().unwrap() > 0.0);

    clock.advance(Duration::from_secs(20)); // 35 s: requests 0 (20 s) and 1 (30 s) are done
    let done = json(list("&status=SUCCEEDED".into()).await).await;
    assert_eq!(done["items"].as_array().unwrap().len(), 2);
    let page = list("&limit=4".into()).await;
    let next = header(&page, "opc-next-page").unwrap().to_owned();
    assert_eq!(json(page).await["items"].as_array().unwrap().len(), 4);
    let rest = json(list(format!("&limit=4&page={next}")).await).await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);

    clock.advance(Duration::from_secs(10)); // 45 s: request 2 (40 s) failed
    let failed = json(
        get(&c, &emu, &format!("/20230801/workRequests/{}", ids[2]))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (
            failed["status"].as_str(),
            failed["percentComplete"].as_f64()
        ),
        (Some("FAILED"), Some(100.0))
    );
    let errors = json(
        get(
            &c,
            &emu,
            &format!("/20230801/workRequests/{}/errors", ids[2]),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(errors["items"][0]["code"], "InternalError");
    let none = json(
        get(
            &c,
            &emu,
            &format!("/20230801/workRequests/{}/errors", ids[0]),
        )
        .await
        .unwrap(),
    )
    .await;
    assert!(none["items"].as_array().unwrap().is_empty());
    let logs = json(
        get(
            &c,
            &emu,
            &format!("/20230801/workRequests/{}/logs?sortOrder=DESC", ids[2]),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(logs["items"].as_array().unwrap().len(), 3);
    assert_eq!(logs["items"][0]["message"], "Work request failed");
    let resource = failed["resources"][0]["identifier"].as_str().unwrap();
    let by_resource = json(list(format!("&resourceId={resource}")).await).await;
    assert_eq!(by_resource["items"][0]["id"], ids[2].as_str());

    let err = get(&c, &emu, "/20230801/workRequests/ocid1.nothing")
        .await
        .expect_err("404");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    let err = get(&c, &emu, "/20230801/workRequests")
        .await
        .expect_err("compartment required");
    assert_eq!(err.code(), Some("MissingParameter"));
}
