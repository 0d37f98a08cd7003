//! Identity: users, groups, memberships, compartments, policies, API keys, regions, ADs,
//! tenancy; uniqueness, etags, pagination, filters, sorting, retry tokens, lifecycle, 501.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::time::Duration;

use common::*;
use http::Method;
use oci_core::Body;
use serde_json::json;

fn names(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x["name"].as_str().expect("name").to_owned())
        .collect()
}

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

#[tokio::test]
async fn write_config_writes_a_profile_and_the_key() {
    let emu = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = emu.write_config(dir.path()).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("[DEFAULT]\n"));
    for line in [
        format!("user={}", emu.user_id()),
        format!("fingerprint={}", emu.fingerprint()),
        format!("tenancy={}", emu.tenancy_id()),
        "region=us-ashburn-1".to_owned(),
    ] {
        assert!(text.contains(&line), "{line} in {text}");
    }
    let key = std::fs::read_to_string(dir.path().join("key.pem")).unwrap();
    assert_eq!(key, emu.private_key_pem());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(text.contains(&format!(
        "key_file={}",
        std::fs::canonicalize(dir.path())
            .unwrap()
            .join("key.pem")
            .display()
    )));
}

/// Issue 12: the config and the key are private (0600, as `oci setup config` writes them), also
/// when they existed before with wider permissions.
#[cfg(unix)]
#[tokio::test]
async fn write_config_writes_both_files_0600() {
    use std::os::unix::fs::PermissionsExt;
    let emu = start().await;
    let dir = tempfile::tempdir().unwrap();
    for name in ["config", "key.pem"] {
        std::fs::write(dir.path().join(name), "old").unwrap();
        std::fs::set_permissions(
            dir.path().join(name),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
    let config = emu.write_config(dir.path()).unwrap();
    for path in [config, dir.path().join("key.pem")] {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
    let data = tempfile::tempdir().unwrap();
    let emu = oci_emulator::Emulator::builder()
        .data_dir(data.path())
        .start()
        .await
        .unwrap();
    let mode = std::fs::metadata(data.path().join("key.pem"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the data directory's key");
    emu.shutdown().await;
}
