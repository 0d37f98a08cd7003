//! Service endpoints: scheme, host and base path.

use std::fmt;

use http::uri::{Authority, Scheme};
use http::Uri;

use crate::Error;

/// Where a service lives: `scheme://host[:port][/base-path]`.
///
/// ```
/// use oci_core::Endpoint;
///
/// let ep = Endpoint::parse("http://127.0.0.1:8080/20160918")?;
/// assert_eq!(ep.host_header(), "127.0.0.1:8080");
/// assert_eq!(ep.join("/users/?limit=1")?.to_string(), "http://127.0.0.1:8080/20160918/users/?limit=1");
/// # Ok::<(), oci_core::Error>(())
/// ```
///
/// `http` is allowed, for local servers such as the emulator; real OCI endpoints are `https`.
/// User info, query and fragment are rejected, as the official SDKs do.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    scheme: Scheme,
    authority: Authority,
    base_path: String,
}

impl Endpoint {
    /// Parses and validates an endpoint URL.
    pub fn parse(url: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::invalid_request(format!("invalid endpoint `{url}`: {why}"));
        let uri: Uri = url.parse().map_err(|e| bad(&format!("{e}")))?;
        let scheme = uri.scheme().cloned().ok_or_else(|| bad("missing scheme"))?;
        if scheme != Scheme::HTTP && scheme != Scheme::HTTPS {
            return Err(bad("scheme must be http or https"));
        }
        let authority = uri
            .authority()
            .cloned()
            .ok_or_else(|| bad("missing host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("user info is not allowed"));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(bad("query and fragment are not allowed"));
        }
        let base_path = uri.path().trim_end_matches('/').to_owned();
        Ok(Endpoint {
            scheme,
            authority,
            base_path,
        })
    }

    /// This endpoint with `path` appended to the base path (e.g. a service's `/20160918`).
    pub fn with_base_path(&self, path: &str) -> Endpoint {
        let mut e = self.clone();
        e.base_path.push_str(path.trim_end_matches('/'));
        e
    }

    /// The `host` header value: host, plus `:port` when the port is not the scheme's default.
    pub fn host_header(&self) -> &str {
        self.authority.as_str()
    }

    /// The scheme.
    pub fn scheme(&self) -> &str {
        self.scheme.as_str()
    }

    /// The base path, without a trailing slash (may be empty).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// The full URI for an encoded `path[?query]` under the base path.
    pub fn join(&self, path_and_query: &str) -> Result<Uri, Error> {
        let pq = format!("{}{}", self.base_path, path_and_query);
        let pq = if pq.is_empty() { "/".to_owned() } else { pq };
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(pq.as_str())
            .build()
            .map_err(|e| Error::invalid_request(format!("invalid request path `{pq}`: {e}")))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority, self.base_path)
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({self})")
    }
}

impl std::str::FromStr for Endpoint {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Endpoint::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_endpoints() {
        for bad in [
            "ftp://x.com",
            "identity.us-ashburn-1.oraclecloud.com",
            "https://u:p@x.com",
            "https://x.com/?a=b",
            "https://x.com/#frag",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn default_port_is_not_in_host() {
        let ep = Endpoint::parse("https://identity.us-ashburn-1.oci.oraclecloud.com").ok();
        assert_eq!(
            ep.as_ref().map(Endpoint::host_header),
            Some("identity.us-ashburn-1.oci.oraclecloud.com")
        );
    }
}
