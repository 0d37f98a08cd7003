//! Signs every attempt: fresh `date`, `opc-request-id`, `user-agent`, then the signature.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::{HeaderName, HeaderValue, USER_AGENT};
use pin_project::pin_project;
use tower::{Layer, Service};

use std::sync::Arc;

use crate::auth::{Identity, RequestSigner, Signer};
use crate::{Body, Error, OperationInfo};

/// `opc-request-id`.
pub static OPC_REQUEST_ID: HeaderName = HeaderName::from_static("opc-request-id");

/// Adds a [`SignService`] that signs each request with a [`Signer`] (by default the OCI
/// [`RequestSigner`]).
///
/// ```
/// # use std::sync::Arc;
/// use oci_core::layers::SignLayer;
/// use oci_core::auth::RequestSigner;
/// # fn signer() -> RequestSigner { unimplemented!() }
/// # fn transport() -> tower::util::BoxCloneSyncService<http::Request<oci_core::Body>, http::Response<oci_core::Body>, oci_core::Error> { unimplemented!() }
/// # fn run() {
/// let svc = tower::ServiceBuilder::new()
///     .layer(SignLayer::new(signer()))
///     .service(transport());
/// # }
/// ```
///
/// It belongs inside the retry layer, so every attempt carries a fresh `date` and signature.
/// It reads [`OperationInfo`] from the request extensions for the exclude-body flag, and sets an
/// `opc-request-id` (32 uppercase hex characters) and a `user-agent` when the request has none.
#[derive(Debug, Clone)]
pub struct SignLayer {
    signer: Arc<dyn Signer>,
    user_agent: HeaderValue,
}

impl SignLayer {
    /// Signs with the OCI request signer.
    pub fn new(signer: RequestSigner) -> Self {
        SignLayer::with_signer(Arc::new(signer))
    }

    /// Signs with any [`Signer`].
    pub fn with_signer(signer: Arc<dyn Signer>) -> Self {
        SignLayer {
            signer,
            user_agent: HeaderValue::from_static(crate::USER_AGENT),
        }
    }

    /// Uses `user_agent` for requests that have none.
    pub fn user_agent(mut self, user_agent: HeaderValue) -> Self {
        self.user_agent = user_agent;
        self
    }
}

impl<S> Layer<S> for SignLayer {
    type Service = SignService<S>;
    fn layer(&self, inner: S) -> SignService<S> {
        SignService {
            inner,
            signer: self.signer.clone(),
            user_agent: self.user_agent.clone(),
        }
    }
}

/// The service made by [`SignLayer`].
#[derive(Debug, Clone)]
pub struct SignService<S> {
    inner: S,
    signer: Arc<dyn Signer>,
    user_agent: HeaderValue,
}

/// A fresh `opc-request-id`: 32 uppercase hex characters, as the official SDKs send.
pub fn new_request_id() -> HeaderValue {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let n: u128 = rand::random();
    // Written in place (no formatted `String` to copy from), most significant digit first.
    let mut digits = [0u8; 32];
    for (i, d) in digits.iter_mut().enumerate() {
        *d = HEX[((n >> (124 - 4 * i)) & 0xF) as usize];
    }
    // 32 hex digits are always a valid header value.
    HeaderValue::from_bytes(&digits).unwrap_or_else(|_| HeaderValue::from_static("0"))
}

impl<S> Service<http::Request<Body>> for SignService<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = SignFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<Body>) -> Self::Future {
        let exclude_body = req
            .extensions()
            .get::<OperationInfo>()
            .is_some_and(|i| i.exclude_body);
        let headers = req.headers_mut();
        if !headers.contains_key(&OPC_REQUEST_ID) {
            headers.insert(OPC_REQUEST_ID.clone(), new_request_id());
        }
        if !headers.contains_key(USER_AGENT) {
            headers.insert(USER_AGENT, self.user_agent.clone());
        }
        let ready = match self.signer.credentials() {
            // A signer of its own (NoSigning, a bearer token): sign as it says.
            None => {
                return match self.signer.sign(&mut req, exclude_body) {
                    Ok(()) => SignFuture::inner(self.inner.call(req)),
                    Err(e) => SignFuture::failed(e),
                }
            }
            Some(creds) => {
                let refreshes = creds.refreshes_on_unauthorized();
                match creds.identity().take_ready() {
                    // API keys, session-token files: sign now, no allocation, no await.
                    Some(Ok(identity)) if !refreshes => {
                        return match self.signer.sign_with(&mut req, exclude_body, &identity) {
                            Ok(()) => SignFuture::inner(self.inner.call(req)),
                            Err(e) => SignFuture::failed(e),
                        };
                    }
                    Some(Err(e)) => return SignFuture::failed(e),
                    ready => ready.and_then(Result::ok),
                }
            }
        };
        // A token principal (a 401 may need a refresh and a resend) or a token to fetch first:
        // the future owns the ready inner service (a clone takes its place, as tower does).
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let signer = self.signer.clone();
        SignFuture {
            state: State::Boxed(Box::pin(sign_and_send(
                signer,
                inner,
                req,
                exclude_body,
                ready,
            ))),
        }
    }
}

/// Signs with an identity that may have to be fetched first, sends, and on a 401 for a token
/// principal refreshes the identity once and resends a replayable request once.
async fn sign_and_send<S>(
    signer: Arc<dyn Signer>,
    mut inner: S,
    mut req: http::Request<Body>,
    exclude_body: bool,
    ready: Option<Identity>,
) -> Result<http::Response<Body>, Error>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Error>,
{
    let creds = signer
        .credentials()
        .ok_or_else(|| Error::signing("the signer has no credentials"))?;
    let identity = match ready {
        Some(identity) => identity,
        None => creds.identity().await?,
    };
    let refreshes = creds.refreshes_on_unauthorized();
    let replay = if refreshes {
        Some(try_clone_request(&req))
    } else {
        None
    };
    signer.sign_with(&mut req, exclude_body, &identity)?;
    let result = inner.call(req).await;
    let Some(replay) = replay else {
        return result;
    };
    if !is_unauthorized(&result) {
        return result;
    }
    creds.invalidate(&identity);
    let Some(mut req) = replay else {
        let err = result.err();
        let request_id = err
            .as_ref()
            .and_then(|e| e.opc_request_id().map(str::to_owned));
        let mut e = Error::auth(
            creds.provider_name(),
            "the service",
            "a 401 answered the request; the token was dropped so the next call gets a new \
             one, but this request's body is a one-shot stream and cannot be sent again",
        )
        .with_auth_status(http::StatusCode::UNAUTHORIZED)
        .with_opc_request_id_if_missing(|| request_id);
        if let Some(source) = err {
            e = e.with_source(source);
        }
        return Err(e);
    };
    tracing::debug!(
        provider = creds.provider_name(),
        "401 for a token principal: refreshing the token and resending once"
    );
    let identity = creds.identity().await?;
    signer.sign_with(&mut req, exclude_body, &identity)?;
    std::future::poll_fn(|cx| inner.poll_ready(cx)).await?;
    inner.call(req).await
}

fn is_unauthorized(result: &Result<http::Response<Body>, Error>) -> bool {
    match result {
        Ok(resp) => resp.status() == http::StatusCode::UNAUTHORIZED,
        Err(e) => {
            e.kind() == crate::ErrorKind::Service
                && e.status() == Some(http::StatusCode::UNAUTHORIZED)
        }
    }
}

/// A copy of the request to resend, or `None` when its body is a one-shot stream.
fn try_clone_request(req: &http::Request<Body>) -> Option<http::Request<Body>> {
    let body = req.body().try_clone()?;
    let mut copy = http::Request::new(body);
    *copy.method_mut() = req.method().clone();
    *copy.uri_mut() = req.uri().clone();
    *copy.version_mut() = req.version();
    *copy.headers_mut() = req.headers().clone();
    *copy.extensions_mut() = req.extensions().clone();
    Some(copy)
}

/// The future of [`SignService`].
#[pin_project]
pub struct SignFuture<F> {
    #[pin]
    state: State<F>,
}

type BoxResponseFuture = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Error>> + Send>>;

#[pin_project(project = StateProj)]
enum State<F> {
    Inner(#[pin] F),
    Boxed(BoxResponseFuture),
    Failed(Option<Error>),
}

impl<F> SignFuture<F> {
    fn inner(f: F) -> Self {
        SignFuture {
            state: State::Inner(f),
        }
    }
    fn failed(e: Error) -> Self {
        SignFuture {
            state: State::Failed(Some(e)),
        }
    }
}

impl<F> Future for SignFuture<F>
where
    F: Future<Output = Result<http::Response<Body>, Error>>,
{
    type Output = Result<http::Response<Body>, Error>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Inner(f) => f.poll(cx),
            StateProj::Boxed(f) => f.as_mut().poll(cx),
            StateProj::Failed(e) => Poll::Ready(Err(e
                .take()
                .unwrap_or_else(|| Error::signing("SignFuture polled after completion")))),
        }
    }
}
