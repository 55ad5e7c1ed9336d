//! YAML syntax errors in plain words. The parser says where it stopped, in
//! its own terms ("simple key expect ':'", "did not find expected key"),
//! often a line after the mistake; a teacher needs the line to change and
//! what to write there. Each reading below looks at the text up to the
//! parser's position for one mistake people make: a tab that indents, a
//! quote or bracket left open, a name without its colon, the fields of a
//! deleted `network:` line, a line indented unlike the fields around it.
//! When none fits, the parser's own words are kept.

/// A syntax error worded for the config's author: where to change the text
/// (1-based line and column) and what to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plain {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong and what to write instead.
    pub message: String,
}

/// Whether `word` is the name of a field of a config, at any depth: a line
/// that starts with one is meant as a field.
fn is_field(word: &str) -> bool {
    use super::raw::{EXTENSION, LAYER, NETWORK, RULES, TOP, VIDEO};
    [TOP, NETWORK, LAYER, VIDEO, EXTENSION, RULES].iter().any(|names| names.contains(&word))
}

/// One line of the text as the readings see it.
#[derive(Debug)]
struct Line<'a> {
    /// 1-based line number.
    number: usize,
    /// The whole line.
    text: &'a str,
    /// Leading spaces and tabs, in characters.
    indent: usize,
    /// The line without its indentation and comment, trimmed at the end.
    content: &'a str,
    /// Inside a block scalar (`|`, `>`) or a `{ … }`/`[ … ]` begun on an
    /// earlier line: text, not structure.
    inside: bool,
}

impl Line<'_> {
    /// A line with no structure: blank, a comment, or inside a text block.
    fn is_structure(&self) -> bool {
        !self.content.is_empty() && !self.inside
    }

    /// The key of a `key: value` or `key:` line (or of a `- key: value` item).
    fn key(&self) -> Option<&str> {
        let content = self.content.strip_prefix("- ").unwrap_or(self.content).trim_start();
        let (key, rest) = content.split_once(':')?;
        let plain = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '));
        (plain && (rest.is_empty() || rest.starts_with([' ', '\t']))).then(|| key.trim())
    }

    /// Whether the line opens an indented block: `key:` with nothing after.
    fn opens_block(&self) -> bool {
        let content = self.content.strip_prefix("- ").unwrap_or(self.content);
        content.ends_with(':') && self.key().is_some()
    }
}

/// The lines of `text` with their indentation, content without comments,
/// and whether they are inside a block scalar or a multi-line flow.
fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    // The indentation of the key whose block scalar is being read.
    let mut scalar: Option<usize> = None;
    let mut depth = 0usize;
    for (i, text) in text.lines().enumerate() {
        let indent = text.chars().take_while(|c| *c == ' ' || *c == '\t').count();
        let rest: String = text.chars().skip(indent).collect();
        let content_len = strip_comment(&rest).trim_end().len();
        let start = text.len() - rest.len();
        let content = &text[start..start + content_len];
        let blank = content.is_empty();
        let in_scalar = match scalar {
            Some(key_indent) if blank || indent > key_indent => true,
            _ => {
                scalar = None;
                false
            }
        };
        let inside = in_scalar || depth > 0;
        if !in_scalar {
            depth = flow_depth(content, depth);
            let opener = content.trim_end_matches(['-', '+', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
            if opener.ends_with(": |") || opener.ends_with(": >") || opener == "|" || opener == ">" {
                scalar = Some(indent);
            }
        }
        out.push(Line { number: i + 1, text, indent, content, inside });
    }
    out
}

/// `content` without a trailing `# comment` (a `#` after a space, outside quotes).
fn strip_comment(content: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (i, c) in content.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'') && (previous == ' ' || matches!(previous, ':' | '[' | '{' | ',')) => {
                quote = Some(c)
            }
            None if c == '#' && previous.is_whitespace() => return &content[..i],
            None => {}
        }
        previous = c;
    }
    content
}

/// The depth of `{ … }` and `[ … ]` after `content`, from `depth` before it.
fn flow_depth(content: &str, depth: usize) -> usize {
    let mut depth = depth;
    let mut quote: Option<char> = None;
    for c in content.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if depth > 0 => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

/// The parser's error at `line` (1-based; past the end for the end of the
/// text), with its `message`, in plain words, if one of the readings fits.
pub fn explain(text: &str, line: usize, message: &str) -> Option<Plain> {
    let lines = lines(text);
    let upto = line.min(lines.len());
    let seen = &lines[..upto];
    tab(seen)
        .or_else(|| open_quote(&lines, line, message))
        .or_else(|| brackets(&lines, line))
        .or_else(|| missing_colon(&lines, upto))
        .or_else(|| orphaned_network_field(&lines, line))
        .or_else(|| indentation(&lines, line))
}

/// A tab in the indentation of a line: YAML indents with spaces only.
fn tab(seen: &[Line]) -> Option<Plain> {
    let line = seen.iter().find(|l| !l.inside && l.text[..l.text.len() - l.text.trim_start().len()].contains('\t'))?;
    let column = line.text.chars().position(|c| c == '\t')? + 1;
    Some(Plain {
        line: line.number,
        column,
        message: format!(
            "YAML indents with spaces, not tabs: replace the tab at line {}, column {column} with spaces (two for \
             each level, like the lines around it)",
            line.number
        ),
    })
}

/// A quoted text whose closing quote is missing (the parser marks the
/// opening quote), or a single-quoted text cut short by an apostrophe.
fn open_quote(lines: &[Line], line: usize, message: &str) -> Option<Plain> {
    for l in lines.iter().take(line.min(lines.len())).filter(|l| l.is_structure()) {
        let Some((start, quote)) = value_start(l.content).and_then(|i| {
            let c = l.content[i..].chars().next()?;
            matches!(c, '"' | '\'').then_some((i, c))
        }) else {
            continue;
        };
        let body = &l.content[start + 1..];
        let column = l.indent + l.content[..start].chars().count() + 1;
        match closing_quote(body, quote) {
            None if message.contains("quoted") => {
                return Some(Plain {
                    line: l.number,
                    column,
                    message: format!(
                        "the text that opens with {quote} here is never closed: end it with {quote} on the same \
                         line, `{}{quote}`",
                        l.content
                    ),
                });
            }
            Some(end) if quote == '\'' => {
                let after = body[end + 1..].trim_start();
                if !after.is_empty() && !after.starts_with([',', '}', ']']) {
                    let (key, _) = l.content.split_at(start);
                    let text = body.strip_suffix('\'').unwrap_or(body).replace("''", "'");
                    return Some(Plain {
                        line: l.number,
                        column: column + body[..end].chars().count() + 1,
                        message: format!(
                            "this apostrophe ends the text that the ' before it began: inside '…' write an \
                             apostrophe twice (''), or put the text in double quotes: `{key}\"{}\"`",
                            text.replace('"', "\\\"")
                        ),
                    });
                }
            }
            _ => {}
        }
    }
    None
}

/// Where the value of `content` starts: after `key: `, `- `, or at the start.
fn value_start(content: &str) -> Option<usize> {
    if let Some(rest) = content.strip_prefix("- ") {
        return Some(content.len() - rest.trim_start().len());
    }
    let colon = content.find(": ")?;
    let rest = &content[colon + 1..];
    Some(colon + 1 + (rest.len() - rest.trim_start().len()))
}

/// The byte index in `body` of the quote that closes it, if any.
fn closing_quote(body: &str, quote: char) -> Option<usize> {
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if quote == '"' && c == '\\' {
            chars.next();
        } else if c == quote {
            if quote == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                chars.next();
            } else {
                return Some(i);
            }
        }
    }
    None
}

/// A `{` or `[` left open before the next field, a closing bracket of the
/// wrong kind, or one with no opening bracket.
fn brackets(lines: &[Line], line: usize) -> Option<Plain> {
    let mut open: Vec<(char, usize, usize)> = Vec::new();
    for l in lines.iter().take(line.min(lines.len())) {
        if l.content.is_empty() {
            continue;
        }
        // A field at or left of an open bracket's line: the bracket was never closed.
        if let Some(&(bracket, at_line, at_column)) = open.first() {
            let opener_indent = lines[at_line - 1].indent;
            if l.key().is_some() && l.indent <= opener_indent {
                return Some(unclosed(bracket, at_line, at_column));
            }
        }
        let mut quote: Option<char> = None;
        for (i, c) in l.content.chars().enumerate() {
            let column = l.indent + i + 1;
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') if !open.is_empty() => quote = Some(c),
                (None, '{' | '[') => open.push((c, l.number, column)),
                (None, '}' | ']') => {
                    let wanted = if c == '}' { '{' } else { '[' };
                    match open.pop() {
                        Some((o, _, _)) if o == wanted => {}
                        Some((o, at_line, at_column)) => {
                            let close = if o == '{' { '}' } else { ']' };
                            return Some(Plain {
                                line: l.number,
                                column,
                                message: format!(
                                    "this `{c}` closes the `{o}` at line {at_line}, column {at_column}: write `{close}` \
                                     (a `{{ … }}` closes with `}}`, a `[ … ]` with `]`)"
                                ),
                            });
                        }
                        None => {
                            return Some(Plain {
                                line: l.number,
                                column,
                                message: format!(
                                    "this `{c}` has no `{wanted}` before it: delete it, or add the `{wanted}`"
                                ),
                            })
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let &(bracket, at_line, at_column) = open.first()?;
    // Still open where the parser stopped, begun on an earlier line.
    (at_line < line || line > lines.len()).then(|| unclosed(bracket, at_line, at_column))
}

fn unclosed(bracket: char, line: usize, column: usize) -> Plain {
    let (close, example) = match bracket {
        '{' => ('}', "`- { coefficient: 3, weight: 1 }`"),
        _ => (']', "`require: [error >= 2]`"),
    };
    Plain {
        line,
        column,
        message: format!(
            "the `{bracket}` here is never closed: end it with `{close}` on the same line, before the next field \
             (such as {example})"
        ),
    }
}

/// A field name without its colon (`learning_rate 0.05`), or a colon with
/// no space after it (`learning_rate:0.05`), on the line where the parser
/// stopped or the line before it.
fn missing_colon(lines: &[Line], upto: usize) -> Option<Plain> {
    let before = lines[..upto.saturating_sub(1)].iter().rev().find(|l| l.is_structure());
    let here = upto.checked_sub(1).and_then(|i| lines.get(i)).filter(|l| l.is_structure());
    for l in before.into_iter().chain(here) {
        let content = l.content;
        let word_end = content.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(content.len());
        let word = &content[..word_end];
        if word.is_empty() || !word.starts_with(|c: char| c.is_alphabetic() || c == '_') {
            continue;
        }
        let rest = &content[word_end..];
        let meant = is_field(word) || siblings_are_fields(lines, l);
        if !meant {
            continue;
        }
        let column = l.indent + word.chars().count() + 1;
        if let Some(value) = rest.strip_prefix(':').filter(|v| !v.is_empty() && !v.starts_with([' ', '\t'])) {
            return Some(Plain {
                line: l.number,
                column: column + 1,
                message: format!("put a space after the colon: `{word}: {value}`"),
            });
        }
        let value = rest.trim_start();
        if rest.is_empty() || (rest.starts_with(' ') && !value.contains(':') && !value.starts_with(['=', '-'])) {
            let fixed = if value.is_empty() { format!("{word}:") } else { format!("{word}: {value}") };
            return Some(Plain {
                line: l.number,
                column,
                message: format!("`{content}` needs a colon after the name: `{fixed}`"),
            });
        }
    }
    None
}

/// Whether the structure lines next to `line` at its indentation are `key: value` lines.
fn siblings_are_fields(lines: &[Line], line: &Line) -> bool {
    let same = |l: &&Line| l.is_structure() && l.indent == line.indent && l.number != line.number;
    let above = lines[..line.number - 1]
        .iter()
        .rev()
        .filter(|l| l.is_structure())
        .take_while(|l| l.indent >= line.indent)
        .find(same);
    let below =
        lines[line.number..].iter().filter(|l| l.is_structure()).take_while(|l| l.indent >= line.indent).find(same);
    above.or(below).is_some_and(|l| l.key().is_some())
}

/// A network field (`input`, `target`, `layers`) indented at the parser's
/// line as if under a `network:` line that is missing.
fn orphaned_network_field(lines: &[Line], line: usize) -> Option<Plain> {
    let here = lines.get(line.checked_sub(1)?)?;
    let key = here.key()?;
    if !matches!(key, "input" | "target" | "layers") || here.indent == 0 {
        return None;
    }
    // The block starts after the last line above written at the left margin.
    let top = lines[..line - 1].iter().rev().find(|l| l.is_structure() && l.indent == 0)?;
    // A parent (`network:`, or a misspelt one) is there: the indentation is what is wrong.
    if top.opens_block() {
        return None;
    }
    let first = lines[top.number..].iter().find(|l| l.is_structure()).map_or(line, |l| l.number);
    Some(Plain {
        line,
        column: here.indent + 1,
        message: format!(
            "`{key}` is indented as if under a field, but the line above it is not `network:`: `input`, `target` \
             and `layers` must sit under `network:`; add the line `network:` (not indented) above line {first}"
        ),
    })
}

/// A line indented more or less than the fields it belongs with, at the
/// parser's position (or next to it). An oddity further up is valid YAML
/// this reading does not follow (a text running on over lines): no reading.
fn indentation(lines: &[Line], line: usize) -> Option<Plain> {
    // Open blocks, innermost last: their indentation and the key that opened them.
    let mut levels: Vec<(usize, Option<String>)> = vec![(0, None)];
    let mut previous: Option<&Line> = None;
    for l in lines.iter().take((line + 1).min(lines.len())).filter(|l| l.is_structure()) {
        let (indent, name) = levels.last().cloned().expect("the top level is never closed");
        if l.indent > indent {
            match previous {
                Some(p) if p.opens_block() => {
                    levels.push((l.indent, p.key().map(str::to_owned)));
                }
                // The fields of a `- key: value` item line up after its dash.
                Some(p) if p.content.starts_with("- ") && p.key().is_some() && l.indent == p.indent + 2 => {
                    levels.push((l.indent, Some("this list item".to_owned())));
                }
                _ => return near(l, line).then(|| misplaced(l, indent, name.as_deref(), &levels)),
            }
        } else if l.indent < indent {
            while levels.last().is_some_and(|(i, _)| *i > l.indent) {
                levels.pop();
            }
            let (outer, _) = levels.last().cloned().expect("the top level is never closed");
            if outer != l.indent {
                return near(l, line).then(|| misplaced(l, indent, name.as_deref(), &levels));
            }
        }
        // A list under `key:` may sit at the key's own indentation.
        if let Some(p) = previous.filter(|p| p.opens_block() && l.indent == p.indent && l.content.starts_with("- ")) {
            levels.push((l.indent, p.key().map(str::to_owned)));
        }
        previous = Some(l);
    }
    None
}

/// Whether `l` is next to the parser's `line`.
fn near(l: &Line, line: usize) -> bool {
    l.number + 1 >= line && l.number <= line + 1
}

fn misplaced(l: &Line, indent: usize, name: Option<&str>, levels: &[(usize, Option<String>)]) -> Plain {
    let spaces = |n: usize| match n {
        0 => "not indented".to_owned(),
        1 => "indented 1 space".to_owned(),
        n => format!("indented {n} spaces"),
    };
    let others = match name {
        Some(name) if name.starts_with("this ") => format!("the other lines of {name} are {}", spaces(indent)),
        Some(name) => format!("the other fields of `{name}` are {}", spaces(indent)),
        None => format!("the top-level fields are {}", spaces(indent)),
    };
    // Indented less than its fields: the level further out may be what was meant.
    let outer = levels.iter().rev().find(|(i, _)| *i < indent && *i < l.indent.max(1)).filter(|_| l.indent < indent);
    let also = match outer {
        Some((i, Some(name))) if !name.starts_with("this ") => format!(", and those of `{name}` {}", spaces(*i)),
        Some((i, None)) if indent > 0 => format!(", and the top-level fields {}", spaces(*i)),
        _ => String::new(),
    };
    Plain {
        line: l.number,
        column: l.indent + 1,
        message: format!(
            "line {} is {}; {others}{also}: indent it like the fields it belongs with",
            l.number,
            spaces(l.indent)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "title: T\nnetwork:\n  input: 2\n  target: 20\n  layers:\n    - { coefficient: 3, weight: 1 }\n    - { coefficient: 2, weight: 3 }\nnudge: 0.1\nlearning_rate: 0.1\n";

    /// What the parser says of `text`, worded.
    fn plain(text: &str) -> Plain {
        let error = crate::config::yaml::parse(text).expect_err("a syntax error");
        explain(text, error.mark.line, &error.message).unwrap_or_else(|| panic!("no reading for {error:?}"))
    }

    #[test]
    fn the_shipped_readings_point_at_the_line_to_change() {
        let p = plain(&BASE.replace("learning_rate: 0.1", "learning_rate 0.05\nreflection_layers: 10"));
        assert_eq!((p.line, p.column), (9, 14), "{p:?}");
        assert!(p.message.contains("`learning_rate: 0.05`"), "{p:?}");
        let p = plain(&BASE.replace("nudge: 0.1", "nudge:0.1"));
        assert!(p.message.contains("space after the colon"), "{p:?}");
        let p = plain(&BASE.replace("network:", "network"));
        assert_eq!(p.line, 2, "{p:?}");
        assert!(p.message.contains("`network:`"), "{p:?}");
        let p = plain(&BASE.replace("  target: 20", "   target: 20"));
        assert_eq!((p.line, p.column), (4, 4), "{p:?}");
        assert!(p.message.contains("indented 3 spaces") && p.message.contains("`network` are indented 2"), "{p:?}");
        let p = plain(&BASE.replace("  target: 20", " target: 20"));
        assert_eq!(p.line, 4, "{p:?}");
        assert!(p.message.contains("indented 1 space;"), "{p:?}");
        let p = plain(&BASE.replace("  input: 2", "\tinput: 2"));
        assert_eq!((p.line, p.column), (3, 1), "{p:?}");
        assert!(p.message.contains("replace the tab at line 3, column 1"), "{p:?}");
        let p = plain(&BASE.replace("title: T", "title: \"T"));
        assert_eq!((p.line, p.column), (1, 8), "{p:?}");
        assert!(p.message.contains("`title: \"T\"`"), "{p:?}");
        let p = plain(&BASE.replace("weight: 1 }", "weight: 1"));
        assert_eq!((p.line, p.column), (6, 7), "{p:?}");
        assert!(p.message.contains("never closed"), "{p:?}");
        let p = plain(&BASE.replace("title: T", "title: 'Ada's sheet'"));
        assert!(p.message.contains("\"Ada's sheet\""), "{p:?}");
    }
}
