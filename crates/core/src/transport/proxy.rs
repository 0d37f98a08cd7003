//! HTTP(S) proxies for the default transport: `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (and
//! their lower-case forms) or an explicit [`Proxy`], reached with an HTTP `CONNECT` tunnel.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::Engine as _;
use http::{HeaderValue, Uri};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use tower::Service;

use crate::auth::Secret;
use crate::{BoxError, Error};

/// An explicit HTTP proxy: every call (to `https://` and `http://` endpoints alike) goes
/// through a `CONNECT` tunnel to it, except hosts in its no-proxy list.
///
/// ```
/// use oci_core::transport::Proxy;
/// let proxy = Proxy::new("http://proxy.corp.example:3128")?
///     .basic_auth("svc-oci", "s3cret")
///     .no_proxy("localhost, 127.0.0.1, .internal.example");
/// assert!(!format!("{proxy:?}").contains("s3cret"));
/// # Ok::<(), oci_core::Error>(())
/// ```
///
/// The password never appears in Debug output. Credentials written in the URL
/// (`http://user:pass@host:port`) work too and are redacted the same way.
#[derive(Clone)]
pub struct Proxy {
    uri: Uri,
    user: Option<String>,
    password: Option<Secret>,
    no_proxy: String,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = self.uri.host().unwrap_or("");
        let port = self
            .uri
            .port_u16()
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        f.debug_struct("Proxy")
            .field("address", &format!("{host}{port}"))
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl Proxy {
    /// A proxy at `url` (`http://host:port`; a missing scheme means `http://`).
    ///
    /// ```
    /// let p = oci_core::transport::Proxy::new("proxy.corp.example:3128")?;
    /// # let _ = p; Ok::<(), oci_core::Error>(())
    /// ```
    ///
    /// A URL without a host, or with a scheme other than `http`/`https`, is a config error.
    pub fn new(url: &str) -> Result<Self, Error> {
        let url = url.trim();
        let full = if url.contains("://") {
            url.to_owned()
        } else {
            format!("http://{url}")
        };
        let uri: Uri = full
            .parse()
            .map_err(|_| Error::config("the proxy URL is not a valid URL"))?;
        if !matches!(uri.scheme_str(), Some("http") | Some("https")) {
            return Err(Error::config("the proxy URL must be http:// or https://"));
        }
        let authority = uri
            .authority()
            .ok_or_else(|| Error::config("the proxy URL has no host"))?;
        let (user, password, hostport) = match authority.as_str().rsplit_once('@') {
            Some((userinfo, hostport)) => {
                let (u, p) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                let dec = |s: &str| {
                    percent_encoding::percent_decode_str(s)
                        .decode_utf8_lossy()
                        .into_owned()
                };
                (Some(dec(u)), Some(Secret::new(dec(p))), hostport.to_owned())
            }
            None => (None, None, authority.as_str().to_owned()),
        };
        let scheme = uri.scheme_str().unwrap_or("http");
        let uri: Uri = format!("{scheme}://{hostport}")
            .parse()
            .map_err(|_| Error::config("the proxy URL is not a valid URL"))?;
        Ok(Proxy {
            uri,
            user,
            password,
            no_proxy: String::new(),
        })
    }

    /// Authenticates to the proxy with HTTP basic auth (`Proxy-Authorization`).
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.user = Some(user.into());
        self.password = Some(password.into());
        self
    }

    /// Hosts that bypass the proxy, in `NO_PROXY` syntax: comma-separated domains (matching
    /// their subdomains too, a leading `.` allowed), IP addresses or CIDR blocks, or `*`.
    pub fn no_proxy(mut self, list: impl Into<String>) -> Self {
        self.no_proxy = list.into();
        self
    }

    /// The proxy's address (`scheme://host:port`), without credentials.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    fn auth_header(&self) -> Option<HeaderValue> {
        let user = self.user.as_deref()?;
        let pass = self.password.as_ref().map(Secret::expose).unwrap_or("");
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        let mut v = HeaderValue::from_str(&format!("Basic {token}")).ok()?;
        v.set_sensitive(true);
        Some(v)
    }
}

/// Which proxy the default transport uses.
#[derive(Clone, Debug, Default)]
pub enum ProxyMode {
    /// `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` (upper- or lower-case, the
    /// upper-case one first), read when the transport is built. The default.
    #[default]
    Env,
    /// This proxy, whatever the environment says.
    Explicit(Proxy),
    /// Connect directly, whatever the environment says.
    Direct,
}

/// A proxy decision, resolved once when the transport is built.
#[derive(Clone)]
pub(crate) enum Route {
    Direct,
    Proxied(Arc<Matcher>, Option<HeaderValue>),
}

impl ProxyMode {
    /// Resolves the mode, reading variables through `env` (the process environment in
    /// production, a map in tests).
    pub(crate) fn route(&self, env: &dyn Fn(&str) -> Option<String>) -> Route {
        match self {
            ProxyMode::Direct => Route::Direct,
            ProxyMode::Explicit(p) => {
                let m = Matcher::builder()
                    .all(p.uri.to_string())
                    .no(p.no_proxy.clone())
                    .build();
                Route::Proxied(Arc::new(m), p.auth_header())
            }
            ProxyMode::Env => {
                let first = |names: [&str; 2]| {
                    names
                        .iter()
                        .find_map(|n| env(n).filter(|v| !v.trim().is_empty()))
                        .unwrap_or_default()
                };
                let all = first(["ALL_PROXY", "all_proxy"]);
                let http = first(["HTTP_PROXY", "http_proxy"]);
                let https = first(["HTTPS_PROXY", "https_proxy"]);
                if all.is_empty() && http.is_empty() && https.is_empty() {
                    return Route::Direct;
                }
                let m = Matcher::builder()
                    .all(all)
                    .http(http)
                    .https(https)
                    .no(first(["NO_PROXY", "no_proxy"]))
                    .build();
                Route::Proxied(Arc::new(m), None)
            }
        }
    }
}

/// The connector under rustls: a direct TCP connection, or a `CONNECT` tunnel through the
/// proxy the route picks for the destination.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    http: HttpConnector,
    route: Route,
}

impl ProxyConnector {
    pub(crate) fn new(http: HttpConnector, route: Route) -> Self {
        ProxyConnector { http, route }
    }
}

type Stream = <HttpConnector as Service<Uri>>::Response;

impl Service<Uri> for ProxyConnector {
    type Response = Stream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Stream, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let intercept = match &self.route {
            Route::Direct => None,
            Route::Proxied(m, auth) => m.intercept(&dst).map(|i| (i, auth.clone())),
        };
        let Some((intercept, auth)) = intercept else {
            let fut = self.http.call(dst);
            return Box::pin(async move { fut.await.map_err(Into::into) });
        };
        let mut tunnel = Tunnel::new(intercept.uri().clone(), self.http.clone());
        if let Some(auth) = auth.or_else(|| intercept.basic_auth().cloned()) {
            tunnel = tunnel.with_auth(auth);
        }
        Box::pin(async move {
            // The tunnel defaults a missing port to 443: give plain-HTTP targets theirs.
            let dst = with_port(dst)?;
            tracing::debug!(proxy = ?intercept, "connecting through a proxy tunnel");
            tunnel.call(dst).await.map_err(|e| {
                Box::new(Error::transport(format!("proxy tunnel failed: {e}"))) as BoxError
            })
        })
    }
}

fn with_port(dst: Uri) -> Result<Uri, BoxError> {
    if dst.port().is_some() {
        return Ok(dst);
    }
    let port = if dst.scheme_str() == Some("http") {
        80
    } else {
        443
    };
    let host = dst.host().ok_or("the destination has no host")?;
    let scheme = dst.scheme_str().unwrap_or("https");
    Ok(format!("{scheme}://{host}:{port}/").parse()?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve(vars: &[(&str, &str)], dst: &str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        match ProxyMode::Env.route(&|k| map.get(k).cloned()) {
            Route::Direct => None,
            Route::Proxied(m, _) => m
                .intercept(&dst.parse().unwrap())
                .map(|i| i.uri().to_string()),
        }
    }

    #[test]
    fn env_resolution_table() {
        let https = "https://objectstorage.us-ashburn-1.oraclecloud.com/n";
        let http = "http://169.254.169.254/opc/v2/instance";
        // (variables, destination, expected proxy)
        type Row<'a> = (&'a [(&'a str, &'a str)], &'a str, Option<&'a str>);
        let table: &[Row] = &[
            (&[], https, None),
            (
                &[("HTTPS_PROXY", "http://p:3128")],
                https,
                Some("http://p:3128/"),
            ),
            (
                &[("https_proxy", "http://low:3128")],
                https,
                Some("http://low:3128/"),
            ),
            (
                &[
                    ("HTTPS_PROXY", "http://up:1"),
                    ("https_proxy", "http://low:2"),
                ],
                https,
                Some("http://up:1/"),
            ),
            (&[("HTTPS_PROXY", "http://p:3128")], http, None),
            (
                &[("HTTP_PROXY", "http://h:8080")],
                http,
                Some("http://h:8080/"),
            ),
            (&[("ALL_PROXY", "http://a:1")], https, Some("http://a:1/")),
            (
                &[
                    ("HTTPS_PROXY", "http://p:3128"),
                    ("NO_PROXY", "oraclecloud.com"),
                ],
                https,
                None,
            ),
            (
                &[
                    ("HTTPS_PROXY", "http://p:3128"),
                    ("no_proxy", ".oraclecloud.com"),
                ],
                https,
                None,
            ),
            (
                &[("HTTP_PROXY", "http://h:1"), ("NO_PROXY", "169.254.0.0/16")],
                http,
                None,
            ),
            (
                &[("HTTPS_PROXY", "http://p:3128"), ("NO_PROXY", "*")],
                https,
                None,
            ),
            (&[("HTTPS_PROXY", "  ")], https, None),
        ];
        for (vars, dst, want) in table {
            assert_eq!(resolve(vars, dst).as_deref(), *want, "{vars:?} {dst}");
        }
    }

    #[test]
    fn env_credentials_become_basic_auth_and_explicit_wins() {
        let map: HashMap<&str, &str> = [("HTTPS_PROXY", "http://u:p%40ss@p:1")].into();
        let Route::Proxied(m, _) = ProxyMode::Env.route(&|k| map.get(k).map(|v| v.to_string()))
        else {
            panic!("proxied")
        };
        let i = m.intercept(&"https://x.example".parse().unwrap()).unwrap();
        assert!(i.basic_auth().is_some());
        let explicit = ProxyMode::Explicit(Proxy::new("http://q:2").unwrap().basic_auth("a", "b"));
        let Route::Proxied(m, auth) = explicit.route(&|k| map.get(k).map(|v| v.to_string())) else {
            panic!("proxied")
        };
        let i = m.intercept(&"https://x.example".parse().unwrap()).unwrap();
        assert_eq!(i.uri().to_string(), "http://q:2/");
        assert_eq!(auth.unwrap(), "Basic YTpi");
        assert!(matches!(
            ProxyMode::Direct.route(&|k| map.get(k).map(|v| v.to_string())),
            Route::Direct
        ));
    }
}
