//! Identity: compartments, policies, API keys, regions, ADs, tenancy; deterministic OCIDs from
//! seeds; 501 for the operations the emulator does not implement.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn compartments_and_policies() {
    let emu = start().await;
    let c = client(&emu);
    let t = emu.tenancy_id().to_owned();
    let a = json(
        post(
            &c,
            &emu,
            "/20160918/compartments",
            json!({"compartmentId": t, "name": "a", "description": "d"}),
        )
        .await
        .unwrap(),
    )
    .await;
    let a_id = a["id"].as_str().unwrap().to_owned();
    let b = json(
        post(
            &c,
            &emu,
            "/20160918/compartments",
            json!({"compartmentId": a_id, "name": "b", "description": "d"}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(b["compartmentId"], a_id.as_str());
    let err = post(
        &c,
        &emu,
        "/20160918/compartments",
        json!({"compartmentId": t, "name": "a", "description": "d"}),
    )
    .await
    .expect_err("dup");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));

    let direct = json(
        get(
            &c,
            &emu,
            &format!("/20160918/compartments?compartmentId={t}"),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(names(&direct), ["a"]);
    let subtree = json(
        get(
            &c,
            &emu,
            &format!("/20160918/compartments?compartmentId={t}&compartmentIdInSubtree=true"),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(names(&subtree), ["a", "b"]);
    let root = json(
        get(&c, &emu, &format!("/20160918/compartments/{t}"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(root["id"], t.as_str());

    let p = json(post(&c, &emu, "/20160918/policies", json!({"compartmentId": a_id, "name": "p", "description": "d", "statements": ["Allow group x to read all-resources in tenancy"]})).await.unwrap()).await;
    let p_id = p["id"].as_str().unwrap().to_owned();
    let updated = json(
        put(
            &c,
            &emu,
            &format!("/20160918/policies/{p_id}"),
            json!({"statements": ["Allow group y to manage buckets in tenancy"]}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        updated["statements"][0],
        "Allow group y to manage buckets in tenancy"
    );
    let listed = json(
        get(
            &c,
            &emu,
            &format!("/20160918/policies?compartmentId={a_id}"),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(names(&listed), ["p"]);

    let err = delete(&c, &emu, &format!("/20160918/compartments/{a_id}"))
        .await
        .expect_err("not empty");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
    delete(&c, &emu, &format!("/20160918/policies/{p_id}"))
        .await
        .unwrap();
    delete(
        &c,
        &emu,
        &format!("/20160918/compartments/{}", b["id"].as_str().unwrap()),
    )
    .await
    .unwrap();
    // OCI answers 202 with a work request the CLI's --wait-for-state polls.
    let resp = delete(&c, &emu, &format!("/20160918/compartments/{a_id}"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let wr = header(&resp, "opc-work-request-id").unwrap().to_owned();
    let w = json(
        get(&c, &emu, &format!("/20160918/workRequests/{wr}"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(w["status"], "SUCCEEDED");
    assert_eq!(w["operationType"], "DELETE_COMPARTMENT");
    assert_eq!(
        w["resources"][0]["identifier"].as_str(),
        Some(a_id.as_str())
    );
    get(&c, &emu, &format!("/20160918/compartments/{a_id}"))
        .await
        .expect_err("deleted");
}

#[tokio::test]
async fn tenancy_regions_availability_domains_and_api_keys() {
    let emu = start().await;
    let c = client(&emu);
    let t = emu.tenancy_id().to_owned();
    let tenancy = json(
        get(&c, &emu, &format!("/20160918/tenancies/{t}"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (tenancy["id"].as_str(), tenancy["homeRegionKey"].as_str()),
        (Some(t.as_str()), Some("IAD"))
    );
    let regions = json(get(&c, &emu, "/20160918/regions").await.unwrap()).await;
    assert!(regions
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "us-ashburn-1" && r["key"] == "IAD"));
    let subs = json(
        get(
            &c,
            &emu,
            &format!("/20160918/tenancies/{t}/regionSubscriptions"),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(subs[0]["isHomeRegion"], true);
    let ads = json(
        get(
            &c,
            &emu,
            &format!("/20160918/availabilityDomains?compartmentId={t}"),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(ads.as_array().unwrap().len(), 3);
    assert!(ads[0]["name"]
        .as_str()
        .unwrap()
        .ends_with(":US-ASHBURN-1-AD-1"));

    let keys = json(
        get(
            &c,
            &emu,
            &format!("/20160918/users/{}/apiKeys", emu.user_id()),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(keys[0]["fingerprint"], emu.fingerprint());
    let err = post(
        &c,
        &emu,
        &format!("/20160918/users/{}/apiKeys", emu.user_id()),
        json!({"key": "not a key"}),
    )
    .await
    .expect_err("bad key");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
}

#[tokio::test]
async fn seeds_make_ocids_deterministic() {
    let a = builder().seed(99).start().await.unwrap();
    let b = builder().seed(99).start().await.unwrap();
    let c = builder().seed(100).start().await.unwrap();
    assert_eq!(
        (a.tenancy_id(), a.user_id(), a.namespace()),
        (b.tenancy_id(), b.user_id(), b.namespace())
    );
    assert_ne!(a.tenancy_id(), c.tenancy_id());
}

#[tokio::test]
async fn other_identity_operations_answer_501_naming_the_operation() {
    let emu = start().await;
    let c = client(&emu);
    let err = get(
        &c,
        &emu,
        &format!("/20160918/tagNamespaces?compartmentId={}", emu.tenancy_id()),
    )
    .await
    .expect_err("501");
    assert_eq!(
        (err.status().map(|s| s.as_u16()), err.code()),
        (Some(501), Some("NotImplemented"))
    );
    assert!(
        err.message().contains("ListTagNamespaces"),
        "{}",
        err.message()
    );
    let err = post(
        &c,
        &emu,
        &format!("/20160918/users/{}/authTokens", emu.user_id()),
        json!({"description": "x"}),
    )
    .await
    .expect_err("501");
    assert!(
        err.message().contains("CreateAuthToken"),
        "{}",
        err.message()
    );
    let err = get(&c, &emu, "/20160918/noSuchThing")
        .await
        .expect_err("404");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}
