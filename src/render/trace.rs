//! Tracing a Typst error back to the template line that produced it: the
//! templates are rendered again with a marker comment before each line, and
//! the marker before the failing line names the template and its line.

use super::{render_in, Job, Mode, TemplateSet, Templates, MAIN_TEMPLATE};
use crate::error::{Error, SourceError};
use crate::typeset::Diagnostic;

/// The marker written before template lines by [`TemplateSet::render_traced`].
const TRACE_OPEN: &str = "/*@tpl:";

pub(super) fn trace_template(name: &str, text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut in_raw = false;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        // Only mark lines that start plain markup or code: not inside raw blocks,
        // not continuations of Jinja tags.
        if !in_raw && !trimmed.starts_with("{%") && !trimmed.starts_with("{#") && !trimmed.is_empty() {
            out.push_str(&format!("{TRACE_OPEN}{name}:{}*/", i + 1));
        }
        if line.matches("```").count() % 2 == 1 {
            in_raw = !in_raw;
        }
        out.push_str(line);
    }
    out
}

/// The template file and line that produced byte `offset` of traced markup.
pub fn trace_back(traced: &str, line: usize) -> Option<(String, usize)> {
    let upto: usize = traced.split_inclusive('\n').take(line).map(str::len).sum();
    let before = &traced[..upto.min(traced.len())];
    let at = before.rfind(TRACE_OPEN)?;
    let rest = &before[at + TRACE_OPEN.len()..];
    let end = rest.find("*/")?;
    let (name, number) = rest[..end].rsplit_once(':')?;
    Some((name.to_owned(), number.parse().ok()?))
}

impl TemplateSet {
    /// Renders with a marker comment before each template line, to map a Typst
    /// error in the output back to the template line that produced it.
    fn render_traced(&self, job: Job) -> Option<String> {
        let mut env = self.env.clone();
        // Plain-text templates (the answers' words) are printed escaped, so a
        // marker in them could not be found again: they stay as they are.
        for (name, (_, text)) in self.sources.iter().filter(|(name, _)| !name.ends_with(".txt.j2")) {
            let traced = trace_template(name, text);
            env.add_template_owned(name.clone(), traced).ok()?;
        }
        // The page's markup prints its blanks as fields: so must its trace,
        // for Typst to report the same problems in the same order.
        if job.mode == Mode::Page {
            super::record::record_blanks(&mut env, job.solved.worksheet.network.layers.len());
        }
        render_in(&env, &self.numbers, &self.speech, job)
            .ok()
            .map(|markup| super::equations::with_alt_text(&markup, job.mode, &self.numbers, &self.speech))
    }

    /// A [`SourceError`] at `line` of template `name`.
    fn error_at(&self, name: &str, line: usize, message: String) -> SourceError {
        let (path, text) = self.source(name).unwrap_or((name, ""));
        SourceError::new(path, text, line, 1, message)
    }
}

impl Templates {
    /// Typst's `diagnostics` of `markup`, rendered from `job`, as errors at
    /// the template lines (of the sheet's language's set) that produced them.
    /// `compile` compiles the traced markup (which has the same lines) the
    /// same way, for its errors.
    pub fn typst_errors(
        &self,
        job: Job,
        markup: &str,
        diagnostics: &[Diagnostic],
        compile: impl Fn(&str) -> Option<Vec<Diagnostic>>,
    ) -> Error {
        let set = self.of(job.solved);
        let traced = set.render_traced(job);
        let traced_diagnostics = traced.as_deref().and_then(compile);
        let errors = diagnostics
            .iter()
            .enumerate()
            .map(|(i, d)| {
                // The traced markup has the same lines as the plain one, so the
                // first-choice line is the one Typst reported in the traced compile.
                let traced_line = traced_diagnostics.as_ref().and_then(|ds| ds.get(i)).map_or(d.line, |t| t.line);
                let origin = traced.as_deref().and_then(|t| trace_back(t, traced_line));
                let mut message = format!("Typst error: {}", d.message);
                // Hints about typst's own command line do not apply here.
                for hint in d.hints.iter().filter(|h| !h.contains("--root")) {
                    message.push_str(&format!(" (hint: {hint})"));
                }
                let generated = markup.lines().nth(d.line.saturating_sub(1)).unwrap_or("").trim();
                if !generated.is_empty() {
                    message.push_str(&format!("\n  in the generated line {}: {}", d.line, generated));
                }
                let (name, line) = origin.unwrap_or((MAIN_TEMPLATE.to_owned(), 1));
                Error::from(set.error_at(&name, line, message))
            })
            .collect::<Vec<_>>();
        Error::all(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_maps_output_lines_to_template_lines() {
        let traced = trace_template("t.j2", "a\n{% if x %}\nb\nc\n");
        assert_eq!(trace_back(&traced, 3), Some(("t.j2".to_owned(), 3)));
        assert_eq!(trace_back(&traced, 1), Some(("t.j2".to_owned(), 1)));
    }
}
