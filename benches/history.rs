//! The compute of a history: 24 monthly points of a pandas-scale fake
//! evidence file, timed against one report of the same file.
//!
//! The generated evidence covers three years (the 24 points' one-year
//! windows need two years and a year before them): 108 releases, 12,000
//! issues and pull requests with 3 responses each, 5,400 GitHub Actions
//! runs, and 1,000 benchmark series of 360 results each (one every three
//! days). Both commands run in-process on the saved file, as
//! `readiness report FILE --format json` and
//! `readiness history FILE --last 24 --format json`, several times each;
//! the medians and their ratio are printed.
//!
//! Run: `cargo bench --bench history` (add `-- --runs 5` for more repetitions).

use std::path::Path;
use std::time::Instant;

use clap::Parser;
use serde_json::{Value, json};

const DAY: i64 = 86_400;
/// 2026-08-20T00:00:00Z, the end of the evidence's window.
const UNTIL: i64 = 1_787_184_000;
const SPAN_DAYS: i64 = 3 * 360;
const RELEASES: i64 = 108;
const ITEMS: i64 = 12_000;
const RUNS: i64 = 5_400;
const SERIES: i64 = 1_000;
const POINTS: i64 = 360;

fn at(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn items() -> Vec<Value> {
    let actor = |login: &str| json!({"login": login, "type": "User"});
    (0..ITEMS)
        .map(|n| {
            let created = UNTIL - DAY - n * SPAN_DAYS * DAY / ITEMS;
            // Slower answers as the project ages: the trend a history shows.
            let first = 3_600 * (2 + n % 50 + n * 48 / ITEMS);
            let responses: Vec<Value> = (0..3)
                .map(|k| json!({"at": at(created + first * (k + 1)), "actor": actor(if k == 0 { "maint" } else { "user" }),
                                "author_association": if k == 0 { "MEMBER" } else { "NONE" }, "kind": "comment"}))
                .collect();
            let pr = n % 3 == 0;
            json!({"number": n + 1, "kind": if pr { "pull_request" } else { "issue" }, "title": format!("item {n}"),
                   "url": format!("https://github.com/acme/big/issues/{}", n + 1), "author": actor("reporter"),
                   "author_association": "NONE", "created_at": at(created),
                   "closed_at": if n % 2 == 0 { json!(at(created + 5 * DAY)) } else { Value::Null },
                   "merged_at": if pr && n % 2 == 0 { json!(at(created + 5 * DAY)) } else { Value::Null },
                   "labels": [], "responses": responses, "responses_complete": true})
        })
        .collect()
}

fn runs() -> Vec<Value> {
    (0..RUNS)
        .map(|id| {
            let created = UNTIL - 600 - id * SPAN_DAYS * DAY / RUNS;
            let conclusion = if id % 11 == 0 { "failure" } else { "success" };
            json!({"id": id + 1, "workflow": "CI", "workflow_id": 1 + id % 4, "head_sha": format!("{:040x}", id / 4),
                   "head_branch": "main", "event": "push", "status": "completed", "conclusion": conclusion, "run_attempt": 1,
                   "created_at": at(created), "run_started_at": at(created + 60), "updated_at": at(created + 60 + 1_200 + (id % 7) * 60),
                   "url": format!("https://github.com/acme/big/actions/runs/{}", id + 1)})
        })
        .collect()
}

fn series() -> Vec<Value> {
    (0..SERIES)
        .map(|s| {
            let points: Vec<Value> = (0..POINTS)
                .map(|i| {
                    let noise = ((i * 7_919 + s * 104_729) % 1_000) as f64 / 1_000.0 - 0.5;
                    let step = if s % 4 == 0 && i > POINTS / 2 { 1.2 } else { 1.0 };
                    json!({"time": at(UNTIL - (POINTS - i) * 3 * DAY), "commit": format!("c{i}"), "value": step * (1.0 + 0.02 * noise)})
                })
                .collect();
            json!({"tool": "asv", "benchmark": format!("suite.time_{s}"), "params": "", "machine": "m", "env": "py3.12",
                   "unit": "seconds", "direction": "lower_is_better", "location": "results", "points": points})
        })
        .collect()
}

fn evidence() -> Value {
    let source = |source: &str, items: i64, item: &str| {
        json!({"source": source, "location": "https://api.github.com/repos/acme/big", "items": items, "item": item,
               "requests": items / 100 + 1, "complete": true, "notes": []})
    };
    let releases: Vec<Value> = (0..RELEASES)
        .map(|i| json!({"tag": format!("v2.{}.0", RELEASES - i), "published_at": at(UNTIL - 5 * DAY - i * 10 * DAY), "draft": false, "prerelease": false, "url": null}))
        .collect();
    json!({
        "schema": 1, "tool": "readiness bench", "collected_at": at(UNTIL),
        "target": {"name": "acme/big", "kind": "github", "location": "acme/big", "remote": null},
        "window": {"since": at(UNTIL - SPAN_DAYS * DAY), "until": at(UNTIL)},
        "sources": [source("github releases", RELEASES, "releases"), source("github issues and pull requests", ITEMS, "issues and pull requests"),
                    source("github actions runs", RUNS, "runs"),
                    {"source": "asv", "location": "results", "items": SERIES, "item": "series", "requests": 0, "complete": true, "notes": []}],
        "releases": releases, "items": items(), "runs": runs(), "bench": {"series": series()}
    })
}

/// Runs `readiness ARGS` in-process; panics on an error.
fn run(args: &[&str]) -> f64 {
    let mut all = vec!["readiness"];
    all.extend(args);
    let cli = readiness::cli::Cli::try_parse_from(&all).unwrap();
    let t = Instant::now();
    if let Err(e) = readiness::app::run(cli) {
        panic!("readiness {}: {e}", args.join(" "));
    }
    t.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/history-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("evidence.json");
    let text = serde_json::to_string(&evidence()).unwrap();
    std::fs::write(&file, &text).unwrap();
    println!(
        "evidence: {:.1} MB, {RELEASES} releases, {ITEMS} issues and pull requests, {RUNS} runs, {SERIES} benchmark series x {POINTS} results; {} threads",
        text.len() as f64 / 1e6,
        readiness::par::threads()
    );
    let (f, out) = (file.to_str().unwrap(), dir.join("out.json"));
    let out = out.to_str().unwrap();
    let report: Vec<f64> = (0..runs)
        .map(|_| run(&["report", f, "--quiet", "--format", "json", "-o", out]))
        .collect();
    let history: Vec<f64> = (0..runs)
        .map(|_| {
            run(&[
                "history", f, "--quiet", "--last", "24", "--format", "json", "-o", out,
            ])
        })
        .collect();
    let h: Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    let points = h["points"].as_array().map_or(0, Vec::len);
    assert_eq!(points, 24, "every point is covered by the evidence");
    let (r, hi) = (median(report), median(history));
    println!("one report (median of {runs}): {r:.2} s");
    println!("history of {points} monthly points (median of {runs}): {hi:.2} s");
    println!(
        "ratio: {:.1}x one report, {:.2} report-equivalents per point",
        hi / r,
        hi / r / 24.0
    );
}
