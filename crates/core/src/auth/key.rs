//! RSA private keys: parsed once from PEM, used to sign with aws-lc-rs (or ring / `rsa`).
//!
//! Accepted PEM forms (the ones `openssl` and the OCI console produce):
//!
//! | PEM label                 | Encryption                                                     |
//! |---------------------------|----------------------------------------------------------------|
//! | `RSA PRIVATE KEY` (PKCS#1) | none, or legacy `Proc-Type: 4,ENCRYPTED` with `DEK-Info` AES-128/192/256-CBC, DES-EDE3-CBC or DES-CBC |
//! | `PRIVATE KEY` (PKCS#8)     | none                                                           |
//! | `ENCRYPTED PRIVATE KEY`   | PKCS#8 PBES2 (PBKDF2 with HMAC-SHA256 or HMAC-SHA1, or scrypt; AES-CBC or DES-EDE3-CBC), as OpenSSL 1.1 and 3 write it; PKCS#12 PBE-SHA1-3DES and PBE-SHA1-2DES (the OpenSSL 1.0 default) |
//!
//! PKCS#5 PBES1 (`openssl pkcs8 -v1 PBE-MD5-DES` and the like: single DES) and the RC2/RC4
//! PKCS#12 schemes are reported as [`KeyError::UnsupportedEncryption`]; re-encrypt such a key
//! with `openssl pkcs8 -topk8 -v2 aes256 -in old.pem -out new.pem`.

use std::fmt;

use rsa::pkcs1::DecodeRsaPrivateKey;
#[cfg(not(feature = "rsa-signer"))]
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, ObjectIdentifier};
use rsa::RsaPrivateKey;
use zeroize::Zeroizing;

use crate::Error;

/// Why a private key could not be loaded.
///
/// No variant ever carries key material or the passphrase.
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
    /// The key is encrypted with a scheme this SDK cannot decrypt.
    #[error(
        "the private key is encrypted with {0}, which is not supported; re-encrypt it with \
         `openssl pkcs8 -topk8 -v2 aes256 -in <old> -out <new>`"
    )]
    UnsupportedEncryption(String),
    /// The data is not a PEM private key this SDK understands.
    #[error("not a valid PEM private key: {0}")]
    Malformed(String),
}

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
        let text = std::str::from_utf8(pem)
            .map_err(|_| KeyError::Malformed("the key file is not text (PEM)".into()))?;
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

/// One `-----BEGIN <label>----- ... -----END <label>-----` block.
struct PemBlock<'a> {
    label: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    body: Zeroizing<String>,
}

impl PemBlock<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    fn der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(self.body.as_bytes())
            .map(Zeroizing::new)
            .map_err(|e| KeyError::Malformed(format!("{} block: bad base64: {e}", self.label)))
    }
}

/// Splits PEM text into blocks (RFC 7468, plus RFC 1421 headers for legacy encryption).
fn pem_blocks(text: &str) -> Result<Vec<PemBlock<'_>>, KeyError> {
    let mut blocks = Vec::new();
    let mut current: Option<PemBlock<'_>> = None;
    for line in text.lines() {
        let line = line.trim();
        match current.as_mut() {
            None => {
                if let Some(label) = line
                    .strip_prefix("-----BEGIN ")
                    .and_then(|l| l.strip_suffix("-----"))
                {
                    current = Some(PemBlock {
                        label,
                        headers: Vec::new(),
                        body: Zeroizing::new(String::new()),
                    });
                }
            }
            Some(block) => {
                if let Some(label) = line
                    .strip_prefix("-----END ")
                    .and_then(|l| l.strip_suffix("-----"))
                {
                    if label != block.label {
                        return Err(KeyError::Malformed(format!(
                            "`BEGIN {}` is closed by `END {label}`",
                            block.label
                        )));
                    }
                    blocks.extend(current.take());
                } else if let Some((name, value)) = line.split_once(':') {
                    // Base64 has no ':', so this is an RFC 1421 header such as DEK-Info.
                    block.headers.push((name.trim(), value.trim()));
                } else {
                    block.body.push_str(line);
                }
            }
        }
    }
    if let Some(block) = current {
        return Err(KeyError::Malformed(format!(
            "`BEGIN {}` has no matching `END` line",
            block.label
        )));
    }
    Ok(blocks)
}

const PUBLIC_LABELS: &[&str] = &[
    "PUBLIC KEY",
    "RSA PUBLIC KEY",
    "CERTIFICATE",
    "X509 CERTIFICATE",
    "TRUSTED CERTIFICATE",
    "SSH2 PUBLIC KEY",
];

fn decode_pem(text: &str, passphrase: Option<&str>) -> Result<RsaPrivateKey, KeyError> {
    let blocks = pem_blocks(text)?;
    let Some(block) = blocks.iter().find(|b| b.label.ends_with("PRIVATE KEY")) else {
        let trimmed = text.trim_start();
        let openssh_public = ["ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-", "ssh-dss "]
            .iter()
            .any(|p| trimmed.starts_with(p));
        if openssh_public || blocks.iter().any(|b| PUBLIC_LABELS.contains(&b.label)) {
            return Err(KeyError::PublicKey);
        }
        return Err(match blocks.first() {
            Some(b) => KeyError::Malformed(format!("unsupported PEM label `{}`", b.label)),
            None => KeyError::Malformed("no PEM `-----BEGIN ...-----` line".into()),
        });
    };
    match block.label {
        "RSA PRIVATE KEY" => {
            let der = block.der()?;
            match block.header("Proc-Type") {
                Some(p) if p.replace(' ', "").eq_ignore_ascii_case("4,ENCRYPTED") => {
                    let pass = passphrase.ok_or(KeyError::PassphraseRequired)?;
                    let dek = block.header("DEK-Info").ok_or_else(|| {
                        KeyError::Malformed("encrypted PKCS#1 key without a DEK-Info header".into())
                    })?;
                    let plain = legacy::decrypt(dek, pass.as_bytes(), &der)?;
                    // Wrong passphrases pass the padding check about one time in 256.
                    RsaPrivateKey::from_pkcs1_der(&plain).map_err(|_| KeyError::WrongPassphrase)
                }
                Some(other) => Err(KeyError::Malformed(format!(
                    "unsupported Proc-Type header `{other}`"
                ))),
                None => RsaPrivateKey::from_pkcs1_der(&der)
                    .map_err(|e| KeyError::Malformed(format!("PKCS#1: {e}"))),
            }
        }
        "PRIVATE KEY" => pkcs8_to_rsa(&block.der()?, |e| {
            KeyError::Malformed(format!("PKCS#8: {e}"))
        }),
        "ENCRYPTED PRIVATE KEY" => {
            let der = block.der()?;
            let info = match rsa::pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice()) {
                Ok(info) => info,
                // The pkcs8 crate knows PBES1/PBES2 only; PKCS#12 PBE is handled here.
                Err(e) => {
                    let Some(raw) = pkcs12_pbe::RawEncrypted::parse(&der) else {
                        return Err(KeyError::Malformed(format!("encrypted PKCS#8: {e}")));
                    };
                    if !pkcs12_pbe::supports(raw.oid) {
                        return Err(KeyError::UnsupportedEncryption(encryption_name(raw.oid)));
                    }
                    let pass = passphrase.ok_or(KeyError::PassphraseRequired)?;
                    let plain = pkcs12_pbe::decrypt(&raw, pass)?;
                    return pkcs8_to_rsa(&plain, |_| KeyError::WrongPassphrase);
                }
            };
            let pass = passphrase.ok_or(KeyError::PassphraseRequired)?;
            let plain = info.decrypt(pass.as_bytes()).map_err(|e| match e {
                // pkcs5 0.7 reports bad padding after decryption as `EncryptFailed`.
                rsa::pkcs8::Error::EncryptedPrivateKey(
                    pkcs5::Error::DecryptFailed | pkcs5::Error::EncryptFailed,
                ) => KeyError::WrongPassphrase,
                rsa::pkcs8::Error::EncryptedPrivateKey(
                    pkcs5::Error::NoPbes1CryptSupport | pkcs5::Error::UnsupportedAlgorithm { .. },
                ) => KeyError::UnsupportedEncryption(encryption_name(
                    info.encryption_algorithm.oid(),
                )),
                other => KeyError::Malformed(format!("encrypted PKCS#8: {other}")),
            })?;
            pkcs8_to_rsa(plain.as_bytes(), |_| KeyError::WrongPassphrase)
        }
        "EC PRIVATE KEY" => Err(KeyError::NotRsa("an EC key".into())),
        "DSA PRIVATE KEY" => Err(KeyError::NotRsa("a DSA key".into())),
        "OPENSSH PRIVATE KEY" => Err(KeyError::Malformed(
            "OpenSSH private key format is not supported; convert it to PEM with \
             `ssh-keygen -p -m PEM -f <file>`"
                .into(),
        )),
        other => Err(KeyError::Malformed(format!(
            "unsupported PEM label `{other}`"
        ))),
    }
}

/// Decodes a plain PKCS#8 `PrivateKeyInfo`, reporting non-RSA algorithms by name.
fn pkcs8_to_rsa(
    der: &[u8],
    on_parse_error: impl Fn(String) -> KeyError,
) -> Result<RsaPrivateKey, KeyError> {
    let info =
        rsa::pkcs8::PrivateKeyInfo::try_from(der).map_err(|e| on_parse_error(e.to_string()))?;
    let oid = info.algorithm.oid;
    if oid != RSA_ENCRYPTION {
        return Err(KeyError::NotRsa(algorithm_name(oid)));
    }
    RsaPrivateKey::from_pkcs8_der(der).map_err(|e| on_parse_error(e.to_string()))
}

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

fn algorithm_name(oid: ObjectIdentifier) -> String {
    let name = match oid.to_string().as_str() {
        "1.2.840.10045.2.1" => "an EC key",
        "1.3.101.112" => "an Ed25519 key",
        "1.3.101.113" => "an Ed448 key",
        "1.3.101.110" => "an X25519 key",
        "1.3.101.111" => "an X448 key",
        "1.2.840.10040.4.1" => "a DSA key",
        "1.2.840.113549.1.1.10" => "an RSASSA-PSS-only key",
        other => return format!("a key of algorithm {other}"),
    };
    name.to_owned()
}

fn encryption_name(oid: ObjectIdentifier) -> String {
    let name = match oid.to_string().as_str() {
        "1.2.840.113549.1.12.1.1" => "PKCS#12 PBE-SHA1-RC4-128",
        "1.2.840.113549.1.12.1.2" => "PKCS#12 PBE-SHA1-RC4-40",
        "1.2.840.113549.1.12.1.3" => "PKCS#12 PBE-SHA1-3DES",
        "1.2.840.113549.1.12.1.4" => "PKCS#12 PBE-SHA1-2DES",
        "1.2.840.113549.1.12.1.5" => "PKCS#12 PBE-SHA1-RC2-128",
        "1.2.840.113549.1.12.1.6" => "PKCS#12 PBE-SHA1-RC2-40",
        "1.2.840.113549.1.5.3" => "PKCS#5 PBES1 PBE-MD5-DES",
        "1.2.840.113549.1.5.10" => "PKCS#5 PBES1 PBE-SHA1-DES",
        "1.2.840.113549.1.5.13" => "PKCS#5 PBES2 with an unsupported cipher or PRF",
        other => return format!("encryption algorithm {other}"),
    };
    name.to_owned()
}

/// CBC decryption with PKCS#7 padding; `None` when the padding is wrong (a wrong passphrase).
fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Zeroizing<Vec<u8>>>
where
    C: aes::cipher::BlockDecryptMut + aes::cipher::BlockCipher + aes::cipher::KeyInit,
{
    use aes::cipher::block_padding::Pkcs7;
    use aes::cipher::{BlockDecryptMut as _, KeyIvInit};
    cbc::Decryptor::<C>::new_from_slices(key, iv)
        .ok()?
        .decrypt_padded_vec_mut::<Pkcs7>(data)
        .ok()
        .map(Zeroizing::new)
}

/// PKCS#12 password-based encryption (RFC 7292 appendix C) of a PKCS#8 key, as written by
/// `openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES` (the OpenSSL 1.0 default).
mod pkcs12_pbe {
    use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
    use rsa::pkcs8::der::asn1::{AnyRef, OctetStringRef};
    use rsa::pkcs8::der::{Decode, Reader, SliceReader, Tag, Tagged};
    use rsa::pkcs8::spki::AlgorithmIdentifierRef;
    use rsa::pkcs8::ObjectIdentifier;
    use zeroize::Zeroizing;

    use super::{cbc_decrypt, KeyError};

    const SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
    const SHA1_2DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.4");

    /// `EncryptedPrivateKeyInfo` taken apart without knowing the algorithm.
    pub(super) struct RawEncrypted<'a> {
        pub(super) oid: ObjectIdentifier,
        params: Option<AnyRef<'a>>,
        data: &'a [u8],
    }

    impl<'a> RawEncrypted<'a> {
        pub(super) fn parse(der: &'a [u8]) -> Option<Self> {
            let mut reader = SliceReader::new(der).ok()?;
            let (alg, data) = reader
                .sequence(|r| {
                    let alg = AlgorithmIdentifierRef::decode(r)?;
                    let data = OctetStringRef::decode(r)?;
                    Ok((alg, data))
                })
                .ok()?;
            Some(RawEncrypted {
                oid: alg.oid,
                params: alg.parameters,
                data: data.as_bytes(),
            })
        }
    }

    pub(super) fn supports(oid: ObjectIdentifier) -> bool {
        oid == SHA1_3DES || oid == SHA1_2DES
    }

    /// `pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }`.
    fn params<'a>(raw: &RawEncrypted<'a>) -> Option<(&'a [u8], i32)> {
        let any = raw.params?;
        if any.tag() != Tag::Sequence {
            return None;
        }
        let mut reader = SliceReader::new(any.value()).ok()?;
        let salt = OctetStringRef::decode(&mut reader).ok()?;
        let iterations = u32::decode(&mut reader).ok()?;
        reader.finish(()).ok()?;
        Some((salt.as_bytes(), i32::try_from(iterations).ok()?))
    }

    pub(super) fn decrypt(
        raw: &RawEncrypted<'_>,
        pass: &str,
    ) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let (salt, iterations) = params(raw).ok_or_else(|| {
            KeyError::Malformed("encrypted PKCS#8: bad PKCS#12 PBE parameters".into())
        })?;
        let key_len = if raw.oid == SHA1_3DES { 24 } else { 16 };
        let derive = |kind, len| {
            derive_key_utf8::<sha1::Sha1>(pass, salt, kind, iterations, len)
                .map(Zeroizing::new)
                .map_err(|_| KeyError::Malformed("the passphrase is not valid for PKCS#12".into()))
        };
        let key = derive(Pkcs12KeyType::EncryptionKey, key_len)?;
        let iv = derive(Pkcs12KeyType::Iv, 8)?;
        let plain = if raw.oid == SHA1_3DES {
            cbc_decrypt::<des::TdesEde3>(&key, &iv, raw.data)
        } else {
            cbc_decrypt::<des::TdesEde2>(&key, &iv, raw.data)
        };
        plain.ok_or(KeyError::WrongPassphrase)
    }
}

/// OpenSSL's legacy PEM encryption (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: <cipher>,<iv>`).
mod legacy {
    use md5::{Digest, Md5};
    use zeroize::Zeroizing;

    use super::{cbc_decrypt, KeyError};

    /// Decrypts the DER body; the key is OpenSSL's `EVP_BytesToKey(MD5, salt = iv[..8], 1)`.
    pub(super) fn decrypt(
        dek_info: &str,
        pass: &[u8],
        data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let (cipher, iv_hex) = dek_info
            .split_once(',')
            .ok_or_else(|| KeyError::Malformed("DEK-Info header without an IV".into()))?;
        let iv = hex_decode(iv_hex.trim())
            .ok_or_else(|| KeyError::Malformed("DEK-Info IV is not hex".into()))?;
        let cipher = cipher.trim().to_ascii_uppercase();
        let (key_len, iv_len) = match cipher.as_str() {
            "AES-128-CBC" => (16, 16),
            "AES-192-CBC" => (24, 16),
            "AES-256-CBC" => (32, 16),
            "DES-EDE3-CBC" => (24, 8),
            "DES-CBC" => (8, 8),
            other => {
                return Err(KeyError::UnsupportedEncryption(format!(
                    "legacy PEM cipher {other}"
                )))
            }
        };
        if iv.len() != iv_len {
            return Err(KeyError::Malformed(format!(
                "DEK-Info IV has {} bytes; {cipher} needs {iv_len}",
                iv.len()
            )));
        }
        let key = Zeroizing::new(bytes_to_key(pass, &iv[..8], key_len));
        let plain = match cipher.as_str() {
            "AES-128-CBC" => cbc_decrypt::<aes::Aes128>(&key, &iv, data),
            "AES-192-CBC" => cbc_decrypt::<aes::Aes192>(&key, &iv, data),
            "AES-256-CBC" => cbc_decrypt::<aes::Aes256>(&key, &iv, data),
            "DES-EDE3-CBC" => cbc_decrypt::<des::TdesEde3>(&key, &iv, data),
            _ => cbc_decrypt::<des::Des>(&key, &iv, data),
        };
        // Bad padding after decryption means the passphrase was wrong.
        plain.ok_or(KeyError::WrongPassphrase)
    }

    /// `EVP_BytesToKey` with MD5 and one iteration: `D_i = MD5(D_{i-1} || pass || salt)`.
    fn bytes_to_key(pass: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 16);
        let mut prev: Vec<u8> = Vec::new();
        while out.len() < len {
            let mut h = Md5::new();
            h.update(&prev);
            h.update(pass);
            h.update(salt);
            prev = h.finalize().to_vec();
            out.extend_from_slice(&prev);
        }
        out.truncate(len);
        out
    }

    fn hex_decode(s: &str) -> Option<Vec<u8>> {
        if s.len() % 2 != 0 {
            return None;
        }
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn bytes_to_key_matches_openssl() {
            // `openssl enc -aes-256-cbc -P -md md5 -pass pass:password -S 0102030405060708`
            let key = bytes_to_key(b"password", &[1, 2, 3, 4, 5, 6, 7, 8], 32);
            let hex: String = key.iter().map(|b| format!("{b:02X}")).collect();
            assert_eq!(hex, OPENSSL_KEY);
        }
        const OPENSSL_KEY: &str =
            "E7B0971E52CA5CC8D0539FB3412F6316F7BA2E6EE293D9F3457B99436B51CE02";

        #[test]
        fn hex_decode_rejects_odd_and_non_hex() {
            assert_eq!(hex_decode("0aFf"), Some(vec![0x0a, 0xff]));
            assert_eq!(hex_decode("0a0"), None);
            assert_eq!(hex_decode("zz"), None);
        }
    }
}
