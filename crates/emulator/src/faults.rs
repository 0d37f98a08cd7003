//! Fault injection and the request journal.
//!
//! A [`Fault`] matches requests by service, operation, method and path pattern, triggers on the
//! nth matching call, the first n, always, or with a probability (drawn from an RNG seeded by the
//! emulator's seed, so runs repeat), and then answers with a status and OCI error code (with
//! `Retry-After`), adds latency, drops the connection, hangs, or stalls the body mid-way.

use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Which requests a fault applies to; `None` matches anything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultMatch {
    /// `identity`, `objectstorage` or `delegateaccesscontrol`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// An operation name such as `ListUsers` or `PutObject`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// An HTTP method such as `GET`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// A path pattern where `*` matches any run of characters, e.g. `/n/*/b/*/o/*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// When a matching request triggers the fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum Trigger {
    /// Every matching call.
    Always,
    /// Only the nth matching call (1-based).
    Nth {
        /// Which call.
        n: u64,
    },
    /// The first n matching calls.
    FirstN {
        /// How many calls.
        n: u64,
    },
    /// Each matching call with probability `p` (seeded, deterministic).
    Probability {
        /// From 0 to 1.
        p: f64,
    },
}

/// What a triggered fault does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum FaultAction {
    /// Answer with this status and OCI error code instead of handling the request.
    #[serde(rename_all = "camelCase")]
    Status {
        /// HTTP status.
        status: u16,
        /// OCI error code, e.g. `TooManyRequests`.
        code: String,
        /// Error message (a default names the fault).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// A `retry-after` header, in seconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_secs: Option<u64>,
    },
    /// Wait this long, then handle the request normally.
    Latency {
        /// Milliseconds.
        millis: u64,
    },
    /// Drop the connection without answering.
    Reset,
    /// Never answer (until `millis` pass, then drop the connection; or until shutdown).
    Hang {
        /// Milliseconds; `None` hangs until shutdown.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        millis: Option<u64>,
    },
    /// Handle the request (its writes are committed), then drop the connection before any byte
    /// of the answer: the client cannot tell this from a reset before the request arrived.
    DropAfterCommit,
    /// Handle the request, send the head and `after_bytes` of the body, then stall.
    #[serde(rename_all = "camelCase")]
    StallBody {
        /// Body bytes sent before the stall.
        after_bytes: u64,
        /// Stall this long, then drop the connection; `None` stalls until shutdown.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        millis: Option<u64>,
    },
}

/// A fault rule.
///
/// ```
/// use oci_emulator::Fault;
///
/// let throttle = Fault::status(429, "TooManyRequests")
///     .operation("ListUsers")
///     .first(2)
///     .retry_after(1);
/// let flaky = Fault::reset().service("objectstorage").probability(0.1);
/// # let _ = (throttle, flaky);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// A label shown in the journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Which requests.
    #[serde(default, rename = "match")]
    pub matches: FaultMatch,
    /// When.
    #[serde(default = "always")]
    pub trigger: Trigger,
    /// What.
    pub action: FaultAction,
}

fn always() -> Trigger {
    Trigger::Always
}

impl Fault {
    /// A fault with this action, matching every request, always.
    pub fn new(action: FaultAction) -> Self {
        Fault {
            name: None,
            matches: FaultMatch::default(),
            trigger: Trigger::Always,
            action,
        }
    }
    /// Answer with a status and OCI error code.
    pub fn status(status: u16, code: &str) -> Self {
        Fault::new(FaultAction::Status {
            status,
            code: code.to_owned(),
            message: None,
            retry_after_secs: None,
        })
    }
    /// Add latency.
    pub fn latency(delay: Duration) -> Self {
        Fault::new(FaultAction::Latency {
            millis: delay.as_millis() as u64,
        })
    }
    /// Drop the connection.
    pub fn reset() -> Self {
        Fault::new(FaultAction::Reset)
    }
    /// Handle the request (commit its writes), then drop the connection without answering.
    pub fn drop_after_commit() -> Self {
        Fault::new(FaultAction::DropAfterCommit)
    }
    /// Never answer (until shutdown).
    pub fn hang() -> Self {
        Fault::new(FaultAction::Hang { millis: None })
    }
    /// Send `after_bytes` of the body, then stall until shutdown.
    pub fn stall_body(after_bytes: u64) -> Self {
        Fault::new(FaultAction::StallBody {
            after_bytes,
            millis: None,
        })
    }
    /// Sets `retry-after` (seconds) on a status fault.
    pub fn retry_after(mut self, secs: u64) -> Self {
        if let FaultAction::Status {
            retry_after_secs, ..
        } = &mut self.action
        {
            *retry_after_secs = Some(secs);
        }
        self
    }
    /// Names the fault (shown in the journal).
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }
    /// Only this service (`identity`, `objectstorage`, `delegateaccesscontrol`).
    pub fn service(mut self, service: &str) -> Self {
        self.matches.service = Some(service.to_owned());
        self
    }
    /// Only this operation (e.g. `CreateUser`).
    pub fn operation(mut self, operation: &str) -> Self {
        self.matches.operation = Some(operation.to_owned());
        self
    }
    /// Only this method.
    pub fn method(mut self, method: &str) -> Self {
        self.matches.method = Some(method.to_ascii_uppercase());
        self
    }
    /// Only paths matching this pattern (`*` matches any run of characters).
    pub fn path(mut self, pattern: &str) -> Self {
        self.matches.path = Some(pattern.to_owned());
        self
    }
    /// Only the nth matching call (1-based).
    pub fn nth(mut self, n: u64) -> Self {
        self.trigger = Trigger::Nth { n };
        self
    }
    /// The first n matching calls.
    pub fn first(mut self, n: u64) -> Self {
        self.trigger = Trigger::FirstN { n };
        self
    }
    /// Each matching call with probability `p`.
    pub fn probability(mut self, p: f64) -> Self {
        self.trigger = Trigger::Probability { p };
        self
    }

    fn label(&self, id: u64) -> String {
        match &self.name {
            Some(n) => format!("#{id} {n}"),
            None => format!("#{id} {}", action_label(&self.action)),
        }
    }
}

fn action_label(a: &FaultAction) -> String {
    match a {
        FaultAction::Status { status, code, .. } => format!("status {status} {code}"),
        FaultAction::Latency { millis } => format!("latency {millis} ms"),
        FaultAction::Reset => "reset".into(),
        FaultAction::DropAfterCommit => "drop after commit".into(),
        FaultAction::Hang { .. } => "hang".into(),
        FaultAction::StallBody { after_bytes, .. } => {
            format!("stall body after {after_bytes} bytes")
        }
    }
}

/// A registered fault and how often it matched and fired.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultStatus {
    /// Its id (for removal).
    pub id: u64,
    /// The rule.
    pub fault: Fault,
    /// Matching calls seen.
    pub matched: u64,
    /// Times it fired.
    pub fired: u64,
}

/// A fired fault: its journal label and action.
pub(crate) struct Fired {
    pub label: String,
    pub action: FaultAction,
}

/// The fault rules and their seeded RNG.
pub(crate) struct Faults {
    rules: Vec<FaultStatus>,
    next_id: u64,
    rng: ChaCha8Rng,
    seed: u64,
}

impl Faults {
    pub fn new(seed: u64) -> Self {
        Faults {
            rules: Vec::new(),
            next_id: 1,
            rng: ChaCha8Rng::seed_from_u64(seed),
            seed,
        }
    }

    pub fn add(&mut self, fault: Fault) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.rules.push(FaultStatus {
            id,
            fault,
            matched: 0,
            fired: 0,
        });
        id
    }

    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        before != self.rules.len()
    }

    pub fn clear(&mut self) {
        self.rules.clear();
        self.rng = ChaCha8Rng::seed_from_u64(self.seed);
    }

    pub fn list(&self) -> Vec<FaultStatus> {
        self.rules.clone()
    }

    /// Counts the request against every matching rule; the first that triggers fires.
    pub fn decide(
        &mut self,
        service: &str,
        operation: &str,
        method: &str,
        path: &str,
    ) -> Option<Fired> {
        let mut fired = None;
        for rule in &mut self.rules {
            let m = &rule.fault.matches;
            let ok = m.service.as_deref().map_or(true, |s| s == service)
                && m.operation.as_deref().map_or(true, |o| o == operation)
                && m.method
                    .as_deref()
                    .map_or(true, |x| x.eq_ignore_ascii_case(method))
                && m.path.as_deref().map_or(true, |p| glob(p, path));
            if !ok {
                continue;
            }
            rule.matched += 1;
            let triggered = match rule.fault.trigger {
                Trigger::Always => true,
                Trigger::Nth { n } => rule.matched == n,
                Trigger::FirstN { n } => rule.matched <= n,
                Trigger::Probability { p } => self.rng.gen::<f64>() < p,
            };
            if triggered && fired.is_none() {
                rule.fired += 1;
                fired = Some(Fired {
                    label: rule.fault.label(rule.id),
                    action: rule.fault.action.clone(),
                });
            }
        }
        fired
    }
}

/// `*` matches any run of characters (including `/`).
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// One request as the emulator saw it.
///
/// ```no_run
/// # async fn run(emulator: oci_emulator::Emulator) {
/// for e in emulator.journal() {
///     println!("{} {} {} -> {:?} (fault: {:?})", e.seq, e.method, e.operation, e.status, e.fault);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Order of arrival, from 1.
    pub seq: u64,
    /// The `opc-request-id` the emulator answered with.
    pub opc_request_id: String,
    /// HTTP method.
    pub method: String,
    /// Path and query as received.
    pub path: String,
    /// `identity`, `objectstorage`, `delegateaccesscontrol` or `unknown`.
    pub service: String,
    /// The operation name (e.g. `CreateUser`), or `Unknown`.
    pub operation: String,
    /// The status answered; `None` when the connection was dropped or hung.
    pub status: Option<u16>,
    /// The OCI error code answered, if any.
    pub error_code: Option<String>,
    /// The fault that fired, if any.
    pub fault: Option<String>,
    /// The keyId of a verified signature.
    pub key_id: Option<String>,
    /// When it arrived (RFC 3339, emulator clock).
    pub time: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_runs() {
        assert!(glob("/n/*/b/*/o/*", "/n/ns/b/bk/o/a/b"));
        assert!(glob("*users*", "/20160918/users/?x=1"));
        assert!(!glob("/n/*/b", "/n/ns/b/x"));
        assert!(glob("/exact", "/exact"));
        assert!(!glob("/exact", "/exactly"));
    }

    #[test]
    fn nth_and_first_count_matching_calls_only() {
        let mut f = Faults::new(1);
        f.add(
            Fault::status(503, "ServiceUnavailable")
                .operation("GetUser")
                .nth(2),
        );
        assert!(f.decide("identity", "ListUsers", "GET", "/").is_none());
        assert!(f.decide("identity", "GetUser", "GET", "/").is_none());
        assert!(f.decide("identity", "GetUser", "GET", "/").is_some());
        assert!(f.decide("identity", "GetUser", "GET", "/").is_none());
    }

    #[test]
    fn probability_is_seeded() {
        let run = |seed| {
            let mut f = Faults::new(seed);
            f.add(Fault::reset().probability(0.5));
            (0..64)
                .map(|_| f.decide("identity", "GetUser", "GET", "/").is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        let fired = run(7).iter().filter(|x| **x).count();
        assert!((10..54).contains(&fired), "fired {fired} of 64");
    }
}
