//! The checked config: what the rest of the program sees. Every number is
//! exact and within the limits; a field may still be a range or a choice,
//! which [`WorksheetSpec::resolve`] turns into one [`Worksheet`].

use super::raw::{RawConfig, RawNumber, RawRules};
use super::MAX_CHOICES;
use crate::error::Place;
use crate::model::{Extension, Layer, Network, Presentation, Worksheet};
use crate::number::Exact;

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
    /// Where it is written, for error messages.
    pub at: Place,
}

/// A `require:` constraint.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// The expression, as written.
    pub expression: String,
    /// Where it is written.
    pub at: Place,
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
    /// Where `rules:` and each rule under it are written, if they are.
    pub rule_places: Vec<(String, Place)>,
    /// The config as written, for writing out drawn variants.
    pub raw: RawConfig,
}

impl WorksheetSpec {
    /// Where `rules` or a rule under it (`rules.max_decimals`) is written, if it is.
    pub fn written(&self, path: &str) -> Option<&Place> {
        self.rule_places.iter().find(|(p, _)| p == path).map(|(_, place)| place)
    }

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

    /// The config as written with each number replaced by its value in
    /// `worksheet` (one of this spec's variants), and without `require` and
    /// `rules`: loaded as a config, it gives that worksheet as a fixed sheet.
    pub fn resolved_config(&self, worksheet: &Worksheet) -> RawConfig {
        let mut config = self.raw.clone();
        config.require.clear();
        config.rules = RawRules::default();
        for (number, value) in config.numbers_mut().into_iter().zip(self.fields_of(worksheet)) {
            *number = RawNumber::Value(value);
        }
        config
    }
}

impl RawConfig {
    /// Every number of the config, in the order of [`WorksheetSpec::fields`].
    fn numbers_mut(&mut self) -> Vec<&mut RawNumber> {
        let network = &mut self.network;
        let mut numbers = vec![&mut network.input, &mut network.target];
        for layer in &mut network.layers {
            numbers.push(&mut layer.coefficient);
            numbers.push(&mut layer.weight);
        }
        numbers.push(&mut self.nudge);
        numbers.push(&mut self.learning_rate);
        numbers
    }
}
