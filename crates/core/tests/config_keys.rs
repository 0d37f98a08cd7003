//! Private keys of a config profile: key errors, passphrases and secrets, key formats.
//!
//! Every test injects the environment and home directory through `ConfigLoader`, so none reads
//! or changes the process environment; the shared helpers are in `config_support`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod config_support;

use config_support::*;
use oci_core::auth::{KeyError, PrivateKey};
use oci_core::config::ConfigError;
use oci_core::{Config, ErrorKind};
use std::error::Error as _;

// ---------------------------------------------------------------------------------------------
// Key errors: one typed error each
// ---------------------------------------------------------------------------------------------

/// Loads `key_name` through profile `[DEV]` (with `pass_phrase` when given) and checks the
/// typed error of `credentials()`.
fn assert_key_error(key_name: &str, pass_phrase: Option<&str>, expected: fn(&KeyError) -> bool) {
    let mut text = default_section(&key_path(key_name)) + "[DEV]\n";
    if let Some(p) = pass_phrase {
        text += &format!("pass_phrase={p}\n");
    }
    let (_dir, path) = write_config(&text);
    let config = loader().path(&path).profile("DEV").load().unwrap();
    let err = config.credentials().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials, "{err}");
    let typed = err.source().unwrap().downcast_ref::<ConfigError>().unwrap();
    assert!(
        matches!(typed, ConfigError::Key { .. }),
        "{key_name}: {typed:?}"
    );
    assert!(
        expected(typed.key_error().unwrap()),
        "{key_name}: {typed:?}"
    );
    assert_names(typed, &path, "DEV", Some("key_file"));
    assert!(typed.to_string().contains(key_name), "{typed}");
    assert_eq!(err.to_string(), typed.to_string());
    if let Some(p) = pass_phrase {
        assert!(!err.to_string().contains(p));
        assert!(!format!("{err:?}").contains(p));
    }
}

#[test]
fn public_key_given() {
    assert_key_error("rsa_public.pem", None, |e| *e == KeyError::PublicKey);
    assert_key_error("rsa_cert.pem", None, |e| *e == KeyError::PublicKey);
}

#[test]
fn passphrase_missing() {
    for name in [
        "rsa_pkcs1_aes256.pem",
        "rsa_pkcs1_des3.pem",
        "rsa_pkcs8_aes256.pem",
        "rsa_pkcs8_pbe_sha1_3des.pem",
        "genrsa_default_aes256.pem",
    ] {
        assert_key_error(name, None, |e| *e == KeyError::PassphraseRequired);
    }
}

#[test]
fn passphrase_wrong() {
    for name in [
        "rsa_pkcs1_aes256.pem",
        "rsa_pkcs1_aes128.pem",
        "rsa_pkcs1_des3.pem",
        "rsa_pkcs8_aes256.pem",
        "rsa_pkcs8_des3.pem",
        "rsa_pkcs8_aes128_sha1.pem",
        "rsa_pkcs8_pbe_sha1_3des.pem",
        "rsa_pkcs8_pbe_sha1_2des.pem",
    ] {
        assert_key_error(name, Some("not-the-passphrase"), |e| {
            *e == KeyError::WrongPassphrase
        });
    }
}

#[test]
fn not_rsa() {
    for name in ["ec_sec1.pem", "ec_pkcs8.pem"] {
        assert_key_error(
            name,
            None,
            |e| matches!(e, KeyError::NotRsa(k) if k.contains("EC")),
        );
    }
    assert_key_error(
        "ed25519_pkcs8.pem",
        None,
        |e| matches!(e, KeyError::NotRsa(k) if k.contains("Ed25519")),
    );
}

#[test]
fn malformed_key() {
    assert_key_error("README.md", None, |e| matches!(e, KeyError::Malformed(_)));
    assert_key_error("message.sig", None, |e| matches!(e, KeyError::Malformed(_)));
}

#[test]
fn pbes1_rc2_encryption_is_a_clear_unsupported_error() {
    // PBES1 with DES (`rsa_pkcs8_pbes1_md5_des.pem`) loads now (tests/keys.rs); RC2 does not.
    assert_key_error(
        "rsa_pkcs8_pbes1_sha1_rc2.pem",
        Some(PASSPHRASE),
        |e| matches!(e, KeyError::UnsupportedEncryption(s) if s.contains("PBES1")),
    );
}

#[test]
fn session_token_profile_needs_no_user_and_signs_with_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "tok.en-1\n").unwrap();
    let text = default_section(&plain_key()).replace(&format!("user={USER}\n"), "")
        + &format!("security_token_file={}\n", token_file.display());
    let config = loader().load_text(&text).unwrap();
    assert_eq!(config.user, "");
    assert_eq!(
        config.security_token_file.as_deref(),
        Some(token_file.as_path())
    );
    let creds = config.credentials().unwrap();
    assert_eq!(creds.key_id().unwrap(), "ST$tok.en-1");
    assert_eq!(creds.private_key().unwrap().bits(), 2048);

    // A missing token file is a typed credentials error naming the path.
    std::fs::remove_file(&token_file).unwrap();
    let err = config.credentials().unwrap_err();
    assert!(err.is_credentials(), "{err:?}");
    assert!(err.to_string().contains("token"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Passphrases, secrets and the crate Error
// ---------------------------------------------------------------------------------------------

#[test]
fn encrypted_key_loads_with_the_profile_pass_phrase() {
    for name in [
        "rsa_pkcs1_aes256.pem",
        "rsa_pkcs1_des3.pem",
        "rsa_pkcs8_aes256.pem",
    ] {
        let text = default_section(&key_path(name)) + &format!("pass_phrase={PASSPHRASE}\n");
        let config = loader().load_text(&text).unwrap();
        let creds = config.credentials().unwrap();
        assert_eq!(
            creds.key_id().unwrap(),
            format!("{TENANCY}/{USER}/{FINGERPRINT}")
        );
        assert_eq!(creds.private_key().unwrap().bits(), 2048);
    }
}

#[test]
fn pass_phrase_inherited_from_default() {
    // An encrypted key in a profile, its passphrase in DEFAULT.
    let text = default_section(&plain_key())
        + &format!(
            "pass_phrase={PASSPHRASE}\n[ENC]\nkey_file={}\n",
            key_path("rsa_pkcs1_aes256.pem").display()
        );
    let enc = loader().profile("ENC").load_text(&text).unwrap();
    enc.private_key().unwrap();
    // The unencrypted DEFAULT key loads although a passphrase is set, as in the SDK.
    let plain = loader().load_text(&text).unwrap();
    assert!(plain.pass_phrase.is_some());
    plain.private_key().unwrap();
}

#[test]
fn go_passphrase_alias_is_accepted() {
    let text =
        default_section(&key_path("rsa_pkcs8_aes256.pem")) + &format!("passphrase={PASSPHRASE}\n");
    let config = loader().load_text(&text).unwrap();
    assert!(!config.extra.contains_key("passphrase"));
    config.private_key().unwrap();
}

#[test]
fn debug_output_never_shows_the_passphrase() {
    let secret = "very-secret-passphrase-123";
    let text = default_section(&plain_key())
        + &format!("pass_phrase={secret}\npassphrase={secret}\nlog_requests=false\n");
    let config = loader().load_text(&text).unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains(secret), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
    assert!(debug.contains("log_requests"), "{debug}");
    assert!(debug.contains(USER), "{debug}");
    let debug = format!("{:?}", config.credentials().unwrap());
    assert!(!debug.contains(secret), "{debug}");
    assert!(!debug.contains("BEGIN"), "{debug}");
}

#[test]
fn errors_convert_to_the_crate_error_keeping_the_typed_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, default_section(&plain_key())).unwrap();
    let err = Config::from_file(Some(&path), Some("NOPE")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.is_config());
    let typed = err.source().unwrap().downcast_ref::<ConfigError>().unwrap();
    assert!(
        matches!(typed, ConfigError::ProfileNotFound { .. }),
        "{typed:?}"
    );
    assert_eq!(err.to_string(), typed.to_string());

    let config = Config::from_file(Some(&path), None).unwrap();
    assert_eq!(config.profile, "DEFAULT");
    let with_region = Config {
        region: None,
        ..config
    };
    let err = with_region.region().unwrap_err();
    assert!(err.is_config());
    assert!(err.to_string().contains("region"), "{err}");

    // Key problems are credentials errors, with the KeyError at the end of the chain.
    let (_d, path) = write_config(
        &(default_section(&key_path("rsa_pkcs8_aes256.pem")) + "pass_phrase=wrong-one\n"),
    );
    let err = Config::from_file(Some(&path), None)
        .unwrap()
        .credentials()
        .unwrap_err();
    assert!(err.is_credentials());
    let key_error = err
        .source()
        .and_then(|s| s.source())
        .and_then(|s| s.downcast_ref::<KeyError>())
        .unwrap();
    assert_eq!(*key_error, KeyError::WrongPassphrase);
    assert!(!format!("{err:?}").contains("wrong-one"));
}

#[test]
fn from_text_and_from_str() {
    let text = default_section(&plain_key()) + "[DEV]\nregion=ap-tokyo-1\n";
    let dev = Config::from_text(&text, Some("DEV")).unwrap();
    assert_eq!(dev.region.as_deref(), Some("ap-tokyo-1"));
    assert!(dev.file.is_none());
    let default: Config = text.parse().unwrap();
    assert_eq!(default.region.as_deref(), Some("us-ashburn-1"));
    let err = Config::from_text("[DEV]\n", None).unwrap_err();
    assert!(err.to_string().contains("config text"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Private key formats
// ---------------------------------------------------------------------------------------------

#[test]
fn every_format_loads_to_the_same_key_as_openssl() {
    let message = read_key("message.txt");
    let expected = read_key("message.sig");
    for (name, pass) in [
        ("rsa_pkcs1.pem", None),
        ("rsa_pkcs8.pem", None),
        ("rsa_pkcs1_aes256.pem", Some(PASSPHRASE)),
        ("rsa_pkcs1_aes128.pem", Some(PASSPHRASE)),
        ("rsa_pkcs1_des3.pem", Some(PASSPHRASE)),
        ("rsa_pkcs8_aes256.pem", Some(PASSPHRASE)),
        ("rsa_pkcs8_aes128_sha1.pem", Some(PASSPHRASE)),
        ("rsa_pkcs8_des3.pem", Some(PASSPHRASE)),
        ("rsa_pkcs8_pbe_sha1_3des.pem", Some(PASSPHRASE)),
        ("rsa_pkcs8_pbe_sha1_2des.pem", Some(PASSPHRASE)),
        // A passphrase given for an unencrypted key is ignored.
        ("rsa_pkcs1.pem", Some(PASSPHRASE)),
        ("rsa_pkcs8.pem", Some(PASSPHRASE)),
    ] {
        let key =
            PrivateKey::from_pem(&read_key(name), pass).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(key.bits(), 2048, "{name}");
        let sig = key.sign_sha256(&message).unwrap();
        assert_eq!(sig, expected, "{name} signs differently from openssl");
    }
}

#[test]
fn openssl3_genrsa_default_encryption_loads() {
    let pem = read_key("genrsa_default_aes256.pem");
    assert!(String::from_utf8_lossy(&pem).contains("BEGIN ENCRYPTED PRIVATE KEY"));
    let key = PrivateKey::from_pem(&pem, Some(PASSPHRASE)).unwrap();
    assert_eq!(key.sign_sha256(b"x").unwrap().len(), 256);
}

#[test]
fn pem_with_surrounding_text_and_crlf_loads() {
    let pem = String::from_utf8(read_key("rsa_pkcs8.pem")).unwrap();
    let wrapped = format!(
        "Bag Attributes\r\n    localKeyID: 01 02 03\r\nKey Attributes: <No Attributes>\r\n{}\r\n{}",
        pem.replace('\n', "\r\n"),
        String::from_utf8(read_key("rsa_cert.pem")).unwrap()
    );
    let key = PrivateKey::from_pem(wrapped.as_bytes(), None).unwrap();
    let sig = key.sign_sha256(&read_key("message.txt")).unwrap();
    assert_eq!(sig, read_key("message.sig"));
}

#[test]
fn key_errors_from_pem_directly() {
    let cases: Vec<(Vec<u8>, Option<&str>, KeyError)> = vec![
        (
            read_key("rsa_pkcs1_aes256.pem"),
            None,
            KeyError::PassphraseRequired,
        ),
        (
            read_key("rsa_pkcs8_aes256.pem"),
            None,
            KeyError::PassphraseRequired,
        ),
        (
            read_key("rsa_pkcs1_aes256.pem"),
            Some("nope"),
            KeyError::WrongPassphrase,
        ),
        (
            read_key("rsa_pkcs8_aes256.pem"),
            Some("nope"),
            KeyError::WrongPassphrase,
        ),
        (read_key("rsa_public.pem"), None, KeyError::PublicKey),
        (
            b"ssh-rsa AAAAB3NzaC1yc2E user@host\n".to_vec(),
            None,
            KeyError::PublicKey,
        ),
    ];
    for (pem, pass, expected) in cases {
        assert_eq!(PrivateKey::from_pem(&pem, pass).unwrap_err(), expected);
    }
    for bad in [
        &b""[..],
        b"hello",
        b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n",
        b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        b"-----BEGIN RSA PRIVATE KEY-----\n!!!!\n-----END RSA PRIVATE KEY-----\n",
        b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
        b"\xff\xfe",
    ] {
        let err = PrivateKey::from_pem(bad, None).unwrap_err();
        assert!(matches!(err, KeyError::Malformed(_)), "{err:?}");
    }
    // A legacy header naming an unknown cipher.
    let pem = String::from_utf8(read_key("rsa_pkcs1_aes256.pem"))
        .unwrap()
        .replace("AES-256-CBC", "CAMELLIA-256-CBC");
    assert!(matches!(
        PrivateKey::from_pem(pem.as_bytes(), Some(PASSPHRASE)).unwrap_err(),
        KeyError::UnsupportedEncryption(_)
    ));
}

#[test]
fn key_error_messages_never_contain_key_material_or_passphrase() {
    let pem = String::from_utf8(read_key("rsa_pkcs1_aes256.pem")).unwrap();
    let body_line = pem.lines().nth(4).unwrap();
    for pass in [None, Some("a-wrong-passphrase")] {
        let err = PrivateKey::from_pem(pem.as_bytes(), pass).unwrap_err();
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains(body_line));
            assert!(!shown.contains("a-wrong-passphrase"));
        }
    }
}
