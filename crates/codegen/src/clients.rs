//! Services with several clients (KMS: crypto, management, vault): one module per client in
//! the service's crate, sharing one `models.rs`.
//!
//! ```text
//! generated/mod.rs                 pub mod models; pub mod kms_crypto; ... and the re-exports
//! generated/models.rs              every client's models, and the parameter enums, once
//! generated/kms_crypto/mod.rs      SERVICE, the client's re-export
//! generated/kms_crypto/operations.rs
//! ```
//!
//! Each client module is written as a one-client service is ([`Spec::views`]), with the
//! parameter enums named over every client's operations (so one name means one type).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::context::Ctx;
use crate::naming::client_name;
use crate::spec::Spec;

/// The files (relative to `generated/`) of a several-client service.
pub fn files(spec: &Spec) -> Vec<(String, TokenStream)> {
    let merged = spec.merged();
    let mctx = Ctx::new(&merged);
    let models = crate::models::file(&mctx);
    let extras = crate::extras::file(&mctx);
    let views = spec.views();
    let mut out = vec![
        ("mod.rs".to_owned(), root(spec, &views)),
        ("models.rs".to_owned(), quote!(#models #extras)),
    ];
    for view in &views {
        let module = view.module.clone().unwrap_or_default();
        let mut vctx = Ctx::new(view);
        vctx.param_enums = mctx.param_enums.clone();
        vctx.enums = mctx.enums.clone();
        out.push((format!("{module}/mod.rs"), client_mod(view)));
        let ops = crate::operations::file(&vctx);
        out.push((format!("{module}/operations.rs"), ops));
    }
    out
}

/// `generated/mod.rs`: the modules and each client's re-export.
fn root(spec: &Spec, views: &[Spec]) -> TokenStream {
    let head = format!(
        " Generated from `spec/{}.json` ({} clients, OCI Python SDK {}).",
        spec.service,
        views.len(),
        spec.sdk_version
    );
    let mods = views.iter().map(|v| {
        let m = format_ident!("{}", v.module.clone().unwrap_or_default());
        let c = format_ident!("{}", client_name(&v.python_client));
        let d = format!(" `{}`: its operations and `SERVICE`.", v.python_client);
        quote! {
            #[doc = #d]
            pub mod #m;
            pub use #m::#c;
        }
    });
    quote! {
        #![doc = #head]

        pub mod models;
        #(#mods)*
    }
}

/// `generated/<client>/mod.rs`: `operations`, the client's re-export and its `SERVICE`.
fn client_mod(view: &Spec) -> TokenStream {
    let head = format!(
        " `{}`: generated from `spec/{}.json` (OCI Python SDK {}).",
        view.python_client, view.service, view.sdk_version
    );
    let client = format_ident!("{}", client_name(&view.python_client));
    let (name, tpl, bp) = (
        view.service_name(),
        &view.endpoint_template,
        &view.base_path,
    );
    let sdoc = format!(
        " The `{}` client's service: name (the key of endpoint overrides), endpoint template \
         and base path.",
        client_name(&view.python_client)
    );
    quote! {
        #![doc = #head]

        pub mod operations;

        #[allow(unused_imports)]
        use super::models;

        pub use operations::{Fluent, #client};

        #[doc = #sdoc]
        pub const SERVICE: oci_core::ServiceInfo = oci_core::ServiceInfo {
            name: #name,
            endpoint_template: #tpl,
            base_path: #bp,
        };
    }
}
