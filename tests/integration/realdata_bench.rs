//! Benchmark readers against real public results in `../shared/realdata`
//! (skipped with a message when absent). Expected values are computed here
//! from the files themselves, independently of the readers.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::DateTime;
use serde_json::Value;

use crate::common::Workspace;
use crate::realdata::realdata;

/// Reads JSON written by Python: its bare non-finite tokens become `null`
/// (these files hold them only outside strings).
fn python_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text
        .replace("-Infinity", "null")
        .replace("Infinity", "null")
        .replace("NaN", "null");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn collect(flag: &str, path: &Path) -> Value {
    let ws = Workspace::new();
    let p = path.display().to_string();
    ws.run(&["collect", flag, &p, "-o", "ev.json"]).ok();
    serde_json::from_str(&ws.read("ev.json")).unwrap()
}

fn all_series(ev: &Value) -> &Vec<Value> {
    ev["bench"]["series"].as_array().unwrap()
}

fn find<'a>(ev: &'a Value, benchmark: &str, params: &str, env: &str) -> &'a Value {
    all_series(ev)
        .iter()
        .find(|s| s["benchmark"] == benchmark && s["params"] == params && s["env"] == env)
        .unwrap_or_else(|| panic!("no series {benchmark} [{params}] ({env})"))
}

/// `(time in ms, value)` of a series' points.
fn points(s: &Value) -> Vec<(i64, f64)> {
    s["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let t = DateTime::parse_from_rfc3339(p["time"].as_str().unwrap()).unwrap();
            (t.timestamp_millis(), p["value"].as_f64().unwrap())
        })
        .collect()
}

/// Series key -> (time ms, value) points, in file-read order then sorted by time.
type Expected = BTreeMap<(String, String, String), Vec<(i64, f64)>>;

fn keep_usable(mut e: Expected) -> Expected {
    e.retain(|_, pts| pts.len() >= 2);
    for pts in e.values_mut() {
        pts.sort_by_key(|p| p.0);
    }
    e
}

/// Every `[file, ...]` of a machine folder of an ASV results folder, computed
/// plainly: format 1 and 2, params product with the last list fastest.
fn expected_results(dir: &Path) -> Expected {
    let mut e = Expected::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|d| d.unwrap().path())
        .filter(|p| p.is_dir())
        .flat_map(|m| std::fs::read_dir(m).unwrap().map(|d| d.unwrap().path()))
        .filter(|p| p.file_name().unwrap() != "machine.json")
        .collect();
    files.sort();
    for f in files {
        let v = python_json(&f);
        let date = v["date"].as_i64().unwrap();
        let env = v["env_name"].as_str().unwrap().to_string();
        for (name, entry) in v["results"].as_object().unwrap() {
            let (result, params) = if v["version"] == 2 {
                (entry[0].clone(), entry[1].clone())
            } else if entry.is_object() {
                (entry["result"].clone(), entry["params"].clone())
            } else {
                (entry.clone(), Value::Array(vec![]))
            };
            let lists: Vec<Vec<String>> = params
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|l| {
                            l.as_array()
                                .unwrap()
                                .iter()
                                .map(|x| x.as_str().unwrap().to_string())
                                .collect()
                        })
                        .collect()
                })
                .unwrap_or_default();
            let values: Vec<Option<f64>> = match &result {
                Value::Array(a) => a.iter().map(Value::as_f64).collect(),
                other => vec![other.as_f64()],
            };
            for (i, value) in values.into_iter().enumerate() {
                let Some(value) = value else { continue };
                // Decode index i over the product, last list fastest.
                let mut rest = i;
                let mut parts = vec![String::new(); lists.len()];
                for (j, l) in lists.iter().enumerate().rev() {
                    parts[j].clone_from(&l[rest % l.len()]);
                    rest /= l.len();
                }
                let label = parts
                    .iter()
                    .enumerate()
                    .map(|(j, p)| format!("param{}={p}", j + 1))
                    .collect::<Vec<_>>()
                    .join(", ");
                e.entry((name.clone(), label, env.clone()))
                    .or_default()
                    .push((date, value));
            }
        }
    }
    keep_usable(e)
}

fn compare(ev: &Value, expected: &Expected, named: &HashMap<String, Vec<String>>) {
    assert_eq!(all_series(ev).len(), expected.len());
    for ((name, label, env), pts) in expected {
        // Where benchmarks.json names the parameters, the reader uses the names.
        let label = match named.get(name) {
            Some(param_names) if !label.is_empty() => label
                .split(", ")
                .zip(param_names)
                .map(|(p, n)| format!("{n}={}", p.split_once('=').unwrap().1))
                .collect::<Vec<_>>()
                .join(", "),
            _ => label.clone(),
        };
        assert_eq!(
            &points(find(ev, name, &label, env)),
            pts,
            "{name} [{label}] ({env})"
        );
    }
}

fn param_names(benchmarks: &Path, ev_params: &Expected) -> HashMap<String, Vec<String>> {
    let b = python_json(benchmarks);
    let mut out = HashMap::new();
    for (name, _, _) in ev_params.keys() {
        if let Some(n) = b[name]["param_names"].as_array() {
            out.insert(
                name.clone(),
                n.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
            );
        }
    }
    out
}

/// conda's raw ASV results, format 2: every usable series, its points and dates.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn conda_asv_results_format_2() {
    let dir = realdata("asv/conda__conda-benchmarks/results");
    let expected = expected_results(&dir);
    assert_eq!(
        expected.len(),
        63,
        "series of two points or more in the data"
    );
    let ev = collect("--asv", &dir);
    compare(
        &ev,
        &expected,
        &param_names(&dir.join("benchmarks.json"), &expected),
    );
    // One series spelled out: 5 commits of the libmamba env, oldest first.
    let s = find(
        &ev,
        "time_create_numpy_mkl",
        "param1='classic'",
        "conda-py3.10-conda-libmamba-solver-conda-package-handling2.0.2",
    );
    assert_eq!(s["machine"], "Daniels-MBP.monotreme.club");
    assert_eq!(
        s["points"][0]["commit"],
        "2abc88b82e6888e16c4f15755235dea1b4ebbad4"
    );
    assert_eq!(s["points"][0]["time"], "2022-11-30T10:25:37Z");
    assert_eq!(s["points"].as_array().unwrap().len(), 5);
}

/// conda's older raw ASV results, format 1: 18 benchmarks over 4 commits.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn conda_asv_results_format_1() {
    let dir = realdata("asv/conda__conda-benchmarks/.asv/results");
    let expected = expected_results(&dir);
    assert_eq!(expected.len(), 18);
    assert!(expected.values().all(|p| p.len() == 4));
    let ev = collect("--asv", &dir);
    compare(&ev, &expected, &HashMap::new());
    let s = find(
        &ev,
        "peakmem_create_numpy_mkl",
        "",
        "conda-py3.6-chardet-conda-env-mock-pycosat-pytest-requests-ruamel_yaml",
    );
    assert_eq!(s["unit"], "bytes");
    assert_eq!(
        s["points"][0]["commit"],
        "d0399db929580685ed0790f64d55b60d4b10ed64"
    );
}

/// Every graph file under `graphs/` (summaries aside), with its env from the folder names.
fn graph_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() && p.file_name().unwrap() != "summary" {
            graph_files(&p, out);
        } else if p.is_file() && p.file_name().unwrap() != "summary.json" {
            out.push(p);
        }
    }
}

fn python_of(path: &Path) -> String {
    path.components()
        .filter_map(|c| c.as_os_str().to_str())
        .find(|c| c.starts_with("python-"))
        .unwrap()
        .to_string()
}

/// pandas' 2015 published graphs: x is a timestamp; commits from date_to_hash.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn pandas_published_graphs_with_timestamps() {
    let dir = realdata("asv/pandas-dev__pandas@gh-pages-41bd66a4");
    let mut files = Vec::new();
    graph_files(&dir.join("graphs"), &mut files);
    assert_eq!(files.len(), 30);
    let mut expected = Expected::new();
    for f in &files {
        let name = f.file_stem().unwrap().to_str().unwrap().to_string();
        let pts: Vec<(i64, f64)> = python_json(f)
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| Some((p[0].as_i64()?, p[1].as_f64()?)))
            .collect();
        expected.insert((name, String::new(), python_of(f)), pts);
    }
    let expected = keep_usable(expected);
    assert_eq!(expected.len(), 29, "time_sem has no result at all");
    let ev = collect("--asv", &dir);
    assert_eq!(all_series(&ev).len(), 29);
    for ((name, _, python), pts) in &expected {
        let s = find(&ev, name, "", &format!("branch-master {python}"));
        assert_eq!(&points(s), pts, "{name}");
        assert_eq!(s["machine"], "069-jreback.home");
    }
    let index = python_json(&dir.join("index.json"));
    let s = find(
        &ev,
        "groupby.groupby_ngroups_100.time_cummin",
        "",
        "branch-master python-2.7",
    );
    let first = points(s)[0].0.to_string();
    assert_eq!(s["points"][0]["commit"], index["date_to_hash"][&first]);
}

/// dask's published graphs: x is a revision dated through index.json; params lists expand.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn dask_published_graphs_with_revisions() {
    let dir = realdata("asv/dask__dask-benchmarks@gh-pages/results/dask");
    let index = python_json(&dir.join("index.json"));
    let mut files = Vec::new();
    graph_files(&dir.join("graphs"), &mut files);
    let mut expected = Expected::new();
    for f in &files {
        let name = f.file_stem().unwrap().to_str().unwrap().to_string();
        let b = &index["benchmarks"][&name];
        let labels: Vec<String> = b["params"].as_array().unwrap().first().map_or_else(
            || vec![String::new()],
            |l| {
                l.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| format!("param1={}", v.as_str().unwrap()))
                    .collect()
            },
        );
        for p in python_json(f).as_array().unwrap() {
            let rev = p[0].as_i64().unwrap().to_string();
            let Some(date) = index["revision_to_date"][&rev].as_i64() else {
                continue;
            };
            let values: Vec<Option<f64>> = match &p[1] {
                Value::Array(a) => a.iter().map(Value::as_f64).collect(),
                v => vec![v.as_f64()],
            };
            for (label, v) in labels.iter().zip(values) {
                if let Some(v) = v {
                    expected
                        .entry((name.clone(), label.clone(), python_of(f)))
                        .or_default()
                        .push((date, v));
                }
            }
        }
    }
    let expected = keep_usable(expected);
    let ev = collect("--asv", &dir);
    assert_eq!(all_series(&ev).len(), expected.len());
    assert!(
        expected.len() > 26,
        "parameterised graphs make several series"
    );
    for ((name, label, python), pts) in &expected {
        let s = find(&ev, name, label, &format!("branch-master {python}"));
        assert_eq!(&points(s), pts, "{name} [{label}]");
        assert_eq!(s["machine"], "aws-ec2-c4.xlarge");
    }
    let s = find(
        &ev,
        "array.FancyIndexing.time_fancy",
        "",
        "branch-master python-3.5",
    );
    let rev = "4255";
    assert_eq!(s["points"][0]["commit"], index["revision_to_hash"][rev]);
}

/// shogi_core's github-action-benchmark data.js: 5 cargo benches over 11 runs.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn shogi_core_data_js() {
    let file = realdata("bench-action/rust-shogi-crates__shogi_core@gh-pages/dev/bench/data.js");
    let text = std::fs::read_to_string(&file).unwrap();
    let json = &text[text.find('{').unwrap()..];
    let data: Value = serde_json::from_str(json.trim().trim_end_matches(';')).unwrap();
    let mut expected = Expected::new();
    for (suite, runs) in data["entries"].as_object().unwrap() {
        for run in runs.as_array().unwrap() {
            let t = DateTime::parse_from_rfc3339(run["commit"]["timestamp"].as_str().unwrap())
                .unwrap()
                .timestamp_millis();
            for b in run["benches"].as_array().unwrap() {
                expected
                    .entry((
                        b["name"].as_str().unwrap().to_string(),
                        String::new(),
                        suite.clone(),
                    ))
                    .or_default()
                    .push((t, b["value"].as_f64().unwrap()));
            }
        }
    }
    let expected = keep_usable(expected);
    assert_eq!(expected.len(), 5);
    let ev = collect("--bench-data", &file);
    assert_eq!(all_series(&ev).len(), 5);
    for ((name, _, suite), pts) in &expected {
        let s = find(&ev, name, "", suite);
        assert_eq!(&points(s), pts, "{name}");
        assert_eq!(pts.len(), 11);
        assert_eq!(
            s["direction"], "lower_is_better",
            "cargo is smaller-is-better"
        );
        assert_eq!(s["unit"], "ns/iter");
    }
}

/// dask's published folder seen through links, with `graphs/loop -> ..`
/// and `graphs/again -> ../graphs`: the same series as the folder itself,
/// each read once, and both loops named (before, one loop turned 38 series
/// into 51 and two never ended).
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn dask_published_graphs_behind_link_loops_are_read_once() {
    use std::os::unix::fs::symlink;
    let real = realdata("asv/dask__dask-benchmarks@gh-pages/results/dask");
    let ws = Workspace::new();
    let graphs = ws.path("html/graphs");
    std::fs::create_dir_all(&graphs).unwrap();
    symlink(real.join("index.json"), ws.path("html/index.json")).unwrap();
    for entry in std::fs::read_dir(real.join("graphs")).unwrap() {
        let entry = entry.unwrap();
        symlink(entry.path(), graphs.join(entry.file_name())).unwrap();
    }
    symlink("..", graphs.join("loop")).unwrap();
    symlink("../graphs", graphs.join("again")).unwrap();
    let direct = collect("--asv", &real);
    let run = ws.run(&["collect", "--asv", "html", "-o", "ev.json"]);
    let stderr = run.stderr.clone();
    run.ok();
    let looped: Value = serde_json::from_str(&ws.read("ev.json")).unwrap();
    let keys = |ev: &Value| -> Vec<String> {
        let mut k: Vec<String> = all_series(ev)
            .iter()
            .map(|s| {
                format!(
                    "{} [{}] {} {} {}",
                    s["benchmark"], s["params"], s["machine"], s["env"], s["points"]
                )
            })
            .collect();
        k.sort();
        k
    };
    assert_eq!(all_series(&direct).len(), 38);
    assert_eq!(keys(&looped), keys(&direct));
    for link in ["graphs/loop", "graphs/again"] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(link) && l.contains("a loop")),
            "{link}: {stderr}"
        );
    }
}
