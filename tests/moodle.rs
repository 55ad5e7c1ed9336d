//! The Moodle export (`generate --format moodle`), checked offline: each file
//! is read back as Moodle reads it (`cloze/mod.rs`, a mirror of Moodle's
//! Cloze parser, itself checked against what a real Moodle 5.1 did with the
//! files in `tests/moodle-lab/`), and every question against the sheet's
//! key, slips and page, independently of how the export builds it.

use crate::cloze;
use crate::common;

use std::collections::BTreeMap;

use backprop_worksheet::answers::{Phrase, SlipForm, Solved, Value, Wording};
use backprop_worksheet::batch::{self, Request};
use backprop_worksheet::number::{Exact, NumberFormat};
use backprop_worksheet::render::{BlankKind, SheetLabel, Templates, MOODLE_TEMPLATE};
use backprop_worksheet::{config, generate, moodle, page};
use cloze::{Extracted, Kind};
use common::{root, run, s, words};
use fancy_regex::Regex;
use proptest::prelude::*;

/// One question of a Moodle XML file.
#[derive(Debug)]
struct FileQuestion {
    kind: String,
    name: String,
    idnumber: Option<String>,
    text: String,
    feedback: String,
    category: String,
}

/// The questions of a Moodle XML file, as Moodle's XML importer reads them.
fn read_quiz(xml: &str) -> Vec<FileQuestion> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let quiz = doc.root_element();
    assert_eq!(quiz.tag_name().name(), "quiz");
    let text_of = |node: roxmltree::Node, path: &[&str]| -> Option<String> {
        let mut node = node;
        for name in path {
            node = node.children().find(|c| c.has_tag_name(*name))?;
        }
        Some(node.text().unwrap_or("").to_owned())
    };
    quiz.children()
        .filter(|n| n.has_tag_name("question"))
        .map(|q| FileQuestion {
            kind: q.attribute("type").unwrap_or("").to_owned(),
            name: text_of(q, &["name", "text"]).unwrap_or_default(),
            idnumber: text_of(q, &["idnumber"]),
            text: text_of(q, &["questiontext", "text"]).unwrap_or_default(),
            feedback: text_of(q, &["generalfeedback", "text"]).unwrap_or_default(),
            category: text_of(q, &["category", "text"]).unwrap_or_default(),
        })
        .collect()
}

/// The text of a macro of the Moodle template of `language` that takes no facts.
fn moodle_words(templates: &Templates, language: &str, name: &str) -> String {
    templates.words(language, MOODLE_TEMPLATE, &[name]).unwrap().remove(0).trim().to_owned()
}

/// A number as Moodle's Cloze writes it (`4.8e-144` too), exactly.
fn exact(text: &str) -> Option<Exact> {
    Exact::parse(&page::canonical_decimal(text)?)
}

/// Plain text as the HTML Moodle stores for it.
fn html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

// ---------------------------------------------------------------------------
// The mirror against a real Moodle.

/// A subquestion's type, fraction and feedback, as the lab's summary shows them.
type SubOutcome = (String, String, String);

/// What the lab's summary says Moodle did with a file: per question, whether
/// it was imported and each subquestion's type, fraction and feedback.
fn lab_outcome(summary: &str) -> BTreeMap<String, Option<Vec<SubOutcome>>> {
    let mut questions: BTreeMap<String, Option<Vec<SubOutcome>>> = BTreeMap::new();
    let mut current = None;
    for line in summary.lines() {
        if let Some(rest) = line.strip_prefix("- ") {
            let name = rest.split_whitespace().next().unwrap().to_owned();
            questions.insert(name.clone(), Some(Vec::new()));
            current = rest.contains("[multianswer]").then_some(name);
        } else if let Some(names) = line.trim().strip_prefix("not imported: ") {
            for name in names.split(", ") {
                questions.insert(name.to_owned(), None);
            }
        } else if let (Some(name), Some(rest)) = (&current, line.trim().strip_prefix("sub")) {
            let kind = rest.split_whitespace().nth(1).unwrap().to_owned();
            let fraction = rest.split("fraction=").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
            let quoted = rest.split("feedback=").nth(1).unwrap();
            let feedback = quoted[1..quoted.len() - 1].to_owned();
            questions.get_mut(name).unwrap().as_mut().unwrap().push((kind, fraction, feedback));
        }
    }
    questions
}

/// The mirror of Moodle's parser reads the lab's files as Moodle 5.1 did:
/// the same questions imported or refused, the same subquestions, and each
/// response graded to the same fraction with the same feedback (the brief's
/// `*:0`, escapes, a `}` or `~` that cuts a blank, the first match winning,
/// `3,45` read as 345, MathML in choices).
#[test]
fn the_mirror_reads_the_lab_files_as_moodle_did() {
    let dir = root().join("tests/moodle-lab");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "xml") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let xml = std::fs::read_to_string(&path).unwrap();
        let responses: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{stem}.responses.json"))).unwrap())
                .unwrap();
        let expected = lab_outcome(&std::fs::read_to_string(dir.join(format!("{stem}.expected.txt"))).unwrap());
        for q in read_quiz(&xml).iter().filter(|q| q.kind == "cloze") {
            let extracted = cloze::extract(&q.text);
            let errors = cloze::validate(&extracted);
            let what = format!("{stem}: {}", q.name);
            let Some(subs) = &expected[&q.name] else {
                assert!(!errors.is_empty(), "{what}: Moodle refused it, the mirror did not");
                checked += 1;
                continue;
            };
            assert!(errors.is_empty(), "{what}: {errors:?}");
            assert_eq!(extracted.subquestions.len(), subs.len(), "{what}: subquestions");
            for (i, (sub, (kind, fraction, feedback))) in extracted.subquestions.iter().zip(subs).enumerate() {
                assert_eq!(sub.kind.name(), kind, "{what}: sub {}", i + 1);
                let response = responses[&q.name][(i + 1).to_string()].as_str().unwrap();
                let graded = sub.grade(response);
                let (got_fraction, got_feedback) = graded
                    .map_or((0.0, String::new()), |a| (a.fraction, cloze::strip_tags(&a.feedback).trim().to_owned()));
                assert_eq!(&got_fraction.to_string(), fraction, "{what}: sub {} of {response}", i + 1);
                assert_eq!(&got_feedback, feedback, "{what}: sub {} of {response}", i + 1);
            }
            checked += 1;
        }
    }
    assert!(checked >= 9, "{checked} lab questions");
}

// ---------------------------------------------------------------------------
// The export against the key.

/// Checks the Moodle question `q` of the sheet `label` of `solved`: Moodle
/// imports it; every blank of the page is one subquestion in an element
/// with its `data-answer`, in order; a number's only 100% alternative is
/// the key's answer (the printed value counting too) and comes first, its
/// slips are the catalogue's with their question-form hints where they lie
/// outside its tolerance, then the catch-all; a dropdown's right option is
/// the key's; a written question's model answer is in the general feedback.
/// The question's blanks in order: each subquestion's answer id (its
/// wrapper's `data-answer`) and its number.
fn blanks_of(extracted: &Extracted) -> Vec<(String, usize)> {
    let wrapper = Regex::new(r#"<span class="blank" data-answer="([^"]*)">\{#(\d+)\}</span>"#).unwrap();
    wrapper
        .captures_iter(&extracted.text)
        .map(|c| {
            let c = c.unwrap();
            (c[1].to_owned(), c[2].parse().unwrap())
        })
        .collect()
}

fn check_question(templates: &Templates, q: &FileQuestion, solved: &Solved, label: &SheetLabel, what: &str) {
    let extracted: Extracted = cloze::extract(&q.text);
    let errors = cloze::validate(&extracted);
    assert!(errors.is_empty(), "{what}: Moodle would refuse it: {errors:?}");
    assert_eq!(q.kind, "cloze", "{what}");
    assert_eq!(q.idnumber.as_deref(), Some(label.id.as_str()).filter(|id| !id.is_empty()), "{what}: idnumber");
    // Without the page's style, no operator loses its spacing.
    assert!(!q.text.contains("lspace=\"0\""), "{what}: an operator without its space");
    // Nothing of the sheet reads as a blank: the only braces left are the placeholders.
    let count = extracted.subquestions.len();
    assert_eq!(extracted.text.matches('{').count(), count, "{what}: a brace outside the blanks");
    let wrapped = blanks_of(&extracted);
    assert_eq!(wrapped.iter().map(|(_, n)| *n).collect::<Vec<_>>(), (1..=count).collect::<Vec<_>>(), "{what}");
    // The page's blanks, in order: numbers and choices are subquestions,
    // written answers are not.
    let calls = templates.student_blanks(solved, label).unwrap();
    let blanks: Vec<String> =
        calls.iter().filter(|c| c.kind != BlankKind::Response).map(|c| c.id.to_string()).collect();
    assert_eq!(wrapped.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(), blanks, "{what}: the page's blanks");
    let written: Vec<String> =
        calls.iter().filter(|c| c.kind == BlankKind::Response).map(|c| c.id.to_string()).collect();
    let placeholders: Vec<String> = Regex::new(r#"data-written="([^"]*)""#)
        .unwrap()
        .captures_iter(&q.text)
        .map(|c| c.unwrap()[1].to_owned())
        .collect();
    assert_eq!(placeholders, written, "{what}: the written questions");
    for id in &written {
        let Some(Value::Text(model)) = solved.answers.named(id).map(|a| &a.value) else { panic!("{what}: {id}") };
        let item = format!("<li data-model-answer=\"{id}\">{}</li>", html(model));
        assert!(q.feedback.contains(&item), "{what}: the model answer of {id} after the attempt");
    }
    let slips = templates.slips(solved, SlipForm::Question).unwrap();
    let language = &solved.worksheet.presentation.language;
    let right_words = moodle_words(templates, language, "right");
    let not_right = moodle_words(templates, language, "not_right");
    for ((id, n), call) in wrapped.iter().zip(calls.iter().filter(|c| c.kind != BlankKind::Response)) {
        let sub = &extracted.subquestions[n - 1];
        let what = format!("{what}: {id} (subquestion {n})");
        let answer = solved.answers.named(id).unwrap();
        let rights: Vec<_> = sub.alternatives.iter().filter(|a| a.fraction == 1.0).collect();
        assert_eq!(rights.len(), 1, "{what}: one 100% alternative");
        assert_eq!(cloze::strip_tags(&rights[0].feedback), html(&right_words), "{what}");
        let key = match &answer.value {
            Value::Exact(x) => Some(x.clone()),
            Value::Count(c) => Some(Exact::int(*c as i64)),
            Value::Approx(shown, _) => Exact::parse(&page::canonical_decimal(&shown.to_plain_string()).unwrap()),
            Value::Flag(_) | Value::Text(_) => None,
        };
        let Some(key) = key else {
            // A word choice: a dropdown whose right option is the key's words.
            assert_eq!(sub.kind, Kind::MultiChoice { dropdown: true }, "{what}");
            let words_of_key = match &answer.value {
                Value::Flag(value) => templates.phrase(language, &Phrase::YesNo { value: *value }).unwrap(),
                other => other.display(&templates.numbers(language)),
            };
            assert_eq!(cloze::html_entity_decode(&rights[0].answer), words_of_key, "{what}: the key's option");
            assert_eq!(sub.grade(&words_of_key).map(|a| a.fraction), Some(1.0), "{what}");
            assert!(sub.alternatives.len() >= 2, "{what}");
            continue;
        };
        assert_eq!(sub.kind, Kind::Numerical, "{what}");
        assert_eq!(sub.alternatives[0].fraction, 1.0, "{what}: the right answer first, as the first match wins");
        assert_eq!(exact(&rights[0].answer), Some(key.clone()), "{what}: the key's answer");
        let grade = |typed: &str| sub.grade(typed).map(|a| (a.fraction, cloze::strip_tags(&a.feedback)));
        // The key's value, exact and as printed, counts.
        let printed =
            page::canonical_decimal(answer.display(&NumberFormat::english()).trim_start_matches('\u{2248}')).unwrap();
        assert_eq!(grade(&printed).map(|g| g.0), Some(1.0), "{what}: the printed {printed}");
        assert_eq!(grade(&key.to_plain_string()).map(|g| g.0), Some(1.0), "{what}: the exact value");
        // The extension's answers (but z) are rounded to the sheet's digits as the student goes.
        let extension = id.starts_with("ext.") && id != "ext.z";
        let digits = solved.worksheet.extension.map_or(10, |e| e.digits);
        match &answer.value {
            Value::Approx(_, double) => {
                assert_eq!(grade(&format!("{double:e}")).map(|g| g.0), Some(1.0), "{what}: the unrounded {double}");
            }
            _ if call.approximately => {
                for digits in 2..=4 {
                    let rounded = key.round_significant(digits).to_plain_string();
                    assert_eq!(grade(&rounded).map(|g| g.0), Some(1.0), "{what}: {rounded} is approximately right");
                }
            }
            _ if extension => {
                let rounded = key.round_significant(digits).to_plain_string();
                assert_eq!(grade(&rounded).map(|g| g.0), Some(1.0), "{what}: rounded as the sheet asks, {rounded}");
            }
            _ if !answer.is_rounded() => {
                assert_eq!(rights[0].tolerance.as_deref(), Some("0"), "{what}: an exact answer, exactly");
            }
            _ => {}
        }
        // The slips, each with its hint where Moodle can tell it from the key.
        let expected = slips.named(id);
        let mut given = 0;
        for slip in expected {
            let typed = slip.value.to_plain_string();
            if rights[0].accepts_typed(&typed) {
                assert!(
                    !sub.alternatives.iter().any(|a| exact(&a.answer) == Some(slip.value.clone())),
                    "{what}: the slip {typed} lies within the key's tolerance and must not be listed"
                );
                continue;
            }
            given += 1;
            assert_eq!(grade(&typed), Some((0.0, html(&slip.slip))), "{what}: the slip {typed}");
            let question = if language.starts_with("de") { "Hast du" } else { "Did you" };
            assert!(slip.slip.starts_with(question), "{what}: the question form, not {:?}", slip.slip);
        }
        let last = sub.alternatives.last().unwrap();
        assert_eq!((last.answer.as_str(), last.fraction), ("*", 0.0), "{what}: the catch-all last");
        assert_eq!(cloze::strip_tags(&last.feedback), html(&not_right), "{what}");
        assert_eq!(sub.alternatives.len(), 2 + given, "{what}: only the key, its slips and the catch-all");
        // A number that is none of them, beyond the tolerance, gets the catch-all.
        let tolerance = exact(rights[0].tolerance.as_deref().unwrap_or("0")).unwrap();
        let far = (&(&(&key.abs() + &tolerance) * &Exact::int(2)) + &Exact::int(1000)).to_plain_string();
        assert_eq!(grade(&far), Some((0.0, html(&not_right))), "{what}: {far}");
    }
}

/// The shipped configs' sheets, each checked; the category is the config's.
/// A randomized config's drawn sheets are graded by the page's intervals too.
#[test]
fn every_shipped_sheet_is_a_question_moodle_grades_by_the_key() {
    for path in common::shipped_configs() {
        let spec = config::load(&path).unwrap();
        if spec.is_randomized() {
            let request = Request { seed: 7, count: 3, ..Request::default() };
            for sheet in batch::draw(&spec, words(), &request).unwrap() {
                let solved = &sheet.variant.solved;
                let what = format!("{} {}", path.display(), sheet.label.id);
                let question = moodle::question(words(), solved, &spec.stem, &sheet.label).unwrap();
                let xml = moodle::quiz(&solved.worksheet.presentation.title, &spec.stem, &[question]);
                let page = page::page(words(), solved, &spec.stem, &sheet.label).unwrap();
                same_intervals_as_the_page(&read_quiz(&xml)[1], &page, &what);
            }
            continue;
        }
        let solved = generate::solve_fixed(&spec, words()).unwrap();
        let label = SheetLabel::default();
        let question = moodle::question(words(), &solved, &spec.stem, &label).unwrap();
        let xml = moodle::quiz(&solved.worksheet.presentation.title, &spec.stem, &[question]);
        let questions = read_quiz(&xml);
        assert_eq!(questions.len(), 2, "{}: a category and the sheet", path.display());
        assert_eq!(questions[0].kind, "category");
        assert!(questions[0].category.starts_with("$course$/top/"), "{}", questions[0].category);
        assert!(questions[0].category.ends_with(&format!("/{}", spec.stem)), "{}", questions[0].category);
        assert_eq!(questions[1].name, spec.stem);
        check_question(words(), &questions[1], &solved, &label, &path.display().to_string());
        let page = page::page(words(), &solved, &spec.stem, &label).unwrap();
        same_intervals_as_the_page(&questions[1], &page, &path.display().to_string());
    }
}

/// The self-check page's script data: its JSON.
fn page_data(html: &str) -> serde_json::Value {
    let open = "<script type=\"application/json\" id=\"sheet-data\">";
    let start = html.find(open).unwrap() + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end].replace("<\\/", "</")).unwrap()
}

/// A text the page hides (`checks.rs`'s obfuscate): XORed with a SHA-256
/// keystream of the page's salt and `key`, as hex.
fn unmask(salt: &str, key: &str, hex: &str) -> String {
    use sha2::{Digest, Sha256};
    let bytes: Vec<u8> = (0..hex.len() / 2).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect();
    let mut out = Vec::new();
    for (block, chunk) in bytes.chunks(32).enumerate() {
        let stream = Sha256::digest(format!("{salt}|model|{key}|{block}").as_bytes());
        out.extend(chunk.iter().zip(stream.iter()).map(|(b, k)| b ^ k));
    }
    String::from_utf8(out).unwrap()
}

/// Wherever the self-check page grades a number by closeness (the
/// extension's answers, the observations' "approximately", the slips
/// there), its interval is the Moodle question's: the same value and the
/// same tolerance, so neither accepts what the other refuses.
fn same_intervals_as_the_page(q: &FileQuestion, page: &str, what: &str) {
    let data = page_data(page);
    let salt = data["salt"].as_str().unwrap();
    let extracted = cloze::extract(&q.text);
    let subquestions = blanks_of(&extracted);
    // The page's number and choice fields, in order, as the question's blanks.
    let field =
        Regex::new(r#"<(?:input|select) id="f\d+" data-answer="([^"]*)"( data-approximately="true")?"#).unwrap();
    let fields: Vec<(String, bool)> =
        field.captures_iter(page).map(|c| c.unwrap()).map(|c| (c[1].to_owned(), c.get(2).is_some())).collect();
    assert_eq!(
        fields.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        subquestions.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        "{what}"
    );
    let interval = |text: &str| {
        let (value, tolerance) = text.split_once(' ').unwrap();
        (exact(value).unwrap(), exact(tolerance).unwrap())
    };
    let mut compared = 0;
    for ((id, approximately), (_, n)) in fields.iter().zip(&subquestions) {
        let check = &data["checks"][id.as_str()];
        let closeness = check["kind"] == "approx" || *approximately;
        let Some(near) = check["near"].as_str().filter(|_| closeness) else {
            assert!(!closeness, "{what}: {id} has no interval on the page");
            continue;
        };
        let sub = &extracted.subquestions[n - 1];
        let right = &sub.alternatives[0];
        let moodle = (exact(&right.answer).unwrap(), exact(right.tolerance.as_deref().unwrap_or("0")).unwrap());
        assert_eq!(interval(&unmask(salt, &format!("{id}|near"), near)), moodle, "{what}: {id}, the right answer");
        compared += 1;
        // Each slip Moodle lists, as closely as the page recognises it.
        let page_slips: Vec<(Exact, Exact)> = check["slips"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, slip)| Some(interval(&unmask(salt, &format!("{id}|slip{i}"), slip["near"].as_str()?))))
            .collect();
        for alternative in &sub.alternatives[1..] {
            if alternative.answer == "*" {
                continue;
            }
            let slip =
                (exact(&alternative.answer).unwrap(), exact(alternative.tolerance.as_deref().unwrap_or("0")).unwrap());
            assert!(check["kind"] == "approx" || page_slips.contains(&slip), "{what}: {id}, the slip {slip:?}");
        }
    }
    assert!(compared > 0 || !page.contains("data-approximately"), "{what}: nothing compared");
}

/// The sheets a batch run made, drawn again through the library.
fn drawn(config: &str, request: &Request) -> Vec<batch::Sheet> {
    let spec = config::load(&root().join(config)).unwrap();
    batch::draw(&spec, words(), request).unwrap()
}

/// A batch of three and a roster of three are each one file: the category,
/// then a question per sheet in order, named by variant or student.
#[test]
fn a_batch_and_a_roster_are_one_file_with_a_question_per_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let generate = |extra: &[&str]| {
        let args =
            [&["generate", "configs/randomized.yaml", "--seed", "7", "--out", s(&out), "--quiet"], extra].concat();
        let output = run(&args);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    };
    generate(&["--variants", "3", "--format", "moodle"]);
    let xml = std::fs::read_to_string(out.join("randomized-moodle.xml")).unwrap();
    let questions = read_quiz(&xml);
    let sheets = drawn("configs/randomized.yaml", &Request { seed: 7, count: 3, ..Request::default() });
    assert_eq!(questions.len(), 1 + sheets.len(), "a category and three sheets");
    assert_eq!(
        questions[0].category,
        format!("$course$/top/{}/randomized", sheets[0].variant.solved.worksheet.presentation.title)
    );
    for (q, sheet) in questions[1..].iter().zip(&sheets) {
        assert_eq!(q.name, format!("randomized {}", sheet.label.id));
        check_question(words(), q, &sheet.variant.solved, &sheet.label, &format!("batch {}", sheet.label.id));
    }
    // One sheet again: a file of its own, which a whole run later removes.
    generate(&["--variants", "3", "--variant", "2", "--format", "moodle"]);
    let single = read_quiz(&std::fs::read_to_string(out.join("randomized-v02-moodle.xml")).unwrap());
    assert_eq!(single.len(), 2);
    check_question(words(), &single[1], &sheets[1].variant.solved, &sheets[1].label, "variant 2 alone");
    generate(&["--variants", "3", "--format", "moodle,html"]);
    assert!(!out.join("randomized-v02-moodle.xml").exists(), "a whole run replaces the single sheet's file");
    assert!(out.join("randomized-v03-student.html").exists());
    let names = ["Ada Lovelace", "Zoë O’Brien", "Émile \"Ace\" Dupont & Co"];
    let roster = dir.path().join("class.csv");
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["name"]).unwrap();
    for name in names {
        writer.write_record([name]).unwrap();
    }
    std::fs::write(&roster, writer.into_inner().unwrap()).unwrap();
    // The batch's sheets are replaced by the roster's: said with --replace.
    generate(&["--roster", s(&roster), "--format", "pdf,moodle", "--replace"]);
    let questions = read_quiz(&std::fs::read_to_string(out.join("randomized-moodle.xml")).unwrap());
    let roster_names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let sheets =
        drawn("configs/randomized.yaml", &Request { seed: 7, roster: Some(roster_names), ..Request::default() });
    assert_eq!(questions.len(), 4);
    for ((q, sheet), name) in questions[1..].iter().zip(&sheets).zip(names) {
        assert_eq!(q.name, name, "named after the student");
        check_question(words(), q, &sheet.variant.solved, &sheet.label, name);
    }
    assert!(out.join("randomized-ada-lovelace-student.pdf").exists(), "beside the PDFs");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random 2–5 layer sheets, with decimals and extensions.
    #[test]
    fn random_sheets_are_questions_moodle_grades_by_the_key(yaml in common::random_config()) {
        // A draw whose starting error is 0 is rejected by the loader or solver: skip it.
        let Ok(spec) = config::parse(&yaml, "generated.yaml", "generated") else { return Ok(()) };
        let Ok(solved) = generate::solve_fixed(&spec, words()) else { return Ok(()) };
        let label = SheetLabel::default();
        let question = moodle::question(words(), &solved, "generated", &label).unwrap();
        let questions = read_quiz(&moodle::quiz(&solved.worksheet.presentation.title, "generated", &[question]));
        check_question(words(), &questions[1], &solved, &label, &yaml);
        let page = page::page(words(), &solved, "generated", &label).unwrap();
        same_intervals_as_the_page(&questions[1], &page, &yaml);
    }
}

/// Words with every character Moodle's Cloze syntax or HTML treats
/// specially, in the Moodle template, in a slip's question form and in the
/// config's title, reach the student as written: nothing cuts a blank, and
/// nothing of the sheet becomes one.
#[test]
fn hostile_words_are_escaped() {
    const HOSTILE: &str = "}#~\\\"<b>&amp; {1:SHORTANSWER:=x}";
    let dir = tempfile::tempdir().unwrap();
    let templates_dir = dir.path().join("templates");
    std::fs::create_dir(&templates_dir).unwrap();
    common::template_with(&templates_dir, MOODLE_TEMPLATE, |t| {
        t.replace("Right.", &format!("Right {HOSTILE}")).replace("Not the key's answer.", &format!("No {HOSTILE}"))
    });
    let answers = std::fs::read_to_string(templates_dir.join("answers.txt.j2")).unwrap();
    // The `did` macro's words for the ½ forgotten ("Did you forget the ½?").
    let forgot = "forget the ½";
    assert_eq!(answers.matches(forgot).count(), 1);
    let choice = "{% if direction == \"increase\" %}increase{% else %}decrease{% endif %}";
    assert!(answers.contains(choice));
    let answers = answers.replacen(forgot, HOSTILE, 1).replace(
        choice,
        &format!("{{% if direction == \"increase\" %}}up {HOSTILE}{{% else %}}down {HOSTILE}{{% endif %}}"),
    );
    std::fs::write(templates_dir.join("answers.txt.j2"), answers).unwrap();
    let templates = Templates::load(Some(&templates_dir)).unwrap();
    let yaml = std::fs::read_to_string(root().join("configs/classic.yaml")).unwrap();
    let yaml = yaml.replace(
        "title: How Does AI Learn - Intro to Backpropagation in Neural Networks",
        "title: \"Week {1:NUMERICAL:=1} <i>&amp; How Does AI Learn\"",
    );
    let spec = config::parse(&yaml, "hostile.yaml", "hostile/1").unwrap();
    let solved = generate::solve_fixed(&spec, &templates).unwrap();
    let label = SheetLabel { id: "v01".to_owned(), student: Some("{1:NM:=1} <b>Bo</b> & \"Al\"".to_owned()), qr: None };
    let question = moodle::question(&templates, &solved, "hostile/1", &label).unwrap();
    assert!(question.feedback.contains("data-model-answer"), "the general feedback has the model answers");
    let questions = read_quiz(&moodle::quiz(&solved.worksheet.presentation.title, "hostile/1", &[question]));
    assert_eq!(questions[0].category, "$course$/top/Week {1:NUMERICAL:=1} <i>&amp; How Does AI Learn/hostile//1");
    assert_eq!(questions[1].name, "{1:NM:=1} <b>Bo</b> & \"Al\"");
    check_question(&templates, &questions[1], &solved, &label, "hostile words");
    // The hint reads as written once Moodle shows its HTML.
    let hint = format!("Did you {HOSTILE}?");
    let extracted = cloze::extract(&questions[1].text);
    let feedbacks = extracted.subquestions.iter().flat_map(|s| &s.alternatives).map(|a| &a.feedback);
    assert_eq!(feedbacks.filter(|f| cloze::html_entity_decode(f) == hint).count(), 1, "the hint of forgetting the ½");
}

/// A mistake in the Moodle template is an error at its line, exit code 1,
/// before anything is written, and `check` finds it too; `generate --check`
/// compares the Moodle file like any other.
#[test]
fn the_moodle_template_is_checked_and_so_is_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    common::template_with(&templates, MOODLE_TEMPLATE, |t| t.replace("Right.", "Right {{ misspelt }}."));
    let line = std::fs::read_to_string(templates.join(MOODLE_TEMPLATE))
        .unwrap()
        .lines()
        .position(|l| l.contains("misspelt"))
        .unwrap()
        + 1;
    let out_dir = dir.path().join("out");
    let generate = ["generate", "configs/classic.yaml", "--format", "pdf,moodle", "--out", s(&out_dir), "--quiet"];
    let err = common::expect_exit(&run(&[&generate[..], &["--templates", s(&templates)]].concat()), 1, "generate");
    assert!(err.contains(&format!("{MOODLE_TEMPLATE}:{line}")), "{err}");
    assert!(!out_dir.exists(), "nothing written");
    let err = common::expect_exit(&run(&["check", "configs/classic.yaml", "--templates", s(&templates)]), 1, "check");
    assert!(err.contains(&format!("{MOODLE_TEMPLATE}:{line}")), "{err}");
    // The built-in templates: written, then up to date, then stale once changed.
    common::expect_exit(&run(&generate), 0, "generate");
    let file = out_dir.join("classic-moodle.xml");
    assert!(file.exists() && out_dir.join("classic-key.pdf").exists());
    common::expect_exit(&run(&[&generate[..], &["--check"]].concat()), 0, "up to date");
    std::fs::write(&file, std::fs::read_to_string(&file).unwrap().replace("=4.5:0#", "=4.6:0#")).unwrap();
    let err = common::expect_exit(&run(&[&generate[..], &["--check"]].concat()), 1, "stale");
    assert!(err.contains("stale:   ") && err.contains("classic-moodle.xml"), "{err}");
}
