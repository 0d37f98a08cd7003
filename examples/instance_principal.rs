//! Workload identity: sign as the compute instance (or a function, or an OKE pod) instead of a
//! user's API key, with the token refreshed in the background.
//!
//! ```text
//! cargo run --example instance_principal                       # instance principal
//! cargo run --example instance_principal -- resource           # resource principal v2.2
//! cargo run --example instance_principal -- oke                # OKE workload identity
//! ```
//!
//! It starts [`oci_emulator`] in this process, playing IMDS, the federation service, the OKE
//! proxymux and the services, on a clock the example moves forward (no waiting). It lists the
//! tenancy's users and puts an object as the workload, moves the clock to when the token is due
//! for a refresh, and shows the next call being served at once while a new token is fetched in
//! the background.
//!
//! On a real instance the same code needs no URLs: `InstancePrincipal::builder().build()`
//! finds IMDS at `169.254.169.254` and the federation endpoint from the region, and
//! `Client::builder().default_credentials()` picks whichever workload identity applies.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use oci_emulator::Emulator;
use oci_tower::auth::{
    Credentials, CredentialsCache, InstancePrincipal, OkeWorkloadIdentity, ResourcePrincipal,
};
use oci_tower::clock::ManualClock;
use oci_tower::identity::IdentityClient;
use oci_tower::objectstorage::models::CreateBucketDetails;
use oci_tower::objectstorage::ObjectStorageClient;
use oci_tower::{Body, Client, Region};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let which = std::env::args().nth(1).unwrap_or_else(|| "instance".into());
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let emulator = Emulator::builder()
        .clock(clock.clone())
        .token_lifetime(Duration::from_secs(20 * 60))
        .start()
        .await?;
    let dir = tempfile::tempdir()?;

    // The credentials: a cache in front of the provider, on the emulator's clock.
    let mut rotate: Option<(std::path::PathBuf, std::path::PathBuf)> = None;
    let (creds, refresh_after): (CredentialsCache, Duration) = match which.as_str() {
        "instance" => {
            println!("instance principal: IMDS at {}", emulator.imds_base_url());
            let creds = InstancePrincipal::builder()
                .metadata_base_url(emulator.imds_base_url())
                .federation_endpoint(emulator.endpoint().to_string())
                .clock(clock.clone())
                .build()
                .await?;
            // Python's rule: due 60 s before the token expires.
            (creds, Duration::from_secs(20 * 60 - 60))
        }
        "resource" => {
            // What OCI Functions puts in the environment (here as files).
            let session = emulator.mint_resource_principal()?;
            let (rpst, key) = (dir.path().join("rpst"), dir.path().join("key.pem"));
            std::fs::write(&rpst, &session.rpst)?;
            std::fs::write(&key, &session.private_pem)?;
            println!("resource principal v2.2: {}", session.resource_id);
            rotate = Some((rpst.clone(), key.clone()));
            let creds = ResourcePrincipal::builder()
                .rpst(&rpst.display().to_string())
                .private_pem(&key.display().to_string())
                .region(Region::new(&session.region))
                .clock(clock.clone())
                .build()?;
            (creds, Duration::from_secs(20 * 60 - 60))
        }
        "oke" => {
            // What Kubernetes mounts in the pod.
            let (sa, ca) = (dir.path().join("token"), dir.path().join("ca.crt"));
            std::fs::write(&sa, emulator.service_account_token())?;
            std::fs::write(&ca, emulator.root_ca_pem()?)?;
            println!("OKE workload identity: proxymux at {}", emulator.endpoint());
            let creds = OkeWorkloadIdentity::builder()
                .endpoint(emulator.endpoint().to_string())
                .service_account_token_path(&sa)
                .ca_cert_path(&ca)
                .region(Region::new(emulator.region()))
                .clock(clock.clone())
                .build()?;
            // OKE's rule: due at half the token's lifetime.
            (creds, Duration::from_secs(10 * 60))
        }
        other => {
            return Err(format!("unknown workload `{other}`: instance, resource or oke").into())
        }
    };
    let client = emulator
        .client_builder()
        .credentials(Arc::new(creds.clone()))
        .build()?;

    work(&client, emulator.tenancy_id(), "first").await?;
    report(&emulator, &creds);

    println!(
        "\n... {} s later, the token is due for a refresh",
        refresh_after.as_secs()
    );
    if let Some((rpst, key)) = &rotate {
        // The platform keeps the files fresh; the provider reads them again on refresh.
        let next = emulator.mint_resource_principal()?;
        std::fs::write(rpst, &next.rpst)?;
        std::fs::write(key, &next.private_pem)?;
    }
    let old_key_id = creds.identity().await?.key_id().to_owned();
    clock.advance(refresh_after);
    let started = std::time::Instant::now();
    let users = IdentityClient::new(client.clone())
        .list_users()
        .compartment_id(emulator.tenancy_id())
        .send()
        .await?;
    println!(
        "  list_users answered in {:?} with the current token ({} users) while a new one is fetched",
        started.elapsed(),
        users.body.len()
    );
    // The refresh runs in the background; wait for the new token to be in place.
    for _ in 0..5000 {
        if creds.identity().await?.key_id() != old_key_id {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    work(&client, emulator.tenancy_id(), "second").await?;
    report(&emulator, &creds);
    if creds.fetch_count() < 2 || creds.identity().await?.key_id() == old_key_id {
        return Err("no refresh happened".into());
    }
    emulator.shutdown().await;
    Ok(())
}

/// Lists the tenancy's users and puts an object, as the workload.
async fn work(client: &Client, tenancy: &str, name: &str) -> Result<(), BoxError> {
    let identity = IdentityClient::new(client.clone());
    let users = identity
        .list_users()
        .compartment_id(tenancy)
        .send()
        .await?
        .body;
    println!("  list_users: {} user(s)", users.len());
    let os = ObjectStorageClient::new(client.clone());
    let namespace = os.get_namespace().send().await?.body;
    let bucket = format!("workload-{name}");
    os.create_bucket()
        .namespace_name(&namespace)
        .create_bucket_details(CreateBucketDetails {
            compartment_id: tenancy.to_owned(),
            name: bucket.clone(),
            ..Default::default()
        })
        .send()
        .await?;
    let put = os
        .put_object()
        .namespace_name(&namespace)
        .bucket_name(&bucket)
        .object_name("hello.txt")
        .put_object_body(Body::from(&b"written by a workload identity"[..]))
        .send()
        .await?;
    println!(
        "  put_object {bucket}/hello.txt: etag {}",
        put.etag.as_deref().unwrap_or("-")
    );
    Ok(())
}

/// The tokens the emulator issued so far (never the tokens themselves).
fn report(emulator: &Emulator, creds: &CredentialsCache) {
    println!(
        "  tokens issued: {} (provider {}, {} fetch(es))",
        emulator.issued_tokens().len(),
        creds.provider_name(),
        creds.fetch_count()
    );
    for t in emulator.issued_tokens() {
        println!(
            "    jti {}…  via {:<8} valid {} s",
            &t.jti[..8.min(t.jti.len())],
            t.via,
            t.expires_at.saturating_sub(t.issued_at)
        );
    }
}
