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
    Ok(base.to_string())
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
