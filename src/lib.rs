//! oci-tower: an Oracle Cloud Infrastructure SDK built as a tower middleware stack.
//!
//! This facade re-exports [`oci_core`]; each service lives in its own crate and is re-exported
//! here behind a feature.
//!
//! ```
//! use oci_tower::{Body, Endpoint};
//! let ep = Endpoint::parse("http://127.0.0.1:8080")?;
//! assert_eq!(ep.host_header(), "127.0.0.1:8080");
//! # let _ = Body::empty();
//! # Ok::<(), oci_tower::Error>(())
//! ```

pub use oci_core::*;

/// Identity and Access Management: every `IdentityClient` operation and model.
#[cfg(feature = "identity")]
pub use oci_identity as identity;

/// Object Storage: buckets, streamed objects and multipart uploads.
#[cfg(feature = "objectstorage")]
pub use oci_objectstorage as objectstorage;

/// Delegate Access Control work requests.
#[cfg(feature = "delegateaccesscontrol")]
pub use oci_delegateaccesscontrol as delegateaccesscontrol;

/// Vault Secrets: read secret bundles.
#[cfg(feature = "secrets")]
pub use oci_secrets as secrets;

/// Vault secret management.
#[cfg(feature = "vault")]
pub use oci_vault as vault;

/// Key Management (KMS): vaults, keys, crypto.
#[cfg(feature = "keymanagement")]
pub use oci_keymanagement as keymanagement;

/// Queue: admin and messages.
#[cfg(feature = "queue")]
pub use oci_queue as queue;

/// Streaming: admin and messages.
#[cfg(feature = "streaming")]
pub use oci_streaming as streaming;

/// Notifications: topics, subscriptions, publishing.
#[cfg(feature = "ons")]
pub use oci_ons as ons;

/// Monitoring: metrics and alarms.
#[cfg(feature = "monitoring")]
pub use oci_monitoring as monitoring;

/// Logging Ingestion: put logs.
#[cfg(feature = "loggingingestion")]
pub use oci_loggingingestion as loggingingestion;
