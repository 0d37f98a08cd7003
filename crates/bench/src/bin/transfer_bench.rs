//! `transfer-bench`: the transfer manager's side of T10 (a large file up and down) and T11 (a
//! directory of small files up).
//!
//! ```text
//! transfer-bench file --config DIR/config --endpoint URL --namespace NS --bucket B --object NAME \
//!     --file PATH --out PATH [--part-mib 128] [--parallelism 3] [--threads 1]
//! transfer-bench dir  --config DIR/config --endpoint URL --namespace NS --bucket B --dir DIR \
//!     [--prefix P] [--files-in-flight 16] [--threads 1]
//! ```
//!
//! - `file`: `TransferManager::upload` of `UploadSource::file(PATH)` (parts of `--part-mib` MiB,
//!   `--parallelism` in flight, each part streamed from disk with its `Content-MD5`), then
//!   `TransferManager::download_to_file` into `--out` (ranged GETs of the manager's default chunk
//!   size, `--parallelism` in flight, each written at its offset). After the timed part it
//!   compares `--out` with `--file` byte for byte and refuses to report when they differ.
//! - `dir`: `TransferManager::upload_dir` of every file under `--dir` to objects under
//!   `--prefix`, `--files-in-flight` files at once, overwriting without looking first
//!   (`IfExists::Overwrite`, like `oci os object bulk-upload --overwrite`). Refuses to report
//!   when any file failed.
//!
//! Both print one JSON object: what was moved, the seconds each step took inside the process, the
//! rates, and this process's peak RSS (`VmHWM`) as a cross-check of `/usr/bin/time -v`. The
//! bucket is created beforehand with `object-load bucket`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use oci_bench::{runtime, vm_hwm_kib, Args, BenchError};
use oci_core::{Client, Config, Endpoint};
use oci_objectstorage::transfer::{IfExists, TransferManager, UploadSource, MIB};
use oci_objectstorage::ObjectStorageClient;

fn main() {
    if let Err(e) = run() {
        eprintln!("transfer-bench: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), BenchError> {
    let mut argv = std::env::args().skip(1);
    let cmd = argv
        .next()
        .ok_or("usage: transfer-bench file|dir --option value ...")?;
    let args = Args::parse_from(argv)?;
    let need = |name: &str| -> Result<String, BenchError> {
        Ok(args
            .get_str(name)
            .ok_or_else(|| format!("--{name} is required"))?
            .to_owned())
    };
    let config = Config::from_file(Some(&PathBuf::from(need("config")?)), None)?;
    let os = ObjectStorageClient::new(
        Client::builder()
            .config(&config)?
            .endpoint(Endpoint::parse(&need("endpoint")?)?)
            .build()?,
    );
    let namespace = need("namespace")?;
    let bucket = need("bucket")?;
    let rt = runtime(args.get("threads", 1)?)?;
    let record = match cmd.as_str() {
        "file" => {
            let part_mib: u64 = args.get("part-mib", 128)?;
            let parallelism: usize = args.get("parallelism", 3)?;
            let tm = TransferManager::builder(os)
                .part_size(part_mib * MIB)
                .parallelism(parallelism)
                .build()?;
            let file = PathBuf::from(need("file")?);
            let out = PathBuf::from(need("out")?);
            let object = need("object")?;
            let (up, up_s, down, down_s) = rt.block_on(async {
                let t = Instant::now();
                let up = tm
                    .upload(&namespace, &bucket, &object, UploadSource::file(&file))
                    .send()
                    .await?;
                let up_s = t.elapsed().as_secs_f64();
                let t = Instant::now();
                let down = tm
                    .download_to_file(&namespace, &bucket, &object, &out)
                    .send()
                    .await?;
                Ok::<_, BenchError>((up, up_s, down, t.elapsed().as_secs_f64()))
            })?;
            same_content(&file, &out)?;
            let mib = up.bytes as f64 / MIB as f64;
            serde_json::json!({
                "bench": "transfer-bench file",
                "bytes": up.bytes,
                "part_size": up.part_size,
                "parts": up.parts,
                "parallelism": parallelism,
                "download_chunks": down.chunks,
                "upload_seconds": up_s,
                "download_seconds": down_s,
                "upload_mib_per_sec": mib / up_s,
                "download_mib_per_sec": mib / down_s,
                "mib_per_sec": 2.0 * mib / (up_s + down_s),
                "verified": true,
                "vm_hwm_kib": vm_hwm_kib(),
            })
        }
        "dir" => {
            let files_in_flight: usize = args.get("files-in-flight", 16)?;
            let dir = need("dir")?;
            let prefix = args.get_str("prefix").unwrap_or("").to_owned();
            let tm = TransferManager::new(os);
            let t = Instant::now();
            let out = rt.block_on(
                tm.upload_dir(&namespace, &bucket, &dir)
                    .prefix(prefix)
                    .files_in_flight(files_in_flight)
                    .if_exists(IfExists::Overwrite)
                    .send(),
            )?;
            let secs = t.elapsed().as_secs_f64();
            if let Some(f) = out.failed().next() {
                let n = out.failed().count();
                return Err(
                    format!("{n} file(s) failed, e.g. {}: {:?}", f.object, f.outcome).into(),
                );
            }
            let uploaded = out.uploaded();
            serde_json::json!({
                "bench": "transfer-bench dir",
                "objects": out.files.len(),
                "uploaded": uploaded,
                "files_in_flight": files_in_flight,
                "seconds": secs,
                "objects_per_sec": uploaded as f64 / secs,
                "vm_hwm_kib": vm_hwm_kib(),
            })
        }
        other => return Err(format!("unknown command `{other}`").into()),
    };
    println!("{record}");
    Ok(())
}

/// Compares two files in 1 MiB blocks (after the timed part): the download must be the upload.
fn same_content(a: &Path, b: &Path) -> Result<(), BenchError> {
    let (mut fa, mut fb) = (std::fs::File::open(a)?, std::fs::File::open(b)?);
    if fa.metadata()?.len() != fb.metadata()?.len() {
        return Err(format!("{} and {} differ in length", a.display(), b.display()).into());
    }
    let (mut ba, mut bb) = (vec![0u8; MIB as usize], vec![0u8; MIB as usize]);
    loop {
        let n = read_full(&mut fa, &mut ba)?;
        if n != read_full(&mut fb, &mut bb)? || ba[..n] != bb[..n] {
            return Err(format!("{} differs from {}", b.display(), a.display()).into());
        }
        if n == 0 {
            return Ok(());
        }
    }
}

/// Fills `buf` as far as the file goes; the count read (less than `buf.len()` only at the end).
fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}
