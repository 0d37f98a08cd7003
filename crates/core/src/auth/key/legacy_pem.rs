//! OpenSSL's legacy PEM encryption (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: <cipher>,<iv>`).

use md5::{Digest, Md5};
use zeroize::Zeroizing;

use super::cipher::cbc_decrypt;
use super::error::KeyError;

/// Decrypts the DER body; the key is OpenSSL's `EVP_BytesToKey(MD5, salt = iv[..8], 1)`.
pub(crate) fn decrypt(
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
    const OPENSSL_KEY: &str = "E7B0971E52CA5CC8D0539FB3412F6316F7BA2E6EE293D9F3457B99436B51CE02";

    #[test]
    fn hex_decode_rejects_odd_and_non_hex() {
        assert_eq!(hex_decode("0aFf"), Some(vec![0x0a, 0xff]));
        assert_eq!(hex_decode("0a0"), None);
        assert_eq!(hex_decode("zz"), None);
    }
}
