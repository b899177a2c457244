//! The crate's modules depend on each other in one direction only, in the
//! order `src/lib.rs` documents. Reads every `src/**/*.rs` and checks each
//! `crate::module` path against that order, so a back-edge fails here
//! instead of growing unnoticed.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, top first: a module may use any module of a lower layer.
const LAYERS: &[&[&str]] = &[
    &["app"],
    &["compare", "merge", "plot", "workers"],
    &["cli"],
    &["config"],
    &["workload", "engine", "tls"],
    &["http", "stats", "report", "results"],
    &["c", "sys", "files", "fmt", "output"],
];

/// Uses between modules of the same layer, each for a reason.
const SAME_LAYER: &[(&str, &str)] = &[
    // Workloads drive the engine through its `Actions` trait and notices.
    ("workload", "engine"),
    // The engine wraps connections in TLS sessions.
    ("engine", "tls"),
    // The report renders the statistics.
    ("report", "stats"),
    // Statistics classify replies by HTTP status.
    ("stats", "http"),
    // The results recorder reads httperf's summary for the JSON and the
    // self-check, and the report's values for the JSON.
    ("results", "stats"),
    ("results", "report"),
];

/// Back-edges allowed against the order above: none. A new entry needs a
/// reason next to it.
const KNOWN_BACK_EDGES: &[(&str, &str)] = &[];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// The top-level module a file under `src/` belongs to (`None` for the crate
/// root files).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// The modules named by `crate::…` paths in `code` (comments excluded),
/// `use crate::{a, b::c}` groups included.
fn used_modules(code: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or("");
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let before = &rest[..at];
            rest = &rest[at + "crate::".len()..];
            if before.ends_with('$') || before.ends_with(|c: char| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        used.insert(name);
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    used.insert(name);
                }
            }
        }
    }
    used
}

fn allowed(from: &str, to: &str) -> Result<(), String> {
    if from == to {
        return Ok(());
    }
    let (Some(from_layer), Some(to_layer)) = (layer_of(from), layer_of(to)) else {
        return Err(format!(
            "{from} or {to} is not in LAYERS: place it in the order"
        ));
    };
    if to_layer > from_layer
        || SAME_LAYER.contains(&(from, to))
        || KNOWN_BACK_EDGES.contains(&(from, to))
    {
        Ok(())
    } else {
        Err(format!("{from} must not use {to}"))
    }
}

#[test]
fn every_crate_path_points_down_the_documented_order() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    for file in &files {
        let Some(from) = module_of(&src, file) else {
            continue;
        };
        let code = fs::read_to_string(file).expect("a source file is UTF-8");
        for to in used_modules(&code) {
            if let Err(why) = allowed(&from, &to) {
                violations.push(format!("{}: {why}", file.display()));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_known_back_edges_are_still_there() {
    // An entry that no longer occurs must leave the list, so that it cannot
    // hide a new back-edge later.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges = BTreeSet::new();
    for file in &files {
        if let Some(from) = module_of(&src, file) {
            let code = fs::read_to_string(file).expect("a source file is UTF-8");
            for to in used_modules(&code) {
                edges.insert((from.clone(), to));
            }
        }
    }
    for (from, to) in KNOWN_BACK_EDGES {
        assert!(
            edges.contains(&(from.to_string(), to.to_string())),
            "{from} no longer uses {to}: remove it from KNOWN_BACK_EDGES"
        );
    }
}

#[test]
fn the_checker_sees_paths_groups_and_ignores_comments() {
    let code = "use crate::engine::Engine;\nuse crate::{http, stats::x};\n\
                // crate::cli in a comment\nlet a = crate::sys::f(); $crate::output::p();\n";
    let used: Vec<String> = used_modules(code).into_iter().collect();
    assert_eq!(used, ["engine", "http", "stats", "sys"]);
    assert!(allowed("engine", "workload").is_err());
    assert!(allowed("workload", "engine").is_ok());
}

/// What `engine::api` exports: the only engine items a workload may name.
const ENGINE_API: &[&str] = &[
    "Actions",
    "Workload",
    "Notice",
    "ConnId",
    "ConnMap",
    "CloseReason",
    "CallHistory",
    "UnfinishedCall",
];

/// The engine items named by `crate::engine::…` paths in `code`.
fn engine_items(code: &str) -> BTreeSet<String> {
    let mut items = BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or("");
        let mut rest = line;
        while let Some(at) = rest.find("crate::engine::") {
            rest = &rest[at + "crate::engine::".len()..];
            let names = match rest.strip_prefix('{') {
                Some(group) => group.split('}').next().unwrap_or(""),
                None => rest,
            };
            for item in names.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    items.insert(name);
                }
                if !rest.starts_with('{') {
                    break;
                }
            }
        }
    }
    items
}

#[test]
fn workloads_see_the_engine_only_through_its_api() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join("workload"), &mut files);
    let mut outside = Vec::new();
    for file in &files {
        let code = fs::read_to_string(file).expect("a source file is UTF-8");
        for item in engine_items(&code) {
            if !ENGINE_API.contains(&item.as_str()) {
                outside.push(format!("{}: engine::{item}", file.display()));
            }
        }
    }
    assert!(outside.is_empty(), "{}", outside.join("\n"));
    let sample = "use crate::engine::{Actions, Engine};\nlet c = crate::engine::socket::x;";
    let items: Vec<String> = engine_items(sample).into_iter().collect();
    assert_eq!(items, ["Actions", "Engine", "socket"]);
}
