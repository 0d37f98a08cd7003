//! The `DropAfterCommit` fault: the request is handled and its writes kept, then the connection
//! drops before any answer; a retry with the same `opc-retry-token` creates nothing twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use oci_core::layers::retry::{Jitter, RetryPolicy};
use oci_emulator::{Fault, FaultAction};
use oci_identity::models::CreateGroupDetails;
use oci_identity::IdentityClient;
use std::time::Duration;

fn details(emu: &oci_emulator::Emulator, name: &str) -> CreateGroupDetails {
    CreateGroupDetails {
        compartment_id: emu.tenancy_id().into(),
        name: name.into(),
        description: "d".into(),
        ..Default::default()
    }
}

async fn groups_named(
    identity: &IdentityClient,
    emu: &oci_emulator::Emulator,
    name: &str,
) -> usize {
    let all = identity
        .list_groups()
        .compartment_id(emu.tenancy_id())
        .send()
        .await
        .unwrap()
        .body;
    all.iter().filter(|g| g.name == name).count()
}

#[tokio::test]
async fn the_write_is_kept_and_no_answer_comes() {
    let emu = common::start().await;
    let id = emu.add_fault(Fault::drop_after_commit().operation("CreateGroup").first(1));
    let raw = IdentityClient::new(common::client(&emu));
    let err = raw
        .create_group()
        .create_group_details(details(&emu, "kept"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_transport(), "{err}");
    assert_eq!(
        groups_named(&raw, &emu, "kept").await,
        1,
        "the write was committed"
    );
    let status = emu.faults().into_iter().find(|f| f.id == id).unwrap();
    assert_eq!(status.fired, 1);
    assert_eq!(
        serde_json::to_value(FaultAction::DropAfterCommit).unwrap()["type"],
        "dropAfterCommit"
    );
}

#[tokio::test]
async fn a_retry_with_the_token_creates_once() {
    let emu = common::start().await;
    emu.add_fault(Fault::drop_after_commit().operation("CreateGroup").first(2));
    let client = emu
        .client_builder()
        .retry_policy(
            RetryPolicy::builder()
                .max_attempts(4)
                .base_delay(Duration::from_millis(5))
                .jitter(Jitter::None)
                .build(),
        )
        .build()
        .unwrap();
    let identity = IdentityClient::new(client);
    let g = identity
        .create_group()
        .create_group_details(details(&emu, "once"))
        .send()
        .await
        .unwrap();
    assert_eq!(g.body.name, "once");
    assert_eq!(groups_named(&identity, &emu, "once").await, 1);
    let attempts = emu
        .journal()
        .iter()
        .filter(|e| e.operation == "CreateGroup")
        .count();
    assert_eq!(attempts, 3);
}
