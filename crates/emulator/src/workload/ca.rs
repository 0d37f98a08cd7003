//! The emulator's certificate authority: a root, an intermediate and instance (leaf) certificates
//! whose subject carries `opc-tenant:<tenancy>`, as IMDS serves them; and the check that a
//! presented leaf + intermediates chain back to the root.

use std::fmt;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PKCS_RSA_SHA256,
};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{DecodePublicKey, EncodePrivateKey, LineEnding};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_cert::der::{Decode, Encode};
use x509_cert::Certificate;

use crate::keys::PublicKey;

/// How long issued certificates are valid around the emulator's clock.
const VALIDITY: Duration = Duration::from_secs(365 * 24 * 3600);

/// RSA-2048 keys, generated once per process per slot (key generation is slow; emulators in
/// one test binary share them). Slot 0 is the root, 1 the intermediate, 2 the token signer,
/// 3.. leaf keys.
pub(crate) fn pooled_key(slot: usize) -> Result<RsaPrivateKey, String> {
    static POOL: OnceLock<Mutex<Vec<RsaPrivateKey>>> = OnceLock::new();
    let pool = POOL.get_or_init(|| Mutex::new(Vec::new()));
    let mut keys = pool.lock().unwrap_or_else(|p| p.into_inner());
    while keys.len() <= slot {
        let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
            .map_err(|e| format!("RSA key generation failed: {e}"))?;
        keys.push(key);
    }
    Ok(keys[slot].clone())
}

fn rcgen_key(key: &RsaPrivateKey) -> Result<KeyPair, String> {
    let der = key.to_pkcs8_der().map_err(|e| e.to_string())?;
    KeyPair::from_pkcs8_der_and_sign_algo(&der.as_bytes().into(), &PKCS_RSA_SHA256)
        .map_err(|e| format!("rcgen key: {e}"))
}

fn validity(params: &mut CertificateParams, now: SystemTime) {
    let secs = |t: SystemTime| {
        t.duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    };
    let at = |s: i64| {
        time::OffsetDateTime::from_unix_timestamp(s).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    };
    params.not_before = at(secs(now) - 3600);
    params.not_after = at(secs(now + VALIDITY));
}

/// A leaf certificate with its key and the intermediate, as IMDS serves them.
#[derive(Clone)]
pub(crate) struct Leaf {
    /// `-----BEGIN CERTIFICATE-----` of the leaf.
    pub cert_pem: String,
    /// `-----BEGIN RSA PRIVATE KEY-----` of the leaf (PKCS#1).
    pub key_pem: String,
    /// `-----BEGIN CERTIFICATE-----` of the intermediate.
    pub intermediate_pem: String,
}

impl fmt::Debug for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Leaf { .. }")
    }
}

/// The subject of an issued leaf.
#[derive(Debug, Clone)]
pub(crate) struct LeafSubject<'a> {
    pub tenancy: &'a str,
    pub instance: &'a str,
    pub compartment: &'a str,
}

/// The root and the intermediate that signs leaves.
pub(crate) struct Ca {
    root_der: Vec<u8>,
    root_key: RsaPublicKey,
    intermediate_params: CertificateParams,
    intermediate_key: KeyPair,
    intermediate_pem: String,
}

impl fmt::Debug for Ca {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ca { .. }")
    }
}

impl Ca {
    /// A root and an intermediate valid around `now`.
    pub fn new(now: SystemTime) -> Result<Self, String> {
        let root_rsa = pooled_key(0)?;
        let root_key = rcgen_key(&root_rsa)?;
        let mut root = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
        root.distinguished_name
            .push(DnType::CommonName, "oci-emulator root CA");
        root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        validity(&mut root, now);
        let root_cert = root.self_signed(&root_key).map_err(|e| e.to_string())?;
        let root_issuer = Issuer::new(root, root_key);

        let inter_key = rcgen_key(&pooled_key(1)?)?;
        let mut inter = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
        inter
            .distinguished_name
            .push(DnType::CommonName, "oci-emulator instance intermediate CA");
        inter.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        inter.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        validity(&mut inter, now);
        let inter_cert = inter
            .signed_by(&inter_key, &root_issuer)
            .map_err(|e| e.to_string())?;
        Ok(Ca {
            root_der: root_cert.der().to_vec(),
            root_key: root_rsa.to_public_key(),
            intermediate_pem: inter_cert.pem(),
            intermediate_params: inter,
            intermediate_key: inter_key,
        })
    }

    /// The root certificate as PEM (what a client would pin).
    pub fn root_pem(&self) -> String {
        pem_of("CERTIFICATE", &self.root_der)
    }

    /// Issues a leaf for an instance with a key from pool `slot`.
    pub fn issue(
        &self,
        subject: &LeafSubject<'_>,
        slot: usize,
        now: SystemTime,
    ) -> Result<Leaf, String> {
        let rsa = pooled_key(slot)?;
        let key = rcgen_key(&rsa)?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
        // rcgen keeps one value per attribute type: the instance is the CN, the tenancy the OU
        // (the attribute clients read), the compartment the O.
        let dn = &mut params.distinguished_name;
        dn.push(DnType::CommonName, subject.instance);
        dn.push(
            DnType::OrganizationName,
            format!("opc-compartment:{}", subject.compartment),
        );
        dn.push(
            DnType::OrganizationalUnitName,
            format!("opc-tenant:{}", subject.tenancy),
        );
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        validity(&mut params, now);
        let issuer = Issuer::from_params(&self.intermediate_params, &self.intermediate_key);
        let cert = params.signed_by(&key, &issuer).map_err(|e| e.to_string())?;
        let key_pem = rsa
            .to_pkcs1_pem(LineEnding::LF)
            .map_err(|e| e.to_string())?
            .to_string();
        Ok(Leaf {
            cert_pem: cert.pem(),
            key_pem,
            intermediate_pem: self.intermediate_pem.clone(),
        })
    }

    /// Checks that `leaf` (DER) is signed by one of `intermediates` (DER), which is signed by
    /// the root, all valid at `now`; returns what the federation endpoint needs from the leaf.
    pub fn verify_chain(
        &self,
        leaf: &[u8],
        intermediates: &[Vec<u8>],
        now: SystemTime,
    ) -> Result<VerifiedLeaf, String> {
        let leaf_cert = Certificate::from_der(leaf)
            .map_err(|e| format!("the certificate is not X.509: {e}"))?;
        check_validity(&leaf_cert, now, "the certificate")?;
        let mut chained = false;
        for der in intermediates {
            let inter = Certificate::from_der(der)
                .map_err(|e| format!("an intermediate certificate is not X.509: {e}"))?;
            if !signed_by_cert(&leaf_cert, &inter) {
                continue;
            }
            check_validity(&inter, now, "the intermediate certificate")?;
            if !signed_by_key(&inter, &self.root_key) {
                return Err(
                    "the intermediate certificate was not issued by the emulator's root CA".into(),
                );
            }
            chained = true;
            break;
        }
        if !chained {
            return Err(
                "the certificate was not signed by any of the intermediate certificates sent"
                    .into(),
            );
        }
        let spki = leaf_cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| e.to_string())?;
        let rsa = RsaPublicKey::from_public_key_der(&spki)
            .map_err(|e| format!("the certificate's key is not RSA: {e}"))?;
        let key = PublicKey::from_rsa(rsa)?;
        let tenancy = subject_values(&leaf_cert)
            .into_iter()
            .find_map(|v| v.strip_prefix("opc-tenant:").map(str::to_owned))
            .ok_or("the certificate subject has no opc-tenant: attribute")?;
        let instance = common_name(&leaf_cert).unwrap_or_default();
        let compartment = subject_values(&leaf_cert)
            .into_iter()
            .find_map(|v| v.strip_prefix("opc-compartment:").map(str::to_owned))
            .unwrap_or_default();
        Ok(VerifiedLeaf {
            sha1: colon_hex(&Sha1::digest(leaf), true),
            sha256: colon_hex(&Sha256::digest(leaf), false),
            key,
            tenancy,
            instance,
            compartment,
        })
    }
}

/// A leaf certificate that chains to the emulator's root.
#[derive(Debug, Clone)]
pub(crate) struct VerifiedLeaf {
    /// SHA-1 of the DER, uppercase colon-separated hex (Python's federation keyId).
    pub sha1: String,
    /// SHA-256 of the DER, lowercase colon-separated hex (Go's federation keyId).
    pub sha256: String,
    /// The leaf's public key.
    pub key: PublicKey,
    /// From the `opc-tenant:` subject attribute.
    pub tenancy: String,
    /// From the `opc-instance:` subject attribute.
    pub instance: String,
    /// From the `opc-compartment:` subject attribute.
    pub compartment: String,
}

fn colon_hex(bytes: &[u8], upper: bool) -> String {
    bytes
        .iter()
        .map(|b| {
            if upper {
                format!("{b:02X}")
            } else {
                format!("{b:02x}")
            }
        })
        .collect::<Vec<_>>()
        .join(":")
}

fn check_validity(cert: &Certificate, now: SystemTime, what: &str) -> Result<(), String> {
    let v = &cert.tbs_certificate.validity;
    if now < v.not_before.to_system_time() || now > v.not_after.to_system_time() {
        return Err(format!("{what} is not valid at the emulator's time"));
    }
    Ok(())
}

fn signed_by_cert(cert: &Certificate, issuer: &Certificate) -> bool {
    let Ok(spki) = issuer.tbs_certificate.subject_public_key_info.to_der() else {
        return false;
    };
    match RsaPublicKey::from_public_key_der(&spki) {
        Ok(key) => signed_by_key(cert, &key),
        Err(_) => false,
    }
}

fn signed_by_key(cert: &Certificate, key: &RsaPublicKey) -> bool {
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier as _;
    let Ok(tbs) = cert.tbs_certificate.to_der() else {
        return false;
    };
    let Some(sig) = cert.signature.as_bytes() else {
        return false;
    };
    let Ok(sig) = Signature::try_from(sig) else {
        return false;
    };
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(&tbs, &sig)
        .is_ok()
}

/// The subject's common name.
fn common_name(cert: &Certificate) -> Option<String> {
    use x509_cert::der::asn1::Utf8StringRef;
    const CN: x509_cert::der::oid::ObjectIdentifier =
        x509_cert::der::oid::ObjectIdentifier::new_unwrap("2.5.4.3");
    cert.tbs_certificate.subject.0.iter().find_map(|rdn| {
        rdn.0.iter().find(|atv| atv.oid == CN).and_then(|atv| {
            atv.value
                .decode_as::<Utf8StringRef<'_>>()
                .ok()
                .map(|s| s.as_str().to_owned())
        })
    })
}

/// The string values of the subject's attributes.
fn subject_values(cert: &Certificate) -> Vec<String> {
    use x509_cert::der::asn1::{Ia5StringRef, PrintableStringRef, Utf8StringRef};
    let mut out = Vec::new();
    for rdn in cert.tbs_certificate.subject.0.iter() {
        for atv in rdn.0.iter() {
            if let Ok(s) = atv.value.decode_as::<Utf8StringRef<'_>>() {
                out.push(s.as_str().to_owned());
            } else if let Ok(s) = atv.value.decode_as::<PrintableStringRef<'_>>() {
                out.push(s.as_str().to_owned());
            } else if let Ok(s) = atv.value.decode_as::<Ia5StringRef<'_>>() {
                out.push(s.as_str().to_owned());
            }
        }
    }
    out
}

/// PEM armor around DER, 64 columns.
pub(crate) fn pem_of(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The DER inside one PEM block, or the bare base64 (as the federation body sends it).
pub(crate) fn der_of(text: &str) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.trim().chars())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|_| "not base64 (PEM) data".to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn subject() -> LeafSubject<'static> {
        LeafSubject {
            tenancy: "ocid1.tenancy.oc1..aaaa",
            instance: "ocid1.instance.oc1.iad.bbbb",
            compartment: "ocid1.compartment.oc1..cccc",
        }
    }

    #[test]
    fn issued_leaf_chains_and_names_the_tenancy() {
        let now = SystemTime::now();
        let ca = Ca::new(now).unwrap();
        let leaf = ca.issue(&subject(), 3, now).unwrap();
        assert!(leaf.key_pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let leaf_der = der_of(&leaf.cert_pem).unwrap();
        let inter_der = der_of(&leaf.intermediate_pem).unwrap();
        let v = ca
            .verify_chain(&leaf_der, std::slice::from_ref(&inter_der), now)
            .unwrap();
        assert_eq!(v.tenancy, "ocid1.tenancy.oc1..aaaa");
        assert_eq!(v.instance, "ocid1.instance.oc1.iad.bbbb");
        assert_eq!(v.sha1.len(), 20 * 3 - 1);
        assert_eq!(v.sha1, v.sha1.to_uppercase());
        assert_eq!(v.sha256.len(), 32 * 3 - 1);
        // The leaf key the certificate carries is the one served as key.pem.
        let served = crate::keys::public_of_private_pem(&leaf.key_pem).unwrap();
        assert_eq!(served.fingerprint, v.key.fingerprint);
        // Without the intermediate, or with the leaf as its own intermediate: no chain.
        assert!(ca.verify_chain(&leaf_der, &[], now).is_err());
        assert!(ca
            .verify_chain(&leaf_der, std::slice::from_ref(&leaf_der), now)
            .is_err());
        // Expired at the emulator's time.
        assert!(ca
            .verify_chain(&leaf_der, &[inter_der], now + 2 * VALIDITY)
            .is_err());
    }

    #[test]
    fn another_ca_does_not_chain() {
        let now = SystemTime::now();
        let ca = Ca::new(now).unwrap();
        // A CA with the same intermediate key but a root key from another slot.
        let mut other = Ca::new(now).unwrap();
        other.root_key = pooled_key(2).unwrap().to_public_key();
        let leaf = ca.issue(&subject(), 3, now).unwrap();
        let chain = [der_of(&leaf.intermediate_pem).unwrap()];
        assert!(other
            .verify_chain(&der_of(&leaf.cert_pem).unwrap(), &chain, now)
            .unwrap_err()
            .contains("root"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let now = SystemTime::now();
        let ca = Ca::new(now).unwrap();
        assert!(ca.verify_chain(b"not der", &[], now).is_err());
        assert!(ca
            .verify_chain(&[0x30, 0x82, 0xff], &[vec![1, 2]], now)
            .is_err());
        assert!(der_of("-----BEGIN X-----\n!!!\n-----END X-----").is_err());
    }
}
