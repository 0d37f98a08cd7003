//! The transfer manager's limits and defaults, and the settings it hands to each transfer.

use oci_core::Error;

/// One mebibyte.
pub const MIB: u64 = 1024 * 1024;
/// Default part size for files and in-memory bytes (as the Python SDK's `upload_file`).
pub const DEFAULT_PART_SIZE: u64 = 128 * MIB;
/// Default part size for streams and readers (as the Python SDK's `upload_stream`).
pub const DEFAULT_STREAM_PART_SIZE: u64 = 10 * MIB;
/// Default size of one ranged GET when downloading.
pub const DEFAULT_DOWNLOAD_CHUNK_SIZE: u64 = 16 * MIB;
/// Default number of parts (or ranges) in flight.
pub const DEFAULT_PARALLELISM: usize = 3;
/// Smallest accepted part (and download chunk) size.
pub const MIN_PART_SIZE: u64 = MIB;
/// Largest part Object Storage accepts (50 GiB).
pub const MAX_PART_SIZE: u64 = 50 * 1024 * MIB;
/// Most parts one multipart upload may have.
pub const MAX_PARTS: u64 = 10_000;
/// Largest accepted parallelism.
pub const MAX_PARALLELISM: usize = 128;
/// Default number of times a broken download body is resumed, per range.
pub const DEFAULT_DOWNLOAD_BODY_RETRIES: u32 = 3;

/// The read buffer for files and readers.
pub(crate) const READ_BUFFER: usize = 256 * 1024;
/// The write buffer for downloads to files.
pub(crate) const WRITE_BUFFER: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy)]
/// A manager's settings, copied into each upload and download.
pub(crate) struct Config {
    pub(crate) part_size: Option<u64>,
    pub(crate) parallelism: usize,
    pub(crate) download_chunk_size: u64,
    pub(crate) download_body_retries: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            part_size: None,
            parallelism: DEFAULT_PARALLELISM,
            download_chunk_size: DEFAULT_DOWNLOAD_CHUNK_SIZE,
            download_body_retries: DEFAULT_DOWNLOAD_BODY_RETRIES,
        }
    }
}

/// Checks a part or chunk size against [`MIN_PART_SIZE`] and [`MAX_PART_SIZE`].
pub(crate) fn check_part_size(bytes: u64, what: &str) -> Result<(), Error> {
    if (MIN_PART_SIZE..=MAX_PART_SIZE).contains(&bytes) {
        Ok(())
    } else {
        Err(Error::invalid_request(format!(
            "{what} must be from {MIN_PART_SIZE} bytes (1 MiB) to {MAX_PART_SIZE} bytes (50 GiB), not {bytes}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked() {
        assert!(check_part_size(MIB - 1, "p").is_err());
        assert!(check_part_size(MIB, "p").is_ok());
        assert!(check_part_size(MAX_PART_SIZE, "p").is_ok());
        assert!(check_part_size(MAX_PART_SIZE + 1, "p").is_err());
    }
}
