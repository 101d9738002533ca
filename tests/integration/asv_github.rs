//! `--asv github:OWNER/REPO@REF[:PATH]`: a repository tree whose result
//! files are Git LFS pointers, served by a fake API, with the LFS objects on
//! a second loopback host. The series equal those read from the same files
//! in a folder; the token never reaches the LFS host; a warm run downloads
//! nothing; an object whose sha256 differs from its pointer is refused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::Workspace;
use crate::github::SECRET;

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            s.push_str(&format!("{b:02x}"));
            s
        })
}

/// A result file of format 2, as asv writes it (`NaN` bare, as Python's json does).
fn result_file(commit: &str, day: u64, values: &str) -> String {
    let date = 1_770_000_000_000_u64 + day * 86_400_000;
    format!(
        r#"{{"version": 2, "commit_hash": "{commit}", "env_name": "py3.12", "params": {{"machine": "box"}}, "date": {date},
  "result_columns": ["result", "params"], "results": {{"io.time_read": [{values}, [["'x'", "'y'"]]]}}}}"#
    )
}

/// The results folder the fixture serves: path under `data/results` and text.
pub(crate) fn files() -> Vec<(String, String)> {
    let files: Vec<(&str, String)> = vec![
        (
            "benchmarks.json",
            json!({"io.time_read": {"type": "time", "unit": "seconds", "params": [["'x'", "'y'"]], "param_names": ["fmt"]}, "version": 2}).to_string(),
        ),
        ("box/machine.json", json!({"machine": "box", "version": 1}).to_string()),
        ("box/c1-py3.12.json", result_file("c1", 0, "[1.0, 2.0]")),
        ("box/c2-py3.12.json", result_file("c2", 1, "[1.5, 2.5]")),
        ("box/c3-py3.12.json", result_file("c3", 2, "[1.2, NaN]")),
    ];
    files.into_iter().map(|(p, t)| (p.to_string(), t)).collect()
}

/// Result files (not `benchmarks.json`, not `machine.json`) are kept in LFS.
fn in_lfs(rel: &str) -> bool {
    rel.contains('/') && !rel.ends_with("/machine.json")
}

/// Result files are stored in LFS: their blobs are pointers.
fn pointer(text: &str) -> String {
    format!(
        "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize {}\n",
        sha256(text.as_bytes()),
        text.len()
    )
}

struct Fake {
    rt: tokio::runtime::Runtime,
    api: MockServer,
    lfs: MockServer,
}

/// The API (tree, blobs, the LFS batch endpoint on the same loopback host,
/// as github.com serves both) and the LFS storage host; `objects` is what
/// the storage host serves for each oid.
fn fake(files: Vec<(String, String)>, objects: HashMap<String, Vec<u8>>) -> Fake {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (api, lfs) = rt.block_on(async {
        let api = MockServer::start().await;
        let lfs = MockServer::start().await;
        let mut tree = Vec::new();
        for (i, (rel, text)) in files.into_iter().enumerate() {
            let stored = if in_lfs(&rel) { pointer(&text) } else { text };
            let sha = format!("b{i:039}");
            tree.push(json!({"path": format!("data/results/{rel}"), "mode": "100644", "type": "blob", "sha": sha}));
            let content = base64::engine::general_purpose::STANDARD.encode(stored.as_bytes());
            Mock::given(method("GET"))
                .and(path(format!("/repos/acme/bench/git/blobs/{sha}")))
                .respond_with(
                    ResponseTemplate::new(200)
                        .insert_header("etag", format!("\"{sha}\"").as_str())
                        .set_body_json(json!({"sha": sha, "encoding": "base64", "content": content})),
                )
                .mount(&api)
                .await;
        }
        tree.push(json!({"path": "data/results/box", "mode": "040000", "type": "tree", "sha": "t1"}));
        tree.push(json!({"path": "README.md", "mode": "100644", "type": "blob", "sha": "r1"}));
        Mock::given(method("GET"))
            .and(path("/repos/acme/bench/git/trees/2024-01"))
            .and(wiremock::matchers::header("if-none-match", "\"tree1\""))
            .respond_with(ResponseTemplate::new(304))
            .with_priority(1)
            .mount(&api)
            .await;
        Mock::given(method("GET"))
            .and(path("/repos/acme/bench/git/trees/2024-01"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("etag", "\"tree1\"")
                    .set_body_json(json!({"sha": "t0", "tree": tree, "truncated": false})),
            )
            .mount(&api)
            .await;
        let storage = lfs.uri();
        Mock::given(method("POST"))
            .and(path("/acme/bench.git/info/lfs/objects/batch"))
            .respond_with(move |r: &Request| {
                let body: Value = serde_json::from_slice(&r.body).unwrap();
                let o = &body["objects"][0];
                let oid = o["oid"].as_str().unwrap();
                ResponseTemplate::new(200).set_body_json(json!({"transfer": "basic", "objects": [
                    {"oid": oid, "size": o["size"], "actions": {"download": {"href": format!("{storage}/objects/{oid}?sig=abc")}}}]}))
            })
            .mount(&api)
            .await;
        let objects = Arc::new(Mutex::new(objects));
        Mock::given(method("GET"))
            .and(path_regex("^/objects/[0-9a-f]{64}$"))
            .respond_with(move |r: &Request| {
                let oid = r.url.path().rsplit('/').next().unwrap().to_string();
                match objects.lock().unwrap().get(&oid) {
                    Some(bytes) => ResponseTemplate::new(200).set_body_bytes(bytes.clone()),
                    None => ResponseTemplate::new(404),
                }
            })
            .mount(&lfs)
            .await;
        (api, lfs)
    });
    Fake { rt, api, lfs }
}

fn honest_objects(files: &[(String, String)]) -> HashMap<String, Vec<u8>> {
    files
        .iter()
        .filter(|&(rel, _)| in_lfs(rel))
        .cloned()
        .map(|(_, text)| (sha256(text.as_bytes()), text.into_bytes()))
        .collect()
}

fn series_without_location(ev: &Value) -> Vec<Value> {
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
    out.sort_by_key(|s| format!("{} {}", s["benchmark"], s["params"]));
    out
}

fn collect(ws: &Workspace, fake: &Fake) -> (Value, String) {
    let api = fake.api.uri();
    let run = ws.run(&[
        "collect",
        "--asv",
        "github:acme/bench@2024-01:data/results",
        "--api-url",
        api.as_str(),
        "--token",
        SECRET,
        "--cache-dir",
        "cache",
        "-o",
        "ev.json",
    ]);
    let stderr = run.stderr.clone();
    assert_ne!(run.code, -1);
    (serde_json::from_str(&ws.read("ev.json")).unwrap(), stderr)
}

fn requests(fake: &Fake, server: &MockServer) -> Vec<Request> {
    fake.rt.block_on(server.received_requests()).unwrap()
}

#[test]
fn lfs_results_in_a_repository_are_read_checked_and_cached() {
    let fake = fake(files(), honest_objects(&files()));
    let ws = Workspace::new();
    for (rel, text) in files() {
        let p = ws.path(&format!("folder/{rel}"));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    ws.run(&[
        "collect",
        "--asv",
        "folder",
        "--no-cache",
        "-o",
        "folder.json",
    ])
    .ok();
    let folder: Value = serde_json::from_str(&ws.read("folder.json")).unwrap();
    let (cold, _) = collect(&ws, &fake);
    assert_eq!(
        series_without_location(&cold),
        series_without_location(&folder)
    );
    let s = series_without_location(&cold);
    assert_eq!(
        s.len(),
        2,
        "fmt='x' (3 points) and fmt='y' (2: NaN left out)"
    );
    let x: Vec<f64> = s[0]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect();
    assert_eq!(x, vec![1.0, 1.5, 1.2]);
    let prov = cold["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["source"] == "asv")
        .unwrap();
    assert_eq!(prov["location"], "github:acme/bench@2024-01:data/results");
    assert_eq!(prov["complete"], true, "{prov}");
    assert_eq!(
        prov["requests"], 12,
        "the tree, 5 blobs, and a batch request and a download per LFS object"
    );

    // The token went to the API host and nowhere else.
    let lfs_cold = requests(&fake, &fake.lfs);
    assert_eq!(lfs_cold.len(), 3, "one download per LFS object");
    for r in &lfs_cold {
        assert!(!r.headers.contains_key("authorization"), "{r:?}");
        assert!(!format!("{r:?}").contains(SECRET));
    }
    let api_cold = requests(&fake, &fake.api);
    for r in &api_cold {
        let batch = r.url.path().ends_with("/objects/batch");
        assert_eq!(r.headers.contains_key("authorization"), !batch, "{}", r.url);
    }

    // Warm: the tree revalidated (304), no blob, no batch, no LFS download.
    let (warm, _) = collect(&ws, &fake);
    assert_eq!(series_without_location(&warm), s);
    let prov = warm["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["source"] == "asv")
        .unwrap();
    assert_eq!(prov["requests"], 1, "{prov}");
    assert!(
        prov["notes"].to_string().contains("0 requests (0 answered 304 Not Modified), 5 answered from the cache without a request, 0 bytes downloaded"),
        "{prov}"
    );
    let api_warm = &requests(&fake, &fake.api)[api_cold.len()..];
    assert_eq!(
        api_warm.len(),
        1,
        "{:?}",
        api_warm.iter().map(|r| r.url.path()).collect::<Vec<_>>()
    );
    assert!(api_warm[0].headers.contains_key("if-none-match"));
    assert_eq!(requests(&fake, &fake.lfs).len(), lfs_cold.len());
    let db = std::fs::read(ws.path("cache/cache.sqlite3")).unwrap();
    assert!(!db.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()));
}

#[test]
fn an_lfs_object_that_is_not_what_its_pointer_says_is_refused() {
    let mut objects = honest_objects(&files());
    let (_, text) = &files()[3];
    let oid = sha256(text.as_bytes());
    let mut forged = text.clone().into_bytes();
    forged[text.find("1.5").unwrap()] = b'9';
    objects.insert(oid.clone(), forged);
    let fake = fake(files(), objects);
    let ws = Workspace::new();
    let (ev, stderr) = collect(&ws, &fake);
    assert!(
        stderr.contains("is refused: it has")
            && stderr.contains(&format!(
                "the pointer says {} bytes and sha256 {oid}",
                text.len()
            )),
        "{stderr}"
    );
    let prov = ev["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["source"] == "asv")
        .unwrap();
    assert_eq!(prov["complete"], false, "{prov}");
    let points: usize = ev["bench"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["points"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        points, 2,
        "fmt='x' of c1 and c3 only (fmt='y' keeps one point and is left out): nothing of the forged c2"
    );
}

#[test]
fn github_locations_are_checked_before_anything_is_read() {
    let ws = Workspace::new();
    let err = ws
        .run(&["collect", "--asv", "github:acme/bench@main:../secrets"])
        .fails(2);
    assert!(err.contains("leaves the repository"), "{err}");
    let err = ws.run(&["collect", "--asv", "github:acme/bench"]).fails(2);
    assert!(err.contains("names no REF"), "{err}");
}

/// conda's real ASV results (format 2), served as a repository whose
/// result files are in LFS: the series equal those read from the folder.
#[test]
#[cfg_attr(not(realdata), ignore = "needs ../shared/realdata")]
fn conda_real_results_through_a_repository_equal_the_folder() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/realdata/asv/conda__conda-benchmarks/results");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            for f in std::fs::read_dir(&p).unwrap() {
                let f = f.unwrap().path();
                let rel = f.strip_prefix(&dir).unwrap().display().to_string();
                files.push((rel, std::fs::read_to_string(&f).unwrap()));
            }
        } else {
            let rel = p.strip_prefix(&dir).unwrap().display().to_string();
            files.push((rel, std::fs::read_to_string(&p).unwrap()));
        }
    }
    assert_eq!(files.len(), 8);
    let objects = honest_objects(&files);
    assert_eq!(objects.len(), 6, "the result files");
    let fake = fake(files, objects);
    let ws = Workspace::new();
    let d = dir.display().to_string();
    ws.run(&["collect", "--asv", &d, "--no-cache", "-o", "folder.json"])
        .ok();
    let folder: Value = serde_json::from_str(&ws.read("folder.json")).unwrap();
    let (repo, _) = collect(&ws, &fake);
    assert!(!series_without_location(&folder).is_empty());
    assert_eq!(
        series_without_location(&repo),
        series_without_location(&folder)
    );
}
