//! Hostile text from the outside world (issue titles, benchmark names,
//! machines, units) reaches the markdown report and the comparison only
//! escaped: no HTML, no broken table, no link, no mention, no code fence.

use chrono::{DateTime, Duration, TimeZone, Utc};
use readiness::evidence::{
    Actor, BenchEvidence, BenchPoint, BenchSeries, Direction, Evidence, Item, ItemKind, Provenance,
    ReleaseRule, Response, ResponseKind, TargetInfo,
};
use readiness::window::Window;

use crate::common::Workspace;

const HOSTILE: &str =
    "x | y <script>alert(1)</script> `code` \n newline @user [link](javascript:alert(1)) ``` end";

fn t(days: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::days(days)
}

fn hostile_evidence() -> Evidence {
    let window = Window {
        since: t(0),
        until: t(200),
    };
    let items = (0..12)
        .map(|i| Item {
            number: i + 1,
            kind: ItemKind::Issue,
            title: format!("{HOSTILE} {i}"),
            url: format!("https://github.com/acme/w/issues/{}", i + 1),
            author: Some(Actor {
                login: HOSTILE.into(),
                kind: "User".into(),
            }),
            author_association: "NONE".into(),
            created_at: t(10 + i as i64),
            closed_at: None,
            merged_at: None,
            labels: vec![HOSTILE.into()],
            responses: vec![Response {
                at: t(10 + i as i64) + Duration::hours(5 + i as i64 * 10),
                actor: Some(Actor {
                    login: "maintainer".into(),
                    kind: "User".into(),
                }),
                author_association: "MEMBER".into(),
                kind: ResponseKind::Comment,
            }],
            responses_complete: true,
        })
        .collect();
    let points = (0..80)
        .map(|i| BenchPoint {
            time: t(20 + i),
            commit: Some(HOSTILE.into()),
            value: if i < 40 { 1.0 } else { 1.5 } + [0.0, 0.003, -0.002, 0.001][i as usize % 4],
        })
        .collect();
    Evidence {
        schema: readiness::evidence::SCHEMA,
        tool: "readiness test".into(),
        target: TargetInfo {
            name: HOSTILE.into(),
            kind: "github".into(),
            location: HOSTILE.into(),
            remote: None,
        },
        collected_at: window.until,
        window,
        release_rule: ReleaseRule::default(),
        sources: vec![Provenance {
            source: HOSTILE.into(),
            location: HOSTILE.into(),
            items: 1,
            item: "series".into(),
            requests: 0,
            complete: false,
            notes: vec![HOSTILE.into()],
            fetched_at: None,
        }],
        tags: None,
        default_branch: None,
        releases: None,
        items: Some(items),
        runs: None,
        tests: None,
        bench: Some(BenchEvidence {
            series: vec![BenchSeries {
                tool: "asv".into(),
                benchmark: HOSTILE.into(),
                params: HOSTILE.into(),
                machine: HOSTILE.into(),
                env: HOSTILE.into(),
                unit: HOSTILE.into(),
                direction: Direction::LowerIsBetter,
                location: HOSTILE.into(),
                points,
            }],
        }),
    }
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

#[test]
fn hostile_text_is_escaped_in_reports_and_comparisons() {
    let ws = Workspace::new();
    let path = ws.path("hostile.json");
    std::fs::write(&path, hostile_evidence().to_json()).unwrap();
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
    let cmp = ws.run(&["compare", "hostile.json", "hostile.json"]).ok();
    assert_safe(&cmp);
}
