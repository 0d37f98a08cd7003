//! The [`Client`]: sends typed operations through one boxed tower stack.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use crate::layers::breaker::CircuitBreakers;
use crate::layers::retry::{EventualConsistency, RetryBudget};
use crate::layers::CallOptions;
use crate::region::Region;
use crate::stack::{BoxStack, CallStack};
use crate::{Body, Endpoint, Error, Request, ServiceInfo};

/// Sends OCI operations through the tower stack.
///
/// ```no_run
/// use oci_core::{Client, Config};
///
/// # async fn run() -> Result<(), oci_core::Error> {
/// let config = Config::from_file(None, None)?; // ~/.oci/config, profile DEFAULT
/// let client = Client::builder().config(&config)?.build()?;
/// # let _ = client; Ok(()) }
/// ```
///
/// A `Client` is cheap to clone (an `Arc`), and clones share the connection pool and every
/// layer's state. Service clients such as `IdentityClient` wrap one.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    stack: BoxStack,
    /// The same stack, as `call` sends through it (one boxed future per call).
    call: Arc<dyn CallStack>,
    breakers: Option<CircuitBreakers>,
    retry_budget: Option<RetryBudget>,
    eventual_consistency: Option<EventualConsistency>,
    region: Option<Region>,
    endpoint: Option<Endpoint>,
    service_endpoints: HashMap<String, Endpoint>,
    /// Endpoints already resolved, so a call does not expand templates (or copy one) again.
    resolved: RwLock<HashMap<ServiceInfo, Arc<Endpoint>>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("region", &self.inner.region)
            .field("endpoint", &self.inner.endpoint)
            .field("service_endpoints", &self.inner.service_endpoints)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Sends one operation and parses its output.
    pub async fn send<R: Request>(&self, op: R) -> Result<R::Output, Error> {
        self.send_with(op, CallOptions::new()).await
    }

    /// Sends one operation with per-call overrides (retry policy, timeouts, circuit breaker,
    /// control characters, endpoint; see [`CallOptions`]).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use oci_core::layers::{CallOptions, RetryPolicy};
    /// # async fn run<R: oci_core::Request>(client: oci_core::Client, op: R) -> Result<(), oci_core::Error> {
    /// let opts = CallOptions::builder()
    ///     .retry_policy(RetryPolicy::none())
    ///     .operation_timeout(Duration::from_secs(10))
    ///     .build();
    /// let output = client.send_with(op, opts).await?;
    /// # let _ = output; Ok(()) }
    /// ```
    pub async fn send_with<R: Request>(
        &self,
        op: R,
        options: CallOptions,
    ) -> Result<R::Output, Error> {
        let endpoint = match options.endpoint() {
            Some(e) => Arc::new(e.with_base_path(R::SERVICE.base_path)),
            None => self.cached_endpoint(&R::SERVICE)?,
        };
        let mut req = op.into_http(&endpoint)?;
        req.extensions_mut().insert(R::info());
        options.apply(&mut req);
        let resp = self.call(req).await?;
        R::parse(resp).await
    }

    /// Sends a raw request through the whole stack (already built and pointed at an endpoint).
    ///
    /// Put an [`OperationInfo`](crate::OperationInfo) in its extensions to name the operation.
    pub async fn call(&self, req: http::Request<Body>) -> Result<http::Response<Body>, Error> {
        self.inner.call.call(req).await
    }

    /// The endpoint for a service: the per-service override, else the global override, else the
    /// region's endpoint; the service's base path is appended to overrides.
    pub fn endpoint_for(&self, service: &ServiceInfo) -> Result<Endpoint, Error> {
        self.cached_endpoint(service).map(|e| Endpoint::clone(&e))
    }

    /// [`endpoint_for`](Self::endpoint_for), shared with the cache.
    fn cached_endpoint(&self, service: &ServiceInfo) -> Result<Arc<Endpoint>, Error> {
        let cached = self
            .inner
            .resolved
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(service)
            .cloned();
        if let Some(e) = cached {
            return Ok(e);
        }
        let endpoint = Arc::new(self.resolve_endpoint(service)?);
        self.inner
            .resolved
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(*service, endpoint.clone());
        Ok(endpoint)
    }

    fn resolve_endpoint(&self, service: &ServiceInfo) -> Result<Endpoint, Error> {
        if let Some(e) = self.inner.service_endpoints.get(service.name) {
            return Ok(e.with_base_path(service.base_path));
        }
        if let Some(e) = &self.inner.endpoint {
            return Ok(e.with_base_path(service.base_path));
        }
        match &self.inner.region {
            Some(region) => region.endpoint(service),
            None => Err(Error::config(
                "no region and no endpoint: set a region in the config or on the builder",
            )),
        }
    }

    /// The region, when one was set.
    pub fn region(&self) -> Option<&Region> {
        self.inner.region.as_ref()
    }

    /// The assembled stack, to embed the client in your own tower services.
    pub fn stack(&self) -> BoxStack {
        self.inner.stack.clone()
    }

    /// The client's circuit breakers (one per endpoint host), to read their states; `None` when
    /// the breaker is disabled.
    ///
    /// ```no_run
    /// # fn run(client: oci_core::Client) {
    /// if let Some(breakers) = client.circuit_breakers() {
    ///     for b in breakers.snapshot() {
    ///         println!("{}: {} ({} of {} calls failed)", b.host, b.state, b.failures, b.calls);
    ///     }
    /// }
    /// # }
    /// ```
    pub fn circuit_breakers(&self) -> Option<&CircuitBreakers> {
        self.inner.breakers.as_ref()
    }

    /// The client's retry budget, shared by all its calls; `None` when unlimited.
    pub fn retry_budget(&self) -> Option<&RetryBudget> {
        self.inner.retry_budget.as_ref()
    }

    /// The eventual-consistency window after Identity writes, when
    /// `ClientBuilder::eventual_consistency(true)` turned it on.
    pub fn eventual_consistency(&self) -> Option<&EventualConsistency> {
        self.inner.eventual_consistency.as_ref()
    }
}

mod builder;
mod resource;

pub use builder::ClientBuilder;
