//! The generated operation table agrees with the spec and with the request types.

use std::collections::HashSet;

use oci_core::{Endpoint, Request};
use oci_identity::operations::{self, OPERATIONS};

#[test]
fn the_table_lists_all_145_operations_once() {
    assert_eq!(OPERATIONS.len(), 145);
    let names: HashSet<_> = OPERATIONS.iter().map(|o| o.name).collect();
    assert_eq!(names.len(), OPERATIONS.len(), "operation names are unique");
    let routes: HashSet<_> = OPERATIONS.iter().map(|o| (o.method, o.path)).collect();
    assert_eq!(routes.len(), OPERATIONS.len(), "method and path are unique");
    for op in OPERATIONS {
        assert!(
            ["GET", "POST", "PUT", "DELETE", "HEAD"].contains(&op.method),
            "{op:?}"
        );
        assert!(op.path.starts_with('/'), "{op:?}");
        assert!(
            !op.path.starts_with("/20160918"),
            "relative to the base path: {op:?}"
        );
    }
}

#[test]
fn known_operations_have_their_method_and_path() {
    let find = |name: &str| {
        OPERATIONS
            .iter()
            .find(|o| o.name == name)
            .map(|o| (o.method, o.path))
    };
    assert_eq!(find("GetUser"), Some(("GET", "/users/{userId}")));
    assert_eq!(find("ListUsers"), Some(("GET", "/users")));
    assert_eq!(find("CreateGroup"), Some(("POST", "/groups")));
    assert_eq!(find("UpdatePolicy"), Some(("PUT", "/policies/{policyId}")));
    assert_eq!(
        find("DeleteApiKey"),
        Some(("DELETE", "/users/{userId}/apiKeys/{fingerprint}"))
    );
    assert_eq!(
        find("AssembleEffectiveTagSet"),
        Some(("GET", "/tagDefaults/actions/assembleEffectiveTagSet"))
    );
    assert_eq!(find("NoSuchOperation"), None);
}

#[test]
fn table_names_and_paths_match_the_request_types() {
    let endpoint = Endpoint::parse("https://identity.us-ashburn-1.oci.oraclecloud.com/20160918")
        .expect("endpoint");
    let req = operations::GetUser::new()
        .user_id("ocid1.user.oc1..x")
        .into_http(&endpoint)
        .expect("request");
    let entry = OPERATIONS
        .iter()
        .find(|o| o.name == <operations::GetUser as Request>::OPERATION)
        .expect("GetUser is in the table");
    assert_eq!(req.method().as_str(), entry.method);
    assert_eq!(
        req.uri().path(),
        format!(
            "{}{}",
            oci_identity::SERVICE.base_path,
            entry.path.replace("{userId}", "ocid1.user.oc1..x")
        )
    );
}
