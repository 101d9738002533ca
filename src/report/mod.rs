//! The render stage: a scored report as JSON (for machines) or markdown
//! through handlebars templates (for people), and the side-by-side
//! comparison. Pure: it formats what it is given.

pub mod compare;
pub mod escape;
pub mod guard;
mod render;
pub mod schema;
mod view;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::evidence::{Evidence, Provenance, TargetInfo};
use crate::rubric::Rubric;
use crate::rubric::score::Scorecard;
use crate::signals::Measurement;
use crate::signals::trends::Trend;
use crate::window::Window;

pub use render::{render_compare, render_report};
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
    #[must_use]
    pub fn to_json(&self) -> String {
        to_json(self)
    }
}

/// A shields.io endpoint badge (`https://img.shields.io/endpoint?url=...`):
/// the score and grade, coloured by score; grey when the evidence was too
/// thin for a grade (`grade == insufficient`).
#[must_use]
pub fn badge(report: &Report, insufficient: &str) -> String {
    let graded = report.scorecard.grade != insufficient;
    let (message, color) = match report.scorecard.score {
        Some(score) if graded => {
            let color = if score >= 80.0 {
                "brightgreen"
            } else if score >= 60.0 {
                "yellowgreen"
            } else if score >= 40.0 {
                "orange"
            } else {
                "red"
            };
            (format!("{score:.0}/100 {}", report.scorecard.grade), color)
        }
        _ => (report.scorecard.grade.clone(), "lightgrey"),
    };
    to_json(&serde_json::json!({
        "schemaVersion": 1,
        "label": "readiness",
        "message": message,
        "color": color,
    }))
}

/// Pretty JSON with a trailing newline. The types serialized here have
/// string keys only, so serialization cannot fail.
pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}
