//! Test reports from GitHub at dask's scale, on loopback with 50 ms added
//! latency on every answer (the API and the storage host).
//!
//! A generated repository: 60 default-branch runs of 60 commits, each
//! commit with a "Test Results" check run ending in a digest; the newest 30
//! runs have 30 artifacts each (one per CI environment), each a zip of a
//! pytest JUnit file of 5,000 test cases, behind a 302 to a second loopback
//! server. Runs a cold read (empty cache) and a warm one (same cache,
//! nothing changed upstream) several times each and prints medians:
//! requests (to the API and to the storage host), bytes downloaded, wall
//! time and peak memory (the process's peak RSS, reset before each read;
//! the fake servers live in the same process).
//!
//! Run: `cargo bench --bench test_reports` (add `-- --runs 5` for more
//! repetitions, `-- --cases 1000` for smaller files).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use readiness::cache::Cache;
use readiness::collect::github::Repo;
use readiness::collect::github::client::{Client, Settings, Token};
use readiness::collect::github::test_reports::{self, TestReports, digest_json, digest_line};
use readiness::evidence::WorkflowRun;
use serde_json::json;
use wiremock::{Mock, MockServer, Request as HttpRequest, Respond, ResponseTemplate};

const LATENCY: Duration = Duration::from_millis(50);
const COMMITS: usize = 60;
const RUNS_WITH_ARTIFACTS: usize = 30;
const ARTIFACTS: usize = 30;
/// Distinct zips per environment (runs cycle through them), to keep the fake small.
const VARIANTS: usize = 3;

fn sha(i: usize) -> String {
    format!("{i:040x}")
}

/// A pytest report of `cases` tests for environment `env`, variant `v`: a
/// few tests fail, differently per variant (so some are flaky).
fn pytest_xml(cases: usize, env: usize, v: usize) -> String {
    let mut s = String::with_capacity(cases * 100);
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?><testsuites name=\"pytest tests\"><testsuite name=\"pytest\" errors=\"0\" failures=\"0\" skipped=\"0\" tests=\"0\" time=\"1.0\" timestamp=\"2026-07-01T10:00:00\" hostname=\"runner\">");
    for i in 0..cases {
        let class = format!("dask.dataframe.tests.test_module_{}", i / 100);
        let name = format!("test_case_{i}[param-{}]", i % 7);
        if (i * 7 + env + v * 13).is_multiple_of(997) {
            s.push_str(&format!("<testcase classname=\"{class}\" name=\"{name}\" time=\"0.01\"><failure message=\"AssertionError\">assert 1 == 2</failure></testcase>"));
        } else if i % 50 == 0 {
            s.push_str(&format!("<testcase classname=\"{class}\" name=\"{name}\" time=\"0\"><skipped type=\"pytest.skip\" message=\"needs gpu\"/></testcase>"));
        } else {
            s.push_str(&format!(
                "<testcase classname=\"{class}\" name=\"{name}\" time=\"0.01\"/>"
            ));
        }
    }
    s.push_str("</testsuite></testsuites>");
    s
}

fn zip_of(name: &str, data: &[u8]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file(name, opts).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap().into_inner()
}

/// Counters of what the fake servers answered.
#[derive(Default)]
struct Counters {
    api: AtomicU64,
    full_cost: AtomicU64,
    storage: AtomicU64,
    storage_bytes: AtomicU64,
}

/// The fake GitHub API: check runs, artifact listings, zip redirects.
struct Api {
    storage: String,
    counters: Arc<Counters>,
    sizes: Arc<HashMap<u64, usize>>,
}

fn artifact_id(run: usize, env: usize) -> u64 {
    (run * 1000 + env) as u64
}

impl Respond for Api {
    fn respond(&self, req: &HttpRequest) -> ResponseTemplate {
        self.counters.api.fetch_add(1, Ordering::Relaxed);
        let path = req.url.path();
        let etag = format!(
            "\"{}\"",
            path.len() + path.bytes().map(usize::from).sum::<usize>()
        );
        if req
            .headers
            .get("if-none-match")
            .and_then(|v| v.to_str().ok())
            == Some(etag.as_str())
        {
            return ResponseTemplate::new(304).set_delay(LATENCY);
        }
        let parts: Vec<&str> = path.split('/').collect();
        let body = match parts.as_slice() {
            ["", "repos", "acme", "dask", "commits", sha, "check-runs"] => {
                let n = usize::from_str_radix(sha, 16).unwrap_or(0);
                let line = digest_line(&digest_json(4900 - n as u64, 98, 2, 0));
                json!({"total_count": 1, "check_runs": [{"id": 9000 + n, "name": "Test Results", "head_sha": sha,
                    "status": "completed", "conclusion": "success", "started_at": "2026-07-01T10:00:00Z",
                    "completed_at": "2026-07-01T10:05:00Z",
                    "output": {"title": "5 000 tests", "summary": format!("## Test Results\n\n5 000 tests\n\n{line}\n")}}]})
            }
            [
                "",
                "repos",
                "acme",
                "dask",
                "actions",
                "runs",
                id,
                "artifacts",
            ] => {
                let run: usize = id.parse().unwrap_or(0);
                let list: Vec<_> = (0..ARTIFACTS).map(|env| {
                    let id = artifact_id(run, env);
                    json!({"id": id, "name": format!("ubuntu-latest-py3{env:02}-test-ci"), "size_in_bytes": self.sizes[&id],
                           "expired": false, "workflow_run": {"id": run, "head_sha": sha(run)}})
                }).collect();
                json!({"total_count": ARTIFACTS, "artifacts": list})
            }
            [
                "",
                "repos",
                "acme",
                "dask",
                "actions",
                "artifacts",
                id,
                "zip",
            ] => {
                return ResponseTemplate::new(302)
                    .insert_header(
                        "location",
                        format!("{}/blobs/{id}.zip?sig=s", self.storage).as_str(),
                    )
                    .set_delay(LATENCY);
            }
            _ => return ResponseTemplate::new(404).set_delay(LATENCY),
        };
        self.counters.full_cost.fetch_add(1, Ordering::Relaxed);
        ResponseTemplate::new(200)
            .set_body_json(body)
            .insert_header("etag", etag.as_str())
            .set_delay(LATENCY)
    }
}

/// The storage host: the zips.
struct Storage {
    counters: Arc<Counters>,
    zips: Arc<Vec<Vec<u8>>>,
}

impl Respond for Storage {
    fn respond(&self, req: &HttpRequest) -> ResponseTemplate {
        self.counters.storage.fetch_add(1, Ordering::Relaxed);
        let id: usize = req
            .url
            .path()
            .trim_start_matches("/blobs/")
            .trim_end_matches(".zip")
            .parse()
            .unwrap_or(0);
        let zip = &self.zips[variant(id / 1000, id % 1000)];
        self.counters
            .storage_bytes
            .fetch_add(zip.len() as u64, Ordering::Relaxed);
        ResponseTemplate::new(200)
            .set_body_bytes(zip.clone())
            .set_delay(LATENCY)
    }
}

fn variant(run: usize, env: usize) -> usize {
    env * VARIANTS + run % VARIANTS
}

fn runs() -> Vec<WorkflowRun> {
    (0..COMMITS)
        .map(|i| {
            let created = chrono::DateTime::parse_from_rfc3339("2026-05-01T00:00:00Z")
                .unwrap()
                .with_timezone(&chrono::Utc)
                + chrono::Duration::hours(i64::try_from(i).unwrap());
            WorkflowRun {
                id: i as u64,
                workflow: "Tests".into(),
                workflow_id: 1,
                head_sha: sha(i),
                head_branch: Some("main".into()),
                event: "push".into(),
                status: "completed".into(),
                conclusion: Some("success".into()),
                run_attempt: 1,
                created_at: created,
                run_started_at: Some(created),
                updated_at: created,
                url: String::new(),
            }
        })
        .collect()
}

/// Peak RSS in kB since the last reset (Linux; 0 elsewhere).
fn peak_kb() -> u64 {
    status_kb("VmHWM:")
}

/// A `/proc/self/status` figure in kB (Linux; 0 elsewhere).
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

struct Sample {
    secs: f64,
    api: u64,
    full_cost: u64,
    storage: u64,
    bytes: u64,
    peak_mb: f64,
    /// The process's RSS when the read started (the fake servers, the runtime).
    base_mb: f64,
    files: usize,
    digests: usize,
    pass_rate_n: u64,
}

fn read_once(
    rt: &tokio::runtime::Runtime,
    api: &str,
    cache: &Path,
    counters: &Counters,
    runs: &[WorkflowRun],
) -> Sample {
    let before = (
        counters.api.load(Ordering::Relaxed),
        counters.full_cost.load(Ordering::Relaxed),
        counters.storage.load(Ordering::Relaxed),
        counters.storage_bytes.load(Ordering::Relaxed),
    );
    reset_peak();
    let base_mb = status_kb("VmRSS:") as f64 / 1024.0;
    let started = Instant::now();
    let found = rt.block_on(async {
        let settings = Settings {
            api_url: api.to_string(),
            token: Some(Token::new("bench-token", "bench").unwrap()),
            ..Settings::default()
        };
        let client = Client::new(settings, Some(Cache::open(cache).unwrap())).unwrap();
        let repo = Repo {
            owner: "acme".into(),
            name: "dask".into(),
        };
        test_reports::collect(&client, &repo, runs, &TestReports::default()).await
    });
    let secs = started.elapsed().as_secs_f64();
    let tests = found.tests.unwrap_or_default();
    let window = readiness::window::Window {
        since: chrono::DateTime::parse_from_rfc3339("2025-08-01T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc),
        until: chrono::DateTime::parse_from_rfc3339("2026-08-01T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc),
    };
    let m = readiness::signals::test_results::measure(Some(&tests), &window);
    Sample {
        secs,
        api: counters.api.load(Ordering::Relaxed) - before.0,
        full_cost: counters.full_cost.load(Ordering::Relaxed) - before.1,
        storage: counters.storage.load(Ordering::Relaxed) - before.2,
        bytes: counters.storage_bytes.load(Ordering::Relaxed) - before.3,
        peak_mb: peak_kb() as f64 / 1024.0,
        base_mb,
        files: tests.runs.len(),
        digests: tests.digests.len(),
        pass_rate_n: m[0].n,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let reps = arg("--runs", 3);
    let cases = arg("--cases", 5_000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let counters = Arc::new(Counters::default());
    let zips: Vec<Vec<u8>> = (0..ARTIFACTS)
        .flat_map(|env| (0..VARIANTS).map(move |v| (env, v)))
        .map(|(env, v)| zip_of("pytest.xml", pytest_xml(cases, env, v).as_bytes()))
        .collect();
    let zips = Arc::new(zips);
    let sizes: HashMap<u64, usize> = (0..COMMITS)
        .flat_map(|run| (0..ARTIFACTS).map(move |env| (run, env)))
        .map(|(run, env)| (artifact_id(run, env), zips[variant(run, env)].len()))
        .collect();
    let (api, storage) = rt.block_on(async {
        let api = MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        let storage = MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        Mock::given(wiremock::matchers::any())
            .respond_with(Storage {
                counters: Arc::clone(&counters),
                zips: Arc::clone(&zips),
            })
            .mount(&storage)
            .await;
        Mock::given(wiremock::matchers::any())
            .respond_with(Api {
                storage: storage.uri(),
                counters: Arc::clone(&counters),
                sizes: Arc::new(sizes),
            })
            .mount(&api)
            .await;
        (api, storage)
    });
    let runs = runs();
    println!(
        "Test reports: {COMMITS} commits with a check-run digest, the newest {RUNS_WITH_ARTIFACTS} runs with {ARTIFACTS} artifacts of {cases} test cases each (zips of {:.0}-{:.0} kB), {} ms added latency, {reps} repetitions each",
        zips.iter().map(Vec::len).min().unwrap_or(0) as f64 / 1024.0,
        zips.iter().map(Vec::len).max().unwrap_or(0) as f64 / 1024.0,
        LATENCY.as_millis()
    );
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        let dir = tempfile::tempdir().unwrap();
        cold.push(read_once(&rt, &api.uri(), dir.path(), &counters, &runs));
        warm.push(read_once(&rt, &api.uri(), dir.path(), &counters, &runs));
    }
    drop(storage);
    let first = &cold[0];
    println!(
        "read: {} JUnit files, {} digests kept (of commits without JUnit files), tests.pass_rate over {} records",
        first.files, first.digests, first.pass_rate_n
    );
    for (name, rows) in [("cold", &cold), ("warm", &warm)] {
        let m = |f: &dyn Fn(&Sample) -> f64| median(rows.iter().map(f).collect());
        println!(
            "{name}: median wall {:.2} s; API requests {:.0} ({:.0} full-cost, the rest 304 or 302); storage downloads {:.0}, {:.1} MB; peak RSS {:.0} MB (process RSS at the start {:.0} MB)",
            m(&|s| s.secs),
            m(&|s| s.api as f64),
            m(&|s| s.full_cost as f64),
            m(&|s| s.storage as f64),
            m(&|s| s.bytes as f64 / 1_048_576.0),
            m(&|s| s.peak_mb),
            m(&|s| s.base_mb),
        );
    }
}
