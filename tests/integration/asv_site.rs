//! `--asv https://...`: an `asv publish` site served from loopback. The
//! series read over HTTP equal those read from the same folder; the cap on
//! graph files and its note; ETag revalidation (a warm run downloads
//! nothing); the token never reaches the site.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common::Workspace;
use crate::github::SECRET;

/// Serves the files of a folder, each with an ETag (its length and a
/// checksum); `If-None-Match` with that tag gets a 304.
pub(crate) struct FolderSite {
    pub root: PathBuf,
    /// The URL path the folder is served under (`/site`).
    pub prefix: String,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn etag_of(body: &[u8]) -> String {
    let sum = body
        .iter()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(*b)));
    format!("\"{}-{sum:x}\"", body.len())
}

impl Respond for FolderSite {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let path = percent_decode(request.url.path());
        let Some(rel) = path.strip_prefix(&format!("{}/", self.prefix)) else {
            return ResponseTemplate::new(404);
        };
        let file = self.root.join(rel);
        let Ok(body) = std::fs::read(&file) else {
            return ResponseTemplate::new(404);
        };
        let tag = etag_of(&body);
        let asked = request
            .headers
            .get("if-none-match")
            .and_then(|v| v.to_str().ok());
        if asked == Some(tag.as_str()) {
            return ResponseTemplate::new(304).insert_header("etag", tag.as_str());
        }
        ResponseTemplate::new(200)
            .insert_header("etag", tag.as_str())
            .set_body_bytes(body)
    }
}

/// A runtime and a server serving `root` under `/site`.
pub(crate) fn serve(root: &Path) -> (tokio::runtime::Runtime, MockServer) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(async {
        let s = MockServer::start().await;
        Mock::given(wiremock::matchers::method("GET"))
            .respond_with(FolderSite {
                root: root.to_path_buf(),
                prefix: "/site".into(),
            })
            .mount(&s)
            .await;
        s
    });
    (rt, server)
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const STATE_312: &str = "graphs/dep-null/machine-box/numpy/python-3.12";

/// A small site in the layout asv publish writes: two benchmarks on one
/// machine and environment (one with parameters), revisions dated through
/// index.json, and a regressions.json naming one graph.
fn small_site(root: &Path) {
    write(
        root,
        "index.json",
        &json!({
            "benchmarks": {
                "io.time_read": {"type": "time", "unit": "seconds", "params": [["'x'", "'y'"]], "param_names": ["fmt"]},
                "io.peakmem_load": {"type": "peakmemory", "unit": "bytes", "params": [], "param_names": []}
            },
            "graph_param_list": [
                {"machine": "box", "python": "3.12", "numpy": "", "dep": null},
                {"machine": "box", "python": "3.11", "numpy": "", "dep": null}
            ],
            "params": {"machine": ["box"], "python": ["3.12", "3.11"], "numpy": [""], "dep": [null]},
            "revision_to_date": {"1": 1_700_000_000_000_i64, "2": 1_700_086_400_000_i64, "3": 1_700_172_800_000_i64},
            "revision_to_hash": {"1": "aaa", "2": "bbb", "3": "ccc"}
        })
        .to_string(),
    );
    write(
        root,
        &format!("{STATE_312}/io.time_read.json"),
        "[[1, [1.0, 10.0]], [2, [1.5, NaN]], [3, [2.0, 12.0]]]",
    );
    write(
        root,
        &format!("{STATE_312}/io.peakmem_load.json"),
        "[[1, 100], [2, 101], [3, null]]",
    );
    write(
        root,
        "regressions.json",
        &json!({"regressions": [["io.time_read", format!("{STATE_312}/io.time_read.json"), {"fmt": "'x'"}, 0, 2.0, 1.0, [[1, 3, 1.0, 2.0]]]]}).to_string(),
    );
}

fn collect(ws: &Workspace, asv: &str, extra: &[&str]) -> (Value, String) {
    let mut args = vec!["collect", "--asv", asv, "-o", "ev.json"];
    args.extend_from_slice(extra);
    let run = ws.run(&args);
    let stderr = run.stderr.clone();
    run.ok();
    (serde_json::from_str(&ws.read("ev.json")).unwrap(), stderr)
}

/// The series without their location (a path or a URL), in a fixed order.
fn series(ev: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = ev["bench"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s.as_object_mut().unwrap().remove("location");
            s
        })
        .collect();
    out.sort_by_key(|s| {
        format!(
            "{} {} {} {}",
            s["benchmark"], s["params"], s["machine"], s["env"]
        )
    });
    out
}

fn asv_source(ev: &Value) -> &Value {
    ev["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "asv")
        .unwrap()
}

#[test]
fn a_site_over_http_reads_what_its_folder_holds_and_revalidates_warm() {
    let ws = Workspace::new();
    let root = ws.path("site");
    small_site(&root);
    let (_rt, server) = serve(&root);
    let url = format!("{}/site", server.uri());
    let (from_folder, _) = collect(&ws, root.to_str().unwrap(), &["--no-cache"]);
    let (cold, _) = collect(&ws, &url, &["--token", SECRET]);
    assert_eq!(series(&cold), series(&from_folder));
    // The numbers the fixture was built from: NaN and null left out.
    let s = series(&cold);
    assert_eq!(s.len(), 3, "{s:?}");
    let x = s.iter().find(|s| s["params"] == "fmt='x'").unwrap();
    let values: Vec<f64> = x["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values, vec![1.0, 1.5, 2.0]);
    assert_eq!(x["points"][1]["commit"], "bbb");
    assert_eq!(x["env"], "dep-null python-3.12");
    assert_eq!(x["machine"], "box");
    let y = s.iter().find(|s| s["params"] == "fmt='y'").unwrap();
    assert_eq!(y["points"].as_array().unwrap().len(), 2);
    let prov = asv_source(&cold);
    assert_eq!(prov["complete"], true, "{prov}");
    assert_eq!(prov["location"], url.as_str());
    let notes = prov["notes"].to_string();
    assert!(
        notes.contains("read 4 of the 4 graph files")
            && notes.contains("1 named by regressions.json"),
        "{notes}"
    );
    assert!(
        notes.contains("2 graph files the index implies are not on the site (404)"),
        "{notes}"
    );
    // index, regressions, 4 graphs.
    assert!(notes.contains("6 requests (0 answered 304"), "{notes}");

    // Warm: every file revalidated with its ETag, nothing downloaded; the
    // absent graphs are not asked again.
    let before = server_requests(&server).len();
    let (warm, _) = collect(&ws, &url, &["--token", SECRET]);
    assert_eq!(series(&warm), series(&cold));
    let requests = server_requests(&server);
    let warm_requests = &requests[before..];
    assert_eq!(
        warm_requests.len(),
        4,
        "index, regressions and the 2 graphs"
    );
    assert!(
        warm_requests
            .iter()
            .all(|r| r.headers.contains_key("if-none-match"))
    );
    let notes = asv_source(&warm)["notes"].to_string();
    assert!(notes.contains("4 requests (4 answered 304 Not Modified), 2 answered from the cache without a request, 0 bytes downloaded"), "{notes}");
    // The token was given, and never sent to the site.
    for r in &requests {
        assert!(!r.headers.contains_key("authorization"), "{r:?}");
        assert!(!format!("{r:?}").contains(SECRET));
    }
}

fn server_requests(server: &MockServer) -> Vec<Request> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(server.received_requests()).unwrap_or_default()
}

/// A site with more graphs than the cap: regressions.json's graph is read
/// first, the rest in name order up to the cap, and the note says how many
/// were left out. Without regressions.json the cut makes the input
/// incomplete, and the benchmark signals are not measured.
#[test]
fn the_cap_bounds_what_a_site_costs_and_says_what_it_left_out() {
    let ws = Workspace::new();
    let root = ws.path("site");
    let n = 205;
    let mut benchmarks = serde_json::Map::new();
    for i in 0..n {
        let name = format!("b{i:03}.time_x");
        benchmarks.insert(
            name.clone(),
            json!({"type": "time", "unit": "seconds", "params": [], "param_names": []}),
        );
        write(
            &root,
            &format!("graphs/machine-m/{name}.json"),
            "[[1, 1.0], [2, 1.01]]",
        );
    }
    write(
        &root,
        "index.json",
        &json!({"benchmarks": benchmarks, "graph_param_list": [{"machine": "m"}],
                "revision_to_date": {"1": 1_700_000_000_000_i64, "2": 1_700_086_400_000_i64}})
        .to_string(),
    );
    write(
        &root,
        "regressions.json",
        &json!({"regressions": [["b204.time_x", "graphs/machine-m/b204.time_x.json", {}, null, 1.01, 1.0, []]]}).to_string(),
    );
    let (_rt, server) = serve(&root);
    let url = format!("{}/site", server.uri());
    let (ev, stderr) = collect(&ws, &url, &["--no-cache"]);
    let names: Vec<&str> = ev["bench"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["benchmark"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 200);
    assert!(
        names.contains(&"b204.time_x"),
        "the regression's graph is read"
    );
    assert!(names.contains(&"b198.time_x") && !names.contains(&"b199.time_x"));
    let prov = asv_source(&ev);
    assert_eq!(prov["complete"], true, "{prov}");
    let notes = prov["notes"].to_string();
    assert!(
        notes.contains("read 200 of the 205 graph files")
            && notes.contains("5 left out by the cap of 200"),
        "{notes}"
    );
    assert!(!stderr.contains("not measured"), "{stderr}");

    std::fs::remove_file(root.join("regressions.json")).unwrap();
    let (ev, stderr) = collect(&ws, &url, &["--no-cache"]);
    let prov = asv_source(&ev);
    assert_eq!(prov["complete"], false, "{prov}");
    assert!(stderr.contains("5 left out by the cap of 200"), "{stderr}");
    assert!(prov["notes"].to_string().contains("no regressions.json"));
}

#[test]
fn a_site_without_index_json_or_with_credentials_is_refused_clearly() {
    let ws = Workspace::new();
    let root = ws.path("empty");
    std::fs::create_dir_all(&root).unwrap();
    let (_rt, server) = serve(&root);
    let url = format!("{}/site", server.uri());
    let err = ws
        .run(&["collect", "--asv", &url, "-o", "ev.json"])
        .fails(2);
    assert!(
        err.contains(&format!(
            "{url}/index.json: not found (404): not an asv publish site"
        )),
        "{err}"
    );
    let err = ws
        .run(&["collect", "--asv", "https://me:hunter2@example.com/site"])
        .fails(2);
    assert!(err.contains("--asv") && !err.contains("hunter2"), "{err}");
    let err = ws
        .run(&["collect", "--asv", "http://example.com/site"])
        .fails(2);
    assert!(err.contains("not an https:// URL"), "{err}");
}

/// dask's real published site (2016-17), served from loopback: the series
/// equal those read from the folder.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn dask_real_site_over_http_equals_the_folder() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/realdata/asv/dask__dask-benchmarks@gh-pages/results/dask");
    let ws = Workspace::new();
    let (_rt, server) = serve(&dir);
    let url = format!("{}/site", server.uri());
    let (from_folder, _) = collect(&ws, dir.to_str().unwrap(), &["--no-cache"]);
    let (from_site, _) = collect(&ws, &url, &["--no-cache"]);
    assert!(!series(&from_folder).is_empty());
    assert_eq!(series(&from_site), series(&from_folder));
    assert_eq!(asv_source(&from_site)["complete"], true);
}
