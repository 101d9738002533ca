//! Test signals from JUnit XML runs: `tests.pass_rate`, `tests.flaky_tests`.
//!
//! Each file is a run. Runs whose time is known and outside the window are
//! left out; runs of unknown time are kept (the basis says how many).
//!
//! An `x` outcome (passed and failed within one run: a retried test) counts
//! as a pass for `tests.pass_rate`, since the run went on green, and marks
//! the test flaky. Skipped and absent tests are left out of both signals.
//!
//! Runs are compared within their environment (`TestRun::env`, runs of
//! unknown environment together): a test that fails in every run of one
//! environment and passes in every run of another is an
//! environment-specific failure, named as such under the pass rate, not a
//! flaky test.

use std::collections::{BTreeMap, HashMap};

use super::{Example, Measurement, Reading, SignalDef, SignalId, Unit};
use crate::evidence::{Evidence, TestEvidence, TestRun, sources};
use crate::window::Window;

/// The signals of this family, each declared once: its id and definition.
impl SignalId {
    /// `tests.pass_rate`
    pub const TESTS_PASS_RATE: SignalId = SignalId::new(&SignalDef {
        id: "tests.pass_rate",
        unit: Unit::Fraction,
        title: "Test cases that pass",
        definition: "Share of test-case outcomes over the runs (JUnit XML files) in the window that passed: passed / (passed + failed + error), a test that passed on retry within a run counting as passed; skipped cases left out.",
        anchor: "JUnit XML schema",
        source: "JUnit XML files",
    });
    /// `tests.flaky_tests`
    pub const TESTS_FLAKY_TESTS: SignalId = SignalId::new(&SignalDef {
        id: "tests.flaky_tests",
        unit: Unit::Tests,
        title: "Flaky tests",
        definition: "Tests that both passed and failed on the same commit (or within one run, when retried); where commits are unknown, tests whose outcome flipped between consecutive runs in time order.",
        anchor: "",
        source: "JUnit XML files",
    });
}

const IDS: [SignalId; 2] = [SignalId::TESTS_PASS_RATE, SignalId::TESTS_FLAKY_TESTS];
const SOURCE: &str = "JUnit XML files";
const DIGEST_SOURCE: &str = "check-run digests (publish-unit-test-result-action)";
const BOTH_SOURCES: &str = "JUnit XML files and check-run digests";
/// How many flaky tests are listed as examples.
const FLAKY_EXAMPLES: usize = 15;
/// How many most-failing tests are listed under the pass rate.
const FAILING_EXAMPLES: usize = 10;

/// Per test, its outcomes over the runs counted.
#[derive(Debug, Default, Clone)]
struct TestOutcomes {
    passed: u64,
    failed: u64,
    retried: u64,
    /// Runs in which it ran (not skipped, not absent).
    runs: u64,
    same_commit: bool,
    flipped: bool,
    /// Environments where it failed in every run, and where it passed in every run.
    fails_only_in: Vec<String>,
    passes_only_in: Vec<String>,
}

impl TestOutcomes {
    fn flaky(&self) -> bool {
        self.same_commit || self.retried > 0 || self.flipped
    }

    /// Fails in every run of some environments and passes in every run of others.
    fn env_specific(&self) -> bool {
        !self.flaky() && !self.fails_only_in.is_empty() && !self.passes_only_in.is_empty()
    }
}

/// Outcome counts over all runs counted.
#[derive(Debug, Default)]
struct Counts {
    p: u64,
    x: u64,
    f: u64,
    e: u64,
    s: u64,
}

fn is_pass(c: u8) -> bool {
    matches!(c, b'p' | b'x')
}

fn is_fail(c: u8) -> bool {
    matches!(c, b'f' | b'e' | b'x')
}

fn outcome(run: &TestRun, i: usize) -> u8 {
    run.outcomes.as_bytes().get(i).copied().unwrap_or(b'.')
}

/// The runs compared together: those of one environment (`None`: unknown).
type ByEnv<'a> = BTreeMap<Option<&'a str>, Vec<&'a TestRun>>;

/// Measures the `tests.*` signals (`None`: no JUnit XML files were given).
#[must_use]
pub fn measure(tests: Option<&TestEvidence>, window: &Window) -> Vec<Measurement> {
    let none_for_all = |reason: &str| Measurement::all_insufficient(&IDS, *window, SOURCE, reason);
    let Some(ev) = tests else {
        return none_for_all("no JUnit XML files were given (--junit GLOB)");
    };
    let digests = Digests::of(ev, window);
    if ev.runs.is_empty() && digests.checks > 0 {
        return digests.alone(window);
    }
    if ev.runs.is_empty() {
        return none_for_all(&digests.or("no JUnit XML file could be read"));
    }
    let runs: Vec<&TestRun> = ev
        .runs
        .iter()
        .filter(|r| r.time.is_none_or(|t| window.contains(t)))
        .collect();
    let outside = ev.runs.len() - runs.len();
    let untimed = runs.iter().filter(|r| r.time.is_none()).count();
    let mut scope = format!("{} runs (JUnit XML files)", runs.len());
    if outside > 0 {
        scope.push_str(&format!(", {outside} dated outside the window left out"));
    }
    if untimed > 0 {
        scope.push_str(&format!(", {untimed} of unknown time kept"));
    }
    if runs.is_empty() && digests.checks > 0 {
        return digests.alone(window);
    }
    if runs.is_empty() {
        return none_for_all(&digests.or(&format!(
            "all {} runs are dated outside the window",
            ev.runs.len()
        )));
    }
    let (mut tally, counts) = count(&runs, ev.tests.len());
    let mut by_env: ByEnv = BTreeMap::new();
    for run in &runs {
        by_env.entry(run.env.as_deref()).or_default().push(run);
    }
    let grouping = mark_flaky(&mut tally, &by_env);
    mark_env_specific(&mut tally, &by_env);
    let mut out = vec![
        pass_rate(ev, &tally, &counts, &scope, window),
        flaky_tests(ev, &tally, &scope, &grouping, window),
    ];
    digests.add_to(&mut out, &counts);
    out
}

/// The check-run digests in the window: counts without test names.
#[derive(Debug, Default)]
struct Digests {
    checks: usize,
    commits: usize,
    outside: usize,
    succ: u64,
    skip: u64,
    fail: u64,
    error: u64,
}

impl Digests {
    fn of(ev: &TestEvidence, window: &Window) -> Digests {
        let mut d = Digests::default();
        let mut commits = std::collections::HashSet::new();
        for g in &ev.digests {
            if g.time.is_some_and(|t| !window.contains(t)) {
                d.outside += 1;
                continue;
            }
            d.checks += 1;
            commits.insert(g.commit.as_str());
            d.succ += g.runs_succ;
            d.skip += g.runs_skip;
            d.fail += g.runs_fail;
            d.error += g.runs_error;
        }
        d.commits = commits.len();
        d
    }

    /// `reason`, and why the digests did not stand in when there were some.
    fn or(&self, reason: &str) -> String {
        if self.outside > 0 {
            format!(
                "{reason}; the {} check-run digests are dated outside the window",
                self.outside
            )
        } else {
            reason.to_string()
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} records from the check-run digests of {} commits ({} check runs): {} passed, {} failed, {} errors; {} skipped left out",
            self.succ + self.fail + self.error,
            self.commits,
            self.checks,
            self.succ,
            self.fail,
            self.error,
            self.skip
        )
    }

    fn not_flaky(&self) -> String {
        format!(
            "not measured from check-run digests: they count outcomes, without test names, so no test can be followed from run to run ({} check runs of {} commits); JUnit XML files (Actions artifacts with a token, or --junit) are needed",
            self.checks, self.commits
        )
    }

    /// The signals from the digests alone.
    fn alone(&self, window: &Window) -> Vec<Measurement> {
        let n = self.succ + self.fail + self.error;
        let pass = if n == 0 {
            Measurement::insufficient(
                SignalId::TESTS_PASS_RATE,
                *window,
                DIGEST_SOURCE,
                format!("no record passed or failed in the {}", self.describe()),
            )
        } else {
            Measurement::new(
                SignalId::TESTS_PASS_RATE,
                *window,
                DIGEST_SOURCE,
                Reading::value(self.succ as f64 / n as f64, n, self.describe(), Vec::new()),
            )
        };
        let flaky = Measurement::insufficient(
            SignalId::TESTS_FLAKY_TESTS,
            *window,
            DIGEST_SOURCE,
            self.not_flaky(),
        );
        vec![pass, flaky]
    }

    /// Adds the digests' records to the JUnit pass rate (`out[0]`), and says
    /// under the flaky tests (`out[1]`) that they are not in it.
    fn add_to(&self, out: &mut [Measurement], junit: &Counts) {
        if self.checks == 0 {
            return;
        }
        if let Some(m) = out.first_mut()
            && m.value.is_some()
        {
            let n = junit.p + junit.x + junit.f + junit.e;
            let more = self.succ + self.fail + self.error;
            let passed = junit.p + junit.x + self.succ;
            if n + more > 0 {
                m.value = Some(passed as f64 / (n + more) as f64);
                m.n = n + more;
                m.basis.push_str(&format!("; plus {}", self.describe()));
                m.source = BOTH_SOURCES.into();
            }
        }
        if let Some(m) = out.get_mut(1) {
            m.basis.push_str(&format!(
                "; the check-run digests of {} commits are left out: {}",
                self.commits,
                self.not_flaky()
            ));
        }
    }
}

/// Per test tallies and overall counts.
fn count(runs: &[&TestRun], n_tests: usize) -> (Vec<TestOutcomes>, Counts) {
    let mut tally = vec![TestOutcomes::default(); n_tests];
    let mut n = Counts::default();
    for run in runs {
        for (i, c) in run.outcomes.bytes().enumerate().take(n_tests) {
            let t = &mut tally[i];
            match c {
                b'p' => n.p += 1,
                b'x' => n.x += 1,
                b'f' => n.f += 1,
                b'e' => n.e += 1,
                b's' => n.s += 1,
                _ => continue,
            }
            if c == b's' {
                continue;
            }
            t.runs += 1;
            if is_pass(c) {
                t.passed += 1;
            }
            if matches!(c, b'f' | b'e') {
                t.failed += 1;
            }
            if c == b'x' {
                t.retried += 1;
            }
        }
    }
    (tally, n)
}

/// Marks tests that passed and failed on one commit in one environment, and
/// (runs of unknown commit) that flipped between consecutive runs of one
/// environment in time order (runs without a time first, in file order).
/// Returns how the runs were grouped, for the basis.
fn mark_flaky(tally: &mut [TestOutcomes], by_env: &ByEnv) -> String {
    let (mut commits, mut with_commit, mut without) = (0usize, 0usize, 0usize);
    for runs in by_env.values() {
        let mut by_commit: HashMap<&str, Vec<&TestRun>> = HashMap::new();
        let mut no_commit: Vec<&TestRun> = Vec::new();
        for run in runs {
            match run.commit.as_deref() {
                Some(c) => by_commit.entry(c).or_default().push(run),
                None => no_commit.push(run),
            }
        }
        commits += by_commit.len();
        with_commit += runs.len() - no_commit.len();
        without += no_commit.len();
        for group in by_commit.values().filter(|g| g.len() > 1) {
            for (i, t) in tally.iter_mut().enumerate() {
                let (mut pass, mut fail) = (false, false);
                for run in group {
                    let c = outcome(run, i);
                    pass |= is_pass(c);
                    fail |= is_fail(c);
                }
                t.same_commit |= pass && fail;
            }
        }
        no_commit.sort_by_key(|r| r.time);
        for (i, t) in tally.iter_mut().enumerate() {
            let mut last: Option<bool> = None;
            for run in &no_commit {
                let c = outcome(run, i);
                if !matches!(c, b'p' | b'f' | b'e') {
                    continue;
                }
                let passed = c == b'p';
                t.flipped |= last.is_some_and(|l| l != passed);
                last = Some(passed);
            }
        }
    }
    let known = by_env.keys().filter(|k| k.is_some()).count();
    let envs = if known == 0 {
        String::new()
    } else {
        format!(" within {} environments", by_env.len())
    };
    format!(
        "{with_commit} runs grouped by {commits} commits, {without} runs of unknown commit compared in time order{envs}"
    )
}

/// Notes, per test, the known environments where it failed in every run and
/// those where it passed in every run.
fn mark_env_specific(tally: &mut [TestOutcomes], by_env: &ByEnv) {
    if by_env.keys().filter(|k| k.is_some()).count() < 2 {
        return;
    }
    for (env, runs) in by_env {
        let Some(env) = env else { continue };
        for (i, t) in tally.iter_mut().enumerate() {
            let (mut pass, mut fail) = (0u64, 0u64);
            for run in runs {
                let c = outcome(run, i);
                pass += u64::from(is_pass(c));
                fail += u64::from(is_fail(c));
            }
            if fail > 0 && pass == 0 {
                t.fails_only_in.push((*env).to_string());
            } else if pass > 0 && fail == 0 {
                t.passes_only_in.push((*env).to_string());
            }
        }
    }
}

fn pass_rate(
    ev: &TestEvidence,
    tally: &[TestOutcomes],
    c: &Counts,
    scope: &str,
    window: &Window,
) -> Measurement {
    let n = c.p + c.x + c.f + c.e;
    if n == 0 {
        return Measurement::insufficient(
            SignalId::TESTS_PASS_RATE,
            *window,
            SOURCE,
            format!(
                "no test passed or failed in the {scope}; {} skipped outcomes",
                c.s
            ),
        );
    }
    let ran = tally.iter().filter(|t| t.runs > 0).count();
    let mut failing: Vec<(usize, &TestOutcomes)> = tally
        .iter()
        .enumerate()
        .filter(|(_, t)| t.failed > 0)
        .collect();
    failing.sort_by(|a, b| b.1.failed.cmp(&a.1.failed).then(a.0.cmp(&b.0)));
    let specific = tally.iter().filter(|t| t.env_specific()).count();
    let mut basis = format!(
        "{n} test outcomes of {ran} distinct tests over {scope}: {} passed, {} passed on retry (counted as passes), {} failed, {} errors; {} skipped outcomes left out",
        c.p, c.x, c.f, c.e, c.s
    );
    if specific > 0 {
        basis.push_str(&format!(
            "; {specific} tests fail in every run of some environments and pass in every run of others (environment-specific failures, not flaky)"
        ));
    }
    let examples = failing
        .iter()
        .take(FAILING_EXAMPLES)
        .map(|(i, t)| Example {
            label: ev.tests[*i].clone(),
            date: None,
            value: Some(format!("{} of {} runs failed", t.failed, t.runs)),
            note: t.env_specific().then(|| {
                format!(
                    "environment-specific: fails in every run on {}, passes on {}",
                    t.fails_only_in.join(", "),
                    t.passes_only_in.join(", ")
                )
            }),
            url: None,
        })
        .collect();
    Measurement::new(
        SignalId::TESTS_PASS_RATE,
        *window,
        SOURCE,
        Reading::value((c.p + c.x) as f64 / n as f64, n, basis, examples),
    )
}

fn flaky_tests(
    ev: &TestEvidence,
    tally: &[TestOutcomes],
    scope: &str,
    grouping: &str,
    window: &Window,
) -> Measurement {
    let eligible = tally
        .iter()
        .filter(|t| t.runs >= 2 || t.retried > 0)
        .count() as u64;
    if eligible == 0 {
        return Measurement::insufficient(
            SignalId::TESTS_FLAKY_TESTS,
            *window,
            SOURCE,
            format!("no test ran in two runs or was retried, in the {scope}"),
        );
    }
    let mut flaky: Vec<(usize, &TestOutcomes)> = tally
        .iter()
        .enumerate()
        .filter(|(_, t)| t.flaky())
        .collect();
    // Flakiest first: the most evenly split between passing and failing.
    flaky.sort_by(|a, b| {
        let flakiness =
            |t: &TestOutcomes| (t.passed.min(t.failed + t.retried), t.failed + t.retried);
        flakiness(b.1).cmp(&flakiness(a.1)).then(a.0.cmp(&b.0))
    });
    let basis = format!(
        "{} flaky of {eligible} tests that ran in two runs or more or were retried, over {scope}: {grouping}",
        flaky.len(),
    );
    let examples = flaky
        .iter()
        .take(FLAKY_EXAMPLES)
        .map(|(i, t)| flaky_example(&ev.tests[*i], t))
        .collect();
    Measurement::new(
        SignalId::TESTS_FLAKY_TESTS,
        *window,
        SOURCE,
        Reading::value(flaky.len() as f64, eligible, basis, examples),
    )
}

fn flaky_example(label: &str, t: &TestOutcomes) -> Example {
    let mut how = Vec::new();
    if t.same_commit {
        how.push("passed and failed on the same commit");
    }
    if t.retried > 0 {
        how.push("retried within a run");
    }
    if t.flipped {
        how.push("flipped between runs");
    }
    let mut value = format!("{} passed, {} failed", t.passed, t.failed);
    if t.retried > 0 {
        value.push_str(&format!(" ({} passed on retry)", t.retried));
    }
    Example {
        label: label.to_string(),
        date: None,
        value: Some(value),
        note: Some(how.join("; ")),
        url: None,
    }
}

/// Where a GitHub target's test reports were looked for, from the
/// provenance of the check runs and artifacts (`None`: not looked for).
fn looked_on_github(sources: &[crate::evidence::Provenance]) -> Option<String> {
    let places: Vec<String> = sources
        .iter()
        .filter(|p| p.source == sources::GITHUB_CHECK_RUNS || p.source == sources::GITHUB_ARTIFACTS)
        .filter_map(|p| p.notes.first().cloned())
        .collect();
    (!places.is_empty()).then(|| places.join("; "))
}

/// The `tests.*` family: test-case outcomes from JUnit XML files.
#[derive(Debug, Clone, Copy)]
pub struct TestResults;

/// The family, as build.rs lists it in `signals::FAMILIES`.
pub(crate) const FAMILY: &dyn super::Family = &TestResults;

impl super::SignalFamily for TestResults {
    const ORDER: u32 = 40;

    type Analysis<'a> = ();

    fn signals(&self) -> &'static [SignalId] {
        &IDS
    }

    /// Test reports from GitHub are those of the runs in the window
    /// collected; JUnit files given on the command line are all there is.
    fn windowed(&self, ev: &Evidence) -> &'static [&'static str] {
        let from_github = ev.sources.iter().any(|p| {
            p.source == sources::GITHUB_CHECK_RUNS || p.source == sources::GITHUB_ARTIFACTS
        });
        if from_github { &["tests."] } else { &[] }
    }

    fn analyse(&self, _cx: &super::MeasureCtx<'_>) {}

    fn measure(&self, cx: &super::MeasureCtx<'_>, (): &()) -> Vec<Measurement> {
        let looked = looked_on_github(&cx.evidence.sources);
        match (&cx.evidence.tests, looked) {
            (None, Some(looked)) => Measurement::all_insufficient(
                &IDS,
                cx.window,
                SOURCE,
                &format!(
                    "no test reports found: looked in {looked}; no JUnit XML files were given (--junit GLOB)"
                ),
            ),
            _ => measure(cx.evidence.tests.as_ref(), &cx.window),
        }
    }

    fn trends(&self, _cx: &super::MeasureCtx<'_>, (): &()) -> Vec<super::trends::Trend> {
        // No chart: the report shows the failing and flaky tests as examples.
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::evidence::TimeSource;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn window() -> Window {
        Window {
            since: t("2026-01-01T00:00:00Z"),
            until: t("2026-07-01T00:00:00Z"),
        }
    }

    fn run(commit: Option<&str>, time: Option<&str>, outcomes: &str) -> TestRun {
        TestRun {
            file: "f.xml".into(),
            commit: commit.map(str::to_string),
            time: time.map(t),
            env: None,
            time_source: if time.is_some() {
                TimeSource::Attribute
            } else {
                TimeSource::Unknown
            },
            outcomes: outcomes.into(),
        }
    }

    fn ev(runs: Vec<TestRun>) -> TestEvidence {
        TestEvidence {
            digests: Vec::new(),
            tests: (0..5).map(|i| format!("t{i}")).collect(),
            runs,
        }
    }

    fn flaky_labels(m: &Measurement) -> Vec<String> {
        let mut v: Vec<String> = m.examples.iter().map(|e| e.label.clone()).collect();
        v.sort();
        v
    }

    /// Pass rate is (p + x) / (p + x + f + e); skipped and absent are left out of n.
    #[test]
    fn pass_rate_arithmetic() {
        let e = ev(vec![
            run(None, None, "ppfs."),
            run(None, None, "pxe"),
            run(None, None, "pps"),
        ]);
        let m = measure(Some(&e), &window());
        assert_eq!(m[0].signal, "tests.pass_rate");
        assert_eq!(m[0].n, 8);
        assert_eq!(m[0].value, Some(6.0 / 8.0));
        assert!(m[0].basis.contains("2 skipped"), "{}", m[0].basis);
        assert!(m[0].basis.contains("1 passed on retry"), "{}", m[0].basis);
        assert_eq!(m[0].examples[0].label, "t2");
    }

    /// On one commit, a test that passed in one run and failed in another is flaky; a test always failing is not.
    #[test]
    fn flaky_by_same_commit() {
        let e = ev(vec![
            run(Some("aaa"), None, "pfff"),
            run(Some("aaa"), None, "ppfe"),
            run(Some("bbb"), None, "fpp"),
        ]);
        let m = &measure(Some(&e), &window())[1];
        assert_eq!(m.value, Some(1.0));
        assert_eq!(flaky_labels(m), vec!["t1"]);
        assert_eq!(m.n, 4);
        assert!(
            m.examples[0]
                .note
                .as_deref()
                .unwrap()
                .contains("same commit")
        );
        // t0 passed on aaa and failed on bbb: a different commit, not flaky.
    }

    /// An `x` in any run makes the test flaky, even in a single run.
    #[test]
    fn flaky_by_retry_within_a_run() {
        let e = ev(vec![run(None, None, "pxp")]);
        let m = &measure(Some(&e), &window())[1];
        assert_eq!(m.value, Some(1.0));
        assert_eq!(m.n, 1);
        assert_eq!(flaky_labels(m), vec!["t1"]);
        assert_eq!(
            m.examples[0].value.as_deref(),
            Some("1 passed, 0 failed (1 passed on retry)")
        );
    }

    /// Without commits, flips between consecutive runs in time order count; file order is not time order.
    #[test]
    fn flaky_by_flips_in_time_order() {
        let e = ev(vec![
            run(None, Some("2026-03-03T00:00:00Z"), "pfp"),
            run(None, Some("2026-03-01T00:00:00Z"), "pfp"),
            run(None, Some("2026-03-02T00:00:00Z"), "ffs"),
        ]);
        let m = &measure(Some(&e), &window())[1];
        // In time order t0 is p f p (flips), t1 is f f f, t2 is p . p.
        assert_eq!(flaky_labels(m), vec!["t0"]);
        assert_eq!(m.n, 3);
        assert!(m.examples[0].note.as_deref().unwrap().contains("flipped"));
    }

    /// Runs dated outside the window are left out and counted in the basis; undated runs are kept.
    #[test]
    fn window_filters_dated_runs_only() {
        let e = ev(vec![
            run(None, Some("2025-06-01T00:00:00Z"), "ffff"),
            run(None, Some("2026-03-01T00:00:00Z"), "pppp"),
            run(None, None, "pppf"),
        ]);
        let m = measure(Some(&e), &window());
        assert_eq!(m[0].n, 8);
        assert_eq!(m[0].value, Some(7.0 / 8.0));
        assert!(
            m[0].basis.contains("1 dated outside the window left out"),
            "{}",
            m[0].basis
        );
        assert!(
            m[0].basis.contains("1 of unknown time kept"),
            "{}",
            m[0].basis
        );
        assert_eq!(flaky_labels(&m[1]), vec!["t3"]);
    }

    fn in_env(env: &str, time: &str, outcomes: &str) -> TestRun {
        TestRun {
            env: Some(env.into()),
            ..run(None, Some(time), outcomes)
        }
    }

    /// Runs of unknown commit are compared within their environment: a test failing on every
    /// Windows run and passing on every Linux run is an environment-specific failure, not flaky;
    /// a test flipping within one environment is still flaky.
    #[test]
    fn environments_are_compared_apart() {
        let e = ev(vec![
            in_env("windows", "2026-03-01T00:00:00Z", "fpp"),
            in_env("linux", "2026-03-02T00:00:00Z", "ppp"),
            in_env("windows", "2026-03-03T00:00:00Z", "fpf"),
            in_env("linux", "2026-03-04T00:00:00Z", "ppp"),
        ]);
        let m = measure(Some(&e), &window());
        assert_eq!(flaky_labels(&m[1]), vec!["t2"], "{}", m[1].basis);
        assert!(
            m[1].basis.contains("within 2 environments"),
            "{}",
            m[1].basis
        );
        assert!(
            m[0].basis
                .contains("1 tests fail in every run of some environments"),
            "{}",
            m[0].basis
        );
        let t0 = m[0].examples.iter().find(|x| x.label == "t0").unwrap();
        assert_eq!(
            t0.note.as_deref(),
            Some("environment-specific: fails in every run on windows, passes on linux")
        );
        // The pass rate itself is unchanged: 9 passes of 12 outcomes.
        assert_eq!(m[0].value, Some(9.0 / 12.0));
    }

    /// No JUnit evidence at all is insufficient with the flag to use.
    #[test]
    fn no_files_is_insufficient() {
        let m = measure(None, &window());
        assert_eq!(m.len(), 2);
        assert!(
            m.iter()
                .all(|m| m.insufficient.as_deref().unwrap().contains("--junit GLOB"))
        );
    }

    fn digest(
        commit: &str,
        day: &str,
        succ: u64,
        fail: u64,
        error: u64,
    ) -> crate::evidence::TestDigest {
        crate::evidence::TestDigest {
            commit: commit.into(),
            time: Some(t(day)),
            runs_succ: succ,
            runs_fail: fail,
            runs_error: error,
            runs_skip: 4,
            ..crate::evidence::TestDigest::default()
        }
    }

    /// Digests alone give the pass rate over every record, and say the
    /// flaky tests cannot be read from them; one outside the window is left out.
    #[test]
    fn digests_alone_give_the_pass_rate_not_the_flaky_tests() {
        let mut e = ev(Vec::new());
        e.digests = vec![
            digest("c1", "2026-02-01T00:00:00Z", 90, 8, 2),
            digest("c2", "2026-03-01T00:00:00Z", 100, 0, 0),
            digest("c0", "2025-03-01T00:00:00Z", 0, 100, 0),
        ];
        let m = measure(Some(&e), &window());
        assert_eq!((m[0].n, m[0].value), (200, Some(190.0 / 200.0)));
        assert!(m[0].basis.starts_with("200 records from the check-run digests of 2 commits (2 check runs): 190 passed, 8 failed, 2 errors; 8 skipped left out"), "{}", m[0].basis);
        assert_eq!(m[0].source, DIGEST_SOURCE);
        assert!(m[1].value.is_none());
        assert!(
            m[1].insufficient
                .as_deref()
                .unwrap()
                .starts_with("not measured from check-run digests")
        );
    }

    /// With JUnit runs, the digests' records are added to the pass rate, and
    /// the flaky tests say the digests are not in them.
    #[test]
    fn digests_add_to_junit_runs() {
        let mut e = ev(vec![
            run(Some("a"), Some("2026-02-01T00:00:00Z"), "pf"),
            run(Some("a"), Some("2026-02-01T00:00:00Z"), "pp"),
        ]);
        e.digests = vec![digest("c1", "2026-02-01T00:00:00Z", 6, 0, 0)];
        let m = measure(Some(&e), &window());
        assert_eq!((m[0].n, m[0].value), (10, Some(9.0 / 10.0)));
        assert_eq!(m[0].source, BOTH_SOURCES);
        assert_eq!(m[1].value, Some(1.0));
        assert!(
            m[1].basis
                .contains("the check-run digests of 1 commits are left out"),
            "{}",
            m[1].basis
        );
    }
}
