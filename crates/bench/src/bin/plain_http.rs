//! `plain-http`: the full oci-tower stack with a no-op signer vs a bare hyper-util client (T5).
//!
//! ```text
//! plain-http serve --listen 127.0.0.1:PORT
//! plain-http stack --endpoint http://127.0.0.1:PORT [--seconds 3] [--warmup 0.5] [--in-flight 1]
//!                  [--tracing false] [--timeouts false] [--breaker false] [--retry false]
//! plain-http bare  --endpoint http://127.0.0.1:PORT [--seconds 3] [--warmup 0.5] [--in-flight 1]
//! ```
//!
//! - `serve`: a trivial HTTP/1.1 server on one current-thread runtime; every request gets a 200
//!   with the same small JSON user body (about 600 bytes).
//! - `stack`: `Client::call` through the whole default stack (trace, retry with its budget,
//!   circuit breaker, timeouts, status errors, body-stall guard, the rustls-capable transport),
//!   signed by [`NoSigning`], with the `GetUser` operation info attached as `send` does.
//!   The `--tracing`, `--timeouts` (attempt timeout and body-stall guard), `--breaker` and
//!   `--retry` (policy and budget) switches turn single layers off, to see what each costs.
//! - `bare`: a hyper-util legacy client with a plain `HttpConnector`.
//!
//! Both send GET `/20160918/users/{ocid}` rotating over 1,000 OCIDs and read each body to its
//! end, on one current-thread runtime. Prints one JSON object (`req_per_sec`, ...).

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use oci_bench::{run_load, runtime, user_ocids, Args, BenchError};
use oci_core::auth::NoSigning;
use oci_core::layers::RetryPolicy;
use oci_core::{Body, Client, Endpoint, Request as _};

const USER_JSON: &str = r#"{"id":"ocid1.user.oc1..aaaaaaaabenchuserbenchuserbenchuserbenchuserbenchuserbenchus","compartmentId":"ocid1.tenancy.oc1..aaaaaaaabenchtenancybenchtenancybenchtenancybenchtenancybench","name":"bench-user","description":"a user served by plain-http","email":"bench@example.invalid","emailVerified":false,"identityProviderId":null,"externalIdentifier":null,"timeCreated":"2026-11-21T12:00:00.000Z","lifecycleState":"ACTIVE","inactiveStatus":null,"freeformTags":{},"definedTags":{},"capabilities":{"canUseConsolePassword":true,"canUseApiKeys":true,"canUseAuthTokens":true,"canUseSmtpCredentials":true,"canUseCustomerSecretKeys":true,"canUseOAuth2ClientCredentials":true,"canUseDbCredentials":true},"isMfaActivated":false,"lastSuccessfulLoginTime":null}"#;

fn main() {
    if let Err(e) = run() {
        eprintln!("plain-http: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), BenchError> {
    let mut argv = std::env::args().skip(1);
    let cmd = argv
        .next()
        .ok_or("usage: plain-http serve|stack|bare --option value ...")?;
    let args = Args::parse_from(argv)?;
    match cmd.as_str() {
        "serve" => serve(&args),
        "stack" | "bare" => load(&cmd, &args),
        other => Err(format!("unknown command `{other}`").into()),
    }
}

fn serve(args: &Args) -> Result<(), BenchError> {
    let listen: std::net::SocketAddr = args.get("listen", "127.0.0.1:18080".parse()?)?;
    runtime(1)?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(|_req| async {
                    Ok::<_, Infallible>(
                        http::Response::builder()
                            .header("content-type", "application/json")
                            .header("opc-request-id", "bench")
                            .body(Full::new(Bytes::from_static(USER_JSON.as_bytes())))
                            .unwrap_or_default(),
                    )
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                    .await;
            });
        }
    })
}

fn load(cmd: &str, args: &Args) -> Result<(), BenchError> {
    let seconds: f64 = args.get("seconds", 3.0)?;
    let warmup: f64 = args.get("warmup", 0.5)?;
    let in_flight: usize = args.get("in-flight", 1)?;
    let endpoint = args
        .get_str("endpoint")
        .ok_or("--endpoint is required")?
        .to_owned();
    let base = Endpoint::parse(&endpoint)?;
    let uris = Arc::new(
        user_ocids(oci_bench::MIN_USERS)
            .iter()
            .map(|u| Ok(base.join(&format!("/20160918/users/{u}"))?.to_string()))
            .collect::<Result<Vec<String>, BenchError>>()?,
    );
    let rt = runtime(1)?;
    let r = if cmd == "stack" {
        let tracing: bool = args.get("tracing", true)?;
        let timeouts: bool = args.get("timeouts", true)?;
        let breaker: bool = args.get("breaker", true)?;
        let retry: bool = args.get("retry", true)?;
        let client = rt.block_on(async {
            let mut b = Client::builder()
                .signer(NoSigning)
                .endpoint(base.clone())
                .tracing(tracing);
            if !timeouts {
                b = b.attempt_timeout(None).body_stall_timeout(None);
            }
            if !breaker {
                b = b.circuit_breaker(None);
            }
            if !retry {
                b = b.retry_policy(RetryPolicy::none()).retry_budget(None);
            }
            b.build()
        })?;
        rt.block_on(run_load(in_flight, warmup, seconds, move |i| {
            let client = client.clone();
            let uri = uris[i % uris.len()].clone();
            async move {
                let mut req = http::Request::get(uri).body(Body::empty())?;
                req.extensions_mut()
                    .insert(oci_identity::operations::GetUser::info());
                let resp = client.call(req).await?;
                if !resp.status().is_success() {
                    return Err(format!("status {}", resp.status()).into());
                }
                let body = resp.into_body().collect().await?;
                if body.len() != USER_JSON.len() {
                    return Err("short body".into());
                }
                Ok(())
            }
        }))?
    } else {
        rt.block_on(async move {
            let http: hyper_util::client::legacy::Client<_, Empty<Bytes>> =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build_http();
            run_load(in_flight, warmup, seconds, move |i| {
                let http = http.clone();
                let uri = uris[i % uris.len()].clone();
                async move {
                    let req = http::Request::get(uri).body(Empty::new())?;
                    let resp = http.request(req).await?;
                    if !resp.status().is_success() {
                        return Err(format!("status {}", resp.status()).into());
                    }
                    let body = resp.into_body().collect().await?.to_bytes();
                    if body.len() != USER_JSON.len() {
                        return Err("short body".into());
                    }
                    Ok(())
                }
            })
            .await
        })?
    };
    println!(
        "{}",
        serde_json::json!({
            "bench": format!("plain-http {cmd}"),
            "requests": r.requests,
            "seconds": r.seconds,
            "req_per_sec": r.requests as f64 / r.seconds,
            "cpu_seconds": r.cpu_seconds,
            "calls": r.total_calls,
            "in_flight": in_flight,
        })
    );
    Ok(())
}
