//! How close an approximate answer (the extension's, in `f64`) must be to the
//! key's to count as correct.
//!
//! The sheet asks for `d` significant digits, and a student carries their
//! own rounded values forward: σ rounded to 0.9991 gives σ′ = 0.9991 ·
//! (1 − 0.9991) = 0.0008992, not the key's 0.0009102. Both are correct
//! method. So the tolerance of a blank is
//!
//! * half a unit in its last requested digit (the student's own rounding),
//!   taken at the largest magnitude the blank can have, plus
//! * the most that carrying rounded earlier values can move it: the blank's
//!   formula evaluated over intervals, each earlier approximate blank
//!   anywhere within its own tolerance of the key, each exact number exact.
//!
//! By induction a student who rounds every step to `d` digits (or keeps more)
//! and carries the rounded values is always within the tolerance: if each
//! input lies in its interval, the formula's value lies in the interval
//! evaluation, and rounding moves it by at most half a unit. Interval
//! arithmetic may overestimate a range (never underestimate it), so the
//! tolerance errs on the student's side, and only where rounding really is
//! amplified (σ′ = σ(1 − σ) near σ = 1 loses digits) is it much wider than
//! half a unit.
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

    fn around(x: f64, radius: f64) -> Interval {
        Interval { lo: x - radius, hi: x + radius }
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

/// The value of `formula` over intervals: `known` gives a blank's interval.
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
        let range = evaluate(formula, &known).filter(|r| r.lo.is_finite() && r.hi.is_finite());
        let (carried, largest) = match range {
            Some(r) => ((key - r.lo).max(r.hi - key).max(0.0), r.lo.abs().max(r.hi.abs()).max(key.abs())),
            None => (0.0, key.abs()),
        };
        // A hair more for the doubles' own rounding, which the student's
        // exact arithmetic does not have.
        let tolerance = half_unit(largest, digits) + carried + key.abs() * 1e-12;
        intervals.insert(*id, Interval::around(*key, tolerance));
        out.insert(*id, tolerance);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{Ext, Node};

    const Z: Blank = Blank::Extension(Ext::Z);
    const H: Blank = Blank::Extension(Ext::Activated);
    const SLOPE: Blank = Blank::Extension(Ext::Slope);

    /// `x` rounded to `digits` significant digits.
    fn round(x: f64, digits: u32) -> f64 {
        format!("{:.*e}", digits as usize - 1, x).parse().unwrap()
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
        let z = 7.0;
        let h = sigmoid(z);
        let slope = h * (1.0 - h);
        let one = Formula::Num("1".into());
        let blanks = vec![
            (H, Formula::Sigmoid(Box::new(Formula::Id(Z))), h),
            (
                SLOPE,
                Formula::Mul(Box::new(Formula::Id(H)), Box::new(Formula::Sub(Box::new(one), Box::new(Formula::Id(H))))),
                slope,
            ),
        ];
        let exact = |blank: Blank| (blank == Z).then_some(z);
        let tolerance = tolerances(&blanks, &exact, 4);
        assert_eq!(tolerance[&H], half_unit(h, 4) + h * 1e-12, "z is exact: only the rounding of h");
        let carried = round(round(h, 4) * (1.0 - round(h, 4)), 4);
        assert_eq!(carried, 0.0008992);
        assert!((carried - slope).abs() <= tolerance[&SLOPE], "{carried} vs {slope} ± {}", tolerance[&SLOPE]);
        assert!(tolerance[&SLOPE] < 0.0001, "{}", tolerance[&SLOPE]);
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
            let id = Formula::Id;
            let count = layers.len() + 1;
            // The values of the chain: h0 the activation, then h1, h2, …
            let h = |j: usize| if j == 0 { H } else { Blank::Extension(Ext::Value(Node::new(j, count))) };
            let (error, residual, gradient) =
                (Blank::Extension(Ext::Error), Blank::Extension(Ext::ErrorSlope), Blank::Extension(Ext::Gradient));
            let num = |x: f64| Formula::Num(format!("{x:e}"));
            let (add, sub, mul) = (
                |a, b| Formula::Add(Box::new(a), Box::new(b)),
                |a, b| Formula::Sub(Box::new(a), Box::new(b)),
                |a, b| Formula::Mul(Box::new(a), Box::new(b)),
            );
            let (activated, slope) = match activation {
                0 => (Formula::Sigmoid(Box::new(id(Z))), mul(id(H), sub(num(1.0), id(H)))),
                1 => (Formula::Tanh(Box::new(id(Z))), sub(num(1.0), mul(id(H), id(H)))),
                _ => (Formula::Relu(Box::new(id(Z))), Formula::Step(Box::new(id(Z)))),
            };
            let mut formulas = vec![(H, activated), (SLOPE, slope)];
            for (j, (c, w)) in layers.iter().enumerate() {
                formulas.push((h(j + 1), add(mul(num(*c), id(h(j))), num(*w))));
            }
            let gap = sub(id(h(layers.len())), num(target));
            formulas.push((error, mul(num(0.5), mul(gap.clone(), gap.clone()))));
            formulas.push((residual, gap));
            let chain = layers.iter().fold(id(residual), |g, (c, _)| mul(g, num(*c)));
            formulas.push((gradient, mul(chain, id(SLOPE))));
            // The key: every step exact (in doubles); the student: each step
            // from their own rounded values, rounded again.
            let mut key: BTreeMap<Blank, f64> = BTreeMap::from([(Z, z)]);
            let mut student = key.clone();
            let value = |values: &BTreeMap<Blank, f64>, f: &Formula| {
                evaluate(f, &|b: Blank| values.get(&b).copied().map(Interval::point)).map(|i| i.lo)
            };
            let mut blanks = Vec::new();
            for (i, (blank, formula)) in formulas.iter().enumerate() {
                let exact = value(&key, formula).unwrap();
                let own = value(&student, formula).unwrap();
                key.insert(*blank, exact);
                student.insert(*blank, round(own, digits + extra[i]));
                blanks.push((*blank, formula.clone(), exact));
            }
            let tolerance = tolerances(&blanks, &|b: Blank| (b == Z).then_some(z), digits);
            for (blank, _, exact) in &blanks {
                let off = (student[blank] - exact).abs();
                proptest::prop_assert!(off <= tolerance[blank], "{blank}: {} vs {exact} ± {}", student[blank], tolerance[blank]);
            }
        }
    }
}
