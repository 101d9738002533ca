//! Actions artifacts: the zip download and the reading of its entries, both
//! bounded.
//!
//! `GET /repos/{o}/{r}/actions/artifacts/{id}/zip` goes to the API host with
//! the token and answers a redirect to a short-lived URL on a storage host.
//! That URL is followed by hand, by a request that carries no
//! `Authorization` header (the HTTP client follows no redirect by itself),
//! and the URL, whose query is a credential of its own, is never shown:
//! messages name its host only. The zip is held in memory up to a size cap
//! (a larger one is refused before or while it is read), and its entries
//! are streamed: never unpacked whole, never written to disk.
//!
//! A zip bomb is refused whole, with the reason: more entries than
//! [`Limits::entries`], more unpacked bytes than [`Limits::unpacked`]
//! (declared or actually read), or an entry that unpacks to more than
//! [`Limits::ratio`] times its packed size.

use std::cell::Cell;
use std::io::{BufReader, Read};
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::client::Client;

/// Bounds on one artifact.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The zip's size, as downloaded.
    pub download: u64,
    /// The bytes of all its entries, unpacked.
    pub unpacked: u64,
    /// Entries in the zip (folders included).
    pub entries: usize,
    /// Unpacked bytes per packed byte, for entries over 1 MiB unpacked.
    pub ratio: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            download: 200 * 1024 * 1024,
            unpacked: 1024 * 1024 * 1024,
            entries: 10_000,
            ratio: 200,
        }
    }
}

/// Entries smaller than this are not held to [`Limits::ratio`]: a tiny file
/// of repeated text packs very well and is harmless.
const RATIO_FLOOR: u64 = 1024 * 1024;

/// An HTTP client that follows no redirect, for the zip downloads.
///
/// # Errors
/// The TLS or HTTP client cannot be set up.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(timeout)
        .user_agent(concat!("readiness/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot start the download client: {}", e.without_url()))
}

/// The host (and port) of a URL, to name it without its path and query.
fn host_of(url: &reqwest::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => "an unnamed host".into(),
    }
}

/// Sends a request made by `make`, again after a transport fault or a 5xx
/// answer, at most the client's `retries` times, with its backoff.
async fn send(
    client: &Client,
    make: impl Fn() -> reqwest::RequestBuilder,
    what: &str,
) -> Result<reqwest::Response, String> {
    let settings = client.settings();
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        client.stats.sent.fetch_add(1, Ordering::Relaxed);
        let last = match make().send().await {
            Ok(r) if !r.status().is_server_error() => return Ok(r),
            Ok(r) => format!("HTTP {}", r.status().as_u16()),
            Err(e) => e.without_url().to_string(),
        };
        if attempt > settings.retries {
            return Err(format!("{what}: gave up after {attempt} attempts: {last}"));
        }
        let backoff = settings.backoff.saturating_mul(1 << (attempt - 1).min(16));
        tokio::time::sleep(backoff).await;
    }
}

/// Downloads the zip of the artifact at `path` (`/repos/o/r/actions/artifacts/ID/zip`).
///
/// # Errors
/// No token; GitHub refuses or the artifact is gone; a redirect that is not
/// http(s) (plain http only when the API itself is); the storage host's
/// error; a zip larger than `max` bytes. Messages name the storage host,
/// never its URL, and never the token.
pub(crate) async fn zip(
    client: &Client,
    http: &reqwest::Client,
    path: &str,
    max: u64,
) -> Result<Vec<u8>, String> {
    let Some(token) = client.settings().token.clone() else {
        return Err("downloading an artifact needs a token".into());
    };
    let url = format!("{}{path}", client.base());
    let first = send(
        client,
        || {
            http.get(&url)
                .bearer_auth(token.expose())
                .header("accept", "application/vnd.github+json")
                .header("x-github-api-version", "2022-11-28")
        },
        path,
    )
    .await?;
    let status = first.status().as_u16();
    let body = match status {
        301 | 302 | 303 | 307 | 308 => {
            let target = redirect_target(&url, &first)?;
            let answer = send(client, || http.get(target.clone()), &host_of(&target)).await?;
            if !answer.status().is_success() {
                return Err(format!(
                    "the storage host {} answered HTTP {}",
                    host_of(&target),
                    answer.status().as_u16()
                ));
            }
            answer
        }
        // The API host answered with the zip itself: the token was sent to it alone.
        200 => first,
        401 => return Err(format!("{path}: GitHub refused the credentials (401)")),
        404 | 410 => {
            return Err(format!(
                "{path}: gone (HTTP {status}): the artifact expired or was deleted"
            ));
        }
        _ => return Err(format!("{path}: HTTP {status}")),
    };
    read_capped(client, body, max).await
}

/// Where a redirect points, checked: http(s), and plain http only when the API is.
fn redirect_target(url: &str, answer: &reqwest::Response) -> Result<reqwest::Url, String> {
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("GitHub answered a redirect without a Location")?;
    let base = reqwest::Url::parse(url).map_err(|e| format!("the API URL is not valid: {e}"))?;
    let target = base
        .join(location)
        .map_err(|_| "GitHub redirected to a URL that cannot be read".to_string())?;
    let allowed = match target.scheme() {
        "https" => true,
        "http" => base.scheme() == "http",
        _ => false,
    };
    if !allowed {
        return Err(format!(
            "GitHub redirected to a {} URL on {}: only https is followed",
            target.scheme(),
            host_of(&target)
        ));
    }
    Ok(target)
}

/// The body of `answer`, refused once it grows past `max` bytes.
async fn read_capped(
    client: &Client,
    mut answer: reqwest::Response,
    max: u64,
) -> Result<Vec<u8>, String> {
    let too_big = |n: u64| {
        format!(
            "the zip is larger than the {} MB cap ({n} bytes)",
            max >> 20
        )
    };
    if let Some(n) = answer.content_length()
        && n > max
    {
        return Err(too_big(n));
    }
    let mut out = Vec::new();
    loop {
        match answer.chunk().await {
            Ok(Some(chunk)) => {
                client
                    .stats
                    .downloaded
                    .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                out.extend_from_slice(&chunk);
                if out.len() as u64 > max {
                    return Err(too_big(out.len() as u64));
                }
            }
            Ok(None) => return Ok(out),
            Err(e) => return Err(format!("the download broke off: {}", e.without_url())),
        }
    }
}

/// What a zip held.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Unzipped {
    /// Entries handed to the reader (the `.xml` ones, for [`read_zip`]).
    pub xml: usize,
    /// Other files, not read.
    pub other: usize,
}

/// A reader that fails once more than `left` bytes went through it, and says so in `tripped`.
struct Budget<'a, R> {
    inner: R,
    left: &'a Cell<u64>,
    tripped: &'a Cell<bool>,
}

impl<R: Read> Read for Budget<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let left = self.left.get();
        if n as u64 > left {
            self.tripped.set(true);
            return Err(std::io::Error::other("the unpacked size cap was reached"));
        }
        self.left.set(left - n as u64);
        Ok(n)
    }
}

/// Hands every `.xml` entry of the zip in `bytes` to `each` (its name and a
/// reader of its unpacked content), refusing a zip bomb before or while it
/// is read.
///
/// # Errors
/// Not a zip, or a damaged one; a zip bomb (see [`Limits`]): the reason.
pub fn read_zip(
    bytes: &[u8],
    limits: &Limits,
    each: impl FnMut(&str, &mut dyn std::io::BufRead),
) -> Result<Unzipped, String> {
    read_zip_where(
        bytes,
        limits,
        &|name| name.to_ascii_lowercase().ends_with(".xml"),
        each,
    )
}

/// As [`read_zip`], for the entries whose name `want` accepts.
///
/// # Errors
/// As [`read_zip`].
pub fn read_zip_where(
    bytes: &[u8],
    limits: &Limits,
    want: &dyn Fn(&str) -> bool,
    mut each: impl FnMut(&str, &mut dyn std::io::BufRead),
) -> Result<Unzipped, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable zip: {e}"))?;
    if archive.len() > limits.entries {
        return Err(format!(
            "refused as a zip bomb: {} entries, more than the {} read",
            archive.len(),
            limits.entries
        ));
    }
    let mut declared = 0u64;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| format!("entry {i} cannot be read: {e}"))?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        declared = declared.saturating_add(size);
        if size > RATIO_FLOOR && size / packed.max(1) > limits.ratio {
            return Err(format!(
                "refused as a zip bomb: an entry unpacks {size} bytes from {packed} (more than {} times its size)",
                limits.ratio
            ));
        }
    }
    if declared > limits.unpacked {
        return Err(format!(
            "refused as a zip bomb: it unpacks to {declared} bytes, more than the {} MB read",
            limits.unpacked >> 20
        ));
    }
    let left = Cell::new(limits.unpacked);
    let tripped = Cell::new(false);
    let mut out = Unzipped::default();
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| format!("entry {i} cannot be read: {e}"))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .map_or_else(|_| format!("entry {i}"), std::borrow::Cow::into_owned);
        if !want(&name) {
            out.other += 1;
            continue;
        }
        let budget = Budget {
            inner: entry,
            left: &left,
            tripped: &tripped,
        };
        each(&name, &mut BufReader::with_capacity(64 * 1024, budget));
        if tripped.get() {
            return Err(format!(
                "refused as a zip bomb: it unpacks to more than the {} MB read (more than it declares)",
                limits.unpacked >> 20
            ));
        }
        out.xml += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in files {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn names(bytes: &[u8], limits: &Limits) -> Result<(Vec<String>, Unzipped), String> {
        let mut seen = Vec::new();
        let got = read_zip(bytes, limits, |name, r| {
            let mut s = String::new();
            r.read_to_string(&mut s).unwrap();
            seen.push(format!("{name}={}", s.len()));
        })?;
        Ok((seen, got))
    }

    #[test]
    fn xml_entries_are_read_and_others_counted() {
        let z = zip_of(&[
            ("pytest.xml", b"<a/>"),
            ("log.txt", b"x"),
            ("d/B.XML", b"<bb/>"),
        ]);
        let (seen, got) = names(&z, &Limits::default()).unwrap();
        assert_eq!(seen, ["pytest.xml=4", "d/B.XML=5"]);
        assert_eq!(got, Unzipped { xml: 2, other: 1 });
    }

    #[test]
    fn bombs_and_damage_are_refused_with_the_reason() {
        let big = vec![b'a'; 4 * 1024 * 1024];
        let z = zip_of(&[("big.xml", &big)]);
        let e = names(&z, &Limits::default()).unwrap_err();
        assert!(
            e.starts_with("refused as a zip bomb: an entry unpacks"),
            "{e}"
        );
        let small = Limits {
            unpacked: 1024,
            ..Limits::default()
        };
        let z = zip_of(&[("a.xml", &[b'b'; 2000])]);
        let e = names(&z, &small).unwrap_err();
        assert!(e.contains("more than the 0 MB read"), "{e}");
        let many: Vec<(String, Vec<u8>)> =
            (0..5).map(|i| (format!("{i}.xml"), Vec::new())).collect();
        let refs: Vec<(&str, &[u8])> = many
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice()))
            .collect();
        let few = Limits {
            entries: 4,
            ..Limits::default()
        };
        let e = names(&zip_of(&refs), &few).unwrap_err();
        assert!(e.contains("5 entries"), "{e}");
        let e = names(b"PK\x03\x04 not a zip", &Limits::default()).unwrap_err();
        assert!(e.starts_with("not a readable zip"), "{e}");
    }
}
