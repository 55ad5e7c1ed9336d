//! The view model: what a template sees of a sheet, besides its answers.
//! Names come as Typst math (`h_1`, `w_2`) and numbers as printed.

use minijinja::value::Value as JValue;
use serde::Serialize;

use super::{Mode, SheetLabel, Version};
use crate::answers::{activation_symbol, value_id, value_name};
use crate::model::{Activation, Presentation, Worksheet};

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
    /// The layer count of the reflection question.
    reflection_layers: u32,
    /// The extension, if any.
    extension: Option<ExtensionView>,
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
    /// Math name of its output after the update: `h_"new"`, `h_(1,"new")`.
    out_new: JValue,
    /// Answer id of its input: `x`, `h1`.
    prev_id: String,
    /// Math name of its input.
    prev: JValue,
    /// Word for what it is: `Hidden`, `Output`.
    role: String,
}

#[derive(Debug, Serialize)]
struct ExtensionView {
    /// `sigmoid`, `tanh`, `relu`.
    activation: Activation,
    /// Its plain symbol: σ.
    plain: &'static str,
    /// Significant digits shown.
    digits: u32,
}

fn math_name(plain: &str) -> String {
    // h1 → h_1, w2 → w_2, y → y
    match plain.find(|c: char| c.is_ascii_digit()) {
        Some(i) => format!("{}_{}", &plain[..i], &plain[i..]),
        None => plain.to_owned(),
    }
}

impl<'a> Context<'a> {
    pub(super) fn new(worksheet: &'a Worksheet, version: Version, mode: Mode, label: &'a SheetLabel) -> Self {
        let count = worksheet.network.layers.len();
        let layers = worksheet
            .network
            .layers
            .iter()
            .enumerate()
            .map(|(j, layer)| {
                let c = layer.coefficient.to_display_string();
                let out_plain = value_name(j, count);
                let (prev_id, prev) = if j == 0 {
                    ("x".to_owned(), "x".to_owned())
                } else {
                    (value_id(j - 1, count), math_name(&value_name(j - 1, count)))
                };
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
                    c_paren: safe(if layer.coefficient.is_negative() { format!("({c})") } else { c.clone() }),
                    c,
                    w_id: format!("w{}", j + 1),
                    w: safe(format!("w_{}", j + 1)),
                    out_id: value_id(j, count),
                    out: safe(math_name(&out_plain)),
                    out_new: safe(match out_plain.find(|c: char| c.is_ascii_digit()) {
                        Some(i) => format!("{}_({},\"new\")", &out_plain[..i], &out_plain[i..]),
                        None => format!("{out_plain}_\"new\""),
                    }),
                    out_plain,
                    prev_id,
                    prev: safe(prev),
                    role: if j + 1 == count { "Output".to_owned() } else { "Hidden".to_owned() },
                }
            })
            .collect();
        let extension = worksheet.extension.map(|ext| ExtensionView {
            activation: ext.activation,
            plain: activation_symbol(ext.activation),
            digits: ext.digits,
        });
        Context {
            key: version == Version::Key,
            version,
            mode,
            doc: &worksheet.presentation,
            label,
            count,
            layers,
            explore: (0..count).rev().collect(),
            nudge: worksheet.nudge.to_display_string(),
            learning_rate: worksheet.learning_rate.to_display_string(),
            target: worksheet.network.target.to_display_string(),
            input: worksheet.network.input.to_display_string(),
            reflection_layers: worksheet.reflection_layers,
            extension,
        }
    }
}
