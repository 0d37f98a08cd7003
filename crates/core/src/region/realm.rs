//! [`Realm`]: a set of regions sharing a second-level domain.

use std::borrow::Cow;
use std::fmt;

/// An OCI realm: a set of regions sharing a second-level domain, e.g. `oc1` / `oraclecloud.com`.
///
/// ```
/// use oci_core::region::Realm;
///
/// let realm = Realm::builtin("OC19").ok_or("unknown realm")?;
/// assert_eq!(realm.key(), "oc19");
/// assert_eq!(realm.second_level_domain(), "oraclecloud.eu");
/// assert_eq!(realm.to_string(), "oc19");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Realm {
    pub(crate) key: Cow<'static, str>,
    pub(crate) second_level_domain: Cow<'static, str>,
}

impl Realm {
    /// A realm from its key and second-level domain, both lowercased.
    ///
    /// ```
    /// use oci_core::region::Realm;
    ///
    /// let realm = Realm::new("OC99", "Example.com");
    /// assert_eq!((realm.key(), realm.second_level_domain()), ("oc99", "example.com"));
    /// ```
    pub fn new(key: &str, second_level_domain: &str) -> Realm {
        Realm {
            key: Cow::Owned(key.trim().to_ascii_lowercase()),
            second_level_domain: Cow::Owned(second_level_domain.trim().to_ascii_lowercase()),
        }
    }

    /// The realm key, e.g. `oc1`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The second-level domain of the realm's endpoints, e.g. `oraclecloud.com`.
    pub fn second_level_domain(&self) -> &str {
        &self.second_level_domain
    }
}

impl fmt::Display for Realm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}
