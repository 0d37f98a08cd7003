//! A caller's failure never trips the circuit breaker (issue 16.1): the default client (real
//! hyper transport) against a local HTTP server, with uploads whose body stream fails part-way
//! or whose call is dropped mid-upload, as when the client of a service that forwards its
//! uploads goes away. Nothing here waits on a timer, so real time is fine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod middleware_support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use oci_core::layers::breaker::BreakerState;
use oci_core::{Body, Client, Endpoint, ErrorKind, OperationInfo};
use tokio::sync::Notify;

struct Server {
    addr: SocketAddr,
    /// Uploads read to the end.
    complete: Arc<AtomicUsize>,
    /// Signalled whenever the server has read a first body chunk.
    got_bytes: Arc<Notify>,
}

/// Reads each request body to the end and answers 200 (a broken body just ends the connection).
async fn serve() -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let complete = Arc::new(AtomicUsize::new(0));
    let got_bytes = Arc::new(Notify::new());
    let (c, g) = (complete.clone(), got_bytes.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (c, g) = (c.clone(), g.clone());
            tokio::spawn(async move {
                let svc =
                    hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let (c, g) = (c.clone(), g.clone());
                        async move {
                            let mut body = req.into_body();
                            let mut first = true;
                            while let Some(frame) = body.frame().await {
                                frame?;
                                if first {
                                    g.notify_one();
                                    first = false;
                                }
                            }
                            c.fetch_add(1, Ordering::SeqCst);
                            Ok::<_, hyper::Error>(
                                http::Response::builder()
                                    .status(200)
                                    .header("content-type", "application/json")
                                    .body(Full::new(Bytes::from_static(b"{\"ok\":true}")))
                                    .unwrap(),
                            )
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Server {
        addr,
        complete,
        got_bytes,
    }
}

fn client(addr: SocketAddr) -> Client {
    // Defaults throughout: retry policy, breaker (opens at 80% of >= 10 calls), timeouts.
    Client::builder()
        .credentials(middleware_support::credentials())
        .endpoint(Endpoint::parse(&format!("http://{addr}")).unwrap())
        .build()
        .unwrap()
}

fn put(addr: SocketAddr, body: Body) -> http::Request<Body> {
    let mut req = http::Request::put(format!("http://{addr}/n/ns/b/bk/o/obj"))
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

fn get(addr: SocketAddr) -> http::Request<Body> {
    let mut req = http::Request::get(format!("http://{addr}/n/ns/b/bk"))
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(middleware_support::op_info("GetBucket", false));
    req
}

/// 1 MiB announced; two chunks arrive, then the caller's side breaks.
fn aborting_upload() -> Body {
    let chunks = vec![
        Ok(Bytes::from(vec![1u8; 16 * 1024])),
        Ok(Bytes::from(vec![2u8; 16 * 1024])),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "the uploading client disconnected",
        )),
    ];
    Body::from_stream(futures_util::stream::iter(chunks), Some(1 << 20))
}

#[tokio::test]
async fn a_hostile_client_aborting_100_uploads_leaves_the_breaker_closed() {
    let server = serve().await;
    let client = client(server.addr);
    let host = server.addr.to_string();
    for i in 0..100 {
        let err = client
            .call(put(server.addr, aborting_upload()))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RequestBody, "upload {i}: {err:?}");
        assert!(err.is_request_body());
        assert_eq!(
            err.to_string(),
            "the request body failed: the uploading client disconnected",
            "the root cause, not \"client error (SendRequest)\""
        );
        assert_eq!(err.attempts(), Some(1), "never retried");
    }
    let breakers = client.circuit_breakers().unwrap();
    assert_eq!(breakers.state(&host), BreakerState::Closed);
    let snap = breakers.snapshot();
    assert_eq!(snap.len(), 1);
    assert_eq!(
        (snap[0].calls, snap[0].failures),
        (0, 0),
        "the caller's failures are not counted at all"
    );
    assert_eq!(server.complete.load(Ordering::SeqCst), 0);

    // Every other call to the host goes through.
    let resp = client.call(get(server.addr)).await.unwrap();
    assert_eq!(resp.status(), 200);
    let ok = Body::from_stream(
        futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from("whole"))]),
        Some(5),
    );
    assert_eq!(
        client.call(put(server.addr, ok)).await.unwrap().status(),
        200
    );
    assert_eq!(server.complete.load(Ordering::SeqCst), 2);
    assert_eq!(breakers.state(&host), BreakerState::Closed);
}

#[tokio::test]
async fn calls_dropped_mid_upload_are_not_counted_by_the_breaker() {
    let server = serve().await;
    let client = client(server.addr);
    for _ in 0..100 {
        // One chunk, then the caller's stream waits forever: the caller gives up (drops the
        // call) once the server has seen the first bytes.
        let stuck = futures_util::StreamExt::chain(
            futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from("x"))]),
            futures_util::stream::pending(),
        );
        let call = client.call(put(server.addr, Body::from_stream(stuck, Some(1024))));
        tokio::select! {
            _ = call => panic!("the upload cannot finish"),
            _ = server.got_bytes.notified() => {}
        }
    }
    let breakers = client.circuit_breakers().unwrap();
    assert_eq!(
        breakers.state(&server.addr.to_string()),
        BreakerState::Closed
    );
    let snap = breakers.snapshot();
    assert_eq!((snap[0].calls, snap[0].failures), (0, 0));
    assert_eq!(client.call(get(server.addr)).await.unwrap().status(), 200);
}

#[tokio::test]
async fn the_bare_transport_names_the_streams_error_too() {
    use tower::ServiceExt;
    let server = serve().await;
    let transport =
        oci_core::transport::HttpTransport::new(std::time::Duration::from_secs(5)).unwrap();
    let err = transport
        .oneshot(put(server.addr, aborting_upload()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RequestBody, "{err:?}");
    assert!(
        err.to_string()
            .contains("the uploading client disconnected"),
        "{err}"
    );
}
