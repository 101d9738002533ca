//! `.readiness.toml`: read from a clone and through the contents API; its
//! settings listed in the report; the command line wins; problems located
//! by line and key; the token never sent to a URL it names.

use base64::Engine as _;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::asv_site::serve;
use crate::common::{RepoBuilder, Workspace};
use crate::github::{SECRET, start_server};

fn project() -> RepoBuilder {
    RepoBuilder::new()
        .tag("release-1.0.0", "2026-01-10T00:00:00Z")
        .tag("release-1.1.0", "2026-03-10T00:00:00Z")
        .tag("v9.0.0", "2026-05-10T00:00:00Z")
}

fn source<'a>(ev: &'a Value, name: &str) -> &'a Value {
    ev["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == name)
        .unwrap_or_else(|| panic!("no {name} source in {}", ev["sources"]))
}

/// A small ASV results folder inside the clone: one benchmark, two commits a day apart.
fn write_asv(root: &std::path::Path) {
    let res = root.join("bench/results");
    std::fs::create_dir_all(res.join("m1")).unwrap();
    let meta = json!({"b.time_x": {"type": "time", "unit": "seconds", "params": [], "param_names": []}, "version": 2});
    std::fs::write(res.join("benchmarks.json"), meta.to_string()).unwrap();
    let day = 86_400_000_u64;
    let results = [("c0", 1.0), ("c1", 1.1)];
    for (n, (commit, value)) in (0u64..).zip(results) {
        let file = json!({"version": 2, "commit_hash": commit, "env_name": "e", "params": {},
            "date": 1_770_000_000_000_u64 + n * day,
            "result_columns": ["result", "params"], "results": {"b.time_x": [[value], []]}});
        std::fs::write(res.join(format!("m1/{commit}-e.json")), file.to_string()).unwrap();
    }
}

const FILE: &str = "tag_prefix = \"release-\"\nasv = [\"bench/results\", \"bench/not-generated\"]\ncheck_name = \"Unit Test Results\"\nname = \"widget\"\n";

#[test]
fn a_clones_file_sets_what_the_command_line_did_not_and_the_report_lists_it() {
    let ws = Workspace::new();
    ws.repo("p", &project());
    write_asv(&ws.path("p"));
    std::fs::write(ws.path("p/.readiness.toml"), FILE).unwrap();
    let run = ws.run(&["collect", "p", "--no-github", "-o", "ev.json"]);
    let stderr = run.stderr.clone();
    run.ok();
    let ev: Value = serde_json::from_str(&ws.read("ev.json")).unwrap();
    assert_eq!(ev["release_rule"]["tag_prefix"], "release-");
    assert_eq!(ev["bench"]["series"].as_array().unwrap().len(), 1);
    let p = source(&ev, "project file");
    assert_eq!(p["items"], 3, "tag_prefix, asv and check_name: {p}");
    let notes = p["notes"].to_string();
    for want in [
        "used: tag_prefix = \\\"release-\\\"",
        "used: asv \\\"bench/results\\\"",
        "used: check_name = \\\"Unit Test Results\\\"",
        "not used: name = \\\"widget\\\"",
        "not used: asv \\\"bench/not-generated\\\" (not in this clone)",
    ] {
        assert!(notes.contains(want), "{want} in {notes}");
    }
    assert!(
        stderr.contains("readiness: note: p/.readiness.toml: used: tag_prefix"),
        "{stderr}"
    );
    // The report lists them, and counts releases by the file's prefix.
    let md = ws.run(&["report", "ev.json"]).ok();
    assert!(
        md.contains("- project file: ") && md.contains("used: tag\\_prefix"),
        "{md}"
    );
    let json = ws.run(&["report", "ev.json", "--format", "json"]).ok();
    let v: Value = serde_json::from_str(&json).unwrap();
    let count = crate::common::measurement(&v, "release.count_365d");
    assert_eq!(
        count["value"], 2.0,
        "release-1.0.0 and release-1.1.0, not v9.0.0: {count}"
    );
}

#[test]
fn the_command_line_wins_over_the_file() {
    let ws = Workspace::new();
    ws.repo("p", &project());
    write_asv(&ws.path("p"));
    std::fs::write(ws.path("p/.readiness.toml"), FILE).unwrap();
    std::fs::create_dir_all(ws.path("other")).unwrap();
    let run = ws.run(&[
        "collect",
        "p",
        "--no-github",
        "--tag-pattern",
        "^v(\\d+\\.\\d+\\.\\d+)$",
        "--asv",
        "other",
        "--check-name",
        "Mine",
        "-o",
        "ev.json",
    ]);
    run.fails(2);
    let ev: Value = serde_json::from_str(&ws.read("ev.json")).unwrap();
    assert_eq!(ev["release_rule"]["tag_prefix"], Value::Null);
    assert_eq!(ev["release_rule"]["tag_pattern"], "^v(\\d+\\.\\d+\\.\\d+)$");
    let p = source(&ev, "project file");
    assert_eq!(p["items"], 0);
    let notes = p["notes"].to_string();
    assert!(notes.contains("not used: tag_prefix"), "{notes}");
    assert!(
        notes.contains("not used: check_name = \\\"Unit Test Results\\\" (the command line's --check-name wins)"),
        "{notes}"
    );
    assert!(
        notes.contains("not used: asv \\\"bench/results\\\" (the command line's --asv wins)"),
        "{notes}"
    );
}

#[test]
fn problems_in_the_file_are_located_by_line_and_key() {
    let ws = Workspace::new();
    ws.repo("p", &project());
    std::fs::write(
        ws.path("p/.readiness.toml"),
        "# where our evidence is\ntag_prefix = \"release-\"\ntag_patern = \"^v\"\n",
    )
    .unwrap();
    let err = ws
        .run(&["collect", "p", "--no-github", "-o", "ev.json"])
        .fails(2);
    assert!(
        err.contains("project file") && err.contains(".readiness.toml is not valid"),
        "{err}"
    );
    assert!(
        err.contains(".readiness.toml:3:1: key `tag_patern`"),
        "{err}"
    );
    assert!(err.contains("did you mean `tag_pattern`?"), "{err}");
    std::fs::write(
        ws.path("p/.readiness.toml"),
        "asv = [\"/etc\"]\ntag_pattern = \"(\"\n",
    )
    .unwrap();
    let err = ws
        .run(&["collect", "p", "--no-github", "-o", "ev.json"])
        .fails(2);
    assert!(err.contains(".readiness.toml:1:8: key `asv`"), "{err}");
    assert!(
        err.contains(".readiness.toml:2:15: key `tag_pattern`"),
        "{err}"
    );
    // compare keeps a project whose file is not valid, with the reason.
    ws.repo("q", &project());
    let run = ws.run(&["compare", "p", "q", "--no-github"]);
    assert!(
        run.stdout.contains("# Readiness comparison: p vs q"),
        "{}",
        run.stdout
    );
    let err = run.fails(2);
    assert!(
        err.contains("p: could not be read: p: project file"),
        "{err}"
    );
}

/// An `OWNER/REPO` target's file, through the contents API, names an asv
/// site on another host: the site is read without the token, a local
/// path it names is not read at all.
#[test]
fn a_github_repositorys_file_is_read_through_the_api_and_never_gets_the_token_sent_elsewhere() {
    let site_ws = Workspace::new();
    let site = site_ws.path("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join("index.json"),
        json!({"benchmarks": {"b.time_x": {"type": "time", "unit": "seconds", "params": [], "param_names": []}},
               "graph_param_list": [{"machine": "m"}],
               "revision_to_date": {"1": 1_770_000_000_000_i64, "2": 1_770_086_400_000_i64}})
        .to_string(),
    )
    .unwrap();
    std::fs::create_dir_all(site.join("graphs/machine-m")).unwrap();
    std::fs::write(
        site.join("graphs/machine-m/b.time_x.json"),
        "[[1, 1.0], [2, 1.1]]",
    )
    .unwrap();
    let (_site_rt, site_server) = serve(&site);
    let (rt, api) = start_server();
    let text = format!(
        "asv = [\"{}/site\", \"bench/results\"]\n",
        site_server.uri()
    );
    let content = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    rt.block_on(
        Mock::given(method("GET"))
            .and(path("/repos/acme/widget/contents/.readiness.toml"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"type": "file", "encoding": "base64", "content": content, "sha": "f1"}),
            ))
            .mount(&api),
    );
    let ws = Workspace::new();
    let uri = api.uri();
    ws.run(&[
        "collect",
        "acme/widget",
        "--api-url",
        uri.as_str(),
        "--token",
        SECRET,
        "--no-cache",
        "--until",
        "2026-08-20",
        "-o",
        "ev.json",
    ])
    .ok();
    let ev: Value = serde_json::from_str(&ws.read("ev.json")).unwrap();
    assert_eq!(ev["bench"]["series"].as_array().unwrap().len(), 1);
    let p = source(&ev, "project file");
    assert_eq!(p["location"], "acme/widget/.readiness.toml");
    assert_eq!(p["requests"], 1);
    let notes = p["notes"].to_string();
    assert!(notes.contains("(read without the token)"), "{notes}");
    assert!(
        notes.contains(
            "not used: asv \\\"bench/results\\\" (a path: only the clone's file names local files)"
        ),
        "{notes}"
    );
    let site_requests = rt.block_on(site_server.received_requests()).unwrap();
    assert!(!site_requests.is_empty());
    for r in &site_requests {
        assert!(!r.headers.contains_key("authorization"), "{r:?}");
    }
    let api_requests = rt.block_on(api.received_requests()).unwrap();
    let contents = api_requests
        .iter()
        .find(|r| r.url.path().ends_with(".readiness.toml"))
        .unwrap();
    assert!(
        contents.headers.contains_key("authorization"),
        "the API gets the token"
    );
}

/// A GitHub target without benchmark results: the report says where it
/// looked, on stderr too, and under `pydata` the grade is withheld with
/// exactly that reason.
#[test]
fn no_benchmark_results_says_where_it_looked_and_pydata_withholds_the_grade() {
    let (_rt, api) = start_server();
    let ws = Workspace::new();
    let uri = api.uri();
    let run = ws.run(&[
        "report",
        "acme/widget",
        "--api-url",
        uri.as_str(),
        "--token",
        SECRET,
        "--no-cache",
        "--until",
        "2026-08-20",
        "--rubric",
        "pydata",
    ]);
    let looked = format!(
        "no benchmark results found, looked in: acme/widget/gh-pages/dev/bench/data.js (github-action-benchmark: no dev/bench/data.js on a gh-pages branch: the repository publishes no github-action-benchmark results there); {uri}/repos/acme/widget/actions/runs/{{id}}/artifacts (github benchmark artifacts: 0 artifacts of 3 runs: 0 named asv-benchmark-results*, asv-results*, benchmark); acme/widget/.readiness.toml (no such file: the project names no benchmark locations)"
    );
    assert!(
        run.stderr.contains(&format!("warning: {looked}")),
        "{}",
        run.stderr
    );
    let md = run.ok();
    let escaped = looked
        .replace('_', "\\_")
        .replace('*', "\\*")
        .replace("http://", "http:\u{200b}//");
    assert!(
        md.contains(&format!(
            "the rubric requires evidence for Benchmarks, and no criterion there could be scored: {escaped}"
        )),
        "{md}"
    );
    assert!(md.contains("· insufficient evidence**"), "{md}");
}
