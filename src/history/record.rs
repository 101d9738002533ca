//! The history file: one JSON line per run recorded with
//! `readiness report --record FILE`. Appending writes the whole line in one
//! call on a file opened for appending, so concurrent runs never interleave
//! inside a line, and a line cut short by a crash is kept apart from the
//! next one. Reading is bounded (the file, and each line); a line that
//! cannot be read is named (file and line) and skipped, never the whole file.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Point, RubricRef};
use crate::error::Error;
use crate::evidence::TargetInfo;
use crate::rubric::score::Scorecard;
use crate::signals::Measurement;
use crate::window::Window;

/// The version of a record line.
pub const RECORD_SCHEMA: u32 = 1;

/// The largest history file read (256 MiB): a weekly run for centuries.
pub const MAX_FILE: u64 = 256 << 20;

/// The longest line read (4 MiB); a longer one is named and skipped.
pub const MAX_LINE: usize = 4 << 20;

/// One recorded run: a line of the history file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Record {
    /// The version of the line's format (1).
    pub record_schema: u32,
    /// The tool and version that recorded it.
    pub tool: String,
    /// What the run was about.
    pub target: TargetInfo,
    /// When the run was made (honours `SOURCE_DATE_EPOCH`).
    pub recorded_at: DateTime<Utc>,
    /// The report's window; `until` is "as of".
    pub window: Window,
    /// The rubric and its fingerprint.
    pub rubric: RubricRef,
    /// The score, grade, coverage and categories.
    #[serde(flatten)]
    pub scorecard: Scorecard,
    /// Every measurement, without its examples (they are in the report).
    pub measurements: Vec<Measurement>,
}

impl Record {
    /// The point this record is, labelled by its "as of" date.
    #[must_use]
    pub(crate) fn point(self, label: String) -> Point {
        Point {
            label,
            window: self.window,
            recorded_at: Some(self.recorded_at),
            rubric: self.rubric,
            scorecard: self.scorecard,
            measurements: self.measurements,
        }
    }

    /// What is wrong with a line that parsed, if anything: numbers out of
    /// range, a window that ends before it starts, another schema version.
    fn problem(&self) -> Option<String> {
        let card = &self.scorecard;
        let bad_score = |s: Option<f64>| s.is_some_and(|s| !(0.0..=100.0).contains(&s));
        let bad_share = |c: f64| !(0.0..=1.0).contains(&c);
        if self.record_schema != RECORD_SCHEMA {
            return Some(format!(
                "record_schema {} is not {RECORD_SCHEMA}, the version this readiness reads",
                self.record_schema
            ));
        }
        if self.window.since >= self.window.until {
            return Some("window: since is not before until".into());
        }
        if bad_score(card.score) || bad_share(card.coverage) {
            return Some("score or coverage: out of range (0..100, 0..1)".into());
        }
        for (i, c) in card.categories.iter().enumerate() {
            if bad_score(c.score) || bad_share(c.coverage) || !c.weight.is_finite() {
                return Some(format!(
                    "categories[{i}]: score, coverage or weight out of range"
                ));
            }
            if c.criteria
                .iter()
                .any(|k| bad_score(k.score) || k.value.is_some_and(|v| !v.is_finite()))
            {
                return Some(format!("categories[{i}].criteria: a score out of range"));
            }
        }
        None
    }
}

/// A record line that could not be read: `FILE:LINE: reason`.
fn skip(path: &Path, line: usize, reason: &str) -> String {
    format!("{}:{line}: {reason}", path.display())
}

/// What [`read`] found in a history file.
#[derive(Debug, Default)]
pub struct Lines {
    /// The records read, in file order.
    pub records: Vec<Record>,
    /// The lines that could not be read: `FILE:LINE: reason`.
    pub skipped: Vec<String>,
}

/// Reads every record of the history file at `path`, in file order; lines
/// that cannot be read come back as `FILE:LINE: reason` and are skipped.
/// Blank lines are ignored.
///
/// # Errors
/// The file cannot be opened, is not a regular file, or is over [`MAX_FILE`].
pub fn read(path: &Path) -> Result<Lines, Error> {
    let (file, meta) = crate::fsutil::open_checked(path).map_err(|e| match e {
        crate::fsutil::Refused::Io(e) => Error::read(path, e),
        crate::fsutil::Refused::NotRegular(_) => Error::read(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"),
        ),
    })?;
    if meta.len() > MAX_FILE {
        return Err(Error::read(
            path,
            std::io::Error::other(format!(
                "the history file is over {} MiB: keep the recent lines in a new file",
                MAX_FILE >> 20
            )),
        ));
    }
    let mut reader = BufReader::new(file.take(MAX_FILE));
    let mut out = Lines::default();
    let mut line = 0;
    loop {
        let mut buf = Vec::new();
        let n = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::read(path, e))?;
        if n == 0 {
            break;
        }
        line += 1;
        if buf.len() > MAX_LINE {
            skip_line(&mut reader).map_err(|e| Error::read(path, e))?;
            out.skipped.push(skip(
                path,
                line,
                &format!("the line is over {} MiB", MAX_LINE >> 20),
            ));
            continue;
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match parse_line(&buf) {
            Ok(record) => out.records.push(record),
            Err(reason) => out.skipped.push(skip(path, line, &reason)),
        }
    }
    Ok(out)
}

/// One line as a record, or why it is not one.
///
/// # Errors
/// The line is not JSON, not a record (the field is named), or out of range.
pub(crate) fn parse_line(bytes: &[u8]) -> Result<Record, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let record: Record = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let at = e.path().to_string();
        let inner = e.into_inner();
        if at.is_empty() || at == "." {
            format!("not a record: {inner}")
        } else {
            format!("{at}: {inner}")
        }
    })?;
    match record.problem() {
        Some(p) => Err(p),
        None => Ok(record),
    }
}

/// Reads on to the end of the current line.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(pos) = buf.iter().position(|b| *b == b'\n') {
            reader.consume(pos + 1);
            return Ok(());
        }
        let all = buf.len();
        reader.consume(all);
    }
}

/// Appends `record` to the history file at `path` as one line, creating
/// the file when needed. The line is written with one call on a file opened
/// for appending; when the file's last line was cut short (no newline), a
/// newline comes first, so that the cut line stays apart and is skipped.
///
/// # Errors
/// The record cannot be written as JSON, or the file cannot be written.
pub(crate) fn append(path: &Path, record: &Record) -> Result<(), Error> {
    let mut line = serde_json::to_vec(record).map_err(|e| Error::Json {
        what: "the history record".into(),
        message: e.to_string(),
    })?;
    line.push(b'\n');
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        return Err(Error::write(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"),
        ));
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| Error::write(path, e))?;
    let len = file.metadata().map_err(|e| Error::write(path, e))?.len();
    if len > 0 {
        let mut last = [0u8];
        file.seek(SeekFrom::Start(len - 1))
            .and_then(|_| file.read_exact(&mut last))
            .map_err(|e| Error::write(path, e))?;
        if last[0] != b'\n' {
            line.insert(0, b'\n');
        }
    }
    file.write_all(&line)
        .and_then(|()| file.sync_data())
        .map_err(|e| Error::write(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, basis: &str) -> Record {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let window = Window {
            since: t("2025-08-20T00:00:00Z"),
            until: t("2026-08-20T00:00:00Z"),
        };
        Record {
            record_schema: RECORD_SCHEMA,
            tool: "readiness test".into(),
            target: TargetInfo {
                name: name.into(),
                kind: "git".into(),
                location: name.into(),
                remote: None,
            },
            recorded_at: window.until,
            window,
            rubric: RubricRef {
                name: "default".into(),
                origin: "built-in".into(),
                hash: "fnv1a64:0123456789abcdef".into(),
            },
            scorecard: Scorecard {
                score: Some(62.5),
                grade: "maturing".into(),
                coverage: 0.75,
                missing_required: Vec::new(),
                withheld: None,
                release_only: false,
                categories: Vec::new(),
            },
            measurements: vec![crate::signals::Measurement {
                signal: "release.count_365d".into(),
                value: Some(12.0),
                unit: crate::signals::Unit::Releases,
                n: 12,
                window,
                source: "git tags".into(),
                basis: basis.into(),
                insufficient: None,
                examples: Vec::new(),
            }],
        }
    }

    /// Writers appending at once never mix inside a line: every line reads back whole.
    #[test]
    fn concurrent_appends_keep_every_line_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.jsonl");
        std::thread::scope(|scope| {
            for w in 0..8 {
                let path = &path;
                scope.spawn(move || {
                    // Lines of 64 KB, far over a pipe's atomic size.
                    let r = record(&format!("t{w}"), &"x".repeat(64 << 10));
                    for _ in 0..10 {
                        append(path, &r).unwrap();
                    }
                });
            }
        });
        let lines = read(&path).unwrap();
        assert!(lines.skipped.is_empty(), "{:?}", lines.skipped);
        assert_eq!(lines.records.len(), 80);
        assert_eq!(
            lines.records[0],
            record(&lines.records[0].target.name, &"x".repeat(64 << 10))
        );
    }

    /// A line that parses but holds numbers out of range, or another version, is skipped and says why.
    #[test]
    fn records_out_of_range_are_refused() {
        let good = serde_json::to_value(record("a", "b")).unwrap();
        assert!(parse_line(good.to_string().as_bytes()).is_ok());
        let cases: [(&str, serde_json::Value, &str); 4] = [
            (
                "score",
                serde_json::json!(1e308),
                "score or coverage: out of range",
            ),
            (
                "coverage",
                serde_json::json!(-0.5),
                "score or coverage: out of range",
            ),
            (
                "record_schema",
                serde_json::json!(2),
                "record_schema 2 is not 1",
            ),
            ("recorded_at", serde_json::json!("soon"), "recorded_at: "),
        ];
        for (key, value, says) in cases {
            let mut bad = good.clone();
            bad[key] = value;
            let e = parse_line(bad.to_string().as_bytes()).unwrap_err();
            assert!(e.contains(says), "{key}: {e}");
        }
        let mut bad = good;
        bad["window"]["since"] = bad["window"]["until"].clone();
        let e = parse_line(bad.to_string().as_bytes()).unwrap_err();
        assert!(e.contains("window: since is not before until"), "{e}");
    }

    /// A file whose last line was cut short gets a newline first: the new record is read whole.
    #[test]
    fn an_append_after_a_cut_line_starts_a_new_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.jsonl");
        std::fs::write(&path, "{\"record_schema\": 1").unwrap();
        append(&path, &record("a", "b")).unwrap();
        let lines = read(&path).unwrap();
        assert_eq!(lines.records.len(), 1);
        assert_eq!(lines.skipped.len(), 1, "{:?}", lines.skipped);
        assert!(
            lines.skipped[0].contains("h.jsonl:1: "),
            "{:?}",
            lines.skipped
        );
    }

    #[test]
    fn a_cut_line_is_named_and_the_rest_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.jsonl");
        std::fs::write(&path, "{\"record_schema\": 1, \"tool\"").unwrap();
        let Lines { records, skipped } = read(&path).unwrap();
        assert!(records.is_empty());
        assert_eq!(skipped.len(), 1);
        assert!(
            skipped[0].ends_with(
                "h.jsonl:1: not a record: EOF while parsing an object at line 1 column 27"
            ),
            "{skipped:?}"
        );
        std::fs::write(&path, "\n\n[1]\n").unwrap();
        let skipped = read(&path).unwrap().skipped;
        assert!(skipped[0].contains("h.jsonl:3: "), "{skipped:?}");
    }

    #[test]
    fn long_lines_and_special_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.jsonl");
        let mut text = "x".repeat(MAX_LINE + 10);
        text.push_str("\n[2]\n");
        std::fs::write(&path, text).unwrap();
        let skipped = read(&path).unwrap().skipped;
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert!(
            skipped[0].contains(":1: the line is over 4 MiB"),
            "{skipped:?}"
        );
        assert!(skipped[1].contains(":2: "), "{skipped:?}");
        let fifo = dir.path().join("fifo");
        crate::fsutil::mkfifo(&fifo);
        let e = read(&fifo).unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
        let e = read(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
    }
}
