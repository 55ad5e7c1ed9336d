//! Building the answers of one sheet a task group at a time, in worksheet
//! order: the numbers from the solution, and the facts of each model answer,
//! to be worded afterwards.

use super::blank::{Blank, Column, Ext, Given, Node, Row, Weight};
use super::{Answers, Value};
use crate::engine::{Outcome, Solution};
use crate::model::Worksheet;
use crate::nonlinear::significant;
use crate::number::Exact;

/// The answers built so far, and what they are built from.
pub(super) struct Builder<'a> {
    /// The answers so far, the model answers still empty.
    pub(super) answers: Answers,
    /// The model answers to word: where each is in `answers`.
    pub(super) pending: Vec<usize>,
    /// The sheet.
    worksheet: &'a Worksheet,
    /// Its solution.
    solution: &'a Solution,
}

/// Every answer of `worksheet` from its `solution`, the model answers empty,
/// and where each model answer is in the list.
pub(super) fn build(worksheet: &Worksheet, solution: &Solution) -> (Answers, Vec<usize>) {
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

    fn node(&self, j: usize) -> Node {
        Node::new(j, self.layers())
    }

    fn name(&self, j: usize) -> String {
        self.node(j).name()
    }

    fn exact(&mut self, id: Blank, label: impl Into<String>, value: &Exact) {
        self.answers.exact(id, label, value);
    }

    /// A model answer, empty until it is worded.
    fn text(&mut self, id: Blank, label: impl Into<String>) {
        self.pending.push(self.answers.list.len());
        self.answers.push(id, label, Value::Text(String::new()));
    }

    /// The given numbers.
    fn given(&mut self) {
        let net = &self.worksheet.network;
        self.exact(Blank::Given(Given::Input), "input x", &net.input);
        self.exact(Blank::Given(Given::Target), "target output", &net.target);
        for (i, l) in net.layers.iter().enumerate() {
            self.exact(Blank::Given(Given::Coefficient(i)), format!("coefficient of layer {}", i + 1), &l.coefficient);
        }
        for (i, l) in net.layers.iter().enumerate() {
            let w = Weight(i);
            self.exact(Blank::Given(Given::Weight(w)), format!("starting weight {}", w.name()), &l.weight);
        }
        self.exact(Blank::Given(Given::Nudge), "nudge", &self.worksheet.nudge);
        self.exact(Blank::Given(Given::LearningRate), "learning rate", &self.worksheet.learning_rate);
    }

    /// Task 1: the forward pass and the discussion.
    fn forward(&mut self) {
        let (net, solution) = (&self.worksheet.network, self.solution);
        for (j, v) in solution.values.iter().enumerate() {
            let prev = if j == 0 { "x".to_owned() } else { self.name(j - 1) };
            let label = format!(
                "{} = {}·{} + {}",
                self.name(j),
                net.layers[j].coefficient.to_display_string(),
                prev,
                Weight(j).name()
            );
            self.exact(Blank::Value(self.node(j)), label, v);
        }
        self.exact(Blank::Error, "E = ½(y − target)²", &solution.error);
        self.text(Blank::Discussion, "Is our network doing well?")
    }

    /// Tasks 2 and 3: the nudge experiments, last weight first.
    fn nudges(&mut self) {
        let (solution, layers) = (self.solution, self.layers());
        for k in (0..layers).rev() {
            let weight = Weight(k);
            let w = weight.name();
            let e = &solution.experiments[k];
            for (row, trial) in Row::ALL.into_iter().zip([&e.base, &e.plus, &e.minus]) {
                let cell = |column| Blank::Table { weight, row, column };
                self.exact(cell(Column::Weight), format!("{w} ({})", row.name()), &trial.weight);
                for j in k.saturating_sub(1)..layers {
                    let label = format!("{} with {w} = {}", self.name(j), trial.weight.to_display_string());
                    self.exact(cell(Column::Value(self.node(j))), label, &trial.values[j]);
                }
                let label = format!("E with {w} = {}", trial.weight.to_display_string());
                self.exact(cell(Column::Error), label, &trial.error);
                if row != Row::Base {
                    self.exact(cell(Column::Change), format!("change in E ({})", row.name()), &trial.change);
                }
            }
            self.text(Blank::Direction(weight), format!("increase or decrease {w}?"));
        }
        self.text(Blank::StrongestWeight, "which weight has the bigger effect?")
    }

    /// Tasks 4 to 6: the derivatives and the chain rule.
    fn chain_rule(&mut self) {
        let (net, solution, layers) = (&self.worksheet.network, self.solution, self.layers());
        let last = layers - 1;
        self.exact(Blank::Own(self.node(last)), format!("dy/d{}", Weight(last).name()), &Exact::int(1));
        self.exact(Blank::ErrorSlope, "dE/dy = y − target", &solution.residual);
        self.text(Blank::WhichRule, "What calculus rule do we use?");
        // In worksheet order: the last weight's chain, then each longer chain,
        // its new local derivatives first (a link appears once, where it is first used).
        for k in (0..layers).rev() {
            let weight = Weight(k);
            let w = weight.name();
            if k < last {
                let j = k + 1;
                self.exact(Blank::Own(self.node(k)), format!("d{}/d{w}", self.name(k)), &Exact::int(1));
                let label = format!("d{}/d{}", self.name(j), self.name(k));
                self.exact(Blank::Link(self.node(j)), label, &net.layers[j].coefficient);
            }
            self.exact(Blank::Gradient(weight), format!("dE/d{w}"), &solution.gradients[k].value);
            self.text(Blank::Check(weight), format!("Does dE/d{w} match the experiment?"));
        }
    }

    /// Task 7: the reflection questions.
    fn reflection(&mut self) {
        let (reflection_layers, factors) = (self.worksheet.reflection_layers, self.solution.reflection_factors);
        self.text(Blank::WhyHarder, "Why was dE/dw1 harder?");
        self.answers.push(
            Blank::ReflectionFactors,
            format!("derivatives chained for w1 with {reflection_layers} layers"),
            Value::Count(u64::from(factors)),
        );
        let label = format!("What if the network had {reflection_layers} layers?");
        self.text(Blank::Reflection, label);
        self.text(Blank::Billions, "How do they compute billions of gradients?")
    }

    /// Task 8: the update step.
    fn update(&mut self) {
        let (solution, layers) = (self.solution, self.layers());
        for k in (0..layers).rev() {
            let w = Weight(k).name();
            let label = format!("new {w} = {w} − lr·dE/d{w}");
            self.exact(Blank::NewWeight(Weight(k)), label, &solution.update.weights[k]);
        }
        for (j, v) in solution.update.values.iter().enumerate() {
            self.exact(Blank::NewValue(self.node(j)), format!("new {}", self.name(j)), v);
        }
        self.exact(Blank::NewError, "new E", &solution.update.error);
        self.exact(Blank::ErrorChange, "new E − E", &(&solution.update.error - &solution.error));
        let decreased = Value::Flag(solution.update.outcome == Outcome::Decreased);
        self.answers.push(Blank::ErrorDecreased, "Did the error decrease?", decreased);
        self.text(Blank::ErrorVerdict, "Did the error decrease? (model answer)")
    }

    /// The extension challenge, if the sheet has one.
    #[allow(clippy::disallowed_types)] // the extension's values are f64, shown rounded with ≈
    fn extension(&mut self) {
        let solution = self.solution;
        let Some(ext) = &solution.extension else { return };
        let f = super::activation_symbol(ext.activation);
        let id = Blank::Extension;
        self.exact(id(Ext::Z), "z = c1·x + w1", &ext.z);
        // A ReLU's values are exact: print them so, without ≈.
        if let Some(exact) = crate::nonlinear::exact_relu(&self.worksheet.network, ext) {
            self.exact(id(Ext::Activated), format!("h = {f}(z)"), &exact.activated);
            self.exact(id(Ext::Slope), format!("{f}′(z)"), &exact.slope);
            for (j, v) in exact.values.iter().enumerate().skip(1) {
                self.exact(id(Ext::Value(self.node(j))), self.name(j), v);
            }
            self.exact(id(Ext::Error), "E", &exact.error);
            self.exact(id(Ext::ErrorSlope), "dE/dy", &exact.residual);
            self.exact(id(Ext::Gradient), "dE/dw1", &exact.gradient);
            return self.text(id(Ext::Explanation), "What's different?");
        }
        let d = ext.digits;
        let approx = |v: f64| Value::Approx(significant(v, d), v);
        self.answers.push(id(Ext::Activated), format!("h = {f}(z)"), approx(ext.activated));
        self.answers.push(id(Ext::Slope), format!("{f}′(z)"), approx(ext.slope));
        for (j, v) in ext.values.iter().enumerate().skip(1) {
            self.answers.push(id(Ext::Value(self.node(j))), self.name(j), approx(*v));
        }
        self.answers.push(id(Ext::Error), "E", approx(ext.error));
        self.answers.push(id(Ext::ErrorSlope), "dE/dy", approx(ext.residual));
        self.answers.push(id(Ext::Gradient), "dE/dw1", approx(ext.gradient));
        self.text(id(Ext::Explanation), "What's different?")
    }
}
