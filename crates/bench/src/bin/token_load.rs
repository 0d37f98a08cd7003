//! `token-load`: signed Identity `get_user` calls as an instance principal while its token is
//! refreshed, with the latency of every call (T12).
//!
//! ```text
//! token-load --endpoint URL --users users.txt [--seconds 12] [--warmup 1] [--in-flight 1]
//!            [--threads 1] [--min-refreshes 2]
//! ```
//!
//! The emulator at `--endpoint` plays IMDS (`URL/opc/v2`) and the federation service
//! (`URL/v1/x509`); start it with a short `--token-lifetime-secs` (e.g. 4) so that the
//! [`CredentialsCache`] refreshes the token several times during the run (short tokens are due
//! at half their lifetime). The provider is wrapped so that every fetch (IMDS documents, a fresh
//! RSA-2048 session key, the signed federation call) is timed.
//!
//! Every call in the timed window records its start and latency. A call is **during a refresh**
//! when its span overlaps a background fetch (the first, foreground fetch happens before the
//! warm-up), else **outside**. Prints one JSON object with p50/p99/max of both sets, their
//! ratios, the refresh count and durations, and the counters (signatures computed == calls made;
//! each answer is the user asked for).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oci_bench::{read_users, run_load, runtime, Args, BenchError};
use oci_core::auth::{
    Credentials, CredentialsCache, Identity, IdentityFuture, InstancePrincipal, RequestSigner,
    Signer,
};
use oci_core::clock::SystemClock;
use oci_core::region::Region;
use oci_core::{Client, Endpoint};
use oci_identity::IdentityClient;

fn main() {
    if let Err(e) = run() {
        eprintln!("token-load: {e}");
        std::process::exit(1);
    }
}

/// Counts the signatures its `RequestSigner` computes: one per call, plus one per resend after
/// a 401. (Counting `Credentials::identity` instead would also count a call that found the
/// token in its last seconds and awaited the refresh, which resolves the identity twice.)
#[derive(Debug, Clone)]
struct CountingSigner {
    inner: Arc<RequestSigner>,
    count: Arc<AtomicU64>,
}

impl Signer for CountingSigner {
    fn sign(
        &self,
        req: &mut http::Request<oci_core::Body>,
        exclude_body: bool,
    ) -> Result<(), oci_core::Error> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.sign(req, exclude_body)
    }
    fn credentials(&self) -> Option<&Arc<dyn Credentials>> {
        Signer::credentials(&*self.inner)
    }
    fn sign_with(
        &self,
        req: &mut http::Request<oci_core::Body>,
        exclude_body: bool,
        identity: &Identity,
    ) -> Result<(), oci_core::Error> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.sign_with(req, exclude_body, identity)
    }
}

/// Times every fetch of the provider it wraps: (start, end) as `Instant`s.
#[derive(Debug)]
struct TimedProvider {
    inner: InstancePrincipal,
    fetches: Arc<Mutex<Vec<(Instant, Instant)>>>,
}

impl Credentials for TimedProvider {
    fn identity(&self) -> IdentityFuture<'_> {
        let fetches = self.fetches.clone();
        let fut = self.inner.identity();
        IdentityFuture::new(async move {
            let start = Instant::now();
            let r = fut.await;
            if let Ok(mut f) = fetches.lock() {
                f.push((start, Instant::now()));
            }
            r
        })
    }
    fn provider_name(&self) -> &'static str {
        self.inner.provider_name()
    }
    fn region(&self) -> Option<Region> {
        self.inner.region()
    }
    fn refreshes_on_unauthorized(&self) -> bool {
        self.inner.refreshes_on_unauthorized()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn stats(mut v: Vec<f64>) -> serde_json::Value {
    v.sort_by(f64::total_cmp);
    serde_json::json!({
        "calls": v.len(),
        "p50_us": percentile(&v, 50.0),
        "p99_us": percentile(&v, 99.0),
        "max_us": v.last().copied().unwrap_or(f64::NAN),
    })
}

fn run() -> Result<(), BenchError> {
    let args = Args::from_env()?;
    let endpoint = args
        .get_str("endpoint")
        .ok_or("--endpoint is required")?
        .trim_end_matches('/')
        .to_owned();
    let seconds: f64 = args.get("seconds", 12.0)?;
    let warmup: f64 = args.get("warmup", 1.0)?;
    let in_flight: usize = args.get("in-flight", 1)?;
    let threads: usize = args.get("threads", 1)?;
    let min_refreshes: usize = args.get("min-refreshes", 2)?;
    let users = Arc::new(read_users(&PathBuf::from(
        args.get_str("users").ok_or("--users is required")?,
    ))?);
    let fetches = Arc::new(Mutex::new(Vec::new()));
    let rt = runtime(threads)?;

    let (creds, cache) = rt.block_on(async {
        let provider = InstancePrincipal::builder()
            .metadata_base_url(format!("{endpoint}/opc/v2"))
            .federation_endpoint(endpoint.clone())
            .build_provider()
            .await?;
        let timed = TimedProvider {
            inner: provider,
            fetches: fetches.clone(),
        };
        let cache = CredentialsCache::new(Arc::new(timed));
        // The first token, in the foreground, before anything is timed.
        cache.refresh().await?;
        let signer = CountingSigner {
            inner: Arc::new(RequestSigner::new(
                Arc::new(cache.clone()),
                Arc::new(SystemClock),
            )),
            count: Arc::new(AtomicU64::new(0)),
        };
        Ok::<_, BenchError>((signer, cache))
    })?;
    let identity = IdentityClient::new(
        Client::builder()
            .signer(creds.clone())
            .endpoint(Endpoint::parse(&endpoint)?)
            .build()?,
    );

    let calls: Arc<Mutex<Vec<(Instant, Duration)>>> = Arc::new(Mutex::new(Vec::new()));
    let recorded = calls.clone();
    let signs_before = creds.count.load(Ordering::Relaxed);
    let window_start = Instant::now() + Duration::from_secs_f64(warmup);
    let r = rt.block_on(run_load(in_flight, warmup, seconds, move |i| {
        let identity = identity.clone();
        let users = users.clone();
        let recorded = recorded.clone();
        async move {
            let id = &users[i % users.len()];
            let start = Instant::now();
            let user = identity.get_user().user_id(id.as_str()).send().await?;
            let took = start.elapsed();
            if &user.body.id != id {
                return Err(format!("asked for {id}, got {}", user.body.id).into());
            }
            if let Ok(mut c) = recorded.lock() {
                c.push((start, took));
            }
            Ok(())
        }
    }))?;
    let window_end = window_start + Duration::from_secs_f64(r.seconds);
    let signs = creds.count.load(Ordering::Relaxed) - signs_before;
    if signs != r.total_calls {
        return Err(format!(
            "signatures computed ({signs}) and calls made ({}) differ",
            r.total_calls
        )
        .into());
    }

    // Background refreshes: every fetch after the first (foreground) one.
    let refreshes: Vec<(Instant, Instant)> = fetches
        .lock()
        .map_err(|_| "fetch log poisoned")?
        .iter()
        .skip(1)
        .copied()
        .collect();
    let in_window = refreshes
        .iter()
        .filter(|(s, e)| *e > window_start && *s < window_end)
        .count();
    if in_window < min_refreshes {
        return Err(format!(
            "only {in_window} token refreshes in the timed window (need {min_refreshes}): \
             start the emulator with a shorter --token-lifetime-secs or run longer"
        )
        .into());
    }
    let (mut during, mut outside) = (Vec::new(), Vec::new());
    for (start, took) in calls.lock().map_err(|_| "call log poisoned")?.iter() {
        let end = *start + *took;
        if *start < window_start || end > window_end {
            continue;
        }
        let us = took.as_secs_f64() * 1e6;
        if refreshes.iter().any(|(s, e)| *s < end && *e > *start) {
            during.push(us);
        } else {
            outside.push(us);
        }
    }
    if during.is_empty() || outside.is_empty() {
        return Err("no calls during a refresh, or none outside one".into());
    }
    let durations: Vec<f64> = refreshes
        .iter()
        .map(|(s, e)| (*e - *s).as_secs_f64() * 1e3)
        .collect();
    let (d, o) = (stats(during), stats(outside));
    let ratio = |k: &str| d[k].as_f64().unwrap_or(f64::NAN) / o[k].as_f64().unwrap_or(f64::NAN);
    println!(
        "{}",
        serde_json::json!({
            "bench": "token-load",
            "provider": "instance_principal",
            "requests": r.requests,
            "seconds": r.seconds,
            "req_per_sec": r.requests as f64 / r.seconds,
            "cpu_seconds": r.cpu_seconds,
            "signs": signs,
            "calls": r.total_calls,
            "in_flight": in_flight,
            "threads": threads,
            "users": read_users(&PathBuf::from(args.get_str("users").unwrap_or_default()))?.len(),
            "refreshes_in_window": in_window,
            "token_fetches": cache.fetch_count(),
            "refresh_ms": durations,
            "during_refresh": d,
            "outside_refresh": o,
            "p99_ratio": ratio("p99_us"),
            "p50_ratio": ratio("p50_us"),
        })
    );
    Ok(())
}
