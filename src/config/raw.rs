//! The config as written: structs that mirror the YAML file field for field,
//! numbers exact, read from the positioned tree of [`super::yaml`] by
//! [`read`]. The same structs serialize back (see [`RawNumber`]'s
//! `Serialize`), which is how a drawn variant is written as a config of its
//! own, and they are what the JSON Schema of the config is derived from.

mod read;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

pub use read::{read, Places, EXTENSION, LAYER, NETWORK, RULES, TOP, VIDEO};

use crate::model::{Activation, Paper, Video};
use crate::number::Exact;

// Serialized, it leaves out what is not given and `require`/`rules` when they
// say nothing (the schema still shows their defaults).
/// The config file as written.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Worksheet title.
    pub title: String,
    /// Credit line under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(!skip_serializing_if)]
    pub credit: Option<String>,
    /// The author's name, for the PDF's metadata (the credit line is printed, not used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(!skip_serializing_if)]
    pub author: Option<String>,
    /// The sheet's language, as a code such as `en`, `de` or `en-GB` (default `en`):
    /// its words and numbers (built in: English and German, `de`, `de-DE`, `de-AT`,
    /// `de-CH`; any other with `--templates DIR`), what a screen reader reads it
    /// as, and the language of its hyphenation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(!skip_serializing_if)]
    pub language: Option<String>,
    /// Paper size: `us-letter` (also `letter`) or `a4`, in any case.
    #[serde(default)]
    #[schemars(schema_with = "paper_schema")]
    pub paper: Paper,
    /// The introduction paragraph; omit for the standard one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(!skip_serializing_if)]
    pub intro: Option<String>,
    /// The "watch this first" video line; omit to leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(!skip_serializing_if)]
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
    /// Layer count asked about in the reflection question (default 10, the handout's).
    #[serde(default = "default_reflection_layers")]
    #[schemars(range(min = 2, max = 1000))]
    pub reflection_layers: u32,
    /// The nonlinear extension challenge; omit to leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(!skip_serializing_if)]
    pub extension: Option<RawExtension>,
    /// Constraints over the answers that every drawn variant must meet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(!skip_serializing_if)]
    pub require: Vec<String>,
    /// Built-in rules for drawn variants.
    #[serde(default, skip_serializing_if = "RawRules::is_default")]
    #[schemars(!skip_serializing_if)]
    pub rules: RawRules,
}

fn yes() -> bool {
    true
}

/// The handout's "what if the network had 10 layers?".
pub(crate) fn default_reflection_layers() -> u32 {
    10
}

/// The network as written.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLayer {
    /// The fixed multiplier.
    pub coefficient: RawNumber,
    /// The weight the students learn.
    pub weight: RawNumber,
}

/// The extension challenge as written.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExtension {
    /// The activation on the first layer.
    #[schemars(schema_with = "activation_schema")]
    pub activation: Activation,
    /// Significant digits of the approximate answers (2 to 10, default 4).
    #[serde(default = "default_digits")]
    pub digits: u32,
}

/// The paper sizes as the config reads them: any case, `_` or a space for
/// `-`, and `letter` for `us-letter`.
fn paper_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "Paper size: `us-letter` (also `letter`) or `a4`, in any case.",
        "type": "string",
        "default": "us-letter",
        "pattern": "^(([Uu][Ss][-_ ]?)?[Ll][Ee][Tt][Tt][Ee][Rr]|[Aa]4)$",
        "examples": ["us-letter", "a4"]
    })
}

/// The activations as the config reads them: in any case.
fn activation_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "The activation on the first layer: `sigmoid`, `tanh` or `relu`, in any case.",
        "type": "string",
        "pattern": "^([Ss][Ii][Gg][Mm][Oo][Ii][Dd]|[Tt][Aa][Nn][Hh]|[Rr][Ee][Ll][Uu])$",
        "examples": ["sigmoid", "tanh", "relu"]
    })
}

fn default_digits() -> u32 {
    4
}

/// Built-in rules for drawn variants, each on unless turned off. They judge
/// draws only: a config without ranges is never held to them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    /// Reject draws whose starting error is zero (always enforced: such a sheet has nothing to learn).
    #[serde(default = "yes")]
    pub nonzero_error: bool,
    /// Reject draws with a zero gradient.
    #[serde(default = "yes")]
    pub nonzero_gradients: bool,
    /// Reject draws with an answer of more decimal places than this (0 to 12);
    /// `false` turns the rule off.
    #[serde(default = "default_max_decimals", serialize_with = "max_decimals_or_false")]
    #[schemars(schema_with = "max_decimals_schema")]
    pub max_decimals: Option<u64>,
}

impl Default for RawRules {
    fn default() -> Self {
        RawRules { nonzero_error: true, nonzero_gradients: true, max_decimals: default_max_decimals() }
    }
}

impl RawRules {
    /// Whether every rule is as it is when `rules:` is left out.
    pub fn is_default(&self) -> bool {
        *self == RawRules::default()
    }
}

fn default_max_decimals() -> Option<u64> {
    Some(6)
}

/// `max_decimals` as written: a whole number, or `false` when the rule is off.
fn max_decimals_or_false<S: Serializer>(value: &Option<u64>, serializer: S) -> std::result::Result<S::Ok, S::Error> {
    match value {
        Some(places) => serializer.serialize_u64(*places),
        None => serializer.serialize_bool(false),
    }
}

fn max_decimals_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "Reject draws with an answer of more decimal places than this; `false` turns the rule off.",
        "oneOf": [
            { "type": "integer", "minimum": 0, "maximum": 12 },
            { "const": false }
        ],
        "default": 6
    })
}

/// A number as written: a literal, a range or a choice, each value exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawNumber {
    /// A plain number.
    Value(Exact),
    /// `{ from, to }` (integers) or `{ from, to, step }`.
    Range {
        /// Lowest value.
        from: Exact,
        /// Highest value.
        to: Exact,
        /// Distance between values; 1 when absent.
        step: Option<Exact>,
    },
    /// `{ one_of: [...] }`.
    OneOf(Vec<Exact>),
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

/// An exact number that serializes as a JSON number with exactly its digits.
struct JsonNumber<'a>(&'a Exact);

impl Serialize for JsonNumber<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let raw =
            serde_json::value::RawValue::from_string(json_number_text(self.0)).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl Serialize for RawNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            RawNumber::Value(x) => JsonNumber(x).serialize(serializer),
            RawNumber::Range { from, to, step } => {
                let mut range = serializer.serialize_struct("Range", 2 + usize::from(step.is_some()))?;
                range.serialize_field("from", &JsonNumber(from))?;
                range.serialize_field("to", &JsonNumber(to))?;
                if let Some(step) = step {
                    range.serialize_field("step", &JsonNumber(step))?;
                }
                range.end()
            }
            RawNumber::OneOf(values) => {
                let mut choice = serializer.serialize_struct("OneOf", 1)?;
                choice.serialize_field("one_of", &values.iter().map(JsonNumber).collect::<Vec<_>>())?;
                choice.end()
            }
        }
    }
}

/// `x` as JSON number text, laid out the way serde_json prints a double
/// (`2.0`, `0.1`, `0.00005`, `1e-6`), so manifests written before numbers
/// were exact read the same. The digits are `x`'s own: config numbers have at
/// most 13 significant digits, which is also the shortest text of their double.
pub fn json_number_text(x: &Exact) -> String {
    let plain = x.to_plain_string();
    let (sign, magnitude) = plain.strip_prefix('-').map_or(("", plain.as_str()), |m| ("-", m));
    let (whole, fraction) = magnitude.split_once('.').unwrap_or((magnitude, ""));
    // magnitude = 0.DIGITS × 10^point
    let all = format!("{whole}{fraction}");
    let leading = all.len() - all.trim_start_matches('0').len();
    let digits = all.trim_matches('0');
    if digits.is_empty() {
        return "0.0".to_owned();
    }
    let point = whole.len() as i64 - leading as i64;
    let length = digits.len() as i64;
    let text = if length <= point && point <= 16 {
        format!("{digits}{}.0", "0".repeat((point - length) as usize))
    } else if 0 < point && point <= 16 {
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    } else if -5 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if length == 1 {
        format!("{digits}e{}", point - 1)
    } else {
        format!("{}.{}e{}", &digits[..1], &digits[1..], point - 1)
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_are_written_like_serde_json_writes_doubles() {
        for (decimal, json) in [
            ("2", "2.0"),
            ("-1", "-1.0"),
            ("0", "0.0"),
            ("1000000", "1000000.0"),
            ("0.1", "0.1"),
            ("-12.375", "-12.375"),
            ("0.00005", "0.00005"),
            ("0.0000125", "0.0000125"),
            ("0.000001", "1e-6"),
            ("-0.000005", "-5e-6"),
            ("999999.999999", "999999.999999"),
        ] {
            assert_eq!(json_number_text(&Exact::parse(decimal).unwrap()), json, "{decimal}");
        }
    }
}
