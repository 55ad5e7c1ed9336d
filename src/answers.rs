//! Every blank of the worksheet under a stable id, with the model answers
//! worded from this worksheet's numbers, and their text and JSON forms.
//!
//! The ids are a public contract (README, "Answer ids"): `require:` constraints,
//! manifests and templates all refer to blanks by them.
//!
//! The numbers are computed here; the words of the model answers are not. Each
//! model answer is a [`Phrase`] of facts, worded by a [`Wording`] (the
//! `answers.txt.j2` template, through [`crate::render::Templates`]), so this
//! module never depends on the templates.

mod blank;
mod build;
mod phrase;

use std::fmt::Write as _;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

pub use blank::{math_name, Blank, Column, Ext, Facts, Given, Group, Node, Row, Weight};
pub use phrase::{MistakeFacts, Phrase, Side, SlipForm, Wording};

use crate::engine::{self, Solution, Unsolvable};
use crate::error::{Error, Result};
use crate::model::{Activation, Worksheet};
use crate::number::{Exact, NumberFormat, Shown, LEGIBLE_DIGITS};

/// The value of one blank.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An exact number.
    Exact(Exact),
    /// A rounded value of the nonlinear extension: as the sheet shows it, and the double.
    #[allow(clippy::disallowed_types)] // the extension is computed in f64; its double feeds `require:`
    Approx(Shown, f64),
    /// A whole count.
    Count(u64),
    /// A yes/no answer. [`Value::display`] prints `true` or `false`; the
    /// sheet words it with the answers template's `yes_no` macro.
    Flag(bool),
    /// A word or a model answer, worded by a [`Wording`].
    Text(String),
}

impl Value {
    /// The value as printed on the worksheet, its number written in
    /// `numbers`. An exact number longer than
    /// [`crate::number::LEGIBLE_DIGITS`] significant digits is printed
    /// rounded, marked (`≈ 350.4505317`, [`Exact::legible`]); the
    /// approximate values of the extension come unmarked, as the worksheet
    /// prints the approximate sign in its equations.
    pub fn display(&self, numbers: &NumberFormat) -> String {
        match self {
            Value::Exact(x) => numbers.write(&x.legible()),
            Value::Approx(shown, _) => numbers.write(shown),
            Value::Count(n) => n.to_string(),
            // The sheet words a flag (the answers template's `yes_no`).
            Value::Flag(b) => b.to_string(),
            Value::Text(t) => t.clone(),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Exact(x) => s.serialize_str(&x.to_plain_string()),
            Value::Approx(shown, _) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("approx", &shown.to_plain_string())?;
                map.end()
            }
            Value::Count(n) => s.serialize_str(&n.to_string()),
            Value::Flag(b) => s.serialize_bool(*b),
            Value::Text(t) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("text", t)?;
                map.end()
            }
        }
    }
}

/// One blank: which it is and its value. (What it is, for people, is its
/// label, worded by the answers template: [`Solved::text`].)
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The blank; prints as its stable id, such as `nudge_w2.plus.error`.
    pub id: Blank,
    /// Its value.
    pub value: Value,
}

impl Answer {
    /// The answer as the sheet prints it, in `numbers`: [`Value::display`],
    /// except that a given number is printed exactly as the teacher wrote
    /// it, however long, and so is a nudged weight of an experiment table
    /// (`w ± nudge`, at most 13 digits), which must show the nudge.
    pub fn display(&self, numbers: &NumberFormat) -> String {
        match &self.value {
            Value::Exact(x) if self.id.prints_exactly() => numbers.write(&x.exactly()),
            value => value.display(numbers),
        }
    }

    /// Whether the sheet prints this answer rounded, with `≈`, because its
    /// exact value is too long to read ([`Exact::legible`]).
    pub fn is_rounded(&self) -> bool {
        matches!(&self.value, Value::Exact(x) if !self.id.prints_exactly() && x.is_too_long())
    }
}

/// Every answer of one worksheet, in worksheet order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answers {
    list: Vec<Answer>,
}

impl Serialize for Answers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.list.len()))?;
        for a in &self.list {
            map.serialize_entry(&a.id.to_string(), &a.value)?;
        }
        map.end()
    }
}

/// A worksheet with everything computed.
#[derive(Debug, Clone)]
pub struct Solved {
    /// The worksheet.
    pub worksheet: Worksheet,
    /// Its solution.
    pub solution: Solution,
    /// Its answers by id.
    pub answers: Answers,
}

/// Which sheet `answers` prints, for its second line: a variant's or a
/// roster student's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetLine {
    /// The variant's id, or the student's file-name form.
    pub variant: String,
    /// The batch seed.
    pub seed: u64,
    /// The roster name, for a student's sheet.
    pub student: Option<String>,
}

impl Solved {
    /// The facts of the label of blank `id` ([`Phrase::Label`]).
    fn label(&self, id: Blank, numbers: &NumberFormat) -> Phrase {
        let facts = id.facts();
        let worksheet = &self.worksheet;
        let coefficient = facts
            .layer
            .and_then(|n| worksheet.network.layers.get(n - 1))
            .map(|layer| numbers.write(&layer.coefficient.exactly()));
        let trial = match id {
            Blank::Table { weight, row, .. } => {
                self.answers.get(Blank::Table { weight, row, column: Column::Weight }).and_then(|a| match &a.value {
                    Value::Exact(x) => Some(numbers.write(&x.exactly())),
                    _ => None,
                })
            }
            _ => None,
        };
        let symbol =
            worksheet.extension.filter(|_| matches!(id, Blank::Extension(_))).map(|e| activation_symbol(e.activation));
        let blank = Box::new(facts);
        Phrase::Label { blank, coefficient, trial, reflection_layers: worksheet.reflection_layers, symbol }
    }

    /// The labels of `blanks`, worded by the answers template of the sheet's language.
    fn labels(&self, blanks: &[Blank], words: &dyn Wording) -> Result<Vec<String>> {
        let language = &self.worksheet.presentation.language;
        let numbers = words.numbers(language);
        let phrases: Vec<Phrase> = blanks.iter().map(|&id| self.label(id, &numbers)).collect();
        words.phrase_all(language, &phrases)
    }

    /// The warning `generate` and `check` print for the sheet of `file` when
    /// its key prints answers rounded, as too long to read (see
    /// [`Answers::rounded`]); `None` when every answer prints exactly. Each
    /// answer is named by its id and its label in the sheet's words.
    pub fn rounded_warning(&self, file: &str, words: &dyn Wording) -> Result<Option<String>> {
        let rounded: Vec<Blank> = self.answers.rounded().map(|a| a.id).collect();
        if rounded.is_empty() {
            return Ok(None);
        }
        let labels: Vec<(Blank, String)> = rounded.iter().copied().zip(self.labels(&rounded, words)?).collect();
        let label = |id: Blank| labels.iter().find(|(b, _)| *b == id).map(|(_, l)| l.clone()).unwrap_or_default();
        Ok(self.answers.rounded_warning(file, &label))
    }

    /// The answer sheet as text for a terminal, grouped by the parts of the
    /// sheet, every word from the answers template of the sheet's language
    /// (`words`): `title` first, then which sheet it is (`sheet`), each part's
    /// heading, and each answer with its label; a long model answer wrapped;
    /// under an answer the key prints rounded, its exact value, and under
    /// each answer the `notes` (its common slips: each a wrong value and what
    /// the mistake is).
    pub fn text(
        &self,
        title: &str,
        sheet: Option<SheetLine>,
        notes: &dyn Fn(Blank) -> Vec<(Exact, String)>,
        words: &dyn Wording,
    ) -> Result<String> {
        let language = &self.worksheet.presentation.language;
        let numbers = words.numbers(language);
        let list = &self.answers.list;
        // Every word in one evaluation of the template: the sheet line, then
        // for each answer its label, its part's heading where a part begins,
        // its yes or no, its exact value and its slips.
        let mut phrases: Vec<Phrase> = Vec::new();
        if let Some(sheet) = sheet {
            phrases.push(Phrase::Sheet { variant: sheet.variant, seed: sheet.seed, student: sheet.student });
        }
        let mut group = None;
        for a in list {
            if group != Some(a.id.group()) {
                group = Some(a.id.group());
                phrases.push(Phrase::Heading { group: a.id.group() });
            }
            phrases.push(self.label(a.id, &numbers));
            if let Value::Flag(value) = a.value {
                phrases.push(Phrase::YesNo { value });
            }
            if let (true, Value::Exact(x)) = (a.is_rounded(), &a.value) {
                phrases.push(Phrase::Exactly { value: numbers.write(&x.exactly()) });
            }
            for (value, slip) in notes(a.id) {
                phrases.push(Phrase::SlipNote { value: format!("{:<10}", numbers.write(&value.exactly())), slip });
            }
        }
        let phrased = words.phrase_all(language, &phrases)?;
        let mut texts = phrased.iter().map(String::as_str);
        let mut next = || texts.next().unwrap_or_default();
        let mut out = format!("{title}\n");
        if phrases.first().is_some_and(|p| matches!(p, Phrase::Sheet { .. })) {
            let _ = writeln!(out, "{}", next());
        }
        let width = list
            .iter()
            .filter(|a| !matches!(a.value, Value::Text(_)))
            .map(|a| a.id.to_string().chars().count())
            .max()
            .unwrap_or(0);
        let mut group = None;
        for a in list {
            if group != Some(a.id.group()) {
                group = Some(a.id.group());
                let _ = write!(out, "\n{}\n", next());
            }
            let label = next();
            match &a.value {
                Value::Text(t) if t.len() > 40 => {
                    let _ = writeln!(out, "  {label}  ({})", a.id);
                    for line in wrap(t, 76) {
                        let _ = writeln!(out, "      {line}");
                    }
                }
                value => {
                    let shown = match value {
                        Value::Approx(shown, _) => numbers.write(&Shown { rounded: true, ..shown.clone() }),
                        Value::Flag(_) => next().to_owned(),
                        _ => a.display(&numbers),
                    };
                    let _ = writeln!(out, "  {:<width$}  {:<12}  {label}", a.id.to_string(), shown);
                }
            }
            if let (true, Value::Exact(_)) = (a.is_rounded(), &a.value) {
                let _ = writeln!(out, "  {:<width$}    {}", "", next());
            }
            for _ in notes(a.id) {
                let _ = writeln!(out, "  {:<width$}    {}", "", next());
            }
        }
        Ok(out)
    }
}

/// Why a worksheet has no answers.
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// Its numbers cannot be solved (a problem of the config).
    #[error(transparent)]
    Unsolvable(#[from] Unsolvable),
    /// A model answer could not be worded (a problem of the answers template).
    #[error(transparent)]
    Wording(#[from] Error),
}

/// Solves a worksheet whose numbers are fixed, wording its model answers with `words`.
pub fn solve(worksheet: Worksheet, words: &dyn Wording) -> Result<Solved, SolveError> {
    Ok(Draft::new(worksheet)?.finish(words)?)
}

/// A worksheet solved, its model answers not yet worded: enough to judge a
/// random draw (its numbers) before paying for the words.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The worksheet.
    pub worksheet: Worksheet,
    /// Its solution.
    pub solution: Solution,
    /// Its answers; the model answers not yet worded are empty.
    answers: Answers,
    /// The model answers still to word: where each is in `answers`.
    pending: Vec<usize>,
}

impl Draft {
    /// Solves `worksheet`, without wording its model answers.
    pub fn new(worksheet: Worksheet) -> Result<Draft, Unsolvable> {
        let solution = engine::solve(&worksheet)?;
        let (answers, pending) = build::build(&worksheet, &solution);
        Ok(Draft { worksheet, solution, answers, pending })
    }

    /// The answers so far: every number, and the model answers worded by
    /// [`Draft::word`], the others empty.
    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    /// The model answers not yet worded.
    pub fn unworded(&self) -> impl Iterator<Item = Blank> + '_ {
        self.pending.iter().map(|&i| self.answers.list[i].id)
    }

    /// Words every model answer with `words`.
    pub fn word(&mut self, words: &dyn Wording) -> Result<()> {
        let pending = std::mem::take(&mut self.pending);
        self.answers.word(pending, &self.worksheet, &self.solution, words)
    }

    /// The solved worksheet, its model answers worded with `words`.
    pub fn finish(mut self, words: &dyn Wording) -> Result<Solved> {
        self.word(words)?;
        Ok(Solved { worksheet: self.worksheet, solution: self.solution, answers: self.answers })
    }
}

impl Answers {
    /// Every answer, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Answer> {
        self.list.iter()
    }

    /// The answer to the blank `id`.
    pub fn get(&self, id: Blank) -> Option<&Answer> {
        self.list.iter().find(|a| a.id == id)
    }

    /// The answer whose public id is `id` (for the edges that name blanks
    /// by text: templates, `require:` constraints, the page's data).
    pub fn named(&self, id: &str) -> Option<&Answer> {
        self.list.iter().find(|a| a.id.to_string() == id)
    }

    /// How many layers the sheet's network has.
    pub fn layers(&self) -> usize {
        self.list.iter().filter(|a| matches!(a.id, Blank::Given(Given::Weight(_)))).count()
    }

    /// The answers to the blanks `keep` picks, in order.
    pub fn only(&self, keep: impl Fn(Blank) -> bool) -> Answers {
        Answers { list: self.list.iter().filter(|a| keep(a.id)).cloned().collect() }
    }

    fn push(&mut self, id: Blank, value: Value) {
        self.list.push(Answer { id, value });
    }

    fn exact(&mut self, id: Blank, value: &Exact) {
        self.push(id, Value::Exact(value.clone()));
    }

    /// Fills in the model answers `pending` (their places in the list) of
    /// `worksheet`, whose answers are `solution`, worded by `words` in the
    /// sheet's language.
    fn word(
        &mut self,
        pending: Vec<usize>,
        worksheet: &Worksheet,
        solution: &Solution,
        words: &dyn Wording,
    ) -> Result<()> {
        let language = &worksheet.presentation.language;
        let numbers = words.numbers(language);
        let phrases: Vec<Phrase> = pending
            .iter()
            .map(|&i| {
                let id = self.list[i].id;
                Phrase::of(id, worksheet, solution, &numbers)
                    .ok_or_else(|| Error::msg(format!("`{id}` is no model answer of this sheet")))
            })
            .collect::<Result<_>>()?;
        let marker = numbers.rounded.split("{number}").next().unwrap_or_default().to_owned();
        for (i, text) in pending.into_iter().zip(words.phrase_all(language, &phrases)?) {
            // A rounded number arrives marked, `≈ 350.4505317`; after an
            // equals sign the mark replaces it: `E ≈ 350.4505317`, not `E = ≈ …`.
            let text = match marker.trim().is_empty() {
                true => text,
                false => text.replace(&format!("= {marker}"), &marker),
            };
            self.list[i].value = Value::Text(text);
        }
        Ok(())
    }

    /// The answers the sheet prints rounded, with `≈`, because their exact
    /// values are too long to read ([`Answer::is_rounded`]).
    pub fn rounded(&self) -> impl Iterator<Item = &Answer> {
        self.list.iter().filter(|a| a.is_rounded())
    }

    /// The warning `generate` and `check` print for a sheet of `file` whose
    /// key prints answers rounded ([`Answers::rounded`]): each answer by id
    /// and label (`labels`, as the sheet's answers template words it), exact
    /// and as printed, under the given numbers whose decimals or size make
    /// it long. `None` when every answer prints exactly. A message of the
    /// command line: its numbers are written in English.
    fn rounded_warning(&self, file: &str, labels: &dyn Fn(Blank) -> String) -> Option<String> {
        // A table's base row repeats a value worked out before it (E, y,
        // h): listed once, at that value, with the ids of its copies.
        let mut listed: Vec<(&Exact, Blank, Vec<Blank>)> = Vec::new();
        for answer in self.rounded() {
            let Value::Exact(exact) = &answer.value else { continue };
            let copy = matches!(answer.id, Blank::Table { row: Row::Base, .. });
            match listed.iter_mut().find(|(value, ..)| copy && *value == exact) {
                Some((_, _, copies)) => copies.push(answer.id),
                None => listed.push((exact, answer.id, Vec::new())),
            }
        }
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for (exact, id, copies) in listed {
            let answer = self.get(id).expect("listed from the answers");
            let also = match copies.is_empty() {
                true => String::new(),
                false => {
                    let ids: Vec<String> = copies.iter().map(Blank::to_string).collect();
                    format!(" (also {})", ids.join(", "))
                }
            };
            let line = format!(
                "{id} ({}) = {}, printed {}{also}",
                labels(id),
                exact.to_display_string(),
                answer.display(&NumberFormat::english())
            );
            let remedy = self.remedy(answer, exact);
            match groups.iter_mut().find(|(r, _)| *r == remedy) {
                Some((_, lines)) => lines.push(line),
                None => groups.push((remedy, vec![line])),
            }
        }
        let count: usize = groups.iter().map(|(_, lines)| lines.len()).sum();
        let (count, them) = match count {
            0 => return None,
            1 => ("1 answer has".to_owned(), "it"),
            n => (format!("{n} answers have"), "them"),
        };
        let mut out = format!(
            "{file}: {count} more than {LEGIBLE_DIGITS} significant digits, so the key prints {them} rounded to \
             {LEGIBLE_DIGITS} digits, with \u{2248} (answers --format json keeps the exact values)"
        );
        for (remedy, lines) in groups {
            let _ = write!(out, "\n  {remedy} would shorten:");
            for line in lines {
                let _ = write!(out, "\n    {line}");
            }
        }
        Some(out)
    }

    /// Which given numbers would make `answer` shorter: fewer decimal places
    /// in those it is computed from that have decimals, or, for a large
    /// answer, smaller coefficients.
    fn remedy(&self, answer: &Answer, exact: &Exact) -> String {
        // The given numbers this answer is computed from: the network's always,
        // the target from the error on, the nudge in the experiment tables,
        // the learning rate in the update step.
        let id = answer.id;
        let forward = matches!(
            id,
            Blank::Value(_)
                | Blank::Table { column: Column::Weight | Column::Value(_), .. }
                | Blank::Extension(Ext::Z | Ext::Activated | Ext::Value(_))
        );
        let uses = |given: Given| -> bool {
            match given {
                Given::Target => !forward,
                Given::Nudge => matches!(id, Blank::Table { .. } | Blank::Direction(_)),
                Given::LearningRate => {
                    matches!(id, Blank::NewWeight(_) | Blank::NewValue(_) | Blank::NewError | Blank::ErrorChange)
                }
                _ => true,
            }
        };
        /// A kind of given number: its names (plural, singular) and which are of it.
        type Kind = (&'static str, &'static str, fn(Given) -> bool);
        let kinds: [Kind; 6] = [
            ("the coefficients", "the coefficient", |g| matches!(g, Given::Coefficient(_))),
            ("the weights", "the weight", |g| matches!(g, Given::Weight(_))),
            ("the input", "the input", |g| g == Given::Input),
            ("the target", "the target", |g| g == Given::Target),
            ("the nudge", "the nudge", |g| g == Given::Nudge),
            ("the learning rate", "the learning rate", |g| g == Given::LearningRate),
        ];
        let givens: Vec<(Given, &Exact)> = self
            .list
            .iter()
            .filter_map(|a| match (a.id, &a.value) {
                (Blank::Given(given), Value::Exact(x)) if uses(given) => Some((given, x)),
                _ => None,
            })
            .collect();
        let mut decimals = Vec::new();
        for (plural, singular, of_kind) in kinds {
            let values: Vec<String> = givens
                .iter()
                .filter(|(given, x)| of_kind(*given) && x.decimal_places() > 0)
                .map(|(_, x)| x.to_display_string())
                .collect();
            match values.len() {
                0 => {}
                1 => decimals.push(format!("{singular} ({})", values[0])),
                _ => decimals.push(format!("{plural} ({})", values.join(", "))),
            }
        }
        let mut remedies = Vec::new();
        if exact.decimal_places() > 0 && !decimals.is_empty() {
            remedies.push(format!("fewer decimal places in {}", or_list(&decimals)));
        }
        // Digits before the point grow with the product of the coefficients.
        if exact.integer_digits() > 6 || remedies.is_empty() {
            remedies.push("smaller coefficients (or a smaller input, target and weights)".to_owned());
        }
        let mut remedy = remedies.join(", or ");
        if let Some(first) = remedy.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        remedy
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// The usual symbol of an activation: σ, tanh, ReLU.
pub fn activation_symbol(activation: Activation) -> &'static str {
    match activation {
        Activation::Sigmoid => "σ",
        Activation::Tanh => "tanh",
        Activation::Relu => "ReLU",
    }
}
