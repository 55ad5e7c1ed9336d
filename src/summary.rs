//! The grading summary at the end of a class key pack: one row of key
//! answers per sheet, typeset a page of rows at a time.

use minijinja::value::Value as JValue;
use serde::Serialize;

use crate::answers::Answers;
use crate::config::WorksheetSpec;
use crate::error::{Error, Result};
use crate::render::{SheetLabel, Templates, SUMMARY_TEMPLATE};
use crate::typeset;

/// Rows of the grading summary typeset at a time: one landscape page.
const SUMMARY_ROWS: usize = 24;

/// One sheet of the batch, as the summary lists it.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// Its variant id and student.
    pub label: &'a SheetLabel,
    /// Its answers.
    pub answers: &'a Answers,
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

/// Renders one part of the summary: the rows of the entries in `part.rows`.
fn render_part(spec: &WorksheetSpec, templates: &Templates, entries: &[Entry], part: &Part) -> Result<String> {
    let layers = spec.layers.len();
    let mut columns: Vec<(String, String)> = vec![("x".into(), "x".into()), ("target".into(), "y_\"target\"".into())];
    for k in 1..=layers {
        columns.push((format!("w{k}"), format!("w_{k}")));
    }
    columns.push(("y".into(), "y".into()));
    columns.push(("error".into(), "E".into()));
    for k in (1..=layers).rev() {
        columns.push((format!("grad_w{k}"), format!("(d E) / (d w_{k})")));
    }
    columns.push(("new_error".into(), "E_\"new\"".into()));
    let headers: Vec<JValue> = columns.iter().map(|(_, math)| JValue::from_safe_string(format!("${math}$"))).collect();
    let rows: Vec<SummaryRow> = entries
        .get(part.rows.clone())
        .unwrap_or_default()
        .iter()
        .map(|entry| SummaryRow {
            id: entry.label.id.clone(),
            student: entry.label.student.clone().unwrap_or_default(),
            cells: columns
                .iter()
                .map(|(id, _)| entry.answers.get(id).map(|a| a.value.display()).unwrap_or_default())
                .collect(),
        })
        .collect();
    let ctx = minijinja::context! {
        doc => JValue::from(minijinja::value::Serde(&spec.presentation)),
        headers => headers,
        rows => JValue::from(minijinja::value::Serde(&rows)),
        roster => entries.iter().any(|e| e.label.student.is_some()),
        first => part.rows.start == 0,
        first_page => part.first_page,
        pages => part.pages,
    };
    templates.render_template(SUMMARY_TEMPLATE, ctx)
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
    let parts = entries.len().div_ceil(SUMMARY_ROWS).max(1);
    let mut pages = parts;
    let mut settled = false;
    loop {
        let mut pdfs = Vec::with_capacity(parts);
        let mut next_page = 1;
        for part in 0..parts {
            let rows = part * SUMMARY_ROWS..((part + 1) * SUMMARY_ROWS).min(entries.len());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(sheets: &[crate::batch::Sheet]) -> Vec<Entry<'_>> {
        sheets.iter().map(|s| Entry { label: &s.label, answers: &s.variant.solved.answers }).collect()
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
            (0..30).map(|i| format!("Student {i} {}", "with a very long name ".repeat(8))).collect();
        let request = crate::batch::Request { seed: 1, count: 0, roster: Some(names), ..Default::default() };
        let sheets = crate::batch::draw(&spec, &templates, &request).unwrap();
        let pdfs = super::pdfs(&spec, &templates, &entries(&sheets)).unwrap();
        let (footers, count) = footers_of(&pdfs);
        assert!(count > 2, "long names should wrap onto more pages than parts");
        assert_eq!(footers, expect(count));
    }
}
