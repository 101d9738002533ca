//! ASV (airspeed velocity) results.
//!
//! Two layouts are read, told apart by what the folder holds:
//!
//! - a results folder (`asv run` output): `benchmarks.json` (type, unit and
//!   parameter names of each benchmark) and one folder per machine holding
//!   `machine.json` and result files `<hash>-<env>.json`. Result files of
//!   format 2 (`result_columns`, each benchmark a row of columns) and format 1
//!   (each benchmark a number, `null` or `{"result": [...], "params": [...]}`)
//!   are read. The time of a point is the commit date (`date`), the commit is
//!   `commit_hash`, the machine `params.machine` and the environment `env_name`.
//! - a published folder (`asv publish` output, a `graphs/` folder, usually
//!   with `index.json`): each `graphs/<k-v>/.../<benchmark>.json` is a list of
//!   `[x, value]` points. `x` is a revision number dated through
//!   `index.json`'s `revision_to_date` (newer asv) or a commit time in
//!   milliseconds (older asv, whose `date_to_hash` gives the commit). The
//!   folder names between `graphs/` and the file (`machine-NAME`,
//!   `python-3.5`, `branch-master`, ...) give the machine and the environment.
//!   `graphs/summary/` and `summary.json` files are summaries, not results.
//!
//! A value over parameters is a list in the order of the cartesian product of
//! the parameter lists, the last varying fastest; each combination is its own
//! series, its parameters written `name=value` with ASV's value strings as
//! they are (`param1='classic'`). `null` (failed) and `NaN` (skipped) values
//! are counted and left out. Without `benchmarks.json`, the unit and type come
//! from the name: `time_` seconds, `mem_` and `peakmem_` bytes, `track_`
//! unknown. Time and memory are lower-is-better; a rate unit (`/s`, `ops`)
//! is higher-is-better.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{
    Builder, Input, Key, Skips, Val, classify, finish_input, from_millis, parse_json, rounded_i64,
};
use crate::evidence::Direction;

const TOOL: &str = "asv";

/// Machine parameters among a published graph's folder names; the others
/// (`python`, `branch`, dependencies with a version) make the environment.
const MACHINE_KEYS: &[&str] = &["arch", "cpu", "machine", "num_cpu", "os", "ram"];

/// What `benchmarks.json` (or `index.json`) says of one benchmark.
#[derive(Debug, Clone)]
struct Meta {
    unit: String,
    direction: Direction,
    param_names: Vec<String>,
    /// The parameter values (published graphs only need them).
    params: Vec<Vec<String>>,
}

/// Reads one `--asv DIR`.
pub(crate) fn read_dir(dir: &Path) -> Input {
    if let Some(results) = project_results(dir) {
        let mut input = read_folder(&results);
        input.provenance.notes.insert(
            0,
            format!(
                "{} is an asv project (asv.conf.json): read its results_dir, {}",
                dir.display(),
                results.display()
            ),
        );
        return input;
    }
    read_folder(dir)
}

/// An `asv publish` folder: `graphs/` or `index.json`.
fn is_published(dir: &Path) -> bool {
    dir.join("graphs").is_dir() || dir.join("index.json").is_file()
}

/// A folder this reader reads directly: published, or a results folder
/// with its `benchmarks.json`.
fn holds_asv(dir: &Path) -> bool {
    is_published(dir) || dir.join("benchmarks.json").is_file()
}

fn read_folder(dir: &Path) -> Input {
    if is_published(dir) {
        read_published(dir)
    } else {
        read_results(dir)
    }
}

/// For a folder that is an asv project (an `asv.conf.json` and no results
/// of its own), its `results_dir` (default `results`) when that exists.
/// The configuration is JSON with `//` comments, as asv allows.
fn project_results(dir: &Path) -> Option<std::path::PathBuf> {
    if holds_asv(dir) {
        return None;
    }
    let conf = super::read_text(&dir.join("asv.conf.json")).ok()?;
    let live: String = conf
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let key = regex::Regex::new(r#""results_dir"\s*:\s*"([^"]*)""#).ok()?;
    let rel = key
        .captures(&live)
        .and_then(|c| c.get(1))
        .map_or("results", |m| m.as_str());
    let results = dir.join(rel);
    results.is_dir().then_some(results)
}

/// `; ASV results are in DIR/a, DIR/b: pass one of them to --asv` when
/// folders just under `dir` (or its `results/`, `html/` and `.asv/`, or
/// under them) hold ASV results or published graphs; empty otherwise.
fn nested_hint(dir: &Path) -> String {
    let children = |parent: &Path| -> Vec<std::path::PathBuf> {
        let mut dirs: Vec<std::path::PathBuf> = std::fs::read_dir(parent)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default();
        dirs.sort();
        dirs
    };
    let mut candidates = children(dir);
    for sub in ["results", "html", ".asv"] {
        candidates.push(dir.join(sub));
        candidates.extend(children(&dir.join(sub)));
    }
    let found: Vec<String> = candidates
        .iter()
        .filter(|d| holds_asv(d))
        .map(|d| d.display().to_string())
        .collect();
    match found.len() {
        0 => String::new(),
        1 => format!("; ASV results are in {}: pass that to --asv", found[0]),
        _ => format!(
            "; ASV results are in {}: pass one of them to --asv",
            found.join(", ")
        ),
    }
}

/// Unit and direction from a benchmark's type and unit.
fn meta_of(kind: &str, unit: Option<&str>) -> (String, Direction) {
    let unit = match unit.filter(|u| !u.is_empty()) {
        Some(u) => u.to_string(),
        None => match kind {
            "time" => "seconds".into(),
            "memory" | "peakmemory" => "bytes".into(),
            _ => "unknown".into(),
        },
    };
    let direction = if super::is_rate(&unit) {
        Direction::HigherIsBetter
    } else {
        Direction::LowerIsBetter
    };
    (unit, direction)
}

/// What a benchmark's name says when `benchmarks.json` does not: its type
/// comes from the prefix of its last dotted part.
fn meta_from_name(name: &str) -> Meta {
    let last = name.rsplit('.').next().unwrap_or(name);
    let kind = if last.starts_with("time_") {
        "time"
    } else if last.starts_with("mem_") {
        "memory"
    } else if last.starts_with("peakmem_") {
        "peakmemory"
    } else {
        "track"
    };
    let (unit, direction) = meta_of(kind, None);
    Meta {
        unit,
        direction,
        param_names: Vec::new(),
        params: Vec::new(),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(value_text).collect())
        .unwrap_or_default()
}

/// A parameter value as text: strings as they are, anything else as JSON.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Parameter lists: a list of lists of values.
fn param_lists(v: Option<&Value>) -> Result<Vec<Vec<String>>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(lists)) => lists
            .iter()
            .map(|l| {
                l.as_array()
                    .map(|a| a.iter().map(value_text).collect())
                    .ok_or_else(|| "parameters are not a list of lists".to_string())
            })
            .collect(),
        Some(_) => Err("parameters are not a list of lists".into()),
    }
}

/// The benchmarks of a `benchmarks.json` or of `index.json`'s `benchmarks`.
fn read_benchmarks(map: &Map<String, Value>) -> HashMap<String, Meta> {
    let mut out = HashMap::new();
    for (name, b) in map {
        let Some(b) = b.as_object() else {
            continue; // "version": 2
        };
        let kind = b.get("type").and_then(Value::as_str).unwrap_or("");
        let (unit, direction) = if kind.is_empty() {
            let m = meta_from_name(name);
            (m.unit, m.direction)
        } else {
            meta_of(kind, b.get("unit").and_then(Value::as_str))
        };
        out.insert(
            name.clone(),
            Meta {
                unit,
                direction,
                param_names: strings(b.get("param_names")),
                params: param_lists(b.get("params")).unwrap_or_default(),
            },
        );
    }
    out
}

/// `name=value` for each combination of `params`, in ASV's order (the last
/// list varies fastest). `None` when `count` values do not fit the product.
fn combinations(names: &[String], params: &[Vec<String>], count: usize) -> Option<Vec<String>> {
    let product = params
        .iter()
        .try_fold(1usize, |acc, l| acc.checked_mul(l.len()))?;
    if product != count {
        return None;
    }
    let labels: Vec<String> = if names.len() == params.len() {
        names.to_vec()
    } else {
        (1..=params.len()).map(|i| format!("param{i}")).collect()
    };
    let mut out = Vec::with_capacity(count);
    for mut index in 0..count {
        let mut values = vec![""; params.len()];
        for (slot, list) in values.iter_mut().zip(params).rev() {
            *slot = &list[index % list.len()];
            index /= list.len();
        }
        out.push(super::join_params(
            labels.iter().map(String::as_str).zip(values),
        ));
    }
    Some(out)
}

/// One value of one benchmark in one file, before it joins its series.
struct Row {
    key: Key,
    unit: String,
    direction: Direction,
    time: DateTime<Utc>,
    commit: Option<String>,
    value: Val,
}

/// The most series one result file may give (all its benchmarks and
/// parameter combinations together). pandas, the largest ASV suite we know
/// of, gives a few thousand per file; a file beyond this is refused whole
/// rather than allocating without bound (a `null` result over 9 lists of
/// 10 values would be a billion combinations).
pub(crate) const MAX_SERIES_PER_FILE: usize = 100_000;

/// The size of the parameter product, when it is at most `limit`.
fn product_within(params: &[Vec<String>], limit: usize) -> Option<usize> {
    params
        .iter()
        .try_fold(1usize, |acc, l| acc.checked_mul(l.len()))
        .filter(|n| *n <= limit)
}

/// Turns a result (a number, `null`, or a list over the parameter product)
/// into values; `budget` is how many more series the file may give.
fn expand(
    name: &str,
    result: &Value,
    params: &[Vec<String>],
    names: &[String],
    budget: usize,
) -> Result<Vec<(String, Val)>, String> {
    let too_many = || {
        format!(
            "{name}: its parameters make more combinations than the {MAX_SERIES_PER_FILE} series a result file may give"
        )
    };
    let values: Vec<Val> = match result {
        Value::Array(a) => a.iter().map(classify).collect(),
        // A whole `null`: the benchmark failed for every combination.
        Value::Null => vec![Val::Failed; product_within(params, budget).ok_or_else(too_many)?],
        other => vec![classify(other)],
    };
    if values.len() > budget {
        return Err(too_many());
    }
    let labels = combinations(names, params, values.len()).ok_or_else(|| {
        let product = product_within(params, usize::MAX)
            .map_or_else(|| "too many".to_string(), |n| n.to_string());
        format!(
            "{name}: {} values do not fit its parameters ({product} combinations)",
            values.len(),
        )
    })?;
    Ok(labels.into_iter().zip(values).collect())
}

/// The environment name asv gives a result file without `env_name` (format
/// 1): `py{python}`, then each requirement sorted by name, `{name}{version}`
/// or the bare name when the version is empty, joined by `-`, with the
/// characters asv replaces in file names (`<>:"/\^|?*` and controls) made
/// `_` (asv's `environment.get_env_name` and `util.sanitize_filename`).
/// `None` without a `python` field.
fn derived_env_name(obj: &Map<String, Value>) -> Option<String> {
    let python = obj.get("python").map(value_text)?;
    let mut name = vec![format!("py{python}")];
    let mut reqs: Vec<(&String, &Value)> = obj
        .get("requirements")
        .and_then(Value::as_object)
        .map(|m| m.iter().collect())
        .unwrap_or_default();
    reqs.sort_by(|a, b| a.0.cmp(b.0));
    for (key, val) in reqs {
        match val {
            Value::Null | Value::Bool(false) => name.push(key.clone()),
            Value::String(v) if v.is_empty() => name.push(key.clone()),
            other => name.push(format!("{key}{}", value_text(other))),
        }
    }
    Some(
        name.join("-")
            .chars()
            .map(|c| {
                if "<>:\"/\\^|?*".contains(c) || c < '\u{20}' {
                    '_'
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// The machine a result file names (`params.machine`).
fn file_machine(v: &Value) -> Option<&str> {
    v.get("params")?.get("machine")?.as_str()
}

/// A result file with only what [`read_result_file`] reads (format,
/// commit, date, environment, machine, and each benchmark's result and
/// parameters), for keeping in the cache: asv's statistics, durations and
/// run times, most of a pandas result file, are left out. `None` for what
/// is not a result file's JSON object (kept as it is).
pub(crate) fn compact_result(v: &Value) -> Option<Value> {
    let obj = v.as_object()?;
    let results = obj.get("results")?.as_object()?;
    let mut out = Map::new();
    for k in [
        "version",
        "commit_hash",
        "date",
        "env_name",
        "python",
        "requirements",
    ] {
        if let Some(x) = obj.get(k) {
            out.insert(k.into(), x.clone());
        }
    }
    if let Some(m) = obj.get("params").and_then(|p| p.get("machine")) {
        out.insert("params".into(), serde_json::json!({"machine": m}));
    }
    let compact: Map<String, Value> = if obj.get("version").and_then(Value::as_u64) == Some(2) {
        let cols = strings(obj.get("result_columns"));
        let at = |name: &str| cols.iter().position(|c| c == name);
        let (ri, pi) = (at("result")?, at("params"));
        out.insert(
            "result_columns".into(),
            serde_json::json!(["result", "params"]),
        );
        results
            .iter()
            .map(|(name, row)| {
                let row = match row {
                    Value::Array(cells) => Value::Array(vec![
                        cells.get(ri).cloned().unwrap_or(Value::Null),
                        pi.and_then(|i| cells.get(i))
                            .cloned()
                            .unwrap_or(Value::Null),
                    ]),
                    other => other.clone(),
                };
                (name.clone(), row)
            })
            .collect()
    } else {
        results
            .iter()
            .map(|(name, r)| {
                let r = match r.as_object() {
                    Some(o) => {
                        serde_json::json!({"result": o.get("result"), "params": o.get("params")})
                    }
                    None => r.clone(),
                };
                (name.clone(), r)
            })
            .collect()
    };
    out.insert("results".into(), Value::Object(compact));
    Some(Value::Object(out))
}

/// Reads one result file of format 1 or 2; any problem fails the whole file.
fn read_result_file(
    v: &Value,
    machine_dir: &str,
    benchmarks: Option<&HashMap<String, Meta>>,
    unnamed: &mut BTreeSet<String>,
) -> Result<Vec<Row>, String> {
    let obj = v
        .as_object()
        .ok_or("not an ASV result file: not a JSON object")?;
    let results = obj
        .get("results")
        .and_then(Value::as_object)
        .ok_or("not an ASV result file: no \"results\" object")?;
    let version = obj.get("version").and_then(Value::as_u64);
    if !matches!(version, Some(1 | 2)) {
        return Err(format!(
            "not an ASV result file of format 1 or 2 (\"version\": {})",
            obj.get("version")
                .map_or("missing".into(), Value::to_string)
        ));
    }
    let time = obj
        .get("date")
        .and_then(from_millis)
        .ok_or("no commit \"date\" (milliseconds since the epoch)")?;
    let commit = obj
        .get("commit_hash")
        .and_then(Value::as_str)
        .map(str::to_string);
    let env = match obj.get("env_name").and_then(Value::as_str) {
        Some(e) => e.to_string(),
        None => derived_env_name(obj).unwrap_or_default(),
    };
    let machine = obj
        .get("params")
        .and_then(|p| p.get("machine"))
        .and_then(Value::as_str)
        .unwrap_or(machine_dir)
        .to_string();
    let columns = if version == Some(2) {
        let cols = strings(obj.get("result_columns"));
        let result = cols
            .iter()
            .position(|c| c == "result")
            .ok_or("format 2 without a \"result\" column in \"result_columns\"")?;
        Some((result, cols.iter().position(|c| c == "params")))
    } else {
        None
    };
    let mut rows = Vec::new();
    for (name, entry) in results {
        let (result, params) = match (columns, entry) {
            (Some(_), Value::Null) => (Value::Null, None),
            (Some((ri, pi)), Value::Array(cols)) => (
                cols.get(ri).cloned().unwrap_or(Value::Null),
                pi.and_then(|i| cols.get(i)),
            ),
            (Some(_), _) => return Err(format!("{name}: not a row of result columns")),
            (None, Value::Object(o)) => (
                o.get("result").cloned().unwrap_or(Value::Null),
                o.get("params"),
            ),
            (None, other) => (other.clone(), None),
        };
        let params = param_lists(params).map_err(|e| format!("{name}: {e}"))?;
        let meta = if let Some(m) = benchmarks.and_then(|b| b.get(name)) {
            m.clone()
        } else {
            unnamed.insert(name.clone());
            meta_from_name(name)
        };
        let budget = MAX_SERIES_PER_FILE.saturating_sub(rows.len());
        for (label, value) in expand(name, &result, &params, &meta.param_names, budget)? {
            rows.push(Row {
                key: Key {
                    benchmark: name.clone(),
                    params: label,
                    machine: machine.clone(),
                    env: env.clone(),
                },
                unit: meta.unit.clone(),
                direction: meta.direction,
                time,
                commit: commit.clone(),
                value,
            });
        }
    }
    Ok(rows)
}

/// A name ending in `.json`.
fn is_json(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "json")
}

/// Reads a JSON file of the folder (`benchmarks.json`, `index.json`,
/// `machine.json`) with [`super::read_text`].
fn read_json(path: &Path) -> Result<Value, String> {
    super::read_text(path).and_then(|t| parse_json(&t))
}

/// `benchmarks.json` of a results folder, read; a bad one is skipped.
fn benchmarks_of(
    found: Option<(String, Result<Value, String>)>,
    skips: &mut Skips,
) -> Option<HashMap<String, Meta>> {
    let (at, parsed) = found?;
    match parsed {
        Ok(Value::Object(map)) => Some(read_benchmarks(&map)),
        Ok(_) => {
            skips.add(at, "not a JSON object");
            None
        }
        Err(why) => {
            skips.add(at, why);
            None
        }
    }
}

/// The machine a folder's `machine.json` names, when it can be read.
fn machine_of_folder(mdir: &Path) -> Option<String> {
    machine_named(&read_json(&mdir.join("machine.json")).ok()?)
}

/// The `machine` a `machine.json` names.
pub(crate) fn machine_named(v: &Value) -> Option<String> {
    v.get("machine")?.as_str().map(str::to_string)
}

/// The result files of a results folder: `*.json` one level down (one
/// folder per machine), `machine.json` aside, each read once.
fn result_files(dir: &Path) -> crate::fsutil::Walked {
    super::walk(dir, 1, &|_, depth| depth == 1, &|p| {
        is_json(p) && p.parent() != Some(dir) && p.file_name().is_some_and(|n| n != "machine.json")
    })
}

/// One result file of a results folder, wherever the folder is.
pub(crate) struct ResultFile {
    /// Its machine folder (a path or a location), which the series are located by.
    pub folder: String,
    /// The machine folder's name: the machine, when the file names none.
    pub machine_dir: String,
    /// The file (a path or a location), for skip lines.
    pub location: String,
}

/// A results folder (`benchmarks.json`, one folder per machine of result
/// files), wherever it is: on disk, or fetched from a repository.
pub(crate) struct ResultsFolder<'a> {
    pub location: String,
    /// `benchmarks.json`: where, and its content; `None` when there is none.
    pub benchmarks: Option<(String, Result<Value, String>)>,
    pub files: Vec<ResultFile>,
    /// The `machine` a machine folder's `machine.json` names, by [`ResultFile::folder`].
    pub machine_of: &'a dyn Fn(&str) -> Option<String>,
    /// Reads a result file.
    pub read: &'a dyn Fn(&ResultFile) -> Result<Value, String>,
    /// What reaching the files already skipped or noted.
    pub skips: Skips,
    pub notes: Vec<String>,
    /// Files counted as found besides `files` (ones that could not be reached).
    pub unreached: usize,
    /// Said after "no ASV results found" (where they may be instead).
    pub hint: String,
}

fn read_results(dir: &Path) -> Input {
    let bj = dir.join("benchmarks.json");
    let walked = result_files(dir);
    let mut skips = Skips::default();
    let mut notes = Vec::new();
    super::walk_problems(&walked, &mut skips, &mut notes);
    let files = walked
        .files
        .iter()
        .map(|file| {
            let mdir = file.parent().unwrap_or(dir);
            ResultFile {
                folder: mdir.display().to_string(),
                machine_dir: mdir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                location: file.display().to_string(),
            }
        })
        .collect();
    read_results_from(ResultsFolder {
        location: dir.display().to_string(),
        benchmarks: bj
            .symlink_metadata()
            .is_ok()
            .then(|| (bj.display().to_string(), read_json(&bj))),
        files,
        machine_of: &|folder| machine_of_folder(Path::new(folder)),
        read: &|f| read_json(Path::new(&f.location)),
        skips,
        notes,
        unreached: walked.skipped.len(),
        hint: nested_hint(dir),
    })
}

/// Reads a results folder's files one at a time.
pub(crate) fn read_results_from(src: ResultsFolder<'_>) -> Input {
    let mut builder = Builder::new(TOOL);
    let mut skips = src.skips;
    let mut notes = src.notes;
    let mut warnings = Vec::new();
    let has_benchmarks = src.benchmarks.is_some();
    let benchmarks = benchmarks_of(src.benchmarks, &mut skips);
    let mut machines: HashMap<String, Option<String>> = HashMap::new();
    let mut other_machine = Vec::new();
    let mut unnamed = BTreeSet::new();
    for file in &src.files {
        let expected = machines
            .entry(file.folder.clone())
            .or_insert_with(|| (src.machine_of)(&file.folder))
            .clone();
        let parsed = (src.read)(file).and_then(|v| {
            if let (Some(want), Some(got)) = (expected.as_deref(), file_machine(&v))
                && want != got
            {
                return Ok(Err(format!(
                    "{} (machine {got:?}, its folder's machine.json says {want:?})",
                    file.location
                )));
            }
            read_result_file(&v, &file.machine_dir, benchmarks.as_ref(), &mut unnamed).map(Ok)
        });
        match parsed {
            Ok(Ok(rows)) => {
                for r in rows {
                    builder.push(
                        &r.key,
                        &file.folder,
                        &r.unit,
                        r.direction,
                        r.time,
                        r.commit.as_deref(),
                        r.value,
                    );
                }
            }
            Ok(Err(other)) => other_machine.push(other),
            Err(why) => skips.add(file.location.clone(), why),
        }
    }
    if !other_machine.is_empty() {
        let line = format!(
            "{} result files of another machine than their folder's machine.json left out, as asv does: {}",
            other_machine.len(),
            super::capped(other_machine, "files").join("; ")
        );
        warnings.push(line.clone());
        notes.push(line);
    }
    let files = src.files.len() + src.unreached;
    let found = Found {
        files,
        machines: machines.len(),
        has_benchmarks,
    };
    results_notes(
        &src.location,
        &src.hint,
        &found,
        &unnamed,
        &mut warnings,
        &mut notes,
    );
    finish_input(TOOL, &src.location, builder, &skips, warnings, notes)
}

/// What a results folder held.
struct Found {
    files: usize,
    machines: usize,
    has_benchmarks: bool,
}

/// The warnings and notes of a results folder once read.
fn results_notes(
    location: &str,
    hint: &str,
    found: &Found,
    unnamed: &BTreeSet<String>,
    warnings: &mut Vec<String>,
    notes: &mut Vec<String>,
) {
    let Found {
        files,
        machines,
        has_benchmarks,
    } = *found;
    if files == 0 {
        warnings.push(format!(
            "--asv {location}: no ASV results found (expected benchmarks.json and one folder per machine of result files, or an `asv publish` folder with graphs/){hint}"
        ));
        notes.push("no ASV result files found".into());
    } else if !has_benchmarks {
        warnings.push(format!(
            "--asv {location}: no benchmarks.json: units and types are taken from benchmark names (time_ seconds, mem_/peakmem_ bytes, track_ unknown)"
        ));
    }
    if !unnamed.is_empty() && files > 0 {
        notes.push(format!(
            "{} benchmarks not described by benchmarks.json: units and types taken from their names",
            unnamed.len()
        ));
    }
    notes.push(format!(
        "{files} result files in {machines} machine folders; point times are commit dates (\"date\" of each result file)"
    ));
}

/// What `index.json` of a published folder gives.
#[derive(Debug, Default)]
struct Index {
    benchmarks: HashMap<String, Meta>,
    revision_to_date: HashMap<String, DateTime<Utc>>,
    revision_to_hash: HashMap<String, String>,
    date_to_hash: HashMap<String, String>,
    /// The parameter names of graph folders (`python`, `machine`, ...).
    keys: Vec<String>,
    has_revisions: bool,
}

fn read_index(v: &Value) -> Result<Index, String> {
    let obj = v.as_object().ok_or("not a JSON object")?;
    let str_map = |k: &str| -> HashMap<String, String> {
        obj.get(k)
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut keys: Vec<String> = obj
        .get("params")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    // Longest first, so `conda-package-handling` wins over `conda`.
    keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
    let revision_to_date: HashMap<String, DateTime<Utc>> = obj
        .get("revision_to_date")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), from_millis(v)?)))
                .collect()
        })
        .unwrap_or_default();
    Ok(Index {
        benchmarks: obj
            .get("benchmarks")
            .and_then(Value::as_object)
            .map(read_benchmarks)
            .unwrap_or_default(),
        has_revisions: obj.contains_key("revision_to_date"),
        revision_to_date,
        revision_to_hash: str_map("revision_to_hash"),
        date_to_hash: str_map("date_to_hash"),
        keys,
    })
}

/// Machine and environment from a graph's folder names.
fn machine_env(components: &[String], keys: &[String]) -> (String, String) {
    let mut machine = String::new();
    let mut env = Vec::new();
    for c in components {
        let split = keys
            .iter()
            .find_map(|k| {
                c.strip_prefix(k.as_str())
                    .and_then(|r| r.strip_prefix('-'))
                    .map(|v| (k.as_str(), v))
            })
            .or_else(|| c.split_once('-'));
        let Some((k, v)) = split else {
            continue; // a dependency without a version
        };
        if v.is_empty() {
            continue;
        }
        if k == "machine" {
            machine = v.to_string();
        } else if !MACHINE_KEYS.contains(&k) {
            env.push(c.clone());
        }
    }
    (machine, env.join(" "))
}

/// Every graph file under `graphs/`, skipping summaries, in natural order, each once.
fn graph_files(graphs: &Path) -> crate::fsutil::Walked {
    super::walk(
        graphs,
        64,
        &|p, depth| !(depth == 1 && p.file_name().is_some_and(|n| n == "summary")),
        &|p| is_json(p) && p.file_name().is_some_and(|n| n != "summary.json"),
    )
}

/// Timestamps before this many milliseconds (1973) are revision numbers.
const MIN_TIMESTAMP_MS: f64 = 1e11;

/// A graph's x value (a revision number, or a time in milliseconds) as the
/// key index.json gives it: rounded, in decimal. `None` when no i64 holds it;
/// no key would match.
fn key_of(x: f64) -> Option<String> {
    rounded_i64(x).map(|n| n.to_string())
}

struct GraphPoint {
    time: Option<DateTime<Utc>>,
    commit: Option<String>,
    values: Vec<(String, Val)>,
}

fn read_graph(v: &Value, name: &str, index: Option<&Index>) -> Result<Vec<GraphPoint>, String> {
    let points = v
        .as_array()
        .ok_or("not an ASV graph: not a list of [x, value] points")?;
    let meta = index.and_then(|i| i.benchmarks.get(name));
    let mut out = Vec::with_capacity(points.len());
    for p in points {
        let pair = p
            .as_array()
            .filter(|a| a.len() == 2)
            .ok_or("not an ASV graph: a point is not [x, value]")?;
        let x = pair[0]
            .as_f64()
            .ok_or("not an ASV graph: a point's x is not a number")?;
        let (time, commit) = match index {
            Some(i) if i.has_revisions => {
                let rev = key_of(x);
                (
                    rev.as_ref()
                        .and_then(|r| i.revision_to_date.get(r).copied()),
                    rev.as_ref()
                        .and_then(|r| i.revision_to_hash.get(r).cloned()),
                )
            }
            _ if x < MIN_TIMESTAMP_MS => {
                return Err(format!(
                    "x values are revision numbers ({x}) and there is no index.json revision_to_date to date them"
                ));
            }
            _ => {
                let key = key_of(x);
                (
                    from_millis(&pair[0]),
                    index.and_then(|i| i.date_to_hash.get(key.as_ref()?).cloned()),
                )
            }
        };
        let values = match &pair[1] {
            Value::Array(list) => {
                let labels = match meta {
                    Some(m) => {
                        combinations(&m.param_names, &m.params, list.len()).ok_or_else(|| {
                            format!(
                                "{} values do not fit the benchmark's parameters in index.json",
                                list.len()
                            )
                        })?
                    }
                    None => (1..=list.len())
                        .map(|i| format!("combination={i}"))
                        .collect(),
                };
                labels.into_iter().zip(list.iter().map(classify)).collect()
            }
            other => vec![(String::new(), classify(other))],
        };
        out.push(GraphPoint {
            time,
            commit,
            values,
        });
    }
    Ok(out)
}

/// One graph file of a published site, wherever it was read from (a
/// folder, or a site over HTTPS).
pub(crate) struct GraphFile {
    /// The folder names between `graphs/` and the file (`machine-aws`, `python-3.5`, ...).
    pub components: Vec<String>,
    /// The benchmark: the file name without `.json`.
    pub name: String,
    /// Where it was read from (a path or a URL), for the series and skip lines.
    pub location: String,
    /// The parsed file, or why it could not be read.
    pub value: Result<Value, String>,
}

/// What a published site gave before its graphs are read: its `index.json`
/// (`None` when there is none) and what the transport already skipped or noted.
pub(crate) struct PublishedSite {
    pub location: String,
    /// Where `index.json` was read from, and its parsed content.
    pub index: Option<(String, Result<Value, String>)>,
    pub skips: Skips,
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
}

fn read_published(dir: &Path) -> Input {
    let ij = dir.join("index.json");
    let index = ij
        .symlink_metadata()
        .is_ok()
        .then(|| (ij.display().to_string(), read_json(&ij)));
    let graphs = dir.join("graphs");
    let walked = graph_files(&graphs);
    let mut site = PublishedSite {
        location: dir.display().to_string(),
        index,
        skips: Skips::default(),
        notes: Vec::new(),
        warnings: Vec::new(),
    };
    super::walk_problems(&walked, &mut site.skips, &mut site.notes);
    let files = walked.files.iter().map(|file| GraphFile {
        components: file
            .parent()
            .and_then(|p| p.strip_prefix(&graphs).ok())
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default(),
        name: file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        location: file.display().to_string(),
        value: read_json(file),
    });
    read_published_files(site, files)
}

/// Reads a published site's graphs, one at a time as `files` yields them.
pub(crate) fn read_published_files(
    site: PublishedSite,
    files: impl Iterator<Item = GraphFile>,
) -> Input {
    let PublishedSite {
        location,
        index,
        mut skips,
        mut notes,
        mut warnings,
    } = site;
    let mut builder = Builder::new(TOOL);
    let index = if let Some((at, parsed)) = index {
        match parsed.and_then(|v| read_index(&v)) {
            Ok(i) => Some(i),
            Err(why) => {
                skips.add(at, why);
                None
            }
        }
    } else {
        warnings.push(format!(
            "--asv {location}: no index.json: units and types are taken from benchmark names, and parameter combinations are numbered"
        ));
        None
    };
    let mut count = 0usize;
    for file in files {
        count += 1;
        let at = file.location.clone();
        if let Err(why) = read_graph_file(&mut builder, file, index.as_ref()) {
            skips.add(at, why);
        }
    }
    if count == 0 {
        warnings.push(format!(
            "--asv {location}: no graph files under graphs/ (summaries aside)"
        ));
    }
    let times = match &index {
        Some(i) if i.has_revisions => {
            "x values are revisions, dated and named through index.json (revision_to_date, revision_to_hash)"
        }
        Some(_) => {
            "x values are commit times in milliseconds; commits from index.json's date_to_hash"
        }
        None => "x values are commit times in milliseconds; commits unknown (no index.json)",
    };
    notes.push(format!(
        "{count} published graph files; {times}; machine and environment from the graph folder names"
    ));
    finish_input(TOOL, &location, builder, &skips, warnings, notes)
}

/// Reads one published graph file (`graphs/<machine and env folders>/<benchmark>.json`)
/// into `builder`; the error says why the file is skipped.
fn read_graph_file(
    builder: &mut Builder,
    file: GraphFile,
    index: Option<&Index>,
) -> Result<(), String> {
    let keys: &[String] = index.map_or(&[], |i| i.keys.as_slice());
    let GraphFile {
        components,
        name,
        location: loc,
        value,
    } = file;
    let (machine, env) = machine_env(&components, keys);
    let points = value.and_then(|v| read_graph(&v, &name, index))?;
    let meta = index
        .and_then(|i| i.benchmarks.get(&name))
        .cloned()
        .unwrap_or_else(|| meta_from_name(&name));
    for p in points {
        for (params, value) in p.values {
            let Some(time) = p.time else {
                if matches!(value, Val::Finite(_)) {
                    builder.left_out.no_time += 1;
                } else {
                    builder.left_out.count(value);
                }
                continue;
            };
            let key = Key {
                benchmark: name.clone(),
                params,
                machine: machine.clone(),
                env: env.clone(),
            };
            builder.push(
                &key,
                &loc,
                &meta.unit,
                meta.direction,
                time,
                p.commit.as_deref(),
                value,
            );
        }
    }
    Ok(())
}

#[cfg(test)]
#[expect(clippy::float_cmp, reason = "expected values are exact")]
mod tests {
    use super::*;
    use crate::evidence::BenchSeries;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn find<'a>(s: &'a [BenchSeries], name: &str, params: &str) -> &'a BenchSeries {
        s.iter()
            .find(|x| x.benchmark == name && x.params == params)
            .unwrap_or_else(|| {
                panic!(
                    "no {name} [{params}] in {:?}",
                    s.iter()
                        .map(|x| (&x.benchmark, &x.params))
                        .collect::<Vec<_>>()
                )
            })
    }

    const BENCHMARKS: &str = r#"{
        "suite.time_sort": {"type": "time", "unit": "seconds", "params": [["1", "2"], ["'a'", "'b'"]], "param_names": ["n", "kind"]},
        "suite.peakmem_load": {"type": "peakmemory", "unit": "bytes", "params": [], "param_names": []},
        "suite.track_rate": {"type": "track", "unit": "ops/s", "params": [], "param_names": []},
        "version": 2
    }"#;

    fn v2(commit: &str, date: i64, sort: &str, mem: &str) -> String {
        format!(
            r#"{{"commit_hash": "{commit}", "env_name": "py3.10", "date": {date}, "params": {{"machine": "box", "python": "3.10"}},
            "result_columns": ["result", "params", "version", "started_at", "duration", "stats_ci_99_a"],
            "results": {{
              "suite.time_sort": [{sort}, [["1", "2"], ["'a'", "'b'"]], "v", 1, 2.0, [-Infinity, -Infinity, NaN, null]],
              "suite.peakmem_load": [{mem}, [], "v", 1, 2.0, [Infinity]],
              "suite.track_rate": [[100.0], [], "v", 1, 2.0, [null]]
            }}, "durations": {{}}, "version": 2}}"#
        )
    }

    /// Format 2: the params product (last fastest), null and NaN dropped and counted, -Infinity elsewhere tolerated.
    #[test]
    fn format_2_with_params_null_and_nan() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "benchmarks.json", BENCHMARKS);
        write(
            d.path(),
            "box/machine.json",
            r#"{"machine": "box", "version": 1}"#,
        );
        // Written in reverse time order: points must come out by date.
        write(
            d.path(),
            "box/aaa-py3.10.json",
            &v2("c2", 2_000_000_000_000, "[1.0, 2.0, NaN, 4.0]", "[50]"),
        );
        write(
            d.path(),
            "box/bbb-py3.10.json",
            &v2("c1", 1_000_000_000_000, "[1.5, null, 3.5, 4.5]", "[40]"),
        );
        let input = read_dir(d.path());
        let s = &input.series;
        let a = find(s, "suite.time_sort", "n=1, kind='a'");
        assert_eq!(a.points.len(), 2);
        assert_eq!(a.points[0].value, 1.5);
        assert_eq!(a.points[0].commit.as_deref(), Some("c1"));
        assert_eq!(a.points[1].value, 1.0);
        assert_eq!(a.machine, "box");
        assert_eq!(a.env, "py3.10");
        assert_eq!(a.unit, "seconds");
        assert_eq!(a.direction, Direction::LowerIsBetter);
        assert_eq!(a.points[0].time.timestamp_millis(), 1_000_000_000_000);
        // n=1 b: null in c1, so one point: left out; n=2 a: NaN in c2, left out too.
        assert!(s.iter().all(|x| x.params != "n=1, kind='b'"));
        assert!(s.iter().all(|x| x.params != "n=2, kind='a'"));
        let b = find(s, "suite.time_sort", "n=2, kind='b'");
        assert_eq!(
            b.points.iter().map(|p| p.value).collect::<Vec<_>>(),
            vec![4.5, 4.0]
        );
        let mem = find(s, "suite.peakmem_load", "");
        assert_eq!(mem.unit, "bytes");
        let rate = find(s, "suite.track_rate", "");
        assert_eq!(rate.direction, Direction::HigherIsBetter);
        assert_eq!(s.len(), 4);
        let note = input.provenance.notes.join("\n");
        assert!(note.contains("1 failed runs (null)"), "{note}");
        assert!(note.contains("1 skipped runs (NaN)"), "{note}");
        assert!(note.contains("2 series with a single point"), "{note}");
        assert!(input.provenance.complete, "{note}");
        assert_eq!(input.provenance.items, 4);
        assert_eq!(input.provenance.item, "series");
    }

    /// A compacted result file reads as the file itself: same rows, same values.
    #[test]
    fn compacted_result_files_read_the_same() {
        let bench = match parse_json(BENCHMARKS).unwrap() {
            Value::Object(m) => read_benchmarks(&m),
            _ => unreachable!(),
        };
        let v1 = r#"{"commit_hash": "c1", "date": 1500000000000, "python": "2.7", "requirements": {"numpy": "1.8"}, "version": 1,
            "results": {"suite.peakmem_load": 100, "suite.track_rate": null,
             "suite.time_sort": {"result": [1, 2, 3, NaN], "params": [["1", "2"], ["'a'", "'b'"]], "stats": [null]}}}"#;
        for text in [
            v2("c1", 1_000_000_000_000, "[1.0, 2.0, NaN, 4.0]", "[50]"),
            v1.to_string(),
        ] {
            let full = parse_json(&text).unwrap();
            let small = compact_result(&full).unwrap();
            let small_text = small.to_string();
            assert!(small_text.len() < text.len(), "{small_text}");
            let rows = |v: &Value| {
                read_result_file(v, "m", Some(&bench), &mut BTreeSet::new())
                    .unwrap()
                    .into_iter()
                    .map(|r| (r.key, r.unit, r.time, r.commit, r.value))
                    .collect::<Vec<_>>()
            };
            let reread = parse_json(&small_text).unwrap();
            assert_eq!(rows(&reread), rows(&full));
            assert!(!rows(&full).is_empty());
        }
        assert!(compact_result(&serde_json::json!([1])).is_none());
    }

    /// Format 1: numbers, null, and {"result", "params"} objects.
    #[test]
    fn format_1_values_and_objects() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "benchmarks.json", BENCHMARKS);
        for (i, (commit, date)) in [("c1", 1_500_000_000_000i64), ("c2", 1_600_000_000_000)]
            .iter()
            .enumerate()
        {
            let text = format!(
                r#"{{"commit_hash": "{commit}", "date": {date}, "env_name": "e", "params": {{"machine": "m"}}, "version": 1,
                "results": {{"suite.peakmem_load": {mem}, "suite.track_rate": null,
                 "suite.time_sort": {{"result": [1, 2, 3, {last}], "params": [["1", "2"], ["'a'", "'b'"]], "stats": [null]}}}}}}"#,
                mem = 100 + i,
                last = if i == 0 { "NaN" } else { "4" }
            );
            write(d.path(), &format!("m/{commit}-e.json"), &text);
        }
        let input = read_dir(d.path());
        let s = &input.series;
        assert_eq!(
            find(s, "suite.peakmem_load", "")
                .points
                .iter()
                .map(|p| p.value)
                .collect::<Vec<_>>(),
            vec![100.0, 101.0]
        );
        assert_eq!(find(s, "suite.time_sort", "n=2, kind='a'").points.len(), 2);
        assert!(s.iter().all(|x| x.benchmark != "suite.track_rate"));
        assert_eq!(s.len(), 4, "peakmem + 3 of the 4 sort combinations");
        assert!(input.warnings.iter().all(|w| !w.contains("skipped ")));
    }

    /// Without benchmarks.json: a warning, and units from names.
    #[test]
    fn missing_benchmarks_json_takes_units_from_names() {
        let d = tempfile::tempdir().unwrap();
        for (commit, date) in [("c1", 1_500_000_000_000i64), ("c2", 1_600_000_000_000)] {
            write(
                d.path(),
                &format!("m/{commit}-e.json"),
                &format!(
                    r#"{{"commit_hash": "{commit}", "date": {date}, "env_name": "e", "version": 1,
                    "results": {{"a.time_x": 1.0, "a.mem_y": 2, "a.peakmem_z": 3, "a.track_w": 4}}}}"#
                ),
            );
        }
        let input = read_dir(d.path());
        let unit = |n: &str| find(&input.series, n, "").unit.clone();
        assert_eq!(unit("a.time_x"), "seconds");
        assert_eq!(unit("a.mem_y"), "bytes");
        assert_eq!(unit("a.peakmem_z"), "bytes");
        assert_eq!(unit("a.track_w"), "unknown");
        assert_eq!(
            find(&input.series, "a.time_x", "").machine,
            "m",
            "machine from the folder"
        );
        assert!(
            input
                .warnings
                .iter()
                .any(|w| w.contains("no benchmarks.json")),
            "{:?}",
            input.warnings
        );
    }

    /// Corrupt, truncated, wrong-shape and mismatched files are skipped whole; the others count.
    #[test]
    fn bad_files_are_skipped_whole() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "benchmarks.json", BENCHMARKS);
        for (commit, date) in [("c1", 1_000_000_000_000i64), ("c2", 2_000_000_000_000)] {
            write(
                d.path(),
                &format!("box/{commit}.json"),
                &v2(commit, date, "[1, 2, 3, 4]", "[5]"),
            );
        }
        write(
            d.path(),
            "box/cut.json",
            &v2("c3", 3_000_000_000_000, "[1, 2, 3, 4]", "[5]")[..200],
        );
        write(d.path(), "box/list.json", "[1, 2]");
        write(d.path(), "box/empty.json", "");
        write(
            d.path(),
            "box/v9.json",
            r#"{"version": 9, "results": {}, "date": 1}"#,
        );
        // 3 values for a 2x2 product: the whole file goes, even its good peakmem value.
        write(
            d.path(),
            "box/short.json",
            &v2("c4", 4_000_000_000_000, "[1, 2, 3]", "[999]"),
        );
        let input = read_dir(d.path());
        let mem = find(&input.series, "suite.peakmem_load", "");
        assert_eq!(mem.points.len(), 2, "nothing of the bad files is kept");
        assert!(mem.points.iter().all(|p| p.value == 5.0));
        let w = input.warnings.join("\n");
        for f in [
            "cut.json",
            "list.json",
            "empty.json",
            "v9.json",
            "short.json",
        ] {
            assert!(w.contains(f), "{f} not named in {w}");
        }
        assert!(w.contains("do not fit"), "{w}");
        assert!(!input.provenance.complete);
    }

    /// Published graphs dated through index.json revisions, params from index.json, summaries skipped.
    #[test]
    fn published_graphs_with_revisions() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "index.json",
            r#"{"benchmarks": {"io.time_read": {"type": "time", "unit": "seconds", "params": [["'x'", "'y'"]], "param_names": ["fmt"]},
                               "io.track_ops": {"type": "track", "unit": "ops per second", "params": [], "param_names": []}},
                "params": {"machine": ["aws"], "python": ["3.5"], "branch": ["master"], "numpy": [""]},
                "revision_to_date": {"10": 1500000000000, "20": 1500000100000, "30": 1500000200000},
                "revision_to_hash": {"10": "aaa", "20": "bbb", "30": "ccc"}}"#,
        );
        let g = "graphs/branch-master/machine-aws/numpy/python-3.5";
        write(
            d.path(),
            &format!("{g}/io.time_read.json"),
            "[[20, [2.0, null]], [10, [1.0, 5.0]], [30, [3.0, 6.0]], [99, [4.0, 7.0]]]",
        );
        write(
            d.path(),
            &format!("{g}/io.track_ops.json"),
            "[[10, 100], [20, 90]]",
        );
        write(d.path(), &format!("{g}/summary.json"), r#"[{"name": "x"}]"#);
        write(
            d.path(),
            "graphs/summary/io.time_read.json",
            "[[10, 1.0], [20, 1.0]]",
        );
        let input = read_dir(d.path());
        assert!(input.warnings.is_empty(), "{:?}", input.warnings);
        let x = find(&input.series, "io.time_read", "fmt='x'");
        assert_eq!(x.machine, "aws");
        assert_eq!(x.env, "branch-master python-3.5");
        assert_eq!(
            x.points.iter().map(|p| p.value).collect::<Vec<_>>(),
            vec![1.0, 2.0, 3.0],
            "by revision date; revision 99 has no date"
        );
        assert_eq!(x.points[1].commit.as_deref(), Some("bbb"));
        assert_eq!(
            find(&input.series, "io.time_read", "fmt='y'").points.len(),
            2
        );
        let ops = find(&input.series, "io.track_ops", "");
        assert_eq!(ops.direction, Direction::HigherIsBetter);
        assert_eq!(input.series.len(), 3, "summaries are not series");
        let notes = input.provenance.notes.join("\n");
        assert!(notes.contains("2 points without a usable time"), "{notes}");
        assert!(notes.contains("revision_to_date"), "{notes}");
    }

    /// Old published graphs: x is a timestamp; without index.json revision numbers cannot be dated.
    #[test]
    fn published_graphs_with_timestamps_and_no_index() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "graphs/machine-m/python-2.7/a.time_x.json",
            "[[1371512776000, 0.5], [1377268399000, null], [1381408995000, 0.6]]",
        );
        write(
            d.path(),
            "graphs/machine-m/python-2.7/a.time_rev.json",
            "[[10, 0.5], [20, 0.6]]",
        );
        let input = read_dir(d.path());
        let x = find(&input.series, "a.time_x", "");
        assert_eq!(x.points.len(), 2);
        assert_eq!(x.points[0].time.timestamp_millis(), 1_371_512_776_000);
        assert_eq!(x.unit, "seconds");
        assert_eq!(x.points[0].commit, None);
        let w = input.warnings.join("\n");
        assert!(w.contains("no index.json"), "{w}");
        assert!(
            w.contains("a.time_rev.json") && w.contains("revision numbers"),
            "{w}"
        );
    }

    /// An asv project folder is read through its asv.conf.json's
    /// `results_dir`; a commented-out key is not the setting.
    #[test]
    fn an_asv_project_reads_its_results_dir() {
        let d = tempfile::tempdir().unwrap();
        let conf = "{\n  // \"results_dir\": \"nowhere\",\n  \"results_dir\": \"out/res\",\n  \"version\": 1\n}\n";
        std::fs::write(d.path().join("asv.conf.json"), conf).unwrap();
        let res = d.path().join("out/res");
        std::fs::create_dir_all(res.join("m1")).unwrap();
        std::fs::write(
            res.join("benchmarks.json"),
            r#"{"b.time_x": {"type": "time", "unit": "seconds", "params": [], "param_names": []}, "version": 2}"#,
        )
        .unwrap();
        for (i, v) in [1.0, 1.1].iter().enumerate() {
            let file = format!(
                r#"{{"version": 2, "commit_hash": "c{i}", "date": {}, "env_name": "e", "params": {{}},
                "result_columns": ["result", "params"], "results": {{"b.time_x": [[{v}], []]}}}}"#,
                1_700_000_000_000_u64 + i as u64 * 86_400_000
            );
            std::fs::write(res.join(format!("m1/c{i}-e.json")), file).unwrap();
        }
        let input = read_dir(d.path());
        assert_eq!(input.series.len(), 1, "{:?}", input.warnings);
        assert_eq!(input.series[0].points.len(), 2);
        assert!(
            input.provenance.notes[0]
                .contains("is an asv project (asv.conf.json): read its results_dir"),
            "{:?}",
            input.provenance.notes
        );
    }

    /// A folder one level above the results (dask-benchmarks' gh-pages keeps
    /// `results/dask/graphs`) is not read silently as empty: the warning
    /// names the folder to pass.
    #[test]
    fn results_one_level_down_are_pointed_at() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("results/dask/graphs")).unwrap();
        std::fs::create_dir_all(d.path().join("other")).unwrap();
        let input = read_dir(d.path());
        let want = d.path().join("results/dask").display().to_string();
        assert!(
            input.warnings[0].contains(&format!("ASV results are in {want}: pass that to --asv")),
            "{:?}",
            input.warnings
        );
    }

    #[test]
    fn an_empty_folder_says_so() {
        let d = tempfile::tempdir().unwrap();
        let input = read_dir(d.path());
        assert!(input.series.is_empty());
        assert!(
            input.warnings[0].contains("no ASV results found"),
            "{:?}",
            input.warnings
        );
    }

    /// The environment name of a result without `env_name` is asv's:
    /// `py` + python, requirements sorted by name (upper case first, as
    /// Python sorts), a bare name for an empty or null version, characters
    /// asv keeps out of file names made `_`.
    #[test]
    fn env_names_are_derived_as_asv_does() {
        let env = |text: &str| {
            let v: Value = serde_json::from_str(text).unwrap();
            derived_env_name(v.as_object().unwrap())
        };
        assert_eq!(
            env(r#"{"python": "2.7", "requirements": {"numpy": "1.8", "Cython": null}}"#)
                .as_deref(),
            Some("py2.7-Cython-numpy1.8")
        );
        assert_eq!(
            env(r#"{"python": "2.7", "requirements": {"numpy": "1.8", "foo": ""}}"#).as_deref(),
            Some("py2.7-foo-numpy1.8")
        );
        assert_eq!(
            env(r#"{"python": "3.6", "requirements": {"pip+git": "<2|x/y"}}"#).as_deref(),
            Some("py3.6-pip+git_2_x_y")
        );
        assert_eq!(env(r#"{"requirements": {}}"#), None);
    }

    /// A `null` result's parameter product is bounded before anything is
    /// allocated, and an overflowing product is refused, not a panic.
    #[test]
    fn parameter_products_are_bounded() {
        let ten: Vec<String> = (0..10).map(|i| i.to_string()).collect();
        let params = vec![ten; 20];
        let e = expand("b", &Value::Null, &params, &[], MAX_SERIES_PER_FILE).unwrap_err();
        assert!(e.contains("100000 series"), "{e}");
        let small = vec![vec!["1".to_string(), "2".to_string()]];
        assert_eq!(expand("b", &Value::Null, &small, &[], 2).unwrap().len(), 2);
        assert!(expand("b", &Value::Null, &small, &[], 1).is_err());
    }

    #[test]
    fn combinations_follow_asv_order() {
        let p = vec![
            vec!["1".to_string(), "2".to_string()],
            vec!["a".to_string(), "b".to_string(), "c".to_string()],
        ];
        let c = combinations(&["n".into(), "k".into()], &p, 6).unwrap();
        assert_eq!(c[0], "n=1, k=a");
        assert_eq!(c[1], "n=1, k=b");
        assert_eq!(c[3], "n=2, k=a");
        assert!(combinations(&[], &p, 5).is_none());
        assert_eq!(combinations(&[], &[], 1).unwrap(), vec![String::new()]);
        assert_eq!(combinations(&[], &p, 6).unwrap()[5], "param1=2, param2=c");
    }
}
