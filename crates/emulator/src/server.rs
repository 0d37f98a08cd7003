//! The HTTP server: the accept loop, then for each request: route (`route`), faults and the
//! journal, authentication by the route's rule (`auth`), the body, the service's handler
//! (`services`), and the commit of its writes (`shared`) before the answer.

use std::io;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderValue, Method, Request, Response};
use http_body::Frame;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::auth::{self, Head};
use crate::drain::{self, Streamed};
use crate::error::ApiError;
use crate::faults::{FaultAction, JournalEntry};
use crate::http::{error_response, header, Reply, RespBody};
use crate::route::{self, Auth, Routed};
use crate::services;
use crate::shared::{self, Call, ReqBody, Shared};
use crate::util;

/// The largest JSON request body accepted.
const MAX_JSON_BODY: usize = 8 * 1024 * 1024;

/// The connection is dropped without a response (reset and hang faults).
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}
impl std::error::Error for Dropped {}

/// Accepts connections until shutdown.
pub(crate) async fn run(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let mut stop = shutdown.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| serve(shared.clone(), req));
                    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), svc);
                    tokio::select! {
                        _ = conn => {}
                        _ = stop.changed() => {}
                    }
                });
            }
        }
    }
}

/// Serves one request.
async fn serve(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Response<RespBody>, Dropped> {
    let seq = shared.seq.fetch_add(1, Ordering::Relaxed) + 1;
    let server_id = util::request_id(shared.salt, seq);
    let request_id = match header(req.headers(), "opc-request-id") {
        Some(c) if !c.is_empty() && c.len() <= 128 => format!("{c}/{server_id}"),
        _ => server_id,
    };
    let client_request_id = header(req.headers(), "opc-client-request-id").map(str::to_owned);
    let path = req.uri().path().to_owned();

    let finish = |mut resp: Response<RespBody>| {
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            resp.headers_mut().insert("opc-request-id", v);
        }
        if let Some(c) = client_request_id
            .as_deref()
            .and_then(|c| HeaderValue::from_str(c).ok())
        {
            resp.headers_mut().insert("opc-client-request-id", c);
        }
        resp
    };

    let method = req.method().clone();
    let routed = route::route(method.as_str(), &path);
    if !routed.observed {
        let resp = process(&shared, req, &routed, &mut None)
            .await
            .unwrap_or_else(|e| error_response(&e));
        return Ok(finish(resp));
    }

    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
    let mut entry = JournalEntry {
        seq,
        opc_request_id: request_id.clone(),
        method: method.to_string(),
        path: target,
        service: routed.name.to_owned(),
        operation: routed.operation().to_owned(),
        status: None,
        error_code: None,
        fault: None,
        key_id: None,
        time: util::rfc3339(shared.now_ms()),
    };

    let fired = shared.faults().decide(
        routed.name,
        routed.operation(),
        method.as_str(),
        &path,
        shared.now_ms(),
    );
    let mut stall = None;
    let mut drop_after = false;
    if let Some(fired) = fired {
        entry.fault = Some(fired.label.clone());
        match fired.action {
            FaultAction::Status {
                status,
                code,
                message,
                retry_after_secs,
            } => {
                let mut e = ApiError::new(
                    status,
                    &code,
                    message.unwrap_or_else(|| format!("Injected fault {}", fired.label)),
                );
                if let Some(s) = retry_after_secs {
                    e = e.with_header(http::header::RETRY_AFTER, s.to_string());
                }
                entry.status = Some(e.status.as_u16());
                entry.error_code = Some(e.code.clone());
                shared.journal().push(entry);
                // The client may still be sending its body: read it, so it gets the status.
                if !drain::expects_continue(req.headers()) {
                    drain::drain(req.into_body()).await;
                }
                return Ok(finish(error_response(&e)));
            }
            FaultAction::Latency { millis } => {
                tokio::time::sleep(Duration::from_millis(millis)).await;
            }
            FaultAction::Reset => {
                shared.journal().push(entry);
                return Err(Dropped);
            }
            FaultAction::Hang { millis } => {
                shared.journal().push(entry);
                match millis {
                    Some(m) => tokio::time::sleep(Duration::from_millis(m)).await,
                    None => std::future::pending::<()>().await,
                }
                return Err(Dropped);
            }
            FaultAction::StallBody {
                after_bytes,
                millis,
            } => stall = Some((after_bytes, millis)),
            FaultAction::DropAfterCommit => drop_after = true,
        }
    }

    let resp = match process(&shared, req, &routed, &mut entry.key_id).await {
        Ok(r) => r,
        Err(e) => {
            entry.error_code = Some(e.code.clone());
            error_response(&e)
        }
    };
    entry.status = Some(resp.status().as_u16());
    shared.journal().push(entry);
    if drop_after {
        return Err(Dropped);
    }
    let resp = finish(resp);
    Ok(match stall {
        Some((after, millis)) => stall_body(resp, after, millis),
        None => resp,
    })
}

/// Authenticates by the route's rule, reads or streams the body, runs the handler, and commits
/// its writes; then reads whatever of the body is still unread (an early answer, such as a
/// refused signature or a missing upload, must not reset the connection under the client).
/// `principal` gets who signed, as soon as that is known.
async fn process(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    routed: &Routed,
    principal: &mut Option<String>,
) -> Reply {
    let (parts, body) = req.into_parts();
    let body = Streamed::new(body);
    let rest = (!drain::expects_continue(&parts.headers)).then(|| body.clone());
    let reply = answer(shared, parts, body, routed, principal).await;
    if let Some(rest) = rest {
        drain::drain(rest).await;
    }
    reply
}

/// [`process`] until the reply.
async fn answer(
    shared: &Arc<Shared>,
    parts: http::request::Parts,
    body: Streamed,
    routed: &Routed,
    principal: &mut Option<String>,
) -> Reply {
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |pq| pq.as_str());
    let now = shared.settings.clock.now();
    let signed = routed.auth == Auth::Signature;
    if signed {
        let caller = auth::verify_head(
            &Head {
                method: &parts.method,
                target,
                headers: &parts.headers,
                exclude_body: routed.exclude_body,
                sign_host: true,
            },
            now,
            shared.settings.explain,
            &services::key_resolvers(shared),
        )?;
        *principal = Some(caller.principal);
    }

    let signs_body = signed
        && matches!(parts.method, Method::POST | Method::PUT | Method::PATCH)
        && !routed.exclude_body;
    let body = if routed.exclude_body {
        ReqBody::Stream(body)
    } else {
        let bytes = Limited::new(body, MAX_JSON_BODY)
            .collect()
            .await
            .map_err(|e| {
                ApiError::new(
                    400,
                    "InvalidParameter",
                    format!("could not read the request body: {e}"),
                )
            })?
            .to_bytes();
        if signs_body {
            auth::verify_body(&parts.headers, &bytes, shared.settings.explain)?;
        }
        ReqBody::Bytes(bytes)
    };

    let (Some(service), Some(op)) = (routed.service, routed.op) else {
        return Err(services::unmatched(
            routed.service,
            routed.name,
            parts.method.as_str(),
            parts.uri.path(),
        ));
    };
    let call = Call {
        op,
        params: routed.params.clone(),
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: util::query_map(parts.uri.query()),
        headers: parts.headers,
        body,
        now_ms: util::millis(now),
        principal: principal.clone(),
        mount: routed.mount.clone(),
    };
    let (reply, wrote) = shared::tracking_writes(services::handle(shared, service, call)).await;
    if wrote > 0 {
        commit(shared, wrote).await.map_err(|e| {
            ApiError::new(
                500,
                "InternalServerError",
                format!("could not persist the state: {e}"),
            )
        })?;
    }
    reply
}

/// Makes a write durable before it is answered (off the runtime's threads when it means I/O).
async fn commit(shared: &Arc<Shared>, version: u64) -> io::Result<()> {
    if shared.settings.data_dir.is_none() {
        return shared.commit(version);
    }
    let s = shared.clone();
    tokio::task::spawn_blocking(move || s.commit(version))
        .await
        .map_err(io::Error::other)?
}

/// Sends `after` bytes of the body, then stalls (for `millis`, or forever) and fails.
fn stall_body(resp: Response<RespBody>, after: u64, millis: Option<u64>) -> Response<RespBody> {
    let (mut parts, body) = resp.into_parts();
    if let Some(len) = http_body::Body::size_hint(&body).exact() {
        parts
            .headers
            .insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    let stream = futures_util::stream::unfold(
        (body, 0u64, false),
        move |(mut body, sent, done)| async move {
            if done {
                return None;
            }
            if sent >= after {
                match millis {
                    Some(m) => tokio::time::sleep(Duration::from_millis(m)).await,
                    None => std::future::pending::<()>().await,
                }
                let err =
                    io::Error::new(io::ErrorKind::TimedOut, "body stalled by an injected fault");
                return Some((Err(err), (body, sent, true)));
            }
            match body.frame().await {
                None => None,
                Some(Err(e)) => Some((Err(e), (body, sent, true))),
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(mut data) => {
                        let room = (after - sent) as usize;
                        if data.len() > room {
                            data.truncate(room);
                        }
                        let n = data.len() as u64;
                        Some((Ok(Frame::data(data)), (body, sent + n, false)))
                    }
                    Err(frame) => Some((Ok(frame), (body, sent, false))),
                },
            }
        },
    );
    Response::from_parts(
        parts,
        http_body_util::StreamBody::new(stream).boxed_unsync(),
    )
}
