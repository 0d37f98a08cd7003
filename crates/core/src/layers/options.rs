//! [`CallOptions`]: per-call overrides of the client's retry policy and timeouts.

use std::time::Duration;

use super::retry::policy::RetryPolicy;

/// Per-call overrides, carried in the request's extensions and read by the layers.
///
/// ```
/// use std::time::Duration;
/// use oci_core::layers::{CallOptions, RetryPolicy};
///
/// let opts = CallOptions::new()
///     .retry_policy(RetryPolicy::none())          // this call only: one attempt
///     .operation_timeout(Duration::from_secs(5))  // this call only: 5 s in all
///     .attempt_timeout(None);                     // this call only: no attempt timeout
/// let mut req = http::Request::new(oci_core::Body::empty());
/// opts.apply(&mut req);
/// assert!(req.extensions().get::<CallOptions>().is_some());
/// ```
///
/// `Client::send_with(op, options)` applies them; with a raw `http::Request`, call
/// [`CallOptions::apply`] (or insert the value into the extensions) before sending. An unset
/// option leaves the client's setting in force.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    pub(crate) retry_policy: Option<RetryPolicy>,
    pub(crate) operation_timeout: Option<Option<Duration>>,
    pub(crate) attempt_timeout: Option<Option<Duration>>,
}

impl CallOptions {
    /// No overrides.
    pub fn new() -> Self {
        CallOptions::default()
    }

    /// The retry policy for this call.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// The operation timeout for this call (`None` disables it).
    pub fn operation_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.operation_timeout = Some(timeout.into());
        self
    }

    /// The attempt timeout for this call (`None` disables it).
    pub fn attempt_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.attempt_timeout = Some(timeout.into());
        self
    }

    /// The retry policy override, if any.
    pub fn get_retry_policy(&self) -> Option<&RetryPolicy> {
        self.retry_policy.as_ref()
    }

    /// The operation-timeout override: `Some(None)` disables it for this call.
    pub fn get_operation_timeout(&self) -> Option<Option<Duration>> {
        self.operation_timeout
    }

    /// The attempt-timeout override: `Some(None)` disables it for this call.
    pub fn get_attempt_timeout(&self) -> Option<Option<Duration>> {
        self.attempt_timeout
    }

    /// Puts these options into `req`'s extensions.
    pub fn apply<B>(self, req: &mut http::Request<B>) {
        req.extensions_mut().insert(self);
    }
}
