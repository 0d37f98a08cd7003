//! [`RegionResolver`]: resolves region strings against the table and the external sources.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use super::data;
use super::metadata::{load_config_file, load_env_metadata, Loaded, RegionMetadata};
use super::realm::Realm;
use super::types::{Placement, Region, RegionSource};
use crate::Error;

#[cfg(doc)]
use super::metadata::RegionMetadataError;

/// Env var holding one region's metadata as a JSON object.
pub const REGION_METADATA_ENV: &str = "OCI_REGION_METADATA";
/// Env var giving the second-level domain of regions that are not otherwise known.
pub const DEFAULT_REALM_ENV: &str = "OCI_DEFAULT_REALM";
/// Env var that turns on dual-stack (IPv4 + IPv6) endpoints when set to `true`.
pub const DUAL_STACK_ENV: &str = "OCI_DUAL_STACK_ENDPOINT_ENABLED";
/// Path of the regions config file, relative to the home directory.
pub const REGIONS_CONFIG_FILE: &str = ".oci/regions-config.json";

impl Region {
    /// Resolves a region id or short code with the process-wide [`RegionResolver::global`].
    ///
    /// ```
    /// use oci_core::Region;
    ///
    /// assert_eq!(Region::new("us-langley-1").realm().map(|r| r.key()), Some("oc2"));
    /// assert_eq!(Region::new("Phx").id(), "us-phoenix-1");
    /// ```
    ///
    /// Never fails: an unknown region falls back as described in the [module docs](crate::region), and
    /// malformed external sources are skipped with a warning. Use [`Region::try_new`] to get an
    /// error for those instead.
    pub fn new(region: &str) -> Self {
        RegionResolver::global().resolve(region)
    }

    /// Like [`Region::new`], but a malformed regions config file or `OCI_REGION_METADATA` that
    /// had to be consulted is an error.
    ///
    /// ```
    /// use oci_core::Region;
    ///
    /// let region = Region::try_new("fra")?;
    /// assert_eq!(region.id(), "eu-frankfurt-1");
    /// # Ok::<(), oci_core::Error>(())
    /// ```
    pub fn try_new(region: &str) -> Result<Self, Error> {
        RegionResolver::global().try_resolve(region)
    }

    /// A region from an external metadata entry.
    fn from_metadata(meta: &RegionMetadata, realm: Realm, source: RegionSource) -> Region {
        // A region key that is already a built-in short code keeps meaning the built-in region.
        let short_code = Region::builtin(&meta.region_key)
            .is_none()
            .then(|| Cow::Owned(meta.region_key.clone()));
        Region {
            id: Cow::Owned(meta.region_identifier.clone()),
            short_code,
            placement: Placement::Realm(realm),
            source,
            dual_stack: false,
        }
    }
}

impl std::str::FromStr for Region {
    type Err = Error;

    /// Same as [`Region::try_new`].
    fn from_str(s: &str) -> Result<Self, Error> {
        Region::try_new(s)
    }
}

type EnvLookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// Resolves region strings against the built-in table and the external sources.
///
/// ```
/// use std::collections::HashMap;
/// use oci_core::region::{RegionResolver, RegionSource};
///
/// let env: HashMap<String, String> =
///     [("OCI_DEFAULT_REALM".to_owned(), "example.com".to_owned())].into();
/// let resolver = RegionResolver::new(None, move |name: &str| env.get(name).cloned());
/// let region = resolver.resolve("xx-city-1");
/// assert_eq!(region.source(), RegionSource::DefaultRealmEnv);
/// assert_eq!(region.second_level_domain(), Some("example.com"));
/// ```
///
/// The process-wide [`RegionResolver::global`] (used by [`Region::new`]) reads the real
/// environment and home directory. Build your own with [`RegionResolver::new`] to supply both,
/// as tests do. Each resolver reads each source at most once, on first need, and keeps what it
/// read: changes to the file or the environment afterwards are not seen.
pub struct RegionResolver {
    home_dir: Option<PathBuf>,
    env: Arc<EnvLookup>,
    config_file: OnceLock<Loaded>,
    env_metadata: OnceLock<Loaded>,
    default_realm: OnceLock<Option<String>>,
    dual_stack: OnceLock<bool>,
}

impl fmt::Debug for RegionResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegionResolver")
            .field("home_dir", &self.home_dir)
            .finish_non_exhaustive()
    }
}

impl RegionResolver {
    /// A resolver with an explicit home directory (for `.oci/regions-config.json`; `None` skips
    /// the file) and env lookup.
    ///
    /// ```
    /// use oci_core::region::RegionResolver;
    ///
    /// let resolver = RegionResolver::new(None, |_: &str| None);
    /// assert_eq!(resolver.resolve("foo-bar-1").realm().map(|r| r.key()), Some("oc1"));
    /// ```
    pub fn new(
        home_dir: Option<PathBuf>,
        env: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> RegionResolver {
        RegionResolver {
            home_dir,
            env: Arc::new(env),
            config_file: OnceLock::new(),
            env_metadata: OnceLock::new(),
            default_realm: OnceLock::new(),
            dual_stack: OnceLock::new(),
        }
    }

    /// A resolver that reads the process environment, with the home directory from `HOME`
    /// (or `USERPROFILE` on Windows).
    ///
    /// ```
    /// use oci_core::region::RegionResolver;
    ///
    /// let resolver = RegionResolver::from_process_env();
    /// assert_eq!(resolver.resolve("lhr").id(), "uk-london-1");
    /// ```
    pub fn from_process_env() -> RegionResolver {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let home = var("HOME")
            .or_else(|| var("USERPROFILE"))
            .map(PathBuf::from);
        RegionResolver::new(home, |name: &str| std::env::var(name).ok())
    }

    /// The process-wide resolver, built with [`RegionResolver::from_process_env`] on first use.
    ///
    /// ```
    /// use oci_core::region::RegionResolver;
    ///
    /// assert!(std::ptr::eq(RegionResolver::global(), RegionResolver::global()));
    /// ```
    pub fn global() -> &'static RegionResolver {
        static GLOBAL: OnceLock<RegionResolver> = OnceLock::new();
        GLOBAL.get_or_init(RegionResolver::from_process_env)
    }

    /// Resolves a region id or short code; malformed sources are skipped with a warning.
    ///
    /// ```
    /// use oci_core::region::RegionResolver;
    ///
    /// let resolver = RegionResolver::new(None, |_: &str| None);
    /// assert_eq!(resolver.resolve(" SJC ").id(), "us-sanjose-1");
    /// ```
    pub fn resolve(&self, region: &str) -> Region {
        match self.lookup(region, false) {
            Ok(r) => r,
            // Lenient lookups do not fail; fall back to the id as given, in oc1.
            Err(_) => Region::unknown(
                normalize(region),
                Placement::Realm(data::OC1.clone()),
                RegionSource::Oc1Fallback,
            ),
        }
    }

    /// Resolves a region id or short code; a malformed source that had to be consulted is a
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) error with a [`RegionMetadataError`]
    /// source.
    ///
    /// ```
    /// use oci_core::region::RegionResolver;
    ///
    /// let resolver = RegionResolver::new(None, |_: &str| None);
    /// assert_eq!(resolver.try_resolve("dxb")?.id(), "me-dubai-1");
    /// # Ok::<(), oci_core::Error>(())
    /// ```
    pub fn try_resolve(&self, region: &str) -> Result<Region, Error> {
        self.lookup(region, true)
    }

    /// Whether `OCI_DUAL_STACK_ENDPOINT_ENABLED` turns dual-stack endpoints on.
    pub fn dual_stack_default(&self) -> bool {
        *self.dual_stack.get_or_init(|| {
            (self.env)(DUAL_STACK_ENV).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        })
    }

    fn lookup(&self, region: &str, strict: bool) -> Result<Region, Error> {
        let region = self.lookup_placement(region, strict)?;
        Ok(region.with_dual_stack(self.dual_stack_default()))
    }

    fn lookup_placement(&self, region: &str, strict: bool) -> Result<Region, Error> {
        if let Some(r) = Region::builtin(region) {
            return Ok(r);
        }
        let id = normalize(region);
        if id.contains('.') {
            return Ok(Region::unknown(id, Placement::Domain, RegionSource::Domain));
        }
        let sources = [
            (self.config_file(), RegionSource::RegionsConfigFile),
            (self.env_metadata(), RegionSource::RegionMetadataEnv),
        ];
        for (loaded, source) in sources {
            if strict {
                if let Some(p) = &loaded.problem {
                    return Err(Error::config(p.clone()));
                }
            }
            if let Some(meta) = loaded.entries.iter().find(|m| m.matches(&id)) {
                let realm = self.realm_for(meta);
                return Ok(Region::from_metadata(meta, realm, source));
            }
        }
        if let Some(sld) = self.default_realm() {
            return Ok(Region::unknown(
                id,
                Placement::SecondLevelDomain(sld.to_owned()),
                RegionSource::DefaultRealmEnv,
            ));
        }
        Ok(Region::unknown(
            id,
            Placement::Realm(data::OC1.clone()),
            RegionSource::Oc1Fallback,
        ))
    }

    /// The realm of a metadata entry. A realm key means one domain: a built-in realm keeps its
    /// own, and otherwise the first definition wins (regions config file, then env), as in the
    /// SDKs, whose realm table is only ever added to.
    fn realm_for(&self, meta: &RegionMetadata) -> Realm {
        if let Some(r) = Realm::builtin(&meta.realm_key) {
            return r;
        }
        let first = [self.config_file(), self.env_metadata()]
            .into_iter()
            .flat_map(|l| l.entries.iter())
            .find(|m| m.realm_key == meta.realm_key)
            .unwrap_or(meta);
        Realm {
            key: Cow::Owned(first.realm_key.clone()),
            second_level_domain: Cow::Owned(first.realm_domain_component.clone()),
        }
    }

    fn default_realm(&self) -> Option<&str> {
        self.default_realm
            .get_or_init(|| {
                (self.env)(DEFAULT_REALM_ENV)
                    .map(|v| v.trim().to_ascii_lowercase())
                    .filter(|v| !v.is_empty())
            })
            .as_deref()
    }

    fn config_file(&self) -> &Loaded {
        self.config_file.get_or_init(|| match &self.home_dir {
            Some(home) => load_config_file(&home.join(REGIONS_CONFIG_FILE)).warn(),
            None => Loaded::default(),
        })
    }

    fn env_metadata(&self) -> &Loaded {
        self.env_metadata.get_or_init(|| {
            match (self.env)(REGION_METADATA_ENV).filter(|v| !v.trim().is_empty()) {
                Some(v) => load_env_metadata(&v).warn(),
                None => Loaded::default(),
            }
        })
    }
}

fn normalize(region: &str) -> String {
    region.trim().to_ascii_lowercase()
}
