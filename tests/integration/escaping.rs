//! Hostile text from the outside world (issue titles and logins, test,
//! workflow, tag and benchmark names, benchmark parameters, machines and
//! units, source notes) reaches the markdown report and the comparison only
//! escaped: no HTML, no broken table, no link, no mention, no code fence.
//! A GFM renderer with GitHub's autolink extension checks that no bare URL,
//! `www.` name or e-mail address in it becomes a link, and that the report's
//! own links go only to the web host of the API the evidence came from.

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use readiness::evidence::{
    Actor, BenchEvidence, BenchPoint, BenchSeries, Direction, Evidence, Item, ItemKind, Provenance,
    ReleaseRule, Response, ResponseKind, Tag, TagKind, TargetInfo, TestEvidence, TestRun,
    TimeSource, WorkflowRun,
};
use readiness::window::Window;

use crate::common::Workspace;

const HOSTILE: &str = "x | y <script>alert(1)</script> `code` \n newline @user [link](javascript:alert(1)) ``` end \
     see https://evil.example/p www.evil.example me@evil.example mailto:a@evil.example \
     ftp://evil.example/f WWW.Evil.Example #12 acme/w#3 GH-7 ![i](https://evil.example/i.png)";

/// The hostile text, marked with the field it goes into.
fn hostile(field: &str) -> String {
    format!("{field}= {HOSTILE}")
}

/// Where the evidence came from: the GitHub API at api.github.com, so the
/// report may link to github.com and nowhere else.
fn github_source() -> Provenance {
    Provenance {
        source: "github releases".into(),
        location: "https://api.github.com/repos/acme/w/releases?per_page=100".into(),
        items: 0,
        item: "releases".into(),
        requests: 1,
        complete: true,
        notes: vec![hostile("githubnote")],
        fetched_at: None,
    }
}

/// Twelve failing or passing workflow runs with a hostile name; half link to another host.
fn hostile_runs() -> Vec<WorkflowRun> {
    (0..12u64)
        .map(|i| {
            let created = t(20 + i64::try_from(i).unwrap());
            WorkflowRun {
                id: i + 1,
                workflow: hostile("workflow"),
                workflow_id: 1,
                head_sha: format!("{:040x}", i + 1),
                head_branch: Some("main".into()),
                event: "push".into(),
                status: "completed".into(),
                conclusion: Some(if i % 2 == 0 { "failure" } else { "success" }.into()),
                run_attempt: 1,
                created_at: created,
                run_started_at: Some(created),
                updated_at: created + Duration::minutes(10),
                url: if i % 4 == 0 {
                    format!("https://evil.example/acme/w/actions/runs/{}", i + 1)
                } else {
                    format!("https://github.com/acme/w/actions/runs/{}", i + 1)
                },
            }
        })
        .collect()
}

/// Tests with hostile names that fail, and one that is flaky on a commit.
fn hostile_tests() -> TestEvidence {
    TestEvidence {
        digests: Vec::new(),
        tests: vec![hostile("testname"), hostile("testname2"), "ok::t".into()],
        runs: (0..6)
            .map(|i| TestRun {
                file: hostile("junitfile"),
                commit: Some(format!("c{}", i / 2)),
                time: Some(t(30 + i)),
                time_source: TimeSource::Attribute,
                outcomes: if i % 2 == 0 { "fpp" } else { "ffp" }.into(),
                env: Some(hostile("junitenv")),
            })
            .collect(),
    }
}

/// Tags with hostile names, every one a release by the tag pattern.
fn hostile_tags() -> Vec<Tag> {
    (0..8)
        .map(|i| Tag {
            name: format!("{} {i}", hostile("tag")),
            date: (t(5 + i * 20)).with_timezone(&FixedOffset::east_opt(0).unwrap()),
            kind: TagKind::Annotated,
            commit: None,
            shares_history: None,
        })
        .collect()
}

fn t(days: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::days(days)
}

fn hostile_evidence() -> Evidence {
    let window = Window {
        since: t(0),
        until: t(200),
    };
    let items = (0..12)
        .map(|i| {
            let day = i64::try_from(i).unwrap();
            Item {
                number: i + 1,
                kind: ItemKind::Issue,
                title: format!("{} {i}", hostile("issue")),
                url: if i % 3 == 0 {
                    format!("https://evil.example/acme/w/issues/{}", i + 1)
                } else {
                    format!("https://github.com/acme/w/issues/{}", i + 1)
                },
                author: Some(Actor {
                    login: hostile("login"),
                    kind: "User".into(),
                }),
                author_association: "NONE".into(),
                created_at: t(10 + day),
                closed_at: None,
                merged_at: None,
                labels: vec![hostile("label")],
                responses: vec![Response {
                    at: t(10 + day) + Duration::hours(5 + day * 10),
                    actor: Some(Actor {
                        login: "maintainer".into(),
                        kind: "User".into(),
                    }),
                    author_association: "MEMBER".into(),
                    kind: ResponseKind::Comment,
                }],
                responses_complete: true,
            }
        })
        .collect();
    let points = (0..80)
        .map(|i| BenchPoint {
            time: t(20 + i),
            commit: Some(hostile("commit")),
            value: if i < 40 { 1.0 } else { 1.5 }
                + [0.0, 0.003, -0.002, 0.001][usize::try_from(i % 4).unwrap()],
            labels: Some(hostile("labels")),
        })
        .collect();
    let target = TargetInfo {
        name: hostile("target"),
        kind: "github".into(),
        location: hostile("targetlocation"),
        remote: Some(hostile("remote")),
    };
    let rule = ReleaseRule {
        tag_prefix: None,
        tag_pattern: Some(".*".into()),
    };
    let mut ev = Evidence::new("readiness test".into(), target, window.until, window, rule);
    ev.github_asked = true;
    ev.sources = vec![
        Provenance {
            source: hostile("source"),
            location: hostile("sourcelocation"),
            items: 1,
            item: "series".into(),
            requests: 0,
            complete: false,
            notes: vec![hostile("note")],
            fetched_at: None,
        },
        github_source(),
    ];
    ev.tags = Some(hostile_tags());
    ev.items = Some(items);
    ev.runs = Some(hostile_runs());
    ev.tests = Some(hostile_tests());
    ev.bench_results = Some(BenchEvidence {
        series: vec![BenchSeries {
            tool: "asv".into(),
            benchmark: hostile("benchmark"),
            params: hostile("params"),
            machine: hostile("machine"),
            env: hostile("env"),
            unit: hostile("unit"),
            direction: Direction::LowerIsBetter,
            location: hostile("benchlocation"),
            points,
        }],
    });
    ev
}

/// Unescaped `|` in a line: the cell separators a markdown table sees.
fn separators(line: &str) -> usize {
    let b = line.as_bytes();
    (0..b.len())
        .filter(|&i| b[i] == b'|' && (i == 0 || b[i - 1] != b'\\'))
        .count()
}

fn assert_safe(md: &str) {
    assert!(!md.contains("<script>"), "raw HTML");
    // `\[link\](javascript:...)` is text; `[link](javascript:...)` would be a link.
    let links: Vec<&str> = md
        .lines()
        .filter(|l| l.replace("\\](", "").contains("](javascript:"))
        .collect();
    assert!(links.is_empty(), "a javascript: link: {links:#?}");
    assert!(!md.contains("@user"), "a live @mention");
    assert!(
        md.contains("@\u{200b}user"),
        "the mention is defused, not dropped"
    );
    assert!(!md.contains(" `code`"), "unescaped backticks");
    assert_eq!(md.matches("```").count() % 2, 0, "code fences are balanced");
    // Fences are only ours: a mermaid block opens each one.
    let opened = md.matches("```mermaid").count();
    assert_eq!(
        md.matches("```").count(),
        2 * opened,
        "a fence from the input"
    );
    for line in md.lines() {
        assert!(
            !line.trim_start().starts_with("newline"),
            "a newline from the input: {line:?}"
        );
    }
    // Every table keeps the shape of its header row.
    let mut header: Option<usize> = None;
    for line in md.lines() {
        if line.starts_with('|') {
            match header {
                None => header = Some(separators(line)),
                Some(h) => assert_eq!(separators(line), h, "a broken table row: {line}"),
            }
        } else {
            header = None;
        }
    }
}

/// The markdown as GitHub renders it: GFM with the autolink, table and
/// strikethrough extensions, raw HTML let through (so that any that got into
/// the report would show).
fn gfm(md: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.autolink = true;
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.render.r#unsafe = true;
    comrak::markdown_to_html(md, &options)
}

/// The text of `html`, tags left out.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// Renders `md` as GitHub would and checks that every link goes to `own`,
/// and that nothing in the text is a mention or an issue reference (GitHub
/// links those in the rendered text). Returns how many links there are.
fn assert_links_only_to(md: &str, own: &str) -> usize {
    let html = gfm(md);
    let hrefs: Vec<&str> = html
        .split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default())
        .collect();
    for href in &hrefs {
        assert!(href.starts_with(own), "a link to {href}");
    }
    for tag in ["<img", "<script", "<a name", "<b>"] {
        assert!(!html.contains(tag), "{tag} in the HTML");
    }
    let text = text_of(&html);
    for (what, pattern) in [
        ("a mention", r"(^|[^\w])@\w"),
        ("an issue reference", r"#\d"),
        ("a GH- reference", r"(?i)\bgh-\d"),
        ("a bare URL", r"(?i)(https?|ftp)://"),
        ("a www name", r"(?i)\bwww\."),
    ] {
        let re = regex::Regex::new(pattern).unwrap();
        let found: Vec<&str> = text.lines().filter(|l| re.is_match(l)).collect();
        assert!(found.is_empty(), "{what} in the rendered text: {found:#?}");
    }
    hrefs.len()
}

#[test]
fn hostile_text_is_escaped_in_reports_and_comparisons() {
    let ws = Workspace::new();
    let path = ws.path("hostile.json");
    std::fs::write(&path, hostile_evidence().to_json().unwrap()).unwrap();
    let md = ws.run(&["report", "hostile.json"]).ok();
    // The hostile text did reach the report: in the slowest issues, the
    // regressions, the noisiest benchmarks and a chart's title.
    assert!(md.contains("x \\| y &lt;script&gt;"), "{md}");
    assert!(
        md.contains("### Trends") || md.contains("## Trends"),
        "{md}"
    );
    assert!(md.contains("Unrecovered benchmark regressions"));
    assert_safe(&md);
    let own = "https://github.com/acme/w/";
    assert!(
        assert_links_only_to(&md, own) > 0,
        "the report's own links to github.com remain: {md}"
    );
    // A URL from an API answer on another host is shown as text.
    assert!(md.contains("//evil.example/acme/w/actions/runs/1)"), "{md}");
    let cmp = ws.run(&["compare", "hostile.json", "hostile.json"]).ok();
    assert_safe(&cmp);
    assert_links_only_to(&cmp, own);
    let missing: Vec<&str> = FIELDS_SHOWN
        .iter()
        .filter(|f| !md.contains(&format!("{f}= x \\| y")))
        .copied()
        .collect();
    assert!(missing.is_empty(), "not in the report: {missing:?}\n{md}");
}

/// The fields whose hostile text the markdown report shows (the others,
/// such as logins and labels, are not shown at all).
const FIELDS_SHOWN: &[&str] = &[
    "target",
    "targetlocation",
    "source",
    "sourcelocation",
    "note",
    "githubnote",
    "issue",
    "workflow",
    "testname",
    "tag",
    "benchmark",
    "params",
    "machine",
    "unit",
];

/// With GitHub Enterprise (`https://HOST/api/v3`) the report links to HOST
/// only: github.com URLs from the API answers are shown as text.
#[test]
fn enterprise_reports_link_only_to_their_own_host() {
    let mut ev = hostile_evidence();
    for s in ev
        .sources
        .iter_mut()
        .filter(|s| s.source == "github releases")
    {
        s.location = "https://ghe.example.com/api/v3/repos/acme/w/releases?per_page=100".into();
    }
    for item in ev.items.iter_mut().flatten() {
        item.url = item
            .url
            .replace("https://github.com/", "https://ghe.example.com/");
    }
    let ws = Workspace::new();
    std::fs::write(ws.path("ghe.json"), ev.to_json().unwrap()).unwrap();
    let md = ws.run(&["report", "ghe.json"]).ok();
    assert!(
        assert_links_only_to(&md, "https://ghe.example.com/acme/w/issues/") > 0,
        "{md}"
    );
    assert!(
        md.contains("(https:\u{200B}//github.com/acme/w/actions/runs/2)"),
        "{md}"
    );
}
