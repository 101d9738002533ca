//! Runs a parsed command line: validates the raw arguments into settings
//! first (so that a bad rubric or date fails before any collection), then
//! drives collect -> measure -> score -> render, one function per command.
//! After collecting it compares what was asked for with what was read: a
//! source asked for that failed, or an artifact input that read nothing, is
//! said on standard error and makes the command exit 2 after writing
//! ([`Outcome::Incomplete`]); a report with nothing read at all is not written.

mod aggregate;
mod batch;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Timelike, Utc};
use serde::Serialize;

use crate::cli::{Cli, Command, Format, Global, RubricCommand, SchemaOf};

use crate::collect::github::Repo;
use crate::collect::github::client::{Settings as ClientSettings, Token};
use crate::collect::github::test_reports::TestReports;
use crate::collect::{self, GitHubRequest, Inputs, Request};
use crate::error::Error;
use crate::evidence::{Evidence, ReleaseRule};
use crate::projects::{ProjectSpec, ProjectsFile};
use crate::report::{self, Report, compare};
use crate::rubric::{self, Rubric, score};
use crate::signals::releases::CompiledRule;
use crate::signals::{self, SIGNALS};
use crate::target::Target;
use crate::window::{self, Window, WindowArgs};

mod history;

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// The report was written, but its score is below `--fail-under`.
    BelowThreshold,
    /// The output was written, but a source that was asked for could not be
    /// read (or an artifact input read nothing): its signals say "not measured".
    Incomplete,
    /// The output was written, but the score fell by more than `--fail-on-drop`.
    Dropped,
}

impl Outcome {
    #[must_use]
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Done => 0,
            Outcome::BelowThreshold | Outcome::Dropped => 1,
            Outcome::Incomplete => 2,
        }
    }
}

/// Whether `e` is a write to a closed pipe (`readiness ... | head`), which is not a failure.
#[must_use]
pub fn is_broken_pipe(e: &Error) -> bool {
    matches!(e, Error::Write { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Validated global settings.
#[derive(Clone)]
struct Settings {
    now: DateTime<Utc>,
    /// `--since` and `--until`, parsed once: saved evidence anchors them at its own end.
    window_args: WindowArgs,
    /// The window of a fresh collection: `window_args` anchored at `now`.
    window: Window,
    rubric: Rubric,
    template: Option<PathBuf>,
    format: Format,
    output: Option<PathBuf>,
    /// `--tag-prefix`/`--tag-pattern`, compiled once; `None` keeps the evidence's own rule.
    rule_override: Option<CompiledRule>,
    github: GitHubRequest,
    /// The files named as evidence (`--junit`, `--asv`...).
    inputs: Inputs,
    step_summary: bool,
    /// Trends and their charts (off with `--no-charts`).
    charts: bool,
}

impl Settings {
    fn new(g: Global) -> Result<Settings, Error> {
        // Whole seconds: sub-second noise in `collected_at` helps nobody.
        let now = window::now()?.with_nanosecond(0).unwrap_or_else(Utc::now);
        // The window now, so a bad date fails before anything is collected.
        let window_args = WindowArgs::parse(g.since.as_deref(), g.until.as_deref())?;
        let window = window_args.resolve(now)?;
        let rubric = Rubric::load(g.rubric.as_deref())?;
        let github = github_request(&g)?;
        let rule_override = (g.tag_prefix.is_some() || g.tag_pattern.is_some())
            .then_some(ReleaseRule {
                tag_prefix: g.tag_prefix,
                tag_pattern: g.tag_pattern,
            })
            .map(|rule| CompiledRule::new(&rule))
            .transpose()?;
        let format = g.format.unwrap_or(Format::Markdown);
        if g.template.is_some() && format != Format::Markdown {
            return Err(Error::Usage(
                "--template applies to markdown output only; drop it or use --format markdown"
                    .into(),
            ));
        }
        Ok(Settings {
            now,
            window_args,
            window,
            rubric,
            template: g.template,
            format,
            output: g.output,
            rule_override,
            github,
            inputs: g.inputs,
            step_summary: g.step_summary,
            charts: !g.no_charts,
        })
    }

    /// The first artifact option given (`--junit`, `--asv`...), if any: artifacts alone are a target.
    fn artifact_flag(&self) -> Option<&'static str> {
        self.inputs.first_given()
    }

    /// The settings of one project of a projects file: its own release rule
    /// (else the command line's), GitHub repository and artifacts.
    fn for_project(&self, spec: &ProjectSpec) -> Result<Settings, Error> {
        let mut s = self.clone();
        if let Some(rule) = spec.release_rule() {
            s.rule_override = Some(CompiledRule::new(&rule)?);
        }
        // A clone's GitHub repository; without one, its origin (unless --no-github).
        s.github.repo = spec
            .clone
            .as_ref()
            .and(spec.github.as_deref())
            .and_then(crate::target::parse_github)
            .map(|(owner, name)| Repo { owner, name });
        s.inputs.junit.clone_from(&spec.inputs.junit);
        s.inputs.bench = spec.inputs.bench.clone();
        Ok(s)
    }

    /// A target as typed; when `OWNER/REPO` is also a local path, a note
    /// says which was used and how to get the other (unless `--quiet`).
    fn target(&self, text: &str) -> Result<Target, Error> {
        let (target, note) = Target::parse_noting(text)?;
        if let Some(note) = note.filter(|_| !self.github.quiet) {
            eprintln!("readiness: note: {note}");
        }
        Ok(target)
    }

    /// The target of `report` and `history`: as typed, else artifacts alone
    /// when an artifact option is given, else the current folder.
    fn target_or_default(&self, text: Option<&str>) -> Result<Target, Error> {
        match text {
            Some(t) => self.target(t),
            None if self.artifact_flag().is_some() => Ok(Target::Artifacts),
            None => Target::parse("."),
        }
    }

    /// Evidence for `target`, with the window and release rule to measure it by.
    fn evidence(&self, target: &Target) -> Result<(Evidence, Window, CompiledRule), Error> {
        self.evidence_over(target, self.window)
    }

    /// [`Settings::evidence`], collecting a fresh target over `fresh`.
    fn evidence_over(
        &self,
        target: &Target,
        fresh: Window,
    ) -> Result<(Evidence, Window, CompiledRule), Error> {
        if let Target::Evidence(path) = target {
            if let Some(flag) = self.artifact_flag() {
                return Err(Error::Usage(format!(
                    "{flag} adds to a fresh collection, and {} is saved evidence: collect again with {flag}",
                    path.display()
                )));
            }
            let ev = Evidence::load(path)?;
            // Saved evidence keeps its own window unless the command line asks for
            // another; a relative --since then counts back from the evidence's end.
            let mut window = if self.window_args.given() {
                self.window_args.resolve(ev.window.until)?
            } else {
                ev.window
            };
            // `--until` the day the evidence was collected means as of then.
            if window.until > ev.window.until
                && window.until.date_naive() == ev.window.until.date_naive()
            {
                window.until = ev.window.until;
            }
            if window.until > ev.window.until {
                // Tags, releases and runs after the collection are not in it:
                // every signal would read them as absent.
                // A target error: `compare` keeps the project, with the reason.
                return Err(Error::Target {
                    target: path.display().to_string(),
                    message: format!(
                        "the evidence was collected up to {}, and --until {} is after it: what happened since is not in it; collect again",
                        ev.window.until.format("%Y-%m-%d %H:%M:%S UTC"),
                        window.until.format("%Y-%m-%d %H:%M:%S UTC"),
                    ),
                });
            }
            let rule = match &self.rule_override {
                Some(rule) => rule.clone(),
                None => CompiledRule::new(&ev.release_rule)?,
            };
            return Ok((ev, window, rule));
        }
        let window = fresh;
        let rule = self.rule_override.clone().unwrap_or_default();
        let ev = collect::collect(target, &self.request(window, rule.rule().clone()))?;
        // The target's .readiness.toml may have set the rule the command line did not.
        let rule = match &self.rule_override {
            Some(rule) => rule.clone(),
            None => CompiledRule::new(&ev.release_rule)?,
        };
        Ok((ev, window, rule))
    }

    /// A fresh collection's request.
    fn request(&self, window: Window, release_rule: ReleaseRule) -> Request {
        Request {
            window,
            release_rule,
            now: self.now,
            github: self.github.clone(),
            inputs: self.inputs.clone(),
            project: None,
        }
    }

    /// What `ev` lacks of what was asked for about `target`. A GitHub source
    /// is asked for by an `OWNER/REPO` target, by `--github`, or by saved
    /// evidence of a GitHub target; one inferred from `origin` is not.
    /// `window` is the one measured: where the evidence covers only a part
    /// of it, the families it leaves not measured are a warning.
    fn gaps(&self, target: &Target, ev: &Evidence, window: &Window) -> Vec<Gap> {
        let explicit = match target {
            Target::GitHub { .. } => true,
            Target::Git(_) => self.github.repo.is_some(),
            Target::Evidence(_) => ev.target.kind == "github" || ev.github_asked,
            Target::Artifacts => false,
        };
        let mut gaps: Vec<Gap> = signals::unread(ev)
            .into_iter()
            .map(|u| Gap {
                reason: format!("{}: {}", families_text(&u.families), u.reason),
                fatal: explicit,
            })
            .collect();
        if !matches!(target, Target::Evidence(_)) {
            gaps.extend(artifact_gaps(ev, &self.inputs));
        }
        if let Some(u) = signals::uncovered(ev, window) {
            gaps.push(Gap {
                reason: format!("{}: {}", families_text(&u.families), u.reason),
                fatal: false,
            });
        }
        gaps
    }

    /// Says every gap on standard error (a note that changes nothing is
    /// silenced by `--quiet`); true when one of them means exit 2.
    fn warn(&self, gaps: &[Gap]) -> bool {
        for g in gaps.iter().filter(|g| g.fatal || !self.github.quiet) {
            eprintln!("readiness: warning: {}", g.reason);
        }
        let fatal = gaps.iter().any(|g| g.fatal);
        if fatal {
            eprintln!(
                "readiness: exit 2: a source that was asked for could not be read; what was read is written, and the signals it would have given say \"not measured\""
            );
        }
        fatal
    }

    /// Measures and scores evidence. A chart of a signal whose source
    /// failed is left out, like the signal's value: it would draw what little arrived.
    fn score(&self, ev: &Evidence, window: Window, rule: &CompiledRule) -> Report {
        let cx = signals::MeasureCtx::new(
            ev,
            window,
            rule,
            &self.rubric.actors,
            &self.rubric.benchmarks,
        );
        let (measurements, trends) = signals::read(&cx, self.charts);
        let card = score::score(&self.rubric, &measurements);
        Report::new(ev, window, &self.rubric, measurements, trends, card)
    }

    fn emit(&self, text: &str) -> Result<(), Error> {
        emit(self.output.as_deref(), text)
    }

    /// Writes a report's `text`, and with `--step-summary` its markdown
    /// (rendered by `markdown` only when `text` is another format) to the step summary.
    fn publish(
        &self,
        text: &str,
        markdown: impl FnOnce() -> Result<String, Error>,
    ) -> Result<(), Error> {
        self.emit(text)?;
        if self.step_summary {
            let md = match self.format {
                Format::Markdown => text.to_string(),
                _ => markdown()?,
            };
            step_summary(&md)?;
        }
        Ok(())
    }
}

/// Appends `markdown` to the file GitHub Actions names in `GITHUB_STEP_SUMMARY`;
/// without it (not on GitHub Actions) a notice, not an error.
fn step_summary(markdown: &str) -> Result<(), Error> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        eprintln!(
            "readiness: --step-summary: GITHUB_STEP_SUMMARY is not set (not on GitHub Actions?), so no step summary was written"
        );
        return Ok(());
    };
    let path = PathBuf::from(path);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| Error::write(path.clone(), e))?;
    file.write_all(markdown.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .map_err(|e| Error::write(path.clone(), e))
}

/// A non-empty environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The token for `api_url`, in the order the gh CLI documents
/// (<https://cli.github.com/manual/gh_help_environment>): `--token`, then
/// `GH_TOKEN`, then `GITHUB_TOKEN` for github.com; for any other host only
/// `--token`, `GH_ENTERPRISE_TOKEN` and `GITHUB_ENTERPRISE_TOKEN`, so that a
/// github.com token is never sent elsewhere. The second value is a notice
/// when a github.com token was set but not used.
fn resolve_token(
    flag: Option<&str>,
    api_url: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(Option<Token>, Option<String>), String> {
    if let Some(t) = flag {
        return Token::new(t, "--token").map(|t| (Some(t), None));
    }
    let (names, others) = if crate::target::is_github_com_api(api_url) {
        (
            ["GH_TOKEN", "GITHUB_TOKEN"],
            ["GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"],
        )
    } else {
        (
            ["GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"],
            ["GH_TOKEN", "GITHUB_TOKEN"],
        )
    };
    for name in names {
        if let Some(t) = env(name) {
            return Token::new(&t, name).map(|t| (Some(t), None));
        }
    }
    let unused: Vec<&str> = others.into_iter().filter(|n| env(n).is_some()).collect();
    let notice = (!unused.is_empty()).then(|| {
        let shown = crate::collect::git::strip_credentials(api_url);
        let verb = if unused.len() == 1 { "is" } else { "are" };
        if crate::target::is_github_com_api(api_url) {
            format!(
                "{} {verb} set, but only for GitHub Enterprise hosts, not {shown}: no token is sent (set GH_TOKEN or give --token)",
                unused.join(" and ")
            )
        } else {
            format!(
                "{} {verb} set, but a github.com token is never sent to {shown}: no token is sent (set GH_ENTERPRISE_TOKEN or give --token)",
                unused.join(" and ")
            )
        }
    });
    Ok((None, notice))
}

/// GitHub settings from the command line and the environment.
fn github_request(g: &Global) -> Result<GitHubRequest, Error> {
    let api_url = g
        .api_url
        .clone()
        .or_else(|| env("GITHUB_API_URL"))
        .unwrap_or_else(|| ClientSettings::default().api_url);
    // Credentials in the URL are refused before anything runs; whether it is
    // an http(s) URL matters only once GitHub is used (`Client::new`).
    let api_url = crate::target::refuse_credentials(&api_url).map_err(Error::Usage)?;
    let (token, notice) = resolve_token(g.token.as_deref(), &api_url, env).map_err(Error::Usage)?;
    if let Some(n) = notice
        && !g.quiet
    {
        eprintln!("readiness: {n}");
    }
    let repo = match &g.github {
        Some(slug) => match crate::target::parse_github(slug) {
            Some((owner, name)) => Some(Repo { owner, name }),
            None => return Err(Error::Usage(format!("--github {slug:?} is not OWNER/REPO"))),
        },
        None => None,
    };
    let cache_dir = if g.no_cache {
        None
    } else {
        g.cache_dir
            .clone()
            .or_else(crate::cache::Cache::default_dir)
    };
    Ok(GitHubRequest {
        client: ClientSettings {
            api_url,
            token,
            offline: g.offline,
            ..ClientSettings::default()
        },
        cache_dir,
        repo,
        infer_from_remote: !g.no_github,
        quiet: g.quiet,
        test_reports: test_reports(&g.test_reports)?,
    })
}

/// Where a GitHub target's test reports are looked for, the defaults filled in.
fn test_reports(a: &crate::cli::TestReportArgs) -> Result<TestReports, Error> {
    let mut t = TestReports::default();
    for (flag, given, into) in [
        ("--test-artifact", &a.test_artifacts, &mut t.artifacts),
        ("--skip-artifact", &a.skip_artifacts, &mut t.skip_artifacts),
        (
            "--bench-artifact",
            &a.bench_artifacts,
            &mut t.bench_artifacts,
        ),
    ] {
        if let Some(Err(e)) = given
            .iter()
            .map(|p| glob::Pattern::new(p))
            .find(Result::is_err)
        {
            return Err(Error::Usage(format!("{flag}: not a valid pattern: {e}")));
        }
        if !given.is_empty() {
            into.clone_from(given);
        }
    }
    if !a.check_names.is_empty() {
        t.check_names.clone_from(&a.check_names);
    }
    t.artifacts_given = !a.test_artifacts.is_empty();
    t.check_names_given = !a.check_names.is_empty();
    t.bench_artifacts_given = !a.bench_artifacts.is_empty();
    t.commits = a.check_run_commits.unwrap_or(t.commits);
    t.runs = a.test_runs.unwrap_or(t.runs);
    if let Some(mb) = a.artifact_max_mb {
        if mb == 0 {
            return Err(Error::Usage("--artifact-max-mb must be at least 1".into()));
        }
        t.limits.download = mb.saturating_mul(1024 * 1024);
    }
    Ok(t)
}

fn emit(output: Option<&Path>, text: &str) -> Result<(), Error> {
    if let Some(path) = output {
        crate::fsutil::write_atomic(path, text.as_bytes())
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| Error::write("standard output", e))
    }
}

/// Runs one command.
///
/// # Errors
/// Anything that stops the command; the message names what and where.
pub fn run(cli: Cli) -> Result<Outcome, Error> {
    let g = cli.global;
    match cli.command {
        Command::Signals => signals_command(&g),
        Command::Schema { of } => schema_command(&g, of),
        Command::Rubric { command } => rubric_command(command, g.output.as_deref()),
        Command::Completions { shell } => completions_command(&g, shell),
        Command::Man => man_command(&g),
        Command::Report {
            target,
            fail_under,
            projects,
            record,
            fail_on_drop,
        } => report_command(
            g,
            target.as_deref(),
            projects.as_deref(),
            fail_under,
            record.as_deref(),
            fail_on_drop,
        ),
        Command::History {
            target,
            every,
            last,
            from,
            fail_on_drop,
            projects,
        } => history::history_command(
            g,
            target.as_deref(),
            &history::Options {
                every,
                last,
                from,
                fail_on_drop,
                projects,
            },
        ),
        Command::Collect { target } => collect_command(g, target.as_deref()),
        Command::Compare {
            targets,
            projects,
            top,
        } => compare_command(g, &targets, projects.as_deref(), top),
        Command::Batch {
            input,
            shard,
            wait_for_reset,
            jobs,
            per_minute,
        } => batch::batch_command(
            g,
            &batch::BatchArgs {
                input,
                shard,
                wait_for_reset,
                jobs,
                per_minute,
            },
        ),
    }
}

/// Whether a target names the output of `readiness batch`.
fn is_batch_output(target: &str) -> bool {
    Path::new(target)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ndjson") || e.eq_ignore_ascii_case("jsonl"))
}

/// `readiness completions SHELL`.
fn completions_command(g: &Global, shell: clap_complete::Shell) -> Result<Outcome, Error> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "readiness", &mut buf);
    emit(g.output.as_deref(), &String::from_utf8_lossy(&buf))?;
    Ok(Outcome::Done)
}

/// `readiness man`.
fn man_command(g: &Global) -> Result<Outcome, Error> {
    let cmd = <Cli as clap::CommandFactory>::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .map_err(|e| Error::write("the man page", e))?;
    emit(g.output.as_deref(), &String::from_utf8_lossy(&buf))?;
    Ok(Outcome::Done)
}

/// `readiness signals`.
fn signals_command(g: &Global) -> Result<Outcome, Error> {
    let text = match g.format.unwrap_or(Format::Markdown) {
        Format::Markdown => signals::markdown_table(),
        Format::Badge => {
            return Err(Error::Usage(
                "--format badge is for `readiness report`".into(),
            ));
        }
        Format::Csv => return Err(csv_is_for_history()),
        Format::Json => report::to_json(
            "the signals",
            &SIGNALS
                .iter()
                .map(|d| SignalJson::from(*d))
                .collect::<Vec<_>>(),
        )?,
    };
    emit(g.output.as_deref(), &text)?;
    Ok(Outcome::Done)
}

/// `readiness schema`.
fn schema_command(g: &Global, of: SchemaOf) -> Result<Outcome, Error> {
    if matches!(
        g.format,
        Some(Format::Markdown | Format::Badge | Format::Csv)
    ) {
        return Err(Error::Usage(
            "a JSON Schema is JSON: `readiness schema` takes no --format other than json".into(),
        ));
    }
    let document = match of {
        SchemaOf::Report => report::schema::Document::Report,
        SchemaOf::Compare => report::schema::Document::Compare,
        SchemaOf::History => report::schema::Document::History,
        SchemaOf::Aggregate => report::schema::Document::Aggregate,
    };
    emit(g.output.as_deref(), &report::schema::schema_json(document)?)?;
    Ok(Outcome::Done)
}

/// `readiness report`: exit 1 under `--fail-under` (or `--fail-on-drop`
/// with `--record`), 2 when a source that was asked for could not be read
/// (the report is written first).
fn report_command(
    g: Global,
    target: Option<&str>,
    projects: Option<&Path>,
    fail_under: Option<f64>,
    record: Option<&Path>,
    fail_on_drop: Option<f64>,
) -> Result<Outcome, Error> {
    check_points("--fail-under", fail_under)?;
    check_points("--fail-on-drop", fail_on_drop)?;
    if projects.is_some() {
        refuse_with_projects(&g)?;
    }
    let settings = Settings::new(g)?;
    let job = match (projects, target) {
        (Some(file), Some(name)) => {
            let file = ProjectsFile::load(file)?;
            Job::of_project(&settings, file.get(name)?)?
        }
        (_, target) => Job {
            target: settings.target_or_default(target)?,
            settings,
            name: None,
        },
    };
    let (settings, target) = (&job.settings, &job.target);
    let (ev, window, rule) = job.evidence()?;
    let gaps = settings.gaps(target, &ev, &window);
    refuse_nothing_read(target, &ev, &gaps)?;
    let report = settings.score(&ev, window, &rule);
    let markdown = || report::render_report(&report, settings.template.as_deref());
    let text = match settings.format {
        Format::Markdown => markdown()?,
        Format::Json => report.to_json()?,
        Format::Badge => report::badge(&report, &settings.rubric.grades)?,
        Format::Csv => return Err(csv_is_for_history()),
    };
    settings.publish(&text, markdown)?;
    let incomplete = settings.warn(&gaps);
    let recorded = match record {
        Some(path) => history::record_run(settings, &report, path, fail_on_drop, incomplete)?,
        None => Outcome::Done,
    };
    let gate = match (fail_under, report.scorecard.score) {
        (Some(t), Some(s)) if s < t => {
            eprintln!("readiness: the score {s:.1} is below --fail-under {t}");
            Outcome::BelowThreshold
        }
        (Some(t), None) => {
            eprintln!(
                "readiness: there is no score ({}), so it cannot reach --fail-under {t}",
                report.scorecard.grade
            );
            Outcome::BelowThreshold
        }
        _ => recorded,
    };
    // A source that failed outranks the gates: the score itself is in doubt.
    Ok(if incomplete {
        Outcome::Incomplete
    } else {
        gate
    })
}

/// A score threshold from the command line: a number from 0 to 100.
fn check_points(flag: &str, value: Option<f64>) -> Result<(), Error> {
    match value {
        Some(t) if !(0.0..=100.0).contains(&t) => Err(Error::Usage(format!(
            "{flag} takes a number of points from 0 to 100, not {t}"
        ))),
        _ => Ok(()),
    }
}

fn csv_is_for_history() -> Error {
    Error::Usage("--format csv is for `readiness history`".into())
}

/// No report when nothing at all could be read and a source asked for failed.
fn refuse_nothing_read(target: &Target, ev: &Evidence, gaps: &[Gap]) -> Result<(), Error> {
    if read_nothing(ev) && gaps.iter().any(|g| g.fatal) {
        return Err(Error::Target {
            target: target.display(),
            message: format!(
                "nothing could be read, so no report was written: {}",
                gaps.iter()
                    .map(|g| g.reason.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        });
    }
    Ok(())
}

/// `readiness collect`: evidence as JSON; exit 2 after writing when a source
/// that was asked for could not be read.
fn collect_command(g: Global, target: Option<&str>) -> Result<Outcome, Error> {
    if matches!(
        g.format,
        Some(Format::Markdown | Format::Badge | Format::Csv)
    ) || g.template.is_some()
        || g.step_summary
    {
        return Err(Error::Usage(
            "collect writes JSON evidence; `readiness report` renders markdown".into(),
        ));
    }
    let settings = Settings::new(g)?;
    let target = match target {
        Some(t) => settings.target(t)?,
        None if settings.artifact_flag().is_some() => Target::Artifacts,
        None => {
            return Err(Error::Usage(format!(
                "collect needs a target (a clone, OWNER/REPO or a GitHub URL) or artifacts ({})",
                Inputs::flags()
            )));
        }
    };
    let (ev, _, _) = settings.evidence(&target)?;
    let gaps = settings.gaps(&target, &ev, &ev.window);
    settings.emit(&ev.to_json()?)?;
    Ok(if settings.warn(&gaps) {
        Outcome::Incomplete
    } else {
        Outcome::Done
    })
}

/// Requests in flight at once over all the targets of a comparison; each
/// target's own client allows [`ClientSettings::concurrency`] (4). With up
/// to four targets the shared cap never binds; beyond, GitHub sees at most
/// this many requests of the run at a time.
pub const OVERALL_IN_FLIGHT: usize = 16;

/// How many targets are collected at the same time (one thread each); more
/// wait for a thread.
const TARGETS_AT_ONCE: usize = 8;

/// Refuses the options that belong to one target when a projects file gives
/// each project its own.
fn refuse_with_projects(g: &Global) -> Result<(), Error> {
    let flag = if g.github.is_some() {
        Some("--github")
    } else {
        g.inputs.first_given()
    };
    match flag {
        Some(flag) => Err(Error::Usage(format!(
            "--projects gives each project its own sources: write {} in the project's [[project]] table instead of {flag}",
            flag.trim_start_matches("--").replace('-', "_")
        ))),
        None => Ok(()),
    }
}

/// One target to collect, with the settings that are its own.
struct Job {
    target: Target,
    settings: Settings,
    /// The display name a projects file gives it.
    name: Option<String>,
}

impl Job {
    fn of_project(settings: &Settings, spec: &ProjectSpec) -> Result<Job, Error> {
        Ok(Job {
            target: spec.target(),
            settings: settings.for_project(spec)?,
            name: Some(spec.name.clone()),
        })
    }

    /// The evidence, named as the projects file names it.
    fn evidence(&self) -> Result<(Evidence, Window, CompiledRule), Error> {
        let (mut ev, window, rule) = self.settings.evidence(&self.target)?;
        if let Some(name) = &self.name {
            ev.target.name.clone_from(name);
        }
        Ok((ev, window, rule))
    }

    /// The name shown for this target.
    fn display(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.target.display())
    }

    /// Collects and scores one target of a comparison. A target that cannot
    /// be read is kept, with the reason, as a fatal gap.
    fn compare_one(&self) -> Result<(Report, Vec<Gap>), Error> {
        let settings = &self.settings;
        match self.evidence() {
            Ok((ev, window, rule)) => {
                let gaps = (settings.gaps(&self.target, &ev, &window).into_iter())
                    .map(|g| Gap {
                        reason: format!("{}: {}", self.display(), g.reason),
                        fatal: g.fatal,
                    })
                    .collect();
                Ok((settings.score(&ev, window, &rule), gaps))
            }
            Err(
                e @ (Error::Target { .. }
                | Error::Git { .. }
                | Error::Evidence { .. }
                | Error::Read { .. }),
            ) => {
                let gap = Gap {
                    reason: format!("{}: could not be read: {e}", self.display()),
                    fatal: true,
                };
                let window = settings.window;
                let request = settings.request(window, ReleaseRule::default());
                let mut ev = collect::unreadable(&self.target, &request, &e.to_string());
                if let Some(name) = &self.name {
                    ev.target.name.clone_from(name);
                }
                let report = settings.score(&ev, window, &CompiledRule::default());
                Ok((report, vec![gap]))
            }
            Err(e) => Err(e),
        }
    }
}

/// The jobs of a projects file: every project, or those `names` chooses, in the order given.
fn project_jobs(settings: &Settings, path: &Path, names: &[String]) -> Result<Vec<Job>, Error> {
    let file = ProjectsFile::load(path)?;
    let chosen: Vec<&ProjectSpec> = if names.is_empty() {
        file.projects.iter().collect()
    } else {
        names
            .iter()
            .map(|n| file.get(n))
            .collect::<Result<_, _>>()?
    };
    chosen
        .into_iter()
        .map(|spec| Job::of_project(settings, spec))
        .collect()
}

/// `readiness compare`: the targets are collected at the same time; a
/// project that could not be read is kept, with the reason, and the command
/// exits 2 after writing.
fn compare_command(
    g: Global,
    targets: &[String],
    projects: Option<&Path>,
    top: usize,
) -> Result<Outcome, Error> {
    let batches = targets.iter().filter(|t| is_batch_output(t)).count();
    if batches > 0 && projects.is_none() {
        if batches < targets.len() {
            return Err(Error::Usage(
                "compare takes either batch outputs (.ndjson), summed up together, or targets to set side by side, not both"
                    .into(),
            ));
        }
        return aggregate::aggregate_command(g, targets, top);
    }
    if projects.is_some() {
        refuse_with_projects(&g)?;
    } else if let Some(flag) = g.inputs.first_given() {
        return Err(Error::Usage(format!(
            "compare does not take {flag}: artifacts belong to one target; give each project its own in a projects file (--projects FILE), or run `readiness collect TARGET {flag} ... -o FILE` per target and compare the evidence files"
        )));
    }
    let settings = Settings::new(g)?;
    let mut jobs = match projects {
        Some(path) => project_jobs(&settings, path, targets)?,
        None => targets
            .iter()
            .map(|t| {
                Ok(Job {
                    target: settings.target(t)?,
                    settings: settings.clone(),
                    name: None,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?,
    };
    if jobs.len() < 2 {
        return Err(Error::Usage(format!(
            "compare needs two or more projects, and has {}",
            jobs.len()
        )));
    }
    let overall = std::sync::Arc::new(tokio::sync::Semaphore::new(OVERALL_IN_FLIGHT));
    for job in &mut jobs {
        job.settings.github.client.overall = Some(overall.clone());
    }
    let done = crate::par::map_with(&jobs, TARGETS_AT_ONCE, Job::compare_one);
    let mut gaps = Vec::new();
    let mut reports = Vec::new();
    for result in done {
        let (report, g) = result?;
        reports.push(report);
        gaps.extend(g);
    }
    let comparison = compare::compare(reports, &settings.rubric);
    let markdown = || report::render_compare(&comparison, settings.template.as_deref());
    let text = match settings.format {
        Format::Markdown => markdown()?,
        Format::Json => report::to_json("the comparison", &comparison)?,
        Format::Badge => {
            return Err(Error::Usage(
                "--format badge shows one project's score: use it with `readiness report`".into(),
            ));
        }
        Format::Csv => return Err(csv_is_for_history()),
    };
    settings.publish(&text, markdown)?;
    Ok(if settings.warn(&gaps) {
        Outcome::Incomplete
    } else {
        Outcome::Done
    })
}

/// Something asked for that the evidence lacks: a source that failed or
/// stopped early, an artifact input that gave nothing.
#[derive(Debug)]
struct Gap {
    reason: String,
    /// It makes the command exit 2 (after writing): the source was asked for
    /// explicitly. A GitHub repository only inferred from `origin` is a note.
    fatal: bool,
}

/// No source read a single item: there is nothing to report.
fn read_nothing(ev: &Evidence) -> bool {
    ev.sources.iter().all(|s| s.items == 0)
}

/// Every artifact input given that read nothing, with what its provenance says.
fn artifact_gaps(ev: &Evidence, inputs: &Inputs) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for (flag, source, given) in inputs.given() {
        // With --bench-data the gh-pages copy is not read, so every
        // github-action-benchmark source is then a --bench-data file.
        for p in ev
            .sources
            .iter()
            .filter(|p| given && p.source == source && p.items == 0)
        {
            let why = if p.notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.notes.join("; "))
            };
            gaps.push(Gap {
                reason: format!("{flag} {}: nothing could be read{why}", p.location),
                fatal: true,
            });
        }
    }
    gaps
}

/// `issues.*, prs.*`.
fn families_text(families: &[&str]) -> String {
    families
        .iter()
        .map(|f| format!("{f}*"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn rubric_command(command: RubricCommand, output: Option<&Path>) -> Result<Outcome, Error> {
    let text = match command {
        RubricCommand::Check { file } => {
            let r = Rubric::load(Some(&file))?;
            let criteria = r.criteria().count();
            format!(
                "{file}: valid rubric \"{}\": {} categories, {criteria} criteria; grades {}\n",
                r.name,
                r.categories.len(),
                r.grades
                    .bands
                    .iter()
                    .map(|b| format!("{} from {}", b.label, b.min))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        RubricCommand::List => rubric::BUILTIN
            .iter()
            .filter_map(|(n, _)| Rubric::builtin(n))
            .fold(String::new(), |mut list, r| {
                list += &format!("{}\t{}\n", r.name, r.description);
                list
            }),
        RubricCommand::Show { name } => match rubric::BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((_, text)) => (*text).to_string(),
            None => {
                return Err(Error::Usage(format!(
                    "there is no built-in rubric {name:?}; `readiness rubric list` shows them"
                )));
            }
        },
    };
    emit(output, &text)?;
    Ok(Outcome::Done)
}

#[derive(Serialize)]
struct SignalJson {
    id: &'static str,
    unit: &'static str,
    title: &'static str,
    definition: &'static str,
    source: &'static str,
    anchor: &'static str,
}

impl From<&signals::SignalDef> for SignalJson {
    fn from(d: &signals::SignalDef) -> SignalJson {
        SignalJson {
            id: d.id,
            unit: d.unit.as_str(),
            title: d.title,
            definition: d.definition,
            source: d.source,
            anchor: d.anchor,
        }
    }
}

#[cfg(test)]
mod tests {
    /// Test-report options fill in the defaults, and bad values are named.
    #[test]
    fn test_report_options() {
        let mut a = crate::cli::TestReportArgs {
            check_names: vec!["Pytest".into()],
            check_run_commits: Some(5),
            test_runs: Some(0),
            test_artifacts: vec!["*-test-*".into()],
            skip_artifacts: Vec::new(),
            bench_artifacts: vec!["bench-*".into()],
            artifact_max_mb: Some(3),
        };
        let t = test_reports(&a).unwrap();
        assert_eq!(t.check_names, ["Pytest"]);
        assert_eq!((t.commits, t.runs, t.limits.download), (5, 0, 3 << 20));
        assert_eq!(t.artifacts, ["*-test-*"]);
        assert_eq!(t.skip_artifacts, TestReports::default().skip_artifacts);
        assert_eq!(t.bench_artifacts, ["bench-*"]);
        assert!(t.bench_artifacts_given);
        a.bench_artifacts = vec!["[oops".into()];
        let e = test_reports(&a).unwrap_err().to_string();
        assert!(e.contains("--bench-artifact: not a valid pattern"), "{e}");
        a.bench_artifacts.clear();
        a.skip_artifacts = vec!["[oops".into()];
        let e = test_reports(&a).unwrap_err().to_string();
        assert!(e.contains("--skip-artifact: not a valid pattern"), "{e}");
        a.skip_artifacts.clear();
        a.artifact_max_mb = Some(0);
        let e = test_reports(&a).unwrap_err().to_string();
        assert!(e.contains("--artifact-max-mb must be at least 1"), "{e}");
    }

    use super::*;

    fn from<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_string())
        }
    }

    fn source(flag: Option<&str>, url: &str, vars: &[(&str, &str)]) -> Option<String> {
        let (token, _) = resolve_token(flag, url, from(vars)).unwrap();
        token.map(|t| t.expose().to_string())
    }

    /// The gh CLI's order: --token, GH_TOKEN, GITHUB_TOKEN for github.com;
    /// only --token and the enterprise variables for another host.
    #[test]
    fn tokens_follow_the_gh_order_and_never_leave_github_com() {
        let all = [
            ("GH_TOKEN", "gh"),
            ("GITHUB_TOKEN", "github"),
            ("GH_ENTERPRISE_TOKEN", "ghe"),
            ("GITHUB_ENTERPRISE_TOKEN", "githube"),
        ];
        let com = "https://api.github.com";
        let ghes = "https://ghe.example.com/api/v3";
        assert_eq!(source(Some("flag"), com, &all).as_deref(), Some("flag"));
        assert_eq!(source(None, com, &all).as_deref(), Some("gh"));
        assert_eq!(source(None, com, &all[1..]).as_deref(), Some("github"));
        assert_eq!(source(None, com, &all[2..]), None);
        assert_eq!(source(Some("flag"), ghes, &all).as_deref(), Some("flag"));
        assert_eq!(source(None, ghes, &all).as_deref(), Some("ghe"));
        assert_eq!(source(None, ghes, &all[3..]).as_deref(), Some("githube"));
        assert_eq!(source(None, ghes, &all[..2]), None);
        let (_, notice) = resolve_token(None, ghes, from(&all[..2])).unwrap();
        let notice = notice.unwrap();
        assert!(
            notice.contains("GH_TOKEN and GITHUB_TOKEN") && notice.contains("GH_ENTERPRISE_TOKEN"),
            "{notice}"
        );
        assert!(!notice.contains("gh\"") && !notice.contains("github\""));
        let (_, none) = resolve_token(None, ghes, from(&[])).unwrap();
        assert!(none.is_none());
    }
}
