//! The render stage: a scored report as JSON (for machines) or markdown
//! through handlebars templates (for people), and the side-by-side
//! comparison. Pure: it formats what it is given.

pub mod aggregate;
pub mod compare;
mod compare_charts;
pub(crate) mod escape;
pub(crate) mod guard;
mod history;
mod render;
pub mod schema;
mod view;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::evidence::{Evidence, Provenance, TargetInfo};
use crate::rubric::score::Scorecard;
use crate::rubric::{Grades, Rubric};
use crate::signals::Measurement;
use crate::signals::trends::Trend;
use crate::window::Window;

pub use history::history_csv;
pub use render::{render_aggregate, render_compare, render_history, render_report};
pub use view::mermaid_text;

/// The version of the JSON report format (documented in the README).
pub const REPORT_SCHEMA: u32 = 1;

/// A scored report: what `--format json` prints, and what templates render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// The version of this format (1); it changes when a field changes meaning.
    #[schemars(extend("const" = REPORT_SCHEMA))]
    pub report_schema: u32,
    /// The tool and version that wrote the report: `readiness <version>`.
    pub tool: String,
    /// What the report is about.
    pub target: TargetInfo,
    /// The window the report describes.
    pub window: Window,
    /// When the evidence was collected.
    pub collected_at: DateTime<Utc>,
    /// The rubric the report was scored with.
    pub rubric: RubricInfo,
    /// The score, grade, coverage and categories, at the top level of the report.
    #[serde(flatten)]
    pub scorecard: Scorecard,
    /// Every signal this build knows, measured or with the reason it is not.
    pub measurements: Vec<Measurement>,
    /// Chart data by period (empty with `--no-charts`).
    #[serde(default)]
    pub trends: Vec<Trend>,
    /// Every source read for the evidence: what, how much, and how complete.
    pub sources: Vec<Provenance>,
}

/// Which rubric scored a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RubricInfo {
    /// The rubric's `name` (by default its file name).
    pub name: String,
    /// `built-in` or the file it came from.
    pub origin: String,
}

impl Report {
    /// Puts the stages' outputs together.
    #[must_use]
    pub fn new(
        evidence: &Evidence,
        window: Window,
        rubric: &Rubric,
        measurements: Vec<Measurement>,
        trends: Vec<Trend>,
        scorecard: Scorecard,
    ) -> Report {
        Report {
            report_schema: REPORT_SCHEMA,
            tool: crate::collect::tool_version(),
            target: evidence.target.clone(),
            window,
            collected_at: evidence.collected_at,
            rubric: RubricInfo {
                name: rubric.name.clone(),
                origin: rubric.origin.clone(),
            },
            scorecard,
            measurements,
            trends,
            sources: evidence.sources.clone(),
        }
    }

    /// Pretty JSON with a trailing newline.
    ///
    /// # Errors
    /// The report cannot be written as JSON.
    pub fn to_json(&self) -> Result<String, Error> {
        to_json("the report", self)
    }
}

/// The shields.io colours of the grade bands, from the top band down.
const BADGE_COLOURS: [&str; 6] = [
    "brightgreen",
    "green",
    "yellowgreen",
    "yellow",
    "orange",
    "red",
];

/// The badge colour of the band at `rank` (0 = the top band) of `bands`:
/// the top band bright green, the lowest red, the ones between in order
/// (four bands: brightgreen, yellowgreen, orange, red).
#[must_use]
pub fn band_colour(rank: usize, bands: usize) -> &'static str {
    let picks: &[usize] = match bands {
        0 | 1 => &[0],
        2 => &[0, 5],
        3 => &[0, 3, 5],
        4 => &[0, 2, 4, 5],
        5 => &[0, 1, 2, 4, 5],
        _ => &[0, 1, 2, 3, 4, 5],
    };
    let index = if bands <= picks.len() {
        picks.get(rank).copied().unwrap_or(5)
    } else {
        // More bands than colours: spread them, rounding to the nearest.
        let last = bands - 1;
        (rank.min(last) * 5 * 2 + last) / (2 * last)
    };
    BADGE_COLOURS.get(index).copied().unwrap_or("red")
}

/// A shields.io endpoint badge (`https://img.shields.io/endpoint?url=...`):
/// the score and grade, coloured by the grade's rank among the rubric's
/// bands ([`band_colour`]); grey when there is no grade (the evidence was
/// too thin, `grades.insufficient`).
///
/// # Errors
/// The badge cannot be written as JSON.
pub fn badge(report: &Report, grades: &Grades) -> Result<String, Error> {
    let rank = grades
        .bands
        .iter()
        .position(|b| b.label == report.scorecard.grade);
    let (message, color) = match (report.scorecard.score, rank) {
        (Some(score), Some(rank))
            if score.is_finite() && report.scorecard.grade != grades.insufficient =>
        {
            (
                format!("{score:.0}/100 {}", report.scorecard.grade),
                band_colour(rank, grades.bands.len()),
            )
        }
        _ => (report.scorecard.grade.clone(), "lightgrey"),
    };
    to_json(
        "the badge",
        &serde_json::json!({
            "schemaVersion": 1,
            "label": "readiness",
            "message": message,
            "color": color,
        }),
    )
}

/// Pretty JSON with a trailing newline.
///
/// # Errors
/// `value` cannot be written as JSON (a map with keys that are not
/// strings, say): an error naming `what`, never an empty document.
pub fn to_json<T: Serialize>(what: &str, value: &T) -> Result<String, Error> {
    let mut s = serde_json::to_string_pretty(value).map_err(|e| Error::Json {
        what: what.to_string(),
        message: e.to_string(),
    })?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default four bands keep their colours; other counts run from bright green to red.
    #[test]
    fn badge_colours_follow_the_bands_rank() {
        let four: Vec<&str> = (0..4).map(|r| band_colour(r, 4)).collect();
        assert_eq!(four, ["brightgreen", "yellowgreen", "orange", "red"]);
        let two: Vec<&str> = (0..2).map(|r| band_colour(r, 2)).collect();
        assert_eq!(two, ["brightgreen", "red"]);
        assert_eq!(band_colour(0, 1), "brightgreen");
        let many: Vec<&str> = (0..11).map(|r| band_colour(r, 11)).collect();
        assert_eq!(many[0], "brightgreen");
        assert_eq!(many[10], "red");
        assert_eq!(band_colour(99, 11), "red");
    }

    /// A value that serde cannot write is an error naming it, not an empty document.
    #[test]
    fn unserializable_values_are_errors() {
        let mut map = std::collections::HashMap::new();
        map.insert((1, 2), 3);
        let e = to_json("the thing", &map).unwrap_err().to_string();
        assert!(e.contains("the thing"), "{e}");
        assert_eq!(to_json("x", &[1]).unwrap(), "[\n  1\n]\n");
    }
}
