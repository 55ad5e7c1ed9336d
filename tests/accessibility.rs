//! Accessibility of the per-sheet PDFs: every one exports as PDF/UA-1 (the
//! export itself runs typst-pdf's checks), every Formula and Figure element of
//! the structure tree has alt text, the alt texts read the sheet aloud in
//! order (golden snapshots of the classic sheet, for a reviewer to read), a
//! blank reads "blank" in the student version and its value in the key, and
//! the reading order is the visual order.

use std::path::Path;

use backprop_worksheet::batch;
use backprop_worksheet::config;
use backprop_worksheet::generate::{self, Formats};
use backprop_worksheet::render::{SheetLabel, Templates};
use common::{structure, text_of, Element};
use lopdf::{Document, Object};

use crate::common;

fn sheet(name: &str, label: &SheetLabel) -> (Vec<u8>, Vec<u8>) {
    let templates = Templates::load(None).unwrap();
    let spec = config::load(Path::new(&format!("configs/{name}.yaml"))).unwrap();
    let solved = generate::solve_fixed(&spec, &templates).unwrap();
    let files = generate::sheet_files(&templates, &solved, name, name, label, Formats::default())
        .unwrap_or_else(|e| panic!("{name} does not export as PDF/UA-1: {e}"));
    let pdf = |suffix: &str| files.iter().find(|f| f.name.ends_with(suffix)).unwrap().bytes.clone();
    (pdf("-student.pdf"), pdf("-key.pdf"))
}

fn alt_texts(pdf: &[u8]) -> Vec<String> {
    structure(pdf)
        .into_iter()
        .filter(|e| e.kind == "Formula" || e.kind == "Figure")
        .map(|e| format!("{}: {}", e.kind, e.alt.unwrap_or_default()))
        .collect()
}

#[test]
fn classic_alt_texts_read_aloud() {
    let (student, key) = sheet("classic", &SheetLabel::default());
    insta::assert_snapshot!("classic_student_alt_texts", alt_texts(&student).join("\n"));
    insta::assert_snapshot!("classic_key_alt_texts", alt_texts(&key).join("\n"));
}

/// Every per-sheet PDF the tool makes: each fixed config, a randomized
/// variant (with its QR code) and a roster student's sheet, student version
/// and key, named.
fn every_kind_of_sheet() -> Vec<(String, Vec<u8>)> {
    let templates = Templates::load(None).unwrap();
    let mut sheets = Vec::new();
    let mut add = |name: String, solved: &backprop_worksheet::answers::Solved, label: &SheetLabel| {
        let files = generate::sheet_files(&templates, solved, "sheet", "sheet", label, Formats::default())
            .unwrap_or_else(|e| panic!("{name} does not export as PDF/UA-1: {e}"));
        for file in files {
            sheets.push((format!("{name} {}", file.name), file.bytes));
        }
    };
    for path in common::shipped_configs() {
        let spec = config::load(&path).unwrap();
        if spec.is_randomized() {
            for (roster, only) in [(None, Some(2)), (Some(vec!["Zoë O'Brien".to_owned()]), None)] {
                let request = batch::Request { seed: 7, count: 3, only, roster, ..Default::default() };
                for sheet in batch::draw(&spec, &templates, &request).unwrap() {
                    add(format!("{} {}", spec.file, sheet.label.id), &sheet.variant.solved, &sheet.label);
                }
            }
        } else {
            let solved = generate::solve_fixed(&spec, &templates).unwrap();
            add(spec.file.clone(), &solved, &SheetLabel::default());
        }
    }
    sheets
}

#[test]
fn every_formula_and_figure_of_every_sheet_has_alt_text() {
    let sheets = every_kind_of_sheet();
    assert!(sheets.len() >= 2 * 6, "fixed configs, a variant and a roster sheet, both versions");
    for (name, pdf) in &sheets {
        let elements = structure(pdf);
        let formulas = elements.iter().filter(|e| e.kind == "Formula").count();
        let figures: Vec<&Element> = elements.iter().filter(|e| e.kind == "Figure").collect();
        assert!(formulas > 50, "{name}: only {formulas} formulas in the structure tree");
        // The network diagram and the error plot, and a variant's QR code.
        let expected_figures = if name.contains(" v") || name.contains("zo") { 3 } else { 2 };
        assert_eq!(figures.len(), expected_figures, "{name}: figures {figures:?}");
        for element in elements.iter().filter(|e| e.kind == "Formula" || e.kind == "Figure") {
            let alt = element.alt.as_deref().unwrap_or("");
            assert!(!alt.trim().is_empty(), "{name}: a {} without alt text", element.kind);
            assert!(!alt.contains(['\u{E000}', '\u{E001}', '\u{E002}']), "{name}: both readings kept in {alt:?}");
        }
        let alts: Vec<&str> = elements.iter().filter_map(|e| e.alt.as_deref()).collect();
        // A blank as the sheet's language says it (the German sheet: "gleich Lücke").
        let (equals, blank) = if name.contains("-de") { ("gleich", "Lücke") } else { ("equals", "blank") };
        if name.ends_with("-student.pdf") {
            let said = format!("{equals} {blank}");
            assert!(alts.iter().any(|a| a.contains(&said)), "{name}: no blank is read as {blank}");
        } else {
            assert!(alts.iter().all(|a| !a.contains(blank)), "{name}: a blank of the key is read as {blank}");
        }
        if name.contains(" v") || name.contains("zo") {
            assert!(
                figures.iter().any(|f| f
                    .alt
                    .as_deref()
                    .unwrap_or("")
                    .contains("QR code of this sheet's id, randomized:")),
                "{name}: the QR code does not say what it encodes: {figures:?}"
            );
        }
    }
}

#[test]
fn viewers_show_the_title_and_the_author_and_language_come_from_the_config() {
    let (student, key) = sheet("classic", &SheetLabel::default());
    for pdf in [student, key] {
        let doc = Document::load_mem(&pdf).unwrap();
        let catalog = doc.catalog().unwrap();
        let preferences = match catalog.get(b"ViewerPreferences").unwrap() {
            Object::Reference(id) => doc.get_dictionary(*id).unwrap(),
            Object::Dictionary(d) => d,
            other => panic!("ViewerPreferences is {other:?}"),
        };
        assert_eq!(preferences.get(b"DisplayDocTitle").unwrap(), &Object::Boolean(true));
        assert_eq!(text_of(catalog.get(b"Lang").unwrap()).as_deref(), Some("en"));
        let info = match doc.trailer.get(b"Info").unwrap() {
            Object::Reference(id) => doc.get_dictionary(*id).unwrap(),
            other => panic!("Info is {other:?}"),
        };
        assert_eq!(text_of(info.get(b"Author").unwrap()).as_deref(), Some("Reggie Bain"), "the config's author");
        let title = text_of(info.get(b"Title").unwrap()).unwrap();
        assert!(title.starts_with("How Does AI Learn"), "{title}");
    }
    // Another language, from the config.
    let text = std::fs::read_to_string("configs/classic.yaml").unwrap().replace("language: en", "language: de-AT");
    let spec = config::parse(&text, "deutsch.yaml", "deutsch").unwrap();
    let templates = Templates::load(None).unwrap();
    let solved = generate::solve_fixed(&spec, &templates).unwrap();
    let files =
        generate::sheet_files(&templates, &solved, "d", "d", &SheetLabel::default(), Formats::default()).unwrap();
    let doc = Document::load_mem(&files[0].bytes).unwrap();
    assert_eq!(text_of(doc.catalog().unwrap().get(b"Lang").unwrap()).as_deref(), Some("de-AT"));
}

/// The page text in reading order: the tasks come in order, and every blank
/// of the student version (read as "blank") comes after its task's heading
/// and before the next one.
#[test]
fn the_reading_order_is_the_visual_order() {
    let (student, key) = sheet("classic", &SheetLabel::default());
    let text = pdf_extract::extract_text_from_mem(&student).unwrap();
    let tasks: Vec<usize> = (1..=8).map(|k| text.find(&format!("Task {k}:")).expect("every task")).collect();
    assert!(tasks.windows(2).all(|w| w[0] < w[1]), "tasks out of order: {tasks:?}");
    let blanks_between = |from: usize, to: usize| text[from..to].matches("blank").count();
    assert!(blanks_between(0, tasks[0]) == 0, "a blank before the first task");
    for (k, pair) in tasks.windows(2).enumerate() {
        let question =
            ["Calculate", "Exploring", "Exploring", "Direct Derivatives", "Chain Rule", "Finding", "Understanding"][k];
        let at = text[pair[0]..pair[1]].find(question).map(|i| i + pair[0]);
        assert!(at.is_some(), "Task {} does not ask {question:?}", k + 1);
        assert!(blanks_between(pair[0], at.unwrap()) <= 1, "Task {}: blanks before its question", k + 1);
    }
    // The structure tree keeps the same order: the forward pass, the chain
    // rule, the update.
    let alts = alt_texts(&key);
    let at = |needle: &str| alts.iter().position(|a| a.contains(needle)).unwrap_or_else(|| panic!("no {needle:?}"));
    assert!(at("equals 3 times 2 plus 1 equals 7") < at("equals minus 3 times 1 equals minus 3"));
    assert!(at("equals minus 3 times 2 times 1 equals minus 6") < at("w 1 new equals"));
}

/// The emitted Typst sources (`generate --format typ`) typeset on their own
/// under PDF/UA-1, as `typst compile --pdf-standard ua-1` would: every
/// equation carries its alt text in the source itself.
#[test]
fn emitted_sources_export_as_pdf_ua_on_their_own() {
    let templates = Templates::load(None).unwrap();
    for path in common::shipped_configs() {
        let spec = config::load(&path).unwrap();
        let solved = match spec.is_randomized() {
            true => {
                batch::draw(&spec, &templates, &batch::Request { seed: 7, count: 1, ..Default::default() })
                    .unwrap()
                    .remove(0)
                    .variant
                    .solved
            }
            false => generate::solve_fixed(&spec, &templates).unwrap(),
        };
        for version in [backprop_worksheet::render::Version::Student, backprop_worksheet::render::Version::Key] {
            let source = templates.render(&solved, version, &SheetLabel::default()).unwrap();
            assert!(
                !source.contains(['\u{E000}', '\u{E001}']),
                "{}: a source of one version holds both readings",
                spec.file
            );
            let layout = backprop_worksheet::typeset::compile(&source).unwrap();
            let pdf = backprop_worksheet::typeset::pdf(&layout, "source")
                .unwrap_or_else(|e| panic!("{} ({version:?}) is not PDF/UA-1: {e}", spec.file));
            assert!(String::from_utf8_lossy(&pdf).contains("pdfuaid"), "{}: not declared PDF/UA-1", spec.file);
        }
    }
}
