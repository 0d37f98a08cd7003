//! Operation tables of the data-plane services the emulator serves (Vault secrets, KMS, Queue,
//! Streaming, Notifications, Monitoring, Logging ingestion), written from OCI's SDKs: the
//! operations that are emulated plus their neighbours, so those answer 501 naming themselves.
//! The generated tables of the service crates (`oci_*::operations::OPERATIONS`), listed before
//! these in `route::ROUTES` once the crates exist, win for every name they have.
//!
//! Data only: this module imports nothing of the emulator.

use oci_core::OperationRoute;

const fn op(method: &'static str, path: &'static str, name: &'static str) -> OperationRoute {
    OperationRoute { method, path, name }
}

/// Secret retrieval (`SecretsClient`), below `/20190301`.
pub(crate) const SECRETS: &[OperationRoute] = &[
    op("GET", "/secretbundles/{secretId}", "GetSecretBundle"),
    op(
        "POST",
        "/secretbundles/actions/getByName",
        "GetSecretBundleByName",
    ),
    op(
        "GET",
        "/secretbundles/{secretId}/versions",
        "ListSecretBundleVersions",
    ),
];

/// Secret management (`VaultsClient`), below `/20180608`.
pub(crate) const VAULT: &[OperationRoute] = &[
    op("POST", "/secrets", "CreateSecret"),
    op("GET", "/secrets", "ListSecrets"),
    op("GET", "/secrets/{secretId}", "GetSecret"),
    op("PUT", "/secrets/{secretId}", "UpdateSecret"),
    op("GET", "/secrets/{secretId}/versions", "ListSecretVersions"),
    op(
        "GET",
        "/secrets/{secretId}/version/{secretVersionNumber}",
        "GetSecretVersion",
    ),
    op(
        "POST",
        "/secrets/{secretId}/actions/scheduleDeletion",
        "ScheduleSecretDeletion",
    ),
    op(
        "POST",
        "/secrets/{secretId}/actions/cancelDeletion",
        "CancelSecretDeletion",
    ),
    op("POST", "/secrets/{secretId}/actions/rotate", "RotateSecret"),
];

/// KMS vaults, keys and crypto (`KmsVaultClient`, `KmsManagementClient`, `KmsCryptoClient`),
/// below `/20180608` (the SDKs' base path is `/`).
pub(crate) const KMS: &[OperationRoute] = &[
    op("POST", "/vaults", "CreateVault"),
    op("GET", "/vaults", "ListVaults"),
    op("GET", "/vaults/{vaultId}", "GetVault"),
    op("PUT", "/vaults/{vaultId}", "UpdateVault"),
    op(
        "POST",
        "/vaults/{vaultId}/actions/scheduleDeletion",
        "ScheduleVaultDeletion",
    ),
    op("POST", "/keys", "CreateKey"),
    op("GET", "/keys", "ListKeys"),
    op("GET", "/keys/{keyId}", "GetKey"),
    op("PUT", "/keys/{keyId}", "UpdateKey"),
    op("POST", "/keys/{keyId}/actions/disable", "DisableKey"),
    op("POST", "/keys/{keyId}/actions/enable", "EnableKey"),
    op("POST", "/keys/{keyId}/keyVersions", "CreateKeyVersion"),
    op("GET", "/keys/{keyId}/keyVersions", "ListKeyVersions"),
    op(
        "GET",
        "/keys/{keyId}/keyVersions/{keyVersionId}",
        "GetKeyVersion",
    ),
    op("POST", "/encrypt", "Encrypt"),
    op("POST", "/decrypt", "Decrypt"),
    op(
        "POST",
        "/generateDataEncryptionKey",
        "GenerateDataEncryptionKey",
    ),
    op("POST", "/sign", "Sign"),
    op("POST", "/verify", "Verify"),
    op("POST", "/exportKey", "ExportKey"),
];

/// Queue admin and messages (`QueueAdminClient`, `QueueClient`), below `/20210201`.
pub(crate) const QUEUE: &[OperationRoute] = &[
    op("POST", "/queues", "CreateQueue"),
    op("GET", "/queues", "ListQueues"),
    op("GET", "/queues/{queueId}", "GetQueue"),
    op("PUT", "/queues/{queueId}", "UpdateQueue"),
    op("DELETE", "/queues/{queueId}", "DeleteQueue"),
    op("POST", "/queues/{queueId}/actions/purge", "PurgeQueue"),
    op("GET", "/workRequests/{workRequestId}", "GetWorkRequest"),
    op("GET", "/workRequests", "ListWorkRequests"),
    op("POST", "/queues/{queueId}/messages", "PutMessages"),
    op("GET", "/queues/{queueId}/messages", "GetMessages"),
    op(
        "PUT",
        "/queues/{queueId}/messages/{messageReceipt}",
        "UpdateMessage",
    ),
    op(
        "DELETE",
        "/queues/{queueId}/messages/{messageReceipt}",
        "DeleteMessage",
    ),
    op(
        "POST",
        "/queues/{queueId}/messages/actions/deleteMessages",
        "DeleteMessages",
    ),
    op(
        "POST",
        "/queues/{queueId}/messages/actions/updateMessages",
        "UpdateMessages",
    ),
    op("GET", "/queues/{queueId}/stats", "GetStats"),
    op("GET", "/queues/{queueId}/channels", "ListChannels"),
];

/// Streaming admin and messages (`StreamAdminClient`, `StreamClient`), below `/20180418`.
pub(crate) const STREAMING: &[OperationRoute] = &[
    op("POST", "/streampools", "CreateStreamPool"),
    op("GET", "/streampools", "ListStreamPools"),
    op("GET", "/streampools/{streamPoolId}", "GetStreamPool"),
    op("DELETE", "/streampools/{streamPoolId}", "DeleteStreamPool"),
    op("POST", "/streams", "CreateStream"),
    op("GET", "/streams", "ListStreams"),
    op("GET", "/streams/{streamId}", "GetStream"),
    op("DELETE", "/streams/{streamId}", "DeleteStream"),
    op("POST", "/streams/{streamId}/messages", "PutMessages"),
    op("GET", "/streams/{streamId}/messages", "GetMessages"),
    op("POST", "/streams/{streamId}/cursors", "CreateCursor"),
    op(
        "POST",
        "/streams/{streamId}/groupCursors",
        "CreateGroupCursor",
    ),
    op("POST", "/streams/{streamId}/commit", "ConsumerCommit"),
];

/// Notifications (`NotificationControlPlaneClient`, `NotificationDataPlaneClient`), below
/// `/20181201`.
pub(crate) const ONS: &[OperationRoute] = &[
    op("POST", "/topics", "CreateTopic"),
    op("GET", "/topics", "ListTopics"),
    op("GET", "/topics/{topicId}", "GetTopic"),
    op("DELETE", "/topics/{topicId}", "DeleteTopic"),
    op("POST", "/topics/{topicId}/messages", "PublishMessage"),
    op("POST", "/subscriptions", "CreateSubscription"),
    op("GET", "/subscriptions", "ListSubscriptions"),
    op("GET", "/subscriptions/{subscriptionId}", "GetSubscription"),
    op(
        "DELETE",
        "/subscriptions/{subscriptionId}",
        "DeleteSubscription",
    ),
];

/// Monitoring, below `/20180401`.
pub(crate) const MONITORING: &[OperationRoute] = &[
    op("POST", "/metrics", "PostMetricData"),
    op(
        "POST",
        "/metrics/actions/summarizeMetricsData",
        "SummarizeMetricsData",
    ),
    op("POST", "/metrics/actions/listMetrics", "ListMetrics"),
    op("GET", "/alarms", "ListAlarms"),
    op("POST", "/alarms", "CreateAlarm"),
];

/// Logging ingestion, below `/20200831`.
pub(crate) const LOGGING: &[OperationRoute] =
    &[op("POST", "/logs/{logId}/actions/push", "PutLogs")];
