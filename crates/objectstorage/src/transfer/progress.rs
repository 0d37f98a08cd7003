//! Progress reporting: [`Progress`] and the tracker that feeds a transfer's callback.

use std::sync::{Arc, Mutex};

/// How far a transfer has got.
///
/// ```
/// use oci_objectstorage::transfer::Progress;
/// let p = Progress { bytes_done: 25, total_bytes: 100 };
/// assert_eq!(p.fraction(), 0.25);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes stored (uploads: in completed parts) or written (downloads) so far.
    pub bytes_done: u64,
    /// The object's length.
    pub total_bytes: u64,
}

impl Progress {
    /// `bytes_done / total_bytes`, `1.0` for an empty object.
    pub fn fraction(&self) -> f64 {
        if self.total_bytes == 0 {
            1.0
        } else {
            self.bytes_done as f64 / self.total_bytes as f64
        }
    }
}

/// A progress callback, shared.
pub(crate) type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Counts bytes and calls the callback with a monotonic total (under a lock, so keep it quick).
pub(crate) struct Tracker {
    total: u64,
    done: Mutex<u64>,
    callback: Option<ProgressFn>,
}

impl Tracker {
    /// A tracker of `total` bytes calling `callback` (if any) on every addition.
    pub(crate) fn new(total: u64, callback: Option<ProgressFn>) -> Arc<Self> {
        Arc::new(Tracker {
            total,
            done: Mutex::new(0),
            callback,
        })
    }

    /// Counts `n` more bytes done.
    pub(crate) fn add(&self, n: u64) {
        let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        *done += n;
        if let Some(f) = &self.callback {
            f(Progress {
                bytes_done: *done,
                total_bytes: self.total,
            });
        }
    }
}
