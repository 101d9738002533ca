//! Trends: the signals' raw material bucketed by period, for the report's
//! charts. Releases per quarter, issue first-response time by month (p50
//! and p90), CI pass rate by month, and the results of the worst-regressed
//! benchmarks. Pure, like every measurement. Each family's `trends` (see
//! [`super::SignalFamily`]) draws its charts with these functions, from the
//! analysis its signals used.

use chrono::{DateTime, Datelike, TimeZone, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{SignalId, benchmarks, ci, releases, responsiveness};
use crate::stats;
use crate::window::Window;

/// At most this many periods are shown: the most recent ones.
const MAX_MONTHS: usize = 24;
const MAX_QUARTERS: usize = 16;
/// At most this many points of a benchmark are drawn; more are merged into
/// runs of equal length, each shown as its median.
const MAX_BENCH_POINTS: usize = 60;
/// How many of the worst-regressed benchmarks get a chart.
const BENCH_CHARTS: usize = 3;

/// One chart's data: values per period (or per result), one or more series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Trend {
    /// `releases_per_quarter`, `issue_first_response_by_month`,
    /// `ci_pass_rate_by_month`, `bench_regression_1` ... `_3`.
    pub id: String,
    /// The chart's title; for a benchmark, its name (untrusted text).
    pub title: String,
    /// The signal the chart illustrates.
    pub signal: String,
    /// What the x axis counts: `quarter`, `month`, or `date` (of a
    /// benchmark's result, or of the first of the results merged into a point).
    pub x: String,
    /// What the values are, for the y axis: `releases`, `hours`, `% passed`,
    /// or a benchmark's unit.
    pub y: String,
    /// One label per period or result.
    pub labels: Vec<String>,
    /// The chart's series, each with one value per label.
    pub series: Vec<TrendSeries>,
    /// Items behind each value (releases, answered issues, runs, results).
    pub n: Vec<u64>,
    /// Anything a reader should know: periods left out, results merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One line or bar series of a [`Trend`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrendSeries {
    /// `releases`, `p50`, `p90`, `pass rate`, or a benchmark's unit
    /// (`median UNIT` when results are merged).
    pub name: String,
    /// `bar` or `line`.
    pub kind: String,
    /// `None` where the period has nothing to measure.
    pub values: Vec<Option<f64>>,
}

/// A period: its label and its bounds, start inclusive, end exclusive.
struct Period {
    label: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

fn month_start(year: i32, month0: u32) -> Option<DateTime<Utc>> {
    Utc.with_ymd_and_hms(year, month0 + 1, 1, 0, 0, 0).single()
}

/// The calendar periods of `length` months (1 or 3) that overlap `window`,
/// the most recent `max` of them, and how many were left out.
fn periods(window: &Window, length: u32, max: usize) -> (Vec<Period>, usize) {
    let index =
        |t: DateTime<Utc>| i64::from(t.year()) * 12 + i64::from(t.month0() / length * length);
    let (first, last) = (index(window.since), index(window.until));
    let mut out = Vec::new();
    let mut i = first;
    while i <= last {
        let (year, month0) = (i.div_euclid(12), i.rem_euclid(12));
        let (next_year, next_month0) = (
            (i + i64::from(length)).div_euclid(12),
            (i + i64::from(length)).rem_euclid(12),
        );
        let (Ok(year), Ok(month0), Ok(next_year), Ok(next_month0)) = (
            i32::try_from(year),
            u32::try_from(month0),
            i32::try_from(next_year),
            u32::try_from(next_month0),
        ) else {
            break;
        };
        let (Some(start), Some(end)) = (
            month_start(year, month0),
            month_start(next_year, next_month0),
        ) else {
            break;
        };
        let label = if length == 3 {
            format!("{year} Q{}", month0 / 3 + 1)
        } else {
            format!("{year}-{:02}", month0 + 1)
        };
        out.push(Period { label, start, end });
        i += i64::from(length);
    }
    let dropped = out.len().saturating_sub(max);
    (out.split_off(dropped), dropped)
}

/// Values of `items` (time, value) falling in each period and in the window.
fn bucket<T: Copy>(
    periods: &[Period],
    window: &Window,
    items: &[(DateTime<Utc>, T)],
) -> Vec<Vec<T>> {
    periods
        .iter()
        .map(|p| {
            items
                .iter()
                .filter(|(t, _)| window.contains(*t) && p.start <= *t && *t < p.end)
                .map(|(_, v)| *v)
                .collect()
        })
        .collect()
}

fn round(v: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (v * scale).round() / scale
}

fn left_out(dropped: usize, unit: &str) -> Option<String> {
    (dropped > 0).then(|| format!("the {dropped} earliest {unit}s of the window are left out"))
}

/// Releases per quarter: the releases `release.count_365d` counts, from the
/// analysis the `release.*` signals used; `None` when there are none.
pub(super) fn releases_per_quarter(
    analysis: &releases::Analysis,
    window: &Window,
) -> Option<Trend> {
    let dates = releases::release_dates(analysis);
    if dates.is_empty() {
        return None;
    }
    let (ps, dropped) = periods(window, 3, MAX_QUARTERS);
    let items: Vec<(DateTime<Utc>, ())> = dates.iter().map(|d| (*d, ())).collect();
    let counts: Vec<u64> = bucket(&ps, window, &items)
        .iter()
        .map(|b| b.len() as u64)
        .collect();
    #[allow(clippy::cast_precision_loss)]
    Some(Trend {
        id: "releases_per_quarter".into(),
        title: "Releases per quarter".into(),
        signal: SignalId::RELEASE_COUNT_365D.as_str().into(),
        x: "quarter".into(),
        y: "releases".into(),
        labels: ps.iter().map(|p| p.label.clone()).collect(),
        series: vec![TrendSeries {
            name: "releases".into(),
            kind: "bar".into(),
            values: counts.iter().map(|c| Some(*c as f64)).collect(),
        }],
        n: counts,
        note: left_out(dropped, "quarter"),
    })
}

/// Hours to first response of issues, p50 and p90 by month opened; `None`
/// when no issue opened in the window was answered.
pub(super) fn issue_first_response(
    opened: &responsiveness::Opened<'_>,
    window: &Window,
) -> Option<Trend> {
    let answered = responsiveness::issue_response_hours(opened);
    if answered.is_empty() {
        return None;
    }
    let (ps, dropped) = periods(window, 1, MAX_MONTHS);
    let buckets = bucket(&ps, window, &answered);
    let q = |p: f64| -> Vec<Option<f64>> {
        buckets
            .iter()
            .map(|b| stats::quantile(b, p).map(|v| round(v, 1)))
            .collect()
    };
    Some(Trend {
        id: "issue_first_response_by_month".into(),
        title: "Hours to first response (issues), by month opened".into(),
        signal: SignalId::ISSUES_FIRST_RESPONSE_P50_HOURS.as_str().into(),
        x: "month".into(),
        y: "hours".into(),
        labels: ps.iter().map(|p| p.label.clone()).collect(),
        series: vec![
            TrendSeries {
                name: "p50".into(),
                kind: "line".into(),
                values: q(0.5),
            },
            TrendSeries {
                name: "p90".into(),
                kind: "line".into(),
                values: q(0.9),
            },
        ],
        n: buckets.iter().map(|b| b.len() as u64).collect(),
        note: left_out(dropped, "month"),
    })
}

/// The share of CI runs that pass, by month; `None` when no run in the
/// window has a verdict.
pub(super) fn ci_pass_rate(scope: &ci::Scope<'_>, window: &Window) -> Option<Trend> {
    let verdicts = ci::run_verdicts(scope);
    if verdicts.is_empty() {
        return None;
    }
    let (ps, dropped) = periods(window, 1, MAX_MONTHS);
    let buckets = bucket(&ps, window, &verdicts);
    #[allow(clippy::cast_precision_loss)]
    let rates = buckets
        .iter()
        .map(|b| {
            (!b.is_empty()).then(|| {
                round(
                    100.0 * b.iter().filter(|p| **p).count() as f64 / b.len() as f64,
                    1,
                )
            })
        })
        .collect();
    Some(Trend {
        id: "ci_pass_rate_by_month".into(),
        title: "CI runs that pass, by month".into(),
        signal: SignalId::CI_PASS_RATE.as_str().into(),
        x: "month".into(),
        y: "% passed".into(),
        labels: ps.iter().map(|p| p.label.clone()).collect(),
        series: vec![TrendSeries {
            name: "pass rate".into(),
            kind: "line".into(),
            values: rates,
        }],
        n: buckets.iter().map(|b| b.len() as u64).collect(),
        note: left_out(dropped, "month"),
    })
}

/// The results of the worst-regressed benchmarks over the window.
pub(super) fn bench_trends(analysis: &benchmarks::Analysis, window: &Window) -> Vec<Trend> {
    let b = analysis.bench;
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for r in &analysis.regressions {
        if seen.contains(&r.series) {
            continue;
        }
        seen.push(r.series);
        let s = &b.series[r.series];
        let points: Vec<_> = s
            .points
            .iter()
            .filter(|p| window.contains(p.time) && p.value.is_finite())
            .collect();
        let chunk = points.len().div_ceil(MAX_BENCH_POINTS).max(1);
        let mut labels = Vec::new();
        let mut values = Vec::new();
        let mut n = Vec::new();
        for group in points.chunks(chunk) {
            let vals: Vec<f64> = group.iter().map(|p| p.value).collect();
            labels.push(super::day(group[0].time));
            values.push(stats::median(&vals).map(significant));
            n.push(group.len() as u64);
        }
        out.push(Trend {
            id: format!("bench_regression_{}", out.len() + 1),
            title: benchmarks::series_label(s),
            signal: SignalId::BENCH_REGRESSIONS.as_str().into(),
            x: "date".into(),
            y: s.unit.clone(),
            labels,
            series: vec![TrendSeries {
                name: match (chunk > 1, s.unit.trim()) {
                    (false, "") => "value".into(),
                    (false, unit) => unit.to_string(),
                    (true, "") => "median".into(),
                    (true, unit) => format!("median {unit}"),
                },
                kind: "line".into(),
                values,
            }],
            n,
            note: (chunk > 1).then(|| {
                format!(
                    "{} results in the window, shown as medians of {chunk} in a row",
                    points.len()
                )
            }),
        });
        if out.len() == BENCH_CHARTS {
            break;
        }
    }
    out
}

/// `v` with four significant digits. Rounded through its decimal text:
/// scaling by a power of ten overflows for tiny values (`1e-310` times
/// `1e313` is infinite, and the chart drew `NaN`).
fn significant(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    format!("{v:.3e}").parse().unwrap_or(v)
}

#[cfg(test)]
#[expect(clippy::float_cmp, reason = "expected values are exact")]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
    }

    #[test]
    fn periods_are_calendar_months_and_quarters_over_the_window() {
        let w = Window {
            since: at(2025, 11, 20),
            until: at(2026, 2, 10),
        };
        let (months, dropped) = periods(&w, 1, 24);
        let labels: Vec<_> = months.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!(dropped, 0);
        assert_eq!(months[1].start, at(2025, 12, 1));
        assert_eq!(months[1].end, at(2026, 1, 1));
        let (quarters, _) = periods(&w, 3, 16);
        let labels: Vec<_> = quarters.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["2025 Q4", "2026 Q1"]);
        // Only the most recent are kept.
        let (last2, dropped) = periods(&w, 1, 2);
        assert_eq!(last2[0].label, "2026-01");
        assert_eq!(dropped, 2);
    }

    #[test]
    fn buckets_respect_the_window() {
        let w = Window {
            since: at(2026, 1, 15),
            until: at(2026, 2, 10),
        };
        let (ps, _) = periods(&w, 1, 24);
        let items = [
            (at(2026, 1, 10), 1),
            (at(2026, 1, 20), 2),
            (at(2026, 2, 9), 3),
            (at(2026, 2, 20), 4),
        ];
        assert_eq!(bucket(&ps, &w, &items), vec![vec![2], vec![3]]);
    }

    #[test]
    fn significant_keeps_four_digits() {
        assert!((significant(0.012_345_6) - 0.012_35).abs() < 1e-12);
        assert!((significant(123_456.0) - 123_500.0).abs() < 1e-9);
        assert_eq!(significant(0.0), 0.0);
        // Subnormal and huge values keep their digits instead of becoming NaN.
        assert_eq!(significant(1.234_56e-310), 1.235e-310);
        assert_eq!(significant(-1.234_56e300), -1.235e300);
    }
}
