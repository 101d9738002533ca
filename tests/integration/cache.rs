//! The response cache under faults, end to end: a damaged file, a damaged
//! body whose ETag still matches, a folder where the file should be, and a
//! lock held by another process. None of them stops or stalls a run.

use std::time::{Duration, Instant};

use readiness::cache::{self, Cache, Entry};
use readiness::collect::github::client::Client;
use serde_json::json;
use wiremock::MockServer;

use crate::common::{Run, Workspace};
use crate::github::{SECRET, settings, start_server};

/// `readiness report acme/widget` against `api` with the cache in `cache/`.
fn report(ws: &Workspace, api: &str) -> Run {
    ws.run(&[
        "report",
        "acme/widget",
        "--api-url",
        api,
        "--token",
        SECRET,
        "--cache-dir",
        "cache",
        "--until",
        "2026-08-20",
    ])
}

/// Bytes flipped in the middle of a cache file (at a page boundary, where
/// SQLite keeps a page's header) are found when it is opened: the file is
/// moved aside, stderr says where, and the run goes on with a fresh cache.
#[test]
fn a_damaged_cache_file_is_moved_aside_and_named_on_stderr() {
    let (_rt, server) = start_server();
    let ws = Workspace::new();
    report(&ws, &server.uri()).ok();
    let file = ws.path("cache/cache.sqlite3");
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 4096 / 2 * 4096;
    for b in &mut bytes[middle..middle + 64] {
        *b ^= 0xA5;
    }
    std::fs::write(&file, &bytes).unwrap();
    let run = report(&ws, &server.uri());
    assert!(
        run.stderr.contains("cache cache/cache.sqlite3: damaged: ")
            && run
                .stderr
                .contains(": moved aside to cache/cache.sqlite3.corrupt-")
            && run.stderr.contains("; starting an empty cache"),
        "{}",
        run.stderr
    );
    assert!(run.ok().starts_with("# Readiness: acme/widget"));
    let aside = std::fs::read_dir(ws.path("cache"))
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().starts_with("cache.sqlite3.corrupt-")
        })
        .count();
    assert_eq!(aside, 1);
}

/// A cached 200 whose body is not JSON, though its ETag still matches, is
/// dropped and fetched again without `If-None-Match`, and the good copy
/// replaces it: the cache heals instead of failing on every later run.
#[tokio::test]
async fn a_damaged_body_with_a_matching_etag_is_fetched_again() {
    let server = MockServer::start().await;
    let releases = json!([{"tag_name": "v1.0.0", "published_at": "2026-08-01T12:00:00Z", "draft": false, "prerelease": false}]);
    crate::github::mount_releases_with_etag(&server, &releases).await;
    let dir = tempfile::tempdir().unwrap();
    let route = "/repos/acme/widget/releases?per_page=100";
    let key = cache::key(
        "GET",
        &format!("{}{route}", server.uri()),
        &cache::token_scope(SECRET),
    );
    let damaged = Entry {
        status: 200,
        etag: Some("\"r1\"".into()),
        link: None,
        body: "[{\"tag_na\u{fffd}\u{fffd}".into(),
        fetched_at: 1,
    };
    Cache::open(dir.path())
        .unwrap()
        .put(&key, &damaged)
        .unwrap();
    let client = Client::new(
        settings(&server, true),
        Some(Cache::open(dir.path()).unwrap()),
    )
    .unwrap();
    let page = client.get(route).await.unwrap();
    assert_eq!(page.body, releases);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert!(!requests[0].headers.contains_key("if-none-match"));
    let healed = Cache::open(dir.path()).unwrap().get(&key).unwrap().unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&healed.body).unwrap(),
        releases
    );
    // Later requests revalidate the good copy: a 304.
    assert_eq!(client.get(route).await.unwrap().body, releases);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].headers["if-none-match"], "\"r1\"");
}

/// A folder where the cache file should be is named at once, and the run
/// goes on without the cache instead of stopping.
#[test]
fn a_folder_in_place_of_the_cache_file_is_named_and_the_run_goes_on() {
    let (_rt, server) = start_server();
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.path("cache/cache.sqlite3")).unwrap();
    let run = report(&ws, &server.uri());
    assert!(
        run.stderr.contains(
            "warning: cache cache/cache.sqlite3: is a folder, not a database file; remove it or choose another --cache-dir; going on without the cache"
        ),
        "{}",
        run.stderr
    );
    assert!(run.ok().starts_with("# Readiness: acme/widget"));
}

/// Another process holding the cache's write lock costs one busy timeout
/// (5 s), said once on stderr, after which the run goes on without the
/// cache instead of waiting again for every response.
#[test]
fn a_cache_locked_by_another_process_is_given_up_after_a_few_seconds() {
    let (_rt, server) = start_server();
    let ws = Workspace::new();
    drop(Cache::open(&ws.path("cache")).unwrap());
    let holder = rusqlite::Connection::open(ws.path("cache/cache.sqlite3")).unwrap();
    holder
        .execute_batch("BEGIN IMMEDIATE; DELETE FROM responses;")
        .unwrap();
    let start = Instant::now();
    let run = report(&ws, &server.uri());
    let took = start.elapsed();
    let warning = "another process has held its lock for more than 5 s; going on without the cache";
    assert_eq!(run.stderr.matches(warning).count(), 1, "{}", run.stderr);
    assert!(run.ok().starts_with("# Readiness: acme/widget"));
    assert!(took < Duration::from_secs(15), "the run took {took:?}");
    drop(holder);
}
