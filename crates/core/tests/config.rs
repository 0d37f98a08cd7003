//! Config file loading and private-key parsing.
//!
//! Every test injects the environment and home directory through `ConfigLoader`, so none reads
//! or changes the process environment.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::error::Error as _;
use std::path::{Path, PathBuf};

use oci_core::auth::{KeyError, PrivateKey};
use oci_core::config::{ConfigError, ConfigLoader};
use oci_core::{Config, ErrorKind};

const USER: &str = "ocid1.user.oc1..aaaaaaaatestuser";
const TENANCY: &str = "ocid1.tenancy.oc1..aaaaaaaatesttenancy";
const FINGERPRINT: &str = "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34";
const PASSPHRASE: &str = "test-passphrase";

fn key_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(name)
}

fn read_key(name: &str) -> Vec<u8> {
    std::fs::read(key_path(name)).unwrap()
}

fn no_env(_: &str) -> Option<String> {
    None
}

/// A loader that sees an empty environment and no home directory.
fn loader() -> ConfigLoader<'static> {
    ConfigLoader::new().env(no_env)
}

/// A complete `[DEFAULT]` profile using the given key file.
fn default_section(key_file: &Path) -> String {
    format!(
        "[DEFAULT]\nuser={USER}\ntenancy={TENANCY}\nfingerprint={FINGERPRINT}\nkey_file={}\n\
         region=us-ashburn-1\n",
        key_file.display()
    )
}

fn plain_key() -> PathBuf {
    key_path("rsa_pkcs1.pem")
}

/// Writes `text` as a config file in a temporary directory.
fn write_config(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Loads `profile` of `text` from a real file, returning the typed error.
fn load_err(text: &str, profile: &str) -> (ConfigError, PathBuf, tempfile::TempDir) {
    let (dir, path) = write_config(text);
    let err = loader().path(&path).profile(profile).load().unwrap_err();
    (err, path, dir)
}

/// Asserts the message names the file, the profile and (when given) the key.
fn assert_names(err: &ConfigError, file: &Path, profile: &str, key: Option<&str>) {
    let msg = err.to_string();
    assert!(
        msg.contains(&file.display().to_string()),
        "{msg:?} should name the file {}",
        file.display()
    );
    assert!(
        msg.contains(&format!("[{profile}]")),
        "{msg:?} should name profile [{profile}]"
    );
    if let Some(key) = key {
        assert!(msg.contains(key), "{msg:?} should name key {key}");
        assert_eq!(err.key(), Some(key));
    }
    assert_eq!(err.file(), Some(file));
    assert_eq!(err.profile(), Some(profile));
}

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

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    /// Writes a config whose DEFAULT region is `region` at `rel` under the home directory.
    fn write(&self, rel: &str, region: &str) -> PathBuf {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = default_section(&plain_key()).replace("us-ashburn-1", region);
        std::fs::write(&path, text).unwrap();
        path
    }
}

fn env_with<'a>(vars: &'a [(&'static str, String)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }
}

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

// ---------------------------------------------------------------------------------------------
// Bad input: one typed error each
// ---------------------------------------------------------------------------------------------

#[test]
fn file_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing");
    let err = loader().path(&path).profile("DEV").load().unwrap_err();
    assert!(matches!(&err, ConfigError::FileNotFound { .. }), "{err:?}");
    assert_names(&err, &path, "DEV", None);

    // No file anywhere: the default location is named.
    let home = Home::new();
    let err = loader().home(home.path()).load().unwrap_err();
    assert_eq!(err.file(), Some(home.path().join(".oci/config").as_path()));
}

#[test]
fn file_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let err = loader().path(dir.path()).load().unwrap_err();
    assert!(
        matches!(&err, ConfigError::FileUnreadable { .. }),
        "{err:?}"
    );
    assert_names(&err, dir.path(), "DEFAULT", None);

    let (_d, path) = write_config("");
    std::fs::write(&path, b"[DEFAULT]\nuser=\xff\xfe\n").unwrap();
    let err = loader().path(&path).load().unwrap_err();
    assert!(
        matches!(&err, ConfigError::FileUnreadable { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("UTF-8"), "{err}");
}

#[test]
fn profile_not_found_lists_the_profiles() {
    let text = default_section(&plain_key()) + "[A]\nregion=x\n[B]\nregion=y\n";
    let (err, path, _dir) = load_err(&text, "C");
    assert!(
        matches!(&err, ConfigError::ProfileNotFound { available, .. } if available == &["DEFAULT", "A", "B"]),
        "{err:?}"
    );
    assert_names(&err, &path, "C", None);
    assert!(err.to_string().contains("[A], [B]"), "{err}");
}

#[test]
fn default_profile_not_found_when_the_file_has_no_default_section() {
    let text = default_section(&plain_key()).replace("[DEFAULT]", "[DEV]");
    let (err, path, _dir) = load_err(&text, "DEFAULT");
    assert!(
        matches!(&err, ConfigError::ProfileNotFound { .. }),
        "{err:?}"
    );
    assert_names(&err, &path, "DEFAULT", None);
    // The named profile works.
    loader().path(&path).profile("DEV").load().unwrap();
}

#[test]
fn syntax_errors_give_the_line_and_never_the_content() {
    let secret = "s3cret-value-on-a-bad-line";
    let cases: &[(String, usize, &str)] = &[
        (
            format!("user={USER}\n[DEFAULT]\n"),
            1,
            "before the first [profile]",
        ),
        (
            format!("[DEFAULT]\nuser={USER}\n{secret}\n"),
            3,
            "expected `key = value`",
        ),
        (format!("[DEFAULT]\n= {secret}\n"), 2, "without a key name"),
        (
            format!("[DEFAULT]\nuser={USER}\nUser={secret}\n"),
            3,
            "key `user` appears a second time in profile [DEFAULT]",
        ),
        (
            format!("[DEFAULT]\n[DEV]\nregion=a\n[DEV]\nregion={secret}\n"),
            4,
            "profile [DEV] appears a second time",
        ),
    ];
    for (text, line, reason) in cases {
        let (err, path, _dir) = load_err(text, "DEFAULT");
        match &err {
            ConfigError::Syntax { line: l, .. } => assert_eq!(l, line, "{err}"),
            other => panic!("{other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.contains(reason), "{msg:?} should contain {reason:?}");
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains(&format!("line {line}")), "{msg}");
        assert!(!msg.contains(secret), "{msg}");
        assert!(!format!("{err:?}").contains(secret));
    }
}

#[test]
fn missing_required_keys() {
    for key in ["user", "tenancy", "fingerprint", "key_file", "region"] {
        let text: String = default_section(&plain_key())
            .lines()
            .filter(|l| !l.starts_with(&format!("{key}=")))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
            + "[DEV]\n";
        let (err, path, _dir) = load_err(&text, "DEV");
        assert!(
            matches!(&err, ConfigError::MissingKey { key: k, .. } if k == key),
            "{key}: {err:?}"
        );
        assert_names(&err, &path, "DEV", Some(key));
    }
}

#[test]
fn empty_required_value_is_malformed() {
    let text = default_section(&plain_key()).replace(&format!("tenancy={TENANCY}"), "tenancy =");
    let (err, path, _dir) = load_err(&text, "DEFAULT");
    assert!(
        matches!(&err, ConfigError::InvalidValue { key, reason, .. } if key == "tenancy" && reason.contains("empty")),
        "{err:?}"
    );
    assert_names(&err, &path, "DEFAULT", Some("tenancy"));
}

#[test]
fn malformed_ocids() {
    for (key, bad) in [
        ("user", "ocid1.user.oc1.aaaa"),
        ("user", "not-an-ocid"),
        ("tenancy", "ocid1.tenancy.oc1..aaa/bbb"),
        ("tenancy", "ocid1.tenancy.oc1..aaaa."),
        ("tenancy", ".ocid1.tenancy.oc1..aaaa"),
    ] {
        let good = if key == "user" { USER } else { TENANCY };
        let text = default_section(&plain_key()).replace(good, bad);
        let (err, path, _dir) = load_err(&text, "DEFAULT");
        assert!(
            matches!(&err, ConfigError::InvalidValue { key: k, .. } if k == key),
            "{bad}: {err:?}"
        );
        assert_names(&err, &path, "DEFAULT", Some(key));
    }
    // Shapes the SDK accepts: `:` separators, empty middle parts, `-` and `_`.
    for ok in [
        "ocid1:user:oc1::aaa",
        "ocid1.user.oc1.phx.a-b_c",
        "a.b.c.d.e",
    ] {
        let text = default_section(&plain_key()).replace(USER, ok);
        loader().load_text(&text).unwrap();
    }
}

#[test]
fn fingerprint_must_be_sixteen_lowercase_pairs() {
    for (bad, why) in [
        (FINGERPRINT.to_uppercase(), "lowercase"),
        (FINGERPRINT[3..].to_owned(), "16 two-digit hex pairs"),
        (FINGERPRINT.replace(':', ""), "16 two-digit hex pairs"),
        (FINGERPRINT.replace("20:", "2g:"), "hex digits"),
        (format!("{FINGERPRINT}:00"), "16 two-digit hex pairs"),
    ] {
        let text = default_section(&plain_key()).replace(FINGERPRINT, &bad);
        let (err, path, _dir) = load_err(&text, "DEFAULT");
        match &err {
            ConfigError::InvalidValue { key, reason, .. } => {
                assert_eq!(key, "fingerprint");
                assert!(reason.contains(why), "{bad}: {reason}");
            }
            other => panic!("{bad}: {other:?}"),
        }
        assert_names(&err, &path, "DEFAULT", Some("fingerprint"));
    }
}

#[test]
fn key_content_in_a_file_is_refused() {
    // Even inherited from DEFAULT.
    let text =
        default_section(&plain_key()) + "key_content=-----BEGIN RSA PRIVATE KEY-----\n[DEV]\n";
    let (err, path, _dir) = load_err(&text, "DEV");
    assert!(
        matches!(&err, ConfigError::KeyContentInFile { .. }),
        "{err:?}"
    );
    assert_names(&err, &path, "DEV", Some("key_content"));
    assert!(!err.to_string().contains("BEGIN"), "{err}");
}

#[test]
fn key_file_not_found() {
    let missing = key_path("does-not-exist.pem");
    let text = default_section(&missing);
    let (err, path, _dir) = load_err(&text, "DEFAULT");
    assert!(
        matches!(&err, ConfigError::KeyFileNotFound { key_file, .. } if *key_file == missing),
        "{err:?}"
    );
    assert_names(&err, &path, "DEFAULT", Some("key_file"));
    assert!(err.to_string().contains("does-not-exist.pem"), "{err}");
}

#[test]
fn key_file_removed_after_loading_is_reported_by_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    std::fs::copy(plain_key(), &key).unwrap();
    let config = loader().load_text(&default_section(&key)).unwrap();
    std::fs::remove_file(&key).unwrap();
    let err = config.credentials().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    let typed = err.source().unwrap().downcast_ref::<ConfigError>().unwrap();
    assert!(
        matches!(typed, ConfigError::KeyFileNotFound { .. }),
        "{typed:?}"
    );
}

#[test]
fn key_file_unreadable() {
    // A directory exists but cannot be read as a file.
    let dir = tempfile::tempdir().unwrap();
    let config = loader().load_text(&default_section(&plain_key())).unwrap();
    let config = Config {
        key_file: dir.path().to_path_buf(),
        ..config
    };
    let err = config.private_key().unwrap_err();
    let typed = err.source().unwrap().downcast_ref::<ConfigError>().unwrap();
    assert!(
        matches!(typed, ConfigError::KeyFileUnreadable { .. }),
        "{typed:?}"
    );
    assert_eq!(typed.key(), Some("key_file"));
    assert!(
        err.to_string().contains("config text, profile [DEFAULT]"),
        "{err}"
    );
}

/// Loads `key_name` through profile `[DEV]` (with `pass_phrase` when given) and checks the
/// typed error of `credentials()`.
fn assert_key_error(key_name: &str, pass_phrase: Option<&str>, expected: fn(&KeyError) -> bool) {
    let mut text = default_section(&key_path(key_name)) + "[DEV]\n";
    if let Some(p) = pass_phrase {
        text += &format!("pass_phrase={p}\n");
    }
    let (_dir, path) = write_config(&text);
    let config = loader().path(&path).profile("DEV").load().unwrap();
    let err = config.credentials().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials, "{err}");
    let typed = err.source().unwrap().downcast_ref::<ConfigError>().unwrap();
    assert!(
        matches!(typed, ConfigError::Key { .. }),
        "{key_name}: {typed:?}"
    );
    assert!(
        expected(typed.key_error().unwrap()),
        "{key_name}: {typed:?}"
    );
    assert_names(typed, &path, "DEV", Some("key_file"));
    assert!(typed.to_string().contains(key_name), "{typed}");
    assert_eq!(err.to_string(), typed.to_string());
    if let Some(p) = pass_phrase {
        assert!(!err.to_string().contains(p));
        assert!(!format!("{err:?}").contains(p));
    }
}

#[test]
fn public_key_given() {
    assert_key_error("rsa_public.pem", None, |e| *e == KeyError::PublicKey);
    assert_key_error("rsa_cert.pem", None, |e| *e == KeyError::PublicKey);
}

#[test]
fn passphrase_missing() {
    for name in [
        "rsa_pkcs1_aes256.pem",
        "rsa_pkcs1_des3.pem",
        "rsa_pkcs8_aes256.pem",
        "rsa_pkcs8_pbe_sha1_3des.pem",
        "genrsa_default_aes256.pem",
    ] {
        assert_key_error(name, None, |e| *e == KeyError::PassphraseRequired);
    }
}

#[test]
fn passphrase_wrong() {
    for name in [
        "rsa_pkcs1_aes256.pem",
        "rsa_pkcs1_aes128.pem",
        "rsa_pkcs1_des3.pem",
        "rsa_pkcs8_aes256.pem",
        "rsa_pkcs8_des3.pem",
        "rsa_pkcs8_aes128_sha1.pem",
        "rsa_pkcs8_pbe_sha1_3des.pem",
        "rsa_pkcs8_pbe_sha1_2des.pem",
    ] {
        assert_key_error(name, Some("not-the-passphrase"), |e| {
            *e == KeyError::WrongPassphrase
        });
    }
}

#[test]
fn not_rsa() {
    for name in ["ec_sec1.pem", "ec_pkcs8.pem"] {
        assert_key_error(
            name,
            None,
            |e| matches!(e, KeyError::NotRsa(k) if k.contains("EC")),
        );
    }
    assert_key_error(
        "ed25519_pkcs8.pem",
        None,
        |e| matches!(e, KeyError::NotRsa(k) if k.contains("Ed25519")),
    );
}

#[test]
fn malformed_key() {
    assert_key_error("README.md", None, |e| matches!(e, KeyError::Malformed(_)));
    assert_key_error("message.sig", None, |e| matches!(e, KeyError::Malformed(_)));
}

#[test]
fn pbes1_rc2_encryption_is_a_clear_unsupported_error() {
    // PBES1 with DES (`rsa_pkcs8_pbes1_md5_des.pem`) loads now (tests/keys.rs); RC2 does not.
    assert_key_error(
        "rsa_pkcs8_pbes1_sha1_rc2.pem",
        Some(PASSPHRASE),
        |e| matches!(e, KeyError::UnsupportedEncryption(s) if s.contains("PBES1")),
    );
}

#[test]
fn session_token_profile_needs_no_user_and_signs_with_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "tok.en-1\n").unwrap();
    let text = default_section(&plain_key()).replace(&format!("user={USER}\n"), "")
        + &format!("security_token_file={}\n", token_file.display());
    let config = loader().load_text(&text).unwrap();
    assert_eq!(config.user, "");
    assert_eq!(
        config.security_token_file.as_deref(),
        Some(token_file.as_path())
    );
    let creds = config.credentials().unwrap();
    assert_eq!(creds.key_id().unwrap(), "ST$tok.en-1");
    assert_eq!(creds.private_key().unwrap().bits(), 2048);

    // A missing token file is a typed credentials error naming the path.
    std::fs::remove_file(&token_file).unwrap();
    let err = config.credentials().unwrap_err();
    assert!(err.is_credentials(), "{err:?}");
    assert!(err.to_string().contains("token"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Passphrases, secrets and the crate Error
// ---------------------------------------------------------------------------------------------

#[test]
fn encrypted_key_loads_with_the_profile_pass_phrase() {
    for name in [
        "rsa_pkcs1_aes256.pem",
        "rsa_pkcs1_des3.pem",
        "rsa_pkcs8_aes256.pem",
    ] {
        let text = default_section(&key_path(name)) + &format!("pass_phrase={PASSPHRASE}\n");
        let config = loader().load_text(&text).unwrap();
        let creds = config.credentials().unwrap();
        assert_eq!(
            creds.key_id().unwrap(),
            format!("{TENANCY}/{USER}/{FINGERPRINT}")
        );
        assert_eq!(creds.private_key().unwrap().bits(), 2048);
    }
}

#[test]
fn pass_phrase_inherited_from_default() {
    // An encrypted key in a profile, its passphrase in DEFAULT.
    let text = default_section(&plain_key())
        + &format!(
            "pass_phrase={PASSPHRASE}\n[ENC]\nkey_file={}\n",
            key_path("rsa_pkcs1_aes256.pem").display()
        );
    let enc = loader().profile("ENC").load_text(&text).unwrap();
    enc.private_key().unwrap();
    // The unencrypted DEFAULT key loads although a passphrase is set, as in the SDK.
    let plain = loader().load_text(&text).unwrap();
    assert!(plain.pass_phrase.is_some());
    plain.private_key().unwrap();
}

#[test]
fn go_passphrase_alias_is_accepted() {
    let text =
        default_section(&key_path("rsa_pkcs8_aes256.pem")) + &format!("passphrase={PASSPHRASE}\n");
    let config = loader().load_text(&text).unwrap();
    assert!(!config.extra.contains_key("passphrase"));
    config.private_key().unwrap();
}

#[test]
fn debug_output_never_shows_the_passphrase() {
    let secret = "very-secret-passphrase-123";
    let text = default_section(&plain_key())
        + &format!("pass_phrase={secret}\npassphrase={secret}\nlog_requests=false\n");
    let config = loader().load_text(&text).unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains(secret), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
    assert!(debug.contains("log_requests"), "{debug}");
    assert!(debug.contains(USER), "{debug}");
    let debug = format!("{:?}", config.credentials().unwrap());
    assert!(!debug.contains(secret), "{debug}");
    assert!(!debug.contains("BEGIN"), "{debug}");
}

#[test]
fn errors_convert_to_the_crate_error_keeping_the_typed_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, default_section(&plain_key())).unwrap();
    let err = Config::from_file(Some(&path), Some("NOPE")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.is_config());
    let typed = err.source().unwrap().downcast_ref::<ConfigError>().unwrap();
    assert!(
        matches!(typed, ConfigError::ProfileNotFound { .. }),
        "{typed:?}"
    );
    assert_eq!(err.to_string(), typed.to_string());

    let config = Config::from_file(Some(&path), None).unwrap();
    assert_eq!(config.profile, "DEFAULT");
    let with_region = Config {
        region: None,
        ..config
    };
    let err = with_region.region().unwrap_err();
    assert!(err.is_config());
    assert!(err.to_string().contains("region"), "{err}");

    // Key problems are credentials errors, with the KeyError at the end of the chain.
    let (_d, path) = write_config(
        &(default_section(&key_path("rsa_pkcs8_aes256.pem")) + "pass_phrase=wrong-one\n"),
    );
    let err = Config::from_file(Some(&path), None)
        .unwrap()
        .credentials()
        .unwrap_err();
    assert!(err.is_credentials());
    let key_error = err
        .source()
        .and_then(|s| s.source())
        .and_then(|s| s.downcast_ref::<KeyError>())
        .unwrap();
    assert_eq!(*key_error, KeyError::WrongPassphrase);
    assert!(!format!("{err:?}").contains("wrong-one"));
}

#[test]
fn from_text_and_from_str() {
    let text = default_section(&plain_key()) + "[DEV]\nregion=ap-tokyo-1\n";
    let dev = Config::from_text(&text, Some("DEV")).unwrap();
    assert_eq!(dev.region.as_deref(), Some("ap-tokyo-1"));
    assert!(dev.file.is_none());
    let default: Config = text.parse().unwrap();
    assert_eq!(default.region.as_deref(), Some("us-ashburn-1"));
    let err = Config::from_text("[DEV]\n", None).unwrap_err();
    assert!(err.to_string().contains("config text"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Private key formats
// ---------------------------------------------------------------------------------------------

#[test]
fn every_format_loads_to_the_same_key_as_openssl() {
    let message = read_key("message.txt");
    let expected = read_key("message.sig");
    for (name, pass) in [
        ("rsa_pkcs1.pem", None),
        ("rsa_pkcs8.pem", None),
        ("rsa_pkcs1_aes256.pem", Some(PASSPHRASE)),
        ("rsa_pkcs1_aes128.pem", Some(PASSPHRASE)),
        ("rsa_pkcs1_des3.pem", Some(PASSPHRASE)),
        ("rsa_pkcs8_aes256.pem", Some(PASSPHRASE)),
        ("rsa_pkcs8_aes128_sha1.pem", Some(PASSPHRASE)),
        ("rsa_pkcs8_des3.pem", Some(PASSPHRASE)),
        ("rsa_pkcs8_pbe_sha1_3des.pem", Some(PASSPHRASE)),
        ("rsa_pkcs8_pbe_sha1_2des.pem", Some(PASSPHRASE)),
        // A passphrase given for an unencrypted key is ignored.
        ("rsa_pkcs1.pem", Some(PASSPHRASE)),
        ("rsa_pkcs8.pem", Some(PASSPHRASE)),
    ] {
        let key =
            PrivateKey::from_pem(&read_key(name), pass).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(key.bits(), 2048, "{name}");
        let sig = key.sign_sha256(&message).unwrap();
        assert_eq!(sig, expected, "{name} signs differently from openssl");
    }
}

#[test]
fn openssl3_genrsa_default_encryption_loads() {
    let pem = read_key("genrsa_default_aes256.pem");
    assert!(String::from_utf8_lossy(&pem).contains("BEGIN ENCRYPTED PRIVATE KEY"));
    let key = PrivateKey::from_pem(&pem, Some(PASSPHRASE)).unwrap();
    assert_eq!(key.sign_sha256(b"x").unwrap().len(), 256);
}

#[test]
fn pem_with_surrounding_text_and_crlf_loads() {
    let pem = String::from_utf8(read_key("rsa_pkcs8.pem")).unwrap();
    let wrapped = format!(
        "Bag Attributes\r\n    localKeyID: 01 02 03\r\nKey Attributes: <No Attributes>\r\n{}\r\n{}",
        pem.replace('\n', "\r\n"),
        String::from_utf8(read_key("rsa_cert.pem")).unwrap()
    );
    let key = PrivateKey::from_pem(wrapped.as_bytes(), None).unwrap();
    let sig = key.sign_sha256(&read_key("message.txt")).unwrap();
    assert_eq!(sig, read_key("message.sig"));
}

#[test]
fn key_errors_from_pem_directly() {
    let cases: Vec<(Vec<u8>, Option<&str>, KeyError)> = vec![
        (
            read_key("rsa_pkcs1_aes256.pem"),
            None,
            KeyError::PassphraseRequired,
        ),
        (
            read_key("rsa_pkcs8_aes256.pem"),
            None,
            KeyError::PassphraseRequired,
        ),
        (
            read_key("rsa_pkcs1_aes256.pem"),
            Some("nope"),
            KeyError::WrongPassphrase,
        ),
        (
            read_key("rsa_pkcs8_aes256.pem"),
            Some("nope"),
            KeyError::WrongPassphrase,
        ),
        (read_key("rsa_public.pem"), None, KeyError::PublicKey),
        (
            b"ssh-rsa AAAAB3NzaC1yc2E user@host\n".to_vec(),
            None,
            KeyError::PublicKey,
        ),
    ];
    for (pem, pass, expected) in cases {
        assert_eq!(PrivateKey::from_pem(&pem, pass).unwrap_err(), expected);
    }
    for bad in [
        &b""[..],
        b"hello",
        b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n",
        b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        b"-----BEGIN RSA PRIVATE KEY-----\n!!!!\n-----END RSA PRIVATE KEY-----\n",
        b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
        b"\xff\xfe",
    ] {
        let err = PrivateKey::from_pem(bad, None).unwrap_err();
        assert!(matches!(err, KeyError::Malformed(_)), "{err:?}");
    }
    // A legacy header naming an unknown cipher.
    let pem = String::from_utf8(read_key("rsa_pkcs1_aes256.pem"))
        .unwrap()
        .replace("AES-256-CBC", "CAMELLIA-256-CBC");
    assert!(matches!(
        PrivateKey::from_pem(pem.as_bytes(), Some(PASSPHRASE)).unwrap_err(),
        KeyError::UnsupportedEncryption(_)
    ));
}

#[test]
fn key_error_messages_never_contain_key_material_or_passphrase() {
    let pem = String::from_utf8(read_key("rsa_pkcs1_aes256.pem")).unwrap();
    let body_line = pem.lines().nth(4).unwrap();
    for pass in [None, Some("a-wrong-passphrase")] {
        let err = PrivateKey::from_pem(pem.as_bytes(), pass).unwrap_err();
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains(body_line));
            assert!(!shown.contains("a-wrong-passphrase"));
        }
    }
}
