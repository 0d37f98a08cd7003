//! Reading the claims of a security token (a JWT), as the SDKs do: no signature check.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{Map, Value};

/// Why a security token could not be used. Never contains the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not three dot-separated base64url parts.
    #[error("the security token is not a JWT (three base64url parts separated by `.`)")]
    NotAJwt,
    /// A part is not base64url.
    #[error("the security token's {0} is not base64url")]
    Base64(&'static str),
    /// The header or payload is not a JSON object.
    #[error("the security token's {0} is not a JSON object")]
    Json(&'static str),
    /// A required claim is missing or has the wrong type.
    #[error("the security token has no valid `{0}` claim")]
    MissingClaim(&'static str),
    /// The token holds characters that cannot go into a `keyId`.
    #[error("the security token contains characters that cannot go into a keyId")]
    BadCharacters,
}

/// The claims the SDK uses.
#[derive(Debug, Clone)]
pub struct Claims {
    /// `exp`.
    pub expires_at: SystemTime,
    /// `iat`, when present.
    pub issued_at: Option<SystemTime>,
    payload: Map<String, Value>,
}

impl Claims {
    /// A string claim (e.g. `res_tenant`).
    pub fn string(&self, name: &str) -> Option<&str> {
        self.payload.get(name).and_then(Value::as_str)
    }

    /// The token's lifetime, `exp - iat`, when `iat` is present.
    pub fn lifetime(&self) -> Option<Duration> {
        self.issued_at
            .and_then(|iat| self.expires_at.duration_since(iat).ok())
    }
}

fn b64(part: &str, what: &'static str) -> Result<Vec<u8>, TokenError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .or_else(|_| URL_SAFE.decode(part))
        .map_err(|_| TokenError::Base64(what))
}

fn epoch(v: Option<&Value>) -> Option<SystemTime> {
    let secs = v?.as_f64()?;
    if !(0.0..=1e11).contains(&secs) {
        return None;
    }
    Some(UNIX_EPOCH + Duration::from_secs_f64(secs))
}

/// Parses the claims of `token`; `exp` is required, `iat` optional.
pub fn parse(token: &str) -> Result<Claims, TokenError> {
    if !token
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
    {
        return Err(TokenError::BadCharacters);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::NotAJwt);
    };
    let header: Value =
        serde_json::from_slice(&b64(header, "header")?).map_err(|_| TokenError::Json("header"))?;
    if !header.is_object() {
        return Err(TokenError::Json("header"));
    }
    let payload: Value = serde_json::from_slice(&b64(payload, "payload")?)
        .map_err(|_| TokenError::Json("payload"))?;
    let Value::Object(payload) = payload else {
        return Err(TokenError::Json("payload"));
    };
    let expires_at = epoch(payload.get("exp")).ok_or(TokenError::MissingClaim("exp"))?;
    let issued_at = epoch(payload.get("iat"));
    Ok(Claims {
        expires_at,
        issued_at,
        payload,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use super::*;

    /// A JWT with the given payload (unsigned; the SDK does not check signatures).
    pub(crate) fn jwt(payload: &Value) -> String {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(payload).unwrap());
        format!("{h}.{p}.c2ln")
    }

    #[test]
    fn reads_exp_iat_and_string_claims() {
        let t = jwt(
            &serde_json::json!({"exp": 2000, "iat": 1000, "res_tenant": "ocid1.tenancy.oc1..x"}),
        );
        let c = parse(&t).unwrap();
        assert_eq!(c.expires_at, UNIX_EPOCH + Duration::from_secs(2000));
        assert_eq!(c.lifetime(), Some(Duration::from_secs(1000)));
        assert_eq!(c.string("res_tenant"), Some("ocid1.tenancy.oc1..x"));
    }

    #[test]
    fn malformed_tokens_are_typed_errors() {
        let no_exp = jwt(&serde_json::json!({"iat": 1}));
        let cases = [
            ("", TokenError::NotAJwt),
            ("a.b", TokenError::NotAJwt),
            ("a.b.c.d", TokenError::NotAJwt),
            ("!!.e30.x", TokenError::Base64("header")),
            ("e30.!!.x", TokenError::Base64("payload")),
            ("bm9wZQ.e30.x", TokenError::Json("header")),
            ("e30.WzFd.x", TokenError::Json("payload")),
            (no_exp.as_str(), TokenError::MissingClaim("exp")),
            ("a b.c.d", TokenError::BadCharacters),
        ];
        for (t, want) in cases {
            assert_eq!(parse(t).unwrap_err(), want, "{t}");
        }
        let neg = jwt(&serde_json::json!({"exp": -5}));
        assert_eq!(parse(&neg).unwrap_err(), TokenError::MissingClaim("exp"));
        assert!(!format!("{}", TokenError::MissingClaim("exp")).contains("e30"));
    }
}
