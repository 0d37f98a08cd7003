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

mod defaults;
mod error;
mod ini;
mod loader;
mod profile;
mod validate;

pub use defaults::{CONFIG_FILE_ENV, DEFAULT_PROFILE, REGION_ENV};
pub use error::ConfigError;
pub use loader::ConfigLoader;
pub use profile::Config;

#[cfg(doc)]
use crate::Error;
