//! Checks against real public data in `../shared/realdata` (not part of
//! the repository). Each test is ignored (listed as such by `cargo test`)
//! when the folder is absent: see [`realdata`].

#![expect(clippy::float_cmp, reason = "tests compare values computed exactly")]

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};

use crate::common::{RepoBuilder, Workspace};

/// The path of a file or folder of `../shared/realdata`. Tests that call it
/// carry `#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]`:
/// `build.rs` sets `cfg(realdata)` when the folder is there, so where it is
/// absent `cargo test` lists them as ignored instead of passing them.
pub(crate) fn realdata(file: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/realdata")
        .join(file);
    assert!(
        p.exists(),
        "{} is absent although ../shared/realdata was there at build time",
        p.display()
    );
    p
}

/// numpy's default percentile: linear interpolation between closest ranks.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "q is in 0..=1, so pos.floor() and pos.ceil() are whole numbers in 0..len"
)]
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn version(tag: &str) -> Option<Vec<u64>> {
    let parts: Vec<u64> = tag
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    (parts.len() >= 2).then_some(parts)
}

fn newer(a: &[u64], b: &[u64]) -> bool {
    let n = a.len().max(b.len());
    let pad = |v: &[u64]| {
        (0..n)
            .map(|i| v.get(i).copied().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    pad(a) > pad(b)
}

/// One row of a `*.tags.tsv` file.
struct TagRow {
    tag: String,
    sha: String,
    date: DateTime<Utc>,
    annotated: bool,
    /// `shares_history_with_default` (only in `tag-history/`).
    shares: Option<bool>,
}

fn read_tag_rows(file: &str) -> Vec<TagRow> {
    let text = std::fs::read_to_string(realdata(file)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let shares = col("shares_history_with_default");
    lines
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            TagRow {
                tag: c[0].to_string(),
                sha: c[1].to_string(),
                date: DateTime::parse_from_rfc3339(c[2])
                    .unwrap()
                    .with_timezone(&Utc),
                annotated: c[3] == "annotated",
                shares: shares.map(|i| c[i] == "yes"),
            }
        })
        .collect()
}

/// A bare repository with the TSV's tags: tags that share history with
/// `main` on `main`, the others on a history of their own, and tags of one
/// commit on one commit.
fn repo_of(rows: &[TagRow]) -> Workspace {
    let mut b = RepoBuilder::new();
    let mut previous: Option<&str> = None;
    for r in rows {
        let date = r.date.to_rfc3339();
        if previous == Some(r.sha.as_str()) {
            b = b.retag(&r.tag, &date);
            continue;
        }
        b = if r.shares == Some(false) {
            b.on_orphan("other")
        } else {
            b.on_main()
        };
        b = if r.annotated {
            b.tag(&r.tag, &date)
        } else {
            b.lightweight(&r.tag, &date)
        };
        previous = Some(&r.sha);
    }
    let ws = Workspace::new();
    ws.bare_repo("p.git", &b.delete_branch("other"));
    ws
}

/// Reads a row as one of the project's releases (its version numbers), given all rows.
type ReleaseOf = dyn Fn(&TagRow, &[TagRow]) -> Option<Vec<u64>>;

/// Checks the four release signals of the fixture made from `file`, as of
/// each day of `untils`, against values computed here from the rows
/// `version_of` reads as the project's releases (its version numbers).
fn release_signals_match(file: &str, version_of: &ReleaseOf, untils: &[(&str, usize)]) {
    let rows = read_tag_rows(file);
    let ws = repo_of(&rows);
    for &(until_day, expected_count) in untils {
        let until = DateTime::parse_from_rfc3339(&format!("{until_day}T23:59:59Z"))
            .unwrap()
            .with_timezone(&Utc);
        let since = until - Duration::days(365);
        let mut releases: Vec<(Vec<u64>, DateTime<Utc>)> = rows
            .iter()
            .filter_map(|r| version_of(r, &rows).map(|v| (v, r.date)))
            .filter(|(_, d)| *d <= until)
            .collect();
        releases.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        let count = releases.iter().filter(|(_, d)| *d > since).count();
        let mut main: Vec<DateTime<Utc>> = Vec::new();
        let mut top: Vec<u64> = Vec::new();
        for (v, d) in &releases {
            if main.is_empty() || newer(v, &top) {
                main.push(*d);
                top.clone_from(v);
            }
        }
        let days = |a: DateTime<Utc>, b: DateTime<Utc>| (b - a).num_seconds() as f64 / 86400.0;
        let all_gaps: Vec<(DateTime<Utc>, f64)> =
            main.windows(2).map(|w| (w[1], days(w[0], w[1]))).collect();
        let mut gaps: Vec<f64> = all_gaps
            .iter()
            .filter(|(end, _)| *end > since)
            .map(|g| g.1)
            .collect();
        gaps.sort_by(f64::total_cmp);
        let median = percentile(&gaps, 0.5);
        let regularity = (percentile(&gaps, 0.75) - percentile(&gaps, 0.25)) / median;
        // The usual gap is the mean of the last ten main-line gaps.
        let recent: Vec<f64> = all_gaps.iter().rev().take(10).map(|g| g.1).collect();
        let last = releases.iter().map(|r| r.1).max().unwrap();
        let staleness = days(last, until) / (recent.iter().sum::<f64>() / recent.len() as f64);

        let out = ws
            .run(&["report", "p.git", "--until", until_day, "--format", "json"])
            .ok();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let get = |id: &str| -> (f64, u64) {
            let m = crate::common::measurement(&v, id);
            (
                m["value"].as_f64().unwrap_or(f64::NAN),
                m["n"].as_u64().unwrap(),
            )
        };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert_eq!(
            count, expected_count,
            "{file}: the releases counted here as of {until_day}"
        );
        assert_eq!(
            get("release.count_365d"),
            (count as f64, count as u64),
            "{file}: count as of {until_day}: {}",
            crate::common::measurement(&v, "release.count_365d")["basis"]
        );
        let (m, n) = get("release.median_interval_days");
        assert!(
            close(m, median) && n == gaps.len() as u64,
            "{file}: median as of {until_day}: {m} (n={n}) vs {median} (n={})",
            gaps.len()
        );
        assert!(
            close(get("release.interval_regularity").0, regularity),
            "{file}: regularity as of {until_day}"
        );
        assert!(
            close(get("release.staleness_ratio").0, staleness),
            "{file}: staleness as of {until_day}"
        );
    }
}

/// `prefix` then an all-numeric version, on a tag sharing `main`'s history.
fn own(prefix: &'static str) -> impl Fn(&TagRow, &[TagRow]) -> Option<Vec<u64>> {
    move |r, _| {
        if r.shares == Some(false) {
            return None;
        }
        version(r.tag.strip_prefix(prefix)?)
    }
}

/// Release signals on dask/distributed's 267 real tags match values computed here from the TSV.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn distributed_release_signals_match_the_tsv() {
    // Releases: all-numeric versions (this drops 2.31.0.dev0).
    release_signals_match(
        "dask__distributed.tags.tsv",
        &own(""),
        &[("2026-07-24", 16), ("2021-06-30", 25), ("2018-01-31", 17)],
    );
}

/// dask/dask's own releases: its unprefixed versions on its own history;
/// not distributed's 98 tags fetched into it, not dask-expr's `v*` merged
/// into it, nor the unprefixed tags made on dask-expr's commits (`1.0`,
/// `1.1.18`). 11 in the year to 2016-12-16, 28 in 2024.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn dask_counts_its_own_releases_only() {
    let dask = |r: &TagRow, rows: &[TagRow]| {
        let expr_commit = rows
            .iter()
            .any(|o| o.sha == r.sha && o.tag.starts_with('v'));
        if expr_commit {
            return None;
        }
        own("")(r, rows)
    };
    release_signals_match(
        "tag-history/dask__dask.tags.tsv",
        &dask,
        &[("2016-12-16", 11), ("2024-12-31", 28), ("2021-06-30", 24)],
    );
}

/// polars' Python releases (`py-`), not its Rust crate's (`rs-`).
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn polars_counts_py_releases() {
    release_signals_match(
        "tag-history/pola-rs__polars.tags.tsv",
        &own("py-"),
        &[("2025-06-30", 41), ("2022-12-31", 121), ("2020-12-31", 33)],
    );
}

/// numpy's releases, most of them cut on maintenance branches.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn numpy_counts_releases_off_main() {
    release_signals_match(
        "tag-history/numpy__numpy.tags.tsv",
        &own("v"),
        &[("2025-06-30", 15), ("2019-12-31", 13)],
    );
}

/// xarray's semantic versions then calendar versions, as one line.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn xarray_is_one_line_across_schemes() {
    release_signals_match(
        "tag-history/pydata__xarray.tags.tsv",
        &own("v"),
        &[("2022-12-31", 8), ("2022-06-30", 7)],
    );
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// dask/distributed's real CI test report, one JUnit file per CI job: the
/// pass rate and the set of flaky tests (no commits, so flips between
/// consecutive jobs in time order) match values computed here from the TSV.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn distributed_test_report_matches_the_tsv() {
    use std::collections::{BTreeMap, BTreeSet};
    let tsv = realdata("ci-test-reports/dask__distributed.gh-pages.test_short_report.tsv");
    let text = std::fs::read_to_string(tsv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "test\tfile\tsuite\tdate\tstatus\tmessage\thtml_url"
    );
    // One job (html_url) = one run: (date, url) -> [(test id, status)].
    let mut jobs: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
    for l in lines {
        let c: Vec<&str> = l.split('\t').collect();
        jobs.entry((c[3].to_string(), c[6].to_string()))
            .or_default()
            .push((format!("{}::{}", c[1], c[0]), c[4].to_string()));
    }
    assert!(jobs.len() > 100, "{} jobs", jobs.len());
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.path("runs")).unwrap();
    for (i, ((date, _), rows)) in jobs.iter().enumerate() {
        let mut x = format!("<testsuites><testsuite name=\"pytest\" timestamp=\"{date}\">\n");
        for (id, status) in rows {
            let (class, name) = id.split_once("::").unwrap();
            let child = match status.as_str() {
                "fail" => "<failure message=\"failed\"/>",
                "skip" => "<skipped/>",
                _ => "",
            };
            x.push_str(&format!(
                "<testcase classname=\"{}\" name=\"{}\">{child}</testcase>\n",
                xml_escape(class),
                xml_escape(name)
            ));
        }
        x.push_str("</testsuite></testsuites>\n");
        // Names in (date, url) order, so the glob's order breaks ties in time as here.
        ws.write(&format!("runs/job{i:05}.xml"), &x);
    }

    // Expected, straight from the rows.
    let (mut pass, mut fail) = (0u64, 0u64);
    let mut seq: BTreeMap<&str, Vec<bool>> = BTreeMap::new();
    for rows in jobs.values() {
        for (id, status) in rows {
            match status.as_str() {
                "pass" => pass += 1,
                "fail" => fail += 1,
                _ => continue,
            }
            seq.entry(id).or_default().push(status == "pass");
        }
    }
    let flaky: BTreeSet<&str> = seq
        .iter()
        .filter(|(_, s)| s.windows(2).any(|w| w[0] != w[1]))
        .map(|(id, _)| *id)
        .collect();
    let eligible = seq.values().filter(|s| s.len() >= 2).count();

    let out = ws
        .run(&["report", "--junit", "runs/*.xml", "--format", "json"])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m = |id: &str| crate::common::measurement(&v, id).clone();
    let rate = m("tests.pass_rate");
    assert_eq!(rate["n"], pass + fail);
    let want = pass as f64 / (pass + fail) as f64;
    assert!(
        (rate["value"].as_f64().unwrap() - want).abs() < 1e-3,
        "{} vs {want}",
        rate["value"]
    );
    let f = m("tests.flaky_tests");
    assert_eq!(f["value"].as_f64().unwrap(), flaky.len() as f64);
    assert_eq!(usize::try_from(f["n"].as_u64().unwrap()).unwrap(), eligible);
    let listed: BTreeSet<String> = f["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap().to_string())
        .collect();
    if flaky.len() <= 15 {
        let want: BTreeSet<String> = flaky.iter().map(|s| (*s).to_string()).collect();
        assert_eq!(listed, want);
    } else {
        assert_eq!(listed.len(), 15);
    }
    assert!(
        listed.iter().all(|l| flaky.contains(l.as_str())),
        "{listed:?} vs {flaky:?}"
    );
    assert!(!flaky.is_empty());
    eprintln!(
        "distributed: {} jobs, pass rate {want:.4} over {} outcomes, {} flaky of {eligible}",
        jobs.len(),
        pass + fail,
        flaky.len()
    );
}

/// `readiness history` on dask/distributed's real tags: 24 month ends, each
/// point's release count equal to the count made here from the TSV over the
/// 365 days up to that point.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn distributed_history_counts_match_the_tsv() {
    let rows = read_tag_rows("dask__distributed.tags.tsv");
    let ws = repo_of(&rows);
    let out = ws
        .run(&[
            "history",
            "p.git",
            "--until",
            "2026-07-24",
            "--last",
            "24",
            "--format",
            "json",
        ])
        .ok();
    let h: serde_json::Value = serde_json::from_str(&out).unwrap();
    let points = h["points"].as_array().unwrap();
    assert_eq!(points.len(), 24);
    let version_of = own("");
    let mut counts = Vec::new();
    for p in points {
        let until = DateTime::parse_from_rfc3339(p["window"]["until"].as_str().unwrap())
            .unwrap()
            .with_timezone(&Utc);
        let since = until - Duration::days(365);
        let expected = rows
            .iter()
            .filter(|r| version_of(r, &rows).is_some() && r.date > since && r.date <= until)
            .count();
        let m = crate::common::measurement(p, "release.count_365d");
        assert_eq!(
            m["value"].as_f64(),
            Some(expected as f64),
            "as of {until}: {}",
            m["basis"]
        );
        counts.push(expected);
    }
    assert!(counts.iter().any(|c| *c != counts[0]), "{counts:?}");
}
