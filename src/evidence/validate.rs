//! Reading a saved evidence file and checking the invariants that
//! measuring relies on, so that a hand-edited, truncated or foreign file is
//! refused with an error naming the file and the field instead of being
//! measured wrongly (or not at all).
//!
//! The invariants, each checked with the field path it names:
//!
//! | field | invariant | why |
//! | --- | --- | --- |
//! | `schema` | from [`OLDEST_READ`] to [`SCHEMA`] | an older or newer layout would be misread |
//! | every field | has the type and shape of [`Evidence`] | serde; the error names the field path |
//! | `window` | `since` before `until` | every windowed signal and `--since 90d` count from it |
//! | `release_rule.tag_pattern` | compiles as a regular expression | releases are classified by it |
//! | `tests.runs[i].outcomes` | no longer than `tests.tests`, letters of `pfesx.` only | letter *k* is the outcome of test *k* |
//! | `bench.series[i].points[j].time` | not before the point before it | series are fitted in time order |
//! | `bench.series[i].points[j].value` | finite | JSON cannot hold NaN or infinities, but evidence built in-process can |
//!
//! Other numbers need no check: serde refuses a number out of its field's
//! range. Item dates are not checked against each other: GitHub's own data
//! has issues closed before they were opened (imported ones).

use std::fmt::Write as _;
use std::path::Path;

use super::{Evidence, OLDEST_READ, SCHEMA};
use crate::error::Error;

/// The letters a test run's `outcomes` may hold.
const OUTCOME_LETTERS: &str = "pfesx.";

/// How many problems one error lists before counting the rest.
const MAX_LISTED: usize = 10;

/// Reads, parses and validates the evidence file at `path`.
///
/// # Errors
/// [`Error::Read`] when the file cannot be read; [`Error::Evidence`], naming
/// the file and the field, when it is not JSON, has another schema version,
/// does not have the shape of [`Evidence`] or breaks an invariant.
pub(super) fn load(path: &Path) -> Result<Evidence, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
    let err = |message: String| Error::Evidence {
        path: path.to_path_buf(),
        message,
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        err(format!("not valid JSON: not UTF-8 text at byte {at}"))
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| err(format!("not valid JSON: {e}")))?;
    match value.get("schema").and_then(serde_json::Value::as_u64) {
        Some(v) if (u64::from(OLDEST_READ)..=u64::from(SCHEMA)).contains(&v) => {}
        Some(v) => {
            return Err(err(format!(
                "schema: written with evidence schema {v}, this readiness reads schemas {OLDEST_READ} to {SCHEMA}: collect it again with this version"
            )));
        }
        None => {
            return Err(err(
                "schema: no \"schema\" number: this is not a file written by `readiness collect`"
                    .into(),
            ));
        }
    }
    // From the parsed value rather than the text: parsed once, and the
    // error names the field path, which says more than a line number.
    let ev: Evidence = serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        match field.as_str() {
            "." => err(e.into_inner().to_string()),
            _ => err(format!("{field}: {}", e.into_inner())),
        }
    })?;
    let problems = problems(&ev);
    if problems.is_empty() {
        return Ok(ev);
    }
    Err(err(describe(&problems)))
}

/// One line per problem, at most [`MAX_LISTED`] of them.
fn describe(problems: &[String]) -> String {
    if let [only] = problems {
        return only.clone();
    }
    let mut out = format!("{} problems:", problems.len());
    for p in problems.iter().take(MAX_LISTED) {
        let _ = write!(out, "\n  {p}");
    }
    if problems.len() > MAX_LISTED {
        let _ = write!(out, "\n  and {} more", problems.len() - MAX_LISTED);
    }
    out
}

/// Every broken invariant of `ev` as `field.path: what is wrong`.
#[must_use]
pub(crate) fn problems(ev: &Evidence) -> Vec<String> {
    let mut out = Vec::new();
    if ev.window.since >= ev.window.until {
        out.push(format!(
            "window: since {} is not before until {}",
            ev.window.since.to_rfc3339(),
            ev.window.until.to_rfc3339()
        ));
    }
    if let Err(e) = ev.release_rule.compile() {
        out.push(format!("release_rule.tag_pattern: {e}"));
    }
    if let Some(tests) = &ev.tests {
        let n = tests.tests.len();
        for (i, run) in tests.runs.iter().enumerate() {
            let len = run.outcomes.chars().count();
            if len > n {
                out.push(format!(
                    "tests.runs[{i}].outcomes: {len} outcomes for {n} tests in tests.tests"
                ));
            }
            if let Some(c) = run.outcomes.chars().find(|c| !OUTCOME_LETTERS.contains(*c)) {
                out.push(format!(
                    "tests.runs[{i}].outcomes: {c:?} is not an outcome (one of {OUTCOME_LETTERS:?})"
                ));
            }
        }
    }
    if let Some(bench) = &ev.bench_results {
        for (i, series) in bench.series.iter().enumerate() {
            let unordered = series.points.windows(2).position(|w| w[1].time < w[0].time);
            if let Some(j) = unordered {
                out.push(format!(
                    "bench.series[{i}].points[{}].time: {} is before the point before it ({})",
                    j + 1,
                    series.points[j + 1].time.to_rfc3339(),
                    series.points[j].time.to_rfc3339()
                ));
            }
            if let Some(j) = series.points.iter().position(|p| !p.value.is_finite()) {
                out.push(format!(
                    "bench.series[{i}].points[{j}].value: not a finite number"
                ));
            }
        }
    }
    out
}
