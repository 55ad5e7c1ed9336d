//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use backprop_worksheet::render::Templates;
use lopdf::{Document, Object};
use proptest::prelude::*;

/// The package root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path as `&str`, for argument lists.
pub fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Runs the binary in `dir`; no run may ever panic.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    let output = Command::cargo_bin("backprop-worksheet")
        .expect("the binary is built")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "`{}` panicked:\n{stderr}", args.join(" "));
    output
}

/// Runs the binary from the package root.
pub fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

/// `watch` with `args`, running until [`stop_watch`]; its output is piped.
pub fn start_watch(args: &[&str]) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("backprop-worksheet"))
        .arg("watch")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("watch starts")
}

/// Waits until `what` holds, for a minute at most.
pub fn wait_until(what: &dyn Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !what() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Stops a [`start_watch`] and returns what it printed: stdout, stderr.
pub fn stop_watch(mut child: std::process::Child) -> (String, String) {
    use std::io::Read as _;
    child.kill().expect("watch is stopped");
    let _ = child.wait();
    let (mut out, mut err) = (String::new(), String::new());
    child.stdout.take().expect("piped").read_to_string(&mut out).expect("stdout");
    child.stderr.take().expect("piped").read_to_string(&mut err).expect("stderr");
    (out, err)
}

/// The built-in templates, loaded once; they also word the model answers.
pub fn words() -> &'static Templates {
    static TEMPLATES: std::sync::OnceLock<Templates> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(|| Templates::load(None).expect("the built-in templates load"))
}

/// A copy of the built-in templates in `dir`, with `edit` applied to the worksheet template.
pub fn templates_with(dir: &Path, edit: impl Fn(&str) -> String) {
    template_with(dir, "worksheet.typ.j2", edit);
}

/// A copy of the built-in templates in `dir`, with `edit` applied to the template `edited`.
pub fn template_with(dir: &Path, edited: &str, edit: impl Fn(&str) -> String) {
    for (name, _) in backprop_worksheet::render::EMBEDDED {
        let text = std::fs::read_to_string(root().join("templates").join(name)).unwrap();
        let text = if *name == edited { edit(&text) } else { text };
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// A command's standard output, as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

/// A command's standard error, as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

/// Requires exit code `code`; a failure prints nothing on stdout and says why
/// on stderr. Returns stderr.
pub fn expect_exit(output: &Output, code: i32, what: &str) -> String {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{what}: exit code; stderr:\n{err}\nstdout:\n{}", stdout(output));
    if code != 0 {
        assert!(output.stdout.is_empty(), "{what}: printed to stdout on failure: {}", stdout(output));
        assert!(!err.trim().is_empty(), "{what}: failed silently");
    }
    err
}

/// The files of a directory by name, with their bytes.
pub fn files_in(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().into_string().unwrap(), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The shipped config `configs/{name}.yaml`, as an absolute path.
pub fn shipped_config(name: &str) -> PathBuf {
    root().join("configs").join(format!("{name}.yaml"))
}

/// The shipped configs, `configs/*.yaml`, in order, as paths relative to the
/// package root (where tests run), so messages name them briefly.
pub fn shipped_configs() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("configs"))
        .unwrap()
        .map(|e| Path::new("configs").join(e.unwrap().file_name()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
}

/// The `data-answer` of every field of a page, in order.
pub fn page_fields(html: &str) -> Vec<String> {
    html.split("data-answer=\"").skip(1).map(|rest| rest[..rest.find('"').unwrap()].to_owned()).collect()
}

/// A number of a config: an integer, or a decimal with up to three places.
fn number(max: i64, places: u32) -> impl Strategy<Value = String> {
    (-max..=max, 0..=places).prop_map(|(n, p)| {
        let s = n.abs().to_string();
        let s = if p == 0 {
            s
        } else {
            let s = format!("{:0>width$}", s, width = p as usize + 1);
            let (i, f) = s.split_at(s.len() - p as usize);
            format!("{i}.{f}")
        };
        if n < 0 {
            format!("-{s}")
        } else {
            s
        }
    })
}

fn coefficient() -> impl Strategy<Value = String> {
    prop_oneof![
        (-9i64..=9).prop_filter("not 0", |c| *c != 0).prop_map(|c| c.to_string()),
        prop::sample::select(vec!["1.25", "-0.75", "2.5", "-1.5", "0.5", "-3.2", "1.1"]).prop_map(str::to_owned),
    ]
}

/// A random fixed config: 2 to 5 layers, decimals, either paper, sometimes an
/// extension with 2 to 10 digits.
pub fn random_config() -> impl Strategy<Value = String> {
    (
        prop::bool::ANY,
        number(20, 1),
        number(2000, 1),
        prop::collection::vec((coefficient(), number(400, 2)), 2..=5),
        prop::sample::select(vec!["0.001", "0.01", "0.05", "0.1", "0.25", "1"]),
        prop::sample::select(vec!["0.001", "0.01", "0.1"]),
        prop::option::of((prop::sample::select(vec!["sigmoid", "tanh", "relu"]), 2u32..=10)),
    )
        .prop_map(|(a4, input, target, layers, nudge, rate, extension)| {
            let mut yaml = format!(
                "title: Random\npaper: {}\nnetwork:\n  input: {input}\n  target: {target}\n  layers:\n",
                if a4 { "a4" } else { "us-letter" }
            );
            for (c, w) in layers {
                let _ = writeln!(yaml, "    - {{ coefficient: {c}, weight: {w} }}");
            }
            let _ = write!(yaml, "nudge: {nudge}\nlearning_rate: {rate}\nreflection_layers: 10\n");
            if let Some((activation, digits)) = extension {
                let _ = writeln!(yaml, "extension: {{ activation: {activation}, digits: {digits} }}");
            }
            yaml
        })
}

/// A PDF string as text: UTF-16BE with a byte-order mark, or PDFDocEncoding
/// (read as Latin-1, which it equals for the characters used here).
pub fn text_of(object: &Object) -> Option<String> {
    let Object::String(bytes, _) = object else { return None };
    Some(match bytes.strip_prefix(&[0xfe, 0xff]) {
        Some(utf16) => String::from_utf16_lossy(
            &utf16.chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect::<Vec<_>>(),
        ),
        None => bytes.iter().map(|&b| char::from(b)).collect(),
    })
}

/// One element of the structure tree: its type and alt text.
#[derive(Debug)]
pub struct Element {
    /// The structure type: `Formula`, `Figure`, `P`, ….
    pub kind: String,
    /// Its alt text.
    pub alt: Option<String>,
}

/// The structure tree's elements in document (reading) order.
pub fn structure(pdf: &[u8]) -> Vec<Element> {
    let doc = Document::load_mem(pdf).expect("parsable PDF");
    let catalog = doc.catalog().expect("a catalog");
    let root = catalog.get(b"StructTreeRoot").expect("a tagged PDF has a structure tree");
    let mut out = Vec::new();
    walk(&doc, root, &mut out);
    out
}

fn walk(doc: &Document, node: &Object, out: &mut Vec<Element>) {
    let node = match node {
        Object::Reference(id) => doc.get_object(*id).expect("a resolvable reference"),
        other => other,
    };
    match node {
        Object::Array(items) => items.iter().for_each(|item| walk(doc, item, out)),
        Object::Dictionary(dict) => {
            if let Ok(Object::Name(kind)) = dict.get(b"S") {
                let alt = dict.get(b"Alt").ok().and_then(text_of);
                out.push(Element { kind: String::from_utf8_lossy(kind).into_owned(), alt });
            }
            if let Ok(kids) = dict.get(b"K") {
                walk(doc, kids, out);
            }
        }
        _ => {}
    }
}

/// What a PDF says besides its page text: the alt text of every element of
/// its structure tree, and its title and subject, one per line.
pub fn spoken_text(pdf: &[u8]) -> String {
    let mut out: Vec<String> = structure(pdf).into_iter().filter_map(|e| e.alt).collect();
    let doc = Document::load_mem(pdf).expect("parsable PDF");
    if let Ok(Object::Reference(id)) = doc.trailer.get(b"Info") {
        if let Ok(info) = doc.get_dictionary(*id) {
            for key in [&b"Title"[..], b"Subject"] {
                out.extend(info.get(key).ok().and_then(text_of));
            }
        }
    }
    out.join("\n")
}
