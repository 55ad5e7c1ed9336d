//! The model answers as facts: what each sentence of the key says, in this
//! sheet's numbers, without the words. The words come from a [`Wording`]
//! (the `answers.txt.j2` template), so they can be changed or translated
//! without touching the maths.
//!
//! Numbers arrive as they are printed, written in the language's format
//! (true minus signs, its decimal separator); branches arrive as flags and
//! enums, never as finished words.

use serde::Serialize;

use super::activation_symbol;
use super::blank::{Blank, Ext, Facts, Group, Node, Weight};
use crate::engine::{Direction, Outcome, Solution};
use crate::error::Result;
use crate::model::{Activation, Worksheet};
use crate::nonlinear::significant;
use crate::number::{Exact, NumberFormat};

/// Turns the facts of one model answer into its text, in a sheet's
/// language (its `language:` code, `en`, `de-AT`).
///
/// [`crate::render::Templates`] implements it with the macros of the answers
/// template of the language's template set; the answers never depend on how
/// the words are found.
pub trait Wording {
    /// How the language writes numbers.
    fn numbers(&self, language: &str) -> NumberFormat;

    /// The text of `phrase`, or an error naming where its wording went wrong.
    fn phrase(&self, language: &str, phrase: &Phrase) -> Result<String> {
        Ok(self.phrase_all(language, std::slice::from_ref(phrase))?.remove(0))
    }

    /// The texts of `phrases`, in order: every model answer of one sheet at
    /// once, which an implementation may word faster than one at a time.
    fn phrase_all(&self, language: &str, phrases: &[Phrase]) -> Result<Vec<String>>;
}

/// Which side of the target the output is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// `y` is below the target.
    Low,
    /// `y` is above the target.
    High,
}

/// One text of the answers template as facts: a model answer, a yes or no,
/// a slip, and the words of `answers`' text output (a blank's label, a part's
/// heading, which sheet it is). Each variant is one macro of the answers
/// template, named by [`Phrase::name`], and its fields are the macro's
/// keyword arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phrase {
    /// `discussion`: is the network doing well?
    Discussion {
        /// The output.
        y: String,
        /// The target.
        target: String,
        /// `low` or `high`.
        side: Side,
        /// `|y − target|`.
        gap: String,
        /// The error.
        error: String,
    },
    /// `nudge_wK.direction`: which way to move a weight.
    Direction {
        /// The weight: `w2`.
        weight: String,
        /// `increase` or `decrease`.
        direction: Direction,
    },
    /// `strongest_weight`: the weight with the bigger effect, or a tie.
    StrongestWeight {
        /// The weights with the largest |dE/dw|, first to last: one, or several in a tie.
        weights: Vec<String>,
    },
    /// `which_rule`: the chain rule, for the last weight.
    WhichRule {
        /// The last weight: `w2`.
        weight: String,
    },
    /// `check_wK`: does the gradient match the experiment?
    Check {
        /// The weight: `w1`.
        weight: String,
        /// The nudge.
        nudge: String,
        /// dE/dwK.
        gradient: String,
        /// The change the gradient predicts: gradient × nudge.
        predicted: String,
        /// The change the table measured for +nudge.
        measured: String,
        /// Whether the two differ because E curves (then the central difference is explained).
        curved: bool,
        /// Whether the measured change lacks the predicted one's sign: near
        /// the optimum the nudge carries y past the target, and E does not
        /// fall for either nudge.
        opposite: bool,
        /// E after +nudge.
        plus_error: String,
        /// E after −nudge.
        minus_error: String,
    },
    /// `why_harder`: why dE/dw1 took longer.
    WhyHarder {
        /// Layers of the network.
        layers: usize,
        /// Derivatives in the chain of dE/dw1 (`layers + 1`).
        factors: usize,
        /// The last weight: `w2`.
        last_weight: String,
    },
    /// `reflection`: the chain for w1 with `layers` layers.
    Reflection {
        /// Layers of the imagined network.
        layers: u32,
        /// Derivatives in its chain for w1.
        factors: u32,
        /// Layer-to-layer steps from the first hidden value up to y (`layers − 1`).
        steps: u32,
    },
    /// `billions`: how backpropagation computes all gradients.
    Billions {
        /// Layers of the network.
        layers: usize,
    },
    /// `error_verdict`: did the update lower the error?
    Verdict {
        /// `decreased`, `unchanged` or `increased`.
        outcome: Outcome,
        /// The error before the update.
        before: String,
        /// The error after it.
        after: String,
        /// The learning rate.
        learning_rate: String,
    },
    /// `ext.explanation`: what the activation changes.
    ExtensionExplanation {
        /// `sigmoid`, `tanh` or `relu`.
        activation: Activation,
        /// Its symbol: `σ`, `tanh`, `ReLU`.
        symbol: &'static str,
        /// `z = c1·x + w1`, exact.
        z: String,
        /// The activation's slope at `z`, rounded.
        slope: String,
        /// dE/dw1 with the activation, rounded.
        gradient: String,
        /// dE/dw1 of the linear network, exact.
        linear: String,
        /// The layer-to-layer derivatives of the chain, last first: `dy/dh`.
        links: Vec<String>,
        /// A ReLU with `z ≤ 0`: flat, no gradient.
        dead: bool,
        /// A sigmoid or tanh whose slope is below 0.1: almost flat.
        saturated: bool,
    },
    /// A yes/no answer (`error_decreased`) as the key prints it. The answers
    /// keep the boolean; the template functions word it when they print it.
    YesNo {
        /// The answer.
        value: bool,
    },
    /// `label`: what a blank is, for people (`answers`' text output, a
    /// warning): `h = 3·x + w1`, `E with w2 = 3.1`.
    Label {
        /// The blank.
        blank: Box<Facts>,
        /// The coefficient of its layer, if it has one.
        coefficient: Option<String>,
        /// The weight of an experiment table's row (`w ± nudge`), for its cells.
        trial: Option<String>,
        /// The layer count of the reflection question.
        reflection_layers: u32,
        /// The activation's symbol, for the extension's blanks.
        symbol: Option<&'static str>,
    },
    /// `heading`: a part of the sheet, a heading of `answers`' text.
    Heading {
        /// The part.
        group: Group,
    },
    /// `sheet`: which sheet `answers` prints: a variant's or a roster student's.
    Sheet {
        /// The variant's id, or the student's file-name form.
        variant: String,
        /// The batch seed.
        seed: u64,
        /// The roster name, for a student's sheet.
        student: Option<String>,
    },
    /// `exactly`: the exact value of an answer the key prints rounded.
    Exactly {
        /// The exact value, as the sheet writes numbers.
        value: String,
    },
    /// `slip_note`: a common slip under its answer in `answers --slips`.
    SlipNote {
        /// The wrong value, as the sheet writes numbers (padded to align).
        value: String,
        /// What the mistake is (the `slip` macro's manifest form).
        slip: String,
    },
    /// `slip`: what a typical mistake does, in the sheet's notation; several
    /// mistakes when they give the same wrong value.
    Slip {
        /// The mistakes, each by kind with the names it involves.
        mistakes: Vec<MistakeFacts>,
        /// Where the words appear, which decides how they are written.
        form: SlipForm,
    },
}

/// Where a slip's words appear: each place has its own wording in the
/// answers template (never one wording with words added around it), so
/// each reads as good English where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SlipForm {
    /// The key's rubric of common slips, beside the wrong value: "forgot the ½".
    Rubric,
    /// A question to the student, on the self-check page (and as a Moodle
    /// question's feedback, plain text): "Did you forget the ½?".
    Question,
    /// A statement on its own, in the manifests and `answers --slips`.
    Manifest,
}

/// One typical mistake as the `slip` macro receives it: its kind
/// (`forgot_half`, `dropped_factor`, …) and the names and numbers it
/// involves, in the sheet's notation (`layer: "h1"`, `factor: "dy/dh1"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MistakeFacts {
    /// The kind of mistake.
    pub kind: String,
    /// The names and numbers it involves.
    #[serde(flatten)]
    pub names: std::collections::BTreeMap<&'static str, String>,
}

impl Phrase {
    /// The name of the template macro that words it.
    pub fn name(&self) -> &'static str {
        match self {
            Phrase::Discussion { .. } => "discussion",
            Phrase::Direction { .. } => "direction",
            Phrase::StrongestWeight { .. } => "strongest_weight",
            Phrase::WhichRule { .. } => "which_rule",
            Phrase::Check { .. } => "check",
            Phrase::WhyHarder { .. } => "why_harder",
            Phrase::Reflection { .. } => "reflection",
            Phrase::Billions { .. } => "billions",
            Phrase::Verdict { .. } => "verdict",
            Phrase::ExtensionExplanation { .. } => "extension_explanation",
            Phrase::YesNo { .. } => "yes_no",
            Phrase::Slip { .. } => "slip",
            Phrase::Label { .. } => "label",
            Phrase::Heading { .. } => "heading",
            Phrase::Sheet { .. } => "sheet",
            Phrase::Exactly { .. } => "exactly",
            Phrase::SlipNote { .. } => "slip_note",
        }
    }

    /// The facts of the model answer `blank` of `worksheet`, whose answers
    /// are `s`, its numbers written in `numbers`; `None` if `blank` is no
    /// model answer of the sheet.
    #[allow(clippy::disallowed_types)] // the extension's slope and gradient are doubles, rounded
    pub(super) fn of(blank: Blank, worksheet: &Worksheet, s: &Solution, numbers: &NumberFormat) -> Option<Phrase> {
        let printed = |x: &Exact| numbers.write(&x.legible());
        let given = |x: &Exact| numbers.write(&x.exactly());
        let layers = worksheet.network.layers.len();
        Some(match blank {
            Blank::Discussion => {
                let y = s.output();
                let t = &worksheet.network.target;
                Phrase::Discussion {
                    y: printed(y),
                    target: given(t),
                    side: if y < t { Side::Low } else { Side::High },
                    gap: printed(&(y - t).abs()),
                    error: printed(&s.error),
                }
            }
            Blank::Direction(weight) => {
                Phrase::Direction { weight: weight.name(), direction: s.experiments.get(weight.0)?.direction }
            }
            Blank::StrongestWeight => {
                Phrase::StrongestWeight { weights: s.strongest.iter().map(|&k| Weight(k).name()).collect() }
            }
            Blank::WhichRule => Phrase::WhichRule { weight: Weight(layers - 1).name() },
            Blank::Check(weight) => {
                let (e, gradient) = (s.experiments.get(weight.0)?, &s.gradients.get(weight.0)?.value);
                Phrase::Check {
                    weight: weight.name(),
                    nudge: given(&worksheet.nudge),
                    gradient: printed(gradient),
                    predicted: printed(&e.predicted_change),
                    measured: printed(&e.plus.change),
                    curved: !(&e.plus.change - &e.predicted_change).is_zero(),
                    opposite: (e.predicted_change.is_negative() && !e.plus.change.is_negative())
                        || (e.predicted_change.is_positive() && !e.plus.change.is_positive()),
                    plus_error: printed(&e.plus.error),
                    minus_error: printed(&e.minus.error),
                }
            }
            Blank::WhyHarder => {
                Phrase::WhyHarder { layers, factors: layers + 1, last_weight: Weight(layers - 1).name() }
            }
            Blank::Reflection => {
                let layers = worksheet.reflection_layers;
                Phrase::Reflection { layers, factors: s.reflection_factors, steps: layers - 1 }
            }
            Blank::Billions => Phrase::Billions { layers },
            Blank::ErrorVerdict => Phrase::Verdict {
                outcome: s.update.outcome,
                before: printed(&s.error),
                after: printed(&s.update.error),
                learning_rate: given(&worksheet.learning_rate),
            },
            Blank::Extension(Ext::Explanation) => {
                let ext = s.extension.as_ref()?;
                let sigmoidal = ext.activation != Activation::Relu;
                // A ReLU's slope and gradient are exact.
                let exact = crate::nonlinear::exact_relu(&worksheet.network, ext);
                let rounded = |x: f64| numbers.write(&significant(x, ext.digits));
                Phrase::ExtensionExplanation {
                    activation: ext.activation,
                    symbol: activation_symbol(ext.activation),
                    z: printed(&ext.z),
                    slope: exact.as_ref().map_or_else(|| rounded(ext.slope), |e| printed(&e.slope)),
                    gradient: exact.as_ref().map_or_else(|| rounded(ext.gradient), |e| printed(&e.gradient)),
                    linear: printed(&s.gradients[0].value),
                    links: (1..layers)
                        .rev()
                        .map(|j| format!("d{}/d{}", Node::new(j, layers).name(), Node::new(j - 1, layers).name()))
                        .collect(),
                    // The ReLU's slope is 0 exactly where z ≤ 0 (the convention at 0).
                    dead: ext.activation == Activation::Relu && (ext.z.is_zero() || ext.z.is_negative()),
                    saturated: sigmoidal && ext.slope.abs() < 0.1,
                }
            }
            _ => return None,
        })
    }
}
