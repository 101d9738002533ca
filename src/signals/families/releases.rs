//! Release cadence: which tags are releases, which of them are the
//! project's own line, and the four `release.*` signals.
//!
//! A release is a tag whose name is a prefix (any text before the first
//! digit: none, `v`, `py-`) then a final version; pre-releases are excluded.
//! The automatic rules then keep the project's own releases:
//! - tags whose history shares no root commit with the default branch's
//!   (another project's tags fetched into the clone) are left out;
//! - releases are grouped into families (prefix and scheme: semantic or
//!   calendar versions); the project's line starts from the largest family
//!   (a `py-` family when there is one, else the largest unprefixed or
//!   `v`-prefixed one), and takes in each other family of its prefix (or of
//!   a plain prefix, when its own is plain: none, `v`) that succeeds or
//!   precedes it (see [`succeeds`]), and any family that only repeats its
//!   versions; the rest are beside the line (dask-expr's `v*` inside dask,
//!   polars' `rs-`) and are left out, with the tags of the line that repeat
//!   their versions on the same commits.
//!
//! Two tags naming the same version (`v1.0` and `1.0.0`) count once, at the
//! earlier date. A release lower than one already published is a backport:
//! it counts in `release.count_365d`, but the interval signals use only the
//! main line. `--tag-prefix` and `--tag-pattern REGEX` replace the rule and
//! the automatic rules: every tag with the prefix, or matching the pattern,
//! is a release; the version used to tell backports apart is the regex's
//! `version` group, else its first group, else the tag name.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use regex::Regex;

use super::{Example, Measurement, Reading, SignalDef, SignalId, Unit, day, plural};
use crate::error::Error;
use crate::evidence::{Evidence, ReleaseRule, Tag, TagKind, sources};
use crate::stats;
use crate::version::Version;
use crate::window::{Window, days_between};

/// How many main-line gaps `release.staleness_ratio` averages into "the usual gap".
const STALENESS_GAPS: usize = 10;
/// How many longest gaps are listed as examples.
const GAP_EXAMPLES: usize = 5;
/// A family succeeds another when the older one makes at most one release
/// after the newer one's first, or at most this share of the newer one's count.
const STRAGGLER_SHARE: f64 = 0.1;
/// A clone whose newest tag or commit is more days than this before the end
/// of the window may be stale.
const STALE_DAYS: f64 = 180.0;

/// Which line of development a release belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// Higher than every earlier release.
    Main,
    /// Lower than a release published before it (a fix on an older branch).
    Backport,
}

/// A tag recognised as a release.
#[derive(Debug, Clone)]
pub struct Release {
    pub tag: String,
    pub version: Option<Version>,
    pub date: DateTime<Utc>,
    pub line: Line,
}

/// A naming scheme of release tags: the text before the version, and
/// whether the version is a calendar one (its first number is a year).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Family {
    pub prefix: String,
    pub calendar: bool,
}

impl Family {
    /// How a report names it: `"rs-" versions`, `unprefixed calendar versions`.
    #[must_use]
    pub fn describe(&self) -> String {
        let scheme = if self.calendar {
            "calendar versions"
        } else {
            "versions"
        };
        if self.prefix.is_empty() {
            format!("unprefixed {scheme}")
        } else {
            format!("\"{}\" {scheme}", self.prefix)
        }
    }
}

/// Releases of a family left out as beside the project's line.
#[derive(Debug, Clone)]
pub struct LeftOut {
    pub family: Family,
    /// Its tags up to the end of the window, oldest first.
    pub tags: Vec<(DateTime<Utc>, String)>,
}

/// The tags of a repository, sorted into releases and the rest.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Releases dated up to the end of the window, oldest first.
    pub releases: Vec<Release>,
    /// Tags dated up to the end of the window.
    pub tags_read: usize,
    pub prereleases: usize,
    pub other_tags: usize,
    /// Tags that repeat a version already tagged: `(tag, earlier tag)`.
    pub duplicates: Vec<(String, String)>,
    /// Tags dated after the end of the window, left out.
    pub after_window: usize,
    /// Tags whose history shares no root with the default branch's, left out.
    pub unrelated: Vec<String>,
    /// Families beside the project's line, left out.
    pub parallel: Vec<LeftOut>,
    /// Every family of release tags, so hints can tell a prefix is shared.
    pub families: Vec<Family>,
}

enum Class {
    Release(Family, Option<Version>),
    PreRelease,
    Other,
}

/// A release rule with its pattern compiled: compiled once, before any tag
/// is read, so that measuring cannot fail.
#[derive(Debug, Clone, Default)]
pub struct CompiledRule {
    rule: ReleaseRule,
    pattern: Option<Regex>,
}

impl CompiledRule {
    /// Compiles `rule`'s pattern, if any.
    ///
    /// # Errors
    /// A pattern that is not a valid regular expression.
    pub fn new(rule: &ReleaseRule) -> Result<CompiledRule, Error> {
        Ok(CompiledRule {
            rule: rule.clone(),
            pattern: rule.compile()?,
        })
    }

    /// The rule as written.
    #[must_use]
    pub fn rule(&self) -> &ReleaseRule {
        &self.rule
    }
}

fn strip_v(s: &str) -> &str {
    s.strip_prefix(['v', 'V']).unwrap_or(s)
}

fn classify(name: &str, rule: &ReleaseRule, pattern: Option<&Regex>) -> Class {
    if let Some(re) = pattern {
        let Some(caps) = re.captures(name) else {
            return Class::Other;
        };
        let text = caps
            .name("version")
            .or_else(|| caps.get(1))
            .map_or(name, |m| m.as_str());
        return Class::Release(Family::default(), Version::parse(strip_v(text)));
    }
    let (prefix, body) = match &rule.tag_prefix {
        Some(prefix) => match name.strip_prefix(prefix.as_str()) {
            Some(b) => (prefix.as_str(), strip_v(b)),
            None => return Class::Other,
        },
        None => name.split_at(
            name.find(|c: char| c.is_ascii_digit())
                .unwrap_or(name.len()),
        ),
    };
    match Version::parse(body) {
        Some(v) if v.is_prerelease() => Class::PreRelease,
        Some(v) => {
            let family = Family {
                prefix: prefix.to_string(),
                calendar: v.release.first().is_some_and(|y| *y >= 1000),
            };
            Class::Release(family, Some(v))
        }
        None => Class::Other,
    }
}

/// A key under which equal versions collide (`1.0` and `1.0.0`).
fn version_key(v: &Version) -> (u64, Vec<u64>, u64) {
    let mut release = v.release.clone();
    while release.len() > 1 && release.last() == Some(&0) {
        release.pop();
    }
    (v.epoch, release, v.post.unwrap_or(0))
}

/// A tag read as a release, before the line rules.
struct Candidate<'a> {
    date: DateTime<Utc>,
    tag: &'a Tag,
    family: Family,
    version: Option<Version>,
}

/// Sorts `tags` into releases as of `until`.
#[must_use]
pub fn analyse(tags: &[Tag], compiled: &CompiledRule, until: DateTime<Utc>) -> Analysis {
    let (rule, pattern) = (&compiled.rule, compiled.pattern.as_ref());
    let automatic = rule.tag_prefix.is_none() && pattern.is_none();
    let mut a = Analysis::default();
    // As of `until`: later tags do not exist yet.
    let dated: Vec<(DateTime<Utc>, &Tag)> = tags
        .iter()
        .map(|t| (t.date.with_timezone(&Utc), t))
        .filter(|(d, _)| *d <= until)
        .collect();
    a.after_window = tags.len() - dated.len();
    a.tags_read = dated.len();
    // When no version tag shares the default branch's history, the branch is
    // not the project's (an orphan gh-pages checkout): the rule is not applied.
    let check_roots = automatic
        && dated.iter().any(|(_, t)| {
            t.shares_history == Some(true) && !matches!(classify(&t.name, rule, None), Class::Other)
        });
    let mut candidates: Vec<Candidate<'_>> = Vec::new();
    for (date, tag) in dated {
        if check_roots && tag.shares_history == Some(false) {
            a.unrelated.push(tag.name.clone());
            continue;
        }
        match classify(&tag.name, rule, pattern) {
            Class::Release(family, version) => candidates.push(Candidate {
                date,
                tag,
                family,
                version,
            }),
            Class::PreRelease => a.prereleases += 1,
            Class::Other => a.other_tags += 1,
        }
    }
    // Oldest first; at the same instant the lower version first, so a batch
    // of tags made together is not mistaken for backports.
    candidates.sort_by(|x, y| {
        x.date
            .cmp(&y.date)
            .then_with(|| match (&x.version, &y.version) {
                (Some(a), Some(b)) => a.release_cmp(b),
                _ => std::cmp::Ordering::Equal,
            })
            .then_with(|| x.tag.name.cmp(&y.tag.name))
    });
    if automatic {
        candidates = project_line(candidates, &mut a);
    }
    assign_lines(candidates, &mut a);
    a
}

/// Counts each version once and tells the main line from backports.
fn assign_lines(candidates: Vec<Candidate<'_>>, a: &mut Analysis) {
    let mut first_tag_of: HashMap<(u64, Vec<u64>, u64), String> = HashMap::new();
    let mut highest: Option<Version> = None;
    for Candidate {
        date, tag, version, ..
    } in candidates
    {
        if let Some(v) = &version {
            match first_tag_of.entry(version_key(v)) {
                Entry::Occupied(earlier) => {
                    a.duplicates.push((tag.name.clone(), earlier.get().clone()));
                    continue;
                }
                Entry::Vacant(slot) => {
                    slot.insert(tag.name.clone());
                }
            }
        }
        let line = match (&version, &highest) {
            (Some(v), Some(h)) if v.release_cmp(h).is_le() => Line::Backport,
            _ => Line::Main,
        };
        if line == Line::Main && version.is_some() {
            highest.clone_from(&version);
        }
        a.releases.push(Release {
            tag: tag.name.clone(),
            version,
            date,
            line,
        });
    }
}

/// The family the project's line starts from: a `py-` family when there is
/// one, else the largest unprefixed or `v` one, else the largest; ties go
/// to the one released first.
fn anchor(groups: &BTreeMap<Family, Vec<usize>>) -> Option<&Family> {
    let largest = |keep: &dyn Fn(&Family) -> bool| {
        groups
            .iter()
            .filter(|(f, _)| keep(f))
            .max_by(|x, y| {
                x.1.len()
                    .cmp(&y.1.len())
                    .then_with(|| y.1.first().cmp(&x.1.first()))
            })
            .map(|(f, _)| f)
    };
    largest(&|f| f.prefix == "py-")
        .or_else(|| largest(&|f| matches!(f.prefix.as_str(), "" | "v" | "V")))
        .or_else(|| largest(&|_| true))
}

/// Whether `other` succeeds or precedes `line` rather than running beside
/// it: of the two, the one released first makes at most one release after
/// the other's first, or at most a tenth as many as the other has (late
/// fixes of an old scheme). Both are sorted indices into the candidates,
/// which are in date order.
fn succeeds(line: &[usize], other: &[usize]) -> bool {
    let (Some(&l0), Some(&o0)) = (line.first(), other.first()) else {
        return true;
    };
    let (older, newer, newer_start) = if l0 <= o0 {
        (line, other, o0)
    } else {
        (other, line, l0)
    };
    let goes_on = older.iter().filter(|&&i| i > newer_start).count();
    goes_on <= 1 || (goes_on as f64) <= STRAGGLER_SHARE * newer.len() as f64
}

/// Whether `family` may join the line of `anchor` by succession: it has the
/// same prefix, or both have a plain one (none, `v`, `V`). Other prefixes
/// name other packages (polars' `rs-` beside `py-`, `pkg-` in a monorepo).
fn may_succeed(anchor: &Family, family: &Family) -> bool {
    let plain = |f: &Family| matches!(f.prefix.as_str(), "" | "v" | "V");
    family.prefix == anchor.prefix || (plain(anchor) && plain(family))
}

/// Keeps the candidates of the project's line and records the families
/// released in parallel with it (see the module's rules).
fn project_line<'a>(candidates: Vec<Candidate<'a>>, a: &mut Analysis) -> Vec<Candidate<'a>> {
    let mut groups: BTreeMap<Family, Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        groups.entry(c.family.clone()).or_default().push(i);
    }
    a.families = groups.keys().cloned().collect();
    let Some(anchor) = anchor(&groups).cloned() else {
        return candidates;
    };
    let key_of = |i: &usize| candidates[*i].version.as_ref().map(version_key);
    let mut line: Vec<usize> = groups.get(&anchor).cloned().unwrap_or_default();
    let mut others: Vec<(&Family, &Vec<usize>)> =
        groups.iter().filter(|(f, _)| **f != anchor).collect();
    others.sort_by(|x, y| {
        y.1.len()
            .cmp(&x.1.len())
            .then_with(|| x.1.first().cmp(&y.1.first()))
    });
    let mut parallel: Vec<(Family, Vec<usize>)> = Vec::new();
    for (family, members) in others {
        let in_line = may_succeed(&anchor, family) && succeeds(&line, members);
        let line_keys: std::collections::HashSet<_> = line.iter().filter_map(key_of).collect();
        let repeats = members
            .iter()
            .all(|i| key_of(i).is_some_and(|k| line_keys.contains(&k)));
        if in_line || repeats {
            line.extend(members);
            line.sort_unstable();
        } else {
            parallel.push((family.clone(), members.clone()));
        }
    }
    // Tags of the line that repeat a parallel release's version on the same
    // commit (or the same day, when commits are unknown) go out with it.
    let mut out_of_line = vec![false; candidates.len()];
    for (_, members) in &mut parallel {
        let aliases: Vec<usize> = line
            .iter()
            .copied()
            .filter(|&j| {
                members.iter().any(|&i| {
                    let (x, y) = (&candidates[i], &candidates[j]);
                    key_of(&i).is_some()
                        && key_of(&i) == key_of(&j)
                        && match (&x.tag.commit, &y.tag.commit) {
                            (Some(cx), Some(cy)) => cx == cy,
                            _ => (x.date - y.date).num_seconds().abs() <= 86_400,
                        }
                })
            })
            .collect();
        for j in aliases {
            out_of_line[j] = true;
            members.push(j);
        }
        members.sort_unstable();
        for &i in members.iter() {
            out_of_line[i] = true;
        }
    }
    a.parallel = parallel
        .into_iter()
        .map(|(family, members)| LeftOut {
            family,
            tags: members
                .iter()
                .map(|&i| (candidates[i].date, candidates[i].tag.name.clone()))
                .collect(),
        })
        .collect();
    candidates
        .into_iter()
        .zip(out_of_line)
        .filter_map(|(c, out)| (!out).then_some(c))
        .collect()
}

/// Consecutive main-line pairs `(earlier, later, gap in days)`, oldest first.
fn main_line_gaps(releases: &[Release]) -> Vec<(&Release, &Release, f64)> {
    let main: Vec<&Release> = releases.iter().filter(|r| r.line == Line::Main).collect();
    main.windows(2)
        .map(|w| (w[0], w[1], days_between(w[0].date, w[1].date)))
        .collect()
}

/// What the release signals are measured from.
struct Source<'a> {
    tags: Option<&'a [Tag]>,
    /// `git tags`, `GitHub releases`, `GitHub tags`.
    name: &'a str,
    /// The clone's default branch's newest commit, for the stale-clone note
    /// (`None` when the tags did not come from a clone).
    tip: Option<DateTime<Utc>>,
}

/// Measures the `release.*` signals from the tags (`None`: no tag source was read).
#[must_use]
pub fn measure(tags: Option<&[Tag]>, rule: &CompiledRule, window: &Window) -> Vec<Measurement> {
    let source = Source {
        tags,
        name: "git tags",
        tip: None,
    };
    let analysis = tags.map(|t| analyse(t, rule, window.until));
    measure_from(&source, analysis.as_ref(), rule, window)
}

/// The release analysis of `ev` as of the end of `window`, shared by the
/// `release.*` signals and the releases chart; `None` when no tags were collected.
#[must_use]
pub fn analyse_evidence(ev: &Evidence, rule: &CompiledRule, window: &Window) -> Option<Analysis> {
    release_tags(ev).map(|tags| analyse(&tags, rule, window.until))
}

/// Measures the `release.*` signals from whatever the evidence has: GitHub
/// releases when the project publishes any (drafts and releases GitHub flags
/// as pre-releases left out, then the same version rules as tags), else tags.
/// `analysis` is [`analyse_evidence`] of the same evidence, rule and window.
#[must_use]
pub fn measure_evidence(
    ev: &Evidence,
    analysis: Option<&Analysis>,
    rule: &CompiledRule,
    window: &Window,
) -> Vec<Measurement> {
    let name = match ev.releases.as_deref() {
        Some(list) if !list.is_empty() => "GitHub releases",
        _ if ev.target.kind == "github" => "GitHub tags",
        _ => "git tags",
    };
    let tags = release_tags(ev);
    let source = Source {
        tags: tags.as_deref(),
        name,
        tip: ev
            .default_branch
            .as_ref()
            .filter(|_| name == "git tags")
            .map(|b| b.date.with_timezone(&Utc)),
    };
    measure_from(&source, analysis, rule, window)
}

/// The tags the release signals read: GitHub releases (drafts and flagged
/// pre-releases left out) when the project publishes any, else its tags.
/// A release whose tag is in the clone takes the tag's commit and history check.
fn release_tags(ev: &Evidence) -> Option<std::borrow::Cow<'_, [Tag]>> {
    match ev.releases.as_deref() {
        Some(list) if !list.is_empty() => {
            let by_name: HashMap<&str, &Tag> = ev
                .tags
                .iter()
                .flatten()
                .map(|t| (t.name.as_str(), t))
                .collect();
            Some(std::borrow::Cow::Owned(
                list.iter()
                    .filter(|r| !r.draft && !r.prerelease)
                    .filter_map(|r| {
                        let cloned = by_name.get(r.tag.as_str());
                        Some(Tag {
                            name: r.tag.clone(),
                            date: r.published_at?,
                            kind: TagKind::Annotated,
                            commit: cloned.and_then(|t| t.commit.clone()),
                            shares_history: cloned.and_then(|t| t.shares_history),
                        })
                    })
                    .collect(),
            ))
        }
        _ => ev.tags.as_deref().map(std::borrow::Cow::Borrowed),
    }
}

/// The dates of the releases `release.count_365d` counts (main line and
/// backports, pre-releases out) in `analysis`, oldest first.
pub(crate) fn release_dates(analysis: &Analysis) -> Vec<DateTime<Utc>> {
    analysis.releases.iter().map(|r| r.date).collect()
}

/// The signals of this family, each declared once: its id and definition.
impl SignalId {
    /// `release.count_365d`
    pub const RELEASE_COUNT_365D: SignalId = SignalId::new(&SignalDef {
        id: "release.count_365d",
        unit: Unit::Releases,
        title: "Releases in the last 365 days",
        definition: "Releases (tags that parse as a final version; pre-releases excluded; backports included) dated in the 365 days up to the end of the window.",
        anchor: "criticality_score recent_release_count",
        source: "git tags",
    });
    /// `release.median_interval_days`
    pub const RELEASE_MEDIAN_INTERVAL_DAYS: SignalId = SignalId::new(&SignalDef {
        id: "release.median_interval_days",
        unit: Unit::Days,
        title: "Median days between releases",
        definition: "Median gap between consecutive main-line releases (each higher than every earlier one), over the gaps that end in the window.",
        anchor: "CHAOSS Release Frequency",
        source: "git tags",
    });
    /// `release.interval_regularity`
    pub const RELEASE_INTERVAL_REGULARITY: SignalId = SignalId::new(&SignalDef {
        id: "release.interval_regularity",
        unit: Unit::Ratio,
        title: "Irregularity of release gaps",
        definition: "Interquartile range of those main-line gaps divided by their median; lower is more regular.",
        anchor: "",
        source: "git tags",
    });
    /// `release.staleness_ratio`
    pub const RELEASE_STALENESS_RATIO: SignalId = SignalId::new(&SignalDef {
        id: "release.staleness_ratio",
        unit: Unit::Ratio,
        title: "Days since last release / usual gap",
        definition: "Days from the last release (any line) to the end of the window, divided by the mean of the last ten main-line gaps before it (the days they span over their count, so that a burst of patch releases does not shrink it); above 1 the next release is overdue.",
        anchor: "",
        source: "git tags",
    });
}

const IDS: [SignalId; 4] = [
    SignalId::RELEASE_COUNT_365D,
    SignalId::RELEASE_MEDIAN_INTERVAL_DAYS,
    SignalId::RELEASE_INTERVAL_REGULARITY,
    SignalId::RELEASE_STALENESS_RATIO,
];

fn measure_from(
    source: &Source<'_>,
    analysis: Option<&Analysis>,
    rule: &CompiledRule,
    window: &Window,
) -> Vec<Measurement> {
    let none_for_all =
        |reason: String| Measurement::all_insufficient(&IDS, *window, source.name, &reason);
    let (Some(tags), Some(a)) = (source.tags, analysis) else {
        return none_for_all("no tags were collected for this target".into());
    };
    let stale = stale_note(tags, source.tip, window.until);
    if a.tags_read == 0 {
        let reason = if tags.is_empty() {
            "the repository has no tags".to_string()
        } else {
            format!(
                "the repository has no tags dated up to {}",
                day(window.until)
            )
        };
        return none_for_all(with_note(reason, stale.as_deref()));
    }
    if a.releases.is_empty() {
        let how = if rule.rule().tag_pattern.is_some() {
            "match --tag-pattern"
        } else {
            "parse as a final release version of the project's line"
        };
        let reason = format!(
            "none of the {} tags dated up to {} {how} ({} pre-releases, {} others{}): see --tag-prefix and --tag-pattern",
            a.tags_read,
            day(window.until),
            a.prereleases,
            a.other_tags,
            left_out(a)
        );
        return none_for_all(with_note(reason, stale.as_deref()));
    }
    let mut out = Vec::with_capacity(IDS.len());
    out.push(count_measurement(a, source.name, window, stale.as_deref()));
    out.extend(interval_measurements(a, source.name, window));
    out.push(staleness_measurement(
        a,
        source.name,
        window,
        stale.as_deref(),
    ));
    out
}

fn with_note(text: String, note: Option<&str>) -> String {
    match note {
        Some(n) => format!("{text}; {n}"),
        None => text,
    }
}

/// Says a clone may be stale when its newest tag and its default branch's
/// newest commit are both long before the end of the window.
fn stale_note(tags: &[Tag], tip: Option<DateTime<Utc>>, until: DateTime<Utc>) -> Option<String> {
    let newest = tags
        .iter()
        .map(|t| t.date.with_timezone(&Utc))
        .chain(std::iter::once(tip?))
        .max()?;
    let behind = days_between(newest, until);
    (behind > STALE_DAYS).then(|| {
        format!(
            "this clone's newest tag or commit is from {}, {} days before the end of the window: \
             the clone may be stale (git fetch --tags brings it up to date)",
            day(newest),
            behind.floor()
        )
    })
}

/// What the automatic rules left out, as a clause starting with "; ".
fn left_out(a: &Analysis) -> String {
    let mut parts = Vec::new();
    if let (Some(first), Some(last)) = (a.unrelated.first(), a.unrelated.last()) {
        parts.push(format!(
            "{} whose history shares no root with the default branch's ({first} … {last})",
            plural(a.unrelated.len(), "tag"),
        ));
    }
    for p in &a.parallel {
        let (Some(first), Some(last)) = (p.tags.first(), p.tags.last()) else {
            continue;
        };
        parts.push(format!(
            "{} of {} ({} … {}), a family beside the project's line (count them instead with {})",
            plural(p.tags.len(), "release"),
            p.family.describe(),
            first.1,
            last.1,
            family_flag(&p.family, &a.families)
        ));
    }
    if parts.is_empty() {
        return String::new();
    }
    format!(
        "; left out as not the project's own releases: {}; --tag-prefix or --tag-pattern counts exactly the tags named, without these rules",
        parts.join("; ")
    )
}

/// The flag that counts exactly the releases of `family`.
fn family_flag(family: &Family, families: &[Family]) -> String {
    let shared = families
        .iter()
        .filter(|f| f.prefix == family.prefix)
        .count()
        > 1;
    if !family.prefix.is_empty() && !shared {
        return format!("--tag-prefix {}", family.prefix);
    }
    let digits = if family.calendar {
        "[0-9]{4}"
    } else {
        "[0-9]{1,3}"
    };
    format!(
        "--tag-pattern '^{}{digits}\\.'",
        regex::escape(&family.prefix)
    )
}

/// `release.count_365d`: every counted release in the 365 days to the end of the window.
fn count_measurement(
    a: &Analysis,
    source: &str,
    window: &Window,
    stale: Option<&str>,
) -> Measurement {
    let year = Window {
        since: crate::window::days_before(window.until, 365).unwrap_or(DateTime::<Utc>::MIN_UTC),
        until: window.until,
    };
    let recent: Vec<&Release> = a
        .releases
        .iter()
        .filter(|r| year.contains(r.date))
        .rev()
        .collect();
    let backports = recent.iter().filter(|r| r.line == Line::Backport).count();
    let mut skipped = format!(
        "{} and {} not counted",
        plural(a.prereleases, "pre-release tag"),
        plural(a.other_tags, "other tag")
    );
    match a.duplicates.len() {
        0 => {}
        1 => skipped.push_str("; 1 tag repeats an earlier tag's version"),
        n => skipped.push_str(&format!("; {n} tags repeat an earlier tag's version")),
    }
    skipped.push_str(&left_out(a));
    let basis = with_note(
        format!(
            "{} ({} main line, {}) among the {} dated up to {}; {skipped}",
            plural(recent.len(), "release"),
            recent.len() - backports,
            plural(backports, "backport"),
            plural(a.tags_read, "tag"),
            day(window.until)
        ),
        stale,
    );
    let examples = recent
        .iter()
        .map(|r| Example {
            label: r.tag.clone(),
            date: Some(day(r.date)),
            value: None,
            note: (r.line == Line::Backport).then(|| "backport".to_string()),
            url: None,
        })
        .collect();
    Measurement::new(
        SignalId::RELEASE_COUNT_365D,
        year,
        source,
        Reading::value(recent.len() as f64, recent.len() as u64, basis, examples),
    )
}

/// `release.median_interval_days` and `release.interval_regularity`.
fn interval_measurements(a: &Analysis, source: &str, window: &Window) -> [Measurement; 2] {
    let all_gaps = main_line_gaps(&a.releases);
    let in_window: Vec<&(&Release, &Release, f64)> = all_gaps
        .iter()
        .filter(|g| window.contains(g.1.date))
        .collect();
    let days: Vec<f64> = in_window.iter().map(|g| g.2).collect();
    let basis = format!(
        "{} between consecutive main-line releases ending in the window",
        plural(days.len(), "gap")
    );
    let no_gap = || {
        format!(
            "no gap between two main-line releases ends in the window ({} releases dated up to its end)",
            a.releases.len()
        )
    };
    let mut longest: Vec<&&(&Release, &Release, f64)> = in_window.iter().collect();
    longest.sort_by(|x, y| y.2.total_cmp(&x.2));
    let gap_examples: Vec<Example> = longest
        .iter()
        .take(GAP_EXAMPLES)
        .map(|g| Example {
            label: format!("{} → {}", g.0.tag, g.1.tag),
            date: Some(day(g.1.date)),
            value: Some(Unit::Days.format(g.2)),
            note: None,
            url: None,
        })
        .collect();
    let median = stats::median(&days);
    let regularity = stats::iqr_over_median(&days);
    let n = days.len() as u64;
    [
        Measurement::new(
            SignalId::RELEASE_MEDIAN_INTERVAL_DAYS,
            *window,
            source,
            Reading::of(median, n, basis.clone(), no_gap, gap_examples),
        ),
        Measurement::new(
            SignalId::RELEASE_INTERVAL_REGULARITY,
            *window,
            source,
            Reading::of(
                regularity,
                n,
                basis,
                || match median {
                    None => no_gap(),
                    Some(_) => {
                        "the median gap is 0 days, so the spread cannot be scaled by it".into()
                    }
                },
                Vec::new(),
            ),
        ),
    ]
}

/// `release.staleness_ratio`: days since the last release over the usual main-line gap.
fn staleness_measurement(
    a: &Analysis,
    source: &str,
    window: &Window,
    stale: Option<&str>,
) -> Measurement {
    let all_gaps = main_line_gaps(&a.releases);
    let last = a.releases.iter().max_by_key(|r| r.date);
    let usual: Vec<&(&Release, &Release, f64)> =
        all_gaps.iter().rev().take(STALENESS_GAPS).collect();
    let usual_days: Vec<f64> = usual.iter().map(|g| g.2).collect();
    // The mean, not the median: the time the gaps span over their count, so
    // that a burst of patch releases after a feature release (polars, pandas)
    // does not shrink the usual gap to the days between patches.
    let usual_mean = (!usual_days.is_empty())
        .then(|| usual_days.iter().sum::<f64>() / usual_days.len() as f64)
        .filter(|m| *m > 0.0);
    let since_last = last.map(|r| days_between(r.date, window.until));
    let stale_window = Window {
        since: usual.last().map_or(window.since, |g| g.0.date),
        until: window.until,
    };
    match (last, since_last, usual_mean) {
        (Some(last), Some(since), Some(m)) => Measurement::new(
            SignalId::RELEASE_STALENESS_RATIO,
            stale_window,
            source,
            Reading::value(
                since / m,
                usual_days.len() as u64,
                with_note(
                    format!(
                        "{} since the last release, {} the mean of the last {}",
                        Unit::Days.format(since),
                        Unit::Days.format(m),
                        plural(usual_days.len(), "main-line gap")
                    ),
                    stale,
                ),
                vec![Example {
                    label: last.tag.clone(),
                    date: Some(day(last.date)),
                    value: Some(Unit::Days.format(since)),
                    note: Some("last release".into()),
                    url: None,
                }],
            ),
        ),
        _ => Measurement::insufficient(
            SignalId::RELEASE_STALENESS_RATIO,
            stale_window,
            source,
            if usual_days.is_empty() {
                "fewer than two main-line releases, so there is no usual gap to compare with".into()
            } else {
                "the usual gap is 0 days".into()
            },
        ),
    }
}

/// The `release.*` family: releases read from tags or GitHub releases.
#[derive(Debug, Clone, Copy)]
pub struct Releases;

/// The family, as build.rs lists it in `signals::FAMILIES`.
pub(crate) const FAMILY: &dyn super::Family = &Releases;

impl super::SignalFamily for Releases {
    const ORDER: u32 = 10;

    type Analysis<'a> = Option<Analysis>;

    fn signals(&self) -> &'static [SignalId] {
        &IDS
    }

    /// GitHub's releases and tags, when no clone gave the tags.
    fn fed_by(&self, ev: &Evidence) -> Vec<(&'static str, &'static [&'static str])> {
        let clone_tags = ev.sources.iter().any(|s| s.source == "git");
        if clone_tags {
            Vec::new()
        } else {
            vec![(
                "release.",
                &[sources::GITHUB_RELEASES, sources::GITHUB_TAGS],
            )]
        }
    }

    fn absent(&self, ev: &Evidence) -> &'static [&'static str] {
        if ev.tags.is_none() && ev.releases.is_none() {
            &["release."]
        } else {
            &[]
        }
    }

    fn analyse(&self, cx: &super::MeasureCtx<'_>) -> Option<Analysis> {
        analyse_evidence(cx.evidence, cx.rule, &cx.window)
    }

    fn measure(&self, cx: &super::MeasureCtx<'_>, a: &Option<Analysis>) -> Vec<Measurement> {
        measure_evidence(cx.evidence, a.as_ref(), cx.rule, &cx.window)
    }

    fn trends(
        &self,
        cx: &super::MeasureCtx<'_>,
        a: &Option<Analysis>,
    ) -> Vec<super::trends::Trend> {
        a.as_ref()
            .and_then(|a| super::trends::releases_per_quarter(a, &cx.window))
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_rule() -> CompiledRule {
        CompiledRule::new(&ReleaseRule::default()).unwrap()
    }
    use chrono::{DateTime, Duration};

    fn tag(name: &str, date: &str) -> Tag {
        Tag {
            name: name.into(),
            date: DateTime::parse_from_rfc3339(date).unwrap(),
            kind: TagKind::Annotated,
            commit: None,
            shares_history: None,
        }
    }

    fn until(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn backports_duplicates_and_prereleases_are_told_apart() {
        let tags = vec![
            tag("v1.0.0", "2026-01-01T00:00:00Z"),
            tag("v1.1.0rc1", "2026-01-20T00:00:00Z"),
            tag("v1.1.0", "2026-02-01T00:00:00Z"),
            tag("v1.0.1", "2026-02-10T00:00:00Z"),
            tag("1.1", "2026-02-11T00:00:00Z"),
            tag("docs-build", "2026-02-12T00:00:00Z"),
            tag("v1.2.0", "2026-03-01T00:00:00Z"),
        ];
        let a = analyse(&tags, &default_rule(), until("2026-12-31T00:00:00Z"));
        let lines: Vec<(&str, Line)> = a
            .releases
            .iter()
            .map(|r| (r.tag.as_str(), r.line))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("v1.0.0", Line::Main),
                ("v1.1.0", Line::Main),
                ("v1.0.1", Line::Backport),
                ("v1.2.0", Line::Main)
            ]
        );
        assert_eq!((a.prereleases, a.other_tags), (1, 1));
        assert_eq!(
            a.duplicates,
            vec![("1.1".to_string(), "v1.1.0".to_string())]
        );
    }

    #[test]
    fn a_batch_tagged_at_one_instant_is_all_main_line() {
        let tags = vec![
            tag("2.0.0", "2026-01-01T00:00:00Z"),
            tag("1.0.0", "2026-01-01T00:00:00Z"),
        ];
        let a = analyse(&tags, &default_rule(), until("2026-12-31T00:00:00Z"));
        assert!(a.releases.iter().all(|r| r.line == Line::Main));
    }

    #[test]
    fn prefix_and_pattern_replace_the_default_rule() {
        let tags = vec![
            tag("dask-1.0.0", "2026-01-01T00:00:00Z"),
            tag("1.5.0", "2026-01-02T00:00:00Z"),
        ];
        let prefix = ReleaseRule {
            tag_prefix: Some("dask-".into()),
            tag_pattern: None,
        };
        let a = analyse(
            &tags,
            &CompiledRule::new(&prefix).unwrap(),
            until("2026-12-31T00:00:00Z"),
        );
        assert_eq!(a.releases.len(), 1);
        assert_eq!(a.releases[0].tag, "dask-1.0.0");

        let pattern = ReleaseRule {
            tag_prefix: None,
            tag_pattern: Some(r"^release/(?P<version>.+)$".into()),
        };
        let tags = vec![
            tag("release/2.0", "2026-01-01T00:00:00Z"),
            tag("release/1.9", "2026-02-01T00:00:00Z"),
            tag("2.1", "2026-03-01T00:00:00Z"),
        ];
        let a = analyse(
            &tags,
            &CompiledRule::new(&pattern).unwrap(),
            until("2026-12-31T00:00:00Z"),
        );
        let lines: Vec<Line> = a.releases.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![Line::Main, Line::Backport]);

        let bad = ReleaseRule {
            tag_prefix: None,
            tag_pattern: Some("(".into()),
        };
        let e = CompiledRule::new(&bad).unwrap_err().to_string();
        assert!(e.starts_with("tag pattern \"(\":"), "{e}");
    }

    #[test]
    fn signals_follow_their_definitions() {
        // Main line every 30 days from 2026-01-01, plus one backport.
        let mut tags: Vec<Tag> = (0..6)
            .map(|i| {
                let d = until("2026-01-01T00:00:00Z") + Duration::days(30 * i);
                tag(&format!("1.{i}.0"), &d.to_rfc3339())
            })
            .collect();
        tags.push(tag("1.0.1", "2026-02-15T00:00:00Z"));
        let window = Window {
            since: until("2025-12-31T00:00:00Z"),
            until: until("2026-07-30T00:00:00Z"),
        };
        let m = measure(Some(&tags), &default_rule(), &window);
        let get = |id: &str| m.iter().find(|x| x.signal == id).unwrap();
        assert_eq!(get("release.count_365d").value, Some(7.0));
        assert_eq!(get("release.median_interval_days").value, Some(30.0));
        assert_eq!(get("release.median_interval_days").n, 5);
        assert_eq!(get("release.interval_regularity").value, Some(0.0));
        // Last release 1.5.0 on 2026-05-31, 60 days before the end of the window.
        assert_eq!(get("release.staleness_ratio").value, Some(2.0));
        assert_eq!(get("release.count_365d").examples[0].label, "1.5.0");
        assert!(
            get("release.count_365d")
                .examples
                .iter()
                .any(|e| e.note.as_deref() == Some("backport"))
        );
    }

    /// A burst of patch releases after each feature release does not make
    /// the usual gap the days between patches: it is the mean gap.
    #[test]
    fn staleness_takes_the_mean_gap_so_bursts_do_not_shrink_it() {
        // Feature releases 28 days apart, each followed by two patches a day apart.
        let mut tags = Vec::new();
        for minor in 0..4 {
            let start = until("2026-01-01T00:00:00Z") + Duration::days(28 * minor);
            for patch in 0..3 {
                let d = start + Duration::days(patch);
                tags.push(tag(&format!("1.{minor}.{patch}"), &d.to_rfc3339()));
            }
        }
        // The last release, 1.3.2, is on 2026-03-28; the window ends 14 days later.
        let window = Window {
            since: until("2025-12-31T00:00:00Z"),
            until: until("2026-04-11T00:00:00Z"),
        };
        let m = measure(Some(&tags), &default_rule(), &window);
        let stale = m
            .iter()
            .find(|x| x.signal == "release.staleness_ratio")
            .unwrap();
        // Eleven gaps, the last ten span 2026-01-02 to 2026-03-28: 85 days, 8.5 a gap
        // (the median gap is 1 day, which would make the ratio 14).
        assert_eq!(stale.value, Some(14.0 / 8.5));
        assert!(
            stale
                .basis
                .contains("8.5 days the mean of the last 10 main-line gaps"),
            "{}",
            stale.basis
        );
    }

    /// GitHub release names (no commit, no history check) get the family
    /// rules: `rs-` is left out beside `py-`; beside a calendar line, `v*`
    /// is left out, and a plain tag published the same day as a left-out
    /// release of its version goes out with it.
    #[test]
    fn github_release_names_get_the_family_rules() {
        let end = until("2026-12-31T00:00:00Z");
        let mut tags = Vec::new();
        for m in 1..=4 {
            tags.push(tag(
                &format!("py-1.{m}.0"),
                &format!("2026-0{m}-10T00:00:00Z"),
            ));
            tags.push(tag(
                &format!("rs-0.{m}.0"),
                &format!("2026-0{m}-12T00:00:00Z"),
            ));
        }
        let a = analyse(&tags, &default_rule(), end);
        let counted: Vec<&str> = a.releases.iter().map(|r| r.tag.as_str()).collect();
        assert_eq!(
            counted,
            vec!["py-1.1.0", "py-1.2.0", "py-1.3.0", "py-1.4.0"]
        );
        assert_eq!(a.parallel.len(), 1);
        assert_eq!(
            family_flag(&a.parallel[0].family, &a.families),
            "--tag-prefix rs-"
        );

        let mut tags = Vec::new();
        for m in 1..=9 {
            tags.push(tag(
                &format!("2026.{m}.0"),
                &format!("2026-0{m}-01T00:00:00Z"),
            ));
        }
        for m in 1..=4 {
            tags.push(tag(
                &format!("v0.{m}.0"),
                &format!("2026-0{m}-12T00:00:00Z"),
            ));
        }
        tags.push(tag("v0.5.0", "2026-10-01T00:00:00Z"));
        tags.push(tag("0.5", "2026-10-01T08:00:00Z"));
        let a = analyse(&tags, &default_rule(), end);
        assert_eq!(a.releases.len(), 9);
        assert!(a.releases.iter().all(|r| r.tag.starts_with("2026.")));
        let names: Vec<&str> = a.parallel[0].tags.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(
            names,
            vec!["v0.1.0", "v0.2.0", "v0.3.0", "v0.4.0", "v0.5.0", "0.5"]
        );
    }

    /// With a clone, a GitHub release takes its tag's history check: the
    /// release of a tag that shares no root with the default branch is left out.
    #[test]
    fn github_releases_take_the_clones_history_check() {
        let ev: Evidence = serde_json::from_value(serde_json::json!({
            "schema": crate::evidence::SCHEMA,
            "tool": "t",
            "target": {"name": "o/r", "kind": "git+github", "location": "."},
            "collected_at": "2026-12-31T00:00:00Z",
            "window": {"since": "2026-01-01T00:00:00Z", "until": "2026-12-31T00:00:00Z"},
            "sources": [],
            "tags": [
                {"name": "1.0.0", "date": "2026-02-01T00:00:00Z", "kind": "annotated", "commit": "a", "shares_history": true},
                {"name": "1.1.0", "date": "2026-03-01T00:00:00Z", "kind": "annotated", "commit": "b", "shares_history": true},
                {"name": "7.0.0", "date": "2026-03-05T00:00:00Z", "kind": "annotated", "commit": "c", "shares_history": false}
            ],
            "releases": [
                {"tag": "1.0.0", "published_at": "2026-02-02T00:00:00Z", "draft": false, "prerelease": false, "url": null},
                {"tag": "1.1.0", "published_at": "2026-03-02T00:00:00Z", "draft": false, "prerelease": false, "url": null},
                {"tag": "7.0.0", "published_at": "2026-03-06T00:00:00Z", "draft": false, "prerelease": false, "url": null}
            ]
        }))
        .unwrap();
        let rule = default_rule();
        let tags = release_tags(&ev).unwrap();
        let dates = release_dates(&analyse(&tags, &rule, until("2026-12-31T00:00:00Z")));
        assert_eq!(dates.len(), 2);
        let analysis = analyse_evidence(&ev, &rule, &ev.window);
        let m = measure_evidence(&ev, analysis.as_ref(), &rule, &ev.window);
        assert_eq!(m[0].source, "GitHub releases");
        assert!(
            m[0].basis.contains(
                "1 tag whose history shares no root with the default branch's (7.0.0 … 7.0.0)"
            ),
            "{}",
            m[0].basis
        );
    }

    #[test]
    fn no_releases_is_insufficient_not_zero() {
        let tags = vec![tag("nightly", "2026-01-01T00:00:00Z")];
        let window = Window {
            since: until("2025-12-31T00:00:00Z"),
            until: until("2026-07-30T00:00:00Z"),
        };
        let m = measure(Some(&tags), &default_rule(), &window);
        assert!(m.iter().all(|x| x.value.is_none()));
        assert!(
            m[0].insufficient
                .as_deref()
                .unwrap()
                .contains("none of the 1 tags")
        );
        let m = measure(Some(&[]), &default_rule(), &window);
        assert_eq!(
            m[0].insufficient.as_deref(),
            Some("the repository has no tags")
        );
    }
}
