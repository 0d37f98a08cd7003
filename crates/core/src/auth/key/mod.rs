//! RSA private keys: parsed once from PEM, used to sign with aws-lc-rs (or ring / `rsa`).
//!
//! Accepted PEM forms (the ones `openssl` and the OCI console produce):
//!
//! | PEM label                 | Encryption                                                     |
//! |---------------------------|----------------------------------------------------------------|
//! | `RSA PRIVATE KEY` (PKCS#1) | none, or legacy `Proc-Type: 4,ENCRYPTED` with `DEK-Info` AES-128/192/256-CBC, DES-EDE3-CBC or DES-CBC |
//! | `PRIVATE KEY` (PKCS#8)     | none                                                           |
//! | `ENCRYPTED PRIVATE KEY`   | PKCS#8 PBES2 (PBKDF2 with HMAC-SHA1/224/256/384/512, or scrypt; AES-128/192/256-CBC, DES-EDE3-CBC or DES-CBC), as OpenSSL 1.1 and 3 write it (`genrsa -aes256`, `pkcs8 -topk8 -v2 <cipher> [-v2prf <prf>]`, `-scrypt`); PKCS#5 PBES1 PBE-MD5-DES and PBE-SHA1-DES; PKCS#12 PBE-SHA1-3DES and PBE-SHA1-2DES (the OpenSSL 1.0 default) |
//!
//! The RC2, RC4 and MD2 schemes (`-v1 PBE-SHA1-RC2-64`, `PBE-SHA1-RC4-128`, ...) are reported
//! as [`KeyError::UnsupportedEncryption`], naming the scheme and the `openssl pkcs8 -topk8 -v2
//! aes256` command that re-encrypts the key. Keys in other formats (OpenSSH, PuTTY `.ppk`,
//! SSH.com, DER or PKCS#12) are [`KeyError::UnsupportedFormat`], naming the format and the
//! command that converts it to PEM; DSA, EC and Ed25519 keys are [`KeyError::NotRsa`].

use std::fmt;

#[cfg(not(feature = "rsa-signer"))]
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::RsaPrivateKey;

use crate::Error;

mod cipher;
mod error;
mod legacy_pem;
mod pbes1;
mod pem;
mod pkcs12_pbe;

pub use error::KeyError;
use pem::decode_pem;

/// The library that computes signatures in this build: `"aws-lc-rs"`, `"ring"` or `"rsa"`.
///
/// ```
/// assert!(["aws-lc-rs", "ring", "rsa"].contains(&oci_core::auth::SIGNING_BACKEND));
/// ```
///
/// Chosen by oci-core's Cargo features; see [`PrivateKey`]'s "Signing backends".
#[cfg(all(feature = "aws-lc", not(feature = "rsa-signer")))]
pub const SIGNING_BACKEND: &str = "aws-lc-rs";
/// The library that computes signatures in this build (see the `aws-lc` variant's docs).
#[cfg(all(feature = "ring", not(feature = "aws-lc"), not(feature = "rsa-signer")))]
pub const SIGNING_BACKEND: &str = "ring";
/// The library that computes signatures in this build (see the `aws-lc` variant's docs).
#[cfg(feature = "rsa-signer")]
pub const SIGNING_BACKEND: &str = "rsa";

#[cfg(not(any(feature = "aws-lc", feature = "ring")))]
compile_error!(
    "oci-core needs a crypto library for signing and TLS: enable its `aws-lc` feature (the \
     default) or `ring`"
);

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
/// Parsed once, when the config is loaded, never per request. `Debug` shows only the key size.
///
/// # Signing backends
///
/// The signature is the same bytes whichever backend computes it (RSASSA-PKCS1-v1_5 is
/// deterministic); only speed and build requirements differ. oci-core's Cargo features choose:
///
/// | Feature              | Backend   | When to pick it |
/// |----------------------|-----------|-----------------|
/// | `aws-lc` (default)   | aws-lc-rs | The fastest measured: AWS-LC has OpenSSL's AVX-512 IFMA RSA code (AMD Zen 4+, Intel Ice Lake+), about 2.3x ring there and on par elsewhere; it is also the TLS provider, so a default build compiles one crypto library. Needs a C compiler (cmake only where aws-lc-sys asks for it). |
/// | `ring`               | ring      | No AWS-LC: a shorter first build. Use `default-features = false, features = ["ring"]`. As fast as OpenSSL on CPUs without AVX-512 IFMA. |
/// | `rsa-signer`         | `rsa`     | Signing in pure Rust (no C or assembly in the signing path). Slower; not constant-time audited. TLS still needs `aws-lc` or `ring`. |
///
/// When feature unification enables several, the signer is `rsa-signer` if it is on, else
/// aws-lc-rs if `aws-lc` is on, else ring; the build never fails over it. [`SIGNING_BACKEND`]
/// names the one compiled in.
pub struct PrivateKey {
    bits: usize,
    #[cfg(all(feature = "ring", not(feature = "aws-lc"), not(feature = "rsa-signer")))]
    ring: ring::signature::RsaKeyPair,
    #[cfg(all(feature = "aws-lc", not(feature = "rsa-signer")))]
    aws_lc: aws_lc_rs::signature::RsaKeyPair,
    #[cfg(feature = "rsa-signer")]
    rsa: rsa::pkcs1v15::SigningKey<sha2::Sha256>,
}

impl PrivateKey {
    /// Parses a PEM RSA private key, decrypting it with `passphrase` when it is encrypted.
    ///
    /// ```no_run
    /// use oci_core::auth::{KeyError, PrivateKey};
    /// let pem = std::fs::read("/home/me/.oci/oci_api_key.pem")?;
    /// match PrivateKey::from_pem(&pem, None) {
    ///     Ok(key) => println!("loaded {key:?}"),
    ///     Err(KeyError::PassphraseRequired) => println!("set pass_phrase in the profile"),
    ///     Err(e) => return Err(e.into()),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Accepts PKCS#1 (`RSA PRIVATE KEY`, plain or legacy-encrypted), PKCS#8 (`PRIVATE KEY`)
    /// and encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`); see the [module docs](self). Text around
    /// the PEM block (such as OpenSSL's `Bag Attributes`) and other blocks in the same file are
    /// ignored. A passphrase given for an unencrypted key is ignored, as the OCI SDKs do.
    pub fn from_pem(pem: &[u8], passphrase: Option<&str>) -> Result<Self, KeyError> {
        let text = std::str::from_utf8(pem).map_err(|_| {
            pem::binary_format(pem)
                .unwrap_or_else(|| KeyError::Malformed("the key file is not text (PEM)".into()))
        })?;
        let key = decode_pem(text, passphrase)?;
        Self::from_rsa(key)
    }

    /// Wraps an already-decoded `rsa` key.
    pub fn from_rsa(key: RsaPrivateKey) -> Result<Self, KeyError> {
        use rsa::traits::PublicKeyParts;
        let bits = key.size() * 8;
        #[cfg(all(feature = "ring", not(feature = "aws-lc"), not(feature = "rsa-signer")))]
        {
            let der = key
                .to_pkcs1_der()
                .map_err(|e| KeyError::Malformed(e.to_string()))?;
            let ring = ring::signature::RsaKeyPair::from_der(der.as_bytes())
                .map_err(|e| KeyError::Malformed(format!("rejected by ring: {e}")))?;
            Ok(PrivateKey { bits, ring })
        }
        #[cfg(all(feature = "aws-lc", not(feature = "rsa-signer")))]
        {
            let der = key
                .to_pkcs1_der()
                .map_err(|e| KeyError::Malformed(e.to_string()))?;
            let aws_lc = aws_lc_rs::signature::RsaKeyPair::from_der(der.as_bytes())
                .map_err(|e| KeyError::Malformed(format!("rejected by aws-lc: {e}")))?;
            Ok(PrivateKey { bits, aws_lc })
        }
        #[cfg(feature = "rsa-signer")]
        {
            Ok(PrivateKey {
                bits,
                rsa: rsa::pkcs1v15::SigningKey::new(key),
            })
        }
    }

    /// Generates a fresh RSA key pair: the key, ready to sign, and its public half as
    /// SubjectPublicKeyInfo DER.
    ///
    /// ```
    /// use oci_core::auth::PrivateKey;
    /// let (key, spki_der) = PrivateKey::generate(2048)?;
    /// assert_eq!(key.bits(), 2048);
    /// assert_eq!(spki_der[0], 0x30); // a DER SEQUENCE
    /// # Ok::<(), oci_core::auth::KeyError>(())
    /// ```
    ///
    /// Workload-identity providers call this once per token refresh (the session key the
    /// federation service binds the token to). With the `aws-lc` backend AWS-LC generates
    /// 2048-, 3072- and 4096-bit keys (several times faster than pure Rust, so a refresh
    /// takes a core for less time); other sizes and the other backends use the `rsa` crate.
    /// CPU-heavy (tens of milliseconds): call it off the async runtime's threads.
    pub fn generate(bits: usize) -> Result<(Self, Vec<u8>), KeyError> {
        #[cfg(all(feature = "aws-lc", not(feature = "rsa-signer")))]
        {
            use aws_lc_rs::encoding::AsDer;
            use aws_lc_rs::rsa::KeySize;
            use aws_lc_rs::signature::KeyPair as _;
            let size = match bits {
                2048 => Some(KeySize::Rsa2048),
                3072 => Some(KeySize::Rsa3072),
                4096 => Some(KeySize::Rsa4096),
                _ => None,
            };
            if let Some(size) = size {
                let pair = aws_lc_rs::signature::RsaKeyPair::generate(size)
                    .map_err(|_| KeyError::Malformed("AWS-LC could not generate a key".into()))?;
                let spki = pair
                    .public_key()
                    .as_der()
                    .map_err(|_| KeyError::Malformed("AWS-LC could not encode the key".into()))?
                    .as_ref()
                    .to_vec();
                return Ok((PrivateKey { bits, aws_lc: pair }, spki));
            }
        }
        use rsa::pkcs8::EncodePublicKey;
        let key = RsaPrivateKey::new(&mut rand::thread_rng(), bits)
            .map_err(|e| KeyError::Malformed(format!("key generation failed: {e}")))?;
        let spki = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|e| KeyError::Malformed(format!("key encoding failed: {e}")))?
            .as_bytes()
            .to_vec();
        Ok((Self::from_rsa(key)?, spki))
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
        #[cfg(all(feature = "ring", not(feature = "aws-lc"), not(feature = "rsa-signer")))]
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
        #[cfg(all(feature = "aws-lc", not(feature = "rsa-signer")))]
        {
            let mut sig = vec![0u8; self.aws_lc.public_modulus_len()];
            self.aws_lc
                .sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                    &aws_lc_rs::rand::SystemRandom::new(),
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
