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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::files;
    use crate::spec::Spec;

    /// Two clients sharing a model with a base64 field and a resource endpoint; one long poll.
    const SPEC: &str = r#"{
      "service": "things", "sdkVersion": "1", "doc": "Things.", "strictPathEncoding": false,
      "clients": [
        {"module": "thing_admin", "pythonClient": "oci.things.ThingAdminClient", "doc": "Admin.",
         "endpointTemplate": "https://things.{region}", "basePath": "/v1", "operations": [{
           "name": "get_thing", "operationId": "GetThing", "method": "GET",
           "path": "/things/{thingId}", "doc": "Gets.", "apiReference": null,
           "constantHeaders": {}, "body": null, "response": {"kind": "model", "name": "Thing"},
           "excludeBody": false, "retryToken": false, "responseHeaders": ["opc-request-id"],
           "responseMetaHeaders": null, "pagination": null,
           "params": [{"name": "thingId", "rustName": "thing_id", "location": "path",
             "type": {"kind": "string"}, "required": true, "doc": "", "collectionFormat": null,
             "enum": null, "default": null}]}]},
        {"module": "thing", "pythonClient": "oci.things.ThingClient", "doc": "Data.",
         "endpointTemplate": "https://things.{region}", "basePath": "/v1", "operations": [{
           "name": "get_messages", "operationId": "GetMessages", "method": "GET",
           "path": "/things/{thingId}/messages", "doc": "Polls.", "apiReference": null,
           "constantHeaders": {}, "body": null, "response": null,
           "excludeBody": false, "retryToken": false, "responseHeaders": ["opc-request-id"],
           "responseMetaHeaders": null, "pagination": null,
           "longPoll": {"param": "timeoutInSeconds", "unsetSeconds": 30},
           "params": [{"name": "thingId", "rustName": "thing_id", "location": "path",
             "type": {"kind": "string"}, "required": true, "doc": "", "collectionFormat": null,
             "enum": null, "default": null},
             {"name": "timeoutInSeconds", "rustName": "timeout_in_seconds", "location": "query",
             "type": {"kind": "integer"}, "required": false, "doc": "", "collectionFormat": null,
             "enum": null, "default": null}]}]}
      ],
      "models": [{"name": "Thing", "doc": "A thing.", "base": null, "discriminator": null,
        "fields": [
          {"name": "messagesEndpoint", "rustName": "messages_endpoint",
           "type": {"kind": "string"}, "required": true, "doc": "", "enum": null,
           "resourceEndpoint": {"client": "ThingClient", "method": "messages_client"}},
          {"name": "payload", "rustName": "payload", "type": {"kind": "string"},
           "required": false, "doc": "", "enum": null, "format": "base64"}
        ]}]
    }"#;

    fn text(tokens: &proc_macro2::TokenStream) -> String {
        syn::parse2::<syn::File>(tokens.clone()).expect("parses as a file");
        let s = tokens.to_string();
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn one_module_per_client_sharing_the_models() {
        let spec: Spec = serde_json::from_str(SPEC).unwrap();
        let out = files(&spec);
        let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "mod.rs",
                "models.rs",
                "thing_admin/mod.rs",
                "thing_admin/operations.rs",
                "thing/mod.rs",
                "thing/operations.rs"
            ]
        );
        let get = |n: &str| text(&out.iter().find(|(p, _)| p == n).unwrap().1);
        let root = get("mod.rs");
        assert!(root.contains("pub mod thing_admin ; pub use thing_admin :: ThingAdminClient"));
        let data = get("thing/mod.rs");
        assert!(data.contains("name : \"thing\""), "{data}");
        assert!(data.contains("use super :: models"), "{data}");
        let models = get("models.rs");
        assert!(models.contains("pub fn messages_client"), "{models}");
        assert!(models.contains("super :: thing :: SERVICE"), "{models}");
        assert!(models.contains("pub fn payload_bytes"), "{models}");
        assert!(models.contains("pub fn set_payload_bytes"), "{models}");
        let poll = get("thing/operations.rs");
        assert!(
            poll.contains("let poll = self . timeout_in_seconds . unwrap_or (30i64)"),
            "{poll}"
        );
        assert!(poll.contains("rt :: long_poll"), "{poll}");
        assert!(
            poll.contains("oci_things::thing::operations::OPERATIONS"),
            "{poll}"
        );
        assert!(!get("thing_admin/operations.rs").contains("long_poll"));
    }
}
