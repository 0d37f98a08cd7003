//! [`KeyError`]: why a private key could not be loaded.

/// Why a private key could not be loaded.
///
/// No variant ever carries key material or the passphrase.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The PEM is encrypted and no passphrase was given.
    #[error("the private key is encrypted and requires a passphrase (pass_phrase)")]
    PassphraseRequired,
    /// The passphrase did not decrypt the key.
    #[error("the passphrase does not decrypt the private key")]
    WrongPassphrase,
    /// A public key or certificate was given where a private key was expected.
    #[error("a public key was given, but signing requires a private key")]
    PublicKey,
    /// The key is not RSA (OCI API keys are RSA).
    #[error(
        "the private key is not an RSA key (found {0}); OCI API keys must be RSA: generate one \
         with `openssl genrsa -out oci_api_key.pem 2048` and upload its public key"
    )]
    NotRsa(String),
    /// The key is encrypted with a scheme this SDK cannot decrypt.
    #[error(
        "the private key is encrypted with {0}, which is not supported; re-encrypt it with \
         `openssl pkcs8 -topk8 -v2 aes256 -in <old> -out <new>` (OpenSSL 3 reads RC2, RC4 and \
         MD2 schemes only with `-provider legacy -provider default` added)"
    )]
    UnsupportedEncryption(String),
    /// The file holds a private key in a format this SDK does not read (OpenSSH, PuTTY, DER or
    /// PKCS#12, SSH.com); the message names the format and the command that converts it.
    #[error(
        "the private key is in {format} format, which is not supported; convert it to PEM \
         with `{convert}`"
    )]
    UnsupportedFormat {
        /// The format found, e.g. `OpenSSH`.
        format: &'static str,
        /// The command that writes it as PEM.
        convert: &'static str,
    },
    /// The data is not a PEM private key this SDK understands.
    #[error("not a valid PEM private key: {0}")]
    Malformed(String),
}
