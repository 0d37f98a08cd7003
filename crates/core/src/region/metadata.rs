//! The external region sources: `~/.oci/regions-config.json` and `OCI_REGION_METADATA`.

use std::path::{Path, PathBuf};

/// A region metadata source could not be read or parsed.
///
/// ```
/// use oci_core::region::{RegionMetadataError, RegionResolver};
///
/// let env = |name: &str| (name == "OCI_REGION_METADATA").then(|| "{not json".to_owned());
/// let resolver = RegionResolver::new(None, env);
/// let err = resolver.try_resolve("xx-city-1").err().ok_or("expected an error")?;
/// assert!(err.is_config());
/// let source = std::error::Error::source(&err).and_then(|s| s.downcast_ref::<RegionMetadataError>());
/// assert!(matches!(source, Some(RegionMetadataError::EnvVar { .. })));
/// // The lenient form skips the bad variable and falls back to oc1.
/// assert_eq!(resolver.resolve("xx-city-1").realm().map(|r| r.key()), Some("oc1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionMetadataError {
    /// `~/.oci/regions-config.json` exists but cannot be read or is malformed.
    #[error("invalid regions config file {}: {reason}", path.display())]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// `OCI_REGION_METADATA` is malformed.
    #[error("invalid OCI_REGION_METADATA: {reason}")]
    EnvVar {
        /// What is wrong.
        reason: String,
    },
}

/// One region's metadata, lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegionMetadata {
    pub(crate) realm_key: String,
    pub(crate) realm_domain_component: String,
    pub(crate) region_key: String,
    pub(crate) region_identifier: String,
}

impl RegionMetadata {
    /// Reads the four keys; each must be a non-empty string.
    pub(crate) fn from_json(value: &serde_json::Value) -> Result<RegionMetadata, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| format!("expected a JSON object, found `{value}`"))?;
        let get = |k: &str| match obj.get(k) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                Ok(s.trim().to_ascii_lowercase())
            }
            Some(serde_json::Value::String(_)) => Err(format!("`{k}` is empty")),
            Some(other) => Err(format!("`{k}` must be a string, found `{other}`")),
            None => Err(format!("missing `{k}`")),
        };
        Ok(RegionMetadata {
            realm_key: get("realmKey")?,
            realm_domain_component: get("realmDomainComponent")?,
            region_key: get("regionKey")?,
            region_identifier: get("regionIdentifier")?,
        })
    }

    /// Whether `region` (normalized) is this entry's id or key.
    pub(crate) fn matches(&self, region: &str) -> bool {
        self.region_identifier == region || self.region_key == region
    }
}

/// What one external source gave: the valid entries, and what was wrong with the rest.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub(crate) entries: Vec<RegionMetadata>,
    pub(crate) problem: Option<RegionMetadataError>,
}

impl Loaded {
    /// Logs the problem, if any, and keeps the entries.
    pub(crate) fn warn(self) -> Self {
        if let Some(p) = &self.problem {
            tracing::warn!(error = %p, "ignoring malformed region metadata");
        }
        self
    }
}

/// Reads `~/.oci/regions-config.json` (a missing file is no problem).
pub(crate) fn load_config_file(path: &Path) -> Loaded {
    let problem = |reason: String| RegionMetadataError::ConfigFile {
        path: path.to_owned(),
        reason,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::default(),
        Err(e) => {
            return Loaded {
                entries: Vec::new(),
                problem: Some(problem(format!("cannot read it: {e}"))),
            }
        }
    };
    let items = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(serde_json::Value::Array(items)) => items,
        Ok(_) => {
            return Loaded {
                entries: Vec::new(),
                problem: Some(problem(
                    "expected a JSON array of region objects".to_owned(),
                )),
            }
        }
        Err(e) => {
            return Loaded {
                entries: Vec::new(),
                problem: Some(problem(format!("not valid JSON: {e}"))),
            }
        }
    };
    let mut loaded = Loaded::default();
    let mut reasons = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match RegionMetadata::from_json(item) {
            Ok(m) => loaded.entries.push(m),
            Err(why) => reasons.push(format!("entry {i}: {why}")),
        }
    }
    if !reasons.is_empty() {
        loaded.problem = Some(problem(reasons.join("; ")));
    }
    loaded
}

/// Parses `OCI_REGION_METADATA`.
pub(crate) fn load_env_metadata(value: &str) -> Loaded {
    let problem = |reason: String| Loaded {
        entries: Vec::new(),
        problem: Some(RegionMetadataError::EnvVar { reason }),
    };
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(v) => match RegionMetadata::from_json(&v) {
            Ok(m) => Loaded {
                entries: vec![m],
                problem: None,
            },
            Err(why) => problem(why),
        },
        Err(e) => problem(format!("not valid JSON: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_needs_four_non_empty_strings() {
        let ok = serde_json::json!({"realmKey": "OC99", "realmDomainComponent": "Example.COM",
            "regionKey": "XCY", "regionIdentifier": "XX-City-1"});
        let m = RegionMetadata::from_json(&ok).ok();
        assert_eq!(
            m,
            Some(RegionMetadata {
                realm_key: "oc99".into(),
                realm_domain_component: "example.com".into(),
                region_key: "xcy".into(),
                region_identifier: "xx-city-1".into(),
            })
        );
        for bad in [
            serde_json::json!({"realmKey": "oc99", "realmDomainComponent": "example.com",
                "regionKey": "xcy"}),
            serde_json::json!({"realmKey": "", "realmDomainComponent": "example.com",
                "regionKey": "xcy", "regionIdentifier": "xx-city-1"}),
            serde_json::json!({"realmKey": 1, "realmDomainComponent": "example.com",
                "regionKey": "xcy", "regionIdentifier": "xx-city-1"}),
            serde_json::json!(["oc99"]),
        ] {
            assert!(RegionMetadata::from_json(&bad).is_err(), "{bad}");
        }
    }
}
