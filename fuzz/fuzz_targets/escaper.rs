//! `render::escape_markup` and `render::typst_string` on arbitrary strings: the
//! escaped markup must hold no live Typst syntax and no line break, and the
//! string literal must be well formed.
#![no_main]

use backprop_worksheet::render::{escape_markup, typst_string};
use libfuzzer_sys::fuzz_target;
use typst_syntax::SyntaxKind;

/// Mirror of the documented exception: digits, an optional true minus sign and
/// one decimal point are left as they are.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix('\u{2212}').unwrap_or(text);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
}

/// Every ASCII punctuation character is escaped by a backslash that is not itself
/// escaped; no character Typst reads as a line break.
fn check_markup(input: &str, out: &str) {
    let mut chars = out.chars();
    while let Some(c) = chars.next() {
        assert!(!typst_syntax::is_newline(c), "line break {c:?} in {out:?} (from {input:?})");
        assert!(!c.is_control(), "control character {c:?} in {out:?} (from {input:?})");
        if c == '\\' {
            match chars.next() {
                Some(e) if e.is_ascii_punctuation() => {}
                other => panic!("dangling backslash before {other:?} in {out:?} (from {input:?})"),
            }
        } else {
            assert!(!c.is_ascii_punctuation(), "unescaped {c:?} in {out:?} (from {input:?})");
        }
    }
    // What Typst's own parser makes of it: only text, escapes and spaces.
    let root = typst_syntax::parse(out);
    assert!(!root.diagnosis().errors, "markup does not parse: {out:?} (from {input:?})");
    for node in root.children() {
        assert!(
            matches!(node.kind(), SyntaxKind::Text | SyntaxKind::Escape | SyntaxKind::Space),
            "escaped markup {out:?} (from {input:?}) parses to a {:?} node",
            node.kind()
        );
    }
}

fn check_string(input: &str, out: &str) {
    assert!(out.len() >= 2 && out.starts_with('"') && out.ends_with('"'), "not quoted: {out:?} (from {input:?})");
    let inner = &out[1..out.len() - 1];
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        assert!(!c.is_control(), "control character {c:?} in {out:?} (from {input:?})");
        match c {
            '\\' => match chars.next() {
                Some('"' | '\\') => {}
                other => panic!("stray escape \\{other:?} in {out:?} (from {input:?})"),
            },
            '"' => panic!("unescaped quote in {out:?} (from {input:?})"),
            _ => {}
        }
    }
    let code = typst_syntax::parse_code(out);
    assert!(!code.diagnosis().errors, "string literal does not parse: {out:?} (from {input:?})");
}

fuzz_target!(|input: &str| {
    let markup = escape_markup(input);
    if is_plain_number(input) {
        assert_eq!(markup, input, "a plain number must be left alone");
    } else {
        check_markup(input, &markup);
    }
    check_string(input, &typst_string(input));
});
