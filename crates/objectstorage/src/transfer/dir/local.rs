//! The local side of a directory transfer: walking a tree, and whether a file holds an object's
//! content (the rule both directions skip by).

use std::path::{Path, PathBuf};

use base64::Engine as _;
use md5::{Digest, Md5};
use oci_core::Error;

use crate::operations::HeadObjectResponse;
use crate::transfer::config::DEFAULT_PART_SIZE;
use crate::transfer::manager::TransferManager;
use crate::transfer::parts::{effective_part_size, md5_of_file_range};

/// Whether the file at `path` (`len` bytes) has the content of the object `head` describes:
/// the same length, and the same MD5 (`opc-multipart-md5` computed with the manager's part
/// size, or `Content-MD5`). An object with neither checksum is never identical.
pub(super) async fn same_content(
    tm: &TransferManager,
    path: &Path,
    len: u64,
    head: &HeadObjectResponse,
) -> Result<bool, Error> {
    if head.content_length != Some(len) {
        return Ok(false);
    }
    let part_size = effective_part_size(len, tm.config().part_size.unwrap_or(DEFAULT_PART_SIZE));
    Ok(if let Some(mp) = &head.opc_multipart_md5 {
        *mp == multipart_md5(path, len, part_size).await?
    } else if let Some(md5) = &head.content_md5 {
        *md5 == md5_of_file_range(path, 0, len).await?
    } else {
        false
    })
}

/// The `opc-multipart-md5` of `path` cut in parts of `part_size`: base64 of the MD5 of the
/// parts' MD5s, then `-` and the part count.
async fn multipart_md5(path: &Path, len: u64, part_size: u64) -> Result<String, Error> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut all = Md5::new();
    let count = len.div_ceil(part_size).max(1);
    for i in 0..count {
        let offset = i * part_size;
        let part = md5_of_file_range(path, offset, part_size.min(len - offset)).await?;
        let raw = b64
            .decode(part)
            .map_err(|e| Error::with_kind(oci_core::ErrorKind::Other, e.to_string()))?;
        all.update(raw);
    }
    Ok(format!("{}-{count}", b64.encode(all.finalize())))
}

/// Every regular file under `dir` with its `/`-separated path relative to `dir`, sorted.
/// Symbolic links are not followed (nor listed).
pub(super) async fn walk(dir: &Path) -> Result<Vec<(PathBuf, String)>, Error> {
    let io = |p: &Path, e: std::io::Error| {
        Error::invalid_request(format!("cannot read directory {}: {e}", p.display())).with_source(e)
    };
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, rel)) = stack.pop() {
        let mut entries = tokio::fs::read_dir(&d).await.map_err(|e| io(&d, e))?;
        while let Some(entry) = entries.next_entry().await.map_err(|e| io(&d, e))? {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(Error::invalid_request(format!(
                    "{} is not a UTF-8 name: it cannot be an object name",
                    entry.path().display()
                )));
            };
            let rel = format!("{rel}{name}");
            let kind = entry.file_type().await.map_err(|e| io(&d, e))?;
            if kind.is_dir() {
                stack.push((entry.path(), format!("{rel}/")));
            } else if kind.is_file() {
                out.push((entry.path(), rel));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}
