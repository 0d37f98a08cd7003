//! The service client (one method per operation), `Fluent` and the operation table.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Op;
use crate::context::Ctx;
use crate::docs::{doc, doc_then, raw, summary};
use crate::naming::{client_name, ident};

/// The client struct and its methods, and the crate's `Fluent` (both from the runtime's
/// macros).
pub fn client(ctx: &Ctx, ops: &[Op]) -> TokenStream {
    let client = format_ident!("{}", client_name(&ctx.spec.python_client));
    let head = doc_then(
        &ctx.spec.doc,
        "The service client.",
        "Wraps an [`oci_core::Client`] (cheap to clone). Each method starts a request builder.",
    );
    let methods = ops.iter().map(|g| {
        let (name, method) = (&g.name, ident(&g.op.name));
        let first = summary(&g.op.doc, &g.op.operation_id);
        let mdoc = doc(
            &format!("{first}\n\nBuilds a [`{name}`]; finish with `.send().await`."),
            "",
        );
        quote! {
            #mdoc
            pub fn #method(&self) -> Fluent<#name> {
                Fluent::new(self.client.clone(), #name::default())
            }
        }
    });
    quote! {
        #head
        #[derive(Debug, Clone)]
        pub struct #client {
            client: Client,
        }

        oci_core::__rt::client!(#client);

        impl #client {
            #(#methods)*
        }

        oci_core::__rt::fluent!();
    }
}

/// `OPERATIONS`: every operation's method, path template and name, in spec order, so that
/// routers and emulators read the spec's table instead of keeping a copy of it.
pub fn operation_table(ctx: &Ctx) -> TokenStream {
    let ops = &ctx.spec.operations;
    let krate = ctx.spec.rust_path();
    let mut text = format!(
        "Every operation of this service ({}): HTTP method, path template and name.\n\n```\n",
        ops.len()
    );
    if let Some(first) = ops.first() {
        text.push_str(&format!(
            "let op = {krate}::operations::OPERATIONS.iter().find(|o| o.name == {:?});\n\
             assert_eq!(op.map(|o| (o.method, o.path)), Some(({:?}, {:?})));\n",
            first.operation_id, first.method, first.path
        ));
    }
    text.push_str(
        "```\n\nPaths are relative to [`crate::SERVICE`]'s base path; parameters are named in \
         braces.\nThe order is the spec's; names are the request types' [`Request::OPERATION`].",
    );
    let head = raw(&text);
    let rows = ops.iter().map(|op| {
        let (m, p, n) = (&op.method, &op.path, &op.operation_id);
        quote!(oci_core::OperationRoute { method: #m, path: #p, name: #n })
    });
    quote! {
        #head
        pub const OPERATIONS: &[oci_core::OperationRoute] = &[ #(#rows),* ];
    }
}
