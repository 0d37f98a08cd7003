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

mod builtin;
mod data;
mod endpoint;
mod metadata;
mod realm;
mod realm_endpoint;
mod resolver;
mod types;

pub use metadata::RegionMetadataError;
pub use realm::Realm;
pub use realm_endpoint::{realm_specific_endpoint, RealmEndpointLayer, REALM_ENDPOINT_ENV};
pub use resolver::{
    RegionResolver, DEFAULT_REALM_ENV, DUAL_STACK_ENV, REGIONS_CONFIG_FILE, REGION_METADATA_ENV,
};
pub use types::{Region, RegionSource};
