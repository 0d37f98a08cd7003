//! Key Management: vaults, AES keys with versions, and AES-256-GCM (or AES-128-GCM for 16-byte
//! keys) under them.
//!
//! A ciphertext is base64 of `"oci1" | key version index (u32, big endian) | 12-byte nonce |
//! sealed bytes with the GCM tag`. The additional authenticated data is the key's OCID and the
//! request's `associatedData` (sorted), so a ciphertext decrypts only under the key (and the
//! associated data) it was made with; any changed byte fails the tag check.

use std::collections::BTreeMap;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM, AES_256_GCM};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::state::{DefinedTags, Tags};

/// `Vault` (without the endpoints, which depend on the host the client used).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Vault {
    pub id: String,
    pub compartment_id: String,
    pub display_name: String,
    pub lifecycle_state: String,
    pub time_created: String,
    pub vault_type: String,
    pub is_primary: bool,
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
}

/// `KeyShape`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyShape {
    pub algorithm: String,
    pub length: u32,
}

/// `Key`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Key {
    pub id: String,
    pub compartment_id: String,
    pub display_name: String,
    pub current_key_version: String,
    pub key_shape: KeyShape,
    pub protection_mode: String,
    pub lifecycle_state: String,
    pub time_created: String,
    pub vault_id: String,
    pub is_primary: bool,
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
}

/// `KeyVersion`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyVersion {
    pub id: String,
    pub key_id: String,
    pub compartment_id: String,
    pub vault_id: String,
    pub lifecycle_state: String,
    pub origin: String,
    pub time_created: String,
    pub is_primary: bool,
}

/// A key with its versions and their material (base64; never answered).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyData {
    pub key: Key,
    pub versions: Vec<(KeyVersion, String)>,
}

const MAGIC: &[u8; 4] = b"oci1";
const NONCE_LEN: usize = 12;

/// Checks a key shape the emulator can use: AES with 16 or 32 bytes.
pub(crate) fn check_shape(shape: &KeyShape) -> ApiResult<()> {
    if shape.algorithm != "AES" || !matches!(shape.length, 16 | 32) {
        return Err(ApiError::invalid(format!(
            "the emulator supports AES keys of 16 or 32 bytes, got {} {}",
            shape.algorithm, shape.length
        )));
    }
    Ok(())
}

/// Fresh key material of `len` bytes.
pub(crate) fn new_material(len: u32) -> String {
    let bytes: Vec<u8> = (0..len).map(|_| rand::random::<u8>()).collect();
    B64.encode(bytes)
}

fn aad(key_id: &str, associated: &BTreeMap<String, String>) -> Vec<u8> {
    let mut out = key_id.as_bytes().to_vec();
    for (k, v) in associated {
        out.push(0);
        out.extend_from_slice(k.as_bytes());
        out.push(0);
        out.extend_from_slice(v.as_bytes());
    }
    out
}

fn sealing_key(material_b64: &str) -> ApiResult<LessSafeKey> {
    let internal = || ApiError::new(500, "InternalServerError", "unusable key material");
    let bytes = B64.decode(material_b64).map_err(|_| internal())?;
    let alg = if bytes.len() == 16 {
        &AES_128_GCM
    } else {
        &AES_256_GCM
    };
    UnboundKey::new(alg, &bytes)
        .map(LessSafeKey::new)
        .map_err(|_| internal())
}

fn decrypt_failed() -> ApiError {
    ApiError::invalid("the ciphertext could not be decrypted with this key and associated data")
}

impl KeyData {
    fn version_index(&self, version_id: Option<&str>) -> ApiResult<usize> {
        let wanted = version_id.unwrap_or(&self.key.current_key_version);
        self.versions
            .iter()
            .position(|(v, _)| v.id == wanted)
            .ok_or_else(|| ApiError::not_found("KeyVersion"))
    }

    /// Encrypts under a version (the current one by default); the ciphertext and the version.
    pub fn encrypt(
        &self,
        version_id: Option<&str>,
        plaintext: &[u8],
        associated: &BTreeMap<String, String>,
    ) -> ApiResult<(String, String)> {
        let i = self.version_index(version_id)?;
        let (version, material) = &self.versions[i];
        let key = sealing_key(material)?;
        let nonce: [u8; NONCE_LEN] = rand::random();
        let mut sealed = plaintext.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad(&self.key.id, associated)),
            &mut sealed,
        )
        .map_err(|_| ApiError::new(500, "InternalServerError", "encryption failed"))?;
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&(i as u32).to_be_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok((B64.encode(out), version.id.clone()))
    }

    /// Decrypts a ciphertext made by [`KeyData::encrypt`] of this key; the plaintext and the
    /// version that made it.
    pub fn decrypt(
        &self,
        ciphertext: &str,
        associated: &BTreeMap<String, String>,
    ) -> ApiResult<(Vec<u8>, String)> {
        let raw = B64
            .decode(ciphertext.trim())
            .map_err(|_| ApiError::invalid("the ciphertext is not base64"))?;
        let header = MAGIC.len() + 4 + NONCE_LEN;
        if raw.len() < header + 16 || &raw[..4] != MAGIC {
            return Err(decrypt_failed());
        }
        let index = u32::from_be_bytes([raw[4], raw[5], raw[6], raw[7]]) as usize;
        let (version, material) = self.versions.get(index).ok_or_else(decrypt_failed)?;
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&raw[8..header]);
        let mut sealed = raw[header..].to_vec();
        let plain = sealing_key(material)?
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(&self.key.id, associated)),
                &mut sealed,
            )
            .map_err(|_| decrypt_failed())?;
        Ok((plain.to_vec(), version.id.clone()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn key(id: &str, len: u32) -> KeyData {
        let version = KeyVersion {
            id: format!("{id}-v1"),
            key_id: id.into(),
            compartment_id: "c".into(),
            vault_id: "v".into(),
            lifecycle_state: "ENABLED".into(),
            origin: "INTERNAL".into(),
            time_created: String::new(),
            is_primary: true,
        };
        KeyData {
            key: Key {
                id: id.into(),
                compartment_id: "c".into(),
                display_name: id.into(),
                current_key_version: version.id.clone(),
                key_shape: KeyShape {
                    algorithm: "AES".into(),
                    length: len,
                },
                protection_mode: "SOFTWARE".into(),
                lifecycle_state: "ENABLED".into(),
                time_created: String::new(),
                vault_id: "v".into(),
                is_primary: true,
                freeform_tags: Tags::new(),
                defined_tags: DefinedTags::new(),
            },
            versions: vec![(version, new_material(len))],
        }
    }

    #[test]
    fn round_trips_and_binds_key_and_associated_data() {
        let none = BTreeMap::new();
        let mut ctx = BTreeMap::new();
        ctx.insert("tenant".to_owned(), "a".to_owned());
        for len in [32, 16] {
            let a = key("ka", len);
            let b = key("kb", len);
            let (ct, v) = a.encrypt(None, b"hello", &ctx).unwrap();
            assert_eq!(v, "ka-v1");
            assert_eq!(a.decrypt(&ct, &ctx).unwrap().0, b"hello");
            assert!(a.decrypt(&ct, &none).is_err(), "associated data is bound");
            assert_eq!(b.decrypt(&ct, &ctx).unwrap_err().status, 400);
            // Same material under another key id still fails: the key id is authenticated.
            let mut c = key("kc", len);
            c.versions[0].1 = a.versions[0].1.clone();
            assert!(c.decrypt(&ct, &ctx).is_err());
            let mut raw = B64.decode(&ct).unwrap();
            let last = raw.len() - 1;
            raw[last] ^= 1;
            assert!(
                a.decrypt(&B64.encode(&raw), &ctx).is_err(),
                "tampering fails"
            );
            assert!(a.decrypt("bm90IGEgY2lwaGVydGV4dA==", &ctx).is_err());
            assert!(a.decrypt("%%%", &ctx).is_err());
        }
    }

    #[test]
    fn old_versions_still_decrypt() {
        let mut a = key("ka", 32);
        let (old, _) = a.encrypt(None, b"one", &BTreeMap::new()).unwrap();
        let mut v2 = a.versions[0].0.clone();
        v2.id = "ka-v2".into();
        a.versions.push((v2, new_material(32)));
        a.key.current_key_version = "ka-v2".into();
        let (new, v) = a.encrypt(None, b"two", &BTreeMap::new()).unwrap();
        assert_eq!(v, "ka-v2");
        assert_eq!(
            a.decrypt(&old, &BTreeMap::new()).unwrap(),
            (b"one".to_vec(), "ka-v1".into())
        );
        assert_eq!(a.decrypt(&new, &BTreeMap::new()).unwrap().1, "ka-v2");
        assert!(check_shape(&KeyShape {
            algorithm: "RSA".into(),
            length: 256
        })
        .is_err());
    }
}
