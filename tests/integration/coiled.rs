//! `--coiled-db FILE`: Coiled's benchmark database (coiled/benchmarks'
//! `benchmark.db`), built here with its real schema (alembic head), read
//! into series, measured, and read by Coiled's own regression rule.
//!
//! `READINESS_COILED_FIXTURE_COPY=PATH` copies the fixture database to PATH,
//! so that coiled/benchmarks' `detect_regressions.py` can be run on the very
//! same file (see the README's section on Coiled's rule).

use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use readiness::collect::bench_results::{BenchInputs, read};
use readiness::evidence::BenchSeries;
use readiness::signals::coiled_rule::{GIB, Verdict, verdict};
use rusqlite::{Connection, params};
use serde_json::Value;

use crate::common::Workspace;

/// `test_run` as alembic head creates it (benchmark_schema.py).
pub(crate) const TEST_RUN: &str = r#"CREATE TABLE test_run (
    id INTEGER NOT NULL, session_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
    originalname VARCHAR NOT NULL, path VARCHAR, setup_outcome VARCHAR,
    call_outcome VARCHAR, teardown_outcome VARCHAR, coiled_runtime_version VARCHAR,
    coiled_software_name VARCHAR, dask_version VARCHAR, dask_expr_version VARCHAR,
    distributed_version VARCHAR, python_version VARCHAR, platform VARCHAR,
    ci_run_url VARCHAR, start DATETIME, "end" DATETIME, duration FLOAT,
    average_memory FLOAT, peak_memory FLOAT, compute_time FLOAT, disk_spill_time FLOAT,
    serializing_time FLOAT, transfer_time FLOAT, scheduler_cpu_avg FLOAT,
    scheduler_memory_max FLOAT, worker_max_tick FLOAT, scheduler_max_tick FLOAT,
    cluster_name VARCHAR, cluster_id INTEGER, cluster_details_url VARCHAR,
    performance_report_url VARCHAR, cluster_dump_url VARCHAR,
    memray_profiles_url VARCHAR, py_spy_profiles_url VARCHAR, PRIMARY KEY (id))"#;

/// `tpch_run` as alembic head creates it.
pub(crate) const TPCH_RUN: &str = r#"CREATE TABLE tpch_run (
    id INTEGER NOT NULL, session_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
    originalname VARCHAR NOT NULL, path VARCHAR, setup_outcome VARCHAR,
    call_outcome VARCHAR, teardown_outcome VARCHAR, dask_version VARCHAR,
    dask_expr_version VARCHAR, distributed_version VARCHAR, duckdb_version VARCHAR,
    pyspark_version VARCHAR, polars_version VARCHAR, python_version VARCHAR,
    platform VARCHAR, ci_run_url VARCHAR, start DATETIME, "end" DATETIME,
    duration FLOAT, average_memory FLOAT, peak_memory FLOAT, cluster_name VARCHAR,
    cluster_id INTEGER, cluster_details_url VARCHAR, scale INTEGER NOT NULL,
    "query" INTEGER NOT NULL, local BOOLEAN NOT NULL, compression VARCHAR,
    partition_size VARCHAR, n_workers INTEGER, worker_vm_type VARCHAR,
    cluster_disk_size INTEGER, PRIMARY KEY (id))"#;

/// One `test_run` row, as conftest.py writes it.
pub(crate) struct Run<'a> {
    pub session: usize,
    pub name: &'a str,
    /// `coiled_runtime_version`, `python_version`.
    pub runtime: Option<(&'a str, &'a str)>,
    pub platform: &'a str,
    pub outcome: &'a str,
    pub duration: Option<f64>,
    pub average_memory: Option<f64>,
    pub peak_memory: Option<f64>,
}

/// Session `k` starts on 2026-11-10 plus `k` days.
pub(crate) fn start(session: usize) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 10, 0, 0, 0).unwrap()
        + Duration::days(i64::try_from(session).unwrap())
}

/// The end of the window the fixture is read as of: Coiled's "now".
const UNTIL: &str = "2026-11-30T12:00:00Z";

pub(crate) fn insert(conn: &Connection, r: &Run) {
    let t = start(r.session);
    conn.execute(
        "INSERT INTO test_run (session_id, name, originalname, path, call_outcome,
            coiled_runtime_version, dask_version, distributed_version, python_version,
            platform, start, \"end\", duration, average_memory, peak_memory)
         VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            format!("s{:03}", r.session),
            r.name,
            format!("benchmarks/test_{}.py", r.name),
            r.outcome,
            r.runtime.map(|x| x.0),
            format!("2026.11.{}", r.session),
            r.runtime.map(|x| x.1),
            r.platform,
            t.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
            (t + Duration::minutes(5))
                .format("%Y-%m-%d %H:%M:%S%.6f")
                .to_string(),
            r.duration,
            r.average_memory,
            r.peak_memory,
        ],
    )
    .unwrap();
}

/// Deterministic noise in [-0.5, 0.5].
fn noise(i: usize) -> f64 {
    ((i * 7919 + 13) % 11) as f64 / 10.0 - 0.5
}

const UPSTREAM: Option<(&str, &str)> = Some(("upstream", "3.10.4"));
const RELEASE: Option<(&str, &str)> = Some(("0.2.1", "3.11.7"));

/// A passed linux run of `name` in session `k`.
fn passed<'a>(
    k: usize,
    name: &'a str,
    runtime: Option<(&'a str, &'a str)>,
    m: [f64; 3],
) -> Run<'a> {
    Run {
        session: k,
        name,
        runtime,
        platform: "linux",
        outcome: "passed",
        duration: Some(m[0]),
        average_memory: Some(m[1]),
        peak_memory: Some(m[2]),
    }
}

/// The values planted, per series: what the tests check the reader and
/// both rules against.
pub(crate) fn step(k: usize) -> f64 {
    (if k < 10 { 10.0 } else { 20.0 }) + 0.2 * noise(k)
}
pub(crate) fn tail(k: usize) -> f64 {
    (if k < 17 { 5.0 } else { 8.0 }) + 0.1 * noise(k + 1)
}
pub(crate) fn tail_peak(k: usize) -> f64 {
    (if k < 17 { 2.0 } else { 4.0 }) * GIB * (1.0 + 0.002 * noise(k + 2))
}
pub(crate) fn small(k: usize) -> f64 {
    (if k < 17 { 100.0 } else { 102.0 }) + 0.1 * noise(k + 3)
}
pub(crate) fn obsolete(k: usize) -> f64 {
    (if k < 11 { 3.0 } else { 9.0 }) + 0.05 * noise(k + 4)
}
fn memory(k: usize, gib: f64) -> f64 {
    gib * GIB * (1.0 + 0.002 * noise(k + 5))
}

/// The fixture: six tests on two runtimes over 20 sessions, with failed
/// calls, darwin rows, a row without a runtime and a few TPC-H runs.
pub(crate) fn build(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&format!("{TEST_RUN}; {TPCH_RUN};"))
        .unwrap();
    for k in 0..20 {
        let mem = [memory(k, 1.0), memory(k, 2.0)];
        insert(
            &conn,
            &passed(k, "test_step", UPSTREAM, [step(k), mem[0], mem[1]]),
        );
        insert(
            &conn,
            &passed(k, "test_tail", UPSTREAM, [tail(k), mem[0], tail_peak(k)]),
        );
        insert(
            &conn,
            &passed(k, "test_small", RELEASE, [small(k), mem[0], mem[1]]),
        );
        if k < 14 {
            insert(
                &conn,
                &passed(k, "test_obsolete", RELEASE, [obsolete(k), mem[0], mem[1]]),
            );
        }
        let mut flaky = passed(
            k,
            "test_flaky",
            UPSTREAM,
            [7.0 + 0.1 * noise(k), mem[0], mem[1]],
        );
        if k % 5 == 4 {
            // A failed call's numbers are not results.
            flaky.outcome = "failed";
            flaky.duration = Some(50.0);
        }
        insert(&conn, &flaky);
        if k >= 15 {
            insert(
                &conn,
                &passed(k, "test_short", RELEASE, [1.0, mem[0], mem[1]]),
            );
        }
        if k == 14 {
            let mut skipped = passed(k, "test_short", RELEASE, [1.0, mem[0], mem[1]]);
            skipped.outcome = "skipped";
            insert(&conn, &skipped);
        }
        let mut mac = passed(k, "test_step", UPSTREAM, [1000.0, mem[0], mem[1]]);
        mac.platform = "darwin";
        insert(&conn, &mac);
    }
    insert(&conn, &passed(3, "test_step", None, [1.0, 1.0, 1.0]));
    for k in 17..20 {
        conn.execute(
            "INSERT INTO tpch_run (session_id, name, originalname, call_outcome, dask_version,
                python_version, platform, start, duration, average_memory, peak_memory,
                scale, \"query\", local, compression)
             VALUES (?1, 'test_query_1', 'test_query_1', 'passed', '2026.11.1', '3.11.7',
                'linux', ?2, ?3, ?4, ?5, 100, 1, 0, 'snappy')",
            params![
                format!("s{k:03}"),
                start(k).format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
                30.0 + f64::from(u32::try_from(k).unwrap()),
                memory(k, 5.0),
                memory(k, 6.0),
            ],
        )
        .unwrap();
    }
}

/// The fixture in a workspace, copied where `READINESS_COILED_FIXTURE_COPY` says.
fn fixture(ws: &Workspace) -> std::path::PathBuf {
    let db = ws.path("benchmark.db");
    build(&db);
    if let Some(copy) = std::env::var_os("READINESS_COILED_FIXTURE_COPY") {
        std::fs::copy(&db, copy).unwrap();
    }
    db
}

fn until() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(UNTIL).unwrap().into()
}

fn series_of<'a>(all: &'a [BenchSeries], name: &str, env: &str, metric: &str) -> &'a BenchSeries {
    all.iter()
        .find(|s| s.benchmark == name && s.env == env && s.params == format!("metric={metric}"))
        .unwrap_or_else(|| panic!("no series {name} {env} {metric}"))
}

/// Coiled's threshold computed here: mean of the 10 before the last 3 plus
/// the larger of 3 sample standard deviations and one unit.
fn threshold(values: &[f64], unit: f64) -> f64 {
    let n = values.len();
    let w = &values[n - 13..n - 3];
    let mean = w.iter().sum::<f64>() / 10.0;
    let sd = (w.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 9.0).sqrt();
    mean + (3.0 * sd).max(unit)
}

fn read_fixture(ws: &Workspace) -> readiness::collect::bench_results::BenchRead {
    read(&BenchInputs {
        coiled_db: vec![fixture(ws)],
        ..BenchInputs::default()
    })
    .unwrap()
}

/// The reader keys series as Coiled does, keeps only passed linux calls
/// and labels points with the versions.
#[test]
fn coiled_series_are_keyed_and_filtered_as_coiled_does() {
    let ws = Workspace::new();
    let read = read_fixture(&ws);
    let all = &read.series;
    assert_eq!(all.iter().filter(|s| s.tool == "coiled").count(), 18);
    assert_eq!(all.iter().filter(|s| s.tool == "coiled-tpch").count(), 3);
    let up = "coiled-upstream-py3.10";
    let s = series_of(all, "test_step", up, "duration");
    let got: Vec<f64> = s.points.iter().map(|p| p.value).collect();
    assert_eq!(
        got,
        (0..20).map(step).collect::<Vec<_>>(),
        "no darwin, no unkeyed row"
    );
    assert_eq!(s.unit, "seconds");
    assert_eq!(
        s.points[3].labels.as_deref(),
        Some("dask_version=2026.11.3, distributed_version=2026.11.3")
    );
    let flaky = series_of(all, "test_flaky", up, "duration");
    assert_eq!(
        flaky.points.len(),
        16,
        "the four failed calls are not results"
    );
    assert!(flaky.points.iter().all(|p| p.value < 8.0));
    let prov = &read.provenance[0];
    assert!(prov.complete, "{prov:?}");
    let notes = prov.notes.join("\n");
    assert!(notes.contains("5 (failed 4, skipped 1)"), "{notes}");
    assert!(notes.contains("20 (darwin 20)"), "{notes}");
    assert!(
        notes.contains("1 passed linux rows without a runtime"),
        "{notes}"
    );
}

/// Coiled's rule flags exactly the two planted tails and the small step,
/// with the thresholds computed here; it skips the obsolete and short tests.
#[test]
fn coiled_rule_flags_the_planted_tails() {
    let ws = Workspace::new();
    let read = read_fixture(&ws);
    let all = &read.series;
    let up = "coiled-upstream-py3.10";
    let rel = "coiled-0.2.1-py3.11";
    let now = until();
    let flagged: Vec<String> = all
        .iter()
        .filter(|s| verdict(s, now).is_some_and(|v| v.regression()))
        .map(|s| format!("{} {} {}", s.env, s.benchmark, s.params))
        .collect();
    assert_eq!(
        flagged,
        vec![
            format!("{up} test_tail metric=duration"),
            format!("{up} test_tail metric=peak_memory"),
            format!("{rel} test_small metric=duration"),
        ]
    );
    for (name, env, metric, values, unit) in [
        (
            "test_tail",
            up,
            "duration",
            (0..20).map(tail).collect::<Vec<_>>(),
            1.0,
        ),
        (
            "test_tail",
            up,
            "peak_memory",
            (0..20).map(tail_peak).collect(),
            GIB,
        ),
        (
            "test_small",
            rel,
            "duration",
            (0..20).map(small).collect(),
            1.0,
        ),
        (
            "test_step",
            up,
            "duration",
            (0..20).map(step).collect(),
            1.0,
        ),
    ] {
        let v = verdict(series_of(all, name, env, metric), now).unwrap();
        let Verdict::Checked { threshold: got, .. } = v else {
            panic!("{name} {metric}: {v:?}")
        };
        let want = threshold(&values, unit);
        assert!(
            (got - want).abs() <= want.abs() * 1e-12,
            "{name} {metric}: {got} vs {want}"
        );
    }
    let obs = series_of(all, "test_obsolete", rel, "duration");
    assert_eq!(
        verdict(obs, now),
        Some(Verdict::Obsolete { last: start(13) })
    );
    let short = series_of(all, "test_short", rel, "duration");
    assert_eq!(verdict(short, now), Some(Verdict::TooFew { n: 5 }));
}

fn report_json(ws: &Workspace, db: &Path) -> Value {
    let out = ws
        .run(&[
            "report",
            "--coiled-db",
            db.to_str().unwrap(),
            "--until",
            UNTIL,
            "--format",
            "json",
        ])
        .ok();
    serde_json::from_str(&out).unwrap()
}

/// The report measures the Coiled series like any other benchmark source
/// and lists where Coiled's rule and change-point detection disagree: the
/// planted step (ours only), the 2 % tail (Coiled's only: under our 5 %),
/// the obsolete test (ours only); the file is never modified.
#[test]
fn the_report_shows_where_the_two_rules_disagree() {
    let ws = Workspace::new();
    let db = fixture(&ws);
    let before = std::fs::read(&db).unwrap();
    let report = report_json(&ws, &db);
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database was modified"
    );
    // Alone, the database is the target, located by its path.
    let location = report["target"]["location"].as_str().unwrap();
    assert!(location.ends_with("benchmark.db"), "{location}");
    let m = report["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["signal"] == "bench.regressions")
        .unwrap();
    // Ours: the step, the two tails, the obsolete test's late step.
    assert_eq!(m["value"], 4.0, "{m:#}");
    let basis = m["basis"].as_str().unwrap();
    assert!(
        basis.contains("on the 18 Coiled test_run series flags 3, skips 3 as obsolete (last result over 7 days before the window's end) and 3 with 13 results or fewer; it and change-point detection disagree on 3 (listed)"),
        "{basis}"
    );
    let examples = m["examples"].as_array().unwrap();
    let disagreement = |name: &str| {
        examples
            .iter()
            .find(|e| {
                e["label"].as_str().unwrap().starts_with(name)
                    && e["value"].as_str().unwrap().contains("only")
            })
            .unwrap_or_else(|| panic!("{name} not listed: {examples:#?}"))
    };
    let small_values: Vec<f64> = (0..20).map(small).collect();
    let e = disagreement("test_small [metric=duration]");
    assert_eq!(e["value"], "Coiled's rule only");
    let thr = threshold(&small_values, 1.0);
    assert!(
        e["note"]
            .as_str()
            .unwrap()
            .contains(&format!("all at or above threshold {thr:.0} s")),
        "{e:#}"
    );
    let e = disagreement("test_step [metric=duration]");
    assert_eq!(e["value"], "change points only");
    assert!(
        e["note"].as_str().unwrap().contains("not all at or above"),
        "{e:#}"
    );
    let e = disagreement("test_obsolete [metric=duration]");
    assert!(
        e["note"]
            .as_str()
            .unwrap()
            .contains("skipped as obsolete, last result 2026-11-23"),
        "{e:#}"
    );
    // Our own regression example carries the versions at the step.
    let ours = examples
        .iter()
        .find(|e| {
            e["label"].as_str().unwrap().starts_with("test_step")
                && e["value"].as_str().unwrap().ends_with("worse")
        })
        .unwrap();
    assert!(
        ours["note"]
            .as_str()
            .unwrap()
            .contains("dask_version=2026.11.10"),
        "{ours:#}"
    );
    let noise = report["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["signal"] == "bench.noise_cv_p50")
        .unwrap();
    assert!(noise["value"].as_f64().is_some(), "{noise:#}");
}

fn collect_fails(ws: &Workspace, db: &Path) -> String {
    ws.run(&[
        "collect",
        "--coiled-db",
        db.to_str().unwrap(),
        "-o",
        "ev.json",
    ])
    .fails(2)
}

/// A file that is not SQLite, a database without test_run, a test_run
/// without a key column: exit 2, naming the file and what is wrong.
#[test]
fn unusable_databases_name_the_file_and_the_problem() {
    let ws = Workspace::new();
    let text = ws.write("notes.db", "not a database at all, just text\n");
    let err = collect_fails(&ws, &text);
    assert!(
        err.contains("--coiled-db ") && err.contains("notes.db: nothing could be read"),
        "{err}"
    );
    assert!(
        err.contains("notes.db") && err.contains("not an SQLite database"),
        "{err}"
    );

    let other = ws.path("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE results (x FLOAT); INSERT INTO results VALUES (1.0);")
        .unwrap();
    let err = collect_fails(&ws, &other);
    assert!(
        err.contains("other.db") && err.contains("no test_run table"),
        "{err}"
    );

    let old = ws.path("old.db");
    Connection::open(&old)
        .unwrap()
        .execute_batch(
            "CREATE TABLE test_run (id INTEGER PRIMARY KEY, name VARCHAR, call_outcome VARCHAR,
                coiled_runtime_version VARCHAR, python_version VARCHAR, start DATETIME, duration FLOAT)",
        )
        .unwrap();
    let err = collect_fails(&ws, &old);
    assert!(
        err.contains("old.db") && err.contains("test_run has no column platform"),
        "{err}"
    );
}

/// Text where a number belongs is one dropped value with a note; the rest is read.
#[test]
fn text_in_a_metric_is_noted_and_the_rest_read() {
    let ws = Workspace::new();
    let db = fixture(&ws);
    Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE test_run SET duration = 'fast' WHERE name = 'test_tail' AND session_id = 's005'",
            [],
        )
        .unwrap();
    let read = read(&BenchInputs {
        coiled_db: vec![db],
        ..BenchInputs::default()
    })
    .unwrap();
    let prov = &read.provenance[0];
    assert!(!prov.complete);
    assert!(
        prov.notes
            .iter()
            .any(|n| n.contains("1 values that are not numbers")),
        "{prov:?}"
    );
    let s = series_of(
        &read.series,
        "test_tail",
        "coiled-upstream-py3.10",
        "duration",
    );
    assert_eq!(s.points.len(), 19);
    assert_eq!(read.series.len(), 21);
}

/// A rubric where benchmarks weigh ten times test results.
const BENCH_RUBRIC: &str = r#"name = "bench-heavy"
description = "Benchmarks, and test results a little."
[grades]
min_coverage = 0.5
insufficient = "insufficient evidence"
[[grades.band]]
min = 0
label = "any"
[[category]]
id = "benchmarks"
name = "Benchmarks"
weight = 10
[[category.criterion]]
signal = "bench.regressions"
good = 0
bad = 10
weight = 1
min_samples = 1
why = "A test rubric."
[[category]]
id = "tests"
name = "Tests"
weight = 1
[[category.criterion]]
signal = "tests.pass_rate"
good = 0.99
bad = 0.9
weight = 1
min_samples = 1
why = "A test rubric."
"#;

/// Results all before the window: the benchmark signals say where the
/// results end, and the report advises the source not read (JUnit), not
/// the benchmark results it read, however much they weigh.
#[test]
fn a_database_read_is_not_advised_again() {
    let ws = Workspace::new();
    let db = fixture(&ws);
    ws.write("r.toml", BENCH_RUBRIC);
    let md = ws
        .run(&[
            "report",
            "--rubric",
            "r.toml",
            "--coiled-db",
            db.to_str().unwrap(),
            "--since",
            "2027-06-01",
            "--until",
            "2028-01-01",
        ])
        .ok();
    assert!(md.contains("the latest result is from 2026-11-29"), "{md}");
    assert!(
        md.contains("The source that would add the most: JUnit XML files"),
        "{md}"
    );
}
