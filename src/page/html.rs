//! The page's body: the student version through Typst's HTML export, each
//! equation's spoken form moved into its MathML, and the fields'
//! placeholders found, each once, for the page template to fill.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

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
    // A table wider than the page (a five-layer sheet's, or any on a phone)
    // scrolls sideways inside the text column instead of running past it.
    let decimal = &templates.numbers(&solved.worksheet.presentation.language).decimal;
    let body = web_math(&with_alt_text(body), decimal)
        .replace("<table>", "<div class=\"table\"><table>")
        .replace("</table>", "</table></div>");
    Ok(Exported { style, body: legible_drawings(&body) })
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
        // Chromium names a <math> by its aria-label, not its alttext: both,
        // so a screen reader says the formula (and a heading keeps it).
        out.push_str(&format!("<math alttext=\"{alt}\" aria-label=\"{alt}\""));
        out.push_str(&math[..end - "><math".len()]);
        out.push_str("</math>");
        rest = &inner[end + "</math></span>".len()..];
    }
    out.push_str(rest);
    out
}

/// Every `<math>` of `body` made ready for the web: its letters in plain
/// code points, each number one `<mn>` and a display equation in parts that
/// may wrap. `decimal` is the language's decimal separator.
fn web_math(body: &str, decimal: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find("<math") {
        let (Some(open_end), Some(close)) = (rest[at..].find('>'), rest[at..].find("</math>")) else { break };
        let open = &rest[at..at + open_end + 1];
        let inner = attached_primes(&whole_numbers(&plain_letters(&rest[at + open_end + 1..at + close]), decimal));
        out.push_str(&rest[..at]);
        out.push_str(open);
        if open.contains(" display=\"block\"") {
            out.push_str(&in_parts(&inner));
        } else {
            out.push_str(&inner);
        }
        out.push_str("</math>");
        rest = &rest[at + close + "</math>".len()..];
    }
    out.push_str(rest);
    out
}

/// A number written with a decimal separator other than a point, which
/// the sheet sets as a text between its digits (`0#[,]5` in Typst maths), as
/// one `<mn>`: `<mn>0,5</mn>`, not `<mn>0</mn><mtext>,</mtext><mn>5</mn>`.
fn whole_numbers(math: &str, decimal: &str) -> String {
    if decimal == "." || decimal.is_empty() {
        return math.to_owned();
    }
    let escaped = html_escape(decimal);
    let separator = format!("</mn><mtext>{escaped}</mtext><mn>");
    let mut out = String::with_capacity(math.len());
    let mut rest = math;
    while let Some(at) = rest.find(&separator) {
        let before = &rest[..at];
        let after = &rest[at + separator.len()..];
        let digits = |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
        let whole = before.rfind("<mn>").is_some_and(|open| digits(&before[open + "<mn>".len()..]))
            && after.find("</mn>").is_some_and(|close| digits(&after[..close]));
        out.push_str(before);
        out.push_str(if whole { &escaped } else { &separator });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `text` escaped as Typst's HTML export escapes text.
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The letters of `<mi>` elements in their plain code points: Typst writes a
/// variable in mathematical italic (U+1D464 for w, U+210E for h), which a
/// screen reader may spell out ("letter 1 D 4 6 4"); a one-letter `<mi>` is
/// set in italic by the browser anyway (MathML Core's `math-auto`).
fn plain_letters(math: &str) -> String {
    let mut out = String::with_capacity(math.len());
    let mut rest = math;
    while let Some(at) = rest.find("<mi>") {
        let Some(end) = rest[at..].find("</mi>") else { break };
        let letters = &rest[at + "<mi>".len()..at + end];
        out.push_str(&rest[..at + "<mi>".len()]);
        if letters.chars().count() == 1 {
            let letter = letters.chars().next().unwrap_or_default();
            if matches!(letter as u32, 0x1D400..=0x1D7FF | 0x210E) {
                out.extend(std::iter::once(letter).nfkc());
            } else {
                out.push(letter);
            }
        } else {
            out.push_str(letters);
        }
        out.push_str("</mi>");
        rest = &rest[at + end + "</mi>".len()..];
    }
    out.push_str(rest);
    out
}

/// Every prime of a function (`σ′`, `tanh′`, `ReLU′`), which Typst writes
/// as a superscript, `<msup><mi>σ</mi><mo>′</mo></msup>`, written after its
/// base instead: the prime glyph is already raised, and Chromium raises a
/// superscript one again, which detaches it ("σ ′ (z)").
fn attached_primes(math: &str) -> String {
    const PRIME: &str = "<mo>\u{2032}</mo></msup>";
    let mut out = String::with_capacity(math.len());
    let mut rest = math;
    while let Some(at) = rest.find("<msup>") {
        let after = &rest[at + "<msup>".len()..];
        // The base: one element with text and no children.
        let base_end = after.find('>').and_then(|gt| {
            let text_end = gt + 1 + after[gt + 1..].find('<')?;
            if !after[text_end..].starts_with("</") {
                return None;
            }
            Some(text_end + after[text_end..].find('>')? + 1)
        });
        match base_end {
            Some(end) if after[end..].starts_with(PRIME) => {
                out.push_str(&rest[..at]);
                out.push_str(&format!(
                    "<mrow>{}<mo form=\"postfix\" lspace=\"0em\" rspace=\"0em\">\u{2032}</mo></mrow>",
                    &after[..end]
                ));
                rest = &after[end + PRIME.len()..];
            }
            _ => {
                out.push_str(&rest[..at + "<msup>".len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The top-level children of a display equation grouped into parts, each
/// `<mrow class="part">` beginning at a relation (`=`, `≈`), a product's dot
/// or a `quad`: on a narrow screen the page's style lets the parts wrap, so
/// a long equation breaks where a printed one would, and every field stays
/// on the screen. A part's leading operator keeps the spacing it has
/// between two terms.
fn in_parts(inner: &str) -> String {
    let mut parts: Vec<String> = vec![String::new()];
    for child in children(inner) {
        let operator = breaking_operator(child);
        let breaks = operator.is_some() || child.starts_with("<mspace");
        if breaks && !parts.last().is_some_and(String::is_empty) {
            parts.push(String::new());
        }
        let last = parts.last_mut().expect("a part");
        match operator {
            // Its spacing as a style: a part that is one operator and a
            // field is itself an operator in MathML, whose spacing a
            // wrapping row does not give.
            Some(op) if last.is_empty() => {
                let class = if matches!(op, "=" | "\u{2248}") { "relation" } else { "operation" };
                last.push_str(&format!("<mo form=\"infix\" lspace=\"0\" rspace=\"0\" class=\"{class}\">{op}</mo>"));
            }
            _ => last.push_str(child),
        }
    }
    if parts.len() < 2 {
        return inner.to_owned();
    }
    parts.iter().map(|part| format!("<mrow class=\"part\">{part}</mrow>")).collect()
}

/// The operator of `child` when it is one a display equation may wrap
/// before: a relation (`=`, `≈`) or a product's dot or cross.
fn breaking_operator(child: &str) -> Option<&str> {
    let rest = child.strip_prefix("<mo")?;
    let (_, rest) = rest.split_once('>')?;
    let op = rest.strip_suffix("</mo>")?;
    ["=", "\u{2248}", "\u{22C5}", "\u{00D7}"].into_iter().find(|o| *o == op)
}

/// The top-level elements of a piece of markup (text between them goes with
/// the element after it).
fn children(inner: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start, mut i) = (0_usize, 0, 0);
    while let Some(lt) = inner[i..].find('<') {
        let tag_start = i + lt;
        let Some(gt) = inner[tag_start..].find('>') else { break };
        let tag_end = tag_start + gt + 1;
        let tag = &inner[tag_start..tag_end];
        if tag.starts_with("</") {
            depth = depth.saturating_sub(1);
        } else if !tag.ends_with("/>") {
            depth += 1;
        }
        if depth == 0 {
            out.push(&inner[start..tag_end]);
            start = tag_end;
        }
        i = tag_end;
    }
    if start < inner.len() {
        out.push(&inner[start..]);
    }
    out
}

/// Each drawing (a `<figure>` whose `data-text-size` is the size of its
/// smallest text, in points) kept wide enough that its labels are at least
/// [`LEGIBLE_PX`] CSS pixels tall: on a narrow screen it scrolls sideways in
/// its figure instead of shrinking its labels out of sight.
#[allow(clippy::disallowed_types)] // lengths on the screen, not answers
fn legible_drawings(body: &str) -> String {
    const OPEN: &str = "<figure ";
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find(OPEN) {
        let figure_end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
        let figure = &rest[at..figure_end];
        out.push_str(&rest[..figure_end]);
        rest = &rest[figure_end..];
        let Some(size) = attribute(figure, "data-text-size").and_then(|s| s.parse::<f32>().ok()) else { continue };
        if !rest.starts_with("<svg ") {
            continue;
        }
        let svg_end = rest.find('>').unwrap_or(0);
        let svg = &rest[..svg_end];
        let width = attribute(svg, "viewBox").and_then(|b| b.split_whitespace().nth(2)?.parse::<f32>().ok());
        match (width, svg.find("style=\"")) {
            (Some(width), Some(style)) if size > 0.0 => {
                let at = style + "style=\"".len();
                // The viewBox is in points: the drawing is `width` points wide.
                let min = (width * LEGIBLE_PX / size).ceil();
                out.push_str(&svg[..at]);
                out.push_str(&format!("min-width: {min}px; "));
                out.push_str(&svg[at..]);
                rest = &rest[svg_end..];
            }
            _ => {}
        }
    }
    out.push_str(rest);
    out
}

/// The smallest size a drawing's text is shown at on the page, in CSS pixels.
#[allow(clippy::disallowed_types)] // a length on the screen, not an answer
const LEGIBLE_PX: f32 = 10.0;

/// The value of the attribute `name` in the tag `tag`.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[at..].find('"')?;
    Some(&tag[at..at + end])
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
    let lost: Vec<String> = fields.into_iter().flatten().map(|f| f.id.to_string()).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primes_follow_their_base() {
        let prime = "<mo form=\"postfix\" lspace=\"0em\" rspace=\"0em\">\u{2032}</mo>";
        assert_eq!(
            attached_primes("<msup><mi>σ</mi><mo>′</mo></msup><mrow>"),
            format!("<mrow><mi>σ</mi>{prime}</mrow><mrow>")
        );
        assert_eq!(
            attached_primes("<msup><mo form=\"prefix\" lspace=\"0em\" rspace=\"0em\">tanh</mo><mo>′</mo></msup>"),
            format!("<mrow><mo form=\"prefix\" lspace=\"0em\" rspace=\"0em\">tanh</mo>{prime}</mrow>")
        );
        assert_eq!(
            attached_primes("<msup><mtext>ReLU</mtext><mo>′</mo></msup>"),
            format!("<mrow><mtext>ReLU</mtext>{prime}</mrow>")
        );
        // Other superscripts stay.
        for kept in ["<msup><mi>x</mi><mn>2</mn></msup>", "<msup><mrow><mi>a</mi></mrow><mo>′</mo></msup>", "<msup>"]
        {
            assert_eq!(attached_primes(kept), kept);
        }
    }

    #[test]
    fn a_number_with_a_decimal_comma_is_one_mn() {
        let math =
            "<mo>−</mo><mn>0</mn><mtext>,</mtext><mn>295</mn><mo>,</mo><mn>3</mn><mi>x</mi><mtext>,</mtext><mn>5</mn>";
        assert_eq!(
            whole_numbers(math, ","),
            "<mo>−</mo><mn>0,295</mn><mo>,</mo><mn>3</mn><mi>x</mi><mtext>,</mtext><mn>5</mn>"
        );
        assert_eq!(whole_numbers("<mn>1</mn><mtext>&lt;</mtext><mn>5</mn>", "<"), "<mn>1&lt;5</mn>");
        assert_eq!(whole_numbers(math, "."), math);
    }
}
