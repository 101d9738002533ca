//! The comparison's charts: releases per quarter, median first response by
//! month and CI pass rate by month, one line per project, drawn from each
//! project's own trend (so every number is the one its own report shows).
//!
//! GitHub draws mermaid's `xychart-beta` without a legend, so each chart
//! fixes its colours (close to a colour-blind-safe palette, set in an
//! `init` directive) and a key below it names each project's line in order and
//! colour. Lines, not bars: bar series of one chart overlap. A period is
//! drawn when every project of the chart has a value there (a line cannot
//! skip a point, and a gap drawn as 0 would state what was not measured);
//! the others are named under the chart with the projects that lack them,
//! and a project with no data at all is named with the reason.

use serde::Serialize;

use super::Report;
use super::view::{chart_number, mermaid_text};
use crate::signals::trends::Trend;

/// The charts side by side: the trend, the series taken from it, the
/// chart's title, and the signal whose reason explains a missing trend.
const SIDE_BY_SIDE: [(&str, &str, &str, &str); 3] = [
    (
        "releases_per_quarter",
        "releases",
        "Releases per quarter",
        "release.count_365d",
    ),
    (
        "issue_first_response_by_month",
        "p50",
        "Median hours to first response (issues), by month opened",
        "issues.first_response_p50_hours",
    ),
    (
        "ci_pass_rate_by_month",
        "pass rate",
        "CI runs that pass, by month",
        "ci.pass_rate",
    ),
];

/// The lines' colours, in order: CSS names close to the Okabe-Ito palette
/// (told apart with colour blindness), each with the word the key uses. CSS
/// names, not `#0072B2`: text such as `#0` reads as an issue reference
/// outside a rendered chart. A chart holds at most this many projects; more
/// are drawn in several charts.
const PALETTE: [(&str, &str); 8] = [
    ("royalblue", "blue"),
    ("darkorange", "orange"),
    ("seagreen", "green"),
    ("orchid", "pink"),
    ("deepskyblue", "sky blue"),
    ("firebrick", "red"),
    ("gold", "yellow"),
    ("black", "black"),
];

/// One chart side by side, with the table of its numbers.
#[derive(Debug, Serialize)]
pub struct CompareChartView {
    pub title: String,
    /// The mermaid source, written raw (`{{{mermaid}}}`): built here, every
    /// text in it cleaned by `mermaid_text`. Empty when no period has a
    /// value from every project.
    pub mermaid: String,
    /// Each line's project and colour, in the order drawn.
    pub key: Vec<KeyEntry>,
    /// The x axis, then one column per project.
    pub columns: Vec<String>,
    /// One row per period drawn.
    pub rows: Vec<Vec<String>>,
    /// Periods not drawn, each with the projects that have no value there.
    pub missing: String,
    /// Projects without this chart's data, each with the reason.
    pub absent: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct KeyEntry {
    pub name: String,
    pub colour: String,
}

/// The charts of `projects` side by side; none when no project has trends
/// (`--no-charts`, or nothing to chart).
pub(super) fn charts(projects: &[Report]) -> Vec<CompareChartView> {
    if projects.iter().all(|p| p.trends.is_empty()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (id, series, title, signal) in SIDE_BY_SIDE {
        let with: Vec<(&str, &Trend)> = projects
            .iter()
            .filter_map(|p| {
                let t = p.trends.iter().find(|t| t.id == id)?;
                Some((p.target.name.as_str(), t))
            })
            .collect();
        if with.is_empty() {
            continue;
        }
        let absent: Vec<String> = projects
            .iter()
            .filter(|p| !p.trends.iter().any(|t| t.id == id))
            .map(|p| format!("{}: {}", p.target.name, absence(p, signal)))
            .collect();
        let groups = with.len().div_ceil(PALETTE.len());
        for (g, group) in with.chunks(PALETTE.len()).enumerate() {
            let title = if groups > 1 {
                format!("{title} ({} of {groups})", g + 1)
            } else {
                title.to_string()
            };
            let mut chart = chart(&title, series, group);
            chart.absent.clone_from(&absent);
            out.push(chart);
        }
    }
    out
}

/// Why project `p` has no chart where `signal` would have one.
fn absence(p: &Report, signal: &str) -> String {
    match p.measurements.iter().find(|m| m.signal == signal) {
        Some(m) => match &m.insufficient {
            Some(why) => why.clone(),
            None => "nothing in the window to chart".into(),
        },
        None => "not measured".into(),
    }
}

/// `series` of each trend of `group` (at most [`PALETTE`]'s length), by label.
fn chart(title: &str, series: &str, group: &[(&str, &Trend)]) -> CompareChartView {
    let mut labels: Vec<&str> = group
        .iter()
        .flat_map(|(_, t)| t.labels.iter().map(String::as_str))
        .collect();
    // `2026-01` and `2026 Q1` sort as text in time order.
    labels.sort_unstable();
    labels.dedup();
    let value = |t: &Trend, label: &str| -> Option<f64> {
        let i = t.labels.iter().position(|l| l == label)?;
        let s = t.series.iter().find(|s| s.name == series)?;
        s.values.get(i).copied().flatten()
    };
    let mut drawn = Vec::new();
    let mut missing = Vec::new();
    for label in labels {
        let row: Vec<Option<f64>> = group.iter().map(|(_, t)| value(t, label)).collect();
        if row.iter().all(Option::is_some) {
            drawn.push((label, row.into_iter().flatten().collect::<Vec<f64>>()));
        } else {
            let lacking: Vec<&str> = (group.iter().zip(&row))
                .filter(|(_, v)| v.is_none())
                .map(|((name, _), _)| *name)
                .collect();
            missing.push(format!("{label} ({})", lacking.join(", ")));
        }
    }
    let key: Vec<KeyEntry> = group
        .iter()
        .zip(PALETTE)
        .map(|((name, _), (_, colour))| KeyEntry {
            name: (*name).to_string(),
            colour: colour.to_string(),
        })
        .collect();
    let mut columns = vec![group[0].1.x.clone()];
    columns.extend(group.iter().map(|(name, _)| (*name).to_string()));
    let rows = drawn
        .iter()
        .map(|(label, values)| {
            let mut row = vec![(*label).to_string()];
            row.extend(values.iter().map(|v| chart_number(*v)));
            row
        })
        .collect();
    CompareChartView {
        title: title.to_string(),
        mermaid: mermaid(title, &group[0].1.y, &drawn, group.len()),
        key,
        columns,
        rows,
        missing: missing.join(", "),
        absent: Vec::new(),
    }
}

/// The `xychart-beta` source: colours fixed in line order, one line per
/// project; empty when nothing is drawn.
fn mermaid(title: &str, y: &str, drawn: &[(&str, Vec<f64>)], lines: usize) -> String {
    if drawn.is_empty() {
        return String::new();
    }
    let palette: Vec<&str> = PALETTE.iter().take(lines).map(|(css, _)| *css).collect();
    let labels: Vec<String> = drawn
        .iter()
        .map(|(l, _)| format!("\"{}\"", mermaid_text(l)))
        .collect();
    let top = drawn
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(1.0f64, f64::max);
    let mut m = format!(
        "%%{{init: {{\"themeVariables\": {{\"xyChart\": {{\"plotColorPalette\": \"{}\"}}}}}}}}%%\nxychart-beta\n    title \"{}\"\n    x-axis [{}]\n    y-axis \"{}\" 0 --> {}\n",
        palette.join(", "),
        mermaid_text(title),
        labels.join(", "),
        mermaid_text(y),
        chart_number(top.ceil())
    );
    for i in 0..lines {
        let values: Vec<String> = drawn.iter().map(|(_, v)| chart_number(v[i])).collect();
        m.push_str(&format!("    line [{}]\n", values.join(", ")));
    }
    m.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::trends::TrendSeries;

    fn trend(labels: &[&str], values: &[Option<f64>]) -> Trend {
        Trend {
            id: "ci_pass_rate_by_month".into(),
            title: "CI".into(),
            signal: "ci.pass_rate".into(),
            x: "month".into(),
            y: "% passed".into(),
            labels: labels.iter().map(|l| (*l).to_string()).collect(),
            series: vec![TrendSeries {
                name: "pass rate".into(),
                kind: "line".into(),
                values: values.to_vec(),
            }],
            n: vec![1; labels.len()],
            note: None,
        }
    }

    /// Periods are the union, in time order; one drawn only where every
    /// project has a value; the key names each line in order and colour.
    #[test]
    fn lines_share_the_periods_every_project_has() {
        let a = trend(
            &["2026-01", "2026-02", "2026-03"],
            &[Some(90.0), None, Some(80.5)],
        );
        let b = trend(
            &["2026-02", "2026-03", "2026-04"],
            &[Some(70.0), Some(75.0), Some(60.0)],
        );
        let c = chart("CI", "pass rate", &[("a|b", &a), ("b", &b)]);
        assert_eq!(c.rows, vec![vec!["2026-03", "80.5", "75"]]);
        assert_eq!(c.columns, ["month", "a|b", "b"]);
        assert_eq!(c.missing, "2026-01 (b), 2026-02 (a|b), 2026-04 (a|b)");
        assert_eq!(
            c.key
                .iter()
                .map(|k| (k.name.as_str(), k.colour.as_str()))
                .collect::<Vec<_>>(),
            [("a|b", "blue"), ("b", "orange")]
        );
        assert_eq!(
            c.mermaid,
            "%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"royalblue, darkorange\"}}}}%%\nxychart-beta\n    title \"CI\"\n    x-axis [\"2026-03\"]\n    y-axis \"% passed\" 0 --> 81\n    line [80.5]\n    line [75]"
        );
        // Nothing in common: no chart source, the table says why.
        let c = chart(
            "CI",
            "pass rate",
            &[("a", &a), ("b", &trend(&["2025-01"], &[Some(1.0)]))],
        );
        assert!(c.mermaid.is_empty() && c.rows.is_empty());
    }
}
