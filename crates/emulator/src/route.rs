//! The one route table: every path the emulator answers, by service, with how each route is
//! authenticated and whether faults and the journal apply.
//!
//! Identity, Delegate Access Control and Object Storage route by their generated operation tables
//! (`oci_*::operations::OPERATIONS`); Object Storage adds [`OBJECTSTORAGE_EXTRA`] for operations
//! of OCI's `ObjectStorageClient` that `spec/` does not describe yet. A path matches the template
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
    /// Workload identity: IMDS, the `/v1/x509` federation, the OKE proxymux.
    Workload,
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

const fn op(method: &'static str, path: &'static str, name: &'static str) -> OperationRoute {
    OperationRoute { method, path, name }
}

/// Operations of OCI's `ObjectStorageClient` that `spec/` does not describe yet (so they answer
/// 501 naming themselves, or are emulated, instead of 404). Entries whose name the generated
/// table also has are ignored: the generated table wins.
pub(crate) const OBJECTSTORAGE_EXTRA: &[OperationRoute] = &[
    op("GET", "/n/{namespaceName}", "GetNamespaceMetadata"),
    op("PUT", "/n/{namespaceName}", "UpdateNamespaceMetadata"),
    op(
        "POST",
        "/n/{namespaceName}/b/{bucketName}/actions/copyObject",
        "CopyObject",
    ),
    op(
        "POST",
        "/n/{namespaceName}/b/{bucketName}/actions/renameObject",
        "RenameObject",
    ),
    op(
        "POST",
        "/n/{namespaceName}/b/{bucketName}/actions/restoreObjects",
        "RestoreObjects",
    ),
    op(
        "POST",
        "/n/{namespaceName}/b/{bucketName}/actions/updateObjectStorageTier",
        "UpdateObjectStorageTier",
    ),
    op(
        "POST",
        "/n/{namespaceName}/b/{bucketName}/actions/reencrypt",
        "ReencryptBucket",
    ),
    op(
        "POST",
        "/n/{namespaceName}/b/{bucketName}/actions/reencrypt/{objectName}",
        "ReencryptObject",
    ),
    op(
        "POST",
        "/n/{namespaceName}/b/{bucketName}/actions/makeBucketWritable",
        "MakeBucketWritable",
    ),
    op(
        "GET",
        "/n/{namespaceName}/b/{bucketName}/objectversions",
        "ListObjectVersions",
    ),
    op(
        "POST",
        "/n/{namespaceName}/b/{bucketName}/p/",
        "CreatePreauthenticatedRequest",
    ),
    op(
        "GET",
        "/n/{namespaceName}/b/{bucketName}/p/",
        "ListPreauthenticatedRequests",
    ),
    op(
        "GET",
        "/n/{namespaceName}/b/{bucketName}/p/{parId}",
        "GetPreauthenticatedRequest",
    ),
    op(
        "DELETE",
        "/n/{namespaceName}/b/{bucketName}/p/{parId}",
        "DeletePreauthenticatedRequest",
    ),
    op(
        "PUT",
        "/n/{namespaceName}/b/{bucketName}/l",
        "PutObjectLifecyclePolicy",
    ),
    op(
        "GET",
        "/n/{namespaceName}/b/{bucketName}/l",
        "GetObjectLifecyclePolicy",
    ),
    op(
        "DELETE",
        "/n/{namespaceName}/b/{bucketName}/l",
        "DeleteObjectLifecyclePolicy",
    ),
    op(
        "POST",
        "/n/{namespaceName}/b/{bucketName}/retentionRules",
        "CreateRetentionRule",
    ),
    op(
        "GET",
        "/n/{namespaceName}/b/{bucketName}/retentionRules",
        "ListRetentionRules",
    ),
    op(
        "GET",
        "/n/{namespaceName}/b/{bucketName}/retentionRules/{retentionRuleId}",
        "GetRetentionRule",
    ),
    op(
        "PUT",
        "/n/{namespaceName}/b/{bucketName}/retentionRules/{retentionRuleId}",
        "UpdateRetentionRule",
    ),
    op(
        "DELETE",
        "/n/{namespaceName}/b/{bucketName}/retentionRules/{retentionRuleId}",
        "DeleteRetentionRule",
    ),
    op(
        "POST",
        "/n/{namespaceName}/b/{bucketName}/replicationPolicies",
        "CreateReplicationPolicy",
    ),
    op(
        "GET",
        "/n/{namespaceName}/b/{bucketName}/replicationPolicies",
        "ListReplicationPolicies",
    ),
    op(
        "GET",
        "/n/{namespaceName}/b/{bucketName}/replicationPolicies/{replicationId}",
        "GetReplicationPolicy",
    ),
    op(
        "DELETE",
        "/n/{namespaceName}/b/{bucketName}/replicationPolicies/{replicationId}",
        "DeleteReplicationPolicy",
    ),
    op(
        "GET",
        "/n/{namespaceName}/b/{bucketName}/replicationSources",
        "ListReplicationSources",
    ),
    op("GET", "/workRequests", "ListWorkRequests"),
    op("GET", "/workRequests/{workRequestId}", "GetWorkRequest"),
    op(
        "DELETE",
        "/workRequests/{workRequestId}",
        "CancelWorkRequest",
    ),
    op(
        "GET",
        "/workRequests/{workRequestId}/errors",
        "ListWorkRequestErrors",
    ),
    op(
        "GET",
        "/workRequests/{workRequestId}/logs",
        "ListWorkRequestLogs",
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
        service: Service::ObjectStorage,
        name: "objectstorage",
        base: oci_objectstorage::SERVICE.base_path,
        tables: &[
            oci_objectstorage::operations::OPERATIONS,
            OBJECTSTORAGE_EXTRA,
        ],
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

/// Routes a request by [`ROUTES`].
pub(crate) fn route(method: &str, path: &str) -> Routed {
    route_in(ROUTES, method, path)
}

/// Routes a request by a route table.
pub(crate) fn route_in(routes: &'static [ServiceRoutes], method: &str, path: &str) -> Routed {
    let claimed = routes
        .iter()
        .filter(|s| !s.base.is_empty())
        .find_map(|s| below(path, s.base).map(|rest| (s, rest)))
        .or_else(|| {
            let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
            routes
                .iter()
                .filter(|s| s.base.is_empty())
                .find(|s| {
                    s.tables
                        .iter()
                        .flat_map(|t| t.iter())
                        .any(|op| op.path_segments().next() == Some(first))
                })
                .map(|s| (s, path))
        });
    let Some((svc, rest)) = claimed else {
        return Routed {
            service: None,
            name: "unknown",
            op: None,
            params: Vec::new(),
            auth: Auth::Signature,
            observed: true,
            exclude_body: false,
        };
    };
    let matched = match_tables(svc.tables, method, rest);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn op_of(method: &str, path: &str) -> (Option<&'static str>, Vec<String>) {
        let r = route(method, path);
        (r.op, r.params)
    }

    #[test]
    fn routes_by_the_generated_table_and_decodes_parameters() {
        assert_eq!(
            op_of("GET", "/20230801/workRequests/").0,
            Some("ListWorkRequests")
        );
        let (op, params) = op_of("GET", "/20230801/workRequests/ocid1.wr%2Fx/logs");
        assert_eq!(op, Some("ListWorkRequestLogs"));
        assert_eq!(params, ["ocid1.wr/x"]);
        assert_eq!(op_of("POST", "/20230801/workRequests").0, None);
        assert_eq!(op_of("GET", "/20230801/workRequests//logs").0, None);
        assert_eq!(route("GET", "/20230801/nope").name, "delegateaccesscontrol");
    }

    #[test]
    fn routes_by_most_literal_segments() {
        assert_eq!(op_of("GET", "/20160918/users/").0, Some("ListUsers"));
        let (op, params) = op_of("GET", "/20160918/users/ocid1.user.oc1..x");
        assert_eq!(op, Some("GetUser"));
        assert_eq!(params, ["ocid1.user.oc1..x"]);
        let r = op_of(
            "GET",
            "/20160918/tagDefaults/actions/assembleEffectiveTagSet",
        );
        assert_eq!(r.0, Some("AssembleEffectiveTagSet"));
        let r = route("GET", "/20160918/nope");
        assert_eq!((r.service, r.op), (Some(Service::Identity), None));
    }

    #[test]
    fn object_names_take_the_rest_of_the_path() {
        let (op, params) = op_of("PUT", "/n/ns/b/bk/o/a/b%2Fc/d.txt");
        assert_eq!(op, Some("PutObject"));
        assert_eq!(params, ["ns", "bk", "a/b/c/d.txt"]);
        assert_eq!(op_of("PUT", "/n/ns/b/bk/o/dir/").1, ["ns", "bk", "dir/"]);
        assert_eq!(op_of("GET", "/n/ns/b/bk/o//x").1, ["ns", "bk", "/x"]);
        assert_eq!(op_of("GET", "/n/ns/b/bk/o/").0, Some("ListObjects"));
        assert_eq!(op_of("PUT", "/n/ns/b/bk/o/").0, None);
        assert_eq!(
            op_of("POST", "/n/ns/b/bk/u/x/y").0,
            Some("CommitMultipartUpload")
        );
        assert_eq!(op_of("GET", "/n").0, Some("GetNamespace"));
        assert_eq!(op_of("GET", "/n/").0, Some("GetNamespace"));
        let r = route("PUT", "/n/ns/b/bk/o/x");
        assert!(r.exclude_body);
        assert_eq!(r.auth, Auth::Signature);
    }

    #[test]
    fn operations_outside_the_spec_are_routed_too() {
        let r = route("GET", "/n/ns/b/bk/replicationPolicies");
        assert_eq!(r.op, Some("ListReplicationPolicies"));
        assert_eq!(r.name, "objectstorage");
        assert_eq!(
            op_of("POST", "/n/ns/b/bk/p/").0,
            Some("CreatePreauthenticatedRequest")
        );
        let (op, params) = op_of("POST", "/n/ns/b/bk/actions/reencrypt/a/b");
        assert_eq!(op, Some("ReencryptObject"));
        assert_eq!(params, ["ns", "bk", "a/b"]);
        assert_eq!(op_of("GET", "/workRequests").0, Some("ListWorkRequests"));
    }

    #[test]
    fn control_and_unknown_paths() {
        let r = route("DELETE", "/_emulator/faults/3");
        assert_eq!(
            (r.service, r.op),
            (Some(Service::Control), Some("RemoveFault"))
        );
        assert_eq!((r.auth, r.observed), (Auth::None, false));
        let r = route("GET", "/_emulator/nope");
        assert_eq!((r.service, r.op), (Some(Service::Control), None));
        let r = route("GET", "/elsewhere");
        assert_eq!(
            (r.service, r.name, r.auth),
            (None, "unknown", Auth::Signature)
        );
        assert!(r.observed);
    }
}
