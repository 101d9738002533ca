//! The Evidence types: raw facts gathered by `collect`, and the only input
//! of everything after it. Serialized as JSON by `readiness collect`, read
//! back by `readiness report FILE`; `schema` is bumped on any change that an
//! older reader would misread.

use std::path::Path;

use chrono::{DateTime, FixedOffset, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::window::Window;

pub(crate) mod validate;

/// The version of the evidence format this build writes.
pub const SCHEMA: u32 = 2;

/// The oldest version this build reads. Schema 2 only added what schema 1
/// files cannot hold (test-result digests from check runs, the
/// `workflow_run` time source), so a schema 1 file reads as it was meant;
/// an older reader refuses schema 2, which it would misread.
pub const OLDEST_READ: u32 = 1;

/// Everything collected about one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Format version; see [`SCHEMA`].
    pub schema: u32,
    /// The tool and version that wrote this file.
    pub tool: String,
    pub target: TargetInfo,
    /// When the evidence was collected (honours `SOURCE_DATE_EPOCH`).
    pub collected_at: DateTime<Utc>,
    /// The window the collection was asked for. Windowed sources only hold
    /// facts inside it; whole-history sources (git tags) hold everything.
    pub window: Window,
    /// How tags were turned into releases at collection time.
    #[serde(default)]
    pub release_rule: ReleaseRule,
    /// A GitHub repository was asked for explicitly (an `OWNER/REPO` target,
    /// or `--github` with a clone), so a GitHub source that failed makes
    /// the run exit 2, also when this saved evidence is reported again. One
    /// inferred from a clone's `origin` is not asked for.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub github_asked: bool,
    /// One entry per source that was read, successfully or not.
    pub sources: Vec<Provenance>,
    /// Tags with their dates, from the whole history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// The default branch of a git clone and its newest commit (git sources only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_branch: Option<BranchTip>,
    /// GitHub releases (all of them, drafts and pre-releases flagged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub releases: Option<Vec<GitHubRelease>>,
    /// Issues and pull requests opened in the window, with their first responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Item>>,
    /// GitHub Actions workflow runs of the default branch in the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<WorkflowRun>>,
    /// Test outcomes from JUnit XML files (one file = one run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests: Option<TestEvidence>,
    /// Benchmark results (ASV, github-action-benchmark, criterion,
    /// pytest-benchmark): whole history, like tags; measuring picks the window.
    #[serde(rename = "bench", default, skip_serializing_if = "Option::is_none")]
    pub bench_results: Option<BenchEvidence>,
}

impl Evidence {
    /// Evidence of `target` with nothing collected yet: no source, and every
    /// kind of evidence absent (`None`: not collected, which is not "none found").
    #[must_use]
    pub fn new(
        tool: String,
        target: TargetInfo,
        collected_at: DateTime<Utc>,
        window: Window,
        release_rule: ReleaseRule,
    ) -> Evidence {
        Evidence {
            schema: SCHEMA,
            tool,
            target,
            collected_at,
            window,
            release_rule,
            github_asked: false,
            sources: Vec::new(),
            tags: None,
            default_branch: None,
            releases: None,
            items: None,
            runs: None,
            tests: None,
            bench_results: None,
        }
    }
}

/// Benchmark results: one series per (tool, benchmark, params, machine, env).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BenchEvidence {
    pub series: Vec<BenchSeries>,
}

/// One benchmark measured over time on one machine and environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchSeries {
    /// `asv`, `github-action-benchmark`, `criterion`, `pytest-benchmark`,
    /// `coiled` (Coiled's `test_run`), `coiled-tpch` (its `tpch_run`).
    pub tool: String,
    /// The benchmark's name (untrusted text).
    pub benchmark: String,
    /// Its parameter values, `name=value` joined by `, `; empty when it has none (untrusted text).
    #[serde(default)]
    pub params: String,
    /// The machine it ran on, when known (untrusted text).
    #[serde(default)]
    pub machine: String,
    /// The environment (ASV env name, python version...), when known (untrusted text).
    #[serde(default)]
    pub env: String,
    /// The unit of `value`: `seconds`, `bytes`, `ns/iter`, `ops/s`... (untrusted text).
    pub unit: String,
    pub direction: Direction,
    /// The file or folder the series was read from.
    pub location: String,
    /// Finite values only, in time order (ties keep the order they were read in).
    pub points: Vec<BenchPoint>,
}

/// Which way is better for a benchmark's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Time, memory: a rise is a regression.
    LowerIsBetter,
    /// Throughput (ops/s, "bigger is better" tools): a fall is a regression.
    HigherIsBetter,
}

/// One result of a benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchPoint {
    /// When the measured commit was made (ASV's commit date) or the run happened.
    pub time: DateTime<Utc>,
    /// The commit measured, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Always finite: NaN, infinities and failed runs are left out when read.
    pub value: f64,
    /// What else the run records about the code measured, as `name=value`
    /// pairs joined by `, ` (Coiled's database: the dask and distributed
    /// versions tested); `None` when the tool records nothing (untrusted text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<String>,
}

/// A GitHub Actions workflow run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowRun {
    pub id: u64,
    /// The workflow's name (untrusted text).
    pub workflow: String,
    pub workflow_id: u64,
    pub head_sha: String,
    pub head_branch: Option<String>,
    /// `push`, `schedule`, `pull_request`, ...
    pub event: String,
    /// `completed`, `in_progress`, `queued`, ...
    pub status: String,
    /// `success`, `failure`, `timed_out`, `cancelled`, `skipped`, `neutral`,
    /// `action_required`, `startup_failure`, `stale`; `None` while not completed.
    pub conclusion: Option<String>,
    pub run_attempt: u32,
    pub created_at: DateTime<Utc>,
    pub run_started_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub url: String,
}

/// Test outcomes from JUnit XML files, compact: every distinct test is named
/// once, and each run holds one letter per test. Check-run digests add
/// counts without test names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestEvidence {
    /// Every distinct test as `classname::name` (untrusted text), in first-seen order.
    pub tests: Vec<String>,
    pub runs: Vec<TestRun>,
    /// Test counts from check runs (publish-unit-test-result-action's
    /// digest), one per check run, for commits no JUnit file was read for:
    /// a commit with both counts its JUnit files only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub digests: Vec<TestDigest>,
}

impl TestEvidence {
    /// Adds `other`'s tests and runs after these, each test name stored
    /// once (`other`'s outcome letters are moved to the merged numbering),
    /// and its digests.
    pub fn absorb(&mut self, other: TestEvidence) {
        let mut index: std::collections::HashMap<String, usize> = self
            .tests
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i))
            .collect();
        let map: Vec<usize> = other
            .tests
            .into_iter()
            .map(|t| {
                let next = self.tests.len();
                *index.entry(t.clone()).or_insert_with(|| {
                    self.tests.push(t);
                    next
                })
            })
            .collect();
        for mut run in other.runs {
            let mut letters = vec![b'.'; self.tests.len()];
            for (i, c) in run.outcomes.bytes().enumerate() {
                if let Some(&j) = map.get(i) {
                    letters[j] = c;
                }
            }
            let kept = letters
                .iter()
                .rposition(|&c| c != b'.')
                .map_or(0, |p| p + 1);
            letters.truncate(kept);
            run.outcomes = String::from_utf8_lossy(&letters).into_owned();
            self.runs.push(run);
        }
        self.digests.extend(other.digests);
    }
}

/// The test counts of one check run written by
/// EnricoMi/publish-unit-test-result-action: its summary ends with a
/// gzipped, base64 JSON digest of these numbers. `tests_*` count distinct
/// tests, `runs_*` every record (a test run in several environments counts
/// once per environment, as JUnit outcomes do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestDigest {
    /// The check run's id.
    pub check_run: u64,
    /// The check run's name (untrusted text).
    pub check: String,
    /// The commit the check run belongs to.
    pub commit: String,
    /// When the check run completed (else started).
    pub time: Option<DateTime<Utc>>,
    pub files: u64,
    pub tests: u64,
    pub tests_succ: u64,
    pub tests_skip: u64,
    pub tests_fail: u64,
    pub tests_error: u64,
    pub runs: u64,
    pub runs_succ: u64,
    pub runs_skip: u64,
    pub runs_fail: u64,
    pub runs_error: u64,
}

/// One JUnit XML file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestRun {
    /// The file, as its path was given or found by the glob.
    pub file: String,
    /// The commit tested, when the file says.
    pub commit: Option<String>,
    /// When the run happened.
    pub time: Option<DateTime<Utc>>,
    /// Where `time` came from.
    pub time_source: TimeSource,
    /// The environment the run is from (a CI matrix entry), when known:
    /// runs are compared within an environment, never across.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// One letter per test in `TestEvidence::tests` order: `p` passed, `f`
    /// failed, `e` error, `s` skipped, `x` both passed and failed within this
    /// run (a retried test), `.` not in this run. Shorter than `tests` when
    /// later files added tests: the missing end reads as `.`.
    pub outcomes: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeSource {
    /// A `timestamp` attribute of the test suite.
    Attribute,
    /// A `<property>` of the test suite.
    Property,
    /// The file's modification time.
    FileModified,
    /// The creation time of the GitHub Actions run whose artifact held the file.
    WorkflowRun,
    Unknown,
}

/// A release published on GitHub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitHubRelease {
    pub tag: String,
    /// When it was published; `None` for drafts.
    pub published_at: Option<DateTime<FixedOffset>>,
    pub draft: bool,
    pub prerelease: bool,
    pub url: Option<String>,
}

/// An issue or a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub number: u64,
    pub kind: ItemKind,
    /// Untrusted text: escaped before it reaches a report.
    pub title: String,
    pub url: String,
    /// `None` for a deleted account ("ghost").
    pub author: Option<Actor>,
    /// GitHub's author association: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, ...
    pub author_association: String,
    pub created_at: DateTime<Utc>,
    /// The last time it was closed, if it is closed now.
    pub closed_at: Option<DateTime<Utc>>,
    /// Pull requests only.
    pub merged_at: Option<DateTime<Utc>>,
    pub labels: Vec<String>,
    /// The earliest comments and reviews by anyone (the author and bots
    /// included: who counts as a responder is the rubric's choice), oldest first.
    pub responses: Vec<Response>,
    /// False when only the first responses were fetched and more exist, so a
    /// qualifying response may be missing from `responses`.
    pub responses_complete: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Issue,
    PullRequest,
}

/// A GitHub account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub login: String,
    /// `User`, `Bot`, `Organization`, `Mannequin`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A comment or review on an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub at: DateTime<Utc>,
    pub actor: Option<Actor>,
    pub author_association: String,
    pub kind: ResponseKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseKind {
    Comment,
    Review,
    ReviewComment,
}

/// What the evidence is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TargetInfo {
    /// A short human name: `owner/repo` when known, else the folder's name.
    pub name: String,
    /// `git` for a local clone, `github` for a GitHub repository, `artifacts`
    /// for artifacts (such as JUnit files) alone.
    pub kind: String,
    /// Where it was read from, as the user gave it.
    pub location: String,
    /// The `origin` remote's URL, with any credentials removed.
    #[serde(default)]
    pub remote: Option<String>,
}

/// The [`Provenance::source`] of the record that says where benchmark
/// results were looked for, when none were found for a GitHub target: its
/// first note is `no benchmark results found, looked in: ...`, which the
/// `bench.*` signals give as their reason.
pub const BENCH_SEARCH: &str = "benchmark search";

/// The provenance `source` names that the measure stage reads: written by
/// the GitHub sources, read by the families they feed (`fed_by`,
/// `windowed`). One spelling each, so that a rename on one side cannot
/// silently leave a failed listing measured.
pub mod sources {
    /// GitHub releases.
    pub const GITHUB_RELEASES: &str = "github releases";
    /// Tags with dates from GitHub (when a project publishes no releases).
    pub const GITHUB_TAGS: &str = "github tags";
    /// Issues and pull requests read together (REST, without a token).
    pub const GITHUB_ITEMS: &str = "github issues and pull requests";
    /// Issues (GraphQL).
    pub const GITHUB_ISSUES: &str = "github issues";
    /// Pull requests (GraphQL).
    pub const GITHUB_PULLS: &str = "github pull requests";
    /// GitHub Actions workflow runs.
    pub const GITHUB_RUNS: &str = "github actions runs";
    /// Check runs, for publish-unit-test-result-action's digests.
    pub const GITHUB_CHECK_RUNS: &str = "github check runs";
    /// JUnit XML in Actions artifacts.
    pub const GITHUB_ARTIFACTS: &str = "github artifacts";
}

/// Where a piece of evidence came from and how complete it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Provenance {
    /// `git`, `github`, `junit`, `asv`, ...
    pub source: String,
    /// What was read: a path or a URL.
    pub location: String,
    /// How many items were read.
    pub items: u64,
    /// What the items are, plural: `tags`, `releases`, `issues`, `runs`, `files`...
    pub item: String,
    /// Network requests made (0 for local sources).
    #[serde(default)]
    pub requests: u64,
    /// False when something could not be read; `notes` says what.
    pub complete: bool,
    /// Anything a reader of the report should know: skipped or unreadable items.
    #[serde(default)]
    pub notes: Vec<String>,
    /// When the data was fetched from its origin (older than the run when it came from the cache).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<DateTime<Utc>>,
}

/// The rule that decides which tags are releases.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseRule {
    /// A prefix stripped before the version is parsed (`release-`), instead of the optional `v`.
    #[serde(default)]
    pub tag_prefix: Option<String>,
    /// A regular expression that replaces the rule: matching tags are releases.
    #[serde(default)]
    pub tag_pattern: Option<String>,
}

impl ReleaseRule {
    /// Compiles the rule's tag pattern, if any: once per run, before any
    /// tag is read (the release family and evidence validation both need it).
    ///
    /// # Errors
    /// A pattern that is not a valid regular expression.
    pub fn compile(&self) -> Result<Option<regex::Regex>, Error> {
        self.tag_pattern
            .as_deref()
            .map(|p| {
                regex::Regex::new(p).map_err(|e| Error::TagPattern {
                    pattern: p.to_string(),
                    message: e.to_string(),
                })
            })
            .transpose()
    }
}

/// A git tag with its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub name: String,
    /// Tagger date for annotated tags, committer date for lightweight ones,
    /// with the original UTC offset.
    pub date: DateTime<FixedOffset>,
    pub kind: TagKind,
    /// The commit the tag points to, once peeled; `None` for tags of trees or blobs.
    pub commit: Option<String>,
    /// Whether the tag's history shares a root commit with the default
    /// branch's; `None` when it was not checked (GitHub, a shallow clone,
    /// a history that could not be read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares_history: Option<bool>,
}

/// The default branch of a clone, as read at collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchTip {
    /// Its short name (`main`, `origin/main`, or `HEAD` when detached).
    pub name: String,
    /// Its newest commit.
    pub commit: String,
    /// That commit's committer date, with its original UTC offset.
    pub date: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TagKind {
    Annotated,
    Lightweight,
}

impl Evidence {
    /// Reads an evidence file and validates it (see [`validate`]).
    ///
    /// # Errors
    /// The file cannot be read, is not JSON of this shape, has another
    /// schema version or breaks an invariant; the error names the file and
    /// the field.
    pub fn load(path: &Path) -> Result<Evidence, Error> {
        validate::load(path)
    }

    /// Serializes as pretty JSON with a trailing newline.
    ///
    /// # Errors
    /// The evidence cannot be written as JSON: an error, never an empty file.
    pub fn to_json(&self) -> Result<String, Error> {
        let mut s = serde_json::to_string_pretty(self).map_err(|e| Error::Json {
            what: "the evidence".into(),
            message: e.to_string(),
        })?;
        s.push('\n');
        Ok(s)
    }
}
