//! The extension challenge: an activation on the first layer, computed in `f64`
//! and shown rounded with `≈`. The only floating point in the program's maths.
#![allow(clippy::disallowed_types)]

use serde::Serialize;

use crate::model::{Activation, Extension, Network};
use crate::number::{shown_digits, Exact, Shown};

/// The extension challenge's values.
#[derive(Debug, Clone, Serialize)]
pub struct ExtensionSolution {
    /// The activation.
    pub activation: Activation,
    /// Significant digits to show.
    pub digits: u32,
    /// `z = c₁·x + w₁`, exact.
    pub z: Exact,
    /// The activation's value at `z` (the new `h₁`).
    pub activated: f64,
    /// The activation's derivative at `z`.
    pub slope: f64,
    /// Every layer's output with the activation on the first layer.
    pub values: Vec<f64>,
    /// The error.
    pub error: f64,
    /// `dE/dy = y − target`.
    pub residual: f64,
    /// `dE/dw₁` with the activation.
    pub gradient: f64,
}

impl ExtensionSolution {
    /// Whether the activation is (almost) flat at `z`, so `w₁` barely learns
    /// or not at all: a dead ReLU (z ≤ 0), or a sigmoid or tanh saturated
    /// there (slope below 0.1).
    pub fn is_flat(&self) -> bool {
        self.slope < 0.1
    }
}

/// Solves the extension; `None` when a value is not finite.
pub fn solve(network: &Network, extension: &Extension) -> Option<ExtensionSolution> {
    let first = &network.layers[0];
    let z = &(&first.coefficient * &network.input) + &first.weight;
    let zf = z.to_f64();
    let (activated, slope) = match extension.activation {
        Activation::Sigmoid => {
            let s = 1.0 / (1.0 + (-zf).exp());
            (s, s * (1.0 - s))
        }
        Activation::Tanh => {
            let t = zf.tanh();
            (t, 1.0 - t * t)
        }
        // The derivative at exactly 0 is taken as 0, the usual convention.
        Activation::Relu => (zf.max(0.0), if zf > 0.0 { 1.0 } else { 0.0 }),
    };
    let mut values = vec![activated];
    let mut previous = activated;
    for layer in &network.layers[1..] {
        previous = layer.coefficient.to_f64() * previous + layer.weight.to_f64();
        values.push(previous);
    }
    let residual = previous - network.target.to_f64();
    let error = 0.5 * residual * residual;
    let later: f64 = network.layers[1..].iter().map(|l| l.coefficient.to_f64()).product();
    let gradient = residual * later * slope;
    let finite = values.iter().chain([&error, &residual, &gradient, &slope]).all(|v| v.is_finite());
    finite.then_some(ExtensionSolution {
        activation: extension.activation,
        digits: extension.digits,
        z,
        activated,
        slope,
        values,
        error,
        residual,
        gradient,
    })
}

/// The extension's values computed exactly, as a ReLU allows: a live ReLU
/// (z > 0) passes z on with slope 1, a dead one (z ≤ 0) gives 0 with slope 0,
/// and everything after it is the linear network's exact maths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactExtension {
    /// The activation's value at `z`.
    pub activated: Exact,
    /// Its derivative at `z`: 1 or 0.
    pub slope: Exact,
    /// Every layer's output.
    pub values: Vec<Exact>,
    /// The error.
    pub error: Exact,
    /// `dE/dy = y − target`.
    pub residual: Exact,
    /// `dE/dw₁`.
    pub gradient: Exact,
}

/// The exact values of `solution`, for a ReLU (whose values are all exact);
/// `None` for the other activations.
pub fn exact_relu(network: &Network, solution: &ExtensionSolution) -> Option<ExactExtension> {
    if solution.activation != Activation::Relu {
        return None;
    }
    let live = solution.z.is_positive();
    let (activated, slope) = if live { (solution.z.clone(), Exact::int(1)) } else { (Exact::zero(), Exact::zero()) };
    let mut values = vec![activated.clone()];
    for layer in &network.layers[1..] {
        let previous = values.last().expect("the first layer's value");
        values.push(&(&layer.coefficient * previous) + &layer.weight);
    }
    let residual = values.last().expect("an output") - &network.target;
    let error = &Exact::half() * &residual.square();
    let later: Exact = network.layers[1..].iter().map(|l| l.coefficient.clone()).product();
    let gradient = &(&residual * &later) * &slope;
    Some(ExactExtension { activated, slope, values, error, residual, gradient })
}

/// `value` to `digits` significant digits, in plain decimals; a value below
/// 10⁻⁶ or from 10¹⁵ up in scientific form, `7.337 × 10⁻¹⁵⁰`, which a page
/// can hold and a reader can take in. Shown as the exact answers are
/// ([`crate::number::shown_digits`]).
pub fn significant(value: f64, digits: u32) -> Shown {
    if value == 0.0 {
        return shown_digits(false, "0", 0, 0..1);
    }
    let digits = digits.max(1) as usize;
    let scientific = format!("{:.*e}", digits - 1, value);
    let (mantissa, exponent) = scientific.split_once('e').expect("exponent format");
    let exponent: i64 = exponent.parse().expect("exponent");
    let mantissa_digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    shown_digits(mantissa.starts_with('-'), &mantissa_digits, exponent, -6..15)
}

#[cfg(test)]
mod tests {
    use crate::number::NumberFormat;

    fn significant(value: f64, digits: u32) -> String {
        NumberFormat::english().write(&super::significant(value, digits))
    }

    #[test]
    fn significant_digits() {
        assert_eq!(significant(0.999088948805599, 4), "0.9991");
        assert_eq!(significant(-0.0273099, 4), "\u{2212}0.02731");
        assert_eq!(significant(-15.00182, 4), "\u{2212}15.00");
        assert_eq!(significant(123456.0, 3), "123000");
        assert_eq!(significant(0.000910221, 4), "0.0009102");
        assert_eq!(significant(0.0, 4), "0");
        // Values a page cannot hold in plain decimals, in scientific form.
        assert_eq!(significant(7.3370299e-150, 4), "7.337 × 10⁻¹⁵⁰");
        assert_eq!(significant(-2.5e17, 3), "\u{2212}2.50 × 10¹⁷");
        assert_eq!(significant(0.000001234, 3), "0.00000123");
    }
}
