//! Cancelling a transfer: the [`CancellationToken`] an upload watches, and the typed
//! [`Cancelled`] error it ends with.

use std::fmt;

use oci_core::{Error, ErrorKind};
pub use tokio_util::sync::CancellationToken;

/// Why a cancelled transfer failed: the source of its [`Error`]; test for it with
/// [`is_cancelled`].
///
/// ```
/// use oci_objectstorage::transfer::{is_cancelled, Cancelled};
/// let err = oci_core::Error::with_kind(oci_core::ErrorKind::Other, "stopped").with_source(Cancelled);
/// assert!(is_cancelled(&err));
/// assert_eq!(Cancelled.to_string(), "the transfer was cancelled");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cancelled;

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the transfer was cancelled")
    }
}

impl std::error::Error for Cancelled {}

/// Whether `err` ended a transfer because its [`CancellationToken`] was cancelled.
///
/// ```
/// use oci_objectstorage::transfer::is_cancelled;
/// assert!(!is_cancelled(&oci_core::Error::invalid_request("bad")));
/// ```
pub fn is_cancelled(err: &Error) -> bool {
    std::error::Error::source(err).is_some_and(|s| s.is::<Cancelled>())
}

/// The error a cancelled `what` returns (kind [`ErrorKind::Other`], source [`Cancelled`]).
pub(crate) fn cancelled(what: &str) -> Error {
    Error::with_kind(ErrorKind::Other, format!("{what} was cancelled")).with_source(Cancelled)
}

/// Runs `fut` unless `token` is cancelled first (then `fut` is dropped and `on_cancel` returned).
pub(crate) async fn or_cancelled<T>(
    token: Option<&CancellationToken>,
    fut: impl std::future::Future<Output = T>,
    on_cancel: impl FnOnce() -> T,
) -> T {
    match token {
        None => fut.await,
        Some(t) => {
            tokio::select! {
                biased;
                _ = t.cancelled() => on_cancel(),
                out = fut => out,
            }
        }
    }
}
