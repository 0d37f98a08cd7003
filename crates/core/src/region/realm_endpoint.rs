//! Realm-specific service endpoint templates (`client_level_realm_specific_endpoint_template_enabled`,
//! `OCI_REALM_SPECIFIC_SERVICE_ENDPOINT_TEMPLATE_ENABLED`): per service and realm, a template
//! whose `{param}` / `{param+Dot}` tokens are filled from the request's path.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tower::{Layer, Service};

use super::endpoint::{check_host_part, expand};
use super::types::Region;
use crate::stack::BoxStack;
use crate::{Body, Error, OperationInfo};

/// The environment variable that turns realm-specific endpoint templates on (`true`).
pub const REALM_ENDPOINT_ENV: &str = "OCI_REALM_SPECIFIC_SERVICE_ENDPOINT_TEMPLATE_ENABLED";

struct RealmTemplate {
    service: &'static str,
    realm: &'static str,
    template: &'static str,
    /// Path prefix naming the template's parameters, matched segment by segment.
    params_from: &'static str,
}

/// The SDKs' realm-specific templates (Py `ObjectStorageClient`: only Object Storage in oc1;
/// Identity and Delegate Access Control have none).
const TEMPLATES: &[RealmTemplate] = &[RealmTemplate {
    service: "objectstorage",
    realm: "oc1",
    template:
        "https://{namespaceName+Dot}objectstorage.{region}.{dualStack?ds.:}oci.customer-oci.com",
    params_from: "/n/{namespaceName}",
}];

/// The realm-specific endpoint (scheme and host) of `service` in `region` for a request to
/// `path`, or `None` when the service has no template for the region's realm.
///
/// ```
/// use oci_core::region::{realm_specific_endpoint, Region};
/// let region = Region::new("us-ashburn-1");
/// let e = realm_specific_endpoint(&region, "objectstorage", "/n/myns/b/bkt/o/x").unwrap()?;
/// assert_eq!(e, "https://myns.objectstorage.us-ashburn-1.oci.customer-oci.com");
/// let e = realm_specific_endpoint(&region, "objectstorage", "/n").unwrap()?;
/// assert_eq!(e, "https://objectstorage.us-ashburn-1.oci.customer-oci.com");
/// assert!(realm_specific_endpoint(&region, "identity", "/users").is_none());
/// # Ok::<(), oci_core::Error>(())
/// ```
///
/// `{param+Dot}` becomes the value and a `.`, a parameter the path lacks becomes empty (as
/// the Python SDK does), `{dualStack?a:b}` follows [`Region::dual_stack`]. A parameter value
/// that is not a valid host label is an error.
pub fn realm_specific_endpoint(
    region: &Region,
    service: &str,
    path: &str,
) -> Option<Result<String, Error>> {
    let realm = region.realm()?;
    let t = TEMPLATES
        .iter()
        .find(|t| t.service == service && t.realm == realm.key())?;
    Some(fill(t, region, path))
}

fn fill(t: &RealmTemplate, region: &Region, path: &str) -> Result<String, Error> {
    let mut segments = path.trim_start_matches('/').split('/');
    let mut params: Vec<(&str, String)> = Vec::new();
    for pattern in t.params_from.trim_start_matches('/').split('/') {
        let Some(seg) = segments.next().filter(|s| !s.is_empty()) else {
            break;
        };
        if let Some(name) = pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            let value = percent_encoding::percent_decode_str(seg)
                .decode_utf8_lossy()
                .into_owned();
            check_host_part(&value, name)?;
            params.push((name, value));
        } else if pattern != seg {
            break;
        }
    }
    let mut template = String::new();
    let mut rest = t.template;
    while let Some(open) = rest.find('{') {
        template.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        let token = &rest[open + 1..close.min(rest.len())];
        let keep = token == "region" || token == "secondLevelDomain" || token.contains('?');
        if keep {
            template.push_str(&rest[open..=close.min(rest.len() - 1)]);
        } else {
            let (name, dot) = match token.strip_suffix("+Dot") {
                Some(n) => (n, true),
                None => (token, false),
            };
            if let Some((_, v)) = params.iter().find(|(n, _)| *n == name) {
                template.push_str(v);
                if dot {
                    template.push('.');
                }
            }
        }
        rest = rest.get(close + 1..).unwrap_or("");
    }
    template.push_str(rest);
    let sld = region.second_level_domain().unwrap_or("");
    expand(&template, region.id(), sld, region.dual_stack())
        .map_err(|why| Error::invalid_request(format!("realm endpoint template: {why}")))
}

/// Rewrites each call's scheme and host to its service's realm-specific endpoint, when the
/// service has one in the client's realm (added by `ClientBuilder` when the templates are on).
#[derive(Clone, Debug)]
pub struct RealmEndpointLayer {
    region: Region,
    skip: Vec<String>,
}

impl RealmEndpointLayer {
    /// Templates for `region`, except for the services in `skip` (an explicit endpoint wins).
    pub fn new(region: Region, skip: Vec<String>) -> Self {
        RealmEndpointLayer { region, skip }
    }
}

impl Layer<BoxStack> for RealmEndpointLayer {
    type Service = RealmEndpoint;
    fn layer(&self, inner: BoxStack) -> RealmEndpoint {
        RealmEndpoint {
            layer: self.clone(),
            inner,
        }
    }
}

/// The service [`RealmEndpointLayer`] makes.
#[derive(Clone)]
pub struct RealmEndpoint {
    layer: RealmEndpointLayer,
    inner: BoxStack,
}

type Fut = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Error>> + Send>>;

impl Service<http::Request<Body>> for RealmEndpoint {
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = Fut;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<Body>) -> Fut {
        if let Err(e) = self.rewrite(&mut req) {
            return Box::pin(async move { Err(e) });
        }
        Box::pin(self.inner.call(req))
    }
}

impl RealmEndpoint {
    fn rewrite(&self, req: &mut http::Request<Body>) -> Result<(), Error> {
        let Some(info) = req.extensions().get::<OperationInfo>().copied() else {
            return Ok(());
        };
        if self.layer.skip.iter().any(|s| s == info.service) {
            return Ok(());
        }
        let path = req.uri().path().to_owned();
        let Some(endpoint) = realm_specific_endpoint(&self.layer.region, info.service, &path)
        else {
            return Ok(());
        };
        let endpoint: http::Uri = endpoint?
            .parse()
            .map_err(|_| Error::invalid_request("realm endpoint is not a valid URL"))?;
        let mut parts = req.uri().clone().into_parts();
        parts.scheme = endpoint.scheme().cloned();
        parts.authority = endpoint.authority().cloned();
        *req.uri_mut() = http::Uri::from_parts(parts)
            .map_err(|_| Error::invalid_request("realm endpoint is not a valid URL"))?;
        if req.headers().contains_key(http::header::HOST) {
            if let Some(a) = req.uri().authority() {
                let host = http::HeaderValue::from_str(a.as_str())
                    .map_err(|_| Error::invalid_request("realm endpoint host"))?;
                req.headers_mut().insert(http::header::HOST, host);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn resolution_table() {
        let iad = Region::new("us-ashburn-1");
        let table: &[(&Region, &str, &str, Option<&str>)] = &[
            (
                &iad,
                "objectstorage",
                "/n/myns/b/bkt/o/a%2Fb",
                Some("https://myns.objectstorage.us-ashburn-1.oci.customer-oci.com"),
            ),
            (
                &iad,
                "objectstorage",
                "/n/myns",
                Some("https://myns.objectstorage.us-ashburn-1.oci.customer-oci.com"),
            ),
            (
                &iad,
                "objectstorage",
                "/n",
                Some("https://objectstorage.us-ashburn-1.oci.customer-oci.com"),
            ),
            (
                &iad,
                "objectstorage",
                "/n/",
                Some("https://objectstorage.us-ashburn-1.oci.customer-oci.com"),
            ),
            (&iad, "identity", "/20160918/users", None),
            (
                &iad,
                "delegateaccesscontrol",
                "/20230801/workRequests",
                None,
            ),
        ];
        for (region, service, path, want) in table {
            let got = realm_specific_endpoint(region, service, path).map(|r| r.unwrap());
            assert_eq!(got.as_deref(), *want, "{service} {path}");
        }
        let ds = Region::new("iad").with_dual_stack(true);
        assert_eq!(
            realm_specific_endpoint(&ds, "objectstorage", "/n/myns/b")
                .unwrap()
                .unwrap(),
            "https://myns.objectstorage.us-ashburn-1.ds.oci.customer-oci.com"
        );
        // Other realms have no Object Storage template.
        let gov = Region::new("us-langley-1");
        assert!(realm_specific_endpoint(&gov, "objectstorage", "/n/myns").is_none());
        // A namespace that is not a host label is refused, not put in the host.
        assert!(realm_specific_endpoint(&iad, "objectstorage", "/n/a%40b/b")
            .unwrap()
            .is_err());
    }
}
