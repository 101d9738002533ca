//! GitHub source: releases (or tags with dates when a project publishes no
//! releases), and the issues and pull requests opened in the window with
//! their first responses. Never one request per issue:
//!
//! - with a token, GraphQL lists 100 issues or pull requests per request,
//!   each with its first comments and reviews;
//! - without one, REST lists issues 100 per page and takes responses from the
//!   repository-wide comment listings (issue comments and review comments).
//!
//! GitHub Actions runs of the default branch come from REST either way
//! ([`actions`]).
//!
//! What could not be fetched is kept as far as it got and marked incomplete
//! in the provenance, with the reason; it is never silently dropped.

mod actions;
pub mod bench;
pub mod client;
mod parse;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use self::client::{Client, FetchError, Listing};
use crate::evidence::{GitHubRelease, Item, ItemKind, Provenance, Tag};
use crate::window::Window;

/// At most this many pages of any one listing (100 items each).
const MAX_PAGES: usize = 200;
/// First responses fetched per item with GraphQL.
const FIRST_RESPONSES: usize = 10;

/// A repository on GitHub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub owner: String,
    pub name: String,
}

impl Repo {
    #[must_use]
    pub fn slug(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// What the GitHub source gives.
#[derive(Debug, Default)]
pub struct GitHubEvidence {
    pub releases: Option<Vec<GitHubRelease>>,
    /// Tags with dates, when the repository has no releases and they could be read.
    pub tags: Option<Vec<Tag>>,
    pub items: Option<Vec<Item>>,
    /// GitHub Actions runs of the default branch in the window.
    pub runs: Option<Vec<crate::evidence::WorkflowRun>>,
    /// github-action-benchmark series from the gh-pages branch, when published.
    pub bench: Option<Vec<crate::evidence::BenchSeries>>,
    pub sources: Vec<Provenance>,
    /// The oldest time any of the data was fetched at (cached data is older than the run).
    pub fetched_at: Option<DateTime<Utc>>,
}

fn provenance(
    source: &str,
    location: String,
    items: usize,
    item: &str,
    error: Option<&FetchError>,
    mut notes: Vec<String>,
) -> Provenance {
    if let Some(e) = error {
        notes.insert(0, format!("incomplete: {e}"));
    }
    Provenance {
        source: source.into(),
        location,
        items: items as u64,
        item: item.into(),
        requests: 0,
        complete: error.is_none(),
        notes,
        fetched_at: None,
    }
}

/// Collects everything for `repo`. Fails only when the repository itself
/// cannot be found or read at all; partial data is returned with notes.
///
/// # Errors
/// The repository does not exist (or the token cannot see it), or the credentials are refused.
pub async fn collect(
    client: &Client,
    repo: &Repo,
    window: &Window,
    bench_pages: bool,
) -> Result<GitHubEvidence, FetchError> {
    let (releases, items, runs, bench) = tokio::join!(
        collect_releases(client, repo),
        collect_items(client, repo, window),
        actions::collect_runs(client, repo, window),
        async {
            if bench_pages {
                Some(bench::collect_bench(client, repo).await)
            } else {
                None
            }
        }
    );
    let mut ev = GitHubEvidence::default();
    let (releases, tags, mut release_sources, releases_at) = releases?;
    let (items, mut item_sources, items_at) = items?;
    let (runs, run_source, runs_at) = runs;
    let (bench, bench_source, bench_at) = bench.unwrap_or((None, None, None));
    ev.bench = bench;
    ev.releases = releases;
    ev.tags = tags;
    ev.items = items;
    ev.runs = runs;
    ev.sources.append(&mut release_sources);
    ev.sources.append(&mut item_sources);
    ev.sources.push(run_source);
    ev.sources.extend(bench_source);
    ev.fetched_at = [releases_at, items_at, runs_at, bench_at]
        .into_iter()
        .flatten()
        .min();
    // Offline with nothing cached for this repository: an empty report would
    // only hide the problem.
    let got_nothing = ev.releases.as_ref().is_none_or(Vec::is_empty)
        && ev.items.as_ref().is_none_or(Vec::is_empty)
        && ev.runs.as_ref().is_none_or(Vec::is_empty)
        && ev.tags.is_none();
    if client.offline() && got_nothing && ev.sources.iter().all(|s| !s.complete) {
        return Err(FetchError::Offline {
            path: format!(
                "/repos/{} (nothing about it is cached; run once without --offline)",
                repo.slug()
            ),
        });
    }
    Ok(ev)
}

type ReleasesOut = (
    Option<Vec<GitHubRelease>>,
    Option<Vec<Tag>>,
    Vec<Provenance>,
    Option<DateTime<Utc>>,
);

async fn collect_releases(client: &Client, repo: &Repo) -> Result<ReleasesOut, FetchError> {
    let path = format!("/repos/{}/releases?per_page=100", repo.slug());
    let listing = client.get_all(&path, MAX_PAGES).await;
    let (raw, error, fetched_at) = (listing.items, listing.error, listing.fetched_at);
    if let Some(e @ (FetchError::NotFound { .. } | FetchError::Unauthorized { .. })) = &error {
        return Err(e.clone());
    }
    let releases: Vec<GitHubRelease> = raw.iter().filter_map(parse::release).collect();
    let mut sources = vec![provenance(
        "github releases",
        format!("{}{path}", client.base()),
        releases.len(),
        "releases",
        error.as_ref(),
        Vec::new(),
    )];
    if !releases.is_empty() || error.is_some() {
        return Ok((Some(releases), None, sources, fetched_at));
    }
    // No GitHub releases: fall back to tags, whose dates only GraphQL gives in bulk.
    if !client.authenticated() {
        sources[0].notes.push(
            "the repository publishes no GitHub releases, and reading its tags' dates needs a token (GraphQL) or a local clone (readiness report ./clone --github OWNER/REPO)"
                .into(),
        );
        return Ok((Some(releases), None, sources, fetched_at));
    }
    // New tags change the REST tag listing, and so its ETags: cached GraphQL
    // answers are kept under that generation.
    let tags_path = format!("/repos/{}/tags?per_page=100", repo.slug());
    let generation = client.get_all(&tags_path, MAX_PAGES).await.generation;
    let (tags, error) = collect_tags(client, repo, generation.as_deref()).await;
    sources.push(provenance(
        "github tags",
        format!("{} (GraphQL refs/tags)", repo.slug()),
        tags.len(),
        "tags",
        error.as_ref(),
        Vec::new(),
    ));
    Ok((Some(releases), Some(tags), sources, fetched_at))
}

const TAGS_QUERY: &str = "query($owner: String!, $name: String!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    refs(refPrefix: \"refs/tags/\", first: 100, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes { name target { __typename oid
        ... on Tag { tagger { date } target { __typename oid ... on Commit { committedDate } } }
        ... on Commit { committedDate } } }
    }
  }
}";

async fn collect_tags(
    client: &Client,
    repo: &Repo,
    generation: Option<&str>,
) -> (Vec<Tag>, Option<FetchError>) {
    let mut tags = Vec::new();
    let mut cursor = Value::Null;
    for _ in 0..MAX_PAGES {
        let vars = json!({ "owner": repo.owner, "name": repo.name, "cursor": cursor });
        let v = match client.graphql_cached(TAGS_QUERY, &vars, generation).await {
            Ok(v) => v,
            Err(e) => return (tags, Some(e)),
        };
        let refs = &v["data"]["repository"]["refs"];
        tags.extend(
            refs["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(parse::graphql_tag),
        );
        match next_cursor(refs) {
            Some(c) => cursor = c,
            None => break,
        }
    }
    tags.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.name.cmp(&b.name)));
    (tags, None)
}

fn next_cursor(connection: &Value) -> Option<Value> {
    let info = &connection["pageInfo"];
    (info["hasNextPage"].as_bool() == Some(true))
        .then(|| info["endCursor"].clone())
        .filter(|c| !c.is_null())
}

type ItemsOut = (Option<Vec<Item>>, Vec<Provenance>, Option<DateTime<Utc>>);

async fn collect_items(
    client: &Client,
    repo: &Repo,
    window: &Window,
) -> Result<ItemsOut, FetchError> {
    if client.authenticated() {
        // Any new issue, comment, review, close or merge changes the most
        // recently updated item, and so this answer's ETag: cached GraphQL
        // pages are kept under it, and reused while it stays the same.
        let probe = format!(
            "/repos/{}/issues?state=all&sort=updated&direction=desc&per_page=1",
            repo.slug()
        );
        let generation = match client.get(&probe).await {
            Ok(p) => p.etag,
            Err(e @ (FetchError::NotFound { .. } | FetchError::Unauthorized { .. })) => {
                return Err(e);
            }
            Err(_) => None,
        };
        let (issues, prs) = tokio::join!(
            graphql_items(client, repo, window, ItemKind::Issue, generation.as_deref()),
            graphql_items(
                client,
                repo,
                window,
                ItemKind::PullRequest,
                generation.as_deref()
            )
        );
        let mut items = Vec::new();
        let mut sources = Vec::new();
        for (kind, (list, error)) in [("issues", issues), ("pull requests", prs)] {
            if let Some(e @ (FetchError::NotFound { .. } | FetchError::Unauthorized { .. })) =
                &error
            {
                return Err(e.clone());
            }
            sources.push(provenance(
                &format!("github {kind}"),
                format!("{} (GraphQL)", repo.slug()),
                list.len(),
                kind,
                error.as_ref(),
                Vec::new(),
            ));
            items.extend(list);
        }
        items.sort_by_key(|i| (i.created_at, i.number));
        return Ok((Some(items), sources, Some(Utc::now())));
    }
    rest_items(client, repo, window).await
}

const ISSUES_QUERY: &str = "query($owner: String!, $name: String!, $cursor: String, $first: Int!) {
  repository(owner: $owner, name: $name) {
    items: issues(first: 100, after: $cursor, orderBy: {field: CREATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes { number title url createdAt closedAt authorAssociation author { login __typename }
        labels(first: 20) { nodes { name } }
        comments(first: $first) { totalCount nodes { createdAt authorAssociation author { login __typename } } } }
    }
  }
}";

const PULLS_QUERY: &str = "query($owner: String!, $name: String!, $cursor: String, $first: Int!) {
  repository(owner: $owner, name: $name) {
    items: pullRequests(first: 100, after: $cursor, orderBy: {field: CREATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes { number title url createdAt closedAt mergedAt authorAssociation author { login __typename }
        labels(first: 20) { nodes { name } }
        comments(first: $first) { totalCount nodes { createdAt authorAssociation author { login __typename } } }
        reviews(first: $first) { totalCount nodes { submittedAt createdAt authorAssociation author { login __typename } } } }
    }
  }
}";

/// Issues or pull requests created in the window, newest first, 100 a request.
async fn graphql_items(
    client: &Client,
    repo: &Repo,
    window: &Window,
    kind: ItemKind,
    generation: Option<&str>,
) -> (Vec<Item>, Option<FetchError>) {
    let query = if kind == ItemKind::Issue {
        ISSUES_QUERY
    } else {
        PULLS_QUERY
    };
    let mut items = Vec::new();
    let mut cursor = Value::Null;
    for _ in 0..MAX_PAGES {
        let vars = json!({ "owner": repo.owner, "name": repo.name, "cursor": cursor, "first": FIRST_RESPONSES });
        let v = match client.graphql_cached(query, &vars, generation).await {
            Ok(v) => v,
            Err(e) => return (items, Some(e)),
        };
        let conn = &v["data"]["repository"]["items"];
        if conn.is_null() {
            return (
                items,
                Some(FetchError::NotFound {
                    path: format!("/repos/{}", repo.slug()),
                }),
            );
        }
        let mut older = false;
        for node in conn["nodes"].as_array().into_iter().flatten() {
            match parse::graphql_item(node, kind) {
                Some(item) if item.created_at > window.until => {}
                Some(item) if item.created_at <= window.since => older = true,
                Some(item) => items.push(item),
                None => {}
            }
        }
        match next_cursor(conn) {
            Some(c) if !older => cursor = c,
            _ => break,
        }
    }
    (items, None)
}

/// Without a token: the issues listing (pull requests included), then the
/// repository-wide comment listings since the window's start.
async fn rest_items(client: &Client, repo: &Repo, window: &Window) -> Result<ItemsOut, FetchError> {
    let since = window.since.format("%Y-%m-%dT%H:%M:%SZ");
    let mut items: Vec<Item> = Vec::new();
    let mut error = None;
    let mut next = Some(format!(
        "/repos/{}/issues?state=all&sort=created&direction=desc&per_page=100&since={since}",
        repo.slug()
    ));
    let mut fetched_at = None;
    let mut pages = 0;
    while let Some(path) = next.take() {
        pages += 1;
        match client.get(&path).await {
            Ok(page) => {
                fetched_at = fetched_at.or(Some(page.fetched_at));
                let mut older = false;
                for raw in page.body.as_array().into_iter().flatten() {
                    match parse::rest_item(raw) {
                        Some(item) if item.created_at > window.until => {}
                        Some(item) if item.created_at <= window.since => older = true,
                        Some(item) => items.push(item),
                        None => {}
                    }
                }
                if !older && pages < MAX_PAGES {
                    next = page.next;
                }
            }
            Err(e @ (FetchError::NotFound { .. } | FetchError::Unauthorized { .. })) => {
                return Err(e);
            }
            Err(e) => error = Some(e),
        }
    }
    let mut sources = vec![provenance(
        "github issues and pull requests",
        format!("{} (REST, no token)", repo.slug()),
        items.len(),
        "issues and pull requests",
        error.as_ref(),
        Vec::new(),
    )];

    let by_number: HashMap<u64, usize> = items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.number, i))
        .collect();
    let listings = [
        (
            format!(
                "/repos/{}/issues/comments?sort=created&direction=asc&per_page=100&since={since}",
                repo.slug()
            ),
            "issue comments",
        ),
        (
            format!(
                "/repos/{}/pulls/comments?sort=created&direction=asc&per_page=100&since={since}",
                repo.slug()
            ),
            "review comments",
        ),
    ];
    let (a, b) = tokio::join!(
        client.get_all(&listings[0].0, MAX_PAGES),
        client.get_all(&listings[1].0, MAX_PAGES)
    );
    for (
        Listing {
            items: raw,
            error: err,
            ..
        },
        (path, what),
    ) in [a, b].into_iter().zip(&listings)
    {
        let mut attached = 0;
        for c in &raw {
            if let Some((number, response)) = parse::rest_comment(c)
                && let Some(&i) = by_number.get(&number)
            {
                items[i].responses.push(response);
                attached += 1;
            }
        }
        let mut notes = Vec::new();
        if *what == "review comments" {
            notes.push("without a token, reviews that left no line comment (approvals, change requests) are not seen".into());
        }
        sources.push(provenance(
            &format!("github {what}"),
            format!("{}{path}", client.base()),
            attached,
            what,
            err.as_ref(),
            notes,
        ));
        if err.is_some() {
            // Responses may be missing for any item: say so on every item.
            for item in &mut items {
                item.responses_complete = false;
            }
        }
    }
    for item in &mut items {
        item.responses.sort_by_key(|r| r.at);
    }
    items.sort_by_key(|i| (i.created_at, i.number));
    Ok((Some(items), sources, fetched_at))
}
