//! Benchmark results in a GitHub target's Actions artifacts, from a GitHub
//! served on loopback: an asv results folder (as xarray uploads it) and a
//! Coiled database (as coiled/benchmarks does), behind a 302 to a second
//! loopback server that must never see the token. The series counts
//! asserted are those the fixtures were built from.

use readiness::cache::Cache;
use readiness::collect::github::client::Client;
use readiness::collect::github::test_reports::{self, Found, TestReports};
use serde_json::Value;
use wiremock::MockServer;

use crate::github::{SECRET, repo, settings};
use crate::github_reports::{
    artifact, mount_artifacts, mount_no_checks, mount_zip, report_json, run, source, zip_of,
};

/// The asv results folder of `asv_github`'s fixture, zipped as xarray's
/// artifact holds it (the folder's content at the root, with a log).
fn asv_zip() -> Vec<u8> {
    let files = crate::asv_github::files();
    let mut entries: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_bytes()))
        .collect();
    entries.push(("benchmarks.log", b"asv continuous ..."));
    zip_of(&entries)
}

/// `coiled`'s fixture database, zipped as coiled/benchmarks' `benchmark` artifact.
fn coiled_zip() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("benchmark.db");
    crate::coiled::build(&db);
    zip_of(&[("benchmark.db", &std::fs::read(&db).unwrap())])
}

/// The series of `tool` found.
fn count(found: &Found, tool: &str) -> usize {
    found.bench.iter().filter(|s| s.tool == tool).count()
}

struct Fixture {
    api: MockServer,
    storage: MockServer,
}

/// Run 10 (day 1) has an older asv artifact (301, never read: 302 is
/// newer); run 20 (day 2) the newer one, Coiled's `benchmark` (303) and an
/// artifact of another content (304); `docs` matches no pattern.
async fn fixture() -> Fixture {
    let f = Fixture {
        api: MockServer::start().await,
        storage: MockServer::start().await,
    };
    mount(&f, false).await;
    f
}

/// Mounts [`fixture`]'s answers, artifact 302 `asv_expired` or not.
async fn mount(f: &Fixture, asv_expired: bool) {
    let (api, storage) = (&f.api, &f.storage);
    mount_no_checks(api).await;
    let (asv, coiled) = (asv_zip(), coiled_zip());
    let other = zip_of(&[("README.txt", b"see the log")]);
    let name = "asv-benchmark-results-Linux";
    mount_artifacts(api, 10, vec![artifact(301, name, 10, false, 10, "aaa1111")]).await;
    mount_artifacts(
        api,
        20,
        vec![
            artifact(302, name, asv.len(), asv_expired, 20, "bbb2222"),
            artifact(303, "benchmark", coiled.len(), false, 20, "bbb2222"),
            artifact(304, "asv-results-notes", other.len(), false, 20, "bbb2222"),
            artifact(305, "docs", 10, false, 20, "bbb2222"),
        ],
    )
    .await;
    mount_zip(api, storage, 302, asv).await;
    mount_zip(api, storage, 303, coiled).await;
    mount_zip(api, storage, 304, other).await;
}

/// Test reports read the same listing: JUnit artifacts only by name
/// (none here), so the benchmark artifacts are the only downloads.
fn wanted() -> TestReports {
    TestReports {
        artifacts: vec!["*-test-*".into()],
        ..TestReports::default()
    }
}

/// With a token: the newest artifact of each name is downloaded once
/// (asv: 2 series; Coiled: 18 test series and 3 TPC-H ones), each read
/// names its artifact, the runs are listed once (shared with the test
/// reports), the token never reaches the storage host; a warm run
/// downloads nothing and still uses the asv artifact that expired since.
#[tokio::test]
async fn benchmark_artifacts_are_read_once_without_the_token_on_the_storage_host() {
    let f = fixture().await;
    let dir = tempfile::tempdir().unwrap();
    let runs = [run(10, "aaa1111", 1), run(20, "bbb2222", 2)];
    let open = || {
        Client::new(
            settings(&f.api, true),
            Some(Cache::open(dir.path()).unwrap()),
        )
        .unwrap()
    };
    let found = test_reports::collect(&open(), &repo(), &runs, &wanted()).await;
    assert_eq!(count(&found, "asv"), 2, "io.time_read for fmt x and y");
    assert_eq!(count(&found, "coiled"), 18);
    assert_eq!(count(&found, "coiled-tpch"), 3);
    let x = found.bench.iter().find(|s| s.tool == "asv").unwrap();
    assert_eq!(x.points.len(), 3, "c1, c2, c3");
    let summary = source(&found, "github benchmark artifacts");
    assert_eq!(summary.items, 23);
    let first = &summary.notes[0];
    assert!(
        first.starts_with("5 artifacts of 2 runs: 4 named asv-benchmark-results*, asv-results*, benchmark; read: artifact \"asv-benchmark-results-Linux\" (artifact 302 of run 20, 2026-07-02, commit bbb2222), downloaded"),
        "{first}"
    );
    let other = found
        .bench_sources
        .iter()
        .find(|p| p.source == "benchmark artifact")
        .unwrap();
    assert!(
        other.notes[1].starts_with("neither an asv results folder")
            && other.notes[1].contains("1 files, \"README.txt\""),
        "{other:?}"
    );
    let coiled = found
        .bench_sources
        .iter()
        .find(|p| p.source == "coiled")
        .unwrap();
    assert!(
        coiled.notes[0].contains("\"benchmark\" (artifact 303 of run 20"),
        "{coiled:?}"
    );
    assert!(
        coiled
            .location
            .ends_with("/actions/artifacts/303/benchmark.db"),
        "{coiled:?}"
    );
    let storage = f.storage.received_requests().await.unwrap();
    let mut got: Vec<&str> = storage.iter().map(|r| r.url.path()).collect();
    got.sort_unstable();
    assert_eq!(got, ["/blobs/302.zip", "/blobs/303.zip", "/blobs/304.zip"]);
    for r in &storage {
        assert!(r.headers.get("authorization").is_none());
        assert!(!format!("{:?}", r.headers).contains(SECRET));
    }
    let api = f.api.received_requests().await.unwrap();
    let listings = api
        .iter()
        .filter(|r| r.url.path() == "/repos/acme/widget/actions/runs/20/artifacts")
        .count();
    assert_eq!(listings, 1, "each run is listed once");

    // Warm: artifact 302 has expired since; nothing is downloaded.
    f.api.reset().await;
    f.storage.reset().await;
    mount(&f, true).await;
    let again = test_reports::collect(&open(), &repo(), &runs, &wanted()).await;
    assert_eq!(again.bench, found.bench, "the same series, from the cache");
    assert!(f.storage.received_requests().await.unwrap().is_empty());
    let summary = source(&again, "github benchmark artifacts");
    assert!(
        summary.notes[0].contains("commit bbb2222), read from the cache"),
        "{:?}",
        summary.notes
    );
}

/// A `benchmark` artifact that is a zip bomb is refused with the reason;
/// nothing is read from it; one over the size cap is not downloaded. With
/// `--test-runs 0` no run's artifacts are listed, and the benchmark
/// artifacts are not looked for.
#[tokio::test]
async fn a_benchmark_artifact_bomb_is_refused() {
    let bomb = zip_of(&[("benchmark.db", &vec![b' '; 8 * 1024 * 1024])]);
    let listed = vec![
        artifact(401, "benchmark", bomb.len(), false, 10, "aaa1111"),
        artifact(402, "asv-results-huge", 3 << 20, false, 10, "aaa1111"),
    ];
    let (api, storage) = (MockServer::start().await, MockServer::start().await);
    mount_no_checks(&api).await;
    mount_artifacts(&api, 10, listed).await;
    mount_zip(&api, &storage, 401, bomb).await;
    let client = Client::new(settings(&api, true), None).unwrap();
    let runs = [run(10, "aaa1111", 1)];
    let mut capped = wanted();
    capped.limits.download = 2 << 20;
    let found = test_reports::collect(&client, &repo(), &runs, &capped).await;
    assert!(found.bench.is_empty());
    let summary = source(&found, "github benchmark artifacts");
    assert!(!summary.complete);
    assert!(
        summary.notes.iter().any(|n| n == "not read: the artifacts named \"asv-results-huge\": 0 expired before readiness read them, 1 over the size cap"),
        "{:?}",
        summary.notes
    );
    let downloads = storage.received_requests().await.unwrap();
    assert_eq!(downloads.len(), 1, "the bomb only");
    assert!(
        summary.notes[0].starts_with("2 artifacts of 1 runs: 2 named"),
        "{:?}",
        summary.notes
    );
    assert!(
        summary.notes.iter().any(|n| n.starts_with("incomplete: artifact \"benchmark\" (artifact 401 of run 10, 2026-07-01, commit aaa1111), downloaded: refused as a zip bomb")),
        "{:?}",
        summary.notes
    );
    let no_runs = TestReports {
        runs: 0,
        commits: 0,
        ..wanted()
    };
    let before = api.received_requests().await.unwrap().len();
    let found = test_reports::collect(&client, &repo(), &runs, &no_runs).await;
    assert_eq!(
        api.received_requests().await.unwrap().len(),
        before,
        "nothing listed"
    );
    assert!(
        source(&found, "github benchmark artifacts").notes[0]
            .starts_with("not read: --test-runs 0 lists no run's artifacts"),
        "{found:?}"
    );
}

/// Without a token, test reports do not list artifacts and the benchmark
/// artifacts are not looked for: standard error and the "no benchmark
/// results found, looked in" provenance say so.
#[test]
fn without_a_token_the_report_says_benchmark_artifacts_need_one() {
    let (rt, api) = crate::github::start_server();
    rt.block_on(mount_no_checks(&api));
    let ws = crate::common::Workspace::new();
    let url = api.uri();
    let out = ws.run(&report_json(&url));
    let needs = "github benchmark artifacts: not read: downloading GitHub Actions artifacts needs a token, even for a public repository; artifacts named asv-benchmark-results*, asv-results*, benchmark were not looked for";
    assert!(out.stderr.contains(needs), "{}", out.stderr);
    let looked = out
        .stderr
        .lines()
        .find(|l| l.contains("no benchmark results found, looked in:"))
        .unwrap_or_default();
    assert!(
        looked.contains("(github benchmark artifacts: not read: downloading GitHub Actions artifacts needs a token"),
        "{}",
        out.stderr
    );
    let v: Value = serde_json::from_str(&ws.read("r.json")).unwrap();
    assert!(
        v.to_string()
            .contains("artifacts named asv-benchmark-results*"),
        "{v}"
    );
}

/// Two listings by name: `benchmark` (501 expired, 502 the newest) and
/// `asv-benchmark-results-Linux` (503), with their zips.
async fn mount_named(api: &MockServer, storage: &MockServer) {
    let (asv, coiled) = (asv_zip(), coiled_zip());
    for (name, list) in [
        (
            "benchmark",
            vec![
                artifact(501, "benchmark", 10, true, 9, "aaa1111"),
                artifact(502, "benchmark", coiled.len(), false, 10, "bbb2222"),
            ],
        ),
        (
            "asv-benchmark-results-Linux",
            vec![artifact(
                503,
                "asv-benchmark-results-Linux",
                asv.len(),
                false,
                10,
                "bbb2222",
            )],
        ),
    ] {
        wiremock::Mock::given(wiremock::matchers::method("GET"))
            .and(wiremock::matchers::path(
                "/repos/acme/widget/actions/artifacts",
            ))
            .and(wiremock::matchers::query_param("name", name))
            .respond_with(
                wiremock::ResponseTemplate::new(200).set_body_json(
                    serde_json::json!({"total_count": list.len(), "artifacts": list}),
                ),
            )
            .mount(api)
            .await;
    }
    mount_zip(api, storage, 502, coiled).await;
    mount_zip(api, storage, 503, asv).await;
}

/// `--coiled-db` and `--asv` take `github-artifact:OWNER/REPO:NAME`: one
/// listing request by name, the newest unexpired artifact downloaded once
/// (a warm run downloads nothing), the token never on the storage host; a
/// location of another shape is a usage error, and without a token the
/// input says it needs one.
#[test]
fn named_artifacts_are_benchmark_inputs() {
    let (rt, api) = crate::github::start_server();
    let storage = rt.block_on(MockServer::start());
    rt.block_on(mount_named(&api, &storage));
    let ws = crate::common::Workspace::new();
    let url = api.uri();
    let args = [
        "collect",
        "--coiled-db",
        "github-artifact:acme/widget:benchmark",
        "--asv",
        "github-artifact:acme/widget:asv-benchmark-results-Linux",
        "--api-url",
        url.as_str(),
        "--cache-dir",
        "cache",
        "-o",
        "ev.json",
    ];
    let env = [("GH_ENTERPRISE_TOKEN", SECRET)];
    let out = ws.run_env(&args, &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ev: Value = serde_json::from_str(&ws.read("ev.json")).unwrap();
    let tools: Vec<&str> = ev["bench"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["tool"].as_str().unwrap())
        .collect();
    let n = |t: &str| tools.iter().filter(|x| **x == t).count();
    assert_eq!((n("asv"), n("coiled"), n("coiled-tpch")), (2, 18, 3));
    assert!(ws.read("ev.json").contains("(artifact 502 of run 10"));
    let got = rt.block_on(storage.received_requests()).unwrap();
    let mut paths: Vec<&str> = got.iter().map(|r| r.url.path()).collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/blobs/502.zip", "/blobs/503.zip"]);
    assert!(got.iter().all(|r| r.headers.get("authorization").is_none()));
    for text in [ws.read("ev.json"), out.stderr, out.stdout] {
        assert!(!text.contains(SECRET) && !text.contains("STORAGE-SIGNATURE"));
    }
    let warm = ws.run_env(&args, &env);
    assert_eq!(warm.code, 0, "{}", warm.stderr);
    assert_eq!(
        rt.block_on(storage.received_requests()).unwrap().len(),
        2,
        "a warm run downloads nothing"
    );
    let bad = ws.run(&[
        "collect",
        "--coiled-db",
        "github-artifact:acme",
        "-o",
        "x.json",
    ]);
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr
            .contains("expected github-artifact:OWNER/REPO:NAME"),
        "{}",
        bad.stderr
    );
    let no_token = ws.run(&args[..9]);
    assert!(
        no_token.stderr.contains("needs a token"),
        "{}",
        no_token.stderr
    );
}
