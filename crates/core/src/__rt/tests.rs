//! Unit tests of the generated-code runtime, including one crate's worth of `fluent!`.

use std::collections::HashMap;

use futures_util::TryStreamExt;

use super::*;
use crate::testing::MockTransport;
use crate::{Endpoint, ErrorKind, Request, ServiceInfo};

fn builder() -> http::request::Builder {
    http::Request::builder().uri("http://h/x")
}

fn parts(headers: &[(&str, &str)]) -> Parts {
    let mut b = http::Response::builder();
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(()).unwrap().into_parts().0
}

#[test]
fn required_names_the_missing_parameter() {
    assert_eq!(required(Some(3), "n").unwrap(), 3);
    let e = required::<u8>(None, "compartmentId").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.message().contains("`compartmentId`"), "{e}");
}

#[test]
fn path_param_requires_and_encodes() {
    assert_eq!(path_param("a", Some("x/y z"), false).unwrap(), "x/y%20z");
    assert_eq!(path_param("a", Some("x/y z"), true).unwrap(), "x%2Fy%20z");
    assert_eq!(path_param("a", Some(".."), true).unwrap(), "%2E%2E");
    for missing in [None, Some(""), Some(" ")] {
        let e = path_param("bucketName", missing, false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert!(e.message().contains("bucketName"), "{e}");
    }
}

#[test]
fn sensitive_marks_and_rejects() {
    let v = sensitive("s3cret", "opc-sse-customer-key").unwrap();
    assert!(v.is_sensitive());
    assert_eq!(v, "s3cret");
    let e = sensitive("a\nb", "opc-sse-customer-key").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(
        !e.message().contains("a\nb"),
        "the value must not leak: {e}"
    );
}

#[test]
fn finish_json_serializes_or_sends_nothing() {
    let req = finish_json(builder(), Some(&serde_json::json!({"name": "g"}))).unwrap();
    assert_eq!(req.body().as_bytes(), Some(&br#"{"name":"g"}"#[..]));
    let req = finish_json::<serde_json::Value>(builder(), None).unwrap();
    assert_eq!(req.body().content_length(), Some(0));
}

#[test]
fn finish_rejects_a_bad_builder() {
    let b = http::Request::builder().header("bad header", "v");
    let e = finish(b, Body::empty()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
}

#[test]
fn finish_binary_sets_type_and_length() {
    let req = finish_binary(builder(), Body::from("abc")).unwrap();
    assert_eq!(req.headers()["content-type"], "application/json");
    assert_eq!(req.headers()["content-length"], "3");

    // The body's length is the one length of an upload (there is no second setter).
    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("ab"))]);
    let req = finish_binary(builder(), Body::from_stream(stream, Some(2))).unwrap();
    assert_eq!(req.headers()["content-type"], "application/octet-stream");
    assert_eq!(req.headers()["content-length"], "2");

    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("ab"))]);
    let b = builder().header("content-type", "text/plain");
    let req = finish_binary(b, Body::from_stream(stream, None)).unwrap();
    assert_eq!(req.headers()["content-type"], "text/plain");
    assert!(req.headers().get("content-length").is_none());
}

#[test]
fn query_list_follows_the_collection_format() {
    let vals = || ["a".to_owned(), "b c".to_owned()].into_iter();
    let mut q = encode::Query::new();
    query_list(&mut q, "f", vals(), "csv");
    query_list(&mut q, "m", vals(), "multi");
    query_list(&mut q, "p", vals(), "pipes");
    assert_eq!(q.as_str(), "f=a%2Cb+c&m=a&m=b+c&p=a%7Cb+c");
}

#[test]
fn query_map_and_prefixed_headers() {
    let m: HashMap<String, String> = [("k".to_owned(), "v".to_owned())].into();
    let mut q = encode::Query::new();
    query_map(&mut q, "definedTags", &m);
    assert_eq!(q.as_str(), "definedTags.k=v");

    let req = finish(
        prefixed_headers(builder(), "opc-meta-", Some(&m)),
        Body::empty(),
    )
    .unwrap();
    assert_eq!(req.headers()["opc-meta-k"], "v");
    let req = finish(
        prefixed_headers(builder(), "opc-meta-", None),
        Body::empty(),
    )
    .unwrap();
    assert!(req.headers().is_empty());
}

#[test]
fn response_headers() {
    let p = parts(&[
        ("etag", "e1"),
        ("content-length", "12"),
        ("opc-meta-a", "1"),
        ("opc-meta-b", "2"),
    ]);
    assert_eq!(header(&p, "etag").as_deref(), Some("e1"));
    assert_eq!(header(&p, "opc-request-id"), None);
    assert_eq!(header_as::<u64>(&p, "content-length"), Some(12));
    assert_eq!(header_as::<u64>(&p, "etag"), None);
    let meta = prefixed(&p, "opc-meta-");
    assert_eq!(meta.len(), 2);
    assert_eq!(meta["a"], "1");
    assert_eq!(meta["b"], "2");
}

#[tokio::test]
async fn drain_reads_the_body_and_keeps_the_head() {
    let resp = http::Response::builder()
        .status(204)
        .header("opc-request-id", "r1")
        .body(Body::from("ignored"))
        .unwrap();
    let p = drain(resp).await.unwrap();
    assert_eq!(p.status, 204);
    assert_eq!(header(&p, "opc-request-id").as_deref(), Some("r1"));
}

#[test]
fn tagged_adds_the_discriminator() {
    #[derive(serde::Serialize)]
    struct V {
        a: u8,
    }
    let mut out = Vec::new();
    tagged(
        &mut serde_json::Serializer::new(&mut out),
        "kind",
        "X",
        &V { a: 1 },
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v, serde_json::json!({"a": 1, "kind": "X"}));
}

/// One generated crate's worth of `Fluent`, over a paginated echo operation.
mod generated {
    use crate::{Body, Endpoint, Error, Request, ServiceInfo};

    crate::__rt::fluent!();

    const SVC: ServiceInfo = ServiceInfo {
        name: "test",
        endpoint_template: "http://x",
        base_path: "",
    };

    #[derive(Debug, Default, Clone)]
    pub struct ListThings {
        pub page: Option<String>,
    }

    impl Fluent<ListThings> {
        pub fn page(mut self, v: &str) -> Self {
            self.request.page = Some(v.to_owned());
            self
        }
    }

    impl Request for ListThings {
        type Output = (Vec<String>, Option<String>);
        const SERVICE: ServiceInfo = SVC;
        const OPERATION: &'static str = "ListThings";

        fn into_http(self, endpoint: &Endpoint) -> Result<http::Request<Body>, Error> {
            let mut q = crate::encode::Query::new();
            q.push_opt("page", self.page.as_deref());
            let b = crate::request::builder(http::Method::GET, endpoint, &q.append_to("/things"))?;
            super::finish(b, Body::empty())
        }

        async fn parse(response: http::Response<Body>) -> Result<Self::Output, Error> {
            let (items, parts) = crate::request::parse_json(response).await?;
            Ok((items, super::header(&parts, "opc-next-page")))
        }
    }

    impl crate::pagination::Paginated for ListThings {
        type Item = String;
        fn set_token(&mut self, token: String) {
            self.page = Some(token);
        }
        fn next_token(o: &Self::Output) -> Option<String> {
            o.1.clone()
        }
        fn into_items(o: Self::Output) -> Vec<String> {
            o.0
        }
    }
}

#[tokio::test]
async fn fluent_sends_awaits_and_paginates() {
    use generated::{Fluent, ListThings};
    let mock = MockTransport::new();
    let client = mock.client().unwrap();

    mock.push_json(200, r#"["a"]"#);
    let mut f = Fluent::new(client.clone(), ListThings::default()).page("p0");
    assert_eq!(f.request().page.as_deref(), Some("p0"));
    f.request_mut().page = Some("p1".into());
    let (items, next) = f.clone().send().await.unwrap();
    assert_eq!((items, next), (vec!["a".to_owned()], None));
    assert_eq!(f.into_request().page.as_deref(), Some("p1"));

    mock.push_json(200, r#"["b"]"#);
    let (items, _) = Fluent::new(client.clone(), ListThings::default())
        .await
        .unwrap();
    assert_eq!(items, ["b"]);

    mock.push_json(200, r#"["w"]"#);
    let options = crate::layers::CallOptions::new();
    let (items, _) = Fluent::new(client.clone(), ListThings::default())
        .send_with(options)
        .await
        .unwrap();
    assert_eq!(items, ["w"]);

    mock.push_with(200, &[("opc-next-page", "t1")], r#"["p"]"#);
    mock.push_json(200, r#"[]"#);
    let pages: Vec<_> = Fluent::new(client.clone(), ListThings::default())
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].1.as_deref(), Some("t1"));

    mock.push_with(200, &[("opc-next-page", "t2")], r#"["c"]"#);
    mock.push_json(200, r#"["d","e"]"#);
    let all: Vec<String> = Fluent::new(client, ListThings::default())
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all, ["c", "d", "e"]);

    let uris: Vec<String> = mock.requests().iter().map(|r| r.uri.to_string()).collect();
    assert_eq!(uris[0], "http://127.0.0.1:1/things?page=p1");
    assert_eq!(uris[1], "http://127.0.0.1:1/things");
    assert_eq!(uris[3], "http://127.0.0.1:1/things");
    assert_eq!(uris[4], "http://127.0.0.1:1/things?page=t1");
    assert_eq!(uris[6], "http://127.0.0.1:1/things?page=t2");
}

#[tokio::test]
async fn first_page_then_rest_fails_on_the_first_page_and_streams_the_rest() {
    use generated::{Fluent, ListThings};
    let mock = crate::testing::MockTransport::new();
    let client = mock.client().unwrap();

    // The first page's error is the call's own.
    mock.push_json(404, r#"{"code":"NotFound","message":"no such thing"}"#);
    let err = Fluent::new(client.clone(), ListThings::default())
        .first_page_then_rest()
        .await
        .map(|_| ())
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");

    // Else the first page is fetched before the call returns, the rest only when read.
    mock.push_with(200, &[("opc-next-page", "t1")], r#"["a","b"]"#);
    mock.push_json(200, r#"["c"]"#);
    let before = mock.requests().len();
    let rest = Fluent::new(client, ListThings::default())
        .first_page_then_rest()
        .await
        .unwrap();
    assert_eq!(mock.requests().len(), before + 1);
    let all: Vec<String> = rest.try_collect().await.unwrap();
    assert_eq!(all, ["a", "b", "c"]);
    assert_eq!(mock.requests().len(), before + 2);
}

#[test]
fn the_runtime_builds_a_real_request() {
    // The pieces a generated `into_http` strings together, end to end.
    let endpoint = Endpoint::parse("https://objectstorage.example/").unwrap();
    let p = path_param("objectName", Some("a/b"), true).unwrap();
    let b = crate::request::builder(http::Method::PUT, &endpoint, &format!("/o/{p}")).unwrap();
    let req = finish_binary(b, Body::from("x")).unwrap();
    assert_eq!(req.uri().path(), "/o/a%2Fb");
    let _ = <generated::ListThings as Request>::info();
    let _ = ServiceInfo::clone(&<generated::ListThings as Request>::SERVICE);
}

/// A generated service client's struct, with the runtime's constructors.
mod client {
    #[derive(Debug, Clone)]
    pub struct TestClient {
        client: crate::Client,
    }

    crate::__rt::client!(TestClient);
}

#[tokio::test]
async fn client_macro_constructors() {
    let mock = MockTransport::new();
    let c = client::TestClient::new(mock.client().unwrap());
    mock.push_json(200, r#"["x"]"#);
    let (items, _) = c
        .client()
        .send(generated::ListThings::default())
        .await
        .unwrap();
    assert_eq!(items, ["x"]);

    // A key file that is not a key: the client cannot be built, and says why.
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("not-a-key.pem");
    std::fs::write(&key, "not a key").unwrap();
    let text = format!(
        "[DEFAULT]\nuser=ocid1.user.oc1..u\n\
         fingerprint=aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99\n\
         tenancy=ocid1.tenancy.oc1..t\nregion=us-ashburn-1\nkey_file={}\n",
        key.display()
    );
    let config = crate::Config::from_text(&text, None).unwrap();
    let e = client::TestClient::from_config(&config).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials, "{e}");
}
