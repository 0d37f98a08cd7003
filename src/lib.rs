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
