//! The blanks of the student version in the order the worksheet prints them,
//! for the self-check page: the main template rendered once more as the
//! student version, with `blank`, `cell` and `response` replaced by functions
//! that record which answer each prints and leave `#field(n)` in its place:
//! the page's markup for Typst's HTML export (see `templates/preamble.typ.j2`).

use std::sync::{Arc, Mutex};

use minijinja::value::{Kwargs, Value as JValue};
use minijinja::{Environment, Error as JError, ErrorKind, State};

use super::{equations, render_in, template_error, Job, Mode, SheetLabel, TemplateSet, Templates, Version};
use crate::answers::{Blank, Solved};
use crate::error::Result;
use crate::slips::WordedSlips;

/// Which template function printed a blank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlankKind {
    /// `blank(id)`: an answer slot in the text.
    Slot,
    /// `cell(id)`: a table cell.
    Cell,
    /// `response(id)`: ruled lines for a written answer.
    Response,
}

/// One blank of the student version: its answer id and the function that printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlankCall {
    /// The blank.
    pub id: Blank,
    /// How the worksheet prints it.
    pub kind: BlankKind,
    /// Whether the sheet words it as approximate (`approximately=true`):
    /// the page accepts a rounding of the answer there.
    pub approximately: bool,
}

impl Templates {
    /// The answer ids of the student version's blanks, in the order the
    /// worksheet prints them, and how it prints each.
    pub fn student_blanks(&self, solved: &Solved, label: &SheetLabel) -> Result<Vec<BlankCall>> {
        Ok(self.of(solved).recorded(solved, label, Mode::Student)?.1)
    }

    /// The student version as markup for Typst's HTML export
    /// ([`Mode::Page`]), every equation with its spoken form: blank number `n`
    /// is `#field(n)`, and the blanks are listed in order.
    pub fn page_markup(&self, solved: &Solved, label: &SheetLabel) -> Result<(String, Vec<BlankCall>)> {
        let set = self.of(solved);
        let (markup, calls) = set.recorded(solved, label, Mode::Page)?;
        Ok((equations::with_alt_text(&markup, Mode::Page, &set.numbers, &set.speech), calls))
    }
}

impl TemplateSet {
    /// The main template rendered as the student version in `mode`, with each
    /// blank printed as `#field(n)` and recorded.
    fn recorded(&self, solved: &Solved, label: &SheetLabel, mode: Mode) -> Result<(String, Vec<BlankCall>)> {
        let mut env = self.env.clone();
        let calls = record_blanks(&mut env, solved.worksheet.network.layers.len());
        let slips = WordedSlips::default();
        let job = Job { solved, slips: &slips, version: Version::Student, mode, label };
        let markup =
            render_in(&env, &self.numbers, &self.speech, job).map_err(|e| template_error(&self.sources, &e))?;
        let calls = std::mem::take(&mut *calls.lock().unwrap_or_else(|e| e.into_inner()));
        Ok((markup, calls))
    }
}

/// Replaces the template functions `blank`, `cell` and `response` of `env`
/// with ones that record which answer each blank prints, in order, and print
/// `#field(n)` in its place.
pub(super) fn record_blanks(env: &mut Environment, layers: usize) -> Arc<Mutex<Vec<BlankCall>>> {
    let calls: Arc<Mutex<Vec<BlankCall>>> = Arc::default();
    for (name, kind) in [("blank", BlankKind::Slot), ("cell", BlankKind::Cell), ("response", BlankKind::Response)] {
        let calls = Arc::clone(&calls);
        env.add_function(name, move |_: &State, id: String, kwargs: Kwargs| -> Result<JValue, JError> {
            // The size arguments do not matter here.
            let approximately = kwargs.get::<Option<bool>>("approximately")?.unwrap_or(false);
            for arg in kwargs.args() {
                let _: JValue = kwargs.get(arg)?;
            }
            let id = Blank::parse(&id, layers).ok_or_else(|| {
                JError::new(
                    ErrorKind::UndefinedError,
                    format!("no answer has the id `{id}` (see `answers --format json`)"),
                )
            })?;
            let mut calls = calls.lock().unwrap_or_else(|e| e.into_inner());
            calls.push(BlankCall { id, kind, approximately });
            Ok(JValue::from_safe_string(format!("#field({})", calls.len() - 1)))
        });
    }
    calls
}
