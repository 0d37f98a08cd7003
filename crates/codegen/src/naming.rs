//! Names: spec names to Rust identifiers, type and variant names.

use proc_macro2::{Ident, Span};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "if", "impl", "in", "let", "loop", "macro",
    "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static",
    "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers either.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Whether `name` can become an identifier (a keyword becomes a raw one, `r#type`).
pub fn is_ident(name: &str) -> bool {
    let mut cs = name.chars();
    let first_ok = cs
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && cs.all(|c| c.is_ascii_alphanumeric() || c == '_') && !NOT_RAW.contains(&name)
}

/// The identifier for a spec name (checked by [`is_ident`] when the spec was loaded, or made by
/// [`pascal`]): a keyword becomes a raw identifier.
pub fn ident(name: &str) -> Ident {
    if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// `PascalCase` from any spelling, splitting on non-alphanumerics, on lower-to-upper and on
/// the end of an ALLCAPS word; a name that would start with a digit gets a `V`.
pub fn pascal(s: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase() || (prev.is_ascii_uppercase() && next_lower) {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let mut out = String::new();
    for w in words {
        let lower = w.to_ascii_lowercase();
        let mut cs = lower.chars();
        if let Some(f) = cs.next() {
            out.push(f.to_ascii_uppercase());
            out.extend(cs);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// `UPPER_SNAKE_CASE`, via [`pascal`].
pub fn upper_snake(s: &str) -> String {
    let p = pascal(s);
    let mut out = String::new();
    for (i, c) in p.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// `camelCase` from `snake_case`.
pub fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The variant name of each enum value, in order: [`pascal`], `Unknown` renamed (it is the
/// catch-all), clashes made unique with trailing underscores.
pub fn variants(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let mut var = pascal(v);
        if var == "Unknown" {
            var = "UnknownValue".into();
        }
        while out.contains(&var) {
            var.push('_');
        }
        out.push(var);
    }
    out
}

/// The struct field holding a response header (`opc-request-id` -> `opc_request_id`).
pub fn header_field(header: &str) -> Ident {
    ident(&header.replace('-', "_"))
}

/// The client type of a service: the Python SDK client's name (`oci.identity.IdentityClient`
/// -> `IdentityClient`).
pub fn client_name(python_client: &str) -> &str {
    python_client.rsplit('.').next().unwrap_or(python_client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_splits_words() {
        assert_eq!(pascal("lifecycle_state"), "LifecycleState");
        assert_eq!(pascal("ACTIVE"), "Active");
        assert_eq!(pascal("SSLCertificate"), "SslCertificate");
        assert_eq!(pascal("v2-beta"), "V2Beta");
        assert_eq!(pascal("2fa"), "V2fa");
        assert_eq!(pascal(""), "V");
    }

    #[test]
    fn other_cases() {
        assert_eq!(upper_snake("inProgress"), "IN_PROGRESS");
        assert_eq!(camel("compartment_id"), "compartmentId");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(header_field("opc-request-id").to_string(), "opc_request_id");
        assert_eq!(
            client_name("oci.object_storage.ObjectStorageClient"),
            "ObjectStorageClient"
        );
    }

    #[test]
    fn variants_are_unique() {
        let v: Vec<String> = ["a-b", "A_B", "UNKNOWN"].map(String::from).into();
        assert_eq!(variants(&v), ["AB", "AB_", "UnknownValue"]);
    }

    #[test]
    fn identifiers() {
        assert!(is_ident("compartment_id") && is_ident("r#type".trim_start_matches("r#")));
        assert!(!is_ident("") && !is_ident("1a") && !is_ident("a-b") && !is_ident("self"));
    }
}
