//! `impl Paginated` for list operations: where the next-page token comes from and goes to,
//! and where a page's items are.

use proc_macro2::TokenStream;
use quote::quote;

use super::Op;
use crate::context::Scope;
use crate::naming::ident;
use crate::spec::{Pagination, Type};

/// `impl Paginated`, when the operation pages and its items can be found.
pub fn paginated(g: &Op) -> TokenStream {
    let Some(pg) = &g.op.pagination else {
        return quote!();
    };
    let Some((item, items)) = items(g, pg) else {
        return quote!();
    };
    let (name, output) = (&g.name, &g.output);
    let param = g.op.params.iter().find(|p| p.name == pg.token_param);
    let set = match param {
        Some(p) => {
            let f = ident(&p.rust_name);
            quote!(self.#f = Some(token);)
        }
        // No parameter takes the token back: the first page is the only one.
        None => quote!(let _ = token;),
    };
    let next = next_token(g, pg);
    quote! {
        impl Paginated for #name {
            type Item = #item;
            fn set_token(&mut self, token: String) {
                #set
            }
            fn next_token(o: &#output) -> Option<String> {
                #next
            }
            fn into_items(o: #output) -> Vec<#item> {
                #items
            }
        }
    }
}

/// The item type and the expression that takes a page's items out of `o`.
fn items(g: &Op, pg: &Pagination) -> Option<(TokenStream, TokenStream)> {
    match (&g.op.response, &pg.items_field) {
        (Some(Type::List { items }), None) => {
            let ty = g.ctx.rust_type(items, None, Scope::Operations);
            Some((ty, quote!(o.body)))
        }
        (Some(Type::Model { name }), Some(field)) => {
            let model = g.ctx.models.get(name.as_str())?;
            let f = model.fields.iter().find(|f| &f.name == field)?;
            let Type::List { items } = &f.ty else {
                return None;
            };
            let ty = g.ctx.rust_type(items, None, Scope::Operations);
            let rn = ident(&f.rust_name);
            let expr = if f.required {
                quote!(o.body.#rn)
            } else {
                quote!(o.body.#rn.unwrap_or_default())
            };
            Some((ty, expr))
        }
        _ => None,
    }
}

/// The expression for the next page's token: the `opc-next-page` header or a body field.
fn next_token(g: &Op, pg: &Pagination) -> TokenStream {
    if pg.token_from == "header" {
        return quote!(o.opc_next_page.clone());
    }
    let tf = pg.token_field.as_deref().unwrap_or_default();
    let model = match &g.op.response {
        Some(Type::Model { name }) => g.ctx.models.get(name.as_str()),
        _ => None,
    };
    match model.and_then(|m| m.fields.iter().find(|f| f.name == tf)) {
        Some(f) if f.required => {
            let f = ident(&f.rust_name);
            quote!(Some(o.body.#f.clone()))
        }
        Some(f) => {
            let f = ident(&f.rust_name);
            quote!(o.body.#f.clone())
        }
        None => quote!(None),
    }
}
