//! Pagination: list operations as streams of pages or of items, with page sizes, early stops,
//! saved tokens and Object Storage's `nextStartWith`.
//!
//! Run with `cargo run --example pagination`. It starts the emulator in-process, creates a few
//! users and objects, and counts the requests in the emulator's journal to show what each way
//! of paginating sends.
//!
//! - `.pages()`: a `Stream` of whole responses, one request each (`opc-next-page` → `page`).
//! - `.items()`: a `Stream` of the items of every page, in order.
//! - `limit` is the page size, not a total: to stop early, stop reading (`take`, `break`, drop);
//!   the next page is requested only when the stream is polled past the current one.
//! - Each page is one `Client::send`, so retries apply per page and never nest.

use futures_util::{StreamExt, TryStreamExt};
use oci_emulator::Emulator;
use oci_tower::identity::models::CreateUserDetails;
use oci_tower::identity::IdentityClient;
use oci_tower::objectstorage::models::CreateBucketDetails;
use oci_tower::objectstorage::ObjectStorageClient;
use oci_tower::Body;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How many requests of `operation` the emulator has seen since the journal was last cleared.
fn requests(emulator: &Emulator, operation: &str) -> usize {
    emulator
        .journal()
        .iter()
        .filter(|e| e.operation == operation)
        .count()
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let emulator = Emulator::builder().seed(1).start().await?;
    let client = emulator.client_builder().build()?;
    let identity = IdentityClient::new(client.clone());
    let tenancy = emulator.tenancy_id().to_owned();

    // The seeded tenancy has one user; add six more.
    for i in 1..=6 {
        identity
            .create_user()
            .create_user_details(CreateUserDetails {
                compartment_id: tenancy.clone(),
                name: format!("user-{i}"),
                description: "pagination example".into(),
                ..Default::default()
            })
            .send()
            .await?;
    }
    println!("7 users in the tenancy (the emulator's admin and user-1..user-6)\n");

    // 1. Page by page. A paginator is lazy: building it sends nothing.
    emulator.clear_journal();
    let mut pages = identity
        .list_users()
        .compartment_id(&tenancy)
        .limit(3)
        .pages();
    println!(
        "pages (limit 3); requests before the first poll: {}",
        requests(&emulator, "ListUsers")
    );
    let mut n = 0;
    while let Some(page) = pages.try_next().await? {
        n += 1;
        let names: Vec<&str> = page.body.iter().map(|u| u.name.as_str()).collect();
        let token = page
            .opc_next_page
            .as_deref()
            .map_or("none (last page)", short);
        println!(
            "  page {n}: [{}]  next-page token: {token}",
            names.join(", ")
        );
    }
    println!(
        "  -> {} ListUsers requests\n",
        requests(&emulator, "ListUsers")
    );

    // 2. Items across every page, collected.
    emulator.clear_journal();
    let names: Vec<String> = identity
        .list_users()
        .compartment_id(&tenancy)
        .limit(2)
        .items()
        .map_ok(|u| u.name)
        .try_collect()
        .await?;
    println!("items (limit 2 per page): {}", names.join(", "));
    println!(
        "  -> {} items from {} ListUsers requests\n",
        names.len(),
        requests(&emulator, "ListUsers")
    );

    // 3. Stopped early: the first four users, with pages of three. The stream stops after the
    //    second page; the third is never requested.
    emulator.clear_journal();
    let first: Vec<String> = identity
        .list_users()
        .compartment_id(&tenancy)
        .limit(3)
        .items()
        .take(4)
        .map_ok(|u| u.name)
        .try_collect()
        .await?;
    println!("items().take(4) with limit 3: {}", first.join(", "));
    println!(
        "  -> {} ListUsers requests (a full listing takes 3)\n",
        requests(&emulator, "ListUsers")
    );

    // 4. Search and stop at the first match.
    emulator.clear_journal();
    let mut users = identity
        .list_users()
        .compartment_id(&tenancy)
        .limit(2)
        .items();
    while let Some(user) = users.try_next().await? {
        if user.name == "user-2" {
            println!("found user-2 ({}) and stopped", user.id);
            break; // dropping `users` ends the listing
        }
    }
    drop(users);
    println!(
        "  -> {} ListUsers requests\n",
        requests(&emulator, "ListUsers")
    );

    // 5. One page at a time by hand: keep the token, continue later with `.page(token)`.
    let first_page = identity
        .list_users()
        .compartment_id(&tenancy)
        .limit(4)
        .send()
        .await?;
    println!(
        "by hand: first page has {} users, token {}",
        first_page.body.len(),
        first_page.opc_next_page.as_deref().map_or("none", short)
    );
    if let Some(token) = first_page.opc_next_page {
        // A paginator can also start from a saved token.
        let rest: Vec<String> = identity
            .list_users()
            .compartment_id(&tenancy)
            .limit(4)
            .page(token)
            .items()
            .map_ok(|u| u.name)
            .try_collect()
            .await?;
        println!("  resumed from the token: {}\n", rest.join(", "));
    }

    // 6. Object Storage lists objects with `start` / `nextStartWith` instead of page tokens;
    //    the same `.pages()` and `.items()` hide the difference.
    let os = ObjectStorageClient::new(client);
    let namespace = os.get_namespace().send().await?.body;
    os.create_bucket()
        .namespace_name(&namespace)
        .create_bucket_details(CreateBucketDetails {
            compartment_id: tenancy.clone(),
            name: "pagination".into(),
            ..Default::default()
        })
        .send()
        .await?;
    for name in ["a/1", "a/2", "b/1", "b/2", "c"] {
        os.put_object()
            .namespace_name(&namespace)
            .bucket_name("pagination")
            .object_name(name)
            .put_object_body(Body::from(name.to_owned()))
            .send()
            .await?;
    }
    emulator.clear_journal();
    let mut pages = os
        .list_objects()
        .namespace_name(&namespace)
        .bucket_name("pagination")
        .limit(2)
        .pages();
    println!("objects (limit 2):");
    while let Some(page) = pages.try_next().await? {
        let names: Vec<&str> = page.body.objects.iter().map(|o| o.name.as_str()).collect();
        println!(
            "  page: [{}]  nextStartWith: {}",
            names.join(", "),
            page.body.next_start_with.as_deref().unwrap_or("none")
        );
    }
    println!(
        "  -> {} ListObjects requests",
        requests(&emulator, "ListObjects")
    );
    // With a delimiter, `collect_all` merges every page's objects and prefixes.
    let all = os
        .list_objects()
        .namespace_name(&namespace)
        .bucket_name("pagination")
        .delimiter("/")
        .limit(1)
        .collect_all()
        .await?;
    let names: Vec<&str> = all.objects.iter().map(|o| o.name.as_str()).collect();
    println!(
        "collect_all with delimiter '/': objects [{}], prefixes {:?}",
        names.join(", "),
        all.prefixes.unwrap_or_default()
    );

    emulator.shutdown().await;
    Ok(())
}

/// The start of a long token, for printing.
fn short(token: &str) -> &str {
    token.get(..12).unwrap_or(token)
}
