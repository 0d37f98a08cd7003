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
