//! The transfer manager against the in-process emulator (real HTTP, verified signatures).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod env;

mod cancel;
mod dir;
mod dir_download;
mod dir_sync;
mod download;
mod faults;
mod resume;
mod upload;
