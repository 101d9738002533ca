//! What `readiness batch` reads and writes, apart from the run itself
//! (`app::batch`): the list of projects it is given, the share of them a
//! shard takes ([`shard`]), and the NDJSON lines of its output ([`lines`]):
//! one report, or one error, per project.

pub mod lines;
pub mod shard;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crate::error::Error;

/// The largest list of projects read: 64 MiB, some two million lines.
pub const MAX_LIST_BYTES: u64 = 64 << 20;

/// One project of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// `OWNER/REPO` as written (the report's target name).
    pub name: String,
    pub owner: String,
    pub repo: String,
    /// The line of the input it was given on (1-based).
    pub line: usize,
    /// Its own release rule (a projects file's `tag_prefix`, `tag_pattern`).
    pub rule: Option<crate::evidence::ReleaseRule>,
}

impl Project {
    /// The name projects are matched by: lower case, as GitHub matches them.
    #[must_use]
    pub fn key(&self) -> String {
        self.name.to_lowercase()
    }
}

/// The projects of a projects file (`[[project]]`, read by
/// [`crate::projects`]): each must name its `github` repository, and
/// may set its own release rule. A clone or artifact sources belong to
/// `readiness compare --projects`: batch reads GitHub alone.
///
/// # Errors
/// The file's own errors, or a project without `github` or with a clone
/// or artifacts, named with the file and line.
pub fn read_projects(path: &Path) -> Result<Vec<Project>, Error> {
    let file = crate::projects::ProjectsFile::load(path)?;
    file.projects
        .into_iter()
        .map(|spec| {
            let fail = |what: &str| Error::Input {
                path: path.to_path_buf(),
                line: spec.line,
                message: format!(
                    "project {:?} {what}: batch scores GitHub repositories alone (`readiness compare --projects` reads the rest)",
                    shown(&spec.name)
                ),
            };
            let has_artifacts = spec.clone.is_some()
                || spec.inputs.first_given().is_some();
            if has_artifacts {
                return Err(fail("has a clone or artifact sources"));
            }
            let Some((owner, repo)) = spec.github.as_deref().and_then(crate::target::parse_github)
            else {
                return Err(fail("names no github repository"));
            };
            Ok(Project {
                rule: spec.release_rule(),
                name: spec.name,
                owner,
                repo,
                line: spec.line,
            })
        })
        .collect()
}

/// Reads a batch's input: a projects file when its name ends in `.toml`,
/// else a plain list.
///
/// # Errors
/// As [`read_projects`] or [`read_list`].
pub fn read_input(path: &Path) -> Result<Vec<Project>, Error> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        read_projects(path)
    } else {
        read_list(path)
    }
}

/// Reads a plain list of projects: one `OWNER/REPO` (or GitHub URL) a
/// line; `#` starts a comment; blank lines are skipped.
///
/// # Errors
/// The file cannot be read, is not a regular file, is larger than
/// [`MAX_LIST_BYTES`] or not UTF-8, or a line is not a project (or repeats
/// one): the error names the file and the line.
pub fn read_list(path: &Path) -> Result<Vec<Project>, Error> {
    let file = crate::fsutil::open_regular(path).map_err(|e| Error::read(path, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_LIST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::read(path, e))?;
    if bytes.len() as u64 > MAX_LIST_BYTES {
        return Err(Error::Usage(format!(
            "{}: the list is larger than {} MiB; split it into several batches",
            path.display(),
            MAX_LIST_BYTES >> 20
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // One more line than newlines before the first bad byte.
        let line = valid.split(|&b| b == b'\n').count();
        Error::Input {
            path: path.to_path_buf(),
            line,
            message: "not UTF-8 text".into(),
        }
    })?;
    parse_list(path, &text)
}

/// Parses the text of a list of projects; `path` names it in errors.
///
/// # Errors
/// As [`read_list`], for the lines.
pub fn parse_list(path: &Path, text: &str) -> Result<Vec<Project>, Error> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let fail = |message: String| Error::Input {
            path: path.to_path_buf(),
            line,
            message,
        };
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        if content.split_whitespace().nth(1).is_some() {
            return Err(fail(format!(
                "{:?} holds more than one word: write one OWNER/REPO a line (# starts a comment)",
                shown(content)
            )));
        }
        let Some((owner, repo)) = crate::target::parse_github(content) else {
            return Err(fail(format!(
                "{:?} is not OWNER/REPO or a github.com URL",
                shown(content)
            )));
        };
        let project = Project {
            name: format!("{owner}/{repo}"),
            owner,
            repo,
            line,
            rule: None,
        };
        if let Some(first) = seen.insert(project.key(), line) {
            return Err(fail(format!("{} is already on line {first}", project.name)));
        }
        out.push(project);
    }
    Ok(out)
}

/// At most 80 characters of untrusted text, for an error message.
fn shown(text: &str) -> String {
    let mut s: String = text.chars().take(80).collect();
    if text.chars().nth(80).is_some() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<String>, String> {
        parse_list(Path::new("repos.txt"), text)
            .map(|v| {
                v.into_iter()
                    .map(|p| format!("{}@{}", p.name, p.line))
                    .collect()
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn lists_take_comments_blank_lines_and_urls() {
        let text = "# the ecosystem\n\ndask/dask\n  pandas-dev/pandas   # the big one\nhttps://github.com/numpy/numpy.git\r\n";
        assert_eq!(
            parse(text).unwrap(),
            ["dask/dask@3", "pandas-dev/pandas@4", "numpy/numpy@5"]
        );
        assert!(parse("").unwrap().is_empty());
    }

    #[test]
    fn bad_lines_are_named_with_their_number() {
        assert_eq!(
            parse("dask/dask\n\nnot a repo\n").unwrap_err(),
            "repos.txt:3: \"not a repo\" holds more than one word: write one OWNER/REPO a line (# starts a comment)"
        );
        assert_eq!(
            parse("a/b/c").unwrap_err(),
            "repos.txt:1: \"a/b/c\" is not OWNER/REPO or a github.com URL"
        );
        assert_eq!(
            parse("Dask/Dask\ndask/dask").unwrap_err(),
            "repos.txt:2: dask/dask is already on line 1"
        );
    }

    #[test]
    fn lists_that_are_not_text_or_too_large_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.txt");
        std::fs::write(&p, b"a/b\n\xff\xfe/c\n").unwrap();
        assert_eq!(
            read_list(&p).unwrap_err().to_string(),
            format!("{}:2: not UTF-8 text", p.display())
        );
        let big = std::fs::File::create(&p).unwrap();
        big.set_len(MAX_LIST_BYTES + 1).unwrap();
        assert!(
            read_list(&p)
                .unwrap_err()
                .to_string()
                .contains("larger than 64 MiB")
        );
        assert!(
            read_list(dir.path())
                .unwrap_err()
                .to_string()
                .contains("not a regular file")
        );
    }
}
