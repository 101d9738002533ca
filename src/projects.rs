//! The projects file: a TOML list of projects, each with a display name and
//! its own sources (`readiness compare --projects FILE`, `readiness report
//! --projects FILE NAME`), so that one project's tag prefix or artifacts
//! never reach another.
//!
//! ```toml
//! [[project]]
//! name = "polars"
//! clone = "../polars"        # relative to this file
//! github = "pola-rs/polars"
//! tag_prefix = "py-"
//! ```
//!
//! The file is strict, like a rubric: unknown keys, wrong types, a missing
//! name, a name used twice, a `github` that is not `OWNER/REPO`, a `clone`
//! or artifact folder that does not exist, an invalid `tag_pattern` and a
//! project with no source are errors naming the file, line and key, with a
//! suggestion for a misspelt key (the span machinery of `tomlspan`). Every
//! problem is reported at once.
//!
//! A key is added in three places: [`RawProject`] (as read), [`ProjectSpec`]
//! (as used) and [`resolve`] (checked, paths made relative to the file).
//! The keys that name evidence files are not: they are the rows of
//! `collect::inputs` (`junit`, and the benchmark inputs of
//! `bench_results::INPUTS`), read apart from the struct (`take_lists`) and
//! checked by what each input takes (a folder, a file, a glob, a remote
//! location).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::collect::{InputKind, Inputs, Takes, input, inputs};
use crate::diag::{ProjectsErrors, RubricErrors};
use crate::error::Error;
use crate::evidence::ReleaseRule;
use crate::suggest;
use crate::target::{Target, parse_github};
use crate::tomlspan::{
    Problems, from_toml_error, locate, read_as, read_as_with, tables_of, take_lists,
};

/// One `[[project]]`: its name and sources, paths already relative to the
/// current folder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProjectSpec {
    /// The display name (untrusted text: escaped wherever it is shown).
    pub name: String,
    /// The line of the projects file where the project's name is written.
    pub line: usize,
    /// `github = "OWNER/REPO"`, checked.
    pub github: Option<String>,
    /// `clone = "PATH"`: a local clone, resolved against the file's folder.
    pub clone: Option<PathBuf>,
    pub tag_prefix: Option<String>,
    pub tag_pattern: Option<String>,
    /// The files named as evidence (keys `junit`, `asv`, `bench_data`...:
    /// every input of `collect::inputs`): paths and globs resolved against
    /// the file's folder, remote locations as written.
    pub inputs: Inputs,
}

impl ProjectSpec {
    /// What is collected: the clone when there is one (combined with
    /// `github`), else the GitHub repository, else the artifacts alone.
    #[must_use]
    pub fn target(&self) -> Target {
        if let Some(path) = &self.clone {
            return Target::Git(path.clone());
        }
        match self.github.as_deref().and_then(parse_github) {
            Some((owner, repo)) => Target::GitHub { owner, repo },
            None => Target::Artifacts,
        }
    }

    /// The project's own release rule, when it sets one.
    #[must_use]
    pub fn release_rule(&self) -> Option<ReleaseRule> {
        (self.tag_prefix.is_some() || self.tag_pattern.is_some()).then(|| ReleaseRule {
            tag_prefix: self.tag_prefix.clone(),
            tag_pattern: self.tag_pattern.clone(),
        })
    }
}

/// A read projects file.
#[derive(Debug, Clone)]
pub struct ProjectsFile {
    /// The file as named on the command line.
    pub path: PathBuf,
    /// In the order written.
    pub projects: Vec<ProjectSpec>,
}

impl ProjectsFile {
    /// Reads and checks a projects file; relative paths in it are relative
    /// to its folder.
    ///
    /// # Errors
    /// A file that cannot be read ([`Error::Read`]), or every problem in
    /// it, located ([`Error::Projects`]).
    pub fn load(path: &Path) -> Result<ProjectsFile, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
        let base = path.parent().unwrap_or_else(|| Path::new(""));
        let projects = parse(&text, &path.display().to_string(), base)?;
        Ok(ProjectsFile {
            path: path.to_path_buf(),
            projects,
        })
    }

    /// The project called `name`.
    ///
    /// # Errors
    /// No such project: the message lists the names, suggesting the nearest.
    pub fn get(&self, name: &str) -> Result<&ProjectSpec, Error> {
        if let Some(p) = self.projects.iter().find(|p| p.name == name) {
            return Ok(p);
        }
        let names: Vec<&str> = self.projects.iter().map(|p| p.name.as_str()).collect();
        let hint = suggest::nearest(name, names.iter().copied())
            .map(|s| format!("did you mean {s:?}? "))
            .unwrap_or_default();
        Err(Error::Usage(format!(
            "{}: there is no project named {name:?}; {hint}the projects are: {}",
            self.path.display(),
            names.join(", ")
        )))
    }
}

/// The top level: only `[[project]]` (read separately, one table at a time).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTop {
    #[expect(
        dead_code,
        reason = "named so that a misspelt `[[projects]]` gets a suggestion"
    )]
    project: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    name: Spanned<String>,
    github: Option<Spanned<String>>,
    clone: Option<Spanned<String>>,
    tag_prefix: Option<String>,
    tag_pattern: Option<Spanned<String>>,
}

/// A `[[project]]` as read: its own keys, and the inputs' lists (read
/// apart, by the keys `collect::inputs` declares).
struct Read {
    raw: RawProject,
    inputs: Vec<(String, Vec<Spanned<String>>)>,
}

/// Parses and checks projects TOML. `file` names it in errors; relative
/// paths are resolved against `base` (the file's folder).
///
/// # Errors
/// Every problem found, each with its line, column and key.
pub fn parse(text: &str, file: &str, base: &Path) -> Result<Vec<ProjectSpec>, ProjectsErrors> {
    let fail = |problems| {
        ProjectsErrors(RubricErrors {
            kind: "projects file",
            file: file.to_string(),
            problems,
        })
    };
    let raw = read_raw(text).map_err(fail)?;
    let mut p = Problems {
        text,
        list: Vec::new(),
    };
    if raw.is_empty() {
        p.add(
            0..0,
            None,
            "the file lists no project".into(),
            Some(
                "add a [[project]] table with a name and a source (github, clone, junit...)".into(),
            ),
        );
    }
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut projects = Vec::new();
    for r in raw {
        let span = r.raw.name.span();
        let spec = resolve(&mut p, r, base);
        if let Some(line) = first_line.get(&spec.name) {
            p.add(
                span,
                Some("name"),
                format!(
                    "the name {:?} is used twice (first on line {line})",
                    spec.name
                ),
                Some("each project needs its own name: the reports and charts show it".into()),
            );
        } else {
            first_line.insert(spec.name.clone(), spec.line);
        }
        projects.push(spec);
    }
    if p.list.is_empty() {
        Ok(projects)
    } else {
        Err(fail(p.list))
    }
}

/// The `[[project]]` tables, each read on its own so that a problem in one
/// does not hide those in the others.
fn read_raw(text: &str) -> Result<Vec<Read>, Vec<crate::diag::RubricError>> {
    let (root, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        return Err(syntax.iter().map(|e| from_toml_error(text, e)).collect());
    }
    let span = root.span();
    let mut root = root.into_inner();
    let tables = root.remove("project");
    let mut problems = Vec::new();
    if let Err(e) = read_as::<RawTop>(text, Spanned::new(span, DeValue::Table(root))) {
        problems.push(e);
    }
    let mut read = Vec::new();
    let keys: Vec<&str> = inputs().map(|k| k.key).collect();
    for mut t in tables_of(text, tables, "project", &mut problems) {
        let lists = take_lists(text, &mut t, |k| keys.contains(&k), &mut problems);
        match read_as_with::<RawProject>(text, t, &keys) {
            Ok(raw) => read.push(Read { raw, inputs: lists }),
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Ok(read)
    } else {
        Err(problems)
    }
}

/// `path` as written, relative to `base` unless absolute.
fn relative_to(base: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() || base.as_os_str().is_empty() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// A glob as written, relative to `base` unless absolute; `base` is escaped
/// so that a folder named `[x]` is not read as a pattern.
fn glob_relative_to(base: &Path, pattern: &str) -> String {
    if Path::new(pattern).is_absolute() || base.as_os_str().is_empty() {
        return pattern.to_string();
    }
    let base = glob::Pattern::escape(&base.to_string_lossy());
    format!("{base}{}{pattern}", std::path::MAIN_SEPARATOR)
}

/// Checks one project and resolves its paths; problems go to `p`.
fn resolve(p: &mut Problems<'_>, read: Read, base: &Path) -> ProjectSpec {
    let r = read.raw;
    let name = r.name.get_ref().trim().to_string();
    let (line, _, _) = locate(p.text, &r.name.span());
    if name.is_empty() || name.chars().any(char::is_control) {
        p.add(
            r.name.span(),
            Some("name"),
            "a project's name must be non-empty text on one line".into(),
            None,
        );
    }
    if let Some(g) = &r.github
        && parse_github(g.get_ref()).is_none()
    {
        p.add(
            g.span(),
            Some("github"),
            format!("{:?} is not a GitHub repository", g.get_ref()),
            Some("write OWNER/REPO, such as \"dask/dask\"".into()),
        );
    }
    let clone = r.clone.as_ref().map(|c| {
        let path = relative_to(base, c.get_ref());
        if !path.is_dir() {
            p.add(
                c.span(),
                Some("clone"),
                format!("no such folder: {}", path.display()),
                Some("paths are relative to the projects file's folder".into()),
            );
        }
        path
    });
    if let Some(t) = &r.tag_pattern
        && let Err(e) = regex::Regex::new(t.get_ref())
    {
        p.add(
            t.span(),
            Some("tag_pattern"),
            format!("not a valid regular expression: {e}"),
            None,
        );
    }
    let mut files = Inputs::default();
    for (key, list) in &read.inputs {
        let Some(kind) = input(key) else { continue };
        let entries = list.iter().map(|s| entry(p, kind, s, base)).collect();
        (kind.add)(&mut files, entries);
    }
    let spec = ProjectSpec {
        name,
        line,
        github: r.github.as_ref().map(|g| g.get_ref().trim().to_string()),
        clone,
        tag_prefix: r.tag_prefix,
        tag_pattern: r.tag_pattern.map(Spanned::into_inner),
        inputs: files,
    };
    // A `github` or `clone` that is wrong is reported as such, not as missing.
    if r.github.is_none() && r.clone.is_none() && spec.inputs.first_given().is_none() {
        let keys: Vec<&str> = inputs().map(|k| k.key).collect();
        p.add(
            r.name.span(),
            None,
            format!("project {:?} has no source", spec.name),
            Some(format!(
                "give it github = \"OWNER/REPO\", clone = \"PATH\", or artifacts ({})",
                keys.join(", ")
            )),
        );
    }
    spec
}

/// One entry of an input, checked: a remote location as written (when the
/// input takes one), a glob or a path resolved against `base` (the folder
/// or file must exist).
fn entry(p: &mut Problems<'_>, kind: &InputKind, s: &Spanned<String>, base: &Path) -> String {
    let text = s.get_ref();
    if kind.is_remote(text) {
        if let Err(e) = kind.check_remote(text) {
            p.add(s.span(), Some(kind.key), e, None);
        }
        return text.clone();
    }
    if kind.takes == Takes::Glob {
        return glob_relative_to(base, text);
    }
    let path = relative_to(base, text);
    let dir = kind.takes == Takes::Folder;
    let found = if dir { path.is_dir() } else { path.is_file() };
    if !found {
        p.add(
            s.span(),
            Some(kind.key),
            format!(
                "no such {}: {}",
                if dir { "folder" } else { "file" },
                path.display()
            ),
            Some("paths are relative to the projects file's folder".into()),
        );
    }
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asv_sites_and_github_locations_are_not_paths_and_coiled_db_is_resolved() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("benchmark.db"), b"").unwrap();
        let text = "[[project]]\nname = \"p\"\ngithub = \"o/r\"\nasv = [\"https://o.github.io/asv/\", \"github:o/r@results:data\", \"github-artifact:o/r:asv-results\"]\ncoiled_db = [\"benchmark.db\"]\n";
        let ps = parse(text, "p.toml", dir.path()).unwrap();
        assert_eq!(
            ps[0].inputs.bench.asv,
            [
                PathBuf::from("https://o.github.io/asv/"),
                PathBuf::from("github:o/r@results:data"),
                PathBuf::from("github-artifact:o/r:asv-results")
            ]
        );
        assert_eq!(
            ps[0].inputs.bench.coiled_db,
            [dir.path().join("benchmark.db")]
        );
        let e = errors("[[project]]\nname = \"p\"\ngithub = \"o/r\"\ncoiled_db = [\"nope.db\"]\n");
        assert!(
            e.to_string().contains("key `coiled_db`: no such file"),
            "{e}"
        );
    }

    #[test]
    fn benchmark_keys_take_what_their_input_takes_and_are_suggested() {
        // A Coiled database from an Actions artifact, as `--coiled-db` takes it.
        let ps = parse(
            "[[project]]\nname = \"p\"\ncoiled_db = [\"github-artifact:coiled/benchmarks:benchmark\"]\n",
            "p.toml",
            Path::new(""),
        )
        .unwrap();
        assert_eq!(
            ps[0].inputs.bench.coiled_db,
            [PathBuf::from("github-artifact:coiled/benchmarks:benchmark")]
        );
        // A remote location is checked where it is written, not at collection.
        let e = errors("[[project]]\nname = \"p\"\nasv = [\"github-artifact:o\"]\n");
        assert_eq!(e.problems[0].line, 3, "{e}");
        assert_eq!(e.problems[0].key.as_deref(), Some("asv"), "{e}");
        // A misspelt benchmark key gets the nearest one, and a wrong type is located.
        let e = errors("[[project]]\nname = \"p\"\npytest_benchmarks = [\"*.json\"]\n");
        let help = e.problems[0].help.clone().unwrap_or_default();
        assert!(help.starts_with("did you mean `pytest_benchmark`?"), "{e}");
        assert!(
            e.problems[0]
                .message
                .ends_with("`pytest_benchmark`, `coiled_db`"),
            "serde's list lacks the keys read apart; the message has them all: {e}"
        );
        let e = errors("[[project]]\nname = \"p\"\ncriterion = \"target/criterion\"\n");
        assert_eq!(
            (e.problems[0].line, e.problems[0].key.as_deref()),
            (3, Some("criterion")),
            "{e}"
        );
    }

    fn errors(text: &str) -> RubricErrors {
        match parse(text, "p.toml", Path::new("")) {
            Ok(p) => panic!("should not validate:\n{text}\n{p:?}"),
            Err(e) => e.0,
        }
    }

    #[test]
    fn projects_are_read_in_order_with_their_own_options() {
        let text = r#"
[[project]]
name = "dask"
github = "dask/dask"

[[project]]
name = "polars"
github = "pola-rs/polars"
tag_prefix = "py-"
junit = ["reports/*.xml"]
"#;
        let ps = parse(text, "p.toml", Path::new("cfg")).unwrap();
        assert_eq!(ps.len(), 2);
        assert_eq!((ps[0].name.as_str(), ps[0].line), ("dask", 3));
        assert_eq!(ps[0].release_rule(), None);
        assert_eq!(
            ps[0].target(),
            Target::GitHub {
                owner: "dask".into(),
                repo: "dask".into()
            }
        );
        assert_eq!(ps[1].line, 7);
        assert_eq!(ps[1].tag_prefix.as_deref(), Some("py-"));
        assert_eq!(
            ps[1].release_rule().and_then(|r| r.tag_prefix).as_deref(),
            Some("py-")
        );
        let sep = std::path::MAIN_SEPARATOR;
        assert_eq!(ps[1].inputs.junit, vec![format!("cfg{sep}reports/*.xml")]);
    }

    #[test]
    fn paths_are_relative_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("clones/x")).unwrap();
        std::fs::create_dir_all(dir.path().join("[odd]")).unwrap();
        let text =
            "[[project]]\nname = \"x\"\nclone = \"clones/x\"\npytest_benchmark = [\"b/*.json\"]\n";
        let ps = parse(text, "p.toml", dir.path()).unwrap();
        assert_eq!(
            ps[0].clone.as_deref(),
            Some(dir.path().join("clones/x").as_path())
        );
        assert_eq!(ps[0].target(), Target::Git(dir.path().join("clones/x")));
        assert!(ps[0].inputs.bench.pytest_benchmark[0].ends_with("b/*.json"));
        // A folder whose name reads as a pattern is escaped.
        assert_eq!(
            glob_relative_to(&dir.path().join("[odd]"), "*.xml"),
            format!(
                "{}{}*.xml",
                glob::Pattern::escape(&dir.path().join("[odd]").to_string_lossy()),
                std::path::MAIN_SEPARATOR
            )
        );
        let e = errors("[[project]]\nname = \"x\"\nclone = \"nowhere/at/all\"\n");
        let p = &e.problems[0];
        assert_eq!((p.line, p.key.as_deref()), (3, Some("clone")));
        assert!(
            p.message.contains("no such folder: nowhere/at/all"),
            "{p:?}"
        );
    }

    #[test]
    fn unknown_keys_are_located_with_a_suggestion() {
        let e = errors("[[project]]\nname = \"x\"\ngithub = \"a/b\"\ntag_prefx = \"py-\"\n");
        let p = &e.problems[0];
        assert_eq!(p.key.as_deref(), Some("tag_prefx"));
        assert_eq!(p.line, 4);
        assert!(
            p.help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `tag_prefix`?"),
            "{p:?}"
        );
        let e = errors("[[projects]]\nname = \"x\"\ngithub = \"a/b\"\n");
        assert!(
            e.problems[0]
                .help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `project`?"),
            "{e:?}"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_line() {
        let text = r#"[[project]]
name = "a"
github = "not a repo"

[[project]]
name = "b"
tag_pattern = "py-(["

[[project]]
name = "a"
github = "x/y"

[[project]]
github = "x/z"

[[project]]
name = "c"
junit = "one.xml"
"#;
        // Type and key problems first: the project without a name and the
        // string where a list belongs.
        let e = errors(text);
        let lines: Vec<usize> = e.problems.iter().map(|p| p.line).collect();
        assert_eq!(e.problems.len(), 2, "{e:?}");
        assert!(
            e.problems[0].message.contains("missing field `name`"),
            "{e:?}"
        );
        assert_eq!(lines[1], 18, "{e:?}");
        assert_eq!(e.problems[1].key.as_deref(), Some("junit"));
        // Then every semantic problem.
        let fixed = text
            .replace("[[project]]\ngithub = \"x/z\"\n", "")
            .replace("junit = \"one.xml\"", "junit = [\"one.xml\"]");
        let e = errors(&fixed);
        let found: Vec<(usize, Option<&str>)> = e
            .problems
            .iter()
            .map(|p| (p.line, p.key.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (3, Some("github")),
                (7, Some("tag_pattern")),
                (6, None),
                (10, Some("name")),
            ],
            "{e:?}"
        );
        assert!(e.problems[2].message.contains("\"b\" has no source"));
        assert!(e.problems[3].message.contains("(first on line 2)"));
        let shown = ProjectsErrors(e).to_string();
        assert!(
            shown.starts_with(
                "projects file p.toml is not valid (4 problems):\np.toml:3:10: key `github`:"
            ),
            "{shown}"
        );
    }

    /// The example the README uses is valid, and only polars sets a prefix.
    #[test]
    fn the_shipped_example_is_valid() {
        let text = include_str!("../examples/pydata.toml");
        let ps = parse(text, "examples/pydata.toml", Path::new("examples")).unwrap();
        let names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["dask", "distributed", "pandas", "numpy", "xarray", "polars"]
        );
        for p in &ps {
            let prefix = (p.name == "polars").then_some("py-");
            assert_eq!(p.tag_prefix.as_deref(), prefix, "{}", p.name);
            assert!(matches!(p.target(), Target::GitHub { .. }), "{}", p.name);
        }
    }

    #[test]
    fn an_empty_file_and_bad_syntax_are_errors() {
        let e = errors("# nothing\n");
        assert!(e.problems[0].message.contains("lists no project"));
        let e = errors("[[project]]\nname = \"x\n");
        assert_eq!(e.problems[0].line, 2, "{e:?}");
    }
}
