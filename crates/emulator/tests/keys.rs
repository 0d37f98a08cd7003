//! The seeded user's key: the built-in test key by default (fast in debug builds), a fresh one
//! when asked for or when the emulator is reachable from elsewhere; the config file and key
//! that `Emulator::write_config` writes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use common::start;
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
