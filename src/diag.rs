//! Located diagnostics for the rubric file: what is wrong, where, and the
//! line with a caret under it. They live outside the rubric stage so that
//! the library's error type can carry them without depending on any stage
//! (error.rs imports nothing from collect, signals, rubric or report).

use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeValue, ValueDeserializer};

use crate::suggest;

/// One problem in a rubric file, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubricError {
    pub line: usize,
    pub column: usize,
    /// The key the problem is about (`weight`, `signal`), when known.
    pub key: Option<String>,
    pub message: String,
    pub help: Option<String>,
    /// The offending line with a caret underneath, ready to print.
    pub snippet: String,
}

/// All the problems found in one rubric file (or another TOML file the
/// tool reads: `kind` says which).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubricErrors {
    /// What the file is: `rubric`, `project file`.
    pub kind: &'static str,
    pub file: String,
    pub problems: Vec<RubricError>,
}

impl fmt::Display for RubricErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{} {} is not valid ({n} problem{}):",
            self.kind,
            self.file,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n{}:{}:{}: ", self.file, p.line, p.column)?;
            if let Some(k) = &p.key {
                write!(f, "key `{k}`: ")?;
            }
            write!(f, "{}", p.message)?;
            if !p.snippet.is_empty() {
                write!(f, "\n{}", p.snippet)?;
            }
            if let Some(h) = &p.help {
                write!(f, "\n   = help: {h}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for RubricErrors {}

/// Line and column (1-based) of `span.start`, and the line with carets under the span.
pub(crate) fn locate(text: &str, span: &Range<usize>) -> (usize, usize, String) {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line_no = text[..start].matches('\n').count() + 1;
    let line = &text[line_start..line_end];
    let column = text[line_start..start].chars().count() + 1;
    let width = text[start..span.end.clamp(start, line_end)]
        .chars()
        .count()
        .max(1);
    let gutter = " ".repeat(line_no.to_string().len());
    let snippet = format!(
        "{gutter} |\n{line_no} | {line}\n{gutter} | {}{}",
        " ".repeat(column - 1),
        "^".repeat(width)
    );
    (line_no, column, snippet)
}

/// The key written on the line where `span` starts (`weight = -1` gives `weight`).
fn key_on_line(text: &str, span: &Range<usize>) -> Option<String> {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

/// Turns a serde/TOML error into a located problem, with a suggestion for unknown keys.
pub(crate) fn from_toml_error(text: &str, e: &toml::de::Error) -> RubricError {
    let span = e.span().unwrap_or(0..0);
    let message = e.message().trim().to_string();
    let mut help = None;
    let mut key = None;
    // serde's wording: "unknown field `wieght`, expected one of `signal`, `good`, ..."
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((name, expected)) = rest.split_once('`') {
            let valid: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            help = Some(match suggest::nearest(name, valid.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? valid keys here: {}", valid.join(", ")),
                None if valid.is_empty() => "this table takes no keys".to_string(),
                None => format!("valid keys here: {}", valid.join(", ")),
            });
            key = Some(name.to_string());
        }
    } else if !span.is_empty() {
        key = key_on_line(text, &span);
    }
    let (line, column, snippet) = locate(text, &span);
    RubricError {
        line,
        column,
        key,
        message,
        help,
        snippet,
    }
}

/// A table's value read as `T`, or the problem, located.
pub(crate) fn read_as<T: serde::de::DeserializeOwned>(
    text: &str,
    value: Spanned<DeValue<'_>>,
) -> Result<T, RubricError> {
    T::deserialize(ValueDeserializer::from(value)).map_err(|e| from_toml_error(text, &e))
}
