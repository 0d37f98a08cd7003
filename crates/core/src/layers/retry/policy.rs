//! [`RetryPolicy`]: how many attempts, which sleeps, the total-time cap and what is retried.

use std::sync::Arc;
use std::time::Duration;

use super::backoff::{Backoff, Jitter, RandomSource, ThreadRandom};
use crate::layers::classify::{Classify, OciClassifier, SharedClassifier};

/// When and how often to retry.
///
/// ```
/// use std::time::Duration;
/// use oci_core::layers::retry::{FixedRandom, Jitter, RetryPolicy};
///
/// let oci = RetryPolicy::default(); // 8 attempts, 600 s total, min(2^(n-1) + U(0,1), 30) s
/// assert_eq!(oci.max_attempts(), 8);
///
/// let quick = RetryPolicy::builder()
///     .max_attempts(3)
///     .base_delay(Duration::from_millis(10))
///     .max_delay(Duration::from_millis(50))
///     .jitter(Jitter::None)
///     .total_timeout(Some(Duration::from_secs(5)))
///     .build();
/// assert_eq!(quick.delay_for(1), Duration::from_millis(10));
/// assert_eq!(quick.delay_for(2), Duration::from_millis(20));
/// assert_eq!(quick.delay_for(4), Duration::from_millis(50)); // capped
///
/// let seeded = RetryPolicy::builder().random(FixedRandom(0.5)).build();
/// assert_eq!(seeded.delay_for(1), Duration::from_millis(1500)); // 2^0 s + 0.5 * 1 s
/// assert_eq!(RetryPolicy::none().max_attempts(), 1);
/// ```
///
/// The default follows the official SDKs (reference D.1): 8 attempts in all, sleep
/// `min(2^(n-1) + U(0,1), 30)` s before retry `n`, no new attempt once 600 s would be exceeded
/// (checked before sleeping, so unlike the Python SDK the cap is never overrun by a sleep).
/// A `Retry-After` from the server (seconds, or an HTTP-date read against the response's
/// `Date`) replaces the computed sleep, capped at the max delay; one that points past the
/// total-time cap ends the call at once. What is retried is decided by
/// the policy's [classifier](crate::layers::classify): [`OciClassifier`] unless replaced.
///
/// Set a client-wide policy with `ClientBuilder::retry_policy` and a per-call one with
/// [`CallOptions::retry_policy`](crate::layers::CallOptions::retry_policy).
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    backoff: Backoff,
    total_timeout: Option<Duration>,
    classifier: SharedClassifier,
    random: Arc<dyn RandomSource>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::builder().build()
    }
}

impl RetryPolicy {
    /// OCI's default policy (same as [`Default`]).
    pub fn oci_default() -> Self {
        RetryPolicy::default()
    }

    /// One attempt, never retried.
    pub fn none() -> Self {
        RetryPolicy::builder().max_attempts(1).build()
    }

    /// A builder starting from OCI's defaults.
    pub fn builder() -> RetryPolicyBuilder {
        RetryPolicyBuilder {
            policy: RetryPolicy {
                max_attempts: 8,
                backoff: Backoff {
                    base: Duration::from_secs(1),
                    max: Duration::from_secs(30),
                    jitter: Jitter::Additive(Duration::from_secs(1)),
                },
                total_timeout: Some(Duration::from_secs(600)),
                classifier: Arc::new(OciClassifier),
                random: Arc::new(ThreadRandom),
            },
            jitter_set: false,
        }
    }

    /// Attempts in all, the first included (1 means no retry).
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The largest sleep between attempts (30 s by default); a server's `Retry-After` is capped
    /// at it too.
    pub fn max_delay(&self) -> Duration {
        self.backoff.max
    }

    /// The cap on the whole call: no attempt starts after it.
    pub fn total_timeout(&self) -> Option<Duration> {
        self.total_timeout
    }

    /// The classifier that decides what is retried.
    pub fn classifier(&self) -> &SharedClassifier {
        &self.classifier
    }

    /// The sleep before retry `retry` (1 for the first retry, after attempt 1), drawing jitter
    /// from the policy's random source.
    pub fn delay_for(&self, retry: u32) -> Duration {
        self.backoff.delay(retry, &*self.random)
    }

    /// This policy with another classifier (the client applies its shared one this way).
    pub(crate) fn with_classifier(mut self, classifier: SharedClassifier) -> Self {
        self.classifier = classifier;
        self
    }
}

/// Builds a [`RetryPolicy`]; see there.
#[derive(Debug, Clone)]
pub struct RetryPolicyBuilder {
    policy: RetryPolicy,
    /// `jitter` was set explicitly; otherwise it follows `base_delay`.
    jitter_set: bool,
}

impl RetryPolicyBuilder {
    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.policy.max_attempts = n.max(1);
        self
    }
    /// The first sleep before jitter (1 s by default). Unless [`jitter`](Self::jitter) is set,
    /// the additive jitter follows it (up to one base delay), so short test delays stay short.
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.policy.backoff.base = d;
        self
    }
    /// The largest sleep (30 s by default).
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.policy.backoff.max = d;
        self
    }
    /// The jitter kind (by default additive, up to one base delay: 1 s).
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.policy.backoff.jitter = jitter;
        self.jitter_set = true;
        self
    }
    /// No attempt starts after this much time since the call began (600 s by default; `None`
    /// for no cap).
    pub fn total_timeout(mut self, d: Option<Duration>) -> Self {
        self.policy.total_timeout = d;
        self
    }
    /// The classifier deciding what is retried ([`OciClassifier`] by default).
    pub fn classifier(mut self, classifier: impl Classify) -> Self {
        self.policy.classifier = Arc::new(classifier);
        self
    }
    /// The random source for jitter ([`ThreadRandom`] by default).
    pub fn random(mut self, random: impl RandomSource) -> Self {
        self.policy.random = Arc::new(random);
        self
    }
    /// The policy.
    pub fn build(mut self) -> RetryPolicy {
        if !self.jitter_set {
            self.policy.backoff.jitter = Jitter::Additive(self.policy.backoff.base);
        }
        self.policy
    }
}

#[cfg(test)]
mod tests {
    use super::super::backoff::FixedRandom;
    use super::*;

    #[test]
    fn oci_default_sleeps() {
        let p = RetryPolicy::builder().random(FixedRandom(0.25)).build();
        let sleeps: Vec<f64> = (1..8).map(|n| p.delay_for(n).as_secs_f64()).collect();
        assert_eq!(sleeps, vec![1.25, 2.25, 4.25, 8.25, 16.25, 30.0, 30.0]);
    }

    #[test]
    fn default_jitter_follows_the_base_delay() {
        let p = RetryPolicy::builder()
            .base_delay(Duration::from_millis(10))
            .random(FixedRandom(0.999))
            .build();
        assert!(
            p.delay_for(1) < Duration::from_millis(20),
            "{:?}",
            p.delay_for(1)
        );
        let oci = RetryPolicy::builder().random(FixedRandom(0.5)).build();
        assert_eq!(oci.delay_for(1), Duration::from_millis(1500));
    }

    #[test]
    fn jitter_kinds() {
        let b = |j| {
            RetryPolicy::builder()
                .jitter(j)
                .random(FixedRandom(0.5))
                .build()
        };
        assert_eq!(b(Jitter::None).delay_for(3), Duration::from_secs(4));
        assert_eq!(b(Jitter::Full).delay_for(3), Duration::from_secs(2));
        assert_eq!(b(Jitter::Equal).delay_for(3), Duration::from_secs(3));
        assert_eq!(b(Jitter::Full).delay_for(40), Duration::from_secs(15));
    }
}
