//! The generated Object Storage operations against the emulator's rules: retention rules,
//! lifecycle policies, archive + restore and SSE-C, on the emulator's clock.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::time::Duration as StdDuration;

use base64::Engine as _;
use common::*;
use oci_objectstorage::models::{
    CreateBucketDetails, CreateRetentionRuleDetails, Duration, DurationTimeUnit,
    ObjectLifecycleRule, ObjectLifecycleRuleTimeUnit, PutObjectLifecyclePolicyDetails,
    RestoreObjectsDetails,
};
use oci_objectstorage::ObjectStorageClient;
use sha2::{Digest as _, Sha256};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn status(e: &oci_core::Error) -> Option<u16> {
    e.status().map(|s| s.as_u16())
}

#[tokio::test]
async fn typed_operations_see_retention_lifecycle_archive_and_sse_c() {
    let clock = manual_clock();
    let emu = builder().clock(clock.clone()).start().await.unwrap();
    let os = ObjectStorageClient::new(client(&emu));
    let ns = os.get_namespace().send().await.unwrap().body;
    os.create_bucket()
        .namespace_name(&ns)
        .create_bucket_details(CreateBucketDetails {
            name: "typed".into(),
            compartment_id: emu.tenancy_id().into(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let put = |name: &str, body: &'static str| {
        os.put_object()
            .namespace_name(&ns)
            .bucket_name("typed")
            .object_name(name)
            .put_object_body(oci_core::Body::from(body))
    };

    // Retention: the delete is 409 until the rule is gone.
    put("kept", "kept").send().await.unwrap();
    let rule = os
        .create_retention_rule()
        .namespace_name(&ns)
        .bucket_name("typed")
        .create_retention_rule_details(CreateRetentionRuleDetails {
            display_name: Some("one-day".into()),
            duration: Some(Duration {
                time_amount: 1,
                time_unit: DurationTimeUnit::Days,
            }),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .body;
    let listed = os
        .list_retention_rules()
        .namespace_name(&ns)
        .bucket_name("typed")
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(listed.items[0].id, rule.id);
    let delete_kept = || {
        os.delete_object()
            .namespace_name(&ns)
            .bucket_name("typed")
            .object_name("kept")
            .send()
    };
    let err = delete_kept().await.unwrap_err();
    assert_eq!(status(&err), Some(409));
    clock.advance(StdDuration::from_secs(86_401));
    delete_kept().await.expect("the rule's day has passed");
    os.delete_retention_rule()
        .namespace_name(&ns)
        .bucket_name("typed")
        .retention_rule_id(&rule.id)
        .send()
        .await
        .unwrap();

    // Lifecycle: a DELETE rule of one day removes the object a day later.
    put("old", "old").send().await.unwrap();
    os.put_object_lifecycle_policy()
        .namespace_name(&ns)
        .bucket_name("typed")
        .put_object_lifecycle_policy_details(PutObjectLifecyclePolicyDetails {
            items: Some(vec![ObjectLifecycleRule {
                name: "expire".into(),
                action: "DELETE".into(),
                time_amount: 1,
                time_unit: ObjectLifecycleRuleTimeUnit::Days,
                is_enabled: true,
                target: None,
                object_name_filter: None,
            }]),
        })
        .send()
        .await
        .unwrap();
    let policy = os
        .get_object_lifecycle_policy()
        .namespace_name(&ns)
        .bucket_name("typed")
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(policy.items.unwrap()[0].name, "expire");
    let head_old = || {
        os.head_object()
            .namespace_name(&ns)
            .bucket_name("typed")
            .object_name("old")
            .send()
    };
    head_old().await.expect("not due yet");
    clock.advance(StdDuration::from_secs(86_401));
    assert_eq!(status(&head_old().await.unwrap_err()), Some(404));
    os.delete_object_lifecycle_policy()
        .namespace_name(&ns)
        .bucket_name("typed")
        .send()
        .await
        .unwrap();

    // Archive + restore.
    put("cold", "cold")
        .storage_tier("Archive")
        .send()
        .await
        .unwrap();
    let get_cold = || {
        os.get_object()
            .namespace_name(&ns)
            .bucket_name("typed")
            .object_name("cold")
            .send()
    };
    assert_eq!(status(&get_cold().await.unwrap_err()), Some(409));
    os.restore_objects()
        .namespace_name(&ns)
        .bucket_name("typed")
        .restore_objects_details(RestoreObjectsDetails {
            object_name: "cold".into(),
            hours: Some(1),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let head = os
        .head_object()
        .namespace_name(&ns)
        .bucket_name("typed")
        .object_name("cold")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (head.storage_tier.as_deref(), head.archival_state.as_deref()),
        (Some("Archive"), Some("Restoring"))
    );
    clock.advance(StdDuration::from_secs(3601));
    let got = get_cold().await.unwrap();
    assert_eq!(&bytes_of(got.body).await[..], b"cold");

    // SSE-C: the key reads the object back; no key is 400, another key 403.
    let key = [42u8; 32];
    let (k, sha) = (B64.encode(key), B64.encode(Sha256::digest(key)));
    put("sealed", "sealed")
        .opc_sse_customer_algorithm("AES256")
        .opc_sse_customer_key(k.clone())
        .opc_sse_customer_key_sha256(sha.clone())
        .send()
        .await
        .unwrap();
    let get_sealed = || {
        os.get_object()
            .namespace_name(&ns)
            .bucket_name("typed")
            .object_name("sealed")
    };
    let got = get_sealed()
        .opc_sse_customer_algorithm("AES256")
        .opc_sse_customer_key(k)
        .opc_sse_customer_key_sha256(sha)
        .send()
        .await
        .unwrap();
    assert_eq!(&bytes_of(got.body).await[..], b"sealed");
    assert_eq!(status(&get_sealed().send().await.unwrap_err()), Some(400));
    let other = [43u8; 32];
    let err = get_sealed()
        .opc_sse_customer_algorithm("AES256")
        .opc_sse_customer_key(B64.encode(other))
        .opc_sse_customer_key_sha256(B64.encode(Sha256::digest(other)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(403));
}

async fn bytes_of(body: oci_core::Body) -> bytes::Bytes {
    body.collect().await.unwrap()
}
