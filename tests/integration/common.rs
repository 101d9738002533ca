//! Test helpers: git repositories built with fixed dates, and a runner for
//! the `readiness` binary pinned to a fixed "now".

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// "Now" for every run: 2026-08-20T00:00:00Z.
pub(crate) const NOW: &str = "1787184000";

/// Converts an RFC 3339 time to git's `<seconds> <+hhmm>` form.
pub(crate) fn git_time(rfc3339: &str) -> String {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("bad fixture date {rfc3339}: {e}"));
    let off = t.offset().local_minus_utc() / 60;
    let sign = if off < 0 { '-' } else { '+' };
    format!(
        "{} {sign}{:02}{:02}",
        t.timestamp(),
        off.abs() / 60,
        off.abs() % 60
    )
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Annotated,
    Lightweight,
}

/// Where a branch's first commit comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Start {
    /// Forked from `main` as it is at that point.
    FromMain,
    /// A new history with its own root commit.
    Orphan,
}

/// One tag to write.
struct Entry {
    name: String,
    commit_date: String,
    tag_date: String,
    kind: Kind,
    /// The branch its commit goes on (`main` unless told otherwise).
    branch: String,
    /// Tag the previous entry's commit instead of making a new one.
    same_commit: bool,
}

/// Builds a repository with one commit per tag, through `git fast-import`.
/// Commits go on `main` unless [`RepoBuilder::on_branch`] or
/// [`RepoBuilder::on_orphan`] says otherwise.
#[derive(Default)]
pub(crate) struct RepoBuilder {
    tags: Vec<Entry>,
    /// The branch the next commits go on (`None`: main).
    branch: Option<String>,
    starts: Vec<(String, Start)>,
    deleted: Vec<String>,
    /// The branch `HEAD` names once built (`None`: main).
    head: Option<String>,
    remote: Option<String>,
}

impl RepoBuilder {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn push(mut self, name: &str, commit_date: &str, tag_date: &str, kind: Kind) -> Self {
        let branch = self.branch.clone().unwrap_or_else(|| "main".into());
        self.tags.push(Entry {
            name: name.into(),
            commit_date: commit_date.into(),
            tag_date: tag_date.into(),
            kind,
            branch,
            same_commit: false,
        });
        self
    }

    /// An annotated tag dated `date`, on a commit made `date` too.
    pub(crate) fn tag(self, name: &str, date: &str) -> Self {
        self.push(name, date, date, Kind::Annotated)
    }

    /// An annotated tag whose commit is older than the tag.
    pub(crate) fn tag_later(self, name: &str, commit_date: &str, tag_date: &str) -> Self {
        self.push(name, commit_date, tag_date, Kind::Annotated)
    }

    /// A lightweight tag on a commit made at `date`.
    pub(crate) fn lightweight(self, name: &str, date: &str) -> Self {
        self.push(name, date, date, Kind::Lightweight)
    }

    /// Another annotated tag, dated `date`, on the previous tag's commit.
    pub(crate) fn retag(self, name: &str, date: &str) -> Self {
        let commit_date = self
            .tags
            .last()
            .map(|e| e.commit_date.clone())
            .expect("retag needs an earlier tag");
        let mut b = self.push(name, &commit_date, date, Kind::Annotated);
        if let Some(e) = b.tags.last_mut() {
            e.same_commit = true;
        }
        b
    }

    /// The next commits go on branch `name`, forked from `main` as it is now.
    pub(crate) fn on_branch(mut self, name: &str) -> Self {
        self.starts.push((name.into(), Start::FromMain));
        self.branch = Some(name.into());
        self
    }

    /// The next commits go on branch `name`, a history with its own root
    /// commit that shares nothing with `main`.
    pub(crate) fn on_orphan(mut self, name: &str) -> Self {
        self.starts.push((name.into(), Start::Orphan));
        self.branch = Some(name.into());
        self
    }

    /// The next commits go on `main` again.
    pub(crate) fn on_main(mut self) -> Self {
        self.branch = None;
        self
    }

    /// Points `HEAD` at branch `name` once built.
    pub(crate) fn head(mut self, name: &str) -> Self {
        self.head = Some(name.into());
        self
    }

    /// Deletes branch `name` once built: only its tags keep its commits.
    pub(crate) fn delete_branch(mut self, name: &str) -> Self {
        self.deleted.push(name.into());
        self
    }

    pub(crate) fn remote(mut self, url: &str) -> Self {
        self.remote = Some(url.into());
        self
    }

    /// Writes the repository at `path` (bare or with a work tree).
    pub(crate) fn build(&self, path: &Path, bare: bool) {
        let mut init = Command::new("git");
        init.args(["init", "-q", "-b", "main"]);
        if bare {
            init.arg("--bare");
        }
        run_git(init.arg(path));
        let mut stream = String::new();
        let mut started: Vec<&str> = Vec::new();
        let mut mark = 0;
        for e in &self.tags {
            if !e.same_commit {
                mark += 1;
                let msg = format!("commit {mark}");
                stream.push_str(&format!(
                    "commit refs/heads/{}\nmark :{mark}\ncommitter Test <test@example.com> {}\ndata {}\n{msg}\n",
                    e.branch,
                    git_time(&e.commit_date),
                    msg.len()
                ));
                let start = self.starts.iter().find(|(b, _)| *b == e.branch);
                if !started.contains(&e.branch.as_str()) {
                    started.push(&e.branch);
                    if start.map(|s| s.1) == Some(Start::FromMain) && started.contains(&"main") {
                        stream.push_str("from refs/heads/main\n");
                    }
                }
            }
            match e.kind {
                Kind::Annotated => stream.push_str(&format!(
                    "tag {}\nfrom :{mark}\ntagger Test <test@example.com> {}\ndata 0\n",
                    e.name,
                    git_time(&e.tag_date)
                )),
                Kind::Lightweight => {
                    stream.push_str(&format!("reset refs/tags/{}\nfrom :{mark}\n\n", e.name));
                }
            }
        }
        let mut child = Command::new("git")
            .args(["fast-import", "--quiet"])
            .current_dir(path)
            .stdin(Stdio::piped())
            .spawn()
            .expect("git must be installed to build test fixtures");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stream.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "git fast-import failed");
        if let Some(url) = &self.remote {
            run_git(Command::new("git").current_dir(path).args([
                "config",
                "remote.origin.url",
                url,
            ]));
        }
        for branch in &self.deleted {
            run_git(Command::new("git").current_dir(path).args([
                "update-ref",
                "-d",
                &format!("refs/heads/{branch}"),
            ]));
        }
        if let Some(branch) = &self.head {
            run_git(Command::new("git").current_dir(path).args([
                "symbolic-ref",
                "HEAD",
                &format!("refs/heads/{branch}"),
            ]));
        }
        if !bare && !self.tags.is_empty() {
            run_git(
                Command::new("git")
                    .current_dir(path)
                    .args(["checkout", "-q", "main"]),
            );
        }
    }
}

fn run_git(cmd: &mut Command) {
    let out = cmd
        .output()
        .expect("git must be installed to build test fixtures");
    assert!(
        out.status.success(),
        "git failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A temporary folder that tests run the binary in, so paths in output are relative and stable.
pub(crate) struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub(crate) fn new() -> Self {
        Workspace {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub(crate) fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        std::fs::write(&p, text).unwrap();
        p
    }

    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub(crate) fn repo(&self, rel: &str, builder: &RepoBuilder) -> &Self {
        builder.build(&self.path(rel), false);
        self
    }

    pub(crate) fn bare_repo(&self, rel: &str, builder: &RepoBuilder) -> &Self {
        builder.build(&self.path(rel), true);
        self
    }

    /// Runs `readiness ARGS` in this folder at the fixed "now".
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// Runs `readiness ARGS` with these environment variables added.
    pub(crate) fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        run_in(self.dir.path(), &self.path("xdg-cache"), args, env)
    }
}

/// Runs `readiness ARGS` in `dir` at the fixed "now", with these
/// environment variables added: no GitHub token, no network, and the cache
/// under `cache_home` instead of the user's.
pub(crate) fn run_in(dir: &Path, cache_home: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", NOW)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("GH_ENTERPRISE_TOKEN")
        .env_remove("GITHUB_ENTERPRISE_TOKEN")
        .env_remove("GITHUB_STEP_SUMMARY")
        // No test may reach the internet or the user's cache: an inferred GitHub
        // source meets a closed loopback port, and the cache lives in the workspace.
        .env("GITHUB_API_URL", "http://127.0.0.1:9")
        .env("XDG_CACHE_HOME", cache_home)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Run::from(out)
}

/// The outcome of one run of the binary.
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts exit code 0 and returns standard output.
    pub(crate) fn ok(self) -> String {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self.stdout
    }

    /// Asserts exit code `code`, no panic, and returns standard error.
    pub(crate) fn fails(self, code: i32) -> String {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert!(
            !self.stderr.contains("panicked"),
            "the binary panicked:\n{}",
            self.stderr
        );
        self.stderr
    }
}

/// A year of monthly releases up to 2026-08-01, with a pre-release, a
/// backport, a duplicate, a moving major tag and a non-release tag.
pub(crate) fn monthly_project() -> RepoBuilder {
    let mut b = RepoBuilder::new();
    for m in 1..=12 {
        let (y, mo) = if m <= 4 { (2025, m + 8) } else { (2026, m - 4) };
        b = b.tag(
            &format!("v1.{m}.0"),
            &format!("{y}-{mo:02}-01T12:00:00+02:00"),
        );
    }
    b.tag("v1.13.0rc1", "2026-08-05T09:00:00Z")
        .lightweight("v1.10.1", "2026-07-15T10:00:00Z")
        .tag("1.12", "2026-08-02T00:00:00Z")
        .lightweight("v1", "2026-08-03T00:00:00Z")
        .lightweight("docs-snapshot", "2026-08-04T00:00:00Z")
}

/// Releases every few months, irregularly, the last one long ago.
pub(crate) fn slow_project() -> RepoBuilder {
    RepoBuilder::new()
        .tag("0.1.0", "2024-01-10T00:00:00Z")
        .tag("0.2.0", "2024-06-01T00:00:00Z")
        .tag("0.3.0", "2024-07-01T00:00:00Z")
        .tag("0.4.0", "2025-03-01T00:00:00Z")
        .tag("0.5.0", "2025-10-01T00:00:00Z")
}

/// The measurement of `signal` in a JSON report (panics, naming it, when absent).
pub(crate) fn measurement<'a>(
    report: &'a serde_json::Value,
    signal: &str,
) -> &'a serde_json::Value {
    report["measurements"]
        .as_array()
        .and_then(|all| all.iter().find(|m| m["signal"] == signal))
        .unwrap_or_else(|| panic!("no measurement of {signal} in the report"))
}

/// Makes a FIFO at `path`: the readers must refuse it without blocking.
pub(crate) fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}
