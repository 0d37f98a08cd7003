//! The tower layers of the oci-tower stack, one module each (layer, service, named future).
//!
//! Every layer, service and future, and the types that configure them, are re-exported here,
//! so `oci_core::layers::X` works for all of them; the modules hold the details.
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

pub use breaker::{
    BreakerSnapshot, BreakerState, CircuitBreakerConfig, CircuitBreakerConfigBuilder,
    CircuitBreakerFuture, CircuitBreakerLayer, CircuitBreakerService, CircuitBreakers,
};
pub use classify::{Class, Classify, OciClassifier, SharedClassifier};
pub use options::{CallOptions, CallOptionsBuilder};
pub use read_body::{ReadBodyFuture, ReadBodyLayer, ReadBodyService};
pub use request_body::{RequestBodyFuture, RequestBodyLayer, RequestBodyService, RequestProgress};
pub use retry::{
    AttemptInfo, Jitter, RetryBudget, RetryBudgetBuilder, RetryFuture, RetryLayer, RetryPolicy,
    RetryPolicyBuilder, RetryService,
};
pub use retry_token::{RetryTokenLayer, RetryTokenService};
pub use sign::{SignFuture, SignLayer, SignService};
pub use status::{StatusErrorFuture, StatusErrorLayer, StatusErrorService};
pub use timeout::{
    StallGuardBody, StallGuardFuture, StallGuardLayer, StallGuardService, TimeoutFuture,
    TimeoutLayer, TimeoutService,
};
pub use trace::{TraceFuture, TraceLayer, TraceScope, TraceService};
