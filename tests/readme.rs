//! Keeps README.md honest: every ```rust block of the README is copied here, compiled, and
//! (the emulator test) run. `readme_rust_blocks_match` fails when a block in the README and its
//! copy here differ (indentation aside), so edit both together.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

/// The README's main example (compiled; it needs ~/.oci/config to run, so it is not run).
mod example {
    use futures_util::TryStreamExt;
    use oci_tower::identity::IdentityClient;
    use oci_tower::objectstorage::ObjectStorageClient;
    use oci_tower::{Body, Client, Config};

    #[tokio::main]
    async fn main() -> Result<(), oci_tower::Error> {
        // ~/.oci/config, profile DEFAULT: credentials, region and so the endpoints.
        let config = Config::from_file(None, None)?;
        let client = Client::builder().config(&config)?.build()?;

        // Every user of the tenancy, across pages, as a stream.
        let identity = IdentityClient::new(client.clone());
        let mut users = identity
            .list_users()
            .compartment_id(&config.tenancy)
            .items();
        while let Some(user) = users.try_next().await? {
            println!("{} {}", user.name, user.lifecycle_state);
        }

        // Upload a few bytes. A body is bytes in memory or a stream with its length, e.g.
        // `Body::from_stream(s, Some(len))`: OCI refuses chunked uploads, so a stream without
        // a length is refused before any I/O.
        let os = ObjectStorageClient::new(client);
        let namespace = os.get_namespace().send().await?.body;
        os.put_object()
            .namespace_name(&namespace)
            .bucket_name("my-bucket")
            .object_name("hello.txt")
            .put_object_body(Body::from("Hello, World!"))
            .send()
            .await?;
        Ok(())
    }
}

/// The README's layer example (compiled).
mod layers {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use oci_tower::auth::NoSigning;
    use oci_tower::layers::{CircuitBreakerConfig, RetryPolicy};
    use oci_tower::{Body, Client, Config, Endpoint};
    use tower::util::MapRequestLayer;

    fn clients(
        config: &Config,
        calls: Arc<AtomicU64>,
    ) -> Result<(Client, Client), oci_tower::Error> {
        let tuned = Client::builder()
            .config(config)?
            .retry_policy(RetryPolicy::builder().max_attempts(4).build()) // or RetryPolicy::none()
            .circuit_breaker(
                CircuitBreakerConfig::builder()
                    .open_for(Duration::from_secs(10))
                    .build(),
            )
            .attempt_timeout(Duration::from_secs(20))
            .operation_timeout(Duration::from_secs(120))
            // Once per call, outside retries: count calls.
            .layer(MapRequestLayer::new(move |req: http::Request<Body>| {
                calls.fetch_add(1, Ordering::Relaxed);
                req
            }))
            // Once per attempt, just above signing: a header every attempt carries.
            .attempt_layer(MapRequestLayer::new(|mut req: http::Request<Body>| {
                req.headers_mut()
                    .insert("x-team", http::HeaderValue::from_static("storage"));
                req
            }))
            .build()?;

        // Pre-authenticated request URLs carry their own authorization: no signer, no breaker.
        let par = Client::builder()
            .signer(NoSigning)
            .endpoint(Endpoint::parse(
                "https://objectstorage.us-ashburn-1.oraclecloud.com",
            )?)
            .circuit_breaker(None)
            .build()?;
        Ok((tuned, par))
    }
}

/// The README's mock-transport test (run).
mod mock_test {
    use oci_tower::identity::IdentityClient;
    use oci_tower::testing::MockTransport;

    #[tokio::test]
    async fn a_missing_user_is_a_typed_404() -> Result<(), oci_tower::Error> {
        let mock = MockTransport::new();
        mock.push_json(
            404,
            r#"{"code":"NotAuthorizedOrNotFound","message":"no such user"}"#,
        );
        let identity = IdentityClient::new(mock.client()?);

        let err = identity
            .get_user()
            .user_id("ocid1.user.oc1..x")
            .send()
            .await
            .unwrap_err();
        assert!(err.is_not_found());
        assert_eq!(
            mock.requests()[0].uri.path(),
            "/20160918/users/ocid1.user.oc1..x"
        );
        Ok(())
    }
}

/// The README's emulator test (compiled and run).
mod emulator_test {
    use std::time::Duration;

    use oci_emulator::{Emulator, Fault};
    use oci_tower::identity::IdentityClient;
    use oci_tower::layers::retry::{Jitter, RetryPolicy};

    #[tokio::test]
    async fn lists_users_despite_throttling() -> Result<(), Box<dyn std::error::Error>> {
        let emulator = Emulator::builder().seed(7).start().await?; // ephemeral port, seeded tenancy
        let client = emulator
            .client_builder() // the emulator's endpoint, signing as its seeded user
            .retry_policy(
                RetryPolicy::builder()
                    .base_delay(Duration::from_millis(10))
                    .jitter(Jitter::None)
                    .build(),
            )
            .build()?;
        emulator.add_fault(
            Fault::status(429, "TooManyRequests")
                .operation("ListUsers")
                .first(1),
        );

        let users = IdentityClient::new(client)
            .list_users()
            .compartment_id(emulator.tenancy_id())
            .send()
            .await?;
        assert_eq!(users.body.len(), 1); // the seeded administrator

        let journal = emulator.journal(); // every request it saw: the 429, then the retry
        assert_eq!(journal[0].status, Some(429));
        assert_eq!(journal[1].status, Some(200));
        emulator.shutdown().await;
        Ok(())
    }
}

/// "Authenticating on OCI" (compiled; it needs an OCI workload identity or a config to run).
mod authenticating_on_oci {
    use oci_tower::identity::IdentityClient;
    use oci_tower::Client;

    async fn list_my_users(compartment: &str) -> Result<usize, oci_tower::Error> {
        // OCI_CLI_AUTH if set, else resource principal, config file, OKE, instance principal.
        let client = Client::builder()
            .default_credentials()
            .await? // the credentials, and the region where the provider knows it
            .build()?;
        let users = IdentityClient::new(client)
            .list_users()
            .compartment_id(compartment)
            .send()
            .await?;
        Ok(users.body.len())
    }
}

/// The ```rust blocks of a markdown text.
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```rust") => current = Some(Vec::new()),
            (Some(lines), "```") => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), _) => lines.push(line),
            (None, _) => {}
        }
    }
    blocks
}

/// Lines trimmed, blank lines dropped: indentation inside a `mod` does not count.
fn normalized(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn readme_rust_blocks_match() {
    let readme = include_str!("../README.md");
    let here = normalized(include_str!("readme.rs"));
    let blocks = rust_blocks(readme);
    assert_eq!(
        blocks.len(),
        5,
        "README.md has {} rust blocks; copy each one here",
        blocks.len()
    );
    for (i, block) in blocks.iter().enumerate() {
        assert!(
            here.contains(&normalized(block)),
            "README.md rust block {} differs from its copy in tests/readme.rs:\n{block}",
            i + 1
        );
    }
}
