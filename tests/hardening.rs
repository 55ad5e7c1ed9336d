//! Hostile input: markup injection from configs and rosters, templates that
//! try to read files, a variant failing mid-batch, and arbitrary text and
//! numbers fed to the loader and the engine. Nothing may panic, run as code,
//! or change an earlier output.

use std::path::Path;

use assert_cmd::Command;
use backprop_worksheet::{config, generate};
use proptest::prelude::*;

use crate::common;

fn tool() -> Command {
    Command::cargo_bin("backprop-worksheet").unwrap()
}

fn pdf_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    pdf_extract::extract_text_from_mem(&bytes).unwrap().replace('\u{ad}', "-")
}

const INJECTION: &str = r##"title: '#set page(width: 3cm) $x$ #{1+1} <l> @ref *b* _i_ `raw` \ // c'
credit: '#import "x.typ": * #read("/etc/passwd") ]] ) } #let'
intro: "= Not a heading\n- not a list #show: none"
network:
  input: 2
  target: 20
  layers:
    - { coefficient: 3, weight: 1 }
    - { coefficient: 2, weight: 3 }
nudge: 0.1
learning_rate: 0.1
reflection_layers: 10
"##;

#[test]
fn config_and_roster_text_prints_literally() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("inject.yaml");
    std::fs::write(&config, INJECTION).unwrap();
    let roster = dir.path().join("roster.csv");
    std::fs::write(&roster, "name\n\"#set text(size: 80pt) $y$\"\n").unwrap();
    let out = dir.path().join("out");
    let output = tool().arg("generate").arg(&config).arg("--out").arg(&out).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = pdf_text(&out.join("inject-key.pdf"));
    for literal in
        ["#set page(width: 3cm) $x$ #{1+1}", "#read(\"/etc/passwd\")", "= Not a heading - not a list #show: none"]
    {
        let squeezed: String = literal.split_whitespace().collect();
        let haystack: String = text.split_whitespace().collect();
        assert!(haystack.contains(&squeezed), "{literal:?} not printed literally");
    }
    // The page kept its size: a 3 cm page would have hundreds of pages.
    let classic = tempfile::tempdir().unwrap();
    tool().args(["generate", "configs/classic.yaml", "--out"]).arg(classic.path()).assert().success();
    let pages = |p: &Path| pdf_extract::extract_text_from_mem_by_pages(&std::fs::read(p).unwrap()).unwrap().len();
    assert!(pages(&out.join("inject-key.pdf")) <= pages(&classic.path().join("classic-key.pdf")) + 1);

    // Roster names too, on a randomized config.
    let random = dir.path().join("random.yaml");
    std::fs::write(&random, INJECTION.replace("input: 2", "input: { from: 1, to: 3 }")).unwrap();
    let output =
        tool().arg("generate").arg(&random).arg("--roster").arg(&roster).arg("--out").arg(&out).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let sheet = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-student.pdf") && p.to_string_lossy().contains("random-set"))
        .expect("a sheet named after the student");
    let haystack: String = pdf_text(&sheet).split_whitespace().collect();
    assert!(haystack.contains("#settext(size:80pt)$y$"), "roster name not printed literally");
}

/// A copy of the built-in templates in a temporary directory, with `edit`
/// applied to the main template.
fn templates_with(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::templates_with(dir.path(), edit);
    dir
}

#[test]
fn templates_cannot_read_files() {
    for (edit, expected) in [
        ("#read(\"/etc/passwd\")", "not found"),
        ("#read(\"../Cargo.toml\")", "escape the project root"),
        ("#image(\"/etc/hostname\")", "not found"),
        ("{% include \"../../Cargo.toml\" %}", "template"),
        ("#import \"@preview/cetz:0.3.0\": *", "packages are not available"),
    ] {
        let templates = templates_with(|t| t.replacen("= Introduction", &format!("{edit}\n= Introduction"), 1));
        let out = tempfile::tempdir().unwrap();
        let output = tool()
            .args(["generate", "configs/classic.yaml", "--out"])
            .arg(out.path())
            .arg("--templates")
            .arg(templates.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{edit}: {stderr}");
        assert!(stderr.to_lowercase().contains(expected), "{edit}: {stderr}");
        assert!(!stderr.contains("root:"), "{edit} leaked a file: {stderr}");
        assert!(std::fs::read_dir(out.path()).unwrap().next().is_none(), "{edit}: nothing may be written");
    }
}

#[test]
fn a_variant_failing_mid_batch_leaves_earlier_outputs_untouched() {
    let out = tempfile::tempdir().unwrap();
    let run = |templates: Option<&Path>| {
        let mut cmd = tool();
        cmd.args(["generate", "configs/randomized.yaml", "--variants", "20", "--seed", "7", "--quiet", "--out"])
            .arg(out.path());
        if let Some(t) = templates {
            cmd.arg("--templates").arg(t);
        }
        cmd.output().unwrap()
    };
    // Every file of the output directory, by name, with its bytes.
    let contents = || {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        files
    };
    assert!(run(None).status.success());
    let before = contents();
    // Variant 17 alone fails to typeset, and the template also changes every other sheet.
    let templates = templates_with(|t| {
        t.replacen("= Introduction", "{% if label.id == \"v17\" %}#broken-on-purpose(){% endif %}\n= Introduction", 1)
            .replace("Here's our simple neural network:", "Here is the network:")
    });
    let output = run(Some(templates.path()));
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("broken-on-purpose"));
    let after = contents();
    assert_eq!(before.len(), after.len(), "no file added or removed, no temporary left");
    assert!(before == after, "every earlier output is byte-identical");
}

#[test]
fn numbers_at_the_limits_are_exact_or_refused() {
    let config = |input: &str, weight: &str| {
        format!(
            "title: t\nnetwork:\n  input: {input}\n  target: -1000000\n  layers:\n{}nudge: 0.000001\nlearning_rate: 0.000001\nreflection_layers: 1000\nextension: {{ activation: sigmoid }}\n",
            "    - { coefficient: 999999.999999, weight: WEIGHT }\n".repeat(5).replace("WEIGHT", weight)
        )
    };
    // The largest numbers allowed: every answer exact, none in exponent notation.
    let spec = config::parse(&config("1000000", "-999999.999999"), "big.yaml", "big").unwrap();
    let solved = generate::solve_fixed(&spec, common::words()).unwrap();
    // The exact value (in JSON) in full, the sheet's rounded with ≈ (README, Legibility).
    let y = match &solved.answers.named("y").unwrap().value {
        backprop_worksheet::answers::Value::Exact(y) => y.to_plain_string(),
        other => panic!("y is {other:?}"),
    };
    assert!(y.len() > 30 && !y.contains('e'), "{y}");
    let shown = solved.answers.named("y").unwrap().display(&backprop_worksheet::number::NumberFormat::english());
    assert!(shown.starts_with("\u{2248} ") && shown.contains(" \u{00D7} 10"), "{shown}");
    let json = serde_json::to_string(&solved.answers).unwrap();
    assert!(json.contains(&format!("\"y\":\"{y}\"")));
    assert!(!json.contains("e+") && !json.contains("E+"));
    // One step past a limit is refused with the limit in the message.
    for (input, weight, expected) in [
        ("1000001", "1", "between -1000000 and 1000000"),
        ("1", "0.0000001", "more than 6 decimal places"),
        ("1e7", "1", "between -1000000 and 1000000"),
        ("123456789012345678901234567890", "1", "too large"),
    ] {
        let err = config::parse(&config(input, weight), "big.yaml", "big").unwrap_err().to_string();
        assert!(err.contains(expected), "{input}/{weight}: {err}");
    }
    // The extension overflows f64 for huge chains: an error, not a wrong number.
    let huge = config("1000000", "1").replace("sigmoid", "relu");
    match config::parse(&huge, "big.yaml", "big") {
        Ok(spec) => {
            let solved = generate::solve_fixed(&spec, common::words()).unwrap();
            let shown = solved
                .answers
                .named("ext.grad_w1")
                .unwrap()
                .value
                .display(&backprop_worksheet::number::NumberFormat::english());
            assert!(!shown.contains("inf") && !shown.contains("NaN"), "{shown}");
        }
        Err(e) => assert!(e.to_string().contains("too large"), "{e}"),
    }
}

#[test]
fn too_many_variants_are_refused() {
    // A usage error (2) that says the valid range, before anything is read.
    for count in ["10001", "20000", "0", "-1"] {
        let output = tool()
            .args(["generate", "configs/randomized.yaml", "--variants", count, "--out", "/nonexistent"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "--variants {count}: {stderr}");
        assert!(stderr.contains("from 1 to 10000") && stderr.contains(count), "--variants {count}: {stderr}");
    }
}

const KEYS: &[&str] = &[
    "title",
    "credit",
    "network",
    "input",
    "target",
    "layers",
    "coefficient",
    "weight",
    "nudge",
    "learning_rate",
    "reflection_layers",
    "extension",
    "activation",
    "digits",
    "require",
    "from",
    "to",
    "step",
    "one_of",
    "paper",
];

fn yamlish() -> impl Strategy<Value = String> {
    let scalar = prop_oneof![
        Just("1".to_owned()),
        Just("-0.5".to_owned()),
        Just(".nan".to_owned()),
        Just("1e999".to_owned()),
        Just("~".to_owned()),
        Just("[1, 2]".to_owned()),
        Just("{ from: 3, to: 1 }".to_owned()),
        Just("\"0.1\"".to_owned()),
        "[a-z0-9 .:#$-]{0,12}",
    ];
    let line =
        (0usize..4, proptest::sample::select(KEYS), scalar, any::<bool>()).prop_map(|(indent, key, value, dash)| {
            format!("{}{}{key}: {value}", "  ".repeat(indent), if dash { "- " } else { "" })
        });
    proptest::collection::vec(line, 0..14).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_the_loader(text in "\\PC{0,200}") {
        let _ = config::parse(&text, "fuzz.yaml", "fuzz");
    }

    #[test]
    fn yaml_shaped_garbage_never_panics(text in yamlish()) {
        if let Ok(spec) = config::parse(&text, "fuzz.yaml", "fuzz") {
            if let Some(worksheet) = spec.fixed() {
                let _ = backprop_worksheet::answers::solve(worksheet, common::words());
            }
        }
    }

    #[test]
    fn the_classic_config_with_any_numbers_solves_or_is_refused(
        numbers in proptest::collection::vec(-2_000_000i64..2_000_000, 8),
        scale in 0u32..8,
    ) {
        // Numbers as a float prints them (exponents included), to feed the loader.
        #[allow(clippy::disallowed_types)]
        let n: Vec<String> = numbers.iter().map(|v| {
            let d = 10f64.powi(scale as i32);
            format!("{}", *v as f64 / d)
        }).collect();
        let text = format!(
            "title: t\nnetwork:\n  input: {}\n  target: {}\n  layers:\n    - {{ coefficient: {}, weight: {} }}\n    - {{ coefficient: {}, weight: {} }}\nnudge: {}\nlearning_rate: {}\nreflection_layers: 10\nextension: {{ activation: tanh }}\n",
            n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]
        );
        if let Ok(spec) = config::parse(&text, "fuzz.yaml", "fuzz") {
            let solved = generate::solve_fixed(&spec, common::words()).unwrap();
            for answer in solved.answers.iter() {
                let shown = answer.value.display(&backprop_worksheet::number::NumberFormat::english());
                prop_assert!(!shown.contains("inf") && !shown.contains("NaN"), "{} = {}", answer.id, shown);
            }
        }
    }
}
