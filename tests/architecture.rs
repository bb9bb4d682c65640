//! Keeps ARCHITECTURE.md true: every `crate::` path in src/ points down the
//! stages, never up, and never sideways except where listed below.

use std::path::{Path, PathBuf};

/// The stages, top to bottom (ARCHITECTURE.md draws the same arrows).
const LAYERS: &[(&str, &[&str])] = &[
    ("the command line", &["cli"]),
    (
        "the commands' stages",
        &["daemon", "search", "report", "import", "check", "fleet"],
    ),
    ("the daemon's outputs", &["dispatch"]),
    ("the configuration", &["config"]),
    ("output, rules and the store", &["output", "rules", "store"]),
    (
        "events, records and tables",
        &["event", "record", "tables", "enrich"],
    ),
    ("the kernel's interfaces", &["wire", "netlink"]),
];

/// Uses within one layer, each with its reason; any other is refused, so
/// that no two modules of a layer can come to need each other.
const SIDEWAYS: &[(&str, &str, &str)] = &[
    (
        "search",
        "import",
        "a search over logs imports them into a private store",
    ),
    ("event", "record", "events are assembled from records"),
    (
        "netlink",
        "wire",
        "the socket carries the kernel's structures",
    ),
];

const ARROWS: &str =
    "cli -> {daemon, search, report, import, check, fleet} -> dispatch -> config -> \
{output, rules, store} -> {event, record, tables, enrich} -> {wire, netlink}";

fn layer_of(module: &str) -> Option<(usize, &'static str)> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
        .map(|i| (i, LAYERS[i].0))
}

/// The top-level module a file under src/ belongs to; `None` for the crate
/// root files.
fn module_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("src/")?;
    match rest.split_once('/') {
        Some((dir, _)) => Some(dir),
        None => rest
            .strip_suffix(".rs")
            .filter(|m| *m != "lib" && *m != "main"),
    }
}

/// The text without `//` comments (doc comments included), line breaks kept.
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.split_once("//").map_or(line, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
}

fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// Each module named right after `crate::`, with the byte offset of the
/// name: `crate::store::X`, and each item of `crate::{event::E, store::S}`.
fn crate_paths(code: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate::") {
        let start = from + at + "crate::".len();
        from = start;
        let preceded = code[..from - "crate::".len()]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if preceded {
            continue; // `foo_crate::`, not this crate
        }
        if code[start..].starts_with('{') {
            found.extend(group_items(code, start + 1));
        } else {
            found.push((start, identifier(&code[start..])));
        }
    }
    found
}

/// The first name of each top-level item of a `{...}` group opened just
/// before `start`.
fn group_items(code: &str, start: usize) -> Vec<(usize, &str)> {
    let mut items = Vec::new();
    let mut depth = 0;
    let mut item_start = start;
    for (i, c) in code[start..].char_indices() {
        let at = start + i;
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(item_start);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(item_start);
                item_start = at + 1;
            }
            _ => {}
        }
    }
    items
        .into_iter()
        .filter_map(|at| {
            let skipped = code[at..].len() - code[at..].trim_start().len();
            let name = identifier(code[at..].trim_start());
            (!name.is_empty() && name != "self").then_some((at + skipped, name))
        })
        .collect()
}

/// What a file under src/ breaks of the layering, one message each.
fn violations(path: &str, text: &str) -> Vec<String> {
    let Some(from) = module_of(path) else {
        return Vec::new();
    };
    let Some((from_layer, from_name)) = layer_of(from) else {
        return vec![format!(
            "{path}: module `{from}` is in no layer of tests/architecture.rs; \
             place it there and in ARCHITECTURE.md"
        )];
    };
    let code = without_comments(text);
    let mut found = Vec::new();
    for (at, to) in crate_paths(&code) {
        let line = code[..at].matches('\n').count() + 1;
        let Some((to_layer, to_name)) = layer_of(to) else {
            continue; // an item of the crate root, not a module
        };
        let sideways_ok = SIDEWAYS.iter().any(|(a, b, _)| *a == from && *b == to);
        let broken = if to == from || to_layer > from_layer || sideways_ok {
            continue;
        } else if to_layer < from_layer {
            format!("`{to}` is a stage above `{from}` ({to_name} over {from_name})")
        } else {
            format!(
                "`{to}` is beside `{from}` in {from_name}, and not one of the \
                 sideways uses tests/architecture.rs allows"
            )
        };
        found.push(format!(
            "{path}:{line}: `{from}` uses `crate::{to}`: {broken}; dependencies \
             point down only: {ARROWS} (see ARCHITECTURE.md)"
        ));
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("reading src") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn dependencies_point_down_the_stages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    assert!(files.len() > 50, "src/ has {} Rust files", files.len());
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("reading a source file");
        let relative = file.strip_prefix(root).expect("under the crate");
        broken.extend(violations(&relative.to_string_lossy(), &text));
    }
    assert!(broken.is_empty(), "\n{}\n", broken.join("\n"));
}

#[test]
fn every_module_has_a_layer() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("reading src/lib.rs");
    let modules: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';'))
        .collect();
    assert!(modules.contains(&"record"), "{modules:?}");
    let missing: Vec<_> = modules.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(missing.is_empty(), "modules in no layer: {missing:?}");
}

#[test]
fn an_upward_use_is_named_with_its_file_line_and_rule() {
    let found = violations(
        "src/record/parse.rs",
        "//! crate::store in a comment is fine\nuse crate::wire::message_type;\nuse crate::store::Writer;\n",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("src/record/parse.rs:3: `record` uses `crate::store`: `store` is a stage above `record`"),
        "{}",
        found[0]
    );
}

#[test]
fn grouped_and_inline_paths_are_read_too() {
    let text = "use crate::{\n    event::Event,\n    cli::Outcome,\n};\nfn f() { crate::daemon::run(); }\n";
    let found = violations("src/store/writer.rs", text);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("src/store/writer.rs:3: `store` uses `crate::cli`"));
    assert!(found[1].starts_with("src/store/writer.rs:5: `store` uses `crate::daemon`"));
}

#[test]
fn sideways_uses_need_a_listed_reason() {
    assert!(violations("src/event/mod.rs", "use crate::record::Record;").is_empty());
    let found = violations("src/record/mod.rs", "use crate::event::Event;");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("beside `record`"), "{}", found[0]);
}
