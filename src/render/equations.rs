//! Alt text for every equation: each equation of the rendered markup is given
//! its spoken form ("h equals 3 times x plus w 1"), so a screen reader reads
//! every formula and PDF/UA-1 export accepts it. The words, and the order of
//! the words of each construct ("the fraction … over …"), are the language's:
//! its template set's `spoken.txt.j2` ([`Speech`]).
//!
//! The spoken form is read here from the equation's syntax, when the markup is
//! made, and the equation is written as a call of the Typst function `spoken`
//! (templates/speech.typ.j2) with it. It cannot be a show rule: an equation a
//! show rule replaces stays in the PDF's tag tree without alt text. And it is
//! not computed in Typst: Typst memoizes every call of a template function,
//! which made a sheet's hundred alt texts cost a third of its typesetting.
//!
//! An answer slot reads "blank" in the student version and its value in the
//! key; in markup of both versions both readings are kept between the
//! markers of [`crate::typeset::READINGS`], and each version keeps its own.

use std::collections::BTreeMap;

use typst::syntax::{LinkedNode, SyntaxKind, SyntaxNode};

use super::Mode;
use crate::number::NumberFormat;

/// How a language reads equations aloud, from its `spoken.txt.j2`: the
/// words of the symbols and implied operations (`words`), and the order of
/// the words of each construct (`patterns`, `{…}` standing for its parts).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Speech {
    /// By the key of [`Speech::WORDS`].
    pub words: BTreeMap<String, String>,
    /// By the key of [`Speech::PATTERNS`].
    pub patterns: BTreeMap<String, String>,
}

impl Speech {
    /// The words a language gives: the operators, what notation leaves out
    /// (`times` between a number and a term, `of` after a function), the
    /// blank, one half, a prime, and the names of the functions.
    pub const WORDS: &[&str] = &[
        "equals", "plus", "minus", "times", "approx", "greater", "less", "at_most", "at_least", "by", "of", "blank",
        "one_half", "prime", "sigma", "tanh", "ReLU", "max",
    ];

    /// The patterns a language gives, each with the parts it must hold.
    pub const PATTERNS: &[(&str, &[&str])] = &[
        ("quantity", &["inner"]),
        ("squared", &["base"]),
        ("power", &["base", "exponent"]),
        ("quantity_squared", &["base"]),
        ("quantity_power", &["base", "exponent"]),
        ("fraction", &["numerator", "denominator"]),
        ("derivative", &["numerator", "denominator"]),
        ("function", &["name", "argument"]),
        ("function_quantity", &["name", "argument"]),
        ("cases", &["cases"]),
        ("case_separator", &[]),
        ("negative", &["number"]),
        ("rounded", &["number"]),
        ("scientific", &["mantissa", "exponent"]),
    ];

    /// The word `key` (one of [`Speech::WORDS`]).
    fn word<'a>(&'a self, key: &'a str) -> &'a str {
        self.words.get(key).map_or(key, String::as_str)
    }

    /// The pattern `key` with its parts filled in.
    fn fill(&self, key: &str, parts: &[(&str, &str)]) -> String {
        let mut out = self.patterns.get(key).cloned().unwrap_or_default();
        for (name, value) in parts {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

/// `markup` with every equation `$…$` given its spoken form as alt text:
/// `#{spoken($…$, "…")}` in markup, `spoken($…$, "…")` where it is a code
/// expression. Lines are not added or removed, so line numbers stay those of
/// `markup`.
///
/// Numbers are read as `numbers` writes them; a number a language writes
/// with a decimal comma stands in maths as `0#[,]5` (see
/// [`super::escape::escape_with`]) and is read as one number.
pub fn with_alt_text(markup: &str, mode: Mode, numbers: &NumberFormat, speech: &Speech) -> String {
    let root = typst::syntax::parse(markup);
    let mut equations = Vec::new();
    collect(&LinkedNode::new(&root), &mut equations);
    let mut out = String::with_capacity(markup.len() * 2);
    let mut done = 0;
    for (node, in_markup) in equations {
        let range = node.range();
        let alt = super::escape::typst_string(&Speaker { mode, numbers, speech }.equation(node.get()));
        out.push_str(&markup[done..range.start]);
        out.push_str(if in_markup { "#{spoken(" } else { "spoken(" });
        out.push_str(&markup[range.clone()]);
        out.push_str(", ");
        out.push_str(&alt);
        out.push_str(if in_markup { ")}" } else { ")" });
        done = range.end;
    }
    out.push_str(&markup[done..]);
    out
}

/// The equations under `node`, in order, each with whether it stands in
/// markup (rather than in code).
fn collect<'a>(node: &LinkedNode<'a>, out: &mut Vec<(LinkedNode<'a>, bool)>) {
    for child in node.children() {
        if child.kind() == SyntaxKind::Equation {
            let in_markup = node.kind() == SyntaxKind::Markup;
            out.push((child, in_markup));
        } else {
            collect(&child, out);
        }
    }
}

/// How a spoken item joins the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `equals`, `plus`: stands alone.
    Operator,
    /// A number (or one half): a term after it is multiplied, "3 times x".
    Number,
    /// A function name: its argument follows, "sigma of z".
    Function,
    /// A parenthesised quantity: a term after it is multiplied.
    Group,
    /// Anything else.
    Term,
}

/// Reads equations aloud for one kind of markup.
struct Speaker<'a> {
    mode: Mode,
    /// How the sheet's language writes numbers.
    numbers: &'a NumberFormat,
    /// How it reads equations.
    speech: &'a Speech,
}

/// The key of the word of a symbol that operates ([`Speech::WORDS`]), or
/// `,` for a comma.
fn operator(text: &str) -> Option<&'static str> {
    Some(match text {
        "=" => "equals",
        "+" => "plus",
        "-" | "−" => "minus",
        "dot" | "⋅" | "times" | "×" => "times",
        "approx" | "≈" => "approx",
        ">" => "greater",
        "<" => "less",
        "<=" | "≤" => "at_most",
        ">=" | "≥" => "at_least",
        "," => ",",
        "/" => "by",
        _ => return None,
    })
}

/// The key of the name of a function, read "… of …" ([`Speech::WORDS`]).
fn function(text: &str) -> Option<&'static str> {
    Some(match text {
        "sigma" | "σ" => "sigma",
        "tanh" => "tanh",
        "ReLU" => "ReLU",
        "max" => "max",
        _ => return None,
    })
}

/// The children of `node` that say something: not spaces, not the `#` before
/// embedded code.
fn items(node: &SyntaxNode) -> Vec<&SyntaxNode> {
    node.children().filter(|c| !matches!(c.kind(), SyntaxKind::Space | SyntaxKind::Hash)).collect()
}

/// The plain text of `node`, without its quotes and escapes.
fn plain(node: &SyntaxNode) -> String {
    match node.kind() {
        SyntaxKind::Str => node.leaf_text().trim_matches('"').to_owned(),
        SyntaxKind::Escape => node.leaf_text().trim_start_matches('\\').to_owned(),
        _ if node.children().len() == 0 => node.leaf_text().to_string(),
        _ => node.children().map(plain).collect(),
    }
}

/// The items of a run: a `Math` node's items, without its outer `(` `)` when
/// it is parenthesised (as the numerator of `(d E) / (d y)` is written); any
/// other node is one item.
fn unparenthesised(node: &SyntaxNode) -> Vec<&SyntaxNode> {
    if node.kind() != SyntaxKind::Math {
        return vec![node];
    }
    let all = items(node);
    match (all.first(), all.last()) {
        (Some(open), Some(close))
            if all.len() >= 2 && open.kind() == SyntaxKind::LeftParen && close.kind() == SyntaxKind::RightParen =>
        {
            all[1..all.len() - 1].iter().flat_map(|inner| unparenthesised(inner)).collect()
        }
        _ => all,
    }
}

impl Speaker<'_> {
    /// Whether `text` is a number as the sheet prints it: digits, with the
    /// language's decimal separator and minus sign.
    fn is_number(&self, text: &str) -> bool {
        let rest = text.strip_prefix(self.numbers.minus.as_str()).or_else(|| text.strip_prefix('−')).unwrap_or(text);
        let mut parts = rest.splitn(2, self.numbers.decimal.as_str());
        let whole = parts.next().unwrap_or_default();
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        digits(whole) && parts.next().is_none_or(digits)
    }

    /// A number as it is read, from the way the language writes it: `−3`
    /// as "minus 3", `≈ 4.1` as "approximately 4.1", `7.3 × 10⁻¹⁵⁰` as
    /// "7.3 times 10 to the power minus 150" (the patterns `negative`,
    /// `rounded` and `scientific`). A text that is no number is said as it is.
    fn spoken_number(&self, text: &str) -> String {
        let text = text.trim().trim_start_matches('(').trim_end_matches(')').trim();
        let numbers = self.numbers;
        // The rounded mark: what the format writes around `{number}`.
        let (before, after) = numbers.rounded.split_once("{number}").unwrap_or(("", ""));
        let unmarked = text.strip_prefix(before).and_then(|t| t.strip_suffix(after)).filter(|_| !before.is_empty());
        let (rounded, text) = match unmarked {
            Some(inner) => (true, inner.trim()),
            None => (false, text),
        };
        // Scientific form: the text between the mantissa and the exponent.
        let infix = numbers
            .scientific
            .split_once("{mantissa}")
            .map(|(_, rest)| rest.split("{power}").next().unwrap_or(rest).split("{exponent}").next().unwrap_or(rest));
        let (mantissa, exponent) = match infix.filter(|i| !i.is_empty()).and_then(|i| text.split_once(i)) {
            Some((mantissa, exponent)) => (mantissa, Some(exponent)),
            None => (text, None),
        };
        let signed = |text: &str| -> Option<String> {
            let (negative, digits) =
                match text.strip_prefix(numbers.minus.as_str()).filter(|_| !numbers.minus.is_empty()) {
                    Some(rest) => (true, rest),
                    None => match text.strip_prefix(['−', '-', '\u{207B}']) {
                        Some(rest) => (true, rest),
                        None => (false, text),
                    },
                };
            let digits: String = digits.chars().map(|c| raised(c).unwrap_or(c)).collect();
            let plain = digits.strip_prefix(numbers.decimal.as_str()).unwrap_or(&digits);
            let is_number = !digits.is_empty()
                && digits.split(numbers.decimal.as_str()).count() <= 2
                && plain.chars().all(|c| c.is_ascii_digit() || numbers.decimal.contains(c));
            is_number.then(|| match negative {
                true => self.speech.fill("negative", &[("number", &digits)]),
                false => digits,
            })
        };
        let said = match (signed(mantissa), exponent.map(signed)) {
            (Some(mantissa), None) => mantissa,
            (Some(mantissa), Some(Some(exponent))) => {
                self.speech.fill("scientific", &[("mantissa", &mantissa), ("exponent", &exponent)])
            }
            _ => return text.to_owned(),
        };
        match rounded {
            true => self.speech.fill("rounded", &[("number", &said)]),
            false => said,
        }
    }

    /// The key of the word of a symbol that operates: [`operator`], or the
    /// language's own minus sign.
    fn operator(&self, text: &str) -> Option<&'static str> {
        let minus = !self.numbers.minus.is_empty() && text == self.numbers.minus;
        operator(text).or(minus.then_some("minus"))
    }

    /// How many items `items` are read as: a number written `0#[,]5` is one.
    fn count(&self, items: &[&SyntaxNode]) -> usize {
        let (mut count, mut i) = (0, 0);
        while i < items.len() {
            i += self.separated_number(&items[i..]).map_or(1, |(_, used)| used);
            count += 1;
        }
        count
    }

    /// A number written with its decimal separator as a content block at
    /// the start of `items` (`0#[,]5`, see [`super::escape::escape_with`]):
    /// its spoken form (its last digits may carry a power, `0#[,]5^2`) and
    /// how many items it takes.
    fn separated_number(&self, items: &[&SyntaxNode]) -> Option<(String, usize)> {
        let digits = |node: &SyntaxNode| {
            let text = plain(node);
            (node.kind() == SyntaxKind::MathText && text.chars().all(|c| c.is_ascii_digit())).then_some(text)
        };
        let separator = |node: &SyntaxNode| {
            node.kind() == SyntaxKind::ContentBlock && plain(node) == format!("[{}]", self.numbers.decimal)
        };
        let mut number = digits(items.first()?)?;
        let (mut used, mut power) = (1, None);
        while power.is_none() && items.get(used).is_some_and(|n| separator(n)) {
            let next = items.get(used + 1)?;
            let (more, top) = match next.kind() {
                SyntaxKind::MathAttach => (digits(next.children().next()?)?, attach_top(next)),
                _ => (digits(next)?, None),
            };
            number = format!("{number}{}{more}", self.numbers.decimal);
            (used, power) = (used + 2, top);
        }
        if used == 1 {
            return None;
        }
        let said = self.spoken_number(&number);
        let said = match power {
            None => said,
            Some(top) if plain(top) == "2" => self.speech.fill("squared", &[("base", &said)]),
            Some(top) => self.speech.fill("power", &[("base", &said), ("exponent", &self.item(top))]),
        };
        Some((said, used))
    }

    /// The spoken form of an equation node.
    fn equation(&self, node: &SyntaxNode) -> String {
        let math: Vec<&SyntaxNode> = node.children().filter(|c| c.kind() == SyntaxKind::Math).collect();
        let said = math.iter().map(|m| self.run(&items(m))).collect::<Vec<_>>().join(" ");
        said.trim().trim_end_matches(',').trim().to_owned()
    }

    /// A run of items read in order, with "times" and "of" where the notation
    /// leaves them out, and `(` … `)` written as escapes read as one group.
    fn run(&self, items: &[&SyntaxNode]) -> String {
        let mut terms: Vec<(Kind, String)> = Vec::new();
        let mut i = 0;
        while i < items.len() {
            let item = items[i];
            if item.kind() == SyntaxKind::Escape && item.leaf_text() == "\\(" {
                // Find the matching `\)`, plain or with a power: `\)^2`.
                let mut depth = 0;
                let mut j = i;
                let mut power = None;
                while j < items.len() {
                    let (text, top) = match items[j].kind() {
                        SyntaxKind::MathAttach => {
                            (plain(items[j].children().next().unwrap_or(items[j])), attach_top(items[j]))
                        }
                        _ => (plain(items[j]), None),
                    };
                    match text.as_str() {
                        "(" => depth += 1,
                        ")" => {
                            depth -= 1;
                            if depth == 0 {
                                power = top;
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let inner = &items[i + 1..j.min(items.len())];
                terms.push((Kind::Group, self.group(inner, power)));
                i = j + 1;
                continue;
            }
            if let Some((said, used)) = self.separated_number(&items[i..]) {
                terms.push((Kind::Number, said));
                i += used;
                continue;
            }
            let said = self.item(item);
            if !said.is_empty() {
                terms.push((self.kind(item), said));
            }
            i += 1;
        }
        let mut out: Vec<String> = Vec::new();
        let mut previous = Kind::Operator;
        for (kind, said) in terms {
            if kind != Kind::Operator {
                match previous {
                    Kind::Function => out.push(self.speech.word("of").to_owned()),
                    Kind::Number => out.push(self.speech.word("times").to_owned()),
                    Kind::Group if kind != Kind::Function => out.push(self.speech.word("times").to_owned()),
                    _ => {}
                }
            }
            out.push(said);
            previous = kind;
        }
        out.join(" ").replace(" ,", ",")
    }

    /// A parenthesised run: "the quantity …", or the item alone if it is one
    /// (or a derivative's `d E`); `power` is its exponent, if any.
    fn group(&self, inner: &[&SyntaxNode], power: Option<&SyntaxNode>) -> String {
        let derivative = inner.len() == 2 && plain(inner[0]) == "d";
        let said = match self.count(inner) == 1 || derivative {
            true => self.run(inner),
            false => self.speech.fill("quantity", &[("inner", &self.run(inner))]),
        };
        match power.map(plain).as_deref() {
            None => said,
            Some("2") if self.count(inner) == 1 => self.speech.fill("squared", &[("base", &said)]),
            Some("2") => self.speech.fill("quantity_squared", &[("base", &said)]),
            Some(_) => {
                let exponent = self.item(power.expect("a power"));
                self.speech.fill("quantity_power", &[("base", &said), ("exponent", &exponent)])
            }
        }
    }

    /// How `item` joins what follows it.
    fn kind(&self, item: &SyntaxNode) -> Kind {
        let base = match item.kind() {
            SyntaxKind::MathAttach => item.children().next().unwrap_or(item),
            _ => item,
        };
        let text = plain(base);
        match item.kind() {
            SyntaxKind::MathDelimited => Kind::Group,
            SyntaxKind::MathAttach if base.kind() == SyntaxKind::MathDelimited => Kind::Group,
            SyntaxKind::MathFrac if self.item(item) == self.speech.word("one_half") => Kind::Number,
            SyntaxKind::MathCall => Kind::Term,
            _ if function(&text).is_some() => Kind::Function,
            SyntaxKind::MathText | SyntaxKind::MathShorthand | SyntaxKind::MathIdent | SyntaxKind::Str
                if self.operator(&text).is_some() =>
            {
                Kind::Operator
            }
            // Words in maths (`"if"`, `"learning rate"`) are said as they
            // are, and nothing is implied around them.
            SyntaxKind::Str => Kind::Operator,
            SyntaxKind::MathText if self.is_number(&text) => Kind::Number,
            _ => Kind::Term,
        }
    }

    /// The spoken form of one item.
    fn item(&self, item: &SyntaxNode) -> String {
        let text = plain(item);
        match item.kind() {
            SyntaxKind::Math => self.run(&unparenthesised(item)),
            SyntaxKind::MathText | SyntaxKind::MathShorthand | SyntaxKind::MathIdent | SyntaxKind::Str => {
                match (self.operator(&text), function(&text)) {
                    (_, Some(name)) => self.speech.word(name).to_owned(),
                    (Some(","), _) => ",".to_owned(),
                    (Some(word), _) => self.speech.word(word).to_owned(),
                    _ if text == "quad" => String::new(),
                    _ if self.is_number(&text) => self.spoken_number(&text),
                    _ => text,
                }
            }
            SyntaxKind::MathAttach => self.attach(item),
            SyntaxKind::MathPrimes => self.speech.word("prime").to_owned(),
            SyntaxKind::MathFrac => self.fraction(item),
            SyntaxKind::MathDelimited => {
                let all = items(item);
                let inner = all.get(1).map(|body| unparenthesised(body)).unwrap_or_default();
                self.group(&inner, None)
            }
            SyntaxKind::MathCall => self.call(item),
            SyntaxKind::FuncCall => self.slot(item),
            _ => String::new(),
        }
    }

    /// `w_1` "w 1", `y^2` "y squared", `σ'` "sigma prime", `e^(-z)` "e to the power minus z".
    fn attach(&self, node: &SyntaxNode) -> String {
        let parts = items(node);
        let Some(base) = parts.first() else { return String::new() };
        let top = attach_top(node);
        if base.kind() == SyntaxKind::MathDelimited {
            let all = items(base);
            let inner = all.get(1).map(|body| unparenthesised(body)).unwrap_or_default();
            return self.group(&inner, top);
        }
        let mut said = vec![self.item(base)];
        let mut after_underscore = false;
        for part in &parts[1..] {
            match part.kind() {
                SyntaxKind::Underscore => after_underscore = true,
                SyntaxKind::MathPrimes => said.push(self.speech.word("prime").to_owned()),
                _ if after_underscore => {
                    said.push(self.item(part).replace(',', ""));
                    after_underscore = false;
                }
                _ => {}
            }
        }
        said.retain(|s| !s.is_empty());
        let base = said.join(" ");
        match top {
            None => base,
            Some(top) if plain(top) == "2" => self.speech.fill("squared", &[("base", &base)]),
            Some(top) => self.speech.fill("power", &[("base", &base), ("exponent", &self.item(top))]),
        }
    }

    /// `1/2` "one half", `(d E) / (d y)` "d E by d y", others "the fraction … over …".
    fn fraction(&self, node: &SyntaxNode) -> String {
        let parts: Vec<&SyntaxNode> = items(node).into_iter().filter(|p| p.kind() != SyntaxKind::Slash).collect();
        let (Some(num), Some(denom)) = (parts.first(), parts.get(1)) else { return String::new() };
        let (n, d) = (plain(num), plain(denom));
        let (n, d) = (n.trim_matches(['(', ')']), d.trim_matches(['(', ')']));
        if n == "1" && d == "2" {
            return self.speech.word("one_half").to_owned();
        }
        let (num, denom) = (self.item(num), self.item(denom));
        let parts = [("numerator", num.as_str()), ("denominator", denom.as_str())];
        match n.starts_with('d') && d.starts_with('d') {
            true => self.speech.fill("derivative", &parts),
            false => self.speech.fill("fraction", &parts),
        }
    }

    /// `sigma(z)` "sigma of z", `display(…)` what it shows, `cases(a, b)` "cases: a; b".
    fn call(&self, node: &SyntaxNode) -> String {
        let parts = items(node);
        let (Some(callee), Some(args)) = (parts.first(), parts.get(1)) else { return String::new() };
        let name = plain(callee);
        let mut arguments: Vec<Vec<&SyntaxNode>> = vec![Vec::new()];
        for arg in items(args) {
            match arg.kind() {
                SyntaxKind::LeftParen | SyntaxKind::RightParen => {}
                SyntaxKind::Comma => arguments.push(Vec::new()),
                _ => arguments.last_mut().expect("one argument").push(arg),
            }
        }
        let said: Vec<String> = arguments.iter().map(|a| self.run(a)).collect();
        match name.as_str() {
            "cases" => {
                let separator = self.speech.fill("case_separator", &[]);
                self.speech.fill("cases", &[("cases", &said.join(&separator))])
            }
            "display" | "inline" | "upright" | "bold" => said.join(", "),
            _ => match function(&name).map(|f| self.speech.word(f)) {
                Some(f)
                    if arguments.len() == 1
                        && self.count(&arguments[0].iter().flat_map(|a| unparenthesised(a)).collect::<Vec<_>>())
                            > 1 =>
                {
                    self.speech.fill("function_quantity", &[("name", f), ("argument", &said[0])])
                }
                Some(f) => self.speech.fill("function", &[("name", f), ("argument", &said.join(", "))]),
                None => format!("{name} {}", said.join(", ")),
            },
        }
    }

    /// An answer slot, `#blank(…)` or `#filled(…)[value]`: "blank" in the
    /// student version, its value in the key, and both readings in markup of
    /// both versions.
    fn slot(&self, node: &SyntaxNode) -> String {
        let name = node.children().next().map(plain).unwrap_or_default();
        let value = || {
            let args = node.children().find(|c| c.kind() == SyntaxKind::Args);
            let block = args.and_then(|a| a.children().find(|c| c.kind() == SyntaxKind::ContentBlock));
            self.spoken_number(block.map(plain).unwrap_or_default().trim_matches(['[', ']']))
        };
        let [open, middle, close] = crate::typeset::READINGS;
        let blank = self.speech.word("blank");
        match (name.as_str(), self.mode) {
            ("blank" | "field", _) => blank.to_owned(),
            ("filled", Mode::Both) => format!("{open}{blank}{middle}{}{close}", value()),
            ("filled", _) => value(),
            _ => String::new(),
        }
    }
}

/// The digit a raised digit stands for (`²` → `2`).
fn raised(c: char) -> Option<char> {
    Some(match c {
        '\u{00B9}' => '1',
        '\u{00B2}' => '2',
        '\u{00B3}' => '3',
        '\u{2070}' => '0',
        '\u{2074}'..='\u{2079}' => char::from_u32(c as u32 - 0x2074 + u32::from(b'4'))?,
        _ => return None,
    })
}

/// The exponent of an attachment `x^top`, if it has one.
fn attach_top(node: &SyntaxNode) -> Option<&SyntaxNode> {
    let parts = items(node);
    let hat = parts.iter().position(|p| p.kind() == SyntaxKind::Hat)?;
    parts.get(hat + 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How the built-in English set reads equations.
    fn english() -> Speech {
        static SPEECH: std::sync::OnceLock<Speech> = std::sync::OnceLock::new();
        let load = || (*crate::render::Templates::load(None).unwrap().set("en").speech).clone();
        SPEECH.get_or_init(load).clone()
    }

    fn alt(equation: &str, mode: Mode) -> String {
        let root = typst::syntax::parse(equation);
        let node = root.children().find(|c| c.kind() == SyntaxKind::Equation).expect("an equation");
        Speaker { mode, numbers: &NumberFormat::english(), speech: &english() }.equation(node)
    }

    #[test]
    fn equations_in_markup_and_in_code_are_wrapped() {
        let markup = "Take $x$ and\n$ y = 2 x $\n#f(1, $w_2$) and `$raw$` and \\$5\n#let s = \"$no$\"\n";
        assert_eq!(
            with_alt_text(markup, Mode::Key, &NumberFormat::english(), &english()),
            "Take #{spoken($x$, \"x\")} and\n#{spoken($ y = 2 x $, \"y equals 2 times x\")}\n\
             #f(1, spoken($w_2$, \"w 2\")) and `$raw$` and \\$5\n#let s = \"$no$\"\n"
        );
    }

    #[test]
    fn equations_read_aloud() {
        let key = |e| alt(e, Mode::Key);
        assert_eq!(key("$ h = 3 x + w_1 $"), "h equals 3 times x plus w 1");
        assert_eq!(
            key("$ E = 1/2 (y - y_\"target\")^2 $"),
            "E equals one half times the quantity y minus y target, squared"
        );
        assert_eq!(
            key("$ (d E) / (d w_2) = ((d E) / (d y)) dot ((d y) / (d w_2)) $"),
            "d E by d w 2 equals d E by d y times d y by d w 2"
        );
        assert_eq!(
            key("$sigma(z) = display(1 / (1 + e^(-z)))$"),
            "sigma of z equals the fraction 1 over 1 plus e to the power minus z"
        );
        assert_eq!(key("$ h = sigma(3 x + w_1) $"), "h equals sigma of the quantity 3 times x plus w 1");
        assert_eq!(key("$sigma'(z) approx 0.9$"), "sigma prime of z is approximately 0.9");
        assert_eq!(
            key("$\"ReLU\"'(z) = display(cases(1 quad \"if\" z > 0, 0 quad \"if\" z <= 0))$"),
            "ReLU prime of z equals cases: 1 if z is greater than 0; 0 if z is at most 0"
        );
        assert_eq!(
            key("$ w_(1,\"new\") = w_(1,\"old\") - 0.1 times (d E) / (d w_1) $"),
            "w 1 new equals w 1 old minus 0.1 times d E by d w 1"
        );
    }

    #[test]
    fn numbers_with_a_decimal_comma_read_as_one_number() {
        let comma = NumberFormat { decimal: ",".into(), ..NumberFormat::english() };
        let read = |equation: &str| {
            let root = typst::syntax::parse(equation);
            let node = root.children().find(|c| c.kind() == SyntaxKind::Equation).expect("an equation");
            Speaker { mode: Mode::Key, numbers: &comma, speech: &english() }.equation(node)
        };
        assert_eq!(read("$h_3 = 0#[,]5 h_2 + w_3$"), "h 3 equals 0,5 times h 2 plus w 3");
        assert_eq!(read("$E = −0#[,]295 dot 12#[,]5^2$"), "E equals minus 0,295 times 12,5 squared");
        assert_eq!(
            read("$sigma(0#[,]5) approx 3#[,]5 times 10^(−4)$"),
            "sigma of 0,5 is approximately 3,5 times 10 to the power minus 4"
        );
        // Read as the same equation written with a decimal point.
        let point = alt("$f(0.5, 3) = (−1.25)(x) + sigma(0.5 x)$", Mode::Key);
        assert_eq!(read("$f(0#[,]5, 3) = (−1#[,]25)(x) + sigma(0#[,]5 x)$"), point.replace('.', ","));
    }

    #[test]
    fn answer_slots_read_as_blank_or_their_value() {
        let equation = "$ h = 3 \\( #filled(5em)[2] \\) + #filled(4em)[\\(−1\\)] = #filled(4em)[7] $";
        assert_eq!(alt(equation, Mode::Key), "h equals 3 times 2 plus minus 1 equals 7");
        let [o, m, c] = crate::typeset::READINGS;
        assert_eq!(
            alt(equation, Mode::Both),
            format!("h equals 3 times {o}blank{m}2{c} plus {o}blank{m}minus 1{c} equals {o}blank{m}7{c}")
        );
        assert_eq!(
            alt("$ E = 1/2 \\( #blank(4em) - #blank(4em) \\)^2 $", Mode::Student),
            "E equals one half times the quantity blank minus blank, squared"
        );
        assert_eq!(
            alt("$ y approx #filled(4em)[≈ 4.8 × 10⁻¹⁴⁴] $", Mode::Key),
            "y is approximately approximately 4.8 times 10 to the power minus 144"
        );
    }
}
