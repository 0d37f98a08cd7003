//! Retries, the circuit breaker and timeouts, with faults injected by the emulator.
//!
//! Run with `cargo run --example retry_faults`. Each scenario adds a fault to the in-process
//! emulator, makes one call, and prints what the emulator saw (its journal): every attempt is a
//! separate request there, so the retries are visible, with the fault that answered each one.
//!
//! 1. two 503s, then success: retried with exponential backoff;
//! 2. a 429 with `Retry-After: 1`: the server's delay replaces the backoff;
//! 3. an attempt that hangs: the attempt timeout cuts it off and the retry succeeds;
//! 4. a 404: a client error, returned at once, never retried;
//! 5. a per-call override: the same 503 with retries off for this call only;
//! 6. a path that always fails: the circuit breaker opens and then fails fast without sending;
//!    after its open time, one probe closes it again.
//!
//! The delays are short so the example finishes in about two seconds; the defaults are OCI's
//! (8 attempts, exponential backoff up to 30 s, attempt timeout 60 s, breaker open for 30 s).

use std::time::{Duration, Instant};

use oci_emulator::{Emulator, Fault};
use oci_tower::identity::IdentityClient;
use oci_tower::layers::retry::Jitter;
use oci_tower::layers::{CallOptions, CircuitBreakerConfig, RetryPolicy};
use oci_tower::Client;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Prints the requests the emulator saw since the journal was last cleared, then clears it.
/// Every attempt is one request, answered by the fault named after the arrow, if any.
fn print_journal(emulator: &Emulator) {
    let journal = emulator.journal();
    if journal.is_empty() {
        println!("    emulator saw no request");
    }
    for e in journal {
        let status = e.status.map_or("no answer".to_owned(), |s| s.to_string());
        let code = e.error_code.map(|c| format!(" {c}")).unwrap_or_default();
        let fault = e
            .fault
            .map(|f| format!("   <- fault {f}"))
            .unwrap_or_default();
        println!(
            "    emulator: {} {} {}{code}{fault}",
            e.operation, e.method, status
        );
    }
    emulator.clear_journal();
}

/// Prints the state of each of the client's breakers.
fn print_breakers(client: &Client) {
    if let Some(breakers) = client.circuit_breakers() {
        for b in breakers.snapshot() {
            let open = b
                .open_remaining
                .map(|d| format!(", open for {} ms more", d.as_millis()))
                .unwrap_or_default();
            println!(
                "    breaker: {} ({} of {} calls failed{open})",
                b.state, b.failures, b.calls
            );
        }
    }
}

/// Prints how a call ended.
fn outcome<T>(started: Instant, result: &Result<T, oci_tower::Error>) {
    let ms = started.elapsed().as_millis();
    match result {
        Ok(_) => println!("    -> ok after {ms} ms"),
        Err(e) => println!("    -> error after {ms} ms: {e}"),
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let emulator = Emulator::builder().start().await?;
    let user_id = emulator.user_id().to_owned();

    // Quick settings for the demo. Everything not set keeps OCI's defaults.
    let retry = RetryPolicy::builder()
        .max_attempts(4) // in all, the first attempt included
        .base_delay(Duration::from_millis(50)) // 50, 100, 200 ms...
        .max_delay(Duration::from_millis(400))
        .jitter(Jitter::None) // the default adds U(0, 1 s) to every sleep
        .total_timeout(Some(Duration::from_secs(10)))
        .build();
    let client = emulator
        .client_builder()
        .retry_policy(retry.clone())
        .attempt_timeout(Duration::from_millis(300))
        .build()?;
    let identity = IdentityClient::new(client.clone());
    let get_user = || identity.get_user().user_id(&user_id);

    println!("1. two 503s, then success (max 4 attempts, backoff 50 ms, 100 ms)");
    emulator.add_fault(
        Fault::status(503, "ServiceUnavailable")
            .operation("GetUser")
            .first(2),
    );
    let started = Instant::now();
    let result = get_user().send().await;
    print_journal(&emulator);
    outcome(started, &result);

    emulator.clear_faults();
    println!("\n2. a 429 with Retry-After: 1 (the server's delay wins over the backoff)");
    emulator.add_fault(
        Fault::status(429, "TooManyRequests")
            .operation("GetUser")
            .first(1)
            .retry_after(1),
    );
    let started = Instant::now();
    let result = get_user().send().await;
    print_journal(&emulator);
    outcome(started, &result);

    emulator.clear_faults();
    println!("\n3. the first attempt hangs (attempt timeout 300 ms)");
    emulator.add_fault(Fault::hang().operation("GetUser").first(1));
    let started = Instant::now();
    let result = get_user().send().await;
    print_journal(&emulator);
    outcome(started, &result);

    emulator.clear_faults();
    println!("\n4. a 404 is a client error: one attempt, no retry");
    let started = Instant::now();
    let result = identity
        .get_user()
        .user_id("ocid1.user.oc1..doesnotexist")
        .send()
        .await;
    print_journal(&emulator);
    outcome(started, &result);
    if let Err(e) = &result {
        println!(
            "    typed: status {:?}, code {:?}, not found: {}, attempts {:?}",
            e.status().map(|s| s.as_u16()),
            e.code(),
            e.is_not_found(),
            e.attempts()
        );
    }

    emulator.clear_faults();
    println!("\n5. per call: retries off for this call only (CallOptions), same two 503s");
    emulator.add_fault(
        Fault::status(503, "ServiceUnavailable")
            .operation("GetUser")
            .first(2),
    );
    let started = Instant::now();
    let op = get_user().into_request();
    let result = client
        .send_with(
            op,
            CallOptions::builder()
                .retry_policy(RetryPolicy::none())
                .build(),
        )
        .await;
    print_journal(&emulator);
    outcome(started, &result);

    emulator.clear_faults();
    // 6. Breakers belong to a client (one per endpoint host), so this client starts closed,
    //    whatever happened above. It opens when >= 80% of >= 4 attempts in 10 s failed.
    println!("\n6. a path that always fails: the circuit breaker opens");
    let breaker = CircuitBreakerConfig::builder()
        .min_calls(4)
        .failure_rate(0.8)
        .window(Duration::from_secs(10))
        .open_for(Duration::from_millis(500))
        .on_state_change(|_host, from, to| println!("    breaker changed: {from} -> {to}"))
        .build();
    let guarded = emulator
        .client_builder()
        .retry_policy(
            RetryPolicy::builder()
                .max_attempts(2)
                .base_delay(Duration::from_millis(20))
                .jitter(Jitter::None)
                .build(),
        )
        .circuit_breaker(breaker)
        .build()?;
    let guarded_identity = IdentityClient::new(guarded.clone());
    let always = emulator.add_fault(
        Fault::status(500, "InternalServerError")
            .operation("GetUser")
            .named("always 500"),
    );
    for call in 1..=3 {
        println!("  call {call}");
        let started = Instant::now();
        let result = guarded_identity.get_user().user_id(&user_id).send().await;
        print_journal(&emulator);
        outcome(started, &result);
        if let Err(e) = &result {
            if e.is_circuit_open() {
                println!("    (failed fast: the circuit is open, nothing was sent)");
            }
        }
        print_breakers(&guarded);
    }

    println!("  the service recovers; after 500 ms the breaker lets one probe through");
    emulator.remove_fault(always);
    tokio::time::sleep(Duration::from_millis(550)).await;
    print_breakers(&guarded);
    println!("  call 4");
    let started = Instant::now();
    let result = guarded_identity.get_user().user_id(&user_id).send().await;
    print_journal(&emulator);
    outcome(started, &result);
    print_breakers(&guarded);

    emulator.shutdown().await;
    Ok(())
}
