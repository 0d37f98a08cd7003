//! `allow_control_chars`: a response whose JSON strings hold raw control characters is a typed
//! error naming the field by default; allowed (per client or per call) the value comes through
//! as sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use oci_core::layers::CallOptions;
use oci_core::testing::MockTransport;
use oci_core::{Body, Endpoint, Error, ErrorKind, Request, ServiceInfo};

const RAW: &[u8] = include_bytes!("fixtures/control_chars/user_raw.json");

#[derive(serde::Deserialize, Debug)]
struct User {
    id: String,
    description: String,
    name: String,
}

struct GetUser;

impl Request for GetUser {
    type Output = User;
    const SERVICE: ServiceInfo = ServiceInfo {
        name: "identity",
        endpoint_template: "https://identity.{region}.oci.{secondLevelDomain}",
        base_path: "/20160918",
    };
    const OPERATION: &'static str = "GetUser";

    fn into_http(self, endpoint: &Endpoint) -> Result<http::Request<Body>, Error> {
        oci_core::request::builder(http::Method::GET, endpoint, "/users/u")?
            .body(Body::empty())
            .map_err(|e| Error::invalid_request(e.to_string()))
    }

    async fn parse(response: http::Response<Body>) -> Result<User, Error> {
        Ok(oci_core::request::parse_json(response).await?.0)
    }
}

fn mock() -> MockTransport {
    let m = MockTransport::new();
    m.push_with(200, &[("content-type", "application/json")], RAW.to_vec());
    m
}

#[tokio::test]
async fn by_default_a_raw_control_character_is_a_typed_error_naming_the_field() {
    let m = mock();
    let err = m.client().unwrap().send(GetUser).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Deserialize, "{err}");
    assert!(err.to_string().contains("`description`"), "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
}

#[tokio::test]
async fn allowed_on_the_client_the_value_comes_through_as_sent() {
    let m = mock();
    let c = m
        .client_builder()
        .allow_control_chars(true)
        .build()
        .unwrap();
    let user = c.send(GetUser).await.unwrap();
    assert_eq!(user.description, "line1\nline2\u{1}end");
    assert_eq!(
        (user.id.as_str(), user.name.as_str()),
        ("ocid1.user.oc1..aaaa", "alice")
    );
}

#[tokio::test]
async fn the_call_option_overrides_the_client_both_ways() {
    let m = mock();
    let c = m.client().unwrap();
    let on = CallOptions::builder().allow_control_chars(true).build();
    let user = c.send_with(GetUser, on).await.unwrap();
    assert_eq!(user.description, "line1\nline2\u{1}end");

    let m = mock();
    let c = m
        .client_builder()
        .allow_control_chars(true)
        .build()
        .unwrap();
    let off = CallOptions::builder().allow_control_chars(false).build();
    let err = c.send_with(GetUser, off).await.unwrap_err();
    assert!(err.to_string().contains("`description`"), "{err}");
}

#[tokio::test]
async fn escaped_control_characters_are_valid_json_and_pass() {
    let m = MockTransport::new();
    m.push_json(200, r#"{"id":"i","description":"a\u0001b","name":"n"}"#);
    let user = m.client().unwrap().send(GetUser).await.unwrap();
    assert_eq!(user.description, "a\u{1}b");
}
