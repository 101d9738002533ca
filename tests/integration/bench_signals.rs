//! The `bench.*` signals end to end: ASV results the test writes with known
//! steps, and reports over the real ASV and github-action-benchmark data in
//! `../shared/realdata` whose regressions are checked against the raw
//! results.

use std::path::Path;

use serde_json::Value;

use crate::common::{Workspace, measurement};
use crate::realdata::realdata;

const DAY_MS: i64 = 86_400_000;
/// 2026-01-01T00:00:00Z in milliseconds.
const T0_MS: i64 = 1_767_225_600_000;

/// Deterministic noise, uniform in [-1, 1).
fn noise(i: u64) -> f64 {
    let mut x = i
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(0x2545_F491);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    #[allow(clippy::cast_precision_loss)]
    let unit = (x >> 11) as f64 / (1u64 << 53) as f64;
    2.0 * unit - 1.0
}

/// An ASV results folder (format 2): one result file per commit, 100
/// commits a day apart from 2026-01-01, for the benchmarks `values` gives.
fn asv_results(ws: &Workspace, benchmarks: &[(&str, Vec<f64>)]) {
    std::fs::create_dir_all(ws.path("acme-asv/results/ci-box")).unwrap();
    let described: Vec<String> = benchmarks
        .iter()
        .map(|(name, _)| {
            format!(r#""{name}": {{"type": "time", "unit": "seconds", "params": [], "param_names": []}}"#)
        })
        .collect();
    ws.write(
        "acme-asv/results/benchmarks.json",
        &format!("{{{}, \"version\": 2}}", described.join(", ")),
    );
    ws.write(
        "acme-asv/results/ci-box/machine.json",
        r#"{"machine": "ci-box", "version": 1}"#,
    );
    let n = benchmarks[0].1.len();
    for i in 0..n {
        let results: Vec<String> = benchmarks
            .iter()
            .map(|(name, values)| format!(r#""{name}": [[{}], []]"#, values[i]))
            .collect();
        ws.write(
            &format!("acme-asv/results/ci-box/{i:08x}-py3.12.json"),
            &format!(
                r#"{{"version": 2, "commit_hash": "{i:08x}{}", "date": {}, "env_name": "py3.12",
                "params": {{"machine": "ci-box"}}, "result_columns": ["result", "params"],
                "results": {{{}}}}}"#,
                "0".repeat(32),
                T0_MS + i64::try_from(i).unwrap() * DAY_MS,
                results.join(", ")
            ),
        );
    }
}

fn report_json(ws: &Workspace, args: &[&str]) -> Value {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&ws.run(&all).ok()).expect("a JSON report")
}

/// The issue's fixture: a series with a 20 % step at point 50 reports
/// exactly that step (its commit, its date, its size); pure noise and a
/// step that was recovered report none.
#[test]
fn a_20_percent_step_at_point_50_is_the_one_regression() {
    let ws = Workspace::new();
    let step: Vec<f64> = (0..100)
        .map(|i| if i < 50 { 1.0 } else { 1.2 } * (1.0 + 0.01 * noise(i)))
        .collect();
    let quiet: Vec<f64> = (0..100)
        .map(|i| 0.5 * (1.0 + 0.02 * noise(1000 + i)))
        .collect();
    let recovered: Vec<f64> = (0..100)
        .map(|i| if (30..60).contains(&i) { 3.0 } else { 2.0 } * (1.0 + 0.01 * noise(2000 + i)))
        .collect();
    asv_results(
        &ws,
        &[
            ("suite.time_step", step),
            ("suite.time_noise", quiet),
            ("suite.time_recovered", recovered),
        ],
    );
    let v = report_json(&ws, &["--asv", "acme-asv/results", "--until", "2026-06-01"]);
    let reg = measurement(&v, "bench.regressions");
    assert_eq!(reg["value"], 1.0, "{reg}");
    assert_eq!(reg["n"], 3, "{reg}");
    let ex = &reg["examples"][0];
    assert!(
        ex["label"]
            .as_str()
            .unwrap()
            .starts_with("suite.time_step (ci-box, py3.12)"),
        "{ex}"
    );
    // Point 50 is 2026-02-20, commit 00000032...
    assert_eq!(ex["date"], "2026-02-20", "{ex}");
    assert!(
        ex["note"].as_str().unwrap().contains("commit 000000320000"),
        "{ex}"
    );
    let worse: f64 = ex["value"]
        .as_str()
        .unwrap()
        .trim_end_matches(" % worse")
        .parse()
        .unwrap();
    assert!((worse - 20.0).abs() < 1.5, "{ex}");
    // The noise is what was put in: the median robust CV of the three series
    // is about 1.4826 × half the noise amplitude of the 1 % series.
    let cv = measurement(&v, "bench.noise_cv_p50")["value"]
        .as_f64()
        .unwrap();
    assert!(cv > 0.003 && cv < 0.012, "{cv}");
    assert_eq!(measurement(&v, "bench.stable_share")["value"], 1.0);
    // The markdown lists the regression and the noisiest series.
    let md = ws
        .run(&[
            "report",
            "--asv",
            "acme-asv/results",
            "--until",
            "2026-06-01",
        ])
        .ok();
    assert!(md.contains("suite.time\\_step (ci-box, py3.12)"), "{md}");
    assert!(md.contains("Benchmark noise (median robust CV)"), "{md}");
    // The whole report, with the regression's chart and its table (snapshot).
    assert!(md.contains("```mermaid"), "{md}");
    insta::assert_snapshot!("report_asv_step", md);
}

/// A regression's size is what is still lost now: a 50 % step followed by
/// a partial recovery to 25 % above the old level is "25 % worse", not 50.
#[test]
fn a_regression_is_sized_by_what_is_still_lost() {
    let ws = Workspace::new();
    let level = |i: u64| match i {
        0..40 => 1.0,
        40..70 => 1.5,
        _ => 1.25,
    };
    let values: Vec<f64> = (0..100)
        .map(|i| level(i) * (1.0 + 0.005 * noise(i)))
        .collect();
    asv_results(&ws, &[("suite.time_partial", values)]);
    let v = report_json(&ws, &["--asv", "acme-asv/results", "--until", "2026-06-01"]);
    let reg = measurement(&v, "bench.regressions");
    assert_eq!(reg["value"], 1.0, "{reg}");
    let ex = &reg["examples"][0];
    let worse: f64 = ex["value"]
        .as_str()
        .unwrap()
        .trim_end_matches(" % worse")
        .parse()
        .unwrap();
    assert!((worse - 25.0).abs() < 1.5, "{ex}");
}

/// One subnormal result (`1e-310`) in a charted series is drawn and tabled
/// as a number: no `NaN` in the report.
#[test]
fn a_subnormal_result_charts_without_nan() {
    let ws = Workspace::new();
    let values: Vec<f64> = (0..60)
        .map(|i| match i {
            45 => 1e-310,
            0..30 => 1.0 + 0.005 * noise(i),
            _ => 1.5 + 0.005 * noise(i),
        })
        .collect();
    asv_results(&ws, &[("suite.time_tiny", values)]);
    let md = ws
        .run(&[
            "report",
            "--asv",
            "acme-asv/results",
            "--until",
            "2026-06-01",
        ])
        .ok();
    assert!(md.contains("```mermaid"), "the series is charted: {md}");
    assert!(!md.contains("NaN"), "{md}");
    assert!(md.contains("1e-310") || md.contains("0.0000000"), "{md}");
}

/// Scaling every result (seconds to milliseconds) changes neither the
/// noise nor the steps found.
#[test]
fn scaling_results_changes_nothing_measured() {
    let make = |scale: f64| {
        let ws = Workspace::new();
        let step: Vec<f64> = (0..100)
            .map(|i| scale * if i < 70 { 1.0 } else { 1.1 } * (1.0 + 0.01 * noise(i)))
            .collect();
        asv_results(&ws, &[("suite.time_step", step)]);
        let v = report_json(&ws, &["--asv", "acme-asv/results", "--until", "2026-06-01"]);
        let reg = measurement(&v, "bench.regressions").clone();
        let cv = measurement(&v, "bench.noise_cv_p50")["value"].clone();
        (reg["value"].clone(), reg["examples"][0]["date"].clone(), cv)
    };
    let (one, thousand) = (make(1.0), make(1000.0));
    assert_eq!(one.0, 1.0);
    assert_eq!(one.0, thousand.0);
    assert_eq!(one.1, thousand.1);
    let (a, b) = (one.2.as_f64().unwrap(), thousand.2.as_f64().unwrap());
    assert!((a - b).abs() < 1e-9, "{a} vs {b}");
}

/// The label `name [params] (machine, env)` the report gives a series.
fn label(s: &Value) -> String {
    let mut l = s["benchmark"].as_str().unwrap().to_string();
    if s["params"] != "" {
        l.push_str(&format!(" [{}]", s["params"].as_str().unwrap()));
    }
    let place: Vec<&str> = [&s["machine"], &s["env"]]
        .iter()
        .filter_map(|v| v.as_str())
        .filter(|v| !v.is_empty())
        .collect();
    if !place.is_empty() {
        l.push_str(&format!(" ({})", place.join(", ")));
    }
    l
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        f64::midpoint(v[n / 2 - 1], v[n / 2])
    }
}

/// Collects `flag path`, reports it as of `until`, and checks every listed
/// regression against the raw series: the results from its commit on are
/// worse than those before it by more than 5 %, and the latest still are.
/// Returns the report.
fn real_report(flag: &str, path: &Path, until: &str) -> Value {
    let ws = Workspace::new();
    let path = path.to_str().unwrap();
    ws.run(&["collect", flag, path, "-o", "ev.json"]).ok();
    let ev: Value = serde_json::from_str(&ws.read("ev.json")).unwrap();
    let v = report_json(&ws, &["ev.json", "--until", until]);
    assert!(
        v["score"].as_f64().is_some_and(f64::is_finite),
        "{}",
        v["score"]
    );
    for id in [
        "bench.noise_cv_p50",
        "bench.stable_share",
        "bench.regressions",
    ] {
        let m = measurement(&v, id);
        assert!(m["value"].as_f64().is_some_and(f64::is_finite), "{m}");
    }
    let reg = measurement(&v, "bench.regressions");
    for ex in reg["examples"].as_array().unwrap() {
        let series = ev["bench"]["series"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| label(s) == ex["label"].as_str().unwrap())
            .unwrap_or_else(|| panic!("no series for {ex}"));
        let points = series["points"].as_array().unwrap();
        let day = |p: &Value| p["time"].as_str().unwrap()[..10].to_string();
        let upto: Vec<&Value> = points.iter().filter(|p| day(p).as_str() <= until).collect();
        let at = upto
            .iter()
            .position(|p| day(p) == ex["date"].as_str().unwrap())
            .unwrap_or_else(|| panic!("no result dated {ex}"));
        let value = |p: &&Value| p["value"].as_f64().unwrap();
        let before = median(upto[..at].iter().map(value).collect());
        let after = median(upto[at..].iter().take(5).map(value).collect());
        let latest = value(upto.last().unwrap());
        let lower_better = series["direction"] == "lower_is_better";
        let worse = |x: f64| {
            if lower_better {
                x / before - 1.0
            } else {
                1.0 - x / before
            }
        };
        assert!(worse(after) > 0.05, "{ex}: {before} -> {after}");
        assert!(worse(latest) > 0.0, "{ex}: latest {latest} vs {before}");
    }
    v
}

/// conda's asv project folder: its asv.conf.json's results (format 2).
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn conda_asv_project_reports_benchmarks() {
    let dir = realdata("asv/conda__conda-benchmarks");
    let v = real_report("--asv", &dir, "2023-01-06");
    let src = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "asv")
        .unwrap();
    assert!(
        src["notes"][0]
            .as_str()
            .unwrap()
            .contains("is an asv project (asv.conf.json): read its results_dir"),
        "{src}"
    );
    assert!(src["items"].as_u64().unwrap() > 20, "{src}");
}

/// pandas' and dask's published graphs, and shogi_core's data.js.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn published_graphs_and_action_data_report_benchmarks() {
    {
        let dir = realdata("asv/pandas-dev__pandas@gh-pages-41bd66a4");
        let v = real_report("--asv", &dir, "2015-09-11");
        assert!(measurement(&v, "bench.noise_cv_p50")["n"].as_u64().unwrap() >= 10);
    }
    {
        let dir = realdata("asv/dask__dask-benchmarks@gh-pages/results/dask");
        let v = real_report("--asv", &dir, "2016-12-16");
        assert!(
            measurement(&v, "bench.regressions")["value"]
                .as_f64()
                .unwrap()
                >= 1.0
        );
    }
    {
        let file =
            realdata("bench-action/rust-shogi-crates__shogi_core@gh-pages/dev/bench/data.js");
        let v = real_report("--bench-data", &file, "2022-08-05");
        assert_eq!(measurement(&v, "bench.noise_cv_p50")["n"], 5);
    }
}

/// Results older than the window are not silently empty: the reason names
/// the latest result and the `--until` that measures it.
#[test]
fn old_results_say_which_until_to_use() {
    let ws = Workspace::new();
    let flat: Vec<f64> = (0..10).map(|i| 1.0 + 0.01 * noise(i)).collect();
    asv_results(&ws, &[("suite.time_flat", flat)]);
    let v = report_json(&ws, &["--asv", "acme-asv/results", "--until", "2027-06-01"]);
    let m = measurement(&v, "bench.noise_cv_p50");
    assert!(
        m["insufficient"]
            .as_str()
            .unwrap()
            .contains("the latest result is from 2026-01-10: `--until 2026-01-10`"),
        "{m}"
    );
}

/// Infinities, NaN (skipped) and null (failed) results, and a series of
/// one point, are warnings naming the file or series; the score stays a
/// number and the other results still count.
#[test]
fn non_finite_and_lonely_results_never_reach_the_score() {
    let ws = Workspace::new();
    let flat: Vec<f64> = (0..30).map(|i| 1.0 + 0.01 * noise(i)).collect();
    asv_results(
        &ws,
        &[
            ("suite.time_flat", flat.clone()),
            ("suite.time_odd", flat.clone()),
        ],
    );
    for (i, token) in [(3, "Infinity"), (4, "-Infinity"), (5, "NaN"), (6, "null")] {
        let file = format!("acme-asv/results/ci-box/{i:08x}-py3.12.json");
        let text = ws.read(&file);
        let value = format!(r#""suite.time_odd": [[{}], []]"#, flat[i]);
        assert!(text.contains(&value), "{text}");
        ws.write(
            &file,
            &text.replace(&value, &format!(r#""suite.time_odd": [[{token}], []]"#)),
        );
    }
    // A benchmark with a result in one file only: a series of one point.
    let last = "acme-asv/results/ci-box/0000001d-py3.12.json";
    let text = ws.read(last);
    ws.write(
        last,
        &text.replacen(
            "\"results\": {",
            "\"results\": {\"suite.time_once\": [[2.5], []], ",
            1,
        ),
    );
    let run = ws.run(&[
        "report",
        "--asv",
        "acme-asv/results",
        "--until",
        "2026-06-01",
        "--format",
        "json",
    ]);
    let stderr = run.stderr.clone();
    let v: Value = serde_json::from_str(&run.ok()).unwrap();
    assert!(
        v["score"].as_f64().is_some_and(f64::is_finite),
        "{}",
        v["score"]
    );
    let cv = measurement(&v, "bench.noise_cv_p50");
    assert_eq!(cv["n"], 2, "both 30-point series are measured: {cv}");
    assert!(cv["value"].as_f64().is_some_and(f64::is_finite), "{cv}");
    assert!(
        stderr.contains("suite.time_once"),
        "the lonely series is named: {stderr}"
    );
    let src = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "asv")
        .unwrap();
    let notes = src["notes"].to_string();
    assert!(notes.contains("1 failed runs (null)"), "{notes}");
    assert!(notes.contains("1 skipped runs (NaN)"), "{notes}");
    assert!(notes.to_lowercase().contains("infinit"), "{notes}");
}
