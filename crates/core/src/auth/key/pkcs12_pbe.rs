//! PKCS#12 password-based encryption (RFC 7292 appendix C) of a PKCS#8 key, as written by
//! `openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES` (the OpenSSL 1.0 default).

use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
use rsa::pkcs8::der::asn1::{AnyRef, OctetStringRef};
use rsa::pkcs8::der::{Decode, Reader, SliceReader, Tag, Tagged};
use rsa::pkcs8::spki::AlgorithmIdentifierRef;
use rsa::pkcs8::ObjectIdentifier;
use zeroize::Zeroizing;

use super::cipher::cbc_decrypt;
use super::error::KeyError;

const SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
const SHA1_2DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.4");

/// `EncryptedPrivateKeyInfo` taken apart without knowing the algorithm.
pub(crate) struct RawEncrypted<'a> {
    pub(crate) oid: ObjectIdentifier,
    params: Option<AnyRef<'a>>,
    data: &'a [u8],
}

impl<'a> RawEncrypted<'a> {
    pub(crate) fn parse(der: &'a [u8]) -> Option<Self> {
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

pub(crate) fn supports(oid: ObjectIdentifier) -> bool {
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

pub(crate) fn decrypt(raw: &RawEncrypted<'_>, pass: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
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
