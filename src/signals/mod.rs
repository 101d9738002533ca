//! The measure stage: pure functions from [`Evidence`] to one
//! [`Measurement`] per signal. No I/O happens here.
//!
//! Every signal is declared once, in its family's file: a [`SignalId`]
//! constant holding its unit, title and definition ([`SignalDef`]).
//! `readiness signals`, the README's signal table and the report's
//! explanations are all generated from them ([`SIGNALS`]). Rust code names a
//! signal by its [`SignalId`]; the string form is for the edges (rubric
//! TOML, JSON, `readiness signals`).
//!
//! A family (`SignalFamily`) measures the signals read from one kind of
//! evidence and draws their charts, both from one analysis of it. Every file
//! of `families/` is one: `build.rs` declares it and lists it in the
//! registry [`FAMILIES`], which keeps them in report order. Adding a family
//! is that file alone. Every measurement is built by `Measurement::new`.
//!
//! A signal whose source was asked for but not read to the end is "not
//! measured" with the reason ([`unread`]), never measured from what little
//! arrived: an empty or cut-short listing would otherwise read as "no issue
//! was opened in the window".

pub mod changepoint;
pub mod coiled_rule;
pub mod trends;

// The families: `pub mod NAME;` for every `families/NAME.rs`, and `FOUND`,
// written by build.rs. A new family is its file alone.
include!(concat!(env!("OUT_DIR"), "/families.rs"));

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::evidence::{Evidence, Provenance};
use crate::window::Window;
use benchmarks::BenchmarkParams;
use releases::CompiledRule;
use responsiveness::Actors;
use trends::Trend;

/// The unit a signal is measured in; it decides how values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A count of releases.
    Releases,
    /// A duration in days.
    Days,
    /// A dimensionless ratio (not a share).
    Ratio,
    /// A duration in hours.
    Hours,
    /// A share, stored as 0..1 and shown as a percentage.
    Fraction,
    /// A duration in minutes.
    Minutes,
    /// A count of tests.
    Tests,
    /// A count of benchmark regressions.
    Regressions,
}

impl Unit {
    /// The unit's name as written in JSON and in `readiness signals`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Releases => "releases",
            Unit::Days => "days",
            Unit::Ratio => "ratio",
            Unit::Hours => "hours",
            Unit::Fraction => "fraction",
            Unit::Minutes => "minutes",
            Unit::Tests => "tests",
            Unit::Regressions => "regressions",
        }
    }

    /// Decimal places shown for this unit (for a fraction, of its percentage).
    #[must_use]
    pub fn decimals(self) -> i32 {
        match self {
            Unit::Releases
            | Unit::Days
            | Unit::Hours
            | Unit::Fraction
            | Unit::Minutes
            | Unit::Tests
            | Unit::Regressions => 1,
            Unit::Ratio => 2,
        }
    }

    /// `v` rounded to the precision it is shown with, so that values that
    /// read the same also compare the same. A fraction is shown as a
    /// percentage with one decimal, so it is rounded to three decimals.
    #[must_use]
    pub fn round(self, v: f64) -> f64 {
        let decimals = match self {
            Unit::Fraction => self.decimals() + 2,
            _ => self.decimals(),
        };
        let scale = 10f64.powi(decimals);
        (v * scale).round() / scale
    }

    /// A value in this unit as a person reads it; `n/a` when it is not
    /// finite (NaN or infinite), never `NaN` or `inf`.
    #[must_use]
    pub fn format(self, v: f64) -> String {
        if !v.is_finite() {
            return "n/a".to_string();
        }
        let d = usize::try_from(self.decimals()).unwrap_or(0);
        match self {
            // Counts: a whole number is written without decimals.
            Unit::Releases | Unit::Tests | Unit::Regressions if v.fract() == 0.0 => {
                format!("{v:.0}")
            }
            Unit::Releases | Unit::Ratio | Unit::Tests | Unit::Regressions => format!("{v:.d$}"),
            Unit::Days => format!("{v:.d$} days"),
            Unit::Hours => format!("{v:.d$} h"),
            Unit::Fraction => format!("{:.d$} %", v * 100.0),
            Unit::Minutes => format!("{v:.d$} min"),
        }
    }
}

/// A signal's id: its definition, declared once, as a constant of this
/// type in its family's file (`SignalId::CI_PASS_RATE` in `ci.rs`). Rust
/// code names signals by this type; the string form ([`SignalId::as_str`],
/// [`FromStr`](std::str::FromStr)) is for the edges: rubric TOML, JSON and
/// `readiness signals`. Two ids are equal when their strings are.
#[derive(Clone, Copy)]
pub struct SignalId(&'static SignalDef);

impl SignalId {
    /// The id of the signal `def` declares.
    #[must_use]
    pub(crate) const fn new(def: &'static SignalDef) -> SignalId {
        SignalId(def)
    }

    /// The id as TOML and JSON write it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        self.0.id
    }

    /// The signal's definition.
    #[must_use]
    pub const fn def(self) -> &'static SignalDef {
        self.0
    }

    /// Every signal, in report order: the families' signals, one family
    /// after the other, in [`FAMILIES`] order.
    #[must_use]
    pub fn all() -> &'static [SignalId] {
        static ALL: std::sync::LazyLock<Vec<SignalId>> = std::sync::LazyLock::new(|| {
            FAMILIES
                .iter()
                .flat_map(|f| f.signals().iter().copied())
                .collect()
        });
        &ALL
    }
}

impl PartialEq for SignalId {
    fn eq(&self, other: &SignalId) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SignalId {}

impl std::hash::Hash for SignalId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl std::fmt::Debug for SignalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SignalId({:?})", self.as_str())
    }
}

impl std::fmt::Display for SignalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// A measurement or a saved report names its signal as a string (JSON is an
// edge); these let it be compared with a typed id directly.
impl PartialEq<SignalId> for String {
    fn eq(&self, id: &SignalId) -> bool {
        self == id.as_str()
    }
}

impl PartialEq<SignalId> for str {
    fn eq(&self, id: &SignalId) -> bool {
        self == id.as_str()
    }
}

/// A string that names no signal this build knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown signal `{0}`")]
pub struct UnknownSignal(pub String);

impl std::str::FromStr for SignalId {
    type Err = UnknownSignal;

    fn from_str(s: &str) -> Result<SignalId, UnknownSignal> {
        SignalId::all()
            .iter()
            .copied()
            .find(|id| id.as_str() == s)
            .ok_or_else(|| UnknownSignal(s.to_string()))
    }
}

/// The definition of one signal.
#[derive(Debug)]
pub struct SignalDef {
    /// The signal's id as TOML and JSON name it: `family.name`, the family's
    /// prefix first.
    pub id: &'static str,
    pub unit: Unit,
    /// A short label for tables.
    pub title: &'static str,
    /// What exactly is measured, in one or two sentences.
    pub definition: &'static str,
    /// The published metric it follows, if any.
    pub anchor: &'static str,
    /// Where the evidence comes from.
    pub source: &'static str,
}

/// Every signal's definition, in report order.
pub static SIGNALS: std::sync::LazyLock<Vec<&'static SignalDef>> =
    std::sync::LazyLock::new(|| SignalId::all().iter().map(|id| id.def()).collect());

/// The definition of the signal `id`.
#[must_use]
pub fn def(id: SignalId) -> &'static SignalDef {
    id.def()
}

/// `1 release`, `2 releases`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A day as `YYYY-MM-DD`.
pub(crate) fn day(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// The definition of the signal `id`, if this build knows it.
#[must_use]
pub fn find(id: &str) -> Option<&'static SignalDef> {
    id.parse::<SignalId>().ok().map(def)
}

/// One measured signal, with what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Measurement {
    /// The signal id (`readiness signals` lists them).
    pub signal: String,
    /// The value, or `null` (`None`) when the evidence cannot give one.
    pub value: Option<f64>,
    /// The signal's unit; shares are fractions (0..=1).
    pub unit: Unit,
    /// How many items (releases, intervals, issues, runs) the value rests on.
    pub n: u64,
    /// The stretch of time the value describes.
    pub window: Window,
    /// The source the evidence came from.
    pub source: String,
    /// One sentence on what the value was computed from.
    pub basis: String,
    /// Why there is no value; `null` (`None`) when there is one.
    pub insufficient: Option<String>,
    /// The items behind the value worth showing (releases, slowest issues...).
    pub examples: Vec<Example>,
}

/// An item behind a measurement, shown in the report's evidence section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Example {
    /// What it is: a tag, a pair of tags, an issue title. Untrusted text.
    pub label: String,
    /// When, as `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The measured quantity for this item, formatted.
    pub value: Option<String>,
    /// A remark, such as "backport".
    pub note: Option<String>,
    /// A link to the item, when it has one.
    pub url: Option<String>,
}

/// What a family read for one signal: a value or the reason there is none,
/// how many items it rests on, how it was computed and the items behind it.
/// [`Measurement::new`] turns it into a measurement.
#[derive(Debug, Clone)]
pub(crate) struct Reading {
    value: Result<f64, String>,
    n: u64,
    basis: String,
    examples: Vec<Example>,
}

impl Reading {
    /// A value when `value` is `Some`, else no value for `reason`; `n` and
    /// `basis` are kept either way, `examples` only with a value.
    pub(crate) fn of(
        value: Option<f64>,
        n: u64,
        basis: String,
        reason: impl FnOnce() -> String,
        examples: Vec<Example>,
    ) -> Reading {
        Reading {
            value: value.ok_or_else(reason),
            n,
            basis,
            examples,
        }
    }

    /// A value resting on `n` items.
    pub(crate) fn value(value: f64, n: u64, basis: String, examples: Vec<Example>) -> Reading {
        Reading::of(Some(value), n, basis, String::new, examples)
    }

    /// No value, nothing read, and the reason why.
    pub(crate) fn none(reason: String) -> Reading {
        Reading {
            value: Err(reason),
            n: 0,
            basis: String::new(),
            examples: Vec::new(),
        }
    }
}

impl Measurement {
    /// The one way to build a measurement: the signal's id and unit come from
    /// its definition, and examples go only with a value.
    pub(crate) fn new(id: SignalId, window: Window, source: &str, reading: Reading) -> Measurement {
        let (value, insufficient, examples) = match reading.value {
            Ok(v) => (Some(v), None, reading.examples),
            Err(reason) => (None, Some(reason), Vec::new()),
        };
        Measurement {
            signal: id.as_str().to_string(),
            value,
            unit: def(id).unit,
            n: reading.n,
            window,
            source: source.to_string(),
            basis: reading.basis,
            insufficient,
            examples,
        }
    }

    /// One insufficient measurement per signal id, all for the same reason
    /// (a family whose evidence was not collected at all).
    #[must_use]
    pub(crate) fn all_insufficient(
        ids: &[SignalId],
        window: Window,
        source: &str,
        reason: &str,
    ) -> Vec<Measurement> {
        ids.iter()
            .map(|id| Measurement::insufficient(*id, window, source, reason.to_string()))
            .collect()
    }

    /// A measurement with no value and the reason why.
    #[must_use]
    pub fn insufficient(id: SignalId, window: Window, source: &str, reason: String) -> Measurement {
        Measurement::new(id, window, source, Reading::none(reason))
    }
}

/// What every family measures from: the evidence, the resolved window, the
/// rubric's parameters of the families and the compiled release rule.
#[derive(Debug)]
pub struct MeasureCtx<'a> {
    /// The evidence measured.
    pub evidence: &'a Evidence,
    /// The stretch of time measured.
    pub window: Window,
    /// Which tags are releases.
    pub rule: &'a CompiledRule,
    /// Whose comments and reviews count as responses (rubric `[actors]`).
    pub actors: &'a Actors,
    /// How benchmark series are judged (rubric `[benchmarks]`).
    pub benchmarks: &'a BenchmarkParams,
}

impl<'a> MeasureCtx<'a> {
    /// The context for measuring `evidence` over `window`.
    #[must_use]
    pub fn new(
        evidence: &'a Evidence,
        window: Window,
        rule: &'a CompiledRule,
        actors: &'a Actors,
        benchmarks: &'a BenchmarkParams,
    ) -> MeasureCtx<'a> {
        MeasureCtx {
            evidence,
            window,
            rule,
            actors,
            benchmarks,
        }
    }
}

/// A family of signals read from one kind of evidence: it declares its
/// signals (their ids and definitions are constants of [`SignalId`] in the
/// family's file), analyses its evidence once, and measures its signals and
/// draws its charts from that one analysis.
pub(crate) trait SignalFamily: Sync {
    /// Its place in reports: families are shown by increasing `ORDER`
    /// (releases 10, responsiveness 20, CI 30, tests 40, benchmarks 50).
    const ORDER: u32;
    /// What its signals and its charts share: release tags sorted, opened
    /// items with their first responses, runs grouped, series fitted.
    type Analysis<'a>;
    /// The signals it measures, in report order.
    fn signals(&self) -> &'static [SignalId];
    /// The provenance sources of `evidence` whose listings it is measured
    /// from: one of them marked incomplete leaves the signals with these id
    /// prefixes not measured ([`unread`]), whatever it read. `(prefix, sources)`.
    fn fed_by(&self, evidence: &Evidence) -> Vec<(&'static str, &'static [&'static str])> {
        let _ = evidence;
        Vec::new()
    }
    /// The id prefixes of its signals whose evidence `evidence` lacks
    /// altogether (not collected): a whole target that could not be read
    /// leaves them not measured.
    fn absent(&self, evidence: &Evidence) -> &'static [&'static str] {
        let _ = evidence;
        &[]
    }
    /// The id prefixes of its signals whose evidence in `evidence` covers
    /// only the window it was collected over (issues opened in it, runs in
    /// it), not the whole history (tags, benchmark series): measured over a
    /// window that starts earlier, they would count a part as the whole.
    fn windowed(&self, evidence: &Evidence) -> &'static [&'static str] {
        let _ = evidence;
        &[]
    }
    /// Its analysis of the evidence in `cx`, made once for its signals and charts.
    fn analyse<'a>(&self, cx: &MeasureCtx<'a>) -> Self::Analysis<'a>;
    /// One measurement per signal of `SignalFamily::signals`, in that order.
    fn measure(&self, cx: &MeasureCtx<'_>, analysis: &Self::Analysis<'_>) -> Vec<Measurement>;
    /// Its charts (none when the evidence has nothing to draw).
    fn trends(&self, cx: &MeasureCtx<'_>, analysis: &Self::Analysis<'_>) -> Vec<Trend>;
}

/// A `SignalFamily` as the registry holds it, whatever its analysis' type.
pub trait Family: Sync {
    /// `SignalFamily::ORDER`.
    fn order(&self) -> u32;
    /// `SignalFamily::signals`.
    fn signals(&self) -> &'static [SignalId];
    /// `SignalFamily::fed_by`.
    fn fed_by(&self, evidence: &Evidence) -> Vec<(&'static str, &'static [&'static str])>;
    /// `SignalFamily::absent`.
    fn absent(&self, evidence: &Evidence) -> &'static [&'static str];
    /// `SignalFamily::windowed`.
    fn windowed(&self, evidence: &Evidence) -> &'static [&'static str];
    /// Its measurements, and its charts when `charts`, from one analysis.
    fn read(&self, cx: &MeasureCtx<'_>, charts: bool) -> (Vec<Measurement>, Vec<Trend>);
}

impl<F: SignalFamily> Family for F {
    fn order(&self) -> u32 {
        F::ORDER
    }

    fn signals(&self) -> &'static [SignalId] {
        SignalFamily::signals(self)
    }

    fn fed_by(&self, evidence: &Evidence) -> Vec<(&'static str, &'static [&'static str])> {
        SignalFamily::fed_by(self, evidence)
    }

    fn absent(&self, evidence: &Evidence) -> &'static [&'static str] {
        SignalFamily::absent(self, evidence)
    }

    fn windowed(&self, evidence: &Evidence) -> &'static [&'static str] {
        SignalFamily::windowed(self, evidence)
    }

    fn read(&self, cx: &MeasureCtx<'_>, charts: bool) -> (Vec<Measurement>, Vec<Trend>) {
        let analysis = self.analyse(cx);
        let trends = if charts {
            self.trends(cx, &analysis)
        } else {
            Vec::new()
        };
        (self.measure(cx, &analysis), trends)
    }
}

/// Every family, in report order (their `SignalFamily::ORDER`): their
/// signals, one after the other, are [`SignalId::all()`]. The families are
/// the files of `src/signals/families/`, found by build.rs.
pub static FAMILIES: std::sync::LazyLock<Vec<&'static dyn Family>> =
    std::sync::LazyLock::new(|| {
        let mut all = FOUND.to_vec();
        all.sort_by_key(|f| f.order());
        all
    });

/// Measures every signal, in [`SIGNALS`] order. A signal whose source failed
/// is not measured, with the reason ([`unread`]).
#[must_use]
pub fn measure(cx: &MeasureCtx<'_>) -> Vec<Measurement> {
    read(cx, false).0
}

/// [`measure()`] and, when `charts`, every chart the evidence supports,
/// family by family, each family's analysis made once for both. A chart of
/// a family whose source failed is left out, like its signals' values: it
/// would draw what little arrived.
#[must_use]
pub fn read(cx: &MeasureCtx<'_>, charts: bool) -> (Vec<Measurement>, Vec<Trend>) {
    let (mut out, mut trends) = (Vec::new(), Vec::new());
    for f in FAMILIES.iter() {
        let (m, t) = f.read(cx, charts);
        out.extend(m);
        trends.extend(t);
    }
    // A signal that no family produced is reported, not silently dropped.
    for id in SignalId::all() {
        if !out.iter().any(|m| m.signal == *id) {
            out.push(Measurement::insufficient(
                *id,
                cx.window,
                "",
                "no source for this signal was collected".into(),
            ));
        }
    }
    out.sort_by_key(|m| SignalId::all().iter().position(|d| m.signal == *d));
    let mut unread = unread(cx.evidence);
    if let Some(mut u) = uncovered(cx.evidence, &cx.window) {
        // A family already not measured keeps its first reason.
        u.families
            .retain(|f| !unread.iter().any(|g| g.families.contains(f)));
        if !u.families.is_empty() {
            unread.push(u);
        }
    }
    for gap in &unread {
        for m in out.iter_mut().filter(|m| gap.covers(&m.signal)) {
            if let Ok(id) = m.signal.parse::<SignalId>() {
                let source = std::mem::take(&mut m.source);
                *m = Measurement::insufficient(id, cx.window, &source, gap.reason.clone());
            }
        }
    }
    trends.retain(|t| !unread.iter().any(|u| u.covers(&t.signal)));
    (out, trends)
}

/// The families of `evidence` that `window` asks for more than it holds:
/// those whose evidence covers only the window it was collected over
/// (`SignalFamily::windowed`), when `window` starts before that one (saved
/// evidence reported with an earlier `--since`). They are not measured:
/// what the evidence holds is a part of the window, not all of it. `None`
/// when the evidence covers the window.
#[must_use]
pub fn uncovered(evidence: &Evidence, window: &Window) -> Option<Unread> {
    if window.since >= evidence.window.since {
        return None;
    }
    let families: Vec<&'static str> = FAMILIES
        .iter()
        .flat_map(|f| f.windowed(evidence).iter().copied())
        .collect();
    (!families.is_empty()).then(|| Unread {
        families,
        reason: format!(
            "{NOT_MEASURED}the evidence holds them from {} only, and the window starts on {}: collect again with that --since",
            day(evidence.window.since),
            day(window.since)
        ),
    })
}

/// The start of every reason given for a signal whose source failed.
pub const NOT_MEASURED: &str = "not measured: ";

/// Sources that stand for a whole target: one of them marked incomplete with
/// nothing read means the target (or its GitHub part) could not be read at
/// all (`evidence`: a saved evidence file `compare` could not read).
const WHOLE: &[&str] = &["github", "git", "evidence"];

/// Signal families not measured because the source that feeds them failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    /// Signal id prefixes (`issues.`, `ci.`...).
    pub families: Vec<&'static str>,
    /// `not measured: ...`, with the source and its own words.
    pub reason: String,
}

impl Unread {
    /// Whether the signal `id` is one of the families.
    #[must_use]
    pub fn covers(&self, id: &str) -> bool {
        self.families.iter().any(|f| id.starts_with(f))
    }
}

/// What a failed source says about itself: its first `incomplete:` note,
/// else its first note, else that it was not read to the end.
/// A request path that opens a note (`/repos/o/r/issues?...: `) is left out:
/// the source's location in the Sources section says where.
fn failure_note(p: &Provenance) -> String {
    let note = p
        .notes
        .iter()
        .find_map(|n| n.strip_prefix("incomplete: "))
        .or_else(|| p.notes.first().map(String::as_str));
    match note {
        Some(n) if n.starts_with('/') => n.split_once(": ").map_or(n, |(_, rest)| rest).into(),
        Some(n) => n.into(),
        None => format!("{} ({}) was not read to the end", p.source, p.location),
    }
}

/// `not measured: the GitHub issues listing was not read in full: <its note>`.
fn listing_reason(p: &Provenance) -> String {
    let source = p
        .source
        .strip_prefix("github ")
        .map_or_else(|| p.source.clone(), |s| format!("GitHub {s}"));
    format!(
        "{NOT_MEASURED}the {source} listing was not read in full: {}",
        failure_note(p)
    )
}

/// The signal families of `evidence` that were asked for but not measured,
/// decided from the provenance alone:
///
/// - a listing a family is fed by (`SignalFamily::fed_by`) marked
///   incomplete (`complete: false`: it failed or stopped early) leaves its
///   signals unmeasured, whatever it read (GitHub releases or tags feed
///   `release.` only when no clone gave the tags: a clone's own are complete);
/// - a `github`, `git` or `evidence` source marked incomplete that read
///   nothing (the repository could not be reached or read at all) leaves
///   unmeasured every family whose evidence is absent
///   (`SignalFamily::absent`: `release.` with neither tags nor releases,
///   `issues.` and `prs.` without items, `ci.` without runs).
#[must_use]
pub fn unread(evidence: &Evidence) -> Vec<Unread> {
    let mut out: Vec<Unread> = Vec::new();
    let mut add =
        |family: &'static str, reason: String| match out.iter_mut().find(|u| u.reason == reason) {
            Some(u) if !u.families.contains(&family) => u.families.push(family),
            Some(_) => {}
            None => out.push(Unread {
                families: vec![family],
                reason,
            }),
        };
    let failed = |p: &&Provenance| !p.complete;
    for p in evidence.sources.iter().filter(failed) {
        for (family, sources) in FAMILIES.iter().flat_map(|f| f.fed_by(evidence)) {
            if sources.contains(&p.source.as_str()) {
                add(family, listing_reason(p));
            }
        }
    }
    // Then the whole-source failures, for what no listing explains.
    for p in evidence.sources.iter().filter(failed) {
        if WHOLE.contains(&p.source.as_str()) && p.items == 0 {
            for family in FAMILIES
                .iter()
                .flat_map(|f| f.absent(evidence).iter().copied())
            {
                add(family, format!("{NOT_MEASURED}{}", failure_note(p)));
            }
        }
    }
    // A family is named once, under the first reason found for it.
    let mut seen: Vec<&'static str> = Vec::new();
    for u in &mut out {
        u.families.retain(|f| !seen.contains(f));
        seen.extend(u.families.iter().copied());
    }
    out.retain(|u| !u.families.is_empty());
    out
}

/// The signal table as markdown, as the README and `readiness signals` show it.
#[must_use]
pub fn markdown_table() -> String {
    let mut s =
        String::from("| id | unit | definition | source | anchor |\n|---|---|---|---|---|\n");
    for d in SIGNALS.iter() {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            d.id,
            d.unit.as_str(),
            d.definition,
            d.source,
            d.anchor
        ));
    }
    s
}

#[cfg(test)]
#[expect(clippy::float_cmp, reason = "expected values are exact")]
mod tests {
    use super::*;

    /// Evidence with every family present and empty, over one day from the epoch.
    fn empty_evidence() -> Evidence {
        use chrono::{TimeZone, Utc};
        let window = Window {
            since: Utc.timestamp_opt(0, 0).unwrap(),
            until: Utc.timestamp_opt(86_400, 0).unwrap(),
        };
        let target = crate::evidence::TargetInfo {
            name: "t".into(),
            kind: "git".into(),
            location: "t".into(),
            remote: None,
        };
        let rule = crate::evidence::ReleaseRule::default();
        let mut ev = Evidence::new(String::new(), target, window.until, window, rule);
        ev.tags = Some(Vec::new());
        ev.releases = Some(Vec::new());
        ev.items = Some(Vec::new());
        ev.runs = Some(Vec::new());
        ev.tests = Some(crate::evidence::TestEvidence::default());
        ev.bench_results = Some(crate::evidence::BenchEvidence::default());
        ev
    }

    /// Measuring empty evidence gives each declared signal exactly once, in
    /// report order.
    #[test]
    fn families_produce_exactly_the_declared_signals() {
        use chrono::{TimeZone, Utc};
        let window = Window {
            since: Utc.timestamp_opt(0, 0).unwrap(),
            until: Utc.timestamp_opt(86_400, 0).unwrap(),
        };
        let mut ev = empty_evidence();
        ev.window = window;
        let ids: Vec<String> = measured(&ev).into_iter().map(|m| m.signal).collect();
        let declared: Vec<&str> = SIGNALS.iter().map(|d| d.id).collect();
        assert_eq!(ids, declared);
    }

    /// The families, one after the other, declare every signal once and in
    /// report order, and each measures exactly the signals it declares.
    #[test]
    fn the_registry_lists_every_signal_in_report_order() {
        let declared: Vec<SignalId> = FAMILIES
            .iter()
            .flat_map(|f| f.signals().iter().copied())
            .collect();
        assert_eq!(declared, SignalId::all());
        let table: Vec<&str> = SIGNALS.iter().map(|d| d.id).collect();
        let ids: Vec<&str> = SignalId::all().iter().map(|id| id.as_str()).collect();
        assert_eq!(table, ids);
        // Every file of families/ is a family, each in its own place.
        let orders: Vec<u32> = FAMILIES.iter().map(|f| f.order()).collect();
        assert!(
            orders.windows(2).all(|w| w[0] < w[1]),
            "two families share an ORDER: {orders:?}"
        );
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/signals/families"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "rs")
            })
            .count();
        assert_eq!(FAMILIES.len(), files);
        // No id is declared twice (two families, or twice in one).
        let unique: std::collections::HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        // A family's ids share its prefixes: no family's prefix is another's.
        for (i, f) in FAMILIES.iter().enumerate() {
            for other in &FAMILIES[i + 1..] {
                for id in f.signals() {
                    let prefix = id.as_str().split('.').next().unwrap();
                    assert!(
                        other
                            .signals()
                            .iter()
                            .all(|o| !o.as_str().starts_with(&format!("{prefix}."))),
                        "{id} and a signal of another family share the prefix {prefix}"
                    );
                }
            }
        }
        let ev = empty_evidence();
        let rule = CompiledRule::new(&ev.release_rule).unwrap();
        let (actors, benchmarks) = (Actors::default(), BenchmarkParams::default());
        let cx = MeasureCtx::new(&ev, ev.window, &rule, &actors, &benchmarks);
        for f in FAMILIES.iter() {
            let ids: Vec<String> = f.read(&cx, false).0.into_iter().map(|m| m.signal).collect();
            let own: Vec<&str> = f.signals().iter().map(|id| id.as_str()).collect();
            assert_eq!(ids, own);
        }
    }

    /// A signal id reads back from its string; an unknown string is an error, not a fallback.
    #[test]
    fn ids_parse_from_their_strings_and_nothing_else() {
        for id in SignalId::all() {
            assert_eq!(id.as_str().parse::<SignalId>(), Ok(*id));
            assert_eq!(def(*id).id, id.as_str());
        }
        assert_eq!(
            "release.count".parse::<SignalId>(),
            Err(UnknownSignal("release.count".into()))
        );
    }

    fn prov(source: &str, items: u64, complete: bool, note: &str) -> Provenance {
        Provenance {
            source: source.into(),
            location: "acme/widget".into(),
            items,
            item: "items".into(),
            requests: 1,
            complete,
            notes: vec![note.into()],
            fetched_at: None,
        }
    }

    fn measured(ev: &Evidence) -> Vec<Measurement> {
        let actors = Actors {
            responders: responsiveness::Responders::Maintainers,
            bots: Vec::new(),
        };
        let rule = CompiledRule::new(&ev.release_rule).unwrap();
        let benchmarks = BenchmarkParams::default();
        measure(&MeasureCtx::new(ev, ev.window, &rule, &actors, &benchmarks))
    }

    fn reason<'a>(ms: &'a [Measurement], id: &str) -> &'a str {
        ms.iter()
            .find(|m| m.signal == id)
            .and_then(|m| m.insufficient.as_deref())
            .unwrap_or("")
    }

    /// Issue 11: an empty listing that failed says "not measured" with the
    /// source's own reason, never "no issue was opened in the window"; the
    /// same empty listing read in full still says none was opened.
    #[test]
    fn a_failed_listing_is_not_measured_not_empty() {
        let mut ev = empty_evidence();
        ev.sources = vec![
            prov(
                "github issues and pull requests",
                0,
                false,
                "incomplete: /repos/acme/widget/issues: cannot connect to https://api.github.com (no network?)",
            ),
            prov("github actions runs", 0, true, "default branch main"),
        ];
        let ms = measured(&ev);
        for id in ["issues.first_response_p50_hours", "prs.merge_p50_days"] {
            assert_eq!(
                reason(&ms, id),
                "not measured: the GitHub issues and pull requests listing was not read in full: cannot connect to https://api.github.com (no network?)"
            );
        }
        assert!(!reason(&ms, "ci.pass_rate").starts_with(NOT_MEASURED));
        ev.sources[0].complete = true;
        let ms = measured(&ev);
        assert_eq!(
            reason(&ms, "issues.first_response_p50_hours"),
            "no issue was opened in the window"
        );
    }

    /// A GitHub part that could not be read at all leaves the families it
    /// would have given (and has no evidence of) not measured; a clone's tags
    /// keep the release signals measured.
    #[test]
    fn a_github_part_that_failed_whole_leaves_its_families_unmeasured() {
        let mut ev = empty_evidence();
        ev.items = None;
        ev.runs = None;
        ev.releases = None;
        ev.sources = vec![
            prov("git", 0, true, "tags"),
            prov(
                "github",
                0,
                false,
                "the GitHub repository acme/widget (--github) could not be read: not found",
            ),
        ];
        let gaps = unread(&ev);
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert_eq!(gaps[0].families, ["issues.", "prs.", "ci."]);
        assert_eq!(
            gaps[0].reason,
            "not measured: the GitHub repository acme/widget (--github) could not be read: not found"
        );
        let ms = measured(&ev);
        assert!(!reason(&ms, "release.count_365d").starts_with(NOT_MEASURED));
    }

    /// A window that starts before the collection's: the families held for
    /// the collection's window only are not measured; whole-history ones are.
    #[test]
    fn a_window_before_the_collection_leaves_windowed_families_unmeasured() {
        let mut ev = empty_evidence();
        let earlier = Window {
            since: ev.window.since - chrono::Duration::days(30),
            until: ev.window.until,
        };
        assert_eq!(uncovered(&ev, &ev.window), None);
        let u = uncovered(&ev, &earlier).unwrap();
        assert_eq!(u.families, ["issues.", "prs.", "ci."]);
        assert!(u.reason.starts_with("not measured: the evidence holds them from 1970-01-01 only, and the window starts on 1969-12-02"), "{}", u.reason);
        // Test reports from GitHub are the collected runs'; JUnit files are all there is.
        ev.sources = vec![prov("github artifacts", 3, true, "")];
        assert_eq!(
            uncovered(&ev, &earlier).unwrap().families,
            ["issues.", "prs.", "ci.", "tests."]
        );
        // Nothing held for the window only: nothing to leave out.
        (ev.items, ev.runs, ev.sources) = (None, None, Vec::new());
        assert_eq!(uncovered(&ev, &earlier), None);
        let rule = CompiledRule::new(&ev.release_rule).unwrap();
        let (actors, benchmarks) = (Actors::default(), BenchmarkParams::default());
        let ms = measure(&MeasureCtx::new(&ev, earlier, &rule, &actors, &benchmarks));
        assert!(!reason(&ms, "release.count_365d").starts_with(NOT_MEASURED));
    }

    /// An `OWNER/REPO` target that could not be read at all: every family
    /// with no evidence is not measured, named in report order.
    #[test]
    fn a_github_target_that_failed_whole_names_its_families_in_report_order() {
        let mut ev = empty_evidence();
        (ev.items, ev.runs, ev.releases, ev.tags) = (None, None, None, None);
        ev.sources = vec![prov("github", 0, false, "could not be reached")];
        let gaps = unread(&ev);
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert_eq!(gaps[0].families, ["release.", "issues.", "prs.", "ci."]);
        let ms = measured(&ev);
        assert_eq!(
            reason(&ms, "release.count_365d"),
            "not measured: could not be reached"
        );
    }

    #[test]
    fn ids_are_unique_and_documented() {
        for (i, d) in SIGNALS.iter().enumerate() {
            assert!(
                SIGNALS[i + 1..].iter().all(|o| o.id != d.id),
                "duplicate {}",
                d.id
            );
            assert!(
                !d.definition.is_empty() && !d.title.is_empty(),
                "{} lacks text",
                d.id
            );
        }
        assert_eq!(
            find("release.count_365d").map(|d| d.unit),
            Some(Unit::Releases)
        );
        assert!(find("nope").is_none());
    }

    #[test]
    fn units_format_for_people() {
        assert_eq!(Unit::Releases.format(14.0), "14");
        assert_eq!(Unit::Days.format(32.54), "32.5 days");
        assert_eq!(Unit::Ratio.format(0.456), "0.46");
        assert_eq!(Unit::Days.round(26.6737), Unit::Days.round(26.6738));
        assert_eq!(Unit::Ratio.round(0.456), 0.46);
        assert_eq!(Unit::Hours.format(18.24), "18.2 h");
        assert_eq!(Unit::Hours.round(18.25), 18.3);
        assert_eq!(Unit::Fraction.format(0.875), "87.5 %");
        assert_eq!(Unit::Fraction.format(1.0), "100.0 %");
        assert_eq!(Unit::Fraction.round(0.87549), 0.875);
        assert_eq!(Unit::Fraction.round(0.87551), 0.876);
        assert_eq!(Unit::Fraction.as_str(), "fraction");
        assert_eq!(Unit::Hours.as_str(), "hours");
    }
}
