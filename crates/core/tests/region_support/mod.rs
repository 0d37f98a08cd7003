//! Shared helpers of the region tests (`region_*.rs`): service descriptions, a resolver over a
//! fixed env map, and a temporary home with a regions config file.
#![allow(dead_code)]
#![allow(clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;

use oci_core::region::{RegionMetadataError, RegionResolver};
use oci_core::{Error, Region, ServiceInfo};

pub const IDENTITY: ServiceInfo = ServiceInfo {
    name: "identity",
    endpoint_template: "https://identity.{region}.oci.{secondLevelDomain}",
    base_path: "/20160918",
};

pub const OBJECT_STORAGE: ServiceInfo = ServiceInfo {
    name: "objectstorage",
    endpoint_template: "https://objectstorage.{region}.{dualStack?ds.oci.:}{secondLevelDomain}",
    base_path: "",
};

pub const DAC: ServiceInfo = ServiceInfo {
    name: "delegateaccesscontrol",
    endpoint_template: "https://delegate-access-control.{region}.oci.{secondLevelDomain}",
    base_path: "/20230801",
};

/// A resolver over a fixed env map and an optional home directory.
pub fn resolver(home: Option<&Path>, env: &[(&str, &str)]) -> RegionResolver {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    RegionResolver::new(home.map(Path::to_owned), move |name: &str| {
        env.get(name).cloned()
    })
}

pub fn url(region: &Region, service: &ServiceInfo) -> String {
    match region.endpoint(service) {
        Ok(e) => e.to_string(),
        Err(e) => panic!("endpoint of {service:?} in {region}: {e}"),
    }
}

/// A temp home with `.oci/regions-config.json` holding `json`.
pub fn home_with_regions_config(json: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(home.path().join(".oci")).expect("mkdir .oci");
    std::fs::write(home.path().join(".oci/regions-config.json"), json).expect("write config");
    home
}

pub fn metadata_error(err: &Error) -> &RegionMetadataError {
    std::error::Error::source(err)
        .and_then(|s| s.downcast_ref::<RegionMetadataError>())
        .unwrap_or_else(|| panic!("expected a RegionMetadataError source: {err:?}"))
}

pub const XX_CITY: &str = r#"{"realmKey":"OC99","realmDomainComponent":"Example.COM",
    "regionKey":"XCY","regionIdentifier":"xx-city-1"}"#;
