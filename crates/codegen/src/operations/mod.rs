//! `operations.rs`: one request type per operation, its output, `impl Request`, pagination and
//! waiters, the operation table and the service client.

mod client;
mod into_http;
mod pagination;
mod parse;
mod request;
mod waiter;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::context::{Ctx, Scope};
use crate::naming::ident;
use crate::spec::{Operation, Param, Type};

/// The whole `operations.rs`.
pub fn file(ctx: &Ctx) -> TokenStream {
    let ops: Vec<Op> = ctx
        .spec
        .operations
        .iter()
        .map(|op| Op::new(ctx, op))
        .collect();
    let items = ops.iter().map(Op::items);
    let table = client::operation_table(ctx);
    let client = client::client(ctx, &ops);
    quote! {
        //! Operations: one request type per operation, its output, and the service client.

        #![allow(
            clippy::doc_lazy_continuation,
            clippy::wrong_self_convention,
            clippy::should_implement_trait,
            clippy::new_without_default
        )]

        #[allow(unused_imports)]
        use std::collections::HashMap;

        use oci_core::__rt as rt;
        #[allow(unused_imports)]
        use oci_core::auth::Secret;
        #[allow(unused_imports)]
        use oci_core::pagination::Paginated;
        #[allow(unused_imports)]
        use oci_core::waiter::Waiter;
        #[allow(unused_imports)]
        use oci_core::DateTime;
        use oci_core::{Body, Client, Endpoint, Error, Request, ServiceInfo};

        #[allow(unused_imports)]
        use super::models;

        #(#items)*
        #table
        #client
    }
}

/// One operation being generated.
pub struct Op<'a> {
    pub ctx: &'a Ctx<'a>,
    pub op: &'a Operation,
    /// The request type, e.g. `GetUser`.
    pub name: Ident,
    /// The output type, e.g. `GetUserResponse`.
    pub output: Ident,
}

/// How a setter takes its value.
pub enum Setter {
    /// `v: impl Into<T>`, stored as `v.into()`.
    Into,
    /// `v: T`, stored as is.
    Plain,
}

impl Setter {
    /// Strings (and enums), dates and bodies take anything that converts.
    fn for_type(t: &Type) -> Self {
        match t {
            Type::String | Type::Date | Type::Binary => Setter::Into,
            _ => Setter::Plain,
        }
    }
}

impl<'a> Op<'a> {
    fn new(ctx: &'a Ctx<'a>, op: &'a Operation) -> Self {
        Op {
            ctx,
            op,
            name: ident(&op.operation_id),
            output: format_ident!("{}Response", op.operation_id),
        }
    }

    /// Everything generated for this operation but its client method.
    fn items(&self) -> TokenStream {
        let request = request::request(self);
        let output = parse::output(self);
        let impl_request = self.impl_request();
        let pagination = pagination::paginated(self);
        let waiter = waiter::wait_for(self);
        quote!(#request #output #impl_request #pagination #waiter)
    }

    fn impl_request(&self) -> TokenStream {
        let (name, output) = (&self.name, &self.output);
        let op_name = &self.op.operation_id;
        let exclude = self.op.exclude_body.then(|| {
            quote!(
                const EXCLUDE_BODY: bool = true;
            )
        });
        let token = self.op.retry_token.then(|| {
            quote!(
                const RETRY_TOKEN: bool = true;
            )
        });
        let streaming = self.streams_response().then(|| {
            quote!(
                const STREAMING_RESPONSE: bool = true;
            )
        });
        // An operation with an `is-not-modified` response header answers a 304 as a success.
        let not_modified = parse::not_modified(self).then(|| {
            quote!(
                const NOT_MODIFIED_OK: bool = true;
            )
        });
        let into_http = into_http::into_http(self);
        let parse = parse::parse(self);
        quote! {
            impl Request for #name {
                type Output = #output;
                const SERVICE: ServiceInfo = super::SERVICE;
                const OPERATION: &'static str = #op_name;
                #exclude
                #token
                #streaming
                #not_modified

                fn into_http(self, endpoint: &Endpoint) -> Result<http::Request<Body>, Error> {
                    #into_http
                }

                async fn parse(response: http::Response<Body>) -> Result<Self::Output, Error> {
                    #parse
                }
            }
        }
    }

    /// The request body is a stream (an upload).
    pub fn streams_request(&self) -> bool {
        matches!(self.op.body.as_ref().map(|b| &b.ty), Some(Type::Binary))
    }

    /// The response body is a stream the caller reads (a download).
    pub fn streams_response(&self) -> bool {
        matches!(self.op.response, Some(Type::Binary))
    }

    /// A parameter's field type and how its setter takes it.
    pub fn param_type(&self, p: &Param) -> (TokenStream, Setter) {
        if p.prefix_map {
            return (quote!(HashMap<String, String>), Setter::Plain);
        }
        if p.sensitive {
            return (quote!(Secret), Setter::Into);
        }
        let en = self.ctx.param_enum(&self.op.name, &p.rust_name);
        let ty = self.ctx.rust_type(&p.ty, en, Scope::Operations);
        (ty, Setter::for_type(&p.ty))
    }

    /// The request body's field type and how its setter takes it.
    pub fn body_type(&self) -> Option<(TokenStream, Setter)> {
        let b = self.op.body.as_ref()?;
        let ty = self.ctx.rust_type(&b.ty, None, Scope::Operations);
        Some((ty, Setter::for_type(&b.ty)))
    }

    /// The parameters at `location` (`path`, `query`, `header`).
    pub fn params_in(&self, location: &'a str) -> impl Iterator<Item = &'a Param> + 'a {
        self.op
            .params
            .iter()
            .filter(move |p| p.location == location)
    }
}
