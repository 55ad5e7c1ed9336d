//! Every blank of the worksheet under a stable id, with the model answers
//! phrased in this worksheet's numbers, and their text and JSON forms.
//!
//! The ids are a public contract (README, "Answer ids"): `require:` constraints,
//! manifests and templates all refer to blanks by them.

use std::fmt::Write as _;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::engine::{self, Direction, Outcome, Solution, Unsolvable};
use crate::model::{Activation, Worksheet};
use crate::nonlinear::significant;
use crate::number::Exact;

/// The value of one blank.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An exact number.
    Exact(Exact),
    /// A rounded value of the nonlinear extension: the rounded text and the double.
    Approx(String, f64),
    /// A whole count.
    Count(u64),
    /// A yes/no answer.
    Flag(bool),
    /// A word or a model answer.
    Text(String),
}

impl Value {
    /// The value as printed on the worksheet (true minus signs, `≈` not included).
    pub fn display(&self) -> String {
        match self {
            Value::Exact(x) => x.to_display_string(),
            Value::Approx(text, _) => text.clone(),
            Value::Count(n) => n.to_string(),
            Value::Flag(b) => if *b { "yes" } else { "no" }.to_owned(),
            Value::Text(t) => t.clone(),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Exact(x) => s.serialize_str(&x.to_plain_string()),
            Value::Approx(text, _) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("approx", &text.replace('\u{2212}', "-"))?;
                map.end()
            }
            Value::Count(n) => s.serialize_str(&n.to_string()),
            Value::Flag(b) => s.serialize_bool(*b),
            Value::Text(t) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("text", t)?;
                map.end()
            }
        }
    }
}

/// One blank: its id, the part of the worksheet it belongs to, a label and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Stable id, such as `nudge_w2.plus.error`.
    pub id: String,
    /// The heading it is listed under in the text form.
    pub group: &'static str,
    /// What it is, for people: `h = 3x + w1`.
    pub label: String,
    /// Its value.
    pub value: Value,
}

/// Every answer of one worksheet, in worksheet order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answers {
    list: Vec<Answer>,
}

impl Serialize for Answers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.list.len()))?;
        for a in &self.list {
            map.serialize_entry(&a.id, &a.value)?;
        }
        map.end()
    }
}

/// A worksheet with everything computed.
#[derive(Debug, Clone)]
pub struct Solved {
    /// The worksheet.
    pub worksheet: Worksheet,
    /// Its solution.
    pub solution: Solution,
    /// Its answers by id.
    pub answers: Answers,
}

/// Solves a worksheet whose numbers are fixed.
pub fn solve(worksheet: Worksheet) -> Result<Solved, Unsolvable> {
    let solution = engine::solve(&worksheet)?;
    let answers = Answers::new(&worksheet, &solution);
    Ok(Solved { worksheet, solution, answers })
}

/// The name of weight `k` (0-based) as plain text: `w1`.
pub fn weight_name(k: usize) -> String {
    format!("w{}", k + 1)
}

/// The plain-text name of layer output `j` (0-based) of an `layers`-layer network:
/// `h` for the one hidden value of the classic network, `h1`, `h2`, … otherwise,
/// and `y` for the last layer.
pub fn value_name(j: usize, layers: usize) -> String {
    if j + 1 == layers {
        "y".to_owned()
    } else if layers == 2 {
        "h".to_owned()
    } else {
        format!("h{}", j + 1)
    }
}

/// The id of layer output `j` (0-based): `h1`, `h2`, …, `y`.
pub fn value_id(j: usize, layers: usize) -> String {
    if j + 1 == layers {
        "y".to_owned()
    } else {
        format!("h{}", j + 1)
    }
}

/// The id of the local derivative of layer output `j` with respect to the previous
/// output (`dy_dh1`, `dh2_dh1`) — the coefficient of layer `j`.
pub fn link_id(j: usize, layers: usize) -> String {
    format!("d{}_d{}", value_id(j, layers), value_id(j - 1, layers))
}

/// The id of the derivative of layer output `k` with respect to its own weight (`dh1_dw1`, `dy_dw2`).
pub fn own_id(k: usize, layers: usize) -> String {
    format!("d{}_d{}", value_id(k, layers), weight_name(k))
}

fn number_words(x: &Exact) -> String {
    x.to_display_string()
}

impl Answers {
    /// Every answer, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Answer> {
        self.list.iter()
    }

    /// The answer with `id`.
    pub fn get(&self, id: &str) -> Option<&Answer> {
        self.list.iter().find(|a| a.id == id)
    }

    fn push(&mut self, id: impl Into<String>, group: &'static str, label: impl Into<String>, value: Value) {
        self.list.push(Answer { id: id.into(), group, label: label.into(), value });
    }

    fn exact(&mut self, id: impl Into<String>, group: &'static str, label: impl Into<String>, value: &Exact) {
        self.push(id, group, label, Value::Exact(value.clone()));
    }

    /// Builds every answer of `worksheet` from its `solution`.
    pub fn new(worksheet: &Worksheet, solution: &Solution) -> Answers {
        let mut a = Answers::default();
        let net = &worksheet.network;
        let layers = net.layers.len();
        let last = layers - 1;
        let nm = |j: usize| value_name(j, layers);

        const GIVEN: &str = "Given";
        a.exact("x", GIVEN, "input x", &net.input);
        a.exact("target", GIVEN, "target output", &net.target);
        for (i, l) in net.layers.iter().enumerate() {
            a.exact(format!("c{}", i + 1), GIVEN, format!("coefficient of layer {}", i + 1), &l.coefficient);
        }
        for (i, l) in net.layers.iter().enumerate() {
            a.exact(weight_name(i), GIVEN, format!("starting weight {}", weight_name(i)), &l.weight);
        }
        a.exact("nudge", GIVEN, "nudge", &worksheet.nudge);
        a.exact("learning_rate", GIVEN, "learning rate", &worksheet.learning_rate);

        const T1: &str = "The forward pass";
        for (j, v) in solution.values.iter().enumerate() {
            let prev = if j == 0 { "x".to_owned() } else { nm(j - 1) };
            let label =
                format!("{} = {}·{} + {}", nm(j), net.layers[j].coefficient.to_display_string(), prev, weight_name(j));
            a.exact(value_id(j, layers), T1, label, v);
        }
        a.exact("error", T1, "E = ½(y − target)²", &solution.error);
        a.push("discussion", T1, "Is our network doing well?", Value::Text(discussion(worksheet, solution)));

        const T23: &str = "Nudge experiments";
        for k in (0..layers).rev() {
            let w = weight_name(k);
            let e = &solution.experiments[k];
            for (row, trial) in [("base", &e.base), ("plus", &e.plus), ("minus", &e.minus)] {
                let p = format!("nudge_{w}.{row}");
                a.exact(format!("{p}.{w}"), T23, format!("{w} ({row})"), &trial.weight);
                for j in k.saturating_sub(1)..layers {
                    a.exact(
                        format!("{p}.{}", value_id(j, layers)),
                        T23,
                        format!("{} with {w} = {}", nm(j), trial.weight),
                        &trial.values[j],
                    );
                }
                a.exact(format!("{p}.error"), T23, format!("E with {w} = {}", trial.weight), &trial.error);
                if row != "base" {
                    a.exact(format!("{p}.change"), T23, format!("change in E ({row})"), &trial.change);
                }
            }
            let dir = match e.direction {
                Direction::Increase => "increase",
                Direction::Decrease => "decrease",
            };
            a.push(
                format!("nudge_{w}.direction"),
                T23,
                format!("increase or decrease {w}?"),
                Value::Text(dir.to_owned()),
            );
        }
        let strongest: Vec<String> = solution.strongest.iter().map(|&k| weight_name(k)).collect();
        let strongest_text = if strongest.len() == 1 {
            strongest[0].clone()
        } else {
            format!("a tie: {} affect it equally", strongest.join(" and "))
        };
        a.push("strongest_weight", T23, "which weight has the bigger effect?", Value::Text(strongest_text));

        const T46: &str = "Derivatives and the chain rule";
        a.exact(own_id(last, layers), T46, format!("dy/d{}", weight_name(last)), &Exact::int(1));
        a.exact("dE_dy", T46, "dE/dy = y − target", &solution.residual);
        a.push("which_rule", T46, "What calculus rule do we use?", Value::Text(format!(
            "The chain rule: when E depends on y and y depends on {w}, multiply the derivatives along the chain, dE/d{w} = dE/dy · dy/d{w}.",
            w = weight_name(last)
        )));
        // In worksheet order: the last weight's chain, then each longer chain,
        // its new local derivatives first (a link appears once, where it is first used).
        for k in (0..layers).rev() {
            let w = weight_name(k);
            if k < last {
                let j = k + 1;
                a.exact(own_id(k, layers), T46, format!("d{}/d{w}", nm(k)), &Exact::int(1));
                a.exact(link_id(j, layers), T46, format!("d{}/d{}", nm(j), nm(k)), &net.layers[j].coefficient);
            }
            a.exact(format!("grad_{w}"), T46, format!("dE/d{w}"), &solution.gradients[k].value);
            a.push(
                format!("check_{w}"),
                T46,
                format!("Does dE/d{w} match the experiment?"),
                Value::Text(check(worksheet, solution, k)),
            );
        }

        const T7: &str = "Reflection";
        a.push("why_harder", T7, "Why was dE/dw1 harder?", Value::Text(why_harder(layers)));
        a.push(
            "reflection_factors",
            T7,
            format!("derivatives chained for w1 with {} layers", worksheet.reflection_layers),
            Value::Count(u64::from(solution.reflection_factors)),
        );
        a.push(
            "reflection",
            T7,
            format!("What if the network had {} layers?", worksheet.reflection_layers),
            Value::Text(reflection(worksheet.reflection_layers, solution.reflection_factors)),
        );
        a.push("billions", T7, "How do they compute billions of gradients?", Value::Text(billions(layers)));

        const T8: &str = "The update step";
        for k in (0..layers).rev() {
            let w = weight_name(k);
            a.exact(format!("new_{w}"), T8, format!("new {w} = {w} − lr·dE/d{w}"), &solution.update.weights[k]);
        }
        for (j, v) in solution.update.values.iter().enumerate() {
            a.exact(format!("new_{}", value_id(j, layers)), T8, format!("new {}", nm(j)), v);
        }
        a.exact("new_error", T8, "new E", &solution.update.error);
        a.exact("error_change", T8, "new E − E", &(&solution.update.error - &solution.error));
        a.push(
            "error_decreased",
            T8,
            "Did the error decrease?",
            Value::Flag(solution.update.outcome == Outcome::Decreased),
        );
        a.push(
            "error_verdict",
            T8,
            "Did the error decrease? (model answer)",
            Value::Text(verdict(worksheet, solution)),
        );

        if let Some(ext) = &solution.extension {
            const EX: &str = "Extension challenge";
            let d = ext.digits;
            let approx = |v: f64| Value::Approx(significant(v, d), v);
            let f = activation_symbol(ext.activation);
            a.exact("ext.z", EX, "z = c1·x + w1", &ext.z);
            a.push("ext.h1", EX, format!("h = {f}(z)"), approx(ext.activated));
            a.push("ext.slope", EX, format!("{f}′(z)"), approx(ext.slope));
            for (j, v) in ext.values.iter().enumerate().skip(1) {
                a.push(format!("ext.{}", value_id(j, layers)), EX, nm(j), approx(*v));
            }
            a.push("ext.error", EX, "E", approx(ext.error));
            a.push("ext.dE_dy", EX, "dE/dy", approx(ext.residual));
            a.push("ext.grad_w1", EX, "dE/dw1", approx(ext.gradient));
            a.push("ext.explanation", EX, "What's different?", Value::Text(extension_explanation(worksheet, solution)));
        }
        a
    }

    /// The answer sheet as text for a terminal, grouped by task.
    pub fn to_text(&self, title: &str) -> String {
        let mut out = format!("{title}\n");
        let width = self
            .list
            .iter()
            .filter(|a| !matches!(a.value, Value::Text(_)))
            .map(|a| a.id.chars().count())
            .max()
            .unwrap_or(0);
        let mut group = "";
        for a in &self.list {
            if a.group != group {
                group = a.group;
                let _ = write!(out, "\n{group}\n");
            }
            match &a.value {
                Value::Text(t) if t.len() > 40 => {
                    let _ = writeln!(out, "  {}  ({})", a.label, a.id);
                    for line in wrap(t, 76) {
                        let _ = writeln!(out, "      {line}");
                    }
                }
                value => {
                    let shown = match value {
                        Value::Approx(t, _) => format!("≈ {t}"),
                        other => other.display(),
                    };
                    let _ = writeln!(out, "  {:<width$}  {:<12}  {}", a.id, shown, a.label);
                }
            }
        }
        out
    }
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// The usual symbol of an activation: σ, tanh, ReLU.
pub fn activation_symbol(activation: Activation) -> &'static str {
    match activation {
        Activation::Sigmoid => "σ",
        Activation::Tanh => "tanh",
        Activation::Relu => "ReLU",
    }
}

fn discussion(worksheet: &Worksheet, s: &Solution) -> String {
    let y = s.output();
    let t = &worksheet.network.target;
    let gap = (y - t).abs();
    let side = if y < t { "too low" } else { "too high" };
    format!(
        "No. It predicts y = {} but the target is {}, so it is {} by {}, and the error is E = {} instead of 0. \
         The weights need to change to bring y closer to {}.",
        number_words(y),
        number_words(t),
        side,
        number_words(&gap),
        number_words(&s.error),
        number_words(t)
    )
}

fn check(worksheet: &Worksheet, s: &Solution, k: usize) -> String {
    let w = weight_name(k);
    let e = &s.experiments[k];
    let nudge = number_words(&worksheet.nudge);
    let gradient = number_words(&s.gradients[k].value);
    let curvature = &e.plus.change - &e.predicted_change;
    let tail = if curvature.is_zero() {
        String::new()
    } else {
        format!(
            " The two nudges differ slightly because E curves; their average slope, ({} − {}) ÷ (2 × {nudge}), is exactly {gradient}.",
            number_words(&e.plus.error),
            number_words(&e.minus.error)
        )
    };
    format!(
        "Yes. dE/d{w} = {gradient} predicts that raising {w} by {nudge} changes E by about {gradient} × {nudge} = {}; the table measured {}.{tail}",
        number_words(&e.predicted_change),
        number_words(&e.plus.change),
    )
}

fn why_harder(layers: usize) -> String {
    if layers == 2 {
        "w1 is further from the error. It changes h, which changes y, which changes E, so dE/dw1 is a chain of three \
         derivatives (dE/dy · dy/dh · dh/dw1), while w2 changes y directly and dE/dw2 needs only two (dE/dy · dy/dw2)."
            .to_owned()
    } else {
        format!(
            "w1 is the furthest from the error: its change passes through every one of the {layers} layers before it reaches E, \
             so dE/dw1 is a chain of {} derivatives, while the last weight changes y directly and needs only two (dE/dy · dy/dw{layers}).",
            layers + 1
        )
    }
}

fn reflection(layers: u32, factors: u32) -> String {
    format!(
        "{factors} derivatives: dE/dy, then one layer-to-layer derivative for each of the {} steps from the first hidden value \
         up to y, then the first layer's derivative with respect to w1. Every extra layer adds one more factor to the chain, \
         and the product of many factors can become very small or very large.",
        layers - 1
    )
}

fn billions(layers: usize) -> String {
    let shared = if layers == 2 {
        "dE/dy, which both dE/dw2 and dE/dw1 used"
    } else {
        "dE/dy and the products of later derivatives"
    };
    format!(
        "They use backpropagation, automatically: one forward pass stores every layer's value, then one backward pass goes \
         from the error to the first layer, applying the chain rule layer by layer and reusing the shared pieces ({shared}) \
         instead of recomputing them for each weight. So all the gradients cost about as much as one extra pass through \
         the network, and computers (GPUs) do the multiplications in parallel."
    )
}

fn verdict(worksheet: &Worksheet, s: &Solution) -> String {
    let before = number_words(&s.error);
    let after = number_words(&s.update.error);
    let lr = number_words(&worksheet.learning_rate);
    match s.update.outcome {
        Outcome::Decreased => format!("Yes: the error fell from {before} to {after}."),
        Outcome::Unchanged => format!(
            "No: the error stayed at {after}. The learning rate {lr} is so large that the step jumped exactly over the best weights to an equally bad spot."
        ),
        Outcome::Increased => format!(
            "No: the error grew from {before} to {after}. The learning rate {lr} is too large for this network: the step overshoots \
             the best weights. A smaller learning rate would lower the error."
        ),
    }
}

fn extension_explanation(worksheet: &Worksheet, s: &Solution) -> String {
    let ext = s.extension.as_ref().expect("extension");
    let d = ext.digits;
    let f = activation_symbol(ext.activation);
    let linear = number_words(&s.gradients[0].value);
    let grad = significant(ext.gradient, d);
    let slope = significant(ext.slope, d);
    let z = number_words(&ext.z);
    let layers = worksheet.network.layers.len();
    let links: String =
        (1..layers).rev().map(|j| format!(" · d{}/d{}", value_name(j, layers), value_name(j - 1, layers))).collect();
    let chain = format!("The chain gains a factor: dE/dw1 = dE/dy{links} · {f}′(z) · dz/dw1, and {f}′({z}) ≈ {slope}.");
    match ext.activation {
        Activation::Relu if ext.slope == 0.0 => format!(
            "{chain} With z = {z} ≤ 0 the ReLU outputs 0 and is flat, so dE/dw1 = 0: w1 gets no signal at all and cannot learn (a \"dead\" ReLU), where the linear network had dE/dw1 = {linear}."
        ),
        Activation::Relu => format!(
            "{chain} With z = {z} > 0 the ReLU passes z through unchanged, so the chain is the linear one and dE/dw1 ≈ {grad}, the same as the linear network's {linear}. For z < 0 it would be 0 and w1 could not learn."
        ),
        _ if ext.slope.abs() < 0.1 => format!(
            "{chain} Since z = {z} is far from 0 the {} is saturated (almost flat) there, so this factor is tiny and dE/dw1 ≈ {grad} instead of the linear network's {linear}: w1 barely learns. This is the vanishing gradient problem.",
            if ext.activation == Activation::Sigmoid { "sigmoid" } else { "tanh" }
        ),
        _ => format!(
            "{chain} Near z = 0 the {} is steep, so the factor only scales the gradient: dE/dw1 ≈ {grad}, compared with the linear network's {linear}. Far from 0 it would flatten and the gradient would vanish.",
            if ext.activation == Activation::Sigmoid { "sigmoid" } else { "tanh" }
        ),
    }
}
