//! Alt text for every equation: each equation of the rendered markup is given
//! its spoken form ("h equals 3 times x plus w 1"), so a screen reader reads
//! every formula and PDF/UA-1 export accepts it.
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

use typst::syntax::{LinkedNode, SyntaxKind, SyntaxNode};

use super::Mode;
use crate::number::NumberFormat;

/// `markup` with every equation `$…$` given its spoken form as alt text:
/// `#{spoken($…$, "…")}` in markup, `spoken($…$, "…")` where it is a code
/// expression. Lines are not added or removed, so line numbers stay those of
/// `markup`.
///
/// Numbers are read as `numbers` writes them; a number a language writes
/// with a decimal comma stands in maths as `#[0,5]` (see
/// [`super::escape::escape_with`]) and is read as one number.
pub fn with_alt_text(markup: &str, mode: Mode, numbers: &NumberFormat) -> String {
    let root = typst::syntax::parse(markup);
    let mut equations = Vec::new();
    collect(&LinkedNode::new(&root), &mut equations);
    let mut out = String::with_capacity(markup.len() * 2);
    let mut done = 0;
    for (node, in_markup) in equations {
        let range = node.range();
        let alt = super::escape::typst_string(&Speaker { mode, numbers }.equation(node.get()));
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
}

/// The words of the symbols that operate, as a screen reader should say them.
fn operator(text: &str) -> Option<&'static str> {
    Some(match text {
        "=" => "equals",
        "+" => "plus",
        "-" | "−" => "minus",
        "dot" | "⋅" | "times" | "×" => "times",
        "approx" | "≈" => "is approximately",
        ">" => "is greater than",
        "<" => "is less than",
        "<=" | "≤" => "is at most",
        ">=" | "≥" => "is at least",
        "," => ",",
        "/" => "by",
        "if" => "if",
        _ => return None,
    })
}

/// The names of functions, read "… of …".
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

    /// A number as it is read: `−3` as "minus 3", `≈ 4.1` as "approximately 4.1",
    /// `7.3 × 10⁻¹⁵⁰` as "7.3 times 10 to the power minus 150".
    fn spoken_number(&self, text: &str) -> String {
        let text = match self.numbers.minus.as_str() {
            "" | "\u{2212}" => text.to_owned(),
            minus => text.replace(minus, "\u{2212}"),
        };
        let text = text.trim().trim_start_matches('(').trim_end_matches(')').trim();
        let mut out = String::new();
        let mut superscript = false;
        for c in text.chars() {
            let (word, sup) = match c {
                '−' | '-' => (Some("minus ".to_owned()), false),
                '≈' => (Some("approximately".to_owned()), false),
                '×' => (Some("times".to_owned()), false),
                '⁻' => (Some("minus ".to_owned()), true),
                '⁰'..='⁹' | '¹' | '²' | '³' => {
                    let digit = match c {
                        '¹' => 1,
                        '²' => 2,
                        '³' => 3,
                        c => c as u32 - '⁰' as u32,
                    };
                    (Some(digit.to_string()), true)
                }
                c => (Some(c.to_string()), false),
            };
            if sup && !superscript {
                out.push_str(" to the power ");
            }
            superscript = sup;
            out.push_str(&word.unwrap_or_default());
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The text of a content block standing for a number in maths (`#[0,5]`).
    fn number_block(&self, node: &SyntaxNode) -> Option<String> {
        let text = plain(node);
        let inner = text.strip_prefix('[')?.strip_suffix(']')?;
        self.is_number(inner).then(|| inner.to_owned())
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
                    Kind::Function => out.push("of".to_owned()),
                    Kind::Number => out.push("times".to_owned()),
                    Kind::Group if kind != Kind::Function => out.push("times".to_owned()),
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
        let said = match inner.len() == 1 || derivative {
            true => self.run(inner),
            false => format!("the quantity {}", self.run(inner)),
        };
        match power.map(plain).as_deref() {
            None => said,
            Some("2") if inner.len() == 1 => format!("{said} squared"),
            Some("2") => format!("{said}, squared"),
            Some(_) => format!("{said}, to the power {}", self.item(power.expect("a power"))),
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
            SyntaxKind::MathFrac if self.item(item) == "one half" => Kind::Number,
            SyntaxKind::MathCall => Kind::Term,
            _ if function(&text).is_some() => Kind::Function,
            SyntaxKind::MathText | SyntaxKind::MathShorthand | SyntaxKind::MathIdent | SyntaxKind::Str
                if operator(&text).is_some() =>
            {
                Kind::Operator
            }
            SyntaxKind::MathText if self.is_number(&text) => Kind::Number,
            SyntaxKind::ContentBlock if self.number_block(item).is_some() => Kind::Number,
            _ => Kind::Term,
        }
    }

    /// The spoken form of one item.
    fn item(&self, item: &SyntaxNode) -> String {
        let text = plain(item);
        match item.kind() {
            SyntaxKind::Math => self.run(&unparenthesised(item)),
            SyntaxKind::MathText | SyntaxKind::MathShorthand | SyntaxKind::MathIdent | SyntaxKind::Str => {
                match (operator(&text), function(&text)) {
                    (_, Some(name)) => name.to_owned(),
                    (Some(word), _) => word.to_owned(),
                    _ if text == "quad" => String::new(),
                    _ if self.is_number(&text) => self.spoken_number(&text),
                    _ => text,
                }
            }
            SyntaxKind::ContentBlock => self.number_block(item).map(|n| self.spoken_number(&n)).unwrap_or_default(),
            SyntaxKind::MathAttach => self.attach(item),
            SyntaxKind::MathPrimes => "prime".to_owned(),
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
                SyntaxKind::MathPrimes => said.push("prime".to_owned()),
                _ if after_underscore => {
                    said.push(self.item(part).replace(',', ""));
                    after_underscore = false;
                }
                _ => {}
            }
        }
        if let Some(top) = top {
            said.push(match plain(top).as_str() {
                "2" => "squared".to_owned(),
                _ => format!("to the power {}", self.item(top)),
            });
        }
        said.retain(|s| !s.is_empty());
        said.join(" ")
    }

    /// `1/2` "one half", `(d E) / (d y)` "d E by d y", others "the fraction … over …".
    fn fraction(&self, node: &SyntaxNode) -> String {
        let parts: Vec<&SyntaxNode> = items(node).into_iter().filter(|p| p.kind() != SyntaxKind::Slash).collect();
        let (Some(num), Some(denom)) = (parts.first(), parts.get(1)) else { return String::new() };
        let (n, d) = (plain(num), plain(denom));
        let (n, d) = (n.trim_matches(['(', ')']), d.trim_matches(['(', ')']));
        if n == "1" && d == "2" {
            return "one half".to_owned();
        }
        let (num, denom) = (self.item(num), self.item(denom));
        match n.starts_with('d') && d.starts_with('d') {
            true => format!("{num} by {denom}"),
            false => format!("the fraction {num} over {denom},"),
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
            "cases" => format!("cases: {}", said.join("; ")),
            "display" | "inline" | "upright" | "bold" => said.join(", "),
            _ => match function(&name) {
                Some(f) if arguments.len() == 1 && arguments[0].iter().flat_map(|a| unparenthesised(a)).count() > 1 => {
                    format!("{f} of the quantity {}", said[0])
                }
                Some(f) => format!("{f} of {}", said.join(", ")),
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
        match (name.as_str(), self.mode) {
            ("blank" | "field", _) => "blank".to_owned(),
            ("filled", Mode::Both) => format!("{open}blank{middle}{}{close}", value()),
            ("filled", _) => value(),
            _ => String::new(),
        }
    }
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

    fn alt(equation: &str, mode: Mode) -> String {
        let root = typst::syntax::parse(equation);
        let node = root.children().find(|c| c.kind() == SyntaxKind::Equation).expect("an equation");
        Speaker { mode, numbers: &NumberFormat::english() }.equation(node)
    }

    #[test]
    fn equations_in_markup_and_in_code_are_wrapped() {
        let markup = "Take $x$ and\n$ y = 2 x $\n#f(1, $w_2$) and `$raw$` and \\$5\n#let s = \"$no$\"\n";
        assert_eq!(
            with_alt_text(markup, Mode::Key, &NumberFormat::english()),
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
