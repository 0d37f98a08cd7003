//! Polymorphic models: an enum of the subtypes, chosen by a discriminator field, with `Other`
//! for a discriminator this SDK does not know.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{constants, model_struct};
use crate::context::Ctx;
use crate::docs::{doc, doc_then};
use crate::naming::{ident, pascal};
use crate::spec::{Discriminator, Model};

/// The enum, its serde impls, its constants and the `...Base` struct of its `Other` variant.
pub fn polymorphic(ctx: &Ctx, m: &Model, d: &Discriminator) -> TokenStream {
    let name = ident(&m.name);
    let base_name = format!("{}Base", m.name);
    let base = format_ident!("{}", base_name);
    let field = &d.field;
    let head = doc_then(
        &m.doc,
        &format!("The `{}` model.", m.name),
        &format!("Polymorphic: the variant is chosen by the `{field}` field."),
    );
    let eq = (!ctx.model_has_float(&m.name)).then(|| quote!(, Eq));
    let values: Vec<&String> = d.mapping.keys().collect();
    let vars: Vec<_> = values
        .iter()
        .map(|v| format_ident!("{}", pascal(v)))
        .collect();
    let subs = d.mapping.values().map(|s| ident(s));
    let var_docs = values
        .iter()
        .map(|v| doc(&format!("`{field}` = `{v}`."), ""));
    let other_doc = doc(
        &format!("Any other `{field}`: the base fields, the discriminator kept as sent."),
        "",
    );
    let base_doc = format!(
        "The fields of a `{}` whose `{field}` this SDK does not know.",
        m.name
    );
    let consts = constants(ctx, m, &m.name);
    let base_struct = model_struct(ctx, m, &base_name, None, &base_doc);
    quote! {
        #head
        #[derive(Debug, Clone, PartialEq #eq)]
        pub enum #name {
            #( #var_docs #vars(#subs), )*
            #other_doc
            Other(#base),
        }

        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    #( Self::#vars(v) => oci_core::__rt::tagged(s, #field, #values, v), )*
                    Self::Other(v) => v.serialize(s),
                }
            }
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = serde_json::Value::deserialize(d)?;
                let r = match v.get(#field).and_then(|t| t.as_str()) {
                    #( Some(#values) => serde_json::from_value(v).map(Self::#vars), )*
                    _ => serde_json::from_value(v).map(Self::Other),
                };
                r.map_err(serde::de::Error::custom)
            }
        }

        #consts
        #base_struct
    }
}
