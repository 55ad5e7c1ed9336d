//! The Moodle export (`generate --format moodle`): one Moodle XML file per
//! run, with a category and one "Embedded answers (Cloze)" question per sheet,
//! which Moodle grades itself and where every common slip's wrong value
//! carries its hint as feedback.
//!
//! A question is the student sheet as the self-check page shows it: the
//! student version through Typst's HTML export ([`page::body`]: headings,
//! tables, MathML equations with their spoken form, SVG figures; no script,
//! no style), in the sheet's language. Every number blank becomes a NUMERICAL
//! subquestion and every word choice a dropdown MULTICHOICE, each inside an
//! element with `data-answer="<answer id>"`; a written question keeps its
//! prompt, and its model answer goes to the question's general feedback,
//! which Moodle shows after the attempt.
//!
//! What Moodle's parser (`qtype_multianswer_extract_question` in
//! `question/type/multianswer/questiontype.php`) requires, and what this
//! writes:
//! - a blank is `{1:NUMERICAL:=4.5:0#Right.~%0%9:0#Did you forget the ½?~%0%*#Not …}`:
//!   the right answer first, since the first alternative within its
//!   tolerance wins, with the value and tolerance the page grades it by
//!   ([`page::Targets`]: 0 for an exact answer; half a unit in the last
//!   printed digit of a rounded key; half a unit in the second significant
//!   digit for "approximately"; the extension's carried roundings); each
//!   slip only where it lies outside that tolerance; the catch-all is `*`
//!   alone (`*:0` fails the import);
//! - numbers with a decimal point, whatever the sheet's language;
//! - an answer ends at `~`, `#` or `}`, feedback at `~` or `}`, and both are
//!   decoded as HTML entities once: every word is escaped as HTML, then its
//!   `&` and those characters (with `\` and `"`) written as entities;
//! - a `{` of the sheet's own HTML is written `&#123;`, so nothing in it can
//!   read as a blank, and its links stay links (not embedded players);
//! - feedback is plain text: Moodle shows it in a popover whose sanitizer
//!   deletes MathML and SVG.
//!
//! Every word comes from a template: the sheet's from the worksheet
//! template, the hints from the answers template's `slip` macro, the rest
//! from `moodle.txt.j2`.

use serde::Serialize;

use crate::answers::{Blank, SlipForm, Solved, Value};
use crate::error::{Error, Result};
use crate::number::Exact;
use crate::page::{self, Field, Part, Target, Targets};
use crate::render::{SheetLabel, Templates, MOODLE_TEMPLATE};
use crate::slips::WordedSlips;

/// One sheet as a Moodle Cloze question.
#[derive(Debug, Clone)]
pub struct Question {
    /// Its name in the question bank: `classic v07`, or the student's name.
    pub name: String,
    /// The variant's id (`v07`, or the roster id), for Moodle's `idnumber`.
    pub idnumber: Option<String>,
    /// The question text: the sheet's HTML with the embedded subquestions.
    pub text: String,
    /// The general feedback: the written questions' model answers.
    pub feedback: String,
}

/// The texts of `moodle.txt.j2`, one per macro; the facts are its arguments.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
enum Words<'a> {
    QuestionName { stem: &'a str, variant: &'a str, student: Option<&'a str> },
    HowToAnswer,
    Right,
    NotRight,
    ModelAnswers,
    Written { number: usize },
}

/// The words of one question, from the template.
struct Worded {
    name: String,
    how_to_answer: String,
    right: String,
    not_right: String,
    model_answers: String,
    /// The placeholder of written question `n` (1-based) is `written[n - 1]`.
    written: Vec<String>,
}

/// The Moodle question of `solved`'s sheet `label`, of the config `stem`.
pub fn question(templates: &Templates, solved: &Solved, stem: &str, label: &SheetLabel) -> Result<Question> {
    let body = page::body(templates, solved, label)?;
    let key = Key { slips: templates.slips(solved, SlipForm::Question)?, targets: Targets::new(solved) };
    let written = body.fields().filter(|f| is_written(f)).count();
    let numbers = templates.numbers(&solved.worksheet.presentation.language);
    let words = worded(templates, &solved.worksheet.presentation.language, stem, label, written)?;
    let language = html(&solved.worksheet.presentation.language);
    let mut text = format!("<div class=\"backprop-worksheet\" lang=\"{language}\">\n");
    text.push_str(&format!("<p class=\"how-to-answer\">{}</p>\n", html(&words.how_to_answer)));
    let mut models = Vec::new();
    for part in &body.parts {
        match part {
            Part::Html { html } => text.push_str(&sheet_html(html)),
            Part::Field { field, in_math } => {
                let blank = if is_written(field) {
                    let model = match solved.answers.get(field.id).map(|a| &a.value) {
                        Some(Value::Text(text)) => text.clone(),
                        Some(value) => value.display(&numbers),
                        None => return Err(no_answer(field.id)),
                    };
                    models.push((field.id.to_string(), model));
                    let placeholder = words.written.get(models.len() - 1).map_or("", String::as_str);
                    let id = html(&field.id.to_string());
                    format!("<span class=\"written\" data-written=\"{id}\">{}</span>", html(placeholder))
                } else {
                    let cloze = match field.kind {
                        "choice" => multichoice(field, &words)?,
                        _ => numerical(field, &key, &words)?,
                    };
                    format!("<span class=\"blank\" data-answer=\"{}\">{cloze}</span>", html(&field.id.to_string()))
                };
                // HTML inside an equation stands in MathML's text element.
                match in_math {
                    true => text.push_str(&format!("<mtext>{blank}</mtext>")),
                    false => text.push_str(&blank),
                }
            }
        }
    }
    text.push_str("\n</div>");
    let feedback = match models.is_empty() {
        true => String::new(),
        false => {
            let items: String = models
                .iter()
                .map(|(id, model)| format!("<li data-model-answer=\"{}\">{}</li>", html(id), html(model)))
                .collect();
            format!(
                "<div lang=\"{language}\"><p><strong>{}</strong></p><ol>{items}</ol></div>",
                html(&words.model_answers)
            )
        }
    };
    let idnumber = Some(label.id.clone()).filter(|id| !id.is_empty() && id.chars().count() <= 100);
    Ok(Question { name: words.name, idnumber, text, feedback })
}

/// The sheet's own HTML as question text: a `{` as `&#123;`, so nothing of
/// the sheet (a title, a student's name) can read as a blank; links kept
/// as links (`nomediaplugin`: Moodle's media filter would turn the video
/// link into an embedded player that loads from the video site as soon as
/// the question is shown); and the operators that begin a display
/// equation's parts spaced by MathML itself, since the page's style, which
/// spaces them there, is not in Moodle.
fn sheet_html(html: &str) -> String {
    let mut html = html.replace('{', "&#123;").replace("<a href=", "<a class=\"nomediaplugin\" href=");
    for class in ["relation", "operation"] {
        html = html.replace(&format!(" lspace=\"0\" rspace=\"0\" class=\"{class}\""), &format!(" class=\"{class}\""));
    }
    html
}

/// Whether a field is a written answer (no subquestion: its model answer is
/// shown after the attempt).
fn is_written(field: &Field) -> bool {
    field.kind == "text"
}

fn no_answer(id: Blank) -> Error {
    Error::msg(format!("the Moodle export: no answer has the id `{id}`"))
}

/// Every word of one question, from the template in one evaluation.
fn worded(templates: &Templates, language: &str, stem: &str, label: &SheetLabel, written: usize) -> Result<Worded> {
    let mut items = vec![
        Words::QuestionName { stem, variant: &label.id, student: label.student.as_deref() },
        Words::HowToAnswer,
        Words::Right,
        Words::NotRight,
        Words::ModelAnswers,
    ];
    items.extend((1..=written).map(|number| Words::Written { number }));
    let mut texts = templates.words(language, MOODLE_TEMPLATE, &items)?.into_iter().map(|t| t.trim().to_owned());
    let mut next = || texts.next().unwrap_or_default();
    let name = next();
    if name.is_empty() {
        return Err(Error::msg(format!(
            "{MOODLE_TEMPLATE}: the macro `question_name` gives an empty name for the sheet {}; Moodle needs a \
             name for every question",
            if label.id.is_empty() { stem } else { &label.id }
        )));
    }
    Ok(Worded {
        name,
        how_to_answer: next(),
        right: next(),
        not_right: next(),
        model_answers: next(),
        written: (0..written).map(|_| next()).collect(),
    })
}

/// What a sheet's number blanks are graded against.
struct Key<'a> {
    /// The common slips, worded as questions.
    slips: WordedSlips,
    /// Each blank's right answer and tolerance, as on the page.
    targets: Targets<'a>,
}

/// Whether `value` lies outside `target`'s tolerance, by more than Moodle's
/// own widening of it (10⁻¹⁴ of the larger of the tolerance and the answer,
/// `qtype_numerical_answer::get_tolerance_interval`) and any error of
/// reading both as doubles.
fn outside(value: &Exact, target: &Target) -> bool {
    let margin = Exact::parse("1e-12").unwrap_or_else(Exact::zero);
    let scale = target.value.abs().max(target.tolerance.clone());
    (value - &target.value).abs() > &target.tolerance + &(&margin * &scale)
}

/// The NUMERICAL subquestion of a number blank: the right answer, then each
/// common slip outside its tolerance with its hint, then the catch-all.
fn numerical(field: &Field, key: &Key, words: &Worded) -> Result<String> {
    let right = key.targets.answer(field.id, field.kind, field.approximately).ok_or_else(|| {
        Error::msg(format!("the Moodle export: the blank `{}` is printed as a number but has none", field.id))
    })?;
    let mut alternatives = vec![alternative("=", &number(&right), &words.right)];
    for slip in key.slips.get(field.id) {
        if outside(&slip.value, &right) {
            let wrong = page::slip_target(&slip.value, field.approximately);
            alternatives.push(alternative("%0%", &number(&wrong), &slip.slip));
        }
    }
    alternatives.push(alternative("%0%", "*", &words.not_right));
    Ok(format!("{{1:NUMERICAL:{}}}", alternatives.join("~")))
}

/// The dropdown MULTICHOICE subquestion of a word choice, its options in
/// the page's order.
fn multichoice(field: &Field, words: &Worded) -> Result<String> {
    let key = field.key.as_deref().unwrap_or_default();
    if !field.options.iter().any(|o| o.value == key) {
        return Err(Error::msg(format!("the Moodle export: the choice `{}` has no right option", field.id)));
    }
    let mut alternatives = Vec::new();
    for option in &field.options {
        let label = option.label.trim();
        if label.is_empty() {
            return Err(Error::msg(format!(
                "the Moodle export: an option of the choice `{}` is worded as nothing; Moodle needs words for \
                 every option",
                field.id
            )));
        }
        let (fraction, feedback) = match option.value == key {
            true => ("=", &words.right),
            false => ("%0%", &words.not_right),
        };
        alternatives.push(alternative(fraction, &cloze(&html(label)), feedback));
    }
    Ok(format!("{{1:MULTICHOICE:{}}}", alternatives.join("~")))
}

/// A number with its tolerance, as Moodle's Cloze reads it: `-0.295:0.005`.
fn number(target: &Target) -> String {
    format!("{}:{}", target.value.to_ascii(), target.tolerance.to_ascii())
}

/// One alternative: its fraction (`=` or `%0%`), its answer (already
/// escaped) and its feedback as plain text (left out when empty).
fn alternative(fraction: &str, answer: &str, feedback: &str) -> String {
    match feedback.trim() {
        "" => format!("{fraction}{answer}"),
        text => format!("{fraction}{answer}#{}", cloze(&html(text))),
    }
}

/// Plain text as HTML.
fn html(text: &str) -> String {
    with_entities(text, &[('&', "&amp;"), ('<', "&lt;"), ('>', "&gt;"), ('"', "&quot;")])
}

/// HTML as the text of a Cloze answer or feedback: Moodle decodes HTML
/// entities in it once, and ends an answer at `~`, `#` or `}` and feedback
/// at `~` or `}` (`\` escapes only some of them, and a `\` before the end
/// would escape it), so `&` and each of these is written as an entity.
fn cloze(html: &str) -> String {
    with_entities(
        html,
        &[('&', "&amp;"), ('}', "&#125;"), ('#', "&#35;"), ('~', "&#126;"), ('\\', "&#92;"), ('"', "&quot;")],
    )
}

/// `text` with each character of `entities` replaced by its entity.
fn with_entities(text: &str, entities: &[(char, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match entities.iter().find(|(plain, _)| *plain == c) {
            Some((_, entity)) => out.push_str(entity),
            None => out.push(c),
        }
    }
    out
}

/// The Moodle XML file of the sheets of the config `stem`, titled `title`:
/// the category `$course$/top/<title>/<stem>` (created on import), then the
/// questions in order. A batch writes the same file a question at a time:
/// [`quiz_head`], each [`quiz_question`], then [`QUIZ_TAIL`].
pub fn quiz(title: &str, stem: &str, questions: &[Question]) -> String {
    let mut xml = quiz_head(title, stem);
    for q in questions {
        xml.push_str(&quiz_question(q));
    }
    xml.push_str(QUIZ_TAIL);
    xml
}

/// The start of the Moodle XML file of [`quiz`]: the declaration and the category.
pub fn quiz_head(title: &str, stem: &str) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    let category = format!("$course$/top/{}/{}", category_name(title), category_name(stem));
    xml.push_str(&format!(
        "<question type=\"category\">\n<category><text>{}</text></category>\n</question>\n",
        xml_text(&category)
    ));
    xml
}

/// One question of the Moodle XML file of [`quiz`].
pub fn quiz_question(q: &Question) -> String {
    let mut xml = String::from("<question type=\"cloze\">\n");
    xml.push_str(&format!("<name><text>{}</text></name>\n", xml_text(&q.name)));
    xml.push_str(&format!("<questiontext format=\"html\"><text>{}</text></questiontext>\n", cdata(&q.text)));
    xml.push_str(&format!("<generalfeedback format=\"html\"><text>{}</text></generalfeedback>\n", cdata(&q.feedback)));
    xml.push_str("<penalty>0.3333333</penalty>\n<hidden>0</hidden>\n");
    if let Some(id) = &q.idnumber {
        xml.push_str(&format!("<idnumber>{}</idnumber>\n", xml_text(id)));
    }
    xml.push_str("</question>\n");
    xml
}

/// The end of the Moodle XML file of [`quiz`].
pub const QUIZ_TAIL: &str = "</quiz>\n";

/// A name in a Moodle category path: a `/` is written `//` (a lone `/`
/// separates categories), and none may touch the separators.
fn category_name(name: &str) -> String {
    name.trim().trim_matches('/').trim().replace('/', "//")
}

/// Text as XML character data.
fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Text as a CDATA section (one that holds `]]>` is split around it).
fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::number::n;

    #[test]
    fn words_are_escaped_for_html_and_then_for_the_cloze_syntax() {
        assert_eq!(cloze(&html("a}b#c~d\\e\"f<g&h")), "a&#125;b&#35;c&#126;d&#92;e&amp;quot;f&amp;lt;g&amp;amp;h");
        assert_eq!(alternative("%0%", "9:0", "forgot the ½"), "%0%9:0#forgot the ½");
        assert_eq!(alternative("=", "7:0", "  "), "=7:0");
    }

    #[test]
    fn a_slip_is_outside_the_tolerance() {
        let right = Target { value: n("-0.295"), tolerance: n("0.005") };
        assert!(outside(&n("0.295"), &right));
        assert!(!outside(&n("-0.3"), &right));
        assert!(!outside(&n("-0.29"), &right));
        assert!(outside(&n("-0.3001"), &right));
    }

    #[test]
    fn category_names_keep_their_slashes() {
        assert_eq!(category_name(" Week 3/4 "), "Week 3//4");
        assert_eq!(category_name("/odd/"), "odd");
        assert_eq!(cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
    }
}
