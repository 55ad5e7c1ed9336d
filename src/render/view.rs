//! The view model: what a template sees of a sheet, besides its answers.
//! Names come as Typst math (`h_1`, `w_2`) and numbers as printed.

use minijinja::value::Value as JValue;
use serde::Serialize;

use super::escape::escape_with;
use super::{Job, Mode, SheetLabel, Version};
use crate::answers::{activation_symbol, math_name, Answers, Blank, Column, Node, Row, Weight};
use crate::model::{Activation, Presentation, Worksheet};
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
    /// separate them), each escaped as it prints; `None` for the standard one.
    intro: Option<Vec<String>>,
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
    /// The layer count of the reflection question.
    reflection_layers: u32,
    /// The extension, if any.
    extension: Option<ExtensionView>,
    /// The key's rubric of common slips, a page of rows at a time, a row per
    /// slip (empty for the student version).
    rubric: Vec<Vec<RubricRow>>,
}

/// One row of the key's rubric: a wrong value of a blank and the mistake
/// that gives it. The first row of each blank also names the blank.
#[derive(Debug, Serialize)]
struct RubricRow {
    /// The blank in the sheet's notation, as Typst math: `(d E) / (d y)`.
    blank: JValue,
    /// Its right answer, as printed.
    right: String,
    /// The wrong value, as printed.
    wrong: String,
    /// What mistake gives it.
    slip: String,
    /// How many rows the blank has, on its first row; 0 on the others.
    rows: usize,
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
    /// Plain name of its input: `x`, `h1`.
    prev_plain: String,
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
    /// What the templates see of `job`, numbers written in `numbers`.
    pub(super) fn new(job: &Job<'a>, numbers: &'a NumberFormat) -> Self {
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
                    out_new: safe(match out_plain.find(|c: char| c.is_ascii_digit()) {
                        Some(i) => format!("{}_({},\"new\")", &out_plain[..i], &out_plain[i..]),
                        None => format!("{out_plain}_\"new\""),
                    }),
                    out_plain,
                    prev_id,
                    prev: safe(prev),
                    prev_plain,
                    role: if j + 1 == count { "Output".to_owned() } else { "Hidden".to_owned() },
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
            intro: worksheet.presentation.intro.as_deref().map(paragraphs),
            label,
            count,
            layers,
            explore: (0..count).rev().collect(),
            nudge: numbers.write(&worksheet.nudge.exactly()),
            learning_rate: numbers.write(&worksheet.learning_rate.exactly()),
            target: numbers.write(&worksheet.network.target.exactly()),
            input: numbers.write(&worksheet.network.input.exactly()),
            numbers,
            reflection_layers: worksheet.reflection_layers,
            extension,
            rubric: match job.slips.0.is_empty() {
                true => Vec::new(),
                false => rubric(worksheet, &job.solved.answers, job.slips, numbers),
            },
        }
    }
}

/// The rows of the key's rubric of common slips, split into pages: the rows
/// of one blank kept together, and the pages balanced, so that no page is a
/// scrap of a few rows. A page holds at most [`RUBRIC_LINES`] rows (a row
/// that wraps counts two), few enough never to overflow it; balanced, the
/// last page has about as many as the others.
#[allow(clippy::disallowed_types)] // heights in lines, not answers
fn rubric(
    worksheet: &Worksheet,
    answers: &Answers,
    slips: &WordedSlips,
    numbers: &NumberFormat,
) -> Vec<Vec<RubricRow>> {
    let mut groups: Vec<(f32, Vec<RubricRow>)> = Vec::new();
    for (id, list) in &slips.0 {
        let right = breakable(&answers.get(*id).map(|a| a.display(numbers)).unwrap_or_default());
        let blank = blank_math(worksheet, *id, numbers);
        let mut lines: f32 = 0.0;
        let mut rows = Vec::new();
        for (i, slip) in list.iter().enumerate() {
            let wrong = breakable(&numbers.write(&slip.value.legible()));
            // A row is one line of text, or two when a number or the
            // mistake's words are long enough to wrap.
            let long = wrong.chars().count().max(right.chars().count()) > 16 || slip.slip.chars().count() > 100;
            lines += if long { 2.0 } else { 1.0 };
            rows.push(RubricRow {
                blank: JValue::from_safe_string(blank.clone()),
                right: right.clone(),
                wrong,
                slip: slip.slip.clone(),
                rows: if i == 0 { list.len() } else { 0 },
            });
        }
        // A fraction is taller than a line of text.
        if blank.contains('/') {
            lines = lines.max(1.5);
        }
        groups.push((lines, rows));
    }
    paginate(groups, worksheet.presentation.paper)
}

/// Rows of the rubric a page holds: a page fits about 40 rows of one line and
/// 24 of two, so even rows that wrap never overflow it. The first page also
/// has the heading and the introduction, worth two.
#[allow(clippy::disallowed_types)] // an estimate of lines on a page, not an answer
const RUBRIC_LINES: [f32; 2] = [22.0, 24.0];

/// `groups` (each with its height in rows) on as few pages as they fit, in
/// order, with about the same height on each page: the smallest height per
/// page that still needs no more pages than filling each page full does.
#[allow(clippy::disallowed_types)] // heights in rows, not answers
fn paginate(groups: Vec<(f32, Vec<RubricRow>)>, paper: crate::model::Paper) -> Vec<Vec<RubricRow>> {
    let capacity = if paper == crate::model::Paper::A4 { RUBRIC_LINES[1] } else { RUBRIC_LINES[0] };
    // Which page each group goes on, filling pages up to `limit` (the first
    // page also holds the heading, worth two rows).
    let place = |limit: f32| -> Vec<usize> {
        let (mut page, mut filled) = (0, 2.0);
        groups
            .iter()
            .map(|(lines, _)| {
                if filled > 0.0 && filled + lines > limit {
                    page += 1;
                    filled = 0.0;
                }
                filled += lines;
                page
            })
            .collect()
    };
    let pages = place(capacity).last().map_or(1, |last| last + 1);
    let total: f32 = groups.iter().map(|(lines, _)| lines).sum::<f32>() + 2.0;
    let mut limit = total / pages as f32;
    let mut placed = place(limit);
    while placed.last().is_some_and(|last| last + 1 > pages) && limit < capacity {
        limit += 0.5;
        placed = place(limit);
    }
    let mut out: Vec<Vec<RubricRow>> = (0..pages.max(1)).map(|_| Vec::new()).collect();
    for ((_, rows), page) in groups.into_iter().zip(placed) {
        out[page.min(pages - 1)].extend(rows);
    }
    out.retain(|page| !page.is_empty());
    out
}

/// A number that may break over lines in a narrow column: a zero-width
/// space after every tenth character of a long one.
fn breakable(number: &str) -> String {
    if number.chars().count() <= 14 {
        return number.to_owned();
    }
    let mut out = String::new();
    for (i, c) in number.chars().enumerate() {
        if i > 0 && i % 10 == 0 {
            out.push('\u{200B}');
        }
        out.push(c);
    }
    out
}

/// The blank `id` in the sheet's notation, as Typst math: `h_1`, `E`,
/// `(d E) / (d w_2)`, `w_(2,"new")`, `"change in" E`.
fn blank_math(worksheet: &Worksheet, id: Blank, numbers: &NumberFormat) -> String {
    if let Some(math) = id.math() {
        return math;
    }
    match id {
        Blank::NewWeight(w) => format!("w_({},\"new\")", w.number()),
        Blank::Table { weight, row, column: Column::Change } => {
            let sign = if row == Row::Plus { "+" } else { "-" };
            let nudge = escape_with(&numbers.write(&worksheet.nudge.exactly()), numbers);
            format!("\"change in\" E, {} {sign} {nudge}", weight.math())
        }
        other => other.to_string(),
    }
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
