//! Per-resource endpoints: a [`Client`] whose calls to one service go to a resource's own
//! endpoint (a vault's `cryptoEndpoint`, a stream's or a queue's `messagesEndpoint`), sharing
//! the stack (connection pool, signer and credentials, retry budget, circuit breakers) of the
//! client it was made from.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::{Client, Inner};
use crate::{Endpoint, ServiceInfo};

impl Client {
    /// A client that sends `service`'s operations to `endpoint` (plus the service's base path),
    /// and everything else as this one does, through the same stack and credentials.
    ///
    /// ```
    /// use oci_core::{Client, Endpoint, ServiceInfo};
    ///
    /// const CRYPTO: ServiceInfo = ServiceInfo {
    ///     name: "kms_crypto",
    ///     endpoint_template: "https://kms.{region}.{secondLevelDomain}",
    ///     base_path: "",
    /// };
    /// # fn run(client: Client) -> Result<(), oci_core::Error> {
    /// let vault_endpoint = Endpoint::parse("https://abc-crypto.kms.us-ashburn-1.oraclecloud.com")?;
    /// let crypto = client.with_service_endpoint(&CRYPTO, vault_endpoint);
    /// assert_eq!(
    ///     crypto.endpoint_for(&CRYPTO)?.to_string(),
    ///     "https://abc-crypto.kms.us-ashburn-1.oraclecloud.com"
    /// );
    /// # Ok(()) }
    /// ```
    ///
    /// This is how a data-plane client is made from a resource: the generated
    /// `vault.crypto_client(&client)?` (`oci-keymanagement`), `stream.messages_client(&client)?`
    /// (`oci-streaming`) and `queue.messages_client(&client)?` (`oci-queue`) call it with the
    /// resource's endpoint field, and every generated client has `with_endpoint` for an
    /// endpoint known otherwise. Making one is cheap (no connection, no credential is made);
    /// clones of the result share its endpoint cache.
    pub fn with_service_endpoint(&self, service: &ServiceInfo, endpoint: Endpoint) -> Client {
        let inner = &self.inner;
        let mut service_endpoints: HashMap<String, Endpoint> = inner.service_endpoints.clone();
        service_endpoints.insert(service.name.to_owned(), endpoint);
        Client {
            inner: Arc::new(Inner {
                stack: inner.stack.clone(),
                call: inner.call.clone(),
                breakers: inner.breakers.clone(),
                retry_budget: inner.retry_budget.clone(),
                eventual_consistency: inner.eventual_consistency.clone(),
                region: inner.region.clone(),
                endpoint: inner.endpoint.clone(),
                service_endpoints,
                resolved: RwLock::default(),
            }),
        }
    }
}

impl AsRef<Client> for Client {
    fn as_ref(&self) -> &Client {
        self
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use crate::testing::MockTransport;
    use crate::{Client, Endpoint, ServiceInfo};

    const CONTROL: ServiceInfo = ServiceInfo {
        name: "queue_admin",
        endpoint_template: "https://messaging.{region}.oci.{secondLevelDomain}",
        base_path: "/20210201",
    };
    const MESSAGES: ServiceInfo = ServiceInfo {
        name: "queue",
        endpoint_template: "https://messaging.{region}.oci.{secondLevelDomain}",
        base_path: "/20210201",
    };

    fn get(client: &Client, service: &ServiceInfo) -> http::Request<crate::Body> {
        let ep = client.endpoint_for(service).unwrap();
        http::Request::get(ep.join("/queues/q/messages").unwrap())
            .body(crate::Body::empty())
            .unwrap()
    }

    #[tokio::test]
    async fn a_resource_client_sends_to_its_endpoint_through_the_same_stack() {
        let mock = MockTransport::new();
        mock.push_with(200, &[], "{}").push_with(200, &[], "{}");
        let client = mock.client().unwrap(); // endpoint http://127.0.0.1:1
        let cell = Endpoint::parse("https://cell-1.queue.example.com").unwrap();
        let messages = client.with_service_endpoint(&MESSAGES, cell);

        // Only that service moves; the other keeps the client's endpoint.
        assert_eq!(
            messages.endpoint_for(&MESSAGES).unwrap().to_string(),
            "https://cell-1.queue.example.com/20210201"
        );
        assert_eq!(
            messages.endpoint_for(&CONTROL).unwrap().to_string(),
            "http://127.0.0.1:1/20210201"
        );
        assert_eq!(
            client.endpoint_for(&MESSAGES).unwrap().to_string(),
            "http://127.0.0.1:1/20210201"
        );

        // Same transport and signer: both calls reach the one mock, both signed.
        messages.call(get(&messages, &MESSAGES)).await.unwrap();
        client.call(get(&client, &MESSAGES)).await.unwrap();
        let seen = mock.requests();
        assert_eq!(seen.len(), 2);
        assert_eq!(
            seen[0].uri.to_string(),
            "https://cell-1.queue.example.com/20210201/queues/q/messages"
        );
        assert_eq!(seen[1].uri.host(), Some("127.0.0.1"));
        assert!(seen.iter().all(|r| r.headers.contains_key("authorization")));
    }

    #[test]
    fn resource_client_errors_are_typed() {
        let mock = MockTransport::new();
        let client = mock.client().unwrap();
        let rc = crate::__rt::resource_client;
        let unset = rc(&client, &MESSAGES, None, "Queue", "messagesEndpoint").unwrap_err();
        assert!(unset
            .to_string()
            .contains("`Queue.messagesEndpoint` is not set"));
        let empty = rc(&client, &MESSAGES, Some(" "), "Queue", "messagesEndpoint").unwrap_err();
        assert!(empty.to_string().contains("is not set"), "{empty}");
        let bad = rc(
            &client,
            &MESSAGES,
            Some("cell-1"),
            "Queue",
            "messagesEndpoint",
        )
        .unwrap_err();
        assert!(bad.to_string().contains("Queue.messagesEndpoint"), "{bad}");
        let ok = rc(&client, &MESSAGES, Some("https://c.example.com"), "Q", "e").unwrap();
        assert_eq!(
            ok.endpoint_for(&MESSAGES).unwrap().host_header(),
            "c.example.com"
        );
    }
}
