//! `readiness batch` end to end against a fleet of repositories served on
//! loopback (wiremock), in the shapes the real API answers with (rate-limit
//! headers as GitHub sends them, `GET /rate_limit`): shards are disjoint and
//! complete, a run stopped by the rate limit keeps every finished line and a
//! rerun completes it to the same set of lines as an uninterrupted run,
//! error lines are retried, bad input is named by file and line.

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common::{Run, Workspace};
use crate::github::{SECRET, run_json};

/// Many repositories behind one fake GitHub, with one token's budget.
pub(crate) struct Fleet {
    /// Requests GitHub allows (REST and GraphQL each) before the reset.
    pub budget: AtomicU64,
    /// The `x-ratelimit-reset` announced (the wall clock's, as GitHub's
    /// is): `window` seconds after the fleet started, then after each reset.
    pub reset: AtomicI64,
    pub window: i64,
    pub rest_used: AtomicU64,
    pub graphql_used: AtomicU64,
    /// Owners whose repositories do not exist (404).
    pub missing: Mutex<HashSet<String>>,
    /// Requests per repository (`owner/name`), GraphQL included.
    pub asked: Mutex<std::collections::HashMap<String, u64>>,
}

impl Fleet {
    pub(crate) fn new(budget: u64) -> Arc<Fleet> {
        Fleet::with_window(budget, 3_600)
    }

    /// A fleet whose budget comes back every `window` seconds.
    pub(crate) fn with_window(budget: u64, window: i64) -> Arc<Fleet> {
        Arc::new(Fleet {
            budget: AtomicU64::new(budget),
            reset: AtomicI64::new(chrono::Utc::now().timestamp() + window),
            window,
            rest_used: AtomicU64::new(0),
            graphql_used: AtomicU64::new(0),
            missing: Mutex::new(HashSet::new()),
            asked: Mutex::new(std::collections::HashMap::new()),
        })
    }

    fn counter(&self, graphql: bool) -> &AtomicU64 {
        if graphql {
            &self.graphql_used
        } else {
            &self.rest_used
        }
    }

    fn resource(&self, name: &str, graphql: bool) -> Value {
        let used = self.counter(graphql).load(Ordering::SeqCst);
        let limit = self.budget.load(Ordering::SeqCst);
        json!({"limit": limit, "used": used, "remaining": limit.saturating_sub(used), "reset": self.reset.load(Ordering::SeqCst), "resource": name})
    }
}

/// How many releases a repository has: 1 to 6, by its name.
fn releases_of(name: &str) -> usize {
    1 + name.bytes().map(usize::from).sum::<usize>() % 6
}

fn releases(name: &str) -> Value {
    let n = releases_of(name);
    Value::Array(
        (0..n)
            .map(|i| {
                json!({"tag_name": format!("v1.{i}.0"), "published_at": format!("2026-{:02}-10T12:00:00Z", 7 - i),
                       "draft": false, "prerelease": false, "html_url": format!("https://github.com/{name}/releases/tag/v1.{i}.0")})
            })
            .collect(),
    )
}

fn graphql_page(name: &str, pulls: bool) -> Value {
    let mut node = json!({"number": 1, "title": format!("An item of {name}"), "url": format!("https://github.com/{name}/issues/1"),
        "createdAt": "2026-07-01T00:00:00Z", "closedAt": "2026-07-03T00:00:00Z", "authorAssociation": "NONE",
        "author": {"login": "reporter", "__typename": "User"}, "labels": {"nodes": []},
        "comments": {"totalCount": 1, "nodes": [{"createdAt": "2026-07-01T06:00:00Z", "authorAssociation": "MEMBER", "author": {"login": "maint", "__typename": "User"}}]}});
    if pulls {
        node["mergedAt"] = json!("2026-07-03T00:00:00Z");
        node["reviews"] = json!({"totalCount": 0, "nodes": []});
    }
    json!({"data": {"repository": {"items": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": [node]}}}})
}

struct Responder(Arc<Fleet>);

impl Responder {
    /// The body for a REST path under `/repos/{owner}/{name}`.
    fn rest(name: &str, rest: &str) -> Option<Value> {
        match rest {
            "" => Some(json!({"full_name": name, "default_branch": "main"})),
            "/releases" => Some(releases(name)),
            "/issues" => Some(json!([{"number": 1}])),
            "/actions/runs" => Some(json!({"total_count": 2, "workflow_runs": [
                run_json(2, "b2", "push", "success", 1, "2026-07-02T00:00:00Z"),
                run_json(1, "a1", "push", "failure", 1, "2026-07-01T00:00:00Z")]})),
            _ => None,
        }
    }
}

impl Respond for Responder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let f = &self.0;
        let path = req.url.path();
        if path == "/rate_limit" {
            return ResponseTemplate::new(200).set_body_json(json!({"resources": {
                "core": f.resource("core", false), "graphql": f.resource("graphql", true)}}));
        }
        let graphql = path == "/graphql";
        let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let name = if graphql {
            format!(
                "{}/{}",
                body["variables"]["owner"].as_str().unwrap_or_default(),
                body["variables"]["name"].as_str().unwrap_or_default()
            )
        } else {
            path.trim_start_matches("/repos/")
                .splitn(3, '/')
                .take(2)
                .collect::<Vec<_>>()
                .join("/")
        };
        *f.asked.lock().unwrap().entry(name.clone()).or_default() += 1;
        let now = chrono::Utc::now().timestamp();
        if now >= f.reset.load(Ordering::SeqCst) {
            // The window turns: a new budget.
            f.reset.store(now + f.window, Ordering::SeqCst);
            f.rest_used.store(0, Ordering::SeqCst);
            f.graphql_used.store(0, Ordering::SeqCst);
        }
        let reset = f.reset.load(Ordering::SeqCst);
        let used = f.counter(graphql).fetch_add(1, Ordering::SeqCst) + 1;
        let limit = f.budget.load(Ordering::SeqCst);
        let remaining = limit.saturating_sub(used);
        let headers = |t: ResponseTemplate| {
            t.insert_header("x-ratelimit-limit", limit.to_string().as_str())
                .insert_header("x-ratelimit-remaining", remaining.to_string().as_str())
                .insert_header("x-ratelimit-reset", reset.to_string().as_str())
                .insert_header("x-ratelimit-used", used.to_string().as_str())
                .insert_header(
                    "x-ratelimit-resource",
                    if graphql { "graphql" } else { "core" },
                )
        };
        if used > limit {
            return headers(
                ResponseTemplate::new(403)
                    .set_body_json(json!({"message": "API rate limit exceeded for user ID 1."})),
            );
        }
        let owner = name.split('/').next().unwrap_or_default().to_string();
        let not_found =
            json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"});
        if f.missing.lock().unwrap().contains(&owner) {
            if graphql {
                return headers(ResponseTemplate::new(200).set_body_json(json!({"data": {"repository": null},
                    "errors": [{"type": "NOT_FOUND", "message": format!("Could not resolve to a Repository with the name '{name}'.")}]})));
            }
            return headers(ResponseTemplate::new(404).set_body_json(not_found));
        }
        if graphql {
            let pulls = body["query"]
                .as_str()
                .unwrap_or_default()
                .contains("pullRequests(");
            return headers(ResponseTemplate::new(200).set_body_json(graphql_page(&name, pulls)));
        }
        let under = path
            .trim_start_matches("/repos/")
            .splitn(3, '/')
            .nth(2)
            .map_or(String::new(), |r| format!("/{r}"));
        match Responder::rest(&name, &under) {
            Some(v) => headers(
                ResponseTemplate::new(200)
                    .set_body_json(v)
                    .insert_header("etag", format!("\"{name}{under}\"").as_str()),
            ),
            None => headers(ResponseTemplate::new(404).set_body_json(not_found)),
        }
    }
}

/// A runtime serving `fleet` on loopback.
pub(crate) fn serve(fleet: &Arc<Fleet>) -> (tokio::runtime::Runtime, MockServer) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(async {
        let s = MockServer::builder().start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(Responder(Arc::clone(fleet)))
            .mount(&s)
            .await;
        s
    });
    (rt, server)
}

/// A list of `n` repositories (`org{i % 7}/lib{i}`), with a comment and a blank line.
pub(crate) fn list(n: usize) -> String {
    let mut s = String::from("# the ecosystem\n\n");
    for i in 0..n {
        s += &format!("org{}/lib{i}\n", i % 7);
    }
    s
}

/// `readiness batch repos.txt -o OUT EXTRA...` against `server`.
pub(crate) fn batch(ws: &Workspace, server: &MockServer, out: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "batch",
        "repos.txt",
        "-o",
        out,
        "--per-minute",
        "600000",
        "--jobs",
        "3",
        "--no-charts",
    ];
    if !extra.contains(&"--no-cache") {
        args.extend(["--cache-dir", "cache"]);
    }
    args.extend_from_slice(extra);
    let uri = server.uri();
    let run = ws.run_env(
        &args,
        &[
            ("GITHUB_API_URL", uri.as_str()),
            ("GH_ENTERPRISE_TOKEN", SECRET),
        ],
    );
    assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
    let written = std::fs::read_to_string(ws.path(out)).unwrap_or_default();
    assert!(!written.contains(SECRET), "the token is in {out}");
    run
}

/// The lines of an output, as a set.
pub(crate) fn line_set(ws: &Workspace, out: &str) -> BTreeSet<String> {
    ws.read(out).lines().map(str::to_string).collect()
}

/// The project each line is about: a report's target, an error line's project.
fn names(lines: &BTreeSet<String>) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["target"]["name"]
                .as_str()
                .or(v["project"].as_str())
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn shards_are_disjoint_and_together_the_whole_batch() {
    let fleet = Fleet::new(100_000);
    let (_rt, server) = serve(&fleet);
    let ws = Workspace::new();
    ws.write("repos.txt", &list(30));
    // Without the cache: a warm run answers GraphQL from it, and its
    // reports' request counts say so.
    let whole = batch(&ws, &server, "all.ndjson", &["--no-cache"]);
    assert_eq!(whole.code, 0, "{}", whole.stderr);
    assert!(
        whole
            .stderr
            .contains("30 reported (0 with a source not read in full), 0 errors"),
        "{}",
        whole.stderr
    );
    let all = line_set(&ws, "all.ndjson");
    assert_eq!(all.len(), 30);
    let mut union = BTreeSet::new();
    let mut count = 0;
    for i in 0..3 {
        let out = format!("shard{i}.ndjson");
        let run = batch(
            &ws,
            &server,
            &out,
            &["--no-cache", "--shard", &format!("{i}/3")],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let lines = line_set(&ws, &out);
        assert!(
            !lines.is_empty() && lines.len() < 30,
            "shard {i}: {}",
            lines.len()
        );
        count += lines.len();
        union.extend(lines);
    }
    // Disjoint (no line twice), complete, and the same bytes as one batch.
    assert_eq!(count, 30);
    assert!(union == all, "the shards' lines are not the whole batch's");
    let mut projects = names(&all);
    projects.sort();
    let mut want: Vec<String> = (0..30).map(|i| format!("org{}/lib{i}", i % 7)).collect();
    want.sort();
    assert_eq!(projects, want);
    for line in &all {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["report_schema"], 1);
        assert!(v["score"].is_number(), "{line}");
    }
}

#[test]
fn a_run_stopped_by_the_budget_keeps_its_lines_and_a_rerun_completes_it() {
    // The reference: one uninterrupted run.
    let fleet = Fleet::new(100_000);
    fleet.missing.lock().unwrap().insert("org3".into());
    let (_rt, server) = serve(&fleet);
    let ws = Workspace::new();
    ws.write("repos.txt", &list(24));
    let whole = batch(&ws, &server, "out.ndjson", &["--no-cache"]);
    assert_eq!(whole.code, 2, "{}", whole.stderr);
    let reference = line_set(&ws, "out.ndjson");
    assert_eq!(reference.len(), 24);

    // The same batch (the same server: reports name its address) with a
    // budget that runs out a third of the way.
    fleet.budget.store(40, Ordering::SeqCst);
    fleet.rest_used.store(0, Ordering::SeqCst);
    fleet.graphql_used.store(0, Ordering::SeqCst);
    let ws = Workspace::new();
    ws.write("repos.txt", &list(24));
    let stopped = batch(&ws, &server, "out.ndjson", &["--no-cache"]);
    assert_eq!(stopped.code, 2, "{}", stopped.stderr);
    assert!(
        stopped.stderr.contains("stopped by the rate limit"),
        "{}",
        stopped.stderr
    );
    let kept = line_set(&ws, "out.ndjson");
    let left = stopped.stderr.matches("readiness: left: ").count();
    assert!(!kept.is_empty() && left > 0, "{}", stopped.stderr);
    assert_eq!(kept.len() + left, 24, "{}", stopped.stderr);
    // Every line kept is whole and is one of the uninterrupted run's.
    assert!(
        kept.is_subset(&reference),
        "a kept line is not the uninterrupted run's"
    );
    // GitHub never had to refuse: the pacer stopped at the budget.
    assert!(fleet.rest_used.load(Ordering::SeqCst) <= 40);
    assert!(fleet.graphql_used.load(Ordering::SeqCst) <= 40);

    // After the reset, the same command goes on where it stopped.
    fleet.budget.store(100_000, Ordering::SeqCst);
    let resumed = batch(&ws, &server, "out.ndjson", &["--no-cache"]);
    assert!(
        resumed.stderr.contains(&format!(
            "{} already reported",
            kept.iter().filter(|l| !l.contains("\"error\"")).count()
        )),
        "{}",
        resumed.stderr
    );
    assert!(line_set(&ws, "out.ndjson") == reference, "the lines differ");
}

#[test]
fn error_lines_are_retried_and_reported_projects_are_not_asked_again() {
    let fleet = Fleet::new(100_000);
    fleet.missing.lock().unwrap().insert("org2".into());
    let (_rt, server) = serve(&fleet);
    let ws = Workspace::new();
    ws.write("repos.txt", &list(10));
    let first = batch(&ws, &server, "out.ndjson", &[]);
    assert_eq!(first.code, 2, "{}", first.stderr);
    assert!(
        first.stderr.contains(
            "readiness: org2/lib2: /repos/org2/lib2/releases?per_page=100: not found (404)"
        ),
        "{}",
        first.stderr
    );
    let text = ws.read("out.ndjson");
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("{\"project\""))
        .collect();
    assert_eq!(errors.len(), 2, "org2/lib2 and org2/lib9: {text}");
    let e: Value = serde_json::from_str(errors[0]).unwrap();
    assert!(e["error"].as_str().unwrap().contains("not found (404)"));

    fleet.missing.lock().unwrap().clear();
    fleet.asked.lock().unwrap().clear();
    let second = batch(&ws, &server, "out.ndjson", &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stderr.contains(
            "8 already reported in out.ndjson, 2 to score (2 of them retried after an error)"
        ),
        "{}",
        second.stderr
    );
    let asked: BTreeSet<String> = fleet.asked.lock().unwrap().keys().cloned().collect();
    assert_eq!(
        asked,
        BTreeSet::from(["org2/lib2".to_string(), "org2/lib9".to_string()])
    );
    // The error lines stay (the file is only appended to); the reports supersede them.
    let text = ws.read("out.ndjson");
    assert_eq!(text.lines().count(), 12);
    // A third run has nothing to do.
    let third = batch(&ws, &server, "out.ndjson", &[]);
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert!(
        third
            .stderr
            .contains("10 already reported in out.ndjson, 0 to score"),
        "{}",
        third.stderr
    );
    assert_eq!(ws.read("out.ndjson"), text);
}

#[test]
fn a_torn_last_line_is_cut_off_and_its_project_scored_again() {
    let fleet = Fleet::new(100_000);
    let (_rt, server) = serve(&fleet);
    let ws = Workspace::new();
    ws.write("repos.txt", &list(4));
    assert_eq!(batch(&ws, &server, "out.ndjson", &["--no-cache"]).code, 0);
    let whole = line_set(&ws, "out.ndjson");
    let text = ws.read("out.ndjson");
    let cut = text.len() - 100;
    ws.write("out.ndjson", &text[..cut]);
    let run = batch(&ws, &server, "out.ndjson", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("the last line was cut short"),
        "{}",
        run.stderr
    );
    assert_eq!(line_set(&ws, "out.ndjson"), whole);
}

#[test]
fn bad_input_is_named_by_file_and_line() {
    let ws = Workspace::new();
    ws.write("repos.txt", "dask/dask\n# fine\nnot/a/repo\n");
    let run = ws.run(&["batch", "repos.txt", "-o", "out.ndjson"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("repos.txt:3: \"not/a/repo\" is not OWNER/REPO or a github.com URL"),
        "{}",
        run.stderr
    );
    ws.write("repos.txt", "dask/dask\n");
    let run = ws.run(&["batch", "repos.txt"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("batch needs -o FILE"), "{}", run.stderr);
    ws.write("notes.txt", "{\"a\": 1}\n");
    let run = ws.run(&["batch", "repos.txt", "-o", "notes.txt"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("notes.txt:1: neither a report"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.read("notes.txt"), "{\"a\": 1}\n");
    let run = ws.run(&["batch", "repos.txt", "-o", "o.ndjson", "--shard", "4/4"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("I is not below N"), "{}", run.stderr);
    let run = ws.run(&["batch", "missing.txt", "-o", "o.ndjson"]);
    assert!(
        run.stderr.contains("cannot read missing.txt"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_projects_file_gives_each_project_its_name_and_release_rule() {
    let fleet = Fleet::new(100_000);
    let (_rt, server) = serve(&fleet);
    let ws = Workspace::new();
    ws.write(
        "projects.toml",
        "[[project]]\nname = \"First lib\"\ngithub = \"org1/lib1\"\n\n[[project]]\nname = \"second\"\ngithub = \"org2/lib2\"\ntag_pattern = '^none-(?P<version>.+)$'\n",
    );
    let uri = server.uri();
    let env = [
        ("GITHUB_API_URL", uri.as_str()),
        ("GH_ENTERPRISE_TOKEN", SECRET),
    ];
    let args = [
        "batch",
        "projects.toml",
        "-o",
        "out.ndjson",
        "--no-cache",
        "--per-minute",
        "600000",
    ];
    let run = ws.run_env(&args, &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let count = |name: &str| -> Value {
        let text = ws.read("out.ndjson");
        let v: Value = text
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|v| v["target"]["name"] == name)
            .unwrap();
        let m = v["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["signal"] == "release.count_365d")
            .unwrap();
        m.clone()
    };
    assert_eq!(
        count("First lib")["value"],
        json!(releases_of("org1/lib1") as f64)
    );
    let second = count("second");
    assert!(
        second["insufficient"]
            .as_str()
            .unwrap()
            .contains("match --tag-pattern"),
        "its own tag pattern matches no tag: {second}"
    );
    // Shards split a projects file by the projects' names.
    let sharded = [
        "batch",
        "projects.toml",
        "-o",
        "s.ndjson",
        "--no-cache",
        "--per-minute",
        "600000",
        "--shard",
        "0/1",
    ];
    let run = ws.run_env(&sharded, &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(ws.read("s.ndjson").lines().count(), 2);
    ws.write("projects.toml", "[[project]]\nname = \"ok\"\ngithub = \"org1/lib1\"\n\n[[project]]\nname = \"local\"\nclone = \".\"\n");
    let run = ws.run_env(&args, &env);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("projects.toml:6: project \"local\" has a clone or artifact sources: batch scores GitHub repositories alone"), "{}", run.stderr);
}

/// `readiness compare` on batch outputs sums them up; shards given one
/// after another read as their concatenation, and as the whole batch.
#[test]
fn compare_sums_up_batch_outputs_and_shards_merge_by_concatenation() {
    let fleet = Fleet::new(100_000);
    fleet.missing.lock().unwrap().insert("org5".into());
    let (_rt, server) = serve(&fleet);
    let ws = Workspace::new();
    ws.write("repos.txt", &list(40));
    assert_eq!(batch(&ws, &server, "all.ndjson", &[]).code, 2);
    for i in 0..2 {
        batch(
            &ws,
            &server,
            &format!("s{i}.ndjson"),
            &["--shard", &format!("{i}/2")],
        );
    }
    if let Ok(keep) = std::env::var("READINESS_BATCH_SAMPLE") {
        std::fs::copy(ws.path("all.ndjson"), keep).unwrap();
    }
    let md = ws.run(&["compare", "all.ndjson"]).ok();
    assert!(md.starts_with("# Readiness across 35 projects"), "{md}");
    assert!(
        md.contains("5 without one (their errors are below)"),
        "{md}"
    );
    assert!(md.contains("| /repos/OWNER/REPO/releases?per\\_page=100: not found (404): check the repository name and that the token can see it | 5 |"), "{md}");
    assert!(md.contains("## Signals most often missing"), "{md}");
    assert!(md.contains("| Release cadence | 35 |"), "{md}");
    let json = |args: &[&str]| -> Value {
        serde_json::from_str(&ws.run(&[args, &["--format", "json"]].concat()).ok()).unwrap()
    };
    let whole = json(&["compare", "all.ndjson"]);
    crate::schema::Validator::new(&ws, &["schema", "aggregate"])
        .assert_valid(&whole, "compare all.ndjson");
    // Every report line is the report JSON, as `readiness schema` describes it.
    let reports = crate::schema::Validator::new(&ws, &["schema"]);
    for line in ws
        .read("all.ndjson")
        .lines()
        .filter(|l| l.contains("report_schema"))
    {
        reports.assert_valid(&serde_json::from_str(line).unwrap(), "a batch line");
    }
    assert_eq!(whole["projects"], 35);
    assert_eq!(whole["failed"], 5);
    assert_eq!(whole["overall"]["scored"], 35);
    let hist: u64 = whole["overall"]["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(hist, 35);
    assert_eq!(whole["categories"][0]["top"].as_array().unwrap().len(), 5);
    let merged = json(&["compare", "s0.ndjson", "s1.ndjson"]);
    let cat = format!("{}{}", ws.read("s0.ndjson"), ws.read("s1.ndjson"));
    ws.write("cat.ndjson", &cat);
    let concatenated = json(&["compare", "cat.ndjson"]);
    assert_eq!(merged, concatenated);
    // The same aggregate as the unsharded batch (whose request counts,
    // which differ since the shards ran warm, it does not read).
    assert_eq!(merged, whole);
    let run = ws.run(&["compare", "all.ndjson", "acme/widget"]);
    assert!(
        run.stderr.contains("either batch outputs"),
        "{}",
        run.stderr
    );
    ws.write("bad.ndjson", "{\"report_schema\": 1}\n");
    let run = ws.run(&["compare", "bad.ndjson"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("bad.ndjson:1: neither a report nor an error line"),
        "{}",
        run.stderr
    );
}

/// With `--wait-for-reset` a spent budget is waited for: the batch sleeps
/// until the reset, then goes on, and every project is reported.
#[test]
fn waiting_for_the_reset_finishes_the_batch() {
    let fleet = Fleet::with_window(30, 3);
    let (_rt, server) = serve(&fleet);
    let ws = Workspace::new();
    ws.write("repos.txt", &list(12));
    let started = std::time::Instant::now();
    let run = batch(&ws, &server, "out.ndjson", &["--wait-for-reset"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("12 reported"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("stopped by the rate limit"),
        "{}",
        run.stderr
    );
    assert_eq!(line_set(&ws, "out.ndjson").len(), 12);
    // 12 projects of 5 REST requests (and 2 GraphQL) need two windows of 30.
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
