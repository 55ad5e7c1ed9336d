//! The self-check page: one self-contained HTML file per student sheet
//! (`generate --format html`) where a student types their answers and
//! checks them, offline, from `file://`.
//!
//! The page is the student version typeset a second time, by Typst's HTML
//! export, from the same templates: the worksheet template is rendered in
//! [`Mode::Page`], where every blank it prints is recorded and written as
//! `#field(n)` ([`Templates::page_markup`]) and the preamble swaps what only
//! paper needs for its web form. So the page has the PDF's words, equations
//! (as MathML), tables and drawings (as inline SVG), in the PDF's order. Each
//! field's placeholder is then replaced by an input, a select or a text area,
//! and `templates/page.html.j2` wraps the whole with the script and style.
//!
//! The page holds no answer in clear text: each blank carries a salted
//! SHA-256 of its canonical value and of each of its common slips; model
//! answers are XOR-obfuscated with a SHA-256 keystream. That stops a
//! curious student reading the source, not a determined one (who can hash
//! candidate numbers). For carried-forward credit the page gets each
//! blank's formula in terms of earlier blanks and the givens (which the
//! sheet prints anyway) and recomputes it exactly from the student's own
//! entries.

mod checks;
mod formulas;
mod html;

use std::collections::BTreeMap;

use minijinja::context;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::answers::{SlipForm, Solved, Value};
use crate::error::{Error, Result};
use crate::number::LEGIBLE_DIGITS;
use crate::render::{BlankKind, SheetLabel, Templates, PAGE_TEMPLATE};
use checks::{check_of, choices, hex, Check, Choice};
pub(crate) use html::Part;
use html::{export, with_fields};

pub use checks::{canonical_decimal, salted_hash};
pub use formulas::{formulas, Formula};

const SCRIPT: &str = include_str!("page/check.js");
const STYLE: &str = include_str!("page/page.css");

/// The given numbers: printed on the sheet, so the page may hold them.
const GIVENS: &[&str] = &["x", "target", "nudge", "learning_rate"];

/// One field of the page: a blank of the worksheet.
#[derive(Debug, Serialize)]
pub(crate) struct Field {
    /// Its position among the page's fields (the element id is `f{n}`).
    pub(crate) n: usize,
    /// The answer id.
    pub(crate) id: String,
    /// `number`, `approx`, `choice` or `text`.
    pub(crate) kind: &'static str,
    /// The options of a choice.
    pub(crate) options: Vec<Choice>,
    /// The key's option of a choice: never in the page (its script compares hashes).
    #[serde(skip)]
    pub(crate) key: Option<String>,
    /// How the worksheet prints the blank.
    #[serde(skip)]
    pub(crate) printed: BlankKind,
}

/// The student sheet through Typst's HTML export with its blanks as fields,
/// in the PDF's order: the body of the self-check page, and of the Moodle
/// export's questions.
pub(crate) struct Body {
    /// The style Typst gives its MathML.
    pub(crate) style: String,
    /// The sheet's HTML and its fields.
    pub(crate) parts: Vec<Part>,
}

impl Body {
    /// The fields, in order.
    pub(crate) fn fields(&self) -> impl Iterator<Item = &Field> {
        self.parts.iter().filter_map(|part| match part {
            Part::Field { field, .. } => Some(field),
            Part::Html { .. } => None,
        })
    }
}

/// The body of `solved`'s sheet `label`: the student version typeset by
/// Typst's HTML export, each blank a field.
pub(crate) fn body(templates: &Templates, solved: &Solved, label: &SheetLabel) -> Result<Body> {
    let (markup, calls) = templates.page_markup(solved, label)?;
    let exported = export(templates, solved, label, &markup)?;
    let mut fields = Vec::new();
    for (n, call) in calls.iter().enumerate() {
        let answer = solved
            .answers
            .get(&call.id)
            .ok_or_else(|| Error::msg(format!("the page: no answer has the id `{}`", call.id)))?;
        let choice = if call.kind == BlankKind::Response { None } else { choices(&call.id, solved, templates)? };
        let (options, key) = choice.unzip();
        let kind = match (&answer.value, call.kind, &options) {
            (_, BlankKind::Response, _) => "text",
            (_, _, Some(_)) => "choice",
            (Value::Approx(..), _, _) => "approx",
            (Value::Exact(_) | Value::Count(_), _, _) => "number",
            (Value::Flag(_) | Value::Text(_), _, _) => "text",
        };
        fields.push(Field {
            n,
            id: call.id.clone(),
            kind,
            options: options.unwrap_or_default(),
            key,
            printed: call.kind,
        });
    }
    Ok(Body { style: exported.style, parts: with_fields(&exported.body, fields)? })
}

/// The data the page's script reads.
#[derive(Debug, Serialize)]
struct Data {
    /// The salt of every hash: differs per sheet.
    salt: String,
    /// Key of the progress kept in `localStorage`.
    storage: String,
    /// The given numbers, canonical.
    givens: BTreeMap<String, String>,
    /// By answer id.
    checks: BTreeMap<String, Check>,
    /// The significant digits a sheet prints an exact answer with at most
    /// (longer ones rounded, with `≈`): the roundings in `checks` have them.
    legible: u32,
}

/// The self-check page of `solved`, for the sheet `label` of the config `stem`.
pub fn page(templates: &Templates, solved: &Solved, stem: &str, label: &SheetLabel) -> Result<String> {
    let body = body(templates, solved, label)?;
    let salt = hex(&Sha256::digest(
        format!(
            "backprop-worksheet page|{stem}|{}|{}|{}",
            label.id,
            label.student.as_deref().unwrap_or(""),
            solved.answers.iter().map(|a| format!("{}={}", a.id, a.value.display())).collect::<Vec<_>>().join(";")
        )
        .as_bytes(),
    ))[..16]
        .to_owned();
    let slips = templates.slips(solved, SlipForm::Question)?;
    let formulas = formulas(solved);
    let mut checks = BTreeMap::new();
    for field in body.fields() {
        if !checks.contains_key(&field.id) {
            let check = check_of(solved, &field.id, field.kind, field.key.as_deref(), &salt, &slips, &formulas);
            checks.insert(field.id.clone(), check);
        }
    }
    let givens = solved
        .answers
        .iter()
        .filter(|a| GIVENS.contains(&a.id.as_str()) || is_layer_given(&a.id))
        .filter_map(|a| match &a.value {
            Value::Exact(x) => Some((a.id.clone(), x.to_plain_string())),
            _ => None,
        })
        .collect();
    let storage = format!("backprop-worksheet|{stem}|{}|{salt}", label.id);
    let data = Data { salt, storage, givens, checks, legible: LEGIBLE_DIGITS };
    let json = serde_json::to_string(&data).map_err(|e| Error::msg(format!("the page's data: {e}")))?;
    // Inside <script>: no `</` may close it early.
    let json = json.replace("</", "<\\/");
    render_page(templates, solved, label, &body.style, &body.parts, json)
}

/// The page's HTML: the page template (built in, or from `--templates`) with
/// the sheet's body, its data as JSON, and the script and style inlined.
fn render_page(
    templates: &Templates,
    solved: &Solved,
    label: &SheetLabel,
    math_style: &str,
    parts: &[Part],
    json: String,
) -> Result<String> {
    let doc = &solved.worksheet.presentation;
    let doc_nudge = solved.worksheet.nudge.to_display_string();
    let safe = minijinja::Value::from_safe_string;
    templates.render_html(
        PAGE_TEMPLATE,
        context! {
            title => &doc.title,
            language => &doc.language,
            variant => &label.id,
            student => &label.student,
            nudge => doc_nudge,
            parts => minijinja::Value::from(minijinja::value::Serde(parts)),
            data => safe(json),
            script => safe(SCRIPT.replace("</", "<\\/")),
            style => safe(format!("{math_style}\n{STYLE}")),
        },
    )
}

/// `c1`…, `w1`…: the layers' givens.
fn is_layer_given(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('c' | 'w')) && !id[1..].is_empty() && id[1..].chars().all(|c| c.is_ascii_digit())
}

/// The answer ids of the blanks the student version prints, in order.
pub fn student_blank_ids(templates: &Templates, solved: &Solved, label: &SheetLabel) -> Result<Vec<String>> {
    Ok(templates.student_blanks(solved, label)?.into_iter().map(|c| c.id).collect())
}
