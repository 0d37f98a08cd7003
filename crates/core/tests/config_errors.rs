//! Config file loading: bad input, one typed error each.
//!
//! Every test injects the environment and home directory through `ConfigLoader`, so none reads
//! or changes the process environment; the shared helpers are in `config_support`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod config_support;

use config_support::*;
use oci_core::config::ConfigError;
use oci_core::{Config, ErrorKind};
use std::error::Error as _;

// ---------------------------------------------------------------------------------------------
// Bad input: one typed error each
// ---------------------------------------------------------------------------------------------

#[test]
fn file_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing");
    let err = loader().path(&path).profile("DEV").load().unwrap_err();
    assert!(matches!(&err, ConfigError::FileNotFound { .. }), "{err:?}");
    assert_names(&err, &path, "DEV", None);

    // No file anywhere: the default location is named.
    let home = Home::new();
    let err = loader().home(home.path()).load().unwrap_err();
    assert_eq!(err.file(), Some(home.path().join(".oci/config").as_path()));
}

#[test]
fn file_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let err = loader().path(dir.path()).load().unwrap_err();
    assert!(
        matches!(&err, ConfigError::FileUnreadable { .. }),
        "{err:?}"
    );
    assert_names(&err, dir.path(), "DEFAULT", None);

    let (_d, path) = write_config("");
    std::fs::write(&path, b"[DEFAULT]\nuser=\xff\xfe\n").unwrap();
    let err = loader().path(&path).load().unwrap_err();
    assert!(
        matches!(&err, ConfigError::FileUnreadable { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("UTF-8"), "{err}");
}

#[test]
fn profile_not_found_lists_the_profiles() {
    let text = default_section(&plain_key()) + "[A]\nregion=x\n[B]\nregion=y\n";
    let (err, path, _dir) = load_err(&text, "C");
    assert!(
        matches!(&err, ConfigError::ProfileNotFound { available, .. } if available == &["DEFAULT", "A", "B"]),
        "{err:?}"
    );
    assert_names(&err, &path, "C", None);
    assert!(err.to_string().contains("[A], [B]"), "{err}");
}

#[test]
fn default_profile_not_found_when_the_file_has_no_default_section() {
    let text = default_section(&plain_key()).replace("[DEFAULT]", "[DEV]");
    let (err, path, _dir) = load_err(&text, "DEFAULT");
    assert!(
        matches!(&err, ConfigError::ProfileNotFound { .. }),
        "{err:?}"
    );
    assert_names(&err, &path, "DEFAULT", None);
    // The named profile works.
    loader().path(&path).profile("DEV").load().unwrap();
}

#[test]
fn syntax_errors_give_the_line_and_never_the_content() {
    let secret = "s3cret-value-on-a-bad-line";
    let cases: &[(String, usize, &str)] = &[
        (
            format!("user={USER}\n[DEFAULT]\n"),
            1,
            "before the first [profile]",
        ),
        (
            format!("[DEFAULT]\nuser={USER}\n{secret}\n"),
            3,
            "expected `key = value`",
        ),
        (format!("[DEFAULT]\n= {secret}\n"), 2, "without a key name"),
        (
            format!("[DEFAULT]\nuser={USER}\nUser={secret}\n"),
            3,
            "key `user` appears a second time in profile [DEFAULT]",
        ),
        (
            format!("[DEFAULT]\n[DEV]\nregion=a\n[DEV]\nregion={secret}\n"),
            4,
            "profile [DEV] appears a second time",
        ),
    ];
    for (text, line, reason) in cases {
        let (err, path, _dir) = load_err(text, "DEFAULT");
        match &err {
            ConfigError::Syntax { line: l, .. } => assert_eq!(l, line, "{err}"),
            other => panic!("{other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.contains(reason), "{msg:?} should contain {reason:?}");
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains(&format!("line {line}")), "{msg}");
        assert!(!msg.contains(secret), "{msg}");
        assert!(!format!("{err:?}").contains(secret));
    }
}

#[test]
fn missing_required_keys() {
    for key in ["user", "tenancy", "fingerprint", "key_file", "region"] {
        let text: String = default_section(&plain_key())
            .lines()
            .filter(|l| !l.starts_with(&format!("{key}=")))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
            + "[DEV]\n";
        let (err, path, _dir) = load_err(&text, "DEV");
        assert!(
            matches!(&err, ConfigError::MissingKey { key: k, .. } if k == key),
            "{key}: {err:?}"
        );
        assert_names(&err, &path, "DEV", Some(key));
    }
}

#[test]
fn empty_required_value_is_malformed() {
    let text = default_section(&plain_key()).replace(&format!("tenancy={TENANCY}"), "tenancy =");
    let (err, path, _dir) = load_err(&text, "DEFAULT");
    assert!(
        matches!(&err, ConfigError::InvalidValue { key, reason, .. } if key == "tenancy" && reason.contains("empty")),
        "{err:?}"
    );
    assert_names(&err, &path, "DEFAULT", Some("tenancy"));
}

#[test]
fn malformed_ocids() {
    for (key, bad) in [
        ("user", "ocid1.user.oc1.aaaa"),
        ("user", "not-an-ocid"),
        ("tenancy", "ocid1.tenancy.oc1..aaa/bbb"),
        ("tenancy", "ocid1.tenancy.oc1..aaaa."),
        ("tenancy", ".ocid1.tenancy.oc1..aaaa"),
    ] {
        let good = if key == "user" { USER } else { TENANCY };
        let text = default_section(&plain_key()).replace(good, bad);
        let (err, path, _dir) = load_err(&text, "DEFAULT");
        assert!(
            matches!(&err, ConfigError::InvalidValue { key: k, .. } if k == key),
            "{bad}: {err:?}"
        );
        assert_names(&err, &path, "DEFAULT", Some(key));
    }
    // Shapes the SDK accepts: `:` separators, empty middle parts, `-` and `_`.
    for ok in [
        "ocid1:user:oc1::aaa",
        "ocid1.user.oc1.phx.a-b_c",
        "a.b.c.d.e",
    ] {
        let text = default_section(&plain_key()).replace(USER, ok);
        loader().load_text(&text).unwrap();
    }
}

#[test]
fn fingerprint_must_be_sixteen_lowercase_pairs() {
    for (bad, why) in [
        (FINGERPRINT.to_uppercase(), "lowercase"),
        (FINGERPRINT[3..].to_owned(), "16 two-digit hex pairs"),
        (FINGERPRINT.replace(':', ""), "16 two-digit hex pairs"),
        (FINGERPRINT.replace("20:", "2g:"), "hex digits"),
        (format!("{FINGERPRINT}:00"), "16 two-digit hex pairs"),
    ] {
        let text = default_section(&plain_key()).replace(FINGERPRINT, &bad);
        let (err, path, _dir) = load_err(&text, "DEFAULT");
        match &err {
            ConfigError::InvalidValue { key, reason, .. } => {
                assert_eq!(key, "fingerprint");
                assert!(reason.contains(why), "{bad}: {reason}");
            }
            other => panic!("{bad}: {other:?}"),
        }
        assert_names(&err, &path, "DEFAULT", Some("fingerprint"));
    }
}

#[test]
fn key_content_in_a_file_is_refused() {
    // Even inherited from DEFAULT.
    let text =
        default_section(&plain_key()) + "key_content=-----BEGIN RSA PRIVATE KEY-----\n[DEV]\n";
    let (err, path, _dir) = load_err(&text, "DEV");
    assert!(
        matches!(&err, ConfigError::KeyContentInFile { .. }),
        "{err:?}"
    );
    assert_names(&err, &path, "DEV", Some("key_content"));
    assert!(!err.to_string().contains("BEGIN"), "{err}");
}

#[test]
fn key_file_not_found() {
    let missing = key_path("does-not-exist.pem");
    let text = default_section(&missing);
    let (err, path, _dir) = load_err(&text, "DEFAULT");
    assert!(
        matches!(&err, ConfigError::KeyFileNotFound { key_file, .. } if *key_file == missing),
        "{err:?}"
    );
    assert_names(&err, &path, "DEFAULT", Some("key_file"));
    assert!(err.to_string().contains("does-not-exist.pem"), "{err}");
}

#[test]
fn key_file_removed_after_loading_is_reported_by_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    std::fs::copy(plain_key(), &key).unwrap();
    let config = loader().load_text(&default_section(&key)).unwrap();
    std::fs::remove_file(&key).unwrap();
    let err = config.credentials().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    let typed = err.source().unwrap().downcast_ref::<ConfigError>().unwrap();
    assert!(
        matches!(typed, ConfigError::KeyFileNotFound { .. }),
        "{typed:?}"
    );
}

#[test]
fn key_file_unreadable() {
    // A directory exists but cannot be read as a file.
    let dir = tempfile::tempdir().unwrap();
    let config = loader().load_text(&default_section(&plain_key())).unwrap();
    let config = Config {
        key_file: dir.path().to_path_buf(),
        ..config
    };
    let err = config.private_key().unwrap_err();
    let typed = err.source().unwrap().downcast_ref::<ConfigError>().unwrap();
    assert!(
        matches!(typed, ConfigError::KeyFileUnreadable { .. }),
        "{typed:?}"
    );
    assert_eq!(typed.key(), Some("key_file"));
    assert!(
        err.to_string().contains("config text, profile [DEFAULT]"),
        "{err}"
    );
}
