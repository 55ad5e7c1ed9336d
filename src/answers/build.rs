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

    fn exact(&mut self, id: Blank, value: &Exact) {
        self.answers.exact(id, value);
    }

    /// A model answer, empty until it is worded.
    fn text(&mut self, id: Blank) {
        self.pending.push(self.answers.list.len());
        self.answers.push(id, Value::Text(String::new()));
    }

    /// The given numbers.
    fn given(&mut self) {
        let net = &self.worksheet.network;
        self.exact(Blank::Given(Given::Input), &net.input);
        self.exact(Blank::Given(Given::Target), &net.target);
        for (i, l) in net.layers.iter().enumerate() {
            self.exact(Blank::Given(Given::Coefficient(i)), &l.coefficient);
        }
        for (i, l) in net.layers.iter().enumerate() {
            self.exact(Blank::Given(Given::Weight(Weight(i))), &l.weight);
        }
        self.exact(Blank::Given(Given::Nudge), &self.worksheet.nudge);
        self.exact(Blank::Given(Given::LearningRate), &self.worksheet.learning_rate);
    }

    /// Task 1: the forward pass and the discussion.
    fn forward(&mut self) {
        let solution = self.solution;
        for (j, v) in solution.values.iter().enumerate() {
            self.exact(Blank::Value(self.node(j)), v);
        }
        self.exact(Blank::Error, &solution.error);
        self.text(Blank::Discussion)
    }

    /// Tasks 2 and 3: the nudge experiments, last weight first.
    fn nudges(&mut self) {
        let (solution, layers) = (self.solution, self.layers());
        for k in (0..layers).rev() {
            let weight = Weight(k);
            let e = &solution.experiments[k];
            for (row, trial) in Row::ALL.into_iter().zip([&e.base, &e.plus, &e.minus]) {
                let cell = |column| Blank::Table { weight, row, column };
                self.exact(cell(Column::Weight), &trial.weight);
                for j in k.saturating_sub(1)..layers {
                    self.exact(cell(Column::Value(self.node(j))), &trial.values[j]);
                }
                self.exact(cell(Column::Error), &trial.error);
                if row != Row::Base {
                    self.exact(cell(Column::Change), &trial.change);
                }
            }
            self.text(Blank::Direction(weight));
        }
        self.text(Blank::StrongestWeight)
    }

    /// Tasks 4 to 6: the derivatives and the chain rule.
    fn chain_rule(&mut self) {
        let (net, solution, layers) = (&self.worksheet.network, self.solution, self.layers());
        let last = layers - 1;
        self.exact(Blank::Own(self.node(last)), &Exact::int(1));
        self.exact(Blank::ErrorSlope, &solution.residual);
        self.text(Blank::WhichRule);
        // In worksheet order: the last weight's chain, then each longer chain,
        // its new local derivatives first (a link appears once, where it is first used).
        for k in (0..layers).rev() {
            let weight = Weight(k);
            if k < last {
                self.exact(Blank::Own(self.node(k)), &Exact::int(1));
                self.exact(Blank::Link(self.node(k + 1)), &net.layers[k + 1].coefficient);
            }
            self.exact(Blank::Gradient(weight), &solution.gradients[k].value);
            self.text(Blank::Check(weight));
        }
    }

    /// Task 7: the reflection questions.
    fn reflection(&mut self) {
        self.text(Blank::WhyHarder);
        self.answers.push(Blank::ReflectionFactors, Value::Count(u64::from(self.solution.reflection_factors)));
        self.text(Blank::Reflection);
        self.text(Blank::Billions)
    }

    /// Task 8: the update step.
    fn update(&mut self) {
        let (solution, layers) = (self.solution, self.layers());
        for k in (0..layers).rev() {
            self.exact(Blank::NewWeight(Weight(k)), &solution.update.weights[k]);
        }
        for (j, v) in solution.update.values.iter().enumerate() {
            self.exact(Blank::NewValue(self.node(j)), v);
        }
        self.exact(Blank::NewError, &solution.update.error);
        self.exact(Blank::ErrorChange, &(&solution.update.error - &solution.error));
        let decreased = Value::Flag(solution.update.outcome == Outcome::Decreased);
        self.answers.push(Blank::ErrorDecreased, decreased);
        self.text(Blank::ErrorVerdict)
    }

    /// The extension challenge, if the sheet has one.
    #[allow(clippy::disallowed_types)] // the extension's values are f64, shown rounded with ≈
    fn extension(&mut self) {
        let solution = self.solution;
        let Some(ext) = &solution.extension else { return };
        let id = Blank::Extension;
        self.exact(id(Ext::Z), &ext.z);
        // A ReLU's values are exact: print them so, without ≈.
        if let Some(exact) = crate::nonlinear::exact_relu(&self.worksheet.network, ext) {
            self.exact(id(Ext::Activated), &exact.activated);
            self.exact(id(Ext::Slope), &exact.slope);
            for (j, v) in exact.values.iter().enumerate().skip(1) {
                self.exact(id(Ext::Value(self.node(j))), v);
            }
            self.exact(id(Ext::Error), &exact.error);
            self.exact(id(Ext::ErrorSlope), &exact.residual);
            self.exact(id(Ext::Gradient), &exact.gradient);
            return self.text(id(Ext::Explanation));
        }
        let d = ext.digits;
        let approx = |v: f64| Value::Approx(significant(v, d), v);
        self.answers.push(id(Ext::Activated), approx(ext.activated));
        self.answers.push(id(Ext::Slope), approx(ext.slope));
        for (j, v) in ext.values.iter().enumerate().skip(1) {
            self.answers.push(id(Ext::Value(self.node(j))), approx(*v));
        }
        self.answers.push(id(Ext::Error), approx(ext.error));
        self.answers.push(id(Ext::ErrorSlope), approx(ext.residual));
        self.answers.push(id(Ext::Gradient), approx(ext.gradient));
        self.text(id(Ext::Explanation))
    }
}
