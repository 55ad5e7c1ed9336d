//! `answers`: every answer of one sheet (a fixed config, a variant or a roster
//! student's), with its common slips when asked, as text or JSON.

use super::{load_templates, print, read_roster, AnswersArgs, AnswersFormat};
use crate::answers::SheetLine;
use crate::batch;
use crate::config;
use crate::error::{Error, Result};
use crate::generate;
use crate::slips;

pub(super) fn answers(args: &AnswersArgs) -> Result<()> {
    let templates = load_templates(args.templates.as_deref())?;
    let spec = config::load(&args.config)?;
    let roster = args.roster.as_deref().map(read_roster).transpose()?;
    let seed = args.draw.seed;
    let (solved, sheet) = if let (Some(name), Some(roster)) = (&args.student, &roster) {
        let (k, student) = roster.place(name)?;
        let request = batch::Request { seed, roster: Some(roster.names()), only: Some(k), ..Default::default() };
        let drawn = batch::draw(&spec, &templates, &request)?.remove(0);
        let sheet =
            SheetInfo { config: &spec.file, seed, variant: drawn.label.id, student: Some(student.name.clone()) };
        (drawn.variant.solved, Some(sheet))
    } else if spec.is_randomized() || args.draw.variant.is_some() {
        let k = args.draw.variant.ok_or_else(|| {
            Error::msg(format!("{} has ranges: say which variant with --variant K (and --seed S)", spec.file))
        })?;
        let request = batch::Request { seed, count: k, only: Some(k), ..Default::default() };
        let drawn = batch::draw(&spec, &templates, &request)?.remove(0);
        let sheet = SheetInfo { config: &spec.file, seed, variant: drawn.label.id, student: None };
        (drawn.variant.solved, Some(sheet))
    } else {
        (generate::solve_fixed(&spec, &templates)?, None)
    };
    let slips = match args.slips {
        true => templates.slips(&solved, slips::SlipForm::Manifest)?,
        false => slips::WordedSlips::default(),
    };
    let text = match args.format {
        AnswersFormat::Text => {
            let title = format!("{} ({})", spec.presentation.title, spec.file);
            let line = sheet.as_ref().map(|sheet| SheetLine {
                variant: sheet.variant.clone(),
                seed,
                student: sheet.student.clone(),
            });
            let notes = |id| slips.get(id).iter().map(|s| (s.value.clone(), s.slip.clone())).collect();
            solved.text(&title, line, &notes, &templates)?
        }
        AnswersFormat::Json if args.slips => with_sheet(&slips, sheet)?,
        AnswersFormat::Json => with_sheet(&solved.answers, sheet)?,
    };
    print(&text)
}

/// `value` as pretty JSON with a final newline, with the key `sheet` added
/// when it is a variant or a roster student's sheet.
fn with_sheet(value: &impl serde::Serialize, sheet: Option<SheetInfo>) -> Result<String> {
    let json = match sheet {
        Some(sheet) => serde_json::to_string_pretty(&WithSheet { answers: value, sheet }),
        None => serde_json::to_string_pretty(value),
    };
    let mut json = json.map_err(|e| Error::msg(e.to_string()))?;
    json.push('\n');
    Ok(json)
}

/// Which sheet `answers` printed: under the key `sheet` of its JSON, after
/// the answers (no answer id is `sheet`), for a variant or a roster student.
#[derive(serde::Serialize)]
struct SheetInfo<'a> {
    config: &'a str,
    seed: u64,
    /// The variant id (`v03`), or the student's file-name form.
    variant: String,
    /// The roster name, as written in the roster.
    #[serde(skip_serializing_if = "Option::is_none")]
    student: Option<String>,
}

#[derive(serde::Serialize)]
struct WithSheet<'a, A: serde::Serialize> {
    #[serde(flatten)]
    answers: &'a A,
    sheet: SheetInfo<'a>,
}
