//! The report's trend charts: each mermaid chart draws exactly the numbers
//! of the table beside it, and those numbers agree with the signals.

#![expect(clippy::float_cmp, reason = "tests compare values computed exactly")]

use serde_json::Value;

use crate::common::{Workspace, measurement, monthly_project};
use crate::github::{SECRET, start_server};

/// A chart as drawn: its title, x labels and one array per series, and
/// the table after it (the header, then the rows).
pub(crate) struct Drawn {
    pub title: String,
    pub labels: Vec<String>,
    pub series: Vec<Vec<String>>,
    pub columns: Vec<String>,
    pub table: Vec<Vec<String>>,
}

fn array(line: &str) -> Vec<String> {
    let inner = &line[line.find('[').unwrap() + 1..line.rfind(']').unwrap()];
    inner
        .split(", ")
        .map(|s| s.trim_matches('"').to_string())
        .collect()
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

/// Every mermaid chart of `md` with the heading before it and the table
/// that follows it (after any lines of text, such as a comparison's key).
pub(crate) fn charts(md: &str) -> Vec<Drawn> {
    let mut out = Vec::new();
    let mut rest = md;
    while let Some(start) = rest.find("```mermaid\n") {
        let title = rest[..start]
            .rfind("### ")
            .map(|h| rest[h + 4..].lines().next().unwrap_or("").to_string())
            .unwrap_or_default();
        let after = &rest[start + 11..];
        let end = after.find("```").unwrap();
        let block = &after[..end];
        let mut labels = Vec::new();
        let mut series = Vec::new();
        for line in block.lines().map(str::trim) {
            if line.starts_with("x-axis") {
                labels = array(line);
            } else if line.starts_with("bar [") || line.starts_with("line [") {
                series.push(array(line));
            }
        }
        let lines: Vec<&str> = after[end + 3..]
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .collect();
        out.push(Drawn {
            title,
            labels,
            series,
            columns: lines.first().map(|l| cells(l)).unwrap_or_default(),
            table: lines.iter().skip(2).map(|l| cells(l)).collect(),
        });
        rest = &after[end + 3..];
    }
    out
}

/// The chart and its table hold the same labels and values, row by row.
pub(crate) fn assert_chart_matches_table(c: &Drawn) {
    assert!(!c.labels.is_empty());
    assert_eq!(c.table.len(), c.labels.len(), "one table row per point");
    for (i, row) in c.table.iter().enumerate() {
        assert_eq!(row[0], c.labels[i], "row {i} label");
        for (j, s) in c.series.iter().enumerate() {
            assert_eq!(row[j + 1], s[i], "row {i}, series {j}");
        }
    }
}

#[test]
fn release_chart_matches_its_table_and_the_count() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    let md = ws.run(&["report", "monthly"]).ok();
    let drawn = charts(&md);
    assert_eq!(drawn.len(), 1, "releases only for a clone");
    assert_chart_matches_table(&drawn[0]);
    let total: f64 = drawn[0].series[0]
        .iter()
        .map(|v| v.parse::<f64>().unwrap())
        .sum();
    let v: Value =
        serde_json::from_str(&ws.run(&["report", "monthly", "--format", "json"]).ok()).unwrap();
    // The default window is the 365 days release.count_365d counts.
    assert_eq!(total, measurement(&v, "release.count_365d")["value"]);
    assert_eq!(v["trends"][0]["id"], "releases_per_quarter");
    // --no-charts: neither chart nor data.
    let md = ws.run(&["report", "monthly", "--no-charts"]).ok();
    assert!(!md.contains("```mermaid") && !md.contains("## Trends"));
    let v: Value = serde_json::from_str(
        &ws.run(&["report", "monthly", "--format", "json", "--no-charts"])
            .ok(),
    )
    .unwrap();
    assert_eq!(v["trends"], serde_json::json!([]));
}

#[test]
fn github_charts_match_their_tables_and_signals() {
    let (_rt, server) = start_server();
    let ws = Workspace::new();
    let api = server.uri();
    let base = [
        "report",
        "acme/widget",
        "--api-url",
        api.as_str(),
        "--token",
        SECRET,
        "--cache-dir",
        "cache",
        "--until",
        "2026-08-20",
    ];
    let md = ws.run(&base).ok();
    let drawn = charts(&md);
    for c in &drawn {
        assert_chart_matches_table(c);
    }
    let mut json_args = base.to_vec();
    json_args.extend(["--format", "json"]);
    let v: Value = serde_json::from_str(&ws.run(&json_args).ok()).unwrap();
    let ids: Vec<&str> = v["trends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"issue_first_response_by_month"), "{ids:?}");
    assert!(ids.contains(&"ci_pass_rate_by_month"), "{ids:?}");
    let trend = |id: &str| {
        v["trends"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap()
            .clone()
    };
    // Every answered issue is in one month.
    let issues = trend("issue_first_response_by_month");
    let answered: u64 = issues["n"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(
        answered,
        measurement(&v, "issues.first_response_p50_hours")["n"]
    );
    // The monthly pass rates, weighted by runs, give ci.pass_rate.
    let ci = trend("ci_pass_rate_by_month");
    let (mut passed, mut runs) = (0.0, 0.0);
    for (rate, n) in ci["series"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .zip(ci["n"].as_array().unwrap())
    {
        let n = n.as_f64().unwrap();
        if let Some(r) = rate.as_f64() {
            passed += r / 100.0 * n;
        }
        runs += n;
    }
    let pass = measurement(&v, "ci.pass_rate");
    assert_eq!(runs, pass["n"].as_f64().unwrap());
    assert!((passed / runs - pass["value"].as_f64().unwrap()).abs() < 1e-3);
    // The markdown draws the same charts as the JSON holds (months without data are not drawn).
    assert_eq!(drawn.len(), v["trends"].as_array().unwrap().len());
}

#[test]
fn mermaid_text_cannot_break_out() {
    let hostile = "x\"] \n```\n<script>alert(1)</script> `rm` [link](javascript:1) @user | y";
    let clean = readiness::report::mermaid_text(hostile);
    for bad in ['"', '\n', '`', '<', '>', '@', '|'] {
        assert!(!clean.contains(bad), "{bad:?} in {clean}");
    }
    assert!(!clean.contains("]("), "a markdown link survives: {clean}");
    assert!(clean.contains("[link] (javascript:1)"), "{clean}");
}

/// The markdown report of a GitHub repository, with its issue and CI charts (snapshot).
#[test]
fn github_report_with_charts_snapshot() {
    let (_rt, server) = start_server();
    let ws = Workspace::new();
    let api = server.uri();
    let md = ws
        .run(&[
            "report",
            "acme/widget",
            "--api-url",
            api.as_str(),
            "--token",
            SECRET,
            "--cache-dir",
            "cache",
            "--until",
            "2026-08-20",
        ])
        .ok();
    // The report writes the API's URL escaped: a zero-width space after `:`.
    let escaped_api = api.replacen("://", ":\u{200B}//", 1);
    let stable = md
        .replace(api.as_str(), "http://API")
        .replace(escaped_api.as_str(), "http:\u{200B}//API")
        .lines()
        // Fetch times are the test's wall clock.
        .map(|l| match l.find("; data as of ") {
            Some(i) => format!("{}; data as of (fetch time).", &l[..i]),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("report_github_widget", stable);
}
