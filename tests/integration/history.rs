//! `readiness history`: the scorecard at each period's end from one
//! collection (each point the report `--until` its date, byte for byte in
//! its measurements), recorded runs (`report --record`, `history --from`),
//! and the gate on drops (`--fail-on-drop`).

use serde_json::{Value, json};

use crate::common::{Workspace, monthly_project};
use crate::evidence_files::rich_evidence;
use crate::schema::Validator;

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn points(h: &Value) -> &Vec<Value> {
    h["points"].as_array().expect("points")
}

/// Rich evidence (releases, issues, runs, tests, benchmarks) whose window
/// covers two years, saved as `e.json`.
fn wide_evidence(ws: &Workspace) {
    let mut ev = rich_evidence(ws);
    ev["window"]["since"] = json!("2024-06-01T00:00:00Z");
    ws.write("e.json", &serde_json::to_string_pretty(&ev).unwrap());
}

/// Every point equals `readiness report FILE --until` its date on the same
/// evidence: the measurements byte for byte, and the scorecard.
#[test]
fn each_point_is_the_report_as_of_its_date() {
    let ws = Workspace::new();
    wide_evidence(&ws);
    let h = parse(&ws.run(&["history", "e.json", "--format", "json"]).ok());
    let pts = points(&h);
    assert_eq!(pts.len(), 12, "{h}");
    assert_eq!(pts[0]["label"], "2025-09");
    assert_eq!(pts[11]["label"], "2026-08");
    assert_eq!(pts[0]["window"]["until"], "2025-09-30T23:59:59Z");
    let mut counts = Vec::new();
    for p in pts {
        let until = p["window"]["until"].as_str().unwrap();
        let r = parse(
            &ws.run(&["report", "e.json", "--until", until, "--format", "json"])
                .ok(),
        );
        let text = |v: &Value| serde_json::to_string_pretty(v).unwrap();
        assert_eq!(
            text(&p["measurements"]),
            text(&r["measurements"]),
            "the point as of {until} differs from the report"
        );
        for key in ["score", "grade", "coverage", "categories", "withheld"] {
            assert_eq!(p[key], r[key], "{key} as of {until}");
        }
        counts.push(crate::common::measurement(p, "release.count_365d")["value"].clone());
    }
    // The points are not all the same: the release count grows over the year.
    assert_ne!(counts.first(), counts.last(), "{counts:?}");
    // Quarterly too, and as of a date given with --until.
    let q = parse(
        &ws.run(&[
            "history",
            "e.json",
            "--every",
            "quarter",
            "--last",
            "3",
            "--until",
            "2026-05-10",
            "--format",
            "json",
        ])
        .ok(),
    );
    let labels: Vec<&str> = points(&q)
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2025 Q4", "2026 Q1", "2026 Q2"]);
    assert_eq!(points(&q)[2]["window"]["until"], "2026-05-10T23:59:59Z");
}

/// A clone's history in markdown (table and charts), CSV and JSON (valid
/// against `readiness schema history`), and through a user's template.
#[test]
fn a_clone_has_a_history_in_every_format() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    let md = ws.run(&["history", "monthly", "--no-github"]).ok();
    insta::assert_snapshot!("history_monthly", md);
    assert!(md.starts_with("# Readiness over time: monthly"), "{md}");
    assert!(md.contains("12 monthly points from one collection"), "{md}");
    assert!(
        md.contains("| 2026-08 | 2026-08-20 | 100.0 (release cadence only) |"),
        "{md}"
    );
    assert!(md.contains("### Overall score\n\n```mermaid\nxychart-beta\n    title \"Overall score\"\n    x-axis [\"2025-09\","), "{md}");
    assert!(md.contains("y-axis \"score\" 0 --> 100"), "{md}");
    assert!(
        md.contains("- Responsiveness: no score at any point, so no chart"),
        "{md}"
    );
    let csv = ws
        .run(&["history", "monthly", "--no-github", "--format", "csv"])
        .ok();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 13, "{csv}");
    assert!(lines[0].starts_with("point,as_of,since,recorded_at,rubric,rubric_hash,score,grade,coverage,category:releases,"), "{csv}");
    assert!(
        lines[12].starts_with(
            "2026-08,2026-08-20T00:00:00+00:00,2025-08-20T00:00:00+00:00,,default,fnv1a64:"
        ),
        "{csv}"
    );
    let json = parse(
        &ws.run(&["history", "monthly", "--no-github", "--format", "json"])
            .ok(),
    );
    Validator::new(&ws, &["schema", "history"])
        .assert_valid(&json, "readiness history --format json");
    assert_eq!(json["source"], "collection");
    assert_eq!(json["every"], "month");
    let table = ws
        .run(&["history", "monthly", "--no-github", "--no-charts"])
        .ok();
    assert!(
        !table.contains("```mermaid") && table.contains("| 2026-08 |"),
        "{table}"
    );
    ws.write("mine.hbs", "{{#each rows}}{{label}}={{score}};{{/each}}\n");
    let mine = ws
        .run(&[
            "history",
            "monthly",
            "--no-github",
            "--last",
            "2",
            "--template",
            "mine.hbs",
        ])
        .ok();
    assert_eq!(
        mine,
        "2026-07=100.0 (release cadence only);2026-08=100.0 (release cadence only);\n"
    );
}

/// JUnit runs from June on: the earlier points have no score. They are
/// shown as such in the table and in JSON (`null`), never drawn as zero:
/// the line starts at the first scored point and says what it left out.
#[test]
fn thin_points_are_shown_as_such_and_never_drawn() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.path("reports")).unwrap();
    for (i, month) in ["06", "07", "08"].iter().enumerate() {
        ws.write(
            &format!("reports/run{i}.xml"),
            &format!(
                "<testsuite name=\"s\" timestamp=\"2026-{month}-05T10:00:00\">{}</testsuite>",
                (0..120)
                    .map(|t| format!("<testcase classname=\"c\" name=\"t{t}\"/>"))
                    .collect::<Vec<_>>()
                    .concat()
            ),
        );
    }
    let args = ["history", "--junit", "reports/*.xml", "--last", "6"];
    let md = ws.run(&args).ok();
    assert!(
        md.contains("| 2026-03 | 2026-03-31 | no score | insufficient evidence | 0 % |"),
        "{md}"
    );
    assert!(
        md.contains("too thin: no criterion could be scored"),
        "{md}"
    );
    assert!(
        md.contains("x-axis [\"2026-06\", \"2026-07\", \"2026-08\"]"),
        "{md}"
    );
    assert!(
        md.contains("Not drawn: no score at 2026-03, 2026-04, 2026-05 (see the table)."),
        "{md}"
    );
    assert!(!md.contains("line [0,"), "{md}");
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let h = parse(&ws.run(&json_args).ok());
    assert!(points(&h)[0]["score"].is_null());
    assert!(points(&h)[5]["score"].is_number());
}

/// Saved evidence whose GitHub listings cover one year cannot give the
/// points whose windows start earlier: they are left out and named, never
/// measured from half a window.
#[test]
fn points_the_evidence_does_not_cover_are_left_out() {
    let ws = Workspace::new();
    let mut ev = rich_evidence(&ws);
    ev["sources"].as_array_mut().unwrap().push(json!({"source": "github issues and pull requests",
        "location": "https://api.github.com/repos/acme/widget", "items": 2, "item": "issues and pull requests", "requests": 1, "complete": true, "notes": []}));
    ws.write("e.json", &serde_json::to_string_pretty(&ev).unwrap());
    let h = parse(
        &ws.run(&["history", "e.json", "--last", "3", "--format", "json"])
            .ok(),
    );
    assert_eq!(points(&h).len(), 1, "{h}");
    assert_eq!(points(&h)[0]["label"], "2026-08");
    let note = h["notes"][0].as_str().unwrap();
    assert!(
        note.contains("do not cover") || note.contains("does not cover"),
        "{note}"
    );
    assert!(note.contains("2026-06, 2026-07"), "{note}");
    let e = ws
        .run(&["history", "e.json", "--last", "3", "--until", "2026-05-31"])
        .fails(2);
    assert!(e.contains("no point of the history can be measured"), "{e}");
}

/// Usage errors name the option.
#[test]
fn history_refuses_what_it_cannot_do() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    for (args, expected) in [
        (
            vec!["history", "monthly", "--since", "2026-01-01"],
            "give --since as a number of days",
        ),
        (
            vec!["history", "monthly", "--last", "0"],
            "--last takes a number of points",
        ),
        (
            vec!["history", "monthly", "--format", "badge"],
            "--format badge",
        ),
        (
            vec!["history", "monthly", "--fail-on-drop", "101"],
            "--fail-on-drop takes a number of points",
        ),
        (
            vec!["report", "monthly", "--format", "csv"],
            "--format csv is for `readiness history`",
        ),
        (vec!["report", "monthly", "--fail-on-drop", "3"], "--record"),
        (
            vec!["history", "--from", "h.jsonl", "--every", "quarter"],
            "cannot be used with",
        ),
        (vec!["history", "--from", "missing.jsonl"], "missing.jsonl"),
        (
            vec!["history", "--from", "h.jsonl", "--until", "2026-01-01"],
            "--since or --until does not apply",
        ),
        (
            vec!["history", "--from", "h.jsonl", "--asv", "results"],
            "--asv does not apply",
        ),
    ] {
        let e = ws.run(&args).fails(2);
        assert!(e.contains(expected), "{args:?}: {e}");
    }
}

/// A rubric of release cadence alone, so a clone gets a grade; its
/// fingerprint differs from the default rubric's.
const RELEASES_ONLY: &str = r#"
[[category]]
id = "releases"
name = "Releases <b>@alice"
weight = 1

[[category.criterion]]
signal = "release.count_365d"
good = 12
bad = 1
min_samples = 0
why = "A monthly cadence."
"#;

fn record(ws: &Workspace, until: &str, extra: &[&str]) -> crate::common::Run {
    let mut args = vec![
        "report",
        "monthly",
        "--no-github",
        "--until",
        until,
        "--record",
        "h.jsonl",
        "-o",
        "r.md",
    ];
    args.extend(extra);
    ws.run(&args)
}

/// `report --record` appends one line per run; `history --from` reads them
/// back, skipping (and naming) a broken line; `--fail-on-drop` gates on the
/// previous run of the same rubric, and says why when it cannot compare.
#[test]
fn recorded_runs_make_a_history_and_gate_drops() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    let first = record(&ws, "2026-03-31", &["--fail-on-drop", "5"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stderr.contains("no previous score to compare"),
        "{}",
        first.stderr
    );
    record(&ws, "2026-08-20", &["--fail-on-drop", "5"]).ok();
    let lines = ws.read("h.jsonl");
    assert_eq!(lines.lines().count(), 2);
    let line = parse(lines.lines().next().unwrap());
    assert_eq!(line["record_schema"], 1);
    assert_eq!(
        line["recorded_at"], "2026-08-20T00:00:00Z",
        "SOURCE_DATE_EPOCH pins it"
    );
    assert_eq!(line["target"]["name"], "monthly");
    assert_eq!(line["window"]["until"], "2026-03-31T23:59:59Z");
    assert!(
        line["rubric"]["hash"]
            .as_str()
            .unwrap()
            .starts_with("fnv1a64:")
    );
    assert!(
        line["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["examples"] == json!([]))
    );
    // A line cut short (a crashed writer) is named and skipped; the next record starts on its own line.
    std::fs::write(
        ws.path("h.jsonl"),
        format!("{lines}{{\"record_schema\": 1, \"tool\""),
    )
    .unwrap();
    let dropped = record(&ws, "2026-05-01", &["--fail-on-drop", "1"]);
    let e = dropped.fails(1);
    assert!(e.contains("h.jsonl:3: not a record"), "{e}");
    assert!(e.contains("the score fell by"), "{e}");
    assert!(e.contains("categories that fell most: releases"), "{e}");
    assert!(
        e.contains("signals whose scores fell most: release."),
        "{e}"
    );
    assert!(
        ws.path("r.md").exists(),
        "the report is written before the gate"
    );
    let h = parse(
        &ws.run(&["history", "--from", "h.jsonl", "--format", "json"])
            .ok(),
    );
    let labels: Vec<&str> = points(&h)
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["2026-03-31", "2026-05-01", "2026-08-20"],
        "oldest first"
    );
    assert!(
        h["skipped"][0]
            .as_str()
            .unwrap()
            .ends_with("h.jsonl:3: not a record: EOF while parsing an object at line 2 column 0"),
        "{h}"
    );
    Validator::new(&ws, &["schema", "history"]).assert_valid(&h, "history --from");
    // The gate on a history file compares its last two points.
    let e = ws
        .run(&["history", "--from", "h.jsonl", "--fail-on-drop", "0"])
        .fails(0);
    assert!(e.contains("did not fall"), "{e}");
}

/// A run scored with another rubric (another fingerprint) is not compared
/// with the previous one, and the charts keep the two rubrics' points apart.
#[test]
fn records_of_another_rubric_are_neither_compared_nor_mixed() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    record(&ws, "2026-03-31", &[]).ok();
    record(&ws, "2026-08-20", &[]).ok();
    let mut text = ws.read("h.jsonl");
    text.push_str("not json\n");
    ws.write("h.jsonl", &text);
    ws.write("releases.toml", RELEASES_ONLY);
    let other = record(
        &ws,
        "2026-02-01",
        &["--rubric", "releases.toml", "--fail-on-drop", "0"],
    );
    assert_eq!(other.code, 0, "{}", other.stderr);
    assert!(other.stderr.contains("another rubric"), "{}", other.stderr);
    let md = ws
        .run(&["history", "--from", "h.jsonl", "--last", "4"])
        .ok();
    assert_eq!(md.matches("```mermaid").count(), 4, "{md}");
    assert!(
        md.contains("### Overall score (rubric default 3db51a94, 2026-03-31 to 2026-08-20)"),
        "{md}"
    );
    assert!(md.contains("### Overall score (rubric releases "), "{md}");
    assert!(
        md.contains("| Releases &lt;b&gt;@\u{200B}alice | Release cadence |"),
        "category names are escaped in the table: {md}"
    );
    assert!(
        md.contains("title \"Releases _b__alice"),
        "and cleaned in charts: {md}"
    );
    assert!(
        md.contains("## Lines not read\n\n- h.jsonl:3: not a record: expected ident"),
        "{md}"
    );
}

/// Several targets in one file: the command names them and asks for one.
#[test]
fn a_history_file_of_several_targets_needs_one_named() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    ws.repo("other", &monthly_project());
    record(&ws, "2026-08-20", &[]).ok();
    ws.run(&[
        "report",
        "other",
        "--no-github",
        "--record",
        "h.jsonl",
        "-o",
        "o.md",
    ])
    .ok();
    let e = ws.run(&["history", "--from", "h.jsonl"]).fails(2);
    assert!(
        e.contains("records of several targets (monthly, other)"),
        "{e}"
    );
    let h = parse(
        &ws.run(&["history", "--from", "h.jsonl", "other", "--format", "json"])
            .ok(),
    );
    assert_eq!(points(&h).len(), 1);
    assert_eq!(h["target"]["name"], "other");
    let e = ws.run(&["history", "--from", "h.jsonl", "nope"]).fails(2);
    assert!(e.contains("no record of \"nope\""), "{e}");
}

/// A run whose source asked for failed is not recorded: its score would
/// stand in the history as the project's.
#[test]
fn a_run_with_a_failed_source_is_not_recorded() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    let e = ws
        .run(&[
            "report",
            "monthly",
            "--github",
            "acme/widget",
            "--no-cache",
            "--record",
            "h.jsonl",
            "-o",
            "r.md",
        ])
        .fails(2);
    assert!(e.contains("this run is not recorded"), "{e}");
    assert!(!ws.path("h.jsonl").exists());
}

/// A 12-point history of a GitHub repository is one collection: it sends
/// exactly the requests of one report over the span its points need.
#[test]
fn a_history_costs_what_one_report_over_its_span_costs() {
    let (rt, server) = crate::github::start_server();
    let ws = Workspace::new();
    let api = server.uri();
    let common = [
        "acme/widget",
        "--api-url",
        api.as_str(),
        "--token",
        crate::github::SECRET,
        "--no-cache",
        "--until",
        "2026-08-20",
    ];
    let mut args = vec!["history"];
    args.extend(common);
    args.extend(["--format", "json"]);
    let h = parse(&ws.run(&args).ok());
    assert_eq!(points(&h).len(), 12);
    let history_requests = rt.block_on(server.received_requests()).unwrap().len();
    let since = points(&h)[0]["window"]["since"]
        .as_str()
        .unwrap()
        .to_string();
    let mut args = vec!["report"];
    args.extend(common);
    args.extend(["--since", since.as_str(), "-o", "r.md"]);
    ws.run(&args).ok();
    let report_requests = rt.block_on(server.received_requests()).unwrap().len() - history_requests;
    assert!(history_requests > 0);
    assert_eq!(
        history_requests, report_requests,
        "one collection, not one per point"
    );
    // The last point is the report of one year as of the same day.
    let last = &points(&h)[11];
    let text = |v: &Value| serde_json::to_string(v).unwrap();
    let mut args = vec!["report"];
    args.extend(common);
    args.extend(["--format", "json"]);
    let r = parse(&ws.run(&args).ok());
    assert_eq!(last["window"], r["window"]);
    assert_eq!(text(&last["measurements"]), text(&r["measurements"]));
}

/// `history --projects FILE NAME` collects the named project with its own
/// options and names the history after it.
#[test]
fn a_project_of_a_projects_file_has_its_history() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    ws.write(
        "p.toml",
        "[[project]]\nname = \"steady\"\nclone = \"monthly\"\n\n[[project]]\nname = \"other-line\"\nclone = \"monthly\"\ntag_prefix = \"zzz-\"\n",
    );
    let run = |args: &[&str]| {
        let mut all = vec!["history", "--no-github", "--format", "json", "--last", "3"];
        all.extend_from_slice(args);
        parse(&ws.run(&all).ok())
    };
    let steady = run(&["--projects", "p.toml", "steady"]);
    let alone = run(&["monthly"]);
    assert_eq!(steady["target"]["name"], "steady");
    assert_eq!(points(&steady).len(), 3);
    for (a, b) in points(&steady).iter().zip(points(&alone)) {
        assert_eq!(a["score"], b["score"]);
        assert!(a["score"].is_number(), "{a}");
    }
    // The other project's prefix matches no tag: no point has a score.
    let other = run(&["--projects", "p.toml", "other-line"]);
    assert!(
        points(&other).iter().all(|p| p["score"].is_null()),
        "{other}"
    );
    let err = ws.run(&["history", "--no-github", "--projects", "p.toml"]);
    assert_eq!(err.code, 2);
    assert!(
        err.stderr.contains("takes the name of one project"),
        "{}",
        err.stderr
    );
}
