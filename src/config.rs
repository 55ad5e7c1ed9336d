//! The YAML config: raw serde structs that mirror the file exactly, and their
//! validation into a checked [`WorksheetSpec`] that the rest of the program uses.
//!
//! Every error names the file, line and column and says what is allowed.

use std::fmt;
use std::path::Path;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, Result, SourceError};
use crate::model::{Activation, Extension, Layer, Network, Paper, Presentation, Video, Worksheet};
use crate::number::Exact;
use crate::yamlpos::PositionIndex;

/// Largest magnitude a number in a config may have.
pub const MAX_MAGNITUDE: i64 = 1_000_000;
/// Most digits after the decimal point a number in a config may have.
pub const MAX_DECIMAL_PLACES: u64 = 6;
/// Fewest and most layers a network may have.
pub const LAYER_RANGE: std::ops::RangeInclusive<usize> = 2..=5;
/// Most values a range or choice may offer.
pub const MAX_CHOICES: u64 = 100_000;

// ---------------------------------------------------------------------------
// Raw: the YAML as written.

/// The config file as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Worksheet title.
    pub title: String,
    /// Credit line under the title.
    #[serde(default)]
    pub credit: Option<String>,
    /// Paper size: `us-letter` or `a4`.
    #[serde(default)]
    pub paper: Paper,
    /// The introduction paragraph; omit for the standard one.
    #[serde(default)]
    pub intro: Option<String>,
    /// The "watch this first" video line; omit to leave it out.
    #[serde(default)]
    pub video: Option<Video>,
    /// Print the "Group Member Names" line (default true).
    #[serde(default = "yes")]
    pub names_line: bool,
    /// Print the "Date" line (default true).
    #[serde(default = "yes")]
    pub date_line: bool,
    /// The network.
    pub network: RawNetwork,
    /// Step used in the experiment tables.
    pub nudge: RawNumber,
    /// Learning rate of the update step.
    pub learning_rate: RawNumber,
    /// Layer count asked about in the reflection question.
    pub reflection_layers: u32,
    /// The nonlinear extension challenge; omit to leave it out.
    #[serde(default)]
    pub extension: Option<RawExtension>,
    /// Constraints over the answers that every drawn variant must meet.
    #[serde(default)]
    pub require: Vec<String>,
    /// Built-in rules for drawn variants.
    #[serde(default)]
    pub rules: RawRules,
}

fn yes() -> bool {
    true
}

/// The network as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    /// The input `x`.
    pub input: RawNumber,
    /// The target output.
    pub target: RawNumber,
    /// The layers, first to last.
    pub layers: Vec<RawLayer>,
}

/// One layer as written: `next = coefficient * previous + weight`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLayer {
    /// The fixed multiplier.
    pub coefficient: RawNumber,
    /// The weight the students learn.
    pub weight: RawNumber,
}

/// The extension challenge as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExtension {
    /// The activation on the first layer.
    pub activation: Activation,
    /// Significant digits of the approximate answers (2 to 10, default 4).
    #[serde(default = "default_digits")]
    pub digits: u32,
}

fn default_digits() -> u32 {
    4
}

/// Built-in rules for drawn variants, each on unless turned off.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    /// Reject draws whose starting error is zero (always enforced for fixed configs).
    #[serde(default = "yes")]
    pub nonzero_error: bool,
    /// Reject draws with a zero gradient.
    #[serde(default = "yes")]
    pub nonzero_gradients: bool,
    /// Reject draws with an answer of more decimal places than this.
    #[serde(default = "default_max_decimals")]
    pub max_decimals: u64,
}

impl Default for RawRules {
    fn default() -> Self {
        RawRules { nonzero_error: true, nonzero_gradients: true, max_decimals: default_max_decimals() }
    }
}

fn default_max_decimals() -> u64 {
    6
}

/// A number as written: a literal, a range or a choice.
#[derive(Debug, Clone, PartialEq)]
pub enum RawNumber {
    /// A plain number.
    Value(f64),
    /// `{ from, to }` (integers) or `{ from, to, step }`.
    Range {
        /// Lowest value.
        from: f64,
        /// Highest value.
        to: f64,
        /// Distance between values; 1 when absent.
        step: Option<f64>,
    },
    /// `{ one_of: [...] }`.
    OneOf(Vec<f64>),
}

const NUMBER_EXPECTED: &str =
    "a number, `{ from: A, to: B }`, `{ from: A, to: B, step: S }` or `{ one_of: [A, B, ...] }`";

impl schemars::JsonSchema for RawNumber {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Number".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number, or a range or choice to draw it from for each variant.",
            "oneOf": [
                { "type": "number" },
                {
                    "type": "object",
                    "description": "Integers from..to, or from..to in steps of `step`.",
                    "properties": { "from": { "type": "number" }, "to": { "type": "number" }, "step": { "type": "number", "exclusiveMinimum": 0 } },
                    "required": ["from", "to"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "description": "One of the listed values.",
                    "properties": { "one_of": { "type": "array", "items": { "type": "number" }, "minItems": 1 } },
                    "required": ["one_of"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// The JSON Schema of the config file, derived from [`RawConfig`].
pub fn schema() -> serde_json::Value {
    schemars::schema_for!(RawConfig).to_value()
}

impl<'de> Deserialize<'de> for RawNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;

        impl<'de> Visitor<'de> for NumberVisitor {
            type Value = RawNumber;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(NUMBER_EXPECTED)
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawNumber, E> {
                Ok(RawNumber::Value(v as f64))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawNumber, E> {
                Ok(RawNumber::Value(v as f64))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawNumber, E> {
                Ok(RawNumber::Value(v))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNumber, A::Error> {
                let (mut from, mut to, mut step, mut one_of) = (None, None, None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "from" => from = Some(map.next_value::<f64>()?),
                        "to" => to = Some(map.next_value::<f64>()?),
                        "step" => step = Some(map.next_value::<f64>()?),
                        "one_of" => one_of = Some(map.next_value::<Vec<f64>>()?),
                        other => return Err(de::Error::unknown_field(other, &["from", "to", "step", "one_of"])),
                    }
                }
                match (from, to, step, one_of) {
                    (Some(from), Some(to), step, None) => Ok(RawNumber::Range { from, to, step }),
                    (None, None, None, Some(values)) => Ok(RawNumber::OneOf(values)),
                    (None, None, None, None) => {
                        Err(de::Error::custom(format!("expected {NUMBER_EXPECTED}, found an empty mapping")))
                    }
                    (_, _, _, Some(_)) => {
                        Err(de::Error::custom("`one_of` cannot be combined with `from`, `to` or `step`"))
                    }
                    (None, _, _, None) => Err(de::Error::missing_field("from")),
                    (_, None, _, None) => Err(de::Error::missing_field("to")),
                }
            }

            fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<RawNumber, A::Error> {
                Err(de::Error::custom(format!(
                    "expected {NUMBER_EXPECTED}, found a list (write a choice as `{{ one_of: [...] }}`)"
                )))
            }
        }

        deserializer.deserialize_any(NumberVisitor)
    }
}

// ---------------------------------------------------------------------------
// Checked: what the rest of the program sees.

/// How a number of the worksheet is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberSpec {
    /// Always this value.
    Fixed(Exact),
    /// `from`, `from + step`, …, `to`.
    Range {
        /// First value.
        from: Exact,
        /// Last value.
        to: Exact,
        /// Distance between values.
        step: Exact,
        /// How many values there are.
        count: u64,
    },
    /// One of these values.
    OneOf(Vec<Exact>),
}

impl NumberSpec {
    /// How many values this spec can take.
    pub fn count(&self) -> u64 {
        match self {
            NumberSpec::Fixed(_) => 1,
            NumberSpec::Range { count, .. } => *count,
            NumberSpec::OneOf(values) => values.len() as u64,
        }
    }

    /// The `index`-th value (`index < count()`).
    pub fn value(&self, index: u64) -> Exact {
        match self {
            NumberSpec::Fixed(v) => v.clone(),
            NumberSpec::Range { from, step, .. } => from + &(step * &Exact::int(index as i64)),
            NumberSpec::OneOf(values) => values[index as usize].clone(),
        }
    }

    /// The smallest value it can take.
    pub fn min(&self) -> Exact {
        (0..self.count().min(MAX_CHOICES)).map(|i| self.value(i)).min().unwrap_or_else(Exact::zero)
    }

    /// The value, when there is only one.
    pub fn fixed(&self) -> Option<&Exact> {
        match self {
            NumberSpec::Fixed(v) => Some(v),
            _ => None,
        }
    }
}

/// A numeric field of the config: what it may be and where it is written.
#[derive(Debug, Clone)]
pub struct Field {
    /// Path in the YAML, such as `network.layers[0].weight`.
    pub path: String,
    /// What values it may take.
    pub spec: NumberSpec,
    /// Where it is, for error messages.
    pub at: SourceError,
}

/// A `require:` constraint.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// The expression, as written.
    pub expression: String,
    /// Where it is written.
    pub at: SourceError,
}

/// A validated config: every field checked, numbers exact, possibly with ranges.
#[derive(Debug, Clone)]
pub struct WorksheetSpec {
    /// The config file as the user named it.
    pub file: String,
    /// The file name without directory and `.yaml`, used to name outputs.
    pub stem: String,
    /// Words and page settings.
    pub presentation: Presentation,
    /// The input `x`.
    pub input: Field,
    /// The target.
    pub target: Field,
    /// `(coefficient, weight)` for each layer.
    pub layers: Vec<(Field, Field)>,
    /// Nudge of the experiment tables.
    pub nudge: Field,
    /// Learning rate.
    pub learning_rate: Field,
    /// Layer count of the reflection question.
    pub reflection_layers: u32,
    /// Extension challenge, if any.
    pub extension: Option<Extension>,
    /// Constraints over the answers.
    pub require: Vec<Requirement>,
    /// Built-in rules for drawn variants.
    pub rules: RawRules,
}

impl WorksheetSpec {
    /// Every numeric field, in config order.
    pub fn fields(&self) -> Vec<&Field> {
        let mut fields = vec![&self.input, &self.target];
        for (c, w) in &self.layers {
            fields.push(c);
            fields.push(w);
        }
        fields.push(&self.nudge);
        fields.push(&self.learning_rate);
        fields
    }

    /// The value of each field of [`fields`](Self::fields) in `worksheet`, in the same order.
    pub fn fields_of(&self, worksheet: &Worksheet) -> Vec<Exact> {
        let n = &worksheet.network;
        let mut values = vec![n.input.clone(), n.target.clone()];
        for l in &n.layers {
            values.push(l.coefficient.clone());
            values.push(l.weight.clone());
        }
        values.push(worksheet.nudge.clone());
        values.push(worksheet.learning_rate.clone());
        values
    }

    /// Whether any field is a range or a choice.
    pub fn is_randomized(&self) -> bool {
        self.fields().iter().any(|f| f.spec.fixed().is_none())
    }

    /// How many different worksheets the ranges allow (saturating).
    pub fn combinations(&self) -> u64 {
        self.fields().iter().fold(1u64, |acc, f| acc.saturating_mul(f.spec.count()))
    }

    /// A worksheet with each field's value chosen by `pick`.
    pub fn resolve(&self, mut pick: impl FnMut(&Field) -> Exact) -> Worksheet {
        let layers = self.layers.iter().map(|(c, w)| Layer { coefficient: pick(c), weight: pick(w) }).collect();
        Worksheet {
            presentation: self.presentation.clone(),
            network: Network { input: pick(&self.input), target: pick(&self.target), layers },
            nudge: pick(&self.nudge),
            learning_rate: pick(&self.learning_rate),
            reflection_layers: self.reflection_layers,
            extension: self.extension,
        }
    }

    /// The one worksheet of a config without ranges.
    pub fn fixed(&self) -> Option<Worksheet> {
        if self.is_randomized() {
            return None;
        }
        Some(self.resolve(|f| f.spec.value(0)))
    }
}

/// Reads and validates the config at `path`.
pub fn load(path: &Path) -> Result<WorksheetSpec> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read config", path, e))?;
    let name = path.display().to_string();
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = String::from_utf8_lossy(valid);
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        SourceError::new(&name, "", line, column, "the file is not UTF-8 text (is it a YAML config?)")
    })?;
    let stem = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "worksheet".to_owned());
    let stem = stem.strip_suffix(".yaml").or_else(|| stem.strip_suffix(".yml")).unwrap_or(&stem).to_owned();
    parse(&text, &name, &stem)
}

/// Validates config `text` read from `file` (named `stem` for outputs).
pub fn parse(text: &str, file: &str, stem: &str) -> Result<WorksheetSpec> {
    if text.trim().is_empty() || text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        let message = "the config is empty: it needs at least a title, a network, a nudge, a learning_rate and \
                       reflection_layers (see configs/classic.yaml)";
        return Err(SourceError::new(file, text, 1, 1, message).into());
    }
    let index = PositionIndex::new(text);
    // Syntax first: serde_yaml reports a syntax error only after the typed
    // deserialization has failed on the events before it, with a misleading message.
    serde_yaml::from_str::<serde::de::IgnoredAny>(text).map_err(|e| yaml_error(file, text, &e, &index))?;
    let raw: RawConfig = serde_yaml::from_str(text).map_err(|e| yaml_error(file, text, &e, &index))?;
    Checker { file, text, index }.check(raw, stem)
}

fn yaml_error(file: &str, text: &str, error: &serde_yaml::Error, index: &PositionIndex) -> Error {
    let (mut line, mut column) = error.location().map_or((1, 1), |l| (l.line(), l.column()));
    let mut message = error.to_string();
    // serde_yaml writes "MSG at line L column C[, while scanning X at line L2 column C2]".
    // The location is printed separately; where the broken construct started is
    // the useful place to point at.
    if let Some(cut) = message.find(" at line ") {
        let rest = message[cut..].to_owned();
        message.truncate(cut);
        if let Some(w) = rest.find(", while ") {
            let context = &rest[w + 2..];
            if let Some(at) = context.find(" at line ") {
                let numbers: Vec<usize> =
                    context[at..].split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).collect();
                if let [l, c, ..] = numbers[..] {
                    if context.starts_with("while scanning") {
                        // An unclosed quote: where it opened is what to fix.
                        message = format!("{message}, {}", &context[..at]);
                        (line, column) = (l, c);
                    } else {
                        message = format!("{message}, {} that starts at line {l}", &context[..at]);
                    }
                }
            }
        }
    }
    if message.starts_with("duplicate field") || message.starts_with("duplicate entry") {
        if let Some(node) = index.duplicates().first() {
            (line, column) = (node.line, node.column);
        }
        message.push_str(" (each field may appear only once)");
    }
    if message.contains("unknown field") {
        message = message.replace("expected one of", "valid names are").replace(", expected ", ", valid names are ");
    }
    for (jargon, plain) in [
        ("expected u32", "expected a whole number"),
        ("expected struct RawConfig", "expected the config's fields (title, network, nudge, learning_rate, …)"),
        ("expected struct RawNetwork", "expected the network's fields (input, target, layers)"),
        ("expected struct RawLayer", "expected a layer `{ coefficient: C, weight: W }`"),
        ("expected struct RawExtension", "expected `{ activation: sigmoid, digits: 4 }`"),
        ("expected struct Video", "expected `{ url: ..., minutes: 18, source: ... }`"),
        ("expected struct RawRules", "expected the rules' fields"),
    ] {
        message = message.replace(jargon, plain);
    }
    if message.contains("as u128") || message.contains("as i128") {
        message = format!("this number is too large: numbers must lie between -{MAX_MAGNITUDE} and {MAX_MAGNITUDE}");
    }
    if text.contains('\t') && message.contains("found character that cannot start any token") {
        message.push_str(" (YAML does not allow tabs for indentation; use spaces)");
    }
    SourceError::new(file, text, line, column, message).into()
}

struct Checker<'a> {
    file: &'a str,
    text: &'a str,
    index: PositionIndex,
}

impl Checker<'_> {
    fn at(&self, path: &str) -> SourceError {
        // Fall back to the nearest indexed ancestor.
        let mut p = path.to_owned();
        loop {
            if let Some(node) = self.index.get(&p) {
                // An empty value is positioned at the next token: point at its key.
                let node = if node.plain.as_deref() == Some("") { self.index.key(&p).unwrap_or(node) } else { node };
                return SourceError::new(self.file, self.text, node.line, node.column, "");
            }
            match p.rfind(['.', '[']) {
                Some(cut) => p.truncate(cut),
                None => return SourceError::new(self.file, self.text, 1, 1, ""),
            }
        }
    }

    fn error(&self, path: &str, message: impl Into<String>) -> Error {
        let mut e = self.at(path);
        e.message = message.into();
        e.into()
    }

    /// The exact value of the number literal at `path`.
    fn exact(&self, path: &str, parsed: f64) -> Result<Exact> {
        if !parsed.is_finite() {
            return Err(self.error(path, format!("`{path}` must be a finite number, not {parsed}")));
        }
        let value = match self.index.get(path).and_then(|n| n.plain.as_deref()) {
            Some(text) => Exact::parse(text).ok_or_else(|| {
                self.error(path, format!("`{text}` is not a decimal number; write it like 2, -0.5 or 1.25"))
            })?,
            // The event parser could not index this node: the shortest text of
            // the double is the literal for any number of up to 15 digits.
            None => Exact::parse(&parsed.to_string()).ok_or_else(|| self.error(path, "not a decimal number"))?,
        };
        if value.abs() > Exact::int(MAX_MAGNITUDE) {
            return Err(self.error(
                path,
                format!("{value} is too large: numbers must lie between -{MAX_MAGNITUDE} and {MAX_MAGNITUDE}"),
            ));
        }
        if value.decimal_places() > MAX_DECIMAL_PLACES {
            return Err(self.error(path, format!("{value} has more than {MAX_DECIMAL_PLACES} decimal places")));
        }
        Ok(value)
    }

    fn number(&self, path: &str, raw: &RawNumber) -> Result<Field> {
        let spec = match raw {
            RawNumber::Value(v) => NumberSpec::Fixed(self.exact(path, *v)?),
            RawNumber::OneOf(values) => {
                if values.is_empty() {
                    return Err(self.error(path, format!("`{path}.one_of` is empty: list at least one number")));
                }
                let mut exact = Vec::with_capacity(values.len());
                for (i, v) in values.iter().enumerate() {
                    let value = self.exact(&format!("{path}.one_of[{i}]"), *v)?;
                    if exact.contains(&value) {
                        return Err(self.error(
                            &format!("{path}.one_of[{i}]"),
                            format!("{value} is listed twice in `{path}.one_of`"),
                        ));
                    }
                    exact.push(value);
                }
                NumberSpec::OneOf(exact)
            }
            RawNumber::Range { from, to, step } => {
                let from_x = self.exact(&format!("{path}.from"), *from)?;
                let to_x = self.exact(&format!("{path}.to"), *to)?;
                let step_x = match step {
                    Some(s) => self.exact(&format!("{path}.step"), *s)?,
                    None => {
                        if !from_x.is_integer() || !to_x.is_integer() {
                            return Err(self.error(path, format!("`{path}` has no `step`, so `from` and `to` must be integers; add a `step` such as 0.5 for decimals")));
                        }
                        Exact::int(1)
                    }
                };
                if from_x > to_x {
                    return Err(self
                        .error(path, format!("`{path}` is inverted: `from` ({from_x}) is larger than `to` ({to_x})")));
                }
                if !step_x.is_positive() {
                    return Err(
                        self.error(&format!("{path}.step"), format!("`{path}.step` must be positive, not {step_x}"))
                    );
                }
                let count = range_count(&from_x, &to_x, &step_x).ok_or_else(|| {
                    self.error(
                        &format!("{path}.step"),
                        format!("the step {step_x} does not divide the range from {from_x} to {to_x}"),
                    )
                })?;
                if count > MAX_CHOICES {
                    return Err(
                        self.error(path, format!("`{path}` offers {count} values; at most {MAX_CHOICES} are allowed"))
                    );
                }
                NumberSpec::Range { from: from_x, to: to_x, step: step_x, count }
            }
        };
        Ok(Field { path: path.to_owned(), spec, at: self.at(path) })
    }

    fn check(&self, raw: RawConfig, stem: &str) -> Result<WorksheetSpec> {
        if raw.title.trim().is_empty() {
            return Err(self.error("title", "the title is empty"));
        }
        let layer_count = raw.network.layers.len();
        if !LAYER_RANGE.contains(&layer_count) {
            return Err(self.error(
                "network.layers",
                format!(
                    "the network has {layer_count} layer{}; it must have 2 to 5",
                    if layer_count == 1 { "" } else { "s" }
                ),
            ));
        }
        let input = self.number("network.input", &raw.network.input)?;
        let target = self.number("network.target", &raw.network.target)?;
        let mut layers = Vec::with_capacity(layer_count);
        for (i, layer) in raw.network.layers.iter().enumerate() {
            let c = self.number(&format!("network.layers[{i}].coefficient"), &layer.coefficient)?;
            if c.spec.count() == 1 && c.spec.value(0).is_zero() {
                return Err(self.error(
                    &c.path,
                    "a coefficient of 0 cuts the chain: the layers before it could not affect the error",
                ));
            }
            let w = self.number(&format!("network.layers[{i}].weight"), &layer.weight)?;
            layers.push((c, w));
        }
        let nudge = self.number("nudge", &raw.nudge)?;
        if !nudge.spec.min().is_positive() {
            return Err(self.error(
                "nudge",
                format!(
                    "the nudge must be greater than 0 (it is the step of the experiment tables), not {}",
                    nudge.spec.min()
                ),
            ));
        }
        let learning_rate = self.number("learning_rate", &raw.learning_rate)?;
        if !learning_rate.spec.min().is_positive() {
            return Err(self.error(
                "learning_rate",
                format!("the learning rate must be greater than 0, not {}", learning_rate.spec.min()),
            ));
        }
        if !(2..=1000).contains(&raw.reflection_layers) {
            return Err(self.error(
                "reflection_layers",
                format!("`reflection_layers` must be between 2 and 1000, not {}", raw.reflection_layers),
            ));
        }
        let extension = match raw.extension {
            None => None,
            Some(ext) => {
                if !(2..=10).contains(&ext.digits) {
                    return Err(self.error(
                        "extension.digits",
                        format!("`extension.digits` must be between 2 and 10, not {}", ext.digits),
                    ));
                }
                Some(Extension { activation: ext.activation, digits: ext.digits })
            }
        };
        if let Some(video) = &raw.video {
            if video.url.trim().is_empty() {
                return Err(self.error("video.url", "the video url is empty"));
            }
        }
        if raw.rules.max_decimals > 12 {
            return Err(self.error("rules.max_decimals", "`rules.max_decimals` must be at most 12"));
        }
        let require = raw
            .require
            .iter()
            .enumerate()
            .map(|(i, expression)| Requirement {
                expression: expression.clone(),
                at: self.at(&format!("require[{i}]")),
            })
            .collect();
        let spec = WorksheetSpec {
            file: self.file.to_owned(),
            stem: stem.to_owned(),
            presentation: Presentation {
                title: raw.title,
                credit: raw.credit,
                paper: raw.paper,
                intro: raw.intro,
                video: raw.video,
                names_line: raw.names_line,
                date_line: raw.date_line,
            },
            input,
            target,
            layers,
            nudge,
            learning_rate,
            reflection_layers: raw.reflection_layers,
            extension,
            require,
            rules: raw.rules,
        };
        if let Some(worksheet) = spec.fixed() {
            if let Err(problem) = crate::engine::solve(&worksheet) {
                let mut e = spec.target.at.clone();
                e.message = problem.to_string();
                return Err(e.into());
            }
        }
        Ok(spec)
    }
}

/// The number of values `from, from+step, …, to`, if `step` divides `to − from`.
fn range_count(from: &Exact, to: &Exact, step: &Exact) -> Option<u64> {
    let span = to - from;
    let mut count: u64 = 0;
    let mut reached = Exact::zero();
    // Count by repeated addition with an early bound: at most MAX_CHOICES + 1 steps.
    while reached < span {
        reached = &reached + step;
        count += 1;
        if count > MAX_CHOICES {
            return Some(count + 1);
        }
    }
    (reached == span).then_some(count + 1)
}
