//! The chain of formulas of the worksheet, as data for the page's
//! carried-forward checking: each blank in terms of earlier blanks and the
//! givens, so the page can recompute a blank from the student's own entries
//! ("follows"), and the formulas of the common slips, so a slip made on the
//! student's own numbers is recognised too.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::answers::{activation_symbol, link_id, own_id, value_id, value_name, weight_name, MistakeFacts, Solved};
use crate::model::Activation;
use crate::number::Exact;
use crate::slips::Mistake;

/// A formula over answer ids. As JSON: `{"id": "h1"}`, `{"num": "3"}`,
/// `{"add": [a, b]}`, `{"sub": [a, b]}`, `{"mul": [a, b]}`, and for the
/// extension `{"sigmoid": a}`, `{"tanh": a}`, `{"relu": a}`, `{"step": a}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Formula {
    /// The value of an answer id: the student's entry, or a given.
    Id(String),
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

fn id(name: impl Into<String>) -> Formula {
    Formula::Id(name.into())
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
    let gap = sub(y, id("target"));
    mul(Formula::Num("0.5".into()), mul(gap.clone(), gap))
}

impl Formula {
    /// The exact value of the formula, given the value of every id it names;
    /// `None` for a sigmoid or tanh, which have no exact value.
    pub fn evaluate(&self, value: &dyn Fn(&str) -> Option<Exact>) -> Option<Exact> {
        Some(match self {
            Formula::Id(name) => value(name)?,
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
    pub(super) fn inlined(&self, keep: &dyn Fn(&str) -> bool, formulas: &BTreeMap<String, Vec<Formula>>) -> Formula {
        let inline = |f: &Formula| Box::new(f.inlined(keep, formulas));
        match self {
            Formula::Id(name) if !keep(name) => match formulas.get(name).and_then(|f| f.first()) {
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

    fn has(&self, name: &str) -> bool {
        self.solved.answers.get(name).is_some()
    }

    /// The id of value `j` in the row `at` (an experiment table's row), or,
    /// when that row has no cell for it, the forward pass's.
    fn in_row(&self, at: &dyn Fn(&str) -> String, j: usize) -> Formula {
        let here = at(&value_id(j, self.count));
        if self.has(&here) {
            id(here)
        } else {
            id(value_id(j, self.count))
        }
    }
}

/// The formulas of every blank that is computed from others (not the
/// givens, not the constant local derivatives), by answer id: each blank's
/// ways of being computed from the student's own entries, the usual first.
/// An experiment table's original row may also be copied from Task 1, and a
/// value that stays the same in a row is the forward pass's.
pub fn formulas(solved: &Solved) -> BTreeMap<String, Vec<Formula>> {
    let count = solved.worksheet.network.layers.len();
    let sheet = Sheet { solved, count };
    let w = |j: usize| weight_name(j);
    let mut out: BTreeMap<String, Vec<Formula>> = BTreeMap::new();
    // Task 1: the forward pass and the error.
    for j in 0..count {
        let input = if j == 0 { id("x") } else { id(value_id(j - 1, count)) };
        out.insert(value_id(j, count), vec![sheet.step(j, input, id(w(j)))]);
    }
    out.insert("error".into(), vec![half_square_error(id("y"))]);
    out.insert("dE_dy".into(), vec![sub(id("y"), id("target"))]);
    // The experiment tables: one weight nudged, the values after it recomputed.
    for k in 0..count {
        let table = format!("nudge_{}", w(k));
        for (row, sign) in [("base", None), ("plus", Some(true)), ("minus", Some(false))] {
            let at = |name: &str| format!("{table}.{row}.{name}");
            let weight = match sign {
                None => id(w(k)),
                Some(true) => add(id(w(k)), id("nudge")),
                Some(false) => sub(id(w(k)), id("nudge")),
            };
            out.insert(at(&w(k)), vec![weight]);
            for j in 0..count {
                let here = at(&value_id(j, count));
                if !sheet.has(&here) {
                    continue;
                }
                let input = if j == 0 { id("x") } else { sheet.in_row(&at, j - 1) };
                let weight = if j == k { id(at(&w(k))) } else { id(w(j)) };
                let mut formulas = vec![sheet.step(j, input, weight.clone())];
                // The value before the nudged layer stays the same: the
                // student may take it from Task 1 instead of the row's cell.
                if j == k && j > 0 {
                    formulas.push(sheet.step(j, id(value_id(j - 1, count)), weight));
                }
                // Before the nudged layer a value stays the same, and the
                // original row is the forward pass: both may be copied.
                if j < k || row == "base" {
                    formulas.insert(0, id(value_id(j, count)));
                }
                out.insert(here, formulas);
            }
            let mut error = vec![half_square_error(sheet.in_row(&at, count - 1))];
            if row == "base" {
                error.push(id("error"));
            }
            out.insert(at("error"), error);
            if row != "base" {
                out.insert(at("change"), vec![sub(id(at("error")), id(format!("{table}.base.error")))]);
            }
        }
    }
    // The chain rule: dE/dwK = dE/dy · dy/dh… · dhK/dwK, from the student's factors.
    for k in 0..count {
        out.insert(format!("grad_{}", w(k)), vec![product(chain(k, count))]);
    }
    // The update step.
    for k in 0..count {
        out.insert(
            format!("new_{}", w(k)),
            vec![sub(id(w(k)), mul(id("learning_rate"), id(format!("grad_{}", w(k)))))],
        );
    }
    for j in 0..count {
        let input = if j == 0 { id("x") } else { id(format!("new_{}", value_id(j - 1, count))) };
        out.insert(format!("new_{}", value_id(j, count)), vec![sheet.step(j, input, id(format!("new_{}", w(j))))]);
    }
    out.insert("new_error".into(), vec![half_square_error(id("new_y"))]);
    out.insert("error_change".into(), vec![sub(id("new_error"), id("error"))]);
    extension(&sheet, &mut out);
    out.retain(|name, _| sheet.has(name));
    out
}

/// The factors of dE/dwK, outermost first: dE/dy, the links from the output
/// down, dhK/dwK (as [`Mistake::DroppedFactor`] counts them).
fn chain(k: usize, count: usize) -> Vec<Formula> {
    let mut factors = vec![id("dE_dy")];
    factors.extend((k + 1..count).rev().map(|j| id(link_id(j, count))));
    factors.push(id(own_id(k, count)));
    factors
}

/// The extension's formulas: the activation on the first layer, then the
/// linear layers, the error and the chain with the activation's slope.
fn extension(sheet: &Sheet, out: &mut BTreeMap<String, Vec<Formula>>) {
    let Some(ext) = sheet.solved.worksheet.extension else { return };
    let count = sheet.count;
    let z = || id("ext.z");
    let h = || id("ext.h1");
    out.insert("ext.z".into(), vec![sheet.step(0, id("x"), id("w1"))]);
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
    out.insert("ext.h1".into(), vec![activated]);
    out.insert("ext.slope".into(), slopes);
    for j in 1..count {
        let input = id(format!("ext.{}", value_id(j - 1, count)));
        out.insert(format!("ext.{}", value_id(j, count)), vec![sheet.step(j, input, id(weight_name(j)))]);
    }
    out.insert("ext.error".into(), vec![half_square_error(id("ext.y"))]);
    out.insert("ext.dE_dy".into(), vec![sub(id("ext.y"), id("target"))]);
    out.insert("ext.grad_w1".into(), vec![product(extension_chain(sheet))]);
}

/// The factors of the extension's dE/dw1, outermost first: dE/dy, the
/// layers' coefficients from the output down, the activation's slope.
fn extension_chain(sheet: &Sheet) -> Vec<Formula> {
    let mut factors = vec![id("ext.dE_dy")];
    factors.extend((1..sheet.count).rev().map(|j| sheet.c(j)));
    factors.push(id("ext.slope"));
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
pub fn slip_formulas(solved: &Solved) -> BTreeMap<String, Vec<SlipFormula>> {
    let count = solved.worksheet.network.layers.len();
    let sheet = Sheet { solved, count };
    let facts = |m: Mistake| m.facts(&solved.worksheet);
    let mut out: BTreeMap<String, Vec<SlipFormula>> = BTreeMap::new();
    let mut add_slip = |name: String, formula: Formula, mistake: MistakeFacts| {
        if sheet.has(&name) {
            out.entry(name).or_default().push(SlipFormula { formula, mistake });
        }
    };
    // A layer's step: the weight added before multiplying, the previous layer
    // skipped. `value(j)` names value j of the pass, `weight(j)` its weight.
    let steps = |value: &dyn Fn(usize) -> Formula, weight: &dyn Fn(usize) -> Formula, from: usize| {
        let mut list = Vec::new();
        for j in from..count {
            let input = if j == 0 { id("x") } else { value(j - 1) };
            list.push((j, mul(sheet.c(j), add(input, weight(j))), Mistake::MultipliedAfterAdding { j }));
            if j > 0 {
                let skipped = if j == 1 { id("x") } else { value(j - 2) };
                list.push((j, sheet.step(j, skipped, weight(j)), Mistake::SkippedPreviousLayer { j }));
            }
        }
        list
    };
    let forward = |j: usize| id(value_id(j, count));
    let weight = |j: usize| id(weight_name(j));
    for (j, formula, mistake) in steps(&forward, &weight, 0) {
        add_slip(value_id(j, count), formula, facts(mistake));
    }
    let new = |j: usize| id(format!("new_{}", value_id(j, count)));
    let new_weight = |j: usize| id(format!("new_{}", weight_name(j)));
    for (j, formula, mistake) in steps(&new, &new_weight, 0) {
        add_slip(format!("new_{}", value_id(j, count)), formula, facts(mistake));
    }
    // The errors: the ½ or the square forgotten.
    let mut errors = vec![("error".to_owned(), id("y")), ("new_error".to_owned(), id("new_y"))];
    for k in 0..count {
        let table = format!("nudge_{}", weight_name(k));
        for row in ["base", "plus", "minus"] {
            let at = |name: &str| format!("{table}.{row}.{name}");
            errors.push((at("error"), sheet.in_row(&at, count - 1)));
            // The experiment tables' steps after the nudged weight.
            let value = |j: usize| sheet.in_row(&at, j);
            let nudged = |j: usize| if j == k { id(at(&weight_name(k))) } else { id(weight_name(j)) };
            for (j, formula, mistake) in steps(&value, &nudged, k) {
                add_slip(at(&value_id(j, count)), formula, facts(mistake));
            }
            if row != "base" {
                let reversed = sub(id(format!("{table}.base.error")), id(at("error")));
                add_slip(at("change"), reversed, facts(Mistake::ChangeReversed));
            }
        }
    }
    for (name, y) in errors {
        let gap = sub(y, id("target"));
        add_slip(name.clone(), mul(gap.clone(), gap.clone()), facts(Mistake::ForgotHalf));
        add_slip(name, mul(Formula::Num("0.5".into()), gap), facts(Mistake::ForgotSquare));
    }
    add_slip("error_change".into(), sub(id("error"), id("new_error")), facts(Mistake::ChangeReversed));
    // dE/dy: the sign, or the power rule's 2 kept.
    add_slip("dE_dy".into(), sub(id("target"), id("y")), facts(Mistake::ResidualSign));
    add_slip("dE_dy".into(), mul(Formula::Num("2".into()), sub(id("y"), id("target"))), facts(Mistake::KeptFactorTwo));
    // The chain: a factor left out, a link's coefficient from the wrong
    // layer, the value where its derivative belongs.
    for k in 0..count {
        let factors = chain(k, count);
        let name = format!("grad_{}", weight_name(k));
        for factor in 0..factors.len() {
            let others = factors.iter().enumerate().filter(|(i, _)| *i != factor).map(|(_, f)| f.clone()).collect();
            add_slip(name.clone(), product(others), facts(Mistake::DroppedFactor { k, factor }));
        }
        for j in (k + 1..count).rev() {
            let mut wrong = factors.clone();
            wrong[count - j] = sheet.c(j - 1);
            add_slip(name.clone(), product(wrong), facts(Mistake::WrongCoefficient { j, used: j - 1 }));
        }
        let mut valued = factors.clone();
        *valued.last_mut().expect("the chain ends with dhK/dwK") = forward(k);
        add_slip(name, product(valued), facts(Mistake::ValueForDerivative { k }));
        add_slip(own_id(k, count), forward(k), facts(Mistake::ValueForDerivative { k }));
    }
    // The update: the step added, the learning rate forgotten, another weight's gradient.
    for k in 0..count {
        let name = format!("new_{}", weight_name(k));
        let gradient = |k: usize| id(format!("grad_{}", weight_name(k)));
        let step = mul(id("learning_rate"), gradient(k));
        add_slip(name.clone(), add(weight(k), step), facts(Mistake::AddedStep { k }));
        add_slip(name.clone(), sub(weight(k), gradient(k)), facts(Mistake::ForgotLearningRate { k }));
        for other in (0..count).rev().filter(|&o| o != k) {
            let step = mul(id("learning_rate"), gradient(other));
            add_slip(name.clone(), sub(weight(k), step), facts(Mistake::OtherGradient { k, other }));
        }
    }
    extension_slips(&sheet, &mut add_slip);
    out
}

/// The extension's slips with a formula: the activation left out (z used
/// where h belongs), a layer's weight added before multiplying, the ½ or the
/// square of the error forgotten, the sign of dE/dy, a factor of the chain
/// left out.
fn extension_slips(sheet: &Sheet, add_slip: &mut dyn FnMut(String, Formula, MistakeFacts)) {
    let Some(ext) = sheet.solved.worksheet.extension else { return };
    let count = sheet.count;
    let facts = |m: Mistake| m.facts(&sheet.solved.worksheet);
    let value = |j: usize| id(format!("ext.{}", value_id(j, count)));
    let named = |kind: &str, names: Vec<(&'static str, String)>| MistakeFacts {
        kind: kind.to_owned(),
        names: names.into_iter().collect(),
    };
    for j in 1..count {
        let name = format!("ext.{}", value_id(j, count));
        let weight = id(weight_name(j));
        add_slip(
            name.clone(),
            mul(sheet.c(j), add(value(j - 1), weight.clone())),
            facts(Mistake::MultipliedAfterAdding { j }),
        );
        // The activation forgotten: z where the first layer's value belongs.
        if j == 1 {
            let skipped = named(
                "skipped_previous_layer",
                vec![("layer", value_name(1, count)), ("input", value_name(0, count)), ("skipped", "z".into())],
            );
            add_slip(name, sheet.step(1, id("ext.z"), weight), skipped);
        }
    }
    let gap = sub(id("ext.y"), id("target"));
    add_slip("ext.error".into(), mul(gap.clone(), gap.clone()), facts(Mistake::ForgotHalf));
    add_slip("ext.error".into(), mul(Formula::Num("0.5".into()), gap.clone()), facts(Mistake::ForgotSquare));
    add_slip("ext.dE_dy".into(), sub(id("target"), id("ext.y")), facts(Mistake::ResidualSign));
    add_slip("ext.dE_dy".into(), mul(Formula::Num("2".into()), gap), facts(Mistake::KeptFactorTwo));
    let factors = extension_chain(sheet);
    let symbol = activation_symbol(ext.activation);
    for factor in 0..factors.len() {
        let name = match factor {
            0 => "dE/dy".to_owned(),
            f if f + 1 == factors.len() => format!("{symbol}\u{2032}(z)"),
            f => format!("d{}/d{}", value_name(count - f, count), value_name(count - f - 1, count)),
        };
        let others = factors.iter().enumerate().filter(|(i, _)| *i != factor).map(|(_, f)| f.clone()).collect();
        let mistake = named("dropped_factor", vec![("weight", weight_name(0)), ("factor", name)]);
        add_slip("ext.grad_w1".into(), product(others), mistake);
    }
}
