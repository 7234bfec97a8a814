//! Display width of text in terminal cells, under an explicit policy for
//! East Asian Ambiguous characters.
//!
//! Width is measured per extended grapheme cluster, the way ratatui 0.30
//! fills its buffer: a ZWJ emoji sequence or a flag is one 2-cell cluster,
//! and `カ` followed by a combining voiced sound mark is one 2-cell cluster.
//! Cutting, padding and wrapping happen only at cluster boundaries, so no
//! function here splits a character or a cluster.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Number of cells an East Asian Ambiguous character (East_Asian_Width=A,
/// such as ①, ■, ※, ○, △, ☆, ω) takes.
///
/// The default is `Narrow` because ratatui lays out its buffer with
/// unicode-width's non-CJK widths, where these characters take one cell:
/// only under `Narrow` do the widths here agree with ratatui's. `Wide` is
/// for terminals configured to draw them with two cells, and a screen that
/// uses it has to keep ratatui from overlapping the following cell itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AmbiguousWidth {
    #[default]
    Narrow,
    Wide,
}

/// The mark [`truncate`] appends when it cuts text. It is itself
/// ambiguous, so it takes two cells under [`AmbiguousWidth::Wide`].
pub const ELLIPSIS: &str = "…";

/// Returns the number of cells one extended grapheme cluster takes.
///
/// Under `Narrow` this is unicode-width's width of the cluster, which is
/// also ratatui 0.30's cell width except for the half-width sound marks
/// U+FF9E and U+FF9F (see the note below). A cluster that contains a
/// control character counts 0, because ratatui drops such clusters; pass
/// text through [`crate::text::sanitize::for_terminal`] to show them.
///
/// Under `Wide`, a cluster whose base character is ambiguous and one cell
/// wide takes two cells, as in Markus Kuhn's `mk_wcwidth_cjk`, which widens
/// every spacing East_Asian_Width=A character. unicode-width's own CJK width
/// is used when larger. That one leaves ambiguous letters such as Greek ω at
/// one cell, which would misplace the kaomoji common in Japanese chat.
///
/// NOTE: ratatui-core 0.1.2 adds a cell per sound mark on top of
/// unicode-width 0.2.3, which already counts one, so it measures `ﾊﾞ` as 3
/// cells while terminals draw 2. The widths here are the terminal's, and
/// the console's painter gives each mark a cell of its own with a forced
/// width of one, so ratatui's diff skips no cell after it.
pub fn grapheme_width(g: &str, policy: AmbiguousWidth) -> usize {
    if g.chars().any(char::is_control) {
        return 0;
    }
    let narrow = g.width();
    match policy {
        AmbiguousWidth::Narrow => narrow,
        AmbiguousWidth::Wide => {
            let cjk = g.width_cjk();
            let ambiguous_base = g
                .chars()
                .next()
                .is_some_and(|base| is_ambiguous(base) && base.width() == Some(1));
            let floor = if ambiguous_base { 2 } else { 0 };
            narrow.max(cjk).max(floor)
        }
    }
}

/// Returns the number of cells `s` takes on one line: the sum of its
/// clusters' widths. Line breaks and other controls count 0.
pub fn display_width(s: &str, policy: AmbiguousWidth) -> usize {
    s.graphemes(true).map(|g| grapheme_width(g, policy)).sum()
}

/// Cuts `s` to at most `max` cells, ending it with [`ELLIPSIS`] when
/// anything was cut. Returns `s` borrowed when it fits.
///
/// When `max` is narrower than the ellipsis itself (1 under `Wide`), the
/// result is the longest prefix that fits, without a mark.
pub fn truncate(s: &str, max: usize, policy: AmbiguousWidth) -> Cow<'_, str> {
    let ellipsis_width = display_width(ELLIPSIS, policy);
    let budget = max.saturating_sub(ellipsis_width);

    let mut width = 0;
    let mut cut_with_ellipsis = None;
    let mut cut_without_ellipsis = None;
    for (index, g) in s.grapheme_indices(true) {
        let g_width = grapheme_width(g, policy);
        if cut_with_ellipsis.is_none() && width + g_width > budget {
            cut_with_ellipsis = Some(index);
        }
        if width + g_width > max {
            cut_without_ellipsis = Some(index);
            break;
        }
        width += g_width;
    }

    let Some(cut_without_ellipsis) = cut_without_ellipsis else {
        return Cow::Borrowed(s);
    };
    if ellipsis_width > max {
        return Cow::Borrowed(&s[..cut_without_ellipsis]);
    }
    let cut = cut_with_ellipsis.unwrap_or(cut_without_ellipsis);
    let mut out = String::with_capacity(cut + ELLIPSIS.len());
    out.push_str(&s[..cut]);
    out.push_str(ELLIPSIS);
    Cow::Owned(out)
}

/// Truncates `s` as [`truncate`] does, then pads it with spaces on the right
/// to exactly `width` cells.
pub fn pad_right(s: &str, width: usize, policy: AmbiguousWidth) -> String {
    let cut = truncate(s, width, policy);
    let used = display_width(&cut, policy);
    let mut out = String::with_capacity(cut.len() + width - used);
    out.push_str(&cut);
    out.extend(std::iter::repeat_n(' ', width - used));
    out
}

/// Splits `s` into rows of at most `width` cells, breaking at cluster
/// boundaries and at every `\n` (a `\r\n` pair counts as one break).
///
/// Returns one entry per row, so an empty input or an empty input line gives
/// an empty row. A `width` of 0 is treated as 1. A cluster wider than
/// `width` gets a row of its own. Such a row is the only one wider than
/// `width`. Zero-width clusters stay on the row of the cluster before them.
pub fn wrap(s: &str, width: usize, policy: AmbiguousWidth) -> Vec<String> {
    let width = width.max(1);
    let mut rows = Vec::new();
    for line in s.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut row = String::new();
        let mut row_width = 0;
        for g in line.graphemes(true) {
            let g_width = grapheme_width(g, policy);
            if g_width > 0 && row_width > 0 && row_width + g_width > width {
                rows.push(std::mem::take(&mut row));
                row_width = 0;
            }
            row.push_str(g);
            row_width += g_width;
        }
        rows.push(row);
    }
    rows
}

/// Returns true when `c` has East_Asian_Width=A in Unicode 18.0.
pub fn is_ambiguous(c: char) -> bool {
    let code = c as u32;
    AMBIGUOUS
        .binary_search_by(|&(first, last)| {
            if last < code {
                std::cmp::Ordering::Less
            } else if first > code {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Inclusive code point ranges with East_Asian_Width=A, from the Unicode
/// 18.0 EastAsianWidth.txt, the Unicode version of unicode-width 0.2.3.
/// Generated with the `unicodedata2` Python package (18.0.0) by collecting
/// runs of `east_asian_width(chr(cp)) == "A"`.
#[rustfmt::skip]
const AMBIGUOUS: &[(u32, u32)] = &[
    (0x00A1, 0x00A1), (0x00A4, 0x00A4), (0x00A7, 0x00A8), (0x00AA, 0x00AA), (0x00AD, 0x00AE),
    (0x00B0, 0x00B4), (0x00B6, 0x00BA), (0x00BC, 0x00BF), (0x00C6, 0x00C6), (0x00D0, 0x00D0),
    (0x00D7, 0x00D8), (0x00DE, 0x00E1), (0x00E6, 0x00E6), (0x00E8, 0x00EA), (0x00EC, 0x00ED),
    (0x00F0, 0x00F0), (0x00F2, 0x00F3), (0x00F7, 0x00FA), (0x00FC, 0x00FC), (0x00FE, 0x00FE),
    (0x0101, 0x0101), (0x0111, 0x0111), (0x0113, 0x0113), (0x011B, 0x011B), (0x0126, 0x0127),
    (0x012B, 0x012B), (0x0131, 0x0133), (0x0138, 0x0138), (0x013F, 0x0142), (0x0144, 0x0144),
    (0x0148, 0x014B), (0x014D, 0x014D), (0x0152, 0x0153), (0x0166, 0x0167), (0x016B, 0x016B),
    (0x01CE, 0x01CE), (0x01D0, 0x01D0), (0x01D2, 0x01D2), (0x01D4, 0x01D4), (0x01D6, 0x01D6),
    (0x01D8, 0x01D8), (0x01DA, 0x01DA), (0x01DC, 0x01DC), (0x0251, 0x0251), (0x0261, 0x0261),
    (0x02C4, 0x02C4), (0x02C7, 0x02C7), (0x02C9, 0x02CB), (0x02CD, 0x02CD), (0x02D0, 0x02D0),
    (0x02D8, 0x02DB), (0x02DD, 0x02DD), (0x02DF, 0x02DF), (0x0300, 0x036F), (0x0391, 0x03A1),
    (0x03A3, 0x03A9), (0x03B1, 0x03C1), (0x03C3, 0x03C9), (0x0401, 0x0401), (0x0410, 0x044F),
    (0x0451, 0x0451), (0x2010, 0x2010), (0x2013, 0x2016), (0x2018, 0x2019), (0x201C, 0x201D),
    (0x2020, 0x2022), (0x2024, 0x2027), (0x2030, 0x2030), (0x2032, 0x2033), (0x2035, 0x2035),
    (0x203B, 0x203B), (0x203E, 0x203E), (0x2074, 0x2074), (0x207F, 0x207F), (0x2081, 0x2084),
    (0x20AC, 0x20AC), (0x2103, 0x2103), (0x2105, 0x2105), (0x2109, 0x2109), (0x2113, 0x2113),
    (0x2116, 0x2116), (0x2121, 0x2122), (0x2126, 0x2126), (0x212B, 0x212B), (0x2153, 0x2154),
    (0x215B, 0x215E), (0x2160, 0x216B), (0x2170, 0x2179), (0x2189, 0x2189), (0x2190, 0x2199),
    (0x21B8, 0x21B9), (0x21D2, 0x21D2), (0x21D4, 0x21D4), (0x21E7, 0x21E7), (0x2200, 0x2200),
    (0x2202, 0x2203), (0x2207, 0x2208), (0x220B, 0x220B), (0x220F, 0x220F), (0x2211, 0x2211),
    (0x2215, 0x2215), (0x221A, 0x221A), (0x221D, 0x2220), (0x2223, 0x2223), (0x2225, 0x2225),
    (0x2227, 0x222C), (0x222E, 0x222E), (0x2234, 0x2237), (0x223C, 0x223D), (0x2248, 0x2248),
    (0x224C, 0x224C), (0x2252, 0x2252), (0x2260, 0x2261), (0x2264, 0x2267), (0x226A, 0x226B),
    (0x226E, 0x226F), (0x2282, 0x2283), (0x2286, 0x2287), (0x2295, 0x2295), (0x2299, 0x2299),
    (0x22A5, 0x22A5), (0x22BF, 0x22BF), (0x2312, 0x2312), (0x2460, 0x24E9), (0x24EB, 0x254B),
    (0x2550, 0x2573), (0x2580, 0x258F), (0x2592, 0x2595), (0x25A0, 0x25A1), (0x25A3, 0x25A9),
    (0x25B2, 0x25B3), (0x25B6, 0x25B7), (0x25BC, 0x25BD), (0x25C0, 0x25C1), (0x25C6, 0x25C8),
    (0x25CB, 0x25CB), (0x25CE, 0x25D1), (0x25E2, 0x25E5), (0x25EF, 0x25EF), (0x2605, 0x2606),
    (0x2609, 0x2609), (0x260E, 0x260F), (0x261C, 0x261C), (0x261E, 0x261E), (0x2640, 0x2640),
    (0x2642, 0x2642), (0x2660, 0x2661), (0x2663, 0x2665), (0x2667, 0x266A), (0x266C, 0x266D),
    (0x266F, 0x266F), (0x269E, 0x269F), (0x26BF, 0x26BF), (0x26C6, 0x26CD), (0x26CF, 0x26D3),
    (0x26D5, 0x26E1), (0x26E3, 0x26E3), (0x26E8, 0x26E9), (0x26EB, 0x26F1), (0x26F4, 0x26F4),
    (0x26F6, 0x26F9), (0x26FB, 0x26FC), (0x26FE, 0x26FF), (0x273D, 0x273D), (0x2776, 0x277F),
    (0x2B56, 0x2B59), (0x3248, 0x324F), (0xE000, 0xF8FF), (0xFE00, 0xFE0F), (0xFFFD, 0xFFFD),
    (0x1F100, 0x1F10A), (0x1F110, 0x1F12D), (0x1F130, 0x1F169), (0x1F170, 0x1F18D),
    (0x1F18F, 0x1F190), (0x1F19B, 0x1F1AC), (0xE0100, 0xE01EF), (0xF0000, 0xFFFFD),
    (0x100000, 0x10FFFD),
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ratatui::buffer::{Buffer, CellWidth};
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    const NARROW: AmbiguousWidth = AmbiguousWidth::Narrow;
    const WIDE: AmbiguousWidth = AmbiguousWidth::Wide;

    /// Returns the cell after the last one ratatui fills when it draws `s`
    /// from the left edge of a wide buffer.
    fn ratatui_end_column(s: &str) -> usize {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 1000, 1));
        let (x, _) = buffer.set_stringn(0, 0, s, usize::MAX, Style::default());
        usize::from(x)
    }

    #[test]
    fn emoji_sequences_are_one_wide_cluster() {
        for g in ["👩\u{200D}💻", "👨\u{200D}👩\u{200D}👧", "🇯🇵", "♠\u{FE0F}"] {
            assert_eq!(g.graphemes(true).count(), 1, "{g}");
            assert_eq!(grapheme_width(g, NARROW), 2, "{g}");
            assert_eq!(grapheme_width(g, WIDE), 2, "{g}");
        }
    }

    #[test]
    fn combining_marks_add_nothing() {
        assert_eq!(grapheme_width("カ\u{3099}", NARROW), 2);
        assert_eq!(grapheme_width("e\u{301}", NARROW), 1);
        assert_eq!(grapheme_width("\u{301}", NARROW), 0);
        assert_eq!(grapheme_width("\u{200B}", NARROW), 0);
    }

    #[test]
    fn controls_count_zero() {
        assert_eq!(grapheme_width("\x1b", NARROW), 0);
        assert_eq!(grapheme_width("\r\n", NARROW), 0);
        assert_eq!(grapheme_width("\u{9b}", WIDE), 0);
        assert_eq!(display_width("a\nb", NARROW), 2);
    }

    #[test]
    fn ambiguous_characters_follow_policy() {
        for g in ["①", "■", "※", "○", "△", "☆", "…", "─", "ω"] {
            assert_eq!(grapheme_width(g, NARROW), 1, "{g}");
            assert_eq!(grapheme_width(g, WIDE), 2, "{g}");
        }
        for (g, width) in [("あ", 2), ("a", 1), ("ｱ", 1), ("漢", 2)] {
            assert_eq!(grapheme_width(g, NARROW), width, "{g}");
            assert_eq!(grapheme_width(g, WIDE), width, "{g}");
        }
    }

    #[test]
    fn half_width_sound_mark_counts_as_terminals_do() {
        // Terminals draw `ﾊ` and `ﾞ` in one cell each. ratatui-core 0.1.2
        // measures three cells, one more than unicode-width 0.2.3.
        assert_eq!(grapheme_width("ﾊ\u{FF9E}", NARROW), 2);
        assert_eq!(grapheme_width("ﾊ\u{FF9F}", WIDE), 2);
        assert_eq!(usize::from("ﾊ\u{FF9E}".cell_width()), 3);
    }

    #[test]
    fn b12_b13_widths_match_ratatui() {
        for s in [
            "了解👩\u{200D}💻です",
            "👨\u{200D}👩\u{200D}👧 共有",
            "🇯🇵",
            "カ\u{3099}イト\u{3099}",
            "e\u{301}",
            "①定例※要確認",
            "■議題 ○進捗 △課題 ①②③ ☆",
        ] {
            assert_eq!(display_width(s, NARROW), ratatui_end_column(s), "{s}");
        }
    }

    #[test]
    fn display_width_of_b12_b13_inputs() {
        assert_eq!(display_width("了解👩\u{200D}💻です", NARROW), 10);
        assert_eq!(display_width("カ\u{3099}イト\u{3099}", NARROW), 6);
        assert_eq!(display_width("①定例※要確認", NARROW), 12);
        assert_eq!(display_width("①定例※要確認", WIDE), 14);
        assert_eq!(display_width("■議題 ○進捗 △課題 ①②③ ☆", NARROW), 23);
        assert_eq!(display_width("■議題 ○進捗 △課題 ①②③ ☆", WIDE), 30);
        // ratatui measures 10: one more cell for the sound mark.
        assert_eq!(display_width("ｻｰﾊﾞｰ障害", NARROW), 9);
    }

    #[test]
    fn truncate_kana_preview_to_ten_columns() {
        let s = "あいうえおかきくけこさ";
        assert_eq!(truncate(s, 10, NARROW), "あいうえ…");
        assert_eq!(truncate(s, 10, WIDE), "あいうえ…");
        assert_eq!(display_width(&truncate(s, 10, NARROW), NARROW), 9);
        assert_eq!(display_width(&truncate(s, 10, WIDE), WIDE), 10);
        assert_eq!(truncate(s, 11, NARROW), "あいうえお…");
    }

    #[test]
    fn truncate_keeps_fitting_text_borrowed() {
        assert!(matches!(
            truncate("あいうえお", 10, NARROW),
            Cow::Borrowed("あいうえお")
        ));
        assert!(matches!(truncate("", 0, NARROW), Cow::Borrowed("")));
    }

    #[test]
    fn truncate_never_splits_cluster() {
        let s = "了解👩\u{200D}💻です";
        assert_eq!(truncate(s, 7, NARROW), "了解👩\u{200D}💻…");
        assert_eq!(truncate(s, 6, NARROW), "了解…");
        assert_eq!(
            truncate("カ\u{3099}イト\u{3099}", 5, NARROW),
            "カ\u{3099}イ…"
        );
        assert_eq!(truncate("カ\u{3099}イト\u{3099}", 3, NARROW), "カ\u{3099}…");
    }

    #[test]
    fn truncate_b13_body_under_both_policies() {
        let s = "■議題 ○進捗 △課題 ①②③ ☆";
        assert_eq!(truncate(s, 20, NARROW), "■議題 ○進捗 △課題 ①…");
        assert_eq!(truncate(s, 20, WIDE), "■議題 ○進捗 △課…");
        assert_eq!(truncate(s, 30, WIDE), s);
        assert_eq!(truncate(s, 29, WIDE), "■議題 ○進捗 △課題 ①②③…");
    }

    #[test]
    fn truncate_to_tiny_widths() {
        assert_eq!(truncate("abc", 0, NARROW), "");
        assert_eq!(truncate("abc", 1, NARROW), "…");
        assert_eq!(truncate("あい", 1, NARROW), "…");
        assert_eq!(truncate("abc", 1, WIDE), "a");
        assert_eq!(truncate("あい", 1, WIDE), "");
    }

    #[test]
    fn pad_right_b13_room_at_width_30() {
        let room = "①定例※要確認";
        assert_eq!(
            pad_right(room, 30, NARROW),
            format!("{room}{}", " ".repeat(18))
        );
        assert_eq!(
            pad_right(room, 30, WIDE),
            format!("{room}{}", " ".repeat(16))
        );
    }

    #[test]
    fn pad_right_truncates_then_fills() {
        assert_eq!(pad_right("あいう", 5, NARROW), "あい…");
        assert_eq!(pad_right("あいう", 4, WIDE), "あ…");
        assert_eq!(pad_right("あいう", 4, NARROW), "あ… ");
        assert_eq!(pad_right("あ", 1, WIDE), " ");
        assert_eq!(pad_right("", 3, NARROW), "   ");
        assert_eq!(pad_right("abc", 0, NARROW), "");
    }

    #[test]
    fn wrap_by_display_width() {
        assert_eq!(wrap("あいうえお", 4, NARROW), ["あい", "うえ", "お"]);
        assert_eq!(wrap("あいうえお", 5, NARROW), ["あい", "うえ", "お"]);
        assert_eq!(wrap("①②③", 4, WIDE), ["①②", "③"]);
        assert_eq!(wrap("①②③", 4, NARROW), ["①②③"]);
    }

    #[test]
    fn wrap_honours_line_breaks() {
        assert_eq!(wrap("ab\ncd", 10, NARROW), ["ab", "cd"]);
        assert_eq!(wrap("ab\r\ncd", 10, NARROW), ["ab", "cd"]);
        assert_eq!(wrap("a\n", 10, NARROW), ["a", ""]);
        assert_eq!(wrap("\n\n", 10, NARROW), ["", "", ""]);
        assert_eq!(wrap("", 10, NARROW), [""]);
    }

    #[test]
    fn wrap_keeps_clusters_whole() {
        assert_eq!(
            wrap("了解👩\u{200D}💻です", 3, NARROW),
            ["了", "解", "👩\u{200D}💻", "で", "す"]
        );
        assert_eq!(
            wrap("カ\u{3099}イト\u{3099}", 2, NARROW),
            ["カ\u{3099}", "イ", "ト\u{3099}"]
        );
        assert_eq!(wrap("ab\u{200B}c", 2, NARROW), ["ab\u{200B}", "c"]);
    }

    #[test]
    fn wrap_width_zero_acts_as_one() {
        assert_eq!(wrap("あa", 0, NARROW), ["あ", "a"]);
        assert_eq!(wrap("ab", 0, NARROW), ["a", "b"]);
    }

    #[test]
    fn is_ambiguous_examples() {
        for c in [
            '①', '■', '※', '○', '△', '☆', '…', 'ω', '\u{E000}', '\u{FE0F}',
        ] {
            assert!(is_ambiguous(c), "{c:?}");
        }
        for c in ['a', 'あ', 'ア', '漢', '👩', '\0', '\u{10FFFF}'] {
            assert!(!is_ambiguous(c), "{c:?}");
        }
    }

    #[test]
    fn ambiguous_table_is_sorted_and_disjoint() {
        for (first, last) in AMBIGUOUS {
            assert!(first <= last, "{first:X}..{last:X}");
        }
        for pair in AMBIGUOUS.windows(2) {
            assert!(
                pair[0].1 < pair[1].0,
                "{:X?} overlaps {:X?}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn ambiguous_table_matches_unicode_width_version() {
        // Regenerate AMBIGUOUS for the new Unicode version when this fails.
        assert_eq!(unicode_width::UNICODE_VERSION, (18, 0, 0));
    }

    proptest! {
        #[test]
        fn narrow_width_matches_ratatui(s in "[^\\p{Cc}]{0,60}") {
            prop_assert_eq!(display_width(&s, NARROW), ratatui_end_column(&s));
        }

        #[test]
        fn truncate_fits_and_is_a_prefix(s in any::<String>(), max in 0usize..40, wide in any::<bool>()) {
            let policy = if wide { WIDE } else { NARROW };
            let cut = truncate(&s, max, policy);
            prop_assert!(display_width(&cut, policy) <= max);
            let prefix = if cut == s.as_str() {
                s.as_str()
            } else {
                cut.strip_suffix(ELLIPSIS).unwrap_or(&cut)
            };
            prop_assert!(s.starts_with(prefix));
            let boundaries: Vec<usize> = s.grapheme_indices(true).map(|(i, _)| i).collect();
            prop_assert!(prefix.len() == s.len() || boundaries.contains(&prefix.len()));
        }

        #[test]
        fn pad_right_is_exact(s in any::<String>(), width in 0usize..40, wide in any::<bool>()) {
            let policy = if wide { WIDE } else { NARROW };
            prop_assert_eq!(display_width(&pad_right(&s, width, policy), policy), width);
        }

        #[test]
        fn wrap_rows_fit_and_keep_text(s in "[^\r]{0,80}", width in 0usize..12, wide in any::<bool>()) {
            let policy = if wide { WIDE } else { NARROW };
            let rows = wrap(&s, width, policy);
            for row in &rows {
                let visible = row.graphemes(true).filter(|g| grapheme_width(g, policy) > 0).count();
                prop_assert!(display_width(row, policy) <= width.max(1) || visible == 1, "{:?}", row);
            }
            prop_assert_eq!(rows.concat(), s.replace('\n', ""));
            prop_assert!(rows.len() > s.matches('\n').count());
        }
    }
}
