//! Shared helpers of the config tests (`config_*.rs`): fixture keys, a loader that sees an
//! empty environment, config files in temporary directories, and error-message checks.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use oci_core::config::{ConfigError, ConfigLoader};

pub const USER: &str = "ocid1.user.oc1..aaaaaaaatestuser";
pub const TENANCY: &str = "ocid1.tenancy.oc1..aaaaaaaatesttenancy";
pub const FINGERPRINT: &str = "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34";
pub const PASSPHRASE: &str = "test-passphrase";

pub fn key_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(name)
}

pub fn read_key(name: &str) -> Vec<u8> {
    std::fs::read(key_path(name)).unwrap()
}

pub fn no_env(_: &str) -> Option<String> {
    None
}

/// A loader that sees an empty environment and no home directory.
pub fn loader() -> ConfigLoader<'static> {
    ConfigLoader::new().env(no_env)
}

/// A complete `[DEFAULT]` profile using the given key file.
pub fn default_section(key_file: &Path) -> String {
    format!(
        "[DEFAULT]\nuser={USER}\ntenancy={TENANCY}\nfingerprint={FINGERPRINT}\nkey_file={}\n\
         region=us-ashburn-1\n",
        key_file.display()
    )
}

pub fn plain_key() -> PathBuf {
    key_path("rsa_pkcs1.pem")
}

/// Writes `text` as a config file in a temporary directory.
pub fn write_config(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Loads `profile` of `text` from a real file, returning the typed error.
pub fn load_err(text: &str, profile: &str) -> (ConfigError, PathBuf, tempfile::TempDir) {
    let (dir, path) = write_config(text);
    let err = loader().path(&path).profile(profile).load().unwrap_err();
    (err, path, dir)
}

/// Asserts the message names the file, the profile and (when given) the key.
pub fn assert_names(err: &ConfigError, file: &Path, profile: &str, key: Option<&str>) {
    let msg = err.to_string();
    assert!(
        msg.contains(&file.display().to_string()),
        "{msg:?} should name the file {}",
        file.display()
    );
    assert!(
        msg.contains(&format!("[{profile}]")),
        "{msg:?} should name profile [{profile}]"
    );
    if let Some(key) = key {
        assert!(msg.contains(key), "{msg:?} should name key {key}");
        assert_eq!(err.key(), Some(key));
    }
    assert_eq!(err.file(), Some(file));
    assert_eq!(err.profile(), Some(profile));
}

pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    /// Writes a config whose DEFAULT region is `region` at `rel` under the home directory.
    pub fn write(&self, rel: &str, region: &str) -> PathBuf {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = default_section(&plain_key()).replace("us-ashburn-1", region);
        std::fs::write(&path, text).unwrap();
        path
    }
}

pub fn env_with<'a>(vars: &'a [(&'static str, String)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }
}
