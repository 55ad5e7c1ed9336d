//! The YAML config, from text to the checked [`WorksheetSpec`] the rest of
//! the program uses, in three steps with one file each:
//!
//! - `yaml.rs`: the text read once into a tree of nodes that know their line,
//!   column and literal text;
//! - `raw.rs`: the tree mapped into structs that mirror the file
//!   ([`RawConfig`]), numbers read exactly from their text;
//! - `check.rs`: the raw config validated into a [`WorksheetSpec`]
//!   (`spec.rs`).
//!
//! Every error names the file, line and column and says what is allowed.

mod check;
mod raw;
mod spec;
mod syntax;
mod yaml;

use std::path::Path;

pub use raw::{RawConfig, RawExtension, RawLayer, RawNetwork, RawNumber, RawRules};
pub use spec::{Field, NumberSpec, Requirement, WorksheetSpec};

use crate::error::{Error, Result, SourceError};

/// Largest magnitude a number in a config may have.
pub const MAX_MAGNITUDE: i64 = 1_000_000;
/// Most digits after the decimal point a number in a config may have.
pub const MAX_DECIMAL_PLACES: u64 = 6;
/// Fewest and most layers a network may have.
pub const LAYER_RANGE: std::ops::RangeInclusive<usize> = 2..=5;
/// Most values a range or choice may offer.
pub const MAX_CHOICES: u64 = 100_000;

/// The JSON Schema of the config file, derived from [`RawConfig`].
pub fn schema() -> serde_json::Value {
    schemars::schema_for!(RawConfig).to_value()
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
    let empty = || {
        let message =
            "the config is empty: it needs at least a title, a network, a nudge and a learning_rate (see configs/classic.yaml)";
        Error::from(SourceError::new(file, text, 1, 1, message))
    };
    if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Err(empty());
    }
    let root = yaml::parse(text).map_err(|e| syntax_error(file, text, e))?.ok_or_else(empty)?;
    let (raw, places, problems) = raw::read(&root, file, text)?;
    match check::check(raw, &places, file, stem) {
        Ok(spec) if problems.is_empty() => Ok(spec),
        Ok(_) => Err(in_file_order(problems)),
        Err(e) => Err(in_file_order(problems.into_iter().chain([e]))),
    }
}

/// Every problem of `errors`, those at a place in the order of the file.
fn in_file_order(errors: impl IntoIterator<Item = Error>) -> Error {
    let mut all: Vec<Error> = errors
        .into_iter()
        .flat_map(|e| match e {
            Error::Many(many) => many,
            e => vec![e],
        })
        .collect();
    all.sort_by_key(|e| match e {
        Error::Source(s) => (s.location.line, s.location.column),
        _ => (usize::MAX, 0),
    });
    Error::all(all)
}

/// The parser's error at its position, worded by [`syntax::explain`] when
/// one of its readings fits; otherwise in the parser's words, pointed where
/// the fix is: at a key rather than at its colon.
fn syntax_error(file: &str, text: &str, error: yaml::SyntaxError) -> Error {
    if let Some(plain) = syntax::explain(text, error.mark.line, &error.message) {
        return SourceError::new(file, text, plain.line, plain.column, plain.message).into();
    }
    let (message, mut column) = (error.message, error.mark.column);
    let line: Vec<char> = text.lines().nth(error.mark.line.saturating_sub(1)).unwrap_or("").chars().collect();
    if line.get(column.saturating_sub(1)) == Some(&':') {
        // The parser stops at the `:` of a key that cannot be there: the key
        // (the word before the colon) is what to move.
        let before = &line[..column - 1];
        let start = before.iter().rposition(|c| c.is_whitespace() || matches!(c, '{' | '[' | ',')).map_or(0, |i| i + 1);
        column = start + 1;
    }
    SourceError::new(file, text, error.mark.line, column, message).into()
}
