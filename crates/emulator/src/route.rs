//! The one route table: every path the emulator answers, by service, with how each route is
//! authenticated and whether faults and the journal apply.
//!
//! Every service routes by its crate's generated operation tables
//! (`oci_*::operations::OPERATIONS`; Object Storage's has every operation of OCI's
//! `ObjectStorageClient`, so an operation the emulator does not emulate is still named and
//! answered 501 rather than 404). A path matches the template
//! with the most literal segments; `{param}`s are percent-decoded and never empty; a trailing
//! `{objectName}` takes the rest of the path (slashes included); one trailing `/` is ignored.
//!
//! To add an endpoint: a table of [`OperationRoute`]s (generated, or written here for endpoints
//! outside the specs), a [`ServiceRoutes`] entry in [`ROUTES`] with its [`Auth`] rule, and a
//! handler in `services/`.

use oci_core::OperationRoute;

use crate::util::percent_decode;

/// Which handler module serves a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// `/_emulator/...`: reset, faults, journal.
    Control,
    /// Identity.
    Identity,
    /// Object Storage.
    ObjectStorage,
    /// Delegate Access Control work requests.
    Dac,
    /// Object Storage through pre-authenticated requests (`/p/<token>/...`, unsigned).
    Par,
    /// Workload identity: IMDS, the `/v1/x509` federation, the OKE proxymux.
    Workload,
    /// Vault secret retrieval (`SecretsClient`).
    Secrets,
    /// Vault secret management (`VaultsClient`).
    Vault,
    /// Key Management: vaults, keys, crypto.
    Kms,
    /// Queue admin and messages.
    Queue,
    /// Streaming admin and messages.
    Streaming,
    /// Notifications.
    Ons,
    /// Monitoring.
    Monitoring,
    /// Logging ingestion.
    Logging,
}

/// How a route is authenticated, before its handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// An OCI request signature whose keyId a key resolver accepts (`auth::KeyResolver`:
    /// API keys today), plus the body checks for operations that sign their body.
    Signature,
    /// The handler authenticates the request itself (`Authorization: Bearer Oracle` for IMDS,
    /// a service-account bearer token for the proxymux, the leaf certificate's signature for
    /// the federation).
    Custom,
    /// No authentication.
    None,
}

/// The routes of one service.
pub(crate) struct ServiceRoutes {
    /// The handler module.
    pub service: Service,
    /// The service's name in the journal and in fault matches, e.g. `identity`.
    pub name: &'static str,
    /// The path prefix the templates are below (`""` for Object Storage).
    pub base: &'static str,
    /// Operation tables, searched together (an operation named twice counts once).
    pub tables: &'static [&'static [OperationRoute]],
    /// The authentication of every route of the service...
    pub auth: Auth,
    /// ...except these operations.
    pub auth_overrides: &'static [(&'static str, Auth)],
    /// Faults apply and requests are journaled.
    pub observed: bool,
    /// Operations that sign only the generic headers: their body streams to the handler unread.
    pub exclude_body: &'static [&'static str],
}

/// A request matched against [`ROUTES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Routed {
    /// The handler module (`None`: no service claims the path).
    pub service: Option<Service>,
    /// The service's name, or `unknown`.
    pub name: &'static str,
    /// The operation, `None` when the service has no operation at this method and path.
    pub op: Option<&'static str>,
    /// The path parameters, in template order, percent-decoded.
    pub params: Vec<String>,
    /// How to authenticate.
    pub auth: Auth,
    /// Faults and the journal apply.
    pub observed: bool,
    /// The operation signs only the generic headers and streams its body.
    pub exclude_body: bool,
    /// The per-resource endpoint the request came through (`/endpoints/{kind}/{id}/...`):
    /// `(kind, id)`.
    pub mount: Option<(String, String)>,
}

impl Routed {
    /// The operation name for the journal and fault matches (`Unknown` when none matched).
    pub fn operation(&self) -> &'static str {
        self.op.unwrap_or("Unknown")
    }
}

/// The control endpoints (unsigned, neither faulted nor journaled).
const CONTROL: &[OperationRoute] = &[
    op("GET", "/info", "GetInfo"),
    op("POST", "/reset", "Reset"),
    op("GET", "/faults", "ListFaults"),
    op("POST", "/faults", "AddFault"),
    op("DELETE", "/faults", "ClearFaults"),
    op("DELETE", "/faults/{faultId}", "RemoveFault"),
    op("GET", "/journal", "ListJournal"),
    op("DELETE", "/journal", "ClearJournal"),
];

/// The workload-identity control endpoints (`services::workload::control`).
const WORKLOAD_CONTROL: &[OperationRoute] = &[
    op("GET", "/workload", "GetWorkload"),
    op("POST", "/resource-principals", "MintResourcePrincipal"),
    op("GET", "/tokens", "ListTokens"),
    op("POST", "/tokens/revoke", "RevokeTokens"),
    op("PUT", "/token-lifetime", "SetTokenLifetime"),
    op(
        "POST",
        "/instance-certificate/rotate",
        "RotateInstanceCertificate",
    ),
    op("POST", "/service-accounts", "AddServiceAccount"),
];

/// IMDS v2, below `/opc/v2`.
const IMDS: &[OperationRoute] = &[
    op("GET", "/identity/cert.pem", "GetInstanceCertificate"),
    op("GET", "/identity/key.pem", "GetInstanceKey"),
    op(
        "GET",
        "/identity/intermediate.pem",
        "GetIntermediateCertificate",
    ),
    op("GET", "/instance/region", "GetInstanceRegion"),
    op("GET", "/instance", "GetInstanceMetadata"),
    op("GET", "/instance/{field}", "GetInstanceMetadataField"),
];

/// The auth service's federation, below `/v1`.
const AUTH: &[OperationRoute] = &[op("POST", "/x509", "X509Federation")];

/// The OKE proxymux (`KUBERNETES_SERVICE_HOST:12250` on a cluster).
const PROXYMUX: &[OperationRoute] = &[op(
    "POST",
    "/resourcePrincipalSessionTokens",
    "GetPodResourcePrincipalSessionToken",
)];

/// A signed, observed service routed by its tables.
pub(crate) const fn signed(
    service: Service,
    name: &'static str,
    base: &'static str,
    tables: &'static [&'static [OperationRoute]],
) -> ServiceRoutes {
    ServiceRoutes {
        service,
        name,
        base,
        tables,
        auth: Auth::Signature,
        auth_overrides: &[],
        observed: true,
        exclude_body: &[],
    }
}

const fn op(method: &'static str, path: &'static str, name: &'static str) -> OperationRoute {
    OperationRoute { method, path, name }
}

/// Object Storage through a pre-authenticated request: the token in the path is the credential.
const PAR: &[OperationRoute] = &[
    op(
        "GET",
        "/{parToken}/n/{namespaceName}/b/{bucketName}/o/{objectName}",
        "ParGetObject",
    ),
    op(
        "HEAD",
        "/{parToken}/n/{namespaceName}/b/{bucketName}/o/{objectName}",
        "ParHeadObject",
    ),
    op(
        "PUT",
        "/{parToken}/n/{namespaceName}/b/{bucketName}/o/{objectName}",
        "ParPutObject",
    ),
    op(
        "GET",
        "/{parToken}/n/{namespaceName}/b/{bucketName}/o",
        "ParListObjects",
    ),
];

/// Every route the emulator answers. Services with a base path are matched by it; a service
/// with an empty base claims the paths whose first segment starts one of its templates.
pub(crate) static ROUTES: &[ServiceRoutes] = &[
    ServiceRoutes {
        service: Service::Control,
        name: "control",
        base: "/_emulator",
        tables: &[CONTROL, WORKLOAD_CONTROL],
        auth: Auth::None,
        auth_overrides: &[],
        observed: false,
        exclude_body: &[],
    },
    ServiceRoutes {
        service: Service::Identity,
        name: "identity",
        base: oci_identity::SERVICE.base_path,
        tables: &[oci_identity::operations::OPERATIONS],
        auth: Auth::Signature,
        auth_overrides: &[],
        observed: true,
        exclude_body: &[],
    },
    ServiceRoutes {
        service: Service::Dac,
        name: "delegateaccesscontrol",
        base: oci_delegateaccesscontrol::SERVICE.base_path,
        tables: &[oci_delegateaccesscontrol::operations::OPERATIONS],
        auth: Auth::Signature,
        auth_overrides: &[],
        observed: true,
        exclude_body: &[],
    },
    ServiceRoutes {
        service: Service::Par,
        name: "objectstorage-par",
        base: "/p",
        tables: &[PAR],
        auth: Auth::None,
        auth_overrides: &[],
        observed: true,
        exclude_body: &["ParPutObject"],
    },
    ServiceRoutes {
        service: Service::ObjectStorage,
        name: "objectstorage",
        base: oci_objectstorage::SERVICE.base_path,
        tables: &[oci_objectstorage::operations::OPERATIONS],
        auth: Auth::Signature,
        auth_overrides: &[],
        observed: true,
        exclude_body: &["PutObject", "UploadPart"],
    },
    ServiceRoutes {
        service: Service::Workload,
        name: "imds",
        base: "/opc/v2",
        tables: &[IMDS],
        auth: Auth::Custom,
        auth_overrides: &[],
        observed: true,
        exclude_body: &[],
    },
    ServiceRoutes {
        service: Service::Workload,
        name: "auth",
        base: "/v1",
        tables: &[AUTH],
        auth: Auth::Custom,
        auth_overrides: &[],
        observed: true,
        exclude_body: &[],
    },
    ServiceRoutes {
        service: Service::Workload,
        name: "proxymux",
        base: "",
        tables: &[PROXYMUX],
        auth: Auth::Custom,
        auth_overrides: &[],
        observed: true,
        exclude_body: &[],
    },
];

/// The first path segment of a per-resource endpoint: `/endpoints/{kind}/{id}/<rest>` routes as
/// `<rest>` and tells the handler `(kind, id)` (a vault's crypto and management endpoints, a
/// stream pool's or a queue's messages endpoint).
pub(crate) const MOUNT: &str = "endpoints";

/// The base URL of a per-resource endpoint on the emulator reached as `origin`.
pub(crate) fn mount_url(origin: &str, kind: &str, id: &str) -> String {
    format!("{origin}/{MOUNT}/{kind}/{id}")
}

/// Splits `/endpoints/{kind}/{id}/<rest>` into `(kind, id)` and `/<rest>`.
fn unmount(path: &str) -> Option<((String, String), &str)> {
    let rest = path
        .strip_prefix('/')?
        .strip_prefix(MOUNT)?
        .strip_prefix('/')?;
    let (kind, rest) = rest.split_once('/')?;
    let (id, rest) = match rest.split_once('/') {
        Some((id, _)) => (id, &rest[id.len()..]),
        None => (rest, ""),
    };
    if kind.is_empty() || id.is_empty() {
        return None;
    }
    Some(((kind.to_owned(), percent_decode(id)), rest))
}

/// Routes a request by [`ROUTES`] and the data-plane services' routes (`planes::ROUTES`).
pub(crate) fn route(method: &str, path: &str) -> Routed {
    route_in(&[ROUTES, planes::ROUTES], method, path)
}

/// Routes a request by a route table.
pub(crate) fn route_in(tables: &[&'static [ServiceRoutes]], method: &str, path: &str) -> Routed {
    let routes = || tables.iter().flat_map(|t| t.iter());
    let (mount, path) = match unmount(path) {
        Some((m, rest)) => (Some(m), rest),
        None => (None, path),
    };
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    // Every service whose base claims the path (services sharing a base in table order), then
    // the base-less services whose templates start with the path's first segment.
    let claims = routes()
        .filter(|s| !s.base.is_empty())
        .filter_map(|s| below(path, s.base).map(|rest| (s, rest)))
        .chain(
            routes()
                .filter(|s| s.base.is_empty())
                .filter(|s| {
                    s.tables
                        .iter()
                        .flat_map(|t| t.iter())
                        .any(|op| op.path_segments().next() == Some(first))
                })
                .map(|s| (s, path)),
        );
    let mut claimed = None;
    for (svc, rest) in claims {
        let matched = match_tables(svc.tables, method, rest);
        if matched.is_some() || claimed.is_none() {
            claimed = Some((svc, matched.clone()));
        }
        if matched.is_some() {
            break;
        }
    }
    let Some((svc, matched)) = claimed else {
        return Routed {
            service: None,
            name: "unknown",
            op: None,
            params: Vec::new(),
            auth: Auth::Signature,
            observed: true,
            exclude_body: false,
            mount,
        };
    };
    let op = matched.as_ref().map(|(name, _)| *name);
    let auth = op
        .and_then(|o| svc.auth_overrides.iter().find(|(n, _)| *n == o))
        .map_or(svc.auth, |(_, a)| *a);
    Routed {
        service: Some(svc.service),
        name: svc.name,
        op,
        params: matched.map(|(_, p)| p).unwrap_or_default(),
        auth,
        observed: svc.observed,
        exclude_body: op.is_some_and(|o| svc.exclude_body.contains(&o)),
        mount,
    }
}

/// The path below `base` (`""` or starting with `/`), when it is below it.
fn below<'p>(path: &'p str, base: &str) -> Option<&'p str> {
    path.strip_prefix(base)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The best match among the tables: the template with the most literal segments.
fn match_tables(
    tables: &'static [&'static [OperationRoute]],
    method: &str,
    path: &str,
) -> Option<(&'static str, Vec<String>)> {
    let rest = path.strip_prefix('/').unwrap_or(path);
    let segs: Vec<&str> = if rest.is_empty() {
        Vec::new()
    } else {
        rest.split('/').collect()
    };
    let mut best: Option<(usize, &'static str, Vec<String>)> = None;
    for (t, table) in tables.iter().enumerate() {
        // A later table's operation that an earlier table has is ignored.
        let shadowed = |name: &str| tables[..t].iter().any(|e| e.iter().any(|o| o.name == name));
        for op in table.iter().filter(|op| op.method == method) {
            let Some((literal, params)) = match_template(op, &segs) else {
                continue;
            };
            if best.as_ref().map_or(true, |(l, _, _)| literal > *l) && !shadowed(op.name) {
                best = Some((literal, op.name, params));
            }
        }
    }
    best.map(|(_, name, params)| (name, params))
}

/// Matches one template against the path's segments; the number of literal segments and the
/// decoded parameters.
fn match_template(op: &OperationRoute, segs: &[&str]) -> Option<(usize, Vec<String>)> {
    let template = op.path_segments().filter(|s| !s.is_empty());
    let count = op.path_segments().filter(|s| !s.is_empty()).count();
    let mut literal = 0;
    let mut params = Vec::new();
    let mut i = 0;
    for (k, t) in template.enumerate() {
        if k + 1 == count && t == "{objectName}" {
            let tail = segs.get(i..)?.join("/");
            if tail.is_empty() {
                return None;
            }
            params.push(percent_decode(&tail));
            return Some((literal, params));
        }
        let s = segs.get(i)?;
        if t.starts_with('{') {
            if s.is_empty() {
                return None;
            }
            params.push(percent_decode(s));
        } else if t == *s {
            literal += 1;
        } else {
            return None;
        }
        i += 1;
    }
    match segs.get(i..)? {
        [] | [""] => Some((literal, params)),
        _ => None,
    }
}

mod planes;

#[cfg(test)]
#[path = "route_tests.rs"]
mod tests;
