//! The output struct and `Request::parse`: status, body and the declared response headers.

use proc_macro2::TokenStream;
use quote::quote;

use super::Op;
use crate::context::Scope;
use crate::docs::doc;
use crate::naming::header_field;
use crate::spec::Type;

/// The response header that marks a 304 answered as a success (`GetObject`, `HeadObject`).
const NOT_MODIFIED: &str = "is-not-modified";

/// Whether the operation answers a 304 as a success: its response declares `is-not-modified`.
pub fn not_modified(g: &Op) -> bool {
    g.op.response_headers.iter().any(|h| h == NOT_MODIFIED)
}

/// The output struct.
pub fn output(g: &Op) -> TokenStream {
    let op = g.op;
    let output = &g.output;
    let head = doc(&format!("The output of [`{}`].", op.operation_id), "");
    let clone = (!g.streams_response()).then(|| quote!(, Clone));
    let body = match &op.response {
        None => quote!(),
        Some(Type::Binary) => quote! {
            /// The response body, as a stream (never buffered whole).
            pub body: Body,
        },
        Some(t) => {
            let ty = g.ctx.rust_type(t, None, Scope::Operations);
            quote! {
                /// The response body.
                pub body: #ty,
            }
        }
    };
    let headers = op.response_headers.iter().map(|h| {
        let field = header_field(h);
        if h == NOT_MODIFIED {
            let hdoc = doc(
                "The object was not modified: the request's `if-none-match` matched and the \
                 service answered 304 (the body is empty and most headers are absent). A 304 is \
                 a success for this operation, as in the other OCI SDKs.",
                "",
            );
            return quote! { #hdoc pub #field: bool, };
        }
        let hdoc = doc(&format!("The `{h}` response header."), "");
        let ty = if h == "content-length" {
            quote!(u64)
        } else {
            quote!(String)
        };
        quote! { #hdoc pub #field: Option<#ty>, }
    });
    let meta = op.response_meta_headers.as_ref().map(|prefix| {
        let mdoc = doc(
            &format!("The `{prefix}*` response headers, keyed without the prefix."),
            "",
        );
        quote! { #mdoc pub opc_meta: HashMap<String, String>, }
    });
    quote! {
        #head
        #[derive(Debug #clone)]
        pub struct #output {
            /// HTTP status.
            pub status: u16,
            #body
            #(#headers)*
            #meta
        }
    }
}

/// The body of `parse`.
pub fn parse(g: &Op) -> TokenStream {
    let op = g.op;
    let output = &g.output;
    let read = match &op.response {
        None => quote!(let parts = rt::drain(response).await?;),
        Some(Type::Binary) => quote!(let (parts, body) = response.into_parts();),
        Some(t) => {
            let ty = g.ctx.rust_type(t, None, Scope::Operations);
            quote!(let (body, parts) = oci_core::request::parse_json::<#ty>(response).await?;)
        }
    };
    let body = op.response.as_ref().map(|_| quote!(body,));
    let headers = op.response_headers.iter().map(|h| {
        let field = header_field(h);
        if h == NOT_MODIFIED {
            quote!(#field: rt::not_modified(&parts),)
        } else if h == "content-length" {
            quote!(#field: rt::header_as(&parts, #h),)
        } else {
            quote!(#field: rt::header(&parts, #h),)
        }
    });
    let meta = op
        .response_meta_headers
        .as_ref()
        .map(|prefix| quote!(opc_meta: rt::prefixed(&parts, #prefix),));
    quote! {
        #read
        Ok(#output {
            status: parts.status.as_u16(),
            #body
            #(#headers)*
            #meta
        })
    }
}
