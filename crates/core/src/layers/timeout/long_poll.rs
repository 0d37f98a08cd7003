//! [`LongPoll`]: a request the server may hold open, so its timeouts must outlast the poll.

use std::time::Duration;

/// A long poll: the server may hold this request's answer for up to this long (Queue
/// `GetMessages` with `timeoutInSeconds`), carried in the request's extensions.
///
/// ```
/// use std::time::Duration;
/// use oci_core::layers::LongPoll;
///
/// let poll = LongPoll::seconds(20);
/// // A 15 s attempt timeout would end every empty poll: it is raised above the poll.
/// assert_eq!(poll.raise(Some(Duration::from_secs(15))), Some(Duration::from_secs(30)));
/// // A longer timeout, or none, is kept.
/// assert_eq!(poll.raise(Some(Duration::from_secs(60))), Some(Duration::from_secs(60)));
/// assert_eq!(poll.raise(None), None);
/// ```
///
/// Generated operations with a long-poll parameter put one into the request they build (with
/// the server's wait when the parameter is unset); the
/// [`TimeoutLayer`](super::TimeoutLayer)s, attempt and operation, then bound the call by at
/// least the poll plus [`LongPoll::MARGIN`], whatever the client's or the call's
/// ([`CallOptions`](crate::layers::CallOptions)) setting, so a quiet queue is an empty answer,
/// never a timeout and a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongPoll(pub Duration);

impl LongPoll {
    /// Added to the poll for the network and the server's own latency.
    pub const MARGIN: Duration = Duration::from_secs(10);

    /// A poll of `seconds` (negative counts as zero).
    pub fn seconds(seconds: i64) -> Self {
        LongPoll(Duration::from_secs(u64::try_from(seconds).unwrap_or(0)))
    }

    /// The timeout for a call carrying this poll: `after`, raised to the poll plus
    /// [`MARGIN`](Self::MARGIN) when shorter; `None` (no timeout) stays `None`.
    pub fn raise(self, after: Option<Duration>) -> Option<Duration> {
        after.map(|a| a.max(self.0.saturating_add(Self::MARGIN)))
    }
}
