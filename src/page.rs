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

mod formulas;

use std::collections::BTreeMap;

use minijinja::context;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::answers::{weight_name, Phrase, Solved, Value, Wording};
use crate::engine::Direction;
use crate::error::{Error, Result};
use crate::number::{Exact, LEGIBLE_DIGITS};
use crate::render::{BlankKind, Job, Mode, SheetLabel, Templates, Version, PAGE_TEMPLATE};
use crate::typeset;

pub use formulas::{formulas, Formula};

const SCRIPT: &str = include_str!("page/check.js");
const STYLE: &str = include_str!("page/page.css");

/// The given numbers: printed on the sheet, so the page may hold them.
const GIVENS: &[&str] = &["x", "target", "nudge", "learning_rate"];

/// The placeholder Typst's HTML export writes for field `n` (`#field(n)`).
const FIELD_OPEN: &str = "<span data-field=\"";
const FIELD_CLOSE: &str = "\"></span>";

/// One field of the page: a blank of the worksheet.
#[derive(Debug, Serialize)]
struct Field {
    /// Its position among the page's fields (the element id is `f{n}`).
    n: usize,
    /// The answer id.
    id: String,
    /// `number`, `approx`, `choice` or `text`.
    kind: &'static str,
    /// The options of a choice.
    options: Vec<Choice>,
}

/// A piece of the page's body: HTML from Typst's export, or a field.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Part {
    Html {
        html: String,
    },
    /// A field, and whether it stands inside an equation (MathML).
    Field {
        field: Field,
        in_math: bool,
    },
}

/// What the page's script checks a blank against.
#[derive(Debug, Serialize)]
struct Check {
    /// `number`, `approx`, `choice` or `text`.
    kind: &'static str,
    /// Salted SHA-256 of the canonical answer (none for a written answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<String>,
    /// Significant digits of an approximate answer, or of the rounding the
    /// sheet prints of an exact answer too long to copy (see `rounded`).
    #[serde(skip_serializing_if = "Option::is_none")]
    digits: Option<u32>,
    /// Salted hash of an exact answer the sheet prints rounded (with `≈`),
    /// rounded as printed: a student who copies the rounding is right too.
    #[serde(skip_serializing_if = "Option::is_none")]
    rounded: Option<String>,
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
    /// The slip's value rounded as the sheet would print it, when that differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    rounded: Option<String>,
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

/// The largest decimal exponent a typed number may have (`4.8 × 10⁻¹⁴⁴` is
/// an extension's answer; a thousand is far beyond any sheet's).
const MAX_EXPONENT: i64 = 1000;

/// A typed number in the form the page reads it: no spaces, ASCII minus,
/// scientific notation as `e` (`4.8 × 10⁻¹⁴⁴`, `4.8*10^-144`, `4.8e-144`),
/// a decimal comma as a point. The page's script does the same.
fn normalize_number(text: &str) -> String {
    let mut t = String::with_capacity(text.len());
    let mut superscript = false;
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let raised = match c {
            '\u{207B}' => Some('-'),
            '\u{2070}' => Some('0'),
            '\u{00B9}' => Some('1'),
            '\u{00B2}' => Some('2'),
            '\u{00B3}' => Some('3'),
            '\u{2074}'..='\u{2079}' => Some(char::from(b'4' + (c as u32 - 0x2074) as u8)),
            _ => None,
        };
        // A raised exponent is written `^` and the exponent.
        if raised.is_some() && !superscript {
            t.push('^');
        }
        superscript = raised.is_some();
        t.push(match (raised, c) {
            (Some(r), _) => r,
            (None, '\u{2212}' | '\u{2013}') => '-',
            (None, 'E') => 'e',
            (None, _) => c,
        });
    }
    for times in ["\u{00D7}10^", "x10^", "*10^", "\u{00B7}10^"] {
        if let Some(at) = t.find(times) {
            let rest = &t[at + times.len()..];
            if !rest.is_empty() && rest.trim_start_matches(['-', '+']).chars().all(|c| c.is_ascii_digit()) {
                t = format!("{}e{rest}", &t[..at]);
                break;
            }
        }
    }
    if !t.contains('.') && t.matches(',').count() == 1 {
        t = t.replace(',', ".");
    }
    t
}

/// The canonical text of a number: plain decimal, ASCII minus, no `+`, no
/// trailing zeros, `0` for zero; `None` if `text` is not a number. Accepts
/// what [`normalize_number`] reads. The page's script canonicalises what a
/// student types the same way.
pub fn canonical_decimal(text: &str) -> Option<String> {
    let text = normalize_number(text);
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m, e.strip_prefix('+').unwrap_or(e).parse::<i64>().ok()?),
        None => (text.as_str(), 0),
    };
    if exponent.abs() > MAX_EXPONENT {
        return None;
    }
    let (negative, rest) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    if int.is_empty() && frac.is_empty() || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    // All digits, and the position of the point among them, moved by the exponent.
    let digits = format!("{int}{frac}");
    let point = int.len() as i64 + exponent;
    let (int, frac) = if point <= 0 {
        ("0".to_owned(), format!("{}{digits}", "0".repeat((-point) as usize)))
    } else if point as usize >= digits.len() {
        (format!("{digits}{}", "0".repeat(point as usize - digits.len())), String::new())
    } else {
        (digits[..point as usize].to_owned(), digits[point as usize..].to_owned())
    };
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

/// One option of a word choice: the value the page hashes, and its words.
#[derive(Debug, Clone, Serialize)]
struct Choice {
    value: String,
    label: String,
}

/// The options a word blank offers, worded by the answers template like the
/// key's answer, and the key's option; `None` for a number.
fn choices(id: &str, solved: &Solved, words: &dyn Wording) -> Result<Option<(Vec<Choice>, String)>> {
    let solution = &solved.solution;
    let weights: Vec<String> = (0..solved.worksheet.network.layers.len()).map(weight_name).collect();
    let option = |value: &str, phrase: Phrase| -> Result<Choice> {
        Ok(Choice { value: value.to_owned(), label: words.phrase(&phrase)? })
    };
    let direction = |direction: Direction| match direction {
        Direction::Increase => "increase",
        Direction::Decrease => "decrease",
    };
    if let Some(weight) = id.strip_prefix("nudge_").and_then(|rest| rest.strip_suffix(".direction")) {
        let Some(k) = weights.iter().position(|w| w == weight) else { return Ok(None) };
        let options = [Direction::Increase, Direction::Decrease]
            .into_iter()
            .map(|d| option(direction(d), Phrase::Direction { weight: weight.to_owned(), direction: d }))
            .collect::<Result<_>>()?;
        return Ok(Some((options, direction(solution.experiments[k].direction).to_owned())));
    }
    if id == "error_decreased" {
        let options =
            vec![option("yes", Phrase::YesNo { value: true })?, option("no", Phrase::YesNo { value: false })?];
        let decreased = matches!(solved.answers.get(id).map(|a| &a.value), Some(Value::Flag(true)));
        return Ok(Some((options, if decreased { "yes" } else { "no" }.to_owned())));
    }
    if id == "strongest_weight" {
        let mut options: Vec<Choice> = weights
            .iter()
            .map(|w| option(w, Phrase::StrongestWeight { weights: vec![w.clone()] }))
            .collect::<Result<_>>()?;
        // A tie, worded for all the weights: the words must not tell whether
        // this sheet has one.
        options.push(option("tie", Phrase::StrongestWeight { weights: weights.clone() })?);
        let key = match solution.strongest.as_slice() {
            [k] => weight_name(*k),
            _ => "tie".to_owned(),
        };
        return Ok(Some((options, key)));
    }
    Ok(None)
}

/// The self-check page of `solved`, for the sheet `label` of the config `stem`.
pub fn page(templates: &Templates, solved: &Solved, stem: &str, label: &SheetLabel) -> Result<String> {
    let (markup, calls) = templates.page_markup(solved, label)?;
    let exported = export(templates, solved, label, &markup)?;
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
        let choice = if call.kind == BlankKind::Response { None } else { choices(&call.id, solved, templates)? };
        let (options, key_choice) = choice.unzip();
        let kind = match (&answer.value, call.kind, &options) {
            (_, BlankKind::Response, _) => "text",
            (_, _, Some(_)) => "choice",
            (Value::Approx(..), _, _) => "approx",
            (Value::Exact(_) | Value::Count(_), _, _) => "number",
            (Value::Flag(_) | Value::Text(_), _, _) => "text",
        };
        if !checks.contains_key(&call.id) {
            let check = check_of(solved, &call.id, kind, key_choice.as_deref(), &salt, &slips, &formulas);
            checks.insert(call.id.clone(), check);
        }
        fields.push(Field { n, id: call.id.clone(), kind, options: options.unwrap_or_default() });
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
    let parts = with_fields(&exported.body, fields)?;
    let json = serde_json::to_string(&data).map_err(|e| Error::msg(format!("the page's data: {e}")))?;
    // Inside <script>: no `</` may close it early.
    let json = json.replace("</", "<\\/");
    render_page(templates, solved, label, &exported.style, &parts, json)
}

/// The student version through Typst's HTML export: the style Typst gives
/// its MathML, and the body.
struct Exported {
    style: String,
    body: String,
}

/// Typesets the page's `markup` (rendered from `solved` for `label`) with
/// Typst's HTML export. Content the export would leave out is an error at
/// the template line that made it, like a Typst error: a page that silently
/// lacks part of the sheet would mislead.
fn export(templates: &Templates, solved: &Solved, label: &SheetLabel, markup: &str) -> Result<Exported> {
    let slips = Default::default();
    let job = Job { solved, slips: &slips, version: Version::Student, mode: Mode::Page, label };
    let traced_errors = |html: Result<typeset::Html, Vec<typeset::Diagnostic>>| match html {
        Ok(html) if html.warnings.is_empty() => None,
        Ok(html) => Some(html.warnings.into_iter().map(left_out).collect()),
        Err(errors) => Some(errors),
    };
    let html = match typeset::html(markup) {
        Ok(html) if html.warnings.is_empty() => html,
        result => {
            let diagnostics = traced_errors(result).unwrap_or_default();
            let error =
                templates.typst_errors(job, markup, &diagnostics, |traced| traced_errors(typeset::html(traced)));
            return Err(Error::msg(format!("the self-check page: {error}")));
        }
    };
    let text = html.text;
    // Typst's style for its MathML: the head's one <style>.
    let head = between(&text, "<head>", "</head>").unwrap_or("");
    let style = between(head, "<style>", "</style>").unwrap_or("").to_owned();
    let body = between(&text, "<body>", "</body>")
        .ok_or_else(|| Error::msg("the self-check page: Typst's HTML export wrote no <body>"))?;
    // A table wider than the page (a five-layer sheet's) scrolls sideways
    // inside the text column instead of running past it.
    let body =
        with_alt_text(body).replace("<table>", "<div class=\"table\"><table>").replace("</table>", "</table></div>");
    Ok(Exported { style, body })
}

/// A warning of Typst's HTML export that it left something out, with what
/// to do about it.
fn left_out(mut warning: typeset::Diagnostic) -> typeset::Diagnostic {
    warning.hints.push(
        "the self-check page would lack it: draw it as an image on the page with `html.frame(…)`, or keep it to \
         paper with `context if target() == \"paged\" { … }`"
            .to_owned(),
    );
    warning
}

/// The text of `text` between the first `open` and the last `close`.
fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text.rfind(close)?;
    text.get(start..end)
}

/// Every equation's spoken form (a `<span data-alt>` around its `<math>`, from
/// the preamble's `spoken`) moved into the `<math>` as its `alttext`.
fn with_alt_text(body: &str) -> String {
    const OPEN: &str = "<span data-alt=\"";
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find(OPEN) {
        let after = &rest[at + OPEN.len()..];
        let Some(quote) = after.find('"') else { break };
        let alt = &after[..quote];
        let inner = &after[quote + 1..];
        let (Some(math), Some(end)) = (inner.strip_prefix("><math"), inner.find("</math></span>")) else {
            out.push_str(&rest[..at + OPEN.len()]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..at]);
        out.push_str("<math alttext=\"");
        out.push_str(alt);
        out.push('"');
        out.push_str(&math[..end - "><math".len()]);
        out.push_str("</math>");
        rest = &inner[end + "</math></span>".len()..];
    }
    out.push_str(rest);
    out
}

/// The page's body as parts: Typst's HTML, with each field's placeholder
/// replaced by the field (noting whether it stands in an equation). Every
/// field must be found, once.
fn with_fields(body: &str, fields: Vec<Field>) -> Result<Vec<Part>> {
    let count = fields.len();
    let mut fields: Vec<Option<Field>> = fields.into_iter().map(Some).collect();
    let mut parts = Vec::new();
    let mut depth = 0_i64;
    let mut rest = body;
    while let Some(at) = rest.find(FIELD_OPEN) {
        let html = &rest[..at];
        depth += count_tags(html, "<math") - html.matches("</math>").count() as i64;
        parts.push(Part::Html { html: html.to_owned() });
        let after = &rest[at + FIELD_OPEN.len()..];
        let end =
            after.find(FIELD_CLOSE).ok_or_else(|| Error::msg("the self-check page: a field's placeholder is cut"))?;
        let field = after[..end].parse::<usize>().ok().and_then(|n| fields.get_mut(n)?.take());
        let field = field.ok_or_else(|| Error::msg(format!("the self-check page: field {} twice", &after[..end])))?;
        parts.push(Part::Field { field, in_math: depth > 0 });
        rest = &after[end + FIELD_CLOSE.len()..];
    }
    parts.push(Part::Html { html: rest.to_owned() });
    let lost: Vec<String> = fields.into_iter().flatten().map(|f| f.id).collect();
    if !lost.is_empty() {
        return Err(Error::msg(format!(
            "the self-check page lost {} of its {count} blanks ({}): the template puts them in content Typst's HTML \
             export leaves out",
            lost.len(),
            lost.join(", ")
        )));
    }
    Ok(parts)
}

/// How many tags `<tag …>` open in `html` (not `<tagname…>`).
fn count_tags(html: &str, open: &str) -> i64 {
    html.match_indices(open).filter(|(i, _)| matches!(html.as_bytes().get(i + open.len()), Some(b' ' | b'>'))).count()
        as i64
}

/// What the page needs to check blank `id`: the hash of its canonical
/// answer, its slips' hashes and hints, its formula, its model answer hidden.
fn check_of(
    solved: &Solved,
    id: &str,
    kind: &'static str,
    key_choice: Option<&str>,
    salt: &str,
    slips: &crate::slips::WordedSlips,
    formulas: &BTreeMap<String, Formula>,
) -> Check {
    let Some(answer) = solved.answers.get(id) else {
        return Check { kind, hash: None, digits: None, rounded: None, slips: Vec::new(), formula: None, model: None };
    };
    let canonical = match (&answer.value, key_choice) {
        (_, Some(choice)) => Some(choice.to_owned()),
        (Value::Exact(x), None) => Some(x.to_plain_string()),
        (Value::Count(c), None) => Some(c.to_string()),
        (Value::Approx(text, _), None) => canonical_decimal(text),
        _ => None,
    };
    let model = match (&answer.value, kind) {
        (Value::Text(t), "text") => Some(obfuscate(salt, id, t)),
        _ => None,
    };
    // An exact answer the sheet prints rounded may be typed either way.
    let legible = |x: &Exact| {
        x.is_too_long().then(|| salted_hash(salt, id, &x.round_significant(LEGIBLE_DIGITS).to_plain_string()))
    };
    let rounded = match &answer.value {
        Value::Exact(x) if key_choice.is_none() => legible(x),
        _ => None,
    };
    let digits = match (&answer.value, solved.worksheet.extension) {
        (Value::Approx(..), Some(extension)) => Some(extension.digits),
        _ => rounded.is_some().then_some(LEGIBLE_DIGITS),
    };
    Check {
        kind,
        hash: canonical.map(|c| salted_hash(salt, id, &c)),
        digits,
        rounded,
        slips: slips
            .get(id)
            .iter()
            .map(|s| SlipCheck {
                hash: salted_hash(salt, id, &s.value.to_plain_string()),
                rounded: legible(&s.value),
                hint: s.slip.clone(),
            })
            .collect(),
        formula: formulas.get(id).cloned(),
        model,
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
            ("4.8 \u{00D7} 10\u{207B}\u{00B9}\u{2074}\u{2074}", &format!("0.{}48", "0".repeat(143))),
            ("4.999995 \u{00D7} 10\u{2076}", "4999995"),
            ("1.5e3", "1500"),
            ("-2.5E-2", "-0.025"),
            ("3*10^4", "30000"),
            ("0,25", "0.25"),
            ("\u{2212} 12", "-12"),
        ] {
            assert_eq!(canonical_decimal(text).as_deref(), Some(canonical), "{text}");
        }
        for bad in ["", "-", ".", "abc", "1.2.3", "--1", "1e", "1e99999", "1,000,000", "10^", "2\u{00D7}100"] {
            assert_eq!(canonical_decimal(bad), None, "{bad}");
        }
    }
}
