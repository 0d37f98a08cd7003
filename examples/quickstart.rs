//! The OCI SDK quickstart, in Rust: Identity users and groups, then Object Storage bytes.
//!
//! ```text
//! cargo run --example quickstart                                  # in-process emulator, no setup
//! cargo run --example quickstart -- --profile DEFAULT             # real OCI, ~/.oci/config
//! cargo run --example quickstart -- --profile DEV --config ./oci-config
//! cargo run --example quickstart -- --profile DEFAULT --config ./emu/config --endpoint http://127.0.0.1:8080
//! ```
//!
//! It creates a group and a user, adds the user to the group, lists users page by page and as a
//! stream of items, finds the membership, removes it and deletes both; then it reads the Object
//! Storage namespace, creates a bucket, puts and gets a few bytes, and deletes them again.
//!
//! Without `--profile` it starts [`oci_emulator`] in this process (a local OCI that verifies
//! every signature) and talks to it over HTTP, signed as the emulator's seeded user. With
//! `--profile NAME` it reads that profile of the config file and talks to the profile's region;
//! the compartment is the tenancy. Everything it creates gets a unique name and is deleted at
//! the end, also when a step fails. `--endpoint URL` sends every service's requests there
//! instead, e.g. to the `oci-emulator` binary started with `--config-dir ./emu`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use oci_emulator::Emulator;
use oci_tower::identity::models::{
    AddUserToGroupDetails, CreateGroupDetails, CreateUserDetails, UserLifecycleState,
};
use oci_tower::identity::IdentityClient;
use oci_tower::objectstorage::models::CreateBucketDetails;
use oci_tower::objectstorage::ObjectStorageClient;
use oci_tower::{Body, Client, Config, Endpoint};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const USAGE: &str = "usage: quickstart [--profile NAME [--config PATH] [--endpoint URL]]

  (no options)     run against an in-process emulator; needs nothing
  --profile NAME   run against real OCI with this profile of the config file
  --config PATH    the config file (default ~/.oci/config)
  --endpoint URL   send every request to URL instead of the region's endpoints";

/// What the command line asked for.
struct Args {
    profile: Option<String>,
    config: Option<PathBuf>,
    endpoint: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        profile: None,
        config: None,
        endpoint: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match flag.as_str() {
            "--profile" => args.profile = Some(value("--profile")?),
            "--config" => args.config = Some(PathBuf::from(value("--config")?)),
            "--endpoint" => args.endpoint = Some(value("--endpoint")?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    if (args.config.is_some() || args.endpoint.is_some()) && args.profile.is_none() {
        return Err(format!("--config and --endpoint need --profile\n\n{USAGE}"));
    }
    Ok(args)
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(args).await {
        // Display, then the chain of causes (a config error names the file, profile and key).
        let mut shown = e.to_string();
        eprintln!("error: {shown}");
        let mut source = e.source();
        while let Some(s) = source {
            let text = s.to_string();
            if !shown.contains(&text) {
                eprintln!("  caused by: {text}");
            }
            shown = text;
            source = s.source();
        }
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), BoxError> {
    let started = Instant::now();

    // A client, and the compartment to work in (the tenancy, as in the Python quickstart).
    let (client, compartment, emulator) = match &args.profile {
        None => {
            let emulator = Emulator::builder().start().await?;
            println!(
                "oci-tower quickstart: in-process emulator at {} (pass --profile NAME for real OCI)",
                emulator.endpoint()
            );
            // Pointed at the emulator and signing with its seeded user's API key.
            let client = emulator.client_builder().build()?;
            let tenancy = emulator.tenancy_id().to_owned();
            (client, tenancy, Some(emulator))
        }
        Some(profile) => {
            let config = Config::from_file(args.config.as_deref(), Some(profile))?;
            // Credentials and region from the profile; endpoints from the region.
            let mut builder = Client::builder().config(&config)?;
            if let Some(url) = &args.endpoint {
                builder = builder.endpoint(Endpoint::parse(url)?);
            }
            let client = builder.build()?;
            let region = client
                .region()
                .map(|r| r.id().to_owned())
                .unwrap_or_default();
            let target = args.endpoint.as_deref().unwrap_or("the region's endpoints");
            println!("oci-tower quickstart: profile [{profile}], region {region}, {target}");
            (client, config.tenancy.clone(), None)
        }
    };
    println!("compartment (tenancy) {compartment}");

    // On a real tenancy, unique names so a run never collides with an earlier one.
    let suffix = if emulator.is_some() {
        String::new()
    } else {
        format!("-{}", unique_suffix())
    };
    let result = async {
        identity_steps(&client, &compartment, &suffix).await?;
        object_storage_steps(&client, &compartment, &suffix).await
    }
    .await;

    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    result?;
    println!("done in {:.2} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Resources made so far, deleted in reverse order if a step fails.
#[derive(Default)]
struct Created {
    group: Option<String>,
    user: Option<String>,
    membership: Option<String>,
}

async fn identity_steps(client: &Client, compartment: &str, suffix: &str) -> Result<(), BoxError> {
    println!("\nIdentity");
    let identity = IdentityClient::new(client.clone());
    let mut created = Created::default();
    let result = identity_flow(&identity, compartment, suffix, &mut created).await;
    if result.is_err() {
        cleanup_identity(&identity, &created).await;
    }
    result
}

async fn identity_flow(
    identity: &IdentityClient,
    compartment: &str,
    suffix: &str,
    created: &mut Created,
) -> Result<(), BoxError> {
    let group = identity
        .create_group()
        .create_group_details(CreateGroupDetails {
            compartment_id: compartment.to_owned(),
            name: format!("my-test-group{suffix}"),
            description: "Created with oci-tower".into(),
            ..Default::default()
        })
        .send()
        .await?
        .body;
    created.group = Some(group.id.clone());
    println!("  created group  {}  {}", group.name, group.id);

    let user = identity
        .create_user()
        .create_user_details(CreateUserDetails {
            compartment_id: compartment.to_owned(),
            name: format!("my-test-user{suffix}"),
            description: "Created with oci-tower".into(),
            ..Default::default()
        })
        .send()
        .await?
        .body;
    created.user = Some(user.id.clone());
    println!("  created user   {}  {}", user.name, user.id);

    // A waiter polls GetUser until the user is ACTIVE (at once, when it already is).
    let user = identity
        .get_user()
        .user_id(&user.id)
        .wait_for([UserLifecycleState::Active])
        .max_wait(Duration::from_secs(120))
        .wait()
        .await?
        .body;
    println!("  user is {}", user.lifecycle_state);

    let membership = identity
        .add_user_to_group()
        .add_user_to_group_details(AddUserToGroupDetails {
            user_id: user.id.clone(),
            group_id: group.id.clone(),
        })
        .send()
        .await?;
    created.membership = Some(membership.body.id.clone());
    println!(
        "  added user to group (status {}): membership {}",
        membership.status, membership.body.id
    );

    // Page by page: each page is one request; `opc-next-page` carries on to the next.
    const LIMIT: i64 = 1;
    const MAX_PAGES: usize = 5;
    println!("  users, page by page (limit {LIMIT}):");
    let mut pages = identity
        .list_users()
        .compartment_id(compartment)
        .limit(LIMIT)
        .pages();
    let mut n = 0;
    while let Some(page) = pages.try_next().await? {
        n += 1;
        let names: Vec<&str> = page.body.iter().map(|u| u.name.as_str()).collect();
        let more = if page.opc_next_page.is_some() {
            "more"
        } else {
            "last page"
        };
        println!("    page {n}: {}  ({more})", names.join(", "));
        if n == MAX_PAGES {
            // Dropping the stream stops it: no request is made for the next page.
            println!("    ... stopping after {MAX_PAGES} pages");
            break;
        }
    }

    // As a stream of items across every page: here, to look for our user.
    let mut users = identity.list_users().compartment_id(compartment).items();
    let (mut count, mut found) = (0, false);
    while let Some(u) = users.try_next().await? {
        count += 1;
        found |= u.id == user.id;
    }
    println!(
        "  users as a stream of items: {count} users; ours {}",
        if found { "is among them" } else { "is MISSING" }
    );
    if !found {
        return Err("the new user is not listed".into());
    }

    // There is at most one membership for a user and group.
    let memberships = identity
        .list_user_group_memberships()
        .compartment_id(compartment)
        .user_id(&user.id)
        .group_id(&group.id)
        .send()
        .await?
        .body;
    let [membership] = memberships.as_slice() else {
        return Err(format!("expected one membership, found {}", memberships.len()).into());
    };
    println!(
        "  found membership {} ({})",
        membership.id, membership.lifecycle_state
    );

    let removed = identity
        .remove_user_from_group()
        .user_group_membership_id(&membership.id)
        .send()
        .await?;
    created.membership = None;
    println!("  removed user from group (status {})", removed.status);

    let deleted = identity.delete_user().user_id(&user.id).send().await?;
    created.user = None;
    println!("  deleted user (status {})", deleted.status);

    let deleted = identity.delete_group().group_id(&group.id).send().await?;
    created.group = None;
    println!("  deleted group (status {})", deleted.status);
    Ok(())
}

/// Best effort: deletes whatever a failed run left behind, reporting what it could not.
async fn cleanup_identity(identity: &IdentityClient, created: &Created) {
    if let Some(id) = &created.membership {
        if let Err(e) = identity
            .remove_user_from_group()
            .user_group_membership_id(id)
            .send()
            .await
        {
            eprintln!("  cleanup: could not remove membership {id}: {e}");
        }
    }
    if let Some(id) = &created.user {
        if let Err(e) = identity.delete_user().user_id(id).send().await {
            eprintln!("  cleanup: could not delete user {id}: {e}");
        }
    }
    if let Some(id) = &created.group {
        if let Err(e) = identity.delete_group().group_id(id).send().await {
            eprintln!("  cleanup: could not delete group {id}: {e}");
        }
    }
}

async fn object_storage_steps(
    client: &Client,
    compartment: &str,
    suffix: &str,
) -> Result<(), BoxError> {
    println!("\nObject Storage");
    let os = ObjectStorageClient::new(client.clone());
    let namespace = os.get_namespace().send().await?.body;
    println!("  namespace      {namespace}");

    let bucket = os
        .create_bucket()
        .namespace_name(&namespace)
        .create_bucket_details(CreateBucketDetails {
            compartment_id: compartment.to_owned(),
            name: format!("MyTestBucket{suffix}"),
            ..Default::default()
        })
        .send()
        .await?
        .body;
    println!("  created bucket {}  etag {}", bucket.name, bucket.etag);

    let result = put_and_get(&os, &namespace, &bucket.name).await;

    // Clean up, also when the put or get failed.
    let object_deleted = os
        .delete_object()
        .namespace_name(&namespace)
        .bucket_name(&bucket.name)
        .object_name("my-object-name")
        .send()
        .await;
    match (&object_deleted, &result) {
        (Ok(r), _) => println!("  deleted object (status {})", r.status),
        (Err(e), Ok(())) => eprintln!("  could not delete the object: {e}"),
        (Err(_), Err(_)) => {} // it may never have been written
    }
    let deleted = os
        .delete_bucket()
        .namespace_name(&namespace)
        .bucket_name(&bucket.name)
        .send()
        .await;
    result?;
    object_deleted?;
    println!("  deleted bucket (status {})", deleted?.status);
    Ok(())
}

async fn put_and_get(
    os: &ObjectStorageClient,
    namespace: &str,
    bucket: &str,
) -> Result<(), BoxError> {
    let data: &'static [u8] = b"Hello, World!";
    let put = os
        .put_object()
        .namespace_name(namespace)
        .bucket_name(bucket)
        .object_name("my-object-name")
        .put_object_body(Body::from(data))
        .send()
        .await?;
    println!(
        "  put  my-object-name  {} bytes, etag {}",
        data.len(),
        put.etag.as_deref().unwrap_or("-")
    );

    let got = os
        .get_object()
        .namespace_name(namespace)
        .bucket_name(bucket)
        .object_name("my-object-name")
        .send()
        .await?;
    // The body streams; `collect` reads it all (fine for a few bytes).
    let bytes = got.body.collect().await?;
    println!(
        "  got  my-object-name  {:?}",
        String::from_utf8_lossy(&bytes)
    );
    if bytes.as_ref() != data {
        return Err("the object read back differs from what was written".into());
    }
    Ok(())
}

/// A short suffix that differs from run to run.
fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}", (nanos as u64) ^ u64::from(std::process::id()))
        .chars()
        .rev()
        .take(8)
        .collect()
}
