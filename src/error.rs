//! The library's error type. Every variant names what was wrong and where;
//! the binary prints it and exits with code 2.

use std::path::PathBuf;

use crate::diag::{ProjectsErrors, RubricErrors};

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line asked for something that cannot be done.
    #[error("{0}")]
    Usage(String),

    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{0}")]
    Rubric(#[from] RubricErrors),

    #[error("{0}")]
    Projects(#[from] ProjectsErrors),

    #[error("git repository {}: {message}", path.display())]
    Git { path: PathBuf, message: String },

    #[error("evidence file {}: {message}", path.display())]
    Evidence { path: PathBuf, message: String },

    #[error("tag pattern {pattern:?}: {message}")]
    TagPattern { pattern: String, message: String },

    #[error("template {name}: {message}")]
    Template { name: String, message: String },

    #[error("{target}: {message}")]
    Target { target: String, message: String },

    /// A line of an input file (a batch's list or its output) that cannot be used.
    #[error("{}:{line}: {message}", path.display())]
    Input {
        path: PathBuf,
        line: usize,
        message: String,
    },

    /// A document could not be written as JSON.
    #[error("cannot write {what} as JSON: {message}")]
    Json { what: String, message: String },
}

impl Error {
    pub(crate) fn read(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Read {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Write {
            path: path.into(),
            source,
        }
    }
}
