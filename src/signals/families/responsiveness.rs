//! Responsiveness: how fast issues and pull requests get a first response,
//! how long issues take to close and pull requests to merge; the six
//! `issues.*` and `prs.*` signals.
//!
//! Only items opened in the window count. A response counts when the
//! rubric's `[actors]` say so ([`Actors::counts`]): never the item's author,
//! never a bot, and by default only a maintainer. The report is "as of" the
//! end of the window: responses, closes and merges after it have not happened
//! yet. An item whose responses were not all fetched and that has no counting
//! response among those that were has an unknown first response: it is left
//! out of the response signals and counted in their basis. For
//! `issues.responded_within_7d`, an issue still unanswered 7 days after it was
//! opened is a miss, and an issue opened less than 7 days before the end of
//! the window is not yet due and left out (right censoring).

use chrono::{DateTime, Duration, Utc};

use super::{Example, Measurement, Reading, SignalDef, SignalId, Unit, day, plural};
use crate::evidence::{Evidence, Item, ItemKind, sources};
use crate::stats;
use crate::window::{Window, days_between};

const SOURCE: &str = "GitHub issues and pull requests";
/// How many items are listed as examples.
const EXAMPLES: usize = 10;
/// The deadline of `issues.responded_within_7d`, in days.
const DUE_DAYS: i64 = 7;

/// The signals of this family, each declared once: its id and definition.
impl SignalId {
    /// `issues.first_response_p50_hours`
    pub const ISSUES_FIRST_RESPONSE_P50_HOURS: SignalId = SignalId::new(&SignalDef {
        id: "issues.first_response_p50_hours",
        unit: Unit::Hours,
        title: "Median hours to first response (issues)",
        definition: "Median time from opening to the first response that counts (rubric `[actors]`: not the author, not a bot, by default a maintainer) over issues opened in the window that got one.",
        anchor: "CHAOSS Time to First Response",
        source: "GitHub issues and pull requests",
    });
    /// `issues.first_response_p90_hours`
    pub const ISSUES_FIRST_RESPONSE_P90_HOURS: SignalId = SignalId::new(&SignalDef {
        id: "issues.first_response_p90_hours",
        unit: Unit::Hours,
        title: "90th percentile hours to first response (issues)",
        definition: "The 90th percentile of the same times: how long the slowest tenth of answered issues waited.",
        anchor: "CHAOSS Time to First Response",
        source: "GitHub issues and pull requests",
    });
    /// `issues.responded_within_7d`
    pub const ISSUES_RESPONDED_WITHIN_7D: SignalId = SignalId::new(&SignalDef {
        id: "issues.responded_within_7d",
        unit: Unit::Fraction,
        title: "Issues answered within 7 days",
        definition: "Share of the issues opened in the window at least 7 days before its end that got a response that counts within 7 days; those still unanswered after 7 days are misses, younger issues are not yet due and left out.",
        anchor: "",
        source: "GitHub issues and pull requests",
    });
    /// `issues.resolution_p50_days`
    pub const ISSUES_RESOLUTION_P50_DAYS: SignalId = SignalId::new(&SignalDef {
        id: "issues.resolution_p50_days",
        unit: Unit::Days,
        title: "Median days to close (issues)",
        definition: "Median time from opening to the last close, over the issues opened in the window that are closed.",
        anchor: "CHAOSS Issue Resolution Duration",
        source: "GitHub issues and pull requests",
    });
    /// `prs.first_review_p50_hours`
    pub const PRS_FIRST_REVIEW_P50_HOURS: SignalId = SignalId::new(&SignalDef {
        id: "prs.first_review_p50_hours",
        unit: Unit::Hours,
        title: "Median hours to first review (pull requests)",
        definition: "Median time from opening to the first review or comment that counts (rubric `[actors]`) over the pull requests opened in the window that got one.",
        anchor: "CHAOSS Time to First Response",
        source: "GitHub issues and pull requests",
    });
    /// `prs.merge_p50_days`
    pub const PRS_MERGE_P50_DAYS: SignalId = SignalId::new(&SignalDef {
        id: "prs.merge_p50_days",
        unit: Unit::Days,
        title: "Median days to merge (pull requests)",
        definition: "Median time from opening to merge over the pull requests opened in the window that were merged.",
        anchor: "CHAOSS Change Requests Duration",
        source: "GitHub issues and pull requests",
    });
}

const IDS: [SignalId; 6] = [
    SignalId::ISSUES_FIRST_RESPONSE_P50_HOURS,
    SignalId::ISSUES_FIRST_RESPONSE_P90_HOURS,
    SignalId::ISSUES_RESPONDED_WITHIN_7D,
    SignalId::ISSUES_RESOLUTION_P50_DAYS,
    SignalId::PRS_FIRST_REVIEW_P50_HOURS,
    SignalId::PRS_MERGE_P50_DAYS,
];

/// Whose comments and reviews count as a response to an issue or pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Responders {
    /// Only accounts associated with the repository: OWNER, MEMBER or COLLABORATOR.
    Maintainers,
    /// Anyone but the item's author.
    Anyone,
}

impl Responders {
    /// The name used in rubric TOML.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Responders::Maintainers => "maintainers",
            Responders::Anyone => "anyone",
        }
    }
}

/// The rubric's `[actors]`: who counts as a responder, and which logins are bots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actors {
    pub responders: Responders,
    /// Glob patterns (`*`, `?`) on logins, matched case-insensitively; these
    /// add to the built-in rules (type `Bot`, a login ending in `[bot]`).
    pub bots: Vec<String>,
}

impl Default for Actors {
    fn default() -> Actors {
        Actors {
            responders: Responders::Maintainers,
            bots: Vec::new(),
        }
    }
}

/// GitHub author associations that make an account a maintainer.
pub const MAINTAINER_ASSOCIATIONS: &[&str] = &["OWNER", "MEMBER", "COLLABORATOR"];

impl Actors {
    /// A bot: GitHub type `Bot`, a login ending in `[bot]`, or a login matching a rubric pattern.
    #[must_use]
    pub fn is_bot(&self, actor: &crate::evidence::Actor) -> bool {
        let login = actor.login.to_lowercase();
        actor.kind.eq_ignore_ascii_case("bot")
            || login.ends_with("[bot]")
            || self.bots.iter().any(|p| glob_match(p, &login))
    }

    /// Whether `response` counts as a response to `item`: not by the item's author, not a bot,
    /// and (for [`Responders::Maintainers`]) by OWNER, MEMBER or COLLABORATOR (association).
    ///
    /// A response without an actor (a deleted, "ghost" account) is neither a
    /// bot nor the author; for maintainers it counts by its association alone.
    #[must_use]
    pub fn counts(
        &self,
        item: &crate::evidence::Item,
        response: &crate::evidence::Response,
    ) -> bool {
        if let Some(actor) = &response.actor {
            if self.is_bot(actor) {
                return false;
            }
            let by_author = item
                .author
                .as_ref()
                .is_some_and(|a| a.login.eq_ignore_ascii_case(&actor.login));
            if by_author {
                return false;
            }
        }
        match self.responders {
            Responders::Anyone => true,
            Responders::Maintainers => MAINTAINER_ASSOCIATIONS
                .iter()
                .any(|m| m.eq_ignore_ascii_case(response.author_association.trim())),
        }
    }
}

/// Whether `text` matches the glob `pattern`, case-insensitively: `*` matches
/// any run of characters (none included), `?` exactly one, anything else itself.
#[must_use]
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    // Iterative matching with backtracking to the last `*`: O(len(p) * len(t)).
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and retry.
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Hours from `from` to `to`, never negative.
fn hours_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (days_between(from, to) * 24.0).max(0.0)
}

/// What is known, as of `until`, of an item's first response that counts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum First {
    /// Answered after this many hours.
    After(f64),
    /// Every response was fetched and none counts (yet).
    Waiting,
    /// Not every response was fetched, and none of those that were counts.
    Unknown,
}

fn first_response(item: &Item, actors: &Actors, until: DateTime<Utc>) -> First {
    let first = item
        .responses
        .iter()
        .filter(|r| r.at <= until && actors.counts(item, r))
        .map(|r| r.at)
        .min();
    match first {
        Some(at) => First::After(hours_between(item.created_at, at)),
        None if item.responses_complete => First::Waiting,
        None => First::Unknown,
    }
}

/// The issues opened in the window (not by bots) that got a response that
/// counts: when each was opened, and the hours to that response.
pub(crate) fn issue_response_hours(opened: &Opened<'_>) -> Vec<(DateTime<Utc>, f64)> {
    opened
        .issues
        .answered()
        .into_iter()
        .map(|(i, h)| (i.created_at, h))
        .collect()
}

/// The items of one kind opened in the window, with their first responses.
#[derive(Debug)]
struct OpenedItems<'a> {
    /// `issue` or `pull request`.
    noun: &'static str,
    items: Vec<(&'a Item, First)>,
}

impl<'a> OpenedItems<'a> {
    /// The items of `kind` opened in `window` and not by a bot, each with its
    /// first response as of the end of the window: what the signals and the
    /// first-response chart are computed from.
    fn of(items: &'a [Item], kind: ItemKind, actors: &Actors, window: &Window) -> OpenedItems<'a> {
        OpenedItems {
            noun: match kind {
                ItemKind::Issue => "issue",
                ItemKind::PullRequest => "pull request",
            },
            items: items
                .iter()
                .filter(|i| i.kind == kind && window.contains(i.created_at))
                // Bots' own issues and pull requests (dependency updates) say nothing
                // about how fast people are answered, and are often merged by machine.
                .filter(|i| !i.author.as_ref().is_some_and(|a| actors.is_bot(a)))
                .map(|i| (i, first_response(i, actors, window.until)))
                .collect(),
        }
    }

    fn answered(&self) -> Vec<(&Item, f64)> {
        self.items
            .iter()
            .filter_map(|(i, f)| match f {
                First::After(h) => Some((*i, *h)),
                _ => None,
            })
            .collect()
    }

    fn waiting(&self) -> usize {
        self.items
            .iter()
            .filter(|(_, f)| matches!(f, First::Waiting))
            .count()
    }

    fn unknown(&self) -> usize {
        self.items
            .iter()
            .filter(|(_, f)| matches!(f, First::Unknown))
            .count()
    }

    /// "12 issues, 10 still waiting, 2 unknown".
    fn summary(&self) -> String {
        let mut s = format!(
            "{}, {} still waiting",
            plural(self.items.len(), self.noun),
            self.waiting()
        );
        if self.unknown() > 0 {
            s.push_str(&format!(", {} unknown", self.unknown()));
        }
        s
    }

    /// The part of every basis on waiting and unknown items and on who counts.
    fn response_note(&self, actors: &Actors) -> String {
        format!(
            "{} still waiting for a response that counts, {}; {}",
            self.waiting(),
            unknown_text(self.unknown()),
            responders_text(actors)
        )
    }
}

/// "2 with an unknown first response (left out: ...)".
fn unknown_text(unknown: usize) -> String {
    if unknown == 0 {
        "0 with an unknown first response".into()
    } else {
        format!(
            "{unknown} with an unknown first response (left out: more responses exist than were fetched, and none of those fetched counts)"
        )
    }
}

fn responders_text(actors: &Actors) -> &'static str {
    match actors.responders {
        Responders::Maintainers => {
            "responders: maintainers (OWNER, MEMBER or COLLABORATOR) other than the author, bots excluded"
        }
        Responders::Anyone => "responders: anyone but the author, bots excluded",
    }
}

fn label(item: &Item) -> String {
    format!("#{} {}", item.number, item.title)
}

/// The slowest `EXAMPLES` items, each with its duration in `unit`.
fn slowest(items: &[(&Item, f64)], unit: Unit) -> Vec<Example> {
    let mut sorted = items.to_vec();
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.number.cmp(&b.0.number)));
    sorted
        .iter()
        .take(EXAMPLES)
        .map(|(i, v)| Example {
            label: label(i),
            date: Some(day(i.created_at)),
            value: Some(unit.format(*v)),
            note: None,
            url: Some(i.url.clone()),
        })
        .collect()
}

/// Measures the `issues.*` and `prs.*` signals (`None`: no GitHub source was read).
#[must_use]
pub fn measure(items: Option<&[Item]>, actors: &Actors, window: &Window) -> Vec<Measurement> {
    let opened = items.map(|items| analyse(items, actors, window));
    measure_opened(opened.as_ref(), actors, window)
}

/// The issues and pull requests opened in the window with their first
/// responses: what the signals and the first-response chart share.
#[derive(Debug)]
pub(crate) struct Opened<'a> {
    issues: OpenedItems<'a>,
    prs: OpenedItems<'a>,
    /// Items collected that were opened outside the window.
    outside: usize,
}

/// Sorts `items` into the issues and pull requests opened in `window`, each
/// with its first response that counts.
pub(crate) fn analyse<'a>(items: &'a [Item], actors: &Actors, window: &Window) -> Opened<'a> {
    Opened {
        issues: OpenedItems::of(items, ItemKind::Issue, actors, window),
        prs: OpenedItems::of(items, ItemKind::PullRequest, actors, window),
        outside: items
            .iter()
            .filter(|i| !window.contains(i.created_at))
            .count(),
    }
}

/// The `issues.*` and `prs.*` signals of [`analyse`]'s result (`None`: no
/// GitHub source was read).
fn measure_opened(
    opened: Option<&Opened<'_>>,
    actors: &Actors,
    window: &Window,
) -> Vec<Measurement> {
    let Some(Opened {
        issues,
        prs,
        outside,
    }) = opened
    else {
        return Measurement::all_insufficient(
            &IDS,
            *window,
            SOURCE,
            "no issues or pull requests were collected for this target (a GitHub source is needed)",
        );
    };
    let outside = *outside;
    // Why a kind has nothing at all to measure.
    let none_opened = |t: &OpenedItems| {
        if outside > 0 {
            format!(
                "no {} was opened in the window ({} collected were opened outside it)",
                t.noun,
                plural(outside, "item")
            )
        } else {
            format!("no {} was opened in the window", t.noun)
        }
    };

    let mut out = issue_measurements(issues, actors, window, &none_opened);
    out.extend(pr_measurements(prs, actors, window, &none_opened));
    out
}

/// The four `issues.*` signals of the issues opened in the window.
fn issue_measurements(
    issues: &OpenedItems<'_>,
    actors: &Actors,
    window: &Window,
    none_opened: &dyn Fn(&OpenedItems) -> String,
) -> Vec<Measurement> {
    let mut out = Vec::with_capacity(IDS.len());

    // issues.first_response_p50_hours and _p90_hours
    let answered = issues.answered();
    let hours: Vec<f64> = answered.iter().map(|(_, h)| *h).collect();
    let basis = format!(
        "{} opened in the window that got a response that counts, out of {}; {}",
        plural(answered.len(), "issue"),
        issues.items.len(),
        issues.response_note(actors)
    );
    let no_answer = || {
        if issues.items.is_empty() {
            none_opened(issues)
        } else {
            format!(
                "no issue opened in the window got a response that counts ({})",
                issues.summary()
            )
        }
    };
    let examples = slowest(&answered, Unit::Hours);
    out.push(Measurement::new(
        SignalId::ISSUES_FIRST_RESPONSE_P50_HOURS,
        *window,
        SOURCE,
        Reading::of(
            stats::median(&hours),
            answered.len() as u64,
            basis.clone(),
            no_answer,
            examples.clone(),
        ),
    ));
    out.push(Measurement::new(
        SignalId::ISSUES_FIRST_RESPONSE_P90_HOURS,
        *window,
        SOURCE,
        Reading::of(
            stats::quantile(&hours, 0.9),
            answered.len() as u64,
            basis,
            no_answer,
            examples,
        ),
    ));

    // issues.responded_within_7d
    out.push(within_7d(issues, actors, window, none_opened));

    // issues.resolution_p50_days
    let closed: Vec<(&Item, f64)> = issues
        .items
        .iter()
        .filter_map(|(i, _)| match i.closed_at {
            Some(c) if c <= window.until => Some((*i, days_between(i.created_at, c).max(0.0))),
            _ => None,
        })
        .collect();
    let days: Vec<f64> = closed.iter().map(|(_, d)| *d).collect();
    out.push(Measurement::new(
        SignalId::ISSUES_RESOLUTION_P50_DAYS,
        *window,
        SOURCE,
        Reading::of(
            stats::median(&days),
            closed.len() as u64,
            format!(
                "{} out of the {} opened in the window ({} still open); of the {}, {}",
                plural(closed.len(), "closed issue"),
                issues.items.len(),
                issues.items.len() - closed.len(),
                issues.items.len(),
                issues.response_note(actors)
            ),
            || {
                if issues.items.is_empty() {
                    none_opened(issues)
                } else {
                    format!(
                        "none of the {} opened in the window is closed",
                        plural(issues.items.len(), "issue")
                    )
                }
            },
            slowest(&closed, Unit::Days),
        ),
    ));

    out
}

/// The two `prs.*` signals of the pull requests opened in the window.
fn pr_measurements(
    prs: &OpenedItems<'_>,
    actors: &Actors,
    window: &Window,
    none_opened: &dyn Fn(&OpenedItems) -> String,
) -> Vec<Measurement> {
    let mut out = Vec::with_capacity(2);
    // prs.first_review_p50_hours
    let reviewed = prs.answered();
    let hours: Vec<f64> = reviewed.iter().map(|(_, h)| *h).collect();
    out.push(Measurement::new(SignalId::PRS_FIRST_REVIEW_P50_HOURS, *window, SOURCE, Reading::of(stats::median(&hours), reviewed.len() as u64, format!(
            "{} opened in the window that got a review or comment that counts, out of {}; {}",
            plural(reviewed.len(), "pull request"),
            prs.items.len(),
            prs.response_note(actors)
        ), || {
            if prs.items.is_empty() {
                none_opened(prs)
            } else {
                format!(
                    "no pull request opened in the window got a review or comment that counts ({})",
                    prs.summary()
                )
            }
        }, slowest(&reviewed, Unit::Hours))));

    // prs.merge_p50_days
    let merged: Vec<(&Item, f64)> = prs
        .items
        .iter()
        .filter_map(|(i, _)| match i.merged_at {
            Some(m) if m <= window.until => Some((*i, days_between(i.created_at, m).max(0.0))),
            _ => None,
        })
        .collect();
    let closed_unmerged = prs
        .items
        .iter()
        .filter(|(i, _)| {
            i.closed_at.is_some_and(|c| c <= window.until)
                && i.merged_at.is_none_or(|m| m > window.until)
        })
        .count();
    let open = prs.items.len() - merged.len() - closed_unmerged;
    let days: Vec<f64> = merged.iter().map(|(_, d)| *d).collect();
    out.push(Measurement::new(SignalId::PRS_MERGE_P50_DAYS, *window, SOURCE, Reading::of(stats::median(&days), merged.len() as u64, format!(
            "{} out of the {} opened in the window ({open} open, {closed_unmerged} closed without merge); of the {}, {}",
            plural(merged.len(), "merged pull request"),
            prs.items.len(),
            prs.items.len(),
            prs.response_note(actors)
        ), || {
            if prs.items.is_empty() {
                none_opened(prs)
            } else {
                format!(
                    "none of the {} opened in the window was merged ({open} open, {closed_unmerged} closed without merge)",
                    plural(prs.items.len(), "pull request")
                )
            }
        }, slowest(&merged, Unit::Days))));
    out
}

/// `issues.responded_within_7d`, with censoring: issues younger than 7 days
/// at the end of the window are not yet due; unknown first responses are left out.
fn within_7d(
    issues: &OpenedItems<'_>,
    actors: &Actors,
    window: &Window,
    none_opened: &dyn Fn(&OpenedItems) -> String,
) -> Measurement {
    let due_hours = (DUE_DAYS * 24) as f64;
    let deadline = window
        .until
        .checked_sub_signed(Duration::days(DUE_DAYS))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let due_window = if deadline > window.since {
        Window {
            since: window.since,
            until: deadline,
        }
    } else {
        *window
    };
    let (mut hits, mut not_due, mut unknown) = (0usize, 0usize, 0usize);
    // Misses with the hours they took, `None` while still waiting.
    let mut misses: Vec<(&Item, Option<f64>)> = Vec::new();
    for (item, first) in &issues.items {
        if item.created_at > deadline {
            not_due += 1;
            continue;
        }
        match first {
            First::After(h) if *h <= due_hours => hits += 1,
            First::After(h) => misses.push((item, Some(*h))),
            First::Waiting => misses.push((item, None)),
            First::Unknown => unknown += 1,
        }
    }
    let n = hits + misses.len();
    #[allow(clippy::cast_precision_loss)]
    let value = (n > 0).then(|| hits as f64 / n as f64);
    let late = misses.iter().filter(|(_, h)| h.is_some()).count();
    let basis = format!(
        "{} opened in the window at least 7 days before its end with a known first response: {hits} answered within 7 days, {} not ({late} answered later, {} still waiting); {} not yet due, {}; {}",
        plural(n, "issue"),
        misses.len(),
        misses.len() - late,
        plural(not_due, "younger issue"),
        unknown_text(unknown),
        responders_text(actors)
    );
    misses.sort_by(|a, b| {
        a.0.created_at
            .cmp(&b.0.created_at)
            .then(a.0.number.cmp(&b.0.number))
    });
    let examples = misses
        .iter()
        .take(EXAMPLES)
        .map(|(i, h)| Example {
            label: label(i),
            date: Some(day(i.created_at)),
            value: h.map(|h| Unit::Hours.format(h)),
            note: Some("no response within 7 days".into()),
            url: Some(i.url.clone()),
        })
        .collect();
    Measurement::new(
        SignalId::ISSUES_RESPONDED_WITHIN_7D,
        due_window,
        SOURCE,
        Reading::of(
            value,
            n as u64,
            basis,
            || {
                if issues.items.is_empty() {
                    none_opened(issues)
                } else {
                    format!(
                        "no issue opened in the window at least 7 days before its end has a known first response ({} opened, {not_due} not yet due, {unknown} unknown)",
                        plural(issues.items.len(), "issue")
                    )
                }
            },
            examples,
        ),
    )
}

/// The `issues.*` and `prs.*` family: responses, closes and merges.
#[derive(Debug, Clone, Copy)]
pub struct Responsiveness;

/// The family, as build.rs lists it in `signals::FAMILIES`.
pub(crate) const FAMILY: &dyn super::Family = &Responsiveness;

impl super::SignalFamily for Responsiveness {
    const ORDER: u32 = 20;

    type Analysis<'a> = Option<Opened<'a>>;

    fn signals(&self) -> &'static [SignalId] {
        &IDS
    }

    fn fed_by(&self, _: &Evidence) -> Vec<(&'static str, &'static [&'static str])> {
        vec![
            ("issues.", &[sources::GITHUB_ISSUES, sources::GITHUB_ITEMS]),
            ("prs.", &[sources::GITHUB_PULLS, sources::GITHUB_ITEMS]),
        ]
    }

    fn absent(&self, ev: &Evidence) -> &'static [&'static str] {
        if ev.items.is_none() {
            &["issues.", "prs."]
        } else {
            &[]
        }
    }

    fn windowed(&self, ev: &Evidence) -> &'static [&'static str] {
        if ev.items.is_some() {
            &["issues.", "prs."]
        } else {
            &[]
        }
    }

    fn analyse<'a>(&self, cx: &super::MeasureCtx<'a>) -> Option<Opened<'a>> {
        let (actors, window) = (cx.actors, cx.window);
        cx.evidence
            .items
            .as_deref()
            .map(|items| analyse(items, actors, &window))
    }

    fn measure(&self, cx: &super::MeasureCtx<'_>, a: &Option<Opened<'_>>) -> Vec<Measurement> {
        measure_opened(a.as_ref(), cx.actors, &cx.window)
    }

    fn trends(
        &self,
        cx: &super::MeasureCtx<'_>,
        a: &Option<Opened<'_>>,
    ) -> Vec<super::trends::Trend> {
        a.as_ref()
            .and_then(|opened| super::trends::issue_first_response(opened, &cx.window))
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    /// The glob matcher: `*` any run (even empty), `?` exactly one character, case-insensitive, anchored at both ends.
    #[test]
    fn glob_matches_star_and_question_mark_case_insensitively() {
        assert!(glob_match("*-bot", "dask-bot"));
        assert!(glob_match("*-bot", "Dask-BOT"));
        assert!(glob_match("*-bot", "-bot"));
        assert!(!glob_match("*-bot", "dask-bot2"));
        assert!(!glob_match("*-bot", "robot"));
        assert!(glob_match("codecov*", "codecov"));
        assert!(glob_match("codecov*", "CodeCov-IO"));
        assert!(glob_match("c?decov", "codecov"));
        assert!(!glob_match("c?decov", "cdecov"));
        assert!(!glob_match("c?decov", "cooodecov"));
        assert!(glob_match("*a*b*", "xxaYYbzz"));
        assert!(glob_match("a*b*c", "abbbc"));
        assert!(!glob_match("a*b*c", "abbbd"));
        assert!(glob_match("??", "日本"));
        assert!(glob_match("**", ""));
        assert!(!glob_match("?", ""));
        assert!(!glob_match("", "a"));
        // `[` is not special: it matches itself.
        assert!(glob_match("*[bot]", "x[bot]"));
        assert!(!glob_match("*[bot]", "xb"));
    }

    proptest::proptest! {
        /// The matcher never panics, a wildcard-free pattern matches exactly itself in any case, and `*` around it matches any surroundings.
        #[test]
        fn glob_is_total_and_consistent(text in "\\PC{0,12}", pre in "\\PC{0,4}", post in "\\PC{0,4}", pattern in "[a-z*?\\[\\]-]{0,8}") {
            let _ = glob_match(&pattern, &text);
            let literal: String = text.chars().filter(|c| *c != '*' && *c != '?').collect();
            proptest::prop_assert!(glob_match(&literal, &literal));
            proptest::prop_assert!(glob_match(&literal.to_ascii_uppercase(), &literal));
            let wrapped = format!("*{literal}*");
            let longer = format!("{pre}{literal}{post}");
            proptest::prop_assert!(glob_match(&wrapped, &longer));
        }
    }

    /// Bots are told by type, by the `[bot]` suffix and by the rubric's patterns; people are not bots.
    #[test]
    fn is_bot_applies_the_built_in_rules_and_the_patterns() {
        let actor = |login: &str, kind: &str| crate::evidence::Actor {
            login: login.into(),
            kind: kind.into(),
        };
        let none = Actors::default();
        assert!(none.is_bot(&actor("helper", "Bot")));
        assert!(none.is_bot(&actor("renovate[bot]", "User")));
        assert!(!none.is_bot(&actor("dask-bot", "User")));
        let globs = Actors {
            responders: Responders::Maintainers,
            bots: vec!["*-bot".into(), "codecov*".into()],
        };
        assert!(globs.is_bot(&actor("Dask-Bot", "User")));
        assert!(globs.is_bot(&actor("codecov-io", "User")));
        assert!(!globs.is_bot(&actor("talbot", "User")));
    }

    use super::*;
    use crate::evidence::{Actor, Response, ResponseKind};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn window() -> Window {
        Window {
            since: at("2026-01-01T00:00:00Z"),
            until: at("2026-07-01T00:00:00Z"),
        }
    }

    fn maintainers() -> Actors {
        Actors::default()
    }

    fn anyone() -> Actors {
        Actors {
            responders: Responders::Anyone,
            bots: Vec::new(),
        }
    }

    fn user(login: &str) -> Actor {
        Actor {
            login: login.into(),
            kind: "User".into(),
        }
    }

    /// An issue by `alice` (no association), opened `created`, with no responses yet.
    fn issue(number: u64, created: &str) -> Item {
        Item {
            number,
            kind: ItemKind::Issue,
            title: format!("issue {number}"),
            url: format!("https://github.com/o/r/issues/{number}"),
            author: Some(user("alice")),
            author_association: "NONE".into(),
            created_at: at(created),
            closed_at: None,
            merged_at: None,
            labels: Vec::new(),
            responses: Vec::new(),
            responses_complete: true,
        }
    }

    fn pr(number: u64, created: &str) -> Item {
        Item {
            kind: ItemKind::PullRequest,
            url: format!("https://github.com/o/r/pull/{number}"),
            ..issue(number, created)
        }
    }

    /// Adds a response `hours` after the item was opened.
    fn reply(
        mut item: Item,
        hours: i64,
        actor: impl Into<Option<Actor>>,
        association: &str,
        kind: ResponseKind,
    ) -> Item {
        item.responses.push(Response {
            at: item.created_at + Duration::hours(hours),
            actor: actor.into(),
            author_association: association.into(),
            kind,
        });
        item
    }

    /// A comment by the maintainer `mia` (MEMBER) `hours` after opening.
    fn answered(item: Item, hours: i64) -> Item {
        reply(item, hours, user("mia"), "MEMBER", ResponseKind::Comment)
    }

    fn get<'a>(m: &'a [Measurement], id: &str) -> &'a Measurement {
        m.iter().find(|x| x.signal == id).unwrap()
    }

    fn value(items: &[Item], actors: &Actors, id: &str) -> Option<f64> {
        get(&measure(Some(items), actors, &window()), id).value
    }

    const P50: &str = "issues.first_response_p50_hours";

    /// Bots never count: by account type, by a login ending in `[bot]`, and by a rubric glob.
    #[test]
    fn bots_are_excluded_by_type_suffix_and_rubric_glob() {
        let mut item = issue(1, "2026-02-01T00:00:00Z");
        let app = Some(Actor {
            login: "helper".into(),
            kind: "Bot".into(),
        });
        item = reply(item, 1, app, "NONE", ResponseKind::Comment);
        item = reply(item, 2, user("Mergify[BOT]"), "NONE", ResponseKind::Comment);
        item = reply(item, 3, user("Dask-Bot"), "MEMBER", ResponseKind::Comment);
        item = answered(item, 10);
        let items = [item];
        let with_glob = Actors {
            responders: Responders::Anyone,
            bots: vec!["*-bot".into()],
        };
        assert_eq!(value(&items, &with_glob, P50), Some(10.0));
        // Without the rubric pattern, the MEMBER account `Dask-Bot` is a person.
        assert_eq!(value(&items, &anyone(), P50), Some(3.0));
    }

    /// The author's own comments are not responses, whatever their association or login case.
    #[test]
    fn the_authors_own_comments_are_ignored() {
        let mut item = issue(1, "2026-02-01T00:00:00Z");
        item.author = Some(user("Owen"));
        item = reply(item, 1, user("owen"), "OWNER", ResponseKind::Comment);
        item = answered(item, 5);
        let items = [item];
        assert_eq!(value(&items, &maintainers(), P50), Some(5.0));
        assert_eq!(value(&items, &anyone(), P50), Some(5.0));
    }

    /// `maintainers` counts OWNER, MEMBER and COLLABORATOR only; `anyone` counts every other person.
    #[test]
    fn maintainers_or_anyone_decide_who_counts() {
        let item = issue(1, "2026-02-01T00:00:00Z");
        let item = reply(item, 2, user("carol"), "CONTRIBUTOR", ResponseKind::Comment);
        let item = reply(item, 6, user("col"), "COLLABORATOR", ResponseKind::Comment);
        let items = [item];
        assert_eq!(value(&items, &maintainers(), P50), Some(6.0));
        assert_eq!(value(&items, &anyone(), P50), Some(2.0));
        let basis = get(&measure(Some(&items), &maintainers(), &window()), P50)
            .basis
            .clone();
        assert!(basis.ends_with("responders: maintainers (OWNER, MEMBER or COLLABORATOR) other than the author, bots excluded"), "{basis}");
        let basis = get(&measure(Some(&items), &anyone(), &window()), P50)
            .basis
            .clone();
        assert!(
            basis.ends_with("responders: anyone but the author, bots excluded"),
            "{basis}"
        );
    }

    /// A deleted ("ghost") responder is neither a bot nor the author: it counts for anyone, and for maintainers by its association.
    #[test]
    fn ghost_responders_count_by_association_only() {
        let mut item = issue(1, "2026-02-01T00:00:00Z");
        // A ghost author too: a ghost response is still not "the author's".
        item.author = None;
        item = reply(item, 1, None, "NONE", ResponseKind::Comment);
        item = reply(item, 4, None, "MEMBER", ResponseKind::Comment);
        let items = [item];
        assert_eq!(value(&items, &anyone(), P50), Some(1.0));
        assert_eq!(value(&items, &maintainers(), P50), Some(4.0));
    }

    /// Issues younger than 7 days at the end of the window are not yet due; due ones unanswered after 7 days are misses.
    #[test]
    fn responded_within_7d_censors_young_issues_and_counts_misses() {
        let items = [
            // Due, answered after 2 days: a hit.
            answered(issue(1, "2026-06-01T00:00:00Z"), 48),
            // Due, answered after exactly 7 days: a hit.
            answered(issue(2, "2026-06-02T00:00:00Z"), 168),
            // Due, answered after 10 days: a miss.
            answered(issue(3, "2026-06-05T00:00:00Z"), 240),
            // Due, never answered: a miss.
            issue(4, "2026-06-03T00:00:00Z"),
            // Opened 3 days before the end: not due, answered or not.
            issue(5, "2026-06-28T00:00:00Z"),
            answered(issue(6, "2026-06-28T00:00:00Z"), 1),
        ];
        let m = measure(Some(&items), &maintainers(), &window());
        let w = get(&m, "issues.responded_within_7d");
        assert_eq!(w.value, Some(0.5));
        assert_eq!(w.n, 4);
        assert_eq!(w.window.until, at("2026-06-24T00:00:00Z"));
        // Misses, oldest first.
        let labels: Vec<&str> = w.examples.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["#4 issue 4", "#3 issue 3"]);
        assert!(
            w.examples
                .iter()
                .all(|e| e.note.as_deref() == Some("no response within 7 days"))
        );
        assert_eq!(w.examples[1].value.as_deref(), Some("240.0 h"));
        assert!(
            w.basis.contains("2 younger issues not yet due"),
            "{}",
            w.basis
        );
        assert!(
            w.basis.contains("(1 answered later, 1 still waiting)"),
            "{}",
            w.basis
        );
        // Only young issues: nothing is due yet.
        let m = measure(Some(&items[4..]), &maintainers(), &window());
        let reason = get(&m, "issues.responded_within_7d").insufficient.clone();
        assert!(reason.unwrap().contains("2 not yet due"));
    }

    /// With responses not all fetched and none counting among them, the first response is unknown: left out and counted.
    #[test]
    fn unknown_first_responses_are_excluded_and_counted() {
        let mut unknown = reply(
            issue(1, "2026-02-01T00:00:00Z"),
            1,
            user("alice"),
            "NONE",
            ResponseKind::Comment,
        );
        unknown.responses_complete = false;
        // Incomplete, but a counting response was fetched: it is the first.
        let mut known = answered(issue(2, "2026-02-01T00:00:00Z"), 30);
        known.responses_complete = false;
        let waiting = issue(3, "2026-02-01T00:00:00Z");
        let items = [unknown, known, waiting];
        let m = measure(Some(&items), &maintainers(), &window());
        let p50 = get(&m, P50);
        assert_eq!((p50.value, p50.n), (Some(30.0), 1));
        assert!(
            p50.basis
                .contains("1 still waiting for a response that counts, 1 with an unknown first response (left out"),
            "{}",
            p50.basis
        );
        let w = get(&m, "issues.responded_within_7d");
        // The known issue (answered after 30 h: a hit) and the waiting one (a miss); not the unknown one.
        assert_eq!((w.value, w.n), (Some(0.5), 2));
        assert!(
            w.basis.contains("1 with an unknown first response"),
            "{}",
            w.basis
        );
        // Only unknowns: the reason says so.
        let m = measure(Some(&items[..1]), &maintainers(), &window());
        assert_eq!(
            get(&m, P50).insufficient.as_deref(),
            Some(
                "no issue opened in the window got a response that counts (1 issue, 0 still waiting, 1 unknown)"
            )
        );
    }

    /// Items opened outside the window are ignored, and what happens after its end has not happened yet.
    #[test]
    fn items_outside_the_window_are_ignored() {
        let mut before = answered(issue(1, "2025-12-01T00:00:00Z"), 1);
        before.closed_at = Some(at("2026-02-01T00:00:00Z"));
        let after = answered(issue(2, "2026-07-02T00:00:00Z"), 1);
        // Answered and closed only after the end of the window.
        let mut late = answered(issue(3, "2026-06-01T00:00:00Z"), 24 * 40);
        late.closed_at = Some(at("2026-08-01T00:00:00Z"));
        let inside = answered(issue(4, "2026-03-01T00:00:00Z"), 7);
        let items = [before, after, late, inside];
        let m = measure(Some(&items), &maintainers(), &window());
        let p50 = get(&m, P50);
        assert_eq!((p50.value, p50.n), (Some(7.0), 1));
        assert!(p50.basis.contains("1 still waiting"), "{}", p50.basis);
        assert_eq!(
            get(&m, "issues.resolution_p50_days")
                .insufficient
                .as_deref(),
            Some("none of the 2 issues opened in the window is closed")
        );
        let m = measure(Some(&items[..2]), &maintainers(), &window());
        assert_eq!(
            get(&m, P50).insufficient.as_deref(),
            Some("no issue was opened in the window (2 items collected were opened outside it)")
        );
    }

    /// The median and 90th percentile match values computed by hand (numpy's linear interpolation).
    #[test]
    fn percentiles_match_hand_computed_values() {
        // First responses after 1, 2, ..., 10 hours.
        let mut items: Vec<Item> = (1..=10)
            .map(|h| answered(issue(h, "2026-02-01T00:00:00Z"), i64::try_from(h).unwrap()))
            .collect();
        // Closed after 1, 3 and 10 days.
        for (i, d) in [(0, 1), (1, 3), (2, 10)] {
            items[i].closed_at = Some(items[i].created_at + Duration::days(d));
        }
        // Merged after 2 and 5 days; one closed unmerged, one open.
        for (n, d) in [(21, Some(2)), (22, Some(5)), (23, None), (24, None)] {
            let mut p = pr(n, "2026-03-01T00:00:00Z");
            if let Some(d) = d {
                p.merged_at = Some(p.created_at + Duration::days(d));
                p.closed_at = p.merged_at;
            } else if n == 23 {
                p.closed_at = Some(p.created_at + Duration::days(1));
            }
            items.push(p);
        }
        let m = measure(Some(&items), &maintainers(), &window());
        assert_eq!(get(&m, P50).value, Some(5.5));
        // Position 0.9 * 9 = 8.1: 9 + 0.1 * (10 - 9).
        let p90 = get(&m, "issues.first_response_p90_hours").value.unwrap();
        assert!((p90 - 9.1).abs() < 1e-9, "{p90}");
        assert_eq!(get(&m, "issues.resolution_p50_days").value, Some(3.0));
        assert_eq!(get(&m, "issues.resolution_p50_days").n, 3);
        let merge = get(&m, "prs.merge_p50_days");
        assert_eq!((merge.value, merge.n), (Some(3.5), 2));
        assert!(
            merge
                .basis
                .starts_with("2 merged pull requests out of the 4 opened in the window (1 open, 1 closed without merge)"),
            "{}",
            merge.basis
        );
    }

    /// Pull requests take reviews, review comments and comments as responses; issue signals never see pull requests.
    #[test]
    fn pull_requests_use_reviews_and_comments_and_issues_exclude_them() {
        let items = [
            reply(
                pr(1, "2026-02-01T00:00:00Z"),
                3,
                user("mia"),
                "MEMBER",
                ResponseKind::Review,
            ),
            reply(
                pr(2, "2026-02-01T00:00:00Z"),
                5,
                user("mia"),
                "MEMBER",
                ResponseKind::ReviewComment,
            ),
            answered(pr(3, "2026-02-01T00:00:00Z"), 7),
            answered(issue(4, "2026-02-01T00:00:00Z"), 20),
        ];
        let m = measure(Some(&items), &maintainers(), &window());
        let review = get(&m, "prs.first_review_p50_hours");
        assert_eq!((review.value, review.n), (Some(5.0), 3));
        let p50 = get(&m, P50);
        assert_eq!((p50.value, p50.n), (Some(20.0), 1));
        // Without any issue, the issue signals say so.
        let m = measure(Some(&items[..3]), &maintainers(), &window());
        assert_eq!(
            get(&m, P50).insufficient.as_deref(),
            Some("no issue was opened in the window")
        );
    }

    /// No GitHub source, an empty list, or no answered item gives reasons, not zeros.
    #[test]
    fn missing_evidence_is_insufficient_with_a_reason() {
        let m = measure(None, &maintainers(), &window());
        assert_eq!(m.len(), 6);
        assert!(m.iter().all(|x| x.value.is_none()
            && x.insufficient.as_deref()
                == Some("no issues or pull requests were collected for this target (a GitHub source is needed)")));
        let m = measure(Some(&[]), &maintainers(), &window());
        assert!(m.iter().all(|x| x.value.is_none() && x.examples.is_empty()));
        assert_eq!(
            get(&m, "prs.merge_p50_days").insufficient.as_deref(),
            Some("no pull request was opened in the window")
        );
        let items = [
            issue(1, "2026-02-01T00:00:00Z"),
            issue(2, "2026-02-02T00:00:00Z"),
        ];
        let m = measure(Some(&items), &maintainers(), &window());
        assert_eq!(
            get(&m, P50).insufficient.as_deref(),
            Some(
                "no issue opened in the window got a response that counts (2 issues, 2 still waiting)"
            )
        );
        assert_eq!(get(&m, "issues.responded_within_7d").value, Some(0.0));
    }

    /// Examples are the ten slowest answered items, slowest first, with link, value and opening day.
    #[test]
    fn examples_are_the_slowest_ten() {
        let items: Vec<Item> = (1..=12)
            .map(|h| answered(issue(h, "2026-02-01T10:00:00Z"), i64::try_from(h).unwrap()))
            .chain([issue(13, "2026-02-01T00:00:00Z")])
            .collect();
        let m = measure(Some(&items), &maintainers(), &window());
        let ex = &get(&m, P50).examples;
        assert_eq!(ex.len(), 10);
        assert_eq!(ex[0].label, "#12 issue 12");
        assert_eq!(ex[0].value.as_deref(), Some("12.0 h"));
        assert_eq!(ex[0].date.as_deref(), Some("2026-02-01"));
        assert_eq!(
            ex[0].url.as_deref(),
            Some("https://github.com/o/r/issues/12")
        );
        assert_eq!(ex[9].label, "#3 issue 3");
        // The still-waiting issue is not an example.
        assert!(ex.iter().all(|e| !e.label.starts_with("#13")));
    }

    /// Items opened by bots (dependency updates) are left out of every signal.
    #[test]
    fn items_opened_by_bots_are_left_out() {
        let window = Window {
            since: DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            until: DateTime::parse_from_rfc3339("2026-12-31T00:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        };
        let created = DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let pr = |n: u64, login: &str, kind: &str, merged_hours: i64| Item {
            number: n,
            kind: ItemKind::PullRequest,
            title: format!("pr {n}"),
            url: String::new(),
            author: Some(crate::evidence::Actor {
                login: login.into(),
                kind: kind.into(),
            }),
            author_association: "NONE".into(),
            created_at: created,
            closed_at: None,
            merged_at: Some(created + chrono::Duration::hours(merged_hours)),
            labels: Vec::new(),
            responses: Vec::new(),
            responses_complete: true,
        };
        let items = vec![
            pr(1, "dependabot[bot]", "Bot", 1),
            pr(2, "alice", "User", 48),
            pr(3, "renovate", "Bot", 2),
        ];
        let m = measure(
            Some(&items),
            &super::Actors {
                responders: super::Responders::Anyone,
                bots: Vec::new(),
            },
            &window,
        );
        let merge = m.iter().find(|x| x.signal == "prs.merge_p50_days").unwrap();
        assert_eq!((merge.value, merge.n), (Some(2.0), 1));
    }
}
