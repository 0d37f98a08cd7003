//! Bodies inside the attempt, on tokio's paused clock: the default stack against a local hyper
//! server reached through in-memory connections (real HTTP/1.1 on both sides, no sockets, so
//! paused time is exact).
//!
//! - A create whose answer stalls (or breaks off) after the head is retried with the same
//!   opc-retry-token and creates one group (issue 12, defect 1).
//! - A download still streams: its head comes back at once and its body keeps the stall guard.
//! - Uploads: a steady 10-minute upload succeeds with default settings; one that stops moving
//!   fails after the stall timeout (issue 16.2).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod middleware_support;

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper_util::rt::TokioIo;
use oci_core::{Body, Client, Endpoint, Error, OperationInfo, TimeoutScope};
use tokio::time::Instant;

type RespBody = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;
type Handler = Arc<
    dyn Fn(
            usize,
            http::request::Parts,
            Bytes,
        ) -> Pin<Box<dyn Future<Output = Option<RespBody>> + Send>>
        + Send
        + Sync,
>;

/// What the server saw.
#[derive(Default)]
struct Log {
    requests: Vec<(String, Option<String>)>,
    /// Retry tokens of the groups created (a create with a known token creates nothing).
    created: HashSet<String>,
}

/// The transport: each request opens an in-memory connection to a hyper server running
/// `handler` (request number, head, whole body) -> response (or `None`: drop the connection).
#[derive(Clone)]
struct Local {
    handler: Handler,
    log: Arc<Mutex<Log>>,
    /// The server reads the request body this slowly: (bytes, per duration).
    read_rate: Option<(usize, Duration)>,
}

impl tower::Service<http::Request<Body>> for Local {
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let (client_io, server_io) = tokio::io::duplex(16 * 1024);
            let svc =
                hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let this = this.clone();
                    async move {
                        let (parts, mut body) = req.into_parts();
                        let mut bytes = Vec::new();
                        while let Some(frame) = body.frame().await {
                            let frame = frame.map_err(std::io::Error::other)?;
                            if let Ok(data) = frame.into_data() {
                                bytes.extend_from_slice(&data);
                            }
                            if let Some((_, per)) = this.read_rate {
                                tokio::time::sleep(per).await;
                            }
                        }
                        let n = {
                            let mut log = this.log.lock().unwrap();
                            let token = parts
                                .headers
                                .get("opc-retry-token")
                                .map(|v| v.to_str().unwrap().to_owned());
                            log.requests.push((parts.uri.path().to_owned(), token));
                            log.requests.len() - 1
                        };
                        match (this.handler)(n, parts, Bytes::from(bytes)).await {
                            Some(b) => Ok(http::Response::builder()
                                .status(200)
                                .header("content-type", "application/json")
                                .body(b)
                                .unwrap()),
                            None => Err(std::io::Error::new(
                                std::io::ErrorKind::ConnectionReset,
                                "dropped",
                            )),
                        }
                    }
                });
            let server = hyper::server::conn::http1::Builder::new();
            tokio::spawn(server.serve_connection(TokioIo::new(server_io), svc));
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(client_io))
                .await
                .map_err(Error::transport)?;
            tokio::spawn(conn);
            let resp = sender.send_request(req).await.map_err(Error::transport)?;
            Ok(resp.map(|b| Body::from_http_body(b, None)))
        })
    }
}

/// A body that sends `head` and then nothing, ever.
fn stalls_after(head: &'static [u8]) -> RespBody {
    let s = futures_util::stream::iter([Ok::<_, std::io::Error>(Frame::data(Bytes::from_static(
        head,
    )))])
    .chain(futures_util::stream::pending());
    BodyExt::boxed(StreamBody::new(s))
}

/// A body that sends `head`, lets it reach the client, and then breaks the connection.
fn breaks_after(head: &'static [u8]) -> RespBody {
    let s = futures_util::stream::iter([Ok::<_, std::io::Error>(Frame::data(Bytes::from_static(
        head,
    )))])
    .chain(futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "gone",
        ))
    }));
    BodyExt::boxed(StreamBody::new(s))
}

fn full(b: &'static [u8]) -> RespBody {
    http_body_util::Full::new(Bytes::from_static(b))
        .map_err(|never| match never {})
        .boxed()
}

fn local_client(local: Local) -> Client {
    Client::builder()
        .credentials(middleware_support::credentials())
        .clock(middleware_support::TokioClock::new())
        .endpoint(Endpoint::parse("http://local.test").unwrap())
        .transport(local)
        .build()
        .unwrap()
}

fn create_group() -> http::Request<Body> {
    let mut req = http::Request::post("http://local.test/20160918/groups")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"name":"ops"}"#))
        .unwrap();
    req.extensions_mut()
        .insert(middleware_support::op_info("CreateGroup", true));
    req
}

const GROUP: &[u8] = br#"{"id":"ocid1.group.oc1..g","name":"ops"}"#;

/// Commits the create (once per retry token), then answers with `first` for the first request
/// and the whole group afterwards.
fn create_server(first: fn() -> RespBody) -> Local {
    let log = Arc::new(Mutex::new(Log::default()));
    let l = log.clone();
    let handler: Handler = Arc::new(move |n, parts, _body| {
        let l = l.clone();
        Box::pin(async move {
            if let Some(t) = parts.headers.get("opc-retry-token") {
                l.lock()
                    .unwrap()
                    .created
                    .insert(t.to_str().unwrap().to_owned());
            }
            Some(if n == 0 { first() } else { full(GROUP) })
        })
    });
    Local {
        handler,
        log,
        read_rate: None,
    }
}

#[tokio::test(start_paused = true)]
async fn a_create_whose_answer_stalls_after_the_head_is_retried_with_the_same_token() {
    let local = create_server(|| {
        // The head says 40 bytes; 6 come, then nothing.
        let s = futures_util::stream::iter([Ok::<_, std::io::Error>(Frame::data(
            Bytes::from_static(br#"{"id":"#),
        ))])
        .chain(futures_util::stream::pending());
        let body = StreamBody::new(s);
        http_body_util::BodyExt::boxed(WithLength(body, GROUP.len() as u64))
    });
    let log = local.log.clone();
    let client = local_client(local);
    let start = Instant::now();
    let resp = client.call(create_group()).await.unwrap();
    let took = start.elapsed();
    assert_eq!(resp.into_body().collect().await.unwrap(), GROUP);
    let log = log.lock().unwrap();
    assert_eq!(log.requests.len(), 2, "one stalled attempt, one retry");
    assert!(log.requests[0].1.is_some());
    assert_eq!(log.requests[0].1, log.requests[1].1, "the same retry token");
    assert_eq!(log.created.len(), 1, "one group created");
    // The stalled attempt is cut by the 60 s attempt timeout; then the first backoff (1-2 s),
    // plus what auto-advance adds while the in-memory server runs.
    assert!(
        took >= Duration::from_secs(61) && took <= Duration::from_secs(63),
        "{took:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_create_whose_answer_breaks_off_after_the_head_is_retried_at_once() {
    let local = create_server(|| breaks_after(br#"{"id":"#));
    let log = local.log.clone();
    let client = local_client(local);
    let start = Instant::now();
    let resp = client.call(create_group()).await.unwrap();
    assert_eq!(resp.into_body().collect().await.unwrap(), GROUP);
    // Retried after the first backoff (1-2 s of paused time, plus what auto-advance adds while
    // the in-memory server runs), not after the 60 s attempt timeout.
    assert!(
        start.elapsed() <= Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let log = log.lock().unwrap();
    assert_eq!(log.requests.len(), 2);
    assert_eq!(log.requests[0].1, log.requests[1].1);
    assert_eq!(log.created.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_download_still_streams_and_keeps_its_stall_guard() {
    let log = Arc::new(Mutex::new(Log::default()));
    let handler: Handler =
        Arc::new(|_n, _parts, _body| Box::pin(async { Some(stalls_after(b"first chunk")) }));
    let client = local_client(Local {
        handler,
        log: log.clone(),
        read_rate: None,
    });
    let mut req = http::Request::get("http://local.test/n/ns/b/bk/o/big")
        .body(Body::empty())
        .unwrap();
    req.extensions_mut().insert(OperationInfo {
        service: "objectstorage",
        operation: "GetObject",
        exclude_body: true,
        retry_token: false,
        streaming_response: true,
        not_modified_ok: false,
    });
    let start = Instant::now();
    let resp = client.call(req).await.unwrap();
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "the head comes back at once"
    );
    assert!(resp.body().as_bytes().is_none(), "not buffered");
    let mut stream = std::pin::pin!(resp.into_body().into_data_stream());
    assert_eq!(stream.next().await.unwrap().unwrap(), "first chunk");
    let err = Error::from_boxed(stream.next().await.unwrap().unwrap_err());
    assert_eq!(err.timeout_scope(), Some(TimeoutScope::BodyStall));
    assert_eq!(start.elapsed(), Duration::from_secs(60));
    assert_eq!(log.lock().unwrap().requests.len(), 1, "not retried");
}

/// A body with an exact length, so hyper sends `content-length` (and the client can tell a
/// short body).
struct WithLength<B>(B, u64);

impl<B> http_body::Body for WithLength<B>
where
    B: http_body::Body + Unpin,
{
    type Data = B::Data;
    type Error = B::Error;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        Pin::new(&mut self.0).poll_frame(cx)
    }
    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.1)
    }
}

fn put_object(body: Body) -> http::Request<Body> {
    let mut req = http::Request::put("http://local.test/n/ns/b/bk/o/big")
        .body(body)
        .unwrap();
    req.extensions_mut().insert(OperationInfo {
        service: "objectstorage",
        operation: "PutObject",
        exclude_body: true,
        retry_token: false,
        streaming_response: false,
        not_modified_ok: false,
    });
    req
}

/// `n` chunks of 16 KiB, one every `gap` (the caller's stream sets the pace).
fn paced_upload(n: usize, gap: Duration) -> Body {
    let s = futures_util::stream::iter(0..n).then(move |i| async move {
        if i > 0 {
            tokio::time::sleep(gap).await;
        }
        Ok::<_, std::io::Error>(Bytes::from(vec![i as u8; 16 * 1024]))
    });
    Body::from_stream(s, Some((n * 16 * 1024) as u64))
}

/// Stores uploads: answers with the byte count after `think` (time to answer once the body is
/// in).
fn upload_server(think: Duration, read_rate: Option<(usize, Duration)>) -> Local {
    let log = Arc::new(Mutex::new(Log::default()));
    let handler: Handler = Arc::new(move |_n, _parts, body| {
        Box::pin(async move {
            tokio::time::sleep(think).await;
            let answer = format!("{{\"bytes\":{}}}", body.len());
            Some(BodyExt::boxed(
                http_body_util::Full::new(Bytes::from(answer)).map_err(|never| match never {}),
            ))
        })
    });
    Local {
        handler,
        log,
        read_rate,
    }
}

#[tokio::test(start_paused = true)]
async fn a_ten_minute_upload_at_a_steady_rate_succeeds_with_default_settings() {
    // The caller's stream gives 16 KiB a second for 10 minutes; the server then takes 50 s to
    // answer: 50 s is within the 60 s attempt timeout, counted from the end of the upload.
    let client = local_client(upload_server(Duration::from_secs(50), None));
    let start = Instant::now();
    let resp = client
        .call(put_object(paced_upload(601, Duration::from_secs(1))))
        .await
        .unwrap();
    assert_eq!(
        resp.into_body().collect().await.unwrap(),
        format!("{{\"bytes\":{}}}", 601 * 16 * 1024)
    );
    assert_eq!(start.elapsed(), Duration::from_secs(650));

    // The same when the server sets the pace, reading 16 KiB a second.
    let client = local_client(upload_server(
        Duration::ZERO,
        Some((16 * 1024, Duration::from_secs(1))),
    ));
    let start = Instant::now();
    client
        .call(put_object(paced_upload(600, Duration::ZERO)))
        .await
        .unwrap();
    assert!(
        start.elapsed() >= Duration::from_secs(590),
        "{:?}",
        start.elapsed()
    );

    // And for a body in memory (a multipart part, say): 9.4 MiB at 16 KiB a second.
    let client = local_client(upload_server(
        Duration::ZERO,
        Some((16 * 1024, Duration::from_secs(1))),
    ));
    let start = Instant::now();
    client
        .call(put_object(Body::from(vec![9u8; 600 * 16 * 1024])))
        .await
        .unwrap();
    assert!(
        start.elapsed() >= Duration::from_secs(590),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn the_attempt_timeout_still_bounds_the_wait_for_the_answer_after_an_upload() {
    let client = local_client(upload_server(Duration::from_secs(70), None));
    let start = Instant::now();
    let err = client
        .call(put_object(paced_upload(121, Duration::from_secs(1))))
        .await
        .unwrap_err();
    assert_eq!(err.timeout_scope(), Some(TimeoutScope::Attempt), "{err}");
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(180),
        "2 min upload + 60 s"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stalled_upload_still_fails_fast() {
    // The caller's stream stops after 3 chunks: the caller's failure, after the 60 s guard.
    let client = local_client(upload_server(Duration::ZERO, None));
    let stops = paced_upload(3, Duration::from_secs(1))
        .into_data_stream()
        .chain(futures_util::stream::pending());
    let start = Instant::now();
    let err = client
        .call(put_object(Body::from_stream(stops, Some(1 << 20))))
        .await
        .unwrap_err();
    assert!(err.is_request_body(), "{err:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(62));
    let snap = client.circuit_breakers().unwrap().snapshot();
    assert_eq!(
        (snap[0].calls, snap[0].failures),
        (0, 0),
        "not the host's fault"
    );

    // The server stops reading: no byte moves for 60 s, a request-body-stall timeout.
    let client = local_client(upload_server(
        Duration::ZERO,
        Some((16 * 1024, Duration::from_secs(3600))),
    ));
    let start = Instant::now();
    let err = client
        .call(put_object(paced_upload(100, Duration::ZERO)))
        .await
        .unwrap_err();
    assert_eq!(
        err.timeout_scope(),
        Some(TimeoutScope::RequestBodyStall),
        "{err:?}"
    );
    assert_eq!(start.elapsed(), Duration::from_secs(60));
}
