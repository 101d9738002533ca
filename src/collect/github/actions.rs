//! GitHub Actions workflow runs of the default branch in the window, over
//! REST (with or without a token):
//!
//! 1. `GET /repos/{o}/{r}` for `default_branch` (revalidated by ETag like
//!    every REST answer);
//! 2. `GET /repos/{o}/{r}/actions/runs?branch=B&created=A..Z&per_page=100`,
//!    paged. GitHub answers at most 1,000 results for a filtered listing:
//!    when `total_count` is above that, the date range is cut into
//!    `ceil(total_count / 1,000)` equal parts, fetched concurrently, and any
//!    part still above the cap is cut again. Runs are deduplicated by id.
//!
//! Only the runs are kept, never one request per run or per job. A 404 on
//! the runs listing is a repository with Actions disabled (or a token that
//! may not see them): no runs, with a note. A repository whose metadata
//! cannot be read gives no runs at all (`None`), with a note.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::client::{Client, FetchError, Listing, futures_join_all};
use super::{Gaps, Repo, parse};
use crate::evidence::{Provenance, WorkflowRun};
use crate::window::Window;

/// GitHub's cap on the results of one filtered listing.
const CAP: u64 = 1000;
/// Pages of one query: the cap at 100 a page.
const PAGES: usize = 10;
/// How many times a date range may be cut again.
const MAX_DEPTH: u32 = 8;

/// The runs, their provenance, and when the oldest data was fetched.
pub(super) type RunsOut = (Option<Vec<WorkflowRun>>, Provenance, Option<DateTime<Utc>>);

/// A date range of the `created` qualifier, both ends included (whole seconds).
#[derive(Debug, Clone, Copy)]
struct Range {
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    depth: u32,
}

impl Range {
    fn splittable(&self) -> bool {
        self.depth < MAX_DEPTH && (self.until - self.since) >= Duration::seconds(2)
    }

    /// `parts` consecutive ranges that do not overlap and cover this one.
    fn split(&self, parts: u64) -> Vec<Range> {
        let secs = (self.until - self.since).num_seconds();
        let parts = i64::try_from(parts)
            .unwrap_or(i64::MAX)
            .clamp(2, secs.max(2));
        let cut = |i: i64| self.since + Duration::seconds(secs * i / parts);
        (0..parts)
            .map(|i| Range {
                since: cut(i),
                until: if i + 1 == parts {
                    self.until
                } else {
                    cut(i + 1) - Duration::seconds(1)
                },
                depth: self.depth + 1,
            })
            .filter(|r| r.since <= r.until)
            .collect()
    }

    fn qualifier(&self) -> String {
        format!(
            "{}..{}",
            self.since.format("%Y-%m-%dT%H:%M:%SZ"),
            self.until.format("%Y-%m-%dT%H:%M:%SZ")
        )
    }
}

/// Percent-encodes a query value (branch names may hold `/`, `+`, `#`, `&`).
pub(super) fn encode(value: &str) -> String {
    let mut s = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn runs_path(repo: &Repo, branch: &str, range: &Range) -> String {
    format!(
        "/repos/{}/actions/runs?branch={}&created={}&exclude_pull_requests=true&per_page=100",
        repo.slug(),
        encode(branch),
        range.qualifier()
    )
}

fn provenance(location: String, items: usize, complete: bool, notes: Vec<String>) -> Provenance {
    Provenance {
        source: crate::evidence::sources::GITHUB_RUNS.into(),
        location,
        items: items as u64,
        item: "runs".into(),
        requests: 0,
        complete,
        notes,
        fetched_at: None,
    }
}

/// The workflow runs of `repo`'s default branch created in `window`.
pub(super) async fn collect_runs(client: &Client, repo: &Repo, window: &Window) -> RunsOut {
    let meta_path = format!("/repos/{}", repo.slug());
    let location = format!("{}/repos/{}/actions/runs", client.base(), repo.slug());
    let meta = match client.get(&meta_path).await {
        Ok(page) => page,
        Err(e) => {
            let note = format!(
                "runs not collected: the repository's default branch could not be read: {e}"
            );
            return (None, provenance(location, 0, false, vec![note]), None);
        }
    };
    let Some(branch) = meta.body["default_branch"].as_str().map(str::to_string) else {
        let note = format!("runs not collected: {meta_path} names no default_branch");
        return (None, provenance(location, 0, false, vec![note]), None);
    };
    let mut fetched_at = Some(meta.fetched_at);
    let mut notes = vec![format!("default branch {branch}")];
    let mut complete = true;
    let mut runs: BTreeMap<u64, WorkflowRun> = BTreeMap::new();
    let mut gaps = Gaps::default();
    let mut wave = vec![Range {
        since: window.since,
        until: window.until,
        depth: 0,
    }];
    let mut queries = 0;
    let mut first = true;
    while !wave.is_empty() {
        queries += wave.len();
        let listings: Vec<Listing> = futures_join_all(wave.iter().map(|r| {
            let path = runs_path(repo, &branch, r);
            let stop = r.splittable().then_some(CAP);
            async move {
                client
                    .get_all_in(&path, PAGES, Some("workflow_runs"), stop)
                    .await
            }
        }))
        .await;
        let mut next = Vec::new();
        for (range, listing) in wave.iter().zip(listings) {
            if first && matches!(listing.error, Some(FetchError::NotFound { .. })) {
                notes.push(
                    "the runs listing answered 404: GitHub Actions is disabled for this repository (or the token may not read it); no runs"
                        .into(),
                );
                return (
                    Some(Vec::new()),
                    provenance(location, 0, true, notes),
                    fetched_at,
                );
            }
            if let Some(at) = listing.fetched_at {
                fetched_at = Some(fetched_at.map_or(at, |f| f.min(at)));
            }
            let got = listing.items.len();
            gaps.absorb(&listing);
            for raw in &listing.items {
                match parse::workflow_run(raw) {
                    Ok(run) => {
                        runs.insert(run.id, run);
                    }
                    Err(why) => gaps.skip(why),
                }
            }
            if let Some(e) = &listing.error {
                complete = false;
                notes.push(format!("incomplete: created {}: {e}", range.qualifier()));
            } else if listing.stopped_early {
                let total = listing.total_count.unwrap_or(CAP + 1);
                next.extend(range.split(total.div_ceil(CAP)));
            } else if let Some(total) = listing.total_count
                && total > got as u64
            {
                complete = false;
                notes.push(format!(
                    "incomplete: created {}: {total} runs match, GitHub lists at most {CAP} per query and the range cannot be cut further; {got} fetched",
                    range.qualifier()
                ));
            }
        }
        first = false;
        wave = next;
    }
    if queries > 1 {
        notes.push(format!(
            "more than {CAP} runs match the window, GitHub's cap for one query: fetched as {queries} queries over date ranges"
        ));
    }
    let mut runs: Vec<WorkflowRun> = runs.into_values().collect();
    runs.sort_by_key(|r| (r.created_at, r.id));
    let mut source = provenance(location, runs.len(), complete, notes);
    gaps.apply(&mut source);
    (Some(runs), source, fetched_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// Parts cover the range exactly, without overlap, to the second.
    #[test]
    fn ranges_split_into_adjacent_parts() {
        let r = Range {
            since: at("2026-01-01T00:00:00Z"),
            until: at("2026-01-01T00:00:30Z"),
            depth: 0,
        };
        let parts = r.split(3);
        let q: Vec<String> = parts.iter().map(Range::qualifier).collect();
        assert_eq!(
            q,
            [
                "2026-01-01T00:00:00Z..2026-01-01T00:00:09Z",
                "2026-01-01T00:00:10Z..2026-01-01T00:00:19Z",
                "2026-01-01T00:00:20Z..2026-01-01T00:00:30Z"
            ]
        );
        assert!(parts.iter().all(|p| p.depth == 1));
        let tiny = Range {
            since: at("2026-01-01T00:00:00Z"),
            until: at("2026-01-01T00:00:01Z"),
            depth: 0,
        };
        assert!(!tiny.splittable());
    }

    /// Branch names are encoded for the query string.
    #[test]
    fn branch_names_are_encoded() {
        assert_eq!(encode("release/1.x+y"), "release%2F1.x%2By");
        assert_eq!(encode("main"), "main");
    }
}
