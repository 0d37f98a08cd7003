//! The request struct: one optional field per parameter and body, with setters on the request
//! and on `Fluent<Request>`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Op, Setter};
use crate::docs::doc;
use crate::naming::ident;

/// The struct, `new` and its setters, and the same setters on `Fluent`.
pub fn request(g: &Op) -> TokenStream {
    let op = g.op;
    let name = &g.name;
    let mut head_text = op.doc.trim().to_owned();
    if head_text.is_empty() {
        head_text = op.operation_id.clone();
    }
    head_text.push_str(&format!("\n\n`{} {}`", op.method, op.path));
    let head = doc(&head_text, &op.operation_id);
    let reference = op
        .api_reference
        .as_ref()
        .map(|r| doc(&format!("([API reference]({r}))"), ""));
    let note = doc(
        "Every field is optional here; required ones are checked by `into_http`, before any I/O.",
        "",
    );
    let clone = (!g.streams_request()).then(|| quote!(, Clone));
    let mut fields = vec![];
    let mut setters = vec![];
    for p in &op.params {
        let (ty, how) = g.param_type(p);
        let mut pdoc = p.doc.clone();
        if p.required {
            pdoc.push_str("\n\nRequired: `into_http` fails before any I/O when it is missing.");
        }
        if p.sensitive {
            pdoc.push_str("\n\nA secret: redacted in `Debug`, sent as a sensitive header.");
        }
        let fdoc = doc(&pdoc, &format!("`{}`", p.name));
        let field = ident(&p.rust_name);
        fields.push(quote! { #fdoc pub #field: Option<#ty>, });
        let req = if p.required { " (required)" } else { "" };
        let sdoc = format!("Sets `{}`{req}.", p.name);
        setters.push((field, ty, how, sdoc));
    }
    if let (Some(b), Some((ty, how))) = (&op.body, g.body_type()) {
        let mut bdoc = b.doc.clone();
        if g.streams_request() {
            bdoc.push_str(
                "\n\nIts length (`Body::content_length`, a `u64`) is sent as `content-length`: \
                 it is the one place an upload's length is set. Give a stream's length when \
                 building it, as in `Body::from_stream(stream, Some(len))`; a stream without \
                 one is refused before any I/O, since OCI rejects chunked uploads.",
            );
        }
        let fdoc = doc(&bdoc, "The request body.");
        let field = ident(&b.rust_name);
        fields.push(quote! { #fdoc pub #field: Option<#ty>, });
        let req = if b.required { " (required)" } else { "" };
        setters.push((field, ty, how, format!("Sets the request body{req}.")));
    }
    let on_request = setters.iter().map(|s| setter(s, quote!()));
    let on_fluent = setters.iter().map(|s| setter(s, quote!(.request)));
    quote! {
        #head
        #reference
        #[doc = ""]
        #note
        #[derive(Debug, Default #clone)]
        pub struct #name { #(#fields)* }

        impl #name {
            /// An empty request: set its fields, or use the setters.
            pub fn new() -> Self {
                Self::default()
            }
            #(#on_request)*
        }

        impl Fluent<#name> {
            #(#on_fluent)*
        }
    }
}

/// `pub fn field(mut self, v: T) -> Self`, storing into `self<target>.field`.
fn setter(
    (field, ty, how, text): &(proc_macro2::Ident, TokenStream, Setter, String),
    target: TokenStream,
) -> TokenStream {
    let sdoc = doc(text, "");
    let (arg, store) = match how {
        Setter::Into => (quote!(impl Into<#ty>), quote!(v.into())),
        Setter::Plain => (quote!(#ty), quote!(v)),
    };
    quote! {
        #sdoc
        pub fn #field(mut self, v: #arg) -> Self {
            self #target .#field = Some(#store);
            self
        }
    }
}
