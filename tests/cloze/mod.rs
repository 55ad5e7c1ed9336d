//! A mirror of how Moodle reads a Cloze ("Embedded answers") question, to
//! check the Moodle export offline: the regular expressions and the loop of
//! `qtype_multianswer_extract_question`, the rules of
//! `qtype_multianswer_validate_question` (both in
//! `question/type/multianswer/questiontype.php` of Moodle 5.1), how the
//! numerical question type reads a typed number
//! (`qtype_numerical_answer_processor::apply_units`, English settings) and
//! which alternative grades it (the first within its tolerance,
//! `qtype_numerical_answer::get_tolerance_interval`).
//!
//! The patterns are Moodle's, character for character, compiled by
//! `fancy-regex` (which has the variable-width lookbehind `(?<!\\|&|&amp;)`);
//! two things of PHP's PCRE are written out: `/s` as `(?s)`, and `$`, which
//! outside multiline mode also matches before a final newline, as
//! `(?=\n?\z)`. PHP's `preg_match` works on bytes and these on characters;
//! every place the patterns can stop at is an ASCII character, so the two
//! agree. Moodle compares numbers as doubles, so this does too.
#![allow(dead_code)]
#![allow(clippy::disallowed_types, clippy::disallowed_methods)] // Moodle's numbers are PHP floats

use std::sync::LazyLock;

use fancy_regex::Regex;

// The patterns of question/type/multianswer/questiontype.php, verbatim.
const ANSWER_ALTERNATIVE_FRACTION_REGEX: &str = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%";
const ANSWER_ALTERNATIVE_ANSWER_REGEX: &str = r".+?(?<!\\|&|&amp;)(?=[~#}]|$)";
const ANSWER_ALTERNATIVE_FEEDBACK_REGEX: &str = r".*?(?<!\\)(?=[~}]|$)";
const NUMBER_REGEX: &str = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)";
const ANSWER_TYPE_DEF_REGEX: &str = "(NUMERICAL|NM)|(MULTICHOICE|MC)|(MULTICHOICE_V|MCV)|(MULTICHOICE_H|MCH)|\
     (SHORTANSWER|SA|MW)|(SHORTANSWER_C|SAC|MWC)|\
     (MULTICHOICE_S|MCS)|(MULTICHOICE_VS|MCVS)|(MULTICHOICE_HS|MCHS)|\
     (MULTIRESPONSE|MR)|(MULTIRESPONSE_H|MRH)|(MULTIRESPONSE_S|MRS)|(MULTIRESPONSE_HS|MRHS)";

fn answer_alternative_regex() -> String {
    format!(
        "({ANSWER_ALTERNATIVE_FRACTION_REGEX})?({ANSWER_ALTERNATIVE_ANSWER_REGEX})(#({ANSWER_ALTERNATIVE_FEEDBACK_REGEX}))?"
    )
}

fn answer_regex() -> String {
    let alternative = answer_alternative_regex();
    format!(r"\{{([0-9]*):({ANSWER_TYPE_DEF_REGEX}):({alternative}(~{alternative})*)\}}")
}

// Capture groups, as Moodle numbers them.
const ANSWER_ALTERNATIVE_REGEX_FRACTION: usize = 1;
const ANSWER_ALTERNATIVE_REGEX_PERCENTILE_FRACTION: usize = 2;
const ANSWER_ALTERNATIVE_REGEX_ANSWER: usize = 3;
const ANSWER_ALTERNATIVE_REGEX_FEEDBACK: usize = 5;
const NUMERICAL_CORRECT_ANSWER: usize = 1;
const NUMERICAL_ABS_ERROR_MARGIN: usize = 6;
const ANSWER_REGEX_NORM: usize = 1;
const ANSWER_REGEX_ALTERNATIVES: usize = 16;

/// A PCRE pattern with PHP's `/s` for `fancy-regex`.
fn pcre(pattern: &str) -> Regex {
    Regex::new(&format!("(?s){}", pattern.replace('$', r"(?=\n?\z)"))).expect("Moodle's pattern compiles")
}

static ANSWER: LazyLock<Regex> = LazyLock::new(|| pcre(&answer_regex()));
static ALTERNATIVE: LazyLock<Regex> = LazyLock::new(|| pcre(&format!("~?{}", answer_alternative_regex())));
static NUMERICAL_ALTERNATIVE: LazyLock<Regex> =
    LazyLock::new(|| pcre(&format!("^({NUMBER_REGEX})(:{NUMBER_REGEX})?$")));

/// What kind of subquestion a blank is, as Moodle decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Numerical,
    ShortAnswer,
    /// Multiple choice with one answer; `dropdown` for `MULTICHOICE`/`MC`/`MULTICHOICE_S`.
    MultiChoice {
        dropdown: bool,
    },
    MultiResponse,
}

impl Kind {
    /// The name the lab's summaries use.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Numerical => "numerical",
            Kind::ShortAnswer => "shortanswer",
            Kind::MultiChoice { .. } | Kind::MultiResponse => "multichoice",
        }
    }
}

/// One alternative of a subquestion, as Moodle stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub fraction: f64,
    /// The answer: a number's text, `*`, or (decoded) words.
    pub answer: String,
    /// A number's tolerance, as written (`0` when none is).
    pub tolerance: Option<String>,
    /// The feedback, decoded (HTML).
    pub feedback: String,
}

/// One embedded subquestion.
#[derive(Debug, Clone)]
pub struct Subquestion {
    pub kind: Kind,
    /// Its mark, `1` unless the blank says otherwise.
    pub mark: String,
    pub alternatives: Vec<Alternative>,
}

/// A question text as Moodle's import leaves it: each subquestion replaced
/// by `{#n}`, and the subquestions in order (`subquestions[n - 1]`).
#[derive(Debug, Clone)]
pub struct Extracted {
    pub text: String,
    pub subquestions: Vec<Subquestion>,
}

/// `qtype_multianswer_extract_question`.
pub fn extract(text: &str) -> Extracted {
    let mut text = text.to_owned();
    let mut subquestions = Vec::new();
    // Moodle searches the whole text again for each blank; a blank can only
    // start at a `{`, so the search starts at the first one.
    while let Some(captures) =
        text.find('{').and_then(|start| ANSWER.captures_from_pos(&text, start).expect("the regex runs"))
    {
        let group = |i: usize| captures.get(i).map_or("", |m| m.as_str());
        let whole = group(0).to_owned();
        let kind = match (3..=15).find(|&i| !group(i).is_empty()) {
            Some(3) => Kind::Numerical,
            Some(7 | 8) => Kind::ShortAnswer,
            Some(4 | 9) => Kind::MultiChoice { dropdown: true },
            Some(5 | 6 | 10 | 11) => Kind::MultiChoice { dropdown: false },
            _ => Kind::MultiResponse,
        };
        let mark = match group(ANSWER_REGEX_NORM) {
            "" => "1".to_owned(),
            norm => norm.to_owned(),
        };
        let mut alternatives = Vec::new();
        let mut remaining = group(ANSWER_REGEX_ALTERNATIVES).to_owned();
        while let Some(alt) = ALTERNATIVE.captures(&remaining).expect("the regex runs") {
            let group = |i: usize| alt.get(i).map_or("", |m| m.as_str());
            let fraction = if group(ANSWER_ALTERNATIVE_REGEX_FRACTION) == "=" {
                1.0
            } else {
                // PHP: `if ($percentile = …)`, where "0" and "" are false.
                match group(ANSWER_ALTERNATIVE_REGEX_PERCENTILE_FRACTION) {
                    "" | "0" => 0.0,
                    p => 0.01 * p.replace(',', ".").parse::<f64>().unwrap_or(0.0),
                }
            };
            let feedback = unescape(&html_entity_decode(group(ANSWER_ALTERNATIVE_REGEX_FEEDBACK)));
            let raw = group(ANSWER_ALTERNATIVE_REGEX_ANSWER);
            let numeric = match kind {
                Kind::Numerical => NUMERICAL_ALTERNATIVE.captures(raw).expect("the regex runs"),
                _ => None,
            };
            let (answer, tolerance) = match numeric {
                Some(n) => (
                    n.get(NUMERICAL_CORRECT_ANSWER).map_or("", |m| m.as_str()).to_owned(),
                    Some(n.get(NUMERICAL_ABS_ERROR_MARGIN).map_or("0", |m| m.as_str()).to_owned()),
                ),
                None => (unescape(&html_entity_decode(raw)), None),
            };
            alternatives.push(Alternative { fraction, answer, tolerance, feedback });
            // `explode($altregs[0], $remainingalts, 2)[1]`.
            let matched = group(0).to_owned();
            remaining = remaining.split_once(&matched).map(|(_, rest)| rest.to_owned()).unwrap_or_default();
        }
        subquestions.push(Subquestion { kind, mark, alternatives });
        let n = subquestions.len();
        text = text.replacen(&whole, &format!("{{#{n}}}"), 1);
    }
    Extracted { text, subquestions }
}

/// `\}` and `\#` as Moodle unescapes them (a `\~` keeps its backslash).
fn unescape(text: &str) -> String {
    text.replace("\\}", "}").replace("\\#", "#")
}

/// PHP's `html_entity_decode($text, ENT_QUOTES, 'UTF-8')`, for numeric
/// references and the named ones of HTML 4 that matter here; others stay.
pub fn html_entity_decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest[1..].find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &rest[1..=end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "nbsp" => Some('\u{A0}'),
                _ => match name.strip_prefix('#') {
                    Some(hex) if hex.starts_with(['x', 'X']) => {
                        u32::from_str_radix(&hex[1..], 16).ok().and_then(char::from_u32)
                    }
                    Some(dec) => dec.parse::<u32>().ok().and_then(char::from_u32),
                    None => None,
                },
            };
            c.map(|c| (c, end + 2))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `qtype_multianswer_validate_question`: Moodle's messages, empty when the
/// question imports.
pub fn validate(question: &Extracted) -> Vec<String> {
    let mut errors = Vec::new();
    if question.subquestions.is_empty() {
        errors.push("No subquestions found".to_owned());
    }
    for (i, sub) in question.subquestions.iter().enumerate() {
        let n = i + 1;
        let mut count = 0;
        let mut max_grade = false;
        for alt in &sub.alternatives {
            let answer = alt.answer.trim();
            if answer.is_empty() {
                continue;
            }
            count += 1;
            if sub.kind == Kind::Numerical && !(is_valid_number(answer) || answer == "*") {
                errors.push(format!("sub {n}: the answer must be a number or '*': {answer:?}"));
            }
            if alt.fraction == 1.0 || (sub.kind == Kind::MultiResponse && alt.fraction > 0.0) {
                max_grade = true;
            }
        }
        if matches!(sub.kind, Kind::MultiChoice { .. } | Kind::MultiResponse) && count < 2 {
            errors.push(format!("sub {n}: a choice needs at least 2 answers"));
        } else if count == 0 {
            errors.push(format!("sub {n}: no answer"));
        }
        if !max_grade {
            errors.push(format!("sub {n}: no answer is worth 100%"));
        }
    }
    errors
}

/// `qtype_numerical::is_valid_number`: a number and nothing after it.
pub fn is_valid_number(text: &str) -> bool {
    matches!(apply_units(text), Some((_, unit)) if unit.is_empty())
}

/// `qtype_numerical_answer_processor::apply_units` with English settings
/// (`.` decimal point, `,` thousands separator): the number a typed text
/// is read as, and what follows it. `3,45` is 345. (`\d` is written
/// `[0-9]`: PCRE without `/u` knows only ASCII digits.)
pub fn apply_units(response: &str) -> Option<(f64, String)> {
    static EXPONENT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:e|E|(?:x|\*|×)10(?:\^|\*\*))([+-]?[0-9]+)").expect("compiles"));
    static NUMBER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[-+]?[0-9]+)?").expect("compiles"));
    if response.trim().is_empty() {
        return None;
    }
    let response = response.replace(' ', "");
    let response = EXPONENT.replace_all(&response, "e$1").into_owned();
    // With a `.` or several `,`, commas are thousands separators; otherwise
    // str_replace([thousands, decimal point, ','], ['', '.', '.']) replaces,
    // in order, the thousands separator `,` by nothing and `.` by itself:
    // commas go either way.
    let response = response.replace(',', "");
    let found = NUMBER.find(&response).expect("the regex runs")?;
    Some((found.as_str().parse().ok()?, response[found.end()..].to_owned()))
}

impl Alternative {
    /// Whether a number typed as `typed` falls within this alternative
    /// ([`Alternative::accepts`]).
    pub fn accepts_typed(&self, typed: &str) -> bool {
        apply_units(typed).is_some_and(|(value, _)| self.accepts(value))
    }

    /// `qtype_numerical_answer::within_tolerance` (nominal tolerance), for a
    /// number read with [`apply_units`].
    pub fn accepts(&self, value: f64) -> bool {
        if self.answer == "*" {
            return true;
        }
        let answer: f64 = self.answer.replace(',', ".").parse().expect("a number");
        let tolerance: f64 = self.tolerance.as_deref().unwrap_or("0").replace(',', ".").parse().expect("a number");
        // PHP's `precision` is 14.
        let epsilon = 1e-14;
        let margin = tolerance + epsilon * tolerance.abs().max(answer.abs()).max(epsilon);
        answer - margin <= value && value <= answer + margin
    }
}

impl Subquestion {
    /// The alternative that grades `response`: for a number, the first
    /// within its tolerance; for a short answer, the first equal to it
    /// ignoring case, or `*`; for a choice, the one whose text as the
    /// browser shows it (tags dropped, entities read) is `response`.
    pub fn grade(&self, response: &str) -> Option<&Alternative> {
        let shown = |answer: &str| html_entity_decode(&strip_tags(answer)).trim().to_owned();
        match self.kind {
            Kind::Numerical => {
                let (value, _) = apply_units(response)?;
                self.alternatives.iter().find(|alt| alt.accepts(value))
            }
            Kind::ShortAnswer => self
                .alternatives
                .iter()
                .find(|alt| alt.answer == "*" || alt.answer.to_lowercase() == response.to_lowercase()),
            _ => self.alternatives.iter().find(|alt| shown(&alt.answer) == response.trim()),
        }
    }
}

/// Text without its HTML tags.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
