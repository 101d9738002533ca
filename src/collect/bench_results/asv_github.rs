//! `--asv github:OWNER/REPO@REF[:PATH]`: an ASV results folder
//! (`benchmarks.json`, one folder per machine with `machine.json` and result
//! files) in a repository, read through the GitHub API: the tree of `REF`
//! (one request, `?recursive=1`), then each file's blob. pandas-dev/asv-runner
//! keeps its results so, on dated branches, in Git LFS: such a blob is a
//! pointer (`version https://git-lfs.github.com/spec/v1`, `oid sha256:...`,
//! `size N`), followed through the LFS batch API of the repository's web
//! host (`https://github.com/OWNER/REPO.git/info/lfs/objects/batch`) to its
//! content, which must have the pointer's size and sha256 or is refused.
//!
//! The token goes to the API host only (the client's own headers); the LFS
//! batch endpoint and the storage host it names are asked without it, so a
//! private repository's LFS objects cannot be read (said in the note).
//! Blobs and LFS objects are immutable: their content is kept in the cache
//! by blob id (a result file compacted to what the reader reads, without
//! asv's statistics), so a warm run asks only for the tree (a 304) and
//! downloads nothing. At most [`MAX_GITHUB_FILES`] result files are read per location.

use sha2::{Digest, Sha256};

use super::asv::{ResultFile, ResultsFolder, machine_named, read_results_from};
use super::{Input, MAX_FILE_BYTES, Skips, parse_json};
use crate::cache;
use crate::collect::github::Repo;
use crate::collect::github::client::Client;
use crate::collect::http::Http;

/// The most result files read from one `github:` location (in path order).
pub(crate) const MAX_GITHUB_FILES: usize = 200;

/// Blob and LFS requests in flight at once.
const CONCURRENCY: usize = 4;

/// Where `github:OWNER/REPO@REF[:PATH]` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GitHubLocation {
    pub repo: Repo,
    pub git_ref: String,
    /// The results folder in the repository (`""`: its root).
    pub path: String,
}

impl GitHubLocation {
    /// Parses `github:OWNER/REPO@REF[:PATH]`.
    ///
    /// # Errors
    /// What is missing or not allowed.
    pub(crate) fn parse(text: &str) -> Result<GitHubLocation, String> {
        let form = "github:OWNER/REPO@REF[:PATH]";
        let rest = text
            .strip_prefix("github:")
            .ok_or_else(|| format!("{text:?} is not {form}"))?;
        let (slug, at) = rest
            .split_once('@')
            .ok_or_else(|| format!("{text:?} names no REF: write {form}"))?;
        let (git_ref, path) = at.split_once(':').unwrap_or((at, ""));
        let (owner, name) = crate::target::parse_github(slug)
            .ok_or_else(|| format!("{text:?}: {slug:?} is not OWNER/REPO"))?;
        let ok_ref = !git_ref.is_empty()
            && git_ref
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
            && !git_ref.contains("..");
        if !ok_ref {
            return Err(format!(
                "{text:?}: {git_ref:?} is not a branch, tag or commit name"
            ));
        }
        let path = path.trim_matches('/');
        if path.split('/').any(|c| c == "..") || path.contains('\\') {
            return Err(format!("{text:?}: the path {path:?} leaves the repository"));
        }
        Ok(GitHubLocation {
            repo: Repo { owner, name },
            git_ref: git_ref.to_string(),
            path: path.to_string(),
        })
    }

    pub(crate) fn display(&self) -> String {
        let mut s = format!("github:{}@{}", self.repo.slug(), self.git_ref);
        if !self.path.is_empty() {
            s.push(':');
            s.push_str(&self.path);
        }
        s
    }
}

/// A Git LFS pointer: the object's sha256 (hex) and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LfsPointer {
    pub oid: String,
    pub size: u64,
}

/// Reads `text` as a Git LFS pointer: `None` when it is not one (it does
/// not start with the spec's `version` line), an error naming what is wrong
/// when it starts like one but is not valid.
///
/// # Errors
/// A pointer without a sha256 `oid` of 64 hex digits or a `size`.
#[must_use]
pub fn parse_lfs_pointer(text: &str) -> Option<Result<LfsPointer, String>> {
    const VERSION: &str = "version https://git-lfs.github.com/spec/v1";
    let first = text.lines().next()?;
    if first.trim_end() != VERSION || text.len() > 1024 {
        return None;
    }
    let mut oid = None;
    let mut size = None;
    for line in text.lines().skip(1) {
        match line.split_once(' ') {
            Some(("oid", v)) => oid = Some(v.trim()),
            Some(("size", v)) => size = Some(v.trim()),
            _ => {}
        }
    }
    Some((|| {
        let oid = oid.ok_or("an LFS pointer without an oid")?;
        let hex = oid
            .strip_prefix("sha256:")
            .filter(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()))
            .ok_or_else(|| {
                format!("an LFS pointer whose oid {oid:?} is not sha256:<64 hex digits>")
            })?;
        let size = size
            .ok_or("an LFS pointer without a size")?
            .parse::<u64>()
            .map_err(|_| "an LFS pointer whose size is not a whole number".to_string())?;
        Ok(LfsPointer {
            oid: hex.to_ascii_lowercase(),
            size,
        })
    })())
}

/// The LFS batch endpoint of `repo`, on the web host of the API at `api`.
fn batch_url(api: &str, repo: &Repo) -> String {
    let web = api
        .replace("://api.github.com", "://github.com")
        .replace("/api/v3", "");
    format!(
        "{}/{}.git/info/lfs/objects/batch",
        web.trim_end_matches('/'),
        repo.slug()
    )
}

/// What one file of the tree is.
struct Entry {
    path: String,
    sha: String,
}

/// Reads one `github:` location.
pub(crate) async fn read(client: &Client, http: &Http, loc: &GitHubLocation) -> Input {
    let location = loc.display();
    let tree_path = format!(
        "/repos/{}/git/trees/{}?recursive=1",
        loc.repo.slug(),
        loc.git_ref
    );
    let tree = match client.get(&tree_path).await {
        Ok(page) => page.body,
        Err(e) => return super::asv_site::failed(&location, &e.to_string()),
    };
    let mut skips = Skips::default();
    let mut notes = Vec::new();
    if tree["truncated"].as_bool() == Some(true) {
        skips.add(
            location.clone(),
            "GitHub truncated the tree listing (over 100,000 entries): files beyond it were not seen",
        );
    }
    let (benchmarks, machines, mut results) = sort_tree(&tree, &loc.path);
    if results.len() > MAX_GITHUB_FILES {
        skips.add(
            location.clone(),
            format!(
                "{} of its {} result files left out by the cap of {MAX_GITHUB_FILES} (read in path order)",
                results.len() - MAX_GITHUB_FILES,
                results.len()
            ),
        );
        results.truncate(MAX_GITHUB_FILES);
    }
    let wanted: Vec<&Entry> = benchmarks.iter().chain(&machines).chain(&results).collect();
    let batch = batch_url(client.base(), &loc.repo);
    let mut texts = std::collections::HashMap::new();
    for chunk in wanted.chunks(CONCURRENCY) {
        let got = crate::collect::github::client::futures_join_all(
            chunk
                .iter()
                .map(|e| content(client, http, &loc.repo, e, &batch)),
        )
        .await;
        for (e, t) in chunk.iter().zip(got) {
            texts.insert(e.path.clone(), t);
        }
    }
    notes.push(format!(
        "a results folder read through the GitHub API (tree {}, then blobs; LFS objects through {batch}, without the token); transfers: {}",
        loc.git_ref,
        http.stats.summary()
    ));
    let read_path = |p: &str| -> Result<serde_json::Value, String> {
        match texts.get(p) {
            Some(Ok(t)) => parse_json(t),
            Some(Err(e)) => Err(e.clone()),
            None => Err("not fetched".into()),
        }
    };
    let prefix = |p: &str| {
        format!(
            "{location}/{}",
            p.strip_prefix(&format!("{}/", loc.path)).unwrap_or(p)
        )
    };
    let files = results
        .iter()
        .map(|e| {
            let (dir, _) = e.path.rsplit_once('/').unwrap_or(("", &e.path));
            ResultFile {
                folder: dir.to_string(),
                machine_dir: dir.rsplit('/').next().unwrap_or(dir).to_string(),
                location: e.path.clone(),
            }
        })
        .collect();
    let mut input = read_results_from(ResultsFolder {
        location: location.clone(),
        benchmarks: benchmarks
            .first()
            .map(|e| (prefix(&e.path), read_path(&e.path))),
        files,
        machine_of: &|folder| machine_named(&read_path(&format!("{folder}/machine.json")).ok()?),
        read: &|f| read_path(&f.location).map_err(|e| format!("{}: {e}", prefix(&f.location))),
        skips,
        notes,
        unreached: 0,
        hint: String::new(),
    });
    input.provenance.requests = client.stats.sent.load(std::sync::atomic::Ordering::Relaxed)
        + http.stats.sent.load(std::sync::atomic::Ordering::Relaxed);
    input
}

/// `benchmarks.json`, the `machine.json` files and the result files under `path`.
fn sort_tree(tree: &serde_json::Value, path: &str) -> (Vec<Entry>, Vec<Entry>, Vec<Entry>) {
    let base = if path.is_empty() {
        String::new()
    } else {
        format!("{path}/")
    };
    let (mut benchmarks, mut machines, mut results) = (Vec::new(), Vec::new(), Vec::new());
    for item in tree["tree"].as_array().into_iter().flatten() {
        let (Some("blob"), Some(p), Some(sha)) = (
            item["type"].as_str(),
            item["path"].as_str(),
            item["sha"].as_str(),
        ) else {
            continue;
        };
        let Some(rel) = p.strip_prefix(&base) else {
            continue;
        };
        let e = Entry {
            path: p.to_string(),
            sha: sha.to_string(),
        };
        match rel.split('/').collect::<Vec<_>>().as_slice() {
            ["benchmarks.json"] => benchmarks.push(e),
            [_, "machine.json"] => machines.push(e),
            [_, f]
                if std::path::Path::new(f)
                    .extension()
                    .is_some_and(|x| x == "json") =>
            {
                results.push(e);
            }
            _ => {}
        }
    }
    results.sort_by(|a, b| super::natural_cmp(&a.path, &b.path));
    (benchmarks, machines, results)
}

/// A file's text: from the cache by blob id, else its blob (and, for an
/// LFS pointer, the object it points to, checked), then kept by blob id.
async fn content(
    client: &Client,
    http: &Http,
    repo: &Repo,
    e: &Entry,
    batch: &str,
) -> Result<String, String> {
    let key = cache::key(
        "BLOB-CONTENT",
        &format!(
            "{}/repos/{}/git/blobs/{}",
            client.base(),
            repo.slug(),
            e.sha
        ),
        "content",
    );
    if let Some(text) = http.remembered(&key) {
        return Ok(text);
    }
    let blob = client
        .get(&format!("/repos/{}/git/blobs/{}", repo.slug(), e.sha))
        .await
        .map_err(|err| err.to_string())?;
    let text = crate::collect::github::gh_pages::decode(&blob.body)?
        .ok_or_else(|| "the blob answer holds no text".to_string())?;
    let text = match parse_lfs_pointer(&text) {
        None => text,
        Some(pointer) => lfs_object(http, batch, &pointer?).await?,
    };
    // A result file is kept compact: only what the reader reads.
    let kept = parse_json(&text)
        .ok()
        .and_then(|v| super::asv::compact_result(&v))
        .map_or(text, |v| v.to_string());
    http.remember(&key, &kept);
    Ok(kept)
}

/// Downloads an LFS object through the batch API, without the token, and
/// checks its size and sha256 against the pointer.
async fn lfs_object(http: &Http, batch: &str, p: &LfsPointer) -> Result<String, String> {
    if p.size > MAX_FILE_BYTES {
        return Err(format!(
            "the LFS object sha256:{} is {} bytes, over the {} MiB a benchmark file may hold",
            p.oid,
            p.size,
            MAX_FILE_BYTES >> 20
        ));
    }
    let request = serde_json::json!({
        "operation": "download",
        "transfers": ["basic"],
        "objects": [{"oid": p.oid, "size": p.size}],
    });
    let answer = http
        .post_json(batch, "application/vnd.git-lfs+json", &request, 1 << 20)
        .await?;
    let object = &answer["objects"][0];
    if let Some(message) = object["error"]["message"].as_str() {
        return Err(format!(
            "the LFS server refused the object sha256:{} ({}): {message}",
            p.oid, object["error"]["code"]
        ));
    }
    let download = &object["actions"]["download"];
    let href = download["href"]
        .as_str()
        .ok_or_else(|| format!("{batch}: the answer gives no download for sha256:{}", p.oid))?;
    crate::collect::http::check_site_url(href)
        .map_err(|e| format!("{batch}: the LFS download address is refused: {e}"))?;
    let headers: Vec<(String, String)> = download["header"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect();
    let shown = crate::collect::git::strip_credentials(href.split('?').next().unwrap_or(href));
    let bytes = http
        .get_bytes(href, &headers, p.size)
        .await
        .map_err(|e| e.replace(href, &shown))?;
    let digest = Sha256::digest(&bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            s.push_str(&format!("{b:02x}"));
            s
        });
    if bytes.len() as u64 != p.size || digest != p.oid {
        return Err(format!(
            "the LFS object from {shown} is refused: it has {} bytes and sha256 {digest}, the pointer says {} bytes and sha256 {}",
            bytes.len(),
            p.size,
            p.oid
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| format!("the LFS object sha256:{} is not UTF-8 text", p.oid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_parsed_and_checked() {
        let l =
            GitHubLocation::parse("github:pandas-dev/asv-runner@2024-01:data/results/").unwrap();
        assert_eq!(l.repo.slug(), "pandas-dev/asv-runner");
        assert_eq!(l.git_ref, "2024-01");
        assert_eq!(l.path, "data/results");
        assert_eq!(
            l.display(),
            "github:pandas-dev/asv-runner@2024-01:data/results"
        );
        assert_eq!(GitHubLocation::parse("github:a/b@main").unwrap().path, "");
        for bad in [
            "github:a/b",
            "github:a@main",
            "github:a/b@:x",
            "github:a/b@main:../x",
            "github:a/b@a..b",
        ] {
            assert!(GitHubLocation::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lfs_pointers_are_read_and_checked() {
        let oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
        let text =
            format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 12345\n");
        assert_eq!(
            parse_lfs_pointer(&text),
            Some(Ok(LfsPointer {
                oid: oid.into(),
                size: 12345
            }))
        );
        assert_eq!(parse_lfs_pointer("{\"version\": 2}"), None);
        let e =
            parse_lfs_pointer("version https://git-lfs.github.com/spec/v1\noid md5:abc\nsize 1\n")
                .unwrap()
                .unwrap_err();
        assert!(e.contains("not sha256"), "{e}");
        let e = parse_lfs_pointer(&format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\n"
        ))
        .unwrap()
        .unwrap_err();
        assert!(e.contains("without a size"), "{e}");
    }

    #[test]
    fn the_batch_endpoint_is_on_the_web_host() {
        let r = Repo {
            owner: "pandas-dev".into(),
            name: "asv-runner".into(),
        };
        assert_eq!(
            batch_url("https://api.github.com", &r),
            "https://github.com/pandas-dev/asv-runner.git/info/lfs/objects/batch"
        );
        assert_eq!(
            batch_url("https://ghe.example.com/api/v3", &r),
            "https://ghe.example.com/pandas-dev/asv-runner.git/info/lfs/objects/batch"
        );
    }
}
