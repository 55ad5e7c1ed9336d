//! Common slips: the wrong answers that the typical mistakes produce, computed
//! exactly for one sheet, so a grader (or the self-check page) can say which
//! mistake a wrong number most likely is: "9 instead of 4.5: forgot the ½".
//!
//! Each slip is a value and the mistakes that give it. A mistake that gives
//! the right answer is dropped (it cannot be told apart), and mistakes that
//! give the same value for the same blank are one slip naming all of them.
//! The words for each mistake are template text; this module only says which
//! mistake it is, by kind and the layers or weights it involves (0-based).
#![deny(clippy::float_arithmetic, clippy::float_cmp, clippy::cast_precision_loss)]

use std::collections::BTreeMap;

use serde::Serialize;

pub use crate::answers::SlipForm;
use crate::answers::{Blank, Column, MistakeFacts, Node, Phrase, Row, Weight, Wording};
use crate::engine::Solution;
use crate::error::Result;
use crate::model::Worksheet;
use crate::number::{Exact, NumberFormat};

/// One typical mistake, with the layers (`j`) or weights (`k`) it involves, 0-based.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mistake {
    /// Layer `j` computed as `c·(previous + w)` instead of `c·previous + w`.
    MultipliedAfterAdding {
        /// The layer.
        j: usize,
    },
    /// Layer `j` fed the value two layers back (for the second layer: `x`)
    /// instead of the previous layer's value.
    SkippedPreviousLayer {
        /// The layer.
        j: usize,
    },
    /// `(y − target)²`: the ½ left out.
    ForgotHalf,
    /// `½(y − target)`: the square left out.
    ForgotSquare,
    /// `target − y` instead of `y − target`.
    ResidualSign,
    /// `2(y − target)`: the power rule's 2 kept, the ½ dropped.
    KeptFactorTwo,
    /// The chain of `dE/dw_k` without its factor number `factor` (0 is `dE/dy`,
    /// then the links from the output down, the last is `da_k/dw_k`).
    DroppedFactor {
        /// The weight.
        k: usize,
        /// Which factor, outermost first.
        factor: usize,
    },
    /// The link `da_j/da_{j−1}` taken as layer `used`'s coefficient.
    WrongCoefficient {
        /// The layer whose link it is.
        j: usize,
        /// The layer whose coefficient was used.
        used: usize,
    },
    /// `da_k/dw_k` taken as the value `a_k` itself.
    ValueForDerivative {
        /// The layer.
        k: usize,
    },
    /// `w + lr·dE/dw` instead of `w − lr·dE/dw`.
    AddedStep {
        /// The weight.
        k: usize,
    },
    /// `w − dE/dw`: the learning rate left out.
    ForgotLearningRate {
        /// The weight.
        k: usize,
    },
    /// The update of weight `k` used weight `other`'s gradient.
    OtherGradient {
        /// The weight updated.
        k: usize,
        /// The weight whose gradient was used.
        other: usize,
    },
    /// The change in E taken as baseline − new instead of new − baseline.
    ChangeReversed,
}

/// One wrong value a blank may get, and every mistake that gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slip {
    /// The wrong value, exact.
    pub value: Exact,
    /// The mistakes that give it, at least one.
    pub mistakes: Vec<Mistake>,
}

/// The slips of every blank that has some, in worksheet order of the blanks' ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slips {
    by_id: Vec<(Blank, Vec<Slip>)>,
}

impl Slips {
    /// Every blank with slips, and its slips.
    pub fn iter(&self) -> impl Iterator<Item = (Blank, &[Slip])> {
        self.by_id.iter().map(|(id, slips)| (*id, slips.as_slice()))
    }

    /// The slips of the blank `id` (empty if it has none).
    pub fn get(&self, id: Blank) -> &[Slip] {
        self.by_id.iter().find(|(i, _)| *i == id).map_or(&[], |(_, s)| s.as_slice())
    }

    /// Adds the candidate wrong values of blank `id`, whose right answer is `right`:
    /// a candidate equal to `right` is dropped; equal candidates become one slip.
    fn add(&mut self, id: Blank, right: &Exact, candidates: Vec<(Exact, Mistake)>) {
        let mut slips: Vec<Slip> = Vec::new();
        for (value, mistake) in candidates {
            if &value == right {
                continue;
            }
            match slips.iter_mut().find(|s| s.value == value) {
                Some(slip) => slip.mistakes.push(mistake),
                None => slips.push(Slip { value, mistakes: vec![mistake] }),
            }
        }
        if !slips.is_empty() {
            self.by_id.push((id, slips));
        }
    }
}

impl Mistake {
    /// The kind of mistake, as it is serialized: `forgot_half`.
    pub fn kind(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or_default();
        value["kind"].as_str().unwrap_or_default().to_owned()
    }

    /// The mistake's kind and the names it involves in the sheet's notation,
    /// for its words in the answers template, numbers written in `numbers`.
    pub fn facts(&self, worksheet: &Worksheet, numbers: &NumberFormat) -> MistakeFacts {
        let count = worksheet.network.layers.len();
        let name = |j: usize| Node::new(j, count).name();
        let weight_name = |k: usize| Weight(k).name();
        let input = |j: usize| if j == 0 { "x".to_owned() } else { name(j - 1) };
        let coefficient = |j: usize| numbers.write(&worksheet.network.layers[j].coefficient.exactly());
        let link = |j: usize| format!("d{}/d{}", name(j), name(j - 1));
        let mut names: BTreeMap<&'static str, String> = BTreeMap::new();
        match *self {
            Mistake::MultipliedAfterAdding { j } => {
                names.extend([("layer", name(j)), ("input", input(j)), ("weight", weight_name(j))]);
                names.insert("coefficient", coefficient(j));
            }
            Mistake::SkippedPreviousLayer { j } => {
                names.extend([("layer", name(j)), ("input", input(j)), ("skipped", input(j - 1))]);
            }
            Mistake::DroppedFactor { k, factor } => {
                let factors = count - k + 1;
                let which = match factor {
                    0 => "dE/dy".to_owned(),
                    f if f + 1 == factors => format!("d{}/d{}", name(k), weight_name(k)),
                    f => link(count - f),
                };
                names.extend([("weight", weight_name(k)), ("factor", which)]);
            }
            Mistake::WrongCoefficient { j, used } => {
                names.extend([("link", link(j)), ("used", coefficient(used)), ("right", coefficient(j))]);
            }
            Mistake::ValueForDerivative { k } => names.extend([("layer", name(k)), ("weight", weight_name(k))]),
            Mistake::AddedStep { k } | Mistake::ForgotLearningRate { k } => {
                names.insert("weight", weight_name(k));
            }
            Mistake::OtherGradient { k, other } => {
                names.extend([("weight", weight_name(k)), ("other", weight_name(other))]);
            }
            Mistake::ForgotHalf
            | Mistake::ForgotSquare
            | Mistake::ResidualSign
            | Mistake::KeptFactorTwo
            | Mistake::ChangeReversed => {}
        }
        MistakeFacts { kind: self.kind(), names }
    }
}

/// A slip with its words: what a grader's script or the key's rubric shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordedSlip {
    /// The wrong value, exact.
    pub value: Exact,
    /// What mistake gives it, in words.
    pub slip: String,
}

/// The worded slips of every blank that has some, in worksheet order; as JSON,
/// an object keyed by answer id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordedSlips(pub Vec<(Blank, Vec<WordedSlip>)>);

impl WordedSlips {
    /// The worded slips of the blank `id` (empty if it has none).
    pub fn get(&self, id: Blank) -> &[WordedSlip] {
        self.0.iter().find(|(i, _)| *i == id).map_or(&[], |(_, list)| list.as_slice())
    }

    /// The worded slips of the blank whose public id is `id`.
    pub fn named(&self, id: &str) -> &[WordedSlip] {
        self.0.iter().find(|(i, _)| i.to_string() == id).map_or(&[], |(_, list)| list.as_slice())
    }
}

impl Serialize for WordedSlips {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(id, list)| (id, list)))
    }
}

/// The slips of every blank, worded by `words` for the place `form`, in
/// worksheet order.
pub fn worded(slips: &Slips, worksheet: &Worksheet, words: &dyn Wording, form: SlipForm) -> Result<WordedSlips> {
    let language = &worksheet.presentation.language;
    let numbers = words.numbers(language);
    let phrases: Vec<Phrase> = slips
        .iter()
        .flat_map(|(_, list)| list.iter())
        .map(|slip| Phrase::Slip {
            mistakes: slip.mistakes.iter().map(|m| m.facts(worksheet, &numbers)).collect(),
            form,
        })
        .collect();
    let mut texts = words.phrase_all(language, &phrases)?.into_iter();
    Ok(WordedSlips(
        slips
            .iter()
            .map(|(id, list)| {
                let worded = list
                    .iter()
                    .map(|slip| WordedSlip { value: slip.value.clone(), slip: texts.next().unwrap_or_default() })
                    .collect();
                (id, worded)
            })
            .collect(),
    ))
}

/// The slips of every blank of `worksheet`, whose answers are `solution`.
pub fn catalogue(worksheet: &Worksheet, solution: &Solution) -> Slips {
    let mut slips = Slips::default();
    forward_pass(&mut slips, worksheet, solution);
    error(&mut slips, worksheet, solution);
    experiments(&mut slips, solution);
    chain_rule(&mut slips, worksheet, solution);
    update(&mut slips, worksheet, solution);
    slips
}

/// The input of layer `j`: `x` for the first, the previous layer's value after.
fn input_of(worksheet: &Worksheet, values: &[Exact], j: usize) -> Exact {
    if j == 0 {
        worksheet.network.input.clone()
    } else {
        values[j - 1].clone()
    }
}

fn forward_pass(slips: &mut Slips, worksheet: &Worksheet, solution: &Solution) {
    let layers = &worksheet.network.layers;
    for (j, layer) in layers.iter().enumerate() {
        let input = input_of(worksheet, &solution.values, j);
        let mut candidates =
            vec![(&layer.coefficient * &(&input + &layer.weight), Mistake::MultipliedAfterAdding { j })];
        if j > 0 {
            let skipped = input_of(worksheet, &solution.values, j - 1);
            candidates.push((&(&layer.coefficient * &skipped) + &layer.weight, Mistake::SkippedPreviousLayer { j }));
        }
        slips.add(Blank::Value(Node::new(j, layers.len())), &solution.values[j], candidates);
    }
}

fn error(slips: &mut Slips, worksheet: &Worksheet, solution: &Solution) {
    let residual = &solution.residual;
    let candidates = vec![(residual.square(), Mistake::ForgotHalf), (&Exact::half() * residual, Mistake::ForgotSquare)];
    slips.add(Blank::Error, &solution.error, candidates);
    let candidates = vec![
        (&worksheet.network.target - solution.output(), Mistake::ResidualSign),
        (&Exact::int(2) * residual, Mistake::KeptFactorTwo),
    ];
    slips.add(Blank::ErrorSlope, residual, candidates);
}

fn experiments(slips: &mut Slips, solution: &Solution) {
    let layers = solution.experiments.len();
    for k in (0..layers).rev() {
        let experiment = &solution.experiments[k];
        for (row, trial) in [(Row::Plus, &experiment.plus), (Row::Minus, &experiment.minus)] {
            let id = Blank::Table { weight: Weight(k), row, column: Column::Change };
            slips.add(id, &trial.change, vec![(-&trial.change, Mistake::ChangeReversed)]);
        }
    }
}

fn chain_rule(slips: &mut Slips, worksheet: &Worksheet, solution: &Solution) {
    let layers = &worksheet.network.layers;
    let count = layers.len();
    for k in (0..count).rev() {
        let gradient = &solution.gradients[k];
        let mut candidates: Vec<(Exact, Mistake)> = (0..gradient.factors.len())
            .map(|factor| {
                let value = gradient.factors.iter().enumerate().filter(|(i, _)| *i != factor).map(|(_, f)| f.clone());
                (value.product(), Mistake::DroppedFactor { k, factor })
            })
            .collect();
        // Factor 1 + (count − 1 − j) is the link of layer j, its coefficient.
        for j in (k + 1..count).rev() {
            let used = j - 1;
            let mut factors = gradient.factors.clone();
            factors[count - j] = layers[used].coefficient.clone();
            candidates.push((factors.into_iter().product(), Mistake::WrongCoefficient { j, used }));
        }
        candidates.push((&gradient.value * &solution.values[k], Mistake::ValueForDerivative { k }));
        slips.add(Blank::Gradient(Weight(k)), &gradient.value, candidates);
    }
    for j in 1..count {
        let used = vec![(layers[j - 1].coefficient.clone(), Mistake::WrongCoefficient { j, used: j - 1 })];
        slips.add(Blank::Link(Node::new(j, count)), &layers[j].coefficient, used);
    }
    for k in 0..count {
        let value = vec![(solution.values[k].clone(), Mistake::ValueForDerivative { k })];
        slips.add(Blank::Own(Node::new(k, count)), &Exact::int(1), value);
    }
}

fn update(slips: &mut Slips, worksheet: &Worksheet, solution: &Solution) {
    let count = worksheet.network.layers.len();
    let rate = &worksheet.learning_rate;
    for k in (0..count).rev() {
        let w = &worksheet.network.layers[k].weight;
        let g = &solution.gradients[k].value;
        let mut candidates =
            vec![(w + &(rate * g), Mistake::AddedStep { k }), (w - g, Mistake::ForgotLearningRate { k })];
        for other in (0..count).rev().filter(|&o| o != k) {
            let step = rate * &solution.gradients[other].value;
            candidates.push((w - &step, Mistake::OtherGradient { k, other }));
        }
        slips.add(Blank::NewWeight(Weight(k)), &solution.update.weights[k], candidates);
    }
}
