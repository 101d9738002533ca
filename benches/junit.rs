//! JUnit XML at scale: 1,000 files of 5,000 test cases each (a few percent
//! failures and skips, some flaky tests), read with the library's streaming
//! reader and measured. Prints the median wall time of several runs and the
//! peak memory (`VmHWM`). Run with `cargo bench --bench junit`.

use std::io::Write;
use std::time::Instant;

use chrono::{DateTime, Utc};
use readiness::collect::junit;
use readiness::signals::test_results;
use readiness::window::Window;

const FILES: usize = 1_000;
const CASES: usize = 5_000;
const RUNS: usize = 3;

/// A small deterministic generator (xorshift), so every run reads the same files.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn generate(dir: &std::path::Path) -> u64 {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut bytes = 0;
    for f in 0..FILES {
        let path = dir.join(format!("run{f:04}.xml"));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(
            out,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites><testsuite name=\"pytest\" tests=\"{CASES}\" timestamp=\"2026-07-{:02}T{:02}:00:00\">\n<properties><property name=\"GITHUB_SHA\" value=\"{:040x}\"/></properties>",
            1 + f % 28,
            f % 24,
            f / 3
        )
        .unwrap();
        for c in 0..CASES {
            let roll = rng.next() % 1000;
            // Ordinary outcomes depend on the test and the commit only (three
            // runs per commit agree); one test in 500 is flaky and fails 30 %
            // of runs at random.
            let fixed =
                (c as u64).wrapping_mul(2_654_435_761) ^ ((f / 3) as u64).wrapping_mul(40_503);
            let flaky = c % 500 == 7;
            let child = if flaky && roll < 300 {
                "<failure message=\"timeout\">Traceback (most recent call last): ...</failure>"
            } else if !flaky && fixed % 1000 < 15 {
                "<failure message=\"assert\">AssertionError: expected 1, got 2</failure>"
            } else if !flaky && fixed % 1000 < 45 {
                "<skipped type=\"pytest.skip\" message=\"needs gpu\"/>"
            } else {
                ""
            };
            writeln!(
                out,
                "<testcase classname=\"pkg.module_{}.TestClass\" name=\"test_case_{c}[param-{}]\" time=\"0.{roll:03}\">{child}</testcase>",
                c / 100,
                c % 7
            )
            .unwrap();
        }
        writeln!(out, "</testsuite></testsuites>").unwrap();
        out.flush().unwrap();
        bytes += std::fs::metadata(&path).unwrap().len();
    }
    bytes
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let bytes = generate(dir.path());
    println!(
        "generated {FILES} files x {CASES} cases ({:.0} MB) in {:.1} s",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let pattern = format!("{}/*.xml", dir.path().display());
    let until: DateTime<Utc> = "2026-08-01T00:00:00Z".parse().unwrap();
    let window = Window {
        since: "2025-08-01T00:00:00Z".parse().unwrap(),
        until,
    };
    let mut times = Vec::new();
    for run in 0..RUNS {
        let t = Instant::now();
        let files = junit::expand(std::slice::from_ref(&pattern)).unwrap();
        let read = junit::read_files(&files.paths, None);
        let m = test_results::measure(Some(&read.evidence), &window);
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(read.evidence.runs.len(), FILES);
        assert!(read.skipped.is_empty());
        println!(
            "run {}: {secs:.2} s; {} tests, pass rate {:?} (n {}), flaky {:?} (n {})",
            run + 1,
            read.evidence.tests.len(),
            m[0].value,
            m[0].n,
            m[1].value,
            m[1].n
        );
        times.push(secs);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let peak = peak_kib().map_or("unknown".into(), |k| format!("{:.1} MB", k as f64 / 1024.0));
    println!("median {median:.2} s over {RUNS} runs; peak memory (VmHWM) {peak}");
    println!(
        "targets: under 10 s ({}), under 200 MB",
        if median < 10.0 { "met" } else { "MISSED" }
    );
}
