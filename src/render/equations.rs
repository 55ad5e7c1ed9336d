//! Alt text for every equation: each equation of the rendered markup is
//! wrapped in a call of the Typst function `spoken` (templates/speech.typ.j2),
//! which builds the same equation with its spoken form as alt text, so a
//! screen reader reads every formula and PDF/UA-1 export accepts it.
//!
//! The wrapping is done here, on the parsed markup, rather than by a show
//! rule: an equation a show rule replaces stays in the PDF's tag tree without
//! alt text, so the alt text must be given when the equation is made.

use typst::syntax::{LinkedNode, SyntaxKind};

/// `markup` with every equation `$…$` made with its spoken form as alt text:
/// `#{spoken($…$)}` in markup, `spoken($…$)` where it is a code expression.
/// Lines are not added or removed, so line numbers stay those of `markup`.
pub fn with_alt_text(markup: &str) -> String {
    let root = typst::syntax::parse(markup);
    let mut equations = Vec::new();
    collect(&LinkedNode::new(&root), &mut equations);
    let mut out = String::with_capacity(markup.len() + equations.len() * 12);
    let mut done = 0;
    for (range, in_markup) in equations {
        out.push_str(&markup[done..range.start]);
        out.push_str(if in_markup { "#{spoken(" } else { "spoken(" });
        out.push_str(&markup[range.clone()]);
        out.push_str(if in_markup { ")}" } else { ")" });
        done = range.end;
    }
    out.push_str(&markup[done..]);
    out
}

/// The byte ranges of the equations under `node`, in order, each with whether
/// it stands in markup (rather than in code).
fn collect(node: &LinkedNode, out: &mut Vec<(std::ops::Range<usize>, bool)>) {
    for child in node.children() {
        if child.kind() == SyntaxKind::Equation {
            out.push((child.range(), node.kind() == SyntaxKind::Markup));
        } else {
            collect(&child, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equations_in_markup_and_in_code_are_wrapped() {
        let markup = "Take $x$ and\n$ y = 2 x $\n#f(1, $w_2$) and `$raw$` and \\$5\n#let s = \"$no$\"\n";
        assert_eq!(
            with_alt_text(markup),
            "Take #{spoken($x$)} and\n#{spoken($ y = 2 x $)}\n#f(1, spoken($w_2$)) and `$raw$` and \\$5\n#let s = \"$no$\"\n"
        );
    }
}
