//! What models get beyond their fields, appended to `models.rs`: typed helpers for base64
//! fields, and for a per-resource endpoint field (a vault's `cryptoEndpoint`) the method that
//! makes the data-plane client for it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::context::Ctx;
use crate::naming::{client_name, ident};
use crate::spec::{Field, Model};

/// Every model's extra `impl` blocks (empty when no field needs one).
pub fn file(ctx: &Ctx) -> TokenStream {
    let impls = ctx.spec.models.iter().filter_map(|m| model(ctx, m));
    quote!(#(#impls)*)
}

fn model(ctx: &Ctx, m: &Model) -> Option<TokenStream> {
    if m.discriminator.is_some() {
        return None;
    }
    let methods: Vec<TokenStream> = m
        .fields
        .iter()
        .filter_map(|f| {
            let b64 = (f.format.as_deref() == Some("base64")).then(|| base64(m, f));
            let ep = f
                .resource_endpoint
                .as_ref()
                .and_then(|_| endpoint(ctx, m, f));
            match (b64, ep) {
                (None, None) => None,
                (a, b) => Some(quote!(#a #b)),
            }
        })
        .collect();
    if methods.is_empty() {
        return None;
    }
    let name = ident(&m.name);
    Some(quote! {
        impl #name {
            #(#methods)*
        }
    })
}

/// `<field>_bytes()` and `set_<field>_bytes()`.
fn base64(m: &Model, f: &Field) -> TokenStream {
    let field = ident(&f.rust_name);
    let get = format_ident!("{}_bytes", f.rust_name);
    let set = format_ident!("set_{}_bytes", f.rust_name);
    let wire = format!("{}.{}", m.name, f.name);
    let gdoc = format!(
        " `{}` decoded from base64 (`None` when unset); bad base64 is a typed error.",
        f.name
    );
    let sdoc = format!(" Sets `{}` to `bytes`, base64-encoded.", f.name);
    let (value, store) = if f.required {
        (
            quote!(Some(self.#field.as_str())),
            quote!(self.#field = oci_core::b64::encode(bytes);),
        )
    } else {
        (
            quote!(self.#field.as_deref()),
            quote!(self.#field = Some(oci_core::b64::encode(bytes));),
        )
    };
    quote! {
        #[doc = #gdoc]
        pub fn #get(&self) -> Result<Option<Vec<u8>>, oci_core::Error> {
            oci_core::__rt::b64_field(#value, #wire)
        }
        #[doc = #sdoc]
        pub fn #set(&mut self, bytes: impl AsRef<[u8]>) -> &mut Self {
            #store
            self
        }
    }
}

/// `model.method(&client)?`: the data-plane client at this resource's endpoint.
fn endpoint(ctx: &Ctx, m: &Model, f: &Field) -> Option<TokenStream> {
    let re = f.resource_endpoint.as_ref()?;
    let module = ctx
        .spec
        .clients
        .iter()
        .find(|c| client_name(&c.python_client) == re.client)?
        .module
        .clone();
    let (module, client) = (format_ident!("{module}"), format_ident!("{}", re.client));
    let (method, field) = (format_ident!("{}", re.method), ident(&f.rust_name));
    let value = if f.required {
        quote!(Some(self.#field.as_str()))
    } else {
        quote!(self.#field.as_deref())
    };
    let (model, wire) = (&m.name, &f.name);
    let text = format!(
        " A [`{c}`](super::{module}::{c}) at this resource's `{wire}`, sending through \
         `client`'s stack and credentials.\n\n An unset or invalid `{wire}` is a typed error.",
        c = re.client
    );
    Some(quote! {
        #[doc = #text]
        pub fn #method(
            &self,
            client: &impl AsRef<oci_core::Client>,
        ) -> Result<super::#module::#client, oci_core::Error> {
            let c = oci_core::__rt::resource_client(
                client.as_ref(),
                &super::#module::SERVICE,
                #value,
                #model,
                #wire,
            )?;
            Ok(super::#module::#client::new(c))
        }
    })
}
