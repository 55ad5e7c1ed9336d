//! Every file in `tests/bad-configs/` is a config the program must refuse.
//!
//! Each file opens with comment lines that say what the error must be:
//!
//! ```yaml
//! # expect: unknown field `learning_rat`    (one or more; substrings of stderr)
//! # at: 15:1                                (the reported LINE:COLUMN, or just LINE)
//! # never: a coefficient of 0                (optional; substrings stderr must not hold)
//! # run: check                               (optional; the command, `answers` unless told)
//! ```
//!
//! The real binary runs `answers FILE` on each and must exit with 1, print the
//! location and every expected substring to stderr, print nothing to stdout and
//! never panic. Cases that cannot carry a header (an empty file) are written
//! to a temporary directory by the tests below.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const BAD_CONFIGS: &str = "tests/bad-configs";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What a bad config's header asks for.
#[derive(Debug)]
struct Expectation {
    /// Substrings stderr must contain.
    messages: Vec<String>,
    /// `LINE:COLUMN` or `LINE`.
    at: String,
    /// Substrings stderr must not contain: a follow-up error that would be wrong.
    never: Vec<String>,
    /// The command that reads the config: `answers`, or `check` for what
    /// only a randomized config's draws read (its `require:`).
    command: String,
}

fn expectation(path: &Path) -> Expectation {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let text = String::from_utf8_lossy(&bytes);
    let mut messages = Vec::new();
    let mut never = Vec::new();
    let mut at = None;
    let mut command = "answers".to_owned();
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(m) = line.strip_prefix("# expect:") {
            messages.push(m.trim().to_owned());
        } else if let Some(m) = line.strip_prefix("# never:") {
            never.push(m.trim().to_owned());
        } else if let Some(a) = line.strip_prefix("# at:") {
            at = Some(a.trim().to_owned());
        } else if let Some(c) = line.strip_prefix("# run:") {
            command = c.trim().to_owned();
        }
    }
    let at = at.unwrap_or_else(|| panic!("{} has no `# at:` line", path.display()));
    assert!(
        at.split(':').count() <= 2 && at.split(':').all(|n| n.parse::<usize>().is_ok_and(|n| n > 0)),
        "{}: `# at: {at}` is not LINE or LINE:COLUMN",
        path.display()
    );
    assert!(!messages.is_empty(), "{} has no `# expect:` line", path.display());
    Expectation { messages, at, never, command }
}

/// Runs `answers <config>` from the package root; returns the problems found, if any.
fn check_refused(config: &str, messages: &[String], at: &str) -> Vec<String> {
    let expected = Expectation {
        messages: messages.to_vec(),
        at: at.to_owned(),
        never: Vec::new(),
        command: "answers".to_owned(),
    };
    refusal_problems(config, &expected)
}

/// Runs `<command> <config>` from the package root as `expected` says;
/// returns the problems found, if any (stderr must hold none of `never`).
fn refusal_problems(config: &str, expected: &Expectation) -> Vec<String> {
    let Expectation { messages, at, never, command } = expected;
    let output = Command::cargo_bin("backprop-worksheet")
        .expect("the binary is built")
        .current_dir(root())
        .args([command.as_str(), config])
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut problems = Vec::new();
    if output.status.code() != Some(1) {
        problems.push(format!("exit code {:?}, expected 1", output.status.code()));
    }
    // `file:LINE:COLUMN`, or `file:LINE:` when only the line is pinned.
    let location = if at.contains(':') { format!("{config}:{at}") } else { format!("{config}:{at}:") };
    if !stderr.contains(&location) {
        problems.push(format!("stderr does not name `{location}`"));
    }
    for m in messages {
        if !stderr.contains(m.as_str()) {
            problems.push(format!("stderr does not contain `{m}`"));
        }
    }
    for m in never {
        if stderr.contains(m.as_str()) {
            problems.push(format!("stderr contains `{m}`, which it must not"));
        }
    }
    if stderr.contains("panicked") {
        problems.push("the program panicked".to_owned());
    }
    if !stdout.is_empty() {
        problems.push(format!("stdout is not empty: {stdout:?}"));
    }
    if problems.is_empty() {
        Vec::new()
    } else {
        vec![format!("{config}:\n  - {}\n  stderr was:\n{}", problems.join("\n  - "), indent(&stderr))]
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    | {l}")).collect::<Vec<_>>().join("\n")
}

/// The cases the suite must hold, whatever else is added to the directory.
const REQUIRED: &[&str] = &[
    "unknown-field",
    "misspelled-nested-field",
    "wrong-type",
    "nan",
    "infinity",
    "zero-nudge",
    "negative-nudge",
    "zero-learning-rate",
    "negative-learning-rate",
    "zero-layers",
    "one-layer",
    "six-layers",
    "zero-error",
    "duplicate-key",
    "tab-indentation",
    "unclosed-quote",
    "bad-indentation",
    "only-comments",
    "binary-garbage",
    "too-large",
    "too-many-decimals",
    "inverted-range",
    "empty-one-of",
    "step-does-not-divide",
    "decimal-range-without-step",
    "unknown-activation",
    "extension-digits-too-small",
    "reflection-layers-too-small",
    "unknown-paper",
    "missing-network",
    "missing-colon",
    "missing-colon-before-block",
    "no-space-after-colon",
    "dedented-key",
    "unclosed-brace",
    "unclosed-bracket",
    "every-problem-at-once",
    "max-decimals-too-large",
];

#[test]
fn every_bad_config_is_refused_with_its_location_and_reason() {
    let dir = root().join(BAD_CONFIGS);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let stems: Vec<String> = files.iter().map(|p| p.file_stem().unwrap().to_string_lossy().into_owned()).collect();
    for required in REQUIRED {
        assert!(stems.iter().any(|s| s == required), "tests/bad-configs/{required}.yaml is missing");
    }
    let mut failures = Vec::new();
    for (path, stem) in files.iter().zip(&stems) {
        let e = expectation(path);
        failures.extend(refusal_problems(&format!("{BAD_CONFIGS}/{stem}.yaml"), &e));
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad configs misreported:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

/// Writes `bytes` as `name` in a fresh directory under the package's `target/`,
/// so the path printed in messages is short and relative.
fn scratch(name: &str, bytes: &[u8]) -> (tempfile::TempDir, String) {
    let base = root().join("target");
    std::fs::create_dir_all(&base).expect("target directory");
    let dir = tempfile::Builder::new().prefix("bad-configs-").tempdir_in(&base).expect("temporary directory");
    std::fs::write(dir.path().join(name), bytes).expect("write fixture");
    let relative = dir.path().strip_prefix(root()).expect("under the package").join(name);
    (dir, relative.to_string_lossy().into_owned())
}

#[test]
fn an_empty_file_is_refused() {
    for (name, bytes) in [("empty.yaml", &b""[..]), ("blank.yaml", &b"\n  \n\n"[..])] {
        let (_dir, path) = scratch(name, bytes);
        let failures = check_refused(&path, &["empty".to_owned()], "1:1");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

#[test]
fn a_file_of_pure_binary_is_refused() {
    let (_dir, path) = scratch("garbage.yaml", &[0xff, 0xfe, 0x00, 0x00, 0x9f, 0x92, 0x96, 0x0a, 0xc0, 0xc1]);
    let failures = check_refused(&path, &["not UTF-8".to_owned()], "1:1");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_config_in_utf16_says_how_to_save_it_as_utf8() {
    let text = "title: T\r\ncredit: Mme Lef\u{e8}vre\r\n";
    for (bom, encode) in [
        (&[0xFF, 0xFE][..], u16::to_le_bytes as fn(u16) -> [u8; 2]),
        (&[0xFE, 0xFF][..], u16::to_be_bytes),
        (&[][..], u16::to_le_bytes),
    ] {
        let mut bytes = bom.to_vec();
        bytes.extend(text.encode_utf16().flat_map(encode));
        let (_dir, path) = scratch("unicode.yaml", &bytes);
        let expected = ["saved as UTF-16".to_owned(), "save it as UTF-8".to_owned()];
        let failures = check_refused(&path, &expected, "1:1");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

#[test]
fn a_config_with_a_byte_order_mark_reads_as_without() {
    let classic = std::fs::read(root().join("configs/classic.yaml")).unwrap();
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend(&classic);
    let (_dir, path) = scratch("notepad.yaml", &bom);
    let answers = |path: &str| {
        let output = Command::cargo_bin("backprop-worksheet")
            .unwrap()
            .current_dir(root())
            .args(["answers", path, "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{path}: {}", String::from_utf8_lossy(&output.stderr));
        output.stdout
    };
    assert_eq!(answers(&path), answers("configs/classic.yaml"));
}

#[test]
fn a_missing_config_file_is_named() {
    let output = Command::cargo_bin("backprop-worksheet")
        .expect("the binary is built")
        .current_dir(root())
        .args(["answers", "configs/no-such-config.yaml"])
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("configs/no-such-config.yaml"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.stdout.is_empty());
}
