//! A history for people (markdown through `templates/history.md.hbs`) and
//! for spreadsheets (CSV). The table has every point; the charts draw the
//! overall score and each category as mermaid `xychart-beta` lines, which
//! cannot leave a gap: a line starts at the first point of its latest
//! unbroken stretch of scores, what is not drawn is named under it, and
//! points of another rubric (another fingerprint) get charts of their own.

use serde::Serialize;

use super::view::{chart_number, mermaid_text, percent, score_label, score_text};
use crate::evidence::{Provenance, TargetInfo};
use crate::history::{History, HistorySource, Point};
use crate::rubric::score::{CategoryScore, Scorecard};

/// At most this many points of a line are drawn: the most recent.
const MAX_CHART_POINTS: usize = 60;

#[derive(Serialize)]
pub(super) struct HistoryView {
    pub tool: String,
    pub target: TargetInfo,
    /// True for runs read from a history file, false for a collection.
    pub from_records: bool,
    /// `monthly` or `quarterly` (a collection); empty for records.
    pub every: String,
    /// The history file read (records); empty for a collection.
    pub from: String,
    pub count: usize,
    /// Each rubric that scored a point: `default (built-in), fnv1a64:...`.
    pub rubrics: Vec<String>,
    /// The category names, one column each.
    pub columns: Vec<String>,
    pub rows: Vec<RowView>,
    pub charts: Vec<HistoryChart>,
    pub notes: Vec<String>,
    pub skipped: Vec<String>,
    pub has_drop: bool,
    pub drop_failed: bool,
    /// The drop check's verdict; empty without `--fail-on-drop`.
    pub drop: String,
    /// What fell most: `ci: -30.0 (90.0 to 60.0)`.
    pub falls: Vec<String>,
    pub sources: Vec<Provenance>,
}

#[derive(Serialize)]
pub(super) struct RowView {
    pub label: String,
    pub as_of: String,
    pub score: String,
    pub grade: String,
    pub coverage: String,
    /// One cell per column: the category's score, `not scored`, or empty
    /// when the point's rubric has no such category.
    pub categories: Vec<String>,
    /// Why a point has no score or no grade; empty otherwise.
    pub note: String,
}

#[derive(Serialize)]
pub(super) struct HistoryChart {
    pub title: String,
    /// Written raw (`{{{mermaid}}}`): every text in it is built here and
    /// cleaned by [`mermaid_text`].
    pub mermaid: String,
    /// What is not drawn, and why.
    pub note: String,
}

/// Category `(id, name)` pairs over all points, in order of appearance;
/// two rubrics' categories of one id but different names are two columns.
fn category_columns(points: &[Point]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for c in points.iter().flat_map(|p| &p.scorecard.categories) {
        if !out.iter().any(|(id, name)| *id == c.id && *name == c.name) {
            out.push((c.id.clone(), c.name.clone()));
        }
    }
    out
}

/// The category `(id, name)` of `card`, if its rubric has it.
fn category<'a>(card: &'a Scorecard, (id, name): &(String, String)) -> Option<&'a CategoryScore> {
    card.categories
        .iter()
        .find(|c| c.id == *id && c.name == *name)
}

fn row(p: &Point, columns: &[(String, String)]) -> RowView {
    let card = &p.scorecard;
    let categories = columns
        .iter()
        .map(|column| match category(card, column) {
            None => String::new(),
            Some(c) if c.score.is_none() => "not scored".into(),
            Some(c) => score_text(c.score),
        })
        .collect();
    let note = match (&card.score, &card.withheld) {
        (None, _) => "too thin: no criterion could be scored".to_string(),
        (Some(_), Some(why)) => format!("no grade: {why}"),
        _ => String::new(),
    };
    RowView {
        label: p.label.clone(),
        as_of: p.window.until.format("%Y-%m-%d").to_string(),
        score: if card.score.is_some() {
            score_label(card)
        } else {
            "no score".into()
        },
        grade: card.grade.clone(),
        coverage: percent(card.coverage),
        categories,
        note,
    }
}

/// Consecutive points scored with the same rubric fingerprint.
fn segments(points: &[Point]) -> Vec<&[Point]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=points.len() {
        if i == points.len() || points[i].rubric.hash != points[start].rubric.hash {
            if i > start {
                out.push(&points[start..i]);
            }
            start = i;
        }
    }
    out
}

/// The most recent unbroken stretch of values, at most [`MAX_CHART_POINTS`] long.
fn latest_stretch(values: &[Option<f64>]) -> Option<std::ops::Range<usize>> {
    let end = values.iter().rposition(Option::is_some)? + 1;
    let start = values[..end]
        .iter()
        .rposition(Option::is_none)
        .map_or(0, |i| i + 1);
    Some(end.saturating_sub(MAX_CHART_POINTS).max(start)..end)
}

/// One line's chart over a segment, or a note saying why it has none.
fn line_chart(
    title: &str,
    points: &[Point],
    values: &[Option<f64>],
) -> Result<HistoryChart, String> {
    let Some(drawn) = latest_stretch(values) else {
        return Err(format!("{title}: no score at any point, so no chart"));
    };
    let labels: Vec<String> = points[drawn.clone()]
        .iter()
        .map(|p| format!("\"{}\"", mermaid_text(&p.label)))
        .collect();
    let ys: Vec<String> = values[drawn.clone()]
        .iter()
        .map(|v| chart_number(v.unwrap_or_default()))
        .collect();
    let mermaid = format!(
        "xychart-beta\n    title \"{}\"\n    x-axis [{}]\n    y-axis \"score\" 0 --> 100\n    line [{}]",
        mermaid_text(title),
        labels.join(", "),
        ys.join(", ")
    );
    let unscored: Vec<&str> = (0..points.len())
        .filter(|&i| values[i].is_none())
        .map(|i| points[i].label.as_str())
        .collect();
    let earlier = (0..drawn.start).filter(|&i| values[i].is_some()).count();
    let mut note = Vec::new();
    if !unscored.is_empty() {
        note.push(format!(
            "no score at {} (see the table)",
            unscored.join(", ")
        ));
    }
    if earlier > 0 {
        note.push(format!(
            "the line starts at {}: a chart line cannot leave a gap, so {earlier} earlier scored points are in the table only",
            points[drawn.start].label
        ));
    }
    Ok(HistoryChart {
        title: title.to_string(),
        mermaid,
        note: note.join("; "),
    })
}

/// The charts of every segment: the overall score, then each category.
fn charts(points: &[Point]) -> (Vec<HistoryChart>, Vec<String>) {
    let segs = segments(points);
    let (mut charts, mut notes) = (Vec::new(), Vec::new());
    for seg in &segs {
        let suffix = match (segs.len() > 1, seg.first(), seg.last()) {
            (true, Some(a), Some(b)) => format!(
                " (rubric {} {}, {} to {})",
                a.rubric.name,
                a.rubric
                    .hash
                    .trim_start_matches("fnv1a64:")
                    .get(..8)
                    .unwrap_or_default(),
                a.label,
                b.label
            ),
            _ => String::new(),
        };
        let mut lines = vec![(
            format!("Overall score{suffix}"),
            seg.iter().map(|p| p.scorecard.score).collect::<Vec<_>>(),
        )];
        for (id, name) in category_columns(seg) {
            let values = seg
                .iter()
                .map(|p| {
                    p.scorecard
                        .categories
                        .iter()
                        .find(|c| c.id == id)
                        .and_then(|c| c.score)
                })
                .collect();
            lines.push((format!("{name}{suffix}"), values));
        }
        for (title, values) in lines {
            match line_chart(&title, seg, &values) {
                Ok(c) => charts.push(c),
                Err(note) => notes.push(note),
            }
        }
    }
    (charts, notes)
}

impl HistoryView {
    pub(super) fn new(h: &History, with_charts: bool) -> HistoryView {
        let columns = category_columns(&h.points);
        let mut rubrics: Vec<String> = Vec::new();
        for p in &h.points {
            let r = format!("{} ({}), {}", p.rubric.name, p.rubric.origin, p.rubric.hash);
            if !rubrics.contains(&r) {
                rubrics.push(r);
            }
        }
        let (charts, chart_notes) = if with_charts {
            charts(&h.points)
        } else {
            (Vec::new(), Vec::new())
        };
        let mut notes = h.notes.clone();
        notes.extend(chart_notes);
        HistoryView {
            tool: h.tool.clone(),
            target: h.target.clone(),
            from_records: h.source == HistorySource::Records,
            every: h
                .every
                .map(|e| e.adjective().to_string())
                .unwrap_or_default(),
            from: h.from.clone().unwrap_or_default(),
            count: h.points.len(),
            rubrics,
            rows: h.points.iter().map(|p| row(p, &columns)).collect(),
            columns: columns.into_iter().map(|(_, name)| name).collect(),
            charts,
            notes,
            skipped: h.skipped.clone(),
            has_drop: h.drop.is_some(),
            drop_failed: h.drop.as_ref().is_some_and(|d| d.failed),
            drop: h
                .drop
                .as_ref()
                .map(|d| d.verdict.clone())
                .unwrap_or_default(),
            falls: h
                .drop
                .iter()
                .filter(|d| d.change.is_some_and(|c| c < 0.0))
                .flat_map(|d| d.categories.iter().chain(&d.signals))
                .map(|f| {
                    format!(
                        "{}: {:.1} ({:.1} to {:.1})",
                        f.id, f.change, f.before, f.after
                    )
                })
                .collect(),
            sources: h.sources.clone(),
        }
    }
}

/// A CSV field: quoted when it holds a comma, quote or line break; text
/// that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) gets a
/// leading `'`.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn csv_number(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// The history as CSV: one row per point, one column per category score
/// and per signal value; an empty cell where there is none.
#[must_use]
pub fn history_csv(h: &History) -> String {
    let columns = category_columns(&h.points);
    let mut signals: Vec<String> = Vec::new();
    for m in h.points.iter().flat_map(|p| &p.measurements) {
        if !signals.contains(&m.signal) {
            signals.push(m.signal.clone());
        }
    }
    let mut header: Vec<String> = [
        "point",
        "as_of",
        "since",
        "recorded_at",
        "rubric",
        "rubric_hash",
        "score",
        "grade",
        "coverage",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    header.extend(columns.iter().map(|(id, name)| {
        if columns.iter().filter(|(other, _)| other == id).count() > 1 {
            format!("category:{id}:{name}")
        } else {
            format!("category:{id}")
        }
    }));
    header.extend(signals.iter().cloned());
    let mut out = header
        .iter()
        .map(|c| csv_field(c))
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    for p in &h.points {
        let card = &p.scorecard;
        let mut cells = vec![
            csv_field(&p.label),
            p.window.until.to_rfc3339(),
            p.window.since.to_rfc3339(),
            p.recorded_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            csv_field(&p.rubric.name),
            csv_field(&p.rubric.hash),
            csv_number(card.score),
            csv_field(&card.grade),
            csv_number(Some(card.coverage)),
        ];
        cells.extend(columns.iter().map(|(id, _)| {
            csv_number(
                card.categories
                    .iter()
                    .find(|c| c.id == *id)
                    .and_then(|c| c.score),
            )
        }));
        cells.extend(signals.iter().map(|s| {
            csv_number(
                p.measurements
                    .iter()
                    .find(|m| m.signal == *s)
                    .and_then(|m| m.value),
            )
        }));
        out += &cells.join(",");
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@cmd"), "'@cmd");
        assert_eq!(csv_number(Some(f64::NAN)), "");
        assert_eq!(csv_number(Some(62.5)), "62.5");
    }

    #[test]
    fn the_line_starts_after_the_last_gap() {
        let v = [Some(1.0), None, Some(2.0), Some(3.0), None];
        assert_eq!(latest_stretch(&v), Some(2..4));
        assert_eq!(latest_stretch(&[None, None]), None);
        let long: Vec<Option<f64>> = (0..100).map(|i| Some(f64::from(i))).collect();
        assert_eq!(latest_stretch(&long), Some(40..100));
    }
}
