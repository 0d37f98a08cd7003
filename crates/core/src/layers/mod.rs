//! The tower layers of the oci-tower stack, one module each (layer, service, named future).
//!
//! See [`crate::stack`] for the order they are assembled in. Every layer is public and works on
//! any `Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>`, so you can
//! use them in your own stacks.

pub mod breaker;
pub mod classify;
mod options;
pub mod read_body;
pub mod request_body;
pub mod retry;
pub mod retry_token;
pub mod sign;
pub mod status;
pub mod timeout;
pub mod trace;

pub use breaker::{BreakerState, CircuitBreakerConfig, CircuitBreakerLayer, CircuitBreakers};
pub use classify::{Class, Classify, OciClassifier};
pub use options::CallOptions;
pub use read_body::{ReadBodyLayer, ReadBodyService};
pub use request_body::{RequestBodyLayer, RequestBodyService, RequestProgress};
pub use retry::{RetryBudget, RetryLayer, RetryPolicy, RetryService};
pub use retry_token::{RetryTokenLayer, RetryTokenService};
pub use sign::{SignLayer, SignService};
pub use status::{StatusErrorLayer, StatusErrorService};
pub use timeout::{StallGuardLayer, TimeoutLayer};
pub use trace::{AttemptTraceLayer, TraceLayer};
