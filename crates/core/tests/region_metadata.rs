//! Regions from outside the table: `OCI_REGION_METADATA`, `~/.oci/regions-config.json`, and
//! how bad or unreadable metadata is reported.
//!
//! Expected URLs were cross-checked against the OCI Python SDK 2.189.0 (clients' `get_endpoint`
//! with the same region strings and env vars); these tests do not need Python.
//! Every test builds its own `RegionResolver` with an explicit env map and home directory, so
//! none reads or changes the real environment. The shared helpers are in `region_support`.

#![allow(clippy::expect_used)]

mod region_support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use oci_core::region::{RegionMetadataError, RegionResolver, RegionSource};
use oci_core::ErrorKind;
use region_support::*;

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
