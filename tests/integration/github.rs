//! The GitHub source against a GitHub served on loopback (wiremock), with
//! JSON in the shapes the real API returns: REST pagination by `Link`
//! header, GraphQL pagination by cursor, every fault class, the 304 path,
//! the unauthenticated path, bots and maintainers, no releases.

use std::time::Duration;

use readiness::cache::Cache;
use readiness::collect::github::client::{Client, FetchError, Settings, Token};
use readiness::collect::github::{self, Repo};
use readiness::window::Window;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::Workspace;

pub(crate) const SECRET: &str = "ghp_TESTSECRET0123456789";

pub(crate) fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

pub(crate) fn window() -> Window {
    Window {
        since: at("2025-08-20T00:00:00Z"),
        until: at("2026-08-20T00:00:00Z"),
    }
}

pub(crate) fn settings(server: &MockServer, token: bool) -> Settings {
    Settings {
        api_url: server.uri(),
        token: token.then(|| Token::new(SECRET, "test").unwrap()),
        backoff: Duration::from_millis(5),
        max_wait: Duration::from_secs(2),
        timeout: Duration::from_secs(2),
        ..Settings::default()
    }
}

pub(crate) fn repo() -> Repo {
    Repo {
        owner: "acme".into(),
        name: "widget".into(),
    }
}

/// Serves `body` as the releases of acme/widget behind ETag `"r1"`: a
/// request with `If-None-Match: "r1"` gets a 304, any other the body.
pub(crate) async fn mount_releases_with_etag(server: &MockServer, body: &Value) {
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/releases"))
        .and(header("if-none-match", "\"r1\""))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/releases"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(body)
                .insert_header("etag", "\"r1\""),
        )
        .mount(server)
        .await;
}

/// Twelve monthly releases, newest first, as REST returns them.
pub(crate) fn releases_json() -> Value {
    let list: Vec<Value> = (1..=12)
        .rev()
        .map(|m| {
            let (y, mo) = if m <= 4 { (2025, m + 8) } else { (2026, m - 4) };
            json!({"tag_name": format!("v1.{m}.0"), "published_at": format!("{y}-{mo:02}-01T12:00:00Z"), "created_at": format!("{y}-{mo:02}-01T11:00:00Z"),
                   "draft": false, "prerelease": false, "html_url": format!("https://github.com/acme/widget/releases/tag/v1.{m}.0")})
        })
        .collect();
    Value::Array(list)
}

fn user(login: &str, kind: &str) -> Value {
    json!({"login": login, "__typename": kind})
}

fn gql_comment(at: &str, login: &str, kind: &str, assoc: &str) -> Value {
    json!({"createdAt": at, "authorAssociation": assoc, "author": user(login, kind)})
}

/// Issues as GraphQL returns them, in two pages (newest first).
fn gql_issues(page: usize) -> Value {
    let issues = [
        json!({"number": 3, "title": "Still waiting @octocat <b>|", "url": "https://github.com/acme/widget/issues/3", "createdAt": "2026-08-15T00:00:00Z", "closedAt": null,
               "authorAssociation": "NONE", "author": user("erin", "User"), "labels": {"nodes": []}, "comments": {"totalCount": 0, "nodes": []}}),
        json!({"number": 2, "title": "Second", "url": "https://github.com/acme/widget/issues/2", "createdAt": "2026-07-01T00:00:00Z", "closedAt": "2026-07-05T00:00:00Z",
               "authorAssociation": "NONE", "author": user("bob", "User"), "labels": {"nodes": [{"name": "bug"}]},
               "comments": {"totalCount": 2, "nodes": [gql_comment("2026-07-01T05:00:00Z", "carol", "User", "CONTRIBUTOR"), gql_comment("2026-07-03T02:00:00Z", "maint", "User", "OWNER")]}}),
        json!({"number": 1, "title": "First", "url": "https://github.com/acme/widget/issues/1", "createdAt": "2026-06-01T00:00:00Z", "closedAt": "2026-06-11T00:00:00Z",
               "authorAssociation": "NONE", "author": user("alice", "User"), "labels": {"nodes": []},
               "comments": {"totalCount": 3, "nodes": [gql_comment("2026-06-01T01:00:00Z", "alice", "User", "NONE"), gql_comment("2026-06-01T02:00:00Z", "dependabot", "Bot", "NONE"), gql_comment("2026-06-02T06:00:00Z", "maint", "User", "MEMBER")]}}),
        json!({"number": 0, "title": "Too old", "url": "https://github.com/acme/widget/issues/0", "createdAt": "2025-01-01T00:00:00Z", "closedAt": null,
               "authorAssociation": "NONE", "author": user("zed", "User"), "labels": {"nodes": []}, "comments": {"totalCount": 0, "nodes": []}}),
    ];
    let (nodes, next) = if page == 1 {
        (&issues[..2], true)
    } else {
        (&issues[2..], false)
    };
    json!({"data": {"repository": {"items": {"pageInfo": {"hasNextPage": next, "endCursor": if next { json!("c1") } else { Value::Null }}, "nodes": nodes}}}})
}

fn gql_pulls() -> Value {
    json!({"data": {"repository": {"items": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": [
        {"number": 4, "title": "A fix", "url": "https://github.com/acme/widget/pull/4", "createdAt": "2026-07-10T00:00:00Z", "closedAt": "2026-07-12T00:00:00Z", "mergedAt": "2026-07-12T00:00:00Z",
         "authorAssociation": "CONTRIBUTOR", "author": user("dave", "User"), "labels": {"nodes": []},
         "comments": {"totalCount": 0, "nodes": []},
         "reviews": {"totalCount": 1, "nodes": [{"submittedAt": "2026-07-10T20:00:00Z", "createdAt": "2026-07-10T19:00:00Z", "authorAssociation": "MEMBER", "author": user("maint", "User")}]}}
    ]}}}})
}

/// A workflow run as `GET /repos/{o}/{r}/actions/runs` returns it.
pub(crate) fn run_json(
    id: u64,
    sha: &str,
    event: &str,
    conclusion: &str,
    attempt: u32,
    created: &str,
) -> Value {
    let created_at = at(created);
    let fmt = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    json!({"id": id, "name": "CI", "workflow_id": 7, "head_branch": "main", "head_sha": sha, "event": event,
           "status": "completed", "conclusion": conclusion, "run_attempt": attempt, "run_number": id,
           "created_at": created, "run_started_at": fmt(created_at + chrono::Duration::minutes(1)),
           "updated_at": fmt(created_at + chrono::Duration::minutes(13)),
           "html_url": format!("https://github.com/acme/widget/actions/runs/{id}"), "pull_requests": []})
}

/// Mounts the repository's metadata (default branch `main`) and one page of
/// Actions runs, both revalidated by ETag like GitHub does.
pub(crate) async fn mount_actions(server: &MockServer, name: &str, runs: Vec<Value>) {
    let meta = format!("/repos/acme/{name}");
    let listing = format!("{meta}/actions/runs");
    let body = json!({"total_count": runs.len(), "workflow_runs": runs});
    for (p, etag, body) in [
        (
            &meta,
            "\"m1\"",
            json!({"name": name, "full_name": format!("acme/{name}"), "default_branch": "main"}),
        ),
        (&listing, "\"a1\"", body),
    ] {
        Mock::given(method("GET"))
            .and(path(p.as_str()))
            .and(header("if-none-match", etag))
            .respond_with(ResponseTemplate::new(304))
            .with_priority(1)
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path(p.as_str()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(body)
                    .insert_header("etag", etag),
            )
            .mount(server)
            .await;
    }
}

/// Runs of the loopback `acme/widget`: three commits, one flaky.
fn widget_runs() -> Vec<Value> {
    vec![
        run_json(3, "ccc3333", "push", "success", 2, "2026-07-03T00:00:00Z"),
        run_json(2, "bbb2222", "push", "failure", 1, "2026-07-02T00:00:00Z"),
        run_json(1, "aaa1111", "push", "success", 1, "2026-07-01T00:00:00Z"),
    ]
}

/// Mounts a GitHub with releases, GraphQL issues and pull requests, and Actions runs.
async fn mount_graphql_repo(server: &MockServer) {
    mount_actions(server, "widget", widget_runs()).await;
    // The "has anything changed?" probe, revalidated by ETag.
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/issues"))
        .and(header("if-none-match", "\"p1\""))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/issues"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"number": 3}]))
                .insert_header("etag", "\"p1\""),
        )
        .mount(server)
        .await;
    mount_releases_with_etag(server, &releases_json()).await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_string_contains("issues(first"))
        .and(body_string_contains("\"name\":\"widget\""))
        .and(body_string_contains("\"cursor\":\"c1\""))
        .respond_with(ResponseTemplate::new(200).set_body_json(gql_issues(2)))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_string_contains("issues(first"))
        .and(body_string_contains("\"name\":\"widget\""))
        .and(body_string_contains("\"cursor\":null"))
        .respond_with(ResponseTemplate::new(200).set_body_json(gql_issues(1)))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_string_contains("pullRequests(first"))
        .and(body_string_contains("\"name\":\"widget\""))
        .respond_with(ResponseTemplate::new(200).set_body_json(gql_pulls()))
        .mount(server)
        .await;
}

/// With a token, GraphQL pages are followed by cursor, items outside the window dropped, responses kept raw.
#[tokio::test]
async fn graphql_collects_items_with_their_first_responses() {
    let server = MockServer::start().await;
    mount_graphql_repo(&server).await;
    let client = Client::new(settings(&server, true), None).unwrap();
    let ev = github::collect(&client, &repo(), &window(), false)
        .await
        .unwrap();
    let items = ev.items.unwrap();
    let numbers: Vec<u64> = items.iter().map(|i| i.number).collect();
    assert_eq!(numbers, [1, 2, 4, 3], "oldest first, #0 outside the window");
    assert_eq!(
        items[0].responses.len(),
        3,
        "the author's and the bot's comments are kept for the rubric to judge"
    );
    assert_eq!(items[2].responses[0].actor.as_ref().unwrap().login, "maint");
    assert_eq!(ev.releases.unwrap().len(), 12);
    assert!(ev.sources.iter().all(|s| s.complete), "{:?}", ev.sources);
    assert_eq!(ev.runs.unwrap().len(), 3);
    // One REST request for releases, one probe, two GraphQL pages of issues,
    // one of pull requests, the repository's metadata, one page of runs.
    assert_eq!(
        client.stats.sent.load(std::sync::atomic::Ordering::Relaxed),
        7
    );
}

/// Without a token, REST pages are followed by `Link` header and comments come from the repository-wide listings.
#[tokio::test]
async fn rest_path_without_a_token() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/releases"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let issue = |n: u64, created: &str, pr: bool| {
        let mut v = json!({"number": n, "title": format!("item {n}"), "html_url": format!("https://github.com/acme/widget/issues/{n}"),
            "user": {"login": "u", "type": "User"}, "author_association": "NONE", "created_at": created, "closed_at": null, "labels": []});
        if pr {
            v["pull_request"] = json!({"merged_at": "2026-07-02T00:00:00Z"});
        }
        v
    };
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/issues"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            issue(1, "2026-06-01T00:00:00Z", false),
            issue(0, "2025-01-01T00:00:00Z", false)
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/issues"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([issue(2, "2026-07-01T00:00:00Z", true)]))
                .insert_header("link", format!("<{base}/repos/acme/widget/issues?state=all&per_page=100&page=2>; rel=\"next\"").as_str()),
        )
        .mount(&server)
        .await;
    let comment = |n: u64, at: &str, login: &str, assoc: &str| json!({"issue_url": format!("{base}/repos/acme/widget/issues/{n}"), "created_at": at, "user": {"login": login, "type": "User"}, "author_association": assoc});
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/issues/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            comment(1, "2026-06-01T03:00:00Z", "m", "MEMBER"),
            comment(2, "2026-07-01T01:00:00Z", "m", "MEMBER"),
            comment(99, "2026-07-01T01:00:00Z", "m", "MEMBER")
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/pulls/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;

    let client = Client::new(settings(&server, false), None).unwrap();
    let ev = github::collect(&client, &repo(), &window(), false)
        .await
        .unwrap();
    let items = ev.items.unwrap();
    assert_eq!(items.iter().map(|i| i.number).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(items[1].kind, readiness::evidence::ItemKind::PullRequest);
    assert_eq!(items[0].responses.len(), 1);
    assert!(ev.tags.is_none(), "tag dates need a token");
    let notes: Vec<&String> = ev.sources.iter().flat_map(|s| &s.notes).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("publishes no GitHub releases")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("approvals, change requests")),
        "{notes:?}"
    );
}

/// 5xx answers and truncated bodies are retried; the data then arrives.
#[tokio::test]
async fn transient_faults_are_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/a"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/a"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1})))
        .mount(&server)
        .await;
    Mock::given(path("/b"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("[{\"cut", "application/json"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/b"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([1])))
        .mount(&server)
        .await;
    Mock::given(path("/slow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!(1))
                .set_delay(Duration::from_secs(5)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(2)))
        .mount(&server)
        .await;
    let client = Client::new(settings(&server, true), None).unwrap();
    assert_eq!(client.get("/a").await.unwrap().body, json!({"ok": 1}));
    assert_eq!(client.get("/b").await.unwrap().body, json!([1]));
    assert_eq!(
        client.get("/slow").await.unwrap().body,
        json!(2),
        "a timed-out request is sent again"
    );
    assert_eq!(
        client.stats.sent.load(std::sync::atomic::Ordering::Relaxed),
        7
    );
}

/// A fault that does not go away ends in a bounded number of attempts, with the reason.
#[tokio::test]
async fn persistent_faults_give_up_with_the_reason() {
    let server = MockServer::start().await;
    Mock::given(path("/down"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"message": "unicorns"})))
        .mount(&server)
        .await;
    let client = Client::new(settings(&server, true), None).unwrap();
    let e = client.get("/down").await.unwrap_err();
    assert_eq!(
        e,
        FetchError::GaveUp {
            path: "/down".into(),
            attempts: 5,
            last: "HTTP 503: unicorns".into()
        }
    );
}

/// 429 and secondary limits wait for Retry-After; the primary limit waits when the reset is near and stops when it is far.
#[tokio::test]
async fn rate_limits_wait_or_stop_as_told() {
    let server = MockServer::start().await;
    Mock::given(path("/secondary"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"message": "You have exceeded a secondary rate limit"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/secondary"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!("ok")))
        .mount(&server)
        .await;
    Mock::given(path("/429"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/429"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!("ok")))
        .mount(&server)
        .await;
    let far = chrono::Utc::now().timestamp() + 3600;
    Mock::given(path("/primary"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", far.to_string().as_str())
                .set_body_json(json!({"message": "API rate limit exceeded"})),
        )
        .mount(&server)
        .await;
    let client = Client::new(settings(&server, true), None).unwrap();
    let started = std::time::Instant::now();
    assert_eq!(client.get("/secondary").await.unwrap().body, json!("ok"));
    assert_eq!(client.get("/429").await.unwrap().body, json!("ok"));
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "Retry-After was honoured"
    );
    match client.get("/primary").await.unwrap_err() {
        FetchError::RateLimited { minutes, .. } => {
            assert!((59..=61).contains(&minutes), "{minutes}");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(
        server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path() == "/primary")
            .count(),
        1,
        "a far reset is not waited for"
    );
}

/// GraphQL's RATE_LIMITED error (sent with HTTP 200) is a rate limit, not data.
#[tokio::test]
async fn graphql_rate_limited_is_a_rate_limit() {
    let server = MockServer::start().await;
    Mock::given(path("/graphql")).respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": null, "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}))).mount(&server).await;
    let mut s = settings(&server, true);
    s.max_wait = Duration::ZERO;
    let client = Client::new(s, None).unwrap();
    assert!(matches!(
        client.graphql("{ x }", &json!({})).await,
        Err(FetchError::RateLimited { .. })
    ));
}

/// A second fetch revalidates with If-None-Match; a 304 answers from the cache.
#[tokio::test]
async fn etags_make_the_second_run_cheap() {
    let server = MockServer::start().await;
    mount_releases_with_etag(&server, &releases_json()).await;
    let dir = tempfile::tempdir().unwrap();
    let first = Client::new(
        settings(&server, true),
        Some(Cache::open(dir.path()).unwrap()),
    )
    .unwrap();
    let a = first
        .get("/repos/acme/widget/releases?per_page=100")
        .await
        .unwrap();
    let second = Client::new(
        settings(&server, true),
        Some(Cache::open(dir.path()).unwrap()),
    )
    .unwrap();
    let b = second
        .get("/repos/acme/widget/releases?per_page=100")
        .await
        .unwrap();
    assert_eq!(a.body, b.body);
    assert_eq!(
        second
            .stats
            .not_modified
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    // Offline, the cache answers alone; what it lacks is an error naming it.
    let mut s = settings(&server, true);
    s.offline = true;
    let offline = Client::new(s, Some(Cache::open(dir.path()).unwrap())).unwrap();
    assert_eq!(
        offline
            .get("/repos/acme/widget/releases?per_page=100")
            .await
            .unwrap()
            .body,
        a.body
    );
    assert!(matches!(
        offline.get("/repos/acme/other/releases").await,
        Err(FetchError::Offline { .. })
    ));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

/// A missing repository and refused credentials are errors, not empty data.
#[tokio::test]
async fn not_found_and_unauthorized_are_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/acme/widget/releases"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})))
        .mount(&server)
        .await;
    Mock::given(path("/graphql"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"message": "Bad credentials"})),
        )
        .mount(&server)
        .await;
    let client = Client::new(settings(&server, true), None).unwrap();
    let e = github::collect(&client, &repo(), &window(), false)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("not found (404)") || e.contains("refused the credentials (401)"),
        "{e}"
    );
    let refused = FetchError::Unauthorized { path: "/x".into() }.to_string();
    assert!(
        refused.contains("--token, else GH_TOKEN or GITHUB_TOKEN; GH_ENTERPRISE_TOKEN"),
        "the message names the variables in the order they are read: {refused}"
    );
}

/// No releases: tag dates come from GraphQL refs, 100 a request.
#[tokio::test]
async fn a_repository_without_releases_is_read_by_its_tags() {
    let server = MockServer::start().await;
    mount_empty_repo(&server, "widget").await;
    Mock::given(path("/repos/acme/widget/releases"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let tags = json!({"data": {"repository": {"refs": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": [
        {"name": "v1.0.0", "target": {"__typename": "Tag", "oid": "t1", "tagger": {"date": "2026-01-01T00:00:00Z"}, "target": {"__typename": "Commit", "oid": "c1", "committedDate": "2025-12-30T00:00:00Z"}}},
        {"name": "v1.1.0", "target": {"__typename": "Commit", "oid": "c2", "committedDate": "2026-02-01T00:00:00Z"}}]}}}});
    Mock::given(path("/graphql"))
        .and(body_string_contains("refs(refPrefix"))
        .respond_with(ResponseTemplate::new(200).set_body_json(tags))
        .mount(&server)
        .await;
    Mock::given(path("/graphql")).respond_with(|_: &Request| ResponseTemplate::new(200).set_body_json(json!({"data": {"repository": {"items": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": []}}}}))).mount(&server).await;
    let client = Client::new(settings(&server, true), None).unwrap();
    let ev = github::collect(&client, &repo(), &window(), false)
        .await
        .unwrap();
    let tags = ev.tags.unwrap();
    assert_eq!(
        tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["v1.0.0", "v1.1.0"]
    );
    assert_eq!(tags[0].date.to_rfc3339(), "2026-01-01T00:00:00+00:00");
}

/// A repository with no releases, no tags, no issues: every endpoint answers empty.
pub(crate) async fn mount_empty_repo(server: &MockServer, name: &str) {
    mount_actions(server, name, Vec::new()).await;
    for p in ["releases", "tags", "issues"] {
        Mock::given(method("GET"))
            .and(path(format!("/repos/acme/{name}/{p}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(server)
            .await;
    }
    let empty = json!({"data": {"repository": {"items": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": []},
                                               "refs": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": []}}}});
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_string_contains(format!("\"name\":\"{name}\"")))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty))
        .with_priority(10)
        .mount(server)
        .await;
}

pub(crate) fn start_server() -> (tokio::runtime::Runtime, MockServer) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(async {
        let s = MockServer::start().await;
        mount_graphql_repo(&s).await;
        s
    });
    (rt, server)
}

/// `readiness report OWNER/REPO --api-url` end to end, and the token appears nowhere.
#[test]
fn cli_report_of_a_github_repository() {
    let (_rt, server) = start_server();
    let ws = Workspace::new();
    let api = server.uri();
    let args = [
        "report",
        "acme/widget",
        "--api-url",
        api.as_str(),
        "--token",
        SECRET,
        "--cache-dir",
        "cache",
        "--until",
        "2026-08-20",
    ];
    let md = ws.run(&args).ok();
    assert!(md.starts_with("# Readiness: acme/widget"), "{md}");
    assert!(
        md.contains("8 requests, complete; data as of 20"),
        "the report says how fresh the data is: {md}"
    );
    // The fixture's URLs name github.com, which is not the web host of an API
    // on loopback: they are shown as text, not linked.
    assert!(
        md.contains("| \\#\u{200B}2 Second (https:\u{200B}//github.com/acme/widget/issues/2) |"),
        "the slowest issues are listed with their URL: {md}"
    );
    assert!(!md.contains("](https://github.com"), "{md}");
    assert!(
        !md.contains("@octocat") && !md.contains("<b>"),
        "untrusted titles are escaped"
    );
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json", "-o", "r.json"]);
    ws.run(&json_args).ok();
    let v: Value = serde_json::from_str(&ws.read("r.json")).unwrap();
    assert_eq!(v["target"]["kind"], "github");
    let count = v["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["signal"] == "release.count_365d")
        .unwrap();
    assert_eq!(count["source"], "GitHub releases");
    assert_eq!(count["value"], 12.0);
    ws.run(&[
        "collect",
        "acme/widget",
        "--api-url",
        api.as_str(),
        "--token",
        SECRET,
        "--cache-dir",
        "cache",
        "-o",
        "e.json",
    ])
    .ok();
    for f in ["r.json", "e.json"] {
        assert!(!ws.read(f).contains(SECRET), "{f} holds the token");
    }
    let db = std::fs::read(ws.path("cache/cache.sqlite3")).unwrap();
    assert!(
        !db.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
        "the cache holds the token"
    );
}

/// `compare` of two repositories served on loopback.
#[test]
fn cli_compare_of_two_github_repositories() {
    let (rt, server) = start_server();
    rt.block_on(mount_empty_repo(&server, "gadget"));
    let ws = Workspace::new();
    let api = server.uri();
    let out = ws
        .run(&[
            "compare",
            "acme/widget",
            "acme/gadget",
            "--api-url",
            api.as_str(),
            "--token",
            SECRET,
            "--no-cache",
            "--until",
            "2026-08-20",
        ])
        .ok();
    assert!(
        out.starts_with("# Readiness comparison: acme/widget vs acme/gadget"),
        "{out}"
    );
    assert!(
        out.contains("| Releases in the last 365 days | 12 (100.0) | n/a |"),
        "{out}"
    );
}

/// A token that no header can carry is refused with a clear error, not a panic, and is not echoed.
#[test]
fn cli_refuses_a_malformed_token() {
    let ws = Workspace::new();
    let err = ws
        .run(&[
            "report",
            "acme/widget",
            "--token",
            "ghp_abc\u{7f}def",
            "--api-url",
            "http://127.0.0.1:9",
        ])
        .fails(2);
    assert!(err.contains("the token from --token contains"), "{err}");
    assert!(!err.contains("ghp_abc"), "{err}");
}

/// A second run of the same report costs only conditional requests (304s, no
/// rate-limit cost) and no GraphQL at all when nothing changed upstream.
#[test]
fn cli_warm_run_sends_no_full_cost_request() {
    let (rt, server) = start_server();
    let ws = Workspace::new();
    let api = server.uri();
    let args = [
        "report",
        "acme/widget",
        "--api-url",
        api.as_str(),
        "--token",
        SECRET,
        "--cache-dir",
        "cache",
        "--until",
        "2026-08-20",
        "--format",
        "json",
    ];
    let cold = ws.run(&args).ok();
    let cold_requests = rt.block_on(server.received_requests()).unwrap().len();
    assert_eq!(
        cold_requests, 8,
        "releases, probe, 2 issue pages, 1 pull-request page, repository, runs, gh-pages benchmark data (404)"
    );
    let warm = ws.run(&args).ok();
    let all = rt.block_on(server.received_requests()).unwrap();
    let second: Vec<_> = all[cold_requests..].iter().collect();
    assert_eq!(
        second.len(),
        4,
        "releases, probe, repository, runs (the 404 for benchmark data is remembered): {second:?}"
    );
    assert!(
        second
            .iter()
            .all(|r| r.method.as_str() == "GET" && r.headers.contains_key("if-none-match")),
        "only conditional requests"
    );
    let strip = |s: &str| -> Value {
        let mut v: Value = serde_json::from_str(s).unwrap();
        v.as_object_mut().unwrap().remove("sources");
        v
    };
    assert_eq!(
        strip(&cold),
        strip(&warm),
        "the warm report is the cold one"
    );
    let v: Value = serde_json::from_str(&warm).unwrap();
    let github = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "github")
        .unwrap();
    assert_eq!(github["requests"], 4);
}

/// A clone combined with its GitHub repository (`--github`) gets tags from git and responsiveness from GitHub.
#[test]
fn cli_clone_combined_with_github() {
    let (_rt, server) = start_server();
    let ws = Workspace::new();
    ws.repo("clone", &crate::common::slow_project());
    let api = server.uri();
    let out = ws
        .run(&[
            "report",
            "clone",
            "--github",
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
    assert_eq!(v["target"]["kind"], "git+github");
    assert_eq!(v["target"]["name"], "acme/widget");
    let m = |id: &str| crate::common::measurement(&v, id).clone();
    assert_eq!(
        m("release.count_365d")["source"],
        "GitHub releases",
        "published releases win over tags"
    );
    assert!(
        m("issues.first_response_p50_hours")["n"].as_u64().unwrap() >= 2,
        "{}",
        m("issues.first_response_p50_hours")
    );
    let sources: Vec<&str> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.contains(&"git") && sources.contains(&"github"),
        "{sources:?}"
    );
}

/// Issue pages of one generation (probe ETag), with #1 and #2 retitled by `suffix`,
/// the second page failing with 502 when `page_two_fails`.
async fn mount_generation(server: &MockServer, etag: &str, suffix: &str, page_two_fails: bool) {
    server.reset().await;
    mount_actions(server, "widget", Vec::new()).await;
    let etag_header = format!("\"{etag}\"");
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/issues"))
        .and(header("if-none-match", etag_header.as_str()))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/issues"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"number": 2}]))
                .insert_header("etag", etag_header.as_str()),
        )
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/releases"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/tags"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(server)
        .await;
    let retitle = |mut page: Value| {
        for node in page["data"]["repository"]["items"]["nodes"]
            .as_array_mut()
            .unwrap()
        {
            let t = format!("{}{suffix}", node["title"].as_str().unwrap());
            node["title"] = json!(t);
        }
        page
    };
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_string_contains("issues(first"))
        .and(body_string_contains("\"cursor\":null"))
        .respond_with(ResponseTemplate::new(200).set_body_json(retitle(gql_issues(1))))
        .mount(server)
        .await;
    let second = if page_two_fails {
        ResponseTemplate::new(502)
    } else {
        ResponseTemplate::new(200).set_body_json(retitle(gql_issues(2)))
    };
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_string_contains("issues(first"))
        .and(body_string_contains("\"cursor\":\"c1\""))
        .respond_with(second)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_string_contains("pullRequests(first"))
        .respond_with(ResponseTemplate::new(200).set_body_json(gql_pulls()))
        .mount(server)
        .await;
    let empty_refs = json!({"data": {"repository": {"refs": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": []}}}});
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_string_contains("refs(refPrefix"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_refs))
        .mount(server)
        .await;
}

/// An interrupted refresh never mixes pages of two states of the repository:
/// cached GraphQL pages are kept per generation, so after a change every
/// page is either of the new state (cached or fetched) or fetched again.
#[tokio::test]
async fn an_interrupted_refresh_never_serves_stale_pages() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(&server, true);
    s.retries = 0;
    let run = || async {
        let client = Client::new(s.clone(), Some(Cache::open(dir.path()).unwrap())).unwrap();
        let ev = github::collect(&client, &repo(), &window(), false)
            .await
            .unwrap();
        let titles: Vec<String> = ev
            .items
            .unwrap()
            .iter()
            .filter(|i| i.kind == readiness::evidence::ItemKind::Issue)
            .map(|i| i.title.clone())
            .collect();
        (titles, ev.sources.iter().all(|s| s.complete))
    };
    mount_generation(&server, "g1", "", false).await;
    assert_eq!(
        run().await,
        (
            vec![
                "First".to_string(),
                "Second".into(),
                "Still waiting @octocat <b>|".into()
            ],
            true
        )
    );
    // Upstream changes; the refresh stops after the first page.
    mount_generation(&server, "g2", " (edited)", true).await;
    let (_, complete) = run().await;
    assert!(!complete, "the failed page is marked incomplete");
    // The next run still sees generation g2: page one comes from the cache, page two is fetched.
    mount_generation(&server, "g2", " (edited)", false).await;
    let (titles, complete) = run().await;
    assert!(complete);
    assert_eq!(
        titles,
        [
            "First (edited)",
            "Second (edited)",
            "Still waiting @octocat <b>| (edited)"
        ],
        "no page of the old state was reused"
    );
    let graphql_pages: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/graphql")
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .filter(|b| b.contains("issues(first"))
        .collect();
    assert_eq!(graphql_pages.len(), 1, "only the missing page was fetched");
    assert!(graphql_pages[0].contains("\"cursor\":\"c1\""));
}

/// A clone whose `origin` is on the configured GitHub is combined with it;
/// when that inferred repository cannot be read, the clone is still reported, with a note.
#[test]
fn cli_infers_the_github_repository_from_origin() {
    let (rt, server) = start_server();
    let ws = Workspace::new();
    let api = server.uri();
    ws.repo(
        "clone",
        &crate::common::slow_project().remote(&format!("{api}/acme/widget.git")),
    );
    let out = ws
        .run(&[
            "report",
            "clone",
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
    assert_eq!(v["target"]["kind"], "git+github");
    assert_eq!(v["target"]["name"], "acme/widget");

    // The same clone pointing at a repository the server does not know.
    let ws2 = Workspace::new();
    ws2.repo(
        "clone",
        &crate::common::slow_project().remote(&format!("{api}/acme/missing.git")),
    );
    rt.block_on(async {
        Mock::given(path("/repos/acme/missing/releases"))
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})))
            .mount(&server)
            .await;
    });
    let out = ws2
        .run(&[
            "report",
            "clone",
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
    assert_eq!(v["target"]["kind"], "git");
    let note = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "github")
        .unwrap()["notes"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(note.starts_with("the clone's GitHub repository could not be read: acme/missing: /repos/acme/missing/releases?per_page=100: not found (404)"), "{note}");
    // --no-github keeps the clone alone.
    let out = ws
        .run(&[
            "report",
            "clone",
            "--api-url",
            api.as_str(),
            "--no-github",
            "--format",
            "json",
        ])
        .ok();
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["target"]["kind"],
        "git"
    );
}

/// Without a token the cost is said once on standard error, and only unauthenticated endpoints are used.
#[test]
fn cli_without_a_token_says_what_it_costs_once() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(async {
        let s = MockServer::start().await;
        mount_empty_repo(&s, "widget").await;
        for p in ["issues/comments", "pulls/comments"] {
            Mock::given(method("GET"))
                .and(path(format!("/repos/acme/widget/{p}")))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
                .with_priority(1)
                .mount(&s)
                .await;
        }
        s
    });
    let ws = Workspace::new();
    let api = server.uri();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args([
            "report",
            "acme/widget",
            "--api-url",
            api.as_str(),
            "--no-cache",
        ])
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("GH_ENTERPRISE_TOKEN")
        .env_remove("GITHUB_ENTERPRISE_TOKEN")
        .current_dir(ws.dir.path())
        .output()
        .unwrap();
    assert!(run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(stderr.matches("no GitHub token").count(), 1, "{stderr}");
    assert!(stderr.contains("60 requests an hour"), "{stderr}");
    let requests = rt.block_on(server.received_requests()).unwrap();
    assert!(
        requests
            .iter()
            .all(|r| r.url.path() != "/graphql" && !r.headers.contains_key("authorization")),
        "unauthenticated endpoints only"
    );
}

/// The primary limit is waited out when its reset is near; a secondary limit
/// that names no time asks for a minute, longer than allowed here, so it stops.
#[tokio::test]
async fn near_resets_are_waited_for() {
    let server = MockServer::start().await;
    let soon = chrono::Utc::now().timestamp() + 1;
    Mock::given(path("/near"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", soon.to_string().as_str()),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/near"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!("ok")))
        .mount(&server)
        .await;
    Mock::given(path("/vague")).respond_with(ResponseTemplate::new(403).set_body_json(json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}))).mount(&server).await;
    let mut s = settings(&server, true);
    s.max_wait = Duration::from_secs(5);
    let client = Client::new(s, None).unwrap();
    assert_eq!(client.get("/near").await.unwrap().body, json!("ok"));
    assert!(matches!(
        client.get("/vague").await,
        Err(FetchError::RateLimited { minutes: 1, .. })
    ));
}

/// A github-action-benchmark `data.js` with one suite ("Rust") and one
/// benchmark measured daily from 2026-06-01 for `n` days, `step_at` where
/// it slows by 20 % (ns/iter, cargo: lower is better).
fn bench_data_js(n: usize, step_at: usize) -> String {
    let start = chrono::DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z").unwrap();
    let entries: Vec<Value> = (0..n)
        .map(|i| {
            let t = start + chrono::Duration::days(i64::try_from(i).unwrap());
            let wobble = [0.0, 0.4, -0.3, 0.2, -0.5, 0.1][i % 6];
            let value = if i < step_at { 1000.0 } else { 1200.0 } + wobble;
            json!({
                "commit": {"id": commit_id(i), "timestamp": t.to_rfc3339(), "url": format!("https://github.com/acme/widget/commit/{}", commit_id(i))},
                "date": t.timestamp_millis(),
                "tool": "cargo",
                "benches": [{"name": "parse | <b>big</b>", "value": value, "range": "± 3", "unit": "ns/iter"}]
            })
        })
        .collect();
    format!(
        "window.BENCHMARK_DATA = {}",
        serde_json::to_string_pretty(&json!({"lastUpdate": 1, "repoUrl": "https://github.com/acme/widget", "entries": {"Rust": entries}})).unwrap()
    )
}

/// A commit id whose short (12 character) form tells the commits apart.
fn commit_id(i: usize) -> String {
    format!("{i:012x}{}", "0".repeat(28))
}

fn b64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A GitHub target reads the github-action-benchmark results its gh-pages
/// branch publishes: a small file from the contents answer, a large one
/// (content left out) from its blob. The regression is found and named.
#[test]
fn gh_pages_benchmark_data_joins_a_github_report() {
    for large in [false, true] {
        let (rt, server) = start_server();
        let data = bench_data_js(40, 25);
        rt.block_on(async {
            let contents = if large {
                json!({"type": "file", "encoding": "none", "content": "", "sha": "b10b"})
            } else {
                json!({"type": "file", "encoding": "base64", "content": b64(&data), "sha": "b10b"})
            };
            Mock::given(method("GET"))
                .and(path("/repos/acme/widget/contents/dev/bench/data.js"))
                .and(query_param("ref", "gh-pages"))
                .respond_with(ResponseTemplate::new(200).set_body_json(contents))
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path("/repos/acme/widget/git/blobs/b10b"))
                .respond_with(ResponseTemplate::new(200).set_body_json(
                    json!({"sha": "b10b", "encoding": "base64", "content": b64(&data), "size": data.len()}),
                ))
                .mount(&server)
                .await;
        });
        let ws = Workspace::new();
        let api = server.uri();
        let args = [
            "report",
            "acme/widget",
            "--api-url",
            &api,
            "--token",
            SECRET,
            "--no-cache",
            "--until",
            "2026-08-20",
            "--format",
            "json",
        ];
        let v: Value = serde_json::from_str(&ws.run(&args).ok()).unwrap();
        // A report with every family (issues, CI, releases, benchmarks) and
        // their charts matches the JSON Schema.
        crate::schema::Validator::new(&ws, &["schema"]).assert_valid(&v, "a GitHub report");
        let ids: Vec<&str> = v["trends"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["id"].as_str())
            .collect();
        assert!(ids.contains(&"bench_regression_1"), "{ids:?}");
        let src = v["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["source"] == "github-action-benchmark")
            .expect("a github-action-benchmark source");
        assert_eq!(src["items"], 1, "{src}");
        let regressions = crate::common::measurement(&v, "bench.regressions");
        assert_eq!(regressions["value"], 1.0, "large={large}: {regressions}");
        let ex = &regressions["examples"][0];
        assert_eq!(ex["date"], "2026-06-26", "{ex}");
        assert!(
            ex["label"]
                .as_str()
                .unwrap()
                .starts_with("parse | <b>big</b>"),
            "{ex}"
        );
        assert!(
            ex["note"]
                .as_str()
                .unwrap()
                .contains(&format!("commit {}", &commit_id(25)[..12])),
            "{ex}"
        );
        // The markdown escapes the benchmark's name.
        let md_args: Vec<&str> = args[..args.len() - 2].to_vec();
        let md = ws.run(&md_args).ok();
        assert!(md.contains("parse \\| &lt;b&gt;big&lt;/b&gt;"), "{md}");
        assert!(!md.contains("<b>"), "{md}");
    }
}

/// Without gh-pages data the source says so, and a warm run does not ask again.
#[test]
fn missing_gh_pages_benchmark_data_is_a_note() {
    let (_rt, server) = start_server();
    let ws = Workspace::new();
    let api = server.uri();
    let args = [
        "report",
        "acme/widget",
        "--api-url",
        &api,
        "--token",
        SECRET,
        "--cache-dir",
        "cache",
        "--until",
        "2026-08-20",
        "--format",
        "json",
    ];
    let v: Value = serde_json::from_str(&ws.run(&args).ok()).unwrap();
    let src = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "github-action-benchmark")
        .expect("a github-action-benchmark source");
    assert_eq!(src["items"], 0);
    assert!(
        src["notes"][0]
            .as_str()
            .unwrap()
            .contains("no dev/bench/data.js on a gh-pages branch"),
        "{src}"
    );
    let m = crate::common::measurement(&v, "bench.regressions");
    assert!(m["value"].is_null());
}

/// Every artifact input is checked before the first request: an input that
/// names nothing fails with today's message and exit code, and the loopback
/// GitHub sees no request at all (before, the whole collection ran first).
#[test]
fn a_bad_artifact_input_fails_before_any_github_request() {
    let (rt, server) = start_server();
    let ws = Workspace::new();
    ws.write("tests.xml", "<testsuite tests=\"0\"/>");
    let api = server.uri();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--asv", "no-such-results"],
            "--asv no-such-results: no such folder",
        ),
        (
            &["--criterion", "no-such-target"],
            "--criterion no-such-target: no such folder",
        ),
        (
            &["--bench-data", "no-such.js"],
            "--bench-data no-such.js: no such file",
        ),
        (
            &["--pytest-benchmark", "no-such.json"],
            "--pytest-benchmark no-such.json: no such file",
        ),
        (
            &["--junit", "tests.xml", "--junit-env", "("],
            "--junit-env \"(\" is not a valid regular expression",
        ),
    ];
    for (flags, message) in cases {
        let mut args = vec!["report", "acme/widget", "--api-url", api.as_str()];
        args.extend_from_slice(flags);
        let err = ws.run(&args).fails(2);
        assert!(err.contains(message), "{flags:?}: {err}");
        let sent = rt.block_on(server.received_requests()).unwrap().len();
        assert_eq!(sent, 0, "{flags:?} sent {sent} requests before failing");
    }
}
