//! The shapes the SDKs check: OCIDs and key fingerprints.

/// Python SDK shape: `^([0-9a-zA-Z-_]+[.:])([0-9a-zA-Z-_]*[.:]){3,}([0-9a-zA-Z-_]+)$`.
pub(crate) fn check_ocid(value: &str) -> Result<(), String> {
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
    {
        return Err(format!(
            "an OCID has only letters, digits, `-`, `_`, `.` and `:`, not {c:?}"
        ));
    }
    let parts: Vec<&str> = value.split(['.', ':']).collect();
    if parts.len() < 5 {
        return Err(format!(
            "an OCID has at least 5 `.`-separated parts (ocid1.<type>.<realm>.<region>.<id>), \
             this has {}",
            parts.len()
        ));
    }
    if parts.first().is_some_and(|p| p.is_empty()) || parts.last().is_some_and(|p| p.is_empty()) {
        return Err("an OCID cannot start or end with `.` or `:`".into());
    }
    Ok(())
}

/// Python SDK shape: `^([0-9a-f]{2}:){15}[0-9a-f]{2}$`.
pub(crate) fn check_fingerprint(value: &str) -> Result<(), String> {
    let pairs: Vec<&str> = value.split(':').collect();
    if pairs.len() != 16 || pairs.iter().any(|p| p.len() != 2) {
        return Err(
            "a fingerprint is 16 two-digit hex pairs separated by `:` (the MD5 of the public key)"
                .into(),
        );
    }
    if value.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("a fingerprint uses lowercase hex digits; uppercase is not accepted".into());
    }
    if !pairs
        .iter()
        .all(|p| p.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')))
    {
        return Err("a fingerprint has only hex digits 0-9 and a-f".into());
    }
    Ok(())
}
