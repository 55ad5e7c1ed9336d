//! The layout check: walks the laid-out Typst frames of both versions of a
//! sheet and fails on what a reader would see: a text item across a rule (a
//! table's column or row rule, its outer border) or closer than 2pt to one,
//! text over text, text outside the text area (the page minus its margins), a
//! page holding only a scrap of content, a heading, step label or lead-in
//! that is the last text of its page (its work starts the next), a figure
//! that starts a page away from the text of its task, and a page of the key's
//! rubric of common slips, but the last, under 85% full. It runs on every
//! shipped config, the README's configs and random valid ones, so a
//! teacher's numbers cannot break the layout unseen.

// Geometry in points: page measurements, not answers.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::fmt::Write as _;
use std::path::Path;

use backprop_worksheet::batch;
use backprop_worksheet::config;
use backprop_worksheet::generate;
use backprop_worksheet::render::{escape_markup, SheetLabel, Templates, Version};
use backprop_worksheet::summary;
use backprop_worksheet::typeset::{self, Layout};
use proptest::prelude::*;

use crate::common;
use typst::introspection::{Location, Tag};
use typst::layout::{Abs, Frame, FrameItem, Point, Transform};
use typst::visualize::{Geometry, Paint};

/// How far (pt) text may touch a rule or another text item: antialiasing, not overprint.
const EPS: f64 = 0.4;

/// Six lines of 11pt text at the sheet's leading, in pt.
const SIX_LINES: f64 = 6.0 * 11.0 * 1.3;

/// The least room (pt) a reader needs between text and a rule to tell a
/// table's numbers apart (the sheet gives at least 3pt).
const AIR: f64 = 2.0;

/// The smallest size (pt) a table's text may be set in.
const LEAST_SIZE: f64 = 8.0;

/// How full (of the text area's height) every page of the rubric but its
/// last must be.
const RUBRIC_FILL: f64 = 0.85;

/// A rectangle in page points: left, top, right, bottom.
#[derive(Debug, Clone, Copy)]
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Rect {
    fn around(points: &[Point]) -> Rect {
        let xs = points.iter().map(|p| p.x.to_pt());
        let ys = points.iter().map(|p| p.y.to_pt());
        Rect {
            x0: xs.clone().fold(f64::INFINITY, f64::min),
            x1: xs.fold(f64::NEG_INFINITY, f64::max),
            y0: ys.clone().fold(f64::INFINITY, f64::min),
            y1: ys.fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// The overlap of two intervals.
fn overlap(a0: f64, a1: f64, b0: f64, b1: f64) -> f64 {
    a1.min(b1) - a0.max(b0)
}

/// A run of text as laid out: its glyphs' box from the cap height down to
/// the baseline (descenders may touch an underline, that is no overprint).
#[derive(Debug)]
struct Ink {
    text: String,
    size: f64,
    rect: Rect,
    /// Inside the page's body (not the footer or background).
    body: bool,
    /// Set in the math font.
    math: bool,
    /// Set in a bold face: a heading, a label (`Step 1:`) or a lead-in.
    bold: bool,
    /// Printed in black ink, as the sheet's own words are (an answer is red
    /// in the key and invisible in the student version).
    black: bool,
    /// How far its descenders reach below the baseline.
    descent: f64,
    /// The filled box (of [`Page::boxes`]) it is printed in, the innermost.
    filled: Option<usize>,
}

/// A straight stroked line, horizontal or vertical.
#[derive(Debug)]
struct Rule {
    rect: Rect,
    vertical: bool,
    body: bool,
}

#[derive(Default)]
struct Page {
    inks: Vec<Ink>,
    rules: Vec<Rule>,
    /// Where each figure starts (its top), in page points.
    figures: Vec<f64>,
    /// The text area: the page minus its margins.
    area: Option<Rect>,
    /// The equations begun and not yet ended where the walk is. Typst tags
    /// an equation's start and end in reading order, not always in one
    /// frame: an inline equation broken over lines ends inside a line's frame.
    open: Vec<Location>,
    /// The boxes with a background (a model answer's, a closing note's).
    boxes: Vec<Rect>,
    /// The filled box the walk is in, the innermost.
    inside: Option<usize>,
}

/// The box `frame` fills, in page points by `ts`, when its first item is a
/// background: a filled shape as large as the frame.
fn background(frame: &Frame, ts: Transform) -> Option<Rect> {
    let (pos, item) = frame.items().next()?;
    let FrameItem::Shape(shape, _) = item else { return None };
    let bbox = shape.geometry.bbox(None);
    let (w, h) = ((bbox.max.x - bbox.min.x).to_pt(), (bbox.max.y - bbox.min.y).to_pt());
    let size = frame.size();
    let whole = (w - size.x.to_pt()).abs() < 0.5 && (h - size.y.to_pt()).abs() < 0.5;
    (shape.fill.is_some() && *pos == Point::zero() && whole && h > 0.0)
        .then(|| Rect::around(&[Point::zero().transform(ts), Point::new(size.x, size.y).transform(ts)]))
}

/// Collects the text and rules of `frame`, placed by `ts`. `body` is `None`
/// for a page's own frame: then each item belongs to the body when it is
/// placed inside `area` (the background sits at the page's origin, the
/// footer below the body; Typst inlines a sparse body's items into the page).
/// Text inside an equation (an answer slot in one is set like the equation
/// around it) is mathematics.
fn walk(frame: &Frame, ts: Transform, body: Option<bool>, area: Rect, page: &mut Page) {
    for (pos, item) in frame.items() {
        let at = ts.pre_concat(Transform::translate(pos.x, pos.y));
        let body = body.unwrap_or_else(|| {
            *pos != Point::zero() && pos.y.to_pt() >= area.y0 - EPS && pos.y.to_pt() < area.y1 - EPS
        });
        let math = !page.open.is_empty();
        match item {
            FrameItem::Group(group) => {
                let inner = at.pre_concat(group.transform);
                let outer = page.inside;
                if let Some(rect) = background(&group.frame, inner) {
                    page.boxes.push(rect);
                    page.inside = Some(page.boxes.len() - 1);
                }
                walk(&group.frame, inner, Some(body), area, page);
                page.inside = outer;
            }
            FrameItem::Text(text) => {
                let width = text.width();
                let cap = text.font.metrics().cap_height.at(text.size);
                let corners =
                    [Point::new(Abs::zero(), -cap).transform(at), Point::new(width, Abs::zero()).transform(at)];
                page.inks.push(Ink {
                    text: text.text.to_string(),
                    size: text.size.to_pt(),
                    rect: Rect::around(&corners),
                    body,
                    math: math || text.font.info().family.contains("Math"),
                    bold: text.font.info().variant.weight.to_number() >= 600,
                    black: match &text.fill {
                        Paint::Solid(color) => {
                            let [r, g, b, a] = color.to_vec4();
                            a > 0.99 && r.max(g).max(b) < 0.2
                        }
                        _ => false,
                    },
                    descent: -text.font.metrics().descender.at(text.size).to_pt(),
                    filled: page.inside,
                });
            }
            FrameItem::Shape(shape, _) => {
                if let (Geometry::Line(to), Some(_)) = (&shape.geometry, &shape.stroke) {
                    let ends = [Point::zero().transform(at), to.transform(at)];
                    let rect = Rect::around(&ends);
                    let (w, h) = (rect.x1 - rect.x0, rect.y1 - rect.y0);
                    if w < 0.01 || h < 0.01 {
                        page.rules.push(Rule { rect, vertical: w < h, body });
                    }
                }
            }
            FrameItem::Tag(Tag::Start(content, _)) => match content.func().name() {
                "figure" => page.figures.push(Point::zero().transform(at).y.to_pt()),
                "equation" => page.open.extend(content.location()),
                _ => {}
            },
            FrameItem::Tag(Tag::End(location, ..)) => page.open.retain(|l| l != location),
            _ => {}
        }
    }
}

/// The text items and rules of every page. The text area (the page minus its
/// margins) is the frame Typst places the body in: the largest group not at
/// the page's origin, the same on every page of a sheet.
fn pages(layout: &Layout) -> Vec<Page> {
    let area = layout
        .as_paged()
        .pages()
        .iter()
        .flat_map(|p| p.frame.items())
        .filter_map(|(pos, item)| match item {
            FrameItem::Group(g) if *pos != Point::zero() => Some(Rect {
                x0: pos.x.to_pt(),
                y0: pos.y.to_pt(),
                x1: (pos.x + g.frame.width()).to_pt(),
                y1: (pos.y + g.frame.height()).to_pt(),
            }),
            _ => None,
        })
        .max_by(|a, b| ((a.x1 - a.x0) * (a.y1 - a.y0)).total_cmp(&((b.x1 - b.x0) * (b.y1 - b.y0))))
        .expect("a page body");
    pages_in(layout, area)
}

/// The text items and rules of every page, whose text area is `area`.
fn pages_in(layout: &Layout, area: Rect) -> Vec<Page> {
    layout
        .as_paged()
        .pages()
        .iter()
        .map(|p| {
            let mut page = Page { area: Some(area), ..Page::default() };
            walk(&p.frame, Transform::identity(), None, area, &mut page);
            page
        })
        .collect()
}

/// Every layout fault of one version: text across a rule or too close to
/// one, text over text, text outside the text area, a page with a scrap of
/// content, a heading or lead-in left at the foot of a page, a figure cut off
/// from its task. The pages from `sheet_pages` on are the key's rubric of
/// common slips: each but the last must be at least [`RUBRIC_FILL`] full.
fn faults(name: &str, layout: &Layout, sheet_pages: usize) -> Vec<String> {
    page_faults(name, &pages(layout), sheet_pages)
}

/// The faults of laid-out `pages` (see [`faults`]).
fn page_faults(name: &str, pages: &[Page], sheet_pages: usize) -> Vec<String> {
    let mut out = Vec::new();
    let count = pages.len();
    for (n, page) in pages.iter().enumerate() {
        let here = format!("{name} page {}", n + 1);
        let visible: Vec<&Ink> = page.inks.iter().filter(|i| !i.text.trim().is_empty()).collect();
        for ink in &visible {
            let r = ink.rect;
            for rule in &page.rules {
                let q = rule.rect;
                // The gap between the text and the rule, across it (negative
                // when the text crosses it), where they lie side by side.
                let (gap, beside) = if rule.vertical {
                    ((q.x0 - r.x1).max(r.x0 - q.x0), overlap(r.y0, r.y1, q.y0, q.y1) > EPS)
                } else {
                    ((q.y0 - r.y1).max(r.y0 - q.y0), overlap(r.x0, r.x1, q.x0, q.x1) > EPS)
                };
                if !beside {
                    continue;
                }
                if gap < -EPS {
                    out.push(format!("{here}: {:?} crosses a rule at {q:?}", ink.text));
                } else if gap < AIR && (rule.vertical || !ink.math) {
                    // Mathematics sits close to its own lines (a fraction's
                    // bar) by design: only a rule beside it counts.
                    out.push(format!("{here}: {:?} is {gap:.1}pt from a rule at {q:?}", ink.text));
                }
            }
            if let (true, Some(a)) = (ink.body, page.area) {
                // Typst lets inline math reach into the leading (up to 0.7 of
                // it, about 5pt here) so that lines stay evenly spaced; at the
                // top or foot of a page that is a hair into the margin.
                let slack = if ink.math { 5.0 } else { EPS };
                if r.x0 < a.x0 - EPS || r.x1 > a.x1 + EPS || r.y0 < a.y0 - slack || r.y1 > a.y1 + slack {
                    out.push(format!("{here}: {:?} leaves the text area ({r:?} outside {a:?})", ink.text));
                }
            }
        }
        // Text in a box with a background (a model answer) stays inside it,
        // its descenders 2pt or more above the box's bottom edge (a formula's
        // subscripts, in a diagram's box, sit lower by design).
        for ink in visible.iter().filter(|i| !i.math) {
            let (Some(b), r) = (ink.filled, ink.rect) else { continue };
            let q = page.boxes[b];
            let gap = q.y1 - (r.y1 + ink.descent);
            if r.x0 < q.x0 - EPS || r.x1 > q.x1 + EPS || r.y0 < q.y0 - EPS || gap < -EPS {
                out.push(format!("{here}: {:?} spills out of its box at {q:?}", ink.text));
            } else if gap < AIR {
                out.push(format!("{here}: {:?} is {gap:.1}pt from the bottom of its box at {q:?}", ink.text));
            }
        }
        // A table's text (between rules on all four sides; mathematics'
        // scripts are smaller by design) is never set smaller than 8pt: a
        // table too wide for that is split instead.
        for ink in visible.iter().filter(|i| !i.math && i.size < LEAST_SIZE - 0.01) {
            let r = ink.rect;
            let ruled = |side: &dyn Fn(&Rect) -> bool| page.rules.iter().any(|q| side(&q.rect));
            let down = |q: &Rect| overlap(r.y0, r.y1, q.y0, q.y1) > EPS;
            let across = |q: &Rect| overlap(r.x0, r.x1, q.x0, q.x1) > EPS;
            let boxed = ruled(&|q| down(q) && q.x1 - q.x0 < 0.01 && q.x0 <= r.x0)
                && ruled(&|q| down(q) && q.x1 - q.x0 < 0.01 && q.x0 >= r.x1)
                && ruled(&|q| across(q) && q.y1 - q.y0 < 0.01 && q.y0 <= r.y0)
                && ruled(&|q| across(q) && q.y1 - q.y0 < 0.01 && q.y0 >= r.y1);
            if boxed {
                out.push(format!("{here}: {:?} is set in {:.1}pt in a table", ink.text, ink.size));
            }
        }
        for (i, a) in visible.iter().enumerate() {
            for b in &visible[i + 1..] {
                let (p, q) = (a.rect, b.rect);
                if overlap(p.x0, p.x1, q.x0, q.x1) > 1.0 && overlap(p.y0, p.y1, q.y0, q.y1) > 1.0 {
                    out.push(format!("{here}: {:?} overprints {:?}", a.text, b.text));
                }
            }
        }
        let body: Vec<&Ink> = visible.iter().copied().filter(|i| i.body).collect();
        // A page (the last, typically) with only a trailing box on it: its
        // content, text and rules, must span at least six lines of text.
        let tops = body.iter().map(|i| i.rect.y0);
        let tops = tops.chain(page.rules.iter().filter(|r| r.body).map(|r| r.rect.y0));
        let bottoms = body.iter().map(|i| i.rect.y1);
        let bottoms = bottoms.chain(page.rules.iter().filter(|r| r.body).map(|r| r.rect.y1));
        let (top, bottom) = (tops.fold(f64::INFINITY, f64::min), bottoms.fold(f64::NEG_INFINITY, f64::max));
        if count > 1 && bottom - top < SIX_LINES {
            out.push(format!("{here}: a scrap page, its content spans {:.0}pt", bottom - top));
        }
        if n + 1 < count {
            let rules: Vec<&Rule> = page.rules.iter().filter(|r| r.body).collect();
            if let Some(line) = last_line(&body, &rules) {
                out.push(format!("{here}: the page ends on {line:?}, and what it introduces starts the next page"));
            }
        }
        // A figure belongs with the text of its task: some of that text is
        // above it on its page, never only on the page before.
        if let Some(a) = page.area {
            for &y in page.figures.iter().filter(|&&y| y >= a.y0 - EPS) {
                if !body.iter().any(|i| i.rect.y1 <= y + EPS) {
                    out.push(format!("{here}: a figure starts the page, away from the text of its task"));
                }
            }
            if n >= sheet_pages && n + 1 < count {
                let fill = (bottom - a.y0) / (a.y1 - a.y0);
                if fill < RUBRIC_FILL {
                    out.push(format!("{here}: a page of the rubric only {:.0}% full", fill * 100.0));
                }
            }
        }
    }
    out
}

/// The last line of a page's body text when it is a heading, a label or a
/// lead-in, which introduce what follows them: a line that starts in bold
/// (`Task 4: …`, `Step 4: …`, `Part A: …`, `Now try changing w1:`) or ends
/// with a colon, with no ruled lines below it.
fn last_line(body: &[&Ink], rules: &[&Rule]) -> Option<String> {
    let lowest = body.iter().map(|i| i.rect.y1).fold(f64::NEG_INFINITY, f64::max);
    // Ruled answer lines below it are its work (a heading's own rule, or an
    // answer slot's, sits within a few points of its baseline).
    if rules.iter().any(|r| r.rect.y0 > lowest + 8.0) {
        return None;
    }
    // A line's subscripts and fractions sit a little below its baseline; the
    // line above sits a whole line higher.
    let mut line: Vec<&Ink> = body.iter().copied().filter(|i| i.rect.y1 > lowest - 8.0).collect();
    line.sort_by(|a, b| a.rect.x0.total_cmp(&b.rect.x0));
    let first = line.first()?;
    let text: String = line.iter().map(|i| i.text.as_str()).collect::<Vec<_>>().join(" ");
    let text = text.trim();
    let label = first.bold && first.black && !first.math;
    (label || text.ends_with(':')).then(|| text.to_owned())
}

/// Lays out both versions of a fixed config's sheet and returns their faults.
fn sheet_faults(
    spec: &config::WorksheetSpec,
    label: &SheetLabel,
    solved: &backprop_worksheet::answers::Solved,
) -> Vec<String> {
    let [student, key] = generate::typeset_sheet(common::words(), solved, label, false).unwrap();
    both_faults(&spec.file, &student.layout, &key.layout)
}

/// The faults of both versions of a sheet: the key's pages after the
/// student version's are its rubric.
fn both_faults(name: &str, student: &Layout, key: &Layout) -> Vec<String> {
    let sheet_pages = student.page_count();
    let mut out = faults(&format!("{name} student"), student, sheet_pages);
    out.extend(faults(&format!("{name} key"), key, sheet_pages));
    out
}

/// Both versions of a fixed config's sheet, laid out.
fn laid_out(yaml: &str) -> [Layout; 2] {
    let spec = config::parse(yaml, "generated.yaml", "generated").unwrap();
    let solved = generate::solve_fixed(&spec, common::words()).unwrap();
    generate::typeset_sheet(common::words(), &solved, &SheetLabel::default(), false).unwrap().map(|t| t.layout)
}

fn assert_clean(what: &str, faults: &[String]) {
    let mut message = String::new();
    for f in faults.iter().take(25) {
        let _ = writeln!(message, "  {f}");
    }
    assert!(faults.is_empty(), "{what}: {} layout faults:\n{message}", faults.len());
}

fn check_yaml(yaml: &str) -> Vec<String> {
    let [student, key] = laid_out(yaml);
    both_faults("generated.yaml", &student, &key)
}

#[test]
fn shipped_configs_lay_out_cleanly() {
    for path in common::shipped_configs() {
        let spec = config::load(&path).unwrap();
        if spec.is_randomized() {
            let request = batch::Request { seed: 7, count: 3, only: None, ..Default::default() };
            for sheet in batch::draw(&spec, common::words(), &request).unwrap() {
                assert_clean(&spec.file, &sheet_faults(&spec, &sheet.label, &sheet.variant.solved));
            }
        } else {
            let solved = generate::solve_fixed(&spec, common::words()).unwrap();
            assert_clean(&spec.file, &sheet_faults(&spec, &SheetLabel::default(), &solved));
        }
    }
}

/// Found by a new user: long values in the five-layer A4 tables ran over the
/// column rules and out of the tables.
#[test]
fn five_layers_on_a4_lay_out_cleanly() {
    let yaml = "title: Five layers\npaper: a4\nnetwork:\n  input: 2\n  target: 20\n  layers:\n    \
        - { coefficient: 3, weight: 1 }\n    - { coefficient: 2, weight: 3 }\n    - { coefficient: -1, weight: 0.5 }\n    \
        - { coefficient: 1, weight: 2 }\n    - { coefficient: 1.5, weight: -1 }\nnudge: 0.05\nlearning_rate: 0.01\nreflection_layers: 10\n";
    assert_clean("five layers, A4", &check_yaml(yaml));
}

/// Decimal coefficients and a small nudge: seventeen-digit table entries.
#[test]
fn decimal_coefficients_lay_out_cleanly() {
    let yaml = "title: Decimals\nnetwork:\n  input: 1.5\n  target: 100\n  layers:\n    \
        - { coefficient: 1.25, weight: 0.5 }\n    - { coefficient: -0.75, weight: 1.5 }\n    \
        - { coefficient: 2.5, weight: -2 }\n    - { coefficient: -3, weight: 1 }\nnudge: 0.01\nlearning_rate: 0.001\nreflection_layers: 10\n";
    assert_clean("four decimal layers", &check_yaml(yaml));
}

/// Large integers: eight-digit values and more.
#[test]
fn large_integers_lay_out_cleanly() {
    let yaml = "title: Large\nnetwork:\n  input: 12\n  target: 1000\n  layers:\n    \
        - { coefficient: 7, weight: 40 }\n    - { coefficient: -5, weight: -120 }\n    - { coefficient: 9, weight: 300 }\n\
        nudge: 0.1\nlearning_rate: 0.001\nreflection_layers: 10\n";
    assert_clean("three layers, large integers", &check_yaml(yaml));
}

/// Five layers on A4 with the extension ended on a page holding only the
/// closing box (found by sweeping layer counts, papers and extensions).
#[test]
fn the_last_page_is_no_scrap() {
    let layers = (1..=5).map(|k| format!("    - {{ coefficient: {}, weight: 1.5 }}\n", k % 3 + 1)).collect::<String>();
    let yaml = format!(
        "title: Sweep\npaper: a4\nnetwork:\n  input: 2\n  target: 20\n  layers:\n{layers}\
         nudge: 0.1\nlearning_rate: 0.001\nreflection_layers: 10\nextension: {{ activation: tanh, digits: 4 }}\n"
    );
    assert_clean("five layers with the extension", &check_yaml(&yaml));
}

/// The longest numbers a config allows, on the narrower paper: every slot of
/// the forward pass, the chain, the update and the extension at its widest.
#[test]
fn longest_numbers_lay_out_cleanly() {
    let yaml = "title: Long\npaper: a4\nnetwork:\n  input: -999.123\n  target: 99999.654\n  layers:\n    \
        - { coefficient: -9.75, weight: -123.789 }\n    - { coefficient: 8.5, weight: 234.891 }\n    \
        - { coefficient: -7.25, weight: -345.901 }\n    - { coefficient: 6.5, weight: 456.012 }\n    \
        - { coefficient: -5.125, weight: -567.123 }\n\
        nudge: 0.001\nlearning_rate: 0.000001\nreflection_layers: 1000\nextension: { activation: tanh, digits: 10 }\n";
    assert_clean("the longest numbers", &check_yaml(yaml));
}

/// A config whose exact answers run to 30 digits (decimal coefficients, a
/// learning rate of 0.02): the key prints them rounded, with ≈, and both
/// versions still lay out cleanly.
pub const LONG_DECIMALS: &str = "title: Long decimals\nnetwork:\n  input: 1.5\n  target: 100\n  layers:\n    \
    - { coefficient: 1.25, weight: 0.5 }\n    - { coefficient: -0.75, weight: 1.5 }\n    \
    - { coefficient: 2.5, weight: -2 }\n    - { coefficient: -3, weight: 1 }\nnudge: 0.1\nlearning_rate: 0.02\n";

/// Every number at a documented limit (README, "Limits"): the largest
/// magnitudes, the most decimal places, the smallest steps, five layers,
/// 1000 reflection layers, the extension at 10 digits, on A4. Answers reach
/// 10⁴⁷ and are printed in scientific form.
pub const AT_THE_LIMITS: &str = "title: Limits\npaper: a4\nnetwork:\n  input: 999999.5\n  target: -1000000\n  \
    layers:\n    - { coefficient: 1000000, weight: 0.000001 }\n    - { coefficient: -999999.999999, weight: -1000000 }\n    \
    - { coefficient: 0.000001, weight: 999999.999999 }\n    - { coefficient: 1000000, weight: -0.000001 }\n    \
    - { coefficient: -1000000, weight: 1000000 }\nnudge: 0.000001\nlearning_rate: 0.000001\nreflection_layers: 1000\n\
    extension: { activation: tanh, digits: 10 }\n";

/// The README's four decimal layers with the nudge of issue 22 (0.01):
/// their experiment tables ran numbers into the rules.
pub const LONG_DECIMALS_SMALL_NUDGE: &str =
    "title: Long decimals\nnetwork:\n  input: 1.5\n  target: 100\n  layers:\n    \
    - { coefficient: 1.25, weight: 0.5 }\n    - { coefficient: -0.75, weight: 1.5 }\n    \
    - { coefficient: 2.5, weight: -2 }\n    - { coefficient: -3, weight: 1 }\nnudge: 0.01\nlearning_rate: 0.02\n";

/// Five layers on A4 with a tanh extension (issue 22): a key of 9 pages of
/// sheet and 5 half-empty pages of rubric.
pub const FIVE_DEEP: &str = "title: Five layers deep\npaper: a4\nnetwork:\n  input: -1.5\n  target: 7\n  layers:\n    \
    - { coefficient: 2, weight: 0.5 }\n    - { coefficient: -1, weight: 2 }\n    - { coefficient: 0.5, weight: -3 }\n    \
    - { coefficient: 3, weight: 1 }\n    - { coefficient: -2, weight: 0.25 }\n\
    nudge: 0.05\nlearning_rate: 0.01\nreflection_layers: 50\nextension: { activation: tanh, digits: 3 }\n";

#[test]
fn long_decimals_with_a_small_nudge_lay_out_cleanly() {
    assert_clean("four decimal layers, nudge 0.01", &check_yaml(LONG_DECIMALS_SMALL_NUDGE));
}

#[test]
fn five_layers_deep_lay_out_cleanly_with_a_short_rubric() {
    let [student, key] = laid_out(FIVE_DEEP);
    assert_clean("five layers deep", &both_faults("five layers deep", &student, &key));
    let rubric = key.page_count() - student.page_count();
    assert!(rubric <= 3, "the rubric takes {rubric} pages");
}

/// `yaml` with `language: de`, and a check that a layout of it is German.
fn in_german(yaml: &str) -> String {
    format!("language: de\n{yaml}")
}

fn assert_german(what: &str, layout: &Layout) {
    let text: String = pages(layout).iter().flat_map(|p| p.inks.iter().map(|i| i.text.clone())).collect();
    assert!(text.contains("Aufgabe") && text.contains("Gewicht"), "{what} is German");
}

/// German words are longer (issue 23): the five-layer A4 sheet with the
/// extension and a short rubric, in German, with its longest headings and
/// table columns ("Verdeckte Schicht", "Änderung von E").
#[test]
fn five_layers_in_german_on_a4_lay_out_cleanly() {
    let [student, key] = laid_out(&in_german(FIVE_DEEP));
    assert_german("the five-layer key", &key);
    assert_clean("five layers deep, German", &both_faults("fünf Schichten", &student, &key));
    let rubric = key.page_count() - student.page_count();
    assert!(rubric <= 3, "the German rubric takes {rubric} pages");
}

/// The longest numbers a config allows, in German: decimal commas in every
/// table and the scientific form "× 10" with them.
#[test]
fn longest_numbers_in_german_lay_out_cleanly() {
    let [student, key] = laid_out(&in_german(AT_THE_LIMITS));
    assert_german("the sheet at the limits", &student);
    assert_clean("every number at its limit, German", &both_faults("Grenzen", &student, &key));
}

/// A decimal comma in maths is set as the point is (issue 23): no space
/// after it, and none between the number and a letter it multiplies, so
/// `0,5h₂` in the German formulas is as tight as `0.5h₂` in the English.
#[test]
fn a_decimal_comma_is_set_as_tight_as_a_point() {
    // The gap from a number's last digit 5 to the h right after it, on the
    // first page (the formulas and the forward pass).
    let gaps = |yaml: &str| {
        let [student, _] = laid_out(yaml);
        let page = &pages(&student)[0];
        let after = |ink: &Ink| {
            let line = page.inks.iter().filter(|o| o.math && (o.rect.y1 - ink.rect.y1).abs() < 1.0);
            line.filter(|o| o.rect.x0 > ink.rect.x0 + 0.1).min_by(|a, b| a.rect.x0.total_cmp(&b.rect.x0))
        };
        let mut out = Vec::new();
        for five in page.inks.iter().filter(|i| i.math && i.text.ends_with('5')) {
            if let Some(h) = after(five).filter(|h| h.text.starts_with('\u{210E}')) {
                out.push(h.rect.x0 - five.rect.x1);
            }
        }
        out
    };
    let english = gaps(FIVE_DEEP);
    let german = gaps(&in_german(FIVE_DEEP));
    assert!(!english.is_empty() && english.len() == german.len(), "{english:?} {german:?}");
    for (e, g) in english.iter().zip(&german) {
        assert!((e - g).abs() < 0.3, "0.5h: {e:.2}pt from the 5 to the h, 0,5h: {g:.2}pt");
    }
}

/// The German classic sheet is as long as the English one.
#[test]
fn the_german_classic_sheet_keeps_its_page_count() {
    let [student, key] = laid_out(&std::fs::read_to_string("configs/classic-de.yaml").unwrap());
    assert_german("configs/classic-de.yaml", &student);
    assert_eq!(student.page_count(), 6);
    assert!(key.page_count() <= 8, "the key has {} pages", key.page_count());
}

/// Model answers longer than the lines the template gives them (a
/// translation's words run a third longer than English; here every check of
/// a gradient says one sentence more, as a teacher's own words might): each
/// box grows to hold its answer, 2pt clear of its bottom, and the student
/// version, laid out alone from its own markup (which has no answer), gets
/// the same lines, so the two versions are still one layout.
#[test]
fn long_model_answers_get_the_room_they_need() {
    let dir = tempfile::tempdir().unwrap();
    let end = "the table measured {{ measured }}.";
    common::template_with(dir.path(), "answers.txt.j2", |text| {
        assert!(text.contains(end), "the check's model answer has changed");
        text.replace(end, &format!("{end} So the chain rule and the experiment agree: the gradient is the slope of the error at this weight, and nudging the weight by a small step changes the error by about the gradient times the step."))
    });
    let templates = Templates::load(Some(dir.path())).unwrap();
    let spec = config::parse(FIVE_DEEP, "five.yaml", "five").unwrap();
    let solved = generate::solve_fixed(&spec, &templates).unwrap();
    let label = SheetLabel::default();
    let [student, key] = generate::typeset_sheet(&templates, &solved, &label, false).unwrap();
    assert_clean("five layers deep, long checks", &both_faults("five layers deep", &student.layout, &key.layout));
    let alone = generate::typeset_version(&templates, &solved, Version::Student, &label).unwrap();
    let rules = |layout: &Layout| -> Vec<Vec<(i64, i64)>> {
        let at = |r: &Rule| ((r.rect.x0 * 10.0).round() as i64, (r.rect.y0 * 10.0).round() as i64);
        pages(layout).iter().map(|p| p.rules.iter().map(at).collect()).collect()
    };
    assert_eq!(rules(&alone.layout), rules(&student.layout), "the student version alone has other answer lines");
}

/// The widths a response's room is reckoned from (`typeset::text_widths_em`)
/// are never narrower than Typst sets the model answers: each answer of the
/// far-off configs, measured in the model's face and size (10pt), asserted
/// in Typst.
#[test]
fn model_answer_widths_bound_what_typst_sets() {
    let mut checks = String::from("#set text(font: \"Libertinus Serif\", size: 10pt)\n");
    // The German model answers too: other words, decimal commas, „…“.
    for yaml in [FIVE_DEEP.to_owned(), AT_THE_LIMITS.to_owned(), LONG_DECIMALS.to_owned(), in_german(FIVE_DEEP)] {
        let spec = config::parse(&yaml, "widths.yaml", "widths").unwrap();
        let solved = generate::solve_fixed(&spec, common::words()).unwrap();
        for answer in solved.answers.iter() {
            let backprop_worksheet::answers::Value::Text(text) = &answer.value else { continue };
            let (width, word) = typeset::text_widths_em(text);
            let widest = text.split(' ').map(escape_markup).map(|w| format!("measure[{w}].width")).collect::<Vec<_>>();
            let _ = writeln!(
                checks,
                "#context assert(measure[{}].width <= {}pt and calc.max(..({},)) <= {}pt, message: {:?})",
                escape_markup(text),
                width * 10.0 + 0.01,
                widest.join(", "),
                word * 10.0 + 0.01,
                answer.id.to_string(),
            );
        }
    }
    assert!(checks.lines().count() > 10, "{checks}");
    if let Err(errors) = typeset::compile(&checks) {
        panic!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
    }
}

/// The handout's sheet keeps its length: 6 pages, and at most 8 for the key.
#[test]
fn the_classic_sheet_keeps_its_page_count() {
    let [student, key] = laid_out(&std::fs::read_to_string("configs/classic.yaml").unwrap());
    assert_eq!(student.page_count(), 6);
    assert!(key.page_count() <= 8, "the key has {} pages", key.page_count());
}

#[test]
fn long_decimal_answers_lay_out_cleanly() {
    assert_clean("four decimal layers, learning rate 0.02", &check_yaml(LONG_DECIMALS));
}

#[test]
fn numbers_at_the_limits_lay_out_cleanly() {
    let [student, key] = laid_out(AT_THE_LIMITS);
    assert_clean("every number at its limit", &both_faults("limits", &student, &key));
    // Its widest tables (seven columns of numbers like ≈ −9.999985 × 10¹⁷)
    // do not fit even in 8pt: each is split in two, the weight's column
    // heading both halves.
    let headings: usize =
        pages(&student).iter().map(|p| p.inks.iter().filter(|i| i.bold && i.text.trim() == "value").count()).sum();
    assert!(headings > 5, "{headings} weight columns for 5 experiment tables: none was split");
}

/// The summary's margins, in pt: 1.5 cm left and right, 1.6 cm top and bottom.
const SUMMARY_MARGINS: (f64, f64) = (42.52, 45.35);

/// The faults of the grading summary of `sheets`, each part laid out as the
/// class key pack prints it (landscape, its margins [`SUMMARY_MARGINS`]). It
/// has no rubric.
fn summary_faults(name: &str, spec: &config::WorksheetSpec, sheets: &[batch::Sheet]) -> Vec<String> {
    let entries: Vec<summary::Entry> =
        sheets.iter().map(|s| summary::Entry::new(&s.label, &s.variant.solved.answers)).collect();
    let mut out = Vec::new();
    for (k, markup) in summary::parts_markup(spec, common::words(), &entries).unwrap().iter().enumerate() {
        let layout = typeset::compile(markup).unwrap_or_else(|d| panic!("{name}: the summary does not compile: {d:?}"));
        let size = layout.as_paged().pages()[0].frame.size();
        let (x, y) = SUMMARY_MARGINS;
        let area = Rect { x0: x, y0: y, x1: size.x.to_pt() - x, y1: size.y.to_pt() - y };
        let pages = pages_in(&layout, area);
        // Each page's table, its rules and numbers, is seen.
        assert!(pages.iter().all(|p| p.rules.len() > 4 && p.inks.iter().filter(|i| i.body).count() > 10), "{name}");
        out.extend(page_faults(&format!("{name} summary part {}", k + 1), &pages, usize::MAX));
    }
    out
}

/// A batch of `count` sheets of `yaml` (or one per name of `roster`), and
/// the faults of its grading summary.
fn batch_summary_faults(name: &str, yaml: &str, count: u64, roster: Option<Vec<String>>) -> Vec<String> {
    let spec = config::parse(yaml, &format!("{name}.yaml"), name).unwrap();
    let request = batch::Request { seed: 7, count, roster, ..Default::default() };
    summary_faults(name, &spec, &batch::draw(&spec, common::words(), &request).unwrap())
}

/// The shipped randomized config's class set: two parts of 15 rows.
#[test]
fn the_grading_summary_lays_out_cleanly() {
    let yaml = std::fs::read_to_string("configs/randomized.yaml").unwrap();
    assert_clean("randomized summary", &batch_summary_faults("randomized", &yaml, 30, None));
}

/// A roster of long names: a name wraps in its column, over two lines at
/// most, and no word of it runs over a rule.
#[test]
fn a_summary_of_long_names_lays_out_cleanly() {
    let yaml = std::fs::read_to_string("configs/randomized.yaml").unwrap();
    let names: Vec<String> = (0..26)
        .map(|i| match i % 3 {
            0 => format!("Maximilian-Alexander {i} Wolfeschlegelsteinhausenbergerdorff de la Cruz y Villanueva"),
            1 => format!("Nguyễn Thị {i} Li"),
            _ => format!("Student {i} {}", "with a very long name ".repeat(4)),
        })
        .collect();
    assert_clean("roster summary", &batch_summary_faults("roster", &yaml, 0, Some(names)));
}

/// Far from the handout: five layers, decimal coefficients, a learning rate
/// of 0.00002, answers in the millions and beyond (printed with ≈ and in
/// scientific form), and every given but one varying, each with its column:
/// 24 columns that fit in no width, so the table is split.
pub const FAR_BATCH: &str = "title: Far from the handout\npaper: a4\nnetwork:\n  input: { from: 1, to: 3 }\n  \
    target: { from: 1000, to: 2000 }\n  layers:\n    \
    - { coefficient: { one_of: [-7, 9, 1.25] }, weight: { from: -2, to: 2, step: 0.25 } }\n    \
    - { coefficient: { one_of: [-1.5, 8] }, weight: { from: 1, to: 3 } }\n    \
    - { coefficient: { one_of: [9, -2.75] }, weight: -2 }\n    \
    - { coefficient: { one_of: [-8, 6] }, weight: { from: 3, to: 5 } }\n    \
    - { coefficient: { one_of: [7, 2.5] }, weight: { from: -2, to: 2 } }\n\
    nudge: { one_of: [0.5, 0.25, 0.01] }\nlearning_rate: { one_of: [0.001, 0.0001, 0.00002] }\n\
    rules:\n  max_decimals: false\n";

#[test]
fn a_wide_summary_lays_out_cleanly() {
    assert_clean("five-layer summary", &batch_summary_faults("far", FAR_BATCH, 30, None));
}

/// The same in German: decimal commas, "· 10" and the German headers
/// ("Lernrate", "Veränderung").
#[test]
fn a_wide_summary_in_german_lays_out_cleanly() {
    assert_clean("five-layer summary, German", &batch_summary_faults("weit", &in_german(FAR_BATCH), 30, None));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_configs_lay_out_cleanly(yaml in common::random_config()) {
        // A draw whose starting error is 0 is rejected by the loader or solver: skip it.
        let Ok(spec) = config::parse(&yaml, "generated.yaml", "generated") else { return Ok(()) };
        let Ok(solved) = generate::solve_fixed(&spec, common::words()) else { return Ok(()) };
        let faults = sheet_faults(&spec, &SheetLabel::default(), &solved);
        prop_assert!(faults.is_empty(), "{yaml}\n{}", faults.iter().take(25).cloned().collect::<Vec<_>>().join("\n"));
    }
}

#[test]
fn the_check_sees_a_page_body() {
    let spec = config::load(Path::new("configs/classic.yaml")).unwrap();
    let solved = generate::solve_fixed(&spec, common::words()).unwrap();
    let templates = common::words();
    let [_, key] = generate::typeset_sheet(templates, &solved, &SheetLabel::default(), false).unwrap();
    let pages = pages(&key.layout);
    let first = &pages[0];
    let area = first.area.expect("a body");
    // 2 cm margins left and right.
    assert!((area.x0 - 56.69).abs() < 0.1, "{area:?}");
    assert!(first.inks.iter().any(|i| i.body && i.text.contains("Introduction")));
    // The experiment tables' rules are seen.
    assert!(pages.iter().map(|p| p.rules.iter().filter(|r| r.vertical).count()).sum::<usize>() >= 20);
    // So are the model answers' boxes, with their red words in them.
    let boxes = pages.iter().map(|p| p.boxes.len()).sum::<usize>();
    let words = pages.iter().flat_map(|p| &p.inks).filter(|i| i.filled.is_some() && !i.black && !i.math).count();
    assert!(boxes >= 10 && words >= 10, "{boxes} boxes, {words} words in them");
}

/// The error plot's axis labels (7.5pt numbers): along each axis, the values
/// go up by one step and sit at one spacing.
fn assert_regular_ticks(what: &str, layout: &Layout) {
    let mut axes = 0;
    for page in pages(layout) {
        let ticks: Vec<(f64, &Ink)> = page
            .inks
            .iter()
            .filter(|i| (i.size - 7.5).abs() < 0.01)
            .filter_map(|i| i.text.replace('\u{2212}', "-").parse::<f64>().ok().map(|v| (v, i)))
            .collect();
        // The w axis: a row of labels (same baseline, spaced by their
        // centres). The E axis: a column, right-aligned (spaced by baselines).
        type Measure = Box<dyn Fn(&Ink) -> f64>;
        for (key, along) in [
            (Box::new(|i: &Ink| i.rect.y1) as Measure, Box::new(|i: &Ink| (i.rect.x0 + i.rect.x1) / 2.0) as Measure),
            (Box::new(|i: &Ink| i.rect.x1), Box::new(|i: &Ink| i.rect.y1)),
        ] {
            let mut groups: Vec<(f64, Vec<(f64, f64)>)> = Vec::new();
            for (v, ink) in &ticks {
                let k = key(ink);
                match groups.iter_mut().find(|(gk, _)| (gk - k).abs() < 1.0) {
                    Some((_, g)) => g.push((along(ink), *v)),
                    None => groups.push((k, vec![(along(ink), *v)])),
                }
            }
            for (_, mut g) in groups.into_iter().filter(|(_, g)| g.len() >= 3) {
                axes += 1;
                g.sort_by(|a, b| a.0.total_cmp(&b.0));
                let steps: Vec<(f64, f64)> = g.windows(2).map(|w| (w[1].0 - w[0].0, w[1].1 - w[0].1)).collect();
                for (at, value) in &steps {
                    assert!(
                        (at - steps[0].0).abs() < 0.5 && (value - steps[0].1).abs() < 1e-9,
                        "{what}: irregular axis labels {g:?}"
                    );
                }
            }
        }
    }
    assert!(axes >= 2, "{what}: the plot's two axes were not found");
}

#[test]
fn plot_axes_step_regularly() {
    let templates = common::words();
    let five = "title: Five layers\npaper: a4\nnetwork:\n  input: 2\n  target: 20\n  layers:\n    \
        - { coefficient: 3, weight: 1 }\n    - { coefficient: 2, weight: 3 }\n    - { coefficient: -1, weight: 0.5 }\n    \
        - { coefficient: 1, weight: 2 }\n    - { coefficient: 1.5, weight: -1.123 }\nnudge: 0.005\nlearning_rate: 0.01\nreflection_layers: 10\n";
    let classic = std::fs::read_to_string("configs/classic.yaml").unwrap();
    for yaml in [classic.as_str(), five] {
        let spec = config::parse(yaml, "plot.yaml", "plot").unwrap();
        let solved = generate::solve_fixed(&spec, common::words()).unwrap();
        let [student, key] = generate::typeset_sheet(templates, &solved, &SheetLabel::default(), false).unwrap();
        assert_regular_ticks("student", &student.layout);
        assert_regular_ticks("key", &key.layout);
    }
}

/// The values of the error plot's w-axis labels (the row of 7.5pt numbers).
fn w_axis_labels(layout: &Layout) -> Vec<f64> {
    for page in pages(layout) {
        let mut rows: Vec<(f64, Vec<f64>)> = Vec::new();
        for ink in page.inks.iter().filter(|i| (i.size - 7.5).abs() < 0.01) {
            let Ok(v) = ink.text.replace('\u{2212}', "-").parse::<f64>() else { continue };
            match rows.iter_mut().find(|(y, _)| (y - ink.rect.y1).abs() < 1.0) {
                Some((_, row)) => row.push(v),
                None => rows.push((ink.rect.y1, vec![v])),
            }
        }
        if let Some((_, row)) = rows.into_iter().find(|(_, row)| row.len() >= 3) {
            return row;
        }
    }
    panic!("no w axis found");
}

#[test]
fn the_plot_reaches_far_enough_for_the_parabola_to_leave_its_tangent() {
    // Classic: w2 = 3, dE/dw2 = −3, nudge 0.1. At ±4 nudges the parabola
    // rises 0.08 above its tangent over an error span of 2.4 (3%): a straight
    // line to the eye. It must reach at least ±1 (a lift of 0.5, 8%).
    let classic = std::fs::read_to_string("configs/classic.yaml").unwrap();
    let spec = config::parse(&classic, "plot.yaml", "plot").unwrap();
    let solved = generate::solve_fixed(&spec, common::words()).unwrap();
    let templates = common::words();
    let [_, key] = generate::typeset_sheet(templates, &solved, &SheetLabel::default(), false).unwrap();
    let labels = w_axis_labels(&key.layout);
    let (lo, hi) = labels.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    assert!(lo <= 2.0 && hi >= 4.0, "the w axis spans only {lo}..{hi}: {labels:?}");
    // The table's points (2.9, 3, 3.1) are inside.
    assert!(lo < 2.9 && hi > 3.1);
}
