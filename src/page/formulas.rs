//! The chain of formulas of the linear worksheet, as data for the page's
//! carried-forward checking: each blank in terms of earlier blanks and the
//! givens, so the page can recompute a blank from the student's own entries.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::answers::{own_id, value_id, Solved, Value};
use crate::number::Exact;

/// An exact formula over answer ids. As JSON: `{"id": "h1"}`, `{"num": "3"}`,
/// `{"add": [a, b]}`, `{"sub": [a, b]}`, `{"mul": [a, b]}`.
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

/// ½ (y − target)²
fn half_square_error(y: Formula) -> Formula {
    let gap = sub(y, id("target"));
    mul(Formula::Num("0.5".into()), mul(gap.clone(), gap))
}

impl Formula {
    /// The value of the formula, given the value of every id it names.
    pub fn evaluate(&self, value: &dyn Fn(&str) -> Option<Exact>) -> Option<Exact> {
        Some(match self {
            Formula::Id(name) => value(name)?,
            Formula::Num(text) => Exact::parse(text)?,
            Formula::Add(a, b) => &a.evaluate(value)? + &b.evaluate(value)?,
            Formula::Sub(a, b) => &a.evaluate(value)? - &b.evaluate(value)?,
            Formula::Mul(a, b) => &a.evaluate(value)? * &b.evaluate(value)?,
        })
    }
}

/// The formula of every exact blank that is computed from others (not the
/// givens, not the constant local derivatives), by answer id.
pub fn formulas(solved: &Solved) -> BTreeMap<String, Formula> {
    let network = &solved.worksheet.network;
    let count = network.layers.len();
    let c = |j: usize| num(&network.layers[j].coefficient);
    let w = |j: usize| format!("w{}", j + 1);
    let mut out = BTreeMap::new();
    // Task 1: the forward pass and the error.
    for j in 0..count {
        let prev = if j == 0 { id("x") } else { id(value_id(j - 1, count)) };
        out.insert(value_id(j, count), add(mul(c(j), prev), id(w(j))));
    }
    out.insert("error".into(), half_square_error(id("y")));
    out.insert("dE_dy".into(), sub(id("y"), id("target")));
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
            out.insert(at(&w(k)), weight);
            for j in 0..count {
                let here = at(&value_id(j, count));
                if solved.answers.get(&here).is_none() {
                    continue;
                }
                let prev = match j {
                    0 => id("x"),
                    _ if solved.answers.get(&at(&value_id(j - 1, count))).is_some() => id(at(&value_id(j - 1, count))),
                    _ => id(value_id(j - 1, count)),
                };
                let weight = if j == k { id(at(&w(k))) } else { id(w(j)) };
                out.insert(here, add(mul(c(j), prev), weight));
            }
            out.insert(at("error"), half_square_error(id(at("y"))));
            if row != "base" {
                out.insert(at("change"), sub(id(at("error")), id(format!("{table}.base.error"))));
            }
        }
    }
    // The chain rule: dE/dwK = dE/dy · dy/dh… · dhK/dwK, from the student's factors.
    for k in 0..count {
        let mut product = id("dE_dy");
        for j in (k + 1..count).rev() {
            product = mul(product, id(crate::answers::link_id(j, count)));
        }
        out.insert(format!("grad_{}", w(k)), mul(product, id(own_id(k, count))));
    }
    // The update step.
    for k in 0..count {
        out.insert(format!("new_{}", w(k)), sub(id(w(k)), mul(id("learning_rate"), id(format!("grad_{}", w(k))))));
    }
    for j in 0..count {
        let prev = if j == 0 { id("x") } else { id(format!("new_{}", value_id(j - 1, count))) };
        out.insert(format!("new_{}", value_id(j, count)), add(mul(c(j), prev), id(format!("new_{}", w(j)))));
    }
    out.insert("new_error".into(), half_square_error(id("new_y")));
    out.insert("error_change".into(), sub(id("new_error"), id("error")));
    out.retain(|name, _| matches!(solved.answers.get(name).map(|a| &a.value), Some(Value::Exact(_))));
    out
}
