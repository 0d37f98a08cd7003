//! The spec format (`spec/<service>.json`, made by `scripts/gen_spec.py`) and its loading
//! (with the [`rules`](crate::rules) applied).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One service: its operations and models.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    pub service: String,
    pub python_client: String,
    pub sdk_version: String,
    pub doc: String,
    pub endpoint_template: String,
    pub base_path: String,
    pub strict_path_encoding: bool,
    pub operations: Vec<Operation>,
    pub models: Vec<Model>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// The client method name, snake case (`get_user`).
    pub name: String,
    /// The request type name (`GetUser`), also the operation name on the wire.
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub doc: String,
    pub api_reference: Option<String>,
    pub params: Vec<Param>,
    pub constant_headers: BTreeMap<String, String>,
    pub body: Option<BodySpec>,
    pub response: Option<Type>,
    pub exclude_body: bool,
    pub retry_token: bool,
    pub response_headers: Vec<String>,
    pub response_meta_headers: Option<String>,
    pub pagination: Option<Pagination>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Param {
    pub name: String,
    pub rust_name: String,
    pub location: String,
    #[serde(rename = "type")]
    pub ty: Type,
    pub required: bool,
    pub doc: String,
    pub collection_format: Option<String>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    pub default: Option<String>,
    #[serde(default)]
    pub prefix_map: bool,
    #[serde(default)]
    pub sensitive: bool,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct BodySpec {
    pub rust_name: String,
    #[serde(rename = "type")]
    pub ty: Type,
    pub required: bool,
    pub doc: String,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub token_from: String,
    pub token_field: Option<String>,
    pub token_param: String,
    pub items_field: Option<String>,
}

#[derive(Deserialize, Clone, Debug)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Type {
    String,
    Integer,
    Number,
    Boolean,
    Datetime,
    Date,
    Any,
    Binary,
    Model { name: String },
    List { items: Box<Type> },
    Map { values: Box<Type> },
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    pub name: String,
    pub doc: String,
    pub fields: Vec<Field>,
    pub base: Option<String>,
    pub discriminator: Option<Discriminator>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    pub name: String,
    pub rust_name: String,
    #[serde(rename = "type")]
    pub ty: Type,
    pub required: bool,
    pub doc: String,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    /// A secret (token, password): redacted in the generated `Debug`.
    #[serde(default)]
    pub secret: bool,
}

#[derive(Deserialize, Clone)]
pub struct Discriminator {
    pub field: String,
    pub mapping: BTreeMap<String, String>,
}

/// The specs under `dir`, `*.json`, sorted by file name: one service each.
pub fn list(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.extension().is_some_and(|x| x == "json") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// Reads and checks one spec: every name that becomes a Rust identifier must be one.
pub fn load(path: &Path) -> Result<Spec, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut spec: Spec =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    crate::rules::apply(&mut spec);
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if spec.service != stem {
        return Err(format!(
            "{}: names service `{}`; the file must be spec/{}.json",
            path.display(),
            spec.service,
            spec.service
        ));
    }
    let bad = identifiers(&spec).find(|n| !crate::naming::is_ident(n));
    match bad {
        Some(n) => Err(format!(
            "{}: `{n}` is not a Rust identifier",
            path.display()
        )),
        None => Ok(spec),
    }
}

/// Every spec name the generator turns into an identifier as it is.
fn identifiers(spec: &Spec) -> impl Iterator<Item = String> + '_ {
    let ops = spec.operations.iter().flat_map(|op| {
        let params = op.params.iter().map(|p| p.rust_name.clone());
        let body = op.body.iter().map(|b| b.rust_name.clone());
        let headers = op.response_headers.iter().map(|h| h.replace('-', "_"));
        [op.name.clone(), op.operation_id.clone()]
            .into_iter()
            .chain(params)
            .chain(body)
            .chain(headers)
    });
    let models = spec.models.iter().flat_map(|m| {
        std::iter::once(m.name.clone()).chain(m.fields.iter().map(|f| f.rust_name.clone()))
    });
    let client = crate::naming::client_name(&spec.python_client).to_owned();
    ops.chain(models).chain(std::iter::once(client))
}
