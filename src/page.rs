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
mod targets;
mod tolerance;

use std::collections::{BTreeMap, BTreeSet};

use minijinja::context;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::answers::{Blank, Ext, Facts, Phrase, SlipForm, Solved, Value, Weight, Wording};
use crate::error::{Error, Result};
use crate::number::{NumberFormat, LEGIBLE_DIGITS};
use crate::render::{BlankCall, BlankKind, SheetLabel, Templates, PAGE_TEMPLATE};
use checks::{check_of, choices, hex, Check, Choice, OwnSlip, Sources};
pub(crate) use html::Part;
use html::{export, with_fields};
use targets::APPROXIMATELY_DIGITS;
pub(crate) use targets::{slip as slip_target, Target, Targets};

pub use checks::{canonical_decimal, salted_hash};
pub use formulas::{formulas, slip_formulas, Formula, SlipFormula};

const SCRIPT: &str = include_str!("page/check.js");
const STYLE: &str = include_str!("page/page.css");

/// One field of the page: a blank of the worksheet.
#[derive(Debug, Serialize)]
pub(crate) struct Field {
    /// Its position among the page's fields (the element id is `f{n}`).
    pub(crate) n: usize,
    /// The blank.
    pub(crate) id: Blank,
    /// What the page's words know of it, for its label.
    pub(crate) blank: Box<Facts>,
    /// `number`, `approx`, `choice` or `text`.
    pub(crate) kind: &'static str,
    /// Whether the sheet words the blank as approximate ("the error changes
    /// by approximately"): a rounding of the answer is right there.
    pub(crate) approximately: bool,
    /// The options of a choice.
    pub(crate) options: Vec<Choice>,
    /// The key's option of a choice: never in the page (its script compares hashes).
    #[serde(skip)]
    pub(crate) key: Option<String>,
    /// How many characters the key's answer of a number blank has as the
    /// sheet prints it: its field is at least that wide (and grows with
    /// what is typed), so the length is all the page tells of it.
    pub(crate) size: usize,
}

/// The student sheet through Typst's HTML export with its blanks as fields,
/// in the PDF's order: the body of the self-check page, and of the Moodle
/// export's questions.
pub(crate) struct Body {
    /// The style Typst gives its MathML.
    pub(crate) style: String,
    /// The sheet's HTML and its fields.
    pub(crate) parts: Vec<Part>,
    /// The blanks as the worksheet template printed them, in order.
    pub(crate) calls: Vec<BlankCall>,
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
    let numbers = templates.numbers(&solved.worksheet.presentation.language);
    let mut fields = Vec::new();
    for (n, call) in calls.iter().enumerate() {
        let answer = solved
            .answers
            .get(call.id)
            .ok_or_else(|| Error::msg(format!("the page: no answer has the id `{}`", call.id)))?;
        let choice = if call.kind == BlankKind::Response { None } else { choices(call.id, solved, templates)? };
        let (options, key) = choice.unzip();
        let kind = match (&answer.value, call.kind, &options) {
            (_, BlankKind::Response, _) => "text",
            (_, _, Some(_)) => "choice",
            (Value::Approx(..), _, _) => "approx",
            // A ReLU's answers are exact, and the sheet may still be rounded
            // as the student goes: checked like the other activations'.
            (Value::Exact(_), _, _) if matches!(call.id, Blank::Extension(e) if e != Ext::Z) => "approx",
            (Value::Exact(_) | Value::Count(_), _, _) => "number",
            (Value::Flag(_) | Value::Text(_), _, _) => "text",
        };
        let approximately = call.approximately && kind == "number";
        let options = options.unwrap_or_default();
        let size = answer.display(&numbers).trim_start_matches(['\u{2248}', ' ']).chars().count();
        let blank = Box::new(call.id.facts());
        fields.push(Field { n, id: call.id, blank, kind, approximately, options, key, size });
    }
    Ok(Body { style: exported.style, parts: with_fields(&exported.body, fields)?, calls })
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
    /// The significant digits an "approximately" blank is judged to
    /// ([`targets`]): what the student's own numbers give counts as closely.
    approximately: u32,
}

/// The self-check page of `solved`, for the sheet `label` of the config `stem`.
pub fn page(templates: &Templates, solved: &Solved, stem: &str, label: &SheetLabel) -> Result<String> {
    let body = body(templates, solved, label)?;
    let salt = hex(&Sha256::digest(
        format!(
            "backprop-worksheet page|{stem}|{}|{}|{}",
            label.id,
            label.student.as_deref().unwrap_or(""),
            solved.answers.iter().map(|a| format!("{}={}", a.id, salted(&a.value))).collect::<Vec<_>>().join(";")
        )
        .as_bytes(),
    ))[..16]
        .to_owned();
    let givens = givens(solved);
    let on_page: BTreeSet<Blank> = body.calls.iter().map(|c| c.id).collect();
    // The formulas name only what the page knows: a blank on it or a given;
    // anything else (a table row's printed weight) is written out.
    let all = formulas(solved);
    let known = |blank: Blank| on_page.contains(&blank) || givens.contains_key(&blank);
    let page_formulas: BTreeMap<Blank, Vec<Formula>> =
        all.iter().map(|(id, list)| (*id, list.iter().map(|f| f.inlined(&known, &all)).collect())).collect();
    let own_slips = own_slips(templates, solved, &known, &all)?;
    let targets = Targets::new(solved);
    let layers = solved.worksheet.network.layers.len();
    let needs = |id: Blank| quoted_blanks(id, layers).into_iter().filter(|b| on_page.contains(b)).collect();
    let slips = templates.slips(solved, SlipForm::Question)?;
    let sources = Sources {
        solved,
        salt: &salt,
        slips: &slips,
        formulas: &page_formulas,
        known: &known,
        all: &all,
        own_slips: &own_slips,
        targets: &targets,
        needs: &needs,
    };
    // The page's data names each blank by its public id.
    let mut checks = BTreeMap::new();
    for field in body.fields() {
        checks.entry(field.id.to_string()).or_insert_with(|| {
            let any_approximately = body.calls.iter().any(|c| c.id == field.id && c.approximately);
            check_of(&sources, field.id, field.kind, field.key.as_deref(), any_approximately)
        });
    }
    let storage = format!("backprop-worksheet|{stem}|{}|{salt}", label.id);
    let givens = givens.into_iter().map(|(id, x)| (id.to_string(), x)).collect();
    let data = Data { salt, storage, givens, checks, legible: LEGIBLE_DIGITS, approximately: APPROXIMATELY_DIGITS };
    let json = serde_json::to_string(&data).map_err(|e| Error::msg(format!("the page's data: {e}")))?;
    // Inside <script>: no `</` may close it early.
    let json = json.replace("</", "<\\/");
    render_page(templates, solved, label, &body.style, &body.parts, json)
}

/// An answer as the salt of its sheet's page takes it: as it has always
/// been written there (English numbers, `yes` or `no`), whatever the sheet's
/// language, so that a page's salt does not change. Never shown.
fn salted(value: &Value) -> String {
    match value {
        Value::Flag(b) => if *b { "yes" } else { "no" }.to_owned(),
        other => other.display(&NumberFormat::english()),
    }
}

/// The given numbers, canonical: the sheet prints them, so the page may hold them.
fn givens(solved: &Solved) -> BTreeMap<Blank, String> {
    solved
        .answers
        .iter()
        .filter_map(|a| match (a.id, &a.value) {
            (Blank::Given(_), Value::Exact(x)) => Some((a.id, x.to_plain_string())),
            _ => None,
        })
        .collect()
}

/// The common slips with a formula, worded as questions, by blank.
fn own_slips(
    templates: &Templates,
    solved: &Solved,
    known: &dyn Fn(Blank) -> bool,
    all: &BTreeMap<Blank, Vec<Formula>>,
) -> Result<BTreeMap<Blank, Vec<OwnSlip>>> {
    let language = &solved.worksheet.presentation.language;
    let slips = slip_formulas(solved, &templates.numbers(language));
    let phrases: Vec<Phrase> = slips
        .values()
        .flatten()
        .map(|s| Phrase::Slip { mistakes: vec![s.mistake.clone()], form: SlipForm::Question })
        .collect();
    let mut hints = templates.phrase_all(language, &phrases)?.into_iter();
    Ok(slips
        .into_iter()
        .map(|(id, list)| {
            let worded = list
                .into_iter()
                .map(|s| OwnSlip { formula: s.formula.inlined(known, all), hint: hints.next().unwrap_or_default() })
                .collect();
            (id, worded)
        })
        .collect())
}

/// The tolerance of each of the extension's approximate answers around its
/// unrounded key ([`tolerance`]), from their formulas in the order the sheet
/// computes them.
#[allow(clippy::disallowed_types)] // the extension's answers are doubles
fn extension_tolerances(
    solved: &Solved,
    all: &BTreeMap<Blank, Vec<Formula>>,
    givens: &BTreeMap<Blank, String>,
) -> BTreeMap<Blank, f64> {
    let Some(extension) = solved.worksheet.extension else { return BTreeMap::new() };
    let z = Blank::Extension(Ext::Z);
    let blanks: Vec<(Blank, Formula, f64)> = solved
        .answers
        .iter()
        .filter(|a| matches!(a.id, Blank::Extension(_)) && a.id != z)
        .filter_map(|a| {
            let key = match &a.value {
                Value::Approx(_, x) => *x,
                Value::Exact(x) => x.to_f64(),
                _ => return None,
            };
            Some((a.id, all.get(&a.id)?.first()?.clone(), key))
        })
        .collect();
    let z_value = solved.answers.get(z).and_then(|a| match &a.value {
        Value::Exact(x) => Some(x.to_f64()),
        _ => None,
    });
    let exact = |blank: Blank| match blank {
        _ if blank == z => z_value,
        _ => givens.get(&blank).and_then(|x| x.parse().ok()),
    };
    tolerance::tolerances(&blanks, &exact, extension.digits)
}

/// The blanks whose numbers the model answer `id` quotes (the numbers among
/// its facts, see `answers.txt.j2`): it is revealed only once they are right.
fn quoted_blanks(id: Blank, layers: usize) -> Vec<Blank> {
    use crate::answers::{Column, Node, Row};
    match id {
        Blank::Discussion => vec![Blank::Value(Node::output(layers)), Blank::Error],
        Blank::Reflection => vec![Blank::ReflectionFactors],
        Blank::ErrorVerdict => vec![Blank::Error, Blank::NewError],
        Blank::Extension(Ext::Explanation) => vec![
            Blank::Extension(Ext::Z),
            Blank::Extension(Ext::Slope),
            Blank::Extension(Ext::Gradient),
            Blank::Gradient(Weight(0)),
        ],
        Blank::Check(weight) => {
            let cell = |row, column| Blank::Table { weight, row, column };
            vec![
                Blank::Gradient(weight),
                cell(Row::Plus, Column::Change),
                cell(Row::Plus, Column::Error),
                cell(Row::Minus, Column::Error),
            ]
        }
        _ => Vec::new(),
    }
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
    let numbers = templates.numbers(&doc.language);
    let doc_nudge = numbers.write(&solved.worksheet.nudge.exactly());
    let layers = solved.worksheet.network.layers.len();
    let safe = minijinja::Value::from_safe_string;
    templates.render_html(
        &doc.language,
        PAGE_TEMPLATE,
        context! {
            title => &doc.title,
            language => &doc.language,
            variant => &label.id,
            student => &label.student,
            nudge => doc_nudge,
            layers,
            parts => minijinja::Value::from(minijinja::value::Serde(parts)),
            data => safe(json),
            script => safe(SCRIPT.replace("</", "<\\/")),
            style => safe(format!("{math_style}\n{STYLE}")),
        },
    )
}

/// The answer ids of the blanks the student version prints, in order.
pub fn student_blank_ids(templates: &Templates, solved: &Solved, label: &SheetLabel) -> Result<Vec<String>> {
    Ok(templates.student_blanks(solved, label)?.into_iter().map(|c| c.id.to_string()).collect())
}
