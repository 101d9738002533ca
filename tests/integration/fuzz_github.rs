//! Fuzz targets for the GitHub JSON readers: REST records (releases,
//! issues, comments, workflow runs), GraphQL nodes and page info, `Link`
//! headers and the page guard, and GraphQL `errors`. Arbitrary bytes and
//! structured mutations of valid seeds; each target asserts properties
//! (never a panic; what is read agrees with the input; a skip names why).
//! `READINESS_FUZZ_CASES=N` runs longer.

use std::collections::HashSet;

use readiness::collect::github::client::{
    Client, PageGuard, Settings, link_without_userinfo, next_link, page_key, reset_time,
    retry_after,
};
use readiness::collect::github::parse;
use readiness::evidence::ItemKind;
use serde_json::{Value, json};

use crate::fuzzkit;

/// Cases per target by default: all targets together stay within seconds in a debug build.
const DEFAULT: usize = 10_000;

const KEYS: &[&[u8]] = &[
    b"\"id\"",
    b"\"number\"",
    b"\"tag_name\"",
    b"\"published_at\"",
    b"\"created_at\"",
    b"\"createdAt\"",
    b"\"hasNextPage\"",
    b"\"endCursor\"",
    b"\"nodes\"",
    b"\"errors\"",
    b"\"type\"",
    b"\"2026-07-01T00:00:00Z\"",
    b"\"2026-13-45T99:00:00+25:00\"",
    b"true",
    b"\"yes\"",
];

fn seeds(docs: &[Value]) -> Vec<Vec<u8>> {
    docs.iter()
        .map(|d| serde_json::to_vec(d).unwrap_or_default())
        .collect()
}

/// A document's records: the elements of a list, or the document itself.
fn records(bytes: &[u8]) -> Vec<Value> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(a)) => a,
        Ok(v) => vec![v],
        Err(_) => Vec::new(),
    }
}

/// A skip reason says what is wrong, in words.
fn check_skip(reason: &str) {
    assert!(!reason.trim().is_empty(), "an empty skip reason");
}

/// REST records: whatever the bytes, each reader gives a record that
/// agrees with the input, or a reason.
#[test]
fn fuzz_github_rest_records() {
    let docs = [
        json!([{"id": 1, "tag_name": "v1.0", "published_at": "2026-06-01T12:00:00+02:00", "draft": false, "prerelease": true, "html_url": "u"}]),
        json!([{"id": 11, "number": 7, "title": "t", "html_url": "u", "user": {"login": "a", "type": "User"}, "author_association": "NONE",
                "created_at": "2026-01-01T00:00:00Z", "closed_at": null, "labels": [{"name": "bug"}], "pull_request": {"merged_at": "2026-01-03T00:00:00Z"}}]),
        json!([{"id": 21, "issue_url": "https://api.github.com/repos/o/r/issues/7", "created_at": "2026-01-02T00:00:00Z", "user": {"login": "b[bot]", "type": "Bot"}, "author_association": "NONE"},
               {"id": 22, "pull_request_url": "https://api.github.com/repos/o/r/pulls/8", "created_at": "2026-01-02T00:00:00Z", "user": null}]),
        json!({"total_count": 1, "workflow_runs": [{"id": 5, "name": "CI", "workflow_id": 9, "head_sha": "abc", "head_branch": "main", "event": "push",
               "status": "completed", "conclusion": "success", "run_attempt": 2, "created_at": "2026-01-01T00:00:00Z",
               "run_started_at": "2026-01-01T00:01:00Z", "updated_at": "2026-01-01T00:10:00Z", "html_url": "u"}]}),
    ];
    let tried = fuzzkit::run(
        "github-rest",
        &seeds(&docs),
        KEYS,
        fuzzkit::cases(DEFAULT),
        |bytes| {
            let mut all = records(bytes);
            if let Some(Value::Array(runs)) = all.first().and_then(|v| v.get("workflow_runs")) {
                all.extend(runs.clone());
            }
            for v in &all {
                match parse::release(v) {
                    Ok(r) => assert_eq!(Some(r.tag.as_str()), v["tag_name"].as_str()),
                    Err(why) => check_skip(&why),
                }
                match parse::rest_item(v) {
                    Ok(i) => {
                        assert_eq!(Some(i.number), v["number"].as_u64());
                        assert_eq!(
                            i.kind == ItemKind::PullRequest,
                            v.get("pull_request").is_some_and(|p| !p.is_null())
                        );
                    }
                    Err(why) => check_skip(&why),
                }
                match parse::rest_comment(v) {
                    Ok((n, _)) => assert!(v.to_string().contains(&n.to_string())),
                    Err(why) => check_skip(&why),
                }
                match parse::workflow_run(v) {
                    Ok(r) => {
                        assert_eq!(Some(r.id), v["id"].as_u64());
                        assert!(r.run_attempt >= 1 || v["run_attempt"].as_u64() == Some(0));
                    }
                    Err(why) => check_skip(&why),
                }
            }
        },
    );
    assert!(tried >= docs.len());
}

/// GraphQL nodes and page info: an item's responses are in time order and
/// marked incomplete when fewer came than exist; a cursor is followed only
/// when `hasNextPage` is `true` and `endCursor` a string.
#[test]
fn fuzz_github_graphql_nodes() {
    let item = json!({"number": 3, "title": "x", "url": "u", "createdAt": "2026-01-01T00:00:00Z", "closedAt": null, "mergedAt": null,
        "authorAssociation": "CONTRIBUTOR", "author": {"login": "a", "__typename": "User"}, "labels": {"nodes": [{"name": "bug"}]},
        "comments": {"totalCount": 2, "nodes": [{"createdAt": "2026-01-02T00:00:00Z", "authorAssociation": "MEMBER", "author": {"login": "m", "__typename": "User"}}]},
        "reviews": {"totalCount": 1, "nodes": [{"submittedAt": "2026-01-01T05:00:00Z", "createdAt": "2026-01-01T04:00:00Z", "authorAssociation": "OWNER", "author": null}]}});
    let docs = [
        json!({"data": {"repository": {"items": {"pageInfo": {"hasNextPage": true, "endCursor": "Y3Vyc29yOjI="}, "nodes": [item, null]}}},
               "errors": [{"type": "FORBIDDEN", "path": ["repository", "items", "nodes", 1], "message": "Resource not accessible"}]}),
        json!({"data": {"repository": {"refs": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": [
            {"name": "v1.0", "target": {"__typename": "Tag", "oid": "t", "tagger": {"date": "2026-02-01T08:30:00-05:00"}, "target": {"__typename": "Commit", "oid": "c", "committedDate": "2026-01-01T00:00:00Z"}}},
            {"name": "v1.1", "target": {"__typename": "Commit", "oid": "c2", "committedDate": "2026-03-01T00:00:00Z"}}]}}}}),
    ];
    fuzzkit::run(
        "github-graphql",
        &seeds(&docs),
        KEYS,
        fuzzkit::cases(DEFAULT),
        |bytes| {
            let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
                return;
            };
            let repo = &v["data"]["repository"];
            for conn in [&repo["items"], &repo["refs"], &v] {
                match parse::next_cursor(conn) {
                    Ok(Some(c)) => {
                        assert_eq!(conn["pageInfo"]["hasNextPage"], json!(true));
                        assert_eq!(conn["pageInfo"]["endCursor"].as_str(), Some(c.as_str()));
                    }
                    Ok(None) => assert_eq!(conn["pageInfo"]["hasNextPage"], json!(false)),
                    Err(why) => check_skip(&why),
                }
                for node in conn["nodes"].as_array().into_iter().flatten() {
                    for kind in [ItemKind::Issue, ItemKind::PullRequest] {
                        match parse::graphql_item(node, kind) {
                            Ok(i) => {
                                assert_eq!(Some(i.number), node["number"].as_u64());
                                assert!(i.responses.windows(2).all(|w| w[0].at <= w[1].at));
                                let fetched =
                                    node["comments"]["nodes"].as_array().map_or(0, Vec::len) as u64;
                                if node["comments"]["totalCount"]
                                    .as_u64()
                                    .is_some_and(|t| t > fetched)
                                {
                                    assert!(!i.responses_complete);
                                }
                            }
                            Err(why) => check_skip(&why),
                        }
                    }
                    match parse::graphql_tag(node) {
                        Ok(Some(t)) => assert_eq!(Some(t.name.as_str()), node["name"].as_str()),
                        Ok(None) => {}
                        Err(why) => check_skip(&why),
                    }
                }
            }
        },
    );
}

/// `Link` headers, page keys and the page guard: a next URL is one the
/// header holds, and keeps no credentials once cleaned; any `Retry-After`
/// of digits is a wait whose end can be told; a page key is stable; a guard never keeps an `id` twice,
/// and refuses a page it has seen.
#[test]
fn fuzz_github_pages() {
    let docs: Vec<Vec<u8>> = vec![
        br#"<https://api.github.com/repositories/1/issues?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/issues?per_page=100&page=40>; rel="last""#.to_vec(),
        br"<http://u:p@127.0.0.1:8/x?page=1&per_page=100>; rel=next".to_vec(),
        br#"[{"id": 1}, {"id": 2}, {"id": 1}, {"id": "1"}, {"x": null}]"#.to_vec(),
        b"10000000000000".to_vec(),
        b"Fri, 31 Dec 9999 23:59:59 GMT".to_vec(),
    ];
    let extra: &[&[u8]] = &[
        b"rel=\"next\"",
        b";",
        b"<",
        b">",
        b"page=",
        b"&",
        b"?",
        b"\"id\"",
    ];
    fuzzkit::run(
        "github-pages",
        &docs,
        extra,
        fuzzkit::cases(DEFAULT),
        |bytes| {
            let text = String::from_utf8_lossy(bytes);
            if let Some(url) = next_link(&text) {
                assert!(text.contains(url.as_str()));
            }
            if let Some(url) = next_link(&link_without_userinfo(&text))
                && let Some((_, rest)) = url.split_once("://")
            {
                let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
                assert!(!authority.contains('@'), "{url}: credentials kept");
            }
            let now = chrono::Utc::now();
            if let Some(wait) = retry_after(&text, now) {
                assert!(!reset_time(now, wait).is_empty());
            } else {
                assert!(text.trim().is_empty() || !text.trim().bytes().all(|b| b.is_ascii_digit()));
            }
            let key = page_key(&text);
            assert_eq!(page_key(&key), key);
            let mut guard = PageGuard::default();
            assert!(guard.enter(&text).is_ok());
            assert!(guard.enter(&key).is_err(), "the same page under its key");
            let items = records(bytes);
            let mut out = Vec::new();
            let _ = guard.keep(items.clone(), &mut out);
            let _ = guard.keep(items, &mut out);
            let mut ids = HashSet::new();
            for v in &out {
                if let Some(id) = v.get("id").filter(|id| !id.is_null()) {
                    assert!(ids.insert(id.to_string()), "{id} kept twice");
                }
            }
        },
    );
}

/// GraphQL `errors`: described when present (type and message), never a
/// panic; an answer without errors is described as none.
#[test]
fn fuzz_github_graphql_errors() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _inside = rt.enter();
    let client = Client::new(
        Settings {
            api_url: "http://127.0.0.1:9".into(),
            ..Settings::default()
        },
        None,
    )
    .unwrap();
    let docs = [
        json!({"data": {"x": 1}, "errors": [{"type": "TIMEOUT", "message": "Timeout on validation of query"}, {"message": "no type"}]}),
        json!({"data": null, "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}),
        json!({"data": {"x": 1}}),
    ];
    fuzzkit::run(
        "github-graphql-errors",
        &seeds(&docs),
        KEYS,
        fuzzkit::cases(DEFAULT),
        |bytes| {
            let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
                return;
            };
            let described = client.graphql_errors(&v);
            match v.get("errors") {
                Some(Value::Array(list)) if list.is_empty() => assert!(described.is_none()),
                None | Some(Value::Null) => assert!(described.is_none()),
                Some(_) => assert!(described.is_some_and(|d| !d.is_empty())),
            }
        },
    );
}
