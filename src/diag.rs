//! Located diagnostics for the rubric and projects files: what is wrong, where, and the
//! line with a caret under it. They live outside the rubric stage so that
//! the library's error type can carry them without depending on any stage
//! (error.rs imports nothing from collect, signals, rubric or report).

use std::fmt;

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

/// All the problems found in one rubric file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubricErrors {
    pub file: String,
    pub problems: Vec<RubricError>,
}

impl fmt::Display for RubricErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_located(f, "rubric", self)
    }
}

/// The problems of one projects file (`readiness compare --projects FILE`),
/// located like a rubric's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectsErrors(pub RubricErrors);

impl fmt::Display for ProjectsErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_located(f, "projects file", &self.0)
    }
}

impl std::error::Error for ProjectsErrors {}

/// `WHAT FILE is not valid (N problems):`, then each problem with its place, snippet and help.
fn write_located(f: &mut fmt::Formatter<'_>, what: &str, e: &RubricErrors) -> fmt::Result {
    let n = e.problems.len();
    write!(
        f,
        "{what} {} is not valid ({n} problem{}):",
        e.file,
        if n == 1 { "" } else { "s" }
    )?;
    for p in &e.problems {
        write!(f, "\n{}:{}:{}: ", e.file, p.line, p.column)?;
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

impl std::error::Error for RubricErrors {}
