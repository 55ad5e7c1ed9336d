//! What the page's script checks a blank against, and how it reads a typed
//! number: salted hashes of the canonical answers and slips (with the
//! roundings the key prints), the options of word choices worded by the
//! answers template, the formulas for carried-forward credit, and model
//! answers obfuscated.

use std::collections::BTreeMap;

use bigdecimal::num_bigint::BigInt;
use bigdecimal::{Signed, Zero};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{slip_target, Formula, Target, Targets};
use crate::answers::{Blank, Column, Phrase, Row, Solved, Value, Weight, Wording};
use crate::engine::Direction;
use crate::error::Result;
use crate::number::{Exact, LEGIBLE_DIGITS};
use crate::slips::WordedSlips;

/// What the page's script checks a blank against.
#[derive(Debug, Serialize)]
pub(super) struct Check {
    /// `number`, `approx`, `choice` or `text`.
    kind: &'static str,
    /// Salted SHA-256 of the canonical answer (none for a written answer or
    /// an approximate one).
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<String>,
    /// Salted hash of an exact answer the sheet prints rounded (with `≈`),
    /// rounded as printed (to the page's `legible` digits): a student who
    /// copies the rounding is right too.
    #[serde(skip_serializing_if = "Option::is_none")]
    rounded: Option<String>,
    /// A number within a tolerance of a value counts ([`super::targets`]):
    /// the extension's answers, and, on a field the sheet words as
    /// approximate ("the error changes by approximately"), any blank's. The
    /// value and tolerance, obfuscated.
    #[serde(skip_serializing_if = "Option::is_none")]
    near: Option<String>,
    /// The sheet's significant digits, for the extension's carried-forward credit.
    #[serde(skip_serializing_if = "Option::is_none")]
    digits: Option<u32>,
    /// Salted hashes of the common slips, with their hints.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    slips: Vec<SlipCheck>,
    /// The ways the blank is computed from earlier entries: a student's
    /// answer that one of them gives from their own entries follows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    formulas: Vec<Formula>,
    /// The common slips computed from the student's own entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    own_slips: Vec<OwnSlip>,
    /// How a word choice follows from the student's own numbers.
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<ChoiceRule>,
    /// The model answer, obfuscated (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    /// The blanks whose numbers the model answer quotes: it is shown only
    /// once each is checked correct or follows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    needs: Vec<Blank>,
}

/// A common slip computed from the student's own entries, and its hint.
#[derive(Debug, Clone, Serialize)]
pub(super) struct OwnSlip {
    pub(super) formula: Formula,
    pub(super) hint: String,
}

#[derive(Debug, Serialize)]
struct SlipCheck {
    hash: String,
    /// The slip's value rounded as the sheet would print it, when that differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    rounded: Option<String>,
    /// For a field worded as approximate: the slip's value and how close to
    /// it a number is that slip, obfuscated.
    #[serde(skip_serializing_if = "Option::is_none")]
    near: Option<String>,
    hint: String,
}

/// The largest decimal exponent a typed number may have (`4.8 × 10⁻¹⁴⁴` is
/// an extension's answer; a thousand is far beyond any sheet's).
const MAX_EXPONENT: i64 = 1000;

/// The significant digits a fraction that has no exact decimal (`1/3`) is
/// read to: far more than any sheet prints, so it matches a rounding or an
/// approximate answer but never an exact one.
const FRACTION_DIGITS: usize = 40;

/// The minus signs a student may type: the hyphen-minus, the figure dash
/// (U+2012), the en dash (U+2013), the minus sign (U+2212) and the
/// full-width hyphen-minus (U+FF0D). The page's script reads the same.
fn is_minus(c: char) -> bool {
    matches!(c, '-' | '\u{2012}' | '\u{2013}' | '\u{2212}' | '\u{FF0D}')
}

/// A typed number's characters as the page reads them: ASCII minus, a
/// raised exponent written `^` and its digits, `E` as `e`, and a space only
/// between two digits (one space for any run of white space; a space beside
/// anything else, `− 3`, `9 / 2`, `4.8 × 10⁻⁷`, is dropped).
fn normalize_chars(text: &str) -> String {
    let mut t = String::with_capacity(text.len());
    let mut superscript = false;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            if !t.ends_with(' ') {
                t.push(' ');
            }
            continue;
        }
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
            (None, c) if is_minus(c) => '-',
            (None, 'E') => 'e',
            (None, _) => c,
        });
    }
    let chars: Vec<char> = t.chars().collect();
    let between_digits =
        |i: usize| i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(char::is_ascii_digit);
    chars.iter().enumerate().filter(|&(i, &c)| c != ' ' || between_digits(i)).map(|(_, &c)| c).collect()
}

/// A number with spaces between digits only where they group digits in
/// threes (`1 000 000`, `0.000 25`): the spaces removed. `None` for any
/// other space between digits (`1 7`), which is not a number.
fn ungrouped(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run of digit groups: after a decimal point the last group may be
        // short, before it the first.
        let fraction = i > 0 && matches!(chars[i - 1], '.' | ',');
        let mut groups = Vec::new();
        loop {
            let start = i;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            groups.push(i - start);
            out.extend(&chars[start..i]);
            // A space is only ever left between two digits.
            if chars.get(i) != Some(&' ') {
                break;
            }
            i += 1;
        }
        let n = groups.len();
        let short = |k: usize| if fraction { k + 1 == n } else { k == 0 };
        let fits = n == 1
            || groups.iter().enumerate().all(|(k, &len)| if short(k) { (1..=3).contains(&len) } else { len == 3 });
        if !fits {
            return None;
        }
    }
    Some(out)
}

/// A mixed number, `4 1/2` (after [`normalize_chars`]): its whole part and a
/// proper fraction of whole numbers, as a decimal. `None` if `text` is not one.
fn mixed_number(text: &str) -> Option<(BigInt, i64)> {
    let (whole, fraction) = text.split_once(' ')?;
    let (top, bottom) = fraction.split_once('/')?;
    let (negative, whole) = match whole.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, whole.strip_prefix('+').unwrap_or(whole)),
    };
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !digits(top) || !digits(bottom) || top.starts_with('0') {
        return None;
    }
    let (whole, top, bottom): (BigInt, BigInt, BigInt) = (whole.parse().ok()?, top.parse().ok()?, bottom.parse().ok()?);
    if top >= bottom {
        return None;
    }
    let numerator = whole * &bottom + top;
    divide(&if negative { -numerator } else { numerator }, &bottom)
}

/// One decimal as typed (after [`normalize_chars`]), scientific notation
/// as `e` (`4.8×10^-144`, `4.8*10^-144`, `4.8e-144`), a decimal comma as a
/// point: its integer mantissa and the power of ten it is divided by.
fn read_decimal(text: &str) -> Option<(BigInt, i64)> {
    let mut t = text.to_owned();
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
    let (mantissa, exponent) = match t.split_once('e') {
        Some((m, e)) => (m, e.strip_prefix('+').unwrap_or(e).parse::<i64>().ok()?),
        None => (t.as_str(), 0),
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
    let digits: BigInt = format!("0{int}{frac}").parse().ok()?;
    let digits = if negative { -digits } else { digits };
    let scale = frac.len() as i64 - exponent;
    Some(if scale < 0 { (digits * pow10(-scale), 0) } else { (digits, scale) })
}

/// The greatest common divisor of two non-negative integers (Euclid).
fn gcd(mut a: BigInt, mut b: BigInt) -> BigInt {
    while !b.is_zero() {
        let r = &a % &b;
        a = b;
        b = r;
    }
    a
}

fn pow10(n: i64) -> BigInt {
    BigInt::from(10).pow(n.max(0) as u32)
}

/// `numerator / denominator` as a decimal: exact when it terminates, else
/// rounded to [`FRACTION_DIGITS`] significant digits, half away from zero.
fn divide(numerator: &BigInt, denominator: &BigInt) -> Option<(BigInt, i64)> {
    if denominator.is_zero() {
        return None;
    }
    // It terminates when the reduced denominator has no prime but 2 and 5:
    // then 10^k is a multiple of it for k the larger count of either.
    let gcd = gcd(numerator.abs(), denominator.abs());
    let mut rest = (denominator / &gcd).abs();
    let (mut twos, mut fives) = (0_i64, 0_i64);
    while (&rest % 2u8).is_zero() {
        rest /= 2u8;
        twos += 1;
    }
    while (&rest % 5u8).is_zero() {
        rest /= 5u8;
        fives += 1;
    }
    if rest == BigInt::from(1) {
        let k = twos.max(fives);
        return Some((numerator * pow10(k) / denominator, k));
    }
    // Enough digits past the leading one, then rounded.
    let shift = FRACTION_DIGITS as i64 + 1 + denominator.abs().to_string().len() as i64
        - numerator.abs().to_string().len() as i64;
    let shift = shift.max(0);
    let quotient = numerator * pow10(shift) / denominator;
    let length = quotient.abs().to_string().len();
    let drop = length.saturating_sub(FRACTION_DIGITS) as i64;
    let unit = pow10(drop);
    let (whole, remainder) = (quotient.abs() / &unit, quotient.abs() % &unit);
    let rounded = if remainder * 2u8 >= unit { whole + 1u8 } else { whole };
    let rounded = if quotient.is_negative() { -rounded } else { rounded };
    Some((rounded, shift - drop))
}

/// The canonical text of `mantissa / 10^scale`: plain decimal, ASCII minus,
/// no trailing zeros, `0` for zero.
fn canonical_text(mantissa: &BigInt, scale: i64) -> String {
    let negative = mantissa.is_negative();
    let mut digits = mantissa.abs().to_string();
    let mut scale = scale;
    while scale > 0 && digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
        scale -= 1;
    }
    if scale < 0 {
        digits.push_str(&"0".repeat((-scale) as usize));
        scale = 0;
    }
    if digits == "0" {
        return "0".to_owned();
    }
    let body = if scale > 0 {
        let scale = scale as usize;
        if digits.len() <= scale {
            digits = format!("{}{digits}", "0".repeat(scale + 1 - digits.len()));
        }
        format!("{}.{}", &digits[..digits.len() - scale], &digits[digits.len() - scale..])
    } else {
        digits
    };
    if negative {
        format!("-{body}")
    } else {
        body
    }
}

/// The canonical text of a number: plain decimal, ASCII minus, no `+`, no
/// trailing zeros, `0` for zero; `None` if `text` is not a number. Reads
/// what a student may type: any minus sign ([`is_minus`]), a leading `+`,
/// spaces beside signs and symbols, digits grouped in threes by spaces
/// (`1 000 000`), a mixed number (`4 1/2`, `−4 1/2`; any other space between
/// digits, `1 7`, is not a number), a decimal comma, scientific notation (`4.8 × 10⁻¹⁴⁴`,
/// `4.8*10^-144`, `4.8e-144`), a number in parentheses (`(−3)`), a fraction
/// (`9/2`; one with no exact decimal, such as `1/3`, is read to
/// [`FRACTION_DIGITS`] significant digits). The page's script canonicalises
/// what a student types the same way.
pub fn canonical_decimal(text: &str) -> Option<String> {
    let t = normalize_chars(text);
    // A sign, then the number, perhaps in parentheses.
    let (negative, rest) = match t.strip_prefix('-') {
        Some(rest) if rest.starts_with('(') => (true, rest),
        _ => (false, t.as_str()),
    };
    let rest = match rest.strip_prefix('(') {
        Some(inner) => inner.strip_suffix(')')?,
        None => rest,
    };
    let (mantissa, scale) = match mixed_number(rest) {
        Some(mixed) => mixed,
        None => {
            let rest = ungrouped(rest)?;
            match rest.split_once('/') {
                Some((top, bottom)) => {
                    let (a, sa) = read_decimal(top)?;
                    let (b, sb) = read_decimal(bottom)?;
                    divide(&(a * pow10(sb)), &(b * pow10(sa)))?
                }
                None => read_decimal(&rest)?,
            }
        }
    };
    let mantissa = if negative { -mantissa } else { mantissa };
    Some(canonical_text(&mantissa, scale))
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

/// The value of a direction option.
fn direction_value(direction: Direction) -> &'static str {
    match direction {
        Direction::Increase => "increase",
        Direction::Decrease => "decrease",
    }
}

/// The value of a yes/no option.
fn yes_no_value(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

/// The value of a "which weight" option: one weight, or a tie of several
/// (`w1+w3`), by their indices.
fn weights_value(set: &[usize]) -> String {
    set.iter().map(|&k| Weight(k).name()).collect::<Vec<_>>().join("+")
}

/// The options a word blank offers, worded by the answers template like the
/// key's answer, and the key's option; `None` for a number.
pub(super) fn choices(id: Blank, solved: &Solved, words: &dyn Wording) -> Result<Option<(Vec<Choice>, String)>> {
    let solution = &solved.solution;
    let weights: Vec<String> = (0..solved.worksheet.network.layers.len()).map(|k| Weight(k).name()).collect();
    let option = |value: &str, phrase: Phrase| -> Result<Choice> {
        Ok(Choice { value: value.to_owned(), label: words.phrase(&solved.worksheet.presentation.language, &phrase)? })
    };
    if let Blank::Direction(weight) = id {
        let Some(experiment) = solution.experiments.get(weight.0) else { return Ok(None) };
        let options = [Direction::Increase, Direction::Decrease]
            .into_iter()
            .map(|d| option(direction_value(d), Phrase::Direction { weight: weight.name(), direction: d }))
            .collect::<Result<_>>()?;
        return Ok(Some((options, direction_value(experiment.direction).to_owned())));
    }
    if id == Blank::ErrorDecreased {
        let options = vec![
            option(yes_no_value(true), Phrase::YesNo { value: true })?,
            option(yes_no_value(false), Phrase::YesNo { value: false })?,
        ];
        let decreased = matches!(solved.answers.get(id).map(|a| &a.value), Some(Value::Flag(true)));
        return Ok(Some((options, yes_no_value(decreased).to_owned())));
    }
    if id == Blank::StrongestWeight {
        // Every weight alone, then every tie of two or more, in a fixed
        // order: neither their number nor their order tells which is right,
        // and the key's answer is among them, worded as the key words it.
        let mut ties: Vec<Vec<usize>> = (1_u32..1 << weights.len())
            .map(|set| (0..weights.len()).filter(|k| set & (1 << k) != 0).collect())
            .collect();
        ties.sort_by_key(|set: &Vec<usize>| (set.len(), set.clone()));
        let options = ties
            .iter()
            .map(|set| {
                let named = set.iter().map(|&k| Weight(k).name()).collect();
                option(&weights_value(set), Phrase::StrongestWeight { weights: named })
            })
            .collect::<Result<_>>()?;
        return Ok(Some((options, weights_value(&solution.strongest))));
    }
    Ok(None)
}

/// How the option of a word choice follows from the student's own numbers,
/// as the key's follows from the key's: a choice that agrees with them but
/// not with the key "follows". As JSON: `{"sign": {"of": [formulas],
/// "negative": …, "zero": …, "positive": …}}`, the option by the sign of any
/// of the formulas; `{"largest": [[option, formula], …]}`, the options whose
/// formula is largest in size, joined by `+` (a tie).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum ChoiceRule {
    Sign { of: Vec<Formula>, negative: String, zero: Option<String>, positive: String },
    Largest(Vec<(String, Formula)>),
}

impl ChoiceRule {
    /// The rule with its formulas naming only what the page knows ([`Formula::inlined`]).
    pub(super) fn inlined(self, keep: &dyn Fn(Blank) -> bool, all: &BTreeMap<Blank, Vec<Formula>>) -> ChoiceRule {
        match self {
            ChoiceRule::Sign { of, negative, zero, positive } => {
                ChoiceRule::Sign { of: of.iter().map(|f| f.inlined(keep, all)).collect(), negative, zero, positive }
            }
            ChoiceRule::Largest(list) => {
                ChoiceRule::Largest(list.into_iter().map(|(o, f)| (o, f.inlined(keep, all))).collect())
            }
        }
    }
}

/// The rule of the word choice `id` ([`ChoiceRule`]): which way to move a
/// weight, from the student's changes in E for its two nudges (the one
/// that lowers E more, as the gradient's sign says), else from the errors
/// of the two rows; whether the error decreased, from their E and new E;
/// which weight matters most, from their gradients.
pub(super) fn choice_rule(id: Blank, solved: &Solved) -> Option<ChoiceRule> {
    let difference = |a: Blank, b: Blank| Formula::Sub(Box::new(Formula::Id(a)), Box::new(Formula::Id(b)));
    let count = solved.worksheet.network.layers.len();
    match id {
        Blank::Direction(weight) => {
            let at = |row, column| Blank::Table { weight, row, column };
            Some(ChoiceRule::Sign {
                of: vec![
                    difference(at(Row::Plus, Column::Change), at(Row::Minus, Column::Change)),
                    difference(at(Row::Plus, Column::Error), at(Row::Minus, Column::Error)),
                ],
                negative: direction_value(Direction::Increase).to_owned(),
                zero: None,
                positive: direction_value(Direction::Decrease).to_owned(),
            })
        }
        Blank::ErrorDecreased => Some(ChoiceRule::Sign {
            of: vec![difference(Blank::NewError, Blank::Error)],
            negative: yes_no_value(true).to_owned(),
            zero: Some(yes_no_value(false).to_owned()),
            positive: yes_no_value(false).to_owned(),
        }),
        Blank::StrongestWeight => Some(ChoiceRule::Largest(
            (0..count).map(|k| (weights_value(&[k]), Formula::Id(Blank::Gradient(Weight(k))))).collect(),
        )),
        _ => None,
    }
}

/// What the checks of one page are made from.
pub(super) struct Sources<'a> {
    pub(super) solved: &'a Solved,
    pub(super) salt: &'a str,
    /// The common slips, in their question form.
    pub(super) slips: &'a WordedSlips,
    /// Each blank's formulas, naming only what the page knows.
    pub(super) formulas: &'a BTreeMap<Blank, Vec<Formula>>,
    /// Whether the page knows a blank (one on it or a given), and every
    /// blank's formulas, to write out what it does not know.
    pub(super) known: &'a dyn Fn(Blank) -> bool,
    pub(super) all: &'a BTreeMap<Blank, Vec<Formula>>,
    /// The common slips with a formula, worded, by blank.
    pub(super) own_slips: &'a BTreeMap<Blank, Vec<OwnSlip>>,
    /// How close a number must be to count, where closeness counts.
    pub(super) targets: &'a Targets<'a>,
    /// The blanks whose numbers each model answer quotes.
    pub(super) needs: &'a dyn Fn(Blank) -> Vec<Blank>,
}

/// What the page needs to check blank `id` of kind `kind`: the hash of its
/// canonical answer (or the option `key_choice`), its slips' hashes and
/// hints, its formulas, its model answer hidden; with `approximately` (a
/// field of the blank is worded as approximate), how close a number must be
/// there to count, or to be a slip.
pub(super) fn check_of(
    sources: &Sources,
    id: Blank,
    kind: &'static str,
    key_choice: Option<&str>,
    approximately: bool,
) -> Check {
    let Sources { solved, salt, .. } = *sources;
    let mut check = Check {
        kind,
        hash: None,
        rounded: None,
        near: None,
        digits: None,
        slips: Vec::new(),
        formulas: sources.formulas.get(&id).cloned().unwrap_or_default(),
        own_slips: sources.own_slips.get(&id).cloned().unwrap_or_default(),
        rule: None,
        model: None,
        needs: Vec::new(),
    };
    let Some(answer) = solved.answers.get(id) else { return check };
    // The page's script hashes a blank's answer with its public id.
    let name = id.to_string();
    // An exact answer the sheet prints rounded may be typed either way.
    let legible = |x: &Exact| {
        x.is_too_long().then(|| salted_hash(salt, &name, &x.round_significant(LEGIBLE_DIGITS).to_plain_string()))
    };
    let hidden = |key: String, target: &Target| obfuscate(salt, &key, &target.to_text());
    match (&answer.value, kind, key_choice) {
        (_, _, Some(choice)) => {
            check.hash = Some(salted_hash(salt, &name, choice));
            check.rule = choice_rule(id, solved).map(|rule| rule.inlined(sources.known, sources.all));
        }
        (Value::Text(t), "text", None) => {
            check.model = Some(obfuscate(salt, &name, t));
            check.needs = (sources.needs)(id);
        }
        (_, "approx", None) => {
            // The extension's answers: within the tolerance of the key.
            check.near = sources.targets.answer(id, kind, false).map(|t| hidden(near_key(&name), &t));
            check.digits = solved.worksheet.extension.map(|e| e.digits);
        }
        (Value::Exact(x), _, None) => {
            check.hash = Some(salted_hash(salt, &name, &x.to_plain_string()));
            check.rounded = legible(x);
            if approximately {
                check.near = sources.targets.answer(id, kind, true).map(|t| hidden(near_key(&name), &t));
            }
        }
        (Value::Count(c), _, None) => check.hash = Some(salted_hash(salt, &name, &c.to_string())),
        _ => {}
    }
    if kind != "approx" {
        check.slips = sources
            .slips
            .get(id)
            .iter()
            .enumerate()
            .map(|(i, s)| SlipCheck {
                hash: salted_hash(salt, &name, &s.value.to_plain_string()),
                rounded: legible(&s.value),
                near: approximately.then(|| hidden(format!("{id}|slip{i}"), &slip_target(&s.value, true))),
                hint: s.slip.clone(),
            })
            .collect();
    }
    check
}

/// The key of the keystream that hides blank `id`'s target (each hidden
/// text has its own).
fn near_key(id: &str) -> String {
    format!("{id}|near")
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
            // Any minus sign, a number in parentheses, a fraction.
            ("\u{2012}3", "-3"),
            ("\u{2013}3", "-3"),
            ("\u{FF0D}3", "-3"),
            ("(-3)", "-3"),
            ("\u{2212}(3)", "-3"),
            ("( 4.5 )", "4.5"),
            ("9/2", "4.5"),
            ("-9/2", "-4.5"),
            ("(\u{2212}9/2)", "-4.5"),
            ("3/-4", "-0.75"),
            ("1/8", "0.125"),
            ("0.3/0.06", "5"),
            ("1/3", &format!("0.{}", "3".repeat(40))),
            ("2/3", &format!("0.{}7", "6".repeat(39))),
            ("-200/3", &format!("-66.{}7", "6".repeat(37))),
            // A mixed number; digits grouped in threes.
            ("4 1/2", "4.5"),
            ("\u{2212}4 1/2", "-4.5"),
            ("-(4 1/2)", "-4.5"),
            ("2  3 / 4", "2.75"),
            ("1 000 000", "1000000"),
            ("\u{2212}12\u{00A0}345.5", "-12345.5"),
            ("0.000 25", "0.00025"),
            ("1 000,5", "1000.5"),
            ("1 234.567 8", "1234.5678"),
            ("9 / 2", "4.5"),
            ("- 0.295", "-0.295"),
        ] {
            assert_eq!(canonical_decimal(text).as_deref(), Some(canonical), "{text}");
        }
        for bad in [
            "",
            "-",
            ".",
            "abc",
            "1.2.3",
            "--1",
            "1e",
            "1e99999",
            "1,000,000",
            "10^",
            "2\u{00D7}100",
            "1/0",
            "1/",
            "/2",
            "(3",
            "3)",
            "()",
            "1/2/3",
            "\u{2014}3",
            // Other spaces between digits.
            "1 7",
            "4 3/2",
            "4 0/2",
            "4 1/2/3",
            "1 0000",
            "10 00",
            "0.0002 5",
            "1 2 3",
            "4.5 1",
        ] {
            assert_eq!(canonical_decimal(bad), None, "{bad}");
        }
    }
}
