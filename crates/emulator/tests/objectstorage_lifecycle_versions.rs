//! Lifecycle rules whose target is `previous-object-versions`, on the emulator's clock: DELETE
//! drops old versions, ARCHIVE makes them 409 `NotRestored` when read by `versionId`,
//! INFREQUENT_ACCESS moves them to that tier; the current version is never touched, and a
//! version younger than the rule's age is left alone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::time::Duration;

use common::*;
use oci_objectstorage::models::{
    CreateBucketDetails, CreateBucketDetailsVersioning, ObjectLifecycleRule,
    ObjectLifecycleRuleTimeUnit, PutObjectLifecyclePolicyDetails,
};
use oci_objectstorage::ObjectStorageClient;

const DAY: Duration = Duration::from_secs(86_400);

fn status(e: &oci_core::Error) -> Option<u16> {
    e.status().map(|s| s.as_u16())
}

fn rule(action: &str, prefix: &str) -> ObjectLifecycleRule {
    ObjectLifecycleRule {
        name: format!("{action}-{prefix}"),
        action: action.into(),
        time_amount: 2,
        time_unit: ObjectLifecycleRuleTimeUnit::Days,
        is_enabled: true,
        target: Some("previous-object-versions".into()),
        object_name_filter: Some(oci_objectstorage::models::ObjectNameFilter {
            inclusion_prefixes: Some(vec![prefix.into()]),
            ..Default::default()
        }),
    }
}

#[tokio::test]
async fn previous_version_rules_delete_archive_and_tier_old_versions_only() {
    let clock = manual_clock();
    let emu = builder().clock(clock.clone()).start().await.unwrap();
    let os = ObjectStorageClient::new(client(&emu));
    let ns = os.get_namespace().send().await.unwrap().body;
    os.create_bucket()
        .namespace_name(&ns)
        .create_bucket_details(CreateBucketDetails {
            name: "vers".into(),
            compartment_id: emu.tenancy_id().into(),
            versioning: Some(CreateBucketDetailsVersioning::Enabled),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let put = |name: &str, body: &'static str| {
        os.put_object()
            .namespace_name(&ns)
            .bucket_name("vers")
            .object_name(name)
            .put_object_body(oci_core::Body::from(body))
            .send()
    };
    // Day 0: the first version of each; day 1: the second; day 2: the third (current).
    let mut first = Vec::new();
    for name in ["del/a", "arc/a", "ia/a"] {
        first.push(put(name, "v1").await.unwrap().version_id.unwrap());
    }
    clock.advance(DAY);
    let mut second = Vec::new();
    for name in ["del/a", "arc/a", "ia/a"] {
        second.push(put(name, "v2").await.unwrap().version_id.unwrap());
    }
    clock.advance(DAY);
    for name in ["del/a", "arc/a", "ia/a"] {
        put(name, "v3").await.unwrap();
    }
    os.put_object_lifecycle_policy()
        .namespace_name(&ns)
        .bucket_name("vers")
        .put_object_lifecycle_policy_details(PutObjectLifecyclePolicyDetails {
            items: Some(vec![
                rule("DELETE", "del/"),
                rule("ARCHIVE", "arc/"),
                rule("INFREQUENT_ACCESS", "ia/"),
            ]),
        })
        .send()
        .await
        .unwrap();

    // Now (day 2) the v1 versions are 2 days old: due; v2 (1 day) and v3 (current) are not.
    let get = |name: &str, version: &str| {
        os.get_object()
            .namespace_name(&ns)
            .bucket_name("vers")
            .object_name(name)
            .version_id(version)
            .send()
    };
    let head = |name: &str, version: &str| {
        os.head_object()
            .namespace_name(&ns)
            .bucket_name("vers")
            .object_name(name)
            .version_id(version)
            .send()
    };
    assert_eq!(
        status(&get("del/a", &first[0]).await.unwrap_err()),
        Some(404)
    );
    let err = get("arc/a", &first[1]).await.unwrap_err();
    assert_eq!(status(&err), Some(409), "{err}");
    assert_eq!(
        head("arc/a", &first[1])
            .await
            .unwrap()
            .storage_tier
            .as_deref(),
        Some("Archive")
    );
    let ia = head("ia/a", &first[2]).await.unwrap();
    assert_eq!(ia.storage_tier.as_deref(), Some("InfrequentAccess"));
    get("ia/a", &first[2])
        .await
        .expect("InfrequentAccess is readable");

    // The younger previous versions and the current ones are untouched.
    for (name, v) in ["del/a", "arc/a", "ia/a"].iter().zip(&second) {
        let h = head(name, v).await.unwrap();
        assert_eq!(h.storage_tier.as_deref(), Some("Standard"), "{name}");
    }
    for name in ["del/a", "arc/a", "ia/a"] {
        let cur = os
            .head_object()
            .namespace_name(&ns)
            .bucket_name("vers")
            .object_name(name)
            .send()
            .await
            .unwrap();
        assert_eq!(cur.storage_tier.as_deref(), Some("Standard"), "{name}");
    }

    // A day later the second versions are due too.
    clock.advance(DAY);
    assert_eq!(
        status(&get("del/a", &second[0]).await.unwrap_err()),
        Some(404)
    );
    assert_eq!(
        status(&get("arc/a", &second[1]).await.unwrap_err()),
        Some(409)
    );
    assert_eq!(
        head("ia/a", &second[2])
            .await
            .unwrap()
            .storage_tier
            .as_deref(),
        Some("InfrequentAccess")
    );
}
