//! [`HttpTransportBuilder`]: the network options of the default transport.

use std::path::PathBuf;
use std::time::Duration;

use rustls::pki_types::CertificateDer;

use super::proxy::{Proxy, ProxyMode};
use super::{tls, HttpTransport};
use crate::Error;

/// Builds an [`HttpTransport`]: connect timeout, proxy, extra trusted CA certificates.
///
/// ```
/// use std::time::Duration;
/// use oci_core::transport::{HttpTransport, Proxy};
/// let transport = HttpTransport::builder()
///     .connect_timeout(Duration::from_secs(5))
///     .proxy(Proxy::new("http://proxy.corp.example:3128")?.basic_auth("me", "pw"))
///     .build()?;
/// # let _ = transport; Ok::<(), oci_core::Error>(())
/// ```
///
/// Defaults: 10 s connect timeout; proxies from `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` /
/// `NO_PROXY` (or lower-case); the operating system's trust roots (Mozilla's compiled in
/// when it has none, feature `webpki-roots`) plus the PEM bundle `OCI_DEFAULT_CERTS_PATH` names.
#[derive(Clone, Debug)]
pub struct HttpTransportBuilder {
    connect_timeout: Duration,
    proxy: ProxyMode,
    ca_files: Vec<PathBuf>,
    ca_certs: Vec<CertificateDer<'static>>,
    env_ca_bundle: bool,
    system_roots: bool,
}

impl Default for HttpTransportBuilder {
    fn default() -> Self {
        HttpTransportBuilder {
            connect_timeout: Duration::from_secs(10),
            proxy: ProxyMode::Env,
            ca_files: Vec::new(),
            ca_certs: Vec::new(),
            env_ca_bundle: true,
            system_roots: true,
        }
    }
}

impl HttpTransportBuilder {
    /// How long a TCP connect may take (to the endpoint, or to the proxy).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sends every call through `proxy` (a `CONNECT` tunnel), whatever the environment says.
    pub fn proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = ProxyMode::Explicit(proxy);
        self
    }

    /// Sets how the proxy is chosen: from the environment (the default), explicit, or none.
    pub fn proxy_mode(mut self, mode: ProxyMode) -> Self {
        self.proxy = mode;
        self
    }

    /// Also trusts the CA certificates of the PEM bundle at `path` (read at
    /// [`build`](Self::build)).
    pub fn ca_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_files.push(path.into());
        self
    }

    /// Also trusts these CA certificates (see [`parse_ca_bundle`](super::parse_ca_bundle)).
    pub fn ca_certificates(
        mut self,
        certs: impl IntoIterator<Item = CertificateDer<'static>>,
    ) -> Self {
        self.ca_certs.extend(certs);
        self
    }

    /// Whether to read the extra bundle `OCI_DEFAULT_CERTS_PATH` names (default true).
    pub fn env_ca_bundle(mut self, on: bool) -> Self {
        self.env_ca_bundle = on;
        self
    }

    /// Whether to trust the operating system's (or the compiled-in) roots at all (default
    /// true). Off, only the CA certificates given here are trusted: a private PKI.
    pub fn system_roots(mut self, on: bool) -> Self {
        self.system_roots = on;
        self
    }

    /// Builds the transport, reading the environment for what the options leave to it.
    pub fn build(&self) -> Result<HttpTransport, Error> {
        self.build_with_env(&|k| std::env::var(k).ok())
    }

    /// [`build`](Self::build), reading environment variables through `env`.
    pub(crate) fn build_with_env(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<HttpTransport, Error> {
        let mut extra = self.ca_certs.clone();
        for path in &self.ca_files {
            extra.extend(tls::read_ca_bundle(path)?);
        }
        if self.env_ca_bundle {
            extra.extend(tls::env_ca_bundle(env)?);
        }
        let roots = if self.system_roots {
            tls::default_roots(&extra)?
        } else {
            let mut store = rustls::RootCertStore::empty();
            tls::add_extra(&mut store, &extra)?;
            store
        };
        HttpTransport::from_parts(self.connect_timeout, roots, self.proxy.route(env))
    }
}
