//! Located problems in a TOML file: line, column, the key, a snippet with
//! carets, and "did you mean" for unknown keys. The rubric (`rubric/cfg.rs`)
//! and the projects file (`projects.rs`) read their TOML through these.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeValue, ValueDeserializer};

use crate::diag::RubricError;
use crate::suggest;

pub(crate) struct Problems<'a> {
    pub(crate) text: &'a str,
    pub(crate) list: Vec<RubricError>,
}

impl Problems<'_> {
    pub(crate) fn add(
        &mut self,
        span: Range<usize>,
        key: Option<&str>,
        message: String,
        help: Option<String>,
    ) {
        let (line, column, snippet) = locate(self.text, &span);
        self.list.push(RubricError {
            line,
            column,
            key: key.map(str::to_string),
            message,
            help,
            snippet,
        });
    }
}

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
pub(crate) fn key_on_line(text: &str, span: &Range<usize>) -> Option<String> {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

/// Turns a serde/TOML error into a located problem, with a suggestion for unknown keys.
pub(crate) fn from_toml_error(text: &str, e: &toml::de::Error) -> RubricError {
    from_toml_error_with(text, e, &[])
}

/// [`from_toml_error`] for a table that also takes `extra` keys, read
/// apart from its struct ([`take_lists`]): they are valid keys too.
fn from_toml_error_with(text: &str, e: &toml::de::Error, extra: &[&str]) -> RubricError {
    let span = e.span().unwrap_or(0..0);
    let mut message = e.message().trim().to_string();
    let original = message.clone();
    let mut help = None;
    let mut key = None;
    // serde's wording: "unknown field `wieght`, expected one of `signal`, `good`, ..."
    if let Some(rest) = original.strip_prefix("unknown field `") {
        if let Some((name, expected)) = rest.split_once('`') {
            let mut valid: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            if !extra.is_empty() {
                valid.extend(extra);
                // serde's own list lacks the keys read apart: say them all.
                let all: Vec<String> = valid.iter().map(|v| format!("`{v}`")).collect();
                message = format!("unknown field `{name}`, expected one of {}", all.join(", "));
            }
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

/// [`read_as`] for a table that also takes the `extra` keys (already
/// taken out of it by [`take_lists`]), so that a misspelt one is suggested.
pub(crate) fn read_as_with<T: serde::de::DeserializeOwned>(
    text: &str,
    value: Spanned<DeValue<'_>>,
    extra: &[&str],
) -> Result<T, RubricError> {
    T::deserialize(ValueDeserializer::from(value))
        .map_err(|e| from_toml_error_with(text, &e, extra))
}

/// Takes the keys that `wanted` accepts out of a table, each read as a
/// list of strings with their spans (`key = ["a", "b"]`): keys declared
/// elsewhere than the table's struct (the benchmark inputs). Problems
/// (not a table, not a list of strings) go to `problems`.
pub(crate) fn take_lists(
    text: &str,
    value: &mut Spanned<DeValue<'_>>,
    wanted: impl Fn(&str) -> bool,
    problems: &mut Vec<RubricError>,
) -> Vec<(String, Vec<Spanned<String>>)> {
    let DeValue::Table(table) = value.get_mut() else {
        return Vec::new();
    };
    let keys: Vec<String> = table
        .keys()
        .map(|k| k.get_ref().to_string())
        .filter(|k| wanted(k))
        .collect();
    let mut out = Vec::new();
    for key in keys {
        let Some(v) = table.remove(key.as_str()) else {
            continue;
        };
        match read_as::<Vec<Spanned<String>>>(text, v) {
            Ok(list) => out.push((key, list)),
            Err(mut e) => {
                e.key.get_or_insert_with(|| key.clone());
                problems.push(e);
            }
        }
    }
    out
}

/// The tables of an array of tables (`[[category]]`) under `key`, each with
/// its span; a value that is not an array is a problem.
pub(crate) fn tables_of<'i>(
    text: &str,
    value: Option<Spanned<DeValue<'i>>>,
    key: &str,
    problems: &mut Vec<RubricError>,
) -> Vec<Spanned<DeValue<'i>>> {
    let Some(value) = value else {
        return Vec::new();
    };
    let span = value.span();
    if let DeValue::Array(items) = value.into_inner() {
        items.into_iter().collect()
    } else {
        let (line, column, snippet) = locate(text, &span);
        problems.push(RubricError {
            line,
            column,
            key: Some(key.to_string()),
            message: format!("`{key}` must be an array of tables, written [[{key}]]"),
            help: None,
            snippet,
        });
        Vec::new()
    }
}
