//! Fuzz targets of the benchmark readers, run in-process through
//! `collect::bench_results::read` with the shared kit ([`crate::fuzzkit`]): ASV
//! result files (formats 1 and 2), `benchmarks.json`, published
//! `index.json` and graphs, github-action-benchmark `data.js`, criterion
//! `estimates.json` and `benchmark.json`, pytest-benchmark files, and
//! Coiled's SQLite database (corrupted bytes). Each
//! target writes one fuzzed file beside valid ones and checks: nothing
//! panics, a skipped file is named, an incomplete
//! source says why, every point read is finite, and the `bench.*`
//! measurements over what was read hold no NaN or infinity.

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use readiness::collect::bench_results::{BenchInputs, BenchRead, read};
use readiness::evidence::BenchEvidence;
use readiness::signals::benchmarks::{BenchmarkParams, analyse, measure};
use readiness::window::Window;

use crate::fuzzkit;

/// Cases per target by default: the nine targets take a few seconds in a
/// debug build. `READINESS_FUZZ_CASES=N` runs N each.
const DEFAULT: usize = 200;

const DAY_MS: i64 = 86_400_000;
const T0_MS: i64 = 1_700_000_000_000;

fn write(dir: &Path, rel: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The properties every target checks on what `read` gave for the files
/// under `dir`, one of them fuzzed.
fn check(got: &BenchRead, dir: &Path) {
    let prefix = format!("skipped {}/", dir.display());
    for w in &got.warnings {
        if w.starts_with("skipped ") {
            assert!(w.starts_with(&prefix), "a skip that names no file: {w}");
        }
    }
    for p in &got.provenance {
        assert!(
            p.complete || !p.notes.is_empty(),
            "incomplete without a why: {p:?}"
        );
    }
    for s in &got.series {
        assert!(s.points.iter().all(|p| p.value.is_finite()), "{s:?}");
    }
    let bench = BenchEvidence {
        series: got.series.clone(),
    };
    let window = Window {
        since: Utc.with_ymd_and_hms(1990, 1, 1, 0, 0, 0).unwrap(),
        until: Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap(),
    };
    let params = BenchmarkParams::default();
    let analysis = analyse(&bench, &window, &params);
    for m in measure(Some(&analysis), &window, &params) {
        assert!(m.value.is_none_or(f64::is_finite), "{m:?}");
        for ex in &m.examples {
            let text = format!("{:?} {:?}", ex.value, ex.note);
            assert!(!text.contains("NaN") && !text.contains("inf"), "{m:?}");
        }
    }
}

/// Runs `name` with `fuzzed` (relative to a fresh folder) replaced by each
/// input, after `setup` wrote the valid files, reading `inputs(dir)`.
fn target(
    name: &str,
    seeds: &[String],
    extra: &[&[u8]],
    fuzzed: &str,
    setup: impl Fn(&Path),
    inputs: impl Fn(&Path) -> BenchInputs,
) {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let seeds: Vec<Vec<u8>> = seeds.iter().map(|s| s.as_bytes().to_vec()).collect();
    let tried = fuzzkit::run(name, &seeds, extra, fuzzkit::cases(DEFAULT), |bytes| {
        write(dir.path(), fuzzed, bytes);
        let got = read(&inputs(dir.path())).expect("the named inputs exist");
        check(&got, dir.path());
    });
    assert!(tried >= seeds.len());
}

const BENCHMARKS: &str = r#"{"s.time_a": {"type": "time", "unit": "seconds", "params": [["1", "2"], ["'x'", "'y'"]], "param_names": ["n", "k"]},
 "s.track_b": {"type": "track", "unit": "ops/s", "params": [], "param_names": []}, "version": 2}"#;

fn v2(i: i64, a: &str, b: &str) -> String {
    format!(
        r#"{{"commit_hash": "c{i:07}", "env_name": "py3.12", "date": {}, "params": {{"machine": "box"}},
        "result_columns": ["result", "params", "version", "stats_ci_99_a"],
        "results": {{"s.time_a": [{a}, [["1", "2"], ["'x'", "'y'"]], "v", [null]], "s.track_b": [{b}, [], "v", null]}},
        "durations": {{}}, "version": 2}}"#,
        T0_MS + i * DAY_MS
    )
}

fn v1(i: i64, a: &str) -> String {
    format!(
        r#"{{"commit_hash": "d{i:07}", "date": {}, "python": "3.12", "requirements": {{"numpy": "", "Cython": null}},
        "params": {{"machine": "box", "python": "3.12"}}, "version": 1,
        "results": {{"s.time_a": {{"result": {a}, "params": [["1", "2"], ["'x'", "'y'"]]}}, "s.track_b": 5.0}}}}"#,
        T0_MS + i * DAY_MS
    )
}

/// Six valid format-2 results: enough for every bench.* signal to measure.
fn asv_results(dir: &Path) {
    write(dir, "r/benchmarks.json", BENCHMARKS.as_bytes());
    write(
        dir,
        "r/box/machine.json",
        br#"{"machine": "box", "version": 1}"#,
    );
    for i in 0..6 {
        let level = if i < 3 { 1.0 } else { 1.5 };
        let a = format!("[{level}, 2.0, 3.0, 4.0]");
        write(
            dir,
            &format!("r/box/{i:08}-py3.12.json"),
            v2(i, &a, "[100.0]").as_bytes(),
        );
    }
}

fn asv_inputs(dir: &Path) -> BenchInputs {
    BenchInputs {
        asv: vec![dir.join("r")],
        ..BenchInputs::default()
    }
}

const ASV_TOKENS: &[&[u8]] = &[
    b"\"result_columns\"",
    b"\"results\"",
    b"\"params\"",
    b"\"version\": 1",
    b"\"version\": 2",
    b"\"date\"",
    b"[null]",
    b"[[\"1\"],[\"2\"],[\"3\"],[\"4\"],[\"5\"],[\"6\"],[\"7\"],[\"8\"],[\"9\"],[\"10\"]]",
    b"Infinity",
];

/// ASV result files of format 2.
#[test]
fn fuzz_asv_results_format_2() {
    let seeds = vec![
        v2(7, "[1.1, 2.0, 3.0, 4.0]", "[90.0]"),
        v2(8, "[NaN, null, -Infinity, 1e-310]", "null"),
        v2(9, "null", "[Infinity]"),
    ];
    target(
        "asv-v2",
        &seeds,
        ASV_TOKENS,
        "r/box/fuzz-py3.12.json",
        asv_results,
        asv_inputs,
    );
}

/// ASV result files of format 1 (no env_name: asv's derived name).
#[test]
fn fuzz_asv_results_format_1() {
    let seeds = vec![
        v1(7, "[1.1, 2.0, 3.0, 4.0]"),
        v1(8, "[NaN, null, 1e308, 4.0]"),
        v1(9, "null"),
    ];
    target(
        "asv-v1",
        &seeds,
        ASV_TOKENS,
        "r/box/fuzz-py3.12.json",
        asv_results,
        asv_inputs,
    );
}

/// ASV `benchmarks.json` beside valid results.
#[test]
fn fuzz_asv_benchmarks_json() {
    let seeds = vec![BENCHMARKS.to_string()];
    target(
        "asv-benchmarks",
        &seeds,
        ASV_TOKENS,
        "r/benchmarks.json",
        asv_results,
        asv_inputs,
    );
}

const INDEX: &str = r#"{"benchmarks": {"io.time_read": {"type": "time", "unit": "seconds", "params": [["'x'", "'y'"]], "param_names": ["fmt"]}},
 "params": {"machine": ["aws"], "python": ["3.5"], "branch": ["master"]},
 "revision_to_date": {"1": 1500000000000, "2": 1500000100000, "3": 1500000200000, "4": 1500000300000, "5": 1500000400000, "6": 1500000500000},
 "revision_to_hash": {"1": "a", "2": "b", "3": "c", "4": "d", "5": "e", "6": "f"}}"#;
const GRAPH: &str = "[[1, [1.0, 5.0]], [2, [1.0, 5.0]], [3, [1.0, null]], [4, [2.0, 5.0]], [5, [2.0, 5.0]], [6, [2.0, 5.1]]]";
const GRAPHS: &str = "p/graphs/branch-master/machine-aws/python-3.5";

fn published(dir: &Path) {
    write(dir, "p/index.json", INDEX.as_bytes());
    write(
        dir,
        &format!("{GRAPHS}/io.time_read.json"),
        GRAPH.as_bytes(),
    );
}

fn published_inputs(dir: &Path) -> BenchInputs {
    BenchInputs {
        asv: vec![dir.join("p")],
        ..BenchInputs::default()
    }
}

/// A published folder's `index.json`.
#[test]
fn fuzz_asv_published_index() {
    let seeds = vec![INDEX.to_string()];
    let extra: &[&[u8]] = &[b"\"revision_to_date\"", b"\"date_to_hash\"", b"\"params\""];
    target(
        "asv-index",
        &seeds,
        extra,
        "p/index.json",
        published,
        published_inputs,
    );
}

/// A published graph file (`[x, value]` points, values over parameters).
#[test]
fn fuzz_asv_published_graph() {
    let seeds = vec![
        GRAPH.to_string(),
        "[[1371512776000, 0.5], [1377268399000, NaN], [1381408995000, 1e-310]]".to_string(),
    ];
    let extra: &[&[u8]] = &[b"[1, [", b"1500000000000", b"[[", b"]]"];
    target(
        "asv-graph",
        &seeds,
        extra,
        &format!("{GRAPHS}/io.time_read.json"),
        published,
        published_inputs,
    );
}

fn data_js_json() -> String {
    let runs: Vec<String> = (0..6)
        .map(|i| {
            format!(
                r#"{{"commit": {{"id": "c{i}", "timestamp": "2026-01-0{}T00:00:00Z"}}, "date": {}, "tool": "cargo",
                "benches": [{{"name": "fib", "value": {}, "unit": "ns/iter", "range": "± 3"}}]}}"#,
                i + 1,
                T0_MS + i * DAY_MS,
                100 + i
            )
        })
        .collect();
    format!(
        r#"{{"lastUpdate": 1, "repoUrl": "x", "entries": {{"Rust": [{}]}}}}"#,
        runs.join(", ")
    )
}

/// github-action-benchmark `data.js` (and its bare JSON).
#[test]
fn fuzz_action_data_js() {
    let json = data_js_json();
    let seeds = vec![format!("window.BENCHMARK_DATA = {json};\n"), json];
    let extra: &[&[u8]] = &[
        b"window.BENCHMARK_DATA = ",
        b"\"benches\"",
        b"\"tool\": \"pytest\"",
        b";",
    ];
    target(
        "action-data-js",
        &seeds,
        extra,
        "data.js",
        |_| {},
        |dir| BenchInputs {
            bench_data: vec![dir.join("data.js")],
            ..BenchInputs::default()
        },
    );
}

const ESTIMATES: &str = r#"{"mean": {"confidence_interval": {"confidence_level": 0.95, "lower_bound": 1.0, "upper_bound": 2.0}, "point_estimate": 1.5, "standard_error": 0.1},
 "median": {"confidence_interval": {"confidence_level": 0.95, "lower_bound": 1.0, "upper_bound": 2.0}, "point_estimate": 1.6, "standard_error": 0.1},
 "median_abs_dev": null, "slope": null, "std_dev": null}"#;
const CRITERION_META: &str = r#"{"group_id": "g", "function_id": "f", "value_str": null, "throughput": null, "full_id": "g/f", "directory_name": "g/f", "title": "g/f"}"#;

fn criterion(dir: &Path) {
    for i in 0..6 {
        write(
            dir,
            &format!("c/run-{i}/g/f/new/estimates.json"),
            ESTIMATES.as_bytes(),
        );
        write(
            dir,
            &format!("c/run-{i}/g/f/new/benchmark.json"),
            CRITERION_META.as_bytes(),
        );
    }
    write(
        dir,
        "c/run-9/g/f/new/benchmark.json",
        CRITERION_META.as_bytes(),
    );
    write(dir, "c/run-9/g/f/new/estimates.json", ESTIMATES.as_bytes());
}

fn criterion_inputs(dir: &Path) -> BenchInputs {
    BenchInputs {
        criterion: vec![dir.join("c")],
        ..BenchInputs::default()
    }
}

/// criterion `estimates.json`.
#[test]
fn fuzz_criterion_estimates() {
    let extra: &[&[u8]] = &[b"\"point_estimate\"", b"\"median\""];
    target(
        "criterion-estimates",
        &[ESTIMATES.to_string()],
        extra,
        "c/run-9/g/f/new/estimates.json",
        criterion,
        criterion_inputs,
    );
}

/// criterion `benchmark.json` (the name).
#[test]
fn fuzz_criterion_benchmark_json() {
    let dir = tempfile::tempdir().unwrap();
    criterion(dir.path());
    let seeds = vec![CRITERION_META.as_bytes().to_vec()];
    fuzzkit::run(
        "criterion-meta",
        &seeds,
        &[b"\"full_id\""],
        fuzzkit::cases(DEFAULT),
        |bytes| {
            write(dir.path(), "c/run-9/g/f/new/benchmark.json", bytes);
            let got = read(&criterion_inputs(dir.path())).expect("the folder exists");
            check(&got, dir.path());
        },
    );
}

fn pytest_run(i: i64, median: &str) -> String {
    format!(
        r#"{{"machine_info": {{"node": "n{i}", "machine": "x86_64", "system": "Linux", "python_implementation": "CPython", "python_version": "3.12.1"}},
        "commit_info": {{"id": "s{i}", "time": "2026-01-0{}T00:00:00+00:00"}}, "datetime": "2026-02-01T00:00:00",
        "benchmarks": [{{"name": "test_a", "fullname": "t.py::test_a", "params": {{"n": 1}}, "stats": {{"median": {median}}}}}], "version": "4.0.0"}}"#,
        i + 1
    )
}

/// pytest-benchmark JSON files.
#[test]
fn fuzz_pytest_benchmark() {
    let seeds = vec![pytest_run(7, "0.5"), pytest_run(8, "NaN")];
    let extra: &[&[u8]] = &[
        b"\"stats\"",
        b"\"median\"",
        b"\"commit_info\"",
        b"\"datetime\"",
    ];
    let setup = |dir: &Path| {
        for i in 0..6 {
            write(
                dir,
                &format!("pb/{i}.json"),
                pytest_run(i, "0.25").as_bytes(),
            );
        }
    };
    target(
        "pytest-benchmark",
        &seeds,
        extra,
        "pb/fuzz.json",
        setup,
        |dir| BenchInputs {
            pytest_benchmark: vec![format!("{}/pb/*.json", dir.display())],
            ..BenchInputs::default()
        },
    );
}

/// A small Coiled database: three tests, two runtimes, a failed call.
fn small_coiled_db(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(crate::coiled::TEST_RUN).unwrap();
    for k in 0..6 {
        for (name, runtime) in [
            ("a", Some(("upstream", "3.10.1"))),
            ("b", Some(("0.1", "3.11.2"))),
        ] {
            let mut run = crate::coiled::Run {
                session: k,
                name,
                runtime,
                platform: "linux",
                outcome: "passed",
                duration: Some(1.0 + k as f64),
                average_memory: None,
                peak_memory: Some(1e9),
            };
            if k == 3 {
                run.outcome = "failed";
            }
            crate::coiled::insert(&conn, &run);
        }
    }
}

/// Coiled's SQLite database (`--coiled-db`), its bytes corrupted: the
/// fixture database and a small one as seeds. Nothing panics, a file that
/// cannot be read is a skip naming it, and the file is never written.
#[test]
fn fuzz_coiled_db() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("seed-full.db");
    crate::coiled::build(&full);
    let small = dir.path().join("seed-small.db");
    small_coiled_db(&small);
    let seeds = vec![
        std::fs::read(&full).unwrap(),
        std::fs::read(&small).unwrap(),
    ];
    let fuzzed = dir.path().join("fuzz.db");
    let extra: &[&[u8]] = &[
        b"SQLite format 3\0",
        b"test_run",
        b"tpch_run",
        b"passed",
        b"linux",
        b"\x0d\x00\x00\x00",
        b"\x05\x00\x00\x00",
        b"\xff\xff\xff\xff",
        b"CREATE TABLE",
    ];
    let tried = fuzzkit::run(
        "coiled-db",
        &seeds,
        extra,
        fuzzkit::cases(DEFAULT),
        |bytes| {
            std::fs::write(&fuzzed, bytes).unwrap();
            let got = read(&BenchInputs {
                coiled_db: vec![fuzzed.clone()],
                ..BenchInputs::default()
            })
            .expect("the file exists");
            check(&got, dir.path());
            assert_eq!(
                std::fs::read(&fuzzed).unwrap(),
                bytes,
                "the file was written"
            );
        },
    );
    assert!(tried >= seeds.len());
}
