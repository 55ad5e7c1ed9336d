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
/// a language that writes numbers in `numbers`: a number with a decimal
/// separator other than a point (`0,5`, `−0,295`) is written as a content
/// block, `#[0,5]`. In Typst maths a comma is punctuation, set with a space
/// after it, and inside a function's parentheses it separates arguments; in
/// a content block it is text, in maths and in markup alike. With a point
/// the text is escaped exactly as [`escape_markup`] escapes it.
pub fn escape_with(text: &str, numbers: &NumberFormat) -> String {
    let decimal = numbers.decimal.as_str();
    if decimal == "." {
        return escape_markup(text);
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map_or(text.len(), |(byte, _)| *byte);
    let digit = |i: usize| chars.get(i).is_some_and(|(_, c)| c.is_ascii_digit());
    let mut out = String::with_capacity(text.len() + 8);
    let (mut done, mut i) = (0, 0);
    while i < chars.len() {
        let starts = digit(i) && (i == 0 || !chars[i - 1].1.is_alphanumeric());
        if !starts {
            i += 1;
            continue;
        }
        // The whole part, then each separator followed by digits.
        let mut end = i;
        while digit(end) {
            end += 1;
        }
        let mut separated = false;
        while text[at(end)..].starts_with(decimal) {
            let after = chars.iter().position(|(byte, _)| *byte == at(end) + decimal.len());
            match after.filter(|&j| digit(j)) {
                Some(mut j) => {
                    while digit(j) {
                        j += 1;
                    }
                    end = j;
                    separated = true;
                }
                None => break,
            }
        }
        if !separated {
            i = end;
            continue;
        }
        // A minus sign right before the number is part of it.
        let mut start = at(i);
        let before = &text[done..start];
        if !numbers.minus.is_empty() && before.ends_with(numbers.minus.as_str()) {
            let sign = start - numbers.minus.len();
            if text[..sign].chars().next_back().is_none_or(|c| !c.is_alphanumeric()) {
                start = sign;
            }
        }
        out.push_str(&escape_markup(&text[done..start]));
        out.push_str("#[");
        // One text in the block, so maths sets it as one: its comma or point
        // stays unescaped (an escape would make it a text of its own, set as
        // punctuation); anything else that could act as markup is escaped.
        for c in text[start..at(end)].chars() {
            if c.is_ascii_punctuation() && !matches!(c, ',' | '.') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push(']');
        done = at(end);
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
        assert_eq!(escape_with("0,5", &german), "#[0,5]");
        assert_eq!(escape_with("−0,295", &german), "#[−0,295]");
        assert_eq!(escape_with("(−3,5)", &german), "\\(#[−3,5]\\)");
        assert_eq!(escape_with("≈ 350,4505317", &german), "≈ #[350,4505317]");
        assert_eq!(escape_with("17", &german), "17");
        assert_eq!(escape_with("1, 2 und w1,5", &german), "1\\, 2 und w1\\,5");
        assert_eq!(escape_with("#set 1,5", &german), "\\#set #[1,5]");
        let odd = NumberFormat { decimal: "'".into(), minus: "-".into(), ..NumberFormat::english() };
        assert_eq!(escape_with("-0'5", &odd), "#[\\-0\\'5]");
        // With a point, as before.
        assert_eq!(escape_with("−0.295", &NumberFormat::english()), "−0.295");
        assert_eq!(escape_with("≈ 4.205", &NumberFormat::english()), escape_markup("≈ 4.205"));
    }

    #[test]
    fn intro_emphasis_is_markup_and_nothing_else_is() {
        assert_eq!(escape_emphasized("how it *learns* and **why**"), "how it #emph[learns] and #strong[why]");
        assert_eq!(escape_emphasized("2 * 3 = 6, a *b"), "2 \\* 3 \\= 6\\, a \\*b");
        assert_eq!(escape_emphasized("* x * and ** y **"), "\\* x \\* and \\*\\* y \\*\\*");
        assert_eq!(escape_emphasized("*#set page(width: 1cm)*"), "#emph[\\#set page\\(width\\: 1cm\\)]");
        assert_eq!(escape_emphasized("plain"), "plain");
    }

    #[test]
    fn string_literals_escape_quotes_and_backslashes() {
        assert_eq!(typst_string("say \"hi\" \\ now"), "\"say \\\"hi\\\" \\\\ now\"");
    }
}
