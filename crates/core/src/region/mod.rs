//! Regions, realms and service endpoints.
//!
//! ```
//! use oci_core::{Region, ServiceInfo};
//!
//! const IDENTITY: ServiceInfo = ServiceInfo {
//!     name: "identity",
//!     endpoint_template: "https://identity.{region}.oci.{secondLevelDomain}",
//!     base_path: "/20160918",
//! };
//!
//! let region = Region::new("IAD");
//! assert_eq!(region.id(), "us-ashburn-1");
//! assert_eq!(region.short_code(), Some("iad"));
//! assert_eq!(region.realm().map(|r| r.key()), Some("oc1"));
//! assert_eq!(
//!     region.endpoint(&IDENTITY)?.to_string(),
//!     "https://identity.us-ashburn-1.oci.oraclecloud.com/20160918"
//! );
//! # Ok::<(), oci_core::Error>(())
//! ```
//!
//! # Resolution
//!
//! A region string (an id such as `us-ashburn-1` or a short code such as `iad`, both
//! case-insensitive, surrounding whitespace ignored) resolves as the official SDKs do:
//!
//! 1. the built-in table of 85 regions in 20 realms;
//! 2. a string containing `.` is a full domain: `my.domain.com` gives
//!    `https://identity.my.domain.com` (the SDKs check the external sources first, but use the
//!    string as a domain whatever they say, so the endpoint is the same);
//! 3. `~/.oci/regions-config.json`, a JSON array of
//!    `{"realmKey", "realmDomainComponent", "regionKey", "regionIdentifier"}` objects;
//! 4. env `OCI_REGION_METADATA`, one such object;
//! 5. env `OCI_DEFAULT_REALM`, used as the second-level domain of an unknown region;
//! 6. otherwise realm `oc1` (`oraclecloud.com`).
//!
//! Each external source is read at most once per [`RegionResolver`]; [`Region::new`] uses the
//! process-wide [`RegionResolver::global`], so once per process. Entries from the external
//! sources never override built-in regions. Values are lowercased, as in the SDKs.
//!
//! Malformed sources: [`Region::new`] and [`RegionResolver::resolve`] ignore a file or variable
//! that is not valid JSON, and any entry that lacks one of the four keys or has an empty or
//! non-string value, with a `tracing` warning (the SDKs ignore them silently), and go on to the
//! next source. [`Region::try_new`] and [`RegionResolver::try_resolve`] instead fail with an
//! [`ErrorKind::Config`](crate::ErrorKind::Config) error whose source is a
//! [`RegionMetadataError`], whenever they had to consult a malformed source.
//!
//! # Not supported
//!
//! - The instance metadata service (IMDS) lookup of region info: it is opt-in in the SDKs
//!   (`enable_instance_metadata_service()`) and is not implemented here.
//! - Realm-specific endpoint templates (such as Object Storage's
//!   `{namespaceName+Dot}objectstorage.{region}.oci.customer-oci.com`): off by default in the
//!   SDKs (`OCI_REALM_SPECIFIC_SERVICE_ENDPOINT_TEMPLATE_ENABLED`) and not implemented here.
//! - The developer-tool configuration file that can replace the region tables.

mod data;

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::{Endpoint, Error, ServiceInfo};

/// Env var holding one region's metadata as a JSON object.
pub const REGION_METADATA_ENV: &str = "OCI_REGION_METADATA";
/// Env var giving the second-level domain of regions that are not otherwise known.
pub const DEFAULT_REALM_ENV: &str = "OCI_DEFAULT_REALM";
/// Env var that turns on dual-stack (IPv4 + IPv6) endpoints when set to `true`.
pub const DUAL_STACK_ENV: &str = "OCI_DUAL_STACK_ENDPOINT_ENABLED";
/// Path of the regions config file, relative to the home directory.
pub const REGIONS_CONFIG_FILE: &str = ".oci/regions-config.json";

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
    key: Cow<'static, str>,
    second_level_domain: Cow<'static, str>,
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

    /// A built-in realm by key (case-insensitive), without reading any external source.
    ///
    /// ```
    /// use oci_core::region::Realm;
    ///
    /// assert_eq!(Realm::builtin("oc2").map(|r| r.second_level_domain().to_owned()),
    ///     Some("oraclegovcloud.com".to_owned()));
    /// assert!(Realm::builtin("oc7").is_none());
    /// ```
    pub fn builtin(key: &str) -> Option<Realm> {
        let key = key.trim();
        data::REALMS
            .iter()
            .find(|r| r.key.eq_ignore_ascii_case(key))
            .map(|r| (*r).clone())
    }

    /// Every built-in realm (20), ordered by key number.
    ///
    /// ```
    /// use oci_core::region::Realm;
    ///
    /// assert_eq!(Realm::builtins().next().map(|r| r.key().to_owned()), Some("oc1".to_owned()));
    /// ```
    pub fn builtins() -> impl ExactSizeIterator<Item = Realm> {
        data::REALMS.iter().map(|r| (*r).clone())
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
enum Placement {
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
/// See the [module docs](self) for how region strings resolve. A region is a plain value:
/// cloning it is cheap and it does no I/O after it is built.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Region {
    id: Cow<'static, str>,
    short_code: Option<Cow<'static, str>>,
    placement: Placement,
    source: RegionSource,
    dual_stack: bool,
}

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
    /// Never fails: an unknown region falls back as described in the [module docs](self), and
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

    /// A built-in region by id or short code (case-insensitive), reading no file or env var.
    ///
    /// ```
    /// use oci_core::Region;
    ///
    /// assert_eq!(Region::builtin("NRT").map(|r| r.id().to_owned()), Some("ap-tokyo-1".to_owned()));
    /// assert!(Region::builtin("foo-bar-1").is_none());
    /// ```
    ///
    /// Dual-stack endpoints are off on the result, whatever `OCI_DUAL_STACK_ENDPOINT_ENABLED` says.
    pub fn builtin(region: &str) -> Option<Region> {
        let region = region.trim();
        data::REGIONS
            .iter()
            .find(|r| {
                r.id.eq_ignore_ascii_case(region) || r.short_code.eq_ignore_ascii_case(region)
            })
            .map(Region::from_def)
    }

    /// Every built-in region (85), grouped by realm.
    ///
    /// ```
    /// use oci_core::Region;
    ///
    /// let gov = Region::builtins().filter(|r| r.realm().is_some_and(|r| r.key() == "oc3")).count();
    /// assert_eq!(gov, 3);
    /// ```
    pub fn builtins() -> impl ExactSizeIterator<Item = Region> {
        data::REGIONS.iter().map(Region::from_def)
    }

    /// A region that is in no table, in the given realm.
    ///
    /// ```
    /// use oci_core::region::{Realm, Region};
    ///
    /// let region = Region::custom("xx-city-1", Some("xcy"), Realm::new("oc99", "example.com"));
    /// assert_eq!(region.short_code(), Some("xcy"));
    /// ```
    ///
    /// The id and short code are lowercased.
    pub fn custom(id: &str, short_code: Option<&str>, realm: Realm) -> Region {
        Region {
            id: Cow::Owned(id.trim().to_ascii_lowercase()),
            short_code: short_code.map(|s| Cow::Owned(s.trim().to_ascii_lowercase())),
            placement: Placement::Realm(realm),
            source: RegionSource::Custom,
            dual_stack: false,
        }
    }

    fn from_def(def: &'static data::RegionDef) -> Region {
        Region {
            id: Cow::Borrowed(def.id),
            short_code: Some(Cow::Borrowed(def.short_code)),
            placement: Placement::Realm(def.realm.clone()),
            source: RegionSource::BuiltIn,
            dual_stack: false,
        }
    }

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

    fn unknown(id: String, placement: Placement, source: RegionSource) -> Region {
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
    /// Off by default; [`RegionResolver`] turns it on when `OCI_DUAL_STACK_ENDPOINT_ENABLED` is
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

    /// The endpoint of `service` in this region, base path included.
    ///
    /// ```
    /// use oci_core::{Region, ServiceInfo};
    ///
    /// const DAC: ServiceInfo = ServiceInfo {
    ///     name: "delegateaccesscontrol",
    ///     endpoint_template: "https://delegate-access-control.{region}.oci.{secondLevelDomain}",
    ///     base_path: "/20230801",
    /// };
    /// assert_eq!(Region::new("iad").endpoint(&DAC)?.to_string(),
    ///     "https://delegate-access-control.us-ashburn-1.oci.oraclecloud.com/20230801");
    /// assert_eq!(Region::new("my.domain.com").endpoint(&DAC)?.to_string(),
    ///     "https://delegate-access-control.my.domain.com/20230801");
    /// # Ok::<(), oci_core::Error>(())
    /// ```
    ///
    /// The template's `{region}` becomes the region id and `{secondLevelDomain}` the realm's
    /// domain. An option block `{dualStack?enabled:disabled}` becomes `enabled` when
    /// [`Region::dual_stack`] is on and `disabled` otherwise, dropping a dot where the text and
    /// the template would both put one; other well-formed options become empty, as in the SDKs.
    /// For a domain region, everything in the template from `{region}` on is replaced by the
    /// domain. The service's base path is then appended.
    ///
    /// Errors ([`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest)): a malformed
    /// template (unknown `{token}`, unclosed brace, bad option block, a domain region with a
    /// template lacking `{region}`), or a region id or domain that is not a valid host name part.
    pub fn endpoint(&self, service: &ServiceInfo) -> Result<Endpoint, Error> {
        let template = service.endpoint_template;
        let bad_template = |why: &str| {
            Error::invalid_request(format!(
                "invalid endpoint template `{template}` of service `{}`: {why}",
                service.name
            ))
        };
        check_host_part(&self.id, "region")?;
        let url = match &self.placement {
            Placement::Domain => {
                let pos = template
                    .find("{region}")
                    .ok_or_else(|| bad_template("no `{region}` to put the domain in"))?;
                let prefix = format!("{}{{region}}", &template[..pos]);
                expand(&prefix, &self.id, "", self.dual_stack).map_err(bad_template)?
            }
            Placement::Realm(r) => {
                check_host_part(r.second_level_domain(), "second-level domain")?;
                expand(template, &self.id, r.second_level_domain(), self.dual_stack)
                    .map_err(bad_template)?
            }
            Placement::SecondLevelDomain(d) => {
                check_host_part(d, "second-level domain")?;
                expand(template, &self.id, d, self.dual_stack).map_err(bad_template)?
            }
        };
        let endpoint = Endpoint::parse(&url)?;
        check_host(&endpoint)?;
        Ok(endpoint.with_base_path(service.base_path))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

impl std::str::FromStr for Region {
    type Err = Error;

    /// Same as [`Region::try_new`].
    fn from_str(s: &str) -> Result<Self, Error> {
        Region::try_new(s)
    }
}

/// Expands `{region}`, `{secondLevelDomain}` and `{option?enabled:disabled}` blocks.
fn expand(
    template: &str,
    region: &str,
    sld: &str,
    dual_stack: bool,
) -> Result<String, &'static str> {
    let mut out = String::with_capacity(template.len() + region.len() + sld.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or("unclosed `{`")?;
        let token = &after[..close];
        rest = &after[close + 1..];
        match token {
            "region" => out.push_str(region),
            "secondLevelDomain" => out.push_str(sld),
            _ => {
                let (name, texts) = token
                    .split_once('?')
                    .ok_or("unknown token (expected region, secondLevelDomain or an option)")?;
                let (enabled, disabled) =
                    texts.split_once(':').ok_or("option block without `:`")?;
                let valid_text =
                    |s: &str| s.bytes().next().map_or(true, |c| c.is_ascii_alphanumeric());
                if token.chars().any(char::is_whitespace)
                    || token.contains('{')
                    || !valid_text(enabled)
                    || !valid_text(disabled)
                {
                    return Err("malformed option block");
                }
                let mut text = match name {
                    "dualStack" if dual_stack => enabled,
                    "dualStack" => disabled,
                    _ => "",
                };
                if text.starts_with('.') && out.ends_with('.') {
                    text = &text[1..];
                }
                if text.ends_with('.') && rest.starts_with('.') {
                    rest = &rest[1..];
                }
                out.push_str(text);
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// A region id or domain must be dot-separated labels of `[a-z0-9_-]`.
fn check_host_part(s: &str, what: &str) -> Result<(), Error> {
    let ok = !s.is_empty()
        && s.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_request(format!(
            "invalid {what} `{s}`: expected dot-separated labels of letters, digits, `-` and `_`"
        )))
    }
}

/// The endpoint's host labels must match `[A-Za-z0-9_-]+`, as the SDKs check.
fn check_host(endpoint: &Endpoint) -> Result<(), Error> {
    let authority = endpoint.host_header();
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    };
    check_host_part(host, "endpoint host")
}

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
struct RegionMetadata {
    realm_key: String,
    realm_domain_component: String,
    region_key: String,
    region_identifier: String,
}

impl RegionMetadata {
    /// Reads the four keys; each must be a non-empty string.
    fn from_json(value: &serde_json::Value) -> Result<RegionMetadata, String> {
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

    fn matches(&self, region: &str) -> bool {
        self.region_identifier == region || self.region_key == region
    }
}

/// What one external source gave: the valid entries, and what was wrong with the rest.
#[derive(Debug, Default)]
struct Loaded {
    entries: Vec<RegionMetadata>,
    problem: Option<RegionMetadataError>,
}

impl Loaded {
    fn warn(self) -> Self {
        if let Some(p) = &self.problem {
            tracing::warn!(error = %p, "ignoring malformed region metadata");
        }
        self
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

fn load_config_file(path: &Path) -> Loaded {
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

fn load_env_metadata(value: &str) -> Loaded {
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
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn table_has_85_regions_in_20_realms() {
        assert_eq!(data::REGIONS.len(), 85);
        assert_eq!(data::REALMS.len(), 20);
        assert_eq!(Region::builtins().len(), 85);
        assert_eq!(Realm::builtins().len(), 20);
    }

    #[test]
    fn table_is_consistent() {
        let ids: HashSet<_> = data::REGIONS.iter().map(|r| r.id).collect();
        let shorts: HashSet<_> = data::REGIONS.iter().map(|r| r.short_code).collect();
        assert_eq!(ids.len(), 85, "region ids are unique");
        assert_eq!(shorts.len(), 85, "short codes are unique");
        assert!(ids.is_disjoint(&shorts));
        let realm_keys: HashSet<_> = data::REALMS.iter().map(|r| r.key()).collect();
        assert_eq!(realm_keys.len(), 20, "realm keys are unique");
        let used: HashSet<_> = data::REGIONS.iter().map(|r| r.realm.key()).collect();
        assert_eq!(
            used, realm_keys,
            "every realm has a region, every region a listed realm"
        );
        for r in data::REGIONS {
            assert_eq!(r.id, r.id.to_ascii_lowercase());
            assert_eq!(r.short_code.len(), 3, "{}", r.short_code);
            assert!(check_host_part(r.id, "region").is_ok(), "{}", r.id);
            assert!(!r.id.contains('.'), "{}", r.id);
        }
        for realm in data::REALMS {
            assert!(check_host_part(realm.second_level_domain(), "sld").is_ok());
        }
    }

    #[test]
    fn per_realm_counts_match_the_sdk_table() {
        let count = |key: &str| {
            data::REGIONS
                .iter()
                .filter(|r| r.realm.key() == key)
                .count()
        };
        assert_eq!(count("oc1"), 46);
        assert_eq!(count("oc2"), 2);
        assert_eq!(count("oc3"), 3);
        assert_eq!(count("oc14"), 6);
        assert_eq!(count("oc35"), 3);
    }

    #[test]
    fn expand_options_and_dots() {
        let t = "https://objectstorage.{region}.{dualStack?ds.oci.:}{secondLevelDomain}";
        assert_eq!(
            expand(t, "r-1", "d.com", false).as_deref(),
            Ok("https://objectstorage.r-1.d.com")
        );
        assert_eq!(
            expand(t, "r-1", "d.com", true).as_deref(),
            Ok("https://objectstorage.r-1.ds.oci.d.com")
        );
        // A trailing dot in the text and a dot in the template collapse to one.
        let t = "https://x.{region}.{dualStack?ds.:}.{secondLevelDomain}";
        assert_eq!(
            expand(t, "r-1", "d.com", true).as_deref(),
            Ok("https://x.r-1.ds.d.com")
        );
        // Unknown options vanish, as in the SDKs.
        let t = "https://x.{region}.{fips?f.:}{secondLevelDomain}";
        assert_eq!(
            expand(t, "r-1", "d.com", true).as_deref(),
            Ok("https://x.r-1.d.com")
        );
    }

    #[test]
    fn expand_rejects_malformed_templates() {
        for t in [
            "https://x.{region",
            "https://x.{regoin}.{secondLevelDomain}",
            "https://x.{dualStack?ds.}{secondLevelDomain}",
            "https://x.{region}.{dualStack?.ds:}{secondLevelDomain}",
            "https://x.{region}.{dualStack? ds.:}{secondLevelDomain}",
        ] {
            assert!(expand(t, "r", "d", false).is_err(), "{t}");
        }
    }

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
