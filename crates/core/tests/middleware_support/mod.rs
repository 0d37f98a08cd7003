//! Shared helpers of the middleware tests: a test key, a scripted mock transport, a clock that
//! follows tokio's (paused) time, and a capturing tracing subscriber.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, StatusCode};
use oci_core::auth::{ApiKeyCredentials, PrivateKey};
use oci_core::clock::Clock;
use oci_core::{Body, ClientBuilder, Endpoint, Error, OperationInfo};

pub const KEY_ID_TENANCY: &str = "ocid1.tenancy.oc1..aaaatest";

/// Test-only credentials from the committed fixture key (never a real key).
pub fn credentials() -> Arc<ApiKeyCredentials> {
    static CREDS: OnceLock<ApiKeyCredentials> = OnceLock::new();
    Arc::new(
        CREDS
            .get_or_init(|| {
                let pem = include_bytes!("../fixtures/middleware/test_key.pem");
                let key = PrivateKey::from_pem(pem, None).expect("fixture key");
                ApiKeyCredentials::new(
                    KEY_ID_TENANCY,
                    "ocid1.user.oc1..aaaatest",
                    "11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff",
                    key,
                )
            })
            .clone(),
    )
}

/// Wall-clock time that moves with tokio's clock: signing dates follow paused-time sleeps.
#[derive(Debug)]
pub struct TokioClock {
    base: SystemTime,
    start: tokio::time::Instant,
}

impl TokioClock {
    pub fn new() -> Arc<Self> {
        Arc::new(TokioClock {
            base: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            start: tokio::time::Instant::now(),
        })
    }
}

impl Clock for TokioClock {
    fn now(&self) -> SystemTime {
        self.base + self.start.elapsed()
    }
}

/// The future of the mock transport.
pub type MockFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<http::Response<Body>, Error>> + Send>,
>;

/// One canned answer of the mock transport.
#[derive(Debug, Clone)]
pub enum Canned {
    /// A response with this status, headers and body.
    Status(u16, Vec<(&'static str, String)>, String),
    /// A transport error (connection reset).
    Reset,
    /// Waits this long, then answers 200.
    Hang(Duration),
    /// The transport's connect timeout fired.
    ConnectTimeout,
    /// 200 with a streamed body: `n` chunks, each after `gap`.
    Stream { n: usize, gap: Duration },
}

impl Canned {
    pub fn ok() -> Self {
        Canned::Status(200, vec![("opc-request-id", "OK-1".into())], "{}".into())
    }
    pub fn status(status: u16) -> Self {
        Canned::Status(
            status,
            vec![],
            format!(r#"{{"code":"C{status}","message":"m"}}"#),
        )
    }
    pub fn coded(status: u16, code: &str) -> Self {
        Canned::Status(
            status,
            vec![],
            format!(r#"{{"code":"{code}","message":"m"}}"#),
        )
    }
    pub fn retry_after(secs: u64) -> Self {
        Canned::Status(
            429,
            vec![("retry-after", secs.to_string())],
            r#"{"code":"TooManyRequests","message":"slow down"}"#.into(),
        )
    }
}

/// What the mock saw of one request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: http::Method,
    pub uri: http::Uri,
    pub headers: HeaderMap,
    pub at: tokio::time::Instant,
    pub body: Option<Vec<u8>>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// A scripted transport: pops one canned answer per request (then repeats the last one) and
/// records every request.
#[derive(Clone, Default)]
pub struct Mock {
    script: Arc<Mutex<VecDeque<Canned>>>,
    last: Arc<Mutex<Option<Canned>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Mock {
    pub fn new(script: impl IntoIterator<Item = Canned>) -> Self {
        Mock {
            script: Arc::new(Mutex::new(script.into_iter().collect())),
            ..Mock::default()
        }
    }

    /// Replaces the script (and forgets the repeated answer).
    pub fn script(&self, script: impl IntoIterator<Item = Canned>) {
        *self.script.lock().unwrap() = script.into_iter().collect();
        *self.last.lock().unwrap() = None;
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Gaps between consecutive requests, in milliseconds.
    pub fn gaps_ms(&self) -> Vec<u128> {
        let seen = self.seen();
        seen.windows(2)
            .map(|w| (w[1].at - w[0].at).as_millis())
            .collect()
    }

    pub fn service(
        &self,
    ) -> impl tower::Service<
        http::Request<Body>,
        Response = http::Response<Body>,
        Error = Error,
        Future = MockFuture,
    > + Clone
           + Send
           + Sync
           + 'static {
        let mock = self.clone();
        tower::service_fn(move |req: http::Request<Body>| {
            let mock = mock.clone();
            let fut: MockFuture = Box::pin(async move {
                let body = req.body().as_bytes().map(<[u8]>::to_vec);
                mock.seen.lock().unwrap().push(Seen {
                    method: req.method().clone(),
                    uri: req.uri().clone(),
                    headers: req.headers().clone(),
                    at: tokio::time::Instant::now(),
                    body,
                });
                let next = {
                    let mut script = mock.script.lock().unwrap();
                    let mut last = mock.last.lock().unwrap();
                    match script.pop_front() {
                        Some(c) => {
                            *last = Some(c.clone());
                            c
                        }
                        None => last.clone().unwrap_or_else(Canned::ok),
                    }
                };
                match next {
                    Canned::Status(status, headers, body) => {
                        let mut b = http::Response::builder().status(status);
                        for (k, v) in headers {
                            b = b.header(k, v);
                        }
                        Ok(b.body(Body::from(body)).unwrap())
                    }
                    Canned::Reset => Err(Error::transport(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "connection reset by peer",
                    ))),
                    Canned::ConnectTimeout => Err(Error::timeout(
                        oci_core::TimeoutScope::Connect,
                        Some(Duration::from_secs(10)),
                    )),
                    Canned::Stream { n, gap } => {
                        use futures_util::StreamExt;
                        let s = futures_util::stream::iter(0..n).then(move |i| async move {
                            tokio::time::sleep(gap).await;
                            Ok::<_, std::io::Error>(bytes::Bytes::from(format!("chunk{i};")))
                        });
                        Ok(http::Response::new(Body::from_stream(s, None)))
                    }
                    Canned::Hang(d) => {
                        tokio::time::sleep(d).await;
                        Ok(http::Response::builder()
                            .status(StatusCode::OK)
                            .body(Body::from("{}"))
                            .unwrap())
                    }
                }
            });
            fut
        })
    }
}

pub const HOST: &str = "http://identity.test.example";

/// A client builder over the mock, with the tokio-following clock.
pub fn builder(mock: &Mock) -> ClientBuilder {
    oci_core::Client::builder()
        .credentials(credentials())
        .endpoint(Endpoint::parse(HOST).unwrap())
        .clock(TokioClock::new())
        .transport(mock.service())
}

pub fn op_info(operation: &'static str, retry_token: bool) -> OperationInfo {
    OperationInfo {
        service: "identity",
        operation,
        exclude_body: false,
        retry_token,
        streaming_response: false,
        not_modified_ok: false,
    }
}

/// A raw GET request with an OperationInfo.
pub fn get(path: &str) -> http::Request<Body> {
    let mut req = http::Request::get(format!("{HOST}{path}"))
        .body(Body::empty())
        .unwrap();
    req.extensions_mut().insert(op_info("GetUser", false));
    req
}

/// A raw GET of a streaming download (its body is handed over as a stream, not read inside the
/// attempt).
pub fn download(path: &str) -> http::Request<Body> {
    let mut req = http::Request::get(format!("{HOST}{path}"))
        .body(Body::empty())
        .unwrap();
    req.extensions_mut().insert(OperationInfo {
        service: "objectstorage",
        operation: "GetObject",
        exclude_body: false,
        retry_token: false,
        streaming_response: true,
        not_modified_ok: false,
    });
    req
}

/// A raw POST with a JSON bytes body for an operation that declares opc-retry-token.
pub fn create(body: &'static str) -> http::Request<Body> {
    let mut req = http::Request::post(format!("{HOST}/groups"))
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    req.extensions_mut().insert(op_info("CreateGroup", true));
    req
}
