//! The comparison's charts side by side: each draws exactly the numbers of
//! the table under it, those numbers are the ones each project's own report
//! charts, and a project without the data is named with the reason.

use crate::charts::{Drawn, assert_chart_matches_table, charts};
use crate::common::{Workspace, monthly_project};
use crate::github::{SECRET, start_server};

/// A clone with releases only, and a GitHub repository with everything.
fn workspace() -> Workspace {
    let ws = Workspace::new();
    ws.repo("clones/monthly", &monthly_project());
    ws.write(
        "p.toml",
        "[[project]]\nname = \"steady\"\nclone = \"clones/monthly\"\n\n[[project]]\nname = \"widget\"\ngithub = \"acme/widget\"\n",
    );
    ws
}

fn args<'a>(api: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut a = rest.to_vec();
    a.extend([
        "--api-url",
        api,
        "--token",
        SECRET,
        "--cache-dir",
        "cache",
        "--until",
        "2026-08-20",
    ]);
    a
}

/// The column of the report chart `own` that the comparison draws.
fn own_column(own: &Drawn) -> usize {
    own.columns
        .iter()
        .position(|c| ["releases", "p50", "pass rate"].contains(&c.as_str()))
        .unwrap_or_else(|| panic!("{:?}", own.columns))
}

/// The report chart a comparison chart is drawn from.
fn own_chart<'a>(own: &'a [Drawn], compared: &Drawn) -> &'a Drawn {
    let kind = if compared.title.starts_with("Releases") {
        "Releases per quarter"
    } else if compared.title.contains("first response") {
        "Hours to first response"
    } else {
        "CI runs that pass"
    };
    own.iter()
        .find(|c| c.title.starts_with(kind))
        .unwrap_or_else(|| panic!("no chart {kind}"))
}

#[test]
fn side_by_side_charts_agree_with_their_tables_and_each_report() {
    let (_rt, server) = start_server();
    let ws = workspace();
    let api = server.uri();
    let md = ws
        .run(&args(&api, &["compare", "--projects", "p.toml"]))
        .ok();
    let start = md.find("## Trends side by side").expect("charts");
    // Up to the sources, which name the fake's port.
    let section = &md[start..md.find("\nSources: ").unwrap()];
    insta::assert_snapshot!("compare_charts_side_by_side", section);
    let drawn = charts(section);
    assert_eq!(drawn.len(), 3, "releases, first response and CI");
    // Releases for both; the GitHub charts for the GitHub project alone.
    assert_eq!(drawn[0].series.len(), 2);
    assert_eq!((drawn[1].series.len(), drawn[2].series.len()), (1, 1));
    assert!(
        section.contains("- steady: no issues or pull requests were collected for this target (a GitHub source is needed)"),
        "{section}"
    );
    for (project, name) in ["steady", "widget"].iter().enumerate() {
        let own_md = ws
            .run(&args(&api, &["report", "--projects", "p.toml", name]))
            .ok();
        let own = charts(&own_md);
        for c in &drawn {
            assert_chart_matches_table(c);
            let Some(col) = c.columns.iter().position(|h| h == name) else {
                continue;
            };
            let mine = own_chart(&own, c);
            let j = own_column(mine);
            for row in &c.table {
                let theirs = mine
                    .table
                    .iter()
                    .find(|r| r[0] == row[0])
                    .unwrap_or_else(|| panic!("{name}: {} has no {}", mine.title, row[0]));
                assert_eq!(
                    row[col], theirs[j],
                    "{name} ({project}), {}, {}",
                    c.title, row[0]
                );
            }
        }
    }
    // The verdict names the project without evidence, with the reason.
    let verdicts = &md[md.find("## Verdict").unwrap()..md.find("## Side by side").unwrap()];
    assert!(
        verdicts.contains("Responsiveness: no evidence for any project: steady (no GitHub source) and widget (n = 2, fewer than the 10 samples the rubric asks for)"),
        "{verdicts}"
    );
    // --no-charts leaves them out.
    let md = ws
        .run(&args(
            &api,
            &["compare", "--projects", "p.toml", "--no-charts"],
        ))
        .ok();
    assert!(!md.contains("Trends side by side") && !md.contains("```mermaid"));
}
