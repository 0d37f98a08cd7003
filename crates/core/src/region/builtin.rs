//! Lookups in the built-in table ([`data`](super::data)): [`Realm::builtin`] and
//! [`Region::builtin`].

use std::borrow::Cow;

use super::data::{self, RegionDef};
use super::realm::Realm;
use super::types::{Placement, Region, RegionSource};

impl Realm {
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
}

impl Region {
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

    /// The region of a built-in table entry.
    fn from_def(def: &'static RegionDef) -> Region {
        Region {
            id: Cow::Borrowed(def.id),
            short_code: Some(Cow::Borrowed(def.short_code)),
            placement: Placement::Realm(def.realm.clone()),
            source: RegionSource::BuiltIn,
            dual_stack: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::region::endpoint::check_host_part;

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
}
