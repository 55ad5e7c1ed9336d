//! Any language is files only. `tests/pseudo` is a template set in a
//! pseudo-language that marks every word `⟦…⟧` and writes numbers its own
//! way (a decimal `·`, the minus `–`, `≃` before a rounded number, `E` for
//! the power of ten). A three-layer sheet with the extension, for a student
//! of a roster, is made with it; every word a student, a teacher or a screen
//! reader meets (in the student PDF, the key, their alt texts and metadata,
//! the self-check page and `answers`' text output) must be marked, and no
//! number may be written with a decimal point or comma. A word that is not
//! marked came from somewhere else than the template files: from Rust, or
//! from the English set.
//!
//! The set's `worksheet.typ.j2` and `answers.txt.j2` are the English ones
//! with every word marked, made by `python3 tests/mark_pseudo.py`: run it
//! after changing those two templates. Its other files are written by hand.

use std::collections::BTreeSet;

use backprop_worksheet::batch;
use backprop_worksheet::config;
use backprop_worksheet::generate::{self, Formats};
use backprop_worksheet::render::Templates;

use crate::common;

/// The sheet: three layers, numbers large enough that the key rounds answers
/// (with the approximate sign) and writes them with a power of ten, decimals,
/// negative numbers, the sigmoid extension.
const CONFIG: &str = "title: ⟦Pseudo⟧ ⟦sheet⟧\nlanguage: qps\nnetwork:\n  input: 2\n  target: 20\n  layers:\n    \
    - { coefficient: 1.5, weight: 1 }\n    - { coefficient: -700, weight: 3 }\n    - { coefficient: 900, weight: -2 }\n\
    nudge: 0.5\nlearning_rate: 0.000001\nextension:\n  activation: sigmoid\n  digits: 4\n";

const STUDENT: &str = "Zoë O'Brien";

/// Words of maths, not of a language: a letter, a letter with digits (`w1`),
/// a derivative's numerator or denominator (`dE`, `dw1`) and the function
/// names the sheets print.
fn is_notation(word: &str) -> bool {
    let mut chars = word.chars();
    let first = chars.next().unwrap_or(' ');
    let rest: String = chars.collect();
    let name = |s: &str| {
        let mut c = s.chars();
        c.next().is_some_and(|c| matches!(c, 'E' | 'x' | 'y' | 'z' | 'h' | 'w' | 'c')) && c.all(|c| c.is_ascii_digit())
    };
    (first.is_alphabetic() && rest.chars().all(|c| c.is_ascii_digit()))
        || (first == 'd' && name(&rest))
        || matches!(word, "tanh" | "ReLU" | "max")
}

/// The words of `text` outside `⟦…⟧` that are neither notation nor one of
/// the sheet's `data` (its answer ids, the student's name), once each.
fn unmarked(text: &str, data: &[&str]) -> BTreeSet<String> {
    let mut outside = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '⟦' => depth += 1,
            '⟧' => depth -= 1,
            c if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    let mut words = BTreeSet::new();
    let token = |c: char| c.is_alphanumeric() || matches!(c, '\'' | '’' | '_' | '.' | '-');
    for token in outside.split(|c: char| !token(c)) {
        let token = token.trim_matches(['\'', '’', '.', '-']);
        if data.contains(&token) {
            continue;
        }
        for word in token.split(['.', '_', '-']) {
            // A number (the pseudo-language's powers of ten: `4·8E–7`) is no word.
            let number = word.starts_with(|c: char| c.is_ascii_digit());
            if word.chars().any(char::is_alphabetic) && !number && !is_notation(word) {
                words.insert(word.to_owned());
            }
        }
    }
    words
}

/// Numbers of `text` written with a decimal point or a decimal comma: the
/// pseudo-language writes `0·1`.
fn decimals(text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = BTreeSet::new();
    for i in 1..chars.len().saturating_sub(1) {
        if matches!(chars[i], '.' | ',') && chars[i - 1].is_ascii_digit() && chars[i + 1].is_ascii_digit() {
            let from = chars[..i].iter().rposition(|c| !c.is_ascii_digit()).map_or(0, |p| p + 1);
            let to = chars[i + 1..].iter().position(|c| !c.is_ascii_digit()).map_or(chars.len(), |p| p + i + 1);
            found.insert(chars[from..to].iter().collect());
        }
    }
    found
}

/// The visible text and the spoken words of an HTML page: its text, the
/// attributes a person or screen reader meets, and the script's words and
/// hints (JSON), without markup, styles or the script itself.
fn page_text(html: &str) -> String {
    let mut out = String::new();
    // The script's words, and the hints of the slips (stored in clear text in
    // the sheet's data): every string of the JSON, not its keys.
    for id in ["page-words", "sheet-data"] {
        let open = format!("<script type=\"application/json\" id=\"{id}\">");
        let Some(at) = html.find(&open) else { continue };
        let rest = &html[at + open.len()..];
        let json: serde_json::Value = serde_json::from_str(&rest[..rest.find("</script>").unwrap_or(0)]).unwrap();
        strings(&json, id == "page-words", &mut out);
    }
    let mut body = html.to_owned();
    for (open, close) in [("<script", "</script>"), ("<style", "</style>")] {
        while let Some(at) = body.find(open) {
            let end = body[at..].find(close).map_or(body.len(), |e| at + e + close.len());
            body.replace_range(at..end, " ");
        }
    }
    // Attributes read out, then the text between tags.
    for attribute in ["aria-label=\"", "alttext=\"", "title=\"", "alt=\""] {
        for value in body.split(attribute).skip(1) {
            out.push('\n');
            out.push_str(&value[..value.find('"').unwrap_or(0)]);
        }
    }
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&quot;", "\"").replace("&#x27;", "'").replace("&lt;", "<").replace("&gt;", ">")
}

/// The strings of `json` (with `all` false, only those under the key `hint`), one per line.
fn strings(json: &serde_json::Value, all: bool, out: &mut String) {
    match json {
        serde_json::Value::String(text) if all => {
            // Without the script's placeholders, `{n}`, `{hint}`.
            let mut rest = text.as_str();
            while let Some(at) = rest.find('{') {
                out.push_str(&rest[..at]);
                rest = rest[at..].split_once('}').map_or("", |(_, after)| after);
            }
            out.push_str(rest);
            out.push('\n');
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| strings(item, all, out)),
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                strings(value, all || key == "hint", out);
            }
        }
        _ => {}
    }
}

/// The words of a Moodle XML file: the question's text as [`page_text`]
/// reads a page (without its category, Moodle's own path), and apart, the
/// feedback and options of its Cloze subquestions (whose answers are numbers
/// with a point in every language).
fn moodle_text(xml: &str) -> (String, String) {
    // The texts a person meets: the question's name, text and feedback.
    let mut shown = String::new();
    for element in ["name", "questiontext", "generalfeedback"] {
        for part in xml.split(&format!("<{element}")).skip(1) {
            let inner = &part[part.find('>').map_or(0, |g| g + 1)..];
            shown.push_str(&inner[..inner.find(&format!("</{element}>")).unwrap_or(0)]);
            shown.push('\n');
        }
    }
    let xml = shown.replace("<![CDATA[", " ").replace("]]>", " ");
    let (mut text, mut cloze) = (String::new(), String::new());
    let mut rest = xml.as_str();
    while let Some(at) = rest.find("{1:") {
        text.push_str(&rest[..at]);
        let end = rest[at..].find('}').map_or(rest.len(), |e| at + e + 1);
        // `=4.5:0#Right.~%0%9:0#Did you …?~%0%*#Not …`: the words after each `#`.
        let kind_end = rest[at + 3..end].find(':').map_or(at + 3, |k| at + 3 + k + 1);
        for alternative in rest[kind_end..end - 1].split('~') {
            let (answer, feedback) = alternative.split_once('#').unwrap_or((alternative, ""));
            if rest[at..].starts_with("{1:MULTICHOICE") {
                cloze.push_str(answer.trim_start_matches(|c: char| !c.is_alphabetic() && c != '⟦'));
                cloze.push('\n');
            }
            cloze.push_str(feedback);
            cloze.push('\n');
        }
        rest = &rest[end..];
    }
    text.push_str(rest);
    (page_text(&decode(&text)), decode(&cloze))
}

/// HTML's character references, decoded.
fn decode(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find(';').map(|e| at + e) else { break };
        let name = &rest[at + 1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            _ => name
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn every_word_comes_from_the_language_files() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("p1.yaml");
    std::fs::write(&config_path, CONFIG).unwrap();
    let roster = dir.path().join("class.csv");
    std::fs::write(&roster, format!("name\n{STUDENT}\n")).unwrap();
    let pseudo = common::root().join("tests/pseudo");

    let templates = Templates::load(Some(&pseudo)).unwrap();
    let spec = config::load(&config_path).unwrap();
    let request = batch::Request { seed: 1, roster: Some(vec![STUDENT.to_owned()]), ..Default::default() };
    let sheet = batch::draw(&spec, &templates, &request).unwrap().remove(0);
    let formats = Formats { pdf: true, html: true, moodle: true, ..Formats::default() };
    let files =
        generate::sheet_files(&templates, &sheet.variant.solved, "p1", &sheet.base, &sheet.label, formats).unwrap();
    let file = |suffix: &str| &files.iter().find(|f| f.name.ends_with(suffix)).unwrap().bytes;

    let mut texts: Vec<(String, String)> = Vec::new();
    for version in ["student", "key"] {
        let pdf = file(&format!("-{version}.pdf"));
        texts.push((format!("{version} PDF"), pdf_extract::extract_text_from_mem(pdf).unwrap()));
        texts.push((format!("{version} PDF's alt texts and metadata"), common::spoken_text(pdf)));
    }
    texts.push(("self-check page".into(), page_text(&String::from_utf8_lossy(file("-student.html")))));
    let (question, cloze) = moodle_text(&String::from_utf8_lossy(file("-moodle.xml")));
    texts.push(("Moodle question".into(), question));
    let answers = common::run(&[
        "answers",
        common::s(&config_path),
        "--templates",
        common::s(&pseudo),
        "--roster",
        common::s(&roster),
        "--student",
        STUDENT,
        "--slips",
    ]);
    assert!(answers.status.success() && answers.stderr.is_empty(), "{}", String::from_utf8_lossy(&answers.stderr));
    texts.push(("answers' text output".into(), common::stdout(&answers)));

    // The data of the sheet: the student's name, the config's path, and the
    // answer ids (the first column of `answers`' text) and the sheet's id.
    let names = [STUDENT, common::s(&config_path)];
    let ids: Vec<String> = sheet.variant.solved.answers.iter().map(|a| a.id.to_string()).collect();
    // The student's file-name form and the sheet's id.
    let sheet_names = ["zoë-o-brien", "p1"];
    let mut data: Vec<&str> = ids.iter().map(String::as_str).collect();
    data.extend(sheet_names);

    let mut problems = Vec::new();
    // The Cloze answers write numbers with a point, whatever the language
    // (every Moodle reads it): their feedback's words only.
    let words = unmarked(&cloze, &data);
    if !words.is_empty() {
        problems.push(format!("Moodle feedback: words not from the template files: {words:?}"));
    }
    // The page and the PDFs have no business with answer ids: a field
    // labelled `target` or `learning_rate` is an English word a screen
    // reader says. Only `answers`' text output writes ids.
    for (place, text) in &texts {
        let text = names.iter().fold(text.clone(), |text, name| text.replace(name, " "));
        let words = unmarked(&text, if place.starts_with("answers") { &data } else { &sheet_names });
        if !words.is_empty() {
            problems.push(format!("{place}: words not from the template files: {words:?}"));
        }
        let numbers = decimals(&text);
        if !numbers.is_empty() {
            problems.push(format!("{place}: numbers not in the language's format: {numbers:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // And the numbers are the pseudo-language's: a decimal `·`, the minus
    // `–`, `≃` before a rounded answer, `E` for a power of ten, in the key,
    // its alt texts, the page and `answers`' text alike.
    let key = &texts[2].1;
    for (what, written) in [("decimal", "0·5"), ("minus", "–2"), ("rounded", "≃"), ("power", "3·168455026E12")] {
        assert!(key.contains(written), "the key writes no {what} as {written:?}");
    }
    assert!(texts[3].1.contains("≃3·168455026E12"), "the key's alt texts read the rounded error as written");
    assert!(texts.last().unwrap().1.contains("≃3·168455026E12"), "answers' text writes the rounded error");
    let page = String::from_utf8_lossy(file("-student.html"));
    assert!(page.contains("<html lang=\"qps\">") && page.contains("0·5"), "the page is the language's");
}
