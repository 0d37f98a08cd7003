//! The blob store: object and part bytes as files, written and read as streams.

use std::io;
use std::path::{Path, PathBuf};

use bytes::{Bytes, BytesMut};
use http_body::Frame;
use http_body_util::BodyExt;
use md5::{Digest as _, Md5};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::error::{ApiError, ApiResult};
use crate::http::RespBody;

/// Where bytes live: `<data-dir>/blobs` (durable: fsynced) or a temporary directory.
#[derive(Debug)]
pub(crate) struct Blobs {
    dir: PathBuf,
    durable: bool,
    _temp: Option<tempfile::TempDir>,
}

/// A freshly written blob.
pub(crate) struct Written {
    pub id: String,
    pub size: u64,
    pub md5: [u8; 16],
    /// CRC32C (Castagnoli) of the bytes.
    pub crc32c: u32,
    /// SHA-256 of the bytes, when asked for.
    pub sha256: Option<[u8; 32]>,
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(500, "InternalServerError", format!("blob store: {e}"))
}

impl Blobs {
    /// A blob store in `data_dir/blobs`, or in a temporary directory.
    pub fn new(data_dir: Option<&Path>) -> io::Result<Self> {
        match data_dir {
            Some(d) => {
                let dir = d.join("blobs");
                std::fs::create_dir_all(&dir)?;
                Ok(Blobs {
                    dir,
                    durable: true,
                    _temp: None,
                })
            }
            None => {
                let temp = tempfile::Builder::new().prefix("oci-emulator-").tempdir()?;
                Ok(Blobs {
                    dir: temp.path().to_owned(),
                    durable: false,
                    _temp: Some(temp),
                })
            }
        }
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    fn fresh_id() -> String {
        format!("{:032x}", rand::random::<u128>())
    }

    async fn commit(&self, tmp: &Path, file: tokio::fs::File) -> ApiResult<String> {
        if self.durable {
            file.sync_all().await.map_err(internal)?;
        }
        drop(file);
        let id = Self::fresh_id();
        tokio::fs::rename(tmp, self.path(&id))
            .await
            .map_err(internal)?;
        if self.durable {
            if let Ok(d) = tokio::fs::File::open(&self.dir).await {
                let _ = d.sync_all().await;
            }
        }
        Ok(id)
    }

    /// Streams a request body to a new blob, hashing it on the way (never whole in memory):
    /// MD5 and CRC32C always, SHA-256 when `sha256`.
    pub async fn write<B>(&self, mut body: B, sha256: bool) -> ApiResult<Written>
    where
        B: http_body::Body<Data = Bytes> + Unpin,
        B::Error: std::fmt::Display,
    {
        let tmp = self.dir.join(format!("tmp-{}", Self::fresh_id()));
        let mut file = tokio::fs::File::create(&tmp).await.map_err(internal)?;
        let mut md5 = Md5::new();
        let mut crc = 0u32;
        let mut sha = sha256.then(Sha256::new);
        let mut size = 0u64;
        let result: ApiResult<()> = async {
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| {
                    ApiError::new(
                        400,
                        "InvalidParameter",
                        format!("the request body failed: {e}"),
                    )
                })?;
                if let Ok(data) = frame.into_data() {
                    md5.update(&data);
                    crc = crc32c::crc32c_append(crc, &data);
                    if let Some(s) = sha.as_mut() {
                        s.update(&data);
                    }
                    size += data.len() as u64;
                    file.write_all(&data).await.map_err(internal)?;
                }
            }
            file.flush().await.map_err(internal)
        }
        .await;
        if let Err(e) = result {
            drop(file);
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e);
        }
        let id = self.commit(&tmp, file).await?;
        Ok(Written {
            id,
            size,
            md5: md5.finalize().into(),
            crc32c: crc,
            sha256: sha.map(|s| s.finalize().into()),
        })
    }

    /// Concatenates blobs into a new one by streaming copies; its id, size and CRC32C.
    pub async fn concat(&self, ids: &[String]) -> ApiResult<(String, u64, u32)> {
        let tmp = self.dir.join(format!("tmp-{}", Self::fresh_id()));
        let mut out = tokio::fs::File::create(&tmp).await.map_err(internal)?;
        let mut size = 0;
        let mut crc = 0u32;
        let mut buf = vec![0u8; 256 * 1024];
        for id in ids {
            let mut f = tokio::fs::File::open(self.path(id))
                .await
                .map_err(internal)?;
            loop {
                let n = f.read(&mut buf).await.map_err(internal)?;
                if n == 0 {
                    break;
                }
                let chunk = buf.get(..n).unwrap_or(&[]);
                crc = crc32c::crc32c_append(crc, chunk);
                out.write_all(chunk).await.map_err(internal)?;
                size += n as u64;
            }
        }
        out.flush().await.map_err(internal)?;
        let id = self.commit(&tmp, out).await?;
        Ok((id, size, crc))
    }

    /// Deletes every file of a durable store but the blobs in `keep`: blobs a crash or an undone
    /// write left unreferenced, and half-written temporaries.
    pub fn retain(&self, keep: &std::collections::HashSet<&str>) {
        if !self.durable {
            return;
        }
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if !keep.contains(name.to_string_lossy().as_ref()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Deletes a blob (missing is fine).
    pub fn remove(&self, id: &str) {
        let _ = std::fs::remove_file(self.path(id));
    }

    /// A streaming body of `len` bytes of a blob from `start`.
    pub async fn read(&self, id: &str, start: u64, len: u64) -> ApiResult<RespBody> {
        let mut file = tokio::fs::File::open(self.path(id))
            .await
            .map_err(internal)?;
        file.seek(io::SeekFrom::Start(start))
            .await
            .map_err(internal)?;
        let stream = futures_util::stream::unfold((file, len), |(mut file, left)| async move {
            if left == 0 {
                return None;
            }
            let want = left.min(64 * 1024) as usize;
            let mut buf = BytesMut::zeroed(want);
            match file.read(&mut buf).await {
                Ok(0) => Some((
                    Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "blob shorter than recorded",
                    )),
                    (file, 0),
                )),
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(Frame::data(buf.freeze())), (file, left - n as u64)))
                }
                Err(e) => Some((Err(e), (file, 0))),
            }
        });
        Ok(http_body_util::StreamBody::new(stream).boxed_unsync())
    }
}
