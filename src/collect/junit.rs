//! JUnit XML files: one file is one run of a test suite.
//!
//! Files are read as a stream of XML events (`quick-xml`), never whole, so a
//! file of any size costs a small buffer plus the test names: the content of
//! `<system-out>`, `<system-err>`, `<failure>`, `<error>`, `<skipped>` and the
//! rerun elements is skipped without being held, and no other tag or text may
//! exceed [`junit_io::MAX_EVENT`]. Only regular files are read. Test names are
//! interned: each distinct test is stored once, and a run is one letter per
//! test (see [`TestRun::outcomes`]).
//!
//! Producers handled: pytest `--junitxml` (with pytest-rerunfailures),
//! cargo-nextest, Maven Surefire/Failsafe, Jest, gtest and other JUnit
//! reporters. The root is `<testsuites>` or `<testsuite>`; suites nest to any
//! depth; anything after the root's end makes the file malformed.
//!
//! A test is `[file::][suite::]classname::name`: the `file` attribute when
//! present, then the innermost named suite unless it repeats the classname
//! (left out in pytest reports, whose one suite is named after the tool).
//! A report is pytest's when its root is `<testsuites name="pytest tests">`
//! or a suite is named `pytest`. In pytest reports, repeated records of one
//! test are reruns (pytest-rerunfailures writes them unmarked): the test is
//! `x` if it both passed and failed. In other reports, the n-th unmarked
//! repeat is a test of its own, `… #n`; reruns there are the `<flakyFailure>`,
//! `<flakyError>`, `<rerunFailure>`, `<rerunError>` and `<rerun>` children
//! (Surefire, nextest).
//!
//! Per test and file the outcome is: `f` when a `<failure>` was recorded and
//! the test never passed, `e` for an `<error>` alone, `s` when it was only
//! skipped (a `<skipped>` child, or a `status`/`result` attribute saying
//! `disabled`, `ignored`, `skipped`, `notrun` or `suppressed`, unless a
//! failure or error is recorded), `p` when it passed, and `x` when it both
//! passed and failed in the same file.
//!
//! The run's time is the first `timestamp` attribute of a `<testsuites>` or
//! `<testsuite>`, else a suite `<property>` named like `timestamp`, else the
//! file's modification time; zone-less times are UTC. The commit is a suite
//! `<property>` named like `commit`, `git_commit`, `sha` or `GITHUB_SHA`. The
//! environment comes from `--junit-env REGEX` on the file's path, else a suite
//! `<property>` named like `env` or `matrix`.
//!
//! A file that cannot be read whole (truncated, not UTF-8, not JUnit XML,
//! unreadable, not a regular file) is skipped entirely, with a warning: the
//! cases read before the break are not counted, since a partial run would
//! bias pass rates towards whichever tests happen to come first.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use regex::Regex;

use super::junit_io::{self, Bounded};
use crate::error::Error;
use crate::evidence::{Provenance, TestEvidence, TestRun, TimeSource};

/// Property names (lower case, `.` and `-` read as `_`) that give the commit tested.
const COMMIT_PROPERTIES: &[&str] = &[
    "commit",
    "git_commit",
    "commit_sha",
    "git_sha",
    "sha",
    "github_sha",
    "ci_commit_sha",
    "revision",
    "git_revision",
];

/// Property names that give the time of the run.
const TIME_PROPERTIES: &[&str] = &["timestamp", "date", "started_at", "start_time"];

/// Property names that give the environment of the run (a CI matrix entry).
const ENV_PROPERTIES: &[&str] = &["env", "environment", "matrix", "matrix_name", "tox_env"];

/// `status`/`result` attribute values of a `<testcase>` that mean it did not run.
const NOT_RUN: &[&str] = &["disabled", "ignored", "skipped", "notrun", "suppressed"];

/// Elements whose content is never needed: skipped without being held.
const SKIP_CONTENT: &[&str] = &[
    "system-out",
    "system-err",
    "failure",
    "error",
    "skipped",
    "flakyFailure",
    "flakyError",
    "rerunFailure",
    "rerunError",
    "rerun",
    "stackTrace",
];

// Per test and file, what was seen.
const PASS: u8 = 1;
const FAIL: u8 = 2;
const ERROR: u8 = 4;
const SKIP: u8 = 8;
const RETRY: u8 = 16;
const SEEN: u8 = 32;

/// Files found for a list of glob patterns.
#[derive(Debug, Default)]
pub struct Files {
    /// Every file matched, in pattern order then name order, each once.
    pub paths: Vec<PathBuf>,
    /// The patterns that matched nothing.
    pub empty: Vec<String>,
    /// Matches left out as a file already found (through a link, or by another pattern).
    pub again: usize,
}

/// Expands `--junit` patterns. A pattern without wildcards is that path.
/// Folder walks enter each folder once, so links that loop end.
///
/// # Errors
/// A pattern that is not a valid glob.
pub fn expand(patterns: &[String]) -> Result<Files, Error> {
    let mut files = Files::default();
    let mut seen = std::collections::HashSet::new();
    for pattern in patterns {
        let (found, again) = junit_io::glob_files(pattern).map_err(|e| {
            Error::Usage(format!("--junit {pattern:?} is not a valid pattern: {e}"))
        })?;
        files.again += again;
        if found.is_empty() {
            files.empty.push(pattern.clone());
        }
        for p in found {
            let id = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
            if seen.insert(id) {
                files.paths.push(p);
            } else {
                files.again += 1;
            }
        }
    }
    Ok(files)
}

/// Test runs read from files, and what could not be read.
#[derive(Debug, Default)]
pub struct Collected {
    pub evidence: TestEvidence,
    /// `(file, problem)` for every file skipped.
    pub skipped: Vec<(String, String)>,
    /// Suites that declare tests but hold no `<testcase>`: not counted.
    pub unread: Vec<String>,
    /// Remarks that are not failures (a timestamp that could not be read).
    pub notes: Vec<String>,
}

impl Collected {
    /// The provenance record for these files, `patterns` being what was asked for.
    #[must_use]
    pub fn provenance(&self, patterns: &[String], empty: &[String]) -> Provenance {
        let mut notes: Vec<String> = empty
            .iter()
            .map(|p| format!("the pattern {p:?} matched no files"))
            .collect();
        notes.extend(
            self.skipped
                .iter()
                .map(|(f, why)| format!("skipped {f}: {why}")),
        );
        notes.extend(self.unread.iter().cloned());
        notes.extend(self.notes.iter().cloned());
        if !self.evidence.runs.is_empty() {
            notes.push(where_from(&self.evidence.runs));
        }
        Provenance {
            source: "junit".into(),
            location: patterns.join(" "),
            items: self.evidence.runs.len() as u64,
            item: "files".into(),
            requests: 0,
            complete: self.skipped.is_empty() && empty.is_empty() && self.unread.is_empty(),
            notes,
            fetched_at: None,
        }
    }
}

/// Says where the runs' times, commits and environments came from, for the report.
fn where_from(runs: &[crate::evidence::TestRun]) -> String {
    let count = |src: TimeSource| runs.iter().filter(|r| r.time_source == src).count();
    let mut parts = Vec::new();
    for (src, what) in [
        (TimeSource::Attribute, "a timestamp attribute"),
        (TimeSource::Property, "a property"),
        (TimeSource::FileModified, "the file's modification time"),
        (TimeSource::WorkflowRun, "their Actions run's creation time"),
        (TimeSource::Unknown, "nowhere (unknown)"),
    ] {
        let n = count(src);
        if n > 0 {
            parts.push(format!("{n} from {what}"));
        }
    }
    let commits = runs.iter().filter(|r| r.commit.is_some()).count();
    let envs = runs.iter().filter(|r| r.env.is_some()).count();
    format!(
        "run times: {}; commits known for {commits} of {} runs; environments known for {envs}",
        parts.join(", "),
        runs.len()
    )
}

/// What is known of a run from outside its file: the file's modification
/// time, or for a file in an Actions artifact, the run's creation time, its
/// commit and the artifact's name as the environment. The file's own
/// timestamp and commit come first; the environment given here wins.
#[derive(Debug, Clone, Default)]
pub struct Outside {
    pub mtime: Option<DateTime<Utc>>,
    pub run_time: Option<DateTime<Utc>>,
    pub commit: Option<String>,
    pub env: Option<String>,
}

/// Interns test ids while files are read.
#[derive(Debug, Default)]
pub struct JunitReader {
    ids: HashMap<String, usize>,
    out: Collected,
    /// Per test, what the current file showed (reused between files).
    seen: Vec<u8>,
    key: String,
    /// Per test id, how many records the current file held (non-pytest repeats).
    records: HashMap<String, u32>,
    /// `--junit-env`: the environment read from the file's path.
    env_pattern: Option<Regex>,
}

impl JunitReader {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A reader that takes each run's environment from its path with `pattern`
    /// (the first capture group, or the whole match).
    #[must_use]
    pub fn with_env_pattern(pattern: Option<Regex>) -> Self {
        Self {
            env_pattern: pattern,
            ..Self::default()
        }
    }

    /// Reads one file; on failure nothing of it is kept and the problem is recorded.
    pub fn read_file(&mut self, path: &Path) {
        let name = path.display().to_string();
        let file = match crate::fsutil::open_regular(path) {
            Ok(f) => f,
            Err(e) => {
                self.out
                    .skipped
                    .push((name, format!("cannot read it: {e}")));
                return;
            }
        };
        let mtime = file
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .map(DateTime::<Utc>::from);
        self.read(BufReader::with_capacity(64 * 1024, file), &name, mtime);
    }

    /// Reads one run from `input`, named `name`, whose file was modified at `mtime`.
    pub fn read<R: std::io::BufRead>(
        &mut self,
        input: R,
        name: &str,
        mtime: Option<DateTime<Utc>>,
    ) {
        let outside = Outside {
            mtime,
            ..Outside::default()
        };
        self.read_with(input, name, &outside);
    }

    /// Reads one run from `input`, named `name`, with what is known of it
    /// from outside the file (an Actions artifact's run and name).
    pub fn read_with<R: std::io::BufRead>(&mut self, input: R, name: &str, outside: &Outside) {
        let before = self.out.evidence.tests.len();
        self.seen.clear();
        self.seen.resize(before, 0);
        self.records.clear();
        match self.parse(Bounded::new(input)) {
            Ok(meta) => self.keep(meta, name, outside),
            Err(problem) => {
                // Forget the tests only this file introduced.
                for id in self.out.evidence.tests.drain(before..) {
                    self.ids.remove(&id);
                }
                self.out.skipped.push((name.to_string(), problem));
            }
        }
    }

    /// Records the run just parsed.
    fn keep(&mut self, meta: Meta, name: &str, outside: &Outside) {
        let outcomes = self.outcomes();
        let (time, time_source) = match (meta.attr_time, meta.prop_time) {
            (Some(t), _) => (Some(t), TimeSource::Attribute),
            (None, Some(t)) => (Some(t), TimeSource::Property),
            (None, None) => match (outside.run_time, outside.mtime) {
                (Some(t), _) => (Some(t), TimeSource::WorkflowRun),
                (None, Some(t)) => (Some(t), TimeSource::FileModified),
                (None, None) => (None, TimeSource::Unknown),
            },
        };
        for bad in meta.bad_times {
            self.out
                .notes
                .push(format!("{name}: the time {bad:?} could not be read"));
        }
        for d in meta.declared {
            self.out.unread.push(format!("{name}: {d}"));
        }
        let from_path = self.env_pattern.as_ref().and_then(|re| {
            let c = re.captures(name)?;
            c.get(1)
                .or_else(|| c.get(0))
                .map(|m| m.as_str().to_string())
        });
        self.out.evidence.runs.push(TestRun {
            file: name.to_string(),
            commit: meta.commit.or_else(|| outside.commit.clone()),
            time,
            time_source,
            env: (outside.env.clone())
                .or(from_path)
                .or(meta.env)
                .filter(|e| !e.is_empty()),
            outcomes,
        });
    }

    /// The runs read so far.
    #[must_use]
    pub fn finish(self) -> Collected {
        self.out
    }

    fn outcomes(&self) -> String {
        let mut s: String = self.seen.iter().map(|&f| letter(f)).collect();
        let kept = s.trim_end_matches('.').len();
        s.truncate(kept);
        s
    }

    fn intern(&mut self) -> usize {
        if let Some(&i) = self.ids.get(self.key.as_str()) {
            return i;
        }
        let i = self.out.evidence.tests.len();
        self.out.evidence.tests.push(self.key.clone());
        self.ids.insert(self.key.clone(), i);
        self.seen.push(0);
        i
    }

    fn parse<R: std::io::BufRead>(&mut self, input: Bounded<R>) -> Result<Meta, String> {
        let mut reader = Reader::from_reader(input);
        // End names are checked here, since skipped content includes end tags.
        reader.config_mut().check_end_names = false;
        let mut buf = Vec::with_capacity(4096);
        let mut st = State::default();
        loop {
            let pos = reader.buffer_position();
            reader.get_mut().mark();
            let event = reader
                .read_event_into(&mut buf)
                .map_err(|e| format!("truncated or not well-formed XML near byte {pos}: {e}"))?;
            match &event {
                Event::Start(e) => {
                    if self.start(&mut st, e, false)? {
                        let name = e.name().as_ref().to_string();
                        reader.get_mut().bound(false);
                        junit_io::skip_content(&mut reader.stream(), name.as_bytes())?;
                        reader.get_mut().bound(true);
                    } else {
                        st.stack.push(e.name().as_ref().to_string());
                    }
                }
                Event::Empty(e) => {
                    self.start(&mut st, e, true)?;
                }
                Event::End(e) => self.end(&mut st, e.name().as_ref(), pos)?,
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        if !st.root_seen {
            return Err(if reader.buffer_position() == 0 {
                "the file is empty".into()
            } else {
                "not JUnit XML: no root element".into()
            });
        }
        if let Some(open) = st.stack.last() {
            return Err(format!("truncated: the file ends inside <{open}>"));
        }
        Ok(st.meta)
    }

    /// An end tag: closes a test case or a suite.
    fn end(&mut self, st: &mut State, name: &str, pos: u64) -> Result<(), String> {
        let Some(open) = st.stack.pop() else {
            return Err(format!(
                "not well-formed XML near byte {pos}: </{name}> closes nothing"
            ));
        };
        if open != name {
            return Err(format!(
                "not well-formed XML near byte {pos}: </{name}> closes <{open}>"
            ));
        }
        match local(name) {
            "testcase" => {
                if let Some(c) = st.case.take() {
                    self.close_case(c);
                }
            }
            "testsuite" | "testsuites" => st.close_suite(),
            _ => {}
        }
        if st.stack.is_empty() {
            st.root_closed = true;
        }
        Ok(())
    }

    /// A start (or empty) tag. Returns whether its content is to be skipped.
    fn start(&mut self, st: &mut State, e: &BytesStart<'_>, empty: bool) -> Result<bool, String> {
        let local_name = e.local_name();
        let local = local_name.as_ref();
        if st.root_closed {
            return Err(format!(
                "malformed: <{local}> after the end of the root element"
            ));
        }
        if !st.root_seen {
            st.root_seen = true;
            if local != "testsuites" && local != "testsuite" {
                return Err(format!(
                    "not JUnit XML: the root element is <{local}>, not <testsuites> or <testsuite>"
                ));
            }
        }
        let in_case = st.case.is_some();
        match local {
            "testsuite" | "testsuites" => {
                st.open_suite(e, local == "testsuites")?;
                if empty {
                    st.close_suite();
                }
            }
            "testcase" if !in_case => {
                let c = self.open_case(st, e)?;
                if empty {
                    self.close_case(c);
                } else {
                    st.case = Some(c);
                }
            }
            "failure" if in_case => st.set(FAIL),
            "error" if in_case => st.set(ERROR),
            "skipped" if in_case => st.set(SKIP),
            "flakyFailure" | "flakyError" | "rerunFailure" | "rerunError" | "rerun" if in_case => {
                st.set(RETRY);
            }
            "property" if !in_case => property(&mut st.meta, e)?,
            _ => {}
        }
        let skip = !empty && SKIP_CONTENT.contains(&local);
        Ok(skip)
    }

    fn open_case(&mut self, st: &mut State, e: &BytesStart<'_>) -> Result<Case, String> {
        let class = attr(e, "classname")?.unwrap_or_default();
        let name = attr(e, "name")?.unwrap_or_default();
        let file = attr(e, "file")?.unwrap_or_default();
        let status = attr(e, "status")?
            .into_iter()
            .chain(attr(e, "result")?)
            .any(|s| NOT_RUN.contains(&s.trim().to_ascii_lowercase().as_str()));
        let pytest = st.suites.iter().any(|s| s.pytest);
        if let Some(s) = st.suites.last_mut() {
            s.cases += 1;
        }
        let suite = st.suites.iter().rev().find_map(|s| s.name.as_deref());
        self.key.clear();
        let mut push = |part: &str| {
            if !part.is_empty() {
                if !self.key.is_empty() {
                    self.key.push_str("::");
                }
                self.key.push_str(part);
            }
        };
        push(&file);
        if let Some(s) = suite
            && (!pytest || class.is_empty())
            && s != class
            && s != file
        {
            push(s);
        }
        push(&class);
        self.key
            .push_str(if self.key.is_empty() || name.is_empty() {
                ""
            } else {
                "::"
            });
        self.key.push_str(&name);
        if self.key.is_empty() {
            self.key.push_str("(unnamed)");
        }
        if !pytest {
            // An unmarked repeat outside pytest is a case of its own.
            let n = self.records.entry(self.key.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                let n = *n;
                self.key.push_str(&format!(" #{n}"));
            }
        }
        Ok(Case {
            index: self.intern(),
            flags: if status { SKIP } else { 0 },
        })
    }

    fn close_case(&mut self, c: Case) {
        let passed = c.flags & (FAIL | ERROR | SKIP) == 0;
        let slot = &mut self.seen[c.index];
        *slot |= SEEN | c.flags | if passed { PASS } else { 0 };
    }
}

/// A suite `<property>`: the commit, the time or the environment of the run.
fn property(meta: &mut Meta, e: &BytesStart<'_>) -> Result<(), String> {
    let key = attr(e, "name")?
        .unwrap_or_default()
        .to_ascii_lowercase()
        .replace(['.', '-'], "_");
    let value = attr(e, "value")?.unwrap_or_default();
    let value = value.trim();
    if value.is_empty() {
    } else if COMMIT_PROPERTIES.contains(&key.as_str()) {
        meta.commit.get_or_insert_with(|| value.to_string());
    } else if ENV_PROPERTIES.contains(&key.as_str()) {
        meta.env.get_or_insert_with(|| value.to_string());
    } else if TIME_PROPERTIES.contains(&key.as_str()) && meta.prop_time.is_none() {
        match parse_time(value) {
            Some(t) => meta.prop_time = Some(t),
            None => meta.bad_times.push(value.to_string()),
        }
    }
    Ok(())
}

/// The local part of a qualified name.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The parse of one file in progress.
#[derive(Debug, Default)]
struct State {
    meta: Meta,
    /// Qualified names of the open elements, from the root down.
    stack: Vec<String>,
    /// The open `<testsuites>` and `<testsuite>` elements, innermost last.
    suites: Vec<Suite>,
    case: Option<Case>,
    root_seen: bool,
    root_closed: bool,
}

impl State {
    fn set(&mut self, flag: u8) {
        if let Some(c) = &mut self.case {
            c.flags |= flag;
        }
    }

    /// Opens a `<testsuites>` (`root`) or `<testsuite>` element.
    fn open_suite(&mut self, e: &BytesStart<'_>, root: bool) -> Result<(), String> {
        let name = attr(e, "name")?;
        if let Some(ts) = attr(e, "timestamp")?
            && self.meta.attr_time.is_none()
        {
            match parse_time(&ts) {
                Some(t) => self.meta.attr_time = Some(t),
                None => self.meta.bad_times.push(ts),
            }
        }
        let count = |key: &str| -> Result<u64, String> {
            Ok(attr(e, key)?
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(0))
        };
        let declared = [
            count("tests")?,
            count("failures")?,
            count("errors")?,
            count("skipped")?,
        ];
        let pytest = match (root, name.as_deref()) {
            (true, Some("pytest tests")) | (false, Some("pytest")) => true,
            _ => self.suites.iter().any(|s| s.pytest),
        };
        self.suites.push(Suite {
            name: if root { None } else { name.clone() },
            label: name,
            root,
            pytest,
            declared,
            cases: 0,
            told: false,
        });
        Ok(())
    }

    /// Closes the innermost suite: one that declared tests but held none is told.
    fn close_suite(&mut self) {
        let Some(s) = self.suites.pop() else {
            return;
        };
        let [tests, failures, errors, skipped] = s.declared;
        if s.cases == 0 && tests > 0 && !s.told {
            let what = if s.root { "<testsuites>" } else { "suite" };
            let name = s.label.map(|n| format!(" {n:?}")).unwrap_or_default();
            self.meta.declared.push(format!(
                "the {what}{name} declares {tests} tests ({failures} failures, {errors} errors, {skipped} skipped) but holds no <testcase>: not counted"
            ));
        }
        if let Some(parent) = self.suites.last_mut() {
            parent.cases += s.cases;
            parent.told |= s.told || (s.cases == 0 && tests > 0);
        }
    }
}

/// An open suite.
#[derive(Debug)]
struct Suite {
    /// The name a test takes from it (`None` for `<testsuites>`).
    name: Option<String>,
    /// Its name, for messages.
    label: Option<String>,
    root: bool,
    /// It, or a suite around it, is pytest's.
    pytest: bool,
    /// `tests`, `failures`, `errors`, `skipped` as declared.
    declared: [u64; 4],
    /// Test cases held, nested suites included.
    cases: u64,
    /// A suite inside already said it declared tests it does not hold.
    told: bool,
}

/// What a file says about its run besides the outcomes.
#[derive(Debug, Default)]
struct Meta {
    commit: Option<String>,
    env: Option<String>,
    attr_time: Option<DateTime<Utc>>,
    prop_time: Option<DateTime<Utc>>,
    bad_times: Vec<String>,
    /// Suites declaring tests they do not hold.
    declared: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
struct Case {
    index: usize,
    flags: u8,
}

/// The outcome letter for what one file showed of a test.
fn letter(f: u8) -> char {
    let failed = f & (FAIL | ERROR | RETRY) != 0;
    if f & SEEN == 0 {
        '.'
    } else if f & PASS != 0 && failed {
        'x'
    } else if f & PASS != 0 {
        'p'
    } else if f & FAIL != 0 || (f & RETRY != 0 && f & ERROR == 0) {
        'f'
    } else if f & ERROR != 0 {
        'e'
    } else {
        's'
    }
}

/// An attribute's unescaped value.
fn attr(e: &BytesStart<'_>, key: &str) -> Result<Option<String>, String> {
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|err| format!("a malformed attribute: {err}"))?;
        if a.key.local_name().as_ref() == key {
            return a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| Some(v.into_owned()))
                .map_err(|err| format!("a malformed attribute value: {err}"));
        }
    }
    Ok(None)
}

/// The times producers write: RFC 3339; ISO 8601 without a zone (read as UTC),
/// with `Z`, an offset, or a ` UTC`/` GMT` suffix; RFC 2822
/// (`Sat, 03 Dec 2022 23:10:07 GMT`); a bare date.
#[must_use]
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Some(d.with_timezone(&Utc));
    }
    let naive = t
        .strip_suffix(" UTC")
        .or_else(|| t.strip_suffix(" GMT"))
        .or_else(|| t.strip_suffix('Z'))
        .unwrap_or(t)
        .trim_end();
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(naive, fmt) {
            return Some(n.and_utc());
        }
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f %z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(t, fmt) {
            return Some(d.with_timezone(&Utc));
        }
    }
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc())
}

/// Reads every file, in order, taking environments from paths with `env_pattern`.
#[must_use]
pub fn read_files(paths: &[PathBuf], env_pattern: Option<Regex>) -> Collected {
    let mut r = JunitReader::with_env_pattern(env_pattern);
    for p in paths {
        r.read_file(p);
    }
    r.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(files: &[&str]) -> Collected {
        let mut r = JunitReader::new();
        for (i, text) in files.iter().enumerate() {
            r.read(text.as_bytes(), &format!("f{i}.xml"), None);
        }
        r.finish()
    }

    fn outcomes(c: &Collected) -> Vec<(String, char)> {
        let run = &c.evidence.runs[0];
        c.evidence
            .tests
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), run.outcomes.chars().nth(i).unwrap_or('.')))
            .collect()
    }

    fn pairs(list: &[(&str, char)]) -> Vec<(String, char)> {
        list.iter().map(|(t, c)| ((*t).to_string(), *c)).collect()
    }

    /// pytest output: classname::name ids, failure, error, skipped (xfail too), and a plain pass.
    #[test]
    fn pytest_shape() {
        let c = read(&[r#"<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5" time="1.2" timestamp="2026-07-01T10:00:00.123456" hostname="h">
<testcase classname="tests.test_a" name="test_ok" time="0.001" />
<testcase classname="tests.test_a" name="test_bad[1-x]" time="0.1"><failure message="assert 1 == 2">long
text &amp; more</failure></testcase>
<testcase classname="tests.test_a" name="test_err" time="0"><error message="fixture">boom</error></testcase>
<testcase classname="tests.test_a" name="test_skip" time="0"><skipped type="pytest.skip" message="no">x</skipped></testcase>
<testcase classname="tests.test_a" name="test_xfail" time="0"><skipped type="pytest.xfail" message="x" /></testcase>
</testsuite></testsuites>"#]);
        assert!(c.skipped.is_empty(), "{:?}", c.skipped);
        assert_eq!(
            outcomes(&c),
            pairs(&[
                ("tests.test_a::test_ok", 'p'),
                ("tests.test_a::test_bad[1-x]", 'f'),
                ("tests.test_a::test_err", 'e'),
                ("tests.test_a::test_skip", 's'),
                ("tests.test_a::test_xfail", 's'),
            ])
        );
        let run = &c.evidence.runs[0];
        assert_eq!(run.time_source, TimeSource::Attribute);
        assert_eq!(
            run.time.unwrap().to_rfc3339(),
            "2026-07-01T10:00:00.123456+00:00",
            "a zone-less timestamp is UTC"
        );
    }

    /// A test repeated in one file with a failure and a pass (pytest-rerunfailures) is `x`;
    /// a `<rerun>` child beside a final pass is `x` too; repeated failures stay `f`.
    #[test]
    fn repeated_and_rerun_cases_are_retried() {
        let c = read(&[r#"<testsuites><testsuite name="pytest">
<testcase classname="t" name="flaky"><failure message="1"/></testcase>
<testcase classname="t" name="flaky"/>
<testcase classname="t" name="rerun"><rerun message="first try failed"/></testcase>
<testcase classname="t" name="broken"><failure/></testcase>
<testcase classname="t" name="broken"><failure/></testcase>
<testcase classname="t" name="twice"/><testcase classname="t" name="twice"/>
</testsuite></testsuites>"#]);
        assert_eq!(
            outcomes(&c),
            pairs(&[
                ("t::flaky", 'x'),
                ("t::rerun", 'x'),
                ("t::broken", 'f'),
                ("t::twice", 'p')
            ])
        );
    }

    /// nextest: flakyFailure children on a final pass are `x`; rerunFailure with a failure is `f`.
    #[test]
    fn nextest_shape() {
        let c = read(&[r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="3" failures="1" errors="0" uuid="u" timestamp="2026-07-02T08:00:00.000+02:00" time="1">
<testsuite name="my-crate::lib" tests="3" disabled="0" errors="0" failures="1">
<testcase name="tests::ok" classname="my-crate::lib" timestamp="2026-07-02T08:00:00+02:00" time="0.01"></testcase>
<testcase name="tests::flaky" classname="my-crate::lib" time="0.02"><flakyFailure message="x" type="test failure"><stackTrace>boom</stackTrace><system-out>out</system-out></flakyFailure></testcase>
<testcase name="tests::bad" classname="my-crate::lib" time="0.02"><failure type="test failure">f</failure><rerunFailure type="test failure">f</rerunFailure></testcase>
</testsuite></testsuites>"#]);
        assert_eq!(
            outcomes(&c),
            pairs(&[
                ("my-crate::lib::tests::ok", 'p'),
                ("my-crate::lib::tests::flaky", 'x'),
                ("my-crate::lib::tests::bad", 'f')
            ])
        );
        assert_eq!(
            c.evidence.runs[0].time.unwrap().to_rfc3339(),
            "2026-07-02T06:00:00+00:00"
        );
    }

    /// Surefire: a `<testsuite>` root, suite properties giving the commit, flakyError on a pass.
    #[test]
    fn surefire_shape_and_properties() {
        let c = read(&[r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="com.acme.FooTest" time="0.5" tests="3" errors="0" skipped="1" failures="0">
  <properties>
    <property name="java.version" value="21"/>
    <property name="GIT_COMMIT" value=" 0123abcd "/>
    <property name="timestamp" value="2026-07-03T12:00:00Z"/>
  </properties>
  <testcase name="works" classname="com.acme.FooTest" time="0.1"/>
  <testcase name="retried" classname="com.acme.FooTest" time="0.1"><flakyError message="npe" type="java.lang.NullPointerException"/></testcase>
  <testcase name="ignored" classname="com.acme.FooTest" time="0"><skipped/></testcase>
  <testcase name="withprops" classname="com.acme.FooTest"><properties><property name="commit" value="not-the-run"/></properties></testcase>
</testsuite>"#]);
        assert_eq!(
            outcomes(&c),
            pairs(&[
                ("com.acme.FooTest::works", 'p'),
                ("com.acme.FooTest::retried", 'x'),
                ("com.acme.FooTest::ignored", 's'),
                ("com.acme.FooTest::withprops", 'p'),
            ])
        );
        let run = &c.evidence.runs[0];
        assert_eq!(run.commit.as_deref(), Some("0123abcd"));
        assert_eq!(run.time_source, TimeSource::Property);
        assert_eq!(run.time.unwrap().to_rfc3339(), "2026-07-03T12:00:00+00:00");
    }

    /// Jest-style nested suites of any depth; a case without classname takes the innermost suite's name.
    #[test]
    fn jest_nested_suites() {
        let c = read(&[r#"<testsuites name="jest tests" tests="2">
<testsuite name="outer"><testsuite name="src/a.test.js" timestamp="2026-07-04T00:00:00">
<testsuite name="deep"><testcase name="adds numbers" time="0.002"/></testsuite>
<testcase classname="" name="renders &lt;App&gt;"><failure>Error: nope</failure></testcase>
</testsuite></testsuite></testsuites>"#]);
        assert_eq!(
            outcomes(&c),
            pairs(&[
                ("deep::adds numbers", 'p'),
                ("src/a.test.js::renders <App>", 'f'),
            ])
        );
    }

    /// No time in the file: the modification time is used and recorded as such; none at all is Unknown.
    #[test]
    fn time_falls_back_to_the_file_modified_time() {
        let mut r = JunitReader::new();
        let mtime = parse_time("2026-07-05T01:02:03Z");
        r.read(
            &b"<testsuite><testcase name=\"a\"/></testsuite>"[..],
            "a.xml",
            mtime,
        );
        r.read(
            &b"<testsuite><testcase name=\"a\"/></testsuite>"[..],
            "b.xml",
            None,
        );
        let c = r.finish();
        assert_eq!(c.evidence.runs[0].time, mtime);
        assert_eq!(c.evidence.runs[0].time_source, TimeSource::FileModified);
        assert_eq!(c.evidence.runs[1].time_source, TimeSource::Unknown);
        assert_eq!(c.evidence.tests, vec!["a".to_string()]);
    }

    /// A truncated file is skipped whole, and the tests only it named are forgotten.
    #[test]
    fn truncated_files_are_skipped_whole() {
        let good = r#"<testsuite name="s"><testcase classname="c" name="a"/></testsuite>"#;
        let cut = r#"<testsuite name="s"><testcase classname="c" name="a"><failure/></testcase><testcase classname="c" name="only_here"/><testcase classname="c" na"#;
        let cut_between = r#"<testsuites><testsuite name="s"><testcase classname="c" name="b"/>"#;
        let c = read(&[good, cut, cut_between]);
        assert_eq!(c.evidence.runs.len(), 1);
        assert_eq!(c.evidence.tests, vec!["s::c::a".to_string()]);
        assert_eq!(c.evidence.runs[0].outcomes, "p");
        assert_eq!(c.skipped.len(), 2, "{:?}", c.skipped);
        assert_eq!(c.skipped[0].0, "f1.xml");
        assert_eq!(c.skipped[1].0, "f2.xml");
        assert!(c.skipped[1].1.contains("truncated"), "{}", c.skipped[1].1);
        assert!(!c.provenance(&["*.xml".into()], &[]).complete);
    }

    /// HTML, XML with another root, non-UTF-8 bytes and an empty file are refused with a reason.
    #[test]
    fn non_junit_input_is_refused() {
        let mut r = JunitReader::new();
        r.read(
            &b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"[..],
            "html",
            None,
        );
        r.read(&b"<?xml version=\"1.0\"?><project/>"[..], "pom", None);
        r.read(
            &b"<testsuite name=\"s\"><testcase name=\"caf\xe9\"/></testsuite>"[..],
            "latin1",
            None,
        );
        r.read(&b""[..], "empty", None);
        r.read(&b"just some text"[..], "text", None);
        let c = r.finish();
        assert!(c.evidence.runs.is_empty());
        assert!(c.evidence.tests.is_empty());
        let why: HashMap<_, _> = c.skipped.into_iter().collect();
        assert!(
            why["html"].contains("root element is <html>"),
            "{}",
            why["html"]
        );
        assert!(
            why["pom"].contains("root element is <project>"),
            "{}",
            why["pom"]
        );
        assert!(
            why["latin1"].contains("UTF-8") || why["latin1"].contains("utf-8"),
            "{}",
            why["latin1"]
        );
        assert_eq!(why["empty"], "the file is empty");
        assert!(why["text"].contains("no root element"), "{}", why["text"]);
    }

    /// Later files add tests: earlier runs are shorter and read `.` for them; ids are interned once.
    #[test]
    fn tests_are_interned_across_files() {
        let c = read(&[
            r#"<testsuite><testcase classname="c" name="a"/><testcase classname="c" name="b"/></testsuite>"#,
            r#"<testsuite><testcase classname="c" name="c"><skipped/></testcase><testcase classname="c" name="a"><error/></testcase></testsuite>"#,
        ]);
        assert_eq!(c.evidence.tests, vec!["c::a", "c::b", "c::c"]);
        assert_eq!(c.evidence.runs[0].outcomes, "pp");
        assert_eq!(c.evidence.runs[1].outcomes, "e.s");
    }

    /// A `status`/`result` attribute saying the test did not run is a skip (gtest, TST,
    /// EnricoMi's `disabled`); a `<failure>` or `<error>` child still wins over it.
    #[test]
    fn status_attributes_that_mean_not_run_are_skips() {
        let c = read(&[r#"<testsuites><testsuite name="factorial">
<testcase classname="c" name="off" status="disabled"/>
<testcase classname="c" name="ign" status="Ignored"/>
<testcase classname="c" name="gt" status="notrun" result="suppressed"/>
<testcase classname="c" name="gt_skip" status="run" result="skipped"/>
<testcase classname="c" name="ran" status="run" result="completed"/>
<testcase classname="c" name="odd" status="disabled"><failure/></testcase>
<testcase classname="c" name="odd_err" status="skipped"><error/></testcase>
</testsuite></testsuites>"#]);
        assert_eq!(c.evidence.runs[0].outcomes, "sssspfe");
    }

    /// Cases of one classname and name in another file or suite are other tests (the shape of
    /// dorny/test-reporter's jest fixture, where 257 of 4,239 cases used to vanish); the suite is
    /// not repeated when it is the classname, and pytest's one suite is not part of its ids.
    #[test]
    fn identity_includes_file_and_suite() {
        let c = read(&[
            r#"<testsuites name="jest tests">
<testsuite name="a.test.js"><testcase classname="works" name="works"/></testsuite>
<testsuite name="b.test.js"><testcase classname="works" name="works"><failure/></testcase></testsuite>
<testsuite name="s"><testcase classname="c" name="t" file="x.js"/><testcase classname="c" name="t" file="y.js"/></testsuite>
<testsuite name="com.acme.T"><testcase classname="com.acme.T" name="m"/></testsuite>
</testsuites>"#,
            r#"<testsuites name="pytest tests"><testsuite name="custom"><testcase classname="tests.test_a" name="test_ok"/></testsuite></testsuites>"#,
        ]);
        assert_eq!(
            c.evidence.tests,
            vec![
                "a.test.js::works::works",
                "b.test.js::works::works",
                "x.js::s::c::t",
                "y.js::s::c::t",
                "com.acme.T::m",
                "tests.test_a::test_ok",
            ]
        );
        assert_eq!(c.evidence.runs[0].outcomes, "pfppp");
    }

    /// Outside pytest, unmarked repeats are cases of their own, `#n` from the second on, and never
    /// a retry: parameterized cases sharing a name (pass, pass, fail) keep their failure, and four
    /// nameless cases are four tests, not one "passed on retry".
    #[test]
    fn unmarked_repeats_outside_pytest_are_separate_cases() {
        let c = read(&[
            r#"<testsuite name="MSTest"><testcase classname="T" name="Add"/><testcase classname="T" name="Add"/><testcase classname="T" name="Add"><failure/></testcase></testsuite>"#,
            r"<testsuite><testcase/><testcase><skipped/></testcase><testcase><failure/></testcase><testcase><error/></testcase></testsuite>",
        ]);
        assert_eq!(
            c.evidence.tests,
            vec![
                "MSTest::T::Add",
                "MSTest::T::Add #2",
                "MSTest::T::Add #3",
                "(unnamed)",
                "(unnamed) #2",
                "(unnamed) #3",
                "(unnamed) #4",
            ]
        );
        assert_eq!(c.evidence.runs[0].outcomes, "ppf");
        assert_eq!(c.evidence.runs[1].outcomes, "...psfe");
        // In a pytest report the same shape is a rerun: failed, then passed.
        let c = read(&[
            r#"<testsuites><testsuite name="pytest"><testcase classname="t" name="a"><failure/></testcase><testcase classname="t" name="a"/></testsuite></testsuites>"#,
        ]);
        assert_eq!(c.evidence.tests, vec!["t::a"]);
        assert_eq!(c.evidence.runs[0].outcomes, "x");
    }

    /// Times as CI writes them: RFC 2822 (`Sat, 03 Dec 2022 23:10:07 GMT`), ISO with ` UTC`,
    /// with a `+0000` offset; an unreadable one still falls back and is noted.
    #[test]
    fn producer_time_forms_are_read() {
        for (text, want) in [
            ("Sat, 03 Dec 2022 23:10:07 GMT", "2022-12-03T23:10:07+00:00"),
            ("2021-03-07T10:36:56 UTC", "2021-03-07T10:36:56+00:00"),
            ("2021-03-07 10:36:56 GMT", "2021-03-07T10:36:56+00:00"),
            (
                "2021-03-07T10:36:56.5+0100",
                "2021-03-07T09:36:56.500+00:00",
            ),
        ] {
            assert_eq!(
                parse_time(text).map(|t| t.to_rfc3339()).as_deref(),
                Some(want),
                "{text}"
            );
        }
        let c = read(&[r#"<testsuite timestamp="yesterday"><testcase name="a"/></testsuite>"#]);
        assert_eq!(c.evidence.runs[0].time_source, TimeSource::Unknown);
        assert_eq!(
            c.notes,
            vec![r#"f0.xml: the time "yesterday" could not be read"#]
        );
    }

    /// A suite that declares tests but holds no `<testcase>` is not scored, but said, and the
    /// source is incomplete; nested empty suites are told once, at the innermost.
    #[test]
    fn declared_totals_without_cases_are_told() {
        let c = read(&[
            r#"<testsuites tests="6"><testsuite name="s" tests="6" failures="1" errors="0" skipped="2"/></testsuites>"#,
            r#"<testsuites tests="0"><testsuite name="none" tests="0"/></testsuites>"#,
        ]);
        assert_eq!(c.evidence.runs.len(), 2);
        assert_eq!(
            c.unread,
            vec![
                r#"f0.xml: the suite "s" declares 6 tests (1 failures, 0 errors, 2 skipped) but holds no <testcase>: not counted"#
            ]
        );
        let p = c.provenance(&["*.xml".into()], &[]);
        assert!(!p.complete);
        assert!(
            p.notes.iter().any(|n| n.contains("declares 6 tests")),
            "{:?}",
            p.notes
        );
    }

    /// Test cases after the root's end make the file malformed: it is skipped whole.
    #[test]
    fn cases_after_the_root_refuse_the_file() {
        let c = read(&[
            r#"<testsuites><testsuite name="s"><testcase classname="c" name="a"/></testsuite></testsuites>
<testcase classname="c" name="b"><failure/></testcase><testcase classname="c" name="d"/>"#,
        ]);
        assert!(c.evidence.runs.is_empty());
        assert!(c.evidence.tests.is_empty());
        assert_eq!(
            c.skipped[0].1,
            "malformed: <testcase> after the end of the root element"
        );
    }

    /// Output and failure text is skipped, even holding look-alike end tags in CDATA, and a
    /// truncation inside it still refuses the file.
    #[test]
    fn skipped_content_is_followed_to_its_end() {
        let c = read(&[
            r#"<testsuite name="s"><testcase classname="c" name="a"><system-out><![CDATA[</system-out><testcase name="fake"/>]]></system-out></testcase>
<testcase classname="c" name="b"><failure message="m">x &lt; y <b>bold</b></failure><system-err>e</system-err></testcase></testsuite>"#,
            r#"<testsuite name="s"><testcase classname="c" name="a"><system-out>cut"#,
        ]);
        assert_eq!(c.evidence.tests, vec!["s::c::a", "s::c::b"]);
        assert_eq!(c.evidence.runs[0].outcomes, "pf");
        assert_eq!(
            c.skipped,
            vec![(
                "f1.xml".to_string(),
                "truncated: the file ends inside <system-out>".to_string()
            )]
        );
    }

    /// A text or tag past the per-event bound (outside skipped elements) refuses the file
    /// instead of being held whole.
    #[test]
    fn oversized_events_refuse_the_file() {
        let mut text = String::from(r#"<testsuite name="s"><properties>"#);
        text.push_str(&"x".repeat(usize::try_from(junit_io::MAX_EVENT).unwrap() + (1 << 20)));
        text.push_str(r#"</properties><testcase name="a"/></testsuite>"#);
        // Read as from a file: in pieces, as BufReader gives them.
        let mut r = JunitReader::new();
        r.read(
            BufReader::with_capacity(64 * 1024, text.as_bytes()),
            "big.xml",
            None,
        );
        let c = r.finish();
        assert!(
            c.evidence.runs.is_empty(),
            "{:?} {:?}",
            c.evidence,
            c.skipped
        );
        assert!(
            c.skipped[0].1.contains("longer than 32 MiB"),
            "{}",
            c.skipped[0].1
        );
    }

    /// The environment comes from `--junit-env` on the path (first group), else a suite property.
    #[test]
    fn environment_from_path_or_property() {
        let run = r#"<testsuite name="s"><properties><property name="ENV" value="py3.12"/></properties><testcase name="a"/></testsuite>"#;
        let mut r = JunitReader::with_env_pattern(Some(Regex::new("artifacts/([^/]+)/").unwrap()));
        r.read(run.as_bytes(), "artifacts/windows-latest/junit.xml", None);
        r.read(run.as_bytes(), "elsewhere/junit.xml", None);
        r.read(
            &b"<testsuite><testcase name=\"a\"/></testsuite>"[..],
            "x.xml",
            None,
        );
        let c = r.finish();
        let envs: Vec<_> = c.evidence.runs.iter().map(|r| r.env.as_deref()).collect();
        assert_eq!(envs, vec![Some("windows-latest"), Some("py3.12"), None]);
    }

    /// Globs expand in order, each file once; a pattern matching nothing is reported.
    #[test]
    fn globs_expand_and_report_empty_patterns() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["b.xml", "a.xml", "c.txt"] {
            std::fs::write(dir.path().join(n), "<testsuite/>").unwrap();
        }
        let d = dir.path().display();
        let files = expand(&[
            format!("{d}/*.xml"),
            format!("{d}/a.xml"),
            format!("{d}/none/*.xml"),
        ])
        .unwrap();
        let names: Vec<_> = files
            .paths
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["a.xml", "b.xml"]);
        assert_eq!(files.empty, vec![format!("{d}/none/*.xml")]);
        assert!(expand(&["[".into()]).is_err());
    }
}
