//! KMS crypto, through a vault's crypto endpoint: encrypt, decrypt, generate a data key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::common::b64_field;
use super::endpoint_vault;
use super::keys::find;
use crate::error::{ApiError, ApiResult};
use crate::http::{self as h, Reply};
use crate::planes::kms::{check_shape, KeyData, KeyShape};
use crate::shared::{Call, Shared};
use crate::util;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Encrypt {
    key_id: String,
    plaintext: String,
    #[serde(default)]
    associated_data: BTreeMap<String, String>,
    #[serde(default)]
    key_version_id: Option<String>,
    #[serde(default)]
    encryption_algorithm: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Decrypt {
    key_id: String,
    ciphertext: String,
    #[serde(default)]
    associated_data: BTreeMap<String, String>,
    #[serde(default)]
    encryption_algorithm: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateKey {
    key_id: String,
    include_plaintext_key: bool,
    key_shape: KeyShape,
    #[serde(default)]
    associated_data: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Encrypted {
    ciphertext: String,
    key_id: String,
    key_version_id: String,
    encryption_algorithm: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Decrypted {
    plaintext: String,
    plaintext_checksum: String,
    key_id: String,
    key_version_id: String,
    encryption_algorithm: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Generated {
    ciphertext: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    plaintext: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plaintext_checksum: Option<String>,
}

const ALGORITHM: &str = "AES_256_GCM";

fn check_algorithm(a: Option<&str>) -> ApiResult<()> {
    match a {
        None | Some(ALGORITHM) => Ok(()),
        Some(other) => Err(ApiError::invalid(format!(
            "the emulator supports encryptionAlgorithm AES_256_GCM only, got `{other}`"
        ))),
    }
}

/// The checksum OCI answers with a plaintext: CRC-32 (IEEE) as decimal text.
fn checksum(bytes: &[u8]) -> String {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    (!crc).to_string()
}

fn enabled(key: &KeyData) -> ApiResult<&KeyData> {
    if key.key.lifecycle_state != "ENABLED" {
        return Err(ApiError::new(409, "Conflict", "the key is not enabled"));
    }
    Ok(key)
}

pub(super) fn handle(shared: &Shared, call: &Call) -> Reply {
    let vault_id = endpoint_vault(call, "kms-crypto")?;
    let state = shared.lock();
    match call.op {
        "Encrypt" => {
            let body: Encrypt = h::parse_json(call.body.bytes())?;
            check_algorithm(body.encryption_algorithm.as_deref())?;
            let plain = b64_field("plaintext", &body.plaintext)?;
            if plain.len() > 4096 {
                return Err(ApiError::invalid("plaintext is limited to 4096 bytes"));
            }
            let key = enabled(find(&state, vault_id, &body.key_id)?)?;
            let (ciphertext, key_version_id) = key.encrypt(
                body.key_version_id.as_deref(),
                &plain,
                &body.associated_data,
            )?;
            h::json(
                200,
                &Encrypted {
                    ciphertext,
                    key_id: body.key_id,
                    key_version_id,
                    encryption_algorithm: ALGORITHM,
                },
            )
        }
        "Decrypt" => {
            let body: Decrypt = h::parse_json(call.body.bytes())?;
            check_algorithm(body.encryption_algorithm.as_deref())?;
            let key = enabled(find(&state, vault_id, &body.key_id)?)?;
            let (plain, key_version_id) = key.decrypt(&body.ciphertext, &body.associated_data)?;
            h::json(
                200,
                &Decrypted {
                    plaintext: util::b64(&plain),
                    plaintext_checksum: checksum(&plain),
                    key_id: body.key_id,
                    key_version_id,
                    encryption_algorithm: ALGORITHM,
                },
            )
        }
        _ => {
            let body: GenerateKey = h::parse_json(call.body.bytes())?;
            check_shape(&body.key_shape)?;
            let key = enabled(find(&state, vault_id, &body.key_id)?)?;
            let data_key: Vec<u8> = (0..body.key_shape.length).map(|_| rand::random()).collect();
            let (ciphertext, _) = key.encrypt(None, &data_key, &body.associated_data)?;
            h::json(
                200,
                &Generated {
                    ciphertext,
                    plaintext: body.include_plaintext_key.then(|| util::b64(&data_key)),
                    plaintext_checksum: body.include_plaintext_key.then(|| checksum(&data_key)),
                },
            )
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc32_of_a_known_string() {
        assert_eq!(super::checksum(b"123456789"), 0xCBF4_3926u32.to_string());
    }
}
