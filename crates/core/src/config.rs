//! The OCI config file (`~/.oci/config`) and its profiles.
//!
//! ```no_run
//! use oci_core::Config;
//! let config = Config::from_file(None, Some("DEV"))?; // ~/.oci/config, profile [DEV]
//! println!("{} in {:?}", config.user, config.region);
//! # Ok::<(), oci_core::Error>(())
//! ```
//!
//! The file is an INI file read the way the official OCI SDKs read it:
//!
//! - Location: the path you give; otherwise `~/.oci/config`; if that does not exist, the file
//!   named by `OCI_CONFIG_FILE`; otherwise `~/.oraclebmc/config`.
//! - `[PROFILE]` headers are case-sensitive; keys are case-insensitive. Keys of `[DEFAULT]` are
//!   inherited by every profile. `key = value` and `key: value` both work, split on the first
//!   delimiter (values may contain `=`). Lines starting with `#` or `;` are comments; an indented
//!   line continues the previous value. A key repeated in one profile, or a profile header
//!   repeated in one file, is an error.
//! - Required keys: `user`, `tenancy`, `fingerprint`, `key_file`, `region` (which falls back to
//!   the `OCI_REGION` environment variable). With `security_token_file`, `user` is optional.
//!   Optional: `pass_phrase` (Go's `passphrase` is accepted as an alias),
//!   `security_token_file`, `additional_user_agent`; other keys are kept in [`Config::extra`].
//! - `tenancy` and `user` must look like OCIDs, and `fingerprint` must be 16 lowercase hex
//!   pairs separated by `:`, as the SDKs check. `key_content` is refused in a file.
//! - `~` at the start of `key_file` and `security_token_file` is the home directory. A relative
//!   `key_file` is relative to the current directory, as in the SDKs.
//!
//! Every failure is a [`ConfigError`] that names the file, the profile and the key; it is the
//! [`source`](std::error::Error::source) of the [`Error`] the `Config` methods return.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use crate::auth::{ApiKeyCredentials, Credentials, KeyError, PrivateKey, Secret};
use crate::region::Region;
use crate::Error;

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "DEFAULT";
/// Environment variable naming a config file, used when `~/.oci/config` does not exist.
pub const CONFIG_FILE_ENV: &str = "OCI_CONFIG_FILE";
/// Environment variable giving the region when the profile has none.
pub const REGION_ENV: &str = "OCI_REGION";

const DOCS: &str = "https://docs.oracle.com/en-us/iaas/Content/API/Concepts/sdkconfig.htm";

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
    /// Loads a profile from a config file.
    ///
    /// ```no_run
    /// use oci_core::Config;
    /// let default = Config::from_file(None, None)?;
    /// let dev = Config::from_file(Some("/etc/oci/config".as_ref()), Some("DEV"))?;
    /// # Ok::<(), oci_core::Error>(())
    /// ```
    ///
    /// `path` defaults to `~/.oci/config` (then `OCI_CONFIG_FILE`, then `~/.oraclebmc/config`)
    /// and `profile` to `DEFAULT`. Checks that `key_file` exists but does not read it; use
    /// [`ConfigLoader`] to supply the environment and home directory yourself.
    pub fn from_file(path: Option<&Path>, profile: Option<&str>) -> Result<Config, Error> {
        let mut loader = ConfigLoader::new();
        if let Some(p) = path {
            loader = loader.path(p);
        }
        if let Some(p) = profile {
            loader = loader.profile(p);
        }
        Ok(loader.load()?)
    }

    /// Parses a profile from config-file text kept somewhere other than a file.
    ///
    /// ```no_run
    /// use oci_core::Config;
    /// let text = "[DEFAULT]\nuser=ocid1.user.oc1..aaaa\ntenancy=ocid1.tenancy.oc1..aaaa\n\
    ///     fingerprint=20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34\n\
    ///     key_file=~/.oci/key.pem\nregion=us-ashburn-1\n";
    /// let config = Config::from_text(text, None)?;
    /// assert_eq!(config.region.as_deref(), Some("us-ashburn-1"));
    /// # Ok::<(), oci_core::Error>(())
    /// ```
    ///
    /// The same rules as [`Config::from_file`] apply (`OCI_REGION`, `~`, `key_file` must
    /// exist); [`Config::file`] is `None`.
    pub fn from_text(text: &str, profile: Option<&str>) -> Result<Config, Error> {
        let mut loader = ConfigLoader::new();
        if let Some(p) = profile {
            loader = loader.profile(p);
        }
        Ok(loader.load_text(text)?)
    }

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

impl FromStr for Config {
    type Err = Error;

    /// Parses the `DEFAULT` profile of config-file text; see [`Config::from_text`].
    fn from_str(text: &str) -> Result<Config, Error> {
        Config::from_text(text, None)
    }
}

/// Why a config profile could not be loaded.
///
/// ```no_run
/// use oci_core::config::ConfigError;
/// use oci_core::Config;
/// match Config::from_file(None, Some("DEV")) {
///     Ok(config) => println!("{config:?}"),
///     Err(e) => match e.source().and_then(|s| s.downcast_ref::<ConfigError>()) {
///         Some(ConfigError::ProfileNotFound { available, .. }) => {
///             println!("no [DEV]; the file has {available:?}")
///         }
///         _ => return Err(e),
///     },
/// }
/// # use std::error::Error as _;
/// # Ok::<(), oci_core::Error>(())
/// ```
///
/// Every message names the file (or "config text"), the profile and the key concerned, and
/// never contains a passphrase, key material or a value of an unparsable line. Converted into
/// [`Error`] with kind [`Credentials`](crate::ErrorKind::Credentials) for the key-file variants
/// and [`Config`](crate::ErrorKind::Config) for the others, keeping this error as its source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The config file does not exist.
    #[error(
        "config file {} not found (loading profile [{profile}]); see {DOCS}",
        file.display()
    )]
    FileNotFound {
        /// The path looked at.
        file: PathBuf,
        /// The profile requested.
        profile: String,
    },
    /// The config file exists but could not be read as UTF-8 text.
    #[error("cannot read config file {} (loading profile [{profile}]): {source}", file.display())]
    FileUnreadable {
        /// The path.
        file: PathBuf,
        /// The profile requested.
        profile: String,
        /// The I/O error.
        source: io::Error,
    },
    /// A line is not a `[profile]` header, a `key = value` pair, a comment or blank.
    #[error("{}, line {line}: {reason}", origin(file))]
    Syntax {
        /// The file; `None` for text.
        file: Option<PathBuf>,
        /// 1-based line number.
        line: usize,
        /// What is wrong (never the line's content, which may hold a secret).
        reason: String,
    },
    /// The file has no such `[profile]`.
    #[error(
        "profile [{profile}] not found in {}; {}",
        origin(file),
        list_profiles(available)
    )]
    ProfileNotFound {
        /// The file; `None` for text.
        file: Option<PathBuf>,
        /// The profile requested.
        profile: String,
        /// The profiles the file has, in file order.
        available: Vec<String>,
    },
    /// A required key is missing from the profile (and from `[DEFAULT]`).
    #[error(
        "{}, profile [{profile}]: required key `{key}` is missing{}",
        origin(file),
        if key == "region" { " (and OCI_REGION is not set)" } else { "" }
    )]
    MissingKey {
        /// The file; `None` for text.
        file: Option<PathBuf>,
        /// The profile.
        profile: String,
        /// The key, lowercase.
        key: String,
    },
    /// A value does not have the required shape.
    #[error(
        "{}, profile [{profile}]: `{key}` is malformed: {reason}",
        origin(file)
    )]
    InvalidValue {
        /// The file; `None` for text.
        file: Option<PathBuf>,
        /// The profile.
        profile: String,
        /// The key, lowercase.
        key: String,
        /// Why (never the value itself).
        reason: String,
    },
    /// `key_content` is set in the file, which the SDKs refuse for security reasons.
    #[error(
        "{}, profile [{profile}]: `key_content` cannot be set in a config file for security \
         reasons; set `key_file`, or build credentials in code from PrivateKey::from_pem",
        origin(file)
    )]
    KeyContentInFile {
        /// The file; `None` for text.
        file: Option<PathBuf>,
        /// The profile.
        profile: String,
    },
    /// `key_file` names no file.
    #[error(
        "{}, profile [{profile}]: key_file {} does not exist or is not a file",
        origin(file),
        key_file.display()
    )]
    KeyFileNotFound {
        /// The file; `None` for text.
        file: Option<PathBuf>,
        /// The profile.
        profile: String,
        /// The key file path, `~` expanded.
        key_file: PathBuf,
    },
    /// `key_file` exists but could not be read.
    #[error(
        "{}, profile [{profile}]: cannot read key_file {}: {source}",
        origin(file),
        key_file.display()
    )]
    KeyFileUnreadable {
        /// The file; `None` for text.
        file: Option<PathBuf>,
        /// The profile.
        profile: String,
        /// The key file path.
        key_file: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The private key in `key_file` could not be loaded: see the [`KeyError`].
    #[error(
        "{}, profile [{profile}]: key_file {}: {source}",
        origin(file),
        key_file.display()
    )]
    Key {
        /// The file; `None` for text.
        file: Option<PathBuf>,
        /// The profile.
        profile: String,
        /// The key file path.
        key_file: PathBuf,
        /// Why the key did not load.
        source: KeyError,
    },
}

impl ConfigError {
    /// The config file concerned, when the profile came from a file.
    pub fn file(&self) -> Option<&Path> {
        match self {
            ConfigError::FileNotFound { file, .. } | ConfigError::FileUnreadable { file, .. } => {
                Some(file)
            }
            ConfigError::Syntax { file, .. }
            | ConfigError::ProfileNotFound { file, .. }
            | ConfigError::MissingKey { file, .. }
            | ConfigError::InvalidValue { file, .. }
            | ConfigError::KeyContentInFile { file, .. }
            | ConfigError::KeyFileNotFound { file, .. }
            | ConfigError::KeyFileUnreadable { file, .. }
            | ConfigError::Key { file, .. } => file.as_deref(),
        }
    }

    /// The profile concerned (none for a syntax error, which concerns the whole file).
    pub fn profile(&self) -> Option<&str> {
        match self {
            ConfigError::Syntax { .. } => None,
            ConfigError::FileNotFound { profile, .. }
            | ConfigError::FileUnreadable { profile, .. }
            | ConfigError::ProfileNotFound { profile, .. }
            | ConfigError::MissingKey { profile, .. }
            | ConfigError::InvalidValue { profile, .. }
            | ConfigError::KeyContentInFile { profile, .. }
            | ConfigError::KeyFileNotFound { profile, .. }
            | ConfigError::KeyFileUnreadable { profile, .. }
            | ConfigError::Key { profile, .. } => Some(profile),
        }
    }

    /// The config key concerned, lowercase, when there is one.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::MissingKey { key, .. } | ConfigError::InvalidValue { key, .. } => {
                Some(key)
            }
            ConfigError::KeyContentInFile { .. } => Some("key_content"),
            ConfigError::KeyFileNotFound { .. }
            | ConfigError::KeyFileUnreadable { .. }
            | ConfigError::Key { .. } => Some("key_file"),
            _ => None,
        }
    }

    /// The [`KeyError`], when the private key itself was the problem.
    pub fn key_error(&self) -> Option<&KeyError> {
        match self {
            ConfigError::Key { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        match e {
            ConfigError::KeyFileNotFound { .. }
            | ConfigError::KeyFileUnreadable { .. }
            | ConfigError::Key { .. } => Error::credentials(e),
            _ => Error::config(e),
        }
    }
}

fn origin(file: &Option<PathBuf>) -> String {
    match file {
        Some(f) => format!("config file {}", f.display()),
        None => "config text".to_owned(),
    }
}

fn list_profiles(available: &[String]) -> String {
    if available.is_empty() {
        "it has no profiles".to_owned()
    } else {
        format!("its profiles are [{}]", available.join("], ["))
    }
}

type EnvFn<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// Loads a [`Config`] with every input explicit: path, profile, environment and home directory.
///
/// ```no_run
/// use oci_core::config::ConfigLoader;
/// let config = ConfigLoader::new()
///     .profile("DEV")
///     .env(|name| (name == "OCI_REGION").then(|| "eu-frankfurt-1".to_owned()))
///     .home("/home/me")
///     .load()?;
/// # Ok::<(), oci_core::config::ConfigError>(())
/// ```
///
/// [`Config::from_file`] is `ConfigLoader::new()` with the process environment (`OCI_CONFIG_FILE`,
/// `OCI_REGION`, and `HOME` or on Windows `USERPROFILE` for `~`). Replace the environment to
/// load configs in tests, or in programs that must not read the process environment.
pub struct ConfigLoader<'a> {
    path: Option<PathBuf>,
    profile: Option<String>,
    env: EnvFn<'a>,
    home: Option<PathBuf>,
}

impl fmt::Debug for ConfigLoader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigLoader")
            .field("path", &self.path)
            .field("profile", &self.profile)
            .field("home", &self.home)
            .finish_non_exhaustive()
    }
}

impl Default for ConfigLoader<'static> {
    fn default() -> Self {
        ConfigLoader::new()
    }
}

impl ConfigLoader<'static> {
    /// A loader using the process environment, the default location and profile `DEFAULT`.
    pub fn new() -> Self {
        ConfigLoader {
            path: None,
            profile: None,
            env: Box::new(|name| std::env::var_os(name).and_then(|v| v.into_string().ok())),
            home: None,
        }
    }
}

impl<'a> ConfigLoader<'a> {
    /// Reads this file instead of the default location (`~` is expanded).
    pub fn path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Loads this profile instead of `DEFAULT`.
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Reads environment variables through `env` instead of the process environment.
    pub fn env<'b>(self, env: impl Fn(&str) -> Option<String> + 'b) -> ConfigLoader<'b> {
        ConfigLoader {
            path: self.path,
            profile: self.profile,
            env: Box::new(env),
            home: self.home,
        }
    }

    /// Uses `home` for `~` instead of `HOME` (`USERPROFILE` on Windows).
    pub fn home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    fn profile_name(&self) -> &str {
        self.profile.as_deref().unwrap_or(DEFAULT_PROFILE)
    }

    fn var(&self, name: &str) -> Option<String> {
        (self.env)(name).filter(|v| !v.is_empty())
    }

    fn home_dir(&self) -> Option<PathBuf> {
        if let Some(h) = &self.home {
            return Some(h.clone());
        }
        let name = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
        self.var(name).map(PathBuf::from)
    }

    /// `~` or `~/rest` at the start of `path` becomes the home directory; other paths are kept.
    fn expand(&self, path: &str) -> PathBuf {
        let rest = if path == "~" {
            Some("")
        } else {
            path.strip_prefix("~/")
                .or_else(|| path.strip_prefix("~\\").filter(|_| cfg!(windows)))
        };
        match (rest, self.home_dir()) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(path),
        }
    }

    fn expand_path(&self, path: &Path) -> PathBuf {
        match path.to_str() {
            Some(s) => self.expand(s),
            None => path.to_path_buf(),
        }
    }

    /// The file [`load`](Self::load) reads: the given path, or the SDKs' default resolution.
    pub fn resolve_path(&self) -> PathBuf {
        if let Some(p) = &self.path {
            return self.expand_path(p);
        }
        let default = self.expand("~/.oci/config");
        if default.is_file() {
            return default;
        }
        if let Some(env_path) = self.var(CONFIG_FILE_ENV) {
            return self.expand(&env_path);
        }
        let fallback = self.expand("~/.oraclebmc/config");
        if fallback.is_file() {
            return fallback;
        }
        default
    }

    /// Reads the config file and resolves the profile.
    pub fn load(&self) -> Result<Config, ConfigError> {
        let file = self.resolve_path();
        let profile = self.profile_name().to_owned();
        let bytes = std::fs::read(&file).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                ConfigError::FileNotFound {
                    file: file.clone(),
                    profile: profile.clone(),
                }
            } else {
                ConfigError::FileUnreadable {
                    file: file.clone(),
                    profile: profile.clone(),
                    source: e,
                }
            }
        })?;
        let text = String::from_utf8(bytes).map_err(|_| ConfigError::FileUnreadable {
            file: file.clone(),
            profile: profile.clone(),
            source: io::Error::new(io::ErrorKind::InvalidData, "the file is not UTF-8 text"),
        })?;
        self.build(&text, Some(file))
    }

    /// Resolves the profile from config-file text; the path set with [`path`](Self::path) is
    /// ignored and [`Config::file`] is `None`.
    pub fn load_text(&self, text: &str) -> Result<Config, ConfigError> {
        self.build(text, None)
    }

    fn build(&self, text: &str, file: Option<PathBuf>) -> Result<Config, ConfigError> {
        let profile = self.profile_name().to_owned();
        let ini = Ini::parse(text).map_err(|(line, reason)| ConfigError::Syntax {
            file: file.clone(),
            line,
            reason,
        })?;
        let Some(mut values) = ini.profile(&profile) else {
            return Err(ConfigError::ProfileNotFound {
                file,
                profile,
                available: ini.names(),
            });
        };

        let missing = |key: &str| ConfigError::MissingKey {
            file: file.clone(),
            profile: profile.clone(),
            key: key.to_owned(),
        };
        let invalid = |key: &str, reason: String| ConfigError::InvalidValue {
            file: file.clone(),
            profile: profile.clone(),
            key: key.to_owned(),
            reason,
        };

        if values.contains_key("key_content") {
            return Err(ConfigError::KeyContentInFile { file, profile });
        }

        let security_token_file = values
            .remove("security_token_file")
            .filter(|v| !v.is_empty())
            .map(|v| self.expand(&v));
        let mut required = |key: &str| -> Result<Option<String>, ConfigError> {
            match values.remove(key) {
                Some(v) if v.is_empty() => Err(invalid(key, "the value is empty".into())),
                Some(v) => Ok(Some(v)),
                None => Ok(None),
            }
        };
        let user = required("user")?;
        let tenancy = required("tenancy")?;
        let fingerprint = required("fingerprint")?;
        let key_file = required("key_file")?;
        let region = values
            .remove("region")
            .filter(|v| !v.is_empty())
            .or_else(|| self.var(REGION_ENV));

        let user = match user {
            Some(u) => u,
            None if security_token_file.is_some() => String::new(),
            None => return Err(missing("user")),
        };
        let tenancy = tenancy.ok_or_else(|| missing("tenancy"))?;
        let fingerprint = fingerprint.ok_or_else(|| missing("fingerprint"))?;
        let key_file = key_file.ok_or_else(|| missing("key_file"))?;
        let region = region.ok_or_else(|| missing("region"))?;

        if !tenancy.is_empty() {
            check_ocid(&tenancy).map_err(|r| invalid("tenancy", r))?;
        }
        if !user.is_empty() {
            check_ocid(&user).map_err(|r| invalid("user", r))?;
        }
        check_fingerprint(&fingerprint).map_err(|r| invalid("fingerprint", r))?;

        let key_file = self.expand(&key_file);
        if !key_file.is_file() {
            return Err(ConfigError::KeyFileNotFound {
                file,
                profile,
                key_file,
            });
        }

        let pass_phrase = match values.remove("pass_phrase") {
            Some(p) => {
                values.remove("passphrase");
                Some(p)
            }
            None => values.remove("passphrase"),
        }
        .filter(|p| !p.is_empty())
        .map(Secret::from);
        let additional_user_agent = values.remove("additional_user_agent");

        Ok(Config {
            user,
            tenancy,
            fingerprint,
            key_file,
            region: Some(region),
            pass_phrase,
            security_token_file,
            additional_user_agent,
            extra: values,
            profile,
            file,
        })
    }
}

/// Python SDK shape: `^([0-9a-zA-Z-_]+[.:])([0-9a-zA-Z-_]*[.:]){3,}([0-9a-zA-Z-_]+)$`.
fn check_ocid(value: &str) -> Result<(), String> {
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
    {
        return Err(format!(
            "an OCID has only letters, digits, `-`, `_`, `.` and `:`, not {c:?}"
        ));
    }
    let parts: Vec<&str> = value.split(['.', ':']).collect();
    if parts.len() < 5 {
        return Err(format!(
            "an OCID has at least 5 `.`-separated parts (ocid1.<type>.<realm>.<region>.<id>), \
             this has {}",
            parts.len()
        ));
    }
    if parts.first().is_some_and(|p| p.is_empty()) || parts.last().is_some_and(|p| p.is_empty()) {
        return Err("an OCID cannot start or end with `.` or `:`".into());
    }
    Ok(())
}

/// Python SDK shape: `^([0-9a-f]{2}:){15}[0-9a-f]{2}$`.
fn check_fingerprint(value: &str) -> Result<(), String> {
    let pairs: Vec<&str> = value.split(':').collect();
    if pairs.len() != 16 || pairs.iter().any(|p| p.len() != 2) {
        return Err(
            "a fingerprint is 16 two-digit hex pairs separated by `:` (the MD5 of the public key)"
                .into(),
        );
    }
    if value.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("a fingerprint uses lowercase hex digits; uppercase is not accepted".into());
    }
    if !pairs
        .iter()
        .all(|p| p.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')))
    {
        return Err("a fingerprint has only hex digits 0-9 and a-f".into());
    }
    Ok(())
}

/// The sections of an INI file, with Python `configparser` semantics.
#[derive(Default)]
struct Ini {
    default: Option<BTreeMap<String, String>>,
    sections: Vec<(String, BTreeMap<String, String>)>,
}

/// A section's values while parsing: each value as its list of lines.
type Lines = BTreeMap<String, Vec<String>>;

/// The section being parsed.
#[derive(Clone, Copy, PartialEq)]
enum Cur {
    None,
    Default,
    Section(usize),
}

impl Cur {
    fn map<'m>(
        self,
        default: &'m mut Option<Lines>,
        sections: &'m mut [(String, Lines)],
    ) -> Option<&'m mut Lines> {
        match self {
            Cur::None => None,
            Cur::Default => default.as_mut(),
            Cur::Section(i) => sections.get_mut(i).map(|(_, m)| m),
        }
    }
}

impl Ini {
    /// Parses `text`; on error returns the 1-based line and why.
    fn parse(text: &str) -> Result<Ini, (usize, String)> {
        let mut default: Option<Lines> = None;
        let mut sections: Vec<(String, Lines)> = Vec::new();
        // (section index, None for DEFAULT; key): a key may appear once per section.
        let mut seen_keys: HashSet<(Option<usize>, String)> = HashSet::new();
        let mut cur = Cur::None;
        let mut option: Option<String> = None;
        let mut indent_level = 0usize;

        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (index, raw) in text.lines().enumerate() {
            let line_no = index + 1;
            let trimmed = raw.trim();
            let comment = trimmed.starts_with('#') || trimmed.starts_with(';');
            if comment || trimmed.is_empty() {
                // A blank line inside a multi-line value is kept (configparser's
                // empty_lines_in_values); trailing ones are trimmed when joining.
                if let (false, Some(name)) = (comment, &option) {
                    if let Some(v) = cur
                        .map(&mut default, &mut sections)
                        .and_then(|m| m.get_mut(name))
                    {
                        v.push(String::new());
                    }
                }
                continue;
            }
            let indent = raw.len() - raw.trim_start().len();
            if let (true, Some(name)) = (indent > indent_level, &option) {
                // A continuation line of the current value.
                if let Some(v) = cur
                    .map(&mut default, &mut sections)
                    .and_then(|m| m.get_mut(name))
                {
                    v.push(trimmed.to_owned());
                }
                continue;
            }
            indent_level = indent;

            if let Some(name) = section_header(trimmed) {
                option = None;
                if name == DEFAULT_PROFILE {
                    default.get_or_insert_with(BTreeMap::new);
                    cur = Cur::Default;
                } else if sections.iter().any(|(n, _)| n == name) {
                    return Err((line_no, format!("profile [{name}] appears a second time")));
                } else {
                    sections.push((name.to_owned(), BTreeMap::new()));
                    cur = Cur::Section(sections.len() - 1);
                }
                continue;
            }
            let section_index = match cur {
                Cur::Section(i) => Some(i),
                _ => None,
            };
            let section_name = match cur {
                Cur::Section(i) => sections.get(i).map(|(n, _)| n.clone()).unwrap_or_default(),
                _ => DEFAULT_PROFILE.to_owned(),
            };
            let Some(map) = cur.map(&mut default, &mut sections) else {
                return Err((
                    line_no,
                    "a key before the first [profile] header (the file must start with a \
                     header such as [DEFAULT])"
                        .into(),
                ));
            };
            let Some(pos) = trimmed.find(['=', ':']) else {
                return Err((
                    line_no,
                    format!(
                        "in profile [{section_name}]: expected `key = value`, a [profile] header \
                         or a comment"
                    ),
                ));
            };
            let key = trimmed[..pos].trim_end().to_lowercase();
            if key.is_empty() {
                return Err((
                    line_no,
                    format!("in profile [{section_name}]: a value without a key name"),
                ));
            }
            let value = trimmed[pos + 1..].trim().to_owned();
            if !seen_keys.insert((section_index, key.clone())) {
                return Err((
                    line_no,
                    format!("key `{key}` appears a second time in profile [{section_name}]"),
                ));
            }
            map.insert(key.clone(), vec![value]);
            option = Some(key);
        }

        let join = |m: Lines| -> BTreeMap<String, String> {
            m.into_iter()
                .map(|(k, v)| (k, v.join("\n").trim_end().to_owned()))
                .collect()
        };
        Ok(Ini {
            default: default.map(join),
            sections: sections.into_iter().map(|(n, m)| (n, join(m))).collect(),
        })
    }

    /// The keys of `profile`, with `[DEFAULT]` inherited; `None` if there is no such profile.
    fn profile(&self, profile: &str) -> Option<BTreeMap<String, String>> {
        if profile == DEFAULT_PROFILE {
            return self.default.clone();
        }
        let (_, own) = self.sections.iter().find(|(n, _)| n == profile)?;
        let mut merged = self.default.clone().unwrap_or_default();
        merged.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        Some(merged)
    }

    /// The profile names, `DEFAULT` first when present.
    fn names(&self) -> Vec<String> {
        self.default
            .as_ref()
            .map(|_| DEFAULT_PROFILE.to_owned())
            .into_iter()
            .chain(self.sections.iter().map(|(n, _)| n.clone()))
            .collect()
    }
}

/// `[name]`: configparser's `\[(?P<header>.+)\]`, matched from the start, greedy.
fn section_header(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('[')?;
    let end = inner.rfind(']')?;
    let name = &inner[..end];
    (!name.is_empty()).then_some(name)
}
