//! Shared pieces of the oci-tower benchmark binaries.
//!
//! ```
//! let users = oci_bench::user_ocids(1_000);
//! assert_eq!(users.len(), 1_000);
//! assert!(users[0].starts_with("ocid1.user.oc1.."));
//! ```
//!
//! Each binary in this crate runs one side of a side-by-side measure for a fixed time and prints
//! one JSON object on stdout; `scripts/bench/run.py` runs it alternately with the other side
//! (A B A B …), pins it with `taskset`, and takes the per-pair ratios. Binaries never judge a
//! result against a goal: that is the runner's job.
//!
//! The rules they follow (see `BENCHMARKS.md`): signed requests rotate over at least
//! [`MIN_USERS`] distinct user OCIDs, so no signature cache can help, and every binary counts
//! signatures computed and requests built and refuses to report when the two differ.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use oci_core::auth::{ApiKeyCredentials, Credentials, IdentityFuture, PrivateKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::{RsaPrivateKey, RsaPublicKey};

/// The fewest distinct user OCIDs a signed-request benchmark may rotate over.
pub const MIN_USERS: usize = 1_000;

/// The error type of the benchmark binaries.
pub type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// `n` distinct, well-formed user OCIDs (`ocid1.user.oc1..aaaa…`), deterministic for a given `n`.
///
/// ```
/// let u = oci_bench::user_ocids(2);
/// assert_ne!(u[0], u[1]);
/// ```
pub fn user_ocids(n: usize) -> Vec<String> {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    (0..n)
        .map(|i| {
            // 60 characters like a real OCID's unique part: a fixed prefix and the index in base 32.
            let mut tail = String::with_capacity(60);
            let mut x = i as u64;
            for _ in 0..13 {
                tail.push(ALPHABET[(x % 32) as usize] as char);
                x /= 32;
            }
            format!("ocid1.user.oc1..aaaaaaaa{:a>47}", tail)
        })
        .collect()
}

/// An RSA key to sign with: read from a PEM file, or a fresh RSA-2048 key when `path` is `None`.
///
/// ```no_run
/// let (key, public) = oci_bench::signing_key(None)?;
/// assert_eq!(key.bits(), 2048);
/// # let _ = public;
/// # Ok::<(), oci_bench::BenchError>(())
/// ```
///
/// Returns the public half too, so a binary can verify a sample signature after timing.
pub fn signing_key(path: Option<&Path>) -> Result<(PrivateKey, RsaPublicKey), BenchError> {
    let rsa_key = match path {
        Some(p) => {
            let pem = std::fs::read_to_string(p)?;
            RsaPrivateKey::from_pkcs8_pem(&pem).or_else(|_| {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                RsaPrivateKey::from_pkcs1_pem(&pem)
            })?
        }
        None => RsaPrivateKey::new(&mut rand::thread_rng(), 2048)?,
    };
    let public = rsa_key.to_public_key();
    Ok((PrivateKey::from_rsa(rsa_key)?, public))
}

/// API-key credentials that count how many times the signer took the key to sign.
///
/// ```
/// # fn run(key: oci_core::auth::PrivateKey) -> Result<(), oci_core::Error> {
/// use oci_core::auth::Credentials;
/// let creds = oci_bench::CountingCredentials::new("ocid1.tenancy.oc1..t", "ocid1.user.oc1..u", "aa:bb", key);
/// creds.private_key()?;
/// assert_eq!(creds.count(), 1);
/// # Ok(()) }
/// ```
///
/// The sign layer asks for the identity exactly once per signature it computes, so this is the
/// "signatures computed" counter that must match the number of requests built.
#[derive(Clone)]
pub struct CountingCredentials {
    inner: Arc<dyn Credentials>,
    count: Arc<AtomicU64>,
}

impl CountingCredentials {
    /// Counting credentials for one API key.
    pub fn new(tenancy: &str, user: &str, fingerprint: &str, key: PrivateKey) -> Self {
        Self::wrap(Arc::new(ApiKeyCredentials::new(
            tenancy,
            user,
            fingerprint,
            key,
        )))
    }

    /// Counts the signatures made with any credentials (e.g. those of a config file).
    pub fn wrap(inner: Arc<dyn Credentials>) -> Self {
        CountingCredentials {
            inner,
            count: Arc::new(AtomicU64::new(0)),
        }
    }

    /// How many times the key was handed out to sign.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

impl fmt::Debug for CountingCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountingCredentials")
            .field("inner", &self.inner)
            .field("count", &self.count())
            .finish()
    }
}

impl Credentials for CountingCredentials {
    fn identity(&self) -> IdentityFuture<'_> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.identity()
    }
}

/// CPU time this process's main thread has run so far, in seconds (user and system together).
///
/// ```
/// let t = oci_bench::cpu_seconds();
/// assert!(t.map_or(true, |t| t >= 0.0));
/// ```
///
/// Read from `/proc/self/schedstat` (nanoseconds), else from the `utime` and `stime` of
/// `/proc/self/stat` (clock ticks, usually 10 ms); `None` where `/proc` is not available.
/// On a machine shared with other work, signatures per CPU second vary far less than
/// signatures per wall-clock second, which depend on how much of the core the process got.
pub fn cpu_seconds() -> Option<f64> {
    if let Ok(s) = std::fs::read_to_string("/proc/self/schedstat") {
        if let Some(ns) = s
            .split_whitespace()
            .next()
            .and_then(|f| f.parse::<u64>().ok())
        {
            return Some(ns as f64 / 1e9);
        }
    }
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after `state`.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Peak resident set size of this process (`VmHWM` of `/proc/self/status`), in KiB.
///
/// ```
/// let kib = oci_bench::vm_hwm_kib();
/// assert!(kib.map_or(true, |k| k > 0));
/// ```
///
/// A cross-check of `/usr/bin/time -v`'s maximum resident set size; `None` without `/proc`.
pub fn vm_hwm_kib() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// CPU time of the whole process so far (every thread, user and system), in seconds.
///
/// ```
/// let t = oci_bench::process_cpu_seconds();
/// assert!(t.map_or(true, |t| t >= 0.0));
/// ```
///
/// From `utime` and `stime` of `/proc/self/stat` (clock ticks, assumed 100 per second);
/// `None` where `/proc` is not available.
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Reads a file of user OCIDs, one per line (blank lines skipped); at least [`MIN_USERS`].
///
/// ```no_run
/// let users = oci_bench::read_users(std::path::Path::new("users.txt"))?;
/// assert!(users.len() >= oci_bench::MIN_USERS);
/// # Ok::<(), oci_bench::BenchError>(())
/// ```
pub fn read_users(path: &Path) -> Result<Vec<String>, BenchError> {
    let users: Vec<String> = std::fs::read_to_string(path)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if users.len() < MIN_USERS {
        return Err(format!(
            "{}: {} users; rotate over at least {MIN_USERS}, or a signature cache could help",
            path.display(),
            users.len()
        )
        .into());
    }
    Ok(users)
}

/// A tokio runtime with `threads` workers (a current-thread runtime for 1).
///
/// ```
/// let rt = oci_bench::runtime(1)?;
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// # Ok::<(), oci_bench::BenchError>(())
/// ```
pub fn runtime(threads: usize) -> Result<tokio::runtime::Runtime, BenchError> {
    let rt = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()?
    };
    Ok(rt)
}

/// What [`run_load`] measured: calls completed in the timed window, and how long it was.
#[derive(Debug, Clone, Copy)]
pub struct LoadResult {
    /// Calls that completed successfully inside the timed window.
    pub requests: u64,
    /// Calls completed in the whole run (warm-up and the tail after the window included).
    pub total_calls: u64,
    /// Wall-clock length of the timed window.
    pub seconds: f64,
    /// Process CPU time spent in the timed window, when `/proc` is available.
    pub cpu_seconds: Option<f64>,
}

/// Runs `in_flight` concurrent loops of `call(i)` (i = 0, 1, 2, … shared between the loops):
/// first for `warmup`, then for `seconds`, counting the calls that complete in the timed part.
///
/// ```
/// # fn main() -> Result<(), oci_bench::BenchError> {
/// let rt = oci_bench::runtime(1)?;
/// let r = rt.block_on(oci_bench::run_load(2, 0.0, 0.05, |_i| async { Ok::<(), oci_bench::BenchError>(()) }))?;
/// assert!(r.requests > 0);
/// # Ok(()) }
/// ```
///
/// The first error ends the run with that error: a benchmark reports figures only when every
/// call succeeded.
pub async fn run_load<F, Fut>(
    in_flight: usize,
    warmup: f64,
    seconds: f64,
    call: F,
) -> Result<LoadResult, BenchError>
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), BenchError>> + Send + 'static,
{
    use std::time::{Duration, Instant};
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let all = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let warm_end = started + Duration::from_secs_f64(warmup);
    let end = warm_end + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::with_capacity(in_flight);
    for _ in 0..in_flight.max(1) {
        let (call, next, done, all) = (call.clone(), next.clone(), done.clone(), all.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let now = Instant::now();
                if now >= end {
                    return Ok::<(), BenchError>(());
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                call(i).await?;
                all.fetch_add(1, Ordering::Relaxed);
                let finished = Instant::now();
                if finished >= warm_end && finished < end {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    // Sample the clock and CPU time at the start of the timed window.
    tokio::time::sleep_until(tokio::time::Instant::from_std(warm_end)).await;
    let cpu0 = process_cpu_seconds();
    let t0 = Instant::now();
    tokio::time::sleep_until(tokio::time::Instant::from_std(end)).await;
    let seconds = t0.elapsed().as_secs_f64();
    let cpu = process_cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    let requests = done.load(Ordering::Relaxed);
    for t in tasks {
        t.await??;
    }
    Ok(LoadResult {
        requests,
        total_calls: all.load(Ordering::Relaxed),
        seconds,
        cpu_seconds: cpu,
    })
}

/// `--name value` command-line options, with defaults and typed lookups.
///
/// ```
/// let args = oci_bench::Args::parse_from(["--seconds", "2.5", "--users", "1000"])?;
/// assert_eq!(args.get("seconds", 3.0)?, 2.5);
/// assert_eq!(args.get("users", 5usize)?, 1000);
/// assert_eq!(args.get("missing", 7u32)?, 7);
/// # Ok::<(), oci_bench::BenchError>(())
/// ```
#[derive(Debug, Default)]
pub struct Args {
    values: HashMap<String, String>,
}

impl Args {
    /// The process's own arguments.
    pub fn from_env() -> Result<Self, BenchError> {
        Self::parse_from(std::env::args().skip(1))
    }

    /// Parses `--name value` pairs; anything else is an error.
    pub fn parse_from<I, S>(args: I) -> Result<Self, BenchError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut values = HashMap::new();
        let mut it = args.into_iter().map(Into::into);
        while let Some(name) = it.next() {
            let key = name
                .strip_prefix("--")
                .ok_or_else(|| format!("expected `--option value`, got `{name}`"))?
                .to_owned();
            let value = it
                .next()
                .ok_or_else(|| format!("option `{name}` needs a value"))?;
            values.insert(key, value);
        }
        Ok(Args { values })
    }

    /// The option's value parsed as `T`, or `default` when absent.
    pub fn get<T>(&self, name: &str, default: T) -> Result<T, BenchError>
    where
        T: std::str::FromStr,
        T::Err: fmt::Display,
    {
        match self.values.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|e| format!("option `--{name} {v}`: {e}").into()),
        }
    }

    /// The option's raw value, when given.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn user_ocids_are_distinct_and_shaped_like_ocids() {
        let users = user_ocids(5_000);
        let set: HashSet<&String> = users.iter().collect();
        assert_eq!(set.len(), 5_000);
        for u in &users {
            assert!(u.starts_with("ocid1.user.oc1..aaaaaaaa"), "{u}");
            assert_eq!(u.len(), users[0].len(), "{u}");
            assert!(u.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'));
        }
    }

    #[test]
    fn args_reject_stray_words_and_missing_values() {
        assert!(Args::parse_from(["seconds", "3"]).is_err());
        assert!(Args::parse_from(["--seconds"]).is_err());
        let args = Args::parse_from(["--seconds", "x"]).unwrap();
        assert!(args.get("seconds", 1.0f64).is_err());
        assert_eq!(args.get_str("seconds"), Some("x"));
    }
}
