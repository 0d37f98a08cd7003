//! The emulator binary under load with persistence, killed and restarted: 64 concurrent
//! clients put objects (each under its own name, and all of them under one shared name) against
//! `oci-emulator --data-dir`; the process is SIGKILLed mid-run and restarted on the same
//! directories. After every restart: every acknowledged write is there byte for byte, every
//! object that exists holds exactly one of the bodies written to it (no torn object), the state
//! loads (no corrupt state file) and no temporary file is left; the shared name holds one
//! writer's body and the etag that writer was given.
//!
//! Bounded in `cargo test` (`OCI_KILL_ROUNDS`, default 3); more rounds on demand:
//! `OCI_KILL_ROUNDS=50 cargo test -p oci-emulator --test kill_restart -- --nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oci_core::auth::{ApiKeyCredentials, PrivateKey};
use oci_core::layers::retry::RetryPolicy;
use oci_core::{Body, Client, Endpoint};
use oci_objectstorage::models::{CreateBucketDetails, ListObjectsFields};
use oci_objectstorage::ObjectStorageClient;

const CLIENTS: usize = 64;
const SHARED: &str = "shared-name";

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn launch(config_dir: &Path, data_dir: &Path) -> (Running, ObjectStorageClient, String) {
    let _ = std::fs::remove_file(config_dir.join("endpoint"));
    let child = Command::new(env!("CARGO_BIN_EXE_oci-emulator"))
        .args(["--listen", "127.0.0.1:0", "--seed", "5", "--config-dir"])
        .arg(config_dir)
        .arg("--data-dir")
        .arg(data_dir)
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let running = Running(child);
    let mut endpoint = None;
    for _ in 0..400 {
        if let Ok(text) = std::fs::read_to_string(config_dir.join("endpoint")) {
            if text.ends_with('\n') {
                endpoint = Some(Endpoint::parse(text.trim()).unwrap());
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let endpoint = endpoint.expect("the emulator wrote its endpoint (it loaded its state)");
    let text = std::fs::read_to_string(config_dir.join("config")).unwrap();
    let v: HashMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
    let key = PrivateKey::from_pem(&std::fs::read(v["key_file"]).unwrap(), None).unwrap();
    let creds = ApiKeyCredentials::new(v["tenancy"], v["user"], v["fingerprint"], key);
    let client = Client::builder()
        .credentials(Arc::new(creds))
        .endpoint(endpoint)
        .retry_policy(RetryPolicy::none())
        .circuit_breaker(None)
        .build()
        .unwrap();
    (
        running,
        ObjectStorageClient::new(client),
        v["tenancy"].to_owned(),
    )
}

/// What the clients did: bodies attempted per name, and acknowledged (body, etag) per name.
#[derive(Default)]
struct Ledger {
    attempted: HashMap<String, HashSet<Vec<u8>>>,
    acked: HashMap<String, Vec<(Vec<u8>, String)>>,
}

fn body_for(name: &str, n: u64) -> Vec<u8> {
    // Distinct per write, 1-40 KiB, so a torn or mixed object cannot match any attempt.
    let len = 1024 + (n as usize * 7919) % (39 * 1024);
    let seed = format!("{name}#{n}#");
    seed.bytes().cycle().take(len).collect()
}

async fn client_loop(
    i: usize,
    round: u32,
    os: ObjectStorageClient,
    ns: String,
    ledger: Arc<Mutex<Ledger>>,
) {
    for n in 0u64.. {
        let name = if n % 4 == 3 {
            SHARED.to_owned()
        } else {
            format!("c{i}/r{round}-{n}")
        };
        let body = body_for(&format!("{i}-{round}-{name}"), n);
        ledger
            .lock()
            .unwrap()
            .attempted
            .entry(name.clone())
            .or_default()
            .insert(body.clone());
        let put = os
            .put_object()
            .namespace_name(&ns)
            .bucket_name("load")
            .object_name(&name)
            .put_object_body(Body::from(body.clone()))
            .send()
            .await;
        match put {
            Ok(r) => ledger
                .lock()
                .unwrap()
                .acked
                .entry(name)
                .or_default()
                .push((body, r.etag.unwrap_or_default())),
            Err(_) => return, // the process was killed
        }
    }
}

async fn verify(os: &ObjectStorageClient, ns: &str, ledger: &Ledger, data_dir: &Path) -> usize {
    // No temporary state file left once restarted.
    let leftovers: Vec<_> = std::fs::read_dir(data_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files after restart: {leftovers:?}"
    );
    let mut checked = 0;
    // Every object there holds one body written to it (no torn object).
    let mut start: Option<String> = None;
    let mut listed = HashSet::new();
    loop {
        let mut req = os
            .list_objects()
            .namespace_name(ns)
            .bucket_name("load")
            .fields(vec![
                ListObjectsFields::Name,
                ListObjectsFields::Etag,
                ListObjectsFields::Size,
            ])
            .limit(1000);
        if let Some(s) = &start {
            req = req.start(s);
        }
        let page = req.send().await.unwrap().body;
        for o in page.objects {
            listed.insert((o.name.clone(), o.etag.clone()));
        }
        match page.next_start_with {
            Some(s) => start = Some(s),
            None => break,
        }
    }
    for (name, etag) in &listed {
        let got = os
            .get_object()
            .namespace_name(ns)
            .bucket_name("load")
            .object_name(name)
            .send()
            .await
            .unwrap();
        assert_eq!(
            got.etag.as_ref(),
            etag.as_ref(),
            "{name}: GET and LIST etags differ"
        );
        let got_etag = got.etag.clone().unwrap_or_default();
        let bytes = got.body.collect().await.unwrap().to_vec();
        let attempts = ledger
            .attempted
            .get(name)
            .unwrap_or_else(|| panic!("{name} was never written"));
        assert!(
            attempts.contains(&bytes),
            "{name}: torn or foreign body ({} bytes)",
            bytes.len()
        );
        // The body's etag is the one its writer was given, when that write was acknowledged.
        if let Some(acks) = ledger.acked.get(name) {
            if let Some((_, e)) = acks.iter().find(|(b, _)| *b == bytes) {
                assert_eq!(
                    e, &got_etag,
                    "{name}: etag differs from the one acknowledged for this body"
                );
            }
        }
        checked += 1;
    }
    // Every acknowledged write is there (names other than the shared one are written once).
    for (name, acks) in &ledger.acked {
        if name == SHARED {
            continue;
        }
        assert!(
            listed.iter().any(|(n, _)| n == name),
            "acknowledged {name} is missing"
        );
        assert_eq!(acks.len(), 1);
    }
    if ledger.acked.contains_key(SHARED) {
        assert!(
            listed.iter().any(|(n, _)| n == SHARED),
            "the shared object is missing"
        );
    }
    checked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_run_loses_no_acknowledged_write() {
    let rounds: u32 = std::env::var("OCI_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let (config_dir, data_dir) = (dir.path().join("cfg"), dir.path().join("data"));
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let (mut running, mut os, tenancy) = launch(&config_dir, &data_dir).await;
    let ns = os.get_namespace().send().await.unwrap().body;
    os.create_bucket()
        .namespace_name(&ns)
        .create_bucket_details(CreateBucketDetails {
            name: "load".into(),
            compartment_id: tenancy,
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let mut total_acked = 0;
    for round in 0..rounds {
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|i| {
                tokio::spawn(client_loop(
                    i,
                    round,
                    os.clone(),
                    ns.clone(),
                    ledger.clone(),
                ))
            })
            .collect();
        // Kill at a different point each round, while the clients are writing.
        tokio::time::sleep(Duration::from_millis(600 + 200 * u64::from(round % 5))).await;
        running.0.kill().unwrap(); // SIGKILL
        running.0.wait().unwrap();
        for t in tasks {
            t.await.unwrap();
        }
        // Restarted on the same directories (a new port): the next round writes to it.
        (running, os, _) = launch(&config_dir, &data_dir).await;
        // Every client has stopped: the ledger is taken out to check it, then put back.
        let l = std::mem::take(&mut *ledger.lock().unwrap());
        let acked: usize = l.acked.values().map(Vec::len).sum();
        let checked = verify(&os, &ns, &l, &data_dir).await;
        *ledger.lock().unwrap() = l;
        eprintln!(
            "kill-restart round {}: {acked} writes acknowledged so far, {checked} objects verified after SIGKILL and restart",
            round + 1
        );
        total_acked = acked;
    }
    assert!(
        total_acked > CLIENTS,
        "the clients wrote something: {total_acked}"
    );

    // Without a kill: 64 concurrent writes to one name; the last writer wins, with its etag.
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let (os, ns) = (os.clone(), ns.clone());
            tokio::spawn(async move {
                let body = body_for(&format!("last-{i}"), i as u64);
                let r = os
                    .put_object()
                    .namespace_name(&ns)
                    .bucket_name("load")
                    .object_name("same")
                    .put_object_body(Body::from(body.clone()))
                    .send()
                    .await
                    .unwrap();
                (body, r.etag.unwrap())
            })
        })
        .collect();
    let mut acks = Vec::new();
    for t in tasks {
        acks.push(t.await.unwrap());
    }
    let etags: HashSet<&String> = acks.iter().map(|(_, e)| e).collect();
    assert_eq!(etags.len(), CLIENTS, "every write got its own etag");
    let got = os
        .get_object()
        .namespace_name(&ns)
        .bucket_name("load")
        .object_name("same")
        .send()
        .await
        .unwrap();
    let etag = got.etag.clone().unwrap();
    let bytes = got.body.collect().await.unwrap().to_vec();
    let winner = acks
        .iter()
        .find(|(b, _)| *b == bytes)
        .expect("the object holds one writer's body");
    assert_eq!(
        winner.1, etag,
        "the winner's body carries the winner's etag"
    );
    drop(running);
    let (_running, os, _) = launch(&config_dir, &data_dir).await;
    let again = os
        .get_object()
        .namespace_name(&ns)
        .bucket_name("load")
        .object_name("same")
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.etag.as_deref(),
        Some(etag.as_str()),
        "the same after a restart"
    );
    eprintln!("kill-restart: {rounds} rounds survived; 64 concurrent writes to one name: one winner, etag consistent across GET and restart");
}
