//! GitHub Actions runs against a GitHub served on loopback: the default
//! branch from the repository's metadata, `Link` pagination, re-runs and
//! cancelled runs, GitHub's 1,000-result cap met by cutting the window into
//! date ranges, Actions disabled (404), and the CLI end to end.

use std::collections::HashSet;

use readiness::cache::Cache;
use readiness::collect::github::client::Client;
use readiness::collect::github::{self, GitHubEvidence};
use readiness::signals::ci;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::Workspace;
use crate::github::{SECRET, at, repo, run_json, settings, start_server, window};

/// Mounts an unauthenticated REST repository with no releases, issues or
/// comments, and its metadata (default branch `main`), but no runs listing.
async fn mount_rest_repo(server: &MockServer) {
    for p in ["releases", "issues", "issues/comments", "pulls/comments"] {
        Mock::given(method("GET"))
            .and(path(format!("/repos/acme/widget/{p}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"name": "widget", "default_branch": "main"})),
        )
        .mount(server)
        .await;
}

fn runs_source(ev: &GitHubEvidence) -> &readiness::evidence::Provenance {
    ev.sources
        .iter()
        .find(|s| s.source == "github actions runs")
        .unwrap()
}

fn measured<'a>(
    m: &'a [readiness::signals::Measurement],
    id: &str,
) -> &'a readiness::signals::Measurement {
    m.iter().find(|x| x.signal == id).unwrap()
}

/// Runs are listed for the default branch over the window, 100 a page, by
/// `Link` header; a run seen on two pages (the listing shifted) is kept once;
/// a re-run that passed is flaky and cancelled runs have no verdict.
#[tokio::test]
async fn runs_follow_link_pages_with_reruns_and_cancelled_runs() {
    let server = MockServer::start().await;
    mount_rest_repo(&server).await;
    let base = server.uri();
    let page1 = json!({"total_count": 5, "workflow_runs": [
        run_json(15, "eee5555", "push", "cancelled", 1, "2026-07-05T00:00:00Z"),
        run_json(14, "ddd4444", "push", "success", 2, "2026-07-04T00:00:00Z"),
        run_json(13, "ccc3333", "pull_request", "failure", 1, "2026-07-03T00:00:00Z"),
    ]});
    let page2 = json!({"total_count": 5, "workflow_runs": [
        run_json(13, "ccc3333", "pull_request", "failure", 1, "2026-07-03T00:00:00Z"),
        run_json(12, "bbb2222", "schedule", "failure", 1, "2026-07-02T00:00:00Z"),
        run_json(11, "aaa1111", "push", "success", 1, "2026-07-01T00:00:00Z"),
    ]});
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/actions/runs"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page2))
        .with_priority(1)
        .mount(&server)
        .await;
    let next = format!(
        "<{base}/repos/acme/widget/actions/runs?branch=main&per_page=100&page=2>; rel=\"next\""
    );
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/actions/runs"))
        .and(query_param("branch", "main"))
        .and(query_param(
            "created",
            "2025-08-20T00:00:00Z..2026-08-20T00:00:00Z",
        ))
        .and(query_param("per_page", "100"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page1)
                .insert_header("link", next.as_str()),
        )
        .mount(&server)
        .await;
    let client = Client::new(settings(&server, false), None).unwrap();
    let ev = github::collect(&client, &repo(), &window(), false)
        .await
        .unwrap();
    let runs = ev.runs.clone().unwrap();
    let ids: Vec<u64> = runs.iter().map(|r| r.id).collect();
    assert_eq!(ids, [11, 12, 13, 14, 15], "oldest first, #13 once");
    assert_eq!(runs[3].run_attempt, 2);
    assert_eq!(runs[3].workflow, "CI");
    let src = runs_source(&ev);
    assert!(src.complete, "{src:?}");
    assert_eq!((src.items, src.item.as_str()), (5, "runs"));
    assert_eq!(src.notes, ["default branch main"]);

    let m = ci::measure(Some(&runs), &window());
    let pass = measured(&m, "ci.pass_rate");
    // #11 success, #12 failure (schedule), #14 success; #13 is a pull request, #15 cancelled.
    assert_eq!(
        (pass.n, pass.value.map(|v| (v * 1000.0).round())),
        (3, Some(667.0))
    );
    assert!(
        pass.basis.contains("left out: 1 cancelled"),
        "{}",
        pass.basis
    );
    let flaky = measured(&m, "ci.flaky_rate");
    assert_eq!(flaky.n, 3);
    assert_eq!(flaky.examples.len(), 1);
    assert_eq!(flaky.examples[0].label, "CI ddd4444");
    assert_eq!(
        flaky.examples[0].url.as_deref(),
        Some("https://github.com/acme/widget/actions/runs/14")
    );
}

/// The runs of the fake repository: 1,500 in the window's first 16 days,
/// then 1,000 spread over the rest; newest first, as GitHub lists them.
fn many_runs() -> Vec<Value> {
    let since = at("2025-08-20T00:00:00Z");
    let mut runs: Vec<(chrono::DateTime<chrono::Utc>, u64)> = (0..2500u64)
        .map(|i| {
            let t = if i < 1500 {
                since + chrono::Duration::minutes(60 + 15 * i64::try_from(i).unwrap())
            } else {
                since
                    + chrono::Duration::days(30)
                    + chrono::Duration::hours(7 * i64::try_from(i - 1500).unwrap())
            };
            (t, i + 1)
        })
        .collect();
    runs.sort_by(|a, b| b.cmp(a));
    runs.iter()
        .map(|(t, id)| {
            let conclusion = if id % 10 == 0 { "failure" } else { "success" };
            run_json(
                *id,
                &format!("{id:07}"),
                "push",
                conclusion,
                1,
                &t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            )
        })
        .collect()
}

/// GitHub's runs listing, faithfully enough: the `created` range (both
/// ends included), `total_count` of all matches, at most 1,000 results
/// listed, 100 a page, with `Link` next and last.
fn runs_listing(base: &str, runs: &[Value], req: &Request) -> ResponseTemplate {
    let q: Vec<(String, String)> = req.url.query_pairs().into_owned().collect();
    let param = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let Some((a, b)) = param("created").and_then(|c| {
        let (a, b) = c.split_once("..")?;
        Some((at(a), at(b)))
    }) else {
        return ResponseTemplate::new(422);
    };
    let page: usize = param("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let matching: Vec<&Value> = runs
        .iter()
        .filter(|r| {
            let t = at(r["created_at"].as_str().unwrap());
            a <= t && t <= b
        })
        .collect();
    let listed = matching.len().min(1000);
    let start = ((page - 1) * 100).min(listed);
    let end = (page * 100).min(listed);
    let body = json!({"total_count": matching.len(), "workflow_runs": matching[start..end]});
    let mut resp = ResponseTemplate::new(200).set_body_json(body);
    let last = listed.div_ceil(100);
    if page < last {
        let link_to = |p: usize| {
            let mut u = req.url.clone();
            let pairs: Vec<(String, String)> = q
                .iter()
                .filter(|(n, _)| n != "page")
                .cloned()
                .chain([("page".to_string(), p.to_string())])
                .collect();
            u.query_pairs_mut().clear().extend_pairs(pairs);
            // Under the API base, as GitHub links them.
            format!("{base}{}?{}", u.path(), u.query().unwrap_or_default())
        };
        let link = format!(
            "<{}>; rel=\"next\", <{}>; rel=\"last\"",
            link_to(page + 1),
            link_to(last)
        );
        resp = resp.insert_header("link", link.as_str());
    }
    resp
}

/// 2,500 runs match the window, over GitHub's 1,000-result cap: the window
/// is cut into date ranges (again where a range still holds more than
/// 1,000), ranges are fetched, and every run is collected exactly once.
#[tokio::test]
async fn more_than_1000_runs_are_fetched_in_date_ranges() {
    let server = MockServer::start().await;
    mount_rest_repo(&server).await;
    let runs = many_runs();
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/actions/runs"))
        .and(query_param("branch", "main"))
        .respond_with(move |req: &Request| runs_listing(&base, &runs, req))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let client = Client::new(
        settings(&server, false),
        Some(Cache::open(dir.path()).unwrap()),
    )
    .unwrap();
    let ev = github::collect(&client, &repo(), &window(), false)
        .await
        .unwrap();
    let got = ev.runs.clone().unwrap();
    assert_eq!(got.len(), 2500);
    let unique: HashSet<u64> = got.iter().map(|r| r.id).collect();
    assert_eq!(unique.len(), 2500, "every run once");

    let requests = server.received_requests().await.unwrap();
    let listing: Vec<(String, String)> = requests
        .iter()
        .filter(|r| r.url.path() == "/repos/acme/widget/actions/runs")
        .map(|r| {
            let q: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
            let get = |k: &str| {
                q.iter()
                    .find(|(n, _)| n == k)
                    .map_or(String::new(), |(_, v)| v.clone())
            };
            (get("created"), get("page"))
        })
        .collect();
    let whole = "2025-08-20T00:00:00Z..2026-08-20T00:00:00Z";
    assert_eq!(
        listing.iter().filter(|(c, _)| c == whole).count(),
        1,
        "the whole window is asked once, its capped pages are not followed"
    );
    let ranges: HashSet<&str> = listing.iter().map(|(c, _)| c.as_str()).collect();
    assert!(
        ranges.contains("2025-08-20T00:00:00Z..2025-12-19T15:59:59Z"),
        "the window is cut into ceil(2,500 / 1,000) = 3 parts: {ranges:?}"
    );
    assert!(
        ranges.len() >= 6,
        "the first part (about 1,500 runs) is cut again: {ranges:?}"
    );
    let src = runs_source(&ev);
    assert!(src.complete, "{src:?}");
    assert!(
        src.notes
            .iter()
            .any(|n| n.starts_with("more than 1000 runs match the window")),
        "{:?}",
        src.notes
    );
    let m = ci::measure(Some(&got), &window());
    let pass = measured(&m, "ci.pass_rate");
    assert_eq!((pass.n, pass.value), (2500, Some(0.9)));
}

/// A repository with Actions disabled answers 404 on the runs listing: no
/// runs, with a note, and the rest of the report intact. A repository whose
/// metadata cannot be read gives no runs at all, marked incomplete.
#[tokio::test]
async fn actions_disabled_is_no_runs_with_a_note() {
    let server = MockServer::start().await;
    mount_rest_repo(&server).await;
    let client = Client::new(settings(&server, false), None).unwrap();
    let ev = github::collect(&client, &repo(), &window(), false)
        .await
        .unwrap();
    assert_eq!(ev.runs.as_deref(), Some(&[][..]));
    let src = runs_source(&ev);
    assert!(src.complete);
    assert!(
        src.notes[1].starts_with("the runs listing answered 404: GitHub Actions is disabled"),
        "{:?}",
        src.notes
    );
    assert!(ev.releases.is_some() && ev.items.is_some());
    let m = ci::measure(ev.runs.as_deref(), &window());
    assert_eq!(
        measured(&m, "ci.pass_rate").insufficient.as_deref(),
        Some("no GitHub Actions run of the default branch was created in the window")
    );

    // No metadata: no runs (None), incomplete, and everything else still collected.
    server.reset().await;
    for p in ["releases", "issues", "issues/comments", "pulls/comments"] {
        Mock::given(method("GET"))
            .and(path(format!("/repos/acme/widget/{p}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&server)
            .await;
    }
    let client = Client::new(settings(&server, false), None).unwrap();
    let ev = github::collect(&client, &repo(), &window(), false)
        .await
        .unwrap();
    assert!(ev.runs.is_none());
    let src = runs_source(&ev);
    assert!(!src.complete);
    assert!(
        src.notes[0].starts_with("runs not collected: the repository's default branch could not be read: /repos/acme/widget: not found (404)"),
        "{:?}",
        src.notes
    );
    assert!(ev.releases.is_some() && ev.items.is_some());
}

/// `readiness report OWNER/REPO --format json` measures the ci.* signals
/// from the runs served on loopback.
#[test]
fn cli_report_measures_ci_signals() {
    let (_rt, server) = start_server();
    let ws = Workspace::new();
    let api = server.uri();
    let out = ws
        .run(&[
            "report",
            "acme/widget",
            "--api-url",
            api.as_str(),
            "--token",
            SECRET,
            "--no-cache",
            "--until",
            "2026-08-20",
            "--format",
            "json",
        ])
        .ok();
    let v: Value = serde_json::from_str(&out).unwrap();
    let m = |id: &str| crate::common::measurement(&v, id).clone();
    // Three push runs: success, failure, and a success on its second attempt.
    let pass = m("ci.pass_rate");
    assert_eq!(
        (pass["n"].as_u64(), pass["source"].as_str()),
        (Some(3), Some("GitHub Actions runs"))
    );
    assert!(
        (pass["value"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9,
        "{pass}"
    );
    assert!(
        pass["basis"]
            .as_str()
            .unwrap()
            .ends_with("95% interval 20.8 %–93.9 % (Wilson)"),
        "{pass}"
    );
    let flaky = m("ci.flaky_rate");
    assert!(
        (flaky["value"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9,
        "{flaky}"
    );
    let duration = m("ci.duration_p50_minutes");
    assert_eq!(duration["value"].as_f64(), Some(12.0), "{duration}");
    assert_eq!(duration["unit"], "minutes");
    let runs_src = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "github actions runs")
        .unwrap();
    assert_eq!(runs_src["items"], 3);
}
