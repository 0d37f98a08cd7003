//! OCI request signing (draft-cavage-http-signatures-08, as the official SDKs do it).

use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use http::Method;
use sha2::{Digest, Sha256};

use crate::auth::Credentials;
use crate::clock::Clock;
use crate::{Body, Error};

/// `x-content-sha256`.
pub static X_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-content-sha256");
/// `date`.
pub static DATE: HeaderName = HeaderName::from_static("date");

const GENERIC: &str = "date (request-target) host";
const WITH_BODY: &str = "date (request-target) host content-length content-type x-content-sha256";

/// Signs `http::Request`s for OCI.
///
/// ```
/// use std::sync::Arc;
/// use std::time::{Duration, UNIX_EPOCH};
/// use oci_core::auth::{ApiKeyCredentials, PrivateKey, RequestSigner};
/// use oci_core::clock::ManualClock;
/// use oci_core::Body;
/// # fn key() -> Result<PrivateKey, oci_core::Error> { unimplemented!() }
/// # fn run() -> Result<(), oci_core::Error> {
/// let creds = ApiKeyCredentials::new("ocid1.tenancy.oc1..t", "ocid1.user.oc1..u", "aa:bb", key()?);
/// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// let signer = RequestSigner::new(Arc::new(creds), Arc::new(clock));
///
/// let mut req = http::Request::get("https://identity.us-ashburn-1.oci.oraclecloud.com/20160918/users/x")
///     .body(Body::empty()).map_err(|e| oci_core::Error::invalid_request(e.to_string()))?;
/// signer.sign(&mut req, false)?;
/// assert_eq!(req.headers()["date"], "Tue, 14 Nov 2023 22:13:20 GMT");
/// assert!(req.headers().contains_key("authorization"));
/// # Ok(()) }
/// ```
///
/// Signed headers: `date (request-target) host` for GET, HEAD and DELETE; for POST, PUT and PATCH
/// also `content-length content-type x-content-sha256`, even when the body is empty. An
/// *exclude-body* operation (Object Storage `PutObject`, `UploadPart`) signs only the generic
/// headers and sends an explicit `content-length`, so its body can stream unhashed.
///
/// `(request-target)` is the method and the exact path and query on the wire; `host` includes a
/// non-default port; `date` comes from the injected [`Clock`] and is rewritten on every call,
/// so every retry attempt carries a fresh date and signature.
#[derive(Clone)]
pub struct RequestSigner {
    credentials: Arc<dyn Credentials>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSigner")
            .field("credentials", &self.credentials)
            .field("clock", &self.clock)
            .finish()
    }
}

impl RequestSigner {
    /// A signer for these credentials, reading `date` from `clock`.
    pub fn new(credentials: Arc<dyn Credentials>, clock: Arc<dyn Clock>) -> Self {
        RequestSigner { credentials, clock }
    }

    /// The credentials this signer uses.
    pub fn credentials(&self) -> &Arc<dyn Credentials> {
        &self.credentials
    }

    /// Adds `date`, `host`, the body headers where they apply, and `authorization`.
    pub fn sign(&self, req: &mut http::Request<Body>, exclude_body: bool) -> Result<(), Error> {
        let method = req.method().clone();
        let with_body = match method {
            Method::GET | Method::HEAD | Method::DELETE => false,
            Method::POST | Method::PUT | Method::PATCH => true,
            ref other => {
                return Err(Error::signing(format!(
                    "don't know how to sign request verb {other}"
                )))
            }
        };

        let date = httpdate::fmt_http_date(self.clock.now());
        let date = HeaderValue::from_str(&date)
            .map_err(|_| Error::signing("the clock gave an unusable date"))?;
        req.headers_mut().insert(DATE.clone(), date);

        if !req.headers().contains_key(HOST) {
            let authority = req
                .uri()
                .authority()
                .ok_or_else(|| Error::signing("the request URI has no host"))?;
            let host = HeaderValue::from_str(authority.as_str())
                .map_err(|_| Error::signing("the request host is not a valid header value"))?;
            req.headers_mut().insert(HOST, host);
        }

        if with_body {
            prepare_body_headers(req, exclude_body)?;
        }
        let sign_body = with_body && !exclude_body;

        let target = req
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or("/");
        let headers = req.headers();
        let value = |name: &str| -> Result<&str, Error> {
            headers
                .get(name)
                .ok_or_else(|| Error::signing(format!("missing header `{name}` to sign")))?
                .to_str()
                .map_err(|_| Error::signing(format!("header `{name}` is not visible ASCII")))
        };

        let mut signing_string = String::with_capacity(256);
        signing_string.push_str("date: ");
        signing_string.push_str(value("date")?);
        signing_string.push_str("\n(request-target): ");
        signing_string.push_str(&method.as_str().to_ascii_lowercase());
        signing_string.push(' ');
        signing_string.push_str(target);
        signing_string.push_str("\nhost: ");
        signing_string.push_str(value("host")?);
        if sign_body {
            for name in ["content-length", "content-type", "x-content-sha256"] {
                signing_string.push('\n');
                signing_string.push_str(name);
                signing_string.push_str(": ");
                signing_string.push_str(value(name)?);
            }
        }

        let key = self.credentials.private_key()?;
        let signature = B64.encode(key.sign_sha256(signing_string.as_bytes())?);
        let key_id = self.credentials.key_id()?;
        let header_list = if sign_body { WITH_BODY } else { GENERIC };
        let authorization = format!(
            "Signature algorithm=\"rsa-sha256\",headers=\"{header_list}\",keyId=\"{key_id}\",signature=\"{signature}\",version=\"1\""
        );
        let mut authorization = HeaderValue::from_str(&authorization)
            .map_err(|_| Error::signing("the keyId is not a valid header value"))?;
        authorization.set_sensitive(true);
        req.headers_mut().insert(AUTHORIZATION, authorization);
        Ok(())
    }
}

/// Sets `content-length`, `content-type` and `x-content-sha256` for a POST/PUT/PATCH.
fn prepare_body_headers(req: &mut http::Request<Body>, exclude_body: bool) -> Result<(), Error> {
    let len = req.body().content_length();
    req.headers_mut().remove(http::header::TRANSFER_ENCODING);
    match len {
        Some(n) => {
            req.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(n));
        }
        None => {
            return Err(Error::signing(
                "a PUT/POST/PATCH body must have a known length: OCI rejects chunked uploads",
            ))
        }
    }
    if exclude_body {
        return Ok(());
    }
    if !req.headers().contains_key(CONTENT_TYPE) {
        req.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    if !req.headers().contains_key(&X_CONTENT_SHA256) {
        let bytes = req.body().as_bytes().ok_or_else(|| {
            Error::signing(
                "a streamed body of an operation that signs its body needs a precomputed \
                 x-content-sha256 header",
            )
        })?;
        let digest = B64.encode(Sha256::digest(bytes));
        let value = HeaderValue::from_str(&digest)
            .map_err(|_| Error::signing("unreachable: base64 is a valid header value"))?;
        req.headers_mut().insert(X_CONTENT_SHA256.clone(), value);
    }
    Ok(())
}
