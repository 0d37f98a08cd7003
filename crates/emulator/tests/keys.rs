//! The seeded user's key: the built-in test key by default (fast in debug builds), a fresh one
//! when asked for or when the emulator is reachable from elsewhere.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use oci_emulator::Emulator;

/// The fingerprint of `keys/builtin-test-key.pem`.
const BUILT_IN: &str = "61:a7:74:d1:65:19:60:db:3d:53:7e:15:5f:43:bf:ef";

#[tokio::test]
async fn the_built_in_key_by_default_and_a_fresh_one_when_asked_or_reachable() {
    let default = Emulator::builder().start().await.unwrap();
    assert_eq!(default.fingerprint(), BUILT_IN);
    let fresh = Emulator::builder().fresh_key(true).start().await.unwrap();
    assert_ne!(fresh.fingerprint(), BUILT_IN);
    let reachable = Emulator::builder()
        .listen("0.0.0.0:0".parse().unwrap())
        .start()
        .await
        .unwrap();
    assert_ne!(reachable.fingerprint(), BUILT_IN);
    // Either way the client signs with the matching key.
    for emu in [&default, &fresh] {
        let c = emu.client_builder().build().unwrap();
        let req = http::Request::get(format!("{}/20160918/regions", emu.endpoint()))
            .body(oci_core::Body::empty())
            .unwrap();
        assert_eq!(c.call(req).await.unwrap().status(), 200);
    }
}
