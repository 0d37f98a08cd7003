//! Rules applied to every spec as it is loaded, where the Python SDK's description says less
//! than the API means. Each rule is general (keyed on what a parameter *is*, never on one
//! operation's name), so an operation added to a spec later follows it too.
//!
//! - **A comma-separated list is a typed list**: a `string` query parameter whose doc says it is
//!   comma-separated and lists `Allowed values are: "a", "b"` becomes a `csv` list of an enum of
//!   those values, like the parameters the SDK already types so (Object Storage `list_objects`'s
//!   `fields`, as `get_bucket`'s and `list_buckets`'s are).
//! - **An upload's length is its body's**: an operation whose body is a stream does not get a
//!   separate `content-length` parameter; the body's own length (`Body::content_length`, a
//!   `u64`) is sent, so there is one length and one place to set it.

use crate::spec::{Operation, Spec, Type};

/// Applies every rule to `spec`.
pub fn apply(spec: &mut Spec) {
    for op in &mut spec.operations {
        comma_separated_lists(op);
        upload_length_is_the_bodys(op);
    }
}

fn comma_separated_lists(op: &mut Operation) {
    for p in &mut op.params {
        if p.location != "query" || !matches!(p.ty, Type::String) || p.enum_values.is_some() {
            continue;
        }
        let lower = p.doc.to_ascii_lowercase();
        if !lower.contains("comma-separated") && !lower.contains("comma separated") {
            continue;
        }
        let Some(values) = allowed_values(&p.doc) else {
            continue;
        };
        p.ty = Type::List {
            items: Box::new(Type::String),
        };
        p.collection_format = Some("csv".to_owned());
        p.enum_values = Some(values);
    }
}

/// The values of an `Allowed values are: "a", "b"` line.
fn allowed_values(doc: &str) -> Option<Vec<String>> {
    let (_, rest) = doc.split_once("Allowed values are:")?;
    let line = rest.lines().next()?;
    let values: Vec<String> = line
        .split(',')
        .map(|v| v.trim().trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    (!values.is_empty()).then_some(values)
}

fn upload_length_is_the_bodys(op: &mut Operation) {
    let streams = matches!(op.body.as_ref().map(|b| &b.ty), Some(Type::Binary));
    if streams {
        op.params.retain(|p| p.name != "content-length");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn allowed_values_are_read_from_the_doc() {
        let doc = "A list.\n\nAllowed values are: \"name\", \"size\", \"timeCreated\"";
        assert_eq!(
            allowed_values(doc).unwrap(),
            ["name", "size", "timeCreated"]
        );
        assert_eq!(allowed_values("no values"), None);
    }
}
