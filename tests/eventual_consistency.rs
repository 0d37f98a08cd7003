//! Eventual consistency after Identity writes (`ClientBuilder::eventual_consistency`), against
//! the emulator answering `404 NotAuthorizedOrNotFound` for a while after each write.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oci_core::clock::Clock;
use oci_emulator::{Emulator, Fault};
use oci_tower::identity::models::CreateUserDetails;
use oci_tower::identity::IdentityClient;
use oci_tower::Client;

/// Wall-clock time that moves with tokio's (paused) clock, shared by emulator and client.
#[derive(Debug)]
struct TokioClock {
    base: SystemTime,
    start: tokio::time::Instant,
}

impl Clock for TokioClock {
    fn now(&self) -> SystemTime {
        self.base + self.start.elapsed()
    }
}

/// The emulator (404 on `GetUser` for `window` after each Identity write) and a client.
async fn setup(eventual_consistency: bool, window: Duration) -> (Emulator, Client) {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock {
        base: UNIX_EPOCH + Duration::from_secs(1_750_000_000),
        start: tokio::time::Instant::now(),
    });
    let emu = Emulator::builder()
        .seed(5)
        .clock(clock)
        .start()
        .await
        .unwrap();
    emu.add_fault(
        Fault::status(404, "NotAuthorizedOrNotFound")
            .service("identity")
            .operation("GetUser")
            .after_write(window),
    );
    let client = emu
        .client_builder()
        .eventual_consistency(eventual_consistency)
        .build()
        .unwrap();
    (emu, client)
}

async fn create_user(emu: &Emulator, identity: &IdentityClient) -> String {
    identity
        .create_user()
        .create_user_details(CreateUserDetails {
            compartment_id: emu.tenancy_id().to_owned(),
            name: "new-user".into(),
            description: "d".into(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .body
        .id
}

fn get_user_attempts(emu: &Emulator) -> Vec<Option<u16>> {
    emu.journal()
        .iter()
        .filter(|e| e.operation == "GetUser")
        .map(|e| e.status)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_new_user_is_read_through_the_window_when_eventual_consistency_is_on() {
    let (emu, client) = setup(true, Duration::from_secs(30)).await;
    let identity = IdentityClient::new(client.clone());
    let id = create_user(&emu, &identity).await;
    let window = client.eventual_consistency().expect("on");
    assert!(window.is_active(), "the write opened the window");

    let started = tokio::time::Instant::now();
    let user = identity.get_user().user_id(&id).send().await.unwrap();
    assert_eq!(user.body.id, id);
    let took = started.elapsed();
    let attempts = get_user_attempts(&emu);
    assert_eq!(attempts.last(), Some(&Some(200)), "{attempts:?}");
    assert!(
        attempts.len() >= 3
            && attempts[..attempts.len() - 1]
                .iter()
                .all(|s| *s == Some(404)),
        "{attempts:?}"
    );
    // It waited out the emulator's 30 s, on a schedule spread over the 240 s window.
    assert!(
        took >= Duration::from_secs(30) && took < Duration::from_secs(240),
        "{took:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn without_it_the_404_comes_back_at_once() {
    let (emu, client) = setup(false, Duration::from_secs(30)).await;
    let identity = IdentityClient::new(client.clone());
    let id = create_user(&emu, &identity).await;
    assert!(client.eventual_consistency().is_none());
    let err = identity.get_user().user_id(&id).send().await.unwrap_err();
    assert_eq!(err.code(), Some("NotAuthorizedOrNotFound"));
    assert_eq!(get_user_attempts(&emu), vec![Some(404)]);
}

#[tokio::test(start_paused = true)]
async fn retries_end_with_the_window_and_none_after_it() {
    // The emulator stays inconsistent far longer than the SDK's 240 s window.
    let (emu, client) = setup(true, Duration::from_secs(3_600)).await;
    let identity = IdentityClient::new(client.clone());
    let id = create_user(&emu, &identity).await;

    let started = tokio::time::Instant::now();
    let err = identity.get_user().user_id(&id).send().await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.code(), Some("NotAuthorizedOrNotFound"));
    // Go's schedule: 9 attempts, sleeps scaled to end with the window (plus < 1 s jitter each).
    assert_eq!(get_user_attempts(&emu).len(), 9, "{err}");
    assert!(
        took >= Duration::from_secs(235) && took <= Duration::from_secs(250),
        "{took:?}"
    );

    // The window is over: the same error is not retried any more.
    assert!(!client.eventual_consistency().unwrap().is_active());
    let before = get_user_attempts(&emu).len();
    let err = identity.get_user().user_id(&id).send().await.unwrap_err();
    assert_eq!(err.code(), Some("NotAuthorizedOrNotFound"));
    assert_eq!(get_user_attempts(&emu).len(), before + 1);
}

#[tokio::test(start_paused = true)]
async fn a_per_call_retry_policy_wins_over_the_window() {
    let (emu, client) = setup(true, Duration::from_secs(30)).await;
    let identity = IdentityClient::new(client.clone());
    let id = create_user(&emu, &identity).await;
    let opts = oci_core::layers::CallOptions::builder()
        .retry_policy(oci_core::layers::RetryPolicy::none())
        .build();
    let err = identity
        .get_user()
        .user_id(&id)
        .send_with(opts)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NotAuthorizedOrNotFound"));
    assert_eq!(get_user_attempts(&emu), vec![Some(404)]);
}
