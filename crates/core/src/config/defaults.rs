//! The config file's fixed names: the default profile and the environment variables read.

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "DEFAULT";
/// Environment variable naming a config file, used when `~/.oci/config` does not exist.
pub const CONFIG_FILE_ENV: &str = "OCI_CONFIG_FILE";
/// Environment variable giving the region when the profile has none.
pub const REGION_ENV: &str = "OCI_REGION";

/// The OCI documentation page on the config file, named in "not found" errors.
pub(crate) const DOCS: &str =
    "https://docs.oracle.com/en-us/iaas/Content/API/Concepts/sdkconfig.htm";
