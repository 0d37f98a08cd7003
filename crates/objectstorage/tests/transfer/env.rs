//! Shared by the transfer tests: an emulator with a bucket, a probe on UploadPart attempts,
//! deterministic content.

pub(crate) use std::future::Future;
pub(crate) use std::pin::Pin;
pub(crate) use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
pub(crate) use std::sync::{Arc, Mutex};
pub(crate) use std::task::{Context, Poll};
pub(crate) use std::time::Duration;

pub(crate) use bytes::Bytes;
pub(crate) use oci_core::layers::retry::{Jitter, RetryPolicy};
pub(crate) use oci_core::stack::BoxStack;
pub(crate) use oci_core::{Body, Error, ErrorKind, OperationInfo};
pub(crate) use oci_emulator::{Emulator, Fault};
pub(crate) use oci_objectstorage::models::CreateBucketDetails;
pub(crate) use oci_objectstorage::transfer::{Progress, TransferManager, UploadSource, MIB};
pub(crate) use oci_objectstorage::ObjectStorageClient;
pub(crate) use sha2::{Digest, Sha256};

pub(crate) const BUCKET: &str = "transfers";

/// What the probe saw of one `UploadPart` attempt.
#[derive(Debug, Clone)]
pub(crate) struct PartAttempt {
    pub(crate) len: Option<u64>,
    pub(crate) in_memory: bool,
    pub(crate) replayable: bool,
    pub(crate) md5_header: bool,
}

/// An attempt layer that counts `UploadPart` attempts in flight and records their bodies.
#[derive(Default)]
pub(crate) struct ProbeState {
    pub(crate) in_flight: AtomicUsize,
    pub(crate) max_in_flight: AtomicUsize,
    pub(crate) parts: Mutex<Vec<PartAttempt>>,
    /// Called at the start of each UploadPart attempt.
    pub(crate) on_part: Mutex<Option<Box<dyn Fn() + Send>>>,
}

#[derive(Clone)]
pub(crate) struct Probe {
    pub(crate) inner: BoxStack,
    pub(crate) state: Arc<ProbeState>,
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

pub(crate) struct Env {
    pub(crate) emu: Emulator,
    pub(crate) os: ObjectStorageClient,
    pub(crate) ns: String,
    pub(crate) probe: Arc<ProbeState>,
}

impl Env {
    pub(crate) fn tm(&self, parallelism: usize) -> TransferManager {
        TransferManager::builder(self.os.clone())
            .part_size(MIB)
            .download_chunk_size(MIB)
            .parallelism(parallelism)
            .build()
            .unwrap()
    }

    pub(crate) fn ops(&self, op: &str) -> Vec<Option<u16>> {
        self.emu
            .journal()
            .into_iter()
            .filter(|e| e.operation == op)
            .map(|e| e.status)
            .collect()
    }

    pub(crate) async fn get(&self, object: &str) -> Bytes {
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

    pub(crate) async fn open_uploads(&self) -> usize {
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
pub(crate) async fn env() -> Env {
    env_with(|b| b).await
}

pub(crate) async fn env_with(
    f: impl FnOnce(oci_core::ClientBuilder) -> oci_core::ClientBuilder,
) -> Env {
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
pub(crate) fn content(len: usize, seed: u8) -> Bytes {
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

pub(crate) fn sha(b: &[u8]) -> Vec<u8> {
    Sha256::digest(b).to_vec()
}

pub(crate) fn recorder() -> (Arc<Mutex<Vec<Progress>>>, impl Fn(Progress) + Send + Sync) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    (seen, move |p| s.lock().unwrap().push(p))
}

pub(crate) fn md5_of(b: &[u8]) -> Vec<u8> {
    use md5::Digest as _;
    md5::Md5::digest(b).to_vec()
}
