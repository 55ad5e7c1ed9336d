//! The functions templates call to print answers: `blank`, `cell`,
//! `response`, `value`, `answer`, `answer_number` and `number`, and the
//! formatter that escapes every other printed value. Each prints the answer in
//! the key and an empty slot of the same size in the student version. A yes/no
//! answer prints as the answers template's `yes_no` macro words it.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::{Kwargs, Object, Value as JValue};
use minijinja::{AutoEscape, Environment, Error as JError, ErrorKind, State};

use super::escape::{escape_markup, escape_with, typst_string};
use crate::answers::{Answers, Blank, Phrase, Row, Value};
use crate::number::NumberFormat;

/// Registers the answer functions and the escaping formatter in `env`, for
/// a language that writes numbers in `numbers`.
pub(super) fn register(env: &mut Environment<'static>, numbers: Arc<NumberFormat>) {
    env.set_formatter(move |out, state, value| format_value(out, state, value, &numbers));
    env.add_function("blank", blank);
    env.add_function("value", value);
    env.add_function("response", response);
    env.add_function("cell", cell);
    env.add_function("number", number);
    env.add_function("answer", answer);
    env.add_function("answer_number", answer_number);
    env.add_filter("typst_string", |s: String| JValue::from_safe_string(typst_string(&s)));
}

/// The answers as a template object, so `blank("h1")` can find them.
#[derive(Debug)]
pub(super) struct AnswerTable {
    by_id: BTreeMap<Blank, Printed>,
    /// The sheet's layers, to read the ids templates name blanks by.
    layers: usize,
    /// How the sheet's language writes numbers.
    numbers: Arc<NumberFormat>,
}

/// One answer and its text as the sheet prints it ([`crate::answers::Answer::display`]:
/// a long exact number rounded, with `≈`; a given number as written).
#[derive(Debug, Clone)]
struct Printed {
    value: Value,
    text: String,
}

impl AnswerTable {
    /// The answers as printed, numbers in `numbers`: yes/no answers worded by
    /// the answers template of `env`.
    pub(super) fn new(answers: &Answers, env: &Environment, numbers: Arc<NumberFormat>) -> Result<Self, JError> {
        let by_id = answers
            .iter()
            .map(|a| {
                let printed = match a.value {
                    Value::Flag(value) => {
                        let text =
                            super::words::word_in(env, super::ANSWERS_TEMPLATE, &[Phrase::YesNo { value }])?.remove(0);
                        Printed { value: Value::Text(text.clone()), text }
                    }
                    _ => Printed { value: a.value.clone(), text: a.display(&numbers) },
                };
                Ok((a.id, printed))
            })
            .collect::<Result<_, JError>>()?;
        Ok(AnswerTable { by_id, layers: answers.layers(), numbers })
    }

    /// The blank a template names by its public id.
    fn blank(&self, id: &str) -> Option<Blank> {
        Blank::parse(id, self.layers).filter(|b| self.by_id.contains_key(b))
    }
}

impl Object for AnswerTable {
    fn get_value(self: &Arc<Self>, key: &JValue) -> Option<JValue> {
        let v = self.by_id.get(&self.blank(key.as_str()?)?)?;
        Some(JValue::from(v.text.clone()))
    }
}

/// The answers of the sheet being rendered.
fn table(state: &State) -> Result<Arc<AnswerTable>, JError> {
    let answers =
        state.lookup("answers").ok_or_else(|| JError::new(ErrorKind::UndefinedError, "`answers` is not defined"))?;
    answers
        .downcast_object::<AnswerTable>()
        .ok_or_else(|| JError::new(ErrorKind::InvalidOperation, "`answers` was replaced"))
}

/// The answer `id`, whether the markup being rendered may show answers
/// (not in [`Mode::Student`] or [`Mode::Page`]), and how the sheet writes
/// numbers.
fn lookup(state: &State, id: &str) -> Result<(Printed, bool, Arc<NumberFormat>), JError> {
    let mode = state.lookup("mode").ok_or_else(|| JError::new(ErrorKind::UndefinedError, "`mode` is not defined"))?;
    let key = !matches!(mode.as_str(), Some("student" | "page"));
    let table = table(state)?;
    let value = table.blank(id).and_then(|b| table.by_id.get(&b)).cloned().ok_or_else(|| {
        JError::new(ErrorKind::UndefinedError, format!("no answer has the id `{id}` (see `answers --format json`)"))
    })?;
    Ok((value, key, Arc::clone(&table.numbers)))
}

/// The printed text of an answer, in parentheses when `paren` and negative.
fn shown(printed: &Printed, paren: bool) -> String {
    let text = printed.text.clone();
    let negative = matches!(&printed.value, Value::Exact(x) if x.is_negative())
        || matches!(&printed.value, Value::Approx(shown, _) if shown.negative);
    if paren && negative {
        format!("({text})")
    } else {
        text
    }
}

/// The width of `text` set in the answers' bold Libertinus Serif, in em:
/// digits are tabular (0.514 em), the rest measured or a little generous.
#[allow(clippy::disallowed_types)] // a width in em, not an answer
fn text_em(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            '0'..='9' => 0.52,
            '.' | ',' | ' ' => 0.25,
            '\u{2212}' | '\u{2248}' => 0.55,
            '-' => 0.36,
            '(' | ')' => 0.32,
            _ => 0.62,
        })
        .sum()
}

/// `blank(id, paren=false, min=4, approximately=false)`: an answer box; empty
/// in the student version, holding the value in the key. Both have the same
/// width, the value's own plus a little air, so both versions lay out the
/// same. `approximately` says the sheet asks for the value approximately:
/// the self-check page then accepts a rounding of it (the PDFs are alike).
#[allow(clippy::disallowed_types)] // the box's width in em, not an answer
fn blank(state: &State, id: String, kwargs: Kwargs) -> Result<JValue, JError> {
    let paren: bool = kwargs.get::<Option<bool>>("paren")?.unwrap_or(false);
    let min: f64 = kwargs.get::<Option<f64>>("min")?.unwrap_or(4.0);
    let _: Option<bool> = kwargs.get("approximately")?;
    kwargs.assert_all_used()?;
    let (value, key, _) = lookup(state, &id)?;
    let text = shown(&value, paren);
    let width = (text_em(&text) + 1.2).max(min);
    let code =
        if key { format!("#filled({width:.2}em)[{}]", escape_markup(&text)) } else { format!("#blank({width:.2}em)") };
    Ok(JValue::from_safe_string(code))
}

/// `answer(id, paren=false, string=false)`: an answer as plain text, for a
/// passage that only the key shows (inside the Typst function `versions` or
/// `key-only`); with `string`, as a Typst string literal (for an alt text).
/// Markup of the student version alone gets the same text with every digit a
/// zero, so it lays out alike and gives nothing away.
fn answer(state: &State, id: String, kwargs: Kwargs) -> Result<JValue, JError> {
    let paren: bool = kwargs.get::<Option<bool>>("paren")?.unwrap_or(false);
    let string: bool = kwargs.get::<Option<bool>>("string")?.unwrap_or(false);
    kwargs.assert_all_used()?;
    let (value, key, numbers) = lookup(state, &id)?;
    let text = shown(&value, paren);
    let text = if key { text } else { text.chars().map(|c| if c.is_ascii_digit() { '0' } else { c }).collect() };
    Ok(JValue::from_safe_string(printed(&text, string, &numbers)))
}

/// `text` printed into Typst markup or maths, or with `string` as a Typst
/// string literal.
fn printed(text: &str, string: bool, numbers: &NumberFormat) -> String {
    match string {
        true => typst_string(text),
        false => escape_with(text, numbers),
    }
}

/// `answer_number(id)`: an exact answer as Typst code, `float("…")`, for
/// figures that draw the key; `none` in markup of the student version alone.
fn answer_number(state: &State, id: String) -> Result<JValue, JError> {
    let (value, key, _) = lookup(state, &id)?;
    if !key {
        return Ok(JValue::from_safe_string("none".to_owned()));
    }
    match value.value {
        Value::Exact(x) => Ok(JValue::from_safe_string(format!("float({})", typst_string(&x.to_plain_string())))),
        _ => Err(JError::new(ErrorKind::InvalidOperation, format!("`{id}` is not an exact number"))),
    }
}

/// `value(id, paren=false, string=false)`: a given number printed in both
/// versions; with `string`, as a Typst string literal (for an alt text).
fn value(state: &State, id: String, kwargs: Kwargs) -> Result<JValue, JError> {
    let paren: bool = kwargs.get::<Option<bool>>("paren")?.unwrap_or(false);
    let string: bool = kwargs.get::<Option<bool>>("string")?.unwrap_or(false);
    kwargs.assert_all_used()?;
    let (value, _, numbers) = lookup(state, &id)?;
    Ok(JValue::from_safe_string(printed(&shown(&value, paren), string, &numbers)))
}

/// `response(id, lines=3)`: ruled lines in the student version, the model answer
/// in a box of the same height in the key: `lines` answer lines, or more when
/// the model answer needs them. Both versions get the answer's widths (on
/// one line, and its widest word, in em, rounded up: a length, not the
/// answer), from which the preamble reckons its room in the width it has.
#[allow(clippy::disallowed_types)] // widths in em, not answers
fn response(state: &State, id: String, kwargs: Kwargs) -> Result<JValue, JError> {
    let lines: u32 = kwargs.get::<Option<u32>>("lines")?.unwrap_or(3);
    kwargs.assert_all_used()?;
    let (value, key, _) = lookup(state, &id)?;
    let (width, word) = crate::typeset::text_widths_em(&value.text);
    let room = format!("{lines}, width: {}, word: {}", width.ceil(), (word * 2.0).ceil() / 2.0);
    let code = if key { format!("#model({room})[{}]", escape_markup(&value.text)) } else { format!("#ruled({room})") };
    Ok(JValue::from_safe_string(code))
}

/// A value split at its decimal separator `decimal`, for a cell aligned on it.
fn split_point(text: &str, decimal: &str) -> (String, String) {
    match text.split_once(decimal) {
        Some((i, f)) => (i.to_owned(), format!("{decimal}{f}")),
        None => (text.to_owned(), String::new()),
    }
}

/// The answers in the table column of `id`: every row of an experiment
/// table's column; any other blank is a column of its own.
fn column_values(state: &State, id: &str) -> Result<Vec<String>, JError> {
    let table = table(state)?;
    let values = match table.blank(id) {
        Some(Blank::Table { weight, column, .. }) => Row::ALL
            .into_iter()
            .filter_map(|row| table.by_id.get(&Blank::Table { weight, row, column }))
            .map(|v| v.text.clone())
            .collect(),
        blank => blank.and_then(|b| table.by_id.get(&b)).map(|v| v.text.clone()).into_iter().collect(),
    };
    Ok(values)
}

/// The shape of a number: every ASCII digit a `0` and every superscript
/// digit a `⁰`. The fonts' digits are tabular, so it sets exactly as wide as
/// the number, and says nothing of its value.
fn shape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => '0',
            '\u{2070}' | '\u{00B9}' | '\u{00B2}' | '\u{00B3}' | '\u{2074}'..='\u{2079}' => '\u{2070}',
            other => other,
        })
        .collect()
}

/// The shapes of the integer and fractional parts of the entries of the
/// column of `id`, each distinct one once, as two Typst arrays of strings:
/// the widest of each is the width of the column's cells (see `cellfilled`
/// in the preamble), alike in both versions.
fn column_shapes(state: &State, id: &str) -> Result<String, JError> {
    let mut ints = std::collections::BTreeSet::new();
    let mut fracs = std::collections::BTreeSet::new();
    let decimal = table(state)?.numbers.decimal.clone();
    for text in column_values(state, id)? {
        let (int, frac) = split_point(&text, &decimal);
        ints.insert(shape(&int));
        fracs.insert(shape(&frac));
    }
    let array = |set: std::collections::BTreeSet<String>| {
        let items: Vec<String> = set.iter().map(|s| typst_string(s)).collect();
        format!("({},)", items.join(", "))
    };
    Ok(format!("{}, {}", array(ints), array(fracs)))
}

/// `cell(id)`: a table cell aligned on the decimal point; empty in the
/// student version. Its box is as wide as the widest entry of its column.
fn cell(state: &State, id: String) -> Result<JValue, JError> {
    let (value, key, numbers) = lookup(state, &id)?;
    let shapes = column_shapes(state, &id)?;
    if !key {
        return Ok(JValue::from_safe_string(format!("#cellblank({shapes})")));
    }
    let (int, frac) = split_point(&value.text, &numbers.decimal);
    Ok(JValue::from_safe_string(format!("#cellfilled({shapes}, {}, {})", typst_string(&int), typst_string(&frac))))
}

/// `number(id)`: an exact answer as a Typst string literal of ASCII decimal text,
/// for code such as `float(...)` in figures.
fn number(state: &State, id: String) -> Result<JValue, JError> {
    let (value, _, _) = lookup(state, &id)?;
    match value.value {
        Value::Exact(x) => Ok(JValue::from_safe_string(typst_string(&x.to_plain_string()))),
        _ => Err(JError::new(ErrorKind::InvalidOperation, format!("`{id}` is not an exact number"))),
    }
}

/// Prints a value: as it is in a plain-text template (`*.txt.j2`), escaped
/// for Typst otherwise, its numbers as a language writing them in `numbers`
/// needs them ([`escape_with`]); `none` is an error in both.
fn format_value(
    out: &mut minijinja::Output,
    state: &mut State,
    value: &JValue,
    numbers: &NumberFormat,
) -> Result<(), JError> {
    if value.is_safe() {
        return out.write_str(value.as_str().unwrap_or_default()).map_err(JError::from);
    }
    if value.is_none() {
        return Err(JError::new(ErrorKind::UndefinedError, "tried to print `none`; test it with `{% if … %}` first"));
    }
    match state.auto_escape() {
        AutoEscape::None => return out.write_str(&value.to_string()).map_err(JError::from),
        // The self-check page's template: HTML.
        AutoEscape::Html => return minijinja::escape_formatter(out, state, value),
        _ => {}
    }
    let text = if let Some(s) = value.as_str() { s.to_owned() } else { value.to_string() };
    out.write_str(&escape_with(&text, numbers)).map_err(JError::from)
}
