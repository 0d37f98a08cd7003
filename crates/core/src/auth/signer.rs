//! OCI request signing (draft-cavage-http-signatures-08, as the official SDKs do it).

use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use http::Method;
use sha2::{Digest, Sha256};

use crate::auth::{Credentials, Identity};
use crate::clock::Clock;
use crate::{Body, Error};

/// `x-content-sha256`.
pub static X_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-content-sha256");
/// `date`.
pub static DATE: HeaderName = HeaderName::from_static("date");

const GENERIC: &str = "date (request-target) host";
const WITH_BODY: &str = "date (request-target) host content-length content-type x-content-sha256";
const GENERIC_OBO: &str = "date (request-target) host opc-obo-token";
const WITH_BODY_OBO: &str =
    "date (request-target) host opc-obo-token content-length content-type x-content-sha256";
/// `opc-obo-token`: a delegation token, signed after `host` when the identity carries one.
pub static OPC_OBO_TOKEN: HeaderName = HeaderName::from_static("opc-obo-token");

/// Something that signs (or deliberately does not sign) an outgoing request.
///
/// ```
/// use oci_core::auth::Signer;
/// use oci_core::{Body, Error};
///
/// /// Adds a bearer token instead of an OCI signature (e.g. for a proxy of your own).
/// #[derive(Debug)]
/// struct Bearer(String);
///
/// impl Signer for Bearer {
///     fn sign(&self, req: &mut http::Request<Body>, _exclude_body: bool) -> Result<(), Error> {
///         let value = format!("Bearer {}", self.0).parse()
///             .map_err(|_| Error::signing("token is not a header value"))?;
///         req.headers_mut().insert(http::header::AUTHORIZATION, value);
///         Ok(())
///     }
/// }
/// let client = oci_core::Client::builder()
///     .signer(Bearer("t0k3n".into()))
///     .endpoint(oci_core::Endpoint::parse("http://127.0.0.1:8080")?)
///     .build()?;
/// # let _ = client; Ok::<(), Error>(())
/// ```
///
/// [`RequestSigner`] is the OCI HTTP-signature implementation the client uses by default;
/// [`NoSigning`] leaves requests unsigned (pre-authenticated request URLs, measurements).
/// The sign layer calls it once per attempt, inside the retry layer.
pub trait Signer: Send + Sync + fmt::Debug {
    /// Adds the headers that authenticate `req`. `exclude_body` is the operation's flag.
    fn sign(&self, req: &mut http::Request<Body>, exclude_body: bool) -> Result<(), Error>;

    /// The credentials whose [`Identity`] this signer needs, if any. The sign layer resolves
    /// it (awaiting a token fetch only when one is needed) and calls
    /// [`sign_with`](Self::sign_with); on a 401 for a token principal it refreshes the
    /// identity and resends once.
    fn credentials(&self) -> Option<&Arc<dyn Credentials>> {
        None
    }

    /// Signs `req` as `identity` (from [`credentials`](Self::credentials)). The default
    /// ignores the identity and calls [`sign`](Self::sign).
    fn sign_with(
        &self,
        req: &mut http::Request<Body>,
        exclude_body: bool,
        identity: &Identity,
    ) -> Result<(), Error> {
        let _ = identity;
        self.sign(req, exclude_body)
    }
}

impl Signer for RequestSigner {
    fn sign(&self, req: &mut http::Request<Body>, exclude_body: bool) -> Result<(), Error> {
        RequestSigner::sign(self, req, exclude_body)
    }
    fn credentials(&self) -> Option<&Arc<dyn Credentials>> {
        Some(&self.credentials)
    }
    fn sign_with(
        &self,
        req: &mut http::Request<Body>,
        exclude_body: bool,
        identity: &Identity,
    ) -> Result<(), Error> {
        RequestSigner::sign_with(self, req, exclude_body, identity)
    }
}

/// A [`Signer`] that adds nothing: for pre-authenticated request (PAR) URLs, which carry
/// their own authorization, and for measuring the stack without RSA.
///
/// ```
/// let client = oci_core::Client::builder()
///     .signer(oci_core::auth::NoSigning)
///     .endpoint(oci_core::Endpoint::parse("https://objectstorage.us-ashburn-1.oraclecloud.com")?)
///     .build()?;
/// # let _ = client; Ok::<(), oci_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSigning;

impl Signer for NoSigning {
    fn sign(&self, _req: &mut http::Request<Body>, _exclude_body: bool) -> Result<(), Error> {
        Ok(())
    }
}

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
    ///
    /// The credentials' identity must be ready without waiting (always so for API keys,
    /// session-token files and a cache holding a valid token); otherwise this fails with a
    /// signing error, and the caller should await [`Credentials::identity`] and use
    /// [`sign_with`](Self::sign_with), as the sign layer does.
    pub fn sign(&self, req: &mut http::Request<Body>, exclude_body: bool) -> Result<(), Error> {
        let identity = crate::auth::identity::ready_identity(self.credentials.as_ref())?;
        self.sign_with(req, exclude_body, &identity)
    }

    /// Signs `req` as `identity`: the keyId and key come from it, not from the credentials.
    pub fn sign_with(
        &self,
        req: &mut http::Request<Body>,
        exclude_body: bool,
        identity: &Identity,
    ) -> Result<(), Error> {
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

        let date = date_header(self.clock.now())?;
        req.headers_mut().insert(DATE.clone(), date);

        if !req.headers().contains_key(HOST) {
            let authority = req
                .uri()
                .authority()
                .ok_or_else(|| Error::signing("the request URI has no host"))?;
            if authority.as_str().contains('@') {
                return Err(Error::signing(
                    "the request URI must not contain user info (`user@host`)",
                ));
            }
            let host = host_header(authority.as_str())?;
            req.headers_mut().insert(HOST, host);
        }

        if with_body {
            prepare_body_headers(req, exclude_body)?;
        }
        let sign_body = with_body && !exclude_body;
        let obo = identity.obo_token().is_some();
        if let Some(token) = identity.obo_token() {
            let mut value = HeaderValue::from_str(token)
                .map_err(|_| Error::signing("the delegation token is not a valid header value"))?;
            value.set_sensitive(true);
            req.headers_mut().insert(OPC_OBO_TOKEN.clone(), value);
        }

        // The request-target as hyper writes it on the wire: the path (`/` when empty, also for
        // `http://h?q`), then `?query` when there is one.
        let uri = req.uri();
        let (path, query) = (uri.path(), uri.query());
        let headers = req.headers();
        let value = |name: &str| -> Result<&str, Error> {
            headers
                .get(name)
                .ok_or_else(|| Error::signing(format!("missing header `{name}` to sign")))?
                .to_str()
                .map_err(|_| Error::signing(format!("header `{name}` is not visible ASCII")))
        };

        // This thread's buffer from the last signature, emptied (no allocation once it is big
        // enough); it goes back after signing (not when it held a delegation token).
        let mut signing_string = SIGNING_STRING.with(|b| std::mem::take(&mut *b.borrow_mut()));
        signing_string.clear();
        signing_string.reserve(256);
        signing_string.push_str("date: ");
        signing_string.push_str(value("date")?);
        signing_string.push_str("\n(request-target): ");
        signing_string.extend(method.as_str().chars().map(|c| c.to_ascii_lowercase()));
        signing_string.push(' ');
        signing_string.push_str(path);
        if let Some(query) = query {
            signing_string.push('?');
            signing_string.push_str(query);
        }
        signing_string.push_str("\nhost: ");
        signing_string.push_str(value("host")?);
        if obo {
            signing_string.push_str("\nopc-obo-token: ");
            signing_string.push_str(value("opc-obo-token")?);
        }
        if sign_body {
            for name in ["content-length", "content-type", "x-content-sha256"] {
                signing_string.push('\n');
                signing_string.push_str(name);
                signing_string.push_str(": ");
                signing_string.push_str(value(name)?);
            }
        }

        let signature = identity
            .private_key()
            .sign_sha256(signing_string.as_bytes());
        // Kept unless it held a delegation token (a secret) or grew unusually large.
        if !obo && signing_string.capacity() <= 4096 {
            SIGNING_STRING.with(|b| *b.borrow_mut() = signing_string);
        }
        let signature = signature?;
        let key_id = identity.key_id();
        let header_list = match (sign_body, obo) {
            (false, false) => GENERIC,
            (true, false) => WITH_BODY,
            (false, true) => GENERIC_OBO,
            (true, true) => WITH_BODY_OBO,
        };
        // Written once into its final buffer, which the header value then owns (no copies).
        // The buffer is exactly as long as the value: `Bytes` takes a full buffer as it is,
        // where spare capacity would cost it one more allocation.
        const START: &str = "Signature algorithm=\"rsa-sha256\",headers=\"";
        const KEY_ID: &str = "\",keyId=\"";
        const SIGNATURE: &str = "\",signature=\"";
        const END: &str = "\",version=\"1\"";
        let mut authorization = String::with_capacity(
            START.len()
                + header_list.len()
                + KEY_ID.len()
                + key_id.len()
                + SIGNATURE.len()
                + signature.len().div_ceil(3) * 4
                + END.len(),
        );
        authorization.push_str(START);
        authorization.push_str(header_list);
        authorization.push_str(KEY_ID);
        authorization.push_str(key_id);
        authorization.push_str(SIGNATURE);
        B64.encode_string(&signature, &mut authorization);
        authorization.push_str(END);
        let mut authorization =
            HeaderValue::from_maybe_shared(bytes::Bytes::from(authorization))
                .map_err(|_| Error::signing("the keyId is not a valid header value"))?;
        authorization.set_sensitive(true);
        req.headers_mut().insert(AUTHORIZATION, authorization);
        Ok(())
    }
}

thread_local! {
    /// The buffer the signing string is written into, kept per thread between signatures.
    static SIGNING_STRING: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// The `host` header for `authority`: the value made for the last host signed on this thread
/// when it is the same (a reference-count bump), else a new one.
fn host_header(authority: &str) -> Result<HeaderValue, Error> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<HeaderValue>> = const { std::cell::RefCell::new(None) };
    }
    let hit = LAST.with(|last| match &*last.borrow() {
        Some(v) if v.as_bytes() == authority.as_bytes() => Some(v.clone()),
        _ => None,
    });
    if let Some(v) = hit {
        return Ok(v);
    }
    let value = HeaderValue::from_str(authority)
        .map_err(|_| Error::signing("the request host is not a valid header value"))?;
    LAST.with(|last| *last.borrow_mut() = Some(value.clone()));
    Ok(value)
}

/// The `date` header for `now` (IMF-fixdate, one-second resolution), formatted at most once per
/// second per thread: every call in the same second reuses the value (a reference-count bump).
/// The time itself always comes from the signer's clock; only the formatting is cached.
fn date_header(now: std::time::SystemTime) -> Result<HeaderValue, Error> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(u64, HeaderValue)>> =
            const { std::cell::RefCell::new(None) };
    }
    let secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs());
    if let Some(secs) = secs {
        let hit = LAST.with(|last| match &*last.borrow() {
            Some((s, v)) if *s == secs => Some(v.clone()),
            _ => None,
        });
        if let Some(v) = hit {
            return Ok(v);
        }
    }
    let value = HeaderValue::from_str(&httpdate::fmt_http_date(now))
        .map_err(|_| Error::signing("the clock gave an unusable date"))?;
    if let Some(secs) = secs {
        LAST.with(|last| *last.borrow_mut() = Some((secs, value.clone())));
    }
    Ok(value)
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

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use bytes::Bytes;

    use super::*;
    use crate::auth::{ApiKeyCredentials, PrivateKey};
    use crate::clock::ManualClock;
    use crate::ErrorKind;

    const KEY: &[u8] = include_bytes!("../../tests/fixtures/signing/key.pem");
    // Sat, 21 Nov 2026 14:16:13 GMT
    const T0: u64 = 1_795_270_573;

    fn key() -> Arc<PrivateKey> {
        Arc::new(PrivateKey::from_pem(KEY, None).expect("fixture key"))
    }

    fn signer() -> (RequestSigner, ManualClock) {
        signer_at(T0)
    }

    fn signer_at(secs: u64) -> (RequestSigner, ManualClock) {
        let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(secs));
        let key = PrivateKey::from_pem(KEY, None).expect("fixture key");
        let creds = ApiKeyCredentials::new("t", "u", "fp", key);
        (
            RequestSigner::new(Arc::new(creds), Arc::new(clock.clone())),
            clock,
        )
    }

    fn req(method: &str, uri: &str, body: Body) -> http::Request<Body> {
        http::Request::builder()
            .method(method)
            .uri(uri)
            .body(body)
            .expect("request")
    }

    fn one_shot_stream(len: Option<u64>) -> Body {
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![Ok(Bytes::from_static(b"hello"))];
        Body::from_stream(futures_util::stream::iter(chunks), len)
    }

    fn authorization(r: &http::Request<Body>) -> &str {
        r.headers()[AUTHORIZATION].to_str().expect("ascii")
    }

    fn signed_list(r: &http::Request<Body>) -> &str {
        let a = authorization(r);
        let start = a.find("headers=\"").expect("headers=") + "headers=\"".len();
        let end = start + a[start..].find('"').expect("closing quote");
        &a[start..end]
    }

    fn signature_for(signing_string: &str) -> String {
        B64.encode(key().sign_sha256(signing_string.as_bytes()).expect("sign"))
    }

    #[test]
    fn the_cached_date_follows_the_clock_every_second() {
        let (signer, clock) = signer();
        let date = |signer: &RequestSigner| {
            let mut r = req("GET", "https://h.example/x", Body::empty());
            signer.sign(&mut r, false).expect("sign");
            r.headers()[DATE.clone()]
                .to_str()
                .expect("ascii")
                .to_owned()
        };
        assert_eq!(date(&signer), "Sat, 21 Nov 2026 14:16:13 GMT");
        clock.advance(Duration::from_millis(999));
        assert_eq!(date(&signer), "Sat, 21 Nov 2026 14:16:13 GMT");
        clock.advance(Duration::from_millis(1));
        assert_eq!(date(&signer), "Sat, 21 Nov 2026 14:16:14 GMT");
        clock.advance(Duration::from_secs(86_400));
        assert_eq!(date(&signer), "Sun, 22 Nov 2026 14:16:14 GMT");
        // Another clock on the same thread, back in time: its own date, not the cached one.
        let (other, _) = signer_at(T0 - 3_600);
        assert_eq!(date(&other), "Sat, 21 Nov 2026 13:16:13 GMT");
        assert_eq!(date(&signer), "Sun, 22 Nov 2026 14:16:14 GMT");
    }

    #[test]
    fn unknown_verb_is_a_signing_error() {
        let (signer, _) = signer();
        for m in ["OPTIONS", "TRACE", "CONNECT", "PROPFIND"] {
            let mut r = req(m, "https://h.example/x", Body::empty());
            let err = signer.sign(&mut r, false).expect_err(m);
            assert_eq!(err.kind(), ErrorKind::Signing, "{m}");
            assert!(err.message().contains(m), "{m}: {}", err.message());
            assert!(!r.headers().contains_key(AUTHORIZATION));
        }
    }

    #[test]
    fn one_shot_stream_on_post_needs_a_precomputed_hash() {
        let (signer, _) = signer();
        let mut r = req("POST", "https://h.example/x", one_shot_stream(Some(5)));
        let err = signer.sign(&mut r, false).expect_err("stream without hash");
        assert_eq!(err.kind(), ErrorKind::Signing);
        assert!(
            err.message().contains("x-content-sha256"),
            "{}",
            err.message()
        );
        assert!(!r.headers().contains_key(AUTHORIZATION));

        // With the hash given, the stream is signed with it and never read.
        let hash = B64.encode(Sha256::digest(b"hello"));
        let mut r = req("POST", "https://h.example/x", one_shot_stream(Some(5)));
        r.headers_mut().insert(
            X_CONTENT_SHA256.clone(),
            HeaderValue::from_str(&hash).expect("b64"),
        );
        signer.sign(&mut r, false).expect("signed");
        assert_eq!(signed_list(&r), WITH_BODY);
        assert_eq!(r.headers()[CONTENT_LENGTH], "5");
        assert_eq!(r.headers()[&X_CONTENT_SHA256], hash.as_str());
        assert_eq!(r.headers()[CONTENT_TYPE], "application/json");
    }

    #[test]
    fn body_verbs_with_unknown_length_are_refused() {
        let (signer, _) = signer();
        for exclude_body in [false, true] {
            let mut r = req("PUT", "https://h.example/o/x", one_shot_stream(None));
            let err = signer
                .sign(&mut r, exclude_body)
                .expect_err("unknown length");
            assert_eq!(err.kind(), ErrorKind::Signing);
            assert!(err.message().contains("known length"), "{}", err.message());
        }
    }

    #[test]
    fn exclude_body_put_signs_generic_headers_but_sends_content_length() {
        let (signer, _) = signer();
        let mut r = req(
            "PUT",
            "https://objectstorage.example/n/ns/b/b/o/dir%2Fa%20b.txt",
            one_shot_stream(Some(5)),
        );
        r.headers_mut().insert(
            http::header::TRANSFER_ENCODING,
            HeaderValue::from_static("chunked"),
        );
        signer.sign(&mut r, true).expect("signed");
        assert_eq!(signed_list(&r), GENERIC);
        assert_eq!(r.headers()[CONTENT_LENGTH], "5");
        assert!(!r.headers().contains_key(http::header::TRANSFER_ENCODING));
        assert!(!r.headers().contains_key(&X_CONTENT_SHA256));
        assert!(!r.headers().contains_key(CONTENT_TYPE));

        let expected = signature_for(
            "date: Sat, 21 Nov 2026 14:16:13 GMT\n\
             (request-target): put /n/ns/b/b/o/dir%2Fa%20b.txt\n\
             host: objectstorage.example",
        );
        assert!(
            authorization(&r).contains(&format!("signature=\"{expected}\"")),
            "{}",
            authorization(&r)
        );
    }

    #[test]
    fn signing_string_and_header_format() {
        let (signer, _) = signer();
        let mut r = req(
            "POST",
            "http://127.0.0.1:12345/a%20b?x=1+2&y=%2F",
            Body::from_bytes(&b"{}"[..]),
        );
        signer.sign(&mut r, false).expect("signed");
        let hash = B64.encode(Sha256::digest(b"{}"));
        let sig = signature_for(&format!(
            "date: Sat, 21 Nov 2026 14:16:13 GMT\n\
             (request-target): post /a%20b?x=1+2&y=%2F\n\
             host: 127.0.0.1:12345\n\
             content-length: 2\n\
             content-type: application/json\n\
             x-content-sha256: {hash}"
        ));
        assert_eq!(
            authorization(&r),
            format!(
                "Signature algorithm=\"rsa-sha256\",headers=\"{WITH_BODY}\",keyId=\"t/u/fp\",\
                 signature=\"{sig}\",version=\"1\""
            )
        );
    }

    #[test]
    fn request_target_without_path_is_slash() {
        let (signer, _) = signer();
        for (uri, target) in [
            ("https://h.example", "/"),
            ("https://h.example?a=1", "/?a=1"),
            ("https://h.example/?a=1", "/?a=1"),
        ] {
            let mut r = req("GET", uri, Body::empty());
            signer.sign(&mut r, false).expect("signed");
            let sig = signature_for(&format!(
                "date: Sat, 21 Nov 2026 14:16:13 GMT\n(request-target): get {target}\nhost: h.example"
            ));
            assert!(authorization(&r).contains(&sig), "{uri}");
        }
    }

    #[test]
    fn user_info_in_the_uri_is_refused() {
        let (signer, _) = signer();
        let mut r = req("GET", "https://user:pw@h.example/x", Body::empty());
        let err = signer.sign(&mut r, false).expect_err("userinfo");
        assert_eq!(err.kind(), ErrorKind::Signing);
        assert!(!err.to_string().contains("pw"));
    }

    #[test]
    fn authorization_is_sensitive_and_hidden_from_debug() {
        let (signer, _) = signer();
        let mut r = req("GET", "https://h.example/x", Body::empty());
        signer.sign(&mut r, false).expect("signed");
        let value = &r.headers()[AUTHORIZATION];
        assert!(value.is_sensitive());
        let auth = authorization(&r).to_owned();
        let sig_start = auth.find("signature=\"").expect("sig") + "signature=\"".len();
        let signature = &auth[sig_start..sig_start + 40];
        let debug = format!("{:?}", r.headers());
        assert!(debug.contains("authorization"), "{debug}");
        assert!(!debug.contains(signature), "{debug}");
        assert!(!debug.contains("keyId"), "{debug}");
        assert!(!format!("{r:?}").contains(signature));
    }

    #[test]
    fn every_attempt_gets_a_fresh_date_and_signature() {
        let (signer, clock) = signer();
        let mut r = req("DELETE", "https://h.example/x", Body::empty());
        signer.sign(&mut r, false).expect("first");
        let first = authorization(&r).to_owned();
        clock.advance(Duration::from_secs(61));
        signer.sign(&mut r, false).expect("second");
        assert_eq!(r.headers().get_all(DATE.clone()).iter().count(), 1);
        assert_eq!(r.headers().get_all(AUTHORIZATION).iter().count(), 1);
        assert_eq!(r.headers()[&DATE], "Sat, 21 Nov 2026 14:17:14 GMT");
        assert_ne!(authorization(&r), first);
        assert!(!r.headers().contains_key(CONTENT_LENGTH));
    }
}
