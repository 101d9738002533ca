//! pytest-benchmark JSON files (`--benchmark-json`, `--benchmark-autosave`).
//!
//! Each file is one run: `benchmarks` (each with `fullname`, `params` and
//! `stats.median` in seconds, lower is better), `commit_info` (`id`, `time`)
//! and `datetime`. The time of a point is the commit time, else the run's
//! `datetime`, else the file's modification time. One series per
//! (`fullname`, `params`, platform, Python): the machine is the platform
//! (`machine_info.system` and `.machine`, such as `Linux x86_64`) rather than
//! the host name, which changes on every CI runner, and the environment is
//! the Python implementation and minor version (`CPython 3.11`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Builder, Input, Key, Skips, Val, classify, finish_input, parse_json, parse_time};
use crate::error::Error;
use crate::evidence::Direction;

const TOOL: &str = "pytest-benchmark";

/// Files matched by one `--pytest-benchmark` pattern, in natural order,
/// each once, with what matched but cannot be read (a broken link, a FIFO,
/// a link loop) among `skipped`. The folders are walked with
/// [`crate::fsutil::walk_glob`], from the pattern's literal leading folders,
/// rather than by `glob::glob`, whose `**` follows link loops.
///
/// # Errors
/// A pattern that is not a valid glob, or a plain path (no `*?[`) that does not exist.
pub(crate) fn expand(pattern: &str) -> Result<crate::fsutil::Walked, Error> {
    let plain = !pattern.contains(['*', '?', '[']);
    let path = Path::new(pattern);
    if path.symlink_metadata().is_ok() && !path.is_dir() {
        return Ok(crate::fsutil::Walked {
            files: vec![PathBuf::from(pattern)],
            ..Default::default()
        });
    }
    if plain {
        return Err(Error::Usage(format!(
            "--pytest-benchmark {pattern}: no such file"
        )));
    }
    let glob = glob::Pattern::new(pattern).map_err(|e| {
        Error::Usage(format!(
            "--pytest-benchmark {pattern:?} is not a valid pattern: {e}"
        ))
    })?;
    Ok(crate::fsutil::walk_glob(
        pattern,
        &glob,
        64,
        &super::natural_path_cmp,
    ))
}

/// Where a run's time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum From {
    Commit,
    Datetime,
    Modified,
}

struct Run {
    time: DateTime<Utc>,
    from: From,
    commit: Option<String>,
    values: Vec<(Key, Val)>,
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |v, k| v.get(*k))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// `CPython 3.11` from `python_implementation` and `python_version`.
fn python(info: &Value) -> String {
    let imp = text(info, &["python_implementation"]).unwrap_or("");
    let version = text(info, &["python_version"])
        .map(|v| v.split('.').take(2).collect::<Vec<_>>().join("."))
        .unwrap_or_default();
    format!("{imp} {version}").trim().to_string()
}

fn read_run(v: &Value, mtime: Option<DateTime<Utc>>) -> Result<Run, String> {
    let benches = v
        .get("benchmarks")
        .and_then(Value::as_array)
        .ok_or("not a pytest-benchmark file: no \"benchmarks\" list")?;
    let commit_time = text(v, &["commit_info", "time"]).and_then(parse_time);
    let run_time = text(v, &["datetime"]).and_then(parse_time);
    let (time, from) = match (commit_time, run_time, mtime) {
        (Some(t), _, _) => (t, From::Commit),
        (None, Some(t), _) => (t, From::Datetime),
        (None, None, Some(t)) => (t, From::Modified),
        (None, None, None) => return Err("no commit time, datetime or modification time".into()),
    };
    let null = Value::Null;
    let info = v.get("machine_info").unwrap_or(&null);
    let machine = [text(info, &["system"]), text(info, &["machine"])]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let env = python(info);
    let mut values = Vec::with_capacity(benches.len());
    for (i, b) in benches.iter().enumerate() {
        let name = text(b, &["fullname"])
            .or_else(|| text(b, &["name"]))
            .ok_or_else(|| format!("benchmark {} has no fullname or name", i + 1))?;
        let median = b
            .get("stats")
            .and_then(|s| s.get("median"))
            .ok_or_else(|| format!("{name}: no stats.median"))?;
        // Parameter values as they are when strings, else as JSON.
        let params = match b.get("params") {
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => format!("{k}={s}"),
                    other => format!("{k}={other}"),
                })
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        };
        values.push((
            Key {
                benchmark: name.to_string(),
                params,
                machine: machine.clone(),
                env: env.clone(),
            },
            classify(median),
        ));
    }
    Ok(Run {
        time,
        from,
        commit: text(v, &["commit_info", "id"]).map(str::to_string),
        values,
    })
}

/// Reads the files of one `--pytest-benchmark` pattern.
pub(crate) fn read_files(pattern: &str, walked: &crate::fsutil::Walked) -> Input {
    let mut builder = Builder::new(TOOL);
    let mut skips = Skips::default();
    let mut warnings = Vec::new();
    let mut notes = Vec::new();
    super::walk_problems(walked, &mut skips, &mut notes);
    let files = &walked.files;
    let mut counts = [0usize; 3];
    for f in files {
        let name = f.display().to_string();
        let run = super::read_text(f)
            .and_then(|t| parse_json(&t))
            .and_then(|v| read_run(&v, super::modified(f)));
        match run {
            Ok(run) => {
                counts[run.from as usize] += 1;
                for (key, value) in run.values {
                    builder.push(
                        &key,
                        pattern,
                        "seconds",
                        Direction::LowerIsBetter,
                        run.time,
                        run.commit.as_deref(),
                        value,
                    );
                }
            }
            Err(why) => skips.add(name, why),
        }
    }
    if files.is_empty() && walked.skipped.is_empty() {
        warnings.push(format!("--pytest-benchmark {pattern:?} matched no files"));
        notes.push(format!("the pattern {pattern:?} matched no files"));
    }
    notes.push(format!(
        "{} files; point times: {} from commit_info.time, {} from datetime, {} from the file's modification time",
        files.len(),
        counts[From::Commit as usize],
        counts[From::Datetime as usize],
        counts[From::Modified as usize]
    ));
    let mut input = finish_input(TOOL, pattern, builder, &skips, warnings, notes);
    if files.is_empty() {
        input.provenance.complete = false;
    }
    input
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(commit_time: Option<&str>, datetime: &str, median: &str, version: &str) -> String {
        let ct = commit_time.map_or("null".to_string(), |t| format!("\"{t}\""));
        format!(
            r#"{{"machine_info": {{"node": "fv-az{median}", "processor": "x86_64", "machine": "x86_64", "python_implementation": "CPython", "python_version": "{version}", "system": "Linux", "release": "6.5"}},
              "commit_info": {{"id": "sha-{median}", "time": {ct}, "author_time": null, "dirty": false, "project": "p", "branch": "main"}},
              "benchmarks": [
                {{"group": null, "name": "test_fib", "fullname": "tests/bench.py::test_fib", "params": null, "param": null, "extra_info": {{}},
                  "stats": {{"min": 0.1, "max": 0.3, "mean": 0.2, "stddev": 0.01, "rounds": 5, "median": {median}, "iqr": 0.01, "q1": 0.1, "q3": 0.2, "iqr_outliers": 0, "stddev_outliers": 0, "outliers": "0;0", "ld15iqr": 0.1, "hd15iqr": 0.3, "ops": 5.0, "total": 1.0, "iterations": 1}}}},
                {{"group": "g", "name": "test_sort[100]", "fullname": "tests/bench.py::test_sort[100]", "params": {{"n": 100}}, "param": "100", "extra_info": {{}},
                  "stats": {{"median": {median}, "mean": 1.0}}}}
              ],
              "datetime": "{datetime}", "version": "4.0.0"}}"#
        )
    }

    /// Points follow commit_info.time, else datetime; a varying host name and Python patch keep one series.
    #[test]
    fn ordered_by_commit_time_then_datetime() {
        let d = tempfile::tempdir().unwrap();
        let w = |n: &str, t: &str| std::fs::write(d.path().join(n), t).unwrap();
        // File names in the opposite order of the times.
        w(
            "0001_a.json",
            &run(
                Some("2024-03-03T10:00:00+01:00"),
                "2024-01-01T00:00:00",
                "0.3",
                "3.11.4",
            ),
        );
        w(
            "0002_b.json",
            &run(
                Some("2024-03-01T10:00:00+01:00"),
                "2024-01-05T00:00:00",
                "0.1",
                "3.11.5",
            ),
        );
        w(
            "0003_c.json",
            &run(None, "2024-03-02T00:00:00.123456", "0.2", "3.11.5"),
        );
        w(
            "0004_d.json",
            &run(None, "2024-03-04T00:00:00+00:00", "NaN", "3.11.5"),
        );
        let pattern = format!("{}/*.json", d.path().display());
        let files = expand(&pattern).unwrap();
        let input = read_files(&pattern, &files);
        assert_eq!(input.series.len(), 2, "{:?}", input.series);
        let fib = input
            .series
            .iter()
            .find(|s| s.benchmark == "tests/bench.py::test_fib")
            .unwrap();
        assert_eq!(
            fib.points.iter().map(|p| p.value).collect::<Vec<_>>(),
            vec![0.1, 0.2, 0.3]
        );
        assert_eq!(fib.points[0].commit.as_deref(), Some("sha-0.1"));
        assert_eq!(
            fib.points[1].time.to_rfc3339(),
            "2024-03-02T00:00:00.123456+00:00"
        );
        assert_eq!(fib.machine, "Linux x86_64");
        assert_eq!(fib.env, "CPython 3.11");
        assert_eq!(fib.unit, "seconds");
        assert_eq!(fib.direction, Direction::LowerIsBetter);
        assert_eq!(fib.params, "");
        let sort = input
            .series
            .iter()
            .find(|s| s.benchmark.ends_with("test_sort[100]"))
            .unwrap();
        assert_eq!(sort.params, "n=100");
        let notes = input.provenance.notes.join("\n");
        assert!(
            notes.contains("2 from commit_info.time, 2 from datetime"),
            "{notes}"
        );
        assert!(notes.contains("2 skipped runs (NaN)"), "{notes}");
    }

    /// Corrupt and foreign JSON files are skipped whole; a missing plain path is a usage error.
    #[test]
    fn bad_files_and_missing_paths() {
        let d = tempfile::tempdir().unwrap();
        let w = |n: &str, t: &str| std::fs::write(d.path().join(n), t).unwrap();
        w(
            "a.json",
            &run(Some("2024-03-01T00:00:00Z"), "x", "0.1", "3.12.0"),
        );
        w(
            "b.json",
            &run(Some("2024-03-02T00:00:00Z"), "x", "0.2", "3.12.0"),
        );
        w("c.json", "{\"benchmarks\": [");
        w("d.json", "{\"name\": \"package.json\"}");
        let pattern = format!("{}/*.json", d.path().display());
        let input = read_files(&pattern, &expand(&pattern).unwrap());
        assert_eq!(input.series.len(), 2);
        assert!(!input.provenance.complete);
        let warn = input.warnings.join("\n");
        assert!(
            warn.contains("c.json") && warn.contains("not valid JSON"),
            "{warn}"
        );
        assert!(
            warn.contains("d.json") && warn.contains("no \"benchmarks\" list"),
            "{warn}"
        );
        let missing = format!("{}/nope.json", d.path().display());
        assert!(matches!(expand(&missing), Err(Error::Usage(_))));
        assert!(matches!(expand("[["), Err(Error::Usage(_))));
        let none = format!("{}/*.txt", d.path().display());
        let input = read_files(&none, &expand(&none).unwrap());
        assert!(input.warnings[0].contains("matched no files"));
        assert!(!input.provenance.complete);
    }
}
