//! The collect stage: the only place that reads the outside world. It turns
//! a [`Target`] into [`Evidence`]; everything after it is pure. Artifact
//! inputs are checked before the clone or GitHub is read, so that a typo
//! fails in a moment rather than after the whole collection.

pub mod bench_results;
pub(crate) mod git;
pub mod github;
pub(crate) mod http;
pub mod junit;
pub(crate) mod junit_io;
pub mod project_file;

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use self::github::Repo;
use self::github::client::{self as gh, Client, FetchError};
use crate::cache::Cache;
use crate::error::Error;
use crate::evidence::{Evidence, Provenance, ReleaseRule, TargetInfo};
use crate::target::{Target, parse_github};
use crate::window::Window;

/// What a collection is asked for.
#[derive(Debug, Clone)]
pub struct Request {
    pub window: Window,
    pub release_rule: ReleaseRule,
    /// The moment recorded as `collected_at`.
    pub now: DateTime<Utc>,
    pub github: GitHubRequest,
    /// The files named as evidence: JUnit XML, benchmark results.
    pub inputs: Inputs,
    /// The target's `.readiness.toml`, once read (`None` before, or without one):
    /// its test-report settings (`test_artifacts`, `check_name`) ride here.
    pub project: Option<project_file::ProjectSettings>,
}

/// The files a user names as evidence, each option declared once, here or
/// with its reader (`bench_results::BenchInputs`); `cli::Global` flattens
/// this struct and [`Request`] carries it whole, so that a new source's
/// option is written beside its reader and nowhere else.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct Inputs {
    /// JUnit XML test reports (a glob, quoted; repeatable): one file is one test run. Alone, they are the target
    #[arg(long, global = true, value_name = "GLOB")]
    pub junit: Vec<String>,

    /// The environment of each JUnit run, from its file's path: the first capture group of REGEX (or its whole match), e.g. 'artifacts/([^/]+)/'. Runs are compared within an environment
    #[arg(long = "junit-env", global = true, value_name = "REGEX")]
    pub junit_env: Option<String>,

    /// Benchmark results (`--asv`, `--bench-data`...).
    #[command(flatten)]
    pub bench: bench_results::BenchInputs,
}

/// What an input's entries name on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Takes {
    /// A folder.
    Folder,
    /// A regular file.
    File,
    /// A glob over files.
    Glob,
}

/// Which locations that are not local paths an input also takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Remote {
    /// Local paths only.
    No,
    /// `github-artifact:OWNER/REPO:NAME` besides local paths.
    Artifact,
    /// `https://` sites, `github:OWNER/REPO@REF[:PATH]` and `github-artifact:`.
    Any,
}

/// One kind of input that names evidence files: how the user names it and
/// what it takes. Declared once, beside its reader (`JUNIT` here, the
/// benchmark inputs in `bench_results::INPUTS`); the command line (its field
/// of [`Inputs`]), projects files and `.readiness.toml` (its key), the
/// artifacts-only target, the check that it read something and the report's
/// advice read it from there.
#[derive(Debug)]
pub(crate) struct InputKind {
    /// The key in a projects file and `.readiness.toml`, and the field's name.
    pub key: &'static str,
    /// The command-line option (a test checks it is the field's `#[arg]`).
    pub flag: &'static str,
    /// The provenance `source` its readings are recorded under.
    pub source: &'static str,
    pub takes: Takes,
    pub remote: Remote,
    /// Its entries, as written.
    pub entries: fn(&Inputs) -> Vec<String>,
    /// Adds entries, as written.
    pub add: fn(&mut Inputs, Vec<String>),
}

impl InputKind {
    /// Whether `entry` is a location this input reads remotely (not a path).
    pub(crate) fn is_remote(&self, entry: &str) -> bool {
        bench_results::is_remote_as(self.remote, entry)
    }

    /// Checks a remote `entry` as a location of this input (the command
    /// line, a projects file and `.readiness.toml` give the same answer).
    pub(crate) fn check_remote(&self, entry: &str) -> Result<(), String> {
        bench_results::check_remote_as(self.remote, self.key, entry)
    }
}

/// `junit`: JUnit XML files, by glob.
pub(crate) static JUNIT: InputKind = InputKind {
    key: "junit",
    flag: "--junit",
    source: "junit",
    takes: Takes::Glob,
    remote: Remote::No,
    entries: |i| i.junit.clone(),
    add: |i, v| i.junit.extend(v),
};

/// Every input that names evidence files, in the order the command line
/// lists them: JUnit, then the benchmark inputs.
pub(crate) fn inputs() -> impl Iterator<Item = &'static InputKind> {
    std::iter::once(&JUNIT).chain(bench_results::INPUTS.iter().copied())
}

/// The input whose key (projects file, `.readiness.toml`) is `key`.
pub(crate) fn input(key: &str) -> Option<&'static InputKind> {
    inputs().find(|k| k.key == key)
}

impl Inputs {
    /// Each option that names files, the provenance source its inputs are
    /// recorded under, and whether it was given.
    pub(crate) fn given(&self) -> Vec<(&'static str, &'static str, bool)> {
        inputs()
            .map(|k| (k.flag, k.source, !(k.entries)(self).is_empty()))
            .collect()
    }

    /// The first option given, if any: files alone are a target.
    pub(crate) fn first_given(&self) -> Option<&'static str> {
        self.given()
            .into_iter()
            .find_map(|(flag, _, given)| given.then_some(flag))
    }

    /// `--junit, --asv, ...`: every option, for a message.
    pub(crate) fn flags() -> String {
        inputs().map(|k| k.flag).collect::<Vec<_>>().join(", ")
    }
}

/// How to reach GitHub.
#[derive(Debug, Clone, Default)]
pub struct GitHubRequest {
    pub client: gh::Settings,
    /// `None`: no cache (`--no-cache`).
    pub cache_dir: Option<PathBuf>,
    /// `--github OWNER/REPO` for a local clone.
    pub repo: Option<Repo>,
    /// Combine a clone with the GitHub repository of its `origin` remote.
    pub infer_from_remote: bool,
    /// No notices on standard error.
    pub quiet: bool,
    /// Test reports of a GitHub target: check runs and Actions artifacts.
    pub test_reports: github::test_reports::TestReports,
}

/// The tool and version recorded in evidence and reports.
#[must_use]
pub fn tool_version() -> String {
    format!("readiness {}", env!("CARGO_PKG_VERSION"))
}

fn empty(target: TargetInfo, request: &Request) -> Evidence {
    Evidence::new(
        tool_version(),
        target,
        request.now,
        request.window,
        request.release_rule.clone(),
    )
}

/// The provenance of a source that could not be read at all.
fn failed_source(source: &str, location: String, note: String) -> Provenance {
    Provenance {
        source: source.into(),
        location,
        items: 0,
        item: "items".into(),
        requests: 0,
        complete: false,
        notes: vec![note],
        fetched_at: None,
    }
}

/// Evidence for a target that could not be collected at all, holding only
/// the reason (`compare` keeps such a project and says why it has no numbers).
#[must_use]
pub fn unreadable(target: &Target, request: &Request, reason: &str) -> Evidence {
    let (kind, source) = match target {
        Target::GitHub { .. } => ("github", "github"),
        Target::Git(_) => ("git", "git"),
        Target::Evidence(_) => ("evidence", "evidence"),
        Target::Artifacts => ("artifacts", "artifacts"),
    };
    let info = TargetInfo {
        name: target.display(),
        kind: kind.into(),
        location: target.display(),
        remote: None,
    };
    let mut ev = empty(info, request);
    ev.sources
        .push(failed_source(source, target.display(), reason.to_string()));
    ev
}

/// The GitHub repository a remote URL points to, when it is on the configured GitHub.
fn repo_of_remote(remote: &str, api_url: &str) -> Option<Repo> {
    let on_github_com = api_url.trim_end_matches('/') == "https://api.github.com";
    let host = api_url.split("://").nth(1)?.split('/').next()?;
    let slug = if on_github_com {
        parse_github(remote)
    } else {
        // GitHub Enterprise: http(s)://HOST/owner/repo(.git) or git@HOST:owner/repo.git
        let rest = ["https://", "http://", "ssh://git@"]
            .iter()
            .find_map(|scheme| remote.strip_prefix(&format!("{scheme}{host}/")))
            .or_else(|| remote.strip_prefix(&format!("git@{host}:")))?;
        parse_github(rest)
    };
    slug.map(|(owner, name)| Repo { owner, name })
}

/// Collects evidence about `target`.
///
/// # Errors
/// A target that cannot be read; an `OWNER/REPO` target that does not exist
/// or refuses the credentials (for a clone, the GitHub part's failure is
/// recorded in the provenance instead, and the clone kept). A saved
/// evidence file is not collected again. The target's `.readiness.toml`
/// is read first (from the clone, or one request to the contents API) and
/// its settings added under the command line's; then every artifact input
/// is checked before git or GitHub is read, so that a typo fails fast.
/// A project file that is not valid is an error naming its lines and keys.
pub fn collect(target: &Target, request: &Request) -> Result<Evidence, Error> {
    // The command line's inputs are checked before anything is read.
    let mut artifacts = Artifacts::check(target, request)?;
    let cli = request;
    let mut request = request.clone();
    let project = project_file::load(target, &mut request)?;
    // Then those the project file added.
    if request.inputs.junit != cli.inputs.junit {
        artifacts.junit = junit::expand(&request.inputs.junit)?;
    }
    if request.inputs.bench != cli.inputs.bench {
        artifacts.bench = Some(bench_results::check(&request.inputs.bench)?);
    }
    let mut ev = collect_target(target, &request, &artifacts.junit.paths)?;
    if let Some(p) = &project {
        for note in &p.notes {
            warn_or_note(&request, !p.complete, &format!("{}: {note}", p.location));
        }
    }
    let project_looked = project_location(target, project.is_some());
    ev.sources.extend(project);
    artifacts.read_into(&mut ev, &request);
    if ev.target.kind.contains("github") {
        say_where_benchmarks_were_looked_for(&mut ev, project_looked, &request);
    }
    Ok(ev)
}

/// Where the project file was looked for and not found, if it was.
fn project_location(target: &Target, found: bool) -> Option<String> {
    let at = match target {
        Target::Git(path) => path.join(project_file::FILE_NAME).display().to_string(),
        Target::GitHub { owner, repo } => format!("{owner}/{repo}/{}", project_file::FILE_NAME),
        Target::Evidence(_) | Target::Artifacts => return None,
    };
    (!found).then_some(at)
}

/// Whether a provenance `source` is one where a GitHub target's benchmark
/// results may come from: a benchmark input, the project file, or the
/// target's Actions artifacts.
fn is_bench_source(source: &str) -> bool {
    bench_results::INPUTS.iter().any(|k| k.source == source)
        || source == "project file"
        || source == github::bench_artifacts::SOURCE
}

/// For a GitHub target without a single benchmark series: records (and
/// says on standard error) every place looked in, so that the report says
/// "no benchmark results found, looked in: ..." rather than nothing.
fn say_where_benchmarks_were_looked_for(
    ev: &mut Evidence,
    project_looked: Option<String>,
    request: &Request,
) {
    if ev
        .bench_results
        .as_ref()
        .is_some_and(|b| !b.series.is_empty())
    {
        return;
    }
    let mut places: Vec<String> = ev
        .sources
        .iter()
        .filter(|p| is_bench_source(&p.source))
        .filter(|p| {
            p.source != "project file" || !p.notes.iter().any(|n| n.starts_with("used: asv"))
        })
        .map(|p| match p.notes.first() {
            Some(n) => format!("{} ({}: {n})", p.location, p.source),
            None => format!("{} ({})", p.location, p.source),
        })
        .collect();
    if let Some(at) = project_looked {
        places.push(format!(
            "{at} (no such file: the project names no benchmark locations)"
        ));
    }
    let line = format!(
        "no benchmark results found, looked in: {}",
        places.join("; ")
    );
    warn(request, &line);
    ev.sources.push(Provenance {
        source: crate::evidence::BENCH_SEARCH.into(),
        location: ev.target.name.clone(),
        items: 0,
        item: "benchmark series".into(),
        requests: 0,
        complete: true,
        notes: vec![line],
        fetched_at: None,
    });
}

/// The artifact inputs of a request (`--junit`, `--junit-env`, `--asv`...),
/// checked: patterns expanded, the environment pattern compiled, every
/// named benchmark folder and file found.
struct Artifacts {
    junit: junit::Files,
    /// `--junit-env`, compiled; only read with `--junit`.
    junit_env: Option<regex::Regex>,
    /// `None` without benchmark inputs.
    bench: Option<bench_results::Checked>,
}

impl Artifacts {
    /// Checks every artifact input, warning about `--junit` patterns that match nothing.
    fn check(target: &Target, request: &Request) -> Result<Artifacts, Error> {
        let junit = junit::expand(&request.inputs.junit)?;
        for pattern in &junit.empty {
            warn(request, &format!("--junit {pattern:?} matched no files"));
        }
        if matches!(target, Target::Artifacts)
            && junit.paths.is_empty()
            && request.inputs.bench.is_empty()
        {
            return Err(Error::Usage(format!(
                "no JUnit XML files: {} matched nothing, and there is no other target",
                junit
                    .empty
                    .iter()
                    .map(|p| format!("--junit {p:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let junit_env = match &request.inputs.junit_env {
            Some(p) if !request.inputs.junit.is_empty() => {
                Some(regex::Regex::new(p).map_err(|e| {
                    Error::Usage(format!(
                        "--junit-env {p:?} is not a valid regular expression: {e}"
                    ))
                })?)
            }
            _ => None,
        };
        let bench = if request.inputs.bench.is_empty() {
            None
        } else {
            Some(bench_results::check(&request.inputs.bench)?)
        };
        Ok(Artifacts {
            junit,
            junit_env,
            bench,
        })
    }

    /// Reads the checked files into `ev`, each tool's provenance with them.
    fn read_into(self, ev: &mut Evidence, request: &Request) {
        if !request.inputs.junit.is_empty() {
            let mut read = junit::read_files(&self.junit.paths, self.junit_env);
            if self.junit.again > 0 {
                read.notes.push(format!(
                    "{} matches left out as a file already read (through a link, or by another pattern)",
                    self.junit.again
                ));
            }
            for (file, why) in &read.skipped {
                warn(request, &format!("skipped {file}: {why}"));
            }
            for unread in &read.unread {
                warn(request, unread);
            }
            ev.sources
                .push(read.provenance(&request.inputs.junit, &self.junit.empty));
            match &mut ev.tests {
                // Test reports found on GitHub: the files are added to them.
                Some(tests) => tests.absorb(read.evidence),
                None => ev.tests = Some(read.evidence),
            }
        }
        if let Some(checked) = self.bench {
            let net = bench_results::Net {
                github: request.github.client.clone(),
                cache_dir: request.github.cache_dir.clone(),
                offline: request.github.client.offline,
                quiet: request.github.quiet,
            };
            let read = bench_results::read_checked(&request.inputs.bench, checked, &net);
            for w in &read.warnings {
                warn(request, w);
            }
            ev.sources.extend(read.provenance);
            add_bench(ev, read.series);
        }
    }
}

/// A warning (or a note) on standard error, unless `--quiet`.
fn warn_or_note(request: &Request, warning: bool, text: &str) {
    if !request.github.quiet {
        let kind = if warning { "warning" } else { "note" };
        eprintln!("readiness: {kind}: {text}");
    }
}

/// A warning on standard error, unless `--quiet`.
fn warn(request: &Request, text: &str) {
    if !request.github.quiet {
        eprintln!("readiness: warning: {text}");
    }
}

/// A notice on standard error, unless `--quiet`: a warning when `problem`.
fn warn_or_tell(request: &Request, problem: bool, text: &str) {
    if request.github.quiet {
    } else if problem {
        warn(request, text);
    } else {
        eprintln!("readiness: {text}");
    }
}

/// Adds benchmark series to the evidence, after any already there.
pub(crate) fn add_bench(ev: &mut Evidence, series: Vec<crate::evidence::BenchSeries>) {
    ev.bench_results
        .get_or_insert_with(crate::evidence::BenchEvidence::default)
        .series
        .extend(series);
}

/// Folder names that say nothing about a project: a name is looked for above them.
const GENERIC_FOLDERS: &[&str] = &[
    "results",
    ".asv",
    "html",
    "criterion",
    "target",
    "bench",
    "dev",
    ".",
    "..",
];

/// The most specific folder name that every artifact lives under, skipping
/// generic names such as `results`: files count by their folder, folders by
/// themselves.
fn common_folder(files: &[PathBuf], dirs: &[PathBuf]) -> Option<String> {
    let mut folders = files
        .iter()
        .filter_map(|f| f.parent().map(std::path::Path::to_path_buf))
        .chain(dirs.iter().cloned())
        .map(|p| std::path::absolute(&p).unwrap_or(p));
    let mut common = folders.next()?;
    for p in folders {
        while !p.starts_with(&common) {
            if !common.pop() {
                return None;
            }
        }
    }
    loop {
        let name = common.file_name()?.to_string_lossy().into_owned();
        if !GENERIC_FOLDERS.contains(&name.to_lowercase().as_str()) {
            return Some(name);
        }
        if !common.pop() {
            return None;
        }
    }
}

/// `junit_files` are the `--junit` files, already found: they name an artifacts-only target.
fn collect_target(
    target: &Target,
    request: &Request,
    junit_files: &[PathBuf],
) -> Result<Evidence, Error> {
    match target {
        Target::Artifacts => Ok(empty(artifacts_info(request, junit_files), request)),
        Target::Git(path) => collect_git(path, request),
        Target::Evidence(path) => Err(Error::Usage(format!(
            "{} is an evidence file already; `readiness report {}` scores it",
            path.display(),
            path.display()
        ))),
        Target::GitHub { owner, repo } => collect_github(
            &Repo {
                owner: owner.clone(),
                name: repo.clone(),
            },
            request,
        ),
    }
}

/// An artifacts-only target: named after the folder its files share, located by every input.
fn artifacts_info(request: &Request, junit_files: &[PathBuf]) -> TargetInfo {
    let entries = |takes: Takes| -> Vec<String> {
        bench_results::INPUTS
            .iter()
            .filter(|k| k.takes == takes)
            .flat_map(|k| (k.entries)(&request.inputs))
            .collect()
    };
    let (bench_files, dirs, globs) = (
        entries(Takes::File),
        entries(Takes::Folder),
        entries(Takes::Glob),
    );
    let files: Vec<PathBuf> = junit_files
        .iter()
        .cloned()
        .chain(bench_files.iter().map(PathBuf::from))
        .collect();
    let dir_paths: Vec<PathBuf> = dirs.iter().map(PathBuf::from).collect();
    TargetInfo {
        name: common_folder(&files, &dir_paths).unwrap_or_else(|| "artifacts".into()),
        kind: "artifacts".into(),
        location: request
            .inputs
            .junit
            .iter()
            .chain(&bench_files)
            .chain(&dirs)
            .chain(&globs)
            .cloned()
            .collect::<Vec<_>>()
            .join(" "),
        remote: None,
    }
}

/// An `OWNER/REPO` target, located by its web address.
fn github_info(gh_repo: &Repo, request: &Request) -> TargetInfo {
    let web = request
        .github
        .client
        .api_url
        .replace("://api.github.com", "://github.com")
        .replace("/api/v3", "");
    TargetInfo {
        name: gh_repo.slug(),
        kind: "github".into(),
        location: format!("{}/{}", web.trim_end_matches('/'), gh_repo.slug()),
        remote: None,
    }
}

/// An `OWNER/REPO` target: GitHub alone, located by its web address.
fn collect_github(gh_repo: &Repo, request: &Request) -> Result<Evidence, Error> {
    let mut ev = empty(github_info(gh_repo, request), request);
    ev.github_asked = true;
    add_github(&mut ev, gh_repo, request)?;
    Ok(ev)
}

/// A clone, with the GitHub repository `--github` names or its `origin` points to.
fn collect_git(path: &std::path::Path, request: &Request) -> Result<Evidence, Error> {
    let repo = git::read(path)?;
    let explicit = request.github.repo.clone();
    let inferred = if explicit.is_none() && request.github.infer_from_remote {
        repo.target
            .remote
            .as_deref()
            .and_then(|r| repo_of_remote(r, &request.github.client.api_url))
    } else {
        None
    };
    let mut target = repo.target;
    let mut ev = empty(target.clone(), request);
    ev.github_asked = explicit.is_some();
    ev.sources.push(repo.provenance);
    ev.tags = Some(repo.tags);
    ev.default_branch = repo.default_branch;
    if let Some(gh_repo) = explicit.clone().or(inferred) {
        target.kind = "git+github".into();
        target.name = gh_repo.slug();
        ev.target = target;
        // A GitHub part that fails keeps the clone's evidence: the
        // failure is recorded, and the caller decides the exit code
        // (an explicit --github must work; an inferred one only adds).
        if let Err(e) = add_github(&mut ev, &gh_repo, request) {
            ev.target.kind = "git".into();
            let whose = if explicit.is_some() {
                format!("the GitHub repository {} (--github)", gh_repo.slug())
            } else {
                "the clone's GitHub repository".into()
            };
            ev.sources.push(failed_source(
                "github",
                gh_repo.slug(),
                format!("{whose} could not be read: {e}"),
            ));
        }
    }
    Ok(ev)
}

fn add_github(ev: &mut Evidence, repo: &Repo, request: &Request) -> Result<(), Error> {
    let fail = |message: String| Error::Target {
        target: repo.slug(),
        message,
    };
    let cache = (request.github.cache_dir.as_deref())
        .and_then(|dir| Cache::open_or_warn(dir, request.github.quiet));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(format!("cannot start the async runtime: {e}")))?;
    // octocrab starts a background task when it is built: build it inside the runtime.
    let _entered = runtime.enter();
    let mut client = Client::new(request.github.client.clone(), cache).map_err(fail)?;
    if !request.github.quiet {
        client = client.with_progress(&format!("GitHub {}", repo.slug()));
    }
    if !client.authenticated() && !request.github.quiet && !request.github.client.offline {
        eprintln!(
            "readiness: no GitHub token (--token, GH_TOKEN or GITHUB_TOKEN; GH_ENTERPRISE_TOKEN for another host): GitHub allows 60 requests an hour without one, and tag dates and pull-request reviews need one"
        );
    }
    let result = runtime.block_on(read_github(ev, repo, request, &client));
    client.finish_progress();
    result
}

/// An `OWNER/REPO` target read with a client the caller built and shares
/// (the pacer, the cache and the connections of `readiness batch`).
///
/// # Errors
/// As [`collect`] for an `OWNER/REPO` target.
pub async fn collect_github_with(
    gh_repo: &Repo,
    request: &Request,
    client: &Client,
) -> Result<Evidence, Error> {
    let mut ev = empty(github_info(gh_repo, request), request);
    ev.github_asked = true;
    read_github(&mut ev, gh_repo, request, client).await?;
    Ok(ev)
}

/// Reads `repo` into `ev` with `client`, with the GitHub source's provenance.
async fn read_github(
    ev: &mut Evidence,
    repo: &Repo,
    request: &Request,
    client: &Client,
) -> Result<(), Error> {
    let gh = github::collect(
        client,
        repo,
        &request.window,
        // Data files given with --bench-data replace the gh-pages copy.
        request.inputs.bench.bench_data.is_empty(),
    )
    .await
    .map_err(|e: FetchError| Error::Target {
        target: repo.slug(),
        message: e.to_string(),
    })?;
    let runs = gh.runs.as_deref().unwrap_or_default();
    // Boxed: a large future, which every caller's (batch's) would carry.
    let reports = Box::pin(github::test_reports::collect(
        client,
        repo,
        runs,
        &request.github.test_reports,
    ))
    .await;
    for p in &reports.sources {
        // Where the test reports came from, and where nothing was found.
        for note in &p.notes {
            let problem = ["incomplete", "skipped", "not read", "and "]
                .iter()
                .any(|start| note.starts_with(start));
            warn_or_tell(request, problem, &format!("{}: {note}", p.source));
        }
    }
    let sent = client.stats.sent.load(std::sync::atomic::Ordering::Relaxed);
    let not_modified = client
        .stats
        .not_modified
        .load(std::sync::atomic::Ordering::Relaxed);
    let from_cache = client
        .stats
        .from_cache
        .load(std::sync::atomic::Ordering::Relaxed);
    let mut notes = vec![format!(
        "{sent} requests, {not_modified} of them answered 304 Not Modified from the cache (no rate-limit cost); {from_cache} answered offline from the cache"
    )];
    if !client.authenticated() {
        notes.push("no token: GitHub allows 60 requests an hour, and tag dates and pull-request reviews need one".into());
    }
    ev.sources.push(Provenance {
        source: "github".into(),
        location: client.base().to_string(),
        items: gh.sources.iter().map(|s| s.items).sum(),
        item: "items".into(),
        requests: sent,
        complete: gh.sources.iter().all(|s| s.complete),
        notes,
        fetched_at: gh.fetched_at,
    });
    ev.sources.extend(gh.sources);
    // A clone's own tags are complete; GitHub's stand in only without a clone.
    if ev.tags.is_none() {
        ev.tags = gh.tags;
    }
    ev.sources.extend(reports.sources);
    ev.sources.extend(reports.bench_sources);
    for w in &reports.bench_warnings {
        warn(request, w);
    }
    if !reports.bench.is_empty() {
        add_bench(ev, reports.bench);
    }
    ev.tests = reports.tests;
    ev.releases = gh.releases;
    ev.items = gh.items;
    ev.runs = gh.runs;
    if let Some(series) = gh.bench {
        add_bench(ev, series);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every option that names evidence files has one row, in the command
    /// line's order, whose key is its field's name and whose flag is its own;
    /// `entries` and `add` reach that field and no other.
    #[test]
    fn every_input_is_declared_once_and_its_row_matches_its_option() {
        use clap::Args as _;
        let cmd = Inputs::augment_args(clap::Command::new("t"));
        let args: Vec<&clap::Arg> = cmd
            .get_arguments()
            .filter(|a| a.get_id() != "junit_env")
            .collect();
        let rows: Vec<&InputKind> = inputs().collect();
        assert_eq!(args.len(), rows.len(), "an option of Inputs has no row");
        for (arg, kind) in args.iter().zip(&rows) {
            assert_eq!(arg.get_id().as_str(), kind.key);
            assert_eq!(format!("--{}", arg.get_long().unwrap()), kind.flag);
            assert!(
                arg.is_global_set(),
                "{} must be accepted after any command",
                kind.flag
            );
            let mut i = Inputs::default();
            (kind.add)(&mut i, vec!["x/y".into()]);
            assert_eq!((kind.entries)(&i), ["x/y"], "{}", kind.key);
            for other in rows.iter().filter(|o| o.key != kind.key) {
                assert!(
                    (other.entries)(&i).is_empty(),
                    "{} wrote {}",
                    kind.key,
                    other.key
                );
            }
            assert_eq!(i.first_given(), Some(kind.flag));
            assert_eq!(input(kind.key).map(|k| k.flag), Some(kind.flag));
        }
        assert_eq!(
            Inputs::flags(),
            "--junit, --asv, --bench-data, --criterion, --pytest-benchmark, --coiled-db"
        );
    }

    #[test]
    fn remotes_name_their_github_repository() {
        let gh = "https://api.github.com";
        let r = |remote: &str, api: &str| repo_of_remote(remote, api).map(|r| r.slug());
        assert_eq!(
            r("https://github.com/dask/dask.git", gh).as_deref(),
            Some("dask/dask")
        );
        assert_eq!(
            r("git@github.com:dask/dask.git", gh).as_deref(),
            Some("dask/dask")
        );
        assert_eq!(r("https://gitlab.com/dask/dask.git", gh), None);
        let ghe = "https://ghe.example.com/api/v3";
        assert_eq!(
            r("https://ghe.example.com/team/tool.git", ghe).as_deref(),
            Some("team/tool")
        );
        assert_eq!(
            r("git@ghe.example.com:team/tool.git", ghe).as_deref(),
            Some("team/tool")
        );
        assert_eq!(
            r("https://github.com/team/tool.git", ghe),
            None,
            "a github.com remote is not on this Enterprise server"
        );
        assert_eq!(
            r(
                "http://127.0.0.1:8080/acme/widget.git",
                "http://127.0.0.1:8080"
            )
            .as_deref(),
            Some("acme/widget")
        );
    }
}
