//! Runtime of per-resource endpoints, long polls and base64 fields in generated crates.

use crate::layers::LongPoll;
use crate::{Body, Client, Endpoint, Error, ServiceInfo};

/// The client for `service` at a resource's endpoint field (`model.field`), sharing `client`'s
/// stack: an unset, empty or invalid endpoint is a typed error.
pub fn resource_client(
    client: &Client,
    service: &ServiceInfo,
    url: Option<&str>,
    model: &str,
    field: &str,
) -> Result<Client, Error> {
    let url = url
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            Error::invalid_request(format!(
                "`{model}.{field}` is not set: the resource has no endpoint (yet)"
            ))
        })?;
    let endpoint = Endpoint::parse(url)
        .map_err(|e| Error::invalid_request(format!("`{model}.{field}`: {e}")))?;
    Ok(client.with_service_endpoint(service, endpoint))
}

/// Marks a built request as a long poll of `seconds` (see [`LongPoll`]).
pub fn long_poll(
    req: Result<http::Request<Body>, Error>,
    seconds: i64,
) -> Result<http::Request<Body>, Error> {
    let mut req = req?;
    req.extensions_mut().insert(LongPoll::seconds(seconds));
    Ok(req)
}

/// A base64 field's bytes (`None` when the field is unset).
pub fn b64_field(value: Option<&str>, field: &str) -> Result<Option<Vec<u8>>, Error> {
    value
        .map(|v| crate::b64::decode_field(v, field))
        .transpose()
}
