//! What the user points at: a local git checkout, a saved evidence file, or
//! a GitHub repository (`owner/repo`, `https://github.com/owner/repo`).
//! An existing local path always wins over the `owner/repo` reading.

use std::path::{Path, PathBuf};

use crate::error::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A git repository on disk, bare or not (or a folder inside one).
    Git(PathBuf),
    /// A file written by `readiness collect`.
    Evidence(PathBuf),
    /// A repository on GitHub.
    GitHub { owner: String, repo: String },
    /// No repository: only artifact files (`--junit`).
    Artifacts,
}

impl Target {
    /// Reads a target as typed on the command line.
    ///
    /// # Errors
    /// Text that is neither an existing path nor a GitHub repository.
    pub fn parse(text: &str) -> Result<Target, Error> {
        let path = Path::new(text);
        if path.is_dir() {
            return Ok(Target::Git(path.to_path_buf()));
        }
        if path.is_file() {
            return Ok(Target::Evidence(path.to_path_buf()));
        }
        if let Some((owner, repo)) = parse_github(text) {
            return Ok(Target::GitHub { owner, repo });
        }
        Err(Error::Target {
            target: text.to_string(),
            message: "no such file or folder, and not a GitHub repository (owner/repo or https://github.com/owner/repo)".into(),
        })
    }

    /// The target as the user would write it.
    #[must_use]
    pub fn display(&self) -> String {
        match self {
            Target::Git(p) | Target::Evidence(p) => p.display().to_string(),
            Target::GitHub { owner, repo } => format!("{owner}/{repo}"),
            Target::Artifacts => "artifacts".into(),
        }
    }
}

/// `owner/repo`, `github.com/owner/repo`, `https://github.com/owner/repo(.git)(/...)`,
/// `git@github.com:owner/repo.git`.
#[must_use]
pub fn parse_github(text: &str) -> Option<(String, String)> {
    let t = text.trim();
    let rest = t
        .strip_prefix("https://github.com/")
        .or_else(|| t.strip_prefix("http://github.com/"))
        .or_else(|| t.strip_prefix("ssh://git@github.com/"))
        .or_else(|| t.strip_prefix("git@github.com:"))
        .or_else(|| t.strip_prefix("github.com/"));
    let is_url = rest.is_some();
    let rest = rest.unwrap_or(t);
    let mut parts = rest.trim_end_matches('/').split('/');
    let owner = parts.next()?;
    let repo = parts.next()?;
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    if !is_url && parts.next().is_some() {
        return None;
    }
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    (ok(owner) && ok(repo)).then(|| (owner.to_string(), repo.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_forms() {
        let dd = Some(("dask".to_string(), "dask".to_string()));
        for s in [
            "dask/dask",
            "https://github.com/dask/dask",
            "https://github.com/dask/dask.git",
            "git@github.com:dask/dask.git",
            "github.com/dask/dask/",
            "https://github.com/dask/dask/issues/1",
        ] {
            assert_eq!(parse_github(s), dd, "{s}");
        }
        for s in ["dask", "a/b/c", "../x", "a b/c", "https://gitlab.com/a/b"] {
            assert_eq!(parse_github(s), None, "{s}");
        }
    }

    #[test]
    fn paths_win_and_nonsense_is_an_error() {
        let dir = std::env::temp_dir();
        assert_eq!(
            Target::parse(dir.to_str().unwrap()).unwrap(),
            Target::Git(dir.clone())
        );
        let e = Target::parse("no such thing at all")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("no such thing at all: no such file or folder"),
            "{e}"
        );
    }
}
