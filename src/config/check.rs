//! Validation of the config as written into the checked [`WorksheetSpec`]:
//! the limits on numbers, ranges and choices, layer counts and the other
//! bounds, each refused at the place it is written.

use super::raw::{Places, RawConfig, RawNumber};
use super::spec::{Field, NumberSpec, Requirement, WorksheetSpec};
use super::{EXTENSION_DIGITS, LAYER_RANGE, MAX_CHOICES, MAX_DECIMAL_PLACES, MAX_MAGNITUDE, REFLECTION_LAYERS};
use crate::error::{Error, Result};
use crate::model::{Extension, Presentation};
use crate::number::Exact;

/// Checks `raw`, read from `file` with its values at `places`. Every
/// independent problem is reported (as [`Error::Many`] when there are
/// several), each at its place, in the order of the file.
pub fn check(raw: RawConfig, places: &Places, file: &str, stem: &str) -> Result<WorksheetSpec> {
    let checker = Checker { places };
    let mut problems = Vec::new();
    if raw.title.trim().is_empty() && !places.unread("title") {
        problems.push(checker.error("title", "the title is empty"));
    }
    let input = keep(&mut problems, checker.number("network.input", &raw.network.input));
    let target = keep(&mut problems, checker.number("network.target", &raw.network.target));
    let layer_count = raw.network.layers.len();
    if !LAYER_RANGE.contains(&layer_count) {
        let plural = if layer_count == 1 { "" } else { "s" };
        let message = format!("the network has {layer_count} layer{plural}; it must have 2 to 5");
        problems.push(checker.error("network.layers", message));
    }
    let mut layers = Vec::with_capacity(layer_count);
    for (i, layer) in raw.network.layers.iter().enumerate() {
        let c = keep(&mut problems, checker.number(&format!("network.layers[{i}].coefficient"), &layer.coefficient));
        if let Some(c) = c.as_ref().filter(|c| c.spec.count() == 1 && c.spec.value(0).is_zero()) {
            let message = "a coefficient of 0 cuts the chain: the layers before it could not affect the error";
            problems.push(checker.error(&c.path, message));
        }
        let w = keep(&mut problems, checker.number(&format!("network.layers[{i}].weight"), &layer.weight));
        layers.push(c.zip(w));
    }
    let nudge = keep(&mut problems, checker.nudge(&raw));
    let learning_rate = keep(&mut problems, checker.learning_rate(&raw));
    let extension = checker.others(&raw, &mut problems);
    let (Some(input), Some(target), Some(layers), Some(nudge), Some(learning_rate), true) =
        (input, target, layers.into_iter().collect::<Option<Vec<_>>>(), nudge, learning_rate, problems.is_empty())
    else {
        return Err(Error::all(problems));
    };
    let require = raw
        .require
        .iter()
        .enumerate()
        .map(|(i, expression)| Requirement { expression: expression.clone(), at: places.at(&format!("require[{i}]")) })
        .collect();
    let spec = WorksheetSpec {
        file: file.to_owned(),
        stem: stem.to_owned(),
        presentation: Presentation {
            title: raw.title.clone(),
            credit: raw.credit.clone(),
            author: raw.author.clone(),
            language: checker.language(&raw)?,
            paper: raw.paper,
            intro: raw.intro.clone(),
            video: raw.video.clone(),
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
        rules: raw.rules.clone(),
        rule_places: ["rules", "rules.nonzero_error", "rules.nonzero_gradients", "rules.max_decimals"]
            .into_iter()
            .filter_map(|path| Some((path.to_owned(), places.written(path)?.clone())))
            .collect(),
        raw,
    };
    // Stand-ins for values that could not be read must not be solved.
    if let Some(worksheet) = spec.fixed().filter(|_| !places.any_unread()) {
        if let Err(problem) = crate::engine::solve(&worksheet) {
            return Err(spec.target.at.error(problem.to_string()).into());
        }
    }
    Ok(spec)
}

struct Checker<'a> {
    places: &'a Places,
}

impl Checker<'_> {
    /// The sheet's language: a language code of 2 or 3 letters, optionally
    /// with a region of 2 letters (`en`, `de`, `en-GB`); `en` when absent.
    fn language(&self, raw: &RawConfig) -> Result<String> {
        let Some(code) = raw.language.as_deref() else { return Ok("en".to_owned()) };
        let (lang, region) = code.split_once(['-', '_']).map_or((code, None), |(l, r)| (l, Some(r)));
        let letters = |s: &str, n: std::ops::RangeInclusive<usize>| {
            n.contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphabetic())
        };
        if !letters(lang, 2..=3) || region.is_some_and(|r| !letters(r, 2..=2)) {
            let message = format!(
                "`{code}` is not a language code: write one like `en`, `de`, `fr` or `en-GB` (the language, \
                 then optionally a dash and the country)"
            );
            return Err(self.error("language", message));
        }
        Ok(match region {
            Some(region) => format!("{}-{}", lang.to_ascii_lowercase(), region.to_ascii_uppercase()),
            None => lang.to_ascii_lowercase(),
        })
    }

    fn error(&self, path: &str, message: impl Into<String>) -> Error {
        self.places.at(path).error(message).into()
    }

    /// The nudge, above zero.
    fn nudge(&self, raw: &RawConfig) -> Result<Field> {
        let nudge = self.number("nudge", &raw.nudge)?;
        if !nudge.spec.min().is_positive() {
            let message = format!(
                "the nudge must be greater than 0 (it is the step of the experiment tables), not {}",
                nudge.spec.min()
            );
            return Err(self.error("nudge", message));
        }
        Ok(nudge)
    }

    /// The learning rate, above zero.
    fn learning_rate(&self, raw: &RawConfig) -> Result<Field> {
        let learning_rate = self.number("learning_rate", &raw.learning_rate)?;
        if !learning_rate.spec.min().is_positive() {
            let message = format!("the learning rate must be greater than 0, not {}", learning_rate.spec.min());
            return Err(self.error("learning_rate", message));
        }
        Ok(learning_rate)
    }

    /// The fields that are not numbers, after the numbers in the order of
    /// the file; each problem is added to `problems`.
    fn others(&self, raw: &RawConfig, problems: &mut Vec<Error>) -> Option<Extension> {
        if !REFLECTION_LAYERS.contains(&raw.reflection_layers) {
            let (low, high) = (REFLECTION_LAYERS.start(), REFLECTION_LAYERS.end());
            let message =
                format!("`reflection_layers` must be between {low} and {high}, not {}", raw.reflection_layers);
            problems.push(self.error("reflection_layers", message));
        }
        let extension = match &raw.extension {
            Some(extension) if !EXTENSION_DIGITS.contains(&extension.digits) => {
                let (low, high) = (EXTENSION_DIGITS.start(), EXTENSION_DIGITS.end());
                let message = format!("`extension.digits` must be between {low} and {high}, not {}", extension.digits);
                problems.push(self.error("extension.digits", message));
                None
            }
            Some(extension) => Some(Extension { activation: extension.activation, digits: extension.digits }),
            None => None,
        };
        if raw.video.as_ref().is_some_and(|video| video.url.trim().is_empty()) {
            problems.push(self.error("video.url", "the video url is empty"));
        }
        if raw.rules.max_decimals.is_some_and(|places| places > 12) {
            let message = "`rules.max_decimals` must be at most 12, or `false` to allow any number of decimal places";
            problems.push(self.error("rules.max_decimals", message));
        }
        extension
    }

    /// `value`, written at `path`, within the limits on size and decimals.
    fn exact(&self, path: &str, value: &Exact) -> Result<Exact> {
        if value.abs() > Exact::int(MAX_MAGNITUDE) {
            let message =
                format!("{value} is too large: numbers must lie between -{MAX_MAGNITUDE} and {MAX_MAGNITUDE}");
            return Err(self.error(path, message));
        }
        if value.decimal_places() > MAX_DECIMAL_PLACES {
            let message = too_many_places(path, &value.to_string(), &value.round_places(MAX_DECIMAL_PLACES));
            return Err(self.error(path, message));
        }
        Ok(value.clone())
    }

    fn number(&self, path: &str, raw: &RawNumber) -> Result<Field> {
        if self.places.unread(path) {
            // Reported where it is written; nothing more to say about its stand-in.
            return Err(Error::Many(Vec::new()));
        }
        let spec = match raw {
            RawNumber::Value(v) => NumberSpec::Fixed(self.exact(path, v)?),
            RawNumber::OneOf(values) => self.choices(path, values)?,
            RawNumber::Range { from, to, step } => self.range(path, from, to, step.as_ref())?,
        };
        Ok(Field { path: path.to_owned(), spec, at: self.places.at(path) })
    }

    fn choices(&self, path: &str, values: &[Exact]) -> Result<NumberSpec> {
        if values.is_empty() {
            return Err(self.error(path, format!("`{path}.one_of` is empty: list at least one number")));
        }
        let mut exact = Vec::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            let item = format!("{path}.one_of[{i}]");
            let value = self.exact(&item, v)?;
            if exact.contains(&value) {
                return Err(self.error(&item, format!("{value} is listed twice in `{path}.one_of`")));
            }
            exact.push(value);
        }
        Ok(NumberSpec::OneOf(exact))
    }

    fn range(&self, path: &str, from: &Exact, to: &Exact, step: Option<&Exact>) -> Result<NumberSpec> {
        let from = self.exact(&format!("{path}.from"), from)?;
        let to = self.exact(&format!("{path}.to"), to)?;
        let step = match step {
            Some(s) => self.exact(&format!("{path}.step"), s)?,
            None if !from.is_integer() || !to.is_integer() => {
                let message = format!(
                    "`{path}` has no `step`, so `from` and `to` must be integers; add a `step` such as 0.5 for decimals"
                );
                return Err(self.error(path, message));
            }
            None => Exact::int(1),
        };
        if from > to {
            let message = format!("`{path}` is inverted: `from` ({from}) is larger than `to` ({to})");
            return Err(self.error(path, message));
        }
        let step_path = format!("{path}.step");
        if !step.is_positive() {
            return Err(self.error(&step_path, format!("`{path}.step` must be positive, not {step}")));
        }
        let count = range_count(&from, &to, &step).ok_or_else(|| {
            let message = format!(
                "the step {step} does not divide the range from {from} to {to}; {}",
                step_suggestions(&from, &to, &step)
            );
            self.error(&step_path, message)
        })?;
        if count > MAX_CHOICES {
            let mut message = format!("`{path}` offers {count} values; at most {MAX_CHOICES} are allowed");
            if let Some((wider, values)) = wider_step(&from, &to, &step) {
                message.push_str(&format!(": a `step` of {wider} would give {values}"));
            }
            return Err(self.error(path, message));
        }
        Ok(NumberSpec::Range { from, to, step, count })
    }
}

/// The message for a number `written` at `path` with more decimal places
/// than a config number may have, with `rounded`, the number rounded to fit.
pub(super) fn too_many_places(path: &str, written: &str, rounded: &Exact) -> String {
    format!("`{path}`: {written} has more than {MAX_DECIMAL_PLACES} decimal places; round it to {MAX_DECIMAL_PLACES}: {rounded}")
}

/// The value of `result`, or `None` with its error added to `problems`.
fn keep<T>(problems: &mut Vec<Error>, result: Result<T>) -> Option<T> {
    result.map_err(|e| problems.push(e)).ok()
}

/// `x` in millionths: an integer, since config numbers have at most
/// [`MAX_DECIMAL_PLACES`] decimals and lie within [`MAX_MAGNITUDE`].
fn millionths(x: &Exact) -> i64 {
    const _: () = assert!(MAX_DECIMAL_PLACES == 6);
    (x * &Exact::int(1_000_000)).to_plain_string().parse().expect("a checked config number in millionths is an integer")
}

/// `m` millionths as an exact number.
fn from_millionths(m: i64) -> Exact {
    let text =
        format!("{}{}.{:06}", if m < 0 { "-" } else { "" }, m.unsigned_abs() / 1_000_000, m.unsigned_abs() % 1_000_000);
    Exact::parse(&text).expect("a decimal literal")
}

/// The number of values `from, from+step, …, to`, if `step` divides `to − from`.
fn range_count(from: &Exact, to: &Exact, step: &Exact) -> Option<u64> {
    let (span, step) = (millionths(to) - millionths(from), millionths(step));
    (span % step == 0).then(|| (span / step) as u64 + 1)
}

/// The smallest round step (1, 2 or 5 times a power of ten) above `step`
/// that divides the range from `from` to `to` into at most [`MAX_CHOICES`]
/// values, and how many values it gives.
fn wider_step(from: &Exact, to: &Exact, step: &Exact) -> Option<(Exact, u64)> {
    let (span, step) = (millionths(to) - millionths(from), millionths(step));
    let round = (0..=12).flat_map(|power| [1, 2, 5].map(|m| m * 10_i64.pow(power)));
    round
        .filter(|&s| s > step && span % s == 0)
        .map(|s| (s, (span / s) as u64 + 1))
        .find(|&(_, values)| values <= MAX_CHOICES)
        .map(|(s, values)| (from_millionths(s), values))
}

/// What to write instead of a `step` that does not divide the range from
/// `from` to `to`: the steps nearest to it that do (with at most
/// [`MAX_DECIMAL_PLACES`] decimals), and the `to` nearest the end that fits it.
fn step_suggestions(from: &Exact, to: &Exact, step: &Exact) -> String {
    let (span, step_m) = (millionths(to) - millionths(from), millionths(step));
    // A step dividing the span is span / n for a whole n; the nearest ones
    // are the divisors with n nearest to span / step, searched outwards.
    let steps_in = span / step_m;
    let divides = |n: i64| n > 0 && span % n == 0;
    let below = (steps_in + 1..=steps_in + 1000).find(|&n| divides(n)).map(|n| span / n);
    let above = (1..=steps_in).rev().take(1000).find(|&n| divides(n)).map(|n| span / n);
    let steps: Vec<String> = [below, above].into_iter().flatten().map(|m| from_millionths(m).to_string()).collect();
    let last = millionths(from) + steps_in * step_m;
    let ends: Vec<String> = [last, last + step_m]
        .into_iter()
        .filter(|&end| end > millionths(from))
        .map(|end| format!("`to: {}`", from_millionths(end)))
        .collect();
    let keep = format!("keep the step {step} and end the range at {}", ends.join(" or "));
    match steps.is_empty() {
        true => keep,
        false => format!("a step of {} would fit, or {keep}", steps.join(" or ")),
    }
}
