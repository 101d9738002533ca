//! Version numbers in the shapes projects tag releases with: semantic
//! versions (`1.2.3`, `1.2.3-rc.1`), PEP 440 (`1.2.3rc1`, `1.2.3.post1`,
//! `1!2.0`, `1.2.3.dev0`) and calendar versions (`2024.1.0`, `2024.01.15`).
//!
//! One number alone (`1`, `v2`) is not accepted as a release version: such
//! tags are usually moving "major" tags (GitHub Actions publish them), not
//! releases. Use `--tag-pattern` for projects that really tag that way.

use std::cmp::Ordering;

/// A parsed version. Only what release classification needs is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// PEP 440 epoch (`1!2.0` has epoch 1), 0 otherwise.
    pub epoch: u64,
    /// The numeric release segment, as written (`[2024, 1, 0]`).
    pub release: Vec<u64>,
    /// A pre-release label (`rc1`, `b2`, `alpha`, `snapshot`), normalised to lower case.
    pub pre: Option<String>,
    /// A post-release number (`.post1`, `-1`).
    pub post: Option<u64>,
    /// A development-release number (`.dev0`).
    pub dev: Option<u64>,
}

const PRE_WORDS: &[&str] = &["a", "alpha", "b", "beta", "c", "rc", "pre", "preview"];
const POST_WORDS: &[&str] = &["post", "rev", "r"];

impl Version {
    /// Parses `text`, which must already be stripped of any tag prefix
    /// (`v`, `release-`). Returns `None` for anything that is not a version.
    #[must_use]
    pub fn parse(text: &str) -> Option<Version> {
        let lower = text.trim().to_ascii_lowercase();
        let mut rest = lower.as_str();

        let mut epoch = 0;
        if let Some((e, tail)) = rest.split_once('!') {
            epoch = parse_digits(e)?;
            rest = tail;
        }

        let mut release = Vec::new();
        loop {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if end == 0 {
                return None;
            }
            release.push(parse_digits(&rest[..end])?);
            rest = &rest[end..];
            match rest.strip_prefix('.') {
                Some(tail) if tail.starts_with(|c: char| c.is_ascii_digit()) => rest = tail,
                _ => break,
            }
        }
        if release.len() < 2 {
            return None;
        }

        // Local version labels (`+local`, semver build metadata) do not matter here.
        if let Some((head, _)) = rest.split_once('+') {
            rest = head;
        }

        let mut v = Version {
            epoch,
            release,
            pre: None,
            post: None,
            dev: None,
        };
        while !rest.is_empty() {
            let sep = rest.chars().next().filter(|c| matches!(c, '-' | '_' | '.'));
            if let Some(c) = sep {
                rest = &rest[c.len_utf8()..];
            }
            let word_end = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let word = &rest[..word_end];
            rest = &rest[word_end..];
            if word.is_empty() {
                // `1.0-1`: PEP 440's implicit post-release.
                if sep != Some('-') || v.post.is_some() {
                    return None;
                }
                let (n, tail) = take_number(rest)?;
                v.post = Some(n);
                rest = tail;
                continue;
            }
            let (n, tail) = take_optional_number(rest)?;
            rest = tail;
            if PRE_WORDS.contains(&word) && v.pre.is_none() {
                v.pre = Some(format!(
                    "{word}{}",
                    n.map(|n| n.to_string()).unwrap_or_default()
                ));
            } else if POST_WORDS.contains(&word) && v.post.is_none() {
                v.post = Some(n.unwrap_or(0));
            } else if word == "dev" && v.dev.is_none() {
                v.dev = Some(n.unwrap_or(0));
            } else if sep == Some('-') {
                // Semantic versioning: anything after a hyphen is a pre-release
                // (`1.0.0-snapshot`, `2.0.0-m1.2`); what follows it does not matter.
                v.pre = Some(word.to_string());
                return Some(v);
            } else {
                return None;
            }
        }
        Some(v)
    }

    /// Whether this is a pre-release (alpha, beta, rc, dev, ...).
    #[must_use]
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    /// Orders final releases: epoch, then the release segment with missing
    /// trailing components read as zero (`1.0 == 1.0.0`), then post-release.
    #[must_use]
    pub fn release_cmp(&self, other: &Version) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| {
                let n = self.release.len().max(other.release.len());
                (0..n)
                    .map(|i| {
                        let a = self.release.get(i).copied().unwrap_or(0);
                        let b = other.release.get(i).copied().unwrap_or(0);
                        a.cmp(&b)
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            })
            .then_with(|| self.post.unwrap_or(0).cmp(&other.post.unwrap_or(0)))
    }
}

fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// An optional separator then digits: `1`, `.1`, `-1`.
fn take_optional_number(s: &str) -> Option<(Option<u64>, &str)> {
    let body = s.strip_prefix(['.', '-', '_']).unwrap_or(s);
    if body.starts_with(|c: char| c.is_ascii_digit()) {
        let (n, tail) = take_number(body)?;
        return Some((Some(n), tail));
    }
    Some((None, s))
}

fn take_number(s: &str) -> Option<(u64, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    Some((parse_digits(&s[..end])?, &s[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn finals_in_every_shape() {
        for s in [
            "1.2.3",
            "0.4",
            "2024.1.0",
            "2021.04.15",
            "1!2.0",
            "1.2.3+local.7",
            "1.0.0.post1",
            "1.0-1",
            "3.6.0-r2",
        ] {
            assert!(!v(s).is_prerelease(), "{s} is a final release");
        }
        assert_eq!(v("1.0-1").post, Some(1));
        assert_eq!(v("2021.04.15").release, vec![2021, 4, 15]);
    }

    #[test]
    fn prereleases_in_every_shape() {
        for s in [
            "1.0.0rc1",
            "1.0.0-rc.1",
            "2.0b3",
            "2.0.0a1",
            "1.2.3.dev0",
            "1.0.0-alpha",
            "1.0.0-beta.2",
            "1.0.0-snapshot",
            "0.9.0c1",
            "4.0.0.preview2",
        ] {
            assert!(v(s).is_prerelease(), "{s} is a pre-release");
        }
    }

    #[test]
    fn non_versions_are_rejected() {
        for s in [
            "",
            "1",
            "v1.2",
            "debian/0.4.0-1",
            "nightly",
            "1.2.x",
            "1..2",
            "1.2.3foo",
            "99999999999999999999.1",
        ] {
            assert_eq!(Version::parse(s), None, "{s} is not a version");
        }
    }

    #[test]
    fn release_ordering_pads_and_counts_post_releases() {
        assert_eq!(v("1.0").release_cmp(&v("1.0.0")), Ordering::Equal);
        assert_eq!(v("1.10.0").release_cmp(&v("1.9.9")), Ordering::Greater);
        assert_eq!(v("1.0.0.post1").release_cmp(&v("1.0.0")), Ordering::Greater);
        assert_eq!(v("1!0.1").release_cmp(&v("2024.1.0")), Ordering::Greater);
    }
}
