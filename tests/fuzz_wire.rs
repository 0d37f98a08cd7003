//! Property ("fuzz") tests on the wire, against a running in-process emulator:
//!
//! - `fuzz_signer_round_trip`: any object name and bytes we sign are accepted by the emulator's
//!   verifier (never a 401) and read back byte for byte; any prefix in a signed query too.
//! - `fuzz_tampered_signed_request`: a request we sign, sent as raw bytes, is accepted; the same
//!   bytes with one byte changed in the request target, a signed header or the body are refused.
//! - `fuzz_emulator_raw_requests`: raw bytes over a real socket (garbage, odd request lines,
//!   paths, queries, headers, bodies, mutated signed requests): every input is answered or the
//!   connection closed within seconds, never a 5xx other than 501, never a panic (a panic hook
//!   counts panics in the emulator's tasks).
//!
//! Bounded by `OCI_FUZZ_MS` (see `tests/fuzz_support/mod.rs`); `scripts/fuzz.sh` runs it longer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fuzz_support;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use fuzz_support::{fuzz, mutate, text, ArbResult, Unstructured};
use oci_emulator::Emulator;
use oci_tower::auth::RequestSigner;
use oci_tower::clock::SystemClock;
use oci_tower::objectstorage::ObjectStorageClient;
use oci_tower::Body;

static PANICS: AtomicU64 = AtomicU64::new(0);

fn count_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn emulator_with_bucket() -> (Emulator, ObjectStorageClient) {
    let emu = Emulator::builder().seed(7).start().await.unwrap();
    let client = emu.client_builder().build().unwrap();
    let os = ObjectStorageClient::new(client);
    os.create_bucket()
        .namespace_name(emu.namespace())
        .create_bucket_details(oci_tower::objectstorage::models::CreateBucketDetails {
            name: "fuzz".into(),
            compartment_id: emu.tenancy_id().into(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    (emu, os)
}

#[test]
fn fuzz_signer_round_trip() {
    let rt = runtime();
    let (emu, os) = rt.block_on(emulator_with_bucket());
    let ns = emu.namespace().to_owned();
    let mut stored = 0u64;
    fuzz("signer_round_trip", |u| {
        let name = text(u, 60)?;
        let bytes: Vec<u8> = u.arbitrary()?;
        let prefix = text(u, 20)?;
        rt.block_on(async {
            let put = os
                .put_object()
                .namespace_name(&ns)
                .bucket_name("fuzz")
                .object_name(&name)
                .put_object_body(Body::from(bytes.clone()))
                .send()
                .await;
            match put {
                Ok(_) => {
                    stored += 1;
                    let got = os
                        .get_object()
                        .namespace_name(&ns)
                        .bucket_name("fuzz")
                        .object_name(&name)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("get {name:?} after put: {e}"));
                    let body = got.body.collect().await.unwrap();
                    assert_eq!(&body[..], &bytes[..], "object {name:?} read back differs");
                }
                Err(e) => assert!(
                    e.status().is_none_or(|s| s != 401) && !e.is_auth(),
                    "a signed put of {name:?} was refused: {e}"
                ),
            }
            let list = os
                .list_objects()
                .namespace_name(&ns)
                .bucket_name("fuzz")
                .prefix(&prefix)
                .send()
                .await;
            if let Err(e) = list {
                assert!(
                    !e.is_auth(),
                    "a signed list with prefix {prefix:?} was refused: {e}"
                );
            }
        });
        Ok(())
    });
    eprintln!("fuzz signer_round_trip: {stored} objects stored and read back equal");
}

/// A request signed with the emulator's key, as HTTP/1.1 bytes, and the headers its signature
/// covers (`true` when it covers the body too): a GET with a query, a PutObject (whose body OCI
/// does not sign) or a CreateBucket (whose body it does).
fn signed_bytes(
    emu: &Emulator,
    u: &mut Unstructured<'_>,
) -> ArbResult<(Vec<u8>, Vec<&'static str>, bool)> {
    let signer = RequestSigner::new(emu.credentials(), Arc::new(SystemClock));
    let base = format!("{}/n/{}/b/", emu.endpoint(), emu.namespace());
    let mut payload: Vec<u8> = Vec::new();
    let mut covered = vec!["date", "host", "authorization"];
    let kind = u.int_in_range(0..=2)?;
    let mut req = match kind {
        0 => {
            let mut q = oci_tower::encode::Query::new();
            q.push("prefix", &text(u, 12)?);
            http::Request::get(q.append_to(&format!("{base}fuzz/o")))
                .body(Body::empty())
                .unwrap()
        }
        1 => {
            let name = oci_tower::encode::path_segment(&text(u, 12)?).into_owned();
            payload = u.arbitrary()?;
            http::Request::put(format!("{base}fuzz/o/x{name}"))
                .body(Body::from(payload.clone()))
                .unwrap()
        }
        _ => {
            covered.extend(["content-length", "content-type", "x-content-sha256"]);
            let name: String = (0..16)
                .map(|_| u.int_in_range(b'a'..=b'z').map(char::from))
                .collect::<ArbResult<_>>()?;
            payload =
                serde_json::json!({"name": format!("t{name}"), "compartmentId": emu.tenancy_id()})
                    .to_string()
                    .into_bytes();
            http::Request::post(base)
                .header("content-type", "application/json")
                .body(Body::from(payload.clone()))
                .unwrap()
        }
    };
    signer.sign(&mut req, kind == 1).unwrap();
    let (parts, _) = req.into_parts();
    let mut out = format!(
        "{} {} HTTP/1.1\r\n",
        parts.method,
        parts.uri.path_and_query().unwrap()
    )
    .into_bytes();
    for (k, v) in &parts.headers {
        out.extend_from_slice(k.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if kind == 1 && !parts.headers.contains_key("content-length") {
        out.extend_from_slice(format!("content-length: {}\r\n", payload.len()).as_bytes());
    }
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out.extend_from_slice(&payload);
    Ok((out, covered, kind == 2))
}

/// Writes `bytes` and reads the answer's status line. When none comes within `wait` (the
/// request may be incomplete, and a server waits for the rest), closes the write side and reads
/// to the end: `None` when the server then closed without answering. Panics when neither an
/// answer nor a close comes within 10 s more (a hang).
fn exchange(addr: SocketAddr, bytes: &[u8], wait: Duration) -> Option<u16> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    let _ = s.write_all(bytes);
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let mut closed_write = false;
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                if answer.len() >= 12 {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e)
                if !closed_write
                    && matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
            {
                let _ = s.shutdown(Shutdown::Write);
                s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                closed_write = true;
            }
            Err(e) => panic!(
                "no answer and no close within 10 s ({e}) for {:?}",
                String::from_utf8_lossy(bytes)
            ),
        }
    }
    if answer.is_empty() {
        return None;
    }
    assert!(
        answer.starts_with(b"HTTP/1.1 "),
        "not HTTP: {:?}",
        String::from_utf8_lossy(&answer)
    );
    let code = std::str::from_utf8(&answer[9..12])
        .unwrap()
        .parse()
        .unwrap();
    Some(code)
}

const LONG: Duration = Duration::from_secs(10);
const SHORT: Duration = Duration::from_millis(100);

#[test]
fn fuzz_tampered_signed_request() {
    let rt = runtime();
    let (emu, _os) = rt.block_on(emulator_with_bucket());
    let addr = emu.addr();
    fuzz("tampered_signed_request", |u| {
        let (bytes, covered, body_signed) = signed_bytes(&emu, u)?;
        let ok = exchange(addr, &bytes, LONG);
        assert!(matches!(ok, Some(200..=299)), "a signed request got {ok:?}");
        // Change one byte of the request target, a header the signature covers or a signed body.
        let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = std::str::from_utf8(&bytes[..head_end]).unwrap();
        let mut spans = Vec::new();
        let first = head.find("\r\n").unwrap();
        spans.push((head.find(' ').unwrap() + 1, first - 9)); // the request target
        let mut at = first + 2;
        for line in head[first + 2..].split("\r\n") {
            let name = line.split(':').next().unwrap().to_ascii_lowercase();
            if covered.contains(&name.as_str()) {
                spans.push((at + name.len() + 2, at + line.len()));
            }
            at += line.len() + 2;
        }
        if body_signed && bytes.len() > head_end + 4 {
            spans.push((head_end + 4, bytes.len()));
        }
        let (from, to) = *u.choose(&spans)?;
        let i = u.int_in_range(from..=to - 1)?;
        let mut bad = bytes.clone();
        let original = bad[i];
        while bad[i] == original {
            bad[i] = u.int_in_range(0x21u8..=0x7e)?;
        }
        let got = exchange(addr, &bad, LONG);
        assert!(
            !matches!(got, Some(200..=299)),
            "accepted with byte {i} changed from {:?} to {:?}: {}",
            original as char,
            bad[i] as char,
            String::from_utf8_lossy(&bad)
        );
        Ok(())
    });
}

const METHODS: &[&str] = &[
    "GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS", "FOO", "get", "",
];
const PATHS: &[&str] = &[
    "/n/",
    "/n/ns/b/",
    "/n/ns/b/fuzz/o/",
    "/n/ns/b/fuzz/u",
    "/20160918/users/",
    "/20160918/groups/",
    "/20160918/userGroupMemberships/",
    "/emulator/faults",
    "*",
    "//",
    "/%zz",
    "",
];
const NAMES: &[&str] = &[
    "authorization",
    "date",
    "host",
    "content-length",
    "transfer-encoding",
    "x-content-sha256",
    "content-type",
    "opc-retry-token",
    "if-match",
    "range",
    "x-date",
    "expect",
];

fn garbage_request(u: &mut Unstructured<'_>) -> ArbResult<(Vec<u8>, bool)> {
    let method = *u.choose(METHODS)?;
    let mut target = format!("{}{}", u.choose(PATHS)?, text(u, 30)?);
    if u.arbitrary()? {
        target.push('?');
        target.push_str(&text(u, 30)?);
    }
    let well_formed = !method.is_empty()
        && target.starts_with('/')
        && target.bytes().all(|b| b.is_ascii_graphic());
    let body: Vec<u8> = u.arbitrary()?;
    let mut out = format!("{method} {target} HTTP/1.1\r\nhost: x\r\n").into_bytes();
    let mut framed = false;
    for _ in 0..u.int_in_range(0..=8)? {
        let name = *u.choose(NAMES)?;
        framed |= name == "content-length" || name == "transfer-encoding";
        out.extend_from_slice(format!("{name}: {}\r\n", text(u, 40)?).as_bytes());
    }
    if !framed {
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&body);
    Ok((out, well_formed && !framed))
}

#[test]
fn fuzz_emulator_raw_requests() {
    count_panics();
    let rt = runtime();
    let (emu, os) = rt.block_on(emulator_with_bucket());
    let addr = emu.addr();
    let (mut answered, mut closed) = (0u64, 0u64);
    fuzz("emulator_raw_requests", |u| {
        let (bytes, must_answer) = match u.int_in_range(0..=3)? {
            0 => (u.arbitrary::<Vec<u8>>()?, false),
            1 => {
                let (signed, _, _) = signed_bytes(&emu, u)?;
                (mutate(u, signed)?, false)
            }
            _ => garbage_request(u)?,
        };
        let wait = if must_answer { LONG } else { SHORT };
        match exchange(addr, &bytes, wait) {
            Some(code) => {
                answered += 1;
                assert!(
                    code < 500 || code == 501,
                    "{code} for {:?}",
                    String::from_utf8_lossy(&bytes)
                );
            }
            None => {
                closed += 1;
                assert!(
                    !must_answer,
                    "no answer to {:?}",
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
        Ok(())
    });
    // Still serving signed requests, and nothing panicked in the emulator.
    rt.block_on(async { os.get_namespace().send().await.unwrap() });
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "the emulator panicked");
    eprintln!("fuzz emulator_raw_requests: {answered} answered, {closed} closed without an answer");
}
