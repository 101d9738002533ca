//! The GitHub source against hostile or broken answers on loopback: `Link`
//! and cursor loops, partial GraphQL answers, wrong JSON types, absurd
//! rate-limit headers, redirects to another host, credentials in the API
//! URL, and which token goes to which host. Each fault gives the same
//! numbers as the clean answer or an incomplete mark with the reason, never
//! a different answer marked complete, and never a panic or a leak.

use std::time::Duration;

use readiness::collect::github::client::{Client, FetchError};
use readiness::collect::github::{self, GitHubEvidence};
use readiness::evidence::Provenance;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::Workspace;
use crate::github::{SECRET, repo, run_json, settings, start_server, window};

/// Every endpoint of `acme/widget` answered plainly, at a low priority so
/// that a test's own mocks win: one release, no issues, no runs.
async fn mount_plain(server: &MockServer) {
    let empty_conn = json!({"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": []});
    let answers = [
        ("/repos/acme/widget", json!({"default_branch": "main"})),
        (
            "/repos/acme/widget/releases",
            json!([{"id": 1, "tag_name": "v1.0.0", "published_at": "2026-06-01T00:00:00Z", "draft": false, "prerelease": false}]),
        ),
        ("/repos/acme/widget/issues", json!([])),
        ("/repos/acme/widget/issues/comments", json!([])),
        ("/repos/acme/widget/pulls/comments", json!([])),
        (
            "/repos/acme/widget/actions/runs",
            json!({"total_count": 0, "workflow_runs": []}),
        ),
    ];
    for (p, body) in answers {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .with_priority(10)
            .mount(server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": {"repository": {"items": empty_conn, "refs": empty_conn}}}),
        ))
        .with_priority(10)
        .mount(server)
        .await;
}

async fn collect(server: &MockServer, token: bool) -> GitHubEvidence {
    let client = Client::new(settings(server, token), None).unwrap();
    github::collect(&client, &repo(), &window(), false)
        .await
        .unwrap()
}

fn source<'a>(ev: &'a GitHubEvidence, name: &str) -> &'a Provenance {
    ev.sources
        .iter()
        .find(|s| s.source == name)
        .unwrap_or_else(|| panic!("no source {name}: {:?}", ev.sources))
}

/// Asserts `name` is marked incomplete with a note containing `why`.
fn incomplete(ev: &GitHubEvidence, name: &str, why: &str) {
    let s = source(ev, name);
    assert!(!s.complete, "{name} is marked complete: {s:?}");
    assert!(
        s.notes
            .iter()
            .any(|n| n.starts_with("incomplete: ") && n.contains(why)),
        "{name}: no note saying {why:?}: {:?}",
        s.notes
    );
}

/// A REST issue as GitHub lists it.
fn rest_issue(n: u64) -> Value {
    json!({"id": 1000 + n, "number": n, "title": format!("issue {n}"), "html_url": format!("https://github.com/acme/widget/issues/{n}"),
           "user": {"login": "u", "type": "User"}, "author_association": "NONE",
           "created_at": format!("2026-07-{:02}T00:00:00Z", 28 - n), "closed_at": null, "labels": []})
}

/// A GraphQL issue node.
fn gql_issue(n: u64) -> Value {
    json!({"number": n, "title": format!("issue {n}"), "url": format!("https://github.com/acme/widget/issues/{n}"),
           "createdAt": format!("2026-07-{:02}T00:00:00Z", 28 - n), "closedAt": null, "authorAssociation": "NONE",
           "author": {"login": "u", "__typename": "User"}, "labels": {"nodes": []}, "comments": {"totalCount": 0, "nodes": []}})
}

fn gql_page(nodes: &[Value], next: &Value, cursor: &Value) -> Value {
    json!({"data": {"repository": {"items": {"pageInfo": {"hasNextPage": next, "endCursor": cursor}, "nodes": nodes}}}})
}

/// Mounts the GraphQL issue pages: the first (cursor null), and the one at cursor `c1`.
async fn mount_gql_issues(server: &MockServer, first: Value, at_c1: Value) {
    for (cursor, body) in [("null", first), ("\"c1\"", at_c1)] {
        Mock::given(method("POST"))
            .and(path("/graphql"))
            .and(body_string_contains("issues(first"))
            .and(body_string_contains(format!("\"cursor\":{cursor}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(server)
            .await;
    }
}

fn numbers(ev: &GitHubEvidence) -> Vec<u64> {
    ev.items
        .as_ref()
        .unwrap()
        .iter()
        .map(|i| i.number)
        .collect()
}

/// Mounts two pages of the listing at `at` (query `q`): the first links to
/// page 2, and page 2 links back to page 1.
async fn mount_looping_pages(server: &MockServer, at: &str, q: &str, pages: [Value; 2]) {
    let base = server.uri();
    for ((page, next), body) in [(None, 2), (Some("2"), 1)].into_iter().zip(pages) {
        let mut m = Mock::given(method("GET")).and(path(at));
        if let Some(p) = page {
            m = m.and(query_param("page", p));
        }
        let link = format!("<{base}{at}?{q}&page={next}>; rel=\"next\"");
        m.respond_with(
            ResponseTemplate::new(200)
                .set_body_json(body)
                .insert_header("link", link.as_str()),
        )
        .with_priority(if page.is_some() { 1 } else { 2 })
        .mount(server)
        .await;
    }
}

/// `Retry-After: 10000000000000` (or more digits than a number holds, or
/// an HTTP date in the year 9999) on a 429 and `x-ratelimit-reset:
/// 10000000000000` (or a negative one) on a 403 stop with "retry after",
/// never a panic or an endless wait.
#[tokio::test]
async fn absurd_rate_limit_headers_stop_without_a_panic() {
    let server = MockServer::start().await;
    let huge = "10000000000000";
    for (p, value) in [
        ("/retry-after", huge),
        ("/retry-after-beyond-u64", "99999999999999999999999999"),
        ("/retry-after-date", "Fri, 31 Dec 9999 23:59:59 GMT"),
    ] {
        Mock::given(path(p))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", value))
            .mount(&server)
            .await;
    }
    for (p, reset) in [("/reset", huge), ("/reset-min", "-9223372036854775808")] {
        Mock::given(path(p))
            .respond_with(
                ResponseTemplate::new(403)
                    .insert_header("x-ratelimit-remaining", "0")
                    .insert_header("x-ratelimit-reset", reset)
                    .set_body_json(json!({"message": "API rate limit exceeded"})),
            )
            .mount(&server)
            .await;
    }
    let mut s = settings(&server, true);
    s.retries = 1;
    let client = Client::new(s, None).unwrap();
    let started = std::time::Instant::now();
    for p in ["/retry-after", "/retry-after-beyond-u64", "/reset"] {
        match client.get(p).await {
            Err(FetchError::RateLimited { reset, minutes, .. }) => {
                assert!(reset.starts_with("a time too far away"), "{reset}");
                assert!(minutes > 1_000_000, "{minutes}");
            }
            other => panic!("{p}: expected RateLimited, got {other:?}"),
        }
    }
    match client.get("/retry-after-date").await {
        Err(FetchError::RateLimited { reset, .. }) => {
            assert!(reset.starts_with("9999-12-31"), "{reset}");
        }
        other => panic!("an HTTP date: expected RateLimited, got {other:?}"),
    }
    // A reset in the far past is a reset already passed: a short wait, then a bounded retry.
    assert!(matches!(
        client.get("/reset-min").await,
        Err(FetchError::GaveUp { .. })
    ));
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A runs listing whose second page's `Link` points back to the first
/// (`page=1`) ends there, marked incomplete; each run is counted once.
#[tokio::test]
async fn a_link_loop_in_the_runs_listing_is_incomplete() {
    let server = MockServer::start().await;
    mount_plain(&server).await;
    let runs = |ids: std::ops::Range<u64>| -> Vec<Value> {
        ids.map(|i| {
            run_json(
                i,
                &format!("sha{i}"),
                "push",
                "success",
                1,
                "2026-07-01T00:00:00Z",
            )
        })
        .collect()
    };
    let q = "branch=main&created=2025-08-20T00:00:00Z..2026-08-20T00:00:00Z&exclude_pull_requests=true&per_page=100";
    let pages = [1..4, 4..7].map(|ids| json!({"total_count": 9, "workflow_runs": runs(ids)}));
    mount_looping_pages(&server, "/repos/acme/widget/actions/runs", q, pages).await;
    let ev = collect(&server, true).await;
    assert_eq!(ev.runs.as_ref().unwrap().len(), 6);
    incomplete(&ev, "github actions runs", "a page already read");
}

/// Without a token, an issues listing whose `Link` goes back to page 1
/// ends there, marked incomplete, with every issue counted once.
#[tokio::test]
async fn a_link_loop_in_the_issues_listing_is_incomplete() {
    let server = MockServer::start().await;
    mount_plain(&server).await;
    let q = "state=all&sort=created&direction=desc&per_page=100&since=2025-08-20T00:00:00Z";
    let pages = [1..4, 4..7].map(|ids| Value::Array(ids.map(rest_issue).collect()));
    mount_looping_pages(&server, "/repos/acme/widget/issues", q, pages).await;
    let ev = collect(&server, false).await;
    assert_eq!(numbers(&ev), [6, 5, 4, 3, 2, 1]);
    incomplete(
        &ev,
        "github issues and pull requests",
        "a page already read",
    );
}

/// A GraphQL cursor that repeats (`hasNextPage: true`, the same
/// `endCursor`) ends the listing, marked incomplete; issues count once.
#[tokio::test]
async fn a_repeated_cursor_is_incomplete() {
    let server = MockServer::start().await;
    mount_plain(&server).await;
    mount_gql_issues(
        &server,
        gql_page(&[gql_issue(1), gql_issue(2)], &json!(true), &json!("c1")),
        gql_page(&[gql_issue(3)], &json!(true), &json!("c1")),
    )
    .await;
    let ev = collect(&server, true).await;
    assert_eq!(numbers(&ev), [3, 2, 1]);
    incomplete(&ev, "github issues", "cursor already followed");
}

/// A partial GraphQL answer (`FORBIDDEN`, null nodes) keeps what came and
/// is marked incomplete with the error's type.
#[tokio::test]
async fn a_forbidden_partial_answer_is_incomplete() {
    let server = MockServer::start().await;
    mount_plain(&server).await;
    let mut page = gql_page(&[gql_issue(1), Value::Null], &json!(false), &Value::Null);
    page["errors"] = json!([{"type": "FORBIDDEN", "path": ["repository", "items", "nodes", 1], "message": "Resource not accessible by integration"}]);
    mount_gql_issues(&server, page, json!({})).await;
    let ev = collect(&server, true).await;
    assert_eq!(numbers(&ev), [1]);
    incomplete(&ev, "github issues", "FORBIDDEN: Resource not accessible");
    incomplete(&ev, "github issues", "the record is null (1)");
}

/// A `TIMEOUT` partial answer is asked again: the full answer then gives
/// the same numbers, complete; one that keeps timing out is incomplete.
#[tokio::test]
async fn a_timeout_partial_answer_is_retried() {
    let server = MockServer::start().await;
    mount_plain(&server).await;
    let full = gql_page(
        &[gql_issue(1), gql_issue(2), gql_issue(3)],
        &json!(false),
        &Value::Null,
    );
    let mut partial = gql_page(&[gql_issue(1)], &json!(false), &Value::Null);
    partial["errors"] = json!([{"type": "TIMEOUT", "message": "Timeout on validation of query"}]);
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_string_contains("issues(first"))
        .respond_with(ResponseTemplate::new(200).set_body_json(partial.clone()))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_gql_issues(&server, full, json!({})).await;
    let ev = collect(&server, true).await;
    assert_eq!(numbers(&ev), [3, 2, 1]);
    assert!(source(&ev, "github issues").complete, "{:?}", ev.sources);

    let server = MockServer::start().await;
    mount_plain(&server).await;
    mount_gql_issues(&server, partial, json!({})).await;
    let ev = collect(&server, true).await;
    assert_eq!(numbers(&ev), [1]);
    incomplete(&ev, "github issues", "TIMEOUT: Timeout on validation");
}

/// `"hasNextPage": "yes"` cannot be followed: the listing is incomplete, not complete at page one.
#[tokio::test]
async fn a_page_info_of_the_wrong_type_is_incomplete() {
    let server = MockServer::start().await;
    mount_plain(&server).await;
    mount_gql_issues(
        &server,
        gql_page(&[gql_issue(1)], &json!("yes"), &json!("c1")),
        gql_page(&[gql_issue(2)], &json!(false), &Value::Null),
    )
    .await;
    let ev = collect(&server, true).await;
    assert_eq!(numbers(&ev), [1]);
    incomplete(&ev, "github issues", "`hasNextPage` is not a valid value");
}

/// Releases and runs of the wrong types are skipped, counted by reason in
/// the source's notes, and the source is marked incomplete.
#[tokio::test]
async fn records_of_the_wrong_types_are_counted_and_incomplete() {
    let server = MockServer::start().await;
    mount_plain(&server).await;
    let release = |tag: Value, published: Value| json!({"tag_name": tag, "published_at": published, "draft": false, "prerelease": false});
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/releases"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            release(json!("v2"), json!("2026-07-01T00:00:00Z")),
            release(json!(5), json!("2026-06-01T00:00:00Z")),
            release(json!("v1"), json!(1_767_225_600)),
        ])))
        .mount(&server)
        .await;
    let good = run_json(1, "aaa", "push", "success", 1, "2026-07-01T00:00:00Z");
    let mut string_id = run_json(50001, "bbb", "push", "failure", 1, "2026-07-02T00:00:00Z");
    string_id["id"] = json!("50001");
    let mut no_date = run_json(3, "ccc", "push", "failure", 1, "2026-07-03T00:00:00Z");
    no_date["created_at"] = Value::Null;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/actions/runs"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"total_count": 3, "workflow_runs": [good, string_id, no_date]}),
            ),
        )
        .mount(&server)
        .await;
    let ev = collect(&server, true).await;
    assert_eq!(ev.releases.as_ref().unwrap().len(), 1);
    incomplete(
        &ev,
        "github releases",
        "2 releases skipped, in a shape readiness cannot read: `published_at` is a number (1); `tag_name` is a number (1)",
    );
    assert_eq!(ev.runs.as_ref().unwrap().len(), 1);
    incomplete(
        &ev,
        "github actions runs",
        "2 runs skipped, in a shape readiness cannot read: `id` is not a valid value (1); no `created_at` (1)",
    );
}

/// A redirect to another host is not used, with or without credentials in
/// its URL: the source is incomplete, the other host never sees the
/// token, and the credentials appear nowhere. A redirect on the same host
/// is followed with the token, and gives the same numbers.
#[tokio::test]
async fn redirects_to_another_host_are_not_used() {
    let other = MockServer::start().await;
    Mock::given(path("/moved/releases"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!([{"id": 9, "tag_name": "evil", "published_at": "2026-07-01T00:00:00Z"}]),
        ))
        .mount(&other)
        .await;
    let port = other.address().port();
    for location in [
        format!("http://127.0.0.1:{port}/moved/releases"),
        format!("http://user:pa55w0rd@127.0.0.1:{port}/moved/releases"),
    ] {
        let server = MockServer::start().await;
        mount_plain(&server).await;
        Mock::given(method("GET"))
            .and(path("/repos/acme/widget/releases"))
            .respond_with(ResponseTemplate::new(302).insert_header("location", location.as_str()))
            .mount(&server)
            .await;
        let ev = collect(&server, true).await;
        let releases = ev.releases.as_ref().unwrap();
        assert!(releases.iter().all(|r| r.tag != "evil"), "{releases:?}");
        let s = source(&ev, "github releases");
        assert!(!s.complete, "{s:?}");
        let text = format!("{:?}", ev.sources);
        assert!(
            !text.contains("pa55w0rd") && !text.contains(SECRET),
            "{text}"
        );
    }
    for r in other.received_requests().await.unwrap() {
        assert!(
            !r.headers.contains_key("authorization"),
            "the token followed a redirect to another host"
        );
    }

    let server = MockServer::start().await;
    mount_plain(&server).await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/releases"))
        .respond_with(
            ResponseTemplate::new(301)
                .insert_header("location", "/repositories/1/releases?per_page=100"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repositories/1/releases"))
        .and(wiremock::matchers::header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!([{"id": 1, "tag_name": "v1.0.0", "published_at": "2026-06-01T00:00:00Z"}]),
        ))
        .mount(&server)
        .await;
    let ev = collect(&server, true).await;
    assert_eq!(ev.releases.as_ref().unwrap().len(), 1);
    assert!(source(&ev, "github releases").complete, "{:?}", ev.sources);
}

/// A `Link` next page on another host is not followed (nor given the
/// token): incomplete, and neither its credentials nor an echoed token are shown.
#[tokio::test]
async fn a_next_page_on_another_host_is_incomplete() {
    let server = MockServer::start().await;
    mount_plain(&server).await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/releases"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"id": 1, "tag_name": "v1.0.0", "published_at": "2026-06-01T00:00:00Z"}]))
                .insert_header("link", format!("<http://u:pa55w0rd@198.51.100.7/{SECRET}/releases?page=2>; rel=\"next\"").as_str()),
        )
        .mount(&server)
        .await;
    let ev = collect(&server, true).await;
    incomplete(&ev, "github releases", "is not under the API URL");
    let text = format!("{:?}", ev.sources);
    assert!(
        !text.contains("pa55w0rd") && !text.contains(SECRET),
        "{text}"
    );
}

/// An API URL with `user:password@` is refused before anything is sent,
/// naming --token, and the password appears in no output or file.
#[test]
fn an_api_url_with_credentials_is_refused() {
    let (_rt, server) = start_server();
    let ws = Workspace::new();
    let port = server.address().port();
    let api = format!("http://user:pa55w0rd@127.0.0.1:{port}");
    let mut s = settings(&server, true);
    s.api_url = api.clone();
    let e = Client::new(s, None).err().unwrap();
    assert!(e.contains("--token") && !e.contains("pa55w0rd"), "{e}");
    for run in [
        ws.run(&[
            "collect",
            "acme/widget",
            "--api-url",
            &api,
            "--cache-dir",
            "cache",
            "-o",
            "e.json",
        ]),
        ws.run_env(
            &[
                "report",
                "acme/widget",
                "--cache-dir",
                "cache",
                "-o",
                "r.md",
            ],
            &[("GITHUB_API_URL", &api)],
        ),
    ] {
        assert!(!run.stdout.contains("pa55w0rd"));
        let err = run.fails(2);
        assert!(
            err.contains("--token") && err.contains(&format!("127.0.0.1:{port}")),
            "{err}"
        );
        assert!(!err.contains("pa55w0rd"), "{err}");
    }
    assert!(!ws.path("e.json").exists() && !ws.path("r.md").exists());
    assert!(!ws.path("cache").exists(), "nothing was cached");
}

/// `GH_TOKEN` and `GITHUB_TOKEN` are never sent to an API that is not
/// github.com's (the run says so); `GH_ENTERPRISE_TOKEN` is.
#[test]
fn a_github_com_token_is_not_sent_to_another_host() {
    let (rt, server) = start_server();
    let ws = Workspace::new();
    let api = server.uri();
    let args = [
        "collect",
        "acme/widget",
        "--api-url",
        api.as_str(),
        "--no-cache",
        "-o",
        "e.json",
    ];
    let run = ws.run_env(&args, &[("GH_TOKEN", SECRET), ("GITHUB_TOKEN", SECRET)]);
    assert!(
        run.stderr
            .contains("GH_TOKEN and GITHUB_TOKEN are set, but a github.com token is never sent to"),
        "{}",
        run.stderr
    );
    let sent = rt.block_on(server.received_requests()).unwrap();
    assert!(!sent.is_empty());
    assert!(
        sent.iter()
            .all(|r| !r.headers.contains_key("authorization"))
    );
    let before = sent.len();
    ws.run_env(&args, &[("GH_ENTERPRISE_TOKEN", SECRET)]);
    let sent = rt.block_on(server.received_requests()).unwrap();
    assert!(sent[before..].iter().all(|r| {
        r.headers
            .get("authorization")
            .is_some_and(|v| v.to_str().unwrap_or_default().contains(SECRET))
    }));
}

/// A `Link` to the API's own host with `user:password@` is compared without
/// them and followed, and they are not cached; a listing cut by the page
/// limit is marked stopped.
#[tokio::test]
async fn next_pages_compare_without_credentials_and_stop_at_the_limit() {
    let server = MockServer::start().await;
    let port = server.address().port();
    for (page, next) in [("1", "2"), ("2", "3"), ("3", "4")] {
        let mut m = Mock::given(method("GET")).and(path("/list"));
        if page != "1" {
            m = m.and(query_param("page", page));
        }
        let link = format!(
            "<http://user:pa55w0rd@127.0.0.1:{port}/list?per_page=100&page={next}>; rel=\"next\""
        );
        m.respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"id": page}]))
                .insert_header("link", link.as_str()),
        )
        .with_priority(if page == "1" { 2 } else { 1 })
        .mount(&server)
        .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache = readiness::cache::Cache::open(dir.path()).unwrap();
    let client = Client::new(settings(&server, true), Some(cache)).unwrap();
    let listing = client.get_all("/list?per_page=100", 3).await;
    assert_eq!(listing.items.len(), 3, "{listing:?}");
    assert_eq!(
        listing.stopped.as_deref(),
        Some("stopped after 3 pages, the most readiness reads; more remain")
    );
    assert!(listing.generation.is_none());
    assert!(!format!("{listing:?}").contains("pa55w0rd"));
    drop(client);
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(8).any(|w| w == b"pa55w0rd"),
            "the cache holds the Link's password"
        );
    }
}

/// A `Link` whose `last` page comes before its `next` one is not believed:
/// the pages are followed one by one, and every page is read.
#[tokio::test]
async fn a_last_link_before_the_next_is_not_believed() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/list"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 2}])))
        .with_priority(1)
        .mount(&server)
        .await;
    let link = format!(
        "<{base}/list?per_page=100&page=2>; rel=\"next\", <{base}/list?per_page=100&page=1>; rel=\"last\""
    );
    Mock::given(method("GET"))
        .and(path("/list"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"id": 1}]))
                .insert_header("link", link.as_str()),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = readiness::cache::Cache::open(dir.path()).unwrap();
    let client = Client::new(settings(&server, true), Some(cache)).unwrap();
    let listing = client.get_all("/list?per_page=100", 10).await;
    assert_eq!(listing.items.len(), 2, "{listing:?}");
    assert!(listing.error.is_none() && listing.stopped.is_none());
}

/// A page of tags that all point to trees (no date) is not taken for a
/// loop: paging goes on, and the listing is complete.
#[tokio::test]
async fn a_page_of_undated_tags_is_not_a_loop() {
    let server = MockServer::start().await;
    mount_plain(&server).await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/releases"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let tree = |name: &str| json!({"name": name, "target": {"__typename": "Tree", "oid": "t"}});
    let dated = json!({"name": "v1.0.0", "target": {"__typename": "Commit", "oid": "c", "committedDate": "2026-02-01T00:00:00Z"}});
    let refs = |nodes: Vec<Value>, next: bool| json!({"data": {"repository": {"refs": {"pageInfo": {"hasNextPage": next, "endCursor": if next { json!("c1") } else { Value::Null }}, "nodes": nodes}}}});
    for (cursor, body) in [
        ("null", refs(vec![tree("tree-1"), tree("tree-2")], true)),
        ("\"c1\"", refs(vec![dated], false)),
    ] {
        Mock::given(method("POST"))
            .and(path("/graphql"))
            .and(body_string_contains("refs(refPrefix"))
            .and(body_string_contains(format!("\"cursor\":{cursor}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    let ev = collect(&server, true).await;
    let tags = ev.tags.as_ref().unwrap();
    assert_eq!(tags.len(), 1, "{tags:?}");
    assert!(source(&ev, "github tags").complete, "{:?}", ev.sources);
}

/// GraphQL error messages never carry the token into an error or a note,
/// should GitHub (or something posing as it) echo it.
#[tokio::test]
async fn graphql_messages_that_echo_the_token_are_scrubbed() {
    let server = MockServer::start().await;
    let echo = format!("bad token {SECRET}");
    Mock::given(path("/graphql"))
        .and(body_string_contains("no-data"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": null, "errors": [{"type": "FORBIDDEN", "message": echo}]}),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/graphql"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": {"x": 1}, "errors": [{"type": "FORBIDDEN", "message": echo}]}),
        ))
        .mount(&server)
        .await;
    let client = Client::new(settings(&server, true), None).unwrap();
    let e = client
        .graphql("{ no-data }", &json!({}))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("bad token <redacted>") && !e.contains(SECRET),
        "{e}"
    );
    let partial = client.graphql("{ x }", &json!({})).await.unwrap();
    let note = client.graphql_errors(&partial).unwrap();
    assert!(
        note.contains("FORBIDDEN: bad token <redacted>") && !note.contains(SECRET),
        "{note}"
    );
}
