//! `oci-codegen`: writes each service crate's `src/generated/` from `spec/<service>.json`.
//!
//! ```text
//! cargo run -p oci-codegen            # regenerate
//! cargo run -p oci-codegen -- --check # exit 1 when the committed output is stale (CI)
//! ```
//!
//! Every `spec/*.json` is one service, generated into `crates/<service>/src/generated/` (the
//! directory is the generator's: a file there it does not write is stale). The specs are made
//! by `scripts/gen_spec.py` from the official OCI Python SDK. Code is built as tokens
//! (`quote`), printed by `prettyplease` and formatted by `rustfmt`, so that `cargo fmt --check`
//! accepts it unchanged. What every service shares at run time is in `oci_core::__rt`, compiled
//! and tested there.
//!
//! Modules: [`spec`] (the format), [`context`] (derived facts: enums, defaults), [`naming`],
//! [`docs`], [`models`], [`operations`] (request, `into_http`, parse, pagination, waiter,
//! client), [`service`] (`generated/mod.rs`), [`emit`] (printing), [`rules`] (what every spec
//! is read as: typed comma-separated lists, an upload's length from its body).

mod context;
mod docs;
mod emit;
mod models;
mod naming;
mod operations;
mod rules;
mod service;
mod spec;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The files of one service's `generated/` directory, and their contents.
fn generate(spec_path: &Path, root: &Path) -> Result<(PathBuf, Vec<(PathBuf, String)>), String> {
    let spec = spec::load(spec_path)?;
    let ctx = context::Ctx::new(&spec);
    let svc = spec.service.as_str();
    let dir = root.join("crates").join(svc).join("src").join("generated");
    let files = [
        ("mod.rs", service::file(&spec)),
        ("models.rs", models::file(&ctx)),
        ("operations.rs", operations::file(&ctx)),
    ];
    let mut out = Vec::new();
    for (name, tokens) in files {
        let text = emit::file(svc, tokens).map_err(|e| format!("{name}: {e}"))?;
        out.push((dir.join(name), text));
    }
    Ok((dir, out))
}

/// Files in `dir` that the generator did not write this time (e.g. an old `rt.rs`).
fn leftovers(dir: &Path, written: &[(PathBuf, String)]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !written.iter().any(|(w, _)| w == p))
        .collect()
}

/// Writes (or, with `check`, compares) one service; returns the stale paths.
fn sync(spec_path: &Path, root: &Path, check: bool) -> Result<Vec<PathBuf>, String> {
    let (dir, files) = generate(spec_path, root)?;
    let mut stale = Vec::new();
    for (path, content) in &files {
        if std::fs::read_to_string(path).ok().as_deref() == Some(content.as_str()) {
            continue;
        }
        if !check {
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            std::fs::write(path, content).map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!("oci-codegen: wrote {}", path.display());
        }
        stale.push(path.clone());
    }
    for path in leftovers(&dir, &files) {
        if !check {
            std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!("oci-codegen: removed {}", path.display());
        }
        stale.push(path);
    }
    Ok(stale)
}

fn run(check: bool) -> Result<Vec<PathBuf>, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .map_err(|e| format!("workspace root: {e}"))?;
    let specs = spec::list(&root.join("spec"))?;
    if specs.is_empty() {
        return Err("no spec/*.json".into());
    }
    let mut stale = Vec::new();
    for spec_path in specs {
        let name = spec_path.display().to_string();
        stale.extend(sync(&spec_path, &root, check).map_err(|e| format!("{name}: {e}"))?);
    }
    Ok(stale)
}

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    match run(check) {
        Err(e) => {
            eprintln!("oci-codegen: {e}");
            ExitCode::FAILURE
        }
        Ok(stale) if check && !stale.is_empty() => {
            let list: Vec<String> = stale.iter().map(|p| p.display().to_string()).collect();
            eprintln!(
                "oci-codegen: generated code is stale; run `cargo run -p oci-codegen`:\n  {}",
                list.join("\n  ")
            );
            ExitCode::FAILURE
        }
        Ok(_) => ExitCode::SUCCESS,
    }
}
