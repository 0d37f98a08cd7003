//! The routes of the data-plane services (Vault secrets, KMS, Queue, Streaming,
//! Notifications, Monitoring, Logging ingestion), by their crates' generated operation tables.
//! Data only.

use super::{signed, Service, ServiceRoutes};

/// The data-plane services, searched after `route::ROUTES`.
pub(crate) static ROUTES: &[ServiceRoutes] = &[
    signed(
        Service::Secrets,
        "secrets",
        oci_secrets::SERVICE.base_path,
        &[oci_secrets::operations::OPERATIONS],
    ),
    // Vault (base `/20180608`) and KMS (base `""`, paths `/20180608/...`) share a prefix: a
    // path goes to the first whose tables match it.
    signed(
        Service::Vault,
        "vault",
        oci_vault::SERVICE.base_path,
        &[oci_vault::operations::OPERATIONS],
    ),
    signed(
        Service::Kms,
        "kms",
        oci_keymanagement::kms_vault::SERVICE.base_path,
        &[
            oci_keymanagement::kms_vault::operations::OPERATIONS,
            oci_keymanagement::kms_management::operations::OPERATIONS,
            oci_keymanagement::kms_crypto::operations::OPERATIONS,
        ],
    ),
    signed(
        Service::Queue,
        "queue",
        oci_queue::queue::SERVICE.base_path,
        &[
            oci_queue::queue_admin::operations::OPERATIONS,
            oci_queue::queue::operations::OPERATIONS,
        ],
    ),
    // Streaming's PutMessages is signed without its body (as the SDKs send it).
    ServiceRoutes {
        exclude_body: &["PutMessages"],
        ..signed(
            Service::Streaming,
            "streaming",
            oci_streaming::stream::SERVICE.base_path,
            &[
                oci_streaming::stream_admin::operations::OPERATIONS,
                oci_streaming::stream::operations::OPERATIONS,
            ],
        )
    },
    signed(
        Service::Ons,
        "ons",
        oci_ons::notification_control_plane::SERVICE.base_path,
        &[
            oci_ons::notification_control_plane::operations::OPERATIONS,
            oci_ons::notification_data_plane::operations::OPERATIONS,
        ],
    ),
    signed(
        Service::Monitoring,
        "monitoring",
        oci_monitoring::SERVICE.base_path,
        &[oci_monitoring::operations::OPERATIONS],
    ),
    signed(
        Service::Logging,
        "loggingingestion",
        oci_loggingingestion::SERVICE.base_path,
        &[oci_loggingingestion::operations::OPERATIONS],
    ),
];
