//! Quickstart: builds a client and sends a signed request.
//!
//! Placeholder until the emulator and the Identity crate land: it sends a signed `GetUser`
//! through a transport that checks the request and answers locally, and prints what went out.

use std::sync::Arc;

use oci_tower::auth::{ApiKeyCredentials, PrivateKey};
use oci_tower::{Body, Client, Endpoint, Error};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = rand_core_rng();
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048)?;
    let key = PrivateKey::from_rsa(key)?;
    let creds = ApiKeyCredentials::new(
        "ocid1.tenancy.oc1..aaaaexample",
        "ocid1.user.oc1..aaaaexample",
        "11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff",
        key,
    );
    let transport = tower::service_fn(|req: http::Request<Body>| async move {
        let auth = req
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap_or_default().len())
            .unwrap_or(0);
        println!("{} {}", req.method(), req.uri());
        for (k, v) in req.headers() {
            if k != "authorization" {
                println!("  {k}: {}", v.to_str().unwrap_or("<binary>"));
            }
        }
        println!("  authorization: <{auth} bytes>");
        let resp = http::Response::builder()
            .status(200)
            .header("opc-request-id", "LOCAL")
            .body(Body::from(
                r#"{"id":"ocid1.user.oc1..aaaaexample","name":"demo"}"#,
            ))
            .map_err(|e| Error::invalid_request(e.to_string()))?;
        Ok::<_, Error>(resp)
    });
    let client = Client::builder()
        .credentials(Arc::new(creds))
        .endpoint(Endpoint::parse("http://127.0.0.1:1")?)
        .transport(transport)
        .build()?;
    let mut req =
        http::Request::get("http://127.0.0.1:1/20160918/users/ocid1.user.oc1..aaaaexample")
            .body(Body::empty())?;
    req.extensions_mut().insert(oci_tower::OperationInfo {
        service: "identity",
        operation: "GetUser",
        exclude_body: false,
        retry_token: false,
    });
    let resp = client.call(req).await?;
    let body = resp.into_body().collect().await?;
    println!("response: {}", String::from_utf8_lossy(&body));
    Ok(())
}

fn rand_core_rng() -> rand::rngs::ThreadRng {
    rand::thread_rng()
}
