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

use std::sync::Arc;

use minijinja::value::Value as JValue;
use minijinja::{AutoEscape, Environment, Error as JError, ErrorKind, UndefinedBehavior};
use rayon::prelude::*;
use serde::Serialize;

pub use equations::Speech;
pub use escape::{escape_markup, typst_string};
pub use label::{QrCode, SheetLabel};
pub use record::{BlankCall, BlankKind};
pub use trace::trace_back;

use crate::answers::{SlipForm, Solved};
use crate::error::{Error, Result, SourceError};
use crate::number::NumberFormat;
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
    (NUMBERS_TEMPLATE, include_str!("../../templates/numbers.txt.j2")),
    (SPOKEN_TEMPLATE, include_str!("../../templates/spoken.txt.j2")),
    ("words.typ.j2", include_str!("../../templates/words.typ.j2")),
    ("page-words.html.j2", include_str!("../../templates/page-words.html.j2")),
    (MOODLE_TEMPLATE, include_str!("../../templates/moodle.txt.j2")),
];

/// The self-check page's template file name (HTML around Typst's HTML export).
pub const PAGE_TEMPLATE: &str = "page.html.j2";

/// The template of the Moodle export's words (plain text, one macro per text).
pub const MOODLE_TEMPLATE: &str = "moodle.txt.j2";

/// The template of the model answers' words: one macro per answer, plain text.
pub const ANSWERS_TEMPLATE: &str = "answers.txt.j2";

/// The template that says how the language writes numbers.
pub const NUMBERS_TEMPLATE: &str = "numbers.txt.j2";

/// The template that says how the language reads equations aloud.
pub const SPOKEN_TEMPLATE: &str = "spoken.txt.j2";

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

/// The template sets, one per built-in language, each overridden file by
/// file by the templates of `--templates DIR`: a sheet is made with the set
/// of its `language:` (`de`, `de-AT` → German; any other → English).
pub struct Templates {
    /// The sets by language code, English first.
    sets: Vec<(&'static str, TemplateSet)>,
}

/// The built-in template sets: each language's files, by file name, over
/// the English ones (`templates/`): German in `templates/de/`.
const BUILT_IN: &[(&str, &[(&str, &str)])] = &[
    ("en", &[]),
    (
        "de",
        &[
            (MAIN_TEMPLATE, include_str!("../../templates/de/worksheet.typ.j2")),
            (ANSWERS_TEMPLATE, include_str!("../../templates/de/answers.txt.j2")),
            ("words.typ.j2", include_str!("../../templates/de/words.typ.j2")),
            ("page-words.html.j2", include_str!("../../templates/de/page-words.html.j2")),
            (NUMBERS_TEMPLATE, include_str!("../../templates/de/numbers.txt.j2")),
            (SPOKEN_TEMPLATE, include_str!("../../templates/de/spoken.txt.j2")),
            (MOODLE_TEMPLATE, include_str!("../../templates/de/moodle.txt.j2")),
        ],
    ),
];

impl Templates {
    /// The built-in template sets, overridden file by file by those in `dir`.
    pub fn load(dir: Option<&Path>) -> Result<Templates> {
        let mut overrides: BTreeMap<String, (String, String)> = BTreeMap::new();
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
                overrides.insert(name, (path.display().to_string(), text));
            }
        }
        // The sets are compiled side by side: at the start of every command,
        // before anything can be rendered.
        let sets = BUILT_IN
            .par_iter()
            .map(|(language, files)| {
                let built_in = |name: &str, folder: &str| format!("templates/{folder}{name} (built in)");
                let mut sources: BTreeMap<String, (String, String)> = EMBEDDED
                    .iter()
                    .map(|(name, text)| ((*name).to_owned(), (built_in(name, ""), (*text).to_owned())))
                    .collect();
                for (name, text) in *files {
                    sources.insert((*name).to_owned(), (built_in(name, &format!("{language}/")), (*text).to_owned()));
                }
                sources.extend(overrides.clone());
                Ok((*language, TemplateSet::load(sources)?))
            })
            .collect::<Result<_>>()?;
        Ok(Templates { sets })
    }

    /// The template set of a sheet in `language` (a code such as `de-AT`).
    fn set(&self, language: &str) -> &TemplateSet {
        let code = language.split('-').next().unwrap_or_default().to_ascii_lowercase();
        let found = self.sets.iter().find(|(name, _)| *name == code);
        &found.unwrap_or(&self.sets[0]).1
    }

    /// The template set of `solved`'s language.
    fn of(&self, solved: &Solved) -> &TemplateSet {
        self.set(&solved.worksheet.presentation.language)
    }

    /// Whether a template set is built in for `language` (English is the
    /// set of any language that has none).
    pub fn is_built_in(language: &str) -> bool {
        let code = language.split('-').next().unwrap_or_default().to_ascii_lowercase();
        BUILT_IN.iter().any(|(name, _)| *name == code)
    }

    /// How the template set for `language` writes numbers.
    pub fn numbers(&self, language: &str) -> NumberFormat {
        (*self.set(language).numbers).clone()
    }

    /// Where the template `name` of the set for `language` was read from, and its text.
    pub fn source(&self, language: &str, name: &str) -> Option<(&str, &str)> {
        self.set(language).source(name)
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
    /// The template is rendered once as each version, side by side; the two
    /// must be the same. The equations' alt texts, which cost four times the
    /// rendering, are then written once.
    pub fn render_both(&self, solved: &Solved, label: &SheetLabel) -> Result<Option<String>> {
        let slips = self.slips(solved, SlipForm::Rubric)?;
        let as_version = |version| Job { solved, slips: &slips, version, mode: Mode::Both, label };
        self.of(solved).render_both(as_version(Version::Student), as_version(Version::Key))
    }

    /// The common slips of `solved`, worded by the answers template for the
    /// place `form` (the key's rubric, the page's questions, the manifests).
    pub fn slips(&self, solved: &Solved, form: SlipForm) -> Result<WordedSlips> {
        slips::worded(&slips::catalogue(&solved.worksheet, &solved.solution), &solved.worksheet, self, form)
    }

    /// Renders the HTML template `name` of the set for `language` (HTML-escaped) with `context`.
    pub fn render_html(&self, language: &str, name: &str, context: JValue) -> Result<String> {
        self.set(language).render_html(name, context)
    }

    /// Renders `job` with the main template.
    pub fn render_job(&self, job: Job) -> Result<String> {
        self.of(job.solved).render_job(job)
    }

    /// Renders the template `name` of the set for `language` with `context`,
    /// for documents other than the worksheet (the grading summary).
    pub fn render_template(&self, language: &str, name: &str, context: JValue) -> Result<String> {
        self.set(language).render_template(name, context)
    }
}

/// The templates of one language, loaded and compiled once, the way it
/// writes numbers (`numbers.txt.j2`) and reads equations (`spoken.txt.j2`).
pub(crate) struct TemplateSet {
    env: Environment<'static>,
    sources: BTreeMap<String, (String, String)>,
    numbers: Arc<NumberFormat>,
    speech: Arc<Speech>,
}

impl TemplateSet {
    /// The set of the templates `sources` (by name: where each was read
    /// from, and its text).
    fn load(sources: BTreeMap<String, (String, String)>) -> Result<TemplateSet> {
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
        for (name, (_, text)) in &sources {
            env.add_template_owned(name.clone(), text.clone()).map_err(|e| template_error(&sources, &e))?;
        }
        let numbers = Arc::new(number_format(&env).map_err(|e| template_error_in(&sources, &e, NUMBERS_TEMPLATE))?);
        let speech = Arc::new(speech(&env).map_err(|e| template_error_in(&sources, &e, SPOKEN_TEMPLATE))?);
        functions::register(&mut env, Arc::clone(&numbers));
        Ok(TemplateSet { env, sources, numbers, speech })
    }

    /// Where the template `name` was read from, and its text.
    pub fn source(&self, name: &str) -> Option<(&str, &str)> {
        self.sources.get(name).map(|(path, text)| (path.as_str(), text.as_str()))
    }

    /// Renders the HTML template `name` (HTML-escaped) with `context`.
    fn render_html(&self, name: &str, context: JValue) -> Result<String> {
        let template = self.env.get_template(name).map_err(|e| template_error_in(&self.sources, &e, name))?;
        template.render(context).map_err(|e| template_error_in(&self.sources, &e, name))
    }

    /// Renders `job` with the main template.
    fn render_job(&self, job: Job) -> Result<String> {
        render_in(&self.env, &self.numbers, &self.speech, job)
            .map(|m| equations::with_alt_text(&m, job.mode, &self.numbers, &self.speech))
            .map_err(|e| template_error(&self.sources, &e))
    }

    /// Renders the jobs `student` and `key` (both in [`Mode::Both`]) side by
    /// side; if their markup is the same, writes its equations' alt texts
    /// once and returns it.
    fn render_both(&self, student: Job, key: Job) -> Result<Option<String>> {
        let render = |job| render_in(&self.env, &self.numbers, &self.speech, job);
        let (student, key) = rayon::join(|| render(student), || render(key));
        let student = student.map_err(|e| template_error(&self.sources, &e))?;
        let key = key.map_err(|e| template_error(&self.sources, &e))?;
        Ok((student == key).then(|| equations::with_alt_text(&key, Mode::Both, &self.numbers, &self.speech)))
    }

    /// Renders the template `name` with `context`, for documents other than
    /// the worksheet (the grading summary).
    fn render_template(&self, name: &str, context: JValue) -> Result<String> {
        let template = self.env.get_template(name).map_err(|e| template_error(&self.sources, &e))?;
        template
            .render(context)
            .map(|m| equations::with_alt_text(&m, Mode::Key, &self.numbers, &self.speech))
            .map_err(|e| template_error(&self.sources, &e))
    }
}

/// How the numbers template of `env` says numbers are written: its
/// `decimal`, `minus`, `rounded` and `scientific`.
fn number_format(env: &Environment) -> Result<NumberFormat, JError> {
    let mut captured = env.get_template(NUMBERS_TEMPLATE)?.render_captured(())?;
    captured.with_state_mut(|state| {
        let text = |name: &str| -> Result<String, JError> {
            let value = state.lookup(name).filter(|v| !v.is_undefined());
            value.and_then(|v| v.as_str().map(str::to_owned)).ok_or_else(|| {
                let message =
                    format!("{NUMBERS_TEMPLATE} must set `{name}` to a string (`{{% set {name} = \"…\" %}}`)");
                JError::new(ErrorKind::UndefinedError, message)
            })
        };
        let format = NumberFormat {
            decimal: text("decimal")?,
            minus: text("minus")?,
            rounded: text("rounded")?,
            scientific: text("scientific")?,
        };
        for (name, value, needs) in
            [("rounded", &format.rounded, "{number}"), ("scientific", &format.scientific, "{mantissa}")]
        {
            if !value.contains(needs) {
                let message = format!("{NUMBERS_TEMPLATE}: `{name}` must contain {needs}, where the number goes");
                return Err(JError::new(ErrorKind::InvalidOperation, message));
            }
        }
        if format.decimal.is_empty() || format.decimal.chars().any(|c| c.is_ascii_digit()) {
            let message =
                format!("{NUMBERS_TEMPLATE}: `decimal` must be a separator such as \".\" or \",\", not a digit");
            return Err(JError::new(ErrorKind::InvalidOperation, message));
        }
        Ok(format)
    })
}

/// How the spoken template of `env` says equations are read: its `words`
/// and `patterns`, each of them given.
fn speech(env: &Environment) -> Result<Speech, JError> {
    let mut captured = env.get_template(SPOKEN_TEMPLATE)?.render_captured(())?;
    captured.with_state_mut(|state| {
        let map = |name: &str, keys: &mut dyn Iterator<Item = &str>| -> Result<BTreeMap<String, String>, JError> {
            let value = state.lookup(name).filter(|v| !v.is_undefined()).ok_or_else(|| {
                let message =
                    format!("{SPOKEN_TEMPLATE} must set `{name}` to a map of strings (`{{% set {name} = {{…}} %}}`)");
                JError::new(ErrorKind::UndefinedError, message)
            })?;
            let mut out = BTreeMap::new();
            for key in keys {
                let text = value.get_attr(key).ok().and_then(|v| v.as_str().map(str::to_owned)).ok_or_else(|| {
                    let message = format!("{SPOKEN_TEMPLATE}: `{name}` has no `{key}`, a string");
                    JError::new(ErrorKind::UndefinedError, message)
                })?;
                out.insert(key.to_owned(), text);
            }
            Ok(out)
        };
        let words = map("words", &mut Speech::WORDS.iter().copied())?;
        let patterns = map("patterns", &mut Speech::PATTERNS.iter().map(|(key, _)| *key))?;
        for (key, parts) in Speech::PATTERNS {
            if let Some(part) = parts.iter().find(|part| !patterns[*key].contains(&format!("{{{part}}}"))) {
                let message = format!("{SPOKEN_TEMPLATE}: the pattern `{key}` must contain {{{part}}}, where it goes");
                return Err(JError::new(ErrorKind::InvalidOperation, message));
            }
        }
        Ok(Speech { words, patterns })
    })
}

/// Renders `job` with the main template of `env`, numbers written in
/// `numbers`, equations read with `speech`.
fn render_in(env: &Environment, numbers: &Arc<NumberFormat>, speech: &Speech, job: Job) -> Result<String, JError> {
    let context = Context::new(&job, numbers, speech);
    let ctx = JValue::from(minijinja::value::Serde(&context));
    let table = JValue::from_object(AnswerTable::new(&job.solved.answers, env, Arc::clone(numbers))?);
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
