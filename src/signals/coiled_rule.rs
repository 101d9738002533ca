//! Coiled's own regression rule, beside ours: what coiled/benchmarks'
//! `detect_regressions.py` flags, computed on the same series, so that a
//! report can say where it and change-point detection disagree.
//!
//! The rule, per series of Coiled's `test_run` (runtime, test, metric), over
//! its results up to the end of the window in order:
//!
//! - a test whose last result is more than [`OBSOLETE_DAYS`] days before
//!   the end of the window (`--until`, Coiled's "now") is skipped as obsolete;
//! - a series needs more than `N_BEFORE + N_LAST` (13) results;
//! - the threshold is the mean of the [`N_BEFORE`] results before the last
//!   [`N_LAST`], plus the larger of [`N_STD`] sample standard deviations of
//!   them and one unit (1 s for `duration`, 1 GiB for the memory metrics);
//! - a regression is flagged when each of the last [`N_LAST`] results is at
//!   or above the threshold.
//!
//! Coiled reads rows in the database's order and keeps a NULL value as a
//! gap in its windows; these series are in time order without gaps. The
//! reader's notes count the rows where that differs.

use chrono::{DateTime, Duration, Utc};

use super::Example;
use super::benchmarks::{Analysis, series_label, show};
use crate::evidence::BenchSeries;
use crate::window::Window;

/// How many of the latest results must all reach the threshold.
pub const N_LAST: usize = 3;
/// How many results before them set the threshold.
pub const N_BEFORE: usize = 10;
/// Standard deviations above their mean.
pub const N_STD: f64 = 3.0;
/// A test whose last run is older than this (days before `--until`) is obsolete.
pub const OBSOLETE_DAYS: i64 = 7;
/// Coiled's unit of change in memory: one GiB.
pub const GIB: f64 = 1_073_741_824.0;
/// The tool of the series the rule reads (Coiled's `test_run`).
const TOOL: &str = "coiled";
/// How many disagreements are listed.
const EXAMPLES: usize = 10;

/// What the rule says about one series.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The last result is more than [`OBSOLETE_DAYS`] days before `--until`.
    Obsolete { last: DateTime<Utc> },
    /// `n` results, not more than `N_BEFORE + N_LAST`.
    TooFew { n: usize },
    /// The rule was applied.
    Checked {
        /// Mean of the [`N_BEFORE`] results before the last [`N_LAST`].
        mean: f64,
        threshold: f64,
        /// The last [`N_LAST`] results, oldest first.
        last: [f64; N_LAST],
        regression: bool,
    },
}

impl Verdict {
    /// True when the rule flags a regression.
    #[must_use]
    pub fn regression(&self) -> bool {
        matches!(
            self,
            Verdict::Checked {
                regression: true,
                ..
            }
        )
    }
}

/// Coiled's unit of change for a series: 1 GiB for bytes, else 1 (second).
fn unit_of(series: &BenchSeries) -> f64 {
    if series.unit == "bytes" { GIB } else { 1.0 }
}

/// Coiled's rule on `series` as of `until`; `None` for a series that is not
/// from Coiled's `test_run`.
#[must_use]
pub fn verdict(series: &BenchSeries, until: DateTime<Utc>) -> Option<Verdict> {
    if series.tool != TOOL {
        return None;
    }
    let points: Vec<_> = series.points.iter().filter(|p| p.time <= until).collect();
    let last = points.last()?;
    if last.time < until - Duration::days(OBSOLETE_DAYS) {
        return Some(Verdict::Obsolete { last: last.time });
    }
    let n = points.len();
    if n <= N_BEFORE + N_LAST {
        return Some(Verdict::TooFew { n });
    }
    let values: Vec<f64> = points.iter().map(|p| p.value).collect();
    let before = &values[n - N_BEFORE - N_LAST..n - N_LAST];
    #[expect(clippy::cast_precision_loss, reason = "N_BEFORE is 10")]
    let count = before.len() as f64;
    let mean = before.iter().sum::<f64>() / count;
    let var = before.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (count - 1.0);
    let threshold = mean + (N_STD * var.sqrt()).max(unit_of(series));
    let tail = [values[n - 3], values[n - 2], values[n - 1]];
    Some(Verdict::Checked {
        mean,
        threshold,
        last: tail,
        regression: tail.iter().all(|v| *v >= threshold),
    })
}

/// Coiled's rule on every Coiled series of an analysis, beside ours.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// `(series, verdict)` for every Coiled `test_run` series.
    pub verdicts: Vec<(usize, Verdict)>,
    /// The series where the rule and change-point detection disagree.
    pub disagree: Vec<usize>,
}

/// Compares Coiled's rule with the analysis' unrecovered regressions.
#[must_use]
pub fn agreement(analysis: &Analysis, window: &Window) -> Agreement {
    let verdicts: Vec<(usize, Verdict)> = analysis
        .bench
        .series
        .iter()
        .enumerate()
        .filter_map(|(i, s)| verdict(s, window.until).map(|v| (i, v)))
        .collect();
    let ours = |i: usize| analysis.regressions.iter().any(|r| r.series == i);
    let disagree = verdicts
        .iter()
        .filter(|(i, v)| v.regression() != ours(*i))
        .map(|(i, _)| *i)
        .collect();
    Agreement { verdicts, disagree }
}

impl Agreement {
    /// The sentence added to `bench.regressions`' basis; empty without Coiled series.
    #[must_use]
    pub fn basis(&self) -> String {
        if self.verdicts.is_empty() {
            return String::new();
        }
        let count =
            |f: &dyn Fn(&Verdict) -> bool| self.verdicts.iter().filter(|(_, v)| f(v)).count();
        format!(
            "; Coiled's own rule (detect_regressions.py: each of the last {N_LAST} results at or above the mean of the {N_BEFORE} before them plus the larger of {N_STD} standard deviations and 1 s or 1 GiB) on the {} Coiled test_run series flags {}, skips {} as obsolete (last result over {OBSOLETE_DAYS} days before the window's end) and {} with {} results or fewer; it and change-point detection disagree on {} (listed)",
            self.verdicts.len(),
            count(&Verdict::regression),
            count(&|v| matches!(v, Verdict::Obsolete { .. })),
            count(&|v| matches!(v, Verdict::TooFew { .. })),
            N_BEFORE + N_LAST,
            self.disagree.len()
        )
    }

    /// One example per disagreement (at most [`EXAMPLES`]).
    #[must_use]
    pub fn examples(&self, analysis: &Analysis) -> Vec<Example> {
        self.verdicts
            .iter()
            .filter(|(i, _)| self.disagree.contains(i))
            .take(EXAMPLES)
            .map(|(i, v)| {
                let s = &analysis.bench.series[*i];
                let (value, ours) = if v.regression() {
                    ("Coiled's rule only", "change points: no unrecovered step")
                } else {
                    ("change points only", "change points: an unrecovered step")
                };
                Example {
                    label: series_label(s),
                    date: None,
                    value: Some(value.into()),
                    note: Some(format!("{}; {ours}", describe(v, s))),
                    url: None,
                }
            })
            .collect()
    }
}

/// What the rule saw, in Coiled's units (seconds, GiB).
fn describe(v: &Verdict, s: &BenchSeries) -> String {
    let (scale, unit) = if s.unit == "bytes" {
        (GIB, "GiB")
    } else {
        (1.0, "s")
    };
    let q = |x: f64| show(x / scale, unit);
    match v {
        Verdict::Obsolete { last } => format!(
            "Coiled's rule: skipped as obsolete, last result {}",
            last.format("%Y-%m-%d")
        ),
        Verdict::TooFew { n } => format!(
            "Coiled's rule: not applied, {n} results (it needs more than {})",
            N_BEFORE + N_LAST
        ),
        Verdict::Checked {
            mean,
            threshold,
            last,
            regression,
        } => format!(
            "Coiled's rule: last three {}, {}, {} {} threshold {} (mean before {})",
            q(last[0]),
            q(last[1]),
            q(last[2]),
            if *regression {
                "all at or above"
            } else {
                "not all at or above"
            },
            q(*threshold),
            q(*mean)
        ),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::evidence::{BenchPoint, Direction};

    fn t(day: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::days(day)
    }

    fn series(values: &[f64], unit: &str) -> BenchSeries {
        BenchSeries {
            tool: TOOL.into(),
            benchmark: "test_x".into(),
            params: "metric=duration".into(),
            machine: String::new(),
            env: "coiled-upstream-py3.10".into(),
            unit: unit.into(),
            direction: Direction::LowerIsBetter,
            location: "benchmark.db".into(),
            points: values
                .iter()
                .zip(0..)
                .map(|(v, i)| BenchPoint {
                    time: t(i),
                    commit: None,
                    value: *v,
                    labels: None,
                })
                .collect(),
        }
    }

    /// Ten results of 10 s (no spread: the one-second floor decides) then
    /// three at exactly 11 s: `>=` flags it; one at 10.99 s does not.
    #[test]
    fn the_threshold_is_reached_at_equality() {
        let mut v = vec![5.0; 4];
        v.extend([10.0; 10]);
        v.extend([11.0; 3]);
        let s = series(&v, "seconds");
        let until = t(16);
        let got = verdict(&s, until).unwrap();
        assert_eq!(
            got,
            Verdict::Checked {
                mean: 10.0,
                threshold: 11.0,
                last: [11.0; 3],
                regression: true
            }
        );
        let mut w = v.clone();
        w[15] = 10.99;
        assert!(!verdict(&series(&w, "seconds"), until).unwrap().regression());
    }

    /// Three standard deviations win over the unit when larger; memory's unit is a GiB.
    #[test]
    fn spread_and_units_set_the_threshold() {
        let before = [1.0, 3.0, 1.0, 3.0, 1.0, 3.0, 1.0, 3.0, 1.0, 3.0];
        // mean 2, sample sd sqrt(10/9) = 1.054..., threshold 2 + 3.162...
        let mut v = vec![0.0; 1];
        v.extend(before);
        v.extend([5.2, 5.2, 5.2]);
        let got = verdict(&series(&v, "seconds"), t(13)).unwrap();
        let sd = (10.0f64 / 9.0).sqrt();
        let Verdict::Checked {
            threshold,
            regression,
            ..
        } = got
        else {
            panic!("{got:?}")
        };
        assert!((threshold - (2.0 + 3.0 * sd)).abs() < 1e-12);
        assert!(regression);
        // In bytes, the same numbers are far under one GiB of change.
        let got = verdict(&series(&v, "bytes"), t(13)).unwrap();
        let Verdict::Checked { threshold, .. } = got else {
            panic!("{got:?}")
        };
        assert!((threshold - (2.0 + GIB)).abs() < 1e-6);
    }

    #[test]
    fn obsolete_and_short_series_are_skipped() {
        let s = series(&[1.0; 14], "seconds");
        // Last result on day 13; until day 21 is 8 days later.
        assert_eq!(verdict(&s, t(21)), Some(Verdict::Obsolete { last: t(13) }));
        assert!(matches!(verdict(&s, t(20)), Some(Verdict::Checked { .. })));
        let short = series(&[1.0; 13], "seconds");
        assert_eq!(verdict(&short, t(13)), Some(Verdict::TooFew { n: 13 }));
        // As of an earlier day, the later results do not exist yet.
        assert_eq!(verdict(&s, t(5)), Some(Verdict::TooFew { n: 6 }));
        let mut other = s.clone();
        other.tool = "asv".into();
        assert_eq!(verdict(&other, t(13)), None);
    }
}
