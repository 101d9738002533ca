//! CI signals from GitHub Actions runs: `ci.pass_rate`, `ci.flaky_rate`,
//! `ci.duration_p50_minutes`.
//!
//! The runs counted are those of the default branch (the collector asks for
//! no others) triggered by `push` or `schedule`, with status `completed`,
//! created in the window: pull-request runs test proposed changes, not the
//! project's own state, and manual runs are often experiments.
//!
//! A run's verdict is its conclusion. `success` passes; `failure` and
//! `timed_out` fail. Everything else is left out and counted in the basis:
//! `cancelled` (usually superseded by a newer push), `skipped`, `neutral`,
//! `action_required` and `stale` say nothing about the code, and
//! `startup_failure` is left out too: it means the workflow could not start
//! at all (an invalid workflow file, a disabled or over-limit account), which
//! is a fault of the CI configuration or the account, not a failing build,
//! and GitHub's own definition of the signal names only failure and
//! timed_out. Its count is shown so that a reader can see it.
//!
//! The runs listing shows each run's latest attempt only, so a failure that
//! a re-run turned green is visible only as a successful run with
//! `run_attempt > 1`; `ci.flaky_rate` counts it as flaky.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{Example, Measurement, Reading, SignalDef, SignalId, Unit, day, plural};
use crate::evidence::{Evidence, WorkflowRun, sources};
use crate::stats;
use crate::window::{Window, days_between};

const SOURCE: &str = "GitHub Actions runs";
/// How many runs or groups are listed as examples.
const EXAMPLES: usize = 10;
/// The normal quantile of the interval given with `ci.pass_rate` (95 %).
const Z95: f64 = 1.96;

/// The signals of this family, each declared once: its id and definition.
impl SignalId {
    /// `ci.pass_rate`
    pub const CI_PASS_RATE: SignalId = SignalId::new(&SignalDef {
        id: "ci.pass_rate",
        unit: Unit::Fraction,
        title: "CI runs that pass",
        definition: "Share of GitHub Actions runs on the default branch, triggered by push or schedule and completed in the window, that succeeded: success / (success + failure + timed_out); cancelled and skipped runs left out. The report gives the Wilson 95% interval.",
        anchor: "",
        source: "GitHub Actions runs",
    });
    /// `ci.flaky_rate`
    pub const CI_FLAKY_RATE: SignalId = SignalId::new(&SignalDef {
        id: "ci.flaky_rate",
        unit: Unit::Fraction,
        title: "Flaky CI (workflow, commit) pairs",
        definition: "Share of (workflow, commit) groups of those runs that have both a success and a failure, or a failure rescued by a re-run (run attempt > 1).",
        anchor: "Buildkite Test Engine, flip rate",
        source: "GitHub Actions runs",
    });
    /// `ci.duration_p50_minutes`
    pub const CI_DURATION_P50_MINUTES: SignalId = SignalId::new(&SignalDef {
        id: "ci.duration_p50_minutes",
        unit: Unit::Minutes,
        title: "Median CI run duration",
        definition: "Median minutes from a run's start to its last update, over the completed runs counted by ci.pass_rate.",
        anchor: "",
        source: "GitHub Actions runs",
    });
}

const IDS: [SignalId; 3] = [
    SignalId::CI_PASS_RATE,
    SignalId::CI_FLAKY_RATE,
    SignalId::CI_DURATION_P50_MINUTES,
];

/// What a run's conclusion says about the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Pass,
    Fail,
    /// Left out of every rate; the conclusion is kept for the basis.
    None,
}

fn verdict(run: &WorkflowRun) -> Verdict {
    match run.conclusion.as_deref() {
        Some("success") => Verdict::Pass,
        Some("failure" | "timed_out") => Verdict::Fail,
        _ => Verdict::None,
    }
}

fn short_sha(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

fn label(run: &WorkflowRun) -> String {
    format!("{} {}", run.workflow, short_sha(&run.head_sha))
}

/// Minutes from the run's start (else its creation) to its last update.
fn minutes(run: &WorkflowRun) -> f64 {
    let start = run.run_started_at.unwrap_or(run.created_at);
    (days_between(start, run.updated_at) * 24.0 * 60.0).max(0.0)
}

/// The runs of the window sorted into what counts and what was left out, and
/// why: what the `ci.*` signals and the pass-rate chart share.
#[derive(Debug)]
pub(crate) struct Scope<'a> {
    /// Completed push and schedule runs created in the window.
    counted: Vec<&'a WorkflowRun>,
    outside: usize,
    /// Runs in the window by other events, per event.
    other_events: BTreeMap<&'a str, usize>,
    not_completed: usize,
    total: usize,
}

impl<'a> Scope<'a> {
    /// Sorts `runs` by whether they count over `window`.
    pub(crate) fn new(runs: &'a [WorkflowRun], window: &Window) -> Scope<'a> {
        let mut s = Scope {
            counted: Vec::new(),
            outside: 0,
            other_events: BTreeMap::new(),
            not_completed: 0,
            total: runs.len(),
        };
        for run in runs {
            if !window.contains(run.created_at) {
                s.outside += 1;
            } else if !matches!(run.event.as_str(), "push" | "schedule") {
                *s.other_events.entry(run.event.as_str()).or_default() += 1;
            } else if run.status != "completed" {
                s.not_completed += 1;
            } else {
                s.counted.push(run);
            }
        }
        s
    }

    /// "3 by other events (pull_request 2, workflow_dispatch 1), 1 not completed, 2 created outside the window".
    fn left_out(&self) -> String {
        let other: usize = self.other_events.values().sum();
        let mut parts = Vec::new();
        if other > 0 {
            let events: Vec<String> = self
                .other_events
                .iter()
                .map(|(e, n)| format!("{e} {n}"))
                .collect();
            parts.push(format!(
                "{other} triggered by other events ({})",
                events.join(", ")
            ));
        }
        if self.not_completed > 0 {
            parts.push(format!("{} not completed", self.not_completed));
        }
        if self.outside > 0 {
            parts.push(format!("{} created outside the window", self.outside));
        }
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(", ")
        }
    }

    /// Why nothing counts.
    fn nothing_counted(&self) -> String {
        if self.total == 0 {
            "no GitHub Actions run of the default branch was created in the window".into()
        } else {
            format!(
                "none of the {} collected is a completed push or schedule run created in the window (left out: {})",
                plural(self.total, "run"),
                self.left_out()
            )
        }
    }

    /// "40 completed push and schedule runs created in the window (left out: ...)".
    fn summary(&self) -> String {
        format!(
            "{} completed push and schedule {} of the default branch created in the window (left out: {})",
            self.counted.len(),
            if self.counted.len() == 1 {
                "run"
            } else {
                "runs"
            },
            self.left_out()
        )
    }

    /// The counted runs with a verdict.
    fn decisive(&self) -> Vec<&'a WorkflowRun> {
        self.counted
            .iter()
            .copied()
            .filter(|r| verdict(r) != Verdict::None)
            .collect()
    }

    /// "3 cancelled, 1 skipped": the counted runs without a verdict, by conclusion.
    fn without_verdict(&self) -> String {
        let mut by: BTreeMap<&str, usize> = BTreeMap::new();
        for r in self.counted.iter().filter(|r| verdict(r) == Verdict::None) {
            *by.entry(r.conclusion.as_deref().unwrap_or("no conclusion"))
                .or_default() += 1;
        }
        if by.is_empty() {
            "none".into()
        } else {
            by.iter()
                .map(|(c, n)| format!("{n} {c}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// The runs `ci.pass_rate` counts, with when each was created and whether it passed.
pub(crate) fn run_verdicts(scope: &Scope<'_>) -> Vec<(DateTime<Utc>, bool)> {
    scope
        .decisive()
        .iter()
        .map(|r| (r.created_at, verdict(r) == Verdict::Pass))
        .collect()
}

/// Measures the `ci.*` signals (`None`: no GitHub Actions runs were collected).
#[must_use]
pub fn measure(runs: Option<&[WorkflowRun]>, window: &Window) -> Vec<Measurement> {
    let scope = runs.map(|runs| Scope::new(runs, window));
    measure_scope(scope.as_ref(), window)
}

/// The `ci.*` signals of the sorted runs (`None`: no runs were collected).
fn measure_scope(scope: Option<&Scope<'_>>, window: &Window) -> Vec<Measurement> {
    let Some(scope) = scope else {
        return Measurement::all_insufficient(
            &IDS,
            *window,
            SOURCE,
            "no GitHub Actions runs were collected (a GitHub source is needed)",
        );
    };
    let decisive = scope.decisive();
    let no_verdict = || {
        if scope.counted.is_empty() {
            scope.nothing_counted()
        } else {
            format!(
                "none of the {} succeeded, failed or timed out ({})",
                scope.summary(),
                scope.without_verdict()
            )
        }
    };
    vec![
        pass_rate(scope, &decisive, window, no_verdict),
        flaky_rate(scope, &decisive, window, no_verdict),
        duration(scope, &decisive, window, no_verdict),
    ]
}

fn pass_rate(
    scope: &Scope<'_>,
    decisive: &[&WorkflowRun],
    window: &Window,
    reason: impl FnOnce() -> String,
) -> Measurement {
    let count = |c: &str| {
        decisive
            .iter()
            .filter(|r| r.conclusion.as_deref() == Some(c))
            .count()
    };
    let (passed, failed, timed_out) = (count("success"), count("failure"), count("timed_out"));
    let n = decisive.len();
    #[allow(clippy::cast_precision_loss)]
    let value = (n > 0).then(|| passed as f64 / n as f64);
    let interval =
        stats::wilson(passed as u64, n as u64, Z95).map_or_else(String::new, |(lo, hi)| {
            format!(
                "; 95% interval {}–{} (Wilson)",
                Unit::Fraction.format(lo),
                Unit::Fraction.format(hi)
            )
        });
    let basis = format!(
        "{} with a verdict ({passed} success, {failed} failure, {timed_out} timed out) out of the {}; without a verdict, left out: {}{interval}",
        plural(n, "run"),
        scope.summary(),
        scope.without_verdict()
    );
    // The most recent failures.
    let mut failures: Vec<&&WorkflowRun> = decisive
        .iter()
        .filter(|r| verdict(r) == Verdict::Fail)
        .collect();
    failures.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let examples = failures
        .iter()
        .take(EXAMPLES)
        .map(|r| Example {
            label: label(r),
            date: Some(day(r.created_at)),
            value: r.conclusion.clone(),
            note: Some(r.event.clone()),
            url: Some(r.url.clone()),
        })
        .collect();
    Measurement::new(
        SignalId::CI_PASS_RATE,
        *window,
        SOURCE,
        Reading::of(value, n as u64, basis, reason, examples),
    )
}

/// One (workflow, commit) group: why it is flaky, if it is, and the run to link.
fn flaky_reason<'a>(group: &[&'a WorkflowRun]) -> Option<(String, &'a WorkflowRun)> {
    let passed = group.iter().any(|r| verdict(r) == Verdict::Pass);
    let failed = group.iter().find(|r| verdict(r) == Verdict::Fail);
    if passed && let Some(f) = failed {
        return Some((
            format!(
                "success and failure on the same commit ({})",
                plural(group.len(), "run")
            ),
            f,
        ));
    }
    group
        .iter()
        .find(|r| verdict(r) == Verdict::Pass && r.run_attempt > 1)
        .map(|r| {
            (
                format!(
                    "passed on re-run (attempt {}): an earlier attempt did not pass",
                    r.run_attempt
                ),
                *r,
            )
        })
}

fn flaky_rate(
    scope: &Scope<'_>,
    decisive: &[&WorkflowRun],
    window: &Window,
    reason: impl FnOnce() -> String,
) -> Measurement {
    let mut groups: BTreeMap<(u64, &str), Vec<&WorkflowRun>> = BTreeMap::new();
    for r in decisive {
        groups
            .entry((r.workflow_id, r.head_sha.as_str()))
            .or_default()
            .push(r);
    }
    let mut flaky: Vec<(DateTime<Utc>, String, &WorkflowRun, &WorkflowRun)> = groups
        .values()
        .filter_map(|g| {
            let (why, link) = flaky_reason(g)?;
            let first = g.iter().min_by_key(|r| r.created_at)?;
            let last = g.iter().map(|r| r.created_at).max()?;
            Some((last, why, link, *first))
        })
        .collect();
    flaky.sort_by(|a, b| b.0.cmp(&a.0).then(b.2.id.cmp(&a.2.id)));
    let n = groups.len();
    #[allow(clippy::cast_precision_loss)]
    let value = (n > 0).then(|| flaky.len() as f64 / n as f64);
    let rescued = flaky
        .iter()
        .filter(|f| f.1.starts_with("passed on re-run"))
        .count();
    let basis = format!(
        "{} flaky out of {} (workflow, commit) {} of the {} with a verdict: {} with both a success and a failure, {rescued} passed only on a re-run; runs from the {}",
        flaky.len(),
        n,
        if n == 1 { "group" } else { "groups" },
        plural(decisive.len(), "run"),
        flaky.len() - rescued,
        scope.summary()
    );
    let examples = flaky
        .iter()
        .take(EXAMPLES)
        .map(|(_, why, link, first)| Example {
            label: label(link),
            date: Some(day(first.created_at)),
            value: None,
            note: Some(why.clone()),
            url: Some(link.url.clone()),
        })
        .collect();
    Measurement::new(
        SignalId::CI_FLAKY_RATE,
        *window,
        SOURCE,
        Reading::of(value, n as u64, basis, reason, examples),
    )
}

fn duration(
    scope: &Scope<'_>,
    decisive: &[&WorkflowRun],
    window: &Window,
    reason: impl FnOnce() -> String,
) -> Measurement {
    let timed: Vec<(&WorkflowRun, f64)> = decisive.iter().map(|r| (*r, minutes(r))).collect();
    let values: Vec<f64> = timed.iter().map(|(_, m)| *m).collect();
    let no_start = decisive
        .iter()
        .filter(|r| r.run_started_at.is_none())
        .count();
    let basis = format!(
        "{} with a verdict out of the {}; from the start of the run's latest attempt (its creation for {no_start} runs that do not say) to its last update",
        plural(timed.len(), "run"),
        scope.summary()
    );
    let mut slowest = timed.clone();
    slowest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.id.cmp(&b.0.id)));
    let examples = slowest
        .iter()
        .take(EXAMPLES)
        .map(|(r, m)| Example {
            label: label(r),
            date: Some(day(r.created_at)),
            value: Some(Unit::Minutes.format(*m)),
            note: r.conclusion.clone(),
            url: Some(r.url.clone()),
        })
        .collect();
    Measurement::new(
        SignalId::CI_DURATION_P50_MINUTES,
        *window,
        SOURCE,
        Reading::of(
            stats::median(&values),
            timed.len() as u64,
            basis,
            reason,
            examples,
        ),
    )
}

/// The `ci.*` family: GitHub Actions runs on the default branch.
#[derive(Debug, Clone, Copy)]
pub struct Ci;

/// The family, as build.rs lists it in `signals::FAMILIES`.
pub(crate) const FAMILY: &dyn super::Family = &Ci;

impl super::SignalFamily for Ci {
    const ORDER: u32 = 30;

    type Analysis<'a> = Option<Scope<'a>>;

    fn signals(&self) -> &'static [SignalId] {
        &IDS
    }

    fn fed_by(&self, _: &Evidence) -> Vec<(&'static str, &'static [&'static str])> {
        vec![("ci.", &[sources::GITHUB_RUNS])]
    }

    fn absent(&self, ev: &Evidence) -> &'static [&'static str] {
        if ev.runs.is_none() { &["ci."] } else { &[] }
    }

    fn windowed(&self, ev: &Evidence) -> &'static [&'static str] {
        if ev.runs.is_some() { &["ci."] } else { &[] }
    }

    fn analyse<'a>(&self, cx: &super::MeasureCtx<'a>) -> Option<Scope<'a>> {
        let window = cx.window;
        cx.evidence
            .runs
            .as_deref()
            .map(|runs| Scope::new(runs, &window))
    }

    fn measure(&self, cx: &super::MeasureCtx<'_>, a: &Option<Scope<'_>>) -> Vec<Measurement> {
        measure_scope(a.as_ref(), &cx.window)
    }

    fn trends(
        &self,
        cx: &super::MeasureCtx<'_>,
        a: &Option<Scope<'_>>,
    ) -> Vec<super::trends::Trend> {
        a.as_ref()
            .and_then(|scope| super::trends::ci_pass_rate(scope, &cx.window))
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn window() -> Window {
        Window {
            since: at("2026-01-01T00:00:00Z"),
            until: at("2026-07-01T00:00:00Z"),
        }
    }

    /// A completed push run of workflow "CI" (id 1) on commit `sha`, created
    /// `id` hours after 2026-02-01, running 10 minutes after a minute queued.
    fn run(id: u64, sha: &str, conclusion: &str) -> WorkflowRun {
        let created =
            at("2026-02-01T00:00:00Z") + chrono::Duration::hours(i64::try_from(id).unwrap());
        WorkflowRun {
            id,
            workflow: "CI".into(),
            workflow_id: 1,
            head_sha: sha.into(),
            head_branch: Some("main".into()),
            event: "push".into(),
            status: "completed".into(),
            conclusion: Some(conclusion.into()),
            run_attempt: 1,
            created_at: created,
            run_started_at: Some(created + chrono::Duration::minutes(1)),
            updated_at: created + chrono::Duration::minutes(11),
            url: format!("https://github.com/o/r/actions/runs/{id}"),
        }
    }

    fn get<'a>(m: &'a [Measurement], id: &str) -> &'a Measurement {
        m.iter().find(|x| x.signal == id).unwrap()
    }

    /// Cancelled, skipped, startup_failure and other runs without a verdict are left out of the pass rate, and counted in the basis.
    #[test]
    fn pass_rate_leaves_out_runs_without_a_verdict() {
        let runs = [
            run(1, "a", "success"),
            run(2, "b", "success"),
            run(3, "c", "failure"),
            run(4, "d", "timed_out"),
            run(5, "e", "cancelled"),
            run(6, "f", "skipped"),
            run(7, "g", "startup_failure"),
            run(8, "h", "success"),
        ];
        let m = measure(Some(&runs), &window());
        let p = get(&m, "ci.pass_rate");
        assert_eq!((p.value, p.n), (Some(0.6), 5));
        assert!(
            p.basis.starts_with("5 runs with a verdict (3 success, 1 failure, 1 timed out) out of the 8 completed push and schedule runs"),
            "{}",
            p.basis
        );
        assert!(
            p.basis
                .contains("left out: 1 cancelled, 1 skipped, 1 startup_failure"),
            "{}",
            p.basis
        );
        // The failures are the examples, newest first.
        let labels: Vec<&str> = p.examples.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["CI d", "CI c"]);
    }

    /// The basis gives the Wilson 95% interval: 8 of 10 is 49.0 %–94.3 %.
    #[test]
    fn pass_rate_basis_gives_the_wilson_interval() {
        let runs: Vec<WorkflowRun> = (1..=10)
            .map(|i| {
                run(
                    i,
                    &format!("s{i}"),
                    if i <= 8 { "success" } else { "failure" },
                )
            })
            .collect();
        let m = measure(Some(&runs), &window());
        let p = get(&m, "ci.pass_rate");
        assert_eq!(p.value, Some(0.8));
        assert!(
            p.basis.ends_with("; 95% interval 49.0 %–94.3 % (Wilson)"),
            "{}",
            p.basis
        );
    }

    /// A commit with both a success and a failure of one workflow is flaky; so is a success on a re-run; one group per (workflow, commit).
    #[test]
    fn flaky_by_mixed_outcomes_and_by_rerun_rescue() {
        let mut rescued = run(4, "bbbbbbbbbb", "success");
        rescued.run_attempt = 2;
        let mut other_workflow = run(6, "aaaaaaaaaa", "success");
        other_workflow.workflow_id = 2;
        other_workflow.workflow = "Docs".into();
        let runs = [
            // Commit a, workflow 1: failure then success: flaky.
            run(1, "aaaaaaaaaa", "failure"),
            run(2, "aaaaaaaaaa", "success"),
            // Commit b: passed on attempt 2: flaky.
            rescued,
            // Commit c: two failures: broken, not flaky.
            run(7, "cccccccccc", "failure"),
            run(8, "cccccccccc", "timed_out"),
            // Commit a, workflow 2: its own group, steady.
            other_workflow,
            // Commit d: steady success.
            run(9, "dddddddddd", "success"),
        ];
        let m = measure(Some(&runs), &window());
        let f = get(&m, "ci.flaky_rate");
        assert_eq!((f.value, f.n), (Some(0.4), 5));
        let ex: Vec<(&str, &str)> = f
            .examples
            .iter()
            .map(|e| (e.label.as_str(), e.note.as_deref().unwrap()))
            .collect();
        assert_eq!(
            ex,
            [
                (
                    "CI bbbbbbb",
                    "passed on re-run (attempt 2): an earlier attempt did not pass"
                ),
                (
                    "CI aaaaaaa",
                    "success and failure on the same commit (2 runs)"
                ),
            ]
        );
        assert_eq!(
            f.examples[1].url.as_deref(),
            Some("https://github.com/o/r/actions/runs/1"),
            "the failing run is linked"
        );
        assert!(
            f.basis.starts_with("2 flaky out of 5 (workflow, commit) groups of the 7 runs with a verdict: 1 with both a success and a failure, 1 passed only on a re-run"),
            "{}",
            f.basis
        );
    }

    /// The duration is the median of start-to-update minutes; a run without a start time is timed from its creation; the slowest are examples.
    #[test]
    fn duration_is_the_median_from_start_to_update() {
        let mut runs: Vec<WorkflowRun> = (1..=4).map(|i| run(i, "x", "success")).collect();
        // 10, 10, 30 and 40 minutes: the median is 20.
        runs[2].updated_at = runs[2].run_started_at.unwrap() + chrono::Duration::minutes(30);
        runs[3].run_started_at = None;
        runs[3].updated_at = runs[3].created_at + chrono::Duration::minutes(40);
        // A cancelled run's time is not a build's duration.
        let mut cancelled = run(5, "y", "cancelled");
        cancelled.updated_at = cancelled.created_at + chrono::Duration::hours(6);
        runs.push(cancelled);
        let m = measure(Some(&runs), &window());
        let d = get(&m, "ci.duration_p50_minutes");
        assert_eq!((d.value, d.n), (Some(20.0), 4));
        assert_eq!(d.examples[0].value.as_deref(), Some("40.0 min"));
        assert_eq!(d.examples[1].value.as_deref(), Some("30.0 min"));
        assert!(d.basis.contains("its creation for 1 runs"), "{}", d.basis);
    }

    /// Only push and schedule runs count: pull_request and workflow_dispatch runs and unfinished runs are left out, and said.
    #[test]
    fn other_events_and_unfinished_runs_are_left_out() {
        let mut pr = run(1, "a", "failure");
        pr.event = "pull_request".into();
        let mut manual = run(2, "b", "failure");
        manual.event = "workflow_dispatch".into();
        let mut nightly = run(3, "c", "success");
        nightly.event = "schedule".into();
        let mut running = run(4, "d", "success");
        running.status = "in_progress".into();
        running.conclusion = None;
        let runs = [pr, manual, nightly, running, run(5, "e", "failure")];
        let m = measure(Some(&runs), &window());
        let p = get(&m, "ci.pass_rate");
        assert_eq!((p.value, p.n), (Some(0.5), 2));
        assert!(
            p.basis.contains("(left out: 2 triggered by other events (pull_request 1, workflow_dispatch 1), 1 not completed)"),
            "{}",
            p.basis
        );
        // Only other events: a precise reason, on every signal.
        let m = measure(Some(&runs[..2]), &window());
        for x in &m {
            assert_eq!(
                x.insufficient.as_deref(),
                Some(
                    "none of the 2 runs collected is a completed push or schedule run created in the window (left out: 2 triggered by other events (pull_request 1, workflow_dispatch 1))"
                ),
                "{}",
                x.signal
            );
        }
    }

    /// Runs created outside the window are left out, and counted.
    #[test]
    fn runs_outside_the_window_are_left_out() {
        let mut old = run(1, "a", "failure");
        old.created_at = at("2025-12-31T23:59:59Z");
        let mut late = run(2, "b", "failure");
        late.created_at = at("2026-07-01T00:00:01Z");
        let runs = [old, late, run(3, "c", "success")];
        let m = measure(Some(&runs), &window());
        let p = get(&m, "ci.pass_rate");
        assert_eq!((p.value, p.n), (Some(1.0), 1));
        assert!(
            p.basis.contains("2 created outside the window"),
            "{}",
            p.basis
        );
    }

    /// No runs collected, no runs at all, or runs without a verdict give reasons, not zeros.
    #[test]
    fn missing_evidence_is_insufficient_with_a_reason() {
        let m = measure(None, &window());
        assert_eq!(m.len(), 3);
        assert!(m.iter().all(|x| x.value.is_none()
            && x.insufficient.as_deref()
                == Some("no GitHub Actions runs were collected (a GitHub source is needed)")));
        let m = measure(Some(&[]), &window());
        assert!(m.iter().all(|x| x.insufficient.as_deref()
            == Some("no GitHub Actions run of the default branch was created in the window")));
        let runs = [run(1, "a", "cancelled"), run(2, "b", "skipped")];
        let m = measure(Some(&runs), &window());
        let reason = get(&m, "ci.pass_rate").insufficient.clone().unwrap();
        assert!(
            reason.starts_with("none of the 2 completed push and schedule runs")
                && reason.ends_with("succeeded, failed or timed out (1 cancelled, 1 skipped)"),
            "{reason}"
        );
    }
}
