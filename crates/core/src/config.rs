//! The OCI config file (`~/.oci/config`) and profiles.
//!
//! Skeleton: the config helper replaces file loading and validation.

use std::path::PathBuf;
use std::sync::Arc;

use crate::auth::{ApiKeyCredentials, Credentials, PrivateKey, Secret};
use crate::region::Region;
use crate::Error;

/// One resolved profile of an OCI config file.
#[derive(Debug, Clone)]
pub struct Config {
    /// User OCID.
    pub user: String,
    /// Tenancy OCID.
    pub tenancy: String,
    /// API key fingerprint (lowercase hex pairs).
    pub fingerprint: String,
    /// Path of the PEM private key.
    pub key_file: PathBuf,
    /// Region id or short code.
    pub region: Option<String>,
    /// Passphrase of an encrypted key.
    pub pass_phrase: Option<Secret>,
}

impl Config {
    /// Loads a profile from a config file.
    pub fn from_file(
        path: Option<&std::path::Path>,
        profile: Option<&str>,
    ) -> Result<Config, Error> {
        let _ = (path, profile);
        Err(Error::config("config file loading is not implemented yet"))
    }

    /// Loads the private key and returns credentials that sign as this profile's user.
    pub fn credentials(&self) -> Result<Arc<dyn Credentials>, Error> {
        let pem = std::fs::read(&self.key_file).map_err(|e| {
            Error::credentials(format!(
                "cannot read key_file {}: {e}",
                self.key_file.display()
            ))
        })?;
        let key = PrivateKey::from_pem(&pem, self.pass_phrase.as_ref().map(Secret::expose))
            .map_err(Error::credentials)?;
        Ok(Arc::new(ApiKeyCredentials::new(
            &self.tenancy,
            &self.user,
            &self.fingerprint,
            key,
        )))
    }

    /// The profile's region.
    pub fn region(&self) -> Result<Region, Error> {
        match &self.region {
            Some(r) => Ok(Region::new(r)),
            None => Err(Error::config("no region in the config profile")),
        }
    }
}
