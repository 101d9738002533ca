//! Escaping untrusted text (tag names, issue titles, test and benchmark
//! names, paths) for markdown that GitHub renders: no raw HTML, no broken
//! tables, no links or images smuggled in, no `@mention` that would notify
//! someone when the report is posted as a comment, and no bare URL that
//! GitHub's autolinker would turn into a link.

/// What the escape puts inside a pattern GitHub would turn into a link or a
/// mention: a zero-width space. It is invisible, so the text reads as it was
/// written, and no autolink or reference pattern matches across it.
pub(crate) const BREAK: char = '\u{200B}';

/// Escapes `text` for use anywhere in a markdown line, including table cells.
///
/// Markdown punctuation is backslash-escaped; `<`, `>` and `&` become
/// entities; line breaks and other control characters become spaces (a
/// newline would end a table row). GitHub links some plain text by itself,
/// and backslashes do not stop it (it finds mentions and issue references in
/// the rendered text), so a zero-width space ([`BREAK`]) goes inside each such
/// pattern: after every `@` (mentions, e-mail addresses, `mailto:` and
/// `xmpp:` links), after the `:` of `://` (URLs of any scheme), between
/// `www` and `.` (www links), after a `#` before a digit (issue references
/// such as `#12` and `owner/repo#12`) and after the `-` of `GH-` before a
/// digit.
#[must_use]
pub(crate) fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            // What can start emphasis, code, links, tables, strikethrough or
            // (for `#`) a heading; `!` is harmless once `[` is escaped.
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            // Bidirectional overrides can make text read differently from what
            // it is. The input's zero-width spaces are dropped: every one in the
            // output is the escape's own.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | BREAK => {}
            c => out.push(c),
        }
    }
    // A leading `-` or `+` would start a list item, `=` a heading underline.
    if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    }
    break_autolinks(&out)
}

/// Puts a [`BREAK`] inside every mention, e-mail address, URL, www link and
/// issue reference of `text` (already escaped: it holds no `<` or `&` that
/// could hide one).
fn break_autolinks(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        let at = |k: usize| chars.get(i + k).copied().unwrap_or(' ');
        let before = |k: usize| {
            i.checked_sub(k)
                .and_then(|j| chars.get(j))
                .copied()
                .unwrap_or(' ')
        };
        let breaks = match c {
            '@' => true,
            ':' => at(1) == '/' && at(2) == '/',
            'w' | 'W' => {
                at(1) == '.' && [1, 2].iter().all(|&k| before(k).eq_ignore_ascii_case(&'w'))
            }
            '#' => at(1).is_ascii_digit(),
            '-' => {
                at(1).is_ascii_digit()
                    && before(1).eq_ignore_ascii_case(&'h')
                    && before(2).eq_ignore_ascii_case(&'g')
            }
            _ => false,
        };
        if breaks {
            out.push(BREAK);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Markup, HTML, line breaks and list starts in the input stay text.
    #[test]
    fn hostile_text_cannot_escape_its_cell() {
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(
            markdown("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(markdown("line\nbreak"), "line break");
        assert_eq!(
            markdown("[x](javascript:alert(1))"),
            "\\[x\\](javascript:alert(1))"
        );
        assert_eq!(
            markdown("![img](http://e/x.png)"),
            "!\\[img\\](http:\u{200B}//e/x.png)"
        );
        assert_eq!(markdown("`code`"), "\\`code\\`");
        assert_eq!(markdown("**bold** _it_"), "\\*\\*bold\\*\\* \\_it\\_");
        assert_eq!(markdown("- item"), "\\- item");
        assert_eq!(markdown("&amp;"), "&amp;amp;");
    }

    /// An `@login` is broken so that GitHub notifies nobody.
    #[test]
    fn mentions_are_defused() {
        let s = markdown("thanks @octocat");
        assert!(!s.contains("@octocat"));
        assert_eq!(s, "thanks @\u{200B}octocat");
    }

    /// Every pattern GitHub links by itself gets a zero-width space inside it.
    #[test]
    fn autolink_patterns_are_broken() {
        let z = BREAK;
        assert_eq!(
            markdown("see https://evil.example/p"),
            format!("see https:{z}//evil.example/p")
        );
        assert_eq!(markdown("FTP://x.example"), format!("FTP:{z}//x.example"));
        assert_eq!(
            markdown("www.evil.example and WWW.x.example"),
            format!("www{z}.evil.example and WWW{z}.x.example")
        );
        assert_eq!(
            markdown("mail me@evil.example"),
            format!("mail me@{z}evil.example")
        );
        assert_eq!(markdown("fixes #12"), format!("fixes \\#{z}12"));
        assert_eq!(markdown("o/r#3"), format!("o/r\\#{z}3"));
        assert_eq!(markdown("GH-7 gh-8"), format!("GH-{z}7 gh-{z}8"));
        // A zero-width space in the input is replaced by the escape's own.
        assert_eq!(markdown(&format!("www{z}.x")), format!("www{z}.x"));
    }

    /// Text without those patterns is left as it was.
    #[test]
    fn ordinary_names_stay_readable() {
        assert_eq!(
            markdown("a-1 #x w.w ww.x http:/x"),
            "a-1 \\#x w.w ww.x http:/x"
        );
        assert_eq!(markdown("v2024.1.0"), "v2024.1.0");
        assert_eq!(markdown("dask-2.0 → 2.1"), "dask-2.0 → 2.1");
    }
}
