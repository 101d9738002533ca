//! The lines of a batch's output (NDJSON): each is a whole report, as
//! `readiness report --format json` writes it but on one line, or an error
//! line `{"project": "OWNER/REPO", "error": "..."}`. Files are read a line
//! at a time, each line bounded, so a file of 100,000 reports is never held.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::report::aggregate::{Accumulator, ReportLine};

/// The longest line read: 64 MiB (a report with every chart is well under 1 MiB).
pub const MAX_LINE_BYTES: u64 = 64 << 20;

/// The line of a project that could not be scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorLine {
    /// `OWNER/REPO`, as the input gave it.
    pub project: String,
    /// Why there is no report.
    pub error: String,
}

/// What a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A report about the project named `name` (its `target.name`).
    Report {
        name: String,
    },
    Error(ErrorLine),
}

/// Just enough of a line to tell which it is.
#[derive(Deserialize)]
struct Probe {
    report_schema: Option<serde::de::IgnoredAny>,
    target: Option<ProbeTarget>,
    project: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct ProbeTarget {
    name: String,
}

/// Tells a report line from an error line.
///
/// # Errors
/// Not JSON, or JSON that is neither; the message says which.
pub fn classify(bytes: &[u8]) -> Result<Line, String> {
    let p: Probe = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    match p {
        Probe {
            report_schema: Some(_),
            target: Some(t),
            ..
        } => Ok(Line::Report { name: t.name }),
        Probe {
            project: Some(project),
            error: Some(error),
            ..
        } => Ok(Line::Error(ErrorLine { project, error })),
        _ => Err(
            "neither a report (report_schema, target) nor an error line (project, error) of readiness batch"
                .into(),
        ),
    }
}

/// Reads a file's lines one at a time, none longer than [`MAX_LINE_BYTES`].
pub struct Lines<R> {
    inner: BufReader<R>,
    path: PathBuf,
    /// The number of the line last read (1-based).
    pub number: usize,
    /// Where the line last read starts, in bytes.
    pub offset: u64,
    next_offset: u64,
}

impl<R: Read> Lines<R> {
    pub fn new(inner: R, path: &Path) -> Lines<R> {
        Lines {
            inner: BufReader::with_capacity(1 << 16, inner),
            path: path.to_path_buf(),
            number: 0,
            offset: 0,
            next_offset: 0,
        }
    }

    /// The next line into `buf` (without its newline): `Some(true)` when
    /// it ended with a newline, `Some(false)` for a last line without one.
    ///
    /// # Errors
    /// The file cannot be read, or the line is too long.
    pub fn next_into(&mut self, buf: &mut Vec<u8>) -> Result<Option<bool>, Error> {
        buf.clear();
        let n = (&mut self.inner)
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', buf)
            .map_err(|e| Error::read(&self.path, e))?;
        if n == 0 {
            return Ok(None);
        }
        self.number += 1;
        self.offset = self.next_offset;
        self.next_offset += n as u64;
        let ended = buf.last() == Some(&b'\n');
        if ended {
            buf.pop();
        } else if n as u64 > MAX_LINE_BYTES {
            return Err(self.error(format!(
                "the line is longer than {} MiB",
                MAX_LINE_BYTES >> 20
            )));
        }
        Ok(Some(ended))
    }

    /// An error about the line last read.
    #[must_use]
    pub fn error(&self, message: String) -> Error {
        Error::Input {
            path: self.path.clone(),
            line: self.number,
            message,
        }
    }
}

/// What an existing output already holds: the projects with a report and
/// those with only an error line, by lower-cased name.
#[derive(Debug, Default)]
pub struct Existing {
    pub reported: HashSet<String>,
    /// Each project's last error.
    pub failed: HashMap<String, String>,
    pub lines: usize,
    /// A last line cut short (an interrupted write): where it starts. The
    /// batch truncates the file there before appending.
    pub torn_at: Option<u64>,
    /// The last line is whole but has no newline: one is added before appending.
    pub unterminated: bool,
}

/// Reads the output of an earlier run of the same batch; a missing file is empty.
///
/// # Errors
/// The file cannot be read, or a line other than a torn last one is not a
/// batch line: appending to another kind of file would spoil it.
pub fn read_existing(path: &Path) -> Result<Existing, Error> {
    let file = match crate::fsutil::open_regular(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::default()),
        Err(e) => return Err(Error::read(path, e)),
    };
    let mut out = Existing::default();
    let mut lines = Lines::new(file, path);
    let mut buf = Vec::new();
    while let Some(ended) = lines.next_into(&mut buf)? {
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match classify(&buf) {
            Ok(Line::Report { name }) => {
                let key = name.to_lowercase();
                out.failed.remove(&key);
                out.reported.insert(key);
            }
            Ok(Line::Error(e)) => {
                let key = e.project.to_lowercase();
                if !out.reported.contains(&key) {
                    out.failed.insert(key, e.error);
                }
            }
            Err(_) if !ended => {
                out.torn_at = Some(lines.offset);
                break;
            }
            Err(why) => {
                return Err(lines.error(format!(
                    "{why}; -o names the output of an earlier batch, which is appended to"
                )));
            }
        }
        out.lines += 1;
        out.unterminated = !ended;
    }
    Ok(out)
}

/// Adds every line of the batch output at `path` to `acc` (`readiness
/// compare OUT.ndjson`). A last line cut short is left out, with a notice
/// unless `quiet`.
///
/// # Errors
/// The file cannot be read, or a line is neither a report nor an error line.
pub fn read_into(path: &Path, acc: &mut Accumulator, quiet: bool) -> Result<(), Error> {
    let file = crate::fsutil::open_regular(path).map_err(|e| Error::read(path, e))?;
    let mut lines = Lines::new(file, path);
    let mut buf = Vec::new();
    while let Some(ended) = lines.next_into(&mut buf)? {
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let as_report = serde_json::from_slice::<ReportLine>(&buf);
        if let Ok(r) = &as_report {
            acc.report(r);
            continue;
        }
        if let Ok(e) = serde_json::from_slice::<ErrorLine>(&buf) {
            acc.error(&e.project, &e.error);
            continue;
        }
        if !ended {
            if !quiet {
                eprintln!(
                    "readiness: {}:{}: the last line is cut short (an interrupted batch?): left out",
                    path.display(),
                    lines.number
                );
            }
            break;
        }
        let why = as_report.err().map_or_else(String::new, |e| e.to_string());
        return Err(lines.error(format!(
            "neither a report nor an error line of readiness batch: {why}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_told_apart() {
        assert_eq!(
            classify(br#"{"report_schema": 1, "target": {"name": "a/b", "kind": "github"}}"#),
            Ok(Line::Report { name: "a/b".into() })
        );
        assert_eq!(
            classify(br#"{"project": "a/b", "error": "not found"}"#),
            Ok(Line::Error(ErrorLine {
                project: "a/b".into(),
                error: "not found".into()
            }))
        );
        assert!(classify(b"{}").unwrap_err().starts_with("neither"));
        assert!(
            classify(b"{\"project\": ")
                .unwrap_err()
                .starts_with("not JSON")
        );
    }

    #[test]
    fn an_existing_output_says_what_is_done_and_what_failed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.ndjson");
        assert_eq!(read_existing(&p).unwrap().lines, 0);
        let text = concat!(
            "{\"project\": \"A/B\", \"error\": \"HTTP 500\"}\n",
            "{\"project\": \"c/d\", \"error\": \"not found\"}\n",
            "\n",
            "{\"report_schema\": 1, \"target\": {\"name\": \"a/b\"}}\n",
            "{\"report_schema\": 1, \"target\": {\"na"
        );
        std::fs::write(&p, text).unwrap();
        let e = read_existing(&p).unwrap();
        assert!(e.reported.contains("a/b"));
        assert_eq!(e.failed.len(), 1);
        assert_eq!(e.failed["c/d"], "not found");
        assert_eq!(e.torn_at, Some(text.rfind('\n').unwrap() as u64 + 1));
        assert!(!e.unterminated);
        std::fs::write(&p, "{\"project\": \"a/b\", \"error\": \"x\"}").unwrap();
        let e = read_existing(&p).unwrap();
        assert!(e.unterminated && e.torn_at.is_none());
        std::fs::write(&p, "a/b\nc/d\n").unwrap();
        let err = read_existing(&p).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}:1: not JSON", p.display())),
            "{err}"
        );
    }
}
