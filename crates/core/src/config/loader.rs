//! [`ConfigLoader`]: finds the file, parses it and resolves one profile into a [`Config`].

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::defaults::{CONFIG_FILE_ENV, DEFAULT_PROFILE, REGION_ENV};
use super::error::ConfigError;
use super::ini::Ini;
use super::profile::Config;
use super::validate::{check_fingerprint, check_ocid};
use crate::auth::Secret;
use crate::Error;

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
}

impl FromStr for Config {
    type Err = Error;

    /// Parses the `DEFAULT` profile of config-file text; see [`Config::from_text`].
    fn from_str(text: &str) -> Result<Config, Error> {
        Config::from_text(text, None)
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
