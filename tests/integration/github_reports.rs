//! Test reports of a GitHub target, from a GitHub served on loopback: check
//! runs whose summaries end with publish-unit-test-result-action's digest,
//! artifact listings, and zips behind a 302 to a second loopback server
//! (the storage host), which must never see the token. The counts asserted
//! are those the fixtures were built from, not the reader's.

use std::io::Write;

use readiness::cache::Cache;
use readiness::collect::github::client::Client;
use readiness::collect::github::test_reports::{
    self, Found, TestReports, digest_json, digest_line,
};
use readiness::evidence::{Provenance, WorkflowRun};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::github::{SECRET, repo, settings};

/// A default-branch run of commit `sha`, created on day `day` of July 2026.
pub(crate) fn run(id: u64, sha: &str, day: u32) -> WorkflowRun {
    let created = crate::github::at(&format!("2026-07-{day:02}T00:00:00Z"));
    WorkflowRun {
        id,
        workflow: "Tests".into(),
        workflow_id: 7,
        head_sha: sha.into(),
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
}

/// A check-run listing holding one run named `name` whose summary ends
/// with `summary_tail` (a digest line, or anything).
fn check_runs(id: u64, name: &str, sha: &str, summary_tail: &str) -> Value {
    json!({"total_count": 1, "check_runs": [{
        "id": id, "name": name, "head_sha": sha, "status": "completed", "conclusion": "success",
        "started_at": "2026-07-10T10:00:00Z", "completed_at": "2026-07-10T10:05:00Z",
        "output": {"title": "100 tests pass", "summary": format!("## Test Results\n\n 100 tests  ±0\n\n{summary_tail}\n"),
                   "text": null, "annotations_count": 0}
    }]})
}

async fn mount_checks(server: &MockServer, sha: &str, name: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/widget/commits/{sha}/check-runs")))
        .and(query_param("check_name", name))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

/// Any other check name, or commit: no check runs.
pub(crate) async fn mount_no_checks(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path_regex(r"^/repos/acme/widget/commits/[^/]+/check-runs$"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"total_count": 0, "check_runs": []})),
        )
        .with_priority(10)
        .mount(server)
        .await;
}

pub(crate) fn source<'a>(found: &'a Found, name: &str) -> &'a Provenance {
    found.sources.iter().find(|s| s.source == name).unwrap()
}

/// A pytest JUnit file of `n` tests, of which the first `failed` fail.
fn pytest_xml(n: usize, failed: usize) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?><testsuites name=\"pytest tests\"><testsuite name=\"pytest\">",
    );
    for i in 0..n {
        if i < failed {
            s.push_str(&format!(
                "<testcase classname=\"tests.test_m\" name=\"test_{i}\"><failure message=\"x\">boom</failure></testcase>"
            ));
        } else {
            s.push_str(&format!(
                "<testcase classname=\"tests.test_m\" name=\"test_{i}\"/>"
            ));
        }
    }
    s.push_str("</testsuite></testsuites>");
    s
}

pub(crate) fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

pub(crate) fn artifact(
    id: u64,
    name: &str,
    size: usize,
    expired: bool,
    run: u64,
    sha: &str,
) -> Value {
    json!({"id": id, "node_id": "MDg6QXJ0aWZhY3Qx", "name": name, "size_in_bytes": size,
           "url": format!("https://api.github.com/repos/acme/widget/actions/artifacts/{id}"),
           "archive_download_url": format!("https://api.github.com/repos/acme/widget/actions/artifacts/{id}/zip"),
           "expired": expired, "digest": "sha256:00", "created_at": "2026-07-01T01:00:00Z",
           "expires_at": "2026-09-29T01:00:00Z", "updated_at": "2026-07-01T01:00:00Z",
           "workflow_run": {"id": run, "repository_id": 1, "head_repository_id": 1,
                            "head_branch": "main", "head_sha": sha}})
}

pub(crate) async fn mount_artifacts(server: &MockServer, run: u64, list: Vec<Value>) {
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/acme/widget/actions/runs/{run}/artifacts"
        )))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"total_count": list.len(), "artifacts": list})),
        )
        .mount(server)
        .await;
}

/// The artifact's zip: a 302 to the storage host, which serves `zip`.
pub(crate) async fn mount_zip(api: &MockServer, storage: &MockServer, id: u64, zip: Vec<u8>) {
    let location = format!(
        "{}/blobs/{id}.zip?sv=2025&sig=STORAGE-SIGNATURE-{id}",
        storage.uri()
    );
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/acme/widget/actions/artifacts/{id}/zip"
        )))
        .respond_with(ResponseTemplate::new(302).insert_header("location", location.as_str()))
        .mount(api)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/blobs/{id}.zip")))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(zip))
        .mount(storage)
        .await;
}

/// A project that publishes no digests is asked about its newest
/// `PROBE_COMMITS` commits only, not once per commit; one whose digest
/// appears among them is asked about every commit.
#[tokio::test]
async fn a_project_without_digests_costs_the_probe_only() {
    let server = MockServer::start().await;
    mount_no_checks(&server).await;
    let shas: Vec<String> = (1..=12).map(|i| format!("{i:07x}")).collect();
    let runs: Vec<WorkflowRun> = (1..=12u32)
        .map(|i| run(u64::from(i), &shas[i as usize - 1], i))
        .collect();
    let client = Client::new(settings(&server, false), None).unwrap();
    let found = test_reports::collect(&client, &repo(), &runs, &TestReports::default()).await;
    assert!(found.tests.is_none());
    let checks = source(&found, "github check runs");
    assert_eq!(test_reports::PROBE_COMMITS, 5);
    // Five commits, each asked under both default names.
    assert_eq!(checks.requests, 10, "{checks:?}");
    assert_eq!(
        checks.notes[0],
        "check runs of 5 commits (named \"Test Results\" or \"Unit Test Results\"): 0 digests, on 0 commits"
    );
    assert_eq!(
        checks.notes[1],
        "no digest on the newest 5 commits: the other 7 were not asked"
    );
    // Failures on the newest commits (a token without the checks
    // permission, say) stop there too, and mark the source incomplete.
    let failing = MockServer::start().await;
    let client = Client::new(settings(&failing, false), None).unwrap();
    let found = test_reports::collect(&client, &repo(), &runs, &TestReports::default()).await;
    let checks = source(&found, "github check runs");
    assert!(!checks.complete, "{checks:?}");
    assert!(checks.requests <= 10, "{checks:?}");
    assert!(
        checks
            .notes
            .iter()
            .any(|n| n == "no digest on the newest 5 commits: the other 7 were not asked"),
        "{checks:?}"
    );
    // A digest on the fifth newest commit: every commit is asked.
    let digest = digest_line(&digest_json(9, 0, 1, 0));
    mount_checks(
        &server,
        &shas[7],
        "Test Results",
        check_runs(8, "Test Results", &shas[7], &digest),
    )
    .await;
    let client = Client::new(settings(&server, false), None).unwrap();
    let found = test_reports::collect(&client, &repo(), &runs, &TestReports::default()).await;
    assert_eq!(found.tests.as_ref().unwrap().digests.len(), 1);
    let checks = source(&found, "github check runs");
    assert!(
        checks.notes[0].starts_with("check runs of 12 commits"),
        "{checks:?}"
    );
}

/// Runs of three workflows: Tests (1..=4, the newest uploading nothing,
/// the others a JUnit zip each), Linting (11..=16, nothing) and Wheels
/// (21..=25, a package each), their artifacts and zips mounted.
async fn three_workflows(api: &MockServer, storage: &MockServer) -> Vec<WorkflowRun> {
    let of = |workflow: &str, workflow_id: u64, id: u64, day: u32| WorkflowRun {
        workflow: workflow.into(),
        workflow_id,
        ..run(id, &format!("{id:07x}"), day)
    };
    // Tests: runs 1..=4, the newest (4) uploads nothing; Linting: 11..=16,
    // nothing; Wheels: 21..=25, a package each.
    let mut runs: Vec<WorkflowRun> = (1..=4u32)
        .map(|i| of("Tests", 7, u64::from(i), i))
        .collect();
    runs.extend((11..=16u32).map(|i| of("Linting", 8, u64::from(i), i)));
    runs.extend((21..=25u32).map(|i| of("Wheels", 9, u64::from(i), i)));
    for i in 1..=3u64 {
        let sha = format!("{i:07x}");
        mount_artifacts(
            api,
            i,
            vec![artifact(100 + i, "py312-test", 10, false, i, &sha)],
        )
        .await;
        mount_zip(
            api,
            storage,
            100 + i,
            zip_of(&[("pytest.xml", pytest_xml(2, 0).as_bytes())]),
        )
        .await;
    }
    mount_artifacts(api, 4, Vec::new()).await;
    for i in 11..=16u64 {
        mount_artifacts(api, i, Vec::new()).await;
    }
    for i in 21..=25u64 {
        let sha = format!("{i:07x}");
        mount_artifacts(
            api,
            i,
            vec![artifact(
                200 + i,
                "cp312-manylinux_x86_64",
                10,
                false,
                i,
                &sha,
            )],
        )
        .await;
        mount_zip(
            api,
            storage,
            200 + i,
            zip_of(&[("numpy-2.0-cp312.whl", b"not xml")]),
        )
        .await;
    }
    runs
}

/// A probe listing that fails: nothing is known of its workflow, so every
/// run is listed.
#[tokio::test]
async fn a_failed_probe_listing_keeps_every_run() {
    let scratch = MockServer::start().await;
    let storage = MockServer::start().await;
    let runs = three_workflows(&scratch, &storage).await;
    let failing = MockServer::start().await;
    mount_no_checks(&failing).await;
    for i in (1..=4).chain(11..=15).chain(21..=25) {
        mount_artifacts(&failing, i, Vec::new()).await;
    }
    Mock::given(method("GET"))
        .and(path("/repos/acme/widget/actions/runs/16/artifacts"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&failing)
        .await;
    let client = Client::new(settings(&failing, true), None).unwrap();
    let found = test_reports::collect(&client, &repo(), &runs, &TestReports::default()).await;
    let art = source(&found, "github artifacts");
    assert!(!art.complete, "{art:?}");
    assert!(
        art.notes[0].starts_with("0 JUnit files from 15 runs' artifacts"),
        "{:?}",
        art.notes
    );
}

/// Artifacts are read workflow by workflow: a workflow whose newest
/// `PROBE_RUNS` runs' artifacts hold no JUnit XML (lint uploads nothing, a
/// wheel build uploads packages) has its other runs neither listed nor
/// downloaded, which the report says; a test workflow whose newest run
/// uploaded nothing (a docs-only commit) is still read in full.
#[tokio::test]
async fn runs_of_workflows_without_junit_are_not_all_read() {
    let api = MockServer::start().await;
    let storage = MockServer::start().await;
    mount_no_checks(&api).await;
    let runs = three_workflows(&api, &storage).await;
    let client = Client::new(settings(&api, true), None).unwrap();
    let found = test_reports::collect(&client, &repo(), &runs, &TestReports::default()).await;
    let asked: Vec<String> = api
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    let listed: Vec<&String> = asked.iter().filter(|p| p.ends_with("/artifacts")).collect();
    // Every Tests run; the newest three of Linting (14..=16) and of Wheels (23..=25).
    assert_eq!(listed.len(), 4 + 3 + 3, "{listed:?}");
    for skipped in [11, 12, 13, 21, 22] {
        assert!(
            !listed
                .iter()
                .any(|p| p.contains(&format!("/runs/{skipped}/"))),
            "{listed:?}"
        );
    }
    // Three JUnit zips and three wheels downloaded; the older wheels are not.
    let zips = asked.iter().filter(|p| p.ends_with("/zip")).count();
    assert_eq!(zips, 6, "{asked:?}");
    assert_eq!(found.tests.as_ref().unwrap().runs.len(), 3);
    let art = source(&found, "github artifacts");
    assert!(art.complete, "{art:?}");
    assert!(
        art.notes[0]
            .starts_with("3 JUnit files from 10 runs' artifacts: 6 artifacts listed, 6 downloaded"),
        "{:?}",
        art.notes
    );
    assert!(
        art.notes.iter().any(|n| n == "5 runs' artifacts not read: their workflows' newest 3 runs uploaded no JUnit XML (Linting, Wheels)"),
        "{:?}",
        art.notes
    );
    // The benchmark artifacts share the listing, and say the same.
    let bench = source(&found, "github benchmark artifacts");
    assert!(
        bench.notes[0].starts_with("6 artifacts of 10 runs"),
        "{:?}",
        bench.notes
    );
}

/// Check runs without a token: digests of the commits that have one are
/// read, a commit without one is counted as looked at, and artifacts are
/// not asked for (downloading needs a token), which the report says.
#[tokio::test]
async fn check_run_digests_give_counts_without_a_token() {
    let server = MockServer::start().await;
    mount_no_checks(&server).await;
    let runs = [
        run(1, "aaa1111", 1),
        run(2, "bbb2222", 2),
        run(3, "ccc3333", 3),
    ];
    // "Unit Test Results" holds the digest: asked after "Test Results" on the
    // newest commit, then first on the others.
    let digest_c = digest_line(&digest_json(90, 5, 3, 2));
    let digest_b = digest_line(&digest_json(50, 1, 0, 0));
    mount_checks(
        &server,
        "ccc3333",
        "Unit Test Results",
        check_runs(31, "Unit Test Results", "ccc3333", &digest_c),
    )
    .await;
    mount_checks(
        &server,
        "bbb2222",
        "Unit Test Results",
        check_runs(21, "Unit Test Results", "bbb2222", &digest_b),
    )
    .await;
    let client = Client::new(settings(&server, false), None).unwrap();
    let found = test_reports::collect(&client, &repo(), &runs, &TestReports::default()).await;
    let tests = found.tests.as_ref().unwrap();
    assert!(tests.runs.is_empty());
    let counts: Vec<(String, u64, u64, u64, u64)> = tests
        .digests
        .iter()
        .map(|d| {
            (
                d.commit.clone(),
                d.runs_succ,
                d.runs_skip,
                d.runs_fail,
                d.runs_error,
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("ccc3333".into(), 90, 5, 3, 2),
            ("bbb2222".into(), 50, 1, 0, 0)
        ]
    );
    assert_eq!(tests.digests[0].check, "Unit Test Results");
    let checks = source(&found, "github check runs");
    assert!(checks.complete, "{checks:?}");
    assert_eq!(
        checks.notes[0],
        "check runs of 3 commits (named \"Test Results\" or \"Unit Test Results\"): 2 digests, on 2 commits"
    );
    // Newest commit: both names (2); then "Unit Test Results" first: 1 for
    // bbb2222, 2 for aaa1111 which has none.
    assert_eq!(checks.requests, 5);
    let artifacts = source(&found, "github artifacts");
    assert!(
        artifacts.notes[0]
            .starts_with("not read: downloading GitHub Actions artifacts needs a token")
    );
    let received = server.received_requests().await.unwrap();
    assert!(
        received
            .iter()
            .all(|r| !r.url.path().contains("/artifacts")),
        "no artifact listing without a token"
    );
}

/// A digest that is not base64, or not gzip, is a note naming the check run
/// and the commit, and the source is marked incomplete.
#[tokio::test]
async fn bad_digests_are_named() {
    let server = MockServer::start().await;
    mount_no_checks(&server).await;
    let runs = [run(1, "aaa1111", 1), run(2, "bbb2222", 2)];
    mount_checks(
        &server,
        "aaa1111",
        "Test Results",
        check_runs(
            11,
            "Test Results",
            "aaa1111",
            "[test-results]:data:application/gzip;base64,%%%",
        ),
    )
    .await;
    mount_checks(
        &server,
        "bbb2222",
        "Test Results",
        check_runs(
            12,
            "Test Results",
            "bbb2222",
            "[test-results]:data:application/gzip;base64,aGVsbG8=",
        ),
    )
    .await;
    let client = Client::new(settings(&server, false), None).unwrap();
    let found = test_reports::collect(&client, &repo(), &runs, &TestReports::default()).await;
    assert!(found.tests.is_none());
    let checks = source(&found, "github check runs");
    assert!(!checks.complete);
    assert!(
        checks.notes.iter().any(|n| n
            .starts_with("incomplete: check run 11 of commit aaa1111: the digest is not base64")),
        "{:?}",
        checks.notes
    );
    assert!(
        checks
            .notes
            .iter()
            .any(|n| n
                .starts_with("incomplete: check run 12 of commit bbb2222: the digest is not gzip")),
        "{:?}",
        checks.notes
    );
}

/// The mounted fixture of [`artifacts_are_read_once_without_the_token_on_the_storage_host`].
struct Fixture {
    api: MockServer,
    storage: MockServer,
    runs: Vec<WorkflowRun>,
    /// The bytes of the three zips served.
    zip_bytes: u64,
}

/// Two runs; run 10 (commit aaa1111) has two JUnit artifacts (3 and 2
/// files' worth of tests), a cluster dump and an expired one; run 20
/// (bbb2222) one artifact. Commit aaa1111 also has a digest (left out: its
/// JUnit files count), ccc3333 (run 30, no artifacts) a digest that counts.
async fn fixture() -> Fixture {
    let api = MockServer::start().await;
    let storage = MockServer::start().await;
    mount_no_checks(&api).await;
    let digest = digest_line(&digest_json(7, 0, 1, 0));
    for (id, sha) in [(41, "aaa1111"), (43, "ccc3333")] {
        mount_checks(
            &api,
            sha,
            "Test Results",
            check_runs(id, "Test Results", sha, &digest),
        )
        .await;
    }
    let py312 = zip_of(&[
        ("pytest.xml", pytest_xml(10, 2).as_bytes()),
        ("notes.txt", b"not a report"),
    ]);
    let py313 = zip_of(&[
        ("reports/a.xml", pytest_xml(4, 0).as_bytes()),
        ("reports/b.xml", pytest_xml(6, 1).as_bytes()),
    ]);
    let later = zip_of(&[("pytest.xml", pytest_xml(10, 0).as_bytes())]);
    mount_artifacts(
        &api,
        10,
        vec![
            artifact(
                101,
                "ubuntu-latest-py312-test-ci",
                py312.len(),
                false,
                10,
                "aaa1111",
            ),
            artifact(
                102,
                "ubuntu-latest-py313-test-ci",
                py313.len(),
                false,
                10,
                "aaa1111",
            ),
            artifact(
                103,
                "ubuntu-latest-py312-ci1_cluster_dumps",
                1000,
                false,
                10,
                "aaa1111",
            ),
            artifact(
                104,
                "windows-latest-py312-test-ci",
                1000,
                true,
                10,
                "aaa1111",
            ),
        ],
    )
    .await;
    mount_artifacts(
        &api,
        20,
        vec![artifact(
            201,
            "ubuntu-latest-py312-test-ci",
            later.len(),
            false,
            20,
            "bbb2222",
        )],
    )
    .await;
    mount_artifacts(&api, 30, Vec::new()).await;
    let zip_bytes = (py312.len() + py313.len() + later.len()) as u64;
    mount_zip(&api, &storage, 101, py312).await;
    mount_zip(&api, &storage, 102, py313).await;
    mount_zip(&api, &storage, 201, later).await;
    Fixture {
        api,
        storage,
        runs: vec![
            run(10, "aaa1111", 1),
            run(20, "bbb2222", 2),
            run(30, "ccc3333", 3),
        ],
        zip_bytes,
    }
}

/// Artifacts with a token: JUnit files from the zips (environment = the
/// artifact's name, commit and time = the run's), picked by name, the
/// expired one counted; the token reaches the API host only, never the
/// storage host; a warm run downloads nothing, and still uses an artifact
/// that has expired since.
#[tokio::test]
async fn artifacts_are_read_once_without_the_token_on_the_storage_host() {
    let f = fixture().await;
    let dir = tempfile::tempdir().unwrap();
    let open = || {
        Client::new(
            settings(&f.api, true),
            Some(Cache::open(dir.path()).unwrap()),
        )
        .unwrap()
    };
    let client = open();
    let found = test_reports::collect(&client, &repo(), &f.runs, &TestReports::default()).await;
    let tests = found.tests.clone().unwrap();
    let files: Vec<(&str, Option<&str>, Option<&str>, usize)> = tests
        .runs
        .iter()
        .map(|r| {
            (
                r.file.as_str(),
                r.env.as_deref(),
                r.commit.as_deref(),
                r.outcomes.matches('f').count(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            (
                "ubuntu-latest-py312-test-ci/pytest.xml",
                Some("ubuntu-latest-py312-test-ci"),
                Some("aaa1111"),
                2
            ),
            (
                "ubuntu-latest-py313-test-ci/reports/a.xml",
                Some("ubuntu-latest-py313-test-ci"),
                Some("aaa1111"),
                0
            ),
            (
                "ubuntu-latest-py313-test-ci/reports/b.xml",
                Some("ubuntu-latest-py313-test-ci"),
                Some("aaa1111"),
                1
            ),
            (
                "ubuntu-latest-py312-test-ci/pytest.xml",
                Some("ubuntu-latest-py312-test-ci"),
                Some("bbb2222"),
                0
            ),
        ]
    );
    // test_0..test_9 named once across the files.
    assert_eq!(tests.tests.len(), 10);
    assert_eq!(
        tests.runs[0].time_source,
        readiness::evidence::TimeSource::WorkflowRun
    );
    // aaa1111's digest is left out (its JUnit files count); ccc3333's stays.
    let commits: Vec<&str> = tests.digests.iter().map(|d| d.commit.as_str()).collect();
    assert_eq!(commits, ["ccc3333"]);
    let art = source(&found, "github artifacts");
    assert!(art.complete, "{art:?}");
    assert_eq!(art.items, 4);
    assert_eq!(
        art.notes[0],
        "4 JUnit files from 3 runs' artifacts: 5 artifacts listed, 3 downloaded, 0 read from the cache, 1 left out by name, 1 expired before readiness read them (read: *; left out: *cluster_dumps*, Event File, *coverage*, *benchmark*, *asv*)"
    );
    let checks = source(&found, "github check runs");
    assert!(checks.notes.iter().any(|n| n == "1 digests left out: their commits' JUnit files were read from artifacts (nothing is counted twice)"), "{:?}", checks.notes);
    assert_token_only_on_the_api(&f).await;
    assert_eq!(
        client
            .stats
            .downloaded
            .load(std::sync::atomic::Ordering::Relaxed),
        f.zip_bytes
    );

    warm_run_downloads_nothing(&f, dir.path(), &tests.runs).await;
}

/// The second read of [`fixture`], with the same cache: artifact 101 has
/// expired since; everything comes from the cache, nothing is downloaded.
async fn warm_run_downloads_nothing(
    f: &Fixture,
    cache: &std::path::Path,
    runs: &[readiness::evidence::TestRun],
) {
    // Warm: the same cache; artifact 101 has expired since.
    f.api.reset().await;
    f.storage.reset().await;
    mount_no_checks(&f.api).await;
    mount_artifacts(
        &f.api,
        10,
        vec![
            artifact(101, "ubuntu-latest-py312-test-ci", 1, true, 10, "aaa1111"),
            artifact(102, "ubuntu-latest-py313-test-ci", 1, false, 10, "aaa1111"),
        ],
    )
    .await;
    mount_artifacts(
        &f.api,
        20,
        vec![artifact(
            201,
            "ubuntu-latest-py312-test-ci",
            1,
            false,
            20,
            "bbb2222",
        )],
    )
    .await;
    mount_artifacts(&f.api, 30, Vec::new()).await;
    let client = Client::new(settings(&f.api, true), Some(Cache::open(cache).unwrap())).unwrap();
    let warm = test_reports::collect(&client, &repo(), &f.runs, &TestReports::default()).await;
    assert_eq!(
        warm.tests.as_ref().unwrap().runs,
        *runs,
        "the same runs, from the cache"
    );
    let art = source(&warm, "github artifacts");
    assert!(
        art.notes[0].contains("3 artifacts listed, 0 downloaded, 3 read from the cache"),
        "{:?}",
        art.notes
    );
    assert!(
        f.storage.received_requests().await.unwrap().is_empty(),
        "a warm run downloads nothing"
    );
    let zips = f.api.received_requests().await.unwrap();
    assert!(
        zips.iter().all(|r| !r.url.path().ends_with("/zip")),
        "nor asks for a zip"
    );
}

/// The token went to the API host with every zip request, and to the storage host never.
async fn assert_token_only_on_the_api(f: &Fixture) {
    let storage = f.storage.received_requests().await.unwrap();
    assert_eq!(storage.len(), 3, "one download per artifact");
    for r in &storage {
        assert!(
            r.headers.get("authorization").is_none(),
            "the storage host got an Authorization header"
        );
        for (_, v) in &r.headers {
            assert!(
                !v.as_bytes()
                    .windows(SECRET.len())
                    .any(|w| w == SECRET.as_bytes())
            );
        }
    }
    let api = f.api.received_requests().await.unwrap();
    let zips: Vec<_> = api
        .iter()
        .filter(|r| r.url.path().ends_with("/zip"))
        .collect();
    assert_eq!(zips.len(), 3);
    for r in zips {
        assert_eq!(
            r.headers.get("authorization").unwrap().to_str().unwrap(),
            format!("Bearer {SECRET}")
        );
    }
}

/// A zip bomb (an entry that unpacks 4,000 times its size) is refused with
/// the reason, the rest read; a zip that is not one is named too.
#[tokio::test]
async fn bombs_and_broken_zips_are_refused_with_the_reason() {
    let api = MockServer::start().await;
    let storage = MockServer::start().await;
    mount_no_checks(&api).await;
    let bomb = zip_of(&[("pytest.xml", &vec![b' '; 8 * 1024 * 1024])]);
    mount_artifacts(
        &api,
        10,
        vec![
            artifact(101, "bomb-test", bomb.len(), false, 10, "aaa1111"),
            artifact(102, "broken-test", 20, false, 10, "aaa1111"),
            artifact(103, "good-test", 1, false, 10, "aaa1111"),
            artifact(104, "huge-test", 3 << 20, false, 10, "aaa1111"),
            artifact(105, "docs-html", 10, false, 10, "aaa1111"),
        ],
    )
    .await;
    mount_zip(&api, &storage, 101, bomb).await;
    mount_zip(
        &api,
        &storage,
        102,
        b"PK\x03\x04 this is not a zip".to_vec(),
    )
    .await;
    mount_zip(
        &api,
        &storage,
        103,
        zip_of(&[("pytest.xml", pytest_xml(3, 0).as_bytes())]),
    )
    .await;
    let client = Client::new(settings(&api, true), None).unwrap();
    // Only `*-test` artifacts, at most 2 MB: huge-test is counted, not downloaded.
    let mut wanted = TestReports {
        artifacts: vec!["*-TEST".into()],
        ..TestReports::default()
    };
    wanted.limits.download = 2 << 20;
    let found = test_reports::collect(&client, &repo(), &[run(10, "aaa1111", 1)], &wanted).await;
    assert_eq!(found.tests.as_ref().unwrap().runs.len(), 1);
    let art = source(&found, "github artifacts");
    assert!(!art.complete);
    assert!(
        art.notes[0].starts_with("1 JUnit files from 1 runs' artifacts: 5 artifacts listed, 3 downloaded, 0 read from the cache, 1 left out by name, 1 over the size cap (read: *-TEST;"),
        "{:?}",
        art.notes
    );
    let zips: Vec<String> = storage
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(zips.len(), 3, "{zips:?}");
    assert!(!zips.iter().any(|p| p.contains("104") || p.contains("105")));
    assert!(art.notes.iter().any(|n| n.starts_with("incomplete: artifact \"bomb-test\" (101): refused as a zip bomb: an entry unpacks 8388608 bytes from")), "{:?}", art.notes);
    assert!(
        art.notes.iter().any(
            |n| n.starts_with("incomplete: artifact \"broken-test\" (102): not a readable zip")
        ),
        "{:?}",
        art.notes
    );
    let text = format!("{art:?}");
    assert!(
        !text.contains("STORAGE-SIGNATURE") && !text.contains(SECRET),
        "{text}"
    );
}

/// `readiness report acme/widget` at the API `url`, as JSON into `r.json`.
pub(crate) fn report_json(url: &str) -> Vec<&str> {
    vec![
        "report",
        "acme/widget",
        "--api-url",
        url,
        "--cache-dir",
        "cache",
        "--until",
        "2026-08-20",
        "--format",
        "json",
        "-o",
        "r.json",
    ]
}

/// `readiness report OWNER/REPO` end to end: the pass rate counts the JUnit
/// files of run 1's artifact and the digest of commit ccc3333; standard
/// error says where the test reports came from; neither the token nor the
/// storage URL's signature appears in any output.
#[test]
fn cli_report_counts_artifacts_and_digests() {
    let (rt, api) = crate::github::start_server();
    let storage = rt.block_on(MockServer::start());
    rt.block_on(async {
        mount_no_checks(&api).await;
        let digest = digest_line(&digest_json(7, 0, 1, 0));
        mount_checks(
            &api,
            "ccc3333",
            "Test Results",
            check_runs(43, "Test Results", "ccc3333", &digest),
        )
        .await;
        let z = zip_of(&[("pytest.xml", pytest_xml(10, 2).as_bytes())]);
        mount_artifacts(
            &api,
            1,
            vec![artifact(
                101,
                "ubuntu-latest-py312-test-ci",
                z.len(),
                false,
                1,
                "aaa1111",
            )],
        )
        .await;
        mount_artifacts(&api, 2, Vec::new()).await;
        mount_artifacts(&api, 3, Vec::new()).await;
        mount_zip(&api, &storage, 101, z).await;
    });
    let ws = crate::common::Workspace::new();
    // A local JUnit file joins what GitHub gave: 1 passed, 1 failed.
    ws.write(
        "local-junit.xml",
        &pytest_xml(2, 1).replace(
            "<testsuite name=\"pytest\">",
            "<testsuite name=\"pytest\" timestamp=\"2026-07-15T00:00:00\">",
        ),
    );
    let url = api.uri();
    let mut args = report_json(&url);
    args.extend(["--junit", "local-junit.xml"]);
    let run = ws.run_env(&args, &[("GH_ENTERPRISE_TOKEN", SECRET)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (stdout, err) = (run.stdout, run.stderr);
    let v: Value = serde_json::from_str(&ws.read("r.json")).unwrap();
    let pass = v["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["signal"] == "tests.pass_rate")
        .unwrap();
    assert_eq!(pass["n"], 20, "{pass}");
    assert!(
        (pass["value"].as_f64().unwrap() - 16.0 / 20.0).abs() < 1e-9,
        "{pass}"
    );
    assert_eq!(pass["source"], "JUnit XML files and check-run digests");
    let flaky = v["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["signal"] == "tests.flaky_tests")
        .unwrap();
    assert!(
        flaky["basis"]
            .as_str()
            .unwrap()
            .contains("not measured from check-run digests"),
        "{flaky}"
    );
    assert!(
        err.contains("github artifacts: 1 JUnit files from 3 runs' artifacts"),
        "{err}"
    );
    assert!(
        err.contains("github check runs: check runs of 3 commits"),
        "{err}"
    );
    for text in [ws.read("r.json"), err.clone(), stdout] {
        assert!(!text.contains(SECRET) && !text.contains("STORAGE-SIGNATURE"));
    }
}

/// A GitHub target where no test report is found: the `tests.*` signals say
/// where they looked (check runs of every commit, artifacts needing a token).
#[test]
fn cli_report_says_where_it_looked() {
    let (rt, api) = crate::github::start_server();
    rt.block_on(mount_no_checks(&api));
    let ws = crate::common::Workspace::new();
    let url = api.uri();
    ws.run(&report_json(&url));
    let v: Value = serde_json::from_str(&ws.read("r.json")).unwrap();
    let pass = crate::common::measurement(&v, "tests.pass_rate");
    assert_eq!(
        pass["insufficient"],
        "no test reports found: looked in check runs of 3 commits (named \"Test Results\" or \"Unit Test Results\"): 0 digests, on 0 commits; not read: downloading GitHub Actions artifacts needs a token, even for a public repository; test results come from check runs alone; no JUnit XML files were given (--junit GLOB)"
    );
}
