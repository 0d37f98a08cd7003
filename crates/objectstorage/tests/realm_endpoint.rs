//! Realm-specific endpoint templates end to end through the client stack: the namespace from
//! the request's path goes into the host, which is then signed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use oci_core::testing::{credentials, MockTransport};
use oci_core::{Client, Endpoint, Region};
use oci_objectstorage::ObjectStorageClient;

fn client(mock: &MockTransport, flag: Option<bool>, region: Region) -> ObjectStorageClient {
    let mut b = Client::builder()
        .credentials(credentials())
        .transport(mock.clone())
        .region(region);
    if let Some(on) = flag {
        b = b.realm_specific_endpoint_templates(on);
    }
    ObjectStorageClient::new(b.build().unwrap())
}

fn hosts(mock: &MockTransport) -> Vec<String> {
    mock.requests()
        .iter()
        .map(|r| {
            let host = r.headers.get("host").unwrap().to_str().unwrap();
            assert_eq!(Some(host), r.uri.authority().map(|a| a.as_str()));
            host.to_owned()
        })
        .collect()
}

async fn two_calls(os: &ObjectStorageClient) {
    os.get_namespace().send().await.unwrap();
    os.get_object()
        .namespace_name("myns")
        .bucket_name("b")
        .object_name("o")
        .send()
        .await
        .unwrap();
}

fn answers(mock: &MockTransport) {
    mock.push_json(200, "\"myns\"");
    mock.push_with(200, &[("content-length", "2")], "hi");
}

#[tokio::test]
async fn client_flag_on_puts_the_namespace_in_the_host() {
    let mock = MockTransport::new();
    answers(&mock);
    two_calls(&client(&mock, Some(true), Region::new("us-ashburn-1"))).await;
    assert_eq!(
        hosts(&mock),
        [
            "objectstorage.us-ashburn-1.oci.customer-oci.com",
            "myns.objectstorage.us-ashburn-1.oci.customer-oci.com"
        ]
    );
    let auth = mock.requests()[1]
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(auth.contains("host"), "the rewritten host is signed");
}

#[tokio::test]
async fn dual_stack_realm_template() {
    let mock = MockTransport::new();
    answers(&mock);
    two_calls(&client(
        &mock,
        Some(true),
        Region::new("iad").with_dual_stack(true),
    ))
    .await;
    assert_eq!(
        hosts(&mock)[1],
        "myns.objectstorage.us-ashburn-1.ds.oci.customer-oci.com"
    );
}

#[tokio::test]
async fn env_turns_templates_on_when_the_client_flag_is_unset() {
    // Every other test here sets the client flag, which wins over the variable.
    std::env::set_var(
        "OCI_REALM_SPECIFIC_SERVICE_ENDPOINT_TEMPLATE_ENABLED",
        "true",
    );
    let mock = MockTransport::new();
    answers(&mock);
    two_calls(&client(&mock, None, Region::new("us-ashburn-1"))).await;
    assert_eq!(
        hosts(&mock)[1],
        "myns.objectstorage.us-ashburn-1.oci.customer-oci.com"
    );
}

#[tokio::test]
async fn explicit_false_wins_over_env() {
    std::env::set_var(
        "OCI_REALM_SPECIFIC_SERVICE_ENDPOINT_TEMPLATE_ENABLED",
        "true",
    );
    let mock = MockTransport::new();
    answers(&mock);
    two_calls(&client(&mock, Some(false), Region::new("us-ashburn-1"))).await;
    assert_eq!(
        hosts(&mock)[1],
        "objectstorage.us-ashburn-1.oraclecloud.com"
    );
}

#[tokio::test]
async fn an_explicit_service_endpoint_wins_over_the_template() {
    let mock = MockTransport::new();
    answers(&mock);
    let c = Client::builder()
        .credentials(credentials())
        .transport(mock.clone())
        .region(Region::new("us-ashburn-1"))
        .service_endpoint(
            "objectstorage",
            Endpoint::parse("http://127.0.0.1:9").unwrap(),
        )
        .realm_specific_endpoint_templates(true)
        .build()
        .unwrap();
    two_calls(&ObjectStorageClient::new(c)).await;
    assert_eq!(hosts(&mock), ["127.0.0.1:9", "127.0.0.1:9"]);
}

#[tokio::test]
async fn realms_without_a_template_keep_the_standard_endpoint() {
    let mock = MockTransport::new();
    answers(&mock);
    two_calls(&client(&mock, Some(true), Region::new("us-langley-1"))).await;
    assert_eq!(
        hosts(&mock)[1],
        "objectstorage.us-langley-1.oraclegovcloud.com"
    );
}
