//! `object-load`: a large object put and got back, streamed both ways (T8).
//!
//! ```text
//! object-load bucket --config DIR/config --endpoint URL --namespace NS --compartment OCID --bucket B
//! object-load oci    --config DIR/config --endpoint URL --namespace NS --bucket B [--mib 1024] [--chunk-kib 1024]
//! object-load bare   --config DIR/config --endpoint URL --namespace NS --bucket B [--mib 1024] [--chunk-kib 1024]
//! ```
//!
//! - `bucket` creates the bucket (an existing one is fine).
//! - `oci`: `ObjectStorageClient::put_object` with a streamed body of known length
//!   (`Body::from_stream`, one `--chunk-kib` buffer sent `--mib` MiB worth of times, never the
//!   whole object in memory), then `get_object` read as a stream to its end, through the whole
//!   default client stack.
//! - `bare`: the same PUT and GET with a hyper-util legacy client and a plain `HttpConnector`,
//!   each request signed once with `RequestSigner` (the server checks signatures).
//!
//! Prints one JSON object: bytes, put/get seconds and MiB/s, the combined MiB/s, and this
//! process's peak RSS (`VmHWM`) as a cross-check of `/usr/bin/time -v`.

use std::convert::Infallible;
use std::path::PathBuf;
use std::pin::pin;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, StreamBody};
use hyper::body::Frame;
use oci_bench::{runtime, vm_hwm_kib, Args, BenchError};
use oci_core::auth::RequestSigner;
use oci_core::clock::SystemClock;
use oci_core::{Body, Client, Config, Endpoint};
use oci_objectstorage::models::CreateBucketDetails;
use oci_objectstorage::ObjectStorageClient;

const OBJECT: &str = "oci-bench-large-object";

fn main() {
    if let Err(e) = run() {
        eprintln!("object-load: {e}");
        std::process::exit(1);
    }
}

struct Opts {
    config: Config,
    endpoint: String,
    namespace: String,
    bucket: String,
    total: u64,
    chunk: usize,
}

fn run() -> Result<(), BenchError> {
    let mut argv = std::env::args().skip(1);
    let cmd = argv
        .next()
        .ok_or("usage: object-load bucket|oci|bare --option value ...")?;
    let args = Args::parse_from(argv)?;
    let need = |name: &str| -> Result<String, BenchError> {
        Ok(args
            .get_str(name)
            .ok_or_else(|| format!("--{name} is required"))?
            .to_owned())
    };
    let mib: u64 = args.get("mib", 1024)?;
    let chunk_kib: usize = args.get("chunk-kib", 1024)?;
    if chunk_kib == 0 || (mib * 1024) % chunk_kib as u64 != 0 {
        return Err("--mib must be a whole number of --chunk-kib chunks".into());
    }
    let o = Opts {
        config: Config::from_file(Some(&PathBuf::from(need("config")?)), None)?,
        endpoint: need("endpoint")?,
        namespace: need("namespace")?,
        bucket: need("bucket")?,
        total: mib * 1024 * 1024,
        chunk: chunk_kib * 1024,
    };
    let rt = runtime(1)?;
    match cmd.as_str() {
        "bucket" => {
            let compartment = need("compartment")?;
            rt.block_on(create_bucket(&o, compartment))
        }
        "oci" | "bare" => {
            let (put, get) = rt.block_on(async {
                if cmd == "oci" {
                    oci(&o).await
                } else {
                    bare(&o).await
                }
            })?;
            let mib = o.total as f64 / (1024.0 * 1024.0);
            println!(
                "{}",
                serde_json::json!({
                    "bench": format!("object-load {cmd}"),
                    "bytes": o.total,
                    "chunk_bytes": o.chunk,
                    "put_seconds": put,
                    "get_seconds": get,
                    "put_mib_per_sec": mib / put,
                    "get_mib_per_sec": mib / get,
                    "mib_per_sec": 2.0 * mib / (put + get),
                    "vm_hwm_kib": vm_hwm_kib(),
                })
            );
            Ok(())
        }
        other => Err(format!("unknown command `{other}`").into()),
    }
}

fn client(o: &Opts) -> Result<ObjectStorageClient, BenchError> {
    Ok(ObjectStorageClient::new(
        Client::builder()
            .config(&o.config)?
            .endpoint(Endpoint::parse(&o.endpoint)?)
            .build()?,
    ))
}

async fn create_bucket(o: &Opts, compartment: String) -> Result<(), BenchError> {
    let os = client(o)?;
    let r = os
        .create_bucket()
        .namespace_name(o.namespace.as_str())
        .create_bucket_details(CreateBucketDetails {
            name: o.bucket.clone(),
            compartment_id: compartment,
            ..Default::default()
        })
        .send()
        .await;
    match r {
        Ok(_) => Ok(()),
        Err(e) if e.status() == Some(http::StatusCode::CONFLICT) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// `n` chunks of the same buffer: the stream never holds more than one chunk.
fn chunks(o: &Opts) -> impl futures_util::Stream<Item = Result<Bytes, Infallible>> + Send {
    let buf = Bytes::from(vec![0x5a_u8; o.chunk]);
    let n = o.total / o.chunk as u64;
    futures_util::stream::iter((0..n).map(move |_| Ok(buf.clone())))
}

async fn oci(o: &Opts) -> Result<(f64, f64), BenchError> {
    let os = client(o)?;
    let t = Instant::now();
    os.put_object()
        .namespace_name(o.namespace.as_str())
        .bucket_name(o.bucket.as_str())
        .object_name(OBJECT)
        .put_object_body(Body::from_stream(chunks(o), Some(o.total)))
        .send()
        .await?;
    let put = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let resp = os
        .get_object()
        .namespace_name(o.namespace.as_str())
        .bucket_name(o.bucket.as_str())
        .object_name(OBJECT)
        .send()
        .await?;
    let mut stream = pin!(resp.body.into_data_stream());
    let mut n = 0u64;
    while let Some(c) = stream.next().await {
        n += c?.len() as u64;
    }
    let get = t.elapsed().as_secs_f64();
    if n != o.total {
        return Err(format!("got {n} bytes back, put {}", o.total).into());
    }
    Ok((put, get))
}

type HttpBody = BoxBody<Bytes, Infallible>;

async fn bare(o: &Opts) -> Result<(f64, f64), BenchError> {
    let signer = RequestSigner::new(o.config.credentials()?, Arc::new(SystemClock));
    let url = Endpoint::parse(&o.endpoint)?
        .join(&format!("/n/{}/b/{}/o/{OBJECT}", o.namespace, o.bucket))?
        .to_string();
    let http: hyper_util::client::legacy::Client<_, HttpBody> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();

    let t = Instant::now();
    // PutObject signs only date, (request-target) and host; content-length is sent unsigned.
    let mut req = http::Request::put(url.as_str()).body(Body::empty())?;
    signer.sign(&mut req, true)?;
    let (mut parts, _) = req.into_parts();
    parts
        .headers
        .insert(http::header::CONTENT_LENGTH, o.total.into());
    let body = BodyExt::boxed(StreamBody::new(chunks(o).map(|c| c.map(Frame::data))));
    let resp = http.request(http::Request::from_parts(parts, body)).await?;
    let status = resp.status();
    let text = resp.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        return Err(format!("put: {status} {}", String::from_utf8_lossy(&text)).into());
    }
    let put = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut req = http::Request::get(url.as_str()).body(Body::empty())?;
    signer.sign(&mut req, false)?;
    let (parts, _) = req.into_parts();
    let resp = http
        .request(http::Request::from_parts(parts, Empty::new().boxed()))
        .await?;
    if !resp.status().is_success() {
        return Err(format!("get: {}", resp.status()).into());
    }
    let mut body = resp.into_body();
    let mut n = 0u64;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            n += data.len() as u64;
        }
    }
    let get = t.elapsed().as_secs_f64();
    if n != o.total {
        return Err(format!("got {n} bytes back, put {}", o.total).into());
    }
    Ok((put, get))
}
