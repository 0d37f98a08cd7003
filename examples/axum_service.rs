//! The client embedded in an axum web service.
//!
//! Run with `cargo run --example axum_service`. It starts the emulator in-process, serves
//!
//! - `POST /users` (`{"name": ..., "description": ...}`): creates a user;
//! - `GET /users`: the tenancy's users (every page), as JSON;
//! - `GET /users/{id}`: one user, or OCI's error mapped to an HTTP answer
//!   (`oci_tower::http_status`: 404 stays 404, OCI's 401/429 become 502/503);
//!
//! on an ephemeral port, calls each route itself with a plain hyper client, prints the answers
//! and exits.
//!
//! The service clients are cheap to clone (one `Arc`): put them in the router's state and every
//! request handler shares one connection pool, one retry budget and one set of circuit breakers.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use futures_util::TryStreamExt;
use http_body_util::{BodyExt, Full};
use oci_emulator::{Emulator, Fault};
use oci_tower::identity::models::{CreateUserDetails, User};
use oci_tower::identity::IdentityClient;
use serde_json::{json, Value};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What every handler gets: the Identity client and the compartment to list.
#[derive(Clone)]
struct AppState {
    identity: IdentityClient,
    compartment: String,
}

/// Handlers return `oci_tower::Error` as it is: with oci-tower's `axum` feature it is an
/// `IntoResponse` that follows `oci_tower::http_status`. The caller's own problems keep OCI's
/// status (404, 409...); OCI refusing *our* credentials (401, 403) is a 502 and OCI throttling
/// us (429) a 503 with `Retry-After`, never passed through as if they were the caller's.
type ApiError = oci_tower::Error;

/// The fields of a user this service shows.
fn user_json(user: &User) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "description": user.description,
        "state": user.lifecycle_state.as_str(),
    })
}

/// `GET /users`: every user, across pages.
async fn list_users(State(app): State<AppState>) -> Result<Json<Value>, ApiError> {
    let users: Vec<Value> = app
        .identity
        .list_users()
        .compartment_id(&app.compartment)
        .items()
        .map_ok(|u| user_json(&u))
        .try_collect()
        .await?;
    Ok(Json(json!({ "users": users })))
}

/// `GET /users/{id}`: one user.
async fn get_user(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let user = app.identity.get_user().user_id(id).send().await?.body;
    Ok(Json(user_json(&user)))
}

/// What `POST /users` takes.
#[derive(serde::Deserialize)]
struct NewUser {
    name: String,
    description: String,
}

/// `POST /users`: creates a user in the compartment.
async fn create_user(
    State(app): State<AppState>,
    Json(new): Json<NewUser>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = app
        .identity
        .create_user()
        .create_user_details(CreateUserDetails {
            compartment_id: app.compartment.clone(),
            name: new.name,
            description: new.description,
            ..Default::default()
        })
        .send()
        .await?
        .body;
    Ok((StatusCode::CREATED, Json(user_json(&user))))
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user))
        .with_state(state)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let started = Instant::now();
    let emulator = Emulator::builder().start().await?;
    // Against real OCI this would be `Client::builder().config(&Config::from_file(..)?)?`.
    let client = emulator.client_builder().build()?;
    let state = AppState {
        identity: IdentityClient::new(client),
        compartment: emulator.tenancy_id().to_owned(),
    };

    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app(state))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    println!("service listening on http://{addr}");

    // Call the service once per route, as any HTTP client would.
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<bytes::Bytes>>();
    let seeded_user = emulator.user_id().to_owned();
    let new_user = r#"{"name": "alice", "description": "created through the axum service"}"#;
    for (method, path, body, fault) in [
        ("POST", "/users".to_owned(), new_user, None),
        ("GET", "/users".to_owned(), "", None),
        ("GET", format!("/users/{seeded_user}"), "", None),
        (
            "GET",
            "/users/ocid1.user.oc1..nosuchuser".to_owned(),
            "",
            None,
        ),
        ("POST", "/users".to_owned(), new_user, None), // the name is taken now
        // OCI refuses the service's key: the caller gets a 502, not a 401 of its own.
        (
            "GET",
            format!("/users/{seeded_user}"),
            "",
            Some((401, "NotAuthenticated")),
        ),
        // OCI throttles the service past its retries: the caller gets a 503.
        (
            "GET",
            "/users".to_owned(),
            "",
            Some((429, "TooManyRequests")),
        ),
    ] {
        emulator.clear_faults();
        if let Some((status, code)) = fault {
            // Retry-After beyond the client's 600 s total: it gives up at once.
            emulator.add_fault(Fault::status(status, code).retry_after(900).first(100));
        }
        let req = http::Request::builder()
            .method(method)
            .uri(format!("http://{addr}{path}"))
            .header("content-type", "application/json")
            .body(Full::new(bytes::Bytes::from_static(body.as_bytes())))?;
        let resp = http.request(req).await?;
        let status = resp.status();
        let body = resp.into_body().collect().await?.to_bytes();
        let pretty = serde_json::from_slice::<Value>(&body)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_else(|_| String::from_utf8_lossy(&body).into_owned());
        let note = fault.map_or(String::new(), |(s, _)| format!(" (OCI answered {s})"));
        println!("\n{method} {path}{note} -> {status}\n{pretty}");
    }
    emulator.clear_faults();

    let _ = stop.send(());
    server.await??;
    emulator.shutdown().await;
    println!(
        "\nserver stopped; done in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
