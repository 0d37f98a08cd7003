//! Security tokens: RS256 JWTs signed by an emulator key, carrying the session public key as a
//! `jwk` claim (a JSON string, as OCI's auth service writes it), `exp`/`iat` in epoch seconds
//! on the emulator's clock, and the principal's claims.

use std::collections::HashSet;
use std::fmt;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use serde::{Deserialize, Serialize};

use crate::keys::PublicKey;

/// What kind of principal a token stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum TokenKind {
    /// Instance principal (`/v1/x509`).
    Instance,
    /// Resource principal (RPST: control-API minted, v1.1 exchange, OKE proxymux).
    Resource,
}

/// The claims of an emulator token. Optional claims are omitted when empty.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub(crate) struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
    pub jti: String,
    pub ptype: String,
    pub ttype: String,
    pub tenant: String,
    /// The session public key: a JSON-encoded JWK (`kty`, `n`, `e`, `kid`, `alg`, `use`).
    pub jwk: String,
    #[serde(
        rename = "opc-tenant",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub opc_tenant: String,
    #[serde(
        rename = "opc-instance",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub opc_instance: String,
    #[serde(
        rename = "opc-compartment",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub opc_compartment: String,
    #[serde(
        rename = "opc-certtype",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub opc_certtype: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub res_type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub res_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub res_tenant: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub res_compartment: String,
}

#[derive(Serialize, Deserialize)]
struct Jwk {
    kid: String,
    kty: String,
    n: String,
    e: String,
    alg: String,
    #[serde(rename = "use")]
    use_: String,
}

/// The JWK JSON of a session public key.
pub(crate) fn jwk_of(key: &RsaPublicKey, kid: &str) -> String {
    let jwk = Jwk {
        kid: kid.to_owned(),
        kty: "RSA".into(),
        n: B64URL.encode(key.n().to_bytes_be()),
        e: B64URL.encode(key.e().to_bytes_be()),
        alg: "RS256".into(),
        use_: "sig".into(),
    };
    serde_json::to_string(&jwk).unwrap_or_default()
}

/// The session public key in a `jwk` claim.
pub(crate) fn key_of_jwk(jwk: &str) -> Result<PublicKey, String> {
    let jwk: Jwk = serde_json::from_str(jwk)
        .map_err(|e| format!("the token's jwk claim is not a JWK: {e}"))?;
    if jwk.kty != "RSA" {
        return Err(format!("the token's jwk is `{}`, not RSA", jwk.kty));
    }
    let part = |s: &str| {
        B64URL
            .decode(s.as_bytes())
            .map(|b| BigUint::from_bytes_be(&b))
            .map_err(|_| "the token's jwk is not base64url".to_owned())
    };
    let rsa = RsaPublicKey::new(part(&jwk.n)?, part(&jwk.e)?)
        .map_err(|e| format!("the token's jwk is not an RSA key: {e}"))?;
    PublicKey::from_rsa(rsa)
}

/// A session public key from the SPKI base64 (or PEM) a client sends.
pub(crate) fn key_of_spki(text: &str) -> Result<RsaPublicKey, String> {
    let der = super::ca::der_of(text)?;
    RsaPublicKey::from_public_key_der(&der)
        .map_err(|e| format!("the public key is not an RSA SubjectPublicKeyInfo: {e}"))
}

/// Why a presented token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TokenError {
    /// Not a JWT, or not signed by the emulator.
    #[error("the security token is malformed or was not issued by this emulator")]
    Forged,
    /// Past its `exp` on the emulator's clock.
    #[error("the security token expired")]
    Expired,
    /// Revoked through the control API.
    #[error("the security token was revoked")]
    Revoked,
}

/// Signs and verifies tokens.
pub(crate) struct TokenSigner {
    encoding: EncodingKey,
    decoding: DecodingKey,
    kid: String,
}

impl fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenSigner({})", self.kid)
    }
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl TokenSigner {
    /// A signer with this key.
    pub fn new(key: &RsaPrivateKey) -> Result<Self, String> {
        let private = key.to_pkcs1_der().map_err(|e| e.to_string())?;
        let public = key
            .to_public_key()
            .to_pkcs1_der()
            .map_err(|e| e.to_string())?;
        Ok(TokenSigner {
            encoding: EncodingKey::from_rsa_der(private.as_bytes()),
            decoding: DecodingKey::from_rsa_der(public.as_bytes()),
            kid: "asw".to_owned(),
        })
    }

    /// Signs `claims` after setting `iat` = `now`, `exp` = `now + lifetime`.
    pub fn issue(
        &self,
        mut claims: Claims,
        now: SystemTime,
        lifetime: Duration,
    ) -> Result<(String, Claims), String> {
        claims.iat = secs(now);
        claims.exp = secs(now + lifetime);
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding)
            .map_err(|e| format!("token signing failed: {e}"))?;
        Ok((token, claims))
    }

    /// Verifies a token's signature, expiry (on `now`) and that its `jti` is not revoked.
    pub fn verify(
        &self,
        token: &str,
        now: SystemTime,
        revoked: &HashSet<String>,
    ) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false; // on the emulator's clock, below
        validation.validate_aud = false;
        validation.required_spec_claims = HashSet::new();
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| TokenError::Forged)?;
        let claims = data.claims;
        if revoked.contains(&claims.jti) {
            return Err(TokenError::Revoked);
        }
        if secs(now) >= claims.exp {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::workload::ca::pooled_key;

    fn claims(session: &RsaPublicKey) -> Claims {
        Claims {
            sub: "ocid1.instance.oc1..x".into(),
            jti: "j1".into(),
            tenant: "ocid1.tenancy.oc1..t".into(),
            opc_tenant: "ocid1.tenancy.oc1..t".into(),
            jwk: jwk_of(session, "k"),
            ptype: "instance".into(),
            ttype: "x509".into(),
            ..Claims::default()
        }
    }

    #[test]
    fn issued_tokens_verify_until_exp_and_carry_the_session_key() {
        let signer = TokenSigner::new(&pooled_key(2).unwrap()).unwrap();
        let session = pooled_key(3).unwrap().to_public_key();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (token, c) = signer
            .issue(claims(&session), now, Duration::from_secs(60))
            .unwrap();
        assert_eq!(c.exp - c.iat, 60);
        assert_eq!(token.split('.').count(), 3);
        let none = HashSet::new();
        let got = signer
            .verify(&token, now + Duration::from_secs(59), &none)
            .unwrap();
        assert_eq!(got.opc_tenant, "ocid1.tenancy.oc1..t");
        let key = key_of_jwk(&got.jwk).unwrap();
        assert_eq!(
            key.fingerprint,
            PublicKey::from_rsa(session).unwrap().fingerprint
        );
        assert_eq!(
            signer
                .verify(&token, now + Duration::from_secs(60), &none)
                .err(),
            Some(TokenError::Expired)
        );
        let revoked: HashSet<String> = ["j1".to_owned()].into();
        assert_eq!(
            signer.verify(&token, now, &revoked).err(),
            Some(TokenError::Revoked)
        );
        // The header is what PyJWT reads.
        let header = B64URL.decode(token.split('.').next().unwrap()).unwrap();
        let header: serde_json::Value = serde_json::from_slice(&header).unwrap();
        assert_eq!(header["alg"], "RS256");
    }

    #[test]
    fn forged_tokens_are_refused() {
        let signer = TokenSigner::new(&pooled_key(2).unwrap()).unwrap();
        let other = TokenSigner::new(&pooled_key(0).unwrap()).unwrap();
        let session = pooled_key(3).unwrap().to_public_key();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (token, _) = other
            .issue(claims(&session), now, Duration::from_secs(60))
            .unwrap();
        let none = HashSet::new();
        assert_eq!(
            signer.verify(&token, now, &none).err(),
            Some(TokenError::Forged)
        );
        // Same signature, payload changed.
        let (good, _) = signer
            .issue(claims(&session), now, Duration::from_secs(60))
            .unwrap();
        let parts: Vec<&str> = good.split('.').collect();
        let mut c = claims(&session);
        c.exp = u64::MAX / 2;
        let tampered = format!(
            "{}.{}.{}",
            parts[0],
            B64URL.encode(serde_json::to_vec(&c).unwrap()),
            parts[2]
        );
        assert_eq!(
            signer.verify(&tampered, now, &none).err(),
            Some(TokenError::Forged)
        );
        for junk in ["", "a.b", "a.b.c", "....", "ST$x"] {
            assert_eq!(
                signer.verify(junk, now, &none).err(),
                Some(TokenError::Forged)
            );
        }
        assert!(key_of_jwk("{}").is_err());
        assert!(key_of_jwk("not json").is_err());
        assert!(key_of_spki("AAAA").is_err());
    }
}
