//! Ties the stages together for one config: solve, render both versions,
//! typeset, and collect the output files in memory (written by [`crate::output`]).

use crate::answers::{self, SlipForm, SolveError, Solved, Wording};
use crate::config::WorksheetSpec;
use crate::error::{Error, Result};
use crate::output::OutputFile;
use crate::render::{Job, Mode, SheetLabel, Templates, Version};
use crate::typeset::{self, Layout};

/// Which files `generate` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// The PDFs.
    pub pdf: bool,
    /// The rendered Typst sources.
    pub typ: bool,
    /// PNG previews of every page.
    pub png: bool,
    /// The student's self-check page ([`crate::page`]).
    pub html: bool,
    /// The Moodle XML file ([`crate::moodle`]).
    pub moodle: bool,
}

impl Default for Formats {
    fn default() -> Self {
        Formats { pdf: true, typ: false, png: false, html: false, moodle: false }
    }
}

pub use crate::typeset::warm_up;

/// Resolution of PNG previews.
#[allow(clippy::disallowed_types)] // pixels per inch, not an answer
pub const PNG_PPI: f32 = 60.0;

/// Solves the single worksheet of a config without ranges, wording its model
/// answers with `words`.
pub fn solve_fixed(spec: &WorksheetSpec, words: &dyn Wording) -> Result<Solved> {
    let worksheet = spec.fixed().ok_or_else(|| {
        Error::msg(format!(
            "{} has ranges or choices; give --seed and --variant (or --variants) to draw its numbers",
            spec.file
        ))
    })?;
    answers::solve(worksheet, words).map_err(|problem| match problem {
        SolveError::Unsolvable(problem) => spec.target.at.error(problem.to_string()).into(),
        SolveError::Wording(e) => e,
    })
}

/// One typeset version of one sheet.
pub struct Typeset {
    /// The version's own Typst source (the markup that typesets it alone),
    /// when it was asked for.
    pub markup: Option<String>,
    /// The laid-out document.
    pub layout: Layout,
}

/// Renders and typesets one version of `solved` on its own.
pub fn typeset_version(
    templates: &Templates,
    solved: &Solved,
    version: Version,
    label: &SheetLabel,
) -> Result<Typeset> {
    let markup = templates.render(solved, version, label)?;
    let layout = compile(templates, (solved, version, Mode::only(version), label), &markup)?;
    Ok(Typeset { markup: Some(markup), layout })
}

/// Renders and typesets both versions of `solved`: the student version and
/// the key, in that order.
///
/// Both are laid out once, as one document from which each version cuts the
/// other's labelled content ([`Mode::Both`]), unless the templates test `key`
/// themselves; then each version is typeset on its own. The markup kept for
/// `.typ` output is always each version's own, so a student's source holds no
/// answer; with `sources` false it is not rendered at all.
pub fn typeset_sheet(
    templates: &Templates,
    solved: &Solved,
    label: &SheetLabel,
    sources: bool,
) -> Result<[Typeset; 2]> {
    let Some(both) = templates.render_both(solved, label)? else {
        let (student, key) = rayon::join(
            || typeset_version(templates, solved, Version::Student, label),
            || typeset_version(templates, solved, Version::Key, label),
        );
        // Both versions usually fail alike: report each problem once, and
        // the problems of both.
        return match (student, key) {
            (Ok(student), Ok(key)) => Ok([student, key]),
            (student, key) => Err(Error::all(student.err().into_iter().chain(key.err()))),
        };
    };
    let layout = compile(templates, (solved, Version::Key, Mode::Both, label), &both)?;
    let render = |version| match sources {
        true => templates.render(solved, version, label).map(Some),
        false => Ok(None),
    };
    Ok([
        Typeset { markup: render(Version::Student)?, layout: typeset::without(&layout, typeset::KEY_ONLY) },
        Typeset { markup: render(Version::Key)?, layout: typeset::without(&layout, typeset::STUDENT_ONLY) },
    ])
}

/// What a markup was rendered from: the sheet, as which version, in which
/// mode, for whom.
type Origin<'a> = (&'a Solved, Version, Mode, &'a SheetLabel);

/// Compiles `markup`, rendered from `origin`, mapping Typst's errors back to
/// template lines.
fn compile(templates: &Templates, origin: Origin, markup: &str) -> Result<Layout> {
    typeset::compile(markup).map_err(|diagnostics| typst_errors(templates, origin, markup, &diagnostics))
}

/// Maps Typst diagnostics back to the template lines that produced the markup.
fn typst_errors(templates: &Templates, origin: Origin, markup: &str, diagnostics: &[typeset::Diagnostic]) -> Error {
    let (solved, version, mode, label) = origin;
    let slips = match version {
        Version::Key => templates.slips(solved, SlipForm::Rubric).unwrap_or_default(),
        Version::Student => Default::default(),
    };
    let job = Job { solved, slips: &slips, version, mode, label };
    templates.typst_errors(job, markup, diagnostics, |traced| typeset::compile(traced).err())
}

/// The stable document id of a sheet, for reproducible PDFs.
pub fn ident(stem: &str, label: &SheetLabel, version: Version) -> String {
    if label.id.is_empty() {
        format!("backprop-worksheet/{stem}/{}", version.name())
    } else {
        format!("backprop-worksheet/{stem}/{}/{}", label.id, version.name())
    }
}

/// The files of one sheet (both versions) named `{base}-student.pdf`, `{base}-key.pdf`, ….
pub fn sheet_files(
    templates: &Templates,
    solved: &Solved,
    stem: &str,
    base: &str,
    label: &SheetLabel,
    formats: Formats,
) -> Result<Vec<OutputFile>> {
    // The PDFs and the web forms are made side by side: separate Typst documents.
    let (papers, (page, moodle)) = rayon::join(
        || -> Result<Vec<OutputFile>> {
            if !(formats.pdf || formats.png) {
                // Markup alone needs no layout: Typst is not run.
                return match formats.typ {
                    true => sources(templates, solved, base, label),
                    false => Ok(Vec::new()),
                };
            }
            let [student, key] = typeset_sheet(templates, solved, label, formats.typ)?;
            sheet_outputs(stem, base, label, formats, [(Version::Student, &student), (Version::Key, &key)])
        },
        || {
            let page = formats.html.then(|| crate::page::page(templates, solved, stem, label)).transpose();
            let moodle = formats.moodle.then(|| crate::moodle::question(templates, solved, stem, label)).transpose();
            (page, moodle)
        },
    );
    let mut files = papers?;
    if let Some(html) = page? {
        files.push(OutputFile { name: format!("{base}-student.html"), bytes: html.into_bytes() });
    }
    if let Some(question) = moodle? {
        files.push(moodle_file(base, &solved.worksheet.presentation.title, stem, &[question]));
    }
    Ok(files)
}

/// The Typst sources of both versions of one sheet, `{base}-student.typ` and
/// `{base}-key.typ`: each version's own markup, rendered and not typeset.
fn sources(templates: &Templates, solved: &Solved, base: &str, label: &SheetLabel) -> Result<Vec<OutputFile>> {
    Version::BOTH
        .into_iter()
        .map(|version| {
            let markup = templates.render(solved, version, label)?;
            Ok(OutputFile { name: format!("{base}-{}.typ", version.name()), bytes: markup.into_bytes() })
        })
        .collect()
}

/// The Moodle XML file [`moodle_name`] of `questions`, sheets of the config
/// `stem` titled `title`.
pub fn moodle_file(base: &str, title: &str, stem: &str, questions: &[crate::moodle::Question]) -> OutputFile {
    OutputFile { name: moodle_name(base), bytes: crate::moodle::quiz(title, stem, questions).into_bytes() }
}

/// The name of the Moodle XML file of the sheets named `base`: `{base}-moodle.xml`.
pub fn moodle_name(base: &str) -> String {
    format!("{base}-moodle.xml")
}

/// The output files of both typeset versions of one sheet, exported side by side.
pub fn sheet_outputs(
    stem: &str,
    base: &str,
    label: &SheetLabel,
    formats: Formats,
    versions: [(Version, &Typeset); 2],
) -> Result<Vec<OutputFile>> {
    use rayon::prelude::*;
    let per_version: Vec<Vec<OutputFile>> = versions
        .par_iter()
        .map(|(version, typeset)| version_outputs(stem, base, label, formats, *version, typeset))
        .collect::<Result<_>>()?;
    Ok(per_version.into_iter().flatten().collect())
}

fn version_outputs(
    stem: &str,
    base: &str,
    label: &SheetLabel,
    formats: Formats,
    version: Version,
    typeset: &Typeset,
) -> Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    let name = format!("{base}-{}", version.name());
    if formats.pdf {
        let bytes = typeset::pdf(&typeset.layout, &ident(stem, label, version)).map_err(Error::msg)?;
        files.push(OutputFile { name: format!("{name}.pdf"), bytes });
    }
    if formats.typ {
        let markup =
            typeset.markup.clone().ok_or_else(|| Error::msg(format!("{name}: its Typst source was not kept")))?;
        files.push(OutputFile { name: format!("{name}.typ"), bytes: markup.into_bytes() });
    }
    if formats.png {
        for page in 0..typeset.layout.page_count() {
            let bytes = typeset::png(&typeset.layout, page, PNG_PPI).map_err(Error::msg)?;
            files.push(OutputFile { name: format!("{name}-{}.png", page + 1), bytes });
        }
    }
    Ok(files)
}
