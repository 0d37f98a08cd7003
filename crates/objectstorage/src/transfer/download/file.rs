//! Downloading into a file: ranges written at their offsets in a temporary file, renamed into
//! place once the length is verified.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use oci_core::{Error, ErrorKind};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use tokio::task::JoinSet;

use super::fetch::Fetch;
use crate::transfer::config::WRITE_BUFFER;
use crate::transfer::error::{local_io, task_failed};
use crate::transfer::progress::Tracker;

/// Downloads into a temporary file next to `path` (`fill` writes it), then renames it into
/// place; the temporary file is removed when `fill` or the rename fails.
pub(crate) async fn download_file<F, Fut>(path: &Path, fill: F) -> Result<(), Error>
where
    F: FnOnce(PathBuf) -> Fut,
    Fut: std::future::Future<Output = Result<(), Error>>,
{
    let tmp = temp_path(path);
    let result = fill(tmp.clone()).await;
    let result = match result {
        Ok(()) => tokio::fs::rename(&tmp, path).await.map_err(|e| {
            local_io(
                format!("cannot move the download into {}", path.display()),
                e,
            )
        }),
        Err(e) => Err(e),
    };
    if result.is_err() {
        let _ = tokio::fs::remove_file(&tmp).await;
    }
    result
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "download".into());
    let unique = rand_suffix();
    path.with_file_name(format!(".{name}.{unique}.part"))
}

pub(crate) fn rand_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(u64::from(std::process::id()));
    format!("{:016x}", h.finish())
}

/// Writes the object into `tmp`: one streamed GET, or `count` ranges at their offsets.
pub(crate) async fn fill_file(
    ctx: &Arc<Fetch>,
    tmp: &Path,
    size: u64,
    chunk: u64,
    count: u64,
    parallelism: usize,
    tracker: &Arc<Tracker>,
) -> Result<(), Error> {
    let what = || format!("cannot write {}", tmp.display());
    let file = tokio::fs::File::create(tmp)
        .await
        .map_err(|e| local_io(what(), e))?;
    file.set_len(size).await.map_err(|e| local_io(what(), e))?;
    if count == 1 {
        let mut w = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
        ctx.range(0, size, true, &mut w, Some(tracker)).await?;
        w.flush().await.map_err(|e| local_io(what(), e))?;
    } else {
        drop(file);
        let mut tasks: JoinSet<Result<(), Error>> = JoinSet::new();
        for index in 0..count {
            while tasks.len() >= parallelism {
                join_range(&mut tasks).await?;
            }
            let start = index * chunk;
            let len = chunk.min(size - start);
            let ctx = ctx.clone();
            let tracker = tracker.clone();
            let tmp = tmp.to_owned();
            tasks.spawn(async move {
                let what = || format!("cannot write {}", tmp.display());
                let mut f = tokio::fs::OpenOptions::new()
                    .write(true)
                    .open(&tmp)
                    .await
                    .map_err(|e| local_io(what(), e))?;
                f.seek(SeekFrom::Start(start))
                    .await
                    .map_err(|e| local_io(what(), e))?;
                let mut w = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, f);
                ctx.range(start, len, false, &mut w, Some(&tracker)).await?;
                w.flush().await.map_err(|e| local_io(what(), e))
            });
        }
        while !tasks.is_empty() {
            join_range(&mut tasks).await?;
        }
    }
    let written = tokio::fs::metadata(tmp)
        .await
        .map_err(|e| local_io(what(), e))?
        .len();
    if written != size {
        return Err(Error::with_kind(
            ErrorKind::Body,
            format!("the download has {written} bytes where HeadObject said {size}"),
        ));
    }
    Ok(())
}

async fn join_range(tasks: &mut JoinSet<Result<(), Error>>) -> Result<(), Error> {
    match tasks.join_next().await {
        None | Some(Ok(Ok(()))) => Ok(()),
        Some(Ok(Err(e))) => {
            tasks.shutdown().await;
            Err(e)
        }
        Some(Err(join)) => {
            tasks.shutdown().await;
            Err(task_failed("range download", join))
        }
    }
}
