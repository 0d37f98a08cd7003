//! The transfer manager against the in-process emulator (real HTTP, verified signatures).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use oci_core::layers::retry::{Jitter, RetryPolicy};
use oci_core::stack::BoxStack;
use oci_core::{Body, Error, ErrorKind, OperationInfo};
use oci_emulator::{Emulator, Fault};
use oci_objectstorage::models::CreateBucketDetails;
use oci_objectstorage::transfer::{Progress, TransferManager, UploadSource, MIB};
use oci_objectstorage::ObjectStorageClient;
use sha2::{Digest, Sha256};

const BUCKET: &str = "transfers";

/// What the probe saw of one `UploadPart` attempt.
#[derive(Debug, Clone)]
struct PartAttempt {
    len: Option<u64>,
    in_memory: bool,
    replayable: bool,
    md5_header: bool,
}

/// An attempt layer that counts `UploadPart` attempts in flight and records their bodies.
#[derive(Default)]
struct ProbeState {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    parts: Mutex<Vec<PartAttempt>>,
    /// Called at the start of each UploadPart attempt.
    on_part: Mutex<Option<Box<dyn Fn() + Send>>>,
}

#[derive(Clone)]
struct Probe {
    inner: BoxStack,
    state: Arc<ProbeState>,
}

impl tower::Service<http::Request<Body>> for Probe {
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let is_part = req
            .extensions()
            .get::<OperationInfo>()
            .is_some_and(|o| o.operation == "UploadPart");
        let state = self.state.clone();
        if is_part {
            if let Some(f) = state.on_part.lock().unwrap().as_ref() {
                f();
            }
            state.parts.lock().unwrap().push(PartAttempt {
                len: req.body().content_length(),
                in_memory: req.body().as_bytes().is_some(),
                replayable: req.body().is_replayable(),
                md5_header: req.headers().contains_key("content-md5"),
            });
            let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            state.max_in_flight.fetch_max(now, Ordering::SeqCst);
        }
        let fut = self.inner.call(req);
        Box::pin(async move {
            let out = fut.await;
            if is_part {
                state.in_flight.fetch_sub(1, Ordering::SeqCst);
            }
            out
        })
    }
}

struct Env {
    emu: Emulator,
    os: ObjectStorageClient,
    ns: String,
    probe: Arc<ProbeState>,
}

impl Env {
    fn tm(&self, parallelism: usize) -> TransferManager {
        TransferManager::builder(self.os.clone())
            .part_size(MIB)
            .download_chunk_size(MIB)
            .parallelism(parallelism)
            .build()
            .unwrap()
    }

    fn ops(&self, op: &str) -> Vec<Option<u16>> {
        self.emu
            .journal()
            .into_iter()
            .filter(|e| e.operation == op)
            .map(|e| e.status)
            .collect()
    }

    async fn get(&self, object: &str) -> Bytes {
        self.os
            .get_object()
            .namespace_name(&self.ns)
            .bucket_name(BUCKET)
            .object_name(object)
            .send()
            .await
            .unwrap()
            .body
            .collect()
            .await
            .unwrap()
    }

    async fn open_uploads(&self) -> usize {
        self.os
            .list_multipart_uploads()
            .namespace_name(&self.ns)
            .bucket_name(BUCKET)
            .send()
            .await
            .unwrap()
            .body
            .len()
    }
}

/// An emulator with a bucket and a client whose retries are fast (1-5 ms) and whose circuit
/// breaker is off, so injected faults are retried without real waits.
async fn env() -> Env {
    env_with(|b| b).await
}

async fn env_with(f: impl FnOnce(oci_core::ClientBuilder) -> oci_core::ClientBuilder) -> Env {
    let emu = Emulator::builder().seed(5).start().await.unwrap();
    let probe = Arc::new(ProbeState::default());
    let p = probe.clone();
    let builder = emu
        .client_builder()
        .retry_policy(
            RetryPolicy::builder()
                .max_attempts(4)
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(5))
                .jitter(Jitter::None)
                .build(),
        )
        .circuit_breaker(None)
        .attempt_layer(tower::layer::layer_fn(move |inner| Probe {
            inner,
            state: p.clone(),
        }));
    let os = ObjectStorageClient::new(f(builder).build().unwrap());
    let ns = emu.namespace().to_owned();
    os.create_bucket()
        .namespace_name(&ns)
        .create_bucket_details(CreateBucketDetails {
            name: BUCKET.into(),
            compartment_id: emu.tenancy_id().into(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    emu.clear_journal();
    Env { emu, os, ns, probe }
}

/// Deterministic pseudo-random content.
fn content(len: usize, seed: u8) -> Bytes {
    let mut x: u32 = 0x9e37_79b9 ^ u32::from(seed);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect::<Vec<u8>>()
        .into()
}

fn sha(b: &[u8]) -> Vec<u8> {
    Sha256::digest(b).to_vec()
}

fn recorder() -> (Arc<Mutex<Vec<Progress>>>, impl Fn(Progress) + Send + Sync) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    (seen, move |p| s.lock().unwrap().push(p))
}

#[tokio::test]
async fn small_content_is_one_put_object_with_content_md5() {
    let env = env().await;
    let data = content(300 * 1024, 1);
    let (seen, progress) = recorder();
    let out = env
        .tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "small.bin",
            UploadSource::bytes(data.clone()),
        )
        .progress(progress)
        .send()
        .await
        .unwrap();
    assert_eq!(out.parts, 1);
    assert_eq!(out.upload_id, None);
    assert!(out.etag.is_some());
    assert_eq!(env.ops("PutObject"), vec![Some(200)]);
    assert!(env.ops("CreateMultipartUpload").is_empty());
    assert!(env.ops("UploadPart").is_empty());
    // The service checked our Content-MD5 and echoes its own.
    use base64::Engine as _;
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5_of(&data));
    assert_eq!(out.content_md5.as_deref(), Some(md5.as_str()));
    assert_eq!(sha(&env.get("small.bin").await), sha(&data));
    assert_eq!(
        *seen.lock().unwrap(),
        vec![Progress {
            bytes_done: data.len() as u64,
            total_bytes: data.len() as u64
        }]
    );
}

fn md5_of(b: &[u8]) -> Vec<u8> {
    use md5::Digest as _;
    md5::Md5::digest(b).to_vec()
}

#[tokio::test]
async fn content_of_exactly_one_part_is_still_a_single_put() {
    let env = env().await;
    let data = content(MIB as usize, 2);
    let out = env
        .tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "edge.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    assert_eq!(out.parts, 1);
    assert_eq!(env.ops("PutObject").len(), 1);
    assert!(env.ops("UploadPart").is_empty());
}

#[tokio::test]
async fn large_content_goes_multipart_and_round_trips_byte_exact() {
    let env = env().await;
    let data = content(5 * MIB as usize + 12345, 3);
    let (seen, progress) = recorder();
    let out = env
        .tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "dir/big.bin",
            UploadSource::bytes(data.clone()),
        )
        .content_type("application/x-test")
        .metadata("origin", "transfer-test")
        .progress(progress)
        .send()
        .await
        .unwrap();
    assert_eq!(out.parts, 6);
    assert_eq!(out.part_size, MIB);
    assert!(out.upload_id.is_some());
    assert!(out
        .multipart_md5
        .as_deref()
        .is_some_and(|m| m.ends_with("-6")));
    assert_eq!(env.ops("CreateMultipartUpload"), vec![Some(200)]);
    assert_eq!(env.ops("UploadPart"), vec![Some(200); 6]);
    assert_eq!(env.ops("CommitMultipartUpload"), vec![Some(200)]);
    assert!(env.ops("PutObject").is_empty());
    // Every part went with its Content-MD5 and the right length; in-memory parts are slices.
    let parts = env.probe.parts.lock().unwrap().clone();
    assert!(parts.iter().all(|p| p.md5_header && p.replayable));
    let mut lens: Vec<u64> = parts.iter().map(|p| p.len.unwrap()).collect();
    lens.sort_unstable();
    assert_eq!(lens, vec![12345, MIB, MIB, MIB, MIB, MIB]);

    assert_eq!(sha(&env.get("dir/big.bin").await), sha(&data));
    let head = env
        .os
        .head_object()
        .namespace_name(&env.ns)
        .bucket_name(BUCKET)
        .object_name("dir/big.bin")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_type.as_deref(), Some("application/x-test"));
    assert_eq!(
        head.opc_meta.get("origin").map(String::as_str),
        Some("transfer-test")
    );
    assert_eq!(env.open_uploads().await, 0);

    // Progress: one call per part, increasing, ending at the total.
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 6);
    assert!(seen.windows(2).all(|w| w[0].bytes_done < w[1].bytes_done));
    assert!(seen.iter().all(|p| p.total_bytes == data.len() as u64));
    assert_eq!(seen.last().unwrap().bytes_done, data.len() as u64);
}

#[tokio::test]
async fn parts_are_sent_in_parallel_up_to_the_bound() {
    let env = env().await;
    // Each part takes at least 150 ms at the emulator, so parts in flight overlap.
    env.emu
        .add_fault(Fault::latency(Duration::from_millis(150)).operation("UploadPart"));
    let data = content(7 * MIB as usize, 4);
    env.tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "parallel.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    assert_eq!(env.ops("UploadPart").len(), 7);
    assert_eq!(env.probe.max_in_flight.load(Ordering::SeqCst), 3);

    let env = self::env().await;
    env.emu
        .add_fault(Fault::latency(Duration::from_millis(100)).operation("UploadPart"));
    env.tm(1)
        .upload(
            &env.ns,
            BUCKET,
            "serial.bin",
            UploadSource::bytes(content(3 * MIB as usize, 5)),
        )
        .await
        .unwrap();
    assert_eq!(env.probe.max_in_flight.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_part_failing_once_is_retried_alone_and_the_upload_succeeds() {
    let env = env().await;
    env.emu.add_fault(
        Fault::status(503, "ServiceUnavailable")
            .operation("UploadPart")
            .nth(2),
    );
    let data = content(4 * MIB as usize, 6);
    let out = env
        .tm(2)
        .upload(
            &env.ns,
            BUCKET,
            "retried.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    assert_eq!(out.parts, 4);
    let statuses = env.ops("UploadPart");
    assert_eq!(statuses.len(), 5, "4 parts + 1 retry: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == Some(503)).count(), 1);
    assert!(env.ops("AbortMultipartUpload").is_empty());
    assert_eq!(sha(&env.get("retried.bin").await), sha(&data));
}

#[tokio::test]
async fn a_part_failing_for_good_aborts_the_upload_and_returns_the_part_error() {
    let env = env().await;
    env.emu.add_fault(
        Fault::status(400, "InvalidParameter")
            .operation("UploadPart")
            .nth(3),
    );
    let err = env
        .tm(1)
        .upload(
            &env.ns,
            BUCKET,
            "doomed.bin",
            UploadSource::bytes(content(5 * MIB as usize, 7)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.status(), Some(http::StatusCode::BAD_REQUEST));
    assert_eq!(err.code(), Some("InvalidParameter"));
    let created = env.ops("CreateMultipartUpload");
    assert_eq!(created, vec![Some(200)]);
    let note = err.note().unwrap_or_default().to_owned();
    assert!(note.contains("part 3 failed"), "{note}");
    assert!(note.contains("aborted"), "{note}");
    // The note names the upload id the emulator created.
    let upload_id = env
        .emu
        .journal()
        .into_iter()
        .find(|e| e.operation == "AbortMultipartUpload")
        .map(|e| e.path)
        .and_then(|p| p.split("uploadId=").nth(1).map(str::to_owned))
        .unwrap();
    assert!(note.contains(&upload_id), "{note} / {upload_id}");
    assert_eq!(env.ops("AbortMultipartUpload"), vec![Some(204)]);
    assert!(env.ops("CommitMultipartUpload").is_empty());
    // No part runs after the failure with parallelism 1, and nothing is left behind.
    assert_eq!(env.ops("UploadPart").len(), 3);
    assert_eq!(env.open_uploads().await, 0);
    let head = env
        .os
        .head_object()
        .namespace_name(&env.ns)
        .bucket_name(BUCKET)
        .object_name("doomed.bin")
        .send()
        .await;
    assert!(head.unwrap_err().is_not_found());
}

#[tokio::test]
async fn retries_exhausted_on_a_part_abort_the_upload() {
    let env = env().await;
    env.emu.add_fault(
        Fault::status(503, "ServiceUnavailable")
            .operation("UploadPart")
            .first(4),
    );
    let err = env
        .tm(1)
        .upload(
            &env.ns,
            BUCKET,
            "flaky.bin",
            UploadSource::bytes(content(3 * MIB as usize, 8)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(err.attempts(), Some(4));
    assert!(
        err.note().unwrap_or_default().contains("part 1 failed"),
        "{err}"
    );
    assert_eq!(env.ops("UploadPart"), vec![Some(503); 4]);
    assert_eq!(env.ops("AbortMultipartUpload"), vec![Some(204)]);
    assert_eq!(env.open_uploads().await, 0);
}

#[tokio::test]
async fn a_file_is_streamed_part_by_part_from_disk() {
    let env = env().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("source.bin");
    let data = content(3 * MIB as usize + 777, 9);
    std::fs::write(&path, &data).unwrap();
    // The first attempt of part 2 fails: its retry re-opens the file range.
    env.emu.add_fault(
        Fault::status(500, "InternalServerError")
            .operation("UploadPart")
            .nth(2),
    );
    let out = env
        .tm(2)
        .upload(&env.ns, BUCKET, "from-file.bin", UploadSource::file(&path))
        .await
        .unwrap();
    assert_eq!(out.parts, 4);
    // Each part body is a replayable stream of exactly its range, never the file in memory.
    let parts = env.probe.parts.lock().unwrap().clone();
    assert_eq!(parts.len(), 5);
    assert!(parts
        .iter()
        .all(|p| !p.in_memory && p.replayable && p.md5_header));
    assert!(parts
        .iter()
        .all(|p| p.len == Some(MIB) || p.len == Some(777)));
    assert_eq!(sha(&env.get("from-file.bin").await), sha(&data));
}

#[tokio::test]
async fn a_small_file_is_one_streamed_put() {
    let env = env().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.txt");
    std::fs::write(&path, b"hello, object storage").unwrap();
    env.tm(3)
        .upload(&env.ns, BUCKET, "small.txt", UploadSource::file(&path))
        .content_type("text/plain")
        .await
        .unwrap();
    assert_eq!(env.ops("PutObject"), vec![Some(200)]);
    assert_eq!(&env.get("small.txt").await[..], b"hello, object storage");
}

#[tokio::test]
async fn a_stream_is_read_one_part_at_a_time() {
    let env = env().await;
    env.emu
        .add_fault(Fault::latency(Duration::from_millis(30)).operation("UploadPart"));
    let data = content(8 * MIB as usize, 10);
    let pulled = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let worst = Arc::new(AtomicU64::new(0));
    // 64 KiB chunks, counting what the manager has pulled from the stream.
    let chunks: Vec<Bytes> = data.chunks(64 * 1024).map(Bytes::copy_from_slice).collect();
    let p = pulled.clone();
    let stream = futures_util::stream::iter(chunks.into_iter().map(move |c| {
        p.fetch_add(c.len() as u64, Ordering::SeqCst);
        Ok::<_, std::io::Error>(c)
    }));
    // At every part attempt, bytes pulled but not yet stored must fit in parallelism parts.
    let (pl, dn, w) = (pulled.clone(), done.clone(), worst.clone());
    *env.probe.on_part.lock().unwrap() = Some(Box::new(move || {
        let held = pl.load(Ordering::SeqCst) - dn.load(Ordering::SeqCst);
        w.fetch_max(held, Ordering::SeqCst);
    }));
    let d = done.clone();
    let out = env
        .tm(2)
        .upload(
            &env.ns,
            BUCKET,
            "streamed.bin",
            UploadSource::stream(stream, data.len() as u64),
        )
        .progress(move |p| d.store(p.bytes_done, Ordering::SeqCst))
        .await
        .unwrap();
    assert_eq!(out.parts, 8);
    let worst = worst.load(Ordering::SeqCst);
    assert!(worst <= 2 * MIB, "held {worst} bytes at once");
    assert!(worst >= MIB, "at least the part being sent: {worst}");
    assert_eq!(sha(&env.get("streamed.bin").await), sha(&data));
}

#[tokio::test]
async fn a_stream_shorter_than_declared_fails_and_aborts() {
    let env = env().await;
    let data = content(2 * MIB as usize + 10, 11);
    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(data.clone())]);
    let err = env
        .tm(2)
        .upload(
            &env.ns,
            BUCKET,
            "short.bin",
            UploadSource::stream(stream, 3 * MIB),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Body);
    assert!(err.to_string().contains("ended after"), "{err}");
    assert_eq!(env.ops("AbortMultipartUpload"), vec![Some(204)]);
    assert!(env.ops("CommitMultipartUpload").is_empty());
    assert_eq!(env.open_uploads().await, 0);
}

#[tokio::test]
async fn a_reader_source_uploads() {
    let env = env().await;
    let data = content(2 * MIB as usize + 5, 12);
    let reader = std::io::Cursor::new(data.to_vec());
    let out = env
        .tm(2)
        .upload(
            &env.ns,
            BUCKET,
            "reader.bin",
            UploadSource::reader(reader, data.len() as u64),
        )
        .await
        .unwrap();
    assert_eq!(out.parts, 3);
    assert_eq!(sha(&env.get("reader.bin").await), sha(&data));
}

#[tokio::test]
async fn bad_settings_are_rejected_before_any_request() {
    let env = env().await;
    for b in [
        TransferManager::builder(env.os.clone()).part_size(1024),
        TransferManager::builder(env.os.clone()).part_size(51 * 1024 * MIB),
        TransferManager::builder(env.os.clone()).parallelism(0),
        TransferManager::builder(env.os.clone()).download_chunk_size(10),
    ] {
        assert!(b.build().unwrap_err().is_invalid_request());
    }
    let err = env
        .tm(2)
        .upload(&env.ns, BUCKET, "x", UploadSource::bytes("x"))
        .part_size(100)
        .await
        .unwrap_err();
    assert!(err.is_invalid_request());
    let err = env
        .tm(2)
        .upload(
            &env.ns,
            BUCKET,
            "x",
            UploadSource::file("/definitely/not/here.bin"),
        )
        .await
        .unwrap_err();
    assert!(err.is_invalid_request(), "{err}");
    let stream =
        futures_util::stream::iter([Ok::<_, std::io::Error>(content(3 * MIB as usize, 1))]);
    let err = env
        .tm(2)
        .upload(&env.ns, BUCKET, "", UploadSource::stream(stream, 3 * MIB))
        .await
        .unwrap_err();
    assert!(err.is_invalid_request(), "{err}");
    let err = env
        .tm(2)
        .download_to_writer(&env.ns, "", "x", Vec::new())
        .await
        .unwrap_err();
    assert!(err.is_invalid_request(), "{err}");
    assert!(env.emu.journal().is_empty());
}

#[tokio::test]
async fn downloads_in_parallel_ranges_to_a_file() {
    let env = env().await;
    let data = content(5 * MIB as usize + 99, 13);
    env.tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "down.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    env.emu.clear_journal();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("down.bin");
    std::fs::write(&path, b"old content to be replaced").unwrap();
    let (seen, progress) = recorder();
    let out = env
        .tm(3)
        .download_to_file(&env.ns, BUCKET, "down.bin", &path)
        .progress(progress)
        .await
        .unwrap();
    assert_eq!(out.bytes, data.len() as u64);
    assert_eq!(out.chunks, 6);
    assert_eq!(env.ops("HeadObject"), vec![Some(200)]);
    assert_eq!(env.ops("GetObject"), vec![Some(206); 6]);
    assert_eq!(sha(&std::fs::read(&path).unwrap()), sha(&data));
    // No temporary file is left next to the target.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let seen = seen.lock().unwrap().clone();
    assert!(seen.windows(2).all(|w| w[0].bytes_done <= w[1].bytes_done));
    assert_eq!(seen.last().unwrap().bytes_done, data.len() as u64);
}

#[tokio::test]
async fn downloads_to_a_writer_in_order() {
    let env = env().await;
    let data = content(4 * MIB as usize + 1, 14);
    env.tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "ordered.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    env.emu.clear_journal();
    // Later ranges answer faster than earlier ones; the output stays in order.
    env.emu.add_fault(
        Fault::latency(Duration::from_millis(80))
            .operation("GetObject")
            .nth(1),
    );
    let mut out = Vec::new();
    let done = env
        .tm(3)
        .download_to_writer(&env.ns, BUCKET, "ordered.bin", &mut out)
        .await
        .unwrap();
    assert_eq!(done.chunks, 5);
    assert_eq!(env.ops("GetObject").len(), 5);
    assert_eq!(sha(&out), sha(&data));
}

#[tokio::test]
async fn a_small_object_is_one_streamed_get() {
    let env = env().await;
    let data = content(200 * 1024, 15);
    env.tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "tiny.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    env.emu.clear_journal();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.bin");
    let out = env
        .tm(3)
        .download_to_file(&env.ns, BUCKET, "tiny.bin", &path)
        .await
        .unwrap();
    assert_eq!(out.chunks, 1);
    assert_eq!(env.ops("GetObject"), vec![Some(200)]);
    assert_eq!(std::fs::read(&path).unwrap(), data.to_vec());
}

#[tokio::test]
async fn an_empty_object_round_trips() {
    let env = env().await;
    env.tm(3)
        .upload(&env.ns, BUCKET, "empty", UploadSource::bytes(Bytes::new()))
        .await
        .unwrap();
    let mut out = Vec::new();
    let done = env
        .tm(3)
        .download_to_writer(&env.ns, BUCKET, "empty", &mut out)
        .await
        .unwrap();
    assert_eq!(done.bytes, 0);
    assert!(out.is_empty());
}

#[tokio::test]
async fn a_range_whose_body_breaks_is_resumed_where_it_stopped() {
    let env = env_with(|b| b.body_stall_timeout(Duration::from_millis(100))).await;
    let data = content(3 * MIB as usize, 16);
    env.tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "stall.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    env.emu.clear_journal();
    // The second range stalls after 100 KiB; the stall guard breaks it, the manager resumes.
    env.emu
        .add_fault(Fault::stall_body(100 * 1024).operation("GetObject").nth(2));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stall.bin");
    env.tm(3)
        .download_to_file(&env.ns, BUCKET, "stall.bin", &path)
        .await
        .unwrap();
    let gets: Vec<String> = env
        .emu
        .journal()
        .into_iter()
        .filter(|e| e.operation == "GetObject")
        .map(|e| e.path)
        .collect();
    assert_eq!(gets.len(), 4, "3 ranges + 1 resume: {gets:?}");
    assert_eq!(sha(&std::fs::read(&path).unwrap()), sha(&data));
}

#[tokio::test]
async fn an_object_changed_mid_download_fails_instead_of_mixing_versions() {
    let env = env().await;
    env.tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "moving.bin",
            UploadSource::bytes(content(3 * MIB as usize, 17)),
        )
        .await
        .unwrap();
    // Overwrite the object while the first ranges are delayed.
    env.emu
        .add_fault(Fault::latency(Duration::from_millis(150)).operation("GetObject"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("moving.bin");
    let tm = env.tm(1);
    let download = tm
        .download_to_file(&env.ns, BUCKET, "moving.bin", &path)
        .send();
    let overwrite = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        env.os
            .put_object()
            .namespace_name(&env.ns)
            .bucket_name(BUCKET)
            .object_name("moving.bin")
            .put_object_body(Body::from("replaced"))
            .send()
            .await
            .unwrap();
    };
    let (result, ()) = tokio::join!(download, overwrite);
    let err = result.unwrap_err();
    assert_eq!(
        err.status(),
        Some(http::StatusCode::PRECONDITION_FAILED),
        "{err}"
    );
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn a_failed_commit_aborts_the_upload() {
    let env = env().await;
    env.emu
        .add_fault(Fault::status(400, "InvalidParameter").operation("CommitMultipartUpload"));
    let err = env
        .tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "uncommitted.bin",
            UploadSource::bytes(content(2 * MIB as usize + 1, 18)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::BAD_REQUEST));
    assert!(
        err.note().unwrap_or_default().contains("the commit failed"),
        "{err}"
    );
    assert_eq!(env.ops("AbortMultipartUpload"), vec![Some(204)]);
    assert_eq!(env.open_uploads().await, 0);
}

#[tokio::test]
async fn dropping_an_upload_midway_aborts_it() {
    let env = env().await;
    env.emu
        .add_fault(Fault::latency(Duration::from_millis(400)).operation("UploadPart"));
    let upload = env
        .tm(2)
        .upload(
            &env.ns,
            BUCKET,
            "dropped.bin",
            UploadSource::bytes(content(4 * MIB as usize, 19)),
        )
        .send();
    // Give up once the multipart upload exists and its parts are in flight.
    let r = tokio::time::timeout(Duration::from_millis(150), upload).await;
    assert!(r.is_err(), "the upload should still be running");
    assert_eq!(env.ops("CreateMultipartUpload"), vec![Some(200)]);
    // The abort runs on a spawned task: wait for it (bounded).
    for _ in 0..100 {
        if !env.ops("AbortMultipartUpload").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(env.ops("AbortMultipartUpload"), vec![Some(204)]);
    assert_eq!(env.open_uploads().await, 0);
    assert!(env.ops("CommitMultipartUpload").is_empty());
}
