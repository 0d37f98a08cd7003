//! Downloading into a writer: ranges fetched in parallel, written in order.

use std::sync::Arc;

use futures_util::StreamExt;
use oci_core::{Error, ErrorKind};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::fetch::Fetch;
use crate::transfer::error::local_io;
use crate::transfer::progress::Tracker;

/// Downloads into `out` in order, holding at most `parallelism` ranges.
pub(crate) async fn download_writer(
    ctx: &Arc<Fetch>,
    out: &mut (dyn AsyncWrite + Unpin + Send + '_),
    size: u64,
    chunk: u64,
    count: u64,
    parallelism: usize,
    tracker: &Tracker,
) -> Result<(), Error> {
    let flush_err = |e| local_io("cannot flush the download".into(), e);
    if count == 1 {
        ctx.range(0, size, true, out, Some(tracker)).await?;
        return out.flush().await.map_err(flush_err);
    }
    let mut ranges = futures_util::stream::iter(0..count)
        .map(|index| {
            let ctx = ctx.clone();
            async move {
                let start = index * chunk;
                let len = chunk.min(size - start);
                let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
                ctx.range(start, len, false, &mut buf, None).await?;
                Ok::<_, Error>(buf)
            }
        })
        .buffered(parallelism);
    let mut written = 0u64;
    while let Some(buf) = ranges.next().await {
        let buf = buf?;
        out.write_all(&buf)
            .await
            .map_err(|e| local_io("cannot write the download".into(), e))?;
        written += buf.len() as u64;
        tracker.add(buf.len() as u64);
    }
    out.flush().await.map_err(flush_err)?;
    if written != size {
        return Err(Error::with_kind(
            ErrorKind::Body,
            format!("the download has {written} bytes where HeadObject said {size}"),
        ));
    }
    Ok(())
}
