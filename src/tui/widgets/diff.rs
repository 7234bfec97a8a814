//! Character-level difference between two versions of a message.
//!
//! The diff runs over grapheme clusters, not words: a Japanese sentence
//! has no spaces, and an edit from 10万円 to 100万円 must show as one
//! inserted `0`. Removed text is written `[-…-]` and inserted text `{+…+}`
//! as well as coloured, so the change is readable without colours and in
//! plain-text snapshots.

use std::time::Duration;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use similar::{ChangeTag, TextDiff};

use super::text::clean_multiline;
use crate::tui::theme::style;

/// Maximum time one diff may take. Past it, `similar` returns a coarser
/// but still correct diff, so a huge edited body cannot freeze the screen.
const DIFF_TIMEOUT: Duration = Duration::from_millis(300);

/// A diff as one styled line (with line breaks inside its spans) and counts.
#[derive(Debug, Clone, PartialEq)]
pub struct CharDiff {
    pub line: Line<'static>,
    /// Grapheme clusters removed and inserted.
    pub removed: usize,
    pub inserted: usize,
}

/// Computes the grapheme-level diff from `old` to `new`.
pub fn char_diff(old: &str, new: &str) -> CharDiff {
    let diff = TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_graphemes(old, new);
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_tag = ChangeTag::Equal;
    let mut removed = 0;
    let mut inserted = 0;
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Delete => removed += 1,
            ChangeTag::Insert => inserted += 1,
            ChangeTag::Equal => {}
        }
        if change.tag() != run_tag {
            push_run(&mut spans, &run, run_tag);
            run.clear();
            run_tag = change.tag();
        }
        run.push_str(change.value());
    }
    push_run(&mut spans, &run, run_tag);
    CharDiff {
        line: Line::from(spans),
        removed,
        inserted,
    }
}

fn push_run(spans: &mut Vec<Span<'static>>, run: &str, tag: ChangeTag) {
    if run.is_empty() {
        return;
    }
    let text = clean_multiline(run);
    match tag {
        ChangeTag::Equal => spans.push(Span::styled(text, Style::new())),
        ChangeTag::Delete => {
            spans.push(Span::styled("[-", style::removed()));
            spans.push(Span::styled(text, style::removed()));
            spans.push(Span::styled("-]", style::removed()));
        }
        ChangeTag::Insert => {
            spans.push(Span::styled("{+", style::inserted()));
            spans.push(Span::styled(text, style::inserted()));
            spans.push(Span::styled("+}", style::inserted()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_change_is_one_inserted_digit() {
        let diff = char_diff("10万円で発注します", "100万円で発注します");
        assert_eq!(diff.line.to_string(), "10{+0+}万円で発注します");
        assert_eq!((diff.removed, diff.inserted), (0, 1));
    }

    #[test]
    fn replaced_word_shows_both_sides() {
        let diff = char_diff("承認しました", "却下しました");
        assert_eq!(diff.line.to_string(), "[-承認-]{+却下+}しました");
        assert_eq!((diff.removed, diff.inserted), (2, 2));
    }

    #[test]
    fn decomposed_kana_is_one_unit() {
        let diff = char_diff("カ\u{3099}イド", "カイド");
        assert_eq!(diff.line.to_string(), "[-カ\u{3099}-]{+カ+}イド");
    }

    #[test]
    fn control_characters_are_visible() {
        let diff = char_diff("a", "a\x1b[2J");
        assert_eq!(diff.line.to_string(), "a{+␛[2J+}");
    }

    #[test]
    fn identical_texts_have_no_marks() {
        let diff = char_diff("同じ", "同じ");
        assert_eq!(diff.line.to_string(), "同じ");
        assert_eq!((diff.removed, diff.inserted), (0, 0));
    }
}
