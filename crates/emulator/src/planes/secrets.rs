//! Vault secrets: secrets with numbered versions and rotation stages.
//!
//! A new version with stage `CURRENT` (the default) becomes `CURRENT` and `LATEST`; the old
//! current version becomes `PREVIOUS` and the old previous one `DEPRECATED`. A new `PENDING`
//! version becomes `PENDING` and `LATEST` and leaves `CURRENT` where it is; promoting it
//! (`currentVersionNumber`) makes it `CURRENT`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::state::{DefinedTags, Tags};
use crate::util;

/// `Secret`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Secret {
    pub id: String,
    pub compartment_id: String,
    pub current_version_number: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    pub lifecycle_state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    pub secret_name: String,
    pub time_created: String,
    pub vault_id: String,
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
}

/// One version of a secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecretVersion {
    pub version_number: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// Base64.
    pub content: String,
    pub stages: Vec<String>,
    pub time_created: String,
}

/// A secret with its versions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecretData {
    pub secret: Secret,
    pub versions: Vec<SecretVersion>,
}

/// Which version a bundle request names.
#[derive(Debug, Default, Clone)]
pub(crate) struct Selector {
    pub version_number: Option<u64>,
    pub version_name: Option<String>,
    pub stage: Option<String>,
}

/// The stages a request may name.
const STAGES: [&str; 5] = ["CURRENT", "PENDING", "LATEST", "PREVIOUS", "DEPRECATED"];

fn drop_stage(versions: &mut [SecretVersion], stage: &str) {
    for v in versions {
        v.stages.retain(|s| s != stage);
    }
}

fn add_stage(v: &mut SecretVersion, stage: &str) {
    if !v.stages.iter().any(|s| s == stage) {
        v.stages.push(stage.to_owned());
    }
}

impl SecretData {
    /// Adds a version (`stage` `CURRENT` or `PENDING`); its number.
    pub fn add_version(
        &mut self,
        now_ms: u64,
        content_b64: String,
        name: Option<String>,
        stage: &str,
    ) -> ApiResult<u64> {
        if !matches!(stage, "CURRENT" | "PENDING") {
            return Err(ApiError::invalid(format!(
                "secretContent.stage must be CURRENT or PENDING, got `{stage}`"
            )));
        }
        if let Some(n) = &name {
            if self
                .versions
                .iter()
                .any(|v| v.version_name.as_ref() == Some(n))
            {
                return Err(ApiError::new(
                    409,
                    "Conflict",
                    format!("the secret already has a version named `{n}`"),
                ));
            }
        }
        let number = self.versions.len() as u64 + 1;
        drop_stage(&mut self.versions, "LATEST");
        if stage == "PENDING" {
            drop_stage(&mut self.versions, "PENDING");
        }
        let mut stages = vec!["LATEST".to_owned()];
        if stage == "PENDING" {
            stages.insert(0, "PENDING".to_owned());
        }
        self.versions.push(SecretVersion {
            version_number: number,
            version_name: name,
            content: content_b64,
            stages,
            time_created: util::rfc3339(now_ms),
        });
        if stage == "CURRENT" {
            self.promote(number)?;
        }
        Ok(number)
    }

    /// Makes a version `CURRENT`.
    pub fn promote(&mut self, number: u64) -> ApiResult<()> {
        let target = self
            .versions
            .iter()
            .position(|v| v.version_number == number)
            .ok_or_else(|| ApiError::not_found("SecretVersion"))?;
        if self.versions[target].stages.iter().any(|s| s == "CURRENT") {
            return Ok(());
        }
        for v in &mut self.versions {
            if v.stages.iter().any(|s| s == "PREVIOUS") {
                v.stages.retain(|s| s != "PREVIOUS");
                add_stage(v, "DEPRECATED");
            }
        }
        for v in &mut self.versions {
            if v.stages.iter().any(|s| s == "CURRENT") {
                v.stages.retain(|s| s != "CURRENT");
                add_stage(v, "PREVIOUS");
            }
        }
        let v = &mut self.versions[target];
        v.stages.retain(|s| s != "PENDING" && s != "DEPRECATED");
        add_stage(v, "CURRENT");
        self.secret.current_version_number = number;
        Ok(())
    }

    /// The version a selector names (`CURRENT` when it names none).
    pub fn select(&self, sel: &Selector) -> ApiResult<&SecretVersion> {
        let missing = || ApiError::not_found("SecretVersion");
        if let Some(n) = sel.version_number {
            return self
                .versions
                .iter()
                .find(|v| v.version_number == n)
                .ok_or_else(missing);
        }
        if let Some(name) = &sel.version_name {
            return self
                .versions
                .iter()
                .find(|v| v.version_name.as_ref() == Some(name))
                .ok_or_else(missing);
        }
        let stage = sel.stage.as_deref().unwrap_or("CURRENT");
        if !STAGES.contains(&stage) {
            return Err(ApiError::invalid(format!(
                "stage must be one of {}, got `{stage}`",
                STAGES.join(", ")
            )));
        }
        self.versions
            .iter()
            .rev()
            .find(|v| v.stages.iter().any(|s| s == stage))
            .ok_or_else(missing)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn secret() -> SecretData {
        SecretData {
            secret: Secret {
                id: "s".into(),
                compartment_id: "c".into(),
                current_version_number: 0,
                description: None,
                key_id: None,
                lifecycle_state: "ACTIVE".into(),
                metadata: None,
                secret_name: "db".into(),
                time_created: String::new(),
                vault_id: "v".into(),
                freeform_tags: Tags::new(),
                defined_tags: DefinedTags::new(),
            },
            versions: Vec::new(),
        }
    }

    fn stage(s: &SecretData, stage: &str) -> u64 {
        let sel = Selector {
            stage: Some(stage.into()),
            ..Selector::default()
        };
        s.select(&sel).unwrap().version_number
    }

    fn stages(s: &SecretData, n: usize) -> Vec<&str> {
        let mut v: Vec<&str> = s.versions[n - 1]
            .stages
            .iter()
            .map(String::as_str)
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn versions_move_through_the_stages() {
        let mut s = secret();
        assert_eq!(s.add_version(0, "djE=".into(), None, "CURRENT").unwrap(), 1);
        assert_eq!(stages(&s, 1), ["CURRENT", "LATEST"]);
        s.add_version(1, "djI=".into(), Some("two".into()), "CURRENT")
            .unwrap();
        assert_eq!(stages(&s, 1), ["PREVIOUS"]);
        assert_eq!(stages(&s, 2), ["CURRENT", "LATEST"]);
        s.add_version(2, "djM=".into(), None, "PENDING").unwrap();
        assert_eq!((stage(&s, "CURRENT"), stage(&s, "PENDING")), (2, 3));
        assert_eq!((stage(&s, "LATEST"), stage(&s, "PREVIOUS")), (3, 1));
        assert_eq!(s.secret.current_version_number, 2);
        s.promote(3).unwrap();
        assert_eq!(stages(&s, 3), ["CURRENT", "LATEST"]);
        assert_eq!(stages(&s, 2), ["PREVIOUS"]);
        assert_eq!(stages(&s, 1), ["DEPRECATED"]);
        assert_eq!(s.secret.current_version_number, 3);

        let by_name = Selector {
            version_name: Some("two".into()),
            ..Selector::default()
        };
        assert_eq!(s.select(&by_name).unwrap().content, "djI=");
        let by_number = Selector {
            version_number: Some(1),
            ..Selector::default()
        };
        assert_eq!(s.select(&by_number).unwrap().content, "djE=");
        assert_eq!(s.select(&Selector::default()).unwrap().version_number, 3);
        assert_eq!(
            s.select(&Selector {
                version_number: Some(9),
                ..Selector::default()
            })
            .unwrap_err()
            .status,
            404
        );
        assert!(s
            .select(&Selector {
                stage: Some("NOPE".into()),
                ..Selector::default()
            })
            .is_err());
        assert_eq!(
            s.add_version(3, "eA==".into(), Some("two".into()), "CURRENT")
                .unwrap_err()
                .status,
            409
        );
        assert!(s.add_version(3, "eA==".into(), None, "PREVIOUS").is_err());
        assert!(s.promote(42).is_err());
    }
}
