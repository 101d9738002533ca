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
//! in the provenance, with the reason; it is never silently dropped. So are
//! listings that loop (a page or cursor offered twice), partial GraphQL
//! answers (with the errors' types), and records skipped for their shape
//! (counted by reason, see [`parse`]).

mod actions;
pub mod bench_artifacts;
pub mod client;
pub mod download;
pub(crate) mod gh_pages;
pub mod pacer;
pub mod parse;
pub mod test_reports;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use self::client::{Client, FetchError, Listing, PageGuard, page_limit};
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

/// What made a source incomplete short of an error that stopped it: a
/// listing that stopped early (a loop, the page limit), a partial GraphQL
/// answer, records skipped for their shape. Items listed twice are counted
/// once without a note: pages shift while new items arrive.
#[derive(Debug, Default)]
pub(crate) struct Gaps {
    reasons: Vec<String>,
    skipped: BTreeMap<String, usize>,
}

impl Gaps {
    /// A REST listing's own gaps.
    fn of(listing: &Listing) -> Gaps {
        let mut g = Gaps::default();
        g.absorb(listing);
        g
    }

    fn absorb(&mut self, listing: &Listing) {
        if let Some(r) = &listing.stopped {
            self.stop(r.clone());
        }
    }

    /// The source stopped short, or may miss items, for `reason` (said once).
    fn stop(&mut self, reason: String) {
        if !self.reasons.contains(&reason) {
            self.reasons.push(reason);
        }
    }

    /// A record was skipped for `reason`.
    fn skip(&mut self, reason: parse::Skip) {
        *self.skipped.entry(reason).or_default() += 1;
    }

    /// Notes the gaps in `p`, and marks it incomplete when it misses anything.
    fn apply(self, p: &mut Provenance) {
        for r in self.reasons {
            p.complete = false;
            p.notes.push(format!("incomplete: {r}"));
        }
        if !self.skipped.is_empty() {
            let total: usize = self.skipped.values().sum();
            let why: Vec<String> = self
                .skipped
                .iter()
                .map(|(reason, n)| format!("{reason} ({n})"))
                .collect();
            p.complete = false;
            p.notes.push(format!(
                "incomplete: {total} {} skipped, in a shape readiness cannot read: {}",
                p.item,
                why.join("; ")
            ));
        }
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
                Some(gh_pages::read_data_js(client, repo).await)
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
    let mut gaps = Gaps::of(&listing);
    let (raw, error, fetched_at) = (listing.items, listing.error, listing.fetched_at);
    if let Some(e @ (FetchError::NotFound { .. } | FetchError::Unauthorized { .. })) = &error {
        return Err(e.clone());
    }
    let mut releases: Vec<GitHubRelease> = Vec::new();
    for r in &raw {
        match parse::release(r) {
            Ok(release) => releases.push(release),
            Err(why) => gaps.skip(why),
        }
    }
    let mut sources = vec![provenance(
        crate::evidence::sources::GITHUB_RELEASES,
        format!("{}{path}", client.base()),
        releases.len(),
        "releases",
        error.as_ref(),
        Vec::new(),
    )];
    let unsure = !gaps.reasons.is_empty() || !gaps.skipped.is_empty();
    gaps.apply(&mut sources[0]);
    if !releases.is_empty() || error.is_some() || unsure {
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
    let (tags, error, gaps) = collect_tags(client, repo, generation.as_deref()).await;
    let mut source = provenance(
        crate::evidence::sources::GITHUB_TAGS,
        format!("{} (GraphQL refs/tags)", repo.slug()),
        tags.len(),
        "tags",
        error.as_ref(),
        Vec::new(),
    );
    gaps.apply(&mut source);
    sources.push(source);
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
) -> (Vec<Tag>, Option<FetchError>, Gaps) {
    let mut tags = Vec::new();
    let mut gaps = Gaps::default();
    let mut names = HashSet::new();
    let vars = json!({ "owner": repo.owner, "name": repo.name, "cursor": Value::Null });
    let refs = |v: &Value| v["data"]["repository"]["refs"].clone();
    let q = Query {
        repo,
        text: TAGS_QUERY,
        vars,
        generation,
    };
    let error = graphql_pages(client, q, refs, &mut gaps, |nodes, gaps| {
        let mut new = 0;
        for node in nodes {
            match parse::graphql_tag(node) {
                Ok(Some(tag)) if !names.insert(tag.name.clone()) => {}
                Ok(Some(tag)) => {
                    new += 1;
                    tags.push(tag);
                }
                // A tag of a tree or a blob has no date.
                Ok(None) => new += 1,
                Err(why) => {
                    new += 1;
                    gaps.skip(why);
                }
            }
        }
        !repeats(nodes.len(), new, gaps)
    })
    .await;
    tags.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.name.cmp(&b.name)));
    (tags, error, gaps)
}

/// Whether a page of `n` nodes that added `new` items only repeats what
/// was read (a cursor loop): then noted in `gaps`.
fn repeats(n: usize, new: usize, gaps: &mut Gaps) -> bool {
    let looped = n > 0 && new == 0;
    if looped {
        gaps.stop(format!(
            "a page held only items already read ({n}): the listing loops, and stopped there"
        ));
    }
    looped
}

/// One GraphQL listing: its query text, its first variables (`cursor`
/// null), and the generation its cached pages are kept under.
struct Query<'a> {
    repo: &'a Repo,
    text: &'a str,
    vars: Value,
    generation: Option<&'a str>,
}

/// Pages through a GraphQL connection by cursor, at most [`MAX_PAGES`]
/// requests. `connection` finds the connection in an answer (null: the
/// repository cannot be read); `nodes` takes each page's nodes and says
/// whether to go on. A cursor already followed, a partial answer, page
/// info that cannot be followed and the page limit are noted in `gaps`;
/// the error that stopped the paging is returned.
async fn graphql_pages(
    client: &Client,
    q: Query<'_>,
    connection: impl Fn(&Value) -> Value,
    gaps: &mut Gaps,
    mut nodes: impl FnMut(&[Value], &mut Gaps) -> bool,
) -> Option<FetchError> {
    let Query {
        repo,
        text,
        mut vars,
        generation,
    } = q;
    let mut cursors = HashSet::new();
    for _ in 0..MAX_PAGES {
        let v = match client.graphql_cached(text, &vars, generation).await {
            Ok(v) => v,
            Err(e) => return Some(e),
        };
        if let Some(why) = client.graphql_errors(&v) {
            gaps.stop(why);
        }
        let conn = connection(&v);
        if conn.is_null() {
            return Some(FetchError::NotFound {
                path: format!("/repos/{}", repo.slug()),
            });
        }
        let Some(list) = conn["nodes"].as_array() else {
            gaps.stop("a GraphQL page's `nodes` is not a list".into());
            return None;
        };
        let go_on = nodes(list, gaps);
        match parse::next_cursor(&conn) {
            Ok(Some(c)) if go_on => {
                if !cursors.insert(c.clone()) {
                    gaps.stop("GitHub's GraphQL answer offered a cursor already followed as the next page: the listing stopped there".into());
                    return None;
                }
                vars["cursor"] = Value::String(c);
            }
            Ok(_) => return None,
            Err(why) => {
                if go_on {
                    gaps.stop(format!("the next page cannot be asked for: {why}"));
                }
                return None;
            }
        }
    }
    gaps.stop(page_limit(MAX_PAGES));
    None
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
        let named = [
            (crate::evidence::sources::GITHUB_ISSUES, "issues", issues),
            (crate::evidence::sources::GITHUB_PULLS, "pull requests", prs),
        ];
        for (name, kind, (list, error, gaps)) in named {
            if let Some(e @ (FetchError::NotFound { .. } | FetchError::Unauthorized { .. })) =
                &error
            {
                return Err(e.clone());
            }
            let mut source = provenance(
                name,
                format!("{} (GraphQL)", repo.slug()),
                list.len(),
                kind,
                error.as_ref(),
                Vec::new(),
            );
            gaps.apply(&mut source);
            sources.push(source);
            items.extend(list);
        }
        items.sort_by_key(|i| (i.created_at, i.number));
        return Ok((Some(items), sources, Some(crate::window::recorded_now())));
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

/// Issues or pull requests created in the window, newest first, 100 a
/// request, each counted once by its number.
async fn graphql_items(
    client: &Client,
    repo: &Repo,
    window: &Window,
    kind: ItemKind,
    generation: Option<&str>,
) -> (Vec<Item>, Option<FetchError>, Gaps) {
    let query = if kind == ItemKind::Issue {
        ISSUES_QUERY
    } else {
        PULLS_QUERY
    };
    let mut items = Vec::new();
    let mut gaps = Gaps::default();
    let mut numbers = HashSet::new();
    let vars = json!({ "owner": repo.owner, "name": repo.name, "cursor": Value::Null, "first": FIRST_RESPONSES });
    let conn = |v: &Value| v["data"]["repository"]["items"].clone();
    let q = Query {
        repo,
        text: query,
        vars,
        generation,
    };
    let error = graphql_pages(client, q, conn, &mut gaps, |nodes, gaps| {
        let (mut older, mut new) = (false, 0);
        for node in nodes {
            match parse::graphql_item(node, kind) {
                Ok(item) if !numbers.insert(item.number) => {}
                Ok(item) if item.created_at > window.until => new += 1,
                Ok(item) if item.created_at <= window.since => (older, new) = (true, new + 1),
                Ok(item) => {
                    new += 1;
                    items.push(item);
                }
                Err(why) => {
                    new += 1;
                    gaps.skip(why);
                }
            }
        }
        !older && !repeats(nodes.len(), new, gaps)
    })
    .await;
    (items, error, gaps)
}

/// The pages of the REST issues listing (pull requests included) created
/// in the window, newest first, each counted once by its `id`.
async fn rest_issue_pages(
    client: &Client,
    repo: &Repo,
    window: &Window,
    since: &str,
) -> Result<(Vec<Item>, Option<FetchError>, Gaps, Option<DateTime<Utc>>), FetchError> {
    let mut items: Vec<Item> = Vec::new();
    let (mut error, mut gaps, mut guard) = (None, Gaps::default(), PageGuard::default());
    let mut next = Some(format!(
        "/repos/{}/issues?state=all&sort=created&direction=desc&per_page=100&since={since}",
        repo.slug()
    ));
    let (mut fetched_at, mut pages) = (None, 0);
    while let Some(path) = next.take() {
        if pages >= MAX_PAGES {
            gaps.stop(page_limit(MAX_PAGES));
            break;
        }
        if let Err(why) = guard.enter(&path) {
            gaps.stop(why);
            break;
        }
        pages += 1;
        let page = match client.get(&path).await {
            Ok(page) => page,
            Err(e @ (FetchError::NotFound { .. } | FetchError::Unauthorized { .. })) => {
                return Err(e);
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        };
        fetched_at = fetched_at.or(Some(page.fetched_at));
        let Some(list) = page.body.as_array() else {
            gaps.stop("a page of the issues listing is not a list".into());
            break;
        };
        let mut fresh = Vec::new();
        if let Err(why) = guard.keep(list.clone(), &mut fresh) {
            gaps.stop(why);
            break;
        }
        let mut older = false;
        for raw in &fresh {
            match parse::rest_item(raw) {
                Ok(item) if item.created_at > window.until => {}
                Ok(item) if item.created_at <= window.since => older = true,
                Ok(item) => items.push(item),
                Err(why) => gaps.skip(why),
            }
        }
        if older {
            break;
        }
        if let Some(why) = page.next_refused {
            gaps.stop(why);
        }
        next = page.next;
    }
    Ok((items, error, gaps, fetched_at))
}

/// Without a token: the issues listing (pull requests included), then the
/// repository-wide comment listings since the window's start.
async fn rest_items(client: &Client, repo: &Repo, window: &Window) -> Result<ItemsOut, FetchError> {
    let since = window.since.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let (mut items, error, gaps, fetched_at) =
        rest_issue_pages(client, repo, window, &since).await?;
    let mut source = provenance(
        crate::evidence::sources::GITHUB_ITEMS,
        format!("{} (REST, no token)", repo.slug()),
        items.len(),
        "issues and pull requests",
        error.as_ref(),
        Vec::new(),
    );
    gaps.apply(&mut source);
    let mut sources = vec![source];
    sources.extend(rest_responses(client, repo, &since, &mut items).await);
    for item in &mut items {
        item.responses.sort_by_key(|r| r.at);
    }
    items.sort_by_key(|i| (i.created_at, i.number));
    Ok((Some(items), sources, fetched_at))
}

/// Attaches the repository-wide issue comments and review comments to
/// `items`; one provenance per listing. When a listing misses anything,
/// every item's responses are marked incomplete.
async fn rest_responses(
    client: &Client,
    repo: &Repo,
    since: &str,
    items: &mut [Item],
) -> Vec<Provenance> {
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
    let mut sources = Vec::new();
    for (listing, (path, what)) in [a, b].into_iter().zip(&listings) {
        let mut gaps = Gaps::of(&listing);
        let mut attached = 0;
        for c in &listing.items {
            match parse::rest_comment(c) {
                Ok((number, response)) => {
                    if let Some(&i) = by_number.get(&number) {
                        items[i].responses.push(response);
                        attached += 1;
                    }
                }
                Err(why) => gaps.skip(why),
            }
        }
        let mut notes = Vec::new();
        if *what == "review comments" {
            notes.push("without a token, reviews that left no line comment (approvals, change requests) are not seen".into());
        }
        let mut source = provenance(
            &format!("github {what}"),
            format!("{}{path}", client.base()),
            attached,
            what,
            listing.error.as_ref(),
            notes,
        );
        gaps.apply(&mut source);
        if !source.complete {
            // Responses may be missing for any item: say so on every item.
            for item in items.iter_mut() {
                item.responses_complete = false;
            }
        }
        sources.push(source);
    }
    sources
}
