//! What the emitters need to know about a spec beyond its text: which enums exist and what they
//! are called, which models are polymorphic subtypes, which types have a `Default` or a float.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proc_macro2::TokenStream;
use quote::quote;

use crate::naming::{ident, pascal};
use crate::spec::{Model, Spec, Type};

/// A spec and the facts derived from it.
pub struct Ctx<'a> {
    pub spec: &'a Spec,
    pub models: HashMap<&'a str, &'a Model>,
    /// (model, field rust name) -> enum type name.
    pub field_enums: HashMap<(String, String), String>,
    /// Enum name -> (values, summary): every enum to emit, models' and operations'.
    pub enums: BTreeMap<String, (Vec<String>, String)>,
    /// (operation method name, param rust name) -> enum type name.
    pub param_enums: HashMap<(String, String), String>,
    /// Subtype model -> (base model, discriminator field).
    pub subtypes: HashMap<String, (String, String)>,
}

/// Where a type is written: in `models.rs`, or in `operations.rs` (models under `models::`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Models,
    Operations,
}

impl<'a> Ctx<'a> {
    pub fn new(spec: &'a Spec) -> Self {
        let mut ctx = Ctx {
            spec,
            models: spec.models.iter().map(|m| (m.name.as_str(), m)).collect(),
            field_enums: HashMap::new(),
            enums: BTreeMap::new(),
            param_enums: HashMap::new(),
            subtypes: HashMap::new(),
        };
        for m in &spec.models {
            if let Some(d) = &m.discriminator {
                for sub in d.mapping.values() {
                    let base = (m.name.clone(), d.field.clone());
                    ctx.subtypes.insert(sub.clone(), base);
                }
            }
        }
        ctx.collect_field_enums();
        ctx.collect_param_enums();
        ctx
    }

    /// Model fields with enum values; a subtype reuses its base model's enum for inherited
    /// fields.
    fn collect_field_enums(&mut self) {
        let spec = self.spec;
        for m in &spec.models {
            for f in &m.fields {
                let Some(values) = &f.enum_values else {
                    continue;
                };
                let inherited = m.base.as_ref().filter(|b| {
                    self.models
                        .get(b.as_str())
                        .is_some_and(|bm| bm.fields.iter().any(|bf| bf.rust_name == f.rust_name))
                });
                let owner = inherited.unwrap_or(&m.name);
                let name = format!("{owner}{}", pascal(&f.rust_name));
                self.field_enums
                    .insert((m.name.clone(), f.rust_name.clone()), name.clone());
                self.enums.entry(name).or_insert_with(|| {
                    (values.clone(), format!("Values of `{owner}.{}`.", f.name))
                });
            }
        }
    }

    /// Operation parameters with enum values: one shared enum when every operation with that
    /// parameter agrees on its values (and no model has the name), else one per operation.
    fn collect_param_enums(&mut self) {
        let spec = self.spec;
        let mut by_param: BTreeMap<&str, BTreeSet<&Vec<String>>> = BTreeMap::new();
        for p in spec.operations.iter().flat_map(|op| &op.params) {
            if let Some(v) = &p.enum_values {
                by_param.entry(&p.rust_name).or_default().insert(v);
            }
        }
        for op in &spec.operations {
            for p in &op.params {
                let Some(values) = &p.enum_values else {
                    continue;
                };
                let own = format!("{}{}", op.operation_id, pascal(&p.rust_name));
                let shared = by_param
                    .get(p.rust_name.as_str())
                    .is_some_and(|s| s.len() == 1);
                let mut name = if shared && !self.models.contains_key(pascal(&p.rust_name).as_str())
                {
                    pascal(&p.rust_name)
                } else {
                    own.clone()
                };
                if self.enums.get(&name).is_some_and(|(v, _)| v != values) {
                    name = own;
                }
                self.enums.entry(name.clone()).or_insert_with(|| {
                    let summary = format!("Values of the `{}` parameter.", p.name);
                    (values.clone(), summary)
                });
                self.param_enums
                    .insert((op.name.clone(), p.rust_name.clone()), name);
            }
        }
    }

    /// The enum type of a model field, if it has one.
    pub fn field_enum(&self, model: &str, field: &str) -> Option<&String> {
        self.field_enums.get(&(model.to_owned(), field.to_owned()))
    }

    /// The enum type of an operation parameter, if it has one.
    pub fn param_enum(&self, op: &str, param: &str) -> Option<&String> {
        self.param_enums.get(&(op.to_owned(), param.to_owned()))
    }

    /// Whether a required field of this type can be defaulted (so its struct derives `Default`).
    pub fn has_default(&self, t: &Type, enum_name: Option<&String>) -> bool {
        if enum_name.is_some() {
            return false;
        }
        match t {
            Type::Datetime | Type::Date | Type::Binary => false,
            Type::Model { name } => self.model_has_default(name),
            _ => true,
        }
    }

    fn model_has_default(&self, name: &str) -> bool {
        match self.models.get(name) {
            Some(m) if m.discriminator.is_none() => m.fields.iter().all(|f| {
                !f.required || self.has_default(&f.ty, self.field_enum(&m.name, &f.rust_name))
            }),
            _ => false,
        }
    }

    /// Whether a model holds a float anywhere (so it cannot derive `Eq`).
    pub fn model_has_float(&self, name: &str) -> bool {
        self.model_float(name, &mut BTreeSet::new())
    }

    fn is_float(&self, t: &Type, seen: &mut BTreeSet<String>) -> bool {
        match t {
            Type::Number | Type::Any => true,
            Type::List { items: t } | Type::Map { values: t } => self.is_float(t, seen),
            Type::Model { name } => self.model_float(name, seen),
            _ => false,
        }
    }

    fn model_float(&self, name: &str, seen: &mut BTreeSet<String>) -> bool {
        if !seen.insert(name.to_owned()) {
            return false;
        }
        let Some(m) = self.models.get(name) else {
            return false;
        };
        let subs: Vec<&String> = m
            .discriminator
            .iter()
            .flat_map(|d| d.mapping.values())
            .collect();
        m.fields.iter().any(|f| self.is_float(&f.ty, seen))
            || subs.iter().any(|s| self.model_float(s, seen))
    }

    /// The Rust type of a spec type; `enum_name` replaces the innermost string.
    pub fn rust_type(&self, t: &Type, enum_name: Option<&String>, scope: Scope) -> TokenStream {
        let models = match scope {
            Scope::Models => quote!(),
            Scope::Operations => quote!(models::),
        };
        match t {
            Type::String => match enum_name {
                Some(e) => {
                    let e = ident(e);
                    quote!(#models #e)
                }
                None => quote!(String),
            },
            Type::Integer => quote!(i64),
            Type::Number => quote!(f64),
            Type::Boolean => quote!(bool),
            Type::Datetime => quote!(DateTime),
            Type::Date => quote!(String),
            Type::Any => quote!(serde_json::Value),
            Type::Binary => quote!(Body),
            Type::Model { name } => {
                let n = ident(name);
                quote!(#models #n)
            }
            Type::List { items } => {
                let inner = self.rust_type(items, enum_name, scope);
                quote!(Vec<#inner>)
            }
            Type::Map { values } => {
                let inner = self.rust_type(values, enum_name, scope);
                quote!(HashMap<String, #inner>)
            }
        }
    }
}
