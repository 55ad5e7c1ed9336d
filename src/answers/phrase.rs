//! The model answers as facts: what each sentence of the key says, in this
//! sheet's numbers, without the words. The words come from a [`Wording`]
//! (the `answers.txt.j2` template), so they can be changed or translated
//! without touching the maths.
//!
//! Numbers arrive as they are printed (true minus signs); branches arrive as
//! flags and enums, never as finished words.

use serde::Serialize;

use super::{activation_symbol, value_name, weight_name};
use crate::engine::{Direction, Outcome, Solution};
use crate::error::Result;
use crate::model::{Activation, Worksheet};
use crate::nonlinear::significant;
use crate::number::Exact;

/// Turns the facts of one model answer into its text.
///
/// [`crate::render::Templates`] implements it with the macros of the answers
/// template; the answers never depend on how the words are found.
pub trait Wording {
    /// The text of `phrase`, or an error naming where its wording went wrong.
    fn phrase(&self, phrase: &Phrase) -> Result<String>;

    /// The texts of `phrases`, in order: every model answer of one sheet at
    /// once, which an implementation may word faster than one at a time.
    fn phrase_all(&self, phrases: &[Phrase]) -> Result<Vec<String>> {
        phrases.iter().map(|p| self.phrase(p)).collect()
    }
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

/// One model answer as facts. Each variant is one macro of the answers
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
        }
    }

    /// `discussion`.
    pub(super) fn discussion(worksheet: &Worksheet, s: &Solution) -> Phrase {
        let y = s.output();
        let t = &worksheet.network.target;
        Phrase::Discussion {
            y: printed(y),
            target: t.to_display_string(),
            side: if y < t { Side::Low } else { Side::High },
            gap: printed(&(y - t).abs()),
            error: printed(&s.error),
        }
    }

    /// `check_wK` for weight `k` (0-based).
    pub(super) fn check(worksheet: &Worksheet, s: &Solution, k: usize) -> Phrase {
        let e = &s.experiments[k];
        Phrase::Check {
            weight: weight_name(k),
            nudge: worksheet.nudge.to_display_string(),
            gradient: printed(&s.gradients[k].value),
            predicted: printed(&e.predicted_change),
            measured: printed(&e.plus.change),
            curved: !(&e.plus.change - &e.predicted_change).is_zero(),
            opposite: (e.predicted_change.is_negative() && !e.plus.change.is_negative())
                || (e.predicted_change.is_positive() && !e.plus.change.is_positive()),
            plus_error: printed(&e.plus.error),
            minus_error: printed(&e.minus.error),
        }
    }

    /// `why_harder` for a network of `layers` layers.
    pub(super) fn why_harder(layers: usize) -> Phrase {
        Phrase::WhyHarder { layers, factors: layers + 1, last_weight: weight_name(layers - 1) }
    }

    /// `reflection` for an imagined network of `layers` layers.
    pub(super) fn reflection(layers: u32, factors: u32) -> Phrase {
        Phrase::Reflection { layers, factors, steps: layers - 1 }
    }

    /// `error_verdict`.
    pub(super) fn verdict(worksheet: &Worksheet, s: &Solution) -> Phrase {
        Phrase::Verdict {
            outcome: s.update.outcome,
            before: printed(&s.error),
            after: printed(&s.update.error),
            learning_rate: worksheet.learning_rate.to_display_string(),
        }
    }

    /// `ext.explanation`, if the sheet has the extension.
    pub(super) fn extension_explanation(worksheet: &Worksheet, s: &Solution) -> Option<Phrase> {
        let ext = s.extension.as_ref()?;
        let layers = worksheet.network.layers.len();
        let sigmoidal = ext.activation != Activation::Relu;
        // A ReLU's slope and gradient are exact.
        let exact = crate::nonlinear::exact_relu(&worksheet.network, ext);
        Some(Phrase::ExtensionExplanation {
            activation: ext.activation,
            symbol: activation_symbol(ext.activation),
            z: printed(&ext.z),
            slope: exact.as_ref().map_or_else(|| significant(ext.slope, ext.digits), |e| printed(&e.slope)),
            gradient: exact.as_ref().map_or_else(|| significant(ext.gradient, ext.digits), |e| printed(&e.gradient)),
            linear: printed(&s.gradients[0].value),
            links: (1..layers)
                .rev()
                .map(|j| format!("d{}/d{}", value_name(j, layers), value_name(j - 1, layers)))
                .collect(),
            // The ReLU's slope is 0 exactly where z ≤ 0 (the convention at 0).
            dead: ext.activation == Activation::Relu && (ext.z.is_zero() || ext.z.is_negative()),
            saturated: sigmoidal && ext.slope.abs() < 0.1,
        })
    }
}

/// A computed number as the sheet prints it: exact, or rounded with `≈` when
/// it is too long to read ([`Exact::legible`]). Given numbers are printed as
/// the teacher wrote them.
fn printed(x: &Exact) -> String {
    x.legible().marked()
}
