//! PDF invariants for every shipped config: both versions typeset, with the same
//! pages; the key's text holds every answer; the student version's text and
//! markup hold none of the answers it asks for; the bytes are reproducible; the
//! one layout both versions are cut from looks exactly like each version
//! typeset on its own.

use std::path::Path;

use backprop_worksheet::answers::Value;
use backprop_worksheet::config;
use backprop_worksheet::generate::{self, Formats};
use backprop_worksheet::render::{SheetLabel, Templates, Version};
use backprop_worksheet::typeset;

use crate::common;

/// PDF text with all whitespace removed, so numbers split across runs still match.
fn squeezed_text(pdf: &[u8]) -> String {
    let text = pdf_extract::extract_text_from_mem(pdf).expect("readable PDF");
    // pdf-extract reads Typst's hyphen glyph as a soft hyphen.
    text.chars().filter(|c| !c.is_whitespace()).map(|c| if c == '\u{ad}' { '-' } else { c }).collect()
}

/// Every string object in a PDF (outline titles, structure tree, metadata),
/// decoded and squeezed, so an answer hidden outside the page text is found too.
fn squeezed_strings(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("parsable PDF");
    let mut out = String::new();
    fn walk(object: &lopdf::Object, out: &mut String) {
        match object {
            lopdf::Object::String(bytes, _) => {
                let text = match bytes.strip_prefix(&[0xfe, 0xff]) {
                    Some(utf16) => String::from_utf16_lossy(
                        &utf16
                            .chunks(2)
                            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                            .collect::<Vec<_>>(),
                    ),
                    None => String::from_utf8_lossy(bytes).into_owned(),
                };
                out.push_str(&squeeze(&text));
                out.push('|');
            }
            lopdf::Object::Array(items) => items.iter().for_each(|item| walk(item, out)),
            lopdf::Object::Dictionary(dict) => dict.iter().for_each(|(_, value)| walk(value, out)),
            lopdf::Object::Stream(stream) => stream.dict.iter().for_each(|(_, value)| walk(value, out)),
            _ => {}
        }
    }
    for object in doc.objects.values() {
        walk(object, &mut out);
    }
    out
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn fixed_configs() -> Vec<(config::WorksheetSpec, backprop_worksheet::answers::Solved)> {
    common::shipped_configs()
        .iter()
        .map(|p| config::load(p).unwrap())
        .filter(|spec| !spec.is_randomized())
        .map(|spec| {
            let solved = generate::solve_fixed(&spec, common::words()).unwrap();
            (spec, solved)
        })
        .collect()
}

/// Whether answer `id` is the last weight's new value and a whole number of
/// nudges from its old one: then it may be a label of the error plot's w
/// axis, which both versions print (it labels a tick, not the answer).
#[allow(clippy::disallowed_types)] // comparing printed numbers, not computing answers
fn on_the_plots_w_axis(answers: &backprop_worksheet::answers::Answers, id: &str) -> bool {
    let layers = (1..).take_while(|k| answers.named(&format!("w{k}")).is_some()).count();
    if id != format!("new_w{layers}") {
        return false;
    }
    let number = |id: &str| -> f64 {
        answers
            .named(id)
            .unwrap()
            .value
            .display(&backprop_worksheet::number::NumberFormat::english())
            .replace('\u{2212}', "-")
            .parse()
            .expect("a number")
    };
    let nudges = (number(id) - number(&format!("w{layers}"))) / number("nudge");
    (nudges - nudges.round()).abs() < 1e-9 && nudges.abs() <= 12.0
}

#[test]
fn key_holds_every_answer_and_student_none() {
    let templates = Templates::load(None).unwrap();
    let formats = Formats { pdf: true, typ: true, png: false, html: false, moodle: false };
    for (spec, solved) in fixed_configs() {
        let files = generate::sheet_files(&templates, &solved, &spec.stem, &spec.stem, &SheetLabel::default(), formats)
            .unwrap();
        let get = |name: &str| &files.iter().find(|f| f.name == name).unwrap().bytes;
        let student_pdf = get(&format!("{}-student.pdf", spec.stem));
        let key_pdf = get(&format!("{}-key.pdf", spec.stem));
        assert!(student_pdf.starts_with(b"%PDF") && key_pdf.starts_with(b"%PDF"));
        let student = squeezed_text(student_pdf);
        let student_strings = squeezed_strings(student_pdf);
        // The sheet's numbers and first heading in its language.
        let german = spec.presentation.language.starts_with("de");
        let numbers = templates.numbers(&spec.presentation.language);
        let introduction = if german { "Einführung" } else { "Introduction" };
        assert!(student_strings.contains(introduction), "the outline's strings are read");
        let key = squeezed_text(key_pdf);
        let student_markup = String::from_utf8(get(&format!("{}-student.typ", spec.stem)).clone()).unwrap();
        let mut checked = 0;
        let mut missing = Vec::new();
        for answer in solved.answers.iter() {
            let shown = squeeze(&answer.display(&numbers));
            let id = answer.id.to_string();
            // Numbers the worksheet gives (printed in both versions): x, the
            // target, the coefficients, weights, nudge, learning rate, and the
            // weight column of the nudge tables.
            let last = id.rsplit('.').next().unwrap_or_default();
            let numbered =
                |p: char| last.starts_with(p) && last.len() > 1 && last[1..].chars().all(|c| c.is_ascii_digit());
            let is_given = ["x", "target", "nudge", "learning_rate"].contains(&id.as_str())
                || (!id.contains('.') && numbered('c'))
                || numbered('w');
            // Answers a teacher reads off the key: every one must be printed in it.
            if !matches!(answer.value, Value::Flag(_)) && !id.starts_with("error_change") {
                let needle: String = match &answer.value {
                    // Long model answers wrap; their opening words are enough.
                    Value::Text(t) if t.len() > 40 => squeeze(&t.chars().take(40).collect::<String>()),
                    _ => shown.clone(),
                };
                if !key.contains(&needle) {
                    missing.push(format!("{} = {needle:?}", answer.id));
                }
            }
            // Distinctive answers must not leak into the student version.
            if !is_given
                && shown.chars().count() >= 4
                && !student_markup.contains(&answer.display(&numbers))
                && !on_the_plots_w_axis(&solved.answers, &id)
            {
                let needle: String = shown.chars().take(40).collect();
                assert!(!student.contains(&needle), "{}: student version shows {} = {needle:?}", spec.file, answer.id);
                assert!(
                    !student_strings.contains(&needle),
                    "{}: a string in the student PDF holds {} = {needle:?}",
                    spec.file,
                    answer.id
                );
                checked += 1;
            }
        }
        assert!(missing.is_empty(), "{}: the key lacks {missing:#?}", spec.file);
        assert!(checked >= 10, "{}: only {checked} answers were distinctive enough to check", spec.file);
    }
}

#[test]
fn student_markup_holds_no_model_answer() {
    let templates = Templates::load(None).unwrap();
    for (_, solved) in fixed_configs() {
        let markup = templates.render(&solved, Version::Student, &SheetLabel::default()).unwrap();
        for answer in solved.answers.iter() {
            if let Value::Text(t) = &answer.value {
                let words: String = t.chars().take(30).collect();
                if t.len() > 12 {
                    assert!(!markup.contains(&words), "student markup contains {}", answer.id);
                }
            }
        }
    }
}

#[test]
fn versions_share_pages_and_runs_share_bytes() {
    let templates = Templates::load(None).unwrap();
    let spec = config::load(Path::new("configs/classic.yaml")).unwrap();
    let solved = generate::solve_fixed(&spec, common::words()).unwrap();
    let label = SheetLabel::default();
    let student = generate::typeset_version(&templates, &solved, Version::Student, &label).unwrap();
    let key = generate::typeset_version(&templates, &solved, Version::Key, &label).unwrap();
    // The key has the student version's pages, then pages of its own (the
    // rubric of common slips) from the key-pages marker on.
    let key_before_its_own = typeset::without(&key.layout, typeset::KEY_ONLY);
    assert_eq!(student.layout.page_count(), key_before_its_own.page_count());
    assert!(key.layout.page_count() > student.layout.page_count(), "the key has its rubric");
    let formats = Formats::default();
    let first = generate::sheet_files(&templates, &solved, "classic", "classic", &label, formats).unwrap();
    let second =
        generate::sheet_files(&Templates::load(None).unwrap(), &solved, "classic", "classic", &label, formats).unwrap();
    assert_eq!(first, second, "two runs must give byte-identical PDFs");
    let pdf = &first[0].bytes;
    let text = String::from_utf8_lossy(pdf);
    assert!(!text.contains("CreationDate"), "no timestamp in the PDF");
    assert!(!text.contains("Typst 0."), "no typst version string in the PDF");
}

/// Every page of `doc` as a PNG at 60 pixels per inch.
fn pages(doc: &typeset::Layout) -> Vec<Vec<u8>> {
    (0..doc.page_count()).map(|page| typeset::png(doc, page, 60.0).unwrap()).collect()
}

#[test]
fn one_layout_looks_like_each_version_alone() {
    let templates = Templates::load(None).unwrap();
    let spec = config::load(Path::new("configs/randomized.yaml")).unwrap();
    let request = backprop_worksheet::batch::Request { seed: 3, count: 2, only: None, ..Default::default() };
    let drawn = backprop_worksheet::batch::draw(&spec, &templates, &request).unwrap().remove(1);
    let mut sheets: Vec<(String, backprop_worksheet::answers::Solved, SheetLabel)> =
        fixed_configs().into_iter().map(|(spec, solved)| (spec.file, solved, SheetLabel::default())).collect();
    // A variant has a footer id and a QR code on the page background.
    sheets.push((spec.file, drawn.variant.solved, drawn.label));
    for (file, solved, label) in &sheets {
        assert!(
            templates.render_both(solved, label).unwrap().is_some(),
            "{file}: the built-in templates must lay both versions out at once"
        );
        let [student, key] = generate::typeset_sheet(&templates, solved, label, true).unwrap();
        for (version, cut) in [(Version::Student, &student), (Version::Key, &key)] {
            let alone = generate::typeset_version(&templates, solved, version, label).unwrap();
            assert_eq!(cut.markup, alone.markup, "{file}: the {} source is the version's own", version.name());
            let (cut, alone) = (pages(&cut.layout), pages(&alone.layout));
            assert_eq!(cut.len(), alone.len(), "{file}: {} page count", version.name());
            for (page, (a, b)) in cut.iter().zip(&alone).enumerate() {
                assert!(a == b, "{file}: {} page {} differs from the version typeset alone", version.name(), page + 1);
            }
        }
    }
}

#[test]
fn templates_that_test_key_typeset_each_version_alone() {
    let dir = tempfile::tempdir().unwrap();
    common::templates_with(dir.path(), |text| {
        text.replacen("= Introduction", "{% if key %}Marked by the key only.{% endif %}\n\n= Introduction", 1)
    });
    let templates = Templates::load(Some(dir.path())).unwrap();
    let spec = config::load(Path::new("configs/classic.yaml")).unwrap();
    let solved = generate::solve_fixed(&spec, common::words()).unwrap();
    let label = SheetLabel::default();
    assert!(templates.render_both(&solved, &label).unwrap().is_none());
    let files = generate::sheet_files(&templates, &solved, "classic", "classic", &label, Formats::default()).unwrap();
    let text = |name: &str| squeezed_text(&files.iter().find(|f| f.name == name).unwrap().bytes);
    assert!(text("classic-key.pdf").contains("Markedbythekeyonly."));
    assert!(!text("classic-student.pdf").contains("Marked"));
    // The answers are still cut from the student version.
    let answer = squeeze(
        &solved
            .answers
            .named("nudge_w2.plus.error")
            .unwrap()
            .value
            .display(&backprop_worksheet::number::NumberFormat::english()),
    );
    assert!(text("classic-key.pdf").contains(&answer) && !text("classic-student.pdf").contains(&answer));
}

#[test]
fn templates_that_test_key_report_the_problems_of_both_versions_once() {
    let spec = config::load(Path::new("configs/classic.yaml")).unwrap();
    let solved = generate::solve_fixed(&spec, common::words()).unwrap();
    let error_with = |insert: &str| {
        let dir = tempfile::tempdir().unwrap();
        common::templates_with(dir.path(), |text| text.replacen("= Introduction", insert, 1));
        let templates = Templates::load(Some(dir.path())).unwrap();
        generate::typeset_sheet(&templates, &solved, &SheetLabel::default(), false).err().unwrap().to_string()
    };
    // A different problem in each version: both are reported.
    let error = error_with("{% if key %}#nope-in-key{% else %}#nope-in-student{% endif %}\n\n= Introduction");
    assert!(error.contains("nope-in-key") && error.contains("nope-in-student"), "{error}");
    // The same problem in both: reported once.
    let error = error_with("#also-broken\n\n{% if key %}Key.{% endif %}\n\n= Introduction");
    assert_eq!(error.matches("unknown variable: also-broken").count(), 1, "{error}");
}

/// Answers of 30 digits (decimal coefficients, a learning rate of 0.02) are
/// printed in the key rounded to ten significant digits, with ≈, and never as
/// their long exact text; the student version holds none of them.
#[test]
fn long_answers_print_rounded_with_approx_in_the_key() {
    let yaml = "title: Long decimals\nnetwork:\n  input: 1.5\n  target: 100\n  layers:\n    \
        - { coefficient: 1.25, weight: 0.5 }\n    - { coefficient: -0.75, weight: 1.5 }\n    \
        - { coefficient: 2.5, weight: -2 }\n    - { coefficient: -3, weight: 1 }\nnudge: 0.1\nlearning_rate: 0.02\n";
    let spec = config::parse(yaml, "long.yaml", "long").unwrap();
    let solved = generate::solve_fixed(&spec, common::words()).unwrap();
    let files = generate::sheet_files(
        common::words(),
        &solved,
        "long",
        "long",
        &SheetLabel::default(),
        Formats { pdf: true, typ: false, png: false, html: false, moodle: false },
    )
    .unwrap();
    let text = |name: &str| squeezed_text(&files.iter().find(|f| f.name == name).unwrap().bytes);
    let (key, student) = (text("long-key.pdf"), text("long-student.pdf"));
    let rounded: Vec<_> = solved.answers.rounded().collect();
    assert!(rounded.len() >= 20, "{} answers rounded", rounded.len());
    for answer in rounded {
        let Value::Exact(exact) = &answer.value else { panic!("{} is rounded but not exact", answer.id) };
        let shown = squeeze(&answer.display(&backprop_worksheet::number::NumberFormat::english()));
        assert!(shown.starts_with('\u{2248}'), "{}: {shown}", answer.id);
        // (The sheet does not ask for new E − E.)
        assert!(
            answer.id.to_string() == "error_change" || key.contains(&shown),
            "{}: the key lacks {shown}",
            answer.id
        );
        assert!(!student.contains(&shown), "{}: the student version shows {shown}", answer.id);
        // The exact text is nowhere on the key.
        let long = exact.to_display_string();
        assert!(!key.contains(&long), "{}: the key prints the long {long}", answer.id);
    }
    assert!(key.contains("\u{2248}3789.388956"), "new E");
    assert!(key.contains("E\u{2248}4130.552856"), "the discussion's E = ≈ reads E ≈");
}
