//! Regions, realms and endpoint resolution from the built-in table and the default realm.
//!
//! Expected URLs were cross-checked against the OCI Python SDK 2.189.0 (clients' `get_endpoint`
//! with the same region strings and env vars); these tests do not need Python.
//! Every test builds its own `RegionResolver` with an explicit env map and home directory, so
//! none reads or changes the real environment. The shared helpers are in `region_support`.

#![allow(clippy::expect_used)]

mod region_support;

use oci_core::region::{Realm, RegionSource};
use oci_core::{Region, ServiceInfo};
use region_support::*;

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
