//! Regions, realms and endpoint resolution.
//!
//! Expected URLs were cross-checked against the OCI Python SDK 2.189.0 (clients' `get_endpoint`
//! with the same region strings and env vars); these tests do not need Python.
//! Every test builds its own `RegionResolver` with an explicit env map and home directory, so
//! none reads or changes the real environment.

#![allow(clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use oci_core::region::{Realm, RegionMetadataError, RegionResolver, RegionSource};
use oci_core::{Error, ErrorKind, Region, ServiceInfo};

const IDENTITY: ServiceInfo = ServiceInfo {
    name: "identity",
    endpoint_template: "https://identity.{region}.oci.{secondLevelDomain}",
    base_path: "/20160918",
};

const OBJECT_STORAGE: ServiceInfo = ServiceInfo {
    name: "objectstorage",
    endpoint_template: "https://objectstorage.{region}.{dualStack?ds.oci.:}{secondLevelDomain}",
    base_path: "",
};

const DAC: ServiceInfo = ServiceInfo {
    name: "delegateaccesscontrol",
    endpoint_template: "https://delegate-access-control.{region}.oci.{secondLevelDomain}",
    base_path: "/20230801",
};

/// A resolver over a fixed env map and an optional home directory.
fn resolver(home: Option<&Path>, env: &[(&str, &str)]) -> RegionResolver {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    RegionResolver::new(home.map(Path::to_owned), move |name: &str| {
        env.get(name).cloned()
    })
}

fn url(region: &Region, service: &ServiceInfo) -> String {
    match region.endpoint(service) {
        Ok(e) => e.to_string(),
        Err(e) => panic!("endpoint of {service:?} in {region}: {e}"),
    }
}

/// A temp home with `.oci/regions-config.json` holding `json`.
fn home_with_regions_config(json: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(home.path().join(".oci")).expect("mkdir .oci");
    std::fs::write(home.path().join(".oci/regions-config.json"), json).expect("write config");
    home
}

fn metadata_error(err: &Error) -> &RegionMetadataError {
    std::error::Error::source(err)
        .and_then(|s| s.downcast_ref::<RegionMetadataError>())
        .unwrap_or_else(|| panic!("expected a RegionMetadataError source: {err:?}"))
}

#[test]
fn table_has_85_regions_in_20_realms() {
    assert_eq!(Region::builtins().count(), 85);
    assert_eq!(Realm::builtins().count(), 20);
    for region in Region::builtins() {
        assert_eq!(region.source(), RegionSource::BuiltIn);
        let short = region.short_code().expect("built-ins have short codes");
        assert_eq!(Region::builtin(short).as_ref(), Some(&region));
        assert_eq!(Region::builtin(region.id()).as_ref(), Some(&region));
    }
}

#[test]
fn the_three_services_in_ashburn() {
    let r = resolver(None, &[]);
    let iad = r.resolve("us-ashburn-1");
    assert_eq!(
        url(&iad, &IDENTITY),
        "https://identity.us-ashburn-1.oci.oraclecloud.com/20160918"
    );
    assert_eq!(
        url(&iad, &OBJECT_STORAGE),
        "https://objectstorage.us-ashburn-1.oraclecloud.com"
    );
    assert_eq!(
        url(&iad, &DAC),
        "https://delegate-access-control.us-ashburn-1.oci.oraclecloud.com/20230801"
    );
    let ep = iad.endpoint(&IDENTITY).expect("identity endpoint");
    assert_eq!(
        ep.host_header(),
        "identity.us-ashburn-1.oci.oraclecloud.com"
    );
    assert_eq!(ep.base_path(), "/20160918");
}

#[test]
fn object_storage_dual_stack() {
    let flag = resolver(None, &[]).resolve("iad").with_dual_stack(true);
    assert!(flag.dual_stack());
    assert_eq!(
        url(&flag, &OBJECT_STORAGE),
        "https://objectstorage.us-ashburn-1.ds.oci.oraclecloud.com"
    );
    // Templates without the option are unchanged.
    assert_eq!(
        url(&flag, &IDENTITY),
        "https://identity.us-ashburn-1.oci.oraclecloud.com/20160918"
    );

    for on in ["true", "TRUE", " True "] {
        let env = resolver(None, &[("OCI_DUAL_STACK_ENDPOINT_ENABLED", on)]);
        assert!(env.dual_stack_default(), "{on:?}");
        let region = env.resolve("iad");
        assert!(region.dual_stack(), "{on:?}");
        assert_eq!(
            url(&region, &OBJECT_STORAGE),
            "https://objectstorage.us-ashburn-1.ds.oci.oraclecloud.com"
        );
        // The flag overrides the env var.
        assert_eq!(
            url(&region.with_dual_stack(false), &OBJECT_STORAGE),
            "https://objectstorage.us-ashburn-1.oraclecloud.com"
        );
    }
    for off in ["false", "1", "yes", ""] {
        let env = resolver(None, &[("OCI_DUAL_STACK_ENDPOINT_ENABLED", off)]);
        assert!(!env.resolve("iad").dual_stack(), "{off:?}");
    }
    assert!(!resolver(None, &[]).resolve("iad").dual_stack());

    let eu = resolver(None, &[("OCI_DUAL_STACK_ENDPOINT_ENABLED", "true")]).resolve("str");
    assert_eq!(
        url(&eu, &OBJECT_STORAGE),
        "https://objectstorage.eu-frankfurt-2.ds.oci.oraclecloud.eu"
    );
}

#[test]
fn short_codes_are_case_insensitive() {
    let r = resolver(None, &[]);
    for s in ["iad", "IAD", "Iad", " iad ", "US-ASHBURN-1"] {
        let region = r.resolve(s);
        assert_eq!(region.id(), "us-ashburn-1", "{s:?}");
        assert_eq!(region.short_code(), Some("iad"));
        assert_eq!(region.source(), RegionSource::BuiltIn);
        assert_eq!(region.to_string(), "us-ashburn-1");
        let realm = region.realm().expect("realm");
        assert_eq!(
            (realm.key(), realm.second_level_domain()),
            ("oc1", "oraclecloud.com")
        );
        assert_eq!(realm.to_string(), "oc1");
    }
    assert_eq!(r.resolve("phx").id(), "us-phoenix-1");
    assert_eq!(r.resolve("us-phoenix-1").short_code(), Some("phx"));
}

#[test]
fn regions_in_other_realms() {
    let r = resolver(None, &[]);
    let cases = [
        ("us-langley-1", "lfi", "oc2", "oraclegovcloud.com"),
        ("tus", "us-gov-phoenix-1", "oc3", "oraclegovcloud.com"),
        ("uk-gov-london-1", "ltn", "oc4", "oraclegovcloud.uk"),
        ("eu-frankfurt-2", "str", "oc19", "oraclecloud.eu"),
        ("ap-chiyoda-1", "nja", "oc8", "oraclecloud8.com"),
        ("eu-dcc-rating-2", "dtm", "oc14", "oraclecloud14.com"),
        ("sa-riodejaneiro-1", "hnw", "oc52", "oraclecloud52.com"),
    ];
    for (given, other, realm, sld) in cases {
        let region = r.resolve(given);
        let (id, short) = if given.contains('-') {
            (given, other)
        } else {
            (other, given)
        };
        assert_eq!(region.id(), id);
        assert_eq!(region.short_code(), Some(short));
        assert_eq!(region.realm().map(Realm::key), Some(realm));
        assert_eq!(region.second_level_domain(), Some(sld));
        assert_eq!(
            url(&region, &IDENTITY),
            format!("https://identity.{id}.oci.{sld}/20160918")
        );
    }
    assert_eq!(
        url(&r.resolve("us-langley-1"), &OBJECT_STORAGE),
        "https://objectstorage.us-langley-1.oraclegovcloud.com"
    );
    assert_eq!(
        url(&r.resolve("eu-frankfurt-2"), &DAC),
        "https://delegate-access-control.eu-frankfurt-2.oci.oraclecloud.eu/20230801"
    );
}

#[test]
fn unknown_region_falls_back_to_oc1() {
    let region = resolver(None, &[]).resolve("foo-bar-1");
    assert_eq!(region.id(), "foo-bar-1");
    assert_eq!(region.short_code(), None);
    assert_eq!(region.source(), RegionSource::Oc1Fallback);
    assert_eq!(region.realm().map(Realm::key), Some("oc1"));
    assert_eq!(
        url(&region, &IDENTITY),
        "https://identity.foo-bar-1.oci.oraclecloud.com/20160918"
    );
    assert_eq!(
        url(&region, &OBJECT_STORAGE),
        "https://objectstorage.foo-bar-1.oraclecloud.com"
    );
    assert_eq!(resolver(None, &[]).resolve("FOO-Bar-1").id(), "foo-bar-1");
}

#[test]
fn default_realm_env_gives_the_second_level_domain() {
    let r = resolver(None, &[("OCI_DEFAULT_REALM", "example.com")]);
    let region = r.resolve("xx-city-1");
    assert_eq!(region.source(), RegionSource::DefaultRealmEnv);
    assert_eq!(region.realm(), None);
    assert_eq!(region.second_level_domain(), Some("example.com"));
    assert_eq!(
        url(&region, &IDENTITY),
        "https://identity.xx-city-1.oci.example.com/20160918"
    );
    assert_eq!(
        url(&region, &OBJECT_STORAGE),
        "https://objectstorage.xx-city-1.example.com"
    );
    // Built-in regions are not affected.
    assert_eq!(
        url(&r.resolve("iad"), &IDENTITY),
        "https://identity.us-ashburn-1.oci.oraclecloud.com/20160918"
    );
    // An empty value is no value.
    let empty = resolver(None, &[("OCI_DEFAULT_REALM", "")]).resolve("xx-city-1");
    assert_eq!(empty.source(), RegionSource::Oc1Fallback);
}

const XX_CITY: &str = r#"{"realmKey":"OC99","realmDomainComponent":"Example.COM",
    "regionKey":"XCY","regionIdentifier":"xx-city-1"}"#;

#[test]
fn region_metadata_env() {
    let r = resolver(
        None,
        &[
            ("OCI_REGION_METADATA", XX_CITY),
            ("OCI_DEFAULT_REALM", "ignored.example"),
        ],
    );
    for s in ["xx-city-1", "xcy", "XCY"] {
        let region = r.try_resolve(s).expect("resolves");
        assert_eq!(region.id(), "xx-city-1");
        assert_eq!(region.short_code(), Some("xcy"));
        assert_eq!(region.source(), RegionSource::RegionMetadataEnv);
        let realm = region.realm().expect("realm");
        assert_eq!(
            (realm.key(), realm.second_level_domain()),
            ("oc99", "example.com")
        );
        assert_eq!(
            url(&region, &IDENTITY),
            "https://identity.xx-city-1.oci.example.com/20160918"
        );
        assert_eq!(
            url(&region, &OBJECT_STORAGE),
            "https://objectstorage.xx-city-1.example.com"
        );
    }
    // Other unknown regions still fall back.
    assert_eq!(
        r.resolve("yy-city-1").source(),
        RegionSource::DefaultRealmEnv
    );
}

#[test]
fn regions_config_file_from_home() {
    let home = home_with_regions_config(
        r#"[
        {"realmKey":"oc98","realmDomainComponent":"cfg.example","regionKey":"cfa","regionIdentifier":"cf-city-1"},
        {"realmKey":"oc99","realmDomainComponent":"other.example","regionKey":"cfb","regionIdentifier":"cf-city-2"},
        {"realmKey":"oc98","realmDomainComponent":"conflict.example","regionKey":"cfc","regionIdentifier":"cf-city-3"},
        {"realmKey":"oc1","realmDomainComponent":"not-oracle.example","regionKey":"cfd","regionIdentifier":"cf-city-4"},
        {"realmKey":"oc97","realmDomainComponent":"x.example","regionKey":"phx","regionIdentifier":"us-ashburn-1"}
    ]"#,
    );
    let r = resolver(Some(home.path()), &[("OCI_REGION_METADATA", XX_CITY)]);

    let cfa = r.try_resolve("CFA").expect("resolves");
    assert_eq!((cfa.id(), cfa.short_code()), ("cf-city-1", Some("cfa")));
    assert_eq!(cfa.source(), RegionSource::RegionsConfigFile);
    assert_eq!(
        url(&cfa, &IDENTITY),
        "https://identity.cf-city-1.oci.cfg.example/20160918"
    );
    assert_eq!(
        url(&r.resolve("cf-city-2"), &DAC),
        "https://delegate-access-control.cf-city-2.oci.other.example/20230801"
    );
    // A realm key means one domain: the first definition wins, built-in realms keep theirs.
    assert_eq!(r.resolve("cfc").second_level_domain(), Some("cfg.example"));
    assert_eq!(
        url(&r.resolve("cf-city-4"), &IDENTITY),
        "https://identity.cf-city-4.oci.oraclecloud.com/20160918"
    );
    // ... and the file's realm oc99 wins over the env var's (as the SDK does).
    let xx = r.resolve("xcy");
    assert_eq!(xx.source(), RegionSource::RegionMetadataEnv);
    assert_eq!(xx.second_level_domain(), Some("other.example"));
    // Built-in regions and short codes are never overridden.
    let iad = r.resolve("us-ashburn-1");
    assert_eq!(
        (iad.source(), iad.short_code()),
        (RegionSource::BuiltIn, Some("iad"))
    );
    assert_eq!(r.resolve("phx").id(), "us-phoenix-1");
    // Unknown regions still fall back.
    assert_eq!(r.resolve("zz-city-1").source(), RegionSource::Oc1Fallback);
}

#[test]
fn regions_config_file_wins_over_env() {
    let home = home_with_regions_config(
        r#"[{"realmKey":"oc98","realmDomainComponent":"cfg.example","regionKey":"xcy","regionIdentifier":"xx-city-1"}]"#,
    );
    let r = resolver(Some(home.path()), &[("OCI_REGION_METADATA", XX_CITY)]);
    let region = r.resolve("xx-city-1");
    assert_eq!(region.source(), RegionSource::RegionsConfigFile);
    assert_eq!(region.second_level_domain(), Some("cfg.example"));
}

#[test]
fn dotted_region_is_a_full_domain() {
    let r = resolver(None, &[("OCI_DEFAULT_REALM", "ignored.example")]);
    let region = r.resolve("My.Domain.com");
    assert_eq!(region.id(), "my.domain.com");
    assert_eq!(region.source(), RegionSource::Domain);
    assert_eq!(region.realm(), None);
    assert_eq!(region.second_level_domain(), None);
    assert_eq!(
        url(&region, &IDENTITY),
        "https://identity.my.domain.com/20160918"
    );
    assert_eq!(
        url(&region, &OBJECT_STORAGE),
        "https://objectstorage.my.domain.com"
    );
    assert_eq!(
        url(&region.clone().with_dual_stack(true), &OBJECT_STORAGE),
        "https://objectstorage.my.domain.com"
    );
    assert_eq!(
        url(&region, &DAC),
        "https://delegate-access-control.my.domain.com/20230801"
    );
}

#[test]
fn external_sources_are_read_once() {
    let reads: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let counter = Arc::clone(&reads);
    let home = home_with_regions_config(
        r#"[{"realmKey":"oc98","realmDomainComponent":"cfg.example","regionKey":"cfa","regionIdentifier":"cf-city-1"}]"#,
    );
    let r = RegionResolver::new(Some(home.path().to_owned()), move |name: &str| {
        *counter
            .lock()
            .expect("lock")
            .entry(name.to_owned())
            .or_default() += 1;
        match name {
            "OCI_REGION_METADATA" => Some(XX_CITY.to_owned()),
            _ => None,
        }
    });
    let count = |name: &str| reads.lock().expect("lock").get(name).copied().unwrap_or(0);

    // Built-in regions need no external source.
    r.resolve("iad");
    r.resolve("eu-frankfurt-2");
    assert_eq!(count("OCI_REGION_METADATA"), 0);
    assert_eq!(count("OCI_DEFAULT_REALM"), 0);

    for s in [
        "foo-bar-1",
        "xcy",
        "cfa",
        "baz-qux-2",
        "xx-city-1",
        "foo-bar-1",
    ] {
        r.resolve(s);
    }
    assert_eq!(count("OCI_REGION_METADATA"), 1);
    assert_eq!(count("OCI_DEFAULT_REALM"), 1);
    assert_eq!(count("OCI_DUAL_STACK_ENDPOINT_ENABLED"), 1);

    // The file was read once too: changing it now changes nothing.
    std::fs::write(home.path().join(".oci/regions-config.json"), "[]").expect("rewrite");
    assert_eq!(r.resolve("cfa").source(), RegionSource::RegionsConfigFile);
    // A fresh resolver sees the new content.
    let fresh = resolver(Some(home.path()), &[]);
    assert_eq!(fresh.resolve("cfa").source(), RegionSource::Oc1Fallback);
}

#[test]
fn malformed_regions_config_file() {
    for (json, why) in [
        ("[{not json", "not valid JSON"),
        (r#"{"realmKey":"oc98"}"#, "expected a JSON array"),
        (
            r#"[{"realmKey":"oc98","realmDomainComponent":"cfg.example","regionKey":"cfa","regionIdentifier":"cf-city-1"},
                {"realmKey":"oc98","realmDomainComponent":"","regionKey":"cfb","regionIdentifier":"cf-city-2"}]"#,
            "entry 1: `realmDomainComponent` is empty",
        ),
    ] {
        let home = home_with_regions_config(json);
        let r = resolver(Some(home.path()), &[("OCI_REGION_METADATA", XX_CITY)]);

        // Strict: a config error naming the file and the problem.
        let err = r
            .try_resolve("cf-city-2")
            .expect_err("malformed file is an error");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains(why), "{err}");
        match metadata_error(&err) {
            RegionMetadataError::ConfigFile { path, reason } => {
                assert_eq!(path, &home.path().join(".oci/regions-config.json"));
                assert!(reason.contains(why), "{reason}");
            }
            other => panic!("wrong variant: {other:?}"),
        }
        // Built-in and domain regions do not consult the file.
        assert_eq!(
            r.try_resolve("iad").map(|r| r.source()).ok(),
            Some(RegionSource::BuiltIn)
        );
        assert!(r.try_resolve("my.domain.com").is_ok());

        // Lenient: the bad part is skipped and the next source is used.
        assert_eq!(r.resolve("xcy").source(), RegionSource::RegionMetadataEnv);
        assert_eq!(r.resolve("cf-city-2").source(), RegionSource::Oc1Fallback);
    }
    // Valid entries of a partly bad file still resolve leniently.
    let home = home_with_regions_config(
        r#"[{"realmKey":"oc98","realmDomainComponent":"cfg.example","regionKey":"cfa","regionIdentifier":"cf-city-1"},
            {"realmKey":"oc98","regionKey":"cfb","regionIdentifier":"cf-city-2"}, 7]"#,
    );
    let r = resolver(Some(home.path()), &[]);
    assert_eq!(r.resolve("cfa").source(), RegionSource::RegionsConfigFile);
    let err = r.try_resolve("cfa").expect_err("strict");
    assert!(
        err.to_string()
            .contains("entry 1: missing `realmDomainComponent`"),
        "{err}"
    );
    assert!(
        err.to_string().contains("entry 2: expected a JSON object"),
        "{err}"
    );
}

#[test]
fn unreadable_regions_config_file_is_reported() {
    let home = tempfile::tempdir().expect("temp dir");
    // A directory where the file should be cannot be read as a file.
    std::fs::create_dir_all(home.path().join(".oci/regions-config.json")).expect("mkdir");
    let r = resolver(Some(home.path()), &[]);
    let err = r.try_resolve("cf-city-1").expect_err("unreadable");
    assert!(matches!(
        metadata_error(&err),
        RegionMetadataError::ConfigFile { reason, .. } if reason.starts_with("cannot read it")
    ));
    assert_eq!(r.resolve("cf-city-1").source(), RegionSource::Oc1Fallback);
    // A missing file is no problem.
    let empty = tempfile::tempdir().expect("temp dir");
    let r = resolver(Some(empty.path()), &[]);
    assert_eq!(
        r.try_resolve("cf-city-1").map(|r| r.source()).ok(),
        Some(RegionSource::Oc1Fallback)
    );
}

#[test]
fn malformed_region_metadata_env() {
    for (value, why) in [
        ("{not json", "not valid JSON"),
        (r#"[{"realmKey":"oc99"}]"#, "expected a JSON object"),
        (
            r#"{"realmKey":"oc99","realmDomainComponent":"example.com","regionKey":"xcy"}"#,
            "missing `regionIdentifier`",
        ),
        (
            r#"{"realmKey":"oc99","realmDomainComponent":"example.com","regionKey":7,"regionIdentifier":"xx-city-1"}"#,
            "`regionKey` must be a string",
        ),
    ] {
        let r = resolver(
            None,
            &[
                ("OCI_REGION_METADATA", value),
                ("OCI_DEFAULT_REALM", "fallback.example"),
            ],
        );
        let err = r
            .try_resolve("xx-city-1")
            .expect_err("malformed env is an error");
        assert!(err.is_config());
        match metadata_error(&err) {
            RegionMetadataError::EnvVar { reason } => assert!(reason.contains(why), "{reason}"),
            other => panic!("wrong variant: {other:?}"),
        }
        assert!(
            err.to_string().starts_with("invalid OCI_REGION_METADATA: "),
            "{err}"
        );
        let lenient = r.resolve("xx-city-1");
        assert_eq!(lenient.source(), RegionSource::DefaultRealmEnv);
        assert_eq!(
            url(&lenient, &IDENTITY),
            "https://identity.xx-city-1.oci.fallback.example/20160918"
        );
    }
}

#[test]
fn bad_regions_and_templates_are_invalid_requests() {
    let r = resolver(None, &[]);
    for bad in ["us/../x", "a b", "", "bad..domain.com", "x?y=1", "x@y"] {
        let err = r.resolve(bad).endpoint(&IDENTITY).expect_err(bad);
        assert!(err.is_invalid_request(), "{bad:?}: {err}");
    }
    let bad_sld = resolver(None, &[("OCI_DEFAULT_REALM", "evil.com/path")]).resolve("xx-city-1");
    assert!(bad_sld
        .endpoint(&IDENTITY)
        .expect_err("bad sld")
        .is_invalid_request());

    let iad = r.resolve("iad");
    for template in [
        "https://x.{region}.{secondLevelDomain",
        "https://x.{regionId}.{secondLevelDomain}",
        "https://x.{region}.{dualStack?ds.oci.}{secondLevelDomain}",
        "https://x.{region}.{dualStack?.ds:}{secondLevelDomain}",
    ] {
        let service = ServiceInfo {
            name: "x",
            endpoint_template: template,
            base_path: "",
        };
        let err = iad.endpoint(&service).expect_err(template);
        assert!(err.is_invalid_request(), "{template}: {err}");
        assert!(err.to_string().contains(template), "{err}");
    }
    let no_region = ServiceInfo {
        name: "global",
        endpoint_template: "https://global.{secondLevelDomain}",
        base_path: "",
    };
    assert_eq!(url(&iad, &no_region), "https://global.oraclecloud.com");
    assert!(r.resolve("my.domain.com").endpoint(&no_region).is_err());
}

#[test]
fn base_path_slash_adds_nothing() {
    let service = ServiceInfo {
        base_path: "/",
        ..OBJECT_STORAGE
    };
    let region = resolver(None, &[]).resolve("iad");
    let ep = region.endpoint(&service).expect("endpoint");
    assert_eq!(
        ep.to_string(),
        "https://objectstorage.us-ashburn-1.oraclecloud.com"
    );
    assert_eq!(
        ep.join("/n/").expect("join").to_string(),
        "https://objectstorage.us-ashburn-1.oraclecloud.com/n/"
    );
}

#[test]
fn custom_regions_and_parse() {
    let region =
        Region::custom("XX-City-1", Realm::new("OC99", "Example.com")).with_short_code("XCY");
    assert_eq!(
        (region.id(), region.short_code()),
        ("xx-city-1", Some("xcy"))
    );
    assert_eq!(region.source(), RegionSource::Custom);
    assert_eq!(
        url(&region, &IDENTITY),
        "https://identity.xx-city-1.oci.example.com/20160918"
    );
    let parsed: Region = "syd".parse().expect("parse");
    assert_eq!(parsed.id(), "ap-sydney-1");
    assert_eq!(
        Realm::builtin("OC4")
            .map(|r| r.second_level_domain().to_owned())
            .as_deref(),
        Some("oraclegovcloud.uk")
    );
}

/// Lenient resolution logs what it skipped as a `tracing` warning.
#[test]
fn lenient_resolution_warns() {
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Level, Metadata};

    #[derive(Default, Clone)]
    struct Capture(Arc<Mutex<Vec<String>>>);
    struct Fields(String);
    impl Visit for Fields {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!("{}={:?} ", field.name(), value));
        }
    }
    impl tracing::Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            if *event.metadata().level() == Level::WARN {
                let mut f = Fields(String::new());
                event.record(&mut f);
                self.0.lock().expect("lock").push(f.0);
            }
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    let capture = Capture::default();
    let r = resolver(None, &[("OCI_REGION_METADATA", "{not json")]);
    tracing::subscriber::with_default(capture.clone(), || {
        // Another test thread may have registered the warning's callsite while no subscriber
        // was interested (cached as "never"): recompute interest now that ours is in place.
        tracing::callsite::rebuild_interest_cache();
        r.resolve("xx-city-1");
        r.resolve("yy-city-1");
    });
    let warnings = capture.0.lock().expect("lock").clone();
    assert_eq!(warnings.len(), 1, "one warning per source: {warnings:?}");
    assert!(
        warnings[0].contains("invalid OCI_REGION_METADATA: not valid JSON"),
        "{warnings:?}"
    );
}
