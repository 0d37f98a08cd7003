//! String enums: known values as variants, any other value kept as `Unknown(String)`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::docs::doc;
use crate::naming::{ident, variants};

/// One string enum with its conversions and `Display`.
pub fn string_enum(name: &str, values: &[String], summary: &str) -> TokenStream {
    let ty = ident(name);
    let vars: Vec<_> = variants(values).iter().map(|v| ident(v)).collect();
    let docs = values.iter().map(|v| doc(&format!("`{v}`"), ""));
    let head = doc(
        &format!(
            "{summary}\n\nA value this SDK does not know is kept as [`{name}::Unknown`], never rejected."
        ),
        "",
    );
    quote! {
        #head
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum #ty {
            #( #docs #vars, )*
            /// A value not known to this SDK version, kept as sent.
            Unknown(String),
        }

        impl #ty {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#vars => #values, )*
                    Self::Unknown(s) => s,
                }
            }
        }

        impl From<String> for #ty {
            fn from(s: String) -> Self {
                match s.as_str() {
                    #( #values => Self::#vars, )*
                    _ => Self::Unknown(s),
                }
            }
        }

        impl From<&str> for #ty {
            fn from(s: &str) -> Self {
                Self::from(s.to_owned())
            }
        }

        impl From<#ty> for String {
            fn from(v: #ty) -> String {
                match v {
                    #ty::Unknown(s) => s,
                    v => v.as_str().to_owned(),
                }
            }
        }

        impl std::fmt::Display for #ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}
