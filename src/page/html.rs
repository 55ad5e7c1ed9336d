//! The page's body: the student version through Typst's HTML export, each
//! equation's spoken form moved into its MathML, and the fields'
//! placeholders found, each once, for the page template to fill.

use serde::Serialize;

use super::Field;
use crate::answers::Solved;
use crate::error::{Error, Result};
use crate::render::{Job, Mode, SheetLabel, Templates, Version};
use crate::typeset;

/// The placeholder Typst's HTML export writes for field `n` (`#field(n)`).
const FIELD_OPEN: &str = "<span data-field=\"";
const FIELD_CLOSE: &str = "\"></span>";

/// A piece of the page's body: HTML from Typst's export, or a field.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub(crate) enum Part {
    Html {
        html: String,
    },
    /// A field, and whether it stands inside an equation (MathML).
    Field {
        field: Field,
        in_math: bool,
    },
}

/// The student version through Typst's HTML export: the style Typst gives
/// its MathML, and the body.
pub(super) struct Exported {
    pub(super) style: String,
    pub(super) body: String,
}

/// Typesets the page's `markup` (rendered from `solved` for `label`) with
/// Typst's HTML export. Content the export would leave out is an error at
/// the template line that made it, like a Typst error: a page that silently
/// lacks part of the sheet would mislead.
pub(super) fn export(templates: &Templates, solved: &Solved, label: &SheetLabel, markup: &str) -> Result<Exported> {
    let slips = Default::default();
    let job = Job { solved, slips: &slips, version: Version::Student, mode: Mode::Page, label };
    let traced_errors = |html: Result<typeset::Html, Vec<typeset::Diagnostic>>| match html {
        Ok(html) if html.warnings.is_empty() => None,
        Ok(html) => Some(html.warnings.into_iter().map(left_out).collect()),
        Err(errors) => Some(errors),
    };
    let html = match typeset::html(markup) {
        Ok(html) if html.warnings.is_empty() => html,
        result => {
            let diagnostics = traced_errors(result).unwrap_or_default();
            let error =
                templates.typst_errors(job, markup, &diagnostics, |traced| traced_errors(typeset::html(traced)));
            return Err(Error::msg(format!("the self-check page: {error}")));
        }
    };
    let text = html.text;
    // Typst's style for its MathML: the head's one <style>.
    let head = between(&text, "<head>", "</head>").unwrap_or("");
    let style = between(head, "<style>", "</style>").unwrap_or("").to_owned();
    let body = between(&text, "<body>", "</body>")
        .ok_or_else(|| Error::msg("the self-check page: Typst's HTML export wrote no <body>"))?;
    // A table wider than the page (a five-layer sheet's) scrolls sideways
    // inside the text column instead of running past it.
    let body =
        with_alt_text(body).replace("<table>", "<div class=\"table\"><table>").replace("</table>", "</table></div>");
    Ok(Exported { style, body })
}

/// A warning of Typst's HTML export that it left something out, with what
/// to do about it.
fn left_out(mut warning: typeset::Diagnostic) -> typeset::Diagnostic {
    warning.hints.push(
        "the self-check page would lack it: draw it as an image on the page with `html.frame(…)`, or keep it to \
         paper with `context if target() == \"paged\" { … }`"
            .to_owned(),
    );
    warning
}

/// The text of `text` between the first `open` and the last `close`.
fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text.rfind(close)?;
    text.get(start..end)
}

/// Every equation's spoken form (a `<span data-alt>` around its `<math>`, from
/// the preamble's `spoken`) moved into the `<math>` as its `alttext`.
fn with_alt_text(body: &str) -> String {
    const OPEN: &str = "<span data-alt=\"";
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find(OPEN) {
        let after = &rest[at + OPEN.len()..];
        let Some(quote) = after.find('"') else { break };
        let alt = &after[..quote];
        let inner = &after[quote + 1..];
        let (Some(math), Some(end)) = (inner.strip_prefix("><math"), inner.find("</math></span>")) else {
            out.push_str(&rest[..at + OPEN.len()]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..at]);
        out.push_str("<math alttext=\"");
        out.push_str(alt);
        out.push('"');
        out.push_str(&math[..end - "><math".len()]);
        out.push_str("</math>");
        rest = &inner[end + "</math></span>".len()..];
    }
    out.push_str(rest);
    out
}

/// The page's body as parts: Typst's HTML, with each field's placeholder
/// replaced by the field (noting whether it stands in an equation). Every
/// field must be found, once.
pub(super) fn with_fields(body: &str, fields: Vec<Field>) -> Result<Vec<Part>> {
    let count = fields.len();
    let mut fields: Vec<Option<Field>> = fields.into_iter().map(Some).collect();
    let mut parts = Vec::new();
    let mut depth = 0_i64;
    let mut rest = body;
    while let Some(at) = rest.find(FIELD_OPEN) {
        let html = &rest[..at];
        depth += count_tags(html, "<math") - html.matches("</math>").count() as i64;
        parts.push(Part::Html { html: html.to_owned() });
        let after = &rest[at + FIELD_OPEN.len()..];
        let end =
            after.find(FIELD_CLOSE).ok_or_else(|| Error::msg("the self-check page: a field's placeholder is cut"))?;
        let field = after[..end].parse::<usize>().ok().and_then(|n| fields.get_mut(n)?.take());
        let field = field.ok_or_else(|| Error::msg(format!("the self-check page: field {} twice", &after[..end])))?;
        parts.push(Part::Field { field, in_math: depth > 0 });
        rest = &after[end + FIELD_CLOSE.len()..];
    }
    parts.push(Part::Html { html: rest.to_owned() });
    let lost: Vec<String> = fields.into_iter().flatten().map(|f| f.id).collect();
    if !lost.is_empty() {
        return Err(Error::msg(format!(
            "the self-check page lost {} of its {count} blanks ({}): the template puts them in content Typst's HTML \
             export leaves out",
            lost.len(),
            lost.join(", ")
        )));
    }
    Ok(parts)
}

/// How many tags `<tag …>` open in `html` (not `<tagname…>`).
fn count_tags(html: &str, open: &str) -> i64 {
    html.match_indices(open).filter(|(i, _)| matches!(html.as_bytes().get(i + open.len()), Some(b' ' | b'>'))).count()
        as i64
}
