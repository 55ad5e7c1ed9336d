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

use crate::answers::{Phrase, SlipForm, Solved, Value, Wording};
use crate::error::{Error, Result};
use crate::number::LEGIBLE_DIGITS;
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
            // A ReLU's answers are exact, and the sheet may still be rounded
            // as the student goes: checked like the other activations'.
            (Value::Exact(_), _, _) if call.id.starts_with("ext.") && call.id != "ext.z" => "approx",
            (Value::Exact(_) | Value::Count(_), _, _) => "number",
            (Value::Flag(_) | Value::Text(_), _, _) => "text",
        };
        let approximately = call.approximately && kind == "number";
        let options = options.unwrap_or_default();
        let size = answer.display().trim_start_matches(['\u{2248}', ' ']).chars().count();
        fields.push(Field { n, id: call.id.clone(), kind, approximately, options, key, size });
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
            solved.answers.iter().map(|a| format!("{}={}", a.id, a.value.display())).collect::<Vec<_>>().join(";")
        )
        .as_bytes(),
    ))[..16]
        .to_owned();
    let givens = givens(solved);
    let on_page: BTreeSet<&str> = body.calls.iter().map(|c| c.id.as_str()).collect();
    // The formulas name only what the page knows: a blank on it or a given;
    // anything else (a table row's printed weight) is written out.
    let all = formulas(solved);
    let known = |name: &str| on_page.contains(name) || givens.contains_key(name);
    let page_formulas: BTreeMap<String, Vec<Formula>> =
        all.iter().map(|(id, list)| (id.clone(), list.iter().map(|f| f.inlined(&known, &all)).collect())).collect();
    let own_slips = own_slips(templates, solved, &known, &all)?;
    let targets = Targets::new(solved);
    let needs = |id: &str| quoted_blanks(id).into_iter().filter(|b| on_page.contains(b.as_str())).collect();
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
    let mut checks = BTreeMap::new();
    for field in body.fields() {
        if !checks.contains_key(&field.id) {
            let any_approximately = body.calls.iter().any(|c| c.id == field.id && c.approximately);
            let check = check_of(&sources, &field.id, field.kind, field.key.as_deref(), any_approximately);
            checks.insert(field.id.clone(), check);
        }
    }
    let storage = format!("backprop-worksheet|{stem}|{}|{salt}", label.id);
    let data = Data { salt, storage, givens, checks, legible: LEGIBLE_DIGITS, approximately: APPROXIMATELY_DIGITS };
    let json = serde_json::to_string(&data).map_err(|e| Error::msg(format!("the page's data: {e}")))?;
    // Inside <script>: no `</` may close it early.
    let json = json.replace("</", "<\\/");
    render_page(templates, solved, label, &body.style, &body.parts, json)
}

/// The given numbers, canonical, by id: the sheet prints them, so the page may hold them.
fn givens(solved: &Solved) -> BTreeMap<String, String> {
    solved
        .answers
        .iter()
        .filter(|a| GIVENS.contains(&a.id.as_str()) || is_layer_given(&a.id))
        .filter_map(|a| match &a.value {
            Value::Exact(x) => Some((a.id.clone(), x.to_plain_string())),
            _ => None,
        })
        .collect()
}

/// The common slips with a formula, worded as questions, by blank.
fn own_slips(
    templates: &Templates,
    solved: &Solved,
    known: &dyn Fn(&str) -> bool,
    all: &BTreeMap<String, Vec<Formula>>,
) -> Result<BTreeMap<String, Vec<OwnSlip>>> {
    let slips = slip_formulas(solved);
    let phrases: Vec<Phrase> = slips
        .values()
        .flatten()
        .map(|s| Phrase::Slip { mistakes: vec![s.mistake.clone()], form: SlipForm::Question })
        .collect();
    let mut hints = templates.phrase_all(&phrases)?.into_iter();
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
fn extension_tolerances(solved: &Solved) -> BTreeMap<String, f64> {
    let Some(extension) = solved.worksheet.extension else { return BTreeMap::new() };
    let all = formulas(solved);
    let givens = givens(solved);
    let blanks: Vec<(String, Formula, f64)> = solved
        .answers
        .iter()
        .filter(|a| a.id.starts_with("ext.") && a.id != "ext.z")
        .filter_map(|a| {
            let key = match &a.value {
                Value::Approx(_, x) => *x,
                Value::Exact(x) => x.to_f64(),
                _ => return None,
            };
            Some((a.id.clone(), all.get(&a.id)?.first()?.clone(), key))
        })
        .collect();
    let z = solved.answers.get("ext.z").and_then(|a| match &a.value {
        Value::Exact(x) => Some(x.to_f64()),
        _ => None,
    });
    let exact = |name: &str| match name {
        "ext.z" => z,
        _ => givens.get(name).and_then(|x| x.parse().ok()),
    };
    tolerance::tolerances(&blanks, &exact, extension.digits)
}

/// The blanks whose numbers the model answer `id` quotes (the numbers among
/// its facts, see `answers.txt.j2`): it is revealed only once they are right.
fn quoted_blanks(id: &str) -> Vec<String> {
    let list: Vec<String> = match id {
        "discussion" => vec!["y".into(), "error".into()],
        "reflection" => vec!["reflection_factors".into()],
        "error_verdict" => vec!["error".into(), "new_error".into()],
        "ext.explanation" => vec!["ext.z".into(), "ext.slope".into(), "ext.grad_w1".into(), "grad_w1".into()],
        _ => match id.strip_prefix("check_") {
            Some(weight) => vec![
                format!("grad_{weight}"),
                format!("nudge_{weight}.plus.change"),
                format!("nudge_{weight}.plus.error"),
                format!("nudge_{weight}.minus.error"),
            ],
            None => Vec::new(),
        },
    };
    list
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
    // The sheet's names of its values by answer id: a two-layer sheet calls
    // h1 `h`.
    let layers = solved.worksheet.network.layers.len();
    let names: BTreeMap<String, String> =
        (0..layers).map(|j| (crate::answers::value_id(j, layers), crate::answers::value_name(j, layers))).collect();
    let safe = minijinja::Value::from_safe_string;
    templates.render_html(
        PAGE_TEMPLATE,
        context! {
            title => &doc.title,
            language => &doc.language,
            variant => &label.id,
            student => &label.student,
            nudge => doc_nudge,
            layers,
            names,
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
