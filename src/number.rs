//! Exact decimal numbers: how a YAML `0.1` stays one tenth all the way to the key.
//!
//! Every number of the linear worksheet is a terminating decimal (the inputs
//! are decimals and the engine only adds, subtracts, multiplies and halves), so
//! an arbitrary-precision decimal represents each answer exactly. Nothing here
//! rounds: a result that would need rounding is a bug, not a display choice.

use std::fmt;
use std::str::FromStr;

use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::{BigDecimal, Signed, Zero};

/// An exact decimal number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Exact(BigDecimal);

impl Exact {
    /// Zero.
    pub fn zero() -> Self {
        Exact(BigDecimal::zero())
    }

    /// An integer.
    pub fn int(value: i64) -> Self {
        Exact(BigDecimal::from(value))
    }

    /// One half, exactly.
    pub fn half() -> Self {
        Exact(BigDecimal::new(BigInt::from(5), 1))
    }

    /// Parses the text of a decimal literal (`12`, `-0.25`, `1.5e3`, `.5`).
    ///
    /// Returns `None` for anything that is not a finite decimal literal.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
        let valid = !unsigned.is_empty()
            && unsigned.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '.')
            && unsigned.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
        if !valid {
            return None;
        }
        let text = text.strip_prefix('+').unwrap_or(text);
        // Guard the exponent before handing it to the parser: `1e999999999`
        // would otherwise allocate a number with a billion digits.
        if let Some((_, exponent)) = text.split_once(['e', 'E']) {
            let exponent: i64 = exponent.parse().ok()?;
            if exponent.abs() > 100 {
                return None;
            }
        }
        BigDecimal::from_str(text).ok().map(|d| Exact(d.normalized()))
    }

    /// The number of digits after the decimal point once trailing zeros are dropped.
    pub fn decimal_places(&self) -> u64 {
        let (_, scale) = self.0.normalized().as_bigint_and_exponent();
        scale.max(0) as u64
    }

    /// The number of digits before the decimal point (0 for |x| < 1).
    pub fn integer_digits(&self) -> u64 {
        let (digits, scale) = self.0.normalized().as_bigint_and_exponent();
        let len = digits.magnitude().to_string().len() as i64;
        if digits.is_zero() {
            0
        } else {
            (len - scale).max(0) as u64
        }
    }

    /// Whether the number is zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// Whether the number is below zero.
    pub fn is_negative(&self) -> bool {
        self.0.is_negative()
    }

    /// Whether the number is above zero.
    pub fn is_positive(&self) -> bool {
        self.0.is_positive()
    }

    /// Whether the number has no fractional part.
    pub fn is_integer(&self) -> bool {
        self.decimal_places() == 0
    }

    /// The absolute value.
    pub fn abs(&self) -> Self {
        Exact(self.0.abs())
    }

    /// The square.
    pub fn square(&self) -> Self {
        Exact(&self.0 * &self.0)
    }

    /// The nearest `f64`, for the approximate extension and for constraints.
    #[allow(clippy::disallowed_types)] // the one bridge from exact answers to floating point
    pub fn to_f64(&self) -> f64 {
        // The shortest decimal text of the number parses to the nearest double.
        self.to_plain_string().parse().unwrap_or(f64::NAN)
    }

    /// The exact value as plain decimal text with an ASCII minus: `-0.295`, `4.205`, `17`.
    ///
    /// Never uses exponent notation and never has trailing zeros.
    pub fn to_plain_string(&self) -> String {
        let (digits, scale) = self.0.normalized().as_bigint_and_exponent();
        let negative = digits.sign() == Sign::Minus;
        let mut magnitude = digits.magnitude().to_string();
        let mut out = String::new();
        if negative {
            out.push('-');
        }
        if scale <= 0 {
            out.push_str(&magnitude);
            if magnitude != "0" {
                out.extend(std::iter::repeat_n('0', (-scale) as usize));
            }
        } else {
            let scale = scale as usize;
            if magnitude.len() <= scale {
                let pad = scale - magnitude.len() + 1;
                magnitude.insert_str(0, &"0".repeat(pad));
            }
            let point = magnitude.len() - scale;
            out.push_str(&magnitude[..point]);
            out.push('.');
            out.push_str(&magnitude[point..]);
        }
        out
    }

    /// The exact value for people: a true minus sign (U+2212), `−0.295`.
    pub fn to_display_string(&self) -> String {
        self.to_plain_string().replace('-', "\u{2212}")
    }
}

impl fmt::Display for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain_string())
    }
}

macro_rules! exact_binary_op {
    ($trait:ident, $method:ident) => {
        impl std::ops::$trait<&Exact> for &Exact {
            type Output = Exact;
            fn $method(self, rhs: &Exact) -> Exact {
                Exact(std::ops::$trait::$method(&self.0, &rhs.0).normalized())
            }
        }
    };
}

exact_binary_op!(Add, add);
exact_binary_op!(Sub, sub);
exact_binary_op!(Mul, mul);

impl std::ops::Neg for &Exact {
    type Output = Exact;
    fn neg(self) -> Exact {
        Exact(-&self.0)
    }
}

impl std::iter::Sum for Exact {
    fn sum<I: Iterator<Item = Exact>>(iter: I) -> Exact {
        iter.fold(Exact::zero(), |acc, x| &acc + &x)
    }
}

impl std::iter::Product for Exact {
    fn product<I: Iterator<Item = Exact>>(iter: I) -> Exact {
        iter.fold(Exact::int(1), |acc, x| &acc * &x)
    }
}

impl serde::Serialize for Exact {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_plain_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Exact {
        Exact::parse(s).unwrap()
    }

    #[test]
    fn yaml_tenth_is_exactly_one_tenth() {
        let tenth = n("0.1");
        assert_eq!((&(&tenth + &tenth) + &tenth).to_plain_string(), "0.3");
        assert_eq!(tenth.square().to_plain_string(), "0.01");
    }

    #[test]
    fn plain_strings_have_no_exponent_and_no_trailing_zeros() {
        assert_eq!(n("1e3").to_plain_string(), "1000");
        assert_eq!(n("1.50").to_plain_string(), "1.5");
        assert_eq!(n("-0.0025").to_plain_string(), "-0.0025");
        assert_eq!(n("0").to_plain_string(), "0");
        assert_eq!(n("-0").to_plain_string(), "0");
        assert_eq!(n(".5").to_plain_string(), "0.5");
        assert_eq!(n("+2").to_plain_string(), "2");
        assert_eq!(n("120").to_plain_string(), "120");
        assert_eq!(n("-0.295").to_display_string(), "\u{2212}0.295");
    }

    #[test]
    fn rejects_non_numbers_and_absurd_exponents() {
        for bad in ["", "abc", ".nan", ".inf", "-.inf", "1e999999999", "0x10", "1_000", "e5"] {
            assert!(Exact::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn digit_counts() {
        assert_eq!(n("4.205").decimal_places(), 3);
        assert_eq!(n("4.2050").decimal_places(), 3);
        assert_eq!(n("1500").integer_digits(), 4);
        assert_eq!(n("0.5").integer_digits(), 0);
        assert_eq!(n("12.5").integer_digits(), 2);
    }
}
