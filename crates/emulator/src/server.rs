//! The HTTP server: one listener, routing by path, faults, signature verification, the journal.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response};
use http_body::Frame;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use oci_core::clock::Clock;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::auth::{self, Head};
use crate::blobs::{Blobs, Written};
use crate::error::{ApiError, ApiResult};
use crate::faults::{FaultAction, Faults, JournalEntry};
use crate::keys::PublicKey;
use crate::state::State;
use crate::util::{self, header};
use crate::{control, dac, identity, objectstorage, RespBody};

/// The largest JSON request body accepted.
const MAX_JSON_BODY: usize = 8 * 1024 * 1024;

/// The seeded user's key, kept for resets.
#[derive(Clone)]
pub(crate) struct SeededKey {
    pub public_pem: String,
    pub fingerprint: String,
}

/// Everything the request handlers share.
pub(crate) struct Inner {
    pub seed: u64,
    pub region: String,
    pub state: Mutex<State>,
    pub blobs: Blobs,
    pub data_dir: Option<PathBuf>,
    pub clock: Arc<dyn Clock>,
    pub explain: bool,
    pub lifecycle_delay_ms: u64,
    pub step_ms: u64,
    pub faults: Mutex<Faults>,
    pub journal: Mutex<Vec<JournalEntry>>,
    pub seeded_key: SeededKey,
    pub key_cache: Mutex<HashMap<String, PublicKey>>,
    pub seq: AtomicU64,
    pub salt: u64,
    /// Blobs no longer referenced, removed only once the state without them is persisted.
    pub garbage: Mutex<Vec<String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Inner {
    /// The state, locked.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
    /// The faults, locked.
    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.faults)
    }
    /// The journal, locked.
    pub fn journal(&self) -> MutexGuard<'_, Vec<JournalEntry>> {
        lock(&self.journal)
    }

    /// The emulator's clock, in milliseconds.
    pub fn now_ms(&self) -> u64 {
        util::millis(self.clock.now())
    }

    /// Marks a blob for removal after the next successful persist.
    pub fn discard(&self, blob: String) {
        lock(&self.garbage).push(blob);
    }

    /// Persists, then removes discarded blobs (kept if persisting failed: the saved state may
    /// still refer to them).
    fn persist_and_collect(&self) -> io::Result<()> {
        let result = self.persist();
        let garbage = std::mem::take(&mut *lock(&self.garbage));
        if result.is_ok() {
            for blob in garbage {
                self.blobs.remove(&blob);
            }
        }
        result
    }

    /// Resolves a keyId to a registered, active key.
    fn lookup_key(&self, key_id: &str) -> Option<PublicKey> {
        let pem = identity::key_pem_for(&self.lock(), key_id)?;
        let mut cache = lock(&self.key_cache);
        if let Some(k) = cache.get(&pem) {
            return Some(k.clone());
        }
        let key = PublicKey::from_pem(&pem).ok()?;
        cache.insert(pem, key.clone());
        Some(key)
    }

    /// Writes the state to `data-dir/state.json` (atomically, fsynced) when persistent.
    pub fn persist(&self) -> io::Result<()> {
        let Some(dir) = &self.data_dir else {
            return Ok(());
        };
        let json = serde_json::to_vec_pretty(&*self.lock()).map_err(io::Error::other)?;
        write_atomic(&dir.join("state.json"), &json)
    }

    /// Back to a freshly seeded state; faults and journal cleared.
    pub fn reset(&self) -> io::Result<()> {
        let fresh = State::seeded(
            self.seed,
            self.now_ms(),
            &self.region,
            &self.seeded_key.public_pem,
            &self.seeded_key.fingerprint,
        );
        let old = std::mem::replace(&mut *self.lock(), fresh);
        for objects in old.objects.values() {
            for meta in objects.values() {
                self.discard(meta.blob.clone());
            }
        }
        for upload in &old.uploads {
            for part in upload.parts.values() {
                self.discard(part.blob.clone());
            }
        }
        self.faults().clear();
        self.journal().clear();
        self.persist_and_collect()
    }
}

/// Writes a file through a temporary file, fsync and rename.
pub(crate) fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    if let Some(parent) = path.parent() {
        if let Ok(d) = std::fs::File::open(parent) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// A request body after authentication: read (for JSON operations) or still streaming.
pub(crate) enum ReqBody {
    Bytes(Bytes),
    Stream(Incoming),
}

impl ReqBody {
    /// The bytes of a read body (empty for a stream).
    pub fn bytes(&self) -> &[u8] {
        match self {
            ReqBody::Bytes(b) => b,
            ReqBody::Stream(_) => &[],
        }
    }

    /// Streams the body into a new blob.
    pub async fn write_to(self, blobs: &Blobs) -> ApiResult<Written> {
        match self {
            ReqBody::Bytes(b) => blobs.write(http_body_util::Full::new(b)).await,
            ReqBody::Stream(s) => blobs.write(s).await,
        }
    }
}

/// Which service and operation a request is for.
pub(crate) enum Routed {
    Identity(util::Route),
    ObjectStorage(objectstorage::Route),
    Dac(util::Route),
    Unknown(&'static str),
}

impl Routed {
    fn service(&self) -> &'static str {
        match self {
            Routed::Identity(_) => "identity",
            Routed::ObjectStorage(_) => "objectstorage",
            Routed::Dac(_) => "delegateaccesscontrol",
            Routed::Unknown(s) => s,
        }
    }
    fn operation(&self) -> &'static str {
        match self {
            Routed::Identity(r) => r.op,
            Routed::ObjectStorage(r) => r.op,
            Routed::Dac(r) => r.op,
            Routed::Unknown(_) => "Unknown",
        }
    }
    fn exclude_body(&self) -> bool {
        matches!(self, Routed::ObjectStorage(r) if objectstorage::is_exclude_body(r.op))
    }
}

fn route(method: &Method, path: &str) -> Routed {
    let under = |base: &str| {
        path.strip_prefix(base)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    if let Some(rest) = under(oci_identity::SERVICE.base_path) {
        return identity::route(method.as_str(), rest)
            .map_or(Routed::Unknown("identity"), Routed::Identity);
    }
    if let Some(rest) = under(oci_delegateaccesscontrol::SERVICE.base_path) {
        return dac::route(method.as_str(), rest)
            .map_or(Routed::Unknown("delegateaccesscontrol"), Routed::Dac);
    }
    if under("/n").is_some() {
        return objectstorage::route(method, path)
            .map_or(Routed::Unknown("objectstorage"), Routed::ObjectStorage);
    }
    Routed::Unknown("unknown")
}

/// The connection is dropped without a response (reset and hang faults).
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}
impl std::error::Error for Dropped {}

/// An OCI error response.
pub(crate) fn error_response(e: &ApiError) -> Response<RespBody> {
    let mut resp = Response::new(util::full(e.body()));
    *resp.status_mut() = e.status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in &e.headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            resp.headers_mut().insert(name.clone(), v);
        }
    }
    resp
}

/// Accepts connections until shutdown.
pub(crate) async fn run(
    listener: TcpListener,
    inner: Arc<Inner>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let inner = inner.clone();
                let mut stop = shutdown.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| serve(inner.clone(), req));
                    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), svc);
                    tokio::select! {
                        _ = conn => {}
                        _ = stop.changed() => {}
                    }
                });
            }
        }
    }
}

/// Serves one request.
async fn serve(inner: Arc<Inner>, req: Request<Incoming>) -> Result<Response<RespBody>, Dropped> {
    let seq = inner.seq.fetch_add(1, Ordering::Relaxed) + 1;
    let server_id = util::request_id(inner.salt, seq);
    let request_id = match header(req.headers(), "opc-request-id") {
        Some(c) if !c.is_empty() && c.len() <= 128 => format!("{c}/{server_id}"),
        _ => server_id,
    };
    let client_request_id = header(req.headers(), "opc-client-request-id").map(str::to_owned);
    let path = req.uri().path().to_owned();

    let finish = |mut resp: Response<RespBody>| {
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            resp.headers_mut().insert("opc-request-id", v);
        }
        if let Some(c) = client_request_id
            .as_deref()
            .and_then(|c| HeaderValue::from_str(c).ok())
        {
            resp.headers_mut().insert("opc-client-request-id", c);
        }
        resp
    };

    if path == "/_emulator" || path.starts_with("/_emulator/") {
        let resp = control::handle(&inner, req)
            .await
            .unwrap_or_else(|e| error_response(&e));
        return Ok(finish(resp));
    }

    let method = req.method().clone();
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
    let routed = route(&method, &path);
    let mut entry = JournalEntry {
        seq,
        opc_request_id: request_id.clone(),
        method: method.to_string(),
        path: target,
        service: routed.service().to_owned(),
        operation: routed.operation().to_owned(),
        status: None,
        error_code: None,
        fault: None,
        key_id: None,
        time: util::rfc3339(inner.now_ms()),
    };

    let fired = inner
        .faults()
        .decide(routed.service(), routed.operation(), method.as_str(), &path);
    let mut stall = None;
    if let Some(fired) = fired {
        entry.fault = Some(fired.label.clone());
        match fired.action {
            FaultAction::Status {
                status,
                code,
                message,
                retry_after_secs,
            } => {
                let mut e = ApiError::new(
                    status,
                    &code,
                    message.unwrap_or_else(|| format!("Injected fault {}", fired.label)),
                );
                if let Some(s) = retry_after_secs {
                    e = e.with_header(http::header::RETRY_AFTER, s.to_string());
                }
                entry.status = Some(e.status.as_u16());
                entry.error_code = Some(e.code.clone());
                inner.journal().push(entry);
                return Ok(finish(error_response(&e)));
            }
            FaultAction::Latency { millis } => {
                tokio::time::sleep(Duration::from_millis(millis)).await;
            }
            FaultAction::Reset => {
                inner.journal().push(entry);
                return Err(Dropped);
            }
            FaultAction::Hang { millis } => {
                inner.journal().push(entry);
                match millis {
                    Some(m) => tokio::time::sleep(Duration::from_millis(m)).await,
                    None => std::future::pending::<()>().await,
                }
                return Err(Dropped);
            }
            FaultAction::StallBody {
                after_bytes,
                millis,
            } => stall = Some((after_bytes, millis)),
        }
    }

    let resp = match process(&inner, req, &routed, &mut entry).await {
        Ok(r) => r,
        Err(e) => {
            entry.error_code = Some(e.code.clone());
            error_response(&e)
        }
    };
    entry.status = Some(resp.status().as_u16());
    inner.journal().push(entry);
    let resp = finish(resp);
    Ok(match stall {
        Some((after, millis)) => stall_body(resp, after, millis),
        None => resp,
    })
}

/// Authenticates, reads or streams the body, dispatches, and persists writes.
async fn process(
    inner: &Inner,
    req: Request<Incoming>,
    routed: &Routed,
    entry: &mut JournalEntry,
) -> ApiResult<Response<RespBody>> {
    let (parts, body) = req.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |pq| pq.as_str());
    let exclude_body = routed.exclude_body();
    let now = inner.clock.now();
    let caller = auth::verify_head(
        &Head {
            method: &parts.method,
            target,
            headers: &parts.headers,
            exclude_body,
        },
        now,
        inner.explain,
        |key_id| inner.lookup_key(key_id),
    )?;
    entry.key_id = Some(caller.key_id);

    let signs_body =
        matches!(parts.method, Method::POST | Method::PUT | Method::PATCH) && !exclude_body;
    let body = if exclude_body {
        ReqBody::Stream(body)
    } else {
        let bytes = Limited::new(body, MAX_JSON_BODY)
            .collect()
            .await
            .map_err(|e| {
                ApiError::new(
                    400,
                    "InvalidParameter",
                    format!("could not read the request body: {e}"),
                )
            })?
            .to_bytes();
        if signs_body {
            auth::verify_body(&parts.headers, &bytes, inner.explain)?;
        }
        ReqBody::Bytes(bytes)
    };

    let q = util::query_map(parts.uri.query());
    let now_ms = util::millis(now);
    let resp = match routed {
        Routed::Identity(r) => {
            let ctx = identity::Ctx {
                seed: inner.seed,
                now_ms,
                delay_ms: inner.lifecycle_delay_ms,
            };
            let mut state = inner.lock();
            identity::handle(&mut state, &ctx, r, &q, &parts.headers, body.bytes())?
        }
        Routed::ObjectStorage(r) => {
            objectstorage::handle(inner, r, &q, &parts.headers, body).await?
        }
        Routed::Dac(r) => dac::handle(&inner.lock(), inner.step_ms, now_ms, r, &q)?,
        Routed::Unknown(service) => {
            return Err(ApiError::new(
                404,
                "NotAuthorizedOrNotFound",
                format!(
                    "No {service} operation matches {} {}",
                    parts.method,
                    parts.uri.path()
                ),
            ))
        }
    };
    if !matches!(parts.method, Method::GET | Method::HEAD) && resp.status().is_success() {
        inner.persist_and_collect().map_err(|e| {
            ApiError::new(
                500,
                "InternalServerError",
                format!("could not persist the state: {e}"),
            )
        })?;
    }
    Ok(resp)
}

/// Sends `after` bytes of the body, then stalls (for `millis`, or forever) and fails.
fn stall_body(resp: Response<RespBody>, after: u64, millis: Option<u64>) -> Response<RespBody> {
    let (mut parts, body) = resp.into_parts();
    if let Some(len) = http_body::Body::size_hint(&body).exact() {
        parts
            .headers
            .insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    let stream = futures_util::stream::unfold(
        (body, 0u64, false),
        move |(mut body, sent, done)| async move {
            if done {
                return None;
            }
            if sent >= after {
                match millis {
                    Some(m) => tokio::time::sleep(Duration::from_millis(m)).await,
                    None => std::future::pending::<()>().await,
                }
                let err =
                    io::Error::new(io::ErrorKind::TimedOut, "body stalled by an injected fault");
                return Some((Err(err), (body, sent, true)));
            }
            match body.frame().await {
                None => None,
                Some(Err(e)) => Some((Err(e), (body, sent, true))),
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(mut data) => {
                        let room = (after - sent) as usize;
                        if data.len() > room {
                            data.truncate(room);
                        }
                        let n = data.len() as u64;
                        Some((Ok(Frame::data(data)), (body, sent + n, false)))
                    }
                    Err(frame) => Some((Ok(frame), (body, sent, false))),
                },
            }
        },
    );
    Response::from_parts(
        parts,
        http_body_util::StreamBody::new(stream).boxed_unsync(),
    )
}
