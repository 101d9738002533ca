//! Plain HTTP(S) downloads from hosts that are not the GitHub API: `asv
//! publish` sites. reqwest underneath (rustls); no `Authorization` header is
//! ever set, so neither the token nor anything else secret can reach such a
//! host, whatever it redirects to. Bodies are read up to a bound; answers are
//! kept in the SQLite cache and revalidated with their `ETag`
//! (`If-None-Match`), like the API client's, and a 404 is believed for
//! [`MISSING_TTL_SECS`]. Transient faults (5xx, 429, timeouts, connection
//! resets) are retried with a doubling backoff, a few times.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;

use crate::cache::{self, Cache, Entry};
use crate::collect::github::client::MISSING_TTL_SECS;

/// The cache scope of these answers: fetched without any credentials.
const SCOPE: &str = "public";

/// Counts for the provenance notes and the README's cost figures.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    /// Requests sent over the network.
    pub sent: AtomicU64,
    /// Of those, answered `304 Not Modified`.
    pub not_modified: AtomicU64,
    /// Answered from the cache without a request (a remembered 404, `--offline`).
    pub from_cache: AtomicU64,
    /// Body bytes downloaded.
    pub bytes: AtomicU64,
}

impl Stats {
    /// `N requests (M answered 304 Not Modified, K from the cache), B bytes downloaded`.
    pub(crate) fn summary(&self) -> String {
        format!(
            "{} requests ({} answered 304 Not Modified), {} answered from the cache without a request, {} bytes downloaded",
            self.sent.load(Ordering::Relaxed),
            self.not_modified.load(Ordering::Relaxed),
            self.from_cache.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed)
        )
    }
}

/// What a GET gave.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Got {
    Text(String),
    NotFound,
}

/// The downloader.
pub(crate) struct Http {
    client: reqwest::Client,
    cache: Option<Mutex<Cache>>,
    offline: bool,
    retries: u32,
    backoff: Duration,
    pub stats: Stats,
}

impl Http {
    /// A downloader; `cache` is `None` for `--no-cache`, `offline` answers from the cache alone.
    ///
    /// # Errors
    /// The TLS stack cannot start.
    pub(crate) fn new(cache: Option<Cache>, offline: bool) -> Result<Http, String> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("readiness/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .no_proxy()
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        Ok(Http {
            client,
            cache: cache.map(Mutex::new),
            offline,
            retries: 3,
            backoff: Duration::from_millis(200),
            stats: Stats::default(),
        })
    }

    fn cache_get(&self, key: &str) -> Option<Entry> {
        let cache = self.cache.as_ref()?.lock().ok()?;
        cache.get_usable(key).ok().flatten()
    }

    fn cache_put(&self, key: &str, entry: &Entry) {
        // A cache that cannot be written costs requests next time, nothing more.
        if let Some(Ok(cache)) = self.cache.as_ref().map(Mutex::lock) {
            let _ = cache.put(key, entry);
        }
    }

    /// GETs `url` as UTF-8 text of at most `max` bytes, through the cache.
    /// The body is stored as a JSON string, so that the cache's own check
    /// (a stored body must be JSON) holds for any text.
    ///
    /// # Errors
    /// A message naming the URL: a refused answer, a body over `max`, a
    /// fault that outlasted the retries, `--offline` without a cached copy.
    pub(crate) async fn get_text(&self, url: &str, max: u64) -> Result<Got, String> {
        let key = cache::key("GET", url, SCOPE);
        let cached = self.cache_get(&key);
        let now = Utc::now().timestamp();
        match &cached {
            Some(e)
                if e.status == 404 && (self.offline || now - e.fetched_at < MISSING_TTL_SECS) =>
            {
                self.stats.from_cache.fetch_add(1, Ordering::Relaxed);
                return Ok(Got::NotFound);
            }
            Some(e) if self.offline => {
                self.stats.from_cache.fetch_add(1, Ordering::Relaxed);
                return stored_text(url, e);
            }
            None if self.offline => {
                return Err(format!(
                    "{url}: not in the cache, and --offline forbids fetching it"
                ));
            }
            _ => {}
        }
        let etag = cached
            .as_ref()
            .filter(|e| e.status == 200)
            .and_then(|e| e.etag.clone());
        let (status, new_etag, body) = self.fetch(url, etag.as_deref(), max).await?;
        match status {
            304 => match cached {
                Some(e) if e.status == 200 => {
                    self.stats.not_modified.fetch_add(1, Ordering::Relaxed);
                    if let Some(Ok(cache)) = self.cache.as_ref().map(Mutex::lock) {
                        let _ = cache.touch(&key, now);
                    }
                    stored_text(url, &e)
                }
                _ => Err(format!(
                    "{url}: 304 Not Modified for a request that was not conditional"
                )),
            },
            404 | 410 => {
                self.cache_put(&key, &entry(404, None, String::new(), now));
                Ok(Got::NotFound)
            }
            _ => {
                let text = String::from_utf8(body)
                    .map_err(|_| format!("{url}: the answer is not UTF-8 text"))?;
                let stored = serde_json::to_string(&text).unwrap_or_default();
                self.cache_put(&key, &entry(200, new_etag, stored, now));
                Ok(Got::Text(text))
            }
        }
    }

    /// One GET with retries: the status (200, 304, 404 or 410), the ETag and the body.
    async fn fetch(
        &self,
        url: &str,
        etag: Option<&str>,
        max: u64,
    ) -> Result<(u16, Option<String>, Vec<u8>), String> {
        self.with_retries(url, max, || {
            let request = self.client.get(url);
            match etag {
                Some(tag) => request.header(reqwest::header::IF_NONE_MATCH, tag),
                None => request,
            }
        })
        .await
    }

    /// POSTs `body` as JSON of `content_type` (no cache: the caller keeps
    /// what it derives), and reads a JSON answer of at most `max` bytes.
    ///
    /// # Errors
    /// As [`Http::get_text`]; a 404 is an error here.
    pub(crate) async fn post_json(
        &self,
        url: &str,
        content_type: &str,
        body: &serde_json::Value,
        max: u64,
    ) -> Result<serde_json::Value, String> {
        let text = body.to_string();
        let (status, _, bytes) = self
            .with_retries(url, max, || {
                self.client
                    .post(url)
                    .header(reqwest::header::ACCEPT, content_type)
                    .header(reqwest::header::CONTENT_TYPE, content_type)
                    .body(text.clone())
            })
            .await?;
        if status != 200 {
            return Err(format!("{url}: HTTP {status}"));
        }
        serde_json::from_slice(&bytes).map_err(|e| format!("{url}: the answer is not JSON: {e}"))
    }

    /// GETs `url` with `headers` (none of them ours: they come from the
    /// server that gave the URL), uncached, at most `max` bytes.
    ///
    /// # Errors
    /// As [`Http::get_text`]; a 404 is an error here.
    pub(crate) async fn get_bytes(
        &self,
        url: &str,
        headers: &[(String, String)],
        max: u64,
    ) -> Result<Vec<u8>, String> {
        let (status, _, bytes) = self
            .with_retries(url, max, || {
                headers.iter().fold(self.client.get(url), |r, (k, v)| {
                    r.header(k.as_str(), v.as_str())
                })
            })
            .await?;
        if status != 200 {
            return Err(format!("{url}: HTTP {status}"));
        }
        Ok(bytes)
    }

    /// Sends what `build` makes, retrying transient faults.
    async fn with_retries(
        &self,
        url: &str,
        max: u64,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<(u16, Option<String>, Vec<u8>), String> {
        let mut wait = self.backoff;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.attempt(build(), max).await {
                Ok(done) => return Ok(done),
                Err((_, true)) if attempt <= self.retries => {
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                }
                Err((why, retry)) => {
                    return Err(if retry {
                        format!("{url}: gave up after {attempt} attempts: {why}")
                    } else {
                        format!("{url}: {why}")
                    });
                }
            }
        }
    }

    /// One attempt; an error says whether it is worth another.
    async fn attempt(
        &self,
        request: reqwest::RequestBuilder,
        max: u64,
    ) -> Result<(u16, Option<String>, Vec<u8>), (String, bool)> {
        self.stats.sent.fetch_add(1, Ordering::Relaxed);
        let mut response = request.send().await.map_err(|e| (without_url(&e), true))?;
        let status = response.status().as_u16();
        match status {
            200 | 304 | 404 | 410 => {}
            429 | 500..=599 => return Err((format!("HTTP {status}"), true)),
            _ => return Err((format!("HTTP {status}"), false)),
        }
        let new_etag = response
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let too_big = || {
            (
                format!("the answer is larger than {max} bytes, the most read from it"),
                false,
            )
        };
        if response.content_length().is_some_and(|n| n > max) {
            return Err(too_big());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| {
            (
                format!("the answer was cut short: {}", without_url(&e)),
                true,
            )
        })? {
            if (body.len() + chunk.len()) as u64 > max {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        self.stats
            .bytes
            .fetch_add(body.len() as u64, Ordering::Relaxed);
        Ok((status, new_etag, body))
    }

    /// A text kept in the cache under `key` (a content-addressed result:
    /// a blob by its id, an LFS object by its oid), without a request.
    pub(crate) fn remembered(&self, key: &str) -> Option<String> {
        let e = self.cache_get(key)?;
        let text = serde_json::from_str::<String>(&e.body).ok()?;
        self.stats.from_cache.fetch_add(1, Ordering::Relaxed);
        Some(text)
    }

    /// Keeps `text` under `key` for [`Http::remembered`].
    pub(crate) fn remember(&self, key: &str, text: &str) {
        let stored = serde_json::to_string(text).unwrap_or_default();
        self.cache_put(key, &entry(200, None, stored, Utc::now().timestamp()));
    }
}

fn entry(status: u16, etag: Option<String>, body: String, fetched_at: i64) -> Entry {
    Entry {
        status,
        etag,
        link: None,
        body,
        fetched_at,
    }
}

/// The text a cache entry holds (a JSON string, see [`Http::get_text`]).
fn stored_text(url: &str, e: &Entry) -> Result<Got, String> {
    if e.status == 404 {
        return Ok(Got::NotFound);
    }
    serde_json::from_str::<String>(&e.body)
        .map(Got::Text)
        .map_err(|_| format!("{url}: the cached copy is damaged; run again with --no-cache"))
}

/// A reqwest error's text without the URL it carries (the caller names the URL once).
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(u) = e.url() {
        text = text
            .replace(&format!(" ({u})"), "")
            .replace(u.as_str(), "the URL");
    }
    if e.is_timeout() {
        text.push_str(" (timed out)");
    }
    text
}

/// Checks a site URL given on the command line or in `.readiness.toml`:
/// `https://`, or `http://` on a loopback host (a local server, the tests);
/// no `user:password@`. Returns it without a trailing `/`.
///
/// # Errors
/// The reason, naming the URL without any credentials.
pub(crate) fn check_site_url(url: &str) -> Result<String, String> {
    let base = crate::target::refuse_credentials(url)?;
    let lower = base.to_ascii_lowercase();
    let host = lower.split_once("://").map_or("", |(_, rest)| {
        rest.split(['/', '?', '#']).next().unwrap_or("")
    });
    let host_name = host
        .rsplit_once(':')
        .filter(|(h, port)| !h.is_empty() && port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(h, _)| h);
    let loopback = matches!(host_name, "localhost" | "127.0.0.1" | "[::1]");
    if host_name.is_empty() {
        return Err(format!("{base:?} names no host"));
    }
    if lower.starts_with("https://") || (lower.starts_with("http://") && loopback) {
        Ok(base)
    } else {
        Err(format!(
            "{base:?} is not an https:// URL (http:// is read only from this machine, localhost or 127.0.0.1)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_urls_are_https_or_loopback_and_carry_no_credentials() {
        assert_eq!(
            check_site_url("https://pandas-dev.github.io/asv-runner/").unwrap(),
            "https://pandas-dev.github.io/asv-runner"
        );
        assert!(check_site_url("http://127.0.0.1:8080/site").is_ok());
        assert!(check_site_url("http://localhost/site").is_ok());
        let e = check_site_url("http://example.com/site").unwrap_err();
        assert!(e.contains("not an https://"), "{e}");
        let e = check_site_url("https://me:secret@example.com/site").unwrap_err();
        assert!(!e.contains("secret"), "{e}");
        assert!(check_site_url("https:///x").is_err());
    }
}
