//! Tests of the route table (`route.rs`).

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
fn every_object_storage_operation_is_routed() {
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
    assert_eq!(op_of("GET", "/n/ns").0, Some("GetNamespaceMetadata"));
    // Each generated operation's own template (parameters filled in) routes to itself.
    for o in oci_objectstorage::operations::OPERATIONS {
        let path: Vec<&str> = o
            .path_segments()
            .map(|s| if s.starts_with('{') { "x" } else { s })
            .collect();
        let path = format!("/{}", path.join("/"));
        assert_eq!(
            route(o.method, &path).op,
            Some(o.name),
            "{} {path}",
            o.method
        );
    }
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

#[test]
fn services_sharing_a_base_and_per_resource_endpoints() {
    let r = route("POST", "/20180608/secrets");
    assert_eq!(
        (r.service, r.op),
        (Some(Service::Vault), Some("CreateSecret"))
    );
    let r = route(
        "POST",
        "/endpoints/kms-crypto/ocid1.vault.x/20180608/encrypt",
    );
    assert_eq!((r.service, r.op), (Some(Service::Kms), Some("Encrypt")));
    assert_eq!(r.mount, Some(("kms-crypto".into(), "ocid1.vault.x".into())));
    let r = route("GET", "/20180608/keys/k1/keyVersions");
    assert_eq!(
        (r.op, r.params),
        (Some("ListKeyVersions"), vec!["k1".to_owned()])
    );
    assert_eq!(r.mount, None);
    // No service of the base has it: the first claimant names the 404.
    let r = route("GET", "/20180608/nope");
    assert_eq!(
        (r.service, r.op, r.name),
        (Some(Service::Vault), None, "vault")
    );
    let r = route("GET", "/endpoints/queue/q1/20210201/queues/q1/messages");
    assert_eq!(r.op, Some("GetMessages"));
    assert_eq!(r.mount, Some(("queue".into(), "q1".into())));
    assert_eq!(route("GET", "/endpoints//x/20210201/queues").mount, None);
}
