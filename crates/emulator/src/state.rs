//! The emulator's state: everything a restart must keep (with `--data-dir`), as serde structs.
//!
//! JSON field names are OCI's (camelCase) so records serialize straight onto the wire.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::planes::Planes;
use crate::util;

/// Free-form tags.
pub(crate) type Tags = BTreeMap<String, String>;
/// Defined tags.
pub(crate) type DefinedTags = BTreeMap<String, BTreeMap<String, serde_json::Value>>;

/// A stored resource with its etag and creation instant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Rec<T> {
    pub etag: String,
    pub created_ms: u64,
    pub item: T,
}

/// Resources with a lifecycle state that starts as CREATING.
pub(crate) trait Lifecycle: Clone {
    fn lifecycle_state_mut(&mut self) -> &mut String;
}

impl<T: Lifecycle> Rec<T> {
    /// The resource as seen at `now_ms`: CREATING until `delay_ms` after creation.
    pub fn view(&self, now_ms: u64, delay_ms: u64) -> T {
        let mut item = self.item.clone();
        if now_ms < self.created_ms.saturating_add(delay_ms) {
            *item.lifecycle_state_mut() = "CREATING".to_owned();
        }
        item
    }
}

/// Fields shared by named Identity resources, for list filters, sorting and updates.
pub(crate) trait Named: Lifecycle {
    fn name(&self) -> &str;
    fn compartment_id(&self) -> &str;
    fn lifecycle_state(&self) -> &str;
    /// The fields every update may change: description, free-form and defined tags.
    fn description_and_tags_mut(&mut self) -> (&mut String, &mut Tags, &mut DefinedTags);
}

macro_rules! named {
    ($($t:ty),*) => {$(
        impl Lifecycle for $t {
            fn lifecycle_state_mut(&mut self) -> &mut String { &mut self.lifecycle_state }
        }
        impl Named for $t {
            fn name(&self) -> &str { &self.name }
            fn compartment_id(&self) -> &str { &self.compartment_id }
            fn lifecycle_state(&self) -> &str { &self.lifecycle_state }
            fn description_and_tags_mut(&mut self) -> (&mut String, &mut Tags, &mut DefinedTags) {
                (&mut self.description, &mut self.freeform_tags, &mut self.defined_tags)
            }
        }
    )*};
}
named!(User, Group, Compartment, Policy);

impl Lifecycle for Membership {
    fn lifecycle_state_mut(&mut self) -> &mut String {
        &mut self.lifecycle_state
    }
}
impl Lifecycle for ApiKey {
    fn lifecycle_state_mut(&mut self) -> &mut String {
        &mut self.lifecycle_state
    }
}

/// `Tenancy`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Tenancy {
    pub id: String,
    pub name: String,
    pub description: String,
    pub home_region_key: String,
    #[serde(default)]
    pub freeform_tags: Tags,
    #[serde(default)]
    pub defined_tags: DefinedTags,
}

/// `UserCapabilities`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Capabilities {
    pub can_use_console_password: bool,
    pub can_use_api_keys: bool,
    pub can_use_auth_tokens: bool,
    pub can_use_smtp_credentials: bool,
    pub can_use_db_credentials: bool,
    pub can_use_customer_secret_keys: bool,
    pub can_use_o_auth2_client_credentials: bool,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            can_use_console_password: true,
            can_use_api_keys: true,
            can_use_auth_tokens: true,
            can_use_smtp_credentials: true,
            can_use_db_credentials: true,
            can_use_customer_secret_keys: true,
            can_use_o_auth2_client_credentials: true,
        }
    }
}

/// `User`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct User {
    pub id: String,
    pub compartment_id: String,
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub email_verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_user_name: Option<String>,
    pub time_created: String,
    pub lifecycle_state: String,
    pub is_mfa_activated: bool,
    pub capabilities: Capabilities,
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
}

/// `Group`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Group {
    pub id: String,
    pub compartment_id: String,
    pub name: String,
    pub description: String,
    pub time_created: String,
    pub lifecycle_state: String,
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
}

/// `UserGroupMembership`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Membership {
    pub id: String,
    pub compartment_id: String,
    pub group_id: String,
    pub user_id: String,
    pub time_created: String,
    pub lifecycle_state: String,
}

/// `Compartment`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Compartment {
    pub id: String,
    pub compartment_id: String,
    pub name: String,
    pub description: String,
    pub time_created: String,
    pub lifecycle_state: String,
    pub is_accessible: bool,
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
}

/// `Policy`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Policy {
    pub id: String,
    pub compartment_id: String,
    pub name: String,
    pub statements: Vec<String>,
    pub description: String,
    pub time_created: String,
    pub lifecycle_state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_date: Option<String>,
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
}

/// `ApiKey`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApiKey {
    pub key_id: String,
    pub key_value: String,
    pub fingerprint: String,
    pub user_id: String,
    pub time_created: String,
    pub lifecycle_state: String,
}

/// A response kept for `opc-retry-token` replay.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredResponse {
    pub operation: String,
    pub token: String,
    pub body_sha256: String,
    pub status: u16,
    pub etag: Option<String>,
    pub body: String,
}

/// `Bucket` (the fields the emulator keeps).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bucket {
    pub namespace: String,
    pub name: String,
    pub compartment_id: String,
    pub metadata: BTreeMap<String, String>,
    pub created_by: String,
    pub time_created: String,
    pub etag: String,
    pub public_access_type: String,
    pub storage_tier: String,
    pub object_events_enabled: bool,
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
    pub versioning: String,
    pub id: String,
    pub replication_enabled: bool,
    pub is_read_only: bool,
    pub auto_tiering: String,
}

/// One stored object's metadata; the bytes live in the blob store.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ObjectMeta {
    pub blob: String,
    pub size: u64,
    /// Base64 MD5 (single-part objects).
    pub md5: Option<String>,
    /// `<base64 md5 of part md5s>-<parts>` (multipart objects).
    pub multipart_md5: Option<String>,
    pub etag: String,
    pub created_ms: u64,
    pub modified_ms: u64,
    pub content_type: String,
    pub content_language: Option<String>,
    pub content_encoding: Option<String>,
    pub content_disposition: Option<String>,
    pub cache_control: Option<String>,
    /// `opc-meta-*` headers, keys without the prefix.
    pub metadata: BTreeMap<String, String>,
    /// The version's id (`version-id`).
    #[serde(default)]
    pub version_id: String,
    /// Base64 big-endian CRC32C of the bytes (single-part), or of the parts' CRC32Cs with
    /// `-<parts>` (multipart), when the upload asked for CRC32C.
    #[serde(default)]
    pub crc32c: Option<String>,
    /// Base64 SHA-256 of the SSE-C key it was written with.
    #[serde(default)]
    pub sse_key_sha256: Option<String>,
    /// `Standard`, `InfrequentAccess` or `Archive` (absent: the bucket's tier was Standard).
    #[serde(default)]
    pub storage_tier: Option<String>,
    /// When it moved to the Archive tier.
    #[serde(default)]
    pub archived_ms: Option<u64>,
    /// A restore of an archived object: readable from `available_ms` until `until_ms`.
    #[serde(default)]
    pub restore: Option<Restore>,
}

/// A restore of an archived object (`RestoreObjects`), on the emulator's clock.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Restore {
    pub available_ms: u64,
    pub until_ms: u64,
}

/// A retention rule (`RetentionRule`; duration absent: indefinite).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RetentionRule {
    pub id: String,
    pub display_name: String,
    /// `(timeAmount, timeUnit)` with timeUnit `DAYS` or `YEARS`.
    pub duration: Option<(u64, String)>,
    pub etag: String,
    pub time_rule_locked_ms: Option<u64>,
    pub created_ms: u64,
    pub modified_ms: u64,
}

/// A bucket's lifecycle policy and retention rules.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BucketRules {
    /// The `items` of the `ObjectLifecyclePolicy`, as sent.
    pub lifecycle: Option<serde_json::Value>,
    pub lifecycle_created_ms: u64,
    pub retention: Vec<RetentionRule>,
}

/// A noncurrent object version, or a delete marker (`meta: None`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OldVersion {
    pub version_id: String,
    pub modified_ms: u64,
    pub meta: Option<ObjectMeta>,
}

/// A pre-authenticated request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Par {
    pub id: String,
    /// The secret part of `/p/<token>/...`.
    pub token: String,
    pub name: String,
    pub bucket: String,
    pub object_name: Option<String>,
    pub access_type: String,
    pub bucket_listing_action: String,
    pub time_expires_ms: u64,
    pub time_created_ms: u64,
}

/// A finished work request (copies, compartment deletions).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WorkRequest {
    pub id: String,
    /// `objectstorage` or `identity`.
    pub service: String,
    pub operation_type: String,
    pub compartment_id: String,
    /// `(actionType, identifier, entityUri)` of the resources it touched.
    pub resources: Vec<(String, String, String)>,
    /// An error message when it failed.
    pub error: Option<String>,
    pub accepted_ms: u64,
    pub finished_ms: u64,
}

/// An uploaded part.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Part {
    pub blob: String,
    pub size: u64,
    pub md5: String,
    pub etag: String,
}

/// An in-progress multipart upload.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Upload {
    pub namespace: String,
    pub bucket: String,
    pub object: String,
    pub upload_id: String,
    pub time_created: String,
    pub storage_tier: String,
    pub content_type: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub parts: BTreeMap<u32, Part>,
}

/// Everything the emulator remembers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct State {
    pub seed: u64,
    pub counter: u64,
    /// When the state was first created: the DAC work-request timeline starts here.
    pub epoch_ms: u64,
    pub region: String,
    pub tenancy: Tenancy,
    pub seeded_user_id: String,
    pub namespace: String,
    pub users: Vec<Rec<User>>,
    pub groups: Vec<Rec<Group>>,
    pub memberships: Vec<Rec<Membership>>,
    pub compartments: Vec<Rec<Compartment>>,
    pub policies: Vec<Rec<Policy>>,
    pub api_keys: Vec<Rec<ApiKey>>,
    pub retry_responses: Vec<StoredResponse>,
    pub buckets: Vec<Bucket>,
    pub objects: BTreeMap<String, BTreeMap<String, ObjectMeta>>,
    pub uploads: Vec<Upload>,
    /// Noncurrent versions and delete markers: bucket -> object name -> oldest first.
    #[serde(default)]
    pub versions: BTreeMap<String, BTreeMap<String, Vec<OldVersion>>>,
    #[serde(default)]
    pub pars: Vec<Par>,
    #[serde(default)]
    pub work_requests: Vec<WorkRequest>,
    /// Lifecycle policies and retention rules by bucket name.
    #[serde(default)]
    pub bucket_rules: BTreeMap<String, BucketRules>,
    /// The data-plane services (`planes`); absent in snapshots from before they existed.
    #[serde(default)]
    pub planes: Planes,
}

impl State {
    /// A fresh state: the tenancy, the seeded user (an administrator) with its API key.
    pub fn seeded(
        seed: u64,
        now_ms: u64,
        region: &str,
        public_key_pem: &str,
        fingerprint: &str,
    ) -> Self {
        let tenancy_id = util::ocid("tenancy", seed, 0);
        let user_id = util::ocid("user", seed, 0);
        let time = util::rfc3339(now_ms);
        let mut state = State {
            seed,
            counter: 1,
            epoch_ms: now_ms,
            region: region.to_owned(),
            tenancy: Tenancy {
                id: tenancy_id.clone(),
                name: "emulator".to_owned(),
                description: "The oci-emulator tenancy".to_owned(),
                home_region_key: "IAD".to_owned(),
                freeform_tags: Tags::new(),
                defined_tags: DefinedTags::new(),
            },
            seeded_user_id: user_id.clone(),
            namespace: util::derived_text(seed, "namespace", 0, 12),
            users: Vec::new(),
            groups: Vec::new(),
            memberships: Vec::new(),
            compartments: Vec::new(),
            policies: Vec::new(),
            api_keys: Vec::new(),
            retry_responses: Vec::new(),
            buckets: Vec::new(),
            objects: BTreeMap::new(),
            uploads: Vec::new(),
            versions: BTreeMap::new(),
            pars: Vec::new(),
            work_requests: Vec::new(),
            bucket_rules: BTreeMap::new(),
            planes: Planes::default(),
        };
        let etag = state.next_etag();
        state.users.push(Rec {
            etag,
            created_ms: 0,
            item: User {
                id: user_id.clone(),
                compartment_id: tenancy_id.clone(),
                name: "emulator-admin".to_owned(),
                description: "The seeded administrator".to_owned(),
                email: None,
                email_verified: false,
                db_user_name: None,
                time_created: time.clone(),
                lifecycle_state: "ACTIVE".to_owned(),
                is_mfa_activated: false,
                capabilities: Capabilities::default(),
                freeform_tags: Tags::new(),
                defined_tags: DefinedTags::new(),
            },
        });
        let etag = state.next_etag();
        state.api_keys.push(Rec {
            etag,
            created_ms: 0,
            item: ApiKey {
                key_id: format!("{tenancy_id}/{user_id}/{fingerprint}"),
                key_value: public_key_pem.to_owned(),
                fingerprint: fingerprint.to_owned(),
                user_id,
                time_created: time,
                lifecycle_state: "ACTIVE".to_owned(),
            },
        });
        state
    }

    /// The next counter value.
    pub fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A fresh OCID of a kind.
    pub fn next_ocid(&mut self, kind: &str) -> String {
        let n = self.next();
        util::ocid(kind, self.seed, n)
    }

    /// A fresh object version id.
    pub fn next_version_id(&mut self) -> String {
        let n = self.next();
        let t = util::derived_text(self.seed, "version", n, 32).to_lowercase();
        format!(
            "{}-{}-{}-{}-{}",
            &t[..8],
            &t[8..12],
            &t[12..16],
            &t[16..20],
            &t[20..32]
        )
    }

    /// A fresh etag.
    pub fn next_etag(&mut self) -> String {
        let n = self.next();
        util::etag(self.seed, n)
    }

    /// Every blob the state refers to (objects and uploaded parts).
    pub fn blob_ids(&self) -> std::collections::HashSet<&str> {
        let objects = self
            .objects
            .values()
            .flat_map(|o| o.values().map(|m| m.blob.as_str()));
        let parts = self
            .uploads
            .iter()
            .flat_map(|u| u.parts.values().map(|p| p.blob.as_str()));
        let old = self
            .versions
            .values()
            .flat_map(|o| o.values().flatten())
            .filter_map(|v| v.meta.as_ref().map(|m| m.blob.as_str()));
        objects.chain(parts).chain(old).collect()
    }

    /// Whether `id` is the tenancy or an existing compartment.
    pub fn compartment_exists(&self, id: &str) -> bool {
        id == self.tenancy.id || self.compartments.iter().any(|c| c.item.id == id)
    }
}
