//! [`RequestProgress`]: how far one attempt's request body has got, shared by the tracked body,
//! the request-body layer and the attempt timeout.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Waker};
use std::time::Duration;

use tokio::time::Instant;

use crate::BoxError;

/// How far one attempt's request body has got; shared by the body, [`RequestBodyLayer`](super::RequestBodyLayer) and the
/// attempt timeout through the request's extensions.
///
/// ```
/// use oci_core::layers::request_body::RequestProgress;
/// let progress = RequestProgress::new();
/// assert_eq!(progress.bytes_sent(), 0);
/// assert!(!progress.is_sent());
/// ```
///
/// Streamed bodies and large bodies in memory (256 KiB and more) are tracked; a small body in
/// memory is handed to the transport whole, and its progress stays at zero (the attempt timeout
/// then counts from the start of the attempt).
#[derive(Clone, Default)]
pub struct RequestProgress {
    inner: Arc<Mutex<ProgressState>>,
}

#[derive(Default)]
pub(super) struct ProgressState {
    pub(super) phase: Phase,
    pub(super) bytes: u64,
    /// When a byte last moved (or the body was first asked for).
    pub(super) last_moved: Option<Instant>,
    /// The transport asked for the next chunk and the caller's stream had none yet.
    pub(super) waiting_on_source: bool,
    /// The caller's stream failed.
    pub(super) failed: bool,
    /// The caller's stream's own error, for the layer to report.
    pub(super) failure: Option<BoxError>,
    /// The attempt timeout waiting for the body to be sent.
    pub(super) waker: Option<Waker>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Phase {
    /// The transport has not asked for the body yet (or the body is not tracked).
    #[default]
    Idle,
    /// The body is being sent.
    Sending,
    /// The whole body was handed to the transport, or the stream failed, at this instant.
    Done(Instant),
}

impl fmt::Debug for RequestProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.lock();
        f.debug_struct("RequestProgress")
            .field("phase", &s.phase)
            .field("bytes", &s.bytes)
            .finish_non_exhaustive()
    }
}

/// What the attempt timeout does when its time is up (see [`RequestProgress::on_deadline`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deadline {
    /// Fire: the attempt took too long.
    Expired,
    /// Not yet: the attempt's time counts from the end of the body, so wait until then.
    ResetTo(Instant),
    /// The body is still being sent (its stall guard watches it): wait to be woken.
    Wait,
}

impl RequestProgress {
    /// Progress of a body not yet sent.
    pub fn new() -> Self {
        RequestProgress::default()
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, ProgressState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Body bytes handed to the transport so far.
    pub fn bytes_sent(&self) -> u64 {
        self.lock().bytes
    }

    /// Whether the whole body has been handed to the transport.
    pub fn is_sent(&self) -> bool {
        let s = self.lock();
        matches!(s.phase, Phase::Done(_)) && !s.failed
    }

    /// When the body was sent, or the stream failed: the attempt timeout counts from there.
    pub fn sent_at(&self) -> Option<Instant> {
        match self.lock().phase {
            Phase::Done(at) => Some(at),
            _ => None,
        }
    }

    /// The attempt timeout of `after` is up at `now`: fire, or wait for the body.
    pub(crate) fn on_deadline(&self, after: Duration, cx: &mut Context<'_>) -> Deadline {
        let mut s = self.lock();
        match s.phase {
            Phase::Idle => Deadline::Expired,
            Phase::Sending => {
                s.waker = Some(cx.waker().clone());
                Deadline::Wait
            }
            Phase::Done(at) => {
                let until = at + after;
                if Instant::now() < until {
                    Deadline::ResetTo(until)
                } else {
                    Deadline::Expired
                }
            }
        }
    }

    pub(super) fn take_failure(&self) -> Option<BoxError> {
        self.lock().failure.take()
    }

    /// The stall guard's view: `None` once the body is done, else when a byte last moved and
    /// whether the caller's stream was the one with nothing to give.
    pub(super) fn stall_view(&self) -> Option<(Instant, bool)> {
        let s = self.lock();
        match (s.phase, s.last_moved) {
            (Phase::Done(_), _) => None,
            (_, Some(at)) => Some((at, s.waiting_on_source)),
            (_, None) => None,
        }
    }

    pub(super) fn start_clock(&self, now: Instant) {
        let mut s = self.lock();
        if s.last_moved.is_none() {
            s.last_moved = Some(now);
        }
    }

    pub(super) fn finish(s: &mut ProgressState, now: Instant) {
        if !matches!(s.phase, Phase::Done(_)) {
            s.phase = Phase::Done(now);
        }
        s.waiting_on_source = false;
        if let Some(w) = s.waker.take() {
            w.wake();
        }
    }
}
