//! Release cadence: which tags are releases, which of them are on the main
//! line, and the four `release.*` signals.
//!
//! A release is a tag whose name, after an optional `v` (or the configured
//! prefix), parses as a final version; pre-releases are excluded. Two tags
//! naming the same version (`v1.0` and `1.0.0`) count once, at the earlier
//! date. A release lower than one already published is a backport: it counts
//! in `release.count_365d`, but the interval signals use only the main line.
//! `--tag-pattern REGEX` replaces the rule: every matching tag is a release,
//! and the version used to tell backports apart is the regex's `version`
//! group, else its first group, else the tag name.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use regex::Regex;

use super::{Example, Measurement, Unit, day, def, plural};
use crate::error::Error;
use crate::evidence::{Evidence, ReleaseRule, Tag, TagKind};
use crate::stats;
use crate::version::Version;
use crate::window::{Window, days_between};

/// How many main-line gaps `release.staleness_ratio` takes as "the usual gap".
const STALENESS_GAPS: usize = 10;
/// How many longest gaps are listed as examples.
const GAP_EXAMPLES: usize = 5;

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
}

enum Class {
    Release(Option<Version>),
    PreRelease,
    Other,
}

/// Compiles the rule's pattern, if any.
///
/// # Errors
/// A pattern that is not a valid regular expression.
pub fn compile_pattern(rule: &ReleaseRule) -> Result<Option<Regex>, Error> {
    rule.tag_pattern
        .as_deref()
        .map(|p| {
            Regex::new(p).map_err(|e| Error::TagPattern {
                pattern: p.to_string(),
                message: e.to_string(),
            })
        })
        .transpose()
}

fn classify(name: &str, rule: &ReleaseRule, pattern: Option<&Regex>) -> Class {
    let strip_v = |s: &'_ str| -> String { s.strip_prefix(['v', 'V']).unwrap_or(s).to_string() };
    if let Some(re) = pattern {
        let Some(caps) = re.captures(name) else {
            return Class::Other;
        };
        let text = caps
            .name("version")
            .or_else(|| caps.get(1))
            .map_or(name, |m| m.as_str());
        return Class::Release(Version::parse(&strip_v(text)));
    }
    let body = match &rule.tag_prefix {
        Some(prefix) => match name.strip_prefix(prefix.as_str()) {
            Some(b) => b,
            None => return Class::Other,
        },
        None => name,
    };
    match Version::parse(&strip_v(body)) {
        Some(v) if v.is_prerelease() => Class::PreRelease,
        Some(v) => Class::Release(Some(v)),
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

/// Sorts `tags` into releases as of `until`.
///
/// # Errors
/// Only an invalid tag pattern.
pub fn analyze(tags: &[Tag], rule: &ReleaseRule, until: DateTime<Utc>) -> Result<Analysis, Error> {
    let pattern = compile_pattern(rule)?;
    let mut a = Analysis::default();
    let mut candidates: Vec<(DateTime<Utc>, &Tag, Option<Version>)> = Vec::new();
    for tag in tags {
        let date = tag.date.with_timezone(&Utc);
        // As of `until`: later tags do not exist yet.
        if date > until {
            a.after_window += 1;
            continue;
        }
        a.tags_read += 1;
        match classify(&tag.name, rule, pattern.as_ref()) {
            Class::Release(v) => candidates.push((date, tag, v)),
            Class::PreRelease => a.prereleases += 1,
            Class::Other => a.other_tags += 1,
        }
    }
    // Oldest first; at the same instant the lower version first, so a batch
    // of tags made together is not mistaken for backports.
    candidates.sort_by(|x, y| {
        x.0.cmp(&y.0)
            .then_with(|| match (&x.2, &y.2) {
                (Some(a), Some(b)) => a.release_cmp(b),
                _ => std::cmp::Ordering::Equal,
            })
            .then_with(|| x.1.name.cmp(&y.1.name))
    });

    let mut first_tag_of: HashMap<(u64, Vec<u64>, u64), String> = HashMap::new();
    let mut highest: Option<Version> = None;
    for (date, tag, version) in candidates {
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
    Ok(a)
}

/// Consecutive main-line pairs `(earlier, later, gap in days)`, oldest first.
fn main_line_gaps(releases: &[Release]) -> Vec<(&Release, &Release, f64)> {
    let main: Vec<&Release> = releases.iter().filter(|r| r.line == Line::Main).collect();
    main.windows(2)
        .map(|w| (w[0], w[1], days_between(w[0].date, w[1].date)))
        .collect()
}

/// Measures the `release.*` signals from the tags (`None`: no tag source was read).
///
/// # Errors
/// Only an invalid tag pattern.
pub fn measure(
    tags: Option<&[Tag]>,
    rule: &ReleaseRule,
    window: &Window,
) -> Result<Vec<Measurement>, Error> {
    measure_from(tags, "git tags", rule, window)
}

/// Measures the `release.*` signals from whatever the evidence has: GitHub
/// releases when the project publishes any (drafts and releases GitHub flags
/// as pre-releases left out, then the same version rules as tags), else tags.
///
/// # Errors
/// Only an invalid tag pattern.
pub fn measure_evidence(
    ev: &Evidence,
    rule: &ReleaseRule,
    window: &Window,
) -> Result<Vec<Measurement>, Error> {
    let source = match ev.releases.as_deref() {
        Some(list) if !list.is_empty() => "GitHub releases",
        _ if ev.target.kind == "github" => "GitHub tags",
        _ => "git tags",
    };
    measure_from(release_tags(ev).as_deref(), source, rule, window)
}

/// The tags the release signals read: GitHub releases (drafts and flagged
/// pre-releases left out) when the project publishes any, else its tags.
fn release_tags(ev: &Evidence) -> Option<std::borrow::Cow<'_, [Tag]>> {
    match ev.releases.as_deref() {
        Some(list) if !list.is_empty() => Some(std::borrow::Cow::Owned(
            list.iter()
                .filter(|r| !r.draft && !r.prerelease)
                .filter_map(|r| {
                    Some(Tag {
                        name: r.tag.clone(),
                        date: r.published_at?,
                        kind: TagKind::Annotated,
                        commit: None,
                    })
                })
                .collect(),
        )),
        _ => ev.tags.as_deref().map(std::borrow::Cow::Borrowed),
    }
}

/// The dates of the releases `release.count_365d` counts (main line and
/// backports, pre-releases out), up to `until`, oldest first; `None` when no
/// tags were collected.
///
/// # Errors
/// Only an invalid tag pattern.
pub(crate) fn release_dates(
    ev: &Evidence,
    rule: &ReleaseRule,
    until: DateTime<Utc>,
) -> Result<Option<Vec<DateTime<Utc>>>, Error> {
    let Some(tags) = release_tags(ev) else {
        return Ok(None);
    };
    let a = analyze(&tags, rule, until)?;
    Ok(Some(a.releases.iter().map(|r| r.date).collect()))
}

fn measure_from(
    tags: Option<&[Tag]>,
    source: &str,
    rule: &ReleaseRule,
    window: &Window,
) -> Result<Vec<Measurement>, Error> {
    let source_name = source;
    let ids = [
        "release.count_365d",
        "release.median_interval_days",
        "release.interval_regularity",
        "release.staleness_ratio",
    ];
    let none_for_all =
        |reason: String| Measurement::all_insufficient(&ids, *window, source_name, &reason);

    let Some(tags) = tags else {
        return Ok(none_for_all(
            "no tags were collected for this target".into(),
        ));
    };
    let a = analyze(tags, rule, window.until)?;
    if a.tags_read == 0 {
        let reason = if tags.is_empty() {
            "the repository has no tags".to_string()
        } else {
            format!(
                "the repository has no tags dated up to {}",
                day(window.until)
            )
        };
        return Ok(none_for_all(reason));
    }
    if a.releases.is_empty() {
        let how = if rule.tag_pattern.is_some() {
            "match --tag-pattern"
        } else {
            "parse as a final release version"
        };
        return Ok(none_for_all(format!(
            "none of the {} tags dated up to {} {how} ({} pre-releases, {} others): see --tag-prefix and --tag-pattern",
            a.tags_read,
            day(window.until),
            a.prereleases,
            a.other_tags
        )));
    }

    let mut out = Vec::with_capacity(ids.len());

    // release.count_365d
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
    out.push(Measurement {
        signal: "release.count_365d".into(),
        value: Some(recent.len() as f64),
        unit: Unit::Releases,
        n: recent.len() as u64,
        window: year,
        source: source_name.into(),
        basis: format!(
            "{} ({} main line, {}) among the {} dated up to {}; {skipped}",
            plural(recent.len(), "release"),
            recent.len() - backports,
            plural(backports, "backport"),
            plural(a.tags_read, "tag"),
            day(window.until)
        ),
        insufficient: None,
        examples: recent
            .iter()
            .map(|r| Example {
                label: r.tag.clone(),
                date: Some(day(r.date)),
                value: None,
                note: (r.line == Line::Backport).then(|| "backport".to_string()),
                url: None,
            })
            .collect(),
    });

    // release.median_interval_days and release.interval_regularity
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
    out.push(Measurement {
        signal: "release.median_interval_days".into(),
        value: median,
        unit: Unit::Days,
        n: days.len() as u64,
        window: *window,
        source: source_name.into(),
        basis: basis.clone(),
        insufficient: median.is_none().then(no_gap),
        examples: gap_examples,
    });
    let regularity = stats::iqr_over_median(&days);
    out.push(Measurement {
        signal: "release.interval_regularity".into(),
        value: regularity,
        unit: Unit::Ratio,
        n: days.len() as u64,
        window: *window,
        source: source_name.into(),
        basis,
        insufficient: match (median, regularity) {
            (None, _) => Some(no_gap()),
            (Some(_), None) => {
                Some("the median gap is 0 days, so the spread cannot be scaled by it".into())
            }
            _ => None,
        },
        examples: Vec::new(),
    });

    // release.staleness_ratio
    let last = a.releases.iter().max_by_key(|r| r.date);
    let usual: Vec<&(&Release, &Release, f64)> =
        all_gaps.iter().rev().take(STALENESS_GAPS).collect();
    let usual_days: Vec<f64> = usual.iter().map(|g| g.2).collect();
    let usual_median = stats::median(&usual_days).filter(|m| *m > 0.0);
    let since_last = last.map(|r| days_between(r.date, window.until));
    let stale_window = Window {
        since: usual.last().map_or(window.since, |g| g.0.date),
        until: window.until,
    };
    out.push(match (last, since_last, usual_median) {
        (Some(last), Some(since), Some(m)) => Measurement {
            signal: "release.staleness_ratio".into(),
            value: Some(since / m),
            unit: Unit::Ratio,
            n: usual_days.len() as u64,
            window: stale_window,
            source: source_name.into(),
            basis: format!(
                "{} since the last release, {} the median of the last {}",
                Unit::Days.format(since),
                Unit::Days.format(m),
                plural(usual_days.len(), "main-line gap")
            ),
            insufficient: None,
            examples: vec![Example {
                label: last.tag.clone(),
                date: Some(day(last.date)),
                value: Some(Unit::Days.format(since)),
                note: Some("last release".into()),
                url: None,
            }],
        },
        _ => Measurement::insufficient(
            def("release.staleness_ratio"),
            stale_window,
            source_name,
            if usual_days.is_empty() {
                "fewer than two main-line releases, so there is no usual gap to compare with".into()
            } else {
                "the usual gap is 0 days".into()
            },
        ),
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Duration};

    fn tag(name: &str, date: &str) -> Tag {
        Tag {
            name: name.into(),
            date: DateTime::parse_from_rfc3339(date).unwrap(),
            kind: TagKind::Annotated,
            commit: None,
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
        let a = analyze(
            &tags,
            &ReleaseRule::default(),
            until("2026-12-31T00:00:00Z"),
        )
        .unwrap();
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
        let a = analyze(
            &tags,
            &ReleaseRule::default(),
            until("2026-12-31T00:00:00Z"),
        )
        .unwrap();
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
        let a = analyze(&tags, &prefix, until("2026-12-31T00:00:00Z")).unwrap();
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
        let a = analyze(&tags, &pattern, until("2026-12-31T00:00:00Z")).unwrap();
        let lines: Vec<Line> = a.releases.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![Line::Main, Line::Backport]);

        let bad = ReleaseRule {
            tag_prefix: None,
            tag_pattern: Some("(".into()),
        };
        let e = analyze(&tags, &bad, until("2026-12-31T00:00:00Z"))
            .unwrap_err()
            .to_string();
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
        let m = measure(Some(&tags), &ReleaseRule::default(), &window).unwrap();
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

    #[test]
    fn no_releases_is_insufficient_not_zero() {
        let tags = vec![tag("nightly", "2026-01-01T00:00:00Z")];
        let window = Window {
            since: until("2025-12-31T00:00:00Z"),
            until: until("2026-07-30T00:00:00Z"),
        };
        let m = measure(Some(&tags), &ReleaseRule::default(), &window).unwrap();
        assert!(m.iter().all(|x| x.value.is_none()));
        assert!(
            m[0].insufficient
                .as_deref()
                .unwrap()
                .contains("none of the 1 tags")
        );
        let m = measure(Some(&[]), &ReleaseRule::default(), &window).unwrap();
        assert_eq!(
            m[0].insufficient.as_deref(),
            Some("the repository has no tags")
        );
    }
}
