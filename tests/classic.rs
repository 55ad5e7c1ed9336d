//! The classic handout's numbers, pinned: every value DESIGN.md lists for
//! `configs/classic.yaml`, read from the answers by id.

use backprop_worksheet::answers::{Answers, Blank, Value};
use backprop_worksheet::config;
use backprop_worksheet::generate;
use backprop_worksheet::render::Templates;

fn classic() -> Answers {
    let spec = config::load(std::path::Path::new("configs/classic.yaml")).expect("classic config loads");
    generate::solve_fixed(&spec, &Templates::load(None).unwrap()).expect("classic solves").answers
}

fn exact(answers: &Answers, id: &str) -> String {
    match &answers.named(id).unwrap_or_else(|| panic!("no answer {id}")).value {
        Value::Exact(x) => x.to_plain_string(),
        other => panic!("{id} is not exact: {other:?}"),
    }
}

/// The answer `id` as an English sheet shows it.
fn shown(answers: &Answers, id: &str) -> String {
    let answer = answers.named(id).unwrap_or_else(|| panic!("no answer {id}"));
    answer.value.display(&backprop_worksheet::number::NumberFormat::english())
}

#[test]
fn forward_pass() {
    let a = classic();
    assert_eq!(exact(&a, "h1"), "7");
    assert_eq!(exact(&a, "y"), "17");
    assert_eq!(exact(&a, "error"), "4.5");
}

#[test]
fn nudge_tables() {
    let a = classic();
    let row = |p: &str, cols: &[&str]| cols.iter().map(|c| exact(&a, &format!("{p}.{c}"))).collect::<Vec<_>>();
    assert_eq!(row("nudge_w2.plus", &["w2", "h1", "y", "error", "change"]), ["3.1", "7", "17.1", "4.205", "-0.295"]);
    assert_eq!(row("nudge_w2.minus", &["w2", "h1", "y", "error", "change"]), ["2.9", "7", "16.9", "4.805", "0.305"]);
    assert_eq!(row("nudge_w1.plus", &["w1", "h1", "y", "error", "change"]), ["1.1", "7.1", "17.2", "3.92", "-0.58"]);
    assert_eq!(row("nudge_w1.minus", &["w1", "h1", "y", "error", "change"]), ["0.9", "6.9", "16.8", "5.12", "0.62"]);
    assert_eq!(row("nudge_w1.base", &["w1", "h1", "y", "error"]), ["1", "7", "17", "4.5"]);
    assert_eq!(shown(&a, "nudge_w2.direction"), "increase");
    assert_eq!(shown(&a, "nudge_w1.direction"), "increase");
    assert_eq!(shown(&a, "strongest_weight"), "w1");
}

#[test]
fn derivatives_and_chain_rule() {
    let a = classic();
    assert_eq!(exact(&a, "dy_dw2"), "1");
    assert_eq!(exact(&a, "dE_dy"), "-3");
    assert_eq!(exact(&a, "grad_w2"), "-3");
    assert_eq!(exact(&a, "dh1_dw1"), "1");
    assert_eq!(exact(&a, "dy_dh1"), "2");
    assert_eq!(exact(&a, "grad_w1"), "-6");
}

#[test]
fn update_step() {
    let a = classic();
    assert_eq!(exact(&a, "new_w2"), "3.3");
    assert_eq!(exact(&a, "new_w1"), "1.6");
    assert_eq!(exact(&a, "new_h1"), "7.6");
    assert_eq!(exact(&a, "new_y"), "18.5");
    assert_eq!(exact(&a, "new_error"), "1.125");
    assert_eq!(a.named("error_decreased").unwrap().value, Value::Flag(true));
    assert!(shown(&a, "error_verdict").contains("from 4.5 to 1.125"));
}

#[test]
fn reflection_and_extension() {
    let a = classic();
    assert_eq!(shown(&a, "reflection_factors"), "11");
    assert_eq!(exact(&a, "ext.z"), "7");
    assert_eq!(shown(&a, "ext.h1"), "0.9991");
    assert_eq!(shown(&a, "ext.grad_w1"), "\u{2212}0.02731");
    let why = shown(&a, "ext.explanation");
    assert!(why.contains("saturated") && why.contains("−6"), "{why}");
}

#[test]
fn model_answers_use_this_worksheets_numbers() {
    let a = classic();
    let discussion = shown(&a, "discussion");
    assert!(discussion.contains("y = 17") && discussion.contains("20") && discussion.contains("4.5"), "{discussion}");
    let check = shown(&a, "check_w2");
    assert!(check.contains("−0.3") && check.contains("−0.295"), "{check}");
    assert!(shown(&a, "reflection").starts_with("11 derivatives"));
}

/// Near the optimum (y = 0.99 for a target of 1, a nudge of 0.1) the
/// measured change has the other sign than the predicted one: the check's
/// model answer says so truthfully, not that the two "differ slightly".
#[test]
fn the_check_near_the_optimum_says_the_nudge_overshoots() {
    let yaml = "title: Near the optimum\nnetwork:\n  input: 1\n  target: 1\n  layers:\n    \
                - { coefficient: 1, weight: 0 }\n    - { coefficient: 1, weight: -0.01 }\nnudge: 0.1\nlearning_rate: 0.1\n";
    let spec = config::parse(yaml, "near.yaml", "near").unwrap();
    let answers = generate::solve_fixed(&spec, &Templates::load(None).unwrap()).unwrap().answers;
    for weight in ["w1", "w2"] {
        let check = shown(&answers, &format!("check_{weight}"));
        assert!(check.contains("= −0.001, but the table measured 0.004"), "{check}");
        assert!(check.contains("carries it past the target"), "{check}");
        assert!(!check.contains("differ slightly"), "{check}");
    }
    // The classic sheet's nudges agree in sign: they differ slightly.
    let check = shown(&classic(), "check_w2");
    assert!(check.contains("differ slightly") && !check.contains("past the target"), "{check}");
}

/// The classic sheet's common slips, as the issue pins them: each is the
/// value the named mistake gives.
#[test]
fn common_slips() {
    use backprop_worksheet::slips::{self, Mistake};
    let spec = config::load(std::path::Path::new("configs/classic.yaml")).expect("classic config loads");
    let solved = generate::solve_fixed(&spec, &Templates::load(None).unwrap()).expect("classic solves");
    let catalogue = slips::catalogue(&solved.worksheet, &solved.solution);
    let value_of = |id: &str, mistake: &Mistake| -> String {
        let slip = catalogue.get(Blank::parse(id, 2).unwrap()).iter().find(|s| s.mistakes.contains(mistake));
        slip.unwrap_or_else(|| panic!("{id} has no slip {mistake:?}")).value.to_plain_string()
    };
    assert_eq!(value_of("error", &Mistake::ForgotHalf), "9");
    assert_eq!(value_of("dE_dy", &Mistake::ResidualSign), "3");
    // dE/dw1 = dE/dy · dy/dh · dh/dw1: without dy/dh (factor 1) it is −3 · 1.
    assert_eq!(value_of("grad_w1", &Mistake::DroppedFactor { k: 0, factor: 1 }), "-3");
    assert_eq!(value_of("new_w2", &Mistake::AddedStep { k: 1 }), "2.7");
    assert_eq!(value_of("error", &Mistake::ForgotSquare), "-1.5");
    assert_eq!(value_of("h1", &Mistake::MultipliedAfterAdding { j: 0 }), "9");
    assert_eq!(value_of("y", &Mistake::SkippedPreviousLayer { j: 1 }), "7");
    assert_eq!(value_of("nudge_w2.plus.change", &Mistake::ChangeReversed), "0.295");
    // Dropping dh/dw1 = 1 changes nothing, so it is no slip.
    assert!(catalogue
        .get(Blank::parse("grad_w1", 2).unwrap())
        .iter()
        .all(|s| !s.mistakes.contains(&Mistake::DroppedFactor { k: 0, factor: 2 })));
}
