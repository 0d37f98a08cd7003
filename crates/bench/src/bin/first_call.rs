//! `first-call`: process start to the first signed response (T6, the oci-tower side).
//!
//! ```text
//! first-call --config DIR/config --endpoint URL --user OCID
//! ```
//!
//! Loads the config file and its private key, builds a client with the default stack, sends one
//! signed `IdentityClient::get_user`, checks the answer is the user asked for, prints one line
//! and exits. The runner times the whole process from the outside.

use std::path::PathBuf;

use oci_bench::{Args, BenchError};
use oci_core::{Client, Config, Endpoint};
use oci_identity::IdentityClient;

fn main() {
    if let Err(e) = run() {
        eprintln!("first-call: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), BenchError> {
    let args = Args::from_env()?;
    let config = PathBuf::from(args.get_str("config").ok_or("--config is required")?);
    let endpoint = args.get_str("endpoint").ok_or("--endpoint is required")?;
    let user = args.get_str("user").ok_or("--user is required")?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let got = rt.block_on(async {
        let config = Config::from_file(Some(&config), None)?;
        let client = Client::builder()
            .config(&config)?
            .endpoint(Endpoint::parse(endpoint)?)
            .build()?;
        let resp = IdentityClient::new(client)
            .get_user()
            .user_id(user)
            .send()
            .await?;
        Ok::<_, BenchError>((resp.status, resp.body.id))
    })?;
    if got.1 != user {
        return Err(format!("asked for {user}, got {}", got.1).into());
    }
    println!("{} {}", got.0, got.1);
    Ok(())
}
