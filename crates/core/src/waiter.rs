//! Waiters: poll a `Get` operation until the resource reaches a target state.
//!
//! ```no_run
//! use std::time::Duration;
//! use oci_core::waiter::Waiter;
//! # #[derive(Clone)] struct GetThing;
//! # impl oci_core::Request for GetThing {
//! #     type Output = String;
//! #     const SERVICE: oci_core::ServiceInfo = oci_core::ServiceInfo { name: "x", endpoint_template: "", base_path: "" };
//! #     const OPERATION: &'static str = "GetThing";
//! #     fn into_http(self, _: &oci_core::Endpoint) -> Result<http::Request<oci_core::Body>, oci_core::Error> { unimplemented!() }
//! #     async fn parse(_: http::Response<oci_core::Body>) -> Result<String, oci_core::Error> { unimplemented!() }
//! # }
//! # async fn run(client: oci_core::Client) -> Result<(), oci_core::Error> {
//! let thing = Waiter::new(client, GetThing, |state: &String| Some(state.clone()))
//!     .target(["ACTIVE".to_owned()])
//!     .max_wait(Duration::from_secs(300))
//!     .wait()
//!     .await?;
//! # let _ = thing; Ok(()) }
//! ```
//!
//! The interval starts at 1 s and doubles up to 30 s (no jitter), and the wait gives up after
//! 20 minutes, as the official SDKs do; all three are settable. Each poll is one
//! [`Client::send`], so the client's retry policy applies per poll. Time is tokio's, so tests can
//! pause it.

use std::fmt;
use std::time::Duration;

use tokio::time::Instant;

use crate::{Client, Error, ErrorKind, Request};

/// A waiter gave up: the resource did not reach a target state in time, or reached a state
/// that can never lead to one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitError {
    /// `max_wait` elapsed first.
    Timeout {
        /// How long the waiter waited.
        waited: Duration,
        /// The last state seen, as text.
        last_state: Option<String>,
    },
    /// The resource reached one of the failure states.
    FailureState {
        /// The state reached, as text.
        state: String,
    },
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Timeout { waited, last_state } => {
                write!(f, "waiter timed out after {waited:?}")?;
                if let Some(s) = last_state {
                    write!(f, " (last state {s})")?;
                }
                Ok(())
            }
            WaitError::FailureState { state } => {
                write!(f, "waiter stopped: resource reached failure state {state}")
            }
        }
    }
}

impl std::error::Error for WaitError {}

impl From<WaitError> for Error {
    fn from(e: WaitError) -> Self {
        let kind = match e {
            WaitError::Timeout { .. } => ErrorKind::Timeout,
            WaitError::FailureState { .. } => ErrorKind::Other,
        };
        Error::with_kind(kind, e.to_string()).with_source(e)
    }
}

/// Polls a request until a state read from its output is one of the targets.
///
/// The error of [`Waiter::wait`] is an [`Error`]: a timeout has kind
/// [`ErrorKind::Timeout`] and its [`source`](std::error::Error::source) is a [`WaitError`].
pub struct Waiter<R: Request, S> {
    client: Client,
    request: R,
    state: fn(&R::Output) -> Option<S>,
    targets: Vec<S>,
    failures: Vec<S>,
    max_wait: Duration,
    first_interval: Duration,
    max_interval: Duration,
}

impl<R: Request, S> fmt::Debug for Waiter<R, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter")
            .field("operation", &R::OPERATION)
            .field("max_wait", &self.max_wait)
            .field("max_interval", &self.max_interval)
            .finish_non_exhaustive()
    }
}

impl<R, S> Waiter<R, S>
where
    R: Request + Clone,
    S: PartialEq + fmt::Display,
{
    /// A waiter that sends `request` and reads the state with `state`.
    pub fn new(client: Client, request: R, state: fn(&R::Output) -> Option<S>) -> Self {
        Waiter {
            client,
            request,
            state,
            targets: Vec::new(),
            failures: Vec::new(),
            max_wait: Duration::from_secs(1200),
            first_interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(30),
        }
    }

    /// The states that end the wait successfully (at least one is needed).
    pub fn target(mut self, states: impl IntoIterator<Item = S>) -> Self {
        self.targets.extend(states);
        self
    }

    /// States that end the wait with [`WaitError::FailureState`] (e.g. `FAILED`).
    pub fn failure(mut self, states: impl IntoIterator<Item = S>) -> Self {
        self.failures.extend(states);
        self
    }

    /// The longest total wait (20 minutes by default).
    pub fn max_wait(mut self, d: Duration) -> Self {
        self.max_wait = d;
        self
    }

    /// The first polling interval (1 s by default); it doubles after each poll.
    pub fn interval(mut self, d: Duration) -> Self {
        self.first_interval = d;
        self
    }

    /// The cap on the polling interval (30 s by default).
    pub fn max_interval(mut self, d: Duration) -> Self {
        self.max_interval = d;
        self
    }

    /// Polls until a target state, a failure state, an error or the deadline.
    pub async fn wait(self) -> Result<R::Output, Error> {
        match self.run(false).await? {
            Some(output) => Ok(output),
            None => Err(Error::with_kind(
                ErrorKind::Other,
                "unreachable: a waiter that fails on 404 saw a 404 as success",
            )),
        }
    }

    /// As [`Waiter::wait`], but a 404 ends the wait successfully with `None`: for deletions,
    /// where the resource may vanish before it is seen in its `DELETED` state.
    pub async fn wait_or_gone(self) -> Result<Option<R::Output>, Error> {
        self.run(true).await
    }

    async fn run(self, gone_ok: bool) -> Result<Option<R::Output>, Error> {
        if self.targets.is_empty() {
            return Err(Error::invalid_request(
                "waiter needs at least one target state",
            ));
        }
        let start = Instant::now();
        let mut interval = self.first_interval;
        loop {
            let output = match self.client.send(self.request.clone()).await {
                Ok(output) => output,
                Err(e) if gone_ok && e.is_not_found() => return Ok(None),
                Err(e) => return Err(e),
            };
            let state = (self.state)(&output);
            if let Some(s) = &state {
                if self.targets.contains(s) {
                    return Ok(Some(output));
                }
                if self.failures.contains(s) {
                    return Err(WaitError::FailureState {
                        state: s.to_string(),
                    }
                    .into());
                }
            }
            let waited = start.elapsed();
            if waited >= self.max_wait {
                return Err(WaitError::Timeout {
                    waited,
                    last_state: state.map(|s| s.to_string()),
                }
                .into());
            }
            let sleep = interval.min(self.max_wait - waited);
            tokio::time::sleep(sleep).await;
            interval = (interval * 2).min(self.max_interval);
        }
    }
}
