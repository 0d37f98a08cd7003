//! The retry budget: a token bucket shared by every call of a client.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// A token bucket that limits retries across all calls of a client.
///
/// ```
/// use oci_core::layers::retry::RetryBudget;
/// let budget = RetryBudget::standard();
/// assert_eq!(budget.available(), 500);
///
/// let small = RetryBudget::builder().capacity(50).retry_cost(10).build();
/// assert_eq!(small.capacity(), 50);
/// ```
///
/// Every retry takes tokens (5, or 10 after a timeout) and every successful call puts some back
/// (1 when it succeeded first time, else the cost of its last retry), up to the capacity (500).
/// These are smithy-rs's standard retry-quota numbers: a healthy client never notices the
/// budget, while against a service that fails everything a client stops retrying after about
/// 100 retries, so the service sees about one request per call instead of eight. When the
/// bucket is empty, failures are returned at once with a note saying so.
///
/// Clones share the bucket; the client builds one and shares it between all its calls.
#[derive(Debug, Clone)]
pub struct RetryBudget {
    inner: Arc<BudgetInner>,
}

#[derive(Debug)]
struct BudgetInner {
    tokens: AtomicU32,
    capacity: u32,
    retry_cost: u32,
    timeout_cost: u32,
    success_refund: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget::standard()
    }
}

impl RetryBudget {
    /// Capacity 500, retry cost 5, retry-after-timeout cost 10, success refund 1.
    pub fn standard() -> Self {
        RetryBudget::builder().build()
    }

    /// A builder starting from the [standard](Self::standard) numbers.
    pub fn builder() -> RetryBudgetBuilder {
        RetryBudgetBuilder {
            capacity: 500,
            retry_cost: 5,
            timeout_cost: 10,
            success_refund: 1,
        }
    }

    /// Tokens left now.
    pub fn available(&self) -> u32 {
        self.inner.tokens.load(Ordering::Relaxed)
    }

    /// The bucket's size.
    pub fn capacity(&self) -> u32 {
        self.inner.capacity
    }

    /// The tokens a retry takes (more after a timeout).
    pub(super) fn cost(&self, after_timeout: bool) -> u32 {
        if after_timeout {
            self.inner.timeout_cost
        } else {
            self.inner.retry_cost
        }
    }

    /// The tokens a call that succeeded first time puts back.
    pub(super) fn success_refund(&self) -> u32 {
        self.inner.success_refund
    }

    /// Takes `cost` tokens if there are that many.
    pub(super) fn try_acquire(&self, cost: u32) -> bool {
        self.inner
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .is_ok()
    }

    /// Puts `n` tokens back, up to the capacity.
    pub(super) fn refund(&self, n: u32) {
        let cap = self.inner.capacity;
        let _ = self
            .inner
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_add(n).min(cap))
            });
    }
}

/// Builds a [`RetryBudget`]; see there.
///
/// ```
/// use oci_core::layers::retry::RetryBudget;
/// let budget = RetryBudget::builder()
///     .capacity(100)
///     .retry_cost(5)
///     .timeout_cost(10)
///     .success_refund(1)
///     .build();
/// assert_eq!(budget.available(), 100);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RetryBudgetBuilder {
    capacity: u32,
    retry_cost: u32,
    timeout_cost: u32,
    success_refund: u32,
}

impl RetryBudgetBuilder {
    /// The bucket's size, and the tokens it starts with (500).
    pub fn capacity(mut self, tokens: u32) -> Self {
        self.capacity = tokens;
        self
    }
    /// Tokens one retry takes (5).
    pub fn retry_cost(mut self, tokens: u32) -> Self {
        self.retry_cost = tokens;
        self
    }
    /// Tokens one retry after a timeout takes (10).
    pub fn timeout_cost(mut self, tokens: u32) -> Self {
        self.timeout_cost = tokens;
        self
    }
    /// Tokens a call that succeeded at its first attempt puts back (1).
    pub fn success_refund(mut self, tokens: u32) -> Self {
        self.success_refund = tokens;
        self
    }
    /// A full bucket.
    pub fn build(self) -> RetryBudget {
        RetryBudget {
            inner: Arc::new(BudgetInner {
                tokens: AtomicU32::new(self.capacity),
                capacity: self.capacity,
                retry_cost: self.retry_cost,
                timeout_cost: self.timeout_cost,
                success_refund: self.success_refund,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_acquires_and_refunds_up_to_capacity() {
        let b = RetryBudget::builder()
            .capacity(12)
            .retry_cost(5)
            .timeout_cost(10)
            .success_refund(1)
            .build();
        assert!(b.try_acquire(b.cost(false)));
        assert!(!b.try_acquire(b.cost(true)));
        assert_eq!(b.available(), 7);
        b.refund(100);
        assert_eq!(b.available(), 12);
    }
}
