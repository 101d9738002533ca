//! `readiness batch`: scores every project of a list, several at once,
//! within one token's budget, and appends one line per project to `-o`
//! as each finishes (see `crate::batch` for the lines).
//!
//! All projects share one client (its connections, the cache, a
//! [`Pacer`]); each has a fork of it, so that its requests are counted on
//! their own. A project whose collection met a rate limit is not written:
//! it is left, with every project not started, for the next run, which
//! skips the projects that already have a report line and retries those
//! with an error line. Everything runs on one thread.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{Outcome, Settings, read_nothing};
use crate::batch::lines::{self, ErrorLine};
use crate::batch::shard::Shard;
use crate::batch::{self, Project};
use crate::cache::Cache;
use crate::cli::{Format, Global};
use crate::collect::github::Repo;
use crate::collect::github::client::{Client, futures_join_all};
use crate::collect::github::pacer::{Pacer, PacerSettings, Resource, reset_text};
use crate::error::Error;
use crate::signals::releases::CompiledRule;

/// `readiness batch`'s own options.
#[derive(Debug, Clone)]
pub(crate) struct BatchArgs {
    pub input: PathBuf,
    pub shard: Option<Shard>,
    pub wait_for_reset: bool,
    pub jobs: u16,
    pub per_minute: Option<u32>,
}

/// How each project ended.
#[derive(Debug, Default)]
struct Tally {
    reported: usize,
    /// Reports in which a source could not be read in full.
    incomplete: usize,
    errors: Vec<String>,
    /// Projects left for the next run: a rate limit stopped them, or they were not started.
    left: Vec<String>,
    /// Requests sent, over the projects that finished.
    requests: u64,
}

/// What the workers share (one thread: no lock is held across an await).
struct Shared<'a> {
    settings: &'a Settings,
    client: &'a Client,
    queue: RefCell<VecDeque<Project>>,
    out: RefCell<Output>,
    tally: RefCell<Tally>,
    progress: indicatif::ProgressBar,
}

/// The output file, appended to a line at a time.
struct Output {
    path: PathBuf,
    file: std::fs::File,
}

impl Output {
    /// Opens `path` to append; a torn last line (an interrupted write) is cut off first.
    fn open(path: &Path, existing: &lines::Existing) -> Result<Output, Error> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::write(path, e))?;
        let mut out = Output {
            path: path.to_path_buf(),
            file,
        };
        if let Some(at) = existing.torn_at {
            eprintln!(
                "readiness: {}: the last line was cut short (an interrupted write); it is removed and its project scored again",
                path.display()
            );
            out.file.set_len(at).map_err(|e| Error::write(path, e))?;
        } else if existing.unterminated {
            out.write(b"")?;
        }
        Ok(out)
    }

    /// Appends one line, whole, in a single write.
    fn write(&mut self, line: &[u8]) -> Result<(), Error> {
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line);
        buf.push(b'\n');
        self.file
            .write_all(&buf)
            .map_err(|e| Error::write(&self.path, e))
    }
}

/// Checks what `batch` does not take, before anything is read.
fn check_options(g: &Global) -> Result<PathBuf, Error> {
    if matches!(g.format, Some(Format::Markdown | Format::Badge))
        || g.template.is_some()
        || g.step_summary
    {
        return Err(Error::Usage(
            "batch writes JSON lines (NDJSON); `readiness compare OUTPUT.ndjson` renders them"
                .into(),
        ));
    }
    if g.github.is_some() || g.inputs.first_given().is_some() {
        return Err(Error::Usage(
            "batch scores GitHub repositories by name: --github and artifact options (--junit, --asv...) belong to one target"
                .into(),
        ));
    }
    g.output.clone().ok_or_else(|| {
        Error::Usage(
            "batch needs -o FILE: it appends one line per project there, and a rerun reads it to go on where it stopped"
                .into(),
        )
    })
}

/// `readiness batch INPUT -o FILE`.
pub(crate) fn batch_command(g: Global, args: &BatchArgs) -> Result<Outcome, Error> {
    let output = check_options(&g)?;
    let mut settings = Settings::new(g)?;
    if args.wait_for_reset {
        // GitHub's own "limit reached" answers are waited for too.
        settings.github.client.max_wait = Duration::from_secs(2 * 3600);
    }
    settings.github.client.concurrency = usize::from(args.jobs).max(4);
    let all = batch::read_input(&args.input)?;
    let total = all.len();
    let mine: Vec<Project> = all
        .into_iter()
        .filter(|p| args.shard.is_none_or(|s| s.contains(&p.name)))
        .collect();
    let existing = lines::read_existing(&output)?;
    let retried = mine
        .iter()
        .filter(|p| existing.failed.contains_key(&p.key()))
        .count();
    let todo: VecDeque<Project> = mine
        .iter()
        .filter(|p| !existing.reported.contains(&p.key()))
        .cloned()
        .collect();
    let out = Output::open(&output, &existing)?;
    let already = mine.len() - todo.len();
    let quiet = settings.github.quiet;
    if !quiet {
        let shard = args
            .shard
            .map_or_else(String::new, |s| format!(", {} in shard {s}", mine.len()));
        eprintln!(
            "readiness: batch: {total} projects in {}{shard}; {already} already reported in {}, {} to score ({retried} of them retried after an error)",
            args.input.display(),
            output.display(),
            todo.len()
        );
    }
    let (tally, pacer) = run(&settings, args, todo, out)?;
    summary(&tally, &pacer, quiet);
    Ok(if tally.errors.is_empty() && tally.left.is_empty() {
        Outcome::Done
    } else {
        Outcome::Incomplete
    })
}

/// Scores the projects of `todo`, `args.jobs` at once.
fn run(
    settings: &Settings,
    args: &BatchArgs,
    todo: VecDeque<Project>,
    out: Output,
) -> Result<(Tally, Arc<Pacer>), Error> {
    let fail = |message: String| Error::Target {
        target: args.input.display().to_string(),
        message,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(format!("cannot start the async runtime: {e}")))?;
    let _entered = runtime.enter();
    let per_minute = args
        .per_minute
        .unwrap_or(crate::collect::github::pacer::REST_PER_MINUTE);
    let pacer = Arc::new(Pacer::new(PacerSettings {
        rest_per_minute: per_minute,
        graphql_per_minute: per_minute.saturating_mul(20) / 9,
        wait_for_reset: args.wait_for_reset,
    }));
    let gh = &settings.github;
    let cache = gh
        .cache_dir
        .as_deref()
        .and_then(|dir| Cache::open_or_warn(dir, gh.quiet));
    let client = Client::new(gh.client.clone(), cache)
        .map_err(fail)?
        .with_pacer(Arc::clone(&pacer));
    if !client.authenticated() && !gh.quiet && !gh.client.offline {
        eprintln!(
            "readiness: no GitHub token (--token, GH_TOKEN or GITHUB_TOKEN): GitHub allows 60 requests an hour without one, a few projects' worth"
        );
    }
    let progress = if gh.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::with_draw_target(
            Some(todo.len() as u64),
            indicatif::ProgressDrawTarget::stderr(),
        )
    };
    let shared = Shared {
        settings,
        client: &client,
        queue: RefCell::new(todo),
        out: RefCell::new(out),
        tally: RefCell::new(Tally::default()),
        progress,
    };
    let result = runtime.block_on(async {
        client.prime_pacer().await;
        futures_join_all((0..args.jobs).map(|_| worker(&shared)))
            .await
            .into_iter()
            .collect::<Result<Vec<()>, Error>>()
    });
    shared.progress.finish_and_clear();
    result?;
    let mut tally = shared.tally.into_inner();
    // What no worker took: the budget ran out first.
    tally
        .left
        .extend(shared.queue.into_inner().into_iter().map(|p| p.name));
    Ok((tally, pacer))
}

/// Takes projects from the queue until it is empty or a rate limit stops the batch.
async fn worker(shared: &Shared<'_>) -> Result<(), Error> {
    loop {
        let Some(project) = shared.queue.borrow_mut().pop_front() else {
            return Ok(());
        };
        let fork = shared.client.fork();
        let line = Box::pin(score(shared.settings, &fork, &project)).await;
        let sent = fork.stats.sent.load(Ordering::Relaxed);
        let mut tally = shared.tally.borrow_mut();
        if fork.stats.rate_limited.load(Ordering::Relaxed) > 0 {
            // Not written: the next run scores it whole, from the cache where it can.
            tally.left.push(project.name);
            if !shared.settings.github.client.offline {
                // No other project is started: the budget is spent.
                let rest: Vec<Project> = shared.queue.borrow_mut().drain(..).collect();
                tally.left.extend(rest.into_iter().map(|p| p.name));
            }
            continue;
        }
        let (bytes, outcome) = line?;
        shared.out.borrow_mut().write(&bytes)?;
        tally.requests += sent;
        match outcome {
            Scored::Complete => tally.reported += 1,
            Scored::Incomplete => {
                tally.reported += 1;
                tally.incomplete += 1;
            }
            Scored::Failed(why) => {
                shared.progress.suspend(|| {
                    if !shared.settings.github.quiet {
                        eprintln!("readiness: {}: {why}", project.name);
                    }
                });
                tally.errors.push(project.name);
            }
        }
        shared.progress.inc(1);
    }
}

/// How one project's line came out.
enum Scored {
    Complete,
    /// A report, with a source that could not be read in full.
    Incomplete,
    Failed(String),
}

/// One project's line: its report, or an error line with the reason.
async fn score(
    settings: &Settings,
    client: &Client,
    project: &Project,
) -> Result<(Vec<u8>, Scored), Error> {
    let repo = Repo {
        owner: project.owner.clone(),
        name: project.repo.clone(),
    };
    let window = settings.window;
    let rule = match &project.rule {
        Some(own) => CompiledRule::new(own)?,
        None => settings.rule_override.clone().unwrap_or_default(),
    };
    let request = settings.request(window, rule.rule().clone());
    let collected = crate::collect::collect_github_with(&repo, &request, client)
        .await
        .map(|mut ev| {
            // A projects file's name for it (a list's is OWNER/REPO already).
            ev.target.name.clone_from(&project.name);
            ev
        });
    let failed = |why: String| -> Result<(Vec<u8>, Scored), Error> {
        let line = ErrorLine {
            project: project.name.clone(),
            error: why.clone(),
        };
        Ok((json_line("an error line", &line)?, Scored::Failed(why)))
    };
    let ev = match collected {
        Ok(ev) => ev,
        // The line names the project already.
        Err(Error::Target { message, .. }) => return failed(message),
        Err(e) => return failed(e.to_string()),
    };
    let unread = crate::signals::unread(&ev);
    if read_nothing(&ev) {
        let why: Vec<String> = unread.iter().map(|u| u.reason.clone()).collect();
        return failed(format!("nothing could be read: {}", why.join("; ")));
    }
    let report = settings.score(&ev, window, &rule);
    let bytes = json_line("the report", &report)?;
    Ok((
        bytes,
        if unread.is_empty() {
            Scored::Complete
        } else {
            Scored::Incomplete
        },
    ))
}

/// `value` as one line of JSON.
fn json_line<T: serde::Serialize>(what: &str, value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::Json {
        what: what.to_string(),
        message: e.to_string(),
    })
}

/// The final summary, on standard error.
fn summary(t: &Tally, pacer: &Pacer, quiet: bool) {
    let per = if t.reported + t.errors.len() > 0 {
        format!(
            " ({:.1} requests per project)",
            t.requests as f64 / (t.reported + t.errors.len()) as f64
        )
    } else {
        String::new()
    };
    eprintln!(
        "readiness: batch: {} reported ({} with a source not read in full), {} errors (retried on the next run), {} left; {} requests sent{per}",
        t.reported,
        t.incomplete,
        t.errors.len(),
        t.left.len(),
        t.requests
    );
    for r in [Resource::Rest, Resource::GraphQl] {
        let seen = pacer.seen(r);
        if let (Some(left), Some(limit), false) = (seen.remaining, seen.limit, quiet) {
            eprintln!(
                "readiness: batch: {} budget: {left} of {limit} left, until {}",
                r.name(),
                reset_text(seen.reset)
            );
        }
    }
    if !t.left.is_empty() {
        eprintln!(
            "readiness: batch: stopped by the rate limit; run the same command again (after the reset, or with --wait-for-reset) for the {} projects left:",
            t.left.len()
        );
        for name in &t.left {
            eprintln!("readiness: left: {name}");
        }
    }
}
