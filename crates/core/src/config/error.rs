//! [`ConfigError`]: why a profile could not be loaded, naming the file, profile and key.

use std::io;
use std::path::{Path, PathBuf};

use super::defaults::DOCS;
use crate::auth::KeyError;
use crate::Error;

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
