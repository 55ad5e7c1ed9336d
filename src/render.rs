//! Templates: one minijinja template renders both the student version and the
//! answer key as Typst markup. Rendering never does maths: every number comes
//! from [`Answers`], already computed and formatted.
//!
//! Safety: every value printed with `{{ … }}` goes through a custom auto-escape
//! for Typst, so text from a config or roster prints literally and can never
//! run as markup or code. Answers reach the markup only through the `blank`,
//! `value` and `response` functions, which emit Typst calls with escaped content.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::value::{Kwargs, Object, Value as JValue};
use minijinja::{AutoEscape, Environment, Error as JError, ErrorKind, State, UndefinedBehavior};
use serde::Serialize;

use crate::answers::{activation_symbol, value_name, Answers, Value};
use crate::config::{Activation, Document, Worksheet};
use crate::error::{Error, Result, SourceError};

/// The main template's file name.
pub const MAIN_TEMPLATE: &str = "worksheet.typ.j2";

/// The templates shipped in the binary, by file name.
pub const EMBEDDED: &[(&str, &str)] = &[
    (MAIN_TEMPLATE, include_str!("../templates/worksheet.typ.j2")),
    ("preamble.typ.j2", include_str!("../templates/preamble.typ.j2")),
    (SUMMARY_TEMPLATE, include_str!("../templates/summary.typ.j2")),
];

/// The grading summary's template file name.
pub const SUMMARY_TEMPLATE: &str = "summary.typ.j2";

/// Which version of the worksheet to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Version {
    /// Blanks left empty.
    Student,
    /// Blanks filled in.
    Key,
}

impl Version {
    /// Both versions, student first.
    pub const BOTH: [Version; 2] = [Version::Student, Version::Key];

    /// `student` or `key`, as used in file names.
    pub fn name(self) -> &'static str {
        match self {
            Version::Student => "student",
            Version::Key => "key",
        }
    }
}

/// What one rendered markup typesets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The student version alone: no answer is in the markup.
    Student,
    /// The answer key alone.
    Key,
    /// Both versions as one layout. Content only one version shows is
    /// labelled `<key-only>` or `<student-only>`, and each version is cut from
    /// the laid-out pages by [`crate::typeset::without`].
    Both,
}

impl Mode {
    /// The markup of one version alone.
    pub fn only(version: Version) -> Mode {
        match version {
            Version::Student => Mode::Student,
            Version::Key => Mode::Key,
        }
    }
}

/// One markup to render: a sheet, as one version, in one mode.
#[derive(Debug, Clone, Copy)]
pub struct Markup<'a> {
    /// The sheet.
    pub worksheet: &'a Worksheet,
    /// Its answers.
    pub answers: &'a Answers,
    /// The version the template sees (`key`, `version`).
    pub version: Version,
    /// What the markup typesets.
    pub mode: Mode,
    /// Who and which variant it is for.
    pub label: &'a Label,
}

/// Who and which variant a sheet is for (printed in the header and footer).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Label {
    /// Variant id such as `v07`, empty for a single worksheet.
    pub id: String,
    /// Student name from a roster.
    pub student: Option<String>,
    /// QR code of the sheet (config name and variant id), rows of `0`/`1`
    /// modules joined by `/`, drawn on the first page.
    pub qr: Option<String>,
}

/// A QR code of `text` as rows of `0` and `1` (dark) modules joined by `/`.
pub fn qr_modules(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let rows: Vec<String> = colors
        .chunks(width)
        .map(|row| row.iter().map(|c| if *c == qrcode::Color::Dark { '1' } else { '0' }).collect())
        .collect();
    Some(rows.join("/"))
}

/// A template environment with its templates loaded and compiled once.
pub struct Templates {
    env: Environment<'static>,
    sources: BTreeMap<String, (String, String)>,
}

impl Templates {
    /// The embedded templates, overridden file by file by those in `dir`.
    pub fn load(dir: Option<&Path>) -> Result<Templates> {
        let mut sources: BTreeMap<String, (String, String)> = EMBEDDED
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (format!("templates/{name} (built in)"), (*text).to_owned())))
            .collect();
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir).map_err(|e| Error::io("read template directory", dir, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| Error::io("read template directory", dir, e))?;
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().to_string();
                if !name.ends_with(".j2") || !path.is_file() {
                    continue;
                }
                let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read template", &path, e))?;
                sources.insert(name, (path.display().to_string(), text));
            }
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::Custom("typst".into()));
        env.set_formatter(format_value);
        env.add_function("blank", blank);
        env.add_function("value", value);
        env.add_function("response", response);
        env.add_function("cell", cell);
        env.add_function("number", number);
        env.add_function("answer", answer);
        env.add_function("answer_number", answer_number);
        env.add_filter("typst_string", |s: String| JValue::from_safe_string(typst_string(&s)));
        for (name, (_, text)) in &sources {
            env.add_template_owned(name.clone(), text.clone()).map_err(|e| template_error(&sources, &e))?;
        }
        Ok(Templates { env, sources })
    }

    /// Where the template `name` was read from, and its text.
    pub fn source(&self, name: &str) -> Option<(&str, &str)> {
        self.sources.get(name).map(|(path, text)| (path.as_str(), text.as_str()))
    }

    /// Renders `version` of `worksheet` as Typst markup that typesets that
    /// version alone.
    pub fn render(&self, worksheet: &Worksheet, answers: &Answers, version: Version, label: &Label) -> Result<String> {
        self.render_markup(Markup { worksheet, answers, version, mode: Mode::only(version), label })
    }

    /// Renders both versions of `worksheet` as one markup ([`Mode::Both`]), or
    /// `None` if the templates test `key` or `version` themselves, so that the
    /// versions differ in more than what the template functions and the
    /// Typst functions `key-only`, `student-only` and `versions` label.
    ///
    /// The markup is rendered once as each version; the two must be the same.
    pub fn render_both(&self, worksheet: &Worksheet, answers: &Answers, label: &Label) -> Result<Option<String>> {
        let as_version = |version| Markup { worksheet, answers, version, mode: Mode::Both, label };
        let student = self.render_markup(as_version(Version::Student))?;
        let key = self.render_markup(as_version(Version::Key))?;
        Ok((student == key).then_some(key))
    }

    /// Renders `markup` with the main template.
    pub fn render_markup(&self, markup: Markup) -> Result<String> {
        render_in(&self.env, markup).map_err(|e| template_error(&self.sources, &e))
    }

    /// Renders one part of the grading summary of a batch: one row of key
    /// answers per sheet, for the sheets in `part.rows`.
    pub fn render_summary(
        &self,
        spec: &crate::config::WorksheetSpec,
        sheets: &[crate::batch::Sheet],
        part: &SummaryPart,
    ) -> Result<String> {
        let layers = spec.layers.len();
        let mut columns: Vec<(String, String)> =
            vec![("x".into(), "x".into()), ("target".into(), "y_\"target\"".into())];
        for k in 1..=layers {
            columns.push((format!("w{k}"), format!("w_{k}")));
        }
        columns.push(("y".into(), "y".into()));
        columns.push(("error".into(), "E".into()));
        for k in (1..=layers).rev() {
            columns.push((format!("grad_w{k}"), format!("(d E) / (d w_{k})")));
        }
        columns.push(("new_error".into(), "E_\"new\"".into()));
        let headers: Vec<JValue> =
            columns.iter().map(|(_, math)| JValue::from_safe_string(format!("${math}$"))).collect();
        let rows: Vec<SummaryRow> = sheets
            .get(part.rows.clone())
            .unwrap_or_default()
            .iter()
            .map(|sheet| SummaryRow {
                id: sheet.label.id.clone(),
                student: sheet.label.student.clone().unwrap_or_default(),
                cells: columns
                    .iter()
                    .map(|(id, _)| sheet.variant.solved.answers.get(id).map(|a| a.value.display()).unwrap_or_default())
                    .collect(),
            })
            .collect();
        let template = self.env.get_template(SUMMARY_TEMPLATE).map_err(|e| template_error(&self.sources, &e))?;
        let ctx = minijinja::context! {
            doc => JValue::from(minijinja::value::Serde(&spec.document)),
            headers => headers,
            rows => JValue::from(minijinja::value::Serde(&rows)),
            roster => sheets.iter().any(|s| s.label.student.is_some()),
            first => part.rows.start == 0,
            first_page => part.first_page,
            pages => part.pages,
        };
        template.render(ctx).map_err(|e| template_error(&self.sources, &e))
    }

    /// Renders with a marker comment before each template line, to map a Typst
    /// error in the output back to the template line that produced it.
    pub fn render_traced(&self, markup: Markup) -> Option<String> {
        let mut env = self.env.clone();
        for (name, (_, text)) in &self.sources {
            let traced = trace_template(name, text);
            env.add_template_owned(name.clone(), traced).ok()?;
        }
        render_in(&env, markup).ok()
    }
}

/// Renders `markup` with the main template of `env`.
fn render_in(env: &Environment, markup: Markup) -> Result<String, JError> {
    let context = Context::new(markup.worksheet, markup.version, markup.mode, markup.label);
    let ctx = JValue::from(minijinja::value::Serde(&context));
    let table = JValue::from_object(AnswerTable::new(markup.answers));
    env.get_template(MAIN_TEMPLATE)?.render(minijinja::context! { answers => table, ..ctx })
}

/// One part of a batch's grading summary. The summary is typeset a part at a
/// time, so the memory it takes does not grow with the batch.
#[derive(Debug, Clone)]
pub struct SummaryPart {
    /// The sheets whose rows this part holds; the first part also has the title.
    pub rows: std::ops::Range<usize>,
    /// The number of the part's first page.
    pub first_page: usize,
    /// How many pages the whole summary has.
    pub pages: usize,
}

#[derive(Serialize)]
struct SummaryRow {
    id: String,
    student: String,
    cells: Vec<String>,
}

/// The marker written before template lines by [`Templates::render_traced`].
const TRACE_OPEN: &str = "/*@tpl:";

fn trace_template(name: &str, text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut in_raw = false;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        // Only mark lines that start plain markup or code: not inside raw blocks,
        // not continuations of Jinja tags.
        if !in_raw && !trimmed.starts_with("{%") && !trimmed.starts_with("{#") && !trimmed.is_empty() {
            out.push_str(&format!("{TRACE_OPEN}{name}:{}*/", i + 1));
        }
        if line.matches("```").count() % 2 == 1 {
            in_raw = !in_raw;
        }
        out.push_str(line);
    }
    out
}

/// The template file and line that produced byte `offset` of traced markup.
pub fn trace_back(traced: &str, line: usize) -> Option<(String, usize)> {
    let upto: usize = traced.split_inclusive('\n').take(line).map(str::len).sum();
    let before = &traced[..upto.min(traced.len())];
    let at = before.rfind(TRACE_OPEN)?;
    let rest = &before[at + TRACE_OPEN.len()..];
    let end = rest.find("*/")?;
    let (name, number) = rest[..end].rsplit_once(':')?;
    Some((name.to_owned(), number.parse().ok()?))
}

impl Templates {
    /// A [`SourceError`] at `line` of template `name`.
    pub fn error_at(&self, name: &str, line: usize, message: String) -> SourceError {
        let (path, text) = self.source(name).unwrap_or((name, ""));
        SourceError::new(path, text, line, 1, message)
    }
}

fn template_error(sources: &BTreeMap<String, (String, String)>, error: &JError) -> Error {
    let name = error.name().unwrap_or(MAIN_TEMPLATE);
    let (path, text) = sources.get(name).map(|(p, t)| (p.as_str(), t.as_str())).unwrap_or((name, ""));
    let line = error.line().unwrap_or(1);
    let column = error
        .range()
        .and_then(|r| {
            let start = text.get(..r.start)?;
            Some(start.len() - start.rfind('\n').map_or(0, |i| i + 1) + 1)
        })
        .unwrap_or(1);
    let mut message = match error.detail() {
        Some(detail) => format!("template error: {detail}"),
        None => format!("template error: {}", error.kind()),
    };
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        message.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    SourceError::new(path, text, line, column, message).into()
}

/// The answers as a template object, so `blank("h1")` can find them.
#[derive(Debug)]
struct AnswerTable {
    by_id: BTreeMap<String, Value>,
}

impl AnswerTable {
    fn new(answers: &Answers) -> Self {
        AnswerTable { by_id: answers.iter().map(|a| (a.id.clone(), a.value.clone())).collect() }
    }
}

impl Object for AnswerTable {
    fn get_value(self: &Arc<Self>, key: &JValue) -> Option<JValue> {
        let v = self.by_id.get(key.as_str()?)?;
        Some(JValue::from(v.display()))
    }
}

/// The answer `id`, and whether the markup being rendered may show answers
/// (not in [`Mode::Student`]).
fn lookup(state: &State, id: &str) -> Result<(Value, bool), JError> {
    let mode = state.lookup("mode").ok_or_else(|| JError::new(ErrorKind::UndefinedError, "`mode` is not defined"))?;
    let key = mode.as_str() != Some("student");
    let answers =
        state.lookup("answers").ok_or_else(|| JError::new(ErrorKind::UndefinedError, "`answers` is not defined"))?;
    let table = answers
        .downcast_object_ref::<AnswerTable>()
        .ok_or_else(|| JError::new(ErrorKind::InvalidOperation, "`answers` was replaced"))?;
    let value = table.by_id.get(id).cloned().ok_or_else(|| {
        JError::new(ErrorKind::UndefinedError, format!("no answer has the id `{id}` (see `answers --format json`)"))
    })?;
    Ok((value, key))
}

fn shown(value: &Value, paren: bool) -> String {
    let text = value.display();
    let negative = matches!(value, Value::Exact(x) if x.is_negative())
        || matches!(value, Value::Approx(t, _) if t.starts_with('\u{2212}'));
    if paren && negative {
        format!("({text})")
    } else {
        text
    }
}

/// `blank(id, paren=false, min=4)`: an answer box; empty in the student version,
/// holding the value in the key. Both have the same width, so both versions lay
/// out the same.
fn blank(state: &State, id: String, kwargs: Kwargs) -> Result<JValue, JError> {
    let paren: bool = kwargs.get::<Option<bool>>("paren")?.unwrap_or(false);
    let min: f64 = kwargs.get::<Option<f64>>("min")?.unwrap_or(4.0);
    kwargs.assert_all_used()?;
    let (value, key) = lookup(state, &id)?;
    let text = shown(&value, paren);
    let chars = text.chars().count() as f64;
    let width = (0.52 * chars + 1.4).max(min);
    let code =
        if key { format!("#filled({width:.1}em)[{}]", escape_markup(&text)) } else { format!("#blank({width:.1}em)") };
    Ok(JValue::from_safe_string(code))
}

/// `answer(id, paren=false)`: an answer as plain text, for a passage that only
/// the key shows (inside the Typst function `versions` or `key-only`). Markup
/// of the student version alone gets the same text with every digit a zero,
/// so it lays out alike and gives nothing away.
fn answer(state: &State, id: String, kwargs: Kwargs) -> Result<JValue, JError> {
    let paren: bool = kwargs.get::<Option<bool>>("paren")?.unwrap_or(false);
    kwargs.assert_all_used()?;
    let (value, key) = lookup(state, &id)?;
    let text = shown(&value, paren);
    let text = if key { text } else { text.chars().map(|c| if c.is_ascii_digit() { '0' } else { c }).collect() };
    Ok(JValue::from_safe_string(escape_markup(&text)))
}

/// `answer_number(id)`: an exact answer as Typst code, `float("…")`, for
/// figures that draw the key; `none` in markup of the student version alone.
fn answer_number(state: &State, id: String) -> Result<JValue, JError> {
    let (value, key) = lookup(state, &id)?;
    if !key {
        return Ok(JValue::from_safe_string("none".to_owned()));
    }
    match value {
        Value::Exact(x) => Ok(JValue::from_safe_string(format!("float({})", typst_string(&x.to_plain_string())))),
        _ => Err(JError::new(ErrorKind::InvalidOperation, format!("`{id}` is not an exact number"))),
    }
}

/// `value(id, paren=false)`: a given number printed in both versions.
fn value(state: &State, id: String, kwargs: Kwargs) -> Result<JValue, JError> {
    let paren: bool = kwargs.get::<Option<bool>>("paren")?.unwrap_or(false);
    kwargs.assert_all_used()?;
    let (value, _) = lookup(state, &id)?;
    Ok(JValue::from_safe_string(escape_markup(&shown(&value, paren))))
}

/// `response(id, lines=3)`: ruled lines in the student version, the model answer
/// in a box of the same height in the key.
fn response(state: &State, id: String, kwargs: Kwargs) -> Result<JValue, JError> {
    let lines: u32 = kwargs.get::<Option<u32>>("lines")?.unwrap_or(3);
    kwargs.assert_all_used()?;
    let (value, key) = lookup(state, &id)?;
    let code =
        if key { format!("#model({lines})[{}]", escape_markup(&value.display())) } else { format!("#ruled({lines})") };
    Ok(JValue::from_safe_string(code))
}

/// `cell(id)`: a table cell aligned on the decimal point; empty in the student version.
fn cell(state: &State, id: String) -> Result<JValue, JError> {
    let (value, key) = lookup(state, &id)?;
    if !key {
        return Ok(JValue::from_safe_string("#cellblank()".to_owned()));
    }
    let text = value.display();
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_owned(), format!(".{f}")),
        None => (text.clone(), String::new()),
    };
    Ok(JValue::from_safe_string(format!("#cellfilled({}, {})", typst_string(&int), typst_string(&frac))))
}

/// `number(id)`: an exact answer as a Typst string literal of ASCII decimal text,
/// for code such as `float(...)` in figures.
fn number(state: &State, id: String) -> Result<JValue, JError> {
    let (value, _) = lookup(state, &id)?;
    match value {
        Value::Exact(x) => Ok(JValue::from_safe_string(typst_string(&x.to_plain_string()))),
        _ => Err(JError::new(ErrorKind::InvalidOperation, format!("`{id}` is not an exact number"))),
    }
}

fn format_value(out: &mut minijinja::Output, state: &mut State, value: &JValue) -> Result<(), JError> {
    if value.is_safe() {
        return out.write_str(value.as_str().unwrap_or_default()).map_err(JError::from);
    }
    if value.is_none() {
        return Err(JError::new(ErrorKind::UndefinedError, "tried to print `none`; test it with `{% if … %}` first"));
    }
    let _ = state;
    let text = if let Some(s) = value.as_str() { s.to_owned() } else { value.to_string() };
    out.write_str(&escape_markup(&text)).map_err(JError::from)
}

/// Escapes `text` for Typst markup (and math): every ASCII punctuation character
/// gets a backslash, so nothing in it can act as markup, code, math, a label, a
/// reference or a comment; line breaks and tabs become spaces; other control
/// characters are dropped.
pub fn escape_markup(text: &str) -> String {
    if is_plain_number(text) {
        // Digits with a true minus sign and a decimal point cannot act as markup;
        // left unescaped they stay one number token in math.
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            // Everything Typst reads as a line break (and tabs) becomes a space.
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if c.is_control() => {}
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix('\u{2212}').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
}

/// `text` as a Typst string literal, quotes included.
pub fn typst_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What a template sees (besides `answers` and the functions).
#[derive(Debug, Serialize)]
struct Context<'a> {
    /// `true` in the answer key.
    key: bool,
    /// `student` or `key`.
    version: Version,
    /// `student`, `key` or `both`: what the markup typesets.
    mode: Mode,
    /// Title, credit, paper, intro, video, names and date lines.
    doc: &'a Document,
    /// Variant id, student name, QR code.
    label: &'a Label,
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
    fn new(worksheet: &'a Worksheet, version: Version, mode: Mode, label: &'a Label) -> Self {
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
                    (crate::answers::value_id(j - 1, count), math_name(&value_name(j - 1, count)))
                };
                let safe = JValue::from_safe_string;
                LayerView {
                    n: j + 1,
                    c_paren: safe(if layer.coefficient.is_negative() { format!("({c})") } else { c.clone() }),
                    c,
                    w_id: format!("w{}", j + 1),
                    w: safe(format!("w_{}", j + 1)),
                    out_id: crate::answers::value_id(j, count),
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
            doc: &worksheet.document,
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

/// The directory a `--templates` path names, checked to exist.
pub fn template_dir(path: &Path) -> Result<PathBuf> {
    if !path.is_dir() {
        return Err(Error::msg(format!("--templates {}: not a directory", path.display())));
    }
    Ok(path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_markup() {
        assert_eq!(escape_markup("#set page(width: 3cm)"), "\\#set page\\(width\\: 3cm\\)");
        assert_eq!(escape_markup("$x$ *b* _i_ `r` <l> @r \\"), "\\$x\\$ \\*b\\* \\_i\\_ \\`r\\` \\<l\\> \\@r \\\\");
        assert_eq!(escape_markup("a\nb\u{7}c"), "a bc");
        // Unicode line and paragraph separators are line breaks to Typst (found by fuzzing).
        assert_eq!(escape_markup("b\u{2212}b\u{2029}x\u{2028}y"), "b\u{2212}b x y");
        assert_eq!(escape_markup("Zoë 😀 שלום"), "Zoë 😀 שלום");
    }

    #[test]
    fn string_literals_escape_quotes_and_backslashes() {
        assert_eq!(typst_string("say \"hi\" \\ now"), "\"say \\\"hi\\\" \\\\ now\"");
    }

    #[test]
    fn qr_codes_are_square_module_grids() {
        let qr = qr_modules("randomized:v07").unwrap();
        let rows: Vec<&str> = qr.split('/').collect();
        assert_eq!(rows.len(), 21, "a short id fits a version-1 code");
        assert!(rows.iter().all(|r| r.len() == 21 && r.chars().all(|c| c == '0' || c == '1')));
        // The finder pattern in the top-left corner.
        assert_eq!(rows[0].get(..7), Some("1111111"));
        assert_ne!(qr_modules("randomized:v08"), Some(qr));
    }

    #[test]
    fn trace_maps_output_lines_to_template_lines() {
        let traced = trace_template("t.j2", "a\n{% if x %}\nb\nc\n");
        assert_eq!(trace_back(&traced, 3), Some(("t.j2".to_owned(), 3)));
        assert_eq!(trace_back(&traced, 1), Some(("t.j2".to_owned(), 1)));
    }
}
