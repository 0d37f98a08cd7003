//! Session-token credentials (`oci session authenticate`): keyId `ST$<token>` from a file.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use crate::auth::{Credentials, Identity, IdentityFuture, PrivateKey};
use crate::Error;

/// Why a session token could not be read. Wrapped in an [`Error`] of kind
/// [`Credentials`](crate::ErrorKind::Credentials); reach it with `std::error::Error::source`.
/// No variant ever contains the token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionTokenError {
    /// The token file could not be inspected or read (missing, unreadable).
    #[error("cannot read the session token file {}: {source}", path.display())]
    Read {
        /// The `security_token_file`.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The token file is empty or only whitespace.
    #[error("the session token file {} is empty", path.display())]
    Empty {
        /// The `security_token_file`.
        path: PathBuf,
    },
    /// The token contains characters that cannot go into a `keyId` (not UTF-8, whitespace,
    /// control characters, `"` or `\`).
    #[error("the session token file {} does not hold a valid token: {reason}", path.display())]
    Invalid {
        /// The `security_token_file`.
        path: PathBuf,
        /// What is wrong, without the token itself.
        reason: &'static str,
    },
}

/// Session-token credentials: signs with keyId `ST$<token>`, the token read from a
/// `security_token_file` and re-read whenever that file changes.
///
/// ```no_run
/// use std::sync::Arc;
/// use oci_core::auth::{Credentials, PrivateKey, SessionTokenCredentials};
///
/// let pem = std::fs::read("/home/me/.oci/sessions/DEFAULT/oci_api_key.pem")?;
/// let key = PrivateKey::from_pem(&pem, None)?;
/// let creds = SessionTokenCredentials::from_file("/home/me/.oci/sessions/DEFAULT/token", key)?;
/// assert!(creds.key_id()?.starts_with("ST$"));
/// let creds: Arc<dyn Credentials> = Arc::new(creds);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// This is what `oci session authenticate` sets up: the profile's `security_token_file` holds the
/// token and `key_file` the session key. `oci session refresh` rewrites the token file; the next
/// signature picks the new token up. Each [`Credentials::identity`] call costs one `stat` of the
/// file: it is read again only when its modification time, length (or, on Unix, inode) changed.
/// Surrounding whitespace is trimmed. `Debug` shows the path, never the token.
///
/// If the file disappears or becomes empty later, `key_id` fails with a credentials error naming
/// the path rather than signing with a stale token.
pub struct SessionTokenCredentials {
    path: PathBuf,
    key: Arc<PrivateKey>,
    cached: RwLock<Cached>,
}

struct Cached {
    stamp: Stamp,
    identity: Identity,
}

/// What identifies one version of the file without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    #[cfg(unix)]
    ino: u64,
}

impl Stamp {
    fn of(meta: &fs::Metadata) -> Stamp {
        Stamp {
            modified: meta.modified().ok(),
            len: meta.len(),
            #[cfg(unix)]
            ino: std::os::unix::fs::MetadataExt::ino(meta),
        }
    }
}

impl SessionTokenCredentials {
    /// Reads the token from `path` now (so a missing or empty file fails here, naming the path)
    /// and signs with `key`, the session's private key.
    pub fn from_file(path: impl Into<PathBuf>, key: PrivateKey) -> Result<Self, Error> {
        let path = path.into();
        let (stamp, key_id) = load(&path)?;
        let key = Arc::new(key);
        Ok(SessionTokenCredentials {
            path,
            cached: RwLock::new(Cached {
                stamp,
                identity: Identity::new(key_id, key.clone()),
            }),
            key,
        })
    }

    /// The token file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn read_err(path: &Path, source: io::Error) -> Error {
    Error::credentials(SessionTokenError::Read {
        path: path.to_owned(),
        source,
    })
}

fn stamp(path: &Path) -> Result<Stamp, Error> {
    fs::metadata(path)
        .map(|m| Stamp::of(&m))
        .map_err(|e| read_err(path, e))
}

/// Stats then reads the file; returns the stamp taken *before* reading, so a write racing the
/// read is seen as a change on the next call.
fn load(path: &Path) -> Result<(Stamp, String), Error> {
    let stamp = stamp(path)?;
    let bytes = fs::read(path).map_err(|e| read_err(path, e))?;
    let invalid = |reason| {
        Error::credentials(SessionTokenError::Invalid {
            path: path.to_owned(),
            reason,
        })
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| invalid("it is not UTF-8 text"))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(Error::credentials(SessionTokenError::Empty {
            path: path.to_owned(),
        }));
    }
    if !token
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
    {
        return Err(invalid(
            "it contains whitespace, control or non-ASCII characters, `\"` or `\\`",
        ));
    }
    Ok((stamp, format!("ST${token}")))
}

impl SessionTokenCredentials {
    fn current(&self) -> Result<Identity, Error> {
        let now = stamp(&self.path)?;
        {
            let cached = self.cached.read().unwrap_or_else(|p| p.into_inner());
            if cached.stamp == now {
                return Ok(cached.identity.clone());
            }
        }
        let (stamp, key_id) = load(&self.path)?;
        let identity = Identity::new(key_id, self.key.clone());
        let mut cached = self.cached.write().unwrap_or_else(|p| p.into_inner());
        *cached = Cached {
            stamp,
            identity: identity.clone(),
        };
        Ok(identity)
    }
}

impl Credentials for SessionTokenCredentials {
    /// Always ready: one `stat` of the token file, and a read when it changed.
    fn identity(&self) -> IdentityFuture<'_> {
        IdentityFuture::ready(self.current())
    }
    fn provider_name(&self) -> &'static str {
        "security_token"
    }
}

impl fmt::Debug for SessionTokenCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionTokenCredentials")
            .field("security_token_file", &self.path)
            .field("token", &format_args!("<redacted>"))
            .field("key", &self.key)
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::ErrorKind;

    const KEY: &[u8] = include_bytes!("../../tests/fixtures/signing/key.pem");

    fn key() -> PrivateKey {
        PrivateKey::from_pem(KEY, None).expect("fixture key")
    }

    fn write(path: &Path, content: &str, mtime_secs: u64) {
        fs::write(path, content).expect("write token");
        let f = fs::File::options().write(true).open(path).expect("open");
        f.set_modified(UNIX_EPOCH + Duration::from_secs(mtime_secs))
            .expect("set mtime");
    }

    #[test]
    fn key_id_is_st_dollar_trimmed_token() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token");
        write(&path, "  eyJhbGciOi.payload.sig\n", 1_000);
        let creds = SessionTokenCredentials::from_file(&path, key()).expect("creds");
        assert_eq!(creds.key_id().expect("key id"), "ST$eyJhbGciOi.payload.sig");
        assert_eq!(creds.path(), path);
    }

    #[test]
    fn a_rewritten_file_gives_the_new_token() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token");
        write(&path, "first.token.aaaa", 1_000);
        let creds = SessionTokenCredentials::from_file(&path, key()).expect("creds");
        assert_eq!(creds.key_id().expect("id"), "ST$first.token.aaaa");

        // Longer token (as `oci session refresh` writes it).
        write(&path, "second.token.bbbbbb\n", 2_000);
        assert_eq!(creds.key_id().expect("id"), "ST$second.token.bbbbbb");

        // Same length, only the modification time differs.
        write(&path, "third.token.cccccc\n\n", 3_000);
        assert_eq!(creds.key_id().expect("id"), "ST$third.token.cccccc");

        // Replaced by rename (new inode, same length and mtime as before).
        #[cfg(unix)]
        {
            let tmp = dir.path().join("token.new");
            write(&tmp, "fourth.token.dddd\n\n\n", 3_000);
            fs::rename(&tmp, &path).expect("rename");
            assert_eq!(creds.key_id().expect("id"), "ST$fourth.token.dddd");
        }
    }

    #[test]
    fn an_unchanged_file_is_not_read_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token");
        write(&path, "tok.one", 1_000);
        let creds = SessionTokenCredentials::from_file(&path, key()).expect("creds");
        // Same length, same mtime, same inode: the cheap check sees no change and keeps the
        // cached token (proves it does not re-read per request).
        fs::write(&path, "tok.two").expect("write");
        fs::File::options()
            .write(true)
            .open(&path)
            .expect("open")
            .set_modified(UNIX_EPOCH + Duration::from_secs(1_000))
            .expect("mtime");
        assert_eq!(creds.key_id().expect("id"), "ST$tok.one");
    }

    #[test]
    fn missing_or_empty_file_is_a_credentials_error_naming_the_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("no-such-token");
        let err = SessionTokenCredentials::from_file(&path, key()).expect_err("missing");
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(err.to_string().contains("no-such-token"), "{err}");

        write(&path, " \n\t\n", 1_000);
        let err = SessionTokenCredentials::from_file(&path, key()).expect_err("empty");
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(err.to_string().contains("no-such-token"), "{err}");
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[test]
    fn invalid_token_and_later_failures_are_errors_without_the_token() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token");
        write(&path, "abc\"secretpart", 1_000);
        let err = SessionTokenCredentials::from_file(&path, key()).expect_err("quote");
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(!err.to_string().contains("secretpart"), "{err}");

        write(&path, "good.token", 2_000);
        let creds = SessionTokenCredentials::from_file(&path, key()).expect("creds");
        write(&path, "", 3_000);
        assert!(creds.key_id().expect_err("emptied").is_credentials());
        fs::remove_file(&path).expect("rm");
        let err = creds.key_id().expect_err("removed");
        assert!(err.is_credentials());
        assert!(err.to_string().contains("token"), "{err}");
    }

    #[test]
    fn debug_never_shows_the_token() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token");
        write(&path, "very.secret.jwt", 1_000);
        let creds = SessionTokenCredentials::from_file(&path, key()).expect("creds");
        creds.key_id().expect("id");
        let debug = format!("{creds:?}");
        assert!(!debug.contains("very.secret.jwt"), "{debug}");
        assert!(debug.contains("<redacted>"), "{debug}");
        assert!(debug.contains("token"), "{debug}");
    }

    #[test]
    fn signs_requests_with_the_current_token() {
        use crate::auth::RequestSigner;
        use crate::clock::ManualClock;
        use crate::Body;

        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token");
        write(&path, "tok.A", 1_000);
        let creds = SessionTokenCredentials::from_file(&path, key()).expect("creds");
        let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
        let signer = RequestSigner::new(Arc::new(creds), Arc::new(clock));
        let sign = || {
            let mut r = http::Request::get("https://h.example/x")
                .body(Body::empty())
                .expect("req");
            signer.sign(&mut r, false).expect("signed");
            r.headers()["authorization"]
                .to_str()
                .expect("ascii")
                .to_owned()
        };
        assert!(sign().contains("keyId=\"ST$tok.A\""));
        write(&path, "tok.BB", 2_000);
        assert!(sign().contains("keyId=\"ST$tok.BB\""));
    }
}
