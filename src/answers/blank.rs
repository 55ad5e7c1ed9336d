//! What a blank is: one type names every blank of a sheet, a given number,
//! a layer's value, a cell of an experiment table, a link of the chain, …
//! It prints as the blank's public id (`nudge_w2.plus.y`, README, "Answer
//! ids") and is read from one only at the edges: `require:` constraints,
//! templates and the self-check page's data. Everything else asks the type
//! what a blank is, how it is written in maths and whether it prints exactly.

use std::fmt;

use serde::Serialize;

/// A weight, by its layer (0-based): `w1` is `Weight(0)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weight(pub usize);

impl Weight {
    /// Its number as the sheet writes it: 1 for `w1`.
    pub fn number(self) -> usize {
        self.0 + 1
    }

    /// Its plain name: `w2`.
    pub fn name(self) -> String {
        format!("w{}", self.number())
    }

    /// Its name as Typst maths: `w_2`.
    pub fn math(self) -> String {
        format!("w_{}", self.number())
    }
}

/// The output of a layer (0-based) of a network of `layers` layers: the
/// hidden values `h1`, `h2`, … and the output `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Node {
    /// The layer, 0-based.
    pub layer: usize,
    /// How many layers the network has.
    pub layers: usize,
}

impl Node {
    /// The output of layer `layer` of a network of `layers` layers.
    pub fn new(layer: usize, layers: usize) -> Node {
        Node { layer, layers }
    }

    /// The network's output, `y`.
    pub fn output(layers: usize) -> Node {
        Node { layer: layers - 1, layers }
    }

    /// Whether it is the output `y`.
    pub fn is_output(self) -> bool {
        self.layer + 1 == self.layers
    }

    /// Its id: `h1`, `h2`, …, `y`.
    pub fn id(self) -> String {
        if self.is_output() {
            "y".to_owned()
        } else {
            format!("h{}", self.layer + 1)
        }
    }

    /// Its plain name on the sheet: `h` for the one hidden value of a
    /// two-layer network, `h1`, `h2`, … otherwise, and `y`.
    pub fn name(self) -> String {
        if self.layers == 2 && !self.is_output() {
            "h".to_owned()
        } else {
            self.id()
        }
    }

    /// Its name as Typst maths: `h`, `h_1`, `y`.
    pub fn math(self) -> String {
        math_name(&self.name())
    }

    /// The weight added in its layer.
    pub fn weight(self) -> Weight {
        Weight(self.layer)
    }

    /// The value its layer takes in, if it is a layer's output (not for the first).
    pub fn previous(self) -> Option<Node> {
        self.layer.checked_sub(1).map(|layer| Node { layer, layers: self.layers })
    }
}

/// A plain name in Typst maths: `h1` → `h_1`, `w2` → `w_2`, `y` → `y`.
pub fn math_name(plain: &str) -> String {
    match plain.find(|c: char| c.is_ascii_digit()) {
        Some(i) => format!("{}_{}", &plain[..i], &plain[i..]),
        None => plain.to_owned(),
    }
}

/// A given number: printed on the sheet as the teacher wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Given {
    /// The input `x`.
    Input,
    /// The target output.
    Target,
    /// The coefficient of a layer (0-based): `c1`.
    Coefficient(usize),
    /// A starting weight: `w1`.
    Weight(Weight),
    /// The nudge of the experiment tables.
    Nudge,
    /// The learning rate.
    LearningRate,
}

/// A row of an experiment table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Row {
    /// The weight as it is.
    Base,
    /// The weight plus the nudge.
    Plus,
    /// The weight minus the nudge.
    Minus,
}

impl Row {
    /// The three rows, in the table's order.
    pub const ALL: [Row; 3] = [Row::Base, Row::Plus, Row::Minus];

    /// `base`, `plus` or `minus`.
    pub fn name(self) -> &'static str {
        match self {
            Row::Base => "base",
            Row::Plus => "plus",
            Row::Minus => "minus",
        }
    }
}

/// A column of an experiment table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    /// The nudged weight's value in the row.
    Weight,
    /// A layer's value after the nudge.
    Value(Node),
    /// The error.
    Error,
    /// The change in the error against the original row.
    Change,
}

/// A blank of the extension challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ext {
    /// `z = c1·x + w1`.
    Z,
    /// The first layer's value, the activation of `z`: `ext.h1`.
    Activated,
    /// The activation's slope at `z`.
    Slope,
    /// A later layer's value: `ext.h2`, `ext.y`.
    Value(Node),
    /// The error.
    Error,
    /// dE/dy.
    ErrorSlope,
    /// dE/dw1.
    Gradient,
    /// What the activation changes (a model answer).
    Explanation,
}

/// One blank of a sheet, or one of its given numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Blank {
    /// A given number: `x`, `target`, `c1`, `w1`, `nudge`, `learning_rate`.
    Given(Given),
    /// A layer's value in the forward pass: `h1`, `y`.
    Value(Node),
    /// The error E: `error`.
    Error,
    /// Is the network doing well? (a model answer): `discussion`.
    Discussion,
    /// A cell of the experiment table of `weight`: `nudge_w2.plus.y`.
    Table {
        /// The weight the table nudges.
        weight: Weight,
        /// Its row.
        row: Row,
        /// Its column.
        column: Column,
    },
    /// Which way to move a weight: `nudge_w2.direction`.
    Direction(Weight),
    /// The weight with the bigger effect: `strongest_weight`.
    StrongestWeight,
    /// A layer's output by its own weight, which is 1: `dy_dw2`, `dh1_dw1`.
    Own(Node),
    /// dE/dy: `dE_dy`.
    ErrorSlope,
    /// Which calculus rule (a model answer): `which_rule`.
    WhichRule,
    /// A layer's output by the value it takes in, its coefficient: `dy_dh1`, `dh2_dh1`.
    Link(Node),
    /// dE/dwK: `grad_w1`.
    Gradient(Weight),
    /// Does the gradient match the experiment? (a model answer): `check_w1`.
    Check(Weight),
    /// Why was dE/dw1 harder? (a model answer): `why_harder`.
    WhyHarder,
    /// The number of derivatives chained for w1 in the reflection: `reflection_factors`.
    ReflectionFactors,
    /// The reflection's model answer: `reflection`.
    Reflection,
    /// How billions of gradients are computed (a model answer): `billions`.
    Billions,
    /// A weight after the update: `new_w1`.
    NewWeight(Weight),
    /// A layer's value after the update: `new_h1`, `new_y`.
    NewValue(Node),
    /// The error after the update: `new_error`.
    NewError,
    /// The change of the error by the update: `error_change`.
    ErrorChange,
    /// Did the error decrease? (yes or no): `error_decreased`.
    ErrorDecreased,
    /// Did the error decrease? (a model answer): `error_verdict`.
    ErrorVerdict,
    /// A blank of the extension challenge: `ext.z`, `ext.grad_w1`, ….
    Extension(Ext),
}

/// The part of the sheet a blank belongs to, in the sheet's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// The given numbers.
    Given,
    /// Task 1: the forward pass.
    Forward,
    /// Tasks 2 and 3: the nudge experiments.
    Nudges,
    /// Tasks 4 to 6: the derivatives and the chain rule.
    Chain,
    /// Task 7: the reflection.
    Reflection,
    /// Task 8: the update step.
    Update,
    /// The extension challenge.
    Extension,
}

impl Blank {
    /// The part of the sheet it belongs to.
    pub fn group(self) -> Group {
        match self {
            Blank::Given(_) => Group::Given,
            Blank::Value(_) | Blank::Error | Blank::Discussion => Group::Forward,
            Blank::Table { .. } | Blank::Direction(_) | Blank::StrongestWeight => Group::Nudges,
            Blank::Own(_)
            | Blank::ErrorSlope
            | Blank::WhichRule
            | Blank::Link(_)
            | Blank::Gradient(_)
            | Blank::Check(_) => Group::Chain,
            Blank::WhyHarder | Blank::ReflectionFactors | Blank::Reflection | Blank::Billions => Group::Reflection,
            Blank::NewWeight(_)
            | Blank::NewValue(_)
            | Blank::NewError
            | Blank::ErrorChange
            | Blank::ErrorDecreased
            | Blank::ErrorVerdict => Group::Update,
            Blank::Extension(_) => Group::Extension,
        }
    }

    /// Whether the sheet prints it exactly as it is, however long: a given
    /// number (as the teacher wrote it), a local derivative of the chain (a
    /// coefficient, or 1), and the weight of an experiment table's row
    /// (`w ± nudge`, which must show the nudge).
    pub fn prints_exactly(self) -> bool {
        matches!(self, Blank::Given(_) | Blank::Own(_) | Blank::Link(_) | Blank::Table { column: Column::Weight, .. })
    }

    /// Whether it is a given number a layer has: a coefficient or a starting weight.
    pub fn is_layer_given(self) -> bool {
        matches!(self, Blank::Given(Given::Coefficient(_) | Given::Weight(_)))
    }

    /// The blank in the sheet's notation, as Typst maths, when its notation
    /// has no words: `h_1`, `E`, `(d E) / (d w_2)`, `(d y) / (d h)`; `None`
    /// for the others (an experiment table's cells, the new values, the
    /// model answers), which a template writes.
    pub fn math(self) -> Option<String> {
        let fraction = |top: &str, bottom: &str| format!("(d {top}) / (d {bottom})");
        Some(match self {
            Blank::Given(Given::Input) => "x".to_owned(),
            Blank::Given(Given::Weight(w)) => w.math(),
            Blank::Value(node) => node.math(),
            Blank::Error => "E".to_owned(),
            Blank::Gradient(w) => fraction("E", &w.math()),
            Blank::ErrorSlope => fraction("E", "y"),
            Blank::Own(node) => fraction(&node.math(), &node.weight().math()),
            Blank::Link(node) => fraction(&node.math(), &node.previous()?.math()),
            _ => return None,
        })
    }

    /// Reads a public id of a sheet of `layers` layers; `None` if no blank of
    /// such a sheet has it.
    pub fn parse(id: &str, layers: usize) -> Option<Blank> {
        let weight = |name: &str| -> Option<Weight> {
            let k: usize = name.strip_prefix('w')?.parse().ok()?;
            (1..=layers).contains(&k).then(|| Weight(k - 1))
        };
        let node = |name: &str| -> Option<Node> {
            if name == "y" {
                return Some(Node::output(layers));
            }
            let j: usize = name.strip_prefix('h')?.parse().ok()?;
            (1..layers).contains(&j).then(|| Node::new(j - 1, layers))
        };
        let blank = match id {
            "x" => Blank::Given(Given::Input),
            "target" => Blank::Given(Given::Target),
            "nudge" => Blank::Given(Given::Nudge),
            "learning_rate" => Blank::Given(Given::LearningRate),
            "error" => Blank::Error,
            "discussion" => Blank::Discussion,
            "strongest_weight" => Blank::StrongestWeight,
            "dE_dy" => Blank::ErrorSlope,
            "which_rule" => Blank::WhichRule,
            "why_harder" => Blank::WhyHarder,
            "reflection_factors" => Blank::ReflectionFactors,
            "reflection" => Blank::Reflection,
            "billions" => Blank::Billions,
            "new_error" => Blank::NewError,
            "error_change" => Blank::ErrorChange,
            "error_decreased" => Blank::ErrorDecreased,
            "error_verdict" => Blank::ErrorVerdict,
            _ => {
                if let Some(ext) = id.strip_prefix("ext.") {
                    return Some(Blank::Extension(match ext {
                        "z" => Ext::Z,
                        "h1" => Ext::Activated,
                        "slope" => Ext::Slope,
                        "error" => Ext::Error,
                        "dE_dy" => Ext::ErrorSlope,
                        "grad_w1" => Ext::Gradient,
                        "explanation" => Ext::Explanation,
                        other => Ext::Value(node(other).filter(|n| n.layer > 0)?),
                    }));
                }
                if let Some(rest) = id.strip_prefix("nudge_") {
                    let (w, rest) = rest.split_once('.')?;
                    let weight = weight(w)?;
                    if rest == "direction" {
                        return Some(Blank::Direction(weight));
                    }
                    let (row, column) = rest.split_once('.')?;
                    let row = Row::ALL.into_iter().find(|r| r.name() == row)?;
                    let column = match column {
                        "error" => Column::Error,
                        "change" if row != Row::Base => Column::Change,
                        c if c == w => Column::Weight,
                        c => Column::Value(node(c).filter(|n| n.layer + 1 >= weight.0)?),
                    };
                    return Some(Blank::Table { weight, row, column });
                }
                if let Some((top, bottom)) = id.strip_prefix('d').and_then(|rest| rest.split_once("_d")) {
                    let top = node(top)?;
                    return match (weight(bottom), node(bottom)) {
                        (Some(w), _) if w == top.weight() => Some(Blank::Own(top)),
                        (_, Some(from)) if Some(from) == top.previous() => Some(Blank::Link(top)),
                        _ => None,
                    };
                }
                if let Some(w) = id.strip_prefix("grad_") {
                    return Some(Blank::Gradient(weight(w)?));
                }
                if let Some(w) = id.strip_prefix("check_") {
                    return Some(Blank::Check(weight(w)?));
                }
                if let Some(rest) = id.strip_prefix("new_") {
                    return weight(rest).map(Blank::NewWeight).or_else(|| node(rest).map(Blank::NewValue));
                }
                if let Some(k) = id.strip_prefix('c').and_then(|k| k.parse::<usize>().ok()) {
                    return (1..=layers).contains(&k).then(|| Blank::Given(Given::Coefficient(k - 1)));
                }
                if let Some(w) = weight(id) {
                    return Some(Blank::Given(Given::Weight(w)));
                }
                return node(id).map(Blank::Value);
            }
        };
        Some(blank)
    }
}

/// What a template knows of a blank, to word it (a screen reader's label
/// on the page, a line of `answers`' text, a cell of the key's rubric):
/// which blank it is and its names in the sheet's notation. Fields that do
/// not apply are `none`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// The public id: `nudge_w2.plus.y`.
    pub id: String,
    /// What it is: `given`, `value`, `error`, `discussion`, `table`,
    /// `direction`, `strongest_weight`, `own`, `error_slope`, `which_rule`,
    /// `link`, `gradient`, `check`, `why_harder`, `reflection_factors`,
    /// `reflection`, `billions`, `new_weight`, `new_value`, `new_error`,
    /// `error_change`, `error_decreased`, `error_verdict` or `extension`.
    pub kind: &'static str,
    /// For a given number: `input`, `target`, `coefficient`, `weight`,
    /// `nudge` or `learning_rate`.
    pub given: Option<&'static str>,
    /// For the extension: `z`, `activated`, `slope`, `value`, `error`,
    /// `error_slope`, `gradient` or `explanation`.
    pub ext: Option<&'static str>,
    /// The layer it belongs to, 1-based (a coefficient's, a value's, a weight's).
    pub layer: Option<usize>,
    /// The weight it is about, plain (`w2`) and as maths (`w_2`).
    pub weight: Option<String>,
    /// See `weight`.
    pub weight_math: Option<String>,
    /// The layer value it is about, plain (`h`, `h1`, `y`) and as maths.
    pub node: Option<String>,
    /// See `node`.
    pub node_math: Option<String>,
    /// Its id: `h1`, `y` (the sheet names the one hidden value of two layers `h`).
    pub node_id: Option<String>,
    /// The value that layer takes in, plain (`x`, `h1`) and as maths.
    pub input: Option<String>,
    /// See `input`.
    pub input_math: Option<String>,
    /// Its id: `x`, `h1`.
    pub input_id: Option<String>,
    /// An experiment table's row: `base`, `plus` or `minus`.
    pub row: Option<&'static str>,
    /// An experiment table's column: `weight`, `value`, `error` or `change`.
    pub column: Option<&'static str>,
    /// The blank in the sheet's notation, when it has no words ([`Blank::math`]).
    pub math: Option<String>,
}

impl Blank {
    /// What a template knows of it ([`Facts`]).
    pub fn facts(self) -> Facts {
        let mut facts = Facts {
            id: self.to_string(),
            kind: "",
            given: None,
            ext: None,
            layer: None,
            weight: None,
            weight_math: None,
            node: None,
            node_math: None,
            node_id: None,
            input: None,
            input_math: None,
            input_id: None,
            row: None,
            column: None,
            math: self.math(),
        };
        let weight = |facts: &mut Facts, w: Weight| {
            facts.weight = Some(w.name());
            facts.weight_math = Some(w.math());
            facts.layer = Some(w.number());
        };
        let node = |facts: &mut Facts, n: Node| {
            facts.node = Some(n.name());
            facts.node_math = Some(n.math());
            facts.node_id = Some(n.id());
            facts.layer = Some(n.layer + 1);
            let x = || ("x".to_owned(), "x".to_owned(), "x".to_owned());
            let (input, input_math, input_id) = n.previous().map_or_else(x, |p| (p.name(), p.math(), p.id()));
            facts.input = Some(input);
            facts.input_math = Some(input_math);
            facts.input_id = Some(input_id);
        };
        facts.kind = match self {
            Blank::Given(given) => {
                facts.given = Some(match given {
                    Given::Input => "input",
                    Given::Target => "target",
                    Given::Coefficient(j) => {
                        facts.layer = Some(j + 1);
                        "coefficient"
                    }
                    Given::Weight(w) => {
                        weight(&mut facts, w);
                        "weight"
                    }
                    Given::Nudge => "nudge",
                    Given::LearningRate => "learning_rate",
                });
                "given"
            }
            Blank::Value(n) => {
                node(&mut facts, n);
                "value"
            }
            Blank::Error => "error",
            Blank::Discussion => "discussion",
            Blank::Table { weight: w, row, column } => {
                weight(&mut facts, w);
                facts.row = Some(row.name());
                facts.column = Some(match column {
                    Column::Weight => "weight",
                    Column::Value(n) => {
                        node(&mut facts, n);
                        "value"
                    }
                    Column::Error => "error",
                    Column::Change => "change",
                });
                "table"
            }
            Blank::Direction(w) => {
                weight(&mut facts, w);
                "direction"
            }
            Blank::StrongestWeight => "strongest_weight",
            Blank::Own(n) => {
                node(&mut facts, n);
                weight(&mut facts, n.weight());
                "own"
            }
            Blank::ErrorSlope => "error_slope",
            Blank::WhichRule => "which_rule",
            Blank::Link(n) => {
                node(&mut facts, n);
                "link"
            }
            Blank::Gradient(w) => {
                weight(&mut facts, w);
                "gradient"
            }
            Blank::Check(w) => {
                weight(&mut facts, w);
                "check"
            }
            Blank::WhyHarder => "why_harder",
            Blank::ReflectionFactors => "reflection_factors",
            Blank::Reflection => "reflection",
            Blank::Billions => "billions",
            Blank::NewWeight(w) => {
                weight(&mut facts, w);
                "new_weight"
            }
            Blank::NewValue(n) => {
                node(&mut facts, n);
                "new_value"
            }
            Blank::NewError => "new_error",
            Blank::ErrorChange => "error_change",
            Blank::ErrorDecreased => "error_decreased",
            Blank::ErrorVerdict => "error_verdict",
            Blank::Extension(ext) => {
                facts.ext = Some(match ext {
                    Ext::Z => "z",
                    Ext::Activated => "activated",
                    Ext::Slope => "slope",
                    Ext::Value(n) => {
                        node(&mut facts, n);
                        "value"
                    }
                    Ext::Error => "error",
                    Ext::ErrorSlope => "error_slope",
                    Ext::Gradient => "gradient",
                    Ext::Explanation => "explanation",
                });
                "extension"
            }
        };
        facts
    }
}

impl fmt::Display for Blank {
    /// The public id.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Blank::Given(Given::Input) => f.write_str("x"),
            Blank::Given(Given::Target) => f.write_str("target"),
            Blank::Given(Given::Coefficient(j)) => write!(f, "c{}", j + 1),
            Blank::Given(Given::Weight(w)) => f.write_str(&w.name()),
            Blank::Given(Given::Nudge) => f.write_str("nudge"),
            Blank::Given(Given::LearningRate) => f.write_str("learning_rate"),
            Blank::Value(node) => f.write_str(&node.id()),
            Blank::Error => f.write_str("error"),
            Blank::Discussion => f.write_str("discussion"),
            Blank::Table { weight, row, column } => {
                let column = match column {
                    Column::Weight => weight.name(),
                    Column::Value(node) => node.id(),
                    Column::Error => "error".to_owned(),
                    Column::Change => "change".to_owned(),
                };
                write!(f, "nudge_{}.{}.{column}", weight.name(), row.name())
            }
            Blank::Direction(w) => write!(f, "nudge_{}.direction", w.name()),
            Blank::StrongestWeight => f.write_str("strongest_weight"),
            Blank::Own(node) => write!(f, "d{}_d{}", node.id(), node.weight().name()),
            Blank::ErrorSlope => f.write_str("dE_dy"),
            Blank::WhichRule => f.write_str("which_rule"),
            Blank::Link(node) => {
                let from = node.previous().map_or_else(|| "x".to_owned(), Node::id);
                write!(f, "d{}_d{from}", node.id())
            }
            Blank::Gradient(w) => write!(f, "grad_{}", w.name()),
            Blank::Check(w) => write!(f, "check_{}", w.name()),
            Blank::WhyHarder => f.write_str("why_harder"),
            Blank::ReflectionFactors => f.write_str("reflection_factors"),
            Blank::Reflection => f.write_str("reflection"),
            Blank::Billions => f.write_str("billions"),
            Blank::NewWeight(w) => write!(f, "new_{}", w.name()),
            Blank::NewValue(node) => write!(f, "new_{}", node.id()),
            Blank::NewError => f.write_str("new_error"),
            Blank::ErrorChange => f.write_str("error_change"),
            Blank::ErrorDecreased => f.write_str("error_decreased"),
            Blank::ErrorVerdict => f.write_str("error_verdict"),
            Blank::Extension(ext) => match ext {
                Ext::Z => f.write_str("ext.z"),
                Ext::Activated => f.write_str("ext.h1"),
                Ext::Slope => f.write_str("ext.slope"),
                Ext::Value(node) => write!(f, "ext.{}", node.id()),
                Ext::Error => f.write_str("ext.error"),
                Ext::ErrorSlope => f.write_str("ext.dE_dy"),
                Ext::Gradient => f.write_str("ext.grad_w1"),
                Ext::Explanation => f.write_str("ext.explanation"),
            },
        }
    }
}

impl Serialize for Blank {
    /// As its public id.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_and_read_back() {
        for layers in 2..=5 {
            let nodes: Vec<Node> = (0..layers).map(|j| Node::new(j, layers)).collect();
            let weights: Vec<Weight> = (0..layers).map(Weight).collect();
            let mut all = vec![
                Blank::Given(Given::Input),
                Blank::Given(Given::Target),
                Blank::Given(Given::Nudge),
                Blank::Given(Given::LearningRate),
                Blank::Error,
                Blank::ErrorSlope,
                Blank::NewError,
                Blank::ErrorChange,
                Blank::Extension(Ext::Z),
                Blank::Extension(Ext::Activated),
                Blank::Extension(Ext::Gradient),
            ];
            for (&node, &w) in nodes.iter().zip(&weights) {
                all.extend([
                    Blank::Value(node),
                    Blank::Own(node),
                    Blank::NewValue(node),
                    Blank::NewWeight(w),
                    Blank::Gradient(w),
                    Blank::Check(w),
                    Blank::Direction(w),
                    Blank::Given(Given::Weight(w)),
                    Blank::Given(Given::Coefficient(node.layer)),
                ]);
                if node.layer > 0 {
                    all.extend([Blank::Link(node), Blank::Extension(Ext::Value(node))]);
                }
                for row in Row::ALL {
                    all.push(Blank::Table { weight: w, row, column: Column::Error });
                    all.push(Blank::Table { weight: w, row, column: Column::Weight });
                    for &value in &nodes[w.0.saturating_sub(1)..] {
                        all.push(Blank::Table { weight: w, row, column: Column::Value(value) });
                    }
                    if row != Row::Base {
                        all.push(Blank::Table { weight: w, row, column: Column::Change });
                    }
                }
            }
            for blank in all {
                let id = blank.to_string();
                assert_eq!(Blank::parse(&id, layers), Some(blank), "{id} with {layers} layers");
            }
        }
        assert_eq!(Blank::parse("nudge_w2.plus.y", 2).map(|b| b.to_string()).as_deref(), Some("nudge_w2.plus.y"));
        for not in ["h2", "w3", "c0", "dy_dh2", "dh1_dw2", "nudge_w3.plus.y", "ext.h1x", "nudge_w2.base.change", "z"] {
            assert_eq!(Blank::parse(not, 2), None, "{not}");
        }
    }
}
