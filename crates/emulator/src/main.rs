//! `oci-emulator --listen 127.0.0.1:PORT --config-dir DIR [--data-dir DIR] [--seed N] [--explain]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use oci_emulator::Emulator;

const USAGE: &str = "usage: oci-emulator --listen 127.0.0.1:PORT --config-dir DIR [--data-dir DIR] [--seed N] [--explain] [--region REGION] [--lifecycle-delay-ms MS] [--token-lifetime-secs S]

Starts a local OCI emulator (Identity /20160918, Object Storage /n, Delegate Access Control
/20230801) that verifies request signatures, and plays the workload-identity services: IMDS at
/opc/v2 (OCI_METADATA_BASE_URL=<endpoint>/opc/v2), federation at /v1/x509, the OKE proxymux at
/resourcePrincipalSessionTokens; --token-lifetime-secs sets the lifetime of the tokens they issue
(default 1200). Writes DIR/config (profile DEFAULT) and DIR/key.pem, prints the endpoint, writes it
to DIR/endpoint, and runs until interrupted.";

struct Args {
    listen: SocketAddr,
    config_dir: PathBuf,
    data_dir: Option<PathBuf>,
    seed: Option<u64>,
    explain: bool,
    region: Option<String>,
    lifecycle_delay_ms: Option<u64>,
    token_lifetime_secs: Option<u64>,
}

fn parse_args() -> Result<Args, String> {
    let mut listen = None;
    let mut config_dir = None;
    let mut data_dir = None;
    let mut seed = None;
    let mut explain = false;
    let mut region = None;
    let mut lifecycle_delay_ms = None;
    let mut token_lifetime_secs = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--listen" => {
                let v = value("--listen")?;
                listen = Some(v.parse().map_err(|e| format!("--listen `{v}`: {e}"))?);
            }
            "--config-dir" => config_dir = Some(PathBuf::from(value("--config-dir")?)),
            "--data-dir" => data_dir = Some(PathBuf::from(value("--data-dir")?)),
            "--seed" => {
                let v = value("--seed")?;
                seed = Some(v.parse().map_err(|e| format!("--seed `{v}`: {e}"))?);
            }
            "--region" => region = Some(value("--region")?),
            "--lifecycle-delay-ms" => {
                let v = value("--lifecycle-delay-ms")?;
                lifecycle_delay_ms = Some(
                    v.parse()
                        .map_err(|e| format!("--lifecycle-delay-ms `{v}`: {e}"))?,
                );
            }
            "--token-lifetime-secs" => {
                let v = value("--token-lifetime-secs")?;
                let secs: u64 = v
                    .parse()
                    .map_err(|e| format!("--token-lifetime-secs `{v}`: {e}"))?;
                if secs == 0 {
                    return Err("--token-lifetime-secs must be at least 1".into());
                }
                token_lifetime_secs = Some(secs);
            }
            "--explain" => explain = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args {
        listen: listen.ok_or("--listen is required")?,
        config_dir: config_dir.ok_or("--config-dir is required")?,
        data_dir,
        seed,
        explain,
        region,
        lifecycle_delay_ms,
        token_lifetime_secs,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("oci-emulator: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oci-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(&args.config_dir)?;
    // A key of its own (not the built-in test key): the binary may be reachable by others.
    let mut builder = Emulator::builder()
        .listen(args.listen)
        .explain(args.explain)
        .fresh_key(true);
    // Reuse the key from an earlier run, so configs written then keep working.
    let key = args.config_dir.join("key.pem");
    if key.exists() {
        builder = builder.private_key_pem(std::fs::read_to_string(&key)?);
    }
    if let Some(d) = args.data_dir {
        builder = builder.data_dir(d);
    }
    if let Some(s) = args.seed {
        builder = builder.seed(s);
    }
    if let Some(s) = args.token_lifetime_secs {
        builder = builder.token_lifetime(Duration::from_secs(s));
    }
    if let Some(r) = args.region {
        builder = builder.region(&r);
    }
    if let Some(ms) = args.lifecycle_delay_ms {
        builder = builder.lifecycle_delay(Duration::from_millis(ms));
    }
    let emulator = builder.start().await?;
    let config = emulator.write_config(&args.config_dir)?;
    std::fs::write(
        args.config_dir.join("endpoint"),
        format!("{}\n", emulator.endpoint()),
    )?;
    println!("oci-emulator listening on {}", emulator.endpoint());
    println!("config: {}", config.display());
    println!("tenancy: {}", emulator.tenancy_id());
    println!("namespace: {}", emulator.namespace());

    wait_for_stop().await?;
    emulator.shutdown().await;
    Ok(())
}

/// Ctrl-C, or SIGTERM on Unix.
async fn wait_for_stop() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
