//! Regions, realms and service endpoints.
//!
//! Skeleton: the regions helper replaces this with the full table and resolution rules.

use crate::{Endpoint, Error, ServiceInfo};

/// An OCI region, e.g. `us-ashburn-1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Region {
    id: String,
}

impl Region {
    /// A region by id.
    pub fn new(id: &str) -> Self {
        Region { id: id.to_owned() }
    }

    /// The region id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The endpoint of `service` in this region, base path included.
    pub fn endpoint(&self, service: &ServiceInfo) -> Result<Endpoint, Error> {
        let url = service
            .endpoint_template
            .replace("{region}", &self.id)
            .replace("{secondLevelDomain}", "oraclecloud.com");
        Ok(Endpoint::parse(&url)?.with_base_path(service.base_path))
    }
}
