//! Benchmark results in a GitHub target's Actions artifacts, found by name
//! (`--bench-artifact`, `.readiness.toml`'s `bench_artifacts`): xarray's
//! `benchmarks-last-release.yml` uploads its asv results folder as
//! `asv-benchmark-results-Linux`; coiled/benchmarks' `tests.yml` uploads
//! the merged Coiled database as `benchmark` (`benchmark.db`).
//!
//! The artifacts are those of the newest default-branch runs: the listing
//! the test reports made (`--test-runs N`) is shared, so no run is listed
//! twice and this costs no listing of its own; `--test-runs 0` lists none,
//! and no benchmark artifact is looked for. Of each distinct name, the newest artifact is read:
//! from the cache, by its id, when it was read before (even expired), else
//! downloaded once ([`download`], bounded like the test reports' zips).
//! What the zip holds decides the reader: a results folder
//! (`benchmarks.json`, one folder per machine) goes through the asv reader,
//! a `.db` entry is unpacked, bounded, to a temporary file (deleted after)
//! for the Coiled reader; anything else is a note naming the artifact.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Repo;
use super::client::Client;
use super::download::{self, Limits};
use super::test_reports::{
    Artifact, Listing, Tally, TestReports, cache_url, list_problems, matches_any, pack, provenance,
    unpack,
};
use crate::collect::bench_results::asv::{
    ResultFile, ResultsFolder, machine_named, read_results_from,
};
use crate::collect::bench_results::{Input, MAX_FILE_BYTES, coiled, parse_json};
use crate::evidence::{BenchSeries, Provenance, WorkflowRun};

/// The artifact names read by default: xarray's asv results, Coiled's merged database.
pub const BENCH_ARTIFACTS: &[&str] = &["asv-benchmark-results*", "asv-results*", "benchmark"];
/// The provenance `source` of the search.
pub const SOURCE: &str = "github benchmark artifacts";
/// Cache kind of an artifact's parsed series (the version in it: a new layout, new keys).
const CACHED: &str = "ARTIFACT-BENCH-1";
/// Names of a zip's other files listed in a note, before the rest are counted.
const NAMED: usize = 5;

/// What the benchmark artifacts gave.
#[derive(Debug)]
pub(crate) struct BenchFound {
    pub series: Vec<BenchSeries>,
    /// Where they were looked for: listed, picked, read (for "looked in").
    pub summary: Provenance,
    /// One per reader input (an asv folder, a Coiled database, or a note).
    pub sources: Vec<Provenance>,
    pub warnings: Vec<String>,
}

/// An artifact's readings, as cached: the series (packed) and each input's
/// provenance and warnings, or why the zip was refused.
#[derive(Serialize, Deserialize, Default)]
struct Parsed {
    #[serde(default)]
    gz: String,
    #[serde(default)]
    provenance: Vec<Provenance>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    refused: Option<String>,
}

/// Reads the benchmark artifacts of `repo`'s newest runs; `listed` is the
/// test reports' listing when they made one.
pub(crate) async fn collect(
    client: &Client,
    repo: &Repo,
    listed: Option<Listing<'_>>,
    wanted: &TestReports,
) -> BenchFound {
    let mut found = BenchFound {
        series: Vec::new(),
        summary: provenance(
            SOURCE,
            format!(
                "{}/repos/{}/actions/runs/{{id}}/artifacts",
                client.base(),
                repo.slug()
            ),
            "benchmark series",
        ),
        sources: Vec::new(),
        warnings: Vec::new(),
    };
    let names = wanted.bench_artifacts.join(", ");
    if !client.authenticated() {
        found.summary.notes.push(format!(
            "not read: downloading GitHub Actions artifacts needs a token, even for a public repository; artifacts named {names} were not looked for"
        ));
        return found;
    }
    let Some(listed) = listed else {
        found.summary.notes.push(format!(
            "not read: --test-runs 0 lists no run's artifacts; artifacts named {names} were not looked for"
        ));
        return found;
    };
    let run_count = listed.runs;
    if let Some(note) = &listed.note {
        found.summary.notes.push(note.clone());
    }
    let listed = listed.artifacts;
    let sent = client.stats.sent.load(std::sync::atomic::Ordering::Relaxed);
    let mut tally = Tally::default();
    let newest = newest_by_name(&listed, wanted);
    let mut read = Vec::new();
    for candidates in newest.values() {
        match pick_and_read(client, repo, candidates, &wanted.limits).await {
            Ok(Some(r)) => read.push(r),
            Ok(None) => {}
            Err(why) => tally.problems.push(why),
        }
    }
    for (line, parsed) in read {
        absorb(&mut found, &line, parsed, &mut tally.problems);
    }
    found.summary.requests = client.stats.sent.load(std::sync::atomic::Ordering::Relaxed) - sent;
    found.summary.items = found.series.len() as u64;
    found.summary.notes.insert(
        0,
        format!(
            "{} artifacts of {run_count} runs: {} named {names}{}",
            listed.len(),
            newest.values().map(Vec::len).sum::<usize>(),
            looked_at(&found.sources)
        ),
    );
    list_problems(&mut found.summary, tally.problems);
    found
}

/// `; read: "asv-benchmark-results-Linux" (id 7 …)`: the artifacts read, for the summary.
fn looked_at(sources: &[Provenance]) -> String {
    let mut seen: Vec<&str> = sources
        .iter()
        .filter_map(|p| p.notes.first().map(String::as_str))
        .collect();
    seen.dedup();
    if seen.is_empty() {
        String::new()
    } else {
        format!("; read: {}", seen.join("; "))
    }
}

/// The matching artifacts by name, each name's newest first (by run time, then id).
fn newest_by_name<'a, 'r>(
    listed: &'a [Artifact<'r>],
    wanted: &TestReports,
) -> BTreeMap<String, Vec<&'a Artifact<'r>>> {
    let mut by_name: BTreeMap<String, Vec<&Artifact>> = BTreeMap::new();
    for a in listed
        .iter()
        .filter(|a| matches_any(&wanted.bench_artifacts, &a.name))
    {
        by_name.entry(a.name.clone()).or_default().push(a);
    }
    for v in by_name.values_mut() {
        v.sort_by_key(|a| std::cmp::Reverse((a.run.created_at, a.id)));
    }
    by_name
}

/// The artifact named in notes: `"NAME" (artifact ID of run RUN, DATE, commit SHA)`.
fn describe(a: &Artifact<'_>) -> String {
    format!(
        "{:?} (artifact {} of run {}, {}, commit {})",
        a.name,
        a.id,
        a.run.id,
        a.run.created_at.format("%Y-%m-%d"),
        a.run.head_sha.get(..7).unwrap_or(&a.run.head_sha)
    )
}

/// The newest artifact of one name that can be read: from the cache (even
/// expired), else downloaded when not expired and under the size cap.
/// `Ok(None)`: none could be; `Err`: the one tried failed.
async fn pick_and_read(
    client: &Client,
    repo: &Repo,
    candidates: &[&Artifact<'_>],
    limits: &Limits,
) -> Result<Option<(String, Parsed)>, String> {
    for a in candidates {
        let key = cache_url(client, repo, a.id);
        if let Some(p) = client
            .recall(CACHED, &key)
            .and_then(|body| serde_json::from_str::<Parsed>(&body).ok())
        {
            return Ok(Some((format!("{}, read from the cache", describe(a)), p)));
        }
        if a.expired || a.size > limits.download {
            continue;
        }
        if client.offline() {
            return Err(format!(
                "incomplete: artifact {}: not in the cache, and --offline forbids fetching it",
                describe(a)
            ));
        }
        let http = download::http_client(client.settings().timeout)?;
        let path = format!("/repos/{}/actions/artifacts/{}/zip", repo.slug(), a.id);
        let bytes = download::zip(client, &http, &path, limits.download)
            .await
            .map_err(|why| format!("incomplete: artifact {}: {why}", describe(a)))?;
        let parsed = read_zip(&bytes, limits, &key);
        if let Ok(body) = serde_json::to_string(&parsed) {
            client.remember(CACHED, &key, body);
        }
        return Ok(Some((format!("{}, downloaded", describe(a)), parsed)));
    }
    let (expired, big) = candidates.iter().fold((0, 0), |(e, b), a| {
        (e + usize::from(a.expired), b + usize::from(!a.expired))
    });
    if let Some(a) = candidates.first() {
        return Err(format!(
            "not read: the artifacts named {:?}: {expired} expired before readiness read them, {big} over the size cap",
            a.name
        ));
    }
    Ok(None)
}

/// Adds one artifact's readings to `found`, each provenance saying first which artifact.
fn absorb(found: &mut BenchFound, line: &str, parsed: Parsed, problems: &mut Vec<String>) {
    if let Some(why) = parsed.refused {
        problems.push(format!("incomplete: artifact {line}: {why}"));
        return;
    }
    let Some(series) = unpack::<Vec<BenchSeries>>(&parsed.gz) else {
        problems.push(format!(
            "incomplete: artifact {line}: its cached result cannot be read"
        ));
        return;
    };
    found.series.extend(series);
    for mut p in parsed.provenance {
        p.notes.insert(0, format!("artifact {line}"));
        found.sources.push(p);
    }
    found.warnings.extend(parsed.warnings);
}

/// What a zip's entries gave before the readers: the JSON texts, the
/// databases (unpacked to temporary files), the other files' names.
#[derive(Default)]
struct Entries {
    json: HashMap<String, Result<String, String>>,
    databases: Vec<(String, Result<TempFile, String>)>,
    other: Vec<String>,
}

/// Reads a downloaded zip: an asv results folder, Coiled databases, or a note.
fn read_zip(bytes: &[u8], limits: &Limits, location: &str) -> Parsed {
    let mut entries = Entries::default();
    let read = download::read_zip_where(bytes, limits, &|_| true, |name, input| {
        let ext = std::path::Path::new(name)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        if ext.as_deref() == Some("json") {
            entries.json.insert(name.to_string(), read_text(input));
        } else if matches!(ext.as_deref(), Some("db" | "sqlite")) {
            entries
                .databases
                .push((name.to_string(), unpack_to_temp(input)));
        } else {
            entries.other.push(name.to_string());
        }
    });
    if let Err(why) = read {
        return Parsed {
            refused: Some(why),
            ..Parsed::default()
        };
    }
    let mut inputs: Vec<Input> = Vec::new();
    if let Some(root) = asv_root(&entries.json) {
        inputs.push(read_asv(&entries.json, &root, location));
    }
    for (name, file) in &entries.databases {
        let at = format!("{location}/{name}");
        match file {
            Ok(tmp) => inputs.push(coiled::read_as(&tmp.0, &at)),
            Err(why) => inputs.push(note(&at, format!("skipped {at}: {why}"))),
        }
    }
    if inputs.is_empty() {
        let mut names: Vec<&String> = entries.json.keys().chain(&entries.other).collect();
        names.sort();
        let n = names.len();
        let listed: Vec<String> = names.iter().take(NAMED).map(|s| format!("{s:?}")).collect();
        let more = if n > NAMED {
            format!(" and {} more", n - NAMED)
        } else {
            String::new()
        };
        inputs.push(note(
            location,
            format!(
                "neither an asv results folder (benchmarks.json, one folder per machine) nor a Coiled database (.db): {n} files, {}{more}",
                listed.join(", ")
            ),
        ));
    }
    let mut out = Parsed::default();
    let mut series = Vec::new();
    for input in inputs {
        series.extend(input.series);
        out.provenance.push(input.provenance);
        out.warnings.extend(input.warnings);
    }
    out.gz = pack(&series);
    out
}

/// A provenance holding only a note (nothing read), for the report.
fn note(location: &str, text: String) -> Input {
    let mut p = provenance("benchmark artifact", location.to_string(), "series");
    p.complete = false;
    p.notes.push(text.clone());
    Input {
        series: Vec::new(),
        provenance: p,
        warnings: vec![text],
    }
}

/// An entry's text, at most [`MAX_FILE_BYTES`].
fn read_text(input: &mut dyn std::io::BufRead) -> Result<String, String> {
    let mut bytes = Vec::new();
    input
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "larger than {} MiB, the most a benchmark file may hold",
            MAX_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| format!("not UTF-8 text ({e})"))
}

/// The folder of a results folder inside the zip (`""` for its root): where
/// the shallowest `benchmarks.json` is, else above the first `machine.json`.
fn asv_root(json: &HashMap<String, Result<String, String>>) -> Option<String> {
    let parent = |p: &str| {
        p.rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string())
    };
    let mut bj: Vec<&String> = json
        .keys()
        .filter(|k| *k == "benchmarks.json" || k.ends_with("/benchmarks.json"))
        .collect();
    bj.sort_by_key(|k| (k.matches('/').count(), k.as_str()));
    if let Some(k) = bj.first() {
        return Some(parent(k));
    }
    let mut machines: Vec<&String> = json
        .keys()
        .filter(|k| k.ends_with("/machine.json"))
        .collect();
    machines.sort();
    machines.first().map(|k| parent(&parent(k)))
}

/// Reads the results folder at `root` in the zip through the asv reader.
fn read_asv(json: &HashMap<String, Result<String, String>>, root: &str, location: &str) -> Input {
    let base = if root.is_empty() {
        String::new()
    } else {
        format!("{root}/")
    };
    let at = |p: &str| format!("{location}/{p}");
    let mut files: Vec<ResultFile> = json
        .keys()
        .filter_map(|k| {
            let rel = k.strip_prefix(&base)?;
            let (machine, file) = rel.split_once('/')?;
            (!file.contains('/') && file != "machine.json").then(|| ResultFile {
                folder: format!("{base}{machine}"),
                machine_dir: machine.to_string(),
                location: k.clone(),
            })
        })
        .collect();
    files.sort_by(|a, b| crate::collect::bench_results::natural_cmp(&a.location, &b.location));
    let read_path = |p: &str| -> Result<serde_json::Value, String> {
        match json.get(p) {
            Some(Ok(t)) => parse_json(t),
            Some(Err(e)) => Err(e.clone()),
            None => Err("not in the zip".into()),
        }
    };
    let bj = format!("{base}benchmarks.json");
    read_results_from(ResultsFolder {
        location: location.to_string(),
        benchmarks: json.contains_key(&bj).then(|| (at(&bj), read_path(&bj))),
        files,
        machine_of: &|folder| machine_named(&read_path(&format!("{folder}/machine.json")).ok()?),
        read: &|f| read_path(&f.location).map_err(|e| format!("{}: {e}", at(&f.location))),
        skips: crate::collect::bench_results::Skips::default(),
        notes: vec!["an asv results folder in an Actions artifact".into()],
        unreached: 0,
        hint: String::new(),
    })
}

/// A temporary file, deleted when dropped.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Copies an entry (bounded by the zip's limits, which the reader enforces)
/// to a new temporary file.
fn unpack_to_temp(input: &mut dyn std::io::BufRead) -> Result<TempFile, String> {
    let dir = std::env::temp_dir();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    for attempt in 0..100u32 {
        let path = dir.join(format!(
            "readiness-artifact-{}-{stamp}-{attempt}.db",
            std::process::id()
        ));
        let mut file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot write a temporary file: {e}")),
        };
        let tmp = TempFile(path);
        std::io::copy(input, &mut file).map_err(|e| format!("cannot unpack it: {e}"))?;
        return Ok(tmp);
    }
    Err("cannot create a temporary file".into())
}

/// `github-artifact:OWNER/REPO:NAME` (`--asv`, `--coiled-db`): the newest
/// unexpired artifact of that name in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedArtifact {
    pub repo: Repo,
    pub name: String,
}

/// The prefix of a [`NamedArtifact`] location.
pub const PREFIX: &str = "github-artifact:";

impl NamedArtifact {
    /// Parses `github-artifact:OWNER/REPO:NAME`.
    ///
    /// # Errors
    /// Not that shape: the reason, naming the text.
    pub fn parse(text: &str) -> Result<NamedArtifact, String> {
        let bad = || format!("{text:?}: expected {PREFIX}OWNER/REPO:NAME");
        let rest = text.strip_prefix(PREFIX).ok_or_else(bad)?;
        let (slug, name) = rest.split_once(':').ok_or_else(bad)?;
        let (owner, repo) = slug.split_once('/').ok_or_else(bad)?;
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if !plain(owner) || !plain(repo) || name.is_empty() {
            return Err(bad());
        }
        Ok(NamedArtifact {
            repo: Repo {
                owner: owner.into(),
                name: repo.into(),
            },
            name: name.into(),
        })
    }

    /// The location as given.
    #[must_use]
    pub fn display(&self) -> String {
        format!("{PREFIX}{}:{}", self.repo.slug(), self.name)
    }
}

/// Reads the newest artifact named `loc.name` (one listing request, then as
/// [`collect`]: cached by id, one download ever), its readings in order.
pub(crate) async fn read_named(client: &Client, loc: &NamedArtifact) -> Vec<Input> {
    let location = loc.display();
    let failed = |why: String| vec![note(&location, format!("not read: {why}"))];
    if !client.authenticated() {
        return failed(
            "downloading GitHub Actions artifacts needs a token, even for a public repository"
                .into(),
        );
    }
    let path = format!(
        "/repos/{}/actions/artifacts?name={}&per_page=100",
        loc.repo.slug(),
        super::actions::encode(&loc.name)
    );
    let body = match client.get(&path).await {
        Ok(page) => page.body,
        Err(e) => return failed(e.to_string()),
    };
    let runs: Vec<(serde_json::Value, WorkflowRun)> = body["artifacts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["name"].as_str() == Some(loc.name.as_str()))
        .filter_map(|a| Some((a.clone(), stub_run(a)?)))
        .collect();
    let mut candidates: Vec<Artifact<'_>> = runs
        .iter()
        .filter_map(|(a, run)| {
            Some(Artifact {
                id: a["id"].as_u64()?,
                name: loc.name.clone(),
                size: a["size_in_bytes"].as_u64().unwrap_or(0),
                expired: a["expired"].as_bool().unwrap_or(false),
                run,
            })
        })
        .collect();
    candidates.sort_by_key(|a| std::cmp::Reverse((a.run.created_at, a.id)));
    let refs: Vec<&Artifact<'_>> = candidates.iter().collect();
    let read = pick_and_read(client, &loc.repo, &refs, &Limits::default()).await;
    let (line, parsed) = match read {
        Ok(Some(r)) => r,
        Ok(None) => return failed(format!("no artifact named {:?}", loc.name)),
        Err(why) => return failed(why),
    };
    let mut found = BenchFound {
        series: Vec::new(),
        summary: provenance(SOURCE, location.clone(), "series"),
        sources: Vec::new(),
        warnings: Vec::new(),
    };
    let mut problems = Vec::new();
    absorb(&mut found, &line, parsed, &mut problems);
    if !problems.is_empty() {
        return failed(problems.join("; "));
    }
    let mut inputs: Vec<Input> = found
        .sources
        .into_iter()
        .map(|provenance| Input {
            series: Vec::new(),
            provenance,
            warnings: Vec::new(),
        })
        .collect();
    if let Some(first) = inputs.first_mut() {
        first.series = found.series;
        first.warnings = found.warnings;
    }
    inputs
}

/// The run an artifact of the repository-wide listing came from, as far as
/// the listing says (its `workflow_run`, the artifact's creation time).
fn stub_run(a: &serde_json::Value) -> Option<WorkflowRun> {
    let created = a["created_at"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())?
        .with_timezone(&chrono::Utc);
    let run = &a["workflow_run"];
    Some(WorkflowRun {
        id: run["id"].as_u64().unwrap_or(0),
        workflow: String::new(),
        workflow_id: 0,
        head_sha: run["head_sha"].as_str().unwrap_or_default().to_string(),
        head_branch: run["head_branch"].as_str().map(str::to_string),
        event: String::new(),
        status: "completed".into(),
        conclusion: None,
        run_attempt: 1,
        created_at: created,
        run_started_at: None,
        updated_at: created,
        url: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        for (name, data) in files {
            w.start_file(*name, opts).unwrap();
            w.write_all(data.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn artifact_locations_parse() {
        let a = NamedArtifact::parse("github-artifact:coiled/benchmarks:benchmark").unwrap();
        assert_eq!(
            (a.repo.slug(), a.name.as_str()),
            ("coiled/benchmarks".into(), "benchmark")
        );
        assert_eq!(a.display(), "github-artifact:coiled/benchmarks:benchmark");
        for bad in [
            "github-artifact:acme",
            "github-artifact:a/b:",
            "github-artifact:a b/c:d",
            "x",
        ] {
            assert!(NamedArtifact::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn results_folders_are_found_at_any_depth() {
        let json = |keys: &[&str]| -> HashMap<String, Result<String, String>> {
            keys.iter()
                .map(|k| ((*k).to_string(), Ok(String::new())))
                .collect()
        };
        assert_eq!(
            asv_root(&json(&["benchmarks.json", "box/machine.json"])).as_deref(),
            Some("")
        );
        assert_eq!(
            asv_root(&json(&["a/b/benchmarks.json", "a/benchmarks.json"])).as_deref(),
            Some("a")
        );
        assert_eq!(
            asv_root(&json(&["results/box/machine.json"])).as_deref(),
            Some("results")
        );
        assert_eq!(asv_root(&json(&["package.json"])), None);
    }

    #[test]
    fn other_content_is_a_note_naming_the_files() {
        let z = zip_of(&[("a.txt", "x"), ("b.json", "{}")]);
        let parsed = read_zip(&z, &Limits::default(), "ART");
        assert_eq!(parsed.provenance.len(), 1);
        let note = &parsed.provenance[0].notes[0];
        assert!(note.ends_with("2 files, \"a.txt\", \"b.json\""), "{note}");
        assert_eq!(unpack::<Vec<BenchSeries>>(&parsed.gz), Some(Vec::new()));
        let refused = read_zip(b"not a zip", &Limits::default(), "ART");
        assert!(refused.refused.unwrap().starts_with("not a readable zip"));
    }

    #[test]
    fn a_database_entry_that_is_not_sqlite_is_named_and_its_file_removed() {
        let z = zip_of(&[("benchmark.db", "not sqlite")]);
        let parsed = read_zip(&z, &Limits::default(), "ART");
        let p = &parsed.provenance[0];
        assert_eq!(p.source, "coiled");
        assert!(
            p.notes
                .iter()
                .any(|n| n.contains("ART/benchmark.db") && n.contains("not an SQLite database")),
            "{p:?}"
        );
        let tmp = unpack_to_temp(&mut "abc".as_bytes()).unwrap();
        let path = tmp.0.clone();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "abc");
        drop(tmp);
        assert!(!path.exists(), "the temporary file is deleted after");
    }
}
