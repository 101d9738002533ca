//! Benchmark results read from files: ASV results folders and published
//! graphs (`--asv`), github-action-benchmark data files (`--bench-data`),
//! criterion output folders (`--criterion`) and pytest-benchmark JSON files
//! (`--pytest-benchmark`), Coiled's benchmark database (`--coiled-db`). Each reader turns its tool's files into
//! [`BenchSeries`]; a file that cannot be read is skipped with a warning
//! that names it, and the rest still count.

pub mod action;
pub mod asv;
pub mod asv_github;
pub(crate) mod asv_site;
pub mod coiled;
pub mod criterion;
pub mod pytest;

use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

use super::{InputKind, Remote, Takes};
use crate::error::Error;
use crate::evidence::{BenchPoint, BenchSeries, Direction, Provenance};

/// The benchmark inputs a user can name: one field per kind, with its
/// command-line option (clap reads the `#[arg]` here; `cli::Global`
/// flattens this struct), and one row per kind in `INPUTS`. They are
/// declared here only: the command line, projects files, `.readiness.toml`,
/// the artifacts-only target and the report's advice all read them from
/// here, so that a new reader is this file and its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct BenchInputs {
    /// ASV results (repeatable): a results folder (benchmarks.json and one folder per machine), an `asv publish` folder (graphs/), an https:// publish site, or github:OWNER/REPO@REF[:PATH] (a results folder in a repository, Git LFS followed). Alone, they are the target
    #[arg(long, global = true, value_name = "DIR|URL")]
    pub asv: Vec<PathBuf>,

    /// github-action-benchmark data (repeatable): its dev/bench/data.js. A GitHub target's gh-pages copy is read without it
    #[arg(long = "bench-data", global = true, value_name = "FILE")]
    pub bench_data: Vec<PathBuf>,

    /// criterion output (repeatable): a folder searched for */new/estimates.json, such as target/criterion or a folder of saved copies of it
    #[arg(long, global = true, value_name = "DIR")]
    pub criterion: Vec<PathBuf>,

    /// pytest-benchmark JSON files (a glob, quoted; repeatable), ordered by their commit time
    #[arg(long = "pytest-benchmark", global = true, value_name = "GLOB")]
    pub pytest_benchmark: Vec<String>,

    /// Coiled's benchmark database (repeatable): the SQLite benchmark.db behind benchmarks.coiled.io (coiled/benchmarks' `benchmark` artifact), opened read-only. Alone, it is the target
    #[arg(long = "coiled-db", global = true, value_name = "FILE")]
    pub coiled_db: Vec<PathBuf>,
}

fn paths_of(list: &[PathBuf]) -> Vec<String> {
    list.iter().map(|p| p.display().to_string()).collect()
}

fn add_paths(list: &mut Vec<PathBuf>, more: Vec<String>) {
    list.extend(more.into_iter().map(PathBuf::from));
}

/// `asv`.
pub(crate) static ASV: InputKind = InputKind {
    key: "asv",
    flag: "--asv",
    source: "asv",
    takes: Takes::Folder,
    remote: Remote::Any,
    entries: |i| paths_of(&i.bench.asv),
    add: |i, v| add_paths(&mut i.bench.asv, v),
};

/// `bench_data`.
pub(crate) static BENCH_DATA: InputKind = InputKind {
    key: "bench_data",
    flag: "--bench-data",
    source: "github-action-benchmark",
    takes: Takes::File,
    remote: Remote::No,
    entries: |i| paths_of(&i.bench.bench_data),
    add: |i, v| add_paths(&mut i.bench.bench_data, v),
};

/// `criterion`.
pub(crate) static CRITERION: InputKind = InputKind {
    key: "criterion",
    flag: "--criterion",
    source: "criterion",
    takes: Takes::Folder,
    remote: Remote::No,
    entries: |i| paths_of(&i.bench.criterion),
    add: |i, v| add_paths(&mut i.bench.criterion, v),
};

/// `pytest_benchmark`.
pub(crate) static PYTEST_BENCHMARK: InputKind = InputKind {
    key: "pytest_benchmark",
    flag: "--pytest-benchmark",
    source: "pytest-benchmark",
    takes: Takes::Glob,
    remote: Remote::No,
    entries: |i| i.bench.pytest_benchmark.clone(),
    add: |i, v| i.bench.pytest_benchmark.extend(v),
};

/// `coiled_db`.
pub(crate) static COILED_DB: InputKind = InputKind {
    key: "coiled_db",
    flag: "--coiled-db",
    source: "coiled",
    takes: Takes::File,
    remote: Remote::Artifact,
    entries: |i| paths_of(&i.bench.coiled_db),
    add: |i, v| add_paths(&mut i.bench.coiled_db, v),
};

/// Every benchmark input, in the order the command line lists them.
pub(crate) static INPUTS: &[&InputKind] =
    &[&ASV, &BENCH_DATA, &CRITERION, &PYTEST_BENCHMARK, &COILED_DB];

/// Whether `entry` is a location `remote` reads remotely (not a path).
pub(crate) fn is_remote_as(remote: Remote, entry: &str) -> bool {
    match remote {
        Remote::No => false,
        Remote::Artifact => entry.starts_with(artifacts::PREFIX),
        Remote::Any => is_remote_location(entry),
    }
}

/// Checks a remote `entry` as a location `remote` takes.
pub(crate) fn check_remote_as(remote: Remote, key: &str, entry: &str) -> Result<(), String> {
    match remote {
        Remote::No => Err(format!("{entry:?}: `{key}` names local paths")),
        Remote::Artifact => named_artifact(Path::new(entry)).map(drop),
        Remote::Any => AsvLocation::parse(Path::new(entry)).map(drop),
    }
}

/// `--asv, --bench-data, ... or --coiled-db`: every benchmark option, for advice.
pub(crate) fn flags_text() -> String {
    let flags: Vec<&str> = INPUTS.iter().map(|k| k.flag).collect();
    match flags.split_last() {
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

impl BenchInputs {
    /// True when no benchmark input was asked for.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        let inputs = self.as_inputs();
        INPUTS.iter().all(|k| (k.entries)(&inputs).is_empty())
    }

    /// These alone, as the `Inputs` the rows' accessors read.
    fn as_inputs(&self) -> super::Inputs {
        super::Inputs {
            bench: self.clone(),
            ..super::Inputs::default()
        }
    }
}

/// What reading the benchmark inputs gave.
#[derive(Debug, Default)]
pub struct BenchRead {
    /// Every series, points in time order.
    pub series: Vec<BenchSeries>,
    /// One entry per input (`source` is the tool: `asv`, `github-action-benchmark`,
    /// `criterion`, `pytest-benchmark`, `coiled`), with what was skipped in `notes`.
    pub provenance: Vec<Provenance>,
    /// Problems worth a line on standard error, each naming the file or series.
    pub warnings: Vec<String>,
}

/// How many skipped files or dropped series are named one by one before
/// the rest are counted ("and N more").
pub(crate) const MAX_LISTED: usize = 10;

/// Reads every input.
///
/// # Errors
/// Only an input the user named that cannot be used at all: a folder or
/// file that does not exist, a glob that is not valid. Bad files inside
/// are warnings.
pub fn read(inputs: &BenchInputs) -> Result<BenchRead, Error> {
    Ok(read_checked(inputs, check(inputs)?, &Net::default()))
}

/// Inputs that [`check`] found usable: the files each `--pytest-benchmark`
/// pattern matched, and what each `--asv` names.
#[derive(Debug)]
pub struct Checked {
    globs: Vec<crate::fsutil::Walked>,
    asv: Vec<AsvLocation>,
    /// Each `--coiled-db`: an artifact location, or `None` for a file.
    coiled: Vec<Option<NamedArtifact>>,
}

/// Where one `--asv` reads from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AsvLocation {
    Folder(PathBuf),
    /// An `asv publish` site, its URL checked and without a trailing `/`.
    Site(String),
    /// A results folder in a repository, read through the GitHub API.
    GitHub(asv_github::GitHubLocation),
    /// The newest Actions artifact of a name (`github-artifact:OWNER/REPO:NAME`).
    Artifact(NamedArtifact),
}

impl AsvLocation {
    /// A folder, or a URL (`https://`, `http://`), checked.
    fn parse(arg: &Path) -> Result<AsvLocation, String> {
        let text = arg.to_string_lossy();
        if let Some(a) = named_artifact(arg)? {
            return Ok(AsvLocation::Artifact(a));
        }
        if text.starts_with("github:") {
            return asv_github::GitHubLocation::parse(&text).map(AsvLocation::GitHub);
        }
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            return crate::collect::http::check_site_url(&text).map(AsvLocation::Site);
        }
        Ok(AsvLocation::Folder(arg.to_path_buf()))
    }
}

use crate::collect::github::bench_artifacts::{self as artifacts, NamedArtifact};

/// A URL, a `github:` or a `github-artifact:` location: read remotely,
/// never a local path (`.readiness.toml` and projects files ask this).
pub(crate) fn is_remote_location(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("github:")
        || lower.starts_with(artifacts::PREFIX)
}

/// A `github-artifact:` location, checked; `None` for anything else.
fn named_artifact(arg: &Path) -> Result<Option<NamedArtifact>, String> {
    let text = arg.to_string_lossy();
    if !text.starts_with(artifacts::PREFIX) {
        return Ok(None);
    }
    NamedArtifact::parse(&text).map(Some)
}

/// How remote inputs are read: the cache, `--offline`, and the GitHub
/// client's settings (API URL, token, retries) for `github:` locations.
#[derive(Debug, Clone, Default)]
pub struct Net {
    pub github: crate::collect::github::client::Settings,
    /// `None`: no cache (`--no-cache`).
    pub cache_dir: Option<PathBuf>,
    pub offline: bool,
    pub quiet: bool,
}

/// Checks every named input before any is read, so that a typo fails
/// before the collection (git, GitHub) starts.
///
/// # Errors
/// A folder or file that does not exist, a glob that is not valid.
pub fn check(inputs: &BenchInputs) -> Result<Checked, Error> {
    let usage = |kind: &InputKind, e: String| Error::Usage(format!("{} {e}", kind.flag));
    let asv = inputs
        .asv
        .iter()
        .map(|a| AsvLocation::parse(a).map_err(|e| usage(&ASV, e)))
        .collect::<Result<Vec<_>, _>>()?;
    let coiled = inputs
        .coiled_db
        .iter()
        .map(|p| named_artifact(p).map_err(|e| usage(&COILED_DB, e)))
        .collect::<Result<Vec<_>, _>>()?;
    let all = inputs.as_inputs();
    for kind in INPUTS.iter().filter(|k| k.takes != Takes::Glob) {
        let want_dir = kind.takes == Takes::Folder;
        for entry in (kind.entries)(&all) {
            if kind.is_remote(&entry) {
                continue;
            }
            let p = Path::new(&entry);
            let problem = if !p.exists() {
                Some(if want_dir {
                    "no such folder"
                } else {
                    "no such file"
                })
            } else if want_dir && !p.is_dir() {
                Some("not a folder")
            } else if !want_dir && p.is_dir() {
                Some("a folder, not a file")
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(Error::Usage(format!("{} {entry}: {problem}", kind.flag)));
            }
        }
    }
    let mut globs = Vec::new();
    for pattern in &inputs.pytest_benchmark {
        globs.push(pytest::expand(pattern)?);
    }
    Ok(Checked { globs, asv, coiled })
}

/// Reads every input [`check`] passed; bad files inside are warnings.
#[must_use]
pub fn read_checked(inputs: &BenchInputs, checked: Checked, net: &Net) -> BenchRead {
    let mut out = BenchRead::default();
    let mut add = |input: Input| {
        out.series.extend(input.series);
        out.provenance.push(input.provenance);
        out.warnings.extend(input.warnings);
    };
    for location in &checked.asv {
        match location {
            AsvLocation::Folder(dir) => add(asv::read_dir(dir)),
            AsvLocation::Site(url) => add(read_site(url, net)),
            AsvLocation::GitHub(loc) => add(read_github(loc, net)),
            AsvLocation::Artifact(a) => read_artifact(a, net).into_iter().for_each(&mut add),
        }
    }
    for file in &inputs.bench_data {
        add(action::read_file(file));
    }
    for dir in &inputs.criterion {
        add(criterion::read_dir(dir));
    }
    for (pattern, files) in inputs.pytest_benchmark.iter().zip(checked.globs) {
        add(pytest::read_files(pattern, &files));
    }
    for (file, artifact) in inputs.coiled_db.iter().zip(&checked.coiled) {
        match artifact {
            Some(a) => read_artifact(a, net).into_iter().for_each(&mut add),
            None => add(coiled::read_file(file)),
        }
    }
    out
}

/// A runtime and a downloader of its own (no token; the cache shared with
/// the GitHub client's file) for one remote input.
fn remote(net: &Net) -> Result<(tokio::runtime::Runtime, crate::collect::http::Http), String> {
    let cache = net
        .cache_dir
        .as_deref()
        .and_then(|dir| crate::cache::Cache::open_or_warn(dir, net.quiet));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let http = crate::collect::http::Http::new(cache, net.offline)?;
    Ok((runtime, http))
}

/// Reads one `asv publish` site.
fn read_site(url: &str, net: &Net) -> Input {
    match remote(net) {
        Ok((rt, http)) => rt.block_on(asv_site::read_site(&http, url, asv_site::MAX_SITE_GRAPHS)),
        Err(why) => asv_site::failed(url, &why),
    }
}

/// Reads one `github:` location, through a GitHub client of its own.
fn read_github(loc: &asv_github::GitHubLocation, net: &Net) -> Input {
    with_client(net, |rt, client, http| {
        rt.block_on(asv_github::read(client, http, loc))
    })
    .unwrap_or_else(|why| asv_site::failed(&loc.display(), &why))
}

/// Reads one `github-artifact:` location, through a GitHub client of its own.
fn read_artifact(loc: &NamedArtifact, net: &Net) -> Vec<Input> {
    with_client(net, |rt, client, _| {
        rt.block_on(artifacts::read_named(client, loc))
    })
    .unwrap_or_else(|why| vec![asv_site::failed(&loc.display(), &why)])
}

/// Runs `read` with a runtime, a GitHub client (the cache shared) and a downloader.
fn with_client<T>(
    net: &Net,
    read: impl FnOnce(
        &tokio::runtime::Runtime,
        &crate::collect::github::client::Client,
        &crate::collect::http::Http,
    ) -> T,
) -> Result<T, String> {
    let (rt, http) = remote(net)?;
    let _entered = rt.enter();
    let cache = net
        .cache_dir
        .as_deref()
        .and_then(|dir| crate::cache::Cache::open_or_warn(dir, true));
    let mut settings = net.github.clone();
    settings.offline = net.offline;
    let client = crate::collect::github::client::Client::new(settings, cache)?;
    Ok(read(&rt, &client, &http))
}

/// What one input (one `--asv DIR`, one `--bench-data FILE`...) gave.
#[derive(Debug)]
pub(crate) struct Input {
    pub series: Vec<BenchSeries>,
    pub provenance: Provenance,
    pub warnings: Vec<String>,
}

/// A JSON value read as a benchmark result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Val {
    Finite(f64),
    /// `null`: the benchmark failed.
    Failed,
    /// `NaN`: ASV's mark for a skipped benchmark.
    Skipped,
    /// `Infinity` or `-Infinity`.
    Infinite,
    /// Anything else where a number was expected.
    Invalid,
}

/// Reads a value parsed by [`parse_json`] as a result.
pub(crate) fn classify(v: &Value) -> Val {
    match v {
        Value::Null => Val::Failed,
        Value::Number(n) => match n.as_f64() {
            Some(x) if x.is_finite() => Val::Finite(x),
            Some(_) => Val::Infinite,
            None => Val::Invalid,
        },
        Value::String(s) if s == NAN => Val::Skipped,
        Value::String(s) if s == INF || s == NEG_INF => Val::Infinite,
        _ => Val::Invalid,
    }
}

const NAN: &str = "NaN";
const INF: &str = "Infinity";
const NEG_INF: &str = "-Infinity";

/// Parses JSON that may hold the bare `NaN`, `Infinity` and `-Infinity`
/// tokens Python's `json` module writes (ASV, pytest-benchmark). Outside
/// strings they become the strings `"NaN"`, `"Infinity"`, `"-Infinity"`,
/// which [`classify`] reads back; strings are left alone.
pub(crate) fn parse_json(text: &str) -> Result<Value, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err("the file is empty".into());
    }
    let cleaned = replace_non_finite(text);
    serde_json::from_str(&cleaned).map_err(|e| format!("not valid JSON: {e}"))
}

fn replace_non_finite(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(NAN) && !text.contains(INF) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else {
            let token = [NEG_INF, NAN, INF]
                .into_iter()
                .find(|t| rest.starts_with(t));
            if let Some(t) = token {
                out.push('"');
                out.push_str(t);
                out.push('"');
                rest = &rest[t.len()..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
}

/// The most a benchmark file may hold. The largest real files seen are a
/// few megabytes (pandas' published `index.json`: 1.5 MB); a quarter of a
/// gigabyte is far beyond any and still fits in memory once parsed.
pub(crate) const MAX_FILE_BYTES: u64 = 256 << 20;

/// Reads a benchmark file as text: a regular file only (a FIFO would hang
/// the read, `/dev/zero` would never end: [`crate::fsutil::open_checked`]),
/// of at most [`MAX_FILE_BYTES`]. The error says why, for a
/// `skipped FILE: why` line.
pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let (file, meta) = open_regular(path)?;
    let too_big = || {
        format!(
            "cannot read it: larger than {} MiB, the most a benchmark file may hold",
            MAX_FILE_BYTES >> 20
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|e| format!("cannot read it: not UTF-8 text ({e})"))
}

/// Opens a regular file ([`crate::fsutil::open_checked`]); the error says
/// why not, for a `skipped FILE: why` line.
pub(crate) fn open_regular(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), String> {
    use crate::fsutil::Refused;
    crate::fsutil::open_checked(path).map_err(|r| match r {
        Refused::Io(e) => format!("cannot read it: {e}"),
        Refused::NotRegular(ft) => format!(
            "cannot read it: {}, not a regular file",
            crate::fsutil::special_kind(ft)
        ),
    })
}

/// Walks a benchmark folder with [`crate::fsutil::walk`], in natural order.
pub(crate) fn walk(
    root: &Path,
    max_depth: usize,
    enter: &dyn Fn(&Path, usize) -> bool,
    want: &dyn Fn(&Path) -> bool,
) -> crate::fsutil::Walked {
    crate::fsutil::walk(root, max_depth, &natural_path_cmp, enter, want)
}

/// [`natural_cmp`] on paths, the order benchmark files are read in.
pub(crate) fn natural_path_cmp(a: &Path, b: &Path) -> Ordering {
    natural_cmp(&a.to_string_lossy(), &b.to_string_lossy())
}

/// Puts what a walk could not read among the skipped files (the input is
/// then incomplete), and what it reached twice through links in a note.
pub(crate) fn walk_problems(
    walked: &crate::fsutil::Walked,
    skips: &mut Skips,
    notes: &mut Vec<String>,
) {
    for (path, why) in &walked.skipped {
        skips.add(path.display().to_string(), why.to_string());
    }
    if !walked.repeated.is_empty() {
        let listed = capped(
            walked
                .repeated
                .iter()
                .map(|(p, first)| format!("{} (read at {})", p.display(), first.display()))
                .collect(),
            "links",
        );
        notes.push(format!(
            "{} files or folders reached a second time through links were read once: {}",
            walked.repeated.len(),
            listed.join("; ")
        ));
    }
}

/// A time in milliseconds since the epoch, as ASV and github-action-benchmark write it.
pub(crate) fn from_millis(v: &Value) -> Option<DateTime<Utc>> {
    let ms = v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|x| x.is_finite() && x.abs() < 1e17)
            .and_then(rounded_i64)
    })?;
    DateTime::from_timestamp_millis(ms)
}

/// `x` rounded to the nearest integer, when an `i64` holds it: `None` for
/// NaN, the infinities and anything at or beyond 2^63 in size.
pub(crate) fn rounded_i64(x: f64) -> Option<i64> {
    // 2^63, exact in an f64; an i64 holds [-2^63, 2^63).
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let r = x.round();
    if !(-LIMIT..LIMIT).contains(&r) {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "r is a whole number in [-2^63, 2^63), which an i64 holds exactly"
    )]
    let n = r as i64;
    Some(n)
}

/// An RFC 3339 time, or a zone-less ISO time read as UTC.
pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    None
}

/// A file's modification time.
pub(crate) fn modified(path: &Path) -> Option<DateTime<Utc>> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .map(DateTime::<Utc>::from)
}

/// True for units that count things per time (`ops/s`, `iter/sec`, `per second`):
/// more is better.
#[must_use]
pub fn is_rate(unit: &str) -> bool {
    let u = unit.trim().to_ascii_lowercase();
    u.ends_with("/s")
        || u.contains("/sec")
        || u.contains("per second")
        || u.contains("per sec")
        || u.contains("ops")
        || u == "hz"
}

/// Which way is better for a unit when the tool does not say: rates up, the rest down.
#[must_use]
pub fn direction_of_unit(unit: &str) -> Direction {
    if is_rate(unit) {
        Direction::HigherIsBetter
    } else {
        Direction::LowerIsBetter
    }
}

/// `name=value` pairs joined by `, `, the form of [`BenchSeries::params`].
pub(crate) fn join_params<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Compares paths with runs of digits read as numbers (`run-9` before `run-10`).
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let na = a.len() - a.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let nb = b.len() - b.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let (da, db) = (&a[..na], &b[..nb]);
                let (ta, tb) = (da.trim_start_matches('0'), db.trim_start_matches('0'));
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = &a[na..];
                b = &b[nb..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                a = &a[x.len_utf8()..];
                b = &b[y.len_utf8()..];
            }
        }
    }
}

/// Lists at most [`MAX_LISTED`] lines, then says how many more there were.
pub(crate) fn capped(lines: Vec<String>, what: &str) -> Vec<String> {
    let n = lines.len();
    let mut out: Vec<String> = lines.into_iter().take(MAX_LISTED).collect();
    if n > MAX_LISTED {
        out.push(format!("and {} more {what}", n - MAX_LISTED));
    }
    out
}

/// What identifies a series within one input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub benchmark: String,
    pub params: String,
    pub machine: String,
    pub env: String,
}

impl Key {
    /// The series named for a warning: `benchmark [params] on machine (env)`.
    pub(crate) fn describe(&self) -> String {
        let mut s = self.benchmark.clone();
        if !self.params.is_empty() {
            s.push_str(&format!(" [{}]", self.params));
        }
        if !self.machine.is_empty() {
            s.push_str(&format!(" on {}", self.machine));
        }
        if !self.env.is_empty() {
            s.push_str(&format!(" ({})", self.env));
        }
        s
    }
}

#[derive(Debug)]
struct Pending {
    location: String,
    /// Each point with its unit and direction, in read order.
    points: Vec<(BenchPoint, String, Direction)>,
}

/// How many points and series a reader left out, by reason, for the
/// provenance notes.
#[derive(Debug, Default, Clone)]
pub(crate) struct LeftOut {
    /// `null` results: the benchmark failed.
    pub failed: usize,
    /// `NaN` results: the benchmark was skipped.
    pub skipped: usize,
    pub infinite: usize,
    /// Not a number where one was expected.
    pub invalid: usize,
    /// Points dropped because their series changed unit (older unit dropped).
    pub other_unit: usize,
    /// Points without a usable time.
    pub no_time: usize,
    /// Series left out because they had a single point.
    pub single: usize,
    /// Series that changed unit.
    pub mixed: usize,
}

impl LeftOut {
    /// Counts a value that is not finite.
    pub(crate) fn count(&mut self, v: Val) {
        match v {
            Val::Finite(_) => {}
            Val::Failed => self.failed += 1,
            Val::Skipped => self.skipped += 1,
            Val::Infinite => self.infinite += 1,
            Val::Invalid => self.invalid += 1,
        }
    }

    /// Values that make the reading incomplete (not the tool's own "failed"/"skipped" marks).
    pub(crate) fn lost(&self) -> bool {
        self.infinite + self.invalid + self.other_unit + self.no_time > 0
    }

    /// One note saying what was left out and why, if anything was.
    pub(crate) fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        for (n, why) in [
            (self.failed, "failed runs (null)"),
            (self.skipped, "skipped runs (NaN)"),
            (self.infinite, "infinite values"),
            (self.invalid, "values that are not numbers"),
            (self.no_time, "points without a usable time"),
            (
                self.other_unit,
                "points in an older unit of a series whose unit changed",
            ),
        ] {
            if n > 0 {
                parts.push(format!("{n} {why}"));
            }
        }
        let mut note = String::new();
        if !parts.is_empty() {
            note = format!("points dropped: {}", parts.join(", "));
        }
        if self.single > 0 {
            if !note.is_empty() {
                note.push_str("; ");
            }
            note.push_str(&format!(
                "{} series with a single point left out (nothing to compare it with)",
                self.single
            ));
        }
        (!note.is_empty()).then_some(note)
    }
}

/// Gathers points into series, then orders, checks and hands them out.
#[derive(Debug)]
pub(crate) struct Builder {
    tool: &'static str,
    order: Vec<Key>,
    map: HashMap<Key, Pending>,
    pub left_out: LeftOut,
}

impl Builder {
    pub(crate) fn new(tool: &'static str) -> Self {
        Builder {
            tool,
            order: Vec::new(),
            map: HashMap::new(),
            left_out: LeftOut::default(),
        }
    }

    /// Adds a value; one that is not finite is counted and left out.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
        &mut self,
        key: &Key,
        location: &str,
        unit: &str,
        direction: Direction,
        time: DateTime<Utc>,
        commit: Option<&str>,
        value: Val,
    ) {
        let Val::Finite(value) = value else {
            self.left_out.count(value);
            return;
        };
        let point = BenchPoint {
            time,
            commit: commit.map(str::to_string),
            value,
            labels: None,
        };
        self.add(key, location, unit, direction, point);
    }

    /// Adds a point whose value is finite (the caller checked it).
    pub(crate) fn add(
        &mut self,
        key: &Key,
        location: &str,
        unit: &str,
        direction: Direction,
        point: BenchPoint,
    ) {
        let pending = self.map.entry(key.clone()).or_insert_with(|| {
            self.order.push(key.clone());
            Pending {
                location: location.to_string(),
                points: Vec::new(),
            }
        });
        pending.points.push((point, unit.to_string(), direction));
    }

    /// Every series of two points or more, points in time order (stable),
    /// each in the unit of its latest point; warnings name the series that
    /// changed unit or were left out.
    pub(crate) fn finish(mut self) -> (Vec<BenchSeries>, Vec<String>, LeftOut) {
        let mut series = Vec::new();
        let mut mixed = Vec::new();
        let mut single = Vec::new();
        for key in self.order {
            let Some(mut p) = self.map.remove(&key) else {
                continue;
            };
            p.points.sort_by_key(|a| a.0.time);
            let Some((_, unit, direction)) = p.points.last().cloned() else {
                continue;
            };
            let before = p.points.len();
            let units: Vec<String> = {
                let mut u: Vec<String> = p.points.iter().map(|x| x.1.clone()).collect();
                u.dedup();
                u
            };
            p.points.retain(|x| x.1 == unit);
            if p.points.len() < before {
                self.left_out.other_unit += before - p.points.len();
                self.left_out.mixed += 1;
                mixed.push(format!(
                    "{} series {} mixes units ({}): the {} points not in {unit:?} (its latest unit) were dropped",
                    self.tool,
                    key.describe(),
                    units
                        .iter()
                        .map(|u| format!("{u:?}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    before - p.points.len()
                ));
            }
            if p.points.len() < 2 {
                self.left_out.single += 1;
                single.push(key.describe());
                continue;
            }
            series.push(BenchSeries {
                tool: self.tool.to_string(),
                benchmark: key.benchmark,
                params: key.params,
                machine: key.machine,
                env: key.env,
                unit,
                direction,
                location: p.location,
                points: p.points.into_iter().map(|x| x.0).collect(),
            });
        }
        let mut warnings = capped(mixed, "series with mixed units");
        if !single.is_empty() {
            let n = single.len();
            let listed: Vec<String> = single.into_iter().take(MAX_LISTED).collect();
            let more = if n > MAX_LISTED {
                format!(" and {} more", n - MAX_LISTED)
            } else {
                String::new()
            };
            warnings.push(format!(
                "{n} {} series with a single point left out: {}{more}",
                self.tool,
                listed.join("; ")
            ));
        }
        (series, warnings, self.left_out)
    }
}

/// Files skipped while reading one input, with why.
#[derive(Debug, Default)]
pub(crate) struct Skips(pub Vec<(String, String)>);

impl Skips {
    pub(crate) fn add(&mut self, file: impl Into<String>, why: impl Into<String>) {
        self.0.push((file.into(), why.into()));
    }

    /// One warning per skipped file, capped.
    pub(crate) fn lines(&self) -> Vec<String> {
        capped(
            self.0
                .iter()
                .map(|(f, why)| format!("skipped {f}: {why}"))
                .collect(),
            "files skipped",
        )
    }
}

/// Assembles an input's provenance and warnings.
pub(crate) fn finish_input(
    source: &str,
    location: &str,
    builder: Builder,
    skips: &Skips,
    mut warnings: Vec<String>,
    mut notes: Vec<String>,
) -> Input {
    let (series, series_warnings, left_out) = builder.finish();
    let skipped_lines = skips.lines();
    let mut all_warnings = skipped_lines.clone();
    all_warnings.append(&mut warnings);
    all_warnings.extend(series_warnings.iter().cloned());
    let mut prov_notes = skipped_lines;
    prov_notes.extend(
        series_warnings
            .into_iter()
            .filter(|w| w.contains("mixes units")),
    );
    if let Some(n) = left_out.note() {
        prov_notes.push(n);
    }
    prov_notes.append(&mut notes);
    Input {
        provenance: Provenance {
            source: source.into(),
            location: location.into(),
            items: series.len() as u64,
            item: "series".into(),
            requests: 0,
            complete: skips.0.is_empty() && !left_out.lost(),
            notes: prov_notes,
            fetched_at: None,
        },
        series,
        warnings: all_warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_benchmark_flags_read_as_one_list() {
        assert_eq!(
            flags_text(),
            "--asv, --bench-data, --criterion, --pytest-benchmark or --coiled-db"
        );
    }

    #[test]
    fn remote_locations_are_taken_only_where_the_reader_reads_them() {
        assert!(ASV.is_remote("https://o.github.io/asv/") && ASV.is_remote("github:o/r@main"));
        assert!(COILED_DB.is_remote("github-artifact:coiled/benchmarks:benchmark"));
        assert!(!COILED_DB.is_remote("https://example.com/benchmark.db"));
        assert!(!CRITERION.is_remote("github-artifact:o/r:criterion"));
        assert!(ASV.check_remote("http://example.com/site").is_err());
        assert!(COILED_DB.check_remote("github-artifact:o").is_err());
        assert!(
            COILED_DB
                .check_remote("github-artifact:o/r:benchmark")
                .is_ok()
        );
    }

    #[test]
    fn non_finite_tokens_outside_strings_are_read() {
        let v = parse_json(
            r#"{"a": [NaN, Infinity, -Infinity, null, 1.5], "NaN": "x NaN -Infinity \" NaN"}"#,
        )
        .unwrap();
        let a: Vec<Val> = v["a"].as_array().unwrap().iter().map(classify).collect();
        assert_eq!(
            a,
            vec![
                Val::Skipped,
                Val::Infinite,
                Val::Infinite,
                Val::Failed,
                Val::Finite(1.5)
            ]
        );
        assert_eq!(v["NaN"], "x NaN -Infinity \" NaN", "strings are left alone");
        assert!(parse_json("{\"a\": [1,").is_err());
        assert_eq!(parse_json("  ").unwrap_err(), "the file is empty");
    }

    #[test]
    fn rates_are_higher_is_better() {
        for u in ["ops/s", "iter/sec", "ops", "requests per second", "MB/s"] {
            assert_eq!(direction_of_unit(u), Direction::HigherIsBetter, "{u}");
        }
        for u in ["seconds", "ns/iter", "bytes", "ns", "speedup"] {
            assert_eq!(direction_of_unit(u), Direction::LowerIsBetter, "{u}");
        }
    }

    #[test]
    fn natural_order_reads_numbers() {
        let mut v = vec!["run-10/a", "run-9/a", "run-100/a", "run-09b"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, vec!["run-9/a", "run-09b", "run-10/a", "run-100/a"]);
    }

    fn key(name: &str) -> Key {
        Key {
            benchmark: name.into(),
            params: String::new(),
            machine: String::new(),
            env: String::new(),
        }
    }

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).unwrap()
    }

    #[test]
    fn builder_orders_checks_units_and_drops_single_points() {
        let mut b = Builder::new("x");
        let d = Direction::LowerIsBetter;
        b.push(&key("a"), "f", "s", d, t(30), None, Val::Finite(3.0));
        b.push(&key("a"), "f", "s", d, t(10), Some("c1"), Val::Finite(1.0));
        b.push(&key("a"), "f", "s", d, t(20), None, Val::Skipped);
        b.push(&key("a"), "f", "s", d, t(10), None, Val::Finite(1.5));
        b.push(&key("one"), "f", "s", d, t(10), None, Val::Finite(1.0));
        b.push(&key("mixed"), "f", "ms", d, t(10), None, Val::Finite(1.0));
        b.push(&key("mixed"), "f", "s", d, t(20), None, Val::Finite(1.0));
        b.push(&key("mixed"), "f", "s", d, t(30), None, Val::Finite(1.0));
        let (series, warnings, left_out) = b.finish();
        assert_eq!(series.len(), 2);
        let a = &series[0];
        let values: Vec<f64> = a.points.iter().map(|p| p.value).collect();
        assert_eq!(
            values,
            vec![1.0, 1.5, 3.0],
            "time order, ties in read order"
        );
        assert_eq!(a.points[0].commit.as_deref(), Some("c1"));
        assert_eq!(series[1].benchmark, "mixed");
        assert_eq!(series[1].points.len(), 2);
        assert_eq!(left_out.skipped, 1);
        assert_eq!(left_out.single, 1);
        assert_eq!(left_out.other_unit, 1);
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("mixed") && w.contains("\"ms\"")),
            "{warnings:?}"
        );
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("single point") && w.contains("one")),
            "{warnings:?}"
        );
    }

    /// Devices and FIFOs are refused by kind before any read (`/dev/zero`
    /// never ends, a FIFO without a writer blocks); a regular file is read.
    #[test]
    fn only_regular_files_are_read() {
        let e = read_text(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(e, "cannot read it: a device, not a regular file");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.json");
        crate::fsutil::mkfifo(&fifo);
        assert!(read_text(&fifo).unwrap_err().contains("a FIFO"));
        let file = dir.path().join("ok.json");
        std::fs::write(&file, "{}").unwrap();
        assert_eq!(read_text(&file).unwrap(), "{}");
    }

    #[test]
    fn long_lists_are_capped() {
        let lines: Vec<String> = (0..15).map(|i| i.to_string()).collect();
        let c = capped(lines, "files skipped");
        assert_eq!(c.len(), MAX_LISTED + 1);
        assert_eq!(c[MAX_LISTED], "and 5 more files skipped");
    }
}
