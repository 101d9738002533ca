//! Escaping untrusted text (tag names, issue titles, test and benchmark
//! names, paths) for markdown that GitHub renders: no raw HTML, no broken
//! tables, no links or images smuggled in, no `@mention` that would notify
//! someone when the report is posted as a comment.

/// Escapes `text` for use anywhere in a markdown line, including table cells.
///
/// Markdown punctuation is backslash-escaped; `<`, `>` and `&` become
/// entities; line breaks and other control characters become spaces (a
/// newline would end a table row); `@` is followed by a zero-width space so
/// that GitHub does not turn `@user` into a mention.
#[must_use]
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            // What can start emphasis, code, links, tables, strikethrough or
            // (for `#`) an issue reference; `!` is harmless once `[` is escaped.
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("@\u{200B}"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            // Bidirectional overrides can make text read differently from what it is.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    // A leading `-` or `+` would start a list item, `=` a heading underline.
    if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
            "!\\[img\\](http://e/x.png)"
        );
        assert_eq!(markdown("`code`"), "\\`code\\`");
        assert_eq!(markdown("**bold** _it_"), "\\*\\*bold\\*\\* \\_it\\_");
        assert_eq!(markdown("- item"), "\\- item");
        assert_eq!(markdown("&amp;"), "&amp;amp;");
    }

    #[test]
    fn mentions_are_defused() {
        let s = markdown("thanks @octocat");
        assert!(!s.contains("@octocat"));
        assert_eq!(s, "thanks @\u{200B}octocat");
    }

    #[test]
    fn ordinary_names_stay_readable() {
        assert_eq!(markdown("v2024.1.0"), "v2024.1.0");
        assert_eq!(markdown("dask-2.0 → 2.1"), "dask-2.0 → 2.1");
    }
}
