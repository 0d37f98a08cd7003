//! `identity-load`: signed Identity `get_user` load against a server (the emulator).
//!
//! ```text
//! identity-load seed    --config DIR/config --endpoint URL --tenancy OCID --count 1000 --out users.txt
//! identity-load get-user --config DIR/config --endpoint URL --users users.txt
//!                        [--seconds 3] [--warmup 0.5] [--in-flight 1] [--threads 1]
//! identity-load replay  --config DIR/config --endpoint URL --users users.txt
//!                        [--seconds 3] [--warmup 0.5] [--in-flight 16]
//! ```
//!
//! - `seed` creates `--count` users through `IdentityClient::create_user` and writes their OCIDs,
//!   one per line, to `--out`.
//! - `get-user` is the client side of T3/T4: `IdentityClient::get_user` through the whole default
//!   stack (credentials from the config file, endpoint override), `--in-flight` calls at once on
//!   `--threads` runtime workers, rotating over the users of `--users` (at least 1,000). Every call
//!   must return the user it asked for. It counts signatures computed (keys taken by the signer)
//!   and calls made over the whole run; they must match.
//! - `replay` is the load generator of T7: it signs one GET `get_user` request per user first
//!   (untimed) and then replays those requests round-robin over a bare hyper-util client, so the
//!   server, not client-side signing, is the limit. The server verifies each replay in full (its
//!   `date` stays valid for five minutes); every answer must be 200.
//!
//! Prints one JSON object: `requests` in the timed window, `seconds`, `req_per_sec`,
//! `cpu_seconds` of this process, and the counters.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use oci_bench::{read_users, run_load, runtime, Args, BenchError, CountingCredentials};
use oci_core::auth::RequestSigner;
use oci_core::clock::SystemClock;
use oci_core::{Body, Client, Config, Endpoint};
use oci_identity::models::CreateUserDetails;
use oci_identity::IdentityClient;

fn main() {
    if let Err(e) = run() {
        eprintln!("identity-load: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), BenchError> {
    let mut argv = std::env::args().skip(1);
    let cmd = argv
        .next()
        .ok_or("usage: identity-load seed|get-user|replay --option value ...")?;
    let args = Args::parse_from(argv)?;
    let config_path = PathBuf::from(args.get_str("config").ok_or("--config is required")?);
    let endpoint = args
        .get_str("endpoint")
        .ok_or("--endpoint is required")?
        .to_owned();
    let config = Config::from_file(Some(&config_path), None)?;
    let creds = CountingCredentials::wrap(config.credentials()?);
    match cmd.as_str() {
        "seed" => seed(&args, &config, creds, &endpoint),
        "get-user" => get_user(&args, &config, creds, &endpoint),
        "replay" => replay(&args, creds, &endpoint),
        other => Err(format!("unknown command `{other}`").into()),
    }
}

fn client(
    config: &Config,
    creds: CountingCredentials,
    endpoint: &str,
) -> Result<Client, BenchError> {
    Ok(Client::builder()
        .config(config)?
        .credentials(Arc::new(creds))
        .endpoint(Endpoint::parse(endpoint)?)
        .build()?)
}

fn seed(
    args: &Args,
    config: &Config,
    creds: CountingCredentials,
    endpoint: &str,
) -> Result<(), BenchError> {
    let count: usize = args.get("count", oci_bench::MIN_USERS)?;
    let tenancy = args
        .get_str("tenancy")
        .ok_or("--tenancy is required")?
        .to_owned();
    let out = PathBuf::from(args.get_str("out").ok_or("--out is required")?);
    let identity = IdentityClient::new(client(config, creds, endpoint)?);
    let rt = runtime(1)?;
    let ids = rt.block_on(async {
        let mut ids = Vec::with_capacity(count);
        for i in 0..count {
            let user = identity
                .create_user()
                .create_user_details(CreateUserDetails {
                    compartment_id: tenancy.clone(),
                    name: format!("bench-user-{i:05}"),
                    description: "oci-bench load user".into(),
                    ..Default::default()
                })
                .send()
                .await?;
            ids.push(user.body.id);
        }
        Ok::<_, BenchError>(ids)
    })?;
    std::fs::write(&out, ids.join("\n") + "\n")?;
    println!(
        "{}",
        serde_json::json!({"bench": "identity-load seed", "users": ids.len(), "out": out})
    );
    Ok(())
}

fn get_user(
    args: &Args,
    config: &Config,
    creds: CountingCredentials,
    endpoint: &str,
) -> Result<(), BenchError> {
    let seconds: f64 = args.get("seconds", 3.0)?;
    let warmup: f64 = args.get("warmup", 0.5)?;
    let in_flight: usize = args.get("in-flight", 1)?;
    let threads: usize = args.get("threads", 1)?;
    let users = Arc::new(read_users(&PathBuf::from(
        args.get_str("users").ok_or("--users is required")?,
    ))?);
    let identity = IdentityClient::new(client(config, creds.clone(), endpoint)?);
    let rt = runtime(threads)?;
    let signs_before = creds.count();
    let r = rt.block_on(run_load(in_flight, warmup, seconds, move |i| {
        let identity = identity.clone();
        let users = users.clone();
        async move {
            let id = &users[i % users.len()];
            let user = identity.get_user().user_id(id.as_str()).send().await?;
            if &user.body.id != id {
                return Err(format!("asked for {id}, got {}", user.body.id).into());
            }
            Ok(())
        }
    }))?;
    let signs = creds.count() - signs_before;
    if signs != r.total_calls {
        return Err(format!(
            "signatures computed ({signs}) and calls made ({}) differ",
            r.total_calls
        )
        .into());
    }
    println!(
        "{}",
        serde_json::json!({
            "bench": "identity-load get-user",
            "requests": r.requests,
            "seconds": r.seconds,
            "req_per_sec": r.requests as f64 / r.seconds,
            "cpu_seconds": r.cpu_seconds,
            "signs": signs,
            "calls": r.total_calls,
            "in_flight": in_flight,
            "threads": threads,
            "users": read_len(args)?,
        })
    );
    Ok(())
}

fn read_len(args: &Args) -> Result<usize, BenchError> {
    Ok(read_users(&PathBuf::from(
        args.get_str("users").ok_or("--users is required")?,
    ))?
    .len())
}

fn replay(args: &Args, creds: CountingCredentials, endpoint: &str) -> Result<(), BenchError> {
    let seconds: f64 = args.get("seconds", 3.0)?;
    let warmup: f64 = args.get("warmup", 0.5)?;
    let in_flight: usize = args.get("in-flight", 16)?;
    let users = read_users(&PathBuf::from(
        args.get_str("users").ok_or("--users is required")?,
    ))?;
    let base = Endpoint::parse(endpoint)?;
    let signer = RequestSigner::new(Arc::new(creds.clone()), Arc::new(SystemClock));
    // Sign one request per user up front (untimed).
    let mut signed = Vec::with_capacity(users.len());
    for u in &users {
        let url = base.join(&format!("/20160918/users/{u}"))?.to_string();
        let mut req = http::Request::get(url).body(Body::empty())?;
        signer.sign(&mut req, false)?;
        signed.push(req.into_parts().0);
    }
    if creds.count() != users.len() as u64 {
        return Err("signatures computed and requests prepared differ".into());
    }
    let signed = Arc::new(signed);
    let rt = runtime(1)?;
    let r = rt.block_on(async move {
        let http: hyper_util::client::legacy::Client<_, Empty<Bytes>> =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http();
        run_load(in_flight, warmup, seconds, move |i| {
            let http = http.clone();
            let parts = signed[i % signed.len()].clone();
            async move {
                let resp = http
                    .request(http::Request::from_parts(parts, Empty::new()))
                    .await?;
                let status = resp.status();
                let body = resp.into_body().collect().await?.to_bytes();
                if status != http::StatusCode::OK {
                    return Err(format!(
                        "status {status}: {}",
                        String::from_utf8_lossy(&body[..body.len().min(300)])
                    )
                    .into());
                }
                Ok(())
            }
        })
        .await
    })?;
    println!(
        "{}",
        serde_json::json!({
            "bench": "identity-load replay",
            "requests": r.requests,
            "seconds": r.seconds,
            "req_per_sec": r.requests as f64 / r.seconds,
            "cpu_seconds": r.cpu_seconds,
            "calls": r.total_calls,
            "signed_requests": users.len(),
            "in_flight": in_flight,
        })
    );
    Ok(())
}
