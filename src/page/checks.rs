//! What the page's script checks a blank against, and how it reads a typed
//! number: salted hashes of the canonical answers and slips (with the
//! roundings the key prints), the options of word choices worded by the
//! answers template, the formulas for carried-forward credit, and model
//! answers obfuscated.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Formula;
use crate::answers::{weight_name, Phrase, Solved, Value, Wording};
use crate::engine::Direction;
use crate::error::Result;
use crate::number::{Exact, LEGIBLE_DIGITS};
use crate::slips::WordedSlips;

/// What the page's script checks a blank against.
#[derive(Debug, Serialize)]
pub(super) struct Check {
    /// `number`, `approx`, `choice` or `text`.
    kind: &'static str,
    /// Salted SHA-256 of the canonical answer (none for a written answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<String>,
    /// Significant digits of an approximate answer (the extension's).
    #[serde(skip_serializing_if = "Option::is_none")]
    digits: Option<u32>,
    /// Salted hash of an exact answer the sheet prints rounded (with `≈`),
    /// rounded as printed (to the page's `legible` digits): a student who
    /// copies the rounding is right too.
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

pub(super) fn hex(bytes: &[u8]) -> String {
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
pub(crate) struct Choice {
    /// What the page's script hashes.
    pub(crate) value: String,
    /// Its words.
    pub(crate) label: String,
}

/// The options a word blank offers, worded by the answers template like the
/// key's answer, and the key's option; `None` for a number.
pub(super) fn choices(id: &str, solved: &Solved, words: &dyn Wording) -> Result<Option<(Vec<Choice>, String)>> {
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

/// What the page needs to check blank `id`: the hash of its canonical
/// answer, its slips' hashes and hints, its formula, its model answer hidden.
pub(super) fn check_of(
    solved: &Solved,
    id: &str,
    kind: &'static str,
    key_choice: Option<&str>,
    salt: &str,
    slips: &WordedSlips,
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
        _ => None,
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
