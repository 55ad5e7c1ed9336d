//! Randomized variants, class packs and manifests.
//!
//! The real binary draws the batches whose CLI behaviour is the point (file
//! names, reproducibility across runs, exit codes); the library draws numbers
//! where no typesetting is needed. Each expensive batch is generated once and
//! every assertion about it is made in the same test function.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use backprop_worksheet::batch::{self, Request};
use backprop_worksheet::config;
use backprop_worksheet::generate;
use serde_json::Value as Json;

use crate::common;
use common::{files_in as read_dir, run, s, shipped_config};

/// Runs the binary and requires success.
fn run_ok(args: &[&str]) -> Output {
    let output = run(args);
    assert!(
        output.status.success(),
        "`{}` failed with {:?}:\n{}",
        args.join(" "),
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs the binary and requires exit code 1; returns stderr.
fn run_fails(args: &[&str]) -> String {
    let output = run(args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "`{}` should exit 1; stderr:\n{stderr}", args.join(" "));
    assert!(output.stdout.is_empty(), "`{}` printed to stdout on failure", args.join(" "));
    stderr
}

/// Text with all whitespace removed, so numbers split across runs still match.
fn squeeze(text: &str) -> String {
    // pdf-extract reads Typst's hyphen glyph as a soft hyphen.
    text.chars().filter(|c| !c.is_whitespace()).map(|c| if c == '\u{ad}' { '-' } else { c }).collect()
}

fn pdf_text(pdf: &[u8]) -> String {
    squeeze(&pdf_extract::extract_text_from_mem(pdf).expect("readable PDF"))
}

fn pdf_pages_text(pdf: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(pdf).expect("readable PDF").iter().map(|t| squeeze(t)).collect()
}

/// Page count from the page tree (lopdf, as re-exported by pdf-extract).
fn page_count(pdf: &[u8]) -> usize {
    pdf_extract::Document::load_mem(pdf).expect("parsable PDF").get_pages().len()
}

fn manifest(dir: &Path, stem: &str) -> Vec<Json> {
    let bytes = std::fs::read(dir.join(format!("{stem}-manifest.json"))).expect("manifest written");
    match serde_json::from_slice(&bytes).expect("manifest is JSON") {
        Json::Array(entries) => entries,
        other => panic!("manifest is not a list: {other}"),
    }
}

/// The drawn numbers of a manifest entry, as a comparable string.
fn numbers(entry: &Json) -> String {
    let c = &entry["config"];
    format!("{}|{}|{}", c["network"], c["nudge"], c["learning_rate"])
}

/// `answers CONFIG --seed S --variant K --format json`, parsed.
fn cli_answers(config: &Path, seed: u64, k: u64) -> Json {
    let out =
        run_ok(&["answers", s(config), "--seed", &seed.to_string(), "--variant", &k.to_string(), "--format", "json"]);
    let mut json: Json = serde_json::from_slice(&out.stdout).expect("answers --format json prints JSON");
    // Which sheet it is, after the answers.
    let sheet = json.as_object_mut().unwrap().remove("sheet").expect("a variant names itself");
    assert_eq!(sheet["variant"], Json::from(format!("v{k:02}")));
    json
}

/// Asserts `needles` occur in `haystack` in this order.
fn assert_in_order(haystack: &str, needles: &[String], what: &str) {
    let mut from = 0;
    for needle in needles {
        match haystack[from..].find(needle.as_str()) {
            Some(i) => from += i + needle.len(),
            None => panic!("{what}: {needle:?} missing or out of order"),
        }
    }
}

/// The pages expected in a class pack of `sheets` (page counts, in order): each
/// sheet's pages carry its footer id, and an odd-length sheet is followed by one
/// blank page, so the next sheet starts on an odd page. Checks `pages` (text per
/// page of the pack) and returns how many pages the sheets took.
fn check_pack_pages(pages: &[String], sheets: &[(String, usize)], what: &str) -> usize {
    let footer = |id: &str| format!("Variant{id}");
    let mut p = 0;
    for (id, count) in sheets {
        assert!(p % 2 == 0, "{what}: {id} starts on page {}, an even page", p + 1);
        for page in 0..*count {
            let text = pages.get(p).unwrap_or_else(|| panic!("{what}: the pack ends inside {id}"));
            assert!(
                text.contains(&footer(id)),
                "{what}: page {} ({id}, its page {}) lacks \"Variant {id}\"",
                p + 1,
                page + 1
            );
            for (other, _) in sheets.iter().filter(|(o, _)| o != id) {
                assert!(!text.contains(&footer(other)), "{what}: page {} of {id} names {other}", p + 1);
            }
            p += 1;
        }
        if count % 2 == 1 {
            let blank = &pages[p];
            assert!(blank.is_empty(), "{what}: page {} after odd-length {id} should be blank, has {blank:?}", p + 1);
            p += 1;
        }
    }
    p
}

fn even(n: usize) -> usize {
    n + n % 2
}

/// Answer ids the student fills in whose values are long enough to be
/// distinctive in PDF text (nudged errors always have decimals).
const DISTINCTIVE: [&str; 5] =
    ["nudge_w2.plus.error", "nudge_w2.minus.error", "nudge_w1.plus.error", "nudge_w1.minus.error", "ext.grad_w1"];

#[test]
fn class_set_of_30_variants() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let printed =
        run_ok(&["generate", s(&shipped_config("randomized")), "--variants", "30", "--seed", "7", "--out", s(&out)]);
    let files = read_dir(&out);

    // File names: exactly the per-variant sheets, the packs and the manifests.
    let mut expected: Vec<String> = (1..=30)
        .flat_map(|k| [format!("randomized-v{k:02}-student.pdf"), format!("randomized-v{k:02}-key.pdf")])
        .collect();
    expected.extend(
        ["class-student.pdf", "class-key.pdf", "manifest.json", "manifest.csv"].map(|n| format!("randomized-{n}")),
    );
    let mut sorted = expected.clone();
    sorted.sort();
    assert_eq!(files.keys().cloned().collect::<Vec<_>>(), sorted, "the files of the batch");
    let stdout = String::from_utf8(printed.stdout).unwrap();
    assert_eq!(
        stdout,
        format!(
            "wrote {} files of {} into {}: 30 sheets, class packs, manifests\n",
            expected.len(),
            shipped_config("randomized").display(),
            out.display()
        ),
        "one line for the batch"
    );
    for (name, bytes) in &files {
        if name.ends_with(".pdf") {
            assert!(bytes.starts_with(b"%PDF"), "{name} is not a PDF");
        }
    }

    // The manifest: 30 entries in order, pairwise different numbers, and the
    // same numbers and answers as the library draws.
    let entries = manifest(&out, "randomized");
    assert_eq!(entries.len(), 30);
    let ids: Vec<String> = (1..=30).map(|k| format!("v{k:02}")).collect();
    for (entry, id) in entries.iter().zip(&ids) {
        assert_eq!(entry["id"], Json::from(id.as_str()));
        assert_eq!(entry["seed"], Json::from(7));
    }
    let distinct: HashSet<String> = entries.iter().map(numbers).collect();
    assert_eq!(distinct.len(), 30, "30 pairwise different variants");

    let spec = config::load(&shipped_config("randomized")).unwrap();
    let sheets = batch::draw(&spec, common::words(), &Request { seed: 7, count: 30, ..Default::default() }).unwrap();
    assert_eq!(sheets.len(), 30);
    for (sheet, entry) in sheets.iter().zip(&entries) {
        assert_eq!(
            serde_json::to_value(&sheet.variant.solved.answers).unwrap(),
            entry["answers"],
            "{}",
            sheet.label.id
        );
    }

    // `answers --variant K` prints the manifest's answers.
    for k in [1, 17, 30] {
        assert_eq!(
            cli_answers(&shipped_config("randomized"), 7, k),
            entries[k as usize - 1]["answers"],
            "answers of variant {k}"
        );
    }

    // Each manifest `config` is a loadable config that solves to the same answers.
    for entry in &entries {
        let yaml = tmp.path().join(format!("resolved-{}.yaml", entry["id"].as_str().unwrap()));
        // JSON is YAML: the entry is written as it stands in the manifest.
        std::fs::write(&yaml, serde_json::to_string_pretty(&entry["config"]).unwrap()).unwrap();
        let resolved = config::load(&yaml).unwrap_or_else(|e| panic!("{} does not load: {e}", yaml.display()));
        assert!(!resolved.is_randomized(), "{}: a resolved config has no ranges", yaml.display());
        let solved = generate::solve_fixed(&resolved, common::words()).unwrap();
        assert_eq!(serde_json::to_value(&solved.answers).unwrap(), entry["answers"], "{}", yaml.display());
    }

    // The CSV manifest: a header, then one row per variant with its answers.
    let csv = String::from_utf8(files["randomized-manifest.csv"].clone()).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(&header[..3], ["id", "seed", "student"]);
    let error_column = header.iter().position(|h| h == "error").expect("an error column");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 30);
    for ((row, entry), id) in rows.iter().zip(&entries).zip(&ids) {
        assert_eq!(&row[0], id);
        assert_eq!(&row[1], "7");
        assert_eq!(Json::from(&row[error_column]), entry["answers"]["error"]);
    }

    // A variant's key shows its distinctive answers; its student version does not.
    for k in [1usize, 17, 30] {
        let answers = &sheets[k - 1].variant.solved.answers;
        let key = pdf_text(&files[&format!("randomized-v{k:02}-key.pdf")]);
        let student = pdf_text(&files[&format!("randomized-v{k:02}-student.pdf")]);
        for id in DISTINCTIVE {
            let shown = squeeze(
                &answers
                    .named(id)
                    .unwrap_or_else(|| panic!("no answer {id}"))
                    .value
                    .display(&backprop_worksheet::number::NumberFormat::english()),
            );
            assert!(shown.chars().count() >= 4, "v{k:02} {id} = {shown:?} is too short to be distinctive");
            assert!(key.contains(&shown), "the key of v{k:02} lacks {id} = {shown:?}");
            assert!(!student.contains(&shown), "the student version of v{k:02} shows {id} = {shown:?}");
        }
        let footer = format!("Variantv{k:02}");
        assert!(key.contains(&footer) && student.contains(&footer), "v{k:02} names its variant in the footer");
    }

    // The student pack: every sheet in order, each starting on an odd page.
    let sizes = |version: &str| -> Vec<(String, usize)> {
        ids.iter().map(|id| (id.clone(), page_count(&files[&format!("randomized-{id}-{version}.pdf")]))).collect()
    };
    let students = sizes("student");
    let pack = &files["randomized-class-student.pdf"];
    let pages = pdf_pages_text(pack);
    assert_eq!(page_count(pack), pages.len());
    assert_eq!(pages.len(), students.iter().map(|(_, n)| even(*n)).sum::<usize>(), "student pack page count");
    assert_eq!(check_pack_pages(&pages, &students, "student pack"), pages.len());
    assert_in_order(&pages.concat(), &ids.iter().map(|id| format!("Variant{id}")).collect::<Vec<_>>(), "student pack");

    // The key pack: every key in order, then the grading summary listing every variant.
    let keys = sizes("key");
    let pack = &files["randomized-class-key.pdf"];
    let pages = pdf_pages_text(pack);
    assert_eq!(page_count(pack), pages.len());
    let sheet_pages = check_pack_pages(&pages, &keys, "key pack");
    assert_eq!(sheet_pages, keys.iter().map(|(_, n)| even(*n)).sum::<usize>());
    assert!(pages.len() > sheet_pages, "the key pack has no grading summary");
    let summary = pages[sheet_pages..].concat();
    // Each summary page is marked as the key's (the mark is its header).
    assert!(
        summary.starts_with("ANSWERKEYGradingsummary"),
        "the key pack ends with the grading summary: {summary:.200}"
    );
    assert!(!pages[..sheet_pages].concat().contains("Gradingsummary"), "the summary comes last");
    assert_in_order(&summary, &ids, "grading summary");
}

#[test]
fn batches_are_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let config = shipped_config("randomized");
    let batch = |dir: &str, extra: &[&str]| -> BTreeMap<String, Vec<u8>> {
        let out = tmp.path().join(dir);
        let mut args = vec!["generate", s(&config), "--variants", "6", "--seed", "3", "--out", s(&out)];
        args.extend_from_slice(extra);
        run_ok(&args);
        read_dir(&out)
    };
    let first = batch("first", &[]);
    assert_eq!(first.len(), 6 * 2 + 4, "{:?}", first.keys().collect::<Vec<_>>());
    let second = batch("second", &[]);
    assert_eq!(first.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>());
    for (name, bytes) in &first {
        assert!(*bytes == second[name], "{name} differs between two runs with the same seed");
    }

    // One variant alone is byte-identical to its twin in the batch.
    let alone = batch("alone", &["--variant", "5"]);
    assert_eq!(
        alone.keys().cloned().collect::<Vec<_>>(),
        ["randomized-v05-key.pdf", "randomized-v05-student.pdf"],
        "only variant 5's sheets, no packs or manifests"
    );
    for (name, bytes) in &alone {
        assert!(*bytes == first[name], "{name} alone differs from {name} in the batch");
    }

    // A different seed gives different numbers (the library draws without typesetting).
    let spec = config::load(&config).unwrap();
    let drawn = |seed| -> Vec<Json> {
        batch::draw(&spec, common::words(), &Request { seed, count: 6, ..Default::default() })
            .unwrap()
            .iter()
            .map(|s| serde_json::to_value(&s.variant.solved.answers).unwrap())
            .collect()
    };
    let seed3 = drawn(3);
    let from_manifest: Vec<Json> =
        manifest(&tmp.path().join("first"), "randomized").iter().map(|e| e["answers"].clone()).collect();
    assert_eq!(seed3, from_manifest, "the library draws what the binary wrote");
    assert_eq!(seed3, drawn(3), "drawing is deterministic");
    let seed4 = drawn(4);
    assert_ne!(seed3[0], seed4[0], "seed 4 gives another variant 1");
    let same = seed3.iter().zip(&seed4).filter(|(a, b)| a == b).count();
    assert!(same <= 1, "seeds 3 and 4 share {same} of 6 variants");
}

/// A randomized config whose ranges allow exactly two worksheets, plus `extra` lines.
fn tiny_config(dir: &Path, name: &str, extra: &str) -> PathBuf {
    let path = dir.join(name);
    let text = format!(
        "title: Tiny\n\
         network:\n  input: 2\n  target: 20\n  layers:\n    \
         - {{ coefficient: 3, weight: {{ one_of: [1, 2] }} }}\n    \
         - {{ coefficient: 2, weight: 3 }}\n\
         nudge: 0.1\nlearning_rate: 0.1\nreflection_layers: 10\n{extra}"
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn impossible_batches_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");

    // More variants than the ranges allow.
    let tiny = tiny_config(tmp.path(), "tiny.yaml", "");
    let stderr = run_fails(&["generate", s(&tiny), "--variants", "3", "--out", s(&out)]);
    assert!(stderr.contains("tiny.yaml"), "names the config: {stderr}");
    assert!(stderr.contains("only 2"), "says only 2 are possible: {stderr}");
    assert!(stderr.contains('3'), "repeats the request: {stderr}");
    assert!(!out.exists(), "a failed batch writes nothing");

    // An unsatisfiable constraint: named, with how often it held.
    let unsat = tiny_config(tmp.path(), "unsat.yaml", "require:\n  - error >= 0\n  - error < 0\n");
    let stderr = run_fails(&["generate", s(&unsat), "--variants", "1", "--out", s(&out)]);
    assert!(stderr.contains("unsat.yaml"), "names the config: {stderr}");
    assert!(stderr.contains("error < 0"), "names the constraint: {stderr}");
    assert!(stderr.contains("held in none of the"), "says how often it held: {stderr}");
    assert!(!out.exists(), "a failed batch writes nothing");
    let stderr = run_fails(&["answers", s(&unsat), "--variant", "1"]);
    assert!(stderr.contains("error < 0"), "answers names the constraint too: {stderr}");

    // A syntax error in a constraint: file and line.
    let syntax = tiny_config(tmp.path(), "syntax.yaml", "require:\n  - error >= 2\n  - error < < 3\n");
    let line = std::fs::read_to_string(&syntax).unwrap().lines().position(|l| l.contains("< <")).unwrap() + 1;
    let stderr = run_fails(&["generate", s(&syntax), "--variants", "1", "--out", s(&out)]);
    assert!(stderr.contains(&format!("syntax.yaml:{line}")), "names file and line {line}: {stderr}");
    assert!(stderr.contains("error < < 3"), "quotes the constraint: {stderr}");
    assert!(!out.exists(), "a failed batch writes nothing");
}

/// The "held in" figure of a constraint listed after others that reject draws
/// first counts only the draws it was actually evaluated on.
#[test]
fn unsatisfiable_constraint_after_others_reports_zero_percent() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("never.yaml");
    let mut text = std::fs::read_to_string(shipped_config("randomized")).unwrap();
    text.push_str("  - error < 0\n");
    std::fs::write(&config, text).unwrap();
    let stderr = run_fails(&["answers", s(&config), "--variant", "1"]);
    assert!(stderr.contains("error < 0"), "names the constraint: {stderr}");
    assert!(stderr.contains("held in none of the"), "`error < 0` never held: {stderr}");
}

/// Constraints may read word answers: a draw is worded before its constraints
/// are evaluated when they do (only kept draws are worded otherwise).
#[test]
fn constraints_can_read_word_answers() {
    let spec_with = |require: &str| {
        let text = std::fs::read_to_string(shipped_config("randomized")).unwrap();
        let text = text.replace("require:\n", &format!("require:\n  - {require}\n"));
        config::parse(&text, "words.yaml", "words").unwrap()
    };
    let request = Request { seed: 7, count: 5, ..Default::default() };
    for (require, id, wanted) in [
        (r#"nudge_w1.direction == "increase""#, "nudge_w1.direction", "increase"),
        (r#"strongest_weight == "w1""#, "strongest_weight", "w1"),
        (r#"discussion is string and "too low" in discussion"#, "discussion", "too low"),
    ] {
        let sheets = batch::draw(&spec_with(require), common::words(), &request).unwrap();
        for sheet in &sheets {
            let shown = sheet
                .variant
                .solved
                .answers
                .named(id)
                .unwrap()
                .value
                .display(&backprop_worksheet::number::NumberFormat::english());
            assert!(shown.contains(wanted), "{require}: {id} = {shown}");
        }
    }
    let spec = spec_with(r#"nudge_w1.direction == "decrease""#);
    let err = batch::draw(&spec, common::words(), &request).err().expect("y < target: w1 never decreases").to_string();
    assert!(err.contains("nudge_w1.direction"), "names the constraint: {err}");
}

const ROSTER: [&str; 6] = [
    "O'Brien, Pat",
    "שלום",
    "Zoë Ångström",
    "🙂 Smiley",
    "José Núñez",
    // Typst markup must be printed, not interpreted.
    "Bobby #panic() $x$ *b* _i_ \\ ] <a> @b // c",
];

fn write_roster(path: &Path, names: &[&str]) {
    let mut writer = csv::Writer::from_path(path).unwrap();
    writer.write_record(["name"]).unwrap();
    for name in names {
        writer.write_record([*name]).unwrap();
    }
    writer.flush().unwrap();
}

#[test]
fn roster_gives_each_student_a_named_sheet() {
    let tmp = tempfile::tempdir().unwrap();
    let config = shipped_config("randomized");
    let roster = tmp.path().join("roster.csv");
    write_roster(&roster, &ROSTER);
    let raw = std::fs::read_to_string(&roster).unwrap();
    assert!(raw.contains("\"O'Brien, Pat\""), "the fixture quotes the comma: {raw}");

    let out = tmp.path().join("class");
    run_ok(&["generate", s(&config), "--roster", s(&roster), "--seed", "7", "--out", s(&out)]);
    let files = read_dir(&out);
    let bases = ["o-brien-pat", "שלום", "zoë-ångström", "smiley", "josé-núñez", "bobby-panic-x-b-i-a-b-c"];
    let mut expected: Vec<String> = bases
        .iter()
        .flat_map(|b| [format!("randomized-{b}-student.pdf"), format!("randomized-{b}-key.pdf")])
        .chain(
            ["class-student.pdf", "class-key.pdf", "manifest.json", "manifest.csv"].map(|n| format!("randomized-{n}")),
        )
        .collect();
    expected.sort();
    assert_eq!(files.keys().cloned().collect::<Vec<_>>(), expected);

    let entries = manifest(&out, "randomized");
    assert_eq!(entries.len(), ROSTER.len(), "one variant per student");
    for ((entry, name), base) in entries.iter().zip(ROSTER).zip(bases) {
        assert_eq!(entry["student"], Json::from(name));
        assert_eq!(entry["id"], Json::from(base));
    }

    // The name is printed on both versions (the emoji has no glyph in the
    // embedded fonts, so only the rest of that name is looked for).
    for (name, base) in ROSTER.iter().zip(bases) {
        let printed = squeeze(&name.replace('🙂', ""));
        for version in ["student", "key"] {
            let text = pdf_text(&files[&format!("randomized-{base}-{version}.pdf")]);
            // Typst may set the apostrophe as a typographic one; PDF text of a
            // right-to-left name comes out in visual order (reversed).
            let with_curly = printed.replace('\'', "\u{2019}");
            let visual: String = printed.chars().rev().collect();
            assert!(
                text.contains(&printed) || text.contains(&with_curly) || text.contains(&visual),
                "{name:?} is not printed on its {version} sheet: {text:.300}"
            );
        }
    }

    // Adding a student (in the middle) leaves everyone else's numbers alone.
    let mut longer: Vec<&str> = ROSTER.to_vec();
    longer.insert(2, "Ada Lovelace");
    // As a spreadsheet exports it: byte-order mark, CRLF, more columns.
    let roster2 = tmp.path().join("roster2.csv");
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(["Name", "email"]).unwrap();
    for name in &longer {
        writer.write_record([*name, "student@example.org"]).unwrap();
    }
    std::fs::write(&roster2, writer.into_inner().unwrap()).unwrap();
    let out2 = tmp.path().join("class2");
    run_ok(&["generate", s(&config), "--roster", s(&roster2), "--seed", "7", "--out", s(&out2)]);
    let entries2 = manifest(&out2, "randomized");
    assert_eq!(entries2.len(), longer.len());
    for entry in &entries {
        let twin = entries2.iter().find(|e| e["student"] == entry["student"]).expect("still on the roster");
        // The run is another one (another roster file); the sheet is the same.
        let without_run = |e: &Json| {
            let mut e = e.clone();
            e.as_object_mut().unwrap().remove("run");
            e
        };
        assert_eq!(without_run(entry), without_run(twin), "{} changed when a student was added", entry["student"]);
    }
    let files2 = read_dir(&out2);
    for (name, base) in ROSTER.iter().zip(bases) {
        for version in ["student", "key"] {
            let file = format!("randomized-{base}-{version}.pdf");
            assert!(files[&file] == files2[&file], "{name}'s {version} sheet changed when a student was added");
        }
    }

    // `answers --student NAME` prints that student's answers.
    let out = run_ok(&[
        "answers",
        s(&config),
        "--seed",
        "7",
        "--roster",
        s(&roster),
        "--student",
        "José Núñez",
        "--format",
        "json",
    ]);
    let mut answers: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answers["sheet"]["student"], Json::from("José Núñez"));
    answers.as_object_mut().unwrap().remove("sheet");
    assert_eq!(answers, entries[4]["answers"]);
}

#[test]
fn bad_rosters_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let config = shipped_config("randomized");
    let out = tmp.path().join("out");
    let refuse = |names: &[&str], file: &str| -> String {
        let roster = tmp.path().join(file);
        write_roster(&roster, names);
        run_fails(&["generate", s(&config), "--roster", s(&roster), "--out", s(&out)])
    };

    let stderr = refuse(&["Ada", "Bob", "Ada"], "duplicate.csv");
    assert!(stderr.contains("duplicate.csv") && stderr.contains("Ada"), "names file and student: {stderr}");
    let stderr = refuse(&["Ada", "ADA"], "same-file.csv");
    assert!(stderr.contains("Ada") && stderr.contains("ADA"), "names both students: {stderr}");

    let long = "x".repeat(500);
    let stderr = refuse(&["Ada", &long], "long.csv");
    assert!(stderr.contains("long.csv"), "names the roster: {stderr}");
    assert!(!stderr.contains(&long), "does not echo 500 characters back: {stderr}");

    let missing = tmp.path().join("no-such-roster.csv");
    let stderr = run_fails(&["generate", s(&config), "--roster", s(&missing), "--out", s(&out)]);
    assert!(stderr.contains("no-such-roster.csv"), "names the missing roster: {stderr}");

    assert!(!out.exists(), "a refused roster writes nothing");

    // A roster and a variant count contradict each other: usage error.
    let roster = tmp.path().join("ok.csv");
    write_roster(&roster, &["Ada"]);
    let output = run(&["generate", s(&config), "--roster", s(&roster), "--variants", "3", "--out", s(&out)]);
    assert_eq!(output.status.code(), Some(2));
}

/// Each manifest entry carries its sheet's common slips, the same as
/// `answers --slips` prints for that variant: wrong values, each with the
/// mistake that gives it, none equal to the right answer.
#[test]
fn the_manifest_carries_each_variants_slips() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(&[
        "generate",
        s(&shipped_config("randomized")),
        "--variants",
        "3",
        "--seed",
        "5",
        "--out",
        s(dir.path()),
        "--quiet",
    ]);
    let entries = manifest(dir.path(), "randomized");
    assert_eq!(entries.len(), 3);
    for (k, entry) in entries.iter().enumerate() {
        let slips = entry["slips"].as_object().expect("an object of slips by answer id");
        let forgot_half = slips["error"].as_array().unwrap().iter().find(|s| s["slip"] == "forgot the ½");
        let exact = |v: &Json| backprop_worksheet::number::Exact::parse(v.as_str().unwrap()).unwrap();
        let error = exact(&entry["answers"]["error"]);
        let doubled = exact(&forgot_half.expect("forgetting the ½ is a slip")["value"]);
        assert_eq!(doubled, &backprop_worksheet::number::Exact::int(2) * &error);
        for (id, list) in slips {
            for slip in list.as_array().unwrap() {
                assert_ne!(slip["value"], entry["answers"][id], "{id}: a slip equals the right answer");
                assert!(!slip["slip"].as_str().unwrap().is_empty());
            }
        }
        let printed = run_ok(&[
            "answers",
            s(&shipped_config("randomized")),
            "--seed",
            "5",
            "--variant",
            &(k + 1).to_string(),
            "--slips",
            "--format",
            "json",
        ]);
        let mut printed: Json = serde_json::from_slice(&printed.stdout).unwrap();
        printed.as_object_mut().unwrap().remove("sheet");
        assert_eq!(&printed, &entry["slips"], "the manifest and answers --slips agree");
    }
}

/// A batch whose keys print answers rounded (too long to read) says so, as a
/// fixed config does: the first such sheet's warning, and how many more.
#[test]
fn a_batch_with_long_answers_warns() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("long.yaml");
    std::fs::write(
        &config,
        "title: Long answers\nnetwork:\n  input: 12\n  target: { from: 1000, to: 1002 }\n  layers:\n    \
         - { coefficient: 7, weight: 40 }\n    - { coefficient: -5, weight: -120 }\n    \
         - { coefficient: 9, weight: 300 }\nnudge: 0.5\nlearning_rate: 0.125\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = run_ok(&["generate", s(&config), "--variants", "2", "--out", s(&out), "--quiet"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("significant digits") && stderr.contains("long.yaml v0"), "{stderr}");
    assert!(stderr.contains("so do 1 more sheet: v0"), "{stderr}");
    assert!(output.stdout.is_empty(), "--quiet prints nothing on stdout");
}
