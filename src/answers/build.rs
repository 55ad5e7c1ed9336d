//! Building the answers of one sheet a task group at a time, in worksheet
//! order: the numbers from the solution, and the facts of each model answer,
//! to be worded afterwards.

use super::phrase::Phrase;
use super::{link_id, own_id, value_id, value_name, weight_name, Answers, Value};
use crate::engine::{Outcome, Solution};
use crate::model::Worksheet;
use crate::nonlinear::significant;
use crate::number::Exact;

/// The answers built so far, and what they are built from.
pub(super) struct Builder<'a> {
    /// The answers so far, the model answers still empty.
    pub(super) answers: Answers,
    /// The model answers to word: where each is in `answers`, and its facts.
    pub(super) pending: Vec<(usize, Phrase)>,
    /// The sheet.
    worksheet: &'a Worksheet,
    /// Its solution.
    solution: &'a Solution,
}

/// Every answer of `worksheet` from its `solution`, the model answers empty,
/// and the facts of each model answer with its place in the list.
pub(super) fn build(worksheet: &Worksheet, solution: &Solution) -> (Answers, Vec<(usize, Phrase)>) {
    let mut a = Builder { answers: Answers::default(), pending: Vec::new(), worksheet, solution };
    a.given();
    a.forward();
    a.nudges();
    a.chain_rule();
    a.reflection();
    a.update();
    a.extension();
    (a.answers, a.pending)
}

impl Builder<'_> {
    fn layers(&self) -> usize {
        self.worksheet.network.layers.len()
    }

    fn name(&self, j: usize) -> String {
        value_name(j, self.layers())
    }

    fn exact(&mut self, id: impl Into<String>, group: &'static str, label: impl Into<String>, value: &Exact) {
        self.answers.exact(id, group, label, value);
    }

    /// A model answer, empty until it is worded.
    fn text(&mut self, id: impl Into<String>, group: &'static str, label: impl Into<String>, phrase: Phrase) {
        self.pending.push((self.answers.list.len(), phrase));
        self.answers.push(id, group, label, Value::Text(String::new()));
    }

    /// The given numbers.
    fn given(&mut self) {
        use super::GIVEN;
        let net = &self.worksheet.network;
        self.exact("x", GIVEN, "input x", &net.input);
        self.exact("target", GIVEN, "target output", &net.target);
        for (i, l) in net.layers.iter().enumerate() {
            self.exact(format!("c{}", i + 1), GIVEN, format!("coefficient of layer {}", i + 1), &l.coefficient);
        }
        for (i, l) in net.layers.iter().enumerate() {
            self.exact(weight_name(i), GIVEN, format!("starting weight {}", weight_name(i)), &l.weight);
        }
        self.exact("nudge", GIVEN, "nudge", &self.worksheet.nudge);
        self.exact("learning_rate", GIVEN, "learning rate", &self.worksheet.learning_rate);
    }

    /// Task 1: the forward pass and the discussion.
    fn forward(&mut self) {
        const T1: &str = "The forward pass";
        let (net, solution, layers) = (&self.worksheet.network, self.solution, self.layers());
        for (j, v) in solution.values.iter().enumerate() {
            let prev = if j == 0 { "x".to_owned() } else { self.name(j - 1) };
            let label = format!(
                "{} = {}·{} + {}",
                self.name(j),
                net.layers[j].coefficient.to_display_string(),
                prev,
                weight_name(j)
            );
            self.exact(value_id(j, layers), T1, label, v);
        }
        self.exact("error", T1, "E = ½(y − target)²", &solution.error);
        self.text("discussion", T1, "Is our network doing well?", Phrase::discussion(self.worksheet, solution))
    }

    /// Tasks 2 and 3: the nudge experiments, last weight first.
    fn nudges(&mut self) {
        const T23: &str = "Nudge experiments";
        let (solution, layers) = (self.solution, self.layers());
        for k in (0..layers).rev() {
            let w = weight_name(k);
            let e = &solution.experiments[k];
            for (row, trial) in [("base", &e.base), ("plus", &e.plus), ("minus", &e.minus)] {
                let p = format!("nudge_{w}.{row}");
                self.exact(format!("{p}.{w}"), T23, format!("{w} ({row})"), &trial.weight);
                for j in k.saturating_sub(1)..layers {
                    let label = format!("{} with {w} = {}", self.name(j), trial.weight.to_display_string());
                    self.exact(format!("{p}.{}", value_id(j, layers)), T23, label, &trial.values[j]);
                }
                self.exact(
                    format!("{p}.error"),
                    T23,
                    format!("E with {w} = {}", trial.weight.to_display_string()),
                    &trial.error,
                );
                if row != "base" {
                    self.exact(format!("{p}.change"), T23, format!("change in E ({row})"), &trial.change);
                }
            }
            let phrase = Phrase::Direction { weight: w.clone(), direction: e.direction };
            self.text(format!("nudge_{w}.direction"), T23, format!("increase or decrease {w}?"), phrase);
        }
        let weights = solution.strongest.iter().map(|&k| weight_name(k)).collect();
        self.text("strongest_weight", T23, "which weight has the bigger effect?", Phrase::StrongestWeight { weights })
    }

    /// Tasks 4 to 6: the derivatives and the chain rule.
    fn chain_rule(&mut self) {
        const T46: &str = "Derivatives and the chain rule";
        let (net, solution, layers) = (&self.worksheet.network, self.solution, self.layers());
        let last = layers - 1;
        self.exact(own_id(last, layers), T46, format!("dy/d{}", weight_name(last)), &Exact::int(1));
        self.exact("dE_dy", T46, "dE/dy = y − target", &solution.residual);
        let rule = Phrase::WhichRule { weight: weight_name(last) };
        self.text("which_rule", T46, "What calculus rule do we use?", rule);
        // In worksheet order: the last weight's chain, then each longer chain,
        // its new local derivatives first (a link appears once, where it is first used).
        for k in (0..layers).rev() {
            let w = weight_name(k);
            if k < last {
                let j = k + 1;
                self.exact(own_id(k, layers), T46, format!("d{}/d{w}", self.name(k)), &Exact::int(1));
                let label = format!("d{}/d{}", self.name(j), self.name(k));
                self.exact(link_id(j, layers), T46, label, &net.layers[j].coefficient);
            }
            self.exact(format!("grad_{w}"), T46, format!("dE/d{w}"), &solution.gradients[k].value);
            let check = Phrase::check(self.worksheet, solution, k);
            self.text(format!("check_{w}"), T46, format!("Does dE/d{w} match the experiment?"), check);
        }
    }

    /// Task 7: the reflection questions.
    fn reflection(&mut self) {
        const T7: &str = "Reflection";
        let (reflection_layers, factors) = (self.worksheet.reflection_layers, self.solution.reflection_factors);
        self.text("why_harder", T7, "Why was dE/dw1 harder?", Phrase::why_harder(self.layers()));
        self.answers.push(
            "reflection_factors",
            T7,
            format!("derivatives chained for w1 with {reflection_layers} layers"),
            Value::Count(u64::from(factors)),
        );
        let label = format!("What if the network had {reflection_layers} layers?");
        self.text("reflection", T7, label, Phrase::reflection(reflection_layers, factors));
        let billions = Phrase::Billions { layers: self.layers() };
        self.text("billions", T7, "How do they compute billions of gradients?", billions)
    }

    /// Task 8: the update step.
    fn update(&mut self) {
        const T8: &str = "The update step";
        let (solution, layers) = (self.solution, self.layers());
        for k in (0..layers).rev() {
            let w = weight_name(k);
            self.exact(format!("new_{w}"), T8, format!("new {w} = {w} − lr·dE/d{w}"), &solution.update.weights[k]);
        }
        for (j, v) in solution.update.values.iter().enumerate() {
            self.exact(format!("new_{}", value_id(j, layers)), T8, format!("new {}", self.name(j)), v);
        }
        self.exact("new_error", T8, "new E", &solution.update.error);
        self.exact("error_change", T8, "new E − E", &(&solution.update.error - &solution.error));
        let decreased = Value::Flag(solution.update.outcome == Outcome::Decreased);
        self.answers.push("error_decreased", T8, "Did the error decrease?", decreased);
        let verdict = Phrase::verdict(self.worksheet, solution);
        self.text("error_verdict", T8, "Did the error decrease? (model answer)", verdict)
    }

    /// The extension challenge, if the sheet has one.
    #[allow(clippy::disallowed_types)] // the extension's values are f64, shown rounded with ≈
    fn extension(&mut self) {
        const EX: &str = "Extension challenge";
        let (solution, layers) = (self.solution, self.layers());
        let (Some(ext), Some(explanation)) =
            (&solution.extension, Phrase::extension_explanation(self.worksheet, solution))
        else {
            return;
        };
        let f = super::activation_symbol(ext.activation);
        self.exact("ext.z", EX, "z = c1·x + w1", &ext.z);
        // A ReLU's values are exact: print them so, without ≈.
        if let Some(exact) = crate::nonlinear::exact_relu(&self.worksheet.network, ext) {
            self.exact("ext.h1", EX, format!("h = {f}(z)"), &exact.activated);
            self.exact("ext.slope", EX, format!("{f}′(z)"), &exact.slope);
            for (j, v) in exact.values.iter().enumerate().skip(1) {
                self.exact(format!("ext.{}", value_id(j, layers)), EX, self.name(j), v);
            }
            self.exact("ext.error", EX, "E", &exact.error);
            self.exact("ext.dE_dy", EX, "dE/dy", &exact.residual);
            self.exact("ext.grad_w1", EX, "dE/dw1", &exact.gradient);
            return self.text("ext.explanation", EX, "What's different?", explanation);
        }
        let d = ext.digits;
        let approx = |v: f64| Value::Approx(significant(v, d), v);
        self.answers.push("ext.h1", EX, format!("h = {f}(z)"), approx(ext.activated));
        self.answers.push("ext.slope", EX, format!("{f}′(z)"), approx(ext.slope));
        for (j, v) in ext.values.iter().enumerate().skip(1) {
            self.answers.push(format!("ext.{}", value_id(j, layers)), EX, self.name(j), approx(*v));
        }
        self.answers.push("ext.error", EX, "E", approx(ext.error));
        self.answers.push("ext.dE_dy", EX, "dE/dy", approx(ext.residual));
        self.answers.push("ext.grad_w1", EX, "dE/dw1", approx(ext.gradient));
        self.text("ext.explanation", EX, "What's different?", explanation)
    }
}
