//! Verifies OCI request signatures (draft-cavage-http-signatures-08), independently of any client.
//!
//! Checks, in order: an `Authorization: Signature ...` header whose parameters parse (any order);
//! `keyId` names a registered key; the signed header list holds every header OCI requires for the
//! method; each signed header is present; the `date` is within five minutes of the emulator's
//! clock; the RSA PKCS#1 v1.5 SHA-256 signature verifies (with aws-lc-rs) over the signing string
//! rebuilt from the request as received; then, for operations that sign their body,
//! `content-length` and `x-content-sha256` match the body.
//!
//! Which public key a keyId stands for is a [`KeyResolver`]'s business: API keys
//! (`tenancy/user/fingerprint`) today; session tokens (`ST$<jwt>`) and federation certificates
//! (`tenancy/fed-x509/fingerprint`) plug in as more resolvers, tried in order by [`Resolvers`].

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use http::{HeaderMap, Method};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::keys::PublicKey;

/// OCI's own message for every authentication failure.
const GENERIC: &str =
    "The required information to complete authentication was not provided or was incorrect.";

/// The longest the `date` may be off the emulator's clock.
pub(crate) const MAX_SKEW: Duration = Duration::from_secs(300);

/// A verified caller.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// Who signed, as the journal shows it: the keyId of an API key; never a secret (a
    /// resolver for session tokens names the principal, not the token).
    pub principal: String,
}

/// The key a keyId stands for, and who it authenticates.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The public key the signature must verify with.
    pub key: PublicKey,
    /// Who signed, for the journal (see [`Caller::principal`]).
    pub principal: String,
}

/// Resolves a keyId to the public key that must have made the signature.
pub(crate) trait KeyResolver {
    /// `None` when this resolver does not handle keyIds of this shape; `Some(Err(why))` when it
    /// does but the key is unknown, inactive or expired (`why` goes into `--explain` messages and
    /// must not contain secrets).
    fn resolve(&self, key_id: &str) -> Option<Result<Resolved, String>>;
}

/// Resolvers tried in order; the first that handles a keyId decides.
pub(crate) struct Resolvers<'a>(pub Vec<Box<dyn KeyResolver + 'a>>);

impl KeyResolver for Resolvers<'_> {
    fn resolve(&self, key_id: &str) -> Option<Result<Resolved, String>> {
        self.0.iter().find_map(|r| r.resolve(key_id))
    }
}

/// A keyId as error messages may show it: session tokens (`ST$...`) are redacted.
pub(crate) fn shown_key_id(key_id: &str) -> &str {
    if key_id.starts_with("ST$") {
        "ST$<redacted>"
    } else {
        key_id
    }
}

/// What the verifier needs from the request head.
pub(crate) struct Head<'a> {
    pub method: &'a Method,
    /// The path and query exactly as received.
    pub target: &'a str,
    pub headers: &'a HeaderMap,
    /// Exclude-body operation (PutObject, UploadPart): only the generic headers are required.
    pub exclude_body: bool,
    /// `host` is required in the signed list (every request but the `/v1/x509` federation,
    /// which OCI's SDKs sign without it).
    pub sign_host: bool,
}

fn fail(explain: bool, detail: impl FnOnce() -> String) -> ApiError {
    if explain {
        ApiError::not_authenticated(format!("{GENERIC} {}", detail()))
    } else {
        ApiError::not_authenticated(GENERIC)
    }
}

/// The parameters of an `Authorization: Signature` header.
#[derive(Debug, Default)]
struct Params {
    key_id: Option<String>,
    headers: Option<String>,
    signature: Option<String>,
    algorithm: Option<String>,
    version: Option<String>,
}

fn parse_params(value: &str) -> Result<Params, String> {
    let rest = value
        .strip_prefix("Signature ")
        .ok_or("the Authorization header does not use the `Signature` scheme")?;
    let mut p = Params::default();
    let mut s = rest.trim();
    while !s.is_empty() {
        let (name, after) = s
            .split_once('=')
            .ok_or_else(|| format!("malformed Authorization parameter near `{s}`"))?;
        let after = after.strip_prefix('"').ok_or_else(|| {
            format!(
                "the Authorization parameter `{}` is not quoted",
                name.trim()
            )
        })?;
        let (val, after) = after
            .split_once('"')
            .ok_or_else(|| format!("unterminated Authorization parameter `{}`", name.trim()))?;
        let slot = match name.trim() {
            "keyId" => &mut p.key_id,
            "headers" => &mut p.headers,
            "signature" => &mut p.signature,
            "algorithm" => &mut p.algorithm,
            "version" => &mut p.version,
            // Strict, like the duplicate-header rule: an unknown or repeated parameter is
            // ambiguous (a changed byte in a parameter name must not pass).
            other => return Err(format!("unknown Authorization parameter `{other}`")),
        };
        if slot.is_some() {
            return Err(format!(
                "repeated Authorization parameter `{}`",
                name.trim()
            ));
        }
        *slot = Some(val.to_owned());
        s = after.trim_start().trim_start_matches(',').trim_start();
    }
    Ok(p)
}

/// The headers OCI requires in the signed list for this request.
fn required_headers(
    method: &Method,
    exclude_body: bool,
    sign_host: bool,
) -> &'static [&'static str] {
    const GENERIC_LIST: &[&str] = &["(request-target)", "host"];
    const BODY_LIST: &[&str] = &[
        "(request-target)",
        "host",
        "content-length",
        "content-type",
        "x-content-sha256",
    ];
    let list = match *method {
        Method::POST | Method::PUT | Method::PATCH if !exclude_body => BODY_LIST,
        _ => GENERIC_LIST,
    };
    if sign_host {
        list
    } else if list.len() == BODY_LIST.len() {
        &[
            "(request-target)",
            "content-length",
            "content-type",
            "x-content-sha256",
        ]
    } else {
        &["(request-target)"]
    }
}

/// Headers a request must not repeat: with two of one, which the signature covers is ambiguous.
const SINGLE: &[&str] = &[
    "authorization",
    "date",
    "x-date",
    "host",
    "x-content-sha256",
    "content-length",
    "content-type",
];

/// 401 unless `name` appears at most once.
fn at_most_once(headers: &HeaderMap, name: &str, explain: bool) -> Result<(), ApiError> {
    let n = headers.get_all(name).iter().count();
    if n > 1 {
        return Err(fail(explain, || {
            format!("The request has {n} `{name}` headers; a signed request may have only one.")
        }));
    }
    Ok(())
}

/// Verifies the request head; `resolver` turns the keyId into a public key.
pub(crate) fn verify_head(
    head: &Head<'_>,
    now: SystemTime,
    explain: bool,
    resolver: &dyn KeyResolver,
) -> Result<Caller, ApiError> {
    for name in SINGLE {
        at_most_once(head.headers, name, explain)?;
    }
    let auth = head
        .headers
        .get(http::header::AUTHORIZATION)
        .ok_or_else(|| {
            fail(explain, || {
                "The request has no Authorization header.".into()
            })
        })?
        .to_str()
        .map_err(|_| fail(explain, || "The Authorization header is not ASCII.".into()))?;
    let params = parse_params(auth).map_err(|e| fail(explain, || format!("{e}.")))?;
    if let Some(alg) = &params.algorithm {
        if alg != "rsa-sha256" {
            return Err(fail(explain, || {
                format!("Unsupported algorithm `{alg}`; OCI uses rsa-sha256.")
            }));
        }
    }
    if let Some(v) = &params.version {
        if v != "1" {
            return Err(fail(explain, || {
                format!("Unsupported signature version `{v}`.")
            }));
        }
    }
    let key_id = params
        .key_id
        .ok_or_else(|| fail(explain, || "The Authorization header has no keyId.".into()))?;
    let signature = params.signature.ok_or_else(|| {
        fail(explain, || {
            "The Authorization header has no signature.".into()
        })
    })?;
    let signature = B64
        .decode(signature.as_bytes())
        .map_err(|_| fail(explain, || "The signature is not valid base64.".into()))?;
    let Resolved { key, principal } = match resolver.resolve(&key_id) {
        Some(Ok(r)) => r,
        Some(Err(why)) => return Err(fail(explain, || why)),
        None => {
            return Err(fail(explain, || {
                format!(
                    "No key source accepts the keyId `{}`.",
                    shown_key_id(&key_id)
                )
            }))
        }
    };

    let list_text = params.headers.unwrap_or_else(|| "date".to_owned());
    let list: Vec<String> = list_text
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let date_name = if list.iter().any(|h| h == "date") {
        "date"
    } else if list.iter().any(|h| h == "x-date") {
        "x-date"
    } else {
        return Err(fail(explain, || {
            format!("The signed headers list `{list_text}` does not include `date`.")
        }));
    };
    for required in required_headers(head.method, head.exclude_body, head.sign_host) {
        if !list.iter().any(|h| h == required) {
            return Err(fail(explain, || {
                format!(
                    "The signed headers list `{list_text}` does not include `{required}`, which OCI requires for {}{}.",
                    head.method,
                    if head.exclude_body { " (exclude-body operation)" } else { "" }
                )
            }));
        }
    }

    // Rebuild the signing string from what was received (one value per signed header).
    let mut lines: Vec<String> = Vec::with_capacity(list.len());
    for name in &list {
        if name != "(request-target)" {
            at_most_once(head.headers, name, explain)?;
        }
        if name == "(request-target)" {
            lines.push(format!(
                "(request-target): {} {}",
                head.method.as_str().to_ascii_lowercase(),
                head.target
            ));
            continue;
        }
        let value = head
            .headers
            .get(name.as_str())
            .ok_or_else(|| {
                fail(explain, || {
                    format!("The header `{name}` is in the signed list but not in the request.")
                })
            })?
            .to_str()
            .map_err(|_| fail(explain, || format!("The header `{name}` is not ASCII.")))?;
        lines.push(format!("{name}: {value}"));
    }

    // The date must be close to the emulator's clock.
    let date_text = crate::http::header(head.headers, date_name).unwrap_or_default();
    let date = httpdate::parse_http_date(date_text).map_err(|_| {
        fail(explain, || {
            format!("The `{date_name}` header `{date_text}` is not an HTTP date.")
        })
    })?;
    let skew = match now.duration_since(date) {
        Ok(d) => d,
        Err(e) => e.duration(),
    };
    if skew > MAX_SKEW {
        return Err(fail(explain, || {
            format!(
                "The `{date_name}` header `{date_text}` is {} s off the emulator's clock ({}); at most {} s are allowed.",
                skew.as_secs(),
                httpdate::fmt_http_date(now),
                MAX_SKEW.as_secs()
            )
        }));
    }

    let signing_string = lines.join("\n");
    if !key.verify(signing_string.as_bytes(), &signature) {
        return Err(fail(explain, || {
            explain_mismatch(&key, &key_id, &signature, &lines, head)
        }));
    }
    Ok(Caller { principal })
}

/// Says why a signature did not verify: another key made it, or which line differs.
fn explain_mismatch(
    key: &PublicKey,
    key_id: &str,
    signature: &[u8],
    lines: &[String],
    head: &Head<'_>,
) -> String {
    let Some(digest) = key.recover_digest(signature) else {
        return format!(
            "The signature was not made by the private key registered for keyId `{}` (fingerprint {}).",
            shown_key_id(key_id),
            key.fingerprint
        );
    };
    let matches =
        |candidate: &[String]| Sha256::digest(candidate.join("\n").as_bytes())[..] == digest;
    for (i, line) in lines.iter().enumerate() {
        for alt in line_variants(line, head) {
            let mut candidate = lines.to_vec();
            candidate[i] = alt.clone();
            if matches(&candidate) {
                return format!(
                    "The signing string differs at line {}: the client signed `{alt}`, the emulator rebuilt `{line}`.",
                    i + 1
                );
            }
        }
    }
    format!(
        "The signature was made by the right key over a different signing string. The emulator rebuilt (compare line by line with yours): {:?}",
        lines.join("\n")
    )
}

/// Plausible client-side versions of one signing-string line.
fn line_variants(line: &str, head: &Head<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if line.starts_with("(request-target): ") {
        let m = head.method.as_str();
        let path = head.target.split('?').next().unwrap_or(head.target);
        out.push(format!("(request-target): {} {}", m, head.target));
        out.push(format!(
            "(request-target): {} {}",
            m.to_ascii_lowercase(),
            crate::util::percent_decode(head.target)
        ));
        out.push(format!(
            "(request-target): {} {path}",
            m.to_ascii_lowercase()
        ));
    } else if let Some(host) = line.strip_prefix("host: ") {
        let bare = host.split(':').next().unwrap_or(host);
        out.push(format!("host: {bare}"));
        for port in ["80", "443"] {
            out.push(format!("host: {bare}:{port}"));
        }
    } else if let Some((name, value)) = line.split_once(": ") {
        out.push(format!("{name}: {}", value.trim()));
        out.push(format!("{name}:{value}"));
        out.push(format!("{}: {value}", name.to_ascii_uppercase()));
    }
    out.retain(|l| l != line);
    out
}

/// Checks `content-length` and `x-content-sha256` against a body that signs its headers.
pub(crate) fn verify_body(headers: &HeaderMap, body: &[u8], explain: bool) -> Result<(), ApiError> {
    let declared = crate::http::header(headers, "content-length").unwrap_or_default();
    if declared.parse::<usize>().ok() != Some(body.len()) {
        return Err(fail(explain, || {
            format!(
                "The content-length header `{declared}` does not match the body's {} bytes.",
                body.len()
            )
        }));
    }
    let sent = crate::http::header(headers, "x-content-sha256").unwrap_or_default();
    let actual = B64.encode(Sha256::digest(body));
    if sent != actual {
        return Err(fail(explain, || {
            format!("The x-content-sha256 header `{sent}` does not match the body, which hashes to `{actual}`.")
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parameters_in_any_order() {
        let p = parse_params(
            r#"Signature version="1",headers="date host",keyId="a/b/c",algorithm="rsa-sha256",signature="c2ln""#,
        )
        .ok();
        let p = p.as_ref();
        assert_eq!(p.and_then(|p| p.key_id.as_deref()), Some("a/b/c"));
        assert_eq!(p.and_then(|p| p.headers.as_deref()), Some("date host"));
        assert_eq!(p.and_then(|p| p.signature.as_deref()), Some("c2ln"));
        assert!(parse_params("Bearer x").is_err());
        assert!(parse_params(r#"Signature keyId=abc"#).is_err());
        assert!(parse_params(r#"Signature keyId="a",verzion="1""#).is_err());
        assert!(parse_params(r#"Signature keyId="a",keyId="b""#).is_err());
    }
}
