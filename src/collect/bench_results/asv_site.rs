//! `--asv https://...`: an `asv publish` site read over HTTPS, the way its
//! own web page reads it. `index.json` names the benchmarks and the
//! machine/environment combinations (`graph_param_list`, or in older asv
//! the product of `params`); each graph lives at
//! `graphs/<k-v parts, sorted>/<benchmark>.json`, with a `null` value
//! written `k-null` and an empty one `k` (asv's `graph_to_path`, older asv
//! writing both as `k`), each part with the characters asv keeps out of file
//! names made `_`. `regressions.json` names the graphs where asv found a
//! regression, by path.
//!
//! A site can hold thousands of graphs (pandas'), so what is read is bounded:
//! the graphs `regressions.json` names first, then the others in benchmark
//! name order, [`MAX_SITE_GRAPHS`] in all. What the cap leaves out is said in
//! the provenance notes; the input is marked incomplete when the cap cut the
//! regression graphs themselves, or `regressions.json` could not be read
//! (the regression count would then rest on an unknown share). A
//! combination the site does not hold answers 404: not a file, nothing lost.
//! The parsing is the folder reader's ([`super::asv::read_published_files`]).

use serde_json::{Map, Value};

use super::asv::{GraphFile, PublishedSite, read_published_files};
use super::{Input, MAX_FILE_BYTES, Skips, parse_json};
use crate::collect::http::{Got, Http};
use crate::evidence::Provenance;

/// The most graph files read from one site. pandas' site holds about a
/// thousand benchmarks; 200 graphs cost 200 requests cold and revalidate
/// with 200 conditional requests (304s) warm.
pub(crate) const MAX_SITE_GRAPHS: usize = 200;

/// Graph requests in flight at once.
const CONCURRENCY: usize = 8;

/// The most machine/environment combinations taken from an older index's
/// `params` product (a real one has a handful).
const MAX_STATES: usize = 1_000;

/// Reads the site at `base` (no trailing `/`), at most `cap` graphs.
pub(crate) async fn read_site(http: &Http, base: &str, cap: usize) -> Input {
    let index_url = format!("{base}/index.json");
    let index = match http.get_text(&index_url, MAX_FILE_BYTES).await {
        Ok(Got::Text(t)) => match parse_json(&t) {
            Ok(v) => v,
            Err(why) => return failed(base, &format!("{index_url}: {why}")),
        },
        Ok(Got::NotFound) => {
            return failed(
                base,
                &format!("{index_url}: not found (404): not an asv publish site"),
            );
        }
        Err(why) => return failed(base, &why),
    };
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    let regressions_url = format!("{base}/regressions.json");
    // Without the site's own list of regressions, a cut leaves the count
    // of regressions resting on a sample.
    let mut regressions_read = false;
    let fetched = match http.get_text(&regressions_url, MAX_FILE_BYTES).await {
        Ok(Got::Text(t)) => parse_json(&t).map(Some),
        Ok(Got::NotFound) => Ok(None),
        Err(why) => Err(why),
    };
    let named = match fetched {
        Ok(Some(v)) => {
            regressions_read = true;
            regression_paths(&v)
        }
        Ok(None) => {
            notes.push("no regressions.json on the site".into());
            Vec::new()
        }
        Err(why) => {
            let line = format!("--asv {base}: regressions.json not read: {why}");
            warnings.push(line.clone());
            notes.push(line);
            Vec::new()
        }
    };
    let plan = plan(&index, &named, cap);
    notes.push(plan.note(cap));
    if plan.left_out > 0 && (!regressions_read || plan.regressions_cut) {
        warnings.push(format!(
            "--asv {base}: {}; the benchmark signals of this site are not measured",
            plan.note(cap)
        ));
    }
    let fetched = fetch_graphs(http, base, &plan.paths).await;
    let mut skips = Skips::default();
    let mut files = Vec::new();
    let mut absent = 0usize;
    for (path, got) in plan.paths.iter().zip(fetched) {
        let url = format!("{base}/{}", encode_path(path));
        match got {
            Ok(Got::Text(t)) => files.push(graph_file(path, url, parse_json(&t))),
            Ok(Got::NotFound) => absent += 1,
            Err(why) => skips.add(url, why),
        }
    }
    if absent > 0 {
        notes.push(format!(
            "{absent} graph files the index implies are not on the site (404): machine and environment combinations without that benchmark"
        ));
    }
    notes.push(format!("HTTP: {}", http.stats.summary()));
    if plan.left_out > 0 && (!regressions_read || plan.regressions_cut) {
        skips.add(
            base.to_string(),
            format!("{} graph files left out by the cap", plan.left_out),
        );
    }
    let site = PublishedSite {
        location: base.to_string(),
        index: Some((index_url, Ok(index))),
        skips,
        notes,
        warnings,
    };
    let mut input = read_published_files(site, files.into_iter());
    input.provenance.requests = http.stats.sent.load(std::sync::atomic::Ordering::Relaxed);
    input
}

/// A site that could not be read at all.
pub(super) fn failed(base: &str, why: &str) -> Input {
    Input {
        series: Vec::new(),
        provenance: Provenance {
            source: "asv".into(),
            location: base.to_string(),
            items: 0,
            item: "series".into(),
            requests: 0,
            complete: false,
            notes: vec![why.to_string()],
            fetched_at: None,
        },
        warnings: vec![format!("--asv {base}: {why}")],
    }
}

/// Fetches `paths` under `base`, [`CONCURRENCY`] at a time, in order.
async fn fetch_graphs(http: &Http, base: &str, paths: &[String]) -> Vec<Result<Got, String>> {
    let mut out = Vec::with_capacity(paths.len());
    for chunk in paths.chunks(CONCURRENCY) {
        let batch = chunk.iter().map(|p| {
            let url = format!("{base}/{}", encode_path(p));
            async move { http.get_text(&url, MAX_FILE_BYTES).await }
        });
        out.extend(crate::collect::github::client::futures_join_all(batch).await);
    }
    out
}

/// A fetched graph as the folder reader's [`GraphFile`]; `path` is `graphs/.../NAME.json`.
fn graph_file(path: &str, url: String, value: Result<Value, String>) -> GraphFile {
    let mut parts: Vec<String> = path.split('/').map(str::to_string).collect();
    let file = parts.pop().unwrap_or_default();
    let components = parts.into_iter().skip(1).collect();
    GraphFile {
        components,
        name: file.strip_suffix(".json").unwrap_or(&file).to_string(),
        location: url,
        value,
    }
}

/// Which graphs to read.
#[derive(Debug, PartialEq)]
struct Plan {
    /// Relative paths (`graphs/.../NAME.json`), regression graphs first.
    paths: Vec<String>,
    /// How many of `paths` `regressions.json` named.
    from_regressions: usize,
    /// Graph paths the index and regressions.json name in all.
    total: usize,
    left_out: usize,
    /// The cap left out graphs `regressions.json` names.
    regressions_cut: bool,
}

impl Plan {
    fn note(&self, cap: usize) -> String {
        let mut note = format!(
            "read {} of the {} graph files the site's index.json and regressions.json name ({} named by regressions.json first, then in benchmark name order)",
            self.paths.len(),
            self.total,
            self.from_regressions
        );
        if self.left_out > 0 {
            note.push_str(&format!(
                "; {} left out by the cap of {cap} graph files a site may cost",
                self.left_out
            ));
            if self.regressions_cut {
                note.push_str(", some of them named by regressions.json");
            }
        }
        note
    }
}

/// The graph paths `regressions.json` names (`{"regressions": [[name, path, ...], ...]}`), each once.
fn regression_paths(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in v
        .get("regressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(p) = r.get(1).and_then(Value::as_str)
            && safe_path(p)
            && !out.iter().any(|o| o == p)
        {
            out.push(p.to_string());
        }
    }
    out
}

/// A relative path under `graphs/` ending in `.json`, without `..` or empty parts.
fn safe_path(p: &str) -> bool {
    p.starts_with("graphs/")
        && std::path::Path::new(p)
            .extension()
            .is_some_and(|e| e == "json")
        && p.split('/').all(|c| !c.is_empty() && c != "..")
}

/// The graphs to read: `named` first, then the index's in name order, `cap` in all.
fn plan(index: &Value, named: &[String], cap: usize) -> Plan {
    let (benchmarks, states) = index_graphs(index);
    let mut paths: Vec<String> = named.iter().take(cap).cloned().collect();
    let regressions_cut = named.len() > cap;
    let from_regressions = paths.len();
    let mut extra_named = named.len();
    let mut index_total = 0usize;
    for b in &benchmarks {
        for s in &states {
            index_total += 1;
            let p = graph_path(b, s);
            if named.contains(&p) {
                extra_named = extra_named.saturating_sub(1);
                continue;
            }
            if paths.len() < cap {
                paths.push(p);
            }
        }
    }
    let total = index_total + extra_named;
    Plan {
        left_out: total.saturating_sub(paths.len()),
        paths,
        from_regressions,
        total,
        regressions_cut,
    }
}

/// The benchmark names of an index, sorted, and its combinations as folder parts.
fn index_graphs(index: &Value) -> (Vec<String>, Vec<Vec<String>>) {
    let mut benchmarks: Vec<String> = index
        .get("benchmarks")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    benchmarks.sort();
    let states = match index.get("graph_param_list").and_then(Value::as_array) {
        Some(list) => list
            .iter()
            .filter_map(Value::as_object)
            .take(MAX_STATES)
            .map(|s| state_parts(s, true))
            .collect(),
        None => params_product(index.get("params").and_then(Value::as_object)),
    };
    (benchmarks, states)
}

/// The folder parts of one combination, sorted; `null_word` writes a
/// `null` value `k-null` (newer asv) rather than `k`.
fn state_parts(state: &Map<String, Value>, null_word: bool) -> Vec<String> {
    let mut parts: Vec<String> = state
        .iter()
        .map(|(k, v)| match v {
            Value::Null if null_word => format!("{k}-null"),
            Value::Null => k.clone(),
            Value::String(s) if s.is_empty() => k.clone(),
            Value::String(s) => format!("{k}-{s}"),
            other => format!("{k}-{other}"),
        })
        .map(|p| sanitize(&p))
        .collect();
    parts.sort();
    parts
}

/// Older asv: every combination of the `params` lists (at most [`MAX_STATES`]).
fn params_product(params: Option<&Map<String, Value>>) -> Vec<Vec<String>> {
    let mut states: Vec<Map<String, Value>> = vec![Map::new()];
    for (k, values) in params.into_iter().flatten() {
        let values = values.as_array().cloned().unwrap_or_default();
        let mut next = Vec::new();
        for s in &states {
            for v in &values {
                if next.len() < MAX_STATES {
                    let mut s = s.clone();
                    s.insert(k.clone(), v.clone());
                    next.push(s);
                }
            }
        }
        states = next;
    }
    states.iter().map(|s| state_parts(s, false)).collect()
}

/// `graphs/<parts>/<benchmark>.json`.
fn graph_path(benchmark: &str, parts: &[String]) -> String {
    let mut path = String::from("graphs/");
    for p in parts {
        path.push_str(p);
        path.push('/');
    }
    path.push_str(&sanitize(benchmark));
    path.push_str(".json");
    path
}

/// asv's file-name sanitising: `<>:"/\^|?*` and control characters made
/// `_`, and a reserved Windows device name given a trailing `_`.
fn sanitize(name: &str) -> String {
    const RESERVED: &[&str] = &[
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
        "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];
    let mut out: String = name
        .chars()
        .map(|c| {
            if "<>:\"/\\^|?*".contains(c) || c < '\u{20}' {
                '_'
            } else {
                c
            }
        })
        .collect();
    if RESERVED.contains(&out.to_ascii_uppercase().as_str()) {
        out.push('_');
    }
    out
}

/// Percent-encodes each part of a relative path (everything but unreserved characters).
fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|part| {
            let mut out = String::with_capacity(part.len());
            for b in part.bytes() {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    out.push(char::from(b));
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Value {
        serde_json::json!({
            "benchmarks": {"b.time_x": {}, "a.time_y": {}, "c.mem_z": {}},
            "graph_param_list": [
                {"machine": "m", "python": "3.12", "numpy": "", "dep": null},
                {"machine": "m", "python": "3.11", "numpy": "", "dep": null}
            ]
        })
    }

    #[test]
    fn paths_follow_asv_graph_to_path() {
        let (b, s) = index_graphs(&index());
        assert_eq!(b, vec!["a.time_y", "b.time_x", "c.mem_z"]);
        assert_eq!(
            graph_path(&b[0], &s[0]),
            "graphs/dep-null/machine-m/numpy/python-3.12/a.time_y.json"
        );
        let old = serde_json::json!({"benchmarks": {"x": {}}, "params": {"python": ["2.7", "3.4"], "Cython": [null], "os": ["Linux 3.1"]}});
        let (b, s) = index_graphs(&old);
        assert_eq!(s.len(), 2);
        assert_eq!(
            graph_path(&b[0], &s[0]),
            "graphs/Cython/os-Linux 3.1/python-2.7/x.json"
        );
        assert_eq!(
            sanitize("cpu-Intel(R) @ 2/3 \"x\""),
            "cpu-Intel(R) @ 2_3 _x_"
        );
        assert_eq!(sanitize("con"), "con_");
        assert_eq!(
            encode_path("graphs/os-Linux 3.1/a(b).json"),
            "graphs/os-Linux%203.1/a%28b%29.json"
        );
    }

    #[test]
    fn the_plan_reads_regressions_first_then_name_order_up_to_the_cap() {
        let named = vec![
            "graphs/dep-null/machine-m/numpy/python-3.11/c.mem_z.json".to_string(),
            "graphs/other/gone.json".to_string(),
        ];
        let p = plan(&index(), &named, 4);
        assert_eq!(p.paths[..2], named[..]);
        assert_eq!(
            p.paths[2],
            "graphs/dep-null/machine-m/numpy/python-3.12/a.time_y.json"
        );
        assert_eq!(p.paths.len(), 4);
        assert_eq!(
            p.total, 7,
            "6 from the index, one more named by regressions.json"
        );
        assert_eq!(p.left_out, 3);
        assert!(!p.regressions_cut);
        let note = p.note(4);
        assert!(note.contains("read 4 of the 7 graph files"), "{note}");
        assert!(note.contains("3 left out by the cap of 4"), "{note}");
        let p = plan(&index(), &named, 1);
        assert!(p.regressions_cut);
        assert_eq!(p.paths.len(), 1);
        let all = plan(&index(), &named, 100);
        assert_eq!((all.paths.len(), all.left_out), (7, 0));
    }

    #[test]
    fn regression_paths_outside_graphs_are_ignored() {
        let v = serde_json::json!({"regressions": [
            ["a", "graphs/x/a.json", {}, null, 1, 2, []],
            ["a", "graphs/x/a.json", {}, 0, 1, 2, []],
            ["b", "graphs/../../etc/passwd.json"],
            ["c", "/graphs/c.json"],
            ["d", 5]
        ]});
        assert_eq!(regression_paths(&v), vec!["graphs/x/a.json"]);
        assert!(regression_paths(&serde_json::json!([1])).is_empty());
    }
}
