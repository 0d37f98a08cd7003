//! Delegation tokens (Cloud Shell): another principal's identity plus an `opc-obo-token`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::auth::{Credentials, Identity, IdentityFuture};
use crate::region::Region;
use crate::Error;

/// Signs as `inner` (an instance principal in Cloud Shell) on behalf of a user: every request
/// carries the user's delegation token as `opc-obo-token`, which is signed after `host`.
///
/// ```no_run
/// use std::sync::Arc;
/// use oci_core::auth::{DelegationToken, InstancePrincipal};
/// # async fn run() -> Result<(), oci_core::Error> {
/// let instance = Arc::new(InstancePrincipal::builder().build().await?);
/// let creds = DelegationToken::from_file(instance, "/etc/oci/delegation_token")?;
/// let client = oci_core::Client::builder().credentials(Arc::new(creds)).build()?;
/// # let _ = client; Ok(()) }
/// ```
///
/// The token file is read when the credentials are made and again after a 401. The identity
/// is ready whenever `inner`'s is. `Debug` never shows the token.
pub struct DelegationToken {
    inner: Arc<dyn Credentials>,
    path: Option<PathBuf>,
    token: RwLock<Arc<str>>,
}

impl fmt::Debug for DelegationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DelegationToken")
            .field("inner", &self.inner)
            .field("delegation_token_file", &self.path)
            .field("token", &"<redacted>")
            .finish()
    }
}

fn check(token: &str, origin: &str) -> Result<Arc<str>, Error> {
    let token = token.trim();
    if token.is_empty() {
        return Err(Error::credentials(format!(
            "the delegation token {origin} is empty"
        )));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::credentials(format!(
            "the delegation token {origin} contains characters that cannot go into a header"
        )));
    }
    Ok(Arc::from(token))
}

fn read(path: &Path) -> Result<Arc<str>, Error> {
    let origin = format!("file {}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::credentials(format!("cannot read the delegation token {origin}: {e}"))
    })?;
    check(&text, &origin)
}

impl DelegationToken {
    /// `inner` acting with the delegation token `token`.
    pub fn new(inner: Arc<dyn Credentials>, token: &str) -> Result<Self, Error> {
        Ok(DelegationToken {
            inner,
            path: None,
            token: RwLock::new(check(token, "given")?),
        })
    }

    /// `inner` acting with the delegation token in `path` (Cloud Shell's
    /// `delegation_token_file`).
    pub fn from_file(inner: Arc<dyn Credentials>, path: impl Into<PathBuf>) -> Result<Self, Error> {
        let path = path.into();
        let token = read(&path)?;
        Ok(DelegationToken {
            inner,
            path: Some(path),
            token: RwLock::new(token),
        })
    }

    fn token(&self) -> Arc<str> {
        self.token.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Credentials for DelegationToken {
    fn identity(&self) -> IdentityFuture<'_> {
        let token = self.token();
        let mut fut = self.inner.identity();
        match fut.take_ready() {
            Some(ready) => IdentityFuture::ready(ready.map(|i| i.with_obo_token(token))),
            None => IdentityFuture::new(async move { fut.await.map(|i| i.with_obo_token(token)) }),
        }
    }
    fn provider_name(&self) -> &'static str {
        "delegation_token"
    }
    fn region(&self) -> Option<Region> {
        self.inner.region()
    }
    fn refreshes_on_unauthorized(&self) -> bool {
        true
    }
    fn invalidate(&self, rejected: &Identity) {
        if let Some(path) = &self.path {
            match read(path) {
                Ok(t) => *self.token.write().unwrap_or_else(|p| p.into_inner()) = t,
                Err(e) => tracing::warn!(error = %e, "delegation token re-read failed"),
            }
        }
        self.inner.invalidate(rejected);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::auth::RequestSigner;
    use crate::clock::ManualClock;
    use crate::Body;

    #[test]
    fn requests_carry_and_sign_the_obo_token() {
        let creds = DelegationToken::new(crate::testing::credentials(), "obo.tok.en").unwrap();
        let id = creds.identity().take_ready().unwrap().unwrap();
        assert_eq!(id.obo_token(), Some("obo.tok.en"));
        assert!(!format!("{id:?} {creds:?}").contains("obo.tok.en"));
        let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
        let signer = RequestSigner::new(Arc::new(creds), Arc::new(clock));
        let mut req = http::Request::post("https://h.example/x")
            .body(Body::from_bytes(&b"{}"[..]))
            .unwrap();
        signer.sign(&mut req, false).unwrap();
        assert_eq!(req.headers()["opc-obo-token"], "obo.tok.en");
        assert!(req.headers()["opc-obo-token"].is_sensitive());
        let auth = req.headers()["authorization"].to_str().unwrap();
        assert!(auth.contains(
            "headers=\"date (request-target) host opc-obo-token content-length content-type x-content-sha256\""
        ), "{auth}");
    }

    #[test]
    fn bad_tokens_are_credentials_errors() {
        for t in ["", "  ", "a b", "tok\u{e9}"] {
            let e = DelegationToken::new(crate::testing::credentials(), t).unwrap_err();
            assert!(e.is_credentials(), "{t:?}");
        }
        let e = DelegationToken::from_file(crate::testing::credentials(), "/nonexistent/obo")
            .unwrap_err();
        assert!(e.is_credentials());
    }
}
