//! Change-point detection at scale: 1,000 series of 1,000 points each (a
//! quarter pure noise, the rest with 1–3 steps of 5–50 %, noise 0.5–5 %, one
//! series in ten with outliers), fitted with `changepoint::segments`. Prints
//! the median wall time of several runs and the peak memory (`VmHWM`), and
//! writes the series, the true steps, the steps found and the timing under
//! `target/changepoint/` for `benches/changepoint_vs_asv.py`. Timed on one
//! thread and on every core (`READINESS_THREADS` overrides the count).
//! Run with `cargo bench --bench changepoint`.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use readiness::par;
use readiness::signals::changepoint::{self, Segment};

const SERIES: usize = 1_000;
const POINTS: usize = 1_000;
const RUNS: usize = 5;

/// splitmix64, so every run sees the same series.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One series and its true step positions.
fn generate(rng: &mut Rng, index: usize) -> (Vec<f64>, Vec<usize>) {
    let base = 10f64.powf(rng.range(-3.0, 3.0));
    let noise = rng.range(0.005, 0.05);
    let mut steps: Vec<usize> = Vec::new();
    if !index.is_multiple_of(4) {
        let count = 1 + (rng.next() % 3) as usize;
        while steps.len() < count {
            let at = 50 + usize::try_from(rng.next() % (POINTS as u64 - 100)).unwrap();
            if steps.iter().all(|&s| s.abs_diff(at) >= 50) {
                steps.push(at);
            }
        }
        steps.sort_unstable();
    }
    let mut levels = Vec::with_capacity(steps.len() + 1);
    let mut level = base;
    levels.push(level);
    for _ in &steps {
        let size = rng.range(0.05, 0.5);
        level *= if rng.next().is_multiple_of(2) {
            1.0 + size
        } else {
            1.0 / (1.0 + size)
        };
        levels.push(level);
    }
    let outliers = index % 10 == 3;
    let y = (0..POINTS)
        .map(|i| {
            let piece = steps.iter().filter(|&&s| s <= i).count();
            let mut v = levels[piece] * (1.0 + noise * rng.normal());
            if outliers && rng.next().is_multiple_of(100) {
                v *= rng.range(1.5, 3.0);
            }
            v
        })
        .collect();
    (y, steps)
}

fn write_lines<T: std::fmt::Debug>(path: &PathBuf, rows: &[Vec<T>]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for row in rows {
        let line: Vec<String> = row.iter().map(|v| format!("{v:?}")).collect();
        writeln!(out, "{}", line.join(" ")).unwrap();
    }
}

fn main() {
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let (series, truth): (Vec<Vec<f64>>, Vec<Vec<usize>>) =
        (0..SERIES).map(|i| generate(&mut rng, i)).unzip();

    // One thread (the figure to compare with asv, which uses one), then
    // every core, as `readiness` fits series (readiness::par).
    let cores = par::threads();
    let mut found: Vec<Vec<Segment>> = Vec::new();
    let mut measure = |threads: usize| {
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let started = Instant::now();
            let fits = par::map_with(&series, threads, |y| changepoint::segments(y));
            times.push(started.elapsed().as_secs_f64());
            if !found.is_empty() {
                assert!(fits == found, "the fit depends on the thread count");
            }
            found = fits;
        }
        times.sort_by(f64::total_cmp);
        times
    };
    let times = measure(1);
    let median = times[RUNS / 2];
    let parallel = measure(cores);
    let parallel_median = parallel[RUNS / 2];
    let peak = peak_kib();

    let steps: Vec<Vec<usize>> = found
        .iter()
        .map(|segs| segs.iter().skip(1).map(|s| s.start).collect())
        .collect();
    let total_steps: usize = steps.iter().map(Vec::len).sum();
    let true_steps: usize = truth.iter().map(Vec::len).sum();

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/changepoint");
    std::fs::create_dir_all(&dir).unwrap();
    write_lines(&dir.join("series.txt"), &series);
    write_lines(&dir.join("truth.txt"), &truth);
    write_lines(&dir.join("steps.txt"), &steps);
    let runs: Vec<String> = times.iter().map(|t| format!("{t:.6}")).collect();
    std::fs::write(
        dir.join("timing.json"),
        format!(
            "{{\"series\": {SERIES}, \"points\": {POINTS}, \"median_s\": {median:.6}, \"runs_s\": [{}], \"threads\": {cores}, \"parallel_median_s\": {parallel_median:.6}, \"peak_kib\": {}}}\n",
            runs.join(", "),
            peak.map_or_else(|| "null".to_string(), |p| p.to_string())
        ),
    )
    .unwrap();

    println!("change points: {SERIES} series x {POINTS} points");
    println!("  runs (s, sorted): {}", runs.join(" "));
    println!(
        "  median, one thread: {median:.3} s ({:.1} us per series)",
        median * 1e6 / SERIES as f64
    );
    println!(
        "  median, {cores} threads: {parallel_median:.3} s (runs: {})",
        parallel
            .iter()
            .map(|t| format!("{t:.3}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    match peak {
        Some(kib) => println!("  peak memory (VmHWM): {:.1} MiB", kib as f64 / 1024.0),
        None => println!("  peak memory: unavailable"),
    }
    println!("  steps found: {total_steps} (true steps generated: {true_steps})");
    println!("  files: {}", dir.display());
}
