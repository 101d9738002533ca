//! github-action-benchmark data: the `dev/bench/data.js` it keeps on the
//! `gh-pages` branch (`window.BENCHMARK_DATA = {...}`), or the same object as
//! plain JSON (its `external-data-json-path` file).
//!
//! `entries` maps a suite name (the action's `name` input) to its runs, oldest
//! first; each run has the `commit` measured (`id`, `timestamp`), the run's
//! `date` (milliseconds), the `tool` and its `benches` (`name`, `value`,
//! `unit`). One series per (suite, bench name): the suite is the series'
//! `env`. A point's time is the commit's `timestamp`, else the run's `date`.
//! The direction follows the action's own rule for the tool (`benchmarkjs`,
//! `pytest` and `customBiggerIsBetter` are bigger-is-better, the other known
//! tools smaller-is-better); for a tool it does not know, a rate unit
//! (`ops/s`) is higher-is-better.

use std::path::Path;

use serde_json::Value;

use super::{Builder, Input, Key, Skips, Val, classify, finish_input, from_millis, parse_time};
use crate::evidence::{BenchSeries, Direction};

const TOOL: &str = "github-action-benchmark";

/// Tools github-action-benchmark treats as bigger-is-better.
const BIGGER: &[&str] = &["benchmarkjs", "pytest", "customBiggerIsBetter"];
/// Tools it treats as smaller-is-better.
const SMALLER: &[&str] = &[
    "cargo",
    "go",
    "benchmarkluau",
    "googlecpp",
    "catch2",
    "julia",
    "jmh",
    "benchmarkdotnet",
    "customSmallerIsBetter",
];

/// The direction github-action-benchmark uses for `tool`; `None` for a tool it does not know.
#[must_use]
pub fn tool_direction(tool: &str) -> Option<Direction> {
    if BIGGER.contains(&tool) {
        Some(Direction::HigherIsBetter)
    } else if SMALLER.contains(&tool) {
        Some(Direction::LowerIsBetter)
    } else {
        None
    }
}

/// What parsing a data file gave, with the counts behind the provenance.
struct Parsed {
    builder: Builder,
    skipped_runs: Vec<String>,
    unknown_tools: Vec<String>,
    from_commit: usize,
    from_date: usize,
}

/// The JSON object inside `window.BENCHMARK_DATA = {...};`, or the text itself.
fn json_part(text: &str) -> &str {
    let t = text.trim_start_matches('\u{feff}').trim();
    if t.starts_with('{') {
        return t;
    }
    let Some(eq) = t.find('=') else {
        return t;
    };
    t[eq + 1..].trim().trim_end_matches(';').trim_end()
}

fn parse(text: &str, location: &str) -> Result<Parsed, String> {
    let v = super::parse_json(json_part(text)).map_err(|e| {
        format!(
            "not github-action-benchmark data (window.BENCHMARK_DATA = {{...}} or its JSON): {e}"
        )
    })?;
    let entries = v
        .get("entries")
        .and_then(Value::as_object)
        .ok_or("not github-action-benchmark data: no \"entries\" object")?;
    let mut p = Parsed {
        builder: Builder::new(TOOL),
        skipped_runs: Vec::new(),
        unknown_tools: Vec::new(),
        from_commit: 0,
        from_date: 0,
    };
    for (suite, runs) in entries {
        let Some(runs) = runs.as_array() else {
            p.skipped_runs
                .push(format!("suite {suite:?}: its runs are not a list"));
            continue;
        };
        for (i, run) in runs.iter().enumerate() {
            let commit = run.get("commit");
            let commit_time = commit
                .and_then(|c| c.get("timestamp"))
                .and_then(Value::as_str)
                .and_then(parse_time);
            let run_date = run.get("date").and_then(from_millis);
            let Some(time) = commit_time.or(run_date) else {
                p.skipped_runs.push(format!(
                    "suite {suite:?} run {}: no commit timestamp or date",
                    i + 1
                ));
                continue;
            };
            let Some(benches) = run.get("benches").and_then(Value::as_array) else {
                p.skipped_runs.push(format!(
                    "suite {suite:?} run {}: no \"benches\" list",
                    i + 1
                ));
                continue;
            };
            if commit_time.is_some() {
                p.from_commit += 1;
            } else {
                p.from_date += 1;
            }
            let id = commit.and_then(|c| c.get("id")).and_then(Value::as_str);
            let tool = run.get("tool").and_then(Value::as_str).unwrap_or("");
            let by_tool = tool_direction(tool);
            if by_tool.is_none() && !p.unknown_tools.iter().any(|t| t == tool) {
                p.unknown_tools.push(tool.to_string());
            }
            for b in benches {
                let Some(name) = b.get("name").and_then(Value::as_str) else {
                    p.builder.left_out.invalid += 1;
                    continue;
                };
                let unit = b.get("unit").and_then(Value::as_str).unwrap_or("");
                let value = b.get("value").map_or(Val::Invalid, classify);
                let key = Key {
                    benchmark: name.to_string(),
                    params: String::new(),
                    machine: String::new(),
                    env: suite.clone(),
                };
                let direction = by_tool.unwrap_or_else(|| super::direction_of_unit(unit));
                p.builder
                    .push(&key, location, unit, direction, time, id, value);
            }
        }
    }
    Ok(p)
}

fn notes_of(p: &Parsed) -> Vec<String> {
    let mut notes = super::capped(p.skipped_runs.clone(), "runs skipped");
    if !p.unknown_tools.is_empty() {
        notes.push(format!(
            "tools github-action-benchmark does not list ({}): direction taken from the unit",
            p.unknown_tools
                .iter()
                .map(|t| format!("{t:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    notes.push(format!(
        "point times: {} runs from the commit timestamp, {} from the run date",
        p.from_commit, p.from_date
    ));
    notes
}

/// Parses github-action-benchmark data (`data.js` or its JSON) read from
/// `location` (a path or URL, recorded in each series). Returns the series
/// (two points or more each) and warnings naming what was left out.
///
/// # Errors
/// The text as a whole is not github-action-benchmark data: not JSON after
/// `window.BENCHMARK_DATA =`, or no `entries` object.
pub fn parse_data_js(
    text: &str,
    location: &str,
) -> Result<(Vec<BenchSeries>, Vec<String>), String> {
    let p = parse(text, location)?;
    let mut warnings: Vec<String> = p
        .skipped_runs
        .iter()
        .take(super::MAX_LISTED)
        .map(|r| format!("{location}: skipped {r}"))
        .collect();
    if p.skipped_runs.len() > super::MAX_LISTED {
        warnings.push(format!(
            "{location}: and {} more runs skipped",
            p.skipped_runs.len() - super::MAX_LISTED
        ));
    }
    let (series, series_warnings, left_out) = p.builder.finish();
    warnings.extend(series_warnings);
    if let Some(n) = left_out.note() {
        warnings.push(format!("{location}: {n}"));
    }
    Ok((series, warnings))
}

/// Reads one `--bench-data FILE`.
pub(crate) fn read_file(path: &Path) -> Input {
    let location = path.display().to_string();
    let mut skips = Skips::default();
    let parsed = super::read_text(path).and_then(|t| parse(&t, &location));
    match parsed {
        Ok(p) => {
            let notes = notes_of(&p);
            let warnings = super::capped(
                p.skipped_runs
                    .iter()
                    .map(|r| format!("{location}: skipped {r}"))
                    .collect(),
                "runs skipped",
            );
            let runs_skipped = !p.skipped_runs.is_empty();
            let mut input = finish_input(TOOL, &location, p.builder, &skips, warnings, notes);
            if runs_skipped {
                input.provenance.complete = false;
            }
            input
        }
        Err(why) => {
            skips.add(location.clone(), why);
            finish_input(
                TOOL,
                &location,
                Builder::new(TOOL),
                &skips,
                Vec::new(),
                Vec::new(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = r#"window.BENCHMARK_DATA = {
  "lastUpdate": 1659693626531,
  "repoUrl": "https://github.com/o/r",
  "entries": {
    "Rust": [
      {"commit": {"id": "c2", "timestamp": "2022-06-05T00:00:00+09:00", "url": "u"}, "date": 1654400000000, "tool": "cargo",
       "benches": [{"name": "fib", "value": 90, "range": "± 1", "unit": "ns/iter"}, {"name": "once", "value": 1, "unit": "ns/iter"}]},
      {"commit": {"id": "c1", "timestamp": "2022-06-03T23:16:14+09:00", "url": "u"}, "date": 1654265838841, "tool": "cargo",
       "benches": [{"name": "fib", "value": 86, "range": "± 0", "unit": "ns/iter"}]},
      {"commit": {"id": "c3"}, "date": 1654500000000, "tool": "cargo",
       "benches": [{"name": "fib", "value": null, "unit": "ns/iter"}, {"name": "fib2", "value": "x", "unit": "ns/iter"}]}
    ],
    "Python": [
      {"commit": {"id": "p1", "timestamp": "2022-06-01T00:00:00Z"}, "date": 1, "tool": "pytest",
       "benches": [{"name": "bench.py::test_fib", "value": 59573.9, "unit": "iter/sec", "extra": "mean: 16 usec"}]},
      {"commit": {"id": "p2", "timestamp": "2022-06-02T00:00:00Z"}, "date": 2, "tool": "pytest",
       "benches": [{"name": "bench.py::test_fib", "value": 50000.0, "unit": "iter/sec"}]}
    ]
  }
};
"#;

    /// Both directions, commit-time order, the suite as env, null and non-numbers dropped.
    #[test]
    fn data_js_with_both_directions() {
        let (series, warnings) = parse_data_js(DATA, "data.js").unwrap();
        assert_eq!(series.len(), 2, "{series:?}");
        let rust = series.iter().find(|s| s.env == "Rust").unwrap();
        assert_eq!(rust.benchmark, "fib");
        assert_eq!(rust.direction, Direction::LowerIsBetter);
        assert_eq!(rust.unit, "ns/iter");
        assert_eq!(
            rust.points.iter().map(|p| p.value).collect::<Vec<_>>(),
            vec![86.0, 90.0],
            "ordered by commit time"
        );
        assert_eq!(rust.points[0].commit.as_deref(), Some("c1"));
        assert_eq!(
            rust.points[0].time.to_rfc3339(),
            "2022-06-03T14:16:14+00:00"
        );
        let py = series.iter().find(|s| s.env == "Python").unwrap();
        assert_eq!(py.direction, Direction::HigherIsBetter);
        assert_eq!(py.location, "data.js");
        let w = warnings.join("\n");
        assert!(w.contains("single point") && w.contains("once"), "{w}");
        assert!(w.contains("1 failed runs (null)"), "{w}");
        assert!(w.contains("1 values that are not numbers"), "{w}");
    }

    /// The plain JSON is accepted; custom tools and unknown tools get their direction.
    #[test]
    fn plain_json_and_custom_tools() {
        let text = r#"{"entries": {"s": [
            {"commit": {"id": "a", "timestamp": "2024-01-01T00:00:00Z"}, "date": 1, "tool": "customBiggerIsBetter", "benches": [{"name": "x", "value": 1, "unit": "things"}, {"name": "y", "value": 1, "unit": "MB/s"}]},
            {"commit": {"id": "b", "timestamp": "2024-01-02T00:00:00Z"}, "date": 2, "tool": "customSmallerIsBetter", "benches": [{"name": "x", "value": 2, "unit": "things"}]},
            {"commit": {"id": "c", "timestamp": "2024-01-03T00:00:00Z"}, "date": 3, "tool": "newtool", "benches": [{"name": "y", "value": 2, "unit": "MB/s"}]}
        ]}}"#;
        let (series, _) = parse_data_js(text, "x.json").unwrap();
        let x = series.iter().find(|s| s.benchmark == "x").unwrap();
        assert_eq!(
            x.direction,
            Direction::LowerIsBetter,
            "the latest run's tool"
        );
        let y = series.iter().find(|s| s.benchmark == "y").unwrap();
        assert_eq!(
            y.direction,
            Direction::HigherIsBetter,
            "a rate unit for an unknown tool"
        );
        assert_eq!(
            tool_direction("benchmarkjs"),
            Some(Direction::HigherIsBetter)
        );
        assert_eq!(tool_direction("go"), Some(Direction::LowerIsBetter));
        assert_eq!(tool_direction("newtool"), None);
    }

    /// A unit change within a series keeps the latest unit and says so.
    #[test]
    fn mixed_units_are_reported() {
        let text = r#"{"entries": {"s": [
            {"commit": {"id": "a", "timestamp": "2024-01-01T00:00:00Z"}, "tool": "go", "benches": [{"name": "x", "value": 1000, "unit": "ns/op"}]},
            {"commit": {"id": "b", "timestamp": "2024-01-02T00:00:00Z"}, "tool": "go", "benches": [{"name": "x", "value": 1, "unit": "us/op"}]},
            {"commit": {"id": "c", "timestamp": "2024-01-03T00:00:00Z"}, "tool": "go", "benches": [{"name": "x", "value": 2, "unit": "us/op"}]}
        ]}}"#;
        let (series, warnings) = parse_data_js(text, "d.js").unwrap();
        assert_eq!(series[0].unit, "us/op");
        assert_eq!(series[0].points.len(), 2);
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("mixes units") && w.contains('x')),
            "{warnings:?}"
        );
    }

    /// Whole-text problems are errors; a run without a time is skipped with a warning.
    #[test]
    fn bad_text_is_an_error() {
        assert!(parse_data_js("<html>404</html>", "u").is_err());
        assert!(parse_data_js("window.BENCHMARK_DATA = {\"entries\": {", "u").is_err());
        let e = parse_data_js("{\"lastUpdate\": 1}", "u").unwrap_err();
        assert!(e.contains("entries"), "{e}");
        let (_, w) = parse_data_js(
            r#"{"entries": {"s": [{"commit": {"id": "a"}, "tool": "go", "benches": []}]}}"#,
            "u",
        )
        .unwrap();
        assert!(
            w.iter().any(|w| w.contains("no commit timestamp or date")),
            "{w:?}"
        );
    }

    /// A corrupt file is skipped with a warning naming it, and the provenance says so.
    #[test]
    fn corrupt_file_is_skipped() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("data.js");
        std::fs::write(&p, "window.BENCHMARK_DATA = {\"entries\": {\"s\": [").unwrap();
        let input = read_file(&p);
        assert!(input.series.is_empty());
        assert!(!input.provenance.complete);
        assert!(
            input.warnings[0].contains("data.js"),
            "{:?}",
            input.warnings
        );
        std::fs::write(&p, DATA).unwrap();
        let input = read_file(&p);
        assert_eq!(input.provenance.items, 2);
        assert!(
            !input.provenance.complete,
            "a value that is not a number was lost"
        );
        assert!(
            input
                .provenance
                .notes
                .iter()
                .any(|n| n.contains("4 runs from the commit timestamp, 1 from the run date")),
            "{:?}",
            input.provenance.notes
        );
    }
}
