//! `generated/mod.rs`: the modules, the client's re-export and the service's `SERVICE`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::naming::client_name;
use crate::spec::Spec;

/// The whole `generated/mod.rs`.
pub fn file(spec: &Spec) -> TokenStream {
    let head = format!(
        " Generated from `spec/{}.json` ({}, OCI Python SDK {}).",
        spec.service, spec.python_client, spec.sdk_version
    );
    let client = format_ident!("{}", client_name(&spec.python_client));
    let (svc, tpl, bp) = (&spec.service, &spec.endpoint_template, &spec.base_path);
    quote! {
        #![doc = #head]

        pub mod models;
        pub mod operations;

        pub use operations::{Fluent, #client};

        /// The service: name, endpoint template and base path.
        pub const SERVICE: oci_core::ServiceInfo = oci_core::ServiceInfo {
            name: #svc,
            endpoint_template: #tpl,
            base_path: #bp,
        };
    }
}
