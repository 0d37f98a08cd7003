//! [`CallOptions`]: per-call overrides of the client's retry policy and timeouts.

use std::time::Duration;

use super::retry::policy::RetryPolicy;

/// Per-call overrides, carried in the request's extensions and read by the layers.
///
/// ```
/// use std::time::Duration;
/// use oci_core::layers::{CallOptions, RetryPolicy};
///
/// let opts = CallOptions::builder()
///     .retry_policy(RetryPolicy::none())          // this call only: one attempt
///     .operation_timeout(Duration::from_secs(5))  // this call only: 5 s in all
///     .attempt_timeout(None)                      // this call only: no attempt timeout
///     .build();
/// assert_eq!(opts.operation_timeout(), Some(Some(Duration::from_secs(5))));
/// let mut req = http::Request::new(oci_core::Body::empty());
/// opts.apply(&mut req);
/// assert!(req.extensions().get::<CallOptions>().is_some());
/// ```
///
/// `Client::send_with(op, options)` applies them; with a raw `http::Request`, call
/// [`CallOptions::apply`] (or insert the value into the extensions) before sending. An unset
/// option leaves the client's setting in force; [`CallOptions::new`] has none set.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    pub(crate) retry_policy: Option<RetryPolicy>,
    pub(crate) operation_timeout: Option<Option<Duration>>,
    pub(crate) attempt_timeout: Option<Option<Duration>>,
    pub(crate) allow_control_chars: Option<bool>,
}

impl CallOptions {
    /// No overrides.
    pub fn new() -> Self {
        CallOptions::default()
    }

    /// A builder with no overrides set.
    pub fn builder() -> CallOptionsBuilder {
        CallOptionsBuilder::default()
    }

    /// The retry policy override, if any.
    pub fn retry_policy(&self) -> Option<&RetryPolicy> {
        self.retry_policy.as_ref()
    }

    /// The operation-timeout override: `Some(None)` disables it for this call.
    pub fn operation_timeout(&self) -> Option<Option<Duration>> {
        self.operation_timeout
    }

    /// The attempt-timeout override: `Some(None)` disables it for this call.
    pub fn attempt_timeout(&self) -> Option<Option<Duration>> {
        self.attempt_timeout
    }

    /// Puts these options into `req`'s extensions.
    pub fn apply<B>(self, req: &mut http::Request<B>) {
        req.extensions_mut().insert(self);
    }
}

/// Builds [`CallOptions`]; see there.
///
/// ```
/// use oci_core::layers::{CallOptions, RetryPolicy};
///
/// let opts = CallOptions::builder().retry_policy(RetryPolicy::none()).build();
/// assert_eq!(opts.retry_policy().map(|p| p.max_attempts()), Some(1));
/// assert!(opts.attempt_timeout().is_none()); // not overridden: the client's setting holds
/// ```
#[derive(Debug, Clone, Default)]
pub struct CallOptionsBuilder {
    options: CallOptions,
}

impl CallOptionsBuilder {
    /// The retry policy for this call.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.options.retry_policy = Some(policy);
        self
    }

    /// The operation timeout for this call (`None` disables it).
    pub fn operation_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.options.operation_timeout = Some(timeout.into());
        self
    }

    /// The attempt timeout for this call (`None` disables it).
    pub fn attempt_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.options.attempt_timeout = Some(timeout.into());
        self
    }

    /// Whether this call's response may carry raw control characters in its JSON strings
    /// (overrides `ClientBuilder::allow_control_chars`).
    pub fn allow_control_chars(mut self, allow: bool) -> Self {
        self.options.allow_control_chars = Some(allow);
        self
    }

    /// The options.
    pub fn build(self) -> CallOptions {
        self.options
    }
}

impl From<CallOptionsBuilder> for CallOptions {
    fn from(builder: CallOptionsBuilder) -> Self {
        builder.build()
    }
}
