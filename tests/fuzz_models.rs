//! Property ("fuzz") test of every generated model's JSON decoder (Identity and Object
//! Storage): arbitrary JSON, wrong types, huge numbers, deep nesting, unknown enum values,
//! control characters. Property: a value or a typed error, never a panic; a decoded value
//! serializes and decodes again to the same value.
//!
//! Bounded by `OCI_FUZZ_MS` (see `tests/fuzz_support/mod.rs`); `scripts/fuzz.sh` runs it longer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fuzz_support;

use fuzz_support::{fuzz, text, ArbResult, Unstructured};
use serde_json::{json, Map, Value};

/// Decodes `json` as model number `i` of the list; checks the round trip when it decodes.
type Decoder = fn(&str) -> bool;

macro_rules! decoders {
    ($module:path; $($name:ident,)*) => {{
        use $module as m;
        let list: Vec<(&'static str, Decoder)> = vec![$(
            (stringify!($name), |s: &str| match serde_json::from_str::<m::$name>(s) {
                Ok(v) => {
                    let again = serde_json::to_string(&v).expect("a decoded model serializes");
                    let back: m::$name = serde_json::from_str(&again)
                        .unwrap_or_else(|e| panic!("{} does not decode its own JSON {again}: {e}", stringify!($name)));
                    assert_eq!(back, v, "{} round trip", stringify!($name));
                    true
                }
                Err(_) => false,
            }),
        )*];
        list
    }};
}

fn all_decoders() -> Vec<(&'static str, Decoder)> {
    let mut d = decoders!(oci_tower::identity::models;
    AccessLevel,
    AddLockDetailsType,
    ApiKeyLifecycleState,
    AssembleEffectiveTagSetLifecycleState,
    AuthTokenLifecycleState,
    BaseTagDefinitionValidatorValidatorType,
    BulkActionType,
    BulkEditOperationDetailsOperationType,
    CompartmentLifecycleState,
    CreateIdentityProviderDetailsProductType,
    CreateIdentityProviderDetailsProtocol,
    CustomerSecretKeyLifecycleState,
    CustomerSecretKeySummaryLifecycleState,
    DbCredentialLifecycleState,
    DomainLifecycleDetails,
    DomainLifecycleState,
    DomainReplicationStatesState,
    DomainSummaryLifecycleDetails,
    DomainSummaryLifecycleState,
    DomainSummaryType,
    DomainType,
    DynamicGroupLifecycleState,
    GroupLifecycleState,
    IamWorkRequestOperationType,
    IamWorkRequestResourceActionType,
    IamWorkRequestStatus,
    IamWorkRequestSummaryOperationType,
    IamWorkRequestSummaryStatus,
    IdentityProviderLifecycleState,
    IdpGroupMappingLifecycleState,
    ListCompartmentsLifecycleState,
    ListDbCredentialsLifecycleState,
    ListDomainsLifecycleState,
    ListDynamicGroupsLifecycleState,
    ListGroupsLifecycleState,
    ListIdentityProviderGroupsLifecycleState,
    ListIdentityProvidersLifecycleState,
    ListNetworkSourcesLifecycleState,
    ListOAuthClientCredentialsLifecycleState,
    ListPoliciesLifecycleState,
    ListTagDefaultsLifecycleState,
    ListTagNamespacesLifecycleState,
    ListTagsLifecycleState,
    ListUsersLifecycleState,
    MfaTotpDeviceLifecycleState,
    MfaTotpDeviceSummaryLifecycleState,
    NetworkSourcesLifecycleState,
    OAuth2ClientCredentialLifecycleState,
    OAuth2ClientCredentialSummaryLifecycleState,
    PolicyLifecycleState,
    RegionSubscriptionStatus,
    RemoveLockDetailsType,
    ReplicatedRegionDetailsState,
    ResourceLockType,
    SmtpCredentialLifecycleState,
    SmtpCredentialSummaryLifecycleState,
    SortBy,
    SortOrder,
    StandardTagDefinitionTemplateEnumMutability,
    StandardTagDefinitionTemplateType,
    SwiftPasswordLifecycleState,
    TagDefaultLifecycleState,
    TagDefaultSummaryLifecycleState,
    TagLifecycleState,
    TagNamespaceLifecycleState,
    TaggingWorkRequestOperationType,
    TaggingWorkRequestStatus,
    TaggingWorkRequestSummaryOperationType,
    TaggingWorkRequestSummaryStatus,
    UIPasswordInformationLifecycleState,
    UIPasswordLifecycleState,
    UpdateIdentityProviderDetailsProtocol,
    UserGroupMembershipLifecycleState,
    UserLifecycleState,
    WorkRequestOperationType,
    WorkRequestResourceActionType,
    WorkRequestStatus,
    WorkRequestSummaryOperationType,
    WorkRequestSummaryStatus,
    AddLockDetails,
    AddUserToGroupDetails,
    AllowedDomainLicenseTypeSummary,
    ApiKey,
    AuthToken,
    AuthenticationPolicy,
    AvailabilityDomain,
    BaseTagDefinitionValidatorBase,
    BulkActionResource,
    BulkActionResourceType,
    BulkActionResourceTypeCollection,
    BulkDeleteResourcesDetails,
    BulkDeleteTagsDetails,
    BulkEditOperationDetails,
    BulkEditResource,
    BulkEditTagsDetails,
    BulkEditTagsResourceType,
    BulkEditTagsResourceTypeCollection,
    BulkMoveResourcesDetails,
    ChangeDomainCompartmentDetails,
    ChangeDomainLicenseTypeDetails,
    ChangeTagNamespaceCompartmentDetail,
    ChangeTasDomainLicenseTypeDetails,
    Compartment,
    CreateApiKeyDetails,
    CreateAuthTokenDetails,
    CreateCompartmentDetails,
    CreateCustomerSecretKeyDetails,
    CreateDbCredentialDetails,
    CreateDomainDetails,
    CreateDynamicGroupDetails,
    CreateGroupDetails,
    CreateIdentityProviderDetailsBase,
    CreateIdpGroupMappingDetails,
    CreateNetworkSourceDetails,
    CreateOAuth2ClientCredentialDetails,
    CreatePolicyDetails,
    CreateRegionSubscriptionDetails,
    CreateSaml2IdentityProviderDetails,
    CreateSmtpCredentialDetails,
    CreateSwiftPasswordDetails,
    CreateTagDefaultDetails,
    CreateTagDetails,
    CreateTagNamespaceDetails,
    CreateUserDetails,
    CustomerSecretKey,
    CustomerSecretKeySummary,
    DbCredential,
    DbCredentialSummary,
    DefaultTagDefinitionValidator,
    Domain,
    DomainReplication,
    DomainReplicationStates,
    DomainSummary,
    DynamicGroup,
    EnableReplicationToRegionDetails,
    EnumTagDefinitionValidator,
    FaultDomain,
    FullyQualifiedScope,
    Group,
    IamWorkRequest,
    IamWorkRequestErrorSummary,
    IamWorkRequestLogSummary,
    IamWorkRequestResource,
    IamWorkRequestSummary,
    IdentityProviderBase,
    IdentityProviderGroupSummary,
    IdpGroupMapping,
    ImportStandardTagsDetails,
    MfaTotpDevice,
    MfaTotpDeviceSummary,
    MfaTotpToken,
    MoveCompartmentDetails,
    NetworkPolicy,
    NetworkSources,
    NetworkSourcesSummary,
    NetworkSourcesVirtualSourceList,
    OAuth2ClientCredential,
    OAuth2ClientCredentialSummary,
    PasswordPolicy,
    Policy,
    Region,
    RegionSubscription,
    RemoveLockDetails,
    ReplicatedRegionDetails,
    ResourceLock,
    Saml2IdentityProvider,
    ScimClientCredentials,
    SmtpCredential,
    SmtpCredentialSummary,
    StandardTagDefinitionTemplate,
    StandardTagNamespaceTemplate,
    StandardTagNamespaceTemplateSummary,
    SwiftPassword,
    Tag,
    TagDefault,
    TagDefaultSummary,
    TagNamespace,
    TagNamespaceSummary,
    TagSummary,
    TaggingWorkRequest,
    TaggingWorkRequestErrorSummary,
    TaggingWorkRequestLogSummary,
    TaggingWorkRequestSummary,
    Tenancy,
    UIPassword,
    UIPasswordInformation,
    UpdateAuthTokenDetails,
    UpdateAuthenticationPolicyDetails,
    UpdateCompartmentDetails,
    UpdateCustomerSecretKeyDetails,
    UpdateDomainDetails,
    UpdateDynamicGroupDetails,
    UpdateGroupDetails,
    UpdateIdentityProviderDetailsBase,
    UpdateIdpGroupMappingDetails,
    UpdateNetworkSourceDetails,
    UpdateOAuth2ClientCredentialDetails,
    UpdatePolicyDetails,
    UpdateSaml2IdentityProviderDetails,
    UpdateSmtpCredentialDetails,
    UpdateStateDetails,
    UpdateSwiftPasswordDetails,
    UpdateTagDefaultDetails,
    UpdateTagDetails,
    UpdateTagNamespaceDetails,
    UpdateUserCapabilitiesDetails,
    UpdateUserDetails,
    User,
    UserCapabilities,
    UserGroupMembership,
    WorkRequest,
    WorkRequestError,
    WorkRequestLogEntry,
    WorkRequestResource,
    WorkRequestSummary,
    );
    d.extend(decoders!(oci_tower::objectstorage::models;
    BucketAutoTiering,
    BucketBucketScope,
    BucketPublicAccessType,
    BucketStorageTier,
    BucketVersioning,
    CreateBucketDetailsPublicAccessType,
    CreateBucketDetailsStorageTier,
    CreateBucketDetailsVersioning,
    CreateMultipartUploadDetailsStorageTier,
    GetBucketFields,
    ListBucketsFields,
    MultipartUploadStorageTier,
    ObjectSummaryArchivalState,
    ObjectSummaryStorageTier,
    UpdateBucketDetailsPublicAccessType,
    UpdateBucketDetailsVersioning,
    Bucket,
    BucketSummary,
    CommitMultipartUploadDetails,
    CommitMultipartUploadPartDetails,
    CreateBucketDetails,
    CreateMultipartUploadDetails,
    ListObjects,
    MultipartUpload,
    MultipartUploadPartSummary,
    ObjectSummary,
    UpdateBucketDetails,
    ));
    d
}

/// Field names models use, so objects often hit real fields with wrong or odd values.
const FIELDS: &[&str] = &[
    "id",
    "name",
    "description",
    "compartmentId",
    "lifecycleState",
    "timeCreated",
    "freeformTags",
    "definedTags",
    "inactiveStatus",
    "isMfaActivated",
    "email",
    "capabilities",
    "namespace",
    "etag",
    "size",
    "md5",
    "objects",
    "nextStartWith",
    "prefixes",
    "storageTier",
    "versioning",
    "publicAccessType",
    "approximateCount",
    "approximateSize",
    "uploadId",
    "object",
    "bucket",
    "partsToCommit",
    "partNum",
    "timeModified",
    "userId",
    "groupId",
    "fingerprint",
    "keyValue",
    "systemTags",
    "autoTiering",
    "objectEventsEnabled",
    "metadata",
    "status",
    "resources",
];

fn number(u: &mut Unstructured<'_>) -> ArbResult<String> {
    Ok(match u.int_in_range(0..=7)? {
        0 => u.arbitrary::<i64>()?.to_string(),
        1 => "18446744073709551616".into(),
        2 => "-9223372036854775809".into(),
        3 => "1e400".into(),
        4 => "-0".into(),
        5 => format!("{}.{}", u.arbitrary::<u32>()?, u.arbitrary::<u32>()?),
        6 => "1".repeat(u.int_in_range(1..=400)?),
        _ => u.arbitrary::<f64>().map(|f| {
            if f.is_finite() {
                f.to_string()
            } else {
                "0".into()
            }
        })?,
    })
}

/// Arbitrary JSON text, biased to the shapes models have.
fn json_text(u: &mut Unstructured<'_>, depth: u32) -> ArbResult<String> {
    if depth > 6 {
        return Ok("null".into());
    }
    Ok(match u.int_in_range(0..=9)? {
        0 => "null".into(),
        1 => u.choose(&["true", "false"])?.to_string(),
        2 => number(u)?,
        3 | 4 => serde_json::to_string(&Value::String(text(u, 40)?)).unwrap(),
        5 => {
            // Deep nesting, past serde_json's recursion limit.
            let n = u.int_in_range(1..=300)?;
            format!("{}{}", "[".repeat(n), "]".repeat(n))
        }
        6 => {
            let n = u.int_in_range(0..=4)?;
            let items: ArbResult<Vec<String>> = (0..n).map(|_| json_text(u, depth + 1)).collect();
            format!("[{}]", items?.join(","))
        }
        _ => {
            let n = u.int_in_range(0..=10)?;
            let mut fields = Vec::new();
            for _ in 0..n {
                let k = if u.ratio(3, 4)? {
                    u.choose(FIELDS)?.to_string()
                } else {
                    text(u, 10)?
                };
                let k = serde_json::to_string(&Value::String(k)).unwrap();
                fields.push(format!("{k}:{}", json_text(u, depth + 1)?));
            }
            format!("{{{}}}", fields.join(","))
        }
    })
}

/// A plausible model object (ids, states, dates, tags, sizes) with some values replaced.
fn plausible(u: &mut Unstructured<'_>) -> ArbResult<String> {
    let mut v = json!({
        "id": "ocid1.user.oc1..aaaa", "name": "alice", "description": "d",
        "compartmentId": "ocid1.tenancy.oc1..t", "lifecycleState": "ACTIVE",
        "timeCreated": "2026-01-02T03:04:05.678Z", "freeformTags": {"a": "b"},
        "definedTags": {"ns": {"k": "v"}}, "namespace": "ns", "etag": "e", "size": 12,
        "storageTier": "Standard", "objects": [{"name": "o", "size": 1}], "prefixes": ["p/"],
        "userId": "u", "groupId": "g", "uploadId": "x", "object": "o", "bucket": "b",
        "partsToCommit": [{"partNum": 1, "etag": "e"}], "status": "SUCCEEDED",
    });
    let map: &mut Map<String, Value> = v.as_object_mut().unwrap();
    let keys: Vec<String> = map.keys().cloned().collect();
    for _ in 0..u.int_in_range(0..=6)? {
        let k = u.choose(&keys)?.clone();
        let replacement = match u.int_in_range(0..=5)? {
            0 => Value::String(text(u, 20)?.to_uppercase()), // unknown enum value
            1 => Value::Null,
            2 => json!(u.arbitrary::<i64>()?),
            3 => Value::String(format!("{}-13-45T99:99:99Z", u.int_in_range(0..=99999)?)),
            4 => json!([]),
            _ => {
                map.remove(&k);
                continue;
            }
        };
        map.insert(k, replacement);
    }
    Ok(v.to_string())
}

#[test]
fn fuzz_model_json() {
    let decoders = all_decoders();
    assert!(decoders.len() > 200, "{} decoders", decoders.len());
    let mut decoded = 0u64;
    fuzz("model_json", |u| {
        let (_, decode) = u.choose(&decoders)?;
        let text = match u.int_in_range(0..=3)? {
            0 => json_text(u, 0)?,
            1 => plausible(u)?,
            2 => {
                let p = plausible(u)?.into_bytes();
                String::from_utf8_lossy(&fuzz_support::mutate(u, p)?).into_owned()
            }
            _ => {
                // An enum value as a bare string: known, unknown, odd.
                let s = text(u, 24)?;
                serde_json::to_string(&Value::String(s)).unwrap()
            }
        };
        if decode(&text) {
            decoded += 1;
        }
        Ok(())
    });
    eprintln!("fuzz model_json: {decoded} inputs decoded to a model (the rest: typed errors)");
}
