//! `Fluent<Get...>::wait_for`: a waiter on a resource's lifecycle state.

use proc_macro2::TokenStream;
use quote::quote;

use super::Op;
use crate::docs::doc;
use crate::naming::{ident, variants};
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
    let done = work_request_done(g, name, &en, &f.name);
    quote! {
        impl Fluent<#name> {
            #wdoc
            pub fn wait_for(
                self,
                states: impl IntoIterator<Item = models::#en>,
            ) -> Waiter<#name, models::#en> {
                Waiter::new(self.client, self.request, |o| #get).target(states)
            }
            #done
        }
    }
}

/// Work-request success and failure states (OCI's work requests end in one of these).
const DONE: [&str; 2] = ["SUCCEEDED", "COMPLETED"];
const FAILED: [&str; 2] = ["FAILED", "CANCELED"];

/// `wait_until_done` on a work request's `status` whose enum has a success state and both
/// failure states: wait for the terminal status, a failure state being an error.
fn work_request_done(
    g: &Op,
    name: &proc_macro2::Ident,
    en: &proc_macro2::Ident,
    field: &str,
) -> TokenStream {
    let Some((values, _)) = g.ctx.enums.get(&en.to_string()) else {
        return quote!();
    };
    let has = |v: &&str| values.iter().any(|x| x == v);
    if field != "status" || !DONE.iter().any(has) || !FAILED.iter().all(has) {
        return quote!();
    }
    let vars = variants(values);
    let variant = |wanted: &[&str]| -> Vec<proc_macro2::Ident> {
        values
            .iter()
            .zip(&vars)
            .filter(|(v, _)| wanted.contains(&v.as_str()))
            .map(|(_, var)| ident(var))
            .collect()
    };
    let (ok, bad) = (variant(&DONE), variant(&FAILED));
    let names = |vs: &[&str]| {
        vs.iter()
            .filter(|v| has(v))
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let ddoc = doc(
        &format!(
            "A waiter that polls this work request until it ends: done at {}, an error at {} \
             (the error names the state).\n\n\
             Set `max_wait` and intervals on the [`Waiter`], then `.wait().await`.",
            names(&DONE),
            names(&FAILED)
        ),
        "",
    );
    quote! {
        #ddoc
        pub fn wait_until_done(self) -> Waiter<#name, models::#en> {
            self.wait_for([#(models::#en::#ok),*])
                .failure([#(models::#en::#bad),*])
        }
    }
}
