//! Styled text measured, cut, wrapped and drawn by display width.
//!
//! The console draws every piece of text through [`paint_line`] instead of
//! ratatui's `Paragraph` or `Table`, for two reasons:
//!
//! - Every span passes through [`for_terminal`] on its way into the buffer,
//!   so a control character from export data (ESC, OSC, C1, CR, a bidi
//!   override) reaches the buffer only as a visible placeholder.
//! - Widths follow the console's [`AmbiguousWidth`] policy. Under
//!   [`AmbiguousWidth::Wide`] an ambiguous character such as ① takes two
//!   cells: the glyph goes into the first and the second is marked
//!   [`CellDiffOption::Skip`], so the terminal's two-cell glyph is never
//!   overwritten by the next cell. ratatui itself measures those
//!   characters as one cell.
//!
//! Cutting and wrapping happen at grapheme cluster boundaries only.

use std::num::NonZeroU16;

use ratatui::buffer::{Buffer, Cell, CellDiffOption, CellWidth};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;

use crate::i18n::Lang;
use crate::text::sanitize::for_terminal;
use crate::text::width::{AmbiguousWidth, ELLIPSIS, display_width, grapheme_width};

/// Returns one-line text safe for the terminal: line breaks and every other
/// control character become visible placeholders.
pub fn clean(text: &str) -> String {
    for_terminal(text, false).into_owned()
}

/// Returns text safe for the terminal that keeps its line breaks.
pub fn clean_multiline(text: &str) -> String {
    for_terminal(text, true).into_owned()
}

/// Returns a span of cleaned one-line text.
pub fn span(text: &str, style: Style) -> Span<'static> {
    Span::styled(clean(text), style)
}

/// Returns the number of cells `line` takes.
pub fn line_width(line: &Line<'_>, policy: AmbiguousWidth) -> usize {
    line.spans
        .iter()
        .map(|span| display_width(&for_terminal(&span.content, false), policy))
        .sum()
}

/// Draws `line` at `(x, y)` into at most `max_width` cells and returns the
/// column after the last cell drawn.
///
/// Drawing stops before the first cluster that would not fit whole, so a
/// wide character never spills into a border. Zero-width clusters join the
/// cell before them. Nothing is drawn outside the buffer.
pub fn paint_line(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    max_width: u16,
    line: &Line<'_>,
    policy: AmbiguousWidth,
) -> u16 {
    let area = buf.area;
    if y < area.top() || y >= area.bottom() || x < area.left() {
        return x;
    }
    let right = x.saturating_add(max_width).min(area.right());
    let mut cursor = x;
    // Column where the last cluster drawn starts, for joining zero-width ones.
    let mut last_start = None;
    for span in &line.spans {
        let style = line.style.patch(span.style);
        let content = for_terminal(&span.content, false);
        for g in content.graphemes(true) {
            let width = grapheme_width(g, policy);
            if width == 0 {
                if let Some(start) = last_start {
                    join_zero_width(&mut buf[(start, y)], g, policy);
                }
                continue;
            }
            let Ok(width) = u16::try_from(width) else {
                return cursor;
            };
            if cursor.saturating_add(width) > right {
                return cursor;
            }
            for offset in 0..width {
                let cell = &mut buf[(cursor + offset, y)];
                cell.reset();
                cell.set_style(style);
            }
            if g.contains(SOUND_MARKS) {
                paint_marks_apart(buf, cursor, y, g, width, policy);
            } else {
                buf[(cursor, y)].set_symbol(g);
                // ratatui's diff skips the cells a cluster covers by its own
                // measure. Where the terminal draws the cluster wider (an
                // ambiguous character under the Wide policy), the cells
                // beyond that measure are marked Skip.
                let native = g.cell_width().max(1);
                for offset in native..width {
                    buf[(cursor + offset, y)].set_diff_option(CellDiffOption::Skip);
                }
            }
            last_start = Some(cursor);
            cursor += width;
        }
    }
    cursor
}

/// Appends a zero-width cluster (a combining mark that a span boundary
/// cut off) to the cell before it. A cluster that would change the cell's
/// width, such as U+FE0F turning `6` into a two-cell emoji, is dropped
/// instead, because the cells after it are already placed.
fn join_zero_width(cell: &mut Cell, g: &str, policy: AmbiguousWidth) {
    let joined = format!("{}{g}", cell.symbol());
    let same_width = grapheme_width(&joined, policy) == grapheme_width(cell.symbol(), policy)
        && joined.cell_width() == cell.symbol().cell_width();
    if same_width {
        cell.set_symbol(&joined);
    }
}

/// The half-width katakana sound marks ﾞ and ﾟ.
const SOUND_MARKS: [char; 2] = ['\u{FF9E}', '\u{FF9F}'];

/// Draws a cluster with half-width sound marks (`ﾊﾞ`) into `width` cells
/// from `x`, one cell for the base and one for each mark.
///
/// Terminals draw the base and each mark in a cell of their own. ratatui
/// keeps a cluster in one cell and measures it one cell wider per mark,
/// so its diff would take `ﾊﾞ` for one glyph two cells wide. Once the cell
/// is overwritten, the mark would stay on screen in the second cell. Each
/// cell here carries the width the terminal draws it with, and the cells
/// left over from the wider measure stay blank.
fn paint_marks_apart(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    g: &str,
    width: u16,
    policy: AmbiguousWidth,
) {
    let mut pieces: Vec<&str> = Vec::new();
    let mut piece_start = 0;
    for (index, c) in g.char_indices() {
        if index > 0 && SOUND_MARKS.contains(&c) {
            pieces.push(&g[piece_start..index]);
            piece_start = index;
        }
    }
    pieces.push(&g[piece_start..]);

    let end = x + width;
    let mut column = x;
    for piece in pieces {
        let drawn = grapheme_width(piece, policy) as u16;
        if drawn == 0 {
            if column > x {
                join_zero_width(&mut buf[(column - 1, y)], piece, policy);
            }
            continue;
        }
        if column + drawn > end {
            break;
        }
        let native = piece.cell_width().max(1);
        let cell = &mut buf[(column, y)];
        cell.set_symbol(piece);
        if let Some(forced) = NonZeroU16::new(drawn).filter(|_| drawn < native) {
            cell.set_diff_option(CellDiffOption::ForcedWidth(forced));
        }
        for offset in native..drawn {
            buf[(column + offset, y)].set_diff_option(CellDiffOption::Skip);
        }
        column += drawn;
    }
}

/// Fills `width` cells from `(x, y)` with spaces in `style`.
pub fn fill(buf: &mut Buffer, x: u16, y: u16, width: u16, style: Style) {
    let area = buf.area;
    if y < area.top() || y >= area.bottom() {
        return;
    }
    let right = x.saturating_add(width).min(area.right());
    for column in x.max(area.left())..right {
        let cell = &mut buf[(column, y)];
        cell.reset();
        cell.set_style(style);
    }
}

/// Blanks `area` for a box drawn over the screen, and blanks any wide
/// glyph to the left whose second half reaches into it, and the covered
/// cells a glyph under the right edge leaves beyond it.
///
/// Without that, the box's left border would land in the covered half of
/// such a glyph. ratatui's diff skips a covered cell, so the border would
/// never be sent. A glyph that is two cells wide only under the Wide
/// policy would be written over instead.
pub fn clear_for_overlay(buf: &mut Buffer, area: Rect) {
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        for back in 1..=4u16 {
            let Some(x) = area.x.checked_sub(back).filter(|&x| x >= buf.area.left()) else {
                break;
            };
            let cell = &buf[(x, y)];
            let blank = cell.symbol() == " " && cell.diff_option == CellDiffOption::None;
            let mut extent = cell.cell_width().max(1);
            while x + extent < buf.area.right()
                && buf[(x + extent, y)].diff_option == CellDiffOption::Skip
            {
                extent += 1;
            }
            if x + extent > area.x {
                for covered in x..area.x {
                    buf[(covered, y)].reset();
                }
            }
            if !blank {
                break;
            }
        }
        // A glyph under the box's right edge may cover cells beyond it.
        // They become plain blanks, as the terminal shows them once the
        // glyph is overwritten.
        let mut tail_end = area.right();
        for x in area.left()..area.right() {
            let mut extent = buf[(x, y)].cell_width().max(1);
            while x + extent < buf.area.right()
                && buf[(x + extent, y)].diff_option == CellDiffOption::Skip
            {
                extent += 1;
            }
            tail_end = tail_end.max(x + extent);
        }
        for x in area.left()..tail_end.min(buf.area.right()) {
            buf[(x, y)].reset();
        }
    }
}

/// Returns `line` cut to at most `max` cells, ending with `…` when cut.
pub fn truncate_line(line: &Line<'_>, max: usize, policy: AmbiguousWidth) -> Line<'static> {
    if line_width(line, policy) <= max {
        return to_owned_line(line);
    }
    let ellipsis = display_width(ELLIPSIS, policy);
    let budget = max.saturating_sub(ellipsis);
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    let mut last_style = line.style;
    'spans: for span in &line.spans {
        let style = line.style.patch(span.style);
        last_style = style;
        let content = for_terminal(&span.content, false);
        let mut fitted_text = String::new();
        for g in content.graphemes(true) {
            let width = grapheme_width(g, policy);
            if used + width > budget {
                if !fitted_text.is_empty() {
                    out.push(Span::styled(fitted_text, style));
                }
                break 'spans;
            }
            used += width;
            fitted_text.push_str(g);
        }
        if !fitted_text.is_empty() {
            out.push(Span::styled(fitted_text, style));
        }
    }
    if ellipsis <= max {
        out.push(Span::styled(ELLIPSIS, last_style));
    }
    Line::from(out)
}

/// Returns `line` cut or padded with spaces to exactly `width` cells.
pub fn fit_line(line: &Line<'_>, width: usize, policy: AmbiguousWidth) -> Line<'static> {
    let mut cut = truncate_keeping_marker(line, width, policy);
    let used = line_width(&cut, policy);
    if used < width {
        cut.spans.push(Span::raw(" ".repeat(width - used)));
    }
    cut
}

/// Truncates like [`truncate_line`], except that a resigned marker at the
/// end of a one-span line (`名前【解約済】`) stays whole and the name is cut
/// instead: in a narrow column the marker matters more than the name's end.
fn truncate_keeping_marker(line: &Line<'_>, max: usize, policy: AmbiguousWidth) -> Line<'static> {
    let whole = line_width(line, policy);
    let [span] = line.spans.as_slice() else {
        return truncate_line(line, max, policy);
    };
    let marker = [Lang::Ja, Lang::En]
        .map(crate::query::read::resigned_marker)
        .into_iter()
        .find(|marker| span.content.ends_with(marker));
    let Some(marker) = marker.filter(|_| whole > max) else {
        return truncate_line(line, max, policy);
    };
    let marker_width = display_width(marker, policy);
    if marker_width >= max {
        return truncate_line(line, max, policy);
    }
    let name = &span.content[..span.content.len() - marker.len()];
    let name_line = Line::from(Span::styled(name.to_string(), span.style)).style(line.style);
    let mut cut = truncate_line(&name_line, max - marker_width, policy);
    cut.spans.push(Span::styled(
        marker.to_string(),
        line.style.patch(span.style),
    ));
    cut
}

/// Splits `line` into rows of at most `width` cells at cluster boundaries
/// and at every `\n` in its spans. Styles carry over to the pieces.
///
/// A cluster wider than `width` gets a row of its own. At most `max_rows`
/// rows are returned; the second value is true when rows were left out.
pub fn wrap_line(
    line: &Line<'_>,
    width: usize,
    max_rows: usize,
    policy: AmbiguousWidth,
) -> (Vec<Line<'static>>, bool) {
    let width = width.max(1);
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut piece = String::new();
    let mut used = 0;
    for span in &line.spans {
        let style = line.style.patch(span.style);
        let content = for_terminal(&span.content, true);
        for g in content.graphemes(true) {
            if g == "\n" {
                flush_piece(&mut current, &mut piece, style);
                rows.push(Line::from(std::mem::take(&mut current)));
                used = 0;
                if rows.len() >= max_rows {
                    return (rows, true);
                }
                continue;
            }
            let g_width = grapheme_width(g, policy);
            if g_width > 0 && used > 0 && used + g_width > width {
                flush_piece(&mut current, &mut piece, style);
                rows.push(Line::from(std::mem::take(&mut current)));
                used = 0;
                if rows.len() >= max_rows {
                    return (rows, true);
                }
            }
            piece.push_str(g);
            used += g_width;
        }
        flush_piece(&mut current, &mut piece, style);
    }
    rows.push(Line::from(current));
    let cut = rows.len() > max_rows;
    rows.truncate(max_rows);
    (rows, cut)
}

fn flush_piece(current: &mut Vec<Span<'static>>, piece: &mut String, style: Style) {
    if !piece.is_empty() {
        current.push(Span::styled(std::mem::take(piece), style));
    }
}

/// Returns a copy of `line` that owns its text.
pub fn to_owned_line(line: &Line<'_>) -> Line<'static> {
    let spans: Vec<Span<'static>> = line
        .spans
        .iter()
        .map(|span| Span::styled(span.content.to_string(), span.style))
        .collect();
    Line::from(spans).style(line.style)
}

/// Returns `prefix` followed by the spans of `line`.
pub fn prefixed(prefix: Vec<Span<'static>>, line: Line<'static>) -> Line<'static> {
    let style = line.style;
    let mut spans = prefix;
    spans.extend(line.spans);
    Line::from(spans).style(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row_text(buf: &Buffer, y: u16) -> String {
        (buf.area.left()..buf.area.right())
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect()
    }

    #[test]
    fn paint_replaces_escape_with_picture() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 1));
        let line = Line::from("確認\x1b[2J済");
        paint_line(&mut buf, 0, 0, 20, &line, AmbiguousWidth::Narrow);
        let text = row_text(&buf, 0);
        assert!(text.starts_with("確 認 ␛[2J済"), "{text:?}");
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn paint_stops_before_wide_cluster() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 5, 1));
        buf[(4, 0)].set_symbol("|");
        let end = paint_line(
            &mut buf,
            0,
            0,
            4,
            &Line::from("ああa"),
            AmbiguousWidth::Narrow,
        );
        assert_eq!(end, 4);
        assert_eq!(buf[(4, 0)].symbol(), "|");

        let end = paint_line(
            &mut buf,
            1,
            0,
            3,
            &Line::from("ああ"),
            AmbiguousWidth::Narrow,
        );
        assert_eq!(end, 3);
        assert_eq!(buf[(4, 0)].symbol(), "|");
    }

    #[test]
    fn wide_policy_marks_cell_after_ambiguous_skip() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        let end = paint_line(&mut buf, 0, 0, 6, &Line::from("①a"), AmbiguousWidth::Wide);
        assert_eq!(end, 3);
        assert_eq!(buf[(0, 0)].symbol(), "①");
        assert_eq!(buf[(1, 0)].diff_option, CellDiffOption::Skip);
        assert_eq!(buf[(2, 0)].symbol(), "a");

        let mut narrow = Buffer::empty(Rect::new(0, 0, 6, 1));
        let end = paint_line(
            &mut narrow,
            0,
            0,
            6,
            &Line::from("①a"),
            AmbiguousWidth::Narrow,
        );
        assert_eq!(end, 2);
        assert_eq!(narrow[(1, 0)].symbol(), "a");
    }

    #[test]
    fn resigned_marker_survives_a_narrow_column() {
        let line = Line::from("長谷川 千代子【解約済】");
        let fitted = fit_line(&line, 14, AmbiguousWidth::Narrow);
        let text: String = fitted
            .spans
            .iter()
            .map(|span| span.content.as_ref())
            .collect();
        assert_eq!(text.trim_end(), "長…【解約済】");
        let english = fit_line(
            &Line::from("Hasegawa Chiyoko (resigned)"),
            16,
            AmbiguousWidth::Narrow,
        );
        let text: String = english
            .spans
            .iter()
            .map(|span| span.content.as_ref())
            .collect();
        assert!(text.ends_with(" (resigned)"), "{text}");
        // A name that fits is left alone.
        let short = fit_line(&Line::from("林【解約済】"), 14, AmbiguousWidth::Narrow);
        let text: String = short
            .spans
            .iter()
            .map(|span| span.content.as_ref())
            .collect();
        assert_eq!(text.trim_end(), "林【解約済】");
    }

    #[test]
    fn half_width_sound_mark_gets_own_cell() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        let end = paint_line(&mut buf, 0, 0, 6, &Line::from("ﾊﾞa"), AmbiguousWidth::Narrow);
        assert_eq!(end, 3);
        assert_eq!(buf[(0, 0)].symbol(), "ﾊ");
        assert_eq!(buf[(0, 0)].diff_option, CellDiffOption::None);
        assert_eq!(buf[(1, 0)].symbol(), "\u{FF9E}");
        let one = NonZeroU16::new(1).unwrap();
        assert_eq!(buf[(1, 0)].diff_option, CellDiffOption::ForcedWidth(one));
        // No blank cell between the mark and the next character.
        assert_eq!(buf[(2, 0)].symbol(), "a");
    }

    #[test]
    fn overwritten_sound_mark_is_sent_again() {
        let mut before = Buffer::empty(Rect::new(0, 0, 6, 1));
        paint_line(
            &mut before,
            0,
            0,
            6,
            &Line::from("ﾊﾞ"),
            AmbiguousWidth::Narrow,
        );
        let after = Buffer::empty(Rect::new(0, 0, 6, 1));
        let sent: Vec<u16> = before.diff(&after).iter().map(|(x, _, _)| *x).collect();
        assert!(
            sent.contains(&1),
            "the cell of the mark is cleared: {sent:?}"
        );
    }

    #[test]
    fn overlay_blanks_glyph_reaching_into_it() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 8, 2));
        paint_line(
            &mut buf,
            0,
            0,
            8,
            &Line::from("ab漢字"),
            AmbiguousWidth::Narrow,
        );
        paint_line(&mut buf, 0, 1, 8, &Line::from("ab①c"), AmbiguousWidth::Wide);
        clear_for_overlay(&mut buf, Rect::new(3, 0, 3, 2));
        assert_eq!(buf[(2, 0)].symbol(), " ", "漢 reached into the box");
        assert_eq!(buf[(2, 1)].symbol(), " ", "① reached into the box");
        assert_eq!(buf[(1, 1)].symbol(), "b");
        assert_eq!(buf[(6, 0)].symbol(), " ", "字's second half is outside");
    }

    #[test]
    fn width_changing_mark_is_dropped() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        let line = Line::from(vec![Span::raw("6"), Span::raw("\u{FE0F}W")]);
        let end = paint_line(&mut buf, 0, 0, 6, &line, AmbiguousWidth::Narrow);
        assert_eq!(end, 2);
        assert_eq!(buf[(0, 0)].symbol(), "6");
        assert_eq!(buf[(1, 0)].symbol(), "W");
    }

    #[test]
    fn combining_mark_joins_previous_cell() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        let line = Line::from(vec![Span::raw("カ"), Span::raw("\u{3099}イ")]);
        paint_line(&mut buf, 0, 0, 6, &line, AmbiguousWidth::Narrow);
        assert_eq!(buf[(0, 0)].symbol(), "カ\u{3099}");
        assert_eq!(buf[(2, 0)].symbol(), "イ");
    }

    #[test]
    fn truncate_never_splits_cluster() {
        let line = Line::from("あいうえおかきくけこさ");
        let cut = truncate_line(&line, 10, AmbiguousWidth::Narrow);
        assert_eq!(cut.to_string(), "あいうえ…");
        assert!(line_width(&cut, AmbiguousWidth::Narrow) <= 10);

        let emoji = Line::from("了解👩‍💻です");
        let cut = truncate_line(&emoji, 6, AmbiguousWidth::Narrow);
        assert_eq!(cut.to_string(), "了解…");
    }

    #[test]
    fn fit_pads_to_exact_width() {
        for policy in [AmbiguousWidth::Narrow, AmbiguousWidth::Wide] {
            for text in ["①定例※要確認", "abc", "", "👨‍👩‍👧 共有"] {
                let fitted = fit_line(&Line::from(text), 7, policy);
                assert_eq!(line_width(&fitted, policy), 7, "{text:?} {policy:?}");
            }
        }
    }

    #[test]
    fn wrap_splits_at_newline_and_width() {
        let line = Line::from(vec![Span::raw("あいう"), Span::raw("え\nお")]);
        let (rows, cut) = wrap_line(&line, 4, 10, AmbiguousWidth::Narrow);
        let texts: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert_eq!(texts, ["あい", "うえ", "お"]);
        assert!(!cut);

        let (rows, cut) = wrap_line(&line, 4, 2, AmbiguousWidth::Narrow);
        assert_eq!(rows.len(), 2);
        assert!(cut);
    }

    #[test]
    fn wrap_shows_carriage_return() {
        let (rows, _) = wrap_line(
            &Line::from("承認しました\r却下"),
            40,
            5,
            AmbiguousWidth::Narrow,
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].to_string(), "承認しました␍却下");
    }
}
