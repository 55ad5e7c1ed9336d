//! The command line as a user meets it: exit codes (0 success, 1 a failure the
//! user can fix, 2 bad usage), what goes to stdout and stderr, and which files
//! are written. No run may ever panic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::common;
use common::{expect_exit, root, run, run_in, s, shipped_config, stderr, stdout};

/// Every file under `dir` (recursively) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.insert(path.clone(), Vec::new());
                stack.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

#[test]
fn generate_writes_both_pdfs_and_prints_their_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let output = run(&["generate", s(&shipped_config("classic")), "--out", s(&out)]);
    let err = expect_exit(&output, 0, "generate classic");
    assert!(err.is_empty(), "nothing on stderr without a terminal: {err}");
    // The two sheets, and the record of the run that made them.
    assert_eq!(names(&out), ["classic-key.pdf", "classic-run.json", "classic-student.pdf"]);
    let expected = format!(
        "wrote {}\nwrote {}\nwrote {}\n",
        out.join("classic-student.pdf").display(),
        out.join("classic-key.pdf").display(),
        out.join("classic-run.json").display()
    );
    assert_eq!(stdout(&output), expected);
    for name in ["classic-student.pdf", "classic-key.pdf"] {
        assert!(std::fs::read(out.join(name)).unwrap().starts_with(b"%PDF"), "{name} is a PDF");
    }

    // Regenerating over existing files replaces them with the same bytes.
    let before = snapshot(&out);
    let again = run(&["generate", s(&shipped_config("classic")), "--out", s(&out)]);
    expect_exit(&again, 0, "generate classic again");
    assert!(snapshot(&out) == before, "a second run writes the same bytes and no stray files");
}

#[test]
fn generate_typ_writes_typst_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("typ");
    let output = run(&["generate", s(&shipped_config("classic")), "--format", "typ", "--out", s(&out)]);
    expect_exit(&output, 0, "generate --format typ");
    assert_eq!(names(&out), ["classic-key.typ", "classic-run.json", "classic-student.typ"]);
    assert_eq!(
        stdout(&output),
        format!(
            "wrote {}\nwrote {}\nwrote {}\n",
            out.join("classic-student.typ").display(),
            out.join("classic-key.typ").display(),
            out.join("classic-run.json").display()
        )
    );
    let key = std::fs::read_to_string(out.join("classic-key.typ")).unwrap();
    let student = std::fs::read_to_string(out.join("classic-student.typ")).unwrap();
    assert!(key.contains("#set page(") && student.contains("#set page("), "Typst markup");
    // The change of E when w2 is nudged up: an answer, so only in the key.
    assert!(key.contains("\u{2212}0.295"), "the key has the answers");
    assert!(!student.contains("0.295"), "the student version has none");

    let both = tmp.path().join("both");
    let output = run(&["generate", s(&shipped_config("classic")), "--format", "pdf,typ", "--out", s(&both)]);
    expect_exit(&output, 0, "generate --format pdf,typ");
    assert_eq!(
        names(&both),
        ["classic-key.pdf", "classic-key.typ", "classic-run.json", "classic-student.pdf", "classic-student.typ"]
    );
}

#[test]
fn answers_prints_json_and_text() {
    let output = run(&["answers", s(&shipped_config("classic")), "--format", "json"]);
    expect_exit(&output, 0, "answers --format json");
    let json: Json = serde_json::from_str(&stdout(&output)).expect("answers --format json is JSON");
    assert_eq!(json["error"], Json::from("4.5"));
    assert_eq!(json["y"], Json::from("17"));
    assert_eq!(json["new_error"], Json::from("1.125"));

    let output = run(&["answers", s(&shipped_config("classic"))]);
    expect_exit(&output, 0, "answers (text)");
    assert!(stdout(&output).contains("4.5"), "the text answers hold E = 4.5");
}

#[test]
fn answers_of_a_randomized_config_needs_a_variant() {
    let config = root().join("configs/randomized.yaml");
    let output = run(&["answers", s(&config)]);
    let err = expect_exit(&output, 1, "answers randomized without --variant");
    assert!(err.contains("randomized.yaml"), "names the config: {err}");
    assert!(err.contains("--variant"), "hints at --variant: {err}");

    let output = run(&["answers", s(&config), "--variant", "2", "--seed", "7", "--format", "json"]);
    expect_exit(&output, 0, "answers randomized --variant 2");
    serde_json::from_str::<Json>(&stdout(&output)).expect("JSON");
}

#[test]
fn missing_config_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let output = run(&["generate", "no-such-config.yaml", "--out", s(&out)]);
    let err = expect_exit(&output, 1, "generate a missing config");
    assert!(err.contains("no-such-config.yaml"), "names the config: {err}");
    assert!(!out.exists(), "nothing written");

    let output = run(&["answers", "no-such-config.yaml"]);
    let err = expect_exit(&output, 1, "answers a missing config");
    assert!(err.contains("no-such-config.yaml"), "names the config: {err}");
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let classic = shipped_config("classic");
    let cases: &[&[&str]] = &[
        &["frobnicate"],
        &[],
        &["generate"],
        &["generate", s(&classic), "--bogus"],
        &["answers", s(&classic), "--format", "xml"],
        &["generate", s(&classic), "--format", "docx"],
        &["generate", s(&classic), "--variants", "many"],
        &["answers", s(&classic), "--variant", "0"],
        &["answers", s(&classic), "--variant", "-1"],
        &["generate", s(&classic), "--variants", "0"],
        &["generate", s(&classic), "--variants", "20000"],
        &["generate", s(&classic), "--seed", "-1"],
        &["generate", s(&classic), "--seed=-1"],
        &["check", s(&classic), "--seed", "x"],
    ];
    for args in cases {
        // Run in an empty directory: a usage error must not write `out/` anywhere.
        let output = run_in(tmp.path(), args);
        let err = expect_exit(&output, 2, &format!("`{}`", args.join(" ")));
        assert!(err.contains("Usage") || err.contains("--help"), "`{}` points at the usage: {err}", args.join(" "));
    }
    assert!(names(tmp.path()).is_empty(), "usage errors write nothing");

    // A value out of range says the range, in the flag's own words.
    for (args, range) in [
        (&["--variants", "0"][..], "the number of variants is a whole number from 1 to 10000, not 0"),
        (&["--variants", "20000"], "from 1 to 10000, not 20000"),
        (&["--seed", "-1"], "the seed is a whole number from 0 to 18446744073709551615, not -1"),
        (&["--seed=-1"], "the seed is a whole number from 0 to"),
        (&["--variant", "0"], "the variant is a whole number from 1 to 10000, not 0"),
    ] {
        let output = run_in(tmp.path(), &[&["generate", s(&classic)][..], args].concat());
        let err = expect_exit(&output, 2, &args.join(" "));
        assert!(err.contains(range) && !err.contains("-- -1"), "{args:?}: {err}");
    }

    for flag in ["--help", "--version"] {
        let output = run(&[flag]);
        expect_exit(&output, 0, flag);
        assert!(!stdout(&output).is_empty());
    }
}

#[test]
fn out_pointing_at_a_file_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-dir");
    std::fs::write(&file, b"keep me").unwrap();
    let before = snapshot(tmp.path());
    let output = run(&["generate", s(&shipped_config("classic")), "--out", s(&file)]);
    let err = expect_exit(&output, 1, "--out FILE");
    assert!(err.contains("not-a-dir"), "names the path: {err}");
    assert!(snapshot(tmp.path()) == before, "nothing changed");

    // A directory below a file cannot be created either.
    let below = file.join("sub");
    let output = run(&["generate", s(&shipped_config("classic")), "--out", s(&below)]);
    let err = expect_exit(&output, 1, "--out FILE/sub");
    assert!(err.contains("not-a-dir"), "names the path: {err}");
    assert!(snapshot(tmp.path()) == before, "nothing changed");
}

#[cfg(unix)]
#[test]
fn out_in_a_read_only_directory_fails() {
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = tempfile::tempdir().unwrap();
    let locked = tmp.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root (and some CI sandboxes) may write anyway: then there is nothing to test.
    let probe = locked.join("probe");
    if std::fs::write(&probe, b"").is_ok() {
        let _ = std::fs::remove_file(&probe);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipping: a read-only directory is writable here (running as root?)");
        return;
    }
    for out in [locked.clone(), locked.join("sub")] {
        let output = run(&["generate", s(&shipped_config("classic")), "--out", s(&out)]);
        let err = expect_exit(&output, 1, "--out in a read-only directory");
        assert!(err.contains("locked"), "names the directory: {err}");
    }
    let left: Vec<String> = names(&locked);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(left.is_empty(), "nothing written: {left:?}");
}

#[test]
fn one_failing_config_writes_nothing_at_all() {
    let tmp = tempfile::tempdir().unwrap();
    let bad_syntax = tmp.path().join("BAD.yaml");
    std::fs::write(&bad_syntax, "title: [\n").unwrap();
    let bad_field = tmp.path().join("typo.yaml");
    let text = std::fs::read_to_string(shipped_config("classic")).unwrap().replace("learning_rate:", "learning_rat:");
    std::fs::write(&bad_field, text).unwrap();
    let unsolvable = tmp.path().join("many.yaml");
    let text = std::fs::read_to_string(root().join("configs/randomized.yaml")).unwrap();
    std::fs::write(&unsolvable, text + "  - error < 0\n").unwrap();

    for (bad, name) in [(&bad_syntax, "BAD.yaml"), (&bad_field, "typo.yaml"), (&unsolvable, "many.yaml")] {
        for order in [[s(&shipped_config("classic")), s(bad)], [s(bad), s(&shipped_config("classic"))]] {
            let out = tmp.path().join("out");
            std::fs::create_dir_all(&out).unwrap();
            let output = run(&["generate", order[0], order[1], "--out", s(&out)]);
            let err = expect_exit(&output, 1, &format!("generate {} {}", order[0], order[1]));
            assert!(err.contains(name), "names {name}: {err}");
            assert_eq!(names(&out), Vec::<String>::new(), "no file written, not even classic's");
        }
    }
}

#[test]
fn stderr_and_stdout_stay_quiet_on_success() {
    // Piped (not a terminal): no progress bar, nothing on stderr.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let config = root().join("configs/randomized.yaml");
    let output = run(&["generate", s(&config), "--seed", "2", "--variant", "3", "--out", s(&out)]);
    let err = expect_exit(&output, 0, "generate --variant 3");
    assert!(err.is_empty(), "stderr: {err}");
    assert_eq!(names(&out), ["randomized-v03-key.pdf", "randomized-v03-student.pdf"]);
    assert_eq!(stdout(&output).lines().count(), 2);
}

/// A write that cannot complete (here a directory sits where the key should go)
/// must not leave the files before it in place.
#[test]
fn a_failed_write_leaves_the_output_directory_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(out.join("classic-key.pdf")).unwrap();
    let before = snapshot(&out);
    let output = run(&["generate", s(&shipped_config("classic")), "--out", s(&out)]);
    let err = expect_exit(&output, 1, "generate over a directory named classic-key.pdf");
    assert!(err.contains("classic-key.pdf"), "names the path: {err}");
    assert_eq!(snapshot(&out).keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>(), "nothing written");
}

/// Outputs are staged in temporary files (created 0600); the PDFs for a class
/// (or a CI web server) must still be readable by others.
#[cfg(unix)]
#[test]
fn written_files_are_readable_by_others() {
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    expect_exit(&run(&["generate", s(&shipped_config("classic")), "--format", "typ", "--out", s(&out)]), 0, "generate");
    for name in names(&out) {
        let mode = std::fs::metadata(out.join(&name)).unwrap().permissions().mode() & 0o777;
        assert!(mode & 0o044 == 0o044, "{name} has mode {mode:o}");
    }
}

/// A copy of the built-in templates with `edit` applied to the answers template.
fn answers_template_with(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::template_with(dir.path(), "answers.txt.j2", edit);
    dir
}

#[test]
fn a_model_answer_worded_in_the_answers_template_reaches_the_answers_and_the_key() {
    let builtin = "Yes: the error fell from {{ before }} to {{ after }}.";
    let yes_no = "{% if value %}yes{% else %}no{% endif %}";
    let templates = answers_template_with(|t| {
        assert!(t.contains(builtin) && t.contains(yes_no), "the built-in wording moved");
        t.replacen(builtin, "The error shrank: {{ before }} became {{ after }}.", 1).replacen(
            yes_no,
            "{% if value %}indeed{% else %}no{% endif %}",
            1,
        )
    });
    let reworded = "The error shrank: 4.5 became 1.125.";
    let dir = s(templates.path());

    let text = run(&["answers", s(&shipped_config("classic")), "--templates", dir]);
    expect_exit(&text, 0, "answers --templates");
    assert!(stdout(&text).contains(reworded), "text answers:\n{}", stdout(&text));
    let json = run(&["answers", s(&shipped_config("classic")), "--format", "json", "--templates", dir]);
    expect_exit(&json, 0, "answers --format json --templates");
    let json: Json = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(json["error_verdict"]["text"], Json::from(reworded));
    assert_eq!(json["error_decreased"], Json::from(true), "a yes/no answer stays a boolean");
    let plain = run(&["answers", s(&shipped_config("classic"))]);
    assert!(stdout(&plain).contains("Yes: the error fell from 4.5 to 1.125."), "the built-in wording is unchanged");

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let output =
        run(&["generate", s(&shipped_config("classic")), "--format", "typ,pdf", "--templates", dir, "--out", s(&out)]);
    expect_exit(&output, 0, "generate --templates");
    let key = std::fs::read_to_string(out.join("classic-key.typ")).unwrap();
    let student = std::fs::read_to_string(out.join("classic-student.typ")).unwrap();
    assert!(key.contains(r"The error shrank\: 4\.5 became 1\.125\."), "the key's source holds the new wording");
    assert!(
        !student.contains("shrank") && !student.contains("Yes: the error fell"),
        "the student's source holds no verdict"
    );
    assert!(key.contains("[indeed]") && !student.contains("indeed"), "the key prints the yes/no answer's new word");
    let key_pdf = std::fs::read(out.join("classic-key.pdf")).unwrap();
    let student_pdf = std::fs::read(out.join("classic-student.pdf")).unwrap();
    let squeeze = |pdf: &[u8]| -> String {
        pdf_extract::extract_text_from_mem(pdf).unwrap().chars().filter(|c| !c.is_whitespace()).collect()
    };
    assert!(squeeze(&key_pdf).contains("Theerrorshrank:4.5became1.125."), "the key PDF holds the new wording");
    assert!(!squeeze(&student_pdf).contains("shrank"), "the student PDF does not");
}

#[test]
fn a_broken_answers_template_is_reported_at_its_file_and_line() {
    // A misspelt fact inside a macro: found when the answer is worded.
    let templates = answers_template_with(|t| t.replacen("to {{ after }}.", "to {{ aftr }}.", 1));
    let text = std::fs::read_to_string(templates.path().join("answers.txt.j2")).unwrap();
    let line = text.lines().position(|l| l.contains("{{ aftr }}")).unwrap() + 1;
    let at = format!("answers.txt.j2:{line}:");
    let dir = s(templates.path());
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for args in [
        vec!["answers", s(&shipped_config("classic")), "--templates", dir],
        vec!["generate", s(&shipped_config("classic")), "--templates", dir, "--out", s(&out)],
        vec!["generate", "configs/randomized.yaml", "--variants", "2", "--templates", dir, "--out", s(&out)],
    ] {
        let err = expect_exit(&run(&args), 1, &args.join(" "));
        assert!(err.contains(&at) && err.contains("aftr"), "{}: names the template line:\n{err}", args.join(" "));
    }
    // `check` lists the configs that pass (overshoot's error grows: it never
    // words that sentence) and reports the others.
    let output = run(&["check", "configs", "--templates", dir]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains(&at) && err.contains("aftr"), "check names the template line:\n{err}");
    assert!(!out.exists(), "nothing is written");

    // A syntax error: found when the templates load.
    let templates =
        answers_template_with(|t| t.replacen("{% macro billions(layers) -%}", "{% macro billions(layers) %", 1));
    let text = std::fs::read_to_string(templates.path().join("answers.txt.j2")).unwrap();
    let line = text.lines().position(|l| l.contains("billions(layers) %")).unwrap() + 1;
    let err = expect_exit(
        &run(&["answers", s(&shipped_config("classic")), "--templates", s(templates.path())]),
        1,
        "syntax error",
    );
    assert!(err.contains(&format!("answers.txt.j2:{line}:")), "names the template line:\n{err}");

    // A missing macro names the answer it should word.
    let templates = answers_template_with(|t| t.replacen("macro why_harder(", "macro why_hard(", 1));
    let err = expect_exit(
        &run(&["answers", s(&shipped_config("classic")), "--templates", s(templates.path())]),
        1,
        "missing macro",
    );
    assert!(err.contains("answers.txt.j2") && err.contains("why_harder"), "names the macro:\n{err}");
}

/// A language with no built-in templates gets English words, and a warning
/// that says so and what to do; German and English in any region get none,
/// nor does a sheet made with the teacher's own templates.
#[test]
fn a_language_without_built_in_templates_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let classic_text = std::fs::read_to_string(shipped_config("classic")).unwrap();
    let generate = |language: &str, extra: &[&str]| {
        let text = classic_text.replace("language: en\n", &format!("language: {language}\n"));
        std::fs::write(tmp.path().join("sheet.yaml"), text).unwrap();
        let mut args = vec!["generate", "sheet.yaml", "--format", "typ", "--out", "out", "--quiet", "--replace"];
        args.extend(extra);
        let output = run_in(tmp.path(), &args);
        expect_exit(&output, 0, language)
    };
    let err = generate("fr", &[]);
    assert_eq!(
        err,
        "warning: sheet.yaml: there are no built-in templates in `language: fr`, so the sheet's words are English \
         (read aloud and hyphenated as fr): give templates in that language with --templates DIR (see README, \
         \"Languages\"), or write `language: en`\n"
    );
    for language in ["de", "de-AT", "de-CH", "en-GB", "EN"] {
        assert_eq!(generate(language, &[]), "", "{language}");
    }
    let own = tmp.path().join("french");
    std::fs::create_dir(&own).unwrap();
    assert_eq!(generate("fr", &["--templates", s(&own)]), "", "the teacher's own templates");
}

/// A config whose exact answers run to 30 digits: decimal coefficients and a
/// learning rate of 0.02 (the same as `tests/layout.rs`'s `LONG_DECIMALS`).
const LONG_DECIMALS: &str = "title: Long decimals\nnetwork:\n  input: 1.5\n  target: 100\n  layers:\n    \
    - { coefficient: 1.25, weight: 0.5 }\n    - { coefficient: -0.75, weight: 1.5 }\n    \
    - { coefficient: 2.5, weight: -2 }\n    - { coefficient: -3, weight: 1 }\nnudge: 0.1\nlearning_rate: 0.02\n";

#[test]
fn long_answers_are_printed_rounded_with_a_warning_and_kept_exact_in_json() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("long.yaml");
    std::fs::write(&config, LONG_DECIMALS).unwrap();
    let out = tmp.path().join("out");

    // generate writes both PDFs and warns, even with --quiet.
    let output = run_in(tmp.path(), &["generate", "long.yaml", "--out", s(&out), "--quiet"]);
    let err = expect_exit(&output, 0, "generate --quiet");
    assert!(stdout(&output).is_empty(), "--quiet printed {}", stdout(&output));
    assert_eq!(names(&out), ["long-key.pdf", "long-run.json", "long-student.pdf"]);
    let warning = err.strip_prefix("warning: long.yaml: ").unwrap_or_else(|| panic!("no warning: {err}"));
    assert!(warning.contains("more than 10 significant digits"), "{err}");
    assert!(warning.contains("answers --format json keeps the exact values"), "{err}");
    // Each answer by id and as the sheet calls it, exact and as printed.
    assert!(
        err.contains("new_error (new E) = 3789.388955843746662139892578125, printed \u{2248} 3789.388956"),
        "{err}"
    );
    assert!(err.contains("error (E = ½(y − target)²) = 4130.5528564453125, printed ≈ 4130.552856"), "{err}");
    // And the given numbers that would shorten it.
    assert!(err.contains("the coefficients (1.25, \u{2212}0.75, 2.5)"), "{err}");
    assert!(err.contains("or the learning rate (0.02) would shorten:\n    new_w1 "), "{err}");
    assert!(err.contains("or the nudge (0.1) would shorten:\n    nudge_w4.plus.error "), "{err}");
    // The tables' base rows repeat E: one line, with the ids of its copies.
    assert!(err.contains("printed ≈ 4130.552856 (also nudge_w4.base.error, nudge_w3.base.error, "), "{err}");
    assert_eq!(err.matches("4130.5528564453125").count(), 1, "{err}");
    // A short answer is not named.
    assert!(!err.contains("  h1 ") && !err.contains("grad_w4 "), "{err}");

    // check passes, with the same warning.
    let output = run_in(tmp.path(), &["check", "long.yaml"]);
    let check_err = expect_exit(&output, 0, "check");
    assert!(stdout(&output).starts_with("ok   long.yaml"), "{}", stdout(&output));
    assert_eq!(check_err, err);

    // The JSON keeps every exact value; the text shows both.
    let output = run_in(tmp.path(), &["answers", "long.yaml", "--format", "json"]);
    expect_exit(&output, 0, "answers --format json");
    let json: Json = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["new_error"], "3789.388955843746662139892578125");
    assert_eq!(json["error_change"], "-341.163900601565837860107421875");
    assert_eq!(json["h1"], "2.375");
    let output = run_in(tmp.path(), &["answers", "long.yaml"]);
    let text = stdout(&output);
    assert!(text.contains("new_error              \u{2248} 3789.388956"), "{text}");
    assert!(text.contains("exactly 3789.388955843746662139892578125"), "{text}");

    // A config whose answers are all short gets no warning.
    let output = run(&["check", s(&shipped_config("classic"))]);
    assert!(expect_exit(&output, 0, "check classic").is_empty());
}
