//! [`Region`] and [`RegionSource`]: what a resolved region is (its data and accessors).

use std::borrow::Cow;
use std::fmt;

use super::realm::Realm;

/// Where a [`Region`]'s realm and domain came from.
///
/// ```
/// use oci_core::region::{Region, RegionSource};
///
/// assert_eq!(Region::new("iad").source(), RegionSource::BuiltIn);
/// assert_eq!(Region::new("my.domain.com").source(), RegionSource::Domain);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RegionSource {
    /// The built-in table.
    BuiltIn,
    /// `~/.oci/regions-config.json`.
    RegionsConfigFile,
    /// Env `OCI_REGION_METADATA`.
    RegionMetadataEnv,
    /// The region string contains `.` and is used as the whole domain.
    Domain,
    /// Unknown region: env `OCI_DEFAULT_REALM` gave the second-level domain.
    DefaultRealmEnv,
    /// Unknown region, assumed to be in realm `oc1`.
    Oc1Fallback,
    /// Built by [`Region::custom`].
    Custom,
}

/// How a region's host names are formed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Placement {
    /// In a known (or assumed) realm.
    Realm(Realm),
    /// Realm unknown, second-level domain from `OCI_DEFAULT_REALM`.
    SecondLevelDomain(String),
    /// The id is the whole domain.
    Domain,
}

/// An OCI region, e.g. `us-ashburn-1`, with its realm, and how to reach services in it.
///
/// ```
/// use oci_core::{Region, ServiceInfo};
///
/// const OBJECT_STORAGE: ServiceInfo = ServiceInfo {
///     name: "objectstorage",
///     endpoint_template: "https://objectstorage.{region}.{dualStack?ds.oci.:}{secondLevelDomain}",
///     base_path: "",
/// };
///
/// let region = Region::new("eu-frankfurt-2").with_dual_stack(false);
/// assert_eq!(region.realm().map(|r| r.second_level_domain()), Some("oraclecloud.eu"));
/// assert_eq!(region.endpoint(&OBJECT_STORAGE)?.to_string(),
///     "https://objectstorage.eu-frankfurt-2.oraclecloud.eu");
/// assert_eq!(region.with_dual_stack(true).endpoint(&OBJECT_STORAGE)?.to_string(),
///     "https://objectstorage.eu-frankfurt-2.ds.oci.oraclecloud.eu");
/// # Ok::<(), oci_core::Error>(())
/// ```
///
/// See the [module docs](crate::region) for how region strings resolve. A region is a plain value:
/// cloning it is cheap and it does no I/O after it is built.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Region {
    pub(crate) id: Cow<'static, str>,
    pub(crate) short_code: Option<Cow<'static, str>>,
    pub(crate) placement: Placement,
    pub(crate) source: RegionSource,
    pub(crate) dual_stack: bool,
}

impl Region {
    /// A region that is in no table, in the given realm.
    ///
    /// ```
    /// use oci_core::region::{Realm, Region};
    ///
    /// let region = Region::custom("xx-city-1", Realm::new("oc99", "example.com"))
    ///     .with_short_code("xcy");
    /// assert_eq!(region.short_code(), Some("xcy"));
    /// ```
    ///
    /// The id is lowercased. It has no short code unless [`with_short_code`](Self::with_short_code)
    /// gives one.
    pub fn custom(id: &str, realm: Realm) -> Region {
        Region {
            id: Cow::Owned(id.trim().to_ascii_lowercase()),
            short_code: None,
            placement: Placement::Realm(realm),
            source: RegionSource::Custom,
            dual_stack: false,
        }
    }

    /// This region with a short code (lowercased), e.g. `iad`.
    pub fn with_short_code(mut self, short_code: &str) -> Region {
        self.short_code = Some(Cow::Owned(short_code.trim().to_ascii_lowercase()));
        self
    }

    /// A region found in no table or source, placed by `placement`.
    pub(crate) fn unknown(id: String, placement: Placement, source: RegionSource) -> Region {
        Region {
            id: Cow::Owned(id),
            short_code: None,
            placement,
            source,
            dual_stack: false,
        }
    }

    /// The region id, e.g. `us-ashburn-1` (lowercase); for a domain region, the domain.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The short code, e.g. `iad`, when the region is known (built-in or from metadata).
    pub fn short_code(&self) -> Option<&str> {
        self.short_code.as_deref()
    }

    /// The realm: known for built-in and metadata regions, `oc1` for the oc1 fallback, `None`
    /// for a domain region and for an unknown region placed by `OCI_DEFAULT_REALM`.
    ///
    /// ```
    /// use oci_core::Region;
    ///
    /// assert_eq!(Region::new("ric").realm().map(|r| r.key()), Some("oc3"));
    /// assert_eq!(Region::new("my.domain.com").realm(), None);
    /// ```
    pub fn realm(&self) -> Option<&Realm> {
        match &self.placement {
            Placement::Realm(r) => Some(r),
            _ => None,
        }
    }

    /// The second-level domain used for `{secondLevelDomain}`; `None` for a domain region.
    pub fn second_level_domain(&self) -> Option<&str> {
        match &self.placement {
            Placement::Realm(r) => Some(r.second_level_domain()),
            Placement::SecondLevelDomain(d) => Some(d),
            Placement::Domain => None,
        }
    }

    /// Where the region's realm and domain came from.
    pub fn source(&self) -> RegionSource {
        self.source
    }

    /// Whether endpoints use the dual-stack (IPv4 + IPv6) form of templates that have one.
    ///
    /// Off by default; [`RegionResolver`](super::RegionResolver) turns it on when `OCI_DUAL_STACK_ENDPOINT_ENABLED` is
    /// `true` (case-insensitive), and [`Region::with_dual_stack`] overrides both.
    pub fn dual_stack(&self) -> bool {
        self.dual_stack
    }

    /// This region with dual-stack endpoints turned on or off (overriding the env var).
    ///
    /// ```
    /// use oci_core::Region;
    ///
    /// assert!(Region::new("iad").with_dual_stack(true).dual_stack());
    /// ```
    pub fn with_dual_stack(mut self, enabled: bool) -> Region {
        self.dual_stack = enabled;
        self
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}
