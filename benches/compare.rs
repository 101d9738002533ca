//! `readiness compare` of four GitHub projects on loopback, with 50 ms
//! added to every answer: is the comparison's wall time close to its
//! slowest project's (targets collected at the same time), or near the sum
//! (one after another)?
//!
//! Project `pK` (K = 0..3) has 150 releases, 200 CI runs, and 100 x (K+1)
//! issues plus 100 pull requests with their first responses, so the four
//! take different times alone. Each command runs through `app::run`, cold
//! (`--no-cache`), several times; the figures are medians: each project's
//! `report` alone, then the `compare` of all four, and the ratio of the
//! comparison's wall time to the slowest project's (the aim: close to 1)
//! and to the sum of the four (what collecting one after another costs).
//!
//! Run: `cargo bench --bench compare` (add `-- --runs 7` for more repetitions).

use std::time::{Duration, Instant};

use clap::Parser;
use readiness::cli::Cli;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request as HttpRequest, Respond, ResponseTemplate};

const LATENCY: Duration = Duration::from_millis(50);
const PROJECTS: usize = 4;
const RELEASES: usize = 150;
const RUNS: usize = 200;
const PULLS: usize = 100;

fn at(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Issues opened in project `k`'s window.
fn issues_of(k: usize) -> usize {
    100 * (k + 1)
}

/// The project a request is about: `pK` in its path or its GraphQL variables.
fn project_of(req: &HttpRequest) -> Option<usize> {
    let path = req.url.path();
    let from_path = path
        .strip_prefix("/repos/acme/p")
        .and_then(|rest| rest.split('/').next())
        .and_then(|k| k.parse().ok());
    from_path.or_else(|| {
        let body: Value = serde_json::from_slice(&req.body).ok()?;
        body["variables"]["name"]
            .as_str()?
            .strip_prefix('p')?
            .parse()
            .ok()
    })
}

fn page_of(req: &HttpRequest) -> usize {
    req.url
        .query_pairs()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1)
}

/// `Link` to the next and last pages of a 100-a-page listing.
fn link(base: &str, k: usize, listing: &str, page: usize, total: usize) -> Option<String> {
    let last = total.div_ceil(100);
    (page < last).then(|| {
        let url = |n: usize| format!("{base}/repos/acme/p{k}/{listing}?per_page=100&page={n}");
        format!(
            "<{}>; rel=\"next\", <{}>; rel=\"last\"",
            url(page + 1),
            url(last)
        )
    })
}

/// The `n`th issue or pull request, opened `n` x 40,000 s before `until` and answered 5 hours later.
fn item(n: usize, until: i64, pr: bool) -> Value {
    let created = until - 3_600 - i64::try_from(n).unwrap() * 40_000;
    let response = json!({"createdAt": at(created + 18_000), "submittedAt": at(created + 18_000),
        "authorAssociation": "MEMBER", "author": {"login": "maint", "__typename": "User"}});
    let mut v = json!({"number": n + 1, "title": format!("item {n}"), "url": format!("https://github.com/acme/p/issues/{n}"),
        "createdAt": at(created), "closedAt": Value::Null, "authorAssociation": "NONE",
        "author": {"login": "reporter", "__typename": "User"}, "labels": {"nodes": []},
        "comments": {"totalCount": 1, "nodes": [response.clone()]}});
    if pr {
        v["mergedAt"] = Value::Null;
        v["reviews"] = json!({"totalCount": 1, "nodes": [response]});
    }
    v
}

struct Responder {
    base: String,
    until: i64,
}

impl Responder {
    fn rest(&self, k: usize, req: &HttpRequest) -> Option<(Value, Option<String>)> {
        let path = req.url.path();
        let rest = path.strip_prefix(&format!("/repos/acme/p{k}"))?;
        let page = page_of(req);
        let until = self.until;
        Some(match rest {
            "" => (
                json!({"full_name": format!("acme/p{k}"), "default_branch": "main"}),
                None,
            ),
            "/releases" => {
                let rows: Vec<Value> = ((page - 1) * 100..(page * 100).min(RELEASES))
                    .map(|i| json!({"tag_name": format!("v1.{}.0", RELEASES - i), "published_at": at(until - i64::try_from(i).unwrap() * 2 * 86_400), "draft": false, "prerelease": false, "html_url": null}))
                    .collect();
                (
                    Value::Array(rows),
                    link(&self.base, k, "releases", page, RELEASES),
                )
            }
            "/actions/runs" => {
                let runs: Vec<Value> = ((page - 1) * 100..(page * 100).min(RUNS))
                    .map(|n| {
                        let created = until - 3_600 - i64::try_from(n).unwrap() * 100_000;
                        json!({"id": n + 1, "name": "tests", "workflow_id": 7, "head_sha": format!("{n:040x}"), "head_branch": "main", "event": "push",
                               "status": "completed", "conclusion": if n.is_multiple_of(10) { "failure" } else { "success" }, "run_attempt": 1,
                               "created_at": at(created), "run_started_at": at(created + 30), "updated_at": at(created + 900), "html_url": null})
                    })
                    .collect();
                let body = json!({"total_count": RUNS, "workflow_runs": runs});
                (body, link(&self.base, k, "actions/runs", page, RUNS))
            }
            "/issues" => (json!([{"number": 1}]), None),
            "/tags" => (json!([]), None),
            _ => return None,
        })
    }

    fn graphql(&self, k: usize, req: &HttpRequest) -> Value {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let query = body["query"].as_str().unwrap_or_default();
        let (total, pr) = if query.contains("pullRequests(") {
            (PULLS, true)
        } else {
            (issues_of(k), false)
        };
        let offset: usize = body["variables"]["cursor"]
            .as_str()
            .and_then(|c| c.trim_start_matches('c').parse().ok())
            .unwrap_or(0);
        let nodes: Vec<Value> = (offset..(offset + 100).min(total))
            .map(|n| item(n, self.until, pr))
            .collect();
        let next = offset + 100 < total;
        let end = if next {
            json!(format!("c{}", offset + 100))
        } else {
            Value::Null
        };
        json!({"data": {"repository": {
            "items": {"pageInfo": {"hasNextPage": next, "endCursor": end}, "nodes": nodes},
            "refs": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": []}}}})
    }
}

impl Respond for Responder {
    fn respond(&self, req: &HttpRequest) -> ResponseTemplate {
        let found = project_of(req).and_then(|k| {
            if req.url.path() == "/graphql" {
                Some((self.graphql(k, req), None))
            } else {
                self.rest(k, req)
            }
        });
        match found {
            Some((body, link)) => {
                let mut t = ResponseTemplate::new(200)
                    .set_body_json(body)
                    .set_delay(LATENCY);
                if let Some(l) = link {
                    t = t.insert_header("link", l.as_str());
                }
                t
            }
            None => ResponseTemplate::new(404)
                .set_body_json(json!({"message": "Not Found"}))
                .set_delay(LATENCY),
        }
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

fn runs_arg() -> usize {
    std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
}

/// Runs `readiness ARGS` through the library and returns its wall time.
fn time(args: &[String]) -> f64 {
    let cli = Cli::try_parse_from(args).expect("arguments");
    let started = Instant::now();
    readiness::app::run(cli).expect("the command failed");
    started.elapsed().as_secs_f64()
}

fn main() {
    let runs = runs_arg();
    let until = chrono::Utc::now().timestamp();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(wiremock::matchers::any())
            .respond_with(Responder {
                base: server.uri(),
                until,
            })
            .mount(&server),
    );
    let out = tempfile::tempdir().unwrap();
    let common = |cmd: &[String]| -> Vec<String> {
        let mut a: Vec<String> = vec!["readiness".into()];
        a.extend(cmd.iter().cloned());
        for x in [
            "--api-url",
            &server.uri(),
            "--token",
            "bench-token",
            "--no-cache",
            "--quiet",
            "-o",
        ] {
            a.push(x.to_string());
        }
        a.push(out.path().join("out.md").display().to_string());
        a
    };
    let names: Vec<String> = (0..PROJECTS).map(|k| format!("acme/p{k}")).collect();
    println!(
        "compare of {PROJECTS} GitHub projects on loopback, {} ms added latency, {runs} repetitions, medians (each project: {RELEASES} releases, {RUNS} CI runs, {PULLS} pull requests, 100 to {} issues)",
        LATENCY.as_millis(),
        issues_of(PROJECTS - 1)
    );
    let mut alone = Vec::new();
    for name in &names {
        let secs = median(
            (0..runs)
                .map(|_| time(&common(&["report".into(), name.clone()])))
                .collect(),
        );
        println!("report {name} alone: {secs:.2} s");
        alone.push(secs);
    }
    let mut cmd = vec!["compare".to_string()];
    cmd.extend(names.iter().cloned());
    let together = median((0..runs).map(|_| time(&common(&cmd))).collect());
    let slowest = alone.iter().copied().fold(0.0, f64::max);
    let sum: f64 = alone.iter().sum();
    println!("compare of all {PROJECTS}: {together:.2} s");
    println!(
        "compare / slowest project alone: {:.2} (1 would be perfect overlap); compare / sum of the projects alone: {:.2} ({PROJECTS} projects one after another would be about 1)",
        together / slowest,
        together / sum
    );
}
