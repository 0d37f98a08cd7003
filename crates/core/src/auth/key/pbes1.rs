//! PKCS#5 PBES1 (RFC 8018 section 6.1) with DES-CBC, as `openssl pkcs8 -topk8 -v1
//! PBE-MD5-DES` / `PBE-SHA1-DES` write it: the `pkcs5` crate parses these but does not decrypt
//! them. The RC2 and MD2 variants are reported as unsupported.

use md5::Md5;
use pkcs5::pbes1::{Algorithm, DigestAlgorithm, SymmetricCipher};
use sha1::Digest;
use zeroize::Zeroizing;

use super::cipher::cbc_decrypt;
use super::error::KeyError;

/// Whether this SDK decrypts `alg` (DES-CBC with MD5 or SHA-1).
pub(super) fn supports(alg: &Algorithm) -> bool {
    alg.encryption.cipher() == SymmetricCipher::DesCbc
        && matches!(
            alg.encryption.digest(),
            DigestAlgorithm::Md5 | DigestAlgorithm::Sha1
        )
}

/// PBKDF1: `T_1 = H(P || S)`, `T_i = H(T_{i-1})`, the first 16 bytes of `T_c`.
fn pbkdf1<D: Digest>(pass: &[u8], salt: &[u8], iterations: u16) -> Zeroizing<Vec<u8>> {
    let mut h = D::new();
    h.update(pass);
    h.update(salt);
    let mut t = Zeroizing::new(h.finalize().to_vec());
    for _ in 1..iterations.max(1) {
        *t = D::digest(t.as_slice()).to_vec();
    }
    t.truncate(16);
    t
}

/// Decrypts `data`: DES key = DK[0..8], IV = DK[8..16]; bad padding means a wrong passphrase.
pub(super) fn decrypt(
    alg: &Algorithm,
    pass: &str,
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let salt = &alg.parameters.salt;
    let count = alg.parameters.iteration_count;
    let dk = match alg.encryption.digest() {
        DigestAlgorithm::Md5 => pbkdf1::<Md5>(pass.as_bytes(), salt, count),
        DigestAlgorithm::Sha1 => pbkdf1::<sha1::Sha1>(pass.as_bytes(), salt, count),
        _ => {
            return Err(KeyError::UnsupportedEncryption(
                "PKCS#5 PBES1 with MD2".into(),
            ))
        }
    };
    let (key, iv) = dk.split_at(8);
    cbc_decrypt::<des::Des>(key, iv, data).ok_or(KeyError::WrongPassphrase)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn pbkdf1_matches_rfc_8018_definition() {
        // One iteration is the plain hash of pass || salt.
        let one = pbkdf1::<Md5>(b"pw", b"saltsalt", 1);
        assert_eq!(one.as_slice(), &Md5::digest(b"pwsaltsalt")[..16]);
        // Two iterations hash the first result again.
        let two = pbkdf1::<sha1::Sha1>(b"pw", b"saltsalt", 2);
        let t1 = sha1::Sha1::digest(b"pwsaltsalt");
        assert_eq!(two.as_slice(), &sha1::Sha1::digest(t1)[..16]);
    }
}
