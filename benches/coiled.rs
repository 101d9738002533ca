//! Coiled's benchmark database at scale: 200,000 `test_run` rows (two
//! runtimes, 250 tests, 400 sessions; 2 % failed calls, a step in one test
//! in ten) in the real schema, read with `--coiled-db`'s reader and
//! measured (the `bench.*` signals and Coiled's rule). Prints the median
//! wall time of several runs of each and the peak memory (`VmHWM`). Run
//! with `cargo bench --bench coiled`; the database lives in a temporary
//! folder, deleted at the end.

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use readiness::collect::bench_results::{BenchInputs, read};
use readiness::evidence::BenchEvidence;
use readiness::signals::benchmarks::{BenchmarkParams, analyse, measure};
use readiness::signals::coiled_rule;
use readiness::window::Window;
use rusqlite::{Connection, params};

const RUNTIMES: [(&str, &str); 2] = [("upstream", "3.10.4"), ("0.2.1", "3.11.7")];
const TESTS: usize = 250;
const SESSIONS: usize = 400;
const RUNS: usize = 3;

/// A small deterministic generator (xorshift), so every run reads the same rows.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in [-1, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

const SCHEMA: &str = r#"CREATE TABLE test_run (
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

fn start(session: usize) -> DateTime<Utc> {
    let t0: DateTime<Utc> = "2025-12-01T00:00:00Z".parse().unwrap();
    t0 + Duration::hours(i64::try_from(session).unwrap() * 20)
}

fn generate(path: &std::path::Path) -> usize {
    let mut conn = Connection::open(path).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let tx = conn.transaction().unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut rows = 0;
    {
        let mut stmt = tx
            .prepare(
                "INSERT INTO test_run (session_id, name, originalname, path, call_outcome,
                    coiled_runtime_version, dask_version, distributed_version, python_version,
                    platform, ci_run_url, start, \"end\", duration, average_memory, peak_memory)
                 VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?6, ?7, 'linux', ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .unwrap();
        for s in 0..SESSIONS {
            let t = start(s);
            let (from, to) = (
                t.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
                (t + Duration::minutes(3))
                    .format("%Y-%m-%d %H:%M:%S%.6f")
                    .to_string(),
            );
            for (rv, py) in RUNTIMES {
                for test in 0..TESTS {
                    let base = 5.0 + (test % 50) as f64;
                    let stepped = test % 10 == 3 && s >= SESSIONS / 2;
                    let level = if stepped { base * 1.3 } else { base };
                    let failed = rng.next().is_multiple_of(50);
                    stmt.execute(params![
                        format!("session-{s:04}"),
                        format!("test_case_{test:03}[param-{}]", test % 7),
                        format!("benchmarks/test_module_{}.py", test / 25),
                        if failed { "failed" } else { "passed" },
                        rv,
                        format!("2026.{}.{}", 1 + s / 40, s % 40),
                        py,
                        format!(
                            "https://github.com/coiled/benchmarks/actions/runs/{}",
                            1000 + s
                        ),
                        from,
                        to,
                        level * (1.0 + 0.03 * rng.unit()),
                        (1 + test % 8) as f64 * 1e9 * (1.0 + 0.01 * rng.unit()),
                        (2 + test % 8) as f64 * 1e9 * (1.0 + 0.01 * rng.unit()),
                    ])
                    .unwrap();
                    rows += 1;
                }
            }
        }
    }
    tx.commit().unwrap();
    rows
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("benchmark.db");
    let t = Instant::now();
    let rows = generate(&db);
    let bytes = std::fs::metadata(&db).unwrap().len();
    println!(
        "generated {rows} rows ({:.0} MB) in {:.1} s",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let after_generate = peak_kib();
    let inputs = BenchInputs {
        coiled_db: vec![db.clone()],
        ..BenchInputs::default()
    };
    let until: DateTime<Utc> = start(SESSIONS - 1) + Duration::hours(1);
    let window = Window {
        since: until - Duration::days(365),
        until,
    };
    let params = BenchmarkParams::default();
    let (mut reads, mut measures) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let t = Instant::now();
        let got = read(&inputs).unwrap();
        let read_secs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let bench = BenchEvidence { series: got.series };
        let analysis = analyse(&bench, &window, &params);
        let ms = measure(Some(&analysis), &window, &params);
        let agreement = coiled_rule::agreement(&analysis, &window);
        let measure_secs = t.elapsed().as_secs_f64();
        let points: usize = bench.series.iter().map(|s| s.points.len()).sum();
        println!(
            "run {}: read {read_secs:.2} s ({} series, {points} points), measured {measure_secs:.2} s: noise {:?}, regressions {:?}; Coiled's rule flags {}, disagreements {}",
            run + 1,
            bench.series.len(),
            ms[0].value,
            ms[2].value,
            agreement
                .verdicts
                .iter()
                .filter(|(_, v)| v.regression())
                .count(),
            agreement.disagree.len()
        );
        reads.push(read_secs);
        measures.push(measure_secs);
    }
    let mib = |k: Option<u64>| {
        k.map_or("unknown".into(), |k| {
            format!("{:.1} MiB", k as f64 / 1024.0)
        })
    };
    println!(
        "median over {RUNS} runs: read {:.2} s, measured {:.2} s; peak memory (VmHWM) {} (after generating the database: {})",
        median(reads),
        median(measures),
        mib(peak_kib()),
        mib(after_generate)
    );
}
