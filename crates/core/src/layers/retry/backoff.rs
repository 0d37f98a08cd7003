//! Backoff: the exponential sleep before each retry, its jitter and the random source behind it.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use rand::{Rng, SeedableRng};

/// A source of uniform random numbers in `[0, 1)` for backoff jitter.
///
/// ```
/// use oci_core::layers::retry::{RandomSource, SeededRandom};
/// let a = SeededRandom::new(7);
/// let b = SeededRandom::new(7);
/// assert_eq!(a.unit(), b.unit()); // same seed, same sequence: deterministic sleeps in tests
/// ```
///
/// The default is [`ThreadRandom`]; tests inject [`SeededRandom`] or [`FixedRandom`] so the
/// sleep sequence is known in advance.
pub trait RandomSource: Send + Sync + fmt::Debug + 'static {
    /// A number in `[0, 1)`.
    fn unit(&self) -> f64;
}

/// Jitter from the thread-local random generator.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadRandom;

impl RandomSource for ThreadRandom {
    fn unit(&self) -> f64 {
        rand::thread_rng().gen::<f64>()
    }
}

/// A seeded generator: the same seed gives the same sequence.
#[derive(Debug)]
pub struct SeededRandom(Mutex<rand::rngs::StdRng>);

impl SeededRandom {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SeededRandom(Mutex::new(rand::rngs::StdRng::seed_from_u64(seed)))
    }
}

impl RandomSource for SeededRandom {
    fn unit(&self) -> f64 {
        let mut rng = self.0.lock().unwrap_or_else(|p| p.into_inner());
        rng.gen::<f64>()
    }
}

/// Always the same number (clamped to `[0, 1)`): for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedRandom(pub f64);

impl RandomSource for FixedRandom {
    fn unit(&self) -> f64 {
        self.0.clamp(0.0, 0.999_999_999)
    }
}

/// How randomness is mixed into the exponential backoff `e = base * 2^(n-1)` before retry `n`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Jitter {
    /// `min(e, max)`: no randomness.
    None,
    /// `min(e + U(0, j), max)`: OCI's default, with `j` = 1 s.
    Additive(Duration),
    /// `U(0, min(e, max))` ("full jitter").
    Full,
    /// `c/2 + U(0, c/2)` with `c = min(e, max)` ("equal jitter").
    Equal,
}

/// The exponential backoff with jitter: `base`, doubling per retry, capped at `max`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Backoff {
    pub(super) base: Duration,
    pub(super) max: Duration,
    pub(super) jitter: Jitter,
}

impl Backoff {
    /// The sleep before retry `retry` (1 for the first retry), drawing jitter from `random`.
    pub(super) fn delay(&self, retry: u32, random: &dyn RandomSource) -> Duration {
        let unit = || {
            let u = random.unit();
            if u.is_finite() {
                u.clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        let base = self.base.as_secs_f64();
        let cap = self.max.as_secs_f64();
        let exp = base * 2f64.powi(retry.saturating_sub(1).min(1000) as i32);
        let secs = match self.jitter {
            Jitter::None => exp.min(cap),
            Jitter::Additive(j) => (exp + unit() * j.as_secs_f64()).min(cap),
            Jitter::Full => unit() * exp.min(cap),
            Jitter::Equal => {
                let c = exp.min(cap);
                c / 2.0 + unit() * c / 2.0
            }
        };
        Duration::try_from_secs_f64(secs).unwrap_or(self.max)
    }
}
