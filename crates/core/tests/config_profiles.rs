//! Config file loading: parsing, profiles and where the file is found.
//!
//! Every test injects the environment and home directory through `ConfigLoader`, so none reads
//! or changes the process environment; the shared helpers are in `config_support`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod config_support;

use std::path::Path;

use config_support::*;
use oci_core::config::{ConfigError, ConfigLoader};

// ---------------------------------------------------------------------------------------------
// Parsing and profiles
// ---------------------------------------------------------------------------------------------

#[test]
fn loads_a_complete_default_profile() {
    let text = default_section(&plain_key()) + "log_requests=true\nadditional_user_agent=me/1\n";
    let (_dir, path) = write_config(&text);
    let config = loader().path(&path).load().unwrap();
    assert_eq!(config.user, USER);
    assert_eq!(config.tenancy, TENANCY);
    assert_eq!(config.fingerprint, FINGERPRINT);
    assert_eq!(config.key_file, plain_key());
    assert_eq!(config.region.as_deref(), Some("us-ashburn-1"));
    assert!(config.pass_phrase.is_none());
    assert!(config.security_token_file.is_none());
    assert_eq!(config.additional_user_agent.as_deref(), Some("me/1"));
    assert_eq!(
        config.extra.get("log_requests").map(String::as_str),
        Some("true")
    );
    assert_eq!(config.profile, "DEFAULT");
    assert_eq!(config.file.as_deref(), Some(path.as_path()));
    assert_eq!(config.region().unwrap().id(), "us-ashburn-1");
}

#[test]
fn profiles_inherit_default_keys_and_override_them() {
    let text = default_section(&plain_key()) + "\n[PHX]\nregion=us-phoenix-1\n";
    let config = loader().profile("PHX").load_text(&text).unwrap();
    assert_eq!(config.profile, "PHX");
    assert_eq!(config.user, USER);
    assert_eq!(config.tenancy, TENANCY);
    assert_eq!(config.fingerprint, FINGERPRINT);
    assert_eq!(config.key_file, plain_key());
    assert_eq!(config.region.as_deref(), Some("us-phoenix-1"));
    assert!(config.file.is_none());
}

#[test]
fn fixture_config_file_loads_every_profile() {
    // Relative key_file paths resolve against the current directory, as in the SDKs; cargo
    // runs integration tests in the package directory. Expected values are what the OCI Python
    // SDK 2.189.0 (`oci.config.from_file`) reads from the same file.
    let path = Path::new("tests/fixtures/config/config");
    for (profile, region, key_file, encrypted) in [
        ("DEFAULT", "us-ashburn-1", "rsa_pkcs1.pem", false),
        ("PHOENIX", "us-phoenix-1", "rsa_pkcs1.pem", false),
        ("ENCRYPTED", "us-ashburn-1", "rsa_pkcs8_aes256.pem", true),
        ("LEGACY_DES3", "eu-frankfurt-1", "rsa_pkcs1_des3.pem", true),
    ] {
        let config = loader().path(path).profile(profile).load().unwrap();
        assert_eq!(config.region.as_deref(), Some(region), "{profile}");
        assert_eq!(
            config.key_file,
            Path::new("tests/fixtures/keys").join(key_file),
            "{profile}"
        );
        assert_eq!(
            config.pass_phrase.as_ref().map(|p| p.expose()),
            encrypted.then_some(PASSPHRASE),
            "{profile}"
        );
        let creds = config.credentials().unwrap();
        let sig = creds
            .private_key()
            .unwrap()
            .sign_sha256(&read_key("message.txt"))
            .unwrap();
        assert_eq!(sig, read_key("message.sig"), "{profile}");
    }
}

#[test]
fn values_containing_delimiters_are_kept_whole() {
    let text = default_section(&plain_key())
        + "additional_user_agent = a=b:c == d\nodd: x = y\nurl=https://h:443/p?q=1\n";
    let config = loader().load_text(&text).unwrap();
    assert_eq!(config.additional_user_agent.as_deref(), Some("a=b:c == d"));
    assert_eq!(config.extra.get("odd").map(String::as_str), Some("x = y"));
    assert_eq!(
        config.extra.get("url").map(String::as_str),
        Some("https://h:443/p?q=1")
    );
}

#[test]
fn colon_delimiter_and_case_insensitive_keys() {
    let text = format!(
        "[DEFAULT]\nUSER: {USER}\nTenancy : {TENANCY}\nFingerPrint:{FINGERPRINT}\n\
         KEY_FILE = {}\nRegion=us-ashburn-1\n",
        plain_key().display()
    );
    let config = loader().load_text(&text).unwrap();
    assert_eq!(config.user, USER);
    assert_eq!(config.tenancy, TENANCY);
    assert_eq!(config.fingerprint, FINGERPRINT);
}

#[test]
fn section_names_are_case_sensitive() {
    let text = default_section(&plain_key()) + "[DEV]\nregion=r\n";
    let (err, path, _dir) = load_err(&text, "dev");
    match &err {
        ConfigError::ProfileNotFound {
            profile, available, ..
        } => {
            assert_eq!(profile, "dev");
            assert_eq!(available, &["DEFAULT", "DEV"]);
        }
        other => panic!("{other:?}"),
    }
    assert_names(&err, &path, "dev", None);
    assert!(err.to_string().contains("[DEV]"), "{err}");
}

#[test]
fn comments_and_blank_lines_are_ignored() {
    let text = format!(
        "# leading comment\n; another\n\n[DEFAULT]\n  # indented comment\nuser={USER}\n\
         ;user=ocid1.user.oc1..commentedout\n#region=nowhere\ntenancy={TENANCY}\n\n\
         fingerprint={FINGERPRINT}\nkey_file={}\nregion=us-ashburn-1\n\
         additional_user_agent=ua # not a comment\n",
        plain_key().display()
    );
    let config = loader().load_text(&text).unwrap();
    assert_eq!(config.user, USER);
    assert_eq!(config.region.as_deref(), Some("us-ashburn-1"));
    // Only full-line comments exist, as in configparser's defaults.
    assert_eq!(
        config.additional_user_agent.as_deref(),
        Some("ua # not a comment")
    );
}

#[test]
fn indented_lines_continue_a_value_and_crlf_is_accepted() {
    let text = default_section(&plain_key()).replace('\n', "\r\n")
        + "additional_user_agent = first\r\n   second\r\n\r\n  third\r\n\r\n";
    let config = loader().load_text(&text).unwrap();
    assert_eq!(
        config.additional_user_agent.as_deref(),
        Some("first\nsecond\n\nthird")
    );
    assert_eq!(config.region.as_deref(), Some("us-ashburn-1"));
}

#[test]
fn a_utf8_bom_is_skipped() {
    let text = format!("\u{feff}{}", default_section(&plain_key()));
    loader().load_text(&text).unwrap();
}

#[test]
fn tilde_expands_to_the_injected_home() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".oci")).unwrap();
    std::fs::copy(plain_key(), home.path().join(".oci/key.pem")).unwrap();
    let text = format!(
        "[DEFAULT]\nuser={USER}\ntenancy={TENANCY}\nfingerprint={FINGERPRINT}\n\
         key_file=~/.oci/key.pem\nregion=r\nsecurity_token_file=~/.oci/sessions/token\n"
    );
    let config = loader().home(home.path()).load_text(&text).unwrap();
    assert_eq!(config.key_file, home.path().join(".oci/key.pem"));
    assert_eq!(
        config.security_token_file.as_deref(),
        Some(home.path().join(".oci/sessions/token").as_path())
    );

    // Without .home(), HOME comes from the injected environment.
    let home_str = home.path().to_str().unwrap().to_owned();
    let env = move |name: &str| (name == "HOME" || name == "USERPROFILE").then(|| home_str.clone());
    let config = ConfigLoader::new().env(env).load_text(&text).unwrap();
    assert_eq!(config.key_file, home.path().join(".oci/key.pem"));
}

#[test]
fn region_falls_back_to_oci_region() {
    let text = default_section(&plain_key()).replace("region=us-ashburn-1\n", "");
    let env = |name: &str| (name == "OCI_REGION").then(|| "eu-frankfurt-1".to_owned());
    let config = ConfigLoader::new().env(env).load_text(&text).unwrap();
    assert_eq!(config.region.as_deref(), Some("eu-frankfurt-1"));

    // The profile's region wins over the environment.
    let config = ConfigLoader::new()
        .env(env)
        .load_text(&default_section(&plain_key()))
        .unwrap();
    assert_eq!(config.region.as_deref(), Some("us-ashburn-1"));

    // An empty region in the file also falls back.
    let text = default_section(&plain_key()).replace("region=us-ashburn-1", "region=");
    let config = ConfigLoader::new().env(env).load_text(&text).unwrap();
    assert_eq!(config.region.as_deref(), Some("eu-frankfurt-1"));
}

#[test]
fn missing_region_without_oci_region_is_an_error() {
    let text = default_section(&plain_key()).replace("region=us-ashburn-1\n", "");
    let (err, path, _dir) = load_err(&text, "DEFAULT");
    assert!(
        matches!(&err, ConfigError::MissingKey { key, .. } if key == "region"),
        "{err:?}"
    );
    assert_names(&err, &path, "DEFAULT", Some("region"));
    assert!(err.to_string().contains("OCI_REGION"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// File location
// ---------------------------------------------------------------------------------------------

#[test]
fn default_location_is_home_oci_config() {
    let home = Home::new();
    let path = home.write(".oci/config", "from-default");
    home.write(".oraclebmc/config", "from-fallback");
    let other = home.write("elsewhere/config", "from-env");
    let vars = [("OCI_CONFIG_FILE", other.display().to_string())];
    // ~/.oci/config exists, so OCI_CONFIG_FILE is not consulted.
    let config = ConfigLoader::new()
        .env(env_with(&vars))
        .home(home.path())
        .load()
        .unwrap();
    assert_eq!(config.region.as_deref(), Some("from-default"));
    assert_eq!(config.file.as_deref(), Some(path.as_path()));
}

#[test]
fn oci_config_file_is_used_when_the_default_does_not_exist() {
    let home = Home::new();
    home.write(".oraclebmc/config", "from-fallback");
    let other = home.write("elsewhere/config", "from-env");
    let vars = [("OCI_CONFIG_FILE", other.display().to_string())];
    let config = ConfigLoader::new()
        .env(env_with(&vars))
        .home(home.path())
        .load()
        .unwrap();
    assert_eq!(config.region.as_deref(), Some("from-env"));
    assert_eq!(config.file.as_deref(), Some(other.as_path()));

    // `~` in OCI_CONFIG_FILE is expanded too.
    let vars = [("OCI_CONFIG_FILE", "~/elsewhere/config".to_owned())];
    let config = ConfigLoader::new()
        .env(env_with(&vars))
        .home(home.path())
        .load()
        .unwrap();
    assert_eq!(config.region.as_deref(), Some("from-env"));
}

#[test]
fn oraclebmc_is_the_last_fallback() {
    let home = Home::new();
    let path = home.write(".oraclebmc/config", "from-fallback");
    let config = loader().home(home.path()).load().unwrap();
    assert_eq!(config.region.as_deref(), Some("from-fallback"));
    assert_eq!(config.file.as_deref(), Some(path.as_path()));
}

#[test]
fn oci_config_file_pointing_nowhere_is_reported_with_its_path() {
    let home = Home::new();
    home.write(".oraclebmc/config", "from-fallback");
    let missing = home.path().join("nope/config");
    let vars = [("OCI_CONFIG_FILE", missing.display().to_string())];
    let err = ConfigLoader::new()
        .env(env_with(&vars))
        .home(home.path())
        .load()
        .unwrap_err();
    assert!(
        matches!(&err, ConfigError::FileNotFound { file, .. } if *file == missing),
        "{err:?}"
    );
}

#[test]
fn an_explicit_path_wins_and_expands_tilde() {
    let home = Home::new();
    home.write(".oci/config", "from-default");
    home.write("mine/config", "from-explicit");
    let config = loader()
        .home(home.path())
        .path("~/mine/config")
        .load()
        .unwrap();
    assert_eq!(config.region.as_deref(), Some("from-explicit"));
}
