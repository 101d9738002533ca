//! What templates see: the report with every number already formatted for
//! people. Built-in and user templates get the same data; the README
//! documents its fields. Strings here are raw; the markdown escape is
//! applied by handlebars on output (`{{x}}`), so every untrusted string is
//! escaped unless a template deliberately writes `{{{x}}}`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Report, RubricInfo};
use crate::collect::bench_results::{INPUTS, flags_text};
use crate::evidence::{Provenance, TargetInfo};
use crate::rubric::score::{CategoryScore, CriterionScore, Scorecard, Status};
use crate::signals::trends::{Trend, TrendSeries};
use crate::signals::{self, Measurement, Unit};
use crate::window::Window;

/// How many examples a measurement shows in markdown; the JSON has all.
pub(super) const EXAMPLES_SHOWN: usize = 15;

#[derive(Serialize)]
pub(super) struct ReportView {
    pub tool: String,
    pub target: TargetInfo,
    pub has_score: bool,
    pub score: String,
    pub grade: String,
    pub coverage: String,
    /// The names of the required categories without evidence, as one
    /// phrase (`Benchmarks`, `Tests and Benchmarks`); empty when none.
    pub missing_required: String,
    /// Why the grade is withheld (`coverage 25 % is under the rubric's
    /// minimum 50 %`); empty when there is a grade.
    pub withheld: String,
    /// Which source would add the most coverage, when the grade is withheld
    /// (``The source that would add the most: `--github OWNER/REPO`, up to
    /// 39.3 % of the rubric's weight``); else empty. Markdown built here from
    /// fixed text only, so templates write it raw (`{{{suggestion}}}`).
    pub suggestion: String,
    /// Every scored criterion is a release signal: the score is a release-cadence score.
    pub release_only: bool,
    /// The score with its label: `62.0` or `62.0 (release cadence only)`.
    pub score_label: String,
    /// Signals not measured because a source that was asked for could not
    /// be read: one line per reason, `issues.*, prs.*: <reason>`.
    pub not_measured: Vec<String>,
    pub window: WindowView,
    pub collected_at: String,
    pub rubric: RubricInfo,
    pub categories: Vec<CategoryView>,
    pub measurements: Vec<MeasurementView>,
    pub charts: Vec<ChartView>,
    pub sources: Vec<Provenance>,
}

/// A trend as a mermaid chart and the table of the same numbers.
#[derive(Serialize)]
pub(super) struct ChartView {
    pub title: String,
    /// The mermaid `xychart-beta` source, written raw (`{{{mermaid}}}`): every
    /// text in it is built here and cleaned by [`mermaid_text`].
    pub mermaid: String,
    /// Column headers: the x axis, each series, `n`.
    pub columns: Vec<String>,
    /// One row per point drawn: the label, each series' value, n.
    pub rows: Vec<Vec<String>>,
    /// Periods not drawn for want of data, comma-separated.
    pub missing: String,
    pub note: String,
}

#[derive(Serialize)]
pub(super) struct WindowView {
    pub since: String,
    pub until: String,
    pub days: String,
}

#[derive(Serialize)]
pub(super) struct CategoryView {
    pub id: String,
    pub name: String,
    pub weight: String,
    pub has_score: bool,
    pub score: String,
    pub coverage: String,
    pub criteria: Vec<CriterionView>,
}

#[derive(Serialize)]
pub(super) struct CriterionView {
    pub signal: String,
    pub title: String,
    pub value: String,
    pub n: u64,
    pub good: String,
    pub bad: String,
    pub weight: String,
    pub scored: bool,
    pub score: String,
    /// One line: the value, the scale and the result, or why there is none.
    pub explain: String,
    pub why: String,
}

#[derive(Serialize)]
pub(super) struct MeasurementView {
    pub signal: String,
    pub title: String,
    pub value: String,
    pub n: u64,
    pub window: String,
    pub source: String,
    pub basis: String,
    pub insufficient: Option<String>,
    /// The value is missing because its source could not be read:
    /// `insufficient` then holds the reason after `not measured: `.
    pub not_measured: bool,
    pub examples: Vec<ExampleView>,
    /// Examples left out of the markdown (all are in the JSON).
    pub more: usize,
}

#[derive(Serialize)]
pub(super) struct ExampleView {
    pub label: String,
    pub date: String,
    pub value: String,
    pub note: String,
    pub url: Option<String>,
}

/// A URL that is safe to write raw inside a markdown link: http(s) only
/// (no `javascript:`), with every character that could end the link or
/// start markup percent-encoded. Anything else is not linked at all.
#[must_use]
pub(super) fn safe_url(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c),
            '-' | '.' | '_' | '~' | '/' | ':' | '?' | '#' | '=' | '&' | '%' | '+' | ',' | ';'
            | '@' | '!' | '$' | '\'' | '*' => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    Some(out)
}

/// The web origin (`scheme://host[:port]`, lower case) of an http(s) URL;
/// `None` for any other scheme, or a URL without a host.
#[must_use]
pub(super) fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if authority.is_empty() {
        return None;
    }
    Some(format!("{scheme}://{authority}"))
}

/// The hosts a report links to: the web host of each GitHub API the
/// evidence was read from (`https://github.com` for `https://api.github.com`,
/// `https://HOST` for `https://HOST/api/v3`, the API's own host otherwise),
/// taken from the sources' provenance. A URL from an API answer that points
/// anywhere else is shown as text, not linked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct WebHosts(Vec<String>);

impl WebHosts {
    /// The web hosts of the GitHub APIs in `sources`: every `github ...`
    /// source whose location is an API URL (`BASE/repos/OWNER/REPO/...`).
    #[must_use]
    pub(super) fn of(sources: &[Provenance]) -> WebHosts {
        let mut hosts: Vec<String> = Vec::new();
        for p in sources.iter().filter(|p| p.source.starts_with("github")) {
            let Some((base, _)) = p.location.split_once("/repos/") else {
                continue;
            };
            let Some(api) = origin(base) else { continue };
            let web = match api.as_str() {
                "https://api.github.com" => "https://github.com".to_string(),
                _ => api,
            };
            if !hosts.contains(&web) {
                hosts.push(web);
            }
        }
        WebHosts(hosts)
    }

    /// `url` as a link target, when it is safe to write raw ([`safe_url`])
    /// and, as written, on one of these hosts. The host is read from the
    /// encoded URL, so that `https://github.com\@evil.example/`, which a
    /// browser reads as github.com but encoded reads as evil.example, is
    /// not linked.
    #[must_use]
    pub(super) fn link(&self, url: &str) -> Option<String> {
        let safe = safe_url(url)?;
        let o = origin(&safe)?;
        self.0.contains(&o).then_some(safe)
    }
}

fn example(e: &signals::Example, hosts: &WebHosts) -> ExampleView {
    let url = e.url.as_deref().and_then(|u| hosts.link(u));
    // A URL the report does not link is still shown, as (escaped) text.
    let label = match (&url, &e.url) {
        (None, Some(text)) if !text.is_empty() => format!("{} ({text})", e.label),
        _ => e.label.clone(),
    };
    ExampleView {
        label,
        date: e.date.clone().unwrap_or_default(),
        value: e.value.clone().unwrap_or_default(),
        note: e.note.clone().unwrap_or_default(),
        url,
    }
}

/// `a`, `a and b`, `a, b and c`.
#[must_use]
pub(super) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The display names of the scorecard's `missing_required` categories, as
/// one phrase; an id without a category of its own is shown as it is.
#[must_use]
pub(super) fn required_names(card: &Scorecard) -> String {
    let names: Vec<String> = card
        .missing_required
        .iter()
        .map(|id| {
            card.categories
                .iter()
                .find(|c| &c.id == id)
                .map_or_else(|| id.clone(), |c| c.name.clone())
        })
        .collect();
    and_list(&names)
}

/// What a number that is not finite (NaN, infinite) is shown as.
pub(super) const NOT_A_NUMBER: &str = "n/a";

/// `0.833` as `83.3 %`, `1.0` as `100 %`; `n/a` when not finite.
#[must_use]
pub(super) fn percent(share: f64) -> String {
    let p = share * 100.0;
    if !p.is_finite() {
        return NOT_A_NUMBER.to_string();
    }
    if (p - p.round()).abs() < 0.05 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}

/// The overall score, labelled when it rests on release signals alone.
#[must_use]
pub(super) fn score_label(card: &Scorecard) -> String {
    let text = score_text(card.score);
    if card.release_only {
        format!("{text} (release cadence only)")
    } else {
        text
    }
}

/// One line per reason a source could not be read, naming the signal
/// families it leaves unmeasured: `issues.*, prs.*: <reason>`.
#[must_use]
pub(super) fn not_measured(measurements: &[Measurement]) -> Vec<String> {
    let mut by_reason: Vec<(&str, Vec<&str>)> = Vec::new();
    for m in measurements {
        let Some(reason) = m
            .insufficient
            .as_deref()
            .and_then(|r| r.strip_prefix(signals::NOT_MEASURED))
        else {
            continue;
        };
        let family = m.signal.split('.').next().unwrap_or(&m.signal);
        match by_reason.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, families)) if !families.contains(&family) => families.push(family),
            Some(_) => {}
            None => by_reason.push((reason, vec![family])),
        }
    }
    by_reason
        .into_iter()
        .map(|(reason, families)| {
            let names: Vec<String> = families.iter().map(|f| format!("{f}.*")).collect();
            format!("{}: {reason}", names.join(", "))
        })
        .collect()
}

/// The source that would back the most of the rubric's weight still
/// unbacked, as advice; empty when no source not already read would help.
/// Only criteria without any value count: a value with too few samples
/// needs a longer window, not another source.
fn suggestion(r: &Report) -> String {
    let has = |source: &str| r.sources.iter().any(|s| s.source == source);
    let kind = r.target.kind.as_str();
    let bench_read = INPUTS.iter().any(|k| has(k.source));
    let bench_hint = format!("benchmark results ({})", flags_text());
    let hint = |signal: &str| -> Option<&str> {
        match signal.split('.').next().unwrap_or("") {
            "issues" | "prs" | "ci" if kind == "git" => Some("`--github OWNER/REPO`"),
            "issues" | "prs" | "ci" | "release" if kind == "artifacts" => {
                Some("a repository (`OWNER/REPO`, or a clone with `--github OWNER/REPO`)")
            }
            "tests" if !has("junit") => Some("JUnit XML files (`--junit`)"),
            "bench" if !bench_read => Some(bench_hint.as_str()),
            _ => None,
        }
    };
    let total: f64 = r.scorecard.categories.iter().map(|c| c.weight).sum();
    let mut gain: Vec<(&str, f64)> = Vec::new();
    for c in &r.scorecard.categories {
        let all: f64 = c.criteria.iter().map(|k| k.weight).sum();
        if !(total > 0.0 && all > 0.0) {
            continue;
        }
        for k in c.criteria.iter().filter(|k| k.value.is_none()) {
            if let Some(h) = hint(&k.signal) {
                let share = c.weight / total * k.weight / all;
                match gain.iter_mut().find(|(x, _)| *x == h) {
                    Some((_, g)) => *g += share,
                    None => gain.push((h, share)),
                }
            }
        }
    }
    gain.into_iter()
        .filter(|(_, g)| g.is_finite() && *g > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or_else(String::new, |(h, g)| {
            format!(
                "The source that would add the most: {h}, up to {} of the rubric's weight",
                percent(g)
            )
        })
}

/// A score with one decimal, or `n/a` (also when not finite).
#[must_use]
pub(super) fn score_text(score: Option<f64>) -> String {
    score
        .filter(|s| s.is_finite())
        .map_or_else(|| NOT_A_NUMBER.to_string(), |s| format!("{s:.1}"))
}

/// A value in its unit, or `n/a` (also when not finite).
#[must_use]
pub(super) fn value_text(unit: Unit, value: Option<f64>) -> String {
    value
        .filter(|v| v.is_finite())
        .map_or_else(|| NOT_A_NUMBER.to_string(), |v| unit.format(v))
}

/// A plain number: no decimals when whole; `n/a` when not finite.
fn number(x: f64) -> String {
    if !x.is_finite() {
        NOT_A_NUMBER.to_string()
    } else if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

fn window_text(w: &Window) -> String {
    format!("{} to {}", day(w.since), day(w.until))
}

/// The title of a signal for people.
#[must_use]
pub(super) fn title(signal: &str) -> String {
    signals::find(signal).map_or_else(|| signal.to_string(), |d| d.title.to_string())
}

/// One line on how a criterion got its score, or why it has none: the
/// measured value, n, and the rubric's good and bad.
#[must_use]
pub(super) fn explain(k: &CriterionScore) -> String {
    let scale = format!(
        "good {} scores 100, bad {} scores 0",
        k.unit.format(k.good),
        k.unit.format(k.bad)
    );
    match (k.status, k.value) {
        (Status::Scored, Some(v)) => format!(
            "{} with n = {}; {scale}, so it scores {}",
            k.unit.format(v),
            k.n,
            score_text(k.score)
        ),
        (_, Some(v)) => format!(
            "insufficient evidence, not scored: {} ({}); {scale}",
            k.unit.format(v),
            k.reason.as_deref().unwrap_or("too few samples")
        ),
        _ => match k
            .reason
            .as_deref()
            .and_then(|r| r.strip_prefix(signals::NOT_MEASURED))
        {
            Some(why) => format!("not measured, not scored: {why}; {scale}"),
            None => format!(
                "insufficient evidence, not scored: {} (n = {}); {scale}",
                k.reason.as_deref().unwrap_or("no value"),
                k.n
            ),
        },
    }
}

fn criterion(k: &CriterionScore) -> CriterionView {
    CriterionView {
        signal: k.signal.clone(),
        title: title(&k.signal),
        value: value_text(k.unit, k.value),
        n: k.n,
        good: k.unit.format(k.good),
        bad: k.unit.format(k.bad),
        weight: number(k.weight),
        scored: k.status == Status::Scored,
        score: score_text(k.score),
        explain: explain(k),
        why: k.why.clone(),
    }
}

fn category(c: &CategoryScore) -> CategoryView {
    CategoryView {
        id: c.id.clone(),
        name: c.name.clone(),
        weight: number(c.weight),
        has_score: c.score.is_some(),
        score: score_text(c.score),
        coverage: percent(c.coverage),
        criteria: c.criteria.iter().map(criterion).collect(),
    }
}

fn measurement(m: &Measurement, hosts: &WebHosts) -> MeasurementView {
    MeasurementView {
        signal: m.signal.clone(),
        title: title(&m.signal),
        value: value_text(m.unit, m.value),
        n: m.n,
        window: window_text(&m.window),
        source: m.source.clone(),
        basis: m.basis.clone(),
        insufficient: m.insufficient.as_deref().map(|r| {
            r.strip_prefix(signals::NOT_MEASURED)
                .unwrap_or(r)
                .to_string()
        }),
        not_measured: m
            .insufficient
            .as_deref()
            .is_some_and(|r| r.starts_with(signals::NOT_MEASURED)),
        examples: m
            .examples
            .iter()
            .take(EXAMPLES_SHOWN)
            .map(|e| example(e, hosts))
            .collect(),
        more: m.examples.len().saturating_sub(EXAMPLES_SHOWN),
    }
}

/// Text safe inside a quoted mermaid string: letters, digits, spaces and
/// plain punctuation; anything else (quotes, backticks, brackets of markup,
/// newlines) becomes `_`, and `](` is split so that nothing reads as a
/// markdown link. At most 80 characters.
#[must_use]
pub fn mermaid_text(s: &str) -> String {
    let plain: String = s
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .,:;_-+/()[]=%".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    plain.replace("](", "] (")
}

/// A chart value as written both in the chart and in its table.
pub(super) fn chart_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn chart(t: &Trend) -> Option<ChartView> {
    // A point is drawn when every series has a value there.
    let drawn: Vec<usize> = (0..t.labels.len())
        .filter(|&i| {
            t.series
                .iter()
                .all(|s| s.values.get(i).copied().flatten().is_some())
        })
        .collect();
    if drawn.is_empty() {
        return None;
    }
    let value = |s: &TrendSeries, i: usize| s.values[i].unwrap_or(0.0);
    let labels: Vec<String> = drawn
        .iter()
        .map(|&i| format!("\"{}\"", mermaid_text(&t.labels[i])))
        .collect();
    let mut m = format!(
        "xychart-beta\n    title \"{}\"\n    x-axis [{}]\n",
        mermaid_text(&t.title),
        labels.join(", ")
    );
    let all_bars = t.series.iter().all(|s| s.kind == "bar");
    if all_bars {
        let top = drawn
            .iter()
            .flat_map(|&i| t.series.iter().map(move |s| value(s, i)))
            .fold(1.0f64, f64::max);
        m.push_str(&format!(
            "    y-axis \"{}\" 0 --> {}\n",
            mermaid_text(&t.y),
            chart_number(top.ceil())
        ));
    } else {
        m.push_str(&format!("    y-axis \"{}\"\n", mermaid_text(&t.y)));
    }
    for s in &t.series {
        let kind = if s.kind == "bar" { "bar" } else { "line" };
        let values: Vec<String> = drawn.iter().map(|&i| chart_number(value(s, i))).collect();
        m.push_str(&format!("    {kind} [{}]\n", values.join(", ")));
    }
    let mut columns = vec![t.x.clone()];
    columns.extend(t.series.iter().map(|s| s.name.clone()));
    columns.push("n".into());
    let rows = drawn
        .iter()
        .map(|&i| {
            let mut row = vec![t.labels[i].clone()];
            row.extend(t.series.iter().map(|s| chart_number(value(s, i))));
            row.push(t.n.get(i).copied().unwrap_or(0).to_string());
            row
        })
        .collect();
    let missing: Vec<&str> = (0..t.labels.len())
        .filter(|i| !drawn.contains(i))
        .map(|i| t.labels[i].as_str())
        .collect();
    Some(ChartView {
        title: t.title.clone(),
        mermaid: m.trim_end().to_string(),
        columns,
        rows,
        missing: missing.join(", "),
        note: t.note.clone().unwrap_or_default(),
    })
}

impl ReportView {
    #[must_use]
    pub(super) fn new(r: &Report) -> ReportView {
        ReportView {
            tool: r.tool.clone(),
            target: r.target.clone(),
            has_score: r.scorecard.score.is_some(),
            score: score_text(r.scorecard.score),
            grade: r.scorecard.grade.clone(),
            coverage: percent(r.scorecard.coverage),
            missing_required: required_names(&r.scorecard),
            withheld: r.scorecard.withheld.clone().unwrap_or_default(),
            suggestion: if r.scorecard.withheld.is_some() {
                suggestion(r)
            } else {
                String::new()
            },
            release_only: r.scorecard.release_only,
            score_label: score_label(&r.scorecard),
            not_measured: not_measured(&r.measurements),
            window: WindowView {
                since: day(r.window.since),
                until: day(r.window.until),
                days: format!("{:.0}", r.window.days()),
            },
            collected_at: r.collected_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            rubric: r.rubric.clone(),
            categories: r.scorecard.categories.iter().map(category).collect(),
            measurements: {
                let hosts = WebHosts::of(&r.sources);
                r.measurements
                    .iter()
                    .map(|m| measurement(m, &hosts))
                    .collect()
            },
            charts: r.trends.iter().filter_map(chart).collect(),
            sources: r.sources.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github(location: &str) -> Provenance {
        Provenance {
            source: "github releases".into(),
            location: location.into(),
            items: 0,
            item: "releases".into(),
            requests: 1,
            complete: true,
            notes: Vec::new(),
            fetched_at: None,
        }
    }

    /// Links go only to the web host of the API the evidence came from.
    #[test]
    fn links_go_only_to_the_apis_web_host() {
        let dotcom = WebHosts::of(&[github(
            "https://api.github.com/repos/o/r/releases?per_page=100",
        )]);
        let issue = "https://github.com/o/r/issues/1";
        assert_eq!(dotcom.link(issue).as_deref(), Some(issue));
        assert_eq!(
            dotcom.link("HTTPS://GitHub.com/o/r/issues/1").as_deref(),
            Some("HTTPS://GitHub.com/o/r/issues/1")
        );
        for other in [
            "https://evil.example/o/r/issues/1",
            "https://github.com.evil.example/x",
            "https://github.com@evil.example/x",
            "https://github.com\\@evil.example/x",
            "https://github.com\t.evil.example/x",
            "https://github.com:8443/x",
            "http://github.com/x",
            "https://api.github.com/repos/o/r",
            "javascript://github.com/%0Aalert(1)",
        ] {
            assert_eq!(dotcom.link(other), None, "{other}");
        }
        let ghe = WebHosts::of(&[github(
            "https://ghe.example.com/api/v3/repos/o/r/actions/runs",
        )]);
        assert_eq!(
            ghe.link("https://ghe.example.com/o/r/pull/2").as_deref(),
            Some("https://ghe.example.com/o/r/pull/2")
        );
        assert_eq!(ghe.link(issue), None);
        // No GitHub API among the sources (a clone, artifacts): nothing is linked.
        let mut local = github("https://api.github.com/repos/o/r/releases");
        local.source = "git".into();
        assert_eq!(WebHosts::of(&[local]).link(issue), None);
        assert_eq!(WebHosts::of(&[github("o/r (GraphQL)")]).link(issue), None);
    }

    /// A URL that is not linked is still shown, as text beside the label.
    #[test]
    fn unlinked_urls_are_shown_as_text() {
        let e = signals::Example {
            label: "#1 title".into(),
            date: None,
            value: None,
            note: None,
            url: Some("https://evil.example/x".into()),
        };
        let v = example(&e, &WebHosts::default());
        assert_eq!(v.url, None);
        assert_eq!(v.label, "#1 title (https://evil.example/x)");
    }

    /// Number helpers print `n/a`, never `NaN` or `inf`.
    #[test]
    fn numbers_are_never_nan_or_inf() {
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(percent(x), "n/a");
            assert_eq!(score_text(Some(x)), "n/a");
            assert_eq!(number(x), "n/a");
            assert_eq!(value_text(Unit::Hours, Some(x)), "n/a");
            assert_eq!(Unit::Fraction.format(x), "n/a");
        }
    }

    /// Only http(s) URLs are linked, with markup characters percent-encoded.
    #[test]
    fn urls_are_linked_only_when_safe() {
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("JaVaScRiPt:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,x"), None);
        assert_eq!(
            safe_url("https://github.com/o/r/issues/1").as_deref(),
            Some("https://github.com/o/r/issues/1")
        );
        assert_eq!(
            safe_url("https://x/a) [y](javascript:z").as_deref(),
            Some("https://x/a%29%20%5By%5D%28javascript:z")
        );
        assert_eq!(
            safe_url("https://x/<b>\n").as_deref(),
            Some("https://x/%3Cb%3E%0A")
        );
    }

    /// Shares, scores and numbers read as people write them.
    #[test]
    fn percentages_and_scores_read_well() {
        assert_eq!(percent(1.0), "100 %");
        assert_eq!(percent(0.8333), "83.3 %");
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(score_text(Some(72.46)), "72.5");
        assert_eq!(score_text(None), "n/a");
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(2.0), "2");
    }
}
