//! Private-key formats and encryption schemes beyond those in `config.rs`: every cipher and PBE
//! scheme `openssl` writes (each fixture is the same key, so each must sign exactly as
//! `openssl dgst -sign` did), and the typed errors for keys this SDK cannot read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use oci_core::auth::{KeyError, PrivateKey};

const PASSPHRASE: &str = "test-passphrase";

fn read_key(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/keys")
            .join(name),
    )
    .unwrap()
}

/// Encrypted with `test-passphrase` by the commands in fixtures/keys/README.md.
const ENCRYPTED: &[&str] = &[
    "rsa_pkcs1_aes192.pem",         // genrsa/rsa -traditional -aes192
    "rsa_pkcs1_des.pem",            // rsa -traditional -des (DES-CBC)
    "rsa_pkcs8_aes192.pem",         // pkcs8 -v2 aes192
    "rsa_pkcs8_aes256_sha1.pem",    // pkcs8 -v2 aes256 -v2prf hmacWithSHA1
    "rsa_pkcs8_des3_sha1.pem",      // pkcs8 -v2 des3 -v2prf hmacWithSHA1
    "rsa_pkcs8_des.pem",            // pkcs8 -v2 des
    "rsa_pkcs8_scrypt.pem",         // pkcs8 -scrypt
    "rsa_pkcs8_pbes1_md5_des.pem",  // pkcs8 -v1 PBE-MD5-DES (PKCS#5 PBES1)
    "rsa_pkcs8_pbes1_sha1_des.pem", // pkcs8 -v1 PBE-SHA1-DES (PKCS#5 PBES1)
];

#[test]
fn every_openssl_cipher_and_scheme_signs_like_the_plain_key() {
    let message = read_key("message.txt");
    let expected = read_key("message.sig");
    for name in ENCRYPTED {
        let key = PrivateKey::from_pem(&read_key(name), Some(PASSPHRASE))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            key.sign_sha256(&message).unwrap(),
            expected,
            "{name} signs differently from openssl"
        );
    }
}

#[test]
fn each_needs_its_passphrase_and_rejects_a_wrong_one() {
    for name in ENCRYPTED {
        let pem = read_key(name);
        assert_eq!(
            PrivateKey::from_pem(&pem, None).unwrap_err(),
            KeyError::PassphraseRequired,
            "{name}"
        );
        let err = PrivateKey::from_pem(&pem, Some("not-the-passphrase")).unwrap_err();
        assert_eq!(err, KeyError::WrongPassphrase, "{name}");
        assert!(!format!("{err} {err:?}").contains("not-the-passphrase"));
    }
}

#[test]
fn rc2_and_rc4_schemes_are_named_with_the_reencrypt_command() {
    for (name, scheme) in [
        ("rsa_pkcs8_pbes1_sha1_rc2.pem", "PBE-SHA1-RC2-64"),
        ("rsa_pkcs8_pbe_sha1_rc4.pem", "PBE-SHA1-RC4-128"),
    ] {
        let err = PrivateKey::from_pem(&read_key(name), Some(PASSPHRASE)).unwrap_err();
        assert!(
            matches!(&err, KeyError::UnsupportedEncryption(s) if s.contains(scheme)),
            "{name}: {err:?}"
        );
        // Said before any passphrase is asked for.
        assert_eq!(
            PrivateKey::from_pem(&read_key(name), None).unwrap_err(),
            err
        );
        let text = err.to_string();
        assert!(
            text.contains("openssl pkcs8 -topk8 -v2 aes256") && text.contains("-provider legacy"),
            "{text}"
        );
    }
}

fn unsupported_format(bytes: &[u8]) -> (&'static str, &'static str, String) {
    match PrivateKey::from_pem(bytes, Some(PASSPHRASE)).unwrap_err() {
        e @ KeyError::UnsupportedFormat { format, convert } => (format, convert, e.to_string()),
        other => panic!("expected UnsupportedFormat, got {other:?}"),
    }
}

#[test]
fn other_key_formats_are_named_with_the_command_that_converts_them() {
    let (format, convert, text) = unsupported_format(&read_key("rsa_openssh.key"));
    assert_eq!(format, "OpenSSH");
    assert_eq!(convert, "ssh-keygen -p -m PEM -f <file>");
    assert!(text.contains("OpenSSH") && text.contains(convert), "{text}");

    let (format, convert, _) = unsupported_format(&read_key("rsa_pkcs8.der"));
    assert!(format.starts_with("DER"), "{format}");
    assert!(
        convert.contains("openssl pkey -inform DER") && convert.contains("openssl pkcs12"),
        "{convert}"
    );

    let ppk = b"PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: test\n";
    let (format, convert, _) = unsupported_format(ppk);
    assert!(format.contains("PuTTY"), "{format}");
    assert!(convert.starts_with("puttygen"), "{convert}");

    let ssh2 = b"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nAAAA\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n";
    let (format, _, _) = unsupported_format(ssh2);
    assert!(format.contains("SSH2"), "{format}");
}

#[test]
fn dsa_keys_are_not_rsa_with_the_command_for_one_that_is() {
    for name in ["dsa_pkcs8.pem", "dsa_traditional.pem"] {
        let err = PrivateKey::from_pem(&read_key(name), None).unwrap_err();
        assert!(
            matches!(&err, KeyError::NotRsa(k) if k.contains("DSA")),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains("openssl genrsa"), "{err}");
    }
}

/// A generated key (the workload-identity session key) signs, and its SubjectPublicKeyInfo is
/// the public half of that same key: a signature verifies against it, and not against another
/// generated key. 2048 and 3072 go through AWS-LC in a default build; 2560 through `rsa`.
#[test]
fn a_generated_key_verifies_against_its_own_public_key() {
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::pkcs8::DecodePublicKey;
    use rsa::signature::Verifier;

    let message = b"(request-target): post /v1/x509";
    let (_, other_spki) = PrivateKey::generate(2048).unwrap();
    let other = VerifyingKey::<sha2::Sha256>::new(
        rsa::RsaPublicKey::from_public_key_der(&other_spki).unwrap(),
    );
    for bits in [2048, 3072, 2560] {
        let (key, spki) = PrivateKey::generate(bits).unwrap();
        assert_eq!(key.bits(), bits);
        let public = rsa::RsaPublicKey::from_public_key_der(&spki).unwrap();
        let verifier = VerifyingKey::<sha2::Sha256>::new(public);
        let sig = key.sign_sha256(message).unwrap();
        assert_eq!(sig.len(), bits / 8);
        let sig = Signature::try_from(sig.as_slice()).unwrap();
        verifier.verify(message, &sig).unwrap();
        assert!(
            other.verify(message, &sig).is_err(),
            "{bits}: verified by another key"
        );
    }
}
