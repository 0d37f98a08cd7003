//! [`Config`]: one resolved profile (the data), and what it gives: the key, credentials, region.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use super::error::ConfigError;
use crate::auth::{ApiKeyCredentials, Credentials, PrivateKey, Secret};
use crate::region::Region;
use crate::Error;

/// One resolved profile of an OCI config file.
///
/// ```no_run
/// use oci_core::{Client, Config};
/// let config = Config::from_file(None, None)?; // ~/.oci/config, profile DEFAULT
/// let client = Client::builder().config(&config)?.build()?;
/// # Ok::<(), oci_core::Error>(())
/// ```
///
/// `Debug` never shows the passphrase, and shows only the names of [`extra`](Config::extra)
/// keys.
#[derive(Clone)]
pub struct Config {
    /// User OCID; empty for a `security_token_file` profile that has no `user`.
    pub user: String,
    /// Tenancy OCID.
    pub tenancy: String,
    /// API key fingerprint (lowercase hex pairs).
    pub fingerprint: String,
    /// Path of the PEM private key, `~` expanded. A relative path is relative to the current
    /// directory.
    pub key_file: PathBuf,
    /// Region id or short code, from the profile or `OCI_REGION`.
    pub region: Option<String>,
    /// Passphrase of an encrypted key.
    pub pass_phrase: Option<Secret>,
    /// Session token file (`oci session authenticate`), `~` expanded.
    pub security_token_file: Option<PathBuf>,
    /// Text appended to the User-Agent header.
    pub additional_user_agent: Option<String>,
    /// Every other key of the profile (lowercased), such as `log_requests`.
    pub extra: BTreeMap<String, String>,
    /// The profile name, e.g. `DEFAULT`.
    pub profile: String,
    /// The file the profile was read from; `None` when parsed from text.
    pub file: Option<PathBuf>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("profile", &self.profile)
            .field("file", &self.file)
            .field("user", &self.user)
            .field("tenancy", &self.tenancy)
            .field("fingerprint", &self.fingerprint)
            .field("key_file", &self.key_file)
            .field("region", &self.region)
            .field(
                "pass_phrase",
                &self.pass_phrase.as_ref().map(|_| "<redacted>"),
            )
            .field("security_token_file", &self.security_token_file)
            .field("additional_user_agent", &self.additional_user_agent)
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Config {
    /// Reads and decrypts the private key named by `key_file`.
    ///
    /// ```no_run
    /// use oci_core::Config;
    /// let key = Config::from_file(None, None)?.private_key()?;
    /// println!("{} bits", key.bits());
    /// # Ok::<(), oci_core::Error>(())
    /// ```
    ///
    /// Errors are [`ConfigError::KeyFileNotFound`], [`ConfigError::KeyFileUnreadable`] or
    /// [`ConfigError::Key`] (kind [`Credentials`](crate::ErrorKind::Credentials)).
    pub fn private_key(&self) -> Result<PrivateKey, Error> {
        Ok(self.load_private_key()?)
    }

    fn load_private_key(&self) -> Result<PrivateKey, ConfigError> {
        let pem = std::fs::read(&self.key_file).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                ConfigError::KeyFileNotFound {
                    file: self.file.clone(),
                    profile: self.profile.clone(),
                    key_file: self.key_file.clone(),
                }
            } else {
                ConfigError::KeyFileUnreadable {
                    file: self.file.clone(),
                    profile: self.profile.clone(),
                    key_file: self.key_file.clone(),
                    source: e,
                }
            }
        })?;
        PrivateKey::from_pem(&pem, self.pass_phrase.as_ref().map(Secret::expose)).map_err(|e| {
            ConfigError::Key {
                file: self.file.clone(),
                profile: self.profile.clone(),
                key_file: self.key_file.clone(),
                source: e,
            }
        })
    }

    /// Loads the private key and returns credentials that sign as this profile's user.
    ///
    /// ```no_run
    /// use oci_core::Config;
    /// use oci_core::auth::Credentials;
    /// let creds = Config::from_file(None, None)?.credentials()?;
    /// println!("signing as {}", creds.key_id()?);
    /// # Ok::<(), oci_core::Error>(())
    /// ```
    ///
    /// The key is read and parsed here, once; the credentials share it for every request.
    /// A `security_token_file` profile signs with keyId `ST$<token>`, the token re-read from
    /// the file whenever it changes (as after `oci session refresh`).
    pub fn credentials(&self) -> Result<Arc<dyn Credentials>, Error> {
        let key = self.load_private_key()?;
        if let Some(token_file) = &self.security_token_file {
            return Ok(Arc::new(crate::auth::SessionTokenCredentials::from_file(
                token_file, key,
            )?));
        }
        Ok(Arc::new(ApiKeyCredentials::new(
            &self.tenancy,
            &self.user,
            &self.fingerprint,
            key,
        )))
    }

    /// The profile's region.
    ///
    /// ```no_run
    /// use oci_core::Config;
    /// let region = Config::from_file(None, None)?.region()?;
    /// println!("{}", region.id());
    /// # Ok::<(), oci_core::Error>(())
    /// ```
    pub fn region(&self) -> Result<Region, Error> {
        match self.region.as_deref() {
            Some(r) if !r.is_empty() => Ok(Region::new(r)),
            _ => Err(ConfigError::MissingKey {
                file: self.file.clone(),
                profile: self.profile.clone(),
                key: "region".into(),
            }
            .into()),
        }
    }
}
