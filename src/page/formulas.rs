//! The chain of formulas of the worksheet, as data for the page's
//! carried-forward checking: each blank in terms of earlier blanks and the
//! givens, so the page can recompute a blank from the student's own entries
//! ("follows"), and the formulas of the common slips, so a slip made on the
//! student's own numbers is recognised too.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::answers::{activation_symbol, Blank, Column, Ext, Given, MistakeFacts, Node, Row, Solved, Weight};
use crate::model::Activation;
use crate::number::{Exact, NumberFormat};
use crate::slips::Mistake;

/// A formula over answer ids. As JSON: `{"id": "h1"}`, `{"num": "3"}`,
/// `{"add": [a, b]}`, `{"sub": [a, b]}`, `{"mul": [a, b]}`, and for the
/// extension `{"sigmoid": a}`, `{"tanh": a}`, `{"relu": a}`, `{"step": a}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Formula {
    /// The value of a blank: the student's entry, or a given.
    Id(Blank),
    /// A constant, canonical decimal text.
    Num(String),
    /// a + b
    Add(Box<Formula>, Box<Formula>),
    /// a − b
    Sub(Box<Formula>, Box<Formula>),
    /// a × b
    Mul(Box<Formula>, Box<Formula>),
    /// The logistic sigmoid 1 / (1 + e^(−a)).
    Sigmoid(Box<Formula>),
    /// The hyperbolic tangent.
    Tanh(Box<Formula>),
    /// The ReLU, max(0, a).
    Relu(Box<Formula>),
    /// The ReLU's slope: 1 where a > 0, else 0 (the convention at 0).
    Step(Box<Formula>),
}

fn id(blank: Blank) -> Formula {
    Formula::Id(blank)
}

/// A given number.
fn given(given: Given) -> Formula {
    Formula::Id(Blank::Given(given))
}

fn num(x: &Exact) -> Formula {
    Formula::Num(x.to_plain_string())
}

fn add(a: Formula, b: Formula) -> Formula {
    Formula::Add(Box::new(a), Box::new(b))
}

fn sub(a: Formula, b: Formula) -> Formula {
    Formula::Sub(Box::new(a), Box::new(b))
}

fn mul(a: Formula, b: Formula) -> Formula {
    Formula::Mul(Box::new(a), Box::new(b))
}

/// The product of `factors`, left to right.
fn product(factors: Vec<Formula>) -> Formula {
    factors.into_iter().reduce(mul).unwrap_or_else(|| Formula::Num("1".into()))
}

/// ½ (y − target)²
fn half_square_error(y: Formula) -> Formula {
    let gap = sub(y, given(Given::Target));
    mul(Formula::Num("0.5".into()), mul(gap.clone(), gap))
}

impl Formula {
    /// The exact value of the formula, given the value of every id it names;
    /// `None` for a sigmoid or tanh, which have no exact value.
    pub fn evaluate(&self, value: &dyn Fn(Blank) -> Option<Exact>) -> Option<Exact> {
        Some(match self {
            Formula::Id(blank) => value(*blank)?,
            Formula::Num(text) => Exact::parse(text)?,
            Formula::Add(a, b) => &a.evaluate(value)? + &b.evaluate(value)?,
            Formula::Sub(a, b) => &a.evaluate(value)? - &b.evaluate(value)?,
            Formula::Mul(a, b) => &a.evaluate(value)? * &b.evaluate(value)?,
            Formula::Relu(a) => {
                let a = a.evaluate(value)?;
                if a.is_positive() {
                    a
                } else {
                    Exact::zero()
                }
            }
            Formula::Step(a) => Exact::int(i64::from(a.evaluate(value)?.is_positive())),
            Formula::Sigmoid(_) | Formula::Tanh(_) => return None,
        })
    }

    /// The formula with every id `keep` refuses replaced by its own formula
    /// in `formulas` (the first one), so it names only what the page knows:
    /// the weight of an experiment table's row, which the sheet prints as
    /// `w ± nudge` and the student never types, becomes `w ± nudge`.
    pub(super) fn inlined(&self, keep: &dyn Fn(Blank) -> bool, formulas: &BTreeMap<Blank, Vec<Formula>>) -> Formula {
        let inline = |f: &Formula| Box::new(f.inlined(keep, formulas));
        match self {
            Formula::Id(blank) if !keep(*blank) => match formulas.get(blank).and_then(|f| f.first()) {
                Some(own) => own.inlined(keep, formulas),
                None => self.clone(),
            },
            Formula::Id(_) | Formula::Num(_) => self.clone(),
            Formula::Add(a, b) => Formula::Add(inline(a), inline(b)),
            Formula::Sub(a, b) => Formula::Sub(inline(a), inline(b)),
            Formula::Mul(a, b) => Formula::Mul(inline(a), inline(b)),
            Formula::Sigmoid(a) => Formula::Sigmoid(inline(a)),
            Formula::Tanh(a) => Formula::Tanh(inline(a)),
            Formula::Relu(a) => Formula::Relu(inline(a)),
            Formula::Step(a) => Formula::Step(inline(a)),
        }
    }
}

/// The worksheet's network, for writing its formulas.
struct Sheet<'a> {
    solved: &'a Solved,
    count: usize,
}

impl Sheet<'_> {
    /// Coefficient of layer `j`, as a constant.
    fn c(&self, j: usize) -> Formula {
        num(&self.solved.worksheet.network.layers[j].coefficient)
    }

    /// `c_j · input + weight`: a layer's forward step.
    fn step(&self, j: usize, input: Formula, weight: Formula) -> Formula {
        add(mul(self.c(j), input), weight)
    }

    fn has(&self, blank: Blank) -> bool {
        self.solved.answers.get(blank).is_some()
    }

    /// The output of layer `j`.
    fn node(&self, j: usize) -> Node {
        Node::new(j, self.count)
    }

    /// Value `j` in the row `at` (an experiment table's row), or, when that
    /// row has no cell for it, the forward pass's.
    fn in_row(&self, at: &dyn Fn(Column) -> Blank, j: usize) -> Formula {
        let here = at(Column::Value(self.node(j)));
        if self.has(here) {
            id(here)
        } else {
            id(Blank::Value(self.node(j)))
        }
    }
}

/// The formulas of every blank that is computed from others (not the
/// givens, not the constant local derivatives), by answer id: each blank's
/// ways of being computed from the student's own entries, the usual first.
/// An experiment table's original row may also be copied from Task 1, and a
/// value that stays the same in a row is the forward pass's.
pub fn formulas(solved: &Solved) -> BTreeMap<Blank, Vec<Formula>> {
    let count = solved.worksheet.network.layers.len();
    let sheet = Sheet { solved, count };
    let w = |j: usize| given(Given::Weight(Weight(j)));
    let value = |j: usize| id(Blank::Value(sheet.node(j)));
    let mut out: BTreeMap<Blank, Vec<Formula>> = BTreeMap::new();
    // Task 1: the forward pass and the error.
    for j in 0..count {
        let input = if j == 0 { given(Given::Input) } else { value(j - 1) };
        out.insert(Blank::Value(sheet.node(j)), vec![sheet.step(j, input, w(j))]);
    }
    out.insert(Blank::Error, vec![half_square_error(value(count - 1))]);
    out.insert(Blank::ErrorSlope, vec![sub(value(count - 1), given(Given::Target))]);
    // The experiment tables: one weight nudged, the values after it recomputed.
    for k in 0..count {
        for row in Row::ALL {
            let at = |column| Blank::Table { weight: Weight(k), row, column };
            let weight = match row {
                Row::Base => w(k),
                Row::Plus => add(w(k), given(Given::Nudge)),
                Row::Minus => sub(w(k), given(Given::Nudge)),
            };
            out.insert(at(Column::Weight), vec![weight]);
            for j in 0..count {
                let here = at(Column::Value(sheet.node(j)));
                if !sheet.has(here) {
                    continue;
                }
                let input = if j == 0 { given(Given::Input) } else { sheet.in_row(&at, j - 1) };
                let weight = if j == k { id(at(Column::Weight)) } else { w(j) };
                let mut formulas = vec![sheet.step(j, input, weight.clone())];
                // The value before the nudged layer stays the same: the
                // student may take it from Task 1 instead of the row's cell.
                if j == k && j > 0 {
                    formulas.push(sheet.step(j, value(j - 1), weight));
                }
                // Before the nudged layer a value stays the same, and the
                // original row is the forward pass: both may be copied.
                if j < k || row == Row::Base {
                    formulas.insert(0, value(j));
                }
                out.insert(here, formulas);
            }
            let mut error = vec![half_square_error(sheet.in_row(&at, count - 1))];
            if row == Row::Base {
                error.push(id(Blank::Error));
            }
            out.insert(at(Column::Error), error);
            if row != Row::Base {
                let base = Blank::Table { weight: Weight(k), row: Row::Base, column: Column::Error };
                out.insert(at(Column::Change), vec![sub(id(at(Column::Error)), id(base))]);
            }
        }
    }
    // The chain rule: dE/dwK = dE/dy · dy/dh… · dhK/dwK, from the student's factors.
    for k in 0..count {
        out.insert(Blank::Gradient(Weight(k)), vec![product(chain(k, count))]);
    }
    // The update step.
    for k in 0..count {
        let step = mul(given(Given::LearningRate), id(Blank::Gradient(Weight(k))));
        out.insert(Blank::NewWeight(Weight(k)), vec![sub(w(k), step)]);
    }
    for j in 0..count {
        let input = if j == 0 { given(Given::Input) } else { id(Blank::NewValue(sheet.node(j - 1))) };
        let weight = id(Blank::NewWeight(Weight(j)));
        out.insert(Blank::NewValue(sheet.node(j)), vec![sheet.step(j, input, weight)]);
    }
    out.insert(Blank::NewError, vec![half_square_error(id(Blank::NewValue(sheet.node(count - 1))))]);
    out.insert(Blank::ErrorChange, vec![sub(id(Blank::NewError), id(Blank::Error))]);
    extension(&sheet, &mut out);
    out.retain(|blank, _| sheet.has(*blank));
    out
}

/// The factors of dE/dwK, outermost first: dE/dy, the links from the output
/// down, dhK/dwK (as [`Mistake::DroppedFactor`] counts them).
fn chain(k: usize, count: usize) -> Vec<Formula> {
    let mut factors = vec![id(Blank::ErrorSlope)];
    factors.extend((k + 1..count).rev().map(|j| id(Blank::Link(Node::new(j, count)))));
    factors.push(id(Blank::Own(Node::new(k, count))));
    factors
}

/// The extension's formulas: the activation on the first layer, then the
/// linear layers, the error and the chain with the activation's slope.
fn extension(sheet: &Sheet, out: &mut BTreeMap<Blank, Vec<Formula>>) {
    let Some(ext) = sheet.solved.worksheet.extension else { return };
    let count = sheet.count;
    let z = || id(Blank::Extension(Ext::Z));
    let h = || id(Blank::Extension(Ext::Activated));
    let input = given(Given::Input);
    out.insert(Blank::Extension(Ext::Z), vec![sheet.step(0, input, given(Given::Weight(Weight(0))))]);
    let (activated, slopes) = match ext.activation {
        Activation::Sigmoid => {
            let of = |a: Formula| mul(a.clone(), sub(Formula::Num("1".into()), a));
            (Formula::Sigmoid(Box::new(z())), vec![of(h()), of(Formula::Sigmoid(Box::new(z())))])
        }
        Activation::Tanh => {
            let of = |a: Formula| sub(Formula::Num("1".into()), mul(a.clone(), a));
            (Formula::Tanh(Box::new(z())), vec![of(h()), of(Formula::Tanh(Box::new(z())))])
        }
        Activation::Relu => (Formula::Relu(Box::new(z())), vec![Formula::Step(Box::new(z()))]),
    };
    out.insert(Blank::Extension(Ext::Activated), vec![activated]);
    out.insert(Blank::Extension(Ext::Slope), slopes);
    for j in 1..count {
        let input = id(ext_value(sheet.node(j - 1)));
        out.insert(ext_value(sheet.node(j)), vec![sheet.step(j, input, given(Given::Weight(Weight(j))))]);
    }
    let y = || id(ext_value(sheet.node(count - 1)));
    out.insert(Blank::Extension(Ext::Error), vec![half_square_error(y())]);
    out.insert(Blank::Extension(Ext::ErrorSlope), vec![sub(y(), given(Given::Target))]);
    out.insert(Blank::Extension(Ext::Gradient), vec![product(extension_chain(sheet))]);
}

/// The extension's value of a layer: `ext.h1` (the activation) for the first.
fn ext_value(node: Node) -> Blank {
    match node.layer {
        0 => Blank::Extension(Ext::Activated),
        _ => Blank::Extension(Ext::Value(node)),
    }
}

/// The factors of the extension's dE/dw1, outermost first: dE/dy, the
/// layers' coefficients from the output down, the activation's slope.
fn extension_chain(sheet: &Sheet) -> Vec<Formula> {
    let mut factors = vec![id(Blank::Extension(Ext::ErrorSlope))];
    factors.extend((1..sheet.count).rev().map(|j| sheet.c(j)));
    factors.push(id(Blank::Extension(Ext::Slope)));
    factors
}

/// A slip made on the student's own numbers: the formula that gives it, and
/// the mistake, for its words.
#[derive(Debug, Clone)]
pub struct SlipFormula {
    /// The wrong value, from the student's own entries.
    pub formula: Formula,
    /// The mistake that gives it.
    pub mistake: MistakeFacts,
}

/// The common slips that have a formula, by answer id: each computed from the
/// student's own earlier entries, so that a slip on a wrong number of their
/// own is still recognised (`y` = 19 then E = 1: the ½ forgotten).
/// Numbers in a mistake's facts are written in `numbers`.
pub fn slip_formulas(solved: &Solved, numbers: &NumberFormat) -> BTreeMap<Blank, Vec<SlipFormula>> {
    let count = solved.worksheet.network.layers.len();
    let sheet = Sheet { solved, count };
    let facts = |m: Mistake| m.facts(&solved.worksheet, numbers);
    let mut out: BTreeMap<Blank, Vec<SlipFormula>> = BTreeMap::new();
    let mut add_slip = |blank: Blank, formula: Formula, mistake: MistakeFacts| {
        if sheet.has(blank) {
            out.entry(blank).or_default().push(SlipFormula { formula, mistake });
        }
    };
    // A layer's step: the weight added before multiplying, the previous layer
    // skipped. `value(j)` names value j of the pass, `weight(j)` its weight.
    let steps = |value: &dyn Fn(usize) -> Formula, weight: &dyn Fn(usize) -> Formula, from: usize| {
        let mut list = Vec::new();
        for j in from..count {
            let input = if j == 0 { given(Given::Input) } else { value(j - 1) };
            list.push((j, mul(sheet.c(j), add(input, weight(j))), Mistake::MultipliedAfterAdding { j }));
            if j > 0 {
                let skipped = if j == 1 { given(Given::Input) } else { value(j - 2) };
                list.push((j, sheet.step(j, skipped, weight(j)), Mistake::SkippedPreviousLayer { j }));
            }
        }
        list
    };
    let forward = |j: usize| id(Blank::Value(sheet.node(j)));
    let weight = |j: usize| given(Given::Weight(Weight(j)));
    for (j, formula, mistake) in steps(&forward, &weight, 0) {
        add_slip(Blank::Value(sheet.node(j)), formula, facts(mistake));
    }
    let new = |j: usize| id(Blank::NewValue(sheet.node(j)));
    let new_weight = |j: usize| id(Blank::NewWeight(Weight(j)));
    for (j, formula, mistake) in steps(&new, &new_weight, 0) {
        add_slip(Blank::NewValue(sheet.node(j)), formula, facts(mistake));
    }
    // The errors: the ½ or the square forgotten.
    let mut errors = vec![(Blank::Error, forward(count - 1)), (Blank::NewError, new(count - 1))];
    for k in 0..count {
        for row in Row::ALL {
            let at = |column| Blank::Table { weight: Weight(k), row, column };
            errors.push((at(Column::Error), sheet.in_row(&at, count - 1)));
            // The experiment tables' steps after the nudged weight.
            let value = |j: usize| sheet.in_row(&at, j);
            let nudged = |j: usize| if j == k { id(at(Column::Weight)) } else { weight(j) };
            for (j, formula, mistake) in steps(&value, &nudged, k) {
                add_slip(at(Column::Value(sheet.node(j))), formula, facts(mistake));
            }
            if row != Row::Base {
                let base = Blank::Table { weight: Weight(k), row: Row::Base, column: Column::Error };
                let reversed = sub(id(base), id(at(Column::Error)));
                add_slip(at(Column::Change), reversed, facts(Mistake::ChangeReversed));
            }
        }
    }
    for (blank, y) in errors {
        let gap = sub(y, given(Given::Target));
        add_slip(blank, mul(gap.clone(), gap.clone()), facts(Mistake::ForgotHalf));
        add_slip(blank, mul(Formula::Num("0.5".into()), gap), facts(Mistake::ForgotSquare));
    }
    add_slip(Blank::ErrorChange, sub(id(Blank::Error), id(Blank::NewError)), facts(Mistake::ChangeReversed));
    // dE/dy: the sign, or the power rule's 2 kept.
    let y = forward(count - 1);
    add_slip(Blank::ErrorSlope, sub(given(Given::Target), y.clone()), facts(Mistake::ResidualSign));
    let doubled = mul(Formula::Num("2".into()), sub(y, given(Given::Target)));
    add_slip(Blank::ErrorSlope, doubled, facts(Mistake::KeptFactorTwo));
    // The chain: a factor left out, a link's coefficient from the wrong
    // layer, the value where its derivative belongs.
    for k in 0..count {
        let factors = chain(k, count);
        let blank = Blank::Gradient(Weight(k));
        for factor in 0..factors.len() {
            let others = factors.iter().enumerate().filter(|(i, _)| *i != factor).map(|(_, f)| f.clone()).collect();
            add_slip(blank, product(others), facts(Mistake::DroppedFactor { k, factor }));
        }
        for j in (k + 1..count).rev() {
            let mut wrong = factors.clone();
            wrong[count - j] = sheet.c(j - 1);
            add_slip(blank, product(wrong), facts(Mistake::WrongCoefficient { j, used: j - 1 }));
        }
        let mut valued = factors.clone();
        *valued.last_mut().expect("the chain ends with dhK/dwK") = forward(k);
        add_slip(blank, product(valued), facts(Mistake::ValueForDerivative { k }));
        add_slip(Blank::Own(sheet.node(k)), forward(k), facts(Mistake::ValueForDerivative { k }));
    }
    // The update: the step added, the learning rate forgotten, another weight's gradient.
    for k in 0..count {
        let blank = Blank::NewWeight(Weight(k));
        let gradient = |k: usize| id(Blank::Gradient(Weight(k)));
        let step = mul(given(Given::LearningRate), gradient(k));
        add_slip(blank, add(weight(k), step), facts(Mistake::AddedStep { k }));
        add_slip(blank, sub(weight(k), gradient(k)), facts(Mistake::ForgotLearningRate { k }));
        for other in (0..count).rev().filter(|&o| o != k) {
            let step = mul(given(Given::LearningRate), gradient(other));
            add_slip(blank, sub(weight(k), step), facts(Mistake::OtherGradient { k, other }));
        }
    }
    extension_slips(&sheet, numbers, &mut add_slip);
    out
}

/// The extension's slips with a formula: the activation left out (z used
/// where h belongs), a layer's weight added before multiplying, the ½ or the
/// square of the error forgotten, the sign of dE/dy, a factor of the chain
/// left out.
fn extension_slips(sheet: &Sheet, numbers: &NumberFormat, add_slip: &mut dyn FnMut(Blank, Formula, MistakeFacts)) {
    let Some(ext) = sheet.solved.worksheet.extension else { return };
    let count = sheet.count;
    let facts = |m: Mistake| m.facts(&sheet.solved.worksheet, numbers);
    let value = |j: usize| id(ext_value(sheet.node(j)));
    let named = |kind: &str, names: Vec<(&'static str, String)>| MistakeFacts {
        kind: kind.to_owned(),
        names: names.into_iter().collect(),
    };
    for j in 1..count {
        let blank = ext_value(sheet.node(j));
        let weight = given(Given::Weight(Weight(j)));
        add_slip(
            blank,
            mul(sheet.c(j), add(value(j - 1), weight.clone())),
            facts(Mistake::MultipliedAfterAdding { j }),
        );
        // The activation forgotten: z where the first layer's value belongs.
        if j == 1 {
            let skipped = named(
                "skipped_previous_layer",
                vec![("layer", sheet.node(1).name()), ("input", sheet.node(0).name()), ("skipped", "z".into())],
            );
            add_slip(blank, sheet.step(1, id(Blank::Extension(Ext::Z)), weight), skipped);
        }
    }
    let gap = sub(value(count - 1), given(Given::Target));
    let (error, slope) = (Blank::Extension(Ext::Error), Blank::Extension(Ext::ErrorSlope));
    add_slip(error, mul(gap.clone(), gap.clone()), facts(Mistake::ForgotHalf));
    add_slip(error, mul(Formula::Num("0.5".into()), gap.clone()), facts(Mistake::ForgotSquare));
    add_slip(slope, sub(given(Given::Target), value(count - 1)), facts(Mistake::ResidualSign));
    add_slip(slope, mul(Formula::Num("2".into()), gap), facts(Mistake::KeptFactorTwo));
    let factors = extension_chain(sheet);
    let symbol = activation_symbol(ext.activation);
    for factor in 0..factors.len() {
        let name = match factor {
            0 => "dE/dy".to_owned(),
            f if f + 1 == factors.len() => format!("{symbol}\u{2032}(z)"),
            f => format!("d{}/d{}", sheet.node(count - f).name(), sheet.node(count - f - 1).name()),
        };
        let others = factors.iter().enumerate().filter(|(i, _)| *i != factor).map(|(_, f)| f.clone()).collect();
        let mistake = named("dropped_factor", vec![("weight", Weight(0).name()), ("factor", name)]);
        add_slip(Blank::Extension(Ext::Gradient), product(others), mistake);
    }
}
