//! The errors the transfer manager makes itself (the service's come from the client).

use oci_core::{Error, ErrorKind};

/// A local file or writer failed: a body error naming what was being done.
pub(crate) fn local_io(what: String, e: std::io::Error) -> Error {
    Error::with_kind(ErrorKind::Body, format!("{what}: {e}")).with_source(e)
}

/// A spawned part or range task failed (panicked or was cancelled).
pub(crate) fn task_failed(what: &str, join: tokio::task::JoinError) -> Error {
    Error::with_kind(ErrorKind::Other, format!("a {what} task failed: {join}"))
}
