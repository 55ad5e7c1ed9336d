//! The page's words: the worksheet's headings and the lines its blanks stand
//! on, read from the recorded student markup and reduced from Typst to plain
//! text, and a spoken label for every blank.

use super::{Field, Line, Part, Section};
use crate::answers::Solved;

/// The sections of the page: the headings of `markup` (the recorded student
/// markup, see [`crate::render::marker`]) and, under each, the lines holding
/// blanks, with `fields` (one per marker, in order) in place of the markers.
pub(super) fn sections(markup: &str, fields: Vec<Field>) -> Vec<Section> {
    let mut fields = fields.into_iter().map(Some).collect::<Vec<_>>();
    let mut sections: Vec<Section> = vec![Section { title: String::new(), level: 2, lines: Vec::new() }];
    for raw in markup.lines() {
        let trimmed = raw.trim_start();
        let level = trimmed.chars().take_while(|&c| c == '=').count();
        if (1..=3).contains(&level) && trimmed[level..].starts_with(' ') && !trimmed.contains('\u{E000}') {
            sections.push(Section { title: plain(&trimmed[level..]), level: level + 1, lines: Vec::new() });
            continue;
        }
        if !raw.contains('\u{E000}') {
            continue;
        }
        let mut parts = Vec::new();
        let mut rest = raw;
        while let Some(start) = rest.find('\u{E000}') {
            let text = plain(&rest[..start]);
            if !text.is_empty() {
                parts.push(Part::Text { text });
            }
            let after = &rest[start + '\u{E000}'.len_utf8()..];
            let end = after.find('\u{E001}').unwrap_or(after.len());
            if let Some(field) = after[..end].parse::<usize>().ok().and_then(|n| fields.get_mut(n)?.take()) {
                parts.push(Part::Field { field });
            }
            rest = after.get(end + '\u{E001}'.len_utf8()..).unwrap_or("");
        }
        let text = plain(rest);
        if !text.is_empty() {
            parts.push(Part::Text { text });
        }
        let only_fields = parts.iter().all(|p| matches!(p, Part::Field { .. }));
        let block = parts.iter().any(|p| matches!(p, Part::Field { field } if field.kind == "text"));
        let section = sections.last_mut().expect("there is always a section");
        // Table cells, one a line in the markup, make one line of the page.
        match section.lines.last_mut() {
            Some(last)
                if only_fields
                    && !block
                    && !last.block
                    && last.parts.iter().all(|p| matches!(p, Part::Field { .. })) =>
            {
                last.parts.extend(parts)
            }
            _ => section.lines.push(Line { parts, block }),
        }
    }
    // A field the line scan missed (a marker split over lines) still gets a line.
    let missed: Vec<Part> = fields.into_iter().flatten().map(|field| Part::Field { field }).collect();
    if !missed.is_empty() {
        sections.last_mut().expect("there is always a section").lines.push(Line { parts: missed, block: false });
    }
    // A heading with no blank under it (the introduction's) stays only as a part's title.
    sections.retain(|s| !s.lines.is_empty() || (s.level == 2 && !s.title.is_empty()));
    sections
}

/// Typst markup (text and math) reduced to plain text.
pub(super) fn plain(markup: &str) -> String {
    let chars: Vec<char> = markup.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            '#' => {
                // A function call: its name and arguments go, its content stays.
                i += 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '-' | '.')) {
                    i += 1;
                }
                if i < chars.len() && chars[i] == '(' {
                    let mut depth = 0;
                    while i < chars.len() {
                        match chars[i] {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        i += 1;
                        if depth == 0 {
                            break;
                        }
                    }
                }
                out.push(' ');
                continue;
            }
            '$' | '*' | '[' | ']' | '"' => {}
            _ => out.push(c),
        }
        i += 1;
    }
    let out = derivatives(&out);
    let words: Vec<String> = out
        .split_whitespace()
        .map(|word| match word {
            "dot" => "·".to_owned(),
            "times" => "×".to_owned(),
            "approx" => "≈".to_owned(),
            "quad" => "".to_owned(),
            "sigma" => "σ".to_owned(),
            "-" => "−".to_owned(),
            _ => subscripts(word),
        })
        .filter(|w| !w.is_empty())
        .collect();
    let text = words.join(" ").replace("---", "—").replace("--", "–");
    let text = text.strip_prefix("− ").or_else(|| text.strip_prefix("+ ")).unwrap_or(&text);
    text.trim_end_matches([',', ' ']).trim().to_owned()
}

/// `w_1` → `w1`, `w_(1,new)` → `w(1,new)`; a word subscript stays: `y_target`.
fn subscripts(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        if c == '_' && (next.is_ascii_digit() || next == '(') {
            continue;
        }
        out.push(c);
    }
    out
}

/// `(d E) / (d y)` → `dE/dy`.
fn derivatives(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("(d ") {
        let parsed = (|| {
            let after = &rest[start + 3..];
            let close = after.find(')')?;
            let top = &after[..close];
            let after = after[close..].strip_prefix(") / (d ")?;
            let close2 = after.find(')')?;
            Some((format!("d{}/d{}", top.trim(), after[..close2].trim()), start + 3 + close + 7 + close2 + 1))
        })();
        match parsed {
            Some((fraction, end)) => {
                out.push_str(&rest[..start]);
                out.push_str(&fraction);
                rest = &rest[end..];
            }
            None => {
                out.push_str(&rest[..start + 3]);
                rest = &rest[start + 3..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a screen reader announces for the blank `id`.
pub(super) fn describe(id: &str, solved: &Solved) -> String {
    let nudge = solved.worksheet.nudge.to_display_string();
    let name = |part: &str| -> String {
        match part {
            "error" => "E".to_owned(),
            "dE_dy" => "dE/dy".to_owned(),
            "change" => "change in E".to_owned(),
            _ => {
                if let Some(w) = part.strip_prefix("grad_") {
                    format!("dE/d{w}")
                } else if let Some(v) = part.strip_prefix("new_") {
                    format!("new {}", if v == "error" { "E" } else { v })
                } else if let Some((top, bottom)) = part.strip_prefix('d').and_then(|p| p.split_once("_d")) {
                    format!("d{top}/d{bottom}")
                } else {
                    part.replace('_', " ")
                }
            }
        }
    };
    if let Some(rest) = id.strip_prefix("nudge_") {
        let parts: Vec<&str> = rest.split('.').collect();
        return match parts.as_slice() {
            [w, "direction"] => format!("increase or decrease {w}"),
            [w, row, what] => {
                let row = match *row {
                    "base" => format!("{w} unchanged"),
                    "plus" => format!("{w} + {nudge}"),
                    _ => format!("{w} − {nudge}"),
                };
                format!("{}, row {row}", name(what))
            }
            _ => id.to_owned(),
        };
    }
    if let Some(rest) = id.strip_prefix("ext.") {
        return format!("extension: {}", name(rest));
    }
    match id {
        "strongest_weight" => "the weight with the bigger effect".to_owned(),
        "error_decreased" => "did the error decrease".to_owned(),
        "reflection_factors" => "number of derivatives".to_owned(),
        "discussion" | "which_rule" | "why_harder" | "reflection" | "billions" | "error_verdict" => {
            format!("your answer ({})", id.replace('_', " "))
        }
        _ if id.starts_with("check_") => format!("your answer (check {})", &id[6..]),
        _ => name(id),
    }
}
