//! How close an approximate answer (the extension's, in `f64`) must be to the
//! key's to count as correct.
//!
//! The sheet asks for `d` significant digits, and a student carries their
//! own rounded values forward: σ rounded to 0.9991 gives σ′ = 0.9991 ·
//! (1 − 0.9991) = 0.0008992, not the key's 0.0009102. Both are correct
//! method. So the tolerance of a blank is
//!
//! half a unit in the key's last requested digit plus how far carrying can
//! move the unrounded result, or, where that is farther, the distance from
//! the key to the farthest value such a student can write:
//!
//! * the blank's formula is evaluated over intervals, each earlier
//!   approximate blank anywhere in the range of values a student can have
//!   written for it, each exact number exact: the student's unrounded
//!   result lies in that interval;
//! * the student then rounds it to `d` significant digits or more (or not
//!   at all). Rounding to `k` digits never decreases a number's order, so
//!   every value they can write lies between the smallest rounding of the
//!   interval's low end and the largest rounding of its high end.
//!
//! By induction a student who rounds every step to `d` digits (or keeps more)
//! and carries the rounded values is always within the tolerance. Interval
//! arithmetic may overestimate a range (never underestimate it), so the
//! tolerance errs on the student's side, and only where rounding really is
//! amplified (σ′ = σ(1 − σ) near σ = 1 loses digits) is it much wider than
//! half a unit. A value the sheet's rounding cannot reach is not widened:
//! tanh(9) = 0.99999997 is written 1.0 or 0.99999997, never 0.95, so the
//! slope 1 − h² carried from it lies in [0, 6·10⁻⁸], not in [−0.1, 0.1].
#![allow(clippy::disallowed_types)] // the extension's answers are doubles (see nonlinear.rs)

use std::collections::BTreeMap;

use super::Formula;
use crate::answers::Blank;

/// A closed interval of doubles.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Interval {
    lo: f64,
    hi: f64,
}

impl Interval {
    fn point(x: f64) -> Interval {
        Interval { lo: x, hi: x }
    }

    /// Every value a student can write for a result in `self`: the result
    /// itself, or rounded to `digits` significant digits or more.
    fn written(self, digits: u32) -> Interval {
        let roundings = |x: f64| (digits..=MAX_DIGITS).flat_map(move |k| [round(x, k), round_half_up(x, k)]).chain([x]);
        Interval {
            lo: roundings(self.lo).fold(f64::INFINITY, f64::min),
            hi: roundings(self.hi).fold(f64::NEG_INFINITY, f64::max),
        }
    }

    /// The interval of a function that never decreases.
    fn monotone(self, f: impl Fn(f64) -> f64) -> Interval {
        Interval { lo: f(self.lo), hi: f(self.hi) }
    }

    fn add(self, other: Interval) -> Interval {
        Interval { lo: self.lo + other.lo, hi: self.hi + other.hi }
    }

    fn sub(self, other: Interval) -> Interval {
        Interval { lo: self.lo - other.hi, hi: self.hi - other.lo }
    }

    fn mul(self, other: Interval) -> Interval {
        let products = [self.lo * other.lo, self.lo * other.hi, self.hi * other.lo, self.hi * other.hi];
        Interval {
            lo: products.iter().copied().fold(f64::INFINITY, f64::min),
            hi: products.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// The logistic sigmoid, as the extension computes it.
pub(super) fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// The most significant digits a double holds: rounding to more changes nothing.
const MAX_DIGITS: u32 = 17;

/// `x` rounded to `digits` significant digits, as the key prints it
/// ([`crate::nonlinear::significant`]: the decimal form of the double).
fn round(x: f64, digits: u32) -> f64 {
    format!("{x:.*e}", digits as usize - 1).parse().unwrap_or(x)
}

/// `x` rounded to `digits` significant digits as at school, halves away from
/// zero: where the double is exactly a half (0.125 to two digits) this
/// gives 0.13, and [`round`] 0.12.
fn round_half_up(x: f64, digits: u32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let unit = 2.0 * half_unit(x.abs(), digits);
    round((x / unit).round() * unit, digits)
}

/// Half a unit in the `digits`-th significant digit of a number of magnitude
/// `magnitude`: the most that rounding it to `digits` digits moves it.
pub(super) fn half_unit(magnitude: f64, digits: u32) -> f64 {
    if magnitude == 0.0 || !magnitude.is_finite() {
        return 0.0;
    }
    // The exponent of the leading digit, checked against the powers of ten
    // themselves so that log10's rounding cannot misplace it.
    let mut exponent = magnitude.log10().floor() as i32;
    if 10f64.powi(exponent) > magnitude {
        exponent -= 1;
    } else if 10f64.powi(exponent + 1) <= magnitude {
        exponent += 1;
    }
    0.5 * 10f64.powi(exponent - digits as i32 + 1)
}

/// The value of `formula` over intervals: `known` gives an id's interval.
fn evaluate(formula: &Formula, known: &dyn Fn(Blank) -> Option<Interval>) -> Option<Interval> {
    let one = |f: &Formula| evaluate(f, known);
    Some(match formula {
        Formula::Id(blank) => known(*blank)?,
        Formula::Num(text) => Interval::point(text.parse().ok()?),
        Formula::Add(a, b) => one(a)?.add(one(b)?),
        Formula::Sub(a, b) => one(a)?.sub(one(b)?),
        Formula::Mul(a, b) => one(a)?.mul(one(b)?),
        Formula::Sigmoid(a) => one(a)?.monotone(sigmoid),
        Formula::Tanh(a) => one(a)?.monotone(f64::tanh),
        Formula::Relu(a) => one(a)?.monotone(|x| x.max(0.0)),
        Formula::Step(a) => one(a)?.monotone(|x| if x > 0.0 { 1.0 } else { 0.0 }),
    })
}

/// The tolerance of each approximate blank. `blanks` are the approximate
/// blanks in the order the sheet computes them, each with its formula and
/// the key's value; `exact` gives the exact numbers they use (the givens, z);
/// `digits` is the sheet's requested significant digits.
pub(super) fn tolerances(
    blanks: &[(Blank, Formula, f64)],
    exact: &dyn Fn(Blank) -> Option<f64>,
    digits: u32,
) -> BTreeMap<Blank, f64> {
    let mut intervals: BTreeMap<Blank, Interval> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (id, formula, key) in blanks {
        let known = |blank: Blank| intervals.get(&blank).copied().or_else(|| exact(blank).map(Interval::point));
        let range =
            evaluate(formula, &known).filter(|r| r.lo.is_finite() && r.hi.is_finite()).unwrap_or(Interval::point(*key));
        let written = range.written(digits);
        // A hair more for the doubles' own rounding, which the student's
        // exact arithmetic does not have.
        let slack = written.lo.abs().max(written.hi.abs()).max(key.abs()) * 1e-12;
        // At least what the sheet asks for: half a unit in the last
        // requested digit of the key, plus how far carrying can move the
        // unrounded result.
        let asked = half_unit(key.abs(), digits) + (key - range.lo).max(range.hi - key).max(0.0);
        let tolerance = (key - written.lo).max(written.hi - key).max(asked) + slack;
        intervals.insert(*id, Interval { lo: written.lo - slack, hi: written.hi + slack });
        out.insert(*id, tolerance);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{Ext, Node};

    /// The extension's blank a test names: `z`, `h` (or `h0`, the activation),
    /// `slope`, `h1`…, `error`, `residual` (dE/dy), `gradient`.
    fn b(name: &str) -> Blank {
        Blank::Extension(match name {
            "z" => Ext::Z,
            "h" | "h0" => Ext::Activated,
            "slope" => Ext::Slope,
            "error" => Ext::Error,
            "residual" => Ext::ErrorSlope,
            "gradient" => Ext::Gradient,
            other => Ext::Value(Node::new(other[1..].parse().unwrap(), 6)),
        })
    }

    #[test]
    fn half_units() {
        assert_eq!(half_unit(0.9991, 4), 0.00005);
        assert_eq!(half_unit(15.0018, 4), 0.005);
        assert_eq!(half_unit(1000.0, 4), 0.5);
        assert_eq!(half_unit(999.9, 4), 0.05);
        assert_eq!(half_unit(0.0, 4), 0.0);
    }

    /// The handout's sigmoid: σ(7) rounded to 0.9991 and carried gives σ′ =
    /// 0.0008992 (key 0.0009102), which is within the tolerance; a value
    /// twice as far off is not.
    #[test]
    fn carried_rounding_is_within_the_tolerance() {
        let id = |n: &str| Formula::Id(b(n));
        let z = 7.0;
        let h = sigmoid(z);
        let slope = h * (1.0 - h);
        let one = Formula::Num("1".into());
        let blanks = vec![
            (b("h"), Formula::Sigmoid(Box::new(id("z"))), h),
            (
                b("slope"),
                Formula::Mul(Box::new(id("h")), Box::new(Formula::Sub(Box::new(one), Box::new(id("h"))))),
                slope,
            ),
        ];
        let exact = |blank: Blank| (blank == b("z")).then_some(z);
        let tolerance = tolerances(&blanks, &exact, 4);
        let h_tolerance = tolerance[&b("h")];
        assert!((h_tolerance - half_unit(h, 4)).abs() < 1e-12, "z is exact: only the rounding of h, {h_tolerance}");
        let carried = round(round(h, 4) * (1.0 - round(h, 4)), 4);
        assert_eq!(carried, 0.0008992);
        assert!((carried - slope).abs() <= tolerance[&b("slope")], "{carried} vs {slope} ± {}", tolerance[&b("slope")]);
        assert!(tolerance[&b("slope")] < 0.0001, "{}", tolerance[&b("slope")]);
    }

    /// A saturated tanh written to two digits is 1.0, never 0.95: the slope
    /// and the gradient carried from it stay near the key's (about 0), where
    /// a tolerance of half a unit at the interval's largest magnitude let
    /// through a gradient of 1000 (the key 0, the tolerance 3400).
    #[test]
    fn a_saturated_activation_does_not_widen_the_tolerance() {
        let id = |n: &str| Formula::Id(b(n));
        let num = |x: f64| Formula::Num(format!("{x:e}"));
        let mul = |a, b| Formula::Mul(Box::new(a), Box::new(b));
        let sub = |a, b| Formula::Sub(Box::new(a), Box::new(b));
        let (z, c, target): (f64, f64, f64) = (9.0, 300.0, -20.0);
        let h = z.tanh();
        let slope = 1.0 - h * h;
        let residual = c * h - target;
        let gradient = residual * c * slope;
        let blanks = vec![
            (b("h"), Formula::Tanh(Box::new(id("z"))), h),
            (b("slope"), sub(num(1.0), mul(id("h"), id("h"))), slope),
            (b("residual"), sub(mul(num(c), id("h")), num(target)), residual),
            (b("gradient"), mul(mul(id("residual"), num(c)), id("slope")), gradient),
        ];
        let tolerance = tolerances(&blanks, &|blank: Blank| (blank == b("z")).then_some(z), 2);
        // The student's 1.0 for h gives a slope of 0 and a gradient of 0.
        assert!(gradient.abs() <= tolerance[&b("gradient")], "{gradient} ± {}", tolerance[&b("gradient")]);
        assert!(tolerance[&b("gradient")] < 0.01, "{}", tolerance[&b("gradient")]);
        assert!(tolerance[&b("slope")] < 1e-7, "{}", tolerance[&b("slope")]);
    }

    proptest::proptest! {
        /// The extension's chain (an activation, then linear layers, the
        /// error, dE/dy and the gradient) worked by a student who rounds
        /// every step to the sheet's digits or more and carries the
        /// rounded values: every step is within its tolerance of the key.
        #[test]
        fn rounding_and_carrying_stays_within_the_tolerance(
            z in -8.0..8.0_f64,
            layers in proptest::collection::vec((-3.0..3.0_f64, -3.0..3.0_f64), 1..5),
            target in -20.0..20.0_f64,
            digits in 2_u32..=6,
            extra in proptest::collection::vec(0_u32..3, 12),
            activation in 0_usize..3,
        ) {
            let id = |n: &str| Formula::Id(b(n));
            let num = |x: f64| Formula::Num(format!("{x:e}"));
            let (add, sub, mul) = (
                |a, b| Formula::Add(Box::new(a), Box::new(b)),
                |a, b| Formula::Sub(Box::new(a), Box::new(b)),
                |a, b| Formula::Mul(Box::new(a), Box::new(b)),
            );
            let (activated, slope) = match activation {
                0 => (Formula::Sigmoid(Box::new(id("z"))), mul(id("h0"), sub(num(1.0), id("h0")))),
                1 => (Formula::Tanh(Box::new(id("z"))), sub(num(1.0), mul(id("h0"), id("h0")))),
                _ => (Formula::Relu(Box::new(id("z"))), Formula::Step(Box::new(id("z")))),
            };
            let mut formulas = vec![(b("h0"), activated), (b("slope"), slope)];
            for (j, (c, w)) in layers.iter().enumerate() {
                formulas.push((b(&format!("h{}", j + 1)), add(mul(num(*c), id(&format!("h{j}"))), num(*w))));
            }
            let y = id(&format!("h{}", layers.len()));
            let gap = sub(y, num(target));
            formulas.push((b("error"), mul(num(0.5), mul(gap.clone(), gap.clone()))));
            formulas.push((b("residual"), gap));
            let chain = layers.iter().fold(id("residual"), |g, (c, _)| mul(g, num(*c)));
            formulas.push((b("gradient"), mul(chain, id("slope"))));
            // The key: every step exact (in doubles); the student: each step
            // from their own rounded values, rounded again.
            let mut key: BTreeMap<Blank, f64> = BTreeMap::from([(b("z"), z)]);
            let mut student = key.clone();
            let value = |values: &BTreeMap<Blank, f64>, f: &Formula| {
                evaluate(f, &|n: Blank| values.get(&n).copied().map(Interval::point)).map(|i| i.lo)
            };
            let mut blanks = Vec::new();
            for (i, (name, formula)) in formulas.iter().enumerate() {
                let exact = value(&key, formula).unwrap();
                let own = value(&student, formula).unwrap();
                key.insert(*name, exact);
                student.insert(*name, round(own, digits + extra[i]));
                blanks.push((*name, formula.clone(), exact));
            }
            let tolerance = tolerances(&blanks, &|blank: Blank| (blank == b("z")).then_some(z), digits);
            for (name, _, exact) in &blanks {
                let off = (student[name] - exact).abs();
                proptest::prop_assert!(off <= tolerance[name], "{name}: {} vs {exact} ± {}", student[name], tolerance[name]);
            }
        }
    }
}
