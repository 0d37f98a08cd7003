//! `Fluent<Get...>::wait_for`: a waiter on a resource's lifecycle state.

use proc_macro2::TokenStream;
use quote::quote;

use super::Op;
use crate::docs::doc;
use crate::naming::ident;
use crate::spec::Type;

/// `wait_for` on a `GET` `get_*` operation whose model has an enum `lifecycle_state` (or
/// `status`) field.
pub fn wait_for(g: &Op) -> TokenStream {
    let op = g.op;
    if op.method != "GET" || !op.name.starts_with("get_") {
        return quote!();
    }
    let Some(Type::Model { name: m }) = &op.response else {
        return quote!();
    };
    let Some(model) = g
        .ctx
        .models
        .get(m.as_str())
        .filter(|m| m.discriminator.is_none())
    else {
        return quote!();
    };
    let field = model
        .fields
        .iter()
        .find(|f| f.rust_name == "lifecycle_state")
        .or_else(|| model.fields.iter().find(|f| f.rust_name == "status"));
    let Some(f) = field else {
        return quote!();
    };
    let Some(en) = g.ctx.field_enum(m, &f.rust_name) else {
        return quote!();
    };
    let (en, fid, name) = (ident(en), ident(&f.rust_name), &g.name);
    let get = if f.required {
        quote!(Some(o.body.#fid.clone()))
    } else {
        quote!(o.body.#fid.clone())
    };
    let wdoc = doc(
        &format!(
            "A waiter that polls this request until `{}` is one of `states`.\n\n\
             Set failure states, `max_wait` and intervals on the [`Waiter`], then `.wait().await`.",
            f.name
        ),
        "",
    );
    quote! {
        impl Fluent<#name> {
            #wdoc
            pub fn wait_for(
                self,
                states: impl IntoIterator<Item = models::#en>,
            ) -> Waiter<#name, models::#en> {
                Waiter::new(self.client, self.request, |o| #get).target(states)
            }
        }
    }
}
