//! A teacher's term after a QA pass: the surprises it found, each run
//! through the real binary (fixed runs into a shared folder, reprints of
//! sheets no run owns, copied class folders, closed pipes, names).

use std::path::Path;
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt as _;
use serde_json::Value as Json;

use crate::common;
use common::{expect_exit, files_in as files, root, run, run_in, s, shipped_config};

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    let classic = root().join("configs/classic.yaml");
    for args in [&["completions", "bash"][..], &["schema"], &["answers", s(&classic)]] {
        let mut child = Command::cargo_bin("backprop-worksheet")
            .unwrap()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the first line: `| head -0`.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {err}");
    }
}

#[test]
fn names_that_differ_only_past_the_file_name_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = tmp.path().join("long.csv");
    let long = "Maximilian Alexander von Hohenberg-Wittelsbach-Sigmaringen-Lauenburg";
    write(&roster, &format!("name\n{long} the Elder\n{long} the Younger\n"));
    let out = tmp.path().join("out");
    let output = run(&["generate", s(&shipped_config("randomized")), "--roster", s(&roster), "--out", s(&out)]);
    let err = expect_exit(&output, 1, "two names alike for 60 characters");
    assert!(err.contains("long.csv:3:") && err.contains("(line 2)"), "{err}");
    assert!(err.contains("differ only after the first 60 characters") && err.contains("shorten one"), "{err}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_turkish_capital_i_gives_a_plain_i_in_the_file_name_and_the_same_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = tmp.path().join("r.csv");
    write(&roster, "name\nİlayda Yılmaz\nAda Lovelace\n");
    let answers = |student: &str| {
        let output = run(&[
            "answers",
            s(&shipped_config("randomized")),
            "--roster",
            s(&roster),
            "--student",
            student,
            "--format",
            "json",
        ]);
        expect_exit(&output, 0, student);
        serde_json::from_slice::<Json>(&output.stdout).unwrap()
    };
    let ilayda = answers("İlayda Yılmaz");
    assert_eq!(ilayda["sheet"]["variant"], Json::from("ilayda-yılmaz"));
    assert!(!ilayda["sheet"]["variant"].as_str().unwrap().contains('\u{307}'));
    // The numbers come from the name, not the file name: found by the
    // file name's form, the same sheet.
    assert_eq!(answers("ilayda-yılmaz")["answers"], ilayda["answers"]);
}

#[test]
fn two_fixed_configs_of_one_name_do_not_overwrite_each_other() {
    let tmp = tempfile::tempdir().unwrap();
    let (y10, y11) = (tmp.path().join("y10/worksheet.yaml"), tmp.path().join("y11/worksheet.yaml"));
    let text = std::fs::read_to_string(shipped_config("classic")).unwrap();
    write(&y10, &text);
    write(&y11, &text.replace("input: 2", "input: 3"));
    let go = |config: &str, extra: &[&str]| {
        let mut args = vec!["generate", config, "--out", "printouts", "--format", "pdf,html"];
        args.extend(extra);
        run_in(tmp.path(), &args)
    };
    expect_exit(&go("y10/worksheet.yaml", &[]), 0, "the first config");
    let before = files(&tmp.path().join("printouts"));
    let record: Json = serde_json::from_slice(&before["worksheet-run.json"]).unwrap();
    assert_eq!(record["kind"], Json::from("fixed"));
    assert_eq!(record["config"], Json::from("../y10/worksheet.yaml"));
    assert_eq!(
        record["command"],
        Json::from("backprop-worksheet generate ../y10/worksheet.yaml --out . --format pdf,html")
    );

    let err = expect_exit(&go("y11/worksheet.yaml", &[]), 1, "another config of the same name");
    assert!(err.contains("made from y10/worksheet.yaml") && err.contains("--replace"), "{err}");
    assert!(err.contains("printouts/worksheet-key.pdf"), "{err}");
    assert_eq!(files(&tmp.path().join("printouts")), before, "nothing written");
    // The same config again is the same run; the other one with --replace.
    expect_exit(&go("y10/worksheet.yaml", &[]), 0, "the same config again");
    expect_exit(&go("y11/worksheet.yaml", &["--replace"]), 0, "--replace");
    let after = files(&tmp.path().join("printouts"));
    assert_ne!(after["worksheet-key.pdf"], before["worksheet-key.pdf"]);
    let record: Json = serde_json::from_slice(&after["worksheet-run.json"]).unwrap();
    assert_eq!(record["config"], Json::from("../y11/worksheet.yaml"));
}

#[test]
fn a_reprint_of_a_sheet_no_run_made_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::copy(shipped_config("randomized"), dir.join("rand.yaml")).unwrap();
    expect_exit(&run_in(dir, &["generate", "rand.yaml", "--variants", "3", "--seed", "7", "--out", "v", "-q"]), 0, "3");
    let before = files(&dir.join("v"));
    let err = expect_exit(
        &run_in(dir, &["generate", "rand.yaml", "--variant", "4", "--seed", "7", "--out", "v"]),
        1,
        "--variant 4 beside 3 variants",
    );
    assert!(err.contains("lists 3 sheets, not variant 4"), "{err}");
    assert!(err.contains("`backprop-worksheet generate rand.yaml --out v --variants 4 --seed 7`"), "{err}");
    assert_eq!(files(&dir.join("v")), before, "nothing written");
    // A listed one is a reprint.
    expect_exit(&run_in(dir, &["generate", "rand.yaml", "--variant", "2", "--seed", "7", "--out", "v"]), 0, "v2");
    assert_eq!(files(&dir.join("v")), before, "a reprint is byte-identical");
    // The whole run the message gives keeps the three sheets' numbers.
    expect_exit(&run_in(dir, &["generate", "rand.yaml", "--variants", "4", "--seed", "7", "--out", "v", "-q"]), 0, "4");
    let after = files(&dir.join("v"));
    for k in 1..=3 {
        assert_eq!(after[&format!("rand-v{k:02}-key.pdf")], before[&format!("rand-v{k:02}-key.pdf")], "v{k}");
    }

    // A student who joined after the class run.
    write(&dir.join("11c.csv"), "name\nAda Lovelace\nBob Moses\n");
    let class = ["generate", "rand.yaml", "--roster", "11c.csv", "--seed", "9", "--out", "c", "-q"];
    expect_exit(&run_in(dir, &class), 0, "the class");
    write(&dir.join("11c.csv"), "name\nAda Lovelace\nBob Moses\nNadia Haddad\n");
    let nadia = ["generate", "rand.yaml", "--roster", "11c.csv", "--seed", "9", "--out", "c", "--student", "Nadia"];
    let err = expect_exit(&run_in(dir, &nadia), 1, "a student the manifest does not list");
    assert!(err.contains("not a sheet for Nadia Haddad") && err.contains("--roster 11c.csv --seed 9"), "{err}");
    assert!(!dir.join("c/rand-nadia-haddad-key.pdf").exists());

    // `--check` tells of a sheet file no manifest entry owns.
    std::fs::copy(dir.join("v/rand-v02-key.pdf"), dir.join("v/rand-v07-key.pdf")).unwrap();
    let output = run_in(dir, &["generate", "rand.yaml", "--variants", "4", "--seed", "7", "--out", "v", "--check"]);
    let err = common::stderr(&output);
    assert!(err.contains("no run owns") && err.contains("v/rand-v07-key.pdf"), "{err}");
}

#[test]
fn a_copied_class_folder_is_the_same_run_there() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::copy(shipped_config("randomized"), dir.join("rand.yaml")).unwrap();
    write(&dir.join("rosters/11c.csv"), "name\nAda Lovelace\nBob Moses\n");
    let class = |out: &str| {
        run_in(dir, &["generate", "rand.yaml", "--roster", "rosters/11c.csv", "--seed", "2025", "--out", out, "-q"])
    };
    expect_exit(&class("class11c"), 0, "the class");
    let made = files(&dir.join("class11c"));
    // `cp -r class11c term-autumn/class11c`: the recorded `../rand.yaml`
    // no longer resolves from there.
    std::fs::create_dir_all(dir.join("term-autumn/class11c")).unwrap();
    for (name, bytes) in &made {
        std::fs::write(dir.join("term-autumn/class11c").join(name), bytes).unwrap();
    }
    // Another seed there is refused, naming no path that does not exist.
    let output = run_in(
        dir,
        &["generate", "rand.yaml", "--roster", "rosters/11c.csv", "--seed", "1", "--out", "term-autumn/class11c"],
    );
    let err = expect_exit(&output, 1, "another seed");
    assert!(err.contains("with --roster 11c.csv --seed 2025"), "{err}");
    assert!(!err.contains("term-autumn/rand.yaml") && !err.contains("term-autumn/rosters"), "{err}");
    expect_exit(&class("term-autumn/class11c"), 0, "the same run in the copy");
    let again = files(&dir.join("term-autumn/class11c"));
    let names = |files: &std::collections::BTreeMap<String, Vec<u8>>| files.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&again), names(&made));
    for name in made.keys().filter(|n| n.ends_with(".pdf")) {
        assert!(again[name] == made[name], "{name} is not the same sheet");
    }
}

/// The students of a roster as `answers --roster` finds them: each name of
/// `names` must be found, by its full name, on its own sheet.
fn student_of(roster: &Path, name: &str) -> Json {
    let output = run(&[
        "answers",
        s(&shipped_config("randomized")),
        "--roster",
        s(roster),
        "--student",
        name,
        "--format",
        "json",
    ]);
    expect_exit(&output, 0, name);
    serde_json::from_slice::<Json>(&output.stdout).unwrap()["sheet"].clone()
}

#[test]
fn roster_headers_are_read_by_their_words() {
    let rosters = root().join("tests/rosters");
    for (file, first, second) in [
        ("header-student-name.csv", "Ada Lovelace", "Alan Turing"),
        ("header-nom.csv", "Ada Lovelace", "Alan Turing"),
        ("header-nom-prenom.csv", "Ada Lovelace", "Alan Turing"),
        ("header-id-name.csv", "Ada Lovelace", "Alan Turing"),
        ("header-surname-forename.csv", "Ada Lovelace", "Alan Turing"),
    ] {
        let roster = rosters.join(file);
        for name in [first, second] {
            assert_eq!(student_of(&roster, name)["student"], Json::from(name), "{file}");
        }
        // The header is no student: a name not in the roster is not found.
        let output =
            run(&["answers", s(&shipped_config("randomized")), "--roster", s(&roster), "--student", "Turing Alan"]);
        let err = expect_exit(&output, 1, file);
        assert!(err.contains("no student is called"), "{file}: {err}");
    }
    // The same class in any layout is the same students with the same numbers.
    let plain = student_of(&rosters.join("header-student-name.csv"), "Alan Turing");
    assert_eq!(student_of(&rosters.join("header-surname-forename.csv"), "Alan Turing"), plain);
}

#[test]
fn numbers_and_headers_in_the_name_column_are_errors_with_their_lines() {
    let roster = root().join("tests/rosters/not-names.csv");
    let output =
        run(&["generate", s(&shipped_config("randomized")), "--roster", s(&roster), "--out", "target/never-written"]);
    let err = expect_exit(&output, 1, "ids and a second header");
    for line in
        ["line 1: \"10234\" is a number", "line 2: \"10235\" is a number", "line 3: \"Name\" looks like a header"]
    {
        assert!(err.contains(line), "{line}: {err}");
    }
    assert!(err.contains("`ID,Name`"), "{err}");
    assert!(!root().join("target/never-written").exists());
}

#[test]
fn manifests_are_plain_for_a_spreadsheet() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A saturated tanh: its slope is printed in scientific form on the sheet.
    let config = std::fs::read_to_string(shipped_config("randomized"))
        .unwrap()
        .replace("activation: sigmoid", "activation: tanh")
        .replace("target: { from: 15, to: 30 }", "target: { from: 60, to: 90 }")
        .replace("input: { from: 1, to: 3 }", "input: { from: 3, to: 4 }")
        .replace(
            "- { coefficient: { one_of: [2, 3] }, weight: { from: -2, to: 2 } }",
            "- { coefficient: 3, weight: { from: 1, to: 2 } }",
        );
    write(&dir.join("sat.yaml"), &config);
    write(
        &dir.join("r.csv"),
        "name\n\"=HYPERLINK(\"\"http://example.com\"\",\"\"click\"\")\"\n+44 Ada\n@Bob\nZoë Adams\n",
    );
    let output =
        run_in(dir, &["generate", "sat.yaml", "--roster", "r.csv", "--format", "pdf,html", "--out", "o", "-q"]);
    expect_exit(&output, 0, "a roster with formula-like names");

    let json = std::fs::read_to_string(dir.join("o/sat-manifest.json")).unwrap();
    let entries: Json = serde_json::from_str(&json).unwrap();
    let mut approx = Vec::new();
    for entry in entries.as_array().unwrap() {
        for (_, answer) in entry["answers"].as_object().unwrap() {
            if let Some(text) = answer.get("approx").and_then(Json::as_str) {
                approx.push(text.to_owned());
            }
        }
        assert_eq!(
            entry["run"]["command"],
            Json::from("backprop-worksheet generate ../sat.yaml --out . --format pdf,html --roster ../r.csv --seed 1")
        );
    }
    assert!(approx.iter().any(|a| a.contains('e')), "a value in scientific form: {approx:?}");
    for value in &approx {
        assert!(
            value.is_ascii() && backprop_worksheet::number::Exact::parse(value).is_some(),
            "{value:?} reads as a number"
        );
    }

    let csv = std::fs::read(dir.join("o/sat-manifest.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    let headers = reader.headers().unwrap().clone();
    let mut students = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        students.push(record[2].to_owned());
        for (header, cell) in headers.iter().zip(record.iter()).skip(3) {
            assert!(cell.is_ascii() && !cell.contains('\u{d7}'), "{header}: {cell:?}");
        }
    }
    assert_eq!(students, ["'=HYPERLINK(\"http://example.com\",\"click\")", "'+44 Ada", "'@Bob", "Zoë Adams"]);
    // The JSON keeps the names as written.
    assert_eq!(entries[0]["student"], Json::from("=HYPERLINK(\"http://example.com\",\"click\")"));
}

#[test]
fn a_listed_value_on_no_sheet_of_a_batch_of_30_is_warned_of() {
    let tmp = tempfile::tempdir().unwrap();
    // 2.001 gives answers of 7 or more decimal places: max_decimals keeps
    // it off every sheet; an even share of 30 sheets is 6.
    let config = crate::teacher_term::SKEWED.replace("[3, 2.001]", "[1, 2, 3, 4, 2.001]");
    write(&tmp.path().join("skewed.yaml"), &config);
    let output = run_in(tmp.path(), &["generate", "skewed.yaml", "--variants", "30", "--format", "typ", "--out", "o"]);
    let err = expect_exit(&output, 0, "a batch of 30");
    let warning = err.lines().find(|l| l.contains("2.001")).unwrap_or_else(|| panic!("no warning: {err}"));
    assert!(warning.contains("skewed.yaml:7: the weight of layer 2 is 2.001 on 0 of 30 sheets"), "{warning}");
    assert!(warning.contains("an even share is 20%") && warning.contains("max_decimals"), "{warning}");
    // The even choices of the batch are not warned of.
    assert_eq!(err.matches("warning").count(), 1, "{err}");
}

#[test]
fn a_moodle_file_over_2_mb_is_warned_of() {
    let tmp = tempfile::tempdir().unwrap();
    // About 100 KB a question: 22 variants are more than 2 MB, 3 are not.
    let config = shipped_config("randomized");
    let moodle = |n: &str| {
        let args = ["generate", s(&config), "--variants", n, "--format", "moodle", "--out", n, "-q"];
        expect_exit(&run_in(tmp.path(), &args), 0, n)
    };
    let err = moodle("22");
    let size = std::fs::metadata(tmp.path().join("22/randomized-moodle.xml")).unwrap().len();
    assert!(size > 2 * 1024 * 1024, "{size}");
    assert!(err.contains("22/randomized-moodle.xml is 2.") && err.contains("more than the 2 MB"), "{err}");
    assert!(err.contains("--variants 20") && err.contains("upload limit"), "{err}");
    assert!(!moodle("3").contains("MB"));
}

#[test]
fn a_randomized_config_alone_is_described_as_typed() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(shipped_config("randomized"), tmp.path().join("rand.yaml")).unwrap();
    expect_exit(&run_in(tmp.path(), &["generate", "rand.yaml", "--out", "one", "-q"]), 0, "a batch of one");
    assert!(tmp.path().join("one/rand-v01-key.pdf").exists());
    let err = expect_exit(&run_in(tmp.path(), &["generate", "rand.yaml", "--out", "one", "--seed", "4"]), 1, "seed 4");
    assert!(err.contains("made with --variants 1 --seed 1 (or without --variants)"), "{err}");
    assert!(err.contains("this run (without --variants, so one variant, --seed 4)"), "{err}");
}

#[test]
fn names_the_fonts_cannot_draw_say_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = tmp.path().join("r.csv");
    write(&roster, "name\nAda Lovelace\n李明\n");
    let output =
        run(&["answers", s(&shipped_config("randomized")), "--roster", s(&roster), "--student", "Ada Lovelace"]);
    let err = expect_exit(&output, 0, "a name the fonts lack");
    assert!(err.contains("line 3: \"李明\"") && err.contains("usual romanization"), "{err}");
}

#[test]
fn watch_says_the_roster_encoding_once_a_session() {
    use std::time::Duration;
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("rand.yaml");
    std::fs::copy(shipped_config("randomized"), &config).unwrap();
    // Windows-1252, as Excel saves "CSV": Zoë.
    let roster = tmp.path().join("r.csv");
    std::fs::write(&roster, b"Name\r\nZo\xEB Adams\r\nAda Lovelace\r\n").unwrap();
    let out_dir = tmp.path().join("out");
    let child = common::start_watch(&[s(&config), "--roster", s(&roster), "--format", "typ", "--out", s(&out_dir)]);
    let key = tmp.path().join("out/rand-ada-lovelace-key.typ");
    common::wait_until(&|| key.exists());
    let first = std::fs::read(&key).unwrap();
    // Two saves of the config: two rebuilds.
    for title in ["Again", "Once more"] {
        std::thread::sleep(Duration::from_millis(1100));
        let text = std::fs::read_to_string(&config).unwrap();
        let edited: String = text
            .lines()
            .map(|l| if l.starts_with("title:") { format!("title: {title}") } else { l.to_owned() })
            .collect::<Vec<_>>()
            .join("\n");
        let before = std::fs::read(&key).unwrap();
        std::fs::write(&config, edited + "\n").unwrap();
        common::wait_until(&|| std::fs::read(&key).is_ok_and(|k| k != before));
    }
    let (out, err) = common::stop_watch(child);
    assert_ne!(std::fs::read(&key).unwrap(), first, "rebuilt");
    assert_eq!(out.matches("regenerated").count(), 3, "three builds: {out}");
    assert_eq!(err.matches("Windows-1252").count(), 1, "said once: {err}");
}

#[test]
fn a_list_with_a_space_after_its_commas_stays_a_list() {
    let tmp = tempfile::tempdir().unwrap();
    let config = crate::teacher_term::SKEWED.replace("[3, 2.001]", "[1, 5]").replace("[1, 2]", "[1,   2]");
    write(&tmp.path().join("list.yaml"), &config);
    let output = run_in(tmp.path(), &["check", "list.yaml"]);
    let out = expect_exit(&output, 0, "[1, 5] is the numbers 1 and 5");
    assert!(!out.contains("with a dot"), "{out}");
    assert!(common::stdout(&output).contains("network.layers[1].weight 1..5"), "{}", common::stdout(&output));
}
