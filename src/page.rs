//! The self-check page: one self-contained HTML file per student sheet
//! (`generate --format html`) where a student types their answers and
//! checks them, offline, from `file://`.
//!
//! The page is a second rendering of the same sheet: the worksheet template
//! is rendered once more as the student version with its blank functions
//! recorded ([`Templates::student_blanks`]), so the page has exactly the
//! PDF's blanks in the PDF's order, under the PDF's headings and with the
//! PDF's words around them (Typst markup reduced to plain text). The HTML is
//! then written by `templates/page.html.j2` (HTML auto-escaping).
//!
//! The page holds no answer in clear text: each blank carries a salted
//! SHA-256 of its canonical value and of each of its common slips; model
//! answers are XOR-obfuscated with a SHA-256 keystream. That stops a
//! curious student reading the source, not a determined one (who can hash
//! candidate numbers). For carried-forward credit the page gets each
//! blank's formula in terms of earlier blanks and the givens (which the
//! sheet prints anyway) and recomputes it exactly from the student's own
//! entries.

mod formulas;
mod text;

use std::collections::BTreeMap;

use minijinja::{context, Environment};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::answers::{Solved, Value};
use crate::error::{Error, Result};
use crate::render::{BlankCall, BlankKind, SheetLabel, Templates};

pub use formulas::{formulas, Formula};

/// The page template's file name (a `--templates` directory may override it).
pub const PAGE_TEMPLATE: &str = "page.html.j2";

const EMBEDDED_TEMPLATE: &str = include_str!("../templates/page.html.j2");
const SCRIPT: &str = include_str!("page/check.js");
const STYLE: &str = include_str!("page/page.css");

/// The given numbers: printed on the sheet, so the page may hold them.
const GIVENS: &[&str] = &["x", "target", "nudge", "learning_rate"];

/// One field of the page: a blank of the worksheet.
#[derive(Debug, Serialize)]
struct Field {
    /// Its position among the page's fields (the element id is `f{n}`).
    n: usize,
    /// The answer id.
    id: String,
    /// `number`, `approx`, `choice` or `text`.
    kind: &'static str,
    /// What a screen reader announces.
    label: String,
    /// The label is shown (table cells), not only announced.
    visible: bool,
    /// The options of a choice.
    options: Vec<String>,
}

/// A piece of a line of the page: words, or a field.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Part {
    Text { text: String },
    Field { field: Field },
}

/// A line of the page: the worksheet line a blank stands on.
#[derive(Debug, Serialize)]
struct Line {
    parts: Vec<Part>,
    /// The line holds a written answer (a block of its own).
    block: bool,
}

/// A heading of the worksheet and the lines with blanks under it.
#[derive(Debug, Serialize)]
struct Section {
    title: String,
    /// 2 for a top heading (`=`), 3 below.
    level: usize,
    lines: Vec<Line>,
}

/// What the page's script checks a blank against.
#[derive(Debug, Serialize)]
struct Check {
    /// `number`, `approx`, `choice` or `text`.
    kind: &'static str,
    /// Salted SHA-256 of the canonical answer (none for a written answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<String>,
    /// Significant digits of an approximate answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    digits: Option<u32>,
    /// Salted hashes of the common slips, with their descriptions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    slips: Vec<SlipCheck>,
    /// The formula that recomputes the blank from earlier entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    formula: Option<Formula>,
    /// The model answer, obfuscated (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<String>,
}

#[derive(Debug, Serialize)]
struct SlipCheck {
    hash: String,
    hint: String,
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
}

/// The canonical text of a decimal: ASCII minus, no `+`, no trailing zeros,
/// `0` for zero; `None` if `text` is not a decimal. The page's script
/// canonicalises what a student types the same way.
pub fn canonical_decimal(text: &str) -> Option<String> {
    let text = text.trim().replace(['\u{2212}', '\u{2013}'], "-");
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    if int.is_empty() && frac.is_empty() || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let body = if frac.is_empty() { int.to_owned() } else { format!("{int}.{frac}") };
    Some(if negative && body != "0" { format!("-{body}") } else { body })
}

/// The salted hash the page compares a canonical value with.
pub fn salted_hash(salt: &str, id: &str, canonical: &str) -> String {
    hex(&Sha256::digest(format!("{salt}|{id}|{canonical}").as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `text` XORed with a SHA-256 keystream of the salt and the id, as hex.
fn obfuscate(salt: &str, id: &str, text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    for (block, chunk) in bytes.chunks(32).enumerate() {
        let key = Sha256::digest(format!("{salt}|model|{id}|{block}").as_bytes());
        out.extend(chunk.iter().zip(key.iter()).map(|(b, k)| b ^ k));
    }
    hex(&out)
}

/// The choices a word blank offers, or `None` for a number.
fn choices(id: &str, solved: &Solved) -> Option<Vec<String>> {
    if id.ends_with(".direction") {
        return Some(vec!["increase".into(), "decrease".into()]);
    }
    if id == "error_decreased" {
        return Some(vec!["yes".into(), "no".into()]);
    }
    if id == "strongest_weight" {
        let mut options: Vec<String> =
            (0..solved.worksheet.network.layers.len()).map(crate::answers::weight_name).collect();
        options.push("tie".into());
        return Some(options);
    }
    None
}

/// The canonical form of the key's answer to a choice.
fn choice_answer(value: &Value, options: &[String]) -> String {
    let text = value.display().trim().to_lowercase();
    if options.contains(&text) {
        text
    } else {
        // A tie between weights: worded by the answers template.
        "tie".to_owned()
    }
}

/// The self-check page of `solved`, for the sheet `label` of the config `stem`.
pub fn page(templates: &Templates, solved: &Solved, stem: &str, label: &SheetLabel) -> Result<String> {
    let (markup, calls) = templates.student_blanks(solved, label)?;
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
    let slips = templates.slips(solved)?;
    let formulas = formulas(solved);
    let mut checks = BTreeMap::new();
    let mut fields = Vec::new();
    for (n, call) in calls.iter().enumerate() {
        let answer = solved
            .answers
            .get(&call.id)
            .ok_or_else(|| Error::msg(format!("the page: no answer has the id `{}`", call.id)))?;
        let options = if call.kind == BlankKind::Response { None } else { choices(&call.id, solved) };
        let kind = match (&answer.value, call.kind, &options) {
            (_, BlankKind::Response, _) => "text",
            (_, _, Some(_)) => "choice",
            (Value::Approx(..), _, _) => "approx",
            (Value::Exact(_) | Value::Count(_), _, _) => "number",
            (Value::Flag(_) | Value::Text(_), _, _) => "text",
        };
        if !checks.contains_key(&call.id) {
            let check = check_of(solved, &call.id, kind, options.as_deref(), &salt, &slips, &formulas);
            checks.insert(call.id.clone(), check);
        }
        fields.push(Field {
            n,
            id: call.id.clone(),
            kind,
            label: text::describe(&call.id, solved),
            visible: call.kind == BlankKind::Cell,
            options: options.unwrap_or_default(),
        });
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
    let data = Data { salt, storage, givens, checks };
    let sections = text::sections(&markup, fields);
    let json = serde_json::to_string(&data).map_err(|e| Error::msg(format!("the page's data: {e}")))?;
    // Inside <script>: no `</` may close it early.
    let json = json.replace("</", "<\\/");
    render_page(templates, solved, label, &sections, json)
}

/// What the page needs to check blank `id`: the hash of its canonical
/// answer, its slips' hashes and hints, its formula, its model answer hidden.
fn check_of(
    solved: &Solved,
    id: &str,
    kind: &'static str,
    options: Option<&[String]>,
    salt: &str,
    slips: &crate::slips::WordedSlips,
    formulas: &BTreeMap<String, Formula>,
) -> Check {
    let Some(answer) = solved.answers.get(id) else {
        return Check { kind, hash: None, digits: None, slips: Vec::new(), formula: None, model: None };
    };
    let canonical = match (&answer.value, options) {
        (value, Some(options)) => Some(choice_answer(value, options)),
        (Value::Exact(x), None) => Some(x.to_plain_string()),
        (Value::Count(c), None) => Some(c.to_string()),
        (Value::Approx(text, _), None) => canonical_decimal(text),
        _ => None,
    };
    let model = match (&answer.value, kind) {
        (Value::Text(t), "text") => Some(obfuscate(salt, id, t)),
        _ => None,
    };
    Check {
        kind,
        hash: canonical.map(|c| salted_hash(salt, id, &c)),
        digits: solved.worksheet.extension.filter(|_| kind == "approx").map(|e| e.digits),
        slips: slips
            .get(id)
            .iter()
            .map(|s| SlipCheck { hash: salted_hash(salt, id, &s.value.to_plain_string()), hint: s.slip.clone() })
            .collect(),
        formula: formulas.get(id).cloned(),
        model,
    }
}

/// The page's HTML: the page template (built in, or from `--templates`) with
/// the sheet's sections, its data as JSON, and the script and style inlined.
fn render_page(
    templates: &Templates,
    solved: &Solved,
    label: &SheetLabel,
    sections: &impl Serialize,
    json: String,
) -> Result<String> {
    let source = templates.source(PAGE_TEMPLATE).map(|(_, t)| t.to_owned()).unwrap_or(EMBEDDED_TEMPLATE.to_owned());
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template_owned(PAGE_TEMPLATE, source).map_err(|e| Error::msg(format!("{PAGE_TEMPLATE}: {e}")))?;
    let doc = &solved.worksheet.presentation;
    env.get_template(PAGE_TEMPLATE)
        .and_then(|t| {
            t.render(context! {
                title => &doc.title,
                credit => &doc.credit,
                variant => &label.id,
                student => &label.student,
                sections => minijinja::Value::from(minijinja::value::Serde(sections)),
                data => minijinja::Value::from_safe_string(json),
                script => minijinja::Value::from_safe_string(SCRIPT.replace("</", "<\\/")),
                style => minijinja::Value::from_safe_string(STYLE.to_owned()),
            })
        })
        .map_err(|e| Error::msg(format!("{PAGE_TEMPLATE}: {e:#}")))
}

/// `c1`…, `w1`…: the layers' givens.
fn is_layer_given(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('c' | 'w')) && !id[1..].is_empty() && id[1..].chars().all(|c| c.is_ascii_digit())
}

/// The answer ids of the blanks the student version prints, in order.
pub fn student_blank_ids(templates: &Templates, solved: &Solved, label: &SheetLabel) -> Result<Vec<String>> {
    Ok(templates.student_blanks(solved, label)?.1.into_iter().map(|c: BlankCall| c.id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_decimals() {
        for (text, canonical) in [
            ("4.50", "4.5"),
            ("+3", "3"),
            ("\u{2212}0.295", "-0.295"),
            ("-0", "0"),
            (".5", "0.5"),
            ("007", "7"),
            ("1000", "1000"),
            ("-1.000", "-1"),
        ] {
            assert_eq!(canonical_decimal(text).as_deref(), Some(canonical), "{text}");
        }
        for bad in ["", "-", ".", "1e3", "abc", "1.2.3", "--1"] {
            assert_eq!(canonical_decimal(bad), None, "{bad}");
        }
    }
}
