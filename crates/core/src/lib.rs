//! The core of oci-tower: an Oracle Cloud Infrastructure client built as a tower stack.
//!
//! ```no_run
//! use oci_core::{Client, Config};
//!
//! # async fn run() -> Result<(), oci_core::Error> {
//! let config = Config::from_file(None, None)?;
//! let client = Client::builder().config(&config)?.build()?;
//! // let user = client.send(GetUser::new(user_id)).await?;   // with a service crate
//! # let _ = client; Ok(()) }
//! ```
//!
//! - [`Request`]: a typed operation that becomes an `http::Request<Body>` with no I/O.
//! - [`Body`], [`Error`]: the body and the one error type of every call.
//! - [`http_status`]: the HTTP answer for an [`Error`], for services that proxy OCI (and, with
//!   the `axum` feature, `IntoResponse` for [`Error`]).
//! - [`auth`]: keys, credentials and the OCI request signer.
//! - [`config`], [`region`]: the config file and region endpoints.
//! - [`layers`], [`stack`]: the tower layers and the order they are assembled in.
//! - [`Client`]: the boxed stack with the default transport (hyper-util + rustls).

#[doc(hidden)]
pub mod __rt;
pub mod auth;
#[cfg(feature = "axum")]
mod axum;
pub mod body;
pub mod client;
pub mod clock;
pub mod config;
pub mod control_chars;
pub mod datetime;
pub mod encode;
pub mod endpoint;
pub mod error;
pub mod http_status;
pub mod layers;
pub mod pagination;
pub mod region;
pub mod request;
pub mod stack;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod transport;
pub mod waiter;

pub use body::Body;
pub use client::{Client, ClientBuilder};
pub use config::{Config, ConfigError, ConfigLoader};
pub use datetime::DateTime;
pub use endpoint::Endpoint;
pub use error::{Error, ErrorKind, TimeoutScope};
pub use region::Region;
pub use request::{OperationInfo, OperationRoute, Request, ResponseMeta, ServiceInfo};

/// A boxed error, as tower and hyper use.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The `user-agent` oci-tower sends.
pub const USER_AGENT: &str = concat!("oci-tower/", env!("CARGO_PKG_VERSION"), " (rust)");
