//! Character-level diff of two versions of a message, as HTML with `<del>`
//! and `<ins>`.
//!
//! The diff runs over extended grapheme clusters, so a Japanese character,
//! an emoji with modifiers or a kana with a combining sound mark is
//! compared as one unit and never split. Japanese has no spaces, so a
//! word-level diff would mark whole sentences; 10万円 → 100万円 shows as a
//! single inserted `0`.

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffTag, capture_diff_slices_deadline};
use unicode_segmentation::UnicodeSegmentation;

use super::escape::push_text;

/// Time one diff may take. After it the diff is coarser but still correct:
/// every removed and inserted character is marked.
const DEADLINE: Duration = Duration::from_secs(2);

/// Appends the diff from `old` to `new`.
pub fn push_diff(out: &mut String, old: &str, new: &str) {
    let old_units: Vec<&str> = old.graphemes(true).collect();
    let new_units: Vec<&str> = new.graphemes(true).collect();
    let deadline = Instant::now() + DEADLINE;
    let ops =
        capture_diff_slices_deadline(Algorithm::Myers, &old_units, &new_units, Some(deadline));
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => push_units(out, &old_units[old_range]),
            DiffTag::Delete => push_wrapped(out, "del", &old_units[old_range]),
            DiffTag::Insert => push_wrapped(out, "ins", &new_units[new_range]),
            DiffTag::Replace => {
                push_wrapped(out, "del", &old_units[old_range]);
                push_wrapped(out, "ins", &new_units[new_range]);
            }
        }
    }
}

fn push_units(out: &mut String, units: &[&str]) {
    for unit in units {
        push_text(out, unit);
    }
}

fn push_wrapped(out: &mut String, tag: &str, units: &[&str]) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    push_units(out, units);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(old: &str, new: &str) -> String {
        let mut out = String::new();
        push_diff(&mut out, old, new);
        out
    }

    #[test]
    fn amount_change_marks_one_character() {
        assert_eq!(
            diff("10万円で発注します", "100万円で発注します"),
            "10<ins>0</ins>万円で発注します"
        );
    }

    #[test]
    fn emoji_and_combining_marks_stay_whole() {
        assert_eq!(diff("了解👩‍💻", "了解👩‍🔬"), "了解<del>👩‍💻</del><ins>👩‍🔬</ins>");
        assert_eq!(
            diff("カ\u{3099}イド", "ガイド"),
            "<del>カ\u{3099}</del><ins>ガ</ins>イド"
        );
    }

    #[test]
    fn diff_text_is_escaped() {
        assert_eq!(diff("<a>", "<b>"), "&lt;<del>a</del><ins>b</ins>&gt;");
    }
}
