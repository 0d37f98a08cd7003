//! The macros every generated service crate invokes: its `Fluent` request builder and its
//! client's constructors.

/// Declares `Fluent<R>`, a request bound to a client, in the calling module.
///
/// Each generated service crate invokes it once, in its `operations` module, so that the
/// per-operation setters it generates (`impl Fluent<GetUser> { pub fn user_id(..) }`) are
/// inherent impls of a local type. The fields are private to that module.
#[doc(hidden)]
#[macro_export]
macro_rules! __fluent {
    () => {
        /// A request bound to a client: set fields with the setters, then [`Fluent::send`].
        ///
        /// Paginated operations also offer [`Fluent::pages`] and [`Fluent::items`]; `Get`
        /// operations of resources with a lifecycle state offer `wait_for`.
        #[derive(Debug, Clone)]
        pub struct Fluent<R> {
            client: $crate::Client,
            request: R,
        }

        impl<R: $crate::Request> Fluent<R> {
            /// Binds `request` to `client`.
            pub fn new(client: $crate::Client, request: R) -> Self {
                Fluent { client, request }
            }
            /// The request built so far.
            pub fn request(&self) -> &R {
                &self.request
            }
            /// The request built so far, to change any field.
            pub fn request_mut(&mut self) -> &mut R {
                &mut self.request
            }
            /// The request, without the client.
            pub fn into_request(self) -> R {
                self.request
            }
            /// Sends the request and parses its output.
            pub async fn send(self) -> Result<R::Output, $crate::Error> {
                self.client.send(self.request).await
            }
            /// Sends the request with per-call overrides (retry policy, timeouts).
            pub async fn send_with(
                self,
                options: $crate::layers::CallOptions,
            ) -> Result<R::Output, $crate::Error> {
                self.client.send_with(self.request, options).await
            }
        }

        /// `fluent.await` is `fluent.send().await`.
        impl<R: $crate::Request> ::std::future::IntoFuture for Fluent<R> {
            type Output = Result<R::Output, $crate::Error>;
            type IntoFuture = ::std::pin::Pin<
                Box<dyn ::std::future::Future<Output = Result<R::Output, $crate::Error>> + Send>,
            >;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }

        impl<R: $crate::pagination::Paginated> Fluent<R> {
            /// Every page, one `Client::send` each, as a stream.
            pub fn pages(self) -> $crate::pagination::Paginator<R::Output> {
                $crate::pagination::pages(self.client, self.request)
            }
            /// Every item of every page, as a stream.
            pub fn items(self) -> $crate::pagination::Paginator<R::Item> {
                $crate::pagination::items(self.client, self.request)
            }
            /// The first page, awaited (its error is the call's), then every item as a
            /// stream: see [`first_page_then_rest`]($crate::pagination::first_page_then_rest).
            pub async fn first_page_then_rest(
                self,
            ) -> Result<$crate::pagination::Paginator<R::Item>, $crate::Error> {
                $crate::pagination::first_page_then_rest(self.client, self.request).await
            }
        }
    };
}

/// Implements the constructors every generated service client has, on `$client`, a struct in
/// the calling module with one field `client: oci_core::Client`.
#[doc(hidden)]
#[macro_export]
macro_rules! __client {
    ($client:ident) => {
        impl $client {
            /// A client for this service that sends through `client`.
            pub fn new(client: $crate::Client) -> Self {
                Self { client }
            }
            /// A client from a loaded config profile (credentials and region), with the default
            /// stack.
            pub fn from_config(config: &$crate::Config) -> Result<Self, $crate::Error> {
                Ok(Self::new(
                    $crate::Client::builder().config(config)?.build()?,
                ))
            }
            /// The underlying [`oci_core::Client`].
            pub fn client(&self) -> &$crate::Client {
                &self.client
            }
        }
    };
}
