//! How far from the key a typed number may lie and still count: one place
//! for the self-check page and the Moodle export, so the two never grade a
//! number differently.
//!
//! - An exact answer counts exactly (the page compares salted hashes).
//! - One the sheet prints rounded (`≈`, more than ten digits) counts within
//!   half a unit in its last printed digit.
//! - Where the sheet asks for a value *approximately* (the observations'
//!   change in E), anything within half a unit in its
//!   [`APPROXIMATELY_DIGITS`]-th significant digit counts: for 0.305, 0.300
//!   to 0.310. A slip there is recognised within the same closeness.
//! - The extension's answers count around the key as printed (`≈ 0.9991`),
//!   within half a unit in the sheet's last requested digit, widened to
//!   hold every value a student who rounds to the sheet's digits and carries
//!   their rounded values can write ([`super::tolerance`]), rounded up to
//!   two significant digits as a teacher reads it in the Moodle file.
#![allow(clippy::disallowed_types)] // the extension's answers are doubles

use std::collections::BTreeMap;

use crate::answers::{Blank, Solved, Value};
use crate::number::{Exact, LEGIBLE_DIGITS};

/// The significant digits an "approximately" blank is judged to: within
/// half a unit in this digit of the exact value.
pub(crate) const APPROXIMATELY_DIGITS: u32 = 2;

/// A number blank's right answer, or a slip's value: a value and how far
/// from it a typed number still matches (both ends included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) value: Exact,
    pub(crate) tolerance: Exact,
}

impl Target {
    /// The value and tolerance as the page's script reads them: two plain
    /// decimals, a space between.
    pub(super) fn to_text(&self) -> String {
        format!("{} {}", self.value.to_plain_string(), self.tolerance.to_plain_string())
    }
}

/// The extension's tolerances of one sheet, computed once.
pub(crate) struct Targets<'a> {
    solved: &'a Solved,
    /// The tolerance of each extension answer around its unrounded key
    /// ([`super::tolerance`]), exact.
    extension: BTreeMap<Blank, Exact>,
}

impl<'a> Targets<'a> {
    /// The targets of `solved`'s blanks.
    pub(crate) fn new(solved: &'a Solved) -> Targets<'a> {
        let tolerances = super::extension_tolerances(solved, &super::formulas(solved), &super::givens(solved));
        let extension = tolerances.into_iter().filter_map(|(id, t)| Some((id, exact(t)?))).collect();
        Targets { solved, extension }
    }

    /// The right answer of the number blank `id` and its tolerance: `kind`
    /// is the field's (`approx` for the extension's answers), `approximately`
    /// whether the sheet asks for it approximately there. `None` for a blank
    /// that is no number.
    pub(crate) fn answer(&self, id: Blank, kind: &str, approximately: bool) -> Option<Target> {
        let answer = self.solved.answers.get(id)?;
        let carried = self.extension.get(&id).filter(|_| kind == "approx");
        match &answer.value {
            Value::Exact(x) => {
                let mut tolerance = closeness(approximately, x, answer.is_rounded());
                if let Some(carried) = carried {
                    tolerance = tolerance.max(rounded_up(carried));
                }
                Some(Target { value: x.clone(), tolerance })
            }
            Value::Count(n) => Some(Target { value: Exact::int(i64::try_from(*n).ok()?), tolerance: Exact::zero() }),
            Value::Approx(shown, unrounded) => {
                let digits = self.solved.worksheet.extension.map_or(LEGIBLE_DIGITS, |e| e.digits);
                let printed = Exact::parse(&super::canonical_decimal(&shown.to_plain_string())?)?;
                let mut tolerance = printed.half_unit(digits);
                // The carried tolerance is around the unrounded value: around
                // the printed one it is wider by their distance.
                if let (Some(carried), Some(unrounded)) = (carried, exact(*unrounded)) {
                    tolerance = tolerance.max(rounded_up(&(carried + &(&printed - &unrounded).abs())));
                }
                Some(Target { value: printed, tolerance })
            }
            Value::Flag(_) | Value::Text(_) => None,
        }
    }
}

/// A common slip's value and how close a typed number must be to it to be
/// that slip: exactly, as printed when the sheet would print it rounded, or
/// within the closeness of an "approximately" blank.
pub(crate) fn slip(value: &Exact, approximately: bool) -> Target {
    Target { value: value.clone(), tolerance: closeness(approximately, value, value.is_too_long()) }
}

/// How far from the exact `value` of a blank an answer still counts: half a
/// unit in the last digit the sheet prints when it prints `value` rounded,
/// and for an "approximately" blank half a unit in its
/// [`APPROXIMATELY_DIGITS`]-th significant digit.
fn closeness(approximately: bool, value: &Exact, rounded: bool) -> Exact {
    let mut tolerance = match rounded {
        true => value.round_significant(LEGIBLE_DIGITS).half_unit(LEGIBLE_DIGITS),
        false => Exact::zero(),
    };
    if approximately {
        tolerance = tolerance.max(value.half_unit(APPROXIMATELY_DIGITS));
    }
    tolerance
}

/// A tolerance rounded up to two significant digits, so a teacher reads
/// `0.000062` where the double had `0.00006105119539968895`.
fn rounded_up(tolerance: &Exact) -> Exact {
    let rounded = tolerance.round_significant(2);
    match rounded >= *tolerance {
        true => rounded,
        false => &rounded + &(&rounded.half_unit(2) * &Exact::int(2)),
    }
}

/// A double as an exact decimal.
fn exact(x: f64) -> Option<Exact> {
    Exact::parse(&super::canonical_decimal(&format!("{x:e}"))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::number::n;

    #[test]
    fn closeness_of_a_blank() {
        assert_eq!(closeness(false, &n("17"), false), n("0"));
        // The lead's examples: 0.305 counts from 0.300 to 0.310, −0.295 from
        // −0.300 to −0.290, −0.58 from −0.585 to −0.575 (so not −0.6).
        assert_eq!(closeness(true, &n("0.305"), false), n("0.005"));
        assert_eq!(closeness(true, &n("-0.295"), false), n("0.005"));
        assert_eq!(closeness(true, &n("-0.58"), false), n("0.005"));
        assert_eq!(closeness(true, &n("0.0996"), false), n("0.0005"));
        let long = n("350.450531723797321319580078125");
        assert_eq!(closeness(false, &long, true), n("0.00000005"));
        assert_eq!(closeness(true, &long, true), n("5"));
        assert_eq!(rounded_up(&n("0.00006105119539968895")), n("0.000062"));
        assert_eq!(rounded_up(&n("0.0015")), n("0.0015"));
        assert_eq!(rounded_up(&n("0.0991")), n("0.1"));
    }
}
