//! PEM text into an RSA key: blocks, labels, encryption schemes and the formats we refuse.

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, ObjectIdentifier};
use rsa::RsaPrivateKey;
use zeroize::Zeroizing;

use super::error::KeyError;
use super::{legacy_pem as legacy, pbes1, pkcs12_pbe};

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

/// Key formats recognised by their first line, which this SDK does not read.
const OTHER_FORMATS: &[(&str, &str, &str)] = &[
    (
        "PuTTY-User-Key-File-",
        "PuTTY (.ppk)",
        "puttygen <file> -O private-openssh -o key.pem",
    ),
    (
        "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----",
        "SSH.com (SSH2)",
        "puttygen <file> -O private-openssh -o key.pem",
    ),
];

/// OpenSSH's own private-key format (`ssh-keygen` since OpenSSH 7.8).
const OPENSSH: KeyError = KeyError::UnsupportedFormat {
    format: "OpenSSH",
    convert: "ssh-keygen -p -m PEM -f <file>",
};

/// A binary file that is one whole DER `SEQUENCE`: a DER key or a PKCS#12 bundle.
pub(crate) fn binary_format(bytes: &[u8]) -> Option<KeyError> {
    let (len, header) = match bytes {
        [0x30, n, ..] if *n < 0x80 => (usize::from(*n), 2),
        [0x30, 0x81, n, ..] => (usize::from(*n), 3),
        [0x30, 0x82, a, b, ..] => (usize::from(*a) << 8 | usize::from(*b), 4),
        _ => return None,
    };
    (header + len == bytes.len()).then_some(KeyError::UnsupportedFormat {
        format: "DER (binary): a DER key or a PKCS#12 (.p12/.pfx) bundle",
        convert: "openssl pkey -inform DER -in <file> -out key.pem; for a PKCS#12 bundle: \
                  openssl pkcs12 -in <file> -nocerts -out key.pem",
    })
}

pub(crate) fn decode_pem(text: &str, passphrase: Option<&str>) -> Result<RsaPrivateKey, KeyError> {
    let first = text.trim_start();
    if let Some((_, format, convert)) = OTHER_FORMATS.iter().find(|(p, ..)| first.starts_with(p)) {
        return Err(KeyError::UnsupportedFormat { format, convert });
    }
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
            // PBES1 (single DES): pkcs5 parses it but does not decrypt it.
            if let Some(alg) = info.encryption_algorithm.pbes1() {
                if !pbes1::supports(alg) {
                    return Err(KeyError::UnsupportedEncryption(encryption_name(alg.oid())));
                }
                let pass = passphrase.ok_or(KeyError::PassphraseRequired)?;
                let plain = pbes1::decrypt(alg, pass, info.encrypted_data)?;
                return pkcs8_to_rsa(&plain, |_| KeyError::WrongPassphrase);
            }
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
        // A real one starts with the magic `openssh-key-v1\0`; anything else is garbage.
        "OPENSSH PRIVATE KEY" => match block.der() {
            Ok(der) if der.starts_with(b"openssh-key-v1\0") => Err(OPENSSH),
            _ => Err(KeyError::Malformed(
                "OpenSSH private key format is not supported (and this one is damaged); \
                 convert it to PEM with `ssh-keygen -p -m PEM -f <file>`"
                    .into(),
            )),
        },
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
        "1.2.840.113549.1.5.1" => "PKCS#5 PBES1 PBE-MD2-DES",
        "1.2.840.113549.1.5.4" => "PKCS#5 PBES1 PBE-MD2-RC2-64",
        "1.2.840.113549.1.5.6" => "PKCS#5 PBES1 PBE-MD5-RC2-64",
        "1.2.840.113549.1.5.11" => "PKCS#5 PBES1 PBE-SHA1-RC2-64",
        "1.2.840.113549.1.5.13" => "PKCS#5 PBES2 with an unsupported cipher or PRF",
        other => return format!("encryption algorithm {other}"),
    };
    name.to_owned()
}
