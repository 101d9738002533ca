//! `readiness history` and `report --record`: the scorecard over time from
//! one collection (each point measured as `report --until` its date), or
//! from the runs recorded in a history file, and the gate on drops.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{
    Evidence, Format, Global, Job, Outcome, Settings, Target, check_points, refuse_nothing_read,
    refuse_with_projects,
};
use crate::error::Error;
use crate::history::record::{self, Record};
use crate::history::{
    self, Every, History, HistorySource, MAX_POINTS, Point, RubricRef, Scored, drop_check,
};
use crate::projects::ProjectsFile;
use crate::report::{self, Report};
use crate::rubric::score;
use crate::signals::releases::CompiledRule;
use crate::signals::{self, MeasureCtx};
use crate::window::Window;

/// `history`'s own options.
pub(super) struct Options {
    pub every: Every,
    pub last: Option<usize>,
    pub from: Option<PathBuf>,
    pub fail_on_drop: Option<f64>,
    /// `--projects FILE`: the target is a project's name in this file.
    pub projects: Option<PathBuf>,
}

/// `readiness history`: exit 1 under `--fail-on-drop` when the latest
/// point fell by more than the threshold, 2 when a source that was asked
/// for could not be read (the history is written first).
pub(super) fn history_command(
    g: Global,
    target: Option<&str>,
    options: &Options,
) -> Result<Outcome, Error> {
    check_points("--fail-on-drop", options.fail_on_drop)?;
    if options.last == Some(0)
        || options
            .last
            .is_some_and(|n| n > MAX_POINTS && options.from.is_none())
    {
        return Err(Error::Usage(format!(
            "--last takes a number of points from 1 to {MAX_POINTS}"
        )));
    }
    if options.projects.is_some() {
        refuse_with_projects(&g)?;
    }
    let settings = Settings::new(g)?;
    if settings.format == Format::Badge {
        return Err(Error::Usage(
            "--format badge shows one report's score: use it with `readiness report`".into(),
        ));
    }
    if options.from.is_some() {
        let flag = settings
            .artifact_flag()
            .or_else(|| settings.window_args.given().then_some("--since or --until"));
        if let Some(flag) = flag {
            return Err(Error::Usage(format!(
                "history --from shows the runs as they were recorded: {flag} does not apply to it"
            )));
        }
    }
    let (mut h, incomplete) = match &options.from {
        Some(path) => (recorded(&settings, path, target, options.last)?, false),
        None => collected_for(&settings, target, options)?,
    };
    if let Some(threshold) = options.fail_on_drop {
        let n = h.points.len();
        let previous = n
            .checked_sub(2)
            .and_then(|i| h.points.get(i))
            .map(Scored::from);
        if let Some(current) = h.points.last() {
            h.drop = Some(drop_check(previous, current.into(), threshold));
        }
    }
    let markdown = || report::render_history(&h, settings.template.as_deref(), settings.charts);
    let text = match settings.format {
        Format::Json => report::to_json("the history", &h)?,
        Format::Csv => report::history_csv(&h),
        _ => markdown()?,
    };
    settings.publish(&text, markdown)?;
    let dropped = match &h.drop {
        Some(check) => say_drop(check, settings.github.quiet),
        None => false,
    };
    Ok(if incomplete {
        Outcome::Incomplete
    } else if dropped {
        Outcome::Dropped
    } else {
        Outcome::Done
    })
}

/// `history` from a fresh collection: of TARGET, or with `--projects` of
/// the project so named, collected with its own options.
fn collected_for(
    settings: &Settings,
    target: Option<&str>,
    options: &Options,
) -> Result<(History, bool), Error> {
    let last = options.last.unwrap_or(12);
    let Some(file) = &options.projects else {
        let target = settings.target_or_default(target)?;
        return collected(settings, &target, options.every, last);
    };
    let Some(name) = target else {
        return Err(Error::Usage(
            "history --projects FILE takes the name of one project: `readiness history --projects FILE NAME`".into(),
        ));
    };
    let file = ProjectsFile::load(file)?;
    let job = Job::of_project(settings, file.get(name)?)?;
    let (mut h, incomplete) = collected(&job.settings, &job.target, options.every, last)?;
    h.target.name = name.to_string();
    Ok((h, incomplete))
}

/// Says the drop check on standard error (unless `--quiet` and it passed); true when it failed.
fn say_drop(check: &history::DropCheck, quiet: bool) -> bool {
    if check.failed || !quiet {
        eprintln!("readiness: --fail-on-drop: {}", check.message());
    }
    check.failed
}

/// A history from one collection: the evidence of a fresh collection over
/// the span the points need, or saved evidence; every point measured and
/// scored as `report --until` its date; true when a source asked for failed.
fn collected(
    settings: &Settings,
    target: &Target,
    every: Every,
    last: usize,
) -> Result<(History, bool), Error> {
    if settings.window_args.since_is_fixed() {
        return Err(Error::Usage(
            "history's windows move with each point: give --since as a number of days (--since 90d), or leave it out for 365 days".into(),
        ));
    }
    let (ev, rule, until) = if let Target::Evidence(_) = target {
        let (ev, window, rule) = settings.evidence(target)?;
        (ev, rule, window.until)
    } else {
        let until = settings.window.until;
        let first = history::as_of_points(until, every, last)
            .first()
            .map_or(until, |(_, t)| *t);
        let span = Window {
            since: settings.window_args.ending_at(first)?.since,
            until,
        };
        let (ev, _, rule) = settings.evidence_over(target, span)?;
        (ev, rule, until)
    };
    // Points whose window the evidence does not cover are left out below.
    let gaps = settings.gaps(target, &ev, &ev.window);
    refuse_nothing_read(target, &ev, &gaps)?;
    let mut notes = Vec::new();
    let mut wanted = Vec::new();
    let mut uncovered = Vec::new();
    for (label, as_of) in history::as_of_points(until, every, last) {
        let window = settings.window_args.ending_at(as_of)?;
        let covered = window.until <= ev.window.until && signals::uncovered(&ev, &window).is_none();
        if covered {
            wanted.push((label, window));
        } else {
            uncovered.push(label);
        }
    }
    if !uncovered.is_empty() {
        notes.push(format!(
            "left out, because the evidence (collected over {} to {}) does not cover their windows: {}; collect again with a longer --since to include them",
            ev.window.since.format("%Y-%m-%d"),
            ev.window.until.format("%Y-%m-%d"),
            uncovered.join(", ")
        ));
    }
    if wanted.is_empty() {
        return Err(Error::Target {
            target: target.display(),
            message: format!(
                "no point of the history can be measured: {}",
                notes.join("; ")
            ),
        });
    }
    let rubric = rubric_ref(settings);
    let points = crate::par::map_with(&wanted, crate::par::threads(), |(label, window)| {
        point(settings, &ev, &rule, &rubric, label, *window)
    });
    let incomplete = settings.warn(&gaps);
    let h = History {
        history_schema: history::HISTORY_SCHEMA,
        tool: crate::collect::tool_version(),
        target: ev.target.clone(),
        source: HistorySource::Collection,
        every: Some(every),
        from: None,
        points,
        skipped: Vec::new(),
        notes,
        drop: None,
        sources: ev.sources.clone(),
    };
    Ok((h, incomplete))
}

fn rubric_ref(settings: &Settings) -> RubricRef {
    RubricRef {
        name: settings.rubric.name.clone(),
        origin: settings.rubric.origin.clone(),
        hash: settings.rubric.hash(),
    }
}

/// One point: the measurements and scorecard of `report --until` its date.
fn point(
    settings: &Settings,
    ev: &Evidence,
    rule: &CompiledRule,
    rubric: &RubricRef,
    label: &str,
    window: Window,
) -> Point {
    let r = &settings.rubric;
    let cx = MeasureCtx::new(ev, window, rule, &r.actors, &r.benchmarks);
    let measurements = signals::measure(&cx);
    Point {
        label: label.to_string(),
        window,
        recorded_at: None,
        rubric: rubric.clone(),
        scorecard: score::score(r, &measurements),
        measurements,
    }
}

/// Labels for records: the "as of" date, with the time when two share a day.
fn labels(times: &[DateTime<Utc>]) -> Vec<String> {
    let day = |t: &DateTime<Utc>| t.format("%Y-%m-%d").to_string();
    times
        .iter()
        .map(|t| {
            if times.iter().filter(|u| day(u) == day(t)).count() > 1 {
                t.format("%Y-%m-%d %H:%M:%S").to_string()
            } else {
                day(t)
            }
        })
        .collect()
}

/// The records of `name`, oldest "as of" first (file order among equals).
fn of_target(records: Vec<Record>, name: &str) -> Vec<Record> {
    let mut mine: Vec<Record> = records
        .into_iter()
        .filter(|r| r.target.name == name)
        .collect();
    mine.sort_by_key(|r| r.window.until);
    mine
}

/// Reads the history file, naming each line skipped on standard error.
fn read_records(path: &Path, quiet: bool) -> Result<record::Lines, Error> {
    let lines = record::read(path)?;
    if !quiet {
        for s in &lines.skipped {
            eprintln!("readiness: warning: {s} (line skipped)");
        }
    }
    Ok(lines)
}

/// A history from the runs recorded in `path`: those of `target` (the
/// file's only target when not given), the last `last` of them.
fn recorded(
    settings: &Settings,
    path: &Path,
    target: Option<&str>,
    last: Option<usize>,
) -> Result<History, Error> {
    let record::Lines { records, skipped } = read_records(path, settings.github.quiet)?;
    let mut names: Vec<&str> = Vec::new();
    for r in &records {
        if !names.contains(&r.target.name.as_str()) {
            names.push(&r.target.name);
        }
    }
    let fail = |message: String| Error::Target {
        target: path.display().to_string(),
        message,
    };
    let name = match (target, names.as_slice()) {
        (_, []) => return Err(fail("no record could be read".into())),
        (Some(t), _) if names.contains(&t) => t.to_string(),
        (Some(t), _) => {
            return Err(fail(format!(
                "no record of {t:?}; the file holds records of {}",
                names.join(", ")
            )));
        }
        (None, [one]) => (*one).to_string(),
        (None, _) => {
            return Err(fail(format!(
                "records of several targets ({}): name one, as in `readiness history --from {} {}`",
                names.join(", "),
                path.display(),
                names[0]
            )));
        }
    };
    let mut mine = of_target(records, &name);
    if let Some(n) = last {
        mine.drain(..mine.len().saturating_sub(n));
    }
    let target = match mine.last() {
        Some(r) => r.target.clone(),
        None => return Err(fail(format!("no record of {name:?}"))),
    };
    let times: Vec<DateTime<Utc>> = mine.iter().map(|r| r.window.until).collect();
    let points = mine
        .into_iter()
        .zip(labels(&times))
        .map(|(r, label)| r.point(label))
        .collect();
    Ok(History {
        history_schema: history::HISTORY_SCHEMA,
        tool: crate::collect::tool_version(),
        target,
        source: HistorySource::Records,
        every: None,
        from: Some(path.display().to_string()),
        points,
        skipped,
        notes: Vec::new(),
        drop: None,
        sources: Vec::new(),
    })
}

/// `report --record FILE`: appends the run to the history file, then, with
/// `--fail-on-drop`, compares it with the target's previous recorded run
/// (its last line in the file).
/// A run whose sources asked for failed is not recorded: its score would
/// stand in the history as the project's.
pub(super) fn record_run(
    settings: &Settings,
    report: &Report,
    path: &Path,
    fail_on_drop: Option<f64>,
    incomplete: bool,
) -> Result<Outcome, Error> {
    if incomplete {
        eprintln!(
            "readiness: --record {}: this run is not recorded, because a source that was asked for could not be read",
            path.display()
        );
        return Ok(Outcome::Done);
    }
    let mut measurements = report.measurements.clone();
    for m in &mut measurements {
        m.examples.clear();
    }
    let record = Record {
        record_schema: record::RECORD_SCHEMA,
        tool: report.tool.clone(),
        target: report.target.clone(),
        recorded_at: settings.now,
        window: report.window,
        rubric: rubric_ref(settings),
        scorecard: report.scorecard.clone(),
        measurements,
    };
    let previous = match fail_on_drop {
        Some(_) if path.exists() => {
            let lines = read_records(path, settings.github.quiet)?;
            let name = &report.target.name;
            lines.records.into_iter().rfind(|r| r.target.name == *name)
        }
        _ => None,
    };
    record::append(path, &record)?;
    let Some(threshold) = fail_on_drop else {
        return Ok(Outcome::Done);
    };
    let day = |r: &Record| r.window.until.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    let previous = previous.map(|r| {
        let label = format!("the previous run, as of {},", day(&r));
        r.point(label)
    });
    let current = record
        .clone()
        .point(format!("this run (as of {})", day(&record)));
    let check = drop_check(
        previous.as_ref().map(Scored::from),
        (&current).into(),
        threshold,
    );
    Ok(if say_drop(&check, settings.github.quiet) {
        Outcome::Dropped
    } else {
        Outcome::Done
    })
}
