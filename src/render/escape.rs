//! Escaping for Typst: how text from a config, a roster or an answer is
//! printed into markup without ever acting as markup or code.

use crate::number::NumberFormat;

/// Escapes `text` for Typst markup (and math): every ASCII punctuation character
/// gets a backslash, so nothing in it can act as markup, code, math, a label, a
/// reference or a comment; line breaks and tabs become spaces; other control
/// characters are dropped.
pub fn escape_markup(text: &str) -> String {
    if is_plain_number(text) {
        // Digits with a true minus sign and a decimal point cannot act as markup;
        // left unescaped they stay one number token in math.
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            // Everything Typst reads as a line break (and tabs) becomes a space.
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if c.is_control() => {}
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` as Typst markup in which `**bold**` and `*italic*` (as a config's
/// `intro` writes them: a pair on one paragraph, the words inside not
/// starting or ending with a space) are bold and italic; everything else,
/// an asterisk without its pair too, is escaped by [`escape_markup`].
pub fn escape_emphasized(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let Some(star) = rest.find('*') else {
            out.push_str(&escape_markup(rest));
            break;
        };
        out.push_str(&escape_markup(&rest[..star]));
        let after = &rest[star..];
        let (marker, wrap) = if after.starts_with("**") { ("**", "strong") } else { ("*", "emph") };
        let inner = &after[marker.len()..];
        // The closing marker: the next one that is not the start of a longer run.
        let close = inner
            .match_indices(marker)
            .map(|(i, _)| i)
            .find(|&i| marker == "**" || (!inner[i + 1..].starts_with('*') && (i == 0 || !inner[..i].ends_with('*'))));
        match close {
            Some(end)
                if end > 0
                    && !inner[..end].starts_with(char::is_whitespace)
                    && !inner[..end].ends_with(char::is_whitespace) =>
            {
                out.push_str(&format!("#{wrap}[{}]", escape_markup(&inner[..end])));
                rest = &inner[end + marker.len()..];
            }
            _ => {
                out.push_str(&escape_markup(marker));
                rest = inner;
            }
        }
    }
    out
}

fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix('\u{2212}').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
}

/// Escapes `text` for Typst markup and maths as [`escape_markup`] does, for
/// a language that writes numbers in `numbers`: in a number with a decimal
/// separator other than a point (`0,5`, `−0,295`) the separator is written
/// as a content block, `0#[,]5`. In Typst maths a comma is punctuation, set
/// with a space after it, and inside a function's parentheses it separates
/// arguments; in a content block it is text. The digits around it stay
/// maths' own, so the number is set as a point's would be (`0,5h_2` with no
/// space, a minus as an operator), and in markup it is plain text. With a
/// point the text is escaped exactly as [`escape_markup`] escapes it.
pub fn escape_with(text: &str, numbers: &NumberFormat) -> String {
    let decimal = numbers.decimal.as_str();
    if decimal == "." || decimal.is_empty() {
        return escape_markup(text);
    }
    let mut block = String::from("#[");
    // One text in the block; anything in it that could act as markup is
    // escaped, except a comma or point, which an escape would make a text
    // of its own.
    for c in decimal.chars() {
        if c.is_ascii_punctuation() && !matches!(c, ',' | '.') {
            block.push('\\');
        }
        block.push(c);
    }
    block.push(']');
    let digit_at = |i: usize| text[i..].starts_with(|c: char| c.is_ascii_digit());
    let mut out = String::with_capacity(text.len() + 8);
    let (mut done, mut i) = (0, 0);
    while i < text.len() {
        let c = text[i..].chars().next().expect("a char at a boundary");
        let starts = c.is_ascii_digit() && text[..i].chars().next_back().is_none_or(|p| !p.is_alphanumeric());
        if !starts {
            i += c.len_utf8();
            continue;
        }
        // The number's digits; each separator between digits becomes a block.
        let mut end = i;
        loop {
            while digit_at(end) {
                end += 1;
            }
            let after = end + decimal.len();
            if !(text[end..].starts_with(decimal) && after < text.len() && digit_at(after)) {
                break;
            }
            out.push_str(&escape_markup(&text[done..end]));
            out.push_str(&block);
            done = after;
            end = after;
        }
        i = end;
    }
    if done == 0 {
        return escape_markup(text);
    }
    out.push_str(&escape_markup(&text[done..]));
    out
}

/// `text` as a Typst string literal, quotes included.
pub fn typst_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_markup() {
        assert_eq!(escape_markup("#set page(width: 3cm)"), "\\#set page\\(width\\: 3cm\\)");
        assert_eq!(escape_markup("$x$ *b* _i_ `r` <l> @r \\"), "\\$x\\$ \\*b\\* \\_i\\_ \\`r\\` \\<l\\> \\@r \\\\");
        assert_eq!(escape_markup("a\nb\u{7}c"), "a bc");
        // Unicode line and paragraph separators are line breaks to Typst (found by fuzzing).
        assert_eq!(escape_markup("b\u{2212}b\u{2029}x\u{2028}y"), "b\u{2212}b x y");
        assert_eq!(escape_markup("Zoë 😀 שלום"), "Zoë 😀 שלום");
    }

    #[test]
    fn numbers_with_a_decimal_comma_are_text_in_maths() {
        let german = NumberFormat { decimal: ",".into(), ..NumberFormat::english() };
        assert_eq!(escape_with("0,5", &german), "0#[,]5");
        assert_eq!(escape_with("−0,295", &german), "−0#[,]295");
        assert_eq!(escape_with("(−3,5)", &german), "\\(−3#[,]5\\)");
        assert_eq!(escape_with("≈ 350,4505317", &german), "≈ 350#[,]4505317");
        assert_eq!(escape_with("17", &german), "17");
        assert_eq!(escape_with("1, 2 und w1,5 und 3,", &german), "1\\, 2 und w1\\,5 und 3\\,");
        assert_eq!(escape_with("#set 1,5", &german), "\\#set 1#[,]5");
        let odd = NumberFormat { decimal: "'".into(), minus: "-".into(), ..NumberFormat::english() };
        assert_eq!(escape_with("-0'5", &odd), "\\-0#[\\']5");
        let dot = NumberFormat { decimal: "·".into(), ..NumberFormat::english() };
        assert_eq!(escape_with("Zoë 1·5·", &dot), "Zoë 1#[·]5·");
    }
}
