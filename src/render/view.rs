//! The view model: what a template sees of a sheet, besides its answers.
//! Names come as Typst math (`h_1`, `w_2`) and numbers as printed.

use minijinja::value::Value as JValue;
use serde::Serialize;

use super::escape::escape_with;
use super::{Job, Mode, SheetLabel, Speech, Version};
use crate::answers::{activation_symbol, math_name, Answers, Facts, Node, Weight};
use crate::model::{Activation, Presentation};
use crate::number::NumberFormat;
use crate::slips::WordedSlips;

/// What a template sees (besides `answers` and the functions).
#[derive(Debug, Serialize)]
pub(super) struct Context<'a> {
    /// `true` in the answer key.
    key: bool,
    /// `student` or `key`.
    version: Version,
    /// `student`, `key` or `both`: what the markup typesets.
    mode: Mode,
    /// Title, credit, paper, intro, video, names and date lines.
    doc: &'a Presentation,
    /// The config's own introduction, a paragraph per entry (blank lines
    /// separate them), each escaped but for its `*italic*` and `**bold**`;
    /// `None` for the standard one.
    intro: Option<Vec<JValue>>,
    /// Variant id, student name, QR code.
    label: &'a SheetLabel,
    /// Number of layers.
    count: usize,
    /// One entry per layer, first to last.
    layers: Vec<LayerView>,
    /// Weights in the order the handout explores them: last layer first.
    explore: Vec<usize>,
    /// The nudge as printed.
    nudge: String,
    /// The learning rate as printed.
    learning_rate: String,
    /// The target as printed.
    target: String,
    /// The input as printed.
    input: String,
    /// How the sheet's language writes numbers (`numbers.decimal`,
    /// `numbers.minus`, for numbers Typst computes, such as a plot's ticks).
    numbers: &'a NumberFormat,
    /// The words equations are read with (`spoken.blank`: what a screen
    /// reader says for an empty slot).
    spoken: &'a std::collections::BTreeMap<String, String>,
    /// The layer count of the reflection question.
    reflection_layers: u32,
    /// The extension, if any.
    extension: Option<ExtensionView>,
    /// The key's rubric of common slips: a group of rows per blank that has
    /// slips, in the sheet's order (empty for the student version). The
    /// preamble's `rubric` lays the groups out on as few pages as they fit.
    rubric: Vec<RubricGroup>,
}

/// The rows of the key's rubric for one blank: its wrong values, each with
/// the mistake that gives it.
#[derive(Debug, Serialize)]
struct RubricGroup {
    /// The blank: the worksheet template writes it in the sheet's notation.
    blank: Facts,
    /// Its right answer, as printed.
    right: String,
    /// A row per slip.
    slips: Vec<RubricSlip>,
}

/// One row of the key's rubric: a wrong value and the mistake that gives it.
#[derive(Debug, Serialize)]
struct RubricSlip {
    /// The wrong value, as printed.
    wrong: String,
    /// What mistake gives it.
    slip: String,
}

/// One layer as the template sees it. Names are Typst math (`h_1`, `w_2`).
#[derive(Debug, Serialize)]
struct LayerView {
    /// 1-based layer number.
    n: usize,
    /// Coefficient as printed (true minus sign).
    c: String,
    /// Coefficient wrapped in parentheses when negative.
    c_paren: JValue,
    /// Coefficient as a factor written before a name, the way mathematics
    /// writes it: `3`, `−3`, nothing for 1 and `−` for −1 (`h = x + w_1`).
    c_times: String,
    /// The coefficient is 1 or −1: a substituted value needs no factor
    /// (`h = 2 + 1`) or only a sign (`−(…)`).
    unit: bool,
    /// Answer id of its weight: `w1`.
    w_id: String,
    /// Math name of its weight: `w_1`.
    w: JValue,
    /// Answer id of its output: `h1`, `y`.
    out_id: String,
    /// Math name of its output: `h`, `h_1`, `y`.
    out: JValue,
    /// Plain name of its output: `h`, `h1`, `y`.
    out_plain: String,
    /// Its output's letter, `h` or `y`, and its number, if it has one
    /// (`1` of `h1`): a template writes the new value, `h_(1,"new")`.
    out_letter: String,
    /// See `out_letter`.
    out_index: Option<String>,
    /// Answer id of its input: `x`, `h1`.
    prev_id: String,
    /// Math name of its input.
    prev: JValue,
    /// Plain name of its input: `x`, `h1`.
    prev_plain: String,
}

#[derive(Debug, Serialize)]
struct ExtensionView {
    /// `sigmoid`, `tanh`, `relu`.
    activation: Activation,
    /// Its plain symbol: σ.
    plain: &'static str,
    /// Significant digits shown.
    digits: u32,
    /// Whether every value is exact (a ReLU), so printed with `=`, not `≈`.
    exact: bool,
}

/// The paragraphs of `text`: runs of lines between blank lines, each line
/// trimmed (the lines of a paragraph still fold into one when escaped).
fn paragraphs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().chain([""]) {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line.trim());
        }
    }
    out
}

impl<'a> Context<'a> {
    /// What the templates see of `job`, numbers written in `numbers`,
    /// equations read with `speech`.
    pub(super) fn new(job: &Job<'a>, numbers: &'a NumberFormat, speech: &'a Speech) -> Self {
        let (worksheet, version, mode, label) = (&job.solved.worksheet, job.version, job.mode, job.label);
        let count = worksheet.network.layers.len();
        let layers = worksheet
            .network
            .layers
            .iter()
            .enumerate()
            .map(|(j, layer)| {
                let c = numbers.write(&layer.coefficient.exactly());
                let node = Node::new(j, count);
                let out_plain = node.name();
                let (prev_id, prev_plain) = match node.previous() {
                    None => ("x".to_owned(), "x".to_owned()),
                    Some(previous) => (previous.id(), previous.name()),
                };
                let prev = math_name(&prev_plain);
                let safe = JValue::from_safe_string;
                let c_times = match c.as_str() {
                    "1" => String::new(),
                    "\u{2212}1" => "\u{2212}".to_owned(),
                    _ => c.clone(),
                };
                LayerView {
                    n: j + 1,
                    unit: c_times.chars().all(|ch| ch == '\u{2212}'),
                    c_times,
                    c_paren: safe(match layer.coefficient.is_negative() {
                        true => format!("({})", escape_with(&c, numbers)),
                        false => escape_with(&c, numbers),
                    }),
                    c,
                    w_id: Weight(j).name(),
                    w: safe(Weight(j).math()),
                    out_id: node.id(),
                    out: safe(node.math()),
                    out_letter: out_plain.trim_end_matches(|c: char| c.is_ascii_digit()).to_owned(),
                    out_index: out_plain.find(|c: char| c.is_ascii_digit()).map(|i| out_plain[i..].to_owned()),
                    out_plain,
                    prev_id,
                    prev: safe(prev),
                    prev_plain,
                }
            })
            .collect();
        let extension = worksheet.extension.map(|ext| ExtensionView {
            activation: ext.activation,
            plain: activation_symbol(ext.activation),
            digits: ext.digits,
            exact: ext.activation == Activation::Relu,
        });
        Context {
            key: version == Version::Key,
            version,
            mode,
            doc: &worksheet.presentation,
            intro: worksheet.presentation.intro.as_deref().map(|intro| {
                paragraphs(intro)
                    .iter()
                    .map(|p| JValue::from_safe_string(super::escape::escape_emphasized(p)))
                    .collect()
            }),
            label,
            count,
            layers,
            explore: (0..count).rev().collect(),
            nudge: numbers.write(&worksheet.nudge.exactly()),
            learning_rate: numbers.write(&worksheet.learning_rate.exactly()),
            target: numbers.write(&worksheet.network.target.exactly()),
            input: numbers.write(&worksheet.network.input.exactly()),
            numbers,
            spoken: &speech.words,
            reflection_layers: worksheet.reflection_layers,
            extension,
            rubric: rubric(&job.solved.answers, job.slips, numbers),
        }
    }
}

/// The key's rubric of common slips: a group of rows per blank, in the order
/// of the slips (the sheet's order), numbers written in `numbers`.
fn rubric(answers: &Answers, slips: &WordedSlips, numbers: &NumberFormat) -> Vec<RubricGroup> {
    slips
        .0
        .iter()
        .map(|(id, list)| RubricGroup {
            blank: id.facts(),
            right: answers.get(*id).map(|a| a.display(numbers)).unwrap_or_default(),
            slips: list
                .iter()
                .map(|slip| RubricSlip { wrong: numbers.write(&slip.value.legible()), slip: slip.slip.clone() })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::paragraphs;

    #[test]
    fn an_intro_keeps_its_paragraphs() {
        assert_eq!(paragraphs("One\ntwo.\n\n  \nThree.\n"), ["One\ntwo.", "Three."]);
        assert_eq!(paragraphs("Just one."), ["Just one."]);
    }
}
