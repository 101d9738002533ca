//! What counts as a release: the project's own tags, its line across
//! naming schemes, and what the report says about the tags it left out.

use crate::common::{RepoBuilder, Workspace, measurement};

/// Runs `readiness report PATH --format json ARGS` and returns the report.
fn report(ws: &Workspace, path: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["report", path, "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ws.run(&all).ok()).unwrap()
}

/// The value of `signal` and the text that explains it (basis or reason).
fn signal(v: &serde_json::Value, signal: &str) -> (Option<f64>, String) {
    let m = measurement(v, signal);
    let text = m["insufficient"]
        .as_str()
        .or_else(|| m["basis"].as_str())
        .unwrap_or_default()
        .to_string();
    (m["value"].as_f64(), text)
}

/// Monthly releases `1.N.0` on main in 2026, a maintenance release on a
/// branch deleted since, and another project's tags on a history of its own.
fn with_foreign_history() -> RepoBuilder {
    let mut b = RepoBuilder::new();
    for m in 1..=6 {
        b = b.tag(&format!("1.{m}.0"), &format!("2026-{m:02}-01T00:00:00Z"));
    }
    b = b
        .on_branch("maintenance/1.5.x")
        .tag("1.5.1", "2026-06-15T00:00:00Z")
        .on_orphan("other")
        .tag("3.0.0", "2026-01-10T00:00:00Z")
        .tag("3.1.0", "2026-02-10T00:00:00Z")
        .tag("3.2.0", "2026-03-10T00:00:00Z")
        .on_main()
        .tag("1.7.0", "2026-07-01T00:00:00Z")
        .delete_branch("maintenance/1.5.x");
    b.delete_branch("other")
}

/// Tags whose history shares no root with the default branch are left out
/// and named; a release on a deleted maintenance branch still counts.
#[test]
fn tags_of_another_history_are_not_the_projects() {
    let ws = Workspace::new();
    ws.bare_repo("p.git", &with_foreign_history());
    let v = report(&ws, "p.git", &["--until", "2026-07-31"]);
    let (count, basis) = signal(&v, "release.count_365d");
    assert_eq!(
        count,
        Some(8.0),
        "1.1.0 to 1.7.0 and the backport 1.5.1: {basis}"
    );
    assert!(
        basis.contains(
            "3 tags whose history shares no root with the default branch's (3.0.0 … 3.2.0)"
        ),
        "{basis}"
    );
    assert!(basis.contains("1 backport"), "{basis}");
    // The gaps are the monthly ones, not the foreign 3.x line's.
    assert_eq!(
        measurement(&v, "release.median_interval_days")["n"].as_u64(),
        Some(6)
    );

    // The evidence records the check per tag.
    let ev: serde_json::Value = serde_json::from_str(&ws.run(&["collect", "p.git"]).ok()).unwrap();
    let shares = |name: &str| {
        ev["tags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap()["shares_history"]
            .clone()
    };
    assert_eq!(shares("3.1.0"), serde_json::json!(false));
    assert_eq!(shares("1.5.1"), serde_json::json!(true));
    assert_eq!(ev["default_branch"]["name"], "main");
}

/// `--tag-pattern` replaces the automatic rules: the foreign tags it names count.
#[test]
fn an_explicit_pattern_counts_what_it_names() {
    let ws = Workspace::new();
    ws.bare_repo("p.git", &with_foreign_history());
    let v = report(
        &ws,
        "p.git",
        &["--until", "2026-07-31", "--tag-pattern", r"^3\.\d+\.\d+$"],
    );
    let (count, basis) = signal(&v, "release.count_365d");
    assert_eq!(count, Some(3.0), "{basis}");
    assert!(!basis.contains("left out"), "{basis}");
}

/// dask's shape: calendar releases on main, and a merged project's `v*`
/// releases interleaved with them, one of them also tagged without the `v`
/// on the same commit. The `v*` family and its alias are left out and named.
fn with_parallel_family() -> RepoBuilder {
    let mut b = RepoBuilder::new();
    for m in 1..=12 {
        b = b.tag(&format!("2025.{m}.0"), &format!("2025-{m:02}-01T00:00:00Z"));
    }
    for m in 1..=6 {
        b = b
            .tag(&format!("2026.{m}.0"), &format!("2026-{m:02}-01T00:00:00Z"))
            .tag(&format!("v0.{m}.0"), &format!("2026-{m:02}-10T00:00:00Z"))
            .tag(&format!("v0.{m}.1"), &format!("2026-{m:02}-20T00:00:00Z"));
    }
    b.tag("v1.0.0", "2026-07-05T00:00:00Z")
        .retag("1.0", "2026-07-05T00:01:00Z")
}

/// A family of tags released in parallel with the project's line is not
/// counted; the report names it and the flag that counts it.
#[test]
fn a_family_released_in_parallel_is_left_out() {
    let ws = Workspace::new();
    ws.bare_repo("p.git", &with_parallel_family());
    let v = report(&ws, "p.git", &["--until", "2026-07-31"]);
    let (count, basis) = signal(&v, "release.count_365d");
    assert_eq!(count, Some(11.0), "2025.8.0 to 2026.6.0: {basis}");
    assert!(
        basis.contains(
            "14 releases of \"v\" versions (v0.1.0 … 1.0), a family beside the project's line (count them instead with --tag-prefix v)"
        ),
        "{basis}"
    );
    let (median, _) = signal(&v, "release.median_interval_days");
    assert!(
        median.is_some_and(|d| (28.0..=31.0).contains(&d)),
        "{median:?}"
    );

    // The flag it names counts that family instead.
    let v = report(
        &ws,
        "p.git",
        &["--until", "2026-07-31", "--tag-prefix", "v"],
    );
    assert_eq!(signal(&v, "release.count_365d").0, Some(13.0));
}

/// A scheme that succeeds another is one line: semantic versions, then
/// calendar ones, with one late fix of the old scheme counted as a backport.
#[test]
fn a_scheme_that_succeeds_another_is_one_line() {
    let mut b = RepoBuilder::new();
    for m in 1..=8 {
        b = b.tag(&format!("2.{m}.0"), &format!("2025-{m:02}-01T00:00:00Z"));
    }
    for m in 9..=12 {
        b = b.tag(&format!("2025.{m}.0"), &format!("2025-{m:02}-01T00:00:00Z"));
    }
    let b = b
        .tag("2.8.1", "2025-10-15T00:00:00Z")
        .tag("v2026.1.0", "2026-01-01T00:00:00Z");
    let ws = Workspace::new();
    ws.bare_repo("p.git", &b);
    let v = report(&ws, "p.git", &["--until", "2026-01-31"]);
    let (count, basis) = signal(&v, "release.count_365d");
    assert_eq!(count, Some(13.0), "2.2.0 to v2026.1.0 and 2.8.1: {basis}");
    assert!(basis.contains("(12 main line, 1 backport)"), "{basis}");
    assert!(!basis.contains("left out"), "{basis}");
    // Every gap is a month, including 2.8.0 → 2025.9.0 and 2025.12.0 → v2026.1.0.
    let m = measurement(&v, "release.median_interval_days");
    assert_eq!(m["n"].as_u64(), Some(12));
    let examples = m["examples"].as_array().unwrap();
    assert!(
        examples.iter().any(|e| e["label"] == "2.8.0 → 2025.9.0"),
        "{examples:?}"
    );
}

/// polars' shape: `py-` releases are the project's line even when the `rs-`
/// family has more tags; the report names `rs-` and how to count it.
#[test]
fn py_releases_lead_and_rs_is_named() {
    let mut b = RepoBuilder::new();
    for m in 1..=6 {
        b = b
            .tag(&format!("rs-0.{m}.0"), &format!("2026-{m:02}-01T00:00:00Z"))
            .tag(&format!("rs-0.{m}.1"), &format!("2026-{m:02}-05T00:00:00Z"))
            .tag(&format!("py-1.{m}.0"), &format!("2026-{m:02}-10T00:00:00Z"));
    }
    let b = b.tag("py-1.7.0b1", "2026-07-01T00:00:00Z");
    let ws = Workspace::new();
    ws.bare_repo("p.git", &b);
    let v = report(&ws, "p.git", &["--until", "2026-07-31"]);
    let (count, basis) = signal(&v, "release.count_365d");
    assert_eq!(count, Some(6.0), "{basis}");
    assert!(basis.contains("1 pre-release tag"), "{basis}");
    assert!(
        basis.contains(
            "12 releases of \"rs-\" versions (rs-0.1.0 … rs-0.6.1), a family beside the project's line (count them instead with --tag-prefix rs-)"
        ),
        "{basis}"
    );
    let examples = measurement(&v, "release.count_365d")["examples"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        examples
            .iter()
            .all(|e| e["label"].as_str().unwrap().starts_with("py-"))
    );
}

/// A clone whose newest tag and commit are long before the end of the
/// window says it may be stale, and how to update it; a fresh one does not.
#[test]
fn a_stale_clone_says_so() {
    let ws = Workspace::new();
    ws.bare_repo(
        "old.git",
        &RepoBuilder::new()
            .tag("1.0.0", "2025-01-01T00:00:00Z")
            .tag("1.1.0", "2025-02-01T00:00:00Z"),
    );
    let v = report(&ws, "old.git", &[]);
    let (_, basis) = signal(&v, "release.count_365d");
    assert!(
        basis.contains(
            "this clone's newest tag or commit is from 2025-02-01, 565 days before the end of the window: the clone may be stale (git fetch --tags brings it up to date)"
        ),
        "{basis}"
    );
    let (_, staleness) = signal(&v, "release.staleness_ratio");
    assert!(staleness.contains("may be stale"), "{staleness}");

    // As of a date just after the last tag, the same clone is not stale.
    let v = report(&ws, "old.git", &["--until", "2025-03-01"]);
    assert!(!signal(&v, "release.count_365d").1.contains("stale"));
}

/// When no tag shares the default branch's history (`HEAD` on an orphan
/// `gh-pages` branch), the history rule is not applied: the releases count.
#[test]
fn an_orphan_default_branch_does_not_hide_every_release() {
    let ws = Workspace::new();
    ws.bare_repo(
        "p.git",
        &RepoBuilder::new()
            .tag("1.0.0", "2026-01-01T00:00:00Z")
            .tag("1.1.0", "2026-02-01T00:00:00Z")
            .on_orphan("gh-pages")
            .lightweight("site", "2026-03-01T00:00:00Z")
            .head("gh-pages"),
    );
    let v = report(&ws, "p.git", &["--until", "2026-07-31"]);
    let (count, basis) = signal(&v, "release.count_365d");
    assert_eq!(count, Some(2.0), "{basis}");
    assert!(!basis.contains("shares no root"), "{basis}");
}

/// A shallow clone cannot tell which tags share the default branch's
/// history: its tags are not checked, and its source says so.
#[test]
fn a_shallow_clone_is_not_checked_for_shared_history() {
    let ws = Workspace::new();
    ws.repo("full", &with_foreign_history());
    let url = format!("file://{}", ws.path("full").display());
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(ws.path("shallow"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ev: serde_json::Value =
        serde_json::from_str(&ws.run(&["collect", "shallow"]).ok()).unwrap();
    let tags = ev["tags"].as_array().unwrap();
    assert!(!tags.is_empty());
    assert!(
        tags.iter().all(|t| t.get("shares_history").is_none()),
        "{tags:?}"
    );
    let notes = ev["sources"][0]["notes"][0].as_str().unwrap();
    assert!(
        notes.contains("tags were not checked for sharing the default branch's history"),
        "{notes}"
    );
    assert_eq!(ev["sources"][0]["complete"], false);
}
