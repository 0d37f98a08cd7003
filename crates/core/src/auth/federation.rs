//! X.509 federation: certificates, the fed-x509 keyId and the signed `POST /v1/x509`.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use http::header::{HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use sha2::{Digest, Sha256};
use x509_cert::der::{Decode, DecodePem, Encode};
use x509_cert::Certificate;

use crate::auth::token_http::{self as th, Breaker, Retry, TokenTransport};
use crate::auth::{jwt, Identity, PrivateKey};
use crate::clock::Clock;
use crate::{Body, Error};

/// A parsed certificate with the forms the federation call needs.
#[derive(Clone)]
pub(crate) struct Cert {
    der: Vec<u8>,
    /// Base64 of the DER: the PEM without armor or newlines.
    pub(crate) sanitized: String,
    cert: Certificate,
}

impl Cert {
    /// Parses a PEM certificate; `what` names it in errors (`leaf certificate`).
    pub fn from_pem(pem: &[u8], what: &str) -> Result<Cert, String> {
        let cert = Certificate::from_pem(pem)
            .map_err(|e| format!("the {what} is not a PEM X.509 certificate: {e}"))?;
        let der = cert
            .to_der()
            .map_err(|e| format!("the {what} cannot be encoded: {e}"))?;
        // Re-parse the DER, so what is sent is exactly what was checked.
        Certificate::from_der(&der).map_err(|e| format!("the {what} is malformed: {e}"))?;
        Ok(Cert {
            sanitized: B64.encode(&der),
            der,
            cert,
        })
    }

    /// The tenancy OCID from a subject attribute `opc-tenant:<ocid>` or `opc-identity:<ocid>`.
    pub fn tenancy(&self) -> Option<String> {
        for rdn in self.cert.tbs_certificate.subject.0.iter() {
            for atv in rdn.0.iter() {
                let Ok(text) = std::str::from_utf8(atv.value.value()) else {
                    continue;
                };
                for prefix in ["opc-tenant:", "opc-identity:"] {
                    if let Some(t) = text.strip_prefix(prefix) {
                        if !t.is_empty() {
                            return Some(t.to_owned());
                        }
                    }
                }
            }
        }
        None
    }

    /// SHA-1 fingerprint, uppercase hex, colon-separated (the Python SDK's form).
    pub fn sha1_fingerprint(&self) -> String {
        use sha1::Sha1;
        Sha1::digest(&self.der)
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }
}

/// How long the idle-priority key thread has before a normal-priority one races it.
const IDLE_KEYGEN_GRACE: Duration = Duration::from_secs(2);

/// A fresh RSA-2048 session key pair (A.10.4): the signing key and its SPKI DER in base64.
///
/// Generating an RSA key takes tens of milliseconds of CPU. It runs on a thread of its own at
/// the lowest scheduling priority (`SCHED_IDLE` on Linux), so a refresh running ahead of expiry
/// does not take CPU from calls in flight on the same cores (T12 in BENCHMARKS.md). If that
/// thread has not finished within [`IDLE_KEYGEN_GRACE`] (every core busy with other work), a
/// normal-priority generation races it and the first key wins, so a refresh is never starved.
pub(crate) async fn session_key(bits: usize) -> Result<(Arc<PrivateKey>, String), Error> {
    let (tx, mut idle) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("oci-session-key".into())
        .spawn(move || {
            lowest_priority();
            let _ = tx.send(PrivateKey::generate(bits));
        });
    let generated = match spawned {
        Ok(_) => {
            tokio::select! {
                r = &mut idle => r.ok(),
                () = tokio::time::sleep(IDLE_KEYGEN_GRACE) => None,
            }
        }
        Err(_) => None,
    };
    let generated = match generated {
        Some(r) => r,
        None => {
            let normal = tokio::task::spawn_blocking(move || PrivateKey::generate(bits));
            tokio::select! {
                Ok(r) = &mut idle => r,
                r = normal => r.map_err(|e| {
                    Error::credentials(format!("session key generation panicked: {e}"))
                })?,
            }
        }
    };
    let (key, spki) =
        generated.map_err(|e| Error::credentials(format!("session key generation failed: {e}")))?;
    Ok((Arc::new(key), B64.encode(spki)))
}

/// Puts the calling thread at the lowest CPU priority the platform allows without privileges.
fn lowest_priority() {
    use thread_priority::ThreadPriority;
    #[cfg(target_os = "linux")]
    {
        use thread_priority::{NormalThreadSchedulePolicy, ThreadSchedulePolicy};
        let _ = thread_priority::set_thread_priority_and_policy(
            thread_priority::thread_native_id(),
            ThreadPriority::Min,
            ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle),
        );
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = thread_priority::set_current_thread_priority(ThreadPriority::Min);
    }
}

/// What a federation request carries.
pub(crate) struct FederationRequest<'a> {
    pub endpoint: &'a str,
    pub tenancy: &'a str,
    pub leaf: &'a Cert,
    pub leaf_key: &'a PrivateKey,
    pub intermediates: &'a [Cert],
    pub session_public_key: &'a str,
    pub purpose: Option<&'a str>,
}

/// Signs a federation request (A.2/A.3): keyId `<tenancy>/fed-x509/<SHA-1>`, headers
/// `date (request-target) content-length content-type x-content-sha256`, no `host`.
fn sign(
    req: &mut http::Request<Body>,
    key_id: &str,
    key: &PrivateKey,
    clock: &dyn Clock,
    body: &[u8],
) -> Result<(), Error> {
    let date = httpdate::fmt_http_date(clock.now());
    let hash = B64.encode(Sha256::digest(body));
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let signing = format!(
        "date: {date}\n(request-target): post {target}\ncontent-length: {}\n\
         content-type: application/json\nx-content-sha256: {hash}",
        body.len()
    );
    let signature = B64.encode(key.sign_sha256(signing.as_bytes())?);
    let auth = format!(
        "Signature algorithm=\"rsa-sha256\",headers=\"date (request-target) content-length \
         content-type x-content-sha256\",keyId=\"{key_id}\",signature=\"{signature}\",version=\"1\""
    );
    let bad = |_| Error::signing("federation header is not a valid header value");
    let h = req.headers_mut();
    h.insert("date", HeaderValue::from_str(&date).map_err(bad)?);
    h.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(
        "x-content-sha256",
        HeaderValue::from_str(&hash).map_err(bad)?,
    );
    let mut auth = HeaderValue::from_str(&auth).map_err(bad)?;
    auth.set_sensitive(true);
    h.insert(AUTHORIZATION, auth);
    Ok(())
}

/// `POST {endpoint}/v1/x509` with retries and the breaker; returns the token's identity for
/// `session_key`, to refresh `refresh_ahead` before it expires.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn federate(
    transport: &TokenTransport,
    breaker: &Breaker,
    clock: &Arc<dyn Clock>,
    r: FederationRequest<'_>,
    session_key: Arc<PrivateKey>,
    refresh_ahead: Duration,
    provider: &str,
) -> Result<Identity, Error> {
    let url = format!("{}/v1/x509", r.endpoint.trim_end_matches('/'));
    let mut body = serde_json::json!({
        "certificate": r.leaf.sanitized,
        "publicKey": r.session_public_key,
        "intermediateCertificates": r.intermediates.iter().map(|c| c.sanitized.as_str()).collect::<Vec<_>>(),
    });
    if let Some(p) = r.purpose {
        body["purpose"] = serde_json::Value::from(p);
    }
    let body = serde_json::to_vec(&body).map_err(|e| Error::signing(e.to_string()))?;
    let key_id = format!("{}/fed-x509/{}", r.tenancy, r.leaf.sha1_fingerprint());
    let make = || {
        let mut req = http::Request::post(&url)
            .body(Body::from_bytes(body.clone()))
            .map_err(|e| Error::auth(provider, &url, format!("bad federation URL: {e}")))?;
        sign(&mut req, &key_id, r.leaf_key, clock.as_ref(), &body)?;
        Ok(req)
    };
    let reply = th::send_with_retry(
        transport,
        &make,
        Retry::FEDERATION,
        breaker,
        Duration::from_secs(60),
        provider,
        &url,
    )
    .await?;
    if !reply.status.is_success() {
        return Err(th::status_error(provider, &url, &reply, ""));
    }
    let token = serde_json::from_slice::<serde_json::Value>(&reply.body)
        .ok()
        .and_then(|v| v.get("token").and_then(|t| t.as_str()).map(str::to_owned))
        .ok_or_else(|| {
            Error::auth(
                provider,
                &url,
                "could not find token in the response from the auth service",
            )
            .with_opc_request_id_if_missing(|| reply.request_id())
        })?;
    token_identity(&token, session_key, refresh_ahead, provider, &url)
        .map_err(|e| e.with_opc_request_id_if_missing(|| reply.request_id()))
}

/// The identity `ST$<token>` signing with `key`, refreshed `refresh_ahead` before `exp`, or at
/// half its lifetime when that comes later (a token that lives a minute or less would otherwise
/// be due for refresh from the moment it is issued, and every call would start one).
pub(crate) fn token_identity(
    token: &str,
    key: Arc<PrivateKey>,
    refresh_ahead: Duration,
    provider: &str,
    endpoint: &str,
) -> Result<Identity, Error> {
    let claims = jwt::parse(token)
        .map_err(|e| Error::auth(provider, endpoint, e.to_string()).with_source(e))?;
    let exp = claims.expires_at;
    let ahead = match claims.lifetime() {
        Some(life) => refresh_ahead.min(life / 2),
        None => refresh_ahead,
    };
    Ok(Identity::new(format!("ST${token}"), key)
        .with_expiry(exp)
        .with_refresh_at(exp.checked_sub(ahead).unwrap_or(exp)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;
    use crate::auth::jwt::tests::jwt;

    fn key() -> Arc<PrivateKey> {
        let pem = include_bytes!("../../tests/fixtures/signing/key.pem");
        Arc::new(PrivateKey::from_pem(pem, None).unwrap())
    }

    fn refresh_at(iat: u64, exp: u64) -> u64 {
        let token = jwt(&serde_json::json!({"iat": iat, "exp": exp}));
        let id = token_identity(&token, key(), Duration::from_secs(60), "test", "e").unwrap();
        let at = id.refresh_at().unwrap();
        at.duration_since(UNIX_EPOCH).unwrap().as_secs()
    }

    #[test]
    fn long_tokens_refresh_ahead_short_ones_at_half_life() {
        // 20 minutes: 60 s before expiry, as the Python SDK does.
        assert_eq!(refresh_at(1_000, 2_200), 2_140);
        // 60 s: due at half its life, not from the moment it is issued.
        assert_eq!(refresh_at(1_000, 1_060), 1_030);
    }
}
