//! `--asv`, `--bench-data`, `--criterion`, `--pytest-benchmark`: benchmark
//! results as a target of their own, read into the evidence's `bench.series`.

use serde_json::Value;

use crate::common::Workspace;

fn mkdirs(ws: &Workspace, rel: &str) {
    std::fs::create_dir_all(ws.path(rel)).unwrap();
}

fn collect(ws: &Workspace, args: &[&str]) -> (Value, String) {
    collect_exiting(ws, args, 0)
}

/// `collect` with `args`, expecting exit `code` (2: an input read nothing,
/// the evidence is still written).
fn collect_exiting(ws: &Workspace, args: &[&str], code: i32) -> (Value, String) {
    let mut all = vec!["collect"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "ev.json"]);
    let run = ws.run(&all);
    let stderr = run.stderr.clone();
    if code == 0 {
        run.ok();
    } else {
        run.fails(code);
    }
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
                1_700_000_000_000i64 + i64::try_from(i).unwrap() * 86_400_000
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

/// A format-1 ASV result file as asv 0.4 wrote it: no `env_name`, the
/// environment given by `python` and `requirements`.
fn asv_v1(machine: &str, commit: &str, day: i64, reqs: &str, value: f64) -> String {
    format!(
        r#"{{"commit_hash": "{commit}", "date": {}, "python": "2.7", "requirements": {reqs},
        "params": {{"machine": "{machine}", "python": "2.7"}}, "version": 1,
        "results": {{"m.time_f": {value}}}}}"#,
        1_700_000_000_000i64 + day * 86_400_000
    )
}

/// Format-1 files without `env_name` are split by the environment asv
/// derives (`py2.7-Cython-numpy1.8`, `py2.7-numpy1.8`), not mixed into one
/// series; a file whose machine is not its folder's machine.json is left
/// out with a warning and a note naming it, as asv does.
#[test]
fn asv_format_1_environments_and_machines_are_asvs() {
    let ws = Workspace::new();
    mkdirs(&ws, "results/cheetah");
    ws.write(
        "results/cheetah/machine.json",
        r#"{"machine": "cheetah", "version": 1}"#,
    );
    let with = r#"{"Cython": null, "numpy": "1.8"}"#;
    let without = r#"{"numpy": "1.8"}"#;
    for day in 0..3 {
        let c = format!("a{day}");
        ws.write(
            &format!("results/cheetah/{c}-py2.7-Cython-numpy1.8.json"),
            &asv_v1("cheetah", &c, 2 * day, with, 1.0),
        );
        let c = format!("b{day}");
        ws.write(
            &format!("results/cheetah/{c}-py2.7-numpy1.8.json"),
            &asv_v1("cheetah", &c, 2 * day + 1, without, 100.0),
        );
    }
    ws.write(
        "results/cheetah/cccccccc-py2.7-Cython-numpy1.8.json",
        &asv_v1("not-cheetah", "c", 9, with, 5000.0),
    );
    let (ev, stderr) = collect(&ws, &["--asv", "results"]);
    let all = ev["bench"]["series"].as_array().unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    let env = |e: &str| {
        all.iter()
            .find(|s| s["env"] == e)
            .unwrap_or_else(|| panic!("no {e}"))
    };
    assert_eq!(values(env("py2.7-Cython-numpy1.8")), vec![1.0, 1.0, 1.0]);
    assert_eq!(values(env("py2.7-numpy1.8")), vec![100.0, 100.0, 100.0]);
    assert!(
        stderr.contains("cccccccc-py2.7-Cython-numpy1.8.json") && stderr.contains("not-cheetah"),
        "{stderr}"
    );
    let src = source(&ev, "asv");
    assert!(
        src["notes"].to_string().contains("another machine"),
        "{}",
        src["notes"]
    );
    assert_eq!(
        src["complete"], true,
        "a file asv itself ignores is not a loss"
    );
}

/// A `null` result over a parameter product beyond the bound (9 lists of
/// 10 values, and 20 lists whose product overflows) refuses that file with
/// its name; nothing is allocated for it and the other files count.
#[test]
fn asv_parameter_products_are_bounded() {
    let ws = Workspace::new();
    mkdirs(&ws, "results/box");
    for (i, v) in [1.0, 1.1].iter().enumerate() {
        ws.write(
            &format!("results/box/c{i}-py.json"),
            &format!(
                r#"{{"version": 2, "commit_hash": "c{i}", "env_name": "py", "date": {}, "params": {{"machine": "box"}},
                "result_columns": ["result", "params"], "results": {{"m.time_f": [[{v}], []]}}}}"#,
                1_700_000_000_000i64 + i64::try_from(i).unwrap() * 86_400_000
            ),
        );
    }
    let ten = format!(
        "[{}]",
        (0..10)
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    for lists in [9, 20] {
        let params = vec![ten.as_str(); lists].join(",");
        ws.write(
            &format!("results/box/bomb{lists}-py.json"),
            &format!(
                r#"{{"version": 2, "commit_hash": "x", "env_name": "py", "date": 1700000000000, "params": {{"machine": "box"}},
                "result_columns": ["result", "params"], "results": {{"m.time_g": [null, [{params}]]}}}}"#
            ),
        );
    }
    let (ev, stderr) = collect(&ws, &["--asv", "results"]);
    assert_eq!(values(series(&ev, "m.time_f", "")), vec![1.0, 1.1]);
    for f in ["bomb9-py.json", "bomb20-py.json"] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(f) && l.contains("100000 series")),
            "{f}: {stderr}"
        );
    }
    assert_eq!(source(&ev, "asv")["complete"], false);
}

/// A published graph series written once.
fn published(ws: &Workspace) {
    mkdirs(ws, "html/graphs/machine-m/python-3.5");
    ws.write(
        "html/graphs/machine-m/python-3.5/a.time_x.json",
        "[[1371512776000, 0.5], [1377268399000, 0.6], [1381408995000, 0.7]]",
    );
}

/// `ln -s .. graphs/loop` (and a second loop, which never ended before)
/// neither repeats a series nor hangs: the loops are warned about by name
/// and the source is marked incomplete.
#[test]
fn link_loops_in_an_asv_publish_folder_are_not_followed() {
    use std::os::unix::fs::symlink;
    let ws = Workspace::new();
    published(&ws);
    symlink("..", ws.path("html/graphs/loop")).unwrap();
    symlink("../..", ws.path("html/graphs/machine-m/loop2")).unwrap();
    let (ev, stderr) = collect(&ws, &["--asv", "html"]);
    let all = ev["bench"]["series"].as_array().unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(values(&all[0]), vec![0.5, 0.6, 0.7]);
    for link in ["graphs/loop", "machine-m/loop2"] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(link) && l.contains("a loop")),
            "{link}: {stderr}"
        );
    }
    assert_eq!(source(&ev, "asv")["complete"], false);
}

/// Broken links and FIFOs among ASV, criterion and pytest-benchmark files
/// are warnings naming them and make their source incomplete, and a FIFO
/// never hangs the read (`--bench-data` on one is skipped, named); inputs
/// left with nothing readable make the run exit 2 after writing.
#[test]
fn broken_links_and_fifos_are_named_in_every_reader() {
    use std::os::unix::fs::symlink;
    let ws = Workspace::new();
    let fifo = |rel: &str| crate::common::mkfifo(&ws.path(rel));
    published(&ws);
    fifo("html/graphs/machine-m/python-3.5/b.time_y.json");
    mkdirs(&ws, "crit/run-1/g/f/new");
    ws.write(
        "crit/run-1/g/f/new/estimates.json",
        r#"{"median": {"point_estimate": 1.0}}"#,
    );
    ws.write("crit/run-1/g/f/new/benchmark.json", r#"{"full_id": "g/f"}"#);
    mkdirs(&ws, "crit/run-2/g/f/new");
    symlink("gone.json", ws.path("crit/run-2/g/f/new/estimates.json")).unwrap();
    mkdirs(&ws, "pb");
    symlink("gone.json", ws.path("pb/dangling.json")).unwrap();
    fifo("pb/pipe.json");
    fifo("data.js");
    // --bench-data, --criterion and --pytest-benchmark read nothing: exit 2,
    // the evidence written all the same.
    let (ev, stderr) = collect_exiting(
        &ws,
        &[
            "--asv",
            "html",
            "--criterion",
            "crit",
            "--pytest-benchmark",
            "pb/*.json",
            "--bench-data",
            "data.js",
        ],
        2,
    );
    for (tool, file, why) in [
        ("asv", "b.time_y.json", "a FIFO"),
        ("criterion", "run-2/g/f/new/estimates.json", "a broken link"),
        ("pytest-benchmark", "pb/dangling.json", "a broken link"),
        ("pytest-benchmark", "pb/pipe.json", "a FIFO"),
        ("github-action-benchmark", "data.js", "a FIFO"),
    ] {
        assert!(
            stderr.lines().any(|l| l.contains(file) && l.contains(why)),
            "{file}: {stderr}"
        );
        assert_eq!(source(&ev, tool)["complete"], false, "{tool}");
    }
}

#[test]
fn collect_without_a_target_names_every_artifact_option() {
    let ws = Workspace::new();
    let err = ws.run(&["collect", "-o", "ev.json"]).fails(2);
    assert!(
        err.contains(
            "(--junit, --asv, --bench-data, --criterion, --pytest-benchmark, --coiled-db)"
        ),
        "{err}"
    );
}
