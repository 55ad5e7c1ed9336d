//! The exact maths of the worksheet: forward pass, nudge experiments, chain-rule
//! gradients, the update step and the reflection count. No I/O, no floating point
//! (the nonlinear extension lives in [`crate::nonlinear`]).
//!
//! The network is a chain `a₀ = x`, `aᵢ = cᵢ·aᵢ₋₁ + wᵢ` for layers `i = 1..=L`,
//! with output `y = a_L` and error `E = ½(y − target)²`.
#![deny(clippy::float_arithmetic, clippy::float_cmp, clippy::cast_precision_loss)]

use serde::Serialize;

use crate::model::{Network, Worksheet};
use crate::nonlinear::{self, ExtensionSolution};
use crate::number::Exact;

/// Why a worksheet cannot be solved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsolvable {
    /// The network already hits the target, so there is nothing to learn.
    #[error("the starting error is zero: the network's output {output} already equals the target, so there is nothing to learn; change the target or a weight")]
    ZeroError {
        /// The output `y`.
        output: String,
    },
    /// The extension challenge overflowed floating point.
    #[error("the extension challenge's numbers are too large to compute (they overflow a 64-bit float)")]
    ExtensionOverflow,
}

/// One row of a nudge experiment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trial {
    /// The weight's value in this row.
    pub weight: Exact,
    /// Every layer's output `a₁ … a_L` with this weight.
    pub values: Vec<Exact>,
    /// The error with this weight.
    pub error: Exact,
    /// The error minus the baseline error (zero for the baseline).
    pub change: Exact,
}

/// Which way a weight should move to lower the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Its gradient is negative.
    Increase,
    /// Its gradient is positive.
    Decrease,
}

/// The experiment table of one weight: baseline, +nudge and −nudge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Experiment {
    /// Baseline row.
    pub base: Trial,
    /// The weight plus the nudge.
    pub plus: Trial,
    /// The weight minus the nudge.
    pub minus: Trial,
    /// Which way to move the weight to reduce the error.
    pub direction: Direction,
    /// The chain rule's prediction of the `plus` change: `dE/dw · nudge`.
    pub predicted_change: Exact,
}

/// The chain-rule gradient of one weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gradient {
    /// The factors, outermost first: `dE/dy`, `dy/dh_{L−1}` (= c_L), …, `dh_k/dh_{k−1}`… down
    /// to `da_k/dw_k` (= 1).
    pub factors: Vec<Exact>,
    /// Their product, `dE/dw_k`.
    pub value: Exact,
}

/// What the update step did to the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The new error is smaller.
    Decreased,
    /// The new error is the same.
    Unchanged,
    /// The new error is larger: the step overshot.
    Increased,
}

/// One gradient-descent step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Update {
    /// The new weights `w − lr·dE/dw`.
    pub weights: Vec<Exact>,
    /// Every layer's output with the new weights.
    pub values: Vec<Exact>,
    /// The new error.
    pub error: Exact,
    /// `S`, the sum of the squared chain products `∂y/∂w_k`.
    pub sensitivity: Exact,
    /// `1 − lr·S`: the new residual is the old one times this.
    pub shrink: Exact,
    /// Whether the error went down.
    pub outcome: Outcome,
}

/// Every computed value of one worksheet.
#[derive(Debug, Clone, Serialize)]
pub struct Solution {
    /// Every layer's output `a₁ … a_L` (hidden values, then `y`).
    pub values: Vec<Exact>,
    /// The starting error `E`.
    pub error: Exact,
    /// `dE/dy = y − target`.
    pub residual: Exact,
    /// The experiment of each weight, index `k − 1` for `w_k`.
    pub experiments: Vec<Experiment>,
    /// The gradient of each weight, index `k − 1` for `w_k`.
    pub gradients: Vec<Gradient>,
    /// Indices of the weights with the largest |gradient| (several on a tie).
    pub strongest: Vec<usize>,
    /// The update step.
    pub update: Update,
    /// How many derivatives are chained for the first weight of a network with
    /// `reflection_layers` layers.
    pub reflection_factors: u32,
    /// The nonlinear extension, if configured.
    pub extension: Option<ExtensionSolution>,
}

impl Solution {
    /// The output `y`.
    pub fn output(&self) -> &Exact {
        self.values.last().expect("a network has at least two layers")
    }
}

/// Every layer's output for `weights`.
pub fn forward(network: &Network, weights: &[Exact]) -> Vec<Exact> {
    let mut previous = network.input.clone();
    network
        .layers
        .iter()
        .zip(weights)
        .map(|(layer, w)| {
            previous = &(&layer.coefficient * &previous) + w;
            previous.clone()
        })
        .collect()
}

/// `½(y − target)²`.
pub fn error(network: &Network, output: &Exact) -> Exact {
    &Exact::half() * &(output - &network.target).square()
}

/// `∂y/∂w_k` for the 0-based weight index `k`: the product of the later coefficients.
pub fn output_sensitivity(network: &Network, k: usize) -> Exact {
    network.layers[k + 1..].iter().map(|l| l.coefficient.clone()).product()
}

fn trial(network: &Network, weights: &[Exact], k: usize, weight: Exact, base_error: &Exact) -> Trial {
    let mut ws = weights.to_vec();
    ws[k] = weight.clone();
    let values = forward(network, &ws);
    let err = error(network, values.last().expect("layers"));
    let change = &err - base_error;
    Trial { weight, values, error: err, change }
}

/// Computes every answer of `worksheet`.
pub fn solve(worksheet: &Worksheet) -> Result<Solution, Unsolvable> {
    let network = &worksheet.network;
    let weights: Vec<Exact> = network.layers.iter().map(|l| l.weight.clone()).collect();
    let values = forward(network, &weights);
    let output = values.last().expect("a network has at least two layers").clone();
    let residual = &output - &network.target;
    if residual.is_zero() {
        return Err(Unsolvable::ZeroError { output: output.to_plain_string() });
    }
    let start_error = error(network, &output);

    let gradients: Vec<Gradient> = (0..weights.len())
        .map(|k| {
            let mut factors = vec![residual.clone()];
            factors.extend(network.layers[k + 1..].iter().rev().map(|l| l.coefficient.clone()));
            factors.push(Exact::int(1));
            let value = factors.iter().cloned().product();
            Gradient { factors, value }
        })
        .collect();

    let experiments = (0..weights.len())
        .map(|k| {
            let w = &weights[k];
            let base = trial(network, &weights, k, w.clone(), &start_error);
            let plus = trial(network, &weights, k, w + &worksheet.nudge, &start_error);
            let minus = trial(network, &weights, k, w - &worksheet.nudge, &start_error);
            let direction = if gradients[k].value.is_negative() { Direction::Increase } else { Direction::Decrease };
            let predicted_change = &gradients[k].value * &worksheet.nudge;
            Experiment { base, plus, minus, direction, predicted_change }
        })
        .collect();

    let largest = gradients.iter().map(|g| g.value.abs()).max().unwrap_or_else(Exact::zero);
    let strongest = (0..gradients.len()).filter(|&k| gradients[k].value.abs() == largest).collect();

    let new_weights: Vec<Exact> =
        weights.iter().zip(&gradients).map(|(w, g)| w - &(&worksheet.learning_rate * &g.value)).collect();
    let new_values = forward(network, &new_weights);
    let new_error = error(network, new_values.last().expect("layers"));
    let sensitivity: Exact = (0..weights.len()).map(|k| output_sensitivity(network, k).square()).sum();
    let shrink = &Exact::int(1) - &(&worksheet.learning_rate * &sensitivity);
    let outcome = match new_error.cmp(&start_error) {
        std::cmp::Ordering::Less => Outcome::Decreased,
        std::cmp::Ordering::Equal => Outcome::Unchanged,
        std::cmp::Ordering::Greater => Outcome::Increased,
    };

    let extension = match &worksheet.extension {
        Some(ext) => Some(nonlinear::solve(network, ext).ok_or(Unsolvable::ExtensionOverflow)?),
        None => None,
    };

    Ok(Solution {
        values,
        error: start_error,
        residual,
        experiments,
        gradients,
        strongest,
        update: Update { weights: new_weights, values: new_values, error: new_error, sensitivity, shrink, outcome },
        // dE/dy, then one layer-to-layer derivative per later layer, then d(a₁)/dw₁.
        reflection_factors: worksheet.reflection_layers + 1,
        extension,
    })
}
