//! [`ClientBuilder`]: credentials, region or endpoint, transport, layers and their settings.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use http::HeaderValue;
use tower::util::Either;

use crate::auth::{Credentials, RequestSigner, Signer};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::layers::breaker::{CircuitBreakerConfig, CircuitBreakers};
use crate::layers::classify::{Classify, OciClassifier, SharedClassifier};
use crate::layers::retry::{
    EventualConsistency, EventualConsistencyLayer, RetryBudget, RetryPolicy,
};
use crate::region::Region;
use crate::stack::{self, BoxStack, LayerFn, StackLayer, StackParts};
use crate::{Endpoint, Error};

use super::{Client, Inner};

/// Builds a [`Client`]: credentials, region or endpoint, transport and layers.
///
/// ```no_run
/// use std::time::Duration;
/// use oci_core::layers::{CircuitBreakerConfig, RetryPolicy};
/// use oci_core::{Client, Config, Endpoint};
///
/// # fn run() -> Result<(), oci_core::Error> {
/// let config = Config::from_file(None, Some("DEV"))?;
/// let client = Client::builder()
///     .config(&config)?
///     .endpoint(Endpoint::parse("http://127.0.0.1:12000")?) // e.g. the emulator
///     .connect_timeout(Duration::from_secs(5))
///     .retry_policy(RetryPolicy::builder().max_attempts(4).build()) // or RetryPolicy::none()
///     .circuit_breaker(CircuitBreakerConfig::builder().open_for(Duration::from_secs(10)).build())
///     .attempt_timeout(Duration::from_secs(30))
///     .operation_timeout(Duration::from_secs(120))
///     .layer(tower::layer::layer_fn(|s| s)) // any tower layer, once per call
///     .attempt_layer(tower::layer::layer_fn(|s| s)) // any tower layer, once per attempt
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
pub struct ClientBuilder {
    credentials: Option<Arc<dyn Credentials>>,
    signer: Option<Arc<dyn Signer>>,
    region: Option<Region>,
    endpoint: Option<Endpoint>,
    service_endpoints: HashMap<String, Endpoint>,
    clock: Arc<dyn Clock>,
    transport: Option<BoxStack>,
    connect_timeout: Duration,
    network: crate::transport::HttpTransportBuilder,
    realm_endpoints: Option<bool>,
    allow_control_chars: bool,
    user_agent: Option<String>,
    operation_layers: Vec<LayerFn>,
    attempt_layers: Vec<LayerFn>,
    classifier: Option<SharedClassifier>,
    retry_policy: RetryPolicy,
    retry_budget: Option<RetryBudget>,
    circuit_breaker: Option<CircuitBreakerConfig>,
    attempt_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    body_stall_timeout: Option<Duration>,
    tracing: bool,
    retry_tokens: bool,
    eventual_consistency: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            credentials: None,
            signer: None,
            region: None,
            endpoint: None,
            service_endpoints: HashMap::new(),
            clock: Arc::new(SystemClock),
            transport: None,
            connect_timeout: Duration::from_secs(10),
            network: crate::transport::HttpTransportBuilder::default(),
            realm_endpoints: None,
            allow_control_chars: false,
            user_agent: None,
            operation_layers: Vec::new(),
            attempt_layers: Vec::new(),
            classifier: None,
            retry_policy: RetryPolicy::default(),
            retry_budget: Some(RetryBudget::standard()),
            circuit_breaker: Some(CircuitBreakerConfig::default()),
            attempt_timeout: Some(Duration::from_secs(60)),
            operation_timeout: None,
            body_stall_timeout: Some(Duration::from_secs(60)),
            tracing: true,
            retry_tokens: true,
            eventual_consistency: false,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Credentials and region from a loaded config profile. Loads the private key now.
    ///
    /// The profile's `additional_user_agent` becomes the user-agent suffix, unless
    /// [`user_agent_suffix`](Self::user_agent_suffix) set one; its `cert_bundle` is trusted
    /// as if given to [`ca_bundle`](Self::ca_bundle) (read at [`build`](Self::build)).
    pub fn config(mut self, config: &Config) -> Result<Self, Error> {
        self.credentials = Some(config.credentials()?);
        self.region = Some(config.region()?);
        if self.user_agent.is_none() {
            self.user_agent = config.additional_user_agent.clone();
        }
        if let Some(bundle) = &config.cert_bundle {
            self.network = self.network.ca_bundle(bundle.clone());
        }
        Ok(self)
    }

    /// The credentials that sign requests: an API key, a session token, or a token principal
    /// behind a [`CredentialsCache`](crate::auth::CredentialsCache) (instance principal,
    /// resource principal, OKE workload identity). When no region is set, the provider's region
    /// (if it knows one) is used.
    pub fn credentials(mut self, credentials: Arc<dyn Credentials>) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Credentials (and their region, unless one is set) from the default chain: resource
    /// principal env, config file, OKE workload identity, instance principal; see
    /// [`default_credentials`](crate::auth::default_credentials).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), oci_core::Error> {
    /// let client = oci_core::Client::builder().default_credentials().await?.build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub async fn default_credentials(self) -> Result<Self, Error> {
        Ok(self.resolved_credentials(crate::auth::default_credentials().await?))
    }

    /// Credentials found by [`default_credentials`](crate::auth::default_credentials) (or
    /// assembled by hand): sets the credentials, and the region unless one is set.
    pub fn resolved_credentials(mut self, found: crate::auth::ResolvedCredentials) -> Self {
        if self.region.is_none() {
            self.region = found.region;
        }
        self.credentials = Some(found.credentials);
        self
    }

    /// Replaces the OCI request signer with any [`Signer`] (credentials are then not needed):
    /// e.g. [`NoSigning`](crate::auth::NoSigning) for pre-authenticated request URLs.
    pub fn signer(mut self, signer: impl Signer + 'static) -> Self {
        self.signer = Some(Arc::new(signer));
        self
    }

    /// The region whose endpoints to use.
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// One endpoint for every service (e.g. the emulator); each service's base path is appended.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// An endpoint for one service by name (e.g. `identity`); its base path is appended.
    pub fn service_endpoint(mut self, service: &str, endpoint: Endpoint) -> Self {
        self.service_endpoints.insert(service.to_owned(), endpoint);
        self
    }

    /// The clock the signer reads `date` from.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// TCP connect timeout of the default transport (10 s by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sends calls through this HTTP proxy (a `CONNECT` tunnel) instead of the one
    /// `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` name. Token providers take a transport of
    /// their own: give them
    /// [`HttpTransport::builder`](crate::transport::HttpTransport::builder)`.proxy(..)` too.
    pub fn proxy(mut self, proxy: crate::transport::Proxy) -> Self {
        self.network = self.network.proxy(proxy);
        self
    }

    /// Also trusts the CA certificates of this PEM bundle (besides the system's roots and
    /// `OCI_DEFAULT_CERTS_PATH`). Read at [`build`](Self::build).
    pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.network = self.network.ca_bundle(path);
        self
    }

    /// Uses realm-specific endpoint templates (Object Storage in oc1:
    /// `https://{namespace}.objectstorage.{region}.oci.customer-oci.com`). Unset, the
    /// environment decides (`OCI_REALM_SPECIFIC_SERVICE_ENDPOINT_TEMPLATE_ENABLED=true`); off by
    /// default. An explicit endpoint (for all services or for one) wins over a template.
    pub fn realm_specific_endpoint_templates(mut self, enabled: bool) -> Self {
        self.realm_endpoints = Some(enabled);
        self
    }

    /// Lets responses carry raw control characters (U+0000-U+001F) in JSON strings; off by
    /// default, when such a response is a [`Deserialize`](crate::ErrorKind::Deserialize) error
    /// naming the field. Per call: `CallOptionsBuilder::allow_control_chars`.
    pub fn allow_control_chars(mut self, allow: bool) -> Self {
        self.allow_control_chars = allow;
        self
    }

    /// Text appended to the `user-agent`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent = Some(suffix.into());
        self
    }

    /// Replaces the transport with any `Service<http::Request<Body>>`: a mock, a proxy, another
    /// HTTP client.
    pub fn transport(mut self, transport: impl crate::stack::StackService) -> Self {
        self.transport = Some(transport.into_stack());
        self
    }

    /// Adds a tower layer that runs once per call, outside retries (inside trace and the
    /// operation timeout, outside the retry token). The first added is outermost. Any tower
    /// layer over a [`BoxStack`] qualifies: see [`StackLayer`] for the bounds.
    pub fn layer(mut self, layer: impl StackLayer) -> Self {
        self.operation_layers.push(stack::layer_fn(layer));
        self
    }

    /// Adds a tower layer that runs once per attempt, inside retries, the circuit breaker and the
    /// attempt timeout, just above signing. The first added is outermost. The bounds are
    /// [`StackLayer`]'s, as for [`layer`](Self::layer).
    pub fn attempt_layer(mut self, layer: impl StackLayer) -> Self {
        self.attempt_layers.push(stack::layer_fn(layer));
        self
    }

    /// The retry policy for every call ([`RetryPolicy::default`]: OCI's 8 attempts, 600 s);
    /// [`RetryPolicy::none`] turns retries off. One call can override it with
    /// [`CallOptions::retry_policy`](crate::layers::CallOptions::retry_policy).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// The retry budget shared by every call of the client ([`RetryBudget::standard`]);
    /// `None` for unlimited retries.
    pub fn retry_budget(mut self, budget: impl Into<Option<RetryBudget>>) -> Self {
        self.retry_budget = budget.into();
        self
    }

    /// The circuit breaker's configuration ([`CircuitBreakerConfig::default`]); `None`
    /// disables it.
    pub fn circuit_breaker(mut self, config: impl Into<Option<CircuitBreakerConfig>>) -> Self {
        self.circuit_breaker = config.into();
        self
    }

    /// Bounds each attempt (60 s); `None` disables it. It covers the wait for the response and
    /// the reading of a non-streaming (JSON) answer; for a streamed upload it counts from the
    /// moment the body has been sent, so an upload may take as long as it keeps moving.
    pub fn attempt_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.attempt_timeout = timeout.into();
        self
    }

    /// Bounds each whole call, retries and sleeps included (off by default: the retry policy's
    /// total-time cap bounds a call).
    pub fn operation_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.operation_timeout = timeout.into();
        self
    }

    /// Fails a streamed response body that sends nothing for this long while it is read, and a
    /// streamed request body (an upload) of which no byte moves for this long (60 s); `None`
    /// disables both guards.
    pub fn body_stall_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.body_stall_timeout = timeout.into();
        self
    }

    /// Operation and attempt spans (on by default).
    pub fn tracing(mut self, on: bool) -> Self {
        self.tracing = on;
        self
    }

    /// An `opc-retry-token` for operations that declare one (on by default).
    pub fn retry_tokens(mut self, on: bool) -> Self {
        self.retry_tokens = on;
        self
    }

    /// Retries through the eventual-consistency window after Identity writes, as the Go SDK
    /// does (off by default).
    ///
    /// ```
    /// # fn run() -> Result<(), oci_core::Error> {
    /// let client = oci_core::Client::builder()
    ///     .credentials(oci_core::testing::credentials())
    ///     .endpoint("http://127.0.0.1:1".parse()?)
    ///     .eventual_consistency(true)
    ///     .build()?;
    /// assert!(client.eventual_consistency().is_some_and(|w| !w.is_active()));
    /// # Ok(()) }
    /// # run().ok();
    /// ```
    ///
    /// Each successful Identity write (any method but GET/HEAD) opens a 240 s window on the
    /// client's clock; a call that starts inside it also retries
    /// [`EC_ERRORS`](crate::layers::retry::EC_ERRORS) (such as `404 NotAuthorizedOrNotFound`)
    /// while the window lasts, on the Go SDK's longer schedule (9 attempts, sleeps scaled to
    /// end with the window). A call with its own [`CallOptions::retry_policy`](crate::layers::CallOptions::retry_policy) keeps it. See
    /// [`EventualConsistency`] and the `layers::retry` module.
    pub fn eventual_consistency(mut self, on: bool) -> Self {
        self.eventual_consistency = on;
        self
    }

    /// One classifier for retry, the circuit breaker and trace ([`OciClassifier`] by default).
    /// It replaces the classifier of the client's retry policy; a per-call policy keeps its own.
    pub fn classifier(mut self, classifier: impl Classify) -> Self {
        self.classifier = Some(Arc::new(classifier));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let region = self
            .region
            .or_else(|| self.credentials.as_ref().and_then(|c| c.region()));
        let signer: Arc<dyn Signer> = match (self.signer, self.credentials) {
            (Some(signer), _) => signer,
            (None, Some(credentials)) => {
                Arc::new(RequestSigner::new(credentials, self.clock.clone()))
            }
            (None, None) => {
                return Err(Error::config(
                    "no credentials: call ClientBuilder::config, ::credentials or ::signer",
                ))
            }
        };
        let transport = match self.transport {
            Some(t) => Either::Right(stack::SharedTransport::new(t)),
            None => Either::Left(self.network.connect_timeout(self.connect_timeout).build()?),
        };
        let ua = match &self.user_agent {
            Some(s) => format!("{} {s}", crate::USER_AGENT),
            None => crate::USER_AGENT.to_owned(),
        };
        let user_agent = HeaderValue::from_str(&ua)
            .map_err(|_| Error::config("the user-agent suffix is not a valid header value"))?;
        let classifier = self.classifier;
        let shared = classifier
            .clone()
            .unwrap_or_else(|| Arc::new(OciClassifier) as SharedClassifier);
        let retry_policy = match &classifier {
            Some(c) => self.retry_policy.with_classifier(c.clone()),
            None => self.retry_policy,
        };
        let breakers = self.circuit_breaker.map(|config| {
            let config = match &classifier {
                Some(c) => config.with_shared_classifier(c.clone()),
                None => config,
            };
            CircuitBreakers::new(config)
        });
        let mut operation_layers = self.operation_layers;
        let eventual_consistency = self
            .eventual_consistency
            .then(|| EventualConsistency::new(self.clock.clone()));
        if let Some(window) = &eventual_consistency {
            let layer = EventualConsistencyLayer::new(window.clone(), retry_policy.clone());
            operation_layers.push(stack::layer_fn(layer));
        }
        let realm_endpoints = self.realm_endpoints.unwrap_or_else(|| {
            std::env::var(crate::region::REALM_ENDPOINT_ENV)
                .is_ok_and(|v| v.trim().eq_ignore_ascii_case("true"))
        });
        if let (true, Some(region), None) = (realm_endpoints, &region, &self.endpoint) {
            let skip = self.service_endpoints.keys().cloned().collect();
            operation_layers.push(stack::layer_fn(crate::region::RealmEndpointLayer::new(
                region.clone(),
                skip,
            )));
        }
        let assembled = stack::assemble(StackParts {
            transport,
            signer,
            user_agent,
            allow_control_chars: self.allow_control_chars,
            operation_layers,
            attempt_layers: self.attempt_layers,
            trace: self.tracing.then_some(shared),
            operation_timeout: self.operation_timeout,
            retry_tokens: self.retry_tokens,
            retry_policy,
            retry_budget: self.retry_budget.clone(),
            breakers: breakers.clone(),
            attempt_timeout: self.attempt_timeout,
            body_stall_timeout: self.body_stall_timeout,
        });
        Ok(Client {
            inner: Arc::new(Inner {
                stack: assembled.stack,
                call: assembled.call,
                breakers,
                retry_budget: self.retry_budget,
                eventual_consistency,
                region,
                endpoint: self.endpoint,
                service_endpoints: self.service_endpoints,
                resolved: RwLock::default(),
            }),
        })
    }
}
