//! Property tests of the exact engine: random linear networks written as YAML
//! text, run through the real config parser and solver, and checked answer by
//! answer against an independent oracle in `BigRational` arithmetic.
//!
//! The oracle shares nothing with the crate's `Exact` type: it parses the same
//! decimal strings the YAML holds and recomputes every blank from the
//! definitions (`aᵢ = cᵢ·aᵢ₋₁ + wᵢ`, `E = ½(y − target)²`).

use std::collections::BTreeMap;

use backprop_worksheet::answers::{self, Solved};
use backprop_worksheet::answers::{Answers, Value};
use backprop_worksheet::config;
use backprop_worksheet::generate;
use backprop_worksheet::number::Exact;
use backprop_worksheet::render::Templates;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

type Q = BigRational;

// ---------------------------------------------------------------------------
// The oracle's own decimal text ↔ rational conversions.

/// Parses plain decimal text (`-0.295`, `17`, `1.50`) into a rational. No exponents.
fn q(text: &str) -> Q {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    assert!(
        !(int_part.is_empty() && frac_part.is_empty())
            && int_part.chars().chain(frac_part.chars()).all(|c| c.is_ascii_digit()),
        "not plain decimal text: {text:?}"
    );
    let digits: BigInt = format!("0{int_part}{frac_part}").parse().expect("digits");
    let scale = BigInt::from(10u32).pow(frac_part.len() as u32);
    let value = Q::new(digits, scale);
    if negative {
        -value
    } else {
        value
    }
}

/// The plain decimal text of a terminating rational, trailing zeros dropped.
fn plain(x: &Q) -> String {
    let ten = BigInt::from(10u32);
    let mut scaled = x.clone();
    let mut places = 0usize;
    while !scaled.is_integer() {
        scaled *= Q::from_integer(ten.clone());
        places += 1;
        assert!(places < 500, "{x} is not a terminating decimal");
    }
    let integer = scaled.to_integer();
    let mut digits = integer.abs().to_string();
    let mut out = String::new();
    if integer.is_negative() {
        out.push('-');
    }
    if places == 0 {
        out.push_str(&digits);
        return out;
    }
    if digits.len() <= places {
        digits.insert_str(0, &"0".repeat(places - digits.len() + 1));
    }
    let point = digits.len() - places;
    out.push_str(&digits[..point]);
    out.push('.');
    out.push_str(&digits[point..]);
    out
}

fn int(n: i64) -> Q {
    Q::from_integer(BigInt::from(n))
}

// ---------------------------------------------------------------------------
// Generated cases.

/// A decimal literal `units / 10^places`, written with exactly `places` decimals.
#[derive(Clone, Debug, PartialEq)]
struct Decimal {
    units: i64,
    places: u32,
}

impl Decimal {
    fn text(&self) -> String {
        let magnitude = self.units.unsigned_abs();
        let sign = if self.units < 0 { "-" } else { "" };
        if self.places == 0 {
            return format!("{sign}{magnitude}");
        }
        let scale = 10u64.pow(self.places);
        format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale, width = self.places as usize)
    }
}

/// A decimal in about [-limit, limit] with 0 to 2 decimal places.
fn decimal(limit: i64) -> impl Strategy<Value = Decimal> {
    (0u32..=2).prop_flat_map(move |places| {
        let max = limit * 10i64.pow(places);
        (-max..=max).prop_map(move |units| Decimal { units, places })
    })
}

fn nonzero_decimal(limit: i64) -> impl Strategy<Value = Decimal> {
    decimal(limit).prop_filter("coefficients are never 0", |d| d.units != 0)
}

const NUDGES: [&str; 6] = ["0.1", "0.05", "0.2", "0.5", "1", "0.25"];
const LEARNING_RATES: [&str; 6] = ["0.1", "0.01", "0.05", "0.5", "1", "0.001"];

/// One random linear worksheet.
#[derive(Clone, Debug)]
struct Case {
    input: Decimal,
    target: Decimal,
    /// `(coefficient, weight, written as a block mapping)`.
    layers: Vec<(Decimal, Decimal, bool)>,
    nudge: String,
    learning_rate: String,
    reflection_layers: u32,
    /// `(activation, digits)`.
    extension: Option<(&'static str, u32)>,
}

impl Case {
    fn yaml(&self) -> String {
        let mut y = String::from("title: Property case\n");
        y.push_str("network:\n");
        y.push_str(&format!("  input: {}\n", self.input.text()));
        y.push_str(&format!("  target: {}\n", self.target.text()));
        y.push_str("  layers:\n");
        for (c, w, block) in &self.layers {
            if *block {
                y.push_str(&format!("    - coefficient: {}\n      weight: {}\n", c.text(), w.text()));
            } else {
                y.push_str(&format!("    - {{ coefficient: {}, weight: {} }}\n", c.text(), w.text()));
            }
        }
        y.push_str(&format!("nudge: {}\n", self.nudge));
        y.push_str(&format!("learning_rate: {}\n", self.learning_rate));
        y.push_str(&format!("reflection_layers: {}\n", self.reflection_layers));
        if let Some((activation, digits)) = self.extension {
            y.push_str(&format!("extension:\n  activation: {activation}\n  digits: {digits}\n"));
        }
        y
    }

    fn oracle(&self) -> Oracle {
        Oracle {
            input: q(&self.input.text()),
            target: q(&self.target.text()),
            coefficients: self.layers.iter().map(|(c, _, _)| q(&c.text())).collect(),
            weights: self.layers.iter().map(|(_, w, _)| q(&w.text())).collect(),
            nudge: q(&self.nudge),
            learning_rate: q(&self.learning_rate),
        }
    }
}

fn extension() -> impl Strategy<Value = Option<(&'static str, u32)>> {
    prop_oneof![
        3 => Just(None),
        1 => (prop::sample::select(vec!["sigmoid", "tanh", "relu"]), 2u32..=10).prop_map(Some),
    ]
}

fn case_with(coefficient_limit: i64, learning_rates: Vec<&'static str>) -> impl Strategy<Value = Case> {
    (
        decimal(20),
        decimal(20),
        prop::collection::vec((nonzero_decimal(coefficient_limit), decimal(20), any::<bool>()), 2..=5),
        prop::sample::select(NUDGES.to_vec()),
        prop::sample::select(learning_rates),
        2u32..=20,
        extension(),
    )
        .prop_map(|(input, target, layers, nudge, learning_rate, reflection_layers, extension)| Case {
            input,
            target,
            layers,
            nudge: nudge.to_owned(),
            learning_rate: learning_rate.to_owned(),
            reflection_layers,
            extension,
        })
}

fn case() -> impl Strategy<Value = Case> {
    case_with(20, LEARNING_RATES.to_vec())
}

// ---------------------------------------------------------------------------
// The oracle.

#[derive(Clone, Debug)]
struct Oracle {
    input: Q,
    target: Q,
    coefficients: Vec<Q>,
    weights: Vec<Q>,
    nudge: Q,
    learning_rate: Q,
}

impl Oracle {
    fn layers(&self) -> usize {
        self.coefficients.len()
    }

    /// Every layer's output for `weights`.
    fn forward(&self, weights: &[Q]) -> Vec<Q> {
        let mut previous = self.input.clone();
        self.coefficients
            .iter()
            .zip(weights)
            .map(|(c, w)| {
                previous = c * &previous + w;
                previous.clone()
            })
            .collect()
    }

    fn error_of(&self, weights: &[Q]) -> Q {
        let y = self.forward(weights).pop().expect("layers");
        let r = y - &self.target;
        &r * &r / int(2)
    }

    /// The error with weight `k` replaced by `value`.
    fn error_with(&self, k: usize, value: Q) -> Q {
        let mut ws = self.weights.clone();
        ws[k] = value;
        self.error_of(&ws)
    }

    fn output(&self) -> Q {
        self.forward(&self.weights).pop().expect("layers")
    }

    fn residual(&self) -> Q {
        self.output() - &self.target
    }

    fn error(&self) -> Q {
        self.error_of(&self.weights)
    }

    /// `∂y/∂w_k`: the product of the later coefficients.
    fn chain(&self, k: usize) -> Q {
        self.coefficients[k + 1..].iter().fold(Q::one(), |acc, c| acc * c)
    }

    fn gradient(&self, k: usize) -> Q {
        self.residual() * self.chain(k)
    }

    /// `S = Σ_k (Π_{j>k} c_j)²`.
    fn sensitivity(&self) -> Q {
        (0..self.layers()).map(|k| self.chain(k) * self.chain(k)).fold(Q::zero(), |acc, x| acc + x)
    }

    fn new_weights(&self) -> Vec<Q> {
        (0..self.layers()).map(|k| &self.weights[k] - &self.learning_rate * self.gradient(k)).collect()
    }

    fn new_error(&self) -> Q {
        self.error_of(&self.new_weights())
    }

    /// The id of layer output `j` (0-based): `h1`, `h2`, …, `y`.
    fn value_id(&self, j: usize) -> String {
        if j + 1 == self.layers() {
            "y".to_owned()
        } else {
            format!("h{}", j + 1)
        }
    }

    /// Every exact blank the worksheet should have, by id, with the
    /// extension's `activation` if it has one.
    fn expected(&self, activation: Option<&str>) -> BTreeMap<String, Q> {
        let n = self.layers();
        let mut e = BTreeMap::new();
        let mut put = |id: String, value: Q| {
            assert!(e.insert(id.clone(), value).is_none(), "oracle lists {id} twice");
        };
        put("x".into(), self.input.clone());
        put("target".into(), self.target.clone());
        for k in 0..n {
            put(format!("c{}", k + 1), self.coefficients[k].clone());
            put(format!("w{}", k + 1), self.weights[k].clone());
        }
        put("nudge".into(), self.nudge.clone());
        put("learning_rate".into(), self.learning_rate.clone());

        for (j, v) in self.forward(&self.weights).into_iter().enumerate() {
            put(self.value_id(j), v);
        }
        let error = self.error();
        put("error".into(), error.clone());

        for k in 0..n {
            let w = format!("w{}", k + 1);
            let rows = [
                ("base", self.weights[k].clone()),
                ("plus", &self.weights[k] + &self.nudge),
                ("minus", &self.weights[k] - &self.nudge),
            ];
            for (row, value) in rows {
                let mut ws = self.weights.clone();
                ws[k] = value.clone();
                let values = self.forward(&ws);
                let p = format!("nudge_{w}.{row}");
                put(format!("{p}.{w}"), value);
                // The table shows the layer before the nudged weight onwards.
                for (j, v) in values.iter().enumerate().skip(k.saturating_sub(1)) {
                    put(format!("{p}.{}", self.value_id(j)), v.clone());
                }
                let trial_error = self.error_of(&ws);
                if row != "base" {
                    put(format!("{p}.change"), &trial_error - &error);
                }
                put(format!("{p}.error"), trial_error);
            }
        }

        put("dE_dy".into(), self.residual());
        for j in 1..n {
            put(format!("d{}_d{}", self.value_id(j), self.value_id(j - 1)), self.coefficients[j].clone());
        }
        for k in 0..n {
            put(format!("d{}_dw{}", self.value_id(k), k + 1), Q::one());
            put(format!("grad_w{}", k + 1), self.gradient(k));
        }

        let new_weights = self.new_weights();
        for (k, w) in new_weights.iter().enumerate() {
            put(format!("new_w{}", k + 1), w.clone());
        }
        for (j, v) in self.forward(&new_weights).into_iter().enumerate() {
            put(format!("new_{}", self.value_id(j)), v);
        }
        let new_error = self.new_error();
        put("error_change".into(), &new_error - &error);
        put("new_error".into(), new_error);

        if let Some(activation) = activation {
            let z = &self.coefficients[0] * &self.input + &self.weights[0];
            put("ext.z".into(), z.clone());
            // A ReLU's values are exact: z and slope 1 when live, 0 and 0 when dead.
            if activation == "relu" {
                let live = z > Q::zero();
                let (mut v, slope) = if live { (z, Q::one()) } else { (Q::zero(), Q::zero()) };
                put("ext.h1".into(), v.clone());
                put("ext.slope".into(), slope.clone());
                for j in 1..n {
                    v = &self.coefficients[j] * &v + &self.weights[j];
                    put(format!("ext.{}", self.value_id(j)), v.clone());
                }
                let residual = &v - &self.target;
                put("ext.error".into(), &residual * &residual / Q::from_integer(2.into()));
                put("ext.grad_w1".into(), &residual * self.chain(0) * slope);
                put("ext.dE_dy".into(), residual);
            }
        }
        e
    }
}

// ---------------------------------------------------------------------------
// Running a case through the crate.

/// The built-in templates, loaded once; they word the model answers.
fn words() -> &'static Templates {
    static TEMPLATES: std::sync::OnceLock<Templates> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(|| Templates::load(None).expect("the built-in templates load"))
}

fn solve(case: &Case) -> Solved {
    let yaml = case.yaml();
    let spec = config::parse(&yaml, "prop.yaml", "prop").unwrap_or_else(|e| panic!("config rejected: {e}\n{yaml}"));
    let worksheet = spec.fixed().expect("a config without ranges is fixed");
    answers::solve(worksheet, words()).unwrap_or_else(|e| panic!("unsolvable: {e}\n{yaml}"))
}

/// The exact answer `id` as the engine prints it.
fn text(answers: &Answers, id: &str) -> String {
    match &answers.named(id).unwrap_or_else(|| panic!("no answer {id}")).value {
        Value::Exact(x) => x.to_plain_string(),
        other => panic!("{id} is not exact: {other:?}"),
    }
}

/// The exact answer `id` as a rational.
fn exact(answers: &Answers, id: &str) -> Q {
    q(&text(answers, id))
}

fn display(answers: &Answers, id: &str) -> String {
    answers
        .named(id)
        .unwrap_or_else(|| panic!("no answer {id}"))
        .value
        .display(&backprop_worksheet::number::NumberFormat::english())
}

/// Whether `s` holds a number in exponent notation: a digit, `e`/`E`, then a digit or sign.
fn has_exponent(s: &str) -> bool {
    let c: Vec<char> = s.chars().collect();
    c.windows(3).any(|w| {
        w[0].is_ascii_digit()
            && matches!(w[1], 'e' | 'E')
            && (w[2].is_ascii_digit() || matches!(w[2], '-' | '+' | '\u{2212}'))
    })
}

/// Rejects the (rare) cases whose network already hits the target: the config refuses them.
fn assume_nonzero_error(case: &Case) -> Result<Oracle, TestCaseError> {
    let oracle = case.oracle();
    prop_assume!(!oracle.residual().is_zero(), "starting error is zero");
    Ok(oracle)
}

const CASES: u32 = 256;

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    /// Every exact blank equals the oracle's value, and the engine has no exact blank the oracle lacks.
    #[test]
    fn every_exact_answer_matches_the_oracle(case in case()) {
        let oracle = assume_nonzero_error(&case)?;
        let answers = solve(&case).answers;
        let expected = oracle.expected(case.extension.map(|(a, _)| a));
        let mut seen = Vec::new();
        for a in answers.iter() {
            if let Value::Exact(x) = &a.value {
                let want = expected.get(&a.id.to_string()).unwrap_or_else(|| panic!("the oracle does not know the exact answer {}", a.id));
                let got = q(&x.to_plain_string());
                prop_assert_eq!(&got, want, "answer {} of\n{}", a.id, case.yaml());
                seen.push(a.id.to_string());
            }
        }
        for id in expected.keys() {
            prop_assert!(seen.contains(id), "the engine has no exact answer {}", id);
        }
    }

    /// The non-numeric blanks follow from the oracle's numbers.
    #[test]
    fn words_flags_and_counts_follow_the_numbers(case in case()) {
        let oracle = assume_nonzero_error(&case)?;
        let answers = solve(&case).answers;
        let n = oracle.layers();
        for k in 0..n {
            let want = if oracle.gradient(k).is_negative() { "increase" } else { "decrease" };
            prop_assert_eq!(answers.named(&format!("nudge_w{}.direction", k + 1)).unwrap().value.clone(), Value::Text(want.to_owned()));
        }
        let largest = (0..n).map(|k| oracle.gradient(k).abs()).max().unwrap();
        let strongest: Vec<String> = (0..n).filter(|&k| oracle.gradient(k).abs() == largest).map(|k| format!("w{}", k + 1)).collect();
        let shown = display(&answers, "strongest_weight");
        if strongest.len() == 1 {
            prop_assert_eq!(&shown, &strongest[0]);
        } else {
            prop_assert!(shown.contains("tie") && strongest.iter().all(|w| shown.contains(w.as_str())), "{}", shown);
        }
        let (before, after) = (oracle.error(), oracle.new_error());
        prop_assert_eq!(answers.named("error_decreased").unwrap().value.clone(), Value::Flag(after < before));
        let verdict = display(&answers, "error_verdict");
        match after.cmp(&before) {
            std::cmp::Ordering::Less => prop_assert!(verdict.starts_with("Yes"), "{}", verdict),
            std::cmp::Ordering::Equal => prop_assert!(verdict.starts_with("No") && verdict.contains("stayed"), "{}", verdict),
            std::cmp::Ordering::Greater => prop_assert!(verdict.starts_with("No") && verdict.contains("grew"), "{}", verdict),
        }
        prop_assert_eq!(answers.named("reflection_factors").unwrap().value.clone(), Value::Count(u64::from(case.reflection_layers) + 1));
    }

    /// The central difference (E(w+δ) − E(w−δ)) / 2δ of the quadratic error is the
    /// chain-rule gradient exactly, computed by the oracle and read from the engine's tables.
    #[test]
    fn central_difference_equals_the_gradient(case in case()) {
        let oracle = assume_nonzero_error(&case)?;
        let answers = solve(&case).answers;
        let two_delta = &oracle.nudge * int(2);
        for k in 0..oracle.layers() {
            let w = format!("w{}", k + 1);
            let engine_gradient = exact(&answers, &format!("grad_{w}"));
            let up = oracle.error_with(k, &oracle.weights[k] + &oracle.nudge);
            let down = oracle.error_with(k, &oracle.weights[k] - &oracle.nudge);
            prop_assert_eq!(&((up - down) / &two_delta), &engine_gradient, "oracle central difference of {}", w);
            let table = exact(&answers, &format!("nudge_{w}.plus.error")) - exact(&answers, &format!("nudge_{w}.minus.error"));
            prop_assert_eq!(&(table / &two_delta), &engine_gradient, "the engine's own table for {}", w);
            // And the chain of factors multiplies out to it: dE/dy · Π later coefficients · 1.
            prop_assert_eq!(&(exact(&answers, "dE_dy") * oracle.chain(k)), &engine_gradient);
        }
    }

    /// One step scales the residual by 1 − lr·S, so the new error is E·(1 − lr·S)².
    #[test]
    fn new_error_is_the_error_times_the_squared_shrink(case in case()) {
        let oracle = assume_nonzero_error(&case)?;
        let answers = solve(&case).answers;
        let shrink = Q::one() - &oracle.learning_rate * oracle.sensitivity();
        let predicted = exact(&answers, "error") * &shrink * &shrink;
        prop_assert_eq!(exact(&answers, "new_error"), predicted);
        let residual = exact(&answers, "new_y") - &oracle.target;
        prop_assert_eq!(residual, exact(&answers, "dE_dy") * shrink);
    }

    /// Exact answers print as plain decimals (or, beyond ten significant digits,
    /// rounded within half a unit, with ≈): no exponent, no float artefacts such as
    /// `4.2049999`, the same digits as the oracle's own rendering, a true minus for people.
    #[test]
    fn displayed_numbers_are_plain_exact_decimals(case in case()) {
        let oracle = assume_nonzero_error(&case)?;
        let answers = solve(&case).answers;
        let expected = oracle.expected(case.extension.map(|(a, _)| a));
        for a in answers.iter() {
            match &a.value {
                Value::Exact(x) => {
                    let plain_text = x.to_plain_string();
                    let exact_text = plain(&expected[&a.id.to_string()]);
                    prop_assert_eq!(&plain_text, &exact_text, "{}", a.id);
                    prop_assert!(!plain_text.contains(['e', 'E']), "{} = {}", a.id, plain_text);
                    // A run of nines or zeros is allowed only where the exact value has it.
                    for run in ["99999", "00000"] {
                        prop_assert!(!plain_text.contains(run) || exact_text.contains(run), "{} = {}", a.id, plain_text);
                    }
                    prop_assert!(!(plain_text.contains('.') && plain_text.ends_with('0')), "trailing zero: {} = {}", a.id, plain_text);
                    let shown = a.value.display(&backprop_worksheet::number::NumberFormat::english());
                    match shown.strip_prefix("\u{2248} ") {
                        // Longer than ten significant digits: printed rounded, with ≈,
                        // within half a unit of its tenth digit of the exact value.
                        Some(rounded) if !rounded.contains('\u{00D7}') => {
                            prop_assert!(x.is_too_long(), "{} = {} is short but shows {}", a.id, plain_text, shown);
                            let r = Exact::parse(&rounded.replace('\u{2212}', "-")).unwrap();
                            prop_assert!(r.significant_digits() <= 10, "{}: {}", a.id, shown);
                            let error = (&r - x).abs();
                            prop_assert!(&error * &Exact::int(2_000_000_000) <= x.abs(), "{}: {} for {}", a.id, shown, plain_text);
                        }
                        Some(_) => prop_assert!(x.is_too_long(), "{}: {}", a.id, shown),
                        // Exact, in scientific form when huge or tiny (`1 × 10⁻¹²`).
                        None if shown.contains('\u{00D7}') => prop_assert!(!x.is_too_long(), "{}: {}", a.id, shown),
                        None => prop_assert_eq!(shown, plain_text.replace('-', "\u{2212}")),
                    }
                }
                Value::Text(t) => prop_assert!(!has_exponent(t), "{}: {}", a.id, t),
                Value::Approx(..) => {
                    let t = a.value.display(&backprop_worksheet::number::NumberFormat::english());
                    prop_assert!(!has_exponent(&t), "{}: {}", a.id, t)
                }
                Value::Count(_) | Value::Flag(_) => {}
            }
        }
    }
}

/// A learning rate below `1/S`, at most six decimals: `fraction/1000` of `1/S`, rounded down.
fn small_learning_rate(oracle: &Oracle, per_mille: i64) -> Option<String> {
    let bound = Q::new(BigInt::from(per_mille), BigInt::from(1000)) / oracle.sensitivity();
    let micro = (bound * int(1_000_000)).floor().to_integer();
    if micro.is_zero() {
        return None;
    }
    Some(plain(&Q::new(micro, BigInt::from(1_000_000))))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    /// With lr < 1/S, 0 < lr·S < 1, so every step strictly lowers the error.
    #[test]
    fn a_small_enough_learning_rate_always_lowers_the_error(
        case in case_with(5, vec!["1"]),
        per_mille in 1i64..=999,
    ) {
        let mut case = case;
        let oracle = assume_nonzero_error(&case)?;
        let lr = small_learning_rate(&oracle, per_mille);
        prop_assume!(lr.is_some(), "1/S is below one millionth");
        case.learning_rate = lr.unwrap();
        let oracle = case.oracle();
        prop_assert!(&oracle.learning_rate * oracle.sensitivity() < Q::one());
        let answers = solve(&case).answers;
        prop_assert!(exact(&answers, "new_error") < exact(&answers, "error"), "{}", case.yaml());
        prop_assert_eq!(answers.named("error_decreased").unwrap().value.clone(), Value::Flag(true));
        prop_assert!(display(&answers, "error_verdict").starts_with("Yes"));
        prop_assert_eq!(exact(&answers, "new_error"), oracle.new_error());
    }
}

// ---------------------------------------------------------------------------
// Common slips: each is wrong, is the mistake it names, and none is missing.

impl Oracle {
    /// The input of layer `j`: `x` for the first, the previous layer's value after.
    fn input_of(&self, values: &[Q], j: usize) -> Q {
        if j == 0 {
            self.input.clone()
        } else {
            values[j - 1].clone()
        }
    }

    /// The chain of `dE/dw_k`, outermost first: dE/dy, the later coefficients from
    /// the output down, and da_k/dw_k = 1.
    fn chain_factors(&self, k: usize) -> Vec<Q> {
        let mut factors = vec![self.residual()];
        factors.extend(self.coefficients[k + 1..].iter().rev().cloned());
        factors.push(Q::one());
        factors
    }

    /// Every mistake the catalogue should consider, by blank, with the value it gives:
    /// `(id, mistake as JSON, value)`, computed from the definitions.
    fn mistakes(&self) -> Vec<(String, serde_json::Value, Q)> {
        use serde_json::json;
        let n = self.layers();
        let values = self.forward(&self.weights);
        let r = self.residual();
        let mut out = Vec::new();
        for j in 0..n {
            let (c, w) = (&self.coefficients[j], &self.weights[j]);
            let input = self.input_of(&values, j);
            out.push((self.value_id(j), json!({"kind": "multiplied_after_adding", "j": j}), c * (input + w)));
            if j > 0 {
                let skipped = self.input_of(&values, j - 1);
                out.push((self.value_id(j), json!({"kind": "skipped_previous_layer", "j": j}), c * skipped + w));
            }
        }
        out.push(("error".into(), json!({"kind": "forgot_half"}), &r * &r));
        out.push(("error".into(), json!({"kind": "forgot_square"}), &r / int(2)));
        out.push(("dE_dy".into(), json!({"kind": "residual_sign"}), -r.clone()));
        out.push(("dE_dy".into(), json!({"kind": "kept_factor_two"}), &r * int(2)));
        for (k, value) in values.iter().enumerate() {
            let w = format!("w{}", k + 1);
            for (row, sign) in [("plus", 1), ("minus", -1)] {
                let change = self.error_with(k, &self.weights[k] + &self.nudge * int(sign)) - self.error();
                out.push((format!("nudge_{w}.{row}.change"), json!({"kind": "change_reversed"}), -change));
            }
            let factors = self.chain_factors(k);
            for f in 0..factors.len() {
                let rest = factors.iter().enumerate().filter(|(i, _)| *i != f).fold(Q::one(), |acc, (_, x)| acc * x);
                out.push((format!("grad_{w}"), json!({"kind": "dropped_factor", "k": k, "factor": f}), rest));
            }
            for j in k + 1..n {
                let others = (k + 1..n).filter(|&i| i != j).fold(Q::one(), |acc, i| acc * &self.coefficients[i]);
                let value = &r * others * &self.coefficients[j - 1];
                out.push((format!("grad_{w}"), json!({"kind": "wrong_coefficient", "j": j, "used": j - 1}), value));
            }
            let with_value = self.gradient(k) * value;
            out.push((format!("grad_{w}"), json!({"kind": "value_for_derivative", "k": k}), with_value));
            let own = format!("d{}_d{w}", self.value_id(k));
            out.push((own, json!({"kind": "value_for_derivative", "k": k}), value.clone()));
            let (wk, g, lr) = (&self.weights[k], self.gradient(k), &self.learning_rate);
            out.push((format!("new_{w}"), json!({"kind": "added_step", "k": k}), wk + lr * &g));
            out.push((format!("new_{w}"), json!({"kind": "forgot_learning_rate", "k": k}), wk - &g));
            for other in (0..n).filter(|&o| o != k) {
                let value = wk - lr * self.gradient(other);
                out.push((format!("new_{w}"), json!({"kind": "other_gradient", "k": k, "other": other}), value));
            }
        }
        for j in 1..n {
            let link = format!("d{}_d{}", self.value_id(j), self.value_id(j - 1));
            let wrong = self.coefficients[j - 1].clone();
            out.push((link, json!({"kind": "wrong_coefficient", "j": j, "used": j - 1}), wrong));
        }
        out
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    /// Every listed slip differs from the right answer and from the other slips
    /// of its blank, equals what each of its mistakes gives by the oracle, and
    /// every mistake that gives a wrong value is listed.
    #[test]
    fn every_slip_is_wrong_and_is_the_mistake_it_names(case in case()) {
        let oracle = assume_nonzero_error(&case)?;
        let solved = solve(&case);
        let catalogue = backprop_worksheet::slips::catalogue(&solved.worksheet, &solved.solution);
        let right = oracle.expected(None);
        let mut listed = Vec::new();
        for (id, slips) in catalogue.iter() {
            let id = id.to_string();
            let want = right.get(&id).unwrap_or_else(|| panic!("a slip for {id}, which is no exact answer"));
            let mut values = Vec::new();
            for slip in slips {
                let value = q(&slip.value.to_plain_string());
                prop_assert!(&value != want, "{id}: slip {:?} equals the right answer", slip.mistakes);
                prop_assert!(!values.contains(&value), "{id}: two slips with the value {value}");
                values.push(value.clone());
                for mistake in &slip.mistakes {
                    listed.push((id.clone(), serde_json::to_value(mistake).unwrap(), value.clone()));
                }
            }
        }
        let mut expected: Vec<_> = oracle.mistakes().into_iter().filter(|(id, _, v)| v != &right[id]).collect();
        let key = |m: &(String, serde_json::Value, Q)| (m.0.clone(), m.1.to_string());
        expected.sort_by_key(key);
        listed.sort_by_key(key);
        prop_assert_eq!(listed, expected, "{}", case.yaml());
    }
}

// ---------------------------------------------------------------------------
// Named teaching configs in `configs/`, checked against the oracle too.

fn load(name: &str) -> (Solved, Oracle) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs").join(name);
    let spec = config::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let solved = generate::solve_fixed(&spec, words()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let w = &solved.worksheet;
    let oracle = Oracle {
        input: q(&w.network.input.to_plain_string()),
        target: q(&w.network.target.to_plain_string()),
        coefficients: w.network.layers.iter().map(|l| q(&l.coefficient.to_plain_string())).collect(),
        weights: w.network.layers.iter().map(|l| q(&l.weight.to_plain_string())).collect(),
        nudge: q(&w.nudge.to_plain_string()),
        learning_rate: q(&w.learning_rate.to_plain_string()),
    };
    // Every exact answer agrees with the oracle, and the oracle's list is complete.
    let activation = w.extension.map(|e| format!("{:?}", e.activation).to_lowercase());
    let expected = oracle.expected(activation.as_deref());
    let mut count = 0;
    for a in solved.answers.iter() {
        if let Value::Exact(x) = &a.value {
            let want = expected.get(&a.id.to_string()).unwrap_or_else(|| panic!("{name}: oracle lacks {}", a.id));
            assert_eq!(x.to_plain_string(), plain(want), "{name}: {}", a.id);
            count += 1;
        }
    }
    assert_eq!(count, expected.len(), "{name}: number of exact answers");
    (solved, oracle)
}

fn row(answers: &Answers, prefix: &str, columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| text(answers, &format!("{prefix}.{c}"))).collect()
}

#[test]
fn negative_fractional_coefficients_and_a_negative_input() {
    let (solved, oracle) = load("negative-fractional.yaml");
    let a = &solved.answers;
    assert!(oracle.input.is_negative());
    assert!(oracle.coefficients.iter().any(|c| c.is_negative()));
    assert!(oracle.coefficients.iter().any(|c| !c.is_integer()));
    // h = −1.5·(−2) + 1 = 4, y = 0.5·4 − 1 = 1, E = ½(1 − 4)² = 4.5.
    assert_eq!([text(a, "h1"), text(a, "y"), text(a, "error")], ["4", "1", "4.5"]);
    assert_eq!(row(a, "nudge_w2.plus", &["w2", "h1", "y", "error", "change"]), ["-0.9", "4", "1.1", "4.205", "-0.295"]);
    assert_eq!(
        row(a, "nudge_w1.plus", &["w1", "h1", "y", "error", "change"]),
        ["1.1", "4.1", "1.05", "4.35125", "-0.14875"]
    );
    assert_eq!(
        row(a, "nudge_w1.minus", &["w1", "h1", "y", "error", "change"]),
        ["0.9", "3.9", "0.95", "4.65125", "0.15125"]
    );
    assert_eq!(
        [text(a, "dE_dy"), text(a, "dy_dh1"), text(a, "grad_w2"), text(a, "grad_w1")],
        ["-3", "0.5", "-3", "-1.5"]
    );
    assert_eq!(display(a, "strongest_weight"), "w2");
    // lr = 0.2, S = 0.5² + 1 = 1.25: the residual shrinks by 0.75.
    assert_eq!(
        [text(a, "new_w2"), text(a, "new_w1"), text(a, "new_h1"), text(a, "new_y")],
        ["-0.4", "1.3", "4.3", "1.75"]
    );
    assert_eq!(text(a, "new_error"), "2.53125");
    assert_eq!(a.named("error_decreased").unwrap().value, Value::Flag(true));
    assert_eq!(display(a, "c1"), "\u{2212}1.5");
    // ReLU extension: z = 4 > 0, so the ReLU passes the linear gradient through.
    assert_eq!(text(a, "ext.z"), "4");
    assert!(display(a, "ext.explanation").contains("ReLU"), "{}", display(a, "ext.explanation"));
}

#[test]
fn three_layers() {
    let (solved, oracle) = load("three-layers.yaml");
    let a = &solved.answers;
    assert_eq!(oracle.layers(), 3);
    // h1 = 2·1 − 1.5 = 0.5, h2 = 4·0.5 + 1 = 3, y = 2·3 + 1 = 7, E = ½(7 − 10)² = 4.5.
    assert_eq!([text(a, "h1"), text(a, "h2"), text(a, "y"), text(a, "error")], ["0.5", "3", "7", "4.5"]);
    assert_eq!(row(a, "nudge_w3.plus", &["w3", "h2", "y", "error", "change"]), ["1.1", "3", "7.1", "4.205", "-0.295"]);
    assert_eq!(
        row(a, "nudge_w2.plus", &["w2", "h1", "h2", "y", "error", "change"]),
        ["1.1", "0.5", "3.1", "7.2", "3.92", "-0.58"]
    );
    assert_eq!(
        row(a, "nudge_w1.plus", &["w1", "h1", "h2", "y", "error", "change"]),
        ["-1.4", "0.6", "3.4", "7.8", "2.42", "-2.08"]
    );
    assert_eq!([text(a, "dy_dh2"), text(a, "dh2_dh1"), text(a, "dh1_dw1"), text(a, "dy_dw3")], ["2", "4", "1", "1"]);
    assert_eq!([text(a, "grad_w3"), text(a, "grad_w2"), text(a, "grad_w1")], ["-3", "-6", "-24"]);
    assert_eq!(display(a, "strongest_weight"), "w1");
    // lr = 0.01, S = 8² + 2² + 1 = 69: the residual shrinks to 0.31 of itself.
    assert_eq!(oracle.sensitivity(), int(69));
    assert_eq!([text(a, "new_w3"), text(a, "new_w2"), text(a, "new_w1")], ["1.03", "1.06", "-1.26"]);
    assert_eq!([text(a, "new_h1"), text(a, "new_h2"), text(a, "new_y")], ["0.74", "4.02", "9.07"]);
    assert_eq!(text(a, "new_error"), "0.43245");
    assert_eq!(a.named("error_decreased").unwrap().value, Value::Flag(true));
    // tanh extension near 0: z = 0.5 is on the steep part, the gradient does not vanish.
    assert_eq!(text(a, "ext.z"), "0.5");
    assert_eq!(display(a, "ext.h1"), "0.4621");
    let why = display(a, "ext.explanation");
    assert!(why.contains("tanh") && !why.contains("vanishing gradient problem"), "{why}");
}

#[test]
fn overshooting_learning_rate() {
    let (solved, oracle) = load("overshoot.yaml");
    let a = &solved.answers;
    // The classic network with lr = 0.5: lr·S = 0.5·5 = 2.5 > 2, so the step overshoots.
    assert!(&oracle.learning_rate * oracle.sensitivity() > int(2));
    assert_eq!([text(a, "new_w2"), text(a, "new_w1"), text(a, "new_h1"), text(a, "new_y")], ["4.5", "4", "10", "24.5"]);
    assert_eq!([text(a, "error"), text(a, "new_error"), text(a, "error_change")], ["4.5", "10.125", "5.625"]);
    assert_eq!(a.named("error_decreased").unwrap().value, Value::Flag(false));
    let verdict = display(a, "error_verdict");
    assert!(verdict.starts_with("No") && verdict.contains("grew") && verdict.contains("10.125"), "{verdict}");
}
