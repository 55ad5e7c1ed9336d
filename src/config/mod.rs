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
/// How many layers the reflection question may ask about.
pub const REFLECTION_LAYERS: std::ops::RangeInclusive<u32> = 2..=1000;
/// How many significant digits the extension's answers may have.
pub const EXTENSION_DIGITS: std::ops::RangeInclusive<u32> = 2..=10;
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
    let text = decode(&name, bytes)?;
    parse(&text, &name, &stem_of(path))
}

/// The stem of the output files of the config at `path`: its file name
/// without `.yaml` or `.yml` (`worksheet` for `y10/worksheet.yaml`).
pub fn stem_of(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "worksheet".to_owned());
    name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml")).unwrap_or(&name).to_owned()
}

/// How to save a file as UTF-8 in the editors teachers use.
const SAVE_AS_UTF8: &str =
    "save it as UTF-8 (in Notepad: File, Save as, Encoding \"UTF-8\"; in TextEdit: Format, Make \
                            Plain Text, then Save with \"Unicode (UTF-8)\") and run again";

/// The text of the config `file`: UTF-8 (with or without the byte-order
/// mark Windows Notepad writes, which [`parse`] drops). A file in another encoding is
/// refused with the encoding it looks like and how to save it as UTF-8: in
/// UTF-16 (Notepad's "Unicode"), or in Windows-1252 ("ANSI"), where the
/// first letter that is not UTF-8 is shown as that encoding reads it.
fn decode(file: &str, bytes: Vec<u8>) -> Result<String> {
    if utf16(&bytes) {
        let message =
            format!("the file is saved as UTF-16 (what Notepad calls \"Unicode\"), not UTF-8; {SAVE_AS_UTF8}");
        return Err(SourceError::new(file, "", 1, 1, message).into());
    }
    let error = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(error) => error,
    };
    let bytes = error.as_bytes();
    let at = error.utf8_error().valid_up_to();
    let valid = String::from_utf8_lossy(&bytes[..at]);
    let line = valid.matches('\n').count() + 1;
    let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    // Windows-1252 gives every byte a letter, except five and the controls
    // a text file does not hold: a file of such letters is a Western
    // Windows text file.
    let western = bytes
        .iter()
        .all(|b| !matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D) && (*b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r')));
    if !western {
        let message = "the file is not UTF-8 text (is it a YAML config?)";
        return Err(SourceError::new(file, "", line, column, message).into());
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    let letter = text.lines().nth(line - 1).and_then(|l| l.chars().nth(column - 1)).unwrap_or('?');
    let message = format!(
        "the file is not UTF-8: it looks like Windows-1252 (what Notepad calls \"ANSI\"), in which this is `{letter}`; \
         {SAVE_AS_UTF8}"
    );
    Err(SourceError::new(file, &text, line, column, message).into())
}

/// Whether `bytes` are text in UTF-16: with a byte-order mark, or without
/// one a zero byte beside each of the first letters (ASCII in UTF-16), and
/// either way nothing but letters and line breaks once decoded.
fn utf16(bytes: &[u8]) -> bool {
    let encoding = match bytes {
        [0xFF, 0xFE, ..] => encoding_rs::UTF_16LE,
        [0xFE, 0xFF, ..] => encoding_rs::UTF_16BE,
        [_, 0, _, 0, ..] => encoding_rs::UTF_16LE,
        [0, _, 0, _, ..] => encoding_rs::UTF_16BE,
        _ => return false,
    };
    let (text, _, malformed) = encoding.decode(bytes);
    !malformed && text.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
}

/// Validates config `text` read from `file` (named `stem` for outputs); a
/// byte-order mark at its start is not part of it.
pub fn parse(text: &str, file: &str, stem: &str) -> Result<WorksheetSpec> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
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
