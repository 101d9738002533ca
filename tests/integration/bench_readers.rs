//! `--asv`, `--bench-data`, `--criterion`, `--pytest-benchmark`: benchmark
//! results as a target of their own, read into the evidence's `bench.series`.

use serde_json::Value;

use crate::common::Workspace;

fn mkdirs(ws: &Workspace, rel: &str) {
    std::fs::create_dir_all(ws.path(rel)).unwrap();
}

fn collect(ws: &Workspace, args: &[&str]) -> (Value, String) {
    let mut all = vec!["collect"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "ev.json"]);
    let run = ws.run(&all);
    let stderr = run.stderr.clone();
    run.ok();
    (serde_json::from_str(&ws.read("ev.json")).unwrap(), stderr)
}

fn series<'a>(ev: &'a Value, benchmark: &str, params: &str) -> &'a Value {
    ev["bench"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["benchmark"] == benchmark && s["params"] == params)
        .unwrap_or_else(|| panic!("no series {benchmark} [{params}] in {}", ev["bench"]))
}

fn values(s: &Value) -> Vec<f64> {
    s["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect()
}

fn source<'a>(ev: &'a Value, tool: &str) -> &'a Value {
    ev["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == tool)
        .unwrap_or_else(|| panic!("no {tool} source"))
}

/// An ASV results folder (format 2, with a NaN and a corrupt file) is a target of its own.
#[test]
fn asv_results_folder_is_a_target() {
    let ws = Workspace::new();
    mkdirs(&ws, "results/box");
    ws.write(
        "results/benchmarks.json",
        r#"{"m.time_f": {"type": "time", "unit": "seconds", "params": [["1", "2"]], "param_names": ["n"]}, "version": 2}"#,
    );
    ws.write("results/box/machine.json", r#"{"machine": "box"}"#);
    for (i, (commit, vals)) in [
        ("c1", "[1.0, 10.0]"),
        ("c2", "[1.1, NaN]"),
        ("c3", "[1.2, 12.0]"),
    ]
    .iter()
    .enumerate()
    {
        ws.write(
            &format!("results/box/{commit}-py.json"),
            &format!(
                r#"{{"commit_hash": "{commit}", "env_name": "py", "date": {}, "params": {{"machine": "box"}},
                "result_columns": ["result", "params"], "results": {{"m.time_f": [{vals}, [["1", "2"]]]}}, "version": 2}}"#,
                1_700_000_000_000i64 + i as i64 * 86_400_000
            ),
        );
    }
    ws.write("results/box/broken-py.json", "{\"results\": {");
    let (ev, stderr) = collect(&ws, &["--asv", "results"]);
    assert_eq!(ev["target"]["kind"], "artifacts");
    let one = series(&ev, "m.time_f", "n=1");
    assert_eq!(values(one), vec![1.0, 1.1, 1.2]);
    assert_eq!(one["tool"], "asv");
    assert_eq!(one["machine"], "box");
    assert_eq!(one["env"], "py");
    assert_eq!(one["direction"], "lower_is_better");
    assert_eq!(one["points"][0]["commit"], "c1");
    assert_eq!(one["points"][0]["time"], "2023-11-14T22:13:20Z");
    assert_eq!(values(series(&ev, "m.time_f", "n=2")), vec![10.0, 12.0]);
    assert!(stderr.contains("broken-py.json"), "{stderr}");
    let src = source(&ev, "asv");
    assert_eq!(src["items"], 2);
    assert_eq!(src["item"], "series");
    assert_eq!(src["complete"], false);
    assert!(
        src["notes"].to_string().contains("1 skipped runs (NaN)"),
        "{}",
        src["notes"]
    );
}

/// data.js, criterion snapshots and pytest-benchmark files together: one source each.
#[test]
fn the_other_readers_fill_bench_series() {
    let ws = Workspace::new();
    ws.write(
        "data.js",
        r#"window.BENCHMARK_DATA = {"entries": {"Py": [
  {"commit": {"id": "a", "timestamp": "2026-01-01T00:00:00Z"}, "date": 1, "tool": "pytest", "benches": [{"name": "t", "value": 100, "unit": "iter/sec"}]},
  {"commit": {"id": "b", "timestamp": "2026-01-02T00:00:00Z"}, "date": 2, "tool": "pytest", "benches": [{"name": "t", "value": 90, "unit": "iter/sec"}]}
]}};"#,
    );
    for (run, median) in [("run-1", 10.0), ("run-2", 11.0)] {
        let dir = format!("crit/{run}/g/f/new");
        mkdirs(&ws, &dir);
        ws.write(
            &format!("{dir}/estimates.json"),
            &format!(
                r#"{{"median": {{"point_estimate": {median}}}, "mean": {{"point_estimate": 1}}}}"#
            ),
        );
        ws.write(
            &format!("{dir}/benchmark.json"),
            r#"{"full_id": "g/f", "group_id": "g"}"#,
        );
    }
    mkdirs(&ws, "pb");
    for (n, (time, median)) in [("2026-02-02T00:00:00Z", 0.2), ("2026-02-01T00:00:00Z", 0.1)]
        .iter()
        .enumerate()
    {
        ws.write(
            &format!("pb/{n}.json"),
            &format!(
                r#"{{"machine_info": {{"system": "Linux", "machine": "x86_64", "python_implementation": "CPython", "python_version": "3.12.1"}},
                "commit_info": {{"id": "s{n}", "time": "{time}"}}, "datetime": "2026-03-01T00:00:00",
                "benchmarks": [{{"name": "test_a", "fullname": "t.py::test_a", "params": null, "stats": {{"median": {median}}}}}]}}"#
            ),
        );
    }
    let (ev, _) = collect(
        &ws,
        &[
            "--bench-data",
            "data.js",
            "--criterion",
            "crit",
            "--pytest-benchmark",
            "pb/*.json",
        ],
    );
    let t = series(&ev, "t", "");
    assert_eq!(t["tool"], "github-action-benchmark");
    assert_eq!(t["direction"], "higher_is_better");
    assert_eq!(t["env"], "Py");
    assert_eq!(values(t), vec![100.0, 90.0]);
    let c = series(&ev, "g/f", "");
    assert_eq!(c["tool"], "criterion");
    assert_eq!(c["unit"], "ns");
    assert_eq!(values(c).len(), 2);
    let p = series(&ev, "t.py::test_a", "");
    assert_eq!(values(p), vec![0.1, 0.2], "ordered by commit time");
    assert_eq!(p["env"], "CPython 3.12");
    for tool in ["github-action-benchmark", "criterion", "pytest-benchmark"] {
        assert_eq!(source(&ev, tool)["items"], 1, "{tool}");
    }
    assert!(
        source(&ev, "criterion")["notes"]
            .to_string()
            .contains("modification times")
    );
}

/// A named input that does not exist is a usage error naming it; nothing panics.
#[test]
fn missing_inputs_are_usage_errors() {
    let ws = Workspace::new();
    for args in [
        vec!["collect", "--asv", "nope"],
        vec!["collect", "--bench-data", "nope.js"],
        vec!["collect", "--criterion", "nope"],
        vec!["collect", "--pytest-benchmark", "nope.json"],
    ] {
        let err = ws.run(&args).fails(2);
        assert!(err.contains("nope"), "{args:?}: {err}");
    }
    ws.write("garbage.js", "<html>not data</html>");
    // An input that reads nothing is written, then exits 2 (issue 11).
    let stderr = ws
        .run(&["collect", "--bench-data", "garbage.js", "-o", "ev.json"])
        .fails(2);
    let ev: Value = serde_json::from_str(&ws.read("ev.json")).unwrap();
    assert!(stderr.contains("garbage.js"), "{stderr}");
    assert_eq!(source(&ev, "github-action-benchmark")["complete"], false);
    assert_eq!(ev["bench"]["series"].as_array().unwrap().len(), 0);
}
