//! Local git source (gix): every tag with its date, from a bare repository
//! or a normal clone, without network access.
//!
//! An annotated tag is dated by its tagger (or by the commit it points to
//! when an old tag has no tagger line); a lightweight tag by its commit's
//! committer date. A tag that cannot be read is noted in the provenance and
//! the others still count.
//!
//! Each tag is also checked for whether its history shares a root commit
//! with the default branch's (origin's default, else `HEAD`, else `main` or
//! `master`): tags of another project's history, fetched into the same
//! repository, are not the project's releases. The default branch's commits
//! are listed once; each tag's history is walked only until it meets one of
//! them, and what each walk learns (the path that met them, or a history
//! that meets none) is remembered, so thousands of tags stay cheap. A shallow clone cannot tell, and is not checked.

use std::path::Path;

use chrono::{DateTime, FixedOffset, TimeZone};
use gix::bstr::ByteSlice;

use crate::error::Error;
use crate::evidence::{BranchTip, Provenance, Tag, TagKind, TargetInfo};
use crate::target::parse_github;

/// At most this many "tag skipped" notes are kept; the rest are counted.
const MAX_NOTES: usize = 20;

/// What the git source gives.
#[derive(Debug)]
pub(crate) struct GitRepo {
    pub target: TargetInfo,
    pub provenance: Provenance,
    pub tags: Vec<Tag>,
    /// The default branch and its newest commit, when one was found.
    pub default_branch: Option<BranchTip>,
}

/// Reads the tags of the repository at (or above) `path`.
///
/// # Errors
/// `path` is not inside a git repository, or its references cannot be listed.
pub(crate) fn read(path: &Path) -> Result<GitRepo, Error> {
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
    // CI checkouts are usually shallow and tagless: say why releases may be missing.
    let shallow = repo.is_shallow().unwrap_or(false);
    let default_branch = default_branch(&repo);
    match (&default_branch, shallow) {
        (Some((tip, id)), false) => mark_shared_history(&repo, *id, &tip.name, &mut tags, &mut notes),
        (None, false) if !tags.is_empty() => notes.push(
            "no default branch (origin's HEAD, HEAD, main or master) was found, so tags were not checked for sharing its history"
                .into(),
        ),
        _ => {}
    }
    if notes.len() > MAX_NOTES {
        let more = notes.len() - MAX_NOTES;
        notes.truncate(MAX_NOTES);
        notes.push(format!("... and {more} more tags were skipped"));
    }
    if shallow {
        notes.insert(
            0,
            format!(
                "shallow clone: only tags inside the fetched history are visible ({} found); \
                 for the whole release history run `git fetch --unshallow --tags` \
                 (in GitHub Actions, actions/checkout with fetch-depth: 0); \
                 tags were not checked for sharing the default branch's history",
                tags.len()
            ),
        );
    }

    let remote = repo
        .config_snapshot()
        .string("remote.origin.url")
        .map(|u| strip_credentials(&u.to_str_lossy()));
    let location = path.display().to_string();
    let name = remote.as_deref().and_then(parse_github).map_or_else(
        || folder_name(repo.workdir().unwrap_or_else(|| repo.git_dir()), &location),
        |(o, r)| format!("{o}/{r}"),
    );
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
        default_branch: default_branch.map(|(tip, _)| tip),
    })
}

/// The default branch: origin's default, else `HEAD`, else `main`, else
/// `master`; with its newest commit.
fn default_branch(repo: &gix::Repository) -> Option<(BranchTip, gix::ObjectId)> {
    [
        "refs/remotes/origin/HEAD",
        "HEAD",
        "refs/heads/main",
        "refs/heads/master",
    ]
    .iter()
    .find_map(|name| {
        let mut reference = repo.try_find_reference(*name).ok()??;
        let label = match reference.target().try_name() {
            Some(target) => target.shorten().to_str_lossy().into_owned(),
            None => reference.name().shorten().to_str_lossy().into_owned(),
        };
        let id = reference.peel_to_id().ok()?.detach();
        let commit = repo.find_commit(id).ok()?;
        let date = to_chrono(commit.time().ok()?).ok()?;
        Some((
            BranchTip {
                name: label,
                commit: id.to_string(),
                date,
            },
            id,
        ))
    })
}

/// Sets `shares_history` on every tag with a commit: whether its history
/// meets the default branch's (then they share its roots). A history that
/// cannot be read leaves the tag unchecked, with a note.
fn mark_shared_history(
    repo: &gix::Repository,
    tip: gix::ObjectId,
    branch: &str,
    tags: &mut [Tag],
    notes: &mut Vec<String>,
) {
    let listed = repo
        .rev_walk([tip])
        .all()
        .map_err(|e| e.to_string())
        .and_then(|walk| {
            walk.map(|info| info.map(|i| i.id).map_err(|e| e.to_string()))
                .collect::<Result<gix::hashtable::HashSet<_>, _>>()
        });
    let main = match listed {
        Ok(set) => set,
        Err(e) => {
            notes.push(format!(
                    "the history of the default branch ({branch}) could not be read, so tags were not checked for sharing it: {e}"
                ));
            return;
        }
    };
    let mut known = Known::default();
    for tag in tags.iter_mut() {
        let Some(id) = tag
            .commit
            .as_deref()
            .and_then(|c| gix::ObjectId::from_hex(c.as_bytes()).ok())
        else {
            continue;
        };
        match meets(repo, id, &main, &mut known) {
            Ok(shares) => tag.shares_history = Some(shares),
            Err(e) => notes.push(format!(
                "the history of tag {} could not be read to its roots, so it counts as the project's: {e}",
                tag.name
            )),
        }
    }
}

/// What earlier walks learnt: commits whose history reaches the default
/// branch's, and commits whose whole history does not.
#[derive(Default)]
struct Known {
    related: gix::hashtable::HashSet<gix::ObjectId>,
    unrelated: gix::hashtable::HashSet<gix::ObjectId>,
}

/// Whether the history of `start` reaches a commit of `main`, breadth
/// first. The path found is remembered as related; a history that never
/// reaches `main` is remembered as unrelated; neither is walked again.
fn meets(
    repo: &gix::Repository,
    start: gix::ObjectId,
    main: &gix::hashtable::HashSet<gix::ObjectId>,
    known: &mut Known,
) -> Result<bool, String> {
    let mut came_from: gix::hashtable::HashMap<gix::ObjectId, gix::ObjectId> =
        gix::hashtable::HashMap::default();
    let mut seen = gix::hashtable::HashSet::default();
    seen.insert(start);
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(id) = queue.pop_front() {
        if main.contains(&id) || known.related.contains(&id) {
            let mut at = id;
            while let Some(&child) = came_from.get(&at) {
                known.related.insert(child);
                at = child;
            }
            return Ok(true);
        }
        if known.unrelated.contains(&id) {
            continue;
        }
        let commit = repo.find_commit(id).map_err(|e| e.to_string())?;
        for parent in commit.parent_ids() {
            let parent = parent.detach();
            if seen.insert(parent) {
                came_from.insert(parent, id);
                queue.push_back(parent);
            }
        }
    }
    known.unrelated.extend(seen);
    Ok(false)
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
                shares_history: None,
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
                shares_history: None,
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
pub(crate) fn strip_credentials(url: &str) -> String {
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
