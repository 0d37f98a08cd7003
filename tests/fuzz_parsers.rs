//! Property ("fuzz") tests of the parsers that read what users and servers hand us: the config
//! file, PEM/PKCS#1/PKCS#8 keys (plain and encrypted), every generated model's JSON decoder,
//! error bodies, and response headers through the whole client stack.
//!
//! Each target runs for a bounded time in `cargo test` (`OCI_FUZZ_MS`, see
//! `tests/fuzz_support/mod.rs`); `scripts/fuzz.sh <minutes>` runs them longer. The property of
//! every target: any input gives a value or a typed error, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fuzz_support;

use std::time::Duration;

use fuzz_support::{fuzz, mutate, text, ArbResult, Unstructured};
use oci_tower::auth::PrivateKey;
use oci_tower::Config;

const KEYS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/crates/core/tests/fixtures/keys/"
);

fn key(name: &str) -> String {
    std::fs::read_to_string(format!("{KEYS}{name}")).expect("fixture key")
}

// ---------------------------------------------------------------------------------------------
// Config file

const CONFIG_KEYS: &[&str] = &[
    "user",
    "tenancy",
    "fingerprint",
    "key_file",
    "region",
    "pass_phrase",
    "security_token_file",
    "additional_user_agent",
    "USER",
    "Region",
    "",
];

fn config_text(u: &mut Unstructured<'_>) -> ArbResult<String> {
    let mut s = String::new();
    for _ in 0..u.int_in_range(0..=24)? {
        match u.int_in_range(0..=6)? {
            0 => s.push_str(&format!("[{}]", text(u, 12)?)),
            1 => s.push_str(&format!("# {}", text(u, 20)?)),
            2 => s.push_str(&text(u, 40)?),
            3 => s.push_str(&format!("{}:{}", u.choose(CONFIG_KEYS)?, text(u, 30)?)),
            _ => {
                let sp = *u.choose(&["", " ", "\t", "  "])?;
                s.push_str(&format!(
                    "{sp}{}{sp}={sp}{}",
                    u.choose(CONFIG_KEYS)?,
                    text(u, 40)?
                ));
            }
        }
        s.push_str(u.choose(&["\n", "\r\n", "\r", "\n\n"])?);
    }
    Ok(s)
}

#[test]
fn fuzz_config_file() {
    let valid = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/core/tests/fixtures/config/config"
    ))
    .expect("fixture config");
    fuzz("config_file", |u| {
        let text = if u.arbitrary()? {
            config_text(u)?
        } else {
            String::from_utf8_lossy(&mutate(u, valid.clone().into_bytes())?).into_owned()
        };
        let profile = match u.int_in_range(0..=3)? {
            0 => None,
            1 => Some("DEFAULT".to_owned()),
            2 => Some("ENCRYPTED".to_owned()),
            _ => Some(fuzz_support::text(u, 8)?),
        };
        if let Ok(config) = Config::from_text(&text, profile.as_deref()) {
            // A loaded profile names a user, a tenancy and a key; a region, if any, resolves or
            // is a typed error; Debug never shows the passphrase.
            let _ = config.region();
            let shown = format!("{config:?}");
            if let Some(p) = config.pass_phrase.as_ref() {
                let p = p.expose();
                if p.len() >= 4 && !"ocid1.user.tenancy.fingerprint.key_file".contains(p) {
                    assert!(!shown.contains(p), "passphrase in Debug: {shown}");
                }
            }
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Keys

/// PEM files mutated as text, and with their DER mutated under a re-encoded PEM armour.
#[test]
fn fuzz_private_key_pem() {
    use base64::Engine as _;
    let names = [
        "rsa_pkcs1.pem",
        "rsa_pkcs8.pem",
        "rsa_public.pem",
        "rsa_cert.pem",
        "ec_pkcs8.pem",
        "ed25519_pkcs8.pem",
        "rsa_pkcs1_aes128.pem",
        "rsa_pkcs1_des3.pem",
        "rsa_pkcs8_aes128_sha1.pem",
        "rsa_pkcs8_des3.pem",
        "rsa_pkcs8_pbe_sha1_3des.pem",
    ];
    let pems: Vec<String> = names.iter().map(|n| key(n)).collect();
    let b64 = base64::engine::general_purpose::STANDARD;
    fuzz("private_key_pem", |u| {
        let pem = u.choose(&pems)?;
        let encrypted = pem.contains("ENCRYPTED");
        let bytes = if u.arbitrary()? {
            mutate(u, pem.clone().into_bytes())?
        } else {
            // Keep the armour (and legacy PEM headers), change the DER inside.
            let lines: Vec<&str> = pem.lines().collect();
            let (head, body): (Vec<&str>, Vec<&str>) = lines
                .iter()
                .partition(|l| l.starts_with("-----") || l.contains(':') || l.is_empty());
            let der = b64.decode(body.concat()).unwrap_or_default();
            let der = mutate(u, der)?;
            let mut out = String::new();
            for l in head.iter().filter(|l| !l.starts_with("-----END")) {
                out.push_str(l);
                out.push('\n');
            }
            let enc = b64.encode(der);
            for chunk in enc.as_bytes().chunks(64) {
                out.push_str(std::str::from_utf8(chunk).unwrap());
                out.push('\n');
            }
            out.push_str(
                head.iter()
                    .find(|l| l.starts_with("-----END"))
                    .unwrap_or(&""),
            );
            out.into_bytes()
        };
        let pass = match u.int_in_range(0..=2)? {
            0 => None,
            1 => Some("test-passphrase".to_owned()),
            _ => Some(text(u, 12)?),
        };
        let started = std::time::Instant::now();
        match PrivateKey::from_pem(&bytes, pass.as_deref()) {
            Ok(k) => {
                assert!(k.bits() >= 2048);
                let dbg = format!("{k:?}");
                assert!(!dbg.contains("MII"), "key material in Debug: {dbg}");
            }
            Err(e) => {
                let shown = format!("{e} {e:?}");
                if let Some(p) = pass.as_deref().filter(|p| p.len() >= 6) {
                    assert!(!shown.contains(p), "passphrase in error: {shown}");
                }
            }
        }
        // An encrypted key's KDF cost comes from the file: a mutated iteration count must not
        // turn one decode into minutes.
        let limit = if encrypted { 20 } else { 5 };
        assert!(
            started.elapsed() < Duration::from_secs(limit),
            "decode took {:?}",
            started.elapsed()
        );
        Ok(())
    });
}

/// Arbitrary bytes (not PEM at all) as a key file.
#[test]
fn fuzz_private_key_bytes() {
    fuzz("private_key_bytes", |u| {
        let bytes: Vec<u8> = u.arbitrary()?;
        let pass: Option<String> = u.arbitrary()?;
        assert!(PrivateKey::from_pem(&bytes, pass.as_deref()).is_err());
        Ok(())
    });
}
