//! github-action-benchmark results published on the `gh-pages` branch
//! (`dev/bench/data.js`, the action's default `benchmark-data-dir-path`).
//!
//! Read through the contents API, which answers with the file in base64 up
//! to 1 MB; a larger file comes back without content, and is then read as a
//! git blob (base64, up to 100 MB). Both answers are JSON, so they are cached
//! and revalidated with ETags like every other REST response. A repository
//! without the file (404) simply has no such benchmark data: a note, not an
//! error, and the 404 is remembered for a day so warm runs do not ask again.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Repo;
use super::client::Client;
use crate::collect::bench_results::action;
use crate::evidence::{BenchSeries, Provenance};

/// Where github-action-benchmark publishes by default.
pub(crate) const DATA_PATH: &str = "dev/bench/data.js";
pub(crate) const BRANCH: &str = "gh-pages";

/// Series read (None: none published or unreadable), provenance, when fetched.
pub(super) type BenchOut = (
    Option<Vec<BenchSeries>>,
    Option<Provenance>,
    Option<DateTime<Utc>>,
);

fn provenance(location: String, items: usize, complete: bool, notes: Vec<String>) -> Provenance {
    Provenance {
        source: "github-action-benchmark".into(),
        location,
        items: items as u64,
        item: "series".into(),
        requests: 0,
        complete,
        notes,
        fetched_at: None,
    }
}

/// The base64 `content` of a contents or blob answer, decoded to text.
pub(crate) fn decode(body: &Value) -> Result<Option<String>, String> {
    let Some(content) = body["content"].as_str().filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    if body["encoding"].as_str().is_some_and(|e| e != "base64") {
        return Ok(None);
    }
    let compact: String = content
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| format!("its base64 content does not decode: {e}"))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| "it is not UTF-8 text".to_string())
}

/// Reads `dev/bench/data.js` from `repo`'s gh-pages branch.
pub(super) async fn read_data_js(client: &Client, repo: &Repo) -> BenchOut {
    let path = format!("/repos/{}/contents/{DATA_PATH}?ref={BRANCH}", repo.slug());
    let location = format!("{}/{}", repo.slug(), format_args!("{BRANCH}/{DATA_PATH}"));
    let page = match client.get_optional(&path).await {
        Ok(Some(page)) => page,
        Ok(None) => {
            let note = format!(
                "no {DATA_PATH} on a {BRANCH} branch: the repository publishes no github-action-benchmark results there"
            );
            return (None, Some(provenance(location, 0, true, vec![note])), None);
        }
        Err(e) => {
            let note = format!("benchmark data not read: {e}");
            return (None, Some(provenance(location, 0, false, vec![note])), None);
        }
    };
    let mut fetched_at = Some(page.fetched_at);
    let text = match decode(&page.body) {
        Ok(Some(text)) => Ok(text),
        Ok(None) => {
            // Over 1 MB: the contents API leaves the content out; the blob has it.
            match page.body["sha"].as_str() {
                Some(sha) => {
                    let blob_path = format!("/repos/{}/git/blobs/{sha}", repo.slug());
                    match client.get(&blob_path).await {
                        Ok(blob) => {
                            fetched_at = fetched_at.min(Some(blob.fetched_at));
                            decode(&blob.body).and_then(|t| {
                                t.ok_or_else(|| "the blob answer has no content".to_string())
                            })
                        }
                        Err(e) => Err(e.to_string()),
                    }
                }
                None => Err("the contents answer has neither content nor sha".into()),
            }
        }
        Err(e) => Err(e),
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            let note = format!("{DATA_PATH} could not be read: {e}");
            return (
                None,
                Some(provenance(location, 0, false, vec![note])),
                fetched_at,
            );
        }
    };
    match action::parse_data_js(&text, &location) {
        Ok((series, warnings)) => {
            let complete = warnings.is_empty();
            let n = series.len();
            (
                Some(series),
                Some(provenance(location, n, complete, warnings)),
                fetched_at,
            )
        }
        Err(e) => {
            let note = format!("{DATA_PATH} is not github-action-benchmark data: {e}");
            (
                None,
                Some(provenance(location, 0, false, vec![note])),
                fetched_at,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_content_is_decoded_across_line_breaks() {
        let body = serde_json::json!({"encoding": "base64", "content": "d2luZG93LkJF\nTkNITUFSS19EQVRBID0ge30=\n"});
        assert_eq!(
            decode(&body).unwrap().as_deref(),
            Some("window.BENCHMARK_DATA = {}")
        );
        let large = serde_json::json!({"encoding": "none", "content": ""});
        assert_eq!(decode(&large).unwrap(), None);
        let bad = serde_json::json!({"encoding": "base64", "content": "!!!"});
        assert!(decode(&bad).unwrap_err().contains("base64"));
    }
}
