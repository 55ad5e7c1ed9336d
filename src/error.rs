//! Errors a user can fix, each carrying where it happened, printed once by the binary.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in a text file: the file, a 1-based line and a 1-based column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A place in a text file together with the text of its line: where a
/// config value is written, kept to report a problem found later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The file, line and column.
    pub location: Location,
    /// The source line at `location`, if known.
    pub source_line: Option<String>,
}

impl Place {
    /// `line`/`column` (1-based) of `text`, which is the content of `file`.
    pub fn new(file: &str, text: &str, line: usize, column: usize) -> Self {
        Place {
            location: Location { file: file.to_owned(), line: line.max(1), column: column.max(1) },
            source_line: text.lines().nth(line.saturating_sub(1)).map(str::to_owned),
        }
    }

    /// The problem `message` at this place.
    pub fn error(&self, message: impl Into<String>) -> SourceError {
        SourceError { location: self.location.clone(), message: message.into(), source_line: self.source_line.clone() }
    }
}

/// A problem at a location in a config or template, with the offending line shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    /// Where the problem is.
    pub location: Location,
    /// What is wrong and what is allowed.
    pub message: String,
    /// The source line at `location`, if known.
    pub source_line: Option<String>,
}

impl SourceError {
    /// A problem at `line`/`column` of `text`, which is the content of `file`.
    pub fn new(file: &str, text: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        Place::new(file, text, line, column).error(message)
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)?;
        if let Some(line) = &self.source_line {
            let number = self.location.line.to_string();
            let pad = " ".repeat(number.len());
            let caret_pad: String = line
                .chars()
                .take(self.location.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n{pad} |\n{number} | {line}\n{pad} | {caret_pad}^")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in a run, short of a bug.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A config or template problem at a known place.
    #[error("{0}")]
    Source(Box<SourceError>),
    /// A file could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done ("read", "write", "create directory").
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// A problem that has no single place in a file.
    #[error("{0}")]
    Message(String),
    /// The command line asks for something that cannot be done (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// Several problems, all reported.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n\n"))]
    Many(Vec<Error>),
}

impl Error {
    /// An I/O failure on `path`.
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Error::Io { action, path: path.to_owned(), source }
    }

    /// A problem without a location.
    pub fn msg(message: impl Into<String>) -> Self {
        Error::Message(message.into())
    }

    /// Every distinct problem among `errors` (those already [`Error::Many`]
    /// flattened), each reported once: a single problem as itself, more as
    /// [`Error::Many`].
    pub fn all(errors: impl IntoIterator<Item = Error>) -> Self {
        let mut seen = std::collections::HashSet::new();
        let mut distinct: Vec<Error> = errors
            .into_iter()
            .flat_map(|e| match e {
                Error::Many(many) => many,
                e => vec![e],
            })
            .filter(|e| seen.insert(e.to_string()))
            .collect();
        match distinct.len() {
            1 => distinct.remove(0),
            _ => Error::Many(distinct),
        }
    }
}

impl From<SourceError> for Error {
    fn from(error: SourceError) -> Self {
        Error::Source(Box::new(error))
    }
}

/// The result type of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
