//! [`CircuitBreakerConfig`]: when a breaker opens and for how long, and the [`BreakerState`]s
//! its listener sees.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::layers::classify::{Classify, OciClassifier, SharedClassifier};

/// The state of one host's breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BreakerState {
    /// Calls go through and are counted.
    Closed,
    /// Calls fail fast with [`Error::is_circuit_open`](crate::Error::is_circuit_open) until the open period ends.
    Open,
    /// The open period ended: one probe call goes through and decides.
    HalfOpen,
}

impl BreakerState {
    /// `closed`, `open` or `half_open`.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

impl fmt::Display for BreakerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

type StateListener = Arc<dyn Fn(&str, BreakerState, BreakerState) + Send + Sync>;

/// When a breaker opens and for how long.
///
/// ```
/// use std::time::Duration;
/// use oci_core::layers::breaker::CircuitBreakerConfig;
///
/// let config = CircuitBreakerConfig::builder()   // 80% of >= 10 calls in 120 s, open 30 s
///     .failure_rate(0.5)
///     .min_calls(20)
///     .window(Duration::from_secs(60))
///     .open_for(Duration::from_secs(10))
///     .on_state_change(|host, from, to| println!("{host}: {from} -> {to}"))
///     .build();
/// assert_eq!(config.min_calls(), 20);
/// assert_eq!(CircuitBreakerConfig::default().min_calls(), 10);
/// ```
///
/// The defaults are the Go SDK's (reference E.2): the breaker opens when at least 80% of at
/// least 10 calls in the current 120 s window failed, stays open 30 s, then lets one probe
/// through: a success closes it, a failure opens it again. What counts as a failure is the
/// classifier's call ([`Class::is_breaker_failure`](crate::layers::classify::Class::is_breaker_failure):
/// throttling, 5xx, transport errors and attempt timeouts); 4xx answers show a healthy host.
/// The caller's own failures are not counted at all, neither way
/// ([`Class::breaker_outcome`](crate::layers::classify::Class::breaker_outcome)): a call the
/// caller dropped, and a request body whose stream failed or stopped on the caller's side
/// ([`Class::Caller`](crate::layers::classify::Class::Caller)); so no client of a service
/// that forwards uploads can open the breaker for everyone by aborting its uploads, and a
/// half-open probe that fails that way lets the next call probe instead.
#[derive(Clone)]
pub struct CircuitBreakerConfig {
    pub(super) failure_rate: f64,
    pub(super) min_calls: u32,
    pub(super) window: Duration,
    pub(super) open_for: Duration,
    pub(super) classifier: SharedClassifier,
    pub(super) listener: Option<StateListener>,
}

impl fmt::Debug for CircuitBreakerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreakerConfig")
            .field("failure_rate", &self.failure_rate)
            .field("min_calls", &self.min_calls)
            .field("window", &self.window)
            .field("open_for", &self.open_for)
            .field("classifier", &self.classifier)
            .finish_non_exhaustive()
    }
}

impl Default for CircuitBreakerConfig {
    fn default() -> Self {
        CircuitBreakerConfig {
            failure_rate: 0.8,
            min_calls: 10,
            window: Duration::from_secs(120),
            open_for: Duration::from_secs(30),
            classifier: Arc::new(OciClassifier),
            listener: None,
        }
    }
}

impl CircuitBreakerConfig {
    /// A builder starting from the defaults.
    pub fn builder() -> CircuitBreakerConfigBuilder {
        CircuitBreakerConfigBuilder {
            config: CircuitBreakerConfig::default(),
        }
    }

    /// The share of failed calls, in `[0, 1]`, that opens the breaker.
    pub fn failure_rate(&self) -> f64 {
        self.failure_rate
    }

    /// Calls needed in a window before the breaker may open.
    pub fn min_calls(&self) -> u32 {
        self.min_calls
    }

    /// The counting window while closed.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// How long the breaker stays open before a probe.
    pub fn open_for(&self) -> Duration {
        self.open_for
    }

    /// The classifier deciding what is a failure.
    pub fn classifier(&self) -> &SharedClassifier {
        &self.classifier
    }

    /// This configuration with an already shared classifier (the client shares one).
    pub(crate) fn with_shared_classifier(mut self, classifier: SharedClassifier) -> Self {
        self.classifier = classifier;
        self
    }
}

/// Builds a [`CircuitBreakerConfig`]; see there.
///
/// ```
/// use std::time::Duration;
/// use oci_core::layers::CircuitBreakerConfig;
///
/// let config = CircuitBreakerConfig::builder().open_for(Duration::from_secs(5)).build();
/// assert_eq!(config.open_for(), Duration::from_secs(5));
/// ```
pub struct CircuitBreakerConfigBuilder {
    config: CircuitBreakerConfig,
}

impl CircuitBreakerConfigBuilder {
    /// The share of failed calls, in `[0, 1]`, that opens the breaker (0.8).
    pub fn failure_rate(mut self, rate: f64) -> Self {
        self.config.failure_rate = if rate.is_finite() {
            rate.clamp(0.0, 1.0)
        } else {
            1.0
        };
        self
    }
    /// Calls needed in a window before the breaker may open (10; at least 1).
    pub fn min_calls(mut self, n: u32) -> Self {
        self.config.min_calls = n.max(1);
        self
    }
    /// The counting window while closed (120 s): counts restart when it ends.
    pub fn window(mut self, d: Duration) -> Self {
        self.config.window = d;
        self
    }
    /// How long the breaker stays open before a probe (30 s).
    pub fn open_for(mut self, d: Duration) -> Self {
        self.config.open_for = d;
        self
    }
    /// The classifier deciding what is a failure ([`OciClassifier`]).
    pub fn classifier(mut self, classifier: impl Classify) -> Self {
        self.config.classifier = Arc::new(classifier);
        self
    }
    /// Called with `(host, from, to)` on every state change, e.g. to feed your metrics. It runs
    /// on the calling task with no lock held; keep it quick.
    pub fn on_state_change(
        mut self,
        f: impl Fn(&str, BreakerState, BreakerState) + Send + Sync + 'static,
    ) -> Self {
        self.config.listener = Some(Arc::new(f));
        self
    }
    /// The configuration.
    pub fn build(self) -> CircuitBreakerConfig {
        self.config
    }
}
