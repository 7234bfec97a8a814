//! Escaping of data into HTML, links for http and https URLs only, and
//! search-hit marks.
//!
//! Every character that comes from the data goes through [`push_text`]:
//! `& < > " '` become entities, control characters other than TAB and line
//! breaks become visible pictures (U+2400 block), and C1 and bidi controls
//! become `<U+XXXX>` text, so the report shows what the data holds and a
//! bidi override cannot reorder what the reader sees.

use std::ops::Range;

use crate::text::sanitize::is_bidi_control;

/// Appends `text` escaped for element content and attribute values.
pub fn push_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{0}'..='\u{1F}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}')),
            '\u{7F}' => out.push('\u{2421}'),
            _ if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("&lt;U+{:04X}&gt;", c as u32));
            }
            _ => out.push(c),
        }
    }
}

/// Returns `text` escaped, see [`push_text`].
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    push_text(&mut out, text);
    out
}

/// Returns the byte ranges of the http and https URLs in `text`.
///
/// A URL starts with `http://` or `https://` (any case) and runs to the
/// first white space, non-ASCII or control character, or one of
/// `" < > ' \``. Trailing `. , ; : ! ?` are left out, and so is a closing
/// parenthesis that the URL did not open. No other scheme is ever linked.
pub fn url_ranges(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let mut position = 0;
    while let Some(offset) = find_scheme(&bytes[position..]) {
        let start = position + offset.0;
        let body_start = start + offset.1;
        let mut end = body_start;
        while end < bytes.len() && is_url_byte(bytes[end]) {
            end += 1;
        }
        while end > body_start {
            let last = bytes[end - 1];
            let unbalanced_paren = last == b')'
                && bytes[start..end].iter().filter(|&&b| b == b'(').count()
                    < bytes[start..end].iter().filter(|&&b| b == b')').count();
            if matches!(last, b'.' | b',' | b';' | b':' | b'!' | b'?') || unbalanced_paren {
                end -= 1;
            } else {
                break;
            }
        }
        if end > body_start {
            ranges.push(start..end);
        }
        position = end.max(body_start);
    }
    ranges
}

/// Finds the next `http://` or `https://`; returns its offset and length.
fn find_scheme(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut index = 0;
    while index + 7 <= bytes.len() {
        let rest = &bytes[index..];
        if rest[..4].eq_ignore_ascii_case(b"http") {
            if rest[4..].starts_with(b"://") {
                return Some((index, 7));
            }
            if rest.len() >= 8
                && rest[4..5].eq_ignore_ascii_case(b"s")
                && rest[5..].starts_with(b"://")
            {
                return Some((index, 8));
            }
        }
        index += 1;
    }
    None
}

fn is_url_byte(byte: u8) -> bool {
    byte.is_ascii_graphic() && !matches!(byte, b'"' | b'<' | b'>' | b'\'' | b'`')
}

/// Appends text with its URLs as links and the byte ranges in `marks`
/// (sorted, not overlapping) wrapped in `<mark>`.
pub fn push_linked_text(out: &mut String, text: &str, marks: &[Range<usize>]) {
    let mut position = 0;
    for url in url_ranges(text) {
        push_marked(out, text, position..url.start, marks);
        out.push_str("<a href=\"");
        push_text(out, &text[url.clone()]);
        out.push_str("\" rel=\"noopener noreferrer\">");
        push_marked(out, text, url.clone(), marks);
        out.push_str("</a>");
        position = url.end;
    }
    push_marked(out, text, position..text.len(), marks);
}

/// Appends `text[span]`, wrapping the parts inside `marks` in `<mark>`.
fn push_marked(out: &mut String, text: &str, span: Range<usize>, marks: &[Range<usize>]) {
    let mut position = span.start;
    for mark in marks {
        let start = mark.start.max(span.start);
        let end = mark.end.min(span.end);
        if start >= end {
            continue;
        }
        push_text(out, &text[position..start]);
        out.push_str("<mark>");
        push_text(out, &text[start..end]);
        out.push_str("</mark>");
        position = end;
    }
    push_text(out, &text[position..span.end]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_characters_are_escaped() {
        assert_eq!(
            escape("<a href='x'>&\""),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
        assert_eq!(escape("&lt;script&gt;"), "&amp;lt;script&amp;gt;");
    }

    #[test]
    fn controls_become_visible() {
        assert_eq!(escape("a\x1b[2Jb"), "a\u{241B}[2Jb");
        assert_eq!(escape("\u{202E}abc"), "&lt;U+202E&gt;abc");
        assert_eq!(escape("\u{9B}31m"), "&lt;U+009B&gt;31m");
        assert_eq!(escape("a\tb\nc"), "a\tb\nc");
    }

    #[test]
    fn only_http_and_https_are_links() {
        let text = "javascript:alert(1) ftp://x data:text/html,1 HTTPS://example.invalid/a";
        assert_eq!(
            url_ranges(text),
            vec![text.find("HTTPS").unwrap()..text.len()]
        );
    }

    #[test]
    fn url_stops_at_markup_and_japanese() {
        let text = "https://example.invalid/?q=<x>&a=\"1\"";
        assert_eq!(
            &text[url_ranges(text)[0].clone()],
            "https://example.invalid/?q="
        );
        let text = "資料はhttps://example.invalid/docs。です";
        assert_eq!(
            &text[url_ranges(text)[0].clone()],
            "https://example.invalid/docs"
        );
        let text = "(see http://example.invalid/a_(b)).";
        assert_eq!(
            &text[url_ranges(text)[0].clone()],
            "http://example.invalid/a_(b)"
        );
        assert!(url_ranges("http:// nothing").is_empty());
    }

    #[test]
    fn links_are_escaped_and_marked() {
        let mut out = String::new();
        let text = "見て https://example.invalid/?a=1&b=2 確認";
        let start = text.find("確認").unwrap();
        let mark = start..start + "確認".len();
        push_linked_text(&mut out, text, std::slice::from_ref(&mark));
        assert_eq!(
            out,
            "見て <a href=\"https://example.invalid/?a=1&amp;b=2\" rel=\"noopener noreferrer\">\
             https://example.invalid/?a=1&amp;b=2</a> <mark>確認</mark>"
        );
    }
}
