//! The tower layers of the oci-tower stack, one module each (layer, service, named future).
//!
//! See [`crate::stack`] for the order they are assembled in.

pub mod sign;
pub mod status;

pub use sign::{SignLayer, SignService};
pub use status::{StatusErrorLayer, StatusErrorService};
