//! Fault soak: the default client (quick retry settings) against the in-process emulator with
//! seeded faults on ~30% of attempts — 503, 429 with `Retry-After`, resets before the server
//! handles a request, drops after it committed, stalled bodies, slow heads — over creates,
//! updates, deletes, paginated lists, puts, gets and multipart uploads, from 8 concurrent
//! workers. Then, with the faults off, it checks: no call failed, no group was created twice
//! (`opc-retry-token`), every object reads back with the bytes that were sent, and memory stayed
//! flat. A last phase drives the fault rate to 100% until the circuit breaker opens, then back
//! to 0 and checks that it closes again.
//!
//! Bounded in `cargo test` (`OCI_SOAK_ROUNDS`, default 30 rounds per worker, well under a
//! minute); `OCI_SOAK_ROUNDS=2000 cargo test --test soak -- --nocapture` runs longer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::TryStreamExt;
use oci_emulator::{Emulator, Fault, FaultAction};
use oci_tower::identity::models::{CreateGroupDetails, UpdateGroupDetails};
use oci_tower::identity::IdentityClient;
use oci_tower::layers::retry::Jitter;
use oci_tower::layers::{CircuitBreakerConfig, RetryPolicy};
use oci_tower::objectstorage::models::CreateBucketDetails;
use oci_tower::objectstorage::transfer::{TransferManager, UploadSource};
use oci_tower::objectstorage::ObjectStorageClient;
use oci_tower::{Body, Client};
use rand::{Rng, SeedableRng};

const WORKERS: u64 = 8;
const BUCKET: &str = "soak";

/// Resident memory in KiB (Linux), 0 elsewhere.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// ~30% of attempts get a fault (each rule draws on its own; the first that fires wins).
fn add_faults(emu: &Emulator) {
    let faults = [
        (Fault::status(503, "ServiceUnavailable"), 0.08),
        (Fault::status(429, "TooManyRequests").retry_after(1), 0.01),
        (Fault::status(429, "TooManyRequests").retry_after(0), 0.04),
        (Fault::reset(), 0.05),
        (Fault::drop_after_commit(), 0.05),
        (
            Fault::new(FaultAction::StallBody {
                after_bytes: 0,
                millis: Some(5_000),
            }),
            0.02,
        ),
        (Fault::latency(Duration::from_millis(150)), 0.05),
    ];
    for (f, p) in faults {
        // The emulator's own control routes are never faulted (they have no service name).
        emu.add_fault(f.probability(p));
    }
}

#[derive(Default)]
struct Figures {
    calls: u64,
    failed: Vec<String>,
    creates: u64,
    updates: u64,
    deletes: u64,
    delete_retried_404: u64,
    lists: u64,
    puts: u64,
    multipart: u64,
    differs: u64,
}

fn client(emu: &Emulator, breaker: Option<CircuitBreakerConfig>) -> Client {
    emu.client_builder()
        .retry_policy(
            RetryPolicy::builder()
                .max_attempts(12)
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(80))
                .jitter(Jitter::Full)
                .total_timeout(Some(Duration::from_secs(60)))
                .build(),
        )
        .attempt_timeout(Duration::from_millis(800))
        .circuit_breaker(breaker)
        .build()
        .unwrap()
}

async fn worker(
    w: u64,
    rounds: u64,
    emu: Arc<Emulator>,
    client: Client,
    figures: Arc<Mutex<Figures>>,
    objects: Arc<Mutex<HashMap<String, Bytes>>>,
) {
    let identity = IdentityClient::new(client.clone());
    let os = ObjectStorageClient::new(client.clone());
    let tm = TransferManager::builder(os.clone())
        .part_size(1024 * 1024)
        .parallelism(2)
        .build()
        .unwrap();
    let ns = emu.namespace().to_owned();
    let tenancy = emu.tenancy_id().to_owned();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(w);
    let fail = |what: String| figures.lock().unwrap().failed.push(what);
    let ok = |f: &dyn Fn(&mut Figures)| {
        let mut g = figures.lock().unwrap();
        g.calls += 1;
        f(&mut g);
    };
    for i in 0..rounds {
        let name = format!("soak-{w}-{i}");
        let group = identity
            .create_group()
            .create_group_details(CreateGroupDetails {
                compartment_id: tenancy.clone(),
                name: name.clone(),
                description: "v0".into(),
                ..Default::default()
            })
            .send()
            .await;
        let group = match group {
            Ok(g) => {
                ok(&|f| f.creates += 1);
                g.body
            }
            Err(e) => {
                fail(format!("create {name}: {e}"));
                continue;
            }
        };
        match identity
            .update_group()
            .group_id(&group.id)
            .update_group_details(UpdateGroupDetails {
                description: Some(format!("v{i}")),
                ..Default::default()
            })
            .send()
            .await
        {
            Ok(g) if g.body.description == format!("v{i}") => ok(&|f| f.updates += 1),
            Ok(g) => fail(format!("update {name}: description {}", g.body.description)),
            Err(e) => fail(format!("update {name}: {e}")),
        }
        let key = format!("w{w}/o{i}");
        let len = rng.gen_range(0..48 * 1024);
        let mut data = vec![0u8; len];
        rng.fill(&mut data[..]);
        let data = Bytes::from(data);
        let put = if i % 10 == 3 {
            // Multipart: 3 parts of 1 MiB (the smallest part size), the last one short.
            let mut big = vec![0u8; 2 * 1024 * 1024 + rng.gen_range(1..512 * 1024)];
            rng.fill(&mut big[..]);
            let big = Bytes::from(big);
            let r = tm
                .upload(&ns, BUCKET, &key, UploadSource::bytes(big.clone()))
                .send()
                .await
                .map(|_| big);
            if r.is_ok() {
                ok(&|f| f.multipart += 1);
            }
            r
        } else {
            let r = os
                .put_object()
                .namespace_name(&ns)
                .bucket_name(BUCKET)
                .object_name(&key)
                .put_object_body(Body::from(data.clone()))
                .send()
                .await
                .map(|_| data);
            if r.is_ok() {
                ok(&|f| f.puts += 1);
            }
            r
        };
        match put {
            Ok(sent) => {
                objects.lock().unwrap().insert(key.clone(), sent);
            }
            Err(e) => fail(format!("put {key}: {e}")),
        }
        if i % 4 == 1 {
            match os
                .delete_object()
                .namespace_name(&ns)
                .bucket_name(BUCKET)
                .object_name(&key)
                .send()
                .await
            {
                Ok(_) => {
                    objects.lock().unwrap().remove(&key);
                    ok(&|f| f.deletes += 1);
                }
                // The first attempt deleted it and its answer was lost (drop after commit): the
                // retry finds nothing. The object is gone, as asked; the caller sees the 404.
                Err(e) if e.is_not_found() && e.attempts().unwrap_or(1) > 1 => {
                    objects.lock().unwrap().remove(&key);
                    ok(&|f| {
                        f.deletes += 1;
                        f.delete_retried_404 += 1;
                    });
                }
                Err(e) => fail(format!("delete {key}: {e}")),
            }
        }
        if i % 5 == 2 {
            let items: Result<Vec<_>, _> = identity
                .list_groups()
                .compartment_id(&tenancy)
                .limit(7)
                .items()
                .try_collect()
                .await;
            match items {
                Ok(g) if g.len() as u64 > i => ok(&|f| f.lists += 1),
                Ok(g) => fail(format!("list: only {} groups", g.len())),
                Err(e) => fail(format!("list groups: {e}")),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_under_faults_loses_nothing() {
    let rounds: u64 = std::env::var("OCI_SOAK_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let emu = Arc::new(Emulator::builder().seed(2024).start().await.unwrap());
    let transitions = Arc::new(Mutex::new(Vec::new()));
    let t = transitions.clone();
    let breaker = CircuitBreakerConfig::builder()
        .min_calls(10)
        .failure_rate(0.8)
        .window(Duration::from_secs(5))
        .open_for(Duration::from_millis(300))
        .on_state_change(move |_, from, to| t.lock().unwrap().push(format!("{from}->{to}")))
        .build();
    let client = client(&emu, Some(breaker));
    let os = ObjectStorageClient::new(client.clone());
    os.create_bucket()
        .namespace_name(emu.namespace())
        .create_bucket_details(CreateBucketDetails {
            name: BUCKET.into(),
            compartment_id: emu.tenancy_id().into(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();

    add_faults(&emu);
    let started = Instant::now();
    let rss_start = rss_kib();
    let figures = Arc::new(Mutex::new(Figures::default()));
    let objects = Arc::new(Mutex::new(HashMap::new()));
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        tasks.push(tokio::spawn(worker(
            w,
            rounds,
            emu.clone(),
            client.clone(),
            figures.clone(),
            objects.clone(),
        )));
    }
    let mut rss_peak = rss_start;
    let mut rss_mid = 0;
    while tasks.iter().any(|t| !t.is_finished()) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        rss_peak = rss_peak.max(rss_kib());
        if rss_mid == 0 && figures.lock().unwrap().calls > rounds * WORKERS * 2 {
            rss_mid = rss_kib();
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    let rss_end = rss_kib();

    // What the emulator saw: attempts and the faults that answered them.
    let journal = emu.journal();
    let attempts = journal.len();
    let mut faults: BTreeMap<String, usize> = BTreeMap::new();
    for e in &journal {
        if let Some(f) = &e.fault {
            let kind = f.split_whitespace().skip(1).collect::<Vec<_>>().join(" ");
            *faults
                .entry(if kind.is_empty() { f.clone() } else { kind })
                .or_default() += 1;
        }
    }
    let faulted: usize = faults.values().sum();
    emu.clear_faults();
    let soak_transitions = transitions.lock().unwrap().clone();

    // Duplicates: every name must be there exactly once.
    let identity = IdentityClient::new(client.clone());
    let groups: Vec<_> = identity
        .list_groups()
        .compartment_id(emu.tenancy_id())
        .limit(100)
        .items()
        .try_collect()
        .await
        .unwrap();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for g in groups.iter().filter(|g| g.name.starts_with("soak-")) {
        *by_name.entry(g.name.clone()).or_default() += 1;
    }
    let duplicates: usize = by_name.values().map(|n| n - 1).sum();
    // Lost or changed bytes: every acknowledged object reads back equal.
    let expected = objects.lock().unwrap().clone();
    let mut differs = 0;
    for (key, sent) in &expected {
        let got = os
            .get_object()
            .namespace_name(emu.namespace())
            .bucket_name(BUCKET)
            .object_name(key)
            .send()
            .await;
        let same = match got {
            Ok(r) => r.body.collect().await.map(|b| b == *sent).unwrap_or(false),
            Err(_) => false,
        };
        if !same {
            differs += 1;
        }
    }
    let mut f = std::mem::take(&mut *figures.lock().unwrap());
    f.differs = differs;
    eprintln!(
        "soak: {} calls ok ({} creates, {} updates, {} deletes ({} answered 404 on a retry after a dropped commit), {} paginated lists, {} puts, {} multipart) \
         in {:.1?} from {WORKERS} workers; {attempts} attempts, {faulted} faulted ({:.0}%): {faults:?}; \
         {} failed calls, {duplicates} duplicate creates, {differs} of {} objects differ; \
         RSS start {rss_start} KiB, after warm-up {rss_mid} KiB, peak {rss_peak} KiB, end {rss_end} KiB; \
         breaker during soak: {soak_transitions:?}",
        f.calls, f.creates, f.updates, f.deletes, f.delete_retried_404, f.lists, f.puts, f.multipart, elapsed,
        100.0 * faulted as f64 / attempts.max(1) as f64, f.failed.len(), expected.len()
    );
    assert!(
        f.failed.is_empty(),
        "failed calls: {:?}",
        &f.failed[..f.failed.len().min(5)]
    );
    assert_eq!(f.creates, rounds * WORKERS);
    assert_eq!(
        by_name.len() as u64,
        rounds * WORKERS,
        "every group is there"
    );
    assert_eq!(duplicates, 0, "duplicate creates");
    assert_eq!(differs, 0, "objects whose bytes differ");
    let share = faulted as f64 / attempts as f64;
    assert!((0.15..0.45).contains(&share), "fault share {share}");
    assert!(faults.len() >= 6, "every kind of fault fired: {faults:?}");
    // Flat memory: the second half of the run does not grow it by more than 64 MiB.
    if rss_mid > 0 {
        assert!(
            rss_end < rss_mid + 64 * 1024,
            "RSS grew from {rss_mid} to {rss_end} KiB"
        );
    }
    assert!(
        soak_transitions.is_empty(),
        "the breaker opened at ~30% faults: {soak_transitions:?}"
    );

    // The breaker: every attempt fails -> it opens (calls fail fast); faults off -> it closes.
    // A client of its own, so its window holds only this phase (the soak's client has a
    // window full of the soak's successes, which keep the failure rate below the threshold).
    let transitions = Arc::new(Mutex::new(Vec::new()));
    let t = transitions.clone();
    let breaker = CircuitBreakerConfig::builder()
        .min_calls(10)
        .failure_rate(0.8)
        .window(Duration::from_secs(5))
        .open_for(Duration::from_millis(300))
        .on_state_change(move |_, from, to| t.lock().unwrap().push(format!("{from}->{to}")))
        .build();
    let os = ObjectStorageClient::new(crate::client(&emu, Some(breaker)));
    emu.add_fault(Fault::status(503, "ServiceUnavailable").operation("GetNamespace"));
    let mut fast = 0;
    for _ in 0..40 {
        if let Err(e) = os.get_namespace().send().await {
            if e.is_circuit_open() {
                fast += 1;
                break;
            }
        }
    }
    assert_eq!(
        fast,
        1,
        "the breaker opened: {:?}",
        transitions.lock().unwrap()
    );
    emu.clear_faults();
    tokio::time::sleep(Duration::from_millis(350)).await;
    os.get_namespace().send().await.unwrap();
    let all = transitions.lock().unwrap().clone();
    eprintln!("soak: breaker at 100% faults then 0%: {all:?}");
    assert!(all.iter().any(|t| t.ends_with("->open")), "{all:?}");
    assert_eq!(
        all.last().map(|s| s.ends_with("->closed")),
        Some(true),
        "{all:?}"
    );
}
