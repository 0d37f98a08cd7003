//! The [`Request`] trait: a typed operation that becomes an `http::Request` with no I/O.

use std::future::Future;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::{Body, Endpoint, Error};

/// What the client needs to know about a service: its name and how to find its endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServiceInfo {
    /// Short name, e.g. `identity` or `objectstorage`; also the key for endpoint overrides.
    pub name: &'static str,
    /// Endpoint template, e.g. `https://identity.{region}.oci.{secondLevelDomain}`.
    pub endpoint_template: &'static str,
    /// Base path appended to the endpoint, e.g. `/20160918` (empty for Object Storage).
    pub base_path: &'static str,
}

/// One operation of a service as its API declares it: HTTP method, path template, name.
///
/// ```
/// use oci_core::OperationRoute;
///
/// const GET_USER: OperationRoute = OperationRoute {
///     method: "GET",
///     path: "/users/{userId}",
///     name: "GetUser",
/// };
/// assert_eq!(GET_USER.path_segments().collect::<Vec<_>>(), ["users", "{userId}"]);
/// ```
///
/// Each generated service crate lists all of its operations in
/// `operations::OPERATIONS: &[OperationRoute]`, in the order of its spec, so that tools (routers,
/// emulators, coverage checks) read one table rather than keep their own copy. The path template
/// is relative to the service's [`ServiceInfo::base_path`] and names each path parameter in
/// braces, as in `/users/{userId}/apiKeys/{fingerprint}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OperationRoute {
    /// HTTP method in upper case, e.g. `GET`.
    pub method: &'static str,
    /// Path template below the base path, e.g. `/users/{userId}`.
    pub path: &'static str,
    /// Operation name, e.g. `GetUser` (the same as [`Request::OPERATION`]).
    pub name: &'static str,
}

impl OperationRoute {
    /// The path template's segments, without the leading slash: literals and `{param}`s.
    ///
    /// ```
    /// # use oci_core::OperationRoute;
    /// let op = OperationRoute { method: "GET", path: "/n", name: "GetNamespace" };
    /// assert_eq!(op.path_segments().collect::<Vec<_>>(), ["n"]);
    /// ```
    pub fn path_segments(&self) -> impl Iterator<Item = &'static str> {
        self.path.trim_matches('/').split('/')
    }
}

/// Facts about one operation, put into every `http::Request`'s extensions by the client so that
/// layers (signing, retry, trace) can read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// Service name, e.g. `identity`.
    pub service: &'static str,
    /// Operation name, e.g. `GetUser`.
    pub operation: &'static str,
    /// Sign only `date (request-target) host`, even for PUT/POST with a body (e.g. `PutObject`).
    pub exclude_body: bool,
    /// The operation declares `opc-retry-token`: the retry-token layer adds one per call.
    pub retry_token: bool,
    /// The response body is a stream the caller reads itself (e.g. a download): the stack does
    /// not read it inside the attempt, so retries and timeouts end when the headers arrive.
    pub streaming_response: bool,
    /// A 304 answer to a conditional request (`if-none-match`) is a success whose output says
    /// "not modified" (`GetObject`, `HeadObject`); for other operations a 304 stays an
    /// [`Error`] ([`Error::is_not_modified`]).
    pub not_modified_ok: bool,
}

/// A typed OCI operation.
///
/// ```
/// use oci_core::{Body, Endpoint, Error, Request, ServiceInfo};
///
/// const IDENTITY: ServiceInfo = ServiceInfo {
///     name: "identity",
///     endpoint_template: "https://identity.{region}.oci.{secondLevelDomain}",
///     base_path: "/20160918",
/// };
///
/// /// GET /users/{userId}
/// struct GetUserRaw { user_id: String }
///
/// impl Request for GetUserRaw {
///     type Output = serde_json::Value;
///     const SERVICE: ServiceInfo = IDENTITY;
///     const OPERATION: &'static str = "GetUser";
///
///     fn into_http(self, endpoint: &Endpoint) -> Result<http::Request<Body>, Error> {
///         let path = format!("/users/{}", oci_core::encode::path_segment(&self.user_id));
///         oci_core::request::builder(http::Method::GET, endpoint, &path)?
///             .body(Body::empty())
///             .map_err(|e| Error::invalid_request(e.to_string()))
///     }
///
///     async fn parse(response: http::Response<Body>) -> Result<Self::Output, Error> {
///         Ok(oci_core::request::parse_json(response).await?.0)
///     }
/// }
///
/// let endpoint = Endpoint::parse("https://identity.us-ashburn-1.oci.oraclecloud.com/20160918")?;
/// let req = GetUserRaw { user_id: "ocid1.user.oc1..aaaa".into() }.into_http(&endpoint)?;
/// assert_eq!(req.uri().path(), "/20160918/users/ocid1.user.oc1..aaaa");
/// # Ok::<(), Error>(())
/// ```
///
/// Building the request does no I/O and reads no clock: signing, retries and the transport are
/// the layers' business. The flags below describe the operation to those layers.
pub trait Request: Send + Sized + 'static {
    /// The typed result of a successful call.
    type Output: Send + 'static;

    /// The service this operation belongs to.
    const SERVICE: ServiceInfo;
    /// The operation name, e.g. `CreateGroup`.
    const OPERATION: &'static str;
    /// Sign only the generic headers (see [`OperationInfo::exclude_body`]).
    const EXCLUDE_BODY: bool = false;
    /// The operation declares `opc-retry-token`.
    const RETRY_TOKEN: bool = false;
    /// The response body is a stream the caller reads itself, e.g. a download; the stack does
    /// not read it inside the attempt (see [`OperationInfo::streaming_response`]).
    const STREAMING_RESPONSE: bool = false;
    /// A 304 is a success for this operation (see [`OperationInfo::not_modified_ok`]).
    const NOT_MODIFIED_OK: bool = false;

    /// Builds the HTTP request against `endpoint` (scheme, host and base path).
    fn into_http(self, endpoint: &Endpoint) -> Result<http::Request<Body>, Error>;

    /// Parses a 2xx response. Non-2xx responses never reach here: they are [`Error`]s.
    fn parse(
        response: http::Response<Body>,
    ) -> impl Future<Output = Result<Self::Output, Error>> + Send;

    /// The [`OperationInfo`] for this operation.
    fn info() -> OperationInfo {
        OperationInfo {
            service: Self::SERVICE.name,
            operation: Self::OPERATION,
            exclude_body: Self::EXCLUDE_BODY,
            retry_token: Self::RETRY_TOKEN,
            streaming_response: Self::STREAMING_RESPONSE,
            not_modified_ok: Self::NOT_MODIFIED_OK,
        }
    }
}

/// Starts an `http::Request` builder for `path` (already percent-encoded, with any query) under
/// the endpoint's base path, with `accept: application/json`.
pub fn builder(
    method: http::Method,
    endpoint: &Endpoint,
    path_and_query: &str,
) -> Result<http::request::Builder, Error> {
    let uri = endpoint.join(path_and_query)?;
    Ok(http::Request::builder()
        .method(method)
        .uri(uri)
        .header(http::header::ACCEPT, "application/json"))
}

/// Response headers every OCI response may carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseMeta {
    /// HTTP status.
    pub status: u16,
    /// `opc-request-id`.
    pub opc_request_id: Option<String>,
    /// `opc-next-page`, the token for the next page of a list.
    pub opc_next_page: Option<String>,
    /// `etag`.
    pub etag: Option<String>,
}

impl ResponseMeta {
    /// Reads the common headers.
    pub fn from_parts(status: StatusCode, headers: &HeaderMap) -> Self {
        let get = |name: &str| header_string(headers, name);
        ResponseMeta {
            status: status.as_u16(),
            opc_request_id: get("opc-request-id"),
            opc_next_page: get("opc-next-page"),
            etag: get("etag"),
        }
    }
}

/// Reads a JSON body into `T`; a body that does not parse gives a typed
/// [`ErrorKind::Deserialize`](crate::ErrorKind::Deserialize) error that keeps the opc-request-id.
pub async fn parse_json<T: DeserializeOwned>(
    response: http::Response<Body>,
) -> Result<(T, http::response::Parts), Error> {
    let (parts, body) = response.into_parts();
    let bytes: Bytes = body.collect().await?;
    let id = || header_string(&parts.headers, "opc-request-id");
    match serde_json::from_slice::<T>(&bytes) {
        Ok(v) => Ok((v, parts)),
        Err(e) if e.is_syntax() => match crate::control_chars::find_raw_control_char(&bytes) {
            None => Err(Error::deserialize(e, parts.status, id())),
            Some(field) => {
                let allow = parts
                    .extensions
                    .get::<crate::control_chars::AllowControlChars>()
                    .is_some_and(|a| a.0);
                if !allow {
                    let msg = format!(
                        "field `{field}` contains a control character (U+0000-U+001F); \
                         allow them with allow_control_chars"
                    );
                    return Err(Error::deserialize(msg, parts.status, id()));
                }
                let escaped = crate::control_chars::escape_raw(&bytes);
                match serde_json::from_slice::<T>(&escaped) {
                    Ok(v) => Ok((v, parts)),
                    Err(e) => Err(Error::deserialize(e, parts.status, id())),
                }
            }
        },
        Err(e) => Err(Error::deserialize(e, parts.status, id())),
    }
}

/// A header's value as text: `None` when absent or not visible ASCII.
pub(crate) fn header_string(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
