//! What a teacher trips over: students found by name however it is typed,
//! no output silently overwritten or left stale, rosters as spreadsheets
//! export them, quiet runs that are quiet, and commands that fail when they
//! should. Every case runs the real binary.

use std::path::Path;
use std::process::Output;

use serde_json::Value as Json;

use crate::common;
use common::{expect_exit, files_in as files, root, run, run_in, s, shipped_config, stderr, stdout};

fn ok(args: &[&str]) -> Output {
    let output = run(args);
    expect_exit(&output, 0, &args.join(" "));
    output
}

fn names(dir: &Path) -> Vec<String> {
    files(dir).into_keys().collect()
}

fn json(output: &Output) -> Json {
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

fn page_count(pdf: &[u8]) -> usize {
    pdf_extract::Document::load_mem(pdf).expect("parsable PDF").get_pages().len()
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

const CLASS: &str = "name\nZoë O\u{2019}Brien\nZoe Adams\nJosé Núñez\nAnna Lee\nAnnalee\n";

#[test]
fn a_student_is_found_however_the_name_is_typed_and_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = tmp.path().join("class.csv");
    write(&roster, CLASS);
    let config = shipped_config("randomized");
    let answers = |name: &str, format: &str| {
        ok(&["answers", s(&config), "--seed", "7", "--roster", s(&roster), "--student", name, "--format", format])
    };
    let exact = json(&answers("Zoë O\u{2019}Brien", "json"));
    assert_eq!(exact["sheet"]["student"], Json::from("Zoë O\u{2019}Brien"), "JSON names the student");
    assert_eq!(exact["sheet"]["variant"], Json::from("zoë-o-brien"));
    assert_eq!(exact["sheet"]["seed"], Json::from(7));
    for spelling in ["Zoe O'Brien", "zoë o'brien", "ZOE O\u{2019}BRIEN", "zoë-o-brien"] {
        assert_eq!(json(&answers(spelling, "json")), exact, "{spelling:?} finds Zoë's numbers");
    }
    // The roster's other Zoe has other numbers: the match is not by first name.
    let adams = json(&answers("zoe adams", "json"));
    assert_ne!(adams["w1"], Json::Null);
    assert_ne!(adams["sheet"], exact["sheet"]);
    // The text header names the student.
    let text = stdout(&answers("Zoe O'Brien", "text"));
    assert!(text.lines().take(3).any(|l| l.contains("student Zoë O\u{2019}Brien") && l.contains("seed 7")), "{text}");

    // The numbers are the ones of her sheet in the class batch.
    let out = tmp.path().join("out");
    ok(&["generate", s(&config), "--seed", "7", "--roster", s(&roster), "--out", s(&out), "--quiet"]);
    let manifest: Json = serde_json::from_slice(&std::fs::read(out.join("randomized-manifest.json")).unwrap()).unwrap();
    let mut answers_only = exact.clone();
    answers_only.as_object_mut().unwrap().remove("sheet");
    assert_eq!(manifest[0]["answers"], answers_only, "the answers are her sheet's");

    // An unknown name fails with the closest names; an ambiguous one lists the candidates.
    let args = ["answers", s(&config), "--roster", s(&roster), "--student"];
    let err = expect_exit(&run(&[&args[..], &["Zoey Adamz"]].concat()), 1, "unknown student");
    assert!(err.contains("Zoey Adamz") && err.contains("\"Zoe Adams\"") && err.contains("class.csv"), "{err}");
    let err = expect_exit(&run(&[&args[..], &["anna lee"]].concat()), 1, "ambiguous student");
    assert!(err.contains("\"Anna Lee\" (line 5)") && err.contains("\"Annalee\" (line 6)"), "{err}");
    // Without the roster there is nothing to check the name against: usage error.
    expect_exit(&run(&["answers", s(&config), "--student", "Zoe"]), 2, "--student without --roster");

    // A variant names itself too.
    let variant = ok(&["answers", s(&config), "--seed", "7", "--variant", "3"]);
    assert!(stdout(&variant).lines().take(3).any(|l| l.contains("variant v03, seed 7")), "{}", stdout(&variant));
    let variant = json(&ok(&["answers", s(&config), "--seed", "7", "--variant", "3", "--format", "json"]));
    assert_eq!(variant["sheet"]["variant"], Json::from("v03"));
    // A fixed config's JSON is only its answers, as before.
    let fixed = json(&ok(&["answers", s(&root().join("configs/classic.yaml")), "--format", "json"]));
    assert!(fixed.get("sheet").is_none());
}

#[test]
fn one_lost_roster_sheet_can_be_reprinted() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = tmp.path().join("class.csv");
    write(&roster, CLASS);
    let config = shipped_config("randomized");
    let out = tmp.path().join("out");
    ok(&["generate", s(&config), "--seed", "7", "--roster", s(&roster), "--out", s(&out), "--quiet"]);
    let before = files(&out);
    for version in ["student", "key"] {
        std::fs::remove_file(out.join(format!("randomized-josé-núñez-{version}.pdf"))).unwrap();
    }
    let printed = ok(&[
        "generate",
        s(&config),
        "--seed",
        "7",
        "--roster",
        s(&roster),
        "--student",
        "jose nunez",
        "--out",
        s(&out),
    ]);
    assert_eq!(files(&out), before, "the two files come back byte for byte; nothing else changes");
    assert_eq!(stdout(&printed).lines().count(), 2, "{}", stdout(&printed));

    // --variant with a roster is a usage error, not ignored.
    let output = run(&["generate", s(&config), "--roster", s(&roster), "--variant", "2", "--out", s(&out)]);
    expect_exit(&output, 2, "--roster with --variant");
    assert_eq!(files(&out), before);
}

#[test]
fn two_configs_never_write_the_same_file() {
    let tmp = tempfile::tempdir().unwrap();
    for period in ["p1", "p2"] {
        std::fs::create_dir(tmp.path().join(period)).unwrap();
        std::fs::copy(root().join("configs/classic.yaml"), tmp.path().join(period).join("worksheet.yaml")).unwrap();
    }
    let output = run_in(tmp.path(), &["generate", "p1/worksheet.yaml", "p2/worksheet.yaml", "--out", "out"]);
    let err = expect_exit(&output, 1, "two worksheet.yaml into one --out");
    assert!(err.contains("p1/worksheet.yaml") && err.contains("p2/worksheet.yaml") && err.contains("--out"), "{err}");
    assert!(!tmp.path().join("out").exists(), "nothing written");
}

#[test]
fn a_smaller_batch_removes_what_the_larger_one_left() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let config = shipped_config("randomized");
    ok(&["generate", s(&config), "--variants", "4", "--seed", "7", "--out", s(&out), "--quiet"]);
    // Files that are not this batch's: another config's, a teacher's own.
    let unrelated =
        ["notes.txt", "randomized-v03-notes.pdf", "randomized-extra.pdf", "other-v03-key.pdf", "classic-key.pdf"];
    for name in unrelated {
        write(&out.join(name), "mine");
    }
    let v03 = std::fs::read(out.join("randomized-v03-key.pdf")).unwrap();

    let printed = ok(&["generate", s(&config), "--variants", "2", "--seed", "7", "--out", s(&out)]);
    let mut expected: Vec<String> = ["v01-key", "v01-student", "v02-key", "v02-student", "class-key", "class-student"]
        .iter()
        .map(|n| format!("randomized-{n}.pdf"))
        .chain(["randomized-manifest.csv".into(), "randomized-manifest.json".into()])
        .chain(unrelated.map(String::from))
        .collect();
    expected.sort();
    assert_eq!(names(&out), expected, "v03 and v04 are gone, nothing else");
    assert!(stdout(&printed).contains("removed 4 files"), "{}", stdout(&printed));
    let manifest: Json = serde_json::from_slice(&std::fs::read(out.join("randomized-manifest.json")).unwrap()).unwrap();
    for entry in manifest.as_array().unwrap() {
        assert_eq!(entry.get("student"), Some(&Json::Null), "every entry has a student key: {entry}");
    }

    // A leftover that comes back (copied from a backup) is reported by --check.
    ok(&["generate", s(&config), "--variants", "4", "--seed", "7", "--out", s(&out), "--quiet"]);
    let kept = files(&out);
    let output = run(&["generate", s(&config), "--variants", "2", "--seed", "7", "--out", s(&out), "--check"]);
    let err = expect_exit(&output, 1, "--check with leftovers");
    for k in [3, 4] {
        for version in ["student", "key"] {
            let name = format!("randomized-v{k:02}-{version}.pdf");
            assert!(err.lines().any(|l| l.contains("extra:") && l.contains(&name)), "{name}: {err}");
        }
    }
    assert!(!err.contains("notes"), "{err}");
    assert_eq!(files(&out), kept, "--check writes and removes nothing");
    assert_eq!(kept["randomized-v03-key.pdf"], v03);

    // A roster run is another run: it replaces the numbered batch only when told to.
    let roster = tmp.path().join("class.csv");
    write(&roster, "Ada\nBob\nCyd\n");
    let before = files(&out);
    let output = run(&["generate", s(&config), "--roster", s(&roster), "--out", s(&out)]);
    let err = expect_exit(&output, 1, "a roster run into a numbered batch's folder");
    assert!(err.contains("--variants 4 --seed 7") && err.contains("--replace"), "{err}");
    assert_eq!(files(&out), before, "nothing written or removed");
    ok(&["generate", s(&config), "--roster", s(&roster), "--out", s(&out), "--quiet", "--replace"]);
    assert!(!out.join("randomized-v01-key.pdf").exists(), "the numbered batch made way for the roster");
    // A shorter roster removes the sheets of the students who left.
    write(&roster, "Ada\nCyd\n");
    ok(&["generate", s(&config), "--roster", s(&roster), "--out", s(&out), "--quiet"]);
    assert!(!out.join("randomized-bob-key.pdf").exists() && out.join("randomized-cyd-key.pdf").exists());
    for name in unrelated {
        assert!(out.join(name).exists(), "{name} survives");
    }
}

#[test]
fn a_fixed_config_gives_each_roster_student_the_same_sheet_with_their_name() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = tmp.path().join("class.csv");
    // Semicolons, as Excel writes CSV where the decimal separator is a comma.
    write(&roster, "Name;Group\nAda Lovelace;3\nAlan Turing;4\n");
    let config = root().join("configs/three-layers.yaml");
    let out = tmp.path().join("out");
    let output = run(&["generate", s(&config), "--roster", s(&roster), "--out", s(&out)]);
    let err = expect_exit(&output, 0, "a roster with a fixed config");
    assert!(err.is_empty(), "{err}");
    let made = files(&out);
    assert!(made.contains_key("three-layers-ada-lovelace-key.pdf"), "{:?}", made.keys());
    let manifest: Json = serde_json::from_slice(&made["three-layers-manifest.json"]).unwrap();
    assert_eq!(manifest[1]["student"], Json::from("Alan Turing"), "the delimiter is found: {}", manifest[1]["student"]);
    assert_eq!(manifest[0]["answers"], manifest[1]["answers"], "the same numbers for everyone");

    // The sheet has 7 pages: double-sided packs pad each to 8, --simplex does not.
    let sheet = page_count(&made["three-layers-ada-lovelace-student.pdf"]);
    assert_eq!(sheet % 2, 1, "the test needs an odd page count");
    assert_eq!(page_count(&made["three-layers-class-student.pdf"]), 2 * (sheet + 1));
    ok(&["generate", s(&config), "--roster", s(&roster), "--out", s(&out), "--simplex", "--quiet"]);
    assert_eq!(page_count(&std::fs::read(out.join("three-layers-class-student.pdf")).unwrap()), 2 * sheet);
}

#[test]
fn roster_files_as_spreadsheets_make_them() {
    let tmp = tempfile::tempdir().unwrap();
    let config = shipped_config("randomized");
    let out = tmp.path().join("out");
    let refuse = |roster: &Path| {
        expect_exit(&run(&["generate", s(&config), "--roster", s(roster), "--out", s(&out)]), 1, "bad roster")
    };

    // A duplicate after blank lines is placed at its own line.
    let roster = tmp.path().join("dup.csv");
    write(&roster, "name\nAda\n\nBob\n\n\nAda\n");
    let err = refuse(&roster);
    assert!(err.contains("dup.csv:7:") && err.contains("line 2"), "{err}");
    // Two names that make the same file name: both lines.
    write(&roster, "Anna Lee\nBob\nanna lee\n");
    let err = refuse(&roster);
    assert!(err.contains("dup.csv:3:") && err.contains("line 1") && err.contains("\"Anna Lee\""), "{err}");

    // Windows-1252 from Excel: read, with the hint to save as CSV UTF-8.
    let roster = tmp.path().join("excel.csv");
    std::fs::write(&roster, b"Name,Email\r\nZo\xEB O'Brien,z@example.org\r\n").unwrap();
    let output = run(&["answers", s(&config), "--roster", s(&roster), "--student", "Zoë O'Brien", "--format", "json"]);
    let err = expect_exit(&output, 0, "a Windows-1252 roster");
    assert!(err.contains("CSV UTF-8") && err.contains("excel.csv"), "{err}");
    assert_eq!(json(&output)["sheet"]["student"], Json::from("Zoë O'Brien"));

    // A name the embedded fonts cannot draw is named in a warning.
    let roster = tmp.path().join("fonts.csv");
    write(&roster, "Ada\n李明\n");
    let output = run(&["answers", s(&config), "--roster", s(&roster), "--student", "Ada"]);
    let err = expect_exit(&output, 0, "a name without glyphs");
    assert!(err.contains("warning") && err.contains("李明") && err.contains("line 2"), "{err}");
    assert!(!out.exists(), "refused rosters write nothing");
}

#[test]
fn quiet_is_quiet_and_a_batch_prints_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let output = ok(&["generate", s(&shipped_config("randomized")), "--variants", "3", "--out", s(&out), "--quiet"]);
    assert!(output.stdout.is_empty() && output.stderr.is_empty(), "{}{}", stdout(&output), stderr(&output));
    let output = ok(&["generate", s(&shipped_config("randomized")), "--variants", "3", "--out", s(&out)]);
    let printed = stdout(&output);
    assert_eq!(printed.lines().count(), 1, "{printed}");
    assert!(printed.contains("10 files") && printed.contains("3 sheets"), "{printed}");
    let output =
        ok(&["generate", s(&shipped_config("randomized")), "--variants", "3", "--out", s(&out), "--check", "--quiet"]);
    assert!(output.stdout.is_empty(), "{}", stdout(&output));
}

#[test]
fn watch_refuses_a_config_that_does_not_exist() {
    let tmp = tempfile::tempdir().unwrap();
    let output = assert_cmd::Command::cargo_bin("backprop-worksheet")
        .unwrap()
        .current_dir(tmp.path())
        .args(["watch", "nosuch.yaml"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    let err = expect_exit(&output, 1, "watch nosuch.yaml");
    assert!(err.contains("nosuch.yaml"), "{err}");
}

#[test]
fn a_misnamed_template_is_a_warning_with_the_expected_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("templates");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(root().join("templates/worksheet.typ.j2"), dir.join("worksheet.typ")).unwrap();
    let output = run(&["check", s(&root().join("configs/classic.yaml")), "--templates", s(&dir)]);
    let err = expect_exit(&output, 0, "check with a misnamed template");
    assert!(err.contains("warning") && err.contains("worksheet.typ "), "{err}");
    for (name, _) in backprop_worksheet::render::EMBEDDED {
        assert!(err.contains(name), "names {name}: {err}");
    }
}

const IMPOSSIBLE: &str = "title: T
network:
  input: { from: 1, to: 3 }
  target: 20
  layers:
    - { coefficient: 3, weight: 1 }
    - { coefficient: 2, weight: 3 }
nudge: 0.1
learning_rate: 0.1
reflection_layers: 10
require:
  - error >= 2
  - error > 100000
";

#[test]
fn check_places_an_impossible_constraint_and_never_says_ok() {
    let tmp = tempfile::tempdir().unwrap();
    write(&tmp.path().join("imp.yaml"), IMPOSSIBLE);
    let output = run_in(tmp.path(), &["check", "imp.yaml"]);
    let err = expect_exit(&output, 1, "check imp.yaml");
    assert!(err.contains("imp.yaml:13:") && err.contains("error > 100000"), "at the require line: {err}");
    // generate blames the same line.
    let output = run_in(tmp.path(), &["generate", "imp.yaml", "--variants", "2"]);
    let err = expect_exit(&output, 1, "generate imp.yaml");
    assert!(err.contains("imp.yaml:13:"), "{err}");

    write(&tmp.path().join("typo.yaml"), &IMPOSSIBLE.replace("error > 100000", "y < targt"));
    let output = run_in(tmp.path(), &["check", "typo.yaml"]);
    let err = expect_exit(&output, 1, "check typo.yaml");
    assert!(err.contains("typo.yaml:13:") && err.contains("`targt`") && err.contains("`target`?"), "{err}");
}
