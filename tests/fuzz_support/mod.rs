//! Runs property ("fuzz") targets on stable Rust with `arbtest`: a bounded time budget in
//! `cargo test`, longer on demand.
//!
//! - `OCI_FUZZ_MS=<ms>`: time budget per target (default `DEFAULT_MS`; `scripts/fuzz.sh`
//!   sets it from minutes).
//! - `ARBTEST_SEED=<seed>`: replays one failing case (arbtest prints the seed of a failure).
//! - `OCI_FUZZ_REPORT=<file>`: appends `target cases` lines, for `scripts/fuzz.sh`.
//!
//! A crash is a panic (or a failed assertion) inside a property: the test fails with the seed.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use arbtest::arbitrary::{Result as ArbResult, Unstructured};

/// Time budget per target when `OCI_FUZZ_MS` is unset: CI runs every target this long.
pub const DEFAULT_MS: u64 = 1500;

/// The budget for one target.
pub fn budget() -> Duration {
    let ms = std::env::var("OCI_FUZZ_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_MS);
    Duration::from_millis(ms)
}

/// Runs `prop` over generated inputs for the budget (or replays `ARBTEST_SEED`), then reports
/// and returns how many cases ran.
pub fn fuzz(name: &str, mut prop: impl FnMut(&mut Unstructured<'_>) -> ArbResult<()>) -> u64 {
    let cases = AtomicU64::new(0);
    arbtest::arbtest(|u| {
        cases.fetch_add(1, Ordering::Relaxed);
        prop(u)
    })
    .size_max(64 * 1024)
    .budget(budget())
    .run();
    let n = cases.load(Ordering::Relaxed);
    report(name, n);
    assert!(n > 0, "fuzz target {name} ran no case");
    n
}

/// Prints `fuzz <target>: <n> cases, 0 crashes` and appends to `OCI_FUZZ_REPORT` when set.
pub fn report(name: &str, cases: u64) {
    eprintln!("fuzz {name}: {cases} cases, 0 crashes");
    if let Ok(path) = std::env::var("OCI_FUZZ_REPORT") {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(f, "{name} {cases}");
        }
    }
}

/// Applies 1-8 byte-level mutations (flip, insert, delete, truncate, duplicate a slice).
pub fn mutate(u: &mut Unstructured<'_>, mut bytes: Vec<u8>) -> ArbResult<Vec<u8>> {
    let n = u.int_in_range(1..=8)?;
    for _ in 0..n {
        if bytes.is_empty() {
            bytes.push(u.arbitrary()?);
            continue;
        }
        let i = u.choose_index(bytes.len())?;
        match u.int_in_range(0..=5)? {
            0 => bytes[i] ^= 1 << u.int_in_range(0..=7)?,
            1 => bytes.insert(i, u.arbitrary()?),
            2 => {
                bytes.remove(i);
            }
            3 => bytes.truncate(i),
            4 => {
                let end = (i + u.int_in_range(1..=16)?).min(bytes.len());
                let chunk = bytes[i..end].to_vec();
                let at = u.choose_index(bytes.len())?;
                bytes.splice(at..at, chunk);
            }
            _ => bytes[i] = *u.choose(INTERESTING)?,
        }
    }
    Ok(bytes)
}

/// Bytes that parsers treat specially.
pub const INTERESTING: &[u8] = b"\0\r\n\t =[]#;\"'\\%/?&-+.:,{}\x7f\xff\xc3";

/// A string from a mix of ASCII, separators, control characters and non-ASCII.
pub fn text(u: &mut Unstructured<'_>, max: usize) -> ArbResult<String> {
    let len = u.int_in_range(0..=max)?;
    let mut s = String::with_capacity(len);
    for _ in 0..len {
        let c = match u.int_in_range(0..=5)? {
            0 | 1 => char::from(u.int_in_range(b'a'..=b'z')?),
            2 => char::from(*u.choose(INTERESTING)? & 0x7f),
            3 => char::from(u.int_in_range(0u8..=0x1f)?),
            4 => *u.choose(&['é', '€', '😀', '\u{202e}', '\u{feff}', '\u{10ffff}'])?,
            _ => u.arbitrary::<char>()?,
        };
        s.push(c);
    }
    Ok(s)
}
