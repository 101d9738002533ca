//! GitHub collection at pandas scale, on loopback with 50 ms added latency.
//!
//! A generated repository: 300 releases; 4,000 issues and pull requests
//! opened in the window, with 30,000 comments and reviews between them; 600
//! GitHub Actions runs of the default branch.
//! Runs a cold collection (empty cache) and a warm one (same cache, nothing
//! changed upstream) several times each and prints medians: wall time,
//! requests sent, and how many of those were full-cost (not answered 304).
//!
//! Run: `cargo bench --bench github` (add `-- --runs 5` for more repetitions).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use readiness::collect::github::client::{Settings, Token};
use readiness::collect::github::test_reports::TestReports;
use readiness::collect::{self, GitHubRequest, Request};
use readiness::evidence::ReleaseRule;
use readiness::target::Target;
use readiness::window::Window;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request as HttpRequest, Respond, ResponseTemplate};

const LATENCY: Duration = Duration::from_millis(50);
const RELEASES: usize = 300;
const ISSUES: usize = 2_800;
const PULLS: usize = 1_200;
const RESPONSES: usize = 30_000;
const RUNS: usize = 600;

/// The generated repository, and a counter of the answers that were not 304.
struct Fake {
    base: String,
    issues: Vec<Value>,
    pulls: Vec<Value>,
    full_cost: AtomicU64,
}

fn at(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Fake {
    fn new(base: String, until: i64) -> Fake {
        let span: usize = 360 * 86_400;
        let per_item = i64::try_from(RESPONSES / (ISSUES + PULLS)).unwrap();
        let node = |n: usize, total: usize, pr: bool| {
            // Newest first, spread evenly over the window.
            let created = until - 3_600 - i64::try_from(n * span / total).unwrap();
            let responses: Vec<Value> = (0..per_item)
                .map(|k| {
                    json!({"createdAt": at(created + 3_600 * (k + 1) * 7), "submittedAt": at(created + 3_600 * (k + 1) * 7),
                           "authorAssociation": if k % 3 == 0 { "MEMBER" } else { "NONE" },
                           "author": {"login": format!("user{k}"), "__typename": "User"}})
                })
                .collect();
            let first: Vec<Value> = responses.iter().take(10).cloned().collect();
            let mut v = json!({"number": if pr { ISSUES + n + 1 } else { n + 1 }, "title": format!("item {n}"), "url": format!("https://github.com/acme/big/issues/{n}"),
                "createdAt": at(created), "closedAt": if n.is_multiple_of(2) { json!(at(created + 86_400 * 3)) } else { Value::Null },
                "authorAssociation": "NONE", "author": {"login": "reporter", "__typename": "User"}, "labels": {"nodes": []},
                "comments": {"totalCount": responses.len(), "nodes": first}});
            if pr {
                v["mergedAt"] = if n.is_multiple_of(3) {
                    json!(at(created + 86_400 * 2))
                } else {
                    Value::Null
                };
                v["reviews"] = json!({"totalCount": 1, "nodes": [{"submittedAt": at(created + 7_200), "createdAt": at(created + 7_000), "authorAssociation": "MEMBER", "author": {"login": "maint", "__typename": "User"}}]});
            }
            v
        };
        Fake {
            base,
            issues: (0..ISSUES).map(|n| node(n, ISSUES, false)).collect(),
            pulls: (0..PULLS).map(|n| node(n, PULLS, true)).collect(),
            full_cost: AtomicU64::new(0),
        }
    }
}

/// Page `page` of the releases listing, newest first, one release every 10 days before `until`.
fn releases_page(page: usize, until: i64) -> Value {
    Value::Array(
        (0..100)
            .map(|i| (page - 1) * 100 + i)
            .filter(|&i| i < RELEASES)
            .map(|i| json!({"tag_name": format!("v{}.{}.0", 3 - i / 100, 99 - i % 100), "published_at": at(until - i64::try_from(i).unwrap() * 10 * 86_400), "draft": false, "prerelease": false, "html_url": null}))
            .collect(),
    )
}

/// The `page` query parameter of a request (1 when absent).
fn page_of(req: &HttpRequest) -> usize {
    req.url
        .query_pairs()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1)
}

/// GitHub's `Link` header for `page` of `last` pages of a listing, as the real API sends it.
fn paging_link(base: &str, listing: &str, page: usize, last: usize) -> Option<String> {
    (page < last).then(|| {
        let url = |n: usize| format!("{base}/repos/acme/big/{listing}?per_page=100&page={n}");
        format!(
            "<{}>; rel=\"next\", <{}>; rel=\"last\"",
            url(page + 1),
            url(last)
        )
    })
}

struct Responder {
    fake: Arc<Fake>,
    until: i64,
}

impl Respond for Responder {
    fn respond(&self, req: &HttpRequest) -> ResponseTemplate {
        let f = &self.fake;
        let etag_matches = |etag: &str| {
            req.headers
                .get("if-none-match")
                .and_then(|v| v.to_str().ok())
                == Some(etag)
        };
        let path = req.url.path();
        let reply = |body: Value, etag: &str, link: Option<String>| {
            if etag_matches(etag) {
                return ResponseTemplate::new(304).set_delay(LATENCY);
            }
            f.full_cost.fetch_add(1, Ordering::Relaxed);
            let mut t = ResponseTemplate::new(200)
                .set_body_json(body)
                .insert_header("etag", etag)
                .set_delay(LATENCY);
            if let Some(l) = link {
                t = t.insert_header("link", l.as_str());
            }
            t
        };
        if path == "/repos/acme/big/releases" {
            let page = page_of(req);
            let link = paging_link(&f.base, "releases", page, RELEASES.div_ceil(100));
            return reply(
                releases_page(page, self.until),
                &format!("\"rel{page}\""),
                link,
            );
        }
        if path == "/repos/acme/big" {
            return reply(
                json!({"full_name": "acme/big", "default_branch": "main"}),
                "\"meta\"",
                None,
            );
        }
        if path == "/repos/acme/big/actions/runs" {
            // 600 push runs over the year, 100 a page, as the real listing pages them.
            let page = page_of(req);
            let runs: Vec<Value> = (0..100)
                .map(|i| {
                    let n = (page - 1) * 100 + i;
                    let created = self.until - 3_600 - i64::try_from(n).unwrap() * 50_000;
                    json!({"id": n + 1, "name": "tests", "workflow_id": 7, "head_sha": format!("{n:040x}"), "head_branch": "main", "event": "push",
                           "status": "completed", "conclusion": if n.is_multiple_of(20) { "failure" } else { "success" }, "run_attempt": 1,
                           "created_at": at(created), "run_started_at": at(created + 30), "updated_at": at(created + 900), "html_url": format!("https://github.com/acme/big/actions/runs/{}", n + 1)})
                })
                .collect();
            let link = paging_link(&f.base, "actions/runs", page, RUNS.div_ceil(100));
            return reply(
                json!({"total_count": RUNS, "workflow_runs": runs}),
                &format!("\"runs{page}\""),
                link,
            );
        }
        if path == "/repos/acme/big/issues" {
            return reply(json!([{"number": 1}]), "\"probe\"", None);
        }
        if path == "/graphql" {
            f.full_cost.fetch_add(1, Ordering::Relaxed);
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let query = body["query"].as_str().unwrap_or_default();
            let list = if query.contains("pullRequests(") {
                &f.pulls
            } else {
                &f.issues
            };
            let offset: usize = body["variables"]["cursor"]
                .as_str()
                .and_then(|c| c.trim_start_matches('c').parse().ok())
                .unwrap_or(0);
            let nodes: Vec<&Value> = list.iter().skip(offset).take(100).collect();
            let next = offset + 100 < list.len();
            let page = json!({"data": {"repository": {"items": {"pageInfo": {"hasNextPage": next, "endCursor": if next { json!(format!("c{}", offset + 100)) } else { Value::Null }}, "nodes": nodes}}}});
            return ResponseTemplate::new(200)
                .set_body_json(page)
                .set_delay(LATENCY);
        }
        ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}))
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        f64::midpoint(v[n / 2 - 1], v[n / 2])
    }
}

/// What one collection took and brought back.
struct Sample {
    /// Wall time of the collection.
    secs: f64,
    /// Requests sent, as the evidence counts them.
    sent: u64,
    /// Answers that were not 304, as the fake server counts them.
    full_cost: u64,
    items: usize,
    responses: usize,
    releases: usize,
    ci_runs: usize,
}

/// The `--runs` argument: how many cold and warm collections to time (3 when absent).
fn runs_arg() -> usize {
    std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

/// Starts the fake GitHub on loopback, answering for a repository generated up to `until`.
fn serve(rt: &tokio::runtime::Runtime, until: i64) -> (MockServer, Arc<Fake>) {
    let server = rt.block_on(MockServer::start());
    let fake = Arc::new(Fake::new(server.uri(), until));
    rt.block_on(
        Mock::given(wiremock::matchers::any())
            .respond_with(Responder {
                fake: Arc::clone(&fake),
                until,
            })
            .mount(&server),
    );
    (server, fake)
}

/// The collection request: GitHub only, at `api_url`, with its cache in `cache`.
fn request(api_url: String, window: Window, cache: &Path) -> Request {
    Request {
        window,
        release_rule: ReleaseRule::default(),
        now: window.until,
        github: GitHubRequest {
            client: Settings {
                api_url,
                token: Some(Token::new("bench-token", "bench").unwrap()),
                ..Settings::default()
            },
            cache_dir: Some(cache.to_path_buf()),
            repo: None,
            infer_from_remote: false,
            quiet: true,
            // This benchmark measures the listings; `--bench test_reports` the test reports.
            test_reports: TestReports {
                commits: 0,
                runs: 0,
                ..TestReports::default()
            },
        },
        inputs: readiness::collect::Inputs::default(),
        project: None,
    }
}

/// Times one collection of `target` and counts what it sent and brought back.
fn collect_once(target: &Target, request: &Request, fake: &Fake) -> Sample {
    let before = fake.full_cost.load(Ordering::Relaxed);
    let started = Instant::now();
    let ev = collect::collect(target, request).expect("collection failed");
    let secs = started.elapsed().as_secs_f64();
    let sent = ev
        .sources
        .iter()
        .find(|s| s.source == "github")
        .map_or(0, |s| s.requests);
    let items = ev.items.as_ref().map_or(0, Vec::len);
    let responses: usize = ev
        .items
        .as_ref()
        .map_or(0, |i| i.iter().map(|x| x.responses.len()).sum());
    Sample {
        secs,
        sent,
        full_cost: fake.full_cost.load(Ordering::Relaxed) - before,
        items,
        responses,
        releases: ev.releases.as_ref().map_or(0, Vec::len),
        ci_runs: ev.runs.as_ref().map_or(0, Vec::len),
    }
}

/// Prints what was collected and the medians of the cold and warm collections.
fn print_summary(cold: &[Sample], warm: &[Sample]) {
    let Sample {
        items,
        responses,
        releases,
        ci_runs,
        ..
    } = cold[0];
    // The probe, then the issue pages one after another; releases, runs and
    // pull requests go on concurrently beside them.
    let chain = ISSUES.div_ceil(100) + 1;
    let all_items = (ISSUES + PULLS + RELEASES + RUNS) as f64;
    println!(
        "collected: {items} issues and pull requests, {responses} responses kept (first 10 per item), {releases} releases, {ci_runs} CI runs"
    );
    for (name, rows) in [("cold", cold), ("warm", warm)] {
        let secs = median(rows.iter().map(|r| r.secs).collect());
        let sent = median(rows.iter().map(|r| r.sent as f64).collect());
        let full = median(rows.iter().map(|r| r.full_cost as f64).collect());
        println!(
            "{name}: median wall {secs:.2} s; requests {sent:.0} ({full:.0} full-cost, {:.0} answered 304)",
            sent - full
        );
    }
    let cold_secs = median(cold.iter().map(|r| r.secs).collect());
    let cold_sent = median(cold.iter().map(|r| r.sent as f64).collect());
    println!(
        "cold: {:.2} requests per 100 items collected (issues, pull requests, runs, releases; target: 1 plus a small constant); wall / (longest chain of dependent requests {chain} x {} ms) = {:.2}",
        cold_sent / (all_items / 100.0),
        LATENCY.as_millis(),
        cold_secs / (chain as f64 * LATENCY.as_secs_f64())
    );
    println!(
        "warm / cold wall time: {:.2}",
        median(warm.iter().map(|r| r.secs).collect()) / cold_secs
    );
}

fn main() {
    let runs = runs_arg();
    let until = chrono::Utc::now().timestamp();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (server, fake) = serve(&rt, until);
    let window = Window {
        since: chrono::DateTime::from_timestamp(until - 365 * 86_400, 0).unwrap(),
        until: chrono::DateTime::from_timestamp(until, 0).unwrap(),
    };
    let target = Target::GitHub {
        owner: "acme".into(),
        repo: "big".into(),
    };
    let run = |cache: &Path| collect_once(&target, &request(server.uri(), window, cache), &fake);

    println!(
        "GitHub collection, {ISSUES} issues + {PULLS} pull requests ({RESPONSES} comments and reviews), {RELEASES} releases, {RUNS} CI runs, {} ms added latency, {runs} repetitions each",
        LATENCY.as_millis()
    );
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    let mut last = None;
    for _ in 0..runs {
        let dir = tempfile::tempdir().unwrap();
        cold.push(run(dir.path()));
        warm.push(run(dir.path()));
        last = Some(dir);
    }
    drop(last);
    print_summary(&cold, &warm);
}
