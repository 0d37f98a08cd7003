//! Uploads a large file with the transfer manager and downloads it back with ranged parallel
//! GETs, against an in-process emulator: no configuration, no network.
//!
//! ```text
//! cargo run --example large_file                      # 64 MiB, 8 MiB parts, 4 in flight
//! cargo run --example large_file -- --size-mib 256 --part-mib 16 --parallelism 6
//! ```
//!
//! It writes a temporary file of pseudo-random bytes, uploads it as a multipart upload (every part
//! with Content-MD5, streamed from disk, retried on its own), downloads it into another file,
//! checks that both SHA-256 digests match, and removes everything it made.

use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use oci_emulator::Emulator;
use oci_tower::objectstorage::models::CreateBucketDetails;
use oci_tower::objectstorage::transfer::{Progress, TransferManager, UploadSource, MIB};
use oci_tower::objectstorage::ObjectStorageClient;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt as _;

struct Args {
    size_mib: u64,
    part_mib: u64,
    parallelism: usize,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        size_mib: 64,
        part_mib: 8,
        parallelism: 4,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| format!("{name} needs a value"))?
                .parse::<u64>()
                .map_err(|e| format!("{name}: {e}"))
        };
        match flag.as_str() {
            "--size-mib" => a.size_mib = value("--size-mib")?,
            "--part-mib" => a.part_mib = value("--part-mib")?,
            "--parallelism" => a.parallelism = value("--parallelism")? as usize,
            "-h" | "--help" => {
                println!("usage: large_file [--size-mib N] [--part-mib M] [--parallelism P]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}` (try --help)")),
        }
    }
    Ok(a)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let size = args.size_mib * MIB;

    let emulator = Emulator::builder().start().await?;
    let os = ObjectStorageClient::new(emulator.client_builder().build()?);
    let namespace = emulator.namespace().to_owned();
    os.create_bucket()
        .namespace_name(&namespace)
        .create_bucket_details(CreateBucketDetails {
            name: "large-files".into(),
            compartment_id: emulator.tenancy_id().into(),
            ..Default::default()
        })
        .send()
        .await?;

    let dir = tempfile::tempdir()?;
    let source = dir.path().join("source.bin");
    let t = Instant::now();
    let source_sha = write_random_file(&source, size)?;
    println!(
        "wrote {} MiB to {} in {:.2?}",
        args.size_mib,
        source.display(),
        t.elapsed()
    );

    let tm = TransferManager::builder(os)
        .part_size(args.part_mib * MIB)
        .download_chunk_size(args.part_mib * MIB)
        .parallelism(args.parallelism)
        .build()?;

    let shown = AtomicU64::new(u64::MAX);
    let t = Instant::now();
    let up = tm
        .upload(
            &namespace,
            "large-files",
            "source.bin",
            UploadSource::file(&source),
        )
        .progress(move |p| bar("upload  ", p, &shown))
        .send()
        .await?;
    let up_time = t.elapsed();
    eprintln!();
    println!(
        "uploaded in {:.2?} ({:.1} MiB/s): {} parts of {} MiB, {} in flight, multipart md5 {}",
        up_time,
        rate(size, up_time),
        up.parts,
        up.part_size / MIB,
        args.parallelism,
        up.multipart_md5.as_deref().unwrap_or("-"),
    );

    let target = dir.path().join("downloaded.bin");
    let shown = AtomicU64::new(u64::MAX);
    let t = Instant::now();
    let down = tm
        .download_to_file(&namespace, "large-files", "source.bin", &target)
        .progress(move |p| bar("download", p, &shown))
        .send()
        .await?;
    let down_time = t.elapsed();
    eprintln!();
    println!(
        "downloaded in {:.2?} ({:.1} MiB/s): {} ranged GETs",
        down_time,
        rate(size, down_time),
        down.chunks
    );

    let target_sha = sha256_of(&target).await?;
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    println!("sha-256 source     {}", hex(&source_sha));
    println!("sha-256 downloaded {}", hex(&target_sha));
    emulator.shutdown().await;
    drop(dir); // removes both files
    if source_sha != target_sha {
        return Err("the downloaded file differs from the source".into());
    }
    println!("ok: identical");
    Ok(())
}

/// Writes `size` pseudo-random bytes (xorshift) to `path`; returns their SHA-256.
fn write_random_file(path: &Path, size: u64) -> std::io::Result<Vec<u8>> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut hasher = Sha256::new();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut block = vec![0u8; MIB as usize];
    let mut left = size;
    while left > 0 {
        for chunk in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
        let n = left.min(MIB) as usize;
        f.write_all(&block[..n])?;
        hasher.update(&block[..n]);
        left -= n as u64;
    }
    f.flush()?;
    Ok(hasher.finalize().to_vec())
}

async fn sha256_of(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut f = tokio::fs::File::open(path).await?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; MIB as usize];
    loop {
        let n = f.read(&mut buf).await?;
        if n == 0 {
            return Ok(hasher.finalize().to_vec());
        }
        hasher.update(&buf[..n]);
    }
}

/// Redraws the bar when the percentage changes (downloads report every chunk written).
fn bar(label: &str, p: Progress, shown: &AtomicU64) {
    const WIDTH: usize = 40;
    let percent = (p.fraction() * 100.0) as u64;
    if shown.swap(percent, Ordering::Relaxed) == percent {
        return;
    }
    let filled = (p.fraction() * WIDTH as f64).round() as usize;
    eprint!(
        "\r{label} [{}{}] {:>5.1}%  {:>7.1} / {:.1} MiB",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled.min(WIDTH)),
        p.fraction() * 100.0,
        p.bytes_done as f64 / MIB as f64,
        p.total_bytes as f64 / MIB as f64,
    );
}

fn rate(bytes: u64, d: std::time::Duration) -> f64 {
    bytes as f64 / MIB as f64 / d.as_secs_f64().max(1e-9)
}
