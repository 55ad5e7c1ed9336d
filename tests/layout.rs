//! The layout check: walks the laid-out Typst frames of both versions of a
//! sheet and fails when a text item crosses a rule (a table's column or row
//! rule, its outer border), overprints another text item, or leaves the text
//! area (the page minus its margins); and when a page holds only a scrap of
//! content. It runs on every shipped config and on random valid configs, so a
//! teacher's numbers cannot break the layout unseen.

// Geometry in points: page measurements, not answers.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::fmt::Write as _;
use std::path::Path;

use backprop_worksheet::batch;
use backprop_worksheet::config;
use backprop_worksheet::generate;
use backprop_worksheet::render::SheetLabel;
use backprop_worksheet::typeset::Layout;
use proptest::prelude::*;

mod common;
use typst::layout::{Abs, Frame, FrameItem, Point, Transform};
use typst::visualize::Geometry;

/// How far (pt) text may touch a rule or another text item: antialiasing, not overprint.
const EPS: f64 = 0.4;

/// Six lines of 11pt text at the sheet's leading, in pt.
const SIX_LINES: f64 = 6.0 * 11.0 * 1.3;

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
    /// The text area: the page minus its margins.
    area: Option<Rect>,
}

/// Collects the text and rules of `frame`, placed by `ts`. `body` is `None`
/// for a page's own frame: then each item belongs to the body when it is
/// placed inside `area` (the background sits at the page's origin, the
/// footer below the body; Typst inlines a sparse body's items into the page).
fn walk(frame: &Frame, ts: Transform, body: Option<bool>, area: Rect, page: &mut Page) {
    for (pos, item) in frame.items() {
        let at = ts.pre_concat(Transform::translate(pos.x, pos.y));
        let body = body.unwrap_or_else(|| {
            *pos != Point::zero() && pos.y.to_pt() >= area.y0 - EPS && pos.y.to_pt() < area.y1 - EPS
        });
        match item {
            FrameItem::Group(group) => {
                let inner = at.pre_concat(group.transform);
                walk(&group.frame, inner, Some(body), area, page);
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
                    math: text.font.info().family.contains("Math"),
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
            _ => {}
        }
    }
}

/// The text items and rules of every page. The text area (the page minus its
/// margins) is the frame Typst places the body in: the largest group not at
/// the page's origin, the same on every page of a sheet.
fn pages(layout: &Layout) -> Vec<Page> {
    let doc = layout.as_paged();
    let area = doc
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
    doc.pages()
        .iter()
        .map(|p| {
            let mut page = Page { area: Some(area), ..Page::default() };
            walk(&p.frame, Transform::identity(), None, area, &mut page);
            page
        })
        .collect()
}

/// Every layout fault of one version: text across a rule, text over text,
/// text outside the text area, a page with a scrap of content.
fn faults(name: &str, layout: &Layout) -> Vec<String> {
    let mut out = Vec::new();
    let pages = pages(layout);
    let count = pages.len();
    for (n, page) in pages.iter().enumerate() {
        let here = format!("{name} page {}", n + 1);
        let visible: Vec<&Ink> = page.inks.iter().filter(|i| !i.text.trim().is_empty()).collect();
        for ink in &visible {
            let r = ink.rect;
            for rule in &page.rules {
                let q = rule.rect;
                let crosses = if rule.vertical {
                    r.x0 < q.x0 - EPS && r.x1 > q.x0 + EPS && overlap(r.y0, r.y1, q.y0, q.y1) > EPS
                } else {
                    r.y0 < q.y0 - EPS && r.y1 > q.y0 + EPS && overlap(r.x0, r.x1, q.x0, q.x1) > EPS
                };
                if crosses {
                    out.push(format!("{here}: {:?} crosses a rule at {q:?}", ink.text));
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
        for (i, a) in visible.iter().enumerate() {
            for b in &visible[i + 1..] {
                let (p, q) = (a.rect, b.rect);
                if overlap(p.x0, p.x1, q.x0, q.x1) > 1.0 && overlap(p.y0, p.y1, q.y0, q.y1) > 1.0 {
                    out.push(format!("{here}: {:?} overprints {:?}", a.text, b.text));
                }
            }
        }
        // A page (the last, typically) with only a trailing box on it: its
        // content, text and rules, must span at least six lines of text.
        let tops = visible.iter().filter(|i| i.body).map(|i| i.rect.y0);
        let tops = tops.chain(page.rules.iter().filter(|r| r.body).map(|r| r.rect.y0));
        let bottoms = visible.iter().filter(|i| i.body).map(|i| i.rect.y1);
        let bottoms = bottoms.chain(page.rules.iter().filter(|r| r.body).map(|r| r.rect.y1));
        let span = bottoms.fold(f64::NEG_INFINITY, f64::max) - tops.fold(f64::INFINITY, f64::min);
        if count > 1 && span < SIX_LINES {
            out.push(format!("{here}: a scrap page, its content spans {span:.0}pt"));
        }
    }
    out
}

/// Lays out both versions of a fixed config's sheet and returns their faults.
fn sheet_faults(
    spec: &config::WorksheetSpec,
    label: &SheetLabel,
    solved: &backprop_worksheet::answers::Solved,
) -> Vec<String> {
    let templates = common::words();
    let [student, key] = generate::typeset_sheet(templates, solved, label, false).unwrap();
    let mut out = faults(&format!("{} student", spec.file), &student.layout);
    out.extend(faults(&format!("{} key", spec.file), &key.layout));
    out
}

fn assert_clean(what: &str, faults: &[String]) {
    let mut message = String::new();
    for f in faults.iter().take(25) {
        let _ = writeln!(message, "  {f}");
    }
    assert!(faults.is_empty(), "{what}: {} layout faults:\n{message}", faults.len());
}

fn check_yaml(yaml: &str) -> Vec<String> {
    let spec = config::parse(yaml, "generated.yaml", "generated").unwrap();
    let solved = generate::solve_fixed(&spec, common::words()).unwrap();
    sheet_faults(&spec, &SheetLabel::default(), &solved)
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

#[test]
fn long_decimal_answers_lay_out_cleanly() {
    assert_clean("four decimal layers, learning rate 0.02", &check_yaml(LONG_DECIMALS));
}

#[test]
fn numbers_at_the_limits_lay_out_cleanly() {
    assert_clean("every number at its limit", &check_yaml(AT_THE_LIMITS));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_configs_lay_out_cleanly(yaml in common::random_config()) {
        let spec = config::parse(&yaml, "generated.yaml", "generated").unwrap();
        // A draw whose starting error is 0 is rejected by the loader or solver: skip it.
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
