//! Identity: users, groups and memberships; uniqueness, etags, pagination, filters, sorting,
//! retry tokens, lifecycle. Compartments, policies and the tenancy are in `identity_tenancy.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::time::Duration;

use common::*;
use http::Method;
use oci_core::Body;
use serde_json::json;

#[tokio::test]
async fn the_quickstart_flow_with_oci_rules() {
    let emu = start().await;
    let c = client(&emu);
    let t = emu.tenancy_id().to_owned();
    let resp = post(
        &c,
        &emu,
        "/20160918/groups",
        json!({"compartmentId": t, "name": "my-test-group", "description": "d"}),
    )
    .await
    .expect("group");
    assert!(header(&resp, "etag").is_some());
    assert!(header(&resp, "opc-request-id").is_some());
    let group = json(resp).await;
    assert_eq!(group["lifecycleState"], "ACTIVE");
    assert!(group["id"]
        .as_str()
        .unwrap()
        .starts_with("ocid1.group.oc1.."));
    assert!(group["timeCreated"].as_str().unwrap().ends_with('Z'));
    let gid = group["id"].as_str().unwrap().to_owned();
    let uid = create_user(&c, &emu, "my-test-user").await;

    // Unique names.
    let err = post(
        &c,
        &emu,
        "/20160918/groups",
        json!({"compartmentId": t, "name": "my-test-group", "description": "d"}),
    )
    .await
    .expect_err("duplicate");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));

    let resp = post(
        &c,
        &emu,
        "/20160918/userGroupMemberships",
        json!({"userId": uid, "groupId": gid}),
    )
    .await
    .expect("membership");
    assert_eq!(resp.status(), 200);
    let err = post(
        &c,
        &emu,
        "/20160918/userGroupMemberships",
        json!({"userId": uid, "groupId": gid}),
    )
    .await
    .expect_err("duplicate membership");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));

    let list = json(
        get(
            &c,
            &emu,
            &format!("/20160918/userGroupMemberships?compartmentId={t}&userId={uid}&groupId={gid}"),
        )
        .await
        .expect("list"),
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let mid = list[0]["id"].as_str().unwrap().to_owned();

    // A group with members, or a user in a group, cannot be deleted.
    let err = delete(&c, &emu, &format!("/20160918/groups/{gid}"))
        .await
        .expect_err("has members");
    assert_eq!(
        (err.status().map(|s| s.as_u16()), err.code()),
        (Some(409), Some("IncorrectState"))
    );
    let err = delete(&c, &emu, &format!("/20160918/users/{uid}"))
        .await
        .expect_err("in a group");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));

    let r = delete(&c, &emu, &format!("/20160918/userGroupMemberships/{mid}"))
        .await
        .expect("removed");
    assert_eq!(r.status(), 204);
    assert_eq!(
        delete(&c, &emu, &format!("/20160918/users/{uid}"))
            .await
            .expect("user")
            .status(),
        204
    );
    assert_eq!(
        delete(&c, &emu, &format!("/20160918/groups/{gid}"))
            .await
            .expect("group")
            .status(),
        204
    );
    let err = get(&c, &emu, &format!("/20160918/users/{uid}"))
        .await
        .expect_err("gone");
    assert_eq!(
        (err.status().map(|s| s.as_u16()), err.code()),
        (Some(404), Some("NotAuthorizedOrNotFound"))
    );
}

#[tokio::test]
async fn pagination_filters_and_sorting() {
    let emu = start().await;
    let c = client(&emu);
    let t = emu.tenancy_id().to_owned();
    for name in ["carol", "alice", "bob"] {
        create_user(&c, &emu, name).await;
    }
    // Insertion order by default; 4 users with the seeded admin.
    let mut seen = Vec::new();
    let mut page: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &page {
            Some(p) => format!("/20160918/users/?compartmentId={t}&limit=3&page={p}"),
            None => format!("/20160918/users/?compartmentId={t}&limit=3"),
        };
        let resp = get(&c, &emu, &q).await.expect("page");
        let next = header(&resp, "opc-next-page").map(str::to_owned);
        seen.extend(names(&json(resp).await));
        pages += 1;
        match next {
            Some(n) => {
                assert!(
                    n.parse::<u64>().is_err(),
                    "the page token is opaque, not an offset: {n}"
                );
                page = Some(n)
            }
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(seen, ["emulator-admin", "carol", "alice", "bob"]);

    let sorted = json(
        get(
            &c,
            &emu,
            &format!("/20160918/users?compartmentId={t}&sortBy=NAME"),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(names(&sorted), ["alice", "bob", "carol", "emulator-admin"]);
    let desc = json(
        get(
            &c,
            &emu,
            &format!("/20160918/users?compartmentId={t}&sortBy=NAME&sortOrder=DESC"),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(names(&desc), ["emulator-admin", "carol", "bob", "alice"]);
    let by_name = json(
        get(
            &c,
            &emu,
            &format!("/20160918/users?compartmentId={t}&name=bob"),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(names(&by_name), ["bob"]);
    let inactive = json(
        get(
            &c,
            &emu,
            &format!("/20160918/users?compartmentId={t}&lifecycleState=INACTIVE"),
        )
        .await
        .unwrap(),
    )
    .await;
    assert!(inactive.as_array().unwrap().is_empty());

    let err = get(
        &c,
        &emu,
        &format!("/20160918/users?compartmentId={t}&page=forged"),
    )
    .await
    .expect_err("bad token");
    assert_eq!(
        (err.status().map(|s| s.as_u16()), err.code()),
        (Some(400), Some("InvalidParameter"))
    );
    let err = get(
        &c,
        &emu,
        &format!("/20160918/users?compartmentId={t}&limit=0"),
    )
    .await
    .expect_err("bad limit");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let err = get(&c, &emu, "/20160918/users")
        .await
        .expect_err("compartment required");
    assert_eq!(err.code(), Some("MissingParameter"));
}

#[tokio::test]
async fn etags_and_if_match() {
    let emu = start().await;
    let c = client(&emu);
    let uid = create_user(&c, &emu, "u").await;
    let resp = get(&c, &emu, &format!("/20160918/users/{uid}"))
        .await
        .unwrap();
    let etag = header(&resp, "etag").unwrap().to_owned();

    let mut req = json_request(
        &emu,
        Method::PUT,
        &format!("/20160918/users/{uid}"),
        &json!({"description": "new"}),
    );
    req.headers_mut()
        .insert("if-match", "stale".parse().unwrap());
    let err = c.call(req).await.expect_err("stale etag");
    assert_eq!(
        (err.status().map(|s| s.as_u16()), err.code()),
        (Some(412), Some("NoEtagMatch"))
    );

    let mut req = json_request(
        &emu,
        Method::PUT,
        &format!("/20160918/users/{uid}"),
        &json!({"description": "new", "email": "u@example.com"}),
    );
    req.headers_mut().insert("if-match", etag.parse().unwrap());
    let resp = c.call(req).await.expect("current etag");
    let new_etag = header(&resp, "etag").unwrap().to_owned();
    assert_ne!(new_etag, etag);
    let user = json(resp).await;
    assert_eq!(
        (user["description"].as_str(), user["email"].as_str()),
        (Some("new"), Some("u@example.com"))
    );

    let mut req = request(
        &emu,
        Method::DELETE,
        &format!("/20160918/users/{uid}"),
        Body::empty(),
    );
    req.headers_mut().insert("if-match", etag.parse().unwrap());
    assert_eq!(
        c.call(req)
            .await
            .expect_err("old etag")
            .status()
            .map(|s| s.as_u16()),
        Some(412)
    );
    let mut req = request(
        &emu,
        Method::DELETE,
        &format!("/20160918/users/{uid}"),
        Body::empty(),
    );
    req.headers_mut()
        .insert("if-match", new_etag.parse().unwrap());
    assert_eq!(c.call(req).await.expect("deleted").status(), 204);
}

#[tokio::test]
async fn retry_tokens_replay_or_conflict() {
    let emu = start().await;
    let c = client(&emu);
    let t = emu.tenancy_id().to_owned();
    let send = |name: &str| {
        let mut req = json_request(
            &emu,
            Method::POST,
            "/20160918/groups",
            &json!({"compartmentId": t, "name": name, "description": "d"}),
        );
        req.headers_mut()
            .insert("opc-retry-token", "token-1".parse().unwrap());
        c.call(req)
    };
    let first = json(send("g").await.expect("first")).await;
    let again = send("g").await.expect("replayed");
    let again_id = header(&again, "opc-request-id").unwrap().to_owned();
    assert_eq!(
        json(again).await["id"],
        first["id"],
        "same token and body replay the first response"
    );
    assert!(!again_id.is_empty());
    let groups = json(
        get(&c, &emu, &format!("/20160918/groups?compartmentId={t}"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(groups.as_array().unwrap().len(), 1, "one group created");
    let err = send("other").await.expect_err("different body");
    assert_eq!(
        (err.status().map(|s| s.as_u16()), err.code()),
        (Some(409), Some("InvalidatedRetryToken"))
    );
}

#[tokio::test]
async fn lifecycle_moves_from_creating_to_active_on_the_emulator_clock() {
    let clock = manual_clock();
    let emu = builder()
        .clock(clock.clone())
        .lifecycle_delay(Duration::from_secs(10))
        .start()
        .await
        .unwrap();
    let c = client(&emu);
    let resp = post(
        &c,
        &emu,
        "/20160918/groups",
        json!({"compartmentId": emu.tenancy_id(), "name": "g", "description": "d"}),
    )
    .await
    .unwrap();
    let g = json(resp).await;
    assert_eq!(g["lifecycleState"], "CREATING");
    let path = format!("/20160918/groups/{}", g["id"].as_str().unwrap());
    clock.advance(Duration::from_secs(9));
    assert_eq!(
        json(get(&c, &emu, &path).await.unwrap()).await["lifecycleState"],
        "CREATING"
    );
    clock.advance(Duration::from_secs(2));
    assert_eq!(
        json(get(&c, &emu, &path).await.unwrap()).await["lifecycleState"],
        "ACTIVE"
    );
}
