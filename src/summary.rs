//! The grading summary at the end of a class key pack: one row of key
//! answers per sheet, typeset a page of rows at a time.

use minijinja::value::Value as JValue;
use serde::Serialize;

use crate::answers::{Answers, Blank, Given, Node, Weight};
use crate::config::WorksheetSpec;
use crate::error::{Error, Result};
use crate::render::{SheetLabel, Templates, SUMMARY_TEMPLATE};
use crate::typeset;

/// Rows of the grading summary typeset at a time: one landscape page.
const SUMMARY_ROWS: usize = 24;

/// One sheet of the batch, as the summary lists it.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// Its variant id.
    pub id: &'a str,
    /// Its roster student, if any.
    pub student: Option<&'a str>,
    /// Its answers: all of them, or at least those of [`row_answers`].
    pub answers: &'a Answers,
}

impl<'a> Entry<'a> {
    /// The entry of the sheet labelled `label`, with `answers`.
    pub fn new(label: &'a SheetLabel, answers: &'a Answers) -> Entry<'a> {
        Entry { id: &label.id, student: label.student.as_deref(), answers }
    }
}

/// The answers of a sheet that its row of the summary may show: what a batch
/// keeps of each sheet for the summary, instead of every answer.
pub fn row_answers(answers: &Answers) -> Answers {
    let shown: Vec<Blank> = columns_where(answers.layers(), |_| true).into_iter().map(|(id, _)| id).collect();
    answers.only(|id| shown.contains(&id))
}

/// One part of a batch's grading summary. The summary is typeset a part at a
/// time, so the memory it takes does not grow with the batch.
#[derive(Debug, Clone)]
struct Part {
    /// The sheets whose rows this part holds; the first part also has the title.
    rows: std::ops::Range<usize>,
    /// The number of the part's first page.
    first_page: usize,
    /// How many pages the whole summary has.
    pages: usize,
}

/// One row of the summary table.
#[derive(Serialize)]
struct SummaryRow {
    id: String,
    student: String,
    cells: Vec<String>,
}

/// A column's header, as the summary template words it: its `kind`
/// (`math`, or for a header with words `target`, `coefficient`,
/// `learning_rate`, `nudge`, `new_error`) and its notation as Typst maths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Header {
    kind: &'static str,
    math: String,
}

/// The summary's columns, as (answer id, header): the givens (every one
/// that varies across the batch, so a grader sees which network a row is),
/// then the key answers. Headers use the sheet's notation: the coefficient
/// of a layer is the factor on the diagram's arrow into it.
fn columns(layers: usize, entries: &[Entry]) -> Vec<(Blank, Header)> {
    columns_where(layers, |id: Blank| {
        let mut values = entries.iter().map(|e| e.answers.get(id).map(|a| &a.value));
        let first = values.next().flatten();
        values.any(|v| v != first)
    })
}

/// The columns of [`columns`], with the givens that may be left out shown
/// where `varies` says they vary.
fn columns_where(layers: usize, varies: impl Fn(Blank) -> bool) -> Vec<(Blank, Header)> {
    let header = |kind, math: String| Header { kind, math };
    let math = |m: String| header("math", m);
    let mut columns: Vec<(Blank, Header)> = vec![
        (Blank::Given(Given::Input), math("x".into())),
        (Blank::Given(Given::Target), header("target", String::new())),
    ];
    for j in 0..layers {
        let id = Blank::Given(Given::Coefficient(j));
        if varies(id) {
            columns.push((id, header("coefficient", Node::new(j, layers).math())));
        }
    }
    for k in 0..layers {
        columns.push((Blank::Given(Given::Weight(Weight(k))), math(Weight(k).math())));
    }
    if varies(Blank::Given(Given::LearningRate)) {
        columns.push((Blank::Given(Given::LearningRate), header("learning_rate", String::new())));
    }
    if varies(Blank::Given(Given::Nudge)) {
        columns.push((Blank::Given(Given::Nudge), header("nudge", String::new())));
    }
    columns.push((Blank::Value(Node::output(layers)), math("y".into())));
    columns.push((Blank::Error, math("E".into())));
    for k in (0..layers).rev() {
        let gradient = Blank::Gradient(Weight(k));
        columns.push((gradient, math(gradient.math().unwrap_or_default())));
    }
    columns.push((Blank::NewError, header("new_error", String::new())));
    columns
}

/// Renders one part of the summary: the rows of the entries in `part.rows`.
/// The columns are chosen from the whole batch, so every part has the same.
fn render_part(spec: &WorksheetSpec, templates: &Templates, entries: &[Entry], part: &Part) -> Result<String> {
    let layers = spec.layers.len();
    let language = &spec.presentation.language;
    let numbers = templates.numbers(language);
    let columns = columns(layers, entries);
    let headers: Vec<JValue> = columns
        .iter()
        .map(|(_, h)| minijinja::context! { kind => h.kind, math => JValue::from_safe_string(h.math.clone()) })
        .collect();
    let rows: Vec<SummaryRow> = entries
        .get(part.rows.clone())
        .unwrap_or_default()
        .iter()
        .map(|entry| SummaryRow {
            id: entry.id.to_owned(),
            student: entry.student.unwrap_or_default().to_owned(),
            cells: columns
                .iter()
                .map(|(id, _)| entry.answers.get(*id).map(|a| a.display(&numbers)).unwrap_or_default())
                .collect(),
        })
        .collect();
    let ctx = minijinja::context! {
        doc => JValue::from(minijinja::value::Serde(&spec.presentation)),
        headers => headers,
        rows => JValue::from(minijinja::value::Serde(&rows)),
        roster => entries.iter().any(|e| e.student.is_some()),
        first => part.rows.start == 0,
        first_page => part.first_page,
        pages => part.pages,
    };
    templates.render_template(language, SUMMARY_TEMPLATE, ctx)
}

/// The grading summary at the end of the key pack, as one PDF per part of
/// [`SUMMARY_ROWS`] rows, with Typst's caches evicted after each: laying out
/// a table of every variant at once would take memory in proportion to the
/// batch (240 MiB for 1,000 variants).
///
/// Pages are numbered across the parts, "page x of y". A part is one page
/// unless long roster names wrap its rows; then the parts are typeset again
/// with the true page count.
pub fn pdfs(spec: &WorksheetSpec, templates: &Templates, entries: &[Entry]) -> Result<Vec<Vec<u8>>> {
    let split = part_rows(entries.len());
    let parts = split.len();
    let mut pages = parts;
    let mut settled = false;
    loop {
        let mut pdfs = Vec::with_capacity(parts);
        let mut next_page = 1;
        for (part, rows) in split.iter().cloned().enumerate() {
            let markup = render_part(spec, templates, entries, &Part { rows, first_page: next_page, pages })?;
            let doc = typeset::compile(&markup).map_err(|d| {
                let messages: Vec<String> = d.iter().map(ToString::to_string).collect();
                Error::msg(format!("the grading summary does not compile: {}", messages.join("; ")))
            })?;
            next_page += doc.page_count();
            let ident = format!("backprop-worksheet/{}/summary/{}", spec.stem, part + 1);
            pdfs.push(typeset::pdf(&doc, &ident).map_err(Error::msg)?);
            typeset::evict_caches();
        }
        // Page breaks do not depend on the page count in the footer, so the
        // second pass, if any, numbers every page right.
        if next_page - 1 == pages || settled {
            return Ok(pdfs);
        }
        pages = next_page - 1;
        settled = true;
    }
}

/// The markup of each part of the grading summary, its pages numbered as
/// though each part were one page: what [`pdfs`] typesets, for tests of its
/// layout.
pub fn parts_markup(spec: &WorksheetSpec, templates: &Templates, entries: &[Entry]) -> Result<Vec<String>> {
    let split = part_rows(entries.len());
    let pages = split.len();
    split
        .into_iter()
        .enumerate()
        .map(|(k, rows)| render_part(spec, templates, entries, &Part { rows, first_page: k + 1, pages }))
        .collect()
}

/// The rows of each part of a summary of `count` sheets: as few parts as
/// [`SUMMARY_ROWS`] rows a part allow, of sizes that differ by at most one
/// (25 sheets are 12 and 13 rows, not 24 and a lone row on a page of its own).
fn part_rows(count: usize) -> Vec<std::ops::Range<usize>> {
    let parts = count.div_ceil(SUMMARY_ROWS).max(1);
    (0..parts).map(|part| part * count / parts..(part + 1) * count / parts).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in templates, loaded once.
    static TEMPLATES: std::sync::LazyLock<Templates> = std::sync::LazyLock::new(|| Templates::load(None).unwrap());

    fn entries(sheets: &[crate::batch::Sheet]) -> Vec<Entry<'_>> {
        sheets.iter().map(|s| Entry::new(&s.label, &s.variant.solved.answers)).collect()
    }

    /// The footers of the summary parts, in order, and how many pages they have.
    fn footers_of(pdfs: &[Vec<u8>]) -> (Vec<String>, usize) {
        let mut footers = Vec::new();
        for pdf in pdfs {
            for page in pdf_extract::extract_text_from_mem_by_pages(pdf).expect("readable PDF") {
                let footer = page.lines().rev().find(|l| l.contains("Grading summary ·")).unwrap_or_default();
                footers.push(footer.trim().to_owned());
            }
        }
        let count = footers.len();
        (footers, count)
    }

    #[test]
    fn summary_parts_number_their_pages_across_the_summary() {
        let spec = crate::config::load(std::path::Path::new("configs/randomized.yaml")).unwrap();
        let templates = Templates::load(None).unwrap();
        let expect = |count: usize| -> Vec<String> {
            (1..=count).map(|k| format!("Grading summary · page {k} of {count}")).collect()
        };

        // Short rows: one page per part of SUMMARY_ROWS rows, the title on the first.
        let sheets = crate::batch::draw(
            &spec,
            &templates,
            &crate::batch::Request { seed: 1, count: 30, only: None, ..Default::default() },
        )
        .unwrap();
        let pdfs = super::pdfs(&spec, &templates, &entries(&sheets)).unwrap();
        assert_eq!(pdfs.len(), 2);
        let (footers, count) = footers_of(&pdfs);
        assert_eq!(count, 2);
        assert_eq!(footers, expect(2));

        // Long roster names wrap the rows, so a part takes more than a page:
        // the pages are still numbered "x of y" with the true count.
        let names: Vec<String> =
            (0..48).map(|i| format!("Student {i} {}", "with a very long name ".repeat(8))).collect();
        let request = crate::batch::Request { seed: 1, count: 0, roster: Some(names), ..Default::default() };
        let sheets = crate::batch::draw(&spec, &templates, &request).unwrap();
        let pdfs = super::pdfs(&spec, &templates, &entries(&sheets)).unwrap();
        let (footers, count) = footers_of(&pdfs);
        assert!(count > 2, "long names should wrap onto more pages than parts");
        assert_eq!(footers, expect(count));
    }

    #[test]
    fn summary_rows_are_split_evenly_over_the_fewest_pages() {
        let sizes = |count: usize| part_rows(count).iter().map(ExactSizeIterator::len).collect::<Vec<_>>();
        assert_eq!(sizes(0), [0]);
        assert_eq!(sizes(24), [24]);
        assert_eq!(sizes(25), [12, 13]);
        assert_eq!(sizes(49), [16, 16, 17]);
        assert_eq!(sizes(1000).len(), 42);
        for count in 1..200 {
            let parts = part_rows(count);
            assert_eq!(parts.first().unwrap().start, 0);
            assert_eq!(parts.last().unwrap().end, count);
            assert!(parts.windows(2).all(|w| w[0].end == w[1].start));
            let (lo, hi) = (sizes(count).into_iter().min().unwrap(), sizes(count).into_iter().max().unwrap());
            assert!(hi - lo <= 1 && hi <= SUMMARY_ROWS, "{count}: {:?}", sizes(count));
        }
    }

    #[test]
    fn every_summary_page_says_answer_key() {
        let spec = crate::config::load(std::path::Path::new("configs/randomized.yaml")).unwrap();
        let request = crate::batch::Request { seed: 1, count: 25, only: None, ..Default::default() };
        let sheets = crate::batch::draw(&spec, &*TEMPLATES, &request).unwrap();
        let pdfs = super::pdfs(&spec, &TEMPLATES, &entries(&sheets)).unwrap();
        let mut rows_per_page = Vec::new();
        for pdf in &pdfs {
            for page in pdf_extract::extract_text_from_mem_by_pages(pdf).expect("readable PDF") {
                assert!(page.contains("ANSWER KEY"), "{page}");
                rows_per_page.push(sheets.iter().filter(|s| page.split_whitespace().any(|w| w == s.label.id)).count());
            }
        }
        assert_eq!(rows_per_page, [12, 13]);
    }

    /// The headers of the summary of `sheets`: each its kind and notation.
    fn headers_of(spec: &WorksheetSpec, sheets: &[crate::batch::Sheet]) -> Vec<String> {
        let headers = columns(spec.layers.len(), &entries(sheets));
        headers.into_iter().map(|(_, h)| format!("{} {}", h.kind, h.math)).collect()
    }

    #[test]
    fn givens_that_vary_get_a_column() {
        let spec = crate::config::load(std::path::Path::new("configs/randomized.yaml")).unwrap();
        let templates = Templates::load(None).unwrap();
        let request = crate::batch::Request { seed: 1, count: 30, only: None, ..Default::default() };
        let sheets = crate::batch::draw(&spec, &templates, &request).unwrap();
        let headers = headers_of(&spec, &sheets);
        // The coefficients and the learning rate are drawn; the nudge is fixed.
        for wanted in ["coefficient h", "coefficient y", "learning_rate "] {
            assert!(headers.iter().any(|h| h == wanted), "no column {wanted:?} in {headers:?}");
        }
        assert!(!headers.iter().any(|h| h.starts_with("nudge")), "{headers:?}");
        // Words come from the template: the English headers.
        let markup = render_part(
            &spec,
            &Templates::load(None).unwrap(),
            &entries(&sheets),
            &Part { rows: 0..3, first_page: 1, pages: 2 },
        )
        .unwrap();
        assert!(markup.contains("#let word-summary-coefficient(node) = [#{spoken($times$, \"times\")} into #node]"));
        assert!(markup.contains("[#word-summary-coefficient(spoken($h$, \"h\"))]"), "{markup}");
        // Each row shows its own coefficient, as the sheet prints it.
        let c1 = sheets[0]
            .variant
            .solved
            .answers
            .named("c1")
            .unwrap()
            .value
            .display(&crate::number::NumberFormat::english());
        let rate = sheets[0]
            .variant
            .solved
            .answers
            .named("learning_rate")
            .unwrap()
            .value
            .display(&crate::number::NumberFormat::english());
        assert!(markup.contains(&format!("[{}], [{c1}], ", sheets[0].label.id)), "{markup}");
        assert!(markup.contains(&format!("[{rate}], ")), "{markup}");

        // A batch that draws nothing but a weight shows no extra column.
        let fixed = std::fs::read_to_string("configs/classic.yaml")
            .unwrap()
            .replace("weight: 1 }", "weight: { from: 1, to: 9 } }");
        let spec = crate::config::parse(&fixed, "fixed.yaml", "fixed").unwrap();
        let request = crate::batch::Request { seed: 1, count: 5, only: None, ..Default::default() };
        let headers = headers_of(&spec, &crate::batch::draw(&spec, &*TEMPLATES, &request).unwrap());
        assert_eq!(headers.len(), 2 + 2 + 2 + 2 + 1, "{headers:?}");
    }

    /// A batch keeps of each sheet only its [`row_answers`] for the summary:
    /// they give the summary every answer gives, for 2 to 5 layers with
    /// coefficients, nudges and learning rates that vary or not.
    #[test]
    fn the_row_answers_give_the_summary_every_answer_gives() {
        let yamls = [
            std::fs::read_to_string("configs/randomized.yaml").unwrap(),
            "title: Two\nnetwork:\n  input: { from: 1, to: 3 }\n  target: 10\n  layers:\n    \
             - { coefficient: { one_of: [2, -3] }, weight: { from: 1, to: 4 } }\n    \
             - { coefficient: 2, weight: 1 }\n\
             nudge: { one_of: [0.5, 0.25] }\nlearning_rate: { one_of: [0.01, 0.02] }\n"
                .to_owned(),
            "title: Five\nnetwork:\n  input: 2\n  target: { from: 100, to: 120 }\n  layers:\n    \
             - { coefficient: 3, weight: 1 }\n    - { coefficient: 2, weight: 2 }\n    \
             - { coefficient: 1, weight: 1 }\n    - { coefficient: 2, weight: -1 }\n    \
             - { coefficient: 1, weight: 3 }\nnudge: 0.5\nlearning_rate: 0.001\n"
                .to_owned(),
        ];
        for yaml in yamls {
            let spec = crate::config::parse(&yaml, "s.yaml", "s").unwrap();
            let request = crate::batch::Request { seed: 3, count: 16, ..Default::default() };
            let sheets = crate::batch::draw(&spec, &*TEMPLATES, &request).unwrap();
            let rows: Vec<Answers> = sheets.iter().map(|s| row_answers(&s.variant.solved.answers)).collect();
            let kept: Vec<Entry> = sheets.iter().zip(&rows).map(|(s, row)| Entry::new(&s.label, row)).collect();
            let all = parts_markup(&spec, &TEMPLATES, &entries(&sheets)).unwrap();
            assert_eq!(parts_markup(&spec, &TEMPLATES, &kept).unwrap(), all);
            assert!(rows[0].iter().count() < sheets[0].variant.solved.answers.iter().count() / 3);
        }
    }

    /// Text items and vertical rules of a laid-out page, in points: no text
    /// may cross a rule or leave the page's body, whatever the batch draws.
    #[test]
    #[allow(clippy::disallowed_types)] // page measurements, not answers
    fn long_values_never_cross_a_rule() {
        use typst::layout::{Frame, FrameItem, Point, Transform};
        use typst::visualize::Geometry;

        fn walk(frame: &Frame, ts: Transform, texts: &mut Vec<(f64, f64, f64)>, rules: &mut Vec<(f64, f64, f64)>) {
            for (pos, item) in frame.items() {
                let at = ts.pre_concat(Transform::translate(pos.x, pos.y));
                match item {
                    FrameItem::Group(g) => walk(&g.frame, at.pre_concat(g.transform), texts, rules),
                    FrameItem::Text(t) => {
                        let a = Point::zero().transform(at);
                        let b = Point::new(t.width(), typst::layout::Abs::zero()).transform(at);
                        texts.push((a.x.to_pt(), b.x.to_pt(), a.y.to_pt()));
                    }
                    FrameItem::Shape(shape, _) => {
                        if let Geometry::Line(to) = shape.geometry {
                            let (a, b) = (Point::zero().transform(at), to.transform(at));
                            if (a.x - b.x).to_pt().abs() < 0.01 {
                                rules.push((a.x.to_pt(), a.y.to_pt().min(b.y.to_pt()), a.y.to_pt().max(b.y.to_pt())));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }

        let yaml = "title: Five\npaper: a4\nnetwork:\n  input: { from: 1, to: 3 }\n  target: 1000\n  layers:\n    \
            - { coefficient: { one_of: [-7, 9] }, weight: 1 }\n    - { coefficient: { one_of: [-1, 8] }, weight: 3 }\n    \
            - { coefficient: 9, weight: -2 }\n    - { coefficient: { one_of: [-8, 6] }, weight: 5 }\n    \
            - { coefficient: 7, weight: { from: -2, to: 2 } }\n\
            nudge: { one_of: [0.5, 0.25] }\nlearning_rate: { one_of: [0.001, 0.0001] }\nreflection_layers: 10\nrules:\n  max_decimals: 12\n";
        let spec = crate::config::parse(yaml, "five.yaml", "five").unwrap();
        let request = crate::batch::Request { seed: 1, count: 8, only: None, ..Default::default() };
        let sheets = crate::batch::draw(&spec, &*TEMPLATES, &request).unwrap();
        let markup = render_part(
            &spec,
            &Templates::load(None).unwrap(),
            &entries(&sheets),
            &Part { rows: 0..8, first_page: 1, pages: 1 },
        )
        .unwrap();
        let doc = typeset::compile(&markup).unwrap();
        let page = &doc.as_paged().pages()[0];
        let (mut texts, mut rules) = (Vec::new(), Vec::new());
        walk(&page.frame, Transform::identity(), &mut texts, &mut rules);
        assert!(rules.len() > 20, "the table's rules are seen");
        let width = page.frame.width().to_pt();
        for &(x0, x1, y) in &texts {
            // 1.5 cm margins.
            assert!(x0 >= 42.0 && x1 <= width - 42.0, "text at {x0}..{x1} leaves the page body");
            for &(x, top, bottom) in &rules {
                let crosses = x0 < x - 0.4 && x1 > x + 0.4 && y > top && y < bottom;
                assert!(!crosses, "text at {x0}..{x1} crosses the rule at {x}");
            }
        }
    }
}
