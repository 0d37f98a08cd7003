//! [`CircuitBreakers`]: one client's breakers, one per endpoint host, and their state machine.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use super::config::{BreakerState, CircuitBreakerConfig};
use crate::Error;

/// One host's breaker, as [`CircuitBreakers::snapshot`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakerSnapshot {
    /// The endpoint host (`host[:port]`).
    pub host: String,
    /// The current state.
    pub state: BreakerState,
    /// Calls counted in the current window.
    pub calls: u32,
    /// Failures counted in the current window.
    pub failures: u32,
    /// While open: how long until a probe is allowed.
    pub open_remaining: Option<Duration>,
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    Closed,
    Open { until: Instant },
    HalfOpen { probing: bool },
}

impl Phase {
    fn state(self) -> BreakerState {
        match self {
            Phase::Closed => BreakerState::Closed,
            Phase::Open { .. } => BreakerState::Open,
            Phase::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }
}

#[derive(Debug)]
struct HostState {
    phase: Phase,
    window_start: Instant,
    calls: u32,
    failures: u32,
}

impl HostState {
    fn reset_counts(&mut self, now: Instant) {
        self.window_start = now;
        self.calls = 0;
        self.failures = 0;
    }
}

pub(super) struct Registry {
    /// How the breakers open and close.
    pub(super) config: CircuitBreakerConfig,
    hosts: Mutex<HashMap<Arc<str>, HostState>>,
}

/// The breakers of one client, one per endpoint host: a handle to read their state.
///
/// ```
/// use oci_core::layers::breaker::{BreakerState, CircuitBreakerConfig, CircuitBreakers};
///
/// let breakers = CircuitBreakers::new(CircuitBreakerConfig::default());
/// assert_eq!(breakers.state("identity.us-ashburn-1.oci.oraclecloud.com"), BreakerState::Closed);
/// for b in breakers.snapshot() {
///     println!("{} {} {}/{}", b.host, b.state, b.failures, b.calls);
/// }
/// ```
///
/// Clones share the state. `Client::circuit_breakers()` returns the client's handle; hosts
/// never seen are closed.
#[derive(Clone)]
pub struct CircuitBreakers {
    pub(super) inner: Arc<Registry>,
}

impl fmt::Debug for CircuitBreakers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreakers")
            .field("config", &self.inner.config)
            .field("hosts", &self.snapshot())
            .finish()
    }
}

/// What a call was admitted as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Admission {
    Normal,
    Probe,
}

enum Change {
    None,
    Changed(BreakerState, BreakerState),
}

impl CircuitBreakers {
    /// Breakers with `config`, all closed.
    pub fn new(config: CircuitBreakerConfig) -> Self {
        CircuitBreakers {
            inner: Arc::new(Registry {
                config,
                hosts: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &CircuitBreakerConfig {
        &self.inner.config
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Arc<str>, HostState>> {
        self.inner.hosts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The state of `host`'s breaker (`Open` turns into `HalfOpen` when the open period is over).
    pub fn state(&self, host: &str) -> BreakerState {
        let now = Instant::now();
        match self.lock().get(host) {
            None => BreakerState::Closed,
            Some(h) => Self::visible(h.phase, now),
        }
    }

    fn visible(phase: Phase, now: Instant) -> BreakerState {
        match phase {
            Phase::Open { until } if now >= until => BreakerState::HalfOpen,
            p => p.state(),
        }
    }

    /// Every host seen so far, sorted by host.
    pub fn snapshot(&self) -> Vec<BreakerSnapshot> {
        let now = Instant::now();
        let mut out: Vec<BreakerSnapshot> = self
            .lock()
            .iter()
            .map(|(host, h)| BreakerSnapshot {
                host: host.to_string(),
                state: Self::visible(h.phase, now),
                calls: h.calls,
                failures: h.failures,
                open_remaining: match h.phase {
                    Phase::Open { until } if until > now => Some(until - now),
                    _ => None,
                },
            })
            .collect();
        out.sort_by(|a, b| a.host.cmp(&b.host));
        out
    }

    /// Admits a call to `host` or fails fast; an admitted call gets the host's key, which its
    /// permit keeps (shared with the map: no copy of the host per call).
    pub(super) fn admit(&self, host: &str) -> Result<(Admission, BreakerState, Arc<str>), Error> {
        let now = Instant::now();
        let cfg = &self.inner.config;
        let (result, change) = {
            let mut hosts = self.lock();
            let key = hosts
                .get_key_value(host)
                .map_or_else(|| Arc::from(host), |(k, _)| Arc::clone(k));
            let h = hosts.entry(Arc::clone(&key)).or_insert_with(|| HostState {
                phase: Phase::Closed,
                window_start: now,
                calls: 0,
                failures: 0,
            });
            match h.phase {
                Phase::Closed => {
                    if now.duration_since(h.window_start) >= cfg.window {
                        h.reset_counts(now);
                    }
                    (
                        Ok((Admission::Normal, BreakerState::Closed, key)),
                        Change::None,
                    )
                }
                Phase::Open { until } if now < until => (
                    Err(Error::circuit_open(host, Some(until - now))),
                    Change::None,
                ),
                Phase::Open { .. } | Phase::HalfOpen { probing: false } => {
                    let from = h.phase.state();
                    h.phase = Phase::HalfOpen { probing: true };
                    let change = if from == BreakerState::HalfOpen {
                        Change::None
                    } else {
                        Change::Changed(from, BreakerState::HalfOpen)
                    };
                    (Ok((Admission::Probe, BreakerState::HalfOpen, key)), change)
                }
                Phase::HalfOpen { probing: true } => (
                    Err(Error::circuit_open(host, None).with_note("a half-open probe is in flight")),
                    Change::None,
                ),
            }
        };
        self.notify(host, change);
        result
    }

    /// Records the outcome of a call admitted as `admission` (`None`: dropped unfinished).
    pub(super) fn record(&self, host: &str, admission: Admission, failure: Option<bool>) {
        let now = Instant::now();
        let cfg = &self.inner.config;
        let change = {
            let mut hosts = self.lock();
            let Some(h) = hosts.get_mut(host) else {
                return;
            };
            match (admission, h.phase, failure) {
                // A probe that was dropped before it finished: let another one through.
                (Admission::Probe, Phase::HalfOpen { .. }, None) => {
                    h.phase = Phase::HalfOpen { probing: false };
                    Change::None
                }
                (Admission::Probe, Phase::HalfOpen { .. }, Some(true)) => {
                    h.phase = Phase::Open {
                        until: now + cfg.open_for,
                    };
                    Change::Changed(BreakerState::HalfOpen, BreakerState::Open)
                }
                (Admission::Probe, Phase::HalfOpen { .. }, Some(false)) => {
                    h.phase = Phase::Closed;
                    h.reset_counts(now);
                    Change::Changed(BreakerState::HalfOpen, BreakerState::Closed)
                }
                (Admission::Normal, Phase::Closed, Some(failed)) => {
                    if now.duration_since(h.window_start) >= cfg.window {
                        h.reset_counts(now);
                    }
                    h.calls += 1;
                    if failed {
                        h.failures += 1;
                    }
                    let rate = f64::from(h.failures) / f64::from(h.calls);
                    if h.calls >= cfg.min_calls && rate >= cfg.failure_rate {
                        h.phase = Phase::Open {
                            until: now + cfg.open_for,
                        };
                        Change::Changed(BreakerState::Closed, BreakerState::Open)
                    } else {
                        Change::None
                    }
                }
                // A call admitted in an earlier state finished late: it no longer counts.
                _ => Change::None,
            }
        };
        self.notify(host, change);
    }

    fn notify(&self, host: &str, change: Change) {
        let Change::Changed(from, to) = change else {
            return;
        };
        if to == BreakerState::Open {
            tracing::warn!(
                target: "oci_tower::circuit_breaker",
                host,
                from = from.as_str(),
                to = to.as_str(),
                "circuit breaker state changed"
            );
        } else {
            tracing::info!(
                target: "oci_tower::circuit_breaker",
                host,
                from = from.as_str(),
                to = to.as_str(),
                "circuit breaker state changed"
            );
        }
        if let Some(listener) = &self.inner.config.listener {
            listener(host, from, to);
        }
    }
}
