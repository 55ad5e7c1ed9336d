//! More of what a teacher trips over: `check` reporting every problem of a
//! file, notes on what the sample draws look like, and pages that read well.
//! Every case runs the real binary.

use crate::common;
use common::{run_in, stderr, stdout};

const CLASSIC: &str = "\
title: T
network:
  input: 2
  target: 20
  layers:
    - { coefficient: 3, weight: 1 }
    - { coefficient: 2, weight: 3 }
nudge: 0.1
learning_rate: 0.1
reflection_layers: 10
";

#[test]
fn check_reports_every_independent_problem_of_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let config = CLASSIC
        .replace("coefficient: 2,", "coefficient: 0,")
        .replace("nudge: 0.1", "nudge: -0.1")
        .replace("reflection_layers: 10", "reflection_layers: 1");
    std::fs::write(tmp.path().join("three.yaml"), config).unwrap();
    let output = run_in(tmp.path(), &["check", "three.yaml"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    for (at, what) in
        [("three.yaml:7:", "coefficient of 0"), ("three.yaml:8:", "nudge"), ("three.yaml:10:", "reflection_layers")]
    {
        assert!(err.contains(at) && err.contains(what), "{at} {what} missing:\n{err}");
    }
    assert!(!stdout(&output).contains("ok "), "{}", stdout(&output));
}

#[test]
fn a_relu_extension_prints_exact_values_without_approx() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, weight, h1, grad) in [("live", "1", "7", "-6"), ("dead", "-7", "0", "0")] {
        let config = CLASSIC.replace("weight: 1 }", &format!("weight: {weight} }}"));
        std::fs::write(tmp.path().join(format!("{name}.yaml")), format!("{config}extension: {{ activation: relu }}\n"))
            .unwrap();
        let output = run_in(tmp.path(), &["answers", &format!("{name}.yaml"), "--format", "json"]);
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(json["ext.h1"], h1, "{name}: {json}");
        assert_eq!(json["ext.grad_w1"], grad, "{name}: {json}");
        for (id, value) in json.as_object().unwrap() {
            assert!(!(id.starts_with("ext.") && value.get("approx").is_some()), "{name}: {id} is approximate: {value}");
        }
        let text = stdout(&run_in(tmp.path(), &["answers", &format!("{name}.yaml")]));
        assert!(!text.contains('≈'), "{name}: {text}");
    }
}

const RANDOM_RELU: &str = "\
title: T
network:
  input: { from: 1, to: 3 }
  target: { from: 15, to: 30 }
  layers:
    - { coefficient: { one_of: [2, 3] }, weight: { from: -8, to: 2 } }
    - { coefficient: { one_of: [2, 3] }, weight: { from: 0, to: 4 } }
nudge: 0.1
learning_rate: 0.1
reflection_layers: 10
extension: { activation: relu }
";

#[test]
fn check_notes_how_many_draws_have_a_live_or_dead_relu_and_how_to_ask_for_one() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("r.yaml"), RANDOM_RELU).unwrap();
    let output = run_in(tmp.path(), &["check", "r.yaml"]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let note = out.lines().find(|l| l.contains("note:")).unwrap_or_else(|| panic!("no note:\n{out}"));
    assert!(note.contains("live (z > 0) in") && note.contains("dead (z ≤ 0) in"), "{note}");
    assert!(note.contains("`ext.z <= 0`"), "{note}");
    // Asking for it works.
    std::fs::write(tmp.path().join("d.yaml"), format!("{RANDOM_RELU}require: [ext.z <= 0]\n")).unwrap();
    let output = run_in(tmp.path(), &["check", "d.yaml"]);
    let out = stdout(&output);
    assert!(
        out.contains("dead (z ≤ 0) in all") && out.contains("every sheet has the dead-ReLU lesson"),
        "{out}{}",
        stderr(&output)
    );
    let sigmoid = RANDOM_RELU.replace("relu", "sigmoid");
    std::fs::write(tmp.path().join("s.yaml"), sigmoid).unwrap();
    let out = stdout(&run_in(tmp.path(), &["check", "s.yaml"]));
    assert!(
        out.contains("the sigmoid is saturated (slope below 0.1) in") && out.contains("`ext.slope < 0.1`"),
        "{out}"
    );
}

#[test]
fn an_intro_keeps_its_paragraphs_and_three_weights_ask_for_the_biggest() {
    let tmp = tempfile::tempdir().unwrap();
    let intro = "intro: |\n  One *about* #set,\n  still one.\n\n  = Two\n";
    let three = CLASSIC.replace(
        "    - { coefficient: 2, weight: 3 }\n",
        "    - { coefficient: 2, weight: 3 }\n    - { coefficient: 1, weight: 1 }\n",
    );
    std::fs::write(tmp.path().join("three.yaml"), format!("{three}{intro}")).unwrap();
    std::fs::write(tmp.path().join("two.yaml"), CLASSIC).unwrap();
    for name in ["three.yaml", "two.yaml"] {
        let output = run_in(tmp.path(), &["generate", name, "--format", "typ", "--quiet"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let three = std::fs::read_to_string(tmp.path().join("out/three-student.typ")).unwrap();
    // *italic* is markup (README, The config); everything else prints as written.
    assert!(three.contains("One #emph[about] \\#set\\, still one\\.\n\n\\= Two\n"), "{three}");
    assert!(three.contains("has the biggest effect on the error?"));
    let two = std::fs::read_to_string(tmp.path().join("out/two-student.typ")).unwrap();
    assert!(two.contains("has a bigger effect on the error?"));
}

#[test]
fn misspelt_fields_are_reported_with_the_other_problems_in_file_order() {
    let tmp = tempfile::tempdir().unwrap();
    let config = CLASSIC
        .replace("  target: 20", "  targt: 20\n  colour: red")
        .replace("nudge: 0.1", "nudge: -0.1")
        .replace("learning_rate: 0.1", "learnin_rate: 0.1");
    std::fs::write(tmp.path().join("many.yaml"), config).unwrap();
    let output = run_in(tmp.path(), &["answers", "many.yaml"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    let found: Vec<&str> = err.lines().filter(|l| l.contains("many.yaml:")).collect();
    let expected = [
        "many.yaml:4:3: unknown field `targt` in `network`: did you mean `target`?",
        "many.yaml:5:3: unknown field `colour` in `network`, valid names are",
        "many.yaml:9:8: the nudge must be greater than 0",
        "many.yaml:10:1: unknown field `learnin_rate`: did you mean `learning_rate`?",
    ];
    assert_eq!(found.len(), expected.len(), "{err}");
    for (line, want) in found.iter().zip(expected) {
        assert!(line.contains(want), "{line:?} should contain {want:?}\n{err}");
    }
    // A misspelling is one problem: no "missing field `target`" as well.
    assert!(!err.contains("missing field"), "{err}");
}
