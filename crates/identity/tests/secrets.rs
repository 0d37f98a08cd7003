//! Secrets the service hands back (auth tokens, secret keys, passwords) never show in `Debug`,
//! while the value itself stays readable for the caller who asked for it.

use oci_identity::models::{AuthToken, CustomerSecretKey, SmtpCredential, UIPassword};

#[test]
fn secret_fields_are_redacted_in_debug_but_kept_in_the_value() {
    let token: AuthToken = serde_json::from_str(
        r#"{"token":"s3cr3t-token","id":"ocid1.credential.oc1..a","description":"ci"}"#,
    )
    .unwrap();
    let debug = format!("{token:?}");
    assert!(!debug.contains("s3cr3t-token"), "{debug}");
    assert!(debug.contains("<redacted>") && debug.contains("ocid1.credential.oc1..a"));
    assert_eq!(token.token.as_deref(), Some("s3cr3t-token"));

    let key: CustomerSecretKey =
        serde_json::from_str(r#"{"key":"AKIAsecretvalue","id":"k1"}"#).unwrap();
    assert!(!format!("{key:?}").contains("AKIAsecretvalue"));

    let smtp: SmtpCredential =
        serde_json::from_str(r#"{"password":"hunter2","username":"u"}"#).unwrap();
    assert!(!format!("{smtp:?}").contains("hunter2"));

    let ui: UIPassword = serde_json::from_str(r#"{"password":"pa55"}"#).unwrap();
    assert!(!format!("{ui:?}").contains("pa55"));
}
