//! A comparison at ecosystem scale: `readiness compare OUT.ndjson` sums up
//! the lines of `readiness batch` instead of setting every report side by
//! side: the distribution of overall scores, the top and bottom projects of
//! each category, the signals most often missing, and why projects failed.
//! Its size depends on the rubric and on `top`, never on the number of
//! projects: an [`Accumulator`] takes one report at a time and keeps only
//! scores (one number per project and category) and bounded tallies.

use std::collections::{BTreeMap, HashMap, HashSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::RubricInfo;
use super::view::{percent, score_text, title};
use crate::rubric::score::Status;

/// At most this many distinct reasons are counted per signal, and as many
/// kinds of error; the rest are counted together as "other reasons".
const MAX_REASONS: usize = 256;
/// Reasons and errors are cut to this many characters.
const MAX_REASON_CHARS: usize = 300;
/// The error kinds listed.
const ERROR_KINDS_SHOWN: usize = 10;

/// The part of a report line an aggregate reads; other fields are skipped.
#[derive(Debug, Deserialize)]
pub struct ReportLine {
    pub target: LineTarget,
    pub rubric: RubricInfo,
    pub score: Option<f64>,
    pub grade: String,
    /// Only release signals could be scored: the score is a release-cadence score.
    #[serde(default)]
    pub release_only: bool,
    pub categories: Vec<LineCategory>,
}

#[derive(Debug, Deserialize)]
pub struct LineTarget {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct LineCategory {
    pub id: String,
    pub name: String,
    pub score: Option<f64>,
    pub criteria: Vec<LineCriterion>,
}

#[derive(Debug, Deserialize)]
pub struct LineCriterion {
    pub signal: String,
    pub status: Status,
    pub reason: Option<String>,
}

/// What `readiness compare OUT.ndjson --format json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Aggregate {
    /// The tool and version that summed up: `readiness <version>`.
    pub tool: String,
    /// The rubric of the reports summed up (the first report's); `null` without any report.
    pub rubric: Option<RubricInfo>,
    /// Distinct projects with a report.
    pub projects: usize,
    /// Projects with only error lines (no report).
    pub failed: usize,
    /// Reports left out: scored with another rubric than the first report's.
    pub other_rubric: usize,
    /// Report lines of a project already counted (a batch run twice into one file).
    pub duplicates: usize,
    /// The overall scores.
    pub overall: Ranking,
    /// How many projects got each grade, the most frequent first.
    pub grades: Vec<Count>,
    /// Per rubric category, in the first report's order.
    pub categories: Vec<Ranking>,
    /// Per criterion, how many reports could not score it, the most often missing first.
    pub missing: Vec<Missing>,
    /// Why projects failed, grouped (the project's name replaced by `OWNER/REPO`), the most frequent first.
    pub errors: Vec<Count>,
}

/// The scores of one category (or overall) across the projects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Ranking {
    /// The category id, or `overall`.
    pub id: String,
    pub name: String,
    /// Projects with a score.
    pub scored: usize,
    /// Projects without one.
    pub unscored: usize,
    /// The 10th, 25th, 50th, 75th and 90th percentiles (nearest rank); empty without scores.
    pub percentiles: Vec<f64>,
    /// Projects per band of 10 points: 0-10, 10-20, ... 90-100 (100 in the last).
    pub histogram: Vec<usize>,
    /// The highest scores, best first (ties by name).
    pub top: Vec<Ranked>,
    /// The lowest scores, worst first (ties by name).
    pub bottom: Vec<Ranked>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Ranked {
    pub name: String,
    pub score: f64,
    /// An overall score that is a release-cadence score only (shown so).
    #[serde(default)]
    pub release_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Count {
    pub label: String,
    pub count: usize,
}

/// A criterion that reports could not score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Missing {
    pub signal: String,
    /// Reports in which it was not scored.
    pub missing: usize,
    /// Reports in which the rubric has it.
    pub of: usize,
    /// The most frequent reason, and how many reports gave it.
    pub reason: Option<Count>,
}

/// Scores of one category while lines are read.
#[derive(Debug, Default)]
struct Scores {
    name: String,
    values: Vec<f64>,
    unscored: usize,
    top: Vec<Ranked>,
    bottom: Vec<Ranked>,
}

impl Scores {
    fn add(&mut self, name: &str, score: Option<f64>, release_only: bool, keep: usize) {
        let Some(score) = score.filter(|s| s.is_finite()) else {
            self.unscored += 1;
            return;
        };
        self.values.push(score);
        let r = Ranked {
            name: name.to_string(),
            score,
            release_only,
        };
        insert_bounded(&mut self.top, r.clone(), keep, |a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.name.cmp(&b.name))
        });
        insert_bounded(&mut self.bottom, r, keep, |a, b| {
            a.score
                .total_cmp(&b.score)
                .then_with(|| a.name.cmp(&b.name))
        });
    }

    fn finish(mut self, id: &str) -> Ranking {
        self.values.sort_by(f64::total_cmp);
        let n = self.values.len();
        let percentiles = if n == 0 {
            Vec::new()
        } else {
            [10, 25, 50, 75, 90]
                .iter()
                .map(|p| self.values[(p * n).div_ceil(100).max(1) - 1])
                .collect()
        };
        let mut histogram = vec![0; 10];
        for v in &self.values {
            // Bands of 10 points, [0, 10) first; 100 falls in the last band.
            let band = (1..10).take_while(|b| *v >= f64::from(*b) * 10.0).count();
            histogram[band] += 1;
        }
        Ranking {
            id: id.to_string(),
            name: self.name,
            scored: n,
            unscored: self.unscored,
            percentiles,
            histogram,
            top: self.top,
            bottom: self.bottom,
        }
    }
}

/// Keeps `v` sorted by `order` and no longer than `keep`.
fn insert_bounded(
    v: &mut Vec<Ranked>,
    r: Ranked,
    keep: usize,
    order: impl Fn(&Ranked, &Ranked) -> std::cmp::Ordering,
) {
    let at = v.partition_point(|x| order(x, &r).is_lt());
    if at < keep {
        v.insert(at, r);
        v.truncate(keep);
    }
}

/// Counts of labels, at most [`MAX_REASONS`] distinct ones.
#[derive(Debug, Default)]
struct Tally {
    counts: HashMap<String, usize>,
    other: usize,
}

impl Tally {
    fn add(&mut self, label: &str) {
        let label: String = label.chars().take(MAX_REASON_CHARS).collect();
        if let Some(n) = self.counts.get_mut(&label) {
            *n += 1;
        } else if self.counts.len() < MAX_REASONS {
            self.counts.insert(label, 1);
        } else {
            self.other += 1;
        }
    }

    /// The most frequent first (ties by label), `other` last.
    fn ranked(self, shown: usize) -> Vec<Count> {
        let mut v: Vec<Count> = self
            .counts
            .into_iter()
            .map(|(label, count)| Count { label, count })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
        let rest: usize = v.iter().skip(shown).map(|c| c.count).sum::<usize>() + self.other;
        v.truncate(shown);
        if rest > 0 {
            v.push(Count {
                label: "other reasons".into(),
                count: rest,
            });
        }
        v
    }
}

/// Sums up report and error lines, one at a time.
#[derive(Debug)]
pub struct Accumulator {
    keep: usize,
    rubric: Option<RubricInfo>,
    reported: HashSet<String>,
    /// Projects with an error line, and its reason, until a report turns up.
    errors: HashMap<String, String>,
    other_rubric: usize,
    duplicates: usize,
    overall: Scores,
    grades: Tally,
    categories: Vec<(String, Scores)>,
    /// Per signal: reports that have it, and the reasons it was not scored.
    missing: BTreeMap<String, (usize, usize, Tally)>,
}

impl Accumulator {
    /// `keep`: how many top and bottom projects each ranking lists.
    #[must_use]
    pub fn new(keep: usize) -> Accumulator {
        Accumulator {
            keep,
            rubric: None,
            reported: HashSet::new(),
            errors: HashMap::new(),
            other_rubric: 0,
            duplicates: 0,
            overall: Scores {
                name: "Overall".into(),
                ..Scores::default()
            },
            grades: Tally::default(),
            categories: Vec::new(),
            missing: BTreeMap::new(),
        }
    }

    /// Adds a report line.
    pub fn report(&mut self, r: &ReportLine) {
        let rubric = self.rubric.get_or_insert_with(|| r.rubric.clone());
        if *rubric != r.rubric {
            self.other_rubric += 1;
            return;
        }
        let key = r.target.name.to_lowercase();
        self.errors.remove(&key);
        if !self.reported.insert(key) {
            self.duplicates += 1;
            return;
        }
        let name = &r.target.name;
        self.overall.add(name, r.score, r.release_only, self.keep);
        self.grades.add(&r.grade);
        for c in &r.categories {
            let at = if let Some(at) = self.categories.iter().position(|(id, _)| *id == c.id) {
                at
            } else {
                let scores = Scores {
                    name: c.name.clone(),
                    ..Scores::default()
                };
                self.categories.push((c.id.clone(), scores));
                self.categories.len() - 1
            };
            self.categories[at].1.add(name, c.score, false, self.keep);
            for k in &c.criteria {
                let entry = self.missing.entry(k.signal.clone()).or_default();
                entry.0 += 1;
                if k.status != Status::Scored {
                    entry.1 += 1;
                    entry
                        .2
                        .add(k.reason.as_deref().unwrap_or("no reason given"));
                }
            }
        }
    }

    /// Adds an error line about `project`.
    pub fn error(&mut self, project: &str, error: &str) {
        let key = project.to_lowercase();
        if !self.reported.contains(&key) {
            let cut: String = error.chars().take(MAX_REASON_CHARS).collect();
            self.errors.insert(key, cut.replace(project, "OWNER/REPO"));
        }
    }

    /// The aggregate.
    #[must_use]
    pub fn finish(self) -> Aggregate {
        let mut errors = Tally::default();
        for reason in self.errors.values() {
            errors.add(reason);
        }
        let mut missing: Vec<Missing> = self
            .missing
            .into_iter()
            .filter(|(_, (_, n, _))| *n > 0)
            .map(|(signal, (of, n, reasons))| Missing {
                signal,
                missing: n,
                of,
                reason: reasons.ranked(1).into_iter().next(),
            })
            .collect();
        missing.sort_by(|a, b| {
            b.missing
                .cmp(&a.missing)
                .then_with(|| a.signal.cmp(&b.signal))
        });
        Aggregate {
            tool: crate::collect::tool_version(),
            rubric: self.rubric,
            projects: self.reported.len(),
            failed: self.errors.len(),
            other_rubric: self.other_rubric,
            duplicates: self.duplicates,
            overall: self.overall.finish("overall"),
            grades: self.grades.ranked(MAX_REASONS),
            categories: self
                .categories
                .into_iter()
                .map(|(id, s)| s.finish(&id))
                .collect(),
            missing,
            errors: errors.ranked(ERROR_KINDS_SHOWN),
        }
    }
}

/// What the aggregate template sees: every number formatted.
#[derive(Serialize)]
pub struct AggregateView {
    pub tool: String,
    pub rubric: String,
    pub projects: usize,
    pub failed: usize,
    pub left_out: Vec<String>,
    pub percentiles: String,
    pub histogram: Vec<BandView>,
    pub grades: Vec<Count>,
    pub rankings: Vec<RankingView>,
    pub missing: Vec<MissingView>,
    pub errors: Vec<Count>,
}

#[derive(Serialize)]
pub struct BandView {
    pub band: String,
    pub count: usize,
    pub bar: String,
}

#[derive(Serialize)]
pub struct RankingView {
    pub name: String,
    pub scored: usize,
    pub median: String,
    pub top: String,
    pub bottom: String,
}

#[derive(Serialize)]
pub struct MissingView {
    pub signal: String,
    pub title: String,
    pub missing: String,
    pub reason: String,
}

fn ranked_text(v: &[Ranked]) -> String {
    v.iter()
        .map(|r| {
            let only = if r.release_only {
                " (release cadence only)"
            } else {
                ""
            };
            format!("{} {}{only}", r.name, score_text(Some(r.score)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl AggregateView {
    #[must_use]
    pub fn new(a: &Aggregate) -> AggregateView {
        let o = &a.overall;
        let widest = o.histogram.iter().copied().max().unwrap_or(0).max(1);
        let mut left_out = Vec::new();
        if a.other_rubric > 0 {
            left_out.push(format!(
                "{} reports scored with another rubric",
                a.other_rubric
            ));
        }
        if a.duplicates > 0 {
            left_out.push(format!(
                "{} repeated reports of a project already counted",
                a.duplicates
            ));
        }
        AggregateView {
            tool: a.tool.clone(),
            rubric: a.rubric.as_ref().map_or_else(
                || "none (no report)".into(),
                |r| format!("{} ({})", r.name, r.origin),
            ),
            projects: a.projects,
            failed: a.failed,
            left_out,
            percentiles: match o.percentiles.as_slice() {
                [p10, p25, p50, p75, p90] => format!(
                    "10th percentile {}, 25th {}, median {}, 75th {}, 90th {}",
                    score_text(Some(*p10)),
                    score_text(Some(*p25)),
                    score_text(Some(*p50)),
                    score_text(Some(*p75)),
                    score_text(Some(*p90))
                ),
                _ => "no overall score".into(),
            },
            histogram: o
                .histogram
                .iter()
                .enumerate()
                .map(|(i, &count)| BandView {
                    band: format!("{}-{}", i * 10, i * 10 + 10),
                    count,
                    bar: "█".repeat((count * 40).div_ceil(widest)),
                })
                .collect(),
            grades: a.grades.clone(),
            rankings: std::iter::once(o)
                .chain(&a.categories)
                .map(|r| RankingView {
                    name: r.name.clone(),
                    scored: r.scored,
                    median: r
                        .percentiles
                        .get(2)
                        .map_or_else(|| "n/a".into(), |m| score_text(Some(*m))),
                    top: ranked_text(&r.top),
                    bottom: ranked_text(&r.bottom),
                })
                .collect(),
            missing: a
                .missing
                .iter()
                .map(|m| MissingView {
                    title: title(&m.signal),
                    signal: m.signal.clone(),
                    missing: format!(
                        "{} of {} ({})",
                        m.missing,
                        m.of,
                        percent(m.missing as f64 / m.of.max(1) as f64)
                    ),
                    reason: m
                        .reason
                        .as_ref()
                        .map_or_else(String::new, |r| format!("{} ({})", r.label, r.count)),
                })
                .collect(),
            errors: a.errors.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, score: Option<f64>, releases: Option<f64>) -> ReportLine {
        let criterion = |signal: &str, scored: bool| LineCriterion {
            signal: signal.into(),
            status: if scored {
                Status::Scored
            } else {
                Status::Insufficient
            },
            reason: (!scored).then(|| "not measured: no token".into()),
        };
        ReportLine {
            target: LineTarget { name: name.into() },
            rubric: RubricInfo {
                name: "default".into(),
                origin: "built-in".into(),
            },
            score,
            grade: if score.is_some() {
                "maturing"
            } else {
                "insufficient evidence"
            }
            .into(),
            release_only: false,
            categories: vec![LineCategory {
                id: "releases".into(),
                name: "Releases".into(),
                score: releases,
                criteria: vec![
                    criterion("release.count_365d", releases.is_some()),
                    criterion("issues.first_response_p50_hours", false),
                ],
            }],
        }
    }

    #[test]
    fn rankings_percentiles_and_missing_signals() {
        let mut acc = Accumulator::new(2);
        for (i, s) in [50.0, 90.0, 10.0, 70.0, 30.0].iter().enumerate() {
            acc.report(&line(&format!("o/p{i}"), Some(*s), Some(100.0 - s)));
        }
        acc.report(&line("o/none", None, None));
        acc.error("o/gone", "o/gone: /repos/o/gone: not found (404)");
        acc.error("o/p1", "an earlier failure, superseded");
        acc.report(&line("O/P1", Some(1.0), None));
        let a = acc.finish();
        assert_eq!((a.projects, a.failed, a.duplicates), (6, 1, 1));
        assert_eq!(a.overall.scored, 5);
        assert_eq!(a.overall.unscored, 1);
        assert_eq!(a.overall.percentiles, vec![10.0, 30.0, 50.0, 70.0, 90.0]);
        assert_eq!(a.overall.histogram, vec![0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
        let names = |v: &[Ranked]| v.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&a.overall.top), ["o/p1", "o/p3"]);
        assert_eq!(names(&a.overall.bottom), ["o/p2", "o/p4"]);
        assert_eq!(names(&a.categories[0].top), ["o/p2", "o/p4"]);
        assert_eq!(a.missing[0].signal, "issues.first_response_p50_hours");
        assert_eq!((a.missing[0].missing, a.missing[0].of), (6, 6));
        assert_eq!(a.missing[1].missing, 1);
        assert_eq!(
            a.errors,
            vec![Count {
                label: "OWNER/REPO: /repos/OWNER/REPO: not found (404)".into(),
                count: 1
            }]
        );
        assert_eq!(
            a.grades[0],
            Count {
                label: "maturing".into(),
                count: 5
            }
        );
    }

    /// A release-cadence score is labelled so wherever it is shown.
    #[test]
    fn release_cadence_scores_say_so() {
        let mut acc = Accumulator::new(2);
        let mut only = line("o/cadence", Some(90.0), Some(90.0));
        only.release_only = true;
        acc.report(&only);
        acc.report(&line("o/full", Some(50.0), Some(50.0)));
        let view = AggregateView::new(&acc.finish());
        assert_eq!(
            view.rankings[0].top,
            "o/cadence 90.0 (release cadence only), o/full 50.0"
        );
        assert_eq!(view.rankings[1].top, "o/cadence 90.0, o/full 50.0");
    }

    /// The aggregate of 10,000 projects is as small as that of 100: its
    /// size follows the rubric and `top`, not the number of projects.
    #[test]
    fn the_aggregate_stays_small_at_ecosystem_scale() {
        let size = |n: usize| {
            let mut acc = Accumulator::new(5);
            for i in 0..n {
                let s = (i * 37 % 1000) as f64 / 10.0;
                acc.report(&line(
                    &format!("owner{i}/project-with-a-long-name-{i}"),
                    Some(s),
                    Some(s),
                ));
                if i % 10 == 0 {
                    acc.error(
                        &format!("gone{i}/x"),
                        &format!("gone{i}/x: HTTP {}", 500 + i % 3),
                    );
                }
            }
            let a = acc.finish();
            let json = serde_json::to_string(&a).unwrap();
            let md = crate::report::render::render_aggregate(&a, None).unwrap();
            (json.len(), md.len())
        };
        let (json_small, md_small) = size(100);
        let (json_big, md_big) = size(10_000);
        assert!(json_big < 8_000 && md_big < 8_000, "{json_big} {md_big}");
        // Longer names and counts aside, no larger.
        assert!(
            json_big < json_small + 600 && md_big < md_small + 600,
            "{json_small} {json_big} {md_small} {md_big}"
        );
    }
}
