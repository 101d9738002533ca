//! "Did you mean ...?" for misspelt names (signal ids, rubric keys).

/// Levenshtein distance over chars.
#[must_use]
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `name`, if it is close enough to be a likely typo:
/// within a third of the name's length (at least 2 edits), or sharing the
/// part after the last `.` (`count_365d` for `release.count_365d`).
#[must_use]
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(2);
    let tail = |s: &str| s.rsplit('.').next().unwrap_or(s).to_string();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let d = distance(name, c);
        let close = d <= limit || (name.contains('.') != c.contains('.') && tail(name) == tail(c));
        if close && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }

    #[test]
    fn nearest_finds_typos_and_refuses_strangers() {
        let ids = ["release.count_365d", "release.median_interval_days"];
        assert_eq!(
            nearest("release.cout_365d", ids),
            Some("release.count_365d")
        );
        assert_eq!(nearest("count_365d", ids), Some("release.count_365d"));
        assert_eq!(nearest("bananas", ids), None);
        assert_eq!(nearest("wieght", ["weight", "why"]), Some("weight"));
    }
}
