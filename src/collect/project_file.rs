//! `.readiness.toml`: where a project says its evidence is. Its maintainers
//! commit it once at the root of the repository; it is read from the clone,
//! or through the contents API for an `OWNER/REPO` target. Its keys are
//! those of a `[[project]]` entry of a projects file (`name`, `github`,
//! `clone`, `tag_prefix`, `tag_pattern`, `junit`, the benchmark inputs of
//! `bench_results::INPUTS`: `asv`, `bench_data`, `criterion`,
//! `pytest_benchmark`, `coiled_db`), and `test_artifacts`, `check_name`,
//! `bench_artifacts`.
//!
//! The file is written by the project being judged, so:
//! - it is parsed strictly: an unknown key or a wrong type is an error that
//!   names the file, the line and the key, with the nearest valid key;
//! - a command-line option wins over the file's setting of the same thing;
//! - every setting it gave is listed in the report (its provenance notes);
//! - it can only point at places to read: the token is sent to the API
//!   host alone (an `asv` site is read without it), and for a GitHub target
//!   it can name no local path (only URLs); in a clone, paths are relative
//!   to the clone and stay inside it (no absolute path, no `..`).
//!
//! `name`, `github` and `clone` name a project in a projects file; in the
//! repository's own file they say nothing new, and are listed as not used.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Request;
use super::github::Repo;
use crate::collect::bench_results::is_remote_location;
use crate::collect::github::test_reports::TestReports;
use crate::collect::{InputKind, Inputs, Remote, Takes, input, inputs};
use crate::diag::{RubricError, RubricErrors};
use crate::evidence::Provenance;
use crate::tomlspan::{from_toml_error, locate, read_as_with, take_lists};

/// The file's name, at the repository root.
pub const FILE_NAME: &str = ".readiness.toml";

/// The most a project file may hold: a real one is a few lines.
const MAX_BYTES: usize = 64 << 10;

/// The settings of a project, as a `[[project]]` entry or `.readiness.toml` writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectSettings {
    pub name: Option<String>,
    pub github: Option<String>,
    pub clone: Option<String>,
    pub tag_prefix: Option<String>,
    pub tag_pattern: Option<String>,
    /// The files named as evidence, as written (keys `junit`, `asv`,
    /// `bench_data`...: every input of `collect::inputs`).
    pub inputs: Inputs,
    /// Name patterns of the Actions artifacts that hold test reports (JUnit XML).
    pub test_artifacts: Vec<String>,
    /// The check run that carries test-result digests (EnricoMi/publish-unit-test-result-action).
    pub check_name: Option<String>,
    /// Name patterns of the Actions artifacts that hold benchmark results.
    pub bench_artifacts: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: Option<String>,
    github: Option<String>,
    clone: Option<String>,
    tag_prefix: Option<String>,
    tag_pattern: Option<Spanned<String>>,
    #[serde(default)]
    test_artifacts: Vec<String>,
    check_name: Option<String>,
    #[serde(default)]
    bench_artifacts: Vec<String>,
}

/// Parses a project file; `file` names it in the errors.
///
/// # Errors
/// Every syntax error, else the first unknown key or wrong type, else every
/// bad value (a tag pattern that is not a regular expression, an `asv`
/// URL that is not https, a path that leaves the repository), each located.
pub fn parse(text: &str, file: &str) -> Result<ProjectSettings, RubricErrors> {
    let fail = |problems| RubricErrors {
        kind: "project file",
        file: file.to_string(),
        problems,
    };
    let (root, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        return Err(fail(
            syntax.iter().map(|e| from_toml_error(text, e)).collect(),
        ));
    }
    let mut table = Spanned::new(root.span(), DeValue::Table(root.into_inner()));
    let keys: Vec<&str> = inputs().map(|k| k.key).collect();
    let mut problems = Vec::new();
    let lists = take_lists(text, &mut table, |k| keys.contains(&k), &mut problems);
    if !problems.is_empty() {
        return Err(fail(problems));
    }
    let raw: Raw = read_as_with(text, table, &keys).map_err(|e| fail(vec![e]))?;
    let mut problem = |span: std::ops::Range<usize>, key: &str, message: String| {
        let (line, column, snippet) = locate(text, &span);
        problems.push(RubricError {
            line,
            column,
            key: Some(key.to_string()),
            message,
            help: None,
            snippet,
        });
    };
    if let Some(p) = &raw.tag_pattern
        && let Err(e) = regex::Regex::new(p.get_ref())
    {
        problem(
            p.span(),
            "tag_pattern",
            format!("not a regular expression: {e}"),
        );
    }
    let mut files = Inputs::default();
    for (key, list) in &lists {
        let Some(kind) = input(key) else { continue };
        for p in list {
            if let Err(e) = check_entry(kind, p.get_ref()) {
                problem(p.span(), key, e);
            }
        }
        (kind.add)(
            &mut files,
            list.iter().map(|p| p.get_ref().clone()).collect(),
        );
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.line, p.column));
        return Err(fail(problems));
    }
    Ok(ProjectSettings {
        name: raw.name,
        github: raw.github,
        clone: raw.clone,
        tag_prefix: raw.tag_prefix,
        tag_pattern: raw.tag_pattern.map(Spanned::into_inner),
        inputs: files,
        test_artifacts: raw.test_artifacts,
        check_name: raw.check_name,
        bench_artifacts: raw.bench_artifacts,
    })
}

/// The error for a remote location under a key that does not take it.
fn not_here(key: &str, entry: &str) -> String {
    let remote: Vec<String> = inputs()
        .filter(|k| k.remote != Remote::No)
        .map(|k| format!("`{}`", k.key))
        .collect();
    format!(
        "{entry:?}: `{key}` names paths inside the repository here (remote locations: {})",
        remote.join(" and ")
    )
}

/// One entry of a benchmark input: a remote location it takes, checked,
/// or a path inside the repository.
fn check_entry(kind: &InputKind, entry: &str) -> Result<(), String> {
    if kind.is_remote(entry) {
        kind.check_remote(entry)
    } else if is_remote_location(entry) {
        Err(not_here(kind.key, entry))
    } else {
        inside(entry)
    }
}

/// A path relative to the repository that stays inside it.
fn inside(p: &str) -> Result<(), String> {
    let path = Path::new(p);
    if p.is_empty() {
        return Err("an empty path".into());
    }
    if path.is_absolute() || p.starts_with('~') {
        return Err(format!(
            "{p:?} is not relative to the repository: a project file names paths inside it"
        ));
    }
    if path
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(format!(
            "{p:?} leaves the repository (..): a project file names paths inside it"
        ));
    }
    Ok(())
}

/// Where the file was found.
enum Found {
    Clone(PathBuf),
    GitHub(Repo),
}

/// Reads the target's project file, if it has one, and applies it to
/// `request` under the command line's own settings. The provenance lists
/// every setting it gave, and those the command line overrode.
///
/// # Errors
/// A file that is not valid (located problems), or that cannot be read.
pub(crate) fn load(
    target: &crate::target::Target,
    request: &mut Request,
) -> Result<Option<Provenance>, crate::error::Error> {
    use crate::target::Target;
    let (found, text, requests) = match target {
        Target::Git(path) => {
            let file = path.join(FILE_NAME);
            if file.symlink_metadata().is_err() {
                return Ok(None);
            }
            let text = crate::collect::bench_results::read_text(&file)
                .map_err(|e| target_error(target, &file.display().to_string(), &e))?;
            (Found::Clone(path.clone()), text, 0)
        }
        Target::GitHub { owner, repo } => {
            let repo = Repo {
                owner: owner.clone(),
                name: repo.clone(),
            };
            match fetch(&repo, request) {
                Ok(Some((text, n))) => (Found::GitHub(repo), text, n),
                Ok(None) => return Ok(None),
                // GitHub's own collection says why it failed; the file's
                // settings are then unknown, and the report says so.
                Err(e) => return Ok(Some(unread(&repo, &e))),
            }
        }
        Target::Evidence(_) | Target::Artifacts => return Ok(None),
    };
    let location = match &found {
        Found::Clone(root) => root.join(FILE_NAME).display().to_string(),
        Found::GitHub(repo) => format!("{}/{FILE_NAME}", repo.slug()),
    };
    if text.len() > MAX_BYTES {
        return Err(target_error(
            target,
            &location,
            &format!(
                "larger than {} KiB, the most a project file may hold",
                MAX_BYTES >> 10
            ),
        ));
    }
    // A target error: `compare` keeps the project, with this reason, and goes on.
    let settings = parse(&text, &location).map_err(|e| crate::error::Error::Target {
        target: target.display(),
        message: e.to_string(),
    })?;
    let notes = apply(&settings, &found, request);
    Ok(Some(Provenance {
        source: "project file".into(),
        location,
        items: notes.iter().filter(|n| n.starts_with("used:")).count() as u64,
        item: "settings".into(),
        requests,
        complete: true,
        notes,
        fetched_at: None,
    }))
}

/// The provenance of a project file that could not be fetched.
fn unread(repo: &Repo, why: &str) -> Provenance {
    Provenance {
        source: "project file".into(),
        location: format!("{}/{FILE_NAME}", repo.slug()),
        items: 0,
        item: "settings".into(),
        requests: 0,
        complete: false,
        notes: vec![format!(
            "could not be read, so the settings it may hold were not used: {why}"
        )],
        fetched_at: None,
    }
}

fn target_error(target: &crate::target::Target, file: &str, why: &str) -> crate::error::Error {
    crate::error::Error::Target {
        target: target.display(),
        message: format!("{file} could not be read: {why}"),
    }
}

/// The file through the contents API (`None`: the repository has none), and
/// the requests it cost. A 404 is remembered for a day, like any optional file.
fn fetch(repo: &Repo, request: &Request) -> Result<Option<(String, u64)>, String> {
    use super::github::client::Client;
    let cache = (request.github.cache_dir.as_deref())
        .and_then(|dir| crate::cache::Cache::open_or_warn(dir, request.github.quiet));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let _entered = runtime.enter();
    let client = Client::new(request.github.client.clone(), cache)?;
    let path = format!("/repos/{}/contents/{FILE_NAME}", repo.slug());
    let page = runtime
        .block_on(client.get_optional(&path))
        .map_err(|e| e.to_string())?;
    let sent = client.stats.sent.load(std::sync::atomic::Ordering::Relaxed);
    let Some(page) = page else {
        return Ok(None);
    };
    let text = super::github::gh_pages::decode(&page.body)?
        .ok_or_else(|| "the contents answer holds no text".to_string())?;
    Ok(Some((text, sent)))
}

/// Applies `s` to `request` where the command line set nothing; one note per setting.
fn apply(s: &ProjectSettings, found: &Found, request: &mut Request) -> Vec<String> {
    let mut notes = Vec::new();
    for (key, value) in [
        ("name", &s.name),
        ("github", &s.github),
        ("clone", &s.clone),
    ] {
        if let Some(v) = value {
            notes.push(format!(
                "not used: {key} = {v:?} (it names a project in a projects file; the target is already named)"
            ));
        }
    }
    let rule = &mut request.release_rule;
    let cli_rule = rule.tag_prefix.is_some() || rule.tag_pattern.is_some();
    for (key, value, slot) in [
        ("tag_prefix", &s.tag_prefix, &mut rule.tag_prefix),
        ("tag_pattern", &s.tag_pattern, &mut rule.tag_pattern),
    ] {
        if let Some(v) = value {
            if cli_rule {
                notes.push(format!(
                    "not used: {key} = {v:?} (the command line's --tag-prefix/--tag-pattern wins)"
                ));
            } else {
                notes.push(format!("used: {key} = {v:?}"));
                *slot = Some(v.clone());
            }
        }
    }
    let root = match found {
        Found::Clone(root) => Some(root.as_path()),
        Found::GitHub(_) => None,
    };
    for kind in inputs() {
        let cli_empty = (kind.entries)(&request.inputs).is_empty();
        let (got, n) = paths(kind, &(kind.entries)(&s.inputs), cli_empty, root);
        (kind.add)(&mut request.inputs, got);
        notes.extend(n);
    }
    notes.extend(apply_test_reports(s, &mut request.github.test_reports));
    request.project = Some(s.clone());
    notes
}

/// The test-report settings: the artifacts to read replace the default
/// patterns, and the check name is asked first, before the defaults,
/// unless the command line gave its own.
fn apply_test_reports(s: &ProjectSettings, t: &mut TestReports) -> Vec<String> {
    let mut notes = Vec::new();
    for (key, flag, v, given, into) in [
        (
            "test_artifacts",
            "--test-artifact",
            &s.test_artifacts,
            t.artifacts_given,
            &mut t.artifacts,
        ),
        (
            "bench_artifacts",
            "--bench-artifact",
            &s.bench_artifacts,
            t.bench_artifacts_given,
            &mut t.bench_artifacts,
        ),
    ] {
        if v.is_empty() {
        } else if given {
            notes.push(format!(
                "not used: {key} = {v:?} (the command line's {flag} wins)"
            ));
        } else if let Some(bad) = v.iter().find(|p| glob::Pattern::new(p).is_err()) {
            notes.push(format!(
                "not used: {key} = {v:?} ({bad:?} is not a valid pattern)"
            ));
        } else {
            into.clone_from(v);
            notes.push(format!("used: {key} = {v:?}"));
        }
    }
    if let Some(c) = &s.check_name {
        if t.check_names_given {
            notes.push(format!(
                "not used: check_name = {c:?} (the command line's --check-name wins)"
            ));
        } else {
            t.check_names.retain(|n| n != c);
            t.check_names.insert(0, c.clone());
            notes.push(format!("used: check_name = {c:?}"));
        }
    }
    notes
}

/// The entries of one list setting to read, and a note per entry: used
/// (a URL as it is, a path under the clone), overridden by the command
/// line, or not used (a local path named by a GitHub repository's file).
fn paths(
    kind: &InputKind,
    list: &[String],
    cli_empty: bool,
    root: Option<&Path>,
) -> (Vec<String>, Vec<String>) {
    let key = kind.key;
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for entry in list {
        if !cli_empty {
            notes.push(format!(
                "not used: {key} {entry:?} (the command line's --{} wins)",
                key.replace('_', "-")
            ));
        } else if kind.is_remote(entry) {
            let how = if entry.starts_with("github") {
                "through the GitHub API"
            } else {
                "read without the token"
            };
            notes.push(format!("used: {key} {entry:?} ({how})"));
            out.push(entry.clone());
        } else if let Some(root) = root {
            // A folder or file the project names but this clone lacks (results
            // not generated here) is a note, not a failed run.
            let named_path = kind.takes != Takes::Glob;
            if named_path && root.join(entry).symlink_metadata().is_err() {
                notes.push(format!("not used: {key} {entry:?} (not in this clone)"));
            } else {
                notes.push(format!("used: {key} {entry:?}"));
                out.push(root.join(entry).display().to_string());
            }
        } else {
            notes.push(format!(
                "not used: {key} {entry:?} (a path: only the clone's file names local files)"
            ));
        }
    }
    (out, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_report_settings_apply_under_the_command_line() {
        let s = ProjectSettings {
            test_artifacts: vec!["*-test-ci".into()],
            check_name: Some("Pytest Results".into()),
            bench_artifacts: vec!["asv-*".into()],
            ..ProjectSettings::default()
        };
        let mut t = TestReports::default();
        let notes = apply_test_reports(&s, &mut t);
        assert_eq!(t.artifacts, ["*-test-ci"]);
        assert_eq!(t.bench_artifacts, ["asv-*"]);
        assert_eq!(
            t.check_names,
            ["Pytest Results", "Test Results", "Unit Test Results"]
        );
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes.iter().all(|n| n.starts_with("used: ")), "{notes:?}");
        let mut cli = TestReports {
            artifacts: vec!["mine".into()],
            check_names: vec!["Mine".into()],
            bench_artifacts: vec!["my-bench".into()],
            artifacts_given: true,
            check_names_given: true,
            bench_artifacts_given: true,
            ..TestReports::default()
        };
        let notes = apply_test_reports(&s, &mut cli);
        assert_eq!(cli.bench_artifacts, ["my-bench"]);
        assert!(
            notes.iter().any(|n| n.contains("--bench-artifact wins")),
            "{notes:?}"
        );
        assert_eq!(
            (cli.artifacts.as_slice(), cli.check_names.as_slice()),
            (&["mine".to_string()][..], &["Mine".to_string()][..])
        );
        assert!(
            notes.iter().all(|n| n.starts_with("not used: ")),
            "{notes:?}"
        );
        let bad = ProjectSettings {
            test_artifacts: vec!["[".into()],
            ..ProjectSettings::default()
        };
        let mut t = TestReports::default();
        let notes = apply_test_reports(&bad, &mut t);
        assert_eq!(t.artifacts, ["*"]);
        assert!(notes[0].contains("is not a valid pattern"), "{notes:?}");
    }

    #[test]
    fn artifact_locations_are_checked() {
        let s = parse(
            r#"asv = ["github-artifact:acme/widget:asv-results"]"#,
            FILE_NAME,
        )
        .unwrap();
        assert_eq!(
            s.inputs.bench.asv,
            [PathBuf::from("github-artifact:acme/widget:asv-results")]
        );
        assert!(
            is_remote_location(&s.inputs.bench.asv[0].to_string_lossy()),
            "read remotely, never as a path"
        );
        let e = parse(r#"asv = ["github-artifact:acme"]"#, FILE_NAME).unwrap_err();
        assert!(
            format!("{e:?}").contains("expected github-artifact:OWNER/REPO:NAME"),
            "{e:?}"
        );
    }

    #[test]
    fn coiled_db_is_a_key_as_every_benchmark_input_is() {
        let s = parse(
            "coiled_db = [\"github-artifact:coiled/benchmarks:benchmark\", \"data/benchmark.db\"]\n",
            FILE_NAME,
        )
        .unwrap();
        assert_eq!(s.inputs.bench.coiled_db.len(), 2);
        let e = parse(
            "coiled_db = [\"https://example.com/benchmark.db\"]\n",
            FILE_NAME,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("`coiled_db` names paths inside the repository here"),
            "{e}"
        );
        // In a GitHub repository's file, the artifact is used and the path is not.
        let kind = input("coiled_db").unwrap();
        let (got, notes) = paths(kind, &(kind.entries)(&s.inputs), true, None);
        assert_eq!(got, ["github-artifact:coiled/benchmarks:benchmark"]);
        assert!(
            notes[1].starts_with("not used: coiled_db \"data/benchmark.db\""),
            "{notes:?}"
        );
    }

    #[test]
    fn every_key_is_read() {
        let s = parse(
            r#"
name = "widget"
tag_prefix = "release-"
tag_pattern = '^v(?<version>\d+\.\d+\.\d+)$'
asv = ["https://acme.github.io/widget-asv/", "benchmarks/results"]
junit = ["reports/*.xml"]
bench_data = ["dev/bench/data.js"]
criterion = ["target/criterion"]
pytest_benchmark = [".benchmarks/**/*.json"]
test_artifacts = ["*-test-ci"]
check_name = "Unit Test Results"
bench_artifacts = ["asv-benchmark-results-*"]
"#,
            FILE_NAME,
        )
        .unwrap();
        assert_eq!(s.inputs.bench.asv.len(), 2);
        assert_eq!(s.check_name.as_deref(), Some("Unit Test Results"));
        assert_eq!(s.test_artifacts, vec!["*-test-ci"]);
        assert_eq!(s.bench_artifacts, vec!["asv-benchmark-results-*"]);
        assert_eq!(s.tag_prefix.as_deref(), Some("release-"));
    }

    #[test]
    fn unknown_keys_name_file_line_and_key_with_a_suggestion() {
        let e = parse("tag_prefix = \"v\"\ncheck_nam = \"x\"\n", FILE_NAME).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("project file .readiness.toml is not valid (1 problem)"),
            "{text}"
        );
        assert!(
            text.contains(".readiness.toml:2:1: key `check_nam`"),
            "{text}"
        );
        assert!(text.contains("did you mean `check_name`?"), "{text}");
    }

    #[test]
    fn bad_values_are_all_located() {
        let e = parse(
            "tag_pattern = \"(\"\nasv = [\"http://example.com/site\", \"../elsewhere\"]\njunit = [\"/etc/x.xml\"]\n",
            FILE_NAME,
        )
        .unwrap_err();
        let lines: Vec<(usize, Option<&str>)> = e
            .problems
            .iter()
            .map(|p| (p.line, p.key.as_deref()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (1, Some("tag_pattern")),
                (2, Some("asv")),
                (2, Some("asv")),
                (3, Some("junit"))
            ]
        );
        let text = e.to_string();
        assert!(
            text.contains("not an https:// URL") && text.contains("leaves the repository"),
            "{text}"
        );
        let e = parse("junit = [\"https://example.com/r.xml\"]\n", FILE_NAME).unwrap_err();
        assert!(e.to_string().contains("`junit` names paths inside the repository here (remote locations: `asv` and `coiled_db`)"), "{e}");
        let e = parse("asv = \"one\"\n", FILE_NAME).unwrap_err();
        assert_eq!(e.problems[0].line, 1, "{e}");
        let e = parse("asv = [\n", FILE_NAME).unwrap_err();
        assert!(!e.problems.is_empty());
    }
}
