//! Structured networks as YAML text: every generated config is valid unless its
//! starting error is zero; it must parse, solve, and satisfy the update identity
//! `new E = E·(1 − lr·S)²` (S = Σₖ (∂y/∂wₖ)²), checked in exact arithmetic.
#![no_main]

use arbitrary::Arbitrary;
use backprop_worksheet::answers::{Answers, Blank, Value};
use backprop_worksheet::number::Exact;
use backprop_worksheet::config;
use backprop_worksheet::render::Templates;
use libfuzzer_sys::fuzz_target;

/// The built-in templates, loaded once; they word the model answers.
fn words() -> &'static Templates {
    static TEMPLATES: std::sync::OnceLock<Templates> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(|| Templates::load(None).expect("the built-in templates load"))
}

/// A decimal `mantissa / 10^k`, k ≤ 3.
#[derive(Arbitrary, Debug, Clone, Copy)]
struct Num {
    mantissa: i16,
    k: u8,
}

impl Num {
    fn text(self) -> String {
        decimal(i64::from(self.mantissa), u32::from(self.k % 4))
    }
    /// The same, never zero.
    fn nonzero(self) -> String {
        let m = if self.mantissa == 0 { 1 } else { i64::from(self.mantissa) };
        decimal(m, u32::from(self.k % 4))
    }
    /// The same, positive.
    fn positive(self) -> String {
        decimal(i64::from(self.mantissa).abs().max(1), u32::from(self.k % 4))
    }
}

#[derive(Arbitrary, Debug)]
struct Net {
    input: Num,
    target: Num,
    layers: [(Num, Num); 5],
    layer_count: u8,
    nudge: Num,
    learning_rate: Num,
    extension: Option<(u8, u8)>,
    reflection_layers: u16,
}

/// `m / 10^k` as a plain decimal literal: `-0.005`, `12.5`, `3`.
fn decimal(m: i64, k: u32) -> String {
    let sign = if m < 0 { "-" } else { "" };
    let a = m.unsigned_abs();
    if k == 0 {
        return format!("{sign}{a}");
    }
    let p = 10u64.pow(k);
    format!("{sign}{}.{:0width$}", a / p, a % p, width = k as usize)
}

fn exact(text: &str) -> Exact {
    Exact::parse(text).unwrap_or_else(|| panic!("fuzz harness made a bad literal {text:?}"))
}

/// The blank `id` of a sheet of `layers` layers.
fn blank(layers: usize, id: &str) -> Blank {
    Blank::parse(id, layers).unwrap_or_else(|| panic!("{id} is no answer id of {layers} layers"))
}

fn answer(answers: &Answers, layers: usize, id: &str) -> Exact {
    match answers.get(blank(layers, id)).map(|a| &a.value) {
        Some(Value::Exact(x)) => x.clone(),
        other => panic!("answer {id} should be an exact number, is {other:?}"),
    }
}

fn flag(answers: &Answers, layers: usize, id: &str) -> bool {
    match answers.get(blank(layers, id)).map(|a| &a.value) {
        Some(Value::Flag(b)) => *b,
        other => panic!("answer {id} should be a flag, is {other:?}"),
    }
}

fuzz_target!(|net: Net| {
    let count = 2 + usize::from(net.layer_count % 4); // 2..=5
    let layers: Vec<(String, String)> = net.layers[..count].iter().map(|(c, w)| (c.nonzero(), w.text())).collect();
    let (input, target) = (net.input.text(), net.target.text());
    let (nudge, lr) = (net.nudge.positive(), net.learning_rate.positive());
    let reflection_layers = 2 + net.reflection_layers % 999;

    let mut yaml = format!(
        "title: Fuzz\nnetwork:\n  input: {input}\n  target: {target}\n  layers:\n{}nudge: {nudge}\nlearning_rate: {lr}\nreflection_layers: {reflection_layers}\n",
        layers.iter().map(|(c, w)| format!("    - {{ coefficient: {c}, weight: {w} }}\n")).collect::<String>()
    );
    if let Some((activation, digits)) = net.extension {
        let activation = ["sigmoid", "tanh", "relu"][usize::from(activation % 3)];
        yaml.push_str(&format!("extension:\n  activation: {activation}\n  digits: {}\n", 2 + digits % 9));
    }

    // The expected values, computed here independently.
    let lr_x = exact(&lr);
    let cs: Vec<Exact> = layers.iter().map(|(c, _)| exact(c)).collect();
    let ws: Vec<Exact> = layers.iter().map(|(_, w)| exact(w)).collect();
    let mut y = exact(&input);
    for (c, w) in cs.iter().zip(&ws) {
        y = &(c * &y) + w;
    }
    let residual = &y - &exact(&target);
    let error = &Exact::half() * &residual.square();
    // ∂y/∂w_k = c_{k+1}·…·c_L.
    let dy_dw: Vec<Exact> = (0..count).map(|k| cs[k + 1..].iter().cloned().product()).collect();
    let s: Exact = dy_dw.iter().map(Exact::square).sum();
    let shrink = &Exact::int(1) - &(&lr_x * &s);

    let spec = match config::parse(&yaml, "fuzz.yaml", "fuzz") {
        Ok(spec) => spec,
        Err(e) => {
            let message = e.to_string();
            if residual.is_zero() && message.contains("starting error is zero") {
                return;
            }
            if net.extension.is_some() && message.contains("overflow") {
                return;
            }
            panic!("valid config rejected:\n{yaml}\n{message}");
        }
    };
    assert!(!residual.is_zero(), "a zero starting error was accepted:\n{yaml}");
    let worksheet = spec.fixed().expect("a config without ranges is fixed");
    let solved = backprop_worksheet::answers::solve(worksheet, words()).expect("an accepted config solves");
    let a = &solved.answers;

    assert_eq!(answer(a, count, "y"), y, "y\n{yaml}");
    assert_eq!(answer(a, count, "error"), error, "E\n{yaml}");
    assert_eq!(answer(a, count, "dE_dy"), residual, "dE/dy\n{yaml}");
    for k in 0..count {
        let grad = &residual * &dy_dw[k];
        assert_eq!(answer(a, count, &format!("grad_w{}", k + 1)), grad, "dE/dw{}\n{yaml}", k + 1);
        assert_eq!(answer(a, count, &format!("new_w{}", k + 1)), &ws[k] - &(&lr_x * &grad), "new w{}\n{yaml}", k + 1);
    }
    assert_eq!(solved.solution.update.sensitivity, s, "S\n{yaml}");
    assert_eq!(solved.solution.update.shrink, shrink, "1 - lr*S\n{yaml}");
    let new_error = answer(a, count, "new_error");
    assert_eq!(new_error, &error * &shrink.square(), "new E = E(1 - lr S)^2\n{yaml}");
    assert_eq!(answer(a, count, "error_change"), &new_error - &error, "new E - E\n{yaml}");
    assert_eq!(flag(a, count, "error_decreased"), new_error < error, "error_decreased\n{yaml}");

    let text = solved.text("t", None, &|_| Vec::new(), words()).expect("the answers' text renders");
    assert!(text.contains("new_error"));
    serde_json::to_string(a).expect("answers serialize to JSON");
});
