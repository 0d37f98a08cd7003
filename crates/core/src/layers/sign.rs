//! Signs every attempt: fresh `date`, `opc-request-id`, `user-agent`, then the signature.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::{HeaderName, HeaderValue, USER_AGENT};
use pin_project::pin_project;
use tower::{Layer, Service};

use std::sync::Arc;

use crate::auth::{RequestSigner, Signer};
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
    S: Service<http::Request<Body>, Error = Error>,
{
    type Response = S::Response;
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
        match self.signer.sign(&mut req, exclude_body) {
            Ok(()) => SignFuture {
                state: State::Inner(self.inner.call(req)),
            },
            Err(e) => SignFuture {
                state: State::Failed(Some(e)),
            },
        }
    }
}

/// The future of [`SignService`].
#[pin_project]
pub struct SignFuture<F> {
    #[pin]
    state: State<F>,
}

#[pin_project(project = StateProj)]
enum State<F> {
    Inner(#[pin] F),
    Failed(Option<Error>),
}

impl<F, T> Future for SignFuture<F>
where
    F: Future<Output = Result<T, Error>>,
{
    type Output = Result<T, Error>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Inner(f) => f.poll(cx),
            StateProj::Failed(e) => Poll::Ready(Err(e
                .take()
                .unwrap_or_else(|| Error::signing("SignFuture polled after completion")))),
        }
    }
}
