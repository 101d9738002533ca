//! Side-by-side comparison of several reports scored with the same rubric:
//! one row per category and criterion, one column per project, the best
//! value in each row marked.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::view::{self, ReportView, percent, score_text, value_text};
use super::{REPORT_SCHEMA, Report, RubricInfo};
use crate::rubric::Rubric;
use crate::rubric::score::Status;

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
    /// The windows used, once each: one entry when all projects share it.
    pub windows: Vec<String>,
    pub projects: Vec<ProjectView>,
    pub rows: Vec<RowView>,
    /// Criteria left out for a project, with the reason.
    pub gaps: Vec<String>,
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

impl CompareView {
    #[must_use]
    pub fn new(c: &Comparison) -> CompareView {
        let views: Vec<ReportView> = c.projects.iter().map(ReportView::new).collect();
        let mut windows: Vec<String> = Vec::new();
        for v in &views {
            let w = format!(
                "{} to {} ({} days)",
                v.window.since, v.window.until, v.window.days
            );
            if !windows.contains(&w) {
                windows.push(w);
            }
        }
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
        CompareView {
            tool: c.tool.clone(),
            title: views
                .iter()
                .map(|v| v.target.name.as_str())
                .collect::<Vec<_>>()
                .join(" vs "),
            rubric: c.rubric.clone(),
            windows,
            projects: views
                .iter()
                .zip(&c.projects)
                .enumerate()
                .map(|(i, (v, p))| ProjectView {
                    name: v.target.name.clone(),
                    location: v.target.location.clone(),
                    score: v.score.clone(),
                    best: c.best_overall.contains(&i),
                    grade: v.grade.clone(),
                    coverage: percent(p.scorecard.coverage),
                    collected_at: v.collected_at.clone(),
                })
                .collect(),
            rows,
            gaps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_needs_two_contenders_and_keeps_ties() {
        assert_eq!(best_of(&[Some(1.0), Some(3.0), Some(3.0)]), vec![1, 2]);
        assert_eq!(best_of(&[Some(1.0), None]), Vec::<usize>::new());
        assert_eq!(best_of(&[None, Some(-2.0), Some(-5.0)]), vec![1]);
    }
}
