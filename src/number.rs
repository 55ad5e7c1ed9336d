//! Exact decimal numbers: how a YAML `0.1` stays one tenth all the way to the key.
//!
//! Every number of the linear worksheet is a terminating decimal (the inputs
//! are decimals and the engine only adds, subtracts, multiplies and halves), so
//! an arbitrary-precision decimal represents each answer exactly. The maths
//! never rounds. Only printing may: an answer longer than [`LEGIBLE_DIGITS`]
//! significant digits is shown rounded, always with `≈` ([`Exact::legible`]),
//! while the value itself (and the JSON) stays exact.

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

    /// The number rounded to `places` decimal places, halves away from zero.
    pub fn round_places(&self, places: u64) -> Exact {
        let places = i64::try_from(places).unwrap_or(i64::MAX);
        Exact(self.0.with_scale_round(places, bigdecimal::RoundingMode::HalfUp).normalized())
    }

    /// The quotient `self / divisor`, if `divisor` is not zero, exact when it
    /// ends within a hundred significant digits (rounded there otherwise).
    pub fn divided_by(&self, divisor: &Exact) -> Option<Exact> {
        (!divisor.is_zero()).then(|| Exact((&self.0 / &divisor.0).normalized()))
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

    /// The exact value for people, in English: a true minus sign (U+2212),
    /// `−0.295`. (A sheet writes its numbers in its language's format,
    /// [`Exact::exactly`] and [`NumberFormat::write`].)
    pub fn to_display_string(&self) -> String {
        NumberFormat::english().write(&self.exactly())
    }
}

/// The most significant digits an exact answer is printed with on a sheet.
///
/// Ten digits is what a calculator shows and what a student can copy from it;
/// an answer with more is printed rounded to ten, with `≈`.
pub const LEGIBLE_DIGITS: u32 = 10;

/// The decimal exponents (of the leading digit) printed as plain decimals on a
/// sheet: 0.000001 to 9,999,999,999. Outside them a number is printed in
/// scientific form, `4.999995 × 10⁶⁰`, which a page can hold.
pub const PLAIN_EXPONENTS: std::ops::Range<i64> = -6..10;

/// A number as a sheet shows it, before a language writes it: its sign,
/// its digits before and after the decimal separator, a power of ten, and
/// whether it was rounded (then a sheet marks it, `≈ 350.4505317`).
/// [`NumberFormat::write`] writes it in a language's way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    /// Below zero.
    pub negative: bool,
    /// The digits before the decimal separator (ASCII).
    pub whole: String,
    /// The digits after it (ASCII; empty for a whole number).
    pub decimals: String,
    /// The power of ten it is multiplied by, in scientific form.
    pub power: Option<i64>,
    /// Whether it was rounded (a sheet marks it with the approximate sign).
    pub rounded: bool,
}

impl Shown {
    /// The number as plain ASCII text with a minus, a decimal point and, in
    /// scientific form, an `e` (`-0.295`, `6.09e-8`): what JSON, the
    /// manifests and a spreadsheet read as a number.
    pub fn to_plain_string(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        let decimals = match self.decimals.is_empty() {
            true => String::new(),
            false => format!(".{}", self.decimals),
        };
        let power = self.power.map_or(String::new(), |p| format!("e{p}"));
        format!("{sign}{}{decimals}{power}", self.whole)
    }
}

/// How a language writes the numbers of a sheet: the template set declares
/// it (`numbers.txt.j2`) and every number a sheet prints goes through it.
/// JSON, the manifests and `require:` keep exact numbers with a point.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NumberFormat {
    /// Between the whole part and the decimals: `.`, `,`.
    pub decimal: String,
    /// Before a negative number: `−`.
    pub minus: String,
    /// A number rounded for legibility, `{number}` standing for it: `≈ {number}`.
    pub rounded: String,
    /// A number in scientific form: `{mantissa}` stands for its digits,
    /// `{power}` for the power of ten in raised digits (`⁻¹²`) and
    /// `{exponent}` in plain ones (`−12`): `{mantissa} × 10{power}`.
    pub scientific: String,
}

impl NumberFormat {
    /// English numbers, the built-in set's: `−0.295`, `≈ 350.4505317`,
    /// `4.8 × 10⁻⁷`. The command line's messages write numbers so.
    pub fn english() -> NumberFormat {
        NumberFormat {
            decimal: ".".to_owned(),
            minus: "\u{2212}".to_owned(),
            rounded: "\u{2248} {number}".to_owned(),
            scientific: "{mantissa} \u{00D7} 10{power}".to_owned(),
        }
    }

    /// `shown` written in this format.
    pub fn write(&self, shown: &Shown) -> String {
        let mut mantissa = String::new();
        if shown.negative {
            mantissa.push_str(&self.minus);
        }
        mantissa.push_str(&shown.whole);
        if !shown.decimals.is_empty() {
            mantissa.push_str(&self.decimal);
            mantissa.push_str(&shown.decimals);
        }
        let number = match shown.power {
            None => mantissa,
            Some(power) => {
                let exponent = match power < 0 {
                    true => format!("{}{}", self.minus, power.unsigned_abs()),
                    false => power.to_string(),
                };
                let raised: String = power.to_string().chars().map(superscript).collect();
                self.scientific
                    .replace("{mantissa}", &mantissa)
                    .replace("{power}", &raised)
                    .replace("{exponent}", &exponent)
            }
        };
        match shown.rounded {
            true => self.rounded.replace("{number}", &number),
            false => number,
        }
    }
}

impl Exact {
    /// The significant digits of the number (without leading or trailing
    /// zeros) and the decimal exponent of the first: 350.45 is (`35045`, 2),
    /// 0.0025 is (`25`, −3). Zero is (`0`, 0).
    fn digits_and_exponent(&self) -> (String, i64) {
        let (digits, scale) = self.0.normalized().as_bigint_and_exponent();
        let magnitude = digits.magnitude().to_string();
        if digits.is_zero() {
            return ("0".to_owned(), 0);
        }
        let exponent = magnitude.len() as i64 - 1 - scale;
        (magnitude, exponent)
    }

    /// The number of significant digits: 350.45 has 5, 1000 has 1, 0.0025 has 2.
    pub fn significant_digits(&self) -> u64 {
        self.digits_and_exponent().0.len() as u64
    }

    /// The number rounded to `digits` significant digits, exactly, halves away
    /// from zero (2.5 to one digit is 3, −2.5 is −3), the way a student rounds.
    pub fn round_significant(&self, digits: u32) -> Exact {
        let digits = digits.max(1) as usize;
        let (all, exponent) = self.digits_and_exponent();
        if all.len() <= digits {
            return self.clone();
        }
        let mut kept: Vec<u8> = all.as_bytes()[..digits].iter().map(|b| b - b'0').collect();
        // Normalized digits end in a non-zero digit, so a first dropped digit of 5
        // is a half only when nothing follows it; either way it rounds up.
        let mut exponent = exponent;
        if all.as_bytes()[digits] >= b'5' {
            let mut i = digits;
            loop {
                if i == 0 {
                    // 9.99… rounded up to 10: one more digit before the point.
                    kept.insert(0, 1);
                    kept.pop();
                    exponent += 1;
                    break;
                }
                i -= 1;
                if kept[i] == 9 {
                    kept[i] = 0;
                } else {
                    kept[i] += 1;
                    break;
                }
            }
        }
        let magnitude: String = kept.iter().map(|d| char::from(b'0' + d)).collect();
        let mut value = BigInt::from_str(&magnitude).expect("digits");
        if self.is_negative() {
            value = -value;
        }
        // The last kept digit stands for 10^(exponent − digits + 1).
        let scale = digits as i64 - 1 - exponent;
        Exact(BigDecimal::new(value, scale).normalized())
    }

    /// The number as a sheet prints it: exactly when it has at most
    /// [`LEGIBLE_DIGITS`] significant digits, otherwise rounded to that many
    /// (marked `rounded`); in scientific form outside [`PLAIN_EXPONENTS`].
    pub fn legible(&self) -> Shown {
        let shown = self.round_significant(LEGIBLE_DIGITS);
        let rounded = shown != *self;
        let (digits, exponent) = shown.digits_and_exponent();
        Shown { rounded, ..shown_digits(shown.is_negative(), &digits, exponent, PLAIN_EXPONENTS) }
    }

    /// The number exactly, every digit, in plain decimals: how a sheet
    /// prints the givens, as the teacher wrote them.
    pub fn exactly(&self) -> Shown {
        let (digits, exponent) = self.digits_and_exponent();
        shown_digits(self.is_negative(), &digits, exponent, i64::MIN..i64::MAX)
    }

    /// Half a unit in the `digits`-th significant digit: how far a number
    /// may lie from this one and still round to it at `digits` digits
    /// (0.9991 at 4 digits: 0.00005). Zero for zero.
    pub fn half_unit(&self, digits: u32) -> Exact {
        if self.is_zero() {
            return Exact::zero();
        }
        let (_, exponent) = self.digits_and_exponent();
        // 5 × 10^(exponent − digits).
        Exact(BigDecimal::new(BigInt::from(5), i64::from(digits) - exponent).normalized())
    }

    /// The exact value as ASCII text a program reads: plain decimal
    /// ([`Exact::to_plain_string`]) for the exponents of [`PLAIN_EXPONENTS`],
    /// otherwise `4.8e-144`, every digit kept.
    pub fn to_ascii(&self) -> String {
        let (digits, exponent) = self.digits_and_exponent();
        if self.is_zero() || PLAIN_EXPONENTS.contains(&exponent) {
            return self.to_plain_string();
        }
        let sign = if self.is_negative() { "-" } else { "" };
        let point = if digits.len() > 1 { format!(".{}", &digits[1..]) } else { String::new() };
        format!("{sign}{}{point}e{exponent}", &digits[..1])
    }

    /// Whether the sheet prints the number rounded (see [`Exact::legible`]).
    pub fn is_too_long(&self) -> bool {
        self.significant_digits() > u64::from(LEGIBLE_DIGITS)
    }
}

/// Significant `digits` (ASCII, the first standing for 10^`exponent`) as a
/// sheet shows them: plain decimals when `exponent` lies in `plain`,
/// otherwise scientific form, `7.337 × 10⁻¹⁵⁰`. Every digit given is kept
/// (trailing zeros too, so `15.00` keeps its precision). Shared by the exact
/// answers and the approximate ones of the extension.
pub fn shown_digits(negative: bool, digits: &str, exponent: i64, plain: std::ops::Range<i64>) -> Shown {
    let shown = |whole: String, decimals: String, power| Shown { negative, whole, decimals, power, rounded: false };
    if digits.bytes().all(|b| b == b'0') {
        return Shown { negative: false, ..shown("0".to_owned(), String::new(), None) };
    }
    if !plain.contains(&exponent) {
        return shown(digits[..1].to_owned(), digits[1..].to_owned(), Some(exponent));
    }
    if exponent < 0 {
        return shown("0".to_owned(), format!("{}{digits}", "0".repeat((-exponent - 1) as usize)), None);
    }
    let int_len = exponent as usize + 1;
    match digits.len() <= int_len {
        true => shown(format!("{digits}{}", "0".repeat(int_len - digits.len())), String::new(), None),
        false => shown(digits[..int_len].to_owned(), digits[int_len..].to_owned(), None),
    }
}

/// The superscript form of a digit or a minus sign.
fn superscript(c: char) -> char {
    match c {
        '-' => '\u{207B}',
        '1' => '\u{00B9}',
        '2' => '\u{00B2}',
        '3' => '\u{00B3}',
        d => d.to_digit(10).and_then(|d| char::from_u32(0x2070 + d)).unwrap_or(d),
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

/// The exact number `text`, which must be one: for tests.
#[cfg(test)]
pub(crate) fn n(text: &str) -> Exact {
    Exact::parse(text).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn legible(s: &str) -> (String, bool) {
        let l = n(s).legible();
        (NumberFormat::english().write(&Shown { rounded: false, ..l.clone() }), l.rounded)
    }

    #[test]
    fn rounding_to_significant_digits_is_exact() {
        assert_eq!(n("350.450531723797321319580078125").round_significant(10), n("350.4505317"));
        assert_eq!(n("4.205").round_significant(10), n("4.205"));
        assert_eq!(n("0").round_significant(3), n("0"));
        assert_eq!(n("123456").round_significant(3), n("123000"));
        assert_eq!(n("0.000123456").round_significant(2), n("0.00012"));
        // Halves go away from zero, on either side.
        assert_eq!(n("2.5").round_significant(1), n("3"));
        assert_eq!(n("-2.5").round_significant(1), n("-3"));
        assert_eq!(n("0.125").round_significant(2), n("0.13"));
        assert_eq!(n("-0.125").round_significant(2), n("-0.13"));
        // Just below and just above a half.
        assert_eq!(n("0.12499999999999").round_significant(2), n("0.12"));
        assert_eq!(n("0.12500000000001").round_significant(2), n("0.13"));
        // A carry through every digit adds a digit before the point.
        assert_eq!(n("9.9999999999").round_significant(10), n("10"));
        assert_eq!(n("-99999999999").round_significant(10), n("-100000000000"));
        assert_eq!(n("0.00099999999999").round_significant(10), n("0.001"));
    }

    #[test]
    fn legible_answers_print_exactly_or_rounded_with_a_mark() {
        // At most ten significant digits: exact, not marked.
        assert_eq!(legible("-0.295"), ("\u{2212}0.295".to_owned(), false));
        assert_eq!(legible("1234567.891"), ("1234567.891".to_owned(), false));
        assert_eq!(legible("0.000001"), ("0.000001".to_owned(), false));
        // More: rounded to ten, marked.
        assert_eq!(legible("350.450531723797321319580078125"), ("350.4505317".to_owned(), true));
        assert_eq!(legible("-350.450531723797321319580078125"), ("\u{2212}350.4505317".to_owned(), true));
        assert_eq!(legible("4.20499999999"), ("4.205".to_owned(), true));
        assert_eq!(NumberFormat::english().write(&n("4.20499999999").legible()), "\u{2248} 4.205");
        // Huge and tiny magnitudes in scientific form, exact or rounded.
        assert_eq!(legible("27051690123.456"), ("2.705169012 × 10¹⁰".to_owned(), true));
        assert_eq!(legible("1000000000000000000000000000000"), ("1 × 10³⁰".to_owned(), false));
        assert_eq!(legible("-0.000000000001"), ("\u{2212}1 × 10⁻¹²".to_owned(), false));
        assert_eq!(legible("0.00000012345678912345"), ("1.234567891 × 10⁻⁷".to_owned(), true));
        assert_eq!(legible("9999999999.5"), ("1 × 10¹⁰".to_owned(), true));
        assert_eq!(legible("0"), ("0".to_owned(), false));
        assert!(!n("1000000000000").is_too_long());
        assert!(n("12345678901").is_too_long());
    }

    #[test]
    fn a_language_writes_the_numbers() {
        let german = NumberFormat {
            decimal: ",".to_owned(),
            minus: "\u{2212}".to_owned(),
            rounded: "\u{2248} {number}".to_owned(),
            scientific: "{mantissa} · 10{power}".to_owned(),
        };
        let pseudo = NumberFormat {
            decimal: "·".to_owned(),
            minus: "–".to_owned(),
            rounded: "≃{number}".to_owned(),
            scientific: "{mantissa}E{exponent}".to_owned(),
        };
        for (number, english, deutsch, other) in [
            ("-0.295", "\u{2212}0.295", "\u{2212}0,295", "–0·295"),
            ("17", "17", "17", "17"),
            ("350.450531723797321319580078125", "≈ 350.4505317", "≈ 350,4505317", "≃350·4505317"),
            ("-0.000000000001", "\u{2212}1 × 10⁻¹²", "\u{2212}1 · 10⁻¹²", "–1E–12"),
            ("27051690123.456", "≈ 2.705169012 × 10¹⁰", "≈ 2,705169012 · 10¹⁰", "≃2·705169012E10"),
        ] {
            let shown = n(number).legible();
            assert_eq!(NumberFormat::english().write(&shown), english);
            assert_eq!(german.write(&shown), deutsch);
            assert_eq!(pseudo.write(&shown), other);
        }
        assert_eq!(n("0.000000000001").exactly().to_plain_string(), "0.000000000001");
        let tiny = Shown { negative: true, whole: "6".into(), decimals: "09".into(), power: Some(-8), rounded: true };
        assert_eq!(tiny.to_plain_string(), "-6.09e-8");
        assert_eq!(n("6.09e-8").to_plain_string(), "0.0000000609");
        assert_eq!(n("-120").exactly().decimals, "");
    }

    #[test]
    fn half_units_and_ascii_text() {
        assert_eq!(n("0.9991").half_unit(4), n("0.00005"));
        assert_eq!(n("-0.295").half_unit(2), n("0.005"));
        assert_eq!(n("123500").half_unit(4), n("50"));
        assert_eq!(n("15.00").half_unit(4), n("0.005"));
        assert_eq!(n("0").half_unit(3), n("0"));
        let tiny = Exact::parse(&format!("0.{}48", "0".repeat(143))).unwrap();
        assert_eq!(tiny.half_unit(2).to_ascii(), "5e-146");
        assert_eq!(tiny.to_ascii(), "4.8e-144");
        assert_eq!((-&tiny).to_ascii(), "-4.8e-144");
        assert_eq!(n("-0.295").to_ascii(), "-0.295");
        assert_eq!(n("1e30").to_ascii(), "1e30");
        assert_eq!(n("0").to_ascii(), "0");
        assert_eq!(n("0.0000001").to_ascii(), "1e-7");
    }

    #[test]
    fn digit_counts() {
        assert_eq!(n("350.45").significant_digits(), 5);
        assert_eq!(n("1000").significant_digits(), 1);
        assert_eq!(n("-0.0025").significant_digits(), 2);
        assert_eq!(n("4.205").decimal_places(), 3);
        assert_eq!(n("4.2050").decimal_places(), 3);
        assert_eq!(n("1500").integer_digits(), 4);
        assert_eq!(n("0.5").integer_digits(), 0);
        assert_eq!(n("12.5").integer_digits(), 2);
    }
}
