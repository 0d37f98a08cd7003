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
                breakers: inner.breakers.clone(),
                retry_budget: inner.retry_budget.clone(),
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
