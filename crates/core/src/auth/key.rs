//! RSA private keys: parsed once from PEM, used to sign with ring.

use std::fmt;

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::RsaPrivateKey;

use crate::Error;

/// Why a private key could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The PEM is encrypted and no passphrase was given.
    #[error("the private key is encrypted and requires a passphrase (pass_phrase)")]
    PassphraseRequired,
    /// The passphrase did not decrypt the key.
    #[error("the passphrase does not decrypt the private key")]
    WrongPassphrase,
    /// A public key or certificate was given where a private key was expected.
    #[error("a public key was given, but signing requires a private key")]
    PublicKey,
    /// The key is not RSA (OCI API keys are RSA).
    #[error("the private key is not an RSA key (found {0}); OCI API keys must be RSA")]
    NotRsa(String),
    /// The data is not a PEM private key this SDK understands.
    #[error("not a valid PEM private key: {0}")]
    Malformed(String),
}

/// An RSA private key, ready to sign.
///
/// ```no_run
/// use oci_core::auth::PrivateKey;
/// let pem = std::fs::read("/home/me/.oci/oci_api_key.pem")?;
/// let key = PrivateKey::from_pem(&pem, None)?;
/// let signature = key.sign_sha256(b"date: Thu, 05 Jan 2014 21:31:40 GMT")?;
/// assert_eq!(signature.len(), key.size_bytes());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Parsed once, when the config is loaded, never per request. Signing uses ring (constant time,
/// as fast as OpenSSL); with the `rsa-signer` feature it uses the pure-Rust `rsa` crate instead.
/// `Debug` shows only the key size.
pub struct PrivateKey {
    bits: usize,
    #[cfg(not(feature = "rsa-signer"))]
    ring: ring::signature::RsaKeyPair,
    #[cfg(feature = "rsa-signer")]
    rsa: rsa::pkcs1v15::SigningKey<sha2::Sha256>,
}

impl PrivateKey {
    /// Parses a PEM private key: PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`),
    /// optionally encrypted with `passphrase`.
    pub fn from_pem(pem: &[u8], passphrase: Option<&str>) -> Result<Self, KeyError> {
        let text = std::str::from_utf8(pem)
            .map_err(|_| KeyError::Malformed("the key file is not text (PEM)".into()))?;
        let key = decode_pem(text, passphrase)?;
        Self::from_rsa(key)
    }

    /// Wraps an already-decoded `rsa` key.
    pub fn from_rsa(key: RsaPrivateKey) -> Result<Self, KeyError> {
        use rsa::traits::PublicKeyParts;
        let bits = key.size() * 8;
        #[cfg(not(feature = "rsa-signer"))]
        {
            use rsa::pkcs1::EncodeRsaPrivateKey;
            let der = key
                .to_pkcs1_der()
                .map_err(|e| KeyError::Malformed(e.to_string()))?;
            let ring = ring::signature::RsaKeyPair::from_der(der.as_bytes())
                .map_err(|e| KeyError::Malformed(format!("rejected by ring: {e}")))?;
            Ok(PrivateKey { bits, ring })
        }
        #[cfg(feature = "rsa-signer")]
        {
            Ok(PrivateKey {
                bits,
                rsa: rsa::pkcs1v15::SigningKey::new(key),
            })
        }
    }

    /// Key size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Signature size in bytes.
    pub fn size_bytes(&self) -> usize {
        self.bits / 8
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        #[cfg(not(feature = "rsa-signer"))]
        {
            let mut sig = vec![0u8; self.ring.public().modulus_len()];
            self.ring
                .sign(
                    &ring::signature::RSA_PKCS1_SHA256,
                    &ring::rand::SystemRandom::new(),
                    message,
                    &mut sig,
                )
                .map_err(|_| Error::signing("RSA signing failed"))?;
            Ok(sig)
        }
        #[cfg(feature = "rsa-signer")]
        {
            use rsa::signature::{SignatureEncoding, Signer};
            let sig = self
                .rsa
                .try_sign(message)
                .map_err(|e| Error::signing(format!("RSA signing failed: {e}")))?;
            Ok(sig.to_vec())
        }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey(RSA-{}, <redacted>)", self.bits)
    }
}

fn decode_pem(text: &str, passphrase: Option<&str>) -> Result<RsaPrivateKey, KeyError> {
    let label = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("-----BEGIN "))
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or_else(|| KeyError::Malformed("no PEM `-----BEGIN ...-----` line".into()))?;
    let _ = passphrase;
    match label {
        "RSA PRIVATE KEY" => RsaPrivateKey::from_pkcs1_pem(text)
            .map_err(|e| KeyError::Malformed(format!("PKCS#1: {e}"))),
        "PRIVATE KEY" => RsaPrivateKey::from_pkcs8_pem(text).map_err(|e| match e {
            rsa::pkcs8::Error::KeyMalformed | rsa::pkcs8::Error::ParametersMalformed => {
                KeyError::Malformed(format!("PKCS#8: {e}"))
            }
            other => KeyError::NotRsa(format!("PKCS#8 key ({other})")),
        }),
        "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" => Err(KeyError::PublicKey),
        other => Err(KeyError::Malformed(format!(
            "unsupported PEM label `{other}`"
        ))),
    }
}
