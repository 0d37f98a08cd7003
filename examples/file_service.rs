//! A file service on Object Storage, in axum: streamed uploads and downloads, a streamed
//! listing, OCI's errors mapped to HTTP, and one custom layer in the client's stack.
//!
//! Run with `cargo run --example file_service`. It starts the emulator in-process, serves
//!
//! - `PUT /files/{name}`: the request body, streamed to `PutObject` as it arrives (never held
//!   whole); a `Content-Length` is required (OCI rejects chunked uploads), else 411;
//! - `GET /files/{name}`: the object, streamed back as it downloads; `If-None-Match` is passed
//!   on, and OCI's 304 (a success for `GetObject`) answers 304;
//! - `GET /files?prefix=...`: the names and sizes, one JSON object a line, streamed page by
//!   page; the first page decides the status (a missing bucket is a 404 before any body);
//! - `DELETE /files/{name}`;
//!
//! on an ephemeral port, calls each route itself with a plain hyper client, prints the answers
//! and exits. Its tests (`cargo test --example file_service`) drive the same service.
//!
//! Errors: handlers return `oci_tower::Error`, which (with oci-tower's `axum` feature) is an
//! `IntoResponse` following `oci_tower::http_status`: the caller's own problems keep OCI's 404,
//! 409 or 412; OCI refusing *our* credentials is a 502, never the caller's 401; throttling is a
//! 503 with `Retry-After` (the client waits for OCI 5 s at most, then hands OCI's wait on);
//! timeouts are 504. The custom layer counts calls per operation from
//! the `OperationInfo` every request carries, as a metrics layer would.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body as HttpBody;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::{StreamExt, TryStreamExt};
use http_body_util::BodyExt;
use oci_emulator::Emulator;
use oci_tower::layers::RetryPolicy;
use oci_tower::objectstorage::models::{CreateBucketDetails, ListObjectsFields};
use oci_tower::objectstorage::ObjectStorageClient;
use oci_tower::{Body, OperationInfo};
use serde_json::json;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const BUCKET: &str = "files";

/// What every handler gets: the Object Storage client and where the files live.
#[derive(Clone)]
struct AppState {
    os: ObjectStorageClient,
    namespace: String,
    bucket: String,
}

/// Calls per OCI operation, counted by the custom layer.
type Metrics = Arc<Mutex<BTreeMap<&'static str, u64>>>;

/// The custom layer: counts every call by its operation name (from `OperationInfo`).
fn metrics_layer(
    metrics: Metrics,
) -> tower::util::MapRequestLayer<impl Fn(http::Request<Body>) -> http::Request<Body> + Clone> {
    tower::util::MapRequestLayer::new(move |req: http::Request<Body>| {
        let op = req
            .extensions()
            .get::<OperationInfo>()
            .map_or("unknown", |i| i.operation);
        if let Ok(mut m) = metrics.lock() {
            *m.entry(op).or_default() += 1;
        }
        req
    })
}

/// `PUT /files/{name}`: streams the request body into the object.
async fn put_file(
    State(app): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: HttpBody,
) -> Result<Response, oci_tower::Error> {
    let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    else {
        let answer = json!({"code": "LengthRequired", "message": "send a Content-Length"});
        return Ok((StatusCode::LENGTH_REQUIRED, Json(answer)).into_response());
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let put = app
        .os
        .put_object()
        .namespace_name(&app.namespace)
        .bucket_name(&app.bucket)
        .object_name(&name)
        .content_type(content_type)
        // The caller's stream, forwarded as it arrives; its length is the upload's.
        .put_object_body(Body::from_http_body(body, Some(len)))
        .send()
        .await?;
    let answer = json!({"name": name, "etag": put.etag, "size": len});
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `GET /files/{name}`: streams the object back; `If-None-Match` may answer 304.
async fn get_file(
    State(app): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, oci_tower::Error> {
    let mut get = app
        .os
        .get_object()
        .namespace_name(&app.namespace)
        .bucket_name(&app.bucket)
        .object_name(&name);
    if let Some(tag) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        get = get.if_none_match(tag);
    }
    let object = get.send().await?;
    let mut answer = Response::builder();
    if let Some(etag) = &object.etag {
        answer = answer.header(header::ETAG, etag);
    }
    if object.is_not_modified {
        return Ok(answer
            .status(StatusCode::NOT_MODIFIED)
            .body(HttpBody::empty())
            .unwrap_or_default());
    }
    if let Some(len) = object.content_length {
        answer = answer.header(header::CONTENT_LENGTH, len);
    }
    if let Some(ct) = &object.content_type {
        answer = answer.header(header::CONTENT_TYPE, ct);
    }
    // The download, streamed through: never buffered whole.
    let body = HttpBody::from_stream(object.body.into_data_stream());
    Ok(answer.body(body).unwrap_or_default())
}

/// `DELETE /files/{name}`.
async fn delete_file(
    State(app): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, oci_tower::Error> {
    app.os
        .delete_object()
        .namespace_name(&app.namespace)
        .bucket_name(&app.bucket)
        .object_name(name)
        .send()
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The query of `GET /files`.
#[derive(serde::Deserialize)]
struct ListQuery {
    prefix: Option<String>,
}

/// `GET /files`: one JSON line per file, streamed page by page.
async fn list_files(
    State(app): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Response, oci_tower::Error> {
    let mut list = app
        .os
        .list_objects()
        .namespace_name(&app.namespace)
        .bucket_name(&app.bucket)
        .fields(vec![ListObjectsFields::Name, ListObjectsFields::Size])
        .limit(100);
    if let Some(p) = q.prefix {
        list = list.prefix(p);
    }
    // The first page is fetched here: its error (a 404, a 503) is the answer's status.
    let items = list.first_page_then_rest().await?;
    let lines = items.map_ok(|o| {
        let mut line = json!({"name": o.name, "size": o.size}).to_string();
        line.push('\n');
        bytes::Bytes::from(line)
    });
    // A later page's error ends the stream: the caller sees a body that breaks off.
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "application/x-ndjson")
        .body(HttpBody::from_stream(lines))
        .unwrap_or_default())
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/files", get(list_files))
        .route(
            "/files/{*name}",
            get(get_file).put(put_file).delete(delete_file),
        )
        .with_state(state)
}

/// The emulator, the service on an ephemeral port, and what it counted.
struct Running {
    emulator: Emulator,
    addr: SocketAddr,
    metrics: Metrics,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn shutdown(self) -> Result<(), BoxError> {
        let _ = self.stop.send(());
        self.server.await??;
        self.emulator.shutdown().await;
        Ok(())
    }
}

/// Starts the emulator, creates the bucket and serves the file service.
async fn start() -> Result<Running, BoxError> {
    let emulator = Emulator::builder().start().await?;
    let metrics = Metrics::default();
    // Against real OCI: `Client::builder().config(&Config::from_file(..)?)?`.
    let client = emulator
        .client_builder()
        .layer(metrics_layer(metrics.clone()))
        // A service answering its callers waits for OCI a few seconds at most: when OCI asks
        // for longer (Retry-After), its caller gets a 503 with that Retry-After at once.
        .retry_policy(
            RetryPolicy::builder()
                .max_attempts(3)
                .total_timeout(Some(Duration::from_secs(5)))
                .build(),
        )
        .build()?;
    let os = ObjectStorageClient::new(client);
    let namespace = emulator.namespace().to_owned();
    os.create_bucket()
        .namespace_name(&namespace)
        .create_bucket_details(CreateBucketDetails {
            compartment_id: emulator.tenancy_id().to_owned(),
            name: BUCKET.into(),
            ..Default::default()
        })
        .send()
        .await?;
    let state = AppState {
        os,
        namespace,
        bucket: BUCKET.into(),
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
    Ok(Running {
        emulator,
        addr,
        metrics,
        stop,
        server,
    })
}

/// A plain HTTP client, as the service's callers would use.
type Http = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    HttpBody,
>;

fn http_client() -> Http {
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http()
}

/// One call: status, headers and the whole answer.
async fn call(
    http: &Http,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: HttpBody,
) -> Result<(StatusCode, HeaderMap, bytes::Bytes), BoxError> {
    let mut req = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = http.request(req.body(body)?).await?;
    let (parts, body) = resp.into_parts();
    Ok((
        parts.status,
        parts.headers,
        body.collect().await?.to_bytes(),
    ))
}

/// A request body that arrives in `chunks` pieces of `size` bytes, as a slow client sends it.
fn streamed(chunks: usize, size: usize) -> HttpBody {
    let piece = bytes::Bytes::from(vec![b'x'; size]);
    HttpBody::from_stream(
        futures_util::stream::iter(0..chunks).map(move |_| Ok::<_, std::io::Error>(piece.clone())),
    )
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let running = start().await?;
    let (http, addr) = (http_client(), running.addr);
    println!("file service listening on http://{addr}");
    let show = |method: &str, path: &str, status: StatusCode, body: &[u8]| {
        let text = String::from_utf8_lossy(body);
        let text = if text.len() > 200 {
            &text[..200]
        } else {
            &text
        };
        println!("\n{method} {path} -> {status}\n{}", text.trim_end());
    };

    // A streamed upload: 64 chunks of 16 KiB, with its length.
    let len = (64 * 16 * 1024).to_string();
    let hdrs = [
        ("content-length", len.as_str()),
        ("content-type", "application/octet-stream"),
    ];
    let (s, _, b) = call(
        &http,
        addr,
        "PUT",
        "/files/big.bin",
        &hdrs,
        streamed(64, 16 * 1024),
    )
    .await?;
    show("PUT", "/files/big.bin", s, &b);
    let etag = serde_json::from_slice::<serde_json::Value>(&b)?["etag"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for name in ["notes/a.txt", "notes/b.txt"] {
        let path = format!("/files/{name}");
        let hdrs = [("content-length", "5"), ("content-type", "text/plain")];
        let (s, _, b) = call(&http, addr, "PUT", &path, &hdrs, HttpBody::from("hello")).await?;
        show("PUT", &path, s, &b);
    }
    // No length: refused by the service itself.
    let (s, _, b) = call(&http, addr, "PUT", "/files/x", &[], streamed(2, 10)).await?;
    show("PUT (chunked)", "/files/x", s, &b);

    // A streamed download, then the same with If-None-Match.
    let (s, h, b) = call(&http, addr, "GET", "/files/big.bin", &[], HttpBody::empty()).await?;
    println!(
        "\nGET /files/big.bin -> {s}, {} bytes, etag {:?}",
        b.len(),
        h.get("etag")
    );
    let (s, _, _) = call(
        &http,
        addr,
        "GET",
        "/files/big.bin",
        &[("if-none-match", &etag)],
        HttpBody::empty(),
    )
    .await?;
    println!("\nGET /files/big.bin (If-None-Match) -> {s}");

    for path in ["/files", "/files?prefix=notes/", "/files/missing.txt"] {
        let (s, _, b) = call(&http, addr, "GET", path, &[], HttpBody::empty()).await?;
        show("GET", path, s, &b);
    }

    // OCI throttles us: the caller sees 503 + Retry-After, not OCI's 429.
    running.emulator.add_fault(
        oci_emulator::Fault::status(429, "TooManyRequests")
            .retry_after(30)
            .operation("DeleteObject")
            .first(100),
    );
    let (s, h, b) = call(
        &http,
        addr,
        "DELETE",
        "/files/notes/a.txt",
        &[],
        HttpBody::empty(),
    )
    .await?;
    show("DELETE", "/files/notes/a.txt (OCI throttling)", s, &b);
    println!("retry-after: {:?}", h.get("retry-after"));
    running.emulator.clear_faults();
    let (s, _, _) = call(
        &http,
        addr,
        "DELETE",
        "/files/notes/a.txt",
        &[],
        HttpBody::empty(),
    )
    .await?;
    println!("\nDELETE /files/notes/a.txt -> {s}");

    let counted = running
        .metrics
        .lock()
        .map(|m| m.clone())
        .unwrap_or_default();
    println!("\nOCI calls counted by the custom layer: {counted:?}");
    running.shutdown().await?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn json(b: &[u8]) -> serde_json::Value {
        serde_json::from_slice(b).unwrap()
    }

    #[tokio::test]
    async fn uploads_and_downloads_stream_both_ways() {
        let r = start().await.unwrap();
        let http = http_client();
        let len = (40 * 1000).to_string();
        let (s, _, b) = call(
            &http,
            r.addr,
            "PUT",
            "/files/d/big.bin",
            &[("content-length", len.as_str())],
            streamed(40, 1000),
        )
        .await
        .unwrap();
        assert_eq!(s, StatusCode::CREATED, "{b:?}");
        let etag = json(&b)["etag"].as_str().unwrap().to_owned();

        let (s, h, b) = call(
            &http,
            r.addr,
            "GET",
            "/files/d/big.bin",
            &[],
            HttpBody::empty(),
        )
        .await
        .unwrap();
        assert_eq!(s, StatusCode::OK);
        assert_eq!(b.len(), 40_000);
        assert!(b.iter().all(|&c| c == b'x'));
        assert_eq!(h["content-length"], "40000");
        assert_eq!(h["etag"].to_str().unwrap(), etag);

        let (s, h, b) = call(
            &http,
            r.addr,
            "GET",
            "/files/d/big.bin",
            &[("if-none-match", etag.as_str())],
            HttpBody::empty(),
        )
        .await
        .unwrap();
        assert_eq!(s, StatusCode::NOT_MODIFIED);
        assert!(b.is_empty());
        assert_eq!(h["etag"].to_str().unwrap(), etag);

        // The upload went out as one PutObject with the caller's length (never chunked).
        let puts = r
            .emulator
            .journal()
            .into_iter()
            .filter(|e| e.operation == "PutObject")
            .count();
        assert_eq!(puts, 1);
        r.shutdown().await.unwrap();
    }

    #[tokio::test]
    async fn an_upload_without_a_length_is_411() {
        let r = start().await.unwrap();
        let (s, _, b) = call(
            &http_client(),
            r.addr,
            "PUT",
            "/files/x",
            &[],
            streamed(3, 10),
        )
        .await
        .unwrap();
        assert_eq!(s, StatusCode::LENGTH_REQUIRED);
        assert_eq!(json(&b)["code"], "LengthRequired");
        r.shutdown().await.unwrap();
    }

    #[tokio::test]
    async fn listing_streams_lines_and_a_missing_file_is_404() {
        let r = start().await.unwrap();
        let http = http_client();
        for i in 0..3 {
            let path = format!("/files/p/{i}.txt");
            let (s, _, _) = call(
                &http,
                r.addr,
                "PUT",
                &path,
                &[("content-length", "3")],
                HttpBody::from("abc"),
            )
            .await
            .unwrap();
            assert_eq!(s, StatusCode::CREATED);
        }
        let (s, h, b) = call(
            &http,
            r.addr,
            "GET",
            "/files?prefix=p/",
            &[],
            HttpBody::empty(),
        )
        .await
        .unwrap();
        assert_eq!(s, StatusCode::OK);
        assert_eq!(h["content-type"], "application/x-ndjson");
        let lines: Vec<serde_json::Value> = String::from_utf8(b.to_vec())
            .unwrap()
            .lines()
            .map(|l| json(l.as_bytes()))
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], json!({"name": "p/0.txt", "size": 3}));

        let (s, _, b) = call(
            &http,
            r.addr,
            "GET",
            "/files/nope.txt",
            &[],
            HttpBody::empty(),
        )
        .await
        .unwrap();
        assert_eq!(s, StatusCode::NOT_FOUND);
        let body = json(&b);
        assert!(body["opcRequestId"].is_string(), "{body}");
        assert!(body["code"].is_string(), "{body}");

        // The custom layer saw every call, by operation.
        let m = r.metrics.lock().unwrap().clone();
        assert_eq!(m.get("PutObject"), Some(&3));
        assert_eq!(m.get("ListObjects"), Some(&1));
        assert_eq!(m.get("GetObject"), Some(&1));
        r.shutdown().await.unwrap();
    }

    #[tokio::test]
    async fn ocis_401_and_429_are_not_passed_through() {
        let r = start().await.unwrap();
        let http = http_client();
        r.emulator
            .add_fault(oci_emulator::Fault::status(401, "NotAuthenticated").operation("GetObject"));
        let (s, h, b) = call(&http, r.addr, "GET", "/files/a", &[], HttpBody::empty())
            .await
            .unwrap();
        assert_eq!(s, StatusCode::BAD_GATEWAY);
        assert!(h.get("www-authenticate").is_none());
        assert_eq!(json(&b)["code"], "UpstreamAuthFailed");
        r.emulator.clear_faults();

        r.emulator.add_fault(
            oci_emulator::Fault::status(429, "TooManyRequests")
                .retry_after(30)
                .operation("ListObjects")
                .first(100),
        );
        let (s, h, b) = call(&http, r.addr, "GET", "/files", &[], HttpBody::empty())
            .await
            .unwrap();
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(h["retry-after"], "30");
        assert_eq!(json(&b)["code"], "UpstreamThrottled");
        r.shutdown().await.unwrap();
    }
}
