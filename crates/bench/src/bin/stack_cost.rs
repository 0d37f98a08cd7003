//! `stack-cost`: what one call through the default stack costs, in heap allocations and CPU.
//!
//! ```text
//! stack-cost [--calls 20000] [--warmup 2000] [--signer none|rsa] [--bare false]
//!            [--trace-allocs dhat-stack.json]    (build with `--features dhat`)
//! ```
//!
//! Sends GET `get_user` requests (1,000 distinct user OCIDs, `GetUser`'s operation info attached
//! as `send` does) through `Client::call` and the whole default stack (trace, retry and its
//! budget, circuit breaker, timeouts, signing, status errors, body-stall guard) to an in-process
//! loopback transport that answers 200 with a ~600-byte JSON body at once, and reads each body
//! to its end, on a current-thread runtime. No network, no server: what is left is the stack.
//!
//! - `--signer none` uses [`NoSigning`] (the stack's own cost); `--signer rsa` the OCI
//!   [`RequestSigner`] with the fixture RSA-2048 key (date, signing string, RSA, base64).
//! - `--signer rsa-before` signs GETs with a copy of `RequestSigner::sign` as it was before the
//!   per-call work was trimmed (date formatted every call, method lower-cased into a new string,
//!   `Authorization` formatted then copied), so before and after are measured in one binary.
//! - `--bare true` calls the loopback transport directly (no stack): the floor to subtract.
//!
//! Prints one JSON object: `allocs_per_call` (allocations + reallocations counted by a
//! counting global allocator over the timed calls, divided by calls), `bytes_per_call`, and
//! `cpu_us_per_call` (this thread's user + system CPU time over the calls). Allocation counts are
//! exact and independent of load. For instructions per call, run it twice under callgrind with
//! different `--calls` and divide the difference (setup cancels out):
//!
//! ```text
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null stack-cost --calls 2000  2>&1 | grep refs
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null stack-cost --calls 12000 2>&1 | grep refs
//! # instructions per call = (refs(12000) - refs(2000)) / 10000
//! ```
//!
//! `--trace-allocs FILE` (only in a build with the `dhat` feature, where `dhat` is the global
//! allocator instead of the counting one) attributes the allocations: the measured calls run
//! under dhat's heap profiler, which writes its profile to FILE (viewable with DHAT's
//! `dh_view.html`), and stack-cost prints to stderr every allocation site with its allocations
//! and bytes per call, the innermost frames first. Build it with line tables for inlined frames:
//!
//! ```text
//! CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release -p oci-bench --bin stack-cost --features dhat
//! stack-cost --signer none --calls 2000 --trace-allocs /tmp/dhat-stack.json
//! ```
//!
//! dhat counts a reallocation as one more block of the new size, so its bytes per call can
//! differ from the counting allocator's (which adds only the growth); the counts are the same.
//!
//! Under valgrind the CPU reports no AVX-512, so RSA there runs AWS-LC's scalar code: use the
//! `--signer none` figure for the stack, and `sign-speed` for the signer.

#[cfg(not(feature = "dhat"))]
use std::alloc::System;
use std::convert::Infallible;
use std::future::{ready, Ready};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use oci_bench::{user_ocids, Args, BenchError};
use oci_core::auth::{ApiKeyCredentials, NoSigning, PrivateKey, RequestSigner};
use oci_core::clock::SystemClock;
use oci_core::{Body, Client, Endpoint, Request as _};
#[cfg(not(feature = "dhat"))]
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[cfg(not(feature = "dhat"))]
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[cfg(feature = "dhat")]
#[global_allocator]
static GLOBAL: dhat::Alloc = dhat::Alloc;

/// Allocations (reallocations included), reallocations and bytes allocated so far.
#[derive(Clone, Copy, Default)]
struct AllocCount {
    allocs: u64,
    reallocs: u64,
    bytes: u64,
}

/// Counts the allocations of the measured calls: the counting allocator's region, or (with the
/// `dhat` feature) dhat's heap profiler, which also records where each allocation was made.
struct Counter {
    #[cfg(not(feature = "dhat"))]
    region: Region<'static, System>,
    #[cfg(feature = "dhat")]
    profiler: Option<dhat::Profiler>,
    #[cfg(feature = "dhat")]
    start: AllocCount,
}

impl Counter {
    #[cfg(not(feature = "dhat"))]
    fn start(trace: Option<&str>) -> Result<Counter, BenchError> {
        if trace.is_some() {
            return Err("--trace-allocs needs a build with `--features dhat`".into());
        }
        Ok(Counter {
            region: Region::new(GLOBAL),
        })
    }

    #[cfg(not(feature = "dhat"))]
    fn stop(self) -> AllocCount {
        let stats = self.region.change();
        AllocCount {
            allocs: (stats.allocations + stats.reallocations) as u64,
            reallocs: stats.reallocations as u64,
            bytes: stats.bytes_allocated as u64,
        }
    }

    #[cfg(feature = "dhat")]
    fn start(trace: Option<&str>) -> Result<Counter, BenchError> {
        let file = trace.unwrap_or("dhat-stack.json");
        let profiler = dhat::Profiler::builder()
            .file_name(file)
            .trim_backtraces(Some(24))
            .build();
        Ok(Counter {
            profiler: Some(profiler),
            start: dhat_count(),
        })
    }

    #[cfg(feature = "dhat")]
    fn stop(mut self) -> AllocCount {
        let end = dhat_count();
        // Dropping the profiler writes its file.
        self.profiler.take();
        AllocCount {
            allocs: end.allocs - self.start.allocs,
            reallocs: 0,
            bytes: end.bytes - self.start.bytes,
        }
    }
}

#[cfg(feature = "dhat")]
fn dhat_count() -> AllocCount {
    let s = dhat::HeapStats::get();
    AllocCount {
        allocs: s.total_blocks,
        reallocs: 0,
        bytes: s.total_bytes,
    }
}

/// Prints every allocation site of dhat's profile in `file` to stderr, most allocations first:
/// allocations and bytes per call, then the frames, innermost first (the allocator's own and
/// the runtime's outermost frames left out).
fn print_sites(file: &str, calls: usize) -> Result<(), BenchError> {
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file)?)?;
    let ftbl: Vec<&str> = json["ftbl"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f.as_str()).collect())
        .unwrap_or_default();
    let mut sites: Vec<(f64, f64, Vec<String>)> = Vec::new();
    for pp in json["pps"].as_array().into_iter().flatten() {
        let blocks = pp["tbk"].as_f64().unwrap_or(0.0) / calls as f64;
        let bytes = pp["tb"].as_f64().unwrap_or(0.0) / calls as f64;
        let frames = pp["fs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| ftbl.get(i.as_u64()? as usize))
            .map(|f| short_frame(f))
            .filter(|f| !is_noise(f))
            .collect();
        sites.push((blocks, bytes, frames));
    }
    sites.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut total_blocks, mut total_bytes) = (0.0, 0.0);
    for (blocks, bytes, frames) in &sites {
        total_blocks += blocks;
        total_bytes += bytes;
        if *blocks < 0.01 {
            continue;
        }
        eprintln!("{blocks:6.2} allocs/call {bytes:8.1} B/call");
        for f in frames.iter().take(6) {
            eprintln!("        {f}");
        }
    }
    eprintln!("total: {total_blocks:.2} allocs/call, {total_bytes:.1} B/call ({file})");
    Ok(())
}

/// `0x55..: name<T>::h0123 (src/x.rs:12:5)` without the address, the generic arguments and the
/// hash, the path shortened: `name (src/x.rs:12:5)`.
fn short_frame(frame: &str) -> String {
    let f = frame.split_once(": ").map_or(frame, |(_, rest)| rest);
    let mut out = String::with_capacity(f.len());
    let mut depth = 0usize;
    for c in f.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let (name, place) = match out.rsplit_once(" (") {
        Some((n, p)) => (n.to_owned(), Some(p.trim_end_matches(')').to_owned())),
        None => (out.clone(), None),
    };
    let name = match name.rsplit_once("::h") {
        Some((n, h)) if h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()) => n.to_owned(),
        _ => name,
    };
    match place {
        Some(p) => {
            let p = p.rsplit_once("/src/").map_or(p.as_str(), |(_, rest)| rest);
            format!("{name} ({p})")
        }
        None => name,
    }
}

/// Frames that say nothing about who allocated: the allocator, `Box`, `Vec`, maps, clones.
fn is_noise(frame: &str) -> bool {
    const NOISE: [&str; 14] = [
        "[root]",
        "dhat",
        "__rust_alloc",
        "alloc.rs",
        "boxed.rs",
        "raw_vec",
        "vec/mod.rs",
        "clone.rs",
        "raw/mod.rs",
        "slice.rs",
        "string.rs",
        "str.rs",
        "borrow.rs",
        "spec_from",
    ];
    NOISE.iter().any(|n| frame.contains(n))
}

const KEY: &[u8] = include_bytes!("../../../core/tests/fixtures/signing/key.pem");
const USER_JSON: &str = r#"{"id":"ocid1.user.oc1..aaaaaaaabenchuserbenchuserbenchuserbenchuserbenchuserbenchus","compartmentId":"ocid1.tenancy.oc1..aaaaaaaabenchtenancybenchtenancybenchtenancybenchtenancybench","name":"bench-user","description":"a user served by the loopback transport","email":"bench@example.invalid","emailVerified":false,"timeCreated":"2026-11-21T12:00:00.000Z","lifecycleState":"ACTIVE","freeformTags":{},"definedTags":{},"isMfaActivated":false}"#;

/// A transport that answers every request at once with 200 and [`USER_JSON`].
#[derive(Clone, Copy)]
struct Loopback;

impl tower::Service<http::Request<Body>> for Loopback {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Ready<Result<http::Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _req: http::Request<Body>) -> Self::Future {
        let mut resp = http::Response::new(Body::from(Bytes::from_static(USER_JSON.as_bytes())));
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        ready(Ok(resp))
    }
}

/// `RequestSigner::sign` for a GET as it was before this branch trimmed it (same headers, same
/// signing string, same signature): the "before" of the signed per-call figures.
#[derive(Debug)]
struct BeforeSigner {
    key_id: String,
    key: PrivateKey,
    /// A fixed time instead of the system clock (for the equality check at start).
    at: Option<std::time::SystemTime>,
}

impl oci_core::auth::Signer for BeforeSigner {
    fn sign(
        &self,
        req: &mut http::Request<Body>,
        _exclude_body: bool,
    ) -> Result<(), oci_core::Error> {
        use base64::Engine as _;
        let err = |m: &str| oci_core::Error::signing(m.to_owned());
        let date = httpdate::fmt_http_date(self.at.unwrap_or_else(std::time::SystemTime::now));
        let date = http::HeaderValue::from_str(&date).map_err(|_| err("date"))?;
        req.headers_mut().insert("date", date);
        let host = req
            .uri()
            .authority()
            .ok_or_else(|| err("host"))?
            .as_str()
            .to_owned();
        let host = http::HeaderValue::from_str(&host).map_err(|_| err("host"))?;
        req.headers_mut().insert(http::header::HOST, host);
        let method = req.method().clone();
        let headers = req.headers();
        let value = |name: &str| -> Result<&str, oci_core::Error> {
            headers
                .get(name)
                .ok_or_else(|| err("missing"))?
                .to_str()
                .map_err(|_| err("ascii"))
        };
        let mut signing_string = String::with_capacity(256);
        signing_string.push_str("date: ");
        signing_string.push_str(value("date")?);
        signing_string.push_str("\n(request-target): ");
        signing_string.push_str(&method.as_str().to_ascii_lowercase());
        signing_string.push(' ');
        signing_string.push_str(req.uri().path());
        if let Some(q) = req.uri().query() {
            signing_string.push('?');
            signing_string.push_str(q);
        }
        signing_string.push_str("\nhost: ");
        signing_string.push_str(value("host")?);
        let signature = base64::engine::general_purpose::STANDARD
            .encode(self.key.sign_sha256(signing_string.as_bytes())?);
        let key_id = self.key_id.clone();
        let authorization = format!(
            "Signature algorithm=\"rsa-sha256\",headers=\"date (request-target) host\",keyId=\"{key_id}\",signature=\"{signature}\",version=\"1\""
        );
        let mut authorization =
            http::HeaderValue::from_str(&authorization).map_err(|_| err("keyId"))?;
        authorization.set_sensitive(true);
        req.headers_mut()
            .insert(http::header::AUTHORIZATION, authorization);
        Ok(())
    }
}

const KEY_ID: &str = "ocid1.tenancy.oc1..aaaaaaaabench/ocid1.user.oc1..aaaaaaaabench/20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34";

/// The trimmed signer must write the same `date`, `host` and `authorization` as the old one.
fn same_headers_as_before(template: &http::Request<Body>) -> Result<(), BenchError> {
    use oci_core::auth::Signer as _;
    let at = std::time::UNIX_EPOCH + Duration::from_secs(1_795_270_573);
    let creds = ApiKeyCredentials::new(
        "ocid1.tenancy.oc1..aaaaaaaabench",
        "ocid1.user.oc1..aaaaaaaabench",
        "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34",
        PrivateKey::from_pem(KEY, None)?,
    );
    let now = RequestSigner::new(
        Arc::new(creds),
        Arc::new(oci_core::clock::ManualClock::new(at)),
    );
    let before = BeforeSigner {
        key_id: KEY_ID.into(),
        key: PrivateKey::from_pem(KEY, None)?,
        at: Some(at),
    };
    let mut a = http::Request::get(template.uri().clone()).body(Body::empty())?;
    let mut b = http::Request::get(template.uri().clone()).body(Body::empty())?;
    now.sign(&mut a, false)?;
    before.sign(&mut b, false)?;
    for h in ["date", "host", "authorization"] {
        if a.headers().get(h) != b.headers().get(h) {
            return Err(format!("the signer's `{h}` differs from the old signer's").into());
        }
    }
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("stack-cost: {e}");
        std::process::exit(1);
    }
}

/// This thread's user + system CPU time.
fn thread_cpu() -> Duration {
    // /proc/thread-self/schedstat: the first field is the time spent on CPU, in nanoseconds.
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

fn run() -> Result<(), BenchError> {
    let args = Args::parse_from(std::env::args().skip(1))?;
    let calls: usize = args.get("calls", 20_000)?;
    let warmup: usize = args.get("warmup", 2_000)?;
    let signer = args.get_str("signer").unwrap_or("none").to_owned();
    let bare: bool = args.get("bare", false)?;
    let trace = args.get_str("trace-allocs").map(str::to_owned);
    if calls == 0 {
        return Err("--calls must be at least 1".into());
    }

    let base = Endpoint::parse("https://identity.us-ashburn-1.oci.oraclecloud.com/20160918")?;
    let uris: Vec<String> = user_ocids(oci_bench::MIN_USERS)
        .iter()
        .map(|u| Ok(base.join(&format!("/users/{u}"))?.to_string()))
        .collect::<Result<_, BenchError>>()?;
    let request = |i: usize| -> Result<http::Request<Body>, BenchError> {
        let mut req = http::Request::get(uris[i % uris.len()].as_str()).body(Body::empty())?;
        req.extensions_mut()
            .insert(oci_identity::operations::GetUser::info());
        Ok(req)
    };

    same_headers_as_before(&request(0)?)?;
    let builder = Client::builder().endpoint(base.clone()).transport(Loopback);
    let builder = match signer.as_str() {
        "none" => builder.signer(NoSigning),
        "rsa" => {
            let key = PrivateKey::from_pem(KEY, None)?;
            let creds = ApiKeyCredentials::new(
                "ocid1.tenancy.oc1..aaaaaaaabench",
                "ocid1.user.oc1..aaaaaaaabench",
                "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34",
                key,
            );
            builder.signer(RequestSigner::new(Arc::new(creds), Arc::new(SystemClock)))
        }
        "rsa-before" => {
            let key = PrivateKey::from_pem(KEY, None)?;
            builder.signer(BeforeSigner {
                key_id: KEY_ID.into(),
                key,
                at: None,
            })
        }
        other => {
            return Err(format!("unknown --signer `{other}` (none, rsa or rsa-before)").into())
        }
    };
    let client = builder.build()?;

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let one = |req: http::Request<Body>| {
        let client = &client;
        async move {
            let resp = if bare {
                tower::Service::call(&mut Loopback, req).await?
            } else {
                client.call(req).await?
            };
            if !resp.status().is_success() {
                return Err::<(), BenchError>(format!("status {}", resp.status()).into());
            }
            let body = resp.into_body().collect().await?;
            if body.len() != USER_JSON.len() {
                return Err("short body".into());
            }
            Ok(())
        }
    };

    rt.block_on(async {
        for i in 0..warmup {
            one(request(i)?).await?;
        }
        // Requests are built before the measured part: their cost is the caller's, not the stack's.
        let reqs = (0..calls).map(request).collect::<Result<Vec<_>, _>>()?;
        let cpu0 = thread_cpu();
        let counter = Counter::start(trace.as_deref())?;
        for req in reqs {
            one(req).await?;
        }
        let stats = counter.stop();
        let cpu = thread_cpu().saturating_sub(cpu0);
        let n = calls as f64;
        println!(
            "{}",
            serde_json::json!({
                "bench": "stack-cost",
                "signer": signer,
                "signing_backend": oci_core::auth::SIGNING_BACKEND,
                "bare": bare,
                "calls": calls,
                "allocs_per_call": stats.allocs as f64 / n,
                "reallocs_per_call": stats.reallocs as f64 / n,
                "bytes_per_call": stats.bytes as f64 / n,
                "cpu_us_per_call": cpu.as_secs_f64() * 1e6 / n,
                "loadavg": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
            })
        );
        Ok::<(), BenchError>(())
    })?;
    if cfg!(feature = "dhat") {
        print_sites(trace.as_deref().unwrap_or("dhat-stack.json"), calls)?;
    }
    Ok(())
}
