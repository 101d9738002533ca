//! `readiness batch` over generated repositories on loopback, with 50 ms
//! added to every answer: requests per repository, wall time and peak
//! memory for 250 and 1,000 repositories (the `readiness` binary in its
//! own process, its `VmHWM` read while it runs), and what a real token's budget buys at
//! that cost.
//!
//! A generated repository is small: 1 to 12 releases, one page of issues,
//! of pull requests and of CI runs, no gh-pages data. Bigger repositories
//! cost more pages (see `cargo bench --bench github`).
//!
//! The pacer is opened wide (`--per-minute 1000000`) so that the figures are
//! the engine's own; at GitHub's secondary limit (900 a minute) a batch is
//! paced, and the budget (5,000 an hour) decides, as the summary works out.
//!
//! Run: `cargo bench --bench batch` (add `-- --runs 5` for more repetitions).

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const LATENCY: Duration = Duration::from_millis(50);
const SIZES: [usize; 2] = [250, 1_000];

/// Answers for any `eco/pkgN` from its number; counts what it is asked.
struct Generated {
    now: i64,
    rest: Arc<AtomicU64>,
    graphql: Arc<AtomicU64>,
}

fn stamp(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Generated {
    fn releases(&self, n: u64) -> Value {
        let count = 1 + n % 12;
        Value::Array(
            (0..count)
                .map(|i| {
                    let day = i64::try_from(i * 25 + n % 20).unwrap_or(0);
                    json!({"tag_name": format!("v2.{}.0", count - i), "published_at": stamp(self.now - (day + 1) * 86_400),
                           "draft": false, "prerelease": false, "html_url": null})
                })
                .collect(),
        )
    }

    fn items(&self, n: u64, pulls: bool) -> Value {
        let nodes: Vec<Value> = (0..5 + n % 20)
            .map(|i| {
                let created = self.now - i64::try_from(86_400 * (3 + i * 9)).unwrap_or(0);
                let wait = i64::try_from(3_600 * (1 + (n + i) % 72)).unwrap_or(0);
                let mut v = json!({"number": i + 1, "title": format!("item {i}"), "url": format!("https://github.com/eco/pkg{n}/issues/{i}"),
                    "createdAt": stamp(created), "closedAt": stamp(created + 2 * wait), "authorAssociation": "NONE",
                    "author": {"login": "someone", "__typename": "User"}, "labels": {"nodes": []},
                    "comments": {"totalCount": 1, "nodes": [{"createdAt": stamp(created + wait), "authorAssociation": "MEMBER", "author": {"login": "maint", "__typename": "User"}}]}});
                if pulls {
                    v["mergedAt"] = json!(stamp(created + 2 * wait));
                    v["reviews"] = json!({"totalCount": 0, "nodes": []});
                }
                v
            })
            .collect();
        json!({"data": {"repository": {"items": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": nodes}}}})
    }

    fn runs(&self, n: u64) -> Value {
        let runs: Vec<Value> = (0..30)
            .map(|i: i64| {
                let created = self.now - 3_600 * 20 * (i + 1);
                let ok = (i64::try_from(n).unwrap_or(0) + i) % 9 != 0;
                json!({"id": i + 1, "name": "CI", "workflow_id": 1, "head_sha": format!("{i:040x}"), "head_branch": "main", "event": "push",
                       "status": "completed", "conclusion": if ok { "success" } else { "failure" }, "run_attempt": 1,
                       "created_at": stamp(created), "run_started_at": stamp(created + 20), "updated_at": stamp(created + 600), "html_url": null})
            })
            .collect();
        json!({"total_count": 30, "workflow_runs": runs})
    }
}

impl Respond for Generated {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let path = req.url.path();
        let ok = |body: Value| {
            ResponseTemplate::new(200)
                .set_body_json(body)
                .set_delay(LATENCY)
        };
        if path == "/graphql" {
            self.graphql.fetch_add(1, Ordering::Relaxed);
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let n = body["variables"]["name"]
                .as_str()
                .and_then(|s| s.trim_start_matches("pkg").parse().ok())
                .unwrap_or(0);
            let pulls = body["query"]
                .as_str()
                .is_some_and(|q| q.contains("pullRequests("));
            return ok(self.items(n, pulls));
        }
        if path == "/rate_limit" {
            return ok(json!({"resources": {}}));
        }
        self.rest.fetch_add(1, Ordering::Relaxed);
        let mut parts = path.trim_start_matches("/repos/eco/").splitn(2, '/');
        let n: u64 = parts
            .next()
            .and_then(|p| p.trim_start_matches("pkg").parse().ok())
            .unwrap_or(0);
        match parts.next() {
            None => ok(json!({"default_branch": "main"})),
            Some("releases") => ok(self.releases(n)),
            Some("issues") => ok(json!([{"number": 1}])).insert_header("etag", "\"p\""),
            Some("actions/runs") => ok(self.runs(n)),
            // As GitHub answers for a project that publishes no test reports:
            // a commit without check runs, a run without artifacts.
            Some(p) if p.ends_with("/check-runs") => {
                ok(json!({"total_count": 0, "check_runs": []}))
            }
            Some(p) if p.ends_with("/artifacts") => ok(json!({"total_count": 0, "artifacts": []})),
            Some(_) => ResponseTemplate::new(404)
                .set_body_json(json!({"message": "Not Found"}))
                .set_delay(LATENCY),
        }
    }
}

/// The peak resident memory of process `pid` so far, in KiB (`VmHWM`).
fn peak_kib(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Starts the fake GitHub; it answers until the runtime is dropped.
fn serve(rest: &Arc<AtomicU64>, graphql: &Arc<AtomicU64>) -> (tokio::runtime::Runtime, MockServer) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let server = rt.block_on(async {
        let s = MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        Mock::given(wiremock::matchers::any())
            .respond_with(Generated {
                now: chrono::Utc::now().timestamp(),
                rest: Arc::clone(rest),
                graphql: Arc::clone(graphql),
            })
            .mount(&s)
            .await;
        s
    });
    (rt, server)
}

/// One batch of `n` repositories by the `readiness` binary (its own
/// process, so that its peak memory is its own, the fake's apart):
/// wall seconds, REST and GraphQL requests, peak KiB.
fn once(uri: &str, n: usize, counts: (&AtomicU64, &AtomicU64)) -> [f64; 4] {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let list = dir.path().join("repos.txt");
    let text = (0..n).fold(String::new(), |mut t, i| {
        t += &format!("eco/pkg{i}\n");
        t
    });
    std::fs::write(&list, text).expect("the list");
    let out = dir.path().join("out.ndjson");
    let (rest0, gql0) = (
        counts.0.load(Ordering::Relaxed),
        counts.1.load(Ordering::Relaxed),
    );
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_readiness"))
        .arg("batch")
        .arg(&list)
        .arg("-o")
        .arg(&out)
        .args(["--api-url", uri, "--token", "bench-token", "--cache-dir"])
        .arg(dir.path().join("cache"))
        .args(["--per-minute", "1000000", "--no-charts", "-q"])
        .spawn()
        .expect("readiness runs");
    let mut peak = 0;
    while child.try_wait().ok().flatten().is_none() {
        peak = peak_kib(child.id()).unwrap_or(peak).max(peak);
        std::thread::sleep(Duration::from_millis(20));
    }
    let wall = started.elapsed().as_secs_f64();
    let lines = std::fs::read_to_string(&out).map_or(0, |t| t.lines().count());
    assert_eq!(lines, n, "every repository has a line");
    [
        wall,
        (counts.0.load(Ordering::Relaxed) - rest0) as f64,
        (counts.1.load(Ordering::Relaxed) - gql0) as f64,
        peak as f64,
    ]
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

fn arg_after(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn main() {
    let runs: usize = arg_after("--runs")
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let (rest, graphql) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let (_rt, server) = serve(&rest, &graphql);
    println!(
        "readiness batch on loopback, {} ms per answer, --jobs 8 (the default), pacer opened wide; medians of {runs} runs, the binary in its own process",
        LATENCY.as_millis()
    );
    let mut last = [0.0; 4];
    for n in SIZES {
        let rows: Vec<[f64; 4]> = (0..runs)
            .map(|_| once(&server.uri(), n, (&rest, &graphql)))
            .collect();
        let col = |i: usize| median(rows.iter().map(|r| r[i]).collect());
        let (wall, rest_per, gql_per, peak) = (
            col(0),
            col(1) / n as f64,
            col(2) / n as f64,
            col(3) / 1024.0,
        );
        println!(
            "{n:>5} repositories: wall {wall:.1} s ({:.1} ms a repository), {rest_per:.2} REST + {gql_per:.2} GraphQL requests a repository, peak memory {peak:.1} MiB",
            wall * 1000.0 / n as f64
        );
        last = [wall, rest_per, gql_per, peak];
    }
    let [_, rest_per, gql_per, _] = last;
    // One token: 5,000 REST requests and 5,000 GraphQL points an hour.
    let per_hour = (5_000.0 / rest_per).min(5_000.0 / gql_per.max(f64::MIN_POSITIVE));
    println!(
        "one token (5,000 REST requests and 5,000 GraphQL points an hour): {per_hour:.0} such repositories an hour; 10,000 take {:.1} h, 100,000 take {:.1} h (or {:.1} h over 10 shards with a token each)",
        10_000.0 / per_hour,
        100_000.0 / per_hour,
        10_000.0 / per_hour
    );
    println!(
        "paced at GitHub's 900 REST requests a minute, one token's hour of budget is spent in {:.1} min",
        5_000.0 / 900.0
    );
}
