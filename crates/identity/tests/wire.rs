//! Wire tests: the requests our generated builders make equal what the official OCI Python SDK
//! makes for the same arguments (fixtures captured by scripts/capture_wire_fixtures.py).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};

use oci_core::{DateTime, Endpoint, Request};
use oci_identity::models::*;
use oci_identity::operations::*;
use serde_json::Value;

const T: &str = "ocid1.tenancy.oc1..aaaatenancy";
const U: &str = "ocid1.user.oc1..aaaauser";
const G: &str = "ocid1.group.oc1..aaaagroup";
const C: &str = "ocid1.compartment.oc1..aaaacomp";

/// Headers the Python fixtures drop (signing and transport); ours must match on the rest.
const IGNORED: &[&str] = &["content-length"];

async fn check<R: Request>(endpoint: &Endpoint, fixture: &Value, req: R) {
    let name = fixture["name"].as_str().unwrap();
    let http = req
        .into_http(endpoint)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(http.method().as_str(), fixture["method"], "{name}: method");
    assert_eq!(http.uri().path(), fixture["path"], "{name}: path");
    assert_eq!(
        http.uri().query().unwrap_or(""),
        fixture["query"],
        "{name}: query"
    );
    let ours: BTreeMap<String, String> = http
        .headers()
        .iter()
        .filter(|(k, _)| !IGNORED.contains(&k.as_str()))
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    let theirs: BTreeMap<String, String> = fixture["headers"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !IGNORED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(ours, theirs, "{name}: headers");
    let body = http.into_body().collect().await.unwrap();
    match &fixture["body"] {
        Value::Null => assert!(body.is_empty(), "{name}: expected no body"),
        b => {
            let ours: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(ours, b["json"], "{name}: body");
        }
    }
}

fn defined_tags() -> HashMap<String, HashMap<String, Value>> {
    HashMap::from([(
        "Operations".to_owned(),
        HashMap::from([("CostCenter".to_owned(), Value::from("42"))]),
    )])
}

#[tokio::test]
async fn requests_match_the_python_sdk() {
    let file: Value = serde_json::from_str(include_str!("fixtures/wire.json")).unwrap();
    let endpoint =
        Endpoint::parse(&format!("{}/20160918", file["endpoint"].as_str().unwrap())).unwrap();
    let fixtures = file["fixtures"].as_array().unwrap();
    assert!(fixtures.len() >= 40, "too few fixtures");
    let e = &endpoint;
    for f in fixtures {
        match f["name"].as_str().unwrap() {
            "get_user" => check(e, f, GetUser::new().user_id(U)).await,
            "get_user#1" => {
                check(e, f, GetUser::new().user_id("ocid1.user oc1/weird name é")).await
            }
            "get_group" => check(e, f, GetGroup::new().group_id(G)).await,
            "get_compartment" => check(e, f, GetCompartment::new().compartment_id(C)).await,
            "get_tenancy" => check(e, f, GetTenancy::new().tenancy_id(T)).await,
            "get_policy" => check(e, f, GetPolicy::new().policy_id("ocid1.policy.oc1..p")).await,
            "get_tag" => {
                let r = GetTag::new()
                    .tag_namespace_id("ocid1.tagnamespace.oc1..n")
                    .tag_name("Cost Center");
                check(e, f, r).await
            }
            "get_work_request" => {
                let r = GetWorkRequest::new().work_request_id("ocid1.workrequest.oc1..w");
                check(e, f, r).await
            }
            "list_users" => check(e, f, ListUsers::new().compartment_id(T)).await,
            "list_users#1" => {
                let r = ListUsers::new()
                    .compartment_id(T)
                    .page("PAGE+token/=")
                    .limit(50)
                    .identity_provider_id("ocid1.idp.oc1..i")
                    .external_identifier("ext id")
                    .name("alice & bob")
                    .sort_by(SortBy::Timecreated)
                    .sort_order(SortOrder::Desc)
                    .lifecycle_state("ACTIVE");
                check(e, f, r).await
            }
            "list_groups" => {
                let r = ListGroups::new()
                    .compartment_id(T)
                    .limit(10)
                    .sort_by("NAME")
                    .sort_order(SortOrder::Asc);
                check(e, f, r).await
            }
            "list_compartments" => {
                let r = ListCompartments::new()
                    .compartment_id(T)
                    .compartment_id_in_subtree(true)
                    .access_level(AccessLevel::Accessible)
                    .limit(5)
                    .lifecycle_state("ACTIVE");
                check(e, f, r).await
            }
            "list_compartments#1" => {
                let r = ListCompartments::new()
                    .compartment_id(T)
                    .compartment_id_in_subtree(false);
                check(e, f, r).await
            }
            "list_user_group_memberships" => {
                let r = ListUserGroupMemberships::new()
                    .compartment_id(T)
                    .user_id(U)
                    .group_id(G);
                check(e, f, r).await
            }
            "list_policies" => check(e, f, ListPolicies::new().compartment_id(C).page("p2")).await,
            "list_regions" => check(e, f, ListRegions::new()).await,
            "list_region_subscriptions" => {
                check(e, f, ListRegionSubscriptions::new().tenancy_id(T)).await
            }
            "list_availability_domains" => {
                check(e, f, ListAvailabilityDomains::new().compartment_id(T)).await
            }
            "list_api_keys" => check(e, f, ListApiKeys::new().user_id(U)).await,
            "list_tags" => {
                let r = ListTags::new()
                    .tag_namespace_id("ocid1.tagnamespace.oc1..n")
                    .lifecycle_state("ACTIVE");
                check(e, f, r).await
            }
            "list_tag_namespaces" => {
                let r = ListTagNamespaces::new()
                    .compartment_id(C)
                    .include_subcompartments(true);
                check(e, f, r).await
            }
            "list_identity_providers" => {
                let r = ListIdentityProviders::new()
                    .protocol("SAML2")
                    .compartment_id(T);
                check(e, f, r).await
            }
            "assemble_effective_tag_set" => {
                let r = AssembleEffectiveTagSet::new()
                    .compartment_id(C)
                    .lifecycle_state("ACTIVE");
                check(e, f, r).await
            }
            "get_authentication_policy" => {
                check(e, f, GetAuthenticationPolicy::new().compartment_id(T)).await
            }
            "create_group" => {
                let d = CreateGroupDetails {
                    compartment_id: T.into(),
                    name: "my-test-group".into(),
                    description: "Created with the Python SDK".into(),
                    freeform_tags: Some(HashMap::from([("team".into(), "ops".into())])),
                    defined_tags: Some(defined_tags()),
                };
                check(e, f, CreateGroup::new().create_group_details(d)).await
            }
            "create_user" => {
                let d = CreateUserDetails {
                    compartment_id: T.into(),
                    name: "my-test-user".into(),
                    description: "d".into(),
                    email: Some("a@example.com".into()),
                    ..Default::default()
                };
                let r = CreateUser::new()
                    .create_user_details(d)
                    .opc_retry_token("client-token-1");
                check(e, f, r).await
            }
            "create_compartment" => {
                let d = CreateCompartmentDetails {
                    compartment_id: T.into(),
                    name: "c".into(),
                    description: "d".into(),
                    ..Default::default()
                };
                check(e, f, CreateCompartment::new().create_compartment_details(d)).await
            }
            "add_user_to_group" => {
                let d = AddUserToGroupDetails {
                    user_id: U.into(),
                    group_id: G.into(),
                };
                check(e, f, AddUserToGroup::new().add_user_to_group_details(d)).await
            }
            "create_policy" => {
                let d = CreatePolicyDetails {
                    compartment_id: T.into(),
                    name: "p".into(),
                    description: "d".into(),
                    statements: vec!["Allow group Admins to manage all-resources in tenancy".into()],
                    version_date: Some("2024-01-02T03:04:05Z".parse::<DateTime>().unwrap()),
                    ..Default::default()
                };
                check(e, f, CreatePolicy::new().create_policy_details(d)).await
            }
            "create_identity_provider" => {
                let d = CreateIdentityProviderDetails::Saml2(CreateSaml2IdentityProviderDetails {
                    compartment_id: T.into(),
                    name: "idp".into(),
                    description: "d".into(),
                    product_type: CreateIdentityProviderDetailsProductType::Idcs,
                    freeform_tags: None,
                    defined_tags: None,
                    metadata_url: "https://idp.example.com/md".into(),
                    metadata: "<xml/>".into(),
                    freeform_attributes: Some(HashMap::from([("a".into(), "b".into())])),
                });
                let r = CreateIdentityProvider::new().create_identity_provider_details(d);
                check(e, f, r).await
            }
            "create_tag" => {
                let d = CreateTagDetails {
                    name: "env".into(),
                    description: "d".into(),
                    is_cost_tracking: Some(true),
                    validator: Some(BaseTagDefinitionValidator::Enum(
                        EnumTagDefinitionValidator {
                            values: Some(vec!["a".into(), "b".into()]),
                        },
                    )),
                    ..Default::default()
                };
                let r = CreateTag::new()
                    .tag_namespace_id("ocid1.tagnamespace.oc1..n")
                    .create_tag_details(d)
                    .is_lock_override(true);
                check(e, f, r).await
            }
            "create_tag_default" => {
                let d = CreateTagDefaultDetails {
                    compartment_id: C.into(),
                    tag_definition_id: "ocid1.tagdefinition.oc1..t".into(),
                    value: "v".into(),
                    is_required: Some(false),
                    locks: None,
                };
                let r = CreateTagDefault::new()
                    .create_tag_default_details(d)
                    .opc_request_id("my-request-id");
                check(e, f, r).await
            }
            "update_user" => {
                let d = UpdateUserDetails {
                    description: Some("new".into()),
                    email: Some("b@example.com".into()),
                    ..Default::default()
                };
                let r = UpdateUser::new()
                    .user_id(U)
                    .update_user_details(d)
                    .if_match("etag-1");
                check(e, f, r).await
            }
            "update_group" => {
                let d = UpdateGroupDetails {
                    description: Some("new".into()),
                    freeform_tags: Some(HashMap::new()),
                    ..Default::default()
                };
                check(e, f, UpdateGroup::new().group_id(G).update_group_details(d)).await
            }
            "update_user_state" => {
                let d = UpdateStateDetails {
                    blocked: Some(false),
                };
                check(
                    e,
                    f,
                    UpdateUserState::new().user_id(U).update_state_details(d),
                )
                .await
            }
            "upload_api_key" => {
                let d = CreateApiKeyDetails {
                    key: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----".into(),
                };
                check(
                    e,
                    f,
                    UploadApiKey::new().user_id(U).create_api_key_details(d),
                )
                .await
            }
            "move_compartment" => {
                let d = MoveCompartmentDetails {
                    target_compartment_id: T.into(),
                };
                let r = MoveCompartment::new()
                    .compartment_id(C)
                    .move_compartment_details(d)
                    .if_match("e");
                check(e, f, r).await
            }
            "bulk_delete_tags" => {
                let d = BulkDeleteTagsDetails {
                    tag_definition_ids: vec!["a".into(), "b".into()],
                };
                let r = BulkDeleteTags::new()
                    .bulk_delete_tags_details(d)
                    .is_lock_override(false);
                check(e, f, r).await
            }
            "bulk_edit_tags" => check(e, f, BulkEditTags::new()).await,
            "create_mfa_totp_device" => check(e, f, CreateMfaTotpDevice::new().user_id(U)).await,
            "activate_domain" => {
                let r = ActivateDomain::new()
                    .domain_id("ocid1.domain.oc1..d")
                    .if_match("e")
                    .opc_request_id("rid");
                check(e, f, r).await
            }
            "remove_tag_default_lock" => {
                let d = RemoveLockDetails {
                    r#type: RemoveLockDetails::TYPE_FULL,
                };
                let r = RemoveTagDefaultLock::new()
                    .tag_default_id("ocid1.tagdefault.oc1..t")
                    .remove_lock_details(d)
                    .if_match("e");
                check(e, f, r).await
            }
            "delete_user" => check(e, f, DeleteUser::new().user_id(U)).await,
            "delete_group" => check(e, f, DeleteGroup::new().group_id(G).if_match("etag-2")).await,
            "delete_api_key" => {
                let r = DeleteApiKey::new()
                    .user_id(U)
                    .fingerprint("20:3b:97:13:55:1c");
                check(e, f, r).await
            }
            "delete_tag_namespace" => {
                let r = DeleteTagNamespace::new()
                    .tag_namespace_id("ocid1.tagnamespace.oc1..n")
                    .is_lock_override(true)
                    .opc_request_id("r2");
                check(e, f, r).await
            }
            "remove_user_from_group" => {
                let r = RemoveUserFromGroup::new()
                    .user_group_membership_id("ocid1.groupmembership.oc1..m");
                check(e, f, r).await
            }
            other => panic!("fixture {other} has no Rust counterpart"),
        }
    }
}

#[test]
fn empty_path_params_are_rejected_before_any_io() {
    let endpoint = Endpoint::parse("https://identity.example.com/20160918").unwrap();
    let err = GetUser::new()
        .user_id("  ")
        .into_http(&endpoint)
        .unwrap_err();
    assert!(err.is_invalid_request());
    assert!(err.to_string().contains("userId"), "{err}");
    let err = GetUser::new().into_http(&endpoint).unwrap_err();
    assert!(err.is_invalid_request());
}

#[test]
fn missing_required_body_and_query_are_typed_errors() {
    let endpoint = Endpoint::parse("https://identity.example.com/20160918").unwrap();
    let err = CreateGroup::new().into_http(&endpoint).unwrap_err();
    assert!(err.is_invalid_request());
    assert!(err.to_string().contains("createGroupDetails"), "{err}");
    let err = ListUsers::new().into_http(&endpoint).unwrap_err();
    assert!(err.to_string().contains("compartmentId"), "{err}");
}

#[test]
fn operation_flags_come_from_the_spec() {
    assert!(CreateGroup::info().retry_token);
    assert!(!GetUser::info().retry_token);
    assert!(!CreateGroup::info().exclude_body);
    assert_eq!(GetUser::OPERATION, "GetUser");
    assert_eq!(GetUser::SERVICE.base_path, "/20160918");
}
