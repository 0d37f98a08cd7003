//! Trust roots for the default transport: the operating system's store, webpki roots as a
//! fallback, and extra CA bundles (a corporate TLS-inspecting proxy's CA, a private endpoint's).

use std::path::Path;
use std::sync::OnceLock;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

use crate::Error;

/// The environment variable naming an extra CA bundle (PEM), as the Go SDK names it.
pub const CA_BUNDLE_ENV: &str = "OCI_DEFAULT_CERTS_PATH";

/// The operating system's trust roots, read once per process (rustls-native-certs: it honours
/// `SSL_CERT_FILE` / `SSL_CERT_DIR`). Certificates it cannot parse are skipped.
fn native_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        for e in &found.errors {
            tracing::debug!(error = %e, "could not read a system trust root");
        }
        found.certs
    })
}

/// The roots the default transport trusts: the operating system's, or (feature `webpki-roots`,
/// on by default) Mozilla's compiled in when the system has none; then every certificate in
/// `extra`.
pub(crate) fn default_roots(extra: &[CertificateDer<'static>]) -> Result<RootCertStore, Error> {
    let mut store = RootCertStore::empty();
    let (_added, _ignored) = store.add_parsable_certificates(native_roots().iter().cloned());
    if store.is_empty() {
        add_fallback(&mut store);
    }
    add_extra(&mut store, extra)?;
    if store.is_empty() {
        return Err(Error::config(
            "no TLS trust roots: the operating system has none, the `webpki-roots` feature is \
             off and no CA bundle was given (OCI_DEFAULT_CERTS_PATH or a builder's ca_bundle)",
        ));
    }
    Ok(store)
}

#[cfg(feature = "webpki-roots")]
fn add_fallback(store: &mut RootCertStore) {
    store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
}

#[cfg(not(feature = "webpki-roots"))]
fn add_fallback(_store: &mut RootCertStore) {}

/// Adds `extra` to `store`; a certificate rustls rejects as a trust anchor is an error.
pub(crate) fn add_extra(
    store: &mut RootCertStore,
    extra: &[CertificateDer<'static>],
) -> Result<(), Error> {
    for cert in extra {
        store.add(cert.clone()).map_err(|e| {
            Error::config(format!("the CA bundle has an unusable certificate: {e}"))
        })?;
    }
    Ok(())
}

/// Reads every certificate of a PEM CA bundle (one or more `BEGIN CERTIFICATE` blocks).
///
/// ```no_run
/// let certs = oci_core::transport::read_ca_bundle("/etc/pki/corp-ca.pem")?;
/// # let _ = certs; Ok::<(), oci_core::Error>(())
/// ```
///
/// A file that cannot be read, or has no certificate, is a config error naming the path.
pub fn read_ca_bundle(path: impl AsRef<Path>) -> Result<Vec<CertificateDer<'static>>, Error> {
    let path = path.as_ref();
    let pem = std::fs::read(path)
        .map_err(|e| Error::config(format!("cannot read the CA bundle {}: {e}", path.display())))?;
    parse_ca_bundle(&pem).map_err(|e| Error::config(format!("CA bundle {}: {e}", path.display())))
}

/// Parses the certificates of a PEM CA bundle held in memory.
///
/// ```
/// assert!(oci_core::transport::parse_ca_bundle(b"not a certificate").is_err());
/// ```
///
/// Bundles without any certificate are refused (a typo'd path to a key file, say).
pub fn parse_ca_bundle(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::config(format!("invalid PEM CA bundle: {e}")))?;
    if certs.is_empty() {
        return Err(Error::config(
            "the CA bundle has no `BEGIN CERTIFICATE` block",
        ));
    }
    Ok(certs)
}

/// The extra CA bundle named by `OCI_DEFAULT_CERTS_PATH` (through `env`), if set and non-empty.
pub(crate) fn env_ca_bundle(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<CertificateDer<'static>>, Error> {
    match env(CA_BUNDLE_ENV).filter(|p| !p.trim().is_empty()) {
        Some(path) => read_ca_bundle(path.trim()),
        None => Ok(Vec::new()),
    }
}
