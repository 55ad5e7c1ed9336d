//! The worksheet itself: one sheet with every number fixed, the network it is
//! about, and how it presents itself. Every stage depends on these types and
//! they depend on no stage: the config produces them, the engine computes on
//! them, the templates print them.

use serde::Serialize;

use crate::number::Exact;

/// The network of one worksheet, every number fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Network {
    /// The input `x`.
    pub input: Exact,
    /// The target output.
    pub target: Exact,
    /// The layers, first to last.
    pub layers: Vec<Layer>,
}

/// One layer: `next = coefficient × previous + weight`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layer {
    /// The fixed multiplier.
    pub coefficient: Exact,
    /// The weight.
    pub weight: Exact,
}

/// One worksheet with every number fixed: what the engine computes on.
#[derive(Debug, Clone, Serialize)]
pub struct Worksheet {
    /// Text and layout.
    pub presentation: Presentation,
    /// The network.
    pub network: Network,
    /// Nudge of the experiment tables.
    pub nudge: Exact,
    /// Learning rate.
    pub learning_rate: Exact,
    /// Layer count of the reflection question.
    pub reflection_layers: u32,
    /// Extension challenge, if any.
    pub extension: Option<Extension>,
}

/// How a worksheet presents itself: its words and page settings, everything
/// that is not a number.
#[derive(Debug, Clone, Serialize)]
pub struct Presentation {
    /// Title.
    pub title: String,
    /// Credit line, if any.
    pub credit: Option<String>,
    /// The author's name for the PDF's metadata, if given.
    pub author: Option<String>,
    /// The language code: `en`, `de`, `en-GB`.
    pub language: String,
    /// Paper size.
    pub paper: Paper,
    /// Introduction paragraph, if not the standard one.
    pub intro: Option<String>,
    /// The video line.
    pub video: Option<Video>,
    /// Print the names line.
    pub names_line: bool,
    /// Print the date line.
    pub date_line: bool,
}

/// The extension challenge, checked.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Extension {
    /// The activation on the first layer.
    pub activation: Activation,
    /// Significant digits of the approximate answers.
    pub digits: u32,
}

/// The "watch this first" video line.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Video {
    /// Link, printed and clickable.
    pub url: String,
    /// Length in minutes, printed as "(~18 minutes)".
    #[serde(default)]
    pub minutes: Option<u32>,
    /// Who made it, printed after the link.
    #[serde(default)]
    pub source: Option<String>,
}

/// Paper size.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub enum Paper {
    /// 8.5 × 11 in.
    #[default]
    #[serde(rename = "us-letter")]
    UsLetter,
    /// 210 × 297 mm.
    #[serde(rename = "a4")]
    A4,
}

/// Activation function of the extension challenge.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// σ(z) = 1/(1 + e^−z).
    Sigmoid,
    /// tanh(z).
    Tanh,
    /// max(0, z).
    Relu,
}
