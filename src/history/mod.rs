//! Readiness over time: the scorecard at the end of each period, recomputed
//! from one collection (`readiness history TARGET`), or the runs recorded in
//! a history file (`report --record FILE`, `history --from FILE`), and the
//! gate on drops (`--fail-on-drop`). The types here are what
//! `history --format json` prints; [`record`] reads and appends the
//! history file. Everything else is pure.

pub mod record;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::evidence::{Provenance, TargetInfo};
use crate::rubric::score::Scorecard;
use crate::signals::Measurement;
use crate::window::Window;

/// The version of the JSON history format (documented in the README).
pub const HISTORY_SCHEMA: u32 = 1;

/// The most points a history computes from one collection (`--last`).
pub const MAX_POINTS: usize = 240;

/// How often a history takes a point: at the end of each calendar month or quarter.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Every {
    /// The end of each calendar month.
    Month,
    /// The end of each calendar quarter.
    Quarter,
}

impl Every {
    fn months(self) -> i64 {
        match self {
            Every::Month => 1,
            Every::Quarter => 3,
        }
    }

    /// `monthly` or `quarterly`.
    #[must_use]
    pub fn adjective(self) -> &'static str {
        match self {
            Every::Month => "monthly",
            Every::Quarter => "quarterly",
        }
    }
}

/// Where a history's points come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HistorySource {
    /// Every point recomputed from one collection, as `report --until` its date.
    Collection,
    /// Runs recorded with `report --record FILE`.
    Records,
}

/// `readiness history --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct History {
    /// The version of this format (1); it changes when a field changes meaning.
    #[schemars(extend("const" = HISTORY_SCHEMA))]
    pub history_schema: u32,
    /// The tool and version that wrote the history: `readiness <version>`.
    pub tool: String,
    /// What the history is about (for records: as the latest record names it).
    pub target: TargetInfo,
    /// `collection` (one collection, every point recomputed) or `records` (a history file).
    pub source: HistorySource,
    /// `month` or `quarter` for a collection; `null` for records.
    pub every: Option<Every>,
    /// The history file the records were read from; `null` for a collection.
    pub from: Option<String>,
    /// The points, oldest first.
    pub points: Vec<Point>,
    /// Lines of the history file that could not be read and were skipped,
    /// each as `FILE:LINE: reason`.
    pub skipped: Vec<String>,
    /// What a reader should know: points left out and why.
    pub notes: Vec<String>,
    /// The `--fail-on-drop` check; `null` without it.
    pub drop: Option<DropCheck>,
    /// The sources of the collection (empty for records).
    pub sources: Vec<Provenance>,
}

/// Which rubric scored a point, with its fingerprint ([`crate::rubric::Rubric::hash`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RubricRef {
    /// The rubric's `name`.
    pub name: String,
    /// `built-in` or the file it came from.
    pub origin: String,
    /// The fingerprint of what scores: `fnv1a64:` and 16 hexadecimal digits.
    pub hash: String,
}

/// One point of a history: the scorecard as of `window.until`, in the
/// report's terms (`readiness report --until` that moment gives the same
/// measurements, byte for byte, on the same evidence).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Point {
    /// `2026-10` (a month), `2026 Q3` (a quarter), or the date of a record.
    pub label: String,
    /// The point's window; `until` is "as of".
    pub window: Window,
    /// When the run was recorded; `null` for a point of a collection.
    pub recorded_at: Option<DateTime<Utc>>,
    /// The rubric that scored the point.
    pub rubric: RubricRef,
    /// The score, grade, coverage and categories, as in a report.
    #[serde(flatten)]
    pub scorecard: Scorecard,
    /// Every signal, as in a report (records keep no examples).
    pub measurements: Vec<Measurement>,
}

/// The `--fail-on-drop` check of the latest point against the one before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DropCheck {
    /// `--fail-on-drop POINTS`.
    pub threshold: f64,
    /// The label of the point compared with; `null` when there is none.
    pub previous: Option<String>,
    /// The label of the latest point.
    pub current: String,
    /// The latest score minus the previous one, one decimal; `null` when
    /// the two cannot be compared.
    pub change: Option<f64>,
    /// The score fell by more than `threshold`: the command exits 1.
    pub failed: bool,
    /// One sentence: what was compared and the verdict, or why nothing was.
    pub verdict: String,
    /// The categories whose scores fell, most first (at most 3).
    pub categories: Vec<Fall>,
    /// The criteria (signals) whose scores fell, most first (at most 5).
    pub signals: Vec<Fall>,
}

/// A category or criterion score that fell between two points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Fall {
    /// The category id or signal id.
    pub id: String,
    /// The score before.
    pub before: f64,
    /// The score after.
    pub after: f64,
    /// `after - before`, one decimal (negative).
    pub change: f64,
}

fn month_start(index: i64) -> Option<DateTime<Utc>> {
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month0 = u32::try_from(index.rem_euclid(12)).ok()?;
    Utc.with_ymd_and_hms(year, month0 + 1, 1, 0, 0, 0).single()
}

/// The `last` points of a history ending at `until`: the ends of the
/// calendar periods up to the one holding `until`, oldest first, each as
/// `(label, as of)`. A period's point is its last second (what
/// `--until YYYY-MM-DD` of its last day means); the period holding
/// `until` is taken as of `until`.
#[must_use]
pub(crate) fn as_of_points(
    until: DateTime<Utc>,
    every: Every,
    last: usize,
) -> Vec<(String, DateTime<Utc>)> {
    let len = every.months();
    let current = i64::from(until.year()) * 12 + i64::from(until.month0()) / len * len;
    let mut out = Vec::new();
    for k in (0..i64::try_from(last).unwrap_or(0)).rev() {
        let index = current - k * len;
        let (Some(start), Some(next)) = (month_start(index), month_start(index + len)) else {
            continue;
        };
        let end = next - Duration::seconds(1);
        let label = match every {
            Every::Month => start.format("%Y-%m").to_string(),
            Every::Quarter => format!("{} Q{}", start.year(), start.month0() / 3 + 1),
        };
        out.push((label, end.min(until)));
    }
    out
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// What [`drop_check`] compares: a point's label, rubric and scorecard.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scored<'a> {
    pub(crate) label: &'a str,
    pub(crate) rubric: &'a RubricRef,
    pub(crate) card: &'a Scorecard,
}

impl<'a> From<&'a Point> for Scored<'a> {
    fn from(p: &'a Point) -> Scored<'a> {
        Scored {
            label: &p.label,
            rubric: &p.rubric,
            card: &p.scorecard,
        }
    }
}

/// The latest point against the previous one: it fails when the score
/// fell by more than `threshold` points. Without a previous score, with a
/// previous one made by a rubric of another fingerprint, or without a
/// score now, nothing is compared and it does not fail; the verdict says why.
#[must_use]
pub(crate) fn drop_check(
    previous: Option<Scored<'_>>,
    current: Scored<'_>,
    threshold: f64,
) -> DropCheck {
    let mut check = DropCheck {
        threshold,
        previous: previous.map(|p| p.label.to_string()),
        current: current.label.to_string(),
        change: None,
        failed: false,
        verdict: String::new(),
        categories: Vec::new(),
        signals: Vec::new(),
    };
    let Some(prev) = previous else {
        check.verdict = format!(
            "no previous score to compare {} with: nothing to gate",
            current.label
        );
        return check;
    };
    if prev.rubric.hash != current.rubric.hash {
        check.verdict = format!(
            "{} was scored with another rubric ({} {}) than {} ({} {}): the scores are not compared",
            prev.label,
            prev.rubric.name,
            prev.rubric.hash,
            current.label,
            current.rubric.name,
            current.rubric.hash
        );
        return check;
    }
    let (Some(before), Some(after)) = (prev.card.score, current.card.score) else {
        let which = if prev.card.score.is_none() {
            prev.label
        } else {
            current.label
        };
        check.verdict = format!("{which} has no score: nothing to compare");
        return check;
    };
    let change = round1(after - before);
    check.change = Some(change);
    check.failed = -change > threshold;
    check.categories = category_falls(prev.card, current.card);
    check.signals = signal_falls(prev.card, current.card);
    let verb = if check.failed { "more than" } else { "within" };
    check.verdict = if change < 0.0 {
        format!(
            "the score fell by {:.1} points from {} ({before:.1}) to {} ({after:.1}), {verb} --fail-on-drop {threshold}",
            -change, prev.label, current.label
        )
    } else {
        format!(
            "the score did not fall: {before:.1} at {} and {after:.1} at {}",
            prev.label, current.label
        )
    };
    check
}

/// The falls of `(id, before, after)` triples, most first, at most `keep`.
fn falls(pairs: impl Iterator<Item = (String, f64, f64)>, keep: usize) -> Vec<Fall> {
    let mut out: Vec<Fall> = pairs
        .map(|(id, before, after)| Fall {
            id,
            before,
            after,
            change: round1(after - before),
        })
        .filter(|f| f.change < 0.0)
        .collect();
    out.sort_by(|a, b| a.change.total_cmp(&b.change));
    out.truncate(keep);
    out
}

fn category_falls(before: &Scorecard, after: &Scorecard) -> Vec<Fall> {
    let pairs = after.categories.iter().filter_map(|c| {
        let b = before.categories.iter().find(|x| x.id == c.id)?;
        Some((c.id.clone(), b.score?, c.score?))
    });
    falls(pairs, 3)
}

fn signal_falls(before: &Scorecard, after: &Scorecard) -> Vec<Fall> {
    let criteria = |card: &Scorecard| -> Vec<(String, Option<f64>)> {
        card.categories
            .iter()
            .flat_map(|c| c.criteria.iter().map(|k| (k.signal.clone(), k.score)))
            .collect()
    };
    let old = criteria(before);
    let pairs = criteria(after).into_iter().filter_map(|(id, score)| {
        let b = old.iter().find(|(x, _)| *x == id)?.1?;
        Some((id, b, score?))
    });
    falls(pairs, 5)
}

impl DropCheck {
    /// The check for standard error: the verdict, then what fell most.
    #[must_use]
    pub fn message(&self) -> String {
        let mut text = self.verdict.clone();
        let list = |falls: &[Fall]| {
            falls
                .iter()
                .map(|f| {
                    format!(
                        "{} {:.1} ({:.1} to {:.1})",
                        f.id, f.change, f.before, f.after
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        if self.change.is_some_and(|c| c < 0.0) {
            if !self.categories.is_empty() {
                text += &format!("; categories that fell most: {}", list(&self.categories));
            }
            if !self.signals.is_empty() {
                text += &format!("; signals whose scores fell most: {}", list(&self.signals));
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rubric::score::CategoryScore;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn points_are_period_ends_up_to_until() {
        let p = as_of_points(at("2026-11-15T10:00:00Z"), Every::Month, 3);
        let got: Vec<(&str, String)> = p
            .iter()
            .map(|(l, t)| (l.as_str(), t.to_rfc3339()))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-09", "2026-09-30T23:59:59+00:00".to_string()),
                ("2026-10", "2026-10-31T23:59:59+00:00".to_string()),
                ("2026-11", "2026-11-15T10:00:00+00:00".to_string()),
            ]
        );
        let q = as_of_points(at("2026-02-01T00:00:00Z"), Every::Quarter, 3);
        let labels: Vec<&str> = q.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["2025 Q3", "2025 Q4", "2026 Q1"]);
        assert_eq!(q[1].1, at("2025-12-31T23:59:59Z"));
        assert!(as_of_points(at("2026-02-01T00:00:00Z"), Every::Month, 0).is_empty());
    }

    fn card(score: Option<f64>, cats: &[(&str, Option<f64>)]) -> Scorecard {
        Scorecard {
            score,
            grade: "g".into(),
            coverage: 1.0,
            missing_required: Vec::new(),
            withheld: None,
            release_only: false,
            categories: cats
                .iter()
                .map(|(id, s)| CategoryScore {
                    id: (*id).into(),
                    name: (*id).into(),
                    weight: 1.0,
                    score: *s,
                    coverage: 1.0,
                    criteria: Vec::new(),
                })
                .collect(),
        }
    }

    fn rubric(hash: &str) -> RubricRef {
        RubricRef {
            name: "default".into(),
            origin: "built-in".into(),
            hash: hash.into(),
        }
    }

    #[test]
    fn a_drop_beyond_the_threshold_fails_and_names_what_fell() {
        let r = rubric("h1");
        let before = card(Some(80.0), &[("ci", Some(90.0)), ("releases", Some(70.0))]);
        let after = card(Some(71.5), &[("ci", Some(60.0)), ("releases", Some(72.0))]);
        let s = |label, card| Scored {
            label,
            rubric: &r,
            card,
        };
        let c = drop_check(Some(s("a", &before)), s("b", &after), 5.0);
        assert!(c.failed);
        assert_eq!(c.change, Some(-8.5));
        assert_eq!(c.categories.len(), 1);
        assert_eq!(c.categories[0].id, "ci");
        assert!(
            c.message().contains("ci -30.0 (90.0 to 60.0)"),
            "{}",
            c.message()
        );
        // Exactly the threshold does not fail: it must fall by more.
        let c = drop_check(Some(s("a", &before)), s("b", &after), 8.5);
        assert!(!c.failed);
        // A rise never fails.
        let c = drop_check(Some(s("b", &after)), s("a", &before), 0.0);
        assert!(
            !c.failed && c.verdict.contains("did not fall"),
            "{}",
            c.verdict
        );
    }

    #[test]
    fn nothing_to_compare_never_fails() {
        let (r1, r2) = (rubric("h1"), rubric("h2"));
        let (high, low, none) = (
            card(Some(90.0), &[]),
            card(Some(10.0), &[]),
            card(None, &[]),
        );
        let current = Scored {
            label: "b",
            rubric: &r1,
            card: &low,
        };
        let cases = [
            (None, "no previous score"),
            (Some((&r2, &high)), "another rubric"),
            (Some((&r1, &none)), "a has no score"),
        ];
        for (previous, says) in cases {
            let previous = previous.map(|(rubric, card)| Scored {
                label: "a",
                rubric,
                card,
            });
            let c = drop_check(previous, current, 1.0);
            assert!(!c.failed && c.verdict.contains(says), "{}", c.verdict);
            assert_eq!(c.change, None);
        }
    }
}
