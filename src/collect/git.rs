//! Local git source (gix): every tag with its date, from a bare repository
//! or a normal clone, without network access.
//!
//! An annotated tag is dated by its tagger (or by the commit it points to
//! when an old tag has no tagger line); a lightweight tag by its commit's
//! committer date. A tag that cannot be read is noted in the provenance and
//! the others still count.

use std::path::Path;

use chrono::{DateTime, FixedOffset, TimeZone};
use gix::bstr::ByteSlice;

use crate::error::Error;
use crate::evidence::{Provenance, Tag, TagKind, TargetInfo};
use crate::target::parse_github;

/// At most this many "tag skipped" notes are kept; the rest are counted.
const MAX_NOTES: usize = 20;

/// What the git source gives.
#[derive(Debug)]
pub struct GitRepo {
    pub target: TargetInfo,
    pub provenance: Provenance,
    pub tags: Vec<Tag>,
}

/// Reads the tags of the repository at (or above) `path`.
///
/// # Errors
/// `path` is not inside a git repository, or its references cannot be listed.
pub fn read(path: &Path) -> Result<GitRepo, Error> {
    let fail = |message: String| Error::Git {
        path: path.to_path_buf(),
        message,
    };
    let repo = gix::discover(path).map_err(|e| fail(format!("not a git repository: {e}")))?;
    let refs = repo
        .references()
        .map_err(|e| fail(format!("cannot list references: {e}")))?;
    let iter = refs
        .tags()
        .map_err(|e| fail(format!("cannot list tags: {e}")))?;

    let mut tags = Vec::new();
    let mut notes = Vec::new();
    for reference in iter {
        let mut reference = match reference {
            Ok(r) => r,
            Err(e) => {
                notes.push(format!("an unreadable tag reference was skipped: {e}"));
                continue;
            }
        };
        let name = reference.name().shorten().to_str_lossy().into_owned();
        match read_tag(&repo, &mut reference, &name) {
            Ok(tag) => tags.push(tag),
            Err(e) => notes.push(format!("tag {name} was skipped: {e}")),
        }
    }
    tags.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.name.cmp(&b.name)));
    if notes.len() > MAX_NOTES {
        let more = notes.len() - MAX_NOTES;
        notes.truncate(MAX_NOTES);
        notes.push(format!("... and {more} more tags were skipped"));
    }
    // CI checkouts are usually shallow and tagless: say why releases may be missing.
    let shallow = repo.is_shallow().unwrap_or(false);
    if shallow {
        notes.insert(
            0,
            format!(
                "shallow clone: only tags inside the fetched history are visible ({} found); \
                 for the whole release history run `git fetch --unshallow --tags` \
                 (in GitHub Actions, actions/checkout with fetch-depth: 0)",
                tags.len()
            ),
        );
    }

    let remote = repo
        .config_snapshot()
        .string("remote.origin.url")
        .map(|u| strip_credentials(&u.to_str_lossy()));
    let location = path.display().to_string();
    let name = remote
        .as_deref()
        .and_then(parse_github)
        .map(|(o, r)| format!("{o}/{r}"))
        .unwrap_or_else(|| {
            folder_name(repo.workdir().unwrap_or_else(|| repo.git_dir()), &location)
        });
    Ok(GitRepo {
        target: TargetInfo {
            name,
            kind: "git".into(),
            location: location.clone(),
            remote,
        },
        provenance: Provenance {
            source: "git".into(),
            location,
            items: tags.len() as u64,
            item: "tags".into(),
            requests: 0,
            complete: notes.is_empty() && !shallow,
            notes,
            fetched_at: None,
        },
        tags,
    })
}

fn read_tag(
    repo: &gix::Repository,
    reference: &mut gix::Reference<'_>,
    name: &str,
) -> Result<Tag, String> {
    let direct = reference.target().try_id().map(ToOwned::to_owned);
    let id = match direct {
        Some(id) => id,
        None => reference.peel_to_id().map_err(|e| e.to_string())?.detach(),
    };
    let object = repo.find_object(id).map_err(|e| e.to_string())?;
    match object.kind {
        gix::object::Kind::Tag => {
            let tag = object.into_tag();
            let tagger_time = match tag.tagger().map_err(|e| e.to_string())? {
                Some(sig) => Some(sig.time().map_err(|e| e.to_string())?),
                None => None,
            };
            let target = tag.target_id().map_err(|e| e.to_string())?;
            let peeled = repo
                .find_object(target)
                .and_then(gix::Object::peel_tags_to_end)
                .map_err(|e| e.to_string())?;
            let commit = (peeled.kind == gix::object::Kind::Commit).then(|| peeled.id.to_string());
            let time = match tagger_time {
                Some(t) => t,
                None if peeled.kind == gix::object::Kind::Commit => {
                    peeled.into_commit().time().map_err(|e| e.to_string())?
                }
                None => {
                    return Err("an annotated tag with neither a tagger date nor a commit".into());
                }
            };
            Ok(Tag {
                name: name.to_string(),
                date: to_chrono(time)?,
                kind: TagKind::Annotated,
                commit,
            })
        }
        gix::object::Kind::Commit => {
            let commit = object.into_commit();
            let time = commit.time().map_err(|e| e.to_string())?;
            Ok(Tag {
                name: name.to_string(),
                date: to_chrono(time)?,
                kind: TagKind::Lightweight,
                commit: Some(commit.id.to_string()),
            })
        }
        other => Err(format!(
            "it points to a {other}, not a commit, so it has no date"
        )),
    }
}

fn to_chrono(t: gix::date::Time) -> Result<DateTime<FixedOffset>, String> {
    FixedOffset::east_opt(t.offset)
        .and_then(|tz| tz.timestamp_opt(t.seconds, 0).single())
        .ok_or_else(|| {
            format!(
                "its date ({} seconds, offset {}) is out of range",
                t.seconds, t.offset
            )
        })
}

fn folder_name(dir: &Path, fallback: &str) -> String {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let dir = if dir.file_name().is_some_and(|n| n == ".git") {
        dir.parent().unwrap_or(&dir).to_path_buf()
    } else {
        dir
    };
    dir.file_name()
        .map(|n| n.to_string_lossy().trim_end_matches(".git").to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| fallback.to_string())
}

/// Removes `user:password@` and any query from a remote URL, so that a token
/// kept in a remote never reaches evidence or a report.
#[must_use]
pub fn strip_credentials(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if path.is_empty() {
            return format!("{scheme}://{host}");
        }
        return format!("{scheme}://{host}/{path}");
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_survive_in_remote_urls() {
        assert_eq!(
            strip_credentials("https://x-access-token:ghp_SECRET@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            strip_credentials("https://ghp_SECRET@github.com/o/r?token=ghp_SECRET"),
            "https://github.com/o/r"
        );
        assert_eq!(
            strip_credentials("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
        assert_eq!(strip_credentials("https://user:p@ss@host"), "https://host");
    }
}
