//! What the user points at: a local git checkout, a saved evidence file, or
//! a GitHub repository (`owner/repo`, `https://github.com/owner/repo`).
//!
//! Text that reads as `OWNER/REPO` means GitHub, even when a folder or file
//! of that name exists here: a path means a path only when written as one
//! (`./dask/dask`, an absolute path, or with a trailing `/`). When such a
//! path exists, standard error says which was used and how to get the other.

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
        let (target, note) = Target::parse_noting(text)?;
        if let Some(note) = note {
            eprintln!("readiness: note: {note}");
        }
        Ok(target)
    }

    /// [`Target::parse`] without printing: the target, and the note to give
    /// when `OWNER/REPO` is also the name of a local folder or file.
    ///
    /// # Errors
    /// Text that is neither an existing path nor a GitHub repository.
    pub fn parse_noting(text: &str) -> Result<(Target, Option<String>), Error> {
        let path = Path::new(text);
        let url = ["https://", "http://", "ssh://", "git@", "github.com/"]
            .iter()
            .any(|p| text.trim().starts_with(p));
        if (url || !written_as_path(text))
            && let Some((owner, repo)) = parse_github(text)
        {
            let note = path.exists().then(|| {
                format!(
                    "{text:?} is read as the GitHub repository {owner}/{repo}; a local {} of that name exists: write ./{} to read it instead",
                    if path.is_dir() { "folder" } else { "file" },
                    text.trim_start_matches("./")
                )
            });
            return Ok((Target::GitHub { owner, repo }, note));
        }
        if path.is_dir() {
            return Ok((Target::Git(path.to_path_buf()), None));
        }
        if path.is_file() {
            return Ok((Target::Evidence(path.to_path_buf()), None));
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

/// Whether `text` is written as a path, not as `OWNER/REPO`: it starts with
/// `./`, `../` or `/` (or `~`, or is absolute on this system), or ends with
/// a path separator.
fn written_as_path(text: &str) -> bool {
    text.starts_with("./")
        || text.starts_with("../")
        || text.starts_with('~')
        || text.ends_with('/')
        || text.ends_with(std::path::MAIN_SEPARATOR)
        || Path::new(text).is_absolute()
        || Path::new(text).has_root()
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

/// The host (and port) of an http(s) URL, lowercased, without any `user:password@`.
fn authority(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Some(host.to_ascii_lowercase())
}

/// Checks a GitHub API base URL (`--api-url`, `GITHUB_API_URL`) and returns
/// it without its trailing `/`. A URL that carries `user:password@` is
/// refused: readiness would otherwise show it in reports, store it in the
/// evidence and the cache, and send it to every host a redirect names.
///
/// # Errors
/// Not an http(s) URL, or one with credentials; the message shows the URL
/// with any credentials and query removed, and points to `--token`.
pub fn check_api_url(url: &str) -> Result<String, String> {
    let base = refuse_credentials(url)?;
    let shown = crate::collect::git::strip_credentials(&base);
    let lower = base.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(format!("the API URL {shown:?} is not an http(s) URL"));
    }
    if authority(&base).is_none_or(|a| a.is_empty()) {
        return Err(format!("the API URL {shown:?} names no host"));
    }
    Ok(base.clone())
}

/// Refuses an API URL that carries `user:password@` (any scheme), and
/// returns it without its trailing `/`. The command line checks this before
/// anything else runs; the rest of [`check_api_url`] waits until GitHub is used.
///
/// # Errors
/// A URL with credentials; the message shows it without them, and points to `--token`.
pub fn refuse_credentials(url: &str) -> Result<String, String> {
    let base = url.trim().trim_end_matches('/');
    let has_userinfo = base
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['/', '?', '#']).next())
        .is_some_and(|a| a.contains('@'));
    if has_userinfo {
        return Err(format!(
            "the API URL {:?} carries a user name or password (user:password@): readiness neither sends nor stores credentials from a URL; give the token with --token (or GH_ENTERPRISE_TOKEN for a GitHub Enterprise host) instead",
            crate::collect::git::strip_credentials(base)
        ));
    }
    Ok(base.to_string())
}

/// Whether an API base URL is github.com's (`https://api.github.com`), the
/// only one that `GH_TOKEN` and `GITHUB_TOKEN` are sent to.
#[must_use]
pub fn is_github_com_api(url: &str) -> bool {
    url.trim().to_ascii_lowercase().starts_with("https://")
        && matches!(
            authority(url.trim().trim_end_matches('/')).as_deref(),
            Some("api.github.com" | "api.github.com:443")
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// API URLs with credentials are refused without echoing them; github.com's API is recognised by host alone.
    #[test]
    fn api_urls_are_checked() {
        assert_eq!(
            check_api_url("http://127.0.0.1:8080/").as_deref(),
            Ok("http://127.0.0.1:8080")
        );
        let e = check_api_url("http://user:pa55w0rd@127.0.0.1:8080").unwrap_err();
        assert!(e.contains("--token") && !e.contains("pa55w0rd"), "{e}");
        assert!(e.contains("http://127.0.0.1:8080"), "{e}");
        let e = check_api_url("ftp://u:pa55w0rd@host/x").unwrap_err();
        assert!(e.contains("--token") && !e.contains("pa55w0rd"), "{e}");
        let e = check_api_url("ftp://host/x").unwrap_err();
        assert!(e.contains("not an http(s) URL"), "{e}");
        assert_eq!(
            refuse_credentials("not a url at all/").as_deref(),
            Ok("not a url at all")
        );
        assert!(check_api_url("https://ghe.example.com/api/v3?x=@").is_ok());
        assert!(check_api_url("https://").is_err());
        assert!(is_github_com_api("https://api.github.com"));
        assert!(is_github_com_api("https://API.github.com:443/"));
        assert!(!is_github_com_api("https://api.github.com.evil.example"));
        assert!(!is_github_com_api("http://127.0.0.1:9"));
        assert!(!is_github_com_api("https://ghe.example.com/api/v3"));
    }

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

    /// `OWNER/REPO` means GitHub; `./OWNER/REPO`, a trailing `/` or an
    /// absolute path mean the folder.
    #[test]
    fn owner_repo_means_github_and_paths_are_written_as_paths() {
        let dir = std::env::temp_dir().join(format!("readiness-target-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("dask/dask")).unwrap();
        // The relative forms are tested through the binary (tests/integration/cli.rs),
        // which runs in its own folder; here an absolute path is a path.
        let rel = |t: &str| dir.join(t).to_string_lossy().into_owned();
        let gh = Target::GitHub {
            owner: "dask".into(),
            repo: "dask".into(),
        };
        assert_eq!(Target::parse_noting("dask/dask").unwrap().0, gh);
        assert_eq!(
            Target::parse_noting(&rel("dask/dask")).unwrap().0,
            Target::Git(dir.join("dask/dask"))
        );
        assert!(written_as_path("./dask/dask") && written_as_path("dask/dask/"));
        assert!(!written_as_path("dask/dask"));
        assert_eq!(
            Target::parse_noting("https://github.com/dask/dask/")
                .unwrap()
                .0,
            gh
        );
        let _ = std::fs::remove_dir_all(&dir);
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
