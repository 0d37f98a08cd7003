//! `models.rs`: the JSON bodies of requests and responses.

mod enums;
mod polymorphic;

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::context::{Ctx, Scope};
use crate::docs::doc;
use crate::naming::{camel, ident, upper_snake, variants};
use crate::spec::Model;

/// The whole `models.rs`.
pub fn file(ctx: &Ctx) -> TokenStream {
    let enums = ctx
        .enums
        .iter()
        .map(|(name, (values, summary))| enums::string_enum(name, values, summary));
    let models = ctx.spec.models.iter().map(|m| model(ctx, m));
    quote! {
        //! Models: the JSON bodies of requests and responses.

        #![allow(
            clippy::doc_lazy_continuation,
            clippy::large_enum_variant,
            clippy::enum_variant_names
        )]

        #[allow(unused_imports)]
        use std::collections::HashMap;

        #[allow(unused_imports)]
        use oci_core::DateTime;
        use serde::{Deserialize, Serialize};

        #(#enums)*
        #(#models)*
    }
}

fn model(ctx: &Ctx, m: &Model) -> TokenStream {
    if let Some(d) = &m.discriminator {
        polymorphic::polymorphic(ctx, m, d)
    } else if let Some((_, field)) = ctx.subtypes.get(&m.name) {
        // The discriminator is written by the base enum's `Serialize`.
        model_struct(ctx, m, &m.name, Some(field), &m.doc)
    } else {
        let s = model_struct(ctx, m, &m.name, None, &m.doc);
        let c = constants(ctx, m, &m.name);
        quote!(#s #c)
    }
}

/// A model's struct named `name`, without the field `skip` (a subtype's discriminator).
fn model_struct(
    ctx: &Ctx,
    m: &Model,
    name: &str,
    skip: Option<&String>,
    doc_text: &str,
) -> TokenStream {
    let fields: Vec<_> = m.fields.iter().filter(|f| skip != Some(&f.name)).collect();
    let default = fields
        .iter()
        .all(|f| !f.required || ctx.has_default(&f.ty, ctx.field_enum(&m.name, &f.rust_name)));
    let has_secret = fields.iter().any(|f| f.secret);
    let mut derives = vec![];
    if !has_secret {
        derives.push(quote!(Debug));
    }
    derives.extend([quote!(Clone), quote!(PartialEq)]);
    if !ctx.model_has_float(&m.name) {
        derives.push(quote!(Eq));
    }
    if default {
        derives.push(quote!(Default));
    }
    derives.extend([quote!(Serialize), quote!(Deserialize)]);
    let members = fields.iter().map(|f| {
        let en = ctx.field_enum(&m.name, &f.rust_name);
        let ty = ctx.rust_type(&f.ty, en, Scope::Models);
        let fdoc = doc(&f.doc, &format!("`{}`", f.name));
        let mut attrs = vec![];
        if camel(&f.rust_name) != f.name {
            let n = &f.name;
            attrs.push(quote!(rename = #n));
        }
        let ty = if f.required {
            ty
        } else {
            attrs.push(quote!(default, skip_serializing_if = "Option::is_none"));
            quote!(Option<#ty>)
        };
        let serde = (!attrs.is_empty()).then(|| quote!(#[serde(#(#attrs),*)]));
        let field = ident(&f.rust_name);
        quote! { #fdoc #serde pub #field: #ty, }
    });
    let head = doc(doc_text, &format!("The `{}` model.", m.name));
    let ty = format_ident!("{}", name);
    let debug = has_secret.then(|| redacted_debug(&fields, name));
    quote! {
        #head
        #[derive(#(#derives),*)]
        #[serde(rename_all = "camelCase")]
        pub struct #ty { #(#members)* }
        #debug
    }
}

/// A `Debug` impl that prints `<redacted>` for the model's secret fields.
fn redacted_debug(fields: &[&crate::spec::Field], name: &str) -> TokenStream {
    let ty = format_ident!("{}", name);
    let entries = fields.iter().map(|f| {
        let label = &f.rust_name;
        let field = ident(&f.rust_name);
        if f.secret {
            quote!(.field(#label, &"<redacted>"))
        } else {
            quote!(.field(#label, &self.#field))
        }
    });
    quote! {
        impl std::fmt::Debug for #ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#name) #(#entries)* .finish()
            }
        }
    }
}

/// `FIELD_VALUE` constants on `type_name` for each enum value of each field, e.g.
/// `User::LIFECYCLE_STATE_ACTIVE`.
fn constants(ctx: &Ctx, m: &Model, type_name: &str) -> TokenStream {
    let mut seen = BTreeSet::new();
    let mut consts = vec![];
    for f in &m.fields {
        let (Some(values), Some(en)) = (&f.enum_values, ctx.field_enum(&m.name, &f.rust_name))
        else {
            continue;
        };
        let en = ident(en);
        for (v, var) in values.iter().zip(variants(values)) {
            let cname = format!("{}_{}", f.rust_name.to_ascii_uppercase(), upper_snake(v));
            if !seen.insert(cname.clone()) {
                continue;
            }
            let cdoc = doc(&format!("`{}` = `{v}`.", f.name), "");
            let (cname, var) = (format_ident!("{}", cname), format_ident!("{}", var));
            consts.push(quote! { #cdoc pub const #cname: #en = #en::#var; });
        }
    }
    if consts.is_empty() {
        return quote!();
    }
    let ty = format_ident!("{}", type_name);
    quote! { impl #ty { #(#consts)* } }
}
