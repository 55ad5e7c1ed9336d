//! More of what a teacher trips over: `check` reporting every problem of a
//! file, notes on what the sample draws look like, and pages that read well.
//! Every case runs the real binary.

use std::process::Output;

mod common;
use common::run_in;

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

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

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
