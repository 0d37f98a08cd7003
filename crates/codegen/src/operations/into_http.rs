//! `Request::into_http`: path, query, headers and body, checked before any I/O.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Op;
use crate::naming::{camel, ident};
use crate::spec::{Param, Type};

/// The body of `into_http`.
pub fn into_http(g: &Op) -> TokenStream {
    let (path_stmts, path) = path(g);
    let (query_stmts, pq) = query(g, path);
    let method = format_ident!("{}", g.op.method);
    let headers = headers(g);
    let body = body(g);
    quote! {
        #(#path_stmts)*
        #query_stmts
        let mut b = oci_core::request::builder(http::Method::#method, endpoint, #pq)?;
        #(#headers)*
        #body
    }
}

/// The statements that check and encode the path parameters, and the path expression.
fn path(g: &Op) -> (Vec<TokenStream>, TokenStream) {
    let strict = g.ctx.spec.strict_path_encoding;
    let mut template = g.op.path.clone();
    let mut stmts = vec![];
    for p in g.params_in("path") {
        let var = format_ident!("p_{}", p.rust_name);
        let (name, field) = (&p.name, ident(&p.rust_name));
        stmts.push(quote! {
            let #var = rt::path_param(#name, self.#field.as_deref(), #strict)?;
        });
        template = template.replace(&format!("{{{}}}", p.name), &format!("{{{var}}}"));
    }
    let path = if stmts.is_empty() {
        quote!(#template)
    } else {
        quote!(&format!(#template))
    };
    (stmts, path)
}

/// `v` bound to the parameter's value around `then`: checked when required, skipped when unset.
fn with_value(p: &Param, then: TokenStream, otherwise: Option<TokenStream>) -> TokenStream {
    let (name, field) = (&p.name, ident(&p.rust_name));
    if p.required {
        quote! {
            let v = rt::required(self.#field.as_ref(), #name)?;
            #then
        }
    } else {
        let otherwise = otherwise.map(|o| quote!(else { #o }));
        quote! {
            if let Some(v) = self.#field.as_ref() { #then } #otherwise
        }
    }
}

/// The query statements, and the path-and-query expression.
fn query(g: &Op, path: TokenStream) -> (TokenStream, TokenStream) {
    let params: Vec<&Param> = g.params_in("query").collect();
    if params.is_empty() {
        return (quote!(), path);
    }
    let pushes = params.iter().map(|p| {
        let name = &p.name;
        let push = match &p.ty {
            Type::List { .. } => {
                let format = p.collection_format.as_deref().unwrap_or("multi");
                quote!(rt::query_list(&mut q, #name, v.iter().map(|x| x.to_string()), #format);)
            }
            Type::Map { .. } => quote!(rt::query_map(&mut q, #name, v);),
            _ => quote!(q.push(#name, &v.to_string());),
        };
        with_value(p, push, None)
    });
    let stmts = quote! {
        let path = #path;
        let mut q = oci_core::encode::Query::new();
        #(#pushes)*
    };
    (stmts, quote!(&q.append_to(path)))
}

/// One statement per header: the constant ones, then the parameters.
fn headers(g: &Op) -> Vec<TokenStream> {
    let mut out = vec![];
    for (k, v) in &g.op.constant_headers {
        if k != "accept" {
            out.push(quote!(b = b.header(#k, #v);));
        }
    }
    for p in g.params_in("header") {
        let (name, field) = (&p.name, ident(&p.rust_name));
        if p.prefix_map {
            out.push(quote!(b = rt::prefixed_headers(b, #name, self.#field.as_ref());));
            continue;
        }
        let set = if p.sensitive {
            quote!(b = b.header(#name, rt::sensitive(v.expose(), #name)?);)
        } else {
            quote!(b = b.header(#name, v.to_string());)
        };
        let default = p.default.as_ref().map(|d| quote!(b = b.header(#name, #d);));
        out.push(with_value(p, set, default));
    }
    out
}

/// The body and the finished request.
fn body(g: &Op) -> TokenStream {
    let Some(b) = &g.op.body else {
        return quote!(rt::finish(b, Body::empty()));
    };
    let field = ident(&b.rust_name);
    let name = camel(&b.rust_name);
    if g.streams_request() {
        let body = if b.required {
            quote!(rt::required(self.#field, #name)?)
        } else {
            quote!(self.#field.unwrap_or_default())
        };
        // The body's own length is the `content-length` (see `rules`).
        quote!(rt::finish_binary(b, #body))
    } else if b.required {
        quote!(rt::finish_json(b, Some(&rt::required(self.#field, #name)?)))
    } else {
        quote!(rt::finish_json(b, self.#field.as_ref()))
    }
}
