//! Templates: one minijinja template renders both the student version and the
//! answer key as Typst markup, and another words the model answers (see
//! [`crate::answers::Wording`]). Rendering never does maths: every number
//! comes from [`Answers`], already computed and formatted.
//!
//! Safety: every value printed with `{{ … }}` goes through a custom auto-escape
//! for Typst, so text from a config or roster prints literally and can never
//! run as markup or code. Answers reach the markup only through the `blank`,
//! `value` and `response` functions, which emit Typst calls with escaped content.

mod equations;
mod escape;
mod functions;
mod label;
mod record;
mod trace;
mod view;
mod words;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::value::Value as JValue;
use minijinja::{AutoEscape, Environment, Error as JError, UndefinedBehavior};
use serde::Serialize;

pub use escape::{escape_markup, typst_string};
pub use label::{QrCode, SheetLabel};
pub use record::{BlankCall, BlankKind};
pub use trace::trace_back;

use crate::answers::{SlipForm, Solved};
use crate::error::{Error, Result, SourceError};
use crate::slips::{self, WordedSlips};
use functions::AnswerTable;
use view::Context;

/// The main template's file name.
pub const MAIN_TEMPLATE: &str = "worksheet.typ.j2";

/// The templates shipped in the binary, by file name.
pub const EMBEDDED: &[(&str, &str)] = &[
    (MAIN_TEMPLATE, include_str!("../../templates/worksheet.typ.j2")),
    ("preamble.typ.j2", include_str!("../../templates/preamble.typ.j2")),
    ("tables.typ.j2", include_str!("../../templates/tables.typ.j2")),
    (SUMMARY_TEMPLATE, include_str!("../../templates/summary.typ.j2")),
    ("speech.typ.j2", include_str!("../../templates/speech.typ.j2")),
    (ANSWERS_TEMPLATE, include_str!("../../templates/answers.txt.j2")),
    (PAGE_TEMPLATE, include_str!("../../templates/page.html.j2")),
    (MOODLE_TEMPLATE, include_str!("../../templates/moodle.txt.j2")),
];

/// The self-check page's template file name (HTML around Typst's HTML export).
pub const PAGE_TEMPLATE: &str = "page.html.j2";

/// The template of the Moodle export's words (plain text, one macro per text).
pub const MOODLE_TEMPLATE: &str = "moodle.txt.j2";

/// The template of the model answers' words: one macro per answer, plain text.
pub const ANSWERS_TEMPLATE: &str = "answers.txt.j2";

/// The grading summary's template file name.
pub const SUMMARY_TEMPLATE: &str = "summary.typ.j2";

/// Which version of the worksheet to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Version {
    /// Blanks left empty.
    Student,
    /// Blanks filled in.
    Key,
}

impl Version {
    /// Both versions, student first.
    pub const BOTH: [Version; 2] = [Version::Student, Version::Key];

    /// `student` or `key`, as used in file names.
    pub fn name(self) -> &'static str {
        match self {
            Version::Student => "student",
            Version::Key => "key",
        }
    }
}

/// What one rendered markup typesets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The student version alone: no answer is in the markup.
    Student,
    /// The answer key alone.
    Key,
    /// Both versions as one layout. Content only one version shows is
    /// labelled `<key-only>` or `<student-only>`, and each version is cut from
    /// the laid-out pages by [`crate::typeset::without`].
    Both,
    /// The student version as the self-check web page, through Typst's HTML
    /// export: every blank is a `#field(n)` for the page to fill in
    /// ([`Templates::page_markup`]).
    Page,
}

impl Mode {
    /// The markup of one version alone.
    pub fn only(version: Version) -> Mode {
        match version {
            Version::Student => Mode::Student,
            Version::Key => Mode::Key,
        }
    }
}

/// A markup to render: a sheet, as one version, in one mode.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    /// The sheet, solved.
    pub solved: &'a Solved,
    /// Its common slips, worded, for the key's rubric (empty for the student version).
    pub slips: &'a WordedSlips,
    /// The version the template sees (`key`, `version`).
    pub version: Version,
    /// What the markup typesets.
    pub mode: Mode,
    /// Who and which variant it is for.
    pub label: &'a SheetLabel,
}

/// A template environment with its templates loaded and compiled once.
pub struct Templates {
    env: Environment<'static>,
    sources: BTreeMap<String, (String, String)>,
}

impl Templates {
    /// The embedded templates, overridden file by file by those in `dir`.
    pub fn load(dir: Option<&Path>) -> Result<Templates> {
        let mut sources: BTreeMap<String, (String, String)> = EMBEDDED
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (format!("templates/{name} (built in)"), (*text).to_owned())))
            .collect();
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir).map_err(|e| Error::io("read template directory", dir, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| Error::io("read template directory", dir, e))?;
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().to_string();
                if !name.ends_with(".j2") || !path.is_file() {
                    continue;
                }
                let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read template", &path, e))?;
                sources.insert(name, (path.display().to_string(), text));
            }
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // `*.txt.j2` templates render plain text (the model answers' words,
        // escaped where the worksheet prints them); the rest render Typst.
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".txt.j2") {
                AutoEscape::None
            } else if name.ends_with(".html.j2") {
                AutoEscape::Html
            } else {
                AutoEscape::Custom("typst".into())
            }
        });
        functions::register(&mut env);
        for (name, (_, text)) in &sources {
            env.add_template_owned(name.clone(), text.clone()).map_err(|e| template_error(&sources, &e))?;
        }
        Ok(Templates { env, sources })
    }

    /// Where the template `name` was read from, and its text.
    pub fn source(&self, name: &str) -> Option<(&str, &str)> {
        self.sources.get(name).map(|(path, text)| (path.as_str(), text.as_str()))
    }

    /// Renders `version` of `solved` as Typst markup that typesets that
    /// version alone.
    pub fn render(&self, solved: &Solved, version: Version, label: &SheetLabel) -> Result<String> {
        let slips = match version {
            Version::Key => self.slips(solved, SlipForm::Rubric)?,
            Version::Student => WordedSlips::default(),
        };
        self.render_job(Job { solved, slips: &slips, version, mode: Mode::only(version), label })
    }

    /// Renders both versions of `solved` as one markup ([`Mode::Both`]), or
    /// `None` if the templates test `key` or `version` themselves, so that the
    /// versions differ in more than what the template functions and the
    /// Typst functions `key-only`, `student-only` and `versions` label.
    ///
    /// The markup is rendered once as each version; the two must be the same.
    pub fn render_both(&self, solved: &Solved, label: &SheetLabel) -> Result<Option<String>> {
        let slips = self.slips(solved, SlipForm::Rubric)?;
        let as_version = |version| Job { solved, slips: &slips, version, mode: Mode::Both, label };
        let student = self.render_job(as_version(Version::Student))?;
        let key = self.render_job(as_version(Version::Key))?;
        Ok((student == key).then_some(key))
    }

    /// The common slips of `solved`, worded by the answers template for the
    /// place `form` (the key's rubric, the page's questions, the manifests).
    pub fn slips(&self, solved: &Solved, form: SlipForm) -> Result<WordedSlips> {
        slips::worded(&slips::catalogue(&solved.worksheet, &solved.solution), &solved.worksheet, self, form)
    }

    /// Renders the HTML template `name` (HTML-escaped) with `context`.
    pub fn render_html(&self, name: &str, context: JValue) -> Result<String> {
        let template = self.env.get_template(name).map_err(|e| template_error_in(&self.sources, &e, name))?;
        template.render(context).map_err(|e| template_error_in(&self.sources, &e, name))
    }

    /// Renders `job` with the main template.
    pub fn render_job(&self, job: Job) -> Result<String> {
        render_in(&self.env, job)
            .map(|m| equations::with_alt_text(&m, job.mode))
            .map_err(|e| template_error(&self.sources, &e))
    }

    /// Renders the template `name` with `context`, for documents other than
    /// the worksheet (the grading summary).
    pub fn render_template(&self, name: &str, context: JValue) -> Result<String> {
        let template = self.env.get_template(name).map_err(|e| template_error(&self.sources, &e))?;
        template
            .render(context)
            .map(|m| equations::with_alt_text(&m, Mode::Key))
            .map_err(|e| template_error(&self.sources, &e))
    }
}

/// Renders `job` with the main template of `env`.
fn render_in(env: &Environment, job: Job) -> Result<String, JError> {
    let context = Context::new(&job);
    let ctx = JValue::from(minijinja::value::Serde(&context));
    let table = JValue::from_object(AnswerTable::new(&job.solved.answers, env)?);
    env.get_template(MAIN_TEMPLATE)?.render(minijinja::context! { answers => table, ..ctx })
}

fn template_error(sources: &BTreeMap<String, (String, String)>, error: &JError) -> Error {
    template_error_in(sources, error, MAIN_TEMPLATE)
}

/// A template error at its template and line; at `default` if it names no template.
fn template_error_in(sources: &BTreeMap<String, (String, String)>, error: &JError, default: &str) -> Error {
    let name = error.name().unwrap_or(default);
    let (path, text) = sources.get(name).map(|(p, t)| (p.as_str(), t.as_str())).unwrap_or((name, ""));
    let line = error.line().unwrap_or(1);
    let column = error
        .range()
        .and_then(|r| {
            let start = text.get(..r.start)?;
            Some(start.len() - start.rfind('\n').map_or(0, |i| i + 1) + 1)
        })
        .unwrap_or(1);
    let mut message = match error.detail() {
        Some(detail) => format!("template error: {detail}"),
        None => format!("template error: {}", error.kind()),
    };
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        message.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    SourceError::new(path, text, line, column, message).into()
}

/// The files in a `--templates` directory that are ignored because they are
/// not templates (not `*.j2`), so a misnamed template (`worksheet.typ`) does
/// not go unnoticed. Hidden files (editor swap files, `.DS_Store`) are left
/// out.
pub fn unknown_template_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut unknown: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|name| !name.starts_with('.') && !name.ends_with(".j2"))
        .collect();
    unknown.sort();
    unknown
}

/// The directory a `--templates` path names, checked to exist.
pub fn template_dir(path: &Path) -> Result<PathBuf> {
    if !path.is_dir() {
        return Err(Error::msg(format!("--templates {}: not a directory", path.display())));
    }
    Ok(path.to_owned())
}
