//! Test reports of a GitHub target, found where projects publish them:
//!
//! - **check runs**: EnricoMi/publish-unit-test-result-action ends a check
//!   run's `output.summary` with `[test-results]:data:application/gzip;base64,…`,
//!   a gzipped JSON digest of the test counts. For the head commits of the
//!   newest default-branch runs already collected (at most
//!   [`TestReports::commits`]), one request per commit and check name:
//!   `GET /repos/{o}/{r}/commits/{sha}/check-runs?check_name=…` (the name that
//!   answered first is asked first for the other commits);
//! - **JUnit XML in Actions artifacts**: for the newest completed runs (at
//!   most [`TestReports::runs`]), one artifact listing per run, then each
//!   artifact picked by name, not expired and under the size cap, is
//!   downloaded once ([`download`]), its `.xml` entries streamed through the
//!   JUnit reader, with the run's commit and time and the artifact's name as
//!   the environment. Downloading needs a token, even for public repositories.
//!
//! An artifact's parsed, compact result is cached by its id, so a warm run
//! downloads nothing, and an artifact already read is still used after it
//! expires. Check-run listings are revalidated by ETag like every answer.
//! A commit with JUnit files from artifacts does not count its digests:
//! nothing is counted twice.

use std::collections::HashSet;
use std::io::Read;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Repo;
use super::actions::encode;
use super::client::{Client, futures_join_all};
use super::download::{self, Limits};
use crate::collect::junit::{JunitReader, Outside};
use crate::evidence::{Provenance, TestDigest, TestEvidence, WorkflowRun};

/// Where and how much to look: the command line's choices.
#[derive(Debug, Clone)]
pub struct TestReports {
    /// Check names asked for, in order (`--check-name`).
    pub check_names: Vec<String>,
    /// At most this many commits' check runs (`--check-run-commits`; 0: none).
    pub commits: usize,
    /// At most this many runs' artifacts (`--test-runs`; 0: none).
    pub runs: usize,
    /// Artifact names read (globs, any case; `--test-artifact`).
    pub artifacts: Vec<String>,
    /// Artifact names left out (globs, any case; `--skip-artifact`).
    pub skip_artifacts: Vec<String>,
    pub limits: Limits,
    /// The command line gave `--test-artifact` (a project's
    /// `.readiness.toml` then does not replace `artifacts`).
    pub artifacts_given: bool,
    /// The command line gave `--check-name` (likewise for `check_names`).
    pub check_names_given: bool,
    /// Artifacts read for benchmark results (globs, any case; `--bench-artifact`).
    pub bench_artifacts: Vec<String>,
    /// The command line gave `--bench-artifact`.
    pub bench_artifacts_given: bool,
}

impl TestReports {
    /// Whether an artifact of this name is read for JUnit XML: it matches
    /// `--test-artifact` and not `--skip-artifact`.
    pub(crate) fn reads_for_junit(&self, name: &str) -> bool {
        matches_any(&self.artifacts, name) && !matches_any(&self.skip_artifacts, name)
    }
}

/// The check names publish-unit-test-result-action uses by default, now and before.
pub const CHECK_NAMES: &[&str] = &["Test Results", "Unit Test Results"];
/// Artifacts that hold no test results in the projects read (distributed's
/// cluster dumps, the event file, coverage and benchmark data).
pub const SKIP_ARTIFACTS: &[&str] = &[
    "*cluster_dumps*",
    "Event File",
    "*coverage*",
    "*benchmark*",
    "*asv*",
];
/// Runs whose artifacts are read, by default: as dask/distributed's own test report.
pub const RUNS: usize = 30;
/// Commits whose check runs are read, by default.
pub const COMMITS: usize = 60;
/// The newest commits asked first: when none of them has a digest (the
/// project does not publish them, or not under these names, or the
/// requests failed), the others are not asked, so a project without digests costs this many requests
/// per check name, not one per commit.
pub const PROBE_COMMITS: usize = 5;

impl Default for TestReports {
    fn default() -> TestReports {
        TestReports {
            check_names: CHECK_NAMES.iter().map(ToString::to_string).collect(),
            commits: COMMITS,
            runs: RUNS,
            artifacts: vec!["*".into()],
            skip_artifacts: SKIP_ARTIFACTS.iter().map(ToString::to_string).collect(),
            limits: Limits::default(),
            artifacts_given: false,
            check_names_given: false,
            bench_artifacts: super::bench_artifacts::BENCH_ARTIFACTS
                .iter()
                .map(ToString::to_string)
                .collect(),
            bench_artifacts_given: false,
        }
    }
}

/// The marker before a digest in a check run's summary.
const DIGEST: &str = "[test-results]:data:application/gzip;base64,";
/// The most a digest unpacks to: a few hundred bytes in practice.
const MAX_DIGEST: u64 = 1024 * 1024;
/// Problems listed one by one in a provenance, before the rest are counted.
const LISTED: usize = 20;
/// Cache kind of an artifact's parsed result (the version in it: a new layout, new keys).
const CACHED: &str = "ARTIFACT-JUNIT-1";

/// The counts in a check run's summary, when it ends with a digest
/// (`id`, `check`, `commit` and `time` left for the caller).
///
/// # Errors
/// A digest that is not base64, not gzip, not JSON, or lacks a count: the reason.
pub fn digest(summary: &str) -> Result<Option<TestDigest>, String> {
    let Some(start) = summary.find(DIGEST) else {
        return Ok(None);
    };
    let rest = &summary[start + DIGEST.len()..];
    let text: String = rest
        .split(['\n', '\r'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let packed = base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .map_err(|e| format!("the digest is not base64: {e}"))?;
    let mut json_text = Vec::new();
    flate2::read::GzDecoder::new(packed.as_slice())
        .take(MAX_DIGEST + 1)
        .read_to_end(&mut json_text)
        .map_err(|e| format!("the digest is not gzip: {e}"))?;
    if json_text.len() as u64 > MAX_DIGEST {
        return Err(format!(
            "the digest unpacks to more than {MAX_DIGEST} bytes"
        ));
    }
    let v: Value =
        serde_json::from_slice(&json_text).map_err(|e| format!("the digest is not JSON: {e}"))?;
    let count = |key: &str| -> Result<u64, String> {
        match v.get(key) {
            Some(n) => n
                .as_u64()
                .ok_or_else(|| format!("the digest's {key} is not a count: {n}")),
            None => Err(format!("the digest has no {key}")),
        }
    };
    let optional = |key: &str| v.get(key).and_then(Value::as_u64).unwrap_or(0);
    Ok(Some(TestDigest {
        files: optional("files"),
        tests: optional("tests"),
        tests_succ: optional("tests_succ"),
        tests_skip: optional("tests_skip"),
        tests_fail: optional("tests_fail"),
        tests_error: optional("tests_error"),
        runs: count("runs")?,
        runs_succ: count("runs_succ")?,
        runs_skip: count("runs_skip")?,
        runs_fail: count("runs_fail")?,
        runs_error: count("runs_error")?,
        ..TestDigest::default()
    }))
}

/// What the test reports gave: the evidence and one provenance per source;
/// and the benchmark results found in the same runs' artifacts.
#[derive(Debug, Default)]
pub struct Found {
    pub tests: Option<TestEvidence>,
    pub sources: Vec<Provenance>,
    /// Benchmark series read from artifacts ([`super::bench_artifacts`]).
    pub bench: Vec<crate::evidence::BenchSeries>,
    /// One provenance per benchmark artifact read (not said on standard error).
    pub bench_sources: Vec<Provenance>,
    /// What the benchmark readers warned about.
    pub bench_warnings: Vec<String>,
}

/// Reads the check-run digests and the artifacts' JUnit files of `repo`'s
/// runs (`runs`: the default branch's, as collected).
pub async fn collect(
    client: &Client,
    repo: &Repo,
    runs: &[WorkflowRun],
    wanted: &TestReports,
) -> Found {
    // One after the other: each source's request count is the client's
    // count before and after it, which a concurrent source would inflate.
    let checks = check_runs(client, repo, runs, wanted).await;
    let artifacts = artifacts(client, repo, runs, wanted).await;
    let (mut digests, mut check_source) = checks;
    let (junit, junit_commits, artifact_source, listed) = artifacts;
    // Boxed: its future is large, and every caller's would grow by it.
    let bench = Box::pin(super::bench_artifacts::collect(
        client, repo, listed, wanted,
    ))
    .await;
    let before = digests.len();
    digests.retain(|d| !junit_commits.contains(&d.commit));
    if let Some(p) = check_source.as_mut()
        && digests.len() < before
    {
        p.notes.push(format!(
            "{} digests left out: their commits' JUnit files were read from artifacts (nothing is counted twice)",
            before - digests.len()
        ));
    }
    let mut found = Found::default();
    let mut tests = junit;
    tests.digests = digests;
    if !tests.runs.is_empty() || !tests.digests.is_empty() {
        found.tests = Some(tests);
    }
    found.sources.extend(check_source);
    found.sources.extend(artifact_source);
    found.sources.push(bench.summary);
    found.bench = bench.series;
    found.bench_sources = bench.sources;
    found.bench_warnings = bench.warnings;
    found
}

pub(crate) fn provenance(source: &str, location: String, item: &str) -> Provenance {
    Provenance {
        source: source.into(),
        location,
        items: 0,
        item: item.into(),
        requests: 0,
        complete: true,
        notes: Vec::new(),
        fetched_at: None,
    }
}

/// Lists at most [`LISTED`] problems, then how many more there were.
pub(crate) fn list_problems(p: &mut Provenance, problems: Vec<String>) {
    let n = problems.len();
    if n > 0 {
        p.complete = false;
    }
    p.notes.extend(problems.into_iter().take(LISTED));
    if n > LISTED {
        p.notes.push(format!("and {} more problems", n - LISTED));
    }
}

/// Runs newest first (by creation, then id).
pub(crate) fn newest_first(runs: &[WorkflowRun]) -> Vec<&WorkflowRun> {
    let mut v: Vec<&WorkflowRun> = runs.iter().collect();
    v.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
    v
}

/// What one commit's check runs gave.
#[derive(Default)]
struct CommitDigests {
    digests: Vec<TestDigest>,
    problems: Vec<String>,
    /// The check name that held a digest.
    name: Option<String>,
}

/// The digests of the check runs of `sha` named `names` (asked in order,
/// until one holds a digest).
async fn commit_digests(
    client: &Client,
    repo: &Repo,
    sha: &str,
    names: &[String],
) -> CommitDigests {
    let mut out = CommitDigests::default();
    for name in names {
        let path = format!(
            "/repos/{}/commits/{sha}/check-runs?check_name={}&per_page=100",
            repo.slug(),
            encode(name)
        );
        let page = match client.get(&path).await {
            Ok(p) => p,
            Err(e) => {
                out.problems.push(format!("incomplete: {e}"));
                return out;
            }
        };
        let Some(list) = page.body.get("check_runs").and_then(Value::as_array) else {
            out.problems.push(format!(
                "incomplete: {path}: the answer has no check_runs list"
            ));
            return out;
        };
        for run in list {
            let summary = run["output"]["summary"].as_str().unwrap_or_default();
            let id = run["id"].as_u64().unwrap_or(0);
            match digest(summary) {
                Ok(Some(mut d)) => {
                    d.check_run = id;
                    d.check = run["name"].as_str().unwrap_or(name).to_string();
                    d.commit = sha.to_string();
                    d.time = ["completed_at", "started_at"]
                        .iter()
                        .find_map(|k| run[*k].as_str())
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .map(|t| t.with_timezone(&Utc));
                    out.digests.push(d);
                }
                Ok(None) => {}
                Err(why) => out.problems.push(format!(
                    "incomplete: check run {id} of commit {}: {why}",
                    short(sha)
                )),
            }
        }
        if !out.digests.is_empty() {
            out.name = Some(name.clone());
            return out;
        }
    }
    out
}

fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// The digests of the newest commits' check runs, with their provenance.
async fn check_runs(
    client: &Client,
    repo: &Repo,
    runs: &[WorkflowRun],
    wanted: &TestReports,
) -> (Vec<TestDigest>, Option<Provenance>) {
    if wanted.commits == 0 || wanted.check_names.is_empty() {
        return (Vec::new(), None);
    }
    let mut seen = HashSet::new();
    let commits: Vec<&str> = newest_first(runs)
        .into_iter()
        .map(|r| r.head_sha.as_str())
        .filter(|sha| seen.insert(*sha))
        .take(wanted.commits)
        .collect();
    let mut p = provenance(
        crate::evidence::sources::GITHUB_CHECK_RUNS,
        format!(
            "{}/repos/{}/commits/{{sha}}/check-runs",
            client.base(),
            repo.slug()
        ),
        "digests",
    );
    let sent = client.stats.sent.load(std::sync::atomic::Ordering::Relaxed);
    let mut names = wanted.check_names.clone();
    let mut results = Vec::new();
    if let Some((first, rest)) = commits.split_first() {
        let one = commit_digests(client, repo, first, &names).await;
        // The name that answered is asked first for every other commit.
        if let Some(i) = one
            .name
            .as_ref()
            .and_then(|n| names.iter().position(|x| x == n))
        {
            names[..=i].rotate_right(1);
        }
        results.push(one);
        let names = &names;
        let (probe, rest) = rest.split_at(rest.len().min(PROBE_COMMITS - 1));
        results.extend(
            futures_join_all(
                probe
                    .iter()
                    .map(|sha| commit_digests(client, repo, sha, names)),
            )
            .await,
        );
        // A project that publishes no digests is not asked once per commit:
        // when the newest commits hold none, stop there (their failures, if
        // any, are listed and mark the source incomplete).
        let none = results.iter().all(|r| r.digests.is_empty());
        if none && !rest.is_empty() {
            p.notes.push(format!(
                "no digest on the newest {} commits: the other {} were not asked",
                results.len(),
                rest.len()
            ));
        } else {
            results.extend(
                futures_join_all(
                    rest.iter()
                        .map(|sha| commit_digests(client, repo, sha, names)),
                )
                .await,
            );
        }
    }
    p.requests = client.stats.sent.load(std::sync::atomic::Ordering::Relaxed) - sent;
    let results_len = results.len();
    let with = results.iter().filter(|r| !r.digests.is_empty()).count();
    let mut digests = Vec::new();
    let mut problems = Vec::new();
    for r in results {
        digests.extend(r.digests);
        problems.extend(r.problems);
    }
    p.items = digests.len() as u64;
    let quoted: Vec<String> = wanted
        .check_names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect();
    p.notes.insert(
        0,
        format!(
            "check runs of {} commits (named {}): {} digests, on {with} commits",
            results_len,
            quoted.join(" or "),
            digests.len()
        ),
    );
    list_problems(&mut p, problems);
    (digests, Some(p))
}

/// An artifact as the listing describes it.
#[derive(Clone)]
pub(crate) struct Artifact<'r> {
    pub id: u64,
    pub name: String,
    pub size: u64,
    pub expired: bool,
    pub run: &'r WorkflowRun,
}

/// What became of the artifacts, for the provenance.
#[derive(Default)]
pub(crate) struct Tally {
    pub listed: usize,
    by_name: usize,
    expired: usize,
    too_big: usize,
    downloaded: usize,
    cached: usize,
    without_xml: usize,
    pub problems: Vec<String>,
}

/// An artifact's parsed result, as cached: the JUnit runs (gzipped JSON,
/// base64) and what could not be read, or why it was refused.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Parsed {
    #[serde(default)]
    gz: String,
    #[serde(default)]
    xml: usize,
    #[serde(default)]
    skipped: Vec<(String, String)>,
    #[serde(default)]
    refused: Option<String>,
}

impl Parsed {
    fn pack(evidence: &TestEvidence) -> String {
        pack(evidence)
    }

    fn unpack(&self) -> Option<TestEvidence> {
        unpack(&self.gz)
    }
}

/// A value as cached: gzipped JSON, base64.
pub(crate) fn pack<T: serde::Serialize>(value: &T) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let packed = std::io::Write::write_all(&mut gz, &json)
        .and_then(|()| gz.finish())
        .unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(packed)
}

/// A value [`pack`] cached, or `None` when it cannot be read back.
pub(crate) fn unpack<T: serde::de::DeserializeOwned>(gz: &str) -> Option<T> {
    let packed = base64::engine::general_purpose::STANDARD
        .decode(gz.as_bytes())
        .ok()?;
    // Unpacked whole, then parsed: serde_json reads an `io::Read` a byte at a time.
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(packed.as_slice())
        .read_to_end(&mut json)
        .ok()?;
    serde_json::from_slice(&json).ok()
}

/// Whether `name` matches one of `patterns` (globs, any case).
pub(crate) fn matches_any(patterns: &[String], name: &str) -> bool {
    let opts = glob::MatchOptions {
        case_sensitive: false,
        require_literal_separator: false,
        require_literal_leading_dot: false,
    };
    patterns.iter().any(|p| {
        glob::Pattern::new(p).map_or(p.eq_ignore_ascii_case(name), |g| g.matches_with(name, opts))
    })
}

/// The artifacts of the newest runs, listed (one listing per run).
pub(crate) async fn list_artifacts<'r>(
    client: &Client,
    repo: &Repo,
    runs: &[&'r WorkflowRun],
    tally: &mut Tally,
) -> Vec<Artifact<'r>> {
    let listings = futures_join_all(runs.iter().map(|r| {
        let path = format!(
            "/repos/{}/actions/runs/{}/artifacts?per_page=100",
            repo.slug(),
            r.id
        );
        async move { client.get_all_in(&path, 10, Some("artifacts"), None).await }
    }))
    .await;
    let mut out = Vec::new();
    for (run, listing) in runs.iter().zip(listings) {
        if let Some(e) = &listing.error {
            tally.problems.push(format!("incomplete: {e}"));
        }
        if let Some(why) = &listing.stopped {
            tally.problems.push(format!(
                "incomplete: the artifacts of run {}: {why}",
                run.id
            ));
        }
        for a in &listing.items {
            let (Some(id), Some(name)) = (a["id"].as_u64(), a["name"].as_str()) else {
                tally.problems.push(format!(
                    "incomplete: an artifact of run {} has no id or name",
                    run.id
                ));
                continue;
            };
            out.push(Artifact {
                id,
                name: name.to_string(),
                size: a["size_in_bytes"].as_u64().unwrap_or(0),
                expired: a["expired"].as_bool().unwrap_or(false),
                run,
            });
        }
    }
    out
}

/// How many of a workflow's newest runs are read before its other runs are
/// left out for want of JUnit XML: a run of a test workflow may upload
/// nothing (a docs-only commit that skips the test job).
const PROBE_RUNS: usize = 3;

/// The artifacts of `picked` (oldest first), listed and read workflow by
/// workflow: each workflow's newest [`PROBE_RUNS`] runs first, and a
/// workflow whose probed runs' artifacts held no JUnit XML (lint and docs
/// workflows upload nothing; wheel, conda and release builds upload
/// packages) has its other runs left out, neither listed nor downloaded. A
/// workflow is kept when a probe could not tell: a listing that failed, an
/// artifact wanted by name that was expired, too big or not read.
/// Returns the listing (for the benchmark artifacts) and what was read, in
/// the order of the runs.
async fn list_and_read<'r>(
    client: &Client,
    repo: &Repo,
    picked: &[&'r WorkflowRun],
    wanted: &TestReports,
    tally: &mut Tally,
) -> (Listing<'r>, Vec<(Artifact<'r>, Parsed)>) {
    let mut probes: Vec<&'r WorkflowRun> = Vec::new();
    for run in picked.iter().rev() {
        let of_workflow = probes
            .iter()
            .filter(|p| p.workflow_id == run.workflow_id)
            .count();
        if of_workflow < PROBE_RUNS {
            probes.push(run);
        }
    }
    let problems_before = tally.problems.len();
    let first = list_artifacts(client, repo, &probes, tally).await;
    let listing_failed = tally.problems.len() > problems_before;
    let mut read = read_artifacts(client, repo, first.clone(), wanted, tally).await;
    let keep = |workflow: u64| {
        listing_failed
            || read
                .iter()
                .any(|(a, p)| a.run.workflow_id == workflow && p.xml > 0)
            || first.iter().any(|a| {
                a.run.workflow_id == workflow
                    && wanted.reads_for_junit(&a.name)
                    && !read.iter().any(|(r, _)| r.id == a.id)
            })
    };
    let rest: Vec<&'r WorkflowRun> = picked
        .iter()
        .copied()
        .filter(|r| !probes.iter().any(|p| p.id == r.id) && keep(r.workflow_id))
        .collect();
    let left_out: Vec<&'r WorkflowRun> = picked
        .iter()
        .copied()
        .filter(|r| !probes.iter().any(|p| p.id == r.id) && !rest.iter().any(|x| x.id == r.id))
        .collect();
    let more = list_artifacts(client, repo, &rest, tally).await;
    read.extend(read_artifacts(client, repo, more.clone(), wanted, tally).await);
    // In the order of the runs, as one pass would have given them.
    let position = |a: &Artifact<'_>| picked.iter().position(|r| r.id == a.run.id);
    let mut artifacts: Vec<Artifact<'r>> = first.into_iter().chain(more).collect();
    artifacts.sort_by_key(|a| position(a));
    read.sort_by_key(|(a, _)| position(a));
    tally.listed = artifacts.len();
    let note = (!left_out.is_empty()).then(|| {
        let mut names: Vec<&str> = left_out.iter().map(|r| r.workflow.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        format!(
            "{} runs' artifacts not read: their workflows' newest {PROBE_RUNS} runs uploaded no JUnit XML ({})",
            left_out.len(),
            names.join(", ")
        )
    });
    let listing = Listing {
        artifacts,
        runs: probes.len() + rest.len(),
        note,
    };
    (listing, read)
}

/// The artifacts of the runs listed, shared by the test reports and the
/// benchmark artifacts.
#[derive(Clone)]
pub(crate) struct Listing<'r> {
    pub artifacts: Vec<Artifact<'r>>,
    /// How many runs were listed.
    pub runs: usize,
    /// The runs left out, when some were.
    pub note: Option<String>,
}

/// Downloads and reads one artifact (nothing is kept of a refused zip but the reason).
async fn fetch_artifact(
    client: &Client,
    http: &reqwest::Client,
    repo: &Repo,
    a: &Artifact<'_>,
    limits: &Limits,
) -> Result<Parsed, String> {
    let path = format!("/repos/{}/actions/artifacts/{}/zip", repo.slug(), a.id);
    let bytes = download::zip(client, http, &path, limits.download).await?;
    let mut reader = JunitReader::new();
    let outside = Outside {
        mtime: None,
        run_time: Some(a.run.created_at),
        commit: Some(a.run.head_sha.clone()),
        env: Some(a.name.clone()),
    };
    let read = download::read_zip(&bytes, limits, |entry, input| {
        reader.read_with(input, &format!("{}/{entry}", a.name), &outside);
    });
    let collected = reader.finish();
    Ok(match read {
        Ok(unzipped) => Parsed {
            gz: Parsed::pack(&collected.evidence),
            xml: unzipped.xml,
            skipped: collected.skipped,
            refused: None,
        },
        Err(why) => Parsed {
            refused: Some(why),
            ..Parsed::default()
        },
    })
}

/// What [`artifacts`] gave: the JUnit evidence, the commits it is from,
/// the provenance, and the artifact listing (for the benchmark artifacts).
type FromArtifacts<'r> = (
    TestEvidence,
    HashSet<String>,
    Option<Provenance>,
    Option<Listing<'r>>,
);

/// The JUnit files in the artifacts of the newest runs, the commits they
/// are from, the provenance, and the listing.
async fn artifacts<'r>(
    client: &Client,
    repo: &Repo,
    runs: &'r [WorkflowRun],
    wanted: &TestReports,
) -> FromArtifacts<'r> {
    let mut tests = TestEvidence::default();
    let mut commits = HashSet::new();
    if wanted.runs == 0 {
        return (tests, commits, None, None);
    }
    let mut p = provenance(
        crate::evidence::sources::GITHUB_ARTIFACTS,
        format!(
            "{}/repos/{}/actions/runs/{{id}}/artifacts",
            client.base(),
            repo.slug()
        ),
        "JUnit files",
    );
    if !client.authenticated() {
        p.notes.push("not read: downloading GitHub Actions artifacts needs a token, even for a public repository; test results come from check runs alone".into());
        return (tests, commits, Some(p), None);
    }
    let picked = completed_runs(runs, wanted.runs);
    let sent = client.stats.sent.load(std::sync::atomic::Ordering::Relaxed);
    let mut tally = Tally::default();
    let (shared, parsed) = list_and_read(client, repo, &picked, wanted, &mut tally).await;
    for (a, result) in parsed {
        if let Some(why) = result.refused {
            tally.problems.push(format!(
                "incomplete: artifact {:?} ({}): {why}",
                a.name, a.id
            ));
            continue;
        }
        if result.xml == 0 {
            tally.without_xml += 1;
        }
        let fragment = result.unpack();
        for (file, why) in result.skipped {
            tally.problems.push(format!("skipped {file}: {why}"));
        }
        match fragment {
            Some(fragment) => {
                if !fragment.runs.is_empty() {
                    commits.insert(a.run.head_sha.clone());
                }
                tests.absorb(fragment);
            }
            None => tally.problems.push(format!(
                "incomplete: artifact {:?} ({}): its cached result cannot be read",
                a.name, a.id
            )),
        }
    }
    p.requests = client.stats.sent.load(std::sync::atomic::Ordering::Relaxed) - sent;
    p.items = tests.runs.len() as u64;
    p.notes
        .push(summary(&tally, tests.runs.len(), shared.runs, wanted));
    p.notes.extend(shared.note.clone());
    list_problems(&mut p, tally.problems);
    (tests, commits, Some(p), Some(shared))
}

/// The newest `n` completed (not cancelled or skipped) runs, oldest first:
/// the evidence keeps time order.
pub(crate) fn completed_runs(runs: &[WorkflowRun], n: usize) -> Vec<&WorkflowRun> {
    let mut picked: Vec<&WorkflowRun> = newest_first(runs)
        .into_iter()
        .filter(|r| {
            r.status == "completed"
                && !matches!(r.conclusion.as_deref(), Some("cancelled" | "skipped"))
        })
        .take(n)
        .collect();
    picked.reverse();
    picked
}

/// `412 JUnit files from 30 runs' artifacts: …`, for the report and standard error.
fn summary(t: &Tally, files: usize, runs: usize, wanted: &TestReports) -> String {
    let mut s = format!(
        "{files} JUnit files from {runs} runs' artifacts: {} artifacts listed, {} downloaded, {} read from the cache",
        t.listed, t.downloaded, t.cached
    );
    let skipped = [
        (t.by_name, "left out by name"),
        (t.expired, "expired before readiness read them"),
        (t.too_big, "over the size cap"),
        (t.without_xml, "held no .xml file"),
    ];
    for (n, what) in skipped.iter().filter(|(n, _)| *n > 0) {
        s.push_str(&format!(", {n} {what}"));
    }
    if t.by_name > 0 {
        s.push_str(&format!(
            " (read: {}; left out: {})",
            wanted.artifacts.join(", "),
            wanted.skip_artifacts.join(", ")
        ));
    }
    s
}

/// Each artifact picked, from the cache or downloaded (four at a time), in listing order.
async fn read_artifacts<'r>(
    client: &Client,
    repo: &Repo,
    listed: Vec<Artifact<'r>>,
    wanted: &TestReports,
    tally: &mut Tally,
) -> Vec<(Artifact<'r>, Parsed)> {
    let mut ready: Vec<(Artifact<'r>, Option<Parsed>)> = Vec::new();
    for a in listed {
        if !wanted.reads_for_junit(&a.name) {
            tally.by_name += 1;
            continue;
        }
        let key = cache_url(client, repo, a.id);
        if let Some(p) = client
            .recall(CACHED, &key)
            .and_then(|body| serde_json::from_str::<Parsed>(&body).ok())
        {
            tally.cached += 1;
            ready.push((a, Some(p)));
        } else if a.expired {
            tally.expired += 1;
        } else if a.size > wanted.limits.download {
            tally.too_big += 1;
        } else if client.offline() {
            tally.problems.push(format!(
                "incomplete: artifact {:?} ({}): not in the cache, and --offline forbids fetching it",
                a.name, a.id
            ));
        } else {
            ready.push((a, None));
        }
    }
    if ready.iter().all(|(_, cached)| cached.is_some()) {
        // A warm run: nothing to download.
        return ready
            .into_iter()
            .filter_map(|(a, p)| Some((a, p?)))
            .collect();
    }
    let http = match download::http_client(client.settings().timeout) {
        Ok(h) => h,
        Err(why) => {
            tally.problems.push(format!("incomplete: {why}"));
            return ready
                .into_iter()
                .filter_map(|(a, p)| Some((a, p?)))
                .collect();
        }
    };
    let permits = tokio::sync::Semaphore::new(client.settings().concurrency.max(1));
    let fetched = futures_join_all(ready.iter().map(|(a, cached)| {
        let (http, permits) = (&http, &permits);
        async move {
            if cached.is_some() {
                return None;
            }
            let _permit = permits.acquire().await.ok()?;
            Some(fetch_artifact(client, http, repo, a, &wanted.limits).await)
        }
    }))
    .await;
    let mut out = Vec::new();
    for ((a, cached), got) in ready.into_iter().zip(fetched) {
        match (cached, got) {
            (Some(p), _) => out.push((a, p)),
            (None, Some(Ok(p))) => {
                tally.downloaded += 1;
                if let Ok(body) = serde_json::to_string(&p) {
                    client.remember(CACHED, &cache_url(client, repo, a.id), body);
                }
                out.push((a, p));
            }
            (None, Some(Err(why))) => tally.problems.push(format!(
                "incomplete: artifact {:?} ({}): {why}",
                a.name, a.id
            )),
            (None, None) => {}
        }
    }
    out
}

/// The URL an artifact's parsed result is cached under.
pub(crate) fn cache_url(client: &Client, repo: &Repo, id: u64) -> String {
    format!(
        "{}/repos/{}/actions/artifacts/{id}",
        client.base(),
        repo.slug()
    )
}

/// A digest as the action writes it, for tests and benchmarks: the summary
/// line that ends a check run's `output.summary`.
#[must_use]
pub fn digest_line(counts: &Value) -> String {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let packed = std::io::Write::write_all(&mut gz, counts.to_string().as_bytes())
        .and_then(|()| gz.finish())
        .unwrap_or_default();
    format!(
        "{DIGEST}{}",
        base64::engine::general_purpose::STANDARD.encode(packed)
    )
}

/// The JSON of a digest with these run counts (tests as many), as the action writes it.
#[must_use]
pub fn digest_json(succ: u64, skip: u64, fail: u64, error: u64) -> Value {
    let runs = succ + skip + fail + error;
    json!({"files": 1, "suites": 1, "duration": 12, "tests": runs, "tests_succ": succ,
        "tests_skip": skip, "tests_fail": fail, "tests_error": error, "runs": runs,
        "runs_succ": succ, "runs_skip": skip, "runs_fail": fail, "runs_error": error,
        "commit": "0000000000000000000000000000000000000000"})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_read_from_the_end_of_a_summary() {
        let line = digest_line(&digest_json(90, 5, 3, 2));
        let summary = format!("## Test Results\n\n 100 tests ±0\n\n{line}\n");
        let d = digest(&summary).unwrap().unwrap();
        assert_eq!(
            (d.runs, d.runs_succ, d.runs_skip, d.runs_fail, d.runs_error),
            (100, 90, 5, 3, 2)
        );
        assert_eq!(digest("no digest here").unwrap(), None);
        let e = digest(&format!("{DIGEST}!!!")).unwrap_err();
        assert!(e.starts_with("the digest is not base64"), "{e}");
        let e = digest(&format!("{DIGEST}aGVsbG8=")).unwrap_err();
        assert!(e.starts_with("the digest is not gzip"), "{e}");
        let e = digest(&digest_line(&json!({"runs": 1}))).unwrap_err();
        assert_eq!(e, "the digest has no runs_succ");
        let e = digest(&digest_line(&json!([1]))).unwrap_err();
        assert_eq!(e, "the digest has no runs");
    }

    #[test]
    fn artifact_names_match_globs_in_any_case() {
        let skip: Vec<String> = SKIP_ARTIFACTS.iter().map(ToString::to_string).collect();
        assert!(matches_any(
            &skip,
            "ubuntu-latest-3.12-default-ci1_cluster_dumps"
        ));
        assert!(matches_any(&skip, "event file"));
        assert!(!matches_any(&skip, "ubuntu-latest-py312-test-ci"));
        assert!(matches_any(
            &["Test results*".into()],
            "test results for OS ubuntu"
        ));
    }

    #[test]
    fn parsed_results_pack_and_unpack() {
        let ev = TestEvidence {
            tests: vec!["a::b".into()],
            ..TestEvidence::default()
        };
        let p = Parsed {
            gz: Parsed::pack(&ev),
            ..Parsed::default()
        };
        assert_eq!(p.unpack(), Some(ev));
        assert_eq!(Parsed::default().unpack(), None);
    }
}
