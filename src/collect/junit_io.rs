//! The I/O under the JUnit XML reader: `--junit` globs walked without
//! following a link twice, a read bounded per XML event, and the content of
//! elements the reader does not need skipped without being held.

use std::collections::HashSet;
use std::io::BufRead;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::fsutil::{Skip, glob_base, walk_glob};

/// The most bytes one XML event (a tag, a text) may take outside the
/// elements whose content is skipped (give or take one read buffer); past
/// it the file is refused.
pub(crate) const MAX_EVENT: u64 = 32 * 1024 * 1024;

/// Files matching one glob `pattern`, each once, in path order, with how
/// many matches were the same file reached again through a link.
///
/// The folders are walked by [`crate::fsutil::walk_glob`], which follows
/// links to folders but enters each folder once: a link back up
/// (`ci/a -> ..`) is not a loop. FIFOs and devices that match are returned
/// for the reader to refuse by name; what else the walk could not read (a
/// broken link, a folder that cannot be listed) is left out, as glob does.
///
/// # Errors
/// The pattern is not a valid glob.
pub(crate) fn glob_files(pattern: &str) -> Result<(Vec<PathBuf>, usize), glob::PatternError> {
    let compiled = glob::Pattern::new(pattern)?;
    if !pattern.contains(['*', '?', '[']) {
        // No wildcard: the path itself, when it is not a folder.
        let p = PathBuf::from(pattern);
        let found = std::fs::metadata(&p).is_ok_and(|m| !m.is_dir());
        return Ok((if found { vec![p] } else { Vec::new() }, 0));
    }
    let walked = walk_glob(pattern, &compiled, usize::MAX, &|a, b| a.cmp(b));
    // Named as the walk names the files it found (without `./`).
    let bare = glob_base(pattern).is_empty();
    let special = walked.skipped.into_iter().filter_map(|(p, why)| match why {
        Skip::Special(_) if bare => Some(p.strip_prefix(".").map_or(p.clone(), Path::to_path_buf)),
        Skip::Special(_) => Some(p),
        _ => None,
    });
    // A file reached again through a link is counted, not read again (a
    // folder reached again holds no match of its own).
    let mut again = walked.repeated.iter().filter(|(p, _)| !p.is_dir()).count();
    // A hard link is the same file under another name: read once too.
    let mut ids = HashSet::new();
    let mut found = Vec::new();
    for path in walked.files.into_iter().chain(special) {
        match std::fs::metadata(&path) {
            Ok(m) if !ids.insert((m.dev(), m.ino())) => again += 1,
            _ => found.push(path),
        }
    }
    found.sort();
    Ok((found, again))
}

/// A reader that refuses to give more than [`MAX_EVENT`] bytes between two
/// calls of [`Bounded::mark`], so that no single XML event can take more
/// memory than that.
#[derive(Debug)]
pub(crate) struct Bounded<R> {
    inner: R,
    since_mark: u64,
    /// Off while content is skipped (the skipper holds nothing).
    on: bool,
}

impl<R> Bounded<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            since_mark: 0,
            on: true,
        }
    }

    /// Starts a new event.
    pub(crate) fn mark(&mut self) {
        self.since_mark = 0;
    }

    /// Turns the bound off (while skipping content that is not held) or on.
    pub(crate) fn bound(&mut self, on: bool) {
        self.on = on;
        self.since_mark = 0;
    }
}

impl<R: std::io::Read> std::io::Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.check()?;
        let n = self.inner.read(buf)?;
        self.since_mark += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Bounded<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.check()?;
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.since_mark += amt as u64;
        self.inner.consume(amt);
    }
}

impl<R> Bounded<R> {
    fn check(&self) -> std::io::Result<()> {
        if self.on && self.since_mark > MAX_EVENT {
            return Err(std::io::Error::other(format!(
                "a tag or text longer than {} MiB",
                MAX_EVENT >> 20
            )));
        }
        Ok(())
    }
}

/// Where the content skipper is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    Text,
    /// After `<`, reading the start of a tag into the look-ahead.
    Open,
    /// Inside a tag; the quote of an attribute value if in one; the byte before.
    Tag {
        quote: u8,
        last: u8,
        same: Same,
    },
    Comment {
        dashes: u8,
    },
    CData {
        brackets: u8,
    },
}

/// Whether the tag being read opens or closes an element of the skipped name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Same {
    No,
    Opens,
    Closes,
}

/// Skips the content of the element `name` just opened, through its end tag,
/// holding only a few bytes: comments, CDATA sections, quoted attribute values
/// and nested elements of the same name are followed.
///
/// # Errors
/// The input ends first (the message says inside which element) or cannot be read.
pub(crate) fn skip_content<R: BufRead>(input: &mut R, name: &[u8]) -> Result<(), String> {
    let mut at = At::Text;
    let mut depth = 1usize;
    // The start of a tag, up to what tells it apart.
    let mut ahead: Vec<u8> = Vec::with_capacity(name.len() + 10);
    loop {
        let chunk = input
            .fill_buf()
            .map_err(|e| format!("cannot read inside <{}>: {e}", show(name)))?;
        if chunk.is_empty() {
            return Err(format!("truncated: the file ends inside <{}>", show(name)));
        }
        let mut used = 0;
        while used < chunk.len() {
            // Runs of bytes that cannot change the state are passed over at once.
            let wanted = match at {
                At::Text => Some(b'<'),
                At::CData { brackets: 0 } => Some(b']'),
                At::Comment { dashes: 0 } => Some(b'-'),
                _ => None,
            };
            if let Some(wanted) = wanted {
                if let Some(i) = chunk[used..].iter().position(|&b| b == wanted) {
                    used += i;
                } else {
                    used = chunk.len();
                    continue;
                }
            }
            if at == At::Text {
                used += 1;
                ahead.clear();
                ahead.push(b'<');
                at = At::Open;
                continue;
            }
            let b = chunk[used];
            used += 1;
            at = step(at, b, &mut ahead, name);
            if let At::Tag {
                quote: 0,
                same,
                last,
            } = at
                && b == b'>'
            {
                match same {
                    Same::Closes => depth -= 1,
                    Same::Opens if last != b'/' => depth += 1,
                    _ => {}
                }
                at = At::Text;
                if depth == 0 {
                    input.consume(used);
                    return Ok(());
                }
            }
        }
        input.consume(used);
    }
}

/// One byte of the skipper's state machine outside text.
fn step(at: At, b: u8, ahead: &mut Vec<u8>, name: &[u8]) -> At {
    match at {
        At::Text => At::Text,
        At::Open => {
            ahead.push(b);
            classify(ahead, name).unwrap_or(At::Open)
        }
        At::Tag { quote, last, same } => {
            let quote = match (quote, b) {
                (0, b'"' | b'\'') => b,
                (q, c) if q == c => 0,
                (q, _) => q,
            };
            // `last` is the byte before `>`: `/` makes a self-closing tag.
            let last = if b == b'>' { last } else { b };
            At::Tag { quote, last, same }
        }
        At::Comment { dashes } => match b {
            b'-' => At::Comment {
                dashes: dashes.saturating_add(1),
            },
            b'>' if dashes >= 2 => At::Text,
            _ => At::Comment { dashes: 0 },
        },
        At::CData { brackets } => match b {
            b']' => At::CData {
                brackets: brackets.saturating_add(1),
            },
            b'>' if brackets >= 2 => At::Text,
            _ => At::CData { brackets: 0 },
        },
    }
}

/// What the look-ahead after `<` turned out to be, once it can tell.
fn classify(ahead: &[u8], name: &[u8]) -> Option<At> {
    const COMMENT: &[u8] = b"<!--";
    const CDATA: &[u8] = b"<![CDATA[";
    if ahead == COMMENT {
        return Some(At::Comment { dashes: 0 });
    }
    if ahead == CDATA {
        return Some(At::CData { brackets: 0 });
    }
    if COMMENT.starts_with(ahead) || CDATA.starts_with(ahead) {
        return None;
    }
    let tag = |same| {
        let last = *ahead.last().unwrap_or(&0);
        Some(At::Tag {
            quote: 0,
            last: if last == b'>' { 0 } else { last },
            same,
        })
    };
    let (body, closing) = match ahead.get(1) {
        Some(b'/') => (&ahead[2..], true),
        _ => (&ahead[1..], false),
    };
    let (&end, stem) = body.split_last()?;
    if stem.len() < name.len() && name.starts_with(body) {
        return None;
    }
    let same = if stem == name && (end.is_ascii_whitespace() || end == b'>' || end == b'/') {
        if closing { Same::Closes } else { Same::Opens }
    } else {
        Same::No
    };
    // A tag ending right here (`<a>`, `</a>`) is closed by the caller seeing `>`.
    tag(same)
}

fn show(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip(input: &str, name: &str) -> Result<String, String> {
        let mut r = std::io::BufReader::with_capacity(3, input.as_bytes());
        skip_content(&mut r, name.as_bytes())?;
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut r, &mut rest).map_err(|e| e.to_string())?;
        Ok(rest)
    }

    /// The skipper stops right after the element's own end tag, past look-alikes in
    /// CDATA, comments, attribute values, nested and self-closing elements of the same name.
    #[test]
    fn skips_to_the_matching_end_tag() {
        let cases = [
            ("plain text</system-out><next/>", "<next/>"),
            ("a<![CDATA[ </system-out> ]] ]]></system-out>X", "X"),
            ("<!-- </system-out> --></system-out>X", "X"),
            ("<b x=\"</system-out>\" y='>'/></system-out>X", "X"),
            ("<system-out>in</system-out></system-out >X", "X"),
            ("<system-out/><system-out a='1' /></system-out>X", "X"),
            ("<system-outer></system-outer></system-out>X", "X"),
            ("</system-out>", ""),
        ];
        for (input, rest) in cases {
            assert_eq!(skip(input, "system-out").as_deref(), Ok(rest), "{input}");
        }
    }

    /// Input that ends inside the element is an error naming it.
    #[test]
    fn truncated_content_is_an_error() {
        for input in ["text", "<![CDATA[ </system-out>", "<!-- -- ", "</system-ou"] {
            let e = skip(input, "system-out").unwrap_err();
            assert_eq!(e, "truncated: the file ends inside <system-out>", "{input}");
        }
    }

    /// A walk through links that loop (`ci/a -> ..`, `ci/b -> ..`) ends, and finds each file
    /// once; a link to a file already found is counted, not read again.
    #[test]
    fn glob_walks_follow_no_loop() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("ci/deep")).unwrap();
        std::fs::write(d.join("ci/r.xml"), "x").unwrap();
        std::fs::write(d.join("ci/deep/s.xml"), "x").unwrap();
        std::os::unix::fs::symlink("..", d.join("ci/a")).unwrap();
        std::os::unix::fs::symlink("..", d.join("ci/deep/b")).unwrap();
        std::os::unix::fs::symlink("r.xml", d.join("ci/z.xml")).unwrap();
        let (found, again) = glob_files(&format!("{}/**/*.xml", d.display())).unwrap();
        let rel: Vec<_> = found
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().display().to_string())
            .collect();
        assert_eq!(rel, vec!["ci/deep/s.xml", "ci/r.xml"]);
        assert_eq!(again, 1);
        // One level only without `**`.
        let (found, _) = glob_files(&format!("{}/ci/*.xml", d.display())).unwrap();
        assert_eq!(found.len(), 1);
        assert!(glob_files("[").is_err());
    }

    /// A hard link is the same file: counted once more, not read twice; a
    /// FIFO that matches is returned for the reader to refuse by name.
    #[test]
    fn glob_walks_read_hard_links_once_and_return_fifos() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.xml"), "x").unwrap();
        std::fs::hard_link(d.join("a.xml"), d.join("b.xml")).unwrap();
        crate::fsutil::mkfifo(&d.join("pipe.xml"));
        let (found, again) = glob_files(&format!("{}/*.xml", d.display())).unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["a.xml", "pipe.xml"]);
        assert_eq!(again, 1);
    }

    /// The bounded reader refuses past MAX_EVENT bytes without a mark, and resets on mark.
    #[test]
    fn bounded_reads_stop_past_the_limit() {
        let big = vec![b'a'; usize::try_from(MAX_EVENT + 10).unwrap()];
        let mut r = Bounded::new(&big[..]);
        let mut sink = Vec::new();
        let e = std::io::Read::read_to_end(&mut r, &mut sink).unwrap_err();
        assert!(e.to_string().contains("longer than 32 MiB"), "{e}");
        let mut r = Bounded::new(&big[..]);
        let mut chunk = vec![0; 1 << 20];
        let mut total = 0;
        while let Ok(n) = std::io::Read::read(&mut r, &mut chunk) {
            if n == 0 {
                break;
            }
            total += n;
            r.mark();
        }
        assert_eq!(total, big.len());
    }
}
