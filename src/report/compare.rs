//! Side-by-side comparison of several reports scored with the same rubric:
//! one row per category and criterion, one column per project, the best
//! value in each row marked.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::view::{self, ReportView, and_list, percent, score_text, value_text};
use super::{REPORT_SCHEMA, Report, RubricInfo};
use crate::rubric::Rubric;
use crate::rubric::score::{CriterionScore, Status};
use crate::signals::NOT_MEASURED;

/// What `readiness compare --format json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Comparison {
    /// The version of the report format (1), shared with single reports.
    #[schemars(extend("const" = REPORT_SCHEMA))]
    pub report_schema: u32,
    /// The tool and version that wrote the comparison: `readiness <version>`.
    pub tool: String,
    /// The rubric every project was scored with.
    pub rubric: RubricInfo,
    /// Indices of the projects with the highest overall score.
    pub best_overall: Vec<usize>,
    /// One summary per category, after the overall one: who leads, by how
    /// much, and whether the evidence was comparable.
    #[serde(default)]
    pub verdicts: Vec<Verdict>,
    /// Per rubric category, its own row, then one row per criterion in it.
    pub rows: Vec<Row>,
    /// The full report of each project, in the order given.
    pub projects: Vec<Report>,
}

/// One category or criterion across the projects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Row {
    /// The id of the category the row belongs to.
    pub category: String,
    /// The signal id; `null` (`None`) on a category's own row.
    pub signal: Option<String>,
    /// The measured value per project (`null`, `None`, where it was insufficient).
    pub values: Vec<Option<f64>>,
    /// The score (0..=100) per project: the category's on a category's row,
    /// the criterion's otherwise (`null`, `None`, where there is none).
    pub scores: Vec<Option<f64>>,
    /// Indices of the projects with the best value; empty unless at least
    /// two projects have one, since a row with one value is no contest.
    pub best: Vec<usize>,
}

/// Who leads a category (or overall), by how much, and whether it is a fair contest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Verdict {
    /// The category id, or `overall`.
    pub category: String,
    /// Index of the project with the highest score; `None` on a tie or with
    /// fewer than two scores.
    pub leader: Option<usize>,
    /// Points between the leader and the runner-up (0 on a tie).
    pub margin: Option<f64>,
    /// False when the projects' scores rest on different evidence: a
    /// criterion scored for one project and not for another.
    pub fair: bool,
    /// The verdict in one sentence (project names are untrusted text).
    pub text: String,
}

/// The leader and its margin over the next, and the sentence that says so:
/// nobody, one project alone, a tie at the top, or a leader.
#[expect(
    clippy::float_cmp,
    reason = "scores rounded to tenths the same way: equal exactly when they read the same"
)]
fn ranking(
    label: &str,
    names: &[String],
    ranked: &[(usize, f64)],
) -> (Option<usize>, Option<f64>, String) {
    match ranked {
        [] => (None, None, format!("{label}: no evidence for any project")),
        [(i, s)] => (
            None,
            None,
            format!(
                "{label}: only {} has evidence ({s:.1}), so there is no contest",
                names[*i]
            ),
        ),
        [(i, top), (_, second), ..] if top == second => {
            let level: Vec<String> = ranked
                .iter()
                .filter(|(_, s)| s == top)
                .map(|(j, _)| names[*j].clone())
                .collect();
            let _ = i;
            (
                None,
                Some(0.0),
                format!("{label}: {} are level at {top:.1}", and_list(&level)),
            )
        }
        [(i, top), rest @ ..] => {
            let others: Vec<String> = rest
                .iter()
                .map(|(j, s)| format!("{} {s:.1}", names[*j]))
                .collect();
            let margin = top - rest[0].1;
            (
                Some(*i),
                Some((margin * 10.0).round() / 10.0),
                format!(
                    "{label}: {} leads with {top:.1}, {margin:.1} points ahead ({})",
                    names[*i],
                    others.join(", ")
                ),
            )
        }
    }
}

/// The verdict on one set of scores: `names[i]` scored `scores[i]`.
/// `missing[i]` lists what project `i` lacks that another project had;
/// `why[i]` says why project `i` has no score, when it has none.
fn verdict(
    category: &str,
    label: &str,
    names: &[String],
    scores: &[Option<f64>],
    missing: &[Vec<String>],
    why: &[String],
) -> Verdict {
    // Compare at the precision shown, so that 80.04 and 79.96 read as a tie.
    let shown: Vec<Option<f64>> = scores
        .iter()
        .map(|s| s.map(|s| (s * 10.0).round() / 10.0))
        .collect();
    let mut ranked: Vec<(usize, f64)> = shown
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (i, s)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    // Named with the reason: a project without evidence is not ranked, as if it scored 0.
    let without: Vec<String> = shown
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| match why.get(i).filter(|w| !w.is_empty()) {
            Some(w) => format!("{} ({w})", names[i]),
            None => names[i].clone(),
        })
        .collect();
    let lacking: Vec<String> = missing
        .iter()
        .enumerate()
        .filter(|(i, m)| !m.is_empty() && shown[*i].is_some())
        .map(|(i, m)| format!("{} lacks {}", names[i], and_list(m)))
        .collect();
    let fair = without.is_empty() && lacking.is_empty();
    let (leader, margin, mut text) = ranking(label, names, &ranked);
    if !without.is_empty() {
        let sep = if ranked.is_empty() {
            ":"
        } else {
            "; no evidence for"
        };
        text.push_str(&format!("{sep} {}", and_list(&without)));
    }
    if ranked.len() >= 2 && !lacking.is_empty() {
        text.push_str(&format!(
            "; not a like-for-like comparison: {}",
            lacking.join("; ")
        ));
    }
    Verdict {
        category: category.to_string(),
        leader,
        margin,
        fair,
        text,
    }
}

/// Why a project has no score over `criteria`, in a few words: its GitHub
/// source failed, it has none, or the first criterion's own reason.
fn why_none<'a>(criteria: impl Iterator<Item = &'a CriterionScore>) -> String {
    let reasons: Vec<&str> = criteria.filter_map(|k| k.reason.as_deref()).collect();
    if let Some(r) = reasons.iter().find(|r| r.starts_with(NOT_MEASURED)) {
        return if r.to_lowercase().contains("github") {
            "GitHub could not be read".into()
        } else {
            "its source could not be read".into()
        };
    }
    if reasons
        .iter()
        .any(|r| r.contains("a GitHub source is needed"))
    {
        return "no GitHub source".into();
    }
    // The reason's first clause: what it adds in brackets is in the table's notes.
    reasons.first().map_or_else(String::new, |r| {
        r.split_once(" (").map_or(*r, |(head, _)| head).to_string()
    })
}

/// What the overall verdict adds: the projects too thin for a grade, and
/// those scored on release cadence alone.
fn overall_notes(total: &mut Verdict, reports: &[Report], rubric: &Rubric) {
    let ungraded: Vec<String> = reports
        .iter()
        .filter(|r| r.scorecard.grade == rubric.grades.insufficient)
        .map(|r| {
            if r.scorecard.missing_required.is_empty() {
                format!(
                    "{} ({} of the rubric)",
                    r.target.name,
                    view::percent(r.scorecard.coverage)
                )
            } else {
                format!(
                    "{} (no evidence for {}, which the rubric requires)",
                    r.target.name,
                    view::required_names(&r.scorecard)
                )
            }
        })
        .collect();
    if !ungraded.is_empty() {
        total.fair = false;
        total.text.push_str(&format!(
            "; too little evidence for a grade: {}",
            and_list(&ungraded)
        ));
    }
    let cadence_only: Vec<String> = reports
        .iter()
        .filter(|r| r.scorecard.release_only)
        .map(|r| r.target.name.clone())
        .collect();
    if !cadence_only.is_empty() {
        total.text.push_str(&format!(
            "; release-cadence {} only (no other signal could be scored): {}",
            if cadence_only.len() == 1 {
                "score"
            } else {
                "scores"
            },
            and_list(&cadence_only)
        ));
    }
}

/// The verdicts: overall, then per category of the rubric.
fn verdicts(reports: &[Report], rubric: &Rubric) -> Vec<Verdict> {
    let names: Vec<String> = reports.iter().map(|r| r.target.name.clone()).collect();
    let mut out = Vec::new();
    let overall: Vec<Option<f64>> = reports.iter().map(|r| r.scorecard.score).collect();
    // Overall, what a project lacks is whole categories another one has.
    let mut lacks_overall: Vec<Vec<String>> = vec![Vec::new(); reports.len()];
    let mut per_category = Vec::new();
    for cat in &rubric.categories {
        let is_scored = |r: &Report, signal: &str| {
            r.scorecard
                .categories
                .iter()
                .find(|c| c.id == cat.id)
                .and_then(|c| c.criteria.iter().find(|k| k.signal == signal))
                .is_some_and(|k| k.status == Status::Scored)
        };
        let mut missing: Vec<Vec<String>> = vec![Vec::new(); reports.len()];
        for k in &cat.criteria {
            let has: Vec<bool> = reports.iter().map(|r| is_scored(r, k.signal.id)).collect();
            if has.iter().any(|h| *h) {
                for (i, h) in has.iter().enumerate() {
                    if !h {
                        missing[i].push(k.signal.title.to_string());
                    }
                }
            }
        }
        let scores: Vec<Option<f64>> = reports
            .iter()
            .map(|r| {
                r.scorecard
                    .categories
                    .iter()
                    .find(|c| c.id == cat.id)
                    .and_then(|c| c.score)
            })
            .collect();
        if scores.iter().any(Option::is_some) {
            for (i, s) in scores.iter().enumerate() {
                if s.is_none() {
                    lacks_overall[i].push(format!("{} evidence", cat.name));
                }
            }
        }
        let why: Vec<String> = reports
            .iter()
            .map(|r| {
                let found = r.scorecard.categories.iter().find(|c| c.id == cat.id);
                why_none(found.iter().flat_map(|c| c.criteria.iter()))
            })
            .collect();
        per_category.push(verdict(&cat.id, &cat.name, &names, &scores, &missing, &why));
    }
    let why: Vec<String> = reports
        .iter()
        .map(|r| {
            why_none(
                r.scorecard
                    .categories
                    .iter()
                    .flat_map(|c| c.criteria.iter()),
            )
        })
        .collect();
    let mut total = verdict("overall", "Overall", &names, &overall, &lacks_overall, &why);
    overall_notes(&mut total, reports, rubric);
    out.push(total);
    out.extend(per_category);
    out
}

/// Indices of the maxima of `keys` (ties all win), when two or more are present.
fn best_of(keys: &[Option<f64>]) -> Vec<usize> {
    if keys.iter().flatten().count() < 2 {
        return Vec::new();
    }
    let top = keys
        .iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    keys.iter()
        .enumerate()
        .filter(|(_, k)| **k == Some(top))
        .map(|(i, _)| i)
        .collect()
}

/// Builds the comparison of `reports`, all scored with `rubric`.
#[must_use]
pub fn compare(reports: Vec<Report>, rubric: &Rubric) -> Comparison {
    let mut rows = Vec::new();
    for cat in &rubric.categories {
        let cats: Vec<_> = reports
            .iter()
            .map(|r| r.scorecard.categories.iter().find(|c| c.id == cat.id))
            .collect();
        let scores: Vec<Option<f64>> = cats.iter().map(|c| c.and_then(|c| c.score)).collect();
        rows.push(Row {
            category: cat.id.clone(),
            signal: None,
            values: vec![None; reports.len()],
            best: best_of(&scores),
            scores,
        });
        for k in &cat.criteria {
            let found: Vec<_> = cats
                .iter()
                .map(|c| c.and_then(|c| c.criteria.iter().find(|x| x.signal == k.signal.id)))
                .collect();
            let values: Vec<Option<f64>> = found
                .iter()
                .map(|x| {
                    x.filter(|x| x.status == Status::Scored)
                        .and_then(|x| x.value)
                })
                .collect();
            let scores = found.iter().map(|x| x.and_then(|x| x.score)).collect();
            // Orient values so that larger is better, at the precision they are
            // shown with (two cells that read the same tie), then take the maxima.
            let sign = if k.higher_is_better() { 1.0 } else { -1.0 };
            let keys: Vec<Option<f64>> = values
                .iter()
                .map(|v| v.map(|v| k.signal.unit.round(v) * sign))
                .collect();
            rows.push(Row {
                category: cat.id.clone(),
                signal: Some(k.signal.id.to_string()),
                values,
                scores,
                best: best_of(&keys),
            });
        }
    }
    let overall: Vec<Option<f64>> = reports.iter().map(|r| r.scorecard.score).collect();
    Comparison {
        report_schema: REPORT_SCHEMA,
        tool: crate::collect::tool_version(),
        rubric: RubricInfo {
            name: rubric.name.clone(),
            origin: rubric.origin.clone(),
        },
        best_overall: best_of(&overall),
        verdicts: verdicts(&reports, rubric),
        rows,
        projects: reports,
    }
}

/// What the comparison template sees.
#[derive(Serialize)]
pub struct CompareView {
    pub tool: String,
    pub title: String,
    pub rubric: RubricInfo,
    /// The window every project shares (one entry), or, when they differ,
    /// each project's by name (`dask: 2025-08-20 to 2026-08-20 (365 days)`).
    pub windows: Vec<String>,
    pub projects: Vec<ProjectView>,
    pub rows: Vec<RowView>,
    /// Criteria left out for a project, with the reason.
    pub gaps: Vec<String>,
    /// The verdict sentences, overall first.
    pub verdicts: Vec<String>,
    /// The projects were measured over different windows.
    pub windows_differ: bool,
    /// Per project, the signals not measured because a source that was asked
    /// for could not be read: `name: issues.*, prs.*: <reason>`.
    pub not_measured: Vec<String>,
    /// The trend charts side by side (none with `--no-charts`).
    pub charts: Vec<super::compare_charts::CompareChartView>,
}

#[derive(Serialize)]
pub struct ProjectView {
    pub name: String,
    pub location: String,
    pub score: String,
    pub best: bool,
    pub grade: String,
    pub coverage: String,
    pub collected_at: String,
}

#[derive(Serialize)]
pub struct RowView {
    pub is_category: bool,
    pub label: String,
    pub signal: String,
    pub cells: Vec<Cell>,
}

#[derive(Serialize)]
pub struct Cell {
    pub text: String,
    pub best: bool,
}

/// The comparison's rows as shown, and the "not compared" lines for the
/// criteria a project could not score.
fn rows_and_gaps(c: &Comparison) -> (Vec<RowView>, Vec<String>) {
    let mut gaps = Vec::new();
    let mut rows = Vec::new();
    for row in &c.rows {
        let cat_name = c
            .projects
            .iter()
            .find_map(|p| p.scorecard.categories.iter().find(|x| x.id == row.category))
            .map_or_else(|| row.category.clone(), |x| x.name.clone());
        let Some(signal) = &row.signal else {
            rows.push(RowView {
                is_category: true,
                label: cat_name,
                signal: String::new(),
                cells: row
                    .scores
                    .iter()
                    .enumerate()
                    .map(|(i, s)| Cell {
                        text: score_text(*s),
                        best: row.best.contains(&i),
                    })
                    .collect(),
            });
            continue;
        };
        let mut cells = Vec::new();
        for (i, p) in c.projects.iter().enumerate() {
            let k = p
                .scorecard
                .categories
                .iter()
                .flat_map(|x| x.criteria.iter())
                .find(|k| &k.signal == signal);
            let text = match (k, row.values[i]) {
                (Some(k), Some(v)) => {
                    format!("{} ({})", k.unit.format(v), score_text(row.scores[i]))
                }
                (Some(k), None) => {
                    gaps.push(format!(
                        "{}: {}: {}",
                        p.target.name,
                        view::title(signal),
                        k.reason.as_deref().unwrap_or("no value")
                    ));
                    match k.value {
                        Some(v) => format!("{} (n/a)", value_text(k.unit, Some(v))),
                        None => "n/a".to_string(),
                    }
                }
                (None, _) => "n/a".to_string(),
            };
            cells.push(Cell {
                text,
                best: row.best.contains(&i),
            });
        }
        rows.push(RowView {
            is_category: false,
            label: view::title(signal),
            signal: signal.clone(),
            cells,
        });
    }
    (rows, gaps)
}

impl CompareView {
    #[must_use]
    pub fn new(c: &Comparison) -> CompareView {
        let views: Vec<ReportView> = c.projects.iter().map(ReportView::new).collect();
        let each: Vec<String> = views
            .iter()
            .map(|v| {
                format!(
                    "{} to {} ({} days)",
                    v.window.since, v.window.until, v.window.days
                )
            })
            .collect();
        let windows_differ = each.iter().any(|w| Some(w) != each.first());
        let windows = if windows_differ {
            (views.iter().zip(&each))
                .map(|(v, w)| format!("{}: {w}", v.target.name))
                .collect()
        } else {
            each.into_iter().take(1).collect()
        };
        let (rows, gaps) = rows_and_gaps(c);
        CompareView {
            tool: c.tool.clone(),
            title: views
                .iter()
                .map(|v| v.target.name.as_str())
                .collect::<Vec<_>>()
                .join(" vs "),
            rubric: c.rubric.clone(),
            projects: views
                .iter()
                .zip(&c.projects)
                .enumerate()
                .map(|(i, (v, p))| ProjectView {
                    name: v.target.name.clone(),
                    location: v.target.location.clone(),
                    score: v.score_label.clone(),
                    best: c.best_overall.contains(&i),
                    grade: v.grade.clone(),
                    coverage: percent(p.scorecard.coverage),
                    collected_at: v.collected_at.clone(),
                })
                .collect(),
            rows,
            gaps,
            verdicts: c.verdicts.iter().map(|v| v.text.clone()).collect(),
            windows_differ,
            windows,
            not_measured: views
                .iter()
                .flat_map(|v| {
                    v.not_measured
                        .iter()
                        .map(move |line| format!("{}: {line}", v.target.name))
                })
                .collect(),
            charts: super::compare_charts::charts(&c.projects),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec!["dask".into(), "pandas".into(), "numpy".into()]
    }

    #[test]
    fn verdicts_say_who_leads_and_by_how_much() {
        let none = vec![Vec::new(); 3];
        let v = verdict(
            "tests",
            "Tests",
            &names(),
            &[Some(70.0), Some(82.34), Some(60.0)],
            &none,
            &[],
        );
        assert_eq!(v.leader, Some(1));
        assert_eq!(v.margin, Some(12.3));
        assert!(v.fair);
        assert_eq!(
            v.text,
            "Tests: pandas leads with 82.3, 12.3 points ahead (dask 70.0, numpy 60.0)"
        );
        // Scores that read the same tie.
        let v = verdict(
            "t",
            "Tests",
            &names()[..2],
            &[Some(80.04), Some(79.96)],
            &none[..2],
            &[],
        );
        assert_eq!((v.leader, v.margin), (None, Some(0.0)));
        assert_eq!(v.text, "Tests: dask and pandas are level at 80.0");
    }

    #[test]
    fn verdicts_flag_missing_evidence() {
        let missing = vec![Vec::new(), vec!["Flaky tests".to_string()], Vec::new()];
        let v = verdict(
            "tests",
            "Tests",
            &names(),
            &[Some(90.0), Some(50.0), None],
            &missing,
            &[String::new(), String::new(), "no GitHub source".into()],
        );
        assert!(!v.fair);
        assert_eq!(
            v.text,
            "Tests: dask leads with 90.0, 40.0 points ahead (pandas 50.0); no evidence for numpy (no GitHub source); not a like-for-like comparison: pandas lacks Flaky tests"
        );
        let v = verdict(
            "b",
            "Benchmarks",
            &names(),
            &[None, Some(74.0), None],
            &vec![Vec::new(); 3],
            &[],
        );
        assert_eq!(
            v.text,
            "Benchmarks: only pandas has evidence (74.0), so there is no contest; no evidence for dask and numpy"
        );
        assert!(!v.fair);
        let v = verdict(
            "b",
            "Benchmarks",
            &names(),
            &[None, None, None],
            &vec![Vec::new(); 3],
            &[
                "GitHub could not be read".into(),
                String::new(),
                "no benchmark results".into(),
            ],
        );
        // Each named with its reason, none ranked as if it scored 0.
        assert_eq!(
            v.text,
            "Benchmarks: no evidence for any project: dask (GitHub could not be read), pandas and numpy (no benchmark results)"
        );
        assert_eq!((v.leader, v.margin), (None, None));
    }

    #[test]
    fn best_needs_two_contenders_and_keeps_ties() {
        assert_eq!(best_of(&[Some(1.0), Some(3.0), Some(3.0)]), vec![1, 2]);
        assert_eq!(best_of(&[Some(1.0), None]), Vec::<usize>::new());
        assert_eq!(best_of(&[None, Some(-2.0), Some(-5.0)]), vec![1]);
    }
}
