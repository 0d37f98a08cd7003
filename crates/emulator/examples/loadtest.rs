//! Loopback load test (a benchmark, not a test): in-process start time, and verified signed
//! requests per second with the emulator on one core.
//!
//! `cargo run --release -p oci-emulator --example loadtest [REQUESTS] [CONCURRENCY]`
//!
//! The emulator runs on a single-threaded runtime in its own thread. One `ListRegions` request is
//! signed once and replayed (its date stays valid for five minutes), so the client's RSA signing
//! does not limit the rate: every replay is still fully verified (keyId lookup, header list,
//! date, RSA signature with aws-lc-rs) and answered by the emulator.

use std::sync::Arc;
use std::time::{Duration, Instant};

use oci_core::auth::RequestSigner;
use oci_core::clock::SystemClock;
use oci_core::transport::HttpTransport;
use oci_core::Body;
use oci_emulator::Emulator;
use tower::ServiceExt;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let total: usize = args.next().map_or(Ok(20_000), |a| a.parse())?;
    let concurrency: usize = args.next().map_or(Ok(16), |a| a.parse())?;

    // The emulator on one core.
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || -> Result<(), String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(async move {
            let t = Instant::now();
            let first = Emulator::builder()
                .start()
                .await
                .map_err(|e| e.to_string())?;
            let cold = t.elapsed();
            let pem = first.private_key_pem().to_owned();
            first.shutdown().await;
            let t = Instant::now();
            let emu = Emulator::builder()
                .private_key_pem(pem)
                .start()
                .await
                .map_err(|e| e.to_string())?;
            let warm = t.elapsed();
            let _ = tx.send((emu.endpoint(), emu.credentials(), cold, warm));
            let _ = stop_rx.await;
            emu.shutdown().await;
            Ok(())
        })
    });
    let (endpoint, credentials, cold, warm) = rx.recv()?;
    println!("start (generating an RSA-2048 key): {cold:?}");
    println!("start (key given):                  {warm:?}");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let (n, elapsed) = rt.block_on(async move {
        let signer = RequestSigner::new(credentials, Arc::new(SystemClock));
        let mut req = http::Request::get(endpoint.join("/20160918/regions")?.to_string())
            .body(Body::empty())?;
        signer.sign(&mut req, false)?;
        let transport = HttpTransport::new(Duration::from_secs(5))?;
        let (parts, _) = req.into_parts();
        let per_task = total / concurrency;
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let transport = transport.clone();
            let parts = parts.clone();
            tasks.push(tokio::spawn(async move {
                let mut ok = 0usize;
                for _ in 0..per_task {
                    let req = http::Request::from_parts(parts.clone(), Body::empty());
                    match transport.clone().oneshot(req).await {
                        Ok(resp) if resp.status() == 200 => {
                            let _ = resp.into_body().collect().await;
                            ok += 1;
                        }
                        Ok(resp) => return Err(format!("status {}", resp.status())),
                        Err(e) => return Err(e.to_string()),
                    }
                }
                Ok(ok)
            }));
        }
        let mut n = 0;
        for t in tasks {
            n += t.await??;
        }
        Ok::<_, Box<dyn std::error::Error>>((n, started.elapsed()))
    })?;
    println!(
        "{n} verified signed requests in {elapsed:?}: {:.0} requests/s (emulator on one core, {concurrency} connections)",
        n as f64 / elapsed.as_secs_f64()
    );
    let _ = stop_tx.send(());
    server.join().map_err(|_| "server thread panicked")??;
    Ok(())
}
