//! RSA keys: generating the seeded user's key, fingerprints, parsing and verifying public keys.

use std::fmt;
use std::sync::OnceLock;

use md5::{Digest as _, Md5};
use rsa::pkcs1::{DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::{DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};

/// A registered public key, ready for verification.
#[derive(Clone)]
pub(crate) struct PublicKey {
    pkcs1_der: Vec<u8>,
    rsa: RsaPublicKey,
    /// The OCI fingerprint: MD5 of the SubjectPublicKeyInfo DER, colon-separated lowercase hex.
    pub fingerprint: String,
    /// The public key as `-----BEGIN PUBLIC KEY-----` PEM.
    pub pem: String,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint)
    }
}

/// The DigestInfo prefix of a SHA-256 PKCS#1 v1.5 signature.
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

impl PublicKey {
    /// Parses a PEM public key (`PUBLIC KEY` or `RSA PUBLIC KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        let pem = pem.trim();
        let rsa = if pem.contains("BEGIN RSA PUBLIC KEY") {
            RsaPublicKey::from_pkcs1_pem(pem).map_err(|e| format!("invalid RSA public key: {e}"))?
        } else {
            RsaPublicKey::from_public_key_pem(pem)
                .map_err(|e| format!("invalid public key (expected PEM `PUBLIC KEY`): {e}"))?
        };
        Self::from_rsa(rsa)
    }

    /// From an RSA public key.
    pub fn from_rsa(rsa: RsaPublicKey) -> Result<Self, String> {
        if rsa.size() * 8 < 2048 {
            return Err("OCI API keys must be RSA keys of at least 2048 bits".to_owned());
        }
        let spki = rsa.to_public_key_der().map_err(|e| e.to_string())?;
        let pem = rsa
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| e.to_string())?;
        let pkcs1_der = rsa.to_pkcs1_der().map_err(|e| e.to_string())?.into_vec();
        Ok(PublicKey {
            pkcs1_der,
            fingerprint: fingerprint(spki.as_bytes()),
            pem,
            rsa,
        })
    }

    /// Verifies an RSA PKCS#1 v1.5 SHA-256 signature with aws-lc-rs.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            &self.pkcs1_der,
        )
        .verify(message, signature)
        .is_ok()
    }

    /// The SHA-256 digest a signature was made over, when it was made by this key's private half
    /// (for `--explain`); `None` means another key made it (or it is not a signature at all).
    pub fn recover_digest(&self, signature: &[u8]) -> Option<[u8; 32]> {
        if signature.len() != self.rsa.size() {
            return None;
        }
        let m = BigUint::from_bytes_be(signature).modpow(self.rsa.e(), self.rsa.n());
        let em = m.to_bytes_be(); // leading 0x00 dropped
        if em.len() != self.rsa.size() - 1 || em.first() != Some(&1) {
            return None;
        }
        let sep = em.iter().position(|&b| b == 0)?;
        if em[1..sep].iter().any(|&b| b != 0xff) {
            return None;
        }
        let rest = &em[sep + 1..];
        if rest.len() != 19 + 32 || rest[..19] != SHA256_DIGEST_INFO {
            return None;
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(&rest[19..]);
        Some(out)
    }
}

/// The OCI fingerprint of a SubjectPublicKeyInfo DER.
pub(crate) fn fingerprint(spki_der: &[u8]) -> String {
    Md5::digest(spki_der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The built-in test key (PKCS#8 PEM): published in this crate, for the emulator only (see
/// `keys/README.md`). Using it skips RSA key generation, which takes seconds in debug builds.
pub(crate) const BUILT_IN_PRIVATE_PEM: &str = include_str!("../keys/builtin-test-key.pem");

/// The built-in test key's public half (`PUBLIC KEY` PEM).
const BUILT_IN_PUBLIC_PEM: &str = include_str!("../keys/builtin-test-key.pub.pem");

/// Generates an RSA-2048 private key as PKCS#8 PEM. Generated once per process and reused.
pub(crate) fn generated_private_pem() -> Result<String, String> {
    static CACHE: OnceLock<String> = OnceLock::new();
    if let Some(pem) = CACHE.get() {
        return Ok(pem.clone());
    }
    let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
        .map_err(|e| format!("RSA key generation failed: {e}"))?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format!("PEM encoding failed: {e}"))?
        .to_string();
    Ok(CACHE.get_or_init(|| pem).clone())
}

/// The public half of a PEM private key (PKCS#1 or PKCS#8).
pub(crate) fn public_of_private_pem(pem: &str) -> Result<PublicKey, String> {
    if pem == BUILT_IN_PRIVATE_PEM {
        // Known: skip decoding and checking the private key (slow in debug builds).
        return PublicKey::from_pem(BUILT_IN_PUBLIC_PEM);
    }
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    let key = if pem.contains("BEGIN RSA PRIVATE KEY") {
        RsaPrivateKey::from_pkcs1_pem(pem).map_err(|e| format!("invalid PKCS#1 key: {e}"))?
    } else {
        RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| format!("invalid PKCS#8 key: {e}"))?
    };
    PublicKey::from_rsa(key.to_public_key())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_public_key_is_the_private_key_s_half() {
        use rsa::pkcs8::DecodePrivateKey;
        let private = RsaPrivateKey::from_pkcs8_pem(BUILT_IN_PRIVATE_PEM).ok();
        let derived = private.and_then(|k| PublicKey::from_rsa(k.to_public_key()).ok());
        let shipped = PublicKey::from_pem(BUILT_IN_PUBLIC_PEM).ok();
        assert_eq!(
            derived.map(|k| (k.fingerprint, k.pem)),
            shipped.map(|k| (k.fingerprint, k.pem))
        );
    }
}
