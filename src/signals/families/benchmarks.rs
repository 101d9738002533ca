//! Benchmark signals: `bench.noise_cv_p50`, `bench.stable_share`,
//! `bench.regressions`.
//!
//! Each series is fitted once with the change-point method of
//! [`super::changepoint`], over its results up to the end of the window (the
//! history before the window gives the fit its context). Then:
//!
//! - **Noise.** Over the results in the window, the robust coefficient of
//!   variation `1.4826 × median |y − level| / |median y|`, where `level` is
//!   the fitted level of the step each result belongs to. For a series
//!   without a step this is the textbook `1.4826 × MAD / median`; with a step
//!   it does not mistake the step for noise. A series needs
//!   [`MIN_POINTS`] results in the window to count.
//! - **Regressions.** A boundary between two fitted steps whose first result
//!   lies in the window, where the level got worse (up for lower-is-better
//!   benchmarks, down for higher-is-better ones) by more than the rubric's
//!   threshold share of the level before it, and by more than the mean
//!   absolute deviation within either step (a step inside the noise is not
//!   evidence). It is unrecovered when the series' latest level is still
//!   worse than the level before the step by more than the threshold.

use std::cmp::Ordering;

use super::changepoint::{self, Segment};
use super::{Example, Measurement, Reading, SignalDef, SignalId, Unit, day, plural};
use crate::evidence::{BenchEvidence, BenchPoint, BenchSeries, Direction};
use crate::stats;
use crate::window::Window;

const SOURCE: &str = "benchmark results";
/// The signals of this family, each declared once: its id and definition.
impl SignalId {
    /// `bench.noise_cv_p50`
    pub const BENCH_NOISE_CV_P50: SignalId = SignalId::new(&SignalDef {
        id: "bench.noise_cv_p50",
        unit: Unit::Fraction,
        title: "Benchmark noise (median robust CV)",
        definition: "Per benchmark series, the robust coefficient of variation 1.4826 × MAD / median of its results in the window, the deviations taken from the fitted level of each step so that a real step is not counted as noise; the median over series with at least 5 results in the window.",
        anchor: "robust CV (MAD scaled to a normal standard deviation)",
        source: "benchmark results",
    });
    /// `bench.stable_share`
    pub const BENCH_STABLE_SHARE: SignalId = SignalId::new(&SignalDef {
        id: "bench.stable_share",
        unit: Unit::Fraction,
        title: "Stable benchmark series",
        definition: "Share of those series whose robust CV is under the rubric's `[benchmarks] stable_cv` (default 5 %).",
        anchor: "",
        source: "benchmark results",
    });
    /// `bench.regressions`
    pub const BENCH_REGRESSIONS: SignalId = SignalId::new(&SignalDef {
        id: "bench.regressions",
        unit: Unit::Regressions,
        title: "Unrecovered benchmark regressions",
        definition: "Steps for the worse (up for time and memory, down for throughput) larger than the rubric's `[benchmarks] regression_threshold` (default 5 %) found in each series by change-point detection (an L1 piecewise-constant fit, see the README) between levels of at least two results each, that happened in the window and that no later step recovered: the series' latest level is still worse than the level before the step by more than the threshold.",
        anchor: "asv regression detection",
        source: "benchmark results",
    });
}

const IDS: [SignalId; 3] = [
    SignalId::BENCH_NOISE_CV_P50,
    SignalId::BENCH_STABLE_SHARE,
    SignalId::BENCH_REGRESSIONS,
];
/// The rubric's `[benchmarks]`: what counts as a regression and as stable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BenchmarkParams {
    /// A step for the worse larger than this share of the level before it
    /// is a regression (default 0.05, 5 %).
    pub regression_threshold: f64,
    /// A series whose robust CV is under this share is stable (default 0.05).
    pub stable_cv: f64,
}

impl Default for BenchmarkParams {
    fn default() -> BenchmarkParams {
        BenchmarkParams {
            regression_threshold: 0.05,
            stable_cv: 0.05,
        }
    }
}

/// Results a series needs in the window for its noise to be measured.
pub const MIN_POINTS: usize = 5;
/// A level (a fitted segment) on either side of a step needs this many
/// results: one result is an outlier until the next run confirms it.
pub const MIN_LEVEL_POINTS: usize = 2;
/// The factor that makes a MAD estimate a normal standard deviation.
const MAD_TO_SD: f64 = 1.4826;
/// How many regressions and noisy series are listed as examples.
const EXAMPLES: usize = 10;

/// A step for the worse that was not recovered.
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    /// Index of the series in the evidence.
    pub series: usize,
    /// Index of the first result at the new level.
    pub at: usize,
    pub before: f64,
    pub after: f64,
    /// The series' latest level.
    pub latest: f64,
    /// What is still lost now: the latest level against the level before
    /// the step, as a share of `before` (positive). Not the height of the
    /// step, which a later partial recovery makes an overstatement.
    pub worse_by: f64,
}

/// What one series gave.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesFit {
    /// Results up to the end of the window.
    pub upto: usize,
    /// Results in the window (the last ones of `upto`).
    pub in_window: usize,
    /// Robust CV over the window, when measurable.
    pub cv: Option<f64>,
    /// The fit over the `upto` results.
    pub segments: Vec<Segment>,
}

/// The finite results up to the end of the window, in order.
fn upto<'a>(series: &'a BenchSeries, window: &Window) -> Vec<&'a BenchPoint> {
    series
        .points
        .iter()
        .filter(|p| p.time <= window.until && p.value.is_finite())
        .collect()
}

/// The share by which going from `from` to `to` is worse (negative: better).
fn worse_share(direction: Direction, from: f64, to: f64) -> f64 {
    let change = (to - from) / from.abs();
    match direction {
        Direction::LowerIsBetter => change,
        Direction::HigherIsBetter => -change,
    }
}

/// Fits one series over its results up to the end of the window.
#[must_use]
pub fn fit(series: &BenchSeries, window: &Window) -> SeriesFit {
    let points = upto(series, window);
    let values: Vec<f64> = points.iter().map(|p| p.value).collect();
    let in_window = points.iter().filter(|p| p.time > window.since).count();
    let segments = changepoint::segments(&values);
    let cv = if in_window >= MIN_POINTS {
        robust_cv(&values, &segments, values.len() - in_window)
    } else {
        None
    };
    SeriesFit {
        upto: values.len(),
        in_window,
        cv,
        segments,
    }
}

/// `1.4826 × median |y − level| / |median y|` over `values[from..]`.
fn robust_cv(values: &[f64], segments: &[Segment], from: usize) -> Option<f64> {
    let window = values.get(from..)?;
    let center = stats::median(window)?;
    if center == 0.0 || !center.is_finite() {
        return None;
    }
    let mut deviations = Vec::with_capacity(window.len());
    for seg in segments {
        let (lo, hi) = (seg.start.max(from), seg.end.min(values.len()));
        if lo < hi {
            deviations.extend(values[lo..hi].iter().map(|v| (v - seg.level).abs()));
        }
    }
    let mad = stats::median(&deviations)?;
    let cv = MAD_TO_SD * mad / center.abs();
    cv.is_finite().then_some(cv)
}

/// The unrecovered regressions of one fitted series whose step lies in the window.
#[must_use]
pub fn regressions(
    index: usize,
    series: &BenchSeries,
    fit: &SeriesFit,
    window: &Window,
    threshold: f64,
) -> Vec<Regression> {
    let segs = &fit.segments;
    let Some(latest) = segs.last().map(|s| s.level) else {
        return Vec::new();
    };
    let points = upto(series, window);
    let mut out = Vec::new();
    for pair in segs.windows(2) {
        let (prev, next) = (&pair[0], &pair[1]);
        let Some(point) = points.get(next.start) else {
            continue;
        };
        if !window.contains(point.time) || prev.level == 0.0 {
            continue;
        }
        if prev.end - prev.start < MIN_LEVEL_POINTS || next.end - next.start < MIN_LEVEL_POINTS {
            continue;
        }
        let step_share = worse_share(series.direction, prev.level, next.level);
        let step = (next.level - prev.level).abs();
        let beyond_noise = step > prev.spread.max(next.spread);
        let worse_by = worse_share(series.direction, prev.level, latest);
        // A level next to zero (a subnormal) has no finite relative size.
        if step_share > threshold && beyond_noise && worse_by > threshold && worse_by.is_finite() {
            out.push(Regression {
                series: index,
                at: next.start,
                before: prev.level,
                after: next.level,
                latest,
                worse_by,
            });
        }
    }
    out
}

/// A value with three significant digits and its unit.
pub(crate) fn show(v: f64, unit: &str) -> String {
    // Three significant digits, at most six decimals; under 0.0001 (where
    // six decimals keep fewer than three digits) in scientific notation.
    #[allow(clippy::cast_possible_truncation)]
    let magnitude = if v == 0.0 || !v.is_finite() {
        0
    } else {
        v.abs().log10().floor() as i32
    };
    let number = if v == 0.0 {
        "0".to_string()
    } else if magnitude < -4 {
        format!("{v:.2e}")
    } else {
        let digits = usize::try_from((2 - magnitude).clamp(0, 6)).unwrap_or(0);
        format!("{v:.digits$}")
    };
    let unit = unit.trim();
    if unit.is_empty() {
        number
    } else {
        format!("{number} {unit}")
    }
}

/// `name [params] (machine, env)`: which series, as a reader needs it.
#[must_use]
pub fn series_label(s: &BenchSeries) -> String {
    let mut label = s.benchmark.clone();
    if !s.params.is_empty() {
        label.push_str(&format!(" [{}]", s.params));
    }
    let place: Vec<&str> = [s.machine.as_str(), s.env.as_str()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    if !place.is_empty() {
        label.push_str(&format!(" ({})", place.join(", ")));
    }
    label
}

/// `1 series`, `2 series`: the word is its own plural.
fn series_count(n: usize) -> String {
    format!("{n} series")
}

fn pct(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

/// When no series has a result in the window but some have results before
/// it (old results read today): when the latest of them is, and the
/// `--until` that measures as of then. Empty otherwise.
fn stale_hint(bench: &BenchEvidence, window: &Window, active: usize) -> String {
    if active > 0 {
        return String::new();
    }
    let latest = bench
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.time))
        .filter(|t| *t <= window.since)
        .max();
    match latest {
        Some(t) => {
            let day = t.format("%Y-%m-%d");
            format!("; the latest result is from {day}: `--until {day}` measures the year up to it")
        }
        None => String::new(),
    }
}

/// The benchmark results fitted over a window: what the `bench.*` signals
/// and the report's benchmark charts share, computed once per report.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis<'a> {
    pub bench: &'a BenchEvidence,
    /// One fit per series, in evidence order.
    pub fits: Vec<SeriesFit>,
    /// The series with results in the window and enough up to its end for a
    /// level on each side of a step.
    pub examined: Vec<usize>,
    /// Their unrecovered regressions, worst first.
    pub regressions: Vec<Regression>,
}

/// Fits every series of `bench` and finds their unrecovered regressions.
#[must_use]
pub fn analyse<'a>(
    bench: &'a BenchEvidence,
    window: &Window,
    params: &BenchmarkParams,
) -> Analysis<'a> {
    // Fitting is the costly part (see benches/changepoint.rs): spread over the cores.
    let fits: Vec<SeriesFit> = crate::par::map(&bench.series, |s| fit(s, window));
    let examined: Vec<usize> = fits
        .iter()
        .enumerate()
        .filter(|(_, f)| f.in_window > 0 && f.upto >= 2 * MIN_LEVEL_POINTS)
        .map(|(i, _)| i)
        .collect();
    let mut found: Vec<Regression> = examined
        .iter()
        .flat_map(|&i| {
            regressions(
                i,
                &bench.series[i],
                &fits[i],
                window,
                params.regression_threshold,
            )
        })
        .collect();
    found.sort_by(|a, b| {
        b.worse_by
            .partial_cmp(&a.worse_by)
            .unwrap_or(Ordering::Equal)
    });
    Analysis {
        bench,
        fits,
        examined,
        regressions: found,
    }
}

/// Measures the `bench.*` signals of `bench` (see [`analyse`]; `None`: no
/// benchmark results were collected).
#[must_use]
pub fn measure(
    analysis: Option<&Analysis>,
    window: &Window,
    params: &BenchmarkParams,
) -> Vec<Measurement> {
    let Some(analysis) = analysis else {
        return Measurement::all_insufficient(
            &IDS,
            *window,
            SOURCE,
            "no benchmark results were collected (--asv, --bench-data, --criterion, --pytest-benchmark or --coiled-db; a GitHub repository's gh-pages dev/bench/data.js)",
        );
    };
    let scope = NoiseScope::new(analysis, window);
    vec![
        noise(analysis, &scope, window),
        stable(&scope, window, params),
        unrecovered(analysis, &scope, window, params),
    ]
}

/// The series whose noise was measured, and how to say which they are.
struct NoiseScope {
    /// Series read.
    total: usize,
    /// `(series, robust CV)` of the series with enough results in the window.
    measured: Vec<(usize, f64)>,
    /// Their robust CVs.
    cvs: Vec<f64>,
    /// Which series these are, for the basis.
    text: String,
    /// When no series is in the window: where the latest results are.
    hint: String,
    /// Series with any result in the window.
    active: usize,
}

impl NoiseScope {
    fn new(analysis: &Analysis, window: &Window) -> NoiseScope {
        let total = analysis.bench.series.len();
        let active = analysis.fits.iter().filter(|f| f.in_window > 0).count();
        let measured: Vec<(usize, f64)> = analysis
            .fits
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.cv.map(|cv| (i, cv)))
            .collect();
        let text = format!(
            "{} with at least {MIN_POINTS} results in the window (of {} read, {} with any result in it)",
            series_count(measured.len()).replace("series", "benchmark series"),
            total,
            active
        );
        NoiseScope {
            total,
            cvs: measured.iter().map(|(_, cv)| *cv).collect(),
            measured,
            text,
            hint: stale_hint(analysis.bench, window, active),
            active,
        }
    }

    /// Why neither noise signal has a value.
    fn no_series(&self) -> String {
        if self.total == 0 {
            "the benchmark sources held no series".to_string()
        } else {
            format!(
                "no benchmark series has {MIN_POINTS} results in the window ({} read, {} with any result in it){}",
                series_count(self.total),
                self.active,
                self.hint
            )
        }
    }
}

/// `bench.noise_cv_p50`, with the noisiest series as examples.
fn noise(analysis: &Analysis, scope: &NoiseScope, window: &Window) -> Measurement {
    let mut noisiest = scope.measured.clone();
    noisiest.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(Ordering::Equal));
    let examples = noisiest
        .iter()
        .take(EXAMPLES)
        .map(|(i, cv)| {
            let s = &analysis.bench.series[*i];
            Example {
                label: series_label(s),
                date: None,
                value: Some(format!("CV {}", pct(*cv))),
                note: Some(format!(
                    "{}, {} in the window",
                    s.tool,
                    plural(analysis.fits[*i].in_window, "result")
                )),
                url: None,
            }
        })
        .collect();
    Measurement::new(
        SignalId::BENCH_NOISE_CV_P50,
        *window,
        SOURCE,
        Reading::of(
            stats::median(&scope.cvs),
            scope.measured.len() as u64,
            format!("{}; the noisiest are listed", scope.text),
            || scope.no_series(),
            examples,
        ),
    )
}

/// `bench.stable_share`: the share of measured series under `stable_cv`.
fn stable(scope: &NoiseScope, window: &Window, params: &BenchmarkParams) -> Measurement {
    let cvs = &scope.cvs;
    let stable_count = cvs.iter().filter(|cv| **cv < params.stable_cv).count();
    #[allow(clippy::cast_precision_loss)]
    let value = (!cvs.is_empty()).then(|| stable_count as f64 / cvs.len() as f64);
    Measurement::new(
        SignalId::BENCH_STABLE_SHARE,
        *window,
        SOURCE,
        Reading::of(
            value,
            scope.measured.len() as u64,
            format!(
                "{stable_count} of the {} have a robust CV under {}",
                scope.text,
                pct(params.stable_cv)
            ),
            || scope.no_series(),
            Vec::new(),
        ),
    )
}

/// `bench.regressions`: the unrecovered regressions found, the worst as examples.
fn unrecovered(
    analysis: &Analysis,
    scope: &NoiseScope,
    window: &Window,
    params: &BenchmarkParams,
) -> Measurement {
    let found = &analysis.regressions;
    let examined = &analysis.examined;
    let regressed_series = {
        let mut ids: Vec<usize> = found.iter().map(|r| r.series).collect();
        ids.dedup();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    let coiled = super::coiled_rule::agreement(analysis, window);
    let mut examples: Vec<Example> = found
        .iter()
        .take(EXAMPLES)
        .map(|r| regression_example(&analysis.bench.series[r.series], r, window))
        .collect();
    examples.extend(coiled.examples(analysis));
    #[allow(clippy::cast_precision_loss)]
    let count = found.len() as f64;
    let basis = format!(
        "{} with results in the window and at least {} up to its end, fitted by change-point detection; steps for the worse above {} between levels of at least {MIN_LEVEL_POINTS} results, not recovered since, in {}; the worst are listed{}",
        series_count(examined.len()).replace("series", "benchmark series"),
        2 * MIN_LEVEL_POINTS,
        pct(params.regression_threshold),
        series_count(regressed_series),
        coiled.basis()
    );
    let reason = || {
        if scope.total == 0 {
            "the benchmark sources held no series".to_string()
        } else {
            format!(
                "no benchmark series has results in the window and at least {} up to its end ({} read){}",
                2 * MIN_LEVEL_POINTS,
                series_count(scope.total),
                scope.hint
            )
        }
    };
    Measurement::new(
        SignalId::BENCH_REGRESSIONS,
        *window,
        SOURCE,
        Reading::of(
            (!examined.is_empty()).then_some(count),
            examined.len() as u64,
            basis,
            reason,
            examples,
        ),
    )
}

fn regression_example(s: &BenchSeries, r: &Regression, window: &Window) -> Example {
    let point = upto(s, window).get(r.at).copied();
    let commit = point
        .and_then(|p| p.commit.as_deref())
        .map(|c| format!("commit {}", c.get(..12).unwrap_or(c)));
    let mut note = vec![format!(
        "{} → {}, now {}",
        show(r.before, &s.unit),
        show(r.after, &s.unit),
        show(r.latest, &s.unit)
    )];
    note.extend(commit);
    note.extend(point.and_then(|p| p.labels.clone()));
    Example {
        label: series_label(s),
        date: point.map(|p| day(p.time)),
        value: Some(format!("{} worse", pct(r.worse_by))),
        note: Some(note.join("; ")),
        url: None,
    }
}

/// The `bench.*` family: benchmark series, fitted once per report.
#[derive(Debug, Clone, Copy)]
pub struct Benchmarks;

/// The family, as build.rs lists it in `signals::FAMILIES`.
pub(crate) const FAMILY: &dyn super::Family = &Benchmarks;

impl super::SignalFamily for Benchmarks {
    const ORDER: u32 = 50;

    type Analysis<'a> = Option<Analysis<'a>>;

    fn signals(&self) -> &'static [SignalId] {
        &IDS
    }

    fn analyse<'a>(&self, cx: &super::MeasureCtx<'a>) -> Option<Analysis<'a>> {
        let (window, params) = (cx.window, cx.benchmarks);
        cx.evidence
            .bench_results
            .as_ref()
            .map(|b| analyse(b, &window, params))
    }

    fn measure(&self, cx: &super::MeasureCtx<'_>, a: &Option<Analysis<'_>>) -> Vec<Measurement> {
        let ev = cx.evidence;
        let none = ev
            .bench_results
            .as_ref()
            .is_none_or(|b| b.series.is_empty());
        let searched = ev
            .sources
            .iter()
            .find(|p| p.source == crate::evidence::BENCH_SEARCH)
            .and_then(|p| p.notes.first());
        match searched {
            Some(reason) if none => Measurement::all_insufficient(&IDS, cx.window, SOURCE, reason),
            _ => measure(a.as_ref(), &cx.window, cx.benchmarks),
        }
    }

    fn trends(
        &self,
        cx: &super::MeasureCtx<'_>,
        a: &Option<Analysis<'_>>,
    ) -> Vec<super::trends::Trend> {
        a.as_ref()
            .map(|a| super::trends::bench_trends(a, &cx.window))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, TimeZone, Utc};

    use super::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
    }

    fn window() -> Window {
        Window {
            since: t0() - Duration::days(1),
            until: t0() + Duration::days(400),
        }
    }

    /// Deterministic noise in [-1, 1).
    fn noise(i: usize) -> f64 {
        let mut x = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
        (x >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    fn series(values: &[f64], direction: Direction) -> BenchSeries {
        BenchSeries {
            tool: "asv".into(),
            benchmark: "bench.time_x".into(),
            params: String::new(),
            machine: "m1".into(),
            env: String::new(),
            unit: "seconds".into(),
            direction,
            location: "results".into(),
            points: values
                .iter()
                .enumerate()
                .map(|(i, v)| BenchPoint {
                    time: t0() + Duration::days(i64::try_from(i).unwrap()),
                    commit: Some(format!("c{i:03}")),
                    value: *v,
                    labels: None,
                })
                .collect(),
        }
    }

    fn step(n: usize, at: usize, from: f64, to: f64, amp: f64) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let level = if i < at { from } else { to };
                level * (1.0 + amp * noise(i))
            })
            .collect()
    }

    /// The `bench.*` measurements of `ev`, analysed first as a report does.
    fn measure_of(
        ev: &BenchEvidence,
        window: &Window,
        params: &BenchmarkParams,
    ) -> Vec<Measurement> {
        measure(Some(&analyse(ev, window, params)), window, params)
    }

    fn value(ms: &[Measurement], id: &str) -> Option<f64> {
        ms.iter().find(|m| m.signal == id).and_then(|m| m.value)
    }

    #[test]
    fn constant_series_have_no_noise_and_are_stable() {
        let ev = BenchEvidence {
            series: vec![series(&[2.0; 20], Direction::LowerIsBetter)],
        };
        let ms = measure_of(&ev, &window(), &BenchmarkParams::default());
        assert_eq!(value(&ms, "bench.noise_cv_p50"), Some(0.0));
        assert_eq!(value(&ms, "bench.stable_share"), Some(1.0));
        assert_eq!(value(&ms, "bench.regressions"), Some(0.0));
    }

    /// The robust CV of noise uniform in ±a is 1.4826 × a/2 (the MAD of a uniform).
    #[test]
    fn noise_is_the_robust_cv() {
        let values: Vec<f64> = (0..2001).map(|i| 10.0 * (1.0 + 0.1 * noise(i))).collect();
        let ev = BenchEvidence {
            series: vec![series(&values, Direction::LowerIsBetter)],
        };
        let ms = measure_of(&ev, &window(), &BenchmarkParams::default());
        let cv = value(&ms, "bench.noise_cv_p50").unwrap();
        assert!((cv - 1.4826 * 0.05).abs() < 0.01, "{cv}");
        // 7.4 % is above the 5 % line.
        assert_eq!(value(&ms, "bench.stable_share"), Some(0.0));
    }

    #[test]
    fn too_few_results_are_not_measured() {
        let ev = BenchEvidence {
            series: vec![series(&[1.0, 1.1, 0.9], Direction::LowerIsBetter)],
        };
        let ms = measure_of(&ev, &window(), &BenchmarkParams::default());
        let noise = ms
            .iter()
            .find(|m| m.signal == "bench.noise_cv_p50")
            .unwrap();
        assert_eq!(noise.value, None);
        assert!(
            noise
                .insufficient
                .as_deref()
                .unwrap()
                .contains("no benchmark series has 5 results"),
            "{noise:?}"
        );
        let none = measure(None, &window(), &BenchmarkParams::default());
        assert!(none.iter().all(|m| m.value.is_none()));
    }

    /// A single result out of line is not a level: a last result 50 % worse
    /// is not a regression until a second one confirms it.
    #[test]
    fn one_result_is_not_a_level() {
        let mut values = vec![1.0; 30];
        values.push(1.5);
        let ev = BenchEvidence {
            series: vec![series(&values, Direction::LowerIsBetter)],
        };
        let ms = measure_of(&ev, &window(), &BenchmarkParams::default());
        assert_eq!(value(&ms, "bench.regressions"), Some(0.0), "{ms:?}");
        values.push(1.5);
        let ev = BenchEvidence {
            series: vec![series(&values, Direction::LowerIsBetter)],
        };
        let ms = measure_of(&ev, &window(), &BenchmarkParams::default());
        assert_eq!(value(&ms, "bench.regressions"), Some(1.0), "{ms:?}");
    }

    /// Results that all predate the window are not silently ignored: the
    /// reason names the latest result's date and the `--until` to use.
    #[test]
    fn results_older_than_the_window_say_when_they_end() {
        let ev = BenchEvidence {
            series: vec![series(&[1.0; 10], Direction::LowerIsBetter)],
        };
        let later = Window {
            since: t0() + Duration::days(30),
            until: t0() + Duration::days(395),
        };
        let ms = measure_of(&ev, &later, &BenchmarkParams::default());
        for m in &ms {
            assert_eq!(m.value, None, "{m:?}");
            assert!(
                m.insufficient.as_deref().unwrap().ends_with(
                    "; the latest result is from 2026-01-10: `--until 2026-01-10` measures the year up to it"
                ),
                "{m:?}"
            );
        }
        // Within the window there is no such hint.
        let ms = measure_of(&ev, &window(), &BenchmarkParams::default());
        assert!(ms.iter().all(|m| m.insufficient.is_none()), "{ms:?}");
    }

    #[test]
    fn zero_centred_series_have_no_cv() {
        let ev = BenchEvidence {
            series: vec![series(&[0.0; 10], Direction::LowerIsBetter)],
        };
        let ms = measure_of(&ev, &window(), &BenchmarkParams::default());
        assert_eq!(value(&ms, "bench.noise_cv_p50"), None);
    }

    #[test]
    fn show_keeps_three_significant_digits() {
        assert_eq!(show(0.012_345, "seconds"), "0.0123 seconds");
        assert_eq!(show(1234.5, "ns/iter"), "1234 ns/iter");
        assert_eq!(show(1.5, ""), "1.50");
        assert_eq!(show(0.0, "bytes"), "0 bytes");
        assert_eq!(show(1.234e-7, "seconds"), "1.23e-7 seconds");
        assert_eq!(
            show(1e-310, ""),
            "1.00e-310",
            "a subnormal keeps its digits"
        );
    }

    #[test]
    fn labels_name_params_machine_and_env() {
        let mut s = series(&[1.0], Direction::LowerIsBetter);
        s.params = "n=10".into();
        s.env = "py3.11".into();
        assert_eq!(series_label(&s), "bench.time_x [n=10] (m1, py3.11)");
    }

    #[test]
    fn direction_decides_what_is_worse() {
        assert!(worse_share(Direction::LowerIsBetter, 1.0, 1.2) > 0.19);
        assert!(worse_share(Direction::HigherIsBetter, 1.0, 1.2) < -0.19);
        assert!(worse_share(Direction::HigherIsBetter, 1.0, 0.8) > 0.19);
    }

    pub(super) fn step_fixture(direction: Direction, to: f64) -> BenchEvidence {
        BenchEvidence {
            series: vec![series(&step(100, 50, 1.0, to, 0.01), direction)],
        }
    }

    #[test]
    fn a_step_for_the_worse_is_one_regression_at_its_commit() {
        let ev = step_fixture(Direction::LowerIsBetter, 1.2);
        let ms = measure_of(&ev, &window(), &BenchmarkParams::default());
        let m = ms.iter().find(|m| m.signal == "bench.regressions").unwrap();
        assert_eq!(m.value, Some(1.0), "{m:?}");
        let ex = &m.examples[0];
        assert_eq!(ex.date.as_deref(), Some("2026-02-20"));
        assert!(
            ex.note.as_deref().unwrap().contains("commit c050"),
            "{ex:?}"
        );
        let worse: f64 = ex
            .value
            .as_deref()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((worse - 20.0).abs() < 1.5, "{ex:?}");
        // The noise is measured around the two levels, not across the step.
        assert!(value(&ms, "bench.noise_cv_p50").unwrap() < 0.02);
    }

    #[test]
    fn an_improvement_is_not_a_regression_and_direction_flips_it() {
        let better = step_fixture(Direction::LowerIsBetter, 0.8);
        let ms = measure_of(&better, &window(), &BenchmarkParams::default());
        assert_eq!(value(&ms, "bench.regressions"), Some(0.0));
        // For throughput, a fall is the regression.
        let slower = step_fixture(Direction::HigherIsBetter, 0.8);
        let ms = measure_of(&slower, &window(), &BenchmarkParams::default());
        assert_eq!(value(&ms, "bench.regressions"), Some(1.0));
    }

    #[test]
    fn a_recovered_step_is_not_counted_and_the_threshold_is_the_rubrics() {
        let mut values = step(150, 50, 1.0, 1.2, 0.01);
        for (i, v) in values.iter_mut().enumerate().skip(100) {
            *v = 1.0 + 0.01 * noise(i + 1000);
        }
        let ev = BenchEvidence {
            series: vec![series(&values, Direction::LowerIsBetter)],
        };
        let ms = measure_of(&ev, &window(), &BenchmarkParams::default());
        assert_eq!(value(&ms, "bench.regressions"), Some(0.0));
        // A 20 % step is under a 25 % threshold.
        let ev = step_fixture(Direction::LowerIsBetter, 1.2);
        let strict = BenchmarkParams {
            regression_threshold: 0.25,
            ..BenchmarkParams::default()
        };
        let ms = measure_of(&ev, &window(), &strict);
        assert_eq!(value(&ms, "bench.regressions"), Some(0.0));
    }

    /// A regression's size is the latest level against the level before the
    /// step (25 % still lost), not the height of the step (50 %), when a
    /// later step recovered part of it.
    #[test]
    fn a_regression_is_sized_by_what_is_still_lost() {
        let mut values = step(150, 50, 1.0, 1.5, 0.01);
        for (i, v) in values.iter_mut().enumerate().skip(100) {
            *v = 1.25 + 0.01 * noise(i + 1000);
        }
        let ev = BenchEvidence {
            series: vec![series(&values, Direction::LowerIsBetter)],
        };
        let ms = measure_of(&ev, &window(), &BenchmarkParams::default());
        let m = ms.iter().find(|m| m.signal == "bench.regressions").unwrap();
        assert_eq!(m.value, Some(1.0), "{m:?}");
        let ex = &m.examples[0];
        let worse: f64 = ex
            .value
            .as_deref()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((worse - 25.0).abs() < 1.5, "{ex:?}");
        assert!(ex.note.as_deref().unwrap().contains("now 1.25"), "{ex:?}");
    }

    /// A subnormal level before a step gives no infinite or NaN size.
    #[test]
    fn a_step_from_a_subnormal_level_has_no_infinite_size() {
        let mut values = vec![1e-310; 50];
        values.extend(vec![1.0; 50]);
        let ev = BenchEvidence {
            series: vec![series(&values, Direction::LowerIsBetter)],
        };
        let ms = measure_of(&ev, &window(), &BenchmarkParams::default());
        for m in &ms {
            assert!(m.value.is_none_or(f64::is_finite), "{m:?}");
            for ex in &m.examples {
                let v = ex.value.clone().unwrap_or_default();
                assert!(!v.contains("inf") && !v.contains("NaN"), "{ex:?}");
            }
        }
    }

    #[test]
    fn steps_before_the_window_are_not_counted() {
        let ev = step_fixture(Direction::LowerIsBetter, 1.2);
        let late = Window {
            since: t0() + Duration::days(60),
            until: t0() + Duration::days(400),
        };
        let ms = measure_of(&ev, &late, &BenchmarkParams::default());
        assert_eq!(value(&ms, "bench.regressions"), Some(0.0));
    }
}
