//! Workload identity: the emulator plays IMDS, the auth service's `/v1/x509` federation, the OKE
//! proxymux and resource-principal token minting, and verifies `ST$<token>` keyIds.
//!
//! Everything is lazy: the CA, the token key and the instance's leaf are made on first use, so
//! emulators that never see a workload-identity request pay nothing. Times come from the
//! emulator's clock.

pub(crate) mod ca;
pub(crate) mod token;

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use oci_core::clock::Clock;
use serde::Serialize;

pub use token::TokenKind;

use crate::keys::PublicKey;
use ca::{Ca, Leaf, LeafSubject};
pub(crate) use token::TokenError;
use token::{Claims, TokenSigner};

/// The default lifetime of issued security tokens.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(20 * 60);

/// A token the emulator issued (no secret: the token itself is not kept here).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IssuedToken {
    /// The token's `jti`.
    pub jti: String,
    /// Instance or resource principal.
    pub kind: TokenKind,
    /// Which endpoint issued it: `x509`, `proxymux`, `control`.
    pub via: String,
    /// The principal (`sub`).
    pub subject: String,
    /// `iat`, epoch seconds on the emulator's clock.
    pub issued_at: u64,
    /// `exp`, epoch seconds on the emulator's clock.
    pub expires_at: u64,
    /// Revoked through the control API.
    pub revoked: bool,
}

/// A resource-principal session (RP v2.2): the RPST and its private key, as a function's
/// environment carries them in `OCI_RESOURCE_PRINCIPAL_RPST` and
/// `OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM`.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResourcePrincipalSession {
    /// The RPST (a JWT with `res_tenant`, `res_compartment`...).
    pub rpst: String,
    /// The session private key, PKCS#1 PEM.
    pub private_pem: String,
    /// The token's `jti`, for revocation.
    pub jti: String,
    /// The resource's OCID (`res_id`).
    pub resource_id: String,
    /// `res_compartment`.
    pub compartment_id: String,
    /// The region to put in `OCI_RESOURCE_PRINCIPAL_REGION`.
    pub region: String,
}

impl fmt::Debug for ResourcePrincipalSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourcePrincipalSession")
            .field("jti", &self.jti)
            .field("resource_id", &self.resource_id)
            .field("rpst", &"<redacted>")
            .field("private_pem", &"<redacted>")
            .finish()
    }
}

/// Identity of the emulated instance and tenancy.
#[derive(Debug, Clone)]
pub(crate) struct WorkloadConfig {
    pub tenancy: String,
    pub compartment: String,
    pub instance: String,
    pub region: String,
    pub token_lifetime: Duration,
    pub service_account_token: String,
}

pub(crate) struct Made {
    pub ca: Ca,
    pub signer: TokenSigner,
}

#[derive(Default)]
struct Mutable {
    leaf: Option<Leaf>,
    /// The pool slot of the next leaf key (rotation takes the next one).
    leaf_slot: usize,
    revoked: HashSet<String>,
    issued: Vec<IssuedToken>,
    next_jti: u64,
    service_accounts: HashSet<String>,
    token_lifetime: Option<Duration>,
    /// Operation -> a 200 body answered instead of the real one.
    overrides: std::collections::HashMap<String, String>,
}

/// The shared workload-identity state of one emulator.
pub(crate) struct Workload {
    config: WorkloadConfig,
    clock: Arc<dyn Clock>,
    salt: u64,
    made: OnceLock<Result<Made, String>>,
    state: Mutex<Mutable>,
}

impl fmt::Debug for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Workload")
            .field("instance", &self.config.instance)
            .finish_non_exhaustive()
    }
}

/// The first slot of leaf keys in the process-wide key pool.
const FIRST_LEAF_SLOT: usize = 3;

impl Workload {
    pub fn new(config: WorkloadConfig, clock: Arc<dyn Clock>, salt: u64) -> Self {
        let mut state = Mutable {
            leaf_slot: FIRST_LEAF_SLOT,
            ..Mutable::default()
        };
        state
            .service_accounts
            .insert(config.service_account_token.clone());
        Workload {
            config,
            clock,
            salt,
            made: OnceLock::new(),
            state: Mutex::new(state),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Mutable> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn config(&self) -> &WorkloadConfig {
        &self.config
    }

    pub(crate) fn made(&self) -> Result<&Made, String> {
        self.made
            .get_or_init(|| {
                let key = ca::pooled_key(2)?;
                Ok(Made {
                    ca: Ca::new(self.clock.now())?,
                    signer: TokenSigner::new(&key)?,
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The current instance leaf (issued on first use).
    pub fn leaf(&self) -> Result<Leaf, String> {
        let made = self.made()?;
        let mut st = self.lock();
        if let Some(leaf) = &st.leaf {
            return Ok(leaf.clone());
        }
        let leaf = made
            .ca
            .issue(&self.subject(), st.leaf_slot, self.clock.now())?;
        st.leaf = Some(leaf.clone());
        Ok(leaf)
    }

    fn subject(&self) -> LeafSubject<'_> {
        LeafSubject {
            tenancy: &self.config.tenancy,
            instance: &self.config.instance,
            compartment: &self.config.compartment,
        }
    }

    /// Issues a new leaf with a new key (what IMDS does every few hours).
    pub fn rotate_leaf(&self) -> Result<(), String> {
        let made = self.made()?;
        let mut st = self.lock();
        st.leaf_slot += 1;
        let leaf = made
            .ca
            .issue(&self.subject(), st.leaf_slot, self.clock.now())?;
        st.leaf = Some(leaf);
        Ok(())
    }

    /// The emulator's root certificate (PEM).
    pub fn root_pem(&self) -> Result<String, String> {
        Ok(self.made()?.ca.root_pem())
    }

    pub fn token_lifetime(&self) -> Duration {
        self.lock()
            .token_lifetime
            .unwrap_or(self.config.token_lifetime)
    }

    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.lock().token_lifetime = Some(lifetime);
    }

    /// Accepts another service-account token at the proxymux.
    pub fn add_service_account_token(&self, token: &str) {
        self.lock().service_accounts.insert(token.to_owned());
    }

    pub fn knows_service_account(&self, token: &str) -> bool {
        self.lock().service_accounts.contains(token)
    }

    /// Signs and records a token for `claims` (jti, iss, aud, jwk filled by the caller or here).
    fn issue(
        &self,
        mut claims: Claims,
        kind: TokenKind,
        via: &str,
    ) -> Result<(String, Claims), String> {
        let made = self.made()?;
        let lifetime = self.token_lifetime();
        let jti = {
            let mut st = self.lock();
            st.next_jti += 1;
            crate::util::derived_text(self.salt, "jti", st.next_jti, 32)
        };
        claims.jti = jti;
        claims.iss = "authService.oracle.com".into();
        claims.aud = "oci".into();
        let (token, claims) = made.signer.issue(claims, self.clock.now(), lifetime)?;
        self.lock().issued.push(IssuedToken {
            jti: claims.jti.clone(),
            kind,
            via: via.to_owned(),
            subject: claims.sub.clone(),
            issued_at: claims.iat,
            expires_at: claims.exp,
            revoked: false,
        });
        Ok((token, claims))
    }

    /// An instance-principal token for a verified leaf and a session key.
    pub fn issue_instance_token(
        &self,
        leaf: &ca::VerifiedLeaf,
        session: &rsa::RsaPublicKey,
    ) -> Result<String, String> {
        let claims = Claims {
            sub: leaf.instance.clone(),
            ptype: "instance".into(),
            ttype: "x509".into(),
            tenant: leaf.tenancy.clone(),
            opc_tenant: leaf.tenancy.clone(),
            opc_instance: leaf.instance.clone(),
            opc_compartment: leaf.compartment.clone(),
            opc_certtype: "instance".into(),
            jwk: token::jwk_of(session, &leaf.instance),
            ..Claims::default()
        };
        Ok(self.issue(claims, TokenKind::Instance, "x509")?.0)
    }

    /// A resource-principal session token (RPST) for a session key.
    pub fn issue_resource_token(
        &self,
        resource_type: &str,
        resource_id: &str,
        session: &rsa::RsaPublicKey,
        via: &str,
    ) -> Result<(String, Claims), String> {
        let claims = Claims {
            sub: resource_id.to_owned(),
            ptype: "resource".into(),
            ttype: "res".into(),
            tenant: self.config.tenancy.clone(),
            res_type: resource_type.to_owned(),
            res_id: resource_id.to_owned(),
            res_tenant: self.config.tenancy.clone(),
            res_compartment: self.config.compartment.clone(),
            jwk: token::jwk_of(session, resource_id),
            ..Claims::default()
        };
        self.issue(claims, TokenKind::Resource, via)
    }

    /// Mints an RPST and its private key (RP v2.2 tests).
    pub fn mint_resource_principal(&self) -> Result<ResourcePrincipalSession, String> {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let slot = {
            let mut st = self.lock();
            st.leaf_slot += 1;
            st.leaf_slot
        };
        let key = ca::pooled_key(slot)?;
        let n = self.lock().issued.len() as u64;
        let resource_id = crate::util::ocid("fnfunc", self.salt, n);
        let (rpst, claims) =
            self.issue_resource_token("function", &resource_id, &key.to_public_key(), "control")?;
        let private_pem = key
            .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .map_err(|e| e.to_string())?
            .to_string();
        Ok(ResourcePrincipalSession {
            rpst,
            private_pem,
            jti: claims.jti,
            resource_id,
            compartment_id: self.config.compartment.clone(),
            region: self.config.region.clone(),
        })
    }

    /// Verifies a presented security token: the session key and claims, or why not.
    pub fn verify_token(&self, token: &str) -> Result<(PublicKey, Claims), TokenError> {
        let made = self.made().map_err(|_| TokenError::Forged)?;
        let revoked = self.lock().revoked.clone();
        let claims = made.signer.verify(token, self.clock.now(), &revoked)?;
        let key = token::key_of_jwk(&claims.jwk).map_err(|_| TokenError::Forged)?;
        Ok((key, claims))
    }

    /// Revokes one token by `jti`; `false` if no such token was issued.
    pub fn revoke(&self, jti: &str) -> bool {
        let mut st = self.lock();
        let mut found = false;
        for t in st.issued.iter_mut().filter(|t| t.jti == jti) {
            t.revoked = true;
            found = true;
        }
        if found {
            st.revoked.insert(jti.to_owned());
        }
        found
    }

    /// Revokes every token issued so far; returns how many were newly revoked.
    pub fn revoke_all(&self) -> usize {
        let mut st = self.lock();
        let jtis: Vec<String> = st
            .issued
            .iter_mut()
            .filter(|t| !t.revoked)
            .map(|t| {
                t.revoked = true;
                t.jti.clone()
            })
            .collect();
        let n = jtis.len();
        st.revoked.extend(jtis);
        n
    }

    /// Answers `operation` with 200 and `body` instead (or normally again with `None`).
    pub fn set_override(&self, operation: &str, body: Option<&str>) {
        let mut st = self.lock();
        match body {
            Some(b) => st.overrides.insert(operation.to_owned(), b.to_owned()),
            None => st.overrides.remove(operation),
        };
    }

    /// The body `operation` is answered with instead, if one was set.
    pub fn override_for(&self, operation: &str) -> Option<String> {
        self.lock().overrides.get(operation).cloned()
    }

    /// Every token issued so far, oldest first.
    pub fn issued(&self) -> Vec<IssuedToken> {
        self.lock().issued.clone()
    }
}
