//! Fuzz targets for what `readiness batch` and `readiness compare OUT.ndjson`
//! read: the list of projects (`batch::parse_list`), an earlier output it
//! resumes from (`batch::lines::read_existing`) and the aggregate's reader
//! (`batch::lines::read_into`). Seeds are valid lists and lines (a report
//! line in the shape the tool writes, error lines), mutated byte by byte
//! and as JSON, plus arbitrary bytes. Properties: no panic; every error
//! names the file, and the line where the input has lines; what is read
//! adds up (each project counted once); the aggregate's numbers are finite.

use std::path::Path;

use readiness::batch::{self, lines};
use readiness::report::aggregate::Accumulator;
use serde_json::json;

use crate::common::Workspace;
use crate::fuzzkit;

const DEFAULT_CASES: usize = 600;

fn report_line(name: &str, score: f64) -> String {
    json!({"report_schema": 1, "tool": "readiness 0.1.0", "target": {"name": name, "kind": "github", "location": "https://github.com/x", "remote": null},
           "rubric": {"name": "default", "origin": "built-in"}, "score": score, "grade": "maturing", "coverage": 0.6,
           "categories": [{"id": "releases", "name": "Release cadence", "weight": 1.0, "score": score, "coverage": 1.0,
                           "criteria": [{"signal": "release.count_365d", "status": "scored", "reason": null},
                                        {"signal": "release.staleness_ratio", "status": "insufficient", "reason": "n = 1"}]}],
           "measurements": [], "sources": []})
    .to_string()
}

fn output_seeds() -> Vec<Vec<u8>> {
    let a = report_line("dask/dask", 71.5);
    let b = report_line("numpy/numpy", 88.0);
    let e = json!({"project": "gone/away", "error": "gone/away: not found (404)"}).to_string();
    vec![
        a.clone().into_bytes(),
        e.clone().into_bytes(),
        format!("{a}\n{e}\n{b}\n").into_bytes(),
        format!("{e}\n\n{a}\n{b}").into_bytes(),
    ]
}

#[test]
fn fuzz_project_lists() {
    let seeds: Vec<Vec<u8>> = [
        "dask/dask\npandas-dev/pandas\n",
        "# comment\n\nhttps://github.com/numpy/numpy.git # trailing\n  scipy/scipy  \r\n",
        "a/b\nA/B\n",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let path = Path::new("repos.txt");
    let mut ok = 0;
    fuzzkit::run(
        "batch-list",
        &seeds,
        &[
            b"#",
            b"/",
            b"\n",
            b"https://github.com/",
            b".git",
            b" ",
            b"\xff",
        ],
        fuzzkit::cases(DEFAULT_CASES),
        |bytes| {
            let text = String::from_utf8_lossy(bytes);
            match batch::parse_list(path, &text) {
                Ok(projects) => {
                    ok += 1;
                    let mut keys: Vec<String> = projects.iter().map(batch::Project::key).collect();
                    keys.sort();
                    keys.dedup();
                    assert_eq!(keys.len(), projects.len(), "a project twice");
                    for p in &projects {
                        assert_eq!(p.name, format!("{}/{}", p.owner, p.repo));
                        assert!(p.line >= 1 && p.line <= text.lines().count());
                    }
                }
                Err(e) => {
                    let shown = e.to_string();
                    assert!(shown.starts_with("repos.txt:"), "{shown}");
                }
            }
        },
    );
    assert!(ok > 10, "{ok} valid lists");
}

#[test]
fn fuzz_batch_outputs() {
    let ws = Workspace::new();
    let file = ws.path("out.ndjson");
    let shown = file.display().to_string();
    let (mut resumed, mut summed) = (0, 0);
    fuzzkit::run(
        "batch-output",
        &output_seeds(),
        &[
            b"\n",
            b"{",
            b"\"report_schema\": 1",
            b"\"project\"",
            b"\"error\"",
            b"null",
            b"1e999",
        ],
        fuzzkit::cases(DEFAULT_CASES),
        |bytes| {
            std::fs::write(&file, bytes).unwrap();
            match lines::read_existing(&file) {
                Ok(e) => {
                    resumed += 1;
                    assert!(e.reported.iter().all(|k| !e.failed.contains_key(k)));
                    assert!(e.torn_at.is_none_or(|at| at <= bytes.len() as u64));
                }
                Err(err) => {
                    let m = err.to_string();
                    assert!(
                        m.starts_with(&format!("{shown}:")) || m.contains(&shown),
                        "{m}"
                    );
                }
            }
            let mut acc = Accumulator::new(3);
            match lines::read_into(&file, &mut acc, true) {
                Ok(()) => {
                    summed += 1;
                    let a = acc.finish();
                    for r in std::iter::once(&a.overall).chain(&a.categories) {
                        assert!(
                            r.percentiles
                                .iter()
                                .chain(r.top.iter().map(|t| &t.score))
                                .all(|v| v.is_finite()),
                            "{r:?}"
                        );
                        assert_eq!(r.histogram.iter().sum::<usize>(), r.scored);
                    }
                    assert_eq!(a.overall.scored + a.overall.unscored, a.projects);
                    assert!(a.overall.top.len() <= 3 && a.overall.bottom.len() <= 3);
                }
                Err(err) => {
                    let m = err.to_string();
                    assert!(m.starts_with(&format!("{shown}:")), "{m}");
                }
            }
        },
    );
    assert!(resumed > 10 && summed > 10, "{resumed} {summed}");
}
