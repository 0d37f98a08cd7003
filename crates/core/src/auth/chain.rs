//! The default credentials chain: the first provider that applies where the code runs.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{
    Credentials, DelegationToken, InstancePrincipal, OkeWorkloadIdentity, ResourcePrincipal,
};
use crate::config::{Config, ConfigError};
use crate::region::Region;
use crate::Error;

/// What [`default_credentials`] found: the credentials, the region when the source knows it,
/// and which source it was.
#[derive(Clone)]
pub struct ResolvedCredentials {
    /// The credentials (token principals already behind a `CredentialsCache`).
    pub credentials: Arc<dyn Credentials>,
    /// The region of the source (config profile, resource-principal env, IMDS), if known.
    pub region: Option<Region>,
    /// `api_key`, `security_token`, `resource_principal`, `oke_workload_identity` or
    /// `instance_principal`.
    pub source: &'static str,
}

impl fmt::Debug for ResolvedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResolvedCredentials")
            .field("source", &self.source)
            .field("region", &self.region.as_ref().map(Region::id))
            .field("credentials", &self.credentials)
            .finish()
    }
}

/// `OCI_CLI_AUTH`: names one provider explicitly (as the OCI CLI does).
pub const ENV_AUTH: &str = "OCI_CLI_AUTH";

/// Finds credentials with no arguments, as a backend service needs.
///
/// ```no_run
/// # async fn run() -> Result<(), oci_core::Error> {
/// let found = oci_core::auth::default_credentials().await?;
/// println!("signing as {} in {:?}", found.source, found.region.as_ref().map(|r| r.id()));
/// # Ok(()) }
/// ```
///
/// In order:
/// 1. `OCI_CLI_AUTH` (`api_key`, `security_token`, `instance_principal`,
///    `resource_principal`, `oke_workload_identity`, `instance_obo_user` for Cloud Shell):
///    that provider, and only it.
/// 2. Resource principals when `OCI_RESOURCE_PRINCIPAL_VERSION` is set.
/// 3. The config file (`~/.oci/config`, `OCI_CONFIG_FILE`; profile `OCI_CLI_PROFILE` or
///    `DEFAULT`) when one exists: API key or session token. A file that exists but is invalid
///    is an error, not a reason to go on.
/// 4. OKE workload identity when a service-account token is mounted and
///    `KUBERNETES_SERVICE_HOST` is set.
/// 5. Instance principals, asking IMDS with a short retry (3 attempts within 10 s), so a
///    machine that is not an OCI instance fails in bounded time with an
///    [`Auth`](crate::ErrorKind::Auth) error.
pub async fn default_credentials() -> Result<ResolvedCredentials, Error> {
    if let Some(choice) = std::env::var(ENV_AUTH).ok().filter(|s| !s.is_empty()) {
        return explicit(&choice).await;
    }
    if std::env::var_os(crate::auth::resource::ENV_VERSION).is_some() {
        return resource_principal();
    }
    match config_file() {
        Ok(found) => return Ok(found),
        Err(e) if !is_missing_file(&e) => return Err(e),
        Err(_) => {}
    }
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some()
        && Path::new(crate::auth::oke::DEFAULT_SA_TOKEN_PATH).exists()
    {
        return oke();
    }
    instance_principal(Some((3, Duration::from_secs(10)))).await
}

async fn explicit(choice: &str) -> Result<ResolvedCredentials, Error> {
    match choice.trim().to_ascii_lowercase().as_str() {
        "api_key" | "security_token" => config_file(),
        "instance_principal" => instance_principal(None).await,
        "resource_principal" => resource_principal(),
        "oke_workload_identity" => oke(),
        "instance_obo_user" => cloud_shell().await,
        other => Err(Error::config(format!(
            "{ENV_AUTH}={other} is not one of api_key, security_token, instance_principal, \
             resource_principal, oke_workload_identity, instance_obo_user"
        ))),
    }
}

/// Cloud Shell: an instance principal acting with the profile's `delegation_token_file`.
async fn cloud_shell() -> Result<ResolvedCredentials, Error> {
    let profile = std::env::var("OCI_CLI_PROFILE")
        .ok()
        .filter(|s| !s.is_empty());
    let config = Config::from_file(None, profile.as_deref())?;
    let path = config.extra.get("delegation_token_file").ok_or_else(|| {
        Error::config("instance_obo_user needs `delegation_token_file` in the config profile")
    })?;
    let path = match path.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(|h| Path::new(&h).join(rest))
            .unwrap_or_else(|| Path::new(path).to_owned()),
        None => Path::new(path).to_owned(),
    };
    let instance = instance_principal(None).await?;
    let creds = DelegationToken::from_file(instance.credentials, path)?;
    Ok(ResolvedCredentials {
        region: config.region().ok().or(instance.region),
        credentials: Arc::new(creds),
        source: "instance_obo_user",
    })
}

fn resource_principal() -> Result<ResolvedCredentials, Error> {
    let creds = ResourcePrincipal::from_env()?;
    Ok(ResolvedCredentials {
        region: creds.region(),
        credentials: Arc::new(creds),
        source: "resource_principal",
    })
}

fn oke() -> Result<ResolvedCredentials, Error> {
    let creds = OkeWorkloadIdentity::builder().build()?;
    Ok(ResolvedCredentials {
        region: creds.region(),
        credentials: Arc::new(creds),
        source: "oke_workload_identity",
    })
}

async fn instance_principal(
    imds_retry: Option<(u32, Duration)>,
) -> Result<ResolvedCredentials, Error> {
    let mut b = InstancePrincipal::builder();
    if let Some((attempts, total)) = imds_retry {
        b = b.imds_retry(attempts, total);
    }
    let creds = b.build().await?;
    Ok(ResolvedCredentials {
        region: creds.region(),
        credentials: Arc::new(creds),
        source: "instance_principal",
    })
}

fn config_file() -> Result<ResolvedCredentials, Error> {
    let profile = std::env::var("OCI_CLI_PROFILE")
        .ok()
        .filter(|s| !s.is_empty());
    let config = Config::from_file(None, profile.as_deref())?;
    let credentials = config.credentials()?;
    let source = if config.security_token_file.is_some() {
        "security_token"
    } else {
        "api_key"
    };
    Ok(ResolvedCredentials {
        region: config.region().ok(),
        credentials,
        source,
    })
}

fn is_missing_file(e: &Error) -> bool {
    std::error::Error::source(e)
        .and_then(|s| s.downcast_ref::<ConfigError>())
        .is_some_and(|c| matches!(c, ConfigError::FileNotFound { .. }))
}
