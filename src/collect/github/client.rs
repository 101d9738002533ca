//! The GitHub HTTP client: octocrab underneath, with this project's own
//! policy on top — conditional requests through the cache (a 304 costs no
//! rate limit), bounded concurrency, and a bounded retry of transient faults:
//!
//! - 5xx, timeouts, connection errors and truncated or non-JSON bodies are
//!   retried with exponential backoff, at most `retries` times;
//! - 429 and secondary limits (403 with `Retry-After`) wait as told;
//! - the primary limit (`x-ratelimit-remaining: 0`) waits for the reset when
//!   it is within `max_wait`, else stops with the time to retry at;
//! - GraphQL `errors[].type == "RATE_LIMITED"` (sent with HTTP 200) is the
//!   primary limit too; a partial answer (`data` with a `TIMEOUT` error) is
//!   asked again, and one that stays partial is returned for the caller to
//!   mark incomplete;
//! - any rate-limit header value, however large, is a wait: never an
//!   overflow, never a sleep beyond `max_wait`.
//!
//! Listings follow `Link` headers with a [`PageGuard`]: a page offered twice
//! ends the listing (marked `stopped`), and items count once by `id`. A
//! redirect or a next page on another host is not used, and the token never
//! goes there; URLs are compared, cached and shown without `user:password@`.
//!
//! The token lives only in octocrab's authorization header. It is checked
//! for characters a header cannot carry before octocrab sees it, is never
//! part of a cache key (a fingerprint is), and never appears in an error:
//! errors name the URL path and GitHub's message only.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde_json::Value;
use tokio::sync::Semaphore;
use tower_http::follow_redirect::RequestUri;

use super::pacer::{Admitted, Pacer, Resource};
use crate::cache::{self, Cache, Entry};

/// A GitHub token. Its `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Checks a token: trimmed, non-empty, and only visible ASCII (a token read
    /// from a file often ends with a newline, which no HTTP header can carry).
    ///
    /// # Errors
    /// An empty token or one with characters a header cannot carry; the
    /// message names the variable or flag it came from, never the token.
    pub fn new(raw: &str, from: &str) -> Result<Token, String> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(format!("the token from {from} is empty"));
        }
        if !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!(
                "the token from {from} contains spaces or characters that are not printable ASCII"
            ));
        }
        Ok(Token(t.to_string()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// How the client behaves; `Default` is what the command line uses.
#[derive(Debug, Clone)]
pub struct Settings {
    /// REST base: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise.
    pub api_url: String,
    pub token: Option<Token>,
    /// Answer from the cache alone.
    pub offline: bool,
    /// Transient faults are retried this many times.
    pub retries: u32,
    /// The first backoff; it doubles on each retry.
    pub backoff: Duration,
    /// The longest the client waits for a rate limit to reset.
    pub max_wait: Duration,
    /// Requests in flight at once, for this client (one target).
    pub concurrency: usize,
    /// A limit shared by every client of the run (targets collected at the
    /// same time): a request holds a permit of both. `None`: no shared limit.
    pub overall: Option<std::sync::Arc<Semaphore>>,
    /// One request's time limit.
    pub timeout: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            api_url: "https://api.github.com".into(),
            token: None,
            offline: false,
            retries: 4,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(90),
            concurrency: 4,
            overall: None,
            timeout: Duration::from_secs(30),
        }
    }
}

/// Why a request did not give data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("{path}: not found (404): check the repository name and that the token can see it")]
    NotFound { path: String },
    #[error(
        "{path}: GitHub refused the credentials (401): check the token (--token, else GH_TOKEN or GITHUB_TOKEN; GH_ENTERPRISE_TOKEN for another host)"
    )]
    Unauthorized { path: String },
    #[error(
        "{path}: the rate limit is used up until {reset} (in {minutes} minutes); run again then: what was fetched is cached"
    )]
    RateLimited {
        path: String,
        reset: String,
        minutes: i64,
    },
    #[error("{path}: HTTP {status}: {message}")]
    Http {
        path: String,
        status: u16,
        message: String,
    },
    #[error("{path}: cannot connect to {base} (no network, a DNS failure or a firewall?): {last}")]
    Unreachable {
        path: String,
        base: String,
        last: String,
    },
    #[error("{path}: gave up after {attempts} attempts: {last}")]
    GaveUp {
        path: String,
        attempts: u32,
        last: String,
    },
    #[error("{path}: GraphQL error: {message}")]
    GraphQl { path: String, message: String },
    #[error("{path}: not in the cache, and --offline forbids fetching it")]
    Offline { path: String },
    #[error("{path}: {message}")]
    Other { path: String, message: String },
}

/// How long a 404 from [`Client::get_optional`] is believed without asking again: a day.
pub const MISSING_TTL_SECS: i64 = 24 * 60 * 60;

/// Request counts, for provenance and the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    /// Requests sent over the network (every attempt counts).
    pub sent: AtomicU64,
    /// Of those, answered 304 Not Modified (no rate-limit cost).
    pub not_modified: AtomicU64,
    /// Answered from the cache without any request (offline).
    pub from_cache: AtomicU64,
    /// Bytes of Actions artifacts downloaded (zips, from the storage host).
    pub downloaded: AtomicU64,
    /// Requests that failed for a rate limit (GitHub's, or the pacer's
    /// refusal once the budget is spent): what they would have read is missing.
    pub rate_limited: AtomicU64,
}

/// A fetched REST page.
#[derive(Debug, Clone)]
pub struct Page {
    pub body: Value,
    /// The URL of the next page (`Link: <...>; rel="next"`), relative to the API base.
    pub next: Option<String>,
    /// A `Link` next page that was not followed, and why (another host).
    pub next_refused: Option<String>,
    /// When the data was fetched from GitHub (revalidation keeps the original data's age honest).
    pub fetched_at: DateTime<Utc>,
    /// The page's ETag: it changes whenever the page's content does.
    pub etag: Option<String>,
}

/// Every page of a REST list.
#[derive(Debug, Default)]
pub struct Listing {
    pub items: Vec<Value>,
    /// The error that stopped the listing; the pages before it are kept.
    pub error: Option<FetchError>,
    pub fetched_at: Option<DateTime<Utc>>,
    /// The ETags of every page, joined: a name for this state of the list,
    /// `None` when a page had none or the listing stopped early.
    pub generation: Option<String>,
    /// The first page's `total_count`, for listings whose body is an object
    /// that says how many results match (Actions runs, search).
    pub total_count: Option<u64>,
    /// True when the listing stopped after its first page because
    /// `total_count` was above the limit the caller gave.
    pub stopped_early: bool,
    /// Why the listing stopped before its end without an error: a page
    /// offered twice (a loop), the page limit, a next page on another host.
    /// The listing is then incomplete.
    pub stopped: Option<String>,
}

pub struct Client {
    rest: Octocrab,
    graphql: Octocrab,
    base: String,
    /// The API base parsed, to tell a redirect to another host.
    origin: http::Uri,
    graphql_url: String,
    scope: String,
    /// Shared by the clients [`Client::fork`] makes, like the permits, the
    /// unreachable flag and the pacer.
    cache: Option<Arc<Mutex<Cache>>>,
    settings: Settings,
    permits: Arc<Semaphore>,
    /// This client's counts (a fork starts its own).
    pub stats: Stats,
    /// Set once GitHub could not be connected to at all: later requests of
    /// this run fail at once instead of each waiting through its retries.
    unreachable: Arc<AtomicBool>,
    progress: Option<indicatif::ProgressBar>,
    /// Spaces requests and keeps within the token's budget (`readiness batch`).
    pacer: Option<Arc<Pacer>>,
}

/// What one attempt came to.
enum Attempt {
    Done(u16, BTreeMap<String, String>, String),
    /// A fault worth another try, with how long to wait first (`None`: the backoff).
    Retry(String, Option<Duration>),
    Fail(FetchError),
}

impl Client {
    /// Builds a client; `cache` is `None` for `--no-cache`.
    ///
    /// # Errors
    /// An API URL that is not an http(s) URL.
    pub fn new(settings: Settings, cache: Option<Cache>) -> Result<Client, String> {
        let base = crate::target::check_api_url(&settings.api_url)?;
        let origin: http::Uri = base
            .parse()
            .map_err(|e| format!("the API URL {base:?} is not valid: {e}"))?;
        // GitHub Enterprise serves REST under /api/v3 and GraphQL at /api/graphql.
        let graphql_base = base
            .strip_suffix("/api/v3")
            .map_or_else(|| base.clone(), |host| format!("{host}/api"));
        let build = |uri: &str| -> Result<Octocrab, String> {
            let mut b = Octocrab::builder()
                .base_uri(uri)
                .map_err(|e| format!("the API URL {uri:?} is not valid: {e}"))?
                .set_connect_timeout(Some(Duration::from_secs(10)))
                .set_read_timeout(Some(settings.timeout));
            if let Some(t) = &settings.token {
                b = b.personal_token(t.expose().to_string());
            }
            b.build()
                .map_err(|e| format!("cannot start the HTTP client: {e}"))
        };
        let scope = settings.token.as_ref().map_or_else(
            || "anonymous".to_string(),
            |t| cache::token_scope(t.expose()),
        );
        Ok(Client {
            rest: build(&base)?,
            graphql: build(&graphql_base)?,
            graphql_url: format!("{graphql_base}/graphql"),
            base,
            origin,
            scope,
            cache: cache.map(|c| Arc::new(Mutex::new(c))),
            permits: Arc::new(Semaphore::new(settings.concurrency.max(1))),
            settings,
            stats: Stats::default(),
            unreachable: Arc::new(AtomicBool::new(false)),
            progress: None,
            pacer: None,
        })
    }

    /// Sends every request through `pacer` first.
    #[must_use]
    pub fn with_pacer(mut self, pacer: Arc<Pacer>) -> Client {
        self.pacer = Some(pacer);
        self
    }

    /// A client that shares this one's connections, cache, permits and
    /// pacer, with counts of its own: one per project of a batch.
    #[must_use]
    pub fn fork(&self) -> Client {
        Client {
            rest: self.rest.clone(),
            graphql: self.graphql.clone(),
            base: self.base.clone(),
            origin: self.origin.clone(),
            graphql_url: self.graphql_url.clone(),
            scope: self.scope.clone(),
            cache: self.cache.clone(),
            settings: self.settings.clone(),
            permits: Arc::clone(&self.permits),
            stats: Stats::default(),
            unreachable: Arc::clone(&self.unreachable),
            progress: None,
            pacer: self.pacer.clone(),
        }
    }

    /// Asks `GET /rate_limit` (which costs nothing) and tells the pacer
    /// both budgets; an answer that is not there (an Enterprise server
    /// without limits) leaves the pacer to learn from headers.
    pub async fn prime_pacer(&self) {
        let Some(pacer) = &self.pacer else { return };
        if self.settings.offline {
            return;
        }
        let path = "/rate_limit";
        if let Ok((200, _, body)) = self
            .send(path, || async { self.rest._get(path).await })
            .await
            && let Ok(v) = serde_json::from_str::<Value>(&body)
        {
            pacer.observe_rate_limit(&v);
        }
    }

    /// Shows a spinner on standard error while requests go out. indicatif
    /// draws nothing when standard error is not a terminal.
    #[must_use]
    pub fn with_progress(mut self, label: &str) -> Client {
        // One area for every spinner of the run: targets collected at the
        // same time each get their own line instead of drawing over each other.
        static AREA: std::sync::OnceLock<indicatif::MultiProgress> = std::sync::OnceLock::new();
        let area = AREA.get_or_init(|| {
            indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr())
        });
        let bar = area.add(indicatif::ProgressBar::new_spinner());
        bar.set_prefix(label.to_string());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {prefix}: {msg}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        self.progress = Some(bar);
        self
    }

    /// A permit of this client's limit, then one of the shared limit if
    /// there is one; `None` once a semaphore is closed.
    async fn permits(
        &self,
    ) -> Option<(
        tokio::sync::SemaphorePermit<'_>,
        Option<tokio::sync::SemaphorePermit<'_>>,
    )> {
        let own = self.permits.acquire().await.ok()?;
        let shared = match &self.settings.overall {
            Some(all) => Some(all.acquire().await.ok()?),
            None => None,
        };
        Some((own, shared))
    }

    /// Clears the spinner.
    pub fn finish_progress(&self) {
        if let Some(bar) = &self.progress {
            bar.finish_and_clear();
        }
    }

    /// Whether a token is configured.
    #[must_use]
    pub fn authenticated(&self) -> bool {
        self.settings.token.is_some()
    }

    /// Whether the client answers from the cache alone.
    #[must_use]
    pub fn offline(&self) -> bool {
        self.settings.offline
    }

    /// How the client was configured (the token included: it goes to the API host only).
    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A result stored under `kind` and `url` (not an HTTP answer: a parsed
    /// artifact), kept apart per token like every answer; also offline.
    pub(crate) fn recall(&self, kind: &str, url: &str) -> Option<String> {
        let e = self.cache_get(&cache::key(kind, url, &self.scope))?;
        self.stats.from_cache.fetch_add(1, Ordering::Relaxed);
        Some(e.body)
    }

    /// Stores a result for [`Client::recall`]; `body` must be JSON.
    pub(crate) fn remember(&self, kind: &str, url: &str, body: String) {
        let entry = Entry {
            status: 200,
            etag: None,
            link: None,
            body,
            fetched_at: Utc::now().timestamp(),
        };
        self.cache_put(&cache::key(kind, url, &self.scope), &entry);
    }

    /// The REST base URL, as configured.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    fn cache_get(&self, key: &str) -> Option<Entry> {
        let cache = self.cache.as_ref()?.lock().ok()?;
        cache.get_usable(key).ok().flatten()
    }

    fn cache_put(&self, key: &str, entry: &Entry) {
        // A cache that cannot be written costs requests next time, nothing more.
        if let Some(Ok(cache)) = self.cache.as_deref().map(Mutex::lock) {
            let _ = cache.put(key, entry);
        }
    }

    fn cache_touch(&self, key: &str, at: i64) {
        if let Some(Ok(cache)) = self.cache.as_deref().map(Mutex::lock) {
            let _ = cache.touch(key, at);
        }
    }

    /// Turns a URL from a `Link` header into a path under the API base,
    /// compared without any `user:password@`; a foreign host is refused
    /// rather than followed with the token, and the refusal says so.
    fn relative(&self, url: &str) -> Result<String, String> {
        if url.starts_with('/') {
            return Ok(url.to_string());
        }
        let url = without_userinfo(url);
        url.strip_prefix(self.base.as_str())
            .filter(|p| p.starts_with('/'))
            .map(str::to_string)
            .ok_or_else(|| {
                self.scrub(&format!(
                    "the next page ({}) is not under the API URL, so it was not followed",
                    crate::collect::git::strip_credentials(&url)
                ))
            })
    }

    /// GETs a REST path (`/repos/o/r/releases?per_page=100`), through the cache.
    ///
    /// # Errors
    /// See [`FetchError`]; transient faults are retried first.
    pub async fn get(&self, path: &str) -> Result<Page, FetchError> {
        let url = format!("{}{path}", self.base);
        let key = cache::key("GET", &url, &self.scope);
        let cached = self.cache_get(&key);
        if self.settings.offline {
            return match cached {
                Some(e) if e.status == 200 => {
                    self.stats.from_cache.fetch_add(1, Ordering::Relaxed);
                    self.page_from(path, &e)
                }
                _ => Err(FetchError::Offline {
                    path: path.to_string(),
                }),
            };
        }
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static("application/vnd.github+json"),
        );
        headers.insert(
            "x-github-api-version",
            http::HeaderValue::from_static("2022-11-28"),
        );
        headers.insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static(concat!("readiness/", env!("CARGO_PKG_VERSION"))),
        );
        if let Some(etag) = cached.as_ref().and_then(|e| e.etag.as_deref())
            && let Ok(v) = http::HeaderValue::from_str(etag)
        {
            headers.insert(http::header::IF_NONE_MATCH, v);
        }
        let (status, resp_headers, body) = self
            .send(path, || async {
                self.rest
                    ._get_with_headers(path, Some(headers.clone()))
                    .await
            })
            .await?;
        let now = crate::window::recorded_now().timestamp();
        if status == 304 {
            if let Some(e) = cached {
                self.stats.not_modified.fetch_add(1, Ordering::Relaxed);
                self.cache_touch(&key, now);
                return self.page_from(path, &e);
            }
            return Err(FetchError::Other {
                path: path.into(),
                message: "304 Not Modified for a request that was not conditional".into(),
            });
        }
        let entry = Entry {
            status,
            etag: resp_headers.get("etag").cloned(),
            link: resp_headers.get("link").cloned(),
            body,
            fetched_at: now,
        };
        let page = self.page_from(path, &entry)?;
        self.cache_put(&key, &entry);
        Ok(page)
    }

    /// GETs a path that may well not exist (a published file): `None` for a
    /// 404. A 404 is remembered in the cache for [`MISSING_TTL_SECS`], so
    /// warm runs do not ask again each time; a 200 behaves as in [`Client::get`].
    ///
    /// # Errors
    /// As [`Client::get`], but for 404.
    pub async fn get_optional(&self, path: &str) -> Result<Option<Page>, FetchError> {
        let key = cache::key("GET-MISSING", &format!("{}{path}", self.base), &self.scope);
        let now = crate::window::recorded_now().timestamp();
        if let Some(e) = self.cache_get(&key)
            && e.status == 404
            && (self.settings.offline || now - e.fetched_at < MISSING_TTL_SECS)
        {
            self.stats.from_cache.fetch_add(1, Ordering::Relaxed);
            return Ok(None);
        }
        match self.get(path).await {
            Ok(page) => Ok(Some(page)),
            Err(FetchError::NotFound { .. }) => {
                let entry = Entry {
                    status: 404,
                    etag: None,
                    link: None,
                    body: String::new(),
                    fetched_at: now,
                };
                self.cache_put(&key, &entry);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn page_from(&self, path: &str, e: &Entry) -> Result<Page, FetchError> {
        let body: Value = serde_json::from_str(&e.body).map_err(|err| FetchError::Other {
            path: path.into(),
            message: format!("the response is not JSON: {err}"),
        })?;
        let (next, next_refused) = match e.link.as_deref().and_then(next_link) {
            Some(u) => match self.relative(&u) {
                Ok(p) => (Some(p), None),
                Err(reason) => (None, Some(reason)),
            },
            None => (None, None),
        };
        let fetched_at = DateTime::from_timestamp(e.fetched_at, 0).unwrap_or_default();
        Ok(Page {
            body,
            next,
            next_refused,
            fetched_at,
            etag: e.etag.clone(),
        })
    }

    /// POSTs a GraphQL query. GraphQL answers are not cached: a POST cannot be revalidated.
    /// A partial answer (`data` with `errors`) whose errors may pass
    /// (`TIMEOUT`, `INTERNAL`, `SERVICE_UNAVAILABLE`) is asked again up to
    /// `retries` times; after that, or for other errors (`FORBIDDEN`), it is
    /// returned as it is: [`Client::graphql_errors`] names what is missing.
    ///
    /// # Errors
    /// See [`FetchError`]; `RATE_LIMITED` errors are handled like the REST limit.
    pub async fn graphql(&self, query: &str, variables: &Value) -> Result<Value, FetchError> {
        let path = "/graphql";
        if self.settings.offline {
            return Err(FetchError::Offline { path: path.into() });
        }
        let body = serde_json::json!({ "query": query, "variables": variables });
        let mut rate_limited_waits = 0;
        let mut partial_retries = 0u32;
        loop {
            let (_, _, text) = self
                .send(path, || async {
                    self.graphql
                        ._post(self.graphql_url.as_str(), Some(&body))
                        .await
                })
                .await?;
            let v: Value = serde_json::from_str(&text).map_err(|e| FetchError::Other {
                path: path.into(),
                message: format!("the response is not JSON: {e}"),
            })?;
            let errors = v
                .get("errors")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if errors
                .iter()
                .any(|e| e.get("type").and_then(Value::as_str) == Some("RATE_LIMITED"))
            {
                // No reset time comes with it: wait the longest backoff, a bounded number of times.
                if rate_limited_waits >= 2 || self.settings.max_wait.is_zero() {
                    self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                    return Err(FetchError::RateLimited {
                        path: path.into(),
                        reset: "the next hour".into(),
                        minutes: 60,
                    });
                }
                rate_limited_waits += 1;
                tokio::time::sleep(self.settings.max_wait.min(Duration::from_secs(60))).await;
                continue;
            }
            let has_data = v.get("data").is_some_and(|d| !d.is_null());
            if has_data && errors.iter().any(retryable) && partial_retries < self.settings.retries {
                // A partial answer (data and a TIMEOUT or INTERNAL error): ask again.
                partial_retries += 1;
                let backoff = self
                    .settings
                    .backoff
                    .saturating_mul(1 << (partial_retries - 1).min(16));
                tokio::time::sleep(backoff).await;
                continue;
            }
            if !has_data {
                let message = errors
                    .iter()
                    .filter_map(|e| e.get("message").and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(FetchError::GraphQl {
                    path: path.into(),
                    message: if message.is_empty() {
                        "no data in the answer".into()
                    } else {
                        self.scrub(&message)
                    },
                });
            }
            return Ok(v);
        }
    }

    /// Sends one request with the retry policy (`make` sends it once),
    /// counting a rate-limit failure in the stats.
    async fn send<F, Fut>(
        &self,
        path: &str,
        make: F,
    ) -> Result<(u16, BTreeMap<String, String>, String), FetchError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = octocrab::Result<http::Response<Body>>>,
    {
        let r = self.send_retrying(path, make).await;
        if matches!(r, Err(FetchError::RateLimited { .. })) {
            self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
        }
        r
    }

    /// What the pacer says before an attempt at `path`: a guard while the
    /// attempt is under way, or a refusal when the budget is spent.
    /// `/rate_limit` itself costs nothing.
    async fn pace(&self, path: &str) -> Result<Option<Admitted<'_>>, FetchError> {
        let Some(pacer) = self.pacer.as_ref().filter(|_| path != "/rate_limit") else {
            return Ok(None);
        };
        match pacer.admit_guarded(Resource::of(path)).await {
            Ok(admitted) => Ok(Some(admitted)),
            Err(refusal) => {
                let now = Utc::now().timestamp();
                Err(FetchError::RateLimited {
                    path: path.into(),
                    reset: super::pacer::reset_text(refusal.reset),
                    minutes: refusal.reset.saturating_sub(now).max(0).saturating_add(59) / 60,
                })
            }
        }
    }

    async fn send_retrying<F, Fut>(
        &self,
        path: &str,
        make: F,
    ) -> Result<(u16, BTreeMap<String, String>, String), FetchError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = octocrab::Result<http::Response<Body>>>,
    {
        let mut attempts = 0u32;
        let mut connect_failures = 0u32;
        loop {
            if self.unreachable.load(Ordering::Relaxed) {
                return Err(FetchError::Unreachable {
                    path: path.into(),
                    base: self.base.clone(),
                    last: "an earlier request could not connect either".into(),
                });
            }
            attempts += 1;
            let admitted = self.pace(path).await?;
            let outcome = {
                let Some(_permits) = self.permits().await else {
                    return Err(FetchError::Other {
                        path: path.into(),
                        message: "the client was shut down".into(),
                    });
                };
                let sent = self.stats.sent.fetch_add(1, Ordering::Relaxed) + 1;
                if let Some(bar) = &self.progress {
                    bar.set_message(format!(
                        "{sent} requests, {} answered from the cache",
                        self.stats.not_modified.load(Ordering::Relaxed)
                    ));
                }
                let exchange = async {
                    let (parts, body) = make().await?.into_parts();
                    let bytes = body.collect().await?.to_bytes();
                    Ok::<_, octocrab::Error>((parts, bytes))
                };
                match tokio::time::timeout(self.settings.timeout, exchange).await {
                    Err(_) => Attempt::Retry(
                        format!("no answer within {} s", self.settings.timeout.as_secs()),
                        None,
                    ),
                    Ok(Err(e)) => {
                        let message = self.scrub(&e.to_string());
                        if is_connect_failure(&e) {
                            connect_failures += 1;
                            // Not one byte exchanged: after two more tries, GitHub is unreachable.
                            if connect_failures > 2 {
                                self.unreachable.store(true, Ordering::Relaxed);
                                return Err(FetchError::Unreachable {
                                    path: path.into(),
                                    base: self.base.clone(),
                                    last: message,
                                });
                            }
                        }
                        Attempt::Retry(message, None)
                    }
                    Ok(Ok((parts, bytes))) => self.classify(path, &parts, &bytes),
                }
            };
            // Answered (its headers read by `classify`) or failed: no longer in flight.
            drop(admitted);
            match outcome {
                Attempt::Done(status, headers, body) => return Ok((status, headers, body)),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(last, wait) => {
                    if attempts > self.settings.retries {
                        return Err(FetchError::GaveUp {
                            path: path.into(),
                            attempts,
                            last,
                        });
                    }
                    let backoff = self
                        .settings
                        .backoff
                        .saturating_mul(1 << (attempts - 1).min(16));
                    tokio::time::sleep(wait.unwrap_or(backoff)).await;
                }
            }
        }
    }

    /// Decides what an answer means.
    fn classify(&self, path: &str, parts: &http::response::Parts, bytes: &[u8]) -> Attempt {
        let status = parts.status.as_u16();
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if let Some(pacer) = &self.pacer {
            pacer.observe(Resource::of(path), &header);
        }
        let mut headers = BTreeMap::new();
        if let Some(v) = header("etag") {
            headers.insert("etag".to_string(), v);
        }
        // The `Link` header is cached: no `user:password@` nor token is kept in it.
        if let Some(v) = header("link") {
            headers.insert("link".to_string(), self.scrub(&link_without_userinfo(&v)));
        }
        // octocrab follows redirects; tower-http drops the `Authorization`
        // header when one leaves the API's origin. Such an answer is not
        // GitHub's: it is not used.
        if let Some(RequestUri(uri)) = parts.extensions.get::<RequestUri>()
            && !same_origin(uri, &self.origin)
        {
            return Attempt::Fail(FetchError::Other {
                path: path.into(),
                message: format!(
                    "GitHub redirected to another host ({}): its answer is not used, and the token was not sent there",
                    uri.host()
                        .map_or_else(String::new, |h| match uri.port_u16() {
                            Some(p) => format!("{h}:{p}"),
                            None => h.to_string(),
                        })
                ),
            });
        }
        let Ok(body) = String::from_utf8(bytes.to_vec()) else {
            return Attempt::Retry(format!("HTTP {status} with a body that is not UTF-8"), None);
        };
        let message = || {
            serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
                .map_or_else(
                    || format!("{} bytes of non-JSON", body.len()),
                    |m| self.scrub(&m),
                )
        };
        match status {
            304 => Attempt::Done(status, headers, body),
            200..=299 => {
                // A body cut short by a dropped connection fails to parse: fetch it again.
                if serde_json::from_str::<serde::de::IgnoredAny>(&body).is_err() {
                    return Attempt::Retry(
                        format!("HTTP {status} with a truncated or invalid JSON body"),
                        None,
                    );
                }
                Attempt::Done(status, headers, body)
            }
            401 => Attempt::Fail(FetchError::Unauthorized { path: path.into() }),
            404 | 410 => Attempt::Fail(FetchError::NotFound { path: path.into() }),
            403 | 429 => self.refused(path, status, &header, &message),
            500..=599 => Attempt::Retry(format!("HTTP {status}: {}", message()), None),
            _ => Attempt::Fail(FetchError::Http {
                path: path.into(),
                status,
                message: message(),
            }),
        }
    }

    /// A 403 or 429 answer: a rate limit to wait for (as long as its
    /// headers or GitHub's usual minute say) when it is one, else a failure.
    fn refused(
        &self,
        path: &str,
        status: u16,
        header: &dyn Fn(&str) -> Option<String>,
        message: &dyn Fn() -> String,
    ) -> Attempt {
        if let Some(wait) = header("retry-after").and_then(|v| retry_after(&v, Utc::now())) {
            return self.wait_or_fail(path, wait, "a secondary rate limit");
        }
        if header("x-ratelimit-remaining").as_deref() == Some("0") {
            let reset = header("x-ratelimit-reset")
                .and_then(|v| v.trim().parse::<i64>().ok())
                .unwrap_or(0);
            // Any number a header holds: saturating, never an overflow.
            let secs = reset
                .saturating_sub(Utc::now().timestamp())
                .max(0)
                .saturating_add(1);
            return self.wait_or_fail(
                path,
                Duration::from_secs(secs.unsigned_abs()),
                "the rate limit",
            );
        }
        let m = message();
        if m.to_ascii_lowercase().contains("secondary rate limit") || status == 429 {
            // GitHub asks for at least a minute when it names no time.
            return self.wait_or_fail(path, Duration::from_secs(60), "a secondary rate limit");
        }
        Attempt::Fail(FetchError::Http {
            path: path.into(),
            status,
            message: m,
        })
    }

    fn wait_or_fail(&self, path: &str, wait: Duration, what: &str) -> Attempt {
        if wait <= self.settings.max_wait {
            return Attempt::Retry(format!("{what} ({} s)", wait.as_secs()), Some(wait));
        }
        Attempt::Fail(FetchError::RateLimited {
            path: path.into(),
            reset: reset_time(Utc::now(), wait),
            minutes: i64::try_from(wait.as_secs().div_ceil(60)).unwrap_or(i64::MAX),
        })
    }

    /// Removes the token from a message, should a lower layer ever echo it.
    fn scrub(&self, text: &str) -> String {
        match &self.settings.token {
            Some(t) => text.replace(t.expose(), "<redacted>"),
            None => text.to_string(),
        }
    }

    /// Every page of a REST list, in order. Pages after the first are fetched
    /// concurrently when GitHub's `Link` header names the last page, so the
    /// wall time is about two round trips rather than one per page.
    /// What was fetched before an error is kept, never dropped.
    pub async fn get_all(&self, first: &str, max_pages: usize) -> Listing {
        self.get_all_in(first, max_pages, None, None).await
    }

    /// As [`Client::get_all`], for a listing whose body is an object holding
    /// the results in the array `field` (`workflow_runs`) when `field` is
    /// given. When the first page's `total_count` is above `stop_above`, the
    /// listing stops after that page (`stopped_early`): the caller narrows
    /// the query instead of paging into a capped result.
    pub async fn get_all_in(
        &self,
        first: &str,
        max_pages: usize,
        field: Option<&str>,
        stop_above: Option<u64>,
    ) -> Listing {
        let mut out = Listing::default();
        let first_page = match self.get(first).await {
            Ok(p) => p,
            Err(e) => {
                out.error = Some(e);
                return out;
            }
        };
        out.fetched_at = Some(first_page.fetched_at);
        out.total_count = first_page.body.get("total_count").and_then(Value::as_u64);
        let stop = matches!((out.total_count, stop_above), (Some(t), Some(limit)) if t > limit);
        let mut pages = Pages {
            guard: PageGuard::default(),
            etags: Vec::new(),
            field,
        };
        let _ = pages.guard.enter(first);
        let ControlFlow::Continue(mut next) = pages.take(&mut out, Ok(first_page)) else {
            return out;
        };
        if stop {
            out.stopped_early = true;
            return out;
        }
        // Fan out when the remaining pages are numbered (and the last page
        // comes after the next one: a `last` before it is not believed).
        if let (Some(n), Some(last)) = (&next, self.last_page(first))
            && last >= 2
            && let Some(template) = page_template(n)
        {
            if last > max_pages {
                out.stopped = Some(format!(
                    "the listing has {last} pages; readiness reads at most {max_pages}"
                ));
            }
            let paths: Vec<String> = (2..=last.min(max_pages))
                .map(|i| template.replace("{page}", &i.to_string()))
                .collect();
            for r in futures_join_all(paths.iter().map(|p| self.get(p))).await {
                if pages.take(&mut out, r).is_break() {
                    break;
                }
            }
            return finish(out, &pages);
        }
        let mut count = 1;
        while let Some(path) = next.take() {
            if count >= max_pages {
                out.stopped = Some(page_limit(max_pages));
                break;
            }
            // A `Link` that points back to a page already read would loop.
            if let Err(reason) = pages.guard.enter(&path) {
                out.stopped = Some(reason);
                break;
            }
            count += 1;
            match pages.take(&mut out, self.get(&path).await) {
                ControlFlow::Continue(n) => next = n,
                ControlFlow::Break(()) => break,
            }
        }
        finish(out, &pages)
    }

    /// A GraphQL query whose answer may come from the cache. Answers are
    /// cached under a `generation`: the ETag of a REST resource that changes
    /// whenever the data behind the query does. Under the same generation a
    /// cached answer is used without a request; a new generation means new
    /// keys, so nothing stale is ever reused, and a refresh that was
    /// interrupted resumes where it stopped. Without a generation the query
    /// is simply sent.
    ///
    /// # Errors
    /// As [`Client::graphql`].
    pub async fn graphql_cached(
        &self,
        query: &str,
        variables: &Value,
        generation: Option<&str>,
    ) -> Result<Value, FetchError> {
        let Some(generation) = generation else {
            return self.graphql(query, variables).await;
        };
        let key = cache::key(
            "POST",
            &format!("{}\n{generation}\n{query}\n{variables}", self.graphql_url),
            &self.scope,
        );
        if let Some(v) = self
            .cache_get(&key)
            .and_then(|e| serde_json::from_str::<Value>(&e.body).ok())
        {
            self.stats.from_cache.fetch_add(1, Ordering::Relaxed);
            return Ok(v);
        }
        let v = self.graphql(query, variables).await?;
        if self.graphql_errors(&v).is_some() {
            // A partial answer is not kept: the next run asks again.
            return Ok(v);
        }
        let entry = Entry {
            status: 200,
            etag: None,
            link: None,
            body: v.to_string(),
            fetched_at: crate::window::recorded_now().timestamp(),
        };
        self.cache_put(&key, &entry);
        Ok(v)
    }

    /// What a GraphQL answer's `errors` say, when it has any: each error's
    /// `type` (or `path`) and message, for a provenance note. `None` when
    /// the answer has no errors.
    #[must_use]
    pub fn graphql_errors(&self, v: &Value) -> Option<String> {
        let errors = v.get("errors").filter(|e| !e.is_null())?;
        let Some(list) = errors.as_array() else {
            return Some("the answer's `errors` is not a list".into());
        };
        if list.is_empty() {
            return None;
        }
        let mut parts: Vec<String> = list
            .iter()
            .take(3)
            .map(|e| {
                let kind = e.get("type").and_then(Value::as_str).unwrap_or("ERROR");
                let message: String = e
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("no message")
                    .chars()
                    .take(200)
                    .collect();
                format!("{kind}: {}", self.scrub(&message))
            })
            .collect();
        if list.len() > 3 {
            parts.push(format!("and {} more", list.len() - 3));
        }
        Some(format!(
            "GitHub's GraphQL answer came with errors, and items may be missing: {}",
            parts.join("; ")
        ))
    }

    /// The number of the last page of a list, from the cached first page's `Link` header.
    fn last_page(&self, first: &str) -> Option<usize> {
        let url = format!("{}{first}", self.base);
        let entry = self.cache_get(&cache::key("GET", &url, &self.scope))?;
        let link = entry.link?;
        let last = link.split(',').find(|p| p.contains("rel=\"last\""))?;
        let url = last
            .split(';')
            .next()?
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>');
        query_param(url, "page")?.parse().ok()
    }
}

/// A GraphQL error that may pass when the query is sent again.
fn retryable(e: &Value) -> bool {
    let kind = e.get("type").and_then(Value::as_str).unwrap_or_default();
    let message = e
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    matches!(kind, "TIMEOUT" | "INTERNAL" | "SERVICE_UNAVAILABLE")
        || (kind.is_empty() && (message.contains("timeout") || message.contains("timed out")))
}

type Body = http_body_util::combinators::BoxBody<bytes::Bytes, octocrab::Error>;

/// Whether a transport error means no connection could be made at all
/// (refused, no route, DNS), rather than a fault in an exchange under way.
fn is_connect_failure(e: &octocrab::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        let text = err.to_string().to_ascii_lowercase();
        if text.contains("(connect)")
            || text.contains("dns error")
            || text.contains("connection refused")
            || text.contains("failed to lookup")
        {
            return true;
        }
        source = err.source();
    }
    false
}

/// The wait a `Retry-After` value asks for: seconds (any number of digits:
/// one too large for a number is a wait beyond any limit) or an HTTP date.
/// `None` for a value that is neither.
#[must_use]
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(v.parse::<u64>().map_or(Duration::MAX, Duration::from_secs));
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?;
    Some(
        at.with_timezone(&Utc)
            .signed_duration_since(now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// Why a listing that reached the page limit is incomplete.
#[must_use]
pub fn page_limit(max_pages: usize) -> String {
    format!("stopped after {max_pages} pages, the most readiness reads; more remain")
}

/// Whether two URLs share scheme, host and port (default ports filled in).
fn same_origin(a: &http::Uri, b: &http::Uri) -> bool {
    let port = |u: &http::Uri| {
        u.port_u16().or(match u.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        })
    };
    a.scheme() == b.scheme()
        && a.host().map(str::to_ascii_lowercase) == b.host().map(str::to_ascii_lowercase)
        && port(a) == port(b)
}

/// When a wait that starts at `now` ends, as the report says it; a wait
/// beyond what a date can hold (an absurd header) says so instead of overflowing.
#[must_use]
pub fn reset_time(now: DateTime<Utc>, wait: Duration) -> String {
    chrono::Duration::from_std(wait)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .map_or_else(
            || {
                format!(
                    "a time too far away to name ({} s from now)",
                    wait.as_secs()
                )
            },
            |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
        )
}

/// Runs futures concurrently on the current task and returns their outputs in order.
pub(crate) async fn futures_join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut set: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

/// Sets a listing's generation: every page's ETag, when all pages had one
/// and the listing reached its end.
fn finish(mut out: Listing, pages: &Pages<'_>) -> Listing {
    if out.error.is_none() && out.stopped.is_none() && !pages.etags.is_empty() {
        out.generation = pages
            .etags
            .iter()
            .map(Clone::clone)
            .collect::<Option<Vec<String>>>()
            .map(|v| v.join(","));
    }
    out
}

/// The pages of one listing as they are read.
struct Pages<'a> {
    guard: PageGuard,
    etags: Vec<Option<String>>,
    /// The array of an object body that holds the items (`workflow_runs`).
    field: Option<&'a str>,
}

impl Pages<'_> {
    /// Adds a page's new items; `Continue(next)` to go on (`next` is `None`
    /// after the last page), `Break` when the listing ends here.
    fn take(
        &mut self,
        out: &mut Listing,
        r: Result<Page, FetchError>,
    ) -> ControlFlow<(), Option<String>> {
        let p = match r {
            Ok(p) => p,
            Err(e) => {
                out.error = Some(e);
                return ControlFlow::Break(());
            }
        };
        self.etags.push(p.etag.clone());
        let items = if let Some(f) = self.field {
            if let Some(Value::Array(a)) = p.body.get(f) {
                a.clone()
            } else {
                out.stopped = Some(format!("a page has no `{f}` list"));
                return ControlFlow::Break(());
            }
        } else {
            let mut v = Vec::new();
            append(&mut v, p.body);
            v
        };
        if let Err(reason) = self.guard.keep(items, &mut out.items) {
            out.stopped = Some(reason);
            return ControlFlow::Break(());
        }
        if let Some(reason) = p.next_refused {
            out.stopped = Some(reason);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(p.next)
    }
}

/// Guards a paged listing against loops: a page already read ends it, and
/// items are counted once by their `id`.
#[derive(Debug, Default)]
pub struct PageGuard {
    pages: HashSet<String>,
    ids: HashSet<String>,
    /// Items listed again, and counted once.
    pub duplicates: usize,
}

impl PageGuard {
    /// Records that the page at `path` is about to be read.
    ///
    /// # Errors
    /// The page was read already (a `Link` that loops): the reason, for the provenance.
    pub fn enter(&mut self, path: &str) -> Result<(), String> {
        if self.pages.insert(page_key(path)) {
            Ok(())
        } else {
            Err(
                "GitHub offered a page already read as the next one: the listing stopped there"
                    .into(),
            )
        }
    }

    /// Whether an item is new: one whose `id` was seen already is not.
    pub fn fresh(&mut self, item: &Value) -> bool {
        match item.get("id") {
            Some(id) if !id.is_null() => {
                let new = self.ids.insert(id.to_string());
                if !new {
                    self.duplicates += 1;
                }
                new
            }
            _ => true,
        }
    }

    /// Keeps the new items of a page.
    ///
    /// # Errors
    /// The page had items and none was new: the listing repeats itself.
    pub fn keep(&mut self, page: Vec<Value>, out: &mut Vec<Value>) -> Result<(), String> {
        let (n, before) = (page.len(), out.len());
        out.extend(page.into_iter().filter(|v| self.fresh(v)));
        if n > 0 && out.len() == before {
            return Err(format!(
                "a page held only items already read ({n}): the listing loops, and stopped there"
            ));
        }
        Ok(())
    }
}

/// A page's path with its query in a canonical order and `page=1` left
/// out, so that `?per_page=100` and `?page=1&per_page=100` are one page.
#[must_use]
pub fn page_key(path: &str) -> String {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.is_empty() && *kv != "page=1")
        .collect();
    params.sort_unstable();
    format!("{base}?{}", params.join("&"))
}

/// A `Link` header with every `<URL>` in it without its `user:password@`.
#[must_use]
pub fn link_without_userinfo(link: &str) -> String {
    // Split as `next_link` reads it: the URL is what comes before the first `;`.
    link.split(',')
        .map(|part| match part.split_once(';') {
            Some((url, params)) => format!("{};{params}", without_userinfo(url)),
            None => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A URL without the `user:password@` of its authority.
fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{host}{tail}")
}

fn append(items: &mut Vec<Value>, body: Value) {
    match body {
        Value::Array(a) => items.extend(a),
        other => items.push(other),
    }
}

/// `/x?per_page=100&page=2` as `/x?per_page=100&page={page}`.
fn page_template(path: &str) -> Option<String> {
    let (base, query) = path.split_once('?')?;
    let mut found = false;
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| {
            if kv.starts_with("page=") {
                found = true;
                "page={page}".to_string()
            } else {
                kv.to_string()
            }
        })
        .collect();
    found.then(|| format!("{base}?{}", parts.join("&")))
}

fn query_param<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    let (_, query) = url.split_once('?')?;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

/// The `rel="next"` URL of a `Link` header.
#[must_use]
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            matches!(
                p.trim().replace(' ', "").as_str(),
                "rel=\"next\"" | "rel=next"
            )
        });
        is_next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_page_templates() {
        let link = r#"<https://api.github.com/repositories/1/issues?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/issues?per_page=100&page=40>; rel="last""#;
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/repositories/1/issues?per_page=100&page=2")
        );
        assert_eq!(
            page_template("/r?per_page=100&page=2").as_deref(),
            Some("/r?per_page=100&page={page}")
        );
        assert_eq!(page_template("/r?per_page=100"), None);
        assert_eq!(
            query_param("https://x/y?per_page=100&page=40", "page"),
            Some("40")
        );
        assert_eq!(next_link(r#"<https://x/y?page=1>; rel="prev""#), None);
    }

    /// A wait beyond what a date can hold is named, not an overflow panic.
    #[test]
    fn absurd_waits_do_not_overflow() {
        let now = Utc::now();
        assert!(
            reset_time(now, Duration::from_secs(10_000_000_000_000))
                .starts_with("a time too far away")
        );
        assert!(reset_time(now, Duration::MAX).starts_with("a time too far away"));
        assert!(reset_time(now, Duration::from_secs(3600)).ends_with(" UTC"));
    }

    /// `?per_page=100` and `?page=1&per_page=100` are one page; a page read twice or a page of repeats is refused.
    #[test]
    fn pages_are_read_once_and_items_counted_once() {
        assert_eq!(
            page_key("/r?per_page=100"),
            page_key("/r?page=1&per_page=100")
        );
        assert_ne!(
            page_key("/r?per_page=100"),
            page_key("/r?per_page=100&page=2")
        );
        let mut g = PageGuard::default();
        assert!(g.enter("/r?per_page=100").is_ok());
        assert!(g.enter("/r?per_page=100&page=2").is_ok());
        assert!(g.enter("/r?page=1&per_page=100").is_err());
        let mut out = Vec::new();
        assert!(
            g.keep(
                vec![serde_json::json!({"id": 1}), serde_json::json!({"id": 2})],
                &mut out
            )
            .is_ok()
        );
        assert!(
            g.keep(
                vec![serde_json::json!({"id": 2}), serde_json::json!({"id": 3})],
                &mut out
            )
            .is_ok()
        );
        assert_eq!((out.len(), g.duplicates), (3, 1));
        assert!(
            g.keep(vec![serde_json::json!({"id": 1})], &mut out)
                .is_err()
        );
        assert!(g.keep(Vec::new(), &mut out).is_ok());
        assert_eq!(
            without_userinfo("http://u:p@h:1/x?a=b@c"),
            "http://h:1/x?a=b@c"
        );
    }

    #[test]
    fn tokens_are_checked_and_never_shown() {
        let t = Token::new("  ghp_secret123\n", "GITHUB_TOKEN").unwrap();
        assert_eq!(t.expose(), "ghp_secret123");
        assert_eq!(format!("{t:?}"), "Token(<redacted>)");
        let e = Token::new("ghp bad", "--token").unwrap_err();
        assert!(e.contains("--token") && !e.contains("ghp"), "{e}");
        assert!(
            Token::new(" \n", "GH_TOKEN")
                .unwrap_err()
                .contains("is empty")
        );
    }

    /// A request holds a permit of its own client's limit and of the limit
    /// shared by every client of the run: with the shared one used up, a
    /// second client's request waits however free its own limit is.
    #[test]
    fn the_shared_limit_binds_across_clients() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _entered = rt.enter();
        let overall = std::sync::Arc::new(Semaphore::new(1));
        let client = || {
            let settings = Settings {
                api_url: "http://127.0.0.1:9".into(),
                overall: Some(overall.clone()),
                ..Settings::default()
            };
            Client::new(settings, None).unwrap()
        };
        let (a, b) = (client(), client());
        rt.block_on(async {
            let held = a.permits().await.unwrap();
            assert_eq!(a.permits.available_permits(), 3);
            assert_eq!(overall.available_permits(), 0);
            let waiting = tokio::time::timeout(Duration::ZERO, b.permits()).await;
            assert!(waiting.is_err(), "b must wait for the shared permit");
            drop(held);
            assert!(b.permits().await.is_some());
            // Without a shared limit, only the client's own applies.
            let alone = Client::new(Settings::default(), None).unwrap();
            let four: Vec<_> = futures_all(&alone).await;
            assert_eq!(four.len(), 4);
            assert!(
                tokio::time::timeout(Duration::ZERO, alone.permits())
                    .await
                    .is_err()
            );
        });
    }

    async fn futures_all(
        c: &Client,
    ) -> Vec<(
        tokio::sync::SemaphorePermit<'_>,
        Option<tokio::sync::SemaphorePermit<'_>>,
    )> {
        let mut held = Vec::new();
        for _ in 0..c.settings.concurrency {
            held.extend(c.permits().await);
        }
        held
    }
}
