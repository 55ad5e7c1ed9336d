//! The module graph of `src/` has no cycle, and ARCHITECTURE.md shows it as
//! it is: its "Module graph" block lists every top-level module, upstream
//! first, with the modules it uses. A module may use only modules listed
//! above it, so a newcomer can read the stages in order.
//!
//! A module's dependencies are the `crate::NAME` paths in its code, not in
//! comments and not in its unit tests (at the end of a file, after
//! `#[cfg(test)]`), which may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const BEGIN: &str = "<!-- module-graph -->";
const END: &str = "<!-- /module-graph -->";

/// Top-level module → the other top-level modules its code names.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn code_without_unit_tests(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod tests").map_or(text, |at| &text[..at])
}

/// Every `crate::a`, and each name in `crate::{a, b::c}`, in `code`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group: after `{` and after each comma at depth 0.
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        names.insert(ident(&group[i..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            names.insert(ident(rest));
        }
    }
    names
}

fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_string_lossy().to_string();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_owned();
    (name != "lib" && name != "main").then_some(name)
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn graph_of_code() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph = Graph::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else { continue };
        graph.entry(module.clone()).or_default();
        let text = std::fs::read_to_string(file).expect("source is readable");
        // Comments (doc links included) name modules without using them.
        let code: String = code_without_unit_tests(&text)
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .map(|l| format!("{l}\n"))
            .collect();
        for name in crate_paths(&code) {
            if name != module && !name.is_empty() {
                graph.entry(module.clone()).or_default().insert(name);
            }
        }
    }
    // Names that are not modules (re-exports such as `crate::Error`) are not edges.
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for uses in graph.values_mut() {
        uses.retain(|name| modules.contains(name));
    }
    graph
}

/// The documented graph, in its order: `module: dep, dep`.
fn graph_of_doc() -> Vec<(String, BTreeSet<String>)> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md is readable");
    let start = doc.find(BEGIN).expect("ARCHITECTURE.md has the module-graph block") + BEGIN.len();
    let end = doc[start..].find(END).expect("the module-graph block is closed") + start;
    doc[start..end]
        .lines()
        .map(|l| l.trim().trim_start_matches("- ").trim_matches('`'))
        .filter(|l| !l.is_empty() && !l.starts_with("```"))
        .map(|line| {
            let (module, uses) = line.split_once(':').unwrap_or((line, ""));
            let uses = uses.split(',').map(|u| u.trim().trim_matches('`').to_owned()).filter(|u| !u.is_empty());
            (module.trim().trim_matches('`').to_owned(), uses.collect())
        })
        .collect()
}

fn render(graph: &[(String, BTreeSet<String>)]) -> String {
    graph
        .iter()
        .map(|(m, uses)| format!("{m}: {}", uses.iter().cloned().collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn crate_paths_are_found_in_plain_and_grouped_imports() {
    let code = "use crate::a::B;\nuse crate::{b, c::{D, E}, f};\nlet x = crate::g::h();";
    let names: Vec<String> = crate_paths(code).into_iter().collect();
    assert_eq!(names, ["a", "b", "c", "f", "g"]);
}

#[test]
fn modules_form_the_documented_layers_without_cycles() {
    let code = graph_of_code();
    let doc = graph_of_doc();
    // The doc in the code's order, to show what to paste when they differ.
    let mut expected: Vec<(String, BTreeSet<String>)> = Vec::new();
    let mut placed = BTreeSet::new();
    while placed.len() < code.len() {
        let ready: Vec<&String> =
            code.iter().filter(|(m, uses)| !placed.contains(*m) && uses.is_subset(&placed)).map(|(m, _)| m).collect();
        assert!(
            !ready.is_empty(),
            "the modules {:?} form a cycle",
            code.keys().filter(|m| !placed.contains(*m)).collect::<Vec<_>>()
        );
        for m in ready {
            expected.push((m.clone(), code[m].clone()));
            placed.insert(m.clone());
        }
    }
    let documented: BTreeMap<String, BTreeSet<String>> = doc.iter().cloned().collect();
    assert_eq!(
        documented,
        code,
        "ARCHITECTURE.md's module graph does not match the code; for example, write:\n{}",
        render(&expected)
    );
    // Each module uses only modules listed above it.
    let mut above = BTreeSet::new();
    for (module, uses) in &doc {
        let later: Vec<&String> = uses.difference(&above).collect();
        assert!(later.is_empty(), "ARCHITECTURE.md lists {module} before {later:?}, which it uses");
        above.insert(module.clone());
    }
}
