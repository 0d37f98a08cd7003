//! The built-in region table: 85 regions in 20 realms.
//!
//! The realm and region facts of the official OCI SDKs, checked entry by entry against the
//! Python SDK 2.189.0 (`regions_definitions.py`); the Go SDK's `common/regions.json` has the
//! same 85 regions.
//!
//! Add a region with one `region(..)` line in `REGIONS`; a realm with one `static` and a `REALMS`
//! entry. The unit tests in `builtin` check the counts and consistency.

use std::borrow::Cow;

use super::realm::Realm;

/// One built-in region.
pub(super) struct RegionDef {
    pub(super) id: &'static str,
    pub(super) short_code: &'static str,
    pub(super) realm: &'static Realm,
}

const fn realm(key: &'static str, second_level_domain: &'static str) -> Realm {
    Realm {
        key: Cow::Borrowed(key),
        second_level_domain: Cow::Borrowed(second_level_domain),
    }
}

const fn region(id: &'static str, short_code: &'static str, realm: &'static Realm) -> RegionDef {
    RegionDef {
        id,
        short_code,
        realm,
    }
}

pub(super) static OC1: Realm = realm("oc1", "oraclecloud.com");
static OC2: Realm = realm("oc2", "oraclegovcloud.com");
static OC3: Realm = realm("oc3", "oraclegovcloud.com");
static OC4: Realm = realm("oc4", "oraclegovcloud.uk");
static OC8: Realm = realm("oc8", "oraclecloud8.com");
static OC9: Realm = realm("oc9", "oraclecloud9.com");
static OC10: Realm = realm("oc10", "oraclecloud10.com");
static OC14: Realm = realm("oc14", "oraclecloud14.com");
static OC15: Realm = realm("oc15", "oraclecloud15.com");
static OC19: Realm = realm("oc19", "oraclecloud.eu");
static OC20: Realm = realm("oc20", "oraclecloud20.com");
static OC21: Realm = realm("oc21", "oraclecloud21.com");
static OC23: Realm = realm("oc23", "oraclecloud23.com");
static OC24: Realm = realm("oc24", "oraclecloud24.com");
static OC26: Realm = realm("oc26", "oraclecloud26.com");
static OC29: Realm = realm("oc29", "oraclecloud29.com");
static OC35: Realm = realm("oc35", "oraclecloud35.com");
static OC42: Realm = realm("oc42", "oraclecloud42.com");
static OC51: Realm = realm("oc51", "oraclecloud51.com");
static OC52: Realm = realm("oc52", "oraclecloud52.com");

/// Every built-in realm, by key number.
pub(super) static REALMS: &[&Realm] = &[
    &OC1, &OC2, &OC3, &OC4, &OC8, &OC9, &OC10, &OC14, &OC15, &OC19, &OC20, &OC21, &OC23, &OC24,
    &OC26, &OC29, &OC35, &OC42, &OC51, &OC52,
];

/// Every built-in region, grouped by realm, ids sorted within a realm.
pub(super) static REGIONS: &[RegionDef] = &[
    region("af-casablanca-1", "lej", &OC1),
    region("af-johannesburg-1", "jnb", &OC1),
    region("ap-batam-1", "hsg", &OC1),
    region("ap-chuncheon-1", "yny", &OC1),
    region("ap-delhi-1", "onm", &OC1),
    region("ap-hyderabad-1", "hyd", &OC1),
    region("ap-kulai-2", "jbp", &OC1),
    region("ap-melbourne-1", "mel", &OC1),
    region("ap-mumbai-1", "bom", &OC1),
    region("ap-osaka-1", "kix", &OC1),
    region("ap-seoul-1", "icn", &OC1),
    region("ap-singapore-1", "sin", &OC1),
    region("ap-singapore-2", "xsp", &OC1),
    region("ap-sydney-1", "syd", &OC1),
    region("ap-tokyo-1", "nrt", &OC1),
    region("ca-montreal-1", "yul", &OC1),
    region("ca-toronto-1", "yyz", &OC1),
    region("eu-amsterdam-1", "ams", &OC1),
    region("eu-frankfurt-1", "fra", &OC1),
    region("eu-madrid-1", "mad", &OC1),
    region("eu-madrid-3", "orf", &OC1),
    region("eu-marseille-1", "mrs", &OC1),
    region("eu-milan-1", "lin", &OC1),
    region("eu-paris-1", "cdg", &OC1),
    region("eu-stockholm-1", "arn", &OC1),
    region("eu-turin-1", "nrq", &OC1),
    region("eu-zurich-1", "zrh", &OC1),
    region("il-jerusalem-1", "mtz", &OC1),
    region("me-abudhabi-1", "auh", &OC1),
    region("me-dubai-1", "dxb", &OC1),
    region("me-jeddah-1", "jed", &OC1),
    region("me-riyadh-1", "ruh", &OC1),
    region("mx-monterrey-1", "mty", &OC1),
    region("mx-queretaro-1", "qro", &OC1),
    region("sa-bogota-1", "bog", &OC1),
    region("sa-santiago-1", "scl", &OC1),
    region("sa-saopaulo-1", "gru", &OC1),
    region("sa-valparaiso-1", "vap", &OC1),
    region("sa-vinhedo-1", "vcp", &OC1),
    region("uk-cardiff-1", "cwl", &OC1),
    region("uk-london-1", "lhr", &OC1),
    region("us-ashburn-1", "iad", &OC1),
    region("us-chicago-1", "ord", &OC1),
    region("us-phoenix-1", "phx", &OC1),
    region("us-saltlake-2", "aga", &OC1),
    region("us-sanjose-1", "sjc", &OC1),
    region("us-langley-1", "lfi", &OC2),
    region("us-luke-1", "luf", &OC2),
    region("us-gov-ashburn-1", "ric", &OC3),
    region("us-gov-chicago-1", "pia", &OC3),
    region("us-gov-phoenix-1", "tus", &OC3),
    region("uk-gov-cardiff-1", "brs", &OC4),
    region("uk-gov-london-1", "ltn", &OC4),
    region("ap-chiyoda-1", "nja", &OC8),
    region("ap-ibaraki-1", "ukb", &OC8),
    region("me-dcc-muscat-1", "mct", &OC9),
    region("me-ibri-1", "ibr", &OC9),
    region("ap-dcc-canberra-1", "wga", &OC10),
    region("eu-dcc-dublin-1", "ork", &OC14),
    region("eu-dcc-dublin-2", "snn", &OC14),
    region("eu-dcc-milan-1", "bgy", &OC14),
    region("eu-dcc-milan-2", "mxp", &OC14),
    region("eu-dcc-rating-1", "dus", &OC14),
    region("eu-dcc-rating-2", "dtm", &OC14),
    region("ap-dcc-gazipur-1", "dac", &OC15),
    region("eu-frankfurt-2", "str", &OC19),
    region("eu-madrid-2", "vll", &OC19),
    region("eu-jovanovac-1", "beg", &OC20),
    region("me-alrayyan-1", "vve", &OC21),
    region("me-dcc-doha-1", "doh", &OC21),
    region("us-somerset-1", "ebb", &OC23),
    region("us-thames-1", "ebl", &OC23),
    region("eu-crissier-1", "avf", &OC24),
    region("eu-dcc-zurich-1", "avz", &OC24),
    region("me-abudhabi-3", "ahu", &OC26),
    region("me-alain-1", "rba", &OC26),
    region("me-abudhabi-2", "rkt", &OC29),
    region("me-abudhabi-4", "shj", &OC29),
    region("ap-chuncheon-2", "bno", &OC35),
    region("ap-seoul-2", "dtz", &OC35),
    region("ap-suwon-1", "dln", &OC35),
    region("us-ashburn-2", "yxj", &OC42),
    region("us-newark-1", "pgc", &OC42),
    region("eu-budapest-1", "jsk", &OC51),
    region("sa-riodejaneiro-1", "hnw", &OC52),
];
