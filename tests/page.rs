//! The self-check page (`generate --format html`): the whole student sheet,
//! the same blanks as the PDF, no answer in its source, formulas that
//! recompute the key, its words from the templates, and what the HTML export
//! cannot show caught at its template line. The page in real browsers is
//! `tests/browser.rs`.

use crate::common;

use std::collections::BTreeSet;

use backprop_worksheet::answers::{Blank, Solved, Value};
use backprop_worksheet::render::SheetLabel;
use backprop_worksheet::{config, generate, page};
use common::{page_fields, root, run, s, words};

/// The shipped config `name` solved, and its page.
fn shipped_page(name: &str) -> (Solved, SheetLabel, String) {
    let spec = config::load(&root().join(format!("configs/{name}.yaml"))).unwrap();
    let solved = generate::solve_fixed(&spec, words()).unwrap();
    let label = SheetLabel::default();
    let html = page::page(words(), &solved, name, &label).unwrap();
    (solved, label, html)
}

#[test]
fn the_page_has_the_blanks_of_the_pdf_in_order() {
    for name in ["classic", "three-layers", "negative-fractional"] {
        let (solved, label, html) = shipped_page(name);
        // The ids the worksheet template prints blanks for, in order.
        let recorded = page::student_blank_ids(words(), &solved, &label).unwrap();
        assert_eq!(page_fields(&html), recorded, "{name}: the page's fields are the PDF's blanks, in order");
        // The same number of slots as the student's real Typst source has.
        let markup = words().render(&solved, backprop_worksheet::render::Version::Student, &label).unwrap();
        let slots = ["#blank(", "#cellblank(", "#ruled("].iter().map(|f| markup.matches(f).count()).sum::<usize>();
        assert_eq!(recorded.len(), slots, "{name}: one field per slot of the student PDF");
        let set: BTreeSet<&String> = recorded.iter().collect();
        assert!(set.contains(&"y".to_owned()) && set.contains(&"grad_w1".to_owned()));
    }
}

#[test]
fn the_page_holds_no_answer_in_clear() {
    for name in ["classic", "three-layers", "negative-fractional"] {
        let (solved, label, html) = shipped_page(name);
        // What the student's PDF prints anyway: its Typst source.
        let printed = words().render(&solved, backprop_worksheet::render::Version::Student, &label).unwrap();
        let numbers: BTreeSet<&str> = printed
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '\u{2212}'))
            .map(|t| t.trim_end_matches('.'))
            .collect();
        let blanks: BTreeSet<String> = page_fields(&html).into_iter().collect();
        for answer in solved.answers.iter().filter(|a| blanks.contains(&a.id.to_string())) {
            match &answer.value {
                // A word choice offers its words as options, for every sheet alike.
                Value::Text(_)
                    if answer.id.to_string().ends_with(".direction") || answer.id.to_string() == "strongest_weight" => {
                }
                Value::Text(text) => assert!(!html.contains(text.as_str()), "{name}: model answer of {}", answer.id),
                Value::Exact(_) | Value::Approx(..) => {
                    let shown = answer.value.display(&backprop_worksheet::number::NumberFormat::english());
                    // As text in an element, a MathML number, or an attribute.
                    for form in [format!(">{shown}<"), format!("\"{shown}\""), format!("=\"{shown}\"")] {
                        let in_pdf = numbers.contains(shown.as_str());
                        assert!(in_pdf || !html.contains(&form), "{name}: {} ({form}) in the page", answer.id);
                    }
                }
                _ => {}
            }
        }
        for external in ["<link", " src=", "@import", "url(", "http-equiv=\"refresh"] {
            assert!(!html.contains(external), "{name}: the page loads nothing: found {external}");
        }
    }
}

#[test]
fn the_formulas_recompute_the_key() {
    for name in ["classic", "three-layers", "negative-fractional", "overshoot"] {
        let spec = config::load(&root().join(format!("configs/{name}.yaml"))).unwrap();
        let solved = generate::solve_fixed(&spec, words()).unwrap();
        let key = |id: Blank| match solved.answers.get(id).map(|a| &a.value) {
            Some(Value::Exact(x)) => Some(x.clone()),
            _ => None,
        };
        let formulas = page::formulas(&solved);
        assert!(formulas.len() > 20, "{name}: {} formulas", formulas.len());
        for (id, list) in &formulas {
            for formula in list {
                // The extension's sigmoid and tanh have no exact value.
                let value = formula.evaluate(&key);
                if value.is_some() || !id.to_string().starts_with("ext.") {
                    assert_eq!(value, key(*id), "{name}: the formula of {id}");
                }
            }
        }
    }
}

#[test]
fn batches_write_a_page_per_variant() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "generate",
        "configs/randomized.yaml",
        "--variants",
        "2",
        "--seed",
        "7",
        "--format",
        "html",
        "--out",
        s(dir.path()),
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert!(names.contains(&"randomized-v01-student.html".to_owned()), "{names:?}");
    assert!(names.contains(&"randomized-v02-student.html".to_owned()), "{names:?}");
    assert!(!names.iter().any(|n| n.ends_with(".pdf")), "html alone typesets nothing: {names:?}");
}

/// The page is the student version, whole: every heading, the introduction,
/// the two drawings with alt text, the tables, every equation as MathML with
/// its spoken form, and nothing of Typst's placeholders left.
#[test]
fn the_page_is_the_whole_student_sheet() {
    for name in ["classic", "three-layers", "negative-fractional"] {
        let (solved, label, html) = shipped_page(name);
        let markup = words().render(&solved, backprop_worksheet::render::Version::Student, &label).unwrap();
        let headings = |prefix: &str| markup.lines().filter(|l| l.starts_with(prefix)).count();
        assert_eq!(html.matches("<h2>").count(), headings("= "), "{name}: parts");
        assert_eq!(html.matches("<h3>").count(), headings("== "), "{name}: tasks and sections");
        assert_eq!(html.matches("<h1>").count(), 1, "{name}: the title");
        assert!(html.contains("You\u{2019}re going to discover how neural networks learn"), "{name}: the introduction");
        assert!(html.contains("Real-World Impact"), "{name}: the closing box");
        assert_eq!(html.matches("<table>").count(), markup.matches("#fit-table(").count(), "{name}: the tables");
        // The diagram and the plot: images a screen reader can describe.
        let figures: Vec<&str> = html.split("<figure role=\"img\" aria-label=\"").skip(1).collect();
        assert_eq!(figures.len(), 2, "{name}: the diagram and the plot");
        assert!(figures[0].starts_with("The network as a chain of"), "{name}: {}", &figures[0][..60]);
        assert!(figures[1].starts_with("An empty grid for plotting"), "{name}: {}", &figures[1][..60]);
        assert!(figures.iter().all(|f| f.split_once('>').unwrap().1.starts_with("<svg")), "{name}: drawn as SVG");
        // Every equation is MathML with its spoken form.
        let equations = html.matches("<math").count();
        assert!(equations > 50, "{name}: {equations} equations");
        assert_eq!(html.matches("<math alttext=\"").count(), equations, "{name}: an equation without alt text");
        assert!(
            html.contains("alttext=\"h equals 3 times x plus w 1 equals 3 times blank plus blank equals blank\"")
                || name != "classic"
        );
        for leftover in ["data-field=", "data-alt=", "#field(", "\u{E000}"] {
            assert!(!html.contains(leftover), "{name}: {leftover} left in the page");
        }
        // A field in an equation is HTML inside MathML's text element.
        assert!(html.contains("<mtext><span class=\"field number\">"), "{name}: fields in equations");
    }
}

/// The page's words come from the templates: a reworded answers template
/// rewords the options of a word choice (their values stay, for checking),
/// and the page template may be overridden and is HTML-escaped.
#[test]
fn the_page_is_worded_by_the_templates() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    common::template_with(&templates, "answers.txt.j2", |t| {
        t.replace(
            "{% if direction == \"increase\" %}increase{% else %}decrease{% endif %}",
            "{% if direction == \"increase\" %}raise it{% else %}lower it{% endif %}",
        )
    });
    let page_template = templates.join("page-words.html.j2");
    let page_text = std::fs::read_to_string(&page_template).unwrap();
    std::fs::write(
        &page_template,
        page_text.replace("\"\\u2713 correct\"", "\"\\u2713 richtig\"").replace(
            "{%- elif b.kind == \"reflection_factors\" %}number of derivatives",
            "{%- elif b.kind == \"reflection_factors\" %}Anzahl der Ableitungen",
        ),
    )
    .unwrap();
    let config = dir.path().join("odd <title>.yaml");
    let yaml = std::fs::read_to_string(root().join("configs/classic.yaml")).unwrap();
    std::fs::write(&config, yaml.replace("title: How Does AI Learn", "title: Q&A <b>How Does AI Learn")).unwrap();
    let out = run(&[
        "generate",
        s(&config),
        "--format",
        "html",
        "--templates",
        s(&templates),
        "--out",
        s(dir.path()),
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(dir.path().join("odd <title>-student.html")).unwrap();
    assert!(html.contains("<option value=\"increase\">raise it</option><option value=\"decrease\">lower it</option>"));
    assert!(html.contains("<title>Q&amp;A &lt;b&gt;How Does AI Learn"), "the title is escaped");
    assert!(html.contains("\"\\u2713 richtig\""), "the script's words come from the page template");
    assert!(html.contains("class=\"sr\">Anzahl der Ableitungen</label>"), "so do the fields' labels");
    assert!(!html.contains("<b>How"), "no markup from the config");
}

/// What Typst's HTML export would leave out of the page is an error at the
/// template line that makes it, before any file is written; the PDFs of the
/// same template are fine.
#[test]
fn content_the_page_would_lose_is_an_error_at_its_template_line() {
    // Before any blank, and after blanks of every kind (slots, a written answer).
    for before in ["= Introduction\n", "= Phase 2: Experimental Discovery"] {
        let dir = tempfile::tempdir().unwrap();
        let templates = dir.path().join("templates");
        std::fs::create_dir(&templates).unwrap();
        common::template_with(&templates, "worksheet.typ.j2", |t| {
            t.replacen(before, &format!("#rect(width: 2cm, height: 1cm)\n\n{before}"), 1)
        });
        let line = std::fs::read_to_string(templates.join("worksheet.typ.j2"))
            .unwrap()
            .lines()
            .position(|l| l.starts_with("#rect("))
            .unwrap()
            + 1;
        let out_dir = dir.path().join("out");
        let args = ["generate", "configs/classic.yaml", "--templates", s(&templates), "--out", s(&out_dir), "--quiet"];
        let out = run(&[&args[..], &["--format", "pdf,html"]].concat());
        let err = common::expect_exit(&out, 1, "content the page loses");
        assert!(err.contains(&format!("worksheet.typ.j2:{line}")), "{err}");
        assert!(err.contains("rect was ignored during HTML export"), "{err}");
        assert!(!out_dir.exists() || std::fs::read_dir(&out_dir).unwrap().next().is_none(), "nothing written");
        let out = run(&[&args[..], &["--format", "pdf"]].concat());
        common::expect_exit(&out, 0, "the PDFs alone");
    }
}

/// A slip's words are written for the place they appear, each form its own
/// template text: the key's rubric, the page's question, the manifests.
#[test]
fn a_slip_is_worded_for_each_place() {
    use backprop_worksheet::slips::SlipForm;
    let spec = config::load(&root().join("configs/classic.yaml")).unwrap();
    let solved = generate::solve_fixed(&spec, words()).unwrap();
    let forgot_half = |form| {
        let slips = words().slips(&solved, form).unwrap();
        let error = slips.named("error");
        assert_eq!(error[0].value.to_plain_string(), "9", "{form:?}: E = (y − target)²");
        error[0].slip.clone()
    };
    assert_eq!(forgot_half(SlipForm::Rubric), "forgot the ½");
    assert_eq!(forgot_half(SlipForm::Question), "Did you forget the ½?");
    assert_eq!(forgot_half(SlipForm::Manifest), "forgot the ½");
    // A question never gives away the blank's right answer (dy/dh = 2).
    let questions = words().slips(&solved, SlipForm::Question).unwrap();
    assert_eq!(questions.named("dy_dh1")[0].slip, "Did you use the coefficient of another layer for dy/dh?");
    let rubric = words().slips(&solved, SlipForm::Rubric).unwrap();
    assert_eq!(rubric.named("dE_dy")[0].slip, "the sign: target − y instead of y − target");
    let manifest = words().slips(&solved, SlipForm::Manifest).unwrap();
    assert_eq!(manifest.named("dE_dy")[0].slip, "took target − y instead of y − target");
}

/// The JSON in the page's `<script type="application/json" id="…">`.
fn script_json(html: &str, id: &str) -> serde_json::Value {
    let open = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = html.find(&open).unwrap() + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end].replace("<\\/", "</")).unwrap()
}

/// Every hint the shipped configs' pages can show (the common slips of the
/// key and those on a student's own numbers, worded as questions) and the
/// summary's counts in each plural form, as a snapshot to read.
#[test]
fn the_hints_and_counts_read_as_good_english() {
    let mut text = String::new();
    for name in ["classic", "three-layers", "negative-fractional", "overshoot"] {
        let (_, _, html) = shipped_page(name);
        text.push_str(&format!("== {name}\n"));
        let data = script_json(&html, "sheet-data");
        for (id, check) in data["checks"].as_object().unwrap() {
            let mut hints: Vec<&str> = ["slips", "own_slips"]
                .iter()
                .flat_map(|list| check[*list].as_array().into_iter().flatten())
                .map(|slip| slip["hint"].as_str().unwrap())
                .collect();
            hints.sort_unstable();
            hints.dedup();
            for hint in hints {
                assert!(hint.starts_with("Did you ") && hint.ends_with('?'), "{name}: {id}: {hint}");
                text.push_str(&format!("{id}: {hint}\n"));
            }
        }
    }
    // The counts as the page words them: English has the forms "one" and "other".
    let (_, _, html) = shipped_page("classic");
    let words = script_json(&html, "page-words");
    text.push_str("== the summary's counts\n");
    for (state, forms) in words["counts"].as_object().unwrap() {
        for (n, form) in [(1, "one"), (2, "other"), (6, "other")] {
            text.push_str(&format!("{state} {n}: {}\n", forms[form].as_str().unwrap().replace("{n}", &n.to_string())));
        }
    }
    insta::assert_snapshot!(text);
}
